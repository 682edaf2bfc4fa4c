//! Sinks: terminal, pcapng writer, JSON Lines.

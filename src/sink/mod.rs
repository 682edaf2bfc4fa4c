//! Sinks: terminal, pcapng writer, JSON Lines.

pub mod pcapng;

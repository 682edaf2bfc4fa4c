//! Reading frames: capture files (pcap, pcapng).

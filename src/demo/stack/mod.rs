//! Seed 000's TCP/IP stack demo: an interactive client and a server speaking a small
//! length-prefixed framing; the `stack` command builds real Ethernet/IPv4/TCP headers around a
//! message and the server takes them off again, and `handshake` shows this connection's
//! three-way handshake (captured when the tool may capture, simulated otherwise).

pub mod client;
pub mod encapsulation;
pub mod framing;
pub mod handshake;
pub mod server;

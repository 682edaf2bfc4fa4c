//! Rendering: packet list, layer detail, hex dump, ladder diagram, statistics.
//!
//! Every renderer writes to an `impl Write`; none touches stdout or decides where output
//! goes, so each is tested by rendering into a `Vec<u8>`.
#![forbid(unsafe_code)]

pub mod answers;
pub mod coloring;
pub mod detail;
pub mod encapsulation;
pub mod follow;
pub mod handshakes;
pub mod hex;
pub mod report;
pub mod rtt;
pub mod stats;
pub mod style;
pub mod summary;
pub mod table;
pub mod text;
pub mod throughput;

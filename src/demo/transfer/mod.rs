//! Seed 002's file transfer, done right: a header (version, name, size), the data, a BLAKE3
//! digest the receiver checks before it keeps the file, and iperf-style throughput lines.

pub mod copy;
pub mod meter;
pub mod protocol;
pub mod receiver;
pub mod sender;

//! wirelab: a raw-packet visualizer and capture tool for networking labs.
//!
//! Frames flow one way: [`source`] (bytes) → [`decode`] → [`analyse`] → [`render`] →
//! [`sink`] (terminal, pcapng, JSON). The socket demos of the course live apart in [`demo`].
// Unsafe code is denied everywhere and allowed in one module only, `source::ring` (the
// TPACKET_V3 ring); every other top-level module forbids it outright.
#![deny(unsafe_code)]

pub mod analyse;
pub mod app;
pub mod capture;
pub mod cli;
pub mod craft;
pub mod decode;
pub mod demo;
pub mod filter;
pub mod frame;
pub mod graph;
pub mod lab;
pub mod link;
pub mod pipeline;
pub mod privilege;
pub mod render;
pub mod serve;
pub mod sink;
pub mod source;
pub mod stream_views;
pub mod tui;

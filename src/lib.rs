//! wirelab: a raw-packet visualizer and capture tool for networking labs.
//!
//! Frames flow one way: [`source`] (bytes) → [`decode`] → [`analyse`] → [`render`] →
//! [`sink`] (terminal, pcapng, JSON). The socket demos of the course live apart in [`demo`].
#![forbid(unsafe_code)]

pub mod analyse;
pub mod app;
pub mod cli;
pub mod decode;
pub mod demo;
pub mod filter;
pub mod frame;
pub mod lab;
pub mod link;
pub mod pipeline;
pub mod render;
pub mod sink;
pub mod source;

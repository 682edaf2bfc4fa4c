//! Sinks: where analysed frames end up — JSON Lines, pcapng files, live capture files (the terminal is a
//! plain writer handed to the renderers).
#![forbid(unsafe_code)]

pub mod capture_file;
pub mod export_objects;
pub mod json;
pub mod json_views;
pub mod output;
pub mod pcapng;

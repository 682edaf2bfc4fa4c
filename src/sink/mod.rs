//! Sinks: where analysed frames end up — JSON Lines, pcapng files (the terminal is a
//! plain writer handed to the renderers).

pub mod json;
pub mod json_views;
pub mod pcapng;

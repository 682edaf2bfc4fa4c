//! Analysis across frames: TCP streams, relative numbers, analysis flags.

pub mod seq;
pub mod tcp;

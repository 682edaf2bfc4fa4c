//! Analysis across frames: TCP streams, relative numbers, analysis flags.

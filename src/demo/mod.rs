//! The course's socket demos (std::net), apart from the capture core.
//!
//! One module per demo: [`tcp`] and [`udp`] (seeds 003/004), [`transfer`] (seed 002's file
//! transfer with a digest), [`stack`] (seed 000's stack chat); [`net`] holds the socket set-up
//! they share, with errors that tell a student what to do.
#![forbid(unsafe_code)]

pub mod net;
pub mod options;
pub mod simp;
pub mod stack;
pub mod tcp;
pub mod text;
pub mod transfer;
pub mod udp;

/// Prints one line on standard output; a closed stdout (broken pipe) is ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
pub(crate) use say;

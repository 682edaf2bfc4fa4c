//! The send-file wire format (header, verdicts, digest trailer, file-name rules): it is
//! [`crate::wire::transfer`]'s, re-exported here for the sender and the receiver.

pub use crate::wire::transfer::*;

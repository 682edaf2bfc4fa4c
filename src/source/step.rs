//! What the per-format readers ([`super::pcap`], [`super::pcapng`]) hand back to the file
//! reader ([`super::file`]): the outcome of one step and the events it produced. Both sides
//! import this module, neither imports the other's internals.

use std::time::Duration;

use super::{ReadWarning, SourceEvent};
use crate::frame::{Frame, LinkType};

/// What a format reader says after one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// More may follow.
    Continue,
    /// Nothing more can be read.
    End,
    /// The data ends inside a record and the file may still be growing: nothing was
    /// consumed; try again once more bytes are there (follow mode only).
    Wait,
}

/// A frame event; its number is set when the reader returns it.
pub(crate) fn frame_event(
    timestamp: Duration,
    link_type: LinkType,
    orig_len: u32,
    interface: u32,
    data: &[u8],
) -> SourceEvent {
    SourceEvent::Frame(Frame {
        number: 0,
        timestamp,
        link_type,
        orig_len,
        interface,
        data: data.to_vec(),
    })
}

/// A warning event.
pub(crate) fn warning(offset: u64, message: String) -> SourceEvent {
    SourceEvent::Warning(ReadWarning { offset, message })
}

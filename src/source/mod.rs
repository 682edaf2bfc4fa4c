//! Reading frames: capture files (pcap, pcapng) and live interfaces.
//!
//! [`CaptureReader`] turns any [`std::io::Read`] holding a pcap or pcapng file into a stream of
//! [`SourceEvent`]s: a [`Frame`] for every packet it can read, and a
//! [`ReadWarning`] (with the byte offset) wherever the file is damaged. The format is chosen by
//! the file's magic number, never by its name.
//!
//! ```no_run
//! use wirelab::source::{CaptureReader, SourceEvent};
//!
//! # fn main() -> Result<(), wirelab::source::SourceError> {
//! let reader = CaptureReader::open("trace.pcapng".as_ref())?;
//! for event in reader {
//!     match event {
//!         SourceEvent::Frame(frame) => println!("{} {} bytes", frame.number, frame.caplen()),
//!         SourceEvent::Warning(warning) => eprintln!("warning: {warning}"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! What the reader does with damaged input (it never panics and never loops forever):
//!
//! - a truncated file yields every complete frame, then one warning with the offset of the
//!   broken record or block and how many bytes are missing;
//! - a pcapng block with an impossible length is reported, and the reader looks for the next
//!   valid block (4-byte steps, at most [`RESYNC_LIMIT`] bytes) and carries on from there;
//! - a pcapng block whose content cannot be parsed is reported and skipped;
//! - a pcap record longer than [`MAX_PCAP_RECORD`] ends the read with a warning, since pcap has
//!   no markers to find the next record;
//! - a record whose original length is smaller than its captured length is accepted, with
//!   `orig_len` raised to the captured length so that `orig_len >= data.len()` always holds
//!   (tshark shows the smaller `frame.len` as it is in the file).
//!
//! pcapng Simple Packet Blocks carry no timestamp: their frames get the Unix epoch
//! (`Duration::ZERO`; tshark shows no time). Not supported: the "modified" pcap variants
//! (Kuznetzov, Navtel...) and compressed files (decompress them first).
//!
//! [`live::LiveSource`] reads frames from network interfaces through [`ring`], a TPACKET_V3
//! memory-mapped ring (the crate's only `unsafe` code), and yields the same frames plus their
//! direction and the kernel's drop counters.

pub mod block;
mod detect;
mod file;
pub mod live;
mod pcap;
mod pcapng;
mod step;
mod window;
// The one module allowed unsafe code: the TPACKET_V3 ring (socket, mmap, poll).
#[allow(unsafe_code)]
pub mod ring;

#[cfg(test)]
pub(crate) mod testdata;

use std::fmt;

use crate::frame::{Frame, LinkType};

pub use detect::FileKind;
pub use file::{CaptureReader, ResumePoint};

/// Largest captured length accepted in a pcap record: Wireshark's limit
/// (`WTAP_MAX_PACKET_SIZE_STANDARD`). Larger records mean the file is damaged.
pub const MAX_PCAP_RECORD: u32 = 262_144;

/// Largest pcapng block accepted (16 MiB); a longer block is treated as a damaged length.
pub const MAX_PCAPNG_BLOCK: u32 = 16 * 1024 * 1024;

/// How far (in bytes) the pcapng reader scans for the next valid block after a damaged one.
pub const RESYNC_LIMIT: u64 = 16 * 1024 * 1024;

/// One item produced by a [`CaptureReader`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceEvent {
    /// A frame read from the file.
    Frame(Frame),
    /// Something in the file was damaged; reading goes on after it when it can.
    Warning(ReadWarning),
}

impl SourceEvent {
    /// The frame, or the warning as the error: the shape [`crate::analyse::analyse_each`] takes.
    pub fn into_result(self) -> Result<Frame, ReadWarning> {
        match self {
            SourceEvent::Frame(f) => Ok(f),
            SourceEvent::Warning(w) => Err(w),
        }
    }
}

/// A problem found in the file, at a byte offset (counted from the start of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadWarning {
    /// Offset of the record or block the problem is about.
    pub offset: u64,
    /// What is wrong, and what the reader did about it.
    pub message: String,
}

impl fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

/// The capture format found from the file's magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    /// Classic libpcap format (one link type for the whole file).
    Pcap {
        /// The file's header and records are big-endian.
        big_endian: bool,
        /// Timestamps have nanosecond (not microsecond) resolution.
        nanos: bool,
        /// Link type of every frame (the header's value, FCS bits masked off).
        link_type: LinkType,
        /// Snap length from the header (informative; longer records are still read).
        snaplen: u32,
    },
    /// pcapng: blocks, possibly several sections and interfaces with their own link types.
    PcapNg,
}

impl fmt::Display for CaptureFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureFormat::Pcap { nanos, .. } => {
                let res = if *nanos { "nanosecond" } else { "microsecond" };
                write!(f, "pcap ({res} timestamps)")
            }
            CaptureFormat::PcapNg => f.write_str("pcapng"),
        }
    }
}

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file could not be opened.
    #[error("cannot open {path}: {reason}")]
    Open {
        /// The path given.
        path: std::path::PathBuf,
        /// What the system said (kept in the message, not as a `source`, so that error chains
        /// do not print it twice).
        reason: std::io::Error,
    },
    /// The file is something else than a capture.
    #[error(
        "not a capture file: {kind}. wirelab reads pcap and pcapng files \
         (as written by tcpdump -w, dumpcap, tshark -w or Wireshark)"
    )]
    NotACapture {
        /// What the file looks like instead.
        kind: FileKind,
    },
    /// The file starts like a capture but ends inside its file header.
    #[error(
        "the {format} file header is cut short: it needs {needed} bytes but the file has only \
         {got}; the capture is empty or was copied while still being written"
    )]
    HeaderCutShort {
        /// "pcap" or "pcapng".
        format: &'static str,
        /// Bytes the header needs.
        needed: usize,
        /// Bytes the file has.
        got: usize,
    },
    /// The file starts like a pcapng file but its first block is not a section header.
    #[error("damaged pcapng file: {reason}; the file cannot be read")]
    BadHeader {
        /// What is wrong with the header.
        reason: String,
    },
    /// Reading failed (disk error, file removed, permission...).
    #[error("cannot read the capture file: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for SourceError {
    fn from(err: std::io::Error) -> Self {
        SourceError::Io(err)
    }
}

/// Formats an error and its sources as "outer: inner: innermost".
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    // Bounded: error chains are short, but never trust a cycle.
    for _ in 0..8 {
        let Some(inner) = source else { break };
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

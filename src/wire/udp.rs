//! UDP headers (RFC 768).

use std::ops::Range;

/// A UDP header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Length field (header + payload).
    pub length: u16,
    /// Checksum field.
    pub checksum: u16,
    /// Bytes of the header.
    pub range: Range<usize>,
    /// Bytes of the captured payload.
    pub payload: Range<usize>,
}

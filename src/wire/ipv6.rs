//! IPv6 headers (RFC 8200), with the extension headers folded in.

use std::net::Ipv6Addr;
use std::ops::Range;

/// An IPv6 header (with its extension headers folded in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv6Repr {
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// Traffic class.
    pub traffic_class: u8,
    /// Flow label (20 bits).
    pub flow_label: u32,
    /// Payload length field.
    pub payload_len: u16,
    /// Next header field of the fixed header.
    pub next_header: u8,
    /// Protocol after the extension headers.
    pub payload_protocol: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Length of the extension headers in bytes.
    pub ext_len: usize,
    /// True if a fragment header was found.
    pub fragmented: bool,
    /// Bytes of the fixed header in the frame.
    pub range: Range<usize>,
}

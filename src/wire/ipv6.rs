//! IPv6 headers (RFC 8200), with the extension headers folded in.

use std::net::Ipv6Addr;
use std::ops::Range;

use super::ParseError;

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
    /// True if a fragment header was found that fragments the payload.
    pub fragmented: bool,
    /// That fragment header, when there is one.
    pub fragment: Option<Ipv6Fragment>,
    /// Bytes of the fixed header in the frame.
    pub range: Range<usize>,
}

/// A fragment header (RFC 8200 section 4.5) that fragments the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv6Fragment {
    /// Next header of the fragmentable part (the protocol of the reassembled packet).
    pub next_header: u8,
    /// Offset of this fragment in bytes.
    pub offset: u16,
    /// More fragments flag.
    pub more: bool,
    /// Identification.
    pub ident: u32,
    /// Bytes of the fragment header in the frame.
    pub range: Range<usize>,
}

impl Ipv6Repr {
    /// Reads the fixed IPv6 header at the start of `bytes`, which lie at `offset` in the
    /// frame (extension headers are not followed: the payload protocol is the next header).
    pub fn parse(bytes: &[u8], offset: usize) -> Result<Self, ParseError> {
        use etherparse::err::ipv6::HeaderSliceError;
        let h = etherparse::Ipv6HeaderSlice::from_slice(bytes).map_err(|e| match e {
            HeaderSliceError::Len(e) => ParseError::Truncated {
                layer: "IPv6",
                offset,
                need: e.required_len,
                have: e.len,
            },
            HeaderSliceError::Content(_) => ParseError::Invalid {
                layer: "IPv6",
                offset,
                what: "version is not 6",
            },
        })?;
        Ok(Ipv6Repr {
            src: h.source_addr(),
            dst: h.destination_addr(),
            traffic_class: h.traffic_class(),
            flow_label: h.flow_label().value(),
            payload_len: h.payload_length(),
            next_header: h.next_header().0,
            payload_protocol: h.next_header().0,
            hop_limit: h.hop_limit(),
            ext_len: 0,
            fragmented: false,
            fragment: None,
            range: offset..offset + h.slice().len(),
        })
    }
}

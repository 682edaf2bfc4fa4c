//! IPv4 headers (RFC 791): read from etherparse's lax slice by decoding, written without
//! options with pnet's `MutableIpv4Packet`; the header checksum is [`super::checksum`]'s.

use std::net::Ipv4Addr;
use std::ops::Range;

use pnet::packet::ip::IpNextHeaderProtocol;
use pnet::packet::ipv4::{Ipv4Flags, MutableIpv4Packet};

use super::{BuildError, ParseError, checksum, need};

/// Length of an IPv4 header without options.
pub const HEADER_LEN: usize = 20;
/// The usual time to live of Linux and most systems.
pub const DEFAULT_TTL: u8 = 64;
/// Protocol number of ICMP.
pub const PROTO_ICMP: u8 = 1;
/// Protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// Largest payload one IPv4 packet can carry after a 20-byte header.
pub const MAX_PAYLOAD: usize = 65535 - HEADER_LEN;

/// An IPv4 header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4Repr {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Header length in bytes (IHL × 4).
    pub header_len: u8,
    /// Differentiated services code point.
    pub dscp: u8,
    /// Explicit congestion notification.
    pub ecn: u8,
    /// Total length field; when the field is 0 and [`Ipv4Repr::tso`] is set, the length
    /// the frame reports instead (see there).
    pub total_len: u16,
    /// The total length field was 0 and [`Ipv4Repr::total_len`] holds the length the frame
    /// reports instead: captured on the sending host with TCP segmentation offload, where
    /// the NIC fills the length in (Wireshark's default `ip.tso_support`).
    pub tso: bool,
    /// Identification field.
    pub id: u16,
    /// Don't fragment flag.
    pub dont_fragment: bool,
    /// More fragments flag.
    pub more_fragments: bool,
    /// Fragment offset in bytes.
    pub frag_offset: u16,
    /// Time to live.
    pub ttl: u8,
    /// Protocol number of the payload.
    pub protocol: u8,
    /// Header checksum field.
    pub checksum: u16,
    /// Bytes of the header in the frame.
    pub range: Range<usize>,
}

impl Ipv4Repr {
    /// True if this header carries a fragment (MF set or a non-zero offset).
    pub fn is_fragment(&self) -> bool {
        self.more_fragments || self.frag_offset != 0
    }

    /// The repr of a header etherparse has sliced; `range` is where it lies in the frame.
    pub fn from_header(h: &etherparse::Ipv4HeaderSlice<'_>, range: Range<usize>) -> Self {
        Ipv4Repr {
            src: h.source_addr(),
            dst: h.destination_addr(),
            header_len: h.ihl() * 4,
            dscp: h.dcp().value(),
            ecn: h.ecn().value(),
            total_len: h.total_len(),
            tso: false,
            id: h.identification(),
            dont_fragment: h.dont_fragment(),
            more_fragments: h.more_fragments(),
            frag_offset: h.fragments_offset().value().wrapping_mul(8),
            ttl: h.ttl(),
            protocol: h.protocol().0,
            checksum: h.header_checksum(),
            range,
        }
    }

    /// Reads the IPv4 header at the start of `bytes`, which lie at `offset` in the frame.
    pub fn parse(bytes: &[u8], offset: usize) -> Result<Self, ParseError> {
        use etherparse::err::ipv4::HeaderSliceError;
        let h = etherparse::Ipv4HeaderSlice::from_slice(bytes).map_err(|e| match e {
            HeaderSliceError::Len(e) => ParseError::Truncated {
                layer: "IPv4",
                offset,
                need: e.required_len,
                have: e.len,
            },
            HeaderSliceError::Content(_) => ParseError::Invalid {
                layer: "IPv4",
                offset,
                what: "version is not 4 or the header length is under 20 bytes",
            },
        })?;
        Ok(Ipv4Repr::from_header(&h, offset..offset + h.slice().len()))
    }

    /// A 20-byte header (no options, not a fragment, DSCP and ECN 0) for a payload of
    /// `payload_len` bytes; its checksum is computed by [`Ipv4Repr::emit`].
    pub fn new(
        src: Ipv4Addr,
        dst: Ipv4Addr,
        protocol: u8,
        payload_len: usize,
        id: u16,
        ttl: u8,
        dont_fragment: bool,
    ) -> Result<Self, BuildError> {
        let total_len =
            u16::try_from(HEADER_LEN + payload_len).map_err(|_| BuildError::TooLong {
                layer: "IPv4",
                len: payload_len,
                max: MAX_PAYLOAD,
            })?;
        Ok(Ipv4Repr {
            src,
            dst,
            header_len: HEADER_LEN as u8,
            dscp: 0,
            ecn: 0,
            total_len,
            tso: false,
            id,
            dont_fragment,
            more_fragments: false,
            frag_offset: 0,
            ttl,
            protocol,
            checksum: 0,
            range: 0..HEADER_LEN,
        })
    }

    /// Writes the header (20 bytes: options are not written), checksum included, into the
    /// first [`HEADER_LEN`] bytes of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), BuildError> {
        need("IPv4", buf, HEADER_LEN)?;
        let Some(mut ip) = MutableIpv4Packet::new(&mut buf[..HEADER_LEN]) else {
            return Err(BuildError::BufferTooShort {
                layer: "IPv4",
                need: HEADER_LEN,
                have: buf.len(),
            });
        };
        ip.set_version(4);
        ip.set_header_length((HEADER_LEN / 4) as u8);
        ip.set_dscp(self.dscp);
        ip.set_ecn(self.ecn);
        ip.set_total_length(self.total_len);
        ip.set_identification(self.id);
        let mut flags = 0;
        if self.dont_fragment {
            flags |= Ipv4Flags::DontFragment;
        }
        if self.more_fragments {
            flags |= Ipv4Flags::MoreFragments;
        }
        ip.set_flags(flags);
        ip.set_fragment_offset(self.frag_offset / 8);
        ip.set_ttl(self.ttl);
        ip.set_next_level_protocol(IpNextHeaderProtocol(self.protocol));
        ip.set_source(self.src);
        ip.set_destination(self.dst);
        ip.set_checksum(0);
        drop(ip);
        let sum = checksum::of(&buf[..HEADER_LEN]);
        buf[10..12].copy_from_slice(&sum.to_be_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_a_hand_computed_one() {
        let mut buf = [0u8; 20];
        Ipv4Repr::new(
            Ipv4Addr::new(10, 0, 3, 2),
            Ipv4Addr::new(10, 0, 3, 1),
            PROTO_TCP,
            20,
            0x1c46,
            64,
            true,
        )
        .unwrap()
        .emit(&mut buf)
        .unwrap();
        // 4500+0028+1c46+4000+4006+0a00+0302+0a00+0301 = 0xfb77 (no carry); !0xfb77 = 0x0488.
        assert_eq!(
            buf,
            [
                0x45, 0, 0, 0x28, 0x1c, 0x46, 0x40, 0, 64, 6, 0x04, 0x88, 10, 0, 3, 2, 10, 0, 3, 1
            ]
        );
    }

    #[test]
    fn parse_reads_what_emit_wrote() {
        let repr = Ipv4Repr::new(
            Ipv4Addr::new(10, 0, 3, 2),
            Ipv4Addr::new(10, 0, 3, 1),
            PROTO_TCP,
            20,
            7,
            64,
            true,
        )
        .unwrap();
        let mut buf = [0u8; 20];
        repr.emit(&mut buf).unwrap();
        let got = Ipv4Repr::parse(&buf, 14).unwrap();
        assert_eq!((got.src, got.total_len, got.range), (repr.src, 40, 14..34));
        assert!(super::checksum::verifies(&buf));
        assert!(matches!(
            Ipv4Repr::parse(&buf[..19], 14),
            Err(ParseError::Truncated { offset: 14, .. })
        ));
        buf[0] = 0x65;
        assert!(matches!(
            Ipv4Repr::parse(&buf, 14),
            Err(ParseError::Invalid { layer: "IPv4", .. })
        ));
    }

    #[test]
    fn too_long_and_too_short_are_errors() {
        let at = |payload_len| {
            Ipv4Repr::new(
                Ipv4Addr::LOCALHOST,
                Ipv4Addr::LOCALHOST,
                PROTO_ICMP,
                payload_len,
                0,
                1,
                false,
            )
        };
        assert!(matches!(
            at(MAX_PAYLOAD + 1),
            Err(BuildError::TooLong { .. })
        ));
        assert!(matches!(
            at(0).unwrap().emit(&mut [0u8; 19]),
            Err(BuildError::BufferTooShort { .. })
        ));
    }
}

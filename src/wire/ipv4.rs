//! IPv4 headers (RFC 791): read from etherparse's lax slice by decoding, written without
//! options with pnet's `MutableIpv4Packet`; the header checksum is [`super::checksum`]'s.
//! A packet too big for the link is cut into fragments here ([`fragments`],
//! [`Ipv4Repr::fragment`]): the one place of the crate that fragments.

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
/// Protocol number of UDP.
pub const PROTO_UDP: u8 = 17;
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

/// One fragment of a packet's payload: which bytes it carries and whether more follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// The payload bytes it carries (its offset is `bytes.start`, a multiple of 8).
    pub bytes: Range<usize>,
    /// The More Fragments flag.
    pub more: bool,
}

/// How a sender cuts an IP payload of `payload_len` bytes for a link whose MTU is `mtu`
/// (RFC 791 3.2): one piece when the packet fits, else pieces of the most multiples of 8
/// bytes a 20-byte header leaves room for, the last one with More Fragments clear.
pub fn fragments(payload_len: usize, mtu: usize) -> Result<Vec<Fragment>, BuildError> {
    if payload_len > MAX_PAYLOAD {
        return Err(BuildError::TooLong {
            layer: "IPv4",
            len: payload_len,
            max: MAX_PAYLOAD,
        });
    }
    // RFC 791: every module must forward a 68-byte datagram without fragmenting it.
    let step = (mtu.max(68) - HEADER_LEN) / 8 * 8;
    if HEADER_LEN + payload_len <= mtu.max(68) {
        return Ok(vec![Fragment {
            bytes: 0..payload_len,
            more: false,
        }]);
    }
    Ok((0..payload_len)
        .step_by(step)
        .map(|start| {
            let end = (start + step).min(payload_len);
            Fragment {
                bytes: start..end,
                more: end < payload_len,
            }
        })
        .collect())
}

impl Ipv4Repr {
    /// The header of `frag` of the packet this header describes (whole, not a fragment
    /// itself): its own total length, offset and More Fragments flag; the rest is copied.
    pub fn fragment(&self, frag: &Fragment) -> Result<Ipv4Repr, BuildError> {
        let too_long = BuildError::TooLong {
            layer: "IPv4",
            len: frag.bytes.end,
            max: MAX_PAYLOAD,
        };
        let total_len =
            u16::try_from(HEADER_LEN + frag.bytes.len()).map_err(|_| too_long.clone())?;
        let frag_offset = u16::try_from(frag.bytes.start)
            .ok()
            .filter(|o| o % 8 == 0 && usize::from(*o) <= MAX_PAYLOAD)
            .ok_or(too_long)?;
        Ok(Ipv4Repr {
            total_len,
            more_fragments: frag.more,
            frag_offset,
            ..self.clone()
        })
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

    /// RFC 791's example sizes: 2980 bytes of payload on a 1500-byte MTU go as 1480 + 1480 +
    /// 20, at offsets 0, 1480 and 2960 (what Linux sends for a 3000-byte datagram).
    #[test]
    fn a_3000_byte_packet_is_cut_at_multiples_of_8() {
        let f = fragments(2980, 1500).unwrap();
        let got: Vec<_> = f.iter().map(|f| (f.bytes.clone(), f.more)).collect();
        assert_eq!(
            got,
            [(0..1480, true), (1480..2960, true), (2960..2980, false)]
        );
        // An odd MTU rounds the pieces down to 8 bytes: 1000 − 20 = 980 → 976.
        let f = fragments(2000, 1000).unwrap();
        assert_eq!(f[0].bytes, 0..976);
        assert_eq!(f[1].bytes, 976..1952);
        assert_eq!(f[2].bytes, 1952..2000);
        // It fits: one piece, not a fragment.
        assert_eq!(
            fragments(1480, 1500).unwrap(),
            [Fragment {
                bytes: 0..1480,
                more: false
            }]
        );
        // A silly MTU is taken as RFC 791's minimum of 68; too long is an error.
        assert!(
            fragments(100, 0)
                .unwrap()
                .iter()
                .all(|f| f.bytes.len() <= 48)
        );
        assert!(fragments(MAX_PAYLOAD + 1, 1500).is_err());
        assert_eq!(fragments(MAX_PAYLOAD, 1500).unwrap().len(), 45);
    }

    #[test]
    fn fragment_headers_carry_their_own_length_offset_and_flag() {
        let whole = Ipv4Repr::new(
            Ipv4Addr::new(10, 0, 3, 1),
            Ipv4Addr::new(10, 0, 4, 1),
            PROTO_UDP,
            2980,
            0x1234,
            1,
            false,
        )
        .unwrap();
        let f = fragments(2980, 1500).unwrap();
        let mut buf = [0u8; 20];
        let second = whole.fragment(&f[1]).unwrap();
        second.emit(&mut buf).unwrap();
        let got = Ipv4Repr::parse(&buf, 0).unwrap();
        assert_eq!(
            (
                got.total_len,
                got.frag_offset,
                got.more_fragments,
                got.id,
                got.ttl
            ),
            (1500, 1480, true, 0x1234, 1)
        );
        assert!(super::checksum::verifies(&buf));
        let last = whole.fragment(&f[2]).unwrap();
        assert_eq!(
            (last.total_len, last.frag_offset, last.more_fragments),
            (40, 2960, false)
        );
        let odd = Fragment {
            bytes: 3..10,
            more: true,
        };
        assert!(whole.fragment(&odd).is_err());
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

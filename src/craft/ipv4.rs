//! IPv4 headers (RFC 791) without options, written with pnet's `MutableIpv4Packet`; the header
//! checksum is [`crate::wire::checksum`]'s.

use std::net::Ipv4Addr;

use pnet::packet::ip::IpNextHeaderProtocol;
use pnet::packet::ipv4::{Ipv4Flags, MutableIpv4Packet};

use super::{BuildError, need};
use crate::wire::checksum;

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

/// The values of an IPv4 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Repr {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Protocol of the payload (6 TCP, 1 ICMP).
    pub protocol: u8,
    /// Payload length in bytes (the total length is 20 more).
    pub payload_len: usize,
    /// Identification (tells the fragments of one datagram apart).
    pub id: u16,
    /// Time to live.
    pub ttl: u8,
    /// Don't fragment: set by TCP, which sizes its segments to the path (RFC 1191).
    pub dont_fragment: bool,
}

impl Ipv4Repr {
    /// The total length field: header plus payload.
    pub fn total_len(&self) -> Result<u16, BuildError> {
        u16::try_from(HEADER_LEN + self.payload_len).map_err(|_| BuildError::TooLong {
            layer: "IPv4",
            len: self.payload_len,
            max: MAX_PAYLOAD,
        })
    }

    /// Writes the header, checksum included, into the first [`HEADER_LEN`] bytes of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), BuildError> {
        need("IPv4", buf, HEADER_LEN)?;
        let total_len = self.total_len()?;
        let Some(mut ip) = MutableIpv4Packet::new(&mut buf[..HEADER_LEN]) else {
            return Err(BuildError::BufferTooShort {
                layer: "IPv4",
                need: HEADER_LEN,
                have: buf.len(),
            });
        };
        ip.set_version(4);
        ip.set_header_length((HEADER_LEN / 4) as u8);
        ip.set_dscp(0);
        ip.set_ecn(0);
        ip.set_total_length(total_len);
        ip.set_identification(self.id);
        ip.set_flags(if self.dont_fragment {
            Ipv4Flags::DontFragment
        } else {
            0
        });
        ip.set_fragment_offset(0);
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
        Ipv4Repr {
            src: Ipv4Addr::new(10, 0, 3, 2),
            dst: Ipv4Addr::new(10, 0, 3, 1),
            protocol: PROTO_TCP,
            payload_len: 20,
            id: 0x1c46,
            ttl: 64,
            dont_fragment: true,
        }
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
    fn too_long_and_too_short_are_errors() {
        let repr = Ipv4Repr {
            src: Ipv4Addr::LOCALHOST,
            dst: Ipv4Addr::LOCALHOST,
            protocol: PROTO_ICMP,
            payload_len: MAX_PAYLOAD + 1,
            id: 0,
            ttl: 1,
            dont_fragment: false,
        };
        assert!(matches!(
            repr.emit(&mut [0u8; 20]),
            Err(BuildError::TooLong { .. })
        ));
        assert!(matches!(
            repr.emit(&mut [0u8; 19]),
            Err(BuildError::BufferTooShort { .. })
        ));
    }
}

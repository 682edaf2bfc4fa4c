//! UDP headers (RFC 768): read by decoding from etherparse's slices, written with pnet's
//! `MutableUdpPacket`; the checksum over the IPv4 pseudo-header is [`super::checksum`]'s.

use std::net::Ipv4Addr;
use std::ops::Range;

use pnet::packet::udp::MutableUdpPacket;

use super::checksum::Checksum;
use super::{BuildError, need};

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;

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

impl UdpRepr {
    /// A header for `payload_len` bytes of data (the length field counts the header too); its
    /// checksum is computed by [`UdpRepr::emit`].
    pub fn new(src_port: u16, dst_port: u16, payload_len: usize) -> Result<Self, BuildError> {
        let max = super::ipv4::MAX_PAYLOAD - HEADER_LEN;
        let length = u16::try_from(HEADER_LEN + payload_len)
            .ok()
            .filter(|_| payload_len <= max)
            .ok_or(BuildError::TooLong {
                layer: "UDP datagram in IPv4",
                len: payload_len,
                max,
            })?;
        Ok(UdpRepr {
            src_port,
            dst_port,
            length,
            checksum: 0,
            range: 0..HEADER_LEN,
            payload: HEADER_LEN..HEADER_LEN + payload_len,
        })
    }

    /// Writes the header over the start of `datagram` (header and payload, the payload already
    /// in place after [`HEADER_LEN`] bytes) and the checksum over the pseudo-header of `src` →
    /// `dst` and all of `datagram` (0 is sent as 0xffff, RFC 768).
    pub fn emit(
        &self,
        datagram: &mut [u8],
        src: Ipv4Addr,
        dst: Ipv4Addr,
    ) -> Result<(), BuildError> {
        need("UDP", datagram, usize::from(self.length).max(HEADER_LEN))?;
        let datagram = &mut datagram[..usize::from(self.length).max(HEADER_LEN)];
        {
            let mut udp =
                MutableUdpPacket::new(&mut *datagram).ok_or(BuildError::BufferTooShort {
                    layer: "UDP",
                    need: HEADER_LEN,
                    have: 0,
                })?;
            udp.set_source(self.src_port);
            udp.set_destination(self.dst_port);
            udp.set_length(self.length);
            udp.set_checksum(0);
        }
        let sum = Checksum::pseudo_ipv4(src, dst, super::ipv4::PROTO_UDP, self.length)
            .add_bytes(datagram)
            .value_udp();
        datagram[6..8].copy_from_slice(&sum.to_be_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_checksum_by_hand() {
        let mut d = [0u8; 10];
        d[8..].copy_from_slice(b"hi");
        let src = Ipv4Addr::new(10, 0, 3, 1);
        let dst = Ipv4Addr::new(10, 0, 4, 1);
        UdpRepr::new(40000, 33434, 2)
            .unwrap()
            .emit(&mut d, src, dst)
            .unwrap();
        // Pseudo-header 0a00+0301+0a00+0401+0011+000a = 0x1b1d, header 9c40+829a+000a,
        // data 6869: sum 0x1_a26a → 0xa26b; !0xa26b = 0x5d94.
        assert_eq!(d, [0x9c, 0x40, 0x82, 0x9a, 0, 10, 0x5d, 0x94, b'h', b'i']);
        assert!(
            Checksum::pseudo_ipv4(src, dst, 17, 10)
                .add_bytes(&d)
                .verifies()
        );
        // etherparse, independently.
        let u = etherparse::UdpSlice::from_slice(&d).unwrap();
        let h = u.to_header();
        assert_eq!(
            h.calc_checksum_ipv4_raw(src.octets(), dst.octets(), u.payload()),
            Ok(0x5d94)
        );
    }

    #[test]
    fn short_buffers_and_long_payloads_are_errors() {
        let r = UdpRepr::new(1, 2, 4).unwrap();
        assert!(matches!(
            r.emit(&mut [0u8; 11], Ipv4Addr::LOCALHOST, Ipv4Addr::LOCALHOST),
            Err(BuildError::BufferTooShort { need: 12, .. })
        ));
        assert!(matches!(
            UdpRepr::new(1, 2, super::super::ipv4::MAX_PAYLOAD),
            Err(BuildError::TooLong { .. })
        ));
    }
}

//! The Internet checksum of RFC 1071: the one implementation in the crate.
//!
//! Decoding verifies with it, craft emits with it (IPv4 header, ICMP, TCP and UDP over the
//! IPv4 or IPv6 pseudo-header), the lab's offload completes partial checksums with it and the
//! stack demo checks its frames with it. The sum is etherparse's [`Sum16BitWords`], which adds
//! 64-bit words at a time (pnet's helpers add 16-bit words one by one and were measurably
//! slower on craft's send path).

use std::net::{Ipv4Addr, Ipv6Addr};

use etherparse::checksum::Sum16BitWords;

/// A running one's-complement sum of big-endian 16-bit words.
///
/// Every slice but the last given to [`Checksum::add_bytes`] must have an even length (an odd last
/// byte is padded with zero, as RFC 1071 says for the end of the data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checksum(Sum16BitWords);

impl Checksum {
    /// An empty sum.
    pub fn new() -> Self {
        Checksum(Sum16BitWords::new())
    }

    /// The sum of the IPv4 pseudo-header (RFC 9293 3.1, RFC 768): source, destination, zero,
    /// protocol and the transport length.
    pub fn pseudo_ipv4(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, len: u16) -> Self {
        let mut s = Sum16BitWords::new();
        let s = s
            .add_4bytes(src.octets())
            .add_4bytes(dst.octets())
            .add_2bytes([0, protocol])
            .add_2bytes(len.to_be_bytes());
        Checksum(s)
    }

    /// The sum of the IPv6 pseudo-header (RFC 8200 8.1): source, destination, the 32-bit
    /// upper-layer length and the next header.
    pub fn pseudo_ipv6(src: &Ipv6Addr, dst: &Ipv6Addr, protocol: u8, len: u32) -> Self {
        let mut s = Sum16BitWords::new();
        let mut s = s.add_16bytes(src.octets());
        let s = s
            .add_16bytes(dst.octets())
            .add_4bytes(len.to_be_bytes())
            .add_2bytes([0, protocol]);
        Checksum(s)
    }

    /// Adds `bytes` to the sum.
    #[must_use]
    pub fn add_bytes(self, bytes: &[u8]) -> Self {
        Checksum(self.0.add_slice(bytes))
    }

    /// The folded sum, not complemented: what a sender that leaves the checksum to the NIC
    /// writes in the field for the pseudo-header.
    pub fn folded(&self) -> u16 {
        !self.value()
    }

    /// The checksum to write in a header: the complement of the folded sum.
    pub fn value(&self) -> u16 {
        // etherparse sums in native byte order: the native bytes of its result are the wire
        // bytes.
        u16::from_be(self.0.ones_complement())
    }

    /// The checksum for UDP, where 0 means "none" and is sent as 0xffff (RFC 768).
    pub fn value_udp(&self) -> u16 {
        u16::from_be(self.0.to_ones_complement_with_no_zero())
    }

    /// True when the summed data (checksum field included) verifies: the folded sum is
    /// 0xffff.
    pub fn verifies(&self) -> bool {
        self.folded() == 0xffff
    }
}

/// The checksum of `bytes` alone (an IPv4 header with its checksum field zeroed, an ICMP
/// message).
pub fn of(bytes: &[u8]) -> u16 {
    Checksum::new().add_bytes(bytes).value()
}

/// True when `bytes` (checksum field included) verify.
pub fn verifies(bytes: &[u8]) -> bool {
    Checksum::new().add_bytes(bytes).verifies()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 1071 example: the words 0001 f203 f4f5 f6f7 sum to ddf2.
    #[test]
    fn rfc1071_example() {
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(Checksum::new().add_bytes(&data).folded(), 0xddf2);
        assert_eq!(of(&data), !0xddf2);
    }

    /// The same sums as the plain 16-bit-word loop, for every length (odd ones padded).
    #[test]
    fn matches_a_word_by_word_sum() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 37 + 11) as u8).collect();
        for len in 0..data.len() {
            let mut acc: u32 = 0;
            for c in data[..len].chunks(2) {
                acc += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
            }
            while acc > 0xffff {
                acc = (acc & 0xffff) + (acc >> 16);
            }
            assert_eq!(
                Checksum::new().add_bytes(&data[..len]).folded(),
                acc as u16,
                "{len}"
            );
        }
    }

    #[test]
    fn a_header_with_its_checksum_verifies() {
        let mut h = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0, 0, 0xc0, 0xa8, 0x00,
            0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        let c = of(&h);
        assert_eq!(c, 0xb861); // the worked example of the IPv4 header checksum
        h[10..12].copy_from_slice(&c.to_be_bytes());
        assert!(verifies(&h));
        h[8] ^= 1;
        assert!(!verifies(&h));
    }
}

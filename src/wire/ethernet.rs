//! Ethernet II headers and 802.1Q / 802.1ad VLAN tags: the header written with pnet's
//! `MutableEthernetPacket`; decoding reads both through etherparse's lax slicer (the one
//! [`EthernetRepr`] is what `decode::LinkRepr::Ethernet` holds, beside the other link types).

use std::ops::Range;

use pnet::packet::ethernet::{EtherType, MutableEthernetPacket};
use pnet::util::MacAddr;

use super::{BuildError, ParseError, need};

/// Length of an Ethernet II header (no 802.1Q tag, no FCS: the card adds the FCS).
pub const HEADER_LEN: usize = 14;
/// The broadcast address.
pub const BROADCAST: [u8; 6] = [0xff; 6];
/// EtherType of IPv4.
pub const ETHERTYPE_IPV4: u16 = 0x0800;
/// EtherType of ARP.
pub const ETHERTYPE_ARP: u16 = 0x0806;

/// An Ethernet II header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EthernetRepr {
    /// Destination MAC address.
    pub dst: [u8; 6],
    /// Source MAC address.
    pub src: [u8; 6],
    /// EtherType of the payload.
    pub ethertype: u16,
}

/// A pnet MAC address from six bytes.
pub fn mac_addr(m: [u8; 6]) -> MacAddr {
    MacAddr::new(m[0], m[1], m[2], m[3], m[4], m[5])
}

impl EthernetRepr {
    /// Reads the Ethernet II header at the start of `frame`.
    pub fn parse(frame: &[u8]) -> Result<Self, ParseError> {
        let h = etherparse::Ethernet2HeaderSlice::from_slice(frame).map_err(|e| {
            ParseError::Truncated {
                layer: "Ethernet",
                offset: 0,
                need: e.required_len,
                have: e.len,
            }
        })?;
        Ok(EthernetRepr {
            dst: h.destination(),
            src: h.source(),
            ethertype: h.ether_type().0,
        })
    }

    /// Writes the header into the first [`HEADER_LEN`] bytes of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), BuildError> {
        need("Ethernet", buf, HEADER_LEN)?;
        let Some(mut eth) = MutableEthernetPacket::new(&mut buf[..HEADER_LEN]) else {
            return Err(BuildError::BufferTooShort {
                layer: "Ethernet",
                need: HEADER_LEN,
                have: buf.len(),
            });
        };
        eth.set_destination(mac_addr(self.dst));
        eth.set_source(mac_addr(self.src));
        eth.set_ethertype(EtherType(self.ethertype));
        Ok(())
    }
}

/// An 802.1Q / 802.1ad VLAN tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VlanRepr {
    /// Priority code point (3 bits).
    pub pcp: u8,
    /// Drop eligible indicator.
    pub dei: bool,
    /// VLAN identifier (12 bits).
    pub id: u16,
    /// The ethertype that follows the tag.
    pub ethertype: u16,
    /// Bytes of the tag in the frame.
    pub range: Range<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_what_emit_wrote_and_names_a_cut() {
        let repr = EthernetRepr {
            dst: BROADCAST,
            src: [2, 0, 0, 0, 3, 2],
            ethertype: ETHERTYPE_ARP,
        };
        let mut buf = [0u8; HEADER_LEN];
        repr.emit(&mut buf).unwrap();
        assert_eq!(EthernetRepr::parse(&buf), Ok(repr));
        assert_eq!(
            EthernetRepr::parse(&buf[..13]),
            Err(ParseError::Truncated {
                layer: "Ethernet",
                offset: 0,
                need: 14,
                have: 13
            })
        );
    }

    #[test]
    fn header_bytes_are_destination_source_type() {
        let mut buf = [0u8; 16];
        EthernetRepr {
            dst: BROADCAST,
            src: [2, 0, 0, 0, 3, 2],
            ethertype: ETHERTYPE_ARP,
        }
        .emit(&mut buf)
        .unwrap();
        assert_eq!(
            buf[..14],
            [
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 3, 2, 0x08, 0x06
            ]
        );
        assert!(
            EthernetRepr {
                dst: BROADCAST,
                src: BROADCAST,
                ethertype: 0
            }
            .emit(&mut [0u8; 13])
            .is_err()
        );
    }
}

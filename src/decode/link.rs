//! The link layer: picks the etherparse entry point for a frame's link type.
//!
//! Ethernet II (with 802.1Q/QinQ tags), Linux cooked capture v1 and v2, raw IPv4/IPv6 and
//! BSD/OpenBSD loopback. Small headers etherparse has no slicer for (SLL2, loopback) are read
//! here; everything after them goes through etherparse's lax slicer.

use std::ops::Range;

use etherparse::{EtherType, LaxSlicedPacket};

use super::{Decoded, EthernetRepr};
use crate::frame::LinkType;

/// The link-layer header of a frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LinkRepr {
    /// No link header decoded (raw IP, or an unknown link type).
    #[default]
    None,
    /// Ethernet II (or 802.3 when the header's `ethertype` < 0x0600, then it is a length).
    Ethernet {
        /// The header's fields.
        header: EthernetRepr,
        /// Bytes of the header.
        range: Range<usize>,
    },
    /// Linux cooked capture, v1 (16 bytes) or v2 (20 bytes).
    Sll {
        /// 1 or 2.
        version: u8,
        /// Packet type (0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us).
        packet_type: u16,
        /// ARPHRD_ hardware type.
        hw_type: u16,
        /// Link-layer address of the sender (up to 8 bytes).
        addr: [u8; 8],
        /// Valid length of `addr`.
        addr_len: u8,
        /// Protocol (an ethertype for Ethernet-like devices).
        protocol: u16,
        /// Interface index (v2 only).
        if_index: Option<u32>,
        /// Bytes of the header.
        range: Range<usize>,
    },
    /// BSD (`LINKTYPE_NULL`) or OpenBSD (`LINKTYPE_LOOP`) loopback: an address family.
    Loopback {
        /// Address family (2 = IPv4; 24, 28 or 30 = IPv6 on BSDs; 10 on Linux).
        family: u32,
        /// Bytes of the header.
        range: Range<usize>,
    },
    /// A link type this tool does not decode.
    Unsupported(LinkType),
}

impl LinkRepr {
    /// The Ethernet addresses (source, destination), if any.
    pub fn macs(&self) -> Option<([u8; 6], [u8; 6])> {
        match self {
            LinkRepr::Ethernet { header, .. } => Some((header.src, header.dst)),
            _ => None,
        }
    }
}

/// Reads the link header and slices the rest. Returns `None` when nothing past the link
/// header can be decoded (the reason is recorded in `out`).
pub(super) fn slice<'a>(
    link_type: LinkType,
    data: &'a [u8],
    out: &mut Decoded,
) -> Option<LaxSlicedPacket<'a>> {
    match link_type {
        LinkType::ETHERNET => match LaxSlicedPacket::from_ethernet(data) {
            Ok(sliced) => {
                if let Some(etherparse::LinkSlice::Ethernet2(eth)) = &sliced.link {
                    out.link = LinkRepr::Ethernet {
                        header: EthernetRepr {
                            dst: eth.destination(),
                            src: eth.source(),
                            ethertype: eth.ether_type().0,
                        },
                        range: 0..14,
                    };
                }
                Some(sliced)
            }
            Err(e) => {
                out.malformed = Some(format!("Ethernet: {e}"));
                None
            }
        },
        LinkType::LINUX_SLL => {
            // Read by hand: etherparse's SLL slicer refuses hardware types it does not know,
            // such as 772 (loopback), which is what `tcpdump -i any` records for `lo`.
            let Some(h) = data.get(..16) else {
                out.malformed = Some(format!(
                    "Linux cooked capture v1: header needs 16 bytes, frame has {}",
                    data.len()
                ));
                return None;
            };
            let be16 = |i: usize| u16::from_be_bytes([h[i], h[i + 1]]);
            let protocol = be16(14);
            let mut addr = [0u8; 8];
            addr.copy_from_slice(&h[6..14]);
            out.link = LinkRepr::Sll {
                version: 1,
                packet_type: be16(0),
                hw_type: be16(2),
                addr,
                addr_len: be16(4).min(8) as u8,
                protocol,
                if_index: None,
                range: 0..16,
            };
            let rest = data.get(16..).unwrap_or(&[]);
            Some(LaxSlicedPacket::from_ether_type(EtherType(protocol), rest))
        }
        LinkType::LINUX_SLL2 => {
            let Some(h) = data.get(..20) else {
                out.malformed = Some(format!(
                    "Linux cooked capture v2: header needs 20 bytes, frame has {}",
                    data.len()
                ));
                return None;
            };
            let be16 = |i: usize| u16::from_be_bytes([h[i], h[i + 1]]);
            let protocol = be16(0);
            let mut addr = [0u8; 8];
            addr.copy_from_slice(&h[12..20]);
            out.link = LinkRepr::Sll {
                version: 2,
                packet_type: u16::from(h[10]),
                hw_type: be16(8),
                addr,
                addr_len: h[11].min(8),
                protocol,
                if_index: Some(u32::from_be_bytes([h[4], h[5], h[6], h[7]])),
                range: 0..20,
            };
            let rest = data.get(20..).unwrap_or(&[]);
            Some(LaxSlicedPacket::from_ether_type(EtherType(protocol), rest))
        }
        LinkType::NULL | LinkType::LOOP => {
            let Some(h) = data.get(..4) else {
                out.malformed = Some(format!(
                    "loopback header needs 4 bytes, frame has {}",
                    data.len()
                ));
                return None;
            };
            let raw = [h[0], h[1], h[2], h[3]];
            // NULL is in the writer's byte order: accept either, as Wireshark does.
            let family = if link_type == LinkType::LOOP {
                u32::from_be_bytes(raw)
            } else {
                let le = u32::from_le_bytes(raw);
                if le <= 0xffff {
                    le
                } else {
                    u32::from_be_bytes(raw)
                }
            };
            out.link = LinkRepr::Loopback {
                family,
                range: 0..4,
            };
            let rest = data.get(4..).unwrap_or(&[]);
            let ether_type = match family {
                2 => EtherType::IPV4,
                10 | 24 | 28 | 30 => EtherType::IPV6,
                _ => {
                    out.malformed = Some(format!("loopback: unknown address family {family}"));
                    return None;
                }
            };
            Some(LaxSlicedPacket::from_ether_type(ether_type, rest))
        }
        LinkType::RAW | LinkType::IPV4 | LinkType::IPV6 => match LaxSlicedPacket::from_ip(data) {
            Ok(sliced) => Some(sliced),
            Err(e) => {
                out.malformed = Some(format!("IP: {e}"));
                None
            }
        },
        other => {
            out.link = LinkRepr::Unsupported(other);
            None
        }
    }
}

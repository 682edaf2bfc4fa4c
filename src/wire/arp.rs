//! ARP packets (RFC 826): read from etherparse's slice for any hardware and protocol, written
//! with pnet's `MutableArpPacket` for Ethernet and IPv4 (requests, replies and RFC 5227
//! probes, a request with sender address 0.0.0.0).

use std::net::Ipv4Addr;
use std::ops::Range;

use etherparse::EtherType;
use pnet::packet::arp::{ArpHardwareTypes, ArpOperation, MutableArpPacket};
use pnet::packet::ethernet::EtherTypes;

use super::ethernet::mac_addr;
use super::{BuildError, need, range_in};

/// Length of an ARP packet for Ethernet and IPv4.
pub const LEN: usize = 28;
/// Operation code of a request.
pub const REQUEST: u16 = 1;
/// Operation code of a reply.
pub const REPLY: u16 = 2;

/// An ARP packet (Ethernet/IPv4 addresses; others keep their raw sizes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpRepr {
    /// Hardware type (1 = Ethernet).
    pub hw_type: u16,
    /// Protocol type (0x0800 = IPv4).
    pub proto_type: u16,
    /// Hardware address size.
    pub hw_size: u8,
    /// Protocol address size.
    pub proto_size: u8,
    /// Operation (1 request, 2 reply).
    pub op: u16,
    /// Sender hardware address (first 6 bytes when longer).
    pub sender_mac: [u8; 6],
    /// Sender protocol address (IPv4 when 4 bytes).
    pub sender_ip: Ipv4Addr,
    /// Target hardware address.
    pub target_mac: [u8; 6],
    /// Target protocol address.
    pub target_ip: Ipv4Addr,
    /// True when hardware is Ethernet and protocol is IPv4 (the only case shown in detail).
    pub eth_ipv4: bool,
    /// Bytes of the packet in the frame.
    pub range: Range<usize>,
}

impl ArpRepr {
    /// An Ethernet/IPv4 packet with these values (its range: the [`LEN`] bytes it takes).
    pub fn ethernet_ipv4(
        op: u16,
        sender_mac: [u8; 6],
        sender_ip: Ipv4Addr,
        target_mac: [u8; 6],
        target_ip: Ipv4Addr,
    ) -> Self {
        ArpRepr {
            hw_type: 1,
            proto_type: 0x0800,
            hw_size: 6,
            proto_size: 4,
            op,
            sender_mac,
            sender_ip,
            target_mac,
            target_ip,
            eth_ipv4: true,
            range: 0..LEN,
        }
    }

    /// Reads an ARP packet sliced by etherparse out of `data` (the frame).
    pub fn from_slice(data: &[u8], arp: &etherparse::ArpPacketSlice<'_>) -> ArpRepr {
        let mac = |b: &[u8]| -> [u8; 6] {
            let mut m = [0u8; 6];
            for (d, s) in m.iter_mut().zip(b) {
                *d = *s;
            }
            m
        };
        let ip = |b: &[u8]| -> Ipv4Addr {
            match b {
                [a, b, c, d] => Ipv4Addr::new(*a, *b, *c, *d),
                _ => Ipv4Addr::UNSPECIFIED,
            }
        };
        let hw_size = arp.hw_addr_size();
        let proto_size = arp.proto_addr_size();
        ArpRepr {
            hw_type: arp.hw_addr_type().0,
            proto_type: arp.proto_addr_type().0,
            hw_size,
            proto_size,
            op: arp.operation().0,
            sender_mac: mac(arp.sender_hw_addr()),
            sender_ip: ip(arp.sender_protocol_addr()),
            target_mac: mac(arp.target_hw_addr()),
            target_ip: ip(arp.target_protocol_addr()),
            eth_ipv4: hw_size == 6 && proto_size == 4 && arp.proto_addr_type() == EtherType::IPV4,
            range: range_in(data, arp.slice()),
        }
    }

    /// "Who has `target`? Tell `ip`": a request from `mac`/`ip`.
    pub fn request(mac: [u8; 6], ip: Ipv4Addr, target: Ipv4Addr) -> Self {
        ArpRepr::ethernet_ipv4(REQUEST, mac, ip, [0; 6], target)
    }

    /// An RFC 5227 probe for `candidate`: a request whose sender address is 0.0.0.0, so that
    /// no neighbour learns anything from it; a reply means the address is taken.
    pub fn probe(mac: [u8; 6], candidate: Ipv4Addr) -> Self {
        ArpRepr::request(mac, Ipv4Addr::UNSPECIFIED, candidate)
    }

    /// "`ip` is at `mac`": the reply to `request`.
    pub fn reply_to(request: &ArpRepr, mac: [u8; 6], ip: Ipv4Addr) -> Self {
        ArpRepr::ethernet_ipv4(REPLY, mac, ip, request.sender_mac, request.sender_ip)
    }

    /// Writes the packet (Ethernet hardware, IPv4 protocol addresses, whatever the size
    /// fields say) into the first [`LEN`] bytes of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), BuildError> {
        need("ARP", buf, LEN)?;
        let Some(mut arp) = MutableArpPacket::new(&mut buf[..LEN]) else {
            return Err(BuildError::BufferTooShort {
                layer: "ARP",
                need: LEN,
                have: buf.len(),
            });
        };
        arp.set_hardware_type(ArpHardwareTypes::Ethernet);
        arp.set_protocol_type(EtherTypes::Ipv4);
        arp.set_hw_addr_len(6);
        arp.set_proto_addr_len(4);
        arp.set_operation(ArpOperation(self.op));
        arp.set_sender_hw_addr(mac_addr(self.sender_mac));
        arp.set_sender_proto_addr(self.sender_ip);
        arp.set_target_hw_addr(mac_addr(self.target_mac));
        arp.set_target_proto_addr(self.target_ip);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bytes_match_rfc_826_layout() {
        let mut buf = [0u8; LEN];
        ArpRepr::request(
            [2, 0, 0, 0, 3, 2],
            Ipv4Addr::new(10, 0, 3, 2),
            Ipv4Addr::new(10, 0, 3, 1),
        )
        .emit(&mut buf)
        .unwrap();
        // htype 1, ptype 0x0800, hlen 6, plen 4, op 1, sender MAC/IP, target MAC 0, target IP.
        assert_eq!(
            buf,
            [
                0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 3, 2, 10, 0, 3, 2, 0, 0, 0, 0, 0, 0, 10, 0, 3,
                1
            ]
        );
    }

    #[test]
    fn a_reply_answers_the_sender_of_the_request() {
        let req = ArpRepr::request(
            [2; 6],
            Ipv4Addr::new(10, 0, 3, 1),
            Ipv4Addr::new(10, 0, 3, 9),
        );
        let rep = ArpRepr::reply_to(&req, [4; 6], Ipv4Addr::new(10, 0, 3, 9));
        assert_eq!(rep.op, REPLY);
        assert_eq!((rep.target_mac, rep.target_ip), ([2; 6], req.sender_ip));
        assert_eq!(
            ArpRepr::probe([4; 6], Ipv4Addr::new(10, 0, 3, 9)).sender_ip,
            Ipv4Addr::UNSPECIFIED
        );
        assert!(rep.emit(&mut [0u8; LEN - 1]).is_err());
    }
}

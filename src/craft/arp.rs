//! ARP packets for Ethernet and IPv4 (RFC 826), written with pnet's `MutableArpPacket`:
//! requests, replies and RFC 5227 probes (a request with sender address 0.0.0.0).

use std::net::Ipv4Addr;

use pnet::packet::arp::{ArpHardwareTypes, ArpOperation, MutableArpPacket};
use pnet::packet::ethernet::EtherTypes;

use super::ethernet::mac_addr;
use super::{BuildError, need};

/// Length of an ARP packet for Ethernet and IPv4.
pub const LEN: usize = 28;
/// Operation code of a request.
pub const REQUEST: u16 = 1;
/// Operation code of a reply.
pub const REPLY: u16 = 2;

/// The values of an ARP packet (Ethernet hardware, IPv4 protocol addresses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpRepr {
    /// 1 request, 2 reply.
    pub op: u16,
    /// Sender hardware address.
    pub sender_mac: [u8; 6],
    /// Sender protocol address (0.0.0.0 in a probe).
    pub sender_ip: Ipv4Addr,
    /// Target hardware address (zero in a request).
    pub target_mac: [u8; 6],
    /// Target protocol address.
    pub target_ip: Ipv4Addr,
}

impl ArpRepr {
    /// "Who has `target`? Tell `ip`": a request from `mac`/`ip`.
    pub fn request(mac: [u8; 6], ip: Ipv4Addr, target: Ipv4Addr) -> Self {
        ArpRepr {
            op: REQUEST,
            sender_mac: mac,
            sender_ip: ip,
            target_mac: [0; 6],
            target_ip: target,
        }
    }

    /// An RFC 5227 probe for `candidate`: a request whose sender address is 0.0.0.0, so that
    /// no neighbour learns anything from it; a reply means the address is taken.
    pub fn probe(mac: [u8; 6], candidate: Ipv4Addr) -> Self {
        ArpRepr::request(mac, Ipv4Addr::UNSPECIFIED, candidate)
    }

    /// "`ip` is at `mac`": the reply to `request`.
    pub fn reply_to(request: &ArpRepr, mac: [u8; 6], ip: Ipv4Addr) -> Self {
        ArpRepr {
            op: REPLY,
            sender_mac: mac,
            sender_ip: ip,
            target_mac: request.sender_mac,
            target_ip: request.sender_ip,
        }
    }

    /// Writes the packet into the first [`LEN`] bytes of `buf`.
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

//! Checksum offload, completed: what a NIC does to a TCP or UDP segment before it goes on the
//! wire, and what the user-space switch must do for frames from a virtual computer.
//!
//! A Linux socket sending through a veth leaves the TCP/UDP checksum to "hardware"
//! (`CHECKSUM_PARTIAL`): the checksum field holds only the folded sum of the pseudo-header, and
//! the device was to add the segment's own sum. Between kernel devices that never matters, but
//! a frame read from a packet socket and written to another one is a new frame whose checksum
//! the receiver verifies — and drops. So on ingress the switch finds fields that hold exactly the
//! pseudo-header sum while the real checksum does not verify, and fills in the real one. Any
//! other checksum, right or wrong (a student's crafted bad checksum), is left as it came.
//!
//! Headers are read with the wire reprs ([`crate::wire`]) and summed with
//! [`crate::wire::checksum`].

use crate::wire::checksum::{self, Checksum};
use crate::wire::ethernet::{EthernetRepr, HEADER_LEN};
use crate::wire::ipv4::Ipv4Repr;
use crate::wire::ipv6::Ipv6Repr;

/// Where a TCP or UDP segment is in an Ethernet II frame carrying IPv4 or IPv6 (no extension
/// headers, not a fragment): the pseudo-header sum, the protocol, the segment's byte range
/// and the checksum field's offset in it.
fn locate(frame: &[u8]) -> Option<(Checksum, u8, std::ops::Range<usize>, usize)> {
    let eth = EthernetRepr::parse(frame).ok()?;
    let ip = frame.get(HEADER_LEN..)?;
    let (pseudo, proto, l4) = match eth.ethertype {
        0x0800 => {
            let ip = Ipv4Repr::parse(ip, HEADER_LEN).ok()?;
            let (ihl, total) = (usize::from(ip.header_len), usize::from(ip.total_len));
            if ip.is_fragment() || total < ihl {
                return None;
            }
            let l4_len = (total - ihl) as u16;
            let pseudo = Checksum::pseudo_ipv4(ip.src, ip.dst, ip.protocol, l4_len);
            (pseudo, ip.protocol, ip.range.end..HEADER_LEN + total)
        }
        0x86dd => {
            let ip = Ipv6Repr::parse(ip, HEADER_LEN).ok()?;
            let len = usize::from(ip.payload_len);
            let pseudo = Checksum::pseudo_ipv6(&ip.src, &ip.dst, ip.next_header, len as u32);
            (pseudo, ip.next_header, ip.range.end..ip.range.end + len)
        }
        _ => return None,
    };
    let (at, min) = match proto {
        6 => (16, 20),
        17 => (6, 8),
        _ => return None,
    };
    let seg = frame.get(l4.clone())?;
    (seg.len() >= min).then_some((pseudo, proto, l4, at))
}

/// Whether the TCP or UDP checksum of an Ethernet II frame is right (`None`: not TCP/UDP over
/// IP, cut short, or a UDP datagram without a checksum).
pub fn checksum_ok(frame: &[u8]) -> Option<bool> {
    let (pseudo, proto, l4, at) = locate(frame)?;
    let seg = frame.get(l4)?;
    if proto == 17 && seg[at] == 0 && seg[at + 1] == 0 {
        return None;
    }
    Some(pseudo.add_bytes(seg).verifies())
}

/// Whether the IPv4 header checksum of an Ethernet II frame is right (`None`: not IPv4).
pub fn ipv4_header_ok(frame: &[u8]) -> Option<bool> {
    if EthernetRepr::parse(frame).ok()?.ethertype != 0x0800 {
        return None;
    }
    let ip = Ipv4Repr::parse(frame.get(HEADER_LEN..)?, HEADER_LEN).ok()?;
    Some(checksum::verifies(frame.get(ip.range)?))
}

/// Completes an offloaded TCP or UDP checksum in an Ethernet II frame carrying IPv4 or IPv6
/// (no extension headers). Returns true when the frame was changed.
pub fn complete(frame: &mut [u8]) -> bool {
    let Some((pseudo, proto, l4, at)) = locate(frame) else {
        return false;
    };
    let Some(seg) = frame.get_mut(l4) else {
        return false;
    };
    let field = u16::from_be_bytes([seg[at], seg[at + 1]]);
    let partial = pseudo.folded();
    if field != partial || (proto == 17 && field == 0) {
        return false;
    }
    if pseudo.clone().add_bytes(seg).verifies() {
        return false; // already right
    }
    seg[at] = 0;
    seg[at + 1] = 0;
    let sum = pseudo.add_bytes(seg);
    let check = if proto == 17 {
        sum.value_udp()
    } else {
        sum.value()
    };
    seg[at..at + 2].copy_from_slice(&check.to_be_bytes());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{PacketBuilder, SlicedPacket, TransportSlice};

    fn tcp_v4(payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 3, 2], [2, 0, 0, 0, 3, 1])
            .ipv4([10, 0, 3, 2], [10, 0, 3, 1], 64)
            .tcp(40000, 8080, 1000, 64240)
            .ack(1);
        let mut out = Vec::new();
        b.write(&mut out, payload).unwrap();
        out
    }

    fn udp_v6(payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 3, 2], [2, 0, 0, 0, 3, 1])
            .ipv6([0xfd; 16], [0xfe; 16], 64)
            .udp(5000, 8080);
        let mut out = Vec::new();
        b.write(&mut out, payload).unwrap();
        out
    }

    /// What the sending kernel writes with offload: the pseudo-header sum, not complemented.
    fn make_partial(frame: &mut [u8], at: usize, pseudo: Checksum) {
        frame[at..at + 2].copy_from_slice(&pseudo.folded().to_be_bytes());
    }

    fn checksum_ok(frame: &[u8]) -> bool {
        let p = SlicedPacket::from_ethernet(frame).unwrap();
        match (p.net.unwrap(), p.transport.unwrap()) {
            (etherparse::NetSlice::Ipv4(ip), TransportSlice::Tcp(t)) => {
                t.calc_checksum_ipv4(ip.header().source(), ip.header().destination())
                    .unwrap()
                    == t.checksum()
            }
            (etherparse::NetSlice::Ipv6(ip), TransportSlice::Udp(u)) => {
                let h = etherparse::UdpHeader::from_slice(u.slice()).unwrap().0;
                h.calc_checksum_ipv6_raw(
                    ip.header().source(),
                    ip.header().destination(),
                    u.payload(),
                )
                .unwrap()
                    == u.checksum()
            }
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_partial_tcp_checksum_is_completed_to_what_etherparse_computes() {
        let good = tcp_v4(b"Hai from client");
        let mut f = good.clone();
        // Pseudo-header: src, dst, zero+proto, TCP length.
        let acc = Checksum::new()
            .add_bytes(&f[26..34])
            .add_bytes(&[0, 6])
            .add_bytes(&((f.len() - 34) as u16).to_be_bytes());
        make_partial(&mut f, 34 + 16, acc);
        assert!(!checksum_ok(&f));
        assert!(complete(&mut f));
        assert_eq!(f, good);
        assert!(checksum_ok(&f));
        assert_eq!(super::checksum_ok(&f), Some(true));
        assert_eq!(ipv4_header_ok(&f), Some(true));
        // Completing again changes nothing.
        assert!(!complete(&mut f));
    }

    #[test]
    fn a_partial_udp_over_ipv6_checksum_is_completed() {
        let good = udp_v6(b"datagram");
        let mut f = good.clone();
        let acc = Checksum::new()
            .add_bytes(&f[22..54])
            .add_bytes(&((f.len() - 54) as u32).to_be_bytes())
            .add_bytes(&[0, 0, 0, 17]);
        make_partial(&mut f, 54 + 6, acc);
        assert!(complete(&mut f));
        assert_eq!(f, good);
        assert!(checksum_ok(&f));
    }

    #[test]
    fn wrong_checksums_that_are_not_partial_and_other_frames_are_left_alone() {
        let mut bad = tcp_v4(b"bad on purpose");
        bad[34 + 16] ^= 0x5a;
        let before = bad.clone();
        assert_eq!(super::checksum_ok(&bad), Some(false));
        assert!(!complete(&mut bad));
        assert_eq!(bad, before);
        let mut arp = vec![0xff; 42];
        arp[12..14].copy_from_slice(&[0x08, 0x06]);
        assert!(!complete(&mut arp));
        for cut in 0..tcp_v4(b"x").len() {
            let mut short = tcp_v4(b"x");
            short.truncate(cut);
            complete(&mut short); // never panics
        }
    }
}

//! Verifying the Internet checksums of RFC 1071 ([`crate::wire::checksum`]) on decoded frames: the IPv4 header checksum
//! and the TCP checksum over the IPv4 pseudo-header (RFC 9293 3.1).
//!
//! Only views that explain a frame ask for these (the stack demo, `wirelab stack`): frames
//! from the local kernel on veth often carry an unfinished checksum that the (virtual) card
//! would have completed, so nothing is ever dropped or flagged malformed because of them.

use super::{Decoded, NetRepr, TransportRepr};
use crate::wire::checksum::{self, Checksum};

/// True when the IPv4 header checksum of the frame is right; `None` without a whole IPv4
/// header.
pub fn ipv4_header_ok(frame: &[u8], d: &Decoded) -> Option<bool> {
    let NetRepr::Ipv4(ip) = &d.net else {
        return None;
    };
    let header = frame.get(ip.range.clone())?;
    Some(checksum::verifies(header))
}

/// True when the TCP checksum over the pseudo-header and the whole segment is right; `None`
/// when the frame does not hold a whole TCP segment in IPv4 (cut short, or not TCP).
pub fn tcp_ipv4_ok(frame: &[u8], d: &Decoded) -> Option<bool> {
    let (NetRepr::Ipv4(ip), TransportRepr::Tcp(t)) = (&d.net, &d.transport) else {
        return None;
    };
    if d.reassembled.is_some() {
        return None;
    }
    let seg_len = usize::from(ip.total_len).checked_sub(usize::from(ip.header_len))?;
    let segment = frame.get(t.range.start..t.range.start.checked_add(seg_len)?)?;
    let len = u16::try_from(seg_len).ok()?;
    Some(
        Checksum::pseudo_ipv4(ip.src, ip.dst, 6, len)
            .add_bytes(segment)
            .verifies(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Reassembler, decode};
    use crate::frame::LinkType;

    /// A frame built by etherparse (not by this crate's builder), checksums filled in.
    fn frame() -> Vec<u8> {
        let b = etherparse::PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([10, 0, 3, 2], [10, 0, 3, 1], 64)
            .tcp(40000, 8080, 1234, 512)
            .ack(99);
        let mut out = Vec::new();
        b.write(&mut out, b"odd").unwrap();
        out
    }

    #[test]
    fn good_checksums_verify_and_any_flipped_bit_fails() {
        let f = frame();
        let d = decode(1, LinkType::ETHERNET, &f, &mut Reassembler::new());
        assert_eq!(ipv4_header_ok(&f, &d), Some(true));
        assert_eq!(tcp_ipv4_ok(&f, &d), Some(true));
        let mut bad = f.clone();
        *bad.last_mut().unwrap() ^= 1;
        let d = decode(1, LinkType::ETHERNET, &bad, &mut Reassembler::new());
        assert_eq!(tcp_ipv4_ok(&bad, &d), Some(false));
        let mut bad = f.clone();
        bad[22] ^= 1; // TTL
        let d = decode(1, LinkType::ETHERNET, &bad, &mut Reassembler::new());
        assert_eq!(ipv4_header_ok(&bad, &d), Some(false));
        // Cut short: not checkable.
        let cut = &f[..f.len() - 1];
        let d = decode(1, LinkType::ETHERNET, cut, &mut Reassembler::new());
        assert_eq!(tcp_ipv4_ok(cut, &d), None);
    }
}

//! The Protocol and Info columns, worded as tshark 4.0 words them.
//!
//! The TCP formats are written down in `docs/src/reference/tcp-rules.md` (in the repository); each
//! function here names the case it reproduces.

use std::fmt::Write as _;
use std::net::Ipv6Addr;

use crate::wire::tcp_options::{self, TcpOption};

use super::arp::ArpNote;
use super::tcp::TcpAnalysis;
use super::{Packet, Protocol, mac};
use crate::decode::names::{
    icmp_code_name, icmp_type_name, icmpv6_code_name, icmpv6_type_name, ip_proto_name,
    tcp_flag_names,
};
use crate::decode::{
    ArpRepr, Decoded, IcmpRepr, NetRepr, TcpRepr, TransportRepr, UdpRepr, tcp_flags,
};

/// Writes `p.info` for an analysed packet and returns its Protocol column.
pub(super) fn write_info(
    p: &mut Packet,
    frame: &[u8],
    echo_request: Option<u64>,
    arp_note: Option<&ArpNote>,
) -> Protocol {
    let Packet {
        decoded, tcp, info, ..
    } = p;
    write_layers(decoded, tcp.as_ref(), frame, echo_request, arp_note, info)
}

/// Appends the malformed-frame note to `p.info`, after every layer has written its part.
pub(super) fn append_malformed(p: &mut Packet) {
    if let Some(reason) = &p.decoded.malformed {
        if !p.info.is_empty() {
            p.info.push(' ');
        }
        let _ = write!(p.info, "[Malformed: {reason}]");
    }
}

fn write_layers(
    d: &Decoded,
    tcp: Option<&TcpAnalysis>,
    frame: &[u8],
    echo_request: Option<u64>,
    arp_note: Option<&ArpNote>,
    info: &mut String,
) -> Protocol {
    let ttl = match &d.net {
        NetRepr::Ipv4(ip) => ip.ttl,
        NetRepr::Ipv6(ip) => ip.hop_limit,
        _ => 0,
    };
    match &d.transport {
        TransportRepr::Tcp(t) => {
            tcp_info(t, tcp, d.transport_bytes(frame), info);
            return Protocol::Tcp;
        }
        TransportRepr::Udp(u) => {
            udp_info(u, d, info);
            return Protocol::Udp;
        }
        TransportRepr::Icmpv4(i) => {
            icmp_info(i, ttl, echo_request, info);
            return Protocol::Icmp;
        }
        TransportRepr::Icmpv6(i) => {
            icmpv6_info(i, ttl, echo_request, d.transport_bytes(frame), info);
            return Protocol::Icmpv6;
        }
        TransportRepr::Other { protocol: 2, .. } => {
            info.push_str("Internet Group Management Protocol");
            return Protocol::Igmp;
        }
        TransportRepr::Other { .. } | TransportRepr::None => {}
    }
    if let Some(f) = &d.fragment {
        if let NetRepr::Ipv6(_) = &d.net {
            let _ = write!(
                info,
                "IPv6 fragment (off={} more={} ident=0x{:08x} nxt={})",
                f.offset,
                if f.more { "y" } else { "n" },
                f.id,
                f.protocol
            );
            return Protocol::Ipv6;
        }
        let _ = write!(
            info,
            "Fragmented IP protocol (proto={} {}, off={}, ID={:04x})",
            ip_proto_name(f.protocol),
            f.protocol,
            f.offset,
            f.id
        );
        return Protocol::Ipv4;
    }
    match &d.net {
        NetRepr::Arp(a) => {
            arp_info(a, arp_note, info);
            Protocol::Arp
        }
        NetRepr::Ipv4(ip) => {
            if let TransportRepr::Other { protocol, .. } = &d.transport {
                let _ = write!(
                    info,
                    "IP protocol {} ({protocol})",
                    ip_proto_name(*protocol)
                );
            }
            let _ = ip;
            Protocol::Ipv4
        }
        NetRepr::Ipv6(_) => {
            if let TransportRepr::Other { protocol, .. } = &d.transport {
                let _ = write!(
                    info,
                    "IPv6 next header {} ({protocol})",
                    ip_proto_name(*protocol)
                );
            }
            Protocol::Ipv6
        }
        NetRepr::Other { ethertype, .. } if *ethertype < 0x0600 => {
            let _ = write!(info, "IEEE 802.3 frame, length {ethertype}");
            Protocol::Llc
        }
        NetRepr::Other { ethertype, .. } => {
            let _ = write!(info, "Ethernet II, type 0x{ethertype:04x}");
            Protocol::Ethertype(*ethertype)
        }
        NetRepr::None => Protocol::Frame,
    }
}

/// `[labels]<sport> → <dport> [<flags>] Seq= Ack= Win= Urg= Len=<options>`.
fn tcp_info(t: &TcpRepr, a: Option<&TcpAnalysis>, bytes: &[u8], info: &mut String) {
    if let Some(a) = a {
        info.push_str(&a.labels());
    }
    push_num(info, "", t.src_port);
    push_num(info, " \u{2192} ", t.dst_port);
    // A header cut by the snapshot length shows what tshark shows: the ports alone below 16
    // bytes, no Len= below 20, options as far as they go; then its note.
    let captured = t.cut.map_or(usize::MAX, usize::from);
    if captured < usize::from(crate::decode::TCP_ANALYSED_FROM) {
        info.push_str(CUT_NOTE);
        return;
    }
    info.push_str(" [");
    tcp_flag_names(t.flags, info);
    info.push(']');
    let (seq, ack, win) = match a {
        Some(a) => (a.seq, a.ack, a.window),
        None => (t.seq, t.ack, u32::from(t.window)),
    };
    push_num(info, " Seq=", seq);
    if t.flags & tcp_flags::ACK != 0 {
        push_num(info, " Ack=", ack);
    }
    push_num(info, " Win=", win);
    if captured < 20 {
        info.push_str(CUT_NOTE);
        return;
    }
    if t.flags & tcp_flags::URG != 0 {
        let _ = write!(info, " Urg={}", t.urgent);
    }
    if let Some(len) = t.len {
        push_num(info, " Len=", len);
    }
    let ack_base = a.and_then(|a| a.ack_base).unwrap_or(0);
    let opts = bytes.get(t.options_range.clone()).unwrap_or(&[]);
    for (_, opt) in tcp_options::iter(opts) {
        match opt {
            Ok(TcpOption::Mss(m)) => push_num(info, " MSS=", m),
            Ok(TcpOption::SackPermitted) => info.push_str(" SACK_PERM"),
            Ok(TcpOption::Timestamps(v, e)) => {
                push_num(info, " TSval=", v);
                push_num(info, " TSecr=", e);
            }
            Ok(TcpOption::WindowScale(s)) => {
                let _ = write!(info, " WS={}", 1u32 << s.min(14));
            }
            Ok(TcpOption::Sack(blocks)) => {
                for (l, r) in blocks.as_slice() {
                    let _ = write!(
                        info,
                        " SLE={} SRE={}",
                        l.wrapping_sub(ack_base),
                        r.wrapping_sub(ack_base)
                    );
                }
            }
            Ok(TcpOption::Nop) => {}
            Err(_) => break,
        }
    }
    if t.cut.is_some() {
        info.push_str(CUT_NOTE);
    }
}

/// What tshark appends to Info when the capture ended inside a header.
const CUT_NOTE: &str = "[Packet size limited during capture]";

/// `<sport> → <dport> Len=<n>`.
fn udp_info(u: &UdpRepr, d: &Decoded, info: &mut String) {
    push_num(info, "", u.src_port);
    push_num(info, " \u{2192} ", u.dst_port);
    info.push(' ');
    let ip_payload = match (&d.reassembled, &d.net) {
        (Some(r), _) => Some(r.data.len()),
        (None, NetRepr::Ipv4(ip)) => {
            Some(usize::from(ip.total_len).saturating_sub(usize::from(ip.header_len)))
        }
        (None, NetRepr::Ipv6(ip)) => Some(usize::from(ip.payload_len).saturating_sub(ip.ext_len)),
        _ => None,
    };
    if u.length < 8 {
        let _ = write!(info, "[BAD UDP LENGTH {} < 8] ", u.length);
    } else if let Some(avail) = ip_payload
        && usize::from(u.length) > avail
    {
        let _ = write!(info, "[BAD UDP LENGTH {} > IP PAYLOAD LENGTH] ", u.length);
    }
    push_num(info, "Len=", u.length.saturating_sub(8));
}

/// Appends `label` and `n` in decimal, without the formatting machinery (the packet list's
/// hot path: most of a TCP row's Info is numbers).
fn push_num(info: &mut String, label: &str, n: impl itoa::Integer) {
    info.push_str(label);
    info.push_str(itoa::Buffer::new().format(n));
}

/// `%-20s (<code>)` plus `id=0x%04x, seq=<BE>/<LE>, ttl=` for echo-like messages.
fn icmp_info(i: &IcmpRepr, ttl: u8, request_in: Option<u64>, info: &mut String) {
    let _ = write!(info, "{:<20}", icmp_type_name(i.icmp_type));
    if let Some(code) = icmp_code_name(i.icmp_type, i.code) {
        let _ = write!(info, " ({code})");
    }
    if matches!(i.icmp_type, 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18) {
        let seq = i.echo_seq();
        let _ = write!(
            info,
            " id=0x{:04x}, seq={}/{}, ttl={}",
            i.echo_id(),
            seq,
            seq.swap_bytes(),
            ttl
        );
        if let Some(n) = request_in {
            let _ = write!(info, " (request in {n})");
        }
    }
    // Wireshark trims the padding when nothing follows.
    let trimmed = info.trim_end().len();
    info.truncate(trimmed);
}

/// Finds an NDP option (1 = source, 2 = target link-layer address) in `opts`.
fn ndp_lladdr(mut opts: &[u8], kind: u8) -> Option<[u8; 6]> {
    for _ in 0..32 {
        let (&t, rest) = opts.split_first()?;
        let len = usize::from(*rest.first()?) * 8;
        if len == 0 {
            return None;
        }
        if t == kind && len >= 8 {
            let mut m = [0u8; 6];
            m.copy_from_slice(opts.get(2..8)?);
            return Some(m);
        }
        opts = opts.get(len..)?;
    }
    None
}

fn icmpv6_info(i: &IcmpRepr, hlim: u8, request_in: Option<u64>, bytes: &[u8], info: &mut String) {
    info.push_str(icmpv6_type_name(i.icmp_type));
    if let Some(code) = icmpv6_code_name(i.icmp_type, i.code) {
        let _ = write!(info, " ({code})");
    }
    let msg = bytes.get(i.range.clone()).unwrap_or(&[]);
    let target = || -> Option<Ipv6Addr> {
        let b: [u8; 16] = msg.get(8..24)?.try_into().ok()?;
        Some(Ipv6Addr::from(b))
    };
    match i.icmp_type {
        128 | 129 => {
            let _ = write!(
                info,
                " id=0x{:04x}, seq={}, hop limit={}",
                i.echo_id(),
                i.echo_seq(),
                hlim
            );
            if let Some(n) = request_in {
                let _ = write!(info, " (request in {n})");
            }
        }
        133 => {
            if let Some(m) = msg.get(8..).and_then(|o| ndp_lladdr(o, 1)) {
                let _ = write!(info, " from {}", mac(&m));
            }
        }
        134 => {
            if let Some(m) = msg.get(16..).and_then(|o| ndp_lladdr(o, 1)) {
                let _ = write!(info, " from {}", mac(&m));
            }
        }
        135 => {
            if let Some(t) = target() {
                let _ = write!(info, " for {t}");
            }
            if let Some(m) = msg.get(24..).and_then(|o| ndp_lladdr(o, 1)) {
                let _ = write!(info, " from {}", mac(&m));
            }
        }
        136 => {
            if let Some(t) = target() {
                let _ = write!(info, " {t}");
            }
            let flags = i.rest[0];
            let mut names = Vec::with_capacity(3);
            if flags & 0x80 != 0 {
                names.push("rtr");
            }
            if flags & 0x40 != 0 {
                names.push("sol");
            }
            if flags & 0x20 != 0 {
                names.push("ovr");
            }
            let _ = write!(
                info,
                " ({})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            );
            if let Some(m) = msg.get(24..).and_then(|o| ndp_lladdr(o, 2)) {
                let _ = write!(info, " is at {}", mac(&m));
            }
        }
        _ => {}
    }
}

/// ARP Info as tshark words it: who-has, is-at, announcements, gratuitous, probes, duplicates.
fn arp_info(a: &ArpRepr, note: Option<&ArpNote>, info: &mut String) {
    if !a.eth_ipv4 {
        let _ = write!(info, "ARP opcode {} (hardware type {})", a.op, a.hw_type);
        return;
    }
    let zero_mac = a.target_mac == [0; 6];
    match a.op {
        1 => {
            if a.sender_ip == a.target_ip && zero_mac {
                let _ = write!(info, "ARP Announcement for {}", a.sender_ip);
            } else if a.sender_ip == a.target_ip {
                let _ = write!(info, "Gratuitous ARP for {} (Request)", a.sender_ip);
            } else if a.sender_ip.is_unspecified() && zero_mac {
                let _ = write!(info, "Who has {}? (ARP Probe)", a.target_ip);
            } else {
                let _ = write!(info, "Who has {}? Tell {}", a.target_ip, a.sender_ip);
            }
        }
        2 => {
            if a.sender_ip == a.target_ip {
                let _ = write!(info, "Gratuitous ARP for {} (Reply)", a.sender_ip);
            } else {
                let _ = write!(info, "{} is at {}", a.sender_ip, mac(&a.sender_mac));
            }
        }
        3 => info.push_str("RARP request"),
        4 => info.push_str("RARP reply"),
        op => {
            let _ = write!(info, "Unknown ARP opcode 0x{op:04x}");
        }
    }
    if let Some(n) = note {
        let _ = write!(info, " (duplicate use of {} detected!)", n.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_names_in_bit_order() {
        let mut s = String::new();
        tcp_flag_names(tcp_flags::SYN | tcp_flags::ACK, &mut s);
        assert_eq!(s, "SYN, ACK");
        s.clear();
        tcp_flag_names(tcp_flags::FIN | tcp_flags::PSH | tcp_flags::ACK, &mut s);
        assert_eq!(s, "FIN, PSH, ACK");
        s.clear();
        tcp_flag_names(tcp_flags::SYN | tcp_flags::ECE | tcp_flags::CWR, &mut s);
        assert_eq!(s, "SYN, ECE, CWR");
        s.clear();
        tcp_flag_names(0, &mut s);
        assert_eq!(s, "<None>");
    }

    #[test]
    fn icmp_padding_matches_tshark() {
        let mut i = IcmpRepr {
            icmp_type: 8,
            code: 0,
            checksum: 0,
            rest: [0x12, 0x34, 0, 1],
            quoted: None,
            range: 0..8,
            body: 8..8,
        };
        let mut s = String::new();
        icmp_info(&i, 64, None, &mut s);
        assert_eq!(s, "Echo (ping) request  id=0x1234, seq=1/256, ttl=64");
        i.icmp_type = 0;
        s.clear();
        icmp_info(&i, 63, Some(8), &mut s);
        assert_eq!(
            s,
            "Echo (ping) reply    id=0x1234, seq=1/256, ttl=63 (request in 8)"
        );
        i.icmp_type = 3;
        i.code = 3;
        s.clear();
        icmp_info(&i, 64, None, &mut s);
        assert_eq!(s, "Destination unreachable (Port unreachable)");
    }
}

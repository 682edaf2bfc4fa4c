//! Decoder unit tests: a hand-checked frame, round trips through etherparse's builder, and
//! every truncation of a frame (never a panic, always a reason).

use super::*;
use etherparse::PacketBuilder;
use std::net::Ipv4Addr;

/// A SYN from 10.0.3.2:56158 to 10.0.3.1:10000, MSS 1460, SACK_PERM, TS, NOP, WS 7, as
/// Linux sends it (74 bytes). Fields checked by hand against RFC 791/793 layouts.
const SYN: [u8; 74] = [
    // Ethernet: dst 02:00:00:00:00:01, src 02:00:00:00:00:02, type IPv4
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
    // IPv4: ver 4 ihl 5, tos 0, total 60, id 0x1c46, DF, ttl 64, proto 6, csum, src, dst
    0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x06, 0x60, 0x0a, 0x00, 0x03, 0x02,
    0x0a, 0x00, 0x03, 0x01,
    // TCP: sport 56158 (0xdb5e), dport 10000 (0x2710), seq 3411723425, ack 0
    0xdb, 0x5e, 0x27, 0x10, 0xcb, 0x5a, 0xc4, 0xa1, 0x00, 0x00, 0x00, 0x00,
    // data offset 10 (40 bytes), flags SYN, window 64240, csum, urg 0
    0xa0, 0x02, 0xfa, 0xf0, 0x12, 0x34, 0x00, 0x00,
    // options: MSS 1460, SACK_PERM, TS 1/0, NOP, WS 7
    0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x03, 0x03, 0x07,
];

#[test]
fn hand_checked_syn() {
    let mut r = Reassembler::new();
    let d = decode(1, LinkType::ETHERNET, &SYN, &mut r);
    assert_eq!(d.malformed, None);
    assert_eq!(
        d.link,
        LinkRepr::Ethernet {
            header: EthernetRepr {
                dst: [2, 0, 0, 0, 0, 1],
                src: [2, 0, 0, 0, 0, 2],
                ethertype: 0x0800,
            },
            range: 0..14
        }
    );
    let NetRepr::Ipv4(ip) = &d.net else {
        panic!("not IPv4: {:?}", d.net)
    };
    assert_eq!(ip.src, Ipv4Addr::new(10, 0, 3, 2));
    assert_eq!(ip.dst, Ipv4Addr::new(10, 0, 3, 1));
    assert_eq!(
        (ip.total_len, ip.id, ip.ttl, ip.protocol),
        (60, 0x1c46, 64, 6)
    );
    assert!(ip.dont_fragment && !ip.is_fragment());
    assert_eq!(ip.range, 14..34);
    let TransportRepr::Tcp(t) = &d.transport else {
        panic!("not TCP")
    };
    assert_eq!((t.src_port, t.dst_port), (56158, 10000));
    assert_eq!(t.seq, 3_411_723_425);
    assert_eq!(t.flags, tcp_flags::SYN);
    assert_eq!(t.window, 64240);
    assert_eq!(t.header_len, 40);
    assert_eq!(t.mss(), Some(1460));
    assert_eq!(t.window_scale(), Some(7));
    assert_eq!(t.len, Some(0));
    assert_eq!(t.range, 34..74);
    assert_eq!(t.options_range, 54..74);
}

#[test]
fn every_truncation_decodes_what_it_can() {
    for cut in 0..SYN.len() {
        let mut r = Reassembler::new();
        let d = decode(1, LinkType::ETHERNET, &SYN[..cut], &mut r);
        assert!(d.malformed.is_some(), "cut at {cut} not marked malformed");
        if cut >= 14 {
            assert!(matches!(d.link, LinkRepr::Ethernet { .. }), "cut {cut}");
        }
        if cut >= 34 {
            assert!(matches!(d.net, NetRepr::Ipv4(_)), "cut {cut}");
        }
    }
}

fn udp_frame(payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1])
        .ipv4([10, 0, 3, 2], [10, 0, 3, 1], 64)
        .udp(40000, 9999);
    let mut v = Vec::new();
    b.write(&mut v, payload).unwrap();
    v
}

#[test]
fn udp_round_trip_and_padding_excluded() {
    let mut f = udp_frame(b"hi");
    f.extend_from_slice(&[0; 16]); // Ethernet padding after the IP datagram
    let d = decode(1, LinkType::ETHERNET, &f, &mut Reassembler::new());
    let TransportRepr::Udp(u) = &d.transport else {
        panic!("not UDP")
    };
    assert_eq!((u.src_port, u.dst_port, u.length), (40000, 9999, 10));
    assert_eq!(d.app_payload(&f), b"hi");
    assert_eq!(d.malformed, None);
}

#[test]
fn vlan_tags_and_arp() {
    let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 2], [0xff; 6])
        .single_vlan(etherparse::VlanId::try_new(10).unwrap())
        .ipv4([10, 0, 3, 2], [10, 0, 3, 1], 64)
        .udp(1, 2);
    let mut v = Vec::new();
    b.write(&mut v, &[]).unwrap();
    let d = decode(1, LinkType::ETHERNET, &v, &mut Reassembler::new());
    assert_eq!(d.vlans.len(), 1);
    assert_eq!(d.vlans[0].id, 10);
    assert_eq!(d.vlans[0].range, 14..18);
    assert!(matches!(d.transport, TransportRepr::Udp(_)));
}

#[test]
fn sll2_and_loopback_links() {
    let ip = &udp_frame(b"x")[14..];
    let mut sll2 = vec![
        0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6, 2, 0, 0, 0, 0, 2, 0, 0,
    ];
    sll2.extend_from_slice(ip);
    let d = decode(1, LinkType::LINUX_SLL2, &sll2, &mut Reassembler::new());
    assert!(matches!(
        d.link,
        LinkRepr::Sll {
            version: 2,
            packet_type: 4,
            ..
        }
    ));
    assert!(matches!(d.transport, TransportRepr::Udp(_)));

    let mut null = 2u32.to_le_bytes().to_vec();
    null.extend_from_slice(ip);
    let d = decode(1, LinkType::NULL, &null, &mut Reassembler::new());
    assert!(matches!(d.link, LinkRepr::Loopback { family: 2, .. }));
    assert!(matches!(d.transport, TransportRepr::Udp(_)));

    let d = decode(1, LinkType::RAW, ip, &mut Reassembler::new());
    assert!(matches!(d.transport, TransportRepr::Udp(_)));
}

/// Found by the decode_frame fuzz target: an IPv4 fragment whose total length is smaller
/// than its header gave the fragment layer a range ending before it starts.
#[test]
fn regression_fragment_with_total_length_below_header() {
    let mut f = SYN[..34].to_vec();
    f[16..18].copy_from_slice(&10u16.to_be_bytes()); // total length 10 < 20
    f[20] = 0x20; // MF set: a fragment
    f.extend_from_slice(&[0; 8]);
    let mut r = Reassembler::new();
    let d = decode(1, LinkType::ETHERNET, &f, &mut r);
    for l in detail::layers(&d, &f, &detail::DetailContext::default()) {
        assert!(
            l.range.start <= l.range.end && l.range.end <= f.len(),
            "{}",
            l.title
        );
    }
}

/// Every byte range of the detail tree of `f` lies inside `f` (the decode_frame fuzz
/// target's invariant).
fn assert_detail_in_frame(f: &[u8], link: LinkType, what: &str) {
    let mut r = Reassembler::new();
    let d = decode(1, link, f, &mut r);
    for l in detail::layers(&d, f, &detail::DetailContext::default()) {
        assert!(
            l.range.start <= l.range.end && l.range.end <= f.len(),
            "{what}, {} bytes: layer {} at {:?}",
            f.len(),
            l.title,
            l.range
        );
        for field in &l.fields {
            if let Some(fr) = &field.range {
                assert!(
                    fr.start <= fr.end && fr.end <= f.len(),
                    "{what}, {} bytes: {} field {} at {fr:?}",
                    f.len(),
                    l.title,
                    field.name
                );
            }
        }
    }
}

/// Found by the decode_frame fuzz target (issue 16): a TCP header cut after 15 bytes listed
/// Window, Checksum and Urgent Pointer at bytes past the frame's end, read as 0. The detail
/// now lists the fields whose bytes were captured and says where the header was cut.
#[test]
fn regression_cut_tcp_header_lists_no_invented_fields() {
    let f = &SYN[..34 + 15];
    assert_detail_in_frame(f, LinkType::ETHERNET, "SYN cut after 15 TCP bytes");
    let d = decode(1, LinkType::ETHERNET, f, &mut Reassembler::new());
    let layers = detail::layers(&d, f, &detail::DetailContext::default());
    let tcp = layers
        .iter()
        .find(|l| l.kind == detail::LayerKind::Tcp)
        .expect("a TCP layer");
    let names: Vec<&str> = tcp.fields.iter().map(|f| f.name.as_str()).collect();
    for gone in ["Window", "Checksum", "Urgent Pointer", "Options"] {
        assert!(!names.contains(&gone), "{gone} listed: {names:?}");
    }
    for kept in ["Source Port", "Sequence Number", "Header Length", "Flags"] {
        assert!(names.contains(&kept), "{kept} missing: {names:?}");
    }
    let note = tcp
        .fields
        .iter()
        .find(|f| f.name == "[Packet size limited during capture]")
        .expect("a note on the cut");
    assert_eq!(note.value, "TCP truncated after 15 of 40 header bytes");
}

/// Every truncation of a TCP, UDP, ICMP, ARP and IPv6 frame gives a detail tree whose
/// ranges lie in the frame: no layer shows a field past the captured bytes.
#[test]
fn every_truncation_keeps_detail_ranges_in_the_frame() {
    let icmp = {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1])
            .ipv4([10, 0, 3, 2], [10, 0, 3, 1], 64)
            .icmpv4_echo_request(7, 1);
        let mut v = Vec::new();
        b.write(&mut v, b"ping").unwrap();
        v
    };
    let tcp6 = {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1])
            .ipv6([0xfe; 16], [0xfd; 16], 64)
            .tcp(1, 2, 3, 4)
            .syn();
        let mut v = Vec::new();
        b.write(&mut v, b"data").unwrap();
        v
    };
    let arp = {
        let mut v = vec![0xff; 6];
        v.extend_from_slice(&[2, 0, 0, 0, 0, 2, 0x08, 0x06]);
        v.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 2, 10, 0, 3, 2]);
        v.extend_from_slice(&[0, 0, 0, 0, 0, 0, 10, 0, 3, 1]);
        v
    };
    let frames: [(&str, &[u8]); 5] = [
        ("TCP SYN", &SYN),
        ("UDP", &udp_frame(b"hello")),
        ("ICMP echo", &icmp),
        ("IPv6 TCP", &tcp6),
        ("ARP", &arp),
    ];
    for (what, f) in frames {
        for cut in 0..=f.len() {
            assert_detail_in_frame(&f[..cut], LinkType::ETHERNET, what);
        }
    }
}

/// An Ethernet frame carrying one IPv6 fragment from fd00:3::2 to fd00:3::1: a fragment
/// header (next header `nxt`, `off` bytes, MF `more`, `ident`) and `part`.
fn ipv6_fragment(nxt: u8, off: u16, more: bool, ident: u32, part: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd];
    f.extend_from_slice(&[0x60, 0, 0, 0]);
    f.extend_from_slice(&(8 + part.len() as u16).to_be_bytes());
    f.extend_from_slice(&[44, 64]);
    f.extend_from_slice(&"fd00:3::2".parse::<std::net::Ipv6Addr>().unwrap().octets());
    f.extend_from_slice(&"fd00:3::1".parse::<std::net::Ipv6Addr>().unwrap().octets());
    f.extend_from_slice(&[nxt, 0]);
    f.extend_from_slice(&(off | u16::from(more)).to_be_bytes());
    f.extend_from_slice(&ident.to_be_bytes());
    f.extend_from_slice(part);
    f
}

/// A UDP datagram in three IPv6 fragments, out of order: the two that do not complete it
/// carry a note, the one that does carries the UDP layer read from the reassembled payload.
#[test]
fn ipv6_fragments_reassemble_in_the_completing_frame() {
    let mut udp = vec![0x9c, 0x42, 0x1e, 0x61, 0x00, 40, 0, 0];
    udp.extend((0..32u8).map(|i| b'a' + i % 26));
    let mut r = Reassembler::new();
    let frames = [
        ipv6_fragment(17, 16, true, 0x4d1c_f827, &udp[16..32]),
        ipv6_fragment(17, 0, true, 0x4d1c_f827, &udp[..16]),
        ipv6_fragment(17, 32, false, 0x4d1c_f827, &udp[32..]),
    ];
    for (i, f) in frames[..2].iter().enumerate() {
        let d = decode(i as u64 + 1, LinkType::ETHERNET, f, &mut r);
        assert_eq!(d.malformed, None);
        assert_eq!(d.transport, TransportRepr::None);
        let note = d.fragment.expect("a fragment note");
        assert_eq!((note.protocol, note.id, note.more), (17, 0x4d1c_f827, true));
        assert_eq!(note.offset, if i == 0 { 16 } else { 0 });
        let NetRepr::Ipv6(ip) = &d.net else {
            panic!("not IPv6")
        };
        let h = ip.fragment.as_ref().expect("fragment header");
        assert_eq!(
            (h.next_header, h.offset, h.range.clone()),
            (17, note.offset, 54..62)
        );
        for l in detail::layers(&d, f, &detail::DetailContext::default()) {
            assert!(l.range.start <= l.range.end && l.range.end <= f.len());
        }
    }
    let d = decode(3, LinkType::ETHERNET, &frames[2], &mut r);
    assert_eq!(d.malformed, None);
    assert_eq!(d.fragment, None);
    let re = d.reassembled.as_ref().expect("reassembled");
    assert_eq!(re.data, udp);
    assert_eq!(re.fragments, vec![(1, 16), (2, 16), (3, 8)]);
    let TransportRepr::Udp(u) = &d.transport else {
        panic!("not UDP: {:?}", d.transport)
    };
    assert_eq!((u.src_port, u.dst_port, u.length), (40002, 7777, 40));
    assert_eq!(d.app_payload(&frames[2]), &udp[8..]);
    assert_eq!(r.pending(), 0);
    let layers = detail::layers(&d, &frames[2], &detail::DetailContext::default());
    assert!(
        layers
            .iter()
            .any(|l| l.title == "[3 IPv6 Fragments (40 bytes): #1(16), #2(16), #3(8)]")
    );
}

/// A fragment header with offset 0 and MF clear (an atomic fragment) does not fragment
/// anything: the payload is decoded in place, as tshark does.
#[test]
fn ipv6_atomic_fragment_is_decoded_in_place() {
    let udp = [0x9c, 0x42, 0x1e, 0x61, 0x00, 12, 0, 0, 1, 2, 3, 4];
    let f = ipv6_fragment(17, 0, false, 7, &udp);
    let d = decode(1, LinkType::ETHERNET, &f, &mut Reassembler::new());
    assert_eq!((d.fragment, d.reassembled.is_some()), (None, false));
    assert!(matches!(d.transport, TransportRepr::Udp(_)));
}

/// An IPv6 fragment cut short (by the snapshot length or otherwise) is not reassembled.
#[test]
fn ipv6_fragment_cut_short_is_not_reassembled() {
    let mut r = Reassembler::new();
    let first = ipv6_fragment(17, 0, true, 9, &[0; 16]);
    let last = ipv6_fragment(17, 16, false, 9, &[0; 16]);
    decode(1, LinkType::ETHERNET, &first, &mut r);
    let d = decode(2, LinkType::ETHERNET, &last[..last.len() - 1], &mut r);
    assert!(d.reassembled.is_none());
    assert!(d.fragment.is_some());
}

/// A TCP segment with IPv4 total length 0 (captured on a sending host with TCP segmentation
/// offload) takes its length from the frame, as tshark's default `ip.tso_support` does.
#[test]
fn tso_total_length_zero_uses_the_frame_length() {
    let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1])
        .ipv4([10, 0, 3, 2], [10, 0, 3, 1], 64)
        .tcp(40000, 7777, 1000, 64240)
        .ack(1);
    let payload = vec![0x41; 3000];
    let mut f = Vec::new();
    b.write(&mut f, &payload).unwrap();
    f[16..18].copy_from_slice(&[0, 0]);
    let d = decode(1, LinkType::ETHERNET, &f, &mut Reassembler::new());
    assert_eq!(d.malformed, None);
    let NetRepr::Ipv4(ip) = &d.net else {
        panic!("not IPv4")
    };
    assert!(ip.tso);
    assert_eq!(usize::from(ip.total_len), f.len() - 14);
    let TransportRepr::Tcp(t) = &d.transport else {
        panic!("not TCP: {:?}", d.transport)
    };
    assert_eq!(t.len, Some(3000));
    assert_eq!(d.app_payload(&f).len(), 3000);
    let layers = detail::layers(&d, &f, &detail::DetailContext::default());
    assert!(layers.iter().flat_map(|l| &l.fields).any(|x| {
        x.name == "Total Length"
            && x.value
                .starts_with("3040 bytes (reported as 0, presumed to be because of")
    }));

    // Cut by a snapshot length: the reported (wire) length counts, not the captured one.
    let mut out = Decoded::default();
    decode_into_cut(
        1,
        LinkType::ETHERNET,
        &f[..100],
        f.len(),
        &mut Reassembler::new(),
        &mut out,
    );
    assert_eq!(out.malformed, None);
    let TransportRepr::Tcp(t) = &out.transport else {
        panic!("not TCP")
    };
    assert_eq!(t.len, Some(3000));

    // A total length below the header that is not 0 stays what it was.
    f[16..18].copy_from_slice(&[0, 10]);
    let d = decode(1, LinkType::ETHERNET, &f, &mut Reassembler::new());
    let NetRepr::Ipv4(ip) = &d.net else {
        panic!("not IPv4")
    };
    assert!(!ip.tso && ip.total_len == 10);
}

//! Payload bytes → columns, fields and tree, through the dispatch table as the analysis
//! calls it. The expected text is what tshark 4.0 printed for the same bytes.

use std::net::SocketAddr;
use std::time::Duration;

use super::msg::{printable, read_name};
use super::*;
use crate::dissect::{AppLayer, Columns, Dissectors, Endpoints, TcpSegmentInfo};

fn name(n: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for l in n.split('.').filter(|l| !l.is_empty()) {
        out.push(l.len() as u8);
        out.extend_from_slice(l.as_bytes());
    }
    out.push(0);
    out
}

fn header(id: u16, flags: u16, counts: [u16; 4]) -> Vec<u8> {
    let mut v = Vec::new();
    for x in [id, flags, counts[0], counts[1], counts[2], counts[3]] {
        v.extend_from_slice(&x.to_be_bytes());
    }
    v
}

fn question(n: &str, t: u16, class: u16) -> Vec<u8> {
    let mut v = name(n);
    v.extend_from_slice(&t.to_be_bytes());
    v.extend_from_slice(&class.to_be_bytes());
    v
}

fn rr(owner: &[u8], t: u16, class: u16, ttl: u32, data: &[u8]) -> Vec<u8> {
    let mut v = owner.to_vec();
    v.extend_from_slice(&t.to_be_bytes());
    v.extend_from_slice(&class.to_be_bytes());
    v.extend_from_slice(&ttl.to_be_bytes());
    v.extend_from_slice(&(data.len() as u16).to_be_bytes());
    v.extend_from_slice(data);
    v
}

const PTR_QNAME: &[u8] = &[0xc0, 0x0c];

fn ends(client: u16, server: u16, to_server: bool) -> Endpoints {
    let c = SocketAddr::from(([10, 0, 3, 2], client));
    let s = SocketAddr::from(([10, 0, 3, 1], server));
    if to_server {
        Endpoints { src: c, dst: s }
    } else {
        Endpoints { src: s, dst: c }
    }
}

/// One UDP datagram through `dis`: the columns and the layers.
fn udp(
    dis: &mut Dissectors,
    frame: u64,
    ms: u64,
    e: Endpoints,
    p: &[u8],
) -> (Columns, Vec<AppLayer>) {
    let mut cols = Columns::new("UDP", "udp info");
    let mut layers = Vec::new();
    dis.udp(
        frame,
        Duration::from_millis(ms),
        e,
        p,
        &mut cols,
        &mut layers,
    );
    (cols, layers)
}

fn values(layers: &[AppLayer], field: &str) -> Vec<String> {
    layers
        .iter()
        .flat_map(|l| l.values(field).map(|v| v.to_string()))
        .collect()
}

#[test]
fn query_and_response_as_tshark_words_them() {
    let mut dis = Dissectors::default();
    let mut q = header(0x180f, 0x0100, [1, 0, 0, 0]);
    q.extend(question("wireshark.org", 1, 1));
    let (c, l) = udp(&mut dis, 1, 0, ends(40000, 53, true), &q);
    assert_eq!(c.protocol, "DNS");
    assert_eq!(c.info, "Standard query 0x180f A wireshark.org");
    assert_eq!(values(&l, "dns.id"), ["0x180f"]);
    assert_eq!(values(&l, "dns.flags.recdesired"), ["1"]);
    assert!(values(&l, "dns.flags.authoritative").is_empty());

    let mut r = header(0x180f, 0x8183, [1, 1, 1, 0]);
    r.extend(question("wireshark.org", 1, 1));
    r.extend(rr(PTR_QNAME, 5, 1, 60, &name("www.wireshark.org")));
    let mut soa = name("ns1.wireshark.org");
    soa.extend(name("hostmaster.wireshark.org"));
    for v in [1u32, 2, 3, 4, 5] {
        soa.extend_from_slice(&v.to_be_bytes());
    }
    r.extend(rr(PTR_QNAME, 6, 1, 600, &soa));
    let (c, l) = udp(&mut dis, 2, 250, ends(40000, 53, false), &r);
    assert_eq!(
        c.info,
        "Standard query response 0x180f No such name A wireshark.org CNAME www.wireshark.org \
         SOA ns1.wireshark.org"
    );
    assert_eq!(values(&l, "dns.flags.rcode"), ["3"]);
    assert_eq!(values(&l, "dns.cname"), ["www.wireshark.org"]);
    assert_eq!(values(&l, "dns.soa.mname"), ["ns1.wireshark.org"]);
    assert_eq!(values(&l, "dns.resp.ttl"), ["60", "600"]);
    assert_eq!(values(&l, "dns.response_to"), ["1"]);
    assert_eq!(values(&l, "dns.time"), ["0.250000000"]);
    let tree = l[0].detail.as_ref().unwrap();
    assert_eq!(tree.title, "Domain Name System (response)");
    assert!(
        tree.fields
            .iter()
            .any(|f| f.name == "Time to live" && f.value == "600 (10 minutes)")
    );
}

#[test]
fn record_types_in_info_and_fields() {
    let mut dis = Dissectors::default();
    let mut r = header(7, 0x8580, [1, 6, 0, 1]);
    r.extend(question("ex.com", 255, 1));
    let v6: std::net::Ipv6Addr = "2001:db8::1".parse().unwrap();
    r.extend(rr(PTR_QNAME, 28, 1, 1, &v6.octets()));
    r.extend(rr(PTR_QNAME, 12, 1, 1, &name("p.ex.com")));
    let mut srv = vec![0, 1, 0, 2, 0, 80];
    srv.extend(name("t.ex.com"));
    r.extend(rr(PTR_QNAME, 33, 1, 1, &srv));
    let mut mx = vec![0, 10];
    mx.extend(name("mx.ex.com"));
    r.extend(rr(PTR_QNAME, 15, 1, 1, &mx));
    r.extend(rr(PTR_QNAME, 16, 1, 1, b"\x02hi\x03you"));
    r.extend(rr(PTR_QNAME, 65000, 1, 1, b"abc"));
    r.extend(rr(&[0], 41, 1232, 0, &[]));
    let (c, l) = udp(&mut dis, 1, 0, ends(40000, 53, false), &r);
    assert_eq!(
        c.info,
        "Standard query response 0x0007 ANY ex.com AAAA 2001:db8::1 PTR p.ex.com \
         SRV 1 2 80 t.ex.com MX 10 mx.ex.com TXT Unknown (65000) OPT"
    );
    assert_eq!(values(&l, "dns.aaaa"), ["2001:db8::1"]);
    assert_eq!(values(&l, "dns.ptr.domain_name"), ["p.ex.com"]);
    assert_eq!(values(&l, "dns.srv.port"), ["80"]);
    assert_eq!(values(&l, "dns.srv.target"), ["t.ex.com"]);
    assert_eq!(values(&l, "dns.mx.mail_exchange"), ["mx.ex.com"]);
    assert_eq!(values(&l, "dns.txt"), ["hi", "you"]);
    // The SRV record's owner is shown as service and protocol, not as dns.resp.name.
    assert_eq!(values(&l, "dns.resp.name").len(), 6);
    assert_eq!(
        values(&l, "dns.resp.type"),
        ["28", "12", "33", "15", "16", "65000", "41"]
    );
    assert_eq!(values(&l, "dns.rr.udp_payload_size"), ["1232"]);
    assert_eq!(values(&l, "dns.unsolicited"), ["1"]);
}

#[test]
fn mdns_question_kinds_and_cache_flush() {
    let mut dis = Dissectors::default();
    let mut q = header(0, 0, [2, 0, 0, 0]);
    q.extend(question("_http._tcp.local", 12, 0x8001));
    q.extend(question("h.local", 28, 1));
    let (c, l) = udp(&mut dis, 1, 0, ends(5353, 5353, true), &q);
    assert_eq!(c.protocol, "MDNS");
    assert_eq!(
        c.info,
        "Standard query 0x0000 PTR _http._tcp.local, \"QU\" question AAAA h.local, \"QM\" question"
    );
    assert_eq!(values(&l, "dns.qry.class"), ["0x0001", "0x0001"]);
    assert_eq!(l[0].dissector, Some(Dissector::Mdns));
    let mut r = header(0, 0x8400, [0, 1, 0, 0]);
    r.extend(rr(&name("h.local"), 1, 0x8001, 120, &[10, 0, 3, 1]));
    let (c, l) = udp(&mut dis, 2, 1, ends(5353, 5353, true), &r);
    assert_eq!(
        c.info,
        "Standard query response 0x0000 A, cache flush 10.0.3.1"
    );
    assert_eq!(values(&l, "dns.resp.cache_flush"), ["1"]);
    assert_eq!(values(&l, "dns.a"), ["10.0.3.1"]);
}

#[test]
fn llmnr_flags_are_its_own() {
    let mut dis = Dissectors::default();
    let mut q = header(0x4c4c, 0, [1, 0, 0, 0]);
    q.extend(question("wirelab-pc", 1, 1));
    let (c, l) = udp(&mut dis, 1, 0, ends(50000, 5355, true), &q);
    assert_eq!(
        (c.protocol, c.info.as_str()),
        ("LLMNR", "Standard query 0x4c4c A wirelab-pc")
    );
    assert_eq!(values(&l, "dns.flags.tentative"), ["0"]);
    assert!(values(&l, "dns.flags.recdesired").is_empty());
}

#[test]
fn nbns_name_query_and_answer() {
    let encode = |n: &str, t: u8| {
        let mut raw = [b' '; 16];
        raw[..n.len()].copy_from_slice(n.as_bytes());
        raw[15] = t;
        let mut v = vec![32u8];
        for b in raw {
            v.push(b'A' + (b >> 4));
            v.push(b'A' + (b & 0xf));
        }
        v.push(0);
        v
    };
    let mut dis = Dissectors::default();
    let mut q = header(0x1b1b, 0x0110, [1, 0, 0, 0]);
    q.extend(encode("WPAD", 0));
    q.extend_from_slice(&[0, 32, 0, 1]);
    let (c, l) = udp(&mut dis, 1, 0, ends(137, 137, true), &q);
    assert_eq!(
        (c.protocol, c.info.as_str()),
        ("NBNS", "Name query NB WPAD<00>")
    );
    assert_eq!(values(&l, "nbns.name"), ["WPAD<00>"]);
    let mut r = header(0x1b1b, 0x8500, [0, 1, 0, 0]);
    r.extend(rr(&encode("WPAD", 0), 32, 1, 300000, &[0, 0, 10, 0, 3, 1]));
    let (c, l) = udp(&mut dis, 2, 0, ends(137, 137, false), &r);
    assert_eq!(c.info, "Name query response NB 10.0.3.1");
    assert_eq!(
        values(&l, "nbns.name"),
        ["WPAD<00> (Workstation/Redirector)"]
    );
    assert_eq!(values(&l, "nbns.addr"), ["10.0.3.1"]);
}

#[test]
fn cut_messages_show_what_was_read_then_malformed() {
    let mut dis = Dissectors::default();
    let mut r = header(2, 0x8180, [1, 2, 0, 0]);
    r.extend(question("ex.com", 1, 1));
    r.extend(rr(PTR_QNAME, 1, 1, 300, &[1, 2, 3, 4]));
    r.extend(rr(PTR_QNAME, 28, 1, 300, &[0; 16]));
    r.truncate(r.len() - 8);
    let (c, l) = udp(&mut dis, 1, 0, ends(40001, 53, false), &r);
    assert_eq!(
        c.info,
        "Standard query response 0x0002 A ex.com A 1.2.3.4 AAAA[Malformed Packet]"
    );
    assert!(values(&l, "dns.unsolicited").is_empty());
    for (p, info) in [
        (
            &[0u8, 10, 1, 0][..],
            "Standard query 0x000a[Malformed Packet]",
        ),
        (&[0u8][..], "[Malformed Packet]"),
        (
            &[0u8, 11, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0][..],
            "Standard query 0x000b[Malformed Packet]",
        ),
    ] {
        let (c, _) = udp(&mut dis, 2, 0, ends(40001, 53, true), p);
        assert_eq!((c.protocol, c.info.as_str()), ("DNS", info));
    }
}

#[test]
fn names_loops_pointers_and_odd_bytes() {
    // A pointer to itself.
    let mut m = header(1, 0x8180, [1, 0, 0, 0]);
    m.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
    let (n, used) = read_name(&m, 12).unwrap();
    assert_eq!(
        (n.text.as_str(), used),
        ("<Name contains a pointer that loops>", 2)
    );
    // Two pointers to each other.
    let mut m = header(1, 0x8180, [1, 0, 0, 0]);
    m.extend_from_slice(&[0xc0, 0x0e, 0xc0, 0x0c]);
    assert_eq!(
        read_name(&m, 12).unwrap().0.text,
        "<Name contains a pointer that loops>"
    );
    // Past the end; an extended label type.
    assert!(read_name(&[0xc0, 0xff], 0).is_err());
    assert!(read_name(&[0x41, b'a', 0], 0).is_err());
    assert_eq!(read_name(&[0], 0).unwrap().0.text, "<Root>");
    let (n, _) = read_name(b"\x04a b.\x02\x01\x7f\x03\xc3\xa9x\x00", 0).unwrap();
    assert_eq!(n.text, "a b..\\001\\177.\u{e9}x");
    assert_eq!((n.raw_len, n.labels), (11, 4));
    assert_eq!(read_name(b"\x01x\x00", 0).unwrap().0.labels, 0);
    assert_eq!(printable(b"a\tb\x1b[2J\xff"), "a\\tb\\033[2J\u{fffd}");
    // GLib reads an overlong form as the character it spells; C1 controls as \uXXXX.
    assert_eq!(printable(b"c\xc0\x93\xc1\x88\xc2\x9b"), "c\\u0013H\\u009B");
    // An unknown extended label ends the name there; at its very start it is an error.
    let (n, used) = read_name(b"\x02ex\x72\x00", 0).unwrap();
    assert_eq!((n.text.as_str(), used), ("<Unknown extended label>", 4));
    assert!(read_name(b"\x72\x00", 0).is_err());
    // A name ending in a pointer back to an earlier one (the fuzzer's first find).
    let (n, used) = read_name(b"\x00\x02ex\x01a\xc0\x00", 4).unwrap();
    assert_eq!((n.text.as_str(), used), ("a", 4));
}

#[test]
fn tcp_messages_across_and_within_segments() {
    let mut dis = Dissectors::default();
    let mut q1 = header(0x1111, 0x0100, [1, 0, 0, 0]);
    q1.extend(question("a.example", 1, 1));
    let mut q2 = header(0x2222, 0x0100, [1, 0, 0, 0]);
    q2.extend(question("b.example", 28, 1));
    let mut stream = Vec::new();
    for q in [&q1, &q2] {
        stream.extend_from_slice(&(q.len() as u16).to_be_bytes());
        stream.extend_from_slice(q);
    }
    let cut = q1.len() + 2 + 5;
    let mut seq = 1u32;
    let mut out = Vec::new();
    for (i, part) in [&stream[..1], &stream[1..cut], &stream[cut..]]
        .into_iter()
        .enumerate()
    {
        let mut cols = Columns::new("TCP", "tcp");
        let mut layers = Vec::new();
        let seg = TcpSegmentInfo {
            stream: 0,
            seq,
            retransmission: false,
            fin: false,
        };
        dis.tcp(
            i as u64 + 1,
            Duration::ZERO,
            ends(40000, 53, true),
            seg,
            part,
            &mut cols,
            &mut layers,
        );
        seq += part.len() as u32;
        out.push((cols, values(&layers, "dns.length")));
    }
    assert_eq!(out[0].0.protocol, "TCP");
    assert_eq!(out[0].0.info, "tcp [TCP segment of a reassembled PDU]");
    assert_eq!(out[1].0.info, "Standard query 0x1111 A a.example");
    assert_eq!(out[1].1, [q1.len().to_string()]);
    assert_eq!(out[2].0.info, "Standard query 0x2222 AAAA b.example");
}

#[test]
fn transactions_pair_retransmit_and_stay_bounded() {
    let mut st = State::default();
    let a = SocketAddr::from(([10, 0, 0, 1], 1000));
    let b = SocketAddr::from(([10, 0, 0, 2], 53));
    let k = (false, a, b, 7);
    let s = Duration::from_secs;
    assert_eq!(st.track(k, 1, s(0), false), Track::New);
    assert_eq!(st.track(k, 2, s(1), false), Track::RetransmittedRequest(1));
    assert_eq!(st.track(k, 3, s(2), true), Track::ResponseTo(1, s(2)));
    assert_eq!(st.track(k, 4, s(3), true), Track::RetransmittedResponse(3));
    assert_eq!(st.track(k, 5, s(4), false), Track::New);
    assert_eq!(st.track(k, 6, s(20), false), Track::New);
    for id in 0..(3 * MAX_TRANSACTIONS) as u64 {
        st.track((false, a, b, id as u16), id, s(id), false);
        assert!(st.transactions.len() <= MAX_TRANSACTIONS);
    }
}

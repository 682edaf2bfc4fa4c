use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use etherparse::PacketBuilder;

use super::*;
use crate::analyse::{Analyzer, Packet};
use crate::frame::{Frame, LinkType};

const C: [u8; 4] = [10, 0, 1, 2];
const S: [u8; 4] = [10, 0, 3, 53];

fn name(out: &mut Vec<u8>, n: &str) {
    for l in n.split('.') {
        out.push(l.len() as u8);
        out.extend_from_slice(l.as_bytes());
    }
    out.push(0);
}

/// A DNS message: id, flags, one question, answers (name, type, data).
fn msg(
    id: u16,
    flags: u16,
    q: (&str, u16),
    ans: &[(&str, u16, &[u8])],
    add: &[(&str, u16, &[u8])],
) -> Vec<u8> {
    let mut m = Vec::new();
    for v in [id, flags, 1, ans.len() as u16, 0, add.len() as u16] {
        m.extend_from_slice(&v.to_be_bytes());
    }
    name(&mut m, q.0);
    m.extend_from_slice(&q.1.to_be_bytes());
    m.extend_from_slice(&1u16.to_be_bytes());
    for (n, t, d) in ans.iter().chain(add) {
        name(&mut m, n);
        m.extend_from_slice(&t.to_be_bytes());
        m.extend_from_slice(&1u16.to_be_bytes());
        m.extend_from_slice(&300u32.to_be_bytes());
        m.extend_from_slice(&(d.len() as u16).to_be_bytes());
        m.extend_from_slice(d);
    }
    m
}

fn encoded(n: &str) -> Vec<u8> {
    let mut v = Vec::new();
    name(&mut v, n);
    v
}

enum Pkt {
    Udp([u8; 4], u16, [u8; 4], u16, Vec<u8>),
    Syn([u8; 4], [u8; 4], u16),
}

fn collect(pkts: Vec<Pkt>) -> DnsTrace {
    let mut analyzer = Analyzer::new();
    let mut p = Packet::default();
    let mut t = DnsTrace::default();
    for (i, k) in pkts.into_iter().enumerate() {
        let mut out = Vec::new();
        match k {
            Pkt::Udp(a, ap, b, bp, data) => PacketBuilder::ethernet2([2; 6], [4; 6])
                .ipv4(a, b, 64)
                .udp(ap, bp)
                .write(&mut out, &data)
                .unwrap(),
            Pkt::Syn(a, b, bp) => PacketBuilder::ethernet2([2; 6], [4; 6])
                .ipv4(a, b, 64)
                .tcp(40000, bp, 1, 64240)
                .syn()
                .write(&mut out, &[])
                .unwrap(),
        }
        let frame = Frame {
            number: i as u64 + 1,
            timestamp: Duration::from_secs(1_700_000_000 + i as u64),
            link_type: LinkType::ETHERNET,
            orig_len: out.len() as u32,
            interface: 0,
            data: out,
        };
        analyzer.process(&frame, &mut p);
        t.add(0, &p, &frame);
    }
    t
}

fn value<'a>(a: &'a [Answer], id: &str, name: &str) -> &'a serde_json::Value {
    a.iter()
        .find(|x| x.id == id)
        .and_then(|x| x.values.get(name))
        .unwrap_or_else(|| panic!("{id} {name}"))
}

#[test]
fn a_lookup_its_answers_the_syn_and_an_ns_lookup() {
    let ns1 = encoded("ns1.lab.test");
    let t = collect(vec![
        Pkt::Udp(C, 5353, [224, 0, 0, 251], 5353, vec![0; 4]),
        Pkt::Udp(
            C,
            41000,
            S,
            53,
            msg(0x1234, 0x0100, ("www.lab.test", 1), &[], &[]),
        ),
        Pkt::Udp(
            S,
            53,
            C,
            41000,
            msg(
                0x1234,
                0x8580,
                ("www.lab.test", 1),
                &[("www.lab.test", 1, &[10, 0, 3, 80])],
                &[],
            ),
        ),
        Pkt::Syn(C, [10, 0, 3, 80], 80),
        Pkt::Udp(
            C,
            41001,
            S,
            53,
            msg(0x2222, 0x0100, ("lab.test", 2), &[], &[]),
        ),
        Pkt::Udp(
            S,
            53,
            C,
            41001,
            msg(
                0x2222,
                0x8180,
                ("lab.test", 2),
                &[("lab.test", 2, &ns1)],
                &[("ns1.lab.test", 1, &[10, 0, 3, 53])],
            ),
        ),
    ]);
    let a = answer_trace(&t);
    assert_eq!(value(&a, "5", "query_frame"), 2);
    assert_eq!(value(&a, "6", "response_frame"), 3);
    assert_eq!(value(&a, "5", "query_transport"), "UDP");
    assert_eq!(value(&a, "7", "query_dst_port"), 53);
    assert_eq!(value(&a, "7", "response_src_port"), 53);
    assert_eq!(value(&a, "8", "query_dst"), "10.0.3.53");
    assert_eq!(value(&a, "14", "qtype"), "A");
    assert_eq!(value(&a, "14", "answers"), 0);
    assert_eq!(value(&a, "10", "answers"), 1);
    assert_eq!(
        value(&a, "10", "records")[0],
        serde_json::json!({"name": "www.lab.test", "type": "A", "class": "IN", "ttl": 300, "data": "10.0.3.80"})
    );
    assert_eq!(value(&a, "syn", "syn_frame"), 4);
    assert_eq!(value(&a, "syn", "matches"), true);
    assert_eq!(
        value(&a, "18", "name_servers"),
        &serde_json::json!(["ns1.lab.test"])
    );
    assert_eq!(
        value(&a, "18", "with_address"),
        &serde_json::json!(["ns1.lab.test"])
    );
    assert_eq!(value(&a, "aa", "authoritative"), 1);
    assert_eq!(value(&a, "id", "pairs")[1]["response"], 6);
}

#[test]
fn no_dns_says_what_to_capture() {
    let a = answer_trace(&DnsTrace::default());
    // The 18 questions, then `aa` and `id` (no `syn` without a query).
    assert_eq!(a.len(), 20);
    assert!(a[0].answer.contains("no DNS query"));
    assert!(
        a.iter()
            .all(|x| x.id == "aa" || x.id == "id" || x.answer.contains("Not in this capture"))
    );
}

#[test]
fn the_lab_is_named_dns() {
    use crate::lab::answer::LabId;
    assert_eq!("dns".parse(), Ok(LabId::Dns));
    assert_eq!(LabId::Dns.to_string(), "dns");
}

fn http_get(frame: u64, dst: &str, uri: &str, host: &str) -> crate::lab::answer::http::HttpMsg {
    crate::lab::answer::http::HttpMsg {
        frame,
        src: Some(SocketAddr::new(IpAddr::from(C), 40000)),
        dst: Some(dst.parse().unwrap()),
        request: true,
        method: "GET".into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        lines: vec![format!("Host: {host}")],
        ..Default::default()
    }
}

#[test]
fn the_parts_find_their_messages_by_content() {
    const W: [u8; 4] = [10, 0, 3, 80];
    const AUTH: [u8; 4] = [10, 0, 4, 1];
    let q = |id, n, t| msg(id, 0x0100, (n, t), &[], &[]);
    let mut t = collect(vec![
        Pkt::Udp(C, 41000, S, 53, q(1, "gaia.lab.test", 1)),
        Pkt::Udp(
            S,
            53,
            C,
            41000,
            msg(
                1,
                0x8180,
                ("gaia.lab.test", 1),
                &[("gaia.lab.test", 1, &W)],
                &[],
            ),
        ),
        Pkt::Udp(C, 41001, S, 53, q(2, "gaia.lab.test", 28)),
        Pkt::Udp(
            S,
            53,
            C,
            41001,
            msg(2, 0x8180, ("gaia.lab.test", 28), &[], &[]),
        ),
        Pkt::Udp(C, 41002, AUTH, 53, q(3, "www.lab.test", 1)),
        Pkt::Udp(
            AUTH,
            53,
            C,
            41002,
            msg(
                3,
                0x8580,
                ("www.lab.test", 1),
                &[("www.lab.test", 1, &W)],
                &[],
            ),
        ),
        Pkt::Syn(C, W, 80),
        Pkt::Udp(C, 41003, S, 53, q(4, "gaia.lab.test", 1)),
        Pkt::Udp(
            S,
            53,
            C,
            41003,
            msg(
                4,
                0x8180,
                ("gaia.lab.test", 1),
                &[("gaia.lab.test", 1, &W)],
                &[],
            ),
        ),
        Pkt::Syn(C, W, 80),
    ]);
    t.http.msgs = vec![
        http_get(7, "10.0.3.80:80", "/kurose_ross/", "gaia.lab.test"),
        http_get(
            10,
            "10.0.3.80:80",
            "/kurose_ross/header.jpg",
            "gaia.lab.test:80",
        ),
    ];
    let a = answer_trace(&t);
    assert_eq!(a.iter().filter(|x| x.id.parse::<u8>().is_ok()).count(), 18);
    // Parts 1 and 4: the lookup of another name than the web server's.
    assert_eq!(
        value(&a, "1", "addresses"),
        &serde_json::json!(["10.0.3.80"])
    );
    assert_eq!(value(&a, "1", "qname"), "www.lab.test");
    assert_eq!(value(&a, "2", "server"), "10.0.4.1");
    assert_eq!(value(&a, "3", "authoritative"), true);
    assert_eq!(value(&a, "13", "query_dst"), "10.0.4.1");
    assert_eq!(value(&a, "13", "default_server"), false);
    assert_eq!(value(&a, "14", "qtype"), "A");
    assert_eq!(value(&a, "15", "answers"), 1);
    // Part 3: the first query for the GET's Host.
    assert_eq!(value(&a, "5", "query_frame"), 1);
    assert_eq!(value(&a, "6", "response_frame"), 2);
    assert_eq!(value(&a, "8", "default_server"), true);
    assert_eq!(value(&a, "9", "questions"), 1);
    assert_eq!(value(&a, "9", "answers"), 0);
    assert_eq!(value(&a, "11", "base_get_frame"), 7);
    assert_eq!(value(&a, "11", "query_frame"), 1);
    assert_eq!(value(&a, "11", "response_frame"), 2);
    assert_eq!(value(&a, "11", "image_get_frame"), 10);
    assert_eq!(value(&a, "11", "image_query_frame"), 8);
    assert_eq!(value(&a, "11", "image_response_frame"), 9);
    // Part 5: no NS query.
    assert!(a[15].answer.starts_with("Not in this capture"));
}

#[test]
fn host_names_lose_their_port() {
    assert_eq!(host_name("gaia.cs.umass.edu:8080"), "gaia.cs.umass.edu");
    assert_eq!(host_name("gaia.cs.umass.edu"), "gaia.cs.umass.edu");
    assert_eq!(host_name("[fd00::1]:80"), "[fd00::1]:80");
}

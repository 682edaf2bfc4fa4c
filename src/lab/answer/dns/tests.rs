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
    assert_eq!(value(&a, "4", "query_frame"), 2);
    assert_eq!(value(&a, "4", "response_frame"), 3);
    assert_eq!(value(&a, "4", "query_transport"), "UDP");
    assert_eq!(value(&a, "5", "query_dst_port"), 53);
    assert_eq!(value(&a, "5", "response_src_port"), 53);
    assert_eq!(value(&a, "6", "query_dst"), "10.0.3.53");
    assert_eq!(value(&a, "7", "qtype"), "A");
    assert_eq!(value(&a, "7", "answers"), 0);
    assert_eq!(value(&a, "8", "answers"), 1);
    assert_eq!(
        value(&a, "8", "records")[0],
        serde_json::json!({"name": "www.lab.test", "type": "A", "class": "IN", "ttl": 300, "data": "10.0.3.80"})
    );
    assert_eq!(value(&a, "9", "syn_frame"), 4);
    assert_eq!(value(&a, "9", "matches"), true);
    assert_eq!(
        value(&a, "16", "name_servers"),
        &serde_json::json!(["ns1.lab.test"])
    );
    assert_eq!(
        value(&a, "16", "with_address"),
        &serde_json::json!(["ns1.lab.test"])
    );
    assert_eq!(value(&a, "aa", "authoritative"), 1);
    assert_eq!(value(&a, "id", "pairs")[1]["response"], 6);
}

#[test]
fn no_dns_says_what_to_capture() {
    let a = answer_trace(&DnsTrace::default());
    assert_eq!(a.len(), 1);
    assert!(a[0].answer.contains("No DNS query"));
}

#[test]
fn the_lab_is_named_dns() {
    use crate::lab::answer::LabId;
    assert_eq!("dns".parse(), Ok(LabId::Dns));
    assert_eq!(LabId::Dns.to_string(), "dns");
}

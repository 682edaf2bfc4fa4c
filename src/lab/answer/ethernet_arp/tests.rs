use std::time::Duration;

use etherparse::PacketBuilder;

use super::*;
use crate::analyse::{Analyzer, Packet};
use crate::frame::{Frame, LinkType};

const A: [u8; 6] = [2, 0, 0, 0, 3, 1];
const B: [u8; 6] = [2, 0, 0, 0, 3, 2];

fn arp(op: u16, from: [u8; 6], to: [u8; 6], sip: u8, tip: u8, tmac: [u8; 6]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend(to);
    f.extend(from);
    f.extend([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, op as u8]);
    f.extend(from);
    f.extend([10, 0, 3, sip]);
    f.extend(tmac);
    f.extend([10, 0, 3, tip]);
    f
}

fn tcp(from: [u8; 6], to: [u8; 6], sport: u16, dport: u16, seq: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    PacketBuilder::ethernet2(from, to)
        .ipv4([10, 0, 3, from[5]], [10, 0, 3, to[5]], 64)
        .tcp(sport, dport, seq, 64240)
        .ack(1)
        .write(&mut out, data)
        .unwrap();
    out
}

fn read(frames: Vec<Vec<u8>>) -> (FileFacts, EthFile) {
    let mut analyzer = Analyzer::new();
    let mut p = Packet::default();
    let mut facts = FileFacts::default();
    let mut e = EthFile::default();
    for (i, data) in frames.into_iter().enumerate() {
        let frame = Frame {
            number: i as u64 + 1,
            timestamp: Duration::from_secs(1_700_000_000 + i as u64),
            link_type: LinkType::ETHERNET,
            orig_len: data.len() as u32,
            interface: 0,
            data,
        };
        analyzer.process(&frame, &mut p);
        facts.add(&p, &frame);
        e.add(&p, &frame);
    }
    (facts, e)
}

fn value<'a>(a: &'a [Answer], id: &str, name: &str) -> &'a serde_json::Value {
    a.iter()
        .find(|x| x.id == id)
        .and_then(|x| x.values.get(name))
        .unwrap_or_else(|| panic!("{id} {name}"))
}

#[test]
fn get_response_and_arp_are_found_with_their_offsets() {
    let head = b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n";
    let (facts, e) = read(vec![
        arp(1, A, [0xff; 6], 1, 2, [0; 6]),
        arp(2, B, A, 2, 1, B),
        tcp(A, B, 40000, 80, 100, b"GET / HTTP/1.1\r\nHost: b\r\n\r\n"),
        tcp(B, A, 80, 40000, 500, head),
        tcp(B, A, 80, 40000, 500 + head.len() as u32, b"0123456789"),
        tcp(B, A, 80, 40000, 510 + head.len() as u32, b"extra"),
    ]);
    let a = answer_files(vec![&facts], &[e], Some(Vendors::default()));
    assert_eq!(value(&a, "1", "mac"), "02:00:00:00:03:01");
    assert_eq!(value(&a, "2", "mac"), "02:00:00:00:03:02");
    assert_eq!(value(&a, "3", "ethertype"), "0x0800");
    assert_eq!(value(&a, "4", "offset"), 54);
    assert_eq!(value(&a, "5", "frame"), 4);
    assert_eq!(value(&a, "6", "is_your_computer"), true);
    assert_eq!(value(&a, "8", "offset"), 54 + 13);
    assert_eq!(value(&a, "9", "frames"), &serde_json::json!([4, 5]));
    assert_eq!(value(&a, "11", "dst"), "ff:ff:ff:ff:ff:ff");
    assert_eq!(value(&a, "12", "ethertype"), "0x0806");
    assert_eq!(value(&a, "13(a)", "offset"), 20);
    assert_eq!(value(&a, "13(b)", "opcode"), 1);
    assert_eq!(value(&a, "13(d)", "target_ip"), "10.0.3.2");
    assert_eq!(value(&a, "14(b)", "opcode"), 2);
    assert_eq!(value(&a, "14(c)", "sender_mac"), "02:00:00:00:03:02");
    assert_eq!(value(&a, "15", "dst"), "02:00:00:00:03:01");
    let two = a.iter().find(|x| x.id == "2").unwrap();
    assert!(
        two.answer.contains("server's own interface"),
        "{}",
        two.answer
    );
}

#[test]
fn a_router_is_named_as_the_first_hop() {
    const R: [u8; 6] = [0, 0, 0x0c, 1, 2, 3];
    let mut get = tcp(A, R, 40000, 80, 100, b"GET / HTTP/1.1\r\n\r\n");
    // The server is far away: 192.0.2.80 (frame to the router's MAC).
    get[30..34].copy_from_slice(&[192, 0, 2, 80]);
    let (facts, e) = read(vec![
        arp(1, A, [0xff; 6], 1, 254, [0; 6]),
        arp(2, R, A, 254, 1, R),
        get,
    ]);
    let v = Vendors::from_text("00:00:0C\tCisco\tCisco Systems, Inc\n", &[R]);
    let a = answer_files(vec![&facts], &[e], Some(v));
    let two = &a.iter().find(|x| x.id == "2").unwrap().answer;
    assert!(
        two.contains("first-hop router") && two.contains("10.0.3.254"),
        "{two}"
    );
    assert!(two.contains("Cisco"), "{two}");
}

#[test]
fn vendors_take_the_longest_prefix_and_say_why_there_is_none() {
    let m1 = [0x00, 0x1b, 0xc5, 0x00, 0x10, 0x01];
    let text = "# comment\n00:1B:C5\tIEEE\tIEEE Registration Authority\n\
                00:1B:C5:00:10:00/36\tOpenRBco\tOpenRB.com, Direct SIA\n";
    let v = Vendors::from_text(text, &[m1, A]);
    assert!(v.describe(&m1).contains("OpenRBco"));
    assert!(v.describe(&A).contains("locally administered"));
    assert!(v.describe(&[0xff; 6]).contains("broadcast"));
    assert!(
        Vendors::default()
            .describe(&[0, 1, 2, 3, 4, 5])
            .contains("not installed")
    );
    assert!(v.describe(&[0, 1, 2, 3, 4, 5]).contains("no entry"));
}

#[test]
fn nothing_to_answer_says_what_to_capture() {
    let a = answer_files(vec![], &[], Some(Vendors::default()));
    assert_eq!(a.len(), 2);
    assert!(a[0].answer.contains("No HTTP GET"));
    assert!(a[1].answer.contains("No ARP frame"));
}

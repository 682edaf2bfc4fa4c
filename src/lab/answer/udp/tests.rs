use std::time::Duration;

use etherparse::PacketBuilder;

use super::*;
use crate::analyse::{Analyzer, Packet};
use crate::frame::{Frame, LinkType};

/// An IPv4 address and a port.
type Sock = ([u8; 4], u16);

/// UDP datagrams (from, to, payload) as Ethernet frames, analysed and collected.
fn collect(dgrams: &[(Sock, Sock, &[u8])]) -> UdpFrames {
    let mut analyzer = Analyzer::new();
    let mut p = Packet::default();
    let mut u = UdpFrames::default();
    for (i, (from, to, data)) in dgrams.iter().enumerate() {
        let mut out = Vec::new();
        PacketBuilder::ethernet2([2, 0, 0, 0, 3, from.0[3]], [2, 0, 0, 0, 3, to.0[3]])
            .ipv4(from.0, to.0, 64)
            .udp(from.1, to.1)
            .write(&mut out, data)
            .unwrap();
        let frame = Frame {
            number: i as u64 + 1,
            timestamp: Duration::from_secs(1_700_000_000 + i as u64),
            link_type: LinkType::ETHERNET,
            orig_len: out.len() as u32,
            interface: 0,
            data: out,
        };
        analyzer.process(&frame, &mut p);
        u.add(0, &p, &frame);
    }
    u
}

const A: [u8; 4] = [10, 0, 3, 1];
const B: [u8; 4] = [10, 0, 3, 2];

fn value<'a>(a: &'a [Answer], id: &str, name: &str) -> &'a serde_json::Value {
    a.iter()
        .find(|x| x.id == id)
        .and_then(|x| x.values.get(name))
        .unwrap_or_else(|| panic!("{id} {name}"))
}

#[test]
fn header_fields_lengths_and_protocol_number_come_from_the_frame() {
    let u = collect(&[((A, 40000), (B, 9999), b"hello")]);
    let a = answer_frames(&u);
    assert_eq!(a.len(), 7);
    assert_eq!(value(&a, "1", "frame"), 1);
    assert_eq!(value(&a, "1", "length"), 13);
    assert_eq!(value(&a, "2", "header_offset"), 34);
    assert_eq!(
        value(&a, "2", "header_hex").as_str().unwrap()[..11].to_string(),
        "9c 40 27 0f"
    );
    assert_eq!(value(&a, "3", "payload_bytes"), 5);
    assert_eq!(value(&a, "3", "ip_payload_bytes"), 13);
    assert_eq!(value(&a, "6", "protocol"), 17);
    assert_eq!(value(&a, "6", "protocol_hex"), "0x11");
    assert_eq!(value(&a, "5", "largest_seen"), 40000);
    assert!(a[6].answer.contains("No reply"));
}

#[test]
fn the_reply_swaps_the_ports() {
    let u = collect(&[
        ((B, 5353), (B, 5353), b"x"),
        ((A, 40000), (B, 53), b"query"),
        ((B, 53), (A, 40001), b"other"),
        ((B, 53), (A, 40000), b"answer"),
    ]);
    let a = answer_frames(&u);
    assert_eq!(value(&a, "7", "request_frame"), 2);
    assert_eq!(value(&a, "7", "reply_frame"), 4);
    assert_eq!(
        value(&a, "7", "request_ports"),
        &serde_json::json!([40000, 53])
    );
    assert_eq!(
        value(&a, "7", "reply_ports"),
        &serde_json::json!([53, 40000])
    );
}

#[test]
fn no_udp_says_what_to_capture() {
    let a = answer_frames(&UdpFrames::default());
    assert_eq!(a.len(), 1);
    assert!(a[0].answer.contains("No UDP datagram"));
}

#[test]
fn the_course_labs_are_named_by_name_only() {
    use crate::lab::answer::LabId;
    assert_eq!("udp".parse(), Ok(LabId::Udp));
    assert_eq!("Ethernet-ARP".parse(), Ok(LabId::EthernetArp));
    assert_eq!(LabId::Udp.to_string(), "udp");
    assert!("foo".parse::<LabId>().is_err());
    assert!("tcp".parse::<LabId>().is_err());
}

use std::net::Ipv4Addr;
use std::time::Duration;

use etherparse::PacketBuilder;

use super::*;
use crate::analyse::{Analyzer, Packet};
use crate::frame::{Frame, LinkType};
use crate::wire::dhcp::{BOOTREPLY, DhcpRepr, FLAG_BROADCAST};

const CLIENT: [u8; 6] = [2, 0, 0, 0, 4, 0x0d];
const SERVER_MAC: [u8; 6] = [2, 0, 0, 0, 4, 0xfe];
const SERVER: [u8; 4] = [10, 0, 4, 254];
const ZERO: [u8; 4] = [0, 0, 0, 0];
const ALL: [u8; 4] = [255, 255, 255, 255];
const LEASED: [u8; 4] = [10, 0, 4, 150];

/// A frame: Ethernet and IPv4 addresses, then the message.
struct Pkt {
    eth_dst: [u8; 6],
    src: [u8; 4],
    dst: [u8; 4],
    msg: DhcpRepr,
}

fn client_msg(xid: u32, kind: u8, prl: &[u8], extra: &[(u8, Vec<u8>)]) -> DhcpRepr {
    let mut m = DhcpRepr::request(xid, CLIENT);
    m.options.push((53, vec![kind]));
    if !prl.is_empty() {
        m.options.push((55, prl.to_vec()));
    }
    m.options.extend(extra.iter().cloned());
    m
}

fn server_msg(xid: u32, kind: u8, yiaddr: [u8; 4]) -> DhcpRepr {
    let mut m = DhcpRepr::request(xid, CLIENT);
    m.op = BOOTREPLY;
    m.yiaddr = Ipv4Addr::from(yiaddr);
    m.options = vec![
        (53, vec![kind]),
        (54, SERVER.to_vec()),
        (51, 3600u32.to_be_bytes().to_vec()),
        (58, 1800u32.to_be_bytes().to_vec()),
        (59, 3150u32.to_be_bytes().to_vec()),
        (1, vec![255, 255, 255, 0]),
        (3, SERVER.to_vec()),
        (6, vec![10, 0, 4, 1]),
        (15, b"wirelab.test".to_vec()),
    ];
    m
}

fn collect(pkts: Vec<Pkt>) -> DhcpTrace {
    let mut analyzer = Analyzer::new();
    let mut p = Packet::default();
    let mut t = DhcpTrace::default();
    for (i, k) in pkts.into_iter().enumerate() {
        let mut data = vec![0u8; k.msg.emit_len()];
        k.msg.emit(&mut data).unwrap();
        let (sp, dp, smac) = match k.msg.op {
            BOOTREPLY => (67, 68, SERVER_MAC),
            _ => (68, 67, CLIENT),
        };
        let mut out = Vec::new();
        PacketBuilder::ethernet2(smac, k.eth_dst)
            .ipv4(k.src, k.dst, 64)
            .udp(sp, dp)
            .write(&mut out, &data)
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

fn text<'a>(a: &'a [Answer], id: &str) -> &'a str {
    &a.iter().find(|x| x.id == id).unwrap().answer
}

/// The lab's run: release, a new lease (unicast Offer and ACK), a renewal, a release.
fn the_labs_run() -> Vec<Pkt> {
    let release = |xid| {
        let mut m = client_msg(xid, RELEASE, &[], &[(54, SERVER.to_vec())]);
        m.ciaddr = Ipv4Addr::from(LEASED);
        Pkt {
            eth_dst: SERVER_MAC,
            src: LEASED,
            dst: SERVER,
            msg: m,
        }
    };
    let mut renew = client_msg(0x3333, REQUEST, &[1, 3, 6, 15], &[]);
    renew.ciaddr = Ipv4Addr::from(LEASED);
    let mut renew_ack = server_msg(0x3333, ACK, LEASED);
    renew_ack.ciaddr = Ipv4Addr::from(LEASED);
    vec![
        release(0x1111),
        Pkt {
            eth_dst: [0xff; 6],
            src: ZERO,
            dst: ALL,
            msg: client_msg(0x2222, DISCOVER, &[1, 3, 6, 15, 12], &[(12, b"d".to_vec())]),
        },
        Pkt {
            eth_dst: CLIENT,
            src: SERVER,
            dst: LEASED,
            msg: server_msg(0x2222, OFFER, LEASED),
        },
        Pkt {
            eth_dst: [0xff; 6],
            src: ZERO,
            dst: ALL,
            msg: client_msg(
                0x2222,
                REQUEST,
                &[1, 3, 6, 15, 42],
                &[(50, LEASED.to_vec()), (54, SERVER.to_vec())],
            ),
        },
        Pkt {
            eth_dst: CLIENT,
            src: SERVER,
            dst: LEASED,
            msg: server_msg(0x2222, ACK, LEASED),
        },
        Pkt {
            eth_dst: SERVER_MAC,
            src: LEASED,
            dst: SERVER,
            msg: renew,
        },
        Pkt {
            eth_dst: CLIENT,
            src: SERVER,
            dst: LEASED,
            msg: renew_ack,
        },
        release(0x4444),
    ]
}

#[test]
fn the_dora_is_found_among_a_release_a_renewal_and_another_release() {
    let t = collect(the_labs_run());
    assert_eq!(t.msgs.len(), 8);
    let a = answer_trace(&t);
    assert_eq!(a.len(), 20);
    assert_eq!(value(&a, "0", "xid"), "0x00002222");
    let ex = value(&a, "0", "exchanges").as_array().unwrap().clone();
    assert_eq!(ex.len(), 4);
    assert!(ex[0]["what"].as_str().unwrap().starts_with("release"));
    assert!(
        ex[2]["what"].as_str().unwrap().contains("RENEWING"),
        "{ex:?}"
    );
    assert!(text(&a, "0").contains("← answered") || a[0].table.is_some());
    assert_eq!(value(&a, "1", "transport"), "UDP");
    assert_eq!(value(&a, "1", "discover_frame"), 2);
    assert_eq!(value(&a, "2", "src"), "0.0.0.0");
    assert_eq!(value(&a, "3", "dst"), "255.255.255.255");
    assert_eq!(value(&a, "3", "eth_broadcast"), true);
    assert_eq!(value(&a, "4", "xid"), "0x00002222");
    assert_eq!(
        value(&a, "5", "requested"),
        &serde_json::json!([1, 3, 6, 15, 12])
    );
    assert!(text(&a, "5").contains("Host Name d"), "{}", text(&a, "5"));
    assert_eq!(value(&a, "6", "offer_frame"), 3);
    assert_eq!(value(&a, "6", "same_xid"), true);
    assert_eq!(value(&a, "7", "src"), "10.0.4.254");
    assert_eq!(value(&a, "8", "dst"), "10.0.4.150");
    assert_eq!(value(&a, "8", "broadcast"), false);
    assert!(text(&a, "8").contains("RFC 2131"), "{}", text(&a, "8"));
    assert!(text(&a, "8").contains("not set"));
    assert!(
        text(&a, "9").contains("Router 10.0.4.254"),
        "{}",
        text(&a, "9")
    );
    assert!(text(&a, "9").contains("wirelab.test"));
    assert_eq!(value(&a, "10", "request_frame"), 4);
    assert_eq!(value(&a, "10", "src_port"), 68);
    assert_eq!(value(&a, "10", "dst_port"), 67);
    assert_eq!(value(&a, "11", "src"), "0.0.0.0");
    assert_eq!(value(&a, "12", "dst"), "255.255.255.255");
    assert_eq!(value(&a, "12", "server_id"), "10.0.4.254");
    assert_eq!(value(&a, "13", "matches"), true);
    assert_eq!(value(&a, "14", "added"), &serde_json::json!([42]));
    assert_eq!(value(&a, "14", "removed"), &serde_json::json!([12]));
    assert_eq!(value(&a, "15", "ack_frame"), 5);
    assert_eq!(value(&a, "16", "dst"), "10.0.4.150");
    assert_eq!(value(&a, "17", "yiaddr"), "10.0.4.150");
    assert_eq!(value(&a, "17", "field"), "Your (client) IP address");
    assert_eq!(value(&a, "18", "lease_time"), 3600);
    assert!(
        text(&a, "18").contains("(3600s) 1 hour"),
        "{}",
        text(&a, "18")
    );
    assert_eq!(value(&a, "19", "router"), "10.0.4.254");
}

#[test]
fn a_broadcast_offer_is_explained_by_the_flag() {
    let mut run = the_labs_run();
    for p in run.iter_mut().filter(|p| p.msg.xid == 0x2222) {
        p.msg.flags = FLAG_BROADCAST;
        if p.msg.op == BOOTREPLY {
            p.dst = ALL;
            p.eth_dst = [0xff; 6];
        }
    }
    let a = answer_trace(&collect(run));
    assert_eq!(value(&a, "8", "broadcast"), true);
    assert_eq!(value(&a, "8", "broadcast_flag"), true);
    assert!(text(&a, "16").contains("set (Bootp flags 0x8000)"));
}

#[test]
fn a_renewal_alone_answers_the_ack_and_says_what_is_missing() {
    let run: Vec<Pkt> = the_labs_run()
        .into_iter()
        .filter(|p| p.msg.xid == 0x3333)
        .collect();
    let a = answer_trace(&collect(run));
    assert!(
        text(&a, "1").starts_with("Not in this capture"),
        "{}",
        text(&a, "1")
    );
    assert!(text(&a, "6").starts_with("Not in this capture"));
    assert_eq!(value(&a, "11", "src"), "10.0.4.150");
    assert!(text(&a, "16").contains("ciaddr"), "{}", text(&a, "16"));
    assert_eq!(value(&a, "18", "lease_time"), 3600);
    assert_eq!(value(&a, "13", "matches"), false);
}

#[test]
fn no_dhcp_says_what_to_capture() {
    let a = answer_trace(&DhcpTrace::default());
    assert_eq!(a.len(), 2);
    assert!(text(&a, "0").contains("No DHCP exchange"));
    assert!(text(&a, "1").contains("dhclient"));
}

#[test]
fn cut_and_odd_messages_do_not_panic() {
    let mut analyzer = Analyzer::new();
    let mut p = Packet::default();
    let mut t = DhcpTrace::default();
    let mut full = vec![0u8; 400];
    let n = client_msg(7, DISCOVER, &[1, 3], &[(51, vec![1])])
        .emit(&mut full)
        .unwrap();
    for cut in [1, 20, 100, 236, 240, 243, 246, n] {
        let mut out = Vec::new();
        PacketBuilder::ethernet2(CLIENT, [0xff; 6])
            .ipv4(ZERO, ALL, 64)
            .udp(68, 67)
            .write(&mut out, &full[..cut])
            .unwrap();
        let frame = Frame {
            number: cut as u64,
            timestamp: Duration::from_secs(1),
            link_type: LinkType::ETHERNET,
            orig_len: out.len() as u32,
            interface: 0,
            data: out,
        };
        analyzer.process(&frame, &mut p);
        t.add(0, &p, &frame);
    }
    let a = answer_trace(&t);
    assert!(!a.is_empty());
}

#[test]
fn a_renewal_with_the_leases_transaction_id_is_an_exchange_of_its_own() {
    // busybox udhcpc renews with the transaction ID of its lease's DORA.
    let mut run = the_labs_run();
    for p in run.iter_mut().filter(|p| p.msg.xid == 0x3333) {
        p.msg.xid = 0x2222;
    }
    let a = answer_trace(&collect(run));
    let ex = value(&a, "0", "exchanges").as_array().unwrap().clone();
    assert_eq!(ex.len(), 4, "{ex:?}");
    assert_eq!(ex[1]["frames"], serde_json::json!([2, 3, 4, 5]));
    assert!(ex[2]["what"].as_str().unwrap().contains("RENEWING"));
    assert_eq!(value(&a, "15", "ack_frame"), 5);
}

#[test]
fn an_earlier_request_of_another_exchange_is_named_in_question_10() {
    let mut run = the_labs_run();
    let renewal: Vec<Pkt> = run.drain(5..7).collect();
    run.splice(0..0, renewal);
    let a = answer_trace(&collect(run));
    assert_eq!(value(&a, "0", "xid"), "0x00002222");
    assert_eq!(value(&a, "10", "request_frame"), 6);
    assert!(
        text(&a, "10").contains("an earlier one, frame 1 (RENEWING)"),
        "{}",
        text(&a, "10")
    );
}

use super::*;
use crate::decode::{Ipv4Repr, UdpRepr};

const HOST: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 2);
const ROUTER: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 254);
const TARGET: Ipv4Addr = Ipv4Addr::new(10, 0, 4, 1);

fn v4(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, id: u16, ttl: u8) -> Ipv4Repr {
    Ipv4Repr::new(src, dst, protocol, 40, id, ttl, false).expect("a header")
}

fn probe(frame: u64, id: u16, ttl: u8, port: u16) -> Datagram {
    Datagram {
        file: 0,
        frame,
        time: frame as f64 * 0.001,
        ip: Ip::V4(v4(HOST, TARGET, 17, id, ttl)),
        transport: TransportRepr::Udp(UdpRepr {
            src_port: 40000,
            dst_port: port,
            length: 40,
            checksum: 0,
            range: 34..42,
            payload: 42..74,
        }),
        reassembled: Vec::new(),
        quote: None,
        dns: None,
    }
}

fn error(frame: u64, from: Ipv4Addr, icmp_type: u8, quoted: &Datagram) -> Datagram {
    let q = quoted.v4().cloned();
    Datagram {
        file: 0,
        frame,
        time: frame as f64 * 0.001,
        ip: Ip::V4(v4(from, HOST, 1, 7, 64)),
        transport: TransportRepr::Icmpv4(IcmpRepr {
            icmp_type,
            code: if icmp_type == UNREACHABLE { 3 } else { 0 },
            checksum: 0,
            rest: [0; 4],
            quoted: None,
            range: 34..42,
            body: 42..70,
        }),
        reassembled: Vec::new(),
        quote: Some(Quote {
            ip: q,
            len: 28,
            transport: None,
        }),
        dns: None,
    }
}

#[test]
fn probes_are_matched_to_the_errors_that_quote_them() {
    let p1 = probe(1, 0x100, 1, 33434);
    let p2 = probe(2, 0x2ab, 2, 33435);
    let e2 = error(3, TARGET, UNREACHABLE, &p2);
    let e1 = error(4, ROUTER, TIME_EXCEEDED, &p1);
    let t = Trace::new(vec![p1, p2, e2, e1]);
    assert_eq!(t.host, Some(HOST));
    assert_eq!(t.target, Some(TARGET));
    assert_eq!(t.probes.len(), 2);
    assert_eq!(
        t.probes[0].reply,
        Some(3),
        "the Time Exceeded answers the TTL-1 probe"
    );
    assert_eq!(t.probes[1].reply, Some(2));
    assert_eq!(
        t.probes[0].kind,
        ProbeKind::Udp {
            src: 40000,
            dst: 33434
        }
    );
    assert_eq!(t.runs(), vec![vec![0, 1]]);
    assert!(t.is_traceroute(&[0, 1]));
}

#[test]
fn a_new_traceroute_starts_a_new_run() {
    let all = vec![
        probe(1, 1, 1, 33434),
        probe(2, 2, 1, 33435),
        probe(3, 3, 1, 33434),
    ];
    let e = error(4, ROUTER, TIME_EXCEEDED, &all[0]);
    let mut all = all;
    all.push(e);
    let t = Trace::new(all);
    assert_eq!(t.runs(), vec![vec![0, 1], vec![2]]);
}

#[test]
fn nothing_to_trace_gives_an_empty_trace() {
    let t = Trace::new(Vec::new());
    assert!(t.probes.is_empty());
    assert_eq!(t.host, None);
}

#[test]
fn names_read_as_wireshark_writes_them() {
    assert_eq!(protocol_name(17), "UDP (17)");
    assert_eq!(protocol_name(1), "ICMP (1)");
    assert_eq!(
        icmp_name(11, 0),
        "Time-to-live exceeded (Time to live exceeded in transit)"
    );
    assert_eq!(
        icmp_name(3, 3),
        "Destination unreachable (Port unreachable)"
    );
    assert_eq!(icmp_short(3, 3), "Port Unreachable (3/3)");
    assert_eq!(most_common([3, 1, 3].into_iter()), Some(3));
}

fn echo(frame: u64, ttl: u8, seq: u16) -> Datagram {
    Datagram {
        file: 0,
        frame,
        time: frame as f64 * 0.001,
        ip: Ip::V4(v4(HOST, TARGET, 1, frame as u16, ttl)),
        transport: TransportRepr::Icmpv4(IcmpRepr::echo(ECHO_REQUEST, 1, seq)),
        reassembled: Vec::new(),
        quote: None,
        dns: None,
    }
}

#[test]
fn a_ping_and_a_tracert_with_one_identifier_are_two_runs() {
    // Windows: ping (TTL 128) then tracert (TTL 1, 1, 2) then ping again, identifier 1 for all.
    let all = vec![
        echo(1, 128, 1),
        echo(2, 128, 2),
        echo(3, 1, 3),
        echo(4, 1, 4),
        echo(5, 2, 5),
        echo(6, 128, 6),
    ];
    let t = Trace::new(all);
    assert_eq!(t.runs(), vec![vec![0, 1], vec![2, 3, 4], vec![5]]);
    assert!(!t.is_traceroute(&[0, 1]));
    assert!(t.is_traceroute(&[2, 3, 4]));
}

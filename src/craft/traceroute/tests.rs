//! The tracer driven by scripted answers: probe building, the TTL and port sequence, matching
//! by the quote (and refusing short, hostile or foreign quotes), timeouts and the end.

use super::*;

const MS: Duration = Duration::from_millis(1);
const SRC: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 1);
const DST: Ipv4Addr = Ipv4Addr::new(10, 0, 4, 1);
const ROUTER: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 254);

fn cfg(method: Method) -> TraceConfig {
    TraceConfig {
        method,
        src: SRC,
        dst: DST,
        first_ttl: 1,
        max_hops: 5,
        queries: 3,
        wait: Duration::from_secs(1),
        size: DEFAULT_SIZE,
        first_ip_id: 0xfffe,
    }
}

fn udp() -> TraceConfig {
    cfg(Method::Udp {
        src_port: 40000,
        base_port: BASE_PORT,
    })
}

/// The probe's IP header and the first `quoted` bytes of its payload, as a router quotes them.
fn quote_of(c: &TraceConfig, p: &Probe, quoted: usize) -> Vec<u8> {
    let mut q = vec![0u8; 20];
    p.ip_header(c).unwrap().emit(&mut q).unwrap();
    let payload = p.ip_payload(c).unwrap();
    q.extend_from_slice(&payload[..quoted.min(payload.len())]);
    q
}

/// An ICMP error message of `ty`/`code` carrying `quote`.
fn error(ty: u8, code: u8, quote: &[u8]) -> Vec<u8> {
    let mut m = vec![ty, code, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(quote);
    m
}

#[test]
fn udp_probes_are_built_layer_by_layer_and_check_out() {
    let c = udp();
    let mut t = Tracer::new(c);
    let p = t.poll_transmit(Duration::ZERO).unwrap();
    assert_eq!(
        (p.index, p.ttl, p.query, p.ip_id),
        (0, 1, 0, 0xfffe),
        "{p:?}"
    );
    assert_eq!(
        p.key,
        ProbeKey::Udp {
            src_port: 40000,
            dst_port: 33434
        }
    );
    let ip = p.ip_header(&c).unwrap();
    assert_eq!(
        (ip.total_len, ip.ttl, ip.protocol, ip.dont_fragment),
        (60, 1, 17, false)
    );
    let payload = p.ip_payload(&c).unwrap();
    assert_eq!(payload.len(), 40);
    assert_eq!(&payload[8..12], b"@ABC");
    // etherparse checks the UDP checksum independently.
    let u = etherparse::UdpSlice::from_slice(&payload).unwrap();
    assert_eq!(
        (u.source_port(), u.destination_port(), u.length()),
        (40000, 33434, 40)
    );
    assert_eq!(
        u.to_header()
            .calc_checksum_ipv4_raw(SRC.octets(), DST.octets(), u.payload()),
        Ok(u.checksum())
    );
}

#[test]
fn icmp_probes_are_echo_requests_with_rising_sequence_numbers() {
    let c = TraceConfig {
        size: 3000,
        ..cfg(Method::Icmp { id: 0x4242 })
    };
    let mut t = Tracer::new(c);
    let p = t.poll_transmit(Duration::ZERO).unwrap();
    assert_eq!(p.key, ProbeKey::Icmp { id: 0x4242, seq: 1 });
    let payload = p.ip_payload(&c).unwrap();
    assert_eq!(payload.len(), 2980);
    assert_eq!(p.ip_header(&c).unwrap().total_len, 3000);
    let i = etherparse::Icmpv4Slice::from_slice(&payload).unwrap();
    assert_eq!((i.type_u8(), i.code_u8()), (8, 0));
    assert_eq!(i.icmp_type().calc_checksum(i.payload()), i.checksum());
    // The echo reply ends the trace after the hop.
    let mut reply = payload.clone();
    reply[0] = ECHO_REPLY;
    let a = t.on_icmp(2 * MS, DST, &reply).unwrap();
    assert_eq!(
        (a.kind, a.matched_by, a.rtt),
        (AnswerKind::EchoReply, MatchedBy::EchoIdSeq, 2 * MS)
    );
    let p2 = t.poll_transmit(3 * MS).unwrap();
    assert_eq!(p2.key, ProbeKey::Icmp { id: 0x4242, seq: 2 });
    // Another run's echo reply is not ours.
    let mut other = p2.ip_payload(&c).unwrap();
    other[0] = ECHO_REPLY;
    other[4] = 0;
    assert!(t.on_icmp(4 * MS, DST, &other).is_none());
}

#[test]
fn ttls_rise_per_hop_ports_per_probe_and_the_trace_ends_after_the_destination_hop() {
    let c = udp();
    let mut t = Tracer::new(c);
    let mut now = Duration::ZERO;
    let mut seen = Vec::new();
    // Bounded: 6 probes (2 hops of 3), then nothing more is due.
    for _ in 0..10 {
        let Some(p) = t.poll_transmit(now) else { break };
        let ProbeKey::Udp { dst_port, .. } = p.key else {
            panic!()
        };
        seen.push((p.ttl, dst_port, p.ip_id));
        let (from, ty, code) = if p.ttl == 1 {
            (ROUTER, TIME_EXCEEDED, 0)
        } else {
            (DST, DEST_UNREACHABLE, PORT_UNREACHABLE)
        };
        now += MS;
        let a = t
            .on_icmp(now, from, &error(ty, code, &quote_of(&c, &p, 8)))
            .unwrap();
        assert_eq!(
            (a.probe, a.from, a.matched_by),
            (p, from, MatchedBy::UdpPorts)
        );
        assert!(a.ip_id_agrees);
    }
    assert_eq!(
        seen,
        [
            (1, 33434, 0xfffe),
            (1, 33435, 0xffff),
            (1, 33436, 0),
            (2, 33437, 1),
            (2, 33438, 2),
            (2, 33439, 3)
        ]
    );
    assert!(t.done() && t.reached());
    let events: Vec<_> = std::iter::from_fn(|| t.poll_event()).collect();
    assert_eq!(events.len(), 8);
    assert_eq!(
        events[3],
        Event::HopDone {
            ttl: 1,
            last: false
        }
    );
    assert_eq!(events[7], Event::HopDone { ttl: 2, last: true });
}

#[test]
fn silence_gives_timeouts_and_the_trace_stops_at_max_hops() {
    let c = TraceConfig {
        max_hops: 2,
        queries: 2,
        ..udp()
    };
    let mut t = Tracer::new(c);
    let mut now = Duration::ZERO;
    let mut sent = 0;
    for _ in 0..100 {
        if t.done() {
            break;
        }
        if t.poll_transmit(now).is_some() {
            sent += 1;
        }
        assert!(t.poll_at(now) > now || t.done());
        now = t.poll_at(now);
        t.expire(now);
    }
    assert!(t.done() && !t.reached());
    assert_eq!(sent, 4);
    assert_eq!(now, Duration::from_secs(4));
    let events: Vec<_> = std::iter::from_fn(|| t.poll_event()).collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::TimedOut(_)))
            .count(),
        4
    );
    assert_eq!(events.last(), Some(&Event::HopDone { ttl: 2, last: true }));
    assert!(t.poll_transmit(now + Duration::from_secs(9)).is_none());
}

#[test]
fn a_quote_without_its_8_bytes_is_matched_by_the_ip_identification() {
    let c = udp();
    let mut t = Tracer::new(c);
    let p = t.poll_transmit(Duration::ZERO).unwrap();
    let mut q = quote_of(&c, &p, 0);
    // Another probe's id: not ours.
    q[5] ^= 1;
    assert!(t.on_icmp(MS, ROUTER, &error(11, 0, &q)).is_none());
    q[5] ^= 1;
    let a = t.on_icmp(MS, ROUTER, &error(11, 0, &q)).unwrap();
    assert_eq!(a.matched_by, MatchedBy::IpId);
    assert_eq!(a.quote.unwrap().header, QuotedHeader::Other);
}

/// Hostile and foreign messages: short, cut, lying about their header length, quoting
/// someone else's packet, or answering a probe that already timed out. None matches, none
/// panics.
#[test]
fn hostile_truncated_and_foreign_quotes_match_nothing() {
    let c = udp();
    let mut t = Tracer::new(c);
    let p = t.poll_transmit(Duration::ZERO).unwrap();
    let good = quote_of(&c, &p, 8);
    for cut in 0..good.len() {
        if cut < 20 {
            assert!(
                t.on_icmp(MS, ROUTER, &error(11, 0, &good[..cut])).is_none(),
                "{cut}"
            );
        }
        assert!(t.on_icmp(MS, ROUTER, &good[..cut.min(7)]).is_none());
    }
    // IHL 15 (60 bytes) with only 28 quoted: not an IPv4 header there.
    let mut liar = good.clone();
    liar[0] = 0x4f;
    assert!(t.on_icmp(MS, ROUTER, &error(11, 0, &liar)).is_none());
    // IHL 4 and version 6.
    for b in [0x44, 0x65] {
        let mut bad = good.clone();
        bad[0] = b;
        assert!(t.on_icmp(MS, ROUTER, &error(11, 0, &bad)).is_none());
    }
    // Another source, destination, or port.
    for at in [12, 16, 20, 22] {
        let mut other = good.clone();
        other[at + 1] ^= 0x80;
        assert!(
            t.on_icmp(MS, ROUTER, &error(11, 0, &other)).is_none(),
            "{at}"
        );
    }
    // Not an error type; an echo reply to a UDP probe.
    assert!(t.on_icmp(MS, ROUTER, &error(5, 0, &good)).is_none());
    assert!(t.on_icmp(MS, DST, &[0, 0, 0, 0, 0, 0, 0, 1]).is_none());
    // Random bytes, bounded.
    let mut x: u32 = 7;
    for _ in 0..2000 {
        let mut m = error(11, 0, &good);
        for b in m.iter_mut() {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            if x >> 28 == 0 {
                *b = (x >> 16) as u8;
            }
        }
        let _ = t.clone().on_icmp(MS, ROUTER, &m);
    }
    // Late: the probe timed out, then its answer came.
    t.expire(Duration::from_secs(2));
    assert!(matches!(t.poll_event(), Some(Event::TimedOut(_))));
    assert!(
        t.on_icmp(Duration::from_secs(2), ROUTER, &error(11, 0, &good))
            .is_none()
    );
    // The next probe is answered once only.
    let p2 = t.poll_transmit(Duration::from_secs(2)).unwrap();
    let q2 = error(11, 0, &quote_of(&c, &p2, 8));
    assert!(t.on_icmp(Duration::from_secs(2), ROUTER, &q2).is_some());
    assert!(t.on_icmp(Duration::from_secs(2), ROUTER, &q2).is_none());
}

#[test]
fn unreachables_end_the_trace_with_traceroutes_marks() {
    assert_eq!(AnswerKind::Unreachable { code: 1 }.mark(), "!H");
    assert_eq!(AnswerKind::Unreachable { code: 0 }.mark(), "!N");
    assert_eq!(AnswerKind::Unreachable { code: 13 }.mark(), "!X");
    assert_eq!(AnswerKind::Unreachable { code: 3 }.mark(), "");
    assert_eq!(AnswerKind::Unreachable { code: 99 }.mark(), "!<99>");
    assert_eq!(AnswerKind::TimeExceeded { code: 0 }.mark(), "");
    assert_eq!(AnswerKind::TimeExceeded { code: 1 }.mark(), "");
    assert!(AnswerKind::Unreachable { code: 1 }.is_final());
    assert!(!AnswerKind::TimeExceeded { code: 0 }.is_final());
    let c = TraceConfig {
        queries: 1,
        ..udp()
    };
    let mut t = Tracer::new(c);
    let p = t.poll_transmit(Duration::ZERO).unwrap();
    let a = t
        .on_icmp(MS, ROUTER, &error(3, 1, &quote_of(&c, &p, 8)))
        .unwrap();
    assert_eq!(a.kind, AnswerKind::Unreachable { code: 1 });
    assert!(t.done());
    assert!(t.poll_transmit(2 * MS).is_none());
}

#[test]
fn odd_settings_are_clamped() {
    let mut t = Tracer::new(TraceConfig {
        first_ttl: 0,
        max_hops: 0,
        queries: 0,
        size: 0,
        ..udp()
    });
    assert_eq!(t.config().size, MIN_SIZE);
    let p = t.poll_transmit(Duration::ZERO).unwrap();
    assert_eq!((p.ttl, t.config().queries), (1, 1));
    t.expire(Duration::from_secs(1));
    assert!(t.done());
    let big = TraceConfig {
        size: 70_000,
        ..udp()
    };
    let p = Tracer::new(big).poll_transmit(Duration::ZERO).unwrap();
    assert!(p.ip_payload(&big).is_err());
    assert!(p.ip_header(&big).is_err());
}

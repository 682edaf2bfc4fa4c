//! End-to-end tests of the filter: parse → print → evaluate over hand-built frames, errors
//! with their exact columns, and a seeded random-input check that parsing never panics.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;

/// A hand-built frame summary: just enough layers to test every field.
#[derive(Debug, Clone, Default)]
struct TestFrame {
    number: u64,
    len: u64,
    eth: Option<([u8; 6], [u8; 6], u16)>,
    arp_opcode: Option<u16>,
    ip: Option<(Ipv4Addr, Ipv4Addr, u8, u8)>,
    ipv6: Option<(Ipv6Addr, Ipv6Addr)>,
    icmp: Option<(u8, u8)>,
    icmpv6: bool,
    tcp: Option<Tcp>,
    udp: Option<(u16, u16, u16)>,
    simp: Option<(u8, &'static str)>,
}

#[derive(Debug, Clone, Default)]
struct Tcp {
    src: u16,
    dst: u16,
    stream: u64,
    seq: u64,
    ack: u64,
    len: u64,
    flags: u16,
    window: u64,
    analysis: Vec<Field>,
}

impl Fields for TestFrame {
    fn has(&self, proto: Proto) -> bool {
        match proto {
            Proto::Eth => self.eth.is_some(),
            Proto::Arp => self.arp_opcode.is_some(),
            Proto::Ip => self.ip.is_some(),
            Proto::Ipv6 => self.ipv6.is_some(),
            Proto::Icmp => self.icmp.is_some(),
            Proto::Icmpv6 => self.icmpv6,
            Proto::Tcp => self.tcp.is_some(),
            Proto::Udp => self.udp.is_some(),
            Proto::App(d) => d == crate::dissect::Dissector::Simp && self.simp.is_some(),
        }
    }

    fn each(&self, field: Field, f: &mut dyn FnMut(FieldValue<'_>)) {
        use FieldValue::{Bool, Int, Ip, Mac, Str};
        let flag = |bit: u16| self.tcp.as_ref().map(|t| Bool(t.flags & bit != 0));
        let v: Option<FieldValue<'_>> = match field {
            Field::FrameNumber => Some(Int(self.number)),
            Field::FrameLen => Some(Int(self.len)),
            Field::FrameCapLen => Some(Int(self.len.min(64))),
            Field::EthSrc => self.eth.map(|e| Mac(e.0)),
            Field::EthDst => self.eth.map(|e| Mac(e.1)),
            Field::EthType => self.eth.map(|e| Int(e.2.into())),
            Field::IpSrc => self.ip.map(|i| Ip(IpAddr::V4(i.0))),
            Field::IpDst => self.ip.map(|i| Ip(IpAddr::V4(i.1))),
            Field::IpProto => self.ip.map(|i| Int(i.2.into())),
            Field::IpTtl => self.ip.map(|i| Int(i.3.into())),
            Field::Ipv6Src => self.ipv6.map(|i| Ip(IpAddr::V6(i.0))),
            Field::Ipv6Dst => self.ipv6.map(|i| Ip(IpAddr::V6(i.1))),
            Field::TcpSrcPort => self.tcp.as_ref().map(|t| Int(t.src.into())),
            Field::TcpDstPort => self.tcp.as_ref().map(|t| Int(t.dst.into())),
            Field::TcpStream => self.tcp.as_ref().map(|t| Int(t.stream)),
            Field::TcpSeq => self.tcp.as_ref().map(|t| Int(t.seq)),
            Field::TcpAck => self.tcp.as_ref().map(|t| Int(t.ack)),
            Field::TcpLen => self.tcp.as_ref().map(|t| Int(t.len)),
            Field::TcpFlags => self.tcp.as_ref().map(|t| Int(t.flags.into())),
            Field::TcpFlagsFin => flag(0x001),
            Field::TcpFlagsSyn => flag(0x002),
            Field::TcpFlagsRst => flag(0x004),
            Field::TcpFlagsPush => flag(0x008),
            Field::TcpFlagsAck => flag(0x010),
            Field::TcpFlagsUrg => flag(0x020),
            Field::TcpWindowSize => self.tcp.as_ref().map(|t| Int(t.window)),
            Field::TcpAnalysisRetransmission
            | Field::TcpAnalysisDuplicateAck
            | Field::TcpAnalysisZeroWindow
            | Field::TcpAnalysisOutOfOrder
            | Field::TcpAnalysisKeepAlive
            | Field::TcpAnalysisLostSegment => self
                .tcp
                .as_ref()
                .filter(|t| t.analysis.contains(&field))
                .map(|_| Bool(true)),
            Field::UdpSrcPort => self.udp.map(|u| Int(u.0.into())),
            Field::UdpDstPort => self.udp.map(|u| Int(u.1.into())),
            Field::UdpLength => self.udp.map(|u| Int(u.2.into())),
            Field::IcmpType => self.icmp.map(|i| Int(i.0.into())),
            Field::IcmpCode => self.icmp.map(|i| Int(i.1.into())),
            Field::ArpOpcode => self.arp_opcode.map(|o| Int(o.into())),
            Field::App(d) if d.name == "simp.type" => self.simp.map(|s| Int(s.0.into())),
            Field::App(d) if d.name == "simp.user" => self.simp.map(|s| Str(s.1)),
            Field::App(_) => None,
            Field::EthAddr | Field::IpAddr | Field::Ipv6Addr | Field::TcpPort | Field::UdpPort => {
                panic!("the evaluator must ask for the parts of {}", field.name())
            }
        };
        if let Some(v) = v {
            f(v);
        }
    }
}

const MAC_A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0a];
const MAC_B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0b];
const BCAST: [u8; 6] = [0xff; 6];

fn v4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn tcp4(src: &str, sport: u16, dst: &str, dport: u16, flags: u16) -> TestFrame {
    TestFrame {
        eth: Some((MAC_A, MAC_B, 0x0800)),
        ip: Some((v4(src), v4(dst), 6, 64)),
        tcp: Some(Tcp {
            src: sport,
            dst: dport,
            flags,
            window: 65535,
            ..Tcp::default()
        }),
        len: 66,
        ..TestFrame::default()
    }
}

/// The frames every evaluation test runs over; numbered 1.. in this order.
fn frames() -> Vec<TestFrame> {
    let mut all = Vec::new();
    // 1: SYN 10.0.0.1:5000 → 10.0.0.2:80
    all.push(tcp4("10.0.0.1", 5000, "10.0.0.2", 80, 0x002));
    // 2: SYN-ACK back
    let mut f = tcp4("10.0.0.2", 80, "10.0.0.1", 5000, 0x012);
    f.eth = Some((MAC_B, MAC_A, 0x0800));
    if let Some(t) = f.tcp.as_mut() {
        t.ack = 1;
    }
    all.push(f);
    // 3: PSH-ACK with 100 bytes, flagged as a retransmission, TTL 128
    let mut f = tcp4("10.0.0.1", 5000, "10.0.0.2", 80, 0x018);
    f.ip = Some((v4("10.0.0.1"), v4("10.0.0.2"), 6, 128));
    f.len = 166;
    if let Some(t) = f.tcp.as_mut() {
        t.seq = 1;
        t.ack = 1;
        t.len = 100;
        t.analysis = vec![Field::TcpAnalysisRetransmission];
    }
    all.push(f);
    // 4: UDP DNS reply 10.0.3.7:53 → 10.0.0.9:33000
    all.push(TestFrame {
        eth: Some((MAC_B, MAC_A, 0x0800)),
        ip: Some((v4("10.0.3.7"), v4("10.0.0.9"), 17, 60)),
        udp: Some((53, 33000, 48)),
        len: 82,
        ..TestFrame::default()
    });
    // 5: ARP request to broadcast
    all.push(TestFrame {
        eth: Some((MAC_A, BCAST, 0x0806)),
        arp_opcode: Some(1),
        len: 42,
        ..TestFrame::default()
    });
    // 6: ICMP echo request 10.0.0.1 → 8.8.8.8, TTL 1
    all.push(TestFrame {
        eth: Some((MAC_A, MAC_B, 0x0800)),
        ip: Some((v4("10.0.0.1"), v4("8.8.8.8"), 1, 1)),
        icmp: Some((8, 0)),
        len: 98,
        ..TestFrame::default()
    });
    // 7: IPv6 SYN ::1:40000 → ::1:8080 (no Ethernet: loopback capture)
    all.push(TestFrame {
        ipv6: Some((Ipv6Addr::LOCALHOST, Ipv6Addr::LOCALHOST)),
        tcp: Some(Tcp {
            src: 40000,
            dst: 8080,
            flags: 0x002,
            stream: 1,
            window: 0,
            analysis: vec![Field::TcpAnalysisZeroWindow],
            ..Tcp::default()
        }),
        len: 94,
        ..TestFrame::default()
    });
    // 8: SIMP chat from alice over UDP on loopback
    all.push(TestFrame {
        ip: Some((v4("127.0.0.1"), v4("127.0.0.1"), 17, 64)),
        udp: Some((41000, 7777, 30)),
        simp: Some((1, "alice")),
        len: 50,
        ..TestFrame::default()
    });
    // 9: ICMPv6 from fe80::1 to ff02::1
    all.push(TestFrame {
        ipv6: Some(("fe80::1".parse().unwrap(), "ff02::1".parse().unwrap())),
        icmpv6: true,
        len: 70,
        ..TestFrame::default()
    });
    for (i, f) in all.iter_mut().enumerate() {
        f.number = i as u64 + 1;
    }
    all
}

/// Frame numbers that `filter` selects.
fn selected(filter: &str) -> Vec<u64> {
    let f = Filter::parse(filter).unwrap_or_else(|e| panic!("{}", e.render(filter)));
    frames()
        .iter()
        .filter(|fr| f.matches(*fr))
        .map(|fr| fr.number)
        .collect()
}

#[test]
fn evaluation_table() {
    let table: &[(&str, &[u64])] = &[
        // Empty filter, `frame`, protocols.
        ("", &[1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ("frame", &[1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ("eth", &[1, 2, 3, 4, 5, 6]),
        ("tcp", &[1, 2, 3, 7]),
        ("udp", &[4, 8]),
        ("arp", &[5]),
        ("ip", &[1, 2, 3, 4, 6, 8]),
        ("ipv6", &[7, 9]),
        ("icmp", &[6]),
        ("icmpv6", &[9]),
        ("simp", &[8]),
        // Presence fields and flags.
        ("tcp.analysis.retransmission", &[3]),
        ("tcp.analysis.zero_window", &[7]),
        ("tcp.analysis.duplicate_ack", &[]),
        ("tcp.flags.syn", &[1, 2, 3, 7]),
        ("tcp.flags.syn == 1", &[1, 2, 7]),
        ("tcp.flags.syn == true", &[1, 2, 7]),
        ("tcp.flags.syn == True", &[1, 2, 7]),
        ("tcp.flags.syn == 0", &[3]),
        ("tcp.flags.syn == false", &[3]),
        ("tcp.flags.syn != 1", &[3]),
        ("tcp.flags.syn > 0", &[1, 2, 7]),
        ("tcp.flags.syn == 1 && tcp.flags.ack == 1", &[2]),
        ("tcp.flags.push == 1", &[3]),
        (
            "tcp.flags.rst == 1 or tcp.flags.fin == 1 or tcp.flags.urg == 1",
            &[],
        ),
        ("tcp.flags.reset == 0", &[1, 2, 3, 7]),
        ("tcp.flags == 0x012", &[2]),
        ("tcp.flags == 0x02", &[1, 7]),
        ("tcp.flags & 0x02", &[1, 2, 7]),
        ("tcp.flags bitwise_and 0x10", &[2, 3]),
        ("tcp.flags & 0x12 == 0x12", &[2]),
        ("tcp.flags & 0x12 != 0x12", &[1, 3, 7]),
        // Every comparison operator, symbol and word.
        ("ip.ttl == 64", &[1, 2, 8]),
        ("ip.ttl eq 64", &[1, 2, 8]),
        ("ip.ttl != 64", &[3, 4, 6]),
        ("ip.ttl ne 64", &[3, 4, 6]),
        ("ip.ttl < 64", &[4, 6]),
        ("ip.ttl lt 64", &[4, 6]),
        ("ip.ttl <= 64", &[1, 2, 4, 6, 8]),
        ("ip.ttl le 64", &[1, 2, 4, 6, 8]),
        ("ip.ttl > 64", &[3]),
        ("ip.ttl gt 64", &[3]),
        ("ip.ttl >= 64", &[1, 2, 3, 8]),
        ("ip.ttl ge 64", &[1, 2, 3, 8]),
        ("ip.ttl==64", &[1, 2, 8]),
        // Number forms: hex, binary, octal (Wireshark reads a leading 0 as octal).
        ("eth.type == 0x0806", &[5]),
        ("eth.type == 2054", &[5]),
        ("ip.ttl == 0b1", &[6]),
        ("ip.ttl == 0100", &[1, 2, 8]),
        ("ip.ttl == 0x40", &[1, 2, 8]),
        ("ip.proto == 17", &[4, 8]),
        // Multi-valued fields: any value for ==, none for !=.
        ("ip.addr == 10.0.0.1", &[1, 2, 3, 6]),
        ("ip.addr != 10.0.0.1", &[4, 8]),
        ("!(ip.addr == 10.0.0.1)", &[4, 5, 7, 8, 9]),
        ("not ip.addr == 10.0.0.1", &[4, 5, 7, 8, 9]),
        ("ip.addr ~= 10.0.0.1", &[1, 2, 3, 4, 6, 8]),
        ("ip.addr !== 10.0.0.1", &[1, 2, 3, 4, 6, 8]),
        ("ip.addr any_ne 10.0.0.1", &[1, 2, 3, 4, 6, 8]),
        ("ip.addr === 127.0.0.1", &[8]),
        ("ip.addr all_eq 127.0.0.1", &[8]),
        ("ip.addr any_eq 127.0.0.1", &[8]),
        ("ip.addr all_ne 10.0.0.1", &[4, 8]),
        ("ip.src == 10.0.0.1", &[1, 3, 6]),
        ("ip.dst == 10.0.0.1", &[2]),
        ("tcp.port == 80", &[1, 2, 3]),
        ("tcp.port != 80", &[7]),
        ("tcp.port > 6000", &[7]),
        ("tcp.port < 100", &[1, 2, 3]),
        ("tcp.srcport == 80", &[2]),
        ("tcp.dstport == 80", &[1, 3]),
        ("udp.port == 53", &[4]),
        ("udp.port != 53", &[8]),
        ("eth.addr == ff:ff:ff:ff:ff:ff", &[5]),
        ("eth.addr == ff-ff-ff-ff-ff-ff", &[5]),
        ("eth.addr == ffff.ffff.ffff", &[5]),
        ("eth.dst == 02:00:00:00:00:0a", &[2, 4]),
        ("eth.addr != 02:00:00:00:00:0b", &[5]),
        ("eth.src > 02:00:00:00:00:0a", &[2, 4]),
        ("ipv6.addr == ::1", &[7]),
        ("ipv6.src == fe80::1", &[9]),
        ("ipv6.addr != ::1", &[9]),
        // CIDR.
        ("ip.addr == 10.0.3.0/24", &[4]),
        ("ip.addr == 10.0.0.0/8", &[1, 2, 3, 4, 6]),
        ("ip.addr != 10.0.0.0/8", &[8]),
        ("ip.src == 10.0.3.99/24", &[4]),
        ("ip.addr == 0.0.0.0/0", &[1, 2, 3, 4, 6, 8]),
        ("ipv6.addr == ff00::/8", &[9]),
        ("ipv6.addr == fe80::/10", &[9]),
        // Sets and ranges.
        ("tcp.port in {80, 443}", &[1, 2, 3]),
        ("tcp.port in {8000..8080}", &[7]),
        ("tcp.port in {8000 .. 8080, 22}", &[7]),
        ("tcp.port in {8000 ..8080}", &[7]),
        ("tcp.port in {8000.. 8080}", &[7]),
        ("tcp.port not in {80}", &[4, 5, 6, 7, 8, 9]),
        ("udp.port not in {53}", &[1, 2, 3, 5, 6, 7, 8, 9]),
        ("ip.addr in {10.0.3.0/24, 8.8.8.8}", &[4, 6]),
        ("ip.addr in {10.0.0.2..10.0.0.9}", &[1, 2, 3, 4]),
        ("simp.user in {\"bob\", alice}", &[8]),
        ("tcp.flags.syn in {1}", &[1, 2, 7]),
        // Strings.
        ("simp.user == \"alice\"", &[8]),
        ("simp.user == alice", &[8]),
        ("simp.user == \"Alice\"", &[]),
        ("simp.user != \"bob\"", &[8]),
        ("simp.user contains \"lic\"", &[8]),
        ("simp.user contains lic", &[8]),
        ("simp.user contains \"LIC\"", &[]),
        ("simp.user > \"a\"", &[8]),
        ("simp.user == \"\\x61lic\\145\"", &[8]),
        ("simp.type == 1", &[8]),
        // Field against field.
        ("tcp.srcport < tcp.dstport", &[2]),
        ("tcp.srcport > tcp.dstport", &[1, 3, 7]),
        ("ip.src == ip.dst", &[8]),
        ("ip.src != ip.dst", &[1, 2, 3, 4, 6]),
        ("tcp.port == tcp.port", &[1, 2, 3, 7]),
        ("eth.src == eth.dst", &[]),
        ("frame.len > tcp.len", &[1, 2, 3, 7]),
        ("tcp.flags.syn == tcp.flags.ack", &[2]),
        ("tcp.flags.syn != tcp.flags.ack", &[1, 3, 7]),
        // Other fields.
        ("frame.number == 3", &[3]),
        ("frame.number >= 8", &[8, 9]),
        ("frame.len > 90", &[3, 6, 7]),
        ("frame.cap_len == 64", &[1, 2, 3, 4, 6, 7, 9]),
        ("frame.cap_len < frame.len", &[1, 2, 3, 4, 6, 7, 9]),
        ("tcp.stream == 1", &[7]),
        ("tcp.seq == 1", &[3]),
        ("tcp.ack == 1", &[2, 3]),
        ("tcp.len > 0", &[3]),
        ("tcp.window_size == 0", &[7]),
        ("udp.srcport == 53 and udp.dstport == 33000", &[4]),
        ("udp.length == 48", &[4]),
        ("icmp.type == 8 and icmp.code == 0", &[6]),
        ("arp.opcode == 1", &[5]),
        // Logic and precedence: not > and > or.
        ("tcp or udp", &[1, 2, 3, 4, 7, 8]),
        ("tcp||udp", &[1, 2, 3, 4, 7, 8]),
        ("tcp and ip", &[1, 2, 3]),
        ("tcp&&ip", &[1, 2, 3]),
        ("!tcp", &[4, 5, 6, 8, 9]),
        ("not tcp", &[4, 5, 6, 8, 9]),
        ("!!tcp", &[1, 2, 3, 7]),
        ("not not tcp", &[1, 2, 3, 7]),
        ("arp or tcp and ipv6", &[5, 7]),
        ("(arp or tcp) and ipv6", &[7]),
        ("tcp and ipv6 or arp", &[5, 7]),
        ("tcp and (ipv6 or arp)", &[7]),
        ("not tcp and ip", &[4, 6, 8]),
        ("not (tcp and ip)", &[4, 5, 6, 7, 8, 9]),
        ("!tcp.port==80&&ip", &[4, 6, 8]),
        (
            "tcp.port == 80 and tcp.flags.syn == 1 or frame.number == 5",
            &[1, 2, 5],
        ),
        (
            "frame.number == 5 or tcp.port == 80 and tcp.flags.syn == 1",
            &[1, 2, 5],
        ),
        ("((tcp))", &[1, 2, 3, 7]),
        ("  tcp  ", &[1, 2, 3, 7]),
        ("\ttcp\nand\nip", &[1, 2, 3]),
    ];
    for (filter, want) in table {
        assert_eq!(selected(filter), *want, "filter: {filter}");
    }
}

#[test]
fn canonical_display_round_trips() {
    let table: &[(&str, &str)] = &[
        ("", "frame"),
        ("tcp", "tcp"),
        ("ip.src==10.0.0.1", "ip.src == 10.0.0.1"),
        ("tcp or udp and arp", "tcp or (udp and arp)"),
        (
            "tcp and udp or arp and icmp",
            "(tcp and udp) or (arp and icmp)",
        ),
        ("tcp && (udp || arp)", "tcp and (udp or arp)"),
        ("!(tcp and udp)", "not (tcp and udp)"),
        ("!!tcp", "not not tcp"),
        ("not tcp and udp", "not tcp and udp"),
        ("tcp or udp or arp", "tcp or udp or arp"),
        ("tcp.port eq 80", "tcp.port == 80"),
        ("tcp.port ne 80", "tcp.port != 80"),
        ("tcp.port ~= 80", "tcp.port !== 80"),
        ("tcp.port all_eq 80", "tcp.port === 80"),
        ("tcp.port le 80", "tcp.port <= 80"),
        ("eth.type == 0x0800", "eth.type == 2048"),
        ("ip.addr == 10.0.3.0/24", "ip.addr == 10.0.3.0/24"),
        ("ip.addr == 10.0.3.0/32", "ip.addr == 10.0.3.0/32"),
        (
            "eth.addr == AA-BB-CC-DD-EE-FF",
            "eth.addr == aa:bb:cc:dd:ee:ff",
        ),
        ("simp.user == alice", "simp.user == \"alice\""),
        (
            "simp.user == \"a\\\"b\\\\c\\n\"",
            "simp.user == \"a\\\"b\\\\c\\x0a\"",
        ),
        ("simp.user contains \"al\"", "simp.user contains \"al\""),
        ("tcp.flags.syn == true", "tcp.flags.syn == 1"),
        ("tcp.flags.rst == 0", "tcp.flags.reset == 0"),
        (
            "tcp.port in {80,443, 8000..8080}",
            "tcp.port in {80, 443, 8000..8080}",
        ),
        ("tcp.port not in {80}", "not tcp.port in {80}"),
        ("tcp.flags & 0x12 == 0x12", "tcp.flags & 0x12 == 18"),
        ("tcp.flags bitwise_and 2", "tcp.flags & 0x2"),
        ("tcp.srcport < tcp.dstport", "tcp.srcport < tcp.dstport"),
        ("ipv6.addr == FE80::/10", "ipv6.addr == fe80::/10"),
        ("tcp.analysis.retransmission", "tcp.analysis.retransmission"),
    ];
    for (src, want) in table {
        let f = Filter::parse(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
        let shown = f.to_string();
        assert_eq!(shown, *want, "filter: {src}");
        let again = Filter::parse(&shown).unwrap_or_else(|e| panic!("{}", e.render(&shown)));
        assert_eq!(again, f, "round trip of {src}");
        assert_eq!(src.parse::<Filter>(), Ok(f));
    }
}

#[test]
fn error_columns_and_messages() {
    // (filter, column, message) — columns counted by hand, 1-based chars.
    let table: &[(&str, usize, &str)] = &[
        // Unexpected end.
        (
            "tcp.port ==",
            12,
            "unexpected end of filter: expected a value after \"==\"",
        ),
        (
            "tcp.port == ",
            13,
            "unexpected end of filter: expected a value after \"==\"",
        ),
        (
            "tcp and",
            8,
            "unexpected end of filter: expected a test after \"and\"",
        ),
        (
            "tcp ||",
            7,
            "unexpected end of filter: expected a test after \"||\"",
        ),
        (
            "!",
            2,
            "unexpected end of filter: expected a test after \"!\"",
        ),
        (
            "tcp.port in {80,",
            13,
            "this \"{\" is never closed (missing \"}\")",
        ),
        (
            "tcp.port in {80",
            13,
            "this \"{\" is never closed (missing \"}\")",
        ),
        (
            "tcp.port in",
            12,
            "expected \"{\" after \"in\", e.g. tcp.port in {80, 443, 8000..8080}",
        ),
        (
            "simp.user == \"al",
            14,
            "this string is never closed (missing '\"')",
        ),
        // Unbalanced parentheses.
        (
            "(tcp",
            1,
            "unbalanced parentheses: this \"(\" is never closed",
        ),
        (
            "tcp and ((udp) or arp",
            9,
            "unbalanced parentheses: this \"(\" is never closed",
        ),
        (
            "tcp)",
            4,
            "unbalanced parentheses: this \")\" has no matching \"(\"",
        ),
        (
            ")",
            1,
            "unbalanced parentheses: this \")\" has no matching \"(\"",
        ),
        (
            "tcp.port == 80 )",
            16,
            "unbalanced parentheses: this \")\" has no matching \"(\"",
        ),
        ("()", 2, "empty parentheses: expected a test inside"),
        ("(tcp and)", 9, "expected a test after \"and\", found \")\""),
        ("(tcp udp)", 6, "missing \"and\" or \"or\" before \"udp\""),
        // Unknown fields and names.
        (
            "tcp.prot == 80",
            1,
            "unknown field \"tcp.prot\" (did you mean \"tcp.port\"?)",
        ),
        (
            "ip.source == 10.0.0.1",
            1,
            "unknown field \"ip.source\" (did you mean \"ip.src\"?)",
        ),
        (
            "tcp and TCP",
            9,
            "unknown protocol or field \"TCP\" (did you mean \"tcp\"?)",
        ),
        ("smb2.cmd == 5", 1, "unknown field \"smb2.cmd\""),
        ("foo", 1, "unknown protocol or field \"foo\""),
        (
            "10.0.0.1",
            1,
            "\"10.0.0.1\" is an IPv4 address, not a field or protocol (did you mean ip.addr == 10.0.0.1?)",
        ),
        (
            "80",
            1,
            "\"80\" is a value, not a field or protocol (a test looks like tcp.port == 80)",
        ),
        (
            "tcp.port == tcp",
            13,
            "\"tcp\" is a protocol, not a value: tcp.port cannot be compared with it",
        ),
        // Bad values and type errors.
        (
            "ip.addr == 10.0.3",
            12,
            "\"10.0.3\" is not an IPv4 address (expected e.g. 10.0.3.1 or 10.0.3.0/24)",
        ),
        (
            "ip.addr == 42",
            12,
            "\"42\" is not an IPv4 address (expected e.g. 42.0.0.1 or 42.0.0.0/8)",
        ),
        (
            "ip.addr == localhost",
            12,
            "\"localhost\" is not an IPv4 address (expected e.g. 10.0.0.1 or 10.0.0.0/24)",
        ),
        (
            "ip.addr == ::1",
            12,
            "ip.addr holds IPv4 addresses, but \"::1\" is an IPv6 address (use ipv6.addr)",
        ),
        (
            "ipv6.addr == 10.0.0.1",
            14,
            "ipv6.addr holds IPv6 addresses, but \"10.0.0.1\" is an IPv4 address (use ip.addr)",
        ),
        (
            "ip.addr == aa:bb:cc:dd:ee:ff",
            12,
            "ip.addr holds IP addresses, but \"aa:bb:cc:dd:ee:ff\" is a MAC address (use eth.addr)",
        ),
        (
            "ip.addr == 10.0.0.0/33",
            20,
            "\"/33\" is not a prefix length (expected /0 to /32)",
        ),
        (
            "ip.addr == 10.0.0.0/",
            20,
            "\"/\" is not a prefix length (expected /0 to /32)",
        ),
        (
            "ipv6.addr == ::/129",
            16,
            "\"/129\" is not a prefix length (expected /0 to /128)",
        ),
        (
            "ip.addr > 10.0.0.0/8",
            11,
            "a CIDR block such as \"10.0.0.0/8\" works only with ==, != and in",
        ),
        (
            "tcp.port == 10.0.0.1",
            13,
            "tcp.port is a number, but \"10.0.0.1\" is an IPv4 address",
        ),
        (
            "tcp.port == \"80\"",
            13,
            "tcp.port is a number, not a string: write 80 without quotes",
        ),
        (
            "tcp.port == http",
            13,
            "\"http\" is a protocol, not a value: tcp.port cannot be compared with it",
        ),
        (
            "tcp.port == htp",
            13,
            "\"htp\" is not a valid number (expected e.g. 80, 0x50 or 0b1010)",
        ),
        (
            "tcp.port == 08",
            13,
            "\"08\" is not a valid number (a leading 0 means octal, as in Wireshark)",
        ),
        (
            "tcp.port == -1",
            13,
            "\"-1\" is not a valid number (numbers here are never negative)",
        ),
        (
            "tcp.port == 99999",
            13,
            "\"99999\" is too big for tcp.port (maximum 65535)",
        ),
        (
            "ip.ttl == 300",
            11,
            "\"300\" is too big for ip.ttl (maximum 255)",
        ),
        (
            "tcp.port == 1..5",
            13,
            "a range works only inside a set, e.g. tcp.port in {1..5}",
        ),
        (
            "tcp.flags.syn == 2",
            18,
            "\"2\" is not a boolean value for tcp.flags.syn (use 1 or 0, true or false)",
        ),
        (
            "tcp.flags.syn == yes",
            18,
            "\"yes\" is not a boolean value for tcp.flags.syn (use 1 or 0, true or false)",
        ),
        (
            "eth.addr == aa:bb",
            13,
            "\"aa:bb\" is not a MAC address (expected e.g. aa:bb:cc:dd:ee:ff)",
        ),
        (
            "eth.addr == 10.0.0.1",
            13,
            "eth.addr is a MAC address, but \"10.0.0.1\" is an IPv4 address (use ip.addr)",
        ),
        (
            "tcp.srcport == ip.src",
            16,
            "tcp.srcport (a number) and ip.src (an IPv4 address) cannot be compared",
        ),
        (
            "tcp.port in {443, 80..22}",
            19,
            "the range starts above its end (80 > 22)",
        ),
        (
            "tcp.port in {80 443}",
            17,
            "separate set members with commas, e.g. {80, 443}",
        ),
        ("tcp.port in {}", 14, "a set needs at least one value"),
        (
            "tcp.port in {80,,}",
            17,
            "expected a value after \",\", found \",\"",
        ),
        (
            "ip.addr in {10.0.0.1..10.0.0.0/8}",
            23,
            "a CIDR block such as \"10.0.0.0/8\" works only with ==, != and in",
        ),
        // Operators a field cannot take.
        (
            "tcp.analysis.retransmission == 1",
            29,
            "tcp.analysis.retransmission has no value to compare; test it alone: \"tcp.analysis.retransmission\"",
        ),
        (
            "tcp == 1",
            5,
            "\"tcp\" is a protocol, not a field with a value: test it alone or compare one of its fields, e.g. tcp.port",
        ),
        (
            "icmpv6 == 1",
            8,
            "\"icmpv6\" is a protocol, not a field with a value: test it alone or compare one of its fields",
        ),
        (
            "tcp.port contains 80",
            10,
            "\"contains\" needs a string field (such as simp.user); tcp.port is a number",
        ),
        (
            "ip.addr & 0xff",
            9,
            "\"&\" needs a number field; ip.addr is an IPv4 address",
        ),
        (
            "simp.user matches \"^a\"",
            11,
            "regular expressions (matches, ~) are not supported; use == or contains",
        ),
        (
            "simp.user ~ \"^a\"",
            11,
            "regular expressions (matches, ~) are not supported; use == or contains",
        ),
        // Missing operator, trailing garbage, misplaced operators.
        (
            "tcp.port 80",
            10,
            "missing operator between \"tcp.port\" and \"80\" (expected ==, !=, <, <=, >, >=, contains or in)",
        ),
        (
            "simp.user \"alice\"",
            11,
            "missing operator between \"simp.user\" and \"\"alice\"\" (expected ==, !=, <, <=, >, >=, contains or in)",
        ),
        ("tcp udp", 5, "missing \"and\" or \"or\" before \"udp\""),
        (
            "tcp.port == 80 tcp.port == 81",
            16,
            "missing \"and\" or \"or\" before \"tcp.port\"",
        ),
        ("tcp !udp", 5, "missing \"and\" or \"or\" before \"!\""),
        (
            "tcp 80",
            5,
            "unexpected \"80\" after the protocol \"tcp\" (a protocol is tested alone; to compare a value use one of its fields)",
        ),
        (
            "tcp.port == 80 443",
            16,
            "unexpected \"443\" (expected \"and\", \"or\" or the end of the filter)",
        ),
        (
            "(tcp.port == 80 443)",
            17,
            "unexpected \"443\" (expected \"and\", \"or\" or \")\")",
        ),
        (
            "tcp.port == 80 == 81",
            16,
            "unexpected \"==\": a test has one comparison; join tests with \"and\" or \"or\"",
        ),
        ("tcp AND udp", 5, "keywords are lower-case: write \"and\""),
        ("NOT tcp", 1, "keywords are lower-case: write \"not\""),
        ("and tcp", 1, "\"and\" needs a test on its left"),
        (
            "tcp and or udp",
            9,
            "expected a test after \"and\", found \"or\"",
        ),
        (
            "== 80",
            1,
            "expected a field or protocol name before \"==\"",
        ),
        (
            "tcp.port = 80",
            10,
            "use \"==\" to compare (a single \"=\" is not an operator)",
        ),
        (
            "tcp | udp",
            5,
            "use \"||\" or \"or\" (a single \"|\" is not an operator)",
        ),
        (
            "simp.user == 'a'",
            14,
            "strings are written in double quotes: \"like this\"",
        ),
        ("tcp.port == 80 $", 16, "unexpected character '$'"),
        (
            "\"alice\"",
            1,
            "\"alice\" is a value, not a field or protocol (a test looks like simp.user == \"alice\")",
        ),
        (
            "tcp.port == and",
            13,
            "expected a value after \"==\", found \"and\"",
        ),
        (
            "{",
            1,
            "unexpected \"{\": expected a field or protocol name",
        ),
        // Columns count chars, not bytes.
        (
            "simp.user == \"é\" and tcp.prt",
            22,
            "unknown field \"tcp.prt\" (did you mean \"tcp.port\"?)",
        ),
    ];
    for (src, col, msg) in table {
        let err = Filter::parse(src).expect_err(src);
        assert_eq!(
            (err.column, err.message.as_str()),
            (*col, *msg),
            "filter: {src}"
        );
    }
}

#[test]
fn rendered_errors_checked_by_hand() {
    let render = |src: &str| Filter::parse(src).unwrap_err().render(src);
    assert_eq!(
        render("ip.addr == 10.0.3"),
        "ip.addr == 10.0.3\n           ^ \"10.0.3\" is not an IPv4 address (expected e.g. 10.0.3.1 or 10.0.3.0/24)"
    );
    assert_eq!(
        render("tcp.port =="),
        "tcp.port ==\n           ^ unexpected end of filter: expected a value after \"==\""
    );
    assert_eq!(
        render("(tcp or udp"),
        "(tcp or udp\n^ unbalanced parentheses: this \"(\" is never closed"
    );
    assert_eq!(
        render("tcp.prot == 80"),
        "tcp.prot == 80\n^ unknown field \"tcp.prot\" (did you mean \"tcp.port\"?)"
    );
    assert_eq!(
        render("tcp.port 80"),
        "tcp.port 80\n         ^ missing operator between \"tcp.port\" and \"80\" (expected ==, !=, <, <=, >, >=, contains or in)"
    );
    assert_eq!(
        render("tcp)"),
        "tcp)\n   ^ unbalanced parentheses: this \")\" has no matching \"(\""
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!("{}tcp{}", "(".repeat(5000), ")".repeat(5000));
    let err = Filter::parse(&deep).unwrap_err();
    assert_eq!(err.column, 201);
    let nots = format!("{}tcp", "!".repeat(5000));
    assert_eq!(Filter::parse(&nots).unwrap_err().column, 201);
    let ok = format!("{}tcp{}", "(".repeat(150), ")".repeat(150));
    assert_eq!(Filter::parse(&ok).unwrap().to_string(), "tcp");
}

#[test]
fn field_names_all_parse_as_bare_tests() {
    for name in field_names() {
        let f = Filter::parse(name).unwrap();
        assert_eq!(f.to_string(), *name);
        // Evaluating every field over every frame exercises every `each` arm.
        for frame in frames() {
            let _ = f.matches(&frame);
        }
    }
}

/// xorshift64*: a tiny seeded generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_filters_never_panic_and_errors_point_inside() {
    const TOKENS: &[&str] = &[
        "tcp",
        "udp",
        "ip",
        "ipv6",
        "arp",
        "icmp",
        "simp",
        "frame",
        "eth",
        "ip.addr",
        "ip.src",
        "ipv6.addr",
        "tcp.port",
        "tcp.flags",
        "tcp.flags.syn",
        "tcp.analysis.retransmission",
        "eth.addr",
        "simp.user",
        "frame.len",
        "tcp.prt",
        "==",
        "!=",
        "===",
        "!==",
        "~=",
        "<",
        "<=",
        ">",
        ">=",
        "eq",
        "ne",
        "lt",
        "contains",
        "in",
        "not",
        "!",
        "and",
        "&&",
        "or",
        "||",
        "&",
        "(",
        ")",
        "{",
        "}",
        ",",
        "..",
        "80",
        "0x50",
        "010",
        "08",
        "99999",
        "1",
        "0",
        "true",
        "10.0.0.1",
        "10.0.3.0/24",
        "10.0.3",
        "::1",
        "fe80::/10",
        "aa:bb:cc:dd:ee:ff",
        "\"alice\"",
        "\"al\\x41\"",
        "\"unterminated",
        "'x'",
        "=",
        "|",
        "$",
        "é",
        "AND",
        "\\",
        "-1",
        "/",
        ":",
        ".",
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let all = frames();
    let mut parsed = 0;
    for _ in 0..20_000 {
        let n = 1 + rng.below(8);
        let mut src = String::new();
        for _ in 0..n {
            if rng.below(3) > 0 {
                src.push(' ');
            }
            src.push_str(TOKENS[rng.below(TOKENS.len())]);
        }
        match Filter::parse(&src) {
            Ok(f) => {
                parsed += 1;
                for frame in &all {
                    let _ = f.matches(frame);
                }
                let shown = f.to_string();
                assert_eq!(Filter::parse(&shown).as_ref(), Ok(&f), "{src} → {shown}");
            }
            Err(e) => {
                let len = src.chars().count();
                assert!(
                    (1..=len + 1).contains(&e.column),
                    "column {} outside 1..={} for {src:?}: {}",
                    e.column,
                    len + 1,
                    e.message
                );
                assert!(!e.message.is_empty());
                let _ = e.render(&src);
            }
        }
    }
    // The generator must reach both outcomes, or the test checks nothing.
    assert!(parsed > 100, "only {parsed} random filters parsed");
}

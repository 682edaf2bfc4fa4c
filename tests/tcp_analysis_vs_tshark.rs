//! Cross-checks `wirelab::analyse::tcp` against the real tshark: scripted and randomized TCP
//! segments are written to a pcap (LINKTYPE_RAW, hand-built IPv4/IPv6 + TCP), tshark prints
//! its stream, relative numbers, window, analysis fields and Info, and every frame must match
//! what the analyzer says.
//!
//! Skips (with a message) when tshark is missing, unless `CI` is set: then it fails.

mod support;

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::{Need, require};
use wirelab::analyse::tcp::{AnalysisFlags, TcpAnalysis, TcpAnalyzer, TcpSegment};
use wirelab::decode::tcp_flags;

const FIN: u16 = tcp_flags::FIN;
const SYN: u16 = tcp_flags::SYN;
const RST: u16 = tcp_flags::RST;
const PSH: u16 = tcp_flags::PSH;
const ACK: u16 = tcp_flags::ACK;

// ---------------------------------------------------------------------------------------------
// tshark plumbing

/// A frame to write: a TCP segment, or an ICMP error quoting `quote` bytes of its header.
#[derive(Clone, Copy, Debug)]
enum Item {
    Tcp(TcpSegment),
    /// ICMP(v6) destination unreachable sent by the segment's destination, quoting the
    /// IP header and the first `quote` bytes of the segment's TCP header.
    Icmp(TcpSegment, usize),
    /// The segment as the first fragment (MF set) of an IPv4 datagram, captured only up to
    /// 10 bytes of payload: tshark dissects it alone, without `tcp.len`.
    Truncated(TcpSegment),
}

impl Item {
    fn time(&self) -> Duration {
        match self {
            Item::Tcp(s) | Item::Icmp(s, _) | Item::Truncated(s) => s.time,
        }
    }
}

fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for chunk in data.chunks(2) {
        let word = match chunk {
            [a, b] => u16::from_be_bytes([*a, *b]),
            [a] => u16::from_be_bytes([*a, 0]),
            _ => 0,
        };
        sum += u32::from(word);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn tcp_bytes(s: &TcpSegment) -> Vec<u8> {
    let mut opts = Vec::new();
    if let Some(ws) = s.window_scale {
        opts.extend_from_slice(&[1, 3, 3, ws]);
    }
    let hlen = 20 + opts.len();
    let mut t = Vec::with_capacity(hlen);
    t.extend_from_slice(&s.src_port.to_be_bytes());
    t.extend_from_slice(&s.dst_port.to_be_bytes());
    t.extend_from_slice(&s.seq.to_be_bytes());
    t.extend_from_slice(&s.ack.to_be_bytes());
    t.push(((hlen / 4) as u8) << 4 | ((s.flags >> 8) & 0x0f) as u8);
    t.push((s.flags & 0xff) as u8);
    t.extend_from_slice(&s.window.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0]); // checksum (not validated by default), urgent ptr
    t.extend_from_slice(&opts);
    // Payload: a byte pattern no heuristic dissector claims.
    let len = s.len.unwrap_or(0) as usize;
    t.extend((0..len).map(|i| 0x80 | (i % 61) as u8));
    t
}

fn ip_packet(src: IpAddr, dst: IpAddr, proto: u8, payload: &[u8]) -> Vec<u8> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = 20 + payload.len();
            let mut h = vec![0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0];
            h[2..4].copy_from_slice(&(total as u16).to_be_bytes());
            h.extend_from_slice(&s.octets());
            h.extend_from_slice(&d.octets());
            let c = checksum(&h);
            h[10..12].copy_from_slice(&c.to_be_bytes());
            h.extend_from_slice(payload);
            h
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let mut h = vec![0x60, 0, 0, 0];
            h.extend_from_slice(&(payload.len() as u16).to_be_bytes());
            h.push(proto);
            h.push(64);
            h.extend_from_slice(&s.octets());
            h.extend_from_slice(&d.octets());
            h.extend_from_slice(payload);
            h
        }
        _ => panic!("mixed address families"),
    }
}

/// The frame as captured, and its length on the wire.
fn frame_bytes(item: &Item) -> (Vec<u8>, usize) {
    let bytes = match item {
        Item::Tcp(s) => ip_packet(s.src, s.dst, 6, &tcp_bytes(s)),
        Item::Truncated(s) => {
            let mut b = ip_packet(s.src, s.dst, 6, &tcp_bytes(s));
            let wire = b.len();
            b[6] |= 0x20; // more fragments
            let c = {
                b[10..12].copy_from_slice(&[0, 0]);
                checksum(&b[..20])
            };
            b[10..12].copy_from_slice(&c.to_be_bytes());
            let hlen = 20 + if s.window_scale.is_some() { 24 } else { 20 };
            b.truncate(hlen + 10);
            return (b, wire);
        }
        Item::Icmp(s, quote) => {
            let inner = ip_packet(s.src, s.dst, 6, &tcp_bytes(s));
            let ip_hlen = if s.src.is_ipv4() { 20 } else { 40 };
            let quoted = &inner[..(ip_hlen + quote).min(inner.len())];
            let (proto, mut icmp) = if s.src.is_ipv4() {
                (1, vec![3, 3, 0, 0, 0, 0, 0, 0]) // port unreachable
            } else {
                (58, vec![1, 4, 0, 0, 0, 0, 0, 0])
            };
            icmp.extend_from_slice(quoted);
            if s.src.is_ipv4() {
                let c = checksum(&icmp);
                icmp[2..4].copy_from_slice(&c.to_be_bytes());
            }
            ip_packet(s.dst, s.src, proto, &icmp)
        }
    };
    let wire = bytes.len();
    (bytes, wire)
}

fn write_pcap(path: &Path, items: &[Item]) {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_3c4du32.to_le_bytes()); // nanosecond pcap
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&101u32.to_le_bytes()); // LINKTYPE_RAW
    for item in items {
        let (bytes, wire) = frame_bytes(item);
        let t = item.time();
        out.extend_from_slice(&(t.as_secs() as u32).to_le_bytes());
        out.extend_from_slice(&t.subsec_nanos().to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&(wire as u32).to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    std::fs::write(path, out).expect("write pcap");
}

/// The `tcp.analysis.*` fields asked from tshark, in `AnalysisFlags::FIELDS` order.
fn field_list() -> Vec<&'static str> {
    AnalysisFlags::FIELDS.iter().map(|&(n, _)| n).collect()
}

/// One frame as tshark (or the analyzer) shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Row {
    stream: String,
    seq: String,
    ack: String,
    nxtseq: String,
    window: String,
    dup_frame: String,
    dup_num: String,
    fields: Vec<&'static str>,
    labels: String,
    info_seq: Option<String>,
    info_ack: Option<String>,
    info_win: Option<String>,
}

/// Splits Info into its `[TCP ...] ` labels and the Seq=/Ack=/Win= values.
fn parse_info(info: &str, row: &mut Row) {
    let mut rest = info;
    while rest.starts_with("[TCP ") {
        match rest.find("] ") {
            Some(end) => {
                row.labels.push_str(&rest[..end + 2]);
                rest = &rest[end + 2..];
            }
            None => break,
        }
    }
    for word in rest.split(' ') {
        if let Some(v) = word.strip_prefix("Seq=") {
            row.info_seq = Some(v.to_string());
        } else if let Some(v) = word.strip_prefix("Ack=") {
            row.info_ack = Some(v.to_string());
        } else if let Some(v) = word.strip_prefix("Win=") {
            row.info_win = Some(v.to_string());
        }
    }
}

fn run_tshark(path: &Path, conf: &Path) -> Vec<Row> {
    let mut cmd = Command::new("tshark");
    cmd.env("WIRESHARK_CONFIG_DIR", conf)
        .args(["-n", "-r"])
        .arg(path)
        .args(["-T", "fields", "-E", "occurrence=f", "-E", "separator=\t"]);
    let fixed = [
        "tcp.stream",
        "tcp.seq",
        "tcp.ack",
        "tcp.nxtseq",
        "tcp.window_size",
        "tcp.analysis.duplicate_ack_frame",
        "tcp.analysis.duplicate_ack_num",
    ];
    for f in fixed {
        cmd.args(["-e", f]);
    }
    let names = field_list();
    for n in &names {
        cmd.arg("-e").arg(format!("tcp.analysis.{n}"));
    }
    cmd.args(["-e", "_ws.col.Protocol", "-e", "_ws.col.Info"]);
    let out = cmd.output().expect("run tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    text.lines()
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let col = |i: usize| cols.get(i).copied().unwrap_or("").to_string();
            let mut row = Row {
                stream: col(0),
                seq: col(1),
                ack: col(2),
                nxtseq: col(3),
                window: col(4),
                dup_frame: col(5),
                dup_num: col(6),
                ..Row::default()
            };
            for (i, n) in names.iter().enumerate() {
                let v = col(7 + i);
                if !v.is_empty() {
                    row.fields.push(n);
                }
            }
            let proto = col(7 + names.len());
            let info = col(8 + names.len());
            if proto == "TCP" {
                parse_info(&info, &mut row);
            }
            row
        })
        .collect()
}

fn expected_tcp(seg: &TcpSegment, a: &TcpAnalysis) -> Row {
    let (dup_frame, dup_num) = match a.dup_ack {
        Some((f, n)) => (f.to_string(), n.to_string()),
        None => (String::new(), String::new()),
    };
    Row {
        stream: a.stream.to_string(),
        seq: a.seq.to_string(),
        ack: a.ack.to_string(),
        nxtseq: a.next_seq.map(|n| n.to_string()).unwrap_or_default(),
        window: a.window.to_string(),
        dup_frame,
        dup_num,
        fields: a.flags.field_names(),
        labels: a.labels(),
        info_seq: Some(a.seq.to_string()),
        info_ack: (seg.flags & ACK != 0).then(|| a.ack.to_string()),
        info_win: Some(a.window.to_string()),
    }
}

/// Runs the analyzer and tshark over `items`; returns a description of every mismatch.
fn cross_check(name: &str, items: &[Item]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("conf");
    std::fs::create_dir(&conf).expect("conf dir");
    let pcap = dir.path().join(format!("{name}.pcap"));
    write_pcap(&pcap, items);
    if let Some(keep) = std::env::var_os("WIRELAB_KEEP_PCAP") {
        let _ = std::fs::copy(&pcap, Path::new(&keep).join(format!("{name}.pcap")));
    }
    let rows = run_tshark(&pcap, &conf);
    let mut analyzer = TcpAnalyzer::new();
    let mut problems = Vec::new();
    if rows.len() != items.len() {
        problems.push(format!(
            "{name}: tshark printed {} rows for {} frames",
            rows.len(),
            items.len()
        ));
    }
    for (item, got) in items.iter().zip(&rows) {
        let (frame, want) = match item {
            Item::Tcp(seg) => (seg.frame, expected_tcp(seg, &analyzer.segment(seg))),
            Item::Truncated(seg) => {
                let mut s = *seg;
                s.len = None;
                (seg.frame, expected_tcp(&s, &analyzer.segment(&s)))
            }
            Item::Icmp(seg, quote) => {
                let header_len = 20 + if seg.window_scale.is_some() { 4 } else { 0 };
                let mut quoted = *seg;
                if *quote < 24 {
                    quoted.window_scale = None; // the option is cut off
                }
                let stream = analyzer.quoted_header(&quoted, *quote, header_len);
                // Only the quoted header's stream is compared.
                let mut want = got.clone();
                want.stream = stream.map(|s| s.to_string()).unwrap_or_default();
                (seg.frame, want)
            }
        };
        if &want != got {
            let mut msg = format!("{name} frame {frame}: {item:?}\n");
            let _ = writeln!(msg, "  tshark:   {got:?}");
            let _ = writeln!(msg, "  analyzer: {want:?}");
            problems.push(msg);
        }
    }
    problems
}

fn assert_matches(name: &str, items: &[Item]) {
    let problems = cross_check(name, items);
    assert!(
        problems.is_empty(),
        "{} mismatching frames:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Scripted conversations

/// Builds frames between two endpoints with a running clock.
struct Script {
    items: Vec<Item>,
    t: Duration,
}

#[derive(Clone, Copy)]
struct Ends {
    a: (IpAddr, u16),
    b: (IpAddr, u16),
}

impl Script {
    fn new() -> Self {
        Script {
            items: Vec::new(),
            t: Duration::from_secs(1_700_000_000),
        }
    }

    fn wait_us(&mut self, us: u64) -> &mut Self {
        self.t += Duration::from_micros(us);
        self
    }

    #[allow(clippy::too_many_arguments)]
    fn send(
        &mut self,
        e: Ends,
        from_a: bool,
        flags: u16,
        seq: u32,
        ack: u32,
        win: u16,
        len: u32,
        ws: Option<u8>,
    ) -> u64 {
        let (s, d) = if from_a { (e.a, e.b) } else { (e.b, e.a) };
        let frame = self.items.len() as u64 + 1;
        self.items.push(Item::Tcp(TcpSegment {
            frame,
            time: self.t,
            src: s.0,
            dst: d.0,
            src_port: s.1,
            dst_port: d.1,
            seq,
            ack,
            flags,
            window: win,
            len: Some(len),
            window_scale: ws,
        }));
        frame
    }

    /// Turns the last frame into a truncated first fragment.
    fn truncate_last(&mut self) {
        if let Some(last) = self.items.last_mut()
            && let Item::Tcp(seg) = *last
        {
            *last = Item::Truncated(seg);
        }
    }

    fn icmp(&mut self, e: Ends, from_a: bool, flags: u16, seq: u32, quote: usize) {
        self.icmp_ws(e, from_a, flags, seq, quote, None);
    }

    fn icmp_ws(
        &mut self,
        e: Ends,
        from_a: bool,
        flags: u16,
        seq: u32,
        quote: usize,
        ws: Option<u8>,
    ) {
        let (s, d) = if from_a { (e.a, e.b) } else { (e.b, e.a) };
        let frame = self.items.len() as u64 + 1;
        self.items.push(Item::Icmp(
            TcpSegment {
                frame,
                time: self.t,
                src: s.0,
                dst: d.0,
                src_port: s.1,
                dst_port: d.1,
                seq,
                ack: 0,
                flags,
                window: 1000,
                len: Some(0),
                window_scale: ws,
            },
            quote,
        ));
    }
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

fn ends(port_a: u16, port_b: u16) -> Ends {
    Ends {
        a: (v4(10, 0, 0, 1), port_a),
        b: (v4(10, 0, 0, 2), port_b),
    }
}

/// Every row of the reference table (§9), in one capture, one stream per situation.
#[test]
fn reference_table_situations_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut s = Script::new();
    // SYN with options; new SYN after FIN with a new ISN (reuse); the same SYN again.
    let e = ends(40000, 7777);
    s.send(e, true, SYN, 1000, 0, 64240, 0, Some(7));
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 5000, 1001, 65160, 0, Some(7));
    s.wait_us(1000).send(e, true, ACK, 1001, 5001, 502, 0, None);
    s.wait_us(1000)
        .send(e, true, FIN | ACK, 1001, 5001, 502, 0, None);
    s.wait_us(1000)
        .send(e, false, FIN | ACK, 5001, 1002, 509, 0, None);
    s.wait_us(1000).send(e, true, ACK, 1002, 5002, 502, 0, None);
    s.wait_us(1_000_000)
        .send(e, true, SYN, 90000, 0, 64240, 0, None);
    s.wait_us(1_000_000)
        .send(e, true, SYN, 90000, 0, 64240, 0, None);

    // Reply to a first-seen PSH-only frame: spurious retransmission.
    let e = ends(42000, 7777);
    s.wait_us(1000).send(e, true, PSH, 100, 999, 1000, 5, None);
    s.wait_us(1000)
        .send(e, false, PSH | ACK, 500, 106, 1000, 10, None);

    // Data resent 200 ms later; hole; out-of-order; dup ACKs; fast retransmission.
    let e = ends(1001, 7777);
    s.wait_us(1000).send(e, true, SYN, 0, 0, 64240, 0, None);
    s.wait_us(20_000)
        .send(e, false, SYN | ACK, 0, 1, 64240, 0, None);
    s.wait_us(20_000).send(e, true, ACK, 1, 1, 64240, 0, None);
    s.wait_us(1000)
        .send(e, true, PSH | ACK, 1, 1, 64240, 100, None);
    s.wait_us(200_000)
        .send(e, true, PSH | ACK, 1, 1, 64240, 100, None);
    s.wait_us(1000).send(e, true, ACK, 201, 1, 64240, 100, None); // lost 101..201
    s.wait_us(1000).send(e, false, ACK, 1, 101, 64240, 0, None);
    s.wait_us(1000).send(e, false, ACK, 1, 101, 64240, 0, None);
    s.wait_us(1000).send(e, false, ACK, 1, 101, 64240, 0, None);
    s.wait_us(1000).send(e, true, ACK, 101, 1, 64240, 100, None); // fast retransmission
    s.wait_us(1000).send(e, true, ACK, 301, 1, 64240, 100, None);
    s.wait_us(1000).send(e, true, ACK, 501, 1, 64240, 100, None); // lost 401..501
    s.wait_us(1000).send(e, false, ACK, 1, 401, 64240, 0, None);
    s.wait_us(1000).send(e, true, ACK, 401, 1, 64240, 100, None); // 1 dup ack only: OOO
    s.wait_us(1000).send(e, true, ACK, 701, 1, 64240, 100, None); // lost 601..701
    s.wait_us(1000).send(e, false, ACK, 1, 601, 64240, 0, None);
    s.wait_us(1000).send(e, false, ACK, 1, 601, 64240, 0, None);
    s.wait_us(1000).send(e, false, ACK, 1, 601, 64240, 0, None);
    s.wait_us(30_000)
        .send(e, true, ACK, 601, 1, 64240, 100, None); // too late: retransmission

    // Zero window, probe, probe ACK, window update.
    let e = ends(1004, 7777);
    s.wait_us(1000).send(e, true, ACK, 1, 1, 64240, 100, None);
    s.wait_us(1000).send(e, false, ACK, 1, 101, 0, 0, None);
    s.wait_us(1000).send(e, true, ACK, 101, 1, 64240, 1, None);
    s.wait_us(1000).send(e, false, ACK, 1, 101, 0, 0, None);
    s.wait_us(1000).send(e, false, ACK, 1, 101, 8000, 0, None);

    // Keep-alive and its ACK.
    let e = ends(1005, 7777);
    s.wait_us(1000).send(e, true, ACK, 1, 1, 64240, 100, None);
    s.wait_us(1000).send(e, false, ACK, 1, 101, 64240, 0, None);
    s.wait_us(1000).send(e, true, ACK, 100, 1, 64240, 0, None);
    s.wait_us(1000).send(e, false, ACK, 1, 101, 64240, 0, None);

    // ACK beyond any data seen.
    let e = ends(1006, 7777);
    s.wait_us(1000).send(e, true, ACK, 1, 1, 64240, 100, None);
    s.wait_us(1000).send(e, false, ACK, 1, 501, 64240, 0, None);

    // Window full: handshake without scaling, 300-byte window.
    let e = ends(1007, 7777);
    s.wait_us(1000).send(e, true, SYN, 10, 0, 64240, 0, None);
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 0, 11, 300, 0, None);
    s.wait_us(1000).send(e, true, ACK, 11, 1, 64240, 0, None);
    s.wait_us(1000).send(e, false, ACK, 1, 11, 300, 0, None);
    s.wait_us(1000).send(e, true, ACK, 11, 1, 64240, 300, None);

    // Pure ACK right after own data.
    let e = ends(1009, 7777);
    s.wait_us(1000).send(e, true, ACK, 1, 1, 64240, 100, None);
    s.wait_us(1000).send(e, true, ACK, 101, 1, 64240, 0, None);

    // Keep-alive byte while peer window 0; gap with window 0.
    let e = ends(1010, 7777);
    s.wait_us(1000).send(e, true, SYN, 0, 0, 64240, 0, None);
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 0, 1, 64240, 0, None);
    s.wait_us(1000).send(e, true, ACK, 1, 1, 64240, 100, None);
    s.wait_us(1000).send(e, false, ACK, 1, 101, 0, 0, None);
    s.wait_us(1000).send(e, true, ACK, 100, 1, 64240, 1, None);
    s.wait_us(1000).send(e, false, ACK, 201, 101, 0, 0, None);

    // Mid-stream: an earlier segment resent.
    let e = ends(1011, 7777);
    s.wait_us(1000)
        .send(e, true, ACK, 1100, 1, 64240, 100, None);
    s.wait_us(100_000)
        .send(e, true, ACK, 1000, 1, 64240, 100, None);

    // Raw nextseq wrapping to exactly 0: the resend is not flagged.
    let e = ends(4001, 7777);
    s.wait_us(1000)
        .send(e, true, ACK, u32::MAX - 99, 1, 64240, 100, None);
    s.wait_us(100_000)
        .send(e, true, PSH | ACK, u32::MAX - 99, 1, 64240, 100, None);

    assert_matches("reference_table", &s.items);
}

/// Stream numbering: port reuse from either side, SYN-ACK with a new ISN, ICMP quoting.
#[test]
fn stream_numbering_matches_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut s = Script::new();
    let e = ends(40001, 7777);
    s.send(e, true, SYN, 100, 0, 1000, 0, None);
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 700, 101, 1000, 0, None);
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 900, 101, 1000, 0, None); // new ISN
    s.wait_us(1000).send(e, true, ACK, 101, 901, 1000, 0, None);
    s.wait_us(1000).send(e, false, SYN, 5000, 0, 1000, 0, None); // reuse, other side
    s.wait_us(1000)
        .send(e, true, SYN | ACK, 8000, 5001, 1000, 0, None);
    s.wait_us(1000).send(e, true, SYN, 8000, 0, 1000, 0, None); // same as base
    // Mid-stream start, then a SYN at guessed base + 1.
    let e = ends(40002, 7777);
    s.wait_us(1000).send(e, true, ACK, 3000, 77, 1000, 10, None);
    s.wait_us(1000).send(e, true, SYN, 3000, 0, 1000, 0, None);
    // ICMP quoting 8 bytes (nothing created), 16 and 20 bytes (creates streams).
    s.wait_us(1000).icmp(ends(40003, 7777), true, SYN, 1, 8);
    s.wait_us(1000).icmp(ends(40004, 7777), true, SYN, 1, 16);
    s.wait_us(1000).icmp(ends(40005, 7777), true, SYN, 1, 20);
    s.wait_us(1000)
        .send(ends(40005, 7777), true, SYN, 1, 0, 1000, 0, None);
    s.wait_us(1000)
        .send(ends(40003, 7777), true, SYN, 1, 0, 1000, 0, None);
    s.wait_us(1000)
        .send(ends(40004, 7777), true, ACK, 2, 0, 1000, 0, None);
    // Same address on both ends.
    let e = Ends {
        a: (v4(127, 0, 0, 1), 40006),
        b: (v4(127, 0, 0, 1), 7777),
    };
    s.wait_us(1000).send(e, true, SYN, 10, 0, 1000, 0, Some(2));
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 20, 11, 1000, 0, Some(3));
    s.wait_us(1000).send(e, true, ACK, 11, 21, 1000, 5, None);
    s.wait_us(1000).send(e, false, ACK, 21, 16, 1000, 5, None);
    assert_matches("stream_numbering", &s.items);
}

/// Window scaling: both sides, SYN only, SYN-ACK only, shift over 14, no options.
#[test]
fn window_scaling_matches_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut s = Script::new();
    let cases: [(Option<u8>, Option<u8>, bool); 6] = [
        (Some(7), Some(8), true),
        (Some(7), None, true),
        (None, Some(8), true),
        (Some(15), Some(14), true),
        (None, None, true),
        (Some(5), None, false), // SYN-ACK not captured
    ];
    for (i, (c, sv, synack)) in cases.into_iter().enumerate() {
        let e = ends(41000 + i as u16, 7777);
        s.wait_us(1000).send(e, true, SYN, 0, 0, 1000, 0, c);
        if synack {
            s.wait_us(1000).send(e, false, SYN | ACK, 0, 1, 1000, 0, sv);
        }
        s.wait_us(1000).send(e, true, ACK, 1, 1, 502, 0, None);
        s.wait_us(1000).send(e, false, ACK, 1, 1, 503, 10, None);
        s.wait_us(1000).send(e, true, ACK, 1, 11, 300, 0, None);
    }
    assert_matches("window_scaling", &s.items);
}

/// tshark stops counting a SYN/FIN as one sequence number once 10 000 segments of a
/// direction are unacknowledged (its `TCP_MAX_UNACKED_SEGMENTS`), as in one-way captures.
#[test]
fn unacked_segment_cap_matches_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut s = Script::new();
    let e = ends(40020, 7777);
    let isn = u32::MAX - 40_000; // wraps during the transfer
    s.send(e, true, SYN, isn, 0, 64240, 0, None);
    let mut seq = isn.wrapping_add(1);
    for _ in 0..10_001 {
        s.wait_us(10).send(e, true, ACK, seq, 1, 502, 10, None);
        seq = seq.wrapping_add(10);
    }
    s.wait_us(10).send(e, true, FIN | ACK, seq, 1, 502, 0, None);
    s.wait_us(10)
        .send(e, true, ACK, seq.wrapping_add(1), 2, 502, 0, None);
    s.wait_us(300_000)
        .send(e, true, FIN | ACK, seq, 1, 502, 0, None);
    // The peer acknowledges half of it: the FIN counts again.
    s.wait_us(10)
        .send(e, false, ACK, 1, isn.wrapping_add(50_001), 1000, 0, None);
    s.wait_us(10)
        .send(e, true, FIN | ACK, seq.wrapping_add(1), 1, 502, 0, None);
    s.wait_us(10)
        .send(e, true, ACK, seq.wrapping_add(2), 2, 502, 0, None);
    assert_matches("unacked_cap", &s.items);
}

/// Timing quirks: a SYN stamped at the epoch (time zero means "no SYN" to tshark, so no
/// iRTT), an iRTT of 20 ms widening the out-of-order window, time going backwards.
#[test]
fn timing_quirks_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut s = Script::new();
    s.t = Duration::ZERO;
    let e = ends(40030, 7777);
    s.send(e, true, SYN, 0, 0, 64240, 0, None);
    s.wait_us(20_000)
        .send(e, false, SYN | ACK, 0, 1, 64240, 0, None);
    s.wait_us(20_000).send(e, true, ACK, 1, 1, 64240, 0, None);
    s.wait_us(1000).send(e, true, ACK, 101, 1, 64240, 100, None);
    s.wait_us(10_000).send(e, true, ACK, 1, 1, 64240, 100, None); // 10 ms: no iRTT
    let e = ends(40031, 7777);
    s.wait_us(1000).send(e, true, SYN, 0, 0, 64240, 0, None);
    s.wait_us(10_000)
        .send(e, false, SYN | ACK, 0, 1, 64240, 0, None);
    s.wait_us(10_000).send(e, true, ACK, 1, 1, 64240, 0, None); // iRTT 20 ms
    s.wait_us(1000).send(e, true, ACK, 101, 1, 64240, 100, None);
    s.wait_us(15_000).send(e, true, ACK, 1, 1, 64240, 100, None); // OOO
    s.wait_us(1000).send(e, true, ACK, 301, 1, 64240, 100, None);
    s.wait_us(25_000)
        .send(e, true, ACK, 201, 1, 64240, 100, None); // retransmission
    s.wait_us(1000).send(e, true, ACK, 501, 1, 64240, 100, None);
    s.t -= Duration::from_millis(50);
    s.send(e, true, ACK, 401, 1, 64240, 100, None); // earlier than nextseq time
    let e = ends(40032, 7777);
    s.wait_us(100_000).send(e, true, SYN, 0, 0, 64240, 0, None);
    s.t -= Duration::from_millis(5);
    s.send(e, true, ACK, 1, 1, 64240, 0, None); // negative iRTT
    s.wait_us(1000).send(e, true, ACK, 101, 1, 64240, 100, None);
    s.wait_us(900_000)
        .send(e, true, ACK, 1, 1, 64240, 100, None);
    assert_matches("timing_quirks", &s.items);
}

// ---------------------------------------------------------------------------------------------
// Randomized conversations

/// xorshift64*: small, seeded, good enough to pick test actions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// One side of a generated connection.
#[derive(Clone, Copy, Debug, Default)]
struct Side {
    isn: u32,
    nxt: u32,
    /// Highest sequence the peer has acknowledged-seen (what we put in our ACKs for it).
    rcv: u32,
    win: u16,
    /// Last data segment sent: (seq, len).
    last: Option<(u32, u32)>,
}

struct Conn {
    e: Ends,
    sides: [Side; 2],
}

fn random_conn(rng: &mut Rng, e: Ends, s: &mut Script) -> Conn {
    let isn = |rng: &mut Rng| {
        if rng.chance(20) {
            u32::MAX - rng.below(3000) as u32
        } else {
            rng.next() as u32
        }
    };
    let (ia, ib) = (isn(rng), isn(rng));
    let mut c = Conn {
        e,
        sides: [
            Side {
                isn: ia,
                nxt: ia.wrapping_add(1),
                rcv: ib.wrapping_add(1),
                win: 65535,
                last: None,
            },
            Side {
                isn: ib,
                nxt: ib.wrapping_add(1),
                rcv: ia.wrapping_add(1),
                win: 65535,
                last: None,
            },
        ],
    };
    if rng.chance(75) {
        let ws = |rng: &mut Rng| rng.chance(70).then(|| rng.pick(&[0u8, 2, 7, 14, 15]));
        let (wa, wb) = (ws(rng), ws(rng));
        s.send(e, true, SYN, ia, 0, 64240, 0, wa);
        if rng.chance(20) {
            s.wait_us(rng.pick(&[500, 3000]))
                .send(e, true, SYN, ia, 0, 64240, 0, wa);
        }
        if rng.chance(90) {
            s.wait_us(rng.pick(&[100, 2000, 20_000])).send(
                e,
                false,
                SYN | ACK,
                ib,
                ia.wrapping_add(1),
                65160,
                0,
                wb,
            );
        }
        s.wait_us(rng.pick(&[100, 2000, 20_000])).send(
            e,
            true,
            ACK,
            ia.wrapping_add(1),
            ib.wrapping_add(1),
            502,
            0,
            None,
        );
    }
    c.sides[0].win = 502;
    c.sides[1].win = 509;
    c
}

/// Appends one random action of connection `c` to the script.
fn random_step(rng: &mut Rng, c: &mut Conn, s: &mut Script) {
    let from_a = rng.chance(50);
    let (me, peer) = if from_a { (0, 1) } else { (1, 0) };
    let e = c.e;
    let my = c.sides[me];
    let flags_data = if rng.chance(30) { PSH | ACK } else { ACK };
    match rng.below(100) {
        // New data, possibly lost (not emitted) or sent twice, possibly reordered.
        0..=34 => {
            let len = rng.pick(&[1u32, 10, 100, 536, 1448, 20]);
            let seq = my.nxt;
            c.sides[me].nxt = seq.wrapping_add(len);
            c.sides[me].last = Some((seq, len));
            if rng.chance(8) {
                return; // dropped
            }
            if rng.chance(10) {
                // Reordered: the next segment goes out first.
                let len2 = rng.pick(&[10u32, 100]);
                let seq2 = seq.wrapping_add(len);
                c.sides[me].nxt = seq2.wrapping_add(len2);
                s.send(e, from_a, flags_data, seq2, my.rcv, my.win, len2, None);
                s.wait_us(rng.pick(&[100, 1000, 10_000]));
            }
            s.send(e, from_a, flags_data, seq, my.rcv, my.win, len, None);
            // The peer has seen it (mostly).
            if rng.chance(80) {
                c.sides[peer].rcv = c.sides[me].nxt;
            }
        }
        // Pure ACK, maybe repeated (dup ACKs).
        35..=54 => {
            let n = if rng.chance(30) { rng.below(4) + 1 } else { 1 };
            for _ in 0..n {
                s.send(e, from_a, ACK, my.nxt, my.rcv, my.win, 0, None);
                s.wait_us(rng.pick(&[100, 500, 2000]));
            }
        }
        // Retransmission of the last segment, at various delays.
        55..=64 => {
            if let Some((seq, len)) = my.last {
                s.wait_us(rng.pick(&[100, 1000, 2500, 15_000, 25_000, 200_000]));
                s.send(e, from_a, flags_data, seq, my.rcv, my.win, len, None);
            }
        }
        // Window changes: zero window, reopen.
        65..=72 => {
            let win = rng.pick(&[0u16, 0, 100, 8000, 65535, 1]);
            c.sides[me].win = win;
            s.send(e, from_a, ACK, my.nxt, my.rcv, win, 0, None);
        }
        // Zero-window probe / keep-alive (seq = nxt - 1, len 0 or 1).
        73..=78 => {
            if rng.chance(50) {
                s.send(e, from_a, ACK, my.nxt, my.rcv, my.win, 1, None);
                c.sides[me].nxt = my.nxt.wrapping_add(if rng.chance(50) { 1 } else { 0 });
            } else {
                let len = rng.below(2) as u32;
                s.send(
                    e,
                    from_a,
                    ACK,
                    my.nxt.wrapping_sub(1),
                    my.rcv,
                    my.win,
                    len,
                    None,
                );
            }
        }
        // ACK ahead of what was seen, or behind.
        79..=81 => {
            let ack = c.sides[peer].nxt.wrapping_add(rng.pick(&[0u32, 100, 1000]));
            s.send(e, from_a, ACK, my.nxt, ack, my.win, 0, None);
        }
        // Frames without ACK, odd flags.
        82..=84 => {
            let flags = rng.pick(&[PSH, 0, ACK | 0x040, ACK | 0x180, ACK | 0xe00, ACK | 0x020]);
            let len = rng.pick(&[0u32, 5]);
            s.send(e, from_a, flags, my.nxt, my.rcv, my.win, len, None);
            c.sides[me].nxt = my.nxt.wrapping_add(len);
        }
        // FIN, FIN retransmission.
        85..=88 => {
            s.send(e, from_a, FIN | ACK, my.nxt, my.rcv, my.win, 0, None);
            if rng.chance(70) {
                c.sides[me].nxt = my.nxt.wrapping_add(1);
                c.sides[peer].rcv = c.sides[me].nxt;
            }
        }
        // RST.
        89..=90 => {
            let flags = if rng.chance(50) { RST } else { RST | ACK };
            let (win, len) = (rng.pick(&[0u16, 1000]), rng.pick(&[0u32, 0, 0, 7]));
            s.send(e, from_a, flags, my.nxt, my.rcv, win, len, None);
        }
        // Port reuse: a new handshake with a new ISN, from either side.
        91..=94 => {
            let isn = rng.next() as u32;
            let ws = rng.chance(50).then(|| rng.pick(&[0u8, 7]));
            s.send(e, from_a, SYN, isn, 0, 64240, 0, ws);
            let other = rng.next() as u32;
            if rng.chance(80) {
                s.wait_us(rng.pick(&[200, 5000])).send(
                    e,
                    !from_a,
                    SYN | ACK,
                    other,
                    isn.wrapping_add(1),
                    65160,
                    0,
                    ws,
                );
            }
            c.sides[me] = Side {
                isn,
                nxt: isn.wrapping_add(1),
                rcv: other.wrapping_add(1),
                win: 64240,
                last: None,
            };
            c.sides[peer] = Side {
                isn: other,
                nxt: other.wrapping_add(1),
                rcv: isn.wrapping_add(1),
                win: 65160,
                last: None,
            };
        }
        // An ICMP error quoting one of our headers (maybe a SYN with a new ISN).
        95 => {
            let quote = rng.pick(&[8usize, 16, 18, 20, 22, 24, 40]);
            let flags = rng.pick(&[SYN, SYN, SYN | ACK, ACK, PSH | ACK]);
            let fresh = rng.next() as u32;
            let seq = rng.pick(&[my.isn, my.nxt, fresh]);
            let ws = rng.chance(50).then(|| rng.pick(&[0u8, 3, 9]));
            let e = if rng.chance(20) {
                Ends {
                    a: (e.a.0, 40100 + rng.below(50) as u16),
                    b: e.b,
                }
            } else {
                e
            };
            s.icmp_ws(e, from_a, flags, seq, quote, ws);
        }
        // Data starting one before nxt (after a probe), or a SYN carrying data.
        96 => {
            if rng.chance(50) {
                let len = rng.pick(&[2u32, 50]);
                let seq = my.nxt.wrapping_sub(1);
                c.sides[me].nxt = seq.wrapping_add(len);
                s.send(e, from_a, flags_data, seq, my.rcv, my.win, len, None);
            } else {
                let flags = if rng.chance(50) { SYN } else { SYN | ACK };
                s.send(e, from_a, flags, my.isn, my.rcv, 64240, 20, None);
            }
        }
        // A stale SYN-ACK or SYN retransmission.
        97 => {
            let flags = if rng.chance(50) { SYN } else { SYN | ACK };
            s.send(e, from_a, flags, my.isn, my.rcv, 64240, 0, None);
        }
        // Data that fills the peer's window exactly.
        _ => {
            let len = u32::from(c.sides[peer].win).clamp(1, 1400);
            let seq = my.nxt;
            c.sides[me].nxt = seq.wrapping_add(len);
            c.sides[me].last = Some((seq, len));
            s.send(e, from_a, ACK, seq, my.rcv, my.win, len, None);
        }
    }
}

fn random_items(seed: u64, steps: usize) -> Vec<Item> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut s = Script::new();
    let mut conns: Vec<Conn> = Vec::new();
    let hosts = [
        v4(10, seed as u8, 0, 1),
        v4(10, seed as u8, 0, 2),
        v4(10, seed as u8, 0, 3),
    ];
    let v6 = |n: u16| IpAddr::V6(Ipv6Addr::new(0xfd00, seed as u16, 0, 0, 0, 0, 0, n));
    for _ in 0..steps {
        if conns.len() < 6 && (conns.is_empty() || rng.chance(3)) {
            let e = if rng.chance(25) {
                Ends {
                    a: (v6(1), 40000 + rng.below(3) as u16),
                    b: (v6(2), 7777),
                }
            } else {
                Ends {
                    a: (rng.pick(&hosts), 40000 + rng.below(4) as u16),
                    b: (rng.pick(&hosts), 7777),
                }
            };
            let c = random_conn(&mut rng, e, &mut s);
            conns.push(c);
            continue;
        }
        let i = rng.below(conns.len() as u64) as usize;
        s.wait_us(rng.pick(&[0, 50, 300, 1000, 2000, 4000, 10_000, 30_000]));
        if rng.chance(2) {
            // Time going backwards (merged captures, clock steps).
            s.t =
                s.t.saturating_sub(Duration::from_micros(rng.pick(&[100, 5000, 50_000])));
        }
        if let Some(c) = conns.get_mut(i) {
            random_step(&mut rng, c, &mut s);
        }
    }
    // A few IPv4 segments become first fragments cut by the snap length (no tcp.len).
    for item in &mut s.items {
        if let Item::Tcp(seg) = *item
            && seg.src.is_ipv4()
            && seg.len.unwrap_or(0) > 10
            && rng.chance(3)
        {
            *item = Item::Truncated(seg);
        }
    }
    s.items
}

#[test]
fn randomized_conversations_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let seeds: u64 = std::env::var("WIRELAB_TCP_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let mut problems = Vec::new();
    for seed in 1..=seeds {
        let items = random_items(seed, 400);
        problems.extend(cross_check(&format!("seed{seed}"), &items));
    }
    assert!(
        problems.is_empty(),
        "{} mismatching frames (first 10):\n{}",
        problems.len(),
        problems
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Public captures (real traffic nobody on the project wrote)

/// Reads a capture converted by `editcap -F nsecpcap` into (link type, frames).
fn read_nsec_pcap(path: &Path) -> (u32, Vec<(Duration, Vec<u8>)>) {
    let data = std::fs::read(path).expect("read pcap");
    let u32_at = |at: usize| {
        let b: [u8; 4] = data[at..at + 4].try_into().expect("4 bytes");
        u32::from_le_bytes(b)
    };
    assert_eq!(u32_at(0), 0xa1b2_3c4d, "little-endian nanosecond pcap");
    let link = u32_at(20);
    let mut frames = Vec::new();
    let mut at = 24;
    while at + 16 <= data.len() {
        let time = Duration::new(u64::from(u32_at(at)), u32_at(at + 4));
        let caplen = u32_at(at + 8) as usize;
        frames.push((time, data[at + 16..at + 16 + caplen].to_vec()));
        at += 16 + caplen;
    }
    (link, frames)
}

/// Decodes one frame's TCP header into a segment (None when not TCP over IP).
fn decode_tcp(link: u32, frame: u64, time: Duration, bytes: &[u8]) -> Option<TcpSegment> {
    use etherparse::{EtherType, NetSlice, SlicedPacket, TcpOptionElement, TransportSlice};
    let sliced = match link {
        1 => SlicedPacket::from_ethernet(bytes).ok()?,
        276 => {
            let ether_type = u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]);
            SlicedPacket::from_ether_type(EtherType(ether_type), bytes.get(20..)?).ok()?
        }
        _ => return None,
    };
    let (src, dst): (IpAddr, IpAddr) = match sliced.net.as_ref()? {
        NetSlice::Ipv4(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Arp(_) => return None,
    };
    let payload = sliced.net.as_ref()?.ip_payload_ref()?;
    if payload.fragmented {
        return None;
    }
    let TransportSlice::Tcp(tcp) = sliced.transport? else {
        return None;
    };
    let raw = tcp.header_slice();
    let flags = (u16::from(raw[12] & 0x0f) << 8) | u16::from(raw[13]);
    let window_scale = tcp.options_iterator().fold(None, |ws, opt| match opt {
        Ok(TcpOptionElement::WindowScale(shift)) => Some(shift),
        _ => ws,
    });
    Some(TcpSegment {
        frame,
        time,
        src,
        dst,
        src_port: tcp.source_port(),
        dst_port: tcp.destination_port(),
        seq: tcp.sequence_number(),
        ack: tcp.acknowledgment_number(),
        flags,
        window: tcp.window_size(),
        len: Some((payload.payload.len() - tcp.header_len()) as u32),
        window_scale,
    })
}

#[test]
fn public_captures_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    if !require(Need::PublicCaptures) {
        return;
    }
    let dir = support::public_captures();
    let entries = std::fs::read_dir(&dir).expect("the public captures' directory");
    let tmp = tempfile::tempdir().expect("tempdir");
    let conf = tmp.path().join("conf");
    std::fs::create_dir(&conf).expect("conf dir");
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    files.sort();
    let mut problems = Vec::new();
    let mut tcp_frames = 0;
    for file in &files {
        let converted = tmp.path().join("converted.pcap");
        let status = Command::new("editcap")
            .args(["-F", "nsecpcap"])
            .arg(file)
            .arg(&converted)
            .status()
            .expect("run editcap");
        assert!(status.success(), "editcap failed on {}", file.display());
        let (link, frames) = read_nsec_pcap(&converted);
        let rows = run_tshark(&converted, &conf);
        assert_eq!(rows.len(), frames.len(), "{}", file.display());
        let mut analyzer = TcpAnalyzer::new();
        for (i, ((time, bytes), got)) in frames.iter().zip(&rows).enumerate() {
            let frame = i as u64 + 1;
            let Some(seg) = decode_tcp(link, frame, *time, bytes) else {
                continue;
            };
            tcp_frames += 1;
            let mut want = expected_tcp(&seg, &analyzer.segment(&seg));
            if got.info_seq.is_none() {
                // An application dissector rewrote the text after the labels.
                (want.info_seq, want.info_ack, want.info_win) = (None, None, None);
            }
            if &want != got {
                problems.push(format!(
                    "{} frame {frame}:\n  tshark:   {got:?}\n  analyzer: {want:?}",
                    file.display()
                ));
            }
        }
    }
    assert!(tcp_frames > 1000, "only {tcp_frames} TCP frames decoded");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Headers without `tcp.len` (first fragments cut by the snap length): stream numbering and
/// port reuse still run, and the reuse label still shows; numbers stay raw.
#[test]
fn truncated_first_fragments_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut s = Script::new();
    let e = ends(40040, 7777);
    s.send(e, true, SYN, 100, 0, 1000, 0, None);
    s.wait_us(1000).send(e, true, SYN, 200, 0, 1000, 100, None);
    s.truncate_last();
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 500, 201, 1000, 0, None);
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 600, 201, 1000, 100, Some(7));
    s.truncate_last();
    s.wait_us(1000).send(e, true, ACK, 201, 601, 1000, 0, None);
    s.wait_us(1000).send(e, false, ACK, 601, 201, 10, 100, None);
    s.truncate_last();
    let e = ends(40041, 7777);
    s.wait_us(1000).send(e, true, SYN, 0, 0, 1000, 0, None);
    s.wait_us(1000)
        .send(e, true, SYN, 200, 0, 1000, 100, Some(3));
    s.truncate_last();
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 600, 201, 1000, 0, Some(7));
    s.wait_us(1000)
        .send(e, false, SYN | ACK, 700, 201, 1000, 100, Some(7));
    s.truncate_last();
    s.wait_us(1000).send(e, true, ACK, 201, 701, 1000, 0, None);
    s.wait_us(1000).send(e, false, ACK, 701, 201, 1000, 0, None);
    assert_matches("truncated_fragments", &s.items);
}

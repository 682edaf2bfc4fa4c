//! An answer key for the labs, computed from tshark's own fields (`tshark -T fields`) with
//! code that shares nothing with wirelab's analysis: no wirelab library import, only tshark's
//! text parsed here. `tests/lab_answer_key.rs` holds `lab answer --json` and
//! `read --tcp-report --json` to it.
//!
//! The textbook's notions are worked out here from tshark's sequence numbers:
//! - a retransmission is a data segment whose sequence number is below the highest byte the
//!   same side sent before (TCP sends bytes in order), whatever tshark calls it;
//! - slow start ends at the first loss event, the first such segment (Kurose & Ross);
//! - the receiver's window limited the sender when tshark flags `[TCP Window Full]` or the
//!   receiver advertised a zero window; bytes in flight are tshark's `bytes_in_flight`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::run;

/// The fields read from tshark, in this order.
const FIELDS: &[&str] = &[
    "frame.number",
    "frame.time_relative",
    "ip.src",
    "ip.dst",
    "ipv6.src",
    "ipv6.dst",
    "tcp.stream",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq",
    "tcp.seq_raw",
    "tcp.ack",
    "tcp.ack_raw",
    "tcp.len",
    "tcp.flags",
    "tcp.window_size",
    "tcp.analysis.acks_frame",
    "tcp.analysis.ack_rtt",
    "tcp.analysis.bytes_in_flight",
    "tcp.analysis.flags",
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.window_full",
    "tcp.analysis.zero_window",
    "tcp.analysis.keep_alive",
    "tcp.analysis.initial_rtt",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "arp.opcode",
    "arp.src.proto_ipv4",
    "arp.dst.proto_ipv4",
    "icmp.type",
    "_ws.col.Protocol",
];

/// One frame as tshark shows it (first occurrence of each field: the outer headers, not
/// those an ICMP error quotes).
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub no: u64,
    pub time: f64,
    pub src: String,
    pub dst: String,
    pub stream: Option<u32>,
    pub sport: u16,
    pub dport: u16,
    pub seq: u64,
    pub seq_raw: u64,
    pub ack: u64,
    pub ack_raw: u64,
    pub len: u64,
    pub flags: u16,
    pub win: u64,
    pub acks_frame: Option<u64>,
    pub ack_rtt: Option<f64>,
    pub bytes_in_flight: Option<u64>,
    pub retransmission: bool,
    pub fast: bool,
    pub spurious: bool,
    pub out_of_order: bool,
    pub dup_ack: bool,
    pub window_full: bool,
    pub zero_window: bool,
    pub keep_alive: bool,
    pub irtt: Option<f64>,
    pub udp: Option<(u16, u16, u64)>,
    pub arp: Option<(u8, String, String)>,
    pub icmp_type: Option<u8>,
    pub protocol: String,
}

impl Frame {
    /// "IP:PORT" of the TCP or UDP sender.
    pub fn from(&self) -> String {
        sock(&self.src, self.sport)
    }

    /// "IP:PORT" of the TCP or UDP receiver.
    pub fn to(&self) -> String {
        sock(&self.dst, self.dport)
    }

    pub fn syn(&self) -> bool {
        self.flags & 0x02 != 0
    }

    pub fn fin(&self) -> bool {
        self.flags & 0x01 != 0
    }

    pub fn rst(&self) -> bool {
        self.flags & 0x04 != 0
    }

    pub fn ack_set(&self) -> bool {
        self.flags & 0x10 != 0
    }
}

/// "IP:PORT" as Rust's SocketAddr prints it (IPv6 in brackets).
pub fn sock(ip: &str, port: u16) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    s.split(',').next().and_then(|x| x.trim().parse().ok())
}

fn hex16(s: &str) -> u16 {
    u16::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or(0)
}

/// Every frame of `file`, read by tshark in one pass with its default preferences.
pub fn frames(file: &Path) -> Vec<Frame> {
    let mut cmd = Command::new("tshark");
    cmd.env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .args(["-n", "-r"])
        .arg(file)
        .args(["-T", "fields", "-E", "occurrence=f"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = run(&mut cmd);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let g = |i: usize| c.get(i).copied().unwrap_or("");
            let on = |i: usize| g(i) == "1";
            let (src, dst) = if g(2).is_empty() {
                (g(4), g(5))
            } else {
                (g(2), g(3))
            };
            let tcp = num::<u32>(g(6)).is_some();
            let udp = num::<u16>(g(29)).is_some();
            Frame {
                no: num(g(0)).unwrap_or(0),
                time: num(g(1)).unwrap_or(0.0),
                src: src.to_string(),
                dst: dst.to_string(),
                stream: num(g(6)),
                sport: if tcp {
                    num(g(7)).unwrap_or(0)
                } else {
                    num(g(29)).unwrap_or(0)
                },
                dport: if tcp {
                    num(g(8)).unwrap_or(0)
                } else {
                    num(g(30)).unwrap_or(0)
                },
                seq: num(g(9)).unwrap_or(0),
                seq_raw: num(g(10)).unwrap_or(0),
                ack: num(g(11)).unwrap_or(0),
                ack_raw: num(g(12)).unwrap_or(0),
                len: num(g(13)).unwrap_or(0),
                flags: hex16(g(14)),
                win: num(g(15)).unwrap_or(0),
                acks_frame: num(g(16)),
                ack_rtt: num(g(17)),
                bytes_in_flight: num(g(18)),
                retransmission: on(20),
                fast: on(21),
                spurious: on(22),
                out_of_order: on(23),
                dup_ack: on(24),
                window_full: on(25),
                zero_window: on(26),
                keep_alive: on(27),
                irtt: num(g(28)),
                udp: udp.then(|| {
                    (
                        num(g(29)).unwrap_or(0),
                        num(g(30)).unwrap_or(0),
                        num(g(31)).unwrap_or(0),
                    )
                }),
                arp: num::<u8>(g(32)).map(|op| (op, g(33).to_string(), g(34).to_string())),
                icmp_type: num(g(35)),
                protocol: g(36).to_string(),
            }
        })
        .collect()
}

/// A data segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Seg {
    pub frame: u64,
    pub time: f64,
    pub seq: u64,
    pub len: u64,
}

/// A segment that resent bytes already sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Resent {
    pub frame: u64,
    pub seq: u64,
    pub len: u64,
    /// The earlier frame that carried its first byte (None: not in the capture).
    pub first_sent: Option<u64>,
    /// tshark's label: retransmission, fast_retransmission, spurious_retransmission,
    /// out_of_order or none.
    pub label: &'static str,
}

/// What the TCP lab asks of one stream, from tshark's fields.
#[derive(Debug, Clone, Default)]
pub struct TcpKey {
    pub stream: u32,
    pub client: Option<String>,
    pub server: Option<String>,
    /// The side that sent more payload.
    pub sender: String,
    pub receiver: String,
    pub payload: [u64; 2],
    pub syn: Option<(u64, u64)>,
    /// SYN-ACK frame, seq_raw, ack_raw.
    pub syn_ack: Option<(u64, u64, u64)>,
    pub handshake_ack: Option<u64>,
    pub data: Vec<Seg>,
    /// RTT (ns) of each data segment whose ACK tshark matched: ack_rtt on the ACK naming it.
    pub rtt_ns: BTreeMap<u64, i64>,
    pub min_window: Option<u64>,
    pub max_bytes_in_flight: Option<u64>,
    pub window_full: Vec<u64>,
    pub zero_window: Vec<u64>,
    pub resent: Vec<Resent>,
    /// Payload bytes minus the bytes of distinct sequence numbers.
    pub resent_bytes: u64,
    /// Bytes of distinct sequence numbers (goodput).
    pub goodput: u64,
    /// Duplicate ACKs the receiver sent.
    pub dup_acks: u64,
    pub tshark_retransmissions: Vec<u64>,
    pub irtt: Option<f64>,
}

/// The TCP streams of a capture with their frames, in order of appearance.
pub fn streams(frames: &[Frame]) -> BTreeMap<u32, Vec<&Frame>> {
    let mut m: BTreeMap<u32, Vec<&Frame>> = BTreeMap::new();
    for f in frames {
        if let Some(s) = f.stream {
            m.entry(s).or_default().push(f);
        }
    }
    m
}

/// The key of the stream with most payload in one direction (ties: the lower number), as
/// `--tcp-report` chooses it.
pub fn tcp_key(frames: &[Frame]) -> Option<TcpKey> {
    let streams = streams(frames);
    let best = streams
        .iter()
        .map(|(s, fs)| {
            let first = fs[0].from();
            let mut p = [0u64; 2];
            for f in fs {
                p[usize::from(f.from() != first)] += f.len;
            }
            (p[0].max(p[1]), std::cmp::Reverse(*s))
        })
        .max()?;
    let s = best.1.0;
    Some(tcp_key_of(s, &streams[&s]))
}

/// The key of one stream.
pub fn tcp_key_of(stream: u32, fs: &[&Frame]) -> TcpKey {
    let a = fs[0].from();
    let mut k = TcpKey {
        stream,
        ..TcpKey::default()
    };
    for f in fs {
        k.payload[usize::from(f.from() != a)] += f.len;
    }
    let b = fs
        .iter()
        .map(|f| f.from())
        .find(|x| *x != a)
        .unwrap_or_else(|| fs[0].to());
    let d = usize::from(k.payload[1] > k.payload[0]);
    (k.sender, k.receiver) = if d == 0 { (a, b) } else { (b, a) };
    let syn = fs.iter().find(|f| f.syn() && !f.ack_set());
    k.syn = syn.map(|f| (f.no, f.seq_raw));
    k.client = syn.map(|f| f.from());
    k.server = syn.map(|f| f.to());
    let sa = fs.iter().find(|f| f.syn() && f.ack_set());
    k.syn_ack = sa.map(|f| (f.no, f.seq_raw, f.ack_raw));
    if let (Some(c), Some(sa)) = (&k.client, sa) {
        k.handshake_ack = fs
            .iter()
            .find(|f| f.no > sa.no && &f.from() == c && f.ack_set() && !f.syn())
            .map(|f| f.no);
    }
    let mut top: Option<u64> = None;
    let mut sent: Vec<(u64, u64, u64)> = Vec::new(); // (seq, end, frame) of new data
    let mut intervals: Vec<(u64, u64)> = Vec::new();
    for f in fs {
        k.irtt = k.irtt.or(f.irtt);
        if f.from() == k.sender {
            if f.window_full {
                k.window_full.push(f.no);
            }
            if f.retransmission {
                k.tshark_retransmissions.push(f.no);
            }
            if let Some(b) = f.bytes_in_flight {
                k.max_bytes_in_flight = k.max_bytes_in_flight.max(Some(b));
            }
            if f.len == 0 {
                continue;
            }
            let end = f.seq + f.len;
            k.data.push(Seg {
                frame: f.no,
                time: f.time,
                seq: f.seq,
                len: f.len,
            });
            intervals.push((f.seq, end));
            if !f.keep_alive && top.is_some_and(|t| f.seq < t) {
                let first_sent = sent
                    .iter()
                    .find(|(s, e, _)| *s <= f.seq && f.seq < *e)
                    .map(|x| x.2);
                k.resent.push(Resent {
                    frame: f.no,
                    seq: f.seq,
                    len: f.len,
                    first_sent,
                    label: if f.spurious {
                        "spurious_retransmission"
                    } else if f.fast {
                        "fast_retransmission"
                    } else if f.retransmission {
                        "retransmission"
                    } else if f.out_of_order {
                        "out_of_order"
                    } else {
                        "none"
                    },
                });
            }
            if top.is_none_or(|t| end > t) {
                sent.push((top.unwrap_or(f.seq).max(f.seq), end, f.no));
                top = Some(end);
            }
        } else {
            if f.zero_window {
                k.zero_window.push(f.no);
            }
            if f.dup_ack {
                k.dup_acks += 1;
            }
            if !f.syn() {
                k.min_window = Some(k.min_window.map_or(f.win, |m| m.min(f.win)));
            }
            if let (Some(seg), Some(rtt)) = (f.acks_frame, f.ack_rtt) {
                k.rtt_ns.insert(seg, (rtt * 1e9).round() as i64);
            }
        }
    }
    let sent_bytes: u64 = intervals.iter().map(|(s, e)| e - s).sum();
    intervals.sort_unstable();
    let (mut covered, mut end) = (0u64, 0u64);
    for (s, e) in intervals {
        if e > end {
            covered += e - s.max(end);
            end = e;
        }
    }
    k.goodput = covered;
    k.resent_bytes = sent_bytes - covered;
    k
}

/// One TCP connection: its stream, client and server (from the SYN, else the SYN-ACK, else
/// the first frame), and its frames.
#[derive(Debug, Clone)]
pub struct Conn<'a> {
    pub stream: u32,
    pub client: String,
    pub server: String,
    pub server_ip: String,
    pub frames: Vec<&'a Frame>,
}

impl Conn<'_> {
    pub fn up(&self) -> impl Iterator<Item = &&Frame> {
        self.frames.iter().filter(|f| f.from() == self.client)
    }

    pub fn down(&self) -> impl Iterator<Item = &&Frame> {
        self.frames.iter().filter(|f| f.from() == self.server)
    }

    /// Payload bytes the client sent.
    pub fn up_bytes(&self) -> u64 {
        self.up().map(|f| f.len).sum()
    }

    /// SYN, SYN-ACK and the client's ACK of the SYN-ACK (Seq=1, Ack=1, no data).
    pub fn handshake(&self) -> Vec<u64> {
        let mut v = Vec::new();
        if let Some(f) = self.frames.iter().find(|f| f.syn() && !f.ack_set()) {
            v.push(f.no);
        }
        if let Some(f) = self.frames.iter().find(|f| f.syn() && f.ack_set()) {
            v.push(f.no);
            if let Some(a) = self.frames.iter().find(|x| {
                x.no > f.no
                    && x.from() == self.client
                    && x.ack_set()
                    && !x.syn()
                    && x.seq == 1
                    && x.ack == 1
                    && x.len == 0
            }) {
                v.push(a.no);
            }
        }
        v
    }

    /// Frames with no data, ACK set and no SYN, FIN or RST, the handshake's ACK and
    /// keep-alives left out.
    pub fn pure_acks(&self) -> Vec<&Frame> {
        let hs = self.handshake();
        self.frames
            .iter()
            .filter(|f| {
                f.len == 0
                    && f.ack_set()
                    && f.flags & 0x07 == 0
                    && !f.syn()
                    && !f.keep_alive
                    && !hs.contains(&f.no)
            })
            .copied()
            .collect()
    }

    /// Client data segments that carry sequence numbers the client sent before.
    pub fn up_resent(&self) -> Vec<u64> {
        let mut top: Option<u64> = None;
        let mut out = Vec::new();
        for f in self.up().filter(|f| f.len > 0) {
            if !f.keep_alive && top.is_some_and(|t| f.seq < t) {
                out.push(f.no);
            }
            top = top.max(Some(f.seq + f.len));
        }
        out
    }

    /// Who sent the first FIN ("client" or "server").
    pub fn first_fin(&self) -> Option<&'static str> {
        self.frames.iter().find(|f| f.fin()).map(|f| {
            if f.from() == self.client {
                "client"
            } else {
                "server"
            }
        })
    }
}

/// The TCP connections of a capture, in order of their first frame.
pub fn conns(frames: &[Frame]) -> Vec<Conn<'_>> {
    streams(frames)
        .into_iter()
        .map(|(stream, fs)| {
            let (client, server, ip) = if let Some(f) = fs.iter().find(|f| f.syn() && !f.ack_set())
            {
                (f.from(), f.to(), f.dst.clone())
            } else if let Some(f) = fs.iter().find(|f| f.syn() && f.ack_set()) {
                (f.to(), f.from(), f.src.clone())
            } else {
                (fs[0].from(), fs[0].to(), fs[0].dst.clone())
            };
            Conn {
                stream,
                client,
                server,
                server_ip: ip,
                frames: fs,
            }
        })
        .collect()
}

/// The first bytes of frame `no`'s TCP payload (tshark's `tcp.payload`).
pub fn payload(file: &Path, no: u64) -> Vec<u8> {
    let mut cmd = Command::new("tshark");
    cmd.env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .args(["-n", "-r"])
        .arg(file)
        .args([
            "-Y",
            &format!("frame.number == {no}"),
            "-T",
            "fields",
            "-e",
            "tcp.payload",
        ]);
    let out = run(&mut cmd);
    let hex = String::from_utf8_lossy(&out.stdout).trim().replace(':', "");
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// The bytes `from` ("IP:PORT") sent on TCP stream `stream`, in sequence order, each byte
/// once; with the data segments (frame, relative seq, len). From `tcp.payload`.
pub fn sent_bytes(file: &Path, stream: u32, from: &str) -> (Vec<u8>, Vec<(u64, u64, u64)>) {
    let mut cmd = Command::new("tshark");
    cmd.env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .args(["-n", "-r"])
        .arg(file)
        .args(["-Y", &format!("tcp.stream == {stream} && tcp.len > 0")])
        .args(["-T", "fields", "-E", "occurrence=f"]);
    for f in [
        "frame.number",
        "ip.src",
        "tcp.srcport",
        "tcp.seq",
        "tcp.len",
        "tcp.payload",
    ] {
        cmd.args(["-e", f]);
    }
    let out = run(&mut cmd);
    let mut bytes: Vec<u8> = Vec::new();
    let mut segs = Vec::new();
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let c: Vec<&str> = l.split('\t').collect();
        if c.len() < 6 || sock(c[1], num(c[2]).unwrap_or(0)) != from {
            continue;
        }
        let (no, seq, len): (u64, u64, u64) = (
            num(c[0]).unwrap_or(0),
            num(c[3]).unwrap_or(0),
            num(c[4]).unwrap_or(0),
        );
        segs.push((no, seq, len));
        let hex = c[5].replace(':', "");
        let data: Vec<u8> = (0..hex.len() / 2)
            .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
            .collect();
        // Relative Seq 1 is the stream's first byte; only the next new bytes are appended.
        let start = (seq.saturating_sub(1)) as usize;
        if start <= bytes.len() && start + data.len() > bytes.len() {
            bytes.extend_from_slice(&data[bytes.len() - start..]);
        }
    }
    (bytes, segs)
}

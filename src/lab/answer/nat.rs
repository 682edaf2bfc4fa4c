//! The Kurose & Ross "Wireshark Lab: NAT" (v8.1), answered from two captures made at the same
//! time on the two sides of a NAT router: the inside one (the LAN side, the course's
//! nat-inside-wireshark-trace1-1.pcapng) first, the outside one (the WAN side,
//! nat-outside-wireshark-trace1-1.pcapng) second.
//!
//! The HTTP GET is matched across the two captures by what the router does not change, never
//! by addresses: the same request line and Host header, the same raw TCP sequence number
//! (masquerade keeps it) and, when the router keeps it too, the same IP Identification. The
//! connection answered is the first inside GET found on both sides (or the first to the server
//! `--server` names); every matched connection shows in the translation table of question 11.
//! Two captures that share no GET, or whose GET crosses with the same addresses and ports
//! (the same capture twice, or a router without NAT), are refused, and so is the outside
//! capture given first (its GET has the larger TTL).

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::Serialize;

use super::http::{HttpMsg, HttpMsgs};
use super::report::{Answer, Table};
use super::{AnswerError, Capture, open};
use crate::analyse::{Analyzer, Packet};
use crate::decode::{NetRepr, TransportRepr};
use crate::dissect::Want;
use crate::source::SourceEvent;
use crate::text::escape;
use crate::wire::tcp::tcp_flags::{ACK, SYN};

/// Index of the inside (LAN side) capture.
pub const INSIDE: usize = 0;
/// Index of the outside (WAN side) capture.
pub const OUTSIDE: usize = 1;
/// Segments (SYNs and frames completing an HTTP message) kept per capture.
pub const KEEP: usize = 65_536;
/// Bytes of an HTTP request's segment kept to compare the two sides.
const PAYLOAD: usize = 8192;

/// Why two captures are not the two sides of one NAT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NatError {
    /// Not exactly two files.
    #[error(
        "the NAT lab reads two captures made at the same time ({0} given): `wirelab lab answer nat \
         INSIDE OUTSIDE`, the LAN-side capture (the course's nat-inside-wireshark-trace1-1.pcapng) \
         first, then the WAN-side one (nat-outside-wireshark-trace1-1.pcapng)"
    )]
    Files(usize),
    /// No inside GET is in the outside capture.
    #[error(
        "none of the {gets} HTTP request{s} of {inside} is in {outside} (matched by request line, \
         Host, TCP sequence number and IP Identification): these are not captures of the two \
         sides of one NAT router made at the same time",
        s = if *gets == 1 { "" } else { "s" }
    )]
    NoMatch {
        /// The inside file.
        inside: String,
        /// The outside file.
        outside: String,
        /// Requests in the inside file.
        gets: usize,
    },
    /// The GET crosses with the same addresses and ports on both sides.
    #[error(
        "the HTTP GET of {inside} frame {inside_frame} is in {outside} frame {outside_frame} with \
         the same addresses and ports ({ends}): nothing was translated, so these are not the two \
         sides of a NAT router (the same capture twice, two captures on one side, or a router \
         without NAT)"
    )]
    NotTranslated {
        /// The inside file.
        inside: String,
        /// The GET's frame there.
        inside_frame: u64,
        /// The outside file.
        outside: String,
        /// The GET's frame there.
        outside_frame: u64,
        /// `a:p → b:q`.
        ends: String,
    },
    /// The outside capture was given first.
    #[error(
        "the files look swapped: the HTTP GET has TTL {first_ttl} in {first} and {second_ttl} in \
         {second}, and a router lowers the TTL of what it forwards, so {second} is the inside \
         (LAN side) capture: give it first, `wirelab lab answer nat {second} {first}`"
    )]
    Swapped {
        /// The file given first.
        first: String,
        /// The GET's TTL there.
        first_ttl: u8,
        /// The file given second.
        second: String,
        /// The GET's TTL there.
        second_ttl: u8,
    },
}

/// The IPv4 header fields question 8 compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ip4 {
    /// `ip.version`.
    pub version: u8,
    /// `ip.hdr_len`, bytes.
    pub header_len: u8,
    /// `ip.flags`: 0x02 Don't fragment, 0x01 More fragments.
    pub flags: u8,
    /// `ip.checksum`.
    pub checksum: u16,
    /// `ip.ttl`.
    pub ttl: u8,
    /// `ip.id`.
    pub id: u16,
    /// `ip.len`.
    pub total_len: u16,
}

/// One TCP segment the questions look at: a SYN, or the frame an HTTP message completes in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Seg {
    /// Frame number.
    pub frame: u64,
    /// Seconds since the file's first frame (Wireshark's Time column).
    pub time: f64,
    /// Capture time since the Unix epoch.
    pub abs: Duration,
    /// Source.
    pub src: Option<SocketAddr>,
    /// Destination.
    pub dst: Option<SocketAddr>,
    /// `tcp.stream`.
    pub stream: Option<u32>,
    /// `tcp.seq_raw`.
    pub seq: u32,
    /// The TCP flags.
    pub flags: u16,
    /// The IPv4 header (none for IPv6).
    pub ip: Option<Ip4>,
    /// The TCP payload of a request's frame (at most 8 KiB), else empty.
    pub payload: Vec<u8>,
}

/// What the two captures hold for the lab.
#[derive(Debug, Clone, Default)]
pub struct NatTrace {
    /// The HTTP messages of both files (file 0 inside, 1 outside).
    pub http: HttpMsgs,
    /// Per file: its SYNs and the frames completing an HTTP message, in frame order.
    pub segs: [Vec<Seg>; 2],
    /// The files' paths as given.
    pub paths: [String; 2],
}

fn seg_of(p: &Packet, data: &[u8], keep_payload: bool) -> Option<Seg> {
    let TransportRepr::Tcp(t) = &p.decoded.transport else {
        return None;
    };
    let (s, d) = p.decoded.net.ip_addrs()?;
    let ip = match &p.decoded.net {
        NetRepr::Ipv4(h) => Some(Ip4 {
            version: 4,
            header_len: h.header_len,
            flags: u8::from(h.dont_fragment) << 1 | u8::from(h.more_fragments),
            checksum: h.checksum,
            ttl: h.ttl,
            id: h.id,
            total_len: h.total_len,
        }),
        _ => None,
    };
    let payload = if keep_payload {
        let b = p.decoded.app_payload(data);
        b.get(..PAYLOAD.min(b.len())).unwrap_or_default().to_vec()
    } else {
        Vec::new()
    };
    Some(Seg {
        frame: p.number,
        time: p.time_rel_ns as f64 / 1e9,
        abs: p.timestamp,
        src: Some(SocketAddr::new(s, t.src_port)),
        dst: Some(SocketAddr::new(d, t.dst_port)),
        stream: p.tcp.as_ref().map(|a| a.stream),
        seq: t.seq,
        flags: t.flags,
        ip,
        payload,
    })
}

impl NatTrace {
    /// Adds one analysed frame of file `file` (0 or 1).
    pub fn add(&mut self, file: usize, p: &Packet, data: &[u8]) {
        let before = self.http.msgs.len();
        self.http.add(file, p);
        let new = self.http.msgs.get(before..).unwrap_or_default();
        let is_syn = matches!(&p.decoded.transport, TransportRepr::Tcp(t) if t.flags & SYN != 0);
        if new.is_empty() && !is_syn {
            return;
        }
        let request = new.iter().any(|m| m.request);
        let Some(list) = self.segs.get_mut(file) else {
            return;
        };
        if list.len() >= KEEP {
            return;
        }
        if let Some(s) = seg_of(p, data, request) {
            list.push(s);
        }
    }

    /// The segment kept for `frame` of `file`.
    pub fn seg(&self, file: usize, frame: u64) -> Option<&Seg> {
        let list = self.segs.get(file)?;
        list.binary_search_by_key(&frame, |s| s.frame)
            .ok()
            .and_then(|i| list.get(i))
    }

    /// The SYN (`ack` false) or SYN-ACK (`ack` true) of `stream` in `file`.
    pub fn syn(&self, file: usize, stream: Option<u32>, ack: bool) -> Option<&Seg> {
        let stream = stream?;
        self.segs
            .get(file)?
            .iter()
            .find(|s| s.stream == Some(stream) && s.flags & SYN != 0 && (s.flags & ACK != 0) == ack)
    }

    /// The path of `file`, escaped for a terminal.
    fn path(&self, file: usize) -> String {
        escape(self.paths.get(file).map_or(&b""[..], |p| p.as_bytes()))
    }
}

/// Reads both captures (inside first).
pub fn read(caps: &[Capture]) -> Result<NatTrace, AnswerError> {
    let mut t = NatTrace::default();
    for (i, c) in caps.iter().take(2).enumerate() {
        if let Some(p) = t.paths.get_mut(i) {
            *p = c.path.display().to_string();
        }
        let reader = open(&c.path)?;
        let mut analyzer = Analyzer::new().want(Want {
            fields: true,
            tree: false,
        });
        let mut p = Packet::default();
        for frame in reader.flat_map(SourceEvent::into_result) {
            analyzer.process(&frame, &mut p);
            t.add(i, &p, &frame.data);
        }
    }
    Ok(t)
}

/// One HTTP request seen on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The request in the inside capture.
    pub inside: HttpMsg,
    /// The same request in the outside capture.
    pub outside: HttpMsg,
    /// The raw TCP sequence number is the same on both sides.
    pub same_seq: bool,
    /// The IP Identification is the same on both sides.
    pub same_id: bool,
}

impl Pair {
    /// What the match rests on, in words.
    pub fn basis(&self, t: &NatTrace) -> String {
        let mut parts = vec!["the same request line and Host".to_string()];
        if self.same_seq
            && let Some(s) = t.seg(OUTSIDE, self.outside.frame)
        {
            parts.push(format!(
                "the same raw TCP sequence number ({}; filter `tcp.seq_raw == {}` in either \
                 file)",
                s.seq, s.seq
            ));
        }
        if self.same_id
            && let Some(ip) = t.seg(OUTSIDE, self.outside.frame).and_then(|s| s.ip)
        {
            parts.push(format!("the same IP Identification (0x{:04x})", ip.id));
        }
        parts.join(", ")
    }
}

fn host(m: &HttpMsg) -> Option<&str> {
    m.header("Host")
}

/// Every inside request found in the outside capture, in inside order: first those with the
/// same raw TCP sequence number, then, among the rest, by request line and Host alone (a
/// router that changes sequence numbers).
pub fn pairs(t: &NatTrace) -> Vec<Pair> {
    type Key = (String, Option<String>);
    let key = |m: &HttpMsg| -> Key { (m.first_line(), host(m).map(str::to_string)) };
    let mut outside: HashMap<Key, Vec<&HttpMsg>> = HashMap::new();
    for o in t
        .http
        .msgs
        .iter()
        .filter(|m| m.file == OUTSIDE && m.request)
    {
        outside.entry(key(o)).or_default().push(o);
    }
    let inside: Vec<(&HttpMsg, Key)> = t
        .http
        .msgs
        .iter()
        .filter(|m| m.file == INSIDE && m.request)
        .map(|m| (m, key(m)))
        .collect();
    let mut used: HashSet<u64> = HashSet::new();
    let mut done: HashSet<u64> = HashSet::new();
    let mut out = Vec::new();
    for need_seq in [true, false] {
        for (i, k) in &inside {
            if done.contains(&i.frame) {
                continue;
            }
            let si = t.seg(INSIDE, i.frame);
            let mut best: Option<(u8, &HttpMsg, bool, bool)> = None;
            for o in outside.get(k).into_iter().flatten() {
                if used.contains(&o.frame) {
                    continue;
                }
                let so = t.seg(OUTSIDE, o.frame);
                let same_seq = matches!((si, so), (Some(a), Some(b)) if a.seq == b.seq);
                if need_seq && !same_seq {
                    continue;
                }
                let same_id = matches!(
                    (si.and_then(|s| s.ip), so.and_then(|s| s.ip)),
                    (Some(a), Some(b)) if a.id == b.id
                );
                let score = 2 * u8::from(same_seq) + u8::from(same_id);
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, o, same_seq, same_id));
                }
            }
            if let Some((_, o, same_seq, same_id)) = best {
                used.insert(o.frame);
                done.insert(i.frame);
                out.push(Pair {
                    inside: (*i).clone(),
                    outside: o.clone(),
                    same_seq,
                    same_id,
                });
            }
        }
    }
    out.sort_by_key(|p| p.inside.frame);
    out
}

/// The pair the answers follow: the first GET (else request) to `server` (any when `None`).
fn choose(pairs: &[Pair], server: Option<IpAddr>) -> Option<&Pair> {
    let to = |p: &&Pair| {
        server.is_none_or(|s| {
            p.outside.dst.map(|d| d.ip()) == Some(s) || p.inside.dst.map(|d| d.ip()) == Some(s)
        })
    };
    pairs
        .iter()
        .filter(to)
        .find(|p| p.inside.method == "GET")
        .or_else(|| pairs.iter().find(to))
}

fn ends(src: Option<SocketAddr>, dst: Option<SocketAddr>) -> String {
    format!("{} → {}", sock(src), sock(dst))
}

fn sock(a: Option<SocketAddr>) -> String {
    a.map(|a| a.to_string()).unwrap_or_else(|| "?".into())
}

/// A delay: [`super::seconds`], or microseconds below 0.1 ms (`37 µs`).
pub fn gap(x: f64) -> String {
    if x.abs() < 1e-4 {
        format!("{:.0} µs", x * 1e6)
    } else {
        super::seconds(x)
    }
}

/// `HH:MM:SS.ffffff UTC`.
pub fn clock(abs: Duration) -> String {
    let s = abs.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{:06} UTC",
        s / 3600,
        s / 60 % 60,
        s % 60,
        abs.subsec_micros()
    )
}

/// Where a message or segment was seen: what the JSON values carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seen {
    /// Frame number.
    pub frame: u64,
    /// Seconds since the file's first frame.
    pub time: f64,
    /// Seconds since the Unix epoch.
    pub epoch: f64,
    /// Source address.
    pub src: Option<IpAddr>,
    /// Source port.
    pub src_port: Option<u16>,
    /// Destination address.
    pub dst: Option<IpAddr>,
    /// Destination port.
    pub dst_port: Option<u16>,
}

fn seen(s: &Seg) -> Seen {
    Seen {
        frame: s.frame,
        time: s.time,
        epoch: s.abs.as_secs_f64(),
        src: s.src.map(|a| a.ip()),
        src_port: s.src.map(|a| a.port()),
        dst: s.dst.map(|a| a.ip()),
        dst_port: s.dst.map(|a| a.port()),
    }
}

fn seen_msg(t: &NatTrace, m: &HttpMsg) -> Seen {
    match t.seg(m.file, m.frame) {
        Some(s) => seen(s),
        None => Seen {
            frame: m.frame,
            time: m.time,
            epoch: 0.0,
            src: m.src.map(|a| a.ip()),
            src_port: m.src.map(|a| a.port()),
            dst: m.dst.map(|a| a.ip()),
            dst_port: m.dst.map(|a| a.port()),
        },
    }
}

/// `frame 6, time 0.000511 s (10:19:27.958508 UTC)`.
fn when(s: &Seen) -> String {
    format!(
        "frame {}, time {:.6} s ({})",
        s.frame,
        s.time,
        clock(Duration::from_secs_f64(s.epoch.max(0.0)))
    )
}

/// `source 10.0.3.1, port 58948; destination 10.0.4.1, port 80`.
fn four(s: &Seen) -> String {
    let ip = |a: Option<IpAddr>| a.map(|a| a.to_string()).unwrap_or_else(|| "?".into());
    let port = |p: Option<u16>| p.map(|p| p.to_string()).unwrap_or_else(|| "?".into());
    format!(
        "source {}, port {}; destination {}, port {}",
        ip(s.src),
        port(s.src_port),
        ip(s.dst),
        port(s.dst_port)
    )
}

const Q1: &str = "Consider the HTTP GET sent from the client to the gaia.cs.umass.edu server, where \
                  the client is on the LAN side of the NAT router. What is the IP address of the \
                  client that sends the HTTP GET request? What is the source port number of the \
                  TCP segment in this datagram containing the HTTP GET request? What is the \
                  destination IP address of this HTTP GET request? What is the destination port \
                  number of the TCP segment in this datagram containing the HTTP GET request?";
const Q2: &str = "At what time is the corresponding HTTP 200 OK message from the webserver \
                  forwarded by the NAT router to the client on the router's LAN side?";
const Q3: &str = "What are the source and destination IP addresses and TCP source and \
                  destination ports on the IP datagram carrying this HTTP 200 OK message?";
const Q4: &str = "At what time does this HTTP GET message appear in the \
                  nat-outside-wireshark-trace1-1.pcapng trace file?";
const Q5: &str = "What are the source and destination IP addresses and TCP source and \
                  destination port numbers on the IP datagram carrying this HTTP GET (as \
                  recorded in the nat-outside-wireshark-trace1-1.pcapng trace file)?";
const Q6: &str = "Which of these four fields are different than in your answer to question 1 \
                  above?";
const Q7: &str = "Are any fields in the HTTP GET message changed?";
const Q8: &str = "Which of the following fields in the IP datagram carrying the HTTP GET are \
                  changed from the datagram received on the local area network (inside) to the \
                  corresponding datagram forwarded on the Internet side (outside) of the NAT \
                  router: Version, Header Length, Flags, Checksum?";
const Q9: &str = "At what time is the first 200 OK HTTP message received from the \
                  gaia.cs.umass.edu server? What are the source and destination IP addresses and \
                  TCP source and destination ports on the IP datagram carrying this HTTP 200 OK \
                  message?";
const Q10: &str = "At what time is the client-to-server TCP SYN segment that sets up the \
                   connection used by this GET sent (outside trace), and what are its source and \
                   destination IP addresses and ports? At what time is the corresponding SYNACK \
                   received, and what are its addresses and ports? How do they compare with the \
                   SYN and SYNACK in the inside trace?";
const Q11: &str = "Using your answers to 1-10 above, fill in the NAT translation table entries \
                   for the HTTP connection considered in questions 1-10 above.";

/// The lab's questions, in order.
pub const QUESTIONS: [(&str, &str); 11] = [
    ("1", Q1),
    ("2", Q2),
    ("3", Q3),
    ("4", Q4),
    ("5", Q5),
    ("6", Q6),
    ("7", Q7),
    ("8", Q8),
    ("9", Q9),
    ("10", Q10),
    ("11", Q11),
];

const WS: &str = "How: Wireshark display filter";
const PUBLIC: &str = "With the course's traces or a real network, the server's address and \
                      the times depend on gaia.cs.umass.edu and the path to it, and the \
                      router's WAN-side address on the student's ISP.";

/// Every answer of the NAT lab; the two captures are the inside then the outside one.
pub fn answers(caps: &[Capture], server: Option<IpAddr>) -> Result<Vec<Answer>, AnswerError> {
    if caps.len() != 2 {
        return Err(NatError::Files(caps.len()).into());
    }
    let t = read(caps)?;
    Ok(answer_trace(&t, server)?)
}

/// The answers from what the two captures hold (refused when they are not two sides of a NAT).
pub fn answer_trace(t: &NatTrace, server: Option<IpAddr>) -> Result<Vec<Answer>, NatError> {
    let inside_reqs = t
        .http
        .msgs
        .iter()
        .filter(|m| m.file == INSIDE && m.request)
        .count();
    if inside_reqs == 0 {
        let why = format!(
            "not in this capture: no HTTP request in {} (the inside capture). Capture on the \
             LAN side (the client, or the router's LAN interface) and on the WAN side at the \
             same time while the client fetches a page over http:// (not https://), and filter \
             on `http`.",
            t.path(INSIDE)
        );
        return Ok(QUESTIONS
            .iter()
            .map(|(id, q)| Answer::new(id, q, why.clone()))
            .collect());
    }
    let all = pairs(t);
    let Some(p) = choose(&all, server) else {
        return Err(NatError::NoMatch {
            inside: t.path(INSIDE),
            outside: t.path(OUTSIDE),
            gets: inside_reqs,
        });
    };
    let si = t.seg(INSIDE, p.inside.frame);
    let so = t.seg(OUTSIDE, p.outside.frame);
    if let (Some(a), Some(b)) = (si.and_then(|s| s.ip), so.and_then(|s| s.ip))
        && b.ttl > a.ttl
    {
        return Err(NatError::Swapped {
            first: t.path(INSIDE),
            first_ttl: a.ttl,
            second: t.path(OUTSIDE),
            second_ttl: b.ttl,
        });
    }
    if p.inside.src == p.outside.src && p.inside.dst == p.outside.dst {
        return Err(NatError::NotTranslated {
            inside: t.path(INSIDE),
            inside_frame: p.inside.frame,
            outside: t.path(OUTSIDE),
            outside_frame: p.outside.frame,
            ends: ends(p.inside.src, p.inside.dst),
        });
    }
    Ok(answer_pair(t, p, &all))
}

fn answer_pair(t: &NatTrace, p: &Pair, all: &[Pair]) -> Vec<Answer> {
    let mut out = Vec::new();
    let gi = seen_msg(t, &p.inside);
    let go = seen_msg(t, &p.outside);
    let ri = t.http.response_to(&p.inside);
    let ro = t.http.response_to(&p.outside);
    let line = escape(p.inside.first_line().as_bytes());
    let picked = if all.len() > 1 {
        format!(
            " {} HTTP requests are in both captures (see question 11); this is the first{}.",
            all.len(),
            if p.inside.method == "GET" { " GET" } else { "" }
        )
    } else {
        String::new()
    };
    // 1
    out.push(
        Answer::new(
            "1",
            Q1,
            format!(
                "The client is {} and sends \"{line}\" (Host: {}) from TCP port {}, to {} port \
                 {} (inside capture, {}).{picked}\n{WS} `http.request.method == \"GET\"` in \
                 the inside capture; fields ip.src, tcp.srcport, ip.dst, tcp.dstport.",
                gi.src.map(|a| a.to_string()).unwrap_or_default(),
                escape(host(&p.inside).unwrap_or("none").as_bytes()),
                gi.src_port.unwrap_or(0),
                gi.dst.map(|a| a.to_string()).unwrap_or_default(),
                gi.dst_port.unwrap_or(0),
                when(&gi),
            ),
        )
        .cite(INSIDE, "HTTP GET", vec![gi.frame])
        .value("get", &gi)
        .value("client", gi.src)
        .value("client_port", gi.src_port)
        .value("server", gi.dst)
        .value("server_port", gi.dst_port),
    );
    // 2, 3
    let why_no_resp = |file: &str| {
        format!(
            "not in this capture: no HTTP response to the GET on its connection in the {file} \
             capture; capture until the page has loaded."
        )
    };
    match ri {
        Some(r) => {
            let s = seen_msg(t, r);
            let segs = if r.segments.len() > 1 {
                format!(
                    " The response came in {} TCP segments (frames {}); Wireshark shows it in \
                     the last one.",
                    r.segments.len(),
                    r.segments
                        .iter()
                        .map(|f| f.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                String::new()
            };
            out.push(
                Answer::new(
                    "2",
                    Q2,
                    format!(
                        "\"{}\" is forwarded to the client at {} in the inside capture, {} after the \
                         GET.{segs}\n{WS} `http.response` in the inside capture (or `http.response_in` \
                         of the GET); the Time column.",
                        escape(r.first_line().as_bytes()),
                        when(&s),
                        gap(s.time - gi.time)
                    ),
                )
                .cite(INSIDE, "HTTP response", vec![s.frame])
                .value("response", &s)
                .value("code", r.code),
            );
            out.push(
                Answer::new(
                    "3",
                    Q3,
                    format!(
                        "{} (inside capture, frame {}): the server's address and port as the \
                         source, the client's private address and its own port as the \
                         destination, the reverse of question 1.\n{WS} `http.response` in the \
                         inside capture; fields ip.src, ip.dst, tcp.srcport, tcp.dstport.",
                        four(&s),
                        s.frame
                    ),
                )
                .cite(INSIDE, "HTTP response", vec![s.frame])
                .value("response", &s),
            );
        }
        None => {
            out.push(Answer::new("2", Q2, why_no_resp("inside")));
            out.push(Answer::new("3", Q3, why_no_resp("inside")));
        }
    }
    // 4
    let delay = go.epoch - gi.epoch;
    out.push(
        Answer::new(
            "4",
            Q4,
            format!(
                "At {} in the outside capture, found there by {}. By the two captures' clocks \
                 the router sent it on {} after it arrived on the LAN side (meaningful only when \
                 both capturing machines' clocks agree); the Time columns of the two files \
                 start at different moments, so compare times of day.\n{WS} `tcp.seq_raw == {}` \
                 (or `http.request.uri == \"{}\"`) in the outside capture.",
                when(&go),
                p.basis(t),
                gap(delay),
                t.seg(OUTSIDE, p.outside.frame).map(|s| s.seq).unwrap_or(0),
                escape(p.outside.uri.as_bytes())
            ),
        )
        .cite(OUTSIDE, "HTTP GET", vec![go.frame])
        .value("get", &go)
        .value("same_seq", p.same_seq)
        .value("same_ip_id", p.same_id)
        .value("forwarding_delay", delay),
    );
    // 5
    out.push(
        Answer::new(
            "5",
            Q5,
            format!(
                "{} (outside capture, frame {}).{}\nHow: the GET found in question 4; fields \
                 ip.src, ip.dst, tcp.srcport, tcp.dstport.",
                four(&go),
                go.frame,
                if go.src != gi.src {
                    format!(
                        " The source is the router's WAN-side address, {}.",
                        go.src.map(|a| a.to_string()).unwrap_or_default()
                    )
                } else {
                    String::new()
                }
            ),
        )
        .cite(OUTSIDE, "HTTP GET", vec![go.frame])
        .value("get", &go),
    );
    // 6
    let mut changed: Vec<&str> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    if gi.src != go.src {
        changed.push("source_ip");
        words.push(format!(
            "the source IP address ({} inside, {} outside)",
            gi.src.map(|a| a.to_string()).unwrap_or_default(),
            go.src.map(|a| a.to_string()).unwrap_or_default()
        ));
    }
    if gi.src_port != go.src_port {
        changed.push("source_port");
        words.push(format!(
            "the source port ({} inside, {} outside)",
            gi.src_port.unwrap_or(0),
            go.src_port.unwrap_or(0)
        ));
    }
    if gi.dst != go.dst {
        changed.push("destination_ip");
        words.push("the destination IP address".into());
    }
    if gi.dst_port != go.dst_port {
        changed.push("destination_port");
        words.push("the destination port".into());
    }
    let kept = if gi.src_port == go.src_port {
        " The source port is the same: the router kept the client's port, as masquerade does \
         when no other connection uses it (another NAT, or a clash, would change it too)."
    } else {
        " The router chose a new source port, so replies to it can be told apart from other \
         LAN hosts' connections."
    };
    out.push(
        Answer::new(
            "6",
            Q6,
            format!(
                "{} differ{}; the destination address and port are the same: the NAT router \
                 rewrote the client's private source to its own WAN-side address.{kept}",
                capitalise(&words.join(" and ")),
                if words.len() == 1 { "s" } else { "" }
            ),
        )
        .cite(INSIDE, "HTTP GET", vec![gi.frame])
        .cite(OUTSIDE, "HTTP GET", vec![go.frame])
        .value("changed", &changed),
    );
    // 7
    let pi = si_payload(t, INSIDE, p.inside.frame);
    let po = si_payload(t, OUTSIDE, p.outside.frame);
    let lines_same =
        p.inside.lines == p.outside.lines && p.inside.first_line() == p.outside.first_line();
    let same = lines_same && (pi.is_empty() || po.is_empty() || pi == po);
    let diff: Vec<String> = p
        .inside
        .lines
        .iter()
        .filter(|l| !p.outside.lines.contains(l))
        .map(|l| escape(l.as_bytes()))
        .collect();
    out.push(
        Answer::new(
            "7",
            Q7,
            if same {
                format!(
                    "No: the HTTP GET is the same on both sides ({}the request line and {} \
                     header lines). NAT rewrites IP addresses and TCP ports (and so the IP and \
                     TCP checksums), not what the application sends. (An application that writes \
                     its own address into its messages, such as FTP's PORT command, needs an \
                     application-level gateway.)\nHow: compare the GET's Hypertext \
                     Transfer Protocol lines (http.request.line) in the two captures.",
                    if !pi.is_empty() && pi == po {
                        format!("all {} bytes: ", pi.len())
                    } else {
                        String::new()
                    },
                    p.inside.lines.len()
                )
            } else {
                format!(
                    "Yes: the HTTP GET differs between the captures{}.\nHow: compare the GET's \
                     http.request.line in the two captures.",
                    if diff.is_empty() {
                        String::new()
                    } else {
                        format!("; inside lines not outside: {}", diff.join(" | "))
                    }
                )
            },
        )
        .cite(INSIDE, "HTTP GET", vec![gi.frame])
        .cite(OUTSIDE, "HTTP GET", vec![go.frame])
        .value("changed", !same)
        .value("bytes", (!pi.is_empty()).then_some(pi.len())),
    );
    // 8
    out.push(q8(t, p, &gi, &go));
    // 9
    match ro {
        Some(r) => {
            let s = seen_msg(t, r);
            let back = ri.map(|r| seen_msg(t, r));
            out.push(
                Answer::new(
                    "9",
                    Q9,
                    format!(
                        "\"{}\" arrives from the server at {} in the outside capture: {} (to the \
                         router's WAN-side address and port).{}{}\n{WS} `http.response` in the \
                         outside capture; fields ip.src, ip.dst, tcp.srcport, tcp.dstport.",
                        escape(r.first_line().as_bytes()),
                        when(&s),
                        four(&s),
                        match &back {
                            Some(b) => format!(
                                " The router forwards it to {}:{} (question 3), {} later by \
                                 the two captures' clocks.",
                                b.dst.map(|a| a.to_string()).unwrap_or_default(),
                                b.dst_port.unwrap_or(0),
                                gap(b.epoch - s.epoch)
                            ),
                            None => String::new(),
                        },
                        format_args!(" {PUBLIC}")
                    ),
                )
                .cite(OUTSIDE, "HTTP response", vec![s.frame])
                .value("response", &s)
                .value("code", r.code),
            );
        }
        None => out.push(Answer::new("9", Q9, why_no_resp("outside"))),
    }
    // 10
    out.push(q10(t, p));
    // 11
    out.push(q11(p, all, &gi, &go));
    out
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Nothing".into(),
    }
}

fn si_payload(t: &NatTrace, file: usize, frame: u64) -> &[u8] {
    t.seg(file, frame)
        .map(|s| s.payload.as_slice())
        .unwrap_or_default()
}

fn q8(t: &NatTrace, p: &Pair, gi: &Seen, go: &Seen) -> Answer {
    let (Some(a), Some(b)) = (
        t.seg(INSIDE, p.inside.frame).and_then(|s| s.ip),
        t.seg(OUTSIDE, p.outside.frame).and_then(|s| s.ip),
    ) else {
        return Answer::new(
            "8",
            Q8,
            "The GET is not carried in IPv4 on both sides (IPv6 has no header checksum and no \
             flags field): the question is about the IPv4 header."
                .into(),
        );
    };
    let flags = |f: u8| {
        format!(
            "0x{f:02x}{}",
            match f {
                0x02 => " (Don't fragment)",
                0x01 => " (More fragments)",
                0x00 => "",
                _ => " (Don't fragment, More fragments)",
            }
        )
    };
    let ip = |a: Option<IpAddr>| a.map(|a| a.to_string()).unwrap_or_default();
    let rows: [(&str, &str, String, String); 8] = [
        (
            "Version",
            "ip.version",
            a.version.to_string(),
            b.version.to_string(),
        ),
        (
            "Header Length",
            "ip.hdr_len",
            format!("{} bytes", a.header_len),
            format!("{} bytes", b.header_len),
        ),
        ("Flags", "ip.flags", flags(a.flags), flags(b.flags)),
        (
            "Header Checksum",
            "ip.checksum",
            format!("0x{:04x}", a.checksum),
            format!("0x{:04x}", b.checksum),
        ),
        (
            "Time to Live",
            "ip.ttl",
            a.ttl.to_string(),
            b.ttl.to_string(),
        ),
        ("Source Address", "ip.src", ip(gi.src), ip(go.src)),
        (
            "Identification",
            "ip.id",
            format!("0x{:04x}", a.id),
            format!("0x{:04x}", b.id),
        ),
        (
            "Total Length",
            "ip.len",
            a.total_len.to_string(),
            b.total_len.to_string(),
        ),
    ];
    let mut table = Table::new(&["Field", "Wireshark field", "Inside", "Outside", "Changed"]);
    let mut changed4: Vec<&str> = Vec::new();
    for (name, field, x, y) in &rows {
        let ch = x != y;
        if ch && ["Version", "Header Length", "Flags", "Header Checksum"].contains(name) {
            changed4.push(name);
        }
        table.row(vec![
            name.to_string(),
            field.to_string(),
            x.clone(),
            y.clone(),
            if ch { "yes" } else { "no" }.into(),
        ]);
    }
    let also: Vec<&str> = rows
        .iter()
        .skip(4)
        .filter(|r| r.2 != r.3)
        .map(|r| r.0)
        .collect();
    let list = if changed4.is_empty() {
        "None of the four changed".to_string()
    } else {
        format!("Of the four, only {} changed", and_list(&changed4))
    };
    Answer::new(
        "8",
        Q8,
        format!(
            "{list}: Version, Header Length and Flags are {} on both sides, the Header Checksum \
             is 0x{:04x} inside and 0x{:04x} outside. Besides, {} (table). The checksum \
             covers the whole IPv4 header, so it is recomputed whenever a header field changes: \
             here the source address (NAT) and the TTL (every router lowers it by one). The TCP \
             checksum changes as well: it covers a pseudo-header with the addresses, and the \
             ports.\nHow: the GET in each capture (questions 1 and 4); fields ip.version, ip.hdr_len, ip.flags, \
             ip.checksum, ip.ttl.",
            if a.version == b.version && a.header_len == b.header_len && a.flags == b.flags {
                "the same"
            } else {
                "not all the same"
            },
            a.checksum,
            b.checksum,
            if also.is_empty() {
                "nothing else changed".to_string()
            } else {
                format!("{} changed too", and_list(&also))
            }
        ),
    )
    .cite(INSIDE, "HTTP GET", vec![gi.frame])
    .cite(OUTSIDE, "HTTP GET", vec![go.frame])
    .value("inside", a)
    .value("outside", b)
    .value("changed", &changed4)
    .with_table(table)
}

fn q10(t: &NatTrace, p: &Pair) -> Answer {
    let so = t.syn(OUTSIDE, p.outside.stream, false);
    let sao = t.syn(OUTSIDE, p.outside.stream, true);
    let si = t.syn(INSIDE, p.inside.stream, false);
    let sai = t.syn(INSIDE, p.inside.stream, true);
    let Some(so) = so else {
        return Answer::new(
            "10",
            Q10,
            "not in this capture: the outside capture starts after the connection's SYN; \
             start both captures before the client opens the page."
                .into(),
        );
    };
    let s = |x: Option<&Seg>| x.map(seen);
    let mut table = Table::new(&[
        "Segment",
        "Capture",
        "Frame",
        "Time",
        "Source",
        "Destination",
    ]);
    let mut lines = Vec::new();
    for (name, side, x) in [
        ("SYN", "outside", Some(so)),
        ("SYNACK", "outside", sao),
        ("SYN", "inside", si),
        ("SYNACK", "inside", sai),
    ] {
        if let Some(x) = x {
            table.row(vec![
                name.into(),
                side.into(),
                x.frame.to_string(),
                format!("{:.6}", x.time),
                sock(x.src),
                sock(x.dst),
            ]);
            lines.push(format!(
                "{name} ({side}): {}; {}",
                when(&seen(x)),
                four(&seen(x))
            ));
        }
    }
    let same_isn = matches!((si, Some(so)), (Some(a), Some(b)) if a.seq == b.seq);
    let compare = match (si, sai) {
        (Some(i), Some(_)) => format!(
            " Inside, the SYN has the client's own address and port ({}) and the SYNACK goes \
             back to them: the same segments with the source (SYN) and destination (SYNACK) \
             rewritten, the server's side unchanged{}.",
            sock(i.src),
            if same_isn {
                format!(
                    ", the same initial sequence number ({}) on both sides",
                    i.seq
                )
            } else {
                String::new()
            }
        ),
        _ => " The inside capture does not hold this connection's SYN and SYNACK.".into(),
    };
    let mut frames_out = vec![so.frame];
    frames_out.extend(sao.map(|x| x.frame));
    let mut frames_in: Vec<u64> = si.map(|x| x.frame).into_iter().collect();
    frames_in.extend(sai.map(|x| x.frame));
    Answer::new(
        "10",
        Q10,
        format!(
            "{}.{compare}\n{WS} `tcp.flags.syn == 1 && tcp.stream == {}` in the outside \
             capture, `tcp.flags.syn == 1 && tcp.stream == {}` in the inside one.",
            lines.join(". "),
            p.outside.stream.unwrap_or(0),
            p.inside.stream.unwrap_or(0)
        ),
    )
    .cite(OUTSIDE, "SYN, SYNACK", frames_out)
    .cite(INSIDE, "SYN, SYNACK", frames_in)
    .value("syn_outside", seen(so))
    .value("synack_outside", s(sao))
    .value("syn_inside", s(si))
    .value("synack_inside", s(sai))
    .value("same_isn", same_isn)
    .with_table(table)
}

fn q11(p: &Pair, all: &[Pair], gi: &Seen, go: &Seen) -> Answer {
    let mut table = Table::new(&[
        "WAN side addr",
        "LAN side addr",
        "Server",
        "Request",
        "Frames (inside, outside)",
    ]);
    let mut entries: Vec<(String, String)> = Vec::new();
    for q in all {
        let e = (sock(q.outside.src), sock(q.inside.src));
        let row = vec![
            e.0.clone(),
            e.1.clone(),
            sock(q.outside.dst),
            escape(q.inside.first_line().as_bytes()),
            format!("{}, {}", q.inside.frame, q.outside.frame),
        ];
        if !entries.contains(&e) {
            entries.push(e);
        }
        table.row(row);
    }
    let wan = format!(
        "{}, {}",
        go.src.map(|a| a.to_string()).unwrap_or_default(),
        go.src_port.unwrap_or(0)
    );
    let lan = format!(
        "{}, {}",
        gi.src.map(|a| a.to_string()).unwrap_or_default(),
        gi.src_port.unwrap_or(0)
    );
    Answer::new(
        "11",
        Q11,
        format!(
            "NAT translation table (as the textbook draws it): WAN side addr {wan} ↔ LAN side \
             addr {lan}. The router rewrites the source of what the client sends to {} (questions \
             1, 5), and the destination of what comes back to {wan} into {lan} (questions 3, 9). \
             The table lists every connection seen on both sides ({} entr{}).\n{WS} `http` in both \
             captures; ip.src and tcp.srcport of the same GET inside and outside.",
            wan,
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" }
        ),
    )
    .cite(INSIDE, "HTTP GET", vec![p.inside.frame])
    .cite(OUTSIDE, "HTTP GET", vec![p.outside.frame])
    .value(
        "wan",
        go.src.zip(go.src_port).map(|(a, p)| SocketAddr::new(a, p)),
    )
    .value(
        "lan",
        gi.src.zip(gi.src_port).map(|(a, p)| SocketAddr::new(a, p)),
    )
    .value(
        "entries",
        entries
            .iter()
            .map(|(w, l)| serde_json::json!({"wan": w, "lan": l}))
            .collect::<Vec<_>>(),
    )
    .with_table(table)
}

#[cfg(test)]
mod tests;

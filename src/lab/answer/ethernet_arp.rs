//! The Kurose & Ross "Wireshark Lab: Ethernet and ARP" (v8.1), answered from captures: the
//! Ethernet frames of an HTTP GET and of its response (addresses, which device each belongs
//! to, EtherType, where the "G" of GET and the "O" of OK sit in the frame, how many frames
//! carry the response), then ARP (the cache, the request and the reply: addresses, EtherType,
//! where the opcode sits, opcode values, where the "question" and the "answer" are).
//!
//! Offsets are read from the frames' bytes, counted from the first byte of the Ethernet
//! header (0-based, as the hex pane's offset column counts). Vendors come from Wireshark's own
//! `manuf` file when it is installed ([`MANUF`]); nothing of it is copied here.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use super::facts::FileFacts;
use super::report::{Answer, Table};
use super::{AnswerError, Capture, frames_text, scan};
use crate::analyse::Packet;
use crate::decode::{LinkRepr, NetRepr, TransportRepr};
use crate::frame::Frame;
use crate::wire::mac;

/// Wireshark's table of vendor prefixes (installed with tshark).
pub const MANUF: &str = "/usr/share/wireshark/manuf";
/// ARP frames kept per file.
pub const ARP_KEEP: usize = 256;
/// Response segments kept.
pub const SEGMENTS: usize = 4096;
/// Response bytes kept to read its header.
const HEAD: usize = 8192;

/// An Ethernet frame's addresses and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eth {
    /// Source MAC.
    pub src: [u8; 6],
    /// Destination MAC.
    pub dst: [u8; 6],
    /// The Type field.
    pub ethertype: u16,
}

/// The frame carrying an HTTP request or the first byte of a response.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpFrame {
    /// Frame number.
    pub frame: u64,
    /// Its Ethernet header.
    pub eth: Eth,
    /// Where the HTTP message starts, from the start of the frame.
    pub offset: usize,
    /// Client and server sockets.
    pub client: SocketAddr,
    /// The server.
    pub server: SocketAddr,
    /// The first line (request line or status line), escaped later.
    pub line: Vec<u8>,
}

/// One ARP frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ArpFrame {
    /// Frame number.
    pub frame: u64,
    /// Its Ethernet header.
    pub eth: Eth,
    /// Where the ARP packet starts in the frame.
    pub offset: usize,
    /// Opcode.
    pub op: u16,
    /// Sender MAC.
    pub sender_mac: [u8; 6],
    /// Sender IP.
    pub sender_ip: IpAddr,
    /// Target MAC.
    pub target_mac: [u8; 6],
    /// Target IP.
    pub target_ip: IpAddr,
}

/// What one file shows for this lab.
#[derive(Debug, Clone, Default)]
pub struct EthFile {
    /// The first HTTP GET.
    pub get: Option<HttpFrame>,
    /// The frame with the first byte of its response.
    pub response: Option<HttpFrame>,
    /// Data segments from the server on the GET's connection, from the response on:
    /// (frame, relative seq, length), retransmissions left out.
    pub segments: Vec<(u64, u32, u32)>,
    /// The response's first bytes, in order.
    pub head: Vec<u8>,
    /// Relative sequence number of the response's first byte.
    pub start_seq: u32,
    /// The server's FIN on that connection.
    pub fin: Option<u64>,
    /// ARP frames.
    pub arp: Vec<ArpFrame>,
    stream: Option<u32>,
}

fn eth_of(p: &Packet) -> Option<Eth> {
    match &p.decoded.link {
        LinkRepr::Ethernet { header, .. } => Some(Eth {
            src: header.src,
            dst: header.dst,
            ethertype: header.ethertype,
        }),
        _ => None,
    }
}

fn first_line(b: &[u8]) -> Vec<u8> {
    let end = b
        .iter()
        .position(|&c| c == b'\r' || c == b'\n')
        .unwrap_or(b.len())
        .min(200);
    b.get(..end).unwrap_or(&[]).to_vec()
}

impl EthFile {
    /// Adds one analysed frame.
    pub fn add(&mut self, p: &Packet, f: &Frame) {
        let Some(eth) = eth_of(p) else { return };
        if let NetRepr::Arp(a) = &p.decoded.net {
            if self.arp.len() < ARP_KEEP {
                self.arp.push(ArpFrame {
                    frame: p.number,
                    eth,
                    offset: a.range.start,
                    op: a.op,
                    sender_mac: a.sender_mac,
                    sender_ip: IpAddr::V4(a.sender_ip),
                    target_mac: a.target_mac,
                    target_ip: IpAddr::V4(a.target_ip),
                });
            }
            return;
        }
        let (TransportRepr::Tcp(t), Some(an), Some((sip, dip))) =
            (&p.decoded.transport, &p.tcp, p.decoded.net.ip_addrs())
        else {
            return;
        };
        if p.decoded.reassembled.is_some() {
            return;
        }
        let src = SocketAddr::new(sip, t.src_port);
        let dst = SocketAddr::new(dip, t.dst_port);
        let payload = f.data.get(t.payload.clone()).unwrap_or(&[]);
        match (&self.get, &self.response) {
            (None, _) => {
                if payload.starts_with(b"GET ") {
                    self.get = Some(HttpFrame {
                        frame: p.number,
                        eth,
                        offset: t.payload.start,
                        client: src,
                        server: dst,
                        line: first_line(payload),
                    });
                    self.stream = Some(an.stream);
                }
            }
            (Some(g), None) => {
                if Some(an.stream) == self.stream
                    && src == g.server
                    && payload.starts_with(b"HTTP/")
                {
                    self.response = Some(HttpFrame {
                        frame: p.number,
                        eth,
                        offset: t.payload.start,
                        client: dst,
                        server: src,
                        line: first_line(payload),
                    });
                    self.start_seq = an.seq;
                    self.segments
                        .push((p.number, an.seq, t.len.unwrap_or(payload.len() as u32)));
                    self.head = payload[..payload.len().min(HEAD)].to_vec();
                    if t.flags & crate::decode::tcp_flags::FIN != 0 {
                        self.fin = Some(p.number);
                    }
                }
            }
            (Some(g), Some(_)) => {
                if Some(an.stream) != self.stream || src != g.server {
                    return;
                }
                let len = t.len.unwrap_or(payload.len() as u32);
                if len > 0 && !an.retransmitted_bytes() && self.segments.len() < SEGMENTS {
                    self.segments.push((p.number, an.seq, len));
                    let want = an.seq.wrapping_sub(self.start_seq) as usize;
                    if want == self.head.len() && self.head.len() < HEAD {
                        let room = HEAD - self.head.len();
                        self.head
                            .extend_from_slice(&payload[..payload.len().min(room)]);
                    }
                }
                if t.flags & crate::decode::tcp_flags::FIN != 0 && self.fin.is_none() {
                    self.fin = Some(p.number);
                }
            }
        }
    }

    /// The response's length from its header (header + Content-Length), when it says.
    pub fn response_len(&self) -> Option<u64> {
        let end = self.head.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let head = String::from_utf8_lossy(self.head.get(..end)?);
        let cl = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<u64>().ok())?
        })?;
        Some(end as u64 + cl)
    }

    /// The frames carrying the response's bytes.
    pub fn response_frames(&self) -> Vec<u64> {
        let total = self.response_len();
        self.segments
            .iter()
            .filter(|&&(_, seq, _)| {
                let at = u64::from(seq.wrapping_sub(self.start_seq));
                total.is_none_or(|t| at < t)
            })
            .map(|s| s.0)
            .collect()
    }
}

/// Reads every capture for this lab.
pub fn read(caps: &[Capture]) -> Result<Vec<EthFile>, AnswerError> {
    caps.iter()
        .map(|c| {
            let mut e = EthFile::default();
            scan(&c.path, |p, f| e.add(p, f))?;
            Ok(e)
        })
        .collect()
}

/// Vendor names of MAC addresses from Wireshark's `manuf` file (longest prefix wins).
#[derive(Debug, Clone, Default)]
pub struct Vendors {
    /// MAC → (short name, long name), for the MACs asked about that have an entry.
    pub names: BTreeMap<[u8; 6], (String, String)>,
    /// The file was read.
    pub have_file: bool,
}

impl Vendors {
    /// Looks `macs` up in the text of a `manuf` file.
    pub fn from_text(text: &str, macs: &[[u8; 6]]) -> Vendors {
        let mut best: BTreeMap<[u8; 6], (u32, String, String)> = BTreeMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let Some(prefix) = cols.next() else { continue };
            let short = cols.next().unwrap_or("").trim().to_string();
            let long = cols.next().unwrap_or(&short).trim().to_string();
            let (addr, bits) = match prefix.split_once('/') {
                Some((a, b)) => (a, b.parse::<u32>().ok()),
                None => (prefix, None),
            };
            let bytes: Vec<u8> = addr
                .split([':', '-', '.'])
                .filter_map(|h| u8::from_str_radix(h, 16).ok())
                .collect();
            if bytes.is_empty() || bytes.len() > 6 {
                continue;
            }
            let bits = bits.unwrap_or(8 * bytes.len() as u32).min(48);
            let mut key = [0u8; 6];
            key[..bytes.len()].copy_from_slice(&bytes);
            for m in macs {
                if prefix_matches(m, &key, bits) && best.get(m).is_none_or(|b| b.0 < bits) {
                    best.insert(*m, (bits, short.clone(), long.clone()));
                }
            }
        }
        Vendors {
            names: best.into_iter().map(|(m, (_, s, l))| (m, (s, l))).collect(),
            have_file: true,
        }
    }

    /// Reads [`MANUF`] if it is there.
    pub fn load(macs: &[[u8; 6]]) -> Vendors {
        match std::fs::read_to_string(MANUF) {
            Ok(t) => Vendors::from_text(&t, macs),
            Err(_) => Vendors::default(),
        }
    }

    /// `Vendor (long name)`, or why there is none.
    pub fn describe(&self, m: &[u8; 6]) -> String {
        if *m == [0xff; 6] {
            return "the broadcast address (no vendor)".into();
        }
        if m[0] & 1 == 1 {
            return "a multicast address (no vendor)".into();
        }
        match self.names.get(m) {
            Some((s, l)) => format!("vendor {s} ({l}), from its first 3 bytes (the OUI)"),
            None if m[0] & 2 == 2 => "unknown vendor: a locally administered address (bit 0x02 \
                                      of the first byte set), chosen by software, not a \
                                      manufacturer's OUI"
                .into(),
            None if self.have_file => "unknown vendor (no entry in Wireshark's manuf)".into(),
            None => format!("unknown vendor ({MANUF} is not installed)"),
        }
    }
}

fn prefix_matches(m: &[u8; 6], key: &[u8; 6], bits: u32) -> bool {
    (0..bits as usize).all(|i| {
        let (byte, bit) = (i / 8, 7 - (i % 8));
        match (m.get(byte), key.get(byte)) {
            (Some(a), Some(b)) => (a >> bit) & 1 == (b >> bit) & 1,
            _ => false,
        }
    })
}

/// EtherType in words.
pub fn ethertype_name(t: u16) -> &'static str {
    match t {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x86dd => "IPv6",
        0x8100 => "an 802.1Q VLAN tag",
        _ => "another protocol",
    }
}

/// Which device a MAC belongs to, as far as the capture shows.
struct Who<'a> {
    facts: &'a FileFacts,
    arp: &'a [ArpFrame],
    client: Option<SocketAddr>,
    client_mac: Option<[u8; 6]>,
    server: Option<SocketAddr>,
    vendors: &'a Vendors,
}

impl Who<'_> {
    fn ip_by_arp(&self, m: &[u8; 6]) -> Option<IpAddr> {
        self.arp
            .iter()
            .find(|a| a.sender_mac == *m)
            .map(|a| a.sender_ip)
    }

    fn device(&self, m: &[u8; 6]) -> String {
        if *m == [0xff; 6] {
            return "the broadcast address: every device on the LAN receives the frame".into();
        }
        if *m == [0; 6] {
            return "no device: all zeros is a placeholder, as in a loopback capture, where \
                    frames never reach a network"
                .into();
        }
        if Some(*m) == self.client_mac {
            return format!(
                "your computer's{}",
                self.client
                    .map(|c| format!(" ({})", c.ip()))
                    .unwrap_or_default()
            );
        }
        let server = self.server.map(|s| s.ip());
        let ips = self.facts.ips_of(m);
        let arp_ip = self.ip_by_arp(m);
        match (server, arp_ip) {
            (Some(s), Some(a)) if a == s => format!(
                "the web server's own interface ({s}): ARP shows {s} at this address, so the \
                 server is on your subnet and the frame goes to it directly"
            ),
            (Some(s), Some(a)) => format!(
                "not the server's: the device at {a} (ARP says so), your first-hop router — the \
                 server {s} is on another network, and a frame only reaches the next hop"
            ),
            (Some(s), None) if ips.len() > 1 || (ips.len() == 1 && !ips.contains(&s)) => format!(
                "not the server's: frames from {} come from it, so it is a router forwarding for \
                 them (your first hop)",
                ips.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (Some(s), None) => format!(
                "{s}'s interface as far as this capture shows — this depends on the network: \
                 it is the server itself when the server shares your subnet, otherwise your \
                 first-hop router (no ARP frame in the capture says which)"
            ),
            (None, _) => "a device on your LAN".into(),
        }
    }

    fn mac(&self, m: &[u8; 6]) -> String {
        format!("{} — {}", mac(m), self.vendors.describe(m))
    }
}

const HOW: &str = "How: Wireshark display filter";

/// Every answer of the Ethernet and ARP lab.
pub fn answers(caps: &[Capture]) -> Result<Vec<Answer>, AnswerError> {
    let files = read(caps)?;
    Ok(answer_files(
        caps.iter().map(|c| &c.facts).collect(),
        &files,
        None,
    ))
}

/// The answers from what was read (`vendors`: a manuf table, else [`MANUF`] is read).
pub fn answer_files(
    facts: Vec<&FileFacts>,
    files: &[EthFile],
    vendors: Option<Vendors>,
) -> Vec<Answer> {
    let http = files.iter().position(|f| f.get.is_some());
    let arp_file = http
        .filter(|&i| files.get(i).is_some_and(|f| !f.arp.is_empty()))
        .or_else(|| files.iter().position(|f| !f.arp.is_empty()));
    let mut macs: Vec<[u8; 6]> = Vec::new();
    for f in files {
        for h in [&f.get, &f.response].into_iter().flatten() {
            macs.extend([h.eth.src, h.eth.dst]);
        }
        for a in &f.arp {
            macs.extend([a.eth.src, a.eth.dst, a.sender_mac]);
        }
    }
    macs.sort();
    macs.dedup();
    let vendors = vendors.unwrap_or_else(|| Vendors::load(&macs));
    let empty = FileFacts::default();
    let mut out = Vec::new();
    match http.and_then(|i| Some((i, files.get(i)?))) {
        Some((i, f)) => {
            let who = Who {
                facts: facts.get(i).copied().unwrap_or(&empty),
                arp: &f.arp,
                client: f.get.as_ref().map(|g| g.client),
                client_mac: f.get.as_ref().map(|g| g.eth.src),
                server: f.get.as_ref().map(|g| g.server),
                vendors: &vendors,
            };
            out.extend(http_answers(i, f, &who));
        }
        None => out.push(Answer::new(
            "1",
            Q1,
            "No HTTP GET in these captures. Capture while your browser (or `curl`) fetches a \
             page over plain http:// — not https, whose requests are encrypted."
                .into(),
        )),
    }
    match arp_file.and_then(|i| Some((i, files.get(i)?))) {
        Some((i, f)) => {
            let client = f.get.as_ref().map(|g| g.client);
            let who = Who {
                facts: facts.get(i).copied().unwrap_or(&empty),
                arp: &f.arp,
                client,
                client_mac: f.get.as_ref().map(|g| g.eth.src),
                server: f.get.as_ref().map(|g| g.server),
                vendors: &vendors,
            };
            out.extend(arp_answers(i, f, &who));
        }
        None => out.push(Answer::new(
            "10",
            Q10,
            "No ARP frame in these captures. Empty your ARP cache first (`sudo ip neigh flush \
             all` on Linux, `arp -d *` on Windows as administrator), then capture while you \
             fetch the page, so your computer has to ask."
                .into(),
        )),
    }
    out
}

const Q1: &str = "What is the 48-bit Ethernet address of your computer?";
const Q2: &str = "What is the 48-bit destination address in the Ethernet frame (carrying the \
                  HTTP GET)? Is this the Ethernet address of the web server? What device has \
                  this as its Ethernet address?";
const Q3: &str = "Give the hexadecimal value for the two-byte Frame type field. What upper \
                  layer protocol does this correspond to?";
const Q4: &str = "How many bytes from the very start of the Ethernet frame does the ASCII \"G\" \
                  in \"GET\" appear in the Ethernet frame?";
const Q5: &str = "In the frame with the first byte of the HTTP response: what is the value of \
                  the Ethernet source address? Is this the address of your computer, or of the \
                  web server? What device has this as its Ethernet address?";
const Q6: &str = "What is the destination address in the Ethernet frame (of the response)? Is \
                  this the Ethernet address of your computer?";
const Q7: &str = "Give the hexadecimal value for the two-byte Frame type field (of the \
                  response). What upper layer protocol does this correspond to?";
const Q8: &str = "How many bytes from the very start of the Ethernet frame does the ASCII \"O\" \
                  in \"OK\" (i.e., the HTTP response code) appear in the Ethernet frame?";
const Q9: &str = "How many Ethernet frames (each with an IP datagram, each with a TCP segment) \
                  carry data that is part of the complete HTTP \"200 OK\" response message?";

fn type_text(e: &Eth, frame: u64) -> String {
    format!(
        "0x{:04x}: {} — the Type field (bytes 12–13 of frame {frame}) names the protocol in \
         the frame's payload.\n{HOW} `eth.type == 0x{:04x}`; field eth.type.",
        e.ethertype,
        ethertype_name(e.ethertype),
        e.ethertype
    )
}

fn http_answers(i: usize, f: &EthFile, who: &Who<'_>) -> Vec<Answer> {
    let Some(g) = &f.get else { return Vec::new() };
    let mut out = vec![
        Answer::new(
            "1",
            Q1,
            format!(
                "{} — the source address of the frame carrying the GET (frame {}), sent by your \
                 computer ({}). It is {}.\n{HOW} `http.request.method == \"GET\"`; field eth.src.",
                mac(&g.eth.src),
                g.frame,
                g.client.ip(),
                who.vendors.describe(&g.eth.src)
            ),
        )
        .cite(i, "HTTP GET", vec![g.frame])
        .value("frame", g.frame)
        .value("mac", mac(&g.eth.src)),
        Answer::new(
            "2",
            Q2,
            format!(
                "{}. Its device: {}.\nWhether it is the server's own address depends on the \
                 network: a frame only crosses one link, so it is the server's only when the \
                 server {} is on your subnet, else it is your router's.\n{HOW} \
                 `http.request.method == \"GET\"`; field eth.dst.",
                who.mac(&g.eth.dst),
                who.device(&g.eth.dst),
                g.server.ip()
            ),
        )
        .cite(i, "HTTP GET", vec![g.frame])
        .value("mac", mac(&g.eth.dst))
        .value("vendor", who.vendors.names.get(&g.eth.dst).map(|v| &v.0)),
        Answer::new("3", Q3, type_text(&g.eth, g.frame))
            .cite(i, "HTTP GET", vec![g.frame])
            .value("ethertype", format!("0x{:04x}", g.eth.ethertype)),
        Answer::new(
            "4",
            Q4,
            format!(
                "{} bytes: the \"G\" is byte {} of frame {} counting from 0 (the hex pane's \
                 offset 0x{:04x}), i.e. the {}th byte — after the headers below HTTP (Ethernet, \
                 IP and TCP, {} bytes together). The line is \"{}\".\n{HOW} \
                 `http.request.method == \"GET\"`; click the method in the details: the bytes \
                 pane highlights it.",
                g.offset,
                g.offset,
                g.frame,
                g.offset,
                g.offset + 1,
                g.offset,
                String::from_utf8_lossy(&g.line)
            ),
        )
        .cite(i, "HTTP GET", vec![g.frame])
        .value("offset", g.offset),
    ];
    let Some(r) = &f.response else {
        out.push(Answer::new(
            "5",
            Q5,
            format!(
                "No response to the GET of frame {} in this capture (stop capturing after the \
                 page has loaded).",
                g.frame
            ),
        ));
        return out;
    };
    let is_client = r.eth.dst == g.eth.src;
    out.push(
        Answer::new(
            "5",
            Q5,
            format!(
                "{} — frame {} carries the first byte of the response. It is not your computer's \
                 address; it is {}.\n{HOW} `http.response` (the first frame of its reassembled \
                 segments); field eth.src.",
                who.mac(&r.eth.src),
                r.frame,
                who.device(&r.eth.src)
            ),
        )
        .cite(i, "first frame of the response", vec![r.frame])
        .value("frame", r.frame)
        .value("mac", mac(&r.eth.src)),
    );
    out.push(
        Answer::new(
            "6",
            Q6,
            format!(
                "{} — {}.\n{HOW} `http.response`; field eth.dst.",
                mac(&r.eth.dst),
                if is_client {
                    "yes, your computer's: the address that sent the GET".to_string()
                } else {
                    format!("not the GET's sender; it is {}", who.device(&r.eth.dst))
                }
            ),
        )
        .cite(i, "first frame of the response", vec![r.frame])
        .value("mac", mac(&r.eth.dst))
        .value("is_your_computer", is_client),
    );
    out.push(
        Answer::new("7", Q7, type_text(&r.eth, r.frame))
            .cite(i, "first frame of the response", vec![r.frame])
            .value("ethertype", format!("0x{:04x}", r.eth.ethertype)),
    );
    let status = String::from_utf8_lossy(&r.line).into_owned();
    // "HTTP/1.1 200 OK": the reason phrase starts after the second space.
    let reason_at = r
        .line
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == b' ')
        .nth(1)
        .map(|(k, _)| k + 1);
    let ok = reason_at.filter(|&k| r.line.get(k..k + 2) == Some(b"OK"));
    let mut a8 =
        Answer::new("8", Q8, String::new()).cite(i, "first frame of the response", vec![r.frame]);
    a8.answer = match (ok, reason_at) {
        (Some(k), _) => {
            let at = r.offset + k;
            a8 = a8.value("offset", at);
            format!(
                "{at} bytes: the \"O\" is byte {at} of frame {} counting from 0 (offset \
                 0x{at:04x}), the {}th byte: the HTTP message starts at byte {} and \"O\" is its \
                 byte {k} (\"{status}\").\n{HOW} `http.response`, then the first frame of its \
                 segments; the bytes pane.",
                r.frame,
                at + 1,
                r.offset
            )
        }
        (None, Some(k)) => {
            let at = r.offset + k;
            a8 = a8
                .value("offset", serde_json::Value::Null)
                .value("reason_offset", at);
            format!(
                "There is no \"OK\": the status line is \"{status}\". Its reason phrase starts at \
                 byte {at} of frame {}.",
                r.frame
            )
        }
        _ => {
            a8 = a8.value("offset", serde_json::Value::Null);
            format!("The status line \"{status}\" has no reason phrase.")
        }
    };
    out.push(a8);
    let frames = f.response_frames();
    let n = frames.len() as u64;
    let len = f.response_len();
    out.push(
        Answer::new(
            "9",
            Q9,
            format!(
                "{n}: {} carry the response{}.{}\n{HOW} `http.response`; its \"[{n} Reassembled \
                 TCP Segments]\" line (field tcp.segment) lists them.",
                frames_text(&frames, n),
                match len {
                    Some(l) => format!(
                        " ({l} bytes: its header and the Content-Length the header announces)"
                    ),
                    None => " (up to the server's FIN: the header gives no Content-Length)".into(),
                },
                if n > 1 {
                    " Wireshark shows \"HTTP/… 200 OK\" on the last of them, where the response \
                     is complete."
                } else {
                    ""
                }
            ),
        )
        .cite(i, "frames of the response", frames.clone())
        .value("frames", frames)
        .value("count", n)
        .value("bytes", len),
    );
    out
}

const Q10: &str = "What are the contents of your computer's ARP cache (before and after)? What \
                   is the meaning of each column value?";
const Q11: &str = "What are the hexadecimal values for the source and destination addresses in \
                   the Ethernet frame containing the ARP request message?";
const Q12: &str = "Give the hexadecimal value for the two-byte Ethernet Frame type field. What \
                   upper layer protocol does this correspond to?";
const Q13A: &str = "How many bytes from the very beginning of the Ethernet frame does the ARP \
                    opcode field begin?";
const Q13B: &str = "What is the value of the opcode field within the ARP-payload part of the \
                    Ethernet frame in which an ARP request is made?";
const Q13C: &str = "Does the ARP message contain the IP address of the sender?";
const Q13D: &str = "Where in the ARP request does the \"question\" appear — the Ethernet \
                    address of the machine whose corresponding IP address is being queried?";
const Q14A: &str = "Now find the ARP reply that was sent in response to the ARP request. How \
                    many bytes from the very beginning of the Ethernet frame does the ARP opcode \
                    field begin?";
const Q14B: &str = "What is the value of the opcode field within the ARP-payload part of the \
                    Ethernet frame in which an ARP response is made?";
const Q14C: &str = "Where in the ARP message does the \"answer\" to the earlier ARP request \
                    appear — the IP address of the machine having the Ethernet address whose \
                    corresponding IP address is being queried?";
const Q15: &str = "What are the hexadecimal values for the source and destination addresses in \
                   the Ethernet frame containing the ARP reply message?";

fn arp_answers(i: usize, f: &EthFile, who: &Who<'_>) -> Vec<Answer> {
    // The request your computer sent (else the first request), and the reply to it.
    let req = f
        .arp
        .iter()
        .find(|a| a.op == 1 && Some(a.sender_mac) == who.client_mac)
        .or_else(|| f.arp.iter().find(|a| a.op == 1));
    let rep = req.and_then(|q| {
        f.arp.iter().find(|a| {
            a.op == 2
                && a.frame > q.frame
                && a.sender_ip == q.target_ip
                && a.target_ip == q.sender_ip
        })
    });
    let mut out = Vec::new();
    // 10: the cache.
    let mut t = Table::new(&[
        "Address",
        "HWtype",
        "HWaddress",
        "Iface (ip neigh: dev, state)",
    ]);
    let learned: Vec<&ArpFrame> = f
        .arp
        .iter()
        .filter(|a| a.op == 2 && req.is_none_or(|q| a.target_ip == q.sender_ip))
        .collect();
    for a in &learned {
        t.row(vec![
            a.sender_ip.to_string(),
            "ether".into(),
            mac(&a.sender_mac),
            format!("learned in frame {}", a.frame),
        ]);
    }
    let mut a10 = Answer::new(
        "10",
        Q10,
        format!(
            "A capture does not hold the cache: `ip neigh` (Linux; `arp -a` on Windows and \
             macOS, `arp -n` on older Linux) prints it, before and after. Each line is one \
             entry: an IP address, the interface it was learned on, the Ethernet (hardware) \
             address it maps to (`lladdr`), and the entry's state (REACHABLE: confirmed \
             recently; STALE: to be checked before use; FAILED: no reply). Emptied first (`ip \
             neigh flush all`), the cache is empty before; {}\n{HOW} `arp`.",
            if learned.is_empty() {
                "this capture shows no ARP reply to your computer, so nothing was learned while \
                 it ran (the entry was already there, or it was learned before)."
                    .to_string()
            } else {
                format!(
                    "after, it holds what the ARP repl{} of this capture told it: {}.",
                    if learned.len() == 1 { "y" } else { "ies" },
                    learned
                        .iter()
                        .map(|a| format!("{} at {}", a.sender_ip, mac(&a.sender_mac)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
    )
    .cite(i, "ARP replies", learned.iter().map(|a| a.frame).collect())
    .value(
        "learned",
        learned
            .iter()
            .map(|a| (a.sender_ip.to_string(), mac(&a.sender_mac)))
            .collect::<Vec<_>>(),
    );
    if !learned.is_empty() {
        a10 = a10.with_table(t);
    }
    out.push(a10);
    let Some(q) = req else {
        out.push(Answer::new(
            "11",
            Q11,
            "No ARP request in these captures (only replies or announcements).".into(),
        ));
        return out;
    };
    let qf = vec![q.frame];
    out.push(
        Answer::new(
            "11",
            Q11,
            format!(
                "Frame {}: source {} ({}), destination {} ({}).\n{HOW} `arp.opcode == 1`; \
                 fields eth.src, eth.dst.",
                q.frame,
                who.mac(&q.eth.src),
                who.device(&q.eth.src),
                mac(&q.eth.dst),
                who.device(&q.eth.dst)
            ),
        )
        .cite(i, "ARP request", qf.clone())
        .value("frame", q.frame)
        .value("src", mac(&q.eth.src))
        .value("dst", mac(&q.eth.dst)),
    );
    out.push(
        Answer::new("12", Q12, type_text(&q.eth, q.frame))
            .cite(i, "ARP request", qf.clone())
            .value("ethertype", format!("0x{:04x}", q.eth.ethertype)),
    );
    let op_at = |a: &ArpFrame| a.offset + 6;
    out.push(
        Answer::new(
            "13(a)",
            Q13A,
            format!(
                "{} bytes: the ARP packet starts at byte {} (after the {}-byte Ethernet header) \
                 and its opcode follows Hardware type (2), Protocol type (2), Hardware size (1) \
                 and Protocol size (1): byte {} of frame {}, counting from 0.\n{HOW} \
                 `arp.opcode == 1`; click Opcode: the bytes pane highlights it.",
                op_at(q),
                q.offset,
                q.offset,
                op_at(q),
                q.frame
            ),
        )
        .cite(i, "ARP request", qf.clone())
        .value("offset", op_at(q)),
    );
    out.push(
        Answer::new(
            "13(b)",
            Q13B,
            format!(
                "{} (request), the 2 bytes 00 {:02x} in frame {}.\n{HOW} `arp.opcode == 1`.",
                q.op, q.op, q.frame
            ),
        )
        .cite(i, "ARP request", qf.clone())
        .value("opcode", q.op),
    );
    out.push(
        Answer::new(
            "13(c)",
            Q13C,
            format!(
                "Yes: Sender IP address {} (with Sender MAC address {}), so the target — and \
                 every host that hears the broadcast and already knows the sender — can cache \
                 the sender's address without asking.\n{HOW} `arp.opcode == 1`; field \
                 arp.src.proto_ipv4.",
                q.sender_ip,
                mac(&q.sender_mac)
            ),
        )
        .cite(i, "ARP request", qf.clone())
        .value("sender_ip", q.sender_ip.to_string())
        .value("sender_mac", mac(&q.sender_mac)),
    );
    out.push(
        Answer::new(
            "13(d)",
            Q13D,
            format!(
                "The question is the Target IP address field, {} (bytes {}–{} of the frame): \
                 \"who has {}?\". The Target MAC address field, bytes {}–{}, is the unknown — \
                 {} here — and the frame goes to broadcast ({}).\n{HOW} `arp.opcode == 1`; \
                 fields arp.dst.proto_ipv4, arp.dst.hw_mac.",
                q.target_ip,
                q.offset + 24,
                q.offset + 27,
                q.target_ip,
                q.offset + 18,
                q.offset + 23,
                mac(&q.target_mac),
                mac(&q.eth.dst)
            ),
        )
        .cite(i, "ARP request", qf)
        .value("target_ip", q.target_ip.to_string())
        .value("target_mac", mac(&q.target_mac))
        .value("target_ip_offset", q.offset + 24),
    );
    let Some(r) = rep else {
        out.push(Answer::new(
            "14(a)",
            Q14A,
            format!(
                "No reply to frame {}'s request in this capture: {} did not answer (no such \
                 host on the LAN), or the reply was not captured.",
                q.frame, q.target_ip
            ),
        ));
        return out;
    };
    let rf = vec![r.frame];
    out.push(
        Answer::new(
            "14(a)",
            Q14A,
            format!(
                "{} bytes, as in the request: frame {} is the reply, and ARP's layout is the same \
                 for both: byte {} counting from 0.\n{HOW} `arp.opcode == 2`.",
                op_at(r),
                r.frame,
                op_at(r)
            ),
        )
        .cite(i, "ARP reply", rf.clone())
        .value("frame", r.frame)
        .value("offset", op_at(r)),
    );
    out.push(
        Answer::new(
            "14(b)",
            Q14B,
            format!(
                "{} (reply), the 2 bytes 00 {:02x} in frame {}.\n{HOW} `arp.opcode == 2`.",
                r.op, r.op, r.frame
            ),
        )
        .cite(i, "ARP reply", rf.clone())
        .value("opcode", r.op),
    );
    out.push(
        Answer::new(
            "14(c)",
            Q14C,
            format!(
                "The answer is the Sender MAC address field of the reply, {} (bytes {}–{} of \
                 frame {}), next to its Sender IP address {}: \"{} is at {}\".\n{HOW} \
                 `arp.opcode == 2`; fields arp.src.hw_mac, arp.src.proto_ipv4.",
                mac(&r.sender_mac),
                r.offset + 8,
                r.offset + 13,
                r.frame,
                r.sender_ip,
                r.sender_ip,
                mac(&r.sender_mac)
            ),
        )
        .cite(i, "ARP reply", rf.clone())
        .value("sender_mac", mac(&r.sender_mac))
        .value("sender_ip", r.sender_ip.to_string())
        .value("sender_mac_offset", r.offset + 8),
    );
    out.push(
        Answer::new(
            "15",
            Q15,
            format!(
                "Frame {}: source {} ({}), destination {} ({}): the reply goes straight back to \
                 the asker (unicast), whose address the request carried.\n{HOW} `arp.opcode == \
                 2`; fields eth.src, eth.dst.",
                r.frame,
                who.mac(&r.eth.src),
                who.device(&r.eth.src),
                mac(&r.eth.dst),
                who.device(&r.eth.dst)
            ),
        )
        .cite(i, "ARP reply", rf)
        .value("src", mac(&r.eth.src))
        .value("dst", mac(&r.eth.dst)),
    );
    out
}

#[cfg(test)]
mod tests;

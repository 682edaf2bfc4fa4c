//! What one capture shows, reduced to what the lab questions ask about: ARP, TCP connections
//! (handshake, data each way, ACKs, FIN/RST), UDP flows, other frames, and who talked to whom
//! at the link layer. Built one analysed frame at a time from the [`Analyzer`]'s packets.
//!
//! Memory is bounded per connection and per category, never per packet: each list keeps a
//! count and its first [`EXAMPLES`] (or [`SEGMENTS`]) items; in-order stream bytes are kept
//! only when asked for ([`FactsOptions::stream_bytes`]); at most [`MAX_FLOWS`] connections and
//! flows are followed (the rest are counted).
//!
//! [`Analyzer`]: crate::analyse::Analyzer

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};

use crate::analyse::Packet;
use crate::analyse::tcp::AnalysisFlags;
use crate::decode::{NetRepr, TransportRepr, tcp_flags};
use crate::frame::Frame;

/// Frame numbers kept per category.
pub const EXAMPLES: usize = 16;
/// Data segments kept per connection direction.
pub const SEGMENTS: usize = 32;
/// Payload bytes kept per segment, for showing what it carried.
pub const PREVIEW: usize = 48;
/// TCP connections and UDP flows followed per file.
pub const MAX_FLOWS: usize = 10_000;

/// What to keep besides the defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct FactsOptions {
    /// In-order bytes kept per TCP direction (0: none).
    pub stream_bytes: usize,
}

/// Where and when something happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct At {
    /// Frame number in its file.
    pub frame: u64,
    /// Seconds since the file's first frame.
    pub time: f64,
    /// Seconds since the Unix epoch (to compare captures made on different computers).
    pub abs: f64,
}

/// A count and the first few items.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<T> {
    /// How many there were.
    pub count: u64,
    /// The first ones, in order.
    pub first: Vec<T>,
    cap: usize,
}

impl<T> Sample<T> {
    /// Keeps at most `cap` items.
    pub fn new(cap: usize) -> Self {
        Sample {
            count: 0,
            first: Vec::new(),
            cap,
        }
    }

    /// Counts `x`, keeping it if there is room.
    pub fn push(&mut self, x: T) {
        self.count += 1;
        if self.first.len() < self.cap {
            self.first.push(x);
        }
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

impl<T> Default for Sample<T> {
    fn default() -> Self {
        Sample::new(EXAMPLES)
    }
}

impl Sample<At> {
    /// The frame numbers kept.
    pub fn frames(&self) -> Vec<u64> {
        self.first.iter().map(|a| a.frame).collect()
    }
}

/// One ARP frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ArpFact {
    /// Where.
    pub at: At,
    /// 1 request, 2 reply.
    pub op: u16,
    /// Sender's IPv4 address.
    pub sender_ip: IpAddr,
    /// Sender's MAC.
    pub sender_mac: [u8; 6],
    /// Target's IPv4 address.
    pub target_ip: IpAddr,
    /// Sent to the broadcast address.
    pub broadcast: bool,
    /// The Info column.
    pub info: String,
}

/// One TCP segment with data.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Where.
    pub at: At,
    /// Relative sequence number.
    pub seq: u32,
    /// Relative acknowledgement number.
    pub ack: u32,
    /// Payload length.
    pub len: u32,
    /// The 12 flag bits.
    pub flags: u16,
    /// A retransmission as the textbook defines it: it carries sequence numbers sent before
    /// (its Seq is below the highest byte this side had sent), whatever tshark calls it.
    pub retransmission: bool,
    /// The first bytes of the payload.
    pub preview: Vec<u8>,
}

/// One direction of a TCP connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Direction {
    /// Segments carrying data.
    pub data: Sample<Segment>,
    /// Payload bytes (retransmissions included).
    pub bytes: u64,
    /// Segments with no data and no SYN/FIN/RST, with their (relative) Ack numbers.
    pub pure_acks: Sample<(At, u32)>,
    /// How many of those came after the connection's first FIN or RST (the teardown's).
    pub pure_acks_after_close: u64,
    /// Retransmitted segments (see [`Segment::retransmission`]).
    pub retransmissions: Sample<At>,
    /// The first FIN.
    pub fin: Option<At>,
    /// The first RST.
    pub rst: Option<At>,
    /// Frames sent in this direction.
    pub frames: u64,
    /// In-order payload bytes (only with [`FactsOptions::stream_bytes`]).
    pub stream: Vec<u8>,
    /// Relative sequence number of the next in-order byte, once data was seen.
    next_seq: Option<u32>,
    /// A hole in the sequence stopped the in-order bytes.
    pub stream_gap: bool,
    /// Relative sequence number one past the highest byte sent, once data was seen.
    highest_end: Option<u32>,
}

impl Default for Direction {
    fn default() -> Self {
        Direction {
            data: Sample::new(SEGMENTS),
            bytes: 0,
            pure_acks: Sample::default(),
            pure_acks_after_close: 0,
            retransmissions: Sample::default(),
            fin: None,
            rst: None,
            frames: 0,
            stream: Vec::new(),
            next_seq: None,
            stream_gap: false,
            highest_end: None,
        }
    }
}

impl Direction {
    /// The first data segment.
    pub fn first_data(&self) -> Option<&Segment> {
        self.data.first.first()
    }
}

/// One TCP connection (one `tcp.stream`).
#[derive(Debug, Clone, PartialEq)]
pub struct TcpConn {
    /// `tcp.stream`.
    pub stream: u32,
    /// The sender of the first frame seen.
    pub a: SocketAddr,
    /// The other side.
    pub b: SocketAddr,
    /// Whether A is the client: known from a SYN, else guessed from the ports (the higher
    /// port is taken as the client's ephemeral port).
    pub a_is_client: bool,
    /// True when a SYN told who the client is.
    pub client_known: bool,
    /// The client's SYN.
    pub syn: Option<At>,
    /// The server's SYN-ACK.
    pub syn_ack: Option<At>,
    /// The client's ACK that completes the handshake.
    pub handshake_ack: Option<At>,
    /// A→B, then B→A.
    pub dirs: [Direction; 2],
    /// First frame.
    pub first: At,
    /// Last frame.
    pub last: At,
    /// MAC addresses of A and B (Ethernet captures).
    pub macs: Option<([u8; 6], [u8; 6])>,
}

impl TcpConn {
    /// The client's socket address.
    pub fn client(&self) -> SocketAddr {
        if self.a_is_client { self.a } else { self.b }
    }

    /// The server's socket address.
    pub fn server(&self) -> SocketAddr {
        if self.a_is_client { self.b } else { self.a }
    }

    /// Client → server.
    pub fn up(&self) -> &Direction {
        &self.dirs[usize::from(!self.a_is_client)]
    }

    /// Server → client.
    pub fn down(&self) -> &Direction {
        &self.dirs[usize::from(self.a_is_client)]
    }

    /// Frames of the connection.
    pub fn frames(&self) -> u64 {
        self.dirs[0].frames + self.dirs[1].frames
    }

    /// The handshake frames seen (SYN, SYN-ACK, ACK).
    pub fn handshake_frames(&self) -> Vec<u64> {
        [self.syn, self.syn_ack, self.handshake_ack]
            .iter()
            .flatten()
            .map(|a| a.frame)
            .collect()
    }

    /// True when all three handshake frames were seen.
    pub fn handshake_complete(&self) -> bool {
        self.syn.is_some() && self.syn_ack.is_some() && self.handshake_ack.is_some()
    }

    /// The first FIN or RST of either side.
    pub fn first_close(&self) -> Option<At> {
        [
            self.dirs[0].fin,
            self.dirs[0].rst,
            self.dirs[1].fin,
            self.dirs[1].rst,
        ]
        .into_iter()
        .flatten()
        .min_by(|x, y| x.abs.total_cmp(&y.abs))
    }
}

/// One UDP datagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Datagram {
    /// Where.
    pub at: At,
    /// Payload length.
    pub len: u32,
    /// The first bytes of the payload.
    pub preview: Vec<u8>,
}

/// A UDP flow: datagrams between two socket addresses.
#[derive(Debug, Clone, PartialEq)]
pub struct UdpFlow {
    /// The sender of the first datagram (the client, as far as UDP can tell).
    pub a: SocketAddr,
    /// The other side.
    pub b: SocketAddr,
    /// A→B, then B→A.
    pub dirs: [Sample<Datagram>; 2],
    /// First datagram.
    pub first: At,
    /// Last datagram.
    pub last: At,
}

/// An unordered pair of MAC addresses (the lower first).
pub type MacPair = ([u8; 6], [u8; 6]);

/// Everything kept about one capture file.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    /// Frames read.
    pub frames: u64,
    /// Time of the first frame (seconds since the epoch).
    pub start: Option<f64>,
    /// Time of the last frame.
    pub end: Option<f64>,
    /// Frames with an Ethernet header.
    pub ethernet_frames: u64,
    /// ARP frames.
    pub arp: Sample<ArpFact>,
    /// TCP connections, in order of their first frame.
    pub tcp: Vec<TcpConn>,
    /// UDP flows, in order of their first datagram.
    pub udp: Vec<UdpFlow>,
    /// Connections and flows beyond [`MAX_FLOWS`], counted only.
    pub untracked_flows: u64,
    /// Frames that are neither ARP, TCP nor UDP, by protocol name.
    pub other: BTreeMap<String, Sample<At>>,
    /// ICMP errors about a UDP datagram (port unreachable…): where, and the quoted destination.
    pub udp_errors: Sample<(At, SocketAddr, String)>,
    /// Ethernet frames to broadcast (ff:…:ff) or multicast addresses.
    pub group_frames: Sample<At>,
    /// Unicast Ethernet frames per unordered pair of MAC addresses.
    pub unicast: BTreeMap<MacPair, Sample<At>>,
    /// IP addresses seen sending from each MAC (ARP and IP frames; at most 16 each).
    pub mac_ips: BTreeMap<[u8; 6], BTreeSet<IpAddr>>,
    tcp_index: HashMap<u32, usize>,
    udp_index: HashMap<(SocketAddr, SocketAddr), usize>,
    options: FactsOptions,
}

fn preview(bytes: &[u8]) -> Vec<u8> {
    bytes[..bytes.len().min(PREVIEW)].to_vec()
}

fn ordered(a: SocketAddr, b: SocketAddr) -> (SocketAddr, SocketAddr) {
    if a <= b { (a, b) } else { (b, a) }
}

impl FileFacts {
    /// Nothing seen yet.
    pub fn new(options: FactsOptions) -> FileFacts {
        FileFacts {
            options,
            ..FileFacts::default()
        }
    }

    /// Adds one analysed frame.
    pub fn add(&mut self, p: &Packet, frame: &Frame) {
        self.frames += 1;
        let abs = p.timestamp.as_secs_f64();
        self.start.get_or_insert(abs);
        self.end = Some(abs);
        let at = At {
            frame: p.number,
            time: p.time_rel(),
            abs,
        };
        let macs = p.decoded.link.macs();
        if let Some((src, dst)) = macs {
            self.ethernet_frames += 1;
            if dst[0] & 1 == 1 {
                self.group_frames.push(at);
            } else {
                let key = if src <= dst { (src, dst) } else { (dst, src) };
                if self.unicast.len() < MAX_FLOWS || self.unicast.contains_key(&key) {
                    self.unicast.entry(key).or_default().push(at);
                }
            }
            if let Some((ip, _)) = p.decoded.net.ip_addrs() {
                self.note_ip(src, ip);
            }
        }
        match (&p.decoded.net, &p.decoded.transport) {
            (NetRepr::Arp(a), _) => {
                self.note_ip(a.sender_mac, IpAddr::V4(a.sender_ip));
                self.arp.push(ArpFact {
                    at,
                    op: a.op,
                    sender_ip: IpAddr::V4(a.sender_ip),
                    sender_mac: a.sender_mac,
                    target_ip: IpAddr::V4(a.target_ip),
                    broadcast: macs.is_some_and(|(_, d)| d == [0xff; 6]),
                    info: p.info.clone(),
                });
            }
            (_, TransportRepr::Tcp(t)) => {
                if let (Some(an), Some((sip, dip))) = (&p.tcp, p.decoded.net.ip_addrs()) {
                    let src = SocketAddr::new(sip, t.src_port);
                    let dst = SocketAddr::new(dip, t.dst_port);
                    let payload = p.decoded.app_payload(&frame.data);
                    self.add_tcp(at, an.stream, src, dst, macs, t.flags, an, t.len, payload);
                }
            }
            (_, TransportRepr::Udp(u)) => {
                if let Some((sip, dip)) = p.decoded.net.ip_addrs() {
                    let src = SocketAddr::new(sip, u.src_port);
                    let dst = SocketAddr::new(dip, u.dst_port);
                    let payload = p.decoded.app_payload(&frame.data);
                    self.add_udp(at, src, dst, payload);
                }
            }
            (_, TransportRepr::Icmpv4(i) | TransportRepr::Icmpv6(i)) => {
                if let Some(q) = &i.quoted
                    && let Some(crate::decode::QuotedTransport::Udp { dst_port, .. }) = q.transport
                {
                    self.udp_errors
                        .push((at, SocketAddr::new(q.dst, dst_port), p.info.clone()));
                }
                self.other
                    .entry(p.protocol.as_str().into_owned())
                    .or_default()
                    .push(at);
            }
            _ => {
                self.other
                    .entry(p.protocol.as_str().into_owned())
                    .or_default()
                    .push(at);
            }
        }
    }

    fn note_ip(&mut self, mac: [u8; 6], ip: IpAddr) {
        if self.mac_ips.len() >= MAX_FLOWS && !self.mac_ips.contains_key(&mac) {
            return;
        }
        let set = self.mac_ips.entry(mac).or_default();
        if set.len() < 16 {
            set.insert(ip);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_tcp(
        &mut self,
        at: At,
        stream: u32,
        src: SocketAddr,
        dst: SocketAddr,
        macs: Option<([u8; 6], [u8; 6])>,
        flags: u16,
        an: &crate::analyse::tcp::TcpAnalysis,
        len: Option<u32>,
        payload: &[u8],
    ) {
        let idx = match self.tcp_index.get(&stream) {
            Some(&i) => i,
            None => {
                if self.tcp.len() >= MAX_FLOWS {
                    self.untracked_flows += 1;
                    return;
                }
                self.tcp.push(TcpConn {
                    stream,
                    a: src,
                    b: dst,
                    // Until a SYN says otherwise: the higher port is the client's.
                    a_is_client: src.port() > dst.port(),
                    client_known: false,
                    syn: None,
                    syn_ack: None,
                    handshake_ack: None,
                    dirs: [Direction::default(), Direction::default()],
                    first: at,
                    last: at,
                    macs,
                });
                self.tcp_index.insert(stream, self.tcp.len() - 1);
                self.tcp.len() - 1
            }
        };
        let keep_stream = self.options.stream_bytes;
        let c = &mut self.tcp[idx];
        c.last = at;
        let from_a = src == c.a;
        let syn = flags & tcp_flags::SYN != 0;
        let ack = flags & tcp_flags::ACK != 0;
        if syn && !ack {
            c.a_is_client = from_a;
            c.client_known = true;
            c.syn.get_or_insert(at);
        } else if syn && ack {
            if !c.client_known {
                c.a_is_client = !from_a;
                c.client_known = true;
            }
            c.syn_ack.get_or_insert(at);
        }
        let handshake_ack = !syn
            && ack
            && c.handshake_ack.is_none()
            && c.syn_ack.is_some()
            && from_a == c.a_is_client
            && an.seq == 1
            && an.ack == 1
            && len.unwrap_or(0) == 0;
        if handshake_ack {
            c.handshake_ack = Some(at);
        }
        let closing = c.dirs.iter().any(|d| d.fin.is_some() || d.rst.is_some());
        let d = &mut c.dirs[usize::from(!from_a)];
        d.frames += 1;
        let len = len.unwrap_or(0);
        // Sent before: below the highest byte this side sent (TCP sends bytes in order).
        let retrans = len > 0
            && !an.flags.intersects(AnalysisFlags::KEEP_ALIVE)
            && d.highest_end
                .is_some_and(|h| (an.seq.wrapping_sub(h) as i32) < 0);
        if retrans {
            d.retransmissions.push(at);
        }
        if len > 0 {
            let end = an.seq.wrapping_add(len);
            if d.highest_end
                .is_none_or(|h| (end.wrapping_sub(h) as i32) > 0)
            {
                d.highest_end = Some(end);
            }
        }
        if flags & tcp_flags::FIN != 0 && d.fin.is_none() {
            d.fin = Some(at);
        }
        if flags & tcp_flags::RST != 0 && d.rst.is_none() {
            d.rst = Some(at);
        }
        if len > 0 {
            d.bytes += u64::from(len);
            d.data.push(Segment {
                at,
                seq: an.seq,
                ack: an.ack,
                len,
                flags,
                retransmission: retrans,
                preview: preview(payload),
            });
            if keep_stream > 0 && !d.stream_gap {
                let next = *d.next_seq.get_or_insert(an.seq);
                let end = an.seq.wrapping_add(len);
                if an.seq.wrapping_sub(next) as i32 > 0 {
                    d.stream_gap = true;
                } else if end.wrapping_sub(next) as i32 > 0 {
                    let skip = next.wrapping_sub(an.seq) as usize;
                    let fresh = payload.get(skip..).unwrap_or_default();
                    let room = keep_stream.saturating_sub(d.stream.len());
                    d.stream.extend_from_slice(&fresh[..fresh.len().min(room)]);
                    d.next_seq = Some(end);
                }
            }
        } else if flags & (tcp_flags::SYN | tcp_flags::FIN | tcp_flags::RST) == 0
            && !handshake_ack
            && !an.flags.intersects(AnalysisFlags::KEEP_ALIVE)
        {
            d.pure_acks.push((at, an.ack));
            if closing {
                d.pure_acks_after_close += 1;
            }
        }
    }

    fn add_udp(&mut self, at: At, src: SocketAddr, dst: SocketAddr, payload: &[u8]) {
        let key = ordered(src, dst);
        let idx = match self.udp_index.get(&key) {
            Some(&i) => i,
            None => {
                if self.udp.len() >= MAX_FLOWS {
                    self.untracked_flows += 1;
                    return;
                }
                self.udp.push(UdpFlow {
                    a: src,
                    b: dst,
                    dirs: [Sample::default(), Sample::default()],
                    first: at,
                    last: at,
                });
                self.udp_index.insert(key, self.udp.len() - 1);
                self.udp.len() - 1
            }
        };
        let f = &mut self.udp[idx];
        f.last = at;
        let dir = usize::from(src != f.a);
        f.dirs[dir].push(Datagram {
            at,
            len: payload.len() as u32,
            preview: preview(payload),
        });
    }

    /// TCP connections whose server side is on `ip`.
    pub fn tcp_to(&self, ip: IpAddr) -> impl Iterator<Item = &TcpConn> {
        self.tcp.iter().filter(move |c| c.server().ip() == ip)
    }

    /// UDP flows with `ip` on either side.
    pub fn udp_with(&self, ip: IpAddr) -> impl Iterator<Item = &UdpFlow> {
        self.udp
            .iter()
            .filter(move |f| f.a.ip() == ip || f.b.ip() == ip)
    }

    /// The capturing computer's MAC. On a switched network a computer receives only its own
    /// unicast frames and the floods, so its MAC takes part in (nearly) every unicast frame;
    /// the candidates are the MACs in at least 90% of them. The peer a computer talks to also
    /// qualifies when it is the only peer, so `not` (e.g. the server's MAC, when the capture is
    /// a client's) is passed over when another candidate exists.
    pub fn capture_mac(&self, not: Option<[u8; 6]>) -> Option<[u8; 6]> {
        let mut n: BTreeMap<[u8; 6], u64> = BTreeMap::new();
        let mut total = 0u64;
        for ((a, b), s) in &self.unicast {
            *n.entry(*a).or_default() += s.count;
            *n.entry(*b).or_default() += s.count;
            total += s.count;
        }
        let mut candidates: Vec<([u8; 6], u64)> = n
            .into_iter()
            .filter(|&(_, c)| c * 10 >= total * 9)
            .collect();
        candidates.sort_by_key(|&(m, c)| (std::cmp::Reverse(c), m));
        candidates
            .iter()
            .find(|(m, _)| Some(*m) != not)
            .or(candidates.first())
            .map(|&(m, _)| m)
    }

    /// The MAC that sent frames from `ip`, if one did.
    pub fn mac_of(&self, ip: IpAddr) -> Option<[u8; 6]> {
        self.mac_ips
            .iter()
            .find(|(_, ips)| ips.contains(&ip) && ips.len() == 1)
            .map(|(m, _)| *m)
    }

    /// Unicast frames between two MACs, neither of which is `mac`.
    pub fn unicast_not_involving(&self, mac: [u8; 6]) -> Vec<(MacPair, &Sample<At>)> {
        self.unicast
            .iter()
            .filter(|((a, b), _)| *a != mac && *b != mac)
            .map(|(k, v)| (*k, v))
            .collect()
    }

    /// The IPv4 addresses seen from `mac`, in order.
    pub fn ips_of(&self, mac: &[u8; 6]) -> Vec<IpAddr> {
        self.mac_ips
            .get(mac)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }
}

/// Shows a payload preview as text: printable ASCII as is, anything else as `\xNN`, `…` when
/// the payload was longer than the preview.
pub fn show_text(bytes: &[u8], full_len: u32) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    if (bytes.len() as u64) < u64::from(full_len) {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_count_everything_and_keep_the_first_few() {
        let mut s: Sample<u32> = Sample::new(2);
        for i in 0..5 {
            s.push(i);
        }
        assert_eq!(s.count, 5);
        assert_eq!(s.first, [0, 1]);
    }

    #[test]
    fn payload_text_is_shown_safely() {
        assert_eq!(show_text(b"Hai from client", 15), "Hai from client");
        assert_eq!(show_text(b"a\nb\x00\xff", 9), "a\\nb\\x00\\xff…");
    }
}

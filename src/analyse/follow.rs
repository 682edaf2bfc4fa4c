//! "Follow TCP/UDP stream": the application bytes of one stream, each direction marked, in
//! the order tshark's `-z follow,tcp,...,N` / `-z follow,udp,...,N` prints them.
//!
//! TCP follows tshark 4.0.17's `follow_tcp_tap_listener` on relative sequence numbers:
//! bytes already delivered (retransmissions) are dropped, a segment that starts in old data
//! gives only its new bytes, a segment after a hole waits in a per-direction list until the
//! hole is filled (or until the other side acknowledges past it: then a chunk
//! `[N bytes missing in capture file]` with its NUL stands for the gap, as tshark writes).
//! Every chunk is one segment's new bytes. Node 0 is the sender of the stream's first frame.
//!
//! UDP streams are numbered as tshark's `udp.stream`: the unordered pair of socket addresses
//! in order of first appearance, headers quoted in ICMP errors included; each datagram of
//! the stream is one chunk.
//!
//! State: the waiting out-of-order segments of one stream, at most [`MAX_WAITING`] segments
//! and [`MAX_WAITING_BYTES`] per direction (more are dropped and counted), and the UDP
//! stream index (per pair of socket addresses).

use std::collections::HashMap;
use std::net::SocketAddr;

use super::Packet;
use super::seq::SeqNumber;
use crate::decode::{QuotedTransport, TransportRepr, tcp_flags};

/// Most out-of-order segments kept per direction while a hole waits to be filled.
pub const MAX_WAITING: usize = 10_000;
/// Most bytes kept in them per direction.
pub const MAX_WAITING_BYTES: usize = 16 << 20;

/// TCP or UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowProto {
    /// `tcp.stream`.
    Tcp,
    /// `udp.stream`.
    Udp,
}

impl FollowProto {
    /// "tcp" or "udp".
    pub fn name(self) -> &'static str {
        match self {
            FollowProto::Tcp => "tcp",
            FollowProto::Udp => "udp",
        }
    }
}

/// One piece of the stream's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Sent by node 1 (the side that did not send the stream's first frame).
    pub from_node1: bool,
    /// The frame the bytes came from (for a missing-bytes marker, the frame whose ACK
    /// revealed the gap).
    pub frame: u64,
    /// Offset of the first byte in its direction's data (what tshark's hex dump shows).
    pub offset: u64,
    /// A "[N bytes missing in capture file]" marker rather than captured bytes.
    pub missing: bool,
    /// The bytes.
    pub data: Vec<u8>,
}

/// A segment waiting for a hole before it to be filled.
#[derive(Debug)]
struct Waiting {
    frame: u64,
    seq: SeqNumber,
    data: Vec<u8>,
}

#[derive(Debug, Default)]
struct Side {
    /// Next expected relative sequence number; 0 = not set (tshark's convention).
    seq: SeqNumber,
    bytes_written: u64,
    waiting: Vec<Waiting>,
    waiting_bytes: usize,
}

/// Unordered key of a UDP conversation.
type UdpKey = (SocketAddr, SocketAddr);

fn udp_key(a: SocketAddr, b: SocketAddr) -> UdpKey {
    if a <= b { (a, b) } else { (b, a) }
}

/// tshark's `udp.stream` numbering.
#[derive(Debug, Default)]
pub struct UdpStreams {
    index: HashMap<UdpKey, u32>,
}

impl UdpStreams {
    /// The stream index of the UDP header (or quoted UDP header) of `p`, numbering new
    /// pairs of socket addresses as they appear.
    pub fn observe(&mut self, p: &Packet) -> Option<u32> {
        let (sip, dip, sport, dport) = match &p.decoded.transport {
            TransportRepr::Udp(u) => {
                let (s, d) = p.decoded.net.ip_addrs()?;
                (s, d, u.src_port, u.dst_port)
            }
            TransportRepr::Icmpv4(i) | TransportRepr::Icmpv6(i) => {
                let q = i.quoted.as_ref()?;
                match q.transport {
                    Some(QuotedTransport::Udp {
                        src_port, dst_port, ..
                    }) => (q.src, q.dst, src_port, dst_port),
                    _ => return None,
                }
            }
            _ => return None,
        };
        let key = udp_key(SocketAddr::new(sip, sport), SocketAddr::new(dip, dport));
        let next = self.index.len() as u32;
        Some(*self.index.entry(key).or_insert(next))
    }
}

/// Follows one stream.
#[derive(Debug)]
pub struct Follower {
    proto: FollowProto,
    stream: u32,
    udp: UdpStreams,
    /// Node 0 (sender of the first frame) and node 1.
    nodes: Option<(SocketAddr, SocketAddr)>,
    sides: [Side; 2],
    /// Out-of-order segments dropped because the waiting list was full.
    dropped: u64,
}

impl Follower {
    /// Follows stream `stream` of `proto`.
    pub fn new(proto: FollowProto, stream: u32) -> Self {
        Follower {
            proto,
            stream,
            udp: UdpStreams::default(),
            nodes: None,
            sides: [Side::default(), Side::default()],
            dropped: 0,
        }
    }

    /// TCP or UDP.
    pub fn proto(&self) -> FollowProto {
        self.proto
    }

    /// The stream index followed.
    pub fn stream(&self) -> u32 {
        self.stream
    }

    /// Node 0 and node 1, once the stream's first frame was seen.
    pub fn nodes(&self) -> Option<(SocketAddr, SocketAddr)> {
        self.nodes
    }

    /// Out-of-order segments that could not be kept (see [`MAX_WAITING`]).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Adds one packet (`frame` is its captured bytes); new chunks are appended to `out`.
    pub fn add(&mut self, p: &Packet, frame: &[u8], out: &mut Vec<Chunk>) {
        match self.proto {
            FollowProto::Udp => self.add_udp(p, frame, out),
            FollowProto::Tcp => self.add_tcp(p, frame, out),
        }
    }

    fn add_udp(&mut self, p: &Packet, frame: &[u8], out: &mut Vec<Chunk>) {
        if self.udp.observe(p) != Some(self.stream) {
            return;
        }
        let (TransportRepr::Udp(u), Some((sip, dip))) =
            (&p.decoded.transport, p.decoded.net.ip_addrs())
        else {
            return; // a quoted header: part of the stream, but no data of it
        };
        let src = SocketAddr::new(sip, u.src_port);
        let dst = SocketAddr::new(dip, u.dst_port);
        let (node0, _) = *self.nodes.get_or_insert((src, dst));
        let node1 = src != node0;
        let data = p.decoded.app_payload(frame).to_vec();
        let side = &mut self.sides[usize::from(node1)];
        let offset = side.bytes_written;
        side.bytes_written += data.len() as u64;
        out.push(Chunk {
            from_node1: node1,
            frame: p.number,
            offset,
            missing: false,
            data,
        });
    }

    fn add_tcp(&mut self, p: &Packet, frame: &[u8], out: &mut Vec<Chunk>) {
        let (Some(t), Some(a), Some((sip, dip))) =
            (p.tcp_repr(), p.tcp.as_ref(), p.decoded.net.ip_addrs())
        else {
            return;
        };
        // tshark follows a segment only once its whole header was dissected: a header cut by
        // the snapshot length never reaches the follow tap.
        if a.stream != self.stream || t.cut.is_some() {
            return;
        }
        let Some(length) = t.len else { return };
        let src = SocketAddr::new(sip, t.src_port);
        let dst = SocketAddr::new(dip, t.dst_port);
        let (node0, _) = *self.nodes.get_or_insert((src, dst));
        let server = usize::from(src != node0);
        let mut sequence = SeqNumber(a.seq);
        if t.flags & tcp_flags::SYN != 0 {
            sequence = sequence + 1;
        }
        let payload = p.decoded.app_payload(frame);

        // This frame's ack may reveal segments the receiver got but the capture missed.
        if !self.sides[1 - server].waiting.is_empty() {
            let ack = SeqNumber(a.ack);
            while self.check_waiting(1 - server, Some(ack), p.number, out) {}
        }

        let side = &mut self.sides[server];
        if side.bytes_written == 0 && side.seq.is_zero() {
            side.seq = sequence;
        }
        let mut data_offset = 0usize;
        let mut data_len = payload.len();
        let mut length = length;
        if sequence.is_before(side.seq) {
            let next = sequence + length;
            if next.is_after(side.seq) {
                data_offset = (side.seq - sequence) as usize;
                data_len = data_len.saturating_sub(data_offset);
                sequence = side.seq;
                length = next - side.seq;
            }
        }
        if data_len == 0 || sequence.is_before(side.seq) {
            return;
        }
        let data = payload
            .get(data_offset..data_offset + data_len)
            .unwrap_or_default()
            .to_vec();
        if sequence == side.seq {
            side.seq = side.seq + length;
            let offset = side.bytes_written;
            side.bytes_written += data.len() as u64;
            out.push(Chunk {
                from_node1: server == 1,
                frame: p.number,
                offset,
                missing: false,
                data,
            });
            while self.check_waiting(server, None, p.number, out) {}
        } else if side.waiting.len() < MAX_WAITING
            && side.waiting_bytes + data.len() <= MAX_WAITING_BYTES
        {
            side.waiting_bytes += data.len();
            side.waiting.push(Waiting {
                frame: p.number,
                seq: sequence,
                data,
            });
        } else {
            self.dropped += 1;
        }
    }

    /// tshark's `check_follow_fragments`: applies one waiting segment if one fits (or, with
    /// an ack past the lowest one, writes the missing-bytes marker); true if it did.
    fn check_waiting(
        &mut self,
        side_i: usize,
        ack: Option<SeqNumber>,
        frame: u64,
        out: &mut Vec<Chunk>,
    ) -> bool {
        let side = &mut self.sides[side_i];
        let Some(first) = side.waiting.first() else {
            return false;
        };
        let mut lowest = first.seq;
        for i in 0..side.waiting.len() {
            let w = &side.waiting[i];
            if lowest.is_after(w.seq) {
                lowest = w.seq;
            }
            if w.seq.is_before(side.seq) {
                let new_seq = w.seq + w.data.len() as u32;
                if new_seq.is_after(side.seq) {
                    let new_pos = (side.seq - w.seq) as usize;
                    if w.data.len() > new_pos {
                        let data = w.data[new_pos..].to_vec();
                        let offset = side.bytes_written;
                        side.bytes_written += data.len() as u64;
                        out.push(Chunk {
                            from_node1: side_i == 1,
                            frame: w.frame,
                            offset,
                            missing: false,
                            data,
                        });
                    }
                    side.seq = side.seq + (w.data.len() - new_pos) as u32;
                }
                let w = side.waiting.remove(i);
                side.waiting_bytes -= w.data.len();
                return true;
            }
            if w.seq == side.seq {
                let w = side.waiting.remove(i);
                side.waiting_bytes -= w.data.len();
                side.seq = side.seq + w.data.len() as u32;
                if !w.data.is_empty() {
                    let offset = side.bytes_written;
                    side.bytes_written += w.data.len() as u64;
                    out.push(Chunk {
                        from_node1: side_i == 1,
                        frame: w.frame,
                        offset,
                        missing: false,
                        data: w.data,
                    });
                }
                return true;
            }
        }
        if let Some(ack) = ack
            && ack.is_after(lowest)
        {
            // tshark prints the gap with %d and keeps the string's NUL.
            let gap = (lowest - side.seq) as i32;
            let mut data = format!("[{gap} bytes missing in capture file]").into_bytes();
            data.push(0);
            side.seq = lowest;
            out.push(Chunk {
                from_node1: side_i == 1,
                frame,
                offset: side.bytes_written,
                missing: true,
                data,
            });
            return true;
        }
        false
    }
}

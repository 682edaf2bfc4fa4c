//! Per TCP stream: the three-way handshake and the FIN/RST teardown, with a one-line "why"
//! a student can check against the raw numbers.
//!
//! Rows are kept only for SYN, SYN-ACK, the ACK that completes the handshake, each FIN,
//! the ACK of each FIN and RST — at most [`MAX_ROWS`] per stream — so memory grows with
//! streams, not packets.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::Packet;
use crate::decode::tcp_flags::{ACK, FIN, RST, SYN};

/// Most rows kept per stream.
pub const MAX_ROWS: usize = 24;

/// What a row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// Handshake step 1.
    Syn,
    /// Handshake step 2.
    SynAck,
    /// Handshake step 3.
    HandshakeAck,
    /// A FIN (teardown).
    Fin,
    /// The ACK of a FIN.
    FinAck,
    /// A reset.
    Rst,
    /// A segment carrying data (only with [`Handshakes::every_frame`]).
    Data,
    /// A plain acknowledgement (only with [`Handshakes::every_frame`]).
    Ack,
}

/// One frame of a handshake or teardown.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeRow {
    /// Frame number.
    pub frame: u64,
    /// Seconds since the capture's first frame.
    pub time: f64,
    /// True when sent by endpoint A (the client when a SYN was seen).
    pub from_a: bool,
    /// The 12-bit flags.
    pub flags: u16,
    /// Raw sequence number.
    pub seq_raw: u32,
    /// Raw acknowledgement number.
    pub ack_raw: u32,
    /// Relative sequence number.
    pub seq: u32,
    /// Relative acknowledgement number.
    pub ack: u32,
    /// Segment length.
    pub len: u32,
    /// Calculated window.
    pub win: u32,
    /// What the row is.
    pub kind: RowKind,
    /// Why the numbers are what they are.
    pub why: String,
}

/// The handshake and teardown of one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamExchange {
    /// tcp.stream.
    pub stream: u32,
    /// Endpoint A: the SYN sender, else the sender of the first frame seen.
    pub a: SocketAddr,
    /// Endpoint B.
    pub b: SocketAddr,
    /// The rows, in frame order.
    pub rows: Vec<ExchangeRow>,
    /// Frames of the stream not shown (data, plain ACKs).
    pub other_frames: u64,
    isn_a: Option<u32>,
    isn_b: Option<u32>,
    handshake_done: bool,
    /// Raw ack that acknowledges a FIN from A / from B.
    fin_ack_wanted: [Option<u32>; 2],
    /// FINs acknowledged so far.
    fins_acked: u8,
    /// A reset was seen.
    reset: bool,
}

impl StreamExchange {
    /// True once the connection is over: reset, or both FINs acknowledged.
    pub fn closed(&self) -> bool {
        self.reset || self.fins_acked >= 2
    }
}

/// Collects [`StreamExchange`]s from analysed packets.
#[derive(Debug, Default)]
pub struct Handshakes {
    streams: HashMap<u32, usize>,
    list: Vec<StreamExchange>,
    /// Rows for data segments and plain ACKs too, up to this many rows per stream.
    every_frame: Option<usize>,
}

impl Handshakes {
    /// Nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A row for every frame of each stream — data segments and plain ACKs too, as in a
    /// Wireshark packet list of one connection — keeping at most `max_rows` rows per stream.
    pub fn every_frame(max_rows: usize) -> Self {
        Handshakes {
            every_frame: Some(max_rows),
            ..Self::default()
        }
    }

    /// Forgets a stream (a closed connection whose view was shown).
    pub fn remove(&mut self, stream: u32) -> Option<StreamExchange> {
        let idx = self.streams.remove(&stream)?;
        let s = self.list.remove(idx);
        for v in self.streams.values_mut() {
            if *v > idx {
                *v -= 1;
            }
        }
        Some(s)
    }

    /// The exchange of one stream.
    pub fn get(&self, stream: u32) -> Option<&StreamExchange> {
        self.streams.get(&stream).map(|&i| &self.list[i])
    }

    /// The streams, by stream index.
    pub fn list(&self) -> &[StreamExchange] {
        &self.list
    }

    /// One stream's exchange, by stream index.
    pub fn stream(&self, stream: u32) -> Option<&StreamExchange> {
        self.list.get(*self.streams.get(&stream)?)
    }

    /// The row of frame `frame` in stream `stream`, if that frame is part of its handshake
    /// or teardown.
    pub fn row(&self, stream: u32, frame: u64) -> Option<&ExchangeRow> {
        self.stream(stream)?.rows.iter().find(|r| r.frame == frame)
    }

    /// Adds one packet (ignored unless TCP with analysis).
    pub fn add(&mut self, p: &Packet) {
        let (Some(t), Some(a), Some((sip, dip))) =
            (p.tcp_repr(), p.tcp.as_ref(), p.decoded.net.ip_addrs())
        else {
            return;
        };
        let src = SocketAddr::new(sip, t.src_port);
        let dst = SocketAddr::new(dip, t.dst_port);
        let idx = *self.streams.entry(a.stream).or_insert_with(|| {
            self.list.push(StreamExchange {
                stream: a.stream,
                a: src,
                b: dst,
                rows: Vec::new(),
                other_frames: 0,
                isn_a: None,
                isn_b: None,
                handshake_done: false,
                fin_ack_wanted: [None, None],
                fins_acked: 0,
                reset: false,
            });
            self.list.len() - 1
        });
        let s = &mut self.list[idx];
        let flags = t.flags;
        let syn = flags & SYN != 0;
        let ackf = flags & ACK != 0;
        // A pure SYN fixes the client: swap if the first frame we saw came from the server.
        if syn && !ackf && s.rows.is_empty() && src != s.a {
            std::mem::swap(&mut s.a, &mut s.b);
        }
        let from_a = src == s.a;
        let dir = usize::from(!from_a);
        let len = t.len.unwrap_or(0);
        let row = |kind: RowKind, why: String| ExchangeRow {
            frame: p.number,
            time: p.time_rel(),
            from_a,
            flags,
            seq_raw: t.seq,
            ack_raw: t.ack,
            seq: a.seq,
            ack: a.ack,
            len,
            win: a.window,
            kind,
            why,
        };
        let (who, peer) = if from_a { ("A", "B") } else { ("B", "A") };
        let mut rows: Vec<ExchangeRow> = Vec::new();
        if flags & RST != 0 {
            s.reset = true;
            rows.push(row(
                RowKind::Rst,
                format!(
                    "{who} aborts: RST at raw {}; nothing answers a reset",
                    t.seq
                ),
            ));
        } else if syn && !ackf {
            if from_a {
                s.isn_a = Some(t.seq);
            } else {
                s.isn_b = Some(t.seq);
            }
            rows.push(row(
                RowKind::Syn,
                format!(
                    "{who}'s ISN: relative 0 = raw {}; a SYN uses 1 sequence number",
                    t.seq
                ),
            ));
        } else if syn && ackf {
            if from_a {
                s.isn_a = Some(t.seq);
            } else {
                s.isn_b = Some(t.seq);
            }
            let peer_isn = if from_a { s.isn_b } else { s.isn_a };
            let why = match peer_isn {
                Some(isn) => format!(
                    "{who}'s ISN = raw {}; Ack = {peer}'s ISN + 1 = {isn} + 1",
                    t.seq
                ),
                None => format!(
                    "{who}'s ISN = raw {}; Ack {} = {peer}'s ISN + 1 (its SYN not captured)",
                    t.seq, t.ack
                ),
            };
            rows.push(row(RowKind::SynAck, why));
        } else if ackf && !s.handshake_done && (if from_a { s.isn_b } else { s.isn_a }).is_some() {
            let peer_isn = if from_a { s.isn_b } else { s.isn_a };
            let own_isn = if from_a { s.isn_a } else { s.isn_b };
            if let (Some(peer_seq), Some(own)) = (peer_isn, own_isn)
                && t.ack == peer_seq.wrapping_add(1)
                && t.seq == own.wrapping_add(1)
            {
                s.handshake_done = true;
                rows.push(row(
                    RowKind::HandshakeAck,
                    format!(
                        "step 3: Seq 1 = raw {}; Ack = {peer}'s ISN + 1 = {} + 1",
                        t.seq,
                        t.ack.wrapping_sub(1)
                    ),
                ));
            }
        }
        // The ACK of a FIN from the other side (may be this frame even if it carries a FIN).
        let other = 1 - dir;
        if ackf
            && let Some(want) = s.fin_ack_wanted[other]
            && t.ack == want
        {
            s.fin_ack_wanted[other] = None;
            s.fins_acked = s.fins_acked.saturating_add(1);
            let why = format!(
                "Ack = {peer}'s FIN Seq + 1 = {} + 1 (a FIN uses 1)",
                want.wrapping_sub(1)
            );
            // A FIN+ACK that also acks the peer's FIN becomes one Fin row explaining both.
            rows.push(row(RowKind::FinAck, why));
        }
        if flags & FIN != 0 {
            let fin_seq = t.seq.wrapping_add(len);
            s.fin_ack_wanted[dir] = Some(fin_seq.wrapping_add(1));
            let why = format!(
                "{who} closes: FIN at {} = raw {fin_seq}; {peer} must ack {}",
                a.seq.wrapping_add(len),
                fin_seq.wrapping_add(1)
            );
            if let Some(last) = rows.last_mut().filter(|r| r.kind == RowKind::FinAck) {
                last.kind = RowKind::Fin;
                last.why = format!("{why}; {}", last.why);
            } else {
                rows.push(row(RowKind::Fin, why));
            }
        }
        if rows.is_empty()
            && let Some(_) = self.every_frame
        {
            let next = a.seq.wrapping_add(len);
            if len > 0 {
                rows.push(row(
                    RowKind::Data,
                    format!(
                        "{who} sends {len} bytes: Seq {} + Len {len} = {next}; {peer} should ack {next}",
                        a.seq
                    ),
                ));
            } else if ackf {
                rows.push(row(
                    RowKind::Ack,
                    format!(
                        "{who} acks {}: it has every byte of {peer}'s before that",
                        a.ack
                    ),
                ));
            }
        }
        if rows.is_empty() {
            s.other_frames += 1;
        }
        let max_rows = self.every_frame.unwrap_or(MAX_ROWS);
        for r in rows {
            if s.rows.len() < max_rows {
                s.rows.push(r);
            } else {
                s.other_frames += 1;
            }
        }
    }
}

//! `--tcp-report`: the numbers the classic TCP lab (Kurose & Ross, "Wireshark Lab: TCP")
//! asks of a file upload, gathered in one pass for every stream (or the one named), and
//! the stream with most data chosen at the end.
//!
//! Per stream it keeps the handshake frames, per direction the first data segment, the
//! first six RTT rows of data segments (from [`super::rtt`]), window extremes, window-full
//! and zero-window counts, retransmission counts with their first frames, a histogram of
//! how many bytes each ACK newly acknowledges (at most [`MAX_ACK_SIZES`] distinct sizes),
//! the first [`MAX_ROUNDS`] transmission rounds (flights: a round ends when the ACK of
//! its first segment arrives) for the slow-start estimate, every segment that resends bytes
//! already sent (with tshark's label and the frame that first sent them) and tshark's bytes
//! in flight (`tcp.analysis.bytes_in_flight`: unacknowledged segments minus the peer's SACK
//! blocks). Bounded per stream.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;

use super::Packet;
use super::rtt::{Estimate, RttNote, RttRow, RttTracker};
use super::seq::SeqNumber;
use super::tcp::AnalysisFlags;
use crate::decode::tcp_flags;
use crate::wire::tcp_options::{self, TcpOption};

/// RTT rows kept per direction (the lab asks about the first six segments).
pub const FIRST_SEGMENTS: usize = 6;
/// Transmission rounds kept per direction.
pub const MAX_ROUNDS: usize = 24;
/// Distinct ACK sizes counted per direction.
pub const MAX_ACK_SIZES: usize = 256;
/// Frames listed per kind of event.
pub const MAX_LISTED: usize = 8;
/// Unacknowledged segments kept per direction for the bytes in flight (tshark's
/// `TCP_MAX_UNACKED_SEGMENTS`).
pub const MAX_UNACKED: usize = 1000;
/// First sends remembered per direction, to name the frame a resend repeats.
pub const MAX_FIRST_SENDS: usize = 1 << 20;

/// What tshark calls a segment that resends bytes already sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendLabel {
    /// `[TCP Retransmission]` (after a timeout, or a resend tshark cannot place).
    Retransmission,
    /// `[TCP Fast Retransmission]` (after two or more duplicate ACKs).
    Fast,
    /// `[TCP Spurious Retransmission]` (bytes the receiver had already acknowledged).
    Spurious,
    /// `[TCP Out-Of-Order]` (soon after the highest segment: tshark takes it for reordering).
    OutOfOrder,
    /// No flag.
    Unflagged,
}

impl ResendLabel {
    /// tshark's words for it.
    pub fn text(self) -> &'static str {
        match self {
            ResendLabel::Retransmission => "Retransmission",
            ResendLabel::Fast => "Fast Retransmission",
            ResendLabel::Spurious => "Spurious Retransmission",
            ResendLabel::OutOfOrder => "Out-Of-Order",
            ResendLabel::Unflagged => "no flag",
        }
    }

    /// The `tcp.analysis` field name (JSON).
    pub fn key(self) -> &'static str {
        match self {
            ResendLabel::Retransmission => "retransmission",
            ResendLabel::Fast => "fast_retransmission",
            ResendLabel::Spurious => "spurious_retransmission",
            ResendLabel::OutOfOrder => "out_of_order",
            ResendLabel::Unflagged => "none",
        }
    }
}

/// A segment that carried sequence numbers sent before (a retransmission in the textbook's
/// sense, whatever tshark calls it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resend {
    /// Frame.
    pub frame: u64,
    /// Time, ns since the capture's first frame.
    pub time_ns: i64,
    /// Relative sequence number.
    pub seq: u32,
    /// Payload length.
    pub len: u32,
    /// The captured frame that first sent its first byte (None: not captured).
    pub first_sent: Option<u64>,
    /// What tshark calls it.
    pub label: ResendLabel,
}

/// A frame and a value seen in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At<T> {
    /// The frame.
    pub frame: u64,
    /// The value.
    pub value: T,
}

/// The pure SYN (handshake step 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynInfo {
    /// Frame number.
    pub frame: u64,
    /// Raw sequence number (the ISN).
    pub seq_raw: u32,
    /// Relative sequence number (0).
    pub seq: u32,
    /// The 12 flag bits.
    pub flags: u16,
    /// MSS option, if any.
    pub mss: Option<u16>,
}

/// The SYN-ACK (handshake step 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynAckInfo {
    /// Frame number.
    pub frame: u64,
    /// Raw sequence number (the server's ISN).
    pub seq_raw: u32,
    /// Raw acknowledgement number (the client's ISN + 1).
    pub ack_raw: u32,
    /// Relative sequence number.
    pub seq: u32,
    /// Relative acknowledgement number.
    pub ack: u32,
    /// The 12 flag bits.
    pub flags: u16,
    /// MSS option, if any.
    pub mss: Option<u16>,
}

/// A data segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataSegment {
    /// Frame number.
    pub frame: u64,
    /// Time, ns since the capture's first frame.
    pub time_ns: i64,
    /// Relative sequence number.
    pub seq: u32,
    /// Raw sequence number.
    pub seq_raw: u32,
    /// Payload length.
    pub len: u32,
}

/// One transmission round (flight) of a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// First segment of the round.
    pub first_frame: u64,
    /// Its time, ns since the capture's first frame.
    pub start_ns: i64,
    /// Payload bytes sent in the round (new or not).
    pub bytes: u64,
    /// Segments sent in the round.
    pub segments: u32,
}

/// What one direction of the stream did (as sender of data and of ACKs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirectionReport {
    /// Sender.
    pub src: Option<SocketAddr>,
    /// Frames sent.
    pub frames: u64,
    /// Payload bytes sent.
    pub payload: u64,
    /// New payload bytes (sequence numbers not sent before).
    pub goodput: u64,
    /// The first segment with payload.
    pub first_data: Option<DataSegment>,
    /// The last segment with payload.
    pub last_data: Option<DataSegment>,
    /// Largest payload of one segment.
    pub max_len: u32,
    /// The first [`FIRST_SEGMENTS`] RTT rows of data segments.
    pub first_rows: Vec<RttRow>,
    /// RTT samples of data segments (Karn's rule applied).
    pub samples: u64,
    /// Smallest sample.
    pub min_rtt: Option<At<i64>>,
    /// Largest sample.
    pub max_rtt: Option<At<i64>>,
    /// Sum of the samples.
    pub sum_rtt_ns: i128,
    /// The estimator after the last sample.
    pub last_estimate: Option<Estimate>,
    /// Rows where Karn's rule refused the sample.
    pub karn: u64,
    /// Smallest calculated window this direction advertised (SYNs excluded: unscaled).
    pub min_window: Option<At<u32>>,
    /// Largest.
    pub max_window: Option<At<u32>>,
    /// `[TCP Window Full]` segments sent (the peer's window was used up).
    pub window_full: (u64, Vec<u64>),
    /// `[TCP ZeroWindow]` segments sent.
    pub zero_window: (u64, Vec<u64>),
    /// Retransmissions (any kind), fast ones and spurious ones, with the first frames.
    pub retransmissions: (u64, Vec<u64>),
    /// Fast retransmissions.
    pub fast_retransmissions: u64,
    /// Spurious retransmissions.
    pub spurious_retransmissions: u64,
    /// Duplicate ACKs sent.
    pub dup_acks: (u64, Vec<u64>),
    /// ACKs that moved the acknowledgement number forward.
    pub acks_advancing: u64,
    /// Newly acknowledged bytes → how many ACKs did that.
    pub ack_sizes: Vec<(u32, u64)>,
    /// ACKs whose size was not counted in `ack_sizes` (too many distinct sizes).
    pub ack_sizes_other: u64,
    /// The last ACK that moved the number forward.
    pub last_ack_advance: Option<At<i64>>,
    /// Most bytes in flight while sending, as tshark's `tcp.analysis.bytes_in_flight`:
    /// from the lowest unacknowledged byte to the highest sent, minus the peer's SACK blocks.
    pub max_in_flight: Option<At<u32>>,
    /// The peer's advertised window at the moment of `max_in_flight`.
    pub window_at_max_in_flight: Option<u32>,
    /// The first transmission rounds.
    pub rounds: Vec<Round>,
    /// Segments that resent bytes already sent: how many, and the first [`MAX_LISTED`].
    pub resends: (u64, Vec<Resend>),
    /// Payload bytes of all the resends.
    pub resend_bytes: u64,
    #[doc(hidden)]
    pub state: DirState,
}

/// Running state of a direction (not part of the answers).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirState {
    coverage: super::throughput::Coverage,
    highest_end: Option<SeqNumber>,
    highest_ack: Option<SeqNumber>,
    window: Option<u32>,
    round_marker: Option<SeqNumber>,
    new_round: bool,
    /// Segments sent and not yet acknowledged (raw seq, raw end), as tshark keeps them.
    unacked: VecDeque<(SeqNumber, SeqNumber)>,
    /// SACK blocks of this direction's last segment (tshark forgets them at a segment
    /// without any).
    sacks: Vec<(SeqNumber, SeqNumber)>,
    /// First sends: relative start → (relative end, frame).
    first_sends: BTreeMap<u32, (u32, u64)>,
}

/// What the report found about one stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamReport {
    /// `tcp.stream`.
    pub stream: u32,
    /// Endpoint A (sent the first frame seen) and B.
    pub a: Option<SocketAddr>,
    /// Endpoint B.
    pub b: Option<SocketAddr>,
    /// First and last frame times, ns since the capture's first frame.
    pub start_ns: i64,
    /// See `start_ns`.
    pub end_ns: i64,
    /// Frames of the stream.
    pub frames: u64,
    /// The pure SYN, if captured.
    pub syn: Option<SynInfo>,
    /// The SYN-ACK, if captured.
    pub syn_ack: Option<SynAckInfo>,
    /// The ACK completing the handshake.
    pub handshake_ack: Option<u64>,
    /// Which direction sent the SYN (0 = A→B).
    pub syn_dir: Option<u8>,
    /// Time of the SYN, ns since the capture's first frame.
    pub syn_ns: Option<i64>,
    /// tshark's iRTT (`tcp.analysis.initial_rtt`): SYN to the ACK completing the handshake.
    pub irtt_ns: Option<i64>,
    /// A→B then B→A.
    pub dirs: [DirectionReport; 2],
}

impl StreamReport {
    /// Index of the direction that sent more payload (the upload's sender).
    pub fn data_dir(&self) -> usize {
        usize::from(self.dirs[1].payload > self.dirs[0].payload)
    }

    /// The client (SYN sender), or A when no SYN was captured.
    pub fn client(&self) -> Option<SocketAddr> {
        match &self.syn {
            Some(_) if self.syn_from_b() => self.b,
            _ => self.a,
        }
    }

    fn syn_from_b(&self) -> bool {
        self.syn_dir == Some(1)
    }
}

/// Which stream the report is about and how it was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The stream (None: no TCP stream, or the named one was not found).
    pub stream: Option<StreamReport>,
    /// True when the stream was named with `--stream`.
    pub named: bool,
    /// The stream asked for, when named.
    pub asked: Option<u32>,
    /// TCP streams in the capture.
    pub streams_seen: u32,
}

/// Builds a [`Report`] from analysed packets.
#[derive(Debug)]
pub struct ReportBuilder {
    only: Option<u32>,
    rtt: RttTracker,
    rows: Vec<RttRow>,
    streams: HashMap<u32, StreamReport>,
}

impl ReportBuilder {
    /// Reports on stream `only`, or (None) on the stream with most data.
    pub fn new(only: Option<u32>) -> Self {
        ReportBuilder {
            only,
            rtt: only.map_or_else(RttTracker::new, RttTracker::only),
            rows: Vec::new(),
            streams: HashMap::new(),
        }
    }

    /// Adds one analysed packet (`frame`: its captured bytes, for SACK options).
    pub fn add(&mut self, p: &Packet, frame: &[u8]) {
        let (Some(t), Some(a), Some((sip, dip))) =
            (p.tcp_repr(), p.tcp.as_ref(), p.decoded.net.ip_addrs())
        else {
            return;
        };
        if self.only.is_some_and(|s| s != a.stream) {
            return;
        }
        let src = SocketAddr::new(sip, t.src_port);
        let now = p.time_rel_ns;
        let s = self
            .streams
            .entry(a.stream)
            .or_insert_with(|| StreamReport {
                stream: a.stream,
                a: Some(src),
                b: Some(SocketAddr::new(dip, t.dst_port)),
                start_ns: now,
                end_ns: now,
                ..StreamReport::default()
            });
        s.frames += 1;
        s.start_ns = s.start_ns.min(now);
        s.end_ns = s.end_ns.max(now);
        let fi = usize::from(Some(src) != s.a);
        let syn = t.flags & tcp_flags::SYN != 0;
        let ack_set = t.flags & tcp_flags::ACK != 0;
        if syn && !ack_set && s.syn.is_none() {
            s.syn = Some(SynInfo {
                frame: p.number,
                seq_raw: t.seq,
                seq: a.seq,
                flags: t.flags,
                mss: t.mss(),
            });
            s.syn_dir = Some(fi as u8);
            s.syn_ns = Some(now);
        } else if syn && ack_set && s.syn_ack.is_none() {
            s.syn_ack = Some(SynAckInfo {
                frame: p.number,
                seq_raw: t.seq,
                ack_raw: t.ack,
                seq: a.seq,
                ack: a.ack,
                flags: t.flags,
                mss: t.mss(),
            });
        } else if ack_set
            && !syn
            && s.handshake_ack.is_none()
            && s.syn_ack.is_some()
            && s.syn_dir == Some(fi as u8)
        {
            s.handshake_ack = Some(p.number);
            s.irtt_ns = s.syn_ns.map(|t| now - t);
        }

        let len = t.len.unwrap_or(0);
        let flags = a.flags;
        let (fwd, rev) = split(&mut s.dirs, fi);
        fwd.src = Some(src);
        fwd.frames += 1;
        fwd.payload += u64::from(len);
        let retrans = flags.has_field("retransmission");
        // Sequence numbers sent before (TCP sends bytes in order, so anything below the
        // highest byte sent was sent already): a retransmission in the textbook's sense.
        let base = t.seq.wrapping_sub(a.seq);
        let highest_rel = fwd.state.highest_end.map(|h| h.0.wrapping_sub(base));
        let resend = len > 0
            && !flags.contains(AnalysisFlags::KEEP_ALIVE)
            && highest_rel.is_some_and(|h| SeqNumber(a.seq).is_before(SeqNumber(h)));
        if resend {
            let first_sent = fwd
                .state
                .first_sends
                .range(..=a.seq)
                .next_back()
                .filter(|(_, (end, _))| *end > a.seq)
                .map(|(_, (_, f))| *f);
            fwd.resends.0 += 1;
            fwd.resend_bytes += u64::from(len);
            if fwd.resends.1.len() < MAX_LISTED {
                fwd.resends.1.push(Resend {
                    frame: p.number,
                    time_ns: now,
                    seq: a.seq,
                    len,
                    first_sent,
                    label: resend_label(flags),
                });
            }
        }
        if len > 0 {
            let end = a.seq.wrapping_add(len);
            let start = match highest_rel {
                Some(h) if resend => h,
                _ => a.seq,
            };
            let fresh = highest_rel.is_none_or(|h| SeqNumber(end).is_after(SeqNumber(h)));
            if fresh && fwd.state.first_sends.len() < MAX_FIRST_SENDS {
                fwd.state.first_sends.insert(start, (end, p.number));
            }
        }
        fwd.goodput += u64::from(fwd.state.coverage.add(SeqNumber(a.seq), len));
        if len > 0 {
            let seg = DataSegment {
                frame: p.number,
                time_ns: now,
                seq: a.seq,
                seq_raw: t.seq,
                len,
            };
            fwd.first_data.get_or_insert(seg);
            fwd.last_data = Some(seg);
            fwd.max_len = fwd.max_len.max(len);
        }
        if !syn && t.len.is_some() {
            let w = At {
                frame: p.number,
                value: a.window,
            };
            if fwd.min_window.is_none_or(|m| w.value < m.value) {
                fwd.min_window = Some(w);
            }
            if fwd.max_window.is_none_or(|m| w.value > m.value) {
                fwd.max_window = Some(w);
            }
            fwd.state.window = Some(a.window);
        }
        let count = |c: &mut (u64, Vec<u64>)| {
            c.0 += 1;
            if c.1.len() < MAX_LISTED {
                c.1.push(p.number);
            }
        };
        if flags.contains(AnalysisFlags::WINDOW_FULL) {
            count(&mut fwd.window_full);
        }
        if flags.contains(AnalysisFlags::ZERO_WINDOW) {
            count(&mut fwd.zero_window);
        }
        if retrans {
            count(&mut fwd.retransmissions);
        }
        if flags.contains(AnalysisFlags::FAST_RETRANSMISSION) {
            fwd.fast_retransmissions += 1;
        }
        if flags.contains(AnalysisFlags::SPURIOUS_RETRANSMISSION) {
            fwd.spurious_retransmissions += 1;
        }
        if flags.contains(AnalysisFlags::DUPLICATE_ACK) {
            count(&mut fwd.dup_acks);
        }

        if t.len.is_some() {
            // This direction's ACK: how much it newly acknowledges of the other's data.
            let ack = SeqNumber(t.ack);
            if ack_set && !syn {
                match rev.state.highest_end {
                    Some(data_end) if rev_acks_new(fwd, ack) => {
                        let size = fwd.state.highest_ack.map_or(0, |h| ack - h);
                        // Only ACKs of data count (not the one byte of a FIN).
                        let of_data = fwd.state.highest_ack.is_some_and(|h| h.is_before(data_end));
                        if of_data && size > 0 {
                            fwd.acks_advancing += 1;
                            let room = fwd.ack_sizes.len() < MAX_ACK_SIZES;
                            match fwd.ack_sizes.iter_mut().find(|(s, _)| *s == size) {
                                Some((_, n)) => *n += 1,
                                None if room => fwd.ack_sizes.push((size, 1)),
                                None => fwd.ack_sizes_other += 1,
                            }
                            fwd.last_ack_advance = Some(At {
                                frame: p.number,
                                value: now,
                            });
                        }
                        fwd.state.highest_ack = Some(ack);
                        // A new round of the other side starts once this ACK covers the
                        // first segment of its current round.
                        if rev.state.round_marker.is_some_and(|m| !ack.is_before(m)) {
                            rev.state.new_round = true;
                        }
                    }
                    None if fwd.state.highest_ack.is_none() => fwd.state.highest_ack = Some(ack),
                    _ => {}
                }
            }
            // Bytes in flight as tshark counts them: this ACK retires the other side's
            // segments, this segment joins this side's, then the lowest unacknowledged byte
            // to the highest sent, minus the SACK blocks of the other side's last segment.
            let syn_fin = t.flags & (tcp_flags::SYN | tcp_flags::FIN) != 0;
            if ack_set {
                retire(&mut rev.state.unacked, SeqNumber(a.ack));
            }
            if (len > 0 || syn_fin) && fwd.state.unacked.len() < MAX_UNACKED {
                let end = SeqNumber(a.seq) + len + u32::from(syn_fin);
                fwd.state.unacked.push_back((SeqNumber(a.seq), end));
            }
            if len > 0 {
                let in_flight = bytes_in_flight(&fwd.state.unacked, &rev.state.sacks, syn_fin);
                if let Some(f) = in_flight
                    && fwd.max_in_flight.is_none_or(|m| f > m.value)
                {
                    fwd.max_in_flight = Some(At {
                        frame: p.number,
                        value: f,
                    });
                    fwd.window_at_max_in_flight = rev.state.window;
                }
            }
            fwd.state.sacks = sack_blocks(p, t, frame);
            // This direction's data: rounds.
            if len > 0 {
                let end = SeqNumber(t.seq) + len;
                if fwd.state.highest_end.is_none_or(|h| end.is_after(h)) {
                    fwd.state.highest_end = Some(end);
                }
                if fwd.rounds.is_empty() || fwd.state.new_round {
                    fwd.state.new_round = false;
                    if fwd.rounds.len() < MAX_ROUNDS {
                        fwd.rounds.push(Round {
                            first_frame: p.number,
                            start_ns: now,
                            bytes: 0,
                            segments: 0,
                        });
                        fwd.state.round_marker = Some(end);
                    } else {
                        fwd.state.round_marker = None;
                    }
                }
                if fwd.state.round_marker.is_some()
                    && let Some(r) = fwd.rounds.last_mut()
                {
                    r.bytes += u64::from(len);
                    r.segments += 1;
                }
            }
        }

        self.rtt.add(p, &mut self.rows);
        self.take_rows();
    }

    fn take_rows(&mut self) {
        for row in self.rows.drain(..) {
            let Some(s) = self.streams.get_mut(&row.stream) else {
                continue;
            };
            let d = &mut s.dirs[usize::from(Some(row.src) != s.a)];
            if let (Some(r), true) = (row.rtt_ns, row.len > 0) {
                d.samples += 1;
                d.sum_rtt_ns += i128::from(r);
                let at = At {
                    frame: row.segment_frame,
                    value: r,
                };
                if d.min_rtt.is_none_or(|m| r < m.value) {
                    d.min_rtt = Some(at);
                }
                if d.max_rtt.is_none_or(|m| r > m.value) {
                    d.max_rtt = Some(at);
                }
                d.last_estimate = row.estimate;
            }
            if matches!(row.note, RttNote::Karn { .. }) {
                d.karn += 1;
            }
            if row.len > 0 && d.first_rows.len() < FIRST_SEGMENTS {
                d.first_rows.push(row);
            }
        }
    }

    /// The report: the stream named, or the one with most payload.
    pub fn finish(&mut self) -> Report {
        self.rtt.finish(&mut self.rows);
        self.take_rows();
        let streams_seen = self.streams.len() as u32;
        let chosen = match self.only {
            Some(s) => self.streams.remove(&s),
            None => {
                let best = self
                    .streams
                    .values()
                    .max_by_key(|s| {
                        (
                            s.dirs[0].payload.max(s.dirs[1].payload),
                            u32::MAX - s.stream,
                        )
                    })
                    .map(|s| s.stream);
                best.and_then(|b| self.streams.remove(&b))
            }
        };
        Report {
            stream: chosen,
            named: self.only.is_some(),
            asked: self.only,
            streams_seen,
        }
    }
}

/// tshark's label of a resend.
fn resend_label(flags: AnalysisFlags) -> ResendLabel {
    if flags.contains(AnalysisFlags::SPURIOUS_RETRANSMISSION) {
        ResendLabel::Spurious
    } else if flags.contains(AnalysisFlags::FAST_RETRANSMISSION) {
        ResendLabel::Fast
    } else if flags.contains(AnalysisFlags::RETRANSMISSION) {
        ResendLabel::Retransmission
    } else if flags.contains(AnalysisFlags::OUT_OF_ORDER) {
        ResendLabel::OutOfOrder
    } else {
        ResendLabel::Unflagged
    }
}

/// Drops the segments `ack` covers and trims the one it covers in part (tshark's unacked
/// list).
fn retire(unacked: &mut VecDeque<(SeqNumber, SeqNumber)>, ack: SeqNumber) {
    unacked.retain_mut(|(seq, end)| {
        if end.is_at_or_before(ack) {
            return false;
        }
        if ack.is_after(*seq) {
            *seq = ack;
        }
        true
    });
}

/// tshark's `tcp.analysis.bytes_in_flight` after a data segment: highest end − lowest start
/// of the unacknowledged segments (relative numbers, as tshark compares them), minus the
/// peer's SACK blocks; a SYN or FIN's virtual byte not counted. None when not in (0, 2e9).
fn bytes_in_flight(
    unacked: &VecDeque<(SeqNumber, SeqNumber)>,
    sacks: &[(SeqNumber, SeqNumber)],
    syn_fin: bool,
) -> Option<u32> {
    let first = unacked.iter().map(|(s, _)| s.0).min()?;
    let last = unacked.iter().map(|(_, e)| e.0).max()?;
    let delivered = sacks
        .iter()
        .fold(0u32, |d, (l, r)| d.wrapping_add(r.0.wrapping_sub(l.0)));
    let f = last.wrapping_sub(first).wrapping_sub(delivered);
    (f > 0 && f < 2_000_000_000).then(|| f - u32::from(syn_fin))
}

/// The SACK blocks (raw edges) of this segment's options.
fn sack_blocks(
    p: &Packet,
    t: &crate::decode::TcpRepr,
    frame: &[u8],
) -> Vec<(SeqNumber, SeqNumber)> {
    let bytes = p.decoded.transport_bytes(frame);
    let opts = bytes.get(t.options_range.clone()).unwrap_or(&[]);
    let mut out = Vec::new();
    for (_, opt) in tcp_options::iter(opts) {
        match opt {
            Ok(TcpOption::Sack(blocks)) => {
                out.extend(
                    blocks
                        .as_slice()
                        .iter()
                        .map(|&(l, r)| (SeqNumber(l), SeqNumber(r))),
                );
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    out
}

/// `ack` moves `fwd`'s acknowledgement of the other side forward.
fn rev_acks_new(fwd: &DirectionReport, ack: SeqNumber) -> bool {
    fwd.state.highest_ack.is_none_or(|h| ack.is_after(h))
}

fn split(
    dirs: &mut [DirectionReport; 2],
    fwd: usize,
) -> (&mut DirectionReport, &mut DirectionReport) {
    let [a, b] = dirs;
    if fwd == 0 { (a, b) } else { (b, a) }
}

#[cfg(test)]
mod tests;

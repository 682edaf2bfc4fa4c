//! Round-trip times per TCP segment: which ACK covered each segment, the RTT sample tshark
//! reports for it (`tcp.analysis.ack_rtt` / `acks_frame`), and the RFC 6298 estimator fed
//! with the samples that Karn's rule allows.
//!
//! The matching mirrors tshark 4.0.17's `tcp_analyze_sequence_number`: every transmission
//! that takes sequence space (data, SYN, FIN) joins its direction's list of unacknowledged
//! segments, while that list holds fewer than 10 000; every analysed segment of the other
//! direction then removes the entries its raw ack number covers (`end <= ack`, ACK flag or
//! not). When the ack equals an entry's end exactly, that ACK "acks" it, and where several
//! transmissions end there (a segment and its retransmissions) tshark names the oldest: its
//! `ack_rtt` is then measured from the *original* send. Karn's rule refuses that sample:
//! a transmission whose bytes were sent more than once gives no sample, and the row says so.
//! The estimator takes the samples of data segments (SYN and FIN samples are shown only),
//! so EstimatedRTT starts at the first data segment's RTT, as the lab asks.
//!
//! State is bounded: per stream and direction, the outstanding transmissions (at most
//! 10 000, tshark's cap) and the covered ones waiting behind an older outstanding one so
//! that rows come out in send order (at most [`MAX_QUEUED`]). Nothing is kept per packet.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use super::Packet;
use super::seq::SeqNumber;
use crate::decode::tcp_flags;

/// tshark's cap on a direction's unacknowledged segments (`TCP_MAX_UNACKED_SEGMENTS`).
pub const MAX_UNACKED: usize = 10_000;

/// Most transmissions queued per direction (outstanding plus covered ones waiting for an
/// older one); past it the oldest is written out as never acknowledged.
pub const MAX_QUEUED: usize = 4 * MAX_UNACKED;

/// RFC 6298's smoothing factors: α = 1/8 for SRTT (Kurose & Ross's EstimatedRTT), β = 1/4
/// for RTTVAR (DevRTT).
pub const ALPHA: f64 = 0.125;
/// See [`ALPHA`].
pub const BETA: f64 = 0.25;

/// The lower bound RFC 6298 (2.4) puts on the RTO, in seconds.
pub const MIN_RTO: f64 = 1.0;
/// The upper bound RFC 6298 (2.5) allows, in seconds.
pub const MAX_RTO: f64 = 60.0;

/// The estimator's state after a sample (RFC 6298 §2), in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Smoothed RTT (EstimatedRTT).
    pub srtt: f64,
    /// RTT variation (DevRTT).
    pub rttvar: f64,
    /// Retransmission timeout: `SRTT + max(G, 4·RTTVAR)` with G = 0, clamped to [1 s, 60 s].
    pub rto: f64,
    /// Samples taken so far.
    pub samples: u32,
}

/// RFC 6298's SRTT/RTTVAR/RTO estimator.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimator {
    state: Option<Estimate>,
}

impl Estimator {
    /// Feeds one sample `r` (seconds); returns the new state.
    pub fn sample(&mut self, r: f64) -> Estimate {
        let (srtt, rttvar, samples) = match self.state {
            // (2.2) the first measurement: SRTT = R, RTTVAR = R/2.
            None => (r, r / 2.0, 1),
            // (2.3) RTTVAR first, with the old SRTT; then SRTT.
            Some(e) => {
                let rttvar = (1.0 - BETA) * e.rttvar + BETA * (e.srtt - r).abs();
                let srtt = (1.0 - ALPHA) * e.srtt + ALPHA * r;
                (srtt, rttvar, e.samples + 1)
            }
        };
        let rto = (srtt + 4.0 * rttvar).clamp(MIN_RTO, MAX_RTO);
        let e = Estimate {
            srtt,
            rttvar,
            rto,
            samples,
        };
        self.state = Some(e);
        e
    }

    /// The state after the last sample, if any.
    pub fn current(&self) -> Option<Estimate> {
        self.state
    }
}

/// Why a row has, or has no, RTT sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RttNote {
    /// An ACK acknowledged exactly this segment's end: a sample for the estimator.
    Sample,
    /// Karn's rule: these bytes were sent more than once, so the ACK cannot tell which
    /// transmission it answers. `other` is a captured frame that sent them too (`None`:
    /// this is a retransmission whose earlier copy was not captured).
    Karn {
        /// Another transmission of (some of) these bytes.
        other: Option<u64>,
    },
    /// A cumulative ACK: it acknowledged data beyond this segment's end (a delayed ACK
    /// covering two segments, or the ACK after a retransmission filled a hole). The
    /// sample of that ACK belongs to `sample_frame`, if any segment ended at its ack.
    Cumulative {
        /// The segment whose end the ACK matched.
        sample_frame: Option<u64>,
    },
    /// The ACK's time equals the segment's (the capture's clock is too coarse); tshark
    /// shows no `ack_rtt` then.
    ZeroTime,
    /// No ACK covering it was captured.
    NotAcked,
}

/// What one transmission's row says.
#[derive(Debug, Clone, PartialEq)]
pub struct RttRow {
    /// `tcp.stream`.
    pub stream: u32,
    /// Sender of the segment.
    pub src: SocketAddr,
    /// Receiver of the segment.
    pub dst: SocketAddr,
    /// The segment's frame.
    pub segment_frame: u64,
    /// Its time, nanoseconds since the capture's first frame.
    pub time_ns: i64,
    /// Relative sequence number.
    pub seq: u32,
    /// Payload length (`tcp.len`).
    pub len: u32,
    /// Relative next sequence number (SYN and FIN count one).
    pub next_seq: u32,
    /// The TCP flags (SYN, FIN... tell what the segment was).
    pub flags: u16,
    /// tshark flagged it a retransmission (plain, fast or spurious).
    pub retransmission: bool,
    /// The frame of the ACK that first covered it.
    pub ack_frame: Option<u64>,
    /// That ACK's time, nanoseconds since the capture's first frame.
    pub ack_time_ns: Option<i64>,
    /// What tshark shows as `tcp.analysis.ack_rtt` on `ack_frame` with `acks_frame` =
    /// this segment, in nanoseconds.
    pub ack_rtt_ns: Option<i64>,
    /// The sample the estimator took from this row (`ack_rtt` unless Karn's rule refused it).
    pub rtt_ns: Option<i64>,
    /// The estimator's state after this row (the current one when the row gave no sample).
    pub estimate: Option<Estimate>,
    /// Why there is (no) sample.
    pub note: RttNote,
}

impl RttRow {
    /// The segment carried a SYN.
    pub fn is_syn(&self) -> bool {
        self.flags & tcp_flags::SYN != 0
    }

    /// The segment carried a FIN.
    pub fn is_fin(&self) -> bool {
        self.flags & tcp_flags::FIN != 0
    }
}

/// One transmission waiting for its ACK (or for an older one to be written out).
#[derive(Debug)]
struct Tx {
    row: RttRow,
    /// Raw first sequence number.
    seq: SeqNumber,
    /// Raw end (tshark's `nextseq` of the entry).
    end: SeqNumber,
    time: i64,
    outstanding: bool,
    /// Sent more than once (Karn), with another captured frame that sent these bytes.
    resent: Option<Option<u64>>,
}

/// One direction of a stream.
#[derive(Debug, Default)]
struct Direction {
    queue: VecDeque<Tx>,
    outstanding: usize,
    /// Outstanding ends never decrease along the queue (so covered ones are a prefix).
    unsorted: bool,
    /// The highest end sent so far.
    highest_end: Option<SeqNumber>,
    estimator: Estimator,
}

impl Direction {
    fn push(&mut self, tx: Tx) {
        // While sorted, the queue holds only outstanding transmissions: its back is the
        // latest one.
        if !self.unsorted
            && let Some(back) = self.queue.back()
            && tx.end.is_before(back.end)
        {
            self.unsorted = true;
        }
        self.outstanding += 1;
        self.queue.push_back(tx);
    }

    /// Applies a raw ack number from the other direction (tshark's removal loop).
    fn ack(&mut self, ack: SeqNumber, frame: u64, now: i64) {
        if self.outstanding == 0 {
            return;
        }
        let covered = |end: SeqNumber| end == ack || end.is_before(ack);
        let mut oldest_exact: Option<usize> = None;
        let mut resolved = Vec::new();
        for (i, tx) in self.queue.iter().enumerate() {
            if !tx.outstanding {
                continue;
            }
            if covered(tx.end) {
                if tx.end == ack && oldest_exact.is_none() {
                    oldest_exact = Some(i);
                }
                resolved.push(i);
            } else if !self.unsorted {
                // Sorted: everything after ends at or beyond this one.
                break;
            }
        }
        let sample_frame = oldest_exact.map(|i| self.queue[i].row.segment_frame);
        for i in resolved {
            let estimator = &mut self.estimator;
            let tx = &mut self.queue[i];
            tx.outstanding = false;
            tx.row.ack_frame = Some(frame);
            tx.row.ack_time_ns = Some(now);
            // Karn's rule first: a segment sent twice never gives a sample.
            tx.row.note = if let Some(other) = tx.resent {
                RttNote::Karn { other }
            } else if tx.end != ack {
                RttNote::Cumulative { sample_frame }
            } else {
                RttNote::Sample
            };
            if Some(i) == oldest_exact {
                let rtt = now - tx.time;
                if rtt == 0 {
                    tx.row.note = RttNote::ZeroTime;
                } else {
                    tx.row.ack_rtt_ns = Some(rtt);
                    if tx.row.note == RttNote::Sample {
                        tx.row.rtt_ns = Some(rtt);
                        // The estimator follows the data, as the lab's EstimatedRTT does
                        // ("the first sample as the start"); SYN/FIN samples only show.
                        if tx.row.len > 0 {
                            tx.row.estimate = Some(estimator.sample(rtt as f64 / 1e9));
                        }
                    }
                }
            } else if tx.row.note == RttNote::Sample {
                // Another, older transmission ended here too: tshark names that one.
                tx.row.note = RttNote::Karn {
                    other: sample_frame,
                };
            }
            if tx.row.estimate.is_none() {
                tx.row.estimate = estimator.current();
            }
            self.outstanding -= 1;
        }
        if self.outstanding == 0 {
            self.unsorted = false;
        }
    }

    /// Moves finished rows (in send order) to `out`; with `all`, every row.
    fn drain(&mut self, out: &mut Vec<RttRow>, all: bool) {
        while let Some(front) = self.queue.front() {
            let overfull = self.queue.len() > MAX_QUEUED;
            if front.outstanding && !all && !overfull {
                break;
            }
            let Some(mut tx) = self.queue.pop_front() else {
                break;
            };
            if tx.outstanding {
                self.outstanding -= 1;
                tx.row.note = RttNote::NotAcked;
                tx.row.estimate = self.estimator.current();
            }
            out.push(tx.row);
        }
        if self.outstanding == 0 {
            self.unsorted = false;
        }
    }
}

/// One stream: its endpoints (A sent the first frame seen) and both directions.
#[derive(Debug)]
struct Stream {
    a: SocketAddr,
    dirs: [Direction; 2],
}

/// Matches segments with their ACKs for every TCP stream (or one, see [`RttTracker::only`]).
#[derive(Debug, Default)]
pub struct RttTracker {
    only: Option<u32>,
    streams: HashMap<u32, Stream>,
}

impl RttTracker {
    /// Tracks every stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tracks only stream `stream` (`--stream N`).
    pub fn only(stream: u32) -> Self {
        RttTracker {
            only: Some(stream),
            ..Self::default()
        }
    }

    /// Adds one analysed packet; rows that became final are appended to `out` (per
    /// direction in send order).
    pub fn add(&mut self, p: &Packet, out: &mut Vec<RttRow>) {
        let (Some(t), Some(a), Some((sip, dip))) =
            (p.tcp_repr(), p.tcp.as_ref(), p.decoded.net.ip_addrs())
        else {
            return;
        };
        let (Some(len), Some(next_seq)) = (t.len, a.next_seq) else {
            return; // no analysis ran: tshark matches nothing either
        };
        if self.only.is_some_and(|s| s != a.stream) {
            return;
        }
        let src = SocketAddr::new(sip, t.src_port);
        let dst = SocketAddr::new(dip, t.dst_port);
        let stream = self.streams.entry(a.stream).or_insert_with(|| Stream {
            a: src,
            dirs: [Direction::default(), Direction::default()],
        });
        let fwd_i = usize::from(src != stream.a);
        let now = p.time_rel_ns;
        let syn_fin = t.flags & (tcp_flags::SYN | tcp_flags::FIN) != 0;

        // tshark adds this segment to its own direction's list first (step 13)...
        let fwd = &mut stream.dirs[fwd_i];
        if (len > 0 || syn_fin) && fwd.outstanding < MAX_UNACKED {
            let seq = SeqNumber(t.seq);
            let end = seq + len + u32::from(syn_fin);
            let mut resent = None;
            if let Some(high) = fwd.highest_end
                && seq.is_before(high)
            {
                // Some of these bytes went out before: mark every outstanding overlap.
                let mut other = None;
                for old in fwd.queue.iter_mut().filter(|o| o.outstanding) {
                    if seq.is_before(old.end) && old.seq.is_before(end) {
                        old.resent.get_or_insert(Some(p.number));
                        other.get_or_insert(old.row.segment_frame);
                    }
                }
                resent = Some(other);
            }
            if fwd.highest_end.is_none_or(|h| end.is_after(h)) {
                fwd.highest_end = Some(end);
            }
            fwd.push(Tx {
                row: RttRow {
                    stream: a.stream,
                    src,
                    dst,
                    segment_frame: p.number,
                    time_ns: now,
                    seq: a.seq,
                    len,
                    next_seq,
                    flags: t.flags,
                    retransmission: a.flags.has_field("retransmission"),
                    ack_frame: None,
                    ack_time_ns: None,
                    ack_rtt_ns: None,
                    rtt_ns: None,
                    estimate: None,
                    note: RttNote::NotAcked,
                },
                seq,
                end,
                time: now,
                outstanding: true,
                resent,
            });
        }
        // ...then removes what its raw ack covers from the other direction's list.
        let rev = &mut stream.dirs[1 - fwd_i];
        rev.ack(SeqNumber(t.ack), p.number, now);
        rev.drain(out, false);
        stream.dirs[fwd_i].drain(out, false);
    }

    /// Writes out every row still waiting (segments no ACK covered), stream by stream.
    pub fn finish(&mut self, out: &mut Vec<RttRow>) {
        let mut ids: Vec<u32> = self.streams.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(s) = self.streams.get_mut(&id) {
                for d in &mut s.dirs {
                    d.drain(out, true);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sample_starts_the_estimator_as_rfc6298_says() {
        let mut e = Estimator::default();
        let s = e.sample(0.1);
        assert_eq!((s.srtt, s.rttvar), (0.1, 0.05));
        // RTO = 0.1 + 4 × 0.05 = 0.3 s, raised to the 1 s floor.
        assert_eq!(s.rto, 1.0);
        let s = e.sample(0.3);
        // RTTVAR uses the old SRTT: 0.75 × 0.05 + 0.25 × |0.1 − 0.3| = 0.0875.
        assert!((s.rttvar - 0.0875).abs() < 1e-12);
        // SRTT = 0.875 × 0.1 + 0.125 × 0.3 = 0.125.
        assert!((s.srtt - 0.125).abs() < 1e-12);
        assert_eq!(s.samples, 2);
    }

    #[test]
    fn large_samples_give_an_rto_above_the_floor_and_below_the_cap() {
        let mut e = Estimator::default();
        let s = e.sample(2.0);
        assert_eq!(s.rto, 6.0); // 2 + 4 × 1
        let s = e.sample(100.0);
        assert_eq!(s.rto, MAX_RTO);
    }
}

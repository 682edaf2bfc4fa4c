//! Throughput per TCP stream and direction: frames, bytes, payload and goodput, in total
//! and per interval, the numbers `tshark -z conv,tcp` and `-z io,stat,INTERVAL,...` report.
//!
//! Counted per frame with a TCP header (not one quoted in an ICMP error): `bytes` are frame
//! lengths (`frame.len`, what `-z conv,tcp` and io,stat's BYTES add up), `payload` is
//! `tcp.len`, and `goodput` counts new application bytes: the payload beyond the highest
//! sequence number the direction had sent before, so a retransmitted byte counts once
//! whatever tshark calls the segment (a retransmission seen at the sender can be flagged
//! Out-Of-Order when it follows the original within the initial RTT).
//!
//! Intervals are io,stat's: `[k·I, (k+1)·I)` of the time since the capture's first frame,
//! both in microseconds with the frame time rounded to the nearest microsecond as tshark
//! does. An interval's rows are final once a frame of a later interval arrives: one row per
//! direction that sent something in it, and a zero row for each direction that is still
//! open (it has sent no FIN or RST and received no RST), so a stall during a retransmission
//! timeout shows. Idle spans longer than [`MAX_ZERO_ROWS`] intervals get one zero row for
//! the whole span. A frame whose time lies before the open interval (the clock went back)
//! counts in the open one. State: per stream and direction, never per packet or interval.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::Packet;
use super::seq::SeqNumber;
use crate::decode::{TransportRepr, tcp_flags};

/// Longest run of empty intervals written one row each; a longer idle span is one row.
pub const MAX_ZERO_ROWS: u64 = 100;

/// What a direction sent in some span of time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Frames.
    pub frames: u64,
    /// Frame bytes (`frame.len`).
    pub bytes: u64,
    /// TCP payload bytes (`tcp.len`).
    pub payload: u64,
    /// New payload bytes (sequence numbers not sent before).
    pub goodput: u64,
}

impl Counts {
    fn add(&mut self, frame_len: u32, payload: u32, new_bytes: u32) {
        self.frames += 1;
        self.bytes += u64::from(frame_len);
        self.payload += u64::from(payload);
        self.goodput += u64::from(new_bytes);
    }
}

/// Most holes (sequence ranges skipped, not yet seen) a [`Coverage`] remembers.
pub const MAX_HOLES: usize = 256;

/// Which sequence numbers a direction has sent: everything below `highest` except the
/// holes (ranges skipped by a segment after a loss before the capture point). It tells
/// how many bytes of a segment are new, so goodput counts each byte once even when the
/// original of a retransmission was not captured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    highest: Option<SeqNumber>,
    holes: Vec<(SeqNumber, SeqNumber)>,
}

impl Coverage {
    /// Records `[seq, seq + len)`; returns how many of its bytes were not sent before.
    pub fn add(&mut self, seq: SeqNumber, len: u32) -> u32 {
        if len == 0 {
            return 0;
        }
        let end = seq + len;
        let Some(h) = self.highest else {
            self.highest = Some(end);
            return len;
        };
        let mut fresh = 0;
        // Bytes that fill holes.
        let mut kept = Vec::with_capacity(self.holes.len() + 2);
        for &(lo, hi) in &self.holes {
            let a = if seq.is_after(lo) { seq } else { lo };
            let b = if end.is_before(hi) { end } else { hi };
            if a.is_before(b) {
                fresh += b - a;
                if lo.is_before(a) {
                    kept.push((lo, a));
                }
                if b.is_before(hi) {
                    kept.push((b, hi));
                }
            } else {
                kept.push((lo, hi));
            }
        }
        self.holes = kept;
        if end.is_after(h) {
            if seq.is_after(h) {
                self.holes.push((h, seq)); // skipped: lost before the capture point
                fresh += len;
            } else {
                fresh += end - h;
            }
            self.highest = Some(end);
        }
        if self.holes.len() > MAX_HOLES {
            let extra = self.holes.len() - MAX_HOLES;
            self.holes.drain(..extra);
        }
        fresh
    }
}

/// One interval of one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalRow {
    /// `tcp.stream`.
    pub stream: u32,
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Interval index k: the row starts at `k·I`.
    pub index: u64,
    /// Start, microseconds since the first frame.
    pub start_us: u64,
    /// End (exclusive), microseconds since the first frame.
    pub end_us: u64,
    /// What was sent in it.
    pub counts: Counts,
}

/// The whole of one direction.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectionTotal {
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// What it sent.
    pub counts: Counts,
    /// Its first frame, ns since the capture's first frame.
    pub first_ns: i64,
    /// Its last frame.
    pub last_ns: i64,
}

/// The whole of one stream (both directions), as `-z conv,tcp` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamTotal {
    /// `tcp.stream`.
    pub stream: u32,
    /// First frame of the stream, ns since the capture's first frame (conv's Rel Start).
    pub start_ns: i64,
    /// Last frame of the stream.
    pub end_ns: i64,
    /// A→B (A sent the stream's first frame) then B→A, if B sent anything.
    pub directions: Vec<DirectionTotal>,
}

impl StreamTotal {
    /// Seconds from the first frame to the last (conv's Duration).
    pub fn duration(&self) -> f64 {
        (self.end_ns - self.start_ns) as f64 / 1e9
    }

    /// Average goodput of direction `d` over the stream's duration, bit/s (`None` for a
    /// zero duration).
    pub fn goodput_bps(&self, d: &DirectionTotal) -> Option<f64> {
        let secs = self.duration();
        (secs > 0.0).then(|| d.counts.goodput as f64 * 8.0 / secs)
    }
}

#[derive(Debug)]
struct Direction {
    src: SocketAddr,
    dst: SocketAddr,
    total: Counts,
    first_ns: i64,
    last_ns: i64,
    /// The interval `current` counts, if this direction is active in the open interval.
    current_index: Option<u64>,
    current: Counts,
    /// It sent a FIN or RST, or received a RST: no zero rows once it is quiet.
    closed: bool,
    /// Sequence numbers sent so far.
    coverage: Coverage,
}

#[derive(Debug)]
struct Stream {
    start_ns: i64,
    end_ns: i64,
    dirs: Vec<Direction>,
}

/// Accumulates throughput per stream and direction.
#[derive(Debug)]
pub struct Throughput {
    interval_us: u64,
    only: Option<u32>,
    streams: HashMap<u32, Stream>,
    /// The interval frames are counted in now.
    open: Option<u64>,
    /// (stream, direction) active in the open interval.
    active: Vec<(u32, usize)>,
    /// (stream, direction) not closed: they get zero rows when quiet.
    open_dirs: Vec<(u32, usize)>,
}

/// The microseconds io,stat uses for a time since the first frame: rounded to the nearest.
fn micros(ns: i64) -> u64 {
    (ns.max(0) as u64 + 500) / 1000
}

impl Throughput {
    /// Intervals of `interval_us` microseconds (at least 1), for every stream or `only` one.
    pub fn new(interval_us: u64, only: Option<u32>) -> Self {
        Throughput {
            interval_us: interval_us.max(1),
            only,
            streams: HashMap::new(),
            open: None,
            active: Vec::new(),
            open_dirs: Vec::new(),
        }
    }

    /// The interval length in microseconds.
    pub fn interval_us(&self) -> u64 {
        self.interval_us
    }

    /// Adds one packet; interval rows that became final are appended to `out`.
    pub fn add(&mut self, p: &Packet, out: &mut Vec<IntervalRow>) {
        let (TransportRepr::Tcp(t), Some(a), Some((sip, dip))) = (
            &p.decoded.transport,
            p.tcp.as_ref(),
            p.decoded.net.ip_addrs(),
        ) else {
            return;
        };
        if self.only.is_some_and(|s| s != a.stream) {
            return;
        }
        let index = micros(p.time_rel_ns) / self.interval_us;
        let index = match self.open {
            Some(open) if index > open => {
                self.close(out, index);
                self.open = Some(index);
                index
            }
            Some(open) => open,
            None => {
                self.open = Some(index);
                index
            }
        };
        let src = SocketAddr::new(sip, t.src_port);
        let dst = SocketAddr::new(dip, t.dst_port);
        let now = p.time_rel_ns;
        let stream = self.streams.entry(a.stream).or_insert_with(|| Stream {
            start_ns: now,
            end_ns: now,
            dirs: Vec::with_capacity(2),
        });
        stream.start_ns = stream.start_ns.min(now);
        stream.end_ns = stream.end_ns.max(now);
        let d = match stream
            .dirs
            .iter()
            .position(|d| d.src == src && d.dst == dst)
        {
            Some(d) => d,
            None => {
                stream.dirs.push(Direction {
                    src,
                    dst,
                    total: Counts::default(),
                    first_ns: now,
                    last_ns: now,
                    current_index: None,
                    current: Counts::default(),
                    closed: false,
                    coverage: Coverage::default(),
                });
                self.open_dirs.push((a.stream, stream.dirs.len() - 1));
                stream.dirs.len() - 1
            }
        };
        if t.flags & tcp_flags::RST != 0 {
            for other in stream.dirs.iter_mut() {
                other.closed = true;
            }
        }
        let dir = &mut stream.dirs[d];
        if t.flags & tcp_flags::FIN != 0 {
            dir.closed = true;
        }
        let payload = t.len.unwrap_or(0);
        let fresh = dir.coverage.add(SeqNumber(a.seq), payload);
        dir.total.add(p.len, payload, fresh);
        dir.first_ns = dir.first_ns.min(now);
        dir.last_ns = dir.last_ns.max(now);
        if dir.current_index != Some(index) {
            dir.current_index = Some(index);
            dir.current = Counts::default();
            self.active.push((a.stream, d));
        }
        dir.current.add(p.len, payload, fresh);
    }

    /// Ends the open interval (and the empty ones before `next`): its rows go to `out`.
    fn close(&mut self, out: &mut Vec<IntervalRow>, next: u64) {
        let Some(open) = self.open else { return };
        let mut keys = std::mem::take(&mut self.active);
        keys.extend(self.open_dirs.iter().copied());
        keys.sort_unstable();
        keys.dedup();
        let us = self.interval_us;
        let row = |id: u32, d: &Direction, index: u64, end: u64, counts: Counts| IntervalRow {
            stream: id,
            src: d.src,
            dst: d.dst,
            index,
            start_us: index * us,
            end_us: end * us,
            counts,
        };
        for &(id, d) in &keys {
            let Some(dir) = self.streams.get_mut(&id).and_then(|s| s.dirs.get_mut(d)) else {
                continue;
            };
            if dir.current_index == Some(open) {
                out.push(row(id, dir, open, open + 1, dir.current));
                dir.current_index = None;
            } else if !dir.closed {
                out.push(row(id, dir, open, open + 1, Counts::default()));
            }
        }
        self.open_dirs.retain(|(id, d)| {
            self.streams
                .get(id)
                .and_then(|s| s.dirs.get(*d))
                .is_some_and(|d| !d.closed)
        });
        // Intervals in which nothing at all was captured.
        let idle = next.saturating_sub(open + 1);
        if idle > 0 {
            for &(id, d) in &self.open_dirs {
                let Some(dir) = self.streams.get(&id).and_then(|s| s.dirs.get(d)) else {
                    continue;
                };
                if idle > MAX_ZERO_ROWS {
                    out.push(row(id, dir, open + 1, next, Counts::default()));
                } else {
                    for k in open + 1..next {
                        out.push(row(id, dir, k, k + 1, Counts::default()));
                    }
                }
            }
        }
        keys.clear();
        self.active = keys;
    }

    /// Writes the last interval's rows to `out` and returns the totals, by stream index.
    pub fn finish(&mut self, out: &mut Vec<IntervalRow>) -> Vec<StreamTotal> {
        let next = self.open.map_or(0, |o| o + 1);
        self.close(out, next);
        let mut totals: Vec<StreamTotal> = self
            .streams
            .iter()
            .map(|(&stream, s)| StreamTotal {
                stream,
                start_ns: s.start_ns,
                end_ns: s.end_ns,
                directions: s
                    .dirs
                    .iter()
                    .map(|d| DirectionTotal {
                        src: d.src,
                        dst: d.dst,
                        counts: d.total,
                        first_ns: d.first_ns,
                        last_ns: d.last_ns,
                    })
                    .collect(),
            })
            .collect();
        totals.sort_by_key(|t| t.stream);
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::{Coverage, SeqNumber as S, micros};

    #[test]
    fn goodput_counts_each_sequence_number_once() {
        let mut c = Coverage::default();
        assert_eq!(c.add(S(1), 100), 100);
        // A retransmission of the same bytes adds nothing...
        assert_eq!(c.add(S(1), 100), 0);
        // ...one that overlaps the end adds only what is new.
        assert_eq!(c.add(S(51), 100), 50);
        // A segment after a hole (its original lost before the capture) is new, and so
        // is the retransmission that fills the hole, once.
        assert_eq!(c.add(S(251), 100), 100);
        assert_eq!(c.add(S(151), 100), 100);
        assert_eq!(c.add(S(151), 100), 0);
        // Wrapping sequence numbers.
        let mut w = Coverage::default();
        assert_eq!(w.add(S(u32::MAX - 9), 20), 20);
        assert_eq!(w.add(S(5), 10), 5);
    }

    #[test]
    fn frame_times_round_to_the_microsecond_like_io_stat() {
        assert_eq!(micros(999_499), 999);
        assert_eq!(micros(999_500), 1000);
        assert_eq!(micros(-5), 0);
    }
}

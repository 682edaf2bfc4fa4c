//! Collects the data series of one TCP stream from analysed packets, for every graph kind
//! at once, each bounded by [`super::decimate`]. The graphs show the direction that sent
//! more payload (an upload's client → server); its peer's ACKs, windows and SACK blocks
//! are drawn against it.
//!
//! Y values are relative sequence numbers (bytes since the sender's ISN), as Wireshark's
//! graphs show them; times are seconds since the capture's first frame.

use crate::wire::tcp_options::{self, TcpOption};

use super::decimate::{Bars, Envelope, Sums};
use super::{GraphData, GraphKind, Hue, Series, Shape};
use crate::analyse::Packet;
use crate::analyse::rtt::{RttRow, RttTracker};
use crate::decode::tcp_flags;

/// Most bins of the throughput graph (unless `--interval` asks for more).
pub const MAX_RATE_BINS: usize = 150;

/// The throughput graph's bins are at least the transfer's duration over this.
pub const DEFAULT_RATE_BINS: usize = 100;

/// Series of one direction (as a sender of data, and what its peer said back).
#[derive(Debug, Clone, Default)]
struct Side {
    addr: Option<std::net::SocketAddr>,
    payload: u64,
    /// Raw − relative sequence number of this direction (its base), once known.
    base: Option<u32>,
    seg_new: Envelope,
    seg_retrans: Envelope,
    bars_new: Bars,
    bars_retrans: Bars,
    goodput: Sums,
    coverage: crate::analyse::throughput::Coverage,
    in_flight: Envelope,
    highest_end: Option<u32>,
    /// What the peer sent about this direction's data.
    acks: Envelope,
    window_edge: Envelope,
    window: Envelope,
    sacks: Bars,
    highest_ack: Option<u32>,
    rtt: Envelope,
    srtt: Envelope,
    /// The latest EstimatedRTT of this direction, in seconds.
    last_srtt: Option<f64>,
}

/// Collects the series of stream `stream` (cloned by a view that draws a graph while the
/// capture is still being read).
#[derive(Debug, Clone)]
pub struct GraphCollector {
    stream: u32,
    a: Option<std::net::SocketAddr>,
    sides: [Side; 2],
    rtt: RttTracker,
    rows: Vec<RttRow>,
    /// Throughput bin width asked for (`--interval`), in ns.
    interval_ns: Option<i64>,
}

impl GraphCollector {
    /// Collects stream `stream`.
    pub fn new(stream: u32) -> Self {
        GraphCollector {
            stream,
            a: None,
            sides: [Side::default(), Side::default()],
            rtt: RttTracker::only(stream),
            rows: Vec::new(),
            interval_ns: None,
        }
    }

    /// Bins the throughput graph by `secs` seconds instead of the default (about one RTT,
    /// at least 1/100 of the transfer).
    pub fn with_interval(mut self, secs: Option<f64>) -> Self {
        self.interval_ns = secs
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| (s * 1e9).round().max(1.0) as i64);
        self
    }

    /// True once a frame of the stream was seen.
    pub fn seen(&self) -> bool {
        self.a.is_some()
    }

    /// Adds one analysed packet (`frame`: its captured bytes, for SACK options).
    pub fn add(&mut self, p: &Packet, frame: &[u8]) {
        let (Some(t), Some(a), Some((sip, _))) =
            (p.tcp_repr(), p.tcp.as_ref(), p.decoded.net.ip_addrs())
        else {
            return;
        };
        if a.stream != self.stream {
            return;
        }
        let Some(len) = t.len else { return };
        let src = std::net::SocketAddr::new(sip, t.src_port);
        let a_addr = *self.a.get_or_insert(src);
        let fi = usize::from(src != a_addr);
        let now = p.time_rel_ns;
        let ack_set = t.flags & tcp_flags::ACK != 0;
        {
            let [s0, s1] = &mut self.sides;
            let (fwd, rev) = if fi == 0 { (s0, s1) } else { (s1, s0) };
            fwd.addr = Some(src);
            fwd.base.get_or_insert(t.seq.wrapping_sub(a.seq));
            if len > 0 {
                fwd.payload += u64::from(len);
                let (lo, hi) = (f64::from(a.seq), f64::from(a.seq) + f64::from(len));
                // Sent before: a retransmission, whatever tshark calls it.
                let resent = fwd
                    .highest_end
                    .is_some_and(|h| (a.seq.wrapping_sub(h) as i32) < 0);
                let fresh = fwd.coverage.add(crate::analyse::seq::SeqNumber(a.seq), len);
                if fresh > 0 {
                    fwd.goodput.add(now, f64::from(fresh));
                }
                if resent {
                    fwd.seg_retrans.add(now, lo);
                    fwd.bars_retrans.add(now, lo, hi);
                } else {
                    fwd.seg_new.add(now, lo);
                    fwd.bars_new.add(now, lo, hi);
                }
                let end = a.seq.wrapping_add(len);
                if fwd
                    .highest_end
                    .is_none_or(|h| (end.wrapping_sub(h) as i32) > 0)
                {
                    fwd.highest_end = Some(end);
                }
                if let (Some(h), Some(acked)) = (fwd.highest_end, fwd.highest_ack) {
                    let f = h.wrapping_sub(acked);
                    if f < 1 << 30 {
                        fwd.in_flight.add(now, f64::from(f));
                    }
                }
            }
            // This segment's ACK, window and SACK blocks describe the other side's data.
            if ack_set && t.flags & tcp_flags::SYN == 0 {
                let ack = a.ack;
                rev.acks.add(now, f64::from(ack));
                rev.window_edge
                    .add(now, f64::from(ack) + f64::from(a.window));
                rev.window.add(now, f64::from(a.window));
                if rev
                    .highest_ack
                    .is_none_or(|h| (ack.wrapping_sub(h) as i32) > 0)
                {
                    rev.highest_ack = Some(ack);
                }
                if let Some(base) = rev.base {
                    let bytes = p.decoded.transport_bytes(frame);
                    let opts = bytes.get(t.options_range.clone()).unwrap_or(&[]);
                    for (_, opt) in tcp_options::iter(opts) {
                        match opt {
                            Ok(TcpOption::Sack(blocks)) => {
                                for (l, r) in blocks.as_slice() {
                                    let (l, r) = (l.wrapping_sub(base), r.wrapping_sub(base));
                                    rev.sacks.add(now, f64::from(l), f64::from(r));
                                }
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                }
            }
        }
        self.rtt.add(p, &mut self.rows);
        self.take_rows();
    }

    fn take_rows(&mut self) {
        let Some(a) = self.a else { return };
        for r in self.rows.drain(..) {
            let side = &mut self.sides[usize::from(r.src != a)];
            if let (Some(rtt), true) = (r.rtt_ns, r.len > 0) {
                side.rtt.add(r.time_ns, rtt as f64 / 1e6);
                if let Some(e) = r.estimate {
                    side.srtt.add(r.time_ns, e.srtt * 1e3);
                    side.last_srtt = Some(e.srtt);
                }
            }
        }
    }

    /// Ends the collection (segments still waiting for an ACK give no sample).
    pub fn finish(&mut self) {
        self.rtt.finish(&mut self.rows);
        self.take_rows();
    }

    fn data_side(&self) -> (usize, &Side) {
        let d = usize::from(self.sides[1].payload > self.sides[0].payload);
        (d, &self.sides[d])
    }

    /// The data of graph `kind` (call [`finish`](Self::finish) first).
    pub fn graph(&self, kind: GraphKind) -> GraphData {
        let (d, s) = self.data_side();
        let peer = self.sides[1 - d].addr;
        let show = |a: Option<std::net::SocketAddr>| a.map_or("?".to_string(), |a| a.to_string());
        let who = format!("{} → {}", show(s.addr), show(peer));
        let secs = |t: i64| t as f64 / 1e9;
        let pts = |e: &Envelope| -> Vec<(f64, f64)> {
            e.points().into_iter().map(|(t, y)| (secs(t), y)).collect()
        };
        let bars = |b: &Bars| -> Vec<(f64, f64, f64)> {
            b.bars()
                .into_iter()
                .map(|(t, lo, hi)| (secs(t), lo, hi))
                .collect()
        };
        let line = |name: &str, shape: Shape, hue: Hue, e: &Envelope| Series {
            name: name.to_string(),
            shape,
            hue,
            points: pts(e),
            bars: Vec::new(),
            raw_count: e.count(),
        };
        let barred = |name: &str, hue: Hue, b: &Bars| Series {
            name: name.to_string(),
            shape: Shape::Bars,
            hue,
            points: Vec::new(),
            bars: bars(b),
            raw_count: b.count(),
        };
        let seq_label = "Relative sequence number (bytes)".to_string();
        let time_label = "Time since the first frame (s)".to_string();
        let (title, caption, y_label, series) = match kind {
            GraphKind::Stevens => (
                format!("Stevens time-sequence graph, TCP stream {}: {who}", self.stream),
                "Each dot is a segment sent (its first byte). The slope is the sending rate; steps that grow taller each round trip are slow start; a red cross below the line is a segment sent again (a retransmission).".to_string(),
                seq_label,
                vec![
                    line("segment sent", Shape::Points, Hue::Blue, &s.seg_new),
                    line("retransmission (sent again)", Shape::Marks, Hue::Red, &s.seg_retrans),
                ],
            ),
            GraphKind::Tcptrace => (
                format!("tcptrace time-sequence graph, TCP stream {}: {who}", self.stream),
                "Blue bars: segments (bottom = first byte, top = last). Green: the ACK number (what the receiver has). Orange: ACK + window (how far the sender may go; cut off at the top when far ahead). Purple: SACK blocks (data received beyond a hole). Red: segments sent again.".to_string(),
                seq_label,
                vec![
                    line("receive window edge (ACK + window)", Shape::Line, Hue::Orange, &s.window_edge),
                    line("ACK number", Shape::Line, Hue::Green, &s.acks),
                    barred("SACK block", Hue::Purple, &s.sacks),
                    barred("segment", Hue::Blue, &s.bars_new),
                    barred("", Hue::Red, &s.bars_retrans),
                    line("retransmission (sent again)", Shape::Marks, Hue::Red, &s.seg_retrans),
                ],
            ),
            GraphKind::Rtt => (
                format!("Round-trip time, TCP stream {}: {who}", self.stream),
                "Dots: RTT samples (ACK time − send time; none for retransmitted segments, Karn's rule). Steps: EstimatedRTT (RFC 6298, α = 1/8), which changes only when a sample arrives.".to_string(),
                "RTT (ms)".to_string(),
                vec![
                    line("RTT sample", Shape::Points, Hue::Blue, &s.rtt),
                    Series {
                        points: steps(&pts(&s.srtt)),
                        ..line("EstimatedRTT", Shape::Line, Hue::Green, &s.srtt)
                    },
                ],
            ),
            GraphKind::Throughput => {
                // Bins of about one RTT (a sender's rate is only steady over a round
                // trip), at least 1/100 of the transfer: whole groups of raw buckets.
                let raw_bins = s.goodput.buckets();
                let raw_ns = s.goodput.width_ns().max(1);
                let span_ns = raw_ns.saturating_mul(raw_bins.len() as i64);
                let want_ns = self.interval_ns.unwrap_or_else(|| {
                    let rtt_ns = s.last_srtt.map_or(0, |r| (r * 1e9) as i64);
                    rtt_ns.max(span_ns / DEFAULT_RATE_BINS as i64)
                });
                let mut group = usize::try_from((want_ns.max(1) + raw_ns - 1) / raw_ns).unwrap_or(1);
                if self.interval_ns.is_none() {
                    group = group.max(raw_bins.len().div_ceil(MAX_RATE_BINS));
                }
                let group = group.max(1);
                let width = (raw_ns * group as i64) as f64 / 1e9;
                let rates: Vec<(f64, f64)> = raw_bins
                    .chunks(group)
                    .map(|c| {
                        let bytes: f64 = c.iter().map(|b| b.1).sum();
                        (secs(c[0].0), bytes * 8.0 / width / 1e6)
                    })
                    .collect();
                let k = 5usize;
                let avg: Vec<(f64, f64)> = (0..rates.len())
                    .map(|i| {
                        let lo = i.saturating_sub(k);
                        let hi = (i + k + 1).min(rates.len());
                        let sum: f64 = rates[lo..hi].iter().map(|r| r.1).sum();
                        (rates[i].0, sum / (hi - lo) as f64)
                    })
                    .collect();
                let raw = rates.len() as u64;
                (
                    format!("Goodput, TCP stream {}: {who}", self.stream),
                    format!(
                        "New payload bytes (each sequence number once: retransmissions add nothing) per {} ms bin (about one round trip; --interval changes it), as a rate; the grey line is the moving average over {} bins.",
                        fmt_ms(width * 1e3),
                        2 * k + 1
                    ),
                    "Goodput (Mbit/s)".to_string(),
                    vec![
                        Series {
                            name: format!("goodput per {} ms", fmt_ms(width * 1e3)),
                            shape: Shape::Line,
                            hue: Hue::Blue,
                            points: rates,
                            bars: Vec::new(),
                            raw_count: raw,
                        },
                        Series {
                            name: format!("moving average ({} bins)", 2 * k + 1),
                            shape: Shape::Line,
                            hue: Hue::Grey,
                            points: avg,
                            bars: Vec::new(),
                            raw_count: raw,
                        },
                    ],
                )
            }
            GraphKind::Window => (
                format!("Bytes in flight and receive window, TCP stream {}: {who}", self.stream),
                "Blue: bytes sent but not yet acknowledged. Orange: the window the receiver advertised. Where blue touches orange, the receiver's buffer limits the sender.".to_string(),
                "Bytes".to_string(),
                vec![
                    line("advertised receive window", Shape::Line, Hue::Orange, &s.window),
                    line("bytes in flight", Shape::Points, Hue::Blue, &s.in_flight),
                ],
            ),
        };
        // tcptrace: keep the segments readable; the window line may leave the top.
        let y_clip = (kind == GraphKind::Tcptrace)
            .then(|| {
                series
                    .iter()
                    .filter(|x| x.hue != Hue::Orange)
                    .flat_map(|x| {
                        x.points
                            .iter()
                            .map(|p| p.1)
                            .chain(x.bars.iter().map(|b| b.2))
                    })
                    .fold(f64::MIN, f64::max)
            })
            .filter(|m| *m > 0.0)
            .map(|m| m * 1.15);
        GraphData {
            kind,
            stream: self.stream,
            title,
            caption,
            x_label: time_label,
            y_label,
            series,
            y_clip,
        }
    }
}

/// A step line through `points`: each value holds until the next one replaces it (an
/// estimate changes only when a sample arrives).
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &p) in points.iter().enumerate() {
        if let Some(&(_, prev)) = i.checked_sub(1).and_then(|j| points.get(j))
            && prev != p.1
        {
            out.push((p.0, prev));
        }
        out.push(p);
    }
    out
}

fn fmt_ms(ms: f64) -> String {
    if ms >= 10.0 {
        format!("{ms:.0}")
    } else if ms >= 0.1 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_each_value_until_the_next() {
        let s = steps(&[(0.0, 1.0), (1.0, 3.0), (2.0, 3.0), (3.0, 2.0)]);
        assert_eq!(
            s,
            vec![
                (0.0, 1.0),
                (1.0, 1.0),
                (1.0, 3.0),
                (2.0, 3.0),
                (3.0, 3.0),
                (3.0, 2.0)
            ]
        );
        assert!(steps(&[]).is_empty());
    }

    #[test]
    fn an_interval_must_be_positive() {
        assert_eq!(
            GraphCollector::new(0).with_interval(Some(0.0)).interval_ns,
            None
        );
        assert_eq!(
            GraphCollector::new(0).with_interval(Some(0.01)).interval_ns,
            Some(10_000_000)
        );
    }
}

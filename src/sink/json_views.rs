//! JSON Lines for the whole-capture views (`--rtt`, `--throughput`, `--follow`,
//! `--tcp-report`): one object per row, schema in README. Times are seconds as JSON numbers
//! with 9 decimals (tshark's `frame.time_relative` and `tcp.analysis.ack_rtt` precision).

use std::io::{self, Write};
use std::net::SocketAddr;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::analyse::follow::{Chunk, FollowProto};
use crate::analyse::report::Report;
use crate::analyse::rtt::{RttNote, RttRow};
use crate::analyse::throughput::{IntervalRow, StreamTotal};
use crate::render::report::{Val, answers};

/// Seconds with 9 decimals from signed nanoseconds, as a JSON number.
pub fn seconds(ns: i64) -> Box<RawValue> {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    let text = format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000);
    RawValue::from_string(text).unwrap_or_else(|_| zero())
}

fn zero() -> Box<RawValue> {
    RawValue::from_string("0".to_string()).expect("0 is a JSON number")
}

/// Seconds from a float, with 9 decimals.
fn seconds_f(s: f64) -> Box<RawValue> {
    seconds((s * 1e9).round() as i64)
}

fn line(w: &mut impl Write, v: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *w, v).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

#[derive(Serialize)]
struct JsonRtt<'a> {
    stream: u32,
    src: SocketAddr,
    dst: SocketAddr,
    segment_frame: u64,
    time: Box<RawValue>,
    seq: u32,
    len: u32,
    next_seq: u32,
    kind: &'a str,
    retransmission: bool,
    ack_frame: Option<u64>,
    ack_time: Option<Box<RawValue>>,
    ack_rtt: Option<Box<RawValue>>,
    rtt: Option<Box<RawValue>>,
    srtt: Option<Box<RawValue>>,
    rttvar: Option<Box<RawValue>>,
    rto: Option<Box<RawValue>>,
    samples: u32,
    note: &'a str,
    note_frame: Option<u64>,
}

/// One `--rtt` row.
pub fn write_rtt(w: &mut impl Write, r: &RttRow) -> io::Result<()> {
    let (note, note_frame) = match r.note {
        RttNote::Sample => ("sample", None),
        RttNote::Karn { other } => ("karn", other),
        RttNote::Cumulative { sample_frame } => ("cumulative", sample_frame),
        RttNote::ZeroTime => ("zero_time", None),
        RttNote::NotAcked => ("not_acked", None),
    };
    line(
        w,
        &JsonRtt {
            stream: r.stream,
            src: r.src,
            dst: r.dst,
            segment_frame: r.segment_frame,
            time: seconds(r.time_ns),
            seq: r.seq,
            len: r.len,
            next_seq: r.next_seq,
            kind: crate::render::rtt::kind(r),
            retransmission: r.retransmission,
            ack_frame: r.ack_frame,
            ack_time: r.ack_time_ns.map(seconds),
            ack_rtt: r.ack_rtt_ns.map(seconds),
            rtt: r.rtt_ns.map(seconds),
            srtt: r.estimate.map(|e| seconds_f(e.srtt)),
            rttvar: r.estimate.map(|e| seconds_f(e.rttvar)),
            rto: r.estimate.map(|e| seconds_f(e.rto)),
            samples: r.estimate.map_or(0, |e| e.samples),
            note,
            note_frame,
        },
    )
}

#[derive(Serialize)]
struct JsonInterval {
    kind: &'static str,
    stream: u32,
    src: SocketAddr,
    dst: SocketAddr,
    start: Box<RawValue>,
    end: Box<RawValue>,
    frames: u64,
    bytes: u64,
    payload: u64,
    goodput: u64,
    goodput_bps: f64,
}

/// One `--throughput` interval row (`"kind":"interval"`).
pub fn write_interval(w: &mut impl Write, r: &IntervalRow) -> io::Result<()> {
    let secs = (r.end_us - r.start_us) as f64 / 1e6;
    line(
        w,
        &JsonInterval {
            kind: "interval",
            stream: r.stream,
            src: r.src,
            dst: r.dst,
            start: seconds(r.start_us as i64 * 1000),
            end: seconds(r.end_us as i64 * 1000),
            frames: r.counts.frames,
            bytes: r.counts.bytes,
            payload: r.counts.payload,
            goodput: r.counts.goodput,
            goodput_bps: (r.counts.goodput as f64 * 8.0 / secs).round(),
        },
    )
}

#[derive(Serialize)]
struct JsonTotal {
    kind: &'static str,
    stream: u32,
    src: SocketAddr,
    dst: SocketAddr,
    frames: u64,
    bytes: u64,
    payload: u64,
    goodput: u64,
    first: Box<RawValue>,
    last: Box<RawValue>,
    start: Box<RawValue>,
    duration: Box<RawValue>,
    goodput_bps: Option<f64>,
}

/// The `--throughput` totals, one row per stream and direction (`"kind":"total"`).
pub fn write_totals(w: &mut impl Write, totals: &[StreamTotal]) -> io::Result<()> {
    for st in totals {
        for d in &st.directions {
            line(
                w,
                &JsonTotal {
                    kind: "total",
                    stream: st.stream,
                    src: d.src,
                    dst: d.dst,
                    frames: d.counts.frames,
                    bytes: d.counts.bytes,
                    payload: d.counts.payload,
                    goodput: d.counts.goodput,
                    first: seconds(d.first_ns),
                    last: seconds(d.last_ns),
                    start: seconds(st.start_ns),
                    duration: seconds(st.end_ns - st.start_ns),
                    goodput_bps: st.goodput_bps(d).map(f64::round),
                },
            )?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonChunk<'a> {
    proto: &'a str,
    stream: u32,
    node: u8,
    src: Option<SocketAddr>,
    dst: Option<SocketAddr>,
    frame: u64,
    offset: u64,
    len: usize,
    missing: bool,
    data: String,
}

/// One `--follow` chunk; `data` is the bytes in hex.
pub fn write_chunk(
    w: &mut impl Write,
    proto: FollowProto,
    stream: u32,
    nodes: Option<(SocketAddr, SocketAddr)>,
    c: &Chunk,
) -> io::Result<()> {
    let (src, dst) = match (nodes, c.from_node1) {
        (Some((a, b)), false) => (Some(a), Some(b)),
        (Some((a, b)), true) => (Some(b), Some(a)),
        (None, _) => (None, None),
    };
    let mut data = String::with_capacity(c.data.len() * 2);
    for b in &c.data {
        data.push_str(&format!("{b:02x}"));
    }
    line(
        w,
        &JsonChunk {
            proto: proto.name(),
            stream,
            node: u8::from(c.from_node1),
            src,
            dst,
            frame: c.frame,
            offset: c.offset,
            len: c.data.len(),
            missing: c.missing,
            data,
        },
    )
}

fn val_json(v: &Val) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Val::Int(i) => i64::try_from(*i).map_or_else(|_| J::from(i.to_string()), J::from),
        Val::Secs(ns) => serde_json::from_str(seconds(*ns).get()).unwrap_or(J::Null),
        Val::Num(x) => J::from(*x),
        Val::Text(t) => J::from(t.as_str()),
        Val::Bool(b) => J::from(*b),
        Val::Ints(list) => J::Array(
            list.iter()
                .map(|i| i64::try_from(*i).map_or(J::Null, J::from))
                .collect(),
        ),
        Val::None => J::Null,
    }
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    stream: u32,
    id: &'a str,
    question: &'a str,
    answer: &'a str,
    frames: &'a [u64],
    how: &'a str,
    graph: Option<&'a str>,
    values: serde_json::Map<String, serde_json::Value>,
}

/// The `--tcp-report` answers, one object per answer.
pub fn write_report(w: &mut impl Write, r: &Report) -> io::Result<()> {
    let stream = r.stream.as_ref().map_or(0, |s| s.stream);
    for a in answers(r) {
        let values = a
            .values
            .iter()
            .map(|(k, v)| ((*k).to_string(), val_json(v)))
            .collect();
        line(
            w,
            &JsonAnswer {
                stream,
                id: a.id,
                question: a.question,
                answer: &a.answer,
                frames: &a.frames,
                how: &a.how,
                graph: a.graph,
                values,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::seconds;

    #[test]
    fn seconds_have_nine_decimals_and_a_sign() {
        assert_eq!(seconds(1_459_762_404).get(), "1.459762404");
        assert_eq!(seconds(11_067).get(), "0.000011067");
        assert_eq!(seconds(-5).get(), "-0.000000005");
    }
}

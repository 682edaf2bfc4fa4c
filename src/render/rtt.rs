//! `--rtt`: one line per segment (data, SYN, FIN) with the ACK that covered it, the RTT
//! sample and the RFC 6298 estimator, streamed as rows become final. A stream's header
//! (its endpoints A and B) comes before its first row.

use std::collections::HashSet;
use std::io::{self, Write};

use super::style::{Color, Style};
use crate::analyse::rtt::{RttNote, RttRow};

/// Seconds with 6 decimals from signed nanoseconds (as the packet list shows times).
pub fn secs(ns: i64) -> String {
    super::table::time_string(ns)
}

/// Milliseconds with 3 decimals.
pub fn millis(ns: i64) -> String {
    format!("{:.3}", ns as f64 / 1e6)
}

/// What the segment was, in a word.
pub fn kind(r: &RttRow) -> &'static str {
    let ack = r.flags & crate::decode::tcp_flags::ACK != 0;
    match (r.is_syn(), r.is_fin(), r.len > 0) {
        (true, _, _) if ack => "SYN-ACK",
        (true, _, _) => "SYN",
        (_, true, true) => "data+FIN",
        (_, true, false) => "FIN",
        _ => "data",
    }
}

/// The "Why" column: why the row has or has no sample.
pub fn note_text(r: &RttRow) -> String {
    match r.note {
        RttNote::Sample => "sample".to_string(),
        RttNote::Karn { other: Some(f) } => {
            format!("no sample (Karn's rule): these bytes were also sent in frame {f}")
        }
        RttNote::Karn { other: None } => {
            "no sample (Karn's rule): a retransmission (the first copy was not captured)"
                .to_string()
        }
        RttNote::Cumulative {
            sample_frame: Some(f),
        } => format!("cumulative ACK: it acked up to frame {f}'s end, which got the sample"),
        RttNote::Cumulative { sample_frame: None } => {
            "cumulative ACK: it acked past this segment, ending at no segment".to_string()
        }
        RttNote::ZeroTime => "no sample: the ACK has the same timestamp".to_string(),
        RttNote::NotAcked => "no ACK for it in the capture".to_string(),
    }
}

/// Writes `--rtt` rows; remembers which stream headers it has written.
#[derive(Debug, Default)]
pub struct RttWriter {
    /// Colours.
    pub style: Style,
    headed: HashSet<u32>,
    rows: u64,
}

impl RttWriter {
    /// A writer with these colours.
    pub fn new(style: Style) -> Self {
        RttWriter {
            style,
            ..Self::default()
        }
    }

    /// Writes the legend once, before the first row.
    fn legend(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "RTT per segment. RTT = ACK time - segment time, taken only when the ACK acknowledges exactly the segment's end (tshark's tcp.analysis.ack_rtt)."
        )?;
        writeln!(
            w,
            "EstRTT/DevRTT/RTO: RFC 6298 (Kurose & Ross's EstimatedRTT with alpha = 1/8, DevRTT with beta = 1/4; RTO = EstRTT + 4 x DevRTT, at least 1 s)."
        )
    }

    /// Writes one row (and its stream's header first, if new).
    pub fn row(&mut self, w: &mut impl Write, r: &RttRow) -> io::Result<()> {
        let s = self.style;
        if self.rows == 0 {
            self.legend(w)?;
        }
        self.rows += 1;
        if self.headed.insert(r.stream) {
            writeln!(w)?;
            writeln!(
                w,
                "{}TCP stream {}: {} → {}{}",
                s.start(Color::Bold),
                r.stream,
                r.src,
                r.dst,
                s.end()
            )?;
            writeln!(
                w,
                "{}{:>7}  {:<22} {:>11}  {:>10} {:>6} {:<8} {:>7} {:>11} {:>11} {:>9} {:>9} {:>6}  Why{}",
                s.start(Color::Bold),
                "Segment",
                "From",
                "Sent (s)",
                "Seq",
                "Len",
                "Kind",
                "ACK",
                "ACKed (s)",
                "RTT ms",
                "EstRTT ms",
                "DevRTT ms",
                "RTO s",
                s.end()
            )?;
        }
        let color = match r.note {
            RttNote::Sample => None,
            RttNote::Karn { .. } => Some(Color::Red),
            RttNote::NotAcked => Some(Color::Yellow),
            _ => Some(Color::Grey),
        };
        if let Some(c) = color {
            w.write_all(s.start(c).as_bytes())?;
        }
        let dash = || "-".to_string();
        let est = r.estimate;
        writeln!(
            w,
            "{:>7}  {:<22} {:>11}  {:>10} {:>6} {:<8} {:>7} {:>11} {:>11} {:>9} {:>9} {:>6}  {}",
            r.segment_frame,
            r.src.to_string(),
            secs(r.time_ns),
            r.seq,
            r.len,
            kind(r),
            r.ack_frame.map_or_else(dash, |f| f.to_string()),
            r.ack_time_ns.map_or_else(dash, secs),
            match (r.rtt_ns, r.ack_rtt_ns) {
                (Some(v), _) => millis(v),
                // tshark's value, which Karn's rule does not trust: in parentheses.
                (None, Some(v)) => format!("({})", millis(v)),
                _ => dash(),
            },
            est.map_or_else(dash, |e| format!("{:.3}", e.srtt * 1e3)),
            est.map_or_else(dash, |e| format!("{:.3}", e.rttvar * 1e3)),
            est.map_or_else(dash, |e| format!("{:.3}", e.rto)),
            note_text(r)
        )?;
        if color.is_some() {
            w.write_all(s.end().as_bytes())?;
        }
        Ok(())
    }

    /// At the end: a line when there was nothing to show.
    pub fn finish(&self, w: &mut impl Write) -> io::Result<()> {
        if self.rows == 0 {
            writeln!(
                w,
                "No TCP segment carrying data, SYN or FIN was found (so there is no RTT to measure)."
            )?;
        }
        Ok(())
    }
}

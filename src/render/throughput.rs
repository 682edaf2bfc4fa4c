//! `--throughput`: interval rows per stream and direction as they become final, then a
//! table of totals with the average goodput.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, Table, presets};

use super::style::{Color, Style};
use crate::analyse::throughput::{IntervalRow, StreamTotal};

/// Seconds from microseconds, with as many decimals as the interval needs (at least 3).
pub fn secs_us(us: u64, interval_us: u64) -> String {
    let decimals = if interval_us.is_multiple_of(1000) {
        3
    } else {
        6
    };
    format!("{:.*}", decimals, us as f64 / 1e6)
}

/// A bit rate with a unit a person reads at once (bit/s, kbit/s, Mbit/s, Gbit/s).
pub fn rate(bps: f64) -> String {
    if bps >= 1e9 {
        format!("{:.2} Gbit/s", bps / 1e9)
    } else if bps >= 1e6 {
        format!("{:.2} Mbit/s", bps / 1e6)
    } else if bps >= 1e3 {
        format!("{:.2} kbit/s", bps / 1e3)
    } else {
        format!("{bps:.0} bit/s")
    }
}

/// Writes interval rows.
#[derive(Debug)]
pub struct ThroughputWriter {
    style: Style,
    interval_us: u64,
    rows: u64,
}

impl ThroughputWriter {
    /// A writer for intervals of `interval_us` microseconds.
    pub fn new(style: Style, interval_us: u64) -> Self {
        ThroughputWriter {
            style,
            interval_us,
            rows: 0,
        }
    }

    /// One interval row (the legend and header before the first).
    pub fn row(&mut self, w: &mut impl Write, r: &IntervalRow) -> io::Result<()> {
        let s = self.style;
        if self.rows == 0 {
            writeln!(
                w,
                "Per {} s interval, per stream and direction (bytes = frame lengths; payload = TCP payload; goodput = new payload bytes, each sequence number counted once)",
                secs_us(self.interval_us, self.interval_us)
            )?;
            writeln!(
                w,
                "{}{:>6}  {:<45} {:>23} {:>8} {:>12} {:>12} {:>12} {:>15}{}",
                s.start(Color::Bold),
                "Stream",
                "Direction",
                "Interval (s)",
                "Frames",
                "Bytes",
                "Payload",
                "Goodput",
                "Goodput rate",
                s.end()
            )?;
        }
        self.rows += 1;
        let dir = format!("{} → {}", r.src, r.dst);
        let span = format!(
            "{} - {}",
            secs_us(r.start_us, self.interval_us),
            secs_us(r.end_us, self.interval_us)
        );
        let secs = (r.end_us - r.start_us) as f64 / 1e6;
        let c = &r.counts;
        let quiet = c.frames == 0;
        if quiet {
            w.write_all(s.start(Color::Grey).as_bytes())?;
        }
        writeln!(
            w,
            "{:>6}  {:<45} {:>23} {:>8} {:>12} {:>12} {:>12} {:>15}",
            r.stream,
            dir,
            span,
            c.frames,
            c.bytes,
            c.payload,
            c.goodput,
            rate(c.goodput as f64 * 8.0 / secs)
        )?;
        if quiet {
            w.write_all(s.end().as_bytes())?;
        }
        Ok(())
    }

    /// The totals table.
    pub fn totals(&self, w: &mut impl Write, totals: &[StreamTotal]) -> io::Result<()> {
        if totals.is_empty() {
            return writeln!(w, "No TCP stream in the capture.");
        }
        writeln!(w)?;
        writeln!(
            w,
            "Totals (duration: the stream's first frame to its last, as tshark -z conv,tcp; average goodput = goodput × 8 / duration)"
        )?;
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED);
        t.set_header(vec![
            "Stream",
            "Direction",
            "Frames",
            "Bytes",
            "Payload",
            "Goodput",
            "Start (s)",
            "Duration (s)",
            "Average goodput",
        ]);
        let right = |v: String| Cell::new(v).set_alignment(CellAlignment::Right);
        for st in totals {
            for d in &st.directions {
                t.add_row(vec![
                    right(st.stream.to_string()),
                    Cell::new(format!("{} → {}", d.src, d.dst)),
                    right(d.counts.frames.to_string()),
                    right(d.counts.bytes.to_string()),
                    right(d.counts.payload.to_string()),
                    right(d.counts.goodput.to_string()),
                    right(super::table::time_string(st.start_ns)),
                    right(format!("{:.6}", st.duration())),
                    right(st.goodput_bps(d).map_or_else(|| "-".to_string(), rate)),
                ]);
            }
        }
        writeln!(w, "{t}")
    }
}

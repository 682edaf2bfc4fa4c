//! Graphs of one TCP stream, as Wireshark's "TCP Stream Graphs" window draws them: the data
//! series behind each ([`series`], bounded by [`decimate`]), a terminal rendering in
//! Braille dots ([`braille`], reusable by a terminal UI), and SVG/PNG files ([`plot`],
//! plotters with a font shipped in `assets/fonts/`).
//!
//! Kinds: `stevens` (sequence number over time), `tcptrace` (segments as bars, the ACK and
//! receive-window lines, SACK blocks, retransmissions), `rtt` (samples and EstimatedRTT),
//! `throughput` (goodput with a moving average), `window` (bytes in flight and the
//! advertised window).
#![forbid(unsafe_code)]

pub mod braille;
pub mod decimate;
pub mod plot;
pub mod series;

use std::fmt;

/// Which graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphKind {
    /// Sequence number vs time (W. R. Stevens's time-sequence graph).
    Stevens,
    /// tcptrace's time-sequence graph: segments, ACK line, window line, SACKs.
    Tcptrace,
    /// RTT samples and EstimatedRTT over time.
    Rtt,
    /// Goodput over time with its moving average.
    Throughput,
    /// Bytes in flight vs the advertised receive window.
    Window,
}

impl GraphKind {
    /// Every kind, in the order `--kind all` writes them.
    pub const ALL: [GraphKind; 5] = [
        GraphKind::Stevens,
        GraphKind::Tcptrace,
        GraphKind::Rtt,
        GraphKind::Throughput,
        GraphKind::Window,
    ];

    /// The `--kind` name.
    pub fn name(self) -> &'static str {
        match self {
            GraphKind::Stevens => "stevens",
            GraphKind::Tcptrace => "tcptrace",
            GraphKind::Rtt => "rtt",
            GraphKind::Throughput => "throughput",
            GraphKind::Window => "window",
        }
    }
}

impl fmt::Display for GraphKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Points joined by straight lines.
    Line,
    /// Separate dots.
    Points,
    /// Separate crosses (marks: retransmissions).
    Marks,
    /// Vertical bars from `lo` to `hi` at `x`.
    Bars,
}

/// Colours of the palette, by role (the same in every renderer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hue {
    /// Data segments, samples.
    Blue,
    /// ACKs, estimates.
    Green,
    /// Receive window.
    Orange,
    /// SACK blocks.
    Purple,
    /// Retransmissions.
    Red,
    /// Context (moving averages...).
    Grey,
}

/// One series of a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// How it is drawn.
    pub shape: Shape,
    /// Its colour.
    pub hue: Hue,
    /// `(x, y)` points (Line, Points, Marks).
    pub points: Vec<(f64, f64)>,
    /// `(x, lo, hi)` bars (Bars).
    pub bars: Vec<(f64, f64, f64)>,
    /// How many raw points the series had before decimation.
    pub raw_count: u64,
}

impl Series {
    /// Points drawn: points or bars.
    pub fn len(&self) -> usize {
        self.points.len() + self.bars.len()
    }

    /// Nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Everything a renderer needs to draw one graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphData {
    /// The kind.
    pub kind: GraphKind,
    /// `tcp.stream`.
    pub stream: u32,
    /// Title.
    pub title: String,
    /// One sentence on how to read it.
    pub caption: String,
    /// X axis label, with unit.
    pub x_label: String,
    /// Y axis label, with unit.
    pub y_label: String,
    /// The series, drawn in order (later ones on top).
    pub series: Vec<Series>,
    /// Highest y shown, when a series would squash the others (the window line of
    /// tcptrace runs far above the segments): what lies above is cut off.
    pub y_clip: Option<f64>,
}

impl GraphData {
    /// Smallest and largest x and y over every series (a 0-height range is widened).
    pub fn bounds(&self) -> ((f64, f64), (f64, f64)) {
        let mut xs = (f64::MAX, f64::MIN);
        let mut ys = (f64::MAX, f64::MIN);
        for s in &self.series {
            for &(x, y) in &s.points {
                xs = (xs.0.min(x), xs.1.max(x));
                ys = (ys.0.min(y), ys.1.max(y));
            }
            for &(x, lo, hi) in &s.bars {
                xs = (xs.0.min(x), xs.1.max(x));
                ys = (ys.0.min(lo), ys.1.max(hi));
            }
        }
        let widen = |(a, b): (f64, f64)| {
            if a > b {
                (0.0, 1.0)
            } else if a == b {
                (
                    a - 0.5_f64.max(a.abs() * 0.05),
                    b + 0.5_f64.max(b.abs() * 0.05),
                )
            } else {
                (a, b)
            }
        };
        let ys = match self.y_clip {
            Some(c) if c > ys.0 && c < ys.1 => (ys.0, c),
            _ => ys,
        };
        (widen(xs), widen(ys))
    }

    /// The series as text, one point per line, rounded (for golden tests of the data
    /// behind a graph rather than its pixels).
    pub fn dump(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(s, "graph {} stream {}", self.kind, self.stream);
        let _ = writeln!(s, "title {}", self.title);
        let _ = writeln!(s, "x {} | y {}", self.x_label, self.y_label);
        if let Some(c) = self.y_clip {
            let _ = writeln!(s, "y_clip {c:.3}");
        }
        for series in &self.series {
            let _ = writeln!(
                s,
                "series {:?} {:?} {:?} points={} raw={}",
                series.name,
                series.shape,
                series.hue,
                series.len(),
                series.raw_count
            );
            for (x, y) in &series.points {
                let _ = writeln!(s, "  {x:.6} {y:.3}");
            }
            for (x, lo, hi) in &series.bars {
                let _ = writeln!(s, "  {x:.6} {lo:.3} {hi:.3}");
            }
        }
        s
    }
}

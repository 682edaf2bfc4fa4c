//! The per-stream views of [`crate::pipeline`]: `--rtt`, `--throughput`, `--follow` and
//! `--tcp-report`. Each pairs an accumulator of [`crate::analyse`] with its renderer (text or
//! JSON Lines): [`StreamView::push`] feeds one analysed frame and writes the rows that
//! became final, [`StreamView::finish`] writes the rest. Rows stream out as the capture is
//! read, so the same views work on a live capture; state stays per stream and per
//! outstanding segment.
#![forbid(unsafe_code)]

use std::io::{self, Write};

use crate::analyse::Packet;
use crate::analyse::follow::{Chunk, FollowProto, Follower};
use crate::analyse::report::ReportBuilder;
use crate::analyse::rtt::{RttRow, RttTracker};
use crate::analyse::throughput::{IntervalRow, Throughput};
use crate::render::follow::FollowWriter;
use crate::render::report::write_report;
use crate::render::rtt::RttWriter;
use crate::render::style::Style;
use crate::render::throughput::ThroughputWriter;
use crate::sink::json_views;

/// Which per-stream view, with its settings (validated by the CLI layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamViewKind {
    /// `--rtt [--stream N]`.
    Rtt {
        /// Only this TCP stream.
        stream: Option<u32>,
    },
    /// `--throughput [--interval SECS] [--stream N]`.
    Throughput {
        /// Interval length in microseconds.
        interval_us: u64,
        /// Only this TCP stream.
        stream: Option<u32>,
    },
    /// `--follow N [--hex]` (`--udp` for a UDP stream).
    Follow {
        /// TCP or UDP.
        proto: FollowProto,
        /// The stream index.
        stream: u32,
        /// A hex dump instead of ASCII.
        hex: bool,
    },
    /// `--tcp-report [--stream N]`.
    TcpReport {
        /// The stream to report on (default: the one with most data).
        stream: Option<u32>,
    },
}

enum State {
    Rtt(RttTracker, RttWriter, Vec<RttRow>),
    Throughput(Throughput, ThroughputWriter, Vec<IntervalRow>),
    Follow(Follower, FollowWriter, Vec<Chunk>),
    Report(Box<ReportBuilder>),
}

/// One per-stream view, fed frame by frame.
pub struct StreamView {
    json: bool,
    state: State,
}

impl StreamView {
    /// The view `kind`, as JSON Lines when `json`.
    pub fn new(kind: &StreamViewKind, json: bool, style: Style) -> Self {
        let state = match *kind {
            StreamViewKind::Rtt { stream } => State::Rtt(
                stream.map_or_else(RttTracker::new, RttTracker::only),
                RttWriter::new(style),
                Vec::new(),
            ),
            StreamViewKind::Throughput {
                interval_us,
                stream,
            } => State::Throughput(
                Throughput::new(interval_us, stream),
                ThroughputWriter::new(style, interval_us),
                Vec::new(),
            ),
            StreamViewKind::Follow { proto, stream, hex } => State::Follow(
                Follower::new(proto, stream),
                FollowWriter::new(proto, stream, hex),
                Vec::new(),
            ),
            StreamViewKind::TcpReport { stream } => {
                State::Report(Box::new(ReportBuilder::new(stream)))
            }
        };
        StreamView { json, state }
    }

    /// Feeds one analysed packet (`frame` is its captured bytes) and writes what became
    /// final.
    pub fn push(&mut self, p: &Packet, frame: &[u8], out: &mut impl Write) -> io::Result<()> {
        let json = self.json;
        match &mut self.state {
            State::Rtt(tracker, writer, rows) => {
                tracker.add(p, rows);
                write_rtt_rows(json, writer, rows, out)
            }
            State::Throughput(tp, writer, rows) => {
                tp.add(p, rows);
                write_intervals(json, writer, rows, out)
            }
            State::Follow(follower, writer, chunks) => {
                follower.add(p, frame, chunks);
                if !chunks.is_empty() {
                    write_chunks(json, follower, writer, chunks, out)?;
                }
                Ok(())
            }
            State::Report(b) => {
                b.add(p, frame);
                Ok(())
            }
        }
    }

    /// Writes what is left at the end of the capture.
    pub fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        let json = self.json;
        match &mut self.state {
            State::Rtt(tracker, writer, rows) => {
                tracker.finish(rows);
                write_rtt_rows(json, writer, rows, out)?;
                if !json {
                    writer.finish(out)?;
                }
                Ok(())
            }
            State::Throughput(tp, writer, rows) => {
                let totals = tp.finish(rows);
                write_intervals(json, writer, rows, out)?;
                if json {
                    json_views::write_totals(out, &totals)
                } else {
                    writer.totals(out, &totals)
                }
            }
            State::Follow(follower, writer, _) => {
                if !json {
                    writer.finish(out, follower.nodes())?;
                }
                if follower.nodes().is_none() {
                    eprintln!(
                        "wirelab: no {} stream {} in this capture (streams are numbered from 0 in order of appearance; see --stats)",
                        follower.proto().name().to_uppercase(),
                        follower.stream()
                    );
                }
                if follower.dropped() > 0 {
                    eprintln!(
                        "wirelab: warning: {} out-of-order segments were not kept (more than {} waited for a hole to be filled)",
                        follower.dropped(),
                        crate::analyse::follow::MAX_WAITING
                    );
                }
                Ok(())
            }
            State::Report(b) => {
                let report = b.finish();
                if json {
                    json_views::write_report(out, &report)
                } else {
                    write_report(out, &report)
                }
            }
        }
    }
}

fn write_rtt_rows(
    json: bool,
    writer: &mut RttWriter,
    rows: &mut Vec<RttRow>,
    out: &mut impl Write,
) -> io::Result<()> {
    for r in rows.drain(..) {
        if json {
            json_views::write_rtt(out, &r)?;
        } else {
            writer.row(out, &r)?;
        }
    }
    Ok(())
}

fn write_intervals(
    json: bool,
    writer: &mut ThroughputWriter,
    rows: &mut Vec<IntervalRow>,
    out: &mut impl Write,
) -> io::Result<()> {
    for r in rows.drain(..) {
        if json {
            json_views::write_interval(out, &r)?;
        } else {
            writer.row(out, &r)?;
        }
    }
    Ok(())
}

fn write_chunks(
    json: bool,
    follower: &Follower,
    writer: &mut FollowWriter,
    chunks: &mut Vec<Chunk>,
    out: &mut impl Write,
) -> io::Result<()> {
    for c in chunks.drain(..) {
        if json {
            json_views::write_chunk(
                out,
                follower.proto(),
                follower.stream(),
                follower.nodes(),
                &c,
            )?;
        } else {
            writer.header(out, follower.nodes())?;
            writer.chunk(out, &c)?;
        }
    }
    Ok(())
}

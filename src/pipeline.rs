//! The per-frame half of every packet-list command: analyse → filter → render/sink.
//!
//! A [`Pipeline`] takes [`Frame`]s from any source (a capture file for `read`, a live socket
//! for `capture`), analyses each one, applies the display filter, writes the per-frame view
//! (packet list, details, hex dump or JSON) and feeds the whole-capture views (handshakes,
//! conversations) that [`Pipeline::finish`] prints at the end. It keeps no per-packet state.
#![forbid(unsafe_code)]

use std::io::{self, Write};

use crate::analyse::conversations::Conversations;
use crate::analyse::handshake::Handshakes;
use crate::analyse::hierarchy::Hierarchy;
use crate::analyse::{Analyzer, Packet};
use crate::dissect::{DecodeAs, Table, Want};
use crate::filter::Filter;
use crate::frame::Frame;
use crate::render::style::Style;
use crate::render::{detail, handshakes, hex, stats, table::PacketList};
use crate::sink::json;
use crate::stream_views::{StreamView, StreamViewKind};

/// What to show, already validated (the CLI's flags turned into decisions).
#[derive(Debug, Clone, Default)]
pub struct ViewOptions {
    /// Show only frames matching this display filter.
    pub filter: Option<Filter>,
    /// Every layer of each frame (`--detail`).
    pub detail: bool,
    /// A hex dump of each frame (`--hex`).
    pub hex: bool,
    /// Handshake/teardown tables and ladders at the end (`--handshakes`).
    pub handshakes: bool,
    /// Conversations and socket addresses at the end (`--stats`).
    pub stats: bool,
    /// JSON Lines instead of text (`--json`).
    pub json: bool,
    /// Stop after this many shown frames.
    pub count: Option<u64>,
    /// A per-stream view (`--rtt`, `--throughput`, `--follow`, `--tcp-report`) instead of
    /// the packet list; its rows stream out as they become final.
    pub stream_view: Option<StreamViewKind>,
    /// `-d` rules for the application dissectors.
    pub decode_as: Vec<DecodeAs>,
    /// Application objects (HTTP bodies) are wanted (`--export-objects`).
    pub objects: bool,
    /// Colours.
    pub style: Style,
}

/// What [`Pipeline::push`] did with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The frame did not match the display filter.
    Hidden,
    /// The frame was shown (or counted in the whole-capture views).
    Shown,
    /// The frame was shown and was the last one asked for (`count`): stop feeding.
    Done,
}

/// What is written for each shown frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PerFrame {
    Table,
    Json,
    Detail,
    Nothing,
}

/// Raw Seq/Ack columns in handshake tables: at full width, or on a wide terminal.
fn raw_columns(width: Option<u16>) -> bool {
    width.is_none_or(|w| w >= handshakes::RAW_COLUMNS_FROM)
}

/// analyse → filter → views, one frame at a time.
pub struct Pipeline {
    opts: ViewOptions,
    per_frame: PerFrame,
    list: PacketList,
    analyzer: Analyzer,
    packet: Packet,
    conversations: Option<Conversations>,
    hierarchy: Option<Hierarchy>,
    exchanges: Option<Handshakes>,
    stream_view: Option<StreamView>,
    frames: u64,
    shown: u64,
    /// Print each handshake table as its connection closes (a live capture), not at the end.
    live: bool,
    /// Columns to fit tables into (a terminal).
    width: Option<u16>,
    /// Streams whose table was printed already.
    printed: foldhash::HashSet<u32>,
}

impl Pipeline {
    /// A pipeline showing what `opts` asks for.
    pub fn new(opts: ViewOptions) -> Self {
        let per_frame = if opts.json && opts.stream_view.is_none() {
            PerFrame::Json
        } else if opts.detail {
            PerFrame::Detail
        } else if (opts.handshakes || opts.stats || opts.stream_view.is_some()) && !opts.hex {
            PerFrame::Nothing
        } else {
            PerFrame::Table
        };
        Pipeline {
            per_frame,
            list: PacketList {
                style: opts.style,
                width: None,
            },
            analyzer: Analyzer::with_table(Table::new(opts.decode_as.clone())).want(Want {
                // Filters and JSON read fields; the details pane and the hex dump read trees;
                // the packet list alone needs neither.
                fields: opts.filter.is_some() || per_frame == PerFrame::Json || opts.objects,
                tree: opts.detail || opts.hex,
            }),
            packet: Packet::default(),
            conversations: opts.stats.then(Conversations::new),
            hierarchy: opts.stats.then(Hierarchy::new),
            exchanges: opts.handshakes.then(Handshakes::new),
            stream_view: opts
                .stream_view
                .as_ref()
                .map(|k| StreamView::new(k, opts.json, opts.style)),
            frames: 0,
            shown: 0,
            live: false,
            width: None,
            printed: foldhash::HashSet::default(),
            opts,
        }
    }

    /// Fits the output into `width` columns (a terminal): packet-list lines cut with `…`,
    /// tables arranged to fit; `None` (a pipe, `--wide`): whole lines.
    pub fn width(mut self, width: Option<u16>) -> Self {
        self.set_width(width);
        self
    }

    /// The same, on a pipeline already built.
    pub fn set_width(&mut self, width: Option<u16>) {
        self.list.width = width;
        self.width = width;
    }

    /// Prints each stream's handshake table as its connection closes, as `serve` does, and
    /// at [`Pipeline::finish`] only the streams still open (for a live capture).
    pub fn live(mut self) -> Self {
        self.live = true;
        self
    }

    /// Analyses `frame` and, if it matches the filter, writes its view to `out`.
    pub fn push(&mut self, frame: &Frame, out: &mut impl Write) -> io::Result<Step> {
        self.frames += 1;
        self.analyzer.process(frame, &mut self.packet);
        if let Some(f) = &self.opts.filter
            && !f.matches(&self.packet)
        {
            return Ok(Step::Hidden);
        }
        self.shown += 1;
        let packet = &self.packet;
        if let Some(c) = self.conversations.as_mut() {
            c.add(packet);
        }
        if let Some(h) = self.hierarchy.as_mut() {
            h.add(packet);
        }
        if let Some(h) = self.exchanges.as_mut() {
            h.add(packet);
            if self.live
                && let Some(stream) = packet.tcp.as_ref().map(|a| a.stream)
                && let Some(s) = h.get(stream)
                && s.closed()
                && self.printed.insert(stream)
            {
                if self.printed.len() > 1 {
                    writeln!(out)?;
                }
                handshakes::write_stream(
                    out,
                    s,
                    self.opts.style,
                    self.width,
                    raw_columns(self.width),
                )?;
            }
        }
        if let Some(v) = self.stream_view.as_mut() {
            v.push(packet, &frame.data, out)?;
        }
        let style = self.opts.style;
        match self.per_frame {
            PerFrame::Json => json::write_packet(out, packet)?,
            PerFrame::Table => {
                if self.shown == 1 {
                    self.list.header(out)?;
                }
                self.list.row(out, packet)?;
                if self.opts.hex {
                    let layers = packet.layers(&frame.data);
                    hex::write_hex(out, &frame.data, &layers, style)?;
                    writeln!(out)?;
                }
            }
            PerFrame::Detail => {
                let layers = packet.layers(&frame.data);
                detail::write_detail(out, packet, &layers, style)?;
                if self.opts.hex {
                    hex::write_hex(out, &frame.data, &layers, style)?;
                }
                writeln!(out)?;
            }
            PerFrame::Nothing => {}
        }
        if self.opts.count.is_some_and(|n| self.shown >= n) {
            return Ok(Step::Done);
        }
        Ok(Step::Shown)
    }

    /// Writes the whole-capture views (handshakes, then conversations).
    pub fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        let style = self.opts.style;
        if let Some(v) = self.stream_view.as_mut() {
            v.finish(out)?;
        }
        if let Some(h) = &self.exchanges {
            if self.live {
                let open = h
                    .list()
                    .iter()
                    .filter(|s| !self.printed.contains(&s.stream));
                for (i, s) in open.enumerate() {
                    if i > 0 || !self.printed.is_empty() {
                        writeln!(out)?;
                    }
                    handshakes::write_stream(out, s, style, self.width, raw_columns(self.width))?;
                }
                if h.list().is_empty() {
                    writeln!(out, "No TCP streams in this capture.")?;
                }
            } else if let Some(width) = self.width {
                handshakes::write_handshakes_fitted(
                    out,
                    h,
                    style,
                    width,
                    if width >= handshakes::RAW_COLUMNS_FROM {
                        handshakes::SeqColumns::Raw
                    } else {
                        handshakes::SeqColumns::RelativeOnly
                    },
                )?;
            } else {
                handshakes::write_handshakes(out, h, style)?;
            }
        }
        if let Some(c) = &self.conversations {
            if self.exchanges.is_some() {
                writeln!(out)?;
            }
            stats::write_stats_fitted(out, c, self.width)?;
        }
        if let Some(h) = &self.hierarchy {
            writeln!(out)?;
            let filter = self.opts.filter.as_ref().map(|f| f.to_string());
            stats::write_hierarchy(out, h, filter.as_deref())?;
        }
        Ok(())
    }

    /// The packet analysed last (valid after a [`Pipeline::push`]).
    pub fn packet(&self) -> &Packet {
        &self.packet
    }

    /// Frames pushed so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Frames that matched the filter so far.
    pub fn shown(&self) -> u64 {
        self.shown
    }

    /// True when a display filter is set.
    pub fn has_filter(&self) -> bool {
        self.opts.filter.is_some()
    }
}

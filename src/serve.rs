//! The `serve` view: the frames of one TCP port, one connection at a time.
//!
//! Each frame of the port is shown as it arrives, as one block headed by its connection
//! (`#1 10.0.3.2:40000 ⇄ 10.0.3.1:8080`) and decapsulated layer by layer (Ethernet → IPv4 →
//! TCP → data) with the field values of each layer. When a connection ends (both FINs
//! acknowledged, or a reset) — or when the capture ends — its summary follows as one block:
//! every frame of it in a table with the absolute and relative numbers and a "why" column
//! (like seed 002's Wireshark figure: SYN, SYN-ACK, ACK, PSH-ACK…, FIN-ACK, ACK), the ladder
//! diagram, and the data each side sent. Blocks are written whole, so several clients at once
//! are never mixed up within a block.
//!
//! The view depends only on the frames: other ports are left out before the analysis, and
//! frames are numbered and timed from the first frame of the port, so `serve --from FILE`
//! on the file a live `serve -w FILE` wrote shows exactly what the live view showed.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::Duration;

use crate::analyse::handshake::Handshakes;
use crate::analyse::handshake::RowKind;
use crate::analyse::{Analyzer, Packet};
use crate::capture::LiveView;
use crate::decode::detail::LayerKind;
use crate::decode::tcp_flags::{ACK, FIN, RST, SYN};
use crate::decode::{self, Decoded, Reassembler, TransportRepr};
use crate::frame::Frame;
use crate::pipeline::Step;
use crate::render::handshakes::{stream_table, stream_table_fitted, write_ladder};
use crate::render::style::{Color, Style};

/// Rows kept per connection in its table.
pub const MAX_ROWS: usize = 200;

/// Data bytes kept per connection and direction for the summary.
pub const MAX_DATA: usize = 16 * 1024;

/// Lines of each side's data a summary shows.
pub const SUMMARY_LINES: usize = 8;

#[derive(Debug)]
struct Connection {
    number: u32,
    client: SocketAddr,
    server: SocketAddr,
    frames: u64,
    /// Data from the client, then from the server (at most MAX_DATA each).
    data: [Vec<u8>; 2],
    bytes: [u64; 2],
    /// Raw ack number that acknowledges each side's FIN.
    fin_wanted: [Option<u32>; 2],
    fin_acked: [bool; 2],
    reset: bool,
    /// Summary mode: the first data segment was shown.
    shown_data: bool,
    /// Summary mode: data segments and ACKs not shown since the last block.
    skipped: [u64; 2],
}

/// The per-connection view of one TCP port (see the module docs).
pub struct ServeView {
    port: u16,
    style: Style,
    analyzer: Analyzer,
    packet: Packet,
    scratch: Decoded,
    scratch_reasm: Reassembler,
    frame: Frame,
    first: Option<Duration>,
    seen: u64,
    exchanges: Handshakes,
    connections: HashMap<u32, Connection>,
    next_number: u32,
    /// Show every field of every layer (like `read --detail`) instead of one line per layer.
    pub detail: bool,
    /// Summary mode: per-frame blocks only for the handshake, the first data segment and the
    /// teardown, the frames between counted on one line (`false`: every frame, `-V`).
    pub summary: bool,
    /// Fit tables and field lines into this many columns (a terminal); `None`: full width.
    pub width: Option<u16>,
}

impl ServeView {
    /// A view of TCP port `port`.
    pub fn new(port: u16, style: Style) -> ServeView {
        ServeView {
            port,
            style,
            analyzer: Analyzer::new(),
            packet: Packet::default(),
            scratch: Decoded::default(),
            scratch_reasm: Reassembler::default(),
            frame: Frame {
                number: 0,
                timestamp: Duration::ZERO,
                link_type: crate::frame::LinkType::ETHERNET,
                orig_len: 0,
                interface: 0,
                data: Vec::new(),
            },
            first: None,
            seen: 0,
            exchanges: Handshakes::every_frame(MAX_ROWS),
            connections: HashMap::new(),
            next_number: 1,
            detail: false,
            summary: false,
            width: None,
        }
    }

    /// True when the frame is TCP to or from the port.
    fn on_port(&mut self, frame: &Frame) -> bool {
        decode::decode_into_cut(
            frame.number,
            frame.link_type,
            &frame.data,
            frame.orig_len as usize,
            &mut self.scratch_reasm,
            &mut self.scratch,
        );
        matches!(&self.scratch.transport, TransportRepr::Tcp(t)
            if t.src_port == self.port || t.dst_port == self.port)
    }

    /// Takes one frame; writes its block (and a connection summary when it closes one).
    pub fn push(&mut self, frame: &Frame, out: &mut impl Write) -> io::Result<Step> {
        if !self.on_port(frame) {
            return Ok(Step::Hidden);
        }
        self.seen += 1;
        let first = *self.first.get_or_insert(frame.timestamp);
        // Numbered and timed from the port's first frame: the same from a file.
        self.frame.number = self.seen;
        self.frame.timestamp = frame.timestamp;
        self.frame.link_type = frame.link_type;
        self.frame.orig_len = frame.orig_len;
        self.frame.interface = frame.interface;
        self.frame.data.clear();
        self.frame.data.extend_from_slice(&frame.data);
        self.analyzer.process(&self.frame, &mut self.packet);
        self.packet.time_rel_ns = frame.timestamp.saturating_sub(first).as_nanos() as i64;
        self.exchanges.add(&self.packet);
        let Some(stream) = self.packet.tcp.as_ref().map(|a| a.stream) else {
            return Ok(Step::Shown);
        };
        let closed = self.track(stream);
        if self.shows(stream) {
            self.write_skipped(stream, out)?;
            self.write_frame(stream, out)?;
        }
        if closed {
            self.write_skipped(stream, out)?;
            self.write_summary(stream, "closed", out)?;
        }
        Ok(Step::Shown)
    }

    /// Updates the connection of `stream`; true when this frame closed it.
    fn track(&mut self, stream: u32) -> bool {
        let p = &self.packet;
        let (Some(t), Some((sip, dip))) = (p.tcp_repr(), p.decoded.net.ip_addrs()) else {
            return false;
        };
        let src = SocketAddr::new(sip, t.src_port);
        let dst = SocketAddr::new(dip, t.dst_port);
        let port = self.port;
        let next_number = &mut self.next_number;
        let c = self.connections.entry(stream).or_insert_with(|| {
            let (client, server) = if t.dst_port == port {
                (src, dst)
            } else {
                (dst, src)
            };
            let n = *next_number;
            *next_number += 1;
            Connection {
                number: n,
                client,
                server,
                frames: 0,
                data: [Vec::new(), Vec::new()],
                bytes: [0, 0],
                fin_wanted: [None, None],
                fin_acked: [false, false],
                reset: false,
                shown_data: false,
                skipped: [0, 0],
            }
        });
        c.frames += 1;
        let dir = usize::from(src != c.client);
        let retransmission = p
            .tcp
            .as_ref()
            .is_some_and(|a| a.flags.has_field("retransmission"));
        let payload = p.decoded.app_payload(&self.frame.data);
        if !payload.is_empty() && !retransmission {
            c.bytes[dir] += payload.len() as u64;
            let room = MAX_DATA.saturating_sub(c.data[dir].len());
            c.data[dir].extend_from_slice(&payload[..payload.len().min(room)]);
        }
        let len = t.len.unwrap_or(0);
        if t.flags & FIN != 0 {
            c.fin_wanted[dir] = Some(t.seq.wrapping_add(len).wrapping_add(1));
        }
        if t.flags & ACK != 0
            && let Some(want) = c.fin_wanted[1 - dir]
            && t.ack == want
        {
            c.fin_acked[1 - dir] = true;
        }
        if t.flags & RST != 0 {
            c.reset = true;
        }
        c.reset || (c.fin_acked[0] && c.fin_acked[1])
    }

    /// True when this frame gets its block: always, or in summary mode the handshake, the
    /// first data segment and the teardown (the rest is counted).
    fn shows(&mut self, stream: u32) -> bool {
        if !self.summary {
            return true;
        }
        let Some(t) = self.packet.tcp_repr() else {
            return true;
        };
        let Some(c) = self.connections.get_mut(&stream) else {
            return true;
        };
        let teardown = t.flags & (SYN | FIN | RST) != 0 || c.fin_wanted.iter().any(Option::is_some);
        if teardown || !c.shown_data {
            if t.len.unwrap_or(0) > 0 {
                c.shown_data = true;
            }
            return true;
        }
        c.skipped[usize::from(t.len.unwrap_or(0) == 0)] += 1;
        false
    }

    /// Summary mode: one line for the frames not shown since the last block.
    fn write_skipped(&mut self, stream: u32, out: &mut impl Write) -> io::Result<()> {
        let Some(c) = self.connections.get_mut(&stream) else {
            return Ok(());
        };
        let [data, acks] = std::mem::take(&mut c.skipped);
        if data + acks == 0 {
            return Ok(());
        }
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        let what = match (data, acks) {
            (0, a) => format!("{a} ACK{}", plural(a)),
            (d, 0) => format!("{d} data segment{}", plural(d)),
            (d, a) => format!("{d} data segment{} and {a} ACK{}", plural(d), plural(a)),
        };
        writeln!(
            out,
            "{}… {what} like the ones above (serve -V shows every frame){}",
            self.style.start(Color::Grey),
            self.style.end()
        )
    }

    fn label(&self, c: &Connection) -> String {
        format!("#{} {} ⇄ {}", c.number, c.client, c.server)
    }

    /// One frame's block: its connection, Info, and the layers it went through.
    fn write_frame(&self, stream: u32, out: &mut impl Write) -> io::Result<()> {
        let Some(c) = self.connections.get(&stream) else {
            return Ok(());
        };
        let p = &self.packet;
        let from_client = p
            .tcp_repr()
            .zip(p.decoded.net.ip_addrs())
            .is_some_and(|(t, (s, _))| SocketAddr::new(s, t.src_port) == c.client);
        let st = self.style;
        let mut block = Vec::with_capacity(512);
        writeln!(
            block,
            "{}── {} · frame {} · {} s · {} ──{}",
            st.start(Color::Bold),
            self.label(c),
            p.number,
            crate::render::table::time_string(p.time_rel_ns),
            if from_client {
                "client → server"
            } else {
                "server → client"
            },
            st.end()
        )?;
        writeln!(block, "   {}", p.info)?;
        let layers = p.layers(&self.frame.data);
        if self.detail {
            crate::render::detail::write_detail(&mut block, p, &layers, st)?;
        } else {
            for (depth, l) in layers
                .iter()
                .filter(|l| l.kind != LayerKind::Frame)
                .enumerate()
            {
                let indent = "   ".repeat(depth + 1);
                writeln!(
                    block,
                    "{indent}{}{}{}{}",
                    if depth == 0 { "" } else { "└ " },
                    st.start(Color::Cyan),
                    l.title,
                    st.end(),
                )?;
                if self.summary {
                    // A summary names the layers; -V shows their fields.
                    continue;
                }
                // The layer's fields, "Name: value" packed into lines of about 100 columns
                // (fewer on a narrower terminal).
                let cols = self.width.map_or(100, |w| usize::from(w).min(100));
                let pad = format!("{indent}{}", if depth == 0 { "  " } else { "    " });
                let mut line = String::new();
                for f in &l.fields {
                    let name = f.name.trim();
                    let item = if f.value.is_empty() {
                        name.to_string()
                    } else {
                        format!("{name}: {}", f.value)
                    };
                    if !line.is_empty() && pad.len() + line.len() + item.len() + 3 > cols {
                        writeln!(block, "{pad}{}{line}{}", st.start(Color::Grey), st.end())?;
                        line.clear();
                    }
                    if !line.is_empty() {
                        line.push_str(" · ");
                    }
                    line.push_str(&item);
                }
                if !line.is_empty() {
                    writeln!(block, "{pad}{}{line}{}", st.start(Color::Grey), st.end())?;
                }
            }
        }
        self.write_block(&block, out)
    }

    /// Writes `block`, each line cut to the terminal's width when there is one (tables are
    /// fitted before, so this cuts only long headers, data and ladder lines).
    fn write_block(&self, block: &[u8], out: &mut impl Write) -> io::Result<()> {
        let Some(width) = self.width else {
            return out.write_all(block);
        };
        for line in String::from_utf8_lossy(block).lines() {
            writeln!(
                out,
                "{}",
                crate::render::table::cut(line, usize::from(width))
            )?;
        }
        Ok(())
    }

    /// A connection's summary: table, ladder, data; then it is forgotten.
    fn write_summary(&mut self, stream: u32, how: &str, out: &mut impl Write) -> io::Result<()> {
        let Some(c) = self.connections.remove(&stream) else {
            return Ok(());
        };
        let ex = self.exchanges.remove(stream);
        let st = self.style;
        let mut block = Vec::with_capacity(4096);
        writeln!(block)?;
        if self.width.is_some() {
            // On a terminal: two lines, each short enough for 80 columns.
            writeln!(
                block,
                "{}══ connection {} {how} ══{}",
                st.start(Color::Bold),
                self.label(&c),
                st.end()
            )?;
            writeln!(
                block,
                "   {} frames; the client sent {} bytes, the server {}",
                c.frames, c.bytes[0], c.bytes[1]
            )?;
        } else {
            writeln!(
                block,
                "{}══ connection {} {how}: {} frames; the client sent {} bytes, the server {} ══{}",
                st.start(Color::Bold),
                self.label(&c),
                c.frames,
                c.bytes[0],
                c.bytes[1],
                st.end()
            )?;
        }
        if let Some(ex) = &ex {
            if ex.rows.is_empty() {
                writeln!(block, "  no SYN, FIN or RST captured")?;
            } else {
                writeln!(block, "A = {} (client), B = {} (server)", ex.a, ex.b)?;
                let shown;
                let ex = if self.summary {
                    // The handshake, the first data segment and the teardown, as above.
                    let mut e = ex.clone();
                    let mut first_data = true;
                    e.rows.retain(|r| match r.kind {
                        RowKind::Data => std::mem::replace(&mut first_data, false),
                        RowKind::Ack => false,
                        _ => true,
                    });
                    e.other_frames += (ex.rows.len() - e.rows.len()) as u64;
                    shown = e;
                    &shown
                } else {
                    ex
                };
                match self.width {
                    Some(w) => writeln!(block, "{}", stream_table_fitted(ex, w))?,
                    None => writeln!(block, "{}", stream_table(ex))?,
                }
                write_ladder(&mut block, ex, st)?;
            }
        }
        for (dir, who) in [(0, "client"), (1, "server")] {
            if c.bytes[dir] == 0 {
                continue;
            }
            let from = if dir == 0 { c.client } else { c.server };
            writeln!(
                block,
                "Data from the {who} {from} ({} bytes){}:",
                c.bytes[dir],
                if (c.data[dir].len() as u64) < c.bytes[dir] {
                    format!(", the first {} shown", c.data[dir].len())
                } else {
                    String::new()
                }
            )?;
            let lines: Vec<String> = crate::render::text::escape_lines(&c.data[dir]).collect();
            let total = lines.len();
            // A summary keeps the first lines; -V shows what was kept.
            let keep = if self.summary {
                SUMMARY_LINES
            } else {
                usize::MAX
            };
            for line in lines.iter().take(keep) {
                writeln!(block, "  | {line}")?;
            }
            if total > keep {
                writeln!(
                    block,
                    "  | … {} more lines (serve -V shows them)",
                    total - keep
                )?;
            }
        }
        writeln!(block)?;
        self.write_block(&block, out)
    }

    /// Writes the summaries of connections still open (at the end of the capture).
    pub fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        let mut open: Vec<(u32, u32)> = self
            .connections
            .iter()
            .map(|(s, c)| (c.number, *s))
            .collect();
        open.sort();
        for (_, stream) in open {
            self.write_summary(stream, "still open at the end of the capture", out)?;
        }
        if self.seen == 0 {
            writeln!(out, "No frame of TCP port {} was seen.", self.port)?;
        }
        Ok(())
    }

    /// Frames of the port seen so far.
    pub fn frames(&self) -> u64 {
        self.seen
    }
}

impl LiveView for ServeView {
    fn push(&mut self, frame: &Frame, out: &mut Vec<u8>) -> io::Result<Step> {
        ServeView::push(self, frame, out)
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        ServeView::finish(self, out)
    }

    fn filters(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{CaptureReader, SourceEvent};

    fn render(path: &str, port: u16) -> String {
        let root = env!("CARGO_MANIFEST_DIR");
        let reader = CaptureReader::open(format!("{root}/{path}").as_ref()).unwrap();
        let mut v = ServeView::new(port, Style::default());
        let mut out = Vec::new();
        for e in reader {
            if let SourceEvent::Frame(f) = e {
                v.push(&f, &mut out).unwrap();
            }
        }
        v.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn render_with(path: &str, port: u16, summary: bool, width: Option<u16>) -> String {
        let root = env!("CARGO_MANIFEST_DIR");
        let reader = CaptureReader::open(format!("{root}/{path}").as_ref()).unwrap();
        let mut v = ServeView::new(port, Style::default());
        v.summary = summary;
        v.width = width;
        let mut out = Vec::new();
        for e in reader {
            if let SourceEvent::Frame(f) = e {
                v.push(&f, &mut out).unwrap();
            }
        }
        v.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn summary_mode_shows_the_handshake_first_data_and_teardown_and_counts_the_rest() {
        let every = render_with("captures/tcp-analysis.pcapng", 7777, false, None);
        let summary = render_with("captures/tcp-analysis.pcapng", 7777, true, Some(80));
        assert!(
            summary.lines().count() * 4 < every.lines().count(),
            "{} vs {} lines",
            summary.lines().count(),
            every.lines().count()
        );
        assert!(summary.contains("data segments and "), "{summary}");
        assert!(summary.contains("like the ones above (serve -V shows every frame)"));
        assert!(summary.contains("· frame 1 ·"), "{summary}");
        assert!(summary.contains("FIN"), "{summary}");
        assert!(summary.contains("══ connection #1"), "{summary}");
    }

    #[test]
    fn every_line_fits_80_columns_on_a_terminal() {
        for summary in [false, true] {
            let text = render_with("captures/tcp-analysis.pcapng", 7777, summary, Some(80));
            for line in text.lines() {
                assert!(
                    crate::render::table::display_width(line) <= 80,
                    "{} columns: {line}",
                    crate::render::table::display_width(line)
                );
            }
        }
    }

    #[test]
    fn one_connection_block_per_frame_then_its_summary() {
        let text = render("captures/tcp-handshake.pcapng", 7777);
        // ARP frames are not on the port: numbering starts at the SYN.
        assert!(
            text.contains(
                "── #1 10.0.3.2:40000 ⇄ 10.0.3.1:7777 · frame 1 · 0.000000 s · client → server"
            ),
            "{text}"
        );
        assert!(text.contains("   40000 → 7777 [SYN] Seq=0"), "{text}");
        assert!(
            text.contains("└ Internet Protocol Version 4, Src: 10.0.3.2"),
            "{text}"
        );
        assert!(
            text.contains("══ connection #1 10.0.3.2:40000 ⇄ 10.0.3.1:7777 closed"),
            "{text}"
        );
        // The summary's table has the data rows too, with their why.
        assert!(
            text.contains("A sends 18 bytes: Seq 1 + Len 18 = 19"),
            "{text}"
        );
        assert!(
            text.contains("Data from the client 10.0.3.2:40000 (28 bytes)"),
            "{text}"
        );
        // Closed connections are forgotten: nothing is repeated at the end.
        assert_eq!(text.matches("══ connection").count(), 1);
    }

    #[test]
    fn frames_of_other_ports_are_hidden() {
        let text = render("captures/tcp-handshake.pcapng", 9);
        assert!(text.contains("No frame of TCP port 9 was seen."), "{text}");
    }
}

//! What `craft` and `ping` do with every frame they send or receive: a Wireshark-style row
//! (through the same [`Pipeline`] `wirelab read` uses, so the Info text is identical), the
//! encapsulation view for the first frames of each kind, the handshake table and ladder at the
//! end, and the pcapng file with directions and comments.
//!
//! In quiet mode only the pcapng file is written: no analysis, no allocation per frame.

use std::io::{self, Write};
use std::time::Duration;

use crate::analyse::handshake::Handshakes;
use crate::frame::{Frame, LinkType};
use crate::pipeline::{Pipeline, ViewOptions};
use crate::render::style::Style;
use crate::render::{encapsulation, handshakes};
use crate::sink::pcapng::{Direction, InterfaceInfo, PacketMeta, PcapNgSink};

/// Columns the views fit in.
pub const WIDTH: u16 = 100;

/// Where the frames go.
pub struct Recorder<W: Write> {
    out: W,
    verbose: bool,
    style: Style,
    pipeline: Pipeline,
    handshakes: Handshakes,
    pcap: Option<PcapNgSink<Box<dyn Write>>>,
    iface: u32,
    frame: Frame,
    rows: Vec<u8>,
    frames: u64,
    /// Columns the handshake table is fitted into.
    width: u16,
}

impl<W: Write> Recorder<W> {
    /// Rows and views go to `out` when `verbose`; frames go to `pcap` (already holding a
    /// section header) on an interface described by `iface`.
    pub fn new(
        out: W,
        verbose: bool,
        style: Style,
        pcap: Option<PcapNgSink<Box<dyn Write>>>,
        iface: &InterfaceInfo,
    ) -> io::Result<Self> {
        let mut pcap = pcap;
        let id = match pcap.as_mut() {
            Some(p) => p.add_interface(iface)?,
            None => 0,
        };
        Ok(Recorder {
            out,
            verbose,
            style,
            pipeline: Pipeline::new(ViewOptions {
                style,
                ..ViewOptions::default()
            }),
            handshakes: Handshakes::new(),
            pcap,
            iface: id,
            frame: Frame {
                number: 0,
                timestamp: Duration::ZERO,
                link_type: LinkType::ETHERNET,
                orig_len: 0,
                interface: 0,
                data: Vec::with_capacity(2048),
            },
            rows: Vec::new(),
            frames: 0,
            width: WIDTH,
        })
    }

    /// Fits rows and the table into a terminal of `width` columns (at most [`WIDTH`]);
    /// `None` (a pipe): rows whole, the table at [`WIDTH`].
    pub fn fit_to(&mut self, width: Option<u16>) {
        self.width = width.map_or(WIDTH, |w| w.min(WIDTH));
        self.pipeline.set_width(width);
    }

    /// True when rows are shown.
    pub fn verbose(&self) -> bool {
        self.verbose
    }

    /// True when comments are used (rows are shown, or a pcapng file is written).
    pub fn wants_comments(&self) -> bool {
        self.verbose || self.pcap.is_some()
    }

    /// Frames recorded so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Records one frame: `data` at `timestamp` (since the Unix epoch), sent or received, with
    /// a pcapng comment; with `build_up`, the encapsulation view titled so comes before its row.
    pub fn record(
        &mut self,
        direction: Direction,
        data: &[u8],
        timestamp: Duration,
        comment: Option<&str>,
        build_up: Option<&str>,
    ) -> io::Result<()> {
        if !self.verbose && self.pcap.is_none() {
            self.frames += 1;
            return Ok(());
        }
        self.frames += 1;
        self.frame.number = self.frames;
        self.frame.timestamp = timestamp;
        self.frame.orig_len = data.len() as u32;
        self.frame.data.clear();
        self.frame.data.extend_from_slice(data);
        if let Some(p) = self.pcap.as_mut() {
            let meta = PacketMeta {
                direction: Some(direction),
                comment,
            };
            p.write_packet(self.iface, &self.frame, &meta)?;
        }
        if !self.verbose {
            return Ok(());
        }
        self.rows.clear();
        self.pipeline.push(&self.frame, &mut self.rows)?;
        let packet = self.pipeline.packet();
        self.handshakes.add(packet);
        if let Some(title) = build_up {
            let layers = packet.layers(&self.frame.data);
            writeln!(self.out)?;
            encapsulation::write_build_up(
                &mut self.out,
                &self.frame.data,
                &layers,
                title,
                self.style,
            )?;
            writeln!(self.out)?;
        }
        self.out.write_all(&self.rows)?;
        if let Some(c) = comment.filter(|_| direction == Direction::Outbound)
            && is_notable(c)
        {
            writeln!(self.out, "{:>20}↳ {c}", "")?;
        }
        Ok(())
    }

    /// Writes a line under the rows (verbose mode only).
    pub fn note(&mut self, line: &str) -> io::Result<()> {
        if self.verbose {
            writeln!(self.out, "{:>20}↳ {line}", "")?;
        }
        Ok(())
    }

    /// The terminal output (for the summary).
    pub fn out(&mut self) -> &mut W {
        &mut self.out
    }

    /// Writes the handshake table and ladder (verbose mode) and closes the pcapng file.
    pub fn finish(&mut self) -> io::Result<()> {
        if self.verbose && self.frames > 0 {
            writeln!(self.out)?;
            handshakes::write_handshakes_fitted(
                &mut self.out,
                &self.handshakes,
                self.style,
                self.width,
                handshakes::SeqColumns::RelativeOnly,
            )?;
        }
        if let Some(p) = self.pcap.as_mut() {
            p.flush()?;
        }
        self.out.flush()
    }
}

/// Comments worth a line of their own under the row: everything but the routine ones.
fn is_notable(comment: &str) -> bool {
    !matches!(
        comment,
        "data" | "ACK" | "handshake SYN" | "handshake ACK" | "FIN" | "ACK of the server's FIN"
    )
}

#[cfg(test)]
mod width_tests {
    use super::*;
    use crate::render::table::display_width;
    use crate::source::{CaptureReader, SourceEvent};

    /// Craft's rows and end-of-session table on an 80-column terminal: no line wider.
    #[test]
    fn rows_and_table_fit_80_columns() {
        let root = env!("CARGO_MANIFEST_DIR");
        let path = format!("{root}/captures/tcp-handshake.pcapng");
        let mut out = Vec::new();
        {
            let info = InterfaceInfo::new(LinkType::ETHERNET);
            let mut rec = Recorder::new(&mut out, true, Style::default(), None, &info).unwrap();
            rec.fit_to(Some(80));
            for ev in CaptureReader::open(path.as_ref()).unwrap() {
                if let SourceEvent::Frame(f) = ev {
                    rec.record(Direction::Outbound, &f.data, f.timestamp, None, None)
                        .unwrap();
                }
            }
            rec.finish().unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Why"), "{text}");
        for line in text.lines() {
            assert!(display_width(line) <= 80, "{line}");
        }
    }
}

//! Follow TCP stream (`F`): the selected stream's payload, in the text `wirelab read
//! --follow N` prints (tshark's `-z follow,tcp,ascii,N`), written by the same
//! [`Follower`] and [`FollowWriter`]. Each chunk is coloured by who sent it, as Wireshark
//! does (node 0, the side that sent the stream's first frame, red; node 1 blue).

use super::ViewText;
use crate::analyse::Packet;
use crate::analyse::follow::{Chunk, FollowProto, Follower};
use crate::frame::Frame;
use crate::render::follow::FollowWriter;
use crate::render::style::{Color, Style};
use crate::tui::scan::ScanSink;

/// Most bytes of text kept: a longer stream is cut, with a note (memory stays bounded).
pub const MAX_TEXT: usize = 2 << 20;

/// Who wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Header,
    Node0,
    Node1,
}

/// The followed stream's text so far.
#[derive(Debug)]
pub struct FollowView {
    follower: Follower,
    writer: FollowWriter,
    chunks: Vec<Chunk>,
    lines: Vec<(Who, String)>,
    bytes: usize,
    cut: bool,
}

impl Default for FollowView {
    fn default() -> Self {
        FollowView::new(0)
    }
}

impl FollowView {
    /// Follows TCP stream `stream`.
    pub fn new(stream: u32) -> Self {
        FollowView {
            follower: Follower::new(FollowProto::Tcp, stream),
            writer: FollowWriter::new(FollowProto::Tcp, stream, false),
            chunks: Vec::new(),
            lines: Vec::new(),
            bytes: 0,
            cut: false,
        }
    }

    fn keep(&mut self, who: Who, text: &[u8]) {
        for line in String::from_utf8_lossy(text).lines() {
            self.bytes += line.len() + 1;
            self.lines
                .push((who, line.trim_end_matches('\r').to_string()));
        }
    }
}

impl ScanSink for FollowView {
    const NEEDS_INFO: bool = false;

    fn push(&mut self, packet: &Packet, frame: &Frame) {
        if self.cut {
            return;
        }
        self.follower.add(packet, &frame.data, &mut self.chunks);
        let chunks = std::mem::take(&mut self.chunks);
        for c in &chunks {
            let mut out = Vec::new();
            let _ = self.writer.header(&mut out, self.follower.nodes());
            self.keep(Who::Header, &out);
            out.clear();
            let _ = self.writer.chunk(&mut out, c);
            self.keep(if c.from_node1 { Who::Node1 } else { Who::Node0 }, &out);
        }
        self.chunks = chunks;
        self.chunks.clear();
        if self.bytes > MAX_TEXT {
            self.cut = true;
        }
    }
}

impl ViewText for FollowView {
    fn lines(&self, _width: usize, _height: usize) -> Vec<String> {
        let style = Style { color: true };
        let mut v: Vec<String> = self
            .lines
            .iter()
            .map(|(who, l)| match who {
                Who::Header => l.clone(),
                Who::Node0 => format!("{}{l}{}", style.start(Color::Red), style.end()),
                Who::Node1 => format!("{}{l}{}", style.start(Color::Blue), style.end()),
            })
            .collect();
        let mut end = Vec::new();
        let _ = self.writer.clone().finish(&mut end, self.follower.nodes());
        v.extend(String::from_utf8_lossy(&end).lines().map(str::to_string));
        if self.cut {
            v.push(format!(
                "[cut after {} MiB of text: `wirelab read FILE --follow {}` prints all of it]",
                MAX_TEXT >> 20,
                self.follower.stream()
            ));
        }
        if self.follower.dropped() > 0 {
            v.push(format!(
                "[{} out-of-order segments were not kept: more than {} waited for a hole]",
                self.follower.dropped(),
                crate::analyse::follow::MAX_WAITING
            ));
        }
        v
    }
}

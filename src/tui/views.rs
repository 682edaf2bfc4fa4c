//! The views on the selected stream or the whole capture, one key each.
//!
//! A view is a [`ScanSink`] fed by a background [`Scan`] of the frames it asks for, and it
//! turns what it collected into text lines with the same renderers `read` uses. Adding one
//! (Follow stream, the time-sequence and RTT graphs of the TCP analysis views) is one small
//! type implementing [`ScanSink`] and [`ViewText`], and one arm in [`open`].

use super::index::Index;
use super::scan::{Scan, ScanSink};
use super::state::ViewKind;
use crate::analyse::Packet;
use crate::analyse::conversations::Conversations;
use crate::analyse::handshake::Handshakes;
use crate::filter::Filter;
use crate::frame::Frame;
use crate::render::style::Style;
use crate::render::{handshakes, stats};

/// A view's text.
pub trait ViewText {
    /// The lines to show in a pane `width` columns wide (no colours; the pane colours by
    /// content).
    fn lines(&self, width: usize) -> Vec<String>;
}

/// A running view: its scan's progress and its text so far.
pub trait RunningView: Send {
    /// Frames looked at so far, and whether the end of the data was reached.
    fn progress(&self) -> (u64, bool);
    /// The text, for a pane `width` wide.
    fn lines(&self, width: usize) -> Vec<String>;
}

impl<S: ScanSink + ViewText> RunningView for Scan<S> {
    fn progress(&self) -> (u64, bool) {
        (self.scanned(), self.data().at_end)
    }

    fn lines(&self, width: usize) -> Vec<String> {
        self.data().sink.lines(width)
    }
}

/// An open view.
pub struct OpenView {
    /// Which view.
    pub kind: ViewKind,
    /// Its title line.
    pub title: String,
    /// Its content.
    pub body: ViewBody,
}

/// What an open view shows.
pub enum ViewBody {
    /// Being computed (or complete) by a scan.
    Running(Box<dyn RunningView>),
    /// A message instead (not available for this frame, or not built yet).
    Message(Vec<String>),
}

impl OpenView {
    /// The lines to draw now, in a pane `width` wide.
    pub fn lines(&self, width: usize) -> Vec<String> {
        match &self.body {
            ViewBody::Running(v) => v.lines(width),
            ViewBody::Message(m) => m.clone(),
        }
    }
}

/// Opens view `kind` for the selected frame `selected` (`None`: nothing selected) with
/// the display filter in force.
pub fn open(
    kind: ViewKind,
    index: &Index,
    selected: Option<&Packet>,
    filter: Option<(&str, &Filter)>,
) -> OpenView {
    let message = |title: String, lines: &[&str]| OpenView {
        kind,
        title,
        body: ViewBody::Message(lines.iter().map(|s| s.to_string()).collect()),
    };
    match kind {
        ViewKind::Handshakes => {
            let Some(stream) = selected.and_then(|p| p.tcp.as_ref()).map(|a| a.stream) else {
                return message(
                    kind.name().to_string(),
                    &[
                        "The selected frame is not a TCP segment.",
                        "Select a TCP frame in the packet list, then press h again.",
                    ],
                );
            };
            let f = match Filter::parse(&format!("tcp.stream == {stream}")) {
                Ok(f) => f,
                Err(e) => return message(kind.name().to_string(), &[&e.to_string()]),
            };
            OpenView {
                kind,
                title: format!(
                    "TCP stream {stream}: handshake and teardown (tcp.stream == {stream})"
                ),
                body: ViewBody::Running(Box::new(Scan::<HandshakeView>::start(index, Some(f)))),
            }
        }
        ViewKind::Conversations => OpenView {
            kind,
            title: match filter {
                Some((text, _)) => {
                    format!("Conversations and endpoints of the frames shown ({text})")
                }
                None => "Conversations and endpoints (whole capture)".to_string(),
            },
            body: ViewBody::Running(Box::new(Scan::<ConversationView>::start(
                index,
                filter.map(|(_, f)| f.clone()),
            ))),
        },
        ViewKind::FollowStream | ViewKind::TimeSequence | ViewKind::RoundTrip => message(
            kind.name().to_string(),
            &[
                "Coming with the analysis views.",
                "",
                "This view (follow the stream's payload, the time-sequence and the round-trip",
                "time graphs) is being built with the TCP analysis views of `wirelab read`;",
                "its key is reserved here. Meanwhile: `h` shows this stream's handshake and",
                "teardown, `c` the conversations, and the details pane the numbers of each frame.",
            ],
        ),
    }
}

/// Handshake/teardown rows of the frames scanned (one stream).
#[derive(Debug, Default)]
pub struct HandshakeView(Handshakes);

impl ScanSink for HandshakeView {
    const NEEDS_INFO: bool = false;

    fn push(&mut self, packet: &Packet, _frame: &Frame) {
        self.0.add(packet);
    }
}

impl ViewText for HandshakeView {
    fn lines(&self, width: usize) -> Vec<String> {
        let mut out = Vec::new();
        let width = u16::try_from(width).unwrap_or(u16::MAX).max(60);
        let _ =
            handshakes::write_handshakes_fitted(&mut out, &self.0, Style::default(), Some(width));
        text_lines(&out)
    }
}

/// Conversations and endpoints of the frames scanned.
#[derive(Debug, Default)]
pub struct ConversationView(Conversations);

impl ScanSink for ConversationView {
    const NEEDS_INFO: bool = false;

    fn push(&mut self, packet: &Packet, _frame: &Frame) {
        self.0.add(packet);
    }
}

impl ViewText for ConversationView {
    fn lines(&self, _width: usize) -> Vec<String> {
        let mut out = Vec::new();
        let _ = stats::write_stats(&mut out, &self.0);
        text_lines(&out)
    }
}

fn text_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The frame numbers that pass the display filter (4 bytes each).
#[derive(Debug, Default)]
pub struct Matches(pub Vec<u32>);

impl ScanSink for Matches {
    const SPLITTABLE: bool = true;
    const NEEDS_INFO: bool = false;

    fn push(&mut self, _packet: &Packet, frame: &Frame) {
        self.0.push(u32::try_from(frame.number).unwrap_or(u32::MAX));
    }

    fn append(&mut self, later: Self) {
        self.0.extend(later.0);
    }
}

//! The views on the selected stream or the whole capture, one key each.
//!
//! A view is a [`ScanSink`] fed by a background [`Scan`] of the frames it asks for, and it
//! turns what it collected into text lines with the same renderers `read` uses (lines may
//! carry the renderers' ANSI colours; the pane draws them). Adding one is one small type
//! implementing [`ScanSink`] and [`ViewText`] (as [`follow`] and [`graph`] do), and one arm
//! in [`open`].

pub mod follow;
pub mod graph;

use super::index::Index;
use super::scan::{Scan, ScanSink};
use super::state::ViewKind;
use crate::analyse::Packet;
use crate::analyse::conversations::Conversations;
use crate::analyse::handshake::Handshakes;
use crate::filter::Filter;
use crate::frame::Frame;
use crate::graph::GraphKind;
use crate::render::style::Style;
use crate::render::{handshakes, stats};

/// A view's text.
pub trait ViewText {
    /// The lines to show in a pane `width` columns wide and `height` lines high (without
    /// ANSI colours the pane colours by content).
    fn lines(&self, width: usize, height: usize) -> Vec<String>;
}

/// A running view: its scan's progress and its text so far.
pub trait RunningView: Send {
    /// Frames looked at so far, and whether the end of the data was reached.
    fn progress(&self) -> (u64, bool);
    /// The text, for a pane `width` × `height`.
    fn lines(&self, width: usize, height: usize) -> Vec<String>;
}

impl<S: ScanSink + ViewText> RunningView for Scan<S> {
    fn progress(&self) -> (u64, bool) {
        (self.scanned(), self.data().at_end)
    }

    fn lines(&self, width: usize, height: usize) -> Vec<String> {
        self.data().sink.lines(width, height)
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
    /// The lines to draw now, in a pane `width` × `height`.
    pub fn lines(&self, width: usize, height: usize) -> Vec<String> {
        match &self.body {
            ViewBody::Running(v) => v.lines(width, height),
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
    let stream = selected.and_then(|p| p.tcp.as_ref()).map(|a| a.stream);
    let stream = match (kind, stream) {
        (ViewKind::Conversations, _) => return conversations(index, filter),
        (_, Some(s)) => s,
        (_, None) => {
            return message(
                kind.name().to_string(),
                &[
                    "The selected frame is not a TCP segment.",
                    &format!(
                        "Select a TCP frame in the packet list, then press {} again.",
                        kind.key()
                    ),
                    "(For a UDP stream: `wirelab read FILE --follow N --udp`.)",
                ],
            );
        }
    };
    // Only the stream's frames reach the view (the scan still analyses every frame).
    let only = match Filter::parse(&format!("tcp.stream == {stream}")) {
        Ok(f) => f,
        Err(e) => return message(kind.name().to_string(), &[&e.to_string()]),
    };
    let graph = |g: GraphKind, what: &str| OpenView {
        kind,
        title: format!("TCP stream {stream}: {what} (wirelab graph --stream {stream} --kind {g})"),
        body: ViewBody::Running(Box::new(Scan::start_with(
            index,
            Some(only.clone()),
            graph::GraphView::new(g, stream),
        ))),
    };
    match kind {
        ViewKind::Handshakes => OpenView {
            kind,
            title: format!("TCP stream {stream}: handshake and teardown (tcp.stream == {stream})"),
            body: ViewBody::Running(Box::new(Scan::<HandshakeView>::start(
                index,
                Some(only.clone()),
            ))),
        },
        ViewKind::FollowStream => OpenView {
            kind,
            title: format!(
                "Follow TCP stream {stream} (wirelab read --follow {stream}): red node 0, blue node 1"
            ),
            body: ViewBody::Running(Box::new(Scan::start_with(
                index,
                Some(only.clone()),
                follow::FollowView::new(stream),
            ))),
        },
        ViewKind::TimeSequence => graph(GraphKind::Stevens, "time-sequence graph (Stevens)"),
        ViewKind::Tcptrace => graph(GraphKind::Tcptrace, "time-sequence graph (tcptrace)"),
        ViewKind::RoundTrip => graph(GraphKind::Rtt, "round-trip time"),
        ViewKind::Conversations => conversations(index, filter),
    }
}

/// Conversations and endpoints of the frames the filter shows.
fn conversations(index: &Index, filter: Option<(&str, &Filter)>) -> OpenView {
    OpenView {
        kind: ViewKind::Conversations,
        title: match filter {
            Some((text, _)) => format!("Conversations and endpoints of the frames shown ({text})"),
            None => "Conversations and endpoints (whole capture)".to_string(),
        },
        body: ViewBody::Running(Box::new(Scan::<ConversationView>::start(
            index,
            filter.map(|(_, f)| f.clone()),
        ))),
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
    fn lines(&self, width: usize, _height: usize) -> Vec<String> {
        let mut out = Vec::new();
        let width = u16::try_from(width).unwrap_or(u16::MAX).max(60);
        let _ = handshakes::write_handshakes_fitted(
            &mut out,
            &self.0,
            Style::default(),
            width,
            handshakes::SeqColumns::Raw,
        );
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
    fn lines(&self, _width: usize, _height: usize) -> Vec<String> {
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

//! The graphs of the selected TCP stream (`S` Stevens and `T` tcptrace time-sequence, `R`
//! round-trip time): the series `wirelab graph` draws ([`GraphCollector`]), on the same
//! terminal Braille canvas ([`braille::render`]), sized to the pane. While the capture is
//! still being read (or grows), a copy of the collector is finished for each drawing, so
//! the graph grows with it.

use super::ViewText;
use crate::analyse::Packet;
use crate::frame::Frame;
use crate::graph::series::GraphCollector;
use crate::graph::{GraphKind, braille};
use crate::render::style::Style;
use crate::tui::scan::ScanSink;

/// Lines `braille::render` adds around the plot (title, axis name, axis, x labels,
/// legend, caption).
const FRAME_LINES: usize = 6;

/// Columns it adds (y labels and the axis).
const FRAME_COLUMNS: usize = 10;

/// One graph of one stream.
#[derive(Debug, Clone)]
pub struct GraphView {
    kind: GraphKind,
    collector: GraphCollector,
}

impl Default for GraphView {
    fn default() -> Self {
        GraphView::new(GraphKind::Stevens, 0)
    }
}

impl GraphView {
    /// Graph `kind` of TCP stream `stream`.
    pub fn new(kind: GraphKind, stream: u32) -> Self {
        GraphView {
            kind,
            collector: GraphCollector::new(stream),
        }
    }
}

impl ScanSink for GraphView {
    const NEEDS_INFO: bool = false;

    fn push(&mut self, packet: &Packet, frame: &Frame) {
        self.collector.add(packet, &frame.data);
    }
}

impl ViewText for GraphView {
    fn lines(&self, width: usize, height: usize) -> Vec<String> {
        if !self.collector.seen() {
            return vec!["reading…".to_string()];
        }
        let mut c = self.collector.clone();
        c.finish();
        let g = c.graph(self.kind);
        let w = width.saturating_sub(FRAME_COLUMNS).max(20);
        let h = height.saturating_sub(FRAME_LINES).max(4);
        braille::render(&g, w, h, Style { color: true })
    }
}

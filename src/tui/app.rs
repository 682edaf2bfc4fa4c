//! The view's model: the [`ViewState`] together with the data it is about — the frame
//! index, the running filter, the rows on screen, the selected frame and the open view.
//!
//! Nothing here draws or reads the terminal: [`App::on_key`] and [`App::on_mouse`] take
//! events, [`App::tick`] takes in what the background readers found, and
//! [`App::prepare`] loads what the next screen shows (rows are analysed on demand and kept
//! in a small cache, never for the whole file).

use std::collections::HashMap;
use std::rc::Rc;

use ratatui::layout::Rect;

use super::index::{Index, IndexState, Indexer, Loaded, SourceSpec};
use super::layout::{self, Areas};
use super::scan::Scan;
use super::state::{Effect, Facts, Key, Pane, Popup, ViewState};
use super::tree::{DetailTree, RowId, Why};
use super::views::{self, Matches, OpenView, ViewBody};
use crate::filter::Filter;
use crate::render::coloring::{ColoringRule, coloring_rule};
use crate::render::table::{PacketList, RowCells};
use crate::source::SourceError;

/// Rows kept analysed (a few screens' worth); the cache is emptied when it is full.
const ROW_CACHE: usize = 4096;

/// One row of the packet list, analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The columns (the text `read` prints).
    pub cells: RowCells,
    /// Wireshark's colouring rule for it.
    pub rule: Option<ColoringRule>,
}

/// The filter in force, and its scan.
pub struct Filtering {
    /// As typed.
    pub text: String,
    /// Parsed.
    pub filter: Filter,
    /// The pass over the file.
    pub scan: Scan<Matches>,
}

/// The selected frame, analysed, with its tree.
pub struct Current {
    /// The frame and its analysis.
    pub loaded: Loaded,
    /// Its details (shared, so that the state can look at it while the app changes).
    pub tree: Rc<DetailTree>,
}

/// What colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colors {
    /// The 8/16 basic colours only.
    Basic,
    /// The 256-colour palette.
    Palette,
    /// 24-bit colour.
    TrueColor,
}

impl Colors {
    /// From the environment, as terminals announce themselves (`COLORTERM`, `TERM`).
    pub fn detect() -> Colors {
        let colorterm = std::env::var("COLORTERM").unwrap_or_default();
        let term = std::env::var("TERM").unwrap_or_default();
        if colorterm == "truecolor" || colorterm == "24bit" {
            Colors::TrueColor
        } else if term.contains("256color")
            || term.starts_with("tmux")
            || term.starts_with("screen")
        {
            Colors::Palette
        } else {
            Colors::Basic
        }
    }
}

/// A mouse action, as the view understands it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    /// Left button pressed at (column, row).
    Click(u16, u16),
    /// Wheel up at (column, row).
    ScrollUp(u16, u16),
    /// Wheel down at (column, row).
    ScrollDown(u16, u16),
}

/// Everything the view shows.
pub struct App {
    /// The user's side.
    pub state: ViewState,
    /// The frame index.
    pub index: Index,
    _indexer: Indexer,
    /// The display filter in force.
    pub filtering: Option<Filtering>,
    rows: HashMap<u64, Row>,
    /// The selected frame.
    pub current: Option<Current>,
    /// The open view.
    pub view: Option<OpenView>,
    /// Where the panes were drawn last.
    pub areas: Areas,
    /// What colours the terminal shows.
    pub colors: Colors,
    seen: (u64, u64, usize),
    /// The open view's progress when last drawn.
    view_seen: Option<(u64, bool)>,
    /// Frame numbers of the rows on screen, with their rows (filled by `prepare`).
    pub visible: Vec<(u64, Row)>,
}

impl App {
    /// Opens `spec` and starts reading it; `follow` starts at the newest frame.
    pub fn open(spec: SourceSpec, follow: bool) -> Result<App, SourceError> {
        let (index, indexer) = Index::open(spec)?;
        Ok(App {
            state: ViewState::new(follow),
            index,
            _indexer: indexer,
            filtering: None,
            rows: HashMap::new(),
            current: None,
            view: None,
            areas: Areas::default(),
            colors: Colors::Palette,
            seen: (u64::MAX, u64::MAX, usize::MAX),
            view_seen: None,
            visible: Vec::new(),
        })
    }

    /// Rows in the packet list now.
    pub fn row_count(&self) -> usize {
        match &self.filtering {
            Some(f) => f.scan.data().sink.0.len(),
            None => usize::try_from(self.index.data().frames).unwrap_or(usize::MAX),
        }
    }

    /// The frame numbers of list rows `range`.
    pub fn frames_of(&self, range: std::ops::Range<usize>) -> Vec<u64> {
        match &self.filtering {
            Some(f) => {
                let d = f.scan.data();
                let m = &d.sink.0;
                m.get(range.start.min(m.len())..range.end.min(m.len()))
                    .unwrap_or(&[])
                    .iter()
                    .map(|&n| u64::from(n))
                    .collect()
            }
            None => {
                let frames = self.index.data().frames;
                (range.start as u64 + 1..=(range.end as u64).min(frames)).collect()
            }
        }
    }

    /// The frame number of the selected row.
    pub fn selected_frame(&self) -> Option<u64> {
        let s = self.state.selected;
        self.frames_of(s..s + 1).first().copied()
    }

    /// The selected frame's tree.
    pub fn tree(&self) -> Option<Rc<DetailTree>> {
        self.current.as_ref().map(|c| c.tree.clone())
    }

    /// What the state needs to know now (about `tree`, the selected frame's).
    pub fn facts<'a>(&self, tree: Option<&'a DetailTree>) -> Facts<'a> {
        Facts {
            rows: self.row_count(),
            list_height: self.areas.list_rows(),
            tree,
            tree_height: self.areas.details_rows(),
            bytes_len: self.bytes_shown().len(),
            bytes_height: self.areas.bytes_rows(),
            view_lines: self.view.as_ref().map_or(0, |v| {
                v.lines(self.areas.view_width(), self.areas.view_rows())
                    .len()
            }),
            view_height: self.areas.view_rows(),
        }
    }

    /// The buffer the bytes pane shows: the frame, or the reassembled datagram when the
    /// selected field is in it.
    pub fn bytes_shown(&self) -> &[u8] {
        let Some(c) = &self.current else {
            return &[];
        };
        if self.state.reassembled
            && let Some(r) = &c.loaded.packet.decoded.reassembled
        {
            return &r.data;
        }
        &c.loaded.frame.data
    }

    /// Takes in what the background readers found: new frames, filter matches, view
    /// progress. Returns true when the screen must be redrawn.
    pub fn tick(&mut self) -> bool {
        let index_gen = self.index.data().generation;
        let filter_gen = self
            .filtering
            .as_ref()
            .map_or(0, |f| f.scan.data().generation);
        let rows = self.row_count();
        let seen = (index_gen, filter_gen, rows);
        if seen == self.seen && self.current.is_some() == (rows > 0) {
            return self.view_moved();
        }
        self.seen = seen;
        let tree = self.tree();
        let facts = self.facts(tree.as_deref());
        let effect = self.state.rows_changed(&facts);
        let want = self.selected_frame();
        if effect == Effect::FrameChanged
            || self.current.as_ref().map(|c| c.loaded.frame.number) != want
        {
            self.load_current();
        }
        true
    }

    fn view_running(&self) -> bool {
        matches!(&self.view, Some(v) if matches!(&v.body, ViewBody::Running(r) if !r.progress().1))
    }

    /// True if the open view's scan moved since the last call (its last state is drawn too).
    fn view_moved(&mut self) -> bool {
        let now = match &self.view {
            Some(OpenView {
                body: ViewBody::Running(r),
                ..
            }) => Some(r.progress()),
            _ => None,
        };
        let moved = now != self.view_seen;
        self.view_seen = now;
        moved
    }

    /// Loads the selected frame and its tree.
    fn load_current(&mut self) {
        let Some(n) = self.selected_frame() else {
            self.current = None;
            return;
        };
        let Some(loaded) = self.index.get(n) else {
            return;
        };
        let why = loaded.packet.tcp.as_ref().and_then(|a| {
            let d = self.index.data();
            let s = d.handshakes.stream(a.stream)?;
            let row = d.handshakes.row(a.stream, loaded.packet.number)?.clone();
            Some(Why {
                row,
                a: s.a,
                b: s.b,
            })
        });
        let tree = Rc::new(DetailTree::build(
            &loaded.packet,
            &loaded.frame.data,
            why.as_ref(),
        ));
        let old = self.current.take();
        self.current = Some(Current {
            loaded,
            tree: tree.clone(),
        });
        let facts = self.facts(Some(&tree));
        self.state
            .frame_changed(old.as_ref().map(|c| &*c.tree), &tree, &facts);
    }

    /// Applies a display filter, as if typed in the filter bar.
    pub fn set_filter(&mut self, text: String, filter: Filter) {
        self.state.filter.applied = Some(text);
        self.apply(Effect::Filter(Some(filter)));
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: Key) {
        let tree = self.tree();
        let facts = self.facts(tree.as_deref());
        let effect = self.state.on_key(key, &facts);
        self.apply(effect);
    }

    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::None | Effect::Quit => {}
            Effect::FrameChanged => self.load_current(),
            Effect::Filter(f) => {
                self.filtering = f.map(|filter| Filtering {
                    text: self.state.filter.applied.clone().unwrap_or_default(),
                    scan: Scan::start(&self.index, Some(filter.clone())),
                    filter,
                });
                self.state.selected = 0;
                self.state.top = 0;
                self.current = None;
                self.seen = (u64::MAX, u64::MAX, usize::MAX);
            }
            Effect::OpenView(kind) => {
                let selected = self.current.as_ref().map(|c| &c.loaded.packet);
                let filter = self
                    .filtering
                    .as_ref()
                    .map(|f| (f.text.as_str(), &f.filter));
                self.view = Some(views::open(kind, &self.index, selected, filter));
            }
        }
        // A view stays open under the help opened over it.
        let help_over_view =
            self.state.popup == Some(Popup::Help) && self.state.help_over.is_some();
        if self.state.popup.is_none_or(|p| p == Popup::Help) && !help_over_view {
            self.view = None;
        }
    }

    /// Handles a mouse action.
    pub fn on_mouse(&mut self, m: Mouse) {
        let a = self.areas;
        let tree = self.tree();
        let facts = self.facts(tree.as_deref());
        match m {
            Mouse::ScrollUp(x, y) | Mouse::ScrollDown(x, y) => {
                let delta: isize = if matches!(m, Mouse::ScrollUp(..)) {
                    -3
                } else {
                    3
                };
                if self.state.popup.is_some() {
                    let key = if delta < 0 { Key::Up } else { Key::Down };
                    for _ in 0..3 {
                        self.on_key(key);
                    }
                } else if inside(a.list, x, y) {
                    self.state.scroll_list(delta, &facts);
                } else if inside(a.details, x, y) {
                    let rows = self
                        .current
                        .as_ref()
                        .map_or(0, |c| self.state.tree_rows(&c.tree).len());
                    let max = rows.saturating_sub(a.details_rows());
                    self.state.tree_top = self.state.tree_top.saturating_add_signed(delta).min(max);
                } else if inside(a.bytes, x, y) {
                    let lines = self.bytes_shown().len().div_ceil(16);
                    let max = lines.saturating_sub(a.bytes_rows());
                    self.state.bytes_top =
                        self.state.bytes_top.saturating_add_signed(delta).min(max);
                }
            }
            Mouse::Click(x, y) => {
                if self.state.popup.is_some() || self.state.filter.editing {
                    return;
                }
                if inside(a.list, x, y) && y > a.list.y {
                    self.state.focus = Pane::List;
                    let row = self.state.top + usize::from(y - a.list.y - 1);
                    if row < facts.rows {
                        self.state.follow = false;
                        let e = self.state.select_row(row, &facts);
                        self.apply(e);
                    }
                } else if inside(a.details, x, y) && y > a.details.y {
                    self.state.focus = Pane::Details;
                    let Some(tree) = self.tree() else {
                        return;
                    };
                    let rows = self.state.tree_rows(&tree);
                    let i = self.state.tree_top + usize::from(y - a.details.y - 1);
                    if let Some(&id) = rows.get(i) {
                        let was = self.state.tree_sel;
                        self.state.select_tree_row(id, &tree, &facts);
                        // A click on the arrow, or a second click, opens or closes.
                        if (was == id || x <= a.details.x + 1) && id.leaf.is_none() {
                            self.state.toggle(id, &tree);
                        }
                    }
                } else if inside(a.bytes, x, y) && y > a.bytes.y {
                    self.state.focus = Pane::Bytes;
                    let line = self.state.bytes_top + usize::from(y - a.bytes.y - 1);
                    if let Some(col) = layout::hex_column_at(x.saturating_sub(a.bytes.x))
                        && let Some(tree) = self.tree()
                    {
                        let at = line * 16 + col;
                        if at < self.bytes_shown().len() {
                            self.state.select_byte(at, &tree, &facts);
                        }
                    }
                }
            }
        }
    }

    /// Loads the rows the next screen shows (the areas of a `width`×`height` screen).
    pub fn prepare(&mut self, screen: Rect) {
        self.areas = layout::layout(screen, &self.state, self.bytes_shown().len());
        let tree = self.tree();
        let facts = self.facts(tree.as_deref());
        // The pane sizes may have changed: keep the selection in view.
        if self.state.rows_changed(&facts) == Effect::FrameChanged {
            self.load_current();
        }
        let top = self.state.top;
        let numbers = self.frames_of(top..top + self.areas.list_rows());
        let missing: Vec<u64> = numbers
            .iter()
            .copied()
            .filter(|n| !self.rows.contains_key(n))
            .collect();
        if !missing.is_empty() {
            if self.rows.len() + missing.len() > ROW_CACHE {
                self.rows.clear();
            }
            let rows = &mut self.rows;
            self.index.load(&missing, |p, _| {
                rows.insert(
                    p.number,
                    Row {
                        cells: PacketList::cells(p),
                        rule: coloring_rule(p),
                    },
                );
            });
        }
        self.visible = numbers
            .iter()
            .filter_map(|n| self.rows.get(n).map(|r| (*n, r.clone())))
            .collect();
        if self.current.is_none() && facts.rows > 0 {
            self.load_current();
        }
    }

    /// The status line's facts: state of the reader and of the filter.
    pub fn progress(&self) -> Progress {
        let d = self.index.data();
        let file_len = std::fs::metadata(&self.index.spec().path).map_or(0, |m| m.len());
        Progress {
            frames: d.frames,
            reading: matches!(d.state, IndexState::Reading),
            read_percent: percent(d.bytes_read, file_len),
            incomplete: matches!(d.state, IndexState::Watching { incomplete: true }),
            warnings: d.warnings.len(),
            last_warning: d.warnings.last().cloned(),
            filtering: self.filtering.as_ref().map(|f| {
                let scanned = f.scan.scanned();
                (
                    !f.scan.data().at_end,
                    percent(scanned, d.frames.max(1)).min(100),
                )
            }),
            drops: self
                .index
                .spec()
                .live
                .as_ref()
                .map(|l| l.drops.load(std::sync::atomic::Ordering::Relaxed)),
            capture_ended: self
                .index
                .spec()
                .live
                .as_ref()
                .and_then(|l| match l.ended.lock() {
                    Ok(g) => g.clone(),
                    Err(p) => p.into_inner().clone(),
                }),
        }
    }

    /// Waits (at most `limit`) until the background readers are done with the data there
    /// is — the index, the filter and an open view — then takes their results in
    /// (for tests and benchmarks: a screen that no longer changes). True if they finished.
    pub fn settle(&mut self, limit: std::time::Duration) -> bool {
        let start = std::time::Instant::now();
        let done = |app: &App| {
            app.index.data().at_end()
                && app.filtering.as_ref().is_none_or(|f| f.scan.data().at_end)
                && !app.view_running()
        };
        while !done(self) {
            if start.elapsed() > limit {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        self.tick();
        true
    }

    /// The id of the selected tree row, if a frame is loaded.
    pub fn tree_selection(&self) -> Option<RowId> {
        self.current.as_ref().map(|_| self.state.tree_sel)
    }
}

/// What the status line says about the readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Frames read.
    pub frames: u64,
    /// Still reading.
    pub reading: bool,
    /// Percent of the file read.
    pub read_percent: u64,
    /// The file ends inside a record.
    pub incomplete: bool,
    /// Problems found in the file.
    pub warnings: usize,
    /// The last of them.
    pub last_warning: Option<String>,
    /// Filter still running, and its progress in percent.
    pub filtering: Option<(bool, u64)>,
    /// Frames the kernel dropped (live capture).
    pub drops: Option<u64>,
    /// Why the live capture ended, once it has.
    pub capture_ended: Option<String>,
}

fn percent(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        100
    } else {
        (u128::from(part) * 100 / u128::from(whole)) as u64
    }
}

fn inside(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
}

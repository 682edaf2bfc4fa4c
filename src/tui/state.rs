//! The state of `wirelab view` as a plain struct, driven by key presses and mouse actions.
//!
//! [`ViewState`] knows the selection, the scroll positions, follow mode, which layers are
//! open, the selected field and byte, the filter bar and the open view, and nothing about
//! terminals or files: what it needs to know about the data (how many rows the list has,
//! the selected frame's tree, the pane heights) comes in a [`Facts`], and what the caller
//! must do (load another frame, run a filter, open a view, quit) goes out as an [`Effect`].
//! The unit tests below drive it key by key.

use std::collections::HashSet;

use super::tree::{DetailTree, NodeKey, RowId};
use crate::filter::{Filter, FilterError};

/// A key press, as the view understands it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// ↑
    Up,
    /// ↓
    Down,
    /// ←
    Left,
    /// →
    Right,
    /// Page Up
    PageUp,
    /// Page Down
    PageDown,
    /// Home
    Home,
    /// End
    End,
    /// Enter
    Enter,
    /// Tab
    Tab,
    /// Shift-Tab
    BackTab,
    /// Esc
    Esc,
    /// Backspace
    Backspace,
    /// Delete
    Delete,
    /// A printable character.
    Char(char),
    /// Ctrl and a letter (Ctrl-C).
    Ctrl(char),
}

/// The three panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The packet list.
    List,
    /// The details tree.
    Details,
    /// The bytes.
    Bytes,
}

/// The views on the selected stream or the whole capture, one key each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    /// The selected TCP stream's handshake and teardown: table and ladder (`h`).
    Handshakes,
    /// TCP/UDP conversations and endpoints of the shown frames (`c`).
    Conversations,
    /// The selected TCP stream's payload, as `read --follow N` shows it (`F`).
    FollowStream,
    /// Time-sequence graph (Stevens) of the selected TCP stream (`S`).
    TimeSequence,
    /// Time-sequence graph (tcptrace) of the selected TCP stream (`T`).
    Tcptrace,
    /// Round-trip times of the selected TCP stream (`R`).
    RoundTrip,
}

impl ViewKind {
    /// Every view, in the order the help lists them.
    pub const ALL: [ViewKind; 6] = [
        ViewKind::Handshakes,
        ViewKind::Conversations,
        ViewKind::FollowStream,
        ViewKind::TimeSequence,
        ViewKind::Tcptrace,
        ViewKind::RoundTrip,
    ];

    /// The key that opens it.
    pub fn key(self) -> char {
        match self {
            ViewKind::Handshakes => 'h',
            ViewKind::Conversations => 'c',
            ViewKind::FollowStream => 'F',
            ViewKind::TimeSequence => 'S',
            ViewKind::Tcptrace => 'T',
            ViewKind::RoundTrip => 'R',
        }
    }

    /// What it is called.
    pub fn name(self) -> &'static str {
        match self {
            ViewKind::Handshakes => "Handshake and teardown of the selected TCP stream",
            ViewKind::Conversations => "Conversations and endpoints",
            ViewKind::FollowStream => "Follow TCP stream",
            ViewKind::TimeSequence => "Time-sequence graph (Stevens)",
            ViewKind::Tcptrace => "Time-sequence graph (tcptrace)",
            ViewKind::RoundTrip => "Round-trip time graph",
        }
    }
}

/// What is drawn over the panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    /// The key help.
    Help,
    /// A view, scrolled to (line, column).
    View(ViewKind),
}

/// The filter bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterBar {
    /// Being edited.
    pub editing: bool,
    /// The text in the bar.
    pub text: String,
    /// Cursor position, in chars.
    pub cursor: usize,
    /// Why the text does not parse (checked at each key).
    pub error: Option<FilterError>,
    /// The filter in force (text as typed), if any.
    pub applied: Option<String>,
}

/// What the caller must do after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Nothing beyond redrawing.
    None,
    /// Another frame is selected: load it and call [`ViewState::frame_changed`].
    FrameChanged,
    /// Run this filter over the file (`None`: show every frame again).
    Filter(Option<Filter>),
    /// Open a view.
    OpenView(ViewKind),
    /// Quit.
    Quit,
}

/// What the state needs to know about the data.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Rows in the packet list (frames shown).
    pub rows: usize,
    /// Rows the list pane has room for.
    pub list_height: usize,
    /// The selected frame's tree, once loaded.
    pub tree: Option<&'a DetailTree>,
    /// Rows the details pane has room for.
    pub tree_height: usize,
    /// Bytes of the buffer the bytes pane shows (frame, or reassembled datagram).
    pub bytes_len: usize,
    /// Lines the bytes pane has room for.
    pub bytes_height: usize,
    /// Lines of the open view's text.
    pub view_lines: usize,
    /// Lines the view has room for.
    pub view_height: usize,
}

/// Everything the user changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewState {
    /// Pane with the keyboard focus.
    pub focus: Pane,
    /// Selected row of the packet list (0-based row, not frame number).
    pub selected: usize,
    /// First row on screen.
    pub top: usize,
    /// Keep the last row selected as frames arrive (until the user scrolls).
    pub follow: bool,
    /// Open nodes of the details tree.
    pub expanded: HashSet<NodeKey>,
    /// Selected row of the tree.
    pub tree_sel: RowId,
    /// First tree row on screen.
    pub tree_top: usize,
    /// Selected byte in the bytes pane.
    pub byte: Option<usize>,
    /// The selected row's bytes are in the reassembled datagram.
    pub reassembled: bool,
    /// First line of the bytes pane on screen.
    pub bytes_top: usize,
    /// The filter bar.
    pub filter: FilterBar,
    /// What is drawn over the panes.
    pub popup: Option<Popup>,
    /// Scroll of the open view: first line and first column.
    pub view_scroll: (usize, usize),
    /// A one-line note for the status line (cleared by the next key).
    pub note: Option<String>,
    /// The user asked to quit.
    pub quit: bool,
    /// The view the help was opened over (`?` in a view): shown again when the help closes.
    pub help_over: Option<ViewKind>,
}

const TOP: RowId = RowId {
    node: 0,
    leaf: None,
};

impl ViewState {
    /// At the first frame, or following the newest ones when `follow`.
    pub fn new(follow: bool) -> ViewState {
        ViewState {
            focus: Pane::List,
            selected: 0,
            top: 0,
            follow,
            // The "why" of handshake numbers is what students look for: open from the start.
            expanded: HashSet::from([NodeKey::Why]),
            tree_sel: TOP,
            tree_top: 0,
            byte: None,
            reassembled: false,
            bytes_top: 0,
            filter: FilterBar::default(),
            popup: None,
            view_scroll: (0, 0),
            note: None,
            quit: false,
            help_over: None,
        }
    }

    /// True if `key` is open.
    pub fn is_expanded(&self, key: NodeKey) -> bool {
        self.expanded.contains(&key)
    }

    /// The tree rows shown now.
    pub fn tree_rows(&self, tree: &DetailTree) -> Vec<RowId> {
        tree.rows(|k| self.is_expanded(k))
    }

    /// The bytes to highlight: the selected tree row's, in the frame (`false`) or the
    /// reassembled datagram (`true`).
    pub fn highlight(&self, tree: &DetailTree) -> Option<(std::ops::Range<usize>, bool)> {
        tree.range(self.tree_sel)
    }

    /// Handles one key press.
    pub fn on_key(&mut self, key: Key, facts: &Facts) -> Effect {
        self.note = None;
        if matches!(key, Key::Ctrl('c')) {
            self.quit = true;
            return Effect::Quit;
        }
        if self.filter.editing {
            return self.filter_key(key);
        }
        if let Some(popup) = self.popup {
            return self.popup_key(popup, key, facts);
        }
        match key {
            Key::Char('q') => {
                self.quit = true;
                return Effect::Quit;
            }
            Key::Char('?') => {
                self.popup = Some(Popup::Help);
                return Effect::None;
            }
            Key::Char('/') | Key::Char('f') => {
                self.filter.editing = true;
                self.filter.text = self.filter.applied.clone().unwrap_or_default();
                self.filter.cursor = self.filter.text.chars().count();
                self.check_filter();
                return Effect::None;
            }
            Key::Tab => {
                self.focus = match self.focus {
                    Pane::List => Pane::Details,
                    Pane::Details => Pane::Bytes,
                    Pane::Bytes => Pane::List,
                };
                return Effect::None;
            }
            Key::BackTab => {
                self.focus = match self.focus {
                    Pane::List => Pane::Bytes,
                    Pane::Details => Pane::List,
                    Pane::Bytes => Pane::Details,
                };
                return Effect::None;
            }
            Key::Char(c) => {
                if let Some(v) = ViewKind::ALL.into_iter().find(|v| v.key() == c) {
                    self.popup = Some(Popup::View(v));
                    self.view_scroll = (0, 0);
                    return Effect::OpenView(v);
                }
            }
            _ => {}
        }
        match self.focus {
            Pane::List => self.list_key(key, facts),
            Pane::Details => self.tree_key(key, facts),
            Pane::Bytes => self.bytes_key(key, facts),
        }
    }

    fn list_key(&mut self, key: Key, facts: &Facts) -> Effect {
        let last = facts.rows.saturating_sub(1);
        let page = facts.list_height.max(1);
        let target = match key {
            Key::Up | Key::Char('k') => self.selected.saturating_sub(1),
            Key::Down | Key::Char('j') => (self.selected + 1).min(last),
            Key::PageUp => self.selected.saturating_sub(page),
            Key::PageDown => (self.selected + page).min(last),
            Key::Home | Key::Char('g') => 0,
            Key::End | Key::Char('G') => {
                self.follow = true;
                last
            }
            Key::Enter | Key::Right => {
                self.focus = Pane::Details;
                return Effect::None;
            }
            _ => return Effect::None,
        };
        if target < self.selected || matches!(key, Key::Home | Key::Char('g')) {
            self.follow = false;
        }
        self.select_row(target, facts)
    }

    /// Selects list row `row` (a click, or a key).
    pub fn select_row(&mut self, row: usize, facts: &Facts) -> Effect {
        if facts.rows == 0 {
            return Effect::None;
        }
        let row = row.min(facts.rows - 1);
        let changed = row != self.selected;
        self.selected = row;
        self.scroll_to_selection(facts);
        if changed {
            Effect::FrameChanged
        } else {
            Effect::None
        }
    }

    /// Keeps the selection on screen.
    fn scroll_to_selection(&mut self, facts: &Facts) {
        let h = facts.list_height.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + h {
            self.top = self.selected + 1 - h;
        }
        let max_top = facts.rows.saturating_sub(h);
        self.top = self.top.min(max_top);
    }

    /// The list has grown or shrunk (new frames, a filter): keep the selection valid, and
    /// stick to the end in follow mode. Returns [`Effect::FrameChanged`] if the selected
    /// frame changed.
    pub fn rows_changed(&mut self, facts: &Facts) -> Effect {
        let before = self.selected;
        if facts.rows == 0 {
            self.selected = 0;
            self.top = 0;
            return Effect::None;
        }
        if self.follow {
            self.selected = facts.rows - 1;
        }
        self.selected = self.selected.min(facts.rows - 1);
        // Only a moved selection scrolls: a list scrolled with the wheel stays put.
        if self.selected != before || self.follow {
            self.scroll_to_selection(facts);
        }
        let max_top = facts.rows.saturating_sub(facts.list_height.max(1));
        self.top = self.top.min(max_top);
        if self.selected != before {
            Effect::FrameChanged
        } else {
            Effect::None
        }
    }

    /// Mouse wheel over the list: scrolls without moving the selection, stops following.
    pub fn scroll_list(&mut self, delta: isize, facts: &Facts) {
        if delta < 0 {
            self.follow = false;
        }
        let max_top = facts.rows.saturating_sub(facts.list_height.max(1));
        self.top = self.top.saturating_add_signed(delta).min(max_top);
    }

    fn tree_key(&mut self, key: Key, facts: &Facts) -> Effect {
        let Some(tree) = facts.tree else {
            return Effect::None;
        };
        let rows = self.tree_rows(tree);
        let pos = rows.iter().position(|r| *r == self.tree_sel).unwrap_or(0);
        let last = rows.len().saturating_sub(1);
        let page = facts.tree_height.max(1);
        let target = match key {
            Key::Up | Key::Char('k') => pos.saturating_sub(1),
            Key::Down | Key::Char('j') => (pos + 1).min(last),
            Key::PageUp => pos.saturating_sub(page),
            Key::PageDown => (pos + page).min(last),
            Key::Home | Key::Char('g') => 0,
            Key::End | Key::Char('G') => last,
            Key::Enter | Key::Char(' ') => {
                self.toggle(self.tree_sel, tree);
                return Effect::None;
            }
            Key::Right => {
                if self.tree_sel.leaf.is_none()
                    && let Some(n) = tree.nodes.get(self.tree_sel.node)
                    && !n.children.is_empty()
                {
                    self.expanded.insert(n.key);
                }
                return Effect::None;
            }
            Key::Left => {
                let sel = self.tree_sel;
                if let Some(n) = tree.nodes.get(sel.node) {
                    if sel.leaf.is_some() {
                        self.tree_sel = RowId {
                            node: sel.node,
                            leaf: None,
                        };
                    } else {
                        self.expanded.remove(&n.key);
                    }
                }
                self.sync_byte(tree);
                self.scroll_tree(tree, facts);
                return Effect::None;
            }
            _ => return Effect::None,
        };
        if let Some(r) = rows.get(target) {
            self.tree_sel = *r;
        }
        self.sync_byte(tree);
        self.scroll_tree(tree, facts);
        Effect::None
    }

    /// Opens or closes a node (a leaf: its node).
    pub fn toggle(&mut self, id: RowId, tree: &DetailTree) {
        let Some(n) = tree.nodes.get(id.node) else {
            return;
        };
        if n.children.is_empty() {
            return;
        }
        if !self.expanded.remove(&n.key) {
            self.expanded.insert(n.key);
        } else if id.leaf.is_some() {
            self.tree_sel = RowId {
                node: id.node,
                leaf: None,
            };
        }
    }

    /// Selects a tree row (a click, or a key).
    pub fn select_tree_row(&mut self, id: RowId, tree: &DetailTree, facts: &Facts) {
        self.tree_sel = id;
        self.sync_byte(tree);
        self.scroll_tree(tree, facts);
    }

    /// The byte cursor follows the selected field.
    fn sync_byte(&mut self, tree: &DetailTree) {
        match tree.range(self.tree_sel) {
            Some((r, reassembled)) => {
                self.byte = Some(r.start);
                self.reassembled = reassembled;
            }
            None => {
                self.byte = None;
                self.reassembled = false;
            }
        }
    }

    fn scroll_tree(&mut self, tree: &DetailTree, facts: &Facts) {
        let rows = self.tree_rows(tree);
        let pos = rows.iter().position(|r| *r == self.tree_sel).unwrap_or(0);
        let h = facts.tree_height.max(1);
        if pos < self.tree_top {
            self.tree_top = pos;
        } else if pos >= self.tree_top + h {
            self.tree_top = pos + 1 - h;
        }
        self.tree_top = self.tree_top.min(rows.len().saturating_sub(h));
        self.scroll_bytes(facts);
    }

    fn bytes_key(&mut self, key: Key, facts: &Facts) -> Effect {
        if facts.bytes_len == 0 {
            return Effect::None;
        }
        let last = facts.bytes_len - 1;
        let at = self.byte.unwrap_or(0).min(last);
        let page = 16 * facts.bytes_height.max(1);
        let target = match key {
            Key::Left | Key::Char('h') => at.saturating_sub(1),
            Key::Right | Key::Char('l') => (at + 1).min(last),
            Key::Up | Key::Char('k') => at.saturating_sub(16),
            Key::Down | Key::Char('j') => (at + 16).min(last),
            Key::PageUp => at.saturating_sub(page),
            Key::PageDown => (at + page).min(last),
            Key::Home | Key::Char('g') => 0,
            Key::End | Key::Char('G') => last,
            _ => return Effect::None,
        };
        if let Some(tree) = facts.tree {
            self.select_byte(target, tree, facts);
        }
        Effect::None
    }

    /// Selects byte `at` of the shown buffer: its field is selected in the tree (its layer
    /// opened), as clicking a byte does in Wireshark.
    pub fn select_byte(&mut self, at: usize, tree: &DetailTree, facts: &Facts) {
        self.byte = Some(at);
        if let Some(id) = tree.row_at_byte(at, self.reassembled) {
            if id.leaf.is_some()
                && let Some(n) = tree.nodes.get(id.node)
            {
                self.expanded.insert(n.key);
            }
            self.tree_sel = id;
            let rows = self.tree_rows(tree);
            let pos = rows.iter().position(|r| *r == id).unwrap_or(0);
            let h = facts.tree_height.max(1);
            if pos < self.tree_top {
                self.tree_top = pos;
            } else if pos >= self.tree_top + h {
                self.tree_top = pos + 1 - h;
            }
        }
        self.scroll_bytes(facts);
    }

    /// Keeps the selected byte's line on screen.
    fn scroll_bytes(&mut self, facts: &Facts) {
        let Some(at) = self.byte else {
            return;
        };
        let line = at / 16;
        let h = facts.bytes_height.max(1);
        if line < self.bytes_top {
            self.bytes_top = line;
        } else if line >= self.bytes_top + h {
            self.bytes_top = line + 1 - h;
        }
    }

    /// A new frame's tree is loaded: keep the same layer and field selected if it has them.
    pub fn frame_changed(&mut self, old: Option<&DetailTree>, new: &DetailTree, facts: &Facts) {
        let wanted = old.and_then(|t| {
            let n = t.nodes.get(self.tree_sel.node)?;
            let leaf = self
                .tree_sel
                .leaf
                .and_then(|j| n.children.get(j))
                .map(|l| l.name().to_string());
            Some((n.key, leaf))
        });
        self.tree_sel = wanted
            .and_then(|(key, leaf)| {
                new.find(key, leaf.as_deref())
                    .or_else(|| new.find(key, None))
            })
            .unwrap_or(TOP);
        if self.tree_sel == TOP && new.nodes.is_empty() {
            self.byte = None;
        }
        self.sync_byte(new);
        self.scroll_tree(new, facts);
    }

    fn popup_key(&mut self, popup: Popup, key: Key, facts: &Facts) -> Effect {
        match key {
            Key::Esc | Key::Char('q') | Key::Char('?') if popup == Popup::Help => {
                // Back to the view the help was opened over, if any.
                self.popup = self.help_over.take().map(Popup::View);
                return Effect::None;
            }
            Key::Esc | Key::Char('q') => {
                self.popup = None;
                return Effect::None;
            }
            Key::Char('?') => {
                if let Popup::View(v) = popup {
                    self.help_over = Some(v);
                }
                self.popup = Some(Popup::Help);
                return Effect::None;
            }
            Key::Char(c) if ViewKind::ALL.iter().any(|v| v.key() == c) => {
                self.popup = None;
                self.help_over = None;
                return self.on_key(key, facts);
            }
            _ => {}
        }
        let (line, col) = self.view_scroll;
        let max_line = facts.view_lines.saturating_sub(facts.view_height.max(1));
        let page = facts.view_height.max(1);
        self.view_scroll = match key {
            Key::Up | Key::Char('k') => (line.saturating_sub(1), col),
            Key::Down | Key::Char('j') => ((line + 1).min(max_line), col),
            Key::PageUp => (line.saturating_sub(page), col),
            Key::PageDown => ((line + page).min(max_line), col),
            Key::Home | Key::Char('g') => (0, col),
            Key::End | Key::Char('G') => (max_line, col),
            Key::Left => (line, col.saturating_sub(8)),
            Key::Right => (line, col + 8),
            _ => (line, col),
        };
        Effect::None
    }

    fn filter_key(&mut self, key: Key) -> Effect {
        let f = &mut self.filter;
        let len = f.text.chars().count();
        match key {
            Key::Esc => {
                f.editing = false;
                f.error = None;
                return Effect::None;
            }
            Key::Enter => {
                if f.text.trim().is_empty() {
                    f.editing = false;
                    f.error = None;
                    let had = f.applied.take().is_some();
                    return if had {
                        Effect::Filter(None)
                    } else {
                        Effect::None
                    };
                }
                return match Filter::parse(&f.text) {
                    Ok(filter) => {
                        f.editing = false;
                        f.error = None;
                        f.applied = Some(f.text.clone());
                        self.follow = false;
                        Effect::Filter(Some(filter))
                    }
                    Err(e) => {
                        f.error = Some(e);
                        Effect::None
                    }
                };
            }
            Key::Left => f.cursor = f.cursor.saturating_sub(1),
            Key::Right => f.cursor = (f.cursor + 1).min(len),
            Key::Home | Key::Ctrl('a') => f.cursor = 0,
            Key::End | Key::Ctrl('e') => f.cursor = len,
            Key::Ctrl('u') => {
                f.text.clear();
                f.cursor = 0;
            }
            Key::Backspace if f.cursor > 0 => {
                remove_char(&mut f.text, f.cursor - 1);
                f.cursor -= 1;
            }
            Key::Delete if f.cursor < len => remove_char(&mut f.text, f.cursor),
            Key::Char(c) => {
                let at = byte_index(&f.text, f.cursor);
                f.text.insert(at, c);
                f.cursor += 1;
            }
            _ => {}
        }
        self.check_filter();
        Effect::None
    }

    /// Checks the filter text as typed.
    fn check_filter(&mut self) {
        let f = &mut self.filter;
        f.error = if f.text.trim().is_empty() {
            None
        } else {
            Filter::parse(&f.text).err()
        };
    }
}

fn byte_index(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

fn remove_char(s: &mut String, at: usize) {
    let i = byte_index(s, at);
    if i < s.len() {
        s.remove(i);
    }
}

#[cfg(test)]
mod tests;

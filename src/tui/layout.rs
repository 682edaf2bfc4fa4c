//! The view's screen geometry: where each pane is ([`Areas`], [`layout`]) and which byte a
//! column of the bytes pane shows. Read by the model ([`super::app`]) to size what it loads and
//! to place mouse clicks, and by the drawing ([`super::ui`]); it draws nothing itself.

use ratatui::layout::Rect;

use super::state::{Popup, ViewKind, ViewState};

/// Where each part of the screen is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    /// The packet list (its first line is the column header).
    pub list: Rect,
    /// The details tree (first line: title).
    pub details: Rect,
    /// The bytes (first line: title).
    pub bytes: Rect,
    /// The filter bar (and the error caret line while editing).
    pub filter: Rect,
    /// The status line.
    pub status: Rect,
    /// Where a view is drawn (over details and bytes).
    pub view: Rect,
}

impl Areas {
    /// Packet rows that fit.
    pub fn list_rows(&self) -> usize {
        usize::from(self.list.height.saturating_sub(1))
    }

    /// Tree rows that fit.
    pub fn details_rows(&self) -> usize {
        usize::from(self.details.height.saturating_sub(1))
    }

    /// Hex lines that fit.
    pub fn bytes_rows(&self) -> usize {
        usize::from(self.bytes.height.saturating_sub(1))
    }

    /// View columns that fit (inside the border).
    pub fn view_width(&self) -> usize {
        usize::from(self.view.width.saturating_sub(2))
    }

    /// View lines that fit (inside the border).
    pub fn view_rows(&self) -> usize {
        usize::from(self.view.height.saturating_sub(2))
    }
}

/// Lays out a screen for `state`, with `bytes_len` bytes in the bytes pane.
pub fn layout(screen: Rect, state: &ViewState, bytes_len: usize) -> Areas {
    let editing_error = state.filter.editing && state.filter.error.is_some();
    let bar = if editing_error { 2 } else { 1 };
    let h = screen.height;
    let status = Rect::new(
        screen.x,
        screen.y + h.saturating_sub(1),
        screen.width,
        1.min(h),
    );
    let filter_y = h.saturating_sub(1 + bar);
    let filter = Rect::new(screen.x, screen.y + filter_y, screen.width, bar.min(h));
    let avail = filter_y;
    let list_h = (avail * 45 / 100).max(4).min(avail);
    let hex_lines = bytes_len.div_ceil(16).max(1) as u16;
    let rest = avail - list_h;
    let bytes_h = (hex_lines + 1).min((rest * 45 / 100).max(3)).min(rest);
    let details_h = rest - bytes_h;
    let list = Rect::new(screen.x, screen.y, screen.width, list_h);
    let details = Rect::new(screen.x, screen.y + list_h, screen.width, details_h);
    let bytes = Rect::new(
        screen.x,
        screen.y + list_h + details_h,
        screen.width,
        bytes_h,
    );
    // The stream views and graphs want room: they cover the packet list too.
    let big = matches!(
        state.popup,
        Some(Popup::View(
            ViewKind::FollowStream
                | ViewKind::TimeSequence
                | ViewKind::Tcptrace
                | ViewKind::RoundTrip
        ))
    );
    let view = if big {
        Rect::new(screen.x, screen.y, screen.width, avail)
    } else {
        Rect::new(screen.x, details.y, screen.width, details_h + bytes_h)
    };
    Areas {
        list,
        details,
        bytes,
        filter,
        status,
        view,
    }
}

/// The byte column (0..16) under screen column `x` of the bytes pane, if any.
pub fn hex_column_at(x: u16) -> Option<usize> {
    // "0000  xx xx xx xx xx xx xx xx  xx xx ..." : hex starts at 6, a gap after 8 bytes;
    // the text column starts at 6 + 16*3 + 2 = 56.
    let x = usize::from(x);
    if (6..6 + 8 * 3).contains(&x) {
        return Some((x - 6) / 3);
    }
    if (31..31 + 8 * 3).contains(&x) {
        return Some(8 + (x - 31) / 3);
    }
    if (56..72).contains(&x) {
        return Some(x - 56);
    }
    None
}

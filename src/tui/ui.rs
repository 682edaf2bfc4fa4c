//! Drawing `wirelab view`: the packet list, the details tree and the bytes, the filter bar
//! and the status line, and the help and view overlays, from an [`App`].
//!
//! The text comes from the same code as `read`'s output (row cells, detail lines, byte
//! owners and layer colours); this file only lays it out. Row colours follow Wireshark's
//! default colouring rules ([`crate::render::coloring`]), in 24-bit colour when the terminal
//! says it has it (`COLORTERM`), else the nearest of the 256-colour palette.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::app::{App, Colors, Row};
use super::state::{Pane, Popup, ViewKind};
use crate::decode::detail::LayerKind;
use crate::render::coloring::Rgb;
use crate::render::hex::{byte_owners, layer_color, reassembled_byte_owners};
use crate::render::style::Color as BasicColor;

/// The colour of a rule's background and foreground, as the terminal can show it.
fn rgb(c: Rgb, truecolor: bool) -> Color {
    if truecolor {
        Color::Rgb(c.0, c.1, c.2)
    } else {
        Color::Indexed(xterm256(c))
    }
}

/// The nearest colour of xterm's 256-colour palette (the 6×6×6 cube or the grey ramp).
pub fn xterm256(Rgb(r, g, b): Rgb) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest = |v: u8| {
        (0..6)
            .min_by_key(|&i| (i16::from(LEVELS[i]) - i16::from(v)).abs())
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (nearest(r), nearest(g), nearest(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let dist = |a: (u8, u8, u8)| {
        let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
        d(a.0, r) + d(a.1, g) + d(a.2, b)
    };
    let avg = (u16::from(r) + u16::from(g) + u16::from(b)) / 3;
    let grey_i = ((avg.saturating_sub(3)) / 10).min(23) as u8;
    let grey_v = 8 + 10 * grey_i;
    if dist((grey_v, grey_v, grey_v)) < dist(cube) {
        232 + grey_i
    } else {
        16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8
    }
}

fn basic(c: BasicColor) -> Color {
    match c {
        BasicColor::Red => Color::Red,
        BasicColor::Green => Color::Green,
        BasicColor::Yellow => Color::Yellow,
        BasicColor::Blue => Color::Blue,
        BasicColor::Magenta => Color::Magenta,
        BasicColor::Cyan => Color::Cyan,
        BasicColor::Grey => Color::DarkGray,
        BasicColor::Bold => Color::Reset,
    }
}

/// Style of a pane's title line.
fn title_style(focused: bool) -> Style {
    if focused {
        Style::new()
            .fg(Color::Black)
            .bg(Color::Cyan)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::new().fg(Color::Black).bg(Color::Gray)
    }
}

/// Style of the selected row of a pane.
fn selected_style(focused: bool) -> Style {
    if focused {
        Style::new()
            .fg(Color::White)
            .bg(Color::Blue)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::new().fg(Color::White).bg(Color::DarkGray)
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let s = truncate(s, width);
    if right {
        format!("{s:>width$}")
    } else {
        format!("{s:<width$}")
    }
}

/// Room the Info column should keep on a narrow screen before other columns give way.
const INFO_ROOM: usize = 30;

/// Column widths and header names of the packet list for the rows on screen, on a screen
/// `width` wide: on a narrow one the headers shorten ("Proto", "Len") and long addresses
/// give way (cut with "…") so that Info keeps room.
fn columns(rows: &[(u64, Row)], width: usize) -> ([usize; 6], [&'static str; 7]) {
    let mut w = column_widths(rows);
    let mut names = [
        "No.",
        "Time",
        "Source",
        "Destination",
        "Protocol",
        "Length",
        "Info",
    ];
    let used = |w: &[usize; 6]| w.iter().sum::<usize>() + 6;
    if width < used(&w) + INFO_ROOM {
        names[4] = "Proto";
        names[5] = "Len";
        let content = |f: fn(&Row) -> &str| {
            rows.iter()
                .map(|(_, r)| f(r).chars().count())
                .max()
                .unwrap_or(0)
        };
        w[4] = content(|r| &r.cells.protocol).clamp(5, 8);
        w[5] = content(|r| &r.cells.length).clamp(3, 6);
        w[3] = content(|r| &r.cells.destination).clamp(4, 39);
        let lack = (used(&w) + INFO_ROOM).saturating_sub(width);
        if lack > 0 {
            // Addresses down to 12 characters each, at most.
            let src_cut = (lack / 2).min(w[2].saturating_sub(12));
            let dst_cut = (lack - lack / 2).min(w[3].saturating_sub(12));
            w[2] -= src_cut;
            w[3] -= dst_cut;
        }
        if w[3] < names[3].len() {
            names[3] = "Dest";
        }
    }
    (w, names)
}

/// Column widths of the packet list for the rows on screen.
fn column_widths(rows: &[(u64, Row)]) -> [usize; 6] {
    let w = |f: fn(&Row) -> &str, min: usize, max: usize| {
        rows.iter()
            .map(|(_, r)| f(r).chars().count())
            .max()
            .unwrap_or(0)
            .clamp(min, max)
    };
    [
        w(|r| &r.cells.number, 3, 10),
        w(|r| &r.cells.time, 4, 14),
        w(|r| &r.cells.source, 6, 39),
        w(|r| &r.cells.destination, 11, 39),
        w(|r| &r.cells.protocol, 8, 8),
        w(|r| &r.cells.length, 6, 6),
    ]
}

fn row_text(cols: [&str; 7], w: [usize; 6], width: usize) -> String {
    let line = format!(
        "{} {} {} {} {} {} {}",
        pad(cols[0], w[0], true),
        pad(cols[1], w[1], true),
        pad(cols[2], w[2], false),
        pad(cols[3], w[3], false),
        pad(cols[4], w[4], false),
        pad(cols[5], w[5], true),
        cols[6]
    );
    pad(&line, width, false)
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let a = app.areas;
    draw_list(f, app, a.list);
    draw_details(f, app, a.details);
    draw_bytes(f, app, a.bytes);
    draw_filter(f, app, a.filter);
    draw_status(f, app, a.status);
    match app.state.popup {
        Some(Popup::Help) => draw_help(f, f.area()),
        Some(Popup::View(kind)) => draw_view(f, app, kind, a.view),
        None => {}
    }
}

fn draw_list(f: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let (w, header) = columns(&app.visible, width);
    let focused = app.state.focus == Pane::List && app.state.popup.is_none();
    let mut lines = vec![Line::styled(
        row_text(header, w, width),
        title_style(focused),
    )];
    let rows = app.row_count();
    if rows == 0 {
        let p = app.progress();
        let text = if p.reading {
            "  reading…".to_string()
        } else if app.filtering.is_some() {
            if p.filtering.is_some_and(|(running, _)| running) {
                "  filtering…".to_string()
            } else {
                "  No frame matches the filter. Press / to change it, or / then Enter on an empty bar to show all frames.".to_string()
            }
        } else {
            "  This capture has no frames (yet): waiting for more data.".to_string()
        };
        lines.push(Line::raw(truncate(&text, width)));
    }
    for (i, (_, row)) in app.visible.iter().enumerate() {
        let c = &row.cells;
        let text = row_text(
            [
                &c.number,
                &c.time,
                &c.source,
                &c.destination,
                &c.protocol,
                &c.length,
                &c.info,
            ],
            w,
            width,
        );
        let style = if app.state.top + i == app.state.selected {
            selected_style(focused)
        } else if let Some(rule) = row.rule {
            if app.colors != Colors::Basic {
                let (bg, fg) = rule.colors();
                let truecolor = app.colors == Colors::TrueColor;
                Style::new().bg(rgb(bg, truecolor)).fg(rgb(fg, truecolor))
            } else {
                rule.basic()
                    .map_or(Style::new(), |c| Style::new().fg(basic(c)))
            }
        } else {
            Style::new()
        };
        lines.push(Line::styled(text, style));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn draw_details(f: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let focused = app.state.focus == Pane::Details && app.state.popup.is_none();
    let Some(c) = &app.current else {
        let lines = vec![Line::styled(
            pad(" Details", width, false),
            title_style(focused),
        )];
        f.render_widget(Paragraph::new(lines), area);
        return;
    };
    let tree = &c.tree;
    let title = format!(
        " Details of frame {}   (Enter/→ open, ← close)",
        tree.number
    );
    let mut lines = vec![Line::styled(
        pad(&title, width, false),
        title_style(focused),
    )];
    let rows = app.state.tree_rows(tree);
    for id in rows
        .iter()
        .skip(app.state.tree_top)
        .take(app.areas.details_rows())
    {
        let node = &tree.nodes[id.node];
        let text = match id.leaf {
            None => {
                let mark = if node.children.is_empty() {
                    ' '
                } else if app.state.is_expanded(node.key) {
                    '▾'
                } else {
                    '▸'
                };
                format!("{mark} {}", node.title)
            }
            Some(_) => format!("    {}", tree.text(*id)),
        };
        let style = if *id == app.state.tree_sel {
            selected_style(focused)
        } else if id.leaf.is_none() {
            match node.key {
                super::tree::NodeKey::Why => {
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
                }
                super::tree::NodeKey::Layer(kind, _) => layer_style(kind),
                super::tree::NodeKey::Frame => Style::new().add_modifier(Modifier::BOLD),
            }
        } else {
            Style::new()
        };
        lines.push(Line::styled(pad(&text, width, false), style));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn layer_style(kind: LayerKind) -> Style {
    match layer_color(kind) {
        Some(c) => Style::new().fg(basic(c)).add_modifier(Modifier::BOLD),
        None => Style::new().add_modifier(Modifier::BOLD),
    }
}

fn draw_bytes(f: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let focused = app.state.focus == Pane::Bytes && app.state.popup.is_none();
    let data = app.bytes_shown();
    let Some(c) = &app.current else {
        let lines = vec![Line::styled(
            pad(" Bytes", width, false),
            title_style(focused),
        )];
        f.render_widget(Paragraph::new(lines), area);
        return;
    };
    let layers = c.loaded.packet.layers(&c.loaded.frame.data);
    let reassembled = app.state.reassembled && c.loaded.packet.decoded.reassembled.is_some();
    let owners = if reassembled {
        reassembled_byte_owners(data.len(), &layers)
    } else {
        byte_owners(data.len(), &layers)
    };
    let sel = app.state.highlight(&c.tree);
    let selected = |i: usize| {
        sel.as_ref()
            .is_some_and(|(r, re)| *re == reassembled && r.contains(&i))
    };
    let what = match (&sel, app.state.tree_sel.leaf) {
        (Some((r, _)), _) => {
            let name = c.tree.name(app.state.tree_sel);
            let span = if r.len() == 1 {
                format!("byte {}", r.start)
            } else {
                format!("bytes {}-{}", r.start, r.end.saturating_sub(1))
            };
            format!("   selected: {} = {span}", truncate(name, 40))
        }
        _ => String::new(),
    };
    let title = if reassembled {
        format!(
            " Bytes of the reassembled datagram ({} bytes){what}",
            data.len()
        )
    } else {
        format!(
            " Bytes of frame {} ({} bytes){what}",
            c.tree.number,
            data.len()
        )
    };
    let mut lines = vec![Line::styled(
        pad(&title, width, false),
        title_style(focused),
    )];
    for line in app.state.bytes_top..data.len().div_ceil(16) {
        if lines.len() > app.areas.bytes_rows() {
            break;
        }
        let base = line * 16;
        let mut spans = vec![Span::raw(format!("{base:04x}  "))];
        let mut text = Vec::new();
        for i in 0..16 {
            if i == 8 {
                spans.push(Span::raw(" "));
            }
            let at = base + i;
            let Some(&b) = data.get(at) else {
                spans.push(Span::raw("   "));
                continue;
            };
            let mut style = owners
                .get(at)
                .copied()
                .flatten()
                .and_then(layer_color)
                .map_or(Style::new(), |c| Style::new().fg(basic(c)));
            if selected(at) {
                style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
            }
            if app.state.byte == Some(at) && focused {
                style = style.add_modifier(Modifier::UNDERLINED);
            }
            spans.push(Span::styled(format!("{b:02x}"), style));
            spans.push(Span::raw(" "));
            let ch = if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            };
            text.push(Span::styled(ch.to_string(), style));
        }
        spans.push(Span::raw(" "));
        spans.extend(text);
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn draw_filter(f: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 {
        return;
    }
    let bar = &app.state.filter;
    let width = usize::from(area.width);
    let mut lines = Vec::new();
    if bar.editing {
        let ok = bar.error.is_none();
        let mark = if bar.text.trim().is_empty() {
            Span::styled(
                "  (empty: show all frames)",
                Style::new().fg(Color::DarkGray),
            )
        } else if ok {
            Span::styled("  ✓ Enter to apply", Style::new().fg(Color::Green))
        } else {
            Span::styled("  ✗", Style::new().fg(Color::Red))
        };
        let (before, after): (String, String) = {
            let i = bar
                .text
                .char_indices()
                .nth(bar.cursor)
                .map_or(bar.text.len(), |(i, _)| i);
            (bar.text[..i].to_string(), bar.text[i..].to_string())
        };
        let mut after_chars = after.chars();
        let under = after_chars
            .next()
            .map_or(" ".to_string(), |c| c.to_string());
        let field_style = if ok {
            Style::new().fg(Color::Green)
        } else {
            Style::new().fg(Color::Red)
        };
        lines.push(Line::from(vec![
            Span::styled("Filter: ", Style::new().add_modifier(Modifier::BOLD)),
            Span::styled(before, field_style),
            Span::styled(under, field_style.add_modifier(Modifier::REVERSED)),
            Span::styled(after_chars.collect::<String>(), field_style),
            mark,
        ]));
        if let Some(e) = &bar.error {
            // As `read` shows it: a caret under the column, then the message.
            let caret = format!(
                "{}^ {}",
                " ".repeat("Filter: ".len() + e.column.saturating_sub(1)),
                e.message
            );
            lines.push(Line::styled(
                truncate(&caret, width),
                Style::new().fg(Color::Red),
            ));
        }
    } else {
        let text = match &bar.applied {
            Some(t) => Line::from(vec![
                Span::styled("Filter: ", Style::new().add_modifier(Modifier::BOLD)),
                Span::styled(t.clone(), Style::new().fg(Color::Green)),
                Span::styled("   (/ to change)", Style::new().fg(Color::DarkGray)),
            ]),
            None => Line::from(vec![
                Span::styled("Filter: ", Style::new().add_modifier(Modifier::BOLD)),
                Span::styled(
                    "none — press / to type one, e.g. tcp.port == 7777",
                    Style::new().fg(Color::DarkGray),
                ),
            ]),
        };
        lines.push(text);
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 {
        return;
    }
    let p = app.progress();
    let rows = app.row_count();
    let mut parts = vec![app.index.spec().label.clone()];
    if app.filtering.is_some() {
        parts.push(format!("shown {rows} of {} frames", p.frames));
    } else {
        parts.push(format!("{} frames", p.frames));
    }
    // Live: the drops first, they matter most (and a capture that stopped).
    if let Some(d) = p.drops {
        parts.push(format!("kernel dropped {}", crate::capture::group(d)));
    }
    if let Some(why) = &p.capture_ended {
        parts.push(format!("capture stopped: {why}"));
    }
    if let Some((true, pct)) = p.filtering {
        parts.push(format!("filtering {pct}%"));
    }
    if app.state.follow {
        parts.push("following new frames (↑ stops)".into());
    }
    if p.reading {
        parts.push(format!("reading {}%", p.read_percent.min(99)));
    } else if p.incomplete {
        parts.push("last record incomplete (cut short, or still being written?)".into());
    }
    if p.warnings > 0 {
        parts.push(format!(
            "{} problem{} in the file (last: {})",
            p.warnings,
            if p.warnings == 1 { "" } else { "s" },
            p.last_warning.clone().unwrap_or_default()
        ));
    }
    if let Some(n) = &app.state.note {
        parts.push(n.clone());
    }
    let right = "? help  q quit";
    let left = parts.join(" │ ");
    let width = usize::from(area.width);
    let room = width.saturating_sub(right.len() + 1);
    let text = format!("{:<room$} {right}", truncate(&left, room));
    f.render_widget(
        Paragraph::new(Line::styled(
            pad(&text, width, false),
            Style::new().fg(Color::Black).bg(Color::Gray),
        )),
        area,
    );
}

/// One line of a view, `left` characters scrolled off and at most `width` shown (`›` when
/// there is more to the right). The renderers' ANSI colours (SGR codes) become styles;
/// tabs (node 1 in Follow stream, as tshark writes it) show as four spaces.
pub fn view_line(line: &str, left: usize, width: usize, base: Style) -> Line<'static> {
    let mut cells: Vec<(char, Style)> = Vec::new();
    let mut style = base;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            let mut params = String::new();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
                params.push(d);
            }
            for p in params.split(';') {
                style = match p {
                    "" | "0" => base,
                    "1" => style.add_modifier(Modifier::BOLD),
                    "31" => style.fg(Color::Red),
                    "32" => style.fg(Color::Green),
                    "33" => style.fg(Color::Yellow),
                    "34" => style.fg(Color::Blue),
                    "35" => style.fg(Color::Magenta),
                    "36" => style.fg(Color::Cyan),
                    "90" => style.fg(Color::DarkGray),
                    _ => style,
                };
            }
        } else if c == '\t' {
            cells.extend(std::iter::repeat_n((' ', style), 4));
        } else if !c.is_control() {
            cells.push((c, style));
        }
    }
    let more = cells.len() > left + width;
    let mut shown: Vec<(char, Style)> = cells.into_iter().skip(left).take(width).collect();
    if more && let Some(last) = shown.last_mut() {
        last.0 = '›';
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_style = base;
    for (c, st) in shown {
        if st != run_style && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), run_style));
        }
        run_style = st;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, run_style));
    }
    Line::from(spans)
}

/// The help text (lines of at most 76 characters, so that it fits 80 columns).
pub fn help_lines() -> Vec<String> {
    let mut v: Vec<String> = [
        "Moving",
        "  ↑ ↓  j k       previous / next row (frame, field or byte)",
        "  PgUp PgDn      a page up / down",
        "  g  Home        first row",
        "  G  End         last row; the list then follows new frames (↑ stops)",
        "  Tab Shift-Tab  next / previous pane: packets → details → bytes",
        "  mouse          click selects (twice opens a layer), the wheel scrolls",
        "Details and bytes",
        "  Enter  →       open a layer;  ←  close it (on a field: go up to it)",
        "  the selected field's bytes are highlighted in the bytes pane;",
        "  there, ← → ↑ ↓ pick a byte and select its field",
        "Filter",
        "  /  f           type a display filter, as `wirelab read --filter` takes;",
        "                 Enter applies, Esc cancels, empty shows every frame",
        "Views",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for k in ViewKind::ALL {
        let name = match k {
            ViewKind::Handshakes => "handshake and teardown of the selected TCP stream",
            ViewKind::Conversations => "conversations and endpoints",
            ViewKind::FollowStream => "follow the selected TCP stream (its payload)",
            ViewKind::TimeSequence => "time-sequence graph (Stevens) of the selected stream",
            ViewKind::Tcptrace => "time-sequence graph (tcptrace) of the selected stream",
            ViewKind::RoundTrip => "round-trip time graph of the selected stream",
        };
        v.push(format!("  {}              {name}", k.key()));
    }
    v.push("  Esc  q         close a view or this help".into());
    v.push("Quit with q (or Ctrl-C). Without a terminal, use `wirelab read FILE`.".into());
    v
}

fn draw_help(f: &mut Frame, screen: Rect) {
    let lines = help_lines();
    let w = (lines.iter().map(|l| l.chars().count()).max().unwrap_or(40) + 4)
        .min(usize::from(screen.width)) as u16;
    let h = (lines.len() as u16 + 2).min(screen.height);
    let area = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" wirelab view: keys (Esc closes) ");
    let text: Vec<Line> = lines.into_iter().map(Line::raw).collect();
    f.render_widget(Paragraph::new(text).block(block), area);
}

fn draw_view(f: &mut Frame, app: &App, kind: ViewKind, area: Rect) {
    if area.height < 3 {
        return;
    }
    f.render_widget(Clear, area);
    let (title, lines, progress) = match &app.view {
        Some(v) => {
            let progress = match &v.body {
                super::views::ViewBody::Running(r) => {
                    let (n, done) = r.progress();
                    (!done).then(|| format!("  (reading: {n} frames so far)"))
                }
                super::views::ViewBody::Message(_) => None,
            };
            (
                v.title.clone(),
                v.lines(app.areas.view_width(), app.areas.view_rows()),
                progress,
            )
        }
        None => (kind.name().to_string(), Vec::new(), None),
    };
    let block = Block::default().borders(Borders::ALL).title(format!(
        " {title}{}   Esc closes, arrows scroll ",
        progress.unwrap_or_default()
    ));
    let (top, left) = app.state.view_scroll;
    let inner = usize::from(area.width.saturating_sub(2));
    let text: Vec<Line> = lines
        .iter()
        .skip(top)
        .take(app.areas.view_rows())
        .map(|l| {
            // Lines without colours of their own are coloured by content.
            let base = if l.contains('\x1b') {
                Style::new()
            } else if l.contains("|--") || l.contains("|<-") {
                Style::new().fg(Color::Cyan)
            } else if l.starts_with("TCP stream")
                || l.ends_with("conversations: 0")
                || l.contains("conversations:")
            {
                Style::new().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            view_line(l, left, inner, base)
        })
        .collect();
    f.render_widget(Paragraph::new(text).block(block), area);
}

impl App {
    /// Draws one screen of `width`×`height` into a buffer (ratatui's test backend): what a
    /// terminal of that size would show.
    pub fn draw_to_buffer(&mut self, width: u16, height: u16) -> ratatui::buffer::Buffer {
        let backend = ratatui::backend::TestBackend::new(width, height);
        let mut terminal = match ratatui::Terminal::new(backend) {
            Ok(t) => t,
            Err(e) => match e {},
        };
        self.prepare(Rect::new(0, 0, width, height));
        let _ = terminal.draw(|f| draw(f, self));
        terminal.backend().buffer().clone()
    }
}

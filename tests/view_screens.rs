//! Golden screens of `wirelab view` on the bundled captures, drawn with ratatui's test
//! backend at fixed sizes (mostly 100×30), after scripted keys: the start screen, a frame's
//! TCP layer opened with its Seq field selected, the filter bar (a bad filter with its
//! caret, a good one applied), the help, the views and a reassembled datagram.
//!
//! Goldens are in `tests/golden/view/`, checked by hand against `wirelab read` and tshark;
//! re-bless with `WIRELAB_BLESS=1`. The highlighted bytes are also checked against tshark's
//! value of the field (its golden in `tests/golden/tshark/`).

mod support;

use std::path::Path;
use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use support::golden::{check_screen, screen_text, tshark_u32_hex};
use wirelab::tui::app::App;
use wirelab::tui::index::SourceSpec;
use wirelab::tui::state::Key;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const SETTLE: Duration = Duration::from_secs(30);

fn open(capture: &str) -> App {
    let path = Path::new(MANIFEST_DIR).join("captures").join(capture);
    let mut spec = SourceSpec::file(&path);
    spec.label = format!("captures/{capture}");
    let mut app = App::open(spec, false).unwrap();
    assert!(app.settle(SETTLE));
    app
}

fn press(app: &mut App, w: u16, h: u16, keys: &[Key]) {
    for k in keys {
        // Draw before each key, as the terminal does: keys act on what is on screen.
        app.draw_to_buffer(w, h);
        app.on_key(*k);
        assert!(app.settle(SETTLE));
    }
}

fn typed(s: &str) -> Vec<Key> {
    s.chars().map(Key::Char).collect()
}

/// The hex digits drawn reversed (the highlighted bytes) in the bytes pane.
fn highlighted_hex(buf: &Buffer) -> Vec<String> {
    let mut out = Vec::new();
    for y in 0..buf.area.height {
        let mut x = 0;
        while x < buf.area.width.min(55) {
            let c = &buf[(x, y)];
            let next = buf.area.width > x + 1;
            if c.modifier.contains(Modifier::REVERSED)
                && next
                && buf[(x + 1, y)].modifier.contains(Modifier::REVERSED)
                && c.symbol().chars().all(|ch| ch.is_ascii_hexdigit())
                && buf[(x + 1, y)]
                    .symbol()
                    .chars()
                    .all(|ch| ch.is_ascii_hexdigit())
            {
                out.push(format!("{}{}", c.symbol(), buf[(x + 1, y)].symbol()));
                x += 2;
            } else {
                x += 1;
            }
        }
    }
    out
}

#[test]
fn start_screen() {
    let mut app = open("tcp-handshake.pcapng");
    check_screen("handshake-start-100x30", &app.draw_to_buffer(100, 30));
    check_screen("handshake-start-80x24", &app.draw_to_buffer(80, 24));
}

/// Select frame 3, open TCP, select the Seq field: the highlighted bytes are the raw
/// sequence number tshark reads there.
#[test]
fn frame_3_tcp_seq_field_highlights_its_bytes() {
    let mut app = open("tcp-handshake.pcapng");
    let mut keys = vec![
        Key::Down,
        Key::Down,
        Key::Tab,
        Key::Down,
        Key::Down,
        Key::Down,
    ];
    keys.push(Key::Enter);
    keys.extend([Key::Down; 5]);
    press(&mut app, 100, 30, &keys);
    let buf = app.draw_to_buffer(100, 30);
    check_screen("handshake-frame3-tcp-seq", &buf);
    let want = tshark_u32_hex("tcp-handshake.pcapng", 3, "tcp.seq_raw");
    assert_eq!(highlighted_hex(&buf), want);
    // Selecting a byte of the ports selects the port field.
    press(&mut app, 100, 30, &[Key::Tab, Key::Home]);
    for _ in 0..36 {
        press(&mut app, 100, 30, &[Key::Right]);
    }
    let buf = app.draw_to_buffer(100, 30);
    assert!(
        screen_text(&buf).contains("selected: Destination Port = bytes 36-37"),
        "{}",
        screen_text(&buf)
    );
    assert_eq!(highlighted_hex(&buf), ["1e", "61"]); // 7777
}

#[test]
fn filter_bar_shows_errors_like_read_and_applies_filters() {
    let mut app = open("tcp-handshake.pcapng");
    let mut keys = vec![Key::Char('/')];
    keys.extend(typed("ip.addr == 10.0.3"));
    press(&mut app, 100, 30, &keys);
    check_screen("filter-error", &app.draw_to_buffer(100, 30));
    let mut keys = vec![Key::Ctrl('u')];
    keys.extend(typed("tcp.flags.fin == 1"));
    keys.push(Key::Enter);
    press(&mut app, 100, 30, &keys);
    check_screen("filter-fin", &app.draw_to_buffer(100, 30));
    assert_eq!(app.row_count(), 2);
}

#[test]
fn help_and_views() {
    let mut app = open("tcp-handshake.pcapng");
    press(&mut app, 100, 30, &[Key::Char('?')]);
    check_screen("help", &app.draw_to_buffer(100, 30));
    press(
        &mut app,
        100,
        30,
        &[Key::Esc, Key::Down, Key::Down, Key::Char('h')],
    );
    check_screen("view-handshakes", &app.draw_to_buffer(100, 30));
    press(&mut app, 100, 30, &[Key::Char('c')]);
    check_screen("view-conversations", &app.draw_to_buffer(100, 30));
    press(&mut app, 100, 30, &[Key::Char('F')]);
    check_screen("view-follow-handshake", &app.draw_to_buffer(100, 30));
    // On an ARP frame, the handshake view says what to do.
    press(
        &mut app,
        100,
        30,
        &[Key::Esc, Key::Char('g'), Key::Char('h')],
    );
    assert!(screen_text(&app.draw_to_buffer(100, 30)).contains("Select a TCP frame"));
}

#[test]
fn analysis_flags_at_the_end_small_terminal() {
    let mut app = open("tcp-analysis.pcapng");
    press(&mut app, 80, 24, &[Key::Char('G')]);
    check_screen("analysis-end-80x24", &app.draw_to_buffer(80, 24));
}

#[test]
fn wide_terminal_ipv6() {
    let mut app = open("ipv6.pcapng");
    press(
        &mut app,
        200,
        60,
        &[
            Key::Down,
            Key::Down,
            Key::Down,
            Key::Tab,
            Key::Char('G'),
            Key::Enter,
        ],
    );
    check_screen("ipv6-200x60", &app.draw_to_buffer(200, 60));
}

/// The frame that completes a fragmented UDP datagram: its UDP layer's bytes are in the
/// reassembled datagram, which the bytes pane then shows.
#[test]
fn reassembled_datagram_bytes() {
    let mut app = open("fragments.pcapng");
    let mut keys = vec![Key::Char('/')];
    keys.extend(typed("udp"));
    keys.extend([Key::Enter, Key::Tab, Key::Char('G')]);
    press(&mut app, 100, 30, &keys);
    // Up from the last layer (the data) to the UDP layer.
    press(&mut app, 100, 30, &[Key::Up]);
    let buf = app.draw_to_buffer(100, 30);
    check_screen("fragments-reassembled-udp", &buf);
    assert!(screen_text(&buf).contains("Bytes of the reassembled datagram"));
}

/// Mouse: a click on a row selects that frame, on a layer selects it (a second click
/// opens it), on a byte selects its field; the wheel scrolls the list without moving the
/// selection.
#[test]
fn mouse_selects_rows_fields_and_bytes() {
    use wirelab::tui::app::Mouse;
    let mut app = open("tcp-handshake.pcapng");
    app.draw_to_buffer(100, 30);
    let a = app.areas;
    // Row 3 of the list is the fourth line of the pane (after the header).
    app.on_mouse(Mouse::Click(10, a.list.y + 3));
    assert!(app.settle(SETTLE));
    app.draw_to_buffer(100, 30);
    assert_eq!(app.selected_frame(), Some(3));
    // The TCP layer is the fourth tree row: click it twice to open it.
    let tcp_line = a.details.y + 4;
    app.on_mouse(Mouse::Click(20, tcp_line));
    app.on_mouse(Mouse::Click(20, tcp_line));
    let buf = app.draw_to_buffer(100, 30);
    assert!(
        screen_text(&buf).contains("Source Port: 40000"),
        "{}",
        screen_text(&buf)
    );
    // Byte 38 (line 2, column 6 of the hex) selects the sequence number.
    let a = app.areas;
    let x = a.bytes.x + 6 + 6 * 3 + 1;
    app.on_mouse(Mouse::Click(x, a.bytes.y + 3));
    let buf = app.draw_to_buffer(100, 30);
    assert!(
        screen_text(&buf).contains("selected: Sequence Number = bytes 38-41"),
        "{}",
        screen_text(&buf)
    );
    // The wheel scrolls the list; the selection stays on frame 3.
    app.on_mouse(Mouse::ScrollDown(10, a.list.y + 2));
    app.draw_to_buffer(100, 30);
    assert_eq!(app.state.top, 3);
    assert_eq!(app.selected_frame(), Some(3));
}

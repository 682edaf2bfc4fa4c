//! `wirelab view` end to end in a real terminal: tmux runs it (its own tmux server, so
//! nothing else on the machine is touched), keys go in with `send-keys`, the screen comes
//! out with `capture-pane -e` (colours and attributes kept). Open a capture, select frame 3,
//! open TCP, select the Seq field and check that the highlighted bytes are the raw sequence
//! number tshark reads there; apply a filter and compare the list with `read --filter`;
//! follow the stream (F) and compare with `read --follow`; quit with q: exit code 0, the terminal back in cooked mode, the alternate screen left.
//!
//! Needs tmux (Debian package `tmux`, installed by `.ci/run`): skipped with a note when it
//! is missing outside CI, a failure in CI.

use std::path::Path;
use std::process::Command;

mod support;

use support::golden::tshark_u32_hex;
use support::tmux::{Tmux, strip, tmux_available};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The shell command line that views `capture`.
fn view_command(capture: &Path) -> String {
    format!(
        "'{}' view '{}'",
        env!("CARGO_BIN_EXE_wirelab"),
        capture.display()
    )
}

/// The hex bytes shown in reverse video in the bytes pane of a `capture-pane -e` screen.
fn reversed_hex_bytes(screen: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_bytes = false;
    for line in screen.lines() {
        let plain = strip(line);
        if plain.starts_with(" Bytes of") {
            in_bytes = true;
            continue;
        }
        if !in_bytes || plain.len() < 6 || !plain[..4].chars().all(|c| c.is_ascii_hexdigit()) {
            if in_bytes
                && !plain.is_empty()
                && !plain[..4.min(plain.len())]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit())
            {
                in_bytes = false;
            }
            continue;
        }
        // Walk the line, tracking reverse video, over the hex columns only (before the text).
        let mut reverse = false;
        let mut col = 0;
        let mut cur = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' && chars.peek() == Some(&'[') {
                chars.next();
                let mut params = String::new();
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                    params.push(d);
                }
                let mut it = params.split(';').peekable();
                while let Some(p) = it.next() {
                    match p {
                        "" | "0" => reverse = false,
                        "7" => reverse = true,
                        "27" => reverse = false,
                        "38" | "48" | "58" => {
                            if it.next() == Some("5") {
                                it.next();
                            } else {
                                it.next();
                                it.next();
                                it.next();
                            }
                        }
                        _ => {}
                    }
                }
                continue;
            }
            if (6..55).contains(&col) && reverse && c.is_ascii_hexdigit() {
                cur.push(c);
                if cur.len() == 2 {
                    out.push(std::mem::take(&mut cur));
                }
            } else {
                cur.clear();
            }
            col += 1;
        }
    }
    out
}

fn list_numbers(screen: &str) -> Vec<u64> {
    let mut v = Vec::new();
    for line in screen.lines().skip(1) {
        let Some(first) = line.split_whitespace().next() else {
            break;
        };
        match first.parse() {
            Ok(n) => v.push(n),
            Err(_) => break,
        }
    }
    v
}

#[test]
fn select_field_highlight_filter_and_quit_in_tmux() {
    if !tmux_available() {
        return;
    }
    let capture = Path::new(MANIFEST_DIR).join("captures/tcp-handshake.pcapng");
    let t = Tmux::start(100, 30, &view_command(&capture));
    t.wait_for("the packet list", |s| {
        s.contains("No.") && s.contains("Who has 10.0.3.1?")
    });
    t.keys(&["j", "j"]);
    t.wait_for("frame 3", |s| s.contains("Details of frame 3"));
    // Details: Frame, Ethernet, IPv4, TCP; open TCP; down to Sequence Number.
    t.keys(&["Tab", "Down", "Down", "Down", "Enter"]);
    t.wait_for("TCP open", |s| s.contains("Source Port: 40000"));
    t.keys(&["Down", "Down", "Down", "Down", "Down"]);
    let s = t.wait_for("the Seq field", |s| {
        s.contains("selected: Sequence Number = bytes 38-41")
    });
    assert!(
        s.contains("Sequence Number: 0 (relative)  raw: 3251236012"),
        "{s}"
    );
    let want = tshark_u32_hex("tcp-handshake.pcapng", 3, "tcp.seq_raw");
    let screen = t.screen(true);
    assert_eq!(
        reversed_hex_bytes(&screen),
        want,
        "highlighted bytes:\n{screen}"
    );

    // A filter: the list is what `read --filter` prints.
    t.keys(&["/"]);
    t.type_text("tcp.flags.fin == 1");
    t.wait_for("the filter typed", |s| s.contains("✓ Enter to apply"));
    t.keys(&["Enter"]);
    let s = t.wait_for("the filtered list", |s| s.contains("shown 2 of 16 frames"));
    let read = Command::new(env!("CARGO_BIN_EXE_wirelab"))
        .args(["read", "--color", "never", "--filter", "tcp.flags.fin == 1"])
        .arg(&capture)
        .output()
        .unwrap();
    let want: Vec<u64> = list_numbers(&String::from_utf8_lossy(&read.stdout));
    assert_eq!(list_numbers(&s), want);
    assert_eq!(want, [14, 15]);

    // Follow the selected frame's stream (frame 14, stream 0): the text of `read --follow
    // 0`, node 0 red and node 1 blue.
    t.keys(&["F"]);
    let s = t.wait_for("the followed stream", |s| {
        s.contains("Follow TCP stream 0") && s.contains("fine, bye") && s.contains("=====")
    });
    let follow = Command::new(env!("CARGO_BIN_EXE_wirelab"))
        .args(["read", "--follow", "0"])
        .arg(&capture)
        .output()
        .unwrap();
    for line in String::from_utf8_lossy(&follow.stdout).lines() {
        let line = line.replace('\t', "    ");
        assert!(s.contains(&line), "{line:?} is not on screen:\n{s}");
    }
    let colored = t.screen(true);
    let color_of = |text: &str| {
        colored.lines().find(|l| strip(l).contains(text)).map(|l| {
            let red = l.contains("\x1b[31m") || l.contains("\x1b[38;5;1m");
            let blue = l.contains("\x1b[34m") || l.contains("\x1b[38;5;4m");
            red as u8 + 2 * blue as u8
        })
    };
    assert_eq!(color_of("hello from client"), Some(1), "{colored}");
    assert_eq!(color_of("hello from server"), Some(2), "{colored}");
    t.keys(&["Escape"]);
    t.wait_for("the list again", |s| !s.contains("Follow TCP stream"));

    // Quit: exit code 0, cooked mode back, alternate screen left.
    t.keys(&["q"]);
    let (status, stty) = t.wait_quit();
    assert_eq!(status, "exit=0");
    assert!(
        stty.contains(" icanon") && !stty.contains("-icanon"),
        "raw mode left on:\n{stty}"
    );
    assert!(
        stty.contains(" echo ") && !stty.contains("-echo "),
        "echo left off:\n{stty}"
    );
    let alt = t
        .cmd(&["display-message", "-p", "-t", "view", "#{alternate_on}"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&alt.stdout).trim(), "0");
    assert!(
        !t.screen(false).contains("Details of frame"),
        "the view is still on screen"
    );
}

/// Piped (no terminal): a clear error that points to `read`, exit code 1.
#[test]
fn without_a_terminal_it_points_to_read() {
    let capture = Path::new(MANIFEST_DIR).join("captures/tcp-handshake.pcapng");
    let out = Command::new(env!("CARGO_BIN_EXE_wirelab"))
        .arg("view")
        .arg(&capture)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(err.contains("wirelab read"), "{err}");
    assert!(out.stdout.is_empty());
}

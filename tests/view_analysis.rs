//! The analysis views of `wirelab view` (Follow stream, the Stevens and tcptrace
//! time-sequence graphs, the round-trip time graph) show what `wirelab read --follow N` and
//! `wirelab graph` print for the same stream, from the same code: the view's text is
//! compared with the command's output (whose own tests compare it with tshark). Golden
//! screens (ratatui's test backend, 100×30) in `tests/golden/view/`, re-blessed with
//! `WIRELAB_BLESS=1`.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::golden::{check_screen, screen_text};
use wirelab::tui::app::App;
use wirelab::tui::index::SourceSpec;
use wirelab::tui::state::Key;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const SETTLE: Duration = Duration::from_secs(60);

fn capture(name: &str) -> std::path::PathBuf {
    Path::new(MANIFEST_DIR).join("captures").join(name)
}

fn open(path: &Path, label: &str) -> App {
    let mut spec = SourceSpec::file(path);
    spec.label = label.to_string();
    let mut app = App::open(spec, false).unwrap();
    assert!(app.settle(SETTLE));
    app
}

fn press(app: &mut App, w: u16, h: u16, keys: &[Key]) {
    for k in keys {
        app.draw_to_buffer(w, h);
        app.on_key(*k);
        assert!(app.settle(SETTLE));
    }
}

/// The open view's text, without colours, one line each.
fn view_text(app: &App, w: usize, h: usize) -> String {
    let v = app.view.as_ref().expect("a view is open");
    let mut s = String::new();
    for l in v.lines(w, h) {
        s.push_str(&support::tmux::strip(&l));
        s.push('\n');
    }
    s
}

fn wirelab(args: &[&str], file: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wirelab"))
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn follow_stream_is_reads_follow_text() {
    // Frame 3 of each is stream 0's SYN; the last frame of tcp-analysis is stream 1's.
    for (name, down, stream) in [
        ("tcp-handshake.pcapng", 2, 0),
        ("tcp-analysis.pcapng", 2, 0),
        ("tcp-analysis.pcapng", 10_000, 1),
    ] {
        let path = capture(name);
        let mut app = open(&path, name);
        let mut keys = if down > 100 {
            vec![Key::Char('G')]
        } else {
            vec![Key::Down; down]
        };
        keys.push(Key::Char('F'));
        press(&mut app, 100, 30, &keys);
        let title = app.view.as_ref().unwrap().title.clone();
        assert!(
            title.contains(&format!("stream {stream}")),
            "{title}: {}",
            view_text(&app, 98, 26)
        );
        let want = wirelab(&["read", "--follow", &stream.to_string()], &path);
        assert_eq!(view_text(&app, 98, 26), want, "{name}");
    }
}

#[test]
fn graphs_are_wirelab_graphs_series_on_the_same_canvas() {
    let path = capture("tcp-analysis.pcapng");
    for (key, kind) in [('S', "stevens"), ('T', "tcptrace"), ('R', "rtt")] {
        for (down, stream) in [(2usize, 0), (10_000, 1)] {
            let mut app = open(&path, "captures/tcp-analysis.pcapng");
            let mut keys = if down > 100 {
                vec![Key::Char('G')]
            } else {
                vec![Key::Down; down]
            };
            keys.push(Key::Char(key));
            press(&mut app, 100, 30, &keys);
            let title = app.view.as_ref().unwrap().title.clone();
            assert!(
                title.contains(&format!("--stream {stream} --kind {kind}")),
                "{title}"
            );
            // The view gives the plot its pane less the labels: 10 columns, 6 lines.
            let (w, h) = (98, 26);
            let want = wirelab(
                &[
                    "graph",
                    "--stream",
                    &stream.to_string(),
                    "--kind",
                    kind,
                    "--width",
                    &(w - 10).to_string(),
                    "--height",
                    &(h - 6).to_string(),
                    "--color",
                    "never",
                ],
                &path,
            );
            assert_eq!(view_text(&app, w, h), want, "{kind} of stream {stream}");
        }
    }
}

#[test]
fn golden_screens_of_the_analysis_views() {
    let path = capture("tcp-analysis.pcapng");
    let mut app = open(&path, "captures/tcp-analysis.pcapng");
    press(&mut app, 100, 30, &[Key::Down, Key::Down, Key::Char('F')]);
    check_screen("view-follow", &app.draw_to_buffer(100, 30));
    press(&mut app, 100, 30, &[Key::Char('S')]);
    check_screen("view-stevens", &app.draw_to_buffer(100, 30));
    press(&mut app, 100, 30, &[Key::Char('T')]);
    check_screen("view-tcptrace", &app.draw_to_buffer(100, 30));
    press(&mut app, 100, 30, &[Key::Char('R')]);
    check_screen("view-rtt", &app.draw_to_buffer(100, 30));
    // On an ARP frame, the views say what to do.
    press(
        &mut app,
        100,
        30,
        &[Key::Esc, Key::Char('g'), Key::Char('F')],
    );
    assert!(screen_text(&app.draw_to_buffer(100, 30)).contains("Select a TCP frame"));
}

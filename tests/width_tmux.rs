//! 80 columns in a real terminal: tmux (its own server) runs `read`, `read --handshakes` and
//! `serve --from` at 80×40; the whole scroll-back, with wrapped lines joined again
//! (`capture-pane -J`), must have no line wider than 80 columns: nothing wrapped.
//!
//! Needs tmux: skipped with a note when it is missing outside CI, a failure in CI.

use std::path::Path;

mod support;

use support::tmux::{Tmux, strip, tmux_available};
use support::{Need, require};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Runs `args` in an 80×40 terminal; returns every line it printed, wrapped lines joined.
fn run_at_80(args: &str) -> String {
    let cmd = format!(
        "cd '{MANIFEST_DIR}' && env -u COLUMNS '{}' {args}",
        env!("CARGO_BIN_EXE_wirelab")
    );
    let t = Tmux::start(80, 40, &cmd);
    let (status, _) = t.wait_quit();
    assert_eq!(status, "exit=0", "{}", t.screen(false));
    let out = t
        .cmd(&["capture-pane", "-p", "-J", "-S", "-", "-t", "view"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_fits(what: &str, text: &str) {
    let mut lines = 0;
    for line in text.lines() {
        let plain = strip(line);
        let cols = plain.trim_end().chars().count();
        assert!(
            cols <= 80,
            "{what}: a line of {cols} columns wrapped:\n{plain}"
        );
        lines += 1;
    }
    assert!(lines > 5, "{what}: too little output:\n{text}");
}

#[test]
fn read_handshakes_and_serve_fit_an_80_column_terminal() {
    if !tmux_available() {
        return;
    }
    assert!(
        Path::new(MANIFEST_DIR)
            .join("captures/tcp-analysis.pcapng")
            .exists()
    );
    let list = run_at_80("read captures/tcp-analysis.pcapng");
    assert_fits("read", &list);
    assert!(list.contains('…'), "{list}");
    let hs = run_at_80("read captures/tcp-analysis.pcapng --handshakes");
    assert_fits("read --handshakes", &hs);
    assert!(hs.contains("Why"), "{hs}");
    let serve = run_at_80("serve --from captures/tcp-analysis.pcapng --port 7777");
    assert_fits("serve", &serve);
    assert!(serve.contains("data segments and"), "{serve}");
    assert!(serve.lines().count() < 200, "{}", serve.lines().count());
}

#[test]
fn live_serve_receiving_a_connection_fits_an_80_column_terminal() {
    if !tmux_available() || !require(Need::Root) {
        return;
    }
    let lan = support::netns::Lan::new("w80");
    let cmd = format!(
        "env -u COLUMNS ip netns exec '{}' '{}' serve --port 8080 -i eth0 --duration 4",
        lan.server.name,
        env!("CARGO_BIN_EXE_wirelab")
    );
    let t = Tmux::start(80, 40, &cmd);
    t.wait_for("serve to listen", |s| s.contains("8080"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut client = lan.client.wirelab();
    client.args(["tcp-client", "10.0.3.1:8080"]);
    let out = support::run(&mut client);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Thanks for connecting"));
    let (status, _) = t.wait_quit();
    assert_eq!(status, "exit=0", "{}", t.screen(false));
    let out = t
        .cmd(&["capture-pane", "-p", "-J", "-S", "-", "-t", "view"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("══ connection #1"), "{text}");
    assert_fits("serve", &text);
}

//! `wirelab view -i IFACE -w FILE` end to end: a real capture on a veth link between two
//! network namespaces made by the test (tests/support/netns.rs), the view running in tmux
//! inside the client's namespace (tests/support/tmux.rs). The project's TCP client talks to its
//! server in the other namespace; the screen is read while the connection is still open (the SYN
//! is on screen before the client has sent anything), then after it closed (the FINs), then
//! q quits with exit code 0. The file is checked with tshark: it reads it cleanly, it has
//! the handshake and the teardown, and as many frames as the view said it had; the rows on
//! screen are `wirelab read`'s rows of that file.
//!
//! Needs root (namespaces, packet sockets) and tmux and tshark: skipped with a note
//! otherwise, unless `CI` is set, where they must be there.

mod support;

use std::path::Path;
use std::process::Command;

use support::netns::{Lan, Netns};
use support::proc::{Proc, WAIT};
use support::tmux::{Tmux, tmux_available};
use support::{BIN, Need, require, run, tshark_fields};

fn quiet_ipv6(ns: &Netns) {
    // No router solicitations or DAD at random moments.
    ns.sysctl("net.ipv6.conf.all.disable_ipv6", "1");
    ns.sysctl("net.ipv6.conf.default.disable_ipv6", "1");
    ns.sysctl("net.ipv6.conf.eth0.disable_ipv6", "1");
}

/// The frame count of the status line ("… │ 12 frames │ …").
fn status_frames(screen: &str) -> Option<u64> {
    let status = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    let words: Vec<&str> = status.split_whitespace().collect();
    words
        .windows(2)
        .find(|w| w[1] == "frames")
        .and_then(|w| w[0].replace(',', "").parse().ok())
}

/// The packet-list rows on screen (lines that start with a frame number), by number.
fn screen_rows(screen: &str) -> Vec<(u64, String)> {
    let mut v = Vec::new();
    for line in screen.lines().skip(1) {
        let Some(first) = line.split_whitespace().next() else {
            break;
        };
        match first.parse() {
            Ok(n) => v.push((n, line.trim_end().to_string())),
            Err(_) => break,
        }
    }
    v
}

#[test]
fn live_view_shows_frames_as_they_happen_and_keeps_them_in_the_file() {
    if !require(Need::Root) || !tmux_available() || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = Lan::new("vlive");
    quiet_ipv6(&lan.server);
    quiet_ipv6(&lan.client);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("live.pcapng");
    let width = 140;
    let command = format!(
        "ip netns exec {} '{BIN}' view -i eth0 -w '{}'",
        lan.client.name,
        file.display()
    );
    // Declared after the namespaces: dropped (killed) first.
    let t = Tmux::start(width, 40, &command);
    let s = t.wait_for("the live view", |s| s.contains("live on eth0"));
    assert!(s.contains("kernel dropped 0"), "{s}");
    assert!(s.contains("following new frames"), "{s}");

    let mut server = lan.server.wirelab();
    server.args(["tcp-server", "--bind", Lan::SERVER, "--port", "8080"]);
    let server = Proc::spawn("tcp-server", server);
    server.wait_for("listening on");
    let mut client = lan.client.wirelab();
    client.args(["tcp-client", "10.0.3.1:8080", "--lines"]);
    let mut client = Proc::spawn("tcp-client", client);
    client.wait_for("connected to");
    // The connection is open and nothing was sent yet: the handshake is on screen.
    let s = t.wait_for("the handshake, live", |s| {
        s.contains("→ 8080 [SYN]") && s.contains("8080 → ") && s.contains("[SYN, ACK]")
    });
    assert!(!s.contains("[FIN"), "a FIN before the client closed:\n{s}");
    client.write_stdin(b"hello from the live test\n");
    client.wait_for("Thanks for connecting");
    client.close_stdin();
    assert_eq!(
        client.wait_exit_within(WAIT).code(),
        Some(0),
        "{}",
        client.transcript()
    );
    t.wait_for("the teardown", |s| s.matches("[FIN, ACK]").count() >= 2);
    drop(server);
    // Let the last frames in, then read the count the view shows.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let s = t.wait_for("a settled count", |now| {
        status_frames(now).is_some() && now == t.screen(false)
    });
    let shown = status_frames(&s).unwrap_or_else(|| panic!("no frame count:\n{s}"));
    let rows = screen_rows(&s);
    assert!(!rows.is_empty(), "{s}");

    t.keys(&["q"]);
    let (status, stty) = t.wait_quit();
    assert_eq!(status, "exit=0", "{}", t.screen(false));
    assert!(
        stty.contains(" icanon") && !stty.contains("-icanon"),
        "{stty}"
    );
    // The summary `wirelab capture` prints, after the screen is restored.
    let after = t.screen(false);
    assert!(after.contains("frames captured on eth0"), "{after}");

    // tshark: the file is whole, and has the exchange.
    let check = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    let tcp = tshark_fields(
        &file,
        &[
            "frame.number",
            "tcp.srcport",
            "tcp.dstport",
            "tcp.flags.str",
        ],
    );
    let all = tshark_fields(&file, &["frame.number"]);
    let flags: Vec<&str> = tcp
        .iter()
        .filter(|r| r[1] == "8080" || r[2] == "8080")
        .map(|r| r[3].as_str())
        .collect();
    assert!(
        flags.iter().any(|f| f.contains("S") && !f.contains("A")),
        "{tcp:?}"
    );
    assert!(
        flags.iter().filter(|f| f.contains("F")).count() >= 2,
        "{tcp:?}"
    );
    // The view had every frame of the file when it quit (nothing came after the exchange
    // but, at most, a late frame the view had not drawn yet).
    let in_file = all.len() as u64;
    assert!(
        shown == in_file || shown + 2 >= in_file && shown <= in_file,
        "view showed {shown} frames, the file has {in_file}"
    );

    // The rows on screen are `wirelab read`'s rows of the file (column widths differ; the
    // Info column may be cut at the screen's edge).
    let read = run(Command::new(BIN)
        .args(["read", "--color", "never"])
        .arg(&file));
    let read = String::from_utf8_lossy(&read.stdout);
    for (n, row) in rows {
        let want = read
            .lines()
            .find(|l| l.split_whitespace().next() == Some(&n.to_string()))
            .unwrap_or_else(|| panic!("frame {n} is not in `read`'s output:\n{read}"));
        let got: Vec<&str> = row.split_whitespace().collect();
        let want: Vec<&str> = want.split_whitespace().collect();
        let last = got.len() - 1;
        assert_eq!(got[..last], want[..last], "frame {n}");
        assert!(
            want[last].starts_with(got[last].trim_end_matches('…')),
            "frame {n}: {row}"
        );
    }
    drop(t);
    assert!(Path::new(&file).exists());
}

/// Errors as `wirelab capture` gives them, before the screen is taken over.
#[test]
fn live_view_errors_read_like_capture() {
    // An interface that does not exist: the list of those that do.
    let out = Command::new(BIN)
        .args(["view", "-i", "nosuch0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nosuch0"), "{err}");
    assert!(err.contains("lo"), "the interfaces there are:\n{err}");
    // -w without -i, a file and -i: clap says so.
    let out = Command::new(BIN)
        .args(["view", "-w", "x.pcapng", "captures/tcp-handshake.pcapng"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN)
        .args(["view", "-i", "lo", "captures/tcp-handshake.pcapng"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Without the privilege: `capture`'s setcap command; without a terminal: pointed to
/// `wirelab capture`.
#[test]
fn live_view_without_privilege_or_terminal() {
    if !require(Need::Root) || !require(Need::Tool("setpriv")) {
        return;
    }
    let out = support::wirelab_as_nobody()
        .args(["view", "-i", "lo"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("CAP_NET_RAW"), "{err}");
    assert!(err.contains("sudo setcap cap_net_raw=eip"), "{err}");
    // As root in a namespace of its own (no traffic): the capture opens, then the
    // missing terminal is reported.
    let ns = Netns::new("vlnt");
    let out = ns
        .wirelab()
        .args(["view", "-i", "lo"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wirelab capture -i lo"), "{err}");
}

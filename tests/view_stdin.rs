//! `wirelab view -`: a capture on standard input, followed as it comes (`ssh pi 'tcpdump -U
//! -w -' | wirelab view -`). In tmux, the view reads a named pipe that the test feeds with a
//! bundled capture in two pieces (the first cut inside a record): the rows of the first piece
//! appear, then the rest; q quits with exit code 0. `view -w -` is refused with a reason.
//!
//! Needs tmux and mkfifo: skipped with a note when tmux is missing outside CI.

mod support;

use std::io::Write as _;
use std::process::Command;

use support::tmux::{Tmux, tmux_available};
use support::{BIN, repo, run_status};

#[test]
fn view_dash_follows_a_capture_arriving_on_a_pipe() {
    if !tmux_available() {
        return;
    }
    let bytes = std::fs::read(repo("captures/icmp-echo.pcapng")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let t = Tmux::start(160, 40, &format!("'{BIN}' view - < '{}'", fifo.display()));
    // Blocks until the shell in tmux opens the pipe for reading.
    let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    // The first piece ends inside a record (frame 7 of 14).
    let cut = 1000;
    pipe.write_all(&bytes[..cut]).unwrap();
    pipe.flush().unwrap();
    let first = t.wait_for("the rows of the first piece", |s| {
        s.contains("Who has 10.0.3.1? Tell 10.0.3.2") && s.contains("(request in 5)")
    });
    assert!(!first.contains("seq=3/768"), "{first}");
    assert!(first.contains("6 frames"), "{first}");
    assert!(first.contains("standard input"), "{first}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    pipe.write_all(&bytes[cut..]).unwrap();
    pipe.flush().unwrap();
    let all = t.wait_for("the rows of the second piece", |s| {
        s.contains("id=0x4321, seq=2/512, ttl=64 (request in 13)")
    });
    assert!(
        all.contains("(request in 3)") && all.contains("14 frames"),
        "{all}"
    );
    drop(pipe);
    t.keys(&["q"]);
    let (status, stty) = t.wait_quit();
    assert_eq!(status, "exit=0", "{}", t.screen(false));
    assert!(stty.contains(" icanon"), "{stty}");
}

#[test]
fn view_cannot_write_its_capture_to_standard_output() {
    let out = run_status(Command::new(BIN).args(["view", "-i", "lo", "-w", "-"]));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("view -w - cannot write"), "{err}");
    assert!(err.contains("-w FILE.pcapng"), "{err}");
    assert!(out.stdout.is_empty());
}

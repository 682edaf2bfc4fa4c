//! A terminal for end-to-end tests of `wirelab view`: tmux runs the program on a server of
//! its own (so nothing else on the machine is touched), keys go in with `send-keys`, the
//! screen comes out with `capture-pane` (`-e` keeps colours and attributes). Dropping the
//! [`Tmux`] kills the server, also when the test fails. Reached as `support::tmux`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// True if tmux runs here; outside CI a missing tmux skips with a note, in CI it fails.
pub fn tmux_available() -> bool {
    super::require(super::Need::Tool("tmux"))
}

/// A tmux server of our own, killed on drop (also when the test fails).
pub struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

impl Tmux {
    /// Starts `command` (a shell command line) in a `width`×`height` terminal; when it
    /// ends, its exit code and `stty -a` are written to files ([`Tmux::wait_quit`]).
    pub fn start(width: u16, height: u16, command: &str) -> Tmux {
        static N: AtomicU32 = AtomicU32::new(0);
        let socket = format!(
            "wlview{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let dir = tempfile::tempdir().unwrap();
        let t = Tmux { socket, dir };
        let script = format!(
            "{command}; echo \"exit=$?\" > '{}'; stty -a > '{}'; sleep 60",
            t.path("status").display(),
            t.path("stty").display(),
        );
        let out = t
            .cmd(&[
                "new-session",
                "-d",
                "-s",
                "view",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .arg(script)
            .env("TERM", "xterm-256color")
            .env_remove("COLORTERM")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]).args(args);
        c
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let out = self.cmd(&["send-keys", "-t", "view", k]).output().unwrap();
            assert!(out.status.success());
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn type_text(&self, text: &str) {
        let out = self
            .cmd(&["send-keys", "-t", "view", "-l", text])
            .output()
            .unwrap();
        assert!(out.status.success());
    }

    pub fn screen(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", "view"];
        if escapes {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.cmd(&args).output().unwrap().stdout).into_owned()
    }

    /// Waits (at most 20 s) until the plain screen satisfies `cond`.
    pub fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen(false);
            if cond(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (at most 20 s) for the command to end; returns its `exit=N` line and `stty -a`.
    pub fn wait_quit(&self) -> (String, String) {
        let start = Instant::now();
        while !self.path("stty").exists()
            || std::fs::read_to_string(self.path("stty"))
                .unwrap()
                .is_empty()
        {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the program did not quit:\n{}",
                self.screen(false)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(100));
        (
            std::fs::read_to_string(self.path("status"))
                .unwrap()
                .trim()
                .to_string(),
            std::fs::read_to_string(self.path("stty")).unwrap(),
        )
    }
}

/// `line` without its escape sequences.
pub fn strip(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

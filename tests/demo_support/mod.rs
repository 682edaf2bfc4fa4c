//! Shared helpers for the demo tests: run the built `wirelab` binary as real processes on
//! loopback, read their output line by line with bounded waits, and always kill them.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// Upper bound for anything a test waits for (a bound, not a timed assertion: a loaded CI
/// machine is slow, and a test that hangs must still end).
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_wirelab")
}

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

/// A running `wirelab` process, killed (by its own id) and reaped when dropped.
pub struct Proc {
    pub name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<(Stream, String)>,
    /// Every line seen so far, in arrival order.
    pub seen: Vec<(Stream, String)>,
}

impl Proc {
    /// Starts `wirelab ARGS` with piped stdin, stdout and stderr.
    pub fn start(name: &str, args: &[&str]) -> Proc {
        Proc::start_in(name, args, None)
    }

    /// Starts `wirelab ARGS` in directory `dir`.
    pub fn start_in(name: &str, args: &[&str], dir: Option<&Path>) -> Proc {
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = dir {
            cmd.current_dir(dir);
        }
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(err) => panic!("cannot start {name}: {err}"),
        };
        let (tx, lines) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            pump(out, Stream::Out, tx.clone());
        }
        if let Some(err) = child.stderr.take() {
            pump(err, Stream::Err, tx);
        }
        Proc {
            name: name.to_string(),
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line (either stream) that satisfies `pred`; returns it. Lines already seen
    /// count too. Panics with everything seen if it does not come within [`PATIENCE`].
    pub fn wait_line(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        if let Some((_, line)) = self.seen.iter().find(|(_, l)| pred(l)) {
            return line.clone();
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((stream, line)) => {
                    self.seen.push((stream, line.clone()));
                    if pred(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "{}: no line {what:?} (waited at most {PATIENCE:?}); output so far:\n{}",
                        self.name,
                        self.transcript()
                    );
                }
            }
        }
    }

    /// Waits for a line containing `needle`.
    pub fn wait_for(&mut self, needle: &str) -> String {
        self.wait_line(needle, |l| l.contains(needle))
    }

    /// Waits until `n` lines containing `needle` have been seen.
    pub fn wait_nth(&mut self, needle: &str, n: usize) {
        let deadline = Instant::now() + PATIENCE;
        while self.seen.iter().filter(|(_, l)| l.contains(needle)).count() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!(
                    "{}: fewer than {n} lines {needle:?}; output so far:\n{}",
                    self.name,
                    self.transcript()
                ),
            }
        }
    }

    /// Takes in the lines that have arrived so far, without waiting.
    pub fn drain(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
    }

    /// The port of the first "listening on ADDR:PORT" line.
    pub fn listening_port(&mut self) -> u16 {
        let line = self.wait_for("listening on ");
        port_of(&line).unwrap_or_else(|| panic!("{}: no port in {line:?}", self.name))
    }

    /// Writes one line to the process's stdin.
    pub fn send_line(&mut self, line: &str) {
        let Some(stdin) = self.stdin.as_mut() else {
            panic!("{}: stdin already closed", self.name)
        };
        let written = stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush());
        if let Err(err) = written {
            panic!(
                "{}: cannot write stdin: {err}\n{}",
                self.name,
                self.transcript()
            );
        }
    }

    /// Closes stdin (end of input).
    pub fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Waits (bounded) for the process to exit and for its output to end; returns its status.
    pub fn wait_exit(&mut self) -> ExitStatus {
        self.close_stdin();
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    // Collect the rest of the output (the pipes close with the process).
                    while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
                        self.seen.push(line);
                    }
                    return status;
                }
                Ok(None) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => panic!(
                    "{}: did not exit within {PATIENCE:?}; output so far:\n{}",
                    self.name,
                    self.transcript()
                ),
                Err(err) => panic!("{}: cannot wait: {err}", self.name),
            }
        }
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Lines seen so far on one stream.
    pub fn lines_of(&self, stream: Stream) -> Vec<String> {
        self.seen
            .iter()
            .filter(|(s, _)| *s == stream)
            .map(|(_, l)| l.clone())
            .collect()
    }

    /// Index (in arrival order) of the first line containing `needle`.
    pub fn position(&self, needle: &str) -> Option<usize> {
        self.seen.iter().position(|(_, l)| l.contains(needle))
    }

    /// Everything seen so far, for failure messages.
    pub fn transcript(&self) -> String {
        self.seen
            .iter()
            .map(|(s, l)| format!("  {}| {l}", if *s == Stream::Out { "out" } else { "err" }))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn pump(stream: impl Read + Send + 'static, tag: Stream, tx: mpsc::Sender<(Stream, String)>) {
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send((tag, line)).is_err() {
                break;
            }
        }
    });
}

/// The port in the first `127.0.0.1:PORT` of a line.
pub fn port_of(line: &str) -> Option<u16> {
    let start = line.find("127.0.0.1:")? + "127.0.0.1:".len();
    let digits: String = line
        .get(start..)?
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// The socket address after `from ` in a "connected to X from Y" line.
pub fn local_addr_of(line: &str) -> String {
    line.split(" from ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|s| s.trim_end_matches(';').to_string())
        .unwrap_or_default()
}

/// Runs `wirelab ARGS` to completion (bounded) with `input` on stdin.
pub fn run(name: &str, args: &[&str], input: &str) -> (ExitStatus, Proc) {
    let mut proc = Proc::start(name, args);
    if !input.is_empty() {
        proc.send_line(input.trim_end_matches('\n'));
    }
    let status = proc.wait_exit();
    (status, proc)
}

/// Reads exactly `n` bytes from `stream` (bounded by [`PATIENCE`]).
pub fn read_exactly(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let _ = stream.set_read_timeout(Some(PATIENCE));
    let mut buf = vec![0u8; n];
    if let Err(err) = stream.read_exact(&mut buf) {
        panic!("reading {n} bytes failed: {err}");
    }
    buf
}

/// Reads until the peer closes (bounded by [`PATIENCE`]).
pub fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let _ = stream.set_read_timeout(Some(PATIENCE));
    let mut rest = Vec::new();
    if let Err(err) = stream.read_to_end(&mut rest) {
        panic!("reading until close failed: {err}");
    }
    rest
}

/// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|err| panic!("cannot bind a loopback port: {err}"))
}

/// True when running as root (uid 0), read from /proc.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

/// True when the tests run in CI (where root-only tests must run, never skip).
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}

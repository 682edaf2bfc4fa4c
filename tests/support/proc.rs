//! A running process whose stdout and stderr lines are collected by reader threads and can
//! be awaited with a bound; Drop kills it (by its own id) and reaps it, even when the test
//! panics.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Longest wait for one expected event: it only bounds a hang (a loaded CI machine is slow),
/// it is not a timing test.
pub const WAIT: Duration = Duration::from_secs(60);

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

/// Lines shared with a reader thread.
#[derive(Clone, Default)]
pub struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn push(&self, line: String) {
        if let Ok(mut v) = self.0.lock() {
            v.push(line);
        }
    }

    /// All lines so far, joined with newlines.
    pub fn text(&self) -> String {
        self.0.lock().map(|v| v.join("\n")).unwrap_or_default()
    }

    /// All lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn get(&self, i: usize) -> Option<String> {
        self.0.lock().ok().and_then(|v| v.get(i).cloned())
    }
}

/// Every line of every process of one test (tagged with the process's name), for failure
/// messages: pass it to [`Proc::spawn_logged`].
#[derive(Clone, Default)]
pub struct Transcript(Lines);

impl Transcript {
    fn push(&self, line: String) {
        self.0.push(line);
    }

    /// All lines so far, one per line.
    pub fn dump(&self) -> String {
        self.0.text()
    }

    /// Waits (at most [`WAIT`]) until some line contains `text` (logs arrive through a reader
    /// thread, a little after the event).
    pub fn wait_contains(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.dump().contains(text) {
            assert!(
                Instant::now() < deadline,
                "no line with {text:?} within {WAIT:?}\n--- transcript ---\n{}",
                self.dump()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

type Log = Arc<Mutex<Vec<(Stream, String)>>>;

/// A running process with its output collected; Drop kills it.
pub struct Proc {
    /// A label for failure messages.
    pub name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    /// Standard output lines so far.
    pub out: Lines,
    /// Standard error lines so far.
    pub err: Lines,
    log: Log,
    finished: Arc<AtomicUsize>,
    /// The stdout lines taken so far by [`Proc::next_line`] (and `expect`), in order.
    pub history: Vec<String>,
    transcript: Option<Transcript>,
}

impl Proc {
    /// Starts `cmd` with piped stdin, stdout and stderr.
    pub fn spawn(name: &str, cmd: Command) -> Proc {
        Proc::start(name, cmd, None)
    }

    /// Like [`Proc::spawn`], also copying every line (and what is typed) to `transcript`.
    pub fn spawn_logged(name: &str, cmd: Command, transcript: &Transcript) -> Proc {
        Proc::start(name, cmd, Some(transcript.clone()))
    }

    /// Starts `wirelab ARGS` (through [`super::wirelab`]).
    pub fn wirelab(name: &str, args: &[&str]) -> Proc {
        Proc::wirelab_in(name, args, None)
    }

    /// Starts `wirelab ARGS` in directory `dir`.
    pub fn wirelab_in(name: &str, args: &[&str], dir: Option<&Path>) -> Proc {
        let mut cmd = super::wirelab();
        cmd.args(args);
        if let Some(dir) = dir {
            cmd.current_dir(dir);
        }
        Proc::spawn(name, cmd)
    }

    fn start(name: &str, mut cmd: Command, transcript: Option<Transcript>) -> Proc {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        let (out, err) = (Lines::default(), Lines::default());
        let log = Log::default();
        let finished = Arc::new(AtomicUsize::new(0));
        let streams = [
            (
                child
                    .stdout
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Read + Send>),
                Stream::Out,
                out.clone(),
            ),
            (
                child
                    .stderr
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Read + Send>),
                Stream::Err,
                err.clone(),
            ),
        ];
        for (stream, tag, lines) in streams {
            let (log, finished, transcript) = (log.clone(), finished.clone(), transcript.clone());
            let label = format!("{name} {}|", if tag == Stream::Out { "out" } else { "err" });
            match stream {
                Some(stream) => {
                    thread::spawn(move || {
                        for line in BufReader::new(stream).lines().map_while(Result::ok) {
                            if let Some(t) = &transcript {
                                t.push(format!("{label} {line}"));
                            }
                            lines.push(line.clone());
                            if let Ok(mut l) = log.lock() {
                                l.push((tag, line));
                            }
                        }
                        finished.fetch_add(1, Ordering::SeqCst);
                    });
                }
                None => {
                    finished.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        Proc {
            name: name.to_string(),
            stdin: child.stdin.take(),
            child,
            out,
            err,
            log,
            finished,
            history: Vec::new(),
            transcript,
        }
    }

    /// True once both output streams have ended.
    fn ended(&self) -> bool {
        self.finished.load(Ordering::SeqCst) >= 2
    }

    /// Every line seen so far (both streams), in arrival order.
    pub fn seen(&self) -> Vec<(Stream, String)> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits (at most [`WAIT`]) for a line on either stream, seen before or arriving, that
    /// satisfies `pred`; returns it. Panics with the transcript if none comes.
    pub fn wait_line(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            // Read `ended` first: a line pushed before the stream ended is then in the log.
            let ended = self.ended();
            if let Some((_, line)) = self.seen().into_iter().find(|(_, l)| pred(l)) {
                return line;
            }
            assert!(
                !ended && Instant::now() < deadline,
                "{}: no line {what:?} ({}waited at most {WAIT:?})\n{}",
                self.name,
                if ended { "its output ended; " } else { "" },
                self.transcript()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for a line (either stream) containing `needle`; returns it.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_line(needle, |l| l.contains(needle))
    }

    /// Waits until `n` lines containing `needle` have been seen.
    pub fn wait_nth(&self, needle: &str, n: usize) {
        let deadline = Instant::now() + WAIT;
        loop {
            let ended = self.ended();
            let count = self
                .seen()
                .iter()
                .filter(|(_, l)| l.contains(needle))
                .count();
            if count >= n {
                return;
            }
            assert!(
                !ended && Instant::now() < deadline,
                "{}: fewer than {n} lines {needle:?}; output so far:\n{}",
                self.name,
                self.transcript()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Takes the next stdout lines in order (each once) until one satisfies `pred`; returns
    /// it. Every line taken goes to [`Proc::history`].
    pub fn next_line(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let ended = self.ended();
            while let Some(line) = self.out.get(self.history.len()) {
                self.history.push(line.clone());
                if pred(&line) {
                    return line;
                }
            }
            if ended {
                self.fail(&format!("stdout closed before {what}"));
            }
            if Instant::now() >= deadline {
                self.fail(&format!("no {what} within {WAIT:?}"));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Takes stdout lines until one starts with `prefix`; returns it.
    pub fn expect(&mut self, prefix: &str) -> String {
        self.next_line(&format!("line starting {prefix:?}"), |l| {
            l.starts_with(prefix)
        })
    }

    /// Takes stdout lines until each of `prefixes` has started one, in any order; returns
    /// those lines in the order of `prefixes`.
    pub fn expect_all(&mut self, prefixes: &[&str]) -> Vec<String> {
        let mut found: Vec<Option<String>> = vec![None; prefixes.len()];
        while found.iter().any(Option::is_none) {
            let line = self.next_line(&format!("lines starting {prefixes:?}"), |l| {
                prefixes.iter().any(|p| l.starts_with(p))
            });
            for (slot, prefix) in found.iter_mut().zip(prefixes) {
                if slot.is_none() && line.starts_with(prefix) {
                    *slot = Some(line.clone());
                    break;
                }
            }
        }
        found.into_iter().flatten().collect()
    }

    /// The port of the first "listening on …127.0.0.1:PORT" line.
    pub fn listening_port(&self) -> u16 {
        let line = self.wait_for("listening on ");
        super::demo::port_of(&line).unwrap_or_else(|| panic!("{}: no port in {line:?}", self.name))
    }

    /// Types one line on its stdin.
    pub fn send_line(&mut self, line: &str) {
        if let Some(t) = &self.transcript {
            t.push(format!("{} in | {line}", self.name));
        }
        self.write_stdin(format!("{line}\n").as_bytes());
    }

    /// Writes `bytes` to its stdin (panics if stdin is closed or the write fails).
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        let Some(stdin) = self.stdin.as_mut() else {
            panic!("{}: stdin already closed", self.name)
        };
        if let Err(e) = stdin.write_all(bytes).and_then(|()| stdin.flush()) {
            panic!(
                "{}: cannot write stdin: {e}\n{}",
                self.name,
                self.transcript()
            );
        }
    }

    /// Closes its stdin (end of input).
    pub fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Sends a signal (e.g. "INT", "TERM").
    pub fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status();
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Closes stdin, then waits (at most [`WAIT`]) for the process to exit and its output to
    /// end; returns its status.
    pub fn wait_exit(&mut self) -> ExitStatus {
        self.close_stdin();
        self.wait_exit_within(WAIT)
    }

    /// Waits (at most `limit`) for it to exit by itself and for its output to be read; returns
    /// its status. Panics if it is still running.
    pub fn wait_exit_within(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    // The pipes close with the process (unless a child of it holds them).
                    let end = Instant::now() + Duration::from_secs(5);
                    while !self.ended() && Instant::now() < end {
                        thread::sleep(Duration::from_millis(5));
                    }
                    return status;
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                Ok(None) => self.fail(&format!("did not exit within {limit:?}")),
                Err(e) => panic!("{}: cannot wait: {e}", self.name),
            }
        }
    }

    /// Lines seen so far on one stream.
    pub fn lines_of(&self, stream: Stream) -> Vec<String> {
        match stream {
            Stream::Out => self.out.lines(),
            Stream::Err => self.err.lines(),
        }
    }

    /// Index (in arrival order, both streams) of the first line containing `needle`.
    pub fn position(&self, needle: &str) -> Option<usize> {
        self.seen().iter().position(|(_, l)| l.contains(needle))
    }

    /// Everything seen so far (the shared transcript when there is one), for failure
    /// messages.
    pub fn transcript(&self) -> String {
        if let Some(t) = &self.transcript {
            return format!("--- transcript ---\n{}", t.dump());
        }
        let lines: Vec<String> = self
            .seen()
            .iter()
            .map(|(s, l)| format!("  {}| {l}", if *s == Stream::Out { "out" } else { "err" }))
            .collect();
        format!("--- {} ---\n{}", self.name, lines.join("\n"))
    }

    fn fail(&self, why: &str) -> ! {
        panic!("{}: {why}\n{}", self.name, self.transcript())
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

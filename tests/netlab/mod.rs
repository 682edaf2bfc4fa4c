//! Harness for end-to-end tests on real links: network namespaces joined by veth pairs,
//! processes whose output lines can be awaited, and tcpdump as an independent witness.
//!
//! Everything here is a guard: Drop kills the process or deletes the namespace (killing what
//! still runs inside it first), even when the test panics. Namespace names start with `wl` and
//! carry the pid and a counter, so parallel runs never collide and `.ci/run` can check that
//! nothing is left behind. Nothing is ever added to the root namespace. Use it from a test file
//! with `mod netlab;`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Longest wait for one expected event: it only bounds a hang, it is not a timing test.
pub const WAIT: Duration = Duration::from_secs(30);

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_wirelab");

/// True when privileged tests may run: as root. Not root: skip with a note, unless `CI` is set
/// (CI runs as root; a missing privilege there is a failure).
pub fn privileged(test: &str) -> bool {
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if root {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set: {test} needs root (network namespaces, raw sockets) and must run there"
    );
    eprintln!("skipped {test}: it needs root (network namespaces, raw sockets)");
    false
}

/// True when `cmd` can be run (for reference tools such as tcpdump and tshark); with `CI` set a
/// missing tool is a failure.
pub fn tool(cmd: &str) -> bool {
    let ok = Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "{cmd} is required in CI (.ci/run installs it)"
    );
    if !ok {
        eprintln!("skipped: {cmd} is not installed");
    }
    ok
}

/// Runs a command to completion and panics with its stderr when it fails.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a command to completion and returns what happened, whatever its exit status.
pub fn run_status(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
}

fn ip(args: &[&str]) {
    run(Command::new("ip").args(args));
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A network namespace made by the test; Drop kills what runs in it and deletes it.
pub struct Netns {
    /// Its name.
    pub name: String,
}

impl Netns {
    /// Creates `wl<tag>-<pid>-<n>` with its loopback up.
    pub fn new(tag: &str) -> Netns {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let name = format!("wl{tag}-{}-{n}", std::process::id());
        ip(&["netns", "add", &name]);
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// Runs `ip ARGS` inside the namespace.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        ip(&all);
    }

    /// A command that runs `program` inside the namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name, program]);
        cmd
    }

    /// A command that runs the wirelab binary inside the namespace.
    pub fn wirelab(&self) -> Command {
        self.command(BIN)
    }

    /// Adds an address (CIDR) to `dev` and brings it up.
    pub fn addr(&self, dev: &str, cidr: &str) {
        self.ip(&["addr", "add", cidr, "dev", dev]);
        self.ip(&["link", "set", dev, "up"]);
    }

    /// Writes a sysctl inside the namespace (e.g. `net.ipv4.ip_forward`, `1`).
    pub fn sysctl(&self, key: &str, value: &str) {
        run(self
            .command("sysctl")
            .args(["-q", "-w", &format!("{key}={value}")]));
    }

    /// The MAC address of `dev`.
    pub fn mac(&self, dev: &str) -> String {
        let out = run(self
            .command("cat")
            .arg(format!("/sys/class/net/{dev}/address")));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Ok(out) = Command::new("ip")
            .args(["netns", "pids", &self.name])
            .output()
        {
            for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-KILL", pid]).status();
            }
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// Joins `a` and `b` with a veth pair: `dev_a` in `a`, `dev_b` in `b`, both up.
pub fn veth(a: &Netns, dev_a: &str, b: &Netns, dev_b: &str) {
    a.ip(&[
        "link", "add", dev_a, "type", "veth", "peer", "name", dev_b, "netns", &b.name,
    ]);
    a.ip(&["link", "set", dev_a, "up"]);
    b.ip(&["link", "set", dev_b, "up"]);
}

/// The usual two-host LAN: `server` (10.0.3.1/24 on `eth0`) and `client` (10.0.3.2/24 on
/// `eth0`) joined by one veth pair. Drop removes both namespaces.
pub struct Lan {
    /// The server's namespace.
    pub server: Netns,
    /// The client's namespace.
    pub client: Netns,
}

impl Lan {
    /// The server's address.
    pub const SERVER: &'static str = "10.0.3.1";
    /// The client's address.
    pub const CLIENT: &'static str = "10.0.3.2";
    /// The interface name on both sides.
    pub const DEV: &'static str = "eth0";

    /// Creates the LAN; `tag` names the namespaces (`wl<tag>s-…`, `wl<tag>c-…`).
    pub fn new(tag: &str) -> Lan {
        let server = Netns::new(&format!("{tag}s"));
        let client = Netns::new(&format!("{tag}c"));
        veth(&server, Self::DEV, &client, Self::DEV);
        server.addr(Self::DEV, "10.0.3.1/24");
        client.addr(Self::DEV, "10.0.3.2/24");
        Lan { server, client }
    }
}

/// Every output line of a process, shared with its reader threads.
#[derive(Clone, Default)]
pub struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn push(&self, line: String) {
        if let Ok(mut v) = self.0.lock() {
            v.push(line);
        }
    }

    /// All lines so far, joined.
    pub fn text(&self) -> String {
        self.0.lock().map(|v| v.join("\n")).unwrap_or_default()
    }
}

/// A running process with its stdout and stderr collected; Drop kills it.
pub struct Proc {
    /// A label for failure messages.
    pub name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    /// Standard output lines.
    pub out: Lines,
    /// Standard error lines.
    pub err: Lines,
    done: Vec<Receiver<()>>,
}

impl Proc {
    /// Starts `cmd` with piped stdin, stdout and stderr.
    pub fn spawn(name: &str, mut cmd: Command) -> Proc {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        let (out, err) = (Lines::default(), Lines::default());
        let mut done = Vec::new();
        for (stream, lines) in [
            (
                child
                    .stdout
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Read + Send>),
                out.clone(),
            ),
            (
                child
                    .stderr
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Read + Send>),
                err.clone(),
            ),
        ] {
            let (tx, rx) = mpsc::channel();
            done.push(rx);
            if let Some(stream) = stream {
                thread::spawn(move || {
                    for line in BufReader::new(stream).lines().map_while(Result::ok) {
                        lines.push(line);
                    }
                    let _ = tx.send(());
                });
            }
        }
        Proc {
            name: name.to_string(),
            stdin: child.stdin.take(),
            child,
            out,
            err,
            done,
        }
    }

    /// Both streams so far, for failure messages.
    pub fn transcript(&self) -> String {
        format!(
            "--- {} stdout ---\n{}\n--- {} stderr ---\n{}",
            self.name,
            self.out.text(),
            self.name,
            self.err.text()
        )
    }

    /// Waits (at most [`WAIT`]) until stdout or stderr has a line containing `text`.
    pub fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.out.text().contains(text) && !self.err.text().contains(text) {
            assert!(
                Instant::now() < deadline,
                "no line with {text:?} within {WAIT:?}\n{}",
                self.transcript()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Writes `bytes` to its stdin.
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        use std::io::Write as _;
        if let Some(s) = self.stdin.as_mut() {
            s.write_all(bytes).expect("writing to the process's stdin");
            let _ = s.flush();
        }
    }

    /// Closes its stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Sends a signal (e.g. "INT", "TERM").
    pub fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status();
    }

    /// Waits (at most `limit`) for it to exit and for its output to be read; returns the exit
    /// code (None if killed by a signal). Panics if it is still running.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for a child") {
                for rx in &self.done {
                    let _ = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
                }
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {limit:?}\n{}",
                self.name,
                self.transcript()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tcpdump writing a pcap inside a namespace, as an independent witness of what crossed the
/// wire; Drop kills it.
pub struct Tcpdump {
    proc: Proc,
    /// Where the capture is written.
    pub path: PathBuf,
}

impl Tcpdump {
    /// Starts `tcpdump --immediate-mode -U -i DEV -w PATH [FILTER…]` in `ns` and waits until it
    /// listens.
    pub fn start(ns: &Netns, dev: &str, path: &Path, filter: &[&str]) -> Tcpdump {
        let mut cmd = ns.command("tcpdump");
        cmd.args(["--immediate-mode", "-U", "-n", "-i", dev, "-w"])
            .arg(path)
            .args(filter);
        let proc = Proc::spawn("tcpdump", cmd);
        proc.wait_for("listening on");
        Tcpdump {
            proc,
            path: path.to_owned(),
        }
    }

    /// Stops it with SIGINT (it flushes and closes the file) and returns the file's path.
    pub fn stop(mut self) -> PathBuf {
        // Let the last frames reach the socket before stopping.
        thread::sleep(Duration::from_millis(200));
        self.proc.signal("INT");
        let _ = self.proc.wait_exit(WAIT);
        self.path.clone()
    }
}

/// `tshark -n -r FILE -T fields -e …`, one row of fields per frame.
pub fn tshark_fields(file: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(file).args(["-T", "fields"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = run(&mut cmd);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// A process id that is still running (not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(|st| st != "Z"))
        })
        .unwrap_or(false)
}

/// Every network namespace whose name starts with `prefix`.
pub fn namespaces_with(prefix: &str) -> Vec<String> {
    let out = run(Command::new("ip").args(["netns", "list"]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

/// The pids running in namespace `ns`.
pub fn pids_in(ns: &str) -> Vec<u32> {
    Command::new("ip")
        .args(["netns", "pids", ns])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .filter(|&p| alive(p))
                .collect()
        })
        .unwrap_or_default()
}

/// A virtual lab of its own (`wirelab lab up --name t<pid>x<n>`), so tests never touch a
/// student's lab or each other's. Drop runs `lab down` and then removes by hand anything of
/// the lab still there (killing what runs in it), even when the test failed.
pub struct Lab {
    /// The lab's name (namespaces `wl<name>-A`, … `wl<name>-sw`).
    pub name: String,
}

impl Lab {
    /// A unique lab name, not brought up yet.
    pub fn unique() -> Lab {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        Lab {
            name: format!("t{}x{n}", std::process::id()),
        }
    }

    /// A unique lab, brought up with `lab up ARGS` (panics if that fails).
    pub fn up(args: &[&str]) -> Lab {
        let lab = Lab::unique();
        let out = lab
            .cmd("up", args)
            .output()
            .expect("running wirelab lab up");
        assert!(
            out.status.success(),
            "lab up failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        lab
    }

    /// `wirelab lab SUB --name NAME ARGS…`.
    pub fn cmd(&self, sub: &str, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(["lab", sub, "--name", &self.name]).args(args);
        c
    }

    /// `wirelab lab exec --name NAME -q LETTER -- CMD…`.
    pub fn exec(&self, letter: &str, cmd: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(["lab", "exec", "--name", &self.name, "-q", letter, "--"])
            .args(cmd);
        c
    }

    /// The namespace of computer `letter` (or `sw`).
    pub fn ns(&self, letter: &str) -> String {
        format!("wl{}-{letter}", self.name)
    }

    /// Every namespace of this lab that exists.
    pub fn namespaces(&self) -> Vec<String> {
        namespaces_with(&format!("wl{}-", self.name))
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.cmd("down", &[]).output();
        for ns in self.namespaces() {
            for pid in pids_in(&ns) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
            let _ = Command::new("ip").args(["netns", "del", &ns]).status();
        }
        let _ = std::fs::remove_dir_all(format!("/run/wirelab/lab-{}", self.name));
    }
}

impl Tcpdump {
    /// Like [`Tcpdump::start`], in the namespace called `ns` (a lab's computer).
    pub fn start_in(ns: &str, dev: &str, path: &Path, filter: &[&str]) -> Tcpdump {
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns",
            "exec",
            ns,
            "tcpdump",
            "--immediate-mode",
            "-U",
            "-n",
            "-i",
            dev,
            "-w",
        ])
        .arg(path)
        .args(filter);
        let proc = Proc::spawn("tcpdump", cmd);
        proc.wait_for("listening on");
        Tcpdump {
            proc,
            path: path.to_owned(),
        }
    }
}

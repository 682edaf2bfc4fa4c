//! Harness for the SIMP end-to-end tests: `wirelab` processes whose stdout lines can be awaited
//! (bounded), network namespaces joined by veth, and a tcpdump capture read back as SIMP.
//! Every process, namespace and capture is a guard: Drop kills or removes it, even on panic.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use wirelab::decode::simp::SimpMessage;

/// Longest wait for one expected line (generous: it only bounds a hang, it is not a timing test).
pub const WAIT: Duration = Duration::from_secs(30);

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_wirelab");

/// Every line of every process of one test, for the failure message.
#[derive(Clone, Default)]
pub struct Transcript(Arc<Mutex<Vec<String>>>);

impl Transcript {
    fn push(&self, line: String) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(line);
        }
    }

    /// All lines so far, one per line.
    pub fn dump(&self) -> String {
        self.0.lock().map(|l| l.join("\n")).unwrap_or_default()
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

/// A running process; Drop kills it.
pub struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Every stdout line consumed so far by the waits, in order.
    pub history: Vec<String>,
    transcript: Transcript,
}

impl Proc {
    /// Starts `wirelab ARGS`, inside namespace `netns` when given.
    pub fn spawn(name: &str, netns: Option<&str>, args: &[&str], transcript: &Transcript) -> Proc {
        let mut cmd = match netns {
            Some(ns) => {
                let mut cmd = Command::new("ip");
                cmd.args(["netns", "exec", ns, BIN]);
                cmd
            }
            None => Command::new(BIN),
        };
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {name}: {e}"));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (t_out, t_err) = (transcript.clone(), transcript.clone());
        let (n_out, n_err) = (name.to_owned(), name.to_owned());
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                t_out.push(format!("{n_out} out| {line}"));
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                t_err.push(format!("{n_err} err| {line}"));
            }
        });
        Proc {
            name: name.to_owned(),
            stdin: child.stdin.take(),
            child,
            lines: rx,
            history: Vec::new(),
            transcript: transcript.clone(),
        }
    }

    /// Types one line on the process's stdin.
    pub fn send(&mut self, line: &str) {
        self.transcript.push(format!("{} in | {line}", self.name));
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").unwrap_or_else(|e| panic!("writing to {}: {e}", self.name));
        stdin.flush().expect("flush stdin");
    }

    /// Closes stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits (at most [`WAIT`]) for a stdout line satisfying `pred`; returns it.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.history.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.fail(&format!("no {what} within {WAIT:?}")),
                Err(RecvTimeoutError::Disconnected) => {
                    self.fail(&format!("stdout closed before {what}"))
                }
            }
        }
    }

    /// Waits until each of `prefixes` has started some line, in any order; returns the lines.
    pub fn expect_all(&mut self, prefixes: &[&str]) -> Vec<String> {
        let mut found: Vec<Option<String>> = vec![None; prefixes.len()];
        while found.iter().any(Option::is_none) {
            let line = self.wait_for(&format!("lines starting {prefixes:?}"), |l| {
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

    /// Waits for a line starting with `prefix`.
    pub fn expect(&mut self, prefix: &str) -> String {
        self.wait_for(&format!("line starting {prefix:?}"), |l| {
            l.starts_with(prefix)
        })
    }

    /// Waits for the process to exit by itself (at most [`WAIT`]); returns its exit code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.fail("process did not exit")
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn fail(&self, why: &str) -> ! {
        panic!(
            "{}: {why}\n--- transcript ---\n{}",
            self.name,
            self.transcript.dump()
        )
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a daemon and waits until it listens.
pub fn daemon(name: &str, netns: Option<&str>, args: &[&str], t: &Transcript) -> Proc {
    let mut all = vec!["simp", "daemon"];
    all.extend_from_slice(args);
    let mut proc = Proc::spawn(name, netns, &all, t);
    proc.expect("daemon: listening on");
    proc
}

/// Starts a client of the daemon at `ip`, logs in as `user` and waits for the menu.
pub fn client(name: &str, netns: Option<&str>, ip: &str, user: &str, t: &Transcript) -> Proc {
    let mut proc = Proc::spawn(name, netns, &["simp", "client", "--daemon", ip], t);
    proc.expect("client: connected to daemon");
    proc.expect("login: ");
    proc.send(user);
    proc.expect(&format!("ok: logged in as {user}"));
    proc.expect("menu: ");
    proc
}

/// True when namespace tests may run: root. Not root: skip, unless CI is set (then fail).
pub fn netns_allowed() -> bool {
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
        "CI is set: the SIMP namespace tests must run there, as root"
    );
    eprintln!("skipped: network namespace tests need root");
    false
}

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running ip {args:?}: {e}"));
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

static NEXT_LAB: AtomicUsize = AtomicUsize::new(0);

/// Two network namespaces `a` and `b` joined by a veth pair (`dev_a` in `a`, `dev_b` in `b`),
/// with 10.77.0.1/24 on `dev_a` and 10.77.0.2/24 on `dev_b`. Drop deletes both.
pub struct Netns {
    /// Namespace of side A.
    pub a: String,
    /// Namespace of side B.
    pub b: String,
    /// veth end inside `a`.
    pub dev_a: &'static str,
    /// veth end inside `b`.
    pub dev_b: &'static str,
    created: Vec<String>,
}

impl Netns {
    /// Side A's first address.
    pub const IP_A: &'static str = "10.77.0.1";
    /// Side B's address.
    pub const IP_B: &'static str = "10.77.0.2";

    /// Creates the pair (names `wlsimp-<pid>-<n>-a` / `-b`).
    pub fn pair() -> Netns {
        let n = NEXT_LAB.fetch_add(1, Ordering::SeqCst);
        let base = format!("wlsimp-{}-{n}", std::process::id());
        let mut net = Netns {
            a: format!("{base}-a"),
            b: format!("{base}-b"),
            dev_a: "simpa",
            dev_b: "simpb",
            created: Vec::new(),
        };
        for ns in [net.a.clone(), net.b.clone()] {
            ip(&["netns", "add", &ns]);
            net.created.push(ns.clone());
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
        }
        ip(&[
            "-n", &net.a, "link", "add", net.dev_a, "type", "veth", "peer", "name", net.dev_b,
            "netns", &net.b,
        ]);
        net.add_addr_a(&format!("{}/24", Self::IP_A));
        ip(&[
            "-n",
            &net.b,
            "addr",
            "add",
            &format!("{}/24", Self::IP_B),
            "dev",
            net.dev_b,
        ]);
        ip(&["-n", &net.a, "link", "set", net.dev_a, "up"]);
        ip(&["-n", &net.b, "link", "set", net.dev_b, "up"]);
        net
    }

    /// Adds one more address (CIDR) on side A's veth end.
    pub fn add_addr_a(&self, cidr: &str) {
        ip(&["-n", &self.a, "addr", "add", cidr, "dev", self.dev_a]);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for ns in &self.created {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// A tcpdump capture of SIMP's UDP port 7777 inside a namespace; Drop kills it.
pub struct Capture {
    child: Child,
    /// Where the pcap is written.
    pub path: PathBuf,
}

impl Capture {
    /// Starts `tcpdump --immediate-mode -U -i DEV -w PATH udp port 7777` in `netns` and waits
    /// until it listens.
    pub fn start(netns: &str, dev: &str, path: &Path) -> Capture {
        let path_str = path.to_str().expect("utf-8 path");
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                netns,
                "tcpdump",
                "--immediate-mode",
                "-U",
                "-i",
                dev,
            ])
            .args(["-w", path_str, "udp", "port", "7777"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning tcpdump");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let capture = Capture {
            child,
            path: path.to_owned(),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains("listening on") => return capture,
                Ok(_) => {}
                Err(e) => panic!("tcpdump did not start listening: {e}"),
            }
        }
    }

    /// Stops tcpdump with SIGINT (it flushes and closes the file) and waits for it (bounded).
    pub fn stop(mut self) -> PathBuf {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.path.clone()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SIMP datagrams (UDP port 7777 payloads that decode) of an Ethernet pcap file, with their
/// source address, in capture order.
pub fn simp_datagrams(path: &Path) -> Vec<(SocketAddr, SimpMessage)> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let file = std::fs::File::open(path).expect("open capture");
    let mut reader = pcap_file::pcap::PcapReader::new(file).expect("a pcap file");
    let mut out = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.expect("pcap packet");
        let Ok(sliced) = SlicedPacket::from_ethernet(packet.data()) else {
            continue;
        };
        let (Some(NetSlice::Ipv4(ipv4)), Some(TransportSlice::Udp(udp))) =
            (sliced.net, sliced.transport)
        else {
            continue;
        };
        if udp.destination_port() != 7777 && udp.source_port() != 7777 {
            continue;
        }
        if let Ok(msg) = SimpMessage::decode(udp.payload()) {
            let from = SocketAddr::from((ipv4.header().source_addr(), udp.source_port()));
            out.push((from, msg));
        }
    }
    out
}

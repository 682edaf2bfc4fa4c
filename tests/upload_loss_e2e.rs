//! A real upload over veth with loss made in user space, captured with tcpdump, then read
//! back by wirelab and by tshark.
//!
//! Three namespaces: A (uploader, 10.98.N.1) and B (sink, 10.98.N.2) joined through a
//! "middle" namespace M, where `scripts/lossy-relay.py relay` forwards frames between the
//! two veth ends with raw sockets and drops a seeded 3 % of A's data segments (this kernel
//! has no netem or tc filters). tcpdump captures on A's veth, so both the originals and
//! the retransmissions are in the file, and Karn's rule has work to do.
//!
//! Checked: RTT rows equal tshark's `ack_rtt`/`acks_frame` and retransmitted segments give
//! no sample; `--follow 0` equals `tshark -z follow,tcp,ascii,0`, and its bytes each way
//! are exactly what the kernel sockets received (the sink's file, the uploader's reply);
//! goodput counts exactly the bytes uploaded; `--tcp-report` sees the retransmissions.
//!
//! Runs as root (skips as a normal user unless CI is set, then it fails). Every namespace
//! and process is a guard removed on Drop, also when the test fails.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_wirelab");
const WAIT: Duration = Duration::from_secs(60);
const UPLOAD: usize = 1_500_000;
const REPLY: &str = "got it, thanks";

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    })
}

/// Root runs the test; otherwise skip, unless CI is set (then fail).
fn allowed() -> bool {
    if is_root() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set: the veth upload test must run there, as root"
    );
    eprintln!("skipped: network namespace tests need root");
    false
}

fn need(tool: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(ok, "{tool} is needed (.ci/run installs it)");
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("running ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A, M and B; Drop deletes them (and so every veth and every process left inside).
struct Lab {
    a: String,
    m: String,
    b: String,
    net: usize,
    made: Vec<String>,
}

impl Lab {
    fn new() -> Lab {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let base = format!("wlup-{}-{n}", std::process::id());
        let mut lab = Lab {
            a: format!("{base}-a"),
            m: format!("{base}-m"),
            b: format!("{base}-b"),
            net: 10 + (std::process::id() as usize + n) % 200,
            made: Vec::new(),
        };
        for ns in [lab.a.clone(), lab.m.clone(), lab.b.clone()] {
            ip(&["netns", "add", &ns]);
            lab.made.push(ns.clone());
            ip(&["-n", &ns, "link", "set", "dev", "lo", "up"]);
        }
        ip(&[
            "-n", &lab.a, "link", "add", "wla", "type", "veth", "peer", "name", "wlma", "netns",
            &lab.m,
        ]);
        ip(&[
            "-n", &lab.b, "link", "add", "wlb", "type", "veth", "peer", "name", "wlmb", "netns",
            &lab.m,
        ]);
        ip(&[
            "-n",
            &lab.a,
            "addr",
            "add",
            &format!("{}/24", lab.ip(1)),
            "dev",
            "wla",
        ]);
        ip(&[
            "-n",
            &lab.b,
            "addr",
            "add",
            &format!("{}/24", lab.ip(2)),
            "dev",
            "wlb",
        ]);
        // One segment per frame (no GSO): the relay forwards what a real wire would carry.
        ip(&[
            "-n",
            &lab.a,
            "link",
            "set",
            "dev",
            "wla",
            "gso_max_segs",
            "1",
        ]);
        ip(&[
            "-n",
            &lab.b,
            "link",
            "set",
            "dev",
            "wlb",
            "gso_max_segs",
            "1",
        ]);
        for (ns, dev) in [
            (&lab.m, "wlma"),
            (&lab.m, "wlmb"),
            (&lab.a, "wla"),
            (&lab.b, "wlb"),
        ] {
            ip(&["-n", ns, "link", "set", "dev", dev, "up"]);
        }
        lab
    }

    fn ip(&self, host: u8) -> String {
        format!("10.98.{}.{host}", self.net)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in &self.made {
            if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-KILL", pid]).status();
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// A process in a namespace; Drop kills it.
struct Proc(Child);

impl Proc {
    fn spawn(ns: &str, args: &[&str], stderr_to: Option<mpsc::Sender<String>>) -> Proc {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns])
            .args(args)
            .stdin(Stdio::null());
        cmd.stdout(Stdio::null());
        cmd.stderr(if stderr_to.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {args:?}: {e}"));
        if let (Some(tx), Some(err)) = (stderr_to, child.stderr.take()) {
            thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        Proc(child)
    }

    fn wait(&mut self, what: &str) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.0.try_wait() {
                assert!(st.success(), "{what} failed: {st}");
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!("{what} did not finish within {WAIT:?}");
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_file(path: &Path) {
    let deadline = Instant::now() + WAIT;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .expect("running a command");
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tshark(args: &[&str]) -> String {
    let conf = tempfile::tempdir().unwrap();
    let out = Command::new("tshark")
        .args(args)
        .env("WIRESHARK_CONFIG_DIR", conf.path())
        .env("HOME", conf.path())
        .output()
        .expect("running tshark");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Equal byte strings, or a short message saying where they part.
fn same_bytes(followed: &[u8], received: &[u8], what: &str) {
    if followed != received {
        let at = followed
            .iter()
            .zip(received)
            .position(|(a, b)| a != b)
            .unwrap_or(followed.len().min(received.len()));
        panic!(
            "{what}: --follow gave {} bytes, the socket received {}; first difference at byte {at}",
            followed.len(),
            received.len()
        );
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Makes the capture; returns (pcap, bytes sent, bytes the sink's socket received).
fn lossy_upload(dir: &Path) -> (PathBuf, Vec<u8>, Vec<u8>) {
    for tool in ["python3", "tcpdump", "tshark"] {
        need(tool);
    }
    let relay = Path::new(ROOT).join("scripts/lossy-relay.py");
    let relay = relay.to_str().unwrap();
    let lab = Lab::new();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let _relay = Proc::spawn(
        &lab.m,
        &[
            "python3",
            relay,
            "relay",
            "--a",
            "wlma",
            "--b",
            "wlmb",
            "--loss",
            "0.03",
            "--seed",
            "5",
            "--seconds",
            "90",
            "--ready",
            &p("relay.ready"),
        ],
        None,
    );
    wait_file(&dir.join("relay.ready"));
    let (tx, rx) = mpsc::channel();
    let mut tcpdump = Proc::spawn(
        &lab.a,
        &[
            "tcpdump",
            "--immediate-mode",
            "-U",
            "-B",
            "32768",
            "-n",
            "-i",
            "wla",
            "-w",
            &p("up.pcap"),
            "tcp",
        ],
        Some(tx),
    );
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l.contains("listening on") => break,
            Ok(_) => {}
            Err(e) => panic!("tcpdump did not start: {e}"),
        }
    }
    let mut sink = Proc::spawn(
        &lab.b,
        &[
            "python3",
            relay,
            "sink",
            "--bind",
            &lab.ip(2),
            "--port",
            "5001",
            "--out",
            &p("got.bin"),
            "--reply",
            REPLY,
            "--seconds",
            "60",
            "--ready",
            &p("sink.ready"),
        ],
        None,
    );
    wait_file(&dir.join("sink.ready"));
    let bytes = UPLOAD.to_string();
    let mut upload = Proc::spawn(
        &lab.a,
        &[
            "python3",
            relay,
            "upload",
            "--dst",
            &lab.ip(2),
            "--port",
            "5001",
            "--bytes",
            &bytes,
            "--seed",
            "11",
            "--copy",
            &p("sent.bin"),
            "--seconds",
            "60",
        ],
        None,
    );
    upload.wait("the upload");
    sink.wait("the sink");
    thread::sleep(Duration::from_millis(300)); // the last ACKs reach the capture
    let _ = Command::new("kill")
        .args(["-INT", &tcpdump.0.id().to_string()])
        .status();
    tcpdump.wait("tcpdump");
    // A capture that lost frames would make every comparison below meaningless.
    let stats: Vec<String> = rx.try_iter().collect();
    assert!(
        stats
            .iter()
            .any(|l| l.trim() == "0 packets dropped by kernel"),
        "tcpdump dropped frames: {stats:?}"
    );
    let sent = std::fs::read(dir.join("sent.bin")).unwrap();
    let got = std::fs::read(dir.join("got.bin")).unwrap();
    (dir.join("up.pcap"), sent, got)
}

#[test]
fn a_lossy_upload_reads_back_as_tshark_and_the_sockets_saw_it() {
    if !allowed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (pcap, sent, got) = lossy_upload(dir.path());
    assert_eq!(sent.len(), UPLOAD);
    assert_eq!(got, sent, "the upload itself went wrong");
    let cap = pcap.to_str().unwrap();

    // RTT: wirelab's (ack frame, segment, ack_rtt) are tshark's; Karn's rule was needed.
    let want: BTreeSet<(u64, u64, String)> = tshark(&[
        "-n",
        "-r",
        cap,
        "-T",
        "fields",
        "-E",
        "occurrence=f",
        "-e",
        "frame.number",
        "-e",
        "tcp.analysis.acks_frame",
        "-e",
        "tcp.analysis.ack_rtt",
    ])
    .lines()
    .filter_map(|l| {
        let c: Vec<&str> = l.split('\t').collect();
        (c.len() == 3 && !c[2].is_empty()).then(|| {
            (
                c[0].parse().unwrap(),
                c[1].parse().unwrap(),
                c[2].to_string(),
            )
        })
    })
    .collect();
    let rows = json_lines(&run(BIN, &["read", cap, "--rtt", "--json"]));
    let got_rtt: BTreeSet<(u64, u64, String)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r["ack_frame"].as_u64()?,
                r["segment_frame"].as_u64()?,
                format!("{:.9}", r["ack_rtt"].as_f64()?),
            ))
        })
        .collect();
    assert!(
        want.len() > 100,
        "only {} RTT samples in the capture",
        want.len()
    );
    assert_eq!(got_rtt, want, "RTT samples differ from tshark's");
    let retransmitted = rows.iter().filter(|r| r["retransmission"] == true).count();
    let karn = rows.iter().filter(|r| r["note"] == "karn").count();
    assert!(
        retransmitted > 0 && karn > 0,
        "no loss: {retransmitted} retransmissions, {karn} Karn rows"
    );
    assert!(
        rows.iter()
            .filter(|r| r["note"] == "karn")
            .all(|r| r["rtt"].is_null())
    );

    // Follow: tshark's text, and the bytes each socket received.
    assert_eq!(
        run(BIN, &["read", cap, "--follow", "0"]),
        tshark(&["-n", "-r", cap, "-q", "-z", "follow,tcp,ascii,0"])
    );
    let chunks = json_lines(&run(BIN, &["read", cap, "--follow", "0", "--json"]));
    let side = |node: u64| -> Vec<u8> {
        chunks
            .iter()
            .filter(|c| c["node"] == node)
            .flat_map(|c| unhex(c["data"].as_str().unwrap()))
            .collect()
    };
    same_bytes(&side(0), &got, "client → server (the sink's socket)");
    same_bytes(
        &side(1),
        REPLY.as_bytes(),
        "server → client (the uploader's socket)",
    );

    // Goodput counts every uploaded byte exactly once.
    let tp = json_lines(&run(BIN, &["read", cap, "--throughput", "--json"]));
    let up = tp
        .iter()
        .find(|r| {
            r["kind"] == "total"
                && r["goodput"].as_u64() > Some(0)
                && r["dst"].as_str().unwrap().ends_with(":5001")
        })
        .expect("a total row for the upload");
    assert_eq!(up["goodput"].as_u64(), Some(UPLOAD as u64));
    assert!(
        up["payload"].as_u64().unwrap() > UPLOAD as u64,
        "retransmissions add payload"
    );

    // The report sees the loss.
    let report = json_lines(&run(BIN, &["read", cap, "--tcp-report", "--json"]));
    let retrans = report
        .iter()
        .find(|a| a["id"] == "retransmissions")
        .unwrap();
    assert!(retrans["values"]["retransmissions"].as_u64().unwrap() > 0);
}

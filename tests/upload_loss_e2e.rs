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

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::netns::Netns;
use support::proc::{Proc, WAIT};
use support::tshark::fresh as tshark;
use support::{BIN, Need, ROOT, require};

const UPLOAD: usize = 1_500_000;
const REPLY: &str = "got it, thanks";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A, M and B; Drop deletes them (and so every veth and every process left inside).
struct Lab {
    a: Netns,
    m: Netns,
    b: Netns,
    net: usize,
}

impl Lab {
    fn new() -> Lab {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let lab = Lab {
            a: Netns::new("upa"),
            m: Netns::new("upm"),
            b: Netns::new("upb"),
            net: 10 + (std::process::id() as usize + n) % 200,
        };
        let m = lab.m.name.as_str();
        lab.a.ip(&[
            "link", "add", "wla", "type", "veth", "peer", "name", "wlma", "netns", m,
        ]);
        lab.b.ip(&[
            "link", "add", "wlb", "type", "veth", "peer", "name", "wlmb", "netns", m,
        ]);
        lab.a
            .ip(&["addr", "add", &format!("{}/24", lab.ip(1)), "dev", "wla"]);
        lab.b
            .ip(&["addr", "add", &format!("{}/24", lab.ip(2)), "dev", "wlb"]);
        // One segment per frame (no GSO): the relay forwards what a real wire would carry.
        lab.a
            .ip(&["link", "set", "dev", "wla", "gso_max_segs", "1"]);
        lab.b
            .ip(&["link", "set", "dev", "wlb", "gso_max_segs", "1"]);
        for (ns, dev) in [
            (&lab.m, "wlma"),
            (&lab.m, "wlmb"),
            (&lab.a, "wla"),
            (&lab.b, "wlb"),
        ] {
            ns.ip(&["link", "set", "dev", dev, "up"]);
        }
        lab
    }

    fn ip(&self, host: u8) -> String {
        format!("10.98.{}.{host}", self.net)
    }
}

/// Starts `args` inside `ns`.
fn spawn(ns: &Netns, args: &[&str]) -> Proc {
    let mut cmd = ns.command(args[0]);
    cmd.args(&args[1..]);
    Proc::spawn(args[0], cmd)
}

/// Waits for `p` to exit by itself, successfully.
fn wait_ok(p: &mut Proc, what: &str) {
    let st = p.wait_exit_within(WAIT);
    assert!(st.success(), "{what} failed: {st}");
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
    let relay = Path::new(ROOT).join("scripts/lossy-relay.py");
    let relay = relay.to_str().unwrap();
    let lab = Lab::new();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let _relay = spawn(
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
    );
    wait_file(&dir.join("relay.ready"));
    let mut tcpdump = spawn(
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
    );
    tcpdump.wait_for("listening on");
    let mut sink = spawn(
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
    );
    wait_file(&dir.join("sink.ready"));
    let bytes = UPLOAD.to_string();
    let mut upload = spawn(
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
    );
    wait_ok(&mut upload, "the upload");
    wait_ok(&mut sink, "the sink");
    thread::sleep(Duration::from_millis(300)); // the last ACKs reach the capture
    tcpdump.signal("INT");
    wait_ok(&mut tcpdump, "tcpdump");
    // A capture that lost frames would make every comparison below meaningless.
    let stats: Vec<String> = tcpdump.err.lines();
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
    if !require(Need::Root)
        || !require(Need::Tool("python3"))
        || !require(Need::Tool("tcpdump"))
        || !require(Need::Tool("tshark"))
    {
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

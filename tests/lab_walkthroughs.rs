//! Every walkthrough in `scripts/labs/` run end to end, as a student runs it, in a lab of its
//! own (`WIRELAB_LAB` = a unique name), bounded in time; then its answers checked against
//! tshark's view of the captures the script made with `wirelab capture`:
//!
//! - 003, run as the sheet runs it (Part I captured on B only, C's client quit with Ctrl+C
//!   before B's): every value of Part I (TCP, UDP) and Part II (`lab_checks::check_003`), I.3
//!   from B's capture alone, the second server's "address already in use" on A's screen, C
//!   never answered, A reading C's line only after B quit;
//! - 002: Figure 3's Seq/Ack/Len and raw ISN, and the file A received is the file B sent;
//! - 004: the socket addresses of both runs; 000: the demo's frame in the TCP payload;
//! - 001: SIMP dissected as SIMP and the resends counted from tshark's UDP payloads;
//! - the TCP lab: RTTs within the switch's delay and jitter, retransmissions as tshark flags
//!   them.
//!
//! After each script: its lab is gone (the script's trap ran `lab down`). Needs root; skipped
//! when not root and CI is unset.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::lab_chat::chat_copies;
use support::lab_checks::{
    Lab003, answer, answer_json, check_000, check_003, check_figure3, evidence_is_real, strings,
};
use support::netns::Lab;
use support::{BIN, Need, require, run, tshark_fields};

/// A walkthrough that ran: where its files are and what it printed.
struct Walk {
    dir: PathBuf,
    out: String,
    /// Guards the lab's namespaces if the script failed to remove them.
    _lab: Lab,
}

impl Walk {
    fn file(&self, name: &str) -> PathBuf {
        let p = self.dir.join(name);
        assert!(p.is_file(), "{} was not written\n{}", p.display(), self.out);
        p
    }
}

/// Runs `scripts/labs/SCRIPT` (at most `limit`) and checks it succeeded and left nothing.
fn walk(script: &str, limit: Duration) -> Option<Walk> {
    if !require(Need::Root) || !require(Need::Tool("tshark")) {
        return None;
    }
    let ran = support::walk::run(script, limit, &[]);
    Some(Walk {
        dir: ran.dir,
        out: ran.out,
        _lab: ran.lab,
    })
}

#[test]
fn walkthrough_003_sockets() {
    let Some(w) = walk("003-sockets.sh", Duration::from_secs(180)) else {
        return;
    };
    let files = [
        "b-tcp.pcapng",
        "b-udp.pcapng",
        "b-threaded.pcapng",
        "c-threaded.pcapng",
    ]
    .map(|f| w.file(f));
    // Part I on B only, as the sheet captures it.
    for gone in ["c-tcp.pcapng", "c-udp.pcapng"] {
        assert!(
            !w.dir.join(gone).exists(),
            "{gone}: the sheet captures on B"
        );
    }
    check_003(&Lab003 {
        b_tcp: &files[0],
        c_tcp: None,
        b_udp: &files[1],
        c_udp: None,
        b_threaded: &files[2],
        c_threaded: &files[3],
    });
    // What the screens showed: both second servers refused, C served only after B quit.
    assert_eq!(
        w.out.matches("address already in use").count(),
        2,
        "{}",
        w.out
    );
    // Step 10(b): C's client ends on Ctrl+C (`interrupt` checks SIGINT ended it) before B's
    // quits, never answered; A accepts C's connection and reads its line only after B quit.
    let c_quit = w.out.find("[C client] (Ctrl+C)").expect("C quits");
    let b_quit = w.out.find("[B client] (Ctrl-D").expect("B quits");
    assert!(c_quit < b_quit, "C quits first\n{}", w.out);
    assert!(!w.out.contains("[C client] reply:"), "{}", w.out);
    let c_read = w
        .out
        .find("[A server] Got connection from 10.0.3.3")
        .expect("A accepts C");
    assert!(b_quit < c_read, "A served C before B quit\n{}", w.out);
    assert!(w.out.contains("[C UDP client] (Ctrl+C)"), "{}", w.out);
    // The ping of Step 4 got its replies.
    assert!(w.out.contains("64 bytes from 10.0.3.2"), "{}", w.out);
    assert!(w.out.contains("64 bytes from 10.0.3.3"), "{}", w.out);
    // The text answers were shown and saved.
    let text = std::fs::read_to_string(w.file("answers.txt")).unwrap();
    assert!(text.contains("II.3") && w.out.contains("II.3"), "{text}");
}

#[test]
fn walkthrough_002_file_transfer() {
    let Some(w) = walk("002-file-transfer.sh", Duration::from_secs(120)) else {
        return;
    };
    let sent = std::fs::read(w.file("on-B/fileToTest")).unwrap();
    let got = std::fs::read(w.file("on-A/fileToTest")).unwrap();
    assert_eq!(sent, got, "A received what B sent");
    let r = check_figure3(&w.file("a.pcapng"));
    // The data B sent, as tshark counts it, is what 3.2 says.
    let a32 = answer(&r, "3.2");
    let client_bytes: u64 = tshark_fields(&w.file("a.pcapng"), &["ip.src", "tcp.len"])
        .iter()
        .filter(|f| f[0] == "10.0.3.2")
        .map(|f| f[1].parse::<u64>().unwrap_or(0))
        .sum();
    assert!(client_bytes > sent.len() as u64, "header, file and digest");
    assert!(
        a32["answer"]
            .as_str()
            .unwrap()
            .contains(&format!("carrying {client_bytes} bytes")),
        "{a32:#}"
    );
}

#[test]
fn walkthrough_004_tcp_exchange() {
    let Some(w) = walk("004-tcp-exchange.sh", Duration::from_secs(120)) else {
        return;
    };
    let pcap = w.file("b.pcapng");
    let r = answer_json("004", &[&pcap], &[]);
    evidence_is_real(&r);
    let syns: Vec<String> = tshark_fields(
        &pcap,
        &["ip.src", "tcp.srcport", "tcp.flags.syn", "tcp.flags.ack"],
    )
    .into_iter()
    .filter(|f| f[2] == "1" && f[3] == "0")
    .map(|f| format!("{}:{}", f[0], f[1]))
    .collect();
    assert_eq!(syns.len(), 2, "tshark: two runs, two connections");
    assert_ne!(syns[0], syns[1], "a new ephemeral port each run");
    let a2 = answer(&r, "004.2");
    assert_eq!(strings(&a2["values"]["client_sockets"]), syns);
    assert_eq!(strings(&a2["values"]["server_sockets"]), ["10.0.3.1:8080"]);
    // tshark's payloads hold both messages of each run.
    let payloads: String = tshark_fields(&pcap, &["tcp.payload"])
        .iter()
        .map(|f| f[0].replace(':', ""))
        .collect::<Vec<_>>()
        .join(" ");
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    assert_eq!(payloads.matches(&hex("Hai from client")).count(), 2);
    assert_eq!(payloads.matches(&hex("Thanks for connecting")).count(), 2);
    assert_eq!(answer(&r, "004.1")["values"]["connections"], 2);
}

#[test]
fn walkthrough_000_stack() {
    let Some(w) = walk("000-stack.sh", Duration::from_secs(120)) else {
        return;
    };
    let pcap = w.file("a.pcapng");
    check_000(&pcap);
    assert!(w.out.contains("both checksums correct"), "{}", w.out);
}

#[test]
fn walkthrough_001_simp() {
    let Some(w) = walk("001-simp.sh", Duration::from_secs(180)) else {
        return;
    };
    let pcap = w.file("a.pcapng");
    let r = answer_json("001", &[&pcap], &[]);
    evidence_is_real(&r);
    // SIMP is dissected as SIMP: every frame tshark sees on UDP port 7777 has a SIMP layer.
    let udp = tshark_fields(&pcap, &["ip.src", "udp.payload"]);
    let rows = run(Command::new(BIN)
        .args(["read", "--json"])
        .arg(&pcap)
        .args(["-Y", "udp.port == 7777"]));
    let simp = String::from_utf8_lossy(&rows.stdout)
        .lines()
        .filter(|l| {
            serde_json::from_str::<Value>(l)
                .map(|v| v["simp"]["type"].is_string())
                .unwrap_or(false)
        })
        .count();
    assert!(!udp.is_empty());
    assert_eq!(simp, udp.len(), "every SIMP datagram decoded");
    // Resends, independently of the decoder: chat datagrams (type 2, operation 1) seen more
    // than once with the same sender, sequence bit and text, from tshark's UDP payloads.
    let seen = chat_copies(&udp);
    let resent: u64 = seen.values().map(|n| n - 1).sum();
    assert_eq!(
        answer(&r, "001.4")["values"]["resent"].as_u64(),
        Some(resent),
        "{seen:?}"
    );
    assert!(resent > 0, "25% loss and no resend\n{}", w.out);
    let sw = answer(&r, "001.3");
    assert_eq!(sw["values"]["new_messages"], 8, "{sw:#}");
    assert_eq!(sw["values"]["waited_for_ack"], sw["values"]["new_messages"]);
    assert!(
        answer(&r, "001.2")["answer"]
            .as_str()
            .unwrap()
            .contains("SYN+ACK")
    );
}

#[test]
fn walkthrough_tcp_kurose_ross() {
    let Some(w) = walk("tcp.sh", Duration::from_secs(240)) else {
        return;
    };
    let pcap = w.file("b.pcapng");
    assert_eq!(
        std::fs::read(w.file("on-B/alice.txt")).unwrap(),
        std::fs::read(w.file("on-A/alice.txt")).unwrap(),
        "A received what B sent"
    );
    let report: BTreeMap<String, Value> = String::from_utf8_lossy(
        &run(Command::new(BIN)
            .args(["read", "--tcp-report", "--json"])
            .arg(&pcap))
        .stdout,
    )
    .lines()
    .map(|l| {
        let v: Value = serde_json::from_str(l).unwrap();
        (v["id"].as_str().unwrap().to_string(), v)
    })
    .collect();
    // The switch delays each frame 20 ms ± 2 ms, each way: no RTT below 36 ms, and the
    // smallest (an empty queue) within the jitter plus a frame's serialisation at 10 Mbit/s
    // and this busy VM's scheduling.
    let rtt = &report["rtt"]["values"];
    let min = rtt["min_rtt"].as_f64().unwrap();
    assert!((0.036..0.050).contains(&min), "smallest RTT {min} s");
    let tshark_rtts: Vec<f64> = tshark_fields(&pcap, &["ip.src", "tcp.analysis.ack_rtt"])
        .iter()
        .filter(|f| f[0] == "10.0.3.1" && !f[1].is_empty())
        .map(|f| f[1].parse().unwrap())
        .collect();
    assert!(!tshark_rtts.is_empty());
    assert!(
        tshark_rtts.iter().all(|r| *r >= 0.036),
        "tshark: an RTT below twice the switch's smallest delay: {tshark_rtts:?}"
    );
    let tshark_min = tshark_rtts.iter().copied().fold(f64::MAX, f64::min);
    assert!(
        tshark_min <= min + 1e-6,
        "the report's smallest sample is one of tshark's (tshark {tshark_min}, report {min})"
    );
    // Retransmissions (issue 18: the textbook's, every segment carrying sequence numbers sent
    // before): from tshark's seq and len alone; they include every frame tshark flags.
    let mut top = 0u64;
    let mut resends: Vec<u64> = Vec::new();
    let mut flagged: Vec<u64> = Vec::new();
    for f in tshark_fields(
        &pcap,
        &[
            "frame.number",
            "tcp.analysis.retransmission",
            "ip.src",
            "tcp.seq",
            "tcp.len",
        ],
    ) {
        let len: u64 = f.get(4).and_then(|l| l.parse().ok()).unwrap_or(0);
        if f.get(2).map(String::as_str) != Some("10.0.3.2") || len == 0 {
            continue;
        }
        let seq: u64 = f[3].parse().unwrap();
        if seq < top {
            resends.push(f[0].parse().unwrap());
        }
        if f[1] == "1" {
            flagged.push(f[0].parse().unwrap());
        }
        top = top.max(seq + len);
    }
    let ours: Vec<u64> = report["retransmissions"]["values"]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    resends.truncate(8);
    assert_eq!(ours, resends, "retransmitted frames");
    assert!(flagged.iter().all(|f| ours.contains(f) || ours.len() == 8));
    // Bytes sent more than once, from tshark's sequence numbers alone (at the sender tshark
    // may flag a resend Out-Of-Order rather than Retransmission): payload − covered range.
    let mut segs: Vec<(u64, u64)> = tshark_fields(&pcap, &["ip.src", "tcp.seq", "tcp.len"])
        .iter()
        .filter(|f| f[0] == "10.0.3.2" && f[2].parse::<u64>().unwrap_or(0) > 0)
        .map(|f| {
            let seq: u64 = f[1].parse().unwrap();
            (seq, seq + f[2].parse::<u64>().unwrap())
        })
        .collect();
    let sent: u64 = segs.iter().map(|(a, b)| b - a).sum();
    segs.sort_unstable();
    let (mut covered, mut end) = (0u64, 0u64);
    for (a, b) in segs {
        if b > end {
            covered += b - a.max(end);
            end = b;
        }
    }
    let resent = sent - covered;
    assert_eq!(
        report["retransmissions"]["values"]["resent_bytes"].as_u64(),
        Some(resent)
    );
    assert!(
        resent > 0,
        "2% loss over a 300 kB upload and nothing resent\n{}",
        w.out
    );
    assert!(
        report["retransmissions"]["answer"]
            .as_str()
            .unwrap()
            .starts_with("Yes")
    );
    // The graphs were drawn.
    for kind in ["stevens", "tcptrace", "rtt", "throughput", "window"] {
        let svg = std::fs::read_to_string(w.file(&format!("graphs/stream0-{kind}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{kind}");
    }
    assert!(w.out.contains("TCP report for stream 0"), "{}", w.out);
}

//! End-to-end tests of `wirelab craft` and `wirelab ping` in two network namespaces joined by a
//! veth pair: a kernel TCP server in one (this project's `tcp-server`, or a plain Python socket
//! server that reports what the kernel really received), wirelab in the other, and tcpdump on
//! the server's side as the independent witness. tshark reads craft's own pcapng and must agree
//! with it.
//!
//! These need root (namespaces, raw sockets): they skip with a note outside CI when not root,
//! and fail in CI (which runs as root) if they cannot run.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::netns::{Lan, Netns, Tcpdump};
use support::proc::{Proc, WAIT};
use support::{BIN, Need, require, tshark_fields};

/// The Python server that reports bytes, digest and EOF as its kernel received them.
const SINK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/tcp_sink.py");

/// Our unowned source address on the LAN (wirelab answers ARP for it).
const CRAFT_IP: &str = "10.0.3.20";

fn sha256(data: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().map(|mut s| s.write_all(data));
            c.wait_with_output()
        })
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn sink(ns: &Netns, port: u16, extra: &[&str]) -> Proc {
    let mut cmd = ns.command("python3");
    cmd.arg("-u").arg(SINK).arg(port.to_string()).args(extra);
    let p = Proc::spawn("tcp_sink.py", cmd);
    p.wait_for("listening on");
    p
}

fn tcp_server(ns: &Netns, port: u16) -> Proc {
    let mut cmd = ns.wirelab();
    cmd.args(["tcp-server", "--port", &port.to_string()]);
    let p = Proc::spawn("tcp-server", cmd);
    p.wait_for("listening on");
    p
}

/// Runs `wirelab ARGS` in `ns` to the end; returns (exit code, stdout, stderr).
fn wirelab_in(ns: &Netns, args: &[&str]) -> (Option<i32>, String, String) {
    let mut cmd = ns.wirelab();
    cmd.args(args);
    let mut p = Proc::spawn("wirelab", cmd);
    p.close_stdin();
    let code = p.wait_exit_within(WAIT * 2).code();
    (code, p.out.text(), p.err.text())
}

/// Seq and Ack of every TCP row of a packet list (`No.` → (Seq, Ack)).
fn rows_seq_ack(table: &str) -> HashMap<u64, (String, String)> {
    let mut out = HashMap::new();
    for line in table.lines() {
        let mut cols = line.split_whitespace();
        let Some(no) = cols.next().and_then(|n| n.parse::<u64>().ok()) else {
            continue;
        };
        if !line.contains(" TCP ") {
            continue;
        }
        let field = |key: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .unwrap_or("")
                .to_string()
        };
        out.insert(no, (field("Seq="), field("Ack=")));
    }
    out
}

/// tshark's relative seq/ack of every TCP frame of `file` (ack empty without the ACK flag).
fn tshark_seq_ack(file: &Path) -> HashMap<u64, (String, String)> {
    tshark_fields(
        file,
        &["frame.number", "tcp.seq", "tcp.ack", "tcp.flags.ack"],
    )
    .into_iter()
    .filter(|r| r.get(1).is_some_and(|s| !s.is_empty()))
    .map(|r| {
        let ack = if r[3] == "1" {
            r[2].clone()
        } else {
            String::new()
        };
        (r[0].parse().unwrap_or(0), (r[1].clone(), ack))
    })
    .collect()
}

/// Frames of `file` matching the display filter `filter`, per tshark.
fn tshark_count(file: &Path, filter: &str) -> usize {
    let out = support::run(Command::new("tshark").args(["-n", "-r"]).arg(file).args([
        "-Y",
        filter,
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]));
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn a_message_to_tcp_server_handshake_data_reply_and_clean_close() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = Lan::new("cm");
    let server = tcp_server(&lan.server, 8080);
    let dir = tempfile::tempdir().unwrap();
    let witness = Tcpdump::start(
        &lan.server,
        "eth0",
        &dir.path().join("server.pcap"),
        &["tcp or arp"],
    );
    let mine = dir.path().join("craft.pcapng");
    let mine_s = mine.to_str().unwrap();
    // No --src-ip: the free-address probe is part of this test.
    let (code, out, err) = wirelab_in(
        &lan.client,
        &[
            "craft",
            "--iface",
            "eth0",
            "--to",
            "10.0.3.1:8080",
            "--message",
            "Hai from client",
            "-w",
            mine_s,
            "--color",
            "never",
        ],
    );
    let transcript = format!("--- stdout\n{out}\n--- stderr\n{err}");
    assert_eq!(code, Some(0), "{transcript}");
    let witness = witness.stop();
    // The mode is said at start, and the probed address is named.
    assert!(
        err.contains("mode: an address this host does not own"),
        "{transcript}"
    );
    let ip = err
        .split("using ")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .unwrap_or_else(|| panic!("no chosen address: {transcript}"))
        .to_string();
    assert!(ip.starts_with("10.0.3."), "{transcript}");
    // The server's reply is printed; the encapsulation views and the ladder are shown.
    assert!(
        out.contains("21 bytes of data from the server: \"Thanks for connecting\""),
        "{transcript}"
    );
    for view in [
        "the SYN: built",
        "the first data segment: built",
        "the FIN: built",
    ] {
        assert!(out.contains(view), "{view}: {transcript}");
    }
    assert!(out.contains("step 3: Seq 1"), "{transcript}");
    assert!(out.contains("closed     cleanly"), "{transcript}");

    // The kernel's side: the message byte for byte, then EOF (our FIN).
    server.wait_for("closed the connection");
    let said = server.out.text();
    assert!(
        said.contains(&format!("Got connection from {ip}:")),
        "{said}"
    );
    assert!(said.contains("says: Hai from client"), "{said}");

    // tcpdump on the server's side: the three-way handshake, FINs both ways, no RST at all.
    let syn = tshark_count(&witness, "tcp.flags.syn == 1 && tcp.flags.ack == 0");
    let syn_ack = tshark_count(&witness, "tcp.flags.syn == 1 && tcp.flags.ack == 1");
    let fins = tshark_count(&witness, "tcp.flags.fin == 1");
    let rsts = tshark_count(&witness, "tcp.flags.reset == 1");
    assert_eq!((syn, syn_ack, fins, rsts), (1, 1, 2, 0), "{transcript}");
    // The message went once, in one segment (nothing lost, nothing resent).
    assert_eq!(
        tshark_count(&witness, &format!("tcp && ip.src == {ip} && tcp.len == 15")),
        1
    );

    // tshark reads craft's pcapng without complaint, and agrees on every relative number with
    // the rows craft printed while it worked.
    let check = support::run(Command::new("tshark").args(["-n", "-r", mine_s]));
    let complaints = String::from_utf8_lossy(&check.stderr);
    assert!(
        !complaints.contains("damaged") && !complaints.contains("cut short"),
        "{complaints}"
    );
    let theirs = tshark_seq_ack(&mine);
    let ours = rows_seq_ack(&out);
    assert!(theirs.len() >= 7, "{theirs:?}");
    assert_eq!(ours, theirs, "{transcript}");
    // Directions and comments as Wireshark sees them.
    let meta = tshark_fields(
        &mine,
        &[
            "frame.packet_flags_direction",
            "frame.comment",
            "tcp.flags.syn",
        ],
    );
    assert!(
        meta.iter()
            .any(|r| r[1] == "handshake SYN" && r[0] == "0x00000002")
    );
    assert!(
        meta.iter().any(|r| r[0] == "0x00000001" && r[2] == "1"),
        "{meta:?}"
    );
    // `wirelab read` reads it too, with the same Info as the live rows.
    let read = support::run(Command::new(BIN).args(["read", mine_s, "--color", "never"]));
    let read = String::from_utf8_lossy(&read.stdout);
    assert_eq!(rows_seq_ack(&read), ours);
}

#[test]
fn a_1mb_file_arrives_byte_for_byte_and_the_server_closes_first_after_a_message() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = Lan::new("cf");
    let server = sink(&lan.server, 9000, &[]);
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..1_048_576u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let file = dir.path().join("one.bin");
    std::fs::write(&file, &data).unwrap();
    let witness = Tcpdump::start(
        &lan.server,
        "eth0",
        &dir.path().join("server.pcap"),
        &["tcp"],
    );
    let mine = dir.path().join("craft.pcapng");
    let (code, out, err) = wirelab_in(
        &lan.client,
        &[
            "craft",
            "--iface",
            "eth0",
            "--to",
            "10.0.3.1:9000",
            "--src-ip",
            CRAFT_IP,
            "--file",
            file.to_str().unwrap(),
            "--quiet",
            "-w",
            mine.to_str().unwrap(),
        ],
    );
    let transcript = format!("--- stdout\n{out}\n--- stderr\n{err}");
    assert_eq!(code, Some(0), "{transcript}");
    // --quiet: stdout is exactly what the server sent; the summary is on stderr.
    assert_eq!(out.trim(), "got 1048576 bytes", "{transcript}");
    assert!(err.contains("1048576 bytes acknowledged"), "{transcript}");
    server.wait_for("received 1048576 bytes");
    let line = server.out.text();
    assert!(
        line.contains(&format!(
            "received 1048576 bytes sha256 {} from {CRAFT_IP}:",
            sha256(&data)
        )) && line.contains("eof=yes"),
        "{line}"
    );
    let witness = witness.stop();
    assert_eq!(tshark_count(&witness, "tcp.flags.reset == 1"), 0);
    // Segments were at most the MSS (1448 data bytes with timestamps), never stop-and-wait:
    // tshark on craft's own capture (the sender's side) sees many segments in flight at once.
    assert_eq!(
        tshark_count(&witness, &format!("ip.src == {CRAFT_IP} && tcp.len > 1448")),
        0
    );
    let bif = tshark_fields(&mine, &["tcp.analysis.bytes_in_flight"]);
    let most = bif
        .iter()
        .filter_map(|r| r.first().and_then(|v| v.parse::<u64>().ok()))
        .max()
        .unwrap_or(0);
    assert!(most >= 10 * 1448, "at most {most} bytes in flight");

    // The server closes first: a message on stdin (kept open), the server reads it, replies
    // and closes; craft acknowledges its FIN, then closes its own side.
    drop(server);
    let server = sink(&lan.server, 9001, &["--close-after", "5"]);
    let mut cmd = lan.client.wirelab();
    cmd.args([
        "craft",
        "--iface",
        "eth0",
        "--to",
        "10.0.3.1:9001",
        "--src-ip",
        CRAFT_IP,
        "--color",
        "never",
    ]);
    let mut craft = Proc::spawn("craft", cmd);
    craft.write_stdin(b"hello");
    let code = craft.wait_exit_within(WAIT).code();
    assert_eq!(code, Some(0), "{}", craft.transcript());
    let text = craft.out.text();
    assert!(
        text.contains("12 bytes of data from the server: \"got 5 bytes\""),
        "{}",
        craft.transcript()
    );
    // The table shows the server's FIN first (B closes), then ours.
    let b_closes = text.find("B closes").unwrap_or(usize::MAX);
    let a_closes = text.find("A closes").unwrap_or(0);
    assert!(b_closes < a_closes, "{}", craft.transcript());
    server.wait_for("received 5 bytes");
    assert!(server.out.text().contains("eof=no"));
}

#[test]
fn refused_unreachable_timeout_and_no_privilege_say_what_happened() {
    if !require(Need::Root) {
        return;
    }
    let lan = Lan::new("ce");
    let base = [
        "craft",
        "--iface",
        "eth0",
        "--src-ip",
        CRAFT_IP,
        "--message",
        "x",
        "--quiet",
    ];
    let with = |to: &str, extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["--to", to]);
        a.extend(extra);
        wirelab_in(&lan.client, &a.iter().map(|s| &**s).collect::<Vec<_>>())
    };
    // A closed port: the server's kernel answers the SYN with a RST.
    let (code, _, err) = with("10.0.3.1:9", &[]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("connection refused (nothing listens on 10.0.3.1:9)"),
        "{err}"
    );
    // An address nobody has: no ARP reply.
    let (code, _, err) = with("10.0.3.77:80", &[]);
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("host unreachable: nobody answered ARP for 10.0.3.77 on eth0"),
        "{err}"
    );
    // The server answers ARP but its answers to us vanish (a blackhole route): the SYN times
    // out after its retries (1 s, then 2 s).
    lan.server
        .ip(&["route", "add", "blackhole", &format!("{CRAFT_IP}/32")]);
    let (code, _, err) = with("10.0.3.1:9", &["--syn-retries", "1"]);
    assert_eq!(code, Some(5), "{err}");
    assert!(
        err.contains("timed out: the SYN to 10.0.3.1:9 was sent 2 times"),
        "{err}"
    );

    // No CAP_NET_RAW: the exact setcap advice (capsh drops it; setpriv runs as nobody).
    let fix = "sudo setcap cap_net_raw=eip \"$(command -v wirelab)\"";
    let craft = format!("{BIN} craft --iface eth0 --to 10.0.3.1:8080 --message x");
    if require(Need::Tool("capsh")) {
        let out = support::run_status(lan.client.command("capsh").args([
            "--drop=cap_net_raw",
            "--",
            "-c",
            &craft,
        ]));
        assert_eq!(out.status.code(), Some(77), "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(fix),
            "{out:?}"
        );
    }
    let out = support::run_status(lan.client.command("setpriv").args([
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        BIN,
        "craft",
        "--iface",
        "eth0",
        "--to",
        "10.0.3.1:8080",
        "--message",
        "x",
    ]));
    assert_eq!(out.status.code(), Some(77), "{out:?}");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("needs root or the CAP_NET_RAW capability") && text.contains(fix),
        "{text}"
    );
}

#[test]
fn five_percent_loss_both_ways_still_delivers_every_byte_with_retransmissions() {
    if !require(Need::Root) || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = Lan::new("cl");
    let server = sink(&lan.server, 9000, &[]);
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..1_048_576u32).map(|i| (i % 253) as u8).collect();
    let file = dir.path().join("lossy.bin");
    std::fs::write(&file, &data).unwrap();
    let mine = dir.path().join("lossy.pcapng");
    let (code, out, err) = wirelab_in(
        &lan.client,
        &[
            "craft",
            "--iface",
            "eth0",
            "--to",
            "10.0.3.1:9000",
            "--src-ip",
            CRAFT_IP,
            "--file",
            file.to_str().unwrap(),
            "--loss",
            "5",
            "--loss-seed",
            "7",
            "--quiet",
            "-w",
            mine.to_str().unwrap(),
        ],
    );
    let transcript = format!("--- stdout\n{out}\n--- stderr\n{err}");
    assert_eq!(code, Some(0), "{transcript}");
    server.wait_for("received 1048576 bytes");
    assert!(
        server
            .out
            .text()
            .contains(&format!("sha256 {}", sha256(&data))),
        "{}",
        server.transcript()
    );
    // Retransmissions happened, craft says why in its comments, and tshark flags them.
    let comments = tshark_fields(&mine, &["frame.comment"]);
    let retrans_comments = comments
        .iter()
        .filter(|r| r[0].contains("retransmi"))
        .count();
    assert!(retrans_comments > 0, "{transcript}");
    let flagged = tshark_count(
        &mine,
        "tcp.analysis.retransmission || tcp.analysis.fast_retransmission",
    );
    assert!(
        flagged > 0,
        "tshark flagged no retransmission\n{transcript}"
    );
    assert!(err.contains("retransmissions:"), "{transcript}");
}

/// `--loss` made visible: each frame it dropped instead of sending is marked "dropped by
/// --loss" under its row in the list and in its pcapng comment (tshark reads it), and the
/// summary counts them, and the frames dropped on receipt, saying where each kind can be seen.
#[test]
fn loss_marks_each_dropped_frame_in_the_list_the_summary_and_the_pcapng() {
    if !require(Need::Root) || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = Lan::new("cm");
    let server = sink(&lan.server, 9000, &[]);
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let file = dir.path().join("lossy.bin");
    std::fs::write(&file, &data).unwrap();
    let mine = dir.path().join("lossy.pcapng");
    let (code, out, err) = wirelab_in(
        &lan.client,
        &[
            "craft",
            "-i",
            "eth0",
            "--to",
            "10.0.3.1:9000",
            "--src-ip",
            CRAFT_IP,
            "--file",
            file.to_str().unwrap(),
            "--loss",
            "5",
            "--loss-seed",
            "7",
            "--color",
            "never",
            "-w",
            mine.to_str().unwrap(),
        ],
    );
    let transcript = format!("--- stdout\n{out}\n--- stderr\n{err}");
    assert_eq!(code, Some(0), "{transcript}");
    server.wait_for("received 200000 bytes");
    let marks = out
        .lines()
        .filter(|l| l.contains("↳ dropped by --loss (never on the wire)"))
        .count();
    assert!(marks > 0, "{transcript}");
    let summary = out
        .lines()
        .find(|l| l.starts_with("  --loss     "))
        .unwrap_or_else(|| panic!("no --loss line in the summary\n{transcript}"));
    assert!(
        summary.starts_with(&format!("  --loss     {marks} of ")),
        "{summary}\n{transcript}"
    );
    assert!(
        summary.contains("sent dropped, never on the wire"),
        "{summary}"
    );
    assert!(
        out.contains("received on the interface dropped before wirelab saw them"),
        "{transcript}"
    );
    let commented = tshark_fields(&mine, &["frame.comment"])
        .iter()
        .filter(|r| r[0].starts_with("dropped by --loss (never on the wire)"))
        .count();
    assert_eq!(commented, marks, "{transcript}");
}

#[test]
fn ping_gets_replies_from_the_kernel_in_the_other_namespace() {
    if !require(Need::Root) {
        return;
    }
    let lan = Lan::new("cp");
    let (code, out, err) = wirelab_in(
        &lan.client,
        &[
            "ping",
            "10.0.3.1",
            "--iface",
            "eth0",
            "-c",
            "3",
            "--interval",
            "0.1",
            "--color",
            "never",
        ],
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    for seq in 1..=3 {
        assert!(
            out.contains(&format!(
                "64 bytes from 10.0.3.1: icmp_seq={seq} ttl=64 time="
            )),
            "{out}"
        );
    }
    assert!(out.contains("the first echo request: built"), "{out}");
    assert!(
        out.contains("3 packets transmitted, 3 received, 0% packet loss"),
        "{out}"
    );
    // Nobody there: ARP fails with exit code 4.
    let (code, _, err) = wirelab_in(
        &lan.client,
        &["ping", "10.0.3.99", "--iface", "eth0", "-c", "1"],
    );
    assert_eq!(code, Some(4), "{err}");
}

#[test]
fn with_the_hosts_own_address_the_kernels_rst_is_seen_and_explained() {
    if !require(Need::Root) {
        return;
    }
    let lan = Lan::new("ck");
    let _server = sink(&lan.server, 9000, &[]);
    let mut cmd = lan.client.wirelab();
    cmd.args([
        "craft",
        "--iface",
        "eth0",
        "--to",
        "10.0.3.1:9000",
        "--src-ip",
        "10.0.3.2",
        "--quiet",
    ]);
    let mut craft = Proc::spawn("craft", cmd);
    // Keep the connection open (stdin stays open) until the kernel's RST has done its work.
    craft.wait_for("RST from this host's own kernel");
    craft.close_stdin();
    let _ = craft.wait_exit_within(WAIT).code();
    let err = craft.err.text();
    assert!(
        err.contains("mode: the host's own address 10.0.3.2"),
        "{err}"
    );
    assert!(
        err.contains("iptables -I OUTPUT -p tcp --tcp-flags RST RST"),
        "{err}"
    );
    std::thread::sleep(Duration::from_millis(50));
}

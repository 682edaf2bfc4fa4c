//! `wirelab lab answer` against captures it did not make, checked against tshark's view of
//! the same files:
//!
//! - lab 003 on captures made here with plain tcpdump on B and C in a virtual lab (Part I with
//!   a one-client-at-a-time server, UDP, Part II with a threaded server);
//! - labs 002, 003 and 004 on `../shared/captures-public/200722_tcp_anon.pcapng` (netcat
//!   sessions someone else captured) and on this repository's `captures/`;
//! - lab 000 on the stack demo and lab 001 on a SIMP chat through a lossy switch, both captured
//!   with tcpdump;
//! - golden files of the text output (`tests/golden/lab/`, re-bless with `WIRELAB_BLESS=1`).
//!
//! The virtual-lab tests need root; skipped when not root and CI is unset.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use support::lab_chat::{chat_copies, lossy_simp_chat};
use support::lab_checks::{
    Lab003, answer, answer_json, check_000, check_003, check_figure3, evidence_is_real, strings,
};
use support::netns::{Lab, Tcpdump};
use support::proc::Proc;
use support::{BIN, Need, repo, require, run, tshark_fields};

/// The directory of the public captures; outside CI a missing one skips the tests that use
/// it.
fn public_dir() -> Option<PathBuf> {
    require(Need::PublicCaptures).then(support::public_captures)
}

const PUBLIC: &str = "200722_tcp_anon.pcapng";

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lab_answer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A client on `letter` that sends `lines` one at a time and stays connected `hold` seconds.
fn client(lab: &Lab, letter: &str, proto: &str, lines: &[&str], hold: f64) -> Proc {
    let script = format!(
        "{} sleep {hold}",
        lines
            .iter()
            .map(|l| format!("echo '{l}'; sleep 0.2;"))
            .collect::<String>()
    );
    let cmd = format!("({script}) | {BIN} {proto}-client 10.0.3.1:8080 --lines");
    Proc::spawn(
        &format!("{proto} client on {letter}"),
        lab.exec(letter, &["sh", "-c", &cmd]),
    )
}

#[test]
fn lab_003_from_tcpdump_captures_on_b_and_c_matches_tshark() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[]);
    // Part I, TCP: B's client stays connected; C's connects meanwhile and waits.
    let (b1, c1) = (tmp("003-b-tcp.pcap"), tmp("003-c-tcp.pcap"));
    let cap_b = Tcpdump::start_in(&lab.ns("B"), "eth0", &b1, &[]);
    let cap_c = Tcpdump::start_in(&lab.ns("C"), "eth0", &c1, &[]);
    let server = Proc::spawn(
        "tcp-server",
        lab.exec("A", &["wirelab", "tcp-server", "--port", "8080"]),
    );
    server.wait_for("listening on");
    let mut on_b = client(&lab, "B", "tcp", &["one", "two", "three"], 2.5);
    on_b.wait_for("reply: Thanks");
    let mut on_c = client(&lab, "C", "tcp", &["from C"], 0.5);
    assert_eq!(
        on_b.wait_exit_within(Duration::from_secs(20)).code(),
        Some(0),
        "{}",
        on_b.transcript()
    );
    assert_eq!(
        on_c.wait_exit_within(Duration::from_secs(20)).code(),
        Some(0),
        "{}",
        on_c.transcript()
    );
    let (b1, c1) = (cap_b.stop(), cap_c.stop());
    drop(server);
    // Step 12, UDP.
    let (b2, c2) = (tmp("003-b-udp.pcap"), tmp("003-c-udp.pcap"));
    let cap_b = Tcpdump::start_in(&lab.ns("B"), "eth0", &b2, &[]);
    let cap_c = Tcpdump::start_in(&lab.ns("C"), "eth0", &c2, &[]);
    let userver = Proc::spawn(
        "udp-server",
        lab.exec("A", &["wirelab", "udp-server", "--port", "8080"]),
    );
    userver.wait_for("listening on");
    let mut ub = client(&lab, "B", "udp", &["one", "two", "three"], 1.0);
    let mut uc = client(&lab, "C", "udp", &["from C"], 0.2);
    assert_eq!(
        ub.wait_exit_within(Duration::from_secs(20)).code(),
        Some(0),
        "{}",
        ub.transcript()
    );
    assert_eq!(
        uc.wait_exit_within(Duration::from_secs(20)).code(),
        Some(0),
        "{}",
        uc.transcript()
    );
    let (b2, c2) = (cap_b.stop(), cap_c.stop());
    drop(userver);
    // Part II: the threaded server, two clients on B and two on C at once.
    let (b3, c3) = (tmp("003-b-threaded.pcap"), tmp("003-c-threaded.pcap"));
    let cap_b = Tcpdump::start_in(&lab.ns("B"), "eth0", &b3, &[]);
    let cap_c = Tcpdump::start_in(&lab.ns("C"), "eth0", &c3, &[]);
    let tserver = Proc::spawn(
        "threaded",
        lab.exec(
            "A",
            &["wirelab", "tcp-server", "--port", "8080", "--threaded"],
        ),
    );
    tserver.wait_for("listening on");
    let mut clients: Vec<Proc> = ["B", "B", "C", "C"]
        .iter()
        .map(|l| {
            let p = client(&lab, l, "tcp", &["hi"], 1.5);
            thread::sleep(Duration::from_millis(150));
            p
        })
        .collect();
    for c in &mut clients {
        assert_eq!(
            c.wait_exit_within(Duration::from_secs(20)).code(),
            Some(0),
            "{}",
            c.transcript()
        );
    }
    let (b3, c3) = (cap_b.stop(), cap_c.stop());
    drop(tserver);

    let caps = Lab003 {
        b_tcp: &b1,
        c_tcp: Some(&c1),
        b_udp: &b2,
        c_udp: Some(&c2),
        b_threaded: &b3,
        c_threaded: &c3,
    };
    check_003(&caps);
    let files = caps.files();
    // The text version says the same.
    let text = run(Command::new(BIN).args(["lab", "answer", "003"]).args(files));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("II.3") && text.contains("10.0.3.3"), "{text}");
}

#[test]
fn labs_002_003_004_on_a_capture_someone_else_made_agree_with_tshark() {
    let Some(dir) = public_dir() else {
        return;
    };
    if !require(Need::Tool("tshark")) {
        return;
    }
    let public_path = dir.join(PUBLIC);
    let public = public_path.as_path();
    let r = answer_json("003", &[public], &[]);
    evidence_is_real(&r);
    assert_eq!(r["server"]["ip"], "192.168.200.21");
    assert_eq!(
        strings(&answer(&r, "I.2")["values"]["server_sockets"]),
        ["192.168.200.21:2000"]
    );
    let syns: BTreeSet<String> = tshark_fields(
        public,
        &["ip.src", "tcp.srcport", "tcp.flags.syn", "tcp.flags.ack"],
    )
    .into_iter()
    .filter(|f| f[2] == "1" && f[3] == "0")
    .map(|f| format!("{}:{}", f[0], f[1]))
    .collect();
    let ii3 = answer(&r, "II.3");
    assert_eq!(
        strings(&ii3["values"]["client_sockets"])
            .into_iter()
            .collect::<BTreeSet<_>>(),
        syns
    );

    // Lab 002's Figure 3: every row's relative Seq/Ack/Len is tshark's.
    check_figure3(public);

    // Lab 004: the netcat sessions' messages, as tshark shows their payloads.
    let r = answer_json("004", &[public], &[]);
    evidence_is_real(&r);
    assert_eq!(
        strings(&answer(&r, "004.2")["values"]["client_sockets"]).len(),
        2
    );
    let first_closers = strings(&answer(&r, "004.3")["values"]["first_to_close"]);
    assert_eq!(first_closers, ["client", "server"]);
}

/// The text output of `lab answer ARGS` run in `dir`, pinned (`WIRELAB_BLESS=1` rewrites it).
fn golden(name: &str, dir: &Path, args: &[&str]) {
    let out = run(Command::new(BIN)
        .current_dir(dir)
        .args(["lab", "answer"])
        .args(args));
    let got = String::from_utf8_lossy(&out.stdout).into_owned();
    support::golden::check(&repo(&format!("tests/golden/lab/{name}.txt")), &got);
}

#[test]
fn text_answers_match_their_golden_files() {
    let here = repo("captures");
    golden(
        "003-handshake-udp",
        &here,
        &["003", "tcp-handshake.pcapng", "udp.pcapng"],
    );
    golden("002-handshake", &here, &["002", "tcp-handshake.pcapng"]);
    golden("004-handshake", &here, &["004", "tcp-handshake.pcapng"]);
    if let Some(dir) = public_dir() {
        golden("003-public", &dir, &["003", PUBLIC]);
        golden("004-public", &dir, &["004", PUBLIC]);
    }
}

#[test]
fn bad_input_gets_clear_errors() {
    let o = Command::new(BIN)
        .args(["lab", "answer", "003", "/nonexistent.pcapng"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
    let o = Command::new(BIN)
        .args(["lab", "answer", "tcp", "x.pcap"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--tcp-report"));
    let not_a_capture = repo("Cargo.toml");
    let o = Command::new(BIN)
        .args(["lab", "answer", "003"])
        .arg(&not_a_capture)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cannot read"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A capture with nothing the lab asks about: answers that say so, not an error.
    let r = answer_json("001", &[&repo("captures/arp.pcapng")], &[]);
    assert!(
        answer(&r, "001.1")["answer"]
            .as_str()
            .unwrap()
            .contains("No SIMP message")
    );
    let r = answer_json("000", &[&repo("captures/arp.pcapng")], &[]);
    assert!(
        answer(&r, "000.1")["answer"]
            .as_str()
            .unwrap()
            .contains("No `stack` command")
    );
    // A truncated capture: the frames before the cut are answered, the warning is kept.
    let whole = std::fs::read(repo("captures/tcp-handshake.pcapng")).unwrap();
    let cut = tmp("cut.pcapng");
    std::fs::write(&cut, &whole[..whole.len() - 40]).unwrap();
    let r = answer_json("003", &[&cut], &[]);
    assert!(!r["files"][0]["warnings"].as_array().unwrap().is_empty());
    assert_eq!(
        strings(&answer(&r, "I.2")["values"]["server_sockets"]),
        ["10.0.3.1:7777"]
    );
}

#[test]
fn lab_000_the_stack_demo_frame_layer_by_layer() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[]);
    let cap = Tcpdump::start_in(&lab.ns("A"), "eth0", &tmp("000-a.pcap"), &["tcp"]);
    let server = Proc::spawn(
        "stack-server",
        lab.exec("A", &["wirelab", "stack-server", "--port", "8888"]),
    );
    server.wait_for("8888");
    let out = lab
        .exec(
            "B",
            &[
                "sh",
                "-c",
                &format!(
                    "printf 'ping\\nstack Hai from B\\nexit\\n' | {BIN} stack-client 10.0.3.1:8888"
                ),
            ],
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("both checksums correct"));
    let pcap = cap.stop();
    let r = check_000(&pcap);
    let a3 = answer(&r, "000.3");
    assert!(
        a3["answer"]
            .as_str()
            .unwrap()
            .contains("IP addresses and TCP ports are this connection's own"),
        "{a3:#}"
    );
}

#[test]
fn lab_001_simp_chat_through_a_lossy_switch() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) {
        return;
    }
    let lab = Lab::up(&[]);
    let pcap = tmp("001-a.pcap");
    const N: usize = 6;
    let pcap = lossy_simp_chat(&lab, &pcap, "8", N);
    let r = answer_json("001", &[&pcap], &[]);
    evidence_is_real(&r);
    let sw = answer(&r, "001.3");
    assert_eq!(
        sw["values"]["new_messages"].as_u64(),
        Some(2 * N as u64),
        "{sw:#}"
    );
    assert_eq!(
        sw["values"]["waited_for_ack"], sw["values"]["new_messages"],
        "stop-and-wait held"
    );
    // Independently of the decoder: chat datagrams (type 2) seen more than once with the same
    // sender, sequence bit and text, from tshark's UDP payloads.
    let seen = chat_copies(&tshark_fields(&pcap, &["ip.src", "udp.payload"]));
    let resent: u64 = seen.values().map(|n| n - 1).sum();
    assert_eq!(
        answer(&r, "001.4")["values"]["resent"].as_u64(),
        Some(resent),
        "{seen:?}"
    );
    assert!(
        resent > 0,
        "25% loss over {} chat datagrams and no resend",
        seen.len()
    );
    let hs = answer(&r, "001.2");
    assert!(hs["answer"].as_str().unwrap().contains("SYN+ACK"), "{hs:#}");
}

//! End-to-end tests of `wirelab capture`, `serve` and `replay` on real links: network
//! namespaces joined by veth (tests/support/netns.rs), with tcpdump capturing the same
//! interface and tshark reading what we wrote as the independent witnesses.
//!
//! They need root (namespaces, packet sockets): skipped with a note otherwise, unless `CI` is
//! set, where a missing privilege fails.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::netns::{Lan, Netns, Tcpdump};
use support::proc::{Proc, WAIT};
use support::{BIN, Need, require, run, tshark_fields};
use wirelab::source::{CaptureReader, SourceEvent};

fn quiet_ipv6(ns: &Netns) {
    // No router solicitations or DAD at random moments: the counts stay comparable.
    ns.sysctl("net.ipv6.conf.all.disable_ipv6", "1");
    ns.sysctl("net.ipv6.conf.default.disable_ipv6", "1");
}

fn lan(tag: &str) -> Lan {
    let lan = Lan::new(tag);
    quiet_ipv6(&lan.server);
    quiet_ipv6(&lan.client);
    lan
}

/// Starts `wirelab capture ARGS` in `ns` and waits until its rings are open.
fn capture(ns: &Netns, args: &[&str]) -> Proc {
    let mut cmd = ns.wirelab();
    cmd.arg("capture").args(args).args(["--color", "never"]);
    let p = Proc::spawn("wirelab capture", cmd);
    p.wait_for("wirelab: capturing on");
    p
}

/// SIGINT, then the exit code (must be 0) once the summary is printed.
fn stop(p: &mut Proc) {
    std::thread::sleep(Duration::from_millis(300));
    p.signal("INT");
    let code = p.wait_exit_within(WAIT).code();
    assert_eq!(code, Some(0), "{}", p.transcript());
    assert!(
        p.err.text().contains("frames captured"),
        "{}",
        p.transcript()
    );
}

/// One exchange of the project's TCP client and server (server on 10.0.3.1:8080).
fn tcp_exchange(lan: &Lan) {
    let mut cmd = lan.server.wirelab();
    cmd.args(["tcp-server", "--bind", Lan::SERVER, "--port", "8080"]);
    let server = Proc::spawn("tcp-server", cmd);
    server.wait_for("listening on");
    let mut client = lan.client.wirelab();
    client.args(["tcp-client", "10.0.3.1:8080"]);
    let out = run(&mut client);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Thanks for connecting"));
    std::thread::sleep(Duration::from_millis(200));
    drop(server);
}

/// `curl` against `python3 -m http.server` (on 10.0.3.1:8000).
fn http_exchange(lan: &Lan, dir: &Path) {
    std::fs::write(dir.join("hello.txt"), "hello from the lab\n").unwrap();
    let mut cmd = lan.server.command("python3");
    cmd.args([
        "-u",
        "-m",
        "http.server",
        "8000",
        "--bind",
        Lan::SERVER,
        "--directory",
    ])
    .arg(dir);
    let server = Proc::spawn("http.server", cmd);
    server.wait_for("Serving HTTP");
    let mut curl = lan.client.command("curl");
    curl.args(["-s", "--max-time", "20", "http://10.0.3.1:8000/hello.txt"]);
    let out = run(&mut curl);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from the lab\n");
    std::thread::sleep(Duration::from_millis(200));
    drop(server);
}

fn frames(path: &Path) -> Vec<wirelab::frame::Frame> {
    CaptureReader::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|e| match e {
            SourceEvent::Frame(f) => f,
            SourceEvent::Warning(w) => panic!("{}: {w}", path.display()),
        })
        .collect()
}

/// tshark reads the file with exit code 0 and nothing on stderr but its root notice.
fn tshark_reads_cleanly(path: &Path) {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .output()
        .expect("running tshark");
    let err = String::from_utf8_lossy(&out.stderr);
    let complaints: Vec<&str> = err
        .lines()
        .filter(|l| !l.contains("Running as user") && !l.trim().is_empty())
        .collect();
    assert!(
        out.status.success() && complaints.is_empty(),
        "tshark on {}: {err}",
        path.display()
    );
}

/// The TCP frames of a capture as tshark sees them: (src port, dst port, raw seq, raw ack,
/// flags, len).
fn tcp_frames(path: &Path) -> Vec<Vec<String>> {
    tshark_fields(
        path,
        &[
            "tcp.srcport",
            "tcp.dstport",
            "tcp.seq_raw",
            "tcp.ack_raw",
            "tcp.flags",
            "tcp.len",
        ],
    )
    .into_iter()
    .filter(|r| !r[0].is_empty())
    .collect()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn capture_agrees_with_tcpdump_and_tshark_on_a_known_exchange() {
    if !require(Need::Root)
        || !require(Need::Tool("tcpdump"))
        || !require(Need::Tool("tshark"))
        || !require(Need::Tool("curl"))
    {
        return;
    }
    let lan = lan("cap");
    let dir = tmp();
    let ours = dir.path().join("wirelab.pcapng");
    let mut cap = capture(&lan.server, &["-i", "eth0", "-w", ours.to_str().unwrap()]);
    let theirs = Tcpdump::start(&lan.server, "eth0", &dir.path().join("tcpdump.pcap"), &[]);
    tcp_exchange(&lan);
    http_exchange(&lan, dir.path());
    let theirs = theirs.stop();
    stop(&mut cap);

    tshark_reads_cleanly(&ours);
    // The same TCP frames, in the same order, with the same numbers.
    let (a, b) = (tcp_frames(&ours), tcp_frames(&theirs));
    assert!(a.len() >= 20, "{a:?}");
    assert_eq!(a, b, "wirelab's file and tcpdump's differ");
    // The file says what dumpcap's say: interface name, nanoseconds, direction.
    let meta = tshark_fields(
        &ours,
        &[
            "frame.interface_name",
            "frame.packet_flags_direction",
            "frame.time_epoch",
        ],
    );
    assert!(meta.iter().all(|r| r[0] == "eth0"), "{meta:?}");
    assert!(meta.iter().any(|r| r[1] == "0x00000001") && meta.iter().any(|r| r[1] == "0x00000002"));
    // Kernel timestamps match tcpdump's to well within a millisecond.
    let tcpdump_times = tshark_fields(&theirs, &["frame.time_epoch", "tcp.seq_raw"]);
    let ours_times = tshark_fields(&ours, &["frame.time_epoch", "tcp.seq_raw"]);
    let t = |rows: &[Vec<String>]| -> Vec<f64> {
        rows.iter()
            .filter(|r| !r[1].is_empty())
            .map(|r| r[0].parse::<f64>().unwrap())
            .collect()
    };
    for (x, y) in t(&ours_times).iter().zip(t(&tcpdump_times)) {
        assert!((x - y).abs() < 0.001, "timestamps {x} vs {y}");
    }

    // Every row printed for a TCP frame has tshark's Info for that frame (handshake and FIN
    // numbers included), except where tshark ran HTTP above TCP.
    let info = tshark_fields(&ours, &["frame.number", "frame.protocols", "_ws.col.Info"]);
    let by_number: BTreeMap<String, (String, String)> = info
        .into_iter()
        .map(|r| (r[0].clone(), (r[1].clone(), r[2].clone())))
        .collect();
    let printed = cap.out.text();
    let mut compared = 0;
    for line in printed.lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let Some((proto, want)) = by_number.get(cols[0]) else {
            panic!("row {line:?} is not in the file");
        };
        // tshark runs HTTP on ports 8000 and 8080 and rewrites Info for the segments of an
        // HTTP message ("[TCP segment of a reassembled PDU]"); wirelab runs no HTTP.
        if !proto.ends_with(":tcp") || want.contains("[TCP segment of a reassembled PDU]") {
            continue;
        }
        assert!(line.ends_with(want), "row {line:?}\ntshark: {want}");
        compared += 1;
    }
    assert!(compared >= 14, "{printed}");
    assert!(printed.contains("[SYN]") && printed.contains("[FIN, ACK]"));
}

#[test]
fn sigint_mid_capture_leaves_a_valid_file_with_every_frame_shown() {
    if !require(Need::Root) || !require(Need::Tool("tshark")) || !require(Need::Tool("iperf3")) {
        return;
    }
    let lan = lan("int");
    let dir = tmp();
    let file = dir.path().join("int.pcapng");
    let mut cap = capture(&lan.server, &["-i", "eth0", "-w", file.to_str().unwrap()]);
    let mut srv = lan.server.command("iperf3");
    srv.args(["-s", "-1", "--forceflush", "-B", Lan::SERVER]);
    let iperf = Proc::spawn("iperf3 -s", srv);
    iperf.wait_for("listening");
    let mut cli = lan.client.command("iperf3");
    cli.args(["-c", Lan::SERVER, "-t", "5", "-b", "50M"]);
    let client = Proc::spawn("iperf3 -c", cli);
    std::thread::sleep(Duration::from_millis(1500));
    // Mid-transfer.
    cap.signal("INT");
    assert_eq!(
        cap.wait_exit_within(WAIT).code(),
        Some(0),
        "{}",
        cap.transcript()
    );
    drop(client);
    tshark_reads_cleanly(&file);
    let got = frames(&file);
    assert!(got.len() > 100, "{}", got.len());
    let written: u64 = cap
        .err
        .text()
        .split("; ")
        .find_map(|p| p.strip_suffix(&format!(" written to {}", file.display())))
        .map(|n| n.replace(',', "").parse().unwrap())
        .unwrap_or_else(|| panic!("{}", cap.transcript()));
    assert_eq!(written, got.len() as u64);
    // Every row shown is in the file.
    for line in cap.out.text().lines().skip(1) {
        if let Some(n) = line
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
        {
            assert!(n <= written, "row {n} shown but only {written} written");
        }
    }
}

#[test]
fn loopback_frames_are_captured_once() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let ns = Netns::new("lo");
    let dir = tmp();
    let ours = dir.path().join("lo.pcapng");
    let mut cap = capture(&ns, &["-i", "lo", "-w", ours.to_str().unwrap()]);
    let theirs = Tcpdump::start(&ns, "lo", &dir.path().join("lo.pcap"), &[]);
    let mut server = ns.wirelab();
    server.args(["tcp-server", "--bind", "127.0.0.1", "--port", "8080"]);
    let server = Proc::spawn("tcp-server", server);
    server.wait_for("listening on");
    run(ns.wirelab().args(["tcp-client", "127.0.0.1:8080"]));
    std::thread::sleep(Duration::from_millis(200));
    let theirs = theirs.stop();
    stop(&mut cap);
    let (a, b) = (tcp_frames(&ours), tcp_frames(&theirs));
    assert_eq!(a, b);
    // A plain exchange: SYN, SYN-ACK, ACK, data and ACKs both ways, three-frame close.
    assert_eq!(a.iter().filter(|r| r[4] == "0x0002").count(), 1, "{a:?}");
    assert!(a.len() >= 9 && a.len() <= 12, "{a:?}");
}

#[test]
fn snaplen_64_capture_agrees_with_tshark_frame_by_frame() {
    if !require(Need::Root) || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = lan("s64");
    let dir = tmp();
    let file = dir.path().join("s64.pcapng");
    let mut cap = capture(
        &lan.server,
        &["-i", "eth0", "-s", "64", "-w", file.to_str().unwrap()],
    );
    tcp_exchange(&lan);
    stop(&mut cap);
    tshark_reads_cleanly(&file);
    let want = tshark_fields(
        &file,
        &[
            "frame.cap_len",
            "tcp.stream",
            "tcp.seq",
            "tcp.ack",
            "tcp.len",
            "tcp.flags",
            "_ws.col.Info",
        ],
    );
    let out = run(Command::new(BIN).args(["read", "--json"]).arg(&file));
    let got: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), want.len());
    let mut cut = 0;
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["caplen"].to_string(), w[0]);
        assert_eq!(g["info"].as_str().unwrap(), w[6], "{g}");
        if !w[1].is_empty() {
            let t = &g["tcp"];
            assert_eq!(t["stream"].to_string(), w[1], "{g}");
            assert_eq!(t["seq"].to_string(), w[2], "{g}");
            assert_eq!(t["ack"].to_string(), w[3], "{g}");
            assert_eq!(t["len"].to_string(), w[4], "{g}");
        }
        if w[6].contains("Packet size limited") {
            cut += 1;
        }
    }
    assert!(
        cut >= 5,
        "the SYNs and data frames must have been cut: {want:?}"
    );
}

#[test]
fn ring_buffer_files_are_each_valid_and_together_hold_every_frame() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = lan("rot");
    let dir = tmp();
    let base = dir.path().join("ring.pcapng");
    let mut cap = capture(
        &lan.server,
        &[
            "-i",
            "eth0",
            "-w",
            base.to_str().unwrap(),
            "--rotate",
            "2kB",
            "--quiet",
        ],
    );
    let theirs = Tcpdump::start(&lan.server, "eth0", &dir.path().join("all.pcap"), &[]);
    for _ in 0..3 {
        tcp_exchange(&lan);
    }
    let theirs = theirs.stop();
    stop(&mut cap);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("ring_")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}\n{}", cap.transcript());
    let mut all = Vec::new();
    for f in &files {
        tshark_reads_cleanly(f);
        assert!(!frames(f).is_empty(), "{} is empty", f.display());
        all.extend(tcp_frames(f));
    }
    assert_eq!(all, tcp_frames(&theirs));
}

#[test]
fn serve_shows_two_clients_at_once_per_connection_and_again_from_its_file() {
    if !require(Need::Root) || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = lan("srv");
    let dir = tmp();
    let file = dir.path().join("serve.pcapng");
    let mut cmd = lan.server.wirelab();
    cmd.args([
        "serve", "--port", "8080", "-i", "eth0", "--color", "never", "-w",
    ])
    .arg(&file);
    let mut serve = Proc::spawn("wirelab serve", cmd);
    serve.wait_for("serving TCP port 8080");
    // Two clients at once: both connect before either sends.
    let mut a = lan.client.wirelab();
    a.args(["tcp-client", "10.0.3.1:8080", "--lines"]);
    let mut a = Proc::spawn("client A", a);
    let mut b = lan.client.wirelab();
    b.args(["tcp-client", "10.0.3.1:8080", "--lines"]);
    let mut b = Proc::spawn("client B", b);
    a.wait_for("connected to");
    b.wait_for("connected to");
    a.write_stdin(b"hello from A\n");
    b.write_stdin(b"hello from B\n");
    a.wait_for("Thanks for connecting");
    b.wait_for("Thanks for connecting");
    a.close_stdin();
    b.close_stdin();
    a.wait_exit_within(WAIT);
    b.wait_exit_within(WAIT);
    serve.wait_for("connection #2");
    std::thread::sleep(Duration::from_millis(300));
    serve.signal("INT");
    assert_eq!(
        serve.wait_exit_within(WAIT).code(),
        Some(0),
        "{}",
        serve.transcript()
    );
    let live = serve.out.text();
    assert!(
        serve.err.text().contains("sent 12 bytes: hello from A"),
        "{}",
        serve.transcript()
    );
    tshark_reads_cleanly(&file);

    // Each connection's summary is one block with its own data only.
    let mut said = Vec::new();
    for n in [1, 2] {
        let start = live
            .find(&format!("══ connection #{n} "))
            .unwrap_or_else(|| panic!("no summary of connection #{n}\n{live}"));
        let block = &live[start..];
        let end = block.find("\n── ").unwrap_or(block.len());
        let block = &block[..end];
        let (a, b) = (
            block.contains("hello from A"),
            block.contains("hello from B"),
        );
        assert!(
            a != b,
            "connection #{n} must hold one client's data:\n{block}"
        );
        said.push(a);
        assert!(
            block.contains("SYN, ACK") && block.contains("FIN, ACK"),
            "{block}"
        );
    }
    assert_ne!(said[0], said[1], "both summaries show the same client");
    // The table's raw numbers are the frames' (tshark on the written file).
    let rows = tshark_fields(
        &file,
        &[
            "frame.number",
            "tcp.stream",
            "tcp.seq_raw",
            "tcp.ack_raw",
            "tcp.flags.str",
        ],
    );
    let syns: Vec<&Vec<String>> = rows.iter().filter(|r| r[4].contains('S')).collect();
    assert_eq!(syns.len(), 4, "two SYNs and two SYN-ACKs: {rows:?}");
    for r in &rows {
        let needle = format!("│ {:>3} ┆", r[0]);
        let line = live
            .lines()
            .find(|l| l.starts_with(&needle))
            .unwrap_or_else(|| panic!("frame {} has no table row\n{live}", r[0]));
        assert!(line.contains(&r[2]), "{line} lacks seq {}", r[2]);
    }
    // The same view from the file.
    let from = run(Command::new(BIN)
        .args(["serve", "--from"])
        .arg(&file)
        .args(["--port", "8080", "--color", "never"]));
    assert_eq!(
        String::from_utf8_lossy(&from.stdout).trim_end(),
        live.trim_end()
    );
}

#[test]
fn replay_puts_the_same_frames_on_the_wire_byte_for_byte() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) {
        return;
    }
    let lan = lan("rpl");
    let dir = tmp();
    let capture_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/tcp-handshake.pcapng");
    let seen = Tcpdump::start(&lan.client, "eth0", &dir.path().join("seen.pcap"), &[]);
    let out = run(lan
        .server
        .wirelab()
        .args(["replay", "-i", "eth0", "--speed", "4"])
        .arg(&capture_file));
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("sent 16 frames (1,083 bytes)"), "{report}");
    let seen = seen.stop();
    let want: Vec<Vec<u8>> = frames(&capture_file).into_iter().map(|f| f.data).collect();
    // Only the replayed frames (their MACs are the capture's, not the veth's).
    let got: Vec<Vec<u8>> = frames(&seen)
        .into_iter()
        .map(|f| f.data)
        .filter(|d| d.len() >= 12 && (d[6..11] == [2, 0, 0, 0, 3]))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn replay_refuses_link_types_it_cannot_send() {
    let sll = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/sll.pcap");
    let out = Command::new(BIN)
        .args(["replay", "-i", "lo"])
        .arg(&sll)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("not Ethernet") && err.contains("Linux cooked"),
        "{err}"
    );
}

#[test]
fn a_missing_interface_lists_the_ones_there_are() {
    let out = Command::new(BIN)
        .args(["capture", "-i", "wl-nope0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("no network interface called `wl-nope0`") && err.contains("lo "),
        "{err}"
    );
}

#[test]
fn without_the_capability_the_exact_setcap_command_is_given() {
    if !require(Need::Root) || !require(Need::Tool("setpriv")) {
        return;
    }
    // As `nobody`, with no capabilities.
    let out = support::wirelab_as_nobody()
        .args(["capture", "-i", "lo"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sudo setcap cap_net_raw=eip \"$(command -v wirelab)\""),
        "{err}"
    );
}

#[test]
fn an_existing_file_is_not_replaced_without_force() {
    if !require(Need::Root) {
        return;
    }
    let ns = Netns::new("frc");
    let dir = tmp();
    let file = dir.path().join("keep.pcapng");
    std::fs::write(&file, "precious").unwrap();
    let out = ns
        .wirelab()
        .args(["capture", "-i", "lo", "--duration", "0.2", "-w"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("already exists; add --force"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
}

/// A disk that fills up mid-capture: a 1 MiB tmpfs in a private mount namespace.
#[test]
fn a_full_disk_ends_the_capture_with_a_valid_file() {
    if !require(Need::Root)
        || !require(Need::Tool("tshark"))
        || !require(Need::Tool("iperf3"))
        || !require(Need::Tool("unshare"))
    {
        return;
    }
    let lan = lan("full");
    let dir = tmp();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let copy = dir.path().join("copy.pcapng");
    let script = format!(
        "mount -t tmpfs -o size=1m wl-test {m} && {bin} capture -i eth0 -w {m}/full.pcapng --quiet --duration 20; rc=$?; cp {m}/full.pcapng {c}; exit $rc",
        m = mnt.display(),
        bin = BIN,
        c = copy.display()
    );
    let mut cmd = lan.server.command("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-c", &script]);
    let mut cap = Proc::spawn("capture to a full disk", cmd);
    cap.wait_for("wirelab: capturing on");
    let mut srv = lan.server.command("iperf3");
    srv.args(["-s", "-1", "--forceflush", "-B", Lan::SERVER]);
    let iperf = Proc::spawn("iperf3 -s", srv);
    iperf.wait_for("listening");
    let mut cli = lan.client.command("iperf3");
    cli.args(["-c", Lan::SERVER, "-t", "3", "-b", "20M"]);
    let _client = Proc::spawn("iperf3 -c", cli);
    let code = cap.wait_exit_within(WAIT).code();
    let err = cap.err.text();
    assert_eq!(code, Some(1), "{}", cap.transcript());
    assert!(
        err.contains("disk is full") && err.contains("still valid"),
        "{err}"
    );
    tshark_reads_cleanly(&copy);
    // The file holds exactly the frames the error says (a batch that did not fit was cut).
    let held: usize = err
        .split("holds the ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .map(|n| n.replace(',', "").parse().unwrap())
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(frames(&copy).len(), held);
}

/// The display never slows the capture: with a terminal that stops reading (a pipe into
/// `sleep`), rows are skipped and counted while the file gets every frame.
#[test]
fn a_terminal_that_cannot_keep_up_skips_rows_and_the_file_keeps_every_frame() {
    if !require(Need::Root)
        || !require(Need::Tool("tcpdump"))
        || !require(Need::Tool("tshark"))
        || !require(Need::Tool("iperf3"))
    {
        return;
    }
    let lan = lan("slow");
    let dir = tmp();
    let file = dir.path().join("slow.pcapng");
    let script = format!(
        "{BIN} capture -i eth0 --duration 4 -w {} | sleep 7",
        file.display()
    );
    let mut cmd = lan.server.command("sh");
    cmd.args(["-c", &script]);
    let mut cap = Proc::spawn("capture into a stalled pipe", cmd);
    cap.wait_for("wirelab: capturing on");
    let theirs = Tcpdump::start(&lan.server, "eth0", &dir.path().join("all.pcap"), &[]);
    let mut srv = lan.server.command("iperf3");
    srv.args(["-s", "-1", "--forceflush", "-B", Lan::SERVER]);
    let iperf = Proc::spawn("iperf3 -s", srv);
    iperf.wait_for("listening");
    run(lan
        .client
        .command("iperf3")
        .args(["-c", Lan::SERVER, "-t", "2", "-b", "100M"]));
    cap.wait_exit_within(WAIT);
    let theirs = theirs.stop();
    let err = cap.err.text();
    assert!(
        err.contains("frames not shown (the terminal could not keep up), all written"),
        "{}",
        cap.transcript()
    );
    tshark_reads_cleanly(&file);
    let (a, b) = (tcp_frames(&file), tcp_frames(&theirs));
    assert!(a.len() > 200, "{}", a.len());
    assert_eq!(
        a.len(),
        b.len(),
        "wirelab kept {} TCP frames, tcpdump {}",
        a.len(),
        b.len()
    );
}

#[test]
fn several_interfaces_go_into_one_pcapng_with_a_block_each() {
    if !require(Need::Root) || !require(Need::Tool("tshark")) {
        return;
    }
    let lan = lan("multi");
    let dir = tmp();
    let file = dir.path().join("both.pcapng");
    let mut cap = capture(
        &lan.server,
        &["-i", "eth0", "-i", "lo", "-w", file.to_str().unwrap()],
    );
    let mut cmd = lan.server.wirelab();
    cmd.args(["tcp-server", "--port", "8080"]);
    let server = Proc::spawn("tcp-server", cmd);
    server.wait_for("listening on");
    run(lan.client.wirelab().args(["tcp-client", "10.0.3.1:8080"]));
    // Frames of different interfaces reach the file in the order their ring blocks are
    // handed over (each after at most the capture's latency, 100 ms when quiet), not in time
    // order, as with dumpcap: let eth0's block go before lo's traffic starts.
    std::thread::sleep(Duration::from_millis(400));
    run(lan.server.wirelab().args(["tcp-client", "127.0.0.1:8080"]));
    std::thread::sleep(Duration::from_millis(200));
    stop(&mut cap);
    drop(server);
    tshark_reads_cleanly(&file);
    let rows = tshark_fields(
        &file,
        &["frame.interface_id", "frame.interface_name", "tcp.flags"],
    );
    let syns: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r[2] == "0x0002")
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(syns, [("0", "eth0"), ("1", "lo")], "{rows:?}");
}

#[test]
fn capture_handshakes_prints_each_table_as_its_connection_closes() {
    if !require(Need::Root) {
        return;
    }
    let lan = lan("hslive");
    let mut cap = capture(&lan.server, &["-i", "eth0", "--handshakes"]);
    tcp_exchange(&lan);
    // While the capture still runs: the closed connection's table is on stdout.
    cap.wait_for("TCP stream 0: A = 10.0.3.2:");
    let live = cap.out.text();
    assert!(
        live.contains("⇄  B = 10.0.3.1:8080") && live.contains("SYN Seq=0"),
        "{}",
        cap.transcript()
    );
    assert!(
        !cap.err.text().contains("frames captured"),
        "{}",
        cap.transcript()
    );
    stop(&mut cap);
    // Printed once, not again at the end.
    assert_eq!(
        cap.out.text().matches("TCP stream 0:").count(),
        1,
        "{}",
        cap.transcript()
    );
}

#[test]
fn bare_capture_lists_the_interfaces_and_says_how_to_pick_one() {
    let out = Command::new(BIN).arg("capture").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("interface "), "{text}");
    assert!(text.contains("\nlo "), "{text}");
    assert!(text.contains("Pick one with -i"), "{text}");
}

//! The lab's switch with real traffic through its namespaces, tcpdump as the witness on each
//! computer: unicast reaches only its port (kernel bridge and user-space switch alike), frames
//! cross the user-space switch byte for byte and in order, delayed within `delay ± jitter`,
//! lost at a rate within a binomial bound of `--loss`, serialised at `--rate` with a full queue
//! tail-dropping, and a TCP file transfer through delay and loss arrives whole with correct
//! checksums (tshark checks them).
//!
//! Raw frames are sent from inside a computer's namespace by this test binary itself
//! (`helper_raw_frames`, run with `ip netns exec`), through `wirelab::link::PnetLink`.
//! Needs root; skipped when not root and CI is unset.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use support::netns::{Lab, Tcpdump};
use support::proc::Proc;
use support::{Need, require, run, tshark_fields};
use wirelab::link::{Link, LinkOptions, PnetLink, iface};
use wirelab::source::{CaptureReader, SourceEvent};

/// Ethertype of the test frames (IEEE local experimental 1).
const ETHERTYPE: [u8; 2] = [0x88, 0xb5];
const MAC_A: &str = "02:00:00:00:03:01";
const MAC_B: &str = "02:00:00:00:03:02";
const MAC_C: &str = "02:00:00:00:03:03";

fn parse_mac(s: &str) -> [u8; 6] {
    let mut m = [0u8; 6];
    for (i, p) in s.split(':').enumerate().take(6) {
        m[i] = u8::from_str_radix(p, 16).unwrap_or(0);
    }
    m
}

/// SplitMix64, to make frame sizes and bytes.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Test frame `seq` of a run: dst, src, ethertype, tag, seq (u32), pseudo-random bytes.
fn test_frame(dst: [u8; 6], src: [u8; 6], tag: u8, seq: u32, len: usize, seed: u64) -> Vec<u8> {
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&ETHERTYPE);
    f.push(tag);
    f.extend_from_slice(&seq.to_be_bytes());
    let mut st = seed ^ u64::from(seq);
    while f.len() < len {
        f.push(next(&mut st) as u8);
    }
    f
}

/// Not a test: the frame sender that the tests below run inside a computer's namespace.
/// Does nothing unless `WL_HELPER_FRAMES` is set (`dst,count,min,max,gap_us,seed,tag`).
#[test]
fn helper_raw_frames() {
    let Ok(spec) = std::env::var("WL_HELPER_FRAMES") else {
        return;
    };
    let v: Vec<&str> = spec.split(',').collect();
    let dst = parse_mac(v[0]);
    let (count, min, max, gap, mut seed, tag): (u32, usize, usize, u64, u64, u8) = (
        v[1].parse().unwrap(),
        v[2].parse().unwrap(),
        v[3].parse().unwrap(),
        v[4].parse().unwrap(),
        v[5].parse().unwrap(),
        v[6].parse().unwrap(),
    );
    let eth0 = iface::find_ethernet("eth0").expect("eth0 in the lab computer");
    let src = eth0.mac.expect("a MAC");
    let mut link = PnetLink::open(&eth0, LinkOptions::default()).expect("a raw socket on eth0");
    let base = seed;
    for seq in 0..count {
        let len = min + (next(&mut seed) as usize) % (max - min + 1);
        let f = test_frame(dst, src, tag, seq, len, base);
        link.send(&f).expect("sending a frame");
        if gap > 0 {
            thread::sleep(Duration::from_micros(gap));
        }
    }
}

/// What the sender sends: `count` frames of `min..=max` bytes, `gap_us` apart, tagged `tag`.
#[derive(Clone, Copy)]
struct Burst {
    count: u32,
    min: usize,
    max: usize,
    gap_us: u64,
    seed: u64,
    tag: u8,
}

/// Runs the sender inside `ns` and waits for it.
fn send_frames(ns: &str, dst: &str, b: Burst) {
    let me = std::env::current_exe().expect("this test binary");
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(me)
        .args([
            "helper_raw_frames",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(
            "WL_HELPER_FRAMES",
            format!(
                "{dst},{},{},{},{},{},{}",
                b.count, b.min, b.max, b.gap_us, b.seed, b.tag
            ),
        )
        .stdin(Stdio::null())
        .output()
        .expect("running the frame sender");
    assert!(
        out.status.success(),
        "sender failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The test frames with `tag` in a capture: seq → (seconds since the epoch, bytes).
fn frames_in(path: &Path, tag: u8) -> BTreeMap<u32, (f64, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for ev in CaptureReader::open(path).expect("reading a capture") {
        if let SourceEvent::Frame(f) = ev
            && f.data.get(12..14) == Some(&ETHERTYPE[..])
            && f.data.get(14) == Some(&tag)
        {
            let seq = u32::from_be_bytes([f.data[15], f.data[16], f.data[17], f.data[18]]);
            out.entry(seq)
                .or_insert((f.timestamp.as_secs_f64(), f.data));
        }
    }
    out
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lab_switch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Makes the switch learn C (a broadcast from C), so frames to C are unicast from then on.
fn announce_c(lab: &Lab) {
    send_frames(
        &lab.ns("C"),
        "ff:ff:ff:ff:ff:ff",
        Burst {
            count: 1,
            min: 60,
            max: 60,
            gap_us: 0,
            seed: 1,
            tag: 0,
        },
    );
    thread::sleep(Duration::from_millis(100));
}

fn switch_stats(lab: &Lab) -> serde_json::Value {
    let path = format!("/run/wirelab/lab-{}/switch.json", lab.name);
    // Written every second.
    thread::sleep(Duration::from_millis(1300));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the switch's counters")).unwrap()
}

#[test]
fn frames_cross_intact_in_order_and_delayed_within_the_jitter() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) {
        return;
    }
    let lab = Lab::up(&["--delay", "20ms", "--jitter", "2ms", "--seed", "11"]);
    announce_c(&lab);
    let cap_a = Tcpdump::start_in(
        &lab.ns("A"),
        "eth0",
        &tmp("delay-a.pcap"),
        &["ether", "proto", "0x88b5"],
    );
    let cap_b = Tcpdump::start_in(
        &lab.ns("B"),
        "eth0",
        &tmp("delay-b.pcap"),
        &["ether", "proto", "0x88b5"],
    );
    let cap_c = Tcpdump::start_in(
        &lab.ns("C"),
        "eth0",
        &tmp("delay-c.pcap"),
        &["ether", "proto", "0x88b5"],
    );
    const N: u32 = 300;
    // 5 ms apart, more than the jitter's range: keeping the order never holds a frame back.
    send_frames(
        &lab.ns("A"),
        MAC_C,
        Burst {
            count: N,
            min: 60,
            max: 1514,
            gap_us: 5000,
            seed: 77,
            tag: 7,
        },
    );
    thread::sleep(Duration::from_millis(200));
    let (sent, seen_b, got) = (
        frames_in(&cap_a.stop(), 7),
        frames_in(&cap_b.stop(), 7),
        frames_in(&cap_c.stop(), 7),
    );
    assert_eq!(sent.len() as u32, N, "A's capture holds every frame sent");
    assert_eq!(got.len() as u32, N, "C got every frame (no loss set)");
    assert!(
        seen_b.is_empty(),
        "B saw {} of the A→C unicast frames",
        seen_b.len()
    );
    let mut delays = Vec::new();
    let mut last = 0.0;
    for (seq, (t_sent, bytes)) in &sent {
        let (t_got, got_bytes) = &got[seq];
        assert_eq!(got_bytes, bytes, "frame {seq} changed on the way");
        assert!(*t_got >= last, "frame {seq} overtook the one before");
        last = *t_got;
        delays.push(t_got - t_sent);
    }
    delays.sort_by(f64::total_cmp);
    let (min, med, p99, max) = (
        delays[0],
        delays[delays.len() / 2],
        delays[delays.len() * 99 / 100],
        delays[delays.len() - 1],
    );
    eprintln!(
        "one-way delay over {N} frames: min {min:.4} median {med:.4} p99 {p99:.4} max {max:.4} s"
    );
    // Never early; late only by the switch's own scheduling on a shared machine.
    assert!(
        min >= 0.018 - 0.0002,
        "a frame left before delay - jitter: {min}"
    );
    // The typical frame is within the jitter; the tail may be late by the scheduling of this
    // shared 2-core machine (a loaded full test run has shown 38 ms at p99, a quiet one 25 ms).
    assert!(
        (0.018..=0.022 + 0.002).contains(&med),
        "the median within delay ± jitter (+2 ms of scheduling): {med}"
    );
    assert!(
        p99 <= 0.022 + 0.020,
        "99% within delay + jitter (+20 ms of scheduling under load): {p99}"
    );
    assert!(
        max <= 0.022 + 0.030,
        "no frame held far beyond the jitter: {max}"
    );
    assert!(
        (0.0195..=0.0210).contains(&med),
        "the median is near the delay: {med}"
    );
    assert!(
        min < 0.0185 && p99 > 0.0215,
        "the draws spread over the jitter: {min} {p99}"
    );
}

#[test]
fn loss_is_within_a_binomial_bound_of_the_setting() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) {
        return;
    }
    let lab = Lab::up(&["--loss", "10%", "--delay", "1ms", "--seed", "99"]);
    announce_c(&lab);
    let cap_c = Tcpdump::start_in(
        &lab.ns("C"),
        "eth0",
        &tmp("loss-c.pcap"),
        &["ether", "proto", "0x88b5"],
    );
    const N: u32 = 2000;
    send_frames(
        &lab.ns("A"),
        MAC_C,
        Burst {
            count: N,
            min: 60,
            max: 200,
            gap_us: 200,
            seed: 5,
            tag: 9,
        },
    );
    thread::sleep(Duration::from_millis(100));
    let got = frames_in(&cap_c.stop(), 9);
    let lost = N - got.len() as u32;
    // Binomial(n = 2000, p = 0.1): mean 200, sd = sqrt(n p (1 - p)) ≈ 13.4; 4 sd either side.
    eprintln!("lost {lost} of {N} frames at --loss 10%");
    assert!(
        (146..=254).contains(&lost),
        "lost {lost}, expected 200 ± 54"
    );
    // The switch counted the same losses on C's port.
    let stats = switch_stats(&lab);
    let port_c = &stats["stats"]["ports"][2];
    assert_eq!(port_c["lost"].as_u64(), Some(u64::from(lost)), "{stats}");
}

#[test]
fn the_rate_limit_is_honoured_and_a_full_queue_tail_drops() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) {
        return;
    }
    let lab = Lab::up(&["--rate", "1mbit", "--queue", "20", "--seed", "3"]);
    announce_c(&lab);
    let cap_c = Tcpdump::start_in(
        &lab.ns("C"),
        "eth0",
        &tmp("rate-c.pcap"),
        &["ether", "proto", "0x88b5"],
    );
    // A burst of 60 frames of 1000 bytes at once: 20 fit in the queue, the rest are dropped.
    send_frames(
        &lab.ns("A"),
        MAC_C,
        Burst {
            count: 60,
            min: 1000,
            max: 1000,
            gap_us: 0,
            seed: 8,
            tag: 5,
        },
    );
    thread::sleep(Duration::from_millis(400));
    let got = frames_in(&cap_c.stop(), 5);
    let n = got.len();
    assert!(
        (20..=23).contains(&n),
        "{n} frames delivered from a burst of 60 into a queue of 20"
    );
    let times: Vec<f64> = got.values().map(|(t, _)| *t).collect();
    let span = times[n - 1] - times[0];
    let rate = ((n - 1) * 1000 * 8) as f64 / span;
    eprintln!("{n} frames delivered, {rate:.0} bit/s between the first and the last");
    assert!(
        (0.95e6..=1.05e6).contains(&rate),
        "rate {rate} bit/s for --rate 1mbit"
    );
    // The first frames delivered are the first sent (tail drop keeps the head of the burst).
    assert!(
        got.keys().take(20).copied().eq(0..20),
        "{:?}",
        got.keys().collect::<Vec<_>>()
    );
    let stats = switch_stats(&lab);
    assert_eq!(
        stats["stats"]["ports"][2]["queue_drops"].as_u64(),
        Some(60 - n as u64),
        "{stats}"
    );
}

/// A TCP exchange from C to A and a UDP one from A to C, captured on all three computers.
fn unicast_between_a_and_c(lab: &Lab, tag: &str) -> [PathBuf; 3] {
    // Empty ARP caches, as on computers just switched on: the exchange starts with ARP, which
    // teaches the switch where A and C are. (A switch that has not learned a destination yet
    // floods, as a switch just started does with the first unicast frame to it.)
    for l in ["A", "B", "C"] {
        run(Command::new("ip").args(["-n", &lab.ns(l), "neigh", "flush", "dev", "eth0"]));
    }
    let caps: Vec<Tcpdump> = ["A", "B", "C"]
        .iter()
        .map(|l| Tcpdump::start_in(&lab.ns(l), "eth0", &tmp(&format!("{tag}-{l}.pcap")), &[]))
        .collect();
    let server = Proc::spawn(
        "server",
        lab.exec("A", &["wirelab", "tcp-server", "--port", "8080"]),
    );
    server.wait_for("listening on");
    let o = lab
        .exec(
            "C",
            &[
                "wirelab",
                "tcp-client",
                "10.0.3.1:8080",
                "--message",
                "from C",
            ],
        )
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("Thanks for connecting"));
    let userver = Proc::spawn(
        "udp",
        lab.exec("C", &["wirelab", "udp-server", "--port", "9000"]),
    );
    userver.wait_for("listening on");
    let o = lab
        .exec("A", &["wirelab", "udp-client", "10.0.3.3:9000"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("Thanks for your datagram"));
    let mut paths = caps.into_iter().map(Tcpdump::stop);
    [
        paths.next().unwrap(),
        paths.next().unwrap(),
        paths.next().unwrap(),
    ]
}

fn check_isolation(paths: &[PathBuf; 3]) {
    let rows = |p: &Path| tshark_fields(p, &["eth.src", "eth.dst", "ip.proto"]);
    let at_a = rows(&paths[0]);
    let tcp_at_a = at_a
        .iter()
        .filter(|r| r.get(2).map(String::as_str) == Some("6"))
        .count();
    assert!(
        tcp_at_a >= 8,
        "A's capture holds the TCP exchange ({tcp_at_a} TCP frames)"
    );
    let at_b = rows(&paths[1]);
    let pair = [MAC_A, MAC_C];
    for r in &at_b {
        let (src, dst) = (r[0].as_str(), r[1].as_str());
        let group = u8::from_str_radix(&dst[..2], 16).unwrap_or(0) & 1 == 1;
        assert!(
            group || dst == MAC_B || src == MAC_B,
            "B's capture holds a unicast frame between others: {src} → {dst}"
        );
        assert!(
            !(pair.contains(&src) && pair.contains(&dst)),
            "A↔C unicast at B: {r:?}"
        );
    }
    let at_c = rows(&paths[2]);
    assert!(
        at_c.len() >= 10,
        "C's capture holds its side ({} frames)",
        at_c.len()
    );
}

#[test]
fn unicast_reaches_only_its_port_on_the_bridge_and_on_the_user_space_switch() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[]);
    check_isolation(&unicast_between_a_and_c(&lab, "bridge"));
    let out = lab.cmd("up", &["--delay", "1ms"]).output().unwrap();
    assert!(out.status.success());
    check_isolation(&unicast_between_a_and_c(&lab, "user"));
}

#[test]
fn a_file_crosses_a_delayed_lossy_switch_whole_with_correct_checksums() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[
        "--delay", "10ms", "--jitter", "1ms", "--loss", "2%", "--seed", "5",
    ]);
    let dir = tmp("recv");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = tmp("payload.bin");
    let mut st = 42u64;
    let data: Vec<u8> = (0..400_000).map(|_| next(&mut st) as u8).collect();
    std::fs::write(&file, &data).unwrap();
    let cap = Tcpdump::start_in(&lab.ns("A"), "eth0", &tmp("tcp-a.pcap"), &["tcp"]);
    let mut recv = Proc::spawn(
        "recv-file",
        lab.exec(
            "A",
            &[
                "wirelab",
                "recv-file",
                "--port",
                "10000",
                "--once",
                "--dir",
                dir.to_str().unwrap(),
            ],
        ),
    );
    recv.wait_for("10000");
    let o = lab
        .exec(
            "B",
            &[
                "wirelab",
                "send-file",
                "10.0.3.1:10000",
                file.to_str().unwrap(),
            ],
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        recv.wait_exit_within(Duration::from_secs(30)).code(),
        Some(0),
        "{}",
        recv.transcript()
    );
    assert_eq!(
        std::fs::read(dir.join("payload.bin")).unwrap(),
        data,
        "the file arrived whole"
    );
    let pcap = cap.stop();
    // Every segment A received from B has a correct TCP checksum (the switch completed the
    // offloaded ones); tshark checks them.
    let out = run(Command::new("tshark")
        .args(["-n", "-o", "tcp.check_checksum:TRUE", "-r"])
        .arg(&pcap)
        .args([
            "-Y",
            "ip.src == 10.0.3.2",
            "-T",
            "fields",
            "-e",
            "tcp.checksum.status",
        ]));
    let statuses = String::from_utf8_lossy(&out.stdout);
    let n = statuses.lines().count();
    assert!(n > 200, "{n} segments from B");
    assert!(
        statuses.lines().all(|s| s == "1"),
        "a bad checksum at A: {statuses}"
    );
}

//! `wirelab traceroute` in the routed virtual lab (`lab up --routed --mtu 1000`: A 10.0.3.1 —
//! router R 10.0.3.254/10.0.4.254 — server S 10.0.4.1, the 10.0.4 link's MTU 1000), held to
//! two independent witnesses run in the same lab: the system's `traceroute -n` (`-I`, and a
//! 3000-byte packet length) must find the same hops, and tshark, on tcpdump's captures in A
//! and in S, must see the probes' TTLs, the answers, the sender's fragments on the 1500-MTU
//! link and R's re-fragmentation for the 1000-MTU link, reassembled to the same datagram.
//!
//! Like Linux traceroute's UDP and ICMP probes (no `-F`), wirelab's carry no DF: R fragments
//! them again instead of answering "Fragmentation Needed"; the test checks both leave DF clear.
//!
//! S keeps Linux's default ICMP rate limit (after a burst of six, one error a second per peer)
//! where R has none, so back-to-back traces would see S fall silent (`2  * * *`); the test
//! lifts the limit in S as the lab does in R.
//!
//! Needs root (namespaces, raw sockets), traceroute, tcpdump and tshark; skipped when they are
//! missing and CI is unset. The lab is its own (`support::Lab`), removed even when it fails.

mod support;

use support::netns::{Lab, Tcpdump};
use support::proc::{Proc, WAIT};
use support::services::Scratch;
use support::traceroute::{ANSWERS, kinds, probe_filter};
use support::tshark::fields as tshark;
use support::{Need, require};

const CLIENT: &str = "10.0.3.1";
const ROUTER: &str = "10.0.3.254";
const SERVER: &str = "10.0.4.1";

fn needs() -> bool {
    require(Need::Root)
        && require(Need::Tool("traceroute"))
        && require(Need::Tool("tcpdump"))
        && require(Need::Tool("tshark"))
}

/// Runs `CMD…` in computer `letter` of the lab to the end (bounded by [`WAIT`]); returns
/// (exit code, stdout, stderr).
fn in_lab(lab: &Lab, letter: &str, cmd: &[&str]) -> (Option<i32>, String, String) {
    let mut p = Proc::spawn(cmd[0], lab.exec(letter, cmd));
    p.close_stdin();
    let code = p.wait_exit_within(WAIT).code();
    (code, p.out.text(), p.err.text())
}

/// `wirelab traceroute 10.0.4.1 -i eth0 --color never EXTRA…` in A: its standard output.
fn wirelab_trace(lab: &Lab, extra: &[&str]) -> String {
    let mut cmd = vec![
        "wirelab",
        "traceroute",
        SERVER,
        "-i",
        "eth0",
        "--color",
        "never",
    ];
    cmd.extend_from_slice(extra);
    let (code, out, err) = in_lab(lab, "A", &cmd);
    assert_eq!(code, Some(0), "{cmd:?}:\n{out}\n{err}");
    out
}

/// The system's `traceroute -n ARGS…` in A: its standard output.
fn system_trace(lab: &Lab, args: &[&str]) -> String {
    let mut cmd = vec!["traceroute", "-n"];
    cmd.extend_from_slice(args);
    let (code, out, err) = in_lab(lab, "A", &cmd);
    assert_eq!(code, Some(0), "{cmd:?}:\n{out}\n{err}");
    out
}

/// The hops of a traceroute output: the distinct addresses on each hop line (` 1  …`, a
/// hex dump's `0010  …` is not one), `*` when nobody answered.
fn hops(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let b = line.as_bytes();
        if b.len() < 5 || b[0] != b' ' || !b[1].is_ascii_digit() || &b[2..4] != b"  " {
            continue;
        }
        let mut addrs: Vec<String> = Vec::new();
        for w in line.split_whitespace().skip(1) {
            if w.parse::<std::net::Ipv4Addr>().is_ok() && !addrs.iter().any(|a| a == w) {
                addrs.push(w.to_string());
            }
        }
        if addrs.is_empty() {
            addrs.push("*".into());
        }
        out.push(addrs);
    }
    out
}

/// (MF, offset in bytes, total length) of fragment rows whose fields 1–3 are tshark's
/// `ip.flags.mf`, `ip.frag_offset` (8-byte units in tshark 4.0) and `ip.len`.
fn shape(rows: &[Vec<String>]) -> Vec<(u8, u32, u32)> {
    rows.iter()
        .map(|r| {
            let n = |i: usize| r.get(i).and_then(|v| v.parse::<u32>().ok());
            (
                n(1).unwrap_or(9) as u8,
                n(2).map_or(u32::MAX, |o| o * 8),
                n(3).unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn traceroute_in_the_routed_lab_agrees_with_the_system_traceroute_and_tshark() {
    if !needs() {
        return;
    }
    let lab = Lab::up(&["--routed", "--mtu", "1000"]);
    let (code, out, err) = in_lab(
        &lab,
        "S",
        &["sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0"],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let dir = Scratch::new("traceroute-lab");
    let want = vec![vec![ROUTER.to_string()], vec![SERVER.to_string()]];

    // UDP and ICMP probes: the hops, the TTLs on the wire and the answers.
    for icmp in [false, true] {
        let pcap = dir.path().join(if icmp { "icmp.pcap" } else { "udp.pcap" });
        let cap = Tcpdump::start_in(&lab.ns("A"), "eth0", &pcap, &["icmp", "or", "udp"]);
        let ours = wirelab_trace(&lab, if icmp { &["--icmp"] } else { &[] });
        let pcap = cap.stop();
        assert_eq!(hops(&ours), want, "{ours}");
        let theirs = system_trace(&lab, if icmp { &["-I", SERVER] } else { &[SERVER] });
        assert_eq!(hops(&theirs), want, "traceroute said:\n{theirs}");
        assert_eq!(ours.lines().next(), theirs.lines().next(), "the first line");

        let probes = tshark(
            &pcap,
            probe_filter(icmp),
            &["ip.src", "ip.ttl", "ip.flags.df"],
        );
        let ttls: Vec<&str> = probes.iter().map(|p| p[1].as_str()).collect();
        assert_eq!(ttls, ["1", "1", "1", "2", "2", "2"], "{probes:?}");
        assert!(
            probes.iter().all(|p| p[0] == CLIENT && p[2] == "0"),
            "{probes:?}"
        );
        let answers = tshark(&pcap, ANSWERS, &["ip.src", "icmp.type", "icmp.code"]);
        let got = kinds(&answers);
        let te = (ROUTER, "11", "0");
        let last = if icmp {
            (SERVER, "0", "0")
        } else {
            (SERVER, "3", "3")
        };
        assert_eq!(got, [te, te, te, last, last, last], "{answers:?}");
    }

    // 3000-byte probes: A sends each as 1500 + 1500 + 40 bytes; R, on the 1000-MTU link,
    // cuts the two big ones again; S reassembles. Captured in A and in S.
    let a_pcap = dir.path().join("a3000.pcap");
    let s_pcap = dir.path().join("s3000.pcap");
    let cap_a = Tcpdump::start_in(&lab.ns("A"), "eth0", &a_pcap, &["ip"]);
    let cap_s = Tcpdump::start_in(&lab.ns("S"), "eth0", &s_pcap, &["ip"]);
    let ours = wirelab_trace(&lab, &["--size", "3000"]);
    let s_pcap = cap_s.stop();
    let a_pcap = cap_a.stop();
    assert_eq!(hops(&ours), want, "{ours}");
    let t_pcap = dir.path().join("t3000.pcap");
    let cap_t = Tcpdump::start_in(&lab.ns("A"), "eth0", &t_pcap, &["ip"]);
    let theirs = system_trace(&lab, &[SERVER, "3000"]);
    let t_pcap = cap_t.stop();
    assert_eq!(hops(&theirs), want, "traceroute said:\n{theirs}");
    assert_eq!(ours.lines().next(), theirs.lines().next(), "the first line");

    let probe_filter =
        format!("ip.src == {CLIENT} && ip.dst == {SERVER} && !(icmp.type == 3 || icmp.type == 11)");
    let fields = [
        "ip.id",
        "ip.flags.mf",
        "ip.frag_offset",
        "ip.len",
        "ip.ttl",
        "ip.flags.df",
    ];
    let sent = tshark(&a_pcap, &probe_filter, &fields);
    assert_eq!(sent.len(), 18, "six probes of three fragments: {sent:?}");
    for (n, probe) in sent.chunks(3).enumerate() {
        assert_eq!(
            shape(probe),
            [(1, 0, 1500), (1, 1480, 1500), (0, 2960, 40)],
            "probe {n}: {probe:?}"
        );
        let ttl = if n < 3 { "1" } else { "2" };
        assert!(
            probe
                .iter()
                .all(|f| f[0] == probe[0][0] && f[4] == ttl && f[5] == "0"),
            "one ID, TTL {ttl}, no DF: {probe:?}"
        );
    }
    // The system's traceroute sends its 3000-byte probes the same way: 1500/1500/40, no DF.
    let theirs_sent = tshark(&t_pcap, &probe_filter, &fields);
    assert!(theirs_sent.len() >= 6, "{theirs_sent:?}");
    for probe in theirs_sent.chunks(3) {
        assert_eq!(
            shape(probe),
            [(1, 0, 1500), (1, 1480, 1500), (0, 2960, 40)],
            "traceroute's probe: {probe:?}"
        );
        assert!(probe.iter().all(|f| f[5] == "0"), "no DF: {probe:?}");
    }
    // R answered the TTL-1 probes with Time Exceeded, never with Fragmentation Needed.
    let errors = tshark(
        &a_pcap,
        "icmp.type == 3 || icmp.type == 11",
        &["ip.src", "icmp.type", "icmp.code"],
    );
    let got = kinds(&errors);
    let te = (ROUTER, "11", "0");
    let pu = (SERVER, "3", "3");
    assert_eq!(got, [te, te, te, pu, pu, pu], "{errors:?}");

    // In S: only the TTL-2 probes, each as five fragments of at most 1000 bytes.
    let arrived = tshark(&s_pcap, &probe_filter, &fields);
    assert_eq!(
        arrived.len(),
        15,
        "three probes of five fragments: {arrived:?}"
    );
    for (probe, orig) in arrived.chunks(5).zip(sent.chunks(3).skip(3)) {
        let sh = shape(probe);
        assert_eq!(
            sh,
            [
                (1, 0, 996),
                (1, 976, 524),
                (1, 1480, 996),
                (1, 2456, 524),
                (0, 2960, 40)
            ],
            "{probe:?}"
        );
        assert!(sh.iter().all(|&(_, off, len)| off % 8 == 0 && len <= 1000));
        assert!(
            probe
                .iter()
                .all(|f| f[0] == orig[0][0] && f[4] == "1" && f[5] == "0"),
            "A's ID, TTL 1 after R, no DF: {probe:?}"
        );
    }
    // tshark reassembles the same datagram on both links.
    let whole = [
        "ip.id",
        "ip.reassembled.length",
        "udp.srcport",
        "udp.dstport",
        "udp.length",
        "data.data",
    ];
    let at_a = tshark(&a_pcap, "ip.reassembled.length && ip.ttl == 2", &whole);
    let at_s = tshark(&s_pcap, "ip.reassembled.length", &whole);
    assert_eq!(at_s.len(), 3, "{at_s:?}");
    assert_eq!(at_a, at_s, "the datagrams A sent, as S got them");
    assert!(at_s.iter().all(|r| r[1] == "2980" && r[4] == "2980"));
}

//! `wirelab lab up --routed` on this machine: router R between the lab's 10.0.3.0/24 and
//! 10.0.4.0/24, server S behind it. What it builds and that it is idempotent, that A reaches S
//! through R over IPv4 and IPv6, that R answers TTL 1 with Time Exceeded, that `--mtu 1000`
//! makes R fragment (checked with tcpdump in S and tshark), that impairments act on the link
//! asked for, that a crashed router is repaired, that a failing step leaves nothing, and that
//! `lab down` leaves no namespace, no process and the host's own namespace as it was.
//!
//! Needs root (network namespaces), ping, tcpdump and tshark; skipped when they are missing
//! and CI is unset. Each test has its own lab (`support::Lab`), removed even when it fails.

mod support;

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::lab_cli::{failing_up_leaves_nothing, ok, text};
use support::netns::{Lab, Tcpdump, alive, namespaces_with, pids_in};
use support::proc::Proc;
use support::services::Scratch;
use support::{Need, require, run, tshark_fields};

fn needs() -> bool {
    require(Need::Root)
        && require(Need::Tool("ping"))
        && require(Need::Tool("tcpdump"))
        && require(Need::Tool("tshark"))
}

/// `ping -c 1 -W 2 ARGS…` on a computer of the lab (bounded: one probe, two seconds).
fn ping(lab: &Lab, letter: &str, args: &[&str]) -> Output {
    let mut argv = vec!["ping", "-n", "-c", "1", "-W", "2"];
    argv.extend_from_slice(args);
    lab.exec(letter, &argv)
        .stdin(Stdio::null())
        .output()
        .expect("running ping")
}

/// The round-trip time `ping` printed, in milliseconds.
fn rtt_ms(out: &str) -> f64 {
    out.split("time=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no RTT in {out}"))
}

/// The host's own addresses, routes and links (`ip -j …` in the root namespace), without
/// what changes by itself (address lifetimes).
fn host_network() -> Vec<Value> {
    let mut all = Vec::new();
    for args in [
        &["-j", "addr"][..],
        &["-j", "link"],
        &["-j", "route"],
        &["-j", "-6", "route"],
    ] {
        let out = run(Command::new("ip").args(args));
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        if let Some(links) = v.as_array_mut() {
            for l in links {
                if let Some(addrs) = l["addr_info"].as_array_mut() {
                    for a in addrs {
                        if let Some(a) = a.as_object_mut() {
                            a.remove("valid_life_time");
                            a.remove("preferred_life_time");
                        }
                    }
                }
            }
        }
        all.push(v);
    }
    all
}

#[test]
fn routed_lab_forwards_v4_and_v6_answers_ttl_1_repairs_and_goes_away_without_trace() {
    if !needs() {
        return;
    }
    let host_before = host_network();
    let lab = Lab::unique();
    let first = ok(&mut lab.cmd("up", &["--routed"]));
    for line in first.lines().filter(|l| l.starts_with("$ ")) {
        let inside = line.starts_with(&format!("$ ip netns add wl{}-", lab.name))
            || line.starts_with(&format!("$ ip netns exec wl{}-", lab.name))
            || line.starts_with(&format!("$ ip -n wl{}-", lab.name));
        assert!(inside, "a command outside the lab: {line}");
    }
    let mut names = lab.namespaces();
    names.sort();
    assert_eq!(
        names,
        ["A", "B", "C", "R", "S", "sw", "sw4"].map(|l| lab.ns(l)),
        "the seven namespaces"
    );
    let again = ok(&mut lab.cmd("up", &["--routed"]));
    assert!(again.contains("already up as asked"), "{again}");
    assert!(
        !again.lines().any(|l| l.starts_with("$ ")),
        "second up ran commands:\n{again}"
    );
    // A plain `lab up` leaves the routed lab as it is, and says so.
    let plain = ok(&mut lab.cmd("up", &[]));
    assert!(plain.contains("leaves it as it is"), "{plain}");
    assert!(!plain.lines().any(|l| l.starts_with("$ ")), "{plain}");

    // A reaches S through R: one hop, so the reply's TTL is 63.
    let o = ping(&lab, "A", &["10.0.4.1"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("ttl=63"), "{}", text(&o));
    // TTL 1: R answers with Time Exceeded (no rate limit in R).
    let o = ping(&lab, "A", &["-t", "1", "10.0.4.1"]);
    assert!(
        text(&o).contains("From 10.0.3.254") && text(&o).contains("Time to live exceeded"),
        "{}",
        text(&o)
    );
    let limit = ok(&mut lab.exec("R", &["sysctl", "-n", "net.ipv4.icmp_ratelimit"]));
    assert_eq!(limit.trim(), "0");
    // IPv6, both ways through R, and its hop limit.
    let o = ping(&lab, "B", &["fd00:4::1"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = ping(&lab, "s", &["fd00:3::3"]);
    assert!(o.status.success(), "S to C over IPv6: {}", text(&o));
    let o = ping(&lab, "A", &["-t", "1", "fd00:4::1"]);
    assert!(
        text(&o).contains("From fd00:3::fe") && text(&o).contains("Time exceeded"),
        "{}",
        text(&o)
    );

    // `lab status` shows R and S; the switches learned them.
    let server = Proc::spawn(
        "server on S",
        lab.exec("S", &["wirelab", "udp-server", "--port", "9000"]),
    );
    server.wait_for("listening on");
    let reply = ok(&mut lab.exec("C", &["wirelab", "udp-client", "10.0.4.1:9000"]));
    assert!(reply.contains("Thanks for your datagram"), "{reply}");
    let status = ok(&mut lab.cmd("status", &[]));
    for want in [
        "10.0.4.254/24, fd00:4::fe/64",
        "10.0.4.1/24, fd00:4::1/64",
        "udp-server --port 9000",
        "02:00:00:00:03:fe (R) on pR",
        "02:00:00:00:04:01 (S) on pS",
        "R forwards IPv4 and IPv6",
    ] {
        assert!(status.contains(want), "{want}:\n{status}");
    }

    // A crash: R stops forwarding, A lost its IPv6 route, C's namespace is gone.
    run(Command::new("ip").args([
        "netns",
        "exec",
        &lab.ns("R"),
        "sysctl",
        "-q",
        "-w",
        "net.ipv4.ip_forward=0",
    ]));
    run(Command::new("ip").args(["-n", &lab.ns("A"), "-6", "route", "del", "default"]));
    run(Command::new("ip").args(["netns", "del", &lab.ns("C")]));
    let st = lab.cmd("status", &[]).output().unwrap();
    assert_eq!(st.status.code(), Some(1), "{}", text(&st));
    let repair = ok(&mut lab.cmd("up", &["--routed"]));
    let cmds: Vec<&str> = repair.lines().filter(|l| l.starts_with("$ ")).collect();
    assert!(
        cmds.iter()
            .all(|c| !c.contains(&lab.ns("B")) && !c.contains(&lab.ns("S"))),
        "B and S were touched: {cmds:?}"
    );
    assert!(
        cmds.iter().any(|c| c.contains("net.ipv4.ip_forward=1")),
        "{cmds:?}"
    );
    assert!(alive(server.pid()), "the server on S kept running");
    let o = ping(&lab, "A", &["fd00:4::1"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = ping(&lab, "C", &["10.0.4.1"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(ok(&mut lab.cmd("up", &["--routed"])).contains("already up"));

    // `lab exec` on R and S.
    let r = ok(&mut lab.exec("r", &["ip", "-br", "-4", "addr", "show", "eth1"]));
    assert!(r.contains("10.0.4.254/24"), "{r}");

    let down = ok(&mut lab.cmd("down", &[]));
    assert!(down.contains("is down"), "{down}");
    assert!(
        namespaces_with(&format!("wl{}-", lab.name)).is_empty(),
        "left: {:?}",
        lab.namespaces()
    );
    for l in ["A", "B", "C", "R", "S", "sw", "sw4"] {
        assert!(pids_in(&lab.ns(l)).is_empty(), "a process left in {l}");
    }
    assert!(!alive(server.pid()), "the server on S was stopped");
    assert_eq!(host_network(), host_before, "the host's namespace changed");
}

#[test]
fn mtu_1000_makes_r_fragment_on_the_way_and_the_sender_fragment_bigger_ones() {
    if !needs() {
        return;
    }
    let lab = Lab::up(&["--routed", "--mtu", "1000"]);
    let dir = Scratch::new("routed-mtu");
    let file = dir.path().join("s.pcap");
    let cap = Tcpdump::start_in(&lab.ns("S"), "eth0", &file, &["icmp"]);
    // 1400 bytes of data fit A's 1500 but not the 10.0.4 link's 1000: R fragments (no DF).
    let o = ping(&lab, "A", &["-M", "dont", "-s", "1400", "10.0.4.1"]);
    assert!(o.status.success(), "{}", text(&o));
    // 3000 bytes: A fragments (1480 + 1480 + 48), R fragments A's fragments again.
    let o = ping(&lab, "A", &["-s", "3000", "10.0.4.1"]);
    assert!(o.status.success(), "{}", text(&o));
    let file = cap.stop();
    let from_a: Vec<(String, String, String)> = tshark_fields(
        &file,
        &["ip.src", "ip.flags.mf", "ip.frag_offset", "ip.len"],
    )
    .into_iter()
    .filter(|r| r.first().map(String::as_str) == Some("10.0.3.1"))
    .map(|r| (r[1].clone(), r[2].clone(), r[3].clone()))
    .collect();
    let row = |mf: &str, off: &str, len: &str| (mf.to_string(), off.to_string(), len.to_string());
    // tshark's ip.frag_offset counts 8-byte units: 122 is 976 bytes.
    assert_eq!(
        from_a,
        [
            row("1", "0", "996"),
            row("0", "122", "452"),
            row("1", "0", "996"),
            row("1", "122", "524"),
            row("1", "185", "996"),
            row("1", "307", "524"),
            row("0", "370", "68"),
        ],
        "the fragments that reached S"
    );
    // Below 1280 bytes the 10.0.4 link has no IPv6; the lab network keeps it.
    let s6 = ok(&mut lab.exec("S", &["ip", "-6", "-br", "addr", "show", "dev", "eth0"]));
    assert!(!s6.contains("fd00:4::1"), "{s6}");
    let o = ping(&lab, "A", &["fd00:3::fe"]);
    assert!(o.status.success(), "{}", text(&o));
    // Back to the Ethernet MTU: IPv6 reaches S again.
    ok(&mut lab.cmd("up", &["--routed"]));
    let o = ping(&lab, "A", &["fd00:4::1"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn impairments_act_on_the_link_asked_for() {
    if !needs() {
        return;
    }
    let o = Command::new(support::BIN)
        .args(["lab", "up", "--name", "tnoroute", "--impair-link", "wan"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("needs --routed"), "{}", text(&o));
    let o = Command::new(support::BIN)
        .args(["lab", "up", "--name", "tnoroute", "--mtu", "1000"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "a clap error: {}", text(&o));

    let lab = Lab::up(&["--routed", "--impair-link", "wan", "--delay", "50ms"]);
    assert_eq!(
        pids_in(&lab.ns("sw4")).len(),
        1,
        "a switch on the 10.0.4 link"
    );
    assert!(
        pids_in(&lab.ns("sw")).is_empty(),
        "the lab network's bridge"
    );
    // Both ways through the 10.0.4 switch: at least 100 ms; A to B is not delayed.
    let o = ping(&lab, "A", &["10.0.4.1"]);
    assert!(o.status.success(), "{}", text(&o));
    let slow = rtt_ms(&text(&o));
    assert!(slow >= 100.0, "A to S took {slow} ms");
    let o = ping(&lab, "A", &["10.0.3.2"]);
    let fast = rtt_ms(&text(&o));
    assert!(fast < 50.0, "A to B took {fast} ms");
    // 100% loss on the 10.0.4 link: S is out of reach, B is not.
    let out = ok(&mut lab.cmd(
        "up",
        &["--routed", "--impair-link", "wan", "--loss", "100%"],
    ));
    let cmds: Vec<&str> = out.lines().filter(|l| l.starts_with("$ ")).collect();
    assert!(
        cmds.iter()
            .all(|c| c.contains(&lab.ns("sw4")) || c.starts_with("$ kill ")),
        "only the 10.0.4 switch changes: {cmds:?}"
    );
    let o = ping(&lab, "A", &["10.0.4.1"]);
    assert!(
        !o.status.success(),
        "S answered through 100% loss: {}",
        text(&o)
    );
    let o = ping(&lab, "A", &["10.0.3.2"]);
    assert!(o.status.success(), "{}", text(&o));
    let status = ok(&mut lab.cmd("status", &[]));
    assert!(
        status.contains("10.0.4 link's switch: wirelab's user-space switch"),
        "{status}"
    );
}

#[test]
fn a_failing_step_of_a_routed_up_leaves_nothing_and_r_and_s_need_the_routed_lab() {
    if !require(Need::Root) {
        return;
    }
    // Fail at R's cable, at S's IPv6 and at the last step (the 10.0.4 switch joins pS).
    for fail_at in [42, 66, 81] {
        failing_up_leaves_nothing(&["--routed"], fail_at);
    }
    // R and S exist only in the routed lab.
    let lab = Lab::up(&[]);
    let o = lab.exec("S", &["true"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("computer S is not up"), "{}", text(&o));
    assert!(text(&o).contains("--routed"), "{}", text(&o));
}

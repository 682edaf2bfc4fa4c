//! End-to-end tests of `wirelab traceroute` in three network namespaces: a client
//! (10.0.3.1/24), a router forwarding between 10.0.3.0/24 (10.0.3.254) and 10.0.4.0/24
//! (10.0.4.254), and a server (10.0.4.1/24), joined by veth pairs. Behind the server,
//! 10.0.9.0/24 is a blackhole: probes there die without a word (after the router's Time
//! Exceeded for TTL 1).
//!
//! Three independent witnesses: the system's `traceroute` (Debian's, `-n`, and `-I` for ICMP)
//! run in the same namespaces must find the same hops; tcpdump captures on the client's link
//! and tshark reads the probes' TTLs, ports, fragments and the answers' types from it.
//!
//! These need root (namespaces, raw sockets): they skip with a note outside CI when not root,
//! and fail in CI (which runs as root) if they cannot run.

mod support;

use std::time::{Duration, Instant};

use support::netns::{Netns, Tcpdump, veth};
use support::proc::{Proc, WAIT};
use support::traceroute::{ANSWERS, kinds, probe_filter};
use support::tshark::{fields as tshark, first};
use support::{Need, require};

const CLIENT: &str = "10.0.3.1";
const ROUTER: &str = "10.0.3.254";
const SERVER: &str = "10.0.4.1";
/// Routed to the server, which drops it silently (a blackhole route).
const SILENT: &str = "10.0.9.1";

/// Client — router — server; Drop removes the three namespaces.
struct Routed {
    client: Netns,
    /// Kept for its Drop.
    _router: Netns,
    /// Kept for its Drop.
    _server: Netns,
}

impl Routed {
    fn new(tag: &str) -> Routed {
        let client = Netns::new(&format!("{tag}c"));
        let router = Netns::new(&format!("{tag}r"));
        let server = Netns::new(&format!("{tag}s"));
        veth(&client, "eth0", &router, "eth0");
        veth(&server, "eth0", &router, "eth1");
        client.addr("eth0", "10.0.3.1/24");
        router.addr("eth0", "10.0.3.254/24");
        router.addr("eth1", "10.0.4.254/24");
        server.addr("eth0", "10.0.4.1/24");
        client.ip(&["route", "add", "default", "via", ROUTER]);
        server.ip(&["route", "add", "default", "via", "10.0.4.254"]);
        router.ip(&["route", "add", "10.0.9.0/24", "via", SERVER]);
        server.ip(&["route", "add", "blackhole", "10.0.9.0/24"]);
        router.sysctl("net.ipv4.ip_forward", "1");
        server.sysctl("net.ipv4.ip_forward", "1");
        // Every probe gets its answer: no ICMP rate limit between runs.
        router.sysctl("net.ipv4.icmp_ratelimit", "0");
        server.sysctl("net.ipv4.icmp_ratelimit", "0");
        Routed {
            client,
            _router: router,
            _server: server,
        }
    }
}

/// Runs `wirelab ARGS` in `ns` to the end; returns (exit code, stdout, stderr).
fn wirelab_in(ns: &Netns, args: &[&str]) -> (Option<i32>, String, String) {
    let mut cmd = ns.wirelab();
    cmd.args(args);
    let mut p = Proc::spawn("wirelab", cmd);
    p.close_stdin();
    let code = p.wait_exit_within(WAIT).code();
    (code, p.out.text(), p.err.text())
}

/// `wirelab traceroute TARGET -i eth0 --color never EXTRA…` in the client.
fn trace(r: &Routed, target: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["traceroute", target, "-i", "eth0", "--color", "never"];
    args.extend_from_slice(extra);
    wirelab_in(&r.client, &args)
}

/// The system's `traceroute -n ARGS` in the client: its standard output.
fn system_traceroute(r: &Routed, args: &[&str]) -> String {
    let out = support::run(r.client.command("traceroute").arg("-n").args(args));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The hops of a traceroute output: per hop line (`%2d ` then addresses, times, `*`), the
/// TTL and the distinct addresses that answered (`*` when none did).
fn hops(text: &str) -> Vec<(u8, Vec<String>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        // Hop lines start with the TTL right-aligned in two columns and two spaces (a hex
        // dump's `0010  …` does not).
        let b = line.as_bytes();
        if b.len() < 5 || !b[1].is_ascii_digit() || b[2] != b' ' || b[3] != b' ' {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(ttl) = words.next().and_then(|w| w.parse::<u8>().ok()) else {
            continue;
        };
        let mut addrs: Vec<String> = Vec::new();
        for w in words {
            if w.parse::<std::net::Ipv4Addr>().is_ok() && !addrs.iter().any(|a| a == w) {
                addrs.push(w.to_string());
            }
        }
        if addrs.is_empty() {
            addrs.push("*".into());
        }
        out.push((ttl, addrs));
    }
    out
}

fn hop_list(list: &[(u8, &[&str])]) -> Vec<(u8, Vec<String>)> {
    list.iter()
        .map(|(t, a)| (*t, a.iter().map(|s| s.to_string()).collect()))
        .collect()
}

fn needs() -> bool {
    require(Need::Root)
        && require(Need::Tool("traceroute"))
        && require(Need::Tool("tshark"))
        && require(Need::Tool("tcpdump"))
}

/// (a) UDP and ICMP: the router then the server, as the system's traceroute finds them, with
/// its first line word for word.
#[test]
fn udp_and_icmp_traces_find_the_router_then_the_server_as_traceroute_does() {
    if !needs() {
        return;
    }
    let r = Routed::new("tra");
    let want = hop_list(&[(1, &[ROUTER]), (2, &[SERVER])]);
    for icmp in [false, true] {
        let extra: &[&str] = if icmp { &["--icmp"] } else { &[] };
        let (code, out, err) = trace(&r, SERVER, extra);
        assert_eq!(code, Some(0), "{out}\n{err}");
        assert_eq!(hops(&out), want, "{out}");
        assert!(out.contains("the first probe: built from the top of the stack down"));
        let theirs = system_traceroute(&r, if icmp { &["-I", SERVER] } else { &[SERVER] });
        assert_eq!(hops(&theirs), want, "traceroute said:\n{theirs}");
        assert_eq!(
            out.lines().next(),
            theirs.lines().next(),
            "the first line, as traceroute's"
        );
        for line in out
            .lines()
            .filter(|l| l.starts_with(" 1 ") || l.starts_with(" 2 "))
        {
            assert_eq!(line.matches(" ms").count(), 3, "three probes a hop: {line}");
        }
    }
}

/// (b) What crossed the wire, per tshark: TTLs 1,1,1,2,2,2; UDP ports 33434 and up (or echo
/// requests with rising sequence numbers); the router's Time Exceeded then the server's Port
/// Unreachable (or Echo Reply), each quoting the probe it answers. `--layers` shows the same
/// quotes.
#[test]
fn tshark_sees_the_ttls_ports_and_answers_of_every_probe() {
    if !needs() {
        return;
    }
    let r = Routed::new("trb");
    let dir = tempfile::tempdir().unwrap();
    for icmp in [false, true] {
        let pcap = dir.path().join(if icmp { "icmp.pcap" } else { "udp.pcap" });
        let dump = Tcpdump::start(&r.client, "eth0", &pcap, &["icmp", "or", "udp"]);
        let mut extra = vec!["--layers"];
        if icmp {
            extra.push("--icmp");
        }
        let (code, out, err) = trace(&r, SERVER, &extra);
        let pcap = dump.stop();
        assert_eq!(code, Some(0), "{out}\n{err}");
        let probe_filter = probe_filter(icmp);
        let key = if icmp { "icmp.seq" } else { "udp.dstport" };
        let probes = tshark(&pcap, probe_filter, &["ip.src", "ip.ttl", key]);
        let ttls: Vec<&str> = probes.iter().map(|p| p[1].as_str()).collect();
        assert_eq!(ttls, ["1", "1", "1", "2", "2", "2"], "{probes:?}");
        assert!(probes.iter().all(|p| p[0] == CLIENT));
        let keys: Vec<u32> = probes.iter().map(|p| p[2].parse().unwrap()).collect();
        let base = if icmp { keys[0] } else { 33434 };
        assert_eq!(keys, (base..base + 6).collect::<Vec<_>>(), "{probes:?}");
        let answers = tshark(&pcap, ANSWERS, &["ip.src", "icmp.type", "icmp.code", key]);
        let got = kinds(&answers);
        let last = if icmp {
            (SERVER, "0", "0")
        } else {
            (SERVER, "3", "3")
        };
        let te = (ROUTER, "11", "0");
        assert_eq!(got, [te, te, te, last, last, last], "{answers:?}");
        // Each answer carries (quotes, for errors) the key of the probe before it.
        for (a, k) in answers.iter().zip(&keys) {
            assert_eq!(a[3].rsplit(',').next(), Some(k.to_string().as_str()));
        }
        if !icmp {
            assert!(
                out.contains("quoted UDP ") && out.contains("→ 33434, length 40 → answers probe 1"),
                "{out}"
            );
            assert!(out.contains("ICMP type 3 code 3, Destination unreachable (Port unreachable)"));
        } else {
            assert!(
                out.contains("ICMP type 0 code 0, Echo (ping) reply"),
                "{out}"
            );
        }
        assert!(
            out.contains("ICMP type 11 code 0, Time-to-live exceeded"),
            "{out}"
        );
    }
}

/// (c) `--size 3000`: every probe leaves as three fragments (1500 + 1500 + 40 bytes at
/// offsets 0, 1480, 2960, MF on the first two) that tshark puts back together, and the
/// answers still find both hops — for UDP and for ICMP, whose 3000-byte echo replies come
/// back in fragments too.
#[test]
fn size_3000_probes_go_as_fragments_that_tshark_reassembles() {
    if !needs() {
        return;
    }
    let r = Routed::new("trf");
    let dir = tempfile::tempdir().unwrap();
    let want = hop_list(&[(1, &[ROUTER]), (2, &[SERVER])]);
    for icmp in [false, true] {
        let pcap = dir.path().join("frag.pcap");
        let _ = std::fs::remove_file(&pcap);
        let dump = Tcpdump::start(&r.client, "eth0", &pcap, &["ip"]);
        let own = dir.path().join("own.pcapng");
        let _ = std::fs::remove_file(&own);
        let own_s = own.to_str().unwrap();
        let mut extra = vec!["--size", "3000", "-v", "-w", own_s];
        if icmp {
            extra.push("-I");
        }
        let (code, out, err) = trace(&r, SERVER, &extra);
        let pcap = dump.stop();
        assert_eq!(code, Some(0), "{out}\n{err}");
        // wirelab's own pcapng: every fragment sent, with its comment, and every answer.
        let comments: Vec<String> = tshark(&own, "frame.comment", &["frame.comment"])
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        assert!(
            comments.contains(&"probe 1 (TTL 1), fragment 2 of 3".to_string()),
            "{comments:?}"
        );
        assert_eq!(
            comments.iter().filter(|c| c.starts_with("probe ")).count(),
            18
        );
        assert_eq!(
            comments
                .iter()
                .filter(|c| c.starts_with("answer to probe "))
                .count(),
            6
        );
        assert_eq!(hops(&out), want, "{out}");
        assert!(
            out.starts_with("traceroute to 10.0.4.1 (10.0.4.1), 30 hops max, 3000 byte packets")
        );
        assert!(out.contains(
            "sent as 3 fragments (MTU 1500): 1500 bytes at offset 0 (MF), 1500 bytes at offset \
             1480 (MF), 40 bytes at offset 2960"
        ));
        let frags = tshark(
            &pcap,
            &format!(
                "ip.src == {CLIENT} && ip.dst == {SERVER} && !(icmp.type == 3 || icmp.type == 11)"
            ),
            &[
                "ip.id",
                "ip.flags.mf",
                "ip.frag_offset",
                "ip.len",
                "ip.ttl",
                "ip.reassembled.length",
            ],
        );
        assert_eq!(frags.len(), 18, "six probes of three fragments: {frags:?}");
        for (n, probe) in frags.chunks(3).enumerate() {
            let shape: Vec<(&str, &str, &str)> = probe
                .iter()
                .map(|f| (f[1].as_str(), f[2].as_str(), f[3].as_str()))
                .collect();
            // tshark 4.0 lists the offset field in units of 8 bytes: 185 × 8 = 1480.
            assert_eq!(
                shape,
                [("1", "0", "1500"), ("1", "185", "1500"), ("0", "370", "40")],
                "probe {n}: {probe:?}"
            );
            assert!(
                probe.iter().all(|f| f[0] == probe[0][0]),
                "one ID: {probe:?}"
            );
            let ttl = if n < 3 { "1" } else { "2" };
            assert!(probe.iter().all(|f| f[4] == ttl), "{probe:?}");
            assert_eq!(probe[2][5], "2980", "reassembled by tshark: {probe:?}");
        }
        // The answers to the fragments: Time Exceeded for the first fragment of each hop-1
        // probe; the server's answer quotes the reassembled datagram.
        let te = tshark(
            &pcap,
            "icmp.type == 11",
            &["ip.src", "ip.id", "ip.frag_offset"],
        );
        assert_eq!(te.len(), 3, "{te:?}");
        for (t, probe) in te.iter().zip(frags.chunks(3)) {
            assert_eq!(first(&t[0]), ROUTER);
            assert_eq!(t[1].rsplit(',').next(), Some(probe[0][0].as_str()), "{t:?}");
        }
    }
}

/// (d) Silence: the router answers TTL 1, then nobody; each silent hop prints `* * *` and
/// the trace stops at --max-hops within max_hops × queries × wait (exit 5), as the system's
/// traceroute does. A next hop nobody answers ARP for ends with exit 4.
#[test]
fn silent_hops_print_stars_and_the_trace_stops_at_max_hops_in_bounded_time() {
    if !needs() {
        return;
    }
    let r = Routed::new("trd");
    let want = hop_list(&[(1, &[ROUTER]), (2, &["*"]), (3, &["*"])]);
    for icmp in [false, true] {
        let mut extra = vec!["--max-hops", "3", "--wait", "0.3"];
        if icmp {
            extra.push("--icmp");
        }
        let start = Instant::now();
        let (code, out, err) = trace(&r, SILENT, &extra);
        let took = start.elapsed();
        assert_eq!(code, Some(5), "{out}\n{err}");
        assert_eq!(hops(&out), want, "{out}");
        let stars: Vec<&str> = out.lines().filter(|l| l.ends_with("* * *")).collect();
        assert_eq!(stars, [" 2  * * *", " 3  * * *"], "{out}");
        assert!(err.contains("did not answer within 3 hops"), "{err}");
        // 6 silent probes × 0.3 s, plus start-up and ARP: well under 9 × 0.3 + 3 s.
        assert!(took < Duration::from_millis(5700), "{took:?}");
        let mut args = vec!["-m", "3", "-w", "0.3"];
        if icmp {
            args.push("-I");
        }
        args.push(SILENT);
        let theirs = system_traceroute(&r, &args);
        assert_eq!(hops(&theirs), want, "traceroute said:\n{theirs}");
    }
    // On the client's own subnet, nobody has 10.0.3.99: ARP fails, exit 4.
    let (code, out, err) = trace(&r, "10.0.3.99", &["--max-hops", "2"]);
    assert_eq!(code, Some(4), "{out}\n{err}");
    assert!(err.contains("nobody answered ARP for 10.0.3.99"), "{err}");
}

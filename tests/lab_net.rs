//! `wirelab lab answer ip|icmp` (the Kurose & Ross labs IP v8.1 and ICMP v8.1) held to an
//! answer key computed from tshark's fields by code of this file alone (plain parsing of
//! `tshark -T fields` text, no wirelab library): on the bundled captures/net/*.pcap and on
//! captures made here with the system's traceroute and ping in namespaces client — router —
//! server (an MTU of 1000 on the router–server link, IPv6 on the client's), tcpdump capturing;
//! and on the captures of the walkthroughs `scripts/labs/ip.sh` and `icmp.sh`, run end to end in
//! a routed lab of their own — with the system's traceroute, and with it hidden from PATH (then
//! `wirelab traceroute` sends the probes).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use support::netns::{Netns, Tcpdump, veth};
use support::{Need, repo, require, run, tshark_fields, wirelab};

/// One frame as tshark's fields give it; a field with several occurrences (an ICMP error's
/// quoted header) keeps them all, the outer first.
struct Row(BTreeMap<&'static str, Vec<String>>);

const FIELDS: [&str; 22] = [
    "frame.number",
    "ip.src",
    "ip.dst",
    "ip.ttl",
    "ip.id",
    "ip.checksum",
    "ip.flags.mf",
    "ip.frag_offset",
    "ip.len",
    "ip.proto",
    "udp.dstport",
    "icmp.type",
    "icmp.code",
    "icmp.ident",
    "icmp.seq",
    "icmp.checksum",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.flow",
    "ipv6.plen",
    "ipv6.nxt",
    "ipv6.hlim",
];

impl Row {
    fn all(&self, f: &str) -> &[String] {
        self.0.get(f).map(|v| v.as_slice()).unwrap_or(&[])
    }
    fn s(&self, f: &str) -> Option<&str> {
        self.all(f).first().map(|s| s.as_str())
    }
    fn n(&self, f: &str) -> Option<u64> {
        self.s(f).map(num)
    }
    fn frame(&self) -> u64 {
        self.n("frame.number").unwrap_or(0)
    }
}

fn num(s: &str) -> u64 {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap_or(u64::MAX),
        None => s.parse().unwrap_or(u64::MAX),
    }
}

fn rows(file: &Path) -> Vec<Row> {
    tshark_fields(file, &FIELDS)
        .into_iter()
        .map(|cols| {
            Row(FIELDS
                .iter()
                .zip(cols.iter().chain(std::iter::repeat(&String::new())))
                .filter(|(_, v)| !v.is_empty())
                .map(|(f, v)| (*f, v.split(',').map(str::to_string).collect()))
                .collect())
        })
        .collect()
}

fn answer(lab: &str, file: &Path) -> Value {
    let out = run(wirelab().args(["lab", "answer", lab, "--json"]).arg(file));
    serde_json::from_slice(&out.stdout).expect("the answer's JSON")
}

fn q<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["answers"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no answer {id}"))
}

fn frames(a: &Value, what: &str) -> Vec<u64> {
    a["evidence"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["what"] == what))
        .map(|x| {
            x["frames"]
                .as_array()
                .map(|f| f.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

fn nums(v: &Value) -> Vec<u64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

/// The IP lab's key, from tshark's fields only.
fn check_ip(file: &Path) {
    let rs = rows(file);
    let r = answer("ip", file);
    // The computer: where the routers' Time Exceeded go.
    let te: Vec<&Row> = rs
        .iter()
        .filter(|x| x.s("icmp.type") == Some("11"))
        .collect();
    assert!(!te.is_empty(), "{}: no Time Exceeded", file.display());
    let host = te[0].s("ip.dst").expect("ip.dst").to_string();
    let target = te[0].all("ip.dst")[1].clone();
    // Part 1: the first run of UDP probes that are not fragments.
    let mut small: Vec<&Row> = Vec::new();
    for x in rs.iter().filter(|x| {
        x.s("ip.src") == Some(&host)
            && x.s("ip.dst") == Some(&target)
            && x.s("ip.proto") == Some("17")
            && x.s("ip.flags.mf") == Some("0")
            && x.n("ip.frag_offset") == Some(0)
    }) {
        if let Some(last) = small.last()
            && x.n("udp.dstport") <= last.n("udp.dstport")
        {
            break;
        }
        small.push(x);
    }
    let p0 = small[0];
    assert_eq!(q(&r, "1")["values"]["host"], host.as_str());
    assert_eq!(q(&r, "1")["values"]["frame"], p0.frame());
    assert_eq!(q(&r, "2")["values"]["ttl"], p0.n("ip.ttl").unwrap());
    assert_eq!(q(&r, "3")["values"]["protocol"], 17);
    assert_eq!(q(&r, "5")["values"]["total_len"], p0.n("ip.len").unwrap());
    assert_eq!(q(&r, "6")["values"]["fragmented"], false);
    let want: Vec<u64> = small.iter().map(|x| x.frame()).take(24).collect();
    assert_eq!(frames(q(&r, "7"), "probes"), want, "question 7's probes");
    let ttls: Vec<u64> = small.iter().map(|x| x.n("ip.ttl").unwrap()).collect();
    assert_eq!(nums(&q(&r, "7")["values"]["ttls"]), ttls);
    let ids: Vec<u64> = small.iter().map(|x| x.n("ip.id").unwrap()).collect();
    assert_eq!(nums(&q(&r, "9")["values"]["identifications"]), ids);
    // Identification and checksum change between every two probes of the key.
    let always: Vec<&str> = q(&r, "7")["values"]["always_change"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for (field, name) in [
        ("ip.id", "Identification"),
        ("ip.checksum", "Header Checksum"),
    ] {
        let changes = small.windows(2).all(|w| w[0].s(field) != w[1].s(field));
        assert_eq!(always.contains(&name), changes, "{name}");
    }
    // Questions 10–12: the routers that sent Time Exceeded and their replies' TTLs.
    let mut routers: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for x in te.iter().filter(|x| {
        small
            .iter()
            .any(|p| x.all("ip.id").get(1).map(String::as_str) == p.s("ip.id"))
    }) {
        routers
            .entry(x.s("ip.src").unwrap().to_string())
            .or_default()
            .insert(x.n("ip.ttl").unwrap());
    }
    let got: Vec<String> = q(&r, "10")["values"]["routers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, routers.keys().cloned().collect::<Vec<_>>());
    for (router, ttls) in &routers {
        assert_eq!(
            nums(&q(&r, "12")["values"]["reply_ttls"][router]),
            ttls.iter().copied().collect::<Vec<_>>()
        );
    }
    // Part 2: the first fragmented datagram, its fragments by Identification.
    let f1 = rs
        .iter()
        .find(|x| x.s("ip.src") == Some(&host) && x.s("ip.flags.mf") == Some("1"))
        .expect("a fragment");
    let id = f1.s("ip.id").unwrap();
    let mut frags: Vec<&Row> = Vec::new();
    for x in rs.iter().filter(|x| x.frame() >= f1.frame()) {
        if x.s("ip.src") == Some(&host) && x.s("ip.id") == Some(id) {
            frags.push(x);
            if x.s("ip.flags.mf") == Some("0") {
                break;
            }
        }
    }
    frags.sort_by_key(|x| x.n("ip.frag_offset"));
    let ff: Vec<u64> = frags.iter().map(|x| x.frame()).collect();
    assert_eq!(nums(&q(&r, "13")["values"]["frames"]), ff);
    assert_eq!(q(&r, "13")["values"]["fragments"], frags.len());
    let size: u64 = frags
        .iter()
        .map(|x| x.n("ip.len").unwrap() - 20)
        .sum::<u64>()
        + 20;
    assert_eq!(q(&r, "13")["values"]["datagram_size"], size);
    assert_eq!(q(&r, "14")["values"]["more_fragments"], true);
    assert_eq!(q(&r, "15")["values"]["offset"], 0);
    assert_eq!(
        q(&r, "16")["values"]["total_len"],
        frags[0].n("ip.len").unwrap()
    );
    // tshark 4.0's ip.frag_offset counts 8-byte units; wirelab's answers say bytes.
    assert_eq!(
        q(&r, "17")["values"]["offset"],
        frags[1].n("ip.frag_offset").unwrap() * 8
    );
    let last = frags.last().unwrap();
    assert_eq!(
        q(&r, "19")["values"]["offset"],
        last.n("ip.frag_offset").unwrap() * 8
    );
    assert_eq!(
        q(&r, "19")["values"]["total_len"],
        last.n("ip.len").unwrap()
    );
    // Part 3: the first IPv6 datagram that is not neighbour discovery or MLD.
    let nd = ["130", "131", "132", "133", "134", "135", "136", "143"];
    let icmpv6: Vec<Vec<String>> = tshark_fields(file, &["icmpv6.type"]).into_iter().collect();
    let v6 = rs
        .iter()
        .enumerate()
        .find(|(i, x)| {
            x.s("ipv6.src").is_some()
                && !icmpv6
                    .get(*i)
                    .and_then(|c| c.first())
                    .is_some_and(|t| nd.contains(&t.as_str()))
        })
        .map(|(_, x)| x)
        .expect("an IPv6 datagram");
    assert_eq!(q(&r, "20")["values"]["src"], v6.s("ipv6.src").unwrap());
    assert_eq!(q(&r, "21")["values"]["dst"], v6.s("ipv6.dst").unwrap());
    assert_eq!(
        q(&r, "22")["values"]["flow_label"],
        v6.n("ipv6.flow").unwrap()
    );
    assert_eq!(
        q(&r, "23")["values"]["payload_len"],
        v6.n("ipv6.plen").unwrap()
    );
    assert_eq!(
        q(&r, "24")["values"]["next_header"],
        v6.n("ipv6.nxt").unwrap()
    );
    assert_eq!(
        q(&r, "24")["values"]["hop_limit"],
        v6.n("ipv6.hlim").unwrap()
    );
    // Questions 25 and 26: the response to the first AAAA query, when the capture has one.
    let dns = tshark_fields(
        file,
        &["dns.flags.response", "dns.qry.type", "dns.id", "dns.aaaa"],
    );
    let query = dns.iter().find(|c| {
        c.first().map(String::as_str) == Some("0") && c.get(1).is_some_and(|t| t == "28")
    });
    if let Some(query) = query {
        let reply = dns
            .iter()
            .find(|c| {
                c.first().map(String::as_str) == Some("1")
                    && c.get(1).is_some_and(|t| t == "28")
                    && c.get(2) == query.get(2)
            })
            .expect("the AAAA query's response");
        let addrs: Vec<&str> = reply
            .get(3)
            .map(|a| a.split(',').filter(|x| !x.is_empty()).collect())
            .unwrap_or_default();
        assert_eq!(q(&r, "25")["values"]["addresses"], serde_json::json!(addrs));
        assert_eq!(
            q(&r, "26")["values"]["first"],
            addrs.first().map_or(Value::Null, |a| Value::from(*a))
        );
    }
}

/// The ICMP lab's key, from tshark's fields only.
fn check_icmp(file: &Path) {
    let rs = rows(file);
    let r = answer("icmp", file);
    // Echo requests by identifier: the ping is the one whose TTL never changes.
    let mut by_ident: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for x in rs.iter().filter(|x| x.s("icmp.type") == Some("8")) {
        by_ident
            .entry(x.s("icmp.ident").unwrap().to_string())
            .or_default()
            .push(x);
    }
    let (ping_id, ping) = by_ident
        .iter()
        .find(|(_, v)| v.iter().all(|x| x.s("ip.ttl") == v[0].s("ip.ttl")))
        .expect("a ping");
    let (trace_id, trace) = by_ident
        .iter()
        .find(|(_, v)| v.iter().any(|x| x.s("ip.ttl") != v[0].s("ip.ttl")))
        .expect("an ICMP traceroute");
    let p0 = ping[0];
    assert_eq!(q(&r, "1")["values"]["host"], p0.s("ip.src").unwrap());
    assert_eq!(q(&r, "1")["values"]["destination"], p0.s("ip.dst").unwrap());
    assert_eq!(
        frames(q(&r, "1"), "echo requests"),
        ping.iter().map(|x| x.frame()).collect::<Vec<_>>()
    );
    let a3 = &q(&r, "3")["values"];
    assert_eq!(a3["type"], 8);
    assert_eq!(a3["code"], 0);
    assert_eq!(a3["identifier"], num(ping_id));
    assert_eq!(a3["checksum"], p0.n("icmp.checksum").unwrap());
    assert_eq!(
        nums(&a3["sequences"]),
        ping.iter()
            .map(|x| x.n("icmp.seq").unwrap())
            .collect::<Vec<_>>()
    );
    let replies: Vec<&Row> = rs
        .iter()
        .filter(|x| x.s("icmp.type") == Some("0") && x.s("icmp.ident") == Some(ping_id))
        .collect();
    let a4 = &q(&r, "4")["values"];
    assert_eq!(a4["type"], 0);
    assert_eq!(a4["sequence"], replies[0].n("icmp.seq").unwrap());
    assert_eq!(a4["checksum"], replies[0].n("icmp.checksum").unwrap());
    let pairs: Vec<[u64; 2]> = ping
        .iter()
        .zip(&replies)
        .map(|(a, b)| [a.frame(), b.frame()])
        .collect();
    assert_eq!(a4["pairs"], serde_json::json!(pairs));
    // Traceroute with ICMP probes.
    assert_eq!(
        q(&r, "5")["values"]["target"],
        trace[0].s("ip.dst").unwrap()
    );
    let ttls: Vec<u64> = trace.iter().map(|x| x.n("ip.ttl").unwrap()).collect();
    assert_eq!(nums(&q(&r, "7")["values"]["probe_ttls"]), ttls);
    let udp: Vec<u64> = rs
        .iter()
        .filter(|x| {
            x.s("ip.proto") == Some("17")
                && x.s("icmp.type").is_none()
                && x.s("ip.src") == p0.s("ip.src")
        })
        .map(Row::frame)
        .take(24)
        .collect();
    assert_eq!(frames(q(&r, "6"), "UDP probes"), udp);
    // The first Time Exceeded quoting one of the ICMP probes (its second ip.id is the probe's).
    let err = rs
        .iter()
        .find(|x| {
            x.s("icmp.type") == Some("11")
                && trace
                    .iter()
                    .any(|p| x.all("ip.id").get(1).map(String::as_str) == p.s("ip.id"))
        })
        .expect("a Time Exceeded");
    let a8 = q(&r, "8");
    assert_eq!(frames(a8, "Time Exceeded"), vec![err.frame()]);
    assert_eq!(a8["values"]["quoted_id"], num(&err.all("ip.id")[1]));
    assert_eq!(a8["values"]["type"], 11);
    assert_eq!(a8["values"]["code"], 0);
    let finals: Vec<u64> = rs
        .iter()
        .filter(|x| x.s("icmp.type") == Some("0") && x.s("icmp.ident") == Some(trace_id))
        .map(Row::frame)
        .collect();
    let last3: Vec<u64> = finals[finals.len().saturating_sub(3)..].to_vec();
    assert_eq!(frames(q(&r, "9"), "replies from the target"), last3);
    assert_eq!(q(&r, "9")["values"]["type"], 0);
    // Question 10: who answered each TTL, up to the target.
    let mut hops: BTreeMap<u64, String> = BTreeMap::new();
    for p in trace {
        let ttl = p.n("ip.ttl").unwrap();
        let reply = rs.iter().find(|x| {
            (x.s("icmp.type") == Some("11")
                && x.all("ip.id").get(1).map(String::as_str) == p.s("ip.id"))
                || (x.s("icmp.type") == Some("0")
                    && x.s("icmp.ident") == Some(trace_id)
                    && x.s("icmp.seq") == p.s("icmp.seq"))
        });
        if let Some(x) = reply {
            hops.insert(ttl, x.s("ip.src").unwrap().to_string());
        }
    }
    let target = trace[0].s("ip.dst").unwrap();
    let upto = hops
        .iter()
        .find(|(_, a)| a.as_str() == target)
        .map(|(t, _)| *t)
        .unwrap_or(u64::MAX);
    let got = &q(&r, "10")["values"]["hops"];
    let want: BTreeMap<String, String> = hops
        .into_iter()
        .filter(|(t, _)| *t <= upto)
        .map(|(t, a)| (t.to_string(), a))
        .collect();
    let got: BTreeMap<String, String> = got
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v[0].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn bundled_captures_are_answered_as_tshark_reads_them() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    check_ip(&repo("captures/net/ip.pcap"));
    check_icmp(&repo("captures/net/icmp.pcap"));
    // The text output names the questions as the labs number them.
    let out = run(wirelab()
        .args(["lab", "answer", "ip"])
        .arg(repo("captures/net/ip.pcap")));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\n13 Find the first IP datagram"));
    assert!(text.contains("\n22 What is the value of the flow label"));
}

/// Client — router — server, as scripts/make-net-captures.sh builds them.
struct Net {
    c: Netns,
    _r: Netns,
    _s: Netns,
}

fn net() -> Net {
    let c = Netns::new("nc");
    let r = Netns::new("nr");
    let s = Netns::new("ns");
    veth(&c, "eth0", &r, "eth0");
    veth(&r, "eth1", &s, "eth0");
    r.ip(&["link", "set", "eth1", "mtu", "1000"]);
    s.ip(&["link", "set", "eth0", "mtu", "1000"]);
    c.sysctl("net.ipv6.conf.eth0.accept_ra", "0");
    r.sysctl("net.ipv4.ip_forward", "1");
    r.sysctl("net.ipv6.conf.all.forwarding", "1");
    r.sysctl("net.ipv4.icmp_ratelimit", "0");
    s.sysctl("net.ipv4.icmp_ratelimit", "0");
    c.addr("eth0", "10.0.3.2/24");
    c.ip(&["addr", "add", "fd00:3::2/64", "dev", "eth0", "nodad"]);
    r.addr("eth0", "10.0.3.254/24");
    r.ip(&["addr", "add", "fd00:3::fe/64", "dev", "eth0", "nodad"]);
    r.addr("eth1", "10.0.4.254/24");
    s.addr("eth0", "10.0.4.1/24");
    c.ip(&["route", "add", "default", "via", "10.0.3.254"]);
    c.ip(&["-6", "route", "add", "default", "via", "fd00:3::fe"]);
    s.ip(&["route", "add", "default", "via", "10.0.4.254"]);
    Net { c, _r: r, _s: s }
}

fn capture(n: &Net, path: &Path, cmds: &[&[&str]]) -> PathBuf {
    let td = Tcpdump::start(&n.c, "eth0", path, &[]);
    for cmd in cmds {
        run(n.c.command("timeout").arg("20").args(*cmd));
    }
    td.stop()
}

#[test]
fn fresh_traceroute_and_ping_captures_are_answered_as_tshark_reads_them() {
    if !require(Need::Root)
        || !require(Need::Tool("tshark"))
        || !require(Need::Tool("tcpdump"))
        || !require(Need::Tool("traceroute"))
    {
        return;
    }
    let dir = std::env::temp_dir().join(format!("wl-lab-net-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let n = net();
    let ip = capture(
        &n,
        &dir.join("ip.pcap"),
        &[
            &["traceroute", "-n", "10.0.4.1"],
            &["traceroute", "-n", "10.0.4.1", "3000"],
            &["ping", "-6", "-c", "2", "fd00:3::fe"],
        ],
    );
    let icmp = capture(
        &n,
        &dir.join("icmp.pcap"),
        &[
            &["ping", "-c", "3", "10.0.4.1"],
            &["traceroute", "-n", "-I", "10.0.4.1"],
            &["traceroute", "-n", "10.0.4.1"],
        ],
    );
    drop(n);
    check_ip(&ip);
    check_icmp(&icmp);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `scripts/labs/SCRIPT` in a lab of its own (at most 120 s), with `path` as PATH when
/// given; checks it succeeded and left no namespace. Returns its output directory and its screen.
fn walk(script: &str, path: Option<&Path>) -> Option<(PathBuf, String)> {
    if !require(Need::Root) || !require(Need::Tool("tshark")) {
        return None;
    }
    let path = path.map(|p| ("PATH", p.as_os_str()));
    let ran = support::walk::run(script, Duration::from_secs(120), path.as_slice());
    Some((ran.dir, ran.out))
}

#[test]
fn walkthrough_ip_is_answered_as_tshark_reads_it() {
    let Some((dir, out)) = walk("ip.sh", None) else {
        return;
    };
    check_ip(&dir.join("a.pcapng"));
    // Part 3 asked the lab's DNS over IPv6: questions 25 and 26 have their AAAA answer.
    let r = answer("ip", &dir.join("a.pcapng"));
    assert_eq!(
        q(&r, "25")["values"]["addresses"],
        serde_json::json!(["fd00:4::1"])
    );
    assert!(
        q(&r, "20")["answer"]
            .as_str()
            .is_some_and(|a| a.contains("carries the DNS AAAA query")),
        "{}",
        q(&r, "20")
    );
    // The screen follows the lab's parts and says what plays the sheet's Internet.
    for text in [
        "S plays gaia.cs.umass.edu",
        "Part 2 (questions 13-19)",
        "R splits them again",
        "Part 3 (questions 20-26)",
        "| 13 Find the first IP datagram",
        "| 22 What is the value of the flow label",
    ] {
        assert!(out.contains(text), "no {text:?}\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn walkthrough_icmp_is_answered_as_tshark_reads_it() {
    let Some((dir, out)) = walk("icmp.sh", None) else {
        return;
    };
    check_icmp(&dir.join("a.pcapng"));
    for text in [
        "S plays both",
        "10 packets transmitted, 10 received",
        "ICMP and traceroute (questions 5-10)",
        "| 8 Examine the ICMP error packet",
    ] {
        assert!(out.contains(text), "no {text:?}\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A directory standing for this test's PATH without the system's traceroute: a link to every
/// program on PATH (the first of each name) but `traceroute*`.
fn path_without_traceroute(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("a directory for the links");
    let path = std::env::var_os("PATH").unwrap_or_default();
    for d in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            if !name.to_string_lossy().starts_with("traceroute") {
                // An existing link (an earlier PATH entry) stays, as PATH's order says.
                let _ = std::os::unix::fs::symlink(e.path(), dir.join(&name));
            }
        }
    }
    dir.to_path_buf()
}

#[test]
fn walkthroughs_without_the_system_traceroute_send_wirelabs_probes() {
    if !require(Need::Root) || !require(Need::Tool("tshark")) {
        return;
    }
    let links = path_without_traceroute(
        &PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("lab_net-path-{}", std::process::id())),
    );
    for (script, check) in [
        ("ip.sh", check_ip as fn(&Path)),
        ("icmp.sh", check_icmp as fn(&Path)),
    ] {
        let Some((dir, out)) = walk(script, Some(&links)) else {
            return;
        };
        check(&dir.join("a.pcapng"));
        assert!(out.contains("(no traceroute on this computer"), "{out}");
        assert!(out.contains("$ wirelab traceroute 10.0.4.1"), "{out}");
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&links);
}

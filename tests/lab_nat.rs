//! `wirelab lab answer nat INSIDE OUTSIDE` (the Kurose & Ross Wireshark Lab: NAT, v8.1) held to
//! an answer key computed here from `tshark -T fields` of both captures, by plain text parsing
//! that shares nothing with wirelab's dissectors or analysis: the GET is matched across the
//! two files by request URI, Host and raw TCP sequence number. On the bundled
//! captures/net/nat-inside.pcap and nat-outside.pcap (scripts/make-nat-captures.sh) and on a
//! pair made here the same way (client — NAT router with nftables `meta l4proto tcp masquerade to :PORTS` —
//! server, `python3 -m http.server`, curl, tcpdump on both sides of the router), plus the
//! refusals: one file, the same capture twice, unrelated captures, the files swapped. And the
//! walkthrough `scripts/labs/nat.sh`, run end to end in a routed lab of its own with its
//! services and NAT: its two captures (R's eth0 and eth1) held to the same key.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use support::lab_checks::{answer, answer_json, evidence_is_real};
use support::netns::{Netns, Tcpdump, veth};
use support::proc::Proc;
use support::tshark::{Row, first_u64 as n, get};
use support::walk::walk_needing;
use support::{BIN, Need, repo, require, run, run_status};

const NAMES: &[&str] = &[
    "frame.number",
    "frame.time_relative",
    "frame.time_epoch",
    "ip.version",
    "ip.hdr_len",
    "ip.flags",
    "ip.checksum",
    "ip.ttl",
    "ip.id",
    "ip.src",
    "ip.dst",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.stream",
    "tcp.seq_raw",
    "tcp.flags.syn",
    "tcp.flags.ack",
    "tcp.payload",
    "tcp.len",
    "http.request.method",
    "http.request.uri",
    "http.host",
    "http.response.code",
    "http.request_in",
];

/// Every TCP frame's fields.
fn rows(file: &Path) -> Vec<Row> {
    support::tshark_rows(file, "tcp", NAMES)
}

fn hex(r: &Row, name: &str) -> u64 {
    u64::from_str_radix(get(r, name).trim_start_matches("0x"), 16).unwrap()
}

fn f(r: &Row, name: &str) -> f64 {
    get(r, name).parse().unwrap()
}

fn is_get(r: &Row) -> bool {
    get(r, "http.request.method") == "GET"
}

fn syn(r: &Row, ack: bool) -> bool {
    let set = |x: &str| matches!(get(r, x), "1" | "True");
    set("tcp.flags.syn") && set("tcp.flags.ack") == ack
}

fn val(r: &Value, id: &str, name: &str) -> Value {
    answer(r, id)["values"][name].clone()
}

fn close(a: &Value, b: f64, what: &str) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{what}: {a}"));
    assert!((a - b).abs() < 2e-6, "{what}: {a} vs tshark {b}");
}

/// The message or segment `v` (a `Seen` in the JSON) is tshark's row `x`.
fn same_place(v: &Value, x: &Row, what: &str) {
    assert_eq!(v["frame"], json!(n(x, "frame.number").unwrap()), "{what}");
    close(&v["time"], f(x, "frame.time_relative"), what);
    close(&v["epoch"], f(x, "frame.time_epoch"), what);
    assert_eq!(v["src"], json!(get(x, "ip.src")), "{what}");
    assert_eq!(v["dst"], json!(get(x, "ip.dst")), "{what}");
    assert_eq!(v["src_port"], json!(n(x, "tcp.srcport")), "{what}");
    assert_eq!(v["dst_port"], json!(n(x, "tcp.dstport")), "{what}");
}

fn stream_syn<'a>(rows: &'a [Row], of: &Row, ack: bool) -> &'a Row {
    rows.iter()
        .find(|x| get(x, "tcp.stream") == get(of, "tcp.stream") && syn(x, ack))
        .expect("the connection's handshake")
}

fn sock(x: &Row) -> String {
    format!("{}:{}", get(x, "ip.src"), get(x, "tcp.srcport"))
}

/// Checks `lab answer nat INSIDE OUTSIDE` against the key; returns the report.
fn check(inside: &Path, outside: &Path) -> Value {
    let r = answer_json("nat", &[inside, outside], &[]);
    evidence_is_real(&r);
    assert_eq!(r["answers"].as_array().unwrap().len(), 11, "{r:#}");
    let ins = rows(inside);
    let outs = rows(outside);
    // Every inside GET found outside (same URI, Host and raw sequence number), inside order.
    let pairs: Vec<(&Row, &Row)> = ins
        .iter()
        .filter(|x| is_get(x))
        .filter_map(|i| {
            outs.iter()
                .find(|o| {
                    is_get(o)
                        && get(o, "http.request.uri") == get(i, "http.request.uri")
                        && get(o, "http.host") == get(i, "http.host")
                        && get(o, "tcp.seq_raw") == get(i, "tcp.seq_raw")
                })
                .map(|o| (i, o))
        })
        .collect();
    let &(gi, go) = pairs.first().expect("a GET on both sides");
    // 1
    same_place(&val(&r, "1", "get"), gi, "1: inside GET");
    assert_eq!(val(&r, "1", "client"), json!(get(gi, "ip.src")));
    assert_eq!(val(&r, "1", "client_port"), json!(n(gi, "tcp.srcport")));
    assert_eq!(val(&r, "1", "server"), json!(get(gi, "ip.dst")));
    assert_eq!(val(&r, "1", "server_port"), json!(n(gi, "tcp.dstport")));
    // 2, 3: the inside 200 OK (tshark pairs it with its request).
    let resp = |rows: &[Row], g: &Row| -> Row {
        rows.iter()
            .find(|x| n(x, "http.request_in") == n(g, "frame.number"))
            .expect("the response")
            .clone()
    };
    let ri = resp(&ins, gi);
    same_place(&val(&r, "2", "response"), &ri, "2: inside 200 OK");
    assert_eq!(val(&r, "2", "code"), json!(n(&ri, "http.response.code")));
    same_place(&val(&r, "3", "response"), &ri, "3");
    // 4, 5: the same GET outside.
    same_place(&val(&r, "4", "get"), go, "4: outside GET");
    same_place(&val(&r, "5", "get"), go, "5");
    assert_eq!(val(&r, "4", "same_seq"), true);
    assert_eq!(
        val(&r, "4", "same_ip_id"),
        json!(get(gi, "ip.id") == get(go, "ip.id"))
    );
    close(
        &val(&r, "4", "forwarding_delay"),
        f(go, "frame.time_epoch") - f(gi, "frame.time_epoch"),
        "4: delay",
    );
    // 6
    let mut changed = Vec::new();
    for (field, name) in [
        ("ip.src", "source_ip"),
        ("tcp.srcport", "source_port"),
        ("ip.dst", "destination_ip"),
        ("tcp.dstport", "destination_port"),
    ] {
        if get(gi, field) != get(go, field) {
            changed.push(name);
        }
    }
    assert_eq!(val(&r, "6", "changed"), json!(changed));
    // 7: the GET's TCP payload, byte for byte.
    assert_eq!(
        val(&r, "7", "changed"),
        json!(get(gi, "tcp.payload") != get(go, "tcp.payload"))
    );
    assert_eq!(val(&r, "7", "bytes"), json!(n(gi, "tcp.len")));
    // 8: the IPv4 header fields.
    for (side, x) in [("inside", gi), ("outside", go)] {
        let h = val(&r, "8", side);
        assert_eq!(h["version"], json!(n(x, "ip.version")), "8 {side}");
        assert_eq!(h["header_len"], json!(n(x, "ip.hdr_len")), "8 {side}");
        assert_eq!(h["flags"], json!(hex(x, "ip.flags")), "8 {side}");
        assert_eq!(h["checksum"], json!(hex(x, "ip.checksum")), "8 {side}");
        assert_eq!(h["ttl"], json!(n(x, "ip.ttl")), "8 {side}");
        assert_eq!(h["id"], json!(hex(x, "ip.id")), "8 {side}");
    }
    let mut four = Vec::new();
    for (field, name) in [
        ("ip.version", "Version"),
        ("ip.hdr_len", "Header Length"),
        ("ip.flags", "Flags"),
        ("ip.checksum", "Header Checksum"),
    ] {
        if get(gi, field) != get(go, field) {
            four.push(name);
        }
    }
    assert_eq!(val(&r, "8", "changed"), json!(four));
    // 9: the outside 200 OK.
    let ro = resp(&outs, go);
    same_place(&val(&r, "9", "response"), &ro, "9: outside 200 OK");
    assert_eq!(val(&r, "9", "code"), json!(n(&ro, "http.response.code")));
    // 10: the connection's SYN and SYN-ACK on both sides.
    same_place(
        &val(&r, "10", "syn_outside"),
        stream_syn(&outs, go, false),
        "10: SYN outside",
    );
    same_place(
        &val(&r, "10", "synack_outside"),
        stream_syn(&outs, go, true),
        "10: SYNACK outside",
    );
    same_place(
        &val(&r, "10", "syn_inside"),
        stream_syn(&ins, gi, false),
        "10: SYN inside",
    );
    same_place(
        &val(&r, "10", "synack_inside"),
        stream_syn(&ins, gi, true),
        "10: SYNACK inside",
    );
    assert_eq!(
        val(&r, "10", "same_isn"),
        json!(
            get(stream_syn(&ins, gi, false), "tcp.seq_raw")
                == get(stream_syn(&outs, go, false), "tcp.seq_raw")
        )
    );
    // 11: the translation table.
    assert_eq!(val(&r, "11", "wan"), json!(sock(go)));
    assert_eq!(val(&r, "11", "lan"), json!(sock(gi)));
    let mut entries: Vec<Value> = Vec::new();
    for (i, o) in &pairs {
        let e = json!({"wan": sock(o), "lan": sock(i)});
        if !entries.contains(&e) {
            entries.push(e);
        }
    }
    assert_eq!(val(&r, "11", "entries"), json!(entries));
    r
}

/// `lab answer nat FILES…` fails with a message containing `needle`.
fn refused(files: &[&Path], needle: &str) {
    let out = run_status(Command::new(BIN).args(["lab", "answer", "nat"]).args(files));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{files:?} accepted");
    assert!(err.contains(needle), "{files:?}: {err}");
    assert!(out.stdout.is_empty(), "{files:?}");
}

#[test]
fn bundled_captures_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let inside = repo("captures/net/nat-inside.pcap");
    let outside = repo("captures/net/nat-outside.pcap");
    let r = check(&inside, &outside);
    // What the captures were made to show: masquerade keeps the port, changes the address.
    assert_eq!(val(&r, "1", "client"), "10.0.3.1");
    assert_eq!(val(&r, "5", "get")["src"], "10.0.4.254");
    assert_eq!(val(&r, "6", "changed"), json!(["source_ip"]));
    assert_eq!(val(&r, "7", "changed"), false);
    assert_eq!(val(&r, "8", "changed"), json!(["Header Checksum"]));
    assert_eq!(val(&r, "11", "entries").as_array().unwrap().len(), 2);
}

#[test]
fn files_that_are_not_two_sides_of_one_nat_are_refused() {
    let inside = repo("captures/net/nat-inside.pcap");
    let outside = repo("captures/net/nat-outside.pcap");
    refused(&[&inside], "two captures");
    refused(&[&inside, &outside, &outside], "two captures");
    refused(&[&inside, &inside], "nothing was translated");
    refused(&[&outside, &inside], "swapped");
    refused(&[&repo("captures/app/http.pcap"), &outside], "none of the");
}

#[test]
fn server_chooses_the_connection() {
    let inside = repo("captures/net/nat-inside.pcap");
    let outside = repo("captures/net/nat-outside.pcap");
    let r = answer_json("nat", &[&inside, &outside], &["--server", "10.0.4.1"]);
    assert_eq!(val(&r, "1", "server"), "10.0.4.1");
    refused_with(
        &[&inside, &outside],
        &["--server", "10.9.9.9"],
        "none of the",
    );
}

fn refused_with(files: &[&Path], extra: &[&str], needle: &str) {
    let out = run_status(
        Command::new(BIN)
            .args(["lab", "answer", "nat"])
            .args(files)
            .args(extra),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(needle));
}

/// A client, a NAT router that also changes ports, a web server; tcpdump on both sides of
/// the router while curl fetches a page: the same as the script, with the system's tools.
#[test]
fn fresh_captures_through_nftables_masquerade_match_tshark() {
    if !require(Need::Root)
        || !require(Need::Tool("tshark"))
        || !require(Need::Tool("nft"))
        || !require(Need::Tool("curl"))
        || !require(Need::Tool("tcpdump"))
    {
        return;
    }
    let a = Netns::new("nata");
    let r = Netns::new("natr");
    let s = Netns::new("nats");
    veth(&a, "eth0", &r, "eth0");
    veth(&r, "eth1", &s, "eth0");
    a.addr("eth0", "10.0.3.1/24");
    r.addr("eth0", "10.0.3.254/24");
    r.addr("eth1", "10.0.4.254/24");
    s.addr("eth0", "10.0.4.1/24");
    a.ip(&["route", "add", "default", "via", "10.0.3.254"]);
    r.sysctl("net.ipv4.ip_forward", "1");
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("nat.nft");
    std::fs::write(
        &rules,
        "table ip wirelab_nat {\n  chain postrouting {\n    type nat hook postrouting priority \
         srcnat; policy accept;\n    oifname \"eth1\" ip saddr 10.0.3.0/24 meta l4proto tcp masquerade to \
         :20000-20099\n  }\n}\n",
    )
    .unwrap();
    run(r.command("nft").arg("-f").arg(&rules));
    let www = dir.path().join("www/wireshark-labs");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(
        www.join("HTTP-wireshark-file1.html"),
        "<html>\nCongratulations.  You've downloaded the file!\n</html>\n",
    )
    .unwrap();
    let mut server = s.command("python3");
    server
        .args([
            "-m",
            "http.server",
            "80",
            "--bind",
            "10.0.4.1",
            "--directory",
        ])
        .arg(dir.path().join("www"));
    let _server = Proc::spawn("http.server", server);
    let mut up = false;
    for _ in 0..100 {
        let out = run_status(s.command("ss").args(["-Hltn", "sport = :80"]));
        if !out.stdout.is_empty() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "http.server did not start");
    let inside = Tcpdump::start(&r, "eth0", &dir.path().join("in.pcap"), &[]);
    let outside = Tcpdump::start(&r, "eth1", &dir.path().join("out.pcap"), &[]);
    run(a.command("timeout").args([
        "20",
        "curl",
        "-sS",
        "-o",
        "/dev/null",
        "--resolve",
        "gaia.wirelab.test:80:10.0.4.1",
        "http://gaia.wirelab.test/wireshark-labs/HTTP-wireshark-file1.html",
    ]));
    let inside = inside.stop();
    let outside = outside.stop();
    // The inside capture as pcapng, as Wireshark saves it.
    let inside_ng = dir.path().join("in.pcapng");
    run(Command::new("editcap")
        .args(["-F", "pcapng"])
        .arg(&inside)
        .arg(&inside_ng));
    let rep = check(&inside_ng, &outside);
    assert_eq!(
        val(&rep, "6", "changed"),
        json!(["source_ip", "source_port"])
    );
    let wan = val(&rep, "11", "wan");
    let port: u16 = wan
        .as_str()
        .and_then(|w| w.rsplit_once(':'))
        .and_then(|(_, p)| p.parse().ok())
        .unwrap();
    assert!((20000..=20099).contains(&port), "{wan}");
    refused(&[&outside, &inside_ng], "swapped");
}

/// `scripts/labs/nat.sh` in a lab of its own (at most 180 s): it must succeed, leave no
/// namespace, and its two captures must be answered as tshark reads them.
#[test]
fn walkthrough_nat_is_answered_as_tshark_reads_it() {
    let Some((dir, out)) = walk_needing("nat.sh", &["tshark"], Duration::from_secs(180)) else {
        return;
    };
    let r = check(&dir.join("inside.pcapng"), &dir.join("outside.pcapng"));
    // A's connection is answered; B's is the table's second entry; both leave from R.
    assert_eq!(val(&r, "1", "client"), "10.0.3.1");
    assert_eq!(val(&r, "5", "get")["src"], "10.0.4.254");
    let entries = val(&r, "11", "entries");
    let lans: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["lan"].as_str())
        .collect();
    assert_eq!(lans.len(), 2, "{entries}");
    assert!(lans[0].starts_with("10.0.3.1:") && lans[1].starts_with("10.0.3.2:"));
    for text in [
        "masquerade",
        "R is the home router",
        "11 Using your answers to 1-10 above",
        "WAN side addr 10.0.4.254",
    ] {
        assert!(out.contains(text), "no {text:?}\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

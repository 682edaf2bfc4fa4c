//! `wirelab lab answer udp` and `lab answer ethernet-arp` (the Kurose & Ross Wireshark labs,
//! v8.1) held to answer keys computed here from tshark's fields and hex dumps, by plain text
//! parsing that shares nothing with wirelab's analysis:
//!
//! - on the bundled captures (`captures/course/`, made by the walkthroughs);
//! - on captures made here with plain tcpdump in a virtual lab of the test's own (dnsmasq and
//!   dig for UDP; an emptied ARP cache, `python3 -m http.server` and curl for Ethernet/ARP);
//! - on the public captures (`simple_http.pcap`, `quic_xargs.pcap`) when present;
//! - the walkthroughs `scripts/labs/udp.sh` and `ethernet-arp.sh`, run end to end, on their
//!   own captures.
//!
//! The virtual-lab tests need root; skipped when not root and CI is unset.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use support::lab_checks::{answer, answer_json, evidence_is_real};
use support::netns::{Lab, Tcpdump};
use support::proc::Proc;
use support::tshark::{rows as fields, text as tshark};
use support::walk::walk_needing;
use support::{Need, repo, require, run};

// ---- the key: tshark's text, parsed by hand ----

/// The frame's own bytes, from `tshark -x` (the first hex block only: not reassembled data).
fn frame_bytes(file: &Path, frame: u64) -> Vec<u8> {
    let text = tshark(file, &["-Y", &format!("frame.number == {frame}"), "-x"]);
    let mut out = Vec::new();
    let mut started = false;
    for line in text.lines() {
        let is_hex = line.len() > 6
            && line.as_bytes()[..4].iter().all(u8::is_ascii_hexdigit)
            && &line[4..6] == "  ";
        if !is_hex {
            if started {
                break;
            }
            continue;
        }
        started = true;
        let hex = &line[6..line.len().min(6 + 48)];
        out.extend(
            hex.split_whitespace()
                .map_while(|t| u8::from_str_radix(t, 16).ok().filter(|_| t.len() == 2)),
        );
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn num(s: &str) -> u64 {
    let s = s.split(',').next().unwrap_or(s);
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")),
    }
}

fn val(r: &Value, id: &str, name: &str) -> Value {
    answer(r, id)["values"][name].clone()
}

// ---- UDP ----

/// Checks `lab answer udp` on `file` against tshark; returns the report.
fn check_udp(file: &Path) -> Value {
    let rows = fields(
        file,
        "udp && !icmp",
        &[
            "frame.number",
            "_ws.col.Protocol",
            "udp.srcport",
            "udp.dstport",
            "udp.length",
            "udp.checksum",
            "ip.proto",
            "ip.len",
            "ip.hdr_len",
            "ip.src",
            "ip.dst",
            "ipv6.src",
            "ipv6.dst",
        ],
    );
    let r = answer_json("udp", &[file], &[]);
    evidence_is_real(&r);
    let Some(first) = rows.first() else {
        assert!(
            answer(&r, "1")["answer"]
                .as_str()
                .unwrap()
                .contains("No UDP")
        );
        return r;
    };
    let n = num(&first["frame.number"]);
    assert_eq!(val(&r, "1", "frame"), n, "{r:#}");
    assert_eq!(val(&r, "1", "protocol"), first["_ws.col.Protocol"].as_str());
    assert_eq!(val(&r, "1", "src_port"), num(&first["udp.srcport"]));
    assert_eq!(val(&r, "1", "dst_port"), num(&first["udp.dstport"]));
    let len = num(&first["udp.length"]);
    assert_eq!(val(&r, "1", "length"), len);
    assert_eq!(val(&r, "1", "checksum"), first["udp.checksum"].as_str());
    // The header's bytes, where tshark's hex dump has them: ports then length.
    let bytes = frame_bytes(file, n);
    let sp = num(&first["udp.srcport"]) as u16;
    let dp = num(&first["udp.dstport"]) as u16;
    let mut head = sp.to_be_bytes().to_vec();
    head.extend(dp.to_be_bytes());
    head.extend((len as u16).to_be_bytes());
    let at = find(&bytes, &head).expect("the UDP header in the frame's bytes");
    assert_eq!(val(&r, "2", "header_offset"), at as u64);
    assert_eq!(val(&r, "2", "header_hex"), hex(&bytes[at..at + 8]));
    assert_eq!(val(&r, "3", "payload_bytes"), len - 8);
    if !first["ip.len"].is_empty() {
        let ip_payload = num(&first["ip.len"]) - num(&first["ip.hdr_len"]);
        assert_eq!(val(&r, "3", "ip_payload_bytes"), ip_payload);
        assert_eq!(val(&r, "6", "protocol"), num(&first["ip.proto"]));
        assert_eq!(
            val(&r, "6", "protocol_hex"),
            format!("0x{:02x}", num(&first["ip.proto"]))
        );
    }
    assert_eq!(val(&r, "4", "max_payload"), 65527);
    assert_eq!(val(&r, "5", "max_port"), 65535);
    let largest = rows
        .iter()
        .flat_map(|x| [num(&x["udp.srcport"]), num(&x["udp.dstport"])])
        .max()
        .unwrap();
    assert_eq!(val(&r, "5", "largest_seen"), largest);
    // 7: the first datagram some later datagram answers (sockets swapped), and that answer.
    let sock = |x: &BTreeMap<String, String>, side: &str| {
        let ip = if x["ip.src"].is_empty() {
            format!("ipv6.{side}")
        } else {
            format!("ip.{side}")
        };
        let port = if side == "src" {
            "udp.srcport"
        } else {
            "udp.dstport"
        };
        format!("{}:{}", x[&ip], x[port])
    };
    let pair = rows.iter().enumerate().find_map(|(i, q)| {
        rows[i + 1..]
            .iter()
            .find(|a| sock(a, "src") == sock(q, "dst") && sock(a, "dst") == sock(q, "src"))
            .map(|a| (q, a))
    });
    match pair {
        Some((q, a)) => {
            assert_eq!(val(&r, "7", "request_frame"), num(&q["frame.number"]));
            assert_eq!(val(&r, "7", "reply_frame"), num(&a["frame.number"]));
            assert_eq!(
                val(&r, "7", "reply_ports"),
                serde_json::json!([num(&q["udp.dstport"]), num(&q["udp.srcport"])])
            );
        }
        None => assert!(
            answer(&r, "7")["answer"]
                .as_str()
                .unwrap()
                .contains("No reply")
        ),
    }
    r
}

// ---- Ethernet and ARP ----

/// Checks `lab answer ethernet-arp` on `file` against tshark; returns the report.
fn check_ethernet_arp(file: &Path) -> Value {
    let r = answer_json("ethernet-arp", &[file], &[]);
    evidence_is_real(&r);
    let eth = [
        "frame.number",
        "eth.src",
        "eth.dst",
        "eth.type",
        "eth.dst.oui_resolved",
        "eth.src.oui_resolved",
    ];
    let gets = fields(file, "http.request.method == \"GET\"", &eth);
    let mut client_mac = None;
    if let Some(g) = gets.first() {
        let n = num(&g["frame.number"]);
        client_mac = Some(g["eth.src"].clone());
        assert_eq!(val(&r, "1", "frame"), n, "{r:#}");
        assert_eq!(val(&r, "1", "mac"), g["eth.src"].as_str());
        assert_eq!(val(&r, "2", "mac"), g["eth.dst"].as_str());
        assert_eq!(val(&r, "3", "ethertype"), g["eth.type"].as_str());
        let g_at = find(&frame_bytes(file, n), b"GET ").expect("GET in the frame's bytes");
        assert_eq!(val(&r, "4", "offset"), g_at as u64);
        let two = answer(&r, "2")["answer"].as_str().unwrap().to_string();
        match g["eth.dst.oui_resolved"].as_str() {
            "" => assert!(two.contains("unknown vendor"), "{two}"),
            v => assert!(two.contains(v), "{two} lacks {v}"),
        }
        // The response: tshark's reassembled segments (or the one frame).
        let resp = fields(file, "http.response", &["frame.number", "tcp.segment"]);
        if let Some(x) = resp.first() {
            let frames: Vec<u64> = if x["tcp.segment"].is_empty() {
                vec![num(&x["frame.number"])]
            } else {
                x["tcp.segment"].split(',').map(num).collect()
            };
            let f0 = frames[0];
            assert_eq!(val(&r, "5", "frame"), f0);
            assert_eq!(val(&r, "9", "frames"), serde_json::json!(frames));
            assert_eq!(val(&r, "9", "count"), frames.len());
            let e0 = &fields(file, &format!("frame.number == {f0}"), &eth)[0];
            assert_eq!(val(&r, "5", "mac"), e0["eth.src"].as_str());
            assert_eq!(val(&r, "6", "mac"), e0["eth.dst"].as_str());
            assert_eq!(
                val(&r, "6", "is_your_computer"),
                e0["eth.dst"] == g["eth.src"]
            );
            assert_eq!(val(&r, "7", "ethertype"), e0["eth.type"].as_str());
            let b = frame_bytes(file, f0);
            let ok = find(&b, b" OK\r\n").map(|k| k as u64 + 1);
            assert_eq!(val(&r, "8", "offset"), serde_json::json!(ok));
        }
    } else {
        assert!(
            answer(&r, "1")["answer"]
                .as_str()
                .unwrap()
                .contains("No HTTP GET")
        );
    }
    // ARP: the request from the GET's sender (else the first), and its reply.
    let arp = fields(
        file,
        "arp",
        &[
            "frame.number",
            "eth.src",
            "eth.dst",
            "eth.type",
            "arp.opcode",
            "arp.src.hw_mac",
            "arp.src.proto_ipv4",
            "arp.dst.hw_mac",
            "arp.dst.proto_ipv4",
        ],
    );
    let req = arp
        .iter()
        .find(|a| a["arp.opcode"] == "1" && Some(&a["arp.src.hw_mac"]) == client_mac.as_ref())
        .or_else(|| arp.iter().find(|a| a["arp.opcode"] == "1"));
    let Some(q) = req else {
        return r;
    };
    let qn = num(&q["frame.number"]);
    assert_eq!(val(&r, "11", "frame"), qn, "{r:#}");
    assert_eq!(val(&r, "11", "src"), q["eth.src"].as_str());
    assert_eq!(val(&r, "11", "dst"), q["eth.dst"].as_str());
    assert_eq!(val(&r, "12", "ethertype"), q["eth.type"].as_str());
    // The opcode follows hardware type 1, protocol type 0x0800 and sizes 6 and 4.
    let op_at = |n: u64| {
        find(&frame_bytes(file, n), &[0, 1, 8, 0, 6, 4]).expect("an ARP header") as u64 + 6
    };
    assert_eq!(val(&r, "13(a)", "offset"), op_at(qn));
    assert_eq!(val(&r, "13(b)", "opcode"), 1);
    assert_eq!(
        val(&r, "13(c)", "sender_ip"),
        q["arp.src.proto_ipv4"].as_str()
    );
    assert_eq!(
        val(&r, "13(d)", "target_ip"),
        q["arp.dst.proto_ipv4"].as_str()
    );
    assert_eq!(val(&r, "13(d)", "target_mac"), q["arp.dst.hw_mac"].as_str());
    let rep = arp.iter().find(|a| {
        a["arp.opcode"] == "2"
            && num(&a["frame.number"]) > qn
            && a["arp.src.proto_ipv4"] == q["arp.dst.proto_ipv4"]
            && a["arp.dst.proto_ipv4"] == q["arp.src.proto_ipv4"]
    });
    if let Some(a) = rep {
        let an = num(&a["frame.number"]);
        assert_eq!(val(&r, "14(a)", "frame"), an);
        assert_eq!(val(&r, "14(a)", "offset"), op_at(an));
        assert_eq!(val(&r, "14(b)", "opcode"), 2);
        assert_eq!(val(&r, "14(c)", "sender_mac"), a["arp.src.hw_mac"].as_str());
        assert_eq!(val(&r, "15", "src"), a["eth.src"].as_str());
        assert_eq!(val(&r, "15", "dst"), a["eth.dst"].as_str());
    }
    // 10: what the replies to the asker taught its cache.
    let learned: Vec<Value> = arp
        .iter()
        .filter(|a| a["arp.opcode"] == "2" && a["arp.dst.proto_ipv4"] == q["arp.src.proto_ipv4"])
        .map(|a| serde_json::json!([a["arp.src.proto_ipv4"], a["arp.src.hw_mac"]]))
        .collect();
    assert_eq!(val(&r, "10", "learned"), Value::Array(learned));
    r
}

#[test]
fn bundled_captures_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let r = check_udp(&repo("captures/course/udp.pcapng"));
    assert_eq!(val(&r, "1", "protocol"), "DNS");
    assert_eq!(val(&r, "6", "protocol"), 17);
    let r = check_ethernet_arp(&repo("captures/course/ethernet-arp.pcapng"));
    assert!(val(&r, "9", "count").as_u64().unwrap() > 1, "{r:#}");
    assert_eq!(val(&r, "13(a)", "offset"), 20);
    assert!(
        answer(&r, "2")["answer"]
            .as_str()
            .unwrap()
            .contains("server's own interface")
    );
    // The other labs' captures: answered without inventing anything.
    check_udp(&repo("captures/udp.pcapng"));
    check_ethernet_arp(&repo("captures/arp.pcapng"));
    check_ethernet_arp(&repo("captures/app/http.pcap"));
    check_udp(&repo("captures/app/dns.pcap"));
    // 802.1Q: the tag moves every offset by 4 bytes.
    let r = check_ethernet_arp(&repo("captures/vlan.pcapng"));
    assert_eq!(val(&r, "13(a)", "offset"), 24, "{r:#}");
    check_udp(&repo("captures/vlan.pcapng"));
}

#[test]
fn public_captures_match_tshark() {
    if !require(Need::Tool("tshark")) || !require(Need::PublicCaptures) {
        return;
    }
    let dir = support::public_captures();
    check_ethernet_arp(&dir.join("simple_http.pcap"));
    check_udp(&dir.join("quic_xargs.pcap"));
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lab_course-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn ok(p: &mut Proc) {
    assert_eq!(
        p.wait_exit_within(Duration::from_secs(20)).code(),
        Some(0),
        "{}",
        p.transcript()
    );
}

#[test]
fn tcpdump_captures_in_a_lab_match_tshark() {
    if !require(Need::Root)
        || !require(Need::Tool("tcpdump"))
        || !require(Need::Tool("tshark"))
        || !require(Need::Tool("dnsmasq"))
        || !require(Need::Tool("dig"))
        || !require(Need::Tool("curl"))
    {
        return;
    }
    let lab = Lab::up(&[]);
    // UDP: dig on C against dnsmasq on A, captured on C.
    let dns = Proc::spawn(
        "dnsmasq",
        lab.exec(
            "A",
            &[
                "dnsmasq",
                "--no-daemon",
                "--no-resolv",
                "--no-hosts",
                "--conf-file=/dev/null",
                "--listen-address=10.0.3.1",
                "--bind-interfaces",
                "--address=/lab.test/10.0.3.1",
            ],
        ),
    );
    dns.wait_for("started");
    let f = tmp("udp.pcap");
    let cap = Tcpdump::start_in(&lab.ns("C"), "eth0", &f, &[]);
    for name in ["a.lab.test", "b.lab.test"] {
        let mut d = Proc::spawn(
            "dig",
            lab.exec("C", &["dig", "@10.0.3.1", name, "+tries=1", "+time=2"]),
        );
        ok(&mut d);
    }
    std::thread::sleep(Duration::from_millis(300));
    let f = cap.stop();
    drop(dns);
    let r = check_udp(&f);
    assert_eq!(val(&r, "7", "request_ports")[1], 53, "{r:#}");
    // Ethernet and ARP: C empties its cache, fetches a page from B.
    let www = tmp("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("page.html"), "wirelab\n".repeat(700)).unwrap();
    let web = Proc::spawn(
        "http.server",
        lab.exec(
            "B",
            &[
                "python3",
                "-u",
                "-m",
                "http.server",
                "80",
                "--bind",
                "10.0.3.2",
                "--directory",
                www.to_str().unwrap(),
            ],
        ),
    );
    web.wait_for("Serving HTTP");
    run(&mut lab.exec("C", &["ip", "neigh", "flush", "all"]));
    let f = tmp("ethernet-arp.pcap");
    let cap = Tcpdump::start_in(&lab.ns("C"), "eth0", &f, &[]);
    let mut c = Proc::spawn(
        "curl",
        lab.exec(
            "C",
            &["curl", "-s", "-o", "/dev/null", "http://10.0.3.2/page.html"],
        ),
    );
    ok(&mut c);
    std::thread::sleep(Duration::from_millis(300));
    let f = cap.stop();
    drop(web);
    let r = check_ethernet_arp(&f);
    assert_eq!(val(&r, "13(d)", "target_ip"), "10.0.3.2", "{r:#}");
    assert!(val(&r, "9", "count").as_u64().unwrap() > 1, "{r:#}");
}

#[test]
fn walkthroughs_answer_their_own_captures() {
    let walk = |script| walk_needing(script, &["tshark"], Duration::from_secs(120));
    if let Some((dir, out)) = walk("udp.sh") {
        let r = check_udp(&dir.join("a.pcapng"));
        assert_eq!(val(&r, "1", "protocol"), "DNS");
        assert!(out.contains("7 Examine the pair"), "{out}");
    }
    if let Some((dir, out)) = walk("ethernet-arp.sh") {
        check_ethernet_arp(&dir.join("a.pcapng"));
        // `ip neigh` after the fetch shows what ARP taught A.
        assert!(out.contains("10.0.3.2 lladdr 02:00:00:00:03:02"), "{out}");
    }
}

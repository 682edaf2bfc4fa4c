//! The DNS family against tshark, end to end: `wirelab read --json` and `tshark -T fields` on
//! the same captures must agree on every frame's Protocol and Info columns and on the values
//! of Wireshark's DNS/NBNS fields.
//!
//! Captures: `captures/app/dns-crafted.pcap` (hand-built messages: every record type shown in
//! the Info, odd bytes and loops in names, cut messages, retransmissions, mDNS QU/QM and
//! cache flush, LLMNR, NBNS) and `captures/app/dns-tcp-split.pcap` (DNS over TCP: two
//! messages in one segment, one message over three), plus the real-server captures
//! `captures/app/dns.pcap` and `names.pcap` when they are there.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{Need, require};

/// The fields compared, as `tshark -T fields -e` names them.
const FIELDS: &[&str] = &[
    "dns.id",
    "dns.flags",
    "dns.flags.response",
    "dns.flags.opcode",
    "dns.flags.authoritative",
    "dns.flags.truncated",
    "dns.flags.recdesired",
    "dns.flags.recavail",
    "dns.flags.rcode",
    "dns.count.queries",
    "dns.count.answers",
    "dns.count.auth_rr",
    "dns.count.add_rr",
    "dns.qry.name",
    "dns.qry.type",
    "dns.qry.class",
    "dns.resp.name",
    "dns.resp.type",
    "dns.resp.ttl",
    "dns.a",
    "dns.aaaa",
    "dns.cname",
    "dns.ns",
    "dns.mx.mail_exchange",
    "dns.ptr.domain_name",
    "dns.txt",
    "dns.srv.target",
    "dns.srv.port",
    "dns.soa.mname",
    "dns.response_in",
    "dns.response_to",
    "dns.time",
    "dns.retransmit_request_in",
    "dns.unsolicited",
    "nbns.name",
    "nbns.count.queries",
    "nbns.addr",
];

const SEP: char = '\u{1e}';
const AGG: char = '\u{1f}';

/// One frame as either tool shows it: columns and field values.
#[derive(Debug, PartialEq)]
struct Row {
    protocol: String,
    info: String,
    fields: BTreeMap<&'static str, Vec<String>>,
}

fn tshark(file: &Path) -> Vec<Row> {
    let (sep, agg) = (format!("-Eseparator={SEP}"), format!("-Eaggregator={AGG}"));
    let mut args = vec!["-T", "fields", "-E", "occurrence=a", &sep, &agg];
    for f in ["_ws.col.Protocol", "_ws.col.Info"].iter().chain(FIELDS) {
        args.extend(["-e", f]);
    }
    support::tshark::text(file, &args)
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split(SEP).collect();
            let cell = |i: usize| cells.get(i).copied().unwrap_or("");
            let fields = FIELDS
                .iter()
                .enumerate()
                .filter(|(i, _)| !cell(i + 2).is_empty())
                .map(|(i, f)| (*f, cell(i + 2).split(AGG).map(str::to_string).collect()))
                .collect();
            Row {
                protocol: cell(0).to_string(),
                info: cell(1).to_string(),
                fields,
            }
        })
        .collect()
}

fn wirelab(file: &Path) -> Vec<Row> {
    let out = support::run(
        support::wirelab()
            .args(["read", "--json", "--color", "never"])
            .arg(file),
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            let mut fields = BTreeMap::new();
            for layer in ["dns", "mdns", "llmnr", "nbns"] {
                let Some(obj) = v.get(layer).and_then(Value::as_object) else {
                    continue;
                };
                for f in FIELDS {
                    let vals: Vec<String> = match obj.get(*f) {
                        Some(Value::String(s)) => vec![s.clone()],
                        Some(Value::Array(a)) => a
                            .iter()
                            .map(|x| x.as_str().unwrap_or_default().to_string())
                            .collect(),
                        _ => continue,
                    };
                    fields.entry(*f).or_insert_with(Vec::new).extend(vals);
                }
            }
            Row {
                protocol: v["protocol"].as_str().unwrap_or_default().to_string(),
                info: v["info"].as_str().unwrap_or_default().to_string(),
                fields,
            }
        })
        .collect()
}

/// Compares the two tools on `file`; returns (frames, frames that differ) and prints each
/// difference.
fn compare(file: &Path) -> (usize, Vec<String>) {
    let (t, w) = (tshark(file), wirelab(file));
    assert_eq!(t.len(), w.len(), "{}: frame counts differ", file.display());
    let mut diffs = Vec::new();
    for (i, (a, b)) in t.iter().zip(&w).enumerate() {
        if (&a.protocol, &a.info) != (&b.protocol, &b.info) {
            diffs.push(format!(
                "frame {}: columns\n  tshark  {} {}\n  wirelab {} {}",
                i + 1,
                a.protocol,
                a.info,
                b.protocol,
                b.info
            ));
        }
        for f in FIELDS {
            let (x, y) = (a.fields.get(f), b.fields.get(f));
            if x != y {
                diffs.push(format!("frame {}: {f}: tshark {x:?}, wirelab {y:?}", i + 1));
            }
        }
    }
    (t.len(), diffs)
}

fn check(rel: &str) {
    let file = support::repo(rel);
    if !file.is_file() {
        eprintln!("{rel} is not here (yet): skipped");
        return;
    }
    let (frames, diffs) = compare(&file);
    assert!(frames > 0, "{rel}: no frames");
    assert!(
        diffs.is_empty(),
        "{rel}: {} difference(s) from tshark over {frames} frames:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn crafted_messages_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    check("captures/app/dns-crafted.pcap");
}

#[test]
fn dns_over_tcp_matches_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    check("captures/app/dns-tcp-split.pcap");
}

#[test]
fn real_server_captures_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    check("captures/app/dns.pcap");
    check("captures/app/names.pcap");
}

#[test]
fn display_filter_selects_by_dns_fields() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let file = support::repo("captures/app/dns-crafted.pcap");
    for expr in [
        "dns.qry.name == \"ex.com\"",
        "dns.flags.response == 1 && dns.count.answers > 0",
        "dns.a == 1.2.3.4",
        "dns.qry.type == 28",
        "dns.flags.rcode == 3",
        "nbns.name == \"WPAD<00>\"",
    ] {
        let t = support::run(
            Command::new("tshark")
                .env("WIRESHARK_CONFIG_DIR", "/nonexistent")
                .env("HOME", "/nonexistent")
                .args(["-n", "-r"])
                .arg(&file)
                .args(["-Y", expr, "-T", "fields", "-e", "frame.number"]),
        );
        let w = support::run(
            support::wirelab()
                .args(["read", "--json", "--color", "never", "-Y", expr])
                .arg(&file),
        );
        let tn: Vec<u64> = String::from_utf8_lossy(&t.stdout)
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        let wn: Vec<u64> = String::from_utf8_lossy(&w.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| v["no"].as_u64())
            .collect();
        assert_eq!(tn, wn, "-Y {expr}");
    }
}

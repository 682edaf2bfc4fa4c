//! Checks `wirelab read --json` against tshark, field by field, on every capture that has a
//! golden in `tests/golden/tshark/` (written by `scripts/tshark-golden.sh`), and checks that
//! the goldens are still what the installed tshark prints.
//!
//! Golden format: line 1 is a `#` comment (tshark version, `source: <dir>/<file>`, the
//! command), line 2 is tshark's header (the field names), then one tab-separated line per
//! frame (`-T fields -E occurrence=f`). Empty cells are fields tshark did not set.
//!
//! What is compared, per frame: number, time (to the microsecond), lengths, Source and
//! Destination columns, Ethernet, IPv4/IPv6, TCP and UDP fields, and the set of
//! `tcp.analysis.*` flags. Protocol and Info are compared only where tshark's Protocol column
//! is one wirelab names (ARP, IPv4, IPv6, ICMP, ICMPv6, TCP, UDP, Ethernet) and no
//! application dissector ran above TCP/UDP (`frame.protocols`). Fields empty in the golden
//! are not compared. A TCP/UDP header quoted inside an ICMP error is compared only if
//! wirelab shows it (tshark shows the quoted ports in `tcp.*`/`udp.*`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

use serde_json::Value;
use support::{Need, in_ci, require};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Protocol column values for which wirelab is meant to produce the same Protocol and Info.
const NAMED_PROTOCOLS: &[&str] = &[
    "ARP", "IPv4", "IPv6", "ICMP", "ICMPv6", "TCP", "UDP", "Ethernet",
];

/// Printed frames per capture before the rest are only counted.
const MAX_FRAMES_SHOWN: usize = 300;

/// One golden file, parsed.
#[derive(Debug)]
struct Golden {
    /// The `#` line without the `#`.
    comment: String,
    /// tshark's header: the field names.
    header: Vec<String>,
    /// The frames, one cell per header field.
    rows: Vec<Vec<String>>,
}

impl Golden {
    /// Parses a golden file's text.
    fn parse(text: &str) -> Result<Golden, String> {
        let mut lines = text.lines();
        let comment = lines
            .next()
            .and_then(|l| l.strip_prefix('#'))
            .ok_or("line 1 is not a # comment")?
            .trim()
            .to_string();
        let header: Vec<String> = lines
            .next()
            .ok_or("no header line")?
            .split('\t')
            .map(str::to_string)
            .collect();
        if header.first().map(String::as_str) != Some("frame.number") {
            return Err(format!(
                "header does not start with frame.number: {header:?}"
            ));
        }
        let mut rows = Vec::new();
        for (i, line) in lines.enumerate() {
            if line.is_empty() {
                continue;
            }
            let cells: Vec<String> = line.split('\t').map(str::to_string).collect();
            if cells.len() != header.len() {
                return Err(format!(
                    "line {}: {} cells, header has {}",
                    i + 3,
                    cells.len(),
                    header.len()
                ));
            }
            rows.push(cells);
        }
        Ok(Golden {
            comment,
            header,
            rows,
        })
    }

    /// The `source: DIR/FILE` part of the comment.
    fn source(&self) -> Option<&str> {
        let rest = self.comment.split("source: ").nth(1)?;
        Some(rest.split(" |").next().unwrap_or(rest).trim())
    }

    /// The tshark version named in the comment.
    fn version(&self) -> &str {
        self.comment.split(" |").next().unwrap_or("").trim()
    }

    /// Cell `name` of frame `row` ("" when the field is not in the header).
    fn get<'a>(&'a self, row: &'a [String], name: &str) -> &'a str {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .map_or("", String::as_str)
    }

    /// The `tcp.analysis.*` flags set on frame `row`, without the prefix.
    fn analysis(&self, row: &[String]) -> BTreeSet<String> {
        self.header
            .iter()
            .zip(row)
            .filter_map(|(h, v)| {
                let name = h.strip_prefix("tcp.analysis.")?;
                (!v.is_empty()).then(|| name.to_string())
            })
            .collect()
    }
}

/// True if an application dissector ran above the last TCP/UDP layer in `protocols`
/// (e.g. `eth:ethertype:ip:tcp:http`); `data` (undissected payload) does not count.
fn has_app_layer(protocols: &str) -> bool {
    let layers: Vec<&str> = protocols.split(':').collect();
    match layers.iter().rposition(|l| *l == "tcp" || *l == "udp") {
        Some(i) => layers.iter().skip(i + 1).any(|l| *l != "data"),
        None => false,
    }
}

/// `info` without a trailing malformed-frame marker (tshark's or wirelab's).
fn strip_malformed(info: &str) -> &str {
    let cut = ["[Malformed", "[Packet size limited during capture"]
        .iter()
        .filter_map(|m| info.find(m))
        .min()
        .unwrap_or(info.len());
    info[..cut].trim_end()
}

/// True if `transport` (tcp/udp) in `protocols` is the header quoted inside an ICMP error.
fn is_quoted(protocols: &str, transport: &str) -> bool {
    let layers: Vec<&str> = protocols.split(':').collect();
    let icmp = layers.iter().position(|l| *l == "icmp" || *l == "icmpv6");
    let t = layers.iter().position(|l| *l == transport);
    matches!((icmp, t), (Some(i), Some(t)) if t > i)
}

/// How a golden cell is compared with a JSON value.
#[derive(Clone, Copy)]
enum Kind {
    /// Same string.
    Str,
    /// Decimal cell (non-negative integer), JSON number.
    Dec,
    /// `0x…` cell, JSON number.
    Hex,
    /// `0x…` cell, JSON `0x…` string; compared as numbers (tshark 4.0 prints `0x0018`).
    HexStr,
}

fn parse_hex(s: &str) -> Option<u64> {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).ok()
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(missing)".to_string(), Value::to_string)
}

/// Compares one field; appends a line to `diffs` when they differ. An empty cell is skipped.
fn check(diffs: &mut Vec<String>, label: &str, cell: &str, json: Option<&Value>, kind: Kind) {
    if cell.is_empty() {
        return;
    }
    let same = match (kind, json) {
        (_, None) => false,
        (Kind::Str, Some(v)) => v.as_str() == Some(cell),
        (Kind::Dec, Some(v)) => v.as_u64().is_some() && v.as_u64() == cell.parse::<u64>().ok(),
        (Kind::Hex, Some(v)) => v.as_u64().is_some() && v.as_u64() == parse_hex(cell),
        (Kind::HexStr, Some(v)) => v
            .as_str()
            .and_then(parse_hex)
            .is_some_and(|x| Some(x) == parse_hex(cell)),
    };
    if !same {
        diffs.push(format!("{label}: tshark {cell:?} | wirelab {}", show(json)));
    }
}

/// Compares one frame of wirelab's JSON with the golden row; returns the differences.
fn compare_frame(g: &Golden, row: &[String], json: &Value) -> Vec<String> {
    let mut d = Vec::new();
    let f = |name: &str| g.get(row, name);
    check(&mut d, "no", f("frame.number"), json.get("no"), Kind::Dec);
    match (
        f("frame.time_relative").parse::<f64>(),
        json.get("time").and_then(Value::as_f64),
    ) {
        (Ok(want), Some(got)) if (want - got).abs() <= 1.0e-6 + 1.0e-9 => {}
        (Ok(_), got) => d.push(format!(
            "time: tshark {} | wirelab {}",
            f("frame.time_relative"),
            show(got.map(Value::from).as_ref())
        )),
        (Err(_), _) => d.push(format!(
            "time: bad golden cell {:?}",
            f("frame.time_relative")
        )),
    }
    check(&mut d, "len", f("frame.len"), json.get("len"), Kind::Dec);
    check(
        &mut d,
        "caplen",
        f("frame.cap_len"),
        json.get("caplen"),
        Kind::Dec,
    );
    check(
        &mut d,
        "src",
        f("_ws.col.Source"),
        json.get("src"),
        Kind::Str,
    );
    check(
        &mut d,
        "dst",
        f("_ws.col.Destination"),
        json.get("dst"),
        Kind::Str,
    );

    let protocols = f("frame.protocols");
    // An application dissector that is still waiting for more bytes leaves no trace in
    // frame.protocols but rewrites Info ("HTTP/1.0 200 OK  [TCP segment of a reassembled PDU]").
    let reassembling = f("_ws.col.Info").contains("[TCP segment of a reassembled PDU]");
    if NAMED_PROTOCOLS.contains(&f("_ws.col.Protocol"))
        && !has_app_layer(protocols)
        && !reassembling
    {
        check(
            &mut d,
            "protocol",
            f("_ws.col.Protocol"),
            json.get("protocol"),
            Kind::Str,
        );
        // Broken frames: tshark appends "[Malformed Packet]" or "[Packet size limited during
        // capture]"; wirelab appends " [Malformed: <reason>]". Compare what comes before.
        let tshark_info = strip_malformed(f("_ws.col.Info"));
        let ours = json
            .get("info")
            .and_then(|v| v.as_str())
            .map(|s| serde_json::Value::from(strip_malformed(s)));
        check(&mut d, "info", tshark_info, ours.as_ref(), Kind::Str);
    }

    // Ethernet.
    let eth = json.get("eth");
    if f("eth.src").is_empty() {
        if let Some(e) = eth {
            d.push(format!("eth: tshark has none | wirelab {e}"));
        }
    } else if eth.is_none() {
        d.push("eth: missing in wirelab".to_string());
    } else {
        let e = |k: &str| eth.and_then(|e| e.get(k));
        check(&mut d, "eth.src", f("eth.src"), e("src"), Kind::Str);
        check(&mut d, "eth.dst", f("eth.dst"), e("dst"), Kind::Str);
        check(
            &mut d,
            "eth.ethertype",
            f("eth.type"),
            e("ethertype"),
            Kind::Hex,
        );
    }

    // IPv4 / IPv6 (the outer header: first occurrence).
    let ip = json.get("ip");
    let i = |k: &str| ip.and_then(|v| v.get(k));
    if !f("ip.version").is_empty() {
        if ip.is_none() {
            d.push("ip: missing in wirelab".to_string());
        } else {
            check(
                &mut d,
                "ip.version",
                f("ip.version"),
                i("version"),
                Kind::Dec,
            );
            check(&mut d, "ip.src", f("ip.src"), i("src"), Kind::Str);
            check(&mut d, "ip.dst", f("ip.dst"), i("dst"), Kind::Str);
            check(&mut d, "ip.proto", f("ip.proto"), i("proto"), Kind::Dec);
            check(&mut d, "ip.ttl", f("ip.ttl"), i("ttl"), Kind::Dec);
        }
    } else if !f("ipv6.src").is_empty() {
        if ip.is_none() {
            d.push("ip (v6): missing in wirelab".to_string());
        } else {
            check(&mut d, "ip.version", "6", i("version"), Kind::Dec);
            check(&mut d, "ip.src", f("ipv6.src"), i("src"), Kind::Str);
            check(&mut d, "ip.dst", f("ipv6.dst"), i("dst"), Kind::Str);
            check(
                &mut d,
                "ip.proto (ipv6.nxt)",
                f("ipv6.nxt"),
                i("proto"),
                Kind::Dec,
            );
            check(
                &mut d,
                "ip.ttl (ipv6.hlim)",
                f("ipv6.hlim"),
                i("ttl"),
                Kind::Dec,
            );
        }
    } else if let Some(v) = ip {
        d.push(format!("ip: tshark has none | wirelab {v}"));
    }

    // TCP.
    let tcp = json.get("tcp");
    let t = |k: &str| tcp.and_then(|v| v.get(k));
    if f("tcp.srcport").is_empty() {
        if let Some(v) = tcp {
            d.push(format!("tcp: tshark has none | wirelab {v}"));
        }
    } else if tcp.is_none() {
        if !is_quoted(protocols, "tcp") {
            d.push("tcp: missing in wirelab".to_string());
        }
    } else {
        check(
            &mut d,
            "tcp.stream",
            f("tcp.stream"),
            t("stream"),
            Kind::Dec,
        );
        check(
            &mut d,
            "tcp.src_port",
            f("tcp.srcport"),
            t("src_port"),
            Kind::Dec,
        );
        check(
            &mut d,
            "tcp.dst_port",
            f("tcp.dstport"),
            t("dst_port"),
            Kind::Dec,
        );
        check(
            &mut d,
            "tcp.flags",
            f("tcp.flags"),
            t("flags"),
            Kind::HexStr,
        );
        check(&mut d, "tcp.seq", f("tcp.seq"), t("seq"), Kind::Dec);
        check(&mut d, "tcp.ack", f("tcp.ack"), t("ack"), Kind::Dec);
        check(
            &mut d,
            "tcp.seq_raw",
            f("tcp.seq_raw"),
            t("seq_raw"),
            Kind::Dec,
        );
        check(
            &mut d,
            "tcp.ack_raw",
            f("tcp.ack_raw"),
            t("ack_raw"),
            Kind::Dec,
        );
        check(&mut d, "tcp.len", f("tcp.len"), t("len"), Kind::Dec);
        check(&mut d, "tcp.win", f("tcp.window_size"), t("win"), Kind::Dec);
        let want = g.analysis(row);
        let got: Option<BTreeSet<String>> = t("analysis").and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        });
        if got.as_ref() != Some(&want) {
            d.push(format!(
                "tcp.analysis: tshark {want:?} | wirelab {}",
                show(t("analysis"))
            ));
        }
    }

    // UDP.
    let udp = json.get("udp");
    let u = |k: &str| udp.and_then(|v| v.get(k));
    if f("udp.srcport").is_empty() {
        if let Some(v) = udp {
            d.push(format!("udp: tshark has none | wirelab {v}"));
        }
    } else if udp.is_none() {
        if !is_quoted(protocols, "udp") {
            d.push("udp: missing in wirelab".to_string());
        }
    } else {
        check(
            &mut d,
            "udp.src_port",
            f("udp.srcport"),
            u("src_port"),
            Kind::Dec,
        );
        check(
            &mut d,
            "udp.dst_port",
            f("udp.dstport"),
            u("dst_port"),
            Kind::Dec,
        );
        check(&mut d, "udp.len", f("udp.length"), u("len"), Kind::Dec);
    }
    d
}

/// Compares a whole capture; returns a readable report, or None when everything matches.
fn compare_capture(name: &str, g: &Golden, json_lines: &str) -> Option<String> {
    let mut frames: Vec<Value> = Vec::new();
    let mut report = Vec::new();
    for (i, line) in json_lines.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(v) => frames.push(v),
            Err(e) => report.push(format!("  JSON line {}: {e}: {line}", i + 1)),
        }
    }
    if frames.len() != g.rows.len() {
        report.push(format!(
            "  frame count: tshark {} | wirelab {}",
            g.rows.len(),
            frames.len()
        ));
    }
    let mut bad = 0usize;
    for (row, json) in g.rows.iter().zip(&frames) {
        let diffs = compare_frame(g, row, json);
        if diffs.is_empty() {
            continue;
        }
        bad += 1;
        if bad <= MAX_FRAMES_SHOWN {
            report.push(format!(
                "  #{} {}",
                g.get(row, "frame.number"),
                g.get(row, "_ws.col.Info")
            ));
            report.extend(diffs.iter().map(|x| format!("      {x}")));
        }
    }
    if bad > MAX_FRAMES_SHOWN {
        report.push(format!(
            "  … and {} more frames differ",
            bad - MAX_FRAMES_SHOWN
        ));
    }
    if report.is_empty() {
        return None;
    }
    Some(format!(
        "== {name}: {bad} of {} frames differ\n{}",
        g.rows.len(),
        report.join("\n")
    ))
}

/// Every golden: (file name, parsed golden).
fn goldens() -> Vec<(String, Golden)> {
    let dir = Path::new(MANIFEST_DIR).join("tests/golden/tshark");
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let g = Golden::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((name, g));
    }
    assert!(!out.is_empty(), "no goldens in {}", dir.display());
    out
}

/// Where the capture named by a golden's `source:` is, if it can be found.
fn capture_path(source: &str) -> Option<PathBuf> {
    let root = Path::new(MANIFEST_DIR);
    if let Some(name) = source.strip_prefix("captures-public/") {
        return Some(support::public_capture(name)).filter(|p| p.is_file());
    }
    Some(root.join(source)).filter(|p| p.is_file())
}

/// A missing capture fails the test if it is one of ours (in the repository) or if we run
/// in CI; a public capture outside the repository may be absent on a developer's machine.
fn must_exist(source: &str) -> bool {
    in_ci() || !source.starts_with("captures-public/")
}

#[test]
fn wirelab_read_json_matches_tshark() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for (name, g) in goldens() {
        let source = g.source().unwrap_or_default().to_string();
        let Some(path) = capture_path(&source) else {
            if must_exist(&source) {
                failures.push(format!("== {name}: capture {source:?} not found"));
            } else {
                eprintln!("note: {name}: capture {source} not found, skipped");
            }
            continue;
        };
        let out = support::wirelab()
            .args(["read", "--json"])
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("running wirelab: {e}"));
        if !out.status.success() {
            failures.push(format!(
                "== {name}: wirelab read --json {} failed ({}): {}",
                path.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            continue;
        }
        compared += 1;
        if let Some(r) = compare_capture(&name, &g, &String::from_utf8_lossy(&out.stdout)) {
            failures.push(r);
        }
    }
    if !failures.is_empty() {
        eprintln!("{}", failures.join("\n\n"));
        panic!(
            "{} of the captures differ from tshark (see above); {compared} were compared",
            failures.len()
        );
    }
}

#[test]
fn goldens_are_what_tshark_says() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let version = support::run(Command::new("tshark").arg("--version"));
    let version = String::from_utf8_lossy(&version.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let conf = tempfile::tempdir().expect("temp dir");
    let config = conf.path().join("config");
    let home = conf.path().join("home");
    std::fs::create_dir_all(&config).expect("mkdir");
    std::fs::create_dir_all(&home).expect("mkdir");
    let mut failures = Vec::new();
    for (name, g) in goldens() {
        let source = g.source().unwrap_or_default().to_string();
        let Some(path) = capture_path(&source) else {
            if must_exist(&source) {
                failures.push(format!("{name}: capture {source:?} not found"));
            } else {
                eprintln!("note: {name}: capture {source} not found, skipped");
            }
            continue;
        };
        let mut cmd = Command::new("tshark");
        cmd.env("WIRESHARK_CONFIG_DIR", &config)
            .env("HOME", &home)
            .arg("-r")
            .arg(&path)
            .args(["-n", "-T", "fields", "-E", "header=y", "-E", "separator=/t"])
            .args(["-E", "occurrence=f"]);
        for field in &g.header {
            cmd.args(["-e", field]);
        }
        let out = cmd.output().expect("running tshark");
        if !out.status.success() {
            failures.push(format!(
                "{name}: tshark failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            continue;
        }
        let live = String::from_utf8_lossy(&out.stdout);
        let live: Vec<&str> = live.lines().collect();
        let mut want: Vec<String> = vec![g.header.join("\t")];
        want.extend(g.rows.iter().map(|r| r.join("\t")));
        if live != want {
            let first = live
                .iter()
                .zip(&want)
                .position(|(a, b)| a != b)
                .unwrap_or(live.len().min(want.len()));
            failures.push(format!(
                "{name}: golden is stale (golden made by {:?}, installed {version:?}); first \
                 difference at line {}:\n  golden: {}\n  tshark: {}\n  rerun scripts/tshark-golden.sh",
                g.version(),
                first + 2,
                want.get(first).map_or("(end)", String::as_str),
                live.get(first).copied().unwrap_or("(end)"),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A hand-written golden and hand-written JSON, to check the parser and the comparison
/// themselves (independently of wirelab and tshark).
const SAMPLE: &str = "# TShark (Wireshark) 4.0.17 (Git v4.0.17). | source: captures/x.pcapng | tshark -r x\n\
frame.number\tframe.time_relative\tframe.len\tframe.cap_len\t_ws.col.Source\t_ws.col.Destination\t_ws.col.Protocol\t_ws.col.Info\teth.src\teth.dst\teth.type\tip.version\tip.src\tip.dst\tip.proto\tip.ttl\tipv6.src\tipv6.dst\tipv6.nxt\tipv6.hlim\ttcp.stream\ttcp.srcport\ttcp.dstport\ttcp.flags\ttcp.seq\ttcp.ack\ttcp.seq_raw\ttcp.ack_raw\ttcp.len\ttcp.window_size\tudp.srcport\tudp.dstport\tudp.length\tframe.protocols\ttcp.analysis.retransmission\ttcp.analysis.duplicate_ack\n\
1\t0.000000000\t42\t42\t02:00:00:00:03:02\tff:ff:ff:ff:ff:ff\tARP\tWho has 10.0.3.1? Tell 10.0.3.2\t02:00:00:00:03:02\tff:ff:ff:ff:ff:ff\t0x0806\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\teth:ethertype:arp\t\t\n\
2\t0.200123456\t66\t66\t10.0.3.2\t10.0.3.1\tTCP\t[TCP Retransmission] 40000 → 7777 [ACK] Seq=1 Ack=1 Win=64512 Len=0\t02:00:00:00:03:02\t02:00:00:00:03:01\t0x0800\t4\t10.0.3.2\t10.0.3.1\t6\t64\t\t\t\t\t0\t40000\t7777\t0x0010\t1\t1\t3411723426\t12\t0\t64512\t\t\t\teth:ethertype:ip:tcp\t1\t\n\
3\t0.300000000\t84\t84\t10.0.3.1\t10.0.3.2\tICMP\tDestination unreachable (Port unreachable)\t02:00:00:00:03:01\t02:00:00:00:03:02\t0x0800\t4\t10.0.3.1\t10.0.3.2\t1\t64\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t40001\t7778\t22\teth:ethertype:ip:icmp:ip:udp:data\t\t\n";

const SAMPLE_JSON: &str = r#"{"no":1,"time":0.0,"len":42,"caplen":42,"src":"02:00:00:00:03:02","dst":"ff:ff:ff:ff:ff:ff","protocol":"ARP","info":"Who has 10.0.3.1? Tell 10.0.3.2","eth":{"src":"02:00:00:00:03:02","dst":"ff:ff:ff:ff:ff:ff","ethertype":2054}}
{"no":2,"time":0.200123,"len":66,"caplen":66,"src":"10.0.3.2","dst":"10.0.3.1","protocol":"TCP","info":"[TCP Retransmission] 40000 → 7777 [ACK] Seq=1 Ack=1 Win=64512 Len=0","eth":{"src":"02:00:00:00:03:02","dst":"02:00:00:00:03:01","ethertype":2048},"ip":{"version":4,"src":"10.0.3.2","dst":"10.0.3.1","proto":6,"ttl":64},"tcp":{"stream":0,"src_port":40000,"dst_port":7777,"flags":"0x010","seq":1,"ack":1,"seq_raw":3411723426,"ack_raw":12,"len":0,"win":64512,"analysis":["retransmission"]}}
{"no":3,"time":0.3,"len":84,"caplen":84,"src":"10.0.3.1","dst":"10.0.3.2","protocol":"ICMP","info":"Destination unreachable (Port unreachable)","eth":{"src":"02:00:00:00:03:01","dst":"02:00:00:00:03:02","ethertype":2048},"ip":{"version":4,"src":"10.0.3.1","dst":"10.0.3.2","proto":1,"ttl":64}}
"#;

#[test]
fn tsv_parsing_and_comparison_self_test() {
    let g = Golden::parse(SAMPLE).expect("sample parses");
    assert_eq!(g.source(), Some("captures/x.pcapng"));
    assert_eq!(g.version(), "TShark (Wireshark) 4.0.17 (Git v4.0.17).");
    assert_eq!(g.header.len(), 36);
    assert_eq!(g.rows.len(), 3);
    let arp = &g.rows[0];
    assert_eq!(
        g.get(arp, "_ws.col.Info"),
        "Who has 10.0.3.1? Tell 10.0.3.2"
    );
    assert_eq!(g.get(arp, "tcp.seq"), "");
    assert_eq!(g.get(arp, "no.such.field"), "");
    assert!(g.analysis(arp).is_empty());
    let tcp = &g.rows[1];
    assert_eq!(g.get(tcp, "tcp.seq_raw"), "3411723426");
    assert_eq!(
        g.analysis(tcp).into_iter().collect::<Vec<_>>(),
        vec!["retransmission".to_string()]
    );
    assert!(!has_app_layer("eth:ethertype:ip:tcp"));
    assert!(!has_app_layer("eth:ethertype:ip:udp:data"));
    assert!(has_app_layer("eth:ethertype:ip:tcp:http:data-text-lines"));
    assert!(has_app_layer("sll:ethertype:ip:udp:quic"));
    assert!(is_quoted("eth:ethertype:ip:icmp:ip:udp:data", "udp"));
    assert!(!is_quoted("eth:ethertype:ip:udp:data", "udp"));

    // Matching JSON: no differences (flags "0x010" equals tshark's "0x0010"; the ICMP
    // error's quoted UDP header may be left out).
    assert_eq!(compare_capture("x", &g, SAMPLE_JSON), None);

    // Each kind of difference is reported.
    let broken = SAMPLE_JSON
        .replace("\"seq\":1,", "\"seq\":2,")
        .replace("[\"retransmission\"]", "[]")
        .replace("\"time\":0.3,", "\"time\":0.3000021,")
        .replace("\"ethertype\":2054", "\"ethertype\":2048");
    let report = compare_capture("x", &g, &broken).expect("differences found");
    for needle in [
        "tcp.seq: tshark \"1\"",
        "tcp.analysis",
        "time: tshark",
        "eth.ethertype",
        "#2",
        "#3",
    ] {
        assert!(
            report.contains(needle),
            "{needle:?} not in report:\n{report}"
        );
    }
    let short: String = SAMPLE_JSON
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    let report = compare_capture("x", &g, &short).expect("missing frame found");
    assert!(
        report.contains("frame count: tshark 3 | wirelab 2"),
        "{report}"
    );

    // A row with a cell missing is an error, not silently shifted.
    let bad = SAMPLE.replace("\t0x0806\t", "\t");
    assert!(Golden::parse(&bad).is_err());
}

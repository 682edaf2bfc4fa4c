//! Application protocols (HTTP, DNS, mDNS, LLMNR, NBNS, DHCP, DHCPv6, TLS, SMTP, FTP, POP,
//! IMAP) against one-pass tshark on real traffic: the bundled `captures/app/*.pcap`, the
//! public captures the issue names (`simple_http`, `tls_ciphers`, the QUIC ones) and, in CI
//! (root), a fresh set made by `scripts/make-app-captures.sh` with real servers and clients
//! in namespaces of its own.
//!
//! Per capture, three comparisons, each listing its first [`SHOWN`] differences:
//! - columns: every frame's Protocol and Info, wirelab's `--json` `protocol`/`info` against
//!   tshark's (`_ws.col.Protocol`/`_ws.col.Info`), exactly, except that a malformed-frame
//!   suffix (tshark's `[Malformed Packet]`, wirelab's `[Malformed: …]`) is cut off first;
//! - JSON: for each field of [`FIELDS`], the values in wirelab's per-layer objects (key: the
//!   layer as `frame.protocols` names it, `"dns"`, `"http"`, …; value: the field as `tshark -T
//!   fields` prints it, a string, or an array of strings when it occurs more than once) against
//!   `tshark -T fields -E occurrence=a`; a field is looked for under each application layer
//!   tshark found in the frame and under the layer its name starts with;
//! - filters: for each field of [`FIELDS`] present in the capture, `wirelab read -Y F` and
//!   `-Y 'F == V'` (V: the field's first value in the capture, as tshark prints it) select the
//!   same frames as `tshark -Y`.
//!
//! The same comparisons run with tshark standing in for wirelab
//! (`harness_agrees_with_tshark_itself`), so a difference reported here is wirelab's.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};
use support::{Need, require, services};

/// How a field's value is written in a display filter.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    /// A string: quoted.
    Str,
    /// A number, a boolean (`0`/`1`), an address: as tshark prints it.
    Bare,
}

/// The fields compared in JSON and in display filters.
const FIELDS: &[(&str, Ty)] = &[
    ("http.request.method", Ty::Str),
    ("http.response.code", Ty::Bare),
    ("http.host", Ty::Str),
    ("http.request.uri", Ty::Str),
    ("dns.qry.name", Ty::Str),
    ("dns.qry.type", Ty::Bare),
    ("dns.flags.response", Ty::Bare),
    ("dns.a", Ty::Bare),
    ("dns.count.answers", Ty::Bare),
    ("dhcp.option.dhcp", Ty::Bare),
    ("dhcp.hw.mac_addr", Ty::Bare),
    ("tls.handshake.type", Ty::Bare),
    ("tls.handshake.extensions_server_name", Ty::Str),
    ("tls.record.content_type", Ty::Bare),
    ("smtp.req.command", Ty::Str),
    ("ftp.request.command", Ty::Str),
];

/// Differences shown per capture and per comparison before the rest are only counted.
const SHOWN: usize = 8;

/// Longest Info shown in a report line.
const INFO_SHOWN: usize = 110;

/// tshark's separator between fields and between occurrences of one field (neither occurs
/// in a column or field value).
const SEP: char = '\u{1e}';
const AGG: char = '\u{1f}';

/// What tshark says about one frame.
#[derive(Debug, Clone, Default)]
struct TFrame {
    no: u64,
    protocol: String,
    info: String,
    /// `frame.protocols`, e.g. `eth:ethertype:ip:udp:dns`.
    protocols: String,
    /// The values of each field of [`FIELDS`] (same index), in frame order.
    fields: Vec<Vec<String>>,
}

impl TFrame {
    /// The layers above the last TCP/UDP layer (`["http", "json"]`); empty without one.
    fn app_layers(&self) -> Vec<&str> {
        let layers: Vec<&str> = self.protocols.split(':').collect();
        match layers.iter().rposition(|l| *l == "tcp" || *l == "udp") {
            Some(i) => layers.iter().skip(i + 1).copied().collect(),
            None => Vec::new(),
        }
    }
}

/// tshark with default preferences (no configuration directory), one pass.
fn tshark() -> Command {
    let mut cmd = Command::new("tshark");
    cmd.env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .env("HOME", "/nonexistent")
        .arg("-n");
    cmd
}

/// A program's error output on one short line (tshark's warning about root left out).
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let words: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "^" && !l.starts_with("Running as user"))
        .collect();
    shorten(&words.join(" "))
}

/// Every frame of `file` as tshark sees it.
fn tshark_frames(file: &Path) -> Result<Vec<TFrame>, String> {
    let mut cmd = tshark();
    cmd.arg("-r").arg(file).args([
        "-T",
        "fields",
        "-E",
        &format!("separator={SEP}"),
        "-E",
        "occurrence=a",
        "-E",
        &format!("aggregator={AGG}"),
    ]);
    for f in [
        "frame.number",
        "_ws.col.Protocol",
        "_ws.col.Info",
        "frame.protocols",
    ]
    .into_iter()
    .chain(FIELDS.iter().map(|(f, _)| *f))
    {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().map_err(|e| format!("running tshark: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tshark -T fields failed: {}",
            first_line(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut frames = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split(SEP).collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let no = cell(0)
            .parse()
            .map_err(|_| format!("tshark: bad frame number in {line:?}"))?;
        let fields = (0..FIELDS.len())
            .map(|i| {
                let c = cell(4 + i);
                if c.is_empty() {
                    Vec::new()
                } else {
                    c.split(AGG).map(str::to_string).collect()
                }
            })
            .collect();
        frames.push(TFrame {
            no,
            protocol: cell(1).to_string(),
            info: cell(2).to_string(),
            protocols: cell(3).to_string(),
            fields,
        });
    }
    Ok(frames)
}

/// The frame numbers `tshark -Y expr` selects.
fn tshark_select(file: &Path, expr: &str) -> Result<Vec<u64>, String> {
    let out = tshark()
        .arg("-r")
        .arg(file)
        .args(["-Y", expr, "-T", "fields", "-e", "frame.number"])
        .output()
        .map_err(|e| format!("running tshark: {e}"))?;
    if !out.status.success() {
        return Err(format!("tshark -Y failed: {}", first_line(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect())
}

/// What is compared with tshark: wirelab, or tshark itself for the harness's self-test.
trait Subject {
    /// Its name in reports.
    fn name(&self) -> &'static str;
    /// One JSON object per frame, in `wirelab read --json`'s shape.
    fn frames(&self, file: &Path) -> Result<Vec<Value>, String>;
    /// The frame numbers a display filter selects.
    fn select(&self, file: &Path, expr: &str) -> Result<Vec<u64>, String>;
}

struct Wirelab;

impl Wirelab {
    fn read_json(file: &Path, filter: Option<&str>) -> Result<Vec<Value>, String> {
        let mut cmd = support::wirelab();
        cmd.args(["read", "--json", "--color", "never"]);
        if let Some(expr) = filter {
            cmd.args(["-Y", expr]);
        }
        let out = cmd
            .arg(file)
            .output()
            .map_err(|e| format!("running wirelab: {e}"))?;
        if !out.status.success() {
            return Err(format!("wirelab failed: {}", first_line(&out.stderr)));
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).map_err(|e| {
                    let shown: String = l.chars().take(120).collect();
                    format!("bad JSON line ({e}): {shown}")
                })
            })
            .collect()
    }
}

impl Subject for Wirelab {
    fn name(&self) -> &'static str {
        "wirelab"
    }
    fn frames(&self, file: &Path) -> Result<Vec<Value>, String> {
        Wirelab::read_json(file, None)
    }
    fn select(&self, file: &Path, expr: &str) -> Result<Vec<u64>, String> {
        Ok(Wirelab::read_json(file, Some(expr))?
            .iter()
            .filter_map(|v| v.get("no").and_then(Value::as_u64))
            .collect())
    }
}

/// tshark dressed as wirelab: its fields in the agreed JSON shape (each field under the layer
/// its name starts with if tshark found that layer in the frame, else under the frame's last
/// application layer, as SSDP carries `http.*`).
struct TsharkItself;

/// A frame of tshark's in the agreed JSON shape.
fn as_agreed_json(f: &TFrame) -> Value {
    let mut obj = Map::new();
    obj.insert("no".into(), f.no.into());
    obj.insert("protocol".into(), f.protocol.clone().into());
    obj.insert("info".into(), f.info.clone().into());
    let layers = f.app_layers();
    for ((name, _), values) in FIELDS.iter().zip(&f.fields) {
        if values.is_empty() {
            continue;
        }
        let prefix = name.split('.').next().unwrap_or("");
        let layer = if layers.contains(&prefix) {
            prefix
        } else {
            layers.last().copied().unwrap_or(prefix)
        };
        let value = match values.as_slice() {
            [one] => Value::from(one.clone()),
            many => Value::from(many.to_vec()),
        };
        let entry = obj
            .entry(layer.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(name.to_string(), value);
        }
    }
    Value::Object(obj)
}

impl Subject for TsharkItself {
    fn name(&self) -> &'static str {
        "tshark"
    }
    fn frames(&self, file: &Path) -> Result<Vec<Value>, String> {
        Ok(tshark_frames(file)?.iter().map(as_agreed_json).collect())
    }
    fn select(&self, file: &Path, expr: &str) -> Result<Vec<u64>, String> {
        tshark_select(file, expr)
    }
}

/// `info` without a trailing malformed-frame marker (tshark's or wirelab's) and the spaces
/// before it; unchanged when there is none.
fn strip_malformed(info: &str) -> &str {
    match ["[Malformed", "[Packet size limited during capture"]
        .iter()
        .filter_map(|m| info.find(m))
        .min()
    {
        Some(cut) => info[..cut].trim_end(),
        None => info,
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= INFO_SHOWN {
        s.to_string()
    } else {
        let head: String = s.chars().take(INFO_SHOWN).collect();
        format!("{head}…")
    }
}

/// Appends the first [`SHOWN`] of `lines` under `title`, and a count of the rest.
fn section(report: &mut Vec<String>, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    report.push(format!("  {title}:"));
    report.extend(lines.iter().take(SHOWN).cloned());
    if lines.len() > SHOWN {
        report.push(format!("    … and {} more", lines.len() - SHOWN));
    }
}

/// Protocol and Info of every frame; one entry per differing frame (two lines, side by side).
fn compare_columns(who: &str, tframes: &[TFrame], frames: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    if tframes.len() != frames.len() {
        out.push(format!(
            "    frame count: tshark {} | {who} {}",
            tframes.len(),
            frames.len()
        ));
    }
    for (t, j) in tframes.iter().zip(frames) {
        let proto = j
            .get("protocol")
            .and_then(Value::as_str)
            .unwrap_or("<none>");
        let info = j.get("info").and_then(Value::as_str).unwrap_or("<none>");
        if proto == t.protocol && strip_malformed(info) == strip_malformed(&t.info) {
            continue;
        }
        out.push(format!(
            "    #{:<4} tshark  {:<10} {}\n          {who:<7} {:<10} {}",
            t.no,
            t.protocol,
            shorten(&t.info),
            proto,
            shorten(info)
        ));
    }
    out
}

/// The values of `field` in a frame's JSON: under each of `layers`, a string or an array of
/// two or more strings (anything else is shown as `<not a string: …>` or `<array of 1: …>`
/// so that it differs).
fn json_values(frame: &Value, layers: &[&str], field: &str) -> Option<Vec<String>> {
    let mut found = None;
    for layer in layers {
        let Some(v) = frame.get(*layer).and_then(|l| l.get(field)) else {
            continue;
        };
        let list = found.get_or_insert_with(Vec::new);
        match v {
            Value::String(s) => list.push(s.clone()),
            // One occurrence is a plain string in the agreed shape, never an array.
            Value::Array(items) if items.len() < 2 => {
                list.push(format!("<array of {}: {v}>", items.len()));
            }
            Value::Array(items) => list.extend(items.iter().map(|i| match i {
                Value::String(s) => s.clone(),
                other => format!("<not a string: {other}>"),
            })),
            other => list.push(format!("<not a string: {other}>")),
        }
    }
    found
}

/// The [`FIELDS`] values of every frame; one line per differing frame and field.
fn compare_json(who: &str, tframes: &[TFrame], frames: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for (t, j) in tframes.iter().zip(frames) {
        for ((field, _), want) in FIELDS.iter().zip(&t.fields) {
            let mut layers = t.app_layers();
            let prefix = field.split('.').next().unwrap_or("");
            if !layers.contains(&prefix) {
                layers.push(prefix);
            }
            let got = json_values(j, &layers, field);
            if got.as_deref().unwrap_or(&[]) == want.as_slice() {
                continue;
            }
            let got = match got {
                Some(v) => format!("{v:?}"),
                None => "(absent)".to_string(),
            };
            let want = if want.is_empty() {
                "(absent)".to_string()
            } else {
                format!("{want:?}")
            };
            out.push(format!(
                "    #{:<4} {field}: tshark {want} | {who} {got}",
                t.no
            ));
        }
    }
    out
}

fn show_numbers(v: &[u64]) -> String {
    let mut s: Vec<String> = v.iter().take(12).map(u64::to_string).collect();
    if v.len() > 12 {
        s.push(format!("… ({} in all)", v.len()));
    }
    format!("[{}]", s.join(", "))
}

/// One display filter's selections; a line when they differ.
fn compare_selection(
    who: &str,
    expr: &str,
    want: &[u64],
    got: &Result<Vec<u64>, String>,
) -> Option<String> {
    match got {
        Err(e) => Some(format!("    -Y {expr}: {e}")),
        Ok(got) if got == want => None,
        Ok(got) => {
            let w: BTreeSet<_> = want.iter().collect();
            let g: BTreeSet<_> = got.iter().collect();
            let missed: Vec<u64> = w.difference(&g).map(|n| **n).collect();
            let extra: Vec<u64> = g.difference(&w).map(|n| **n).collect();
            Some(format!(
                "    -Y {expr}: tshark {} | {who} {} (missed {}, extra {})",
                show_numbers(want),
                show_numbers(got),
                show_numbers(&missed),
                show_numbers(&extra)
            ))
        }
    }
}

/// `value` as a display-filter literal.
fn literal(value: &str, ty: Ty) -> String {
    match ty {
        Ty::Bare => value.to_string(),
        Ty::Str => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// The filters tried on a capture: per field present, presence and equality with its first
/// value.
fn filters(tframes: &[TFrame]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (field, ty)) in FIELDS.iter().enumerate() {
        let first = tframes
            .iter()
            .find_map(|t| t.fields.get(i).and_then(|v| v.first()));
        if let Some(value) = first {
            out.push(field.to_string());
            out.push(format!("{field} == {}", literal(value, *ty)));
        }
    }
    out
}

/// Every comparison on one capture; None when all agree, else a compact report.
fn check_capture(what: &str, file: &Path, subject: &dyn Subject) -> Option<String> {
    let name = format!(
        "{what}/{}",
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let who = subject.name();
    let tframes = match tshark_frames(file) {
        Ok(t) => t,
        Err(e) => return Some(format!("== {name}: {e}")),
    };
    let mut report = Vec::new();
    let mut bad = 0;
    match subject.frames(file) {
        Err(e) => report.push(format!("  {who} --json: {e}")),
        Ok(frames) => {
            let cols = compare_columns(who, &tframes, &frames);
            bad = cols.len();
            section(&mut report, "Protocol and Info", &cols);
            section(
                &mut report,
                "JSON values",
                &compare_json(who, &tframes, &frames),
            );
        }
    }
    let mut sel = Vec::new();
    for expr in filters(&tframes) {
        let want = match tshark_select(file, &expr) {
            Ok(w) => w,
            Err(e) => {
                sel.push(format!("    -Y {expr}: {e}"));
                continue;
            }
        };
        let got = subject.select(file, &expr);
        sel.extend(compare_selection(who, &expr, &want, &got));
    }
    section(&mut report, "display filters", &sel);
    if report.is_empty() {
        None
    } else {
        Some(format!(
            "== {name}: {bad} of {} frames differ in Protocol/Info\n{}",
            tframes.len(),
            report.join("\n")
        ))
    }
}

/// Checks every capture; panics with one report for all of them.
fn check_all(what: &str, files: &[PathBuf], subject: &dyn Subject) {
    assert!(!files.is_empty(), "{what}: no captures");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| check_capture(what, f, subject))
        .collect();
    if !failures.is_empty() {
        eprintln!("{}", failures.join("\n\n"));
        panic!(
            "{what}: {} of {} captures differ from tshark (see above)",
            failures.len(),
            files.len()
        );
    }
}

/// `captures/app/*.pcap`, sorted.
fn bundled() -> Vec<PathBuf> {
    let dir = support::repo("captures/app");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    files.sort();
    files
}

/// The Protocol column values each fresh capture must show at least once (else the script
/// did not make the traffic it promises).
const EXPECTED: &[(&str, &[&str])] = &[
    ("http.pcap", &["HTTP", "HTTP/JSON", "SSDP"]),
    ("http-close.pcap", &["HTTP"]),
    ("dns.pcap", &["DNS"]),
    ("dhcp.pcap", &["DHCP"]),
    ("tls12.pcap", &["TLSv1.2"]),
    ("tls13.pcap", &["TLSv1.3"]),
    ("smtp.pcap", &["SMTP", "SMTP/IMF"]),
    ("ftp.pcap", &["FTP", "FTP-DATA"]),
    ("pop.pcap", &["POP"]),
    ("imap.pcap", &["IMAP"]),
    ("names.pcap", &["MDNS", "LLMNR", "NBNS"]),
    ("dhcpv6.pcap", &["DHCPv6"]),
];

#[test]
fn bundled_app_captures_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    check_all("captures/app", &bundled(), &Wirelab);
}

#[test]
fn fresh_app_captures_match_tshark() {
    if !require(Need::Tool("tshark")) || !services::require_all() {
        return;
    }
    let dir = services::Scratch::new("app-captures");
    let mut files = services::make_app_captures(dir.path());
    // The script's HTTP/1.0 bodies that run to the close (not in support's list).
    let close = dir.path().join("http-close.pcap");
    if !files.contains(&close) {
        files.push(close);
    }
    for (file, wanted) in EXPECTED {
        let path = dir.path().join(file);
        let seen: BTreeSet<String> = tshark_frames(&path)
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .into_iter()
            .map(|t| t.protocol)
            .collect();
        for w in *wanted {
            assert!(
                seen.contains(*w),
                "fresh {file}: tshark shows no {w} frame (only {seen:?})"
            );
        }
    }
    check_all("fresh", &files, &Wirelab);
}

/// The public captures the issue names (HTTP, TLS, QUIC made by others): the same
/// comparisons.
const PUBLIC: &[&str] = &[
    "simple_http.pcap",
    "simple_http_sll2.pcap",
    "tls_ciphers.pcap",
    "quic_retry.pcapng",
    "quic_xargs.pcap",
];

#[test]
fn public_app_captures_match_tshark() {
    if !require(Need::Tool("tshark")) || !require(Need::PublicCaptures) {
        return;
    }
    let files: Vec<PathBuf> = PUBLIC.iter().map(|n| support::public_capture(n)).collect();
    for f in &files {
        assert!(f.is_file(), "{} is missing", f.display());
    }
    check_all("captures-public", &files, &Wirelab);
}

/// The harness compares tshark with itself without a difference, on every bundled capture.
#[test]
fn harness_agrees_with_tshark_itself() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    check_all(
        "captures/app (tshark against itself)",
        &bundled(),
        &TsharkItself,
    );
}

/// The comparisons find and word differences as intended (hand-made frames, no tools).
#[test]
fn harness_reports_differences() {
    let mut fields = vec![Vec::new(); FIELDS.len()];
    let idx = |name: &str| FIELDS.iter().position(|(f, _)| *f == name).unwrap();
    fields[idx("dns.qry.name")] = vec!["www.wirelab.test".to_string()];
    fields[idx("dns.a")] = vec!["10.0.3.80".to_string(), "10.0.3.81".to_string()];
    let t = TFrame {
        no: 4,
        protocol: "DNS".into(),
        info: "Standard query response 0x2c04 A www.wirelab.test A 10.0.3.80 [Malformed Packet]"
            .into(),
        protocols: "eth:ethertype:ip:udp:dns".into(),
        fields,
    };

    // The agreed shape, built from tshark's own values, agrees.
    let same = as_agreed_json(&t);
    assert_eq!(
        same["dns"]["dns.a"],
        serde_json::json!(["10.0.3.80", "10.0.3.81"])
    );
    assert_eq!(same["dns"]["dns.qry.name"], "www.wirelab.test");
    assert!(
        compare_columns(
            "wirelab",
            std::slice::from_ref(&t),
            std::slice::from_ref(&same)
        )
        .is_empty()
    );
    assert!(compare_json("wirelab", std::slice::from_ref(&t), &[same]).is_empty());

    // Malformed suffixes differ between the tools; the text before them must not.
    let ours = serde_json::json!({
        "no": 4, "protocol": "DNS",
        "info": "Standard query response 0x2c04 A www.wirelab.test A 10.0.3.80 [Malformed: cut]",
        "dns": {"dns.qry.name": "www.wirelab.test", "dns.a": ["10.0.3.80", "10.0.3.81"]}
    });
    assert!(compare_columns("wirelab", std::slice::from_ref(&t), &[ours]).is_empty());

    // Today's wirelab: no DNS layer.
    let today = serde_json::json!({"no": 4, "protocol": "UDP", "info": "53 → 49149 Len=93"});
    let cols = compare_columns(
        "wirelab",
        std::slice::from_ref(&t),
        std::slice::from_ref(&today),
    );
    assert_eq!(cols.len(), 1);
    assert!(cols[0].contains("#4") && cols[0].contains("DNS") && cols[0].contains("UDP"));
    assert!(cols[0].contains("53 → 49149 Len=93"));
    let js = compare_json("wirelab", std::slice::from_ref(&t), &[today]);
    assert_eq!(js.len(), 2, "{js:?}");
    assert!(js[0].contains("dns.qry.name: tshark [\"www.wirelab.test\"] | wirelab (absent)"));

    // A single value where tshark has two, a number where a string is agreed, an extra field.
    let wrong = serde_json::json!({
        "no": 4, "protocol": "DNS", "info": t.info,
        "dns": {"dns.qry.name": "www.wirelab.test", "dns.a": "10.0.3.80", "dns.count.answers": 2}
    });
    let js = compare_json("wirelab", std::slice::from_ref(&t), &[wrong]);
    assert_eq!(js.len(), 2, "{js:?}");
    assert!(
        js[0].contains("dns.a: tshark [\"10.0.3.80\", \"10.0.3.81\"] | wirelab [\"10.0.3.80\"]")
    );
    assert!(js[1].contains("dns.count.answers: tshark (absent) | wirelab [\"<not a string: 2>\"]"));

    // One occurrence as an array of one.
    let one = serde_json::json!({
        "no": 4, "protocol": "DNS", "info": t.info,
        "dns": {"dns.qry.name": ["www.wirelab.test"], "dns.a": ["10.0.3.80", "10.0.3.81"]}
    });
    let js = compare_json("wirelab", std::slice::from_ref(&t), &[one]);
    assert_eq!(js.len(), 1, "{js:?}");
    assert!(
        js[0].contains("wirelab [\"<array of 1: [\\\"www.wirelab.test\\\"]>\"]"),
        "{js:?}"
    );

    // A missing frame is counted.
    assert!(compare_columns("wirelab", std::slice::from_ref(&t), &[])[0].contains("frame count"));

    // Selections.
    assert_eq!(
        compare_selection("wirelab", "dns", &[1, 2], &Ok(vec![1, 2])),
        None
    );
    let line = compare_selection("wirelab", "dns", &[1, 2], &Ok(vec![2, 3])).unwrap();
    assert!(line.contains("missed [1], extra [3]"), "{line}");
    let line = compare_selection("wirelab", "dns.a", &[1], &Err("wirelab failed: x".into()));
    assert!(line.unwrap().contains("-Y dns.a: wirelab failed: x"));

    // Filters: presence and equality for each field present, strings quoted.
    let f = filters(std::slice::from_ref(&t));
    assert!(f.contains(&"dns.qry.name == \"www.wirelab.test\"".to_string()));
    assert!(f.contains(&"dns.a == 10.0.3.80".to_string()));
    assert!(f.contains(&"dns.a".to_string()));
    assert_eq!(f.len(), 4);
    assert_eq!(literal("a\"b\\c", Ty::Str), "\"a\\\"b\\\\c\"");

    // Application layers: above the last TCP/UDP only.
    let ssdp = TFrame {
        protocols: "eth:ethertype:ip:udp:ssdp".into(),
        ..TFrame::default()
    };
    assert_eq!(ssdp.app_layers(), vec!["ssdp"]);
    assert_eq!(strip_malformed("GET / HTTP/1.1 "), "GET / HTTP/1.1 ");
}

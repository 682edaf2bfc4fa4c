//! `wirelab view` colours rows with Wireshark's default colouring rules: checked against
//! tshark's own choice (`frame.coloring_rule.name`) on every bundled and public capture.
//!
//! Goldens in `tests/golden/coloring/` come from `scripts/coloring-golden.sh`; with tshark
//! installed (always in CI) they are also checked against tshark itself, so a stale golden
//! is caught. Every frame is compared; a difference is allowed (and counted) only where
//! tshark's rule tests a dissector wirelab does not have (`http`, `cdp`...) and tshark ran
//! that dissector on the frame (the last protocol of `frame.protocols` in
//! `tests/golden/tshark/` is not one wirelab decodes): HTTP bodies found by TCP reassembly,
//! CDP under "Routing".

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Need, in_ci, require};
use wirelab::analyse::analyse_all;
use wirelab::render::coloring::coloring_rule;
use wirelab::source::{CaptureReader, SourceEvent};

/// A bundled capture, or a public one.
fn find_capture(name: &str) -> Option<PathBuf> {
    [support::repo("captures"), support::public_captures()]
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn tshark_rules(path: &Path) -> Option<String> {
    let out = Command::new("tshark")
        .args(["--color", "-n", "-r"])
        .arg(path)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "frame.coloring_rule.name",
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Protocols wirelab decodes, as tshark names them in `frame.protocols`.
const DECODED: &[&str] = &[
    "eth",
    "ethertype",
    "vlan",
    "sll",
    "null",
    "loop",
    "raw",
    "ip",
    "ipv6",
    "arp",
    "icmp",
    "icmpv6",
    "tcp",
    "udp",
    "data",
    "igmp",
    "llc",
];

/// Rules that test a dissector's fields (`http`, `cdp`, `smb`...), not only headers.
const APP_RULES: &[&str] = &[
    "HTTP",
    "SMB",
    "Routing",
    "DCERPC",
    "HSRP State Change",
    "OSPF State Change",
    "Spanning Tree Topology  Change",
    "System Event",
];

/// `frame.protocols` of every frame, from the tshark golden (empty if there is none).
fn protocols(name: &str) -> Vec<String> {
    let path = Path::new(support::ROOT)
        .join("tests/golden/tshark")
        .join(format!("{name}.tsv"));
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut lines = text.lines().skip(1);
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let Some(col) = header.iter().position(|h| *h == "frame.protocols") else {
        return Vec::new();
    };
    lines
        .map(|l| l.split('\t').nth(col).unwrap_or("").to_string())
        .collect()
}

fn decoded_by_wirelab(protocols: &str) -> bool {
    protocols
        .split(':')
        .next_back()
        .is_none_or(|last| DECODED.contains(&last) || last.starts_with("ipv6."))
}

#[test]
fn rows_are_coloured_as_tshark_colours_them() {
    let dir = support::repo("tests/golden/coloring");
    let mut goldens: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    goldens.sort();
    assert!(goldens.len() >= 14, "goldens missing in {dir:?}");
    let tshark = require(Need::Tool("tshark"));
    let mut frames = 0;
    let mut skipped = 0;
    let mut problems = Vec::new();
    for golden in goldens {
        let name = golden
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".tsv", "");
        let Some(path) = find_capture(&name) else {
            assert!(
                !in_ci() || !golden.starts_with("captures"),
                "{name} not found"
            );
            eprintln!("skipping {name}: capture not found here");
            continue;
        };
        let text = std::fs::read_to_string(&golden).unwrap();
        let want: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').nth(1).unwrap_or(""))
            .collect();
        if tshark {
            let live = tshark_rules(&path).expect("tshark runs");
            let live: Vec<&str> = live
                .lines()
                .map(|l| l.split('\t').nth(1).unwrap_or(""))
                .collect();
            assert_eq!(
                live, want,
                "{name}: the golden is stale; run scripts/coloring-golden.sh"
            );
        }
        let packets = analyse_all(CaptureReader::open(&path).unwrap().filter_map(|e| match e {
            SourceEvent::Frame(f) => Some(f),
            SourceEvent::Warning(_) => None,
        }));
        assert_eq!(packets.len(), want.len(), "{name}: frame count");
        let protos = protocols(&name);
        for (i, (p, want)) in packets.iter().zip(&want).enumerate() {
            frames += 1;
            let got = coloring_rule(p).map_or("", |r| r.name());
            let app_rule = APP_RULES.contains(want);
            if got != *want && app_rule && protos.get(i).is_some_and(|pr| !decoded_by_wirelab(pr)) {
                skipped += 1;
                continue;
            }
            if got != *want {
                problems.push(format!(
                    "{name} frame {}: wirelab {got:?}, tshark {want:?} ({} {})",
                    p.number, p.protocol, p.info
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {frames} frames differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(frames >= 1600, "only {frames} frames compared");
    assert!(
        skipped <= 10,
        "{skipped} frames coloured by dissectors wirelab does not have"
    );
    eprintln!(
        "{} of {frames} frames coloured as tshark colours them; the other {skipped} by a rule on a dissector wirelab does not have (HTTP bodies, CDP)",
        frames - skipped
    );
}

//! `read --stats` ends with Wireshark's Protocol Hierarchy: checked line for line against
//! `tshark -q -z io,phs` on every bundled capture (tshark is the independent judge; nothing
//! here is a golden file).
//!
//! One difference is allowed and named: tshark lists the expert-info pseudo-protocol `text`
//! under `arp` for frames where it detected a duplicate address; wirelab's hierarchy counts
//! protocols, not expert notes.

mod support;

use std::path::Path;
use std::process::Command;

use support::{Need, require, run, wirelab};

/// The hierarchy block (from the first `=====` line) of a text.
fn block(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with("====="))
        .map(str::to_string)
        .collect()
}

fn tshark_phs(file: &Path) -> Vec<String> {
    let out = run(Command::new("tshark")
        .env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .args(["-n", "-q", "-z", "io,phs", "-r"])
        .arg(file));
    block(&String::from_utf8_lossy(&out.stdout))
        .into_iter()
        // tshark's expert "text" items are not protocols (see the module doc).
        .filter(|l| l.split_whitespace().next() != Some("text"))
        .collect()
}

fn wirelab_phs(file: &Path, extra: &[&str]) -> Vec<String> {
    let out = run(wirelab()
        .args(["read", "--stats", "--wide"])
        .args(extra)
        .arg(file));
    block(&String::from_utf8_lossy(&out.stdout))
}

#[test]
fn every_bundled_capture_has_tsharks_hierarchy() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut checked = 0;
    let mut diffs = Vec::new();
    for entry in std::fs::read_dir(support::repo("captures")).expect("captures/") {
        let path = entry.expect("an entry").path();
        if !path.is_file() {
            continue;
        }
        let (want, got) = (tshark_phs(&path), wirelab_phs(&path, &[]));
        assert!(
            want.len() > 4,
            "{}: tshark printed no hierarchy",
            path.display()
        );
        if want != got {
            diffs.push(format!(
                "{}:\n  tshark:\n    {}\n  wirelab:\n    {}",
                path.display(),
                want.join("\n    "),
                got.join("\n    ")
            ));
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} captures");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn a_display_filter_narrows_the_hierarchy_as_tsharks_does() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let file = support::repo("captures/vlan.pcapng");
    let out = run(Command::new("tshark")
        .env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .args(["-n", "-q", "-z", "io,phs,udp", "-r"])
        .arg(&file));
    let want: Vec<String> = block(&String::from_utf8_lossy(&out.stdout))
        .into_iter()
        .filter(|l| !l.starts_with("Filter:"))
        .collect();
    let got: Vec<String> = wirelab_phs(&file, &["-Y", "udp"])
        .into_iter()
        .filter(|l| !l.starts_with("Filter:"))
        .collect();
    assert_eq!(got, want);
}

//! `wirelab view` colours rows with Wireshark's default colouring rules: checked against
//! tshark's own choice (`frame.coloring_rule.name`) on every bundled and public capture.
//!
//! Goldens in `tests/golden/coloring/` come from `scripts/coloring-golden.sh`; with tshark
//! installed (always in CI) they are also checked against tshark itself, so a stale golden
//! is caught.

use std::path::{Path, PathBuf};
use std::process::Command;

use wirelab::analyse::analyse_all;
use wirelab::render::coloring::coloring_rule;
use wirelab::source::{CaptureReader, SourceEvent};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}

fn find_capture(name: &str) -> Option<PathBuf> {
    let root = Path::new(MANIFEST_DIR);
    [
        root.join("captures"),
        root.join("../shared/captures-public"),
        PathBuf::from("/work/shared/captures-public"),
    ]
    .into_iter()
    .map(|d| d.join(name))
    .find(|p| p.is_file())
}

fn tshark_rules(path: &Path) -> Option<String> {
    let out = Command::new("tshark")
        .args(["--color", "-n", "-r"])
        .arg(path)
        .args(["-T", "fields", "-e", "frame.number", "-e", "frame.coloring_rule.name"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn rows_are_coloured_as_tshark_colours_them() {
    let dir = Path::new(MANIFEST_DIR).join("tests/golden/coloring");
    let mut goldens: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    goldens.sort();
    assert!(goldens.len() >= 14, "goldens missing in {dir:?}");
    let tshark = Command::new("tshark").arg("--version").output().is_ok();
    assert!(tshark || !in_ci(), "tshark is not installed (CI installs it)");
    let mut frames = 0;
    let mut problems = Vec::new();
    for golden in goldens {
        let name = golden.file_name().unwrap().to_string_lossy().replace(".tsv", "");
        let Some(path) = find_capture(&name) else {
            assert!(!in_ci() || !golden.starts_with("captures"), "{name} not found");
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
            let live: Vec<&str> = live.lines().map(|l| l.split('\t').nth(1).unwrap_or("")).collect();
            assert_eq!(live, want, "{name}: the golden is stale; run scripts/coloring-golden.sh");
        }
        let packets = analyse_all(CaptureReader::open(&path).unwrap().filter_map(|e| match e {
            SourceEvent::Frame(f) => Some(f),
            SourceEvent::Warning(_) => None,
        }));
        assert_eq!(packets.len(), want.len(), "{name}: frame count");
        for (p, want) in packets.iter().zip(&want) {
            frames += 1;
            let got = coloring_rule(p).map_or("", |r| r.name());
            if got != *want {
                problems.push(format!(
                    "{name} frame {}: wirelab {got:?}, tshark {want:?} ({} {})",
                    p.number, p.protocol, p.info
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{} of {frames} frames differ:\n{}", problems.len(), problems.join("\n"));
    eprintln!("{frames} frames coloured as tshark colours them");
}

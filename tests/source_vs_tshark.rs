//! The capture reader against tshark on the public sample captures: same frame count, and per
//! frame the same time (to the microsecond), `frame.len` and `frame.cap_len`.
//!
//! Skipped (with a note) when tshark is missing, unless the environment variable CI is set.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Need, require};
use wirelab::source::{CaptureReader, SourceEvent};

/// (epoch seconds, microseconds, frame.len, frame.cap_len) of one frame.
type Row = (u64, u32, u32, u32);

/// "1595469924.234640000" -> (1595469924, 234640): microseconds, truncated like tshark's
/// microsecond display.
fn parse_epoch(text: &str) -> (u64, u32) {
    let (secs, frac) = text.split_once('.').unwrap_or((text, "0"));
    let mut digits: String = frac.chars().take(6).collect();
    while digits.len() < 6 {
        digits.push('0');
    }
    (secs.parse().unwrap(), digits.parse().unwrap())
}

fn tshark_rows(path: &Path) -> Vec<Row> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.len",
            "-e",
            "frame.cap_len",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tshark -r {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 3, "{line}");
            let (secs, micros) = parse_epoch(fields[0]);
            (
                secs,
                micros,
                fields[1].parse().unwrap(),
                fields[2].parse().unwrap(),
            )
        })
        .collect()
}

fn our_rows(path: &Path) -> Vec<Row> {
    let reader = CaptureReader::open(path).unwrap();
    reader
        .map(|event| match event {
            SourceEvent::Frame(f) => (
                f.timestamp.as_secs(),
                f.timestamp.subsec_micros(),
                f.orig_len,
                f.caplen() as u32,
            ),
            SourceEvent::Warning(w) => panic!("{}: unexpected warning {w}", path.display()),
        })
        .collect()
}

fn captures() -> Vec<PathBuf> {
    if !require(Need::PublicCaptures) {
        return vec![];
    }
    let dir = std::fs::read_dir(support::public_captures()).expect("the public captures");
    let mut files: Vec<PathBuf> = dir
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    files.sort();
    files
}

#[test]
fn frames_match_tshark_on_public_captures() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let files = captures();
    for path in &files {
        let want = tshark_rows(path);
        let got = our_rows(path);
        assert!(!want.is_empty(), "{}: tshark saw no frames", path.display());
        assert_eq!(got.len(), want.len(), "{}: frame count", path.display());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{}: frame {}", path.display(), i + 1);
        }
    }
    eprintln!("compared {} captures with tshark", files.len());
}

#[test]
fn epoch_parsing() {
    assert_eq!(
        parse_epoch("1595469924.234640000"),
        (1_595_469_924, 234_640)
    );
    assert_eq!(parse_epoch("12.5"), (12, 500_000));
    assert_eq!(parse_epoch("7"), (7, 0));
}

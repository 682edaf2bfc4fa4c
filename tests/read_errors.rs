//! End-to-end behaviour of `wirelab read` on bad input: clear errors, nothing readable lost,
//! a non-zero exit only when nothing could be read.

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;

fn read(args: &[&str]) -> Output {
    support::wirelab()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("read")
        .args(args)
        .args(["--color", "never"])
        .output()
        .expect("run wirelab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn capture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/tcp-handshake.pcapng"))
        .expect("bundled capture")
}

fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    (dir, path)
}

/// The pcapng blocks of `b` (little-endian file): (offset, length, type).
fn all_blocks(b: &[u8]) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    let mut off = 0;
    while off + 8 <= b.len() {
        let kind = u32::from_le_bytes(b[off..off + 4].try_into().unwrap());
        let len = u32::from_le_bytes(b[off + 4..off + 8].try_into().unwrap()) as usize;
        out.push((off, len, kind));
        off += len;
    }
    out
}

/// The enhanced packet blocks (type 6) of `b`: (offset, length).
fn packet_blocks(b: &[u8]) -> Vec<(usize, usize)> {
    all_blocks(b)
        .into_iter()
        .filter(|&(_, _, kind)| kind == 6)
        .map(|(off, len, _)| (off, len))
        .collect()
}

#[test]
fn text_file_is_refused_with_what_it_is() {
    let (_d, p) = temp_file("notes.pcap", b"hello, this is not a capture\n");
    let out = read(&[p.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("not a capture file") && err.contains("text"),
        "{err}"
    );
    assert!(err.contains("pcap and pcapng"), "{err}");
}

#[test]
fn missing_file_and_directory_say_what_to_do() {
    let out = read(&["no-such-file.pcapng"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("does not exist"),
        "{}",
        text(&out.stderr)
    );
    let out = read(&["captures"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("is a directory") && err.contains("captures/arp.pcapng"),
        "{err}"
    );
}

#[test]
fn truncated_file_shows_every_complete_frame_then_warns() {
    let full = capture();
    let all = text(&read(&["captures/tcp-handshake.pcapng", "--json"]).stdout);
    let n_all = all.lines().count();
    // Cut the file in the middle of its last packet block.
    let (last_off, last_len) = *packet_blocks(&full).last().unwrap();
    let (_d, p) = temp_file("cut.pcapng", &full[..last_off + last_len / 2]);
    let out = read(&[p.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "some frames were read: exit 0");
    let got = text(&out.stdout);
    assert_eq!(got.lines().count(), n_all - 1);
    assert!(
        all.starts_with(&got),
        "the frames before the cut are unchanged"
    );
    let err = text(&out.stderr);
    assert!(err.contains(&format!("at byte {last_off}")), "{err}");
}

#[test]
fn corrupt_block_in_the_middle_is_skipped_and_reading_goes_on() {
    let mut bytes = capture();
    // Break the leading length of the 4th packet block: not a multiple of 4.
    let (off, _) = packet_blocks(&bytes)[3];
    bytes[off + 4] ^= 0x03;
    let (_d, p) = temp_file("corrupt.pcapng", &bytes);
    let out = read(&[p.to_str().unwrap(), "--json"]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains(&format!("at byte {off}")), "{err}");
    let frames: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Frames after the broken block are still read.
    assert!(frames.len() >= 14, "only {} frames", frames.len());
    let last = frames.last().unwrap()["info"].as_str().unwrap_or_default();
    assert!(last.contains("[ACK]"), "{last}");
}

#[test]
fn nothing_readable_exits_non_zero() {
    let full = capture();
    // Section header and interface description, then half of the first packet block.
    let (off, len) = packet_blocks(&full)[0];
    let (_d, p) = temp_file("head.pcapng", &full[..off + len / 2]);
    let out = read(&[p.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no frame could be read"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn frame_shorter_than_its_headers_is_marked_malformed() {
    // A pcap with one Ethernet/IPv4 frame cut inside its TCP header (caplen = len).
    let full = capture();
    let json = text(&read(&["captures/tcp-handshake.pcapng", "--json", "-c", "3"]).stdout);
    assert!(json.lines().count() == 3);
    let (off, _) = packet_blocks(&full)[2]; // the third packet: the SYN, 74 bytes
    let frame = &full[off + 28..off + 28 + 74];
    let mut pcap = Vec::new();
    pcap.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    pcap.extend_from_slice(&2u16.to_le_bytes());
    pcap.extend_from_slice(&4u16.to_le_bytes());
    pcap.extend_from_slice(&[0; 8]);
    pcap.extend_from_slice(&65535u32.to_le_bytes());
    pcap.extend_from_slice(&1u32.to_le_bytes());
    let cut = 40; // Ethernet 14 + IPv4 20 + 6 bytes of TCP
    pcap.extend_from_slice(&[0; 8]);
    pcap.extend_from_slice(&(cut as u32).to_le_bytes());
    pcap.extend_from_slice(&(cut as u32).to_le_bytes());
    pcap.extend_from_slice(&frame[..cut]);
    let (_d, p) = temp_file("short.pcap", &pcap);
    let out = read(&[p.to_str().unwrap(), "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(v["ip"]["src"], "10.0.3.2");
    assert!(v["malformed"].is_string(), "{v}");
    assert!(v["info"].as_str().unwrap().contains("[Malformed: "), "{v}");
}

#[test]
fn bad_filter_points_at_the_column() {
    let out = read(&[
        "captures/tcp-handshake.pcapng",
        "--filter",
        "tcp and ip.addr == 10.0.3",
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let caret = lines
        .iter()
        .position(|l| l.trim_start().starts_with('^'))
        .unwrap();
    assert_eq!(lines[caret - 1], "tcp and ip.addr == 10.0.3");
    assert_eq!(lines[caret].find('^'), Some(19), "{err}");
}

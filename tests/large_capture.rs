//! `wirelab read` on a capture file larger than 4 GiB, end to end: frames and a damaged block
//! past byte 2^32 are found, and the warning gives the damaged block's exact offset.
//!
//! This is the regression test for 32-bit `usize` (armv7, run under qemu by
//! `scripts/cross-test.sh`): a file offset or length summed in a `usize` wraps at 4 GiB
//! there. The file is sparse: 257 filler blocks of the largest accepted length
//! (16 MiB) have only their framing written, their bodies are holes, so the test needs a few
//! kilobytes of disk. tshark, the independent reference, confirms the frames before the
//! damaged block (it stops reading there).

mod support;

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::process::Command;

use serde_json::Value;
use support::{Need, require};
use wirelab::source::MAX_PCAPNG_BLOCK;

/// The filler blocks are Name Resolution Blocks whose body is zeros (an end-of-records
/// record, then padding): wirelab skips them unread, tshark reads them and shows nothing.
const FILLER_BLOCK: u32 = 4;
/// Type of the damaged block: no reader knows it.
const DAMAGED_BLOCK: u32 = 0x0000_0123;
/// How many 16 MiB blocks lie between the first and the second packet: 257 × 16 MiB > 4 GiB.
const BIG_BLOCKS: u64 = 257;

fn le32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// An ARP request from 02:00:00:00:03:02 (10.0.3.2) for 10.0.3.`target`, 42 bytes.
fn arp_request(target: u8) -> Vec<u8> {
    #[rustfmt::skip]
    let frame = vec![
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Ethernet destination: broadcast
        0x02, 0x00, 0x00, 0x00, 0x03, 0x02, // Ethernet source
        0x08, 0x06,                         // ethertype ARP
        0x00, 0x01, 0x08, 0x00, 6, 4,       // hardware Ethernet, protocol IPv4, sizes 6 and 4
        0x00, 0x01,                         // opcode: request
        0x02, 0x00, 0x00, 0x00, 0x03, 0x02, // sender MAC
        10, 0, 3, 2,                        // sender IP
        0, 0, 0, 0, 0, 0,                   // target MAC (unknown)
        10, 0, 3, target,                   // target IP
    ];
    frame
}

/// An Enhanced Packet Block on interface 0 with timestamp `micros` (little-endian file).
fn epb(micros: u32, data: &[u8]) -> Vec<u8> {
    let padded = data.len().next_multiple_of(4);
    let total = u32::try_from(32 + padded).expect("small block");
    let len = u32::try_from(data.len()).expect("small frame");
    let mut b = le32s(&[6, total, 0, 0, micros, len, len]);
    b.extend(data);
    b.resize(28 + padded, 0);
    b.extend(le32s(&[total]));
    b
}

/// Writes the sparse capture; returns (file size, offset of the second packet, offset of
/// the damaged block).
fn write_capture(file: &mut File) -> (u64, u64, u64) {
    // Section Header Block (28 bytes: little-endian magic, version 1.0, length unknown),
    // then an Interface Description Block (20 bytes: Ethernet, snap length 0).
    let mut head = le32s(&[
        0x0a0d_0d0a,
        28,
        0x1a2b_3c4d,
        1,
        0xffff_ffff,
        0xffff_ffff,
        28,
    ]);
    head.extend(le32s(&[1, 20, 1, 0, 20]));
    head.extend(epb(1, &arp_request(1)));
    file.write_all(&head).expect("write");
    let mut at = head.len() as u64;
    let block = u64::from(MAX_PCAPNG_BLOCK);
    for _ in 0..BIG_BLOCKS {
        file.seek(SeekFrom::Start(at)).expect("seek");
        file.write_all(&le32s(&[FILLER_BLOCK, MAX_PCAPNG_BLOCK]))
            .expect("write");
        file.seek(SeekFrom::Start(at + block - 4)).expect("seek");
        file.write_all(&le32s(&[MAX_PCAPNG_BLOCK])).expect("write");
        at += block;
    }
    let second = at;
    let mut tail = epb(2, &arp_request(4));
    let bad = second + tail.len() as u64;
    // A block whose length (13) is not a multiple of 4: the reader resynchronises 8 bytes on.
    tail.extend(le32s(&[DAMAGED_BLOCK, 13]));
    tail.extend(epb(3, &arp_request(5)));
    file.seek(SeekFrom::Start(second)).expect("seek");
    file.write_all(&tail).expect("write");
    (second + tail.len() as u64, second, bad)
}

#[test]
fn frames_and_offsets_past_4_gib() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("large.pcapng");
    let mut file = File::create(&path).expect("create");
    let (size, second, bad) = write_capture(&mut file);
    drop(file);
    assert!(second > u64::from(u32::MAX), "the test must cross 4 GiB");
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), size);

    let out = support::wirelab()
        .args(["read", "--json"])
        .arg(&path)
        .output()
        .expect("run wirelab");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "wirelab failed: {stderr}");
    let frames: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let seen: Vec<(u64, &str)> = frames
        .iter()
        .map(|f| {
            let no = f["no"].as_u64().unwrap_or(0);
            (no, f["info"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, "Who has 10.0.3.1? Tell 10.0.3.2"),
            (2, "Who has 10.0.3.4? Tell 10.0.3.2"),
            (3, "Who has 10.0.3.5? Tell 10.0.3.2"),
        ]
    );
    let want = format!(
        "wirelab: warning: at byte {bad}: block with an impossible total length 13 (not a \
         multiple of 4); skipped 8 bytes to the next valid block at byte {}",
        bad + 8
    );
    assert!(stderr.contains(&want), "want {want:?} in:\n{stderr}");
}

/// tshark's view of the same file: the two frames before the damaged block, with the same
/// lengths and times (tshark stops at the damaged block). Skipped without tshark unless CI
/// is set.
#[test]
fn tshark_sees_the_frame_past_4_gib() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("large.pcapng");
    let mut file = File::create(&path).expect("create");
    write_capture(&mut file);
    drop(file);
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(&path)
        .args(["-T", "fields", "-e", "frame.number", "-e", "frame.len"])
        .args(["-e", "frame.time_epoch", "-e", "arp.dst.proto_ipv4"])
        .output()
        .expect("run tshark");
    let rows: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        rows,
        [
            "1\t42\t0.000001000\t10.0.3.1",
            "2\t42\t0.000002000\t10.0.3.4"
        ],
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

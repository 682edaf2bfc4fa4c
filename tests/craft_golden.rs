//! Golden file of `wirelab stack`: a message built up through TCP, IPv4 and Ethernet and taken
//! apart again. The bytes are checked independently: the frame is read back from the printed
//! hex dump, written to a pcap and handed to tshark, which must find both checksums right and
//! every header field the golden shows. Re-bless with `WIRELAB_BLESS=1` after an intended
//! change, then read the diff.

mod support;

use std::process::Command;

use support::{Need, require};

fn stack(message: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wirelab"))
        .args(["stack", message, "--color", "never"])
        .output()
        .expect("run wirelab");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The bytes of the first hex dump (`0000  02 00 ...`) in `text`.
fn frame_of(text: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut started = false;
    for line in text.lines() {
        let is_dump = line.len() > 6 && line[..4].chars().all(|c| c.is_ascii_hexdigit());
        if !is_dump {
            if started {
                break;
            }
            continue;
        }
        started = true;
        let hex: String = line.chars().skip(6).take(49).collect();
        bytes.extend(
            hex.split_whitespace()
                .map_while(|t| u8::from_str_radix(t, 16).ok()),
        );
    }
    bytes
}

#[test]
fn stack_shows_every_layer_of_the_same_bytes() {
    let got = stack("Hai from client");
    support::golden::check(&support::repo("tests/golden/craft/stack.txt"), &got);
    for line in got.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }

    // tshark's view of the printed bytes.
    let frame = frame_of(&got);
    assert_eq!(frame.len(), 69);
    if !require(Need::Tool("tshark")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("stack.pcap");
    let mut file = Vec::new();
    // pcap header: magic, v2.4, zone 0, sigfigs 0, snaplen 65535, Ethernet.
    file.extend(0xa1b2_c3d4u32.to_le_bytes());
    file.extend(2u16.to_le_bytes());
    file.extend(4u16.to_le_bytes());
    file.extend([0u8; 8]);
    file.extend(65535u32.to_le_bytes());
    file.extend(1u32.to_le_bytes());
    file.extend([0u8; 8]); // time 0
    file.extend((frame.len() as u32).to_le_bytes());
    file.extend((frame.len() as u32).to_le_bytes());
    file.extend(&frame);
    std::fs::write(&pcap, file).unwrap();
    let out = Command::new("tshark")
        .args([
            "-n",
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-r",
        ])
        .arg(&pcap)
        .args(["-T", "fields", "-E", "separator=|"])
        .args([
            "-e",
            "eth.src",
            "-e",
            "eth.dst",
            "-e",
            "ip.src",
            "-e",
            "ip.dst",
            "-e",
            "ip.ttl",
            "-e",
            "ip.id",
            "-e",
            "ip.checksum.status",
            "-e",
            "tcp.srcport",
            "-e",
            "tcp.dstport",
            "-e",
            "tcp.seq_raw",
            "-e",
            "tcp.ack_raw",
            "-e",
            "tcp.window_size_value",
            "-e",
            "tcp.checksum.status",
            "-e",
            "tcp.payload",
        ])
        .output()
        .expect("tshark");
    let fields = String::from_utf8_lossy(&out.stdout);
    // checksum.status 1 = "Good" (tshark validated it).
    assert_eq!(
        fields.trim(),
        "02:00:00:00:03:02|02:00:00:00:03:01|10.0.3.2|10.0.3.1|64|0x0001|1|40000|8080|1|1|502|1|\
         4861692066726f6d20636c69656e74",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // ...and the golden shows the same values.
    for shown in [
        "Source: 02:00:00:00:03:02",
        "Time to Live: 64",
        "Identification: 0x0001 (1)",
        "Source Port: 40000",
        "Window: 502",
        "Text: \"Hai from client\"",
        "header checksum checked again here: correct",
    ] {
        assert!(got.contains(shown), "{shown}");
    }
}

//! Inputs that once made a fuzz target fail, saved (minimised) under
//! `fuzz/regressions/<target>/<name>` and run here through the same check as the target
//! (`fuzz/checks/<target>.rs`), so a fixed bug stays fixed without the nightly toolchain.
//! `scripts/fuzz-ci.sh` runs the fuzz targets themselves in CI; each crash it finds gets a
//! file here and a test named after the bug. The targets start from these files too: their
//! build checks arithmetic overflow, which `cargo test --release` does not (run these tests
//! without `--release` to see an overflow here).

mod support;

#[path = "../fuzz/checks/decode_frame.rs"]
mod decode_frame;

#[path = "../fuzz/checks/dissect.rs"]
mod dissect;

use std::path::PathBuf;

/// The saved input `fuzz/regressions/TARGET/NAME`.
fn input(target: &str, name: &str) -> (PathBuf, Vec<u8>) {
    let path = support::repo("fuzz/regressions").join(target).join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, bytes)
}

/// Runs `check` on the saved input, naming the file if it fails.
fn replay(target: &str, name: &str, check: fn(&[u8])) {
    let (path, bytes) = input(target, name);
    eprintln!("replaying {} ({} bytes)", path.display(), bytes.len());
    check(&bytes);
}

/// Every saved input has a test below (a new file without one fails here).
#[test]
fn every_saved_input_has_a_test() {
    let dir = support::repo("fuzz/regressions");
    let mut missing = Vec::new();
    for target in std::fs::read_dir(&dir).expect("fuzz/regressions") {
        let target = target.expect("a directory entry").path();
        for file in std::fs::read_dir(&target).expect("a target's directory") {
            let file = file.expect("a directory entry").path();
            let t = target.file_name().unwrap_or_default().to_string_lossy();
            let n = file.file_name().unwrap_or_default().to_string_lossy();
            if !KNOWN.iter().any(|&(kt, kn)| kt == t && kn == n) {
                missing.push(file.display().to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "saved inputs without a test: {missing:?}"
    );
}

/// The saved inputs, by target and file name.
const KNOWN: &[(&str, &str)] = &[
    ("decode_frame", "tcp-header-cut-after-15-bytes"),
    ("decode_frame", "tcp-header-cut-after-4-bytes"),
    ("dissect_dns", "name-pointer-to-the-header"),
    ("dissect_dns", "nbns-name-range-past-the-message"),
];

/// An NBNS message whose name claims more bytes than the datagram has: the tree line for the
/// query spanned 12..25212 of a 29-byte payload. Found by `scripts/fuzz-ci.sh` in 2 s once
/// the target reached NBNS; the framework now clamps every tree range to the message
/// (`Cx::line`), whatever a dissector computes from hostile lengths.
#[test]
fn nbns_name_range_past_the_message() {
    use wirelab::dissect::Dissector;
    replay("dissect_dns", "nbns-name-range-past-the-message", |data| {
        dissect::check(
            &[
                Dissector::Dns,
                Dissector::Mdns,
                Dissector::Llmnr,
                Dissector::Nbns,
            ],
            data,
        )
    });
}

/// A DNS question whose name is a pointer back into the header, where a zero byte ends it:
/// the name's length was worked out as "end − start" even though the pointer had already
/// fixed it at two bytes, and the end lay before the start ("attempt to subtract with
/// overflow", `dns/msg.rs`). Found by `scripts/fuzz-ci.sh` in CI in 1 s; this input is the
/// smallest of its kind (a pointer to byte 0 of a message whose ID is 0).
#[test]
fn dns_name_pointer_to_the_header() {
    use wirelab::dissect::Dissector;
    replay("dissect_dns", "name-pointer-to-the-header", |data| {
        dissect::check(
            &[
                Dissector::Dns,
                Dissector::Mdns,
                Dissector::Llmnr,
                Dissector::Nbns,
            ],
            data,
        )
    });
}

/// A TCP header cut by the end of the frame: the detail tree listed fields past the frame's
/// end (after 15 bytes: Window, Checksum and Urgent Pointer at bytes 54–59 of a 55-byte
/// Linux SLL2 frame; after 4 bytes, the minimised input: the sequence number at 24–28 of a
/// 24-byte raw IPv4 frame), where tshark stops at the cut. Found by `scripts/fuzz-ci.sh` in
/// 3 s ("node 3: 54..56 > 55").
#[test]

fn decode_frame_tcp_header_cut_by_the_frame_end() {
    for name in [
        "tcp-header-cut-after-15-bytes",
        "tcp-header-cut-after-4-bytes",
    ] {
        replay("decode_frame", name, decode_frame::check);
    }
}

/// The seeds of every `dissect_*` target pass its check (the targets run in CI from them; this
/// keeps the seeds and the check honest without the nightly toolchain).
#[test]
fn dissector_seeds_pass_the_fuzz_check() {
    use wirelab::dissect::Dissector;
    let targets = [
        (
            "dissect_dns",
            &[
                Dissector::Dns,
                Dissector::Mdns,
                Dissector::Llmnr,
                Dissector::Nbns,
            ][..],
        ),
        ("dissect_http", &[Dissector::Http, Dissector::Ssdp]),
        ("dissect_tls", &[Dissector::Tls]),
        ("dissect_dhcp", &[Dissector::Dhcp, Dissector::Dhcpv6]),
        (
            "dissect_text",
            &[
                Dissector::Smtp,
                Dissector::Ftp,
                Dissector::FtpData,
                Dissector::Pop,
                Dissector::Imap,
                Dissector::Imf,
            ],
        ),
        ("dissect_quic", &[Dissector::Quic]),
    ];
    for (target, d) in targets {
        let dir = support::repo("fuzz/seeds").join(target);
        let mut n = 0;
        for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = file.expect("a directory entry").path();
            let bytes = std::fs::read(&path).expect("a seed");
            eprintln!("{target}: {}", path.display());
            dissect::check(d, &bytes);
            n += 1;
        }
        assert!(n > 0, "{target} has no seeds");
    }
}

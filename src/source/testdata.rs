//! Test helpers: build pcap records and pcapng blocks field by field, and read them back.
//!
//! Each builder writes the fields in file order with a comment per field, so the tests that
//! use them stay checkable against the format specifications by eye.

use std::path::Path;
use std::process::Command;

use super::{CaptureReader, ReadWarning, SourceEvent};
use crate::frame::Frame;

/// True if tshark can be run. Without it: a note and `false`, except in CI (env CI set),
/// where tshark is required and this panics.
pub(crate) fn tshark_available(test: &str) -> bool {
    if Command::new("tshark").arg("--version").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tshark is required in CI ({test})"
    );
    eprintln!("note: tshark not installed, skipping {test}");
    false
}

/// `tshark -n -r FILE -T fields -e FIELD...`: one Vec of fields per frame.
pub(crate) fn tshark_fields(file: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(file).args(["-T", "fields"]);
    for field in fields {
        cmd.args(["-e", field]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("tshark prints UTF-8")
        .lines()
        .map(|line| line.split('\t').map(str::to_string).collect())
        .collect()
}

/// Little-endian bytes of several u32 values.
pub(crate) fn le32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn u16b(le: bool, v: u16) -> [u8; 2] {
    if le { v.to_le_bytes() } else { v.to_be_bytes() }
}

fn u32b(le: bool, v: u32) -> [u8; 4] {
    if le { v.to_le_bytes() } else { v.to_be_bytes() }
}

/// A pcap file header.
pub(crate) fn pcap_header(le: bool, nanos: bool, snaplen: u32, link_type: u32) -> Vec<u8> {
    let mut out = vec![];
    out.extend(u32b(le, if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 })); // magic
    out.extend(u16b(le, 2)); // version major
    out.extend(u16b(le, 4)); // version minor
    out.extend(u32b(le, 0)); // thiszone
    out.extend(u32b(le, 0)); // sigfigs
    out.extend(u32b(le, snaplen)); // snaplen
    out.extend(u32b(le, link_type)); // link type
    out
}

/// A pcap record (`frac` in the file's unit: microseconds or nanoseconds).
pub(crate) fn pcap_record(le: bool, sec: u32, frac: u32, data: &[u8], orig_len: u32) -> Vec<u8> {
    let mut out = vec![];
    out.extend(u32b(le, sec)); // ts_sec
    out.extend(u32b(le, frac)); // ts_usec or ts_nsec
    out.extend(u32b(le, data.len() as u32)); // incl_len
    out.extend(u32b(le, orig_len)); // orig_len
    out.extend(data); // packet data, no padding in pcap
    out
}

/// A pcapng block: type, total length, body padded to 4 bytes, total length again.
pub(crate) fn block(le: bool, type_: u32, body: &[u8]) -> Vec<u8> {
    let padded = body.len().next_multiple_of(4);
    let total = (12 + padded) as u32;
    let mut out = vec![];
    out.extend(u32b(le, type_)); // block type
    out.extend(u32b(le, total)); // block total length
    out.extend(body); // body
    out.resize(8 + padded, 0); // padding to 32 bits
    out.extend(u32b(le, total)); // block total length, again
    out
}

/// pcapng options: (code, value) each padded to 4 bytes, then opt_endofopt.
pub(crate) fn options(le: bool, opts: &[(u16, &[u8])]) -> Vec<u8> {
    let mut out = vec![];
    if opts.is_empty() {
        return out;
    }
    for (code, value) in opts {
        out.extend(u16b(le, *code)); // option code
        out.extend(u16b(le, value.len() as u16)); // option length (unpadded)
        out.extend(*value); // value
        out.resize(out.len().next_multiple_of(4), 0); // padding
    }
    out.extend([0, 0, 0, 0]); // opt_endofopt: code 0, length 0
    out
}

/// A Section Header Block, version 1.0, unknown section length, no options.
pub(crate) fn shb(le: bool) -> Vec<u8> {
    let mut body = vec![];
    body.extend(u32b(le, 0x1a2b_3c4d)); // byte-order magic
    body.extend(u16b(le, 1)); // major version
    body.extend(u16b(le, 0)); // minor version
    body.extend([0xff; 8]); // section length -1 (unknown)
    block(le, 0x0a0d_0d0a, &body)
}

/// An Interface Description Block with options (see [`options`]).
pub(crate) fn idb(le: bool, link_type: u16, snaplen: u32, opts: &[(u16, &[u8])]) -> Vec<u8> {
    let mut body = vec![];
    body.extend(u16b(le, link_type)); // link type
    body.extend(u16b(le, 0)); // reserved
    body.extend(u32b(le, snaplen)); // snaplen (0: no limit)
    body.extend(options(le, opts));
    block(le, 1, &body)
}

/// An Enhanced Packet Block; `ts` is the raw 64-bit timestamp in the interface's unit.
pub(crate) fn epb(le: bool, interface: u32, ts: u64, data: &[u8], orig_len: u32) -> Vec<u8> {
    let mut body = vec![];
    body.extend(u32b(le, interface)); // interface id
    body.extend(u32b(le, (ts >> 32) as u32)); // timestamp, high 32 bits
    body.extend(u32b(le, ts as u32)); // timestamp, low 32 bits
    body.extend(u32b(le, data.len() as u32)); // captured length
    body.extend(u32b(le, orig_len)); // original length
    body.extend(data); // packet data
    body.resize(body.len().next_multiple_of(4), 0); // padding
    block(le, 6, &body)
}

/// A Simple Packet Block (interface 0, no timestamp).
pub(crate) fn spb(le: bool, data: &[u8], orig_len: u32) -> Vec<u8> {
    let mut body = vec![];
    body.extend(u32b(le, orig_len)); // original length
    body.extend(data); // packet data (min(orig_len, snaplen) bytes)
    block(le, 3, &body)
}

/// An obsolete Packet Block.
pub(crate) fn pb(le: bool, interface: u16, ts: u64, data: &[u8], orig_len: u32) -> Vec<u8> {
    let mut body = vec![];
    body.extend(u16b(le, interface)); // interface id
    body.extend(u16b(le, 0)); // drops count
    body.extend(u32b(le, (ts >> 32) as u32)); // timestamp, high 32 bits
    body.extend(u32b(le, ts as u32)); // timestamp, low 32 bits
    body.extend(u32b(le, data.len() as u32)); // captured length
    body.extend(u32b(le, orig_len)); // original length
    body.extend(data); // packet data
    block(le, 2, &body)
}

/// Splits events into frames and warnings, keeping their order within each.
pub(crate) fn split(events: Vec<SourceEvent>) -> (Vec<Frame>, Vec<ReadWarning>) {
    let mut frames = vec![];
    let mut warnings = vec![];
    for event in events {
        match event {
            SourceEvent::Frame(f) => frames.push(f),
            SourceEvent::Warning(w) => warnings.push(w),
        }
    }
    (frames, warnings)
}

/// Reads a whole in-memory file (which must have a valid header).
pub(crate) fn read_all(bytes: &[u8]) -> (Vec<Frame>, Vec<ReadWarning>) {
    split(
        CaptureReader::new(bytes)
            .expect("valid capture header")
            .collect(),
    )
}

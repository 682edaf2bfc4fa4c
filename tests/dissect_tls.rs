//! TLS and QUIC against tshark 4.0 (one pass, default preferences): the Protocol and Info
//! columns of every frame, and the fields wirelab sets (`read --json`) against
//! `tshark -T fields -E occurrence=a`, on the public captures (tls_ciphers: TLS 1.2 on ports
//! 4430–4433, found by the heuristic; quic_xargs and quic_retry: QUIC with coalesced packets
//! and a Retry, Initial packets decrypted) and the bundled TLS 1.2/1.3 lab captures.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{Need, public_capture, repo, require, wirelab};

/// The TLS (and X.509) fields compared.
const TLS_FIELDS: &[&str] = &[
    "tls.record.content_type",
    "tls.record.opaque_type",
    "tls.record.version",
    "tls.record.length",
    "tls.handshake.type",
    "tls.handshake.length",
    "tls.handshake.version",
    "tls.handshake.random",
    "tls.handshake.session_id",
    "tls.handshake.cipher_suites_length",
    "tls.handshake.ciphersuite",
    "tls.handshake.extension.type",
    "tls.handshake.extensions_server_name",
    "tls.handshake.extensions_alpn_str",
    "tls.handshake.extensions.supported_version",
    "tls.handshake.certificates_length",
    "tls.handshake.certificate_length",
    "tls.alert_message.level",
    "tls.alert_message.desc",
    "tls.app_data",
    "x509af.algorithm.id",
    "x509af.extension.id",
    "x509af.issuer",
    "x509af.subject",
    "x509if.oid",
    "x509sat.uTF8String",
    "x509sat.printableString",
    "x509sat.CountryName",
    "pkcs1.modulus",
    "pkcs1.publicExponent",
];

/// The QUIC fields compared.
const QUIC_FIELDS: &[&str] = &[
    "quic.header_form",
    "quic.long.packet_type",
    "quic.version",
    "quic.dcid",
    "quic.scid",
    "quic.token_length",
    "quic.length",
    "quic.packet_number",
    "quic.frame_type",
];

fn tshark(file: &Path, args: &[&str]) -> String {
    let out = support::run(
        Command::new("tshark")
            .env("WIRESHARK_CONFIG_DIR", "/nonexistent")
            .env("HOME", "/nonexistent")
            .args(["-n", "-r"])
            .arg(file)
            .args(args),
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// wirelab's `read --json` objects, one per frame.
fn frames(file: &Path) -> Vec<Value> {
    let out = support::run(wirelab().args(["read", "--json"]).arg(file));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("no").is_some())
        .collect()
}

/// The values of `field` in a frame's application layers, joined as tshark joins them.
fn values(frame: &Value, field: &str) -> String {
    let mut out = Vec::new();
    for layer in ["tls", "quic"] {
        match frame.get(layer).and_then(|l| l.get(field)) {
            Some(Value::Array(a)) => {
                out.extend(a.iter().map(|v| v.as_str().unwrap_or("").to_string()))
            }
            Some(Value::String(s)) => out.push(s.clone()),
            _ => {}
        }
    }
    out.join(",")
}

/// Compares columns and fields frame by frame; panics listing the first differences.
fn compare(file: &Path, fields: &[&str]) {
    let mine = frames(file);
    let cols = tshark(
        file,
        &[
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "_ws.col.Protocol",
            "-e",
            "_ws.col.Info",
        ],
    );
    let mut args = vec!["-T", "fields", "-E", "occurrence=a"];
    for f in fields {
        args.extend(["-e", f]);
    }
    let field_rows = tshark(file, &args);
    let mut diffs = Vec::new();
    let (mut frames_ok, mut cells, mut cells_ok) = (0usize, 0usize, 0usize);
    let rows: Vec<&str> = cols.lines().collect();
    assert_eq!(rows.len(), mine.len(), "{}: frame count", file.display());
    for ((row, frow), w) in rows.iter().zip(field_rows.lines()).zip(&mine) {
        let mut parts = row.splitn(3, '\t');
        let no = parts.next().unwrap_or("");
        let proto = parts.next().unwrap_or("");
        let info = parts.next().unwrap_or("");
        let got = (
            w["protocol"].as_str().unwrap_or(""),
            w["info"].as_str().unwrap_or(""),
        );
        if got == (proto, info) {
            frames_ok += 1;
        } else {
            diffs.push(format!(
                "frame {no}: tshark {proto:?} {info:?}, wirelab {got:?}"
            ));
        }
        for (name, want) in fields.iter().zip(frow.split('\t')) {
            cells += 1;
            let have = values(w, name);
            if have == want {
                cells_ok += 1;
            } else {
                diffs.push(format!(
                    "frame {no} {name}: tshark {want:?}, wirelab {have:?}"
                ));
            }
        }
    }
    eprintln!(
        "{}: columns {frames_ok}/{} frames, fields {cells_ok}/{cells} cells",
        file.display(),
        rows.len()
    );
    assert!(
        diffs.is_empty(),
        "{}: {} differences, first ones:\n{}",
        file.display(),
        diffs.len(),
        diffs
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn tls_ciphers_heuristic_tls_matches_tshark() {
    if !require(Need::Tool("tshark")) || !require(Need::PublicCaptures) {
        return;
    }
    compare(&public_capture("tls_ciphers.pcap"), TLS_FIELDS);
}

#[test]
fn quic_captures_match_tshark() {
    if !require(Need::Tool("tshark")) || !require(Need::PublicCaptures) {
        return;
    }
    let mut fields = QUIC_FIELDS.to_vec();
    fields.extend_from_slice(TLS_FIELDS);
    for name in ["quic_xargs.pcap", "quic_retry.pcapng"] {
        compare(&public_capture(name), &fields);
    }
}

#[test]
fn tls12_and_tls13_lab_captures_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    for name in ["tls12.pcap", "tls13.pcap"] {
        let file = repo("captures/app").join(name);
        if !file.is_file() {
            // The bundled application captures arrive with their own change.
            eprintln!("{}: not there, skipped", file.display());
            continue;
        }
        compare(&file, TLS_FIELDS);
    }
}

#[test]
fn certificate_answers_for_the_lab() {
    let file = repo("captures/app/tls12.pcap");
    if !file.is_file() {
        eprintln!("{}: not there, skipped", file.display());
        return;
    }
    let out = support::run(
        wirelab()
            .args(["read", "-V", "-Y", "tls.handshake.type == 11"])
            .arg(&file),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("CN=wirelab.test") || text.contains("commonName=wirelab.test"),
        "{text}"
    );
    assert!(text.contains("2048 bits"), "{text}");
    assert!(text.contains("sha256WithRSAEncryption"), "{text}");
}

//! HTTP and SSDP against tshark 4.0 (one pass, default preferences) on real captures: the
//! Protocol and Info columns of every frame, Wireshark's HTTP fields (`read --json` against
//! `tshark -T fields -E occurrence=a`), and `read --export-objects http DIR` against
//! `tshark --export-objects http,DIR` (same file names, same bytes).
//!
//! Captures: the public `simple_http.pcap` and `simple_http_sll2.pcap` (a browser and python's
//! http.server on port 56789 / 8000: HTTP found by Wireshark's heuristic), and the bundled
//! `captures/app/http.pcap` (a page in six segments, 304, 404, JSON, Basic auth 401 → 200,
//! chunked, SSDP) and `captures/app/http-close.pcap` (HTTP/1.0 bodies without a length,
//! shown at the FIN). Needs tshark; skipped outside CI when it or a capture is missing.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{Need, in_ci, public_capture, repo, require, run, wirelab};

/// The fields compared, frame by frame.
const FIELDS: &[&str] = &[
    "http.request",
    "http.response",
    "http.request.method",
    "http.request.uri",
    "http.request.version",
    "http.request.full_uri",
    "http.response.version",
    "http.response.code",
    "http.response.code.desc",
    "http.response.phrase",
    "http.host",
    "http.user_agent",
    "http.accept",
    "http.accept_language",
    "http.accept_encoding",
    "http.connection",
    "http.referer",
    "http.server",
    "http.date",
    "http.last_modified",
    "http.content_type",
    "http.content_length_header",
    "http.content_length",
    "http.transfer_encoding",
    "http.authorization",
    "http.authbasic",
    "http.response_in",
    "http.request_in",
    "http.response_for.uri",
    "http.time",
    "http.request_number",
    "http.response_number",
    "http.prev_request_in",
    "http.prev_response_in",
    "http.file_data",
];

/// The captures compared (the ones present; in CI all must be).
fn captures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if require(Need::PublicCaptures) {
        out.push(public_capture("simple_http.pcap"));
        out.push(public_capture("simple_http_sll2.pcap"));
    }
    for name in ["http.pcap", "http-close.pcap"] {
        let app = repo("captures/app").join(name);
        if app.is_file() {
            out.push(app);
        } else {
            assert!(!in_ci(), "CI is set: {} is missing", app.display());
            eprintln!("skipping {}: not there", app.display());
        }
    }
    out
}

fn tshark() -> Command {
    let mut cmd = Command::new("tshark");
    cmd.env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .env("HOME", "/nonexistent")
        .arg("-n");
    cmd
}

/// tshark's rows of `fields` (tab-separated, repeated values joined by commas).
fn tshark_rows(file: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = tshark();
    cmd.arg("-r")
        .arg(file)
        .args(["-T", "fields", "-E", "occurrence=a", "-E", "separator=/t"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = run(&mut cmd);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// wirelab's `--json` objects, one per frame.
fn wirelab_json(file: &Path) -> Vec<Value> {
    let out = run(wirelab().arg("read").arg("--json").arg(file));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// A field's value as `tshark -T fields` prints it: repeated values joined by commas,
/// newlines and the like escaped.
fn as_tshark(v: &Value) -> String {
    let one = |v: &Value| {
        let s = v.as_str().unwrap_or_default();
        s.replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
            .replace('\t', "\\t")
    };
    match v {
        Value::Array(vs) => vs.iter().map(one).collect::<Vec<_>>().join(","),
        v => one(v),
    }
}

#[test]
fn protocol_and_info_match_tshark_on_every_frame() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    for file in captures() {
        let want = tshark_rows(&file, &["_ws.col.Protocol", "_ws.col.Info"]);
        let got = wirelab_json(&file);
        assert_eq!(got.len(), want.len(), "{}", file.display());
        let mut bad = Vec::new();
        for (n, (w, g)) in want.iter().zip(&got).enumerate() {
            let g = [
                g["protocol"].as_str().unwrap_or_default().to_string(),
                g["info"].as_str().unwrap_or_default().to_string(),
            ];
            if w[..] != g[..] {
                bad.push(format!("frame {}: tshark {w:?}, wirelab {g:?}", n + 1));
            }
        }
        assert!(bad.is_empty(), "{}:\n{}", file.display(), bad.join("\n"));
    }
}

#[test]
fn http_fields_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    for file in captures() {
        let want = tshark_rows(&file, FIELDS);
        let got = wirelab_json(&file);
        assert_eq!(got.len(), want.len(), "{}", file.display());
        let mut bad = Vec::new();
        let mut seen = 0;
        for (n, (w, g)) in want.iter().zip(&got).enumerate() {
            let layer = g.get("http").or_else(|| g.get("ssdp"));
            for (i, name) in FIELDS.iter().enumerate() {
                let want = w.get(i).map(String::as_str).unwrap_or_default();
                let got = layer.and_then(|l| l.get(*name)).map(as_tshark);
                let got = got.unwrap_or_default();
                seen += usize::from(!want.is_empty());
                if want != got {
                    bad.push(format!(
                        "frame {} {name}: tshark {want:?}, wirelab {got:?}",
                        n + 1
                    ));
                }
            }
        }
        assert!(seen > 0, "{}: no HTTP field at all", file.display());
        assert!(bad.is_empty(), "{}:\n{}", file.display(), bad.join("\n"));
    }
}

/// The files in `dir`, by name, with their bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn exported_objects_equal_tsharks() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    for file in captures() {
        let tmp = tempfile::tempdir().unwrap();
        let (ours, theirs) = (tmp.path().join("wirelab"), tmp.path().join("tshark"));
        run(wirelab()
            .arg("read")
            .arg(&file)
            .arg("--export-objects")
            .arg("http")
            .arg(&ours));
        let mut spec = std::ffi::OsString::from("http,");
        spec.push(&theirs);
        run(tshark()
            .arg("-r")
            .arg(&file)
            .arg("-q")
            .arg("--export-objects")
            .arg(&spec));
        let (got, want) = (files(&ours), files(&theirs));
        assert!(
            !want.is_empty(),
            "{}: tshark exported nothing",
            file.display()
        );
        let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(names(&got), names(&want), "{}", file.display());
        for ((name, g), (_, w)) in got.iter().zip(&want) {
            assert!(g == w, "{}: {name} differs", file.display());
        }
        // A second export into the same directory replaces nothing: every name gets "(1)".
        run(wirelab()
            .arg("read")
            .arg(&file)
            .arg("--export-objects")
            .arg("http")
            .arg(&ours));
        let again = files(&ours);
        assert_eq!(again.len(), 2 * want.len(), "{}", file.display());
        for (name, bytes) in &want {
            let first = again.iter().find(|(n, _)| n == name);
            assert_eq!(first.map(|f| &f.1), Some(bytes), "{name} was replaced");
        }
    }
}

#[test]
fn export_objects_names_only_http() {
    let tmp = tempfile::tempdir().unwrap();
    let out = support::run_status(
        wirelab()
            .arg("read")
            .arg(repo("captures/tcp-handshake.pcapng"))
            .arg("--export-objects")
            .arg("ftp")
            .arg(tmp.path()),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--export-objects http DIR"), "{err}");
}

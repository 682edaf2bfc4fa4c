//! `wirelab lab answer http` (the Kurose & Ross Wireshark Lab: HTTP, v8.1) held to an answer
//! key computed here from `tshark -T fields`, by plain text parsing that shares nothing with
//! wirelab's dissectors or analysis: on the bundled `captures/app/http.pcap` (python
//! http.server and curl: a page in several segments, a 304, a 401 then 200 with Basic
//! authentication) and on the public `simple_http*.pcap` when present.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::lab_checks::{answer, answer_json, evidence_is_real};
use support::tshark::{Row, first_u64 as n, get};
use support::{Need, repo, require};

const NAMES: &[&str] = &[
    "frame.number",
    "ip.src",
    "ip.dst",
    "http.request.method",
    "http.request.uri",
    "http.request.version",
    "http.response.version",
    "http.response.code",
    "http.response.phrase",
    "http.accept_language",
    "http.last_modified",
    "http.content_length",
    "tcp.segment.count",
    "tcp.segment",
    "http.authorization",
    "http.authbasic",
    "http.request.line",
    "http.request_in",
];

/// The HTTP frames' fields (several values of one field joined by `|`).
fn rows(file: &Path) -> Vec<Row> {
    support::tshark_rows(file, "http", NAMES)
}

fn s(r: &Row, name: &str) -> Value {
    match get(r, name) {
        "" => Value::Null,
        v => json!(v),
    }
}

fn is_get(r: &Row) -> bool {
    get(r, "http.request.method") == "GET"
}

/// The `If-Modified-Since` line's value, if the request has one.
fn ims(r: &Row) -> Option<String> {
    get(r, "http.request.line").split('|').find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("If-Modified-Since")
            .then(|| v.trim().trim_end_matches("\\r\\n").trim().to_string())
    })
}

fn response_to<'a>(rows: &'a [Row], req: &Row) -> Option<&'a Row> {
    rows.iter()
        .find(|r| n(r, "http.request_in") == n(req, "frame.number"))
}

fn val(r: &Value, id: &str, name: &str) -> Value {
    answer(r, id)["values"][name].clone()
}

/// Checks `lab answer http` on `file` against the key; returns the report.
fn check(file: &Path) -> Value {
    let r = answer_json("http", &[file], &[]);
    evidence_is_real(&r);
    assert_eq!(r["answers"].as_array().unwrap().len(), 19, "{r:#}");
    let rows = rows(file);
    let frame = |x: &Row| json!(n(x, "frame.number").unwrap());
    // Part 1: the first GET and its response.
    let g = rows.iter().find(|x| is_get(x)).expect("a GET");
    let resp = response_to(&rows, g).expect("its response");
    assert_eq!(val(&r, "1", "request_frame"), frame(g));
    assert_eq!(val(&r, "1", "response_frame"), frame(resp));
    assert_eq!(
        val(&r, "1", "browser_version"),
        s(g, "http.request.version")
    );
    assert_eq!(
        val(&r, "1", "server_version"),
        s(resp, "http.response.version")
    );
    assert_eq!(
        val(&r, "2", "accept_language"),
        s(g, "http.accept_language")
    );
    assert_eq!(val(&r, "3", "client"), s(g, "ip.src"));
    assert_eq!(val(&r, "3", "server"), s(g, "ip.dst"));
    assert_eq!(val(&r, "4", "code"), json!(n(resp, "http.response.code")));
    assert_eq!(val(&r, "5", "last_modified"), s(resp, "http.last_modified"));
    if let Some(len) = n(resp, "http.content_length") {
        assert_eq!(val(&r, "6", "content_length"), json!(len));
    }
    // Part 2: the conditional GET.
    if let Some(second) = rows.iter().find(|x| is_get(x) && ims(x).is_some()) {
        assert_eq!(val(&r, "10", "frame"), frame(second));
        assert_eq!(val(&r, "10", "if_modified_since"), json!(ims(second)));
        let first = rows
            .iter()
            .find(|x| is_get(x) && get(x, "http.request.uri") == get(second, "http.request.uri"))
            .unwrap();
        assert_eq!(val(&r, "8", "frame"), frame(first));
        assert_eq!(val(&r, "8", "if_modified_since"), json!(ims(first)));
        let back = response_to(&rows, second).unwrap();
        assert_eq!(val(&r, "11", "code"), json!(n(back, "http.response.code")));
        assert_eq!(val(&r, "11", "phrase"), s(back, "http.response.phrase"));
    } else {
        assert!(val(&r, "10", "frame").is_null());
    }
    // Part 3: the response in the most segments.
    let long = rows
        .iter()
        .filter(|x| n(x, "http.response.code").is_some())
        .fold(None::<&Row>, |b, x| {
            let c = |y: &Row| n(y, "tcp.segment.count").unwrap_or(1);
            match b {
                Some(b) if c(b) >= c(x) => Some(b),
                _ => Some(x),
            }
        });
    let gets: Vec<&Row> = rows.iter().filter(|x| is_get(x)).collect();
    match long.filter(|x| n(x, "tcp.segment.count").is_some()) {
        Some(l) => {
            assert_eq!(val(&r, "12", "gets"), json!(gets.len()));
            assert_eq!(val(&r, "12", "get_frame"), json!(n(l, "http.request_in")));
            assert_eq!(val(&r, "13", "frame"), frame(l));
            assert_eq!(val(&r, "14", "code"), json!(n(l, "http.response.code")));
            assert_eq!(val(&r, "15", "segments"), json!(n(l, "tcp.segment.count")));
            let segs: Vec<u64> = get(l, "tcp.segment")
                .split('|')
                .map(|f| f.parse().unwrap())
                .collect();
            assert_eq!(val(&r, "15", "segment_frames"), json!(segs));
        }
        None => assert!(val(&r, "15", "segments").is_null()),
    }
    // Part 4: every GET and where it went.
    assert_eq!(val(&r, "16", "gets"), json!(gets.len()));
    let mut to: Vec<&str> = Vec::new();
    for g in &gets {
        if !to.contains(&get(g, "ip.dst")) {
            to.push(get(g, "ip.dst"));
        }
    }
    assert_eq!(val(&r, "16", "addresses"), json!(to));
    // Part 5: the 401 and the request with Authorization.
    match rows
        .iter()
        .find(|x| n(x, "http.response.code") == Some(401))
    {
        Some(u) => {
            assert_eq!(val(&r, "18", "frame"), frame(u));
            assert_eq!(
                val(&r, "18", "request_frame"),
                json!(n(u, "http.request_in"))
            );
            let at = n(u, "frame.number").unwrap();
            let a = rows
                .iter()
                .find(|x| {
                    n(x, "frame.number").unwrap() > at && !get(x, "http.authorization").is_empty()
                })
                .unwrap();
            assert_eq!(val(&r, "19", "frame"), frame(a));
            assert_eq!(val(&r, "19", "authorization"), s(a, "http.authorization"));
            assert_eq!(val(&r, "19", "credentials"), s(a, "http.authbasic"));
        }
        None => assert!(val(&r, "18", "frame").is_null()),
    }
    r
}

#[test]
fn bundled_capture_matches_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let r = check(&repo("captures/app/http.pcap"));
    // What the capture was made to show.
    assert_eq!(val(&r, "11", "code"), 304);
    assert!(val(&r, "15", "segments").as_u64().unwrap() > 1);
    assert_eq!(val(&r, "18", "code"), 401);
    assert_eq!(val(&r, "19", "credentials"), "student:wirelab");
}

#[test]
fn public_captures_match_tshark() {
    if !require(Need::Tool("tshark")) || !require(Need::PublicCaptures) {
        return;
    }
    let dir = support::public_captures();
    for name in ["simple_http.pcap", "simple_http_sll2.pcap"] {
        let f = dir.join(name);
        if f.exists() {
            check(&f);
        }
    }
}

/// The walkthrough `scripts/labs/http.sh` in a routed lab of its own with its services: each
/// part's capture held to the key on its own, then the five answered together as the sheet
/// has them (one trace per part) — each part's answer read from its own file.
#[test]
fn walkthrough_http_is_answered_as_tshark_reads_it() {
    let Some((dir, out)) = support::walk::walk("http.sh") else {
        return;
    };
    let parts: Vec<_> = (1..=5)
        .map(|i| dir.join(format!("part{i}.pcapng")))
        .collect();
    for p in &parts {
        check(p);
    }
    let files: Vec<&Path> = parts.iter().map(|p| p.as_path()).collect();
    let r = answer_json("http", &files, &[]);
    evidence_is_real(&r);
    let file_of = |id: &str| answer(&r, id)["evidence"][0]["file"].clone();
    // Part 2: the second GET of file2 is conditional and answered 304, in part 2's capture.
    assert_eq!(val(&r, "11", "code"), 304, "{r:#}");
    assert_eq!(file_of("11"), 1);
    // Part 3: one GET, the long document, in several segments.
    assert_eq!(val(&r, "12", "gets"), 1);
    assert_eq!(file_of("12"), 2);
    assert!(val(&r, "15", "segments").as_u64().unwrap() > 1);
    // Part 4: the page and its two images, from both of S's addresses.
    assert_eq!(val(&r, "16", "gets"), 3);
    assert_eq!(val(&r, "16", "addresses"), json!(["10.0.4.1", "10.0.4.2"]));
    // Part 5: 401, then the credentials the lab gives.
    assert_eq!(val(&r, "18", "code"), 401);
    assert_eq!(val(&r, "19", "credentials"), "wireshark-students:network");
    for text in [
        "HTTP 304",
        "HTTP 401",
        "Part 4 (questions 16-17)",
        "19 When your browser sends the HTTP GET message for the second time",
    ] {
        assert!(out.contains(text), "no {text:?}\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

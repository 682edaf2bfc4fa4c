//! `read --rtt`, `--follow`, `--throughput` and `--tcp-report` against tshark 4.0.17.
//!
//! The goldens in `tests/golden/analysis/` are tshark's own output (made by
//! `scripts/analysis-golden.sh`, whose command is line 1 of each file); with tshark
//! installed (always in CI) every golden is also re-made live to catch a stale one, and
//! `--follow` is compared live on every stream of every capture.
//!
//! - RTT: the set of (ACK frame, acked segment, ack_rtt) equals tshark's
//!   (`tcp.analysis.acks_frame`, `tcp.analysis.ack_rtt`) on every capture, and every
//!   sample the estimator took is tshark's value (or refused by Karn's rule, and said so).
//! - Follow: byte for byte what `tshark -q -z follow,PROTO,MODE,N` prints.
//! - Throughput: frames, bytes and payload per interval equal `-z io,stat`; frames per
//!   direction, start and duration equal `-z conv,tcp`.
//! - `--tcp-report` on a capture nobody here made answers every question with tshark's
//!   numbers.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{BIN, Need, ROOT, require};

fn golden_dir() -> PathBuf {
    Path::new(ROOT).join("tests/golden/analysis")
}

/// The public captures, when present (in CI they must be).
fn public_dir() -> Option<PathBuf> {
    require(Need::PublicCaptures).then(support::public_captures)
}

/// Where a golden's capture is (`captures/X` or `captures-public/X`).
fn capture_path(source: &str) -> Option<PathBuf> {
    if let Some(name) = source.strip_prefix("captures-public/") {
        return public_dir().map(|d| d.join(name));
    }
    Some(Path::new(ROOT).join(source))
}

/// tshark with default preferences ([`support::tshark::fresh`]).
fn tshark(args: &[String]) -> String {
    support::tshark::fresh(args)
}

fn wirelab(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("running wirelab");
    assert!(
        out.status.success(),
        "wirelab {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// Splits bash `%q` output (backslash escapes only) into words.
fn unquote(s: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next()
                    && let Some(w) = words.last_mut()
                {
                    w.push(n);
                }
            }
            ' ' => words.push(String::new()),
            _ => {
                if let Some(w) = words.last_mut() {
                    w.push(c);
                }
            }
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// A golden: its capture, tshark's arguments after `-n -r FILE`, and its body.
struct Golden {
    name: String,
    capture: Option<PathBuf>,
    args: Vec<String>,
    body: String,
}

fn golden(name: &str) -> Golden {
    let text = std::fs::read_to_string(golden_dir().join(name))
        .unwrap_or_else(|e| panic!("reading golden {name}: {e}"));
    let (comment, body) = text.split_once('\n').expect("a comment line");
    let source = comment
        .split("source: ")
        .nth(1)
        .and_then(|s| s.split(" |").next())
        .expect("source in the comment")
        .trim()
        .to_string();
    let cmd = comment.split("| tshark ").nth(1).expect("command");
    let words = unquote(cmd);
    // -n -r WHERE ARGS...
    let args = words.get(3..).unwrap_or_default().to_vec();
    Golden {
        name: name.to_string(),
        capture: capture_path(&source).filter(|p| p.exists()),
        args,
        body: body.to_string(),
    }
}

fn goldens(suffix: &str) -> Vec<Golden> {
    let mut names: Vec<String> = std::fs::read_dir(golden_dir())
        .expect("golden dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(suffix))
        .collect();
    names.sort();
    names.iter().map(|n| golden(n)).collect()
}

#[test]
fn goldens_are_what_the_installed_tshark_prints() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut checked = 0;
    for g in goldens("") {
        let Some(capture) = &g.capture else {
            eprintln!("{}: capture not found, skipped", g.name);
            continue;
        };
        let mut args = vec![
            "-n".to_string(),
            "-r".to_string(),
            capture.display().to_string(),
        ];
        args.extend(g.args.iter().cloned());
        let live = tshark(&args);
        assert_eq!(
            live, g.body,
            "{} is stale: re-run scripts/analysis-golden.sh",
            g.name
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} goldens checked");
}

#[test]
fn rtt_samples_are_tsharks_ack_rtt_on_every_capture() {
    let mut compared = 0;
    let mut karn = 0;
    for g in goldens(".ackrtt.tsv") {
        let Some(capture) = &g.capture else { continue };
        let want: BTreeSet<(u64, u64, String)> = g
            .body
            .lines()
            .filter_map(|l| {
                let c: Vec<&str> = l.split('\t').collect();
                match c.as_slice() {
                    [frame, acks, rtt] if !rtt.is_empty() => {
                        Some((frame.parse().ok()?, acks.parse().ok()?, rtt.to_string()))
                    }
                    _ => None,
                }
            })
            .collect();
        let rows = json_lines(&wirelab(&[
            "read",
            capture.to_str().unwrap(),
            "--rtt",
            "--json",
        ]));
        let mut got = BTreeSet::new();
        for r in &rows {
            let ack_rtt = r["ack_rtt"].as_f64();
            if let Some(v) = ack_rtt {
                got.insert((
                    r["ack_frame"].as_u64().unwrap(),
                    r["segment_frame"].as_u64().unwrap(),
                    format!("{v:.9}"),
                ));
            }
            match (r["rtt"].as_f64(), ack_rtt) {
                (Some(s), Some(t)) => assert_eq!(s, t, "{}: sample is not ack_rtt in {r}", g.name),
                (Some(_), None) => panic!("{}: a sample without ack_rtt: {r}", g.name),
                (None, Some(_)) => {
                    assert_eq!(r["note"], "karn", "{}: ack_rtt not sampled: {r}", g.name);
                    karn += 1;
                }
                (None, None) => {}
            }
        }
        assert_eq!(
            got, want,
            "{}: (ack frame, segment, ack_rtt) differ",
            g.name
        );
        compared += want.len();
    }
    assert!(compared > 700, "only {compared} samples compared");
    assert!(karn >= 3, "Karn's rule never applied ({karn})");
}

#[test]
fn karns_rule_refuses_the_samples_of_retransmitted_segments() {
    // tcp-analysis.pcapng: 38001 was sent in frame 80 and again in 84, 85, 86; the ACK in
    // frame 87 names frame 80 (tshark's acks_frame) with 1.459762404 s, which is not a
    // round trip at all.
    let capture = Path::new(ROOT).join("captures/tcp-analysis.pcapng");
    let rows = json_lines(&wirelab(&[
        "read",
        capture.to_str().unwrap(),
        "--rtt",
        "--json",
        "--stream",
        "0",
    ]));
    let row = |f: u64| {
        rows.iter()
            .find(|r| r["segment_frame"] == f)
            .unwrap_or_else(|| panic!("no row for frame {f}"))
    };
    let r80 = row(80);
    assert_eq!(r80["ack_frame"], 87);
    assert_eq!(r80["ack_rtt"].as_f64(), Some(1.459762404));
    assert!(r80["rtt"].is_null());
    assert_eq!(r80["note"], "karn");
    assert_eq!(r80["note_frame"], 84);
    for f in [84, 85, 86] {
        assert_eq!(row(f)["note"], "karn", "frame {f}");
        assert!(row(f)["rtt"].is_null());
    }
    // The estimator did not move: its value before the loss stands.
    assert_eq!(r80["srtt"], row(78)["srtt"]);
    // A cumulative ACK names the segment that got the sample.
    assert_eq!(row(72)["note"], "cumulative");
    assert_eq!(row(72)["note_frame"], 76);
    // No row is left out: the client sent 48 segments with data, SYN or FIN (tshark -Y
    // "tcp.stream==0 && ip.src==10.0.3.2 && (tcp.len>0 || tcp.flags.syn==1 ||
    // tcp.flags.fin==1)" counts them).
    assert_eq!(
        rows.iter().filter(|r| r["src"] == "10.0.3.2:36136").count(),
        48
    );
}

#[test]
fn follow_is_byte_for_byte_tsharks_follow() {
    for g in goldens(".follow-") {
        let Some(capture) = &g.capture else { continue };
        // NAME.follow-PROTO-MODE-N.txt
        let spec = g
            .name
            .rsplit_once(".follow-")
            .unwrap()
            .1
            .trim_end_matches(".txt");
        let parts: Vec<&str> = spec.split('-').collect();
        let [proto, mode, n] = parts[..] else {
            panic!("bad golden name {}", g.name)
        };
        let mut args = vec!["read", capture.to_str().unwrap(), "--follow", n];
        if proto == "udp" {
            args.push("--udp");
        }
        if mode == "hex" {
            args.push("--hex");
        }
        assert_eq!(wirelab(&args), g.body, "{}", g.name);
    }
}

#[test]
fn follow_matches_tshark_live_on_every_stream() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("captures"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    if let Some(p) = public_dir() {
        files.extend(
            std::fs::read_dir(p)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng")),
        );
    }
    files.sort();
    // The same frames in other file formats add nothing here.
    files.retain(|f| {
        let n = f.file_name().unwrap().to_string_lossy();
        !(n.starts_with("tcp-handshake-") || n == "sll2.pcap" || n.ends_with("_sll2.pcap"))
    });
    let mut compared = 0;
    for f in &files {
        let path = f.to_str().unwrap();
        for proto in ["tcp", "udp"] {
            let field = format!("{proto}.stream");
            let ids = tshark(&[
                "-n".into(),
                "-r".into(),
                path.into(),
                "-T".into(),
                "fields".into(),
                "-e".into(),
                field,
            ]);
            let max = ids.lines().filter_map(|l| l.parse::<u32>().ok()).max();
            // At most 3 streams per capture (tls_ciphers has 73 alike; the goldens cover
            // more), to keep the test quick.
            for n in 0..=max.map_or(0, |m| m.min(2)) {
                if max.is_none() {
                    break;
                }
                for mode in ["ascii", "hex"] {
                    let want = tshark(&[
                        "-n".into(),
                        "-r".into(),
                        path.into(),
                        "-q".into(),
                        "-z".into(),
                        format!("follow,{proto},{mode},{n}"),
                    ]);
                    let ns = n.to_string();
                    let mut args = vec!["read", path, "--follow", ns.as_str()];
                    if proto == "udp" {
                        args.push("--udp");
                    }
                    if mode == "hex" {
                        args.push("--hex");
                    }
                    assert_eq!(wirelab(&args), want, "{path} {proto} stream {n} {mode}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 40, "only {compared} follows compared");
}

/// `(frames, bytes, sum)` per interval index of an io,stat table.
fn parse_iostat(text: &str) -> Vec<(u64, u64, u64)> {
    text.lines()
        .filter(|l| l.starts_with('|') && l.contains("<>"))
        .map(|l| {
            let cells: Vec<u64> = l
                .split('|')
                .skip(2)
                .filter_map(|c| c.trim().parse().ok())
                .collect();
            (cells[0], cells[1], cells[2])
        })
        .collect()
}

#[test]
fn throughput_intervals_equal_io_stat() {
    let capture = Path::new(ROOT).join("captures/tcp-analysis.pcapng");
    let mut compared = 0;
    for g in goldens(".iostat-") {
        // NAME.iostat-STREAM-SIDE.txt, the side's address in the filter
        let spec = g
            .name
            .rsplit_once(".iostat-")
            .unwrap()
            .1
            .trim_end_matches(".txt");
        let (stream, _) = spec.split_once('-').unwrap();
        let src = g
            .args
            .iter()
            .find_map(|a| a.split("ip.src==").nth(1))
            .and_then(|s| s.split(',').next())
            .unwrap()
            .to_string();
        let want = parse_iostat(&g.body);
        let rows = json_lines(&wirelab(&[
            "read",
            capture.to_str().unwrap(),
            "--throughput",
            "--stream",
            stream,
            "--json",
        ]));
        let mine: HashMap<u64, (u64, u64, u64)> = rows
            .iter()
            .filter(|r| r["kind"] == "interval")
            .filter(|r| r["src"].as_str().unwrap().starts_with(&format!("{src}:")))
            .map(|r| {
                let k = (r["start"].as_f64().unwrap()).round() as u64;
                (
                    k,
                    (
                        r["frames"].as_u64().unwrap(),
                        r["bytes"].as_u64().unwrap(),
                        r["payload"].as_u64().unwrap(),
                    ),
                )
            })
            .collect();
        for (k, w) in want.iter().enumerate() {
            match mine.get(&(k as u64)) {
                Some(m) => assert_eq!(m, w, "{}: interval {k}", g.name),
                None => assert_eq!(w.0, 0, "{}: interval {k} missing", g.name),
            }
            compared += 1;
        }
        assert!(mine.keys().all(|k| (*k as usize) < want.len()));
    }
    assert!(compared >= 20);
}

#[test]
fn throughput_totals_equal_conv_tcp() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut files = vec![Path::new(ROOT).join("captures/tcp-analysis.pcapng")];
    if let Some(p) = public_dir() {
        files.push(p.join("tls_ciphers.pcap"));
        files.push(p.join("200722_tcp_anon.pcapng"));
    }
    for f in files {
        let path = f.to_str().unwrap();
        let conv = tshark(&[
            "-n".into(),
            "-r".into(),
            path.into(),
            "-q".into(),
            "-z".into(),
            "conv,tcp".into(),
        ]);
        let rows = json_lines(&wirelab(&["read", path, "--throughput", "--json"]));
        let totals: Vec<&Value> = rows.iter().filter(|r| r["kind"] == "total").collect();
        let mut lines = 0;
        for l in conv.lines().filter(|l| l.contains("<->")) {
            let w: Vec<&str> = l.split_whitespace().collect();
            // A <-> B  frames_ba bytes unit frames_ab bytes unit frames bytes unit start duration
            let (a, b) = (w[0], w[2]);
            let frames_ba: u64 = w[3].parse().unwrap();
            let frames_ab: u64 = w[6].parse().unwrap();
            let start: f64 = w[w.len() - 2].parse().unwrap();
            let duration: f64 = w[w.len() - 1].parse().unwrap();
            let find = |src: &str, dst: &str| {
                totals
                    .iter()
                    .find(|t| t["src"] == src && t["dst"] == dst)
                    .map(|t| t["frames"].as_u64().unwrap())
                    .unwrap_or(0)
            };
            assert_eq!(find(a, b), frames_ab, "{path}: {a} → {b}");
            assert_eq!(find(b, a), frames_ba, "{path}: {b} → {a}");
            let t = totals
                .iter()
                .find(|t| (t["src"] == a && t["dst"] == b) || (t["src"] == b && t["dst"] == a))
                .unwrap();
            assert!(
                (t["start"].as_f64().unwrap() - start).abs() < 1e-9,
                "{path}: start"
            );
            assert!(
                (t["duration"].as_f64().unwrap() - duration).abs() < 5e-5,
                "{path}: duration"
            );
            lines += 1;
        }
        assert!(lines >= 2, "{path}: no conversation compared");
    }
}

#[test]
fn tcp_report_answers_the_lab_on_a_public_capture_with_tsharks_numbers() {
    let Some(public) = public_dir() else {
        return;
    };
    let capture = public.join("200722_tcp_anon.pcapng");
    let fields = golden("200722_tcp_anon.pcapng.report-fields.tsv");
    // frame stream src sport flags seq seq_raw ack_raw len win acks_frame ack_rtt retrans
    let rows: Vec<Vec<String>> = fields
        .body
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .filter(|c: &Vec<String>| c.len() == 13 && c[1] == "1")
        .collect();
    let answers: HashMap<String, Value> = json_lines(&wirelab(&[
        "read",
        capture.to_str().unwrap(),
        "--tcp-report",
        "--json",
    ]))
    .into_iter()
    .map(|a| (a["id"].as_str().unwrap().to_string(), a))
    .collect();
    assert_eq!(answers.len(), 12, "every question answered");
    for a in answers.values() {
        assert_eq!(a["stream"], 1, "the stream with most data");
        assert!(
            !a["answer"].as_str().unwrap().is_empty() && !a["how"].as_str().unwrap().is_empty()
        );
    }
    let v = |id: &str, k: &str| answers[id]["values"][k].clone();
    let num = |s: &str| s.parse::<u64>().unwrap();
    let syn = rows.iter().find(|r| r[4] == "0x0002").unwrap();
    let synack = rows.iter().find(|r| r[4] == "0x0012").unwrap();
    assert_eq!(v("syn", "frame"), num(&syn[0]));
    assert_eq!(v("syn", "seq_raw"), num(&syn[6]));
    assert_eq!(v("syn_ack", "seq_raw"), num(&synack[6]));
    assert_eq!(v("syn_ack", "ack_raw"), num(&synack[7]));
    let client = &syn[2];
    let data: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| &r[2] == client && r[8] != "0")
        .collect();
    assert_eq!(v("first_data", "frame"), num(&data[0][0]));
    assert_eq!(v("first_data", "seq"), num(&data[0][5]));
    let six: Vec<u64> = data.iter().take(6).map(|r| num(&r[0])).collect();
    let ints = |x: Value| -> Vec<i64> {
        x.as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ints(v("first_six", "segment_frames")),
        six.iter().map(|&f| f as i64).collect::<Vec<_>>()
    );
    assert_eq!(
        ints(v("first_six", "seqs")),
        data.iter()
            .take(6)
            .map(|r| num(&r[5]) as i64)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        ints(v("lengths", "lens")),
        data.iter()
            .take(6)
            .map(|r| num(&r[8]) as i64)
            .collect::<Vec<_>>()
    );
    // Each RTT is tshark's ack_rtt on the frame that acks the segment.
    let rtts = ints(v("first_six", "rtt_ns"));
    for (seg, rtt) in six.iter().zip(rtts) {
        let acked = rows.iter().find(|r| r[10] == seg.to_string());
        let want = acked.map_or(-1, |r| (r[11].parse::<f64>().unwrap() * 1e9).round() as i64);
        assert_eq!(rtt, want, "RTT of segment {seg}");
    }
    let min_win = rows
        .iter()
        .filter(|r| &r[2] != client && r[4] != "0x0012")
        .map(|r| num(&r[9]))
        .min()
        .unwrap();
    assert_eq!(v("window", "min_window"), min_win);
    let retrans = rows
        .iter()
        .filter(|r| &r[2] == client && r[12] == "1")
        .count() as u64;
    assert_eq!(v("retransmissions", "retransmissions"), retrans);
}

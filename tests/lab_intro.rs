//! `wirelab lab answer intro` (the Kurose & Ross "Wireshark Lab: Getting Started", v8.1) held
//! to an answer key computed here from tshark (`-T fields` and the top lines of `-V`) by
//! plain text parsing that shares nothing with wirelab's dissectors or analysis: on the
//! bundled `captures/app/http.pcap`, the public `simple_http*.pcap` when present, and a
//! capture made here (python3's http.server serving the lab's page, curl fetching it, tcpdump
//! on the client) in two namespaces the test creates.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use support::lab_checks::{answer, answer_json, evidence_is_real, strings};
use support::netns::{Lan, Tcpdump};
use support::proc::Proc;
use support::services::Scratch;
use support::tshark::{Row, get, rows_with, text as tshark};
use support::{Need, repo, require, run};

const ASKED: [&str; 6] = ["TCP", "QUIC", "HTTP", "DNS", "UDP", "TLSv1.2"];
const PAGE: &str = "INTRO-wireshark-file1.html";

const NAMES: &[&str] = &[
    "frame.number",
    "frame.time_relative",
    "ip.src",
    "ip.dst",
    "ipv6.src",
    "ipv6.dst",
    "tcp.dstport",
    "http.request.method",
    "http.request.uri",
    "http.user_agent",
    "http.host",
    "http.response.code",
    "http.request_in",
    "frame.len",
    "frame.cap_len",
];

/// The HTTP frames' [`NAMES`], first occurrence of each.
fn rows(file: &Path) -> Vec<Row> {
    rows_with(file, &["-Y", "http", "-E", "occurrence=f"], NAMES)
}

fn num(r: &Row, n: &str) -> u64 {
    get(r, n).parse().unwrap_or(0)
}

/// The Protocol column's values, counted.
fn columns(file: &Path) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for l in tshark(file, &["-T", "fields", "-e", "_ws.col.Protocol"]).lines() {
        *m.entry(l.to_string()).or_insert(0) += 1;
    }
    m
}

/// The top-level lines of `tshark -V` for one frame (its layers' titles).
fn titles(file: &Path, frame: u64) -> Vec<String> {
    tshark(file, &["-V", "-Y", &format!("frame.number == {frame}")])
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with(' '))
        .map(str::to_string)
        .collect()
}

/// Checks `lab answer intro` on `file` against tshark; returns the report.
fn check_intro(file: &Path) -> Value {
    let r = answer_json("intro", &[file], &[]);
    evidence_is_real(&r);
    assert_eq!(r["answers"].as_array().unwrap().len(), 6, "{r:#}");
    // 1: the six protocols in the Protocol column (`HTTP/JSON` counts as HTTP).
    let cols = columns(file);
    let mut listed = Vec::new();
    for name in ASKED {
        let n: u64 = cols
            .iter()
            .filter(|(c, _)| *c == name || c.starts_with(&format!("{name}/")))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(answer(&r, "1")["values"]["frames"][name], n, "{name} {r:#}");
        if n > 0 {
            listed.push(name);
        }
    }
    assert_eq!(answer(&r, "1")["values"]["listed"], json!(listed));
    assert_eq!(answer(&r, "1")["values"]["columns"], json!(cols));
    // The lab's GET: the intro page's, else the first answered, else the first.
    let all = rows(file);
    let gets: Vec<&Row> = all
        .iter()
        .filter(|x| get(x, "http.request.method") == "GET")
        .collect();
    let reply = |g: &Row| {
        all.iter()
            .find(|x| num(x, "http.request_in") == num(g, "frame.number"))
    };
    let Some(g) = gets
        .iter()
        .find(|g| get(g, "http.request.uri").contains(PAGE))
        .or_else(|| gets.iter().find(|g| reply(g).is_some()))
        .or(gets.first())
    else {
        for id in ["2", "3", "4", "5", "6"] {
            let a = answer(&r, id)["answer"].as_str().unwrap().to_string();
            assert!(a.starts_with("Not in this capture"), "{a}");
        }
        return r;
    };
    let gf = num(g, "frame.number");
    let ok = reply(g);
    let v = |id: &str, n: &str| answer(&r, id)["values"][n].clone();
    // 2: the time from the GET to its reply.
    assert_eq!(v("2", "get_frame"), gf, "{r:#}");
    if let Some(ok) = ok {
        assert_eq!(v("2", "reply_frame"), num(ok, "frame.number"));
        let t = |x: &Row| get(x, "frame.time_relative").parse::<f64>().unwrap();
        let dt = v("2", "seconds").as_f64().unwrap();
        assert!((dt - (t(ok) - t(g))).abs() < 2e-6, "{dt} {r:#}");
        assert_eq!(v("2", "code"), num(ok, "http.response.code"));
    }
    // 3: the two addresses.
    let (src, dst) = match get(g, "ip.src") {
        "" => (get(g, "ipv6.src"), get(g, "ipv6.dst")),
        s => (s, get(g, "ip.dst")),
    };
    assert_eq!(v("3", "client"), src);
    assert_eq!(v("3", "server"), dst);
    match get(g, "http.host") {
        "" => assert!(v("3", "host").is_null()),
        h => assert_eq!(v("3", "host"), h),
    }
    // 4: the User-Agent; 5: the destination port.
    match get(g, "http.user_agent") {
        "" => assert!(v("4", "user_agent").is_null()),
        u => assert_eq!(v("4", "user_agent"), u),
    }
    assert_eq!(v("5", "dst_port"), num(g, "tcp.dstport"));
    // 6: both messages printed layer by layer: tshark's layer titles, and the frame's size.
    let mut printed = vec![(gf, v("6", "get_text"))];
    if let Some(ok) = ok {
        printed.push((num(ok, "frame.number"), v("6", "reply_text")));
    }
    for (frame, text) in printed {
        let lines = strings(&text);
        let tops: Vec<&str> = lines
            .iter()
            .filter(|l| !l.starts_with(' '))
            .map(|l| l.split("  [").next().unwrap_or(l))
            .collect();
        let row = all
            .iter()
            .find(|x| num(x, "frame.number") == frame)
            .unwrap();
        assert_eq!(
            tops.first().copied(),
            Some(
                format!(
                    "Frame {frame}: {} bytes on wire ({} bits), {} bytes captured ({} bits)",
                    num(row, "frame.len"),
                    num(row, "frame.len") * 8,
                    num(row, "frame.cap_len"),
                    num(row, "frame.cap_len") * 8
                )
                .as_str()
            )
        );
        for t in titles(file, frame) {
            let layer = [
                "Internet Protocol",
                "Transmission Control Protocol",
                "Hypertext Transfer Protocol",
                "Linux cooked",
            ]
            .iter()
            .any(|p| t.starts_with(p));
            if layer {
                assert!(tops.contains(&t.as_str()), "{t:?} not in {tops:#?}");
            }
        }
        let u = get(g, "http.user_agent");
        if frame == gf && !u.is_empty() {
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains(&format!("User-Agent: {u}"))),
                "{lines:#?}"
            );
        }
    }
    r
}

#[test]
fn lab_answer_intro_matches_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let r = check_intro(&repo("captures/app/http.pcap"));
    assert_eq!(answer(&r, "1")["values"]["listed"], json!(["TCP", "HTTP"]));
    assert_eq!(answer(&r, "4")["values"]["user_agent"], "curl/7.88.1");
    // No HTTP: question 1 still answered, the others say what to capture.
    check_intro(&repo("captures/app/dns.pcap"));
    if require(Need::PublicCaptures) {
        let dir = support::public_captures();
        for f in ["simple_http.pcap", "simple_http_sll2.pcap"] {
            let r = check_intro(&dir.join(f));
            assert!(
                answer(&r, "4")["values"]["user_agent"]
                    .as_str()
                    .unwrap()
                    .contains("Firefox")
            );
        }
    }
}

/// The lab's page served by python3's http.server, fetched by curl, captured by tcpdump.
#[test]
fn lab_answer_intro_on_a_capture_made_here() {
    if !require(Need::Root) || !require(Need::Tool("tshark")) || !require(Need::Tool("curl")) {
        return;
    }
    let dir = Scratch::new("intro");
    let site = dir.path().join("site/wireshark-labs");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join(PAGE),
        "<html>\nCongratulations!  You've downloaded the first Wireshark lab file!\n</html>\n",
    )
    .unwrap();
    let lan = Lan::new("intro");
    let mut srv = lan.server.command("python3");
    srv.args(["-u", "-m", "http.server", "80", "--bind", Lan::SERVER])
        .arg("--directory")
        .arg(dir.path().join("site"));
    let _server = Proc::spawn("http.server", srv);
    // Wait until it answers (bounded).
    let url = format!("http://{}/wireshark-labs/{PAGE}", Lan::SERVER);
    let mut up = false;
    for _ in 0..100 {
        let ok = lan
            .client
            .command("curl")
            .args(["-s", "-o", "/dev/null", "--max-time", "2", &url])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "http.server did not answer");
    let pcap = dir.path().join("intro.pcap");
    let dump = Tcpdump::start(&lan.client, Lan::DEV, &pcap, &[]);
    run(lan
        .client
        .command("curl")
        .args(["-s", "-o", "/dev/null", "--max-time", "5", &url]));
    let pcap = dump.stop();
    let r = check_intro(&pcap);
    assert!(
        answer(&r, "2")["answer"]
            .as_str()
            .unwrap()
            .contains(&format!("/wireshark-labs/{PAGE}"))
    );
    assert_eq!(answer(&r, "3")["values"]["server"], Lan::SERVER);
    assert_eq!(answer(&r, "3")["values"]["client"], Lan::CLIENT);
    assert_eq!(answer(&r, "5")["values"]["dst_port"], 80);
}

#[test]
fn walkthrough_intro_is_answered_as_tshark_reads_it() {
    let Some((dir, out)) = support::walk::walk("intro.sh") else {
        return;
    };
    let r = check_intro(&dir.join("a.pcapng"));
    // curl looked gaia.wirelab.test up, then fetched the page from S.
    assert_eq!(
        answer(&r, "1")["values"]["listed"],
        json!(["TCP", "HTTP", "DNS"]),
        "{r:#}"
    );
    assert_eq!(answer(&r, "3")["values"]["server"], "10.0.4.1");
    assert_eq!(answer(&r, "3")["values"]["client"], "10.0.3.1");
    assert_eq!(answer(&r, "3")["values"]["host"], "gaia.wirelab.test");
    assert_eq!(answer(&r, "2")["values"]["code"], 200);
    for text in [
        "HTTP 200",
        "6 Print the two HTTP messages",
        "Hypertext Transfer Protocol",
    ] {
        assert!(out.contains(text), "no {text:?}\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

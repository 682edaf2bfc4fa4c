//! `wirelab lab answer dns` (the Kurose & Ross "Wireshark Lab: DNS", v8.1) held to an answer
//! key computed here from tshark's fields (`tshark -n -r FILE -T fields -e dns.…`) by plain
//! text parsing that shares nothing with wirelab's dissectors or analysis: on the bundled
//! DNS captures (dnsmasq asked by dig and nslookup over UDP and TCP) and on the public
//! captures that hold DNS, when present.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use support::lab_checks::{answer, answer_json};
use support::{Need, repo, require, run};

const NAMES: &[&str] = &[
    "frame.number",
    "ip.src",
    "ip.dst",
    "udp.srcport",
    "udp.dstport",
    "tcp.srcport",
    "tcp.dstport",
    "dns.id",
    "dns.flags.response",
    "dns.flags.authoritative",
    "dns.qry.name",
    "dns.qry.type",
    "dns.count.queries",
    "dns.count.answers",
    "dns.resp.name",
    "dns.resp.type",
    "dns.resp.ttl",
    "dns.a",
    "dns.ns",
];

/// Rows of `-T fields` for the frames `filter` shows (multiple values joined by `,`).
fn fields(file: &Path, filter: &str, names: &[&str]) -> Vec<BTreeMap<String, String>> {
    let mut args = vec!["-Y", filter, "-T", "fields", "-E", "occurrence=a"];
    for n in names {
        args.extend(["-e", n]);
    }
    let out = run(Command::new("tshark")
        .env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .env("HOME", "/nonexistent")
        .args(["-n", "-r"])
        .arg(file)
        .args(&args));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            names
                .iter()
                .map(|n| n.to_string())
                .zip(l.split('\t').map(str::to_string))
                .collect()
        })
        .collect()
}

/// A number (the first of a list); 0 for an absent field.
fn num(s: &str) -> u64 {
    let s = s.split(',').next().unwrap_or(s);
    if s.is_empty() {
        return 0;
    }
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")),
    }
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// One DNS message as tshark shows it.
#[derive(Debug, Clone)]
struct Msg {
    frame: u64,
    tcp: bool,
    src: (String, u64),
    dst: (String, u64),
    id: u64,
    response: bool,
    aa: bool,
    qtype: u64,
    answers: u64,
    resp_names: Vec<String>,
    resp_types: Vec<u64>,
    resp_ttls: Vec<u64>,
    a: Vec<String>,
    ns: Vec<String>,
}

fn msgs(file: &Path) -> Vec<Msg> {
    fields(file, "dns", NAMES)
        .into_iter()
        .flat_map(|r| {
            // Several messages in one TCP segment: one value each (queries only here).
            let n = r["dns.id"].split(',').count();
            (0..n).map(move |i| {
                let mut r = r.clone();
                if n > 1 {
                    assert!(r["dns.resp.name"].is_empty(), "{r:?}");
                    for k in [
                        "dns.id",
                        "dns.flags.response",
                        "dns.flags.authoritative",
                        "dns.qry.type",
                        "dns.count.answers",
                    ] {
                        let v = r[k].split(',').nth(i).unwrap_or("").to_string();
                        r.insert(k.to_string(), v);
                    }
                }
                r
            })
        })
        .map(|r| {
            let tcp = !r["tcp.srcport"].is_empty();
            let (sp, dp) = if tcp {
                (&r["tcp.srcport"], &r["tcp.dstport"])
            } else {
                (&r["udp.srcport"], &r["udp.dstport"])
            };
            Msg {
                frame: num(&r["frame.number"]),
                tcp,
                src: (r["ip.src"].clone(), num(sp)),
                dst: (r["ip.dst"].clone(), num(dp)),
                id: num(&r["dns.id"]),
                response: r["dns.flags.response"] == "1" || r["dns.flags.response"] == "True",
                aa: r["dns.flags.authoritative"] == "1" || r["dns.flags.authoritative"] == "True",
                qtype: num(&r["dns.qry.type"]),
                answers: num(&r["dns.count.answers"]),
                resp_names: list(&r["dns.resp.name"]),
                resp_types: list(&r["dns.resp.type"]).iter().map(|t| num(t)).collect(),
                resp_ttls: list(&r["dns.resp.ttl"]).iter().map(|t| num(t)).collect(),
                a: list(&r["dns.a"]),
                ns: list(&r["dns.ns"]),
            }
        })
        .collect()
}

fn response<'a>(all: &'a [Msg], q: &Msg) -> Option<&'a Msg> {
    all.iter().find(|r| {
        r.response && r.frame >= q.frame && r.id == q.id && r.src == q.dst && r.dst == q.src
    })
}

fn query(all: &[Msg], qtype: Option<u64>) -> Option<&Msg> {
    let qs: Vec<&Msg> = all
        .iter()
        .filter(|m| !m.response && qtype.is_none_or(|t| m.qtype == t))
        .collect();
    qs.iter()
        .find(|q| response(all, q).is_some())
        .or(qs.first())
        .copied()
}

fn type_name(t: u64) -> Option<&'static str> {
    Some(match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        _ => return None,
    })
}

fn val(r: &Value, id: &str, name: &str) -> Value {
    answer(r, id)["values"][name].clone()
}

/// Checks `lab answer dns` on `file` against tshark; returns the report.
fn check_dns(file: &Path) -> Value {
    let all = msgs(file);
    let r = answer_json("dns", &[file], &[]);
    let Some(q) = query(&all, Some(1))
        .or(query(&all, Some(28)))
        .or(query(&all, None))
    else {
        assert!(
            answer(&r, "4")["answer"]
                .as_str()
                .unwrap()
                .contains("No DNS query"),
            "{r:#}"
        );
        return r;
    };
    let rsp = response(&all, q);
    // 4: the query and its response, UDP or TCP.
    assert_eq!(val(&r, "4", "query_frame"), q.frame, "{r:#}");
    assert_eq!(
        val(&r, "4", "query_transport"),
        if q.tcp { "TCP" } else { "UDP" }
    );
    assert_eq!(val(&r, "4", "response_frame"), json!(rsp.map(|x| x.frame)));
    // 5: ports.
    assert_eq!(val(&r, "5", "query_dst_port"), q.dst.1);
    assert_eq!(
        val(&r, "5", "response_src_port"),
        json!(rsp.map(|x| x.src.1))
    );
    // 6: where the query goes.
    assert_eq!(val(&r, "6", "query_dst"), q.dst.0.as_str());
    // 7: its type, no answers.
    assert_eq!(val(&r, "7", "qtype_number"), q.qtype);
    assert_eq!(val(&r, "7", "answers"), q.answers);
    // 8: the response's answers, record by record.
    if let Some(x) = rsp {
        assert_eq!(val(&r, "8", "answers"), x.answers);
        let n = x.answers as usize;
        let recs = val(&r, "8", "records");
        let recs = recs.as_array().unwrap();
        assert_eq!(recs.len(), n, "{r:#}");
        let mut a = x.a.iter();
        for (i, rec) in recs.iter().enumerate() {
            assert_eq!(rec["name"], x.resp_names[i].as_str());
            assert_eq!(rec["ttl"], x.resp_ttls[i]);
            if let Some(t) = type_name(x.resp_types[i]) {
                assert_eq!(rec["type"], t);
            }
            if x.resp_types[i] == 1 {
                assert_eq!(rec["data"], a.next().unwrap().as_str());
            }
        }
        // 9: the next SYN from the querying host (not DNS over TCP).
        let syn = fields(
            file,
            "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport != 53",
            &["frame.number", "ip.src", "ip.dst"],
        )
        .into_iter()
        .find(|s| num(&s["frame.number"]) > x.frame && s["ip.src"] == q.src.0);
        assert_eq!(
            answer(&r, "9")["values"].get("syn_frame").cloned(),
            syn.as_ref().map(|s| json!(num(&s["frame.number"]))),
            "{r:#}"
        );
    }
    // 16: the NS lookup's name servers.
    match query(&all, Some(2)).and_then(|q| response(&all, q).map(|x| (q, x))) {
        Some((q, x)) => {
            assert_eq!(val(&r, "16", "query_frame"), q.frame);
            assert_eq!(val(&r, "16", "response_frame"), x.frame);
            let k = x
                .resp_types
                .iter()
                .take(x.answers as usize)
                .filter(|&&t| t == 2)
                .count();
            assert_eq!(val(&r, "16", "name_servers"), json!(x.ns[..k]));
        }
        None => assert!(answer(&r, "16")["values"].get("name_servers").is_none()),
    }
    // aa: authoritative responses.
    let responses: Vec<&Msg> = all.iter().filter(|m| m.response).collect();
    assert_eq!(val(&r, "aa", "responses"), responses.len());
    assert_eq!(
        val(&r, "aa", "authoritative"),
        responses.iter().filter(|m| m.aa).count()
    );
    // id: every query paired by its transaction ID.
    let pairs: Vec<Value> = all
        .iter()
        .filter(|m| !m.response)
        .map(|q| json!([q.frame, response(&all, q).map(|x| x.frame)]))
        .collect();
    let got: Vec<Value> = val(&r, "id", "pairs")
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!([p["query"], p["response"]]))
        .collect();
    assert_eq!(got, pairs);
    r
}

#[test]
fn lab_answer_dns_matches_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let r = check_dns(&repo("captures/app/dns.pcap"));
    assert_eq!(val(&r, "7", "qtype"), "A");
    assert_eq!(val(&r, "16", "name_servers"), json!(["ns1.wirelab.test"]));
    check_dns(&repo("captures/app/dns-tcp-split.pcap"));
    // A capture without DNS says what to capture.
    check_dns(&repo("captures/arp.pcapng"));
    if require(Need::PublicCaptures) {
        let dir = support::public_captures();
        for f in ["teardrop.pcap", "simple_http.pcap"] {
            check_dns(&dir.join(f));
        }
    }
}

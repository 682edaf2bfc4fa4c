//! `wirelab lab answer dns` (the Kurose & Ross "Wireshark Lab: DNS", v8.1) held to an answer
//! key computed here from tshark's fields (`tshark -n -r FILE -T fields -e dns.…`) by plain
//! text parsing that shares nothing with wirelab's dissectors or analysis: on the bundled
//! DNS captures (dnsmasq asked by dig and nslookup over UDP and TCP), on the public
//! captures that hold DNS, when present, and on a capture made here (a dnsmasq resolver and
//! a dnsmasq authoritative server asked by nslookup, dig and curl, in namespaces).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use support::lab_checks::{answer, answer_json};
use support::netns::{Lan, Tcpdump};
use support::proc::Proc;
use support::services::{DNSMASQ, Scratch};
use support::tshark::{self, values as list};
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
    "dns.aaaa",
    "dns.ns",
    "dns.count.add_rr",
];

/// Rows of `-T fields` for the frames `filter` shows (multiple values joined by `,`).
fn fields(file: &Path, filter: &str, names: &[&str]) -> Vec<BTreeMap<String, String>> {
    support::tshark_rows_joined(file, filter, names, ',')
}

/// A number (the first of a list); 0 for an absent field.
fn num(s: &str) -> u64 {
    tshark::number(s).unwrap_or(0)
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
    qname: String,
    qtype: u64,
    questions: u64,
    answers: u64,
    add_rr: u64,
    resp_names: Vec<String>,
    resp_types: Vec<u64>,
    resp_ttls: Vec<u64>,
    a: Vec<String>,
    aaaa: Vec<String>,
    ns: Vec<String>,
}

fn msgs(file: &Path) -> Vec<Msg> {
    // DNS messages: an ICMP error quoting one matches tshark's `dns` too, but is not one.
    fields(file, "dns && !icmp && !icmpv6", NAMES)
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
                        "dns.qry.name",
                        "dns.count.queries",
                        "dns.count.answers",
                        "dns.count.add_rr",
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
                qname: r["dns.qry.name"]
                    .split(',')
                    .next()
                    .unwrap_or("")
                    .to_string(),
                qtype: num(&r["dns.qry.type"]),
                questions: num(&r["dns.count.queries"]),
                answers: num(&r["dns.count.answers"]),
                add_rr: num(&r["dns.count.add_rr"]),
                resp_names: list(&r["dns.resp.name"]),
                resp_types: list(&r["dns.resp.type"]).iter().map(|t| num(t)).collect(),
                resp_ttls: list(&r["dns.resp.ttl"]).iter().map(|t| num(t)).collect(),
                a: list(&r["dns.a"]),
                aaaa: list(&r["dns.aaaa"]),
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

/// A GET as tshark shows it: frame, URI, Host (its port left out), destination address.
struct Get {
    frame: u64,
    uri: String,
    host: String,
    v6: bool,
}

fn gets(file: &Path) -> Vec<Get> {
    fields(
        file,
        "http.request.method == \"GET\"",
        &["frame.number", "http.request.uri", "http.host", "ipv6.dst"],
    )
    .into_iter()
    .map(|r| {
        let h = r["http.host"].clone();
        let host = match h.rsplit_once(':') {
            Some((n, p)) if !n.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => {
                n.to_string()
            }
            _ => h,
        };
        Get {
            frame: num(&r["frame.number"]),
            uri: r["http.request.uri"].clone(),
            host,
            v6: !r["ipv6.dst"].is_empty(),
        }
    })
    .collect()
}

/// The last query for `host` after frame `after` and before `get`: of type A (AAAA for an
/// IPv6 GET) if there is one, else any type.
fn query_before<'a>(all: &'a [Msg], get: &Get, host: &str, after: u64) -> Option<&'a Msg> {
    let want = if get.v6 { 28 } else { 1 };
    let qs: Vec<&Msg> = all
        .iter()
        .filter(|m| {
            !m.response
                && m.frame > after
                && m.frame < get.frame
                && m.qname.eq_ignore_ascii_case(host)
        })
        .collect();
    qs.iter()
        .rev()
        .find(|m| m.qtype == want)
        .or(qs.last())
        .copied()
}

/// The addresses among a response's answers, in order.
fn answer_addresses(x: &Msg) -> Vec<String> {
    let (mut a, mut aaaa) = (x.a.iter(), x.aaaa.iter());
    x.resp_types
        .iter()
        .take(x.answers as usize)
        .filter_map(|t| match t {
            1 => a.next().cloned(),
            28 => aaaa.next().cloned(),
            _ => None,
        })
        .collect()
}

/// Checks `lab answer dns` on `file` against tshark; returns the report.
fn check_dns(file: &Path) -> Value {
    let all = msgs(file);
    let r = answer_json("dns", &[file], &[]);
    let numbered = r["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["id"].as_str().unwrap().parse::<u8>().is_ok())
        .count();
    assert_eq!(numbered, 18, "{r:#}");
    // Which message each part is about.
    let gs = gets(file);
    let base = gs
        .iter()
        .find(|g| g.uri.ends_with("/kurose_ross/"))
        .or(gs.first());
    let by_host = base.and_then(|g| {
        all.iter()
            .find(|m| !m.response && m.qname.eq_ignore_ascii_case(&g.host))
    });
    let lab = query(&all, Some(1))
        .or(query(&all, Some(28)))
        .or(query(&all, None));
    let web = by_host.or(lab);
    let look = match by_host {
        Some(w) => all
            .iter()
            .find(|m| {
                !m.response
                    && m.qtype == 1
                    && !m.qname.eq_ignore_ascii_case(&w.qname)
                    && response(&all, m).is_some()
            })
            .or(Some(w)),
        None => lab,
    };
    let Some(q) = web else {
        assert!(
            answer(&r, "5")["answer"]
                .as_str()
                .unwrap()
                .contains("no DNS query"),
            "{r:#}"
        );
        return r;
    };
    let rsp = response(&all, q);
    // The default local DNS server: where most queries go (when no other address ties).
    let mut dsts: BTreeMap<&str, u64> = BTreeMap::new();
    for m in all.iter().filter(|m| !m.response) {
        *dsts.entry(m.dst.0.as_str()).or_default() += 1;
    }
    let most = dsts.values().max().copied().unwrap_or(0);
    let usual: Vec<&str> = dsts
        .iter()
        .filter(|(_, n)| **n == most)
        .map(|(d, _)| *d)
        .collect();
    let is_default = |id: &str, m: &Msg| {
        if usual.len() == 1 {
            assert_eq!(
                val(&r, id, "default_server"),
                usual[0] == m.dst.0,
                "{id} {r:#}"
            );
        }
    };
    // 5, 6: the first query for the web server's name and its response, UDP or TCP.
    assert_eq!(val(&r, "5", "query_frame"), q.frame, "{r:#}");
    assert_eq!(
        val(&r, "5", "query_transport"),
        if q.tcp { "TCP" } else { "UDP" }
    );
    assert_eq!(val(&r, "6", "response_frame"), json!(rsp.map(|x| x.frame)));
    // 7: ports.
    assert_eq!(val(&r, "7", "query_dst_port"), q.dst.1);
    assert_eq!(
        val(&r, "7", "response_src_port"),
        json!(rsp.map(|x| x.src.1))
    );
    // 8: where the query goes.
    assert_eq!(val(&r, "8", "query_dst"), q.dst.0.as_str());
    is_default("8", q);
    // 9: one question, no answers.
    assert_eq!(val(&r, "9", "questions"), q.questions);
    assert_eq!(val(&r, "9", "answers"), q.answers);
    // 10: the response's answers, record by record.
    if let Some(x) = rsp {
        assert_eq!(val(&r, "10", "questions"), x.questions);
        assert_eq!(val(&r, "10", "answers"), x.answers);
        let n = x.answers as usize;
        let recs = val(&r, "10", "records");
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
        // syn: the next SYN from the querying host (not DNS over TCP).
        let syn = fields(
            file,
            "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport != 53",
            &["frame.number", "ip.src", "ip.dst"],
        )
        .into_iter()
        .find(|s| num(&s["frame.number"]) > x.frame && s["ip.src"] == q.src.0);
        assert_eq!(
            answer(&r, "syn")["values"].get("syn_frame").cloned(),
            syn.as_ref().map(|s| json!(num(&s["frame.number"]))),
            "{r:#}"
        );
    }
    // 11: the base page's GET, the lookup before it, the image's GET and the lookup before
    // that.
    match base {
        Some(g) => {
            let q1 = query_before(&all, g, &g.host, 0);
            assert_eq!(val(&r, "11", "base_get_frame"), g.frame);
            assert_eq!(val(&r, "11", "query_frame"), json!(q1.map(|m| m.frame)));
            assert_eq!(
                val(&r, "11", "response_frame"),
                json!(q1.and_then(|m| response(&all, m)).map(|m| m.frame))
            );
            let later: Vec<&Get> = gs
                .iter()
                .filter(|x| x.frame > g.frame && x.uri != g.uri)
                .collect();
            let img = later
                .iter()
                .find(|x| {
                    let u = x.uri.to_ascii_lowercase();
                    [".jpg", ".jpeg", ".png", ".gif"]
                        .iter()
                        .any(|e| u.ends_with(e))
                })
                .or(later.first());
            assert_eq!(
                val(&r, "11", "image_get_frame"),
                json!(img.map(|x| x.frame))
            );
            let host = img.map_or(g.host.as_str(), |x| {
                if x.host.is_empty() { &g.host } else { &x.host }
            });
            let q2 = img.and_then(|x| query_before(&all, x, host, g.frame));
            assert_eq!(
                val(&r, "11", "image_query_frame"),
                json!(q2.map(|m| m.frame))
            );
        }
        None => assert!(
            answer(&r, "11")["answer"]
                .as_str()
                .unwrap()
                .starts_with("Not in this capture")
        ),
    }
    // 1-3 and 12-15: the nslookup query.
    let l = look.unwrap();
    let lr = response(&all, l);
    assert_eq!(val(&r, "12", "query_frame"), l.frame, "{r:#}");
    assert_eq!(val(&r, "12", "query_dst_port"), l.dst.1);
    assert_eq!(
        val(&r, "12", "response_src_port"),
        json!(lr.map(|x| x.src.1))
    );
    assert_eq!(val(&r, "13", "query_dst"), l.dst.0.as_str());
    is_default("13", l);
    assert_eq!(val(&r, "14", "qtype_number"), l.qtype);
    assert_eq!(val(&r, "14", "answers"), l.answers);
    if let Some(x) = lr {
        assert_eq!(val(&r, "1", "query_frame"), l.frame);
        assert_eq!(val(&r, "1", "addresses"), json!(answer_addresses(x)));
        assert_eq!(val(&r, "2", "server"), x.src.0.as_str());
        assert_eq!(val(&r, "3", "authoritative"), x.aa);
        assert_eq!(val(&r, "15", "questions"), x.questions);
        assert_eq!(val(&r, "15", "answers"), x.answers);
    }
    // 4 and 16-18: the NS lookup.
    match query(&all, Some(2)) {
        Some(nq) => {
            assert_eq!(val(&r, "16", "query_frame"), nq.frame);
            assert_eq!(val(&r, "16", "query_dst"), nq.dst.0.as_str());
            is_default("16", nq);
            assert_eq!(val(&r, "17", "questions"), nq.questions);
            assert_eq!(val(&r, "17", "answers"), nq.answers);
            if let Some(x) = response(&all, nq) {
                assert_eq!(val(&r, "18", "response_frame"), x.frame);
                assert_eq!(val(&r, "18", "answers"), x.answers);
                assert_eq!(val(&r, "18", "add_rr"), x.add_rr);
                let k = x
                    .resp_types
                    .iter()
                    .take(x.answers as usize)
                    .filter(|&&t| t == 2)
                    .count();
                assert_eq!(val(&r, "18", "name_servers"), json!(x.ns[..k]));
                if k > 0 {
                    assert_eq!(val(&r, "4", "name_server"), x.ns[0].as_str());
                }
            }
        }
        None => {
            assert!(answer(&r, "18")["values"].get("name_servers").is_none());
            assert!(
                answer(&r, "4")["answer"]
                    .as_str()
                    .unwrap()
                    .starts_with("Not in this capture")
            );
        }
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
    assert_eq!(val(&r, "14", "qtype"), "A");
    assert_eq!(val(&r, "18", "name_servers"), json!(["ns1.wirelab.test"]));
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

/// `/etc/netns/NAME/resolv.conf` (what `ip netns exec` shows as /etc/resolv.conf in that
/// namespace); Drop removes the directory.
struct Resolv(PathBuf);

impl Resolv {
    fn new(ns: &str, text: &str) -> Resolv {
        let dir = PathBuf::from("/etc/netns").join(ns);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("resolv.conf"), text).unwrap();
        Resolv(dir)
    }
}

impl Drop for Resolv {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The lab played by the system's own programs in two namespaces the test creates: on the
/// server side a dnsmasq resolver (10.0.3.1, forwarding wirelab.test), a dnsmasq
/// authoritative for wirelab.test (10.0.3.53) and python3's http.server with the
/// `kurose_ross/` page and its image; on the client, nslookup, dig and curl, captured by
/// tcpdump.
#[test]
fn lab_answer_dns_on_a_capture_made_here() {
    if !require(Need::Root) {
        return;
    }
    for t in [
        "tshark", "tcpdump", "dnsmasq", "nslookup", "dig", "curl", "python3",
    ] {
        if !require(Need::Tool(t)) {
            return;
        }
    }
    let dir = Scratch::new("dns");
    let site = dir.path().join("site/kurose_ross");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<html><img src=\"header_graphic_book_8E_2.jpg\"></html>\n",
    )
    .unwrap();
    std::fs::write(
        site.join("header_graphic_book_8E_2.jpg"),
        [0xffu8, 0xd8, 0xff, 0xd9],
    )
    .unwrap();
    let lan = Lan::new("dnsl");
    lan.server
        .ip(&["addr", "add", "10.0.3.53/24", "dev", Lan::DEV]);
    let _resolv = Resolv::new(&lan.client.name, "nameserver 10.0.3.1\n");
    let dnsmasq = |args: &[String]| {
        let mut c = lan.server.command("dnsmasq");
        c.args(DNSMASQ).arg("--bind-interfaces").args(args);
        c
    };
    let pid = |n: &str| format!("--pid-file={}", dir.path().join(n).display());
    let _auth = Proc::spawn(
        "dnsmasq auth",
        dnsmasq(&[
            pid("auth.pid"),
            "--listen-address=10.0.3.53".into(),
            "--auth-server=ns1.wirelab.test,10.0.3.53".into(),
            "--auth-zone=wirelab.test".into(),
            "--auth-soa=2026010501,hostmaster.wirelab.test".into(),
            "--host-record=ns1.wirelab.test,10.0.3.53".into(),
            "--host-record=www.wirelab.test,10.0.3.1".into(),
            "--host-record=gaia.wirelab.test,10.0.3.1".into(),
        ]),
    );
    let _resolver = Proc::spawn(
        "dnsmasq resolver",
        dnsmasq(&[
            pid("resolver.pid"),
            "--listen-address=10.0.3.1".into(),
            "--server=/wirelab.test/10.0.3.53".into(),
        ]),
    );
    let mut web = lan.server.command("python3");
    web.args(["-m", "http.server", "80", "--bind", Lan::SERVER])
        .arg("--directory")
        .arg(dir.path().join("site"));
    let _web = Proc::spawn("http.server", web);
    // Wait until both DNS servers and the web server answer (bounded).
    let ready = |cmd: &mut Command| {
        (0..100).any(|_| {
            let ok = cmd
                .output()
                .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
            if !ok {
                std::thread::sleep(Duration::from_millis(100));
            }
            ok
        })
    };
    for server in ["@10.0.3.53", "@10.0.3.1"] {
        assert!(
            ready(lan.client.command("dig").args([
                server,
                "+short",
                "+time=1",
                "+tries=1",
                "www.wirelab.test"
            ])),
            "{server} does not answer"
        );
    }
    assert!(ready(lan.client.command("curl").args([
        "-s",
        "--max-time",
        "2",
        "http://10.0.3.1/kurose_ross/"
    ])));
    let pcap = dir.path().join("dns.pcap");
    let dump = Tcpdump::start(&lan.client, Lan::DEV, &pcap, &[]);
    let on = |args: &[&str]| {
        let (p, rest) = args.split_first().unwrap();
        run(lan.client.command(p).args(rest));
    };
    on(&["nslookup", "-timeout=2", "www.wirelab.test"]);
    on(&["nslookup", "-timeout=2", "-type=NS", "wirelab.test"]);
    on(&["nslookup", "-timeout=2", "www.wirelab.test", "10.0.3.53"]);
    for page in ["", "header_graphic_book_8E_2.jpg"] {
        on(&[
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "--max-time",
            "5",
            &format!("http://gaia.wirelab.test/kurose_ross/{page}"),
        ]);
    }
    on(&["dig", "+tcp", "+time=2", "+tries=1", "wirelab.test", "NS"]);
    let pcap = dump.stop();
    let r = check_dns(&pcap);
    assert_eq!(val(&r, "1", "qname"), "www.wirelab.test", "{r:#}");
    assert_eq!(val(&r, "1", "addresses"), json!(["10.0.3.1"]));
    assert_eq!(val(&r, "2", "server"), "10.0.3.1");
    assert!(val(&r, "3", "other_frame").is_u64(), "{r:#}");
    assert_eq!(val(&r, "4", "name_server"), "ns1.wirelab.test");
    assert_eq!(val(&r, "5", "qname"), "gaia.wirelab.test");
    assert_eq!(val(&r, "13", "default_server"), true);
    assert!(val(&r, "11", "image_query_frame").is_u64(), "{r:#}");
    assert_eq!(val(&r, "18", "name_servers"), json!(["ns1.wirelab.test"]));
}

#[test]
fn walkthrough_dns_is_answered_as_tshark_reads_it() {
    let Some((dir, out)) = support::walk::walk("dns.sh") else {
        return;
    };
    let r = check_dns(&dir.join("a.pcapng"));
    // Part 1 and 4: nslookup www.wirelab.test asked R (non-authoritative), then S
    // (authoritative).
    assert_eq!(val(&r, "1", "qname"), "www.wirelab.test", "{r:#}");
    assert_eq!(val(&r, "1", "addresses"), json!(["10.0.4.1"]));
    assert_eq!(val(&r, "2", "server"), "10.0.3.254");
    assert_eq!(val(&r, "3", "authoritative"), false);
    assert_eq!(val(&r, "3", "other_authoritative"), true);
    assert_eq!(val(&r, "13", "default_server"), true);
    // Part 3: curl's lookups of gaia.wirelab.test, one before each GET (no cache in curl).
    assert_eq!(val(&r, "5", "qname"), "gaia.wirelab.test");
    assert_eq!(val(&r, "8", "query_dst"), "10.0.3.254");
    assert!(val(&r, "11", "image_get_frame").is_u64(), "{r:#}");
    assert!(val(&r, "11", "image_query_frame").is_u64(), "{r:#}");
    // Part 5: the zone's two name servers (the resolver rotates their order).
    let mut ns = support::lab_checks::strings(&val(&r, "18", "name_servers"));
    assert!(ns.contains(&val(&r, "4", "name_server").as_str().unwrap().to_string()));
    ns.sort();
    assert_eq!(ns, ["ns1.wirelab.test", "ns2.wirelab.test"]);
    for text in [
        "Non-authoritative answer:",
        "18 Examine the DNS response message",
    ] {
        assert!(out.contains(text), "no {text:?}\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

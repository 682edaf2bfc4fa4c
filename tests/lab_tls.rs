//! `wirelab lab answer tls` (the Kurose & Ross Wireshark Lab: TLS, v8.1) held to an answer key
//! computed here from tshark's own view (`tshark -T json --no-duplicate-keys`, plain JSON
//! walking that shares nothing with wirelab's dissectors or analysis): on the bundled
//! `captures/app/tls12.pcap` and `tls13.pcap`, on the public `tls_ciphers.pcap`, and on
//! captures made here with tcpdump in two namespaces, `openssl s_server -tls1_2` serving a
//! certificate signed by a CA the test makes, fetched with `curl --tls-max 1.2` and with
//! `openssl s_client`; and on the capture of the walkthrough `scripts/labs/tls.sh`, run end to
//! end in a routed lab of its own with the lab's services (nginx on S, the lab CA).

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::lab_checks::{answer, answer_json, evidence_is_real};
use support::netns::{Lan, Tcpdump};
use support::proc::Proc;
use support::tshark::stdout as tshark;
use support::walk::walk_needing;
use support::{Need, repo, require, run};

/// Every value under `key`, anywhere below `v` (arrays flattened).
fn all<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == key {
                    match x {
                        Value::Array(a) => out.extend(a.iter()),
                        _ => out.push(x),
                    }
                } else {
                    all(x, key, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| all(x, key, out)),
        _ => {}
    }
}

fn under<'a>(v: &'a Value, key: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    all(v, key, &mut out);
    out
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    under(v, key)
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn first(v: &Value, key: &str) -> Option<String> {
    strs(v, key).into_iter().next()
}

fn hexnum(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

/// One TLS frame as tshark shows it.
struct F {
    no: u64,
    stream: u64,
    src: String,
    sport: u64,
    dport: u64,
    tls: Value,
}

impl F {
    fn hs(&self) -> Vec<String> {
        strs(&self.tls, "tls.handshake.type")
    }
    fn has(&self, t: &str) -> bool {
        self.hs().iter().any(|x| x == t)
    }
    fn ct(&self) -> Vec<String> {
        let mut v = strs(&self.tls, "tls.record.content_type");
        v.extend(strs(&self.tls, "tls.record.opaque_type"));
        v
    }
    fn has_ct(&self, t: &str) -> bool {
        self.ct().iter().any(|x| x == t)
    }
}

fn tls_frames(file: &Path) -> Vec<F> {
    let out = tshark(file, &["-Y", "tls", "-T", "json", "--no-duplicate-keys"]);
    let v: Value = serde_json::from_slice(&out).unwrap_or(json!([]));
    v.as_array()
        .map(|a| a.as_slice())
        .unwrap_or(&[])
        .iter()
        .map(|p| {
            let l = &p["_source"]["layers"];
            let n = |k: &str| first(l, k).map(|s| s.parse::<u64>().unwrap()).unwrap();
            F {
                no: n("frame.number"),
                stream: n("tcp.stream"),
                src: first(l, "ip.src")
                    .or_else(|| first(l, "ipv6.src"))
                    .unwrap_or_default(),
                sport: n("tcp.srcport"),
                dport: n("tcp.dstport"),
                tls: l["tls"].clone(),
            }
        })
        .collect()
}

/// The first SYN (no ACK) of `stream`.
fn syn(file: &Path, stream: u64) -> Option<u64> {
    let f = format!("tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.stream == {stream}");
    let out = tshark(file, &["-Y", &f, "-T", "fields", "-e", "frame.number"]);
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
}

/// The Server Hello's "Cipher Suite: NAME (0x....)" line, from tshark's packet details.
fn suite_line(file: &Path, frame: u64) -> Option<String> {
    let out = tshark(file, &["-V", "-Y", &format!("frame.number == {frame}")]);
    String::from_utf8_lossy(&out)
        .lines()
        .find_map(|l| l.trim().strip_prefix("Cipher Suite: ").map(str::to_string))
}

/// The commonName of a Name (`x509af.issuer_tree` or `x509af.subject_tree`).
fn cn(name: &Value) -> Option<String> {
    under(name, "x509if.RelativeDistinguishedName_item_element")
        .into_iter()
        .find(|a| a["x509if.oid"] == "2.5.4.3")
        .and_then(|a| {
            a["x509sat.DirectoryString_tree"]
                .as_object()?
                .values()
                .find_map(|x| x.as_str().map(str::to_string))
        })
}

fn val(r: &Value, id: &str, name: &str) -> Value {
    answer(r, id)["values"][name].clone()
}

/// Checks `lab answer tls` on `file` against the key; returns the report.
fn check(file: &Path) -> Value {
    let r = answer_json("tls", &[file], &[]);
    evidence_is_real(&r);
    assert_eq!(r["answers"].as_array().unwrap().len(), 24, "{r:#}");
    let frames = tls_frames(file);
    // The session: the first Client Hello a Server Hello answers on its connection.
    let answered = |c: &&F| {
        frames
            .iter()
            .any(|s| s.no > c.no && s.stream == c.stream && s.sport == c.dport && s.has("2"))
    };
    let hellos: Vec<&F> = frames.iter().filter(|f| f.has("1")).collect();
    let Some(ch) = hellos
        .iter()
        .find(|c| answered(c))
        .or(hellos.first())
        .copied()
    else {
        assert!(val(&r, "3", "frame").is_null(), "{r:#}");
        assert!(
            answer(&r, "3")["answer"]
                .as_str()
                .unwrap()
                .starts_with("not in this capture")
        );
        return r;
    };
    let conn: Vec<&F> = frames
        .iter()
        .filter(|f| f.stream == ch.stream && f.no >= ch.no)
        .collect();
    let client = |f: &&&F| f.sport == ch.sport && f.src == ch.src;
    let server = |f: &&&F| !client(f);
    assert_eq!(val(&r, "1", "frame"), json!(syn(file, ch.stream)));
    assert_eq!(val(&r, "3", "frame"), json!(ch.no));
    let v = first(&ch.tls, "tls.handshake.version").unwrap();
    assert!(
        val(&r, "4", "version")
            .as_str()
            .unwrap()
            .ends_with(&format!("({v})"))
    );
    assert_eq!(
        val(&r, "5", "count"),
        json!(under(&ch.tls, "tls.handshake.ciphersuite").len())
    );
    let rb = first(&ch.tls, "tls.handshake.random_bytes").unwrap();
    assert_eq!(val(&r, "6", "first_two_hex"), json!(&rb[..2]));
    let Some(sh) = conn.iter().filter(server).find(|f| f.has("2")) else {
        assert!(val(&r, "9", "suite").is_null());
        return r;
    };
    assert_eq!(val(&r, "8", "frame"), json!(sh.no));
    let chosen = first(&sh.tls, "tls.handshake.ciphersuite").unwrap();
    assert_eq!(val(&r, "9", "suite_id"), json!(hexnum(&chosen)));
    let line = suite_line(file, sh.no).unwrap();
    assert_eq!(val(&r, "9", "suite"), json!(line));
    let name = line.split(' ').next().unwrap();
    let rest = name
        .split_once("_WITH_")
        .map(|x| x.1)
        .unwrap_or_else(|| name.trim_start_matches("TLS_"));
    let alg = rest
        .rsplit_once('_')
        .filter(|(_, h)| h.starts_with("SHA"))
        .map_or(rest, |(a, _)| a);
    assert_eq!(val(&r, "20", "algorithm"), json!(alg));
    assert_eq!(val(&r, "21", "frame"), json!(sh.no));
    let tls13 = strs(&sh.tls, "tls.handshake.extensions.supported_version")
        .iter()
        .any(|v| v == "0x0304");
    // The certificates.
    match conn.iter().filter(server).find(|f| f.has("11")) {
        Some(c) => {
            assert!(!tls13);
            assert_eq!(val(&r, "11", "frame"), json!(c.no));
            let certs = under(&c.tls, "tls.handshake.certificate_tree");
            let subjects: Vec<Option<String>> = certs
                .iter()
                .map(|x| under(x, "x509af.subject_tree").first().and_then(|n| cn(n)))
                .collect();
            assert_eq!(val(&r, "12", "subjects"), json!(subjects));
            let c0 = certs[0];
            let issuer = under(c0, "x509af.issuer_tree").first().and_then(|n| cn(n));
            assert_eq!(val(&r, "13", "issuer_cn"), json!(issuer));
            let sig = under(c0, "x509af.signature_element")
                .first()
                .and_then(|s| first(s, "x509af.algorithm.id"));
            assert_eq!(val(&r, "14", "oid"), json!(sig));
            let m = first(c0, "pkcs1.modulus").unwrap().replace(':', "");
            let m = m.trim_start_matches("00");
            assert_eq!(val(&r, "15", "modulus"), json!(m));
            assert_eq!(val(&r, "15", "first_four_hex"), json!(&m[..4]));
        }
        None => {
            assert!(val(&r, "11", "frame").is_null());
            assert!(val(&r, "15", "first_four_hex").is_null());
        }
    }
    let shd = conn.iter().filter(server).find(|f| f.has("14"));
    assert_eq!(val(&r, "17", "frame"), json!(shd.map(|f| f.no)));
    let cke = conn.iter().filter(client).find(|f| f.has("16"));
    assert_eq!(val(&r, "18", "frame"), json!(cke.map(|f| f.no)));
    let ccert = conn.iter().filter(client).find(|f| f.has("11"));
    if !tls13 {
        assert_eq!(val(&r, "19", "client_certificate"), json!(ccert.is_some()));
    }
    // Application data: in TLS 1.3 the client's first encrypted record is its Finished.
    let data: Vec<&&F> = conn
        .iter()
        .filter(client)
        .filter(|f| f.has_ct("23"))
        .collect();
    let app = if tls13 { data.get(1) } else { data.first() };
    assert_eq!(val(&r, "22", "frame"), json!(app.map(|f| f.no)));
    let alert = conn.iter().filter(client).find(|f| f.has_ct("21"));
    assert_eq!(val(&r, "24", "frame"), json!(alert.map(|f| f.no)));
    r
}

#[test]
fn bundled_captures_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let r = check(&repo("captures/app/tls12.pcap"));
    assert_eq!(val(&r, "14", "algorithm"), "sha256WithRSAEncryption");
    assert!(val(&r, "24", "frame").is_u64());
    let r = check(&repo("captures/app/tls13.pcap"));
    assert!(val(&r, "11", "frame").is_null());
    assert!(
        answer(&r, "11")["answer"]
            .as_str()
            .unwrap()
            .contains("TLS 1.3")
    );
    // A capture without TLS says what to capture.
    check(&repo("captures/app/http.pcap"));
}

#[test]
fn public_capture_matches_tshark() {
    if !require(Need::Tool("tshark")) || !require(Need::PublicCaptures) {
        return;
    }
    check(&support::public_capture("tls_ciphers.pcap"));
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null()));
}

/// A lab CA and a certificate for www.wirelab.test it signs, made in `dir`.
fn make_pki(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=wirelab test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/O=wirelab/CN=www.wirelab.test",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
        ],
    );
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:www.wirelab.test\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-out",
            "srv.pem",
        ],
    );
}

#[test]
fn captures_made_here_match_tshark() {
    if !require(Need::Root)
        || !require(Need::Tool("tshark"))
        || !require(Need::Tool("tcpdump"))
        || !require(Need::Tool("openssl"))
        || !require(Need::Tool("curl"))
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    let lan = Lan::new("tls");
    let mut cmd = lan.server.command("openssl");
    cmd.current_dir(d).args([
        "s_server",
        "-tls1_2",
        "-accept",
        "10.0.3.1:443",
        "-cert",
        "srv.pem",
        "-key",
        "srv.key",
        "-cert_chain",
        "ca.pem",
        "-www",
    ]);
    let server = Proc::spawn("s_server", cmd);
    server.wait_for("ACCEPT");
    // 1: curl, TLS 1.2 at most, trusting the lab CA.
    let pcap = d.join("curl.pcap");
    let cap = Tcpdump::start(&lan.client, Lan::DEV, &pcap, &["tcp", "port", "443"]);
    let out = run(lan.client.command("curl").current_dir(d).args([
        "-s",
        "--tls-max",
        "1.2",
        "--cacert",
        "ca.pem",
        "--resolve",
        "www.wirelab.test:443:10.0.3.1",
        "https://www.wirelab.test/",
    ]));
    assert!(!out.stdout.is_empty());
    let pcap = cap.stop();
    let r = check(&pcap);
    assert_eq!(
        val(&r, "12", "subjects"),
        json!(["www.wirelab.test", "wirelab test CA"])
    );
    assert_eq!(val(&r, "13", "issuer_cn"), "wirelab test CA");
    assert_eq!(val(&r, "14", "algorithm"), "sha256WithRSAEncryption");
    assert!(val(&r, "17", "frame").is_u64());
    assert!(val(&r, "18", "frame").is_u64());
    assert!(val(&r, "22", "frame").is_u64());
    // 2: openssl s_client sends a request and closes.
    let pcap = d.join("s_client.pcap");
    let cap = Tcpdump::start(&lan.client, Lan::DEV, &pcap, &["tcp", "port", "443"]);
    let mut cmd = lan.client.command("openssl");
    cmd.current_dir(d).args([
        "s_client",
        "-connect",
        "10.0.3.1:443",
        "-servername",
        "www.wirelab.test",
        "-CAfile",
        "ca.pem",
        "-quiet",
    ]);
    let mut client = Proc::spawn("s_client", cmd);
    client.write_stdin(b"GET / HTTP/1.0\r\n\r\n");
    client.wait_for("HTTP/1.0 200");
    client.close_stdin();
    let _ = client.wait_exit_within(support::proc::WAIT);
    let pcap = cap.stop();
    let r = check(&pcap);
    assert_eq!(val(&r, "13", "issuer_cn"), "wirelab test CA");
    assert!(val(&r, "22", "frame").is_u64());
    drop(server);
}

#[test]
fn walkthrough_tls_is_answered_as_tshark_reads_it() {
    let tools = ["tshark", "nginx", "unbound", "dnsmasq", "openssl", "curl"];
    let Some((dir, out)) = walk_needing("tls.sh", &tools, Duration::from_secs(120)) else {
        return;
    };
    let r = check(&dir.join("a.pcapng"));
    // The lab's server: TLS 1.2, its certificate for www.wirelab.test signed by the lab CA.
    assert!(out.contains("HTTP 200, TLS certificate check 0"), "{out}");
    assert_eq!(answer(&r, "3")["values"]["server_name"], "www.wirelab.test");
    assert_eq!(val(&r, "4", "version"), "TLS 1.2 (0x0303)");
    assert_eq!(
        val(&r, "9", "suite"),
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)"
    );
    assert_eq!(val(&r, "12", "subjects")[0], "www.wirelab.test");
    assert_eq!(val(&r, "13", "issuer_cn"), "wirelab lab CA");
    assert_eq!(val(&r, "15", "modulus").as_str().unwrap().len(), 512);
    assert_eq!(val(&r, "20", "algorithm"), "AES_128_GCM");
    for id in ["1", "8", "11", "17", "18", "22"] {
        assert!(val(&r, id, "frame").is_u64(), "{id}: {r:#}");
    }
    for text in [
        "S plays that web server",
        "| 11 What is the packet number in your trace for the TLS message part",
    ] {
        assert!(out.contains(text), "no {text:?}\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

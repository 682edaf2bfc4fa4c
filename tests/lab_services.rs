//! `wirelab lab up --routed --services [--nat]` on this machine: the lab's real servers. From A:
//! `nslookup`/`dig` through R's resolver (not authoritative) and at S (authoritative: NS, MX,
//! CNAME, AAAA, PTR; nothing else answered), every web page with `curl` (304 on a conditional
//! second fetch, 401 then 200 with the password, the long page's size, the images on both
//! addresses), TLS 1.2 only with the lab CA (`curl`, `openssl s_client`); in D, `udhcpc` gets a
//! 10.0.4.1xx lease with router 10.0.4.254; with `--nat` S sees A's connection from 10.0.4.254
//! while A's capture shows 10.0.3.1. A second `lab up` changes nothing, a killed server is
//! started again, and `lab down` leaves no namespace, process, /etc/netns directory or state.
//!
//! Needs root and the servers and clients (`.ci/run` installs them); skipped when they are
//! missing and CI is unset. The lab has its own name (`support::Lab`), removed even on failure.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use support::lab_cli::{ok, text};
use support::netns::{Lab, Tcpdump, alive, pids_in};
use support::services::Scratch;
use support::{Need, require, tshark_fields};
use wirelab::lab::services::PAGES;

fn needs() -> bool {
    require(Need::Root)
        && [
            "dnsmasq", "nginx", "unbound", "nft", "openssl", "dig", "nslookup", "curl", "udhcpc",
            "tcpdump", "tshark", "timeout",
        ]
        .into_iter()
        .all(|t| require(Need::Tool(t)))
}

/// A command on a computer of the lab, bounded by `timeout 20`; its stdout.
fn on(lab: &Lab, letter: &str, argv: &[&str]) -> String {
    let mut all = vec!["timeout", "20"];
    all.extend_from_slice(argv);
    let o = lab
        .exec(letter, &all)
        .stdin(Stdio::null())
        .output()
        .expect("running lab exec");
    assert!(
        o.status.success(),
        "{argv:?} on {letter} failed:\n{}",
        text(&o)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `curl -4 -s -o /dev/null -w FORMAT ARGS…` on A.
fn curl(lab: &Lab, format: &str, args: &[&str]) -> String {
    let mut argv = vec![
        "curl",
        "-4",
        "-s",
        "--max-time",
        "10",
        "-o",
        "/dev/null",
        "-w",
        format,
    ];
    argv.extend_from_slice(args);
    on(lab, "A", &argv)
}

/// The flags of a `dig` answer (`qr aa rd`).
fn dig_flags(out: &str) -> Vec<String> {
    let line = out
        .lines()
        .find(|l| l.starts_with(";; flags:"))
        .unwrap_or_else(|| panic!("no flags in {out}"));
    line.trim_start_matches(";; flags:")
        .split(';')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The response headers (lower-case names) of one `curl -D -` fetch.
fn headers(out: &str) -> BTreeMap<String, String> {
    out.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect()
}

/// The last line of nginx's access log: who S saw.
fn last_access(state: &Path) -> String {
    std::fs::read_to_string(state.join("nginx-access.log"))
        .unwrap_or_default()
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

#[test]
fn services_answer_from_a_and_d_nat_hides_a_and_down_leaves_nothing() {
    if !needs() {
        return;
    }
    let resolv_before = std::fs::read("/etc/resolv.conf").ok();
    let lab = Lab::unique();
    let state_dir = format!("/run/wirelab/lab-{}", lab.name);
    let state = Path::new(&state_dir);
    let first = ok(&mut lab.cmd("up", &["--routed", "--services"]));
    for line in first.lines().filter(|l| l.starts_with("$ ")) {
        let c = &line[2..];
        let inside = c.starts_with(&format!("ip netns add wl{}-", lab.name))
            || c.starts_with(&format!("ip netns exec wl{}-", lab.name))
            || c.starts_with(&format!("ip -n wl{}-", lab.name))
            || c.starts_with(&format!("write {state_dir}/"))
            || c.starts_with(&format!("write /etc/netns/wl{}-", lab.name))
            || (c.starts_with("openssl ") && c.contains(&state_dir))
            || (c.starts_with("sh -c ") && c.contains(&format!("> {state_dir}/htpasswd")));
        assert!(inside, "a command outside the lab: {line}");
    }
    let mut names = lab.namespaces();
    names.sort();
    assert_eq!(
        names,
        ["A", "B", "C", "D", "R", "S", "sw", "sw4"].map(|l| lab.ns(l))
    );

    // DNS: R's resolver answers, not authoritatively; S answers authoritatively.
    let ns = on(&lab, "A", &["nslookup", "www.wirelab.test"]);
    assert!(ns.contains("Server:\t\t10.0.3.254"), "{ns}");
    assert!(ns.contains("Non-authoritative answer:"), "{ns}");
    assert!(ns.contains("Address: 10.0.4.1"), "{ns}");
    let via_r = on(&lab, "A", &["dig", "gaia.wirelab.test"]);
    assert!(!dig_flags(&via_r).contains(&"aa".to_string()), "{via_r}");
    assert!(via_r.contains("SERVER: 10.0.3.254#53"), "{via_r}");
    let at_s = on(
        &lab,
        "A",
        &["dig", "+norec", "@10.0.4.1", "www.wirelab.test"],
    );
    assert!(dig_flags(&at_s).contains(&"aa".to_string()), "{at_s}");
    let short = |args: &[&str]| {
        let mut argv = vec!["dig", "+short", "@10.0.4.1"];
        argv.extend_from_slice(args);
        let mut v: Vec<String> = on(&lab, "A", &argv).lines().map(str::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(
        short(&["wirelab.test", "NS"]),
        ["ns1.wirelab.test.", "ns2.wirelab.test."]
    );
    assert_eq!(short(&["wirelab.test", "MX"]), ["10 mail.wirelab.test."]);
    assert_eq!(
        short(&["web.wirelab.test", "A"]),
        ["10.0.4.1", "www.wirelab.test."]
    );
    assert_eq!(short(&["www.wirelab.test", "AAAA"]), ["fd00:4::1"]);
    assert_eq!(short(&["images.wirelab.test"]), ["10.0.4.2"]);
    assert_eq!(short(&["-x", "10.0.4.1"]), ["www.wirelab.test."]);
    let ns_via_r = on(&lab, "A", &["nslookup", "-type=NS", "wirelab.test"]);
    assert!(
        ns_via_r.contains("nameserver = ns1.wirelab.test."),
        "{ns_via_r}"
    );
    // Nothing outside the lab's zone is answered (or forwarded anywhere).
    let outside = on(&lab, "A", &["dig", "example.com"]);
    assert!(outside.contains("status: REFUSED"), "{outside}");

    // The web pages, for any Host, on both addresses.
    let base = "http://gaia.wirelab.test";
    for (path, bytes) in PAGES {
        let url = match path {
            "8E_cover_small.jpg" => format!("http://images.wirelab.test/{path}"),
            "index.html" => format!("{base}/"),
            p if p.ends_with("index.html") => format!("{base}/kurose_ross/"),
            _ => format!("{base}/{path}"),
        };
        let want_code = if path.contains("protected_pages") {
            "401"
        } else {
            "200"
        };
        let got = curl(&lab, "%{http_code} %{size_download} %{remote_ip}", &[&url]);
        let mut words = got.split_whitespace();
        assert_eq!(words.next(), Some(want_code), "{url}: {got}");
        if want_code == "200" {
            assert_eq!(
                words.next(),
                Some(bytes.len().to_string().as_str()),
                "{url}"
            );
            let ip = if url.contains("images.") {
                "10.0.4.2"
            } else {
                "10.0.4.1"
            };
            assert_eq!(words.next(), Some(ip), "{url}");
        }
    }
    let long = curl(
        &lab,
        "%{size_download}",
        &[&format!("{base}/wireshark-labs/HTTP-wireshark-file3.html")],
    );
    assert!(long.parse::<usize>().unwrap() > 4500, "{long}");
    let file5 = format!("{base}/wireshark-labs/protected_pages/HTTP-wireshark-file5.html");
    assert_eq!(curl(&lab, "%{http_code}", &[&file5]), "401");
    assert_eq!(
        curl(
            &lab,
            "%{http_code}",
            &["-u", "wireshark-students:network", &file5]
        ),
        "200"
    );
    assert_eq!(
        curl(
            &lab,
            "%{http_code}",
            &["-u", "wireshark-students:wrong", &file5]
        ),
        "401"
    );
    // A conditional second fetch: 304, by date and by entity tag.
    let file2 = format!("{base}/wireshark-labs/HTTP-wireshark-file2.html");
    let h = headers(&on(
        &lab,
        "A",
        &["curl", "-4", "-s", "-D", "-", "-o", "/dev/null", &file2],
    ));
    let lm = h.get("last-modified").expect("Last-Modified").clone();
    let etag = h.get("etag").expect("ETag").clone();
    assert_eq!(
        curl(
            &lab,
            "%{http_code}",
            &["-H", &format!("If-Modified-Since: {lm}"), &file2]
        ),
        "304"
    );
    assert_eq!(
        curl(
            &lab,
            "%{http_code}",
            &["-H", &format!("If-None-Match: {etag}"), &file2]
        ),
        "304"
    );

    // TLS 1.2 only, with the lab CA.
    let ca = format!("{state_dir}/ca.pem");
    assert_eq!(
        curl(
            &lab,
            "%{http_code} %{ssl_verify_result}",
            &[
                "--cacert",
                &ca,
                "--tls-max",
                "1.2",
                "https://www.wirelab.test/"
            ]
        ),
        "200 0"
    );
    let tls13 = lab
        .exec(
            "A",
            &[
                "curl",
                "-4",
                "-s",
                "--max-time",
                "10",
                "--cacert",
                &ca,
                "--tlsv1.3",
                "https://www.wirelab.test/",
            ],
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!tls13.status.success(), "TLS 1.3 was accepted");
    let s_client = on(
        &lab,
        "A",
        &[
            "openssl",
            "s_client",
            "-connect",
            "10.0.4.1:443",
            "-servername",
            "www.wirelab.test",
            "-CAfile",
            &ca,
        ],
    );
    assert!(s_client.contains("Protocol  : TLSv1.2"), "{s_client}");
    assert!(
        s_client.contains("Verify return code: 0 (ok)"),
        "{s_client}"
    );
    assert!(s_client.contains("CN = wirelab lab CA"), "{s_client}");
    assert!(
        s_client.contains("Cipher is ECDHE-RSA-AES128-GCM-SHA256"),
        "{s_client}"
    );

    // DHCP: D gets a lease from R's pool, with R as its router.
    let scratch = Scratch::new("services");
    let script = scratch.path().join("udhcpc.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho \"udhcpc $1 ip=$ip router=$router dns=$dns domain=$domain\"\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    let script = script.display().to_string();
    let lease = on(
        &lab,
        "D",
        &[
            "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "5", "-T", "2", "-s", &script,
        ],
    );
    let bound = lease
        .lines()
        .find(|l| l.starts_with("udhcpc bound"))
        .unwrap_or_else(|| panic!("no lease: {lease}"));
    assert!(bound.contains(" ip=10.0.4.1"), "{bound}");
    assert!(bound.contains(" router=10.0.4.254 "), "{bound}");
    assert!(bound.contains(" dns=10.0.4.1 "), "{bound}");
    assert!(bound.ends_with(" domain=wirelab.test"), "{bound}");
    let ip: std::net::Ipv4Addr = bound
        .split(" ip=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .unwrap();
    assert!((100..=199).contains(&ip.octets()[3]), "{ip}");
    assert_eq!(std::fs::read("/etc/resolv.conf").ok(), resolv_before);

    // Status names each server; a second up does nothing.
    let status = ok(&mut lab.cmd("status", &[]));
    assert_eq!(status.matches(": running, pid ").count(), 4, "{status}");
    assert!(status.contains("NAT (nftables"), "{status}");
    let again = ok(&mut lab.cmd("up", &["--routed", "--services"]));
    assert!(again.contains("already up as asked"), "{again}");
    assert!(
        !again.lines().any(|l| l.starts_with("$ ")),
        "second up ran commands:\n{again}"
    );

    // A killed resolver is started again, and only it.
    let unbound: u32 = std::fs::read_to_string(state.join("unbound.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    Command::new("kill")
        .arg(unbound.to_string())
        .status()
        .unwrap();
    for _ in 0..100 {
        if !alive(unbound) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let repair = ok(&mut lab.cmd("up", &["--routed", "--services"]));
    let ran: Vec<&str> = repair.lines().filter(|l| l.starts_with("$ ")).collect();
    assert_eq!(ran.len(), 1, "{repair}");
    assert!(ran[0].contains(" unbound -c "), "{repair}");
    assert!(on(&lab, "A", &["nslookup", "mail.wirelab.test"]).contains("10.0.4.1"));

    // Without NAT, S sees A itself.
    let file1 = format!("{base}/wireshark-labs/HTTP-wireshark-file1.html");
    assert_eq!(curl(&lab, "%{http_code}", &[&file1]), "200");
    assert!(
        last_access(state).starts_with("10.0.3.1 "),
        "{}",
        last_access(state)
    );
    // With NAT, S sees R's outside address while A's capture shows A's own.
    let nat = ok(&mut lab.cmd("up", &["--routed", "--services", "--nat"]));
    assert!(nat.contains(" nft -f "), "{nat}");
    let cap = scratch.path().join("a-nat.pcap");
    let dump = Tcpdump::start_in(&lab.ns("A"), "eth0", &cap, &["tcp", "port", "80"]);
    assert_eq!(curl(&lab, "%{http_code}", &[&file1]), "200");
    let cap = dump.stop();
    assert!(
        last_access(state).starts_with("10.0.4.254 "),
        "{}",
        last_access(state)
    );
    let syns: Vec<Vec<String>> = tshark_fields(
        &cap,
        &["ip.src", "ip.dst", "tcp.flags.syn", "tcp.flags.ack"],
    )
    .into_iter()
    .filter(|r| r[2] == "1" && r[3] == "0")
    .collect();
    assert_eq!(syns, [["10.0.3.1", "10.0.4.1", "1", "0"].map(String::from)]);
    let off = ok(&mut lab.cmd("up", &["--routed", "--services"]));
    assert!(off.contains("nft delete table ip wirelab_nat"), "{off}");

    // Down: no namespace, no process, no /etc/netns directory, no state.
    let pids: Vec<u32> = lab.namespaces().iter().flat_map(|n| pids_in(n)).collect();
    assert!(pids.len() >= 5, "{pids:?}");
    ok(&mut lab.cmd("down", &[]));
    assert!(lab.namespaces().is_empty());
    for pid in pids {
        assert!(!alive(pid), "process {pid} still runs after lab down");
    }
    for l in ["A", "B", "C", "D"] {
        assert!(!Path::new(&format!("/etc/netns/{}", lab.ns(l))).exists());
    }
    assert!(!state.exists());
}

#[test]
fn services_need_routed_and_nat_needs_services() {
    let lab = Lab::unique();
    for args in [&["--services"][..], &["--routed", "--nat"]] {
        let o = lab.cmd("up", args).stdin(Stdio::null()).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
    }
}

#[test]
fn a_failure_after_servers_started_leaves_nothing_behind() {
    if !needs() {
        return;
    }
    let lab = Lab::unique();
    let state_dir = format!("/run/wirelab/lab-{}", lab.name);
    let full = ok(&mut lab.cmd("up", &["--routed", "--services"]));
    let n = full.lines().filter(|l| l.starts_with("$ ")).count();
    ok(&mut lab.cmd("down", &[]));
    // The last command starts the last server: the others run by then.
    let o = lab
        .cmd(
            "up",
            &["--routed", "--services", "--fail-at", &n.to_string()],
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("nothing was left behind"), "{out}");
    assert!(
        out.contains("# that failed: removing what was made"),
        "{out}"
    );
    let stopped = out.lines().filter(|l| l.starts_with("$ kill ")).count();
    assert!(
        stopped >= 3,
        "the servers already started were not stopped:\n{out}"
    );
    assert!(lab.namespaces().is_empty());
    assert!(!Path::new(&state_dir).exists());
    for l in ["A", "B", "C", "D"] {
        assert!(!Path::new(&format!("/etc/netns/{}", lab.ns(l))).exists());
    }
    // No server of this lab runs anywhere (they name its state directory).
    let left = Command::new("pgrep")
        .args(["-f", &state_dir])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "left running: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}

//! `wirelab lab answer dhcp` (the Kurose & Ross "Wireshark Lab: DHCP", v8.1) held to an
//! answer key computed here from tshark's fields (`tshark -n -r FILE -T fields -e dhcp.…`) by
//! plain text parsing that shares nothing with wirelab's dissectors or analysis: on the
//! bundled capture (dnsmasq and udhcpc) and on captures made here, in namespaces this test
//! creates, with dnsmasq as the server and `dhclient` (a lease, a release, an address again,
//! a release), busybox `udhcpc` (a lease, a renewal, a release) and `wirelab dhcp` (a
//! hand-built Discover and Request, a release) as clients, tcpdump capturing; and on the
//! captures of the walkthrough `scripts/labs/dhcp.sh`, run end to end in a lab of its own.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use support::lab_checks::{answer, answer_json, evidence_is_real};
use support::netns::{Netns, Tcpdump, veth};
use support::proc::Proc;
use support::services::{DNSMASQ, Scratch};
use support::tshark::{number as num, values as list};
use support::walk::walk_needing;
use support::{Need, repo, require, run};

const NAMES: &[&str] = &[
    "frame.number",
    "ip.src",
    "ip.dst",
    "udp.srcport",
    "udp.dstport",
    "eth.dst",
    "dhcp.id",
    "dhcp.option.dhcp",
    "dhcp.flags.bc",
    "dhcp.ip.client",
    "dhcp.ip.your",
    "dhcp.hw.mac_addr",
    "dhcp.option.request_list_item",
    "dhcp.option.ip_address_lease_time",
    "dhcp.option.router",
    "dhcp.option.dhcp_server_id",
];

/// Rows of `-T fields` for the DHCP messages (multiple values joined by `,`). An ICMP error
/// quoting one (a port unreachable for an ACK that came after the client closed its socket)
/// matches tshark's `dhcp` too, but is not a DHCP message.
fn fields(file: &Path) -> Vec<BTreeMap<String, String>> {
    support::tshark_rows_joined(file, "dhcp && !icmp && !icmpv6", NAMES, ',')
}

/// One DHCP message as tshark shows it.
#[derive(Debug, Clone)]
struct Msg {
    frame: u64,
    src: String,
    dst: String,
    sport: u64,
    dport: u64,
    eth_dst: String,
    xid: u64,
    kind: Option<u64>,
    bc: bool,
    ciaddr: String,
    yiaddr: String,
    chaddr: String,
    prl: Vec<u64>,
    lease: Option<u64>,
    routers: Vec<String>,
    server_id: Option<String>,
}

fn msgs(file: &Path) -> Vec<Msg> {
    fields(file)
        .into_iter()
        .map(|r| Msg {
            frame: num(&r["frame.number"]).unwrap(),
            src: r["ip.src"].clone(),
            dst: r["ip.dst"].clone(),
            sport: num(&r["udp.srcport"]).unwrap(),
            dport: num(&r["udp.dstport"]).unwrap(),
            eth_dst: r["eth.dst"].clone(),
            xid: num(&r["dhcp.id"]).unwrap(),
            kind: num(&r["dhcp.option.dhcp"]),
            bc: matches!(r["dhcp.flags.bc"].as_str(), "1" | "True"),
            ciaddr: r["dhcp.ip.client"].clone(),
            yiaddr: r["dhcp.ip.your"].clone(),
            chaddr: list(&r["dhcp.hw.mac_addr"])
                .first()
                .cloned()
                .unwrap_or_default(),
            prl: list(&r["dhcp.option.request_list_item"])
                .iter()
                .map(|x| num(x).unwrap())
                .collect(),
            lease: num(&r["dhcp.option.ip_address_lease_time"]),
            routers: list(&r["dhcp.option.router"]),
            server_id: list(&r["dhcp.option.dhcp_server_id"]).first().cloned(),
        })
        .collect()
}

/// Messages grouped by transaction ID and client MAC, in order of their first message; a
/// client's message (Discover, Request, Decline, Release, Inform) after an ACK or NAK starts
/// a new group (udhcpc renews with the same transaction ID).
fn groups(all: &[Msg]) -> Vec<Vec<Msg>> {
    let mut out: Vec<Vec<Msg>> = Vec::new();
    for m in all {
        let client = matches!(m.kind, Some(1 | 3 | 4 | 7 | 8));
        match out
            .iter_mut()
            .rev()
            .find(|g| g[0].xid == m.xid && g[0].chaddr == m.chaddr)
            .filter(|g| !client || !g.iter().any(|x| matches!(x.kind, Some(5 | 6))))
        {
            Some(g) => g.push(m.clone()),
            None => out.push(vec![m.clone()]),
        }
    }
    out
}

fn first(g: &[Msg], kind: u64) -> Option<&Msg> {
    g.iter().find(|m| m.kind == Some(kind))
}

fn is_dora(g: &[Msg]) -> bool {
    [1, 2, 3, 5].iter().all(|&k| first(g, k).is_some())
}

fn val(r: &Value, id: &str, name: &str) -> Value {
    answer(r, id)["values"][name].clone()
}

fn xid(x: u64) -> String {
    format!("0x{x:08x}")
}

/// Checks `lab answer dhcp` on `files` against tshark (the DORA is in the first file that
/// has one); returns the report.
fn check_dhcp(files: &[&Path]) -> Value {
    let r = answer_json("dhcp", files, &[]);
    evidence_is_real(&r);
    // Every exchange of every file, in order.
    let mut all: Vec<(usize, Vec<Msg>)> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        all.extend(groups(&msgs(f)).into_iter().map(|g| (i, g)));
    }
    let listed = val(&r, "0", "exchanges");
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), all.len(), "{r:#}");
    for ((file, g), l) in all.iter().zip(listed) {
        assert_eq!(l["file"], *file);
        assert_eq!(l["xid"], xid(g[0].xid).as_str());
        assert_eq!(
            l["frames"],
            json!(g.iter().map(|m| m.frame).collect::<Vec<_>>())
        );
        assert_eq!(l["dora"], is_dora(g), "{l}");
        let what = l["what"].as_str().unwrap();
        if !is_dora(g) && first(g, 7).is_some() && first(g, 3).is_none() {
            assert!(what.starts_with("release"), "{l}");
        }
        // A renewal: a Request unicast from the client's own address (ciaddr) to the server.
        if let Some(q) = first(g, 3)
            && first(g, 1).is_none()
            && q.ciaddr != "0.0.0.0"
            && q.dst != "255.255.255.255"
        {
            assert!(what.contains("RENEWING"), "{l}");
            assert_eq!(q.src, q.ciaddr);
        }
    }
    let Some((file, g)) = all.iter().find(|(_, g)| is_dora(g)) else {
        assert_eq!(answer(&r, "0")["values"]["dora"], json!(false), "{r:#}");
        return r;
    };
    assert_eq!(val(&r, "0", "xid"), xid(g[0].xid).as_str(), "{r:#}");
    assert_eq!(val(&r, "0", "file"), *file);
    let d = first(g, 1).unwrap();
    let q = g
        .iter()
        .find(|m| m.kind == Some(3) && m.frame > d.frame)
        .unwrap();
    let o = g
        .iter()
        .find(|m| m.kind == Some(2) && q.server_id.is_some() && m.server_id == q.server_id)
        .or(first(g, 2))
        .unwrap();
    let a = g
        .iter()
        .find(|m| matches!(m.kind, Some(5 | 6)) && m.frame > q.frame)
        .unwrap();
    // Discover: 1-5.
    assert_eq!(val(&r, "1", "discover_frame"), d.frame);
    assert_eq!(val(&r, "1", "transport"), "UDP");
    assert_eq!(val(&r, "1", "src_port"), d.sport);
    assert_eq!(val(&r, "1", "dst_port"), d.dport);
    assert_eq!(val(&r, "2", "src"), d.src.as_str());
    assert_eq!(val(&r, "3", "dst"), d.dst.as_str());
    assert_eq!(
        val(&r, "3", "eth_broadcast"),
        d.eth_dst == "ff:ff:ff:ff:ff:ff"
    );
    assert_eq!(val(&r, "4", "xid"), xid(d.xid).as_str());
    assert_eq!(val(&r, "5", "requested"), json!(d.prl));
    // Offer: 6-9.
    assert_eq!(val(&r, "6", "offer_frame"), o.frame);
    assert_eq!(val(&r, "6", "same_xid"), true);
    assert_eq!(val(&r, "7", "src"), o.src.as_str());
    assert_eq!(val(&r, "7", "server_id"), json!(o.server_id));
    assert_eq!(val(&r, "8", "frame"), o.frame);
    assert_eq!(val(&r, "8", "dst"), o.dst.as_str());
    assert_eq!(val(&r, "8", "broadcast"), o.dst == "255.255.255.255");
    assert_eq!(val(&r, "8", "broadcast_flag"), o.bc);
    assert_eq!(val(&r, "9", "yiaddr"), o.yiaddr.as_str());
    assert!(
        answer(&r, "8")["answer"]
            .as_str()
            .unwrap()
            .contains("RFC 2131")
    );
    // Request: 10-14.
    assert_eq!(val(&r, "10", "request_frame"), q.frame);
    assert_eq!(val(&r, "10", "src_port"), q.sport);
    assert_eq!(val(&r, "10", "dst_port"), q.dport);
    assert_eq!(val(&r, "11", "src"), q.src.as_str());
    assert_eq!(val(&r, "12", "dst"), q.dst.as_str());
    assert_eq!(val(&r, "12", "server_id"), json!(q.server_id));
    assert_eq!(val(&r, "13", "xid"), xid(q.xid).as_str());
    assert_eq!(val(&r, "13", "matches"), q.xid == d.xid && q.xid == o.xid);
    assert_eq!(val(&r, "14", "discover_list"), json!(d.prl));
    assert_eq!(val(&r, "14", "request_list"), json!(q.prl));
    let added: Vec<u64> = q
        .prl
        .iter()
        .copied()
        .filter(|c| !d.prl.contains(c))
        .collect();
    assert_eq!(val(&r, "14", "added"), json!(added));
    // ACK: 15-19.
    assert_eq!(val(&r, "15", "ack_frame"), a.frame);
    assert_eq!(val(&r, "15", "src"), a.src.as_str());
    assert_eq!(val(&r, "16", "frame"), a.frame);
    assert_eq!(val(&r, "16", "dst"), a.dst.as_str());
    assert_eq!(val(&r, "16", "broadcast_flag"), a.bc);
    assert_eq!(val(&r, "17", "yiaddr"), a.yiaddr.as_str());
    assert_eq!(val(&r, "17", "field"), "Your (client) IP address");
    assert_eq!(val(&r, "18", "lease_time"), json!(a.lease));
    assert_eq!(val(&r, "19", "routers"), json!(a.routers));
    r
}

#[test]
fn lab_answer_dhcp_matches_tshark_on_the_bundled_capture() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let r = check_dhcp(&[&repo("captures/app/dhcp.pcap")]);
    assert_eq!(val(&r, "2", "src"), "0.0.0.0");
    assert_eq!(val(&r, "3", "dst"), "255.255.255.255");
    assert_eq!(val(&r, "18", "lease_time"), 3600);
    assert_eq!(val(&r, "0", "exchanges").as_array().unwrap().len(), 2);
    // A capture without DHCP says what to capture.
    let r = check_dhcp(&[&repo("captures/arp.pcapng")]);
    assert!(
        answer(&r, "1")["answer"]
            .as_str()
            .unwrap()
            .starts_with("Not in this capture"),
        "{r:#}"
    );
}

/// The DHCP server of the test's link: dnsmasq on `eth0` of `ns` (10.0.9.1/24).
fn dnsmasq(ns: &Netns, dir: &Path) -> Proc {
    ns.addr("eth0", "10.0.9.1/24");
    let mut cmd = ns.command("dnsmasq");
    cmd.args(DNSMASQ)
        .args([
            "--port=0",
            "--interface=eth0",
            "--bind-interfaces",
            "--log-dhcp",
            "--log-facility=-",
            "--no-ping",
            "--dhcp-authoritative",
            "--dhcp-range=10.0.9.100,10.0.9.199,255.255.255.0,1h",
            "--dhcp-option=option:router,10.0.9.1",
            "--dhcp-option=option:dns-server,10.0.9.1",
            "--domain=wirelab.test",
        ])
        .arg(format!("--dhcp-leasefile={}", dir.join("leases").display()))
        .arg(format!("--pid-file={}", dir.join("dnsmasq.pid").display()));
    let p = Proc::spawn("dnsmasq", cmd);
    p.wait_for("DHCP, IP range");
    p
}

/// A client script that configures the address in the client's namespace only.
fn write_scripts(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dh = dir.join("dhclient.sh");
    std::fs::write(
        &dh,
        "#!/bin/sh\ncase \"$reason\" in\n  BOUND|RENEW|REBIND|REBOOT) ip addr flush dev \
         \"$interface\"; ip addr add \"$new_ip_address/$new_subnet_mask\" dev \"$interface\" \
         ;;\n  RELEASE|EXPIRE|STOP|FAIL) ip addr flush dev \"$interface\" ;;\nesac\nexit 0\n",
    )
    .unwrap();
    let ud = dir.join("udhcpc.sh");
    std::fs::write(
        &ud,
        "#!/bin/sh\ncase \"$1\" in\n  bound|renew) ip addr replace \"$ip/$mask\" dev \
         \"$interface\" ;;\n  deconfig) ip addr flush dev \"$interface\" ;;\nesac\nexit 0\n",
    )
    .unwrap();
    for f in [&dh, &ud] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (dh, ud)
}

/// `dhclient ARGS` in `ns` with its own lease, pid and script files; waits for it (its
/// daemon, once bound, keeps running in the namespace).
fn dhclient(ns: &Netns, dir: &Path, script: &Path, args: &[&str]) {
    let mut cmd = ns.command("timeout");
    cmd.args(["30", "dhclient", "-v", "-lf"])
        .arg(dir.join("dhclient.leases"))
        .arg("-pf")
        .arg(dir.join("dhclient.pid"))
        .arg("-sf")
        .arg(script)
        .args(args)
        .arg("eth0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("dhclient.log"))
                .unwrap(),
        );
    let st = cmd.status().unwrap();
    assert!(
        st.success(),
        "dhclient {args:?}: {st}\n{}",
        std::fs::read_to_string(dir.join("dhclient.log")).unwrap_or_default()
    );
}

#[test]
fn lab_answer_dhcp_matches_tshark_on_dhclient_udhcpc_and_wirelab_dhcp() {
    if !require(Need::Root) {
        return;
    }
    for tool in ["tshark", "tcpdump", "dnsmasq", "dhclient", "udhcpc"] {
        if !require(Need::Tool(tool)) {
            return;
        }
    }
    let dir = Scratch::new("labdhcp");
    let dir = dir.path();
    let srv = Netns::new("dhs");
    let cli = Netns::new("dhc");
    veth(&srv, "eth0", &cli, "eth0");
    let _server = dnsmasq(&srv, dir);
    let (dh, ud) = write_scripts(dir);

    // dhclient: a new lease, a release, an address again (INIT-REBOOT or a new DORA), a
    // release, as the course's Linux steps (`dhclient -r`, `dhclient`) do.
    let cap = Tcpdump::start(&cli, "eth0", &dir.join("dhclient.pcap"), &[]);
    dhclient(&cli, dir, &dh, &["-1"]);
    dhclient(&cli, dir, &dh, &["-r"]);
    dhclient(&cli, dir, &dh, &["-1"]);
    dhclient(&cli, dir, &dh, &["-r"]);
    let dh_cap = cap.stop();

    // udhcpc: a lease, a renewal (SIGUSR1: a Request unicast to the server), a release.
    let cap = Tcpdump::start(&cli, "eth0", &dir.join("udhcpc.pcap"), &[]);
    let mut cmd = cli.command("udhcpc");
    cmd.args(["-f", "-t", "3", "-T", "2", "-i", "eth0", "-s"])
        .arg(&ud)
        .args(["-x", "hostname:student-pc"]);
    let mut u = Proc::spawn("udhcpc", cmd);
    u.wait_for("obtained");
    u.signal("USR1");
    u.wait_nth("obtained", 2);
    u.signal("USR2");
    u.wait_for("released");
    u.signal("TERM");
    let _ = u.wait_exit();
    let ud_cap = cap.stop();

    // wirelab dhcp: Discover and Request built by hand, then a Release.
    let cap = Tcpdump::start(&cli, "eth0", &dir.join("wirelab.pcap"), &[]);
    run(cli
        .wirelab()
        .args(["dhcp", "-i", "eth0", "--release", "--color", "never"]));
    let wl_cap = cap.stop();

    let r = check_dhcp(&[&dh_cap]);
    let ex = val(&r, "0", "exchanges");
    for e in ex.as_array().unwrap() {
        eprintln!("dhclient: {} {} {}", e["xid"], e["types"], e["what"]);
    }
    let releases = ex
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"].as_str().unwrap().starts_with("release"))
        .count();
    assert_eq!(releases, 2, "{r:#}");
    assert_eq!(val(&r, "0", "dora"), true, "{r:#}");
    assert_eq!(val(&r, "19", "router"), "10.0.9.1");

    let r = check_dhcp(&[&ud_cap]);
    let ex = val(&r, "0", "exchanges");
    assert!(
        ex.as_array()
            .unwrap()
            .iter()
            .any(|e| e["what"].as_str().unwrap().contains("RENEWING")),
        "{r:#}"
    );
    assert_eq!(val(&r, "18", "lease_time"), 3600);

    let r = check_dhcp(&[&wl_cap]);
    assert_eq!(val(&r, "0", "dora"), true, "{r:#}");
    // All three at once: the first file's DORA is answered, every exchange listed.
    check_dhcp(&[&dh_cap, &ud_cap, &wl_cap]);
}

#[test]
fn walkthrough_dhcp_is_answered_as_tshark_reads_it() {
    let tools = ["tshark", "dnsmasq", "dhclient", "udhcpc"];
    let Some((dir, out)) = walk_needing("dhcp.sh", &tools, Duration::from_secs(180)) else {
        return;
    };
    let r = check_dhcp(&[&dir.join("d.pcapng")]);
    // The lab's steps, in order: a release, a new lease (the DORA answered), an INIT-REBOOT,
    // udhcpc's lease and renewal (RENEWING), a release.
    let ex = val(&r, "0", "exchanges");
    let what: Vec<&str> = ex
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert!(what[0].starts_with("release"), "{what:?}");
    assert!(what[1].starts_with("DORA"), "{what:?}");
    assert!(
        what.iter().any(|w| w.starts_with("INIT-REBOOT")),
        "{what:?}"
    );
    assert!(what.iter().any(|w| w.contains("RENEWING")), "{what:?}");
    assert!(what.last().unwrap().starts_with("release"), "{what:?}");
    // The services' DHCP server: R's 10.0.4.254, router 10.0.4.254, lease 1 hour.
    assert_eq!(val(&r, "7", "src"), "10.0.4.254");
    assert_eq!(val(&r, "18", "lease_time"), 3600);
    assert_eq!(val(&r, "19", "router"), "10.0.4.254");
    let r = check_dhcp(&[&dir.join("d-wirelab.pcapng")]);
    assert_eq!(val(&r, "0", "dora"), true, "{r:#}");
    for text in [
        "Release the address (ipconfig /release; sudo dhclient -r)",
        "| 1 Is this DHCP Discover message sent out using UDP or TCP",
        "| 19 What is the IP address",
        "(53) DHCP Message Type",
    ] {
        assert!(out.contains(text), "no {text:?}\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! End-to-end tests of `wirelab dhcp` in two network namespaces joined by a veth pair: a
//! server running dnsmasq as DHCP server (10.0.9.1/24, range 10.0.9.100-150, router
//! 10.0.9.1) and a client with no address. Independent witnesses: tcpdump on the server's
//! side read by tshark (the four messages with the options wirelab sent), dnsmasq's lease
//! file (the lease, then its release), and `ip` in the client (nothing applied without
//! `--apply`).
//!
//! These need root (namespaces, raw sockets): they skip with a note outside CI when not root,
//! and fail in CI (which runs as root) if they cannot run.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::netns::{Netns, Tcpdump, veth};
use support::proc::{Proc, WAIT};
use support::{Need, require, tshark_fields};

const SERVER: &str = "10.0.9.1";

fn needs() -> bool {
    require(Need::Root)
        && require(Need::Tool("dnsmasq"))
        && require(Need::Tool("tshark"))
        && require(Need::Tool("tcpdump"))
}

/// Server (with dnsmasq, or none) — client; Drop stops dnsmasq and removes both namespaces.
struct Net {
    /// Declared first: stopped before its namespace goes.
    dnsmasq: Option<Proc>,
    server: Netns,
    client: Netns,
    dir: tempfile::TempDir,
}

impl Net {
    fn new(tag: &str, with_server: bool) -> Net {
        let server = Netns::new(&format!("{tag}s"));
        let client = Netns::new(&format!("{tag}c"));
        veth(&server, "eth0", &client, "eth0");
        server.addr("eth0", "10.0.9.1/24");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut net = Net {
            dnsmasq: None,
            server,
            client,
            dir,
        };
        if with_server {
            let mut cmd = net.server.command("timeout");
            cmd.args(["120", "dnsmasq", "--no-daemon", "--conf-file=/dev/null"])
                .args(["--no-resolv", "--no-hosts", "--no-poll", "--no-ping"])
                .args(["--user=root", "--group=root", "--port=0", "--log-dhcp"])
                .args(["--log-facility=-", "--interface=eth0", "--bind-interfaces"])
                .args(["--dhcp-range=10.0.9.100,10.0.9.150,255.255.255.0,1h"])
                .args(["--dhcp-option=3,10.0.9.1"])
                .arg(format!("--pid-file={}", net.path("dnsmasq.pid").display()))
                .arg(format!("--dhcp-leasefile={}", net.leases().display()));
            let p = Proc::spawn("dnsmasq", cmd);
            p.wait_for("DHCP, IP range");
            net.dnsmasq = Some(p);
        }
        net
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn leases(&self) -> PathBuf {
        self.path("leases")
    }

    /// `wirelab dhcp -i eth0 --color never EXTRA…` in the client, to the end.
    fn dhcp(&self, extra: &[&str]) -> (Option<i32>, String, String) {
        let mut cmd = self.client.wirelab();
        cmd.args(["dhcp", "-i", "eth0", "--color", "never"])
            .args(extra);
        let mut p = Proc::spawn("wirelab dhcp", cmd);
        p.close_stdin();
        let code = p.wait_exit_within(WAIT).code();
        (code, p.out.text(), p.err.text())
    }

    /// `ip ARGS` in the client: its output.
    fn client_ip(&self, args: &[&str]) -> String {
        let out = support::run(self.client.command("ip").args(args));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// The address after `Leased ` in wirelab's output.
fn leased(out: &str) -> String {
    let line = out
        .lines()
        .find(|l| l.starts_with("Leased "))
        .unwrap_or_else(|| panic!("no Leased line in:\n{out}"));
    let addr = line["Leased ".len()..].split('/').next().unwrap_or("");
    let last: u8 = addr
        .strip_prefix("10.0.9.")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}: not an address of 10.0.9.0/24"));
    assert!((100..=150).contains(&last), "{line}: outside the range");
    addr.to_string()
}

/// Waits (bounded) until `pred` holds for the lease file's text; returns that text.
fn lease_file_until(path: &Path, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if pred(&text) || Instant::now() >= deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_lease_is_obtained_shown_and_not_applied() {
    if !needs() {
        return;
    }
    let net = Net::new("dh1", true);
    let mac = net.client.mac("eth0");
    let pcap = net.path("server.pcap");
    let tcpdump = Tcpdump::start(&net.server, "eth0", &pcap, &["udp", "port", "67"]);
    let own = net.path("client.pcapng");
    let own_arg = own.display().to_string();
    let (code, out, err) = net.dhcp(&["--hostname", "student-pc", "-w", &own_arg]);
    let pcap = tcpdump.stop();
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let addr = leased(&out);
    for title in [
        "=> sent: DHCP Discover (try 1 of 3)",
        "<= received: DHCP Offer: offer of ",
        "=> sent: DHCP Request (try 1 of 3)",
        "<= received: DHCP ACK: lease of ",
        "Dynamic Host Configuration Protocol (Discover)",
        "Dynamic Host Configuration Protocol (ACK)",
        "Option: (55) Parameter Request List",
        "Option: (61) Client identifier",
        "Option: (12) Host Name",
        "Nothing applied to eth0",
    ] {
        assert!(out.contains(title), "no {title:?} in:\n{out}");
    }

    // (a) tshark on the server's side: the four messages, our MAC and transaction ID, the
    // requested address is the one offered, the options we sent.
    let fields = [
        "dhcp.option.dhcp",
        "dhcp.hw.mac_addr",
        "dhcp.id",
        "dhcp.ip.your",
        "dhcp.option.requested_ip_address",
        "dhcp.option.dhcp_server_id",
        "dhcp.option.hostname",
        "dhcp.option.type",
    ];
    for file in [&pcap, &own] {
        let rows = tshark_fields(file, &fields);
        let kinds: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(kinds, ["1", "2", "3", "5"], "{}: {rows:?}", file.display());
        for r in &rows {
            assert_eq!(r[1].split(',').next(), Some(mac.as_str()), "{r:?}");
            assert_eq!(r[2], rows[0][2], "one transaction ID: {rows:?}");
        }
        assert_eq!(rows[1][3], addr, "offered");
        assert_eq!(rows[2][4], addr, "requested = offered");
        assert_eq!(rows[2][5], SERVER, "server identifier in the Request");
        assert_eq!(rows[3][3], addr, "acknowledged");
        for sent in [&rows[0], &rows[2]] {
            assert_eq!(sent[6], "student-pc");
            let types: Vec<&str> = sent[7].split(',').collect();
            for t in ["53", "61", "12", "55"] {
                assert!(types.contains(&t), "option {t} in {sent:?}");
            }
        }
        let req: Vec<&str> = rows[2][7].split(',').collect();
        assert!(req.contains(&"50") && req.contains(&"54"), "{rows:?}");
    }

    // (b) dnsmasq's lease file holds the lease.
    let leases = lease_file_until(&net.leases(), |t| t.contains(&addr));
    assert!(
        leases.contains(&addr) && leases.contains(&mac),
        "lease file: {leases:?}"
    );
    // (c) nothing applied.
    let addrs = net.client_ip(&["-4", "addr", "show", "dev", "eth0"]);
    assert!(!addrs.contains("inet "), "{addrs}");
    assert!(
        net.client_ip(&["route", "show", "default"])
            .trim()
            .is_empty()
    );
}

#[test]
fn apply_configures_the_client_and_release_frees_the_lease() {
    if !needs() {
        return;
    }
    let net = Net::new("dh2", true);
    let (code, out, err) = net.dhcp(&["--apply"]);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let addr = leased(&out);
    let addrs = net.client_ip(&["-4", "addr", "show", "dev", "eth0"]);
    assert!(addrs.contains(&format!("inet {addr}/24")), "{addrs}");
    let route = net.client_ip(&["route", "show", "default"]);
    assert!(
        route.contains(&format!("default via {SERVER} dev eth0")),
        "{route}"
    );
    assert!(lease_file_until(&net.leases(), |t| t.contains(&addr)).contains(&addr));

    // (d) a Release for an address and server named on the command line.
    let (code, out, err) = net.dhcp(&["--release", "--addr", &addr, "--server", SERVER]);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        out.contains("Dynamic Host Configuration Protocol (Release)"),
        "{out}"
    );
    let leases = lease_file_until(&net.leases(), |t| !t.contains(&addr));
    assert!(!leases.contains(&addr), "still leased: {leases:?}");
}

#[test]
fn release_after_the_lease_in_one_run() {
    if !needs() {
        return;
    }
    let net = Net::new("dh3", true);
    let (code, out, err) = net.dhcp(&["--release", "--wait", "2"]);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let addr = leased(&out);
    assert!(
        out.contains(&format!("Released {addr} to server {SERVER}")),
        "{out}"
    );
    let leases = lease_file_until(&net.leases(), |t| !t.contains(&addr));
    assert!(!leases.contains(&addr), "still leased: {leases:?}");
}

#[test]
fn no_server_is_a_bounded_failure() {
    if !needs() {
        return;
    }
    let net = Net::new("dh4", false);
    let start = Instant::now();
    let (code, out, err) = net.dhcp(&["--wait", "0.5", "--tries", "2"]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(code, Some(5), "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        err.contains("no DHCP server answered on eth0: no Offer after 2 Discovers"),
        "{err}"
    );
    assert_eq!(out.matches("=> sent: DHCP Discover").count(), 2, "{out}");
}

#[test]
fn another_mac_gets_its_own_lease() {
    if !needs() {
        return;
    }
    let net = Net::new("dh5", true);
    let mac = "02:00:00:00:00:42";
    let (code, out, err) = net.dhcp(&["--mac", mac, "--wait", "2"]);
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let addr = leased(&out);
    assert!(
        out.contains("Bootp flags: 0x8000, Broadcast flag (Broadcast)"),
        "{out}"
    );
    let leases = lease_file_until(&net.leases(), |t| t.contains(&addr));
    assert!(
        leases.contains(&format!("{mac} {addr}")),
        "lease file: {leases:?}"
    );
    let (code, _, err) = net.dhcp(&["--mac", "ff:ff:ff:ff:ff:ff"]);
    assert_eq!(code, Some(2), "{err}");
}

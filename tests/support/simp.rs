//! The SIMP end-to-end helpers: `wirelab simp` daemons and clients (optionally inside a
//! namespace), a pair of namespaces joined by veth, and a tcpdump capture read back as SIMP.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use wirelab::decode::simp::SimpMessage;

use super::BIN;
use super::netns::{Netns, Tcpdump};
use super::proc::{Proc, Transcript};

/// Starts `wirelab ARGS`, inside namespace `netns` when given, logging to `transcript`.
pub fn spawn(name: &str, netns: Option<&str>, args: &[&str], transcript: &Transcript) -> Proc {
    let mut cmd = match netns {
        Some(ns) => {
            let mut cmd = Command::new("ip");
            cmd.args(["netns", "exec", ns, BIN]);
            cmd
        }
        None => super::wirelab(),
    };
    cmd.args(args);
    Proc::spawn_logged(name, cmd, transcript)
}

/// Starts a daemon and waits until it listens.
pub fn daemon(name: &str, netns: Option<&str>, args: &[&str], t: &Transcript) -> Proc {
    let mut all = vec!["simp", "daemon"];
    all.extend_from_slice(args);
    let mut proc = spawn(name, netns, &all, t);
    proc.expect("daemon: listening on");
    proc
}

/// Starts a client of the daemon at `ip`, logs in as `user` and waits for the menu.
pub fn client(name: &str, netns: Option<&str>, ip: &str, user: &str, t: &Transcript) -> Proc {
    let mut proc = spawn(name, netns, &["simp", "client", "--daemon", ip], t);
    proc.expect("client: connected to daemon");
    proc.expect("login: ");
    proc.send_line(user);
    proc.expect(&format!("ok: logged in as {user}"));
    proc.expect("menu: ");
    proc
}

/// Two network namespaces `a` and `b` joined by a veth pair (`dev_a` in `a`, `dev_b` in `b`),
/// with 10.77.0.1/24 on `dev_a` and 10.77.0.2/24 on `dev_b`. Drop deletes both.
pub struct NetPair {
    /// Namespace of side A.
    pub a: String,
    /// Namespace of side B.
    pub b: String,
    /// veth end inside `a`.
    pub dev_a: &'static str,
    /// veth end inside `b`.
    pub dev_b: &'static str,
    ns_a: Netns,
    ns_b: Netns,
}

impl NetPair {
    /// Side A's first address.
    pub const IP_A: &'static str = "10.77.0.1";
    /// Side B's address.
    pub const IP_B: &'static str = "10.77.0.2";

    /// Creates the pair (namespaces `wlsimpa-<pid>-<n>` and `wlsimpb-<pid>-<n>`).
    pub fn new() -> NetPair {
        let (ns_a, ns_b) = (Netns::new("simpa"), Netns::new("simpb"));
        let (dev_a, dev_b) = ("simpa", "simpb");
        super::netns::veth(&ns_a, dev_a, &ns_b, dev_b);
        ns_a.ip(&["addr", "add", &format!("{}/24", Self::IP_A), "dev", dev_a]);
        ns_b.ip(&["addr", "add", &format!("{}/24", Self::IP_B), "dev", dev_b]);
        NetPair {
            a: ns_a.name.clone(),
            b: ns_b.name.clone(),
            dev_a,
            dev_b,
            ns_a,
            ns_b,
        }
    }

    /// Adds one more address (CIDR) on side A's veth end.
    pub fn add_addr_a(&self, cidr: &str) {
        self.ns_a.ip(&["addr", "add", cidr, "dev", self.dev_a]);
    }
}

/// A tcpdump capture of SIMP's UDP port 7777 on `dev` inside namespace `netns`, started and
/// listening; `stop()` returns the file.
pub fn capture(netns: &str, dev: &str, path: &Path) -> Tcpdump {
    Tcpdump::start_in(netns, dev, path, &["udp", "port", "7777"])
}

/// The SIMP datagrams (UDP port 7777 payloads that decode) of an Ethernet pcap file, with their
/// source address, in capture order.
pub fn simp_datagrams(path: &Path) -> Vec<(SocketAddr, SimpMessage)> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let file = std::fs::File::open(path).expect("open capture");
    let mut reader = pcap_file::pcap::PcapReader::new(file).expect("a pcap file");
    let mut out = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.expect("pcap packet");
        let Ok(sliced) = SlicedPacket::from_ethernet(packet.data()) else {
            continue;
        };
        let (Some(NetSlice::Ipv4(ipv4)), Some(TransportSlice::Udp(udp))) =
            (sliced.net, sliced.transport)
        else {
            continue;
        };
        if udp.destination_port() != 7777 && udp.source_port() != 7777 {
            continue;
        }
        if let Ok(msg) = SimpMessage::decode(udp.payload()) {
            let from = SocketAddr::from((ipv4.header().source_addr(), udp.source_port()));
            out.push((from, msg));
        }
    }
    out
}

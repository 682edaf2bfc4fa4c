//! Which dissector gets a payload: Wireshark's `tcp.port`/`udp.port` tables, `-d` rules,
//! conversations announced by another protocol, and heuristics, in Wireshark's order.
//!
//! Wireshark (`decode_tcp_ports`/`decode_udp_ports`, default preferences) tries a
//! conversation's dissector first, then the port table with the lower port, then the higher
//! one, then the heuristic dissectors. A `-d` rule replaces the table's entry for its port.

use foldhash::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use super::{Dissector, Endpoints, Transport};

/// The port table's entry for `port`, with Wireshark 4.0's default preferences.
fn port_entry(t: Transport, port: u16) -> Option<Dissector> {
    use Dissector::*;
    match (t, port) {
        (Transport::Udp, 53) | (Transport::Tcp, 53) => Some(Dns),
        (Transport::Udp, 5353) => Some(Mdns),
        (Transport::Udp, 5355) | (Transport::Tcp, 5355) => Some(Llmnr),
        (Transport::Udp, 137) => Some(Nbns),
        (Transport::Udp, 67 | 68) => Some(Dhcp),
        (Transport::Udp, 546 | 547) => Some(Dhcpv6),
        (Transport::Udp, 1900) => Some(Ssdp),
        (Transport::Udp, crate::wire::simp::DAEMON_PORT) => Some(Simp),
        (Transport::Tcp, 80 | 3128 | 3132 | 5985 | 8080 | 8088 | 11371 | 1900 | 2869 | 2710) => {
            Some(Http)
        }
        // Wireshark 4.0's `tcp.port` entries for TLS (`tshark -G decodes`); QUIC has none:
        // it is found by its heuristic, on UDP 443 too.
        (
            Transport::Tcp,
            324
            | 443
            | 465
            | 636
            | 802
            | 853
            | 993
            | 995
            | 1300
            | 2221
            | 2443
            | 3249..=3252
            | 3496
            | 5061
            | 5671
            | 5684
            | 5868
            | 8883
            | 11207
            | 19999
            | 27017,
        ) => Some(Tls),
        (Transport::Tcp, 25 | 587) => Some(Smtp),
        (Transport::Tcp, 21) => Some(Ftp),
        (Transport::Tcp, 20) => Some(FtpData),
        (Transport::Tcp, 110) => Some(Pop),
        (Transport::Tcp, 143) => Some(Imap),
        _ => None,
    }
}

/// Is `port` one of the TCP ports Wireshark 4.0 gives HTTP by default (`http.tcp.port`)?
pub(super) fn http_tcp_port(port: u16) -> bool {
    port_entry(Transport::Tcp, port) == Some(Dissector::Http)
}

/// Heuristic dissectors tried after the tables, in Wireshark's order, per transport.
const TCP_HEURISTICS: &[Dissector] = &[Dissector::Http, Dissector::Tls];
const UDP_HEURISTICS: &[Dissector] = &[Dissector::Quic];

/// One `-d` rule: `udp.port==8053,dns` sends that port to that dissector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeAs {
    /// Which table.
    pub transport: Transport,
    /// The port.
    pub port: u16,
    /// The dissector.
    pub dissector: Dissector,
}

/// Why a `-d` rule could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("-d {rule:?}: {why} (write it as tshark does, e.g. -d udp.port==8053,dns)")]
pub struct DecodeAsError {
    rule: String,
    why: String,
}

impl FromStr for DecodeAs {
    type Err = DecodeAsError;

    /// Reads tshark's syntax: `udp.port==8053,dns` (also `tcp.port==8443,tls`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why: String| DecodeAsError {
            rule: s.to_string(),
            why,
        };
        let (selector, proto) = s
            .split_once(',')
            .ok_or_else(|| err("no protocol after a comma".into()))?;
        let (table, port) = selector
            .split_once("==")
            .ok_or_else(|| err("the selector needs == and a port".into()))?;
        let transport = match table.trim() {
            "tcp.port" => Transport::Tcp,
            "udp.port" => Transport::Udp,
            other => {
                return Err(err(format!(
                    "{other:?} is not a table wirelab has: use tcp.port or udp.port"
                )));
            }
        };
        let port = port
            .trim()
            .parse::<u16>()
            .map_err(|_| err(format!("{:?} is not a port number", port.trim())))?;
        let proto = proto.trim().to_ascii_lowercase();
        let dissector = Dissector::from_name(&proto).ok_or_else(|| {
            let names: Vec<&str> = Dissector::ALL.iter().map(|d| d.name()).collect();
            err(format!(
                "no dissector named {proto:?}; wirelab has {}",
                names.join(", ")
            ))
        })?;
        Ok(DecodeAs {
            transport,
            port,
            dissector,
        })
    }
}

impl fmt::Display for DecodeAs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = match self.transport {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        };
        write!(f, "{t}.port=={},{}", self.port, self.dissector.name())
    }
}

/// The dispatch table: the built-in port entries with `-d` rules over them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    rules: Vec<DecodeAs>,
}

/// Conversations another protocol announced (FTP's PASV/PORT): server address → dissector.
/// Bounded: the oldest half is dropped when full.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    map: HashMap<SocketAddr, (u64, Dissector)>,
    next: u64,
}

/// Most conversations remembered at once.
const EXPECTED_CAP: usize = 1024;

impl Expected {
    pub(super) fn insert(&mut self, server: SocketAddr, d: Dissector) {
        if self.map.len() >= EXPECTED_CAP {
            let cut = self.next.saturating_sub(EXPECTED_CAP as u64 / 2);
            self.map.retain(|_, (n, _)| *n >= cut);
        }
        self.next += 1;
        self.map.insert(server, (self.next, d));
    }

    fn get(&self, a: &SocketAddr) -> Option<Dissector> {
        self.map.get(a).map(|(_, d)| *d)
    }

    pub(super) fn approx_bytes(&self) -> usize {
        self.map.capacity() * 48
    }
}

/// Up to three candidates, in the order they are tried.
#[derive(Debug, Clone, Copy, Default)]
pub struct Candidates {
    list: [Option<Dissector>; 3],
}

impl Candidates {
    fn push(&mut self, d: Option<Dissector>) {
        let Some(d) = d else { return };
        if self.list.contains(&Some(d)) {
            return;
        }
        if let Some(slot) = self.list.iter_mut().find(|s| s.is_none()) {
            *slot = Some(d);
        }
    }

    /// The candidates in order.
    pub fn iter(&self) -> impl Iterator<Item = Dissector> + '_ {
        self.list.iter().flatten().copied()
    }
}

impl Table {
    /// A table with `rules` over the built-in entries.
    pub fn new(rules: Vec<DecodeAs>) -> Self {
        Table { rules }
    }

    /// The `-d` rules.
    pub fn rules(&self) -> &[DecodeAs] {
        &self.rules
    }

    fn entry(&self, t: Transport, port: u16) -> Option<Dissector> {
        self.rules
            .iter()
            .rev()
            .find(|r| r.transport == t && r.port == port)
            .map(|r| r.dissector)
            .or_else(|| port_entry(t, port))
    }

    /// The dissectors to try for a payload between `ends`, in Wireshark's order.
    pub fn candidates(&self, expected: &Expected, t: Transport, ends: Endpoints) -> Candidates {
        let mut c = Candidates::default();
        if t == Transport::Tcp {
            c.push(expected.get(&ends.dst).or_else(|| expected.get(&ends.src)));
        }
        let (lo, hi) = if ends.src.port() <= ends.dst.port() {
            (ends.src.port(), ends.dst.port())
        } else {
            (ends.dst.port(), ends.src.port())
        };
        c.push(self.entry(t, lo));
        c.push(self.entry(t, hi));
        c
    }

    /// The heuristic dissectors for `t`, in order.
    pub fn heuristics(&self, t: Transport) -> impl Iterator<Item = Dissector> {
        match t {
            Transport::Tcp => TCP_HEURISTICS.iter().copied(),
            Transport::Udp => UDP_HEURISTICS.iter().copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(a: u16, b: u16) -> Endpoints {
        Endpoints {
            src: SocketAddr::from(([10, 0, 0, 1], a)),
            dst: SocketAddr::from(([10, 0, 0, 2], b)),
        }
    }

    #[test]
    fn lower_port_first_then_higher() {
        let t = Table::default();
        let e = Expected::default();
        let c: Vec<_> = t
            .candidates(&e, Transport::Udp, ends(53, 5353))
            .iter()
            .collect();
        assert_eq!(c, [Dissector::Dns, Dissector::Mdns]);
        let c: Vec<_> = t
            .candidates(&e, Transport::Tcp, ends(51000, 80))
            .iter()
            .collect();
        assert_eq!(c, [Dissector::Http]);
    }

    #[test]
    fn decode_as_rules_replace_the_port_entry() {
        let rule: DecodeAs = "udp.port==8053,dns".parse().unwrap();
        assert_eq!(rule.to_string(), "udp.port==8053,dns");
        let t = Table::new(vec![rule, "udp.port==53,simp".parse().unwrap()]);
        let e = Expected::default();
        let c: Vec<_> = t
            .candidates(&e, Transport::Udp, ends(40000, 8053))
            .iter()
            .collect();
        assert_eq!(c, [Dissector::Dns]);
        let c: Vec<_> = t
            .candidates(&e, Transport::Udp, ends(40000, 53))
            .iter()
            .collect();
        assert_eq!(c, [Dissector::Simp]);
    }

    #[test]
    fn bad_rules_say_what_to_write() {
        for bad in [
            "udp.port=8053,dns",
            "udp.port==x,dns",
            "sctp.port==1,dns",
            "udp.port==1,nope",
            "udp.port==1",
        ] {
            let e = bad.parse::<DecodeAs>().unwrap_err().to_string();
            assert!(e.contains("-d udp.port==8053,dns"), "{e}");
        }
    }

    #[test]
    fn announced_conversations_come_first() {
        let t = Table::default();
        let mut e = Expected::default();
        e.insert(SocketAddr::from(([10, 0, 0, 2], 50000)), Dissector::FtpData);
        let c: Vec<_> = t
            .candidates(&e, Transport::Tcp, ends(40000, 50000))
            .iter()
            .collect();
        assert_eq!(c, [Dissector::FtpData]);
    }
}

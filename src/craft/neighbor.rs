//! ARP for a host that is not the kernel (RFC 826), without I/O: resolving a neighbour's MAC
//! address, probing whether an address is free (in the style of RFC 5227), and answering
//! requests for the address this program uses.
//!
//! Like [`super::tcp_conn`], a [`Neighbor`] reads no clock and opens no socket: ARP packets
//! come in through [`Neighbor::on_arp`], the ones to send come out of
//! [`Neighbor::poll_transmit`], and [`Neighbor::poll_at`] says when to wake it.

use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::time::Duration;

use crate::wire::arp::{ArpRepr, REQUEST};
use crate::wire::ethernet::BROADCAST;

/// Timing of requests and probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeighborConfig {
    /// Requests sent before a neighbour counts as unreachable (Linux sends 3).
    pub request_tries: u32,
    /// Time between requests (Linux: 1 s).
    pub request_interval: Duration,
    /// Probes sent for a candidate address (RFC 5227 sends 3, 1–2 s apart; fewer and faster
    /// here, as a lab LAN answers within milliseconds).
    pub probe_count: u32,
    /// Time between probes.
    pub probe_interval: Duration,
    /// Time after the last probe before the address counts as free.
    pub probe_wait: Duration,
}

impl Default for NeighborConfig {
    fn default() -> Self {
        NeighborConfig {
            request_tries: 3,
            request_interval: Duration::from_secs(1),
            probe_count: 2,
            probe_interval: Duration::from_millis(150),
            probe_wait: Duration::from_millis(300),
        }
    }
}

/// Where a resolution stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Not asked for.
    Unknown,
    /// Requests sent, no reply yet.
    Pending,
    /// The neighbour's MAC address.
    Resolved([u8; 6]),
    /// Every request went unanswered.
    Unreachable {
        /// Requests sent.
        tries: u32,
    },
}

/// What a probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeResult {
    /// Still probing.
    Pending,
    /// Nobody claimed the address.
    Free,
    /// A host with this MAC address uses it.
    Taken([u8; 6]),
}

/// An ARP packet to send, and the Ethernet destination to send it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpOut {
    /// Ethernet destination (broadcast for requests and probes).
    pub eth_dst: [u8; 6],
    /// The packet.
    pub arp: ArpRepr,
    /// What it is for, in words.
    pub why: &'static str,
}

#[derive(Debug, Clone, Copy)]
struct Resolving {
    ip: Ipv4Addr,
    sent: u32,
    next_at: Duration,
    state: Resolution,
}

#[derive(Debug, Clone, Copy)]
struct Probing {
    ip: Ipv4Addr,
    sent: u32,
    next_at: Duration,
    result: ProbeResult,
}

/// The ARP side of one interface for this program.
#[derive(Debug, Clone)]
pub struct Neighbor {
    cfg: NeighborConfig,
    mac: [u8; 6],
    /// The address used as the sender of requests.
    ip: Ipv4Addr,
    /// Answer requests for `ip` (false when the host's kernel owns it and answers itself).
    answer: bool,
    resolving: Vec<Resolving>,
    probing: Option<Probing>,
    out: VecDeque<ArpOut>,
    /// Another MAC address claimed our address.
    conflict: Option<[u8; 6]>,
}

impl Neighbor {
    /// ARP for `mac`, sending requests as `ip`; with `answer`, requests for `ip` are answered.
    pub fn new(cfg: NeighborConfig, mac: [u8; 6], ip: Ipv4Addr, answer: bool) -> Self {
        Neighbor {
            cfg,
            mac,
            ip,
            answer,
            resolving: Vec::new(),
            probing: None,
            out: VecDeque::new(),
            conflict: None,
        }
    }

    /// Our address.
    pub fn ip(&self) -> Ipv4Addr {
        self.ip
    }

    /// Starts using `ip` (after a probe found it free).
    pub fn set_ip(&mut self, ip: Ipv4Addr, answer: bool) {
        self.ip = ip;
        self.answer = answer;
    }

    /// Starts resolving `ip` (a no-op if it is resolved or being resolved).
    pub fn resolve(&mut self, now: Duration, ip: Ipv4Addr) {
        if self.resolving.iter().any(|r| r.ip == ip) {
            return;
        }
        self.resolving.push(Resolving {
            ip,
            sent: 0,
            next_at: now,
            state: Resolution::Pending,
        });
    }

    /// Where the resolution of `ip` stands.
    pub fn resolution(&self, ip: Ipv4Addr) -> Resolution {
        self.resolving
            .iter()
            .find(|r| r.ip == ip)
            .map_or(Resolution::Unknown, |r| r.state)
    }

    /// Starts probing whether `candidate` is free (RFC 5227 2.1.1).
    pub fn probe(&mut self, now: Duration, candidate: Ipv4Addr) {
        self.probing = Some(Probing {
            ip: candidate,
            sent: 0,
            next_at: now,
            result: ProbeResult::Pending,
        });
    }

    /// What the probe found so far.
    pub fn probe_result(&self) -> ProbeResult {
        self.probing.map_or(ProbeResult::Pending, |p| p.result)
    }

    /// The MAC address of a host that claimed our address while we used it, if any.
    pub fn conflict(&self) -> Option<[u8; 6]> {
        self.conflict
    }

    /// Takes an ARP packet that arrived (from [`crate::decode`]'s view of it).
    pub fn on_arp(&mut self, arp: &crate::decode::ArpRepr) {
        if !arp.eth_ipv4 || arp.sender_mac == self.mac {
            return;
        }
        if let Some(p) = self.probing.as_mut()
            && p.result == ProbeResult::Pending
        {
            // RFC 5227 2.1.1: any packet from the candidate, or another probe for it.
            let claims = arp.sender_ip == p.ip;
            let probes_too = arp.op == REQUEST
                && arp.sender_ip == Ipv4Addr::UNSPECIFIED
                && arp.target_ip == p.ip;
            if claims || probes_too {
                p.result = ProbeResult::Taken(arp.sender_mac);
            }
        }
        for r in &mut self.resolving {
            if arp.sender_ip == r.ip && arp.sender_ip != Ipv4Addr::UNSPECIFIED {
                r.state = Resolution::Resolved(arp.sender_mac);
            }
        }
        if self.answer && arp.sender_ip == self.ip {
            self.conflict = Some(arp.sender_mac);
        }
        if self.answer && arp.op == REQUEST && arp.target_ip == self.ip {
            let request = ArpRepr::ethernet_ipv4(
                REQUEST,
                arp.sender_mac,
                arp.sender_ip,
                arp.target_mac,
                arp.target_ip,
            );
            self.out.push_back(ArpOut {
                eth_dst: arp.sender_mac,
                arp: ArpRepr::reply_to(&request, self.mac, self.ip),
                why: "ARP reply for our address",
            });
        }
    }

    /// The next ARP packet to send at `now`.
    pub fn poll_transmit(&mut self, now: Duration) -> Option<ArpOut> {
        if let Some(o) = self.out.pop_front() {
            return Some(o);
        }
        if let Some(p) = self.probing.as_mut()
            && p.result == ProbeResult::Pending
            && now >= p.next_at
        {
            if p.sent >= self.cfg.probe_count {
                p.result = ProbeResult::Free;
                return None;
            }
            p.sent += 1;
            p.next_at = now
                + if p.sent >= self.cfg.probe_count {
                    self.cfg.probe_wait
                } else {
                    self.cfg.probe_interval
                };
            return Some(ArpOut {
                eth_dst: BROADCAST,
                arp: ArpRepr::probe(self.mac, p.ip),
                why: "ARP probe: is this address free?",
            });
        }
        for r in &mut self.resolving {
            if r.state != Resolution::Pending || now < r.next_at {
                continue;
            }
            if r.sent >= self.cfg.request_tries {
                r.state = Resolution::Unreachable { tries: r.sent };
                continue;
            }
            r.sent += 1;
            r.next_at = now + self.cfg.request_interval;
            return Some(ArpOut {
                eth_dst: BROADCAST,
                arp: ArpRepr::request(self.mac, self.ip, r.ip),
                why: "ARP request for the next hop",
            });
        }
        None
    }

    /// When to call [`Neighbor::poll_transmit`] next even if nothing arrives.
    pub fn poll_at(&self) -> Option<Duration> {
        let probe = self
            .probing
            .filter(|p| p.result == ProbeResult::Pending)
            .map(|p| p.next_at);
        let resolve = self
            .resolving
            .iter()
            .filter(|r| r.state == Resolution::Pending)
            .map(|r| r.next_at)
            .min();
        match (probe, resolve) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::arp::REPLY;

    const US: [u8; 6] = [2, 0, 0, 0, 0, 0x20];
    const SERVER: [u8; 6] = [2, 0, 0, 0, 3, 1];
    const OUR_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 20);
    const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 1);
    const MS: Duration = Duration::from_millis(1);

    fn seen(
        op: u16,
        sender_mac: [u8; 6],
        sender_ip: Ipv4Addr,
        target_ip: Ipv4Addr,
    ) -> crate::decode::ArpRepr {
        crate::decode::ArpRepr {
            hw_type: 1,
            proto_type: 0x0800,
            hw_size: 6,
            proto_size: 4,
            op,
            sender_mac,
            sender_ip,
            target_mac: [0; 6],
            target_ip,
            eth_ipv4: true,
            range: 0..28,
        }
    }

    #[test]
    fn resolves_with_a_broadcast_request_and_learns_the_reply() {
        let mut n = Neighbor::new(NeighborConfig::default(), US, OUR_IP, true);
        n.resolve(Duration::ZERO, SERVER_IP);
        let req = n.poll_transmit(Duration::ZERO).unwrap();
        assert_eq!(req.eth_dst, BROADCAST);
        assert_eq!(req.arp, ArpRepr::request(US, OUR_IP, SERVER_IP));
        assert!(n.poll_transmit(Duration::ZERO).is_none());
        assert_eq!(n.resolution(SERVER_IP), Resolution::Pending);
        n.on_arp(&seen(REPLY, SERVER, SERVER_IP, OUR_IP));
        assert_eq!(n.resolution(SERVER_IP), Resolution::Resolved(SERVER));
        assert_eq!(n.poll_at(), None);
    }

    #[test]
    fn unanswered_requests_make_the_neighbour_unreachable() {
        let mut n = Neighbor::new(NeighborConfig::default(), US, OUR_IP, true);
        n.resolve(Duration::ZERO, SERVER_IP);
        let mut sent = 0;
        let mut now = Duration::ZERO;
        for _ in 0..10 {
            while n.poll_transmit(now).is_some() {
                sent += 1;
            }
            match n.poll_at() {
                Some(t) => now = t,
                None => break,
            }
        }
        assert_eq!(sent, 3);
        assert_eq!(now, Duration::from_secs(3));
        assert_eq!(
            n.resolution(SERVER_IP),
            Resolution::Unreachable { tries: 3 }
        );
    }

    #[test]
    fn answers_requests_for_our_address_only_when_asked_to() {
        let mut n = Neighbor::new(NeighborConfig::default(), US, OUR_IP, true);
        n.on_arp(&seen(REQUEST, SERVER, SERVER_IP, OUR_IP));
        let rep = n.poll_transmit(Duration::ZERO).unwrap();
        assert_eq!(rep.eth_dst, SERVER);
        assert_eq!(
            (
                rep.arp.op,
                rep.arp.sender_mac,
                rep.arp.sender_ip,
                rep.arp.target_ip
            ),
            (REPLY, US, OUR_IP, SERVER_IP)
        );
        // Requests for other addresses, and our own frames, are ignored.
        n.on_arp(&seen(
            REQUEST,
            SERVER,
            SERVER_IP,
            Ipv4Addr::new(10, 0, 3, 99),
        ));
        n.on_arp(&seen(REQUEST, US, OUR_IP, OUR_IP));
        assert!(n.poll_transmit(Duration::ZERO).is_none());
        // The host's own address: its kernel answers, not us.
        let mut k = Neighbor::new(NeighborConfig::default(), US, OUR_IP, false);
        k.on_arp(&seen(REQUEST, SERVER, SERVER_IP, OUR_IP));
        assert!(k.poll_transmit(Duration::ZERO).is_none());
    }

    #[test]
    fn a_probe_nobody_answers_finds_the_address_free() {
        let mut n = Neighbor::new(NeighborConfig::default(), US, Ipv4Addr::UNSPECIFIED, false);
        n.probe(Duration::ZERO, OUR_IP);
        let p = n.poll_transmit(Duration::ZERO).unwrap();
        assert_eq!(p.arp.sender_ip, Ipv4Addr::UNSPECIFIED);
        assert_eq!(p.arp.target_ip, OUR_IP);
        assert!(n.poll_transmit(100 * MS).is_none());
        assert!(n.poll_transmit(150 * MS).is_some());
        assert_eq!(n.probe_result(), ProbeResult::Pending);
        assert!(n.poll_transmit(300 * MS).is_none());
        assert!(n.poll_transmit(450 * MS).is_none());
        assert_eq!(n.probe_result(), ProbeResult::Free);
    }

    #[test]
    fn a_probe_answered_or_crossed_finds_the_address_taken() {
        let other = [2, 0, 0, 0, 0, 0x99];
        let mut n = Neighbor::new(NeighborConfig::default(), US, Ipv4Addr::UNSPECIFIED, false);
        n.probe(Duration::ZERO, OUR_IP);
        n.poll_transmit(Duration::ZERO);
        n.on_arp(&seen(REPLY, other, OUR_IP, Ipv4Addr::UNSPECIFIED));
        assert_eq!(n.probe_result(), ProbeResult::Taken(other));
        // Another host probing for the same address at the same time: taken too (RFC 5227).
        n.probe(Duration::ZERO, OUR_IP);
        n.on_arp(&seen(REQUEST, other, Ipv4Addr::UNSPECIFIED, OUR_IP));
        assert_eq!(n.probe_result(), ProbeResult::Taken(other));
    }

    #[test]
    fn another_host_using_our_address_is_a_conflict() {
        let other = [2, 0, 0, 0, 0, 0x99];
        let mut n = Neighbor::new(NeighborConfig::default(), US, OUR_IP, true);
        n.on_arp(&seen(REPLY, other, OUR_IP, SERVER_IP));
        assert_eq!(n.conflict(), Some(other));
    }
}

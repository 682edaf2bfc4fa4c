//! Wireshark's Protocol Hierarchy (`tshark -z io,phs`): frames and bytes per protocol, nested
//! as the protocols nest in each frame.
//!
//! A frame's path is its `frame.protocols` without `frame` and the `ethertype` pseudo-layer
//! (`eth` → `ip` → `tcp` → `http`): a node counts the frames whose path passes through it and
//! their lengths on the wire. The tree has a node per distinct path prefix, so its size does not
//! grow with the number of frames.

use super::Packet;
use crate::decode::{LinkRepr, NetRepr, TransportRepr};

/// One protocol in the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Protocol filter name (`eth`, `ip`, `tcp`, `http`, `data`).
    pub name: &'static str,
    /// Frames whose path passes through this node.
    pub frames: u64,
    /// Their bytes (length on the wire).
    pub bytes: u64,
    children: Vec<usize>,
}

/// The hierarchy of a whole capture.
#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    nodes: Vec<Node>,
    roots: Vec<usize>,
    path: Vec<&'static str>,
}

impl Hierarchy {
    /// An empty hierarchy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one frame.
    pub fn add(&mut self, p: &Packet) {
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        protocols(p, &mut path);
        let mut level: Option<usize> = None;
        for name in &path {
            let siblings = match level {
                None => &self.roots,
                Some(i) => &self.nodes[i].children,
            };
            let found = siblings
                .iter()
                .copied()
                .find(|&c| self.nodes[c].name == *name);
            let i = match found {
                Some(i) => i,
                None => {
                    let i = self.nodes.len();
                    self.nodes.push(Node {
                        name,
                        frames: 0,
                        bytes: 0,
                        children: Vec::new(),
                    });
                    match level {
                        None => self.roots.push(i),
                        Some(parent) => self.nodes[parent].children.push(i),
                    }
                    i
                }
            };
            self.nodes[i].frames += 1;
            self.nodes[i].bytes += u64::from(p.len);
            level = Some(i);
        }
        self.path = path;
    }

    /// Every node with its depth, parents before children, siblings in order of first
    /// appearance (as tshark lists them).
    pub fn rows(&self) -> Vec<(usize, &Node)> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(usize, usize)> = self.roots.iter().rev().map(|&r| (0, r)).collect();
        while let Some((depth, i)) = stack.pop() {
            let node = &self.nodes[i];
            out.push((depth, node));
            stack.extend(node.children.iter().rev().map(|&c| (depth + 1, c)));
        }
        out
    }
}

/// The protocols of `p` in the order they nest, as tshark's `frame.protocols` names them
/// (without `frame` and `ethertype`).
pub fn protocols(p: &Packet, out: &mut Vec<&'static str>) {
    let d = &p.decoded;
    match &d.link {
        LinkRepr::Ethernet { .. } => out.push("eth"),
        LinkRepr::Sll { .. } => out.push("sll"),
        LinkRepr::Loopback { .. } => out.push("null"),
        LinkRepr::None => out.push("raw"),
        LinkRepr::Unsupported(_) => {}
    }
    out.extend(d.vlans.iter().map(|_| "vlan"));
    match &d.net {
        NetRepr::Arp(_) => {
            out.push("arp");
            return;
        }
        NetRepr::Ipv4(_) => out.push("ip"),
        NetRepr::Ipv6(_) => out.push("ipv6"),
        NetRepr::Other { ethertype, .. } if *ethertype < 0x0600 => {
            out.push("llc");
            return;
        }
        NetRepr::Other { .. } => {
            out.push("data");
            return;
        }
        NetRepr::None => return,
    }
    transport(p, out);
    if p.caplen < p.len {
        // tshark's "Packet size limited during capture" marker.
        out.push("_ws.short");
    }
}

fn transport(p: &Packet, out: &mut Vec<&'static str>) {
    let d = &p.decoded;
    let payload_len = |r: &std::ops::Range<usize>| r.end.saturating_sub(r.start);
    match &d.transport {
        TransportRepr::Tcp(t) => {
            out.push("tcp");
            if t.cut.is_none() && !t.payload.is_empty() {
                app_or_data(p, out);
            }
        }
        TransportRepr::Udp(u) => {
            out.push("udp");
            if payload_len(&u.payload) > 0 {
                app_or_data(p, out);
            }
        }
        // tshark's hierarchy counts the protocols at the top of the tree: what ICMP quotes
        // and an echo's data sit inside ICMP's subtree; an error's quoted datagram is listed
        // as `data`.
        TransportRepr::Icmpv4(i) => {
            out.push("icmp");
            if i.quoted.is_some() {
                out.push("data");
            }
        }
        TransportRepr::Icmpv6(i) => {
            out.push("icmpv6");
            if i.quoted.is_some() {
                out.push("data");
            }
        }
        TransportRepr::Other { protocol: 2, .. } => out.push("igmp"),
        TransportRepr::Other { .. } | TransportRepr::None => out.push("data"),
    }
}

/// The application layers above TCP/UDP, or `data` for a payload no dissector took.
fn app_or_data(p: &Packet, out: &mut Vec<&'static str>) {
    if p.app.is_empty() {
        // Retransmitted bytes are not given to a dissector again, not even `data`.
        let retransmitted = p.tcp.as_ref().is_some_and(|a| a.retransmitted_bytes());
        if !p.pdu_segment && !retransmitted {
            out.push("data");
        }
        return;
    }
    // Several messages of one protocol in a segment are one entry (TLS records, SMTP
    // lines); coalesced QUIC packets are nested, one entry each, as tshark counts them.
    let mut reassembled = false;
    let mut last: Option<crate::dissect::Dissector> = None;
    for l in &p.app {
        if let Some(d) = l.dissector
            && (last != Some(d) || d == crate::dissect::Dissector::Quic)
        {
            out.push(d.name());
            out.extend(l.sub);
            last = Some(d);
        }
        reassembled |= !l.segments.is_empty();
    }
    if reassembled {
        out.push("tcp.segments");
    }
}

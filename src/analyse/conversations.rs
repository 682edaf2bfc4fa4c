//! TCP and UDP conversations and the socket addresses taking part, with their roles.
//!
//! This answers the lab questions ("how many socket addresses belong to the server?").
//! A conversation is keyed like Wireshark's: the unordered pair of socket addresses (and,
//! for TCP, the stream index, so a reused port pair is a new conversation). Endpoint A is
//! the side that sent the first frame. Roles: for TCP the sender of a pure SYN is the
//! client and its peer the server; without a SYN the role is unknown. For UDP the sender of
//! the first datagram is taken as the client. State grows with conversations, not packets.

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::net::{IpAddr, SocketAddr};

use super::Packet;
use crate::decode::{TransportRepr, tcp_flags};

/// Transport of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Transport {
    /// "TCP" or "UDP".
    pub fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "TCP",
            Transport::Udp => "UDP",
        }
    }
}

/// What one conversation carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// TCP or UDP.
    pub transport: Transport,
    /// TCP stream index (Wireshark's `tcp.stream`); `None` for UDP.
    pub stream: Option<u32>,
    /// The endpoint that sent the first frame.
    pub a: SocketAddr,
    /// The other endpoint.
    pub b: SocketAddr,
    /// Frames from A to B.
    pub frames_ab: u64,
    /// Bytes (frame lengths) from A to B.
    pub bytes_ab: u64,
    /// Frames from B to A.
    pub frames_ba: u64,
    /// Bytes from B to A.
    pub bytes_ba: u64,
    /// Time of the first frame, seconds since the capture's first frame.
    pub start: f64,
    /// Time of the last frame, seconds since the capture's first frame.
    pub end: f64,
    /// The client of the conversation (a SYN sender, or the first UDP sender), if known.
    pub client: Option<SocketAddr>,
}

impl Conversation {
    /// Seconds from the first frame to the last.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// The role of a socket address across all conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Only ever the client.
    Client,
    /// Only ever the server.
    Server,
    /// Client in some conversations, server in others.
    Both,
    /// No handshake or first datagram told.
    Unknown,
}

impl Role {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
            Role::Both => "client and server",
            Role::Unknown => "unknown (no SYN seen)",
        }
    }
}

/// A socket address seen in the capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// IP:port.
    pub addr: SocketAddr,
    /// TCP or UDP.
    pub transport: Transport,
    /// Its role.
    pub role: Role,
    /// Number of conversations it took part in.
    pub conversations: u32,
}

type Key = (Transport, SocketAddr, SocketAddr, Option<u32>);

/// Accumulates conversations from analysed packets.
#[derive(Debug, Default)]
pub struct Conversations {
    index: HashMap<Key, usize>,
    list: Vec<Conversation>,
}

fn ordered(a: SocketAddr, b: SocketAddr) -> (SocketAddr, SocketAddr) {
    if a <= b { (a, b) } else { (b, a) }
}

impl Conversations {
    /// Nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one packet (ignored unless it is TCP or UDP over IP).
    pub fn add(&mut self, p: &Packet) {
        let Some((sip, dip)) = p.decoded.net.ip_addrs() else {
            return;
        };
        let (transport, sport, dport, stream, syn_only) = match &p.decoded.transport {
            TransportRepr::Tcp(t) => (
                Transport::Tcp,
                t.src_port,
                t.dst_port,
                p.tcp.as_ref().map(|a| a.stream),
                t.flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN,
            ),
            TransportRepr::Udp(u) => (Transport::Udp, u.src_port, u.dst_port, None, false),
            _ => return,
        };
        let src = SocketAddr::new(sip, sport);
        let dst = SocketAddr::new(dip, dport);
        let (lo, hi) = ordered(src, dst);
        let key = (transport, lo, hi, stream);
        let t = p.time_rel();
        let idx = *self.index.entry(key).or_insert_with(|| {
            self.list.push(Conversation {
                transport,
                stream,
                a: src,
                b: dst,
                frames_ab: 0,
                bytes_ab: 0,
                frames_ba: 0,
                bytes_ba: 0,
                start: t,
                end: t,
                client: (transport == Transport::Udp).then_some(src),
            });
            self.list.len() - 1
        });
        let c = &mut self.list[idx];
        if src == c.a {
            c.frames_ab += 1;
            c.bytes_ab += u64::from(p.len);
        } else {
            c.frames_ba += 1;
            c.bytes_ba += u64::from(p.len);
        }
        c.start = c.start.min(t);
        c.end = c.end.max(t);
        if syn_only && c.client.is_none() {
            c.client = Some(src);
        }
    }

    /// The conversations, in order of their first frame.
    pub fn list(&self) -> &[Conversation] {
        &self.list
    }

    /// Every socket address, with its role, sorted by transport then address.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let mut map: BTreeMap<(Transport, SocketAddr), (Option<Role>, u32)> = BTreeMap::new();
        let mut set = |tr: Transport, addr: SocketAddr, role: Role| {
            let e = map.entry((tr, addr)).or_insert((None, 0));
            e.1 += 1;
            e.0 = Some(match (e.0, role) {
                (None, r) => r,
                (Some(Role::Unknown), r) | (Some(r), Role::Unknown) => r,
                (Some(a), b) if a == b => a,
                _ => Role::Both,
            });
        };
        for c in &self.list {
            match c.client {
                Some(client) => {
                    let server = if client == c.a { c.b } else { c.a };
                    set(c.transport, client, Role::Client);
                    set(c.transport, server, Role::Server);
                }
                None => {
                    set(c.transport, c.a, Role::Unknown);
                    set(c.transport, c.b, Role::Unknown);
                }
            }
        }
        map.into_iter()
            .map(|((transport, addr), (role, n))| Endpoint {
                addr,
                transport,
                role: role.unwrap_or(Role::Unknown),
                conversations: n,
            })
            .collect()
    }

    /// Distinct IP addresses that act as servers, with their server socket addresses.
    pub fn server_hosts(&self) -> Vec<(IpAddr, Vec<(Transport, SocketAddr)>)> {
        let mut m: BTreeMap<IpAddr, Vec<(Transport, SocketAddr)>> = BTreeMap::new();
        for e in self.endpoints() {
            if matches!(e.role, Role::Server | Role::Both) {
                m.entry(e.addr.ip())
                    .or_default()
                    .push((e.transport, e.addr));
            }
        }
        m.into_iter().collect()
    }
}

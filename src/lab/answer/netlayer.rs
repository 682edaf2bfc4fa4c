//! The network-layer labs' view of a capture (the Kurose & Ross `ip` and `icmp` labs): every
//! IPv4 and IPv6 datagram's header as the decode layer read it, the ICMP message it carries
//! and the IPv4 header quoted in an ICMP error (read by the wire layer's own
//! [`Ipv4Repr::parse`]), then traceroute and ping reconstructed from them: the probes (one
//! per datagram, its fragments gathered by Identification), the reply each one got (matched
//! by the quoted header's addresses, protocol and Identification, or by an echo's identifier
//! and sequence number), the routers that answered.
//!
//! Nothing here knows which network the capture comes from: a virtual lab, a home network,
//! Windows' tracert or Linux's traceroute.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use crate::decode::{IcmpRepr, Ipv4Repr, Ipv6Repr, NetRepr, QuotedTransport, TransportRepr};

use super::{AnswerError, Capture, scan};

/// Datagrams kept per capture (the labs' captures hold a few hundred).
pub const MAX_DATAGRAMS: usize = 200_000;

/// ICMP Time Exceeded.
pub const TIME_EXCEEDED: u8 = 11;
/// ICMP Destination Unreachable.
pub const UNREACHABLE: u8 = 3;
/// ICMP echo request.
pub const ECHO_REQUEST: u8 = 8;
/// ICMP echo reply.
pub const ECHO_REPLY: u8 = 0;

/// The network layer of one datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ip {
    /// IPv4.
    V4(Ipv4Repr),
    /// IPv6.
    V6(Ipv6Repr),
}

/// What an ICMP error quotes of the datagram that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The quoted IPv4 header (`None` when it is cut short).
    pub ip: Option<Ipv4Repr>,
    /// Bytes quoted (header and what follows it).
    pub len: usize,
    /// The quoted transport header (TCP or UDP ports), if any.
    pub transport: Option<QuotedTransport>,
}

/// One IP datagram (or fragment) of a capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Datagram {
    /// Index of the capture file.
    pub file: usize,
    /// Frame number.
    pub frame: u64,
    /// Seconds since the file's first frame.
    pub time: f64,
    /// Its IP header.
    pub ip: Ip,
    /// Its transport layer (for a fragmented datagram, on the frame that completed it).
    pub transport: TransportRepr,
    /// The frames of the fragments, when this frame completed a fragmented datagram.
    pub reassembled: Vec<u64>,
    /// What an ICMPv4 error quotes.
    pub quote: Option<Quote>,
    /// The DNS message it carries, if any.
    pub dns: Option<Dns>,
}

/// A DNS message, as the DNS dissector's fields give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dns {
    /// Transaction ID.
    pub id: u64,
    /// A response (else a query).
    pub response: bool,
    /// The first question's name.
    pub name: String,
    /// The first question's type (28: AAAA).
    pub qtype: u64,
    /// The AAAA records of the answers, in order.
    pub aaaa: Vec<std::net::Ipv6Addr>,
}

fn dns_of(p: &crate::analyse::Packet) -> Option<Dns> {
    use crate::dissect::FieldVal;
    let l = p.app.iter().find(|l| l.values("dns.id").next().is_some())?;
    let num = |name: &str| {
        l.values(name).next().and_then(|v| match v {
            FieldVal::Uint(n) | FieldVal::Hex(n, _) => Some(*n),
            FieldVal::Bool(b) => Some(u64::from(*b)),
            _ => None,
        })
    };
    Some(Dns {
        id: num("dns.id")?,
        response: num("dns.flags.response") == Some(1),
        name: l
            .values("dns.qry.name")
            .next()
            .map(|v| v.to_string())
            .unwrap_or_default(),
        qtype: num("dns.qry.type").unwrap_or(0),
        aaaa: l
            .values("dns.aaaa")
            .filter_map(|v| match v {
                FieldVal::Ip(IpAddr::V6(a)) => Some(*a),
                _ => None,
            })
            .collect(),
    })
}

impl Datagram {
    /// The IPv4 header, if IPv4.
    pub fn v4(&self) -> Option<&Ipv4Repr> {
        match &self.ip {
            Ip::V4(h) => Some(h),
            Ip::V6(_) => None,
        }
    }

    /// The ICMPv4 message, if any.
    pub fn icmp(&self) -> Option<&IcmpRepr> {
        match &self.transport {
            TransportRepr::Icmpv4(i) => Some(i),
            _ => None,
        }
    }

    /// Source and destination.
    pub fn addrs(&self) -> (IpAddr, IpAddr) {
        match &self.ip {
            Ip::V4(h) => (h.src.into(), h.dst.into()),
            Ip::V6(h) => (h.src.into(), h.dst.into()),
        }
    }
}

/// Reads every IP datagram of the captures (each file read once more through the analyzer).
pub fn datagrams(caps: &[Capture]) -> Result<Vec<Datagram>, AnswerError> {
    let mut out = Vec::new();
    for (file, c) in caps.iter().enumerate() {
        let mut n = 0usize;
        scan(&c.path, |p, f| {
            if n >= MAX_DATAGRAMS {
                return;
            }
            let ip = match &p.decoded.net {
                NetRepr::Ipv4(h) => Ip::V4(h.clone()),
                NetRepr::Ipv6(h) => Ip::V6(h.clone()),
                _ => return,
            };
            n += 1;
            let bytes = p.decoded.transport_bytes(&f.data);
            let quote = match &p.decoded.transport {
                TransportRepr::Icmpv4(i) => i.quoted.as_ref().map(|q| Quote {
                    ip: bytes
                        .get(q.range.clone())
                        .and_then(|b| Ipv4Repr::parse(b, q.range.start).ok()),
                    len: q.range.len(),
                    transport: q.transport.clone(),
                }),
                _ => None,
            };
            out.push(Datagram {
                file,
                frame: p.number,
                time: p.time_rel(),
                ip,
                transport: p.decoded.transport.clone(),
                reassembled: p
                    .decoded
                    .reassembled
                    .as_ref()
                    .map(|r| r.fragments.iter().map(|(n, _)| *n).collect())
                    .unwrap_or_default(),
                quote,
                dns: dns_of(p),
            });
        })?;
    }
    Ok(out)
}

/// What a probe is, above IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// A UDP datagram (Linux and macOS traceroute), to this port.
    Udp {
        /// Source port.
        src: u16,
        /// Destination port.
        dst: u16,
    },
    /// An ICMP echo request (Windows tracert, `traceroute -I`, ping).
    Echo {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// Not known (a fragment whose datagram never completed).
    Unknown,
}

/// One datagram the host sent towards the target, with its fragments.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Index into the datagrams of its first fragment (offset 0), else its first frame.
    pub first: usize,
    /// Its fragments' indexes in the datagrams, by offset (one when not fragmented).
    pub fragments: Vec<usize>,
    /// UDP, echo or unknown.
    pub kind: ProbeKind,
    /// Size of the whole datagram: IP header + payload (sum of the fragments).
    pub size: u32,
    /// The datagram that answered it (Time Exceeded, Unreachable or Echo Reply), if any.
    pub reply: Option<usize>,
}

/// Traceroute and ping as the capture shows them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    /// Every datagram read.
    pub all: Vec<Datagram>,
    /// The computer that sent the probes.
    pub host: Option<Ipv4Addr>,
    /// Where they were sent.
    pub target: Option<Ipv4Addr>,
    /// The probes (UDP datagrams and echo requests from host to target), in capture order.
    pub probes: Vec<Probe>,
}

fn most_common<T: Ord + Copy>(xs: impl Iterator<Item = T>) -> Option<T> {
    let mut n: BTreeMap<T, usize> = BTreeMap::new();
    for x in xs {
        *n.entry(x).or_default() += 1;
    }
    n.into_iter()
        .fold(None::<(T, usize)>, |best, (k, c)| match best {
            Some((_, b)) if b >= c => best,
            _ => Some((k, c)),
        })
        .map(|(k, _)| k)
}

impl Trace {
    /// Reconstructs the probes and their replies from the datagrams.
    pub fn new(all: Vec<Datagram>) -> Trace {
        // The host and target: those of the quoted headers of ICMP errors, else of echo requests.
        let quoted = all.iter().filter_map(|d| {
            let i = d.icmp()?;
            if i.icmp_type != TIME_EXCEEDED && i.icmp_type != UNREACHABLE {
                return None;
            }
            let q = d.quote.as_ref()?.ip.as_ref()?;
            Some((q.src, q.dst))
        });
        let pair = most_common(quoted).or_else(|| {
            most_common(all.iter().filter_map(|d| {
                let i = d.icmp()?;
                let h = d.v4()?;
                (i.icmp_type == ECHO_REQUEST).then_some((h.src, h.dst))
            }))
        });
        let Some((host, target)) = pair else {
            return Trace {
                all,
                ..Trace::default()
            };
        };
        // Datagrams from host to target, UDP or echo requests, grouped by (protocol, id).
        let mut groups: Vec<((u8, u16), Vec<usize>)> = Vec::new();
        let mut open: BTreeMap<(u8, u16), usize> = BTreeMap::new();
        for (i, d) in all.iter().enumerate() {
            let Some(h) = d.v4() else { continue };
            if h.src != host || h.dst != target || (h.protocol != 17 && h.protocol != 1) {
                continue;
            }
            if h.protocol == 1 && d.icmp().is_some_and(|m| m.icmp_type != ECHO_REQUEST) {
                continue;
            }
            let key = (h.protocol, h.id);
            // A new datagram with the same id starts a new group once the last one completed.
            let reuse = open.get(&key).copied().filter(|g| {
                let frames = &groups[*g].1;
                h.is_fragment()
                    && frames
                        .iter()
                        .all(|j| all[*j].v4().is_some_and(|x| x.is_fragment()))
                    && !frames.iter().any(|j| !all[*j].reassembled.is_empty())
            });
            match reuse {
                Some(g) => groups[g].1.push(i),
                None => {
                    open.insert(key, groups.len());
                    groups.push((key, vec![i]));
                }
            }
        }
        let mut probes: Vec<Probe> = groups
            .into_iter()
            .map(|(_, mut frags)| {
                frags.sort_by_key(|j| all[*j].v4().map(|h| h.frag_offset).unwrap_or(0));
                let first = frags[0];
                let kind = frags
                    .iter()
                    .find_map(|j| match &all[*j].transport {
                        TransportRepr::Udp(u) => Some(ProbeKind::Udp {
                            src: u.src_port,
                            dst: u.dst_port,
                        }),
                        TransportRepr::Icmpv4(m) => Some(ProbeKind::Echo {
                            id: m.echo_id(),
                            seq: m.echo_seq(),
                        }),
                        _ => None,
                    })
                    .unwrap_or(ProbeKind::Unknown);
                let size = frags
                    .iter()
                    .filter_map(|j| all[*j].v4())
                    .map(|h| u32::from(h.total_len).saturating_sub(u32::from(h.header_len)))
                    .sum::<u32>()
                    + all[first]
                        .v4()
                        .map(|h| u32::from(h.header_len))
                        .unwrap_or(0);
                Probe {
                    first,
                    fragments: frags,
                    kind,
                    size,
                    reply: None,
                }
            })
            .collect();
        probes.sort_by_key(|p| p.first);
        // Replies: an error quoting the probe's header, or the echo reply with its id and seq.
        // Probes by (file, protocol, Identification) and by (file, echo id, seq), in order.
        let mut by_header: HashMap<(usize, u8, u16), Vec<usize>> = HashMap::new();
        let mut by_echo: HashMap<(usize, u16, u16), Vec<usize>> = HashMap::new();
        for (k, p) in probes.iter().enumerate() {
            let file = all[p.first].file;
            if let Some(x) = all[p.first].v4() {
                by_header
                    .entry((file, x.protocol, x.id))
                    .or_default()
                    .push(k);
            }
            if let ProbeKind::Echo { id, seq } = p.kind {
                by_echo.entry((file, id, seq)).or_default().push(k);
            }
        }
        for (i, d) in all.iter().enumerate() {
            let (Some(m), Some(h)) = (d.icmp(), d.v4()) else {
                continue;
            };
            if h.dst != host {
                continue;
            }
            let candidates = match m.icmp_type {
                TIME_EXCEEDED | UNREACHABLE => d
                    .quote
                    .as_ref()
                    .and_then(|q| q.ip.as_ref())
                    .filter(|q| q.src == host && q.dst == target)
                    .and_then(|q| by_header.get(&(d.file, q.protocol, q.id))),
                ECHO_REPLY if h.src == target => by_echo.get(&(d.file, m.echo_id(), m.echo_seq())),
                _ => None,
            };
            let found =
                candidates.and_then(|c| c.iter().copied().find(|k| probes[*k].reply.is_none()));
            if let Some(p) = found {
                probes[p].reply = Some(i);
            }
        }
        Trace {
            all,
            host: Some(host),
            target: Some(target),
            probes,
        }
    }

    /// The probe's first header.
    pub fn head(&self, p: &Probe) -> Option<&Ipv4Repr> {
        self.all.get(p.first).and_then(|d| d.v4())
    }

    /// Frame number of a datagram.
    pub fn frame(&self, i: usize) -> u64 {
        self.all.get(i).map(|d| d.frame).unwrap_or(0)
    }

    /// The probes' runs, one per program run: UDP probes of one size whose destination port
    /// keeps rising (traceroute starts again at 33434 on each run, and may use a new source
    /// port for every probe); echo requests with one identifier and size whose TTL stays or
    /// rises by one (Windows' ping and tracert may share an identifier: a TTL that falls or
    /// jumps starts a new run).
    pub fn runs(&self) -> Vec<Vec<usize>> {
        // (protocol, echo identifier, fragmented), last UDP port or TTL, probes.
        type Run = ((u8, u16, bool), u16, Vec<usize>);
        let mut runs: Vec<Run> = Vec::new();
        let mut last: HashMap<(u8, u16, bool), usize> = HashMap::new();
        for (i, p) in self.probes.iter().enumerate() {
            let big = p.fragments.len() > 1;
            let ttl = self.head(p).map(|h| u16::from(h.ttl)).unwrap_or(0);
            let (key, mark) = match p.kind {
                ProbeKind::Udp { dst, .. } => ((17, 0, big), dst),
                ProbeKind::Echo { id, .. } => ((1, id, big), ttl),
                ProbeKind::Unknown => ((0, 0, big), 0),
            };
            let open = last.get(&key).copied().filter(|r| match key.0 {
                17 => runs[*r].1 < mark,
                1 => mark >= runs[*r].1 && mark - runs[*r].1 <= 1,
                _ => true,
            });
            match open {
                Some(r) => {
                    runs[r].1 = mark;
                    runs[r].2.push(i);
                }
                None => {
                    last.insert(key, runs.len());
                    runs.push((key, mark, vec![i]));
                }
            }
        }
        runs.sort_by_key(|r| r.2.first().copied());
        runs.into_iter().map(|r| r.2).collect()
    }

    /// True when a run's probes have rising TTLs or got Time Exceeded (a traceroute, not a ping).
    pub fn is_traceroute(&self, run: &[usize]) -> bool {
        let ttls: Vec<u8> = run
            .iter()
            .filter_map(|i| self.probes.get(*i))
            .filter_map(|p| self.head(p).map(|h| h.ttl))
            .collect();
        ttls.windows(2).any(|w| w[0] != w[1])
            || run.iter().any(|i| {
                self.reply_of(&self.probes[*i])
                    .and_then(|r| r.icmp())
                    .is_some_and(|m| m.icmp_type == TIME_EXCEEDED)
            })
    }

    /// The datagram that answered `p`.
    pub fn reply_of(&self, p: &Probe) -> Option<&Datagram> {
        p.reply.and_then(|r| self.all.get(r))
    }
}

/// `UDP (17)`, `ICMP (1)`, as Wireshark's Protocol field shows them.
pub fn protocol_name(p: u8) -> String {
    let name = match p {
        1 => "ICMP",
        6 => "TCP",
        17 => "UDP",
        58 => "ICMPv6",
        0 => "IPv6 Hop-by-Hop Option",
        44 => "IPv6 Fragment",
        _ => return format!("{p}"),
    };
    format!("{name} ({p})")
}

/// `Time-to-live exceeded (Time to live exceeded in transit)` and the like (type 11/3/0/8).
pub fn icmp_name(t: u8, code: u8) -> String {
    match (t, code) {
        (0, _) => "Echo (ping) reply".into(),
        (8, _) => "Echo (ping) request".into(),
        (11, 0) => "Time-to-live exceeded (Time to live exceeded in transit)".into(),
        (11, _) => "Time-to-live exceeded (Fragment reassembly time exceeded)".into(),
        (3, 3) => "Destination unreachable (Port unreachable)".into(),
        (3, 1) => "Destination unreachable (Host unreachable)".into(),
        (3, 4) => "Destination unreachable (Fragmentation needed)".into(),
        (3, _) => "Destination unreachable".into(),
        _ => format!("type {t}"),
    }
}

/// A short name for a table: `Time Exceeded (11/0)`, `Port Unreachable (3/3)`.
pub fn icmp_short(t: u8, code: u8) -> String {
    let name = match (t, code) {
        (0, _) => "Echo Reply",
        (8, _) => "Echo Request",
        (11, _) => "Time Exceeded",
        (3, 3) => "Port Unreachable",
        (3, _) => "Unreachable",
        _ => "ICMP",
    };
    format!("{name} ({t}/{code})")
}

#[cfg(test)]
mod tests;

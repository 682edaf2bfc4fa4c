//! Traceroute without I/O: probes with a rising TTL (UDP to ports 33434 and up as Linux's
//! `traceroute`, or ICMP echo requests as Windows' `tracert`), and the ICMP messages that
//! answer them — Time Exceeded from a router on the way (RFC 792), Destination Unreachable
//! or an Echo Reply from the destination — matched to their probe through the IP header and
//! the 8 bytes after it that every ICMP error quotes (RFC 792, RFC 1812 4.3.2.3).
//!
//! One probe is out at a time: it is answered or times out before the next one goes, so the
//! TTLs go 1, 1, 1, 2, 2, 2… The run ends after the hop that reached the destination (or
//! was told it is unreachable) or after the last hop allowed. Everything from the network is
//! read with bounds checks: a short or hostile quote matches nothing.

use std::net::Ipv4Addr;
use std::time::Duration;

use super::BuildError;
use crate::wire::icmp::{self, ECHO_REPLY, ECHO_REQUEST, IcmpRepr};
use crate::wire::ipv4::{self, Ipv4Repr};
use crate::wire::udp::{self, UdpRepr};

/// First destination port of UDP probes (Linux `traceroute`'s default).
pub const BASE_PORT: u16 = 33434;
/// Size of a probe's IP datagram by default (`traceroute`'s 60 bytes).
pub const DEFAULT_SIZE: usize = 60;
/// The smallest probe: an IPv4 header and an 8-byte UDP or ICMP header.
pub const MIN_SIZE: usize = ipv4::HEADER_LEN + 8;
/// ICMP Destination Unreachable.
pub const DEST_UNREACHABLE: u8 = 3;
/// ICMP Time Exceeded.
pub const TIME_EXCEEDED: u8 = 11;
/// Destination Unreachable's code for "port unreachable": a UDP probe reached its host.
pub const PORT_UNREACHABLE: u8 = 3;

/// What the probes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// UDP datagrams from `src_port` to `base_port`, `base_port + 1`… (one port per probe).
    Udp {
        /// Our source port.
        src_port: u16,
        /// The first destination port.
        base_port: u16,
    },
    /// ICMP echo requests with identifier `id` and sequence numbers 1, 2…
    Icmp {
        /// The identifier of this run.
        id: u16,
    },
}

/// How the trace runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceConfig {
    /// The probes' protocol.
    pub method: Method,
    /// Our address.
    pub src: Ipv4Addr,
    /// The destination.
    pub dst: Ipv4Addr,
    /// The TTL of the first hop's probes (1).
    pub first_ttl: u8,
    /// The last TTL tried.
    pub max_hops: u8,
    /// Probes per hop.
    pub queries: u8,
    /// How long to wait for each probe's answer.
    pub wait: Duration,
    /// Length of each probe's IP datagram, header included ([`MIN_SIZE`] at least).
    pub size: usize,
    /// The IP identification of the first probe (then one more per probe).
    pub first_ip_id: u16,
}

/// What identifies a probe in a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKey {
    /// A UDP probe's ports.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// An echo request's identifier and sequence number.
    Icmp {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
}

/// One probe sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// Its number in the run, from 0.
    pub index: u16,
    /// Its TTL: the hop it tests.
    pub ttl: u8,
    /// Its number within the hop, from 0.
    pub query: u8,
    /// Its IP identification.
    pub ip_id: u16,
    /// Its ports or echo identifier and sequence number.
    pub key: ProbeKey,
    /// When it was sent.
    pub sent_at: Duration,
}

impl Probe {
    /// The IPv4 header of the whole probe (before any fragmentation), DF clear as
    /// `traceroute` sends it.
    pub fn ip_header(&self, cfg: &TraceConfig) -> Result<Ipv4Repr, BuildError> {
        let protocol = match self.key {
            ProbeKey::Udp { .. } => ipv4::PROTO_UDP,
            ProbeKey::Icmp { .. } => ipv4::PROTO_ICMP,
        };
        let payload = cfg.size.max(MIN_SIZE) - ipv4::HEADER_LEN;
        Ipv4Repr::new(
            cfg.src, cfg.dst, protocol, payload, self.ip_id, self.ttl, false,
        )
    }

    /// The probe's IP payload, built top down: the data (`@ABC…` as `traceroute` fills it),
    /// then the UDP or ICMP header with its checksum in front of it.
    pub fn ip_payload(&self, cfg: &TraceConfig) -> Result<Vec<u8>, BuildError> {
        let len = cfg.size.max(MIN_SIZE) - ipv4::HEADER_LEN;
        if len > ipv4::MAX_PAYLOAD {
            return Err(BuildError::TooLong {
                layer: "IPv4",
                len,
                max: ipv4::MAX_PAYLOAD,
            });
        }
        let mut out = vec![0u8; len];
        for (i, b) in out.iter_mut().enumerate().skip(8) {
            *b = 0x40 + ((i - 8) & 0x3f) as u8;
        }
        match self.key {
            ProbeKey::Udp { src_port, dst_port } => {
                UdpRepr::new(src_port, dst_port, len - udp::HEADER_LEN)?
                    .emit(&mut out, cfg.src, cfg.dst)?;
            }
            ProbeKey::Icmp { id, seq } => {
                IcmpRepr::echo(ECHO_REQUEST, id, seq).emit(&mut out)?;
            }
        }
        Ok(out)
    }
}

/// The transport header quoted after the IP header in an ICMP error (its first 8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotedHeader {
    /// A UDP header.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// Length field.
        length: u16,
    },
    /// An ICMP header (an echo request's identifier and sequence number).
    Icmp {
        /// Type.
        icmp_type: u8,
        /// Code.
        code: u8,
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// Another protocol, or fewer than 8 bytes quoted.
    Other,
}

/// The packet an ICMP error quotes: its IP header and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The quoted IPv4 header (ranges relative to the quote).
    pub ip: Ipv4Repr,
    /// The 8 bytes after it, read.
    pub header: QuotedHeader,
    /// How many bytes were quoted in all.
    pub len: usize,
}

/// Reads the IP header and the 8 bytes after it from the body of an ICMP error (`body`
/// starts after the 8-byte ICMP header). `None` when even the IP header is not all there.
pub fn parse_quote(body: &[u8]) -> Option<Quote> {
    let ip = Ipv4Repr::parse(body, 0).ok()?;
    let after = body.get(usize::from(ip.header_len)..)?;
    let header = match (ip.protocol, after.get(..8)) {
        (ipv4::PROTO_UDP, Some(h)) => QuotedHeader::Udp {
            src_port: u16::from_be_bytes([h[0], h[1]]),
            dst_port: u16::from_be_bytes([h[2], h[3]]),
            length: u16::from_be_bytes([h[4], h[5]]),
        },
        (ipv4::PROTO_ICMP, Some(h)) => QuotedHeader::Icmp {
            icmp_type: h[0],
            code: h[1],
            id: u16::from_be_bytes([h[4], h[5]]),
            seq: u16::from_be_bytes([h[6], h[7]]),
        },
        _ => QuotedHeader::Other,
    };
    Some(Quote {
        ip,
        header,
        len: body.len(),
    })
}

/// What kind of answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// ICMP Time Exceeded (code 0: TTL exceeded in transit; 1: reassembly time exceeded).
    TimeExceeded {
        /// Its code.
        code: u8,
    },
    /// ICMP Destination Unreachable.
    Unreachable {
        /// Its code (3: port unreachable, the destination's answer to a UDP probe).
        code: u8,
    },
    /// An echo reply: the destination answered an ICMP probe.
    EchoReply,
}

impl AnswerKind {
    /// True when the trace ends at this hop: the destination answered, or an unreachable
    /// came back (`traceroute` stops on every Destination Unreachable).
    pub fn is_final(&self) -> bool {
        !matches!(self, AnswerKind::TimeExceeded { .. })
    }

    /// `traceroute`'s mark after the time (`!H`, `!N`, …); empty for an ordinary answer.
    pub fn mark(&self) -> String {
        match *self {
            AnswerKind::Unreachable { code } => match code {
                0 | 6 | 8 | 11 => "!N".into(),
                1 | 7 | 12 => "!H".into(),
                2 => "!P".into(),
                PORT_UNREACHABLE => String::new(),
                4 => "!F".into(),
                5 => "!S".into(),
                9 | 10 | 13 => "!X".into(),
                14 => "!V".into(),
                15 => "!C".into(),
                c => format!("!<{c}>"),
            },
            AnswerKind::TimeExceeded { .. } | AnswerKind::EchoReply => String::new(),
        }
    }
}

/// Which fields tied an answer to its probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// The quoted UDP ports.
    UdpPorts,
    /// The echo identifier and sequence number (quoted, or of the echo reply itself).
    EchoIdSeq,
    /// The quoted IP identification (no transport header was quoted).
    IpId,
}

/// An answer matched to its probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The probe answered.
    pub probe: Probe,
    /// Who answered (the IPv4 source of the ICMP message).
    pub from: Ipv4Addr,
    /// Time from the probe to the answer.
    pub rtt: Duration,
    /// What it is.
    pub kind: AnswerKind,
    /// The quoted packet of an ICMP error.
    pub quote: Option<Quote>,
    /// How the answer was matched.
    pub matched_by: MatchedBy,
    /// For a quote: whether its IP identification is the probe's (a NAT may change it).
    pub ip_id_agrees: bool,
}

/// What happened, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A probe was answered.
    Answered(Answer),
    /// A probe got no answer in time.
    TimedOut(Probe),
    /// Every probe of hop `ttl` is done; `last` when the trace ends with it.
    HopDone {
        /// The hop.
        ttl: u8,
        /// The trace ends here.
        last: bool,
    },
}

/// A traceroute run.
#[derive(Debug, Clone)]
pub struct Tracer {
    cfg: TraceConfig,
    ttl: u8,
    query: u8,
    sent: u16,
    outstanding: Option<Probe>,
    reached: bool,
    done: bool,
    events: std::collections::VecDeque<Event>,
}

impl Tracer {
    /// A run; the first probe is due at once. Zero queries or hops count as one; a first
    /// TTL above the last is taken as the last.
    pub fn new(cfg: TraceConfig) -> Self {
        let cfg = TraceConfig {
            first_ttl: cfg.first_ttl.max(1).min(cfg.max_hops.max(1)),
            max_hops: cfg.max_hops.max(1),
            queries: cfg.queries.max(1),
            size: cfg.size.max(MIN_SIZE),
            ..cfg
        };
        Tracer {
            ttl: cfg.first_ttl,
            query: 0,
            sent: 0,
            outstanding: None,
            reached: false,
            done: false,
            events: std::collections::VecDeque::new(),
            cfg,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &TraceConfig {
        &self.cfg
    }

    /// The next probe, when one is due at `now` (none is out and the trace goes on).
    pub fn poll_transmit(&mut self, now: Duration) -> Option<Probe> {
        self.expire(now);
        if self.done || self.outstanding.is_some() {
            return None;
        }
        let index = self.sent;
        self.sent = self.sent.wrapping_add(1);
        let key = match self.cfg.method {
            Method::Udp {
                src_port,
                base_port,
            } => ProbeKey::Udp {
                src_port,
                dst_port: base_port.wrapping_add(index),
            },
            Method::Icmp { id } => ProbeKey::Icmp {
                id,
                seq: index.wrapping_add(1),
            },
        };
        let p = Probe {
            index,
            ttl: self.ttl,
            query: self.query,
            ip_id: self.cfg.first_ip_id.wrapping_add(index),
            key,
            sent_at: now,
        };
        self.outstanding = Some(p);
        Some(p)
    }

    /// Times the outstanding probe out if its wait is over at `now`.
    pub fn expire(&mut self, now: Duration) {
        if let Some(p) = self.outstanding
            && now >= p.sent_at + self.cfg.wait
        {
            self.events.push_back(Event::TimedOut(p));
            self.finish_probe();
        }
    }

    /// An ICMP message (`message`: type, code, checksum, the rest) from `from` arrived at
    /// `now`. Returns the answer when it answers the probe that is out; anything else
    /// (another program's traffic, a late answer, a truncated or hostile quote) is `None`.
    pub fn on_icmp(&mut self, now: Duration, from: Ipv4Addr, message: &[u8]) -> Option<Answer> {
        let probe = self.outstanding?;
        let (&ty, &code) = (message.first()?, message.get(1)?);
        let answer = match ty {
            ECHO_REPLY => {
                let rest = message.get(4..8)?;
                let (id, seq) = (
                    u16::from_be_bytes([rest[0], rest[1]]),
                    u16::from_be_bytes([rest[2], rest[3]]),
                );
                if probe.key != (ProbeKey::Icmp { id, seq }) {
                    return None;
                }
                Answer {
                    probe,
                    from,
                    rtt: now.saturating_sub(probe.sent_at),
                    kind: AnswerKind::EchoReply,
                    quote: None,
                    matched_by: MatchedBy::EchoIdSeq,
                    ip_id_agrees: true,
                }
            }
            TIME_EXCEEDED | DEST_UNREACHABLE => {
                let quote = parse_quote(message.get(icmp::HEADER_LEN..)?)?;
                let matched_by = self.match_quote(&probe, &quote)?;
                Answer {
                    probe,
                    from,
                    rtt: now.saturating_sub(probe.sent_at),
                    kind: if ty == TIME_EXCEEDED {
                        AnswerKind::TimeExceeded { code }
                    } else {
                        AnswerKind::Unreachable { code }
                    },
                    ip_id_agrees: quote.ip.id == probe.ip_id,
                    quote: Some(quote),
                    matched_by,
                }
            }
            _ => return None,
        };
        if answer.kind.is_final() {
            self.reached = true;
        }
        self.events.push_back(Event::Answered(answer.clone()));
        self.finish_probe();
        Some(answer)
    }

    fn match_quote(&self, probe: &Probe, q: &Quote) -> Option<MatchedBy> {
        if q.ip.src != self.cfg.src || q.ip.dst != self.cfg.dst {
            return None;
        }
        match (probe.key, q.header) {
            (
                ProbeKey::Udp { src_port, dst_port },
                QuotedHeader::Udp {
                    src_port: s,
                    dst_port: d,
                    ..
                },
            ) => (s == src_port && d == dst_port).then_some(MatchedBy::UdpPorts),
            (
                ProbeKey::Icmp { id, seq },
                QuotedHeader::Icmp {
                    icmp_type: ECHO_REQUEST,
                    id: i,
                    seq: s,
                    ..
                },
            ) => (i == id && s == seq).then_some(MatchedBy::EchoIdSeq),
            (ProbeKey::Udp { .. }, QuotedHeader::Other) if q.ip.protocol == ipv4::PROTO_UDP => {
                (q.ip.id == probe.ip_id).then_some(MatchedBy::IpId)
            }
            (ProbeKey::Icmp { .. }, QuotedHeader::Other) if q.ip.protocol == ipv4::PROTO_ICMP => {
                (q.ip.id == probe.ip_id).then_some(MatchedBy::IpId)
            }
            _ => None,
        }
    }

    fn finish_probe(&mut self) {
        self.outstanding = None;
        self.query += 1;
        if self.query < self.cfg.queries {
            return;
        }
        let last = self.reached || self.ttl >= self.cfg.max_hops;
        self.events.push_back(Event::HopDone {
            ttl: self.ttl,
            last,
        });
        self.query = 0;
        if last {
            self.done = true;
        } else {
            self.ttl += 1;
        }
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to wake next: the outstanding probe's deadline, or `now` when a probe is due.
    pub fn poll_at(&self, now: Duration) -> Duration {
        self.outstanding.map_or(now, |p| p.sent_at + self.cfg.wait)
    }

    /// True when the trace is over (its events may still wait in [`Tracer::poll_event`]).
    pub fn done(&self) -> bool {
        self.done
    }

    /// True when the destination answered (or an unreachable ended the trace).
    pub fn reached(&self) -> bool {
        self.reached
    }

    /// Probes sent so far.
    pub fn sent(&self) -> u16 {
        self.sent
    }
}

#[cfg(test)]
mod tests;

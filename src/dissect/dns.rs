//! DNS over UDP and TCP, and its relatives mDNS, LLMNR and NBNS, as tshark 4.0 shows them.
//!
//! One message is shown by [`msg`] (DNS, mDNS, LLMNR) or [`nbns`]: the Protocol and Info
//! columns word for word as Wireshark's `packet-dns.c`/`packet-nbns.c` write them
//! (`Standard query 0x180f A wireshark.org`, `Standard query response 0x27ff No such name …`,
//! `Name query NB WPAD<00>`), Wireshark's `dns.*`/`nbns.*` fields and a detail tree. Over TCP
//! each message has a two-byte length before it and may span segments ([`Outcome::More`]).
//!
//! Like Wireshark, a message cut short shows what could be read, then `[Malformed Packet]`.
//! Queries and responses are paired per conversation and transaction ID as Wireshark does
//! in one pass (`dns.response_to`, `dns.time`, retransmissions, unsolicited responses), in a
//! bounded map.

mod msg;
mod names;
/// DNS record type and class names, as Wireshark shows them.
pub use names::{class_name, type_short};
mod nbns;
#[cfg(test)]
mod tests;

use foldhash::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use super::{Cx, Dissector, FieldDef, FieldType, FieldVal, Outcome, Transport};
use msg::{Cut, Kind, Summary};

/// Fields this module sets (mDNS and LLMNR use the `dns.*` names, as Wireshark does).
pub const FIELDS: &[FieldDef] = &[
    FieldDef {
        name: "dns.length",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.id",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.response",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.opcode",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.authoritative",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.conflict",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.truncated",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.recdesired",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.tentative",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.recavail",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.z",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.authenticated",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.checkdisable",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.flags.rcode",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.count.queries",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.count.answers",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.count.auth_rr",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.count.add_rr",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.count.zones",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.count.prerequisites",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.count.updates",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.qry.name",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.qry.name.len",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.count.labels",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.qry.type",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.qry.class",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.qry.qu",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.name",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.type",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.class",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.cache_flush",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.ttl",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.len",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.a",
        kind: FieldType::Ipv4,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.aaaa",
        kind: FieldType::Ipv6,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.ns",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.cname",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.ptr.domain_name",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.mx.preference",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.mx.mail_exchange",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.txt.length",
        kind: FieldType::Uint(0xff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.txt",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.spf.length",
        kind: FieldType::Uint(0xff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.spf",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.srv.service",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.srv.proto",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.srv.name",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.srv.priority",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.srv.weight",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.srv.port",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.srv.target",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.soa.mname",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.soa.rname",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.soa.serial_number",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.soa.refresh_interval",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.soa.retry_interval",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.soa.expire_limit",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.soa.minimum_ttl",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.rr.udp_payload_size",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.ext_rcode",
        kind: FieldType::Uint(0xff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.edns0_version",
        kind: FieldType::Uint(0xff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.z",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.z.do",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.resp.z.reserved",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.opt",
        kind: FieldType::None,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.opt.code",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.opt.len",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.opt.data",
        kind: FieldType::Bytes,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.response_in",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.response_to",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.time",
        kind: FieldType::Str,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.retransmission",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.retransmit_request_in",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.retransmit_response_in",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "dns.unsolicited",
        kind: FieldType::Bool,
        proto: Dissector::Dns,
    },
    FieldDef {
        name: "nbns.id",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags.response",
        kind: FieldType::Bool,
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags.opcode",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags.authoritative",
        kind: FieldType::Bool,
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags.truncated",
        kind: FieldType::Bool,
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags.recdesired",
        kind: FieldType::Bool,
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags.recavail",
        kind: FieldType::Bool,
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags.broadcast",
        kind: FieldType::Bool,
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.flags.rcode",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.count.queries",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.count.answers",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.count.auth_rr",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.count.add_rr",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.name",
        kind: FieldType::Str,
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.type",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.class",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.ttl",
        kind: FieldType::Uint(0xffff_ffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.data_length",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.nb_flags",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.nb_flags.group",
        kind: FieldType::Bool,
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.nb_flags.ont",
        kind: FieldType::Uint(0xffff),
        proto: Dissector::Nbns,
    },
    FieldDef {
        name: "nbns.addr",
        kind: FieldType::Ipv4,
        proto: Dissector::Nbns,
    },
];

/// A request not answered within this time is a new request when its ID is seen again
/// (Wireshark's `dns.retransmission_timer` default).
const RETRANSMISSION_TIMER: Duration = Duration::from_secs(5);

/// Most transactions remembered at once; the oldest half is dropped when full.
const MAX_TRANSACTIONS: usize = 4096;

/// One query and, once seen, its response.
#[derive(Debug, Clone, Copy)]
struct Transaction {
    req_frame: u64,
    rep_frame: u64,
    req_time: Duration,
    age: u64,
}

/// A conversation (both ends, either order, and the transport) and a transaction ID.
type Key = (bool, SocketAddr, SocketAddr, u16);

/// State kept across frames: the transactions seen, per conversation and ID.
#[derive(Debug, Clone, Default)]
pub struct State {
    transactions: HashMap<Key, Transaction>,
    next: u64,
}

/// What tracking says about a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Track {
    /// A query not seen before (or a response to nothing we could pair).
    New,
    /// A query sent again before any response: the original's frame.
    RetransmittedRequest(u64),
    /// A response to the query in that frame, after that long.
    ResponseTo(u64, Duration),
    /// A second response: the first one's frame.
    RetransmittedResponse(u64),
    /// A response to no query seen.
    Unsolicited,
}

impl State {
    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.transactions.capacity() * (std::mem::size_of::<(Key, Transaction)>() + 8)
    }

    fn track(&mut self, key: Key, frame: u64, time: Duration, response: bool) -> Track {
        let existing = self.transactions.get(&key).copied();
        if !response {
            if let Some(t) = existing
                && t.rep_frame == 0
                && time.saturating_sub(t.req_time) < RETRANSMISSION_TIMER
            {
                return Track::RetransmittedRequest(t.req_frame);
            }
            if self.transactions.len() >= MAX_TRANSACTIONS && existing.is_none() {
                let cut = self.next.saturating_sub(MAX_TRANSACTIONS as u64 / 2);
                self.transactions.retain(|_, t| t.age >= cut);
            }
            self.next += 1;
            self.transactions.insert(
                key,
                Transaction {
                    req_frame: frame,
                    rep_frame: 0,
                    req_time: time,
                    age: self.next,
                },
            );
            return Track::New;
        }
        match self.transactions.get_mut(&key) {
            Some(t) if t.rep_frame == 0 => {
                t.rep_frame = frame;
                Track::ResponseTo(t.req_frame, time.saturating_sub(t.req_time))
            }
            Some(t) => Track::RetransmittedResponse(t.rep_frame),
            None => Track::Unsolicited,
        }
    }
}

/// The conversation key of a message between `cx`'s ends.
fn key(cx: &Cx<'_>, t: Transport, id: u16) -> Key {
    let (a, b) = (cx.ends.src, cx.ends.dst);
    let (lo, hi) = if (a.ip(), a.port()) <= (b.ip(), b.port()) {
        (a, b)
    } else {
        (b, a)
    };
    (t == Transport::Tcp, lo, hi, id)
}

/// Dissects `data` as `d`.
pub fn dissect(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    data: &[u8],
    t: Transport,
) -> Outcome {
    if data.is_empty() {
        return Outcome::Rejected;
    }
    let kind = match d {
        Dissector::Dns => Kind::Dns,
        Dissector::Mdns => Kind::Mdns,
        Dissector::Llmnr => Kind::Llmnr,
        Dissector::Nbns => {
            if t != Transport::Udp {
                return Outcome::Rejected;
            }
            if nbns::dissect(cx, data).is_err() {
                malformed(cx, "NBNS");
            }
            return Outcome::Done;
        }
        _ => return Outcome::Rejected,
    };
    match t {
        Transport::Udp => {
            one(kind, state, cx, data, 0, None, t);
            Outcome::Done
        }
        Transport::Tcp => {
            let mut off = 0;
            loop {
                let rest = data.get(off..).unwrap_or_default();
                if rest.is_empty() {
                    return Outcome::Done;
                }
                let Some(&[hi, lo]) = rest.get(..2) else {
                    return Outcome::More { offset: off };
                };
                let len = u16::from_be_bytes([hi, lo]);
                let Some(m) = rest.get(2..2 + usize::from(len)) else {
                    return Outcome::More { offset: off };
                };
                one(kind, state, cx, m, off + 2, Some(len), t);
                off += 2 + usize::from(len);
            }
        }
    }
}

/// Shows one message `m` found at `start` of the data, then pairs it with its query or
/// response.
fn one(
    kind: Kind,
    state: &mut State,
    cx: &mut Cx<'_>,
    m: &[u8],
    start: usize,
    length: Option<u16>,
    t: Transport,
) {
    match msg::dissect(kind, cx, m, start, length) {
        // Pairing shows only in fields and the tree, never in the columns.
        Ok(_) if !cx.want.fields && !cx.want.tree => {}
        Ok(Summary { id, response }) => {
            let k = key(cx, t, id);
            match state.track(k, cx.frame, cx.time, response) {
                Track::New => {}
                Track::RetransmittedRequest(f) => {
                    cx.field("dns.retransmit_request_in", || FieldVal::Uint(f));
                    cx.line(
                        0,
                        None,
                        "[Retransmitted request. Original request in",
                        || format!("{f}]"),
                    );
                    cx.field("dns.retransmission", || FieldVal::Bool(true));
                    cx.line(0, None, "[Retransmission", || "True]".to_string());
                }
                Track::ResponseTo(f, dt) => {
                    cx.field("dns.response_to", || FieldVal::Uint(f));
                    cx.line(0, None, "[Request In", || format!("{f}]"));
                    let secs = format!("{}.{:09}", dt.as_secs(), dt.subsec_nanos());
                    cx.line(0, None, "[Time", || format!("{secs} seconds]"));
                    cx.field("dns.time", || FieldVal::Str(secs));
                }
                Track::RetransmittedResponse(f) => {
                    cx.field("dns.retransmit_response_in", || FieldVal::Uint(f));
                    cx.line(
                        0,
                        None,
                        "[Retransmitted response. Original response in",
                        || format!("{f}]"),
                    );
                    cx.field("dns.retransmission", || FieldVal::Bool(true));
                    cx.line(0, None, "[Retransmission", || "True]".to_string());
                }
                Track::Unsolicited => {
                    cx.field("dns.unsolicited", || FieldVal::Bool(true));
                    cx.line(0, None, "[Unsolicited", || "True]".to_string());
                }
            }
        }
        Err(Cut) => malformed(cx, kind.protocol()),
    }
}

/// What Wireshark adds when a dissector ran past the end: `[Malformed Packet]` after the
/// Info, and a line in the tree.
fn malformed(cx: &mut Cx<'_>, proto: &str) {
    cx.cols.push_info("[Malformed Packet]");
    cx.line(0, None, &format!("[Malformed Packet: {proto}]"), || {
        "Malformed Packet (Exception occurred)".to_string()
    });
}

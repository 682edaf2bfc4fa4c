//! The Kurose & Ross "Wireshark Lab: DNS" (v8.1), trace part, answered from captures: the
//! query and its response (UDP or TCP, their ports), where the query goes, its type, the
//! response's answers record by record, whether the next TCP SYN goes to an answered
//! address, a `-type=NS` query's name servers and additional records, the Authoritative flag
//! and the transaction IDs pairing queries with responses.
//!
//! Every DNS message is read from wirelab's DNS dissector's fields (the `dns.*` fields of
//! `wirelab read --json`): nothing here parses DNS again. At most [`KEEP`] messages per file
//! are kept.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use super::report::{Answer, Table};
use super::{AnswerError, Capture, plural, scan};
use crate::analyse::Packet;
use crate::decode::TransportRepr;
use crate::dissect::dns::{class_name, type_short};
use crate::dissect::{Dissector, FieldVal};
use crate::frame::Frame;
use crate::wire::tcp::tcp_flags::{ACK, SYN};

/// DNS messages kept per file.
pub const KEEP: usize = 4096;

/// One resource record, as the dissector's fields give it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// `dns.resp.name`.
    pub name: String,
    /// `dns.resp.type`.
    pub rtype: u16,
    /// `dns.resp.class` (for OPT, the UDP payload size).
    pub class: u16,
    /// `dns.resp.ttl` (none for OPT).
    pub ttl: Option<u64>,
    /// The record's data: an address, a name (`dns.ns`, `dns.cname`, …), or text.
    pub data: String,
}

/// One DNS message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DnsMsg {
    /// Index of its file.
    pub file: usize,
    /// Frame number.
    pub frame: u64,
    /// Carried by TCP (else UDP).
    pub tcp: bool,
    /// Source socket.
    pub src: Option<SocketAddr>,
    /// Destination socket.
    pub dst: Option<SocketAddr>,
    /// `dns.id`.
    pub id: u64,
    /// `dns.flags.response`.
    pub response: bool,
    /// `dns.flags.authoritative` (responses only).
    pub authoritative: Option<bool>,
    /// `dns.qry.name`.
    pub qname: String,
    /// `dns.qry.type`.
    pub qtype: u16,
    /// `dns.count.queries`, `dns.count.answers`, `dns.count.auth_rr`, `dns.count.add_rr`.
    pub counts: [u64; 4],
    /// Every record in order: answers, then authority, then additional.
    pub records: Vec<Record>,
}

impl DnsMsg {
    fn from_fields(fields: &[(&'static str, FieldVal)]) -> DnsMsg {
        let mut m = DnsMsg::default();
        let num = |v: &FieldVal| match v {
            FieldVal::Uint(n) | FieldVal::Hex(n, _) => *n,
            FieldVal::Bool(b) => u64::from(*b),
            _ => 0,
        };
        for (name, v) in fields {
            let n = num(v);
            let rr = m.records.last_mut();
            match (*name, rr) {
                ("dns.id", _) => m.id = n,
                ("dns.flags.response", _) => m.response = n == 1,
                ("dns.flags.authoritative", _) => m.authoritative = Some(n == 1),
                ("dns.count.queries", _) => m.counts[0] = n,
                ("dns.count.answers", _) => m.counts[1] = n,
                ("dns.count.auth_rr", _) => m.counts[2] = n,
                ("dns.count.add_rr", _) => m.counts[3] = n,
                ("dns.qry.name", _) if m.qname.is_empty() => m.qname = v.to_string(),
                ("dns.qry.type", _) if m.qtype == 0 => m.qtype = n as u16,
                ("dns.resp.name", _) => m.records.push(Record {
                    name: v.to_string(),
                    ..Record::default()
                }),
                ("dns.resp.type", Some(r)) => r.rtype = n as u16,
                ("dns.resp.class", Some(r)) => r.class = n as u16,
                ("dns.resp.ttl", Some(r)) => r.ttl = Some(n),
                ("dns.mx.preference", Some(r)) => r.data = format!("{n} "),
                (
                    "dns.a"
                    | "dns.aaaa"
                    | "dns.ns"
                    | "dns.cname"
                    | "dns.ptr.domain_name"
                    | "dns.mx.mail_exchange"
                    | "dns.txt"
                    | "dns.spf"
                    | "dns.srv.target"
                    | "dns.soa.mname",
                    Some(r),
                ) if r.data.is_empty() || r.data.ends_with(' ') => r.data.push_str(&v.to_string()),
                _ => {}
            }
        }
        m
    }

    /// The answer section's records.
    pub fn answers(&self) -> &[Record] {
        let n = (self.counts[1] as usize).min(self.records.len());
        self.records.get(..n).unwrap_or(&[])
    }

    /// The additional section's records.
    pub fn additional(&self) -> &[Record] {
        let from = (self.counts[1] + self.counts[2]) as usize;
        self.records
            .get(from.min(self.records.len())..)
            .unwrap_or(&[])
    }

    fn transport(&self) -> &'static str {
        if self.tcp { "TCP" } else { "UDP" }
    }

    fn port(s: Option<SocketAddr>) -> Option<u16> {
        s.map(|s| s.port())
    }
}

/// A TCP SYN (without ACK).
#[derive(Debug, Clone, PartialEq)]
pub struct Syn {
    /// Index of its file.
    pub file: usize,
    /// Frame number.
    pub frame: u64,
    /// Source address.
    pub src: IpAddr,
    /// Destination socket.
    pub dst: SocketAddr,
}

/// The DNS messages and TCP SYNs of every file, in order.
#[derive(Debug, Clone, Default)]
pub struct DnsTrace {
    /// The messages kept.
    pub msgs: Vec<DnsMsg>,
    /// TCP SYNs (at most [`KEEP`] per file).
    pub syns: Vec<Syn>,
    kept: Vec<(usize, usize)>,
}

impl DnsTrace {
    /// Adds one analysed frame of file `file`.
    pub fn add(&mut self, file: usize, p: &Packet, _f: &Frame) {
        if self.kept.len() <= file {
            self.kept.resize(file + 1, (0, 0));
        }
        let Some(kept) = self.kept.get_mut(file) else {
            return;
        };
        let addrs = p.decoded.net.ip_addrs();
        let (tcp, ports) = match &p.decoded.transport {
            TransportRepr::Tcp(t) => (true, Some((t.src_port, t.dst_port))),
            TransportRepr::Udp(u) => (false, Some((u.src_port, u.dst_port))),
            _ => (false, None),
        };
        if let (Some(t), Some((s, d)), Some((_, dp))) = (p.tcp_repr(), addrs, ports)
            && t.flags & (SYN | ACK) == SYN
            && kept.1 < KEEP
        {
            kept.1 += 1;
            self.syns.push(Syn {
                file,
                frame: p.number,
                src: s,
                dst: SocketAddr::new(d, dp),
            });
        }
        for l in p.app.iter().filter(|l| l.dissector == Some(Dissector::Dns)) {
            if kept.0 >= KEEP {
                return;
            }
            kept.0 += 1;
            let mut m = DnsMsg::from_fields(&l.fields);
            m.file = file;
            m.frame = p.number;
            m.tcp = tcp;
            if let (Some((s, d)), Some((sp, dp))) = (addrs, ports) {
                m.src = Some(SocketAddr::new(s, sp));
                m.dst = Some(SocketAddr::new(d, dp));
            }
            self.msgs.push(m);
        }
    }

    /// The response to query `q`: the first later response of its file with its ID, sent
    /// back between the same two sockets.
    pub fn response_to(&self, q: &DnsMsg) -> Option<&DnsMsg> {
        self.msgs.iter().find(|r| {
            r.response
                && r.file == q.file
                && r.frame >= q.frame
                && r.id == q.id
                && r.src == q.dst
                && r.dst == q.src
        })
    }

    /// The first query of type `qtype` (any type when `None`) that has a response, else the
    /// first such query.
    pub fn query(&self, qtype: Option<u16>) -> Option<&DnsMsg> {
        let mut qs = self
            .msgs
            .iter()
            .filter(|m| !m.response && qtype.is_none_or(|t| m.qtype == t));
        let first = qs.clone().next();
        qs.find(|q| self.response_to(q).is_some()).or(first)
    }
}

/// Reads every capture's DNS messages.
pub fn read(caps: &[Capture]) -> Result<DnsTrace, AnswerError> {
    let mut all = DnsTrace::default();
    for (i, c) in caps.iter().enumerate() {
        scan(&c.path, |p, f| all.add(i, p, f))?;
    }
    Ok(all)
}

/// Every answer of the DNS lab, from the captures' files.
pub fn answers(caps: &[Capture]) -> Result<Vec<Answer>, AnswerError> {
    Ok(answer_trace(&read(caps)?))
}

const WS: &str = "How: Wireshark display filter";

/// The answers from the messages read.
pub fn answer_trace(t: &DnsTrace) -> Vec<Answer> {
    // The lab's lookup: an A query (the web server's address), else AAAA, else any.
    let Some(q) = t.query(Some(1)).or(t.query(Some(28))).or(t.query(None)) else {
        return vec![Answer::new(
            "4",
            Q4,
            "No DNS query in these captures. Capture while looking a name up (`nslookup \
             NAME`, `dig NAME`, or opening a web page after `ipconfig /flushdns`) and filter \
             on `dns`."
                .into(),
        )];
    };
    let r = t.response_to(q);
    vec![
        q4(q, r),
        q5(q, r),
        q6(q, t),
        q7(q),
        q8(q, r),
        q9(q, r, t),
        q14_16(t),
        aa(t),
        ids(t),
    ]
}

fn sock(s: Option<SocketAddr>) -> String {
    s.map(|s| s.to_string()).unwrap_or_else(|| "?".into())
}

const Q4: &str = "Locate the DNS query and response messages. Are they sent over UDP or TCP?";

fn q4(q: &DnsMsg, r: Option<&DnsMsg>) -> Answer {
    let rtext = match r {
        Some(r) => format!(
            " Its response is frame {}, also over {} (dns.id 0x{:04x} pairs them).",
            r.frame,
            r.transport(),
            r.id
        ),
        None => " Its response is not in these captures.".into(),
    };
    let mut a = Answer::new(
        "4",
        Q4,
        format!(
            "The query is frame {} (file {}): \"{}\", type {}, sent over {}.{rtext} DNS uses UDP \
             unless an answer is too long for one datagram (or a client asks for TCP, as `dig \
             +tcp` does).\n{WS} `dns.qry.name == \"{}\"`; `dns.flags.response == 0` for \
             queries, `== 1` for responses.",
            q.frame,
            q.file + 1,
            crate::text::escape(q.qname.as_bytes()),
            type_short(q.qtype),
            q.transport(),
            crate::text::escape(q.qname.as_bytes())
        ),
    )
    .cite(q.file, "query", vec![q.frame])
    .value("query_frame", q.frame)
    .value("query_file", q.file)
    .value("query_transport", q.transport())
    .value("qname", &q.qname)
    .value("response_frame", r.map(|r| r.frame))
    .value("response_transport", r.map(|r| r.transport()));
    if let Some(r) = r {
        a = a.cite(r.file, "response", vec![r.frame]);
    }
    a
}

const Q5: &str = "What is the destination port for the DNS query message? What is the source \
                  port of the DNS response message?";

fn q5(q: &DnsMsg, r: Option<&DnsMsg>) -> Answer {
    let proto = if q.tcp { "tcp" } else { "udp" };
    Answer::new(
        "5",
        Q5,
        format!(
            "The query (frame {}) goes to port {}{}; the response's source port is {}. A DNS \
             server listens on port 53; the client's port ({}) is an ephemeral one, and the \
             response goes back to it.\n{WS} `dns`; fields {proto}.dstport, {proto}.srcport.",
            q.frame,
            DnsMsg::port(q.dst).map_or("?".into(), |p| p.to_string()),
            if DnsMsg::port(q.dst) == Some(53) {
                " (DNS's well-known port)"
            } else {
                ""
            },
            r.and_then(|r| DnsMsg::port(r.src))
                .map_or("— (no response captured)".into(), |p| p.to_string()),
            DnsMsg::port(q.src).map_or("?".into(), |p| p.to_string()),
        ),
    )
    .cite(q.file, "query", vec![q.frame])
    .value("query_dst_port", DnsMsg::port(q.dst))
    .value("query_src_port", DnsMsg::port(q.src))
    .value("response_src_port", r.and_then(|r| DnsMsg::port(r.src)))
    .value("response_dst_port", r.and_then(|r| DnsMsg::port(r.dst)))
}

const Q6: &str = "To what IP address is the DNS query message sent? Use ipconfig to determine \
                  the IP address of your local DNS server. Are these two IP addresses the same?";

/// The address most queries go to: the local DNS server as far as a capture can tell.
fn usual_server(t: &DnsTrace) -> Option<(IpAddr, u64)> {
    let mut n: HashMap<IpAddr, u64> = HashMap::new();
    for m in t.msgs.iter().filter(|m| !m.response) {
        if let Some(d) = m.dst {
            *n.entry(d.ip()).or_default() += 1;
        }
    }
    n.into_iter()
        .max_by_key(|&(ip, c)| (c, std::cmp::Reverse(ip)))
}

fn q6(q: &DnsMsg, t: &DnsTrace) -> Answer {
    let dst = q.dst.map(|d| d.ip());
    let usual = usual_server(t);
    let queries = t.msgs.iter().filter(|m| !m.response).count() as u64;
    let same = match usual {
        Some((ip, n)) if Some(ip) == dst => format!(
            " {n} of the {queries} DNS quer{} in these captures go to it: it is the \
             resolver your host is set to use.",
            if queries == 1 { "y" } else { "ies" }
        ),
        Some((ip, n)) => format!(
            " Most queries ({n} of {queries}) go to {ip} instead: that is more likely your \
             local DNS server."
        ),
        None => String::new(),
    };
    Answer::new(
        "6",
        Q6,
        format!(
            "The query (frame {}) is sent to {}.{same} A capture cannot show your host's \
             settings: compare with `ipconfig /all` (Windows), `resolvectl status` or \
             /etc/resolv.conf (Linux), `scutil --dns` (macOS). On a real network this \
             address depends on the network (often the home router or the campus resolver).\n{WS} \
             `dns.flags.response == 0`; field ip.dst (ipv6.dst).",
            q.frame,
            dst.map_or("?".into(), |d| d.to_string())
        ),
    )
    .cite(q.file, "query", vec![q.frame])
    .value("query_dst", dst.map(|d| d.to_string()))
    .value("usual_server", usual.map(|u| u.0.to_string()))
}

const Q7: &str = "Examine the DNS query message. What \"Type\" of DNS query is it? Does the \
                  query message contain any \"answers\"?";

fn q7(q: &DnsMsg) -> Answer {
    Answer::new(
        "7",
        Q7,
        format!(
            "Frame {} asks for type {} ({}), class IN, of \"{}\". It contains {} answer{} \
             (Answer RRs: {}): a query only asks; the answers come in the response.\n{WS} \
             `dns.flags.response == 0`; fields dns.qry.type, dns.count.answers.",
            q.frame,
            type_short(q.qtype),
            q.qtype,
            crate::text::escape(q.qname.as_bytes()),
            q.counts[1],
            plural(q.counts[1]),
            q.counts[1]
        ),
    )
    .cite(q.file, "query", vec![q.frame])
    .value("qtype", type_short(q.qtype))
    .value("qtype_number", q.qtype)
    .value("questions", q.counts[0])
    .value("answers", q.counts[1])
}

const Q8: &str = "Examine the DNS response message. How many \"answers\" are provided? What \
                  do each of these answers contain?";

/// EDNS's OPT pseudo-record (in the additional section): not a record of the zone.
const OPT: u16 = 41;

fn record_table(rs: &[Record]) -> Table {
    let mut t = Table::new(&["Name", "Type", "Class", "TTL", "Data"]);
    for r in rs.iter().filter(|r| r.rtype != OPT) {
        t.row(vec![
            crate::text::escape(r.name.as_bytes()),
            type_short(r.rtype).into_owned(),
            class_name(r.class).into(),
            r.ttl.map_or("—".into(), |t| t.to_string()),
            crate::text::escape(r.data.as_bytes()),
        ]);
    }
    t
}

fn records_json(rs: &[Record]) -> Vec<serde_json::Value> {
    rs.iter()
        .filter(|r| r.rtype != OPT)
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "type": type_short(r.rtype),
                "class": class_name(r.class),
                "ttl": r.ttl,
                "data": r.data,
            })
        })
        .collect()
}

fn q8(q: &DnsMsg, r: Option<&DnsMsg>) -> Answer {
    let Some(r) = r else {
        return Answer::new(
            "8",
            Q8,
            format!(
                "The response to frame {} is not in these captures (lost, or the capture \
                 stopped too soon).",
                q.frame
            ),
        );
    };
    let ans = r.answers();
    Answer::new(
        "8",
        Q8,
        format!(
            "The response (frame {}) has {} question{} and {} answer{}. Each answer is a \
             resource record: a name, a type, a class, a TTL (how many seconds it may be \
             cached) and its data (an address for A/AAAA, a name for CNAME/NS): see the \
             table.{}\n{WS} `dns.flags.response == 1 && dns.id == 0x{:04x}`; fields \
             dns.count.answers, dns.resp.name, dns.resp.type, dns.resp.ttl, dns.a.",
            r.frame,
            r.counts[0],
            plural(r.counts[0]),
            r.counts[1],
            plural(r.counts[1]),
            if ans.is_empty() {
                " This one has none: the name has no record of that type (rcode \
                 tells whether it exists at all)."
            } else {
                ""
            },
            r.id
        ),
    )
    .cite(r.file, "response", vec![r.frame])
    .value("response_frame", r.frame)
    .value("questions", r.counts[0])
    .value("answers", r.counts[1])
    .value("records", records_json(ans))
    .with_table(record_table(ans))
}

const Q9: &str = "Consider the subsequent TCP SYN packet sent by your host. Does the \
                  destination IP address of the SYN packet correspond to any of the IP \
                  addresses provided in the DNS response message?";

fn q9(q: &DnsMsg, r: Option<&DnsMsg>, t: &DnsTrace) -> Answer {
    let addrs: Vec<String> = r
        .map(|r| {
            r.answers()
                .iter()
                .filter(|a| matches!(a.rtype, 1 | 28))
                .map(|a| a.data.clone())
                .collect()
        })
        .unwrap_or_default();
    let after = r.map_or(q.frame, |r| r.frame);
    let host = q.src.map(|s| s.ip());
    let syn = t.syns.iter().find(|s| {
        // A SYN to port 53 is DNS over TCP, not the connection the lookup was for.
        s.file == q.file && s.frame > after && Some(s.src) == host && s.dst.port() != 53
    });
    let Some(s) = syn else {
        return Answer::new(
            "9",
            Q9,
            format!(
                "No TCP SYN from {} after frame {after} in these captures: capture the web \
                 page's fetch too (the lab opens it in a browser after the lookup).",
                host.map_or("the querying host".into(), |h| h.to_string())
            ),
        )
        .value("answered", addrs);
    };
    let hit = addrs.contains(&s.dst.ip().to_string());
    Answer::new(
        "9",
        Q9,
        format!(
            "The next SYN from {} is frame {}, to {}. {}\n{WS} `tcp.flags.syn == 1 && tcp.flags.ack == 0`; field ip.dst, \
             against dns.a of the response.",
            s.src,
            s.frame,
            s.dst,
            if hit {
                format!(
                    "Yes: {} is one of the response's answers: the host connects to the \
                     address the lookup returned.",
                    s.dst.ip()
                )
            } else {
                format!(
                    "No: the response's addresses are [{}]; this SYN may belong to another \
                     lookup.",
                    addrs.join(", ")
                )
            }
        ),
    )
    .cite(s.file, "TCP SYN", vec![s.frame])
    .value("syn_frame", s.frame)
    .value("syn_dst", s.dst.ip().to_string())
    .value("answered", addrs)
    .value("matches", hit)
}

const Q14_16: &str = "nslookup -type=NS: To what IP address is the DNS query message sent? What \
                      \"Type\" of DNS query is it, and does it contain any answers? What name \
                      servers does the response message provide? Does this response message \
                      also provide the IP addresses of the name servers?";

fn q14_16(t: &DnsTrace) -> Answer {
    let Some(q) = t.query(Some(2)) else {
        return Answer::new(
            "16",
            Q14_16,
            "No NS query in these captures: capture `nslookup -type=NS DOMAIN` (or `dig NS \
             DOMAIN`)."
                .into(),
        );
    };
    let Some(r) = t.response_to(q) else {
        return Answer::new(
            "16",
            Q14_16,
            format!(
                "The NS query for \"{}\" is frame {}, sent to {}, with {} answers; its response \
                 is not in these captures.",
                crate::text::escape(q.qname.as_bytes()),
                q.frame,
                sock(q.dst),
                q.counts[1]
            ),
        )
        .cite(q.file, "NS query", vec![q.frame]);
    };
    let ns: Vec<String> = r
        .answers()
        .iter()
        .filter(|a| a.rtype == 2)
        .map(|a| a.data.clone())
        .collect();
    let add = r.additional();
    let with_addr: Vec<String> = ns
        .iter()
        .filter(|n| {
            add.iter()
                .any(|a| matches!(a.rtype, 1 | 28) && a.name.eq_ignore_ascii_case(n))
        })
        .cloned()
        .collect();
    let addr_text = if ns.is_empty() {
        String::new()
    } else if with_addr.len() == ns.len() {
        " Yes: the additional section gives every name server's address (A/AAAA records).".into()
    } else if with_addr.is_empty() {
        " No: the additional section has no A/AAAA record for them; a resolver would look \
         them up separately."
            .into()
    } else {
        format!(
            " Partly: the additional section gives the addresses of {} of them.",
            with_addr.len()
        )
    };
    Answer::new(
        "16",
        Q14_16,
        format!(
            "The NS query for \"{}\" is frame {}, sent to {} (compare with your local DNS \
             server, as in question 6); its type is NS and it has {} answers. The response \
             (frame {}) names {} name server{}: {}.{addr_text} These names depend on the \
             domain asked about and its registry, not on your network.\n{WS} `dns.qry.type == \
             2`; fields dns.ns, and dns.a in the Additional records.",
            crate::text::escape(q.qname.as_bytes()),
            q.frame,
            q.dst.map_or("?".into(), |d| d.ip().to_string()),
            q.counts[1],
            r.frame,
            ns.len(),
            plural(ns.len() as u64),
            crate::text::escape(ns.join(", ").as_bytes()),
        ),
    )
    .cite(q.file, "NS query", vec![q.frame])
    .cite(r.file, "NS response", vec![r.frame])
    .value("query_frame", q.frame)
    .value("query_dst", q.dst.map(|d| d.ip().to_string()))
    .value("query_answers", q.counts[1])
    .value("response_frame", r.frame)
    .value("name_servers", &ns)
    .value("additional", records_json(add))
    .value("with_address", &with_addr)
    .with_table(record_table(&r.records))
}

const AA: &str = "nslookup prints \"Non-authoritative answer\": which responses are \
                  authoritative?";

fn aa(t: &DnsTrace) -> Answer {
    let rs: Vec<&DnsMsg> = t.msgs.iter().filter(|m| m.response).collect();
    let yes: Vec<&&DnsMsg> = rs
        .iter()
        .filter(|m| m.authoritative == Some(true))
        .collect();
    let mut a = Answer::new(
        "aa",
        AA,
        format!(
            "{} of the {} response{} have the Authoritative flag set: they come from a server \
             that holds the zone itself. The others come from a resolver's cache or a forward, \
             and nslookup then prints \"Non-authoritative answer\". Which you get depends on \
             the server asked: a home router or campus resolver answers non-authoritatively.\
             \n{WS} `dns.flags.authoritative == 1`.",
            yes.len(),
            rs.len(),
            plural(rs.len() as u64)
        ),
    )
    .value("responses", rs.len())
    .value("authoritative", yes.len());
    if let Some(f) = yes.first() {
        a = a.cite(f.file, "first authoritative response", vec![f.frame]);
    }
    a
}

const IDS: &str = "How does the host pair each response with its query?";

fn ids(t: &DnsTrace) -> Answer {
    let mut tab = Table::new(&["Transaction ID", "Query", "Response", "Name", "Type"]);
    let mut pairs = Vec::new();
    for q in t.msgs.iter().filter(|m| !m.response) {
        let r = t.response_to(q);
        if pairs.len() < 64 {
            tab.row(vec![
                format!("0x{:04x}", q.id),
                q.frame.to_string(),
                r.map_or("—".into(), |r| r.frame.to_string()),
                crate::text::escape(q.qname.as_bytes()),
                type_short(q.qtype).into_owned(),
            ]);
        }
        pairs.push(serde_json::json!({
            "file": q.file,
            "id": format!("0x{:04x}", q.id),
            "query": q.frame,
            "response": r.map(|r| r.frame),
        }));
    }
    let answered = pairs.iter().filter(|p| !p["response"].is_null()).count();
    Answer::new(
        "id",
        IDS,
        format!(
            "By the 16-bit Transaction ID: the client picks one per query and the server \
             copies it into the response (which also comes back to the query's port). {} \
             quer{} here, {answered} answered: see the table.\n{WS} `dns.id == 0x…`; \
             Wireshark links the pair with dns.response_in and dns.response_to.",
            pairs.len(),
            if pairs.len() == 1 { "y" } else { "ies" }
        ),
    )
    .value("pairs", pairs)
    .with_table(tab)
}

#[cfg(test)]
mod tests;

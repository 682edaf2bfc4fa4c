//! The Kurose & Ross "Wireshark Lab: DNS" (v8.1), its 18 questions answered from captures,
//! numbered as v8.1 numbers them: Part 1 (`nslookup`: the address, the server that answered,
//! authoritative or not, a domain's name server), Part 3 (the browser's lookup of the web
//! server's name: the query and its response, UDP or TCP, ports, where it goes, question and
//! answer counts, and the GETs of the base page and its image with the lookups before them),
//! Part 4 (`nslookup www…`: ports, server, type, counts) and Part 5 (`nslookup -type=NS`:
//! server, counts, the name servers and the additional records). Three more answers: whether
//! the next TCP SYN goes to an answered address (`syn`), the Authoritative flag of every
//! response (`aa`) and the transaction IDs pairing queries with responses (`id`).
//!
//! Which message each part is about is found by content ([`DnsTrace::picks`]), so one capture
//! of the whole lab, or one per part, both work.
//!
//! Every DNS message is read from wirelab's DNS dissector's fields (the `dns.*` fields of
//! `wirelab read --json`): nothing here parses DNS again. At most [`KEEP`] messages per file
//! are kept.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use super::http::{HttpMsg, HttpMsgs};
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
    /// The HTTP messages (question 11's GETs).
    pub http: HttpMsgs,
    kept: Vec<(usize, usize)>,
}

impl DnsTrace {
    /// Adds one analysed frame of file `file`.
    pub fn add(&mut self, file: usize, p: &Packet, _f: &Frame) {
        self.http.add(file, p);
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

/// Reads every capture's DNS and HTTP messages.
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

/// The name of a Host header (its port, if any, left out).
fn host_name(h: &str) -> &str {
    match h.rsplit_once(':') {
        Some((n, p)) if !n.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => h,
    }
}

/// The messages each part of the lab is about.
#[derive(Debug, Clone, Copy, Default)]
pub struct Picks<'a> {
    /// Part 3's base-page GET: the first for `…/kurose_ross/`, else the first GET.
    pub base: Option<&'a HttpMsg>,
    /// Part 3's query: the first query for the base GET's Host name; when there is none, the
    /// lab's lookup (the first A query answered, else AAAA, else any).
    pub web: Option<&'a DnsMsg>,
    /// True when `web` was found from the GET's Host name.
    pub web_from_get: bool,
    /// Parts 1 and 4's `nslookup` query: the first A query answered for another name than
    /// `web`'s (when `web` came from a GET), else `web`.
    pub look: Option<&'a DnsMsg>,
    /// Part 5's `-type=NS` query: the first NS query answered, else the first NS query.
    pub ns: Option<&'a DnsMsg>,
}

impl DnsTrace {
    /// The messages the lab's parts are about.
    pub fn picks(&self) -> Picks<'_> {
        let gets = || {
            self.http
                .msgs
                .iter()
                .filter(|m| m.request && m.method == "GET")
        };
        let base = gets()
            .find(|m| m.uri.ends_with("/kurose_ross/"))
            .or_else(|| gets().next());
        let by_host = base.and_then(|g| {
            let host = host_name(g.header("Host")?);
            self.msgs
                .iter()
                .find(|m| !m.response && m.file == g.file && m.qname.eq_ignore_ascii_case(host))
        });
        let lab = self
            .query(Some(1))
            .or(self.query(Some(28)))
            .or(self.query(None));
        let web = by_host.or(lab);
        let look = match by_host {
            Some(w) => self
                .msgs
                .iter()
                .find(|m| {
                    !m.response
                        && m.qtype == 1
                        && !m.qname.eq_ignore_ascii_case(&w.qname)
                        && self.response_to(m).is_some()
                })
                .or(Some(w)),
            None => lab,
        };
        Picks {
            base,
            web,
            web_from_get: by_host.is_some(),
            look,
            ns: self.query(Some(2)),
        }
    }
}

const NO_DNS: &str = "Not in this capture: no DNS query. Capture while looking a name up \
                      (`nslookup NAME`, `dig NAME`, or opening a web page after `ipconfig \
                      /flushdns`) and filter on `dns`.";

/// The answers from the messages read.
pub fn answer_trace(t: &DnsTrace) -> Vec<Answer> {
    let p = t.picks();
    let mut out = Vec::new();
    part1(t, &p, &mut out);
    part3(t, &p, &mut out);
    part4(t, &p, &mut out);
    part5(t, &p, &mut out);
    if let Some(q) = p.web {
        out.push(syn(q, t.response_to(q), t));
    }
    out.push(aa(t));
    out.push(ids(t));
    out
}

fn ip(s: Option<SocketAddr>) -> String {
    s.map(|s| s.ip().to_string()).unwrap_or_else(|| "?".into())
}

fn name(n: &str) -> String {
    crate::text::escape(n.as_bytes())
}

fn port(s: Option<SocketAddr>) -> String {
    s.map_or("?".into(), |s| s.port().to_string())
}

/// The addresses (A, AAAA) among records.
fn addresses(rs: &[Record]) -> Vec<String> {
    rs.iter()
        .filter(|a| matches!(a.rtype, 1 | 28))
        .map(|a| a.data.clone())
        .collect()
}

const Q1: &str = "Run nslookup to obtain the IP address of the web server for the Indian \
                  Institute of Technology in Bombay, India: www.iitb.ac.in. What is the IP \
                  address of www.iitb.ac.in?";
const Q2: &str = "What is the IP address of the DNS server that provided the answer to your \
                  nslookup command in question 1 above?";
const Q3: &str = "Did the answer to your nslookup command in question 1 above come from an \
                  authoritative or non-authoritative server?";
const Q4: &str = "Use the nslookup command to determine the name of the authoritative name \
                  server for the iit.ac.in domain. What is that name? (If there are more than \
                  one authoritative servers, what is the name of the first authoritative \
                  server returned by nslookup)? If you had to find the IP address of that \
                  authoritative name server, how would you do so?";

fn part1(t: &DnsTrace, p: &Picks<'_>, out: &mut Vec<Answer>) {
    let Some(q) = p.look else {
        for (id, qq) in [("1", Q1), ("2", Q2), ("3", Q3)] {
            out.push(Answer::new(id, qq, NO_DNS.into()));
        }
        out.push(q4(t, p));
        return;
    };
    let r = t.response_to(q);
    let Some(r) = r else {
        let why = format!(
            "Not in this capture: the response to the query for \"{}\" (frame {}). Capture \
             until nslookup has printed its answer.",
            name(&q.qname),
            q.frame
        );
        for (id, qq) in [("1", Q1), ("2", Q2), ("3", Q3)] {
            out.push(Answer::new(id, qq, why.clone()).cite(q.file, "query", vec![q.frame]));
        }
        out.push(q4(t, p));
        return;
    };
    let addrs = addresses(r.answers());
    out.push(
        Answer::new(
            "1",
            Q1,
            format!(
                "{} (frame {}: the answer to the query for \"{}\", type {}, frame {}). The lab \
                 asks about www.iitb.ac.in, a public server: its address is whatever its DNS \
                 says at the time; here the name looked up is \"{}\".{}\n{WS} `dns.qry.name \
                 == \"{}\"`; field dns.a (dns.aaaa), in the response's Answers.",
                if addrs.is_empty() {
                    "No address".to_string()
                } else {
                    addrs.join(", ")
                },
                r.frame,
                name(&q.qname),
                type_short(q.qtype),
                q.frame,
                name(&q.qname),
                match r.answers().iter().find(|a| a.rtype == 5) {
                    Some(c) => format!(
                        " The name is an alias (CNAME {}): the address is that name's.",
                        name(&c.data)
                    ),
                    None => String::new(),
                },
                name(&q.qname),
            ),
        )
        .cite(q.file, "query", vec![q.frame])
        .cite(r.file, "response", vec![r.frame])
        .value("qname", &q.qname)
        .value("query_frame", q.frame)
        .value("response_frame", r.frame)
        .value("addresses", &addrs),
    );
    out.push(
        Answer::new(
            "2",
            Q2,
            format!(
                "{} (the response's source address, frame {}): nslookup prints it as \
                 \"Server:\". Without a server argument this is your local DNS server, so it \
                 depends on the network.\n{WS} `dns.flags.response == 1`; field ip.src \
                 (ipv6.src).",
                ip(r.src),
                r.frame
            ),
        )
        .cite(r.file, "response", vec![r.frame])
        .value("server", r.src.map(|s| s.ip().to_string())),
    );
    let auth = r.authoritative == Some(true);
    let other = t.msgs.iter().find(|m| {
        m.response
            && (m.authoritative == Some(true)) != auth
            && m.qname.eq_ignore_ascii_case(&q.qname)
    });
    let mut a3 = Answer::new(
        "3",
        Q3,
        format!(
            "{}: the response (frame {}) has the Authoritative flag {} (Wireshark: \
             \"Authoritative: Server is {}an authority for domain\"){}. {}{}\n{WS} \
             `dns.flags.authoritative == 1`.",
            if auth {
                "Authoritative"
            } else {
                "Non-authoritative"
            },
            r.frame,
            if auth { "set" } else { "clear" },
            if auth { "" } else { "not " },
            if auth {
                ""
            } else {
                ", so nslookup prints \"Non-authoritative answer:\""
            },
            if auth {
                "The server asked holds the zone itself."
            } else {
                "A resolver answered from its cache or by asking others; this depends on the \
                 server asked (a home router or campus resolver answers non-authoritatively)."
            },
            match other {
                Some(o) => format!(
                    " The response in frame {} (from {}, for the same name) is {}.",
                    o.frame,
                    ip(o.src),
                    if o.authoritative == Some(true) {
                        "authoritative: that server was asked directly (`nslookup NAME SERVER`)"
                    } else {
                        "non-authoritative"
                    }
                ),
                None => String::new(),
            }
        ),
    )
    .cite(r.file, "response", vec![r.frame])
    .value("authoritative", auth);
    if let Some(o) = other {
        a3 = a3
            .cite(o.file, "other response", vec![o.frame])
            .value("other_frame", o.frame)
            .value("other_authoritative", o.authoritative == Some(true));
    }
    out.push(a3);
    out.push(q4(t, p));
}

fn q4(t: &DnsTrace, p: &Picks<'_>) -> Answer {
    let Some(q) = p.ns else {
        return Answer::new(
            "4",
            Q4,
            "Not in this capture: no NS query. Capture `nslookup -type=NS DOMAIN` (or `dig NS \
             DOMAIN`)."
                .into(),
        );
    };
    let Some(r) = t.response_to(q) else {
        return Answer::new(
            "4",
            Q4,
            format!(
                "Not in this capture: the response to the NS query for \"{}\" (frame {}).",
                name(&q.qname),
                q.frame
            ),
        )
        .cite(q.file, "NS query", vec![q.frame]);
    };
    let ns: Vec<&Record> = r.answers().iter().filter(|a| a.rtype == 2).collect();
    let Some(first) = ns.first() else {
        return Answer::new(
            "4",
            Q4,
            format!(
                "The NS response for \"{}\" (frame {}) names no name server.",
                name(&q.qname),
                r.frame
            ),
        )
        .cite(r.file, "NS response", vec![r.frame]);
    };
    let glue = r
        .additional()
        .iter()
        .find(|a| matches!(a.rtype, 1 | 28) && a.name.eq_ignore_ascii_case(&first.data));
    let lookup = t.msgs.iter().find(|m| {
        !m.response && matches!(m.qtype, 1 | 28) && m.qname.eq_ignore_ascii_case(&first.data)
    });
    let how = match (glue, lookup) {
        (Some(g), _) => format!(
            "The response's Additional records already give it: {} (so does `nslookup {}`).",
            name(&g.data),
            name(&first.data)
        ),
        (None, Some(l)) => format!(
            "Look it up like any name, `nslookup {}`: this capture has that query (frame {}).",
            name(&first.data),
            l.frame
        ),
        (None, None) => format!(
            "Look it up like any name: `nslookup {}`.",
            name(&first.data)
        ),
    };
    let mut a = Answer::new(
        "4",
        Q4,
        format!(
            "{} (frame {}, the first of {} NS record{} for \"{}\"). {how} The names depend on \
             the domain asked about, not on your network.\n{WS} `dns.qry.type == 2`; field \
             dns.ns, and dns.a in the Additional records.",
            name(&first.data),
            r.frame,
            ns.len(),
            plural(ns.len() as u64),
            name(&q.qname)
        ),
    )
    .cite(r.file, "NS response", vec![r.frame])
    .value("name_server", &first.data)
    .value("address", glue.map(|g| &g.data));
    if let Some(l) = lookup {
        a = a.cite(l.file, "lookup of the name server", vec![l.frame]);
    }
    a
}

const Q5: &str = "Locate the first DNS query message resolving the name gaia.cs.umass.edu. \
                  What is the packet number in the trace for the DNS query message? Is this \
                  query message sent over UDP or TCP?";
const Q6: &str = "Now locate the corresponding DNS response to the initial DNS query. What is \
                  the packet number in the trace for the DNS response message? Is this \
                  response message received via UDP or TCP?";
const Q7: &str = "What is the destination port for the DNS query message? What is the source \
                  port of the DNS response message?";
const Q8: &str = "To what IP address is the DNS query message sent?";
const Q9: &str = "Examine the DNS query message. How many \"questions\" does this DNS message \
                  contain? How many \"answers\" does it contain?";
const Q10: &str = "Examine the DNS response message to the initial query message. How many \
                   \"questions\" does this DNS message contain? How many \"answers\" does \
                   it contain?";
const Q11: &str = "The web page for the base file http://gaia.cs.umass.edu/kurose_ross/ \
                   references the image object \
                   http://gaia.cs.umass.edu/kurose_ross/header_graphic_book_8E_2.jpg. What is \
                   the packet number in the trace for the initial HTTP GET request for the \
                   base file? What is the packet number of the DNS query made to resolve \
                   gaia.cs.umass.edu so that this initial HTTP request can be sent, and of the \
                   received DNS response? What is the packet number for the HTTP GET request \
                   for the image object? What is the packet number of the DNS query made to \
                   resolve gaia.cs.umass.edu so that this second HTTP request can be sent? \
                   Discuss how DNS caching affects the answer to this last question.";

fn part3(t: &DnsTrace, p: &Picks<'_>, out: &mut Vec<Answer>) {
    let Some(q) = p.web else {
        for (id, qq) in [
            ("5", Q5),
            ("6", Q6),
            ("7", Q7),
            ("8", Q8),
            ("9", Q9),
            ("10", Q10),
        ] {
            out.push(Answer::new(id, qq, NO_DNS.into()));
        }
        out.push(q11(t, p));
        return;
    };
    let r = t.response_to(q);
    let how = if p.web_from_get {
        format!(
            "the first query for the web server's name (the Host of the GET in frame {})",
            p.base.map_or(0, |b| b.frame)
        )
    } else {
        "no GET names the server, so this is the first A query answered".into()
    };
    out.push(
        Answer::new(
            "5",
            Q5,
            format!(
                "Frame {} (file {}): \"{}\", type {}, over {} ({how}). DNS uses UDP unless an \
                 answer is too long for one datagram (or a client asks for TCP, as `dig +tcp` \
                 does). The lab's gaia.cs.umass.edu is a public name; the frame numbers \
                 depend on the capture.\n{WS} `dns.qry.name == \"{}\" && dns.flags.response \
                 == 0`.",
                q.frame,
                q.file + 1,
                name(&q.qname),
                type_short(q.qtype),
                q.transport(),
                name(&q.qname)
            ),
        )
        .cite(q.file, "query", vec![q.frame])
        .value("query_frame", q.frame)
        .value("query_file", q.file)
        .value("query_transport", q.transport())
        .value("qname", &q.qname),
    );
    let Some(r) = r else {
        let why = format!(
            "Not in this capture: the response to the query in frame {}. Capture until the \
             page has loaded.",
            q.frame
        );
        out.push(Answer::new("6", Q6, why.clone()).value("response_frame", None::<u64>));
        out.push(ports("7", Q7, q, None));
        out.push(dest("8", Q8, q, t, false));
        out.push(query_counts("9", Q9, q, false));
        out.push(Answer::new("10", Q10, why));
        out.push(q11(t, p));
        return;
    };
    out.push(
        Answer::new(
            "6",
            Q6,
            format!(
                "Frame {}, received over {} (dns.id 0x{:04x} pairs it with the query in frame \
                 {}).\n{WS} `dns.flags.response == 1 && dns.id == 0x{:04x}`; Wireshark links \
                 the two with dns.response_in and dns.response_to.",
                r.frame,
                r.transport(),
                r.id,
                q.frame,
                r.id
            ),
        )
        .cite(r.file, "response", vec![r.frame])
        .value("response_frame", r.frame)
        .value("response_transport", r.transport()),
    );
    out.push(ports("7", Q7, q, Some(r)));
    out.push(dest("8", Q8, q, t, false));
    out.push(query_counts("9", Q9, q, false));
    out.push(response_counts("10", Q10, r));
    out.push(q11(t, p));
}

fn ports(id: &str, qq: &str, q: &DnsMsg, r: Option<&DnsMsg>) -> Answer {
    let proto = if q.tcp { "tcp" } else { "udp" };
    let dport = DnsMsg::port(q.dst);
    Answer::new(
        id,
        qq,
        format!(
            "The query (frame {}) goes to port {}{}; the response's source port is {}. A DNS \
             server listens on port 53; the client's port ({}) is an ephemeral one, and the \
             response goes back to it.\n{WS} `dns`; fields {proto}.dstport, {proto}.srcport.",
            q.frame,
            port(q.dst),
            if dport == Some(53) {
                " (DNS's well-known port)"
            } else {
                ""
            },
            r.and_then(|r| DnsMsg::port(r.src))
                .map_or("— (not in this capture)".into(), |p| p.to_string()),
            port(q.src),
        ),
    )
    .cite(q.file, "query", vec![q.frame])
    .value("query_frame", q.frame)
    .value("query_dst_port", dport)
    .value("query_src_port", DnsMsg::port(q.src))
    .value("response_src_port", r.and_then(|r| DnsMsg::port(r.src)))
    .value("response_dst_port", r.and_then(|r| DnsMsg::port(r.dst)))
}

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

fn dest(id: &str, qq: &str, q: &DnsMsg, t: &DnsTrace, ask_default: bool) -> Answer {
    let dst = q.dst.map(|d| d.ip());
    let usual = usual_server(t);
    let queries = t.msgs.iter().filter(|m| !m.response).count() as u64;
    let is_default = usual.is_some_and(|u| Some(u.0) == dst);
    let same = match usual {
        Some((_, n)) if is_default => format!(
            " {}{n} of the {queries} DNS quer{} in these captures go to it: it is the \
             resolver the host is set to use, its default local DNS server.",
            if ask_default { "Yes: " } else { "" },
            if queries == 1 { "y" } else { "ies" }
        ),
        Some((ip, n)) => format!(
            " {}Most queries ({n} of {queries}) go to {ip}: that is more likely the default \
             local DNS server, and this query named another server (`nslookup NAME \
             SERVER`).",
            if ask_default { "No: " } else { "" }
        ),
        None => String::new(),
    };
    Answer::new(
        id,
        qq,
        format!(
            "The query (frame {}) is sent to {}.{same} A capture cannot show the host's \
             settings: compare with `ipconfig /all` (Windows), `resolvectl status` or \
             /etc/resolv.conf (Linux), `scutil --dns` (macOS). This address depends on the \
             network (often the home router or the campus resolver).\n{WS} \
             `dns.flags.response == 0`; field ip.dst (ipv6.dst).",
            q.frame,
            dst.map_or("?".into(), |d| d.to_string())
        ),
    )
    .cite(q.file, "query", vec![q.frame])
    .value("query_frame", q.frame)
    .value("query_dst", dst.map(|d| d.to_string()))
    .value("usual_server", usual.map(|u| u.0.to_string()))
    .value("default_server", is_default)
}

fn query_counts(id: &str, qq: &str, q: &DnsMsg, with_type: bool) -> Answer {
    Answer::new(
        id,
        qq,
        format!(
            "{}Frame {} has {} question{} ({}, type {} ({}), class IN) and {} answer{} \
             (Answer RRs: {}): a query only asks; the answers come in the response.\n{WS} \
             `dns.flags.response == 0`; fields dns.count.queries, dns.count.answers{}.",
            if with_type {
                format!("Type {}. ", type_short(q.qtype))
            } else {
                String::new()
            },
            q.frame,
            q.counts[0],
            plural(q.counts[0]),
            name(&q.qname),
            type_short(q.qtype),
            q.qtype,
            q.counts[1],
            plural(q.counts[1]),
            q.counts[1],
            if with_type { ", dns.qry.type" } else { "" }
        ),
    )
    .cite(q.file, "query", vec![q.frame])
    .value("query_frame", q.frame)
    .value("qtype", type_short(q.qtype))
    .value("qtype_number", q.qtype)
    .value("questions", q.counts[0])
    .value("answers", q.counts[1])
}

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

fn response_counts(id: &str, qq: &str, r: &DnsMsg) -> Answer {
    let ans = r.answers();
    Answer::new(
        id,
        qq,
        format!(
            "The response (frame {}) has {} question{} (the query's, copied back) and {} \
             answer{}. Each answer is a resource record: a name, a type, a class, a TTL (how \
             many seconds it may be cached) and its data (an address for A/AAAA, a name for \
             CNAME/NS): see the table.{}\n{WS} `dns.flags.response == 1 && dns.id == \
             0x{:04x}`; fields dns.count.queries, dns.count.answers, dns.resp.name, \
             dns.resp.type, dns.resp.ttl, dns.a.",
            r.frame,
            r.counts[0],
            plural(r.counts[0]),
            r.counts[1],
            plural(r.counts[1]),
            if ans.is_empty() {
                " This one has none: the name has no record of that type (rcode tells \
                 whether it exists at all)."
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

/// The image GET after `base`: the first later GET of its file for a picture, else the
/// first later GET of another URI.
fn image_get<'a>(t: &'a DnsTrace, base: &HttpMsg) -> Option<&'a HttpMsg> {
    let later = || {
        t.http.msgs.iter().filter(|m| {
            m.request
                && m.method == "GET"
                && m.file == base.file
                && m.frame > base.frame
                && m.uri != base.uri
        })
    };
    let picture = |u: &str| {
        let u = u.to_ascii_lowercase();
        [".jpg", ".jpeg", ".png", ".gif"]
            .iter()
            .any(|e| u.ends_with(e))
    };
    later().find(|m| picture(&m.uri)).or_else(|| later().next())
}

/// The query for `host` that let `get` be sent: the last query for it before the GET (an A
/// query for an IPv4 GET, AAAA for IPv6, else any type), with its response.
fn query_before<'a>(t: &'a DnsTrace, get: &HttpMsg, host: &str, after: u64) -> Option<&'a DnsMsg> {
    let want = match get.dst.map(|d| d.ip()) {
        Some(IpAddr::V6(_)) => 28,
        _ => 1,
    };
    let qs = || {
        t.msgs.iter().filter(|m| {
            !m.response
                && m.file == get.file
                && m.frame > after
                && m.frame < get.frame
                && m.qname.eq_ignore_ascii_case(host)
        })
    };
    qs().rfind(|m| m.qtype == want).or_else(|| qs().next_back())
}

fn q11(t: &DnsTrace, p: &Picks<'_>) -> Answer {
    let Some(base) = p.base else {
        return Answer::new(
            "11",
            Q11,
            "Not in this capture: no HTTP GET. Capture while the browser (or `curl`) fetches \
             http://gaia.cs.umass.edu/kurose_ross/ and its image, after emptying the DNS \
             cache (`ipconfig /flushdns`)."
                .into(),
        );
    };
    let host = base.header("Host").map(host_name).unwrap_or_default();
    let q1 = query_before(t, base, host, 0);
    let r1 = q1.and_then(|q| t.response_to(q));
    let img = image_get(t, base);
    let img_host = img
        .and_then(|i| i.header("Host"))
        .map(host_name)
        .unwrap_or(host);
    let q2 = img.and_then(|i| query_before(t, i, img_host, base.frame));
    let r2 = q2.and_then(|q| t.response_to(q));
    let f = |m: Option<&DnsMsg>| m.map_or("none".to_string(), |m| format!("frame {}", m.frame));
    let mut text = format!(
        "The GET for the base file (\"{}\", Host {}) is frame {}. The query that resolved {} \
         before it: {}; its response: {}.",
        name(&base.uri),
        name(host),
        base.frame,
        name(host),
        f(q1),
        f(r1)
    );
    if q1.is_none() {
        text.push_str(
            " (No query before it: the address was already cached, or the GET names an \
             address, not a name.)",
        );
    }
    match img {
        Some(i) => {
            text.push_str(&format!(
                " The GET for the image (\"{}\") is frame {}. The query for {} before it \
                 (after the base GET): {}.",
                name(&i.uri),
                i.frame,
                name(img_host),
                f(q2)
            ));
            text.push_str(match q2 {
                None => {
                    " None: the address learned for the base file was cached (by the browser \
                     or the operating system) for the record's TTL, so no new query was \
                     needed."
                }
                Some(_) => {
                    " A new query was made: the client kept no cache between the two \
                     fetches (curl run twice, a flushed cache, or an expired TTL); with a \
                     cache there would be none."
                }
            });
        }
        None => text.push_str(
            " Not in this capture: a GET for the image after the base file's. Capture the \
             whole page load.",
        ),
    }
    text.push_str(&format!(
        "\n{WS} `http.request.method == \"GET\" || dns.qry.name == \"{}\"`.",
        name(host)
    ));
    let mut a = Answer::new("11", Q11, text).cite(base.file, "base GET", vec![base.frame]);
    for (m, what) in [(q1, "query"), (r1, "response"), (q2, "query for the image")] {
        if let Some(m) = m {
            a = a.cite(m.file, what, vec![m.frame]);
        }
    }
    if let Some(i) = img {
        a = a.cite(i.file, "image GET", vec![i.frame]);
    }
    a.value("base_get_frame", base.frame)
        .value("host", host)
        .value("query_frame", q1.map(|m| m.frame))
        .value("response_frame", r1.map(|m| m.frame))
        .value("image_get_frame", img.map(|m| m.frame))
        .value("image_query_frame", q2.map(|m| m.frame))
        .value("image_response_frame", r2.map(|m| m.frame))
}

const Q12: &str = "(nslookup www.cs.umass.edu) What is the destination port for the DNS query \
                   message? What is the source port of the DNS response message?";
const Q13: &str = "To what IP address is the DNS query message sent? Is this the IP address of \
                   your default local DNS server?";
const Q14: &str = "Examine the DNS query message. What \"Type\" of DNS query is it? Does the \
                   query message contain any \"answers\"?";
const Q15: &str = "Examine the DNS response message to the query message. How many \
                   \"questions\" does this DNS response message contain? How many \
                   \"answers\"?";

fn part4(t: &DnsTrace, p: &Picks<'_>, out: &mut Vec<Answer>) {
    let Some(q) = p.look else {
        for (id, qq) in [("12", Q12), ("13", Q13), ("14", Q14), ("15", Q15)] {
            out.push(Answer::new(id, qq, NO_DNS.into()));
        }
        return;
    };
    let r = t.response_to(q);
    out.push(ports("12", Q12, q, r));
    out.push(dest("13", Q13, q, t, true));
    out.push(query_counts("14", Q14, q, true));
    out.push(match r {
        Some(r) => response_counts("15", Q15, r),
        None => Answer::new(
            "15",
            Q15,
            format!(
                "Not in this capture: the response to the query in frame {}.",
                q.frame
            ),
        ),
    });
}

const Q16: &str = "(nslookup -type=NS umass.edu) To what IP address is the DNS query message \
                   sent? Is this the IP address of your default local DNS server?";
const Q17: &str = "Examine the DNS query message. How many questions does the query have? \
                   Does the query message contain any \"answers\"?";
const Q18: &str = "Examine the DNS response message. How many answers does the response have? \
                   What information is contained in the answers? How many additional resource \
                   records are returned? What additional information is included in these \
                   additional resource records?";

fn part5(t: &DnsTrace, p: &Picks<'_>, out: &mut Vec<Answer>) {
    let Some(q) = p.ns else {
        let why = "Not in this capture: no NS query. Capture `nslookup -type=NS DOMAIN` (or \
                   `dig NS DOMAIN`) and filter on `dns.qry.type == 2`.";
        for (id, qq) in [("16", Q16), ("17", Q17), ("18", Q18)] {
            out.push(Answer::new(id, qq, why.into()));
        }
        return;
    };
    out.push(dest("16", Q16, q, t, true));
    out.push(query_counts("17", Q17, q, true));
    let Some(r) = t.response_to(q) else {
        out.push(
            Answer::new(
                "18",
                Q18,
                format!(
                    "Not in this capture: the response to the NS query in frame {}.",
                    q.frame
                ),
            )
            .cite(q.file, "NS query", vec![q.frame]),
        );
        return;
    };
    let ns: Vec<String> = r
        .answers()
        .iter()
        .filter(|a| a.rtype == 2)
        .map(|a| a.data.clone())
        .collect();
    let add: Vec<&Record> = r.additional().iter().filter(|a| a.rtype != OPT).collect();
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
        " They give every name server's address (A/AAAA records): a resolver need not look \
         them up."
            .into()
    } else if with_addr.is_empty() {
        " None gives a name server's address; a resolver would look them up separately.".into()
    } else {
        format!(
            " They give the addresses of {} of the name servers.",
            with_addr.len()
        )
    };
    let add_list: Vec<String> = add
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                name(&a.name),
                type_short(a.rtype),
                name(&a.data)
            )
        })
        .collect();
    let all: Vec<Record> = r
        .records
        .iter()
        .filter(|x| x.rtype != OPT)
        .cloned()
        .collect();
    out.push(
        Answer::new(
            "18",
            Q18,
            format!(
                "The response (frame {}) has {} answer{}: {} NS record{} naming the name \
                 servers of \"{}\" ({}). It has {} additional record{}{}{}{addr_text} The names \
                 depend on the domain asked about and its registry, not on your network.\n{WS} \
                 `dns.qry.type == 2 && dns.flags.response == 1`; fields dns.count.answers, \
                 dns.ns, dns.count.add_rr, and dns.a in the Additional records.",
                r.frame,
                r.counts[1],
                plural(r.counts[1]),
                ns.len(),
                plural(ns.len() as u64),
                name(&q.qname),
                name(&ns.join(", ")),
                add.len(),
                plural(add.len() as u64),
                if add.is_empty() { "." } else { ": " },
                if add.is_empty() {
                    String::new()
                } else {
                    format!("{}.", add_list.join("; "))
                },
            ),
        )
        .cite(r.file, "NS response", vec![r.frame])
        .value("query_frame", q.frame)
        .value("response_frame", r.frame)
        .value("answers", r.counts[1])
        .value("name_servers", &ns)
        .value("additional_count", add.len())
        .value("add_rr", r.counts[3])
        .value("additional", records_json(r.additional()))
        .value("with_address", &with_addr)
        .with_table(record_table(&all)),
    );
}

const QSYN: &str = "Consider the subsequent TCP SYN packet sent by your host. Does the \
                   destination IP address of the SYN packet correspond to any of the IP \
                   addresses provided in the DNS response message?";

fn syn(q: &DnsMsg, r: Option<&DnsMsg>, t: &DnsTrace) -> Answer {
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
            "syn",
            QSYN,
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
        "syn",
        QSYN,
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

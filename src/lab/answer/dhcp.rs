//! The Kurose & Ross "Wireshark Lab: DHCP" (v8.1), answered from captures: the Discover,
//! Offer, Request and ACK of one exchange (the DORA), their transport, addresses,
//! transaction IDs and options.
//!
//! Every message is read from wirelab's DHCP dissector's fields (the `dhcp.*` fields of
//! `wirelab read --json`): nothing here parses DHCP again. Messages are grouped into
//! exchanges by transaction ID and client MAC; the answers are about the first exchange with
//! all four messages (else the most complete one), and the other exchanges (releases,
//! renewals, another DORA) are listed with what they are. At most [`KEEP`] messages per file
//! are kept.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::report::{Answer, Table};
use super::{AnswerError, Capture, scan};
use crate::analyse::Packet;
use crate::decode::TransportRepr;
use crate::dissect::dhcp::{message_type_name, option_name, time_text};
use crate::dissect::{Dissector, FieldVal};
use crate::frame::Frame;

/// DHCP messages kept per file.
pub const KEEP: usize = 4096;

/// DHCP message types (option 53).
pub const DISCOVER: u8 = 1;
/// DHCPOFFER.
pub const OFFER: u8 = 2;
/// DHCPREQUEST.
pub const REQUEST: u8 = 3;
/// DHCPDECLINE.
pub const DECLINE: u8 = 4;
/// DHCPACK.
pub const ACK: u8 = 5;
/// DHCPNAK.
pub const NAK: u8 = 6;
/// DHCPRELEASE.
pub const RELEASE: u8 = 7;

/// One DHCP option as the dissector's fields give it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Opt {
    /// `dhcp.option.type`.
    pub code: u8,
    /// `dhcp.option.value`.
    pub value: Vec<u8>,
    /// The option's own fields, as tshark prints them (`dhcp.option.router`, …).
    pub shown: Vec<String>,
}

impl Opt {
    /// Its value for a reader: the option's fields, else its bytes in hex.
    pub fn text(&self) -> String {
        if self.shown.is_empty() {
            self.value.iter().map(|b| format!("{b:02x}")).collect()
        } else {
            self.shown.join(", ")
        }
    }

    /// `(51) IP Address Lease Time`.
    pub fn title(&self) -> String {
        format!("({}) {}", self.code, option_name(self.code))
    }
}

/// One DHCP message.
#[derive(Debug, Clone, PartialEq)]
pub struct DhcpMsg {
    /// Index of its file.
    pub file: usize,
    /// Frame number.
    pub frame: u64,
    /// Source socket (IP and UDP port).
    pub src: Option<SocketAddr>,
    /// Destination socket.
    pub dst: Option<SocketAddr>,
    /// Ethernet destination, when the frame has an Ethernet header.
    pub eth_dst: Option<[u8; 6]>,
    /// `dhcp.type`: 1 Boot Request, 2 Boot Reply.
    pub op: u8,
    /// `dhcp.id`.
    pub xid: u32,
    /// `dhcp.flags.bc`.
    pub broadcast_flag: bool,
    /// `dhcp.ip.client` (ciaddr).
    pub ciaddr: Ipv4Addr,
    /// `dhcp.ip.your` (yiaddr).
    pub yiaddr: Ipv4Addr,
    /// `dhcp.ip.relay` (giaddr).
    pub giaddr: Ipv4Addr,
    /// `dhcp.hw.mac_addr` of the header (chaddr).
    pub chaddr: Option<[u8; 6]>,
    /// `dhcp.option.dhcp` (none: plain BOOTP).
    pub kind: Option<u8>,
    /// The options in order (without padding and End).
    pub options: Vec<Opt>,
    /// `dhcp.option.request_list_item`, in order.
    pub prl: Vec<u8>,
    /// `dhcp.option.requested_ip_address`.
    pub requested_ip: Option<Ipv4Addr>,
    /// `dhcp.option.dhcp_server_id`.
    pub server_id: Option<Ipv4Addr>,
    /// `dhcp.option.ip_address_lease_time`.
    pub lease: Option<u32>,
    /// `dhcp.option.renewal_time_value` (T1).
    pub renewal: Option<u32>,
    /// `dhcp.option.rebinding_time_value` (T2).
    pub rebinding: Option<u32>,
    /// `dhcp.option.router`.
    pub routers: Vec<Ipv4Addr>,
}

impl Default for DhcpMsg {
    fn default() -> DhcpMsg {
        DhcpMsg {
            file: 0,
            frame: 0,
            src: None,
            dst: None,
            eth_dst: None,
            op: 0,
            xid: 0,
            broadcast_flag: false,
            ciaddr: Ipv4Addr::UNSPECIFIED,
            yiaddr: Ipv4Addr::UNSPECIFIED,
            giaddr: Ipv4Addr::UNSPECIFIED,
            chaddr: None,
            kind: None,
            options: Vec::new(),
            prl: Vec::new(),
            requested_ip: None,
            server_id: None,
            lease: None,
            renewal: None,
            rebinding: None,
            routers: Vec::new(),
        }
    }
}

fn v4(v: &FieldVal) -> Option<Ipv4Addr> {
    match v {
        FieldVal::Ip(IpAddr::V4(a)) => Some(*a),
        _ => None,
    }
}

fn num(v: &FieldVal) -> u64 {
    match v {
        FieldVal::Uint(n) | FieldVal::Hex(n, _) => *n,
        FieldVal::Bool(b) => u64::from(*b),
        _ => 0,
    }
}

/// `(3600s) 1 hour`, as Wireshark shows a time option.
pub fn duration_text(secs: u32) -> String {
    if secs == u32::MAX {
        format!("({secs}s) infinity")
    } else {
        format!("({secs}s) {}", time_text(secs))
    }
}

impl DhcpMsg {
    /// The message from its dissector fields, in the order tshark meets them.
    pub fn from_fields(fields: &[(&'static str, FieldVal)]) -> DhcpMsg {
        let mut m = DhcpMsg::default();
        for (name, v) in fields {
            let n = num(v);
            let secs = u32::try_from(n).unwrap_or(u32::MAX);
            let text = match *name {
                "dhcp.type" => {
                    m.op = n as u8;
                    None
                }
                "dhcp.id" => {
                    m.xid = n as u32;
                    None
                }
                "dhcp.flags.bc" => {
                    m.broadcast_flag = n == 1;
                    None
                }
                "dhcp.ip.client" => {
                    m.ciaddr = v4(v).unwrap_or(m.ciaddr);
                    None
                }
                "dhcp.ip.your" => {
                    m.yiaddr = v4(v).unwrap_or(m.yiaddr);
                    None
                }
                "dhcp.ip.relay" => {
                    m.giaddr = v4(v).unwrap_or(m.giaddr);
                    None
                }
                "dhcp.hw.mac_addr" if m.options.is_empty() => {
                    if let FieldVal::Mac(a) = v {
                        m.chaddr = Some(*a);
                    }
                    None
                }
                "dhcp.option.type" => {
                    m.options.push(Opt {
                        code: n as u8,
                        ..Opt::default()
                    });
                    None
                }
                "dhcp.option.end" => {
                    if let Some(o) = m.options.last_mut() {
                        o.code = 255;
                    }
                    None
                }
                "dhcp.option.value" => {
                    if let (Some(o), FieldVal::Bytes(b)) = (m.options.last_mut(), v) {
                        o.value = b.clone();
                    }
                    None
                }
                "dhcp.option.dhcp" => {
                    m.kind = Some(n as u8);
                    Some(message_type_name(n as u8))
                }
                "dhcp.option.request_list_item" => {
                    m.prl.push(n as u8);
                    Some(format!("({n}) {}", option_name(n as u8)))
                }
                "dhcp.option.requested_ip_address" => {
                    m.requested_ip = v4(v);
                    Some(v.to_string())
                }
                "dhcp.option.dhcp_server_id" => {
                    m.server_id = v4(v);
                    Some(v.to_string())
                }
                "dhcp.option.router" => {
                    m.routers.extend(v4(v));
                    Some(v.to_string())
                }
                "dhcp.option.ip_address_lease_time" => {
                    m.lease = Some(secs);
                    Some(duration_text(secs))
                }
                "dhcp.option.renewal_time_value" => {
                    m.renewal = Some(secs);
                    Some(duration_text(secs))
                }
                "dhcp.option.rebinding_time_value" => {
                    m.rebinding = Some(secs);
                    Some(duration_text(secs))
                }
                "dhcp.option.subnet_mask"
                | "dhcp.option.domain_name_server"
                | "dhcp.option.broadcast_address"
                | "dhcp.option.domain_name"
                | "dhcp.option.hostname"
                | "dhcp.option.vendor_class_id"
                | "dhcp.option.dhcp_max_message_size"
                | "dhcp.hw.mac_addr" => Some(v.to_string()),
                _ => None,
            };
            if let (Some(t), Some(o)) = (text, m.options.last_mut()) {
                o.shown.push(t);
            }
        }
        m.options.retain(|o| o.code != 0 && o.code != 255);
        m
    }

    /// `Discover`, `ACK`, … or `BOOTP` without option 53.
    pub fn kind_name(&self) -> String {
        match self.kind {
            Some(k) => message_type_name(k),
            None => "BOOTP".into(),
        }
    }

    /// The option with this code.
    pub fn option(&self, code: u8) -> Option<&Opt> {
        self.options.iter().find(|o| o.code == code)
    }

    fn src_ip(&self) -> Option<IpAddr> {
        self.src.map(|s| s.ip())
    }

    fn dst_ip(&self) -> Option<IpAddr> {
        self.dst.map(|s| s.ip())
    }

    fn ip_text(a: Option<IpAddr>) -> String {
        a.map_or("?".into(), |a| a.to_string())
    }

    /// Sent to the limited broadcast address 255.255.255.255.
    pub fn to_broadcast(&self) -> bool {
        self.dst_ip() == Some(IpAddr::V4(Ipv4Addr::BROADCAST))
    }

    /// What a Request is for (RFC 2131 section 4.3.2's client states).
    pub fn request_state(&self) -> &'static str {
        if self.server_id.is_some() {
            "SELECTING"
        } else if self.ciaddr.is_unspecified() {
            "INIT-REBOOT"
        } else if self.to_broadcast() {
            "REBINDING"
        } else {
            "RENEWING"
        }
    }
}

fn mac(m: [u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The DHCP messages of every file, in order.
#[derive(Debug, Clone, Default)]
pub struct DhcpTrace {
    /// The messages kept.
    pub msgs: Vec<DhcpMsg>,
    kept: Vec<usize>,
}

impl DhcpTrace {
    /// Adds one analysed frame of file `file`.
    pub fn add(&mut self, file: usize, p: &Packet, _f: &Frame) {
        if self.kept.len() <= file {
            self.kept.resize(file + 1, 0);
        }
        let Some(kept) = self.kept.get_mut(file) else {
            return;
        };
        let addrs = p.decoded.net.ip_addrs();
        let ports = match &p.decoded.transport {
            TransportRepr::Udp(u) => Some((u.src_port, u.dst_port)),
            _ => None,
        };
        for l in p
            .app
            .iter()
            .filter(|l| l.dissector == Some(Dissector::Dhcp))
        {
            if *kept >= KEEP {
                return;
            }
            *kept += 1;
            let mut m = DhcpMsg::from_fields(&l.fields);
            m.file = file;
            m.frame = p.number;
            m.eth_dst = p.decoded.link.macs().map(|(_, d)| d);
            if let (Some((s, d)), Some((sp, dp))) = (addrs, ports) {
                m.src = Some(SocketAddr::new(s, sp));
                m.dst = Some(SocketAddr::new(d, dp));
            }
            self.msgs.push(m);
        }
    }

    /// The exchanges: messages grouped by file, transaction ID and client MAC, in the order
    /// their first message was captured. A client message after an ACK or NAK starts a new
    /// exchange even with the same transaction ID (busybox udhcpc renews with its lease's).
    pub fn exchanges(&self) -> Vec<Exchange<'_>> {
        let mut out: Vec<Exchange<'_>> = Vec::new();
        for m in &self.msgs {
            let same = out
                .iter_mut()
                .rev()
                .find(|e| e.file == m.file && e.xid == m.xid && e.chaddr == m.chaddr)
                .filter(|e| m.op == 2 || !e.msgs.iter().any(|x| matches!(x.kind, Some(ACK | NAK))));
            match same {
                Some(e) => e.msgs.push(m),
                None => out.push(Exchange {
                    file: m.file,
                    xid: m.xid,
                    chaddr: m.chaddr,
                    msgs: vec![m],
                }),
            }
        }
        out
    }
}

/// The messages of one transaction ID from one client.
#[derive(Debug, Clone)]
pub struct Exchange<'a> {
    /// Index of its file.
    pub file: usize,
    /// `dhcp.id`.
    pub xid: u32,
    /// The client's MAC (chaddr).
    pub chaddr: Option<[u8; 6]>,
    /// Its messages in order.
    pub msgs: Vec<&'a DhcpMsg>,
}

impl<'a> Exchange<'a> {
    /// Its first message of this type.
    pub fn first(&self, kind: u8) -> Option<&'a DhcpMsg> {
        self.msgs.iter().copied().find(|m| m.kind == Some(kind))
    }

    /// Its first message of this type after frame `after`.
    fn first_after(&self, kind: u8, after: u64) -> Option<&'a DhcpMsg> {
        self.msgs
            .iter()
            .copied()
            .find(|m| m.kind == Some(kind) && m.frame > after)
    }

    /// Discover, Offer, Request and ACK are all here.
    pub fn is_dora(&self) -> bool {
        [DISCOVER, OFFER, REQUEST, ACK]
            .iter()
            .all(|&k| self.first(k).is_some())
    }

    /// How many of the four DORA messages it holds (a Discover counts double: the lab starts
    /// from it).
    fn score(&self) -> usize {
        [DISCOVER, DISCOVER, OFFER, REQUEST, ACK]
            .iter()
            .filter(|&&k| self.first(k).is_some())
            .count()
    }

    /// The four messages the questions are about.
    pub fn dora(&self) -> Dora<'a> {
        let discover = self.first(DISCOVER);
        let request = self
            .first_after(REQUEST, discover.map_or(0, |d| d.frame))
            .or(self.first(REQUEST));
        // With several servers, the Offer the Request accepted (option 54).
        let offers: Vec<&DhcpMsg> = self
            .msgs
            .iter()
            .copied()
            .filter(|m| m.kind == Some(OFFER))
            .collect();
        let chosen = request.and_then(|r| r.server_id);
        let offer = offers
            .iter()
            .copied()
            .find(|o| chosen.is_some() && o.server_id == chosen)
            .or(offers.first().copied());
        let ack = request
            .and_then(|r| {
                self.msgs
                    .iter()
                    .copied()
                    .find(|m| matches!(m.kind, Some(ACK | NAK)) && m.frame > r.frame)
            })
            .or(self.first(ACK));
        Dora {
            discover,
            offer,
            request,
            ack,
        }
    }

    /// What it is, in a few words.
    pub fn what(&self) -> String {
        if self.is_dora() {
            return "DORA: Discover, Offer, Request, ACK (a new lease)".into();
        }
        if let Some(r) = self.first(REQUEST)
            && self.first(DISCOVER).is_none()
        {
            let reply = match (self.first(ACK), self.first(NAK)) {
                (Some(_), _) => "ACK",
                (None, Some(_)) => "NAK",
                _ => "no reply captured",
            };
            return match r.request_state() {
                "RENEWING" => format!(
                    "renewal: Request (RENEWING) unicast from {} to the server {} with \
                     ciaddr {}, {reply}",
                    DhcpMsg::ip_text(r.src_ip()),
                    DhcpMsg::ip_text(r.dst_ip()),
                    r.ciaddr
                ),
                "REBINDING" => format!(
                    "rebinding: Request (REBINDING) broadcast with ciaddr {}, {reply}",
                    r.ciaddr
                ),
                "INIT-REBOOT" => format!(
                    "INIT-REBOOT: Request for {} (the client's earlier address, no \
                     Discover), {reply}",
                    r.requested_ip.map_or("?".into(), |a| a.to_string())
                ),
                _ => format!("Request (SELECTING) without its Discover, {reply}"),
            };
        }
        if let Some(r) = self.first(RELEASE) {
            return format!(
                "release: DHCPRELEASE of {} sent to {}",
                r.ciaddr,
                DhcpMsg::ip_text(r.dst_ip())
            );
        }
        let kinds: Vec<String> = self.msgs.iter().map(|m| m.kind_name()).collect();
        let mut kinds_unique: Vec<String> = Vec::new();
        for k in kinds {
            if !kinds_unique.contains(&k) {
                kinds_unique.push(k);
            }
        }
        format!("{} (incomplete)", kinds_unique.join(", "))
    }
}

/// The Discover, Offer, Request and ACK of the chosen exchange (any of them may be missing).
#[derive(Debug, Clone, Copy, Default)]
pub struct Dora<'a> {
    /// The first Discover.
    pub discover: Option<&'a DhcpMsg>,
    /// The Offer the Request accepted (else the first).
    pub offer: Option<&'a DhcpMsg>,
    /// The first Request after the Discover.
    pub request: Option<&'a DhcpMsg>,
    /// The ACK (or NAK) that answered it.
    pub ack: Option<&'a DhcpMsg>,
}

/// Reads every capture's DHCP messages.
pub fn read(caps: &[Capture]) -> Result<DhcpTrace, AnswerError> {
    let mut all = DhcpTrace::default();
    for (i, c) in caps.iter().enumerate() {
        scan(&c.path, |p, f| all.add(i, p, f))?;
    }
    Ok(all)
}

/// Every answer of the DHCP lab, from the captures' files.
pub fn answers(caps: &[Capture]) -> Result<Vec<Answer>, AnswerError> {
    Ok(answer_trace(&read(caps)?))
}

const WS: &str = "How: Wireshark display filter";

/// What to capture when a message is missing.
const CAPTURE: &str = "capture while the client gets a new address: Windows `ipconfig \
                       /release` then `ipconfig /renew`; Linux `sudo dhclient -r IFACE` then \
                       `sudo dhclient IFACE` (a fresh lease, or it may skip the Discover); \
                       macOS `sudo ipconfig set en0 DHCP`";

fn missing(id: &str, q: &str, what: &str) -> Answer {
    Answer::new(
        id,
        q,
        format!("Not in this capture: {what}. To see it, {CAPTURE}; filter on `dhcp`."),
    )
}

/// The answers from the messages read.
pub fn answer_trace(t: &DhcpTrace) -> Vec<Answer> {
    let ex = t.exchanges();
    let chosen = ex.iter().position(|e| e.is_dora()).or_else(|| {
        ex.iter()
            .enumerate()
            .filter(|(_, e)| e.score() > 0)
            .fold(None::<(usize, usize)>, |best, (i, e)| match best {
                Some((_, s)) if s >= e.score() => best,
                _ => Some((i, e.score())),
            })
            .map(|(i, _)| i)
    });
    let Some(c) = chosen.and_then(|i| ex.get(i)) else {
        return vec![
            exchanges_answer(&ex, None),
            missing("1", Q1, "no DHCP Discover, Offer, Request or ACK"),
        ];
    };
    let d = c.dora();
    vec![
        exchanges_answer(&ex, chosen),
        q1(d.discover),
        q2(d.discover),
        q3(d.discover),
        q4(d.discover),
        q5(d.discover),
        q6(d),
        q7(d.offer),
        q8(d.offer, "8", Q8, "Offer"),
        q9(d.offer),
        q10(
            d.request,
            t.msgs
                .iter()
                .find(|m| m.kind == Some(REQUEST) && m.file == c.file),
        ),
        q11(d.request),
        q12(d.request),
        q13(d),
        q14(d),
        q15(d.ack),
        q8(d.ack, "16", Q16, "ACK"),
        q17(d.ack),
        q18(d.ack),
        q19(d.ack),
    ]
}

fn frames_of(e: &Exchange<'_>) -> String {
    e.msgs
        .iter()
        .map(|m| format!("{} {}", m.kind_name(), m.frame))
        .collect::<Vec<_>>()
        .join(", ")
}

const Q0: &str = "Which DHCP messages do these answers use?";

fn exchanges_answer(ex: &[Exchange<'_>], chosen: Option<usize>) -> Answer {
    let mut tab = Table::new(&["File", "Transaction ID", "Client MAC", "Frames", "What"]);
    let mut json = Vec::new();
    for (i, e) in ex.iter().enumerate() {
        let mark = if Some(i) == chosen {
            " ← answered"
        } else {
            ""
        };
        if tab.rows.len() < 64 {
            tab.row(vec![
                (e.file + 1).to_string(),
                format!("0x{:08x}", e.xid),
                e.chaddr.map_or("—".into(), mac),
                frames_of(e),
                format!("{}{mark}", e.what()),
            ]);
        }
        json.push(serde_json::json!({
            "file": e.file,
            "xid": format!("0x{:08x}", e.xid),
            "client_mac": e.chaddr.map(mac),
            "frames": e.msgs.iter().map(|m| m.frame).collect::<Vec<_>>(),
            "types": e.msgs.iter().map(|m| m.kind_name()).collect::<Vec<_>>(),
            "what": e.what(),
            "dora": e.is_dora(),
        }));
    }
    if ex.len() > 64 {
        tab.note = Some(format!("{} exchanges in all; 64 shown", ex.len()));
    }
    let Some(c) = chosen.and_then(|i| ex.get(i)) else {
        return Answer::new(
            "0",
            Q0,
            format!(
                "No DHCP exchange in these captures ({} DHCP/BOOTP message{}). To make one, \
                 {CAPTURE}.\n{WS} `dhcp`.",
                ex.iter().map(|e| e.msgs.len()).sum::<usize>(),
                super::plural(ex.iter().map(|e| e.msgs.len() as u64).sum())
            ),
        )
        .value("dora", false)
        .value("exchanges", json)
        .with_table(tab);
    };
    let others = ex.len() - 1;
    Answer::new(
        "0",
        Q0,
        format!(
            "The exchange with transaction ID 0x{:08x} (file {}: {}){}. The questions follow \
             one exchange from Discover to ACK: messages of one exchange share the \
             transaction ID. {}\n{WS} `dhcp`, then `dhcp.id == 0x{:08x}`; \
             `dhcp.option.dhcp == 1` shows Discovers (2 Offer, 3 Request, 5 ACK, 7 Release).",
            c.xid,
            c.file + 1,
            frames_of(c),
            if c.is_dora() {
                ": the first complete Discover, Offer, Request, ACK"
            } else {
                ": no exchange here has all four messages, this one has the most"
            },
            match others {
                0 => "There is no other exchange in these captures.".to_string(),
                1 => "The other exchange (a release and a renewal are exchanges of their own) \
                      is in the table."
                    .to_string(),
                n => format!(
                    "The other {n} exchanges (a release and a renewal are exchanges of their \
                     own) are in the table."
                ),
            },
            c.xid
        ),
    )
    .cite(
        c.file,
        "the exchange",
        c.msgs.iter().map(|m| m.frame).collect(),
    )
    .value("xid", format!("0x{:08x}", c.xid))
    .value("file", c.file)
    .value("dora", c.is_dora())
    .value("exchanges", json)
    .with_table(tab)
}

const Q1: &str = "Is this DHCP Discover message sent out using UDP or TCP as the underlying \
                  transport protocol?";

fn q1(d: Option<&DhcpMsg>) -> Answer {
    let Some(d) = d else {
        return missing("1", Q1, "the exchange's DHCP Discover");
    };
    Answer::new(
        "1",
        Q1,
        format!(
            "UDP: the Discover (frame {}) goes from UDP port {} to port {}. DHCP always runs \
             over UDP: a client without an address cannot open a TCP connection, and its \
             messages are broadcast.\n{WS} `dhcp.option.dhcp == 1`; the UDP layer under \
             DHCP.",
            d.frame,
            d.src.map_or("?".into(), |s| s.port().to_string()),
            d.dst.map_or("?".into(), |s| s.port().to_string()),
        ),
    )
    .cite(d.file, "Discover", vec![d.frame])
    .value("discover_frame", d.frame)
    .value("transport", "UDP")
    .value("src_port", d.src.map(|s| s.port()))
    .value("dst_port", d.dst.map(|s| s.port()))
}

const Q2: &str = "What is the source IP address used in the IP datagram containing the \
                  Discover message? Is there anything special about this address? Explain.";

/// Why a client's source address is what it is.
fn client_src_text(m: &DhcpMsg) -> String {
    match m.src_ip() {
        Some(IpAddr::V4(a)) if a.is_unspecified() => "0.0.0.0, \"this host on this network\": \
             the client has no IP address yet (getting one is what DHCP is for), so it sends \
             from the unspecified address (RFC 2131 section 4.1)"
            .into(),
        Some(a) if !m.ciaddr.is_unspecified() => format!(
            "{a}: the client already holds this address (ciaddr {}) and uses it",
            m.ciaddr
        ),
        Some(a) => format!("{a}"),
        None => "not an IP datagram here".into(),
    }
}

fn q2(d: Option<&DhcpMsg>) -> Answer {
    let Some(d) = d else {
        return missing("2", Q2, "the exchange's DHCP Discover");
    };
    Answer::new(
        "2",
        Q2,
        format!(
            "The source is {}.\n{WS} `dhcp.option.dhcp == 1`; field ip.src.",
            client_src_text(d)
        ),
    )
    .cite(d.file, "Discover", vec![d.frame])
    .value("src", d.src_ip().map(|a| a.to_string()))
}

const Q3: &str = "What is the destination IP address used in the datagram containing the \
                  Discover message. Is there anything special about this address? Explain.";

/// Why a client's destination address is what it is.
fn client_dst_text(m: &DhcpMsg) -> String {
    let eth = match m.eth_dst {
        Some(e) if e == [0xff; 6] => " (and Ethernet broadcast ff:ff:ff:ff:ff:ff)",
        _ => "",
    };
    if m.to_broadcast() {
        format!(
            "255.255.255.255, the limited broadcast address{eth}: every host on the link \
             receives it and routers do not forward it. The client does not know any \
             server's address, so it asks everyone on its link; a server (or a relay agent \
             on the router) answers"
        )
    } else {
        format!(
            "{}: a unicast address, the server's (the client already knows it)",
            DhcpMsg::ip_text(m.dst_ip())
        )
    }
}

fn q3(d: Option<&DhcpMsg>) -> Answer {
    let Some(d) = d else {
        return missing("3", Q3, "the exchange's DHCP Discover");
    };
    Answer::new(
        "3",
        Q3,
        format!(
            "The destination is {}.\n{WS} `dhcp.option.dhcp == 1`; fields ip.dst, eth.dst.",
            client_dst_text(d)
        ),
    )
    .cite(d.file, "Discover", vec![d.frame])
    .value("dst", d.dst_ip().map(|a| a.to_string()))
    .value("eth_broadcast", d.eth_dst == Some([0xff; 6]))
}

const Q4: &str = "What is the value in the transaction ID field of this DHCP Discover message?";

fn q4(d: Option<&DhcpMsg>) -> Answer {
    let Some(d) = d else {
        return missing("4", Q4, "the exchange's DHCP Discover");
    };
    Answer::new(
        "4",
        Q4,
        format!(
            "0x{:08x} (frame {}). The client picks it at random for this exchange; the \
             server's replies carry it back.\n{WS} `dhcp.option.dhcp == 1`; field dhcp.id \
             (\"Transaction ID\").",
            d.xid, d.frame
        ),
    )
    .cite(d.file, "Discover", vec![d.frame])
    .value("xid", format!("0x{:08x}", d.xid))
}

fn options_table(m: &DhcpMsg) -> Table {
    let mut t = Table::new(&["Option", "Value"]);
    for o in &m.options {
        t.row(vec![o.title(), crate::text::escape(o.text().as_bytes())]);
    }
    t
}

fn options_json(m: &DhcpMsg) -> Vec<serde_json::Value> {
    m.options
        .iter()
        .map(|o| {
            serde_json::json!({
                "code": o.code,
                "name": option_name(o.code),
                "value": o.text(),
            })
        })
        .collect()
}

const Q5: &str = "Now inspect the options field in the DHCP Discover message. What are five \
                  pieces of information (beyond an IP address) that the client is suggesting \
                  or requesting to receive from the DHCP server as part of this DHCP \
                  transaction?";

fn q5(d: Option<&DhcpMsg>) -> Answer {
    let Some(d) = d else {
        return missing("5", Q5, "the exchange's DHCP Discover");
    };
    let asked: Vec<String> = d
        .prl
        .iter()
        .map(|&c| format!("{} ({c})", option_name(c)))
        .collect();
    let told: Vec<String> = d
        .options
        .iter()
        .filter(|o| !matches!(o.code, 53 | 55))
        .map(|o| {
            format!(
                "{} {}",
                option_name(o.code),
                crate::text::escape(o.text().as_bytes())
            )
        })
        .collect();
    let asked_text = if asked.is_empty() {
        "The Discover has no Parameter Request List (option 55): it asks for nothing in \
         particular."
            .to_string()
    } else {
        format!(
            "Its Parameter Request List (option 55) asks for {} item{}: {}.",
            asked.len(),
            super::plural(asked.len() as u64),
            asked.join(", ")
        )
    };
    let told_text = if told.is_empty() {
        String::new()
    } else {
        format!(" It also suggests or tells: {}.", told.join("; "))
    };
    Answer::new(
        "5",
        Q5,
        format!(
            "{asked_text}{told_text} Any five of these answer the question; which ones a \
             client asks for depends on its DHCP client program and system (the table lists \
             every option of frame {}).\n{WS} `dhcp.option.dhcp == 1`; Option: (55) \
             Parameter Request List, fields dhcp.option.request_list_item, \
             dhcp.option.type.",
            d.frame
        ),
    )
    .cite(d.file, "Discover", vec![d.frame])
    .value("requested", &d.prl)
    .value(
        "options",
        d.options.iter().map(|o| o.code).collect::<Vec<_>>(),
    )
    .value("requested_ip", d.requested_ip.map(|a| a.to_string()))
    .with_table(options_table(d))
}

const Q6: &str = "How do you know that this Offer message is being sent in response to the \
                  DHCP Discover message you studied in questions 1-5 above?";

fn q6(d: Dora<'_>) -> Answer {
    let Some(o) = d.offer else {
        return missing("6", Q6, "a DHCP Offer for this exchange");
    };
    let chaddr = o.chaddr.map_or("?".into(), mac);
    let mut a = Answer::new(
        "6",
        Q6,
        format!(
            "The Offer (frame {}) carries the same transaction ID, 0x{:08x}, as the \
             Discover{}; it is also addressed to the same client hardware address ({chaddr}, \
             the Client MAC address field).\n{WS} `dhcp.id == 0x{:08x}`.",
            o.frame,
            o.xid,
            d.discover.map_or(
                " (the Discover is not in this capture)".into(),
                |x| format!(" (frame {})", x.frame)
            ),
            o.xid
        ),
    )
    .cite(o.file, "Offer", vec![o.frame])
    .value("offer_frame", o.frame)
    .value("xid", format!("0x{:08x}", o.xid))
    .value("same_xid", d.discover.map(|x| x.xid == o.xid));
    if let Some(x) = d.discover {
        a = a.cite(x.file, "Discover", vec![x.frame]);
    }
    a
}

const Q7: &str = "What is the source IP address used in the IP datagram containing the Offer \
                  message? Is there anything special about this address? Explain.";

/// Why a server's source address is what it is.
fn server_src_text(m: &DhcpMsg) -> String {
    let src = DhcpMsg::ip_text(m.src_ip());
    let id = match m.server_id {
        Some(s) if Some(IpAddr::V4(s)) == m.src_ip() => {
            " It is also the Server Identifier (option 54) the server puts in its replies."
                .to_string()
        }
        Some(s) => format!(" Its Server Identifier (option 54) is {s}."),
        None => String::new(),
    };
    let relay = if m.giaddr.is_unspecified() {
        String::new()
    } else {
        format!(
            " A relay agent ({}) passed it on: the server is on another subnet.",
            m.giaddr
        )
    };
    format!(
        "{src}: the DHCP server's own address. Nothing special: the server has an address \
         and uses it.{id}{relay} On a real network this is your network's DHCP server (often \
         the home router or a campus server), so the address depends on the network."
    )
}

fn q7(o: Option<&DhcpMsg>) -> Answer {
    let Some(o) = o else {
        return missing("7", Q7, "a DHCP Offer for this exchange");
    };
    Answer::new(
        "7",
        Q7,
        format!(
            "The source is {}\n{WS} `dhcp.option.dhcp == 2`; field ip.src.",
            server_src_text(o)
        ),
    )
    .cite(o.file, "Offer", vec![o.frame])
    .value("src", o.src_ip().map(|a| a.to_string()))
    .value("server_id", o.server_id.map(|a| a.to_string()))
}

const Q8: &str = "What is the destination IP address used in the datagram containing the \
                  Offer message? Is there anything special about this address? Explain.";

const Q16: &str = "What is the destination IP address used in the datagram containing this \
                   ACK message. Is there anything special about this address? Explain.";

/// Why a server's reply goes where it goes (RFC 2131 section 4.1, p. 24).
fn server_dst_text(m: &DhcpMsg, what: &str) -> String {
    let dst = DhcpMsg::ip_text(m.dst_ip());
    let flag = if m.broadcast_flag {
        "set (Bootp flags 0x8000)"
    } else {
        "not set (Bootp flags 0x0000)"
    };
    let rule = "RFC 2131 (section 4.1, p. 24): with ciaddr and giaddr zero, a server \
                broadcasts its Offer and ACK to 255.255.255.255 when the client set the \
                broadcast flag, and unicasts them to yiaddr at the client's MAC address when \
                it did not (a client that cannot take a unicast datagram before it has an \
                address sets the flag). The textbook's figure shows all four messages \
                broadcast; which one you see depends on the client and the server";
    if !m.giaddr.is_unspecified() {
        return format!(
            "{dst}: the relay agent's address (giaddr {}): the server sends its {what} to \
             the relay, which passes it to the client on its own subnet",
            m.giaddr
        );
    }
    if m.to_broadcast() {
        format!(
            "255.255.255.255, the limited broadcast address: the client has no address yet \
             to send to. The client's broadcast flag is {flag}. {rule}"
        )
    } else if m.dst_ip() == Some(IpAddr::V4(m.yiaddr)) && !m.yiaddr.is_unspecified() {
        let eth = match (m.eth_dst, m.chaddr) {
            (Some(e), Some(c)) if e == c => format!(" (Ethernet destination {})", mac(e)),
            _ => String::new(),
        };
        format!(
            "{dst}: unicast to the address being handed out (Your (client) IP address), \
             sent straight to the client's MAC address{eth} although the client does not \
             have the address yet. The client's broadcast flag is {flag}. {rule}"
        )
    } else if m.dst_ip() == Some(IpAddr::V4(m.ciaddr)) && !m.ciaddr.is_unspecified() {
        format!(
            "{dst}: unicast to the address the client already holds (ciaddr): a renewal is \
             answered to the client's own address (RFC 2131 section 4.1)"
        )
    } else {
        format!("{dst}: unicast. The client's broadcast flag is {flag}. {rule}")
    }
}

fn q8(m: Option<&DhcpMsg>, id: &str, q: &str, what: &str) -> Answer {
    let Some(m) = m else {
        return missing(id, q, &format!("a DHCP {what} for this exchange"));
    };
    let filter = if what == "Offer" {
        2
    } else {
        m.kind.unwrap_or(5)
    };
    Answer::new(
        id,
        q,
        format!(
            "The {what} (frame {}) goes to {}.\n{WS} `dhcp.option.dhcp == {filter}`; fields \
             ip.dst, eth.dst, dhcp.flags.bc (Bootp flags).",
            m.frame,
            server_dst_text(m, what)
        ),
    )
    .cite(m.file, what, vec![m.frame])
    .value("frame", m.frame)
    .value("dst", m.dst_ip().map(|a| a.to_string()))
    .value("broadcast", m.to_broadcast())
    .value("broadcast_flag", m.broadcast_flag)
    .value("yiaddr", m.yiaddr.to_string())
}

const Q9: &str = "Now inspect the options field in the DHCP Offer message. What are five \
                  pieces of information that the DHCP server is providing to the DHCP client \
                  in the DHCP Offer message?";

fn served_text(m: &DhcpMsg) -> Vec<String> {
    m.options
        .iter()
        .filter(|o| o.code != 53)
        .map(|o| {
            format!(
                "{} {}",
                option_name(o.code),
                crate::text::escape(o.text().as_bytes())
            )
        })
        .collect()
}

fn q9(o: Option<&DhcpMsg>) -> Answer {
    let Some(o) = o else {
        return missing("9", Q9, "a DHCP Offer for this exchange");
    };
    let given = served_text(o);
    Answer::new(
        "9",
        Q9,
        format!(
            "Beyond the address it offers (Your (client) IP address {}), the Offer (frame {}) \
             gives {} option{}: {}. Any five answer the question. These values are the \
             server's configuration: on a real network your network's DHCP server chooses \
             them.\n{WS} `dhcp.option.dhcp == 2`; the Option lines (dhcp.option.type).",
            o.yiaddr,
            o.frame,
            given.len(),
            super::plural(given.len() as u64),
            if given.is_empty() {
                "none".into()
            } else {
                given.join("; ")
            }
        ),
    )
    .cite(o.file, "Offer", vec![o.frame])
    .value("yiaddr", o.yiaddr.to_string())
    .value("options", options_json(o))
    .with_table(options_table(o))
}

const Q10: &str = "What is the UDP source port number in the IP datagram containing the first \
                   DHCP Request message in your trace? What is the UDP destination port \
                   number being used?";

fn q10(r: Option<&DhcpMsg>, first: Option<&DhcpMsg>) -> Answer {
    let Some(r) = r else {
        return missing("10", Q10, "a DHCP Request for this exchange");
    };
    let earlier = match first {
        Some(f) if f.frame < r.frame => format!(
            " (This is the exchange's Request; an earlier one, frame {} ({}), belongs to \
             another exchange and uses the same ports.)",
            f.frame,
            f.request_state()
        ),
        _ => String::new(),
    };
    let port = |s: Option<SocketAddr>| s.map_or("?".into(), |s| s.port().to_string());
    Answer::new(
        "10",
        Q10,
        format!(
            "Source port {}, destination port {} (frame {}).{earlier} 68 is the DHCP (BOOTP) \
             client's well-known port and 67 the server's: both ends use fixed ports, since \
             the client's messages are broadcast and the server's replies may be too.\n{WS} \
             `dhcp.option.dhcp == 3`; fields udp.srcport, udp.dstport.",
            port(r.src),
            port(r.dst),
            r.frame
        ),
    )
    .cite(r.file, "Request", vec![r.frame])
    .value("request_frame", r.frame)
    .value("src_port", r.src.map(|s| s.port()))
    .value("dst_port", r.dst.map(|s| s.port()))
}

const Q11: &str = "What is the source IP address in the IP datagram containing this Request \
                   message? Is there anything special about this address? Explain.";

fn q11(r: Option<&DhcpMsg>) -> Answer {
    let Some(r) = r else {
        return missing("11", Q11, "a DHCP Request for this exchange");
    };
    let still = if r.ciaddr.is_unspecified() {
        " The client still has no address: it has one only once the ACK arrives."
    } else {
        ""
    };
    Answer::new(
        "11",
        Q11,
        format!(
            "The source is {}.{still}\n{WS} `dhcp.option.dhcp == 3`; field ip.src.",
            client_src_text(r)
        ),
    )
    .cite(r.file, "Request", vec![r.frame])
    .value("src", r.src_ip().map(|a| a.to_string()))
}

const Q12: &str = "What is the destination IP address used in the datagram containing this \
                   Request message. Is there anything special about this address? Explain.";

fn q12(r: Option<&DhcpMsg>) -> Answer {
    let Some(r) = r else {
        return missing("12", Q12, "a DHCP Request for this exchange");
    };
    let why = match r.server_id {
        Some(s) if r.to_broadcast() => format!(
            " The Request is broadcast although the client knows the server (Server \
             Identifier {s}, option 54): every server that made an Offer sees which one the \
             client accepted, and the others take their offers back."
        ),
        _ => String::new(),
    };
    Answer::new(
        "12",
        Q12,
        format!(
            "The destination is {}.{why}\n{WS} `dhcp.option.dhcp == 3`; fields ip.dst, \
             dhcp.option.dhcp_server_id.",
            client_dst_text(r)
        ),
    )
    .cite(r.file, "Request", vec![r.frame])
    .value("dst", r.dst_ip().map(|a| a.to_string()))
    .value("server_id", r.server_id.map(|a| a.to_string()))
}

const Q13: &str = "What is the value in the transaction ID field of this DHCP Request message? \
                   Does it match the transaction IDs of the earlier Discover and Offer \
                   messages?";

fn q13(d: Dora<'_>) -> Answer {
    let Some(r) = d.request else {
        return missing("13", Q13, "a DHCP Request for this exchange");
    };
    let earlier: Vec<&DhcpMsg> = [d.discover, d.offer].into_iter().flatten().collect();
    let all = earlier.iter().all(|m| m.xid == r.xid);
    let text = match earlier.len() {
        0 => " The Discover and Offer are not in this capture: nothing to compare with.".into(),
        _ => format!(
            " {}: the {} carr{} 0x{:08x} too. One exchange keeps one transaction ID; a later \
             renewal or release starts a new one.",
            if all { "Yes" } else { "No" },
            earlier
                .iter()
                .map(|m| format!("{} (frame {})", m.kind_name(), m.frame))
                .collect::<Vec<_>>()
                .join(" and "),
            if earlier.len() == 1 { "ies" } else { "y" },
            r.xid
        ),
    };
    let mut a = Answer::new(
        "13",
        Q13,
        format!(
            "0x{:08x} (frame {}).{text}\n{WS} `dhcp.id == 0x{:08x}`.",
            r.xid, r.frame, r.xid
        ),
    )
    .cite(r.file, "Request", vec![r.frame])
    .value("xid", format!("0x{:08x}", r.xid))
    .value("matches", !earlier.is_empty() && all);
    for m in earlier {
        a = a.cite(m.file, &m.kind_name(), vec![m.frame]);
    }
    a
}

const Q14: &str = "Now inspect the options field in the DHCP Request message and take a close \
                   look at the \"Parameter Request List\". The DHCP RFC notes that \"The \
                   client can inform the server which configuration parameters the client is \
                   interested in by including the 'parameter request list' option. The data \
                   portion of this option explicitly lists the options requested by tag \
                   number.\" What differences are there between the entries in the \
                   'parameter request list' option in this Request message and the same list \
                   option in the earlier Discover message?";

fn q14(d: Dora<'_>) -> Answer {
    let (Some(r), Some(x)) = (d.request, d.discover) else {
        return missing(
            "14",
            Q14,
            "the exchange's Discover and Request (both are needed to compare)",
        );
    };
    let added: Vec<u8> = r
        .prl
        .iter()
        .copied()
        .filter(|c| !x.prl.contains(c))
        .collect();
    let removed: Vec<u8> = x
        .prl
        .iter()
        .copied()
        .filter(|c| !r.prl.contains(c))
        .collect();
    let names = |v: &[u8]| {
        v.iter()
            .map(|&c| format!("{} ({c})", option_name(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let diff = if r.prl == x.prl {
        format!(
            "None: both list the same {} item{} in the same order, as RFC 2131 (section \
             3.5) wants: a client that sends a list in its Discover MUST include that list in \
             any later Request.",
            r.prl.len(),
            super::plural(r.prl.len() as u64)
        )
    } else if added.is_empty() && removed.is_empty() {
        "The same items, in a different order.".into()
    } else {
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("the Request adds {}", names(&added)));
        }
        if !removed.is_empty() {
            parts.push(format!("the Request leaves out {}", names(&removed)));
        }
        format!(
            "{}. (RFC 2131, section 3.5, says a client that sends a list in its Discover MUST \
             include that list in any later Request; this client changed it.)",
            parts.join("; ")
        )
    };
    let mut tab = Table::new(&["Discover's list", "Request's list"]);
    for i in 0..x.prl.len().max(r.prl.len()) {
        let cell = |v: &[u8]| {
            v.get(i)
                .map_or(String::new(), |&c| format!("({c}) {}", option_name(c)))
        };
        tab.row(vec![cell(&x.prl), cell(&r.prl)]);
    }
    Answer::new(
        "14",
        Q14,
        format!(
            "Discover (frame {}) and Request (frame {}): {diff}\n{WS} `dhcp.id == 0x{:08x}`; \
             Option: (55) Parameter Request List in each.",
            x.frame, r.frame, r.xid
        ),
    )
    .cite(x.file, "Discover", vec![x.frame])
    .cite(r.file, "Request", vec![r.frame])
    .value("discover_list", &x.prl)
    .value("request_list", &r.prl)
    .value("added", added)
    .value("removed", removed)
    .with_table(tab)
}

const Q15: &str = "What is the source IP address in the IP datagram containing this ACK \
                   message? Is there anything special about this address? Explain.";

fn ack_missing(id: &str, q: &str) -> Answer {
    missing(id, q, "the DHCP ACK that answered the Request")
}

fn q15(a: Option<&DhcpMsg>) -> Answer {
    let Some(a) = a else {
        return ack_missing("15", Q15);
    };
    Answer::new(
        "15",
        Q15,
        format!(
            "The {} (frame {}) comes from {}\n{WS} `dhcp.option.dhcp == {}`; field ip.src.",
            a.kind_name(),
            a.frame,
            server_src_text(a),
            a.kind.unwrap_or(ACK)
        ),
    )
    .cite(a.file, &a.kind_name(), vec![a.frame])
    .value("ack_frame", a.frame)
    .value("type", a.kind_name())
    .value("src", a.src_ip().map(|x| x.to_string()))
}

const Q17: &str = "What is the name of the field in the DHCP ACK message (as indicated in the \
                   Wireshark window) that contains the assigned client IP address?";

fn q17(a: Option<&DhcpMsg>) -> Answer {
    let Some(a) = a else {
        return ack_missing("17", Q17);
    };
    Answer::new(
        "17",
        Q17,
        format!(
            "\"Your (client) IP address\" (BOOTP's yiaddr): {} in the {} (frame {}). The \
             \"Client IP address\" field (ciaddr) is {}: it holds an address the client \
             already has (filled in when renewing), not the one assigned.\n{WS} \
             `dhcp.option.dhcp == {}`; field dhcp.ip.your.",
            a.yiaddr,
            a.kind_name(),
            a.frame,
            a.ciaddr,
            a.kind.unwrap_or(ACK)
        ),
    )
    .cite(a.file, &a.kind_name(), vec![a.frame])
    .value("field", "Your (client) IP address")
    .value("filter_field", "dhcp.ip.your")
    .value("yiaddr", a.yiaddr.to_string())
}

const Q18: &str = "For how long a time (the so-called \"lease time\") has the DHCP server \
                   assigned this IP address to the client?";

fn q18(a: Option<&DhcpMsg>) -> Answer {
    let Some(a) = a else {
        return ack_missing("18", Q18);
    };
    let Some(lease) = a.lease else {
        return Answer::new(
            "18",
            Q18,
            format!(
                "The {} (frame {}) has no IP Address Lease Time option (51).",
                a.kind_name(),
                a.frame
            ),
        )
        .cite(a.file, &a.kind_name(), vec![a.frame]);
    };
    let t = |v: Option<u32>, name: &str, default: &str| match v {
        Some(s) => format!("{name} {}", duration_text(s)),
        None => format!("{name} not given ({default} of the lease by default)"),
    };
    Answer::new(
        "18",
        Q18,
        format!(
            "{} (option 51, IP Address Lease Time, frame {}). The client renews at T1 and \
             rebinds at T2: {}; {}. The lease time is the server's choice: on a real network \
             it depends on your network's DHCP server.\n{WS} `dhcp.option.dhcp == 5`; field \
             dhcp.option.ip_address_lease_time.",
            duration_text(lease),
            a.frame,
            t(a.renewal, "Renewal Time Value (T1, option 58)", "half"),
            t(a.rebinding, "Rebinding Time Value (T2, option 59)", "7/8"),
        ),
    )
    .cite(a.file, &a.kind_name(), vec![a.frame])
    .value("lease_time", lease)
    .value("renewal_time", a.renewal)
    .value("rebinding_time", a.rebinding)
}

const Q19: &str = "What is the IP address (returned by the DHCP server to the DHCP client in \
                   this DHCP ACK message) of the first-hop router on the default path from the \
                   client to the rest of the Internet?";

fn q19(a: Option<&DhcpMsg>) -> Answer {
    let Some(a) = a else {
        return ack_missing("19", Q19);
    };
    let routers: Vec<String> = a.routers.iter().map(|r| r.to_string()).collect();
    let text = match routers.as_slice() {
        [] => format!(
            "The {} (frame {}) has no Router option (3): the server gave no first-hop router.",
            a.kind_name(),
            a.frame
        ),
        [one] => format!(
            "{one}: the Router option (3) of the {} (frame {}). It is the server's setting: \
             on a real network, your network's router (often the home router itself).",
            a.kind_name(),
            a.frame
        ),
        many => format!(
            "{}: the Router option (3) of the {} (frame {}) lists {} routers, in order of \
             preference; the first is the default.",
            many.join(", "),
            a.kind_name(),
            a.frame,
            many.len()
        ),
    };
    Answer::new(
        "19",
        Q19,
        format!("{text}\n{WS} `dhcp.option.dhcp == 5`; field dhcp.option.router."),
    )
    .cite(a.file, &a.kind_name(), vec![a.frame])
    .value("router", routers.first())
    .value("routers", &routers)
}

#[cfg(test)]
mod tests;

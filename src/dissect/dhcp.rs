//! DHCP (BOOTP) and DHCPv6, as Wireshark 4.0's packet-dhcp.c and packet-dhcpv6.c show them.
//!
//! DHCP: the Protocol column is `BOOTP` until an option 53 names the message, then `DHCP`;
//! Info is `DHCP Discover - Transaction ID 0x2e337635` (type padded to 8, id unpadded), or
//! `Boot Request from 02:00:…` / `Boot Reply` without option 53. Options are walked twice,
//! as Wireshark does: a first pass finds the message type for the columns, the second builds
//! the tree; a message cut short gets `[Malformed Packet]` where tshark's exception puts it.
//! DHCPv6 is in [`v6`].

mod names;
pub mod v6;

use std::net::{IpAddr, Ipv4Addr};

use super::{Cx, Dissector, FieldDef, FieldType, FieldVal, Outcome, Transport};
use names::OPTION_NAMES;

macro_rules! fields {
    ($($proto:ident $name:literal: $kind:expr),* $(,)?) => {
        &[$(FieldDef { name: $name, kind: $kind, proto: Dissector::$proto }),*]
    };
}

/// Fields this module sets (DHCP and DHCPv6).
pub const FIELDS: &[FieldDef] = fields![
    Dhcp "dhcp.type": FieldType::Uint(0xff),
    Dhcp "dhcp.hw.type": FieldType::Uint(0xff),
    Dhcp "dhcp.hw.len": FieldType::Uint(0xff),
    Dhcp "dhcp.hops": FieldType::Uint(0xff),
    Dhcp "dhcp.id": FieldType::Uint(0xffff_ffff),
    Dhcp "dhcp.secs": FieldType::Uint(0xffff),
    Dhcp "dhcp.flags": FieldType::Uint(0xffff),
    Dhcp "dhcp.flags.bc": FieldType::Bool,
    Dhcp "dhcp.flags.reserved": FieldType::Uint(0xffff),
    Dhcp "dhcp.ip.client": FieldType::Ipv4,
    Dhcp "dhcp.ip.your": FieldType::Ipv4,
    Dhcp "dhcp.ip.server": FieldType::Ipv4,
    Dhcp "dhcp.ip.relay": FieldType::Ipv4,
    Dhcp "dhcp.hw.mac_addr": FieldType::Mac,
    Dhcp "dhcp.hw.addr": FieldType::Bytes,
    Dhcp "dhcp.hw.addr_padding": FieldType::Bytes,
    Dhcp "dhcp.server": FieldType::Str,
    Dhcp "dhcp.file": FieldType::Str,
    Dhcp "dhcp.cookie": FieldType::Ipv4,
    Dhcp "dhcp.option.type": FieldType::Uint(0xff),
    Dhcp "dhcp.option.length": FieldType::Uint(0xff),
    Dhcp "dhcp.option.value": FieldType::Bytes,
    Dhcp "dhcp.option.padding": FieldType::Bytes,
    Dhcp "dhcp.option.end": FieldType::Uint(0xff),
    Dhcp "dhcp.option.dhcp": FieldType::Uint(0xff),
    Dhcp "dhcp.option.requested_ip_address": FieldType::Ipv4,
    Dhcp "dhcp.option.ip_address_lease_time": FieldType::Uint(0xffff_ffff),
    Dhcp "dhcp.option.renewal_time_value": FieldType::Uint(0xffff_ffff),
    Dhcp "dhcp.option.rebinding_time_value": FieldType::Uint(0xffff_ffff),
    Dhcp "dhcp.option.dhcp_server_id": FieldType::Ipv4,
    Dhcp "dhcp.option.subnet_mask": FieldType::Ipv4,
    Dhcp "dhcp.option.router": FieldType::Ipv4,
    Dhcp "dhcp.option.domain_name_server": FieldType::Ipv4,
    Dhcp "dhcp.option.domain_name": FieldType::Str,
    Dhcp "dhcp.option.hostname": FieldType::Str,
    Dhcp "dhcp.option.broadcast_address": FieldType::Ipv4,
    Dhcp "dhcp.option.request_list_item": FieldType::Uint(0xff),
    Dhcp "dhcp.option.dhcp_max_message_size": FieldType::Uint(0xffff),
    Dhcp "dhcp.option.vendor_class_id": FieldType::Str,
    Dhcp "dhcp.client_id.type": FieldType::Uint(0xff),
    Dhcpv6 "dhcpv6.msgtype": FieldType::Uint(0xff),
    Dhcpv6 "dhcpv6.xid": FieldType::Uint(0xff_ffff),
    Dhcpv6 "dhcpv6.option.type": FieldType::Uint(0xffff),
    Dhcpv6 "dhcpv6.option.length": FieldType::Uint(0xffff),
    Dhcpv6 "dhcpv6.duid.bytes": FieldType::Bytes,
    Dhcpv6 "dhcpv6.iaaddr.ip": FieldType::Ipv6,
];

/// State kept across frames (none: every DHCP message stands alone).
#[derive(Debug, Clone, Default)]
pub struct State {}

impl State {
    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        0
    }
}

/// Dissects a UDP payload as DHCP (`d` = [`Dissector::Dhcp`]) or DHCPv6. Like Wireshark,
/// anything on the ports is taken: a payload too short shows as malformed.
pub fn dissect(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    data: &[u8],
    t: Transport,
) -> Outcome {
    let _ = state;
    if t != Transport::Udp || data.is_empty() {
        return Outcome::Rejected;
    }
    match d {
        Dissector::Dhcpv6 => v6::dissect(cx, data),
        _ => dissect_v4(cx, data),
    }
}

/// Wireshark's DHCP magic cookie, `99.130.83.99`.
const COOKIE: [u8; 4] = [99, 130, 83, 99];
/// Where the vendor area (cookie and options) starts.
const VENDOR_OFFSET: usize = 236;

/// The name of DHCP message type `t` (`opt53_text`).
pub fn message_type_name(t: u8) -> String {
    let s = match t {
        1 => "Discover",
        2 => "Offer",
        3 => "Request",
        4 => "Decline",
        5 => "ACK",
        6 => "NAK",
        7 => "Release",
        8 => "Inform",
        9 => "Force Renew",
        10 => "Lease query",
        11 => "Lease Unassigned",
        12 => "Lease Unknown",
        13 => "Lease Active",
        14 => "Bulk Lease Query",
        15 => "Lease Query Done",
        16 => "Active LeaseQuery",
        17 => "Lease Query Status",
        18 => "TLS",
        _ => return format!("Unknown Message Type (0x{t:02x})"),
    };
    s.to_string()
}

/// The name Wireshark gives DHCP option `code` (`Router`, `Parameter Request List`).
pub fn option_name(code: u8) -> &'static str {
    OPTION_NAMES[usize::from(code)]
}

/// Where the options start: after the cookie, or after BOOTP's 64-byte vendor area.
fn options_start(data: &[u8]) -> usize {
    if data.get(VENDOR_OFFSET..VENDOR_OFFSET + 4) == Some(&COOKIE[..]) {
        VENDOR_OFFSET + 4
    } else {
        VENDOR_OFFSET + 64
    }
}

/// Wireshark's first pass over the options: the message type (last option 53 wins), or
/// `Err` when reading it ran off the end (tshark's exception before the columns are set).
fn first_pass(data: &[u8]) -> Result<Option<u8>, ()> {
    let mut off = options_start(data);
    let mut kind = None;
    while off < data.len() {
        let code = data[off];
        match code {
            0 => off += 1,
            255 => break,
            _ => {
                let len = usize::from(*data.get(off + 1).ok_or(())?);
                if code == 53 {
                    kind = Some(*data.get(off + 2).ok_or(())?);
                }
                off += 2 + len;
            }
        }
    }
    Ok(kind)
}

fn ip4(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

/// Network text as tshark prints it (invalid UTF-8 as U+FFFD), escaped for a terminal.
fn text(b: &[u8]) -> String {
    crate::text::escape(String::from_utf8_lossy(b).as_bytes())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Bytes as Wireshark's tree shows them: hex, cut after 36 bytes with `…`.
fn hex_cut(b: &[u8]) -> String {
    if b.len() > 36 {
        format!("{}…", hex(&b[..36]))
    } else {
        hex(b)
    }
}

fn mac_text(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Wireshark's `unsigned_time_secs_to_str`: `1 hour`, `52 minutes, 30 seconds`.
pub fn time_text(secs: u32) -> String {
    if secs == 0 {
        return "0 seconds".to_string();
    }
    let parts = [
        (secs / 86400, "day"),
        (secs / 3600 % 24, "hour"),
        (secs / 60 % 60, "minute"),
        (secs % 60, "second"),
    ];
    parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n} {u}{}", if *n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(", ")
}

fn hw_type_name(t: u8) -> String {
    match t {
        1 => "Ethernet (0x01)".to_string(),
        6 => "IEEE 802 (0x06)".to_string(),
        _ => format!("Unknown (0x{t:02x})"),
    }
}

/// The chaddr as Wireshark's `tvb_arphrdaddr_to_str`: a MAC for Ethernet-like types of
/// length 6, hex otherwise.
fn hw_addr_text(htype: u8, addr: &[u8]) -> String {
    if matches!(htype, 1 | 6) && addr.len() == 6 {
        mac_text(addr)
    } else {
        hex(addr)
    }
}

/// The Info column of the BOOTP header, or `None` when the hardware address is cut off.
fn bootp_info(data: &[u8]) -> Option<String> {
    let op = data[0];
    let htype = *data.get(1)?;
    let hlen = usize::from(*data.get(2)?);
    Some(match op {
        1 => {
            let addr = data.get(28..28 + hlen)?;
            let text = hw_addr_text(htype, addr);
            if matches!(htype, 1 | 6) && hlen == 6 {
                format!("Boot Request from {text} ({text})")
            } else {
                format!("Boot Request from {text}")
            }
        }
        2 => "Boot Reply".to_string(),
        _ => format!("Unknown BOOTP message type ({op})"),
    })
}

fn dissect_v4(cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    cx.cols.protocol = "BOOTP";
    let mut info = bootp_info(data);
    let mut malformed = info.is_none();
    let mut kind = None;
    if !malformed && data.len() > VENDOR_OFFSET {
        match first_pass(data) {
            Ok(k) => kind = k,
            Err(()) => malformed = true,
        }
    }
    if let Some(k) = kind
        && let Some(id) = data.get(4..8)
    {
        cx.cols.protocol = "DHCP";
        let id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
        info = Some(format!(
            "DHCP {:<8} - Transaction ID 0x{id:x}",
            message_type_name(k)
        ));
    }
    cx.cols.set_info(info.as_deref().unwrap_or(""));
    // tshark names the type in the title when its tree reaches option 53.
    let named = !malformed && data.len() >= VENDOR_OFFSET && tree_reaches_type(data);
    cx.begin(Dissector::Dhcp, 0, || match kind.filter(|_| named) {
        Some(k) => format!(
            "Dynamic Host Configuration Protocol ({})",
            message_type_name(k)
        ),
        None => "Dynamic Host Configuration Protocol".to_string(),
    });
    // Without the hardware address tshark threw before the first tree item.
    if info.is_none() || !header_tree(cx, data) || !malformed && !options_tree(cx, data) {
        malformed = true;
    }
    if malformed {
        cx.cols.push_info("[Malformed Packet]");
        cx.line(0, None, "[Malformed Packet: DHCP/BOOTP]", String::new);
    }
    Outcome::Done
}

/// Does [`options_tree`] show an option 53 before anything malformed stops it?
fn tree_reaches_type(d: &[u8]) -> bool {
    let mut off = options_start(d);
    if off > d.len() {
        return false;
    }
    while off < d.len() {
        match d[off] {
            0 => off += 1,
            255 => return false,
            code => {
                let Some(&len) = d.get(off + 1) else {
                    return false;
                };
                let end = off + 2 + usize::from(len);
                let Some(v) = d.get(off + 2..end) else {
                    return false;
                };
                if code == 53 {
                    return !v.is_empty();
                }
                if code == 119 && !names_fit(v) {
                    return false;
                }
                off = end;
            }
        }
    }
    false
}

/// The fixed BOOTP header; false when it is cut short.
fn header_tree(cx: &mut Cx<'_>, d: &[u8]) -> bool {
    let Some(&op) = d.first() else { return false };
    cx.field("dhcp.type", || FieldVal::Uint(u64::from(op)));
    cx.line(0, Some(0..1), "Message type", || {
        let name = match op {
            1 => "Boot Request",
            2 => "Boot Reply",
            _ => "Unknown",
        };
        format!("{name} ({op})")
    });
    let Some(&htype) = d.get(1) else { return false };
    cx.field("dhcp.hw.type", || FieldVal::Hex(u64::from(htype), 2));
    cx.line(0, Some(1..2), "Hardware type", || hw_type_name(htype));
    let Some(&hlen) = d.get(2) else { return false };
    cx.field("dhcp.hw.len", || FieldVal::Uint(u64::from(hlen)));
    cx.line(0, Some(2..3), "Hardware address length", || {
        hlen.to_string()
    });
    let Some(&hops) = d.get(3) else { return false };
    cx.field("dhcp.hops", || FieldVal::Uint(u64::from(hops)));
    cx.line(0, Some(3..4), "Hops", || hops.to_string());
    let Some(id) = d.get(4..8) else { return false };
    let id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
    cx.field("dhcp.id", || FieldVal::Hex(u64::from(id), 8));
    cx.line(0, Some(4..8), "Transaction ID", || format!("0x{id:08x}"));
    let Some(s) = d.get(8..10) else { return false };
    let secs = u16::from_be_bytes([s[0], s[1]]);
    cx.field("dhcp.secs", || FieldVal::Uint(u64::from(secs)));
    cx.line(0, Some(8..10), "Seconds elapsed", || secs.to_string());
    let Some(f) = d.get(10..12) else { return false };
    let flags = u16::from_be_bytes([f[0], f[1]]);
    let bc = flags & 0x8000 != 0;
    cx.field("dhcp.flags", || FieldVal::Hex(u64::from(flags), 4));
    cx.field("dhcp.flags.bc", || FieldVal::Bool(bc));
    cx.field("dhcp.flags.reserved", || {
        FieldVal::Hex(u64::from(flags & 0x7fff), 4)
    });
    cx.line(0, Some(10..12), "Bootp flags", || {
        if bc {
            format!("0x{flags:04x}, Broadcast flag (Broadcast)")
        } else {
            format!("0x{flags:04x} (Unicast)")
        }
    });
    cx.line(1, Some(10..12), &bits16(flags, 0x8000), || {
        if bc { "Broadcast" } else { "Unicast" }.to_string()
    });
    cx.line(1, Some(10..12), &reserved_label(flags), || {
        format!("0x{:04x}", flags & 0x7fff)
    });
    let addrs = [
        (12, "dhcp.ip.client", "Client IP address"),
        (16, "dhcp.ip.your", "Your (client) IP address"),
        (20, "dhcp.ip.server", "Next server IP address"),
        (24, "dhcp.ip.relay", "Relay agent IP address"),
    ];
    for (at, name, label) in addrs {
        let Some(b) = d.get(at..at + 4) else {
            return false;
        };
        let a = ip4(b);
        cx.field(name, || FieldVal::Ip(IpAddr::V4(a)));
        cx.line(0, Some(at..at + 4), label, || a.to_string());
    }
    let Some(chaddr) = d.get(28..44) else {
        return false;
    };
    let n = usize::from(hlen).min(16);
    if matches!(htype, 1 | 6) && hlen == 6 {
        let mut m = [0u8; 6];
        m.copy_from_slice(&chaddr[..6]);
        cx.field("dhcp.hw.mac_addr", || FieldVal::Mac(m));
        cx.line(0, Some(28..34), "Client MAC address", || mac_text(&m));
    } else {
        cx.field("dhcp.hw.addr", || FieldVal::Bytes(chaddr.to_vec()));
        cx.line(0, Some(28..28 + n), "Client hardware address", || {
            hex(&chaddr[..n])
        });
    }
    if n < 16 {
        cx.field("dhcp.hw.addr_padding", || {
            FieldVal::Bytes(chaddr[n..].to_vec())
        });
        cx.line(
            0,
            Some(28 + n..44),
            "Client hardware address padding",
            || hex(&chaddr[n..]),
        );
    }
    for (at, size, name, label) in [
        (44, 64, "dhcp.server", "Server host name"),
        (108, 128, "dhcp.file", "Boot file name"),
    ] {
        let Some(b) = d.get(at..at + size) else {
            return false;
        };
        if b[0] == 0 {
            cx.line(
                0,
                Some(at..at + size),
                &format!("{label} not given"),
                String::new,
            );
        } else {
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            let text = text(&b[..end]);
            cx.field(name, || FieldVal::Str(text.clone()));
            cx.line(0, Some(at..at + size), label, || text);
        }
    }
    if d.get(VENDOR_OFFSET..VENDOR_OFFSET + 4) == Some(&COOKIE[..]) {
        cx.field("dhcp.cookie", || FieldVal::Ip(IpAddr::V4(ip4(&COOKIE))));
        cx.line(0, Some(236..240), "Magic cookie", || "DHCP".to_string());
        true
    } else {
        match d.get(236..300) {
            Some(v) => {
                cx.line(0, Some(236..300), "Bootp vendor specific options", || {
                    hex(v)
                });
                true
            }
            None => false,
        }
    }
}

/// `1... .... .... .... = Broadcast flag` as Wireshark draws a one-bit flag of a u16.
fn bits16(value: u16, mask: u16) -> String {
    let mut s = String::new();
    for i in (0..16).rev() {
        let bit = 1u16 << i;
        s.push(if mask & bit == 0 {
            '.'
        } else if value & bit != 0 {
            '1'
        } else {
            '0'
        });
        if i % 4 == 0 && i != 0 {
            s.push(' ');
        }
    }
    format!("{s} = Broadcast flag")
}

fn reserved_label(flags: u16) -> String {
    let mut s = String::from(".");
    for i in (0..15).rev() {
        s.push(if flags & (1 << i) != 0 { '1' } else { '0' });
        if i % 4 == 0 && i != 0 {
            s.push(' ');
        }
    }
    format!("{s} = Reserved flags")
}

/// The options; false when one runs past the end.
fn options_tree(cx: &mut Cx<'_>, d: &[u8]) -> bool {
    let mut off = options_start(d);
    while off < d.len() {
        let code = d[off];
        match code {
            0 => {
                let run = d[off..].iter().take_while(|&&b| b == 0).count();
                let pad = &d[off..off + run];
                cx.field("dhcp.option.type", || FieldVal::Uint(0));
                cx.field("dhcp.option.padding", || FieldVal::Bytes(pad.to_vec()));
                cx.line(0, Some(off..off + run), "Option", || {
                    "(0) Padding".to_string()
                });
                cx.line(1, Some(off..off + run), "Padding", || hex_cut(pad));
                off += run;
            }
            255 => {
                cx.field("dhcp.option.type", || FieldVal::Uint(0));
                cx.field("dhcp.option.end", || FieldVal::Uint(255));
                cx.line(0, Some(off..off + 1), "Option", || "(255) End".to_string());
                cx.line(1, Some(off..off + 1), "Option End", || "255".to_string());
                let rest = &d[off + 1..];
                if !rest.is_empty() {
                    cx.field("dhcp.option.padding", || FieldVal::Bytes(rest.to_vec()));
                    cx.line(0, Some(off + 1..d.len()), "Padding", || hex_cut(rest));
                }
                return true;
            }
            _ => {
                cx.field("dhcp.option.type", || FieldVal::Uint(u64::from(code)));
                let Some(&len) = d.get(off + 1) else {
                    cx.line(0, Some(off..off + 1), "Option", || {
                        format!("({code}) {}", option_name(code))
                    });
                    return false;
                };
                let end = off + 2 + usize::from(len);
                let Some(v) = d.get(off + 2..end) else {
                    cx.field("dhcp.option.length", || FieldVal::Uint(u64::from(len)));
                    cx.line(0, Some(off..d.len()), "Option", || {
                        format!("({code}) {}", option_name(code))
                    });
                    cx.line(1, Some(off + 1..off + 2), "Length", || len.to_string());
                    return false;
                };
                if !one_option(cx, code, v, off) {
                    return false;
                }
                off = end;
            }
        }
    }
    true
}

/// One option `code` with value `v` (at `off` in the message); false when malformed.
fn one_option(cx: &mut Cx<'_>, code: u8, v: &[u8], off: usize) -> bool {
    let len = v.len();
    let whole = off..off + 2 + len;
    let vr = off + 2..off + 2 + len;
    cx.field("dhcp.option.length", || FieldVal::Uint(len as u64));
    cx.field("dhcp.option.value", || {
        if v.is_empty() {
            FieldVal::Str("<MISSING>".to_string())
        } else {
            FieldVal::Bytes(v.to_vec())
        }
    });
    let name = option_name(code);
    let single_ip = |c: u8| match c {
        1 => Some("dhcp.option.subnet_mask"),
        28 => Some("dhcp.option.broadcast_address"),
        50 => Some("dhcp.option.requested_ip_address"),
        54 => Some("dhcp.option.dhcp_server_id"),
        16 | 32 | 118 => Some(""),
        _ => None,
    };
    let title_suffix = match code {
        53 if len >= 1 => format!(" ({})", message_type_name(v[0])),
        c if len == 4 && single_ip(c).is_some_and(|s| !s.is_empty() || c != 118) => {
            format!(" ({})", ip4(v))
        }
        _ => String::new(),
    };
    cx.line(0, Some(whole), "Option", || {
        format!("({code}) {name}{title_suffix}")
    });
    cx.line(1, Some(off + 1..off + 2), "Length", || len.to_string());
    let value_line = |cx: &mut Cx<'_>| {
        cx.line(1, Some(vr.clone()), "Value", || {
            if v.is_empty() {
                "<MISSING>".to_string()
            } else {
                hex_cut(v)
            }
        });
    };
    match code {
        53 => {
            let Some(&t) = v.first() else { return false };
            cx.field("dhcp.option.dhcp", || FieldVal::Uint(u64::from(t)));
            cx.line(1, Some(vr.clone()), "DHCP", || {
                let name = message_type_name(t);
                if name.starts_with("Unknown") {
                    format!("Unknown ({t})")
                } else {
                    format!("{name} ({t})")
                }
            });
        }
        c if single_ip(c).is_some() && len == 4 => {
            let a = ip4(v);
            if let Some(f) = single_ip(c).filter(|f| !f.is_empty()) {
                cx.field(f, || FieldVal::Ip(IpAddr::V4(a)));
            }
            cx.line(1, Some(vr.clone()), name, || a.to_string());
        }
        3 | 6 | 42 | 44 if len.is_multiple_of(4) && len > 0 => {
            let (field, label) = match code {
                3 => (Some("dhcp.option.router"), "Router"),
                6 => (Some("dhcp.option.domain_name_server"), "Domain Name Server"),
                42 => (None, "Network Time Protocol Server"),
                _ => (None, "NetBIOS over TCP/IP Name Server"),
            };
            for (i, b) in v.chunks_exact(4).enumerate() {
                let a = ip4(b);
                if let Some(f) = field {
                    cx.field(f, || FieldVal::Ip(IpAddr::V4(a)));
                }
                let at = off + 2 + 4 * i;
                cx.line(1, Some(at..at + 4), label, || a.to_string());
            }
        }
        2 | 51 | 58 | 59 if len == 4 => {
            let s = u32::from_be_bytes([v[0], v[1], v[2], v[3]]);
            let field = match code {
                51 => Some("dhcp.option.ip_address_lease_time"),
                58 => Some("dhcp.option.renewal_time_value"),
                59 => Some("dhcp.option.rebinding_time_value"),
                _ => None,
            };
            if let Some(f) = field {
                cx.field(f, || FieldVal::Uint(u64::from(s)));
            }
            cx.line(1, Some(vr.clone()), name, || {
                if s == u32::MAX && code != 2 {
                    format!("({s}s) infinity")
                } else {
                    format!("({s}s) {}", time_text(s))
                }
            });
        }
        57 if len == 2 => {
            let n = u16::from_be_bytes([v[0], v[1]]);
            cx.field("dhcp.option.dhcp_max_message_size", || {
                FieldVal::Uint(u64::from(n))
            });
            cx.line(1, Some(vr.clone()), name, || n.to_string());
        }
        55 => {
            for (i, &item) in v.iter().enumerate() {
                cx.field("dhcp.option.request_list_item", || {
                    FieldVal::Uint(u64::from(item))
                });
                let at = off + 2 + i;
                cx.line(1, Some(at..at + 1), "Parameter Request List Item", || {
                    format!("({item}) {}", option_name(item))
                });
            }
        }
        12 | 14 | 15 | 17 | 18 | 40 | 47 | 56 | 60 | 62 | 64 | 66 | 67 | 86 | 87 | 252 => {
            if v.is_empty() {
                value_line(cx);
            }
            let end = v.iter().position(|&c| c == 0).unwrap_or(len);
            let text = text(&v[..end]);
            let field = match code {
                12 => Some("dhcp.option.hostname"),
                15 => Some("dhcp.option.domain_name"),
                60 => Some("dhcp.option.vendor_class_id"),
                _ => None,
            };
            if let Some(f) = field {
                cx.field(f, || FieldVal::Str(text.clone()));
            }
            cx.line(1, Some(vr.clone()), name, || text);
        }
        61 if len == 7 && v[0] == 1 => {
            let mut m = [0u8; 6];
            m.copy_from_slice(&v[1..7]);
            cx.field("dhcp.hw.type", || FieldVal::Hex(1, 2));
            cx.line(1, Some(off + 2..off + 3), "Hardware type", || {
                hw_type_name(1)
            });
            cx.field("dhcp.hw.mac_addr", || FieldVal::Mac(m));
            cx.line(1, Some(off + 3..off + 9), "Client MAC address", || {
                mac_text(&m)
            });
        }
        61 if len >= 1 => {
            let t = v[0];
            cx.field("dhcp.client_id.type", || FieldVal::Uint(u64::from(t)));
            cx.line(1, Some(off + 2..off + 3), "Type", || t.to_string());
            cx.line(1, Some(off + 3..off + 2 + len), "Client Identifier", || {
                text(&v[1..])
            });
        }
        119 => {
            // tshark stops inside a name that runs past the option, before any value line.
            if !names_fit(v) {
                return false;
            }
            value_line(cx);
        }
        _ => value_line(cx),
    }
    true
}

/// Do the DNS names of a Domain Search option (119) stay inside it? (tshark throws when a
/// label runs past the option.)
fn names_fit(v: &[u8]) -> bool {
    let mut at = 0;
    while at < v.len() {
        let n = usize::from(v[at]);
        if n & 0xc0 == 0xc0 {
            at += 2;
        } else {
            at += 1 + n;
        }
    }
    at == v.len()
}

#[cfg(test)]
mod tests;

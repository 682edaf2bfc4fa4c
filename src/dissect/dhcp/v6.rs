//! DHCPv6 (UDP 546/547), as Wireshark 4.0's packet-dhcpv6.c shows it.
//!
//! Info is the message name and `XID: 0x03201e `, then what some options add: `CID: <DUID hex> `
//! for the client identifier, `IAA: <address> ` for each IA address. A relay message shows
//! `Relay-forw L: <link address> ` followed by the relayed message's own words. Options whose
//! length runs past the message end the walk quietly, as tshark does.

use std::net::{IpAddr, Ipv6Addr};

use super::super::{Cx, Dissector, FieldVal, Outcome};
use super::hex;

/// How deep relayed messages are followed.
const MAX_RELAY_DEPTH: usize = 8;

/// The name of DHCPv6 message type `t` (`msgtype_vals`).
pub fn message_type_name(t: u8) -> String {
    let s = match t {
        1 => "Solicit",
        2 => "Advertise",
        3 => "Request",
        4 => "Confirm",
        5 => "Renew",
        6 => "Rebind",
        7 => "Reply",
        8 => "Release",
        9 => "Decline",
        10 => "Reconfigure",
        11 => "Information-request",
        12 => "Relay-forw",
        13 => "Relay-reply",
        14 => "Leasequery",
        15 => "Leasequery-reply",
        16 => "Leasequery-done",
        17 => "Leasequery-data",
        18 => "Reconfigure-request",
        19 => "Reconfigure-reply",
        _ => return format!("Message Type {t}"),
    };
    s.to_string()
}

/// The name of DHCPv6 option `code` (`opttype_vals`).
pub fn option_name(code: u16) -> &'static str {
    match code {
        1 => "Client Identifier",
        2 => "Server Identifier",
        3 => "Identity Association for Non-temporary Address",
        4 => "Identity Association for Temporary Address",
        5 => "IA Address",
        6 => "Option Request",
        7 => "Preference",
        8 => "Elapsed time",
        9 => "Relay Message",
        11 => "Authentication",
        12 => "Server unicast",
        13 => "Status code",
        14 => "Rapid Commit",
        15 => "User Class",
        16 => "Vendor Class",
        17 => "Vendor-specific Information",
        18 => "Interface-Id",
        19 => "Reconfigure Message",
        20 => "Reconfigure Accept",
        21 => "SIP Server Domain Name List",
        22 => "SIP Servers IPv6 Address List",
        23 => "DNS recursive name server",
        24 => "Domain Search List",
        25 => "Identity Association for Prefix Delegation",
        26 => "IA Prefix",
        27 => "Network Information Server",
        28 => "Network Information Server V2",
        29 => "Network Information Server Domain Name",
        30 => "Network Information Server V2 Domain Name",
        31 => "Simple Network Time Protocol Server",
        32 => "Lifetime",
        33 => "BCMCS Server Domain",
        34 => "BCMCS Servers IPv6 Address List",
        36 => "Geoconf Civic Address",
        37 => "Remote Identifier",
        38 => "Subscriber Identifier",
        39 => "Client Fully Qualified Domain Name",
        40 => "PANA Agents IPv6 Address List",
        41 => "Time Zone",
        42 => "Time Zone Database",
        43 => "Echo Request Option",
        44 => "Leasequery Query",
        45 => "Leasequery Client Data",
        46 => "Client Last Transaction Time",
        47 => "Leasequery Relay Data",
        48 => "Leasequery Client Link Address List",
        49 => "Home Network Identifier FQDN",
        50 => "Visited Home Network Information",
        51 => "LoST Server",
        52 => "CAPWAP Access Controllers",
        53 => "Relay-ID",
        54 => "MoS IPv6 Address",
        55 => "MoS Domain Name List",
        56 => "NTP Server",
        57 => "Access Network Domain Name",
        58 => "SIP User Agent Configuration Service Domains",
        59 => "Boot File URL",
        60 => "Boot File Parameters",
        61 => "Client System Architecture Type",
        62 => "Client Network Interface Identifier",
        63 => "Geolocation",
        64 => "Dual-Stack Lite AFTR Name",
        65 => "ERP Local Domain Name",
        66 => "Relay-Supplied Options",
        67 => "Prefix Exclude",
        68 => "Virtual Subnet Selection",
        69 => "Identified Home Network Information",
        70 => "Unrestricted Home Network Information",
        71 => "Home Network Prefix",
        72 => "Home Agent Address",
        73 => "Home Agent FQDN",
        74 => "RDNSS Selection",
        75 => "Kerberos Principal Name",
        76 => "Kerberos Realm Name",
        77 => "Kerberos Default Realm Name",
        78 => "Kerberos KDC",
        79 => "Client Link-Layer Address",
        80 => "Link Address",
        81 => "RADIUS",
        82 => "SOL_MAX_RT",
        83 => "INF_MAX_RT",
        84 => "Address Selection",
        85 => "Address Selection table",
        86 => "PCP Server",
        87 => "DHCPv4 Message",
        88 => "DHCP 4o6 Servers Address",
        89 => "S46 Rule",
        90 => "S46 BR",
        91 => "S46 DMR",
        92 => "S46 IPv4/IPv6 Address Binding",
        93 => "S46 Port Parameters",
        94 => "S46 MAP-E Container",
        95 => "S46 MAP-T Container",
        96 => "S46 Lightweight 4over6 Container",
        97 => "4rd Options",
        98 => "4rd Mapping Rule",
        99 => "4rd Non-Mapping Rule",
        100 => "LQ Server Base Time",
        101 => "LQ Server Query Start Time",
        102 => "LQ Server Query End Time",
        103 => "Captive Portal",
        104 => "MPL Parameter Configuration",
        105 => "Access Technology Type",
        106 => "Access Network Name",
        107 => "Access Point Name",
        108 => "Access Point BSSID",
        109 => "Access Network Operator ID",
        110 => "Access Network Operator Realm",
        111 => "S46 Priority",
        112 => "Manufacturer Usage Description",
        113 => "IPv4/IPv6 Multicast Prefixes",
        114 => "Failover Binding Status",
        115 => "Failover Connect Flags",
        116 => "Failover DNS Removal Info",
        117 => "Failover DNS Hostname",
        118 => "Failover DNS Zone Name",
        119 => "Failover DNS Flags",
        120 => "Failover Expiration Time",
        121 => "Failover Maximum Number Unacked BNDUPD Messages",
        122 => "Failover Maximum Client Lead Time (MCLT)",
        123 => "Failover Partner Lifetime",
        124 => "Failover Partner Lifetime Sent",
        125 => "Failover Partner Down Time",
        126 => "Failover Partner Raw Client Time",
        127 => "Failover Protocol Version",
        128 => "Failover Keepalive Time",
        129 => "Failover Reconfigure Data",
        130 => "Failover Relationship Name",
        131 => "Failover Server Flags",
        132 => "Failover Server State",
        133 => "Failover Start Time of State",
        134 => "Failover State Expiration Time",
        135 => "Relay Source Port",
        136 => "SZTP Redirect",
        137 => "Softwire Source Binding Prefix Hint",
        143 => "ANDSF IPv6 Address",
        _ => "Unknown",
    }
}

/// Dissects a DHCPv6 message.
pub(super) fn dissect(cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    cx.cols.protocol = "DHCPv6";
    cx.cols.clear_info();
    cx.begin(Dissector::Dhcpv6, 0, || "DHCPv6".to_string());
    if !message(cx, data, 0, 0) {
        cx.cols.push_info("[Malformed Packet]");
        cx.line(0, None, "[Malformed Packet: DHCPv6]", String::new);
    }
    Outcome::Done
}

fn ip6(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    Ipv6Addr::from(a)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// One message at `base` of the payload (relayed ones are nested), its tree at `depth`;
/// false when its header is cut short.
fn message(cx: &mut Cx<'_>, m: &[u8], base: usize, depth: u8) -> bool {
    let Some(&t) = m.first() else { return false };
    let name = message_type_name(t);
    cx.field("dhcpv6.msgtype", || FieldVal::Uint(u64::from(t)));
    cx.line(depth, Some(base..base + 1), "Message type", || {
        format!("{name} ({t})")
    });
    cx.cols.push_info(&name);
    cx.cols.info_tail().push(' ');
    let opts = if matches!(t, 12 | 13) {
        let Some(&hops) = m.get(1) else { return false };
        cx.line(depth, Some(base + 1..base + 2), "Hopcount", || {
            hops.to_string()
        });
        let Some(link) = m.get(2..18).map(ip6) else {
            return false;
        };
        cx.cols.push_info(&format!("L: {link} "));
        cx.line(depth, Some(base + 2..base + 18), "Link address", || {
            link.to_string()
        });
        let Some(peer) = m.get(18..34).map(ip6) else {
            return false;
        };
        cx.line(depth, Some(base + 18..base + 34), "Peer address", || {
            peer.to_string()
        });
        34
    } else {
        let Some(x) = m.get(1..4) else { return false };
        let xid = u32::from_be_bytes([0, x[0], x[1], x[2]]);
        cx.cols.push_info(&format!("XID: 0x{xid:06x} "));
        cx.field("dhcpv6.xid", || FieldVal::Hex(u64::from(xid), 6));
        cx.line(depth, Some(base + 1..base + 4), "Transaction ID", || {
            format!("0x{xid:06x}")
        });
        4
    };
    options(cx, m, opts, m.len(), base, depth);
    true
}

/// The options in `m[from..to]` (`m` starts at `base` of the payload), their tree at `depth`.
fn options(cx: &mut Cx<'_>, m: &[u8], from: usize, to: usize, base: usize, depth: u8) {
    let mut off = from;
    while off + 4 <= to {
        let code = u16::from_be_bytes([m[off], m[off + 1]]);
        let len = usize::from(u16::from_be_bytes([m[off + 2], m[off + 3]]));
        let end = off + 4 + len;
        if end > to {
            return;
        }
        let v = &m[off + 4..end];
        let at = |r: std::ops::Range<usize>| base + r.start..base + r.end;
        cx.field("dhcpv6.option.type", || FieldVal::Uint(u64::from(code)));
        cx.field("dhcpv6.option.length", || FieldVal::Uint(len as u64));
        let name = option_name(code);
        cx.line(depth, Some(at(off..end)), name, String::new);
        let d = depth + 1;
        cx.line(d, Some(at(off..off + 2)), "Option", || {
            format!("{name} ({code})")
        });
        cx.line(d, Some(at(off + 2..off + 4)), "Length", || len.to_string());
        let vr = off + 4..end;
        match code {
            1 | 2 => {
                cx.field("dhcpv6.duid.bytes", || FieldVal::Bytes(v.to_vec()));
                cx.line(d, Some(at(vr)), "DUID", || hex(v));
                if code == 1 && !v.is_empty() {
                    cx.cols.push_info(&format!("CID: {} ", hex(v)));
                }
            }
            3 | 4 | 25 => {
                let fixed = if code == 4 { 4 } else { 12 };
                if len >= fixed {
                    cx.line(d, Some(at(off + 4..off + 8)), "IAID", || hex(&v[..4]));
                    if fixed == 12 {
                        cx.line(d, Some(at(off + 8..off + 12)), "T1", || {
                            u32_at(v, 4).to_string()
                        });
                        cx.line(d, Some(at(off + 12..off + 16)), "T2", || {
                            u32_at(v, 8).to_string()
                        });
                    }
                    options(cx, m, off + 4 + fixed, end, base, d);
                }
            }
            5 if len >= 24 => {
                let a = ip6(v);
                cx.field("dhcpv6.iaaddr.ip", || FieldVal::Ip(IpAddr::V6(a)));
                cx.cols.push_info(&format!("IAA: {a} "));
                cx.line(d, Some(at(off + 4..off + 20)), "IPv6 address", || {
                    a.to_string()
                });
                cx.line(
                    d,
                    Some(at(off + 20..off + 24)),
                    "Preferred lifetime",
                    || lifetime(u32_at(v, 16)),
                );
                cx.line(d, Some(at(off + 24..off + 28)), "Valid lifetime", || {
                    lifetime(u32_at(v, 20))
                });
                options(cx, m, off + 28, end, base, d);
            }
            6 => {
                for (i, c) in v.chunks_exact(2).enumerate() {
                    let c = u16::from_be_bytes([c[0], c[1]]);
                    let r = off + 4 + 2 * i;
                    cx.line(d, Some(at(r..r + 2)), "Requested Option code", || {
                        format!("{} ({c})", option_name(c))
                    });
                }
            }
            8 if len == 2 => {
                let t = u32::from(u16::from_be_bytes([v[0], v[1]]));
                cx.line(d, Some(at(vr)), "Elapsed time", || format!("{}ms", t * 10));
            }
            9 if usize::from(depth) < 2 * MAX_RELAY_DEPTH => {
                cx.line(d, Some(at(vr)), "DHCPv6", String::new);
                if !message(cx, v, base + off + 4, d + 1) {
                    return;
                }
            }
            _ => {
                if !v.is_empty() {
                    cx.line(d, Some(at(vr)), "Value", || hex(v));
                }
            }
        }
        off = end;
    }
}

fn lifetime(s: u32) -> String {
    if s == u32::MAX {
        "infinity".to_string()
    } else {
        s.to_string()
    }
}

//! Names of protocol numbers and flags, worded as Wireshark words them.

use super::tcp_flags;

/// Names of IP protocol numbers as Wireshark prints them in fragment Info.
pub fn ip_proto_name(p: u8) -> &'static str {
    match p {
        0 => "IPv6 Hop-by-Hop Option",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        43 => "IPv6 Routing",
        44 => "IPv6 Fragment",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        59 => "IPv6 No Next Header",
        60 => "IPv6 Destination Option",
        89 => "OSPF IGP",
        103 => "PIM",
        112 => "VRRP",
        132 => "SCTP",
        _ => "Unknown",
    }
}

/// The TCP flag names in bit order, as `[SYN, ACK]` shows them.
pub fn tcp_flag_names(flags: u16, out: &mut String) {
    const NAMES: [(u16, &str); 9] = [
        (tcp_flags::FIN, "FIN"),
        (tcp_flags::SYN, "SYN"),
        (tcp_flags::RST, "RST"),
        (tcp_flags::PSH, "PSH"),
        (tcp_flags::ACK, "ACK"),
        (tcp_flags::URG, "URG"),
        (tcp_flags::ECE, "ECE"),
        (tcp_flags::CWR, "CWR"),
        (tcp_flags::AE, "AE"),
    ];
    let start = out.len();
    for (bit, name) in NAMES {
        if flags & bit != 0 {
            if out.len() > start {
                out.push_str(", ");
            }
            out.push_str(name);
        }
    }
    if flags & tcp_flags::RESERVED != 0 {
        if out.len() > start {
            out.push_str(", ");
        }
        out.push_str("Reserved");
    }
    if out.len() == start {
        out.push_str("<None>");
    }
}

/// Ethertype with its name, e.g. "IPv4 (0x0800)".
pub fn ethertype_name(t: u16) -> String {
    let name = match t {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x86dd => "IPv6",
        0x8100 => "802.1Q Virtual LAN",
        0x88a8 => "802.1ad",
        0x88cc => "LLDP",
        0x8035 => "RARP",
        0x9000 => "Loopback",
        _ => "Unknown",
    };
    format!("{name} (0x{t:04x})")
}

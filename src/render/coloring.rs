//! Wireshark's default colouring rules for the packet list (its `colorfilters` file),
//! evaluated on an analysed [`Packet`].
//!
//! The rules are tried in Wireshark's order and the first that matches colours the row;
//! [`ColoringRule::name`] is the rule's name as `tshark --color -T fields -e
//! frame.coloring_rule.name` prints it, which is how the tests check this module. Rules on
//! protocols wirelab does not dissect (HSRP, STP, OSPF messages, SCTP, DCERPC, systemd
//! journal) are left out; SMB and HTTP are recognised by their well-known ports only
//! (`nbss`/`smb` on TCP 139/445, `nbns`/`netbios` on UDP 137/138, HTTP on TCP 80), and the
//! checksum rule never fires because tshark does not verify checksums by default either.

use super::style::Color;
use crate::analyse::tcp::AnalysisFlags;
use crate::analyse::{Packet, Protocol};
use crate::decode::{LinkRepr, NetRepr, TransportRepr, tcp_flags};

/// An RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// One of Wireshark's default colouring rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColoringRule {
    /// `tcp.analysis.flags && !tcp.analysis.window_update && !tcp.analysis.keep_alive &&
    /// !tcp.analysis.keep_alive_ack`.
    BadTcp,
    /// `icmp.type in { 3..5, 11 } || icmpv6.type in { 1..4 }`.
    IcmpErrors,
    /// `arp`.
    Arp,
    /// `icmp || icmpv6`.
    Icmp,
    /// `tcp.flags.reset eq 1`.
    TcpRst,
    /// A TTL below 5 (unicast), or not 1 for link-local multicast.
    TtlLow,
    /// `smb || nbss || nbns || netbios` (by port).
    Smb,
    /// `http || tcp.port == 80 || http2` (by port).
    Http,
    /// `hsrp || eigrp || ospf || bgp || cdp || vrrp || carp || gvrp || igmp || ismp`
    /// (EIGRP, OSPF, VRRP/CARP, IGMP by IP protocol; BGP by TCP port 179).
    Routing,
    /// `tcp.flags & 0x02 || tcp.flags.fin == 1`.
    TcpSynFin,
    /// `tcp`.
    Tcp,
    /// `udp`.
    Udp,
    /// `eth[0] & 1`.
    Broadcast,
}

impl ColoringRule {
    /// The rule's name in Wireshark.
    pub fn name(self) -> &'static str {
        match self {
            ColoringRule::BadTcp => "Bad TCP",
            ColoringRule::IcmpErrors => "ICMP errors",
            ColoringRule::Arp => "ARP",
            ColoringRule::Icmp => "ICMP",
            ColoringRule::TcpRst => "TCP RST",
            ColoringRule::TtlLow => "TTL low or unexpected",
            ColoringRule::Smb => "SMB",
            ColoringRule::Http => "HTTP",
            ColoringRule::Routing => "Routing",
            ColoringRule::TcpSynFin => "TCP SYN/FIN",
            ColoringRule::Tcp => "TCP",
            ColoringRule::Udp => "UDP",
            ColoringRule::Broadcast => "Broadcast",
        }
    }

    /// Background and foreground, as in Wireshark's `colorfilters`.
    pub fn colors(self) -> (Rgb, Rgb) {
        const DARK: Rgb = Rgb(0x12, 0x27, 0x2e);
        match self {
            ColoringRule::BadTcp => (DARK, Rgb(0xf7, 0x87, 0x87)),
            ColoringRule::IcmpErrors => (DARK, Rgb(0xb7, 0xf7, 0x74)),
            ColoringRule::Arp => (Rgb(0xfa, 0xf0, 0xd7), DARK),
            ColoringRule::Icmp => (Rgb(0xfc, 0xe0, 0xff), DARK),
            ColoringRule::TcpRst => (Rgb(0xa4, 0x00, 0x00), Rgb(0xff, 0xfc, 0x9c)),
            ColoringRule::TtlLow => (Rgb(0xa4, 0x00, 0x00), Rgb(0xec, 0xf0, 0xeb)),
            ColoringRule::Smb => (Rgb(0xfe, 0xff, 0xd0), DARK),
            ColoringRule::Http => (Rgb(0xe4, 0xff, 0xc7), DARK),
            ColoringRule::Routing => (Rgb(0xff, 0xf3, 0xd6), DARK),
            ColoringRule::TcpSynFin => (Rgb(0xa0, 0xa0, 0xa0), DARK),
            ColoringRule::Tcp => (Rgb(0xe7, 0xe6, 0xff), DARK),
            ColoringRule::Udp => (Rgb(0xda, 0xee, 0xff), DARK),
            ColoringRule::Broadcast => (Rgb(0xff, 0xff, 0xff), Rgb(0xba, 0xbd, 0xb6)),
        }
    }

    /// A plain terminal colour close to the rule's look, for terminals without 24-bit
    /// colour (the foreground on the default background).
    pub fn basic(self) -> Option<Color> {
        match self {
            ColoringRule::BadTcp | ColoringRule::TcpRst | ColoringRule::TtlLow => Some(Color::Red),
            ColoringRule::IcmpErrors | ColoringRule::Icmp => Some(Color::Blue),
            ColoringRule::Arp => Some(Color::Magenta),
            ColoringRule::TcpSynFin => Some(Color::Cyan),
            ColoringRule::Udp => Some(Color::Green),
            ColoringRule::Smb | ColoringRule::Http | ColoringRule::Routing => Some(Color::Yellow),
            ColoringRule::Broadcast => Some(Color::Grey),
            ColoringRule::Tcp => None,
        }
    }
}

/// IP protocol numbers of the routing protocols in the "Routing" rule.
const IGMP: u8 = 2;
const EIGRP: u8 = 88;
const OSPF: u8 = 89;
const PIM: u8 = 103;
const VRRP_CARP: u8 = 112;

/// The first of Wireshark's default rules that matches `p`, if any.
pub fn coloring_rule(p: &Packet) -> Option<ColoringRule> {
    let d = &p.decoded;
    let tcp = p.tcp_repr();
    if let Some(a) = &p.tcp {
        let benign = AnalysisFlags::WINDOW_UPDATE
            | AnalysisFlags::KEEP_ALIVE
            | AnalysisFlags::KEEP_ALIVE_ACK;
        if !a.flags.is_empty() && !a.flags.intersects(benign) {
            return Some(ColoringRule::BadTcp);
        }
    }
    match &d.transport {
        TransportRepr::Icmpv4(i) if matches!(i.icmp_type, 3..=5 | 11) => {
            return Some(ColoringRule::IcmpErrors);
        }
        TransportRepr::Icmpv6(i) if matches!(i.icmp_type, 1..=4) => {
            return Some(ColoringRule::IcmpErrors);
        }
        _ => {}
    }
    if matches!(d.net, NetRepr::Arp(_)) {
        return Some(ColoringRule::Arp);
    }
    if matches!(
        d.transport,
        TransportRepr::Icmpv4(_) | TransportRepr::Icmpv6(_)
    ) || matches!(p.protocol, Protocol::Icmp | Protocol::Icmpv6)
    {
        return Some(ColoringRule::Icmp);
    }
    if tcp.is_some_and(|t| t.flags & tcp_flags::RST != 0) {
        return Some(ColoringRule::TcpRst);
    }
    if let NetRepr::Ipv4(ip) = &d.net {
        let multicast = ip.dst.octets()[0] & 0xf0 == 224;
        let local_multicast = ip.dst.octets()[..3] == [224, 0, 0];
        let unicast_low = !multicast && ip.ttl < 5 && ip.protocol != PIM && ip.protocol != OSPF;
        let odd_local =
            local_multicast && ip.dst.octets()[3] != 251 && ip.ttl != 1 && ip.protocol != VRRP_CARP;
        if unicast_low || odd_local {
            return Some(ColoringRule::TtlLow);
        }
    }
    let udp = p.udp_repr();
    let tcp_port = |port: u16| tcp.is_some_and(|t| t.src_port == port || t.dst_port == port);
    let udp_port = |port: u16| udp.is_some_and(|u| u.src_port == port || u.dst_port == port);
    if tcp_port(139) || tcp_port(445) || udp_port(137) || udp_port(138) {
        return Some(ColoringRule::Smb);
    }
    if tcp_port(80) {
        return Some(ColoringRule::Http);
    }
    let ip_proto = match &d.net {
        NetRepr::Ipv4(ip) => Some(ip.protocol),
        NetRepr::Ipv6(ip) => Some(ip.payload_protocol),
        _ => None,
    };
    if matches!(ip_proto, Some(IGMP | EIGRP | OSPF | VRRP_CARP)) || tcp_port(179) {
        return Some(ColoringRule::Routing);
    }
    if let Some(t) = tcp {
        if t.flags & (tcp_flags::SYN | tcp_flags::FIN) != 0 {
            return Some(ColoringRule::TcpSynFin);
        }
        return Some(ColoringRule::Tcp);
    }
    if udp.is_some() {
        return Some(ColoringRule::Udp);
    }
    if let LinkRepr::Ethernet { header, .. } = &d.link
        && header.dst[0] & 1 == 1
    {
        return Some(ColoringRule::Broadcast);
    }
    None
}

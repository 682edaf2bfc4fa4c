//! The packet-details view: every layer with its header fields, values and byte ranges.
//!
//! Built on demand (only for `--detail` and `--hex`) from a [`Decoded`] frame and its bytes,
//! so the packet-list path never pays for it. Ranges are byte offsets in the frame, or in
//! the reassembled datagram when [`Layer::reassembled`] is set.

use std::fmt::Write as _;
use std::ops::Range;

use crate::wire::checksum::{self, Checksum};
use crate::wire::tcp_options::{self, TcpOption};

use crate::wire::mac;

use super::names::{
    ethertype_name, icmp_code_name, icmp_type_name, icmpv6_code_name, icmpv6_type_name,
    ip_proto_name, tcp_flag_names,
};
use super::{
    ArpRepr, Decoded, EthernetRepr, IcmpRepr, Ipv4Repr, Ipv6Repr, LinkRepr, NetRepr, TcpRepr,
    TransportRepr, UdpRepr, VlanRepr,
};

/// Which protocol a layer is; the hex dump marks its bytes with [`LayerKind::marker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayerKind {
    /// Frame metadata (no bytes of its own).
    Frame,
    /// Ethernet II / 802.3.
    Ethernet,
    /// 802.1Q tag.
    Vlan,
    /// Linux cooked capture.
    Sll,
    /// BSD loopback.
    Loopback,
    /// ARP.
    Arp,
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
    /// ICMP / ICMPv6.
    Icmp,
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// Application data (payload, SIMP).
    Data,
}

impl LayerKind {
    /// One character marking this layer's bytes in a plain hex dump.
    pub fn marker(self) -> char {
        match self {
            LayerKind::Frame => ' ',
            LayerKind::Ethernet => 'E',
            LayerKind::Vlan => 'V',
            LayerKind::Sll => 'L',
            LayerKind::Loopback => 'L',
            LayerKind::Arp => 'A',
            LayerKind::Ipv4 => '4',
            LayerKind::Ipv6 => '6',
            LayerKind::Icmp => 'I',
            LayerKind::Tcp => 'T',
            LayerKind::Udp => 'U',
            LayerKind::Data => 'D',
        }
    }

    /// A short name for legends.
    pub fn name(self) -> &'static str {
        match self {
            LayerKind::Frame => "frame",
            LayerKind::Ethernet => "Ethernet",
            LayerKind::Vlan => "802.1Q",
            LayerKind::Sll => "Linux cooked",
            LayerKind::Loopback => "Loopback",
            LayerKind::Arp => "ARP",
            LayerKind::Ipv4 => "IPv4",
            LayerKind::Ipv6 => "IPv6",
            LayerKind::Icmp => "ICMP",
            LayerKind::Tcp => "TCP",
            LayerKind::Udp => "UDP",
            LayerKind::Data => "data",
        }
    }
}

/// One header field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Field name, e.g. "Source Port".
    pub name: String,
    /// Value as shown, e.g. "56158".
    pub value: String,
    /// Bytes of the field (in the frame or the reassembled datagram), if it has its own.
    pub range: Option<Range<usize>>,
    /// Nesting under the layer's title: 0 for a field of the layer itself.
    pub depth: u8,
}

/// One protocol layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Which protocol.
    pub kind: LayerKind,
    /// Summary line, e.g. "Internet Protocol Version 4, Src: 10.0.3.2, Dst: 10.0.3.1".
    pub title: String,
    /// Bytes of the whole layer (header, or header + payload for data).
    pub range: Range<usize>,
    /// True when ranges refer to the reassembled datagram, not the frame.
    pub reassembled: bool,
    /// The fields.
    pub fields: Vec<Field>,
}

impl Layer {
    fn new(kind: LayerKind, title: String, range: Range<usize>) -> Self {
        Layer {
            kind,
            title,
            range,
            reassembled: false,
            fields: Vec::new(),
        }
    }

    fn field(&mut self, name: &str, value: impl Into<String>, range: Range<usize>) {
        self.fields.push(Field {
            name: name.to_string(),
            value: value.into(),
            range: Some(range),
            depth: 0,
        });
    }

    fn note(&mut self, name: &str, value: impl Into<String>) {
        self.fields.push(Field {
            name: name.to_string(),
            value: value.into(),
            range: None,
            depth: 0,
        });
    }
}

/// Extra per-frame knowledge the decoder does not have (from the analysis step).
#[derive(Debug, Clone, Default)]
pub struct DetailContext {
    /// TCP stream index.
    pub tcp_stream: Option<u32>,
    /// Relative seq, ack, next seq and calculated window.
    pub tcp_relative: Option<(u32, u32, Option<u32>, u32)>,
    /// Analysis flag field names.
    pub tcp_analysis: Vec<&'static str>,
    /// The application layers decoded above UDP/TCP, each with where its message starts in
    /// the transport payload (`None`: reassembled from earlier segments, its ranges are not
    /// the frame's).
    pub app: Vec<(AppLayer, Option<usize>)>,
}

/// An application layer's title and fields, with ranges relative to the payload start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLayer {
    /// Summary line.
    pub title: String,
    /// The fields.
    pub fields: Vec<Field>,
}

fn at(base: usize, r: Range<usize>) -> Range<usize> {
    base + r.start..base + r.end
}

/// Builds the layers of one decoded frame.
pub fn layers(d: &Decoded, frame: &[u8], ctx: &DetailContext) -> Vec<Layer> {
    let mut out = Vec::new();
    link_layer(&d.link, frame, &mut out);
    for v in &d.vlans {
        out.push(vlan_layer(v));
    }
    match &d.net {
        NetRepr::Ipv4(ip) => out.push(ipv4_layer(ip, frame)),
        NetRepr::Ipv6(ip) => out.push(ipv6_layer(ip)),
        NetRepr::Arp(a) => out.push(arp_layer(a)),
        NetRepr::Other { ethertype, range } => out.push(data_layer(
            format!("Data (ethertype 0x{ethertype:04x}, {} bytes)", range.len()),
            frame,
            range.clone(),
        )),
        NetRepr::None => {}
    }
    let v6 = matches!(d.net, NetRepr::Ipv6(_));
    if let Some(f) = &d.fragment {
        let mut l = Layer::new(
            LayerKind::Data,
            if v6 {
                format!(
                    "IPv6 fragment of a {} packet (offset {}, ident 0x{:08x}): not the last piece, or a piece is missing",
                    ip_proto_name(f.protocol),
                    f.offset,
                    f.id
                )
            } else {
                format!(
                    "IPv4 fragment of a {} datagram (offset {}, ID 0x{:04x}): not the last piece, or a piece is missing",
                    ip_proto_name(f.protocol),
                    f.offset,
                    f.id
                )
            },
            0..0,
        );
        match &d.net {
            NetRepr::Ipv4(ip) => {
                let end = frame.len().min(ip.range.start + usize::from(ip.total_len));
                l.range = ip.range.end..end.max(ip.range.end);
            }
            NetRepr::Ipv6(ip) => {
                if let Some(h) = &ip.fragment {
                    let end = frame.len().min(ip.range.end + usize::from(ip.payload_len));
                    l.range = h.range.end.min(end)..end;
                }
            }
            _ => {}
        }
        out.push(l);
    }
    let reassembled = d.reassembled.is_some();
    let bytes = d.transport_bytes(frame);
    if let Some(r) = &d.reassembled {
        let mut l = Layer::new(
            LayerKind::Frame,
            format!(
                "[{} {} Fragments ({} bytes): {}]",
                r.fragments.len(),
                if v6 { "IPv6" } else { "IPv4" },
                r.data.len(),
                r.fragments
                    .iter()
                    .map(|(f, n)| format!("#{f}({n})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            0..0,
        );
        l.note(
            "Reassembled",
            if v6 {
                "the layer below is read from the reassembled packet; its byte ranges are offsets in it, marked R"
            } else {
                "the transport layer below is read from the reassembled datagram; its byte ranges are offsets in it, marked R"
            },
        );
        out.push(l);
    }
    let start = out.len();
    match &d.transport {
        TransportRepr::Tcp(t) => tcp_layers(t, bytes, ctx, &mut out),
        TransportRepr::Udp(u) => udp_layers(u, bytes, ctx, &mut out),
        TransportRepr::Icmpv4(i) => out.push(icmp_layer(i, bytes, false)),
        TransportRepr::Icmpv6(i) => out.push(icmp_layer(i, bytes, true)),
        TransportRepr::Other { protocol, range } => out.push(data_layer(
            format!("Data (IP protocol {protocol}, {} bytes)", range.len()),
            bytes,
            range.clone(),
        )),
        TransportRepr::None => {}
    }
    for l in &mut out[start..] {
        l.reassembled = reassembled;
    }
    if let Some(reason) = &d.malformed {
        let mut l = Layer::new(LayerKind::Frame, "[Malformed frame]".to_string(), 0..0);
        l.note("Reason", reason.clone());
        out.push(l);
    }
    out
}

/// A layer of undecoded bytes `bytes[range]`, shown as a hex preview.
fn data_layer(title: String, bytes: &[u8], range: Range<usize>) -> Layer {
    let mut l = Layer::new(LayerKind::Data, title, range.clone());
    l.field(
        "Data",
        hex_preview(bytes.get(range.clone()).unwrap_or(&[])),
        range,
    );
    l
}

fn hex_preview(b: &[u8]) -> String {
    let mut s = String::new();
    for x in b.iter().take(24) {
        let _ = write!(s, "{x:02x}");
    }
    if b.len() > 24 {
        let _ = write!(s, "… ({} bytes)", b.len());
    }
    s
}

fn link_layer(link: &LinkRepr, frame: &[u8], out: &mut Vec<Layer>) {
    match link {
        LinkRepr::Ethernet {
            header:
                EthernetRepr {
                    dst,
                    src,
                    ethertype,
                },
            range,
        } => {
            let title = if *ethertype < 0x0600 {
                format!("IEEE 802.3 Ethernet, Src: {}, Dst: {}", mac(src), mac(dst))
            } else {
                format!("Ethernet II, Src: {}, Dst: {}", mac(src), mac(dst))
            };
            let mut l = Layer::new(LayerKind::Ethernet, title, range.clone());
            l.field("Destination", mac(dst), 0..6);
            l.field("Source", mac(src), 6..12);
            if *ethertype < 0x0600 {
                l.field("Length", ethertype.to_string(), 12..14);
            } else {
                l.field("Type", ethertype_name(*ethertype), 12..14);
            }
            out.push(l);
        }
        LinkRepr::Sll {
            version,
            packet_type,
            hw_type,
            addr,
            addr_len,
            protocol,
            if_index,
            range,
        } => {
            let mut l = Layer::new(
                LayerKind::Sll,
                format!("Linux cooked capture v{version}"),
                range.clone(),
            );
            let addr_s = mac(addr.get(..usize::from(*addr_len)).unwrap_or(&[]));
            let ptype = match packet_type {
                0 => "Unicast to us (0)",
                1 => "Broadcast (1)",
                2 => "Multicast (2)",
                3 => "Unicast to another host (3)",
                4 => "Sent by us (4)",
                _ => "Unknown",
            };
            if *version == 1 {
                l.field("Packet type", ptype, 0..2);
                l.field("Link-layer address type", hw_type.to_string(), 2..4);
                l.field("Link-layer address length", addr_len.to_string(), 4..6);
                l.field("Source", addr_s, 6..14);
                l.field("Protocol", ethertype_name(*protocol), 14..16);
            } else {
                l.field("Protocol", ethertype_name(*protocol), 0..2);
                l.field("Reserved", "0", 2..4);
                l.field("Interface index", if_index.unwrap_or(0).to_string(), 4..8);
                l.field("Link-layer address type", hw_type.to_string(), 8..10);
                l.field("Packet type", ptype, 10..11);
                l.field("Link-layer address length", addr_len.to_string(), 11..12);
                l.field("Source", addr_s, 12..20);
            }
            out.push(l);
        }
        LinkRepr::Loopback { family, range } => {
            let mut l = Layer::new(
                LayerKind::Loopback,
                "Null/Loopback".to_string(),
                range.clone(),
            );
            let name = match family {
                2 => "IP (2)".to_string(),
                10 | 24 | 28 | 30 => format!("IPv6 ({family})"),
                f => f.to_string(),
            };
            l.field("Family", name, 0..4);
            out.push(l);
        }
        LinkRepr::Unsupported(t) => {
            let mut l = Layer::new(
                LayerKind::Data,
                format!("Link type {} ({}) is not decoded", t.0, t.name()),
                0..frame.len(),
            );
            l.field("Data", hex_preview(frame), 0..frame.len());
            out.push(l);
        }
        LinkRepr::None => {}
    }
}

fn vlan_layer(v: &VlanRepr) -> Layer {
    let s = v.range.start;
    let mut l = Layer::new(
        LayerKind::Vlan,
        format!(
            "802.1Q Virtual LAN, PRI: {}, DEI: {}, ID: {}",
            v.pcp,
            u8::from(v.dei),
            v.id
        ),
        v.range.clone(),
    );
    l.field("Priority", v.pcp.to_string(), s..s + 1);
    l.field("DEI", u8::from(v.dei).to_string(), s..s + 1);
    l.field("ID", v.id.to_string(), s..s + 2);
    l.field("Type", ethertype_name(v.ethertype), s + 2..s + 4);
    l
}

fn ipv4_layer(ip: &Ipv4Repr, frame: &[u8]) -> Layer {
    let b = ip.range.start;
    let mut l = Layer::new(
        LayerKind::Ipv4,
        format!(
            "Internet Protocol Version 4, Src: {}, Dst: {}",
            ip.src, ip.dst
        ),
        ip.range.clone(),
    );
    l.field("Version", "4", at(b, 0..1));
    l.field(
        "Header Length",
        format!("{} bytes ({})", ip.header_len, ip.header_len / 4),
        at(b, 0..1),
    );
    l.field(
        "Differentiated Services",
        format!("DSCP {}, ECN {}", ip.dscp, ip.ecn),
        at(b, 1..2),
    );
    if ip.tso {
        l.field(
            "Total Length",
            format!(
                "{} bytes (reported as 0, presumed to be because of \"TCP segmentation offload\" (TSO))",
                ip.total_len
            ),
            at(b, 2..4),
        );
    } else {
        l.field("Total Length", ip.total_len.to_string(), at(b, 2..4));
    }
    l.field(
        "Identification",
        format!("0x{:04x} ({})", ip.id, ip.id),
        at(b, 4..6),
    );
    let mut flags = Vec::new();
    if ip.dont_fragment {
        flags.push("Don't fragment");
    }
    if ip.more_fragments {
        flags.push("More fragments");
    }
    l.field(
        "Flags",
        if flags.is_empty() {
            "none".to_string()
        } else {
            flags.join(", ")
        },
        at(b, 6..7),
    );
    l.field(
        "Fragment Offset",
        format!("{} bytes", ip.frag_offset),
        at(b, 6..8),
    );
    l.field("Time to Live", ip.ttl.to_string(), at(b, 8..9));
    l.field(
        "Protocol",
        format!("{} ({})", ip_proto_name(ip.protocol), ip.protocol),
        at(b, 9..10),
    );
    let status = frame
        .get(ip.range.clone())
        .map(|h| {
            // Correct when the header sums to 0xffff (or to 0: an all-zero header).
            let sum = Checksum::new().add_bytes(h);
            if sum.verifies() || sum.folded() == 0 {
                "correct".to_string()
            } else {
                let mut copy = h.to_vec();
                copy[10] = 0;
                copy[11] = 0;
                format!("incorrect, should be 0x{:04x}", checksum::of(&copy))
            }
        })
        .unwrap_or_else(|| "not checked".to_string());
    l.field(
        "Header Checksum",
        format!("0x{:04x} [{status}]", ip.checksum),
        at(b, 10..12),
    );
    l.field("Source Address", ip.src.to_string(), at(b, 12..16));
    l.field("Destination Address", ip.dst.to_string(), at(b, 16..20));
    if ip.header_len > 20 {
        l.field(
            "Options",
            format!("{} bytes", ip.header_len - 20),
            at(b, 20..usize::from(ip.header_len)),
        );
    }
    l
}

fn ipv6_layer(ip: &Ipv6Repr) -> Layer {
    let b = ip.range.start;
    let mut l = Layer::new(
        LayerKind::Ipv6,
        format!(
            "Internet Protocol Version 6, Src: {}, Dst: {}",
            ip.src, ip.dst
        ),
        ip.range.clone(),
    );
    l.field("Version", "6", at(b, 0..1));
    l.field(
        "Traffic Class",
        format!("0x{:02x}", ip.traffic_class),
        at(b, 0..2),
    );
    l.field(
        "Flow Label",
        format!("0x{:05x}", ip.flow_label),
        at(b, 1..4),
    );
    l.field("Payload Length", ip.payload_len.to_string(), at(b, 4..6));
    l.field(
        "Next Header",
        format!("{} ({})", ip_proto_name(ip.next_header), ip.next_header),
        at(b, 6..7),
    );
    l.field("Hop Limit", ip.hop_limit.to_string(), at(b, 7..8));
    l.field("Source Address", ip.src.to_string(), at(b, 8..24));
    l.field("Destination Address", ip.dst.to_string(), at(b, 24..40));
    if ip.ext_len > 0 {
        l.field(
            "Extension headers",
            format!("{} bytes", ip.ext_len),
            at(b, 40..40 + ip.ext_len),
        );
    }
    if let Some(f) = &ip.fragment {
        let h = f.range.start;
        l.field(
            "Fragment Header: Next header",
            format!("{} ({})", ip_proto_name(f.next_header), f.next_header),
            at(h, 0..1),
        );
        l.field(
            "Fragment Header: Offset",
            format!("{} ({} bytes)", f.offset / 8, f.offset),
            at(h, 2..4),
        );
        l.field(
            "Fragment Header: More Fragments",
            if f.more { "Yes" } else { "No" },
            at(h, 2..4),
        );
        l.field(
            "Fragment Header: Identification",
            format!("0x{:08x}", f.ident),
            at(h, 4..8),
        );
    }
    l
}

fn arp_layer(a: &ArpRepr) -> Layer {
    let b = a.range.start;
    let op = match a.op {
        1 => "request",
        2 => "reply",
        _ => "other",
    };
    let mut l = Layer::new(
        LayerKind::Arp,
        format!("Address Resolution Protocol ({op})"),
        a.range.clone(),
    );
    l.field("Hardware type", a.hw_type.to_string(), at(b, 0..2));
    l.field("Protocol type", ethertype_name(a.proto_type), at(b, 2..4));
    l.field("Hardware size", a.hw_size.to_string(), at(b, 4..5));
    l.field("Protocol size", a.proto_size.to_string(), at(b, 5..6));
    l.field("Opcode", format!("{op} ({})", a.op), at(b, 6..8));
    if a.eth_ipv4 {
        l.field("Sender MAC address", mac(&a.sender_mac), at(b, 8..14));
        l.field("Sender IP address", a.sender_ip.to_string(), at(b, 14..18));
        l.field("Target MAC address", mac(&a.target_mac), at(b, 18..24));
        l.field("Target IP address", a.target_ip.to_string(), at(b, 24..28));
    }
    l
}

fn tcp_layers(t: &TcpRepr, bytes: &[u8], ctx: &DetailContext, out: &mut Vec<Layer>) {
    let b = t.range.start;
    // A header cut by the end of the capture lists only the fields whose bytes are there.
    let captured = t.cut.map_or(usize::MAX, usize::from);
    let has = |r: &Range<usize>| r.end <= captured;
    let has_flags = has(&(12..14));
    let acked = has_flags && t.flags & super::tcp_flags::ACK != 0;
    let (seq, ack, next, win) =
        ctx.tcp_relative
            .unwrap_or((t.seq, t.ack, None, u32::from(t.window)));
    let mut title = format!(
        "Transmission Control Protocol, Src Port: {}, Dst Port: {}",
        t.src_port, t.dst_port
    );
    if has(&(4..8)) {
        let _ = write!(title, ", Seq: {seq}");
    }
    if acked && has(&(8..12)) {
        let _ = write!(title, ", Ack: {ack}");
    }
    if let Some(len) = t.len {
        let _ = write!(title, ", Len: {len}");
    }
    let mut l = Layer::new(LayerKind::Tcp, title, t.range.clone());
    let field = |l: &mut Layer, name: &str, value: String, r: Range<usize>| {
        if has(&r) {
            l.field(name, value, at(b, r));
        }
    };
    field(&mut l, "Source Port", t.src_port.to_string(), 0..2);
    field(&mut l, "Destination Port", t.dst_port.to_string(), 2..4);
    if let Some(s) = ctx.tcp_stream {
        l.note("[Stream index]", s.to_string());
    }
    if let Some(len) = t.len {
        l.note("[TCP Segment Len]", len.to_string());
    }
    field(
        &mut l,
        "Sequence Number",
        if ctx.tcp_relative.is_some() {
            format!("{seq} (relative)  raw: {}", t.seq)
        } else {
            t.seq.to_string()
        },
        4..8,
    );
    if let Some(n) = next {
        l.note("[Next Sequence Number]", format!("{n} (relative)"));
    }
    field(
        &mut l,
        "Acknowledgment Number",
        if acked {
            if ctx.tcp_relative.is_some() {
                format!("{ack} (relative)  raw: {}", t.ack)
            } else {
                t.ack.to_string()
            }
        } else if has_flags {
            format!("{} (ACK flag not set)", t.ack)
        } else {
            t.ack.to_string()
        },
        8..12,
    );
    field(
        &mut l,
        "Header Length",
        format!("{} bytes ({})", t.header_len, t.header_len / 4),
        12..13,
    );
    let mut names = String::new();
    tcp_flag_names(t.flags, &mut names);
    field(
        &mut l,
        "Flags",
        format!("0x{:03x} ({names})", t.flags),
        12..14,
    );
    field(&mut l, "Window", t.window.to_string(), 14..16);
    if has(&(14..16)) && win != u32::from(t.window) {
        l.note("[Calculated window size]", win.to_string());
    }
    field(
        &mut l,
        "Checksum",
        format!("0x{:04x} [unverified]", t.checksum),
        16..18,
    );
    field(&mut l, "Urgent Pointer", t.urgent.to_string(), 18..20);
    if !t.options_range.is_empty() {
        let opts = bytes.get(t.options_range.clone()).unwrap_or(&[]);
        l.field(
            "Options",
            format!("{} bytes", opts.len()),
            t.options_range.clone(),
        );
        for (r, opt) in tcp_options::iter(opts) {
            let r = at(t.options_range.start, r);
            let (name, value) = match opt {
                Ok(TcpOption::Nop) => ("  No-Operation (NOP)", String::new()),
                Ok(TcpOption::Mss(m)) => ("  Maximum segment size", format!("{m} bytes")),
                Ok(TcpOption::WindowScale(s)) => (
                    "  Window scale",
                    format!("{s} (multiply by {})", 1u32 << s.min(14)),
                ),
                Ok(TcpOption::SackPermitted) => ("  SACK permitted", String::new()),
                Ok(TcpOption::Sack(blocks)) => {
                    let mut v = String::new();
                    for (le, re) in blocks.as_slice() {
                        let _ = write!(v, "{le}-{re} ");
                    }
                    ("  SACK", v.trim_end().to_string())
                }
                Ok(TcpOption::Timestamps(a, e)) => {
                    ("  Timestamps", format!("TSval {a}, TSecr {e}"))
                }
                Err(e) => {
                    l.note("  Unreadable option", e.0);
                    break;
                }
            };
            l.field(name, value, r);
        }
    }
    if !ctx.tcp_analysis.is_empty() {
        l.note("[SEQ/ACK analysis]", ctx.tcp_analysis.join(", "));
    }
    if let Some(n) = t.cut {
        l.note(
            "[Packet size limited during capture]",
            format!(
                "TCP truncated after {n} of {} header bytes",
                t.header_len.max(20)
            ),
        );
    }
    out.push(l);
    payload_layer(t.payload.clone(), bytes, ctx, out);
}

fn udp_layers(u: &UdpRepr, bytes: &[u8], ctx: &DetailContext, out: &mut Vec<Layer>) {
    let b = u.range.start;
    let mut l = Layer::new(
        LayerKind::Udp,
        format!(
            "User Datagram Protocol, Src Port: {}, Dst Port: {}",
            u.src_port, u.dst_port
        ),
        u.range.clone(),
    );
    l.field("Source Port", u.src_port.to_string(), at(b, 0..2));
    l.field("Destination Port", u.dst_port.to_string(), at(b, 2..4));
    l.field("Length", u.length.to_string(), at(b, 4..6));
    l.field(
        "Checksum",
        format!("0x{:04x} [unverified]", u.checksum),
        at(b, 6..8),
    );
    l.note("UDP payload", format!("{} bytes", u.payload.len()));
    out.push(l);
    payload_layer(u.payload.clone(), bytes, ctx, out);
}

fn payload_layer(range: Range<usize>, bytes: &[u8], ctx: &DetailContext, out: &mut Vec<Layer>) {
    // A FIN without data may still complete a message that ran to the close (its layers
    // were all reassembled from earlier segments).
    if range.is_empty() && ctx.app.is_empty() {
        return;
    }
    if !ctx.app.is_empty() {
        for (app, offset) in &ctx.app {
            let base = offset.map(|o| range.start + o);
            let whole = match base {
                Some(b) => b..range.end,
                None => range.start..range.start,
            };
            let mut l = Layer::new(LayerKind::Data, app.title.clone(), whole);
            for f in &app.fields {
                l.fields.push(Field {
                    name: f.name.clone(),
                    value: f.value.clone(),
                    range: match (base, &f.range) {
                        (Some(b), Some(r)) => Some(at(b, r.clone())).filter(|r| r.end <= range.end),
                        _ => None,
                    },
                    depth: f.depth,
                });
            }
            out.push(l);
        }
        return;
    }
    let data = bytes.get(range.clone()).unwrap_or(&[]);
    let mut l = Layer::new(
        LayerKind::Data,
        format!("Data ({} bytes)", data.len()),
        range.clone(),
    );
    l.field("Data", hex_preview(data), range.clone());
    if !data.is_empty()
        && data
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        let text: String = String::from_utf8_lossy(&data[..data.len().min(80)])
            .chars()
            .map(|c| if c.is_control() { '.' } else { c })
            .collect();
        l.note(
            "Text",
            format!("\"{text}\"{}", if data.len() > 80 { "…" } else { "" }),
        );
    }
    out.push(l);
}

/// `Type` and `Code` as tshark's `-V` words them: `8 (Echo (ping) request)` for ICMP,
/// `Echo (ping) request (128)` for ICMPv6; a code without a name is its number alone.
fn icmp_type_code_text(t: u8, c: u8, v6: bool) -> (String, String) {
    let (ty, code) = if v6 {
        (
            format!("{} ({t})", icmpv6_type_name(t)),
            icmpv6_code_name(t, c),
        )
    } else {
        (format!("{t} ({})", icmp_type_name(t)), icmp_code_name(t, c))
    };
    let code = match code {
        Some(name) => format!("{c} ({name})"),
        None => c.to_string(),
    };
    (ty, code)
}

fn icmp_layer(i: &IcmpRepr, bytes: &[u8], v6: bool) -> Layer {
    let b = i.range.start;
    let mut l = Layer::new(
        LayerKind::Icmp,
        if v6 {
            "Internet Control Message Protocol v6".to_string()
        } else {
            "Internet Control Message Protocol".to_string()
        },
        i.range.clone(),
    );
    let (ty, code) = icmp_type_code_text(i.icmp_type, i.code, v6);
    l.field("Type", ty, at(b, 0..1));
    l.field("Code", code, at(b, 1..2));
    l.field("Checksum", format!("0x{:04x}", i.checksum), at(b, 2..4));
    let echo = if v6 {
        matches!(i.icmp_type, 128 | 129)
    } else {
        matches!(i.icmp_type, 0 | 8)
    };
    if echo {
        l.field(
            "Identifier",
            format!("{} (0x{:04x})", i.echo_id(), i.echo_id()),
            at(b, 4..6),
        );
        l.field(
            "Sequence Number",
            format!("{} (0x{:04x})", i.echo_seq(), i.echo_seq()),
            at(b, 6..8),
        );
        if !i.body.is_empty() {
            l.field(
                "Data",
                hex_preview(bytes.get(i.body.clone()).unwrap_or(&[])),
                i.body.clone(),
            );
        }
    } else if let Some(q) = &i.quoted {
        l.field("Unused / pointer", hex_preview(&i.rest), at(b, 4..8));
        let mut s = format!("{} → {} protocol {}", q.src, q.dst, q.protocol);
        match &q.transport {
            Some(super::QuotedTransport::Tcp {
                src_port,
                dst_port,
                seq,
                ..
            }) => {
                let _ = write!(s, ", TCP {src_port} → {dst_port}");
                if let Some(seq) = seq {
                    let _ = write!(s, " seq {seq}");
                }
            }
            Some(super::QuotedTransport::Udp {
                src_port,
                dst_port,
                length,
            }) => {
                let _ = write!(s, ", UDP {src_port} → {dst_port} length {length}");
            }
            None => {}
        }
        l.field("Quoted packet", s, q.range.clone());
    } else if !i.body.is_empty() {
        l.field("Rest of header", hex_preview(&i.rest), at(b, 4..8));
        l.field(
            "Data",
            hex_preview(bytes.get(i.body.clone()).unwrap_or(&[])),
            i.body.clone(),
        );
    }
    l
}

#[cfg(test)]
mod tests {
    use super::icmp_type_code_text;

    #[test]
    fn icmp_type_and_code_are_named_as_tshark_names_them() {
        let t = |t, c, v6| icmp_type_code_text(t, c, v6);
        assert_eq!(
            t(8, 0, false),
            ("8 (Echo (ping) request)".into(), "0".into())
        );
        assert_eq!(t(0, 0, false).0, "0 (Echo (ping) reply)");
        assert_eq!(t(3, 3, false).1, "3 (Port unreachable)");
        assert_eq!(t(128, 0, true).0, "Echo (ping) request (128)");
        assert_eq!(t(1, 4, true).1, "4 (Port unreachable)");
    }
}

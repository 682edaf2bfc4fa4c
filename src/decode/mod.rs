//! Decoding frame bytes into layers, with etherparse's lax slicer.
//!
//! [`decode`] turns one frame's bytes into a [`Decoded`]: small owned header
//! representations ("reprs", smoltcp style) for the link, network and transport layers,
//! each with the byte range it came from. Cut-off frames decode as far as they go and carry
//! a [`Decoded::malformed`] reason. IPv4 fragments go through a [`Reassembler`]: the
//! transport layer belongs to the frame that completes the datagram, as in Wireshark.
//!
//! Decoding never touches I/O and never panics on input.
#![forbid(unsafe_code)]

pub mod checksum;
pub mod detail;
pub mod link;
pub mod names;
pub mod reassembly;
pub mod simp;
pub mod stack;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use etherparse::{
    EtherType, Icmpv4Slice, Icmpv6Slice, LaxIpPayloadSlice, LaxNetSlice, LaxSlicedPacket, TcpSlice,
    UdpSlice,
};

use crate::frame::LinkType;
pub use crate::wire::tcp_options;
pub use link::LinkRepr;
pub use reassembly::Reassembler;

/// The byte offset of `part` inside `whole` (both slices of the same buffer).
pub(crate) fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize)
}

/// The byte range of `part` inside `whole`.
pub(crate) fn range_in(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = offset_in(whole, part);
    start..start + part.len()
}

/// An 802.1Q / 802.1ad VLAN tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VlanRepr {
    /// Priority code point (3 bits).
    pub pcp: u8,
    /// Drop eligible indicator.
    pub dei: bool,
    /// VLAN identifier (12 bits).
    pub id: u16,
    /// The ethertype that follows the tag.
    pub ethertype: u16,
    /// Bytes of the tag in the frame.
    pub range: Range<usize>,
}

/// An IPv4 header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4Repr {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Header length in bytes (IHL × 4).
    pub header_len: u8,
    /// Differentiated services code point.
    pub dscp: u8,
    /// Explicit congestion notification.
    pub ecn: u8,
    /// Total length field.
    pub total_len: u16,
    /// Identification field.
    pub id: u16,
    /// Don't fragment flag.
    pub dont_fragment: bool,
    /// More fragments flag.
    pub more_fragments: bool,
    /// Fragment offset in bytes.
    pub frag_offset: u16,
    /// Time to live.
    pub ttl: u8,
    /// Protocol number of the payload.
    pub protocol: u8,
    /// Header checksum field.
    pub checksum: u16,
    /// Bytes of the header in the frame.
    pub range: Range<usize>,
}

impl Ipv4Repr {
    /// True if this header carries a fragment (MF set or a non-zero offset).
    pub fn is_fragment(&self) -> bool {
        self.more_fragments || self.frag_offset != 0
    }
}

/// An IPv6 header (with its extension headers folded in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv6Repr {
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// Traffic class.
    pub traffic_class: u8,
    /// Flow label (20 bits).
    pub flow_label: u32,
    /// Payload length field.
    pub payload_len: u16,
    /// Next header field of the fixed header.
    pub next_header: u8,
    /// Protocol after the extension headers.
    pub payload_protocol: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Length of the extension headers in bytes.
    pub ext_len: usize,
    /// True if a fragment header was found.
    pub fragmented: bool,
    /// Bytes of the fixed header in the frame.
    pub range: Range<usize>,
}

/// An ARP packet (Ethernet/IPv4 addresses; others keep their raw sizes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpRepr {
    /// Hardware type (1 = Ethernet).
    pub hw_type: u16,
    /// Protocol type (0x0800 = IPv4).
    pub proto_type: u16,
    /// Hardware address size.
    pub hw_size: u8,
    /// Protocol address size.
    pub proto_size: u8,
    /// Operation (1 request, 2 reply).
    pub op: u16,
    /// Sender hardware address (first 6 bytes when longer).
    pub sender_mac: [u8; 6],
    /// Sender protocol address (IPv4 when 4 bytes).
    pub sender_ip: Ipv4Addr,
    /// Target hardware address.
    pub target_mac: [u8; 6],
    /// Target protocol address.
    pub target_ip: Ipv4Addr,
    /// True when hardware is Ethernet and protocol is IPv4 (the only case shown in detail).
    pub eth_ipv4: bool,
    /// Bytes of the packet in the frame.
    pub range: Range<usize>,
}

/// The network layer of a frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NetRepr {
    /// No network layer (or it could not be decoded).
    #[default]
    None,
    /// IPv4.
    Ipv4(Ipv4Repr),
    /// IPv6.
    Ipv6(Ipv6Repr),
    /// ARP.
    Arp(ArpRepr),
    /// A payload of an ethertype this tool does not decode.
    Other {
        /// The ethertype (or 802.3 length when < 0x0600).
        ethertype: u16,
        /// Bytes of the payload.
        range: Range<usize>,
    },
}

impl NetRepr {
    /// Source and destination IP addresses, if this is IP.
    pub fn ip_addrs(&self) -> Option<(IpAddr, IpAddr)> {
        match self {
            NetRepr::Ipv4(ip) => Some((ip.src.into(), ip.dst.into())),
            NetRepr::Ipv6(ip) => Some((ip.src.into(), ip.dst.into())),
            _ => None,
        }
    }
}

/// TCP flag bits of the 12-bit flags field.
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u16 = 0x001;
    /// SYN.
    pub const SYN: u16 = 0x002;
    /// RST.
    pub const RST: u16 = 0x004;
    /// PSH.
    pub const PSH: u16 = 0x008;
    /// ACK.
    pub const ACK: u16 = 0x010;
    /// URG.
    pub const URG: u16 = 0x020;
    /// ECE.
    pub const ECE: u16 = 0x040;
    /// CWR.
    pub const CWR: u16 = 0x080;
    /// AE (formerly NS).
    pub const AE: u16 = 0x100;
    /// The three reserved bits.
    pub const RESERVED: u16 = 0xE00;
}

/// A TCP header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgement number.
    pub ack: u32,
    /// Header length in bytes (data offset × 4).
    pub header_len: u8,
    /// The 12-bit flags field (see [`tcp_flags`]).
    pub flags: u16,
    /// Raw window field.
    pub window: u16,
    /// Checksum field.
    pub checksum: u16,
    /// Urgent pointer.
    pub urgent: u16,
    /// Maximum segment size option.
    pub mss: Option<u16>,
    /// Window scale option (the shift).
    pub window_scale: Option<u8>,
    /// Segment payload length (`tcp.len`) from the IP length; `None` when unknown.
    pub len: Option<u32>,
    /// Bytes of the header (in the frame, or in the reassembled datagram).
    pub range: Range<usize>,
    /// Bytes of the options.
    pub options: Range<usize>,
    /// Bytes of the captured payload.
    pub payload: Range<usize>,
    /// Set when the capture ended inside the header (a small snapshot length): how many of
    /// its bytes were captured. Fields past that point read as 0 and options are parsed as
    /// far as they go; tshark keeps the layer and notes "[Packet size limited during
    /// capture]". With fewer than [`TCP_ANALYSED_FROM`] bytes there is no analysis.
    pub cut: Option<u8>,
}

/// Captured TCP header bytes needed for tshark to give the frame a stream and analyse it
/// (ports, sequence and acknowledgement numbers, flags and window).
pub const TCP_ANALYSED_FROM: u8 = 16;

/// A UDP header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Length field (header + payload).
    pub length: u16,
    /// Checksum field.
    pub checksum: u16,
    /// Bytes of the header.
    pub range: Range<usize>,
    /// Bytes of the captured payload.
    pub payload: Range<usize>,
}

/// Transport header quoted inside an ICMP error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotedTransport {
    /// A quoted TCP header (only ports, seq and flags may be present).
    Tcp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// Raw sequence number, if quoted.
        seq: Option<u32>,
        /// Raw acknowledgement number (0 unless 12 bytes are quoted).
        ack: u32,
        /// Flags (0 unless 14 bytes are quoted).
        flags: u16,
        /// Raw window (0 unless 16 bytes are quoted).
        window: u16,
        /// Header length from the data offset (0 unless 13 bytes are quoted).
        header_len: usize,
        /// Window scale option, if the options are quoted in full.
        window_scale: Option<u8>,
        /// Number of TCP header bytes quoted.
        quoted_len: usize,
    },
    /// A quoted UDP header.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// Length field.
        length: u16,
    },
}

/// The IP packet quoted inside an ICMP error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotedRepr {
    /// Source address of the quoted packet.
    pub src: IpAddr,
    /// Destination address of the quoted packet.
    pub dst: IpAddr,
    /// Protocol of the quoted packet.
    pub protocol: u8,
    /// Its transport header, when TCP or UDP.
    pub transport: Option<QuotedTransport>,
    /// Bytes of the quoted packet.
    pub range: Range<usize>,
}

/// An ICMP or ICMPv6 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcmpRepr {
    /// Type.
    pub icmp_type: u8,
    /// Code.
    pub code: u8,
    /// Checksum field.
    pub checksum: u16,
    /// Bytes 5..8 of the header (identifier and sequence for echo).
    pub rest: [u8; 4],
    /// The quoted packet of an error message.
    pub quoted: Option<QuotedRepr>,
    /// Bytes of the whole message.
    pub range: Range<usize>,
    /// Bytes after the 8-byte header.
    pub body: Range<usize>,
}

impl IcmpRepr {
    /// Identifier of an echo message.
    pub fn echo_id(&self) -> u16 {
        u16::from_be_bytes([self.rest[0], self.rest[1]])
    }
    /// Sequence number of an echo message.
    pub fn echo_seq(&self) -> u16 {
        u16::from_be_bytes([self.rest[2], self.rest[3]])
    }
}

/// The transport layer of a frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TransportRepr {
    /// None (or not decodable, or a fragment).
    #[default]
    None,
    /// TCP.
    Tcp(TcpRepr),
    /// UDP.
    Udp(UdpRepr),
    /// ICMP for IPv4.
    Icmpv4(IcmpRepr),
    /// ICMPv6.
    Icmpv6(IcmpRepr),
    /// An IP protocol this tool does not decode.
    Other {
        /// IP protocol number.
        protocol: u8,
        /// Bytes of the payload.
        range: Range<usize>,
    },
}

/// Where the transport layer's byte ranges point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassembled {
    /// The frames whose fragments make up the datagram, with their payload lengths.
    pub fragments: Vec<(u64, u16)>,
    /// The reassembled IP payload.
    pub data: Vec<u8>,
}

/// An IPv4 fragment that did not complete a datagram (or could not be reassembled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentNote {
    /// Payload protocol of the datagram.
    pub protocol: u8,
    /// Offset of this fragment in bytes.
    pub offset: u16,
    /// Identification of the datagram.
    pub id: u16,
}

/// One decoded frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// The link layer.
    pub link: LinkRepr,
    /// VLAN tags, outermost first.
    pub vlans: Vec<VlanRepr>,
    /// The network layer.
    pub net: NetRepr,
    /// The transport layer (in the frame, or in [`Decoded::reassembled`]).
    pub transport: TransportRepr,
    /// Set when this frame completed an IPv4 datagram: the transport ranges refer to it.
    pub reassembled: Option<Reassembled>,
    /// Set when this frame is an IPv4 fragment without a transport layer.
    pub fragment: Option<FragmentNote>,
    /// Why the frame is malformed, if it is.
    pub malformed: Option<String>,
}

impl Decoded {
    /// The bytes the transport ranges refer to: the reassembled datagram or the frame.
    pub fn transport_bytes<'a>(&'a self, frame: &'a [u8]) -> &'a [u8] {
        match &self.reassembled {
            Some(r) => &r.data,
            None => frame,
        }
    }

    /// The application payload of a TCP or UDP frame.
    pub fn app_payload<'a>(&'a self, frame: &'a [u8]) -> &'a [u8] {
        let bytes = self.transport_bytes(frame);
        let range = match &self.transport {
            TransportRepr::Tcp(t) => t.payload.clone(),
            TransportRepr::Udp(u) => u.payload.clone(),
            _ => return &[],
        };
        bytes.get(range).unwrap_or(&[])
    }
}

/// Decodes one frame. `number` is the frame number (used to name reassembled fragments).
pub fn decode(number: u64, link_type: LinkType, data: &[u8], reasm: &mut Reassembler) -> Decoded {
    let mut out = Decoded::default();
    decode_into(number, link_type, data, reasm, &mut out);
    out
}

/// Decodes one frame into `out`, reusing its allocations.
pub fn decode_into(
    number: u64,
    link_type: LinkType,
    data: &[u8],
    reasm: &mut Reassembler,
    out: &mut Decoded,
) {
    decode_into_cut(number, link_type, data, data.len(), reasm, out);
}

/// Like [`decode_into`] for a frame that was `orig_len` bytes on the wire: when the capture
/// kept fewer (a snapshot length), an IP payload cut short by it is not malformed, as in
/// tshark ("Packet size limited during capture").
pub fn decode_into_cut(
    number: u64,
    link_type: LinkType,
    data: &[u8],
    orig_len: usize,
    reasm: &mut Reassembler,
    out: &mut Decoded,
) {
    out.link = LinkRepr::None;
    out.vlans.clear();
    out.net = NetRepr::None;
    out.transport = TransportRepr::None;
    out.reassembled = None;
    out.fragment = None;
    out.malformed = None;

    let sliced = match link::slice(link_type, data, out) {
        Some(s) => s,
        None => return,
    };
    let snapped = orig_len > data.len();
    decode_sliced(number, data, snapped, &sliced, reasm, out);
}

fn set_malformed(out: &mut Decoded, reason: String) {
    if out.malformed.is_none() {
        out.malformed = Some(reason);
    }
}

/// Fills net and transport from a lax-sliced packet.
fn decode_sliced(
    number: u64,
    data: &[u8],
    snapped: bool,
    sliced: &LaxSlicedPacket<'_>,
    reasm: &mut Reassembler,
    out: &mut Decoded,
) {
    for ext in &sliced.link_exts {
        if let etherparse::LaxLinkExtSlice::Vlan(v) = ext {
            let slice = v.slice();
            out.vlans.push(VlanRepr {
                pcp: v.priority_code_point().value(),
                dei: v.drop_eligible_indicator(),
                id: v.vlan_identifier().value(),
                ethertype: v.ether_type().0,
                range: range_in(data, slice.get(..4).unwrap_or(slice)),
            });
        }
    }
    if let Some((err, layer)) = &sliced.stop_err {
        // A header cut by the snapshot length is not malformed: it is decoded as far as the
        // bytes go (TCP below) and noted as tshark does.
        let snap_cut = snapped && matches!(err, etherparse::err::packet::SliceError::Len(_));
        if !snap_cut {
            set_malformed(out, format!("{layer}: {err}"));
        }
    }
    match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            let repr = Ipv4Repr {
                src: h.source_addr(),
                dst: h.destination_addr(),
                header_len: h.ihl() * 4,
                dscp: h.dcp().value(),
                ecn: h.ecn().value(),
                total_len: h.total_len(),
                id: h.identification(),
                dont_fragment: h.dont_fragment(),
                more_fragments: h.more_fragments(),
                frag_offset: h.fragments_offset().value().wrapping_mul(8),
                ttl: h.ttl(),
                protocol: h.protocol().0,
                checksum: h.header_checksum(),
                range: range_in(data, h.slice()),
            };
            let payload = ip.payload();
            note_ip_payload(payload, snapped, out);
            let fragment = repr.is_fragment();
            if fragment {
                let note = FragmentNote {
                    protocol: repr.protocol,
                    offset: repr.frag_offset,
                    id: repr.id,
                };
                let declared =
                    usize::from(repr.total_len).saturating_sub(usize::from(repr.header_len));
                let complete = !payload.incomplete && payload.payload.len() >= declared;
                let done = if complete && declared > 0 {
                    reasm.add(number, &repr, payload.payload)
                } else {
                    None
                };
                out.net = NetRepr::Ipv4(repr);
                match done {
                    Some(r) => {
                        let len = r.data.len();
                        decode_transport(note.protocol, &r.data, 0..len, len, out);
                        out.reassembled = Some(r);
                    }
                    None => out.fragment = Some(note),
                }
                return;
            }
            out.net = NetRepr::Ipv4(repr);
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let h = ip.header();
            let exts = ip.extensions();
            let payload = ip.payload();
            let repr = Ipv6Repr {
                src: h.source_addr(),
                dst: h.destination_addr(),
                traffic_class: h.traffic_class(),
                flow_label: h.flow_label().value(),
                payload_len: h.payload_length(),
                next_header: h.next_header().0,
                payload_protocol: payload.ip_number.0,
                hop_limit: h.hop_limit(),
                ext_len: exts.slice().len(),
                fragmented: payload.fragmented,
                range: range_in(data, h.slice()),
            };
            note_ip_payload(payload, snapped, out);
            let fragmented = payload.fragmented;
            out.net = NetRepr::Ipv6(repr);
            if fragmented {
                out.transport = TransportRepr::Other {
                    protocol: payload.ip_number.0,
                    range: range_in(data, payload.payload),
                };
                return;
            }
        }
        Some(LaxNetSlice::Arp(arp)) => {
            out.net = NetRepr::Arp(arp_repr(data, arp));
            return;
        }
        None => {
            if let Some(p) = sliced.ether_payload() {
                out.net = NetRepr::Other {
                    ethertype: p.ether_type.0,
                    range: range_in(data, p.payload),
                };
            }
            return;
        }
    }

    // The transport layer is read here from the IP payload (not taken from etherparse's
    // slice) so that whole and reassembled datagrams go through the same code.
    let Some(payload) = sliced.ip_payload() else {
        return;
    };
    let declared = declared_ip_payload_len(out, payload);
    let range = range_in(data, payload.payload);
    decode_transport(payload.ip_number.0, data, range, declared, out);
}

/// Marks a truncated IP payload (captured bytes shorter than the length field says), unless
/// the capture's snapshot length cut it (`snapped`).
fn note_ip_payload(payload: &LaxIpPayloadSlice<'_>, snapped: bool, out: &mut Decoded) {
    if payload.incomplete && !snapped {
        set_malformed(
            out,
            "IP payload shorter than the IP length field says (frame cut short)".to_string(),
        );
    }
}

/// The IP payload length from the IP header (not the captured length): `tcp.len` and the
/// UDP length checks are based on it, as in Wireshark.
fn declared_ip_payload_len(out: &Decoded, payload: &LaxIpPayloadSlice<'_>) -> usize {
    match &out.net {
        NetRepr::Ipv4(ip) => usize::from(ip.total_len).saturating_sub(usize::from(ip.header_len)),
        NetRepr::Ipv6(ip) => usize::from(ip.payload_len).saturating_sub(ip.ext_len),
        _ => payload.payload.len(),
    }
}

/// Decodes a transport header from `bytes[range]`; `declared` is the IP payload length.
fn decode_transport(
    protocol: u8,
    bytes: &[u8],
    range: Range<usize>,
    declared: usize,
    out: &mut Decoded,
) {
    let Some(seg) = bytes.get(range.clone()) else {
        return;
    };
    let base = range.start;
    match protocol {
        6 => match TcpSlice::from_slice(seg) {
            Ok(tcp) => {
                let hl = usize::from(tcp.data_offset()) * 4;
                let len = declared.checked_sub(hl).map(|l| l as u32);
                if len.is_none() {
                    set_malformed(
                        out,
                        format!(
                            "TCP header length {hl} is larger than the IP payload ({declared} bytes)"
                        ),
                    );
                }
                let (opts, err) = tcp_options::parse(tcp.options());
                if let Some(e) = err {
                    set_malformed(out, format!("TCP options: {}", e.0));
                }
                let (mss, ws) = (opts.mss, opts.window_scale);
                let flags = tcp_flags_of(tcp.header_slice());
                let opts_start = base + 20;
                out.transport = TransportRepr::Tcp(TcpRepr {
                    src_port: tcp.source_port(),
                    dst_port: tcp.destination_port(),
                    seq: tcp.sequence_number(),
                    ack: tcp.acknowledgment_number(),
                    header_len: hl as u8,
                    flags,
                    window: tcp.window_size(),
                    checksum: tcp.checksum(),
                    urgent: tcp.urgent_pointer(),
                    mss,
                    window_scale: ws,
                    len,
                    range: base..base + hl,
                    options: opts_start..base + hl,
                    payload: base + hl..range.end,
                    cut: None,
                });
            }
            Err(_) if seg.len() >= 4 && seg.len() < tcp_header_len(seg) => {
                out.transport = TransportRepr::Tcp(cut_tcp(seg, base, declared));
            }
            Err(e) => {
                set_malformed(out, format!("TCP: {e}"));
            }
        },
        17 => match UdpSlice::from_slice_lax(seg) {
            Ok(udp) => {
                let length = udp.length();
                // A length beyond the IP payload is only flagged in Info ("BAD UDP LENGTH"),
                // as tshark does; one below the header size is malformed.
                if length < 8 {
                    set_malformed(
                        out,
                        format!("UDP length {length} is shorter than its 8-byte header"),
                    );
                }
                let payload_end = (base + usize::from(length).max(8)).min(range.end);
                out.transport = TransportRepr::Udp(UdpRepr {
                    src_port: udp.source_port(),
                    dst_port: udp.destination_port(),
                    length,
                    checksum: udp.checksum(),
                    range: base..base + 8,
                    payload: base + 8..payload_end.max(base + 8),
                });
            }
            Err(e) => set_malformed(out, format!("UDP: {e}")),
        },
        1 => match Icmpv4Slice::from_slice(seg) {
            Ok(icmp) => {
                let quoted = if matches!(icmp.type_u8(), 3 | 4 | 5 | 11 | 12) {
                    quoted_packet(bytes, icmp.payload(), false)
                } else {
                    None
                };
                out.transport = TransportRepr::Icmpv4(icmp_repr(
                    base,
                    seg.len(),
                    icmp.type_u8(),
                    icmp.code_u8(),
                    icmp.checksum(),
                    icmp.bytes5to8(),
                    quoted,
                ));
            }
            Err(e) => set_malformed(out, format!("ICMP: {e}")),
        },
        58 => match Icmpv6Slice::from_slice(seg) {
            Ok(icmp) => {
                let quoted = if icmp.type_u8() < 128 {
                    seg.get(8..).and_then(|p| quoted_packet(bytes, p, true))
                } else {
                    None
                };
                out.transport = TransportRepr::Icmpv6(icmp_repr(
                    base,
                    seg.len(),
                    icmp.type_u8(),
                    icmp.code_u8(),
                    icmp.checksum(),
                    icmp.bytes5to8(),
                    quoted,
                ));
            }
            Err(e) => set_malformed(out, format!("ICMPv6: {e}")),
        },
        other => {
            out.transport = TransportRepr::Other {
                protocol: other,
                range,
            }
        }
    }
}

/// The header length a TCP header claims (20 when the data offset is not captured).
fn tcp_header_len(seg: &[u8]) -> usize {
    seg.get(12)
        .map_or(20, |b| (usize::from(b >> 4) * 4).max(20))
}

/// A TCP header cut by the snapshot length: the fields the captured bytes hold, the rest 0,
/// and the options as far as they go (as tshark dissects it).
fn cut_tcp(seg: &[u8], base: usize, declared: usize) -> TcpRepr {
    let be16 = |i: usize| {
        seg.get(i..i + 2)
            .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
    };
    let be32 = |i: usize| {
        seg.get(i..i + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let hl = tcp_header_len(seg);
    let captured = seg.len().min(hl);
    let opts = seg
        .get(20..captured)
        .map_or_else(Default::default, |o| tcp_options::parse(o).0);
    let (mss, ws) = (opts.mss, opts.window_scale);
    let whole = captured >= usize::from(TCP_ANALYSED_FROM);
    TcpRepr {
        src_port: be16(0),
        dst_port: be16(2),
        seq: be32(4),
        ack: be32(8),
        header_len: if seg.len() > 12 { hl as u8 } else { 0 },
        flags: if seg.len() >= 14 {
            tcp_flags_of(seg)
        } else {
            0
        },
        window: be16(14),
        checksum: be16(16),
        urgent: be16(18),
        mss,
        window_scale: ws,
        len: whole.then(|| declared.saturating_sub(hl) as u32),
        range: base..base + captured,
        options: (base + 20).min(base + captured)..base + captured,
        payload: base + captured..base + captured,
        cut: Some(captured.min(255) as u8),
    }
}

fn icmp_repr(
    base: usize,
    len: usize,
    icmp_type: u8,
    code: u8,
    checksum: u16,
    rest: [u8; 4],
    quoted: Option<QuotedRepr>,
) -> IcmpRepr {
    IcmpRepr {
        icmp_type,
        code,
        checksum,
        rest,
        quoted,
        range: base..base + len,
        body: (base + 8).min(base + len)..base + len,
    }
}

/// The 12-bit TCP flags field from bytes 12-13 of a TCP header.
fn tcp_flags_of_pair(b: &[u8]) -> u16 {
    match b {
        [hi, lo, ..] => (u16::from(hi & 0x0f) << 8) | u16::from(*lo),
        _ => 0,
    }
}

/// The 12-bit TCP flags field from a TCP header's bytes 12-13.
fn tcp_flags_of(header: &[u8]) -> u16 {
    match (header.get(12), header.get(13)) {
        (Some(&hi), Some(&lo)) => (u16::from(hi & 0x0f) << 8) | u16::from(lo),
        _ => 0,
    }
}

/// Decodes the IP packet quoted in an ICMP error (lax: quotes are usually cut short).
fn quoted_packet(whole: &[u8], quote: &[u8], v6: bool) -> Option<QuotedRepr> {
    let sliced = LaxSlicedPacket::from_ip(quote).ok()?;
    let (src, dst, protocol, payload): (IpAddr, IpAddr, u8, &[u8]) = match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) if !v6 => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
            ip.payload().ip_number.0,
            ip.payload().payload,
        ),
        Some(LaxNetSlice::Ipv6(ip)) if v6 => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
            ip.payload().ip_number.0,
            ip.payload().payload,
        ),
        _ => return None,
    };
    let be16 = |b: &[u8], i: usize| -> Option<u16> {
        Some(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]))
    };
    let transport = match protocol {
        6 if payload.len() >= 4 => {
            let be32 = |i: usize| {
                payload
                    .get(i..i + 4)
                    .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
            };
            let header_len = payload.get(12).map_or(0, |b| usize::from(b >> 4) * 4);
            let window_scale = payload
                .get(20..header_len)
                .filter(|_| header_len > 20)
                .and_then(|opts| {
                    tcp_options::iter(opts).find_map(|(_, o)| match o {
                        Ok(tcp_options::TcpOption::WindowScale(s)) => Some(s),
                        _ => None,
                    })
                });
            Some(QuotedTransport::Tcp {
                src_port: be16(payload, 0)?,
                dst_port: be16(payload, 2)?,
                seq: be32(4),
                ack: be32(8).unwrap_or(0),
                flags: payload.get(12..14).map_or(0, tcp_flags_of_pair),
                window: be16(payload, 14).unwrap_or(0),
                header_len,
                window_scale,
                quoted_len: payload.len(),
            })
        }
        17 if payload.len() >= 4 => Some(QuotedTransport::Udp {
            src_port: be16(payload, 0)?,
            dst_port: be16(payload, 2)?,
            length: be16(payload, 4).unwrap_or(0),
        }),
        _ => None,
    };
    Some(QuotedRepr {
        src,
        dst,
        protocol,
        transport,
        range: range_in(whole, quote),
    })
}

fn arp_repr(data: &[u8], arp: &etherparse::ArpPacketSlice<'_>) -> ArpRepr {
    let mac = |b: &[u8]| -> [u8; 6] {
        let mut m = [0u8; 6];
        for (d, s) in m.iter_mut().zip(b) {
            *d = *s;
        }
        m
    };
    let ip = |b: &[u8]| -> Ipv4Addr {
        match b {
            [a, b, c, d] => Ipv4Addr::new(*a, *b, *c, *d),
            _ => Ipv4Addr::UNSPECIFIED,
        }
    };
    let hw_size = arp.hw_addr_size();
    let proto_size = arp.proto_addr_size();
    ArpRepr {
        hw_type: arp.hw_addr_type().0,
        proto_type: arp.proto_addr_type().0,
        hw_size,
        proto_size,
        op: arp.operation().0,
        sender_mac: mac(arp.sender_hw_addr()),
        sender_ip: ip(arp.sender_protocol_addr()),
        target_mac: mac(arp.target_hw_addr()),
        target_ip: ip(arp.target_protocol_addr()),
        eth_ipv4: hw_size == 6 && proto_size == 4 && arp.proto_addr_type() == EtherType::IPV4,
        range: range_in(data, arp.slice()),
    }
}

#[cfg(test)]
mod tests;

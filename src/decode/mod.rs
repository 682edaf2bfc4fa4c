//! Decoding frame bytes into layers, with etherparse's lax slicer.
//!
//! [`decode`] turns one frame's bytes into a [`Decoded`]: small owned header
//! representations ("reprs", smoltcp style) for the link, network and transport layers,
//! each with the byte range it came from. Cut-off frames decode as far as they go and carry
//! a [`Decoded::malformed`] reason. IPv4 and IPv6 fragments go through a [`Reassembler`]:
//! the transport layer belongs to the frame that completes the packet, as in Wireshark.
//! An IPv4 total length of 0 is taken as the frame's length (TCP segmentation offload, as
//! Wireshark's default `ip.tso_support` does).
//!
//! Decoding never touches I/O and never panics on input.
#![forbid(unsafe_code)]

pub mod checksum;
pub mod detail;
pub mod link;
pub mod names;
pub mod reassembly;
pub mod simp;

use std::net::IpAddr;
use std::ops::Range;

use etherparse::{
    Icmpv4Slice, Icmpv6Slice, Ipv6ExtensionSlice, Ipv6ExtensionsSlice, LaxIpPayloadSlice,
    LaxNetSlice, LaxSlicedPacket, TcpSlice, UdpSlice,
};

use crate::frame::LinkType;
pub use crate::wire::{stack, tcp_options};
pub use link::LinkRepr;
pub use reassembly::Reassembler;

pub use crate::wire::arp::ArpRepr;
pub use crate::wire::ethernet::{EthernetRepr, VlanRepr};
pub use crate::wire::icmp::{IcmpRepr, QuotedRepr, QuotedTransport};
pub use crate::wire::ipv4::Ipv4Repr;
pub use crate::wire::ipv6::{Ipv6Fragment, Ipv6Repr};
pub(crate) use crate::wire::range_in;
pub use crate::wire::tcp::{TCP_ANALYSED_FROM, TcpRepr, tcp_flags};
pub use crate::wire::udp::UdpRepr;

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

/// An IPv4 or IPv6 fragment that did not complete a packet (or could not be reassembled);
/// [`Decoded::net`] says which version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentNote {
    /// Payload protocol of the packet (IPv6: the fragment header's next header).
    pub protocol: u8,
    /// Offset of this fragment in bytes.
    pub offset: u16,
    /// Identification of the packet (16 bits in IPv4, 32 in IPv6).
    pub id: u32,
    /// More fragments flag.
    pub more: bool,
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
    /// Set when this frame completed an IPv4 or IPv6 packet: the transport ranges refer to it.
    pub reassembled: Option<Reassembled>,
    /// Set when this frame is an IPv4 or IPv6 fragment without a transport layer.
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
    decode_sliced(number, data, orig_len, &sliced, reasm, out);
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
    orig_len: usize,
    sliced: &LaxSlicedPacket<'_>,
    reasm: &mut Reassembler,
    out: &mut Decoded,
) {
    let snapped = orig_len > data.len();
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
            let mut repr = Ipv4Repr::from_header(&h, range_in(data, h.slice()));
            if repr.total_len == 0 {
                // TSO: the length the frame reports from the IP header on (tshark).
                let reported = orig_len.max(data.len()).saturating_sub(repr.range.start);
                repr.total_len = u16::try_from(reported).unwrap_or(u16::MAX);
                repr.tso = true;
            }
            let payload = ip.payload();
            note_ip_payload(payload, snapped, out);
            let fragment = repr.is_fragment();
            if fragment {
                let note = FragmentNote {
                    protocol: repr.protocol,
                    offset: repr.frag_offset,
                    id: u32::from(repr.id),
                    more: repr.more_fragments,
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
            let fragment = if payload.fragmented {
                fragment_header(data, exts)
            } else {
                None
            };
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
                fragment: fragment.clone(),
                range: range_in(data, h.slice()),
            };
            note_ip_payload(payload, snapped, out);
            let (src, dst) = (repr.src, repr.dst);
            let ip_end = repr.range.end + usize::from(repr.payload_len);
            out.net = NetRepr::Ipv6(repr);
            if let Some(f) = fragment {
                // The fragmentable part: after the fragment header, to the payload length.
                let declared = ip_end.saturating_sub(f.range.end);
                let part = data.get(f.range.end..ip_end);
                let done = match part {
                    Some(part) if declared > 0 => reasm.add_v6(number, src, dst, &f, part),
                    _ => None,
                };
                match done {
                    Some(r) => {
                        let len = r.data.len();
                        decode_transport(f.next_header, &r.data, 0..len, len, out);
                        out.reassembled = Some(r);
                    }
                    None => {
                        out.fragment = Some(FragmentNote {
                            protocol: f.next_header,
                            offset: f.offset,
                            id: f.ident,
                            more: f.more,
                        })
                    }
                }
                return;
            }
        }
        Some(LaxNetSlice::Arp(arp)) => {
            out.net = NetRepr::Arp(ArpRepr::from_slice(data, arp));
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

/// The first fragment header in `exts` that fragments the payload.
fn fragment_header(data: &[u8], exts: &Ipv6ExtensionsSlice<'_>) -> Option<Ipv6Fragment> {
    exts.clone().into_iter().find_map(|e| match e {
        Ipv6ExtensionSlice::Fragment(f) if f.is_fragmenting_payload() => Some(Ipv6Fragment {
            next_header: f.next_header().0,
            offset: f.fragment_offset().value().wrapping_mul(8),
            more: f.more_fragments(),
            ident: f.identification(),
            range: range_in(data, f.slice()),
        }),
        _ => None,
    })
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
                let flags = crate::wire::tcp::flags_of(tcp.header_slice());
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
                    options: opts,
                    len,
                    range: base..base + hl,
                    options_range: opts_start..base + hl,
                    payload: base + hl..range.end,
                    cut: None,
                });
            }
            Err(_) if seg.len() >= 4 && seg.len() < crate::wire::tcp::claimed_header_len(seg) => {
                out.transport = TransportRepr::Tcp(TcpRepr::parse_cut(seg, base, declared));
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
                flags: payload
                    .get(12..14)
                    .map_or(0, crate::wire::tcp::flags_of_pair),
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

#[cfg(test)]
mod tests;

//! The `stack` command's layers: wrap a message in real TCP, IPv4 and Ethernet headers (pnet
//! builders, correct checksums), take them off again (etherparse), and describe each layer.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddrV4};

use etherparse::{EtherType, Ethernet2HeaderSlice, IpNumber, Ipv4HeaderSlice, TcpHeaderSlice};
use pnet::packet::ethernet::{EtherTypes, MutableEthernetPacket};
use pnet::packet::ip::IpNextHeaderProtocols;
use pnet::packet::ipv4::{self, Ipv4Flags, MutableIpv4Packet};
use pnet::packet::tcp::{self, MutableTcpPacket, TcpFlags};
use pnet::util::MacAddr;

use crate::demo::text::{hex_dump, printable};

/// Length of the Ethernet II header.
pub const ETHERNET_LEN: usize = 14;
/// Length of an IPv4 header without options.
pub const IPV4_LEN: usize = 20;
/// Length of a TCP header without options.
pub const TCP_LEN: usize = 20;
/// Longest message that fits one IPv4 packet with these headers.
pub const MAX_MESSAGE: usize = 65535 - IPV4_LEN - TCP_LEN;

/// The header values the sender chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Source MAC address.
    pub src_mac: [u8; 6],
    /// Destination MAC address.
    pub dst_mac: [u8; 6],
    /// Source IPv4 address and TCP port.
    pub src: SocketAddrV4,
    /// Destination IPv4 address and TCP port.
    pub dst: SocketAddrV4,
    /// TCP sequence number.
    pub seq: u32,
    /// TCP acknowledgement number.
    pub ack: u32,
    /// IPv4 identification.
    pub ip_id: u16,
    /// IPv4 time to live.
    pub ttl: u8,
    /// TCP receive window.
    pub window: u16,
}

/// Ethernet II header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EthernetFields {
    /// Destination MAC.
    pub dst: [u8; 6],
    /// Source MAC.
    pub src: [u8; 6],
    /// EtherType of the payload.
    pub ether_type: u16,
}

/// IPv4 header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4Fields {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Header length in bytes.
    pub header_len: usize,
    /// Total length (header + payload).
    pub total_len: u16,
    /// Identification.
    pub id: u16,
    /// Don't Fragment flag.
    pub dont_fragment: bool,
    /// Time to live.
    pub ttl: u8,
    /// Protocol number of the payload.
    pub protocol: u8,
    /// Header checksum as carried.
    pub checksum: u16,
    /// Whether the carried checksum is right.
    pub checksum_ok: bool,
}

/// TCP header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpFields {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Header length in bytes.
    pub header_len: usize,
    /// Flag bits (CWR..FIN).
    pub flags: u8,
    /// Receive window.
    pub window: u16,
    /// Checksum as carried.
    pub checksum: u16,
    /// Whether the carried checksum is right (pseudo-header + segment).
    pub checksum_ok: bool,
}

/// A message with its three headers, and each header's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layers {
    /// Ethernet fields.
    pub ethernet: EthernetFields,
    /// IPv4 fields.
    pub ipv4: Ipv4Fields,
    /// TCP fields.
    pub tcp: TcpFields,
    /// The application data.
    pub payload: Vec<u8>,
    /// The whole frame: Ethernet header, IPv4 header, TCP header, payload.
    pub frame: Vec<u8>,
}

impl Layers {
    /// The bytes of the Ethernet header.
    pub fn ethernet_header(&self) -> &[u8] {
        self.frame.get(..ETHERNET_LEN).unwrap_or_default()
    }

    /// The bytes of the IPv4 header.
    pub fn ipv4_header(&self) -> &[u8] {
        let end = ETHERNET_LEN.saturating_add(self.ipv4.header_len);
        self.frame.get(ETHERNET_LEN..end).unwrap_or_default()
    }

    /// The bytes of the TCP header.
    pub fn tcp_header(&self) -> &[u8] {
        let start = ETHERNET_LEN.saturating_add(self.ipv4.header_len);
        let end = start.saturating_add(self.tcp.header_len);
        self.frame.get(start..end).unwrap_or_default()
    }
}

/// Why a message could not be wrapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncapError {
    /// Too long for one IPv4 packet.
    #[error(
        "the message is {0} bytes; one IPv4 packet carries at most {MAX_MESSAGE} bytes after the IPv4 and TCP headers"
    )]
    TooLong(usize),
    /// A builder refused its buffer (cannot happen with the sizes used).
    #[error("building the {0} header failed")]
    Build(&'static str),
}

/// Why a frame could not be unwrapped: which layer, at which byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{layer} layer, at byte {offset} of the frame: {detail}")]
pub struct DecapError {
    /// The layer that failed.
    pub layer: &'static str,
    /// Byte offset of that layer's header in the frame.
    pub offset: usize,
    /// What is wrong.
    pub detail: String,
}

/// Wraps `message` in TCP, then IPv4, then Ethernet headers, with correct checksums.
pub fn encapsulate(message: &[u8], p: &Params) -> Result<Layers, EncapError> {
    if message.len() > MAX_MESSAGE {
        return Err(EncapError::TooLong(message.len()));
    }
    let flags = TcpFlags::PSH | TcpFlags::ACK;
    // Transport layer: TCP header + message = segment.
    let mut segment = vec![0u8; TCP_LEN + message.len()];
    let tcp_checksum = {
        let mut tcp = MutableTcpPacket::new(&mut segment).ok_or(EncapError::Build("TCP"))?;
        tcp.set_source(p.src.port());
        tcp.set_destination(p.dst.port());
        tcp.set_sequence(p.seq);
        tcp.set_acknowledgement(p.ack);
        tcp.set_data_offset(5);
        tcp.set_flags(flags);
        tcp.set_window(p.window);
        tcp.set_urgent_ptr(0);
        tcp.set_payload(message);
        let sum = tcp::ipv4_checksum(&tcp.to_immutable(), p.src.ip(), p.dst.ip());
        tcp.set_checksum(sum);
        sum
    };
    // Network layer: IPv4 header + segment = packet. MAX_MESSAGE keeps this within u16.
    let total_len =
        u16::try_from(IPV4_LEN + segment.len()).map_err(|_| EncapError::TooLong(message.len()))?;
    let mut packet = vec![0u8; usize::from(total_len)];
    let ip_checksum = {
        let mut ip = MutableIpv4Packet::new(&mut packet).ok_or(EncapError::Build("IPv4"))?;
        ip.set_version(4);
        ip.set_header_length(5);
        ip.set_total_length(total_len);
        ip.set_identification(p.ip_id);
        ip.set_flags(Ipv4Flags::DontFragment);
        ip.set_ttl(p.ttl);
        ip.set_next_level_protocol(IpNextHeaderProtocols::Tcp);
        ip.set_source(*p.src.ip());
        ip.set_destination(*p.dst.ip());
        ip.set_payload(&segment);
        let sum = ipv4::checksum(&ip.to_immutable());
        ip.set_checksum(sum);
        sum
    };
    // Link layer: Ethernet header + packet = frame.
    let mut frame = vec![0u8; ETHERNET_LEN + packet.len()];
    {
        let mut eth =
            MutableEthernetPacket::new(&mut frame).ok_or(EncapError::Build("Ethernet"))?;
        eth.set_destination(mac(p.dst_mac));
        eth.set_source(mac(p.src_mac));
        eth.set_ethertype(EtherTypes::Ipv4);
        eth.set_payload(&packet);
    }
    Ok(Layers {
        ethernet: EthernetFields {
            dst: p.dst_mac,
            src: p.src_mac,
            ether_type: 0x0800,
        },
        ipv4: Ipv4Fields {
            src: *p.src.ip(),
            dst: *p.dst.ip(),
            header_len: IPV4_LEN,
            total_len,
            id: p.ip_id,
            dont_fragment: true,
            ttl: p.ttl,
            protocol: 6,
            checksum: ip_checksum,
            checksum_ok: true,
        },
        tcp: TcpFields {
            src_port: p.src.port(),
            dst_port: p.dst.port(),
            seq: p.seq,
            ack: p.ack,
            header_len: TCP_LEN,
            flags,
            window: p.window,
            checksum: tcp_checksum,
            checksum_ok: true,
        },
        payload: message.to_vec(),
        frame,
    })
}

fn mac(b: [u8; 6]) -> MacAddr {
    let [a, b2, c, d, e, f] = b;
    MacAddr::new(a, b2, c, d, e, f)
}

/// Takes the Ethernet, IPv4 and TCP headers off `frame`, checking lengths and checksums.
pub fn decapsulate(frame: &[u8]) -> Result<Layers, DecapError> {
    let err = |layer, offset, detail: String| DecapError {
        layer,
        offset,
        detail,
    };
    let eth = Ethernet2HeaderSlice::from_slice(frame)
        .map_err(|e| err("link (Ethernet II)", 0, e.to_string()))?;
    if eth.ether_type() != EtherType::IPV4 {
        return Err(err(
            "link (Ethernet II)",
            0,
            format!(
                "EtherType 0x{:04x} is not IPv4 (0x0800)",
                eth.ether_type().0
            ),
        ));
    }
    let rest = frame.get(ETHERNET_LEN..).unwrap_or_default();
    let ip = Ipv4HeaderSlice::from_slice(rest)
        .map_err(|e| err("network (IPv4)", ETHERNET_LEN, e.to_string()))?;
    let ip_header_len = ip.slice().len();
    let total_len = usize::from(ip.total_len());
    if total_len > rest.len() {
        return Err(err(
            "network (IPv4)",
            ETHERNET_LEN,
            format!(
                "total length {total_len} is more than the {} bytes that follow the Ethernet header",
                rest.len()
            ),
        ));
    }
    if ip.protocol() != IpNumber::TCP {
        return Err(err(
            "network (IPv4)",
            ETHERNET_LEN,
            format!("protocol {} is not TCP (6)", ip.protocol().0),
        ));
    }
    let ip_header = ip.to_header();
    let ip_checksum_ok = ip_header.calc_header_checksum() == ip.header_checksum();
    let segment = rest.get(ip_header_len..total_len).unwrap_or_default();
    let tcp_offset = ETHERNET_LEN + ip_header_len;
    let tcp = TcpHeaderSlice::from_slice(segment)
        .map_err(|e| err("transport (TCP)", tcp_offset, e.to_string()))?;
    let tcp_header_len = tcp.slice().len();
    let payload = segment.get(tcp_header_len..).unwrap_or_default();
    let tcp_checksum_ok = tcp
        .calc_checksum_ipv4(&ip, payload)
        .is_ok_and(|sum| sum == tcp.checksum());
    let flags = tcp.slice().get(13).copied().unwrap_or(0);
    Ok(Layers {
        ethernet: EthernetFields {
            dst: eth.destination(),
            src: eth.source(),
            ether_type: eth.ether_type().0,
        },
        ipv4: Ipv4Fields {
            src: ip.source_addr(),
            dst: ip.destination_addr(),
            header_len: ip_header_len,
            total_len: ip.total_len(),
            id: ip.identification(),
            dont_fragment: ip.dont_fragment(),
            ttl: ip.ttl(),
            protocol: ip.protocol().0,
            checksum: ip.header_checksum(),
            checksum_ok: ip_checksum_ok,
        },
        tcp: TcpFields {
            src_port: tcp.source_port(),
            dst_port: tcp.destination_port(),
            seq: tcp.sequence_number(),
            ack: tcp.acknowledgment_number(),
            header_len: tcp_header_len,
            flags,
            window: tcp.window_size(),
            checksum: tcp.checksum(),
            checksum_ok: tcp_checksum_ok,
        },
        payload: payload.to_vec(),
        frame: frame
            .get(..ETHERNET_LEN + total_len)
            .unwrap_or(frame)
            .to_vec(),
    })
}

/// TCP flag names as Wireshark writes them: `[SYN, ACK]`.
pub fn flag_names(flags: u8) -> String {
    const NAMES: [(u8, &str); 8] = [
        (TcpFlags::CWR, "CWR"),
        (TcpFlags::ECE, "ECE"),
        (TcpFlags::URG, "URG"),
        (TcpFlags::FIN, "FIN"),
        (TcpFlags::SYN, "SYN"),
        (TcpFlags::RST, "RST"),
        (TcpFlags::PSH, "PSH"),
        (TcpFlags::ACK, "ACK"),
    ];
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    format!("[{}]", names.join(", "))
}

/// A MAC address as `aa:bb:cc:dd:ee:ff`.
pub fn mac_text(m: [u8; 6]) -> String {
    let [a, b, c, d, e, f] = m;
    format!("{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{f:02x}")
}

fn checksum_note(ok: bool) -> &'static str {
    if ok {
        "correct"
    } else {
        "WRONG: a real stack would drop this"
    }
}

impl EthernetFields {
    /// One line of fields.
    pub fn describe(&self) -> String {
        format!(
            "destination {}, source {}, EtherType 0x{:04x}{}",
            mac_text(self.dst),
            mac_text(self.src),
            self.ether_type,
            if self.ether_type == 0x0800 {
                " (IPv4)"
            } else {
                ""
            }
        )
    }
}

impl Ipv4Fields {
    /// One line of fields.
    pub fn describe(&self) -> String {
        format!(
            "{} -> {}, version 4, header {} bytes, total length {}, id 0x{:04x}, {}TTL {}, \
             protocol {}{}, header checksum 0x{:04x} ({})",
            self.src,
            self.dst,
            self.header_len,
            self.total_len,
            self.id,
            if self.dont_fragment { "DF, " } else { "" },
            self.ttl,
            self.protocol,
            if self.protocol == 6 { " (TCP)" } else { "" },
            self.checksum,
            checksum_note(self.checksum_ok)
        )
    }
}

impl TcpFields {
    /// One line of fields.
    pub fn describe(&self) -> String {
        format!(
            "port {} -> {}, seq {}, ack {}, header {} bytes, flags {}, window {}, checksum \
             0x{:04x} ({}, over the pseudo-header and the segment)",
            self.src_port,
            self.dst_port,
            self.seq,
            self.ack,
            self.header_len,
            flag_names(self.flags),
            self.window,
            self.checksum,
            checksum_note(self.checksum_ok)
        )
    }
}

/// The sender's view: each layer being added, top of the stack first.
pub fn render_encapsulation(l: &Layers) -> String {
    let mut out = String::new();
    let seg_len = l.tcp.header_len + l.payload.len();
    let packet_len = usize::from(l.ipv4.total_len);
    let _ = writeln!(
        out,
        "[application] message {:?}: {} bytes",
        printable(&l.payload),
        l.payload.len()
    );
    out.push_str(&hex_dump(&l.payload, "    "));
    let _ = writeln!(
        out,
        "[transport]   + TCP header ({} bytes): {}",
        l.tcp.header_len,
        l.tcp.describe()
    );
    out.push_str(&hex_dump(l.tcp_header(), "    "));
    let _ = writeln!(out, "              = TCP segment, {seg_len} bytes");
    let _ = writeln!(
        out,
        "[network]     + IPv4 header ({} bytes): {}",
        l.ipv4.header_len,
        l.ipv4.describe()
    );
    out.push_str(&hex_dump(l.ipv4_header(), "    "));
    let _ = writeln!(out, "              = IPv4 packet, {packet_len} bytes");
    let _ = writeln!(
        out,
        "[link]        + Ethernet II header ({ETHERNET_LEN} bytes): {}",
        l.ethernet.describe()
    );
    out.push_str(&hex_dump(l.ethernet_header(), "    "));
    let _ = writeln!(
        out,
        "              = Ethernet frame, {} bytes (the network card would add preamble and a 4-byte FCS)",
        l.frame.len()
    );
    let _ = writeln!(out, "the whole frame:");
    out.push_str(&hex_dump(&l.frame, "    "));
    out
}

/// The receiver's view: each layer being taken off, bottom of the stack first.
pub fn render_decapsulation(l: &Layers) -> String {
    let mut out = String::new();
    let mut left = l.frame.len();
    let _ = writeln!(out, "frame of {left} bytes; taking the layers off:");
    left = left.saturating_sub(ETHERNET_LEN);
    let _ = writeln!(
        out,
        "[link]        - Ethernet II header ({ETHERNET_LEN} bytes): {} -> {left} bytes left",
        l.ethernet.describe()
    );
    out.push_str(&hex_dump(l.ethernet_header(), "    "));
    left = left.saturating_sub(l.ipv4.header_len);
    let _ = writeln!(
        out,
        "[network]     - IPv4 header ({} bytes): {} -> {left} bytes left",
        l.ipv4.header_len,
        l.ipv4.describe()
    );
    out.push_str(&hex_dump(l.ipv4_header(), "    "));
    left = left.saturating_sub(l.tcp.header_len);
    let _ = writeln!(
        out,
        "[transport]   - TCP header ({} bytes): {} -> {left} bytes left",
        l.tcp.header_len,
        l.tcp.describe()
    );
    out.push_str(&hex_dump(l.tcp_header(), "    "));
    let _ = writeln!(
        out,
        "[application] message {:?} ({} bytes)",
        printable(&l.payload),
        l.payload.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            src_mac: [0; 6],
            dst_mac: [0; 6],
            src: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 50312),
            dst: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8888),
            seq: 1,
            ack: 1,
            ip_id: 0,
            ttl: 64,
            window: 512,
        }
    }

    #[test]
    fn headers_match_hand_checked_bytes() {
        let layers = encapsulate(b"hi", &params()).ok();
        let Some(layers) = layers else {
            panic!("encapsulation failed")
        };
        // Ethernet: zero MACs as on the loopback interface, EtherType IPv4.
        assert_eq!(
            layers.ethernet_header(),
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00]
        );
        // IPv4: 45 00, total 42, id 0, DF, TTL 64, TCP, then the checksum, by hand:
        // 4500+002a+0000+4000+4006+7f00+0001+7f00+0001 = 0x1c332, folded 0xc333, inverted 0x3ccc.
        let ip = layers.ipv4_header();
        assert_eq!(
            ip.get(..10),
            Some(&[0x45, 0, 0, 42, 0, 0, 0x40, 0, 64, 6][..])
        );
        assert_eq!(ip.get(12..), Some(&[127, 0, 0, 1, 127, 0, 0, 1][..]));
        assert_eq!(ip.get(10..12), Some(&[0x3c, 0xcc][..]));
        // TCP: ports c488 -> 22b8, seq 1, ack 1, offset 5, PSH+ACK, window 512.
        assert_eq!(
            layers.tcp_header().get(..16),
            Some(
                &[
                    0xc4, 0x88, 0x22, 0xb8, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0x02, 0x00
                ][..]
            )
        );
        assert_eq!(layers.frame.get(54..), Some(&b"hi"[..]));
    }

    #[test]
    fn decapsulation_gives_back_every_field_and_valid_checksums() {
        let sent = encapsulate(b"hello layers", &params()).ok();
        let got = sent.as_ref().and_then(|s| decapsulate(&s.frame).ok());
        assert!(got.is_some());
        assert_eq!(got, sent);
        // etherparse (independent of pnet) agrees the checksums are right.
        if let Some(got) = got {
            assert!(got.ipv4.checksum_ok && got.tcp.checksum_ok);
        }
    }

    #[test]
    fn corrupted_checksums_are_reported_not_fatal() {
        let Ok(mut layers) = encapsulate(b"x", &params()) else {
            panic!("encapsulation failed")
        };
        if let Some(b) = layers.frame.get_mut(54) {
            *b ^= 0xff; // payload byte: TCP checksum now wrong
        }
        if let Some(b) = layers.frame.get_mut(ETHERNET_LEN + 8) {
            *b = 1; // TTL: IPv4 checksum now wrong
        }
        let got = decapsulate(&layers.frame).ok();
        assert_eq!(
            got.map(|g| (g.ipv4.checksum_ok, g.tcp.checksum_ok)),
            Some((false, false))
        );
    }

    #[test]
    fn every_truncation_names_the_layer() {
        let Ok(layers) = encapsulate(b"abc", &params()) else {
            panic!("encapsulation failed")
        };
        for cut in 0..layers.frame.len() {
            let got = decapsulate(layers.frame.get(..cut).unwrap_or_default());
            let Err(e) = got else {
                panic!("cut at {cut} should fail")
            };
            // Past the Ethernet header, either the IPv4 header is cut or its total length
            // promises more bytes than are there.
            let expected = if cut < 14 {
                "link (Ethernet II)"
            } else {
                "network (IPv4)"
            };
            assert_eq!(e.layer, expected, "cut at {cut}");
        }
    }

    #[test]
    fn a_segment_shorter_than_a_tcp_header_is_a_transport_error() {
        let Ok(layers) = encapsulate(b"abc", &params()) else {
            panic!("encapsulation failed")
        };
        let mut short = layers.frame.clone();
        if let Some(b) = short.get_mut(ETHERNET_LEN + 2..ETHERNET_LEN + 4) {
            b.copy_from_slice(&30u16.to_be_bytes()); // IPv4 20 + only 10 bytes of TCP
        }
        let e = decapsulate(&short).err();
        assert_eq!(
            e.map(|e| (e.layer, e.offset)),
            Some(("transport (TCP)", 34))
        );
    }

    #[test]
    fn foreign_frames_are_refused_with_reasons() {
        let Ok(layers) = encapsulate(b"abc", &params()) else {
            panic!("encapsulation failed")
        };
        let mut ipv6 = layers.frame.clone();
        if let Some(b) = ipv6.get_mut(12..14) {
            b.copy_from_slice(&[0x86, 0xdd]);
        }
        let e = decapsulate(&ipv6)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("0x86dd is not IPv4"), "{e}");
        let mut udp = layers.frame.clone();
        if let Some(b) = udp.get_mut(ETHERNET_LEN + 9) {
            *b = 17;
        }
        let e = decapsulate(&udp)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("protocol 17 is not TCP"), "{e}");
        assert!(encapsulate(&vec![0u8; MAX_MESSAGE + 1], &params()).is_err());
    }

    #[test]
    fn flags_read_like_wireshark() {
        assert_eq!(flag_names(0x12), "[SYN, ACK]");
        assert_eq!(flag_names(0x02), "[SYN]");
        assert_eq!(flag_names(0x18), "[PSH, ACK]");
        assert_eq!(flag_names(0x11), "[FIN, ACK]");
    }
}

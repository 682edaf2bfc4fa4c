//! The `stack` command's layers: a message wrapped in TCP, IPv4 and Ethernet headers by
//! [`crate::craft`] (the one builder), taken apart again by [`crate::decode`] (the one decoder),
//! and shown layer by layer by [`crate::render::encapsulation`].

use std::net::SocketAddrV4;

use crate::craft::frame::{self, Route};
use crate::craft::{BuildError, Payload};
use crate::decode::detail::{self, DetailContext, LayerKind};
use crate::decode::tcp_flags::{ACK, PSH};
use crate::decode::{self, Decoded, LinkRepr, NetRepr, Reassembler, TransportRepr, checksum};
use crate::frame::LinkType;
use crate::render::encapsulation::{write_build_up, write_take_off};
use crate::render::style::Style;
use crate::wire::ipv4;
use crate::wire::tcp::{TcpOptions, TcpRepr};

/// Length of the Ethernet II header.
pub const ETHERNET_LEN: usize = crate::wire::ethernet::HEADER_LEN;
/// Length of an IPv4 header without options.
pub const IPV4_LEN: usize = ipv4::HEADER_LEN;
/// Length of a TCP header without options.
pub const TCP_LEN: usize = crate::wire::tcp::HEADER_LEN;
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

/// Why a message could not be wrapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncapError {
    /// Too long for one IPv4 packet.
    #[error(
        "the message is {0} bytes; one IPv4 packet carries at most {MAX_MESSAGE} bytes after the IPv4 and TCP headers"
    )]
    TooLong(usize),
    /// The builder refused (cannot happen with the sizes checked first).
    #[error("building the frame failed: {0}")]
    Build(#[from] BuildError),
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

/// Wraps `message` in TCP, then IPv4, then Ethernet (PSH+ACK, no TCP options); returns the
/// frame.
pub fn encapsulate(message: &[u8], p: &Params) -> Result<Vec<u8>, EncapError> {
    if message.len() > MAX_MESSAGE {
        return Err(EncapError::TooLong(message.len()));
    }
    let route = Route {
        src_mac: p.src_mac,
        dst_mac: p.dst_mac,
        src_ip: *p.src.ip(),
        dst_ip: *p.dst.ip(),
        ttl: p.ttl,
    };
    let tcp = TcpRepr::new(
        p.src.port(),
        p.dst.port(),
        p.seq,
        p.ack,
        PSH | ACK,
        p.window,
        TcpOptions::default(),
    );
    let mut buf = Vec::new();
    frame::tcp(&mut buf, &route, p.ip_id, &tcp, Payload::new(message))?;
    Ok(buf)
}

/// A frame taken apart by the decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decapsulated {
    /// The frame.
    pub frame: Vec<u8>,
    /// The decoder's view of it.
    pub decoded: Decoded,
    /// IPv4 header length in bytes.
    pub ip_header_len: usize,
    /// TCP header length in bytes.
    pub tcp_header_len: usize,
    /// The application data.
    pub payload: Vec<u8>,
    /// The IPv4 header checksum is right.
    pub ip_checksum_ok: bool,
    /// The TCP checksum (pseudo-header and segment) is right.
    pub tcp_checksum_ok: bool,
}

/// Takes the Ethernet, IPv4 and TCP headers off `frame` with the decoder, checking lengths
/// and both checksums.
pub fn decapsulate(frame: &[u8]) -> Result<Decapsulated, DecapError> {
    let err = |layer, offset, detail: String| DecapError {
        layer,
        offset,
        detail,
    };
    let d = decode::decode(1, LinkType::ETHERNET, frame, &mut Reassembler::new());
    let reason = || {
        d.malformed
            .clone()
            .unwrap_or_else(|| "not decodable".into())
    };
    match &d.link {
        LinkRepr::Ethernet { header, .. } if header.ethertype == 0x0800 => {}
        LinkRepr::Ethernet { header, .. } => {
            return Err(err(
                "link (Ethernet II)",
                0,
                format!("EtherType 0x{:04x} is not IPv4 (0x0800)", header.ethertype),
            ));
        }
        _ => return Err(err("link (Ethernet II)", 0, reason())),
    }
    let NetRepr::Ipv4(ip) = &d.net else {
        return Err(err("network (IPv4)", ETHERNET_LEN, reason()));
    };
    let after_link = frame.len() - ETHERNET_LEN;
    if usize::from(ip.total_len) > after_link {
        return Err(err(
            "network (IPv4)",
            ETHERNET_LEN,
            format!(
                "total length {} is more than the {after_link} bytes that follow the Ethernet header",
                ip.total_len
            ),
        ));
    }
    if ip.protocol != ipv4::PROTO_TCP {
        return Err(err(
            "network (IPv4)",
            ETHERNET_LEN,
            format!("protocol {} is not TCP (6)", ip.protocol),
        ));
    }
    let tcp_offset = ip.range.end;
    let TransportRepr::Tcp(t) = &d.transport else {
        return Err(err("transport (TCP)", tcp_offset, reason()));
    };
    if t.len.is_none() {
        return Err(err("transport (TCP)", tcp_offset, reason()));
    }
    let payload = frame.get(t.payload.clone()).unwrap_or_default().to_vec();
    let ip_checksum_ok = checksum::ipv4_header_ok(frame, &d).unwrap_or(false);
    let tcp_checksum_ok = checksum::tcp_ipv4_ok(frame, &d).unwrap_or(false);
    let end = (ETHERNET_LEN + usize::from(ip.total_len)).min(frame.len());
    Ok(Decapsulated {
        frame: frame[..end].to_vec(),
        ip_header_len: usize::from(ip.header_len),
        tcp_header_len: usize::from(t.header_len),
        payload,
        ip_checksum_ok,
        tcp_checksum_ok,
        decoded: d,
    })
}

fn checksum_line(ok: bool, what: &str) -> String {
    if ok {
        format!("{what} checked again here: correct")
    } else {
        format!("{what} checked again here: WRONG, a real stack would drop this frame")
    }
}

/// The sender's view: the frame built from the top of the stack down.
pub fn render_encapsulation(frame: &[u8]) -> String {
    let d = decode::decode(1, LinkType::ETHERNET, frame, &mut Reassembler::new());
    let layers = detail::layers(&d, frame, &DetailContext::default());
    let mut out = Vec::new();
    let _ = write_build_up(
        &mut out,
        frame,
        &layers,
        "encapsulating the message",
        Style::default(),
    );
    String::from_utf8_lossy(&out).into_owned()
}

/// The receiver's view: each layer taken off, bottom of the stack first, with both checksums
/// checked.
pub fn render_decapsulation(l: &Decapsulated) -> String {
    let layers = detail::layers(&l.decoded, &l.frame, &DetailContext::default());
    let checks = [
        (
            LayerKind::Ipv4,
            checksum_line(l.ip_checksum_ok, "header checksum"),
        ),
        (
            LayerKind::Tcp,
            checksum_line(l.tcp_checksum_ok, "checksum (pseudo-header + segment)"),
        ),
    ];
    let mut out = Vec::new();
    let _ = write_take_off(&mut out, &l.frame, &layers, &checks, Style::default());
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

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
        let frame = encapsulate(b"hi", &params()).unwrap();
        // Ethernet: zero MACs as on the loopback interface, EtherType IPv4.
        assert_eq!(
            frame[..14],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00]
        );
        // IPv4: 45 00, total 42, id 0, DF, TTL 64, TCP, then the checksum, by hand:
        // 4500+002a+0000+4000+4006+7f00+0001+7f00+0001 = 0x1c332, folded 0xc333, inverted 0x3ccc.
        let ip = &frame[14..34];
        assert_eq!(ip[..10], [0x45, 0, 0, 42, 0, 0, 0x40, 0, 64, 6]);
        assert_eq!(ip[12..], [127, 0, 0, 1, 127, 0, 0, 1]);
        assert_eq!(ip[10..12], [0x3c, 0xcc]);
        // TCP: ports c488 -> 22b8, seq 1, ack 1, offset 5, PSH+ACK, window 512.
        assert_eq!(
            frame[34..50],
            [
                0xc4, 0x88, 0x22, 0xb8, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0x02, 0x00
            ]
        );
        assert_eq!(&frame[54..], b"hi");
    }

    #[test]
    fn decapsulation_gives_back_every_field_and_valid_checksums() {
        let frame = encapsulate(b"hello layers", &params()).unwrap();
        let got = decapsulate(&frame).unwrap();
        assert_eq!(got.payload, b"hello layers");
        assert_eq!((got.ip_header_len, got.tcp_header_len), (20, 20));
        assert!(got.ip_checksum_ok && got.tcp_checksum_ok);
        let TransportRepr::Tcp(t) = &got.decoded.transport else {
            panic!()
        };
        assert_eq!((t.src_port, t.dst_port, t.seq, t.ack), (50312, 8888, 1, 1));
        assert_eq!((t.flags, t.window), (PSH | ACK, 512));
    }

    #[test]
    fn corrupted_checksums_are_reported_not_fatal() {
        let mut frame = encapsulate(b"x", &params()).unwrap();
        frame[54] ^= 0xff; // payload byte: TCP checksum now wrong
        frame[ETHERNET_LEN + 8] = 1; // TTL: IPv4 checksum now wrong
        let got = decapsulate(&frame).unwrap();
        assert_eq!((got.ip_checksum_ok, got.tcp_checksum_ok), (false, false));
        let text = render_decapsulation(&got);
        assert!(
            text.contains("WRONG, a real stack would drop this frame"),
            "{text}"
        );
    }

    #[test]
    fn every_truncation_names_the_layer() {
        let frame = encapsulate(b"abc", &params()).unwrap();
        for cut in 0..frame.len() {
            let Err(e) = decapsulate(&frame[..cut]) else {
                panic!("cut at {cut} should fail")
            };
            // Past the Ethernet header, either the IPv4 header is cut or its total length
            // promises more bytes than are there.
            let expected = if cut < 14 {
                "link (Ethernet II)"
            } else {
                "network (IPv4)"
            };
            assert_eq!(e.layer, expected, "cut at {cut}: {e}");
        }
    }

    #[test]
    fn a_segment_shorter_than_a_tcp_header_is_a_transport_error() {
        let mut short = encapsulate(b"abc", &params()).unwrap();
        // IPv4 20 + only 10 bytes of TCP
        short[ETHERNET_LEN + 2..ETHERNET_LEN + 4].copy_from_slice(&30u16.to_be_bytes());
        let e = decapsulate(&short).err();
        assert_eq!(
            e.map(|e| (e.layer, e.offset)),
            Some(("transport (TCP)", 34))
        );
    }

    #[test]
    fn foreign_frames_are_refused_with_reasons() {
        let frame = encapsulate(b"abc", &params()).unwrap();
        let mut ipv6 = frame.clone();
        ipv6[12..14].copy_from_slice(&[0x86, 0xdd]);
        let e = decapsulate(&ipv6).unwrap_err().to_string();
        assert!(e.contains("0x86dd is not IPv4"), "{e}");
        let mut udp = frame.clone();
        udp[ETHERNET_LEN + 9] = 17;
        let e = decapsulate(&udp).unwrap_err().to_string();
        assert!(e.contains("protocol 17 is not TCP"), "{e}");
        assert!(encapsulate(&vec![0u8; MAX_MESSAGE + 1], &params()).is_err());
    }

    #[test]
    fn both_views_name_every_layer() {
        let frame = encapsulate(b"hello", &params()).unwrap();
        let up = render_encapsulation(&frame);
        for want in [
            "[application] 5 bytes of data",
            "[transport]   + TCP header, 20 bytes → TCP segment of 25 bytes",
            "[network]     + IPv4 header, 20 bytes → IPv4 packet of 45 bytes",
            "[link]        + Ethernet II header, 14 bytes → Ethernet frame of 59 bytes",
            "Source Port: 50312",
            "the whole frame, 59 bytes",
        ] {
            assert!(up.contains(want), "{want:?} in\n{up}");
        }
        let down = render_decapsulation(&decapsulate(&frame).unwrap());
        for want in [
            "[link]        - Ethernet II header, 14 bytes → 45 bytes left",
            "[network]     - IPv4 header, 20 bytes → 25 bytes left",
            "[transport]   - TCP header, 20 bytes → 5 bytes left",
            "[application] 5 bytes of data for the application",
            "header checksum checked again here: correct",
        ] {
            assert!(down.contains(want), "{want:?} in\n{down}");
        }
    }
}

//! Whole Ethernet frames, built in encapsulation order — payload, then the TCP (or ICMP)
//! header around it, then IPv4, then Ethernet — into one reusable buffer, with the byte range
//! of every layer so that views can tie each field to its bytes.

use std::net::Ipv4Addr;
use std::ops::Range;

use super::{BuildError, Payload};
use crate::wire::arp::{self, ArpRepr};
use crate::wire::ethernet::{self, ETHERTYPE_ARP, ETHERTYPE_IPV4, EthernetRepr};
use crate::wire::icmp::{self, IcmpRepr};
use crate::wire::ipv4::{self, Ipv4Repr};
use crate::wire::tcp::TcpRepr;
use crate::wire::udp::{self, UdpRepr};

/// The addresses of one direction of a conversation, at the link and network layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Our MAC address.
    pub src_mac: [u8; 6],
    /// The next hop's MAC address.
    pub dst_mac: [u8; 6],
    /// Our IPv4 address.
    pub src_ip: Ipv4Addr,
    /// The destination's IPv4 address.
    pub dst_ip: Ipv4Addr,
    /// Time to live of the packets.
    pub ttl: u8,
}

/// Where each layer is in a built frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// The Ethernet header.
    pub ethernet: Range<usize>,
    /// The network header (IPv4), or the ARP packet.
    pub network: Range<usize>,
    /// The transport header (TCP, ICMP); empty for ARP.
    pub transport: Range<usize>,
    /// The payload carried by the transport layer.
    pub payload: Range<usize>,
}

impl Layout {
    /// Total frame length.
    pub fn len(&self) -> usize {
        self.payload
            .end
            .max(self.transport.end)
            .max(self.network.end)
    }

    /// True for an empty layout.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Builds a TCP segment in IPv4 in Ethernet into `buf` (replacing what it held).
pub fn tcp(
    buf: &mut Vec<u8>,
    route: &Route,
    ip_id: u16,
    tcp: &TcpRepr,
    payload: Payload<'_>,
) -> Result<Layout, BuildError> {
    let tcp_len = tcp.emit_header_len();
    let segment_len = tcp_len + payload.len();
    let ip = Ipv4Repr::new(
        route.src_ip,
        route.dst_ip,
        ipv4::PROTO_TCP,
        segment_len,
        ip_id,
        route.ttl,
        true,
    )?;
    let l = layout(ipv4::HEADER_LEN, tcp_len, payload.len());
    set_len(buf, l.len());
    // Top of the stack first: the payload, then each header in front of what it carries.
    payload.copy_to(&mut buf[l.payload.clone()]);
    tcp.emit(&mut buf[l.transport.start..], route.src_ip, route.dst_ip)?;
    ip.emit(&mut buf[l.network.clone()])?;
    ethernet_header(route, ETHERTYPE_IPV4).emit(&mut buf[l.ethernet.clone()])?;
    Ok(l)
}

/// Builds an ICMP echo message carrying `data` in IPv4 in Ethernet into `buf`.
pub fn icmp_echo(
    buf: &mut Vec<u8>,
    route: &Route,
    ip_id: u16,
    echo: &IcmpRepr,
    data: &[u8],
) -> Result<Layout, BuildError> {
    let ip = Ipv4Repr::new(
        route.src_ip,
        route.dst_ip,
        ipv4::PROTO_ICMP,
        icmp::HEADER_LEN + data.len(),
        ip_id,
        route.ttl,
        false,
    )?;
    let l = layout(ipv4::HEADER_LEN, icmp::HEADER_LEN, data.len());
    set_len(buf, l.len());
    buf[l.payload.clone()].copy_from_slice(data);
    echo.emit(&mut buf[l.transport.start..])?;
    ip.emit(&mut buf[l.network.clone()])?;
    ethernet_header(route, ETHERTYPE_IPV4).emit(&mut buf[l.ethernet.clone()])?;
    Ok(l)
}

/// Builds a UDP datagram carrying `data` from port `src_port` to `dst_port` in IPv4 in
/// Ethernet into `buf` (DHCP's messages).
pub fn udp(
    buf: &mut Vec<u8>,
    route: &Route,
    ip_id: u16,
    src_port: u16,
    dst_port: u16,
    data: &[u8],
) -> Result<Layout, BuildError> {
    let u = UdpRepr::new(src_port, dst_port, data.len())?;
    let ip = Ipv4Repr::new(
        route.src_ip,
        route.dst_ip,
        ipv4::PROTO_UDP,
        udp::HEADER_LEN + data.len(),
        ip_id,
        route.ttl,
        false,
    )?;
    let l = layout(ipv4::HEADER_LEN, udp::HEADER_LEN, data.len());
    set_len(buf, l.len());
    buf[l.payload.clone()].copy_from_slice(data);
    u.emit(&mut buf[l.transport.start..], route.src_ip, route.dst_ip)?;
    ip.emit(&mut buf[l.network.clone()])?;
    ethernet_header(route, ETHERTYPE_IPV4).emit(&mut buf[l.ethernet.clone()])?;
    Ok(l)
}

/// Builds one IPv4 packet in Ethernet into `buf`: the header `ip` (a whole packet's, or a
/// fragment's from [`Ipv4Repr::fragment`]) in front of `data`, bytes of an IP payload built
/// beforehand (a transport header and its data, or a fragment's share of them). The layout
/// has no transport range: in a fragment the bytes are only a piece of one.
pub fn ipv4_packet(
    buf: &mut Vec<u8>,
    route: &Route,
    ip: &Ipv4Repr,
    data: &[u8],
) -> Result<Layout, BuildError> {
    if usize::from(ip.total_len) != ipv4::HEADER_LEN + data.len() {
        return Err(BuildError::BufferTooShort {
            layer: "IPv4 payload",
            need: usize::from(ip.total_len).saturating_sub(ipv4::HEADER_LEN),
            have: data.len(),
        });
    }
    let l = layout(ipv4::HEADER_LEN, 0, data.len());
    set_len(buf, l.len());
    buf[l.payload.clone()].copy_from_slice(data);
    ip.emit(&mut buf[l.network.clone()])?;
    ethernet_header(route, ETHERTYPE_IPV4).emit(&mut buf[l.ethernet.clone()])?;
    Ok(l)
}

/// Builds an ARP packet in Ethernet into `buf`, sent to `dst_mac` (broadcast for a request).
pub fn arp(
    buf: &mut Vec<u8>,
    src_mac: [u8; 6],
    dst_mac: [u8; 6],
    arp: &ArpRepr,
) -> Result<Layout, BuildError> {
    let e = ethernet::HEADER_LEN;
    let l = Layout {
        ethernet: 0..e,
        network: e..e + arp::LEN,
        transport: e + arp::LEN..e + arp::LEN,
        payload: e + arp::LEN..e + arp::LEN,
    };
    set_len(buf, l.len());
    arp.emit(&mut buf[l.network.clone()])?;
    EthernetRepr {
        dst: dst_mac,
        src: src_mac,
        ethertype: ETHERTYPE_ARP,
    }
    .emit(&mut buf[l.ethernet.clone()])?;
    Ok(l)
}

/// Makes `buf` `n` bytes long without clearing what it held: every byte of a frame is written
/// by the builders (headers field by field, the payload by copy), and the usual frame is as
/// long as the one before it, so this is free.
fn set_len(buf: &mut Vec<u8>, n: usize) {
    if buf.len() > n {
        buf.truncate(n);
    } else {
        buf.resize(n, 0);
    }
}

fn ethernet_header(route: &Route, ethertype: u16) -> EthernetRepr {
    EthernetRepr {
        dst: route.dst_mac,
        src: route.src_mac,
        ethertype,
    }
}

fn layout(net_len: usize, transport_len: usize, payload_len: usize) -> Layout {
    let e = ethernet::HEADER_LEN;
    let t = e + net_len;
    let p = t + transport_len;
    Layout {
        ethernet: 0..e,
        network: e..t,
        transport: t..p,
        payload: p..p + payload_len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{self, NetRepr, Reassembler, TransportRepr, tcp_flags, tcp_options};
    use crate::frame::LinkType;
    use crate::wire::tcp::TcpOptions;

    fn route() -> Route {
        Route {
            src_mac: [2, 0, 0, 0, 3, 2],
            dst_mac: [2, 0, 0, 0, 3, 1],
            src_ip: Ipv4Addr::new(10, 0, 3, 2),
            dst_ip: Ipv4Addr::new(10, 0, 3, 1),
            ttl: 64,
        }
    }

    /// craft → decode gives back every field, and the checksums verify (etherparse computes
    /// them independently of pnet).
    #[test]
    fn a_tcp_frame_round_trips_through_the_decoder() {
        let repr = TcpRepr::new(
            40000,
            8080,
            u32::MAX - 3,
            77,
            tcp_flags::PSH | tcp_flags::ACK,
            502,
            TcpOptions {
                timestamps: Some((123, 456)),
                ..TcpOptions::default()
            },
        );
        let mut buf = Vec::new();
        let l = tcp(
            &mut buf,
            &route(),
            0x4242,
            &repr,
            Payload {
                head: b"hello ",
                tail: b"wire",
            },
        )
        .unwrap();
        assert_eq!(l.len(), buf.len());
        assert_eq!(buf.len(), 14 + 20 + 32 + 10);
        let d = decode::decode(1, LinkType::ETHERNET, &buf, &mut Reassembler::new());
        assert_eq!(d.malformed, None);
        let decode::LinkRepr::Ethernet {
            header:
                EthernetRepr {
                    dst,
                    src,
                    ethertype,
                },
            ..
        } = d.link
        else {
            panic!("{:?}", d.link)
        };
        assert_eq!(
            (dst, src, ethertype),
            ([2, 0, 0, 0, 3, 1], [2, 0, 0, 0, 3, 2], 0x0800)
        );
        let NetRepr::Ipv4(ip) = &d.net else { panic!() };
        assert_eq!(
            (ip.src, ip.dst, ip.id, ip.ttl, ip.protocol, ip.total_len),
            (route().src_ip, route().dst_ip, 0x4242, 64, 6, 62)
        );
        assert!(ip.dont_fragment && !ip.more_fragments && ip.frag_offset == 0);
        assert_eq!(ip.range, l.network);
        let TransportRepr::Tcp(t) = &d.transport else {
            panic!()
        };
        assert_eq!(
            (t.src_port, t.dst_port, t.seq, t.ack, t.flags, t.window),
            (40000, 8080, u32::MAX - 3, 77, repr.flags, 502)
        );
        assert_eq!(t.len, Some(10));
        assert_eq!(t.range, l.transport);
        assert_eq!(&buf[t.payload.clone()], b"hello wire");
        let (opts, err) = tcp_options::parse(&buf[t.options_range.clone()]);
        assert_eq!((opts, err), (repr.options, None));
        // Independent checksums.
        let sliced = etherparse::SlicedPacket::from_ethernet(&buf).unwrap();
        let Some(etherparse::NetSlice::Ipv4(ip4)) = &sliced.net else {
            panic!()
        };
        let h = ip4.header().to_header();
        assert_eq!(h.calc_header_checksum(), h.header_checksum);
        let Some(etherparse::TransportSlice::Tcp(ts)) = &sliced.transport else {
            panic!()
        };
        assert_eq!(
            ts.calc_checksum_ipv4(ip4.header().source(), ip4.header().destination()),
            Ok(ts.checksum())
        );
    }

    #[test]
    fn arp_and_icmp_frames_round_trip() {
        let mut buf = Vec::new();
        let req = ArpRepr::request(route().src_mac, route().src_ip, route().dst_ip);
        arp(&mut buf, route().src_mac, ethernet::BROADCAST, &req).unwrap();
        assert_eq!(buf.len(), 42);
        let d = decode::decode(1, LinkType::ETHERNET, &buf, &mut Reassembler::new());
        let NetRepr::Arp(a) = &d.net else { panic!() };
        assert_eq!(
            (a.op, a.sender_mac, a.sender_ip, a.target_ip),
            (1, req.sender_mac, req.sender_ip, req.target_ip)
        );
        let echo = IcmpRepr::echo(icmp::ECHO_REQUEST, 7, 3);
        icmp_echo(&mut buf, &route(), 9, &echo, &[0xab; 56]).unwrap();
        assert_eq!(buf.len(), 98);
        let d = decode::decode(2, LinkType::ETHERNET, &buf, &mut Reassembler::new());
        let TransportRepr::Icmpv4(i) = &d.transport else {
            panic!("{:?}", d.transport)
        };
        assert_eq!(
            (i.icmp_type, i.code, i.echo_id(), i.echo_seq()),
            (8, 0, 7, 3)
        );
        let sliced = etherparse::SlicedPacket::from_ethernet(&buf).unwrap();
        let Some(etherparse::TransportSlice::Icmpv4(is)) = &sliced.transport else {
            panic!()
        };
        assert_eq!(is.icmp_type().calc_checksum(is.payload()), is.checksum());
    }

    /// The buffer is reused without clearing: a frame built over an old one (filled with 0xaa)
    /// must be byte for byte the frame built in a fresh buffer.
    #[test]
    fn no_byte_of_an_old_frame_survives_in_a_reused_buffer() {
        let repr = TcpRepr::new(
            1,
            2,
            3,
            4,
            tcp_flags::ACK,
            5,
            TcpOptions {
                timestamps: Some((6, 7)),
                ..TcpOptions::default()
            },
        );
        let mut fresh = Vec::new();
        tcp(&mut fresh, &route(), 9, &repr, Payload::new(b"abc")).unwrap();
        let mut reused = vec![0xaa; fresh.len()];
        tcp(&mut reused, &route(), 9, &repr, Payload::new(b"abc")).unwrap();
        assert_eq!(reused, fresh);
        let mut syn = repr;
        syn.flags = tcp_flags::SYN;
        syn.options = TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((1, 0)),
            sack: Default::default(),
        };
        let mut fresh = Vec::new();
        tcp(&mut fresh, &route(), 9, &syn, Payload::default()).unwrap();
        let mut reused = vec![0x55; fresh.len() + 100];
        tcp(&mut reused, &route(), 9, &syn, Payload::default()).unwrap();
        assert_eq!(reused, fresh);
        let echo = IcmpRepr::echo(icmp::ECHO_REQUEST, 1, 2);
        let mut fresh = Vec::new();
        icmp_echo(&mut fresh, &route(), 3, &echo, b"xy").unwrap();
        let mut reused = vec![0xff; fresh.len()];
        icmp_echo(&mut reused, &route(), 3, &echo, b"xy").unwrap();
        assert_eq!(reused, fresh);
        let req = ArpRepr::request([1; 6], route().src_ip, route().dst_ip);
        let mut fresh = Vec::new();
        arp(&mut fresh, [1; 6], ethernet::BROADCAST, &req).unwrap();
        let mut reused = vec![0x77; 60];
        arp(&mut reused, [1; 6], ethernet::BROADCAST, &req).unwrap();
        assert_eq!(reused, fresh);
    }

    /// A UDP datagram cut in three fragments by the IPv4 model: each frame decodes as a
    /// fragment with its offset, and the third completes the datagram in the reassembler.
    #[test]
    fn fragments_of_one_datagram_reassemble_in_the_decoder() {
        use crate::wire::udp::UdpRepr;
        let r = route();
        let mut datagram = vec![0x5a; 2980];
        UdpRepr::new(40000, 33434, 2972)
            .unwrap()
            .emit(&mut datagram, r.src_ip, r.dst_ip)
            .unwrap();
        let whole = Ipv4Repr::new(r.src_ip, r.dst_ip, ipv4::PROTO_UDP, 2980, 7, 1, false).unwrap();
        let mut reasm = Reassembler::new();
        let mut buf = Vec::new();
        let pieces = ipv4::fragments(datagram.len(), 1500).unwrap();
        assert_eq!(pieces.len(), 3);
        for (n, f) in pieces.iter().enumerate() {
            let ip = whole.fragment(f).unwrap();
            let l = ipv4_packet(&mut buf, &r, &ip, &datagram[f.bytes.clone()]).unwrap();
            assert_eq!(l.len(), buf.len());
            let d = decode::decode(n as u64 + 1, LinkType::ETHERNET, &buf, &mut reasm);
            let NetRepr::Ipv4(h) = &d.net else { panic!() };
            assert_eq!(
                (h.frag_offset, h.more_fragments),
                (f.bytes.start as u16, f.more)
            );
            if f.more {
                assert!(d.fragment.is_some());
            } else {
                let TransportRepr::Udp(u) = &d.transport else {
                    panic!("{:?}", d.transport)
                };
                assert_eq!((u.dst_port, u.length), (33434, 2980));
                assert_eq!(d.reassembled.as_ref().map(|x| x.data.len()), Some(2980));
            }
        }
        let short = whole.fragment(&pieces[0]).unwrap();
        assert!(ipv4_packet(&mut buf, &r, &short, &datagram[..10]).is_err());
    }

    #[test]
    fn oversized_payloads_are_refused() {
        let mut buf = Vec::new();
        let big = vec![0u8; ipv4::MAX_PAYLOAD];
        let err = tcp(
            &mut buf,
            &route(),
            0,
            &TcpRepr::default(),
            Payload::new(&big),
        );
        assert!(matches!(err, Err(BuildError::TooLong { .. })));
    }
}

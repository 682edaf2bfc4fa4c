//! The filter's view of an analysed [`Packet`].

use super::field::{Field, FieldValue, Fields, Proto};
use crate::analyse::Packet;
use crate::decode::{EthernetRepr, LinkRepr, NetRepr, TransportRepr, tcp_flags};
use crate::dissect::FieldVal;

impl Fields for Packet {
    fn has(&self, proto: Proto) -> bool {
        let d = &self.decoded;
        match proto {
            Proto::Eth => matches!(d.link, LinkRepr::Ethernet { .. }),
            Proto::Arp => matches!(d.net, NetRepr::Arp(_)),
            Proto::Ip => matches!(d.net, NetRepr::Ipv4(_)),
            Proto::Ipv6 => matches!(d.net, NetRepr::Ipv6(_)),
            Proto::Icmp => matches!(d.transport, TransportRepr::Icmpv4(_)),
            Proto::Icmpv6 => matches!(d.transport, TransportRepr::Icmpv6(_)),
            Proto::Tcp => matches!(d.transport, TransportRepr::Tcp(_)),
            Proto::Udp => matches!(d.transport, TransportRepr::Udp(_)),
            Proto::App(app) => self.app.iter().any(|l| l.dissector == Some(app)),
        }
    }

    fn each(&self, field: Field, f: &mut dyn FnMut(FieldValue<'_>)) {
        use FieldValue::{Bool, Int, Ip, Mac, Str};
        let d = &self.decoded;
        let int = |v: u64, f: &mut dyn FnMut(FieldValue<'_>)| f(Int(v));
        match field {
            Field::FrameNumber => int(self.number, f),
            Field::FrameLen => int(u64::from(self.len), f),
            Field::FrameCapLen => int(u64::from(self.caplen), f),
            Field::EthSrc | Field::EthDst | Field::EthType => {
                if let LinkRepr::Ethernet {
                    header:
                        EthernetRepr {
                            src,
                            dst,
                            ethertype,
                        },
                    ..
                } = &d.link
                {
                    match field {
                        Field::EthSrc => f(Mac(*src)),
                        Field::EthDst => f(Mac(*dst)),
                        _ => int(u64::from(*ethertype), f),
                    }
                }
            }
            Field::IpSrc | Field::IpDst | Field::IpProto | Field::IpTtl => {
                if let NetRepr::Ipv4(ip) = &d.net {
                    match field {
                        Field::IpSrc => f(Ip(ip.src.into())),
                        Field::IpDst => f(Ip(ip.dst.into())),
                        Field::IpProto => int(u64::from(ip.protocol), f),
                        _ => int(u64::from(ip.ttl), f),
                    }
                }
            }
            Field::Ipv6Src | Field::Ipv6Dst => {
                if let NetRepr::Ipv6(ip) = &d.net {
                    f(Ip(if field == Field::Ipv6Src {
                        ip.src
                    } else {
                        ip.dst
                    }
                    .into()));
                }
            }
            Field::TcpSrcPort
            | Field::TcpDstPort
            | Field::TcpStream
            | Field::TcpSeq
            | Field::TcpAck
            | Field::TcpLen
            | Field::TcpFlags
            | Field::TcpFlagsSyn
            | Field::TcpFlagsAck
            | Field::TcpFlagsFin
            | Field::TcpFlagsRst
            | Field::TcpFlagsPush
            | Field::TcpFlagsUrg
            | Field::TcpWindowSize
            | Field::TcpAnalysisRetransmission
            | Field::TcpAnalysisDuplicateAck
            | Field::TcpAnalysisZeroWindow
            | Field::TcpAnalysisOutOfOrder
            | Field::TcpAnalysisKeepAlive
            | Field::TcpAnalysisLostSegment => {
                let TransportRepr::Tcp(t) = &d.transport else {
                    return;
                };
                let a = self.tcp.as_ref();
                let bit = |b: u16| Bool(t.flags & b != 0);
                let analysis = |name: &str| a.is_some_and(|a| a.flags.has_field(name));
                match field {
                    Field::TcpSrcPort => int(u64::from(t.src_port), f),
                    Field::TcpDstPort => int(u64::from(t.dst_port), f),
                    Field::TcpStream => {
                        if let Some(a) = a {
                            int(u64::from(a.stream), f)
                        }
                    }
                    Field::TcpSeq => int(u64::from(a.map_or(t.seq, |a| a.seq)), f),
                    Field::TcpAck => int(u64::from(a.map_or(t.ack, |a| a.ack)), f),
                    Field::TcpLen => {
                        if let Some(l) = t.len {
                            int(u64::from(l), f)
                        }
                    }
                    Field::TcpFlags => int(u64::from(t.flags), f),
                    Field::TcpFlagsSyn => f(bit(tcp_flags::SYN)),
                    Field::TcpFlagsAck => f(bit(tcp_flags::ACK)),
                    Field::TcpFlagsFin => f(bit(tcp_flags::FIN)),
                    Field::TcpFlagsRst => f(bit(tcp_flags::RST)),
                    Field::TcpFlagsPush => f(bit(tcp_flags::PSH)),
                    Field::TcpFlagsUrg => f(bit(tcp_flags::URG)),
                    Field::TcpWindowSize => {
                        int(u64::from(a.map_or(u32::from(t.window), |a| a.window)), f)
                    }
                    Field::TcpAnalysisRetransmission => {
                        if analysis("retransmission") {
                            f(Bool(true))
                        }
                    }
                    Field::TcpAnalysisDuplicateAck => {
                        if analysis("duplicate_ack") {
                            f(Bool(true))
                        }
                    }
                    Field::TcpAnalysisZeroWindow => {
                        if analysis("zero_window") {
                            f(Bool(true))
                        }
                    }
                    Field::TcpAnalysisOutOfOrder => {
                        if analysis("out_of_order") {
                            f(Bool(true))
                        }
                    }
                    Field::TcpAnalysisKeepAlive => {
                        if analysis("keep_alive") {
                            f(Bool(true))
                        }
                    }
                    _ => {
                        if analysis("lost_segment") {
                            f(Bool(true))
                        }
                    }
                }
            }
            Field::UdpSrcPort | Field::UdpDstPort | Field::UdpLength => {
                if let TransportRepr::Udp(u) = &d.transport {
                    int(
                        u64::from(match field {
                            Field::UdpSrcPort => u.src_port,
                            Field::UdpDstPort => u.dst_port,
                            _ => u.length,
                        }),
                        f,
                    );
                }
            }
            Field::IcmpType | Field::IcmpCode => {
                if let TransportRepr::Icmpv4(i) = &d.transport {
                    int(
                        u64::from(if field == Field::IcmpType {
                            i.icmp_type
                        } else {
                            i.code
                        }),
                        f,
                    );
                }
            }
            Field::ArpOpcode => {
                if let NetRepr::Arp(a) = &d.net {
                    int(u64::from(a.op), f);
                }
            }
            Field::App(def) => {
                for layer in &self.app {
                    for v in layer.values(def.name) {
                        match v {
                            FieldVal::Uint(n) | FieldVal::Hex(n, _) => int(*n, f),
                            FieldVal::Bool(b) => f(Bool(*b)),
                            FieldVal::Str(s) => f(Str(s)),
                            FieldVal::Ip(a) => f(Ip(*a)),
                            FieldVal::Mac(m) => f(Mac(*m)),
                            FieldVal::None => f(Bool(true)),
                            FieldVal::Bytes(b) => {
                                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                                f(Str(&hex));
                            }
                        }
                    }
                }
            }
            // Combined fields are split into their parts by the evaluator.
            Field::EthAddr | Field::IpAddr | Field::Ipv6Addr | Field::TcpPort | Field::UdpPort => {}
        }
    }
}

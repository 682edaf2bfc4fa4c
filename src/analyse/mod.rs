//! Analysis across frames: the per-frame pipeline step after decoding.
//!
//! An [`Analyzer`] turns each [`Frame`] into a [`Packet`]: the decoded layers, the TCP
//! analysis of [`tcp`] (stream index, relative numbers, flags), and the Protocol and Info
//! columns worded like Wireshark's. It keeps state per stream, per pending fragment and per
//! outstanding echo request, never per packet, so memory does not grow with packet count.
#![forbid(unsafe_code)]

pub mod arp;
pub mod conversations;
pub mod follow;
pub mod handshake;
pub mod hierarchy;
pub mod icmp;
pub mod info;
pub mod report;
pub mod rtt;
pub use crate::dissect::simp;
pub use crate::wire::seq;
pub mod tcp;
pub mod throughput;

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use crate::decode::{self, Decoded, NetRepr, QuotedTransport, Reassembler, TransportRepr};
use crate::dissect::{
    AppLayer, Columns, Dissector, Dissectors, Endpoints, Table, TcpSegmentInfo, Want,
};
use crate::frame::{Frame, LinkType};
pub use crate::wire::mac;
use tcp::{TcpAnalysis, TcpAnalyzer, TcpSegment};

/// The Protocol column: the topmost layer decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// Nothing decoded beyond the frame.
    #[default]
    Frame,
    /// Ethernet payload of an ethertype not decoded.
    Ethertype(u16),
    /// IEEE 802.3 with an LLC header.
    Llc,
    /// ARP.
    Arp,
    /// IPv4 (fragments, unknown protocols).
    Ipv4,
    /// IPv6.
    Ipv6,
    /// ICMP.
    Icmp,
    /// ICMPv6.
    Icmpv6,
    /// IGMP.
    Igmp,
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// An application protocol, named as its dissector sets the column (`DNS`, `TLSv1.2`).
    App(&'static str),
}

impl Protocol {
    /// The column text.
    pub fn as_str(self) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow::Borrowed;
        match self {
            Protocol::Frame => Borrowed("Frame"),
            Protocol::Ethertype(t) => std::borrow::Cow::Owned(format!("0x{t:04x}")),
            Protocol::Llc => Borrowed("LLC"),
            Protocol::Arp => Borrowed("ARP"),
            Protocol::Ipv4 => Borrowed("IPv4"),
            Protocol::Ipv6 => Borrowed("IPv6"),
            Protocol::Icmp => Borrowed("ICMP"),
            Protocol::Icmpv6 => Borrowed("ICMPv6"),
            Protocol::Igmp => Borrowed("IGMP"),
            Protocol::Tcp => Borrowed("TCP"),
            Protocol::Udp => Borrowed("UDP"),
            Protocol::App(name) => Borrowed(name),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.as_str())
    }
}

/// An address for the Source and Destination columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Address {
    /// No address.
    None,
    /// An IP address.
    Ip(IpAddr),
    /// A MAC address.
    Mac([u8; 6]),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::None => f.pad(""),
            Address::Ip(ip) => fmt::Display::fmt(ip, f),
            Address::Mac(m) => fmt::Display::fmt(&crate::wire::MacDisplay(m), f),
        }
    }
}

/// One analysed frame: what every renderer and sink reads.
#[derive(Debug, Clone, Default)]
pub struct Packet {
    /// Frame number (1-based).
    pub number: u64,
    /// Capture time since the Unix epoch.
    pub timestamp: Duration,
    /// Nanoseconds since the first frame (negative if the clock went back).
    pub time_rel_ns: i64,
    /// Length on the wire.
    pub len: u32,
    /// Captured length.
    pub caplen: u32,
    /// Link type of the frame.
    pub link_type: Option<LinkType>,
    /// The decoded layers.
    pub decoded: Decoded,
    /// TCP analysis, for TCP frames with a decodable header.
    pub tcp: Option<TcpAnalysis>,
    /// Stream index of a TCP header quoted in an ICMP error.
    pub quoted_tcp_stream: Option<u32>,
    /// The application layers found above TCP/UDP (several when a segment carries several
    /// messages), in order.
    pub app: Vec<AppLayer>,
    /// The TCP payload was kept for a message a later segment completes
    /// (`[TCP segment of a reassembled PDU]`).
    pub pdu_segment: bool,
    /// Protocol column.
    pub protocol: Protocol,
    /// Info column.
    pub info: String,
}

impl Packet {
    /// Source column: IP source, else the link-layer source.
    pub fn src(&self) -> Address {
        if let Some((s, _)) = self.decoded.net.ip_addrs() {
            return Address::Ip(s);
        }
        match &self.decoded.link {
            decode::LinkRepr::Ethernet { header, .. } => Address::Mac(header.src),
            decode::LinkRepr::Sll { addr, addr_len, .. } if *addr_len == 6 => {
                let mut m = [0u8; 6];
                m.copy_from_slice(&addr[..6]);
                Address::Mac(m)
            }
            _ => Address::None,
        }
    }

    /// Destination column: IP destination, else the link-layer destination.
    pub fn dst(&self) -> Address {
        if let Some((_, d)) = self.decoded.net.ip_addrs() {
            return Address::Ip(d);
        }
        match &self.decoded.link {
            decode::LinkRepr::Ethernet { header, .. } => Address::Mac(header.dst),
            _ => Address::None,
        }
    }

    /// Time since the first frame in seconds.
    pub fn time_rel(&self) -> f64 {
        self.time_rel_ns as f64 / 1e9
    }

    /// The TCP header, if any.
    pub fn tcp_repr(&self) -> Option<&decode::TcpRepr> {
        match &self.decoded.transport {
            TransportRepr::Tcp(t) => Some(t),
            _ => None,
        }
    }

    /// The UDP header, if any.
    pub fn udp_repr(&self) -> Option<&decode::UdpRepr> {
        match &self.decoded.transport {
            TransportRepr::Udp(u) => Some(u),
            _ => None,
        }
    }

    /// The first application layer of dissector `d`, if the frame has one.
    pub fn app_layer(&self, d: Dissector) -> Option<&AppLayer> {
        self.app.iter().find(|l| l.dissector == Some(d))
    }
}

/// The stateful step from frames to packets.
///
/// `Clone` takes a checkpoint of the whole analysis state, from which a viewer re-analyses
/// any later frame exactly as a sequential read would.
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    reasm: Reassembler,
    tcp: TcpAnalyzer,
    icmp: icmp::EchoMatcher,
    arp: arp::ArpTable,
    app: Dissectors,
    first: Option<Duration>,
    /// The dissectors' Info text while the transport layer's is deferred (reused).
    app_info: String,
}

impl Analyzer {
    /// A fresh analyzer (stream indexes start at 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// An analyzer whose application dissectors follow `table` (`-d` rules).
    pub fn with_table(table: Table) -> Self {
        Analyzer {
            app: Dissectors::new(table),
            ..Self::default()
        }
    }

    /// Sets what callers read of the application layers (default: everything); the packet
    /// list alone needs neither fields nor trees.
    pub fn want(mut self, want: Want) -> Self {
        self.app.want = want;
        self
    }

    /// Rough heap size of the state in bytes (streams, pending fragments, echo requests, ARP
    /// table, application-layer state), for memory budgets of checkpoints.
    pub fn approx_bytes(&self) -> usize {
        self.reasm.approx_bytes()
            + self.tcp.approx_bytes()
            + self.icmp.approx_bytes()
            + self.arp.approx_bytes()
            + self.app.approx_bytes()
    }

    /// Decodes and analyses one frame into `out` (reusing its allocations).
    pub fn process(&mut self, frame: &Frame, out: &mut Packet) {
        self.process_with(frame, out, true);
    }

    /// The same without writing the Protocol and Info columns (left as `Frame` and empty):
    /// for passes that only test display filters, which read no column. The analysis
    /// state afterwards is exactly that of [`Analyzer::process`].
    pub fn process_without_info(&mut self, frame: &Frame, out: &mut Packet) {
        self.process_with(frame, out, false);
    }

    fn process_with(&mut self, frame: &Frame, out: &mut Packet, info: bool) {
        let first = *self.first.get_or_insert(frame.timestamp);
        out.number = frame.number;
        out.timestamp = frame.timestamp;
        out.time_rel_ns = if frame.timestamp >= first {
            (frame.timestamp - first).as_nanos() as i64
        } else {
            -((first - frame.timestamp).as_nanos() as i64)
        };
        out.len = frame.orig_len;
        out.caplen = frame.data.len() as u32;
        out.link_type = Some(frame.link_type);
        decode::decode_into_cut(
            frame.number,
            frame.link_type,
            &frame.data,
            frame.orig_len as usize,
            &mut self.reasm,
            &mut out.decoded,
        );
        out.tcp = None;
        out.quoted_tcp_stream = None;
        out.app.clear();
        out.pdu_segment = false;

        let d = &out.decoded;
        if let (TransportRepr::Tcp(t), Some((src, dst))) = (&d.transport, d.net.ip_addrs())
            && t.cut.is_none_or(|n| n >= decode::TCP_ANALYSED_FROM)
        {
            let seg = TcpSegment::from_repr(t, frame.number, frame.timestamp, src, dst);
            out.tcp = Some(match t.cut {
                None => self.tcp.segment(&seg),
                Some(captured) => self.tcp.cut_segment(&seg, usize::from(captured)),
            });
        }
        if let TransportRepr::Icmpv4(i) | TransportRepr::Icmpv6(i) = &d.transport
            && let Some(q) = &i.quoted
            && let Some(QuotedTransport::Tcp {
                src_port,
                dst_port,
                seq,
                ack,
                flags,
                window,
                header_len,
                window_scale,
                quoted_len,
            }) = q.transport
        {
            let seg = TcpSegment {
                frame: frame.number,
                time: frame.timestamp,
                src: q.src,
                dst: q.dst,
                src_port,
                dst_port,
                seq: seq.unwrap_or(0),
                ack,
                flags,
                window,
                len: None,
                window_scale,
            };
            out.quoted_tcp_stream = self.tcp.quoted_header(&seg, quoted_len, header_len);
        }
        let echo_request = self.icmp.observe(frame.number, &out.decoded);
        let arp_note = match &out.decoded.net {
            NetRepr::Arp(a) => self.arp.observe(a),
            _ => None,
        };
        out.info.clear();
        // TCP's and UDP's Info is written after the dissectors, and only when none of them
        // replaces it (most do): it is a dozen numbers a frame.
        let (proto, deferred) = match &out.decoded.transport {
            _ if !info => (Protocol::Frame, false),
            TransportRepr::Tcp(_) => (Protocol::Tcp, true),
            TransportRepr::Udp(_) => (Protocol::Udp, true),
            _ => (
                info::write_info(out, &frame.data, echo_request, arp_note.as_ref()),
                false,
            ),
        };
        let column = match proto {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            _ => "",
        };
        let mut cols = if deferred {
            Columns::deferred(column, std::mem::take(&mut self.app_info))
        } else {
            Columns::new(column, std::mem::take(&mut out.info))
        };
        self.dissect(frame, out, &mut cols);
        let (protocol, text, transport_first) = cols.into_parts();
        out.protocol = match protocol {
            c if c == column => proto,
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            other => Protocol::App(other),
        };
        if !deferred {
            out.info = text;
        } else if transport_first {
            // `out.info` is empty: the transport text, then what the dissectors appended.
            info::write_info(out, &frame.data, echo_request, arp_note.as_ref());
            out.info.push_str(&text);
            self.app_info = text;
        } else {
            self.app_info = std::mem::replace(&mut out.info, text);
        }
        if info {
            info::append_malformed(out);
        } else {
            out.info.clear();
            out.protocol = Protocol::Frame;
        }
    }

    /// Runs the application dissectors on a TCP or UDP payload: they add layers to `out`
    /// and write `cols`.
    fn dissect(&mut self, frame: &Frame, out: &mut Packet, cols: &mut Columns) {
        let d = &out.decoded;
        let Some((src, dst)) = d.net.ip_addrs() else {
            return;
        };
        match &d.transport {
            TransportRepr::Tcp(t) if t.cut.is_none() => {
                if let Some(a) = &out.tcp {
                    let ends = Endpoints {
                        src: (src, t.src_port).into(),
                        dst: (dst, t.dst_port).into(),
                    };
                    let seg = TcpSegmentInfo {
                        stream: a.stream,
                        seq: t.seq,
                        retransmission: a.retransmitted_bytes(),
                        fin: t.flags & crate::wire::tcp::tcp_flags::FIN != 0,
                    };
                    let payload = d.app_payload(&frame.data);
                    out.pdu_segment = self.app.tcp(
                        frame.number,
                        frame.timestamp,
                        ends,
                        seg,
                        payload,
                        cols,
                        &mut out.app,
                    );
                }
            }
            TransportRepr::Udp(u) => {
                let ends = Endpoints {
                    src: (src, u.src_port).into(),
                    dst: (dst, u.dst_port).into(),
                };
                let payload = d.app_payload(&frame.data);
                self.app.udp(
                    frame.number,
                    frame.timestamp,
                    ends,
                    payload,
                    cols,
                    &mut out.app,
                );
            }
            _ => {}
        }
    }
}

/// Runs frames through one [`Analyzer`], in order: `f` gets each analysed packet with its
/// frame, `warn` each item that is not a frame (a capture reader's warning, in file order).
/// The loop of every caller that reads a whole file (`graph`, `lab answer`).
pub fn analyse_each<W>(
    items: impl IntoIterator<Item = Result<Frame, W>>,
    mut f: impl FnMut(&Packet, &Frame),
    mut warn: impl FnMut(W),
) {
    let mut analyzer = Analyzer::new();
    let mut packet = Packet::default();
    for item in items {
        match item {
            Ok(frame) => {
                analyzer.process(&frame, &mut packet);
                f(&packet, &frame);
            }
            Err(w) => warn(w),
        }
    }
}

/// Convenience: analyse a whole iterator of frames (tests, small files).
pub fn analyse_all(frames: impl IntoIterator<Item = Frame>) -> Vec<Packet> {
    let mut a = Analyzer::new();
    frames
        .into_iter()
        .map(|f| {
            let mut p = Packet::default();
            a.process(&f, &mut p);
            p
        })
        .collect()
}

impl Packet {
    /// The packet-details layers of this packet (`frame` is its captured bytes).
    pub fn layers(&self, frame: &[u8]) -> Vec<decode::detail::Layer> {
        let ctx = decode::detail::DetailContext {
            tcp_stream: self.tcp.as_ref().map(|a| a.stream),
            tcp_relative: self
                .tcp
                .as_ref()
                .map(|a| (a.seq, a.ack, a.next_seq, a.window)),
            tcp_analysis: self
                .tcp
                .as_ref()
                .map(|a| a.flags.field_names())
                .unwrap_or_default(),
            app: self
                .app
                .iter()
                .filter_map(|l| {
                    let mut detail = l.detail.clone()?;
                    if !l.segments.is_empty() {
                        detail.fields.insert(0, reassembly_note(&l.segments));
                    }
                    Some((detail, l.offset))
                })
                .collect(),
        };
        decode::detail::layers(&self.decoded, frame, &ctx)
    }
}

/// tshark's `[2 Reassembled TCP Segments (200 bytes): #6(186), #8(14)]`.
fn reassembly_note(segments: &[(u64, u32)]) -> decode::detail::Field {
    use std::fmt::Write as _;
    let total: u64 = segments.iter().map(|(_, n)| u64::from(*n)).sum();
    let mut text = format!(
        "[{} Reassembled TCP Segments ({total} bytes): ",
        segments.len()
    );
    for (i, (frame, n)) in segments.iter().enumerate() {
        let _ = write!(text, "{}#{frame}({n})", if i > 0 { ", " } else { "" });
    }
    text.push(']');
    decode::detail::Field {
        name: text,
        value: String::new(),
        range: None,
        depth: 0,
    }
}

#[cfg(test)]
mod process_without_info_tests {
    use super::*;
    use crate::source::{CaptureReader, SourceEvent};

    /// Skipping the columns leaves the analysis (and so every later frame) unchanged.
    #[test]
    fn same_state_and_analysis_without_info() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
        for name in [
            "tcp-analysis.pcapng",
            "fragments.pcapng",
            "icmp-echo.pcapng",
            "arp.pcapng",
        ] {
            let mut full = Analyzer::new();
            let mut quiet = Analyzer::new();
            let (mut a, mut b) = (Packet::default(), Packet::default());
            for e in CaptureReader::open(&dir.join(name)).unwrap() {
                let SourceEvent::Frame(f) = e else { continue };
                full.process(&f, &mut a);
                quiet.process_without_info(&f, &mut b);
                assert_eq!(a.tcp, b.tcp, "{name} frame {}", f.number);
                assert_eq!(a.decoded, b.decoded);
                assert_eq!(a.quoted_tcp_stream, b.quoted_tcp_stream);
                assert!(b.info.is_empty());
            }
        }
    }
}

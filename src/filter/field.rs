//! The filter's vocabulary: protocols, fields, their value types, and the [`Fields`] trait
//! through which the evaluator reads a decoded frame.

use std::net::IpAddr;

use crate::dissect::{Dissector, FieldDef, FieldType};

/// A protocol layer that can be tested by name (`tcp`, `udp`, ...): true when the frame has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proto {
    /// Ethernet II (`eth`).
    Eth,
    /// ARP (`arp`).
    Arp,
    /// IPv4 (`ip`).
    Ip,
    /// IPv6 (`ipv6`).
    Ipv6,
    /// ICMP for IPv4 (`icmp`).
    Icmp,
    /// ICMPv6 (`icmpv6`).
    Icmpv6,
    /// TCP (`tcp`).
    Tcp,
    /// UDP (`udp`).
    Udp,
    /// An application protocol (`http`, `dns`, `simp`…).
    App(Dissector),
}

impl Proto {
    /// Every protocol below the application layer, in layer order.
    pub const ALL: [Proto; 8] = [
        Proto::Eth,
        Proto::Arp,
        Proto::Ip,
        Proto::Ipv6,
        Proto::Icmp,
        Proto::Icmpv6,
        Proto::Tcp,
        Proto::Udp,
    ];

    /// The name used in filters (and by Wireshark), e.g. `"ipv6"`.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Eth => "eth",
            Proto::Arp => "arp",
            Proto::Ip => "ip",
            Proto::Ipv6 => "ipv6",
            Proto::Icmp => "icmp",
            Proto::Icmpv6 => "icmpv6",
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::App(d) => d.name(),
        }
    }

    /// Looks a protocol up by its exact (lower-case) filter name.
    pub fn from_name(name: &str) -> Option<Proto> {
        Proto::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .or_else(|| Dissector::from_name(name).map(Proto::App))
    }
}

/// What kind of value a field holds; decides which literals and operators it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// An unsigned integer no larger than `max` (Wireshark's `FT_UINTn`).
    Uint {
        /// Largest value the field can hold; bigger literals are rejected at parse time.
        max: u64,
    },
    /// A flag bit: `0`/`1`, also written `true`/`false` (Wireshark's `FT_BOOLEAN`).
    Bool,
    /// An IPv4 address; literals may be CIDR blocks.
    Ipv4,
    /// An IPv6 address; literals may be CIDR blocks.
    Ipv6,
    /// A MAC address.
    Mac,
    /// A text string.
    Str,
    /// No value, only presence, such as `tcp.analysis.retransmission` (Wireshark's `FT_NONE`).
    Presence,
}

impl FieldKind {
    /// A short description with an article, for error messages ("a number").
    pub fn describe(self) -> &'static str {
        match self {
            FieldKind::Uint { .. } => "a number",
            FieldKind::Bool => "a boolean",
            FieldKind::Ipv4 => "an IPv4 address",
            FieldKind::Ipv6 => "an IPv6 address",
            FieldKind::Mac => "a MAC address",
            FieldKind::Str => "a string",
            FieldKind::Presence => "a flag with no value",
        }
    }
}

/// Defines [`Field`] and its tables from one list, so names, kinds and docs never drift apart.
macro_rules! fields {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $proto:ident, $kind:expr; )*) => {
        /// A field that filters can test, resolved from its name at parse time.
        ///
        /// Names and meanings follow Wireshark's; [`Field::name`] gives the filter name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field {
            $( $(#[$doc])* $variant, )*
            /// A field an application dissector sets (`dns.qry.name`), from its table.
            App(&'static FieldDef),
        }

        impl Field {
            /// Every field, in help-text order.
            pub const ALL: &'static [Field] = &[ $( Field::$variant, )* ];

            /// The name used in filters, e.g. `"tcp.srcport"`.
            pub fn name(self) -> &'static str {
                match self { $( Field::$variant => $name, )* Field::App(d) => d.name }
            }

            /// The protocol layer the field belongs to (`frame.*` fields have none).
            pub fn proto(self) -> Option<Proto> {
                match self {
                    $( Field::$variant => fields!(@proto $proto), )*
                    Field::App(d) => Some(Proto::App(d.proto)),
                }
            }

            /// The kind of value the field holds.
            pub fn kind(self) -> FieldKind {
                match self { $( Field::$variant => $kind, )* Field::App(d) => app_kind(d.kind) }
            }
        }

        /// Every field name below the application layer, in help-text order (the same
        /// order as [`Field::ALL`]).
        pub fn field_names() -> &'static [&'static str] {
            &[ $( $name, )* ]
        }
    };
    (@proto Frame) => { None };
    (@proto $p:ident) => { Some(Proto::$p) };
}

/// The filter's kind for a dissector field's type (bytes compare as their hex text).
fn app_kind(t: FieldType) -> FieldKind {
    match t {
        FieldType::Uint(max) => FieldKind::Uint { max },
        FieldType::Bool => FieldKind::Bool,
        FieldType::Ipv4 => FieldKind::Ipv4,
        FieldType::Ipv6 => FieldKind::Ipv6,
        FieldType::Mac => FieldKind::Mac,
        FieldType::Str | FieldType::Bytes => FieldKind::Str,
        FieldType::None => FieldKind::Presence,
    }
}

const U8: FieldKind = FieldKind::Uint { max: 0xff };
const U16: FieldKind = FieldKind::Uint { max: 0xffff };
const U32: FieldKind = FieldKind::Uint { max: 0xffff_ffff };

fields! {
    /// Frame number, 1-based (`frame.number`).
    FrameNumber = "frame.number", Frame, U32;
    /// Length on the wire (`frame.len`).
    FrameLen = "frame.len", Frame, U32;
    /// Captured length (`frame.cap_len`).
    FrameCapLen = "frame.cap_len", Frame, U32;
    /// Ethernet source address (`eth.src`).
    EthSrc = "eth.src", Eth, FieldKind::Mac;
    /// Ethernet destination address (`eth.dst`).
    EthDst = "eth.dst", Eth, FieldKind::Mac;
    /// Either Ethernet address (`eth.addr`, multi-valued: src and dst).
    EthAddr = "eth.addr", Eth, FieldKind::Mac;
    /// EtherType (`eth.type`).
    EthType = "eth.type", Eth, U16;
    /// Either IPv4 address (`ip.addr`, multi-valued: src and dst).
    IpAddr = "ip.addr", Ip, FieldKind::Ipv4;
    /// IPv4 source address (`ip.src`).
    IpSrc = "ip.src", Ip, FieldKind::Ipv4;
    /// IPv4 destination address (`ip.dst`).
    IpDst = "ip.dst", Ip, FieldKind::Ipv4;
    /// IPv4 protocol number (`ip.proto`).
    IpProto = "ip.proto", Ip, U8;
    /// IPv4 time to live (`ip.ttl`).
    IpTtl = "ip.ttl", Ip, U8;
    /// Either IPv6 address (`ipv6.addr`, multi-valued: src and dst).
    Ipv6Addr = "ipv6.addr", Ipv6, FieldKind::Ipv6;
    /// IPv6 source address (`ipv6.src`).
    Ipv6Src = "ipv6.src", Ipv6, FieldKind::Ipv6;
    /// IPv6 destination address (`ipv6.dst`).
    Ipv6Dst = "ipv6.dst", Ipv6, FieldKind::Ipv6;
    /// Either TCP port (`tcp.port`, multi-valued: srcport and dstport).
    TcpPort = "tcp.port", Tcp, U16;
    /// TCP source port (`tcp.srcport`).
    TcpSrcPort = "tcp.srcport", Tcp, U16;
    /// TCP destination port (`tcp.dstport`).
    TcpDstPort = "tcp.dstport", Tcp, U16;
    /// TCP stream index, 0-based (`tcp.stream`).
    TcpStream = "tcp.stream", Tcp, U32;
    /// TCP sequence number as the analyser reports it (`tcp.seq`).
    TcpSeq = "tcp.seq", Tcp, U32;
    /// TCP acknowledgment number as the analyser reports it (`tcp.ack`).
    TcpAck = "tcp.ack", Tcp, U32;
    /// TCP payload length (`tcp.len`).
    TcpLen = "tcp.len", Tcp, U32;
    /// TCP flags as a number, e.g. `0x012` for SYN+ACK (`tcp.flags`).
    TcpFlags = "tcp.flags", Tcp, U16;
    /// SYN bit (`tcp.flags.syn`); present in every TCP frame.
    TcpFlagsSyn = "tcp.flags.syn", Tcp, FieldKind::Bool;
    /// ACK bit (`tcp.flags.ack`); present in every TCP frame.
    TcpFlagsAck = "tcp.flags.ack", Tcp, FieldKind::Bool;
    /// FIN bit (`tcp.flags.fin`); present in every TCP frame.
    TcpFlagsFin = "tcp.flags.fin", Tcp, FieldKind::Bool;
    /// RST bit (`tcp.flags.reset`; `tcp.flags.rst` is accepted too); present in every TCP frame.
    TcpFlagsRst = "tcp.flags.reset", Tcp, FieldKind::Bool;
    /// PSH bit (`tcp.flags.push`); present in every TCP frame.
    TcpFlagsPush = "tcp.flags.push", Tcp, FieldKind::Bool;
    /// URG bit (`tcp.flags.urg`); present in every TCP frame.
    TcpFlagsUrg = "tcp.flags.urg", Tcp, FieldKind::Bool;
    /// Window size after scaling, as the analyser reports it (`tcp.window_size`).
    TcpWindowSize = "tcp.window_size", Tcp, U32;
    /// Present when the analyser flags a retransmission.
    TcpAnalysisRetransmission = "tcp.analysis.retransmission", Tcp, FieldKind::Presence;
    /// Present when the analyser flags a duplicate ACK.
    TcpAnalysisDuplicateAck = "tcp.analysis.duplicate_ack", Tcp, FieldKind::Presence;
    /// Present when the analyser flags a zero window.
    TcpAnalysisZeroWindow = "tcp.analysis.zero_window", Tcp, FieldKind::Presence;
    /// Present when the analyser flags an out-of-order segment.
    TcpAnalysisOutOfOrder = "tcp.analysis.out_of_order", Tcp, FieldKind::Presence;
    /// Present when the analyser flags a keep-alive.
    TcpAnalysisKeepAlive = "tcp.analysis.keep_alive", Tcp, FieldKind::Presence;
    /// Present when the analyser flags a previous segment not captured.
    TcpAnalysisLostSegment = "tcp.analysis.lost_segment", Tcp, FieldKind::Presence;
    /// Either UDP port (`udp.port`, multi-valued: srcport and dstport).
    UdpPort = "udp.port", Udp, U16;
    /// UDP source port (`udp.srcport`).
    UdpSrcPort = "udp.srcport", Udp, U16;
    /// UDP destination port (`udp.dstport`).
    UdpDstPort = "udp.dstport", Udp, U16;
    /// UDP length field, header included (`udp.length`).
    UdpLength = "udp.length", Udp, U16;
    /// ICMP type (`icmp.type`).
    IcmpType = "icmp.type", Icmp, U8;
    /// ICMP code (`icmp.code`).
    IcmpCode = "icmp.code", Icmp, U8;
    /// ARP opcode: 1 request, 2 reply (`arp.opcode`).
    ArpOpcode = "arp.opcode", Arp, U16;
}

impl Field {
    /// Looks a field up by its exact filter name; `tcp.flags.rst` is accepted as an alias
    /// of Wireshark's `tcp.flags.reset`.
    pub fn from_name(name: &str) -> Option<Field> {
        if name == "tcp.flags.rst" {
            return Some(Field::TcpFlagsRst);
        }
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .or_else(|| crate::dissect::field_def(name).map(Field::App))
    }

    /// Is this a multi-valued alias (`ip.addr`, `ipv6.addr`, `eth.addr`, `tcp.port`,
    /// `udp.port`)?
    ///
    /// Such a field has one value per part (see [`Field::parts`]), and comparisons follow
    /// Wireshark (3.6 and later): `==`, `<`, `in`, `contains`... are true when ANY value
    /// matches, while `a != b` means `!(a == b)` for a present field: true only when NO value
    /// equals `b`. So `ip.addr != 10.0.0.1` drops every packet to or from 10.0.0.1, and is
    /// false for frames without IPv4. `a !== b` (also `~=`, `any_ne`) is "any value differs",
    /// and `a === b` (`all_eq`) is "every value equals".
    pub fn is_multi(self) -> bool {
        self.parts().len() > 1
    }

    /// The concrete fields a field reads: `[IpSrc, IpDst]` for `IpAddr` and the like, or
    /// just `[self]`.
    ///
    /// The evaluator asks [`Fields::each`] only for these parts, so an implementation never
    /// sees the aliases `IpAddr`, `Ipv6Addr`, `EthAddr`, `TcpPort`, `UdpPort`.
    pub fn parts(self) -> &'static [Field] {
        match self {
            Field::EthAddr => &[Field::EthSrc, Field::EthDst],
            Field::IpAddr => &[Field::IpSrc, Field::IpDst],
            Field::Ipv6Addr => &[Field::Ipv6Src, Field::Ipv6Dst],
            Field::TcpPort => &[Field::TcpSrcPort, Field::TcpDstPort],
            Field::UdpPort => &[Field::UdpSrcPort, Field::UdpDstPort],
            Field::FrameNumber => &[Field::FrameNumber],
            Field::FrameLen => &[Field::FrameLen],
            Field::FrameCapLen => &[Field::FrameCapLen],
            Field::EthSrc => &[Field::EthSrc],
            Field::EthDst => &[Field::EthDst],
            Field::EthType => &[Field::EthType],
            Field::IpSrc => &[Field::IpSrc],
            Field::IpDst => &[Field::IpDst],
            Field::IpProto => &[Field::IpProto],
            Field::IpTtl => &[Field::IpTtl],
            Field::Ipv6Src => &[Field::Ipv6Src],
            Field::Ipv6Dst => &[Field::Ipv6Dst],
            Field::TcpSrcPort => &[Field::TcpSrcPort],
            Field::TcpDstPort => &[Field::TcpDstPort],
            Field::TcpStream => &[Field::TcpStream],
            Field::TcpSeq => &[Field::TcpSeq],
            Field::TcpAck => &[Field::TcpAck],
            Field::TcpLen => &[Field::TcpLen],
            Field::TcpFlags => &[Field::TcpFlags],
            Field::TcpFlagsSyn => &[Field::TcpFlagsSyn],
            Field::TcpFlagsAck => &[Field::TcpFlagsAck],
            Field::TcpFlagsFin => &[Field::TcpFlagsFin],
            Field::TcpFlagsRst => &[Field::TcpFlagsRst],
            Field::TcpFlagsPush => &[Field::TcpFlagsPush],
            Field::TcpFlagsUrg => &[Field::TcpFlagsUrg],
            Field::TcpWindowSize => &[Field::TcpWindowSize],
            Field::TcpAnalysisRetransmission => &[Field::TcpAnalysisRetransmission],
            Field::TcpAnalysisDuplicateAck => &[Field::TcpAnalysisDuplicateAck],
            Field::TcpAnalysisZeroWindow => &[Field::TcpAnalysisZeroWindow],
            Field::TcpAnalysisOutOfOrder => &[Field::TcpAnalysisOutOfOrder],
            Field::TcpAnalysisKeepAlive => &[Field::TcpAnalysisKeepAlive],
            Field::TcpAnalysisLostSegment => &[Field::TcpAnalysisLostSegment],
            Field::UdpSrcPort => &[Field::UdpSrcPort],
            Field::UdpDstPort => &[Field::UdpDstPort],
            Field::UdpLength => &[Field::UdpLength],
            Field::IcmpType => &[Field::IcmpType],
            Field::IcmpCode => &[Field::IcmpCode],
            Field::ArpOpcode => &[Field::ArpOpcode],
            // Read whole by the evaluator (see `eval::each`).
            Field::App(_) => &[],
        }
    }
}

/// One value of a field in one frame, as a [`Fields`] implementation hands it to the filter.
///
/// Borrowed and `Copy`, so reading a frame allocates nothing. Which variant each
/// [`FieldKind`] expects: `Uint` → `Int`; `Bool` → `Bool` (or `Int`, non-zero = true);
/// `Ipv4`/`Ipv6` → `Ip` of that family; `Mac` → `Mac`; `Str` → `Str`; `Presence` → any
/// (only the call counts). A value of the wrong variant is ignored, as if absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// An unsigned integer.
    Int(u64),
    /// A flag bit.
    Bool(bool),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A MAC address.
    Mac([u8; 6]),
    /// A text string.
    Str(&'a str),
}

/// Read access to one decoded frame, implemented by the program's frame summary type.
pub trait Fields {
    /// Is the protocol layer present in this frame?
    fn has(&self, proto: Proto) -> bool;

    /// Calls `f` once for each value of `field` in this frame; zero calls when absent.
    ///
    /// Only concrete fields are asked for (see [`Field::parts`]). As in Wireshark, a flag
    /// field such as `tcp.flags.syn` must be given (as `Bool(false)` when clear) for every
    /// TCP frame, and a `Presence` field only when the analyser set it. A field that repeats
    /// in a frame (an ICMP error quoting an inner IP header) may be given several times.
    fn each(&self, field: Field, f: &mut dyn FnMut(FieldValue<'_>));
}

/// The known name (field, protocol or `frame`) closest to `word`, if one is close enough
/// to be a likely typo.
pub fn suggest(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    let candidates = field_names()
        .iter()
        .copied()
        .chain(crate::dissect::field_defs().map(|d| d.name))
        .chain(Proto::ALL.iter().map(|p| p.name()))
        .chain(crate::dissect::Dissector::ALL.iter().map(|d| d.name()))
        .chain(std::iter::once("frame"));
    let mut best: Option<(usize, &'static str)> = None;
    for name in candidates {
        let mut d = levenshtein(&lower, name);
        if name.starts_with(&lower) && lower.len() >= 3 {
            // A prefix of a known name ("tcp.analysis.retrans") is a good hint.
            d = d.min(1);
        }
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, name));
        }
    }
    let (d, name) = best?;
    // Short words are a few edits from many protocol names (`foo` → `ftp`): ask for more.
    let chars = word.chars().count();
    let limit = (chars / 3).max(if chars <= 4 { 1 } else { 2 });
    (d <= limit).then_some(name)
}

/// Edit distance between two strings, in chars.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let cost = diag + usize::from(ca != *cb);
            let best = cost.min(up.saturating_add(1)).min(left.saturating_add(1));
            diag = up;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = best;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        assert_eq!(field_names().len(), Field::ALL.len());
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(Field::from_name(f.name()), Some(*f));
            assert_eq!(field_names().get(i), Some(&f.name()));
        }
        let mut names = field_names().to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Field::ALL.len());
        for p in Proto::ALL {
            assert_eq!(Proto::from_name(p.name()), Some(p));
        }
    }

    #[test]
    fn multi_fields_are_exactly_the_wireshark_aliases() {
        let multi: Vec<&str> = Field::ALL
            .iter()
            .filter(|f| f.is_multi())
            .map(|f| f.name())
            .collect();
        assert_eq!(
            multi,
            ["eth.addr", "ip.addr", "ipv6.addr", "tcp.port", "udp.port"]
        );
        for f in Field::ALL {
            for part in f.parts() {
                assert!(!part.is_multi());
                assert_eq!(part.kind(), f.kind());
                assert_eq!(part.proto(), f.proto());
            }
        }
    }

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("", ""), 0);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("tcp.prot", "tcp.port"), 2);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("tcp.prot"), Some("tcp.port"));
        assert_eq!(suggest("TCP"), Some("tcp"));
        assert_eq!(suggest("ip.source"), Some("ip.src"));
        assert_eq!(suggest("tcp.flags.sync"), Some("tcp.flags.syn"));
        assert_eq!(
            suggest("tcp.analysis.retrans"),
            Some("tcp.analysis.retransmission")
        );
        assert_eq!(suggest("simp.usr"), Some("simp.user"));
        assert_eq!(suggest("smb2.cmd"), None);
    }
}

//! Application protocols above TCP and UDP: Wireshark's dissector tables, in small.
//!
//! After [`crate::decode`] has found a TCP or UDP payload and the analysis step has placed it
//! in a stream, [`Dissectors`] picks the application dissector for it the way Wireshark does
//! ([`table`]): a conversation set up earlier (FTP's data channel), `-d` decode-as rules, the
//! lower port then the higher port, then heuristics. The dissector writes the Protocol and
//! Info columns through [`Columns`] exactly as its Wireshark counterpart does in one pass, and
//! records what it found as an [`AppLayer`]: Wireshark's field names and values (for display
//! filters and `--json`) and, when asked, the packet-details tree.
//!
//! Over TCP, a message that spans segments is collected by [`tcp_pdu`] as Wireshark's TCP
//! desegmentation does: the frames before the last show `[TCP segment of a reassembled PDU]`,
//! the last one carries the message. Every buffer has a cap, and per-stream state is bounded,
//! so memory stays flat on any capture.
//!
//! Dissectors never panic and never trust a length: input comes from the network.
#![forbid(unsafe_code)]

pub mod dhcp;
pub mod dns;
mod field;
pub mod http;
pub mod quic;
pub mod simp;
pub mod table;
pub mod tcp_pdu;
pub mod text;
pub mod tls;

use std::net::SocketAddr;
use std::ops::Range;
use std::time::Duration;

pub use field::{FieldDef, FieldType, FieldVal, field_def, field_defs};
pub use table::{DecodeAs, Table};

use crate::decode::detail;

/// One application dissector, named as Wireshark names the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dissector {
    /// HTTP/1.x over TCP.
    Http,
    /// SSDP: HTTP over UDP 1900.
    Ssdp,
    /// DNS over UDP and TCP.
    Dns,
    /// Multicast DNS (UDP 5353).
    Mdns,
    /// Link-local Multicast Name Resolution (UDP 5355).
    Llmnr,
    /// NetBIOS Name Service (UDP 137).
    Nbns,
    /// DHCP / BOOTP (UDP 67/68).
    Dhcp,
    /// DHCPv6 (UDP 546/547).
    Dhcpv6,
    /// TLS (and SSL) over TCP.
    Tls,
    /// SMTP.
    Smtp,
    /// Internet Message Format (a mail carried by SMTP's DATA).
    Imf,
    /// FTP control channel.
    Ftp,
    /// FTP data channel.
    FtpData,
    /// POP3.
    Pop,
    /// IMAP.
    Imap,
    /// QUIC (named, not decrypted beyond what its Initial keys allow).
    Quic,
    /// The course's Simple IM Protocol (UDP 7777).
    Simp,
}

impl Dissector {
    /// Every dissector.
    pub const ALL: [Dissector; 17] = [
        Dissector::Http,
        Dissector::Ssdp,
        Dissector::Dns,
        Dissector::Mdns,
        Dissector::Llmnr,
        Dissector::Nbns,
        Dissector::Dhcp,
        Dissector::Dhcpv6,
        Dissector::Tls,
        Dissector::Smtp,
        Dissector::Imf,
        Dissector::Ftp,
        Dissector::FtpData,
        Dissector::Pop,
        Dissector::Imap,
        Dissector::Quic,
        Dissector::Simp,
    ];

    /// The protocol's filter name, as in Wireshark's `frame.protocols` and `-d`: `"http"`.
    pub fn name(self) -> &'static str {
        match self {
            Dissector::Http => "http",
            Dissector::Ssdp => "ssdp",
            Dissector::Dns => "dns",
            Dissector::Mdns => "mdns",
            Dissector::Llmnr => "llmnr",
            Dissector::Nbns => "nbns",
            Dissector::Dhcp => "dhcp",
            Dissector::Dhcpv6 => "dhcpv6",
            Dissector::Tls => "tls",
            Dissector::Smtp => "smtp",
            Dissector::Imf => "imf",
            Dissector::Ftp => "ftp",
            Dissector::FtpData => "ftp-data",
            Dissector::Pop => "pop",
            Dissector::Imap => "imap",
            Dissector::Quic => "quic",
            Dissector::Simp => "simp",
        }
    }

    /// Looks a dissector up by its filter name (`bootp` and `ssl` are accepted as Wireshark's
    /// old names of `dhcp` and `tls`).
    pub fn from_name(name: &str) -> Option<Dissector> {
        match name {
            "bootp" => Some(Dissector::Dhcp),
            "ssl" => Some(Dissector::Tls),
            _ => Dissector::ALL.into_iter().find(|d| d.name() == name),
        }
    }
}

/// TCP or UDP: which table a port is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// TCP (`tcp.port`).
    Tcp,
    /// UDP (`udp.port`).
    Udp,
}

/// The Protocol and Info columns of one frame, as a dissector finds them and leaves them.
///
/// They start as the transport layer left them (`TCP`, `56789 → 32784 [PSH, ACK] …`);
/// a dissector sets or appends to them as its Wireshark counterpart does with
/// `col_set_str`/`col_append_str`.
///
/// Most dissectors replace the transport layer's Info, which takes a dozen numbers to
/// write, so the analysis may *defer* it ([`Columns::deferred`]): the columns then hold only
/// what the dissectors append after it, and [`Columns::into_parts`] says whether it is still
/// to be written in front. A dissector sees no difference: it clears, sets or appends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Protocol column.
    pub protocol: &'static str,
    /// Info column (after the deferred transport text, while that is still in front).
    info: String,
    /// The transport layer's Info is in front of `info`, not yet written.
    deferred: bool,
}

impl Columns {
    /// Columns whose Info is written already: `info`.
    pub fn new(protocol: &'static str, info: impl Into<String>) -> Self {
        Columns {
            protocol,
            info: info.into(),
            deferred: false,
        }
    }

    /// Columns whose transport Info is deferred (written by the caller unless a dissector
    /// clears it); `buf` is reused for what the dissectors write.
    pub fn deferred(protocol: &'static str, mut buf: String) -> Self {
        buf.clear();
        Columns {
            protocol,
            info: buf,
            deferred: true,
        }
    }

    /// The Info text the dissectors have written (after the transport text, if deferred).
    pub fn info(&self) -> &str {
        &self.info
    }

    /// Length of [`Columns::info`].
    pub fn info_len(&self) -> usize {
        self.info.len()
    }

    /// Clears the Info column (Wireshark's `col_clear`).
    pub fn clear_info(&mut self) {
        self.info.clear();
        self.deferred = false;
    }

    /// Cuts the Info column back to `len` bytes of [`Columns::info`] (a length read after a
    /// clear: Wireshark's fence).
    pub fn truncate_info(&mut self, len: usize) {
        self.info.truncate(len);
    }

    /// Sets the Info column (Wireshark's `col_set_str`/`col_add_str`).
    pub fn set_info(&mut self, text: &str) {
        self.clear_info();
        self.info.push_str(text);
    }

    /// Appends `text` to the Info column (`col_append_str`).
    pub fn push_info(&mut self, text: &str) {
        self.info.push_str(text);
    }

    /// The end of the Info column, for writers that append to a `String`: append only
    /// (clearing goes through [`Columns::clear_info`]).
    pub fn info_tail(&mut self) -> &mut String {
        &mut self.info
    }

    /// Appends `text` after `sep` unless the column is empty (`col_append_sep_str`).
    pub fn append_sep(&mut self, sep: &str, text: &str) {
        if self.deferred || !self.info.is_empty() {
            self.info.push_str(sep);
        }
        self.info.push_str(text);
    }

    /// The Protocol column, the Info text written, and whether the deferred transport text
    /// still goes in front of it.
    pub fn into_parts(self) -> (&'static str, String, bool) {
        (self.protocol, self.info, self.deferred)
    }
}

impl std::fmt::Write for Columns {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.info.push_str(s);
        Ok(())
    }
}

/// What the caller will read of the application layers: the packet list needs only the
/// columns, filters and `--json` need the fields, `--detail` and the viewer the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Want {
    /// Record [`AppLayer::fields`].
    pub fields: bool,
    /// Build [`AppLayer::detail`].
    pub tree: bool,
}

impl Default for Want {
    fn default() -> Self {
        Want {
            fields: true,
            tree: true,
        }
    }
}

/// One application-layer message found in a frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppLayer {
    /// Which protocol.
    pub dissector: Option<Dissector>,
    /// Wireshark's fields, in the order tshark meets them: name and value.
    pub fields: Vec<(&'static str, FieldVal)>,
    /// The packet-details tree (when [`Want::tree`]): ranges relative to the message start.
    pub detail: Option<detail::AppLayer>,
    /// Where the message starts in this frame's transport payload; `None` when it was
    /// reassembled from earlier segments (its ranges then point into [`AppLayer::segments`]'
    /// bytes, not the frame).
    pub offset: Option<usize>,
    /// The frames (number, payload bytes) a reassembled message was collected from.
    pub segments: Vec<(u64, u32)>,
    /// A protocol-specific `--json` object replacing the field map (SIMP keeps its own).
    pub json: Option<serde_json::Value>,
    /// The message's body as a file Wireshark's File › Export Objects would list (HTTP),
    /// recorded when fields are wanted.
    pub object: Option<Object>,
    /// The protocol Wireshark hands the message's body to (`data-text-lines`, `json`), as
    /// its Protocol Hierarchy lists it under this one.
    pub sub: Option<&'static str>,
}

/// A body a dissector offers for export (`read --export-objects`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Object {
    /// The name Wireshark starts from: the request URI the body answers (or carries).
    pub name: Option<String>,
    /// Its media type, lower case without parameters.
    pub content_type: Option<String>,
    /// The bytes (de-chunked).
    pub bytes: Vec<u8>,
}

impl AppLayer {
    /// The values of field `name` in this layer.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a FieldVal> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v)
    }
}

/// Where a frame's payload comes from, for the dissector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoints {
    /// Source address and port.
    pub src: SocketAddr,
    /// Destination address and port.
    pub dst: SocketAddr,
}

/// The context of one dissector call: the frame, its columns, and the layers it adds.
#[derive(Debug)]
pub struct Cx<'a> {
    /// Frame number.
    pub frame: u64,
    /// Capture time.
    pub time: Duration,
    /// Addresses and ports.
    pub ends: Endpoints,
    /// TCP stream index (Wireshark's `tcp.stream`), for TCP.
    pub stream: Option<u32>,
    /// Over TCP: the sender closed its side after these bytes (a FIN), so a message that
    /// runs to the close ends here (Wireshark's `tcpinfo->flags & TH_FIN`).
    pub at_end: bool,
    /// The columns.
    pub cols: &'a mut Columns,
    /// What will be read.
    pub want: Want,
    layers: &'a mut Vec<AppLayer>,
    /// Bytes of `data` that came from earlier frames (TCP reassembly).
    carried: usize,
    carried_segments: &'a [(u64, u32)],
    /// Bytes of `data` from this frame.
    this_len: usize,
    /// Length of `data`, and where in it the current layer's message starts: no tree range
    /// may point past the data, whatever a dissector computed from hostile lengths.
    data_len: usize,
    layer_start: usize,
    expect: &'a mut table::Expected,
}

impl<'a> Cx<'a> {
    /// Starts a new application layer for a message at `start` in the dissector's `data`,
    /// titled `title` (called only when the tree is wanted). Later [`Cx::field`] and
    /// [`Cx::line`] calls go to it.
    pub fn begin(&mut self, d: Dissector, start: usize, title: impl FnOnce() -> String) {
        self.layer_start = start.min(self.data_len);
        let offset = start.checked_sub(self.carried);
        let segments = if offset.is_none() {
            // The earlier frames, then this one (tshark lists the frame that completes the
            // message last).
            let mut s = self.carried_segments.to_vec();
            s.push((self.frame, u32::try_from(self.this_len).unwrap_or(u32::MAX)));
            s
        } else {
            Vec::new()
        };
        self.layers.push(AppLayer {
            dissector: Some(d),
            fields: Vec::new(),
            detail: self.want.tree.then(|| detail::AppLayer {
                title: title(),
                fields: Vec::new(),
            }),
            offset,
            segments,
            json: None,
            object: None,
            sub: None,
        });
    }

    /// Records field `name` with the value `value` builds (only when fields are wanted).
    #[inline]
    pub fn field(&mut self, name: &'static str, value: impl FnOnce() -> FieldVal) {
        // The check is inlined at every call site: the packet list alone pays nothing more.
        if self.want.fields {
            self.push_field(name, value());
        }
    }

    fn push_field(&mut self, name: &'static str, value: FieldVal) {
        if let Some(l) = self.layers.last_mut() {
            l.fields.push((name, value));
        }
    }

    /// Adds a packet-details line `label: value` at `depth` (0 = directly under the layer's
    /// title) for the bytes `range` of the message (only when the tree is wanted).
    #[inline]
    pub fn line(
        &mut self,
        depth: u8,
        range: Option<Range<usize>>,
        label: &str,
        value: impl FnOnce() -> String,
    ) {
        if self.want.tree {
            self.push_line(depth, range, label, value());
        }
    }

    fn push_line(&mut self, depth: u8, range: Option<Range<usize>>, label: &str, value: String) {
        if let Some(tree) = self.layers.last_mut().and_then(|l| l.detail.as_mut()) {
            // Clamped to the message's bytes: a range past them is cut, one wholly outside
            // (or reversed) is dropped.
            let room = self.data_len - self.layer_start;
            let range = range
                .map(|r| r.start..r.end.min(room))
                .filter(|r| r.start <= r.end && r.start < room.max(1));
            tree.fields.push(detail::Field {
                name: label.to_string(),
                value,
                range,
                depth,
            });
        }
    }

    /// Replaces the `--json` object of the current layer.
    pub fn json(&mut self, value: impl FnOnce() -> serde_json::Value) {
        if self.want.fields
            && let Some(l) = self.layers.last_mut()
        {
            l.json = Some(value());
        }
    }

    /// Offers the current layer's body for export (only when fields are wanted).
    pub fn object(&mut self, value: impl FnOnce() -> Object) {
        if self.want.fields
            && let Some(l) = self.layers.last_mut()
        {
            l.object = Some(value());
        }
    }

    /// Names the protocol the current layer's body goes to (for the Protocol Hierarchy).
    pub fn sub(&mut self, name: &'static str) {
        if let Some(l) = self.layers.last_mut() {
            l.sub = Some(name);
        }
    }

    /// How many layers this frame has so far.
    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// Tells the table that a later conversation to `server` (TCP) belongs to `d`, as FTP's
    /// PASV/PORT replies announce the data channel.
    pub fn expect(&mut self, server: SocketAddr, d: Dissector) {
        self.expect.insert(server, d);
    }
}

/// What a dissector did with the bytes it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Not this protocol: the table tries the next candidate.
    Rejected,
    /// Every byte was a complete message (or is shown as far as it goes).
    Done,
    /// Over TCP: the message starting at `offset` of the data needs more bytes (Wireshark's
    /// `desegment_offset`); the table keeps them and calls again with the next segment added.
    More {
        /// Where the incomplete message starts in the data given.
        offset: usize,
    },
    /// Over TCP: the message starting at `offset` runs to the close of this direction
    /// (Wireshark's `DESEGMENT_UNTIL_FIN`): kept as for [`Outcome::More`], and the dissector
    /// is also called on a FIN without data, with [`Cx::at_end`] set.
    UntilFin {
        /// Where the message starts in the data given.
        offset: usize,
    },
}

/// Per-protocol state kept across frames (request/response pairs, negotiated versions),
/// each bounded by its module.
#[derive(Debug, Clone, Default)]
pub struct States {
    /// DNS-family transaction tracking.
    pub dns: dns::State,
    /// HTTP request/response pairing.
    pub http: http::State,
    /// TLS versions per stream.
    pub tls: tls::State,
    /// DHCP.
    pub dhcp: dhcp::State,
    /// SMTP/FTP/POP/IMAP.
    pub text: text::State,
    /// QUIC.
    pub quic: quic::State,
}

impl States {
    fn approx_bytes(&self) -> usize {
        self.dns.approx_bytes()
            + self.http.approx_bytes()
            + self.tls.approx_bytes()
            + self.dhcp.approx_bytes()
            + self.text.approx_bytes()
            + self.quic.approx_bytes()
    }
}

/// Calls dissector `d` on `data`.
fn call(d: Dissector, st: &mut States, cx: &mut Cx<'_>, data: &[u8], t: Transport) -> Outcome {
    match d {
        Dissector::Http | Dissector::Ssdp => http::dissect(d, &mut st.http, cx, data, t),
        Dissector::Dns | Dissector::Mdns | Dissector::Llmnr | Dissector::Nbns => {
            dns::dissect(d, &mut st.dns, cx, data, t)
        }
        Dissector::Dhcp | Dissector::Dhcpv6 => dhcp::dissect(d, &mut st.dhcp, cx, data, t),
        Dissector::Tls => tls::dissect(d, &mut st.tls, cx, data, t),
        Dissector::Smtp
        | Dissector::Imf
        | Dissector::Ftp
        | Dissector::FtpData
        | Dissector::Pop
        | Dissector::Imap => text::dissect(d, &mut st.text, cx, data, t),
        Dissector::Quic => quic::dissect(d, &mut st.quic, cx, data, t),
        Dissector::Simp => simp::dissect(cx, data, t),
    }
}

/// Does `data` look like `d`'s protocol? (Wireshark's heuristic dissectors, tried after the
/// port tables.)
fn heuristic(d: Dissector, data: &[u8], t: Transport) -> bool {
    match d {
        Dissector::Http | Dissector::Ssdp => http::heuristic(d, data, t),
        Dissector::Tls => tls::heuristic(data, t),
        Dissector::Quic => quic::heuristic(data, t),
        _ => false,
    }
}

/// The application-layer step of the analysis: the dispatch table, the per-protocol state
/// and the TCP reassembly buffers.
#[derive(Debug, Clone, Default)]
pub struct Dissectors {
    table: Table,
    states: States,
    pdus: tcp_pdu::Pdus,
    expected: table::Expected,
    /// What callers read of the layers.
    pub want: Want,
}

/// A TCP segment as the dissectors see it.
#[derive(Debug, Clone, Copy)]
pub struct TcpSegmentInfo {
    /// Stream index.
    pub stream: u32,
    /// Raw sequence number of the first payload byte.
    pub seq: u32,
    /// Did the analysis flag it as a retransmission (its bytes were dissected before)?
    pub retransmission: bool,
    /// Does it carry a FIN (the sender's last byte is its last)?
    pub fin: bool,
}

impl Dissectors {
    /// Dissectors with `-d` rules.
    pub fn new(table: Table) -> Self {
        Dissectors {
            table,
            ..Self::default()
        }
    }

    /// Rough heap size of the state in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.states.approx_bytes() + self.pdus.approx_bytes() + self.expected.approx_bytes()
    }

    /// Dissects a UDP payload: adds layers to `layers`, updates `cols`.
    #[allow(clippy::too_many_arguments)]
    pub fn udp(
        &mut self,
        frame: u64,
        time: Duration,
        ends: Endpoints,
        payload: &[u8],
        cols: &mut Columns,
        layers: &mut Vec<AppLayer>,
    ) {
        if payload.is_empty() {
            return;
        }
        let candidates = self.table.candidates(&self.expected, Transport::Udp, ends);
        let mut cx = Cx {
            frame,
            time,
            ends,
            stream: None,
            at_end: false,
            cols,
            want: self.want,
            layers,
            carried: 0,
            carried_segments: &[],
            this_len: payload.len(),
            data_len: payload.len(),
            layer_start: 0,
            expect: &mut self.expected,
        };
        for d in candidates.iter() {
            if call(d, &mut self.states, &mut cx, payload, Transport::Udp) != Outcome::Rejected {
                return;
            }
        }
        for d in self.table.heuristics(Transport::Udp) {
            if heuristic(d, payload, Transport::Udp)
                && call(d, &mut self.states, &mut cx, payload, Transport::Udp) != Outcome::Rejected
            {
                return;
            }
        }
    }

    /// Dissects a TCP payload of segment `seg`, reassembling messages across segments.
    /// Returns true when the segment's bytes were all kept for a message a later segment
    /// completes (tshark's `[TCP segment of a reassembled PDU]`). A FIN without payload
    /// hands the kept bytes of a message that runs to the close ([`Outcome::UntilFin`]) to
    /// its dissector.
    #[allow(clippy::too_many_arguments)]
    pub fn tcp(
        &mut self,
        frame: u64,
        time: Duration,
        ends: Endpoints,
        seg: TcpSegmentInfo,
        payload: &[u8],
        cols: &mut Columns,
        layers: &mut Vec<AppLayer>,
    ) -> bool {
        if seg.retransmission
            || (payload.is_empty() && !(seg.fin && self.pdus.until_fin(ends, seg)))
        {
            return false;
        }
        let mut kept = false;
        let Dissectors {
            table,
            states,
            pdus,
            expected,
            want,
        } = self;
        pdus.segment(
            frame,
            ends,
            seg,
            payload,
            |data, carried, segments, pinned| {
                let before = layers.len();
                let mut cx = Cx {
                    frame,
                    time,
                    ends,
                    stream: Some(seg.stream),
                    at_end: seg.fin,
                    cols: &mut *cols,
                    want: *want,
                    layers: &mut *layers,
                    carried,
                    carried_segments: segments,
                    this_len: data.len().saturating_sub(carried),
                    data_len: data.len(),
                    layer_start: 0,
                    expect: &mut *expected,
                };
                let mut outcome = (None, Outcome::Rejected);
                if let Some(d) = pinned {
                    outcome = (Some(d), call(d, states, &mut cx, data, Transport::Tcp));
                } else {
                    let candidates = table.candidates(cx.expect, Transport::Tcp, ends);
                    for d in candidates.iter() {
                        let o = call(d, states, &mut cx, data, Transport::Tcp);
                        if o != Outcome::Rejected {
                            outcome = (Some(d), o);
                            break;
                        }
                    }
                    if outcome.0.is_none() {
                        for d in table.heuristics(Transport::Tcp) {
                            if heuristic(d, data, Transport::Tcp) {
                                let o = call(d, states, &mut cx, data, Transport::Tcp);
                                if o != Outcome::Rejected {
                                    outcome = (Some(d), o);
                                    break;
                                }
                            }
                        }
                    }
                }
                let completed = layers.len() > before;
                if let (Some(_), Outcome::More { .. } | Outcome::UntilFin { .. }) = outcome
                    && !completed
                {
                    kept = true;
                    cols.protocol = "TCP";
                    cols.append_sep(" ", "[TCP segment of a reassembled PDU]");
                }
                outcome
            },
        );
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::Columns;

    #[test]
    fn deferred_transport_info_stays_in_front_of_appends() {
        let mut c = Columns::deferred("TCP", String::from("stale"));
        c.append_sep(" ", "[TCP segment of a reassembled PDU]");
        assert_eq!(
            c.into_parts(),
            (
                "TCP",
                " [TCP segment of a reassembled PDU]".to_string(),
                true
            )
        );
    }

    #[test]
    fn a_clear_drops_the_deferred_transport_info() {
        let mut c = Columns::deferred("UDP", String::new());
        c.push_info("x");
        c.clear_info();
        c.protocol = "DNS";
        c.push_info("Standard query 0x0001");
        c.append_sep(", ", "y");
        assert_eq!(
            c.into_parts(),
            ("DNS", "Standard query 0x0001, y".to_string(), false)
        );
        let mut c = Columns::deferred("TCP", String::new());
        c.set_info("GET / HTTP/1.1 ");
        assert!(!c.into_parts().2);
    }

    #[test]
    fn written_columns_append_as_wireshark_does() {
        let mut c = Columns::new("UDP", "");
        c.append_sep(", ", "first");
        c.append_sep(", ", "second");
        assert_eq!(c.info(), "first, second");
        assert!(!c.into_parts().2);
    }
}

//! JSON Lines sink: one object per frame. The schema (documented in README) lives here and
//! only here; every type in this file mirrors one JSON object.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::analyse::{Address, Packet};
use crate::decode::{EthernetRepr, LinkRepr, NetRepr, QuotedTransport, TransportRepr};
use crate::dissect::{AppLayer, Dissector};

/// One frame.
#[derive(Serialize)]
struct JsonFrame<'a> {
    no: u64,
    time: Box<RawValue>,
    len: u32,
    caplen: u32,
    src: Shown<Address>,
    dst: Shown<Address>,
    protocol: std::borrow::Cow<'static, str>,
    info: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    eth: Option<JsonEth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<JsonIp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tcp: Option<JsonTcp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    udp: Option<JsonUdp>,
    /// One object per application layer, keyed by its protocol name (`"dns"`).
    #[serde(flatten)]
    app: AppLayers<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    malformed: Option<&'a str>,
}

/// The application layers of a frame: a key per protocol (`"dns"`, `"http"`), whose value
/// maps Wireshark's field names to the text `tshark -T fields` prints, or to an array of
/// them when the field occurs more than once. Layers of one protocol in one frame (two HTTP
/// requests in a segment) share the object. A layer with its own object (SIMP) keeps it.
struct AppLayers<'a>(&'a [AppLayer]);

impl Serialize for AppLayers<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut seen: Vec<Dissector> = Vec::new();
        let mut map = s.serialize_map(None)?;
        for layer in self.0 {
            let Some(d) = layer.dissector else { continue };
            if seen.contains(&d) {
                continue;
            }
            seen.push(d);
            if let Some(json) = &layer.json {
                map.serialize_entry(d.name(), json)?;
                continue;
            }
            let mut fields: Vec<(&str, Vec<String>)> = Vec::new();
            for l in self.0.iter().filter(|l| l.dissector == Some(d)) {
                for (name, value) in &l.fields {
                    let text = value.to_string();
                    match fields.iter_mut().find(|(n, _)| n == name) {
                        Some((_, vs)) => vs.push(text),
                        None => fields.push((name, vec![text])),
                    }
                }
            }
            let object: serde_json::Map<String, serde_json::Value> = fields
                .into_iter()
                .map(|(name, mut vs)| {
                    let v = if vs.len() == 1 {
                        serde_json::Value::String(vs.pop().unwrap_or_default())
                    } else {
                        serde_json::Value::from(vs)
                    };
                    (name.to_string(), v)
                })
                .collect();
            map.serialize_entry(d.name(), &object)?;
        }
        map.end()
    }
}

/// A value written as the JSON string of its `Display` form, without an intermediate
/// `String` (serde_json escapes it straight into the output).
struct Shown<T>(T);

impl<T: std::fmt::Display> Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// TCP flags as Wireshark's detail pane prints them, e.g. `0x012`.
struct Flags(u16);

impl std::fmt::Display for Flags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{:03x}", self.0)
    }
}

#[derive(Serialize)]
struct JsonEth {
    src: Shown<Address>,
    dst: Shown<Address>,
    ethertype: u16,
}

#[derive(Serialize)]
struct JsonIp {
    version: u8,
    src: Shown<std::net::IpAddr>,
    dst: Shown<std::net::IpAddr>,
    proto: u8,
    ttl: u8,
}

#[derive(Serialize)]
struct JsonTcp {
    stream: Option<u32>,
    src_port: u16,
    dst_port: u16,
    flags: Shown<Flags>,
    seq: u32,
    ack: u32,
    seq_raw: u32,
    ack_raw: u32,
    len: Option<u32>,
    win: u32,
    analysis: Vec<&'static str>,
}

#[derive(Serialize)]
struct JsonUdp {
    src_port: u16,
    dst_port: u16,
    len: u16,
}

/// Writes one packet as one JSON line.
pub fn write_packet(w: &mut impl Write, p: &Packet) -> io::Result<()> {
    let time = RawValue::from_string(crate::render::table::time_string(p.time_rel_ns))
        .map_err(io::Error::other)?;
    let eth = match &p.decoded.link {
        LinkRepr::Ethernet {
            header:
                EthernetRepr {
                    src,
                    dst,
                    ethertype,
                },
            ..
        } => Some(JsonEth {
            src: Shown(Address::Mac(*src)),
            dst: Shown(Address::Mac(*dst)),
            ethertype: *ethertype,
        }),
        _ => None,
    };
    let ip = match &p.decoded.net {
        NetRepr::Ipv4(ip) => Some(JsonIp {
            version: 4,
            src: Shown(ip.src.into()),
            dst: Shown(ip.dst.into()),
            proto: ip.protocol,
            ttl: ip.ttl,
        }),
        NetRepr::Ipv6(ip) => Some(JsonIp {
            version: 6,
            src: Shown(ip.src.into()),
            dst: Shown(ip.dst.into()),
            proto: ip.next_header,
            ttl: ip.hop_limit,
        }),
        _ => None,
    };
    let tcp = match (&p.decoded.transport, &p.tcp) {
        (TransportRepr::Tcp(t), Some(a)) => Some(JsonTcp {
            stream: Some(a.stream),
            src_port: t.src_port,
            dst_port: t.dst_port,
            flags: Shown(Flags(t.flags)),
            seq: a.seq,
            ack: a.ack,
            seq_raw: t.seq,
            ack_raw: t.ack,
            len: t.len,
            win: a.window,
            analysis: a.flags.field_names(),
        }),
        // A header cut too short for tshark's analysis (a small snapshot length): no
        // stream, the raw numbers the captured bytes hold.
        (TransportRepr::Tcp(t), None) => Some(JsonTcp {
            stream: None,
            src_port: t.src_port,
            dst_port: t.dst_port,
            flags: Shown(Flags(t.flags)),
            seq: t.seq,
            ack: t.ack,
            seq_raw: t.seq,
            ack_raw: t.ack,
            len: t.len,
            win: u32::from(t.window),
            analysis: Vec::new(),
        }),
        _ => None,
    };
    let udp = match &p.decoded.transport {
        TransportRepr::Udp(u) => Some(JsonUdp {
            src_port: u.src_port,
            dst_port: u.dst_port,
            len: u.length,
        }),
        TransportRepr::Icmpv4(i) | TransportRepr::Icmpv6(i) => {
            match i.quoted.as_ref().and_then(|q| q.transport.as_ref()) {
                Some(QuotedTransport::Udp {
                    src_port,
                    dst_port,
                    length,
                }) => Some(JsonUdp {
                    src_port: *src_port,
                    dst_port: *dst_port,
                    len: *length,
                }),
                _ => None,
            }
        }
        _ => None,
    };
    let frame = JsonFrame {
        no: p.number,
        time,
        len: p.len,
        caplen: p.caplen,
        src: Shown(p.src()),
        dst: Shown(p.dst()),
        protocol: p.protocol.as_str(),
        info: &p.info,
        eth,
        ip,
        tcp,
        udp,
        app: AppLayers(&p.app),
        malformed: p.decoded.malformed.as_deref(),
    };
    serde_json::to_writer(&mut *w, &frame).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

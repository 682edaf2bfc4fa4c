//! QUIC (RFC 9000) as Wireshark 4.0's `packet-quic.c` shows it in one pass.
//!
//! Long headers (Initial, 0-RTT, Handshake, Retry, Version Negotiation) and short headers
//! (`Protected Payload (KP0)`) are named with their connection IDs as tshark prints them.
//! Several packets coalesced in one datagram are each dissected; as in tshark each long header
//! *sets* the Info column, so the last packet's summary is what the list shows, and bytes after
//! the last packet whose Destination Connection ID differs from the first one's are padding.
//!
//! Initial packets are decrypted (RFC 9001 §5.2: keys derived from the client's first
//! Destination Connection ID, or the Retry's Source Connection ID after a Retry), which gives
//! their packet number and frames (`PKN: 0, CRYPTO`) and the TLS ClientHello/ServerHello
//! fields inside. Not shown, as tshark without a key log does not show them either: the packet
//! number and frames of Handshake, 0-RTT and 1-RTT (short header) packets, whose keys come from
//! the TLS handshake secrets; the key phase of short headers is therefore always `KP0`.

mod crypto;
#[cfg(test)]
mod tests;

use foldhash::HashMap;
use std::net::SocketAddr;

use super::{Cx, Dissector, FieldDef, FieldType, FieldVal, Outcome, Transport};

const fn f(name: &'static str, kind: FieldType) -> FieldDef {
    FieldDef {
        name,
        kind,
        proto: Dissector::Quic,
    }
}

/// Fields this module sets.
pub const FIELDS: &[FieldDef] = &[
    f("quic.header_form", FieldType::Uint(1)),
    f("quic.long.packet_type", FieldType::Uint(3)),
    f("quic.version", FieldType::Uint(0xffff_ffff)),
    f("quic.dcid", FieldType::Bytes),
    f("quic.scid", FieldType::Bytes),
    f("quic.token_length", FieldType::Uint(u64::MAX)),
    f("quic.length", FieldType::Uint(u64::MAX)),
    f("quic.packet_number", FieldType::Uint(u64::MAX)),
    f("quic.frame_type", FieldType::Uint(u64::MAX)),
];

const LPT_INITIAL: u8 = 0;
const LPT_0RTT: u8 = 1;
const LPT_HANDSHAKE: u8 = 2;
const LPT_RETRY: u8 = 3;

/// One QUIC connection, as far as the datagrams between two endpoints tell.
#[derive(Debug, Clone, Default)]
struct Conn {
    /// The client's address (the sender of the first Initial).
    client: Option<SocketAddr>,
    /// The DCID Initial keys are derived from.
    initial_dcid: Vec<u8>,
    /// The client's and the server's latest Source Connection IDs.
    client_cid: Vec<u8>,
    server_cid: Vec<u8>,
    /// Has a CRYPTO frame at offset 0 been shown, from client and from server? (A resent
    /// ClientHello after a Retry is not dissected again.)
    crypto0: [bool; 2],
    age: u64,
}

/// Most endpoint pairs remembered at once.
const MAX_CONNS: usize = 4096;

/// QUIC connections by endpoint pair, bounded.
#[derive(Debug, Clone, Default)]
pub struct State {
    conns: HashMap<(SocketAddr, SocketAddr), Conn>,
    next: u64,
}

impl State {
    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.conns.capacity() * (std::mem::size_of::<Conn>() + 64) + self.conns.len() * 60
    }

    fn insert(&mut self, key: (SocketAddr, SocketAddr), mut c: Conn) {
        if self.conns.len() >= MAX_CONNS && !self.conns.contains_key(&key) {
            let cut = self.next.saturating_sub(MAX_CONNS as u64 / 2);
            self.conns.retain(|_, c| c.age >= cut);
        }
        self.next += 1;
        c.age = self.next;
        self.conns.insert(key, c);
    }
}

fn key(cx: &Cx<'_>) -> (SocketAddr, SocketAddr) {
    let (a, b) = (cx.ends.src, cx.ends.dst);
    if a <= b { (a, b) } else { (b, a) }
}

/// Reads a QUIC variable-length integer at `at`: value and length.
fn varint(d: &[u8], at: usize) -> Option<(u64, usize)> {
    let first = *d.get(at)?;
    let len = 1usize << (first >> 6);
    let bytes = d.get(at..at + len)?;
    let mut v = u64::from(first & 0x3f);
    for &b in &bytes[1..] {
        v = (v << 8) | u64::from(b);
    }
    Some((v, len))
}

/// `quic_draft_version`: is this a version the heuristic accepts (draft 11 and later, v1, v2,
/// mvfst, forced negotiation)?
fn known_version(v: u32) -> bool {
    match v {
        0x0000_0001 | 0x6b33_43cf | 0x709a_50c4 | 0xface_b001 | 0xface_b002 | 0xface_b00e => true,
        _ if v >> 8 == 0x00ff_0000 => (v & 0xff) >= 11,
        _ => (v & 0x0f0f_0f0f) == 0x0a0a_0a0a,
    }
}

/// `quic_get_long_packet_type`: v2 numbers its types differently.
fn long_type(first: u8, version: u32) -> u8 {
    let t = (first & 0x30) >> 4;
    if version == 0x6b33_43cf {
        match t {
            0 => LPT_RETRY,
            1 => LPT_INITIAL,
            2 => LPT_0RTT,
            _ => LPT_HANDSHAKE,
        }
    } else {
        t
    }
}

fn long_type_name(t: u8) -> &'static str {
    match t {
        LPT_INITIAL => "Initial",
        LPT_0RTT => "0-RTT",
        LPT_HANDSHAKE => "Handshake",
        _ => "Retry",
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The fixed part of a long header.
struct Long<'a> {
    first: u8,
    version: u32,
    dcid: &'a [u8],
    scid: &'a [u8],
    /// Offset just after the SCID.
    after_cids: usize,
}

fn long_header(d: &[u8]) -> Option<Long<'_>> {
    let first = *d.first()?;
    let version = u32::from_be_bytes(d.get(1..5)?.try_into().ok()?);
    let dl = usize::from(*d.get(5)?);
    let dcid = d.get(6..6 + dl)?;
    let sl = usize::from(*d.get(6 + dl)?);
    let scid = d.get(7 + dl..7 + dl + sl)?;
    Some(Long {
        first,
        version,
        dcid,
        scid,
        after_cids: 7 + dl + sl,
    })
}

/// Wireshark's QUIC heuristic for a datagram on a port no table claims: a long header with a
/// known version and sane connection-ID lengths. Wireshark then sets the conversation's
/// dissector, so later datagrams between the same endpoints (short headers, Version
/// Negotiation) are QUIC too; that needs the connections seen, which [`dissect`] checks, so
/// this lets every UDP payload through to it.
pub fn heuristic(data: &[u8], t: Transport) -> bool {
    t == Transport::Udp && !data.is_empty()
}

/// `dissect_quic_heur`'s test of a datagram on its own.
fn looks_like_quic(data: &[u8]) -> bool {
    if data.len() < 13 || data[0] & 0x80 == 0 {
        return false;
    }
    let version = u32::from_be_bytes([data[1], data[2], data[3], data[4]]);
    if !known_version(version) {
        return false;
    }
    let dl = usize::from(data[5]);
    if dl > 20 {
        return false;
    }
    data.get(6 + dl).is_some_and(|&sl| sl <= 20)
}

/// Length of the packet starting at `d` in its datagram (`quic_get_message_tvb`).
fn packet_len(d: &[u8]) -> usize {
    let whole = d.len();
    let Some(h) = long_header(d) else {
        return whole;
    };
    if h.version == 0 || long_type(h.first, h.version) == LPT_RETRY {
        return whole;
    }
    let mut at = h.after_cids;
    if long_type(h.first, h.version) == LPT_INITIAL {
        let Some((tl, n)) = varint(d, at) else {
            return whole;
        };
        at = at.saturating_add(n).saturating_add(tl as usize);
    }
    let Some((len, n)) = varint(d, at) else {
        return whole;
    };
    let end = at.saturating_add(n).saturating_add(len as usize);
    if end < whole { end } else { whole }
}

/// Dissects a UDP datagram as QUIC packets.
pub fn dissect(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    data: &[u8],
    t: Transport,
) -> Outcome {
    let _ = d;
    if t != Transport::Udp || data.is_empty() {
        return Outcome::Rejected;
    }
    let k = key(cx);
    let mut conn = state.conns.get(&k).cloned();
    if conn.is_none() && !looks_like_quic(data) {
        // Without a connection seen before only a plausible long header is QUIC
        // (`dissect_quic_heur`; QUIC has no port entry in Wireshark 4.0, so this holds on
        // UDP 443 too; under a `-d` rule tshark would show any payload, wirelab does not).
        return Outcome::Rejected;
    }
    // Connection tracking (`quic_connection_create_or_update`) from the first packet.
    if let Some(h) = long_header(data).filter(|h| h.version != 0) {
        let ty = long_type(h.first, h.version);
        let known = conn.as_ref().is_some_and(|c| {
            c.initial_dcid == h.dcid || c.server_cid == h.dcid || c.client_cid == h.dcid
        });
        if ty == LPT_INITIAL
            && !known
            && conn.as_ref().is_none_or(|c| c.client != Some(cx.ends.dst))
        {
            conn = Some(Conn {
                client: Some(cx.ends.src),
                initial_dcid: h.dcid.to_vec(),
                client_cid: h.scid.to_vec(),
                ..Conn::default()
            });
        } else if let Some(c) = conn.as_mut() {
            if c.client == Some(cx.ends.src) {
                c.client_cid = h.scid.to_vec();
            } else {
                c.server_cid = h.scid.to_vec();
                if ty == LPT_RETRY {
                    c.initial_dcid = h.scid.to_vec();
                }
            }
        }
    }
    let from_server = conn
        .as_ref()
        .is_some_and(|c| c.client.is_some_and(|a| a != cx.ends.src));
    cx.cols.protocol = "QUIC";
    let mut info = String::new();
    let mut off = 0usize;
    let mut first_dcid: Option<Vec<u8>> = None;
    let mut n = 0;
    let dir = usize::from(from_server);
    let mut crypto0 = conn.as_ref().is_some_and(|c| c.crypto0[dir]);
    while off < data.len() && n < 64 {
        n += 1;
        let rest = &data[off..];
        let len = packet_len(rest).max(1);
        let pkt = &rest[..len];
        let dcid = packet_dcid(pkt, conn.as_ref(), from_server);
        match &first_dcid {
            None => first_dcid = Some(dcid.clone()),
            Some(f) if *f != dcid => break,
            Some(_) => {}
        }
        cx.begin(Dissector::Quic, off, || "QUIC IETF".to_string());
        if pkt[0] & 0x80 != 0 {
            cx.field("quic.header_form", || FieldVal::Uint(1));
            let Some(h) = long_header(pkt) else {
                info = "Long Header".into();
                break;
            };
            if h.version == 0 {
                version_negotiation(cx, &h, &mut info);
                break;
            }
            long_packet(
                cx,
                conn.as_ref(),
                from_server,
                pkt,
                &h,
                &mut info,
                &mut crypto0,
            );
        } else {
            short_packet(cx, pkt, &dcid, &mut info);
        }
        off += len;
    }
    cx.cols.set_info(&info);
    if let Some(mut c) = conn {
        c.crypto0[dir] = crypto0;
        state.insert(k, c);
    }
    Outcome::Done
}

/// The DCID as `check_dcid_on_coalesced_packet` reads it.
fn packet_dcid(pkt: &[u8], conn: Option<&Conn>, from_server: bool) -> Vec<u8> {
    if pkt[0] & 0x80 != 0 {
        let n = usize::from(pkt.get(5).copied().unwrap_or(0));
        if n > 0 && n <= 20 {
            return pkt.get(6..6 + n).unwrap_or(&[]).to_vec();
        }
        return Vec::new();
    }
    let n = conn.map_or(0, |c| {
        if from_server {
            c.client_cid.len()
        } else {
            c.server_cid.len()
        }
    });
    pkt.get(1..1 + n).unwrap_or(&[]).to_vec()
}

fn cids(cx: &mut Cx<'_>, h: &Long<'_>, info: &mut String) {
    cx.field("quic.version", || FieldVal::Hex(u64::from(h.version), 8));
    cx.line(0, Some(1..5), "Version", || format!("0x{:08x}", h.version));
    if !h.dcid.is_empty() {
        cx.field("quic.dcid", || FieldVal::Bytes(h.dcid.to_vec()));
        cx.line(0, None, "Destination Connection ID", || hex(h.dcid));
    }
    if !h.scid.is_empty() {
        cx.field("quic.scid", || FieldVal::Bytes(h.scid.to_vec()));
        cx.line(0, None, "Source Connection ID", || hex(h.scid));
    }
    if !h.dcid.is_empty() {
        info.push_str(&format!(", DCID={}", hex(h.dcid)));
    }
    if !h.scid.is_empty() {
        info.push_str(&format!(", SCID={}", hex(h.scid)));
    }
}

fn version_negotiation(cx: &mut Cx<'_>, h: &Long<'_>, info: &mut String) {
    *info = "Version Negotiation".into();
    cx.line(0, None, "Packet Type", || "Version Negotiation".into());
    cids(cx, h, info);
}

fn long_packet(
    cx: &mut Cx<'_>,
    conn: Option<&Conn>,
    from_server: bool,
    pkt: &[u8],
    h: &Long<'_>,
    info: &mut String,
    crypto0: &mut bool,
) {
    let ty = long_type(h.first, h.version);
    let name = long_type_name(ty);
    cx.field("quic.long.packet_type", || FieldVal::Uint(u64::from(ty)));
    cx.line(0, Some(0..1), "Packet Type", || format!("{name} ({ty})"));
    *info = name.to_string();
    cids(cx, h, info);
    if ty == LPT_RETRY {
        return;
    }
    let mut at = h.after_cids;
    if ty == LPT_INITIAL {
        let Some((tl, n)) = varint(pkt, at) else {
            return;
        };
        cx.field("quic.token_length", || FieldVal::Uint(tl));
        at = at.saturating_add(n).saturating_add(tl as usize);
    }
    let Some((len, n)) = varint(pkt, at) else {
        return;
    };
    cx.field("quic.length", || FieldVal::Uint(len));
    cx.line(0, None, "Length", || len.to_string());
    let pn_offset = at + n;
    if ty != LPT_INITIAL {
        cx.line(0, None, "Payload", || {
            "protected (keys from the TLS handshake are not in the capture)".into()
        });
        return;
    }
    let Some(c) = conn else { return };
    let Some(keys) = crypto::initial_keys(h.version, &c.initial_dcid, from_server) else {
        return;
    };
    let Some(opened) = crypto::open(&keys, pkt, pn_offset) else {
        cx.line(0, None, "Payload", || {
            "Initial packet that does not decrypt".into()
        });
        return;
    };
    let pn = opened.packet_number;
    cx.field("quic.packet_number", || FieldVal::Uint(pn));
    cx.line(0, None, "Packet Number", || pn.to_string());
    info.push_str(&format!(", PKN: {pn}"));
    frames(
        cx,
        &opened.plaintext,
        pn_offset + opened.pn_len,
        info,
        crypto0,
    );
}

/// The frames of a decrypted payload (`dissect_quic_frame_type`), for the frame types an
/// Initial packet may carry; anything else stops the walk.
fn frames(cx: &mut Cx<'_>, p: &[u8], at: usize, info: &mut String, crypto0: &mut bool) {
    let mut off = 0usize;
    let mut guard = 0;
    while off < p.len() && guard < 4096 {
        guard += 1;
        let Some((ft, n)) = varint(p, off) else {
            return;
        };
        cx.field("quic.frame_type", || FieldVal::Uint(ft));
        off += n;
        let next = match ft {
            0x00 => {
                info.push_str(", PADDING");
                let zeros = p[off..].iter().take_while(|&&b| b == 0).count();
                cx.line(0, None, "PADDING", || format!("Length: {}", zeros + 1));
                Some(off + zeros)
            }
            0x01 => {
                info.push_str(", PING");
                cx.line(0, None, "PING", String::new);
                Some(off)
            }
            0x02 | 0x03 => {
                info.push_str(if ft == 2 { ", ACK" } else { ", ACK_ECN" });
                cx.line(0, None, "ACK", String::new);
                ack(p, off, ft == 3)
            }
            0x06 => {
                info.push_str(", CRYPTO");
                crypto_frame(cx, p, off, at, crypto0)
            }
            0x1c | 0x1d => {
                info.push_str(", CC");
                cx.line(0, None, "CONNECTION_CLOSE", String::new);
                connection_close(p, off, ft == 0x1c)
            }
            _ => None,
        };
        match next {
            Some(n) => off = n,
            None => return,
        }
    }
}

fn ack(p: &[u8], mut off: usize, ecn: bool) -> Option<usize> {
    let read = |off: &mut usize| -> Option<u64> {
        let (v, n) = varint(p, *off)?;
        *off += n;
        Some(v)
    };
    read(&mut off)?;
    read(&mut off)?;
    let ranges = read(&mut off)?;
    read(&mut off)?;
    for _ in 0..ranges.min(4096) {
        read(&mut off)?;
        read(&mut off)?;
    }
    if ecn {
        for _ in 0..3 {
            read(&mut off)?;
        }
    }
    Some(off)
}

fn connection_close(p: &[u8], mut off: usize, transport: bool) -> Option<usize> {
    let (_, n) = varint(p, off)?;
    off += n;
    if transport {
        let (_, n) = varint(p, off)?;
        off += n;
    }
    let (len, n) = varint(p, off)?;
    off = off
        .checked_add(n)?
        .checked_add(usize::try_from(len).ok()?)?;
    (off <= p.len()).then_some(off)
}

fn crypto_frame(
    cx: &mut Cx<'_>,
    p: &[u8],
    mut off: usize,
    at: usize,
    crypto0: &mut bool,
) -> Option<usize> {
    let (offset, n) = varint(p, off)?;
    off += n;
    let (len, n) = varint(p, off)?;
    off += n;
    let end = off.checked_add(usize::try_from(len).ok()?)?;
    let data = p.get(off..end)?;
    cx.line(0, None, "CRYPTO", || {
        format!("Offset: {offset}, Length: {len}")
    });
    if offset == 0 && !*crypto0 {
        *crypto0 = true;
        let lines = |cx: &Cx<'_>| {
            cx.layers
                .last()
                .and_then(|l| l.detail.as_ref())
                .map_or(0, |d| d.fields.len())
        };
        let before = lines(cx);
        super::tls::quic_handshake(cx, data, at + off);
        // Those bytes are decrypted: they have no place in the frame's bytes.
        if let Some(d) = cx.layers.last_mut().and_then(|l| l.detail.as_mut()) {
            for line in d.fields.iter_mut().skip(before) {
                line.range = None;
            }
        }
    }
    Some(end)
}

fn short_packet(cx: &mut Cx<'_>, pkt: &[u8], dcid: &[u8], info: &mut String) {
    cx.field("quic.header_form", || FieldVal::Uint(0));
    // The key phase bit is header-protected; without 1-RTT keys tshark shows KP0.
    *info = "Protected Payload (KP0)".into();
    if !dcid.is_empty() {
        cx.field("quic.dcid", || FieldVal::Bytes(dcid.to_vec()));
        cx.line(
            0,
            Some(1..1 + dcid.len()),
            "Destination Connection ID",
            || hex(dcid),
        );
        info.push_str(&format!(", DCID={}", hex(dcid)));
    }
    cx.line(0, None, "Protected Payload", || {
        format!("{} bytes (1-RTT keys are not in the capture)", pkt.len())
    });
}

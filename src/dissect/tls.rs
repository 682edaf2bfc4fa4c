//! TLS (and SSL) over TCP, as Wireshark 4.0's `packet-tls.c` shows it in one pass.
//!
//! Records and handshake messages are named in the Info column as tshark names them (several
//! records in one segment joined with `, `); a record that spans segments is collected by the
//! framework ([`Outcome::More`]). The Protocol column follows tshark's version tracking per
//! TCP stream: until an authoritative message (anything but a ClientHello) settles the version,
//! a record is labelled with its own record-layer version (`TLSv1` for a ClientHello in a
//! 0x0301 record); a ServerHello's `supported_versions` moves the stream to `TLSv1.3`.
//!
//! Nothing is decrypted: application data, encrypted handshake messages (TLS 1.2 Finished,
//! everything after a TLS 1.3 ServerHello) and encrypted alerts are shown as tshark shows
//! them without keys. Not done: reassembly of one handshake message spread over several
//! records (tshark's `[... Fragment]` is shown, the reassembled message is not); SSLv2
//! messages other than the SSLv3-compatible ClientHello are only named.

mod cert;
mod hello;
pub mod names;
#[cfg(test)]
mod tests;

use foldhash::HashMap;

use super::{Cx, Dissector, FieldDef, FieldType, FieldVal, Outcome, Transport};

const fn f(name: &'static str, kind: FieldType) -> FieldDef {
    FieldDef {
        name,
        kind,
        proto: Dissector::Tls,
    }
}

/// Fields this module sets.
pub const FIELDS: &[FieldDef] = &[
    f("tls.record.content_type", FieldType::Uint(0xff)),
    f("tls.record.opaque_type", FieldType::Uint(0xff)),
    f("tls.record.version", FieldType::Uint(0xffff)),
    f("tls.record.length", FieldType::Uint(0xffff)),
    f("tls.handshake.type", FieldType::Uint(0xff)),
    f("tls.handshake.length", FieldType::Uint(0xff_ffff)),
    f("tls.handshake.version", FieldType::Uint(0xffff)),
    f("tls.handshake.random", FieldType::Bytes),
    f("tls.handshake.session_id", FieldType::Bytes),
    f(
        "tls.handshake.cipher_suites_length",
        FieldType::Uint(0xffff),
    ),
    f("tls.handshake.ciphersuite", FieldType::Uint(0xffff)),
    f("tls.handshake.extension.type", FieldType::Uint(0xffff)),
    f("tls.handshake.extensions_server_name", FieldType::Str),
    f("tls.handshake.extensions_alpn_str", FieldType::Str),
    f(
        "tls.handshake.extensions.supported_version",
        FieldType::Uint(0xffff),
    ),
    f(
        "tls.handshake.certificates_length",
        FieldType::Uint(0xff_ffff),
    ),
    f(
        "tls.handshake.certificate_length",
        FieldType::Uint(0xff_ffff),
    ),
    f("tls.alert_message.level", FieldType::Uint(0xff)),
    f("tls.alert_message.desc", FieldType::Uint(0xff)),
    f("tls.app_data", FieldType::Bytes),
    f("x509af.algorithm.id", FieldType::Str),
    f("x509af.issuer", FieldType::Uint(0xff)),
    f("x509af.subject", FieldType::Uint(0xff)),
    f("x509af.extension.id", FieldType::Str),
    f("x509if.oid", FieldType::Str),
    f("x509sat.uTF8String", FieldType::Str),
    f("x509sat.printableString", FieldType::Str),
    f("x509sat.teletexString", FieldType::Str),
    f("x509sat.universalString", FieldType::Str),
    f("x509sat.bmpString", FieldType::Str),
    f("x509sat.CountryName", FieldType::Str),
    f("pkcs1.modulus", FieldType::Bytes),
    f("pkcs1.publicExponent", FieldType::Uint(0xffff_ffff)),
];

const SSLV2: u16 = 0x0002;
const TLS13: u16 = 0x0304;
const CT_CCS: u8 = 20;
const CT_ALERT: u8 = 21;
const CT_HANDSHAKE: u8 = 22;
const CT_APP_DATA: u8 = 23;
const CT_HEARTBEAT: u8 = 24;

/// What is known of one TCP stream's TLS session.
#[derive(Debug, Clone, Copy, Default)]
struct Session {
    /// Negotiated version (0: not known yet).
    version: u16,
    /// The server's port, from the ClientHello (0: not known).
    server_port: u16,
    /// Frames of the last ChangeCipherSpec from client and server.
    ccs: [u64; 2],
    /// For eviction.
    age: u64,
}

/// Most streams remembered at once.
const MAX_SESSIONS: usize = 4096;

/// Per-stream TLS versions and ChangeCipherSpec frames, bounded.
#[derive(Debug, Clone, Default)]
pub struct State {
    sessions: HashMap<u32, Session>,
    next: u64,
}

impl State {
    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.sessions.capacity() * (std::mem::size_of::<Session>() + 8)
    }

    fn get(&mut self, stream: u32) -> Session {
        if let Some(s) = self.sessions.get(&stream) {
            return *s;
        }
        if self.sessions.len() >= MAX_SESSIONS {
            let cut = self.next.saturating_sub(MAX_SESSIONS as u64 / 2);
            self.sessions.retain(|_, s| s.age >= cut);
        }
        self.next += 1;
        Session {
            age: self.next,
            ..Session::default()
        }
    }

    fn put(&mut self, stream: u32, s: Session) {
        self.sessions.insert(stream, s);
    }
}

/// `ssl_version_short_names`: the Protocol column's name of a version.
fn short_name(v: u16) -> Option<&'static str> {
    Some(match v {
        0x0002 => "SSLv2",
        0x0300 => "SSLv3",
        0x0301 => "TLSv1",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        0x0101 => "TLCP",
        0x0100 => "DTLS 1.0 (OpenSSL pre 0.9.8f)",
        0xfeff => "DTLSv1.0",
        0xfefd => "DTLSv1.2",
        _ => return None,
    })
}

fn valid_content_type(ct: u8) -> bool {
    (20..=25).contains(&ct)
}

fn is_v3_version(v: u16) -> bool {
    matches!(v, 0x0300..=0x0304 | 0x0101)
}

/// `ssl_try_set_version`: settles the stream's version from an authoritative message.
fn try_set_version(s: &mut Session, ct: u8, hs_type: u8, version: u16) {
    let authoritative = if ct == CT_HANDSHAKE {
        hs_type != 1 && hs_type != 3 && names::handshake_type(hs_type).is_some()
    } else {
        valid_content_type(ct)
    };
    if !authoritative {
        return;
    }
    let v = match version {
        0x0300..=0x0304 | 0x0101 => version,
        0x7f0e..=0x7f1c | 0xfb17 | 0xfb1a => TLS13,
        _ => return,
    };
    s.version = v;
}

/// Wireshark's `tls.port` associations (for "is this from the server" without a ClientHello).
fn tls_port(p: u16) -> bool {
    matches!(
        p,
        443 | 465 | 636 | 853 | 989 | 990 | 992 | 993 | 994 | 995 | 5061
    )
}

/// Wireshark's name of an OID a certificate carries (`sha256WithRSAEncryption`,
/// `id-at-commonName`), if it is one of those it names.
pub fn x509_oid_name(oid: &str) -> Option<&'static str> {
    cert::oid_name(oid)
}

/// Dissects TCP stream bytes as TLS records.
pub fn dissect(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    data: &[u8],
    t: Transport,
) -> Outcome {
    let _ = d;
    if t != Transport::Tcp {
        return Outcome::Rejected;
    }
    if data.len() > 4 && data[..4].iter().all(|b| (0x20..=0x7e).contains(b)) {
        return Outcome::Rejected;
    }
    let key = cx.stream.unwrap_or(u32::MAX);
    let mut s = state.get(key);
    let mut run = Run {
        proto: short_name(s.version).unwrap_or("SSL"),
        info: String::new(),
        began: false,
    };
    let mut off = 0usize;
    let mut outcome = Outcome::Done;
    while off < data.len() {
        let rest = &data[off..];
        let step = if s.version == SSLV2 {
            v2_record(cx, &mut s, &mut run, data, off)
        } else if is_v3_version(s.version) {
            if rest.len() < 5 {
                None
            } else if rest[0] == 0x80 && rest.get(2) == Some(&1) {
                v2_record(cx, &mut s, &mut run, data, off)
            } else {
                v3_record(cx, &mut s, &mut run, data, off)
            }
        } else if rest.len() < 5 {
            None
        } else if looks_like_v2(rest) {
            v2_record(cx, &mut s, &mut run, data, off)
        } else if valid_content_type(rest[0])
            && is_v3_version(u16::from_be_bytes([rest[1], rest[2]]))
        {
            v3_record(cx, &mut s, &mut run, data, off)
        } else {
            append(&mut run.info, "Continuation Data");
            Some(data.len())
        };
        match step {
            Some(next) => off = next.max(off + 1),
            None => {
                outcome = Outcome::More { offset: off };
                break;
            }
        }
    }
    if run.began || outcome == Outcome::Done {
        cx.cols.protocol = run.proto;
        cx.cols.set_info(&run.info);
    }
    state.put(key, s);
    outcome
}

/// What one call has found so far: the columns and whether a layer was begun.
struct Run {
    proto: &'static str,
    info: String,
    began: bool,
}

fn append(info: &mut String, text: &str) {
    if !info.is_empty() {
        info.push_str(", ");
    }
    info.push_str(text);
}

/// Starts the layer once per call. Every range is relative to the start of `data` (kept
/// bytes included), so the layer starts there whatever record comes first.
fn begin(cx: &mut Cx<'_>, run: &mut Run, at: usize) {
    let _ = at;
    if !run.began {
        run.began = true;
        cx.begin(Dissector::Tls, 0, || "Transport Layer Security".to_string());
    }
}

fn from_server(cx: &Cx<'_>, s: &Session) -> bool {
    if s.server_port != 0 {
        cx.ends.src.port() == s.server_port
    } else {
        tls_port(cx.ends.src.port())
    }
}

/// `ssl_looks_like_sslv2`.
fn looks_like_v2(d: &[u8]) -> bool {
    d.first().is_some_and(|&b| b >= 0x80) && matches!(d.get(2), Some(0..=4))
}

/// `ssl_20_msg_types`.
fn v2_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        0 => "Error",
        1 => "Client Hello",
        2 => "Client Master Key",
        3 => "Client Finished",
        4 => "Server Hello",
        5 => "Server Verify",
        6 => "Server Finished",
        7 => "Request Certificate",
        8 => "Client Certificate",
        _ => return None,
    })
}

/// An SSLv2 record at `off`; returns where the next record starts, `None` when incomplete.
fn v2_record(
    cx: &mut Cx<'_>,
    s: &mut Session,
    run: &mut Run,
    data: &[u8],
    off: usize,
) -> Option<usize> {
    let rest = &data[off..];
    let b0 = *rest.first()?;
    let hdr = if b0 & 0x80 != 0 { 2 } else { 3 };
    if rest.len() < hdr {
        return None;
    }
    let len = if hdr == 2 {
        (usize::from(b0 & 0x7f) << 8) | usize::from(rest[1])
    } else {
        (usize::from(b0 & 0x3f) << 8) | usize::from(rest[1])
    };
    let end = hdr + len;
    if rest.len() < end {
        return None;
    }
    begin(cx, run, off);
    let body = &rest[hdr..end];
    let msg_type = body.first().copied().unwrap_or(0xff);
    if s.version == 0 && (2..=8).contains(&msg_type) {
        s.version = SSLV2;
    }
    run.proto = "SSLv2";
    let valid = match msg_type {
        1 => body
            .get(1..3)
            .is_some_and(|v| names::version(u16::from_be_bytes([v[0], v[1]])).is_some()),
        4 => body
            .get(3..5)
            .is_some_and(|v| names::version(u16::from_be_bytes([v[0], v[1]])).is_some()),
        2 => {
            let g = |i: usize| {
                body.get(i..i + 2)
                    .map_or(0, |v| usize::from(u16::from_be_bytes([v[0], v[1]])))
            };
            g(4) + g(6) + g(8) <= len
        }
        _ => false,
    };
    let name = v2_type_name(msg_type).filter(|_| valid);
    append(&mut run.info, name.unwrap_or("Encrypted Data"));
    cx.line(0, Some(off..off + end), "SSLv2 Record Layer", || {
        name.unwrap_or("Encrypted Data").to_string()
    });
    cx.field("tls.record.version", || FieldVal::Hex(0x0002, 4));
    if name.is_some() {
        cx.field("tls.record.length", || FieldVal::Uint(len as u64));
        cx.field("tls.handshake.type", || FieldVal::Uint(u64::from(msg_type)));
        if msg_type == 1
            && let Some(v) = body.get(1..3)
        {
            let v = u16::from_be_bytes([v[0], v[1]]);
            cx.field("tls.handshake.version", || FieldVal::Hex(u64::from(v), 4));
            s.server_port = cx.ends.dst.port();
            cx.expect(cx.ends.dst, Dissector::Tls);
        }
    }
    Some(off + end)
}

/// A record of SSLv3 or TLS at `off`; returns where the next starts, `None` when incomplete.
fn v3_record(
    cx: &mut Cx<'_>,
    s: &mut Session,
    run: &mut Run,
    data: &[u8],
    off: usize,
) -> Option<usize> {
    let rest = &data[off..];
    let available = rest.len();
    if matches!(s.version, 0x0301..=0x0303 | 0x0101) && !valid_content_type(rest[0]) {
        append(&mut run.info, "Ignored Unknown Record");
        return Some(data.len());
    }
    if available < 5 {
        return None;
    }
    let ct = rest[0];
    let rec_version = u16::from_be_bytes([rest[1], rest[2]]);
    let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
    if !valid_content_type(ct) {
        append(&mut run.info, "Continuation Data");
        return Some(off + 5 + len);
    }
    if available < 5 + len {
        return None;
    }
    begin(cx, run, off);
    let body = &rest[5..5 + len];
    let version = if s.version == 0 {
        try_set_version(s, ct, body.first().copied().unwrap_or(0), rec_version);
        run.proto = short_name(rec_version).unwrap_or("SSL");
        rec_version
    } else {
        s.version
    };
    let vname = short_name(version).unwrap_or("TLS");
    let ct_name = names::content_type(ct).unwrap_or("unknown");
    let label = if cx.want.tree {
        format!("{vname} Record Layer")
    } else {
        String::new()
    };
    cx.line(0, Some(off..off + 5 + len), &label, || {
        match ct {
            CT_HANDSHAKE => "Handshake Protocol",
            CT_CCS => "Change Cipher Spec Protocol: Change Cipher Spec",
            CT_ALERT => "Alert Protocol",
            CT_APP_DATA => "Application Data Protocol: Application Data",
            _ => ct_name,
        }
        .to_string()
    });
    if s.version == TLS13 && ct == CT_APP_DATA {
        cx.field("tls.record.opaque_type", || FieldVal::Uint(u64::from(ct)));
    } else {
        cx.field("tls.record.content_type", || FieldVal::Uint(u64::from(ct)));
    }
    cx.line(1, Some(off..off + 1), "Content Type", || {
        format!("{ct_name} ({ct})")
    });
    cx.field("tls.record.version", || {
        FieldVal::Hex(u64::from(rec_version), 4)
    });
    cx.line(1, Some(off + 1..off + 3), "Version", || {
        format!(
            "{} (0x{rec_version:04x})",
            names::version(rec_version).unwrap_or("Unknown")
        )
    });
    cx.field("tls.record.length", || FieldVal::Uint(len as u64));
    cx.line(1, Some(off + 3..off + 5), "Length", || len.to_string());
    let server = from_server(cx, s);
    match ct {
        CT_CCS => {
            append(&mut run.info, "Change Cipher Spec");
            s.ccs[usize::from(server)] = cx.frame;
        }
        CT_ALERT => alert(cx, run, body, off + 5),
        CT_HANDSHAKE => handshake(cx, s, run, body, off + 5, version, server),
        CT_APP_DATA => {
            append(&mut run.info, "Application Data");
            cx.field("tls.app_data", || FieldVal::Bytes(body.to_vec()));
            cx.line(
                1,
                Some(off + 5..off + 5 + len),
                "Encrypted Application Data",
                || hex_short(body),
            );
        }
        CT_HEARTBEAT => {
            let ty = match body.first() {
                Some(1) => Some("Request"),
                Some(2) => Some("Response"),
                _ => None,
            };
            let payload = body
                .get(1..3)
                .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
            let plain = len <= 19 || 3 + payload + 16 <= len;
            match ty.filter(|_| plain && version != TLS13) {
                Some(ty) => append(&mut run.info, &format!("Heartbeat {ty}")),
                None if version != TLS13 => append(&mut run.info, "Encrypted Heartbeat"),
                None => {}
            }
        }
        _ => {}
    }
    Some(off + 5 + len)
}

fn hex_short(b: &[u8]) -> String {
    let mut s: String = b.iter().take(36).map(|x| format!("{x:02x}")).collect();
    if b.len() > 36 {
        s.push('…');
    }
    s
}

/// `dissect_ssl3_alert`.
fn alert(cx: &mut Cx<'_>, run: &mut Run, body: &[u8], at: usize) {
    if body.len() != 2 {
        append(&mut run.info, "Encrypted Alert");
        cx.line(1, Some(at..at + body.len()), "Alert Message", || {
            "Encrypted Alert".into()
        });
        return;
    }
    let (level, desc) = (body[0], body[1]);
    let ln = names::alert_level(level).unwrap_or("Unknown");
    let dn = names::alert_description(desc).unwrap_or("Unknown");
    append(
        &mut run.info,
        &format!("Alert (Level: {ln}, Description: {dn})"),
    );
    cx.field("tls.alert_message.level", || {
        FieldVal::Uint(u64::from(level))
    });
    cx.line(1, Some(at..at + 1), "Level", || format!("{ln} ({level})"));
    cx.field("tls.alert_message.desc", || FieldVal::Uint(u64::from(desc)));
    cx.line(1, Some(at + 1..at + 2), "Description", || {
        format!("{dn} ({desc})")
    });
}

/// `is_encrypted_handshake_message`.
fn looks_encrypted(cx: &Cx<'_>, s: &Session, body: &[u8], server: bool) -> bool {
    if body.len() < 16 {
        return false;
    }
    let mut enc = body[..5].iter().all(|&b| b == 0);
    if !enc {
        let ccs = s.ccs[usize::from(server)];
        enc = ccs != 0 && cx.frame > ccs;
    }
    if !enc {
        enc = names::handshake_type(body[0]).is_none();
        if !enc {
            let n = u32::from_be_bytes([0, body[1], body[2], body[3]]);
            enc = n >= 0x1_0000;
        }
    }
    enc
}

/// `dissect_tls_handshake`: the messages of one handshake record.
#[allow(clippy::too_many_arguments)]
fn handshake(
    cx: &mut Cx<'_>,
    s: &mut Session,
    run: &mut Run,
    body: &[u8],
    at: usize,
    version: u16,
    server: bool,
) {
    if looks_encrypted(cx, s, body, server) {
        append(&mut run.info, "Encrypted Handshake Message");
        cx.line(1, Some(at..at + body.len()), "Handshake Protocol", || {
            "Encrypted Handshake Message".into()
        });
        return;
    }
    let mut off = 0usize;
    let mut first = true;
    while off < body.len() {
        let rest = &body[off..];
        let msg_len = if rest.len() >= 4 {
            4 + (usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]))
        } else {
            0
        };
        if msg_len == 0 || rest.len() < msg_len {
            if first {
                let name = names::handshake_type(rest[0]).unwrap_or("Encrypted Handshake Message");
                append(&mut run.info, &format!("[{name} Fragment]"));
            }
            break;
        }
        message(cx, s, run, &rest[..msg_len], at + off, version, first);
        off += msg_len;
        first = false;
    }
}

/// `dissect_tls_handshake_full`: one complete handshake message.
fn message(
    cx: &mut Cx<'_>,
    s: &mut Session,
    run: &mut Run,
    msg: &[u8],
    at: usize,
    version: u16,
    first: bool,
) {
    let ty = msg[0];
    let len = msg.len() - 4;
    let body = &msg[4..];
    let mut name = names::handshake_type(ty);
    if name.is_none() && !first {
        return;
    }
    let mut server_hello = None;
    if ty == 2 {
        let h = hello::parse(body, false);
        if first && len > 2 {
            if let Some(v) = hello::server_version(&h) {
                try_set_version(s, CT_HANDSHAKE, 2, v);
                run.proto = short_name(s.version).unwrap_or(run.proto);
            }
            if h.is_hrr() {
                name = Some("Hello Retry Request");
            }
        }
        server_hello = Some(h);
    }
    let shown = name.unwrap_or("Encrypted Handshake Message");
    append(&mut run.info, shown);
    cx.line(1, Some(at..at + msg.len()), "Handshake Protocol", || {
        shown.to_string()
    });
    if name.is_none() {
        return;
    }
    cx.field("tls.handshake.type", || FieldVal::Uint(u64::from(ty)));
    cx.line(2, Some(at..at + 1), "Handshake Type", || {
        format!("{shown} ({ty})")
    });
    cx.field("tls.handshake.length", || FieldVal::Uint(len as u64));
    cx.line(2, Some(at + 1..at + 4), "Length", || len.to_string());
    match ty {
        1 => {
            let h = hello::parse(body, true);
            s.server_port = cx.ends.dst.port();
            // Wireshark's heuristic sets the conversation's dissector from here on.
            if cx.stream.is_some() {
                cx.expect(cx.ends.dst, Dissector::Tls);
            }
            if h.early_data() {
                s.version = TLS13;
            }
            show_hello(cx, &h, at + 4, true);
        }
        2 => {
            if let Some(h) = server_hello {
                show_hello(cx, &h, at + 4, false);
            }
        }
        11 if version != TLS13 => certificates(cx, body, at + 4),
        _ => {}
    }
    let _ = version;
}

fn cipher_text(c: u16) -> String {
    format!(
        "{} (0x{c:04x})",
        names::cipher_suite(c).unwrap_or("Unknown")
    )
}

/// Fields and tree lines of a ClientHello or ServerHello body starting at `at`.
fn show_hello(cx: &mut Cx<'_>, h: &hello::Hello, at: usize, client: bool) {
    if let Some(v) = h.version {
        cx.field("tls.handshake.version", || FieldVal::Hex(u64::from(v), 4));
        cx.line(2, Some(at..at + 2), "Version", || {
            format!("{} (0x{v:04x})", names::version(v).unwrap_or("Unknown"))
        });
    }
    if let Some(r) = &h.random {
        cx.field("tls.handshake.random", || FieldVal::Bytes(r.clone()));
        cx.line(2, Some(at + 2..at + 34), "Random", || hex_short(r));
    }
    if let Some(sid) = &h.session_id {
        cx.line(2, None, "Session ID Length", || sid.len().to_string());
        if !sid.is_empty() {
            cx.field("tls.handshake.session_id", || FieldVal::Bytes(sid.clone()));
            cx.line(2, None, "Session ID", || hex_short(sid));
        }
    }
    if client {
        if let Some(n) = h.suites_len {
            cx.field("tls.handshake.cipher_suites_length", || {
                FieldVal::Uint(u64::from(n))
            });
            cx.line(2, None, "Cipher Suites Length", || n.to_string());
            cx.line(2, None, "Cipher Suites", || {
                format!("({} suites)", h.suites.len())
            });
        }
        for &c in &h.suites {
            cx.field("tls.handshake.ciphersuite", || {
                FieldVal::Hex(u64::from(c), 4)
            });
            cx.line(3, None, "Cipher Suite", || cipher_text(c));
        }
    } else if let Some(&c) = h.suites.first() {
        cx.field("tls.handshake.ciphersuite", || {
            FieldVal::Hex(u64::from(c), 4)
        });
        cx.line(2, None, "Cipher Suite", || cipher_text(c));
    }
    for (t, b) in &h.extensions {
        let t = *t;
        cx.field("tls.handshake.extension.type", || {
            FieldVal::Uint(u64::from(t))
        });
        cx.line(2, None, "Extension", || {
            format!(
                "{} (len={})",
                names::extension_type(t).unwrap_or("Unknown"),
                b.len()
            )
        });
        match t {
            0 if client => {
                for n in h.server_names() {
                    let v = crate::text::escape(&n);
                    cx.field("tls.handshake.extensions_server_name", || {
                        FieldVal::Str(v.clone())
                    });
                    cx.line(3, None, "Server Name", || v);
                }
            }
            16 => {
                for p in h.alpn() {
                    let v = crate::text::escape(&p);
                    cx.field("tls.handshake.extensions_alpn_str", || {
                        FieldVal::Str(v.clone())
                    });
                    cx.line(3, None, "ALPN Next Protocol", || v);
                }
            }
            43 => {
                for v in h.supported_versions(client) {
                    cx.field("tls.handshake.extensions.supported_version", || {
                        FieldVal::Hex(u64::from(v), 4)
                    });
                    cx.line(3, None, "Supported Version", || {
                        format!("{} (0x{v:04x})", names::version(v).unwrap_or("Unknown"))
                    });
                }
            }
            _ => {}
        }
    }
}

/// A TLS 1.0–1.2 Certificate message body at `at`.
fn certificates(cx: &mut Cx<'_>, body: &[u8], at: usize) {
    let u24 = |b: &[u8]| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]);
    let Some(total) = body.get(..3).map(u24) else {
        return;
    };
    cx.field("tls.handshake.certificates_length", || {
        FieldVal::Uint(total as u64)
    });
    cx.line(2, Some(at..at + 3), "Certificates Length", || {
        total.to_string()
    });
    let list = body.get(3..3 + total).unwrap_or(&body[3..]);
    let mut off = 0usize;
    while let Some(h) = list.get(off..off + 3) {
        let n = u24(h);
        cx.field("tls.handshake.certificate_length", || {
            FieldVal::Uint(n as u64)
        });
        let start = off + 3;
        let Some(der) = list.get(start..start + n) else {
            break;
        };
        let c = cert::parse(der);
        let range = Some(at + 3 + start..at + 3 + start + n);
        cx.line(3, range.clone(), "Certificate", || {
            format!("{} ({})", hex_short(der), c.subject)
        });
        cx.line(4, range.clone(), "signature", || c.signature.clone());
        cx.line(4, range.clone(), "issuer", || c.issuer.clone());
        cx.line(4, range.clone(), "subject", || c.subject.clone());
        cx.line(4, range, "subjectPublicKeyInfo", || match c.key_bits {
            Some(b) => format!("{} ({b} bits)", c.key_algorithm),
            None => c.key_algorithm.clone(),
        });
        for (name, v) in c.fields {
            cx.field(name, || v);
        }
        off = start + n;
    }
}

/// TLS 1.3 handshake messages carried in a QUIC CRYPTO frame at `at` of the layer
/// (`dissect_tls13_handshake`): fields and tree lines only, as QUIC keeps the columns. Only
/// messages complete in `data` are shown (CRYPTO frames are not reassembled across packets).
pub(super) fn quic_handshake(cx: &mut Cx<'_>, data: &[u8], at: usize) {
    let mut s = Session {
        version: TLS13,
        ..Session::default()
    };
    let mut run = Run {
        proto: "QUIC",
        info: String::new(),
        began: true,
    };
    let mut off = 0usize;
    let mut first = true;
    while let Some(rest) = data.get(off..).filter(|r| r.len() >= 4) {
        let n = 4 + (usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]));
        let Some(msg) = rest.get(..n) else { break };
        message(cx, &mut s, &mut run, msg, at + off, TLS13, first);
        off += n;
        first = false;
    }
}

/// Wireshark's TLS heuristic (`dissect_ssl_heur`): an SSLv3/TLS record header of a handshake or
/// application-data record with a common version and a sane length, or an SSLv2-compatible
/// ClientHello.
pub fn heuristic(data: &[u8], t: Transport) -> bool {
    t == Transport::Tcp && (heur_v3(data) || heur_v2_hello(data))
}

fn heur_v3(d: &[u8]) -> bool {
    if d.len() < 5 {
        return false;
    }
    let v = u16::from_be_bytes([d[1], d[2]]);
    let len = u16::from_be_bytes([d[3], d[4]]);
    matches!(d[0], CT_HANDSHAKE | CT_APP_DATA)
        && matches!(v, 0x0300..=0x0303 | 0x0101)
        && len != 0
        && usize::from(len) < 16384 + 2048
}

fn heur_v2_hello(d: &[u8]) -> bool {
    let g = |i: usize| d.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    d.len() >= 46
        && d[0] == 0x80
        && d[2] == 1
        && g(5).is_some_and(|n| n != 0 && n % 3 == 0)
        && g(7).is_some_and(|n| n == 0 || n == 16)
        && g(9) == Some(32)
}

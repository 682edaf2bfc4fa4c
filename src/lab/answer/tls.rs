//! The Kurose & Ross "Wireshark Lab: TLS" (v8.1), answered from captures: the TCP connection
//! under the session, the Client Hello and Server Hello (versions, cipher suites, random
//! bytes), the server's certificates (who they are for, the issuing CA, its signature
//! algorithm, the RSA modulus), Server Hello Done, the client's key exchange, the symmetric
//! algorithm, the first application data and the encrypted alert that closes the session.
//!
//! Every TLS message is read from wirelab's TLS dissector's fields (`tls.*`, `x509*`,
//! `pkcs1.*`, as `wirelab read --json` and display filters see them): nothing here parses TLS
//! or DER again. Records that span TCP segments are reassembled by the dissector and found in
//! the frame where their last segment arrived, as Wireshark shows them. The session answered
//! is the first Client Hello answered by a Server Hello on the same TCP connection (or the
//! first to `--server`); a TLS 1.3 session is answered as far as a capture without keys shows
//! it (everything after the Server Hello is encrypted). At most [`KEEP`] TLS frames per file
//! are kept.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use super::report::{Answer, Table};
use super::{AnswerError, Capture, frames_text, plural, scan};
use crate::analyse::Packet;
use crate::decode::TransportRepr;
use crate::dissect::tls::{names, x509_oid_name};
use crate::dissect::{Dissector, FieldVal};
use crate::frame::Frame;
use crate::wire::tcp::tcp_flags::{ACK, SYN};

/// TLS frames kept per file.
pub const KEEP: usize = 8192;
/// TCP connections whose opening is remembered per file.
const KEEP_STREAMS: usize = 65536;

const TLS13: u16 = 0x0304;

/// One certificate of a Certificate message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cert {
    /// `x509af.algorithm.id` of the `signature` field (the CA's algorithm), dotted.
    pub signature: Option<String>,
    /// The issuer's attributes (OID, value), in order.
    pub issuer: Vec<(String, Option<String>)>,
    /// The subject's attributes.
    pub subject: Vec<(String, Option<String>)>,
    /// `x509af.algorithm.id` of `subjectPublicKeyInfo`.
    pub key_algorithm: Option<String>,
    /// `pkcs1.modulus` (as Wireshark shows it, the DER integer's sign byte included).
    pub modulus: Option<Vec<u8>>,
}

fn cn(attrs: &[(String, Option<String>)]) -> Option<&str> {
    attrs
        .iter()
        .find(|(o, _)| o == "2.5.4.3")
        .and_then(|(_, v)| v.as_deref())
}

fn name_text(attrs: &[(String, Option<String>)]) -> String {
    attrs
        .iter()
        .map(|(o, v)| {
            format!(
                "{}={}",
                x509_oid_name(o).unwrap_or(o),
                v.as_deref().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl Cert {
    /// The subject's commonName (`id-at-commonName`).
    pub fn subject_cn(&self) -> Option<&str> {
        cn(&self.subject)
    }

    /// The issuer's commonName.
    pub fn issuer_cn(&self) -> Option<&str> {
        cn(&self.issuer)
    }

    /// The modulus's hex digits without the sign byte Wireshark shows first.
    pub fn modulus_hex(&self) -> Option<String> {
        let m = self.modulus.as_ref()?;
        let from = m.iter().position(|&b| b != 0).unwrap_or(m.len());
        Some(hex(m.get(from..).unwrap_or(&[])))
    }
}

/// A Client Hello or Server Hello.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hello {
    /// `tls.handshake.version`.
    pub version: Option<u16>,
    /// `tls.handshake.random` (32 bytes: 4 of GMT Unix time, 28 random bytes, as Wireshark
    /// splits them).
    pub random: Vec<u8>,
    /// `tls.handshake.ciphersuite`: offered (client) or chosen (server).
    pub suites: Vec<u16>,
    /// `tls.handshake.extensions.supported_version`.
    pub supported: Vec<u16>,
    /// `tls.handshake.extensions_server_name`.
    pub server_name: Option<String>,
    /// `tls.handshake.extensions_alpn_str`.
    pub alpn: Vec<String>,
}

/// One TLS record as the dissector shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// `tls.record.content_type` (or `tls.record.opaque_type`).
    pub content_type: u8,
    /// The handshake messages' types (`tls.handshake.type`); empty for an encrypted one.
    pub handshake: Vec<u8>,
    /// An alert's level and description; `None` for an encrypted alert.
    pub alert: Option<(u8, u8)>,
}

impl Record {
    /// A handshake record whose messages cannot be read (encrypted, or a fragment).
    pub fn encrypted_handshake(&self) -> bool {
        self.content_type == 22 && self.handshake.is_empty()
    }

    /// What Wireshark's Info column calls it.
    pub fn describe(&self) -> Vec<String> {
        match self.content_type {
            20 => vec!["Change Cipher Spec".into()],
            21 => vec![match self.alert {
                Some((l, d)) => format!(
                    "Alert (Level: {}, Description: {})",
                    names::alert_level(l).unwrap_or("Unknown"),
                    names::alert_description(d).unwrap_or("Unknown")
                ),
                None => "Encrypted Alert".into(),
            }],
            22 if self.handshake.is_empty() => vec!["Encrypted Handshake Message".into()],
            22 => self
                .handshake
                .iter()
                .map(|&t| names::handshake_type(t).unwrap_or("Unknown").to_string())
                .collect(),
            23 => vec!["Application Data".into()],
            _ => vec![
                names::content_type(self.content_type)
                    .unwrap_or("Unknown")
                    .to_string(),
            ],
        }
    }
}

/// The TLS records of one frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TlsFrame {
    /// Index of its file.
    pub file: usize,
    /// Frame number.
    pub frame: u64,
    /// Seconds since the file's first frame.
    pub time: f64,
    /// Source socket.
    pub src: Option<SocketAddr>,
    /// Destination socket.
    pub dst: Option<SocketAddr>,
    /// `tcp.stream`.
    pub stream: Option<u32>,
    /// Its records, in order.
    pub records: Vec<Record>,
    /// The Client Hello or Server Hello it carries.
    pub hello: Option<Hello>,
    /// The certificates of a Certificate message it carries.
    pub certs: Vec<Cert>,
}

impl TlsFrame {
    /// Carries a handshake message of this type.
    pub fn has(&self, ty: u8) -> bool {
        self.records.iter().any(|r| r.handshake.contains(&ty))
    }

    /// Carries a record of this content type.
    pub fn has_type(&self, ct: u8) -> bool {
        self.records.iter().any(|r| r.content_type == ct)
    }

    /// The Info column's words for its records.
    pub fn info(&self) -> String {
        self.records
            .iter()
            .flat_map(Record::describe)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The opening of one TCP connection.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Opening {
    /// The first SYN (without ACK).
    pub syn: Option<u64>,
    /// The first SYN-ACK.
    pub syn_ack: Option<u64>,
}

/// Everything TLS in the captures.
#[derive(Debug, Clone, Default)]
pub struct TlsTrace {
    /// The TLS frames kept, in order.
    pub frames: Vec<TlsFrame>,
    /// TCP openings by (file, stream).
    pub openings: HashMap<(usize, u32), Opening>,
    /// TLS frames counted per file (kept or not).
    pub counts: Vec<u64>,
}

fn num(v: &FieldVal) -> Option<u64> {
    match v {
        FieldVal::Uint(n) | FieldVal::Hex(n, _) => Some(*n),
        other => other.to_string().parse().ok(),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Which certificate name the fields are in.
#[derive(Clone, Copy, PartialEq)]
enum In {
    Before,
    Issuer,
    Subject,
}

/// Reads one TLS layer's fields (in tshark's order) into records, hello and certificates.
fn read_layer(fields: &[(&'static str, FieldVal)], f: &mut TlsFrame) {
    let mut msg: Option<u8> = None;
    let mut place = In::Before;
    for (name, v) in fields {
        match *name {
            "tls.record.content_type" | "tls.record.opaque_type" => {
                f.records.push(Record {
                    content_type: num(v).unwrap_or(0) as u8,
                    ..Record::default()
                });
                msg = None;
            }
            "tls.handshake.type" => {
                let t = num(v).unwrap_or(0) as u8;
                if let Some(r) = f.records.last_mut() {
                    r.handshake.push(t);
                }
                msg = Some(t);
                if matches!(t, 1 | 2) && f.hello.is_none() {
                    f.hello = Some(Hello::default());
                }
            }
            "tls.alert_message.level" => {
                if let Some(r) = f.records.last_mut() {
                    r.alert = Some((num(v).unwrap_or(0) as u8, 0));
                }
            }
            "tls.alert_message.desc" => {
                if let Some(r) = f.records.last_mut()
                    && let Some(a) = r.alert.as_mut()
                {
                    a.1 = num(v).unwrap_or(0) as u8;
                }
            }
            _ => {}
        }
        if matches!(msg, Some(1 | 2))
            && let Some(h) = f.hello.as_mut()
        {
            match *name {
                "tls.handshake.version" => h.version = num(v).map(|n| n as u16),
                "tls.handshake.random" => {
                    if let FieldVal::Bytes(b) = v {
                        h.random = b.clone();
                    }
                }
                "tls.handshake.ciphersuite" => h.suites.extend(num(v).map(|n| n as u16)),
                "tls.handshake.extensions.supported_version" => {
                    h.supported.extend(num(v).map(|n| n as u16))
                }
                "tls.handshake.extensions_server_name" => {
                    h.server_name.get_or_insert_with(|| v.to_string());
                }
                "tls.handshake.extensions_alpn_str" => h.alpn.push(v.to_string()),
                _ => {}
            }
        }
        if msg == Some(11) {
            match *name {
                "tls.handshake.certificate_length" => {
                    f.certs.push(Cert::default());
                    place = In::Before;
                }
                "x509af.issuer" => place = In::Issuer,
                "x509af.subject" => place = In::Subject,
                "x509af.algorithm.id" => {
                    if let Some(c) = f.certs.last_mut() {
                        if c.signature.is_none() {
                            c.signature = Some(v.to_string());
                        } else if place == In::Subject && c.key_algorithm.is_none() {
                            c.key_algorithm = Some(v.to_string());
                        }
                    }
                }
                "x509if.oid" => {
                    if let Some(c) = f.certs.last_mut() {
                        match place {
                            In::Issuer => c.issuer.push((v.to_string(), None)),
                            In::Subject => c.subject.push((v.to_string(), None)),
                            In::Before => {}
                        }
                    }
                }
                n if n.starts_with("x509sat.") => {
                    if let Some(c) = f.certs.last_mut() {
                        let list = match place {
                            In::Issuer => &mut c.issuer,
                            In::Subject => &mut c.subject,
                            In::Before => continue,
                        };
                        if let Some(last) = list.last_mut().filter(|l| l.1.is_none()) {
                            last.1 = Some(v.to_string());
                        }
                    }
                }
                "pkcs1.modulus" => {
                    if let (Some(c), FieldVal::Bytes(b)) = (f.certs.last_mut(), v) {
                        c.modulus.get_or_insert_with(|| b.clone());
                    }
                }
                _ => {}
            }
        }
    }
}

impl TlsTrace {
    /// Adds one analysed frame of file `file`.
    pub fn add(&mut self, file: usize, p: &Packet) {
        let TransportRepr::Tcp(t) = &p.decoded.transport else {
            return;
        };
        let stream = p.tcp.as_ref().map(|t| t.stream);
        if let Some(s) = stream
            && t.flags & SYN != 0
            && (self.openings.len() < KEEP_STREAMS || self.openings.contains_key(&(file, s)))
        {
            let o = self.openings.entry((file, s)).or_default();
            if t.flags & ACK == 0 {
                o.syn.get_or_insert(p.number);
            } else {
                o.syn_ack.get_or_insert(p.number);
            }
        }
        let layers: Vec<_> = p
            .app
            .iter()
            .filter(|l| l.dissector == Some(Dissector::Tls))
            .collect();
        if layers.is_empty() {
            return;
        }
        if self.counts.len() <= file {
            self.counts.resize(file + 1, 0);
        }
        let Some(c) = self.counts.get_mut(file) else {
            return;
        };
        *c += 1;
        if *c > KEEP as u64 {
            return;
        }
        let ends = p.decoded.net.ip_addrs().map(|(s, d)| {
            (
                SocketAddr::new(s, t.src_port),
                SocketAddr::new(d, t.dst_port),
            )
        });
        let mut f = TlsFrame {
            file,
            frame: p.number,
            time: p.time_rel_ns as f64 / 1e9,
            src: ends.map(|e| e.0),
            dst: ends.map(|e| e.1),
            stream,
            ..TlsFrame::default()
        };
        for l in layers {
            read_layer(&l.fields, &mut f);
        }
        if !f.records.is_empty() {
            self.frames.push(f);
        }
    }
}

/// Reads every capture's TLS frames.
pub fn read(caps: &[Capture]) -> Result<TlsTrace, AnswerError> {
    let mut all = TlsTrace::default();
    for (i, c) in caps.iter().enumerate() {
        scan(&c.path, |p: &Packet, _: &Frame| all.add(i, p))?;
    }
    Ok(all)
}

/// Every answer of the TLS lab, from the captures' files; `server` picks the session.
pub fn answers(caps: &[Capture], server: Option<IpAddr>) -> Result<Vec<Answer>, AnswerError> {
    Ok(answer_trace(&read(caps)?, server))
}

/// One TLS session: a Client Hello and the frames of its TCP connection.
pub struct Session<'a> {
    /// The Client Hello's frame.
    pub hello: &'a TlsFrame,
    /// Every TLS frame of the connection, in order.
    pub frames: Vec<&'a TlsFrame>,
    /// The TCP connection's opening.
    pub opening: Opening,
}

impl<'a> Session<'a> {
    fn client(&self) -> Option<SocketAddr> {
        self.hello.src
    }

    fn sent_by_client(&self, f: &TlsFrame) -> bool {
        f.src == self.client()
    }

    fn server_frames(&self) -> impl Iterator<Item = &&'a TlsFrame> {
        self.frames.iter().filter(|f| !self.sent_by_client(f))
    }

    fn client_frames(&self) -> impl Iterator<Item = &&'a TlsFrame> {
        self.frames.iter().filter(|f| self.sent_by_client(f))
    }

    fn server_hello(&self) -> Option<&'a TlsFrame> {
        self.server_frames().find(|f| f.has(2)).copied()
    }

    fn server_version(&self) -> Option<u16> {
        let h = self.server_hello()?.hello.as_ref()?;
        h.supported.first().copied().or(h.version)
    }

    fn tls13(&self) -> bool {
        self.server_version() == Some(TLS13)
    }
}

fn same_conn(a: &TlsFrame, b: &TlsFrame) -> bool {
    a.file == b.file
        && match (a.stream, b.stream) {
            (Some(x), Some(y)) => x == y,
            _ => (a.src, a.dst) == (b.src, b.dst) || (a.src, a.dst) == (b.dst, b.src),
        }
}

/// The session the lab is about: the first Client Hello (to `server`, when given) that a
/// Server Hello answers on the same connection, else the first Client Hello.
pub fn session(t: &TlsTrace, server: Option<IpAddr>) -> Option<Session<'_>> {
    let hellos: Vec<&TlsFrame> = t
        .frames
        .iter()
        .filter(|f| f.has(1) && server.is_none_or(|s| f.dst.map(|d| d.ip()) == Some(s)))
        .collect();
    let answered = |h: &&TlsFrame| {
        t.frames
            .iter()
            .any(|f| f.has(2) && f.frame > h.frame && same_conn(f, h) && f.src == h.dst)
    };
    let hello = hellos
        .iter()
        .find(|h| answered(h))
        .or(hellos.first())
        .copied()?;
    let frames = t
        .frames
        .iter()
        .filter(|f| same_conn(f, hello) && f.frame >= hello.frame)
        .collect();
    let opening = hello
        .stream
        .and_then(|s| t.openings.get(&(hello.file, s)).copied())
        .unwrap_or_default();
    Some(Session {
        hello,
        frames,
        opening,
    })
}

const WS: &str = "How: Wireshark display filter";

fn version_name(v: u16) -> String {
    format!("{} (0x{v:04x})", names::version(v).unwrap_or("Unknown"))
}

fn suite_name(c: u16) -> String {
    format!(
        "{} (0x{c:04x})",
        names::cipher_suite(c).unwrap_or("Unknown")
    )
}

/// The symmetric cipher of a cipher suite's name: `AES_128_GCM` of
/// `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` and of `TLS_AES_128_GCM_SHA256`.
pub fn symmetric(suite: &str) -> Option<String> {
    let rest = match suite.split_once("_WITH_") {
        Some((_, r)) => r,
        None => suite.strip_prefix("TLS_")?,
    };
    let mut parts: Vec<&str> = rest.split('_').collect();
    if parts
        .last()
        .is_some_and(|p| p.starts_with("SHA") || *p == "MD5" || *p == "SM3")
    {
        parts.pop();
    }
    (!parts.is_empty()).then(|| parts.join("_"))
}

/// `ip.src == A` or `ipv6.src == A`.
fn src_filter(a: Option<SocketAddr>) -> String {
    match a.map(|a| a.ip()) {
        Some(IpAddr::V6(x)) => format!("ipv6.src == {x}"),
        Some(x) => format!("ip.src == {x}"),
        None => "ip.src == ?".into(),
    }
}

fn ip(a: Option<SocketAddr>) -> String {
    a.map(|a| a.ip().to_string()).unwrap_or_else(|| "?".into())
}

/// The questions, as the course words them.
pub const QUESTIONS: [&str; 24] = [
    "What is the packet number in your trace that contains the initial TCP SYN message? (By \
     \"packet number,\" we mean the number in the \"No.\" column in the Wireshark display, not \
     the sequence number in the TCP segment itself).",
    "Is the TCP connection set up before or after the first TLS message is sent from client \
     to server?",
    "What is the packet number in your trace that contains the TLS Client Hello message?",
    "What version of TLS is your client running, as declared in the Client Hello message?",
    "How many cipher suites are supported by your client, as declared in the Client Hello \
     message? A cipher suite is a set of related cryptographic algorithms that determine how \
     session keys will be derived, and how data will be encrypted and be digitally signed via \
     a HMAC algorithm.",
    "Your client sends the server a random string of bytes in the Client Hello message. What \
     are the first two hexadecimal digits in this random bytes field? Enter the two \
     hexadecimal digits (without any spaces and without any \"0x\" qualifier, using lowercase \
     letters where needed). Hint: be careful to fully dig into the Random field to find the \
     Random Bytes subfield (do not consider the GMT UNIX Time subfield of Random).",
    "What is the purpose(s) of the random bytes field in the Client Hello message? Note: \
     you'll have to do some searching and reading to get the answer to this question; see \
     section 8.6 and reference [Rescorla 2001] in the text.",
    "What is the packet number in your trace that contains the TLS Server Hello message?",
    "Which cipher suite has been chosen by the server from among those offered in the earlier \
     Client Hello message?",
    "Does the Server Hello message contain random bytes, similar to how the Client Hello \
     message contained random bytes? And if so, what is/are their purpose(s)?",
    "What is the packet number in your trace for the TLS message part that contains the \
     public key certificate for the www.cics.umass.edu server (actually the www.cs.umass.edu \
     server)?",
    "A server may return more than one certificate. If more than one certificate is \
     returned, are all of these certificates for www.cs.umass.edu? If not all are for \
     www.cs.umass.edu, then who are these other certificates for? You can determine who the \
     certificate is for by checking the id-at-commonName field in the returned certificate.",
    "What is the name of the certification authority that issued the certificate for \
     id-at-commonName=www.cs.umass.edu?",
    "What digital signature algorithm is used by the CA to sign this certificate? Hint: this \
     information can be found in signature subfield of the SignedCertificate field of the \
     certificate for www.cs.umass.edu.",
    "Let's now look at what a real public key looks like! What are the first four \
     hexadecimal digits of the modulus of the public key being used by www.cics.umass.edu? \
     Enter the four hexadecimal digits (without any spaces and without any \"0x\" qualifier, \
     using lowercase letters where needed). Hint: this information can be found in \
     subjectPublicKeyInfo subfield of the SignedCertificate field of the certificate for \
     www.cs.umass.edu.",
    "Look in your trace to find messages between the client and a CA to get the CA's public \
     key information, so that the client can verify that the CA-signed certificate sent by \
     the server is indeed valid and has not been forged or altered. Do you see such message \
     in your trace? If so, what is the number in the trace of the first packet sent from your \
     client to the CA? If not, explain why the client did not contact the CA.",
    "What is the packet number in your trace for the TLS message part that contains the \
     Server Hello Done TLS record?",
    "What is the packet number in your trace for the TLS message that contains the public \
     key information, Change Cipher Spec, and Encrypted Handshake message, being sent from \
     client to server?",
    "Does the client provide its own CA-signed public key certificate back to the server? If \
     so, what is the packet number in your trace containing your client's certificate?",
    "What symmetric key cryptography algorithm is being used by the client and server to \
     encrypt application data (in this case, HTTP messages)?",
    "In which TLS message is the symmetric key cryptography algorithm finally decided and \
     declared?",
    "What is the packet number in your trace for the first encrypted message carrying \
     application data from client to server?",
    "What do you think is the content of this encrypted application data?",
    "What packet number contains the client-to-server TLS message that shuts down the TLS \
     connection? Hint: the Client or server can shut down the TLS connection by sending an \
     encrypted alert.",
];

fn q(n: usize) -> &'static str {
    QUESTIONS.get(n.wrapping_sub(1)).copied().unwrap_or("")
}

fn new(n: usize, text: String) -> Answer {
    Answer::new(&n.to_string(), q(n), text)
}

const NO_HELLO: &str = "not in this capture: a TLS Client Hello. Start the capture before \
                        the browser (or curl) opens the https:// page, with the browser's \
                        cache cleared or in a new private window, and filter on `tls`.";

const TLS13_NOTE: &str = "This session is TLS 1.3: everything the server sends after its \
                          Server Hello (Encrypted Extensions, Certificate, Certificate \
                          Verify, Finished) is encrypted, and Wireshark without the session \
                          keys shows it only as \"Application Data\". To see the TLS 1.2 \
                          messages the lab describes, make the client use TLS 1.2 (`curl \
                          --tls-max 1.2`, or set the browser's maximum TLS version), or give \
                          Wireshark the keys (SSLKEYLOGFILE, Preferences › Protocols › TLS › \
                          (Pre)-Master-Secret log filename).";

/// The answers from the TLS frames read.
pub fn answer_trace(t: &TlsTrace, server: Option<IpAddr>) -> Vec<Answer> {
    let Some(s) = session(t, server) else {
        return (1..=24).map(|n| new(n, NO_HELLO.to_string())).collect();
    };
    let mut out = Vec::new();
    tcp_part(&s, &mut out);
    client_hello(&s, &mut out);
    server_hello(&s, &mut out);
    certificate(&s, &mut out);
    key_exchange(&s, &mut out);
    application(&s, &mut out);
    out
}

fn tcp_part(s: &Session<'_>, out: &mut Vec<Answer>) {
    let h = s.hello;
    let o = s.opening;
    out.push(match o.syn {
        Some(syn) => new(
            1,
            format!(
                "Frame {syn}: the SYN from {} to {} that opens the TCP connection the TLS \
                 session runs on (tcp.stream {}).\n{WS} `tcp.flags.syn == 1 && tcp.flags.ack \
                 == 0`.",
                ip(h.src),
                ip(h.dst),
                h.stream
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "?".into())
            ),
        )
        .cite(h.file, "SYN", vec![syn])
        .value("frame", syn),
        None => new(
            1,
            format!(
                "not in this capture: the SYN of the connection that carries the Client Hello \
                 (frame {}). Start the capture before the page is opened.",
                h.frame
            ),
        )
        .value("frame", None::<u64>),
    });
    let before = o.syn.is_some_and(|x| x < h.frame);
    out.push(
        new(
            2,
            match o.syn {
                Some(syn) => format!(
                    "Before: the TCP three-way handshake (SYN in frame {syn}{}) comes first, \
                     and the Client Hello, the first TLS message, follows in frame {} on that \
                     connection. TLS runs over TCP, so the TCP connection must exist first.\n\
                     {WS} `tcp.stream == {}`.",
                    o.syn_ack
                        .map(|a| format!(", SYN-ACK in frame {a}"))
                        .unwrap_or_default(),
                    h.frame,
                    h.stream
                        .map(|x| x.to_string())
                        .unwrap_or_else(|| "?".into())
                ),
                None => format!(
                    "Before (TLS runs over TCP), though this capture starts after the TCP \
                     handshake: the Client Hello is frame {}.",
                    h.frame
                ),
            },
        )
        .cite(h.file, "SYN", o.syn.into_iter().collect())
        .cite(h.file, "Client Hello", vec![h.frame])
        .value("before", o.syn.is_none() || before),
    );
}

fn client_hello(s: &Session<'_>, out: &mut Vec<Answer>) {
    let f = s.hello;
    let h = f.hello.clone().unwrap_or_default();
    let ev = |a: Answer| a.cite(f.file, "Client Hello", vec![f.frame]);
    out.push(
        ev(new(
            3,
            format!(
                "Frame {}, from {} to {}{}.\n{WS} `tls.handshake.type == 1`.",
                f.frame,
                ip(f.src),
                ip(f.dst),
                h.server_name
                    .as_ref()
                    .map(|n| format!(" (Server Name Indication: {n})"))
                    .unwrap_or_default()
            ),
        ))
        .value("frame", f.frame)
        .value("server_name", &h.server_name),
    );
    let declared: Vec<String> = h.supported.iter().map(|&v| version_name(v)).collect();
    out.push(
        ev(new(
            4,
            format!(
                "{}{} It depends on the student's browser.\n{WS} `tls.handshake.type == \
                 1`; field tls.handshake.version (and the \
                 supported_versions extension, tls.handshake.extensions.supported_version).",
                match h.version {
                    Some(v) => format!("The Client Hello declares {}.", version_name(v)),
                    None => "The Client Hello declares no version.".into(),
                },
                if declared.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Its supported_versions extension lists {}: a TLS 1.3 client keeps \
                         TLS 1.2 in the old version field for compatibility and offers its \
                         real versions there; the highest is what it runs.",
                        declared.join(", ")
                    )
                }
            ),
        ))
        .value("version", h.version.map(version_name))
        .value("supported_versions", &declared),
    );
    out.push(
        ev(new(
            5,
            format!(
                "{} cipher suite{} (\"Cipher Suites ({} suites)\" in frame {}). The list depends \
                 on the student's browser{}.\n{WS} `tls.handshake.type == 1`; field \
                 tls.handshake.ciphersuite.",
                h.suites.len(),
                plural(h.suites.len() as u64),
                h.suites.len(),
                f.frame,
                if h.suites.iter().any(|c| c & 0x0f0f == 0x0a0a) {
                    " (GREASE values, shown as \"Reserved (GREASE)\", are counted as Wireshark \
                     lists them)"
                } else {
                    ""
                }
            ),
        ))
        .value("count", h.suites.len())
        .value(
            "suites",
            h.suites.iter().map(|&c| suite_name(c)).collect::<Vec<_>>(),
        ),
    );
    let bytes = h.random.get(4..).unwrap_or(&[]);
    let first = bytes.first().map(|b| format!("{b:02x}"));
    out.push(
        ev(new(
            6,
            match &first {
                Some(x) => format!(
                    "{x}: Random Bytes {}… in frame {} (the first 4 bytes of Random, {}, are \
                     shown as GMT Unix Time and are not counted). The bytes differ on every \
                     connection.\n{WS} `tls.handshake.type == 1`; expand Random › Random \
                     Bytes (field tls.handshake.random).",
                    hex(bytes.get(..8).unwrap_or(bytes)),
                    f.frame,
                    hex(h.random.get(..4).unwrap_or(&[]))
                ),
                None => format!("The Client Hello (frame {}) carries no Random.", f.frame),
            },
        ))
        .value("first_two_hex", &first)
        .value("random", hex(&h.random)),
    );
    out.push(
        ev(new(
            7,
            "They are a nonce, fresh for every session: (1) they protect against a \
             connection replay attack, since an attacker who recorded an earlier session \
             cannot replay it against a server that picks new randoms of its own, and (2) \
             they are an input, with the server's random and the pre-master secret, to the \
             derivation of the master secret and from it the session keys (encryption and \
             MAC/IV keys), so each session gets different keys (textbook section 8.6)."
                .to_string(),
        ))
        .value("random", hex(&h.random)),
    );
}

fn server_hello(s: &Session<'_>, out: &mut Vec<Answer>) {
    let Some(f) = s.server_hello() else {
        let why = format!(
            "not in this capture: a Server Hello answering the Client Hello in frame {}. \
             Capture the whole connection (the server's replies too) and filter on `tls`.",
            s.hello.frame
        );
        for n in 8..=10 {
            out.push(new(n, why.clone()));
        }
        return;
    };
    let h = f.hello.clone().unwrap_or_default();
    let ev = |a: Answer| a.cite(f.file, "Server Hello", vec![f.frame]);
    out.push(
        ev(new(
            8,
            format!(
                "Frame {} (\"{}\"), from {} to {}.\n{WS} `tls.handshake.type == 2`.",
                f.frame,
                f.info(),
                ip(f.src),
                ip(f.dst)
            ),
        ))
        .value("frame", f.frame),
    );
    let chosen = h.suites.first().copied();
    out.push(
        ev(new(
            9,
            match chosen {
                Some(c) => format!(
                    "{} (frame {}), one of the {} the client offered. The choice depends on \
                     the server and its configuration.\n{WS} `tls.handshake.type == 2`; field \
                     tls.handshake.ciphersuite.",
                    suite_name(c),
                    f.frame,
                    s.hello.hello.as_ref().map(|x| x.suites.len()).unwrap_or(0)
                ),
                None => format!(
                    "The Server Hello (frame {}) names no cipher suite.",
                    f.frame
                ),
            },
        ))
        .value("suite", chosen.map(suite_name))
        .value("suite_id", chosen),
    );
    let bytes = h.random.get(4..).unwrap_or(&[]);
    out.push(
        ev(new(
            10,
            if h.random.is_empty() {
                format!("The Server Hello (frame {}) carries no Random.", f.frame)
            } else {
                format!(
                    "Yes: 32 bytes of Random in frame {} (Random Bytes {}…). Their purpose is \
                     the client's: a fresh nonce from the server, so a recorded session cannot \
                     be replayed to the client, and the server's share of the input (with the \
                     client's random and the pre-master secret) to the master secret and the \
                     session keys.{}\n{WS} `tls.handshake.type == 2`; field \
                     tls.handshake.random.",
                    f.frame,
                    hex(bytes.get(..8).unwrap_or(bytes)),
                    if s.tls13() {
                        " In TLS 1.3 the last 8 bytes also guard against a downgrade."
                    } else {
                        ""
                    }
                )
            },
        ))
        .value("random", hex(&h.random)),
    );
}

fn certificate(s: &Session<'_>, out: &mut Vec<Answer>) {
    let cert = s.server_frames().find(|f| f.has(11)).copied();
    let Some(f) = cert else {
        // Before the server's Change Cipher Spec a handshake record without a readable
        // message holds a piece of a message spread over several records.
        let ccs = s
            .server_frames()
            .find(|f| f.has_type(20))
            .map_or(u64::MAX, |f| f.frame);
        let pieces: Vec<u64> = s
            .server_frames()
            .filter(|f| f.frame < ccs && f.records.iter().any(Record::encrypted_handshake))
            .map(|f| f.frame)
            .collect();
        let why = if s.tls13() {
            format!("not visible in this capture (encrypted). {TLS13_NOTE}")
        } else if !pieces.is_empty() {
            format!(
                "not read here: {} {} pieces of a server handshake \
                 message (most likely the Certificate) spread over several TLS records, which \
                 wirelab does not put back together. Wireshark does: open the last of those \
                 frames and expand \"Reassembled TLS handshake\", or filter on \
                 `tls.handshake.type == 11`.",
                frames_text(&pieces, pieces.len() as u64),
                if pieces.len() == 1 {
                    "carries"
                } else {
                    "carry"
                }
            )
        } else {
            "not in this capture: the server's Certificate message (the session may resume an \
             earlier one, which skips it). Clear the browser's cache or open a new private \
             window, capture the whole handshake, and filter on `tls.handshake.type == 11`."
                .to_string()
        };
        for n in 11..=15 {
            let text = if n == 11 || !s.tls13() {
                why.clone()
            } else {
                "not visible in this capture: the certificate is encrypted in TLS 1.3 (see \
                 question 11)."
                    .to_string()
            };
            out.push(new(n, text).value("frame", None::<u64>));
        }
        ca_part(s, out);
        return;
    };
    let ev = |a: Answer| a.cite(f.file, "Certificate", vec![f.frame]);
    let server_name = s.hello.hello.as_ref().and_then(|h| h.server_name.clone());
    let first = f.certs.first();
    let subjects: Vec<Option<String>> = f
        .certs
        .iter()
        .map(|c| c.subject_cn().map(str::to_string))
        .collect();
    out.push(
        ev(new(
            11,
            format!(
                "Frame {} (\"{}\"): its Certificate message carries {} certificate{}, the \
                 first for {}. The server's name and certificates depend on the server (the \
                 course's www.cs.umass.edu; here {}).\n{WS} `tls.handshake.type == 11`.",
                f.frame,
                f.info(),
                f.certs.len(),
                plural(f.certs.len() as u64),
                first
                    .and_then(Cert::subject_cn)
                    .map(|c| format!("id-at-commonName={c}"))
                    .unwrap_or_else(|| "a subject without commonName".into()),
                server_name.as_deref().unwrap_or("no name given")
            ),
        ))
        .value("frame", f.frame)
        .value("certificates", f.certs.len()),
    );
    let mut table = Table::new(&["#", "Subject commonName", "Issuer commonName"]);
    for (i, c) in f.certs.iter().enumerate() {
        table.row(vec![
            (i + 1).to_string(),
            c.subject_cn().unwrap_or("-").to_string(),
            c.issuer_cn().unwrap_or("-").to_string(),
        ]);
    }
    let others: Vec<String> = f
        .certs
        .iter()
        .skip(1)
        .map(|c| c.subject_cn().unwrap_or("?").to_string())
        .collect();
    out.push(
        ev(new(
            12,
            if others.is_empty() {
                format!(
                    "One certificate only, for {} (frame {}): the server sends its own and \
                     the client must already hold its issuer's.\n{WS} `tls.handshake.type == \
                     11`; expand each Certificate › signedCertificate › subject \
                     (id-at-commonName).",
                    first.and_then(Cert::subject_cn).unwrap_or("?"),
                    f.frame
                )
            } else {
                format!(
                    "{} certificates (frame {}). Only the first is for the server ({}); the \
                     others are for {}: the certification authorities of the chain, each \
                     certificate issued by the next, up to a CA the client trusts.\n{WS} \
                     `tls.handshake.type == 11`; expand each Certificate › signedCertificate › \
                     subject (id-at-commonName).",
                    f.certs.len(),
                    f.frame,
                    first.and_then(Cert::subject_cn).unwrap_or("?"),
                    others.join(", ")
                )
            },
        ))
        .value("subjects", &subjects)
        .with_table(table),
    );
    let issuer = first.and_then(Cert::issuer_cn).map(str::to_string);
    out.push(
        ev(new(
            13,
            format!(
                "{} (issuer {} of the certificate for {}, frame {}).{} It depends on the \
                 server.\n{WS} `tls.handshake.type == 11`; Certificate › signedCertificate › \
                 issuer (id-at-commonName).",
                issuer.as_deref().unwrap_or("no commonName"),
                first.map(|c| name_text(&c.issuer)).unwrap_or_default(),
                first.and_then(Cert::subject_cn).unwrap_or("?"),
                f.frame,
                if first.is_some_and(|c| !c.issuer.is_empty() && c.issuer == c.subject) {
                    " The certificate is self-signed: it names itself as its issuer, so no CA \
                     vouches for it and a client must be told to trust it."
                } else {
                    ""
                }
            ),
        ))
        .value("issuer_cn", &issuer)
        .value("issuer", first.map(|c| name_text(&c.issuer))),
    );
    let sig = first.and_then(|c| c.signature.clone());
    let sig_name = sig
        .as_deref()
        .map(|o| x509_oid_name(o).unwrap_or(o).to_string());
    out.push(
        ev(new(
            14,
            format!(
                "{} ({}), in the signature field of signedCertificate (frame {}).\n{WS} \
                 `tls.handshake.type == 11`; field x509af.algorithm.id.",
                sig_name.as_deref().unwrap_or("not found"),
                sig.as_deref().unwrap_or("?"),
                f.frame
            ),
        ))
        .value("algorithm", &sig_name)
        .value("oid", &sig),
    );
    let modulus = first.and_then(Cert::modulus_hex);
    let four = modulus
        .as_ref()
        .and_then(|m| m.get(..4))
        .map(str::to_string);
    let shown = first
        .and_then(|c| c.modulus.as_ref())
        .map(|m| hex(m.get(..2).unwrap_or(m)));
    out.push(
        ev(new(
            15,
            match (&four, first.and_then(|c| c.key_algorithm.as_deref())) {
                (Some(x), _) => format!(
                    "{x}: the modulus begins {}… ({} bits; frame {}).{} It depends on the \
                     server's key.\n{WS} `tls.handshake.type == 11`; subjectPublicKeyInfo › \
                     subjectPublicKey › modulus (field pkcs1.modulus).",
                    modulus
                        .as_deref()
                        .and_then(|m| m.get(..16))
                        .unwrap_or_default(),
                    modulus.as_ref().map(|m| m.len() * 4).unwrap_or(0),
                    f.frame,
                    if shown.as_deref().is_some_and(|s| s.starts_with("00")) {
                        " Wireshark shows the integer's sign byte 00 first; the modulus's own \
                         digits follow it."
                    } else {
                        ""
                    }
                ),
                (None, Some(alg)) => format!(
                    "The server's key is not RSA ({}), so it has no modulus.",
                    x509_oid_name(alg).unwrap_or(alg)
                ),
                (None, None) => "No public key could be read from the certificate.".into(),
            },
        ))
        .value("first_four_hex", &four)
        .value("modulus", &modulus),
    );
    ca_part(s, out);
}

fn ca_part(s: &Session<'_>, out: &mut Vec<Answer>) {
    out.push(
        new(
            16,
            "No. The client does not contact the CA during the handshake: the CA's public key \
             comes in the CA's own (root) certificate, which the client already holds in its \
             trust store (installed with the operating system or browser; in the virtual lab, \
             the lab CA given to curl with --cacert). The client checks the CA's signature on \
             the server's certificate locally with that key. (A browser may separately ask an \
             OCSP responder whether the certificate was revoked: filter on `ocsp` to see \
             whether yours did.)"
                .to_string(),
        )
        .value("ca_messages", false),
    );
    let shd = s.server_frames().find(|f| f.has(14)).copied();
    out.push(match shd {
        Some(f) => new(
            17,
            format!(
                "Frame {} (\"{}\").\n{WS} `tls.handshake.type == 14`.",
                f.frame,
                f.info()
            ),
        )
        .cite(f.file, "Server Hello Done", vec![f.frame])
        .value("frame", f.frame),
        None if s.tls13() => new(
            17,
            "None: TLS 1.3 has no Server Hello Done message (the server's Finished, \
             encrypted, ends its part of the handshake)."
                .to_string(),
        )
        .value("frame", None::<u64>),
        None => new(
            17,
            "not in this capture: a Server Hello Done (filter `tls.handshake.type == 14`)."
                .to_string(),
        )
        .value("frame", None::<u64>),
    });
}

fn key_exchange(s: &Session<'_>, out: &mut Vec<Answer>) {
    let cke = s.client_frames().find(|f| f.has(16)).copied();
    out.push(match cke {
        Some(f) => {
            let ccs = s
                .client_frames()
                .find(|g| g.frame >= f.frame && g.has_type(20))
                .copied();
            let fin = s
                .client_frames()
                .find(|g| g.frame >= f.frame && g.records.iter().any(Record::encrypted_handshake))
                .copied();
            let mut frames = vec![f.frame];
            for g in [ccs, fin].into_iter().flatten() {
                if !frames.contains(&g.frame) {
                    frames.push(g.frame);
                }
            }
            new(
                18,
                format!(
                    "Frame {} (\"{}\"){}. The Client Key Exchange carries the client's public \
                     key information (its (EC)DH share, or the RSA-encrypted pre-master \
                     secret); the Encrypted Handshake Message is the client's Finished, the \
                     first message under the new keys.\n{WS} `tls.handshake.type == 16`.",
                    f.frame,
                    f.info(),
                    if frames.len() > 1 {
                        format!(
                            "; Change Cipher Spec and Encrypted Handshake Message in frames {}",
                            frames
                                .iter()
                                .map(|x| x.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    } else {
                        String::new()
                    }
                ),
            )
            .cite(f.file, "Client Key Exchange", frames)
            .value("frame", f.frame)
            .value("change_cipher_spec_frame", ccs.map(|g| g.frame))
            .value("encrypted_handshake_frame", fin.map(|g| g.frame))
        }
        None if s.tls13() => {
            let ccs = s.client_frames().find(|g| g.has_type(20)).copied();
            new(
                18,
                format!(
                    "None as such: TLS 1.3 has no Client Key Exchange; the client's key share \
                     already went in its Client Hello (key_share extension, frame {}). {}\n\
                     {WS} `tls.handshake.extensions_key_share_group`.",
                    s.hello.frame,
                    match ccs {
                        Some(g) => format!(
                            "Its Change Cipher Spec (sent only for compatibility) and \
                             encrypted Finished (shown as Application Data) are frame {} \
                             (\"{}\").",
                            g.frame,
                            g.info()
                        ),
                        None => String::new(),
                    }
                ),
            )
            .cite(s.hello.file, "Client Hello", vec![s.hello.frame])
            .cite(
                s.hello.file,
                "Change Cipher Spec",
                ccs.map(|g| vec![g.frame]).unwrap_or_default(),
            )
            .value("frame", None::<u64>)
            .value("change_cipher_spec_frame", ccs.map(|g| g.frame))
        }
        None => new(
            18,
            "not in this capture: the client's Client Key Exchange (filter \
             `tls.handshake.type == 16`); capture the whole handshake."
                .to_string(),
        )
        .value("frame", None::<u64>),
    });
    let client_cert = s.client_frames().find(|f| f.has(11)).copied();
    let request = s.server_frames().find(|f| f.has(13)).copied();
    out.push(match client_cert {
        Some(f) => new(
            19,
            format!(
                "Yes: frame {} carries the client's Certificate{}.\n{WS} `tls.handshake.type \
                 == 11 && {}`.",
                f.frame,
                request
                    .map(|r| format!(
                        ", after the server's Certificate Request in frame {}",
                        r.frame
                    ))
                    .unwrap_or_default(),
                src_filter(f.src)
            ),
        )
        .cite(f.file, "client Certificate", vec![f.frame])
        .value("client_certificate", true)
        .value("frame", f.frame),
        None if s.tls13() => new(
            19,
            "Cannot be seen: in TLS 1.3 a client certificate would travel encrypted. Usually \
             no: a web browser proves nothing about itself; only the server is \
             authenticated."
                .to_string(),
        )
        .value("client_certificate", None::<bool>)
        .value("frame", None::<u64>),
        None => new(
            19,
            format!(
                "No: the client sends no Certificate message{}; only the server is \
                 authenticated, as usual on the web.\n{WS} `tls.handshake.type == 11`.",
                if request.is_some() {
                    ""
                } else {
                    " (the server did not ask for one: no Certificate Request)"
                }
            ),
        )
        .value("client_certificate", false)
        .value("frame", None::<u64>),
    });
}

fn application(s: &Session<'_>, out: &mut Vec<Answer>) {
    let sh = s.server_hello();
    let chosen = sh
        .and_then(|f| f.hello.as_ref())
        .and_then(|h| h.suites.first().copied());
    let name = chosen.and_then(names::cipher_suite);
    let sym = name.and_then(symmetric);
    out.push(
        match (chosen, &sym) {
            (Some(c), Some(x)) => new(
                20,
                format!(
                    "{x}: the cipher part of the chosen suite {} (Server Hello, frame {}). It \
                     depends on the server's choice.\n{WS} `tls.handshake.type == 2`; field \
                     tls.handshake.ciphersuite.",
                    suite_name(c),
                    sh.map(|f| f.frame).unwrap_or(0)
                ),
            ),
            _ => new(
                20,
                "not in this capture: the Server Hello that names the cipher suite.".to_string(),
            ),
        }
        .cite(
            s.hello.file,
            "Server Hello",
            sh.map(|f| vec![f.frame]).unwrap_or_default(),
        )
        .value("algorithm", &sym),
    );
    out.push(
        new(
            21,
            match sh {
                Some(f) => format!(
                    "In the Server Hello (frame {}): the client only offers suites in its \
                     Client Hello; the server picks one and declares it there.",
                    f.frame
                ),
                None => "In the Server Hello (not in this capture): the server picks one of \
                         the client's suites and declares it there."
                    .to_string(),
            },
        )
        .cite(
            s.hello.file,
            "Server Hello",
            sh.map(|f| vec![f.frame]).unwrap_or_default(),
        )
        .value("message", "Server Hello")
        .value("frame", sh.map(|f| f.frame)),
    );
    let data: Vec<&&TlsFrame> = s.client_frames().filter(|f| f.has_type(23)).collect();
    // In TLS 1.3 the client's first encrypted record is its Finished, shown as Application
    // Data too; the application's own data starts with the next.
    let first = if s.tls13() { data.get(1) } else { data.first() };
    out.push(match first {
        Some(f) => new(
            22,
            format!(
                "Frame {} (\"{}\"), from {} to {}.{}\n{WS} `tls.record.content_type == 23 && \
                 {}`{}.",
                f.frame,
                f.info(),
                ip(f.src),
                ip(f.dst),
                if s.tls13() {
                    format!(
                        " In TLS 1.3 the client's first encrypted record (frame {}) is its \
                         own Finished (an encrypted handshake message that also shows as \
                         Application Data); the application's data most likely starts with \
                         the next one, this frame.",
                        data.first().map(|g| g.frame).unwrap_or(0)
                    )
                } else {
                    String::new()
                },
                src_filter(f.src),
                if s.tls13() {
                    " (tls.record.opaque_type in TLS 1.3)"
                } else {
                    ""
                }
            ),
        )
        .cite(f.file, "Application Data", vec![f.frame])
        .value("frame", f.frame),
        None => new(
            22,
            "not in this capture: application data from the client. Keep capturing until \
             the page has loaded."
                .to_string(),
        )
        .value("frame", None::<u64>),
    });
    let alpn = sh
        .and_then(|f| f.hello.as_ref())
        .and_then(|h| h.alpn.first().cloned());
    let port = s.hello.dst.map(|d| d.port());
    out.push(
        new(
            23,
            format!(
                "{} It is encrypted, so the capture alone cannot show it; give Wireshark the \
                 session keys (SSLKEYLOGFILE) to read it.",
                match alpn.as_deref() {
                    Some("h2") => "Most likely HTTP/2: the connection preface and SETTINGS, \
                                   then the GET for the page in a HEADERS frame (the server \
                                   agreed to ALPN \"h2\")."
                        .to_string(),
                    Some(p) if p.starts_with("http/1") => format!(
                        "Most likely the HTTP GET request for the page (the server agreed to \
                         ALPN \"{p}\")."
                    ),
                    _ if port == Some(443) => "Most likely the HTTP GET request for the page \
                                               (https: HTTP over TLS on port 443)."
                        .to_string(),
                    _ => "Most likely the client's first request of the application protocol \
                          (for a web page, the HTTP GET)."
                        .to_string(),
                }
            ),
        )
        .cite(
            s.hello.file,
            "Application Data",
            first.map(|f| vec![f.frame]).unwrap_or_default(),
        )
        .value("alpn", &alpn),
    );
    let alert = s.client_frames().find(|f| f.has_type(21)).copied();
    let server_alert = s.server_frames().find(|f| f.has_type(21)).copied();
    out.push(match alert {
        Some(f) => new(
            24,
            format!(
                "Frame {} (\"{}\"): the client's close_notify alert, encrypted.{}\n{WS} \
                 `tls.record.content_type == 21`.",
                f.frame,
                f.info(),
                server_alert
                    .map(|g| format!(" The server answers with its own in frame {}.", g.frame))
                    .unwrap_or_default()
            ),
        )
        .cite(f.file, "Encrypted Alert", vec![f.frame])
        .value("frame", f.frame),
        None if s.tls13() => {
            let last = data.last().filter(|l| Some(l) != first.as_ref());
            new(
                24,
                format!(
                    "Not identifiable without keys: in TLS 1.3 an alert is encrypted inside an \
                     Application Data record like any other.{}",
                    match last {
                        Some(l) => format!(
                            " The client's last such record, frame {}, just before it closes \
                             the TCP connection, is most likely its close_notify alert.",
                            l.frame
                        ),
                        None => String::new(),
                    }
                ),
            )
            .cite(
                s.hello.file,
                "last client record",
                last.map(|l| vec![l.frame]).unwrap_or_default(),
            )
            .value("frame", None::<u64>)
            .value("likely_frame", last.map(|l| l.frame))
        }
        None => new(
            24,
            format!(
                "not in this capture: an alert from the client (filter \
                 `tls.record.content_type == 21`){}. Keep capturing until the browser closes \
                 the connection (close the tab or wait).",
                server_alert
                    .map(|g| format!("; the server sent one in frame {}", g.frame))
                    .unwrap_or_default()
            ),
        )
        .value("frame", None::<u64>),
    });
}

#[cfg(test)]
mod tests;

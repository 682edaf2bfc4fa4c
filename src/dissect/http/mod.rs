//! HTTP/1.x over TCP, and SSDP (HTTP over UDP 1900), as Wireshark 4.0's `packet-http.c`
//! shows them in one pass.
//!
//! A message is its first line (request or status line), its header lines up to the empty
//! line, and a body: `Content-Length` bytes, chunks (`Transfer-Encoding: chunked`), nothing
//! (requests without either, responses to HEAD, 1xx/204/304), or for a response without a
//! length everything until the connection closes. Over TCP a message that is not complete asks
//! for more ([`Outcome::More`]); as in Wireshark the Info column is written before asking
//! unless only the body is missing and its length is known (then TCP does not call HTTP again
//! until the body is there, and the segments between show TCP's own Info).
//!
//! A body that runs to the close asks for everything up to the FIN ([`Outcome::UntilFin`],
//! Wireshark's `DESEGMENT_UNTIL_FIN`): the segments before it show TCP's Info, and the
//! segment with the FIN ([`Cx::at_end`], with data or without) shows the whole response. A
//! segment that carries the FIN as well as the whole response is shown at once. A RST, or the
//! end of the capture, leaves it unshown, as in tshark.
//!
//! Requests and responses of a conversation (a TCP stream, or an SSDP client's address) are
//! paired first in, first out: a response gets `http.request_in`, `http.time` and
//! `http.response_for.uri`. `http.response_in` needs a second pass and is never set.
//!
//! Wireshark's heuristic on other TCP ports ([`heuristic`]): the first line, ended by CR or LF
//! and not 8 bytes long, starts or ends with `HTTP/1.` (any case); the conversation is then
//! HTTP from that frame on (announced to the table with [`Cx::expect`]).

use foldhash::HashMap;
use std::borrow::Cow;
use std::net::SocketAddr;
use std::time::Duration;

use super::{Cx, Dissector, FieldDef, FieldType, FieldVal, Object, Outcome, Transport};
use crate::text::escape;

#[cfg(test)]
mod tests;

const fn def(name: &'static str, kind: FieldType) -> FieldDef {
    FieldDef {
        name,
        kind,
        proto: Dissector::Http,
    }
}

/// Fields this module sets (Wireshark's names and types).
pub const FIELDS: &[FieldDef] = &[
    def("http.request", FieldType::Bool),
    def("http.response", FieldType::Bool),
    def("http.notification", FieldType::Bool),
    def("http.request.method", FieldType::Str),
    def("http.request.uri", FieldType::Str),
    def("http.request.version", FieldType::Str),
    def("http.request.full_uri", FieldType::Str),
    def("http.request.line", FieldType::Str),
    def("http.response.version", FieldType::Str),
    def("http.response.code", FieldType::Uint(0xffff)),
    def("http.response.code.desc", FieldType::Str),
    def("http.response.phrase", FieldType::Str),
    def("http.response.line", FieldType::Str),
    def("http.host", FieldType::Str),
    def("http.user_agent", FieldType::Str),
    def("http.accept", FieldType::Str),
    def("http.accept_language", FieldType::Str),
    def("http.accept_encoding", FieldType::Str),
    def("http.referer", FieldType::Str),
    def("http.connection", FieldType::Str),
    def("http.cookie", FieldType::Str),
    def("http.cookie_pair", FieldType::Str),
    def("http.set_cookie", FieldType::Str),
    def("http.date", FieldType::Str),
    def("http.server", FieldType::Str),
    def("http.location", FieldType::Str),
    def("http.cache_control", FieldType::Str),
    def("http.last_modified", FieldType::Str),
    def("http.content_type", FieldType::Str),
    def("http.content_length_header", FieldType::Str),
    def("http.content_length", FieldType::Uint(u64::MAX)),
    def("http.content_encoding", FieldType::Str),
    def("http.transfer_encoding", FieldType::Str),
    def("http.upgrade", FieldType::Str),
    def("http.authorization", FieldType::Str),
    def("http.authbasic", FieldType::Str),
    def("http.www_authenticate", FieldType::Str),
    def("http.x_forwarded_for", FieldType::Str),
    def("http.request_number", FieldType::Uint(0xffff_ffff)),
    def("http.response_number", FieldType::Uint(0xffff_ffff)),
    def("http.response_in", FieldType::Uint(u64::MAX)),
    def("http.request_in", FieldType::Uint(u64::MAX)),
    def("http.prev_request_in", FieldType::Uint(u64::MAX)),
    def("http.prev_response_in", FieldType::Uint(u64::MAX)),
    def("http.response_for.uri", FieldType::Str),
    def("http.time", FieldType::Str),
    def("http.chunk_size", FieldType::Uint(0xffff_ffff)),
    def("http.file_data", FieldType::Str),
];

/// Headers with a field of their own (lower-case name → field).
const HEADER_FIELDS: &[(&str, &str)] = &[
    ("host", "http.host"),
    ("user-agent", "http.user_agent"),
    ("accept", "http.accept"),
    ("accept-language", "http.accept_language"),
    ("accept-encoding", "http.accept_encoding"),
    ("referer", "http.referer"),
    ("connection", "http.connection"),
    ("cookie", "http.cookie"),
    ("set-cookie", "http.set_cookie"),
    ("date", "http.date"),
    ("server", "http.server"),
    ("location", "http.location"),
    ("cache-control", "http.cache_control"),
    ("last-modified", "http.last_modified"),
    ("content-type", "http.content_type"),
    ("content-length", "http.content_length_header"),
    ("content-encoding", "http.content_encoding"),
    ("transfer-encoding", "http.transfer_encoding"),
    ("upgrade", "http.upgrade"),
    ("authorization", "http.authorization"),
    ("www-authenticate", "http.www_authenticate"),
    ("x-forwarded-for", "http.x_forwarded_for"),
];

/// Most conversations remembered; the least recently used half goes when full.
const MAX_CONVS: usize = 4096;

/// Where requests and responses are paired: a TCP stream, or (UDP) the client's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ConvKey {
    Tcp(u32),
    Udp(SocketAddr),
}

/// One request/response pair of a conversation (Wireshark's `http_req_res_t`).
#[derive(Debug, Clone)]
struct Pair {
    number: u32,
    request: Option<(u64, Duration)>,
    response: Option<u64>,
}

#[derive(Debug, Clone, Default)]
struct Conv {
    used: u64,
    /// Pairs so far, the latest and the one before it.
    count: u32,
    tail: Option<Pair>,
    prev: Option<Pair>,
    /// Was the latest request a HEAD (its response has no body)? Its URI, and its full URI
    /// (or URI without a Host), as Wireshark keeps them in `conv_data` (kept only when
    /// fields or the tree are read).
    head: bool,
    uri: Option<String>,
    for_uri: Option<String>,
    announced: bool,
}

impl Conv {
    /// A new pair, the latest.
    fn push(&mut self, request: Option<(u64, Duration)>) -> Pair {
        self.count = self.count.saturating_add(1);
        let pair = Pair {
            number: self.count,
            request,
            response: None,
        };
        self.prev = self.tail.replace(pair.clone());
        pair
    }
}

/// A body whose length is known, or that runs to the FIN, and is not all there: TCP waits
/// for it without calling HTTP.
#[derive(Debug, Clone)]
struct Wait {
    total: usize,
    have: usize,
    prefix: Vec<u8>,
    /// The body runs to the FIN (`total` is then `usize::MAX`).
    until_fin: bool,
    /// When it was made ([`State::tick`]).
    used: u64,
}

/// Request/response pairing per conversation, bounded.
#[derive(Debug, Clone, Default)]
pub struct State {
    convs: HashMap<ConvKey, Conv>,
    waits: HashMap<(u32, bool), Wait>,
    tick: u64,
}

impl State {
    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.convs
            .values()
            .map(|c| 256 + c.uri.as_ref().map_or(0, String::len) * 3)
            .sum::<usize>()
            + self.waits.len() * 96
    }

    fn conv(&mut self, key: ConvKey) -> &mut Conv {
        self.tick += 1;
        if self.convs.len() >= MAX_CONVS && !self.convs.contains_key(&key) {
            keep_newest_half(&mut self.convs, |c| c.used);
        }
        let tick = self.tick;
        let c = self.convs.entry(key).or_default();
        c.used = tick;
        c
    }
}

/// Drops the least recently used half of `map` (`used` gives an entry's last use).
fn keep_newest_half<K, V>(map: &mut HashMap<K, V>, used: impl Fn(&V) -> u64) {
    let mut ages: Vec<u64> = map.values().map(&used).collect();
    ages.sort_unstable();
    let cut = ages.get(ages.len() / 2).copied().unwrap_or(0);
    map.retain(|_, v| used(v) > cut);
}

/// Is `method` one of the request methods Wireshark 4.0 recognises (by length, as it does)?
fn is_method(m: &[u8]) -> bool {
    matches!(
        m,
        b"GET"
            | b"PUT"
            | b"COPY"
            | b"HEAD"
            | b"LOCK"
            | b"MOVE"
            | b"POLL"
            | b"POST"
            | b"BCOPY"
            | b"BMOVE"
            | b"MKCOL"
            | b"TRACE"
            | b"PATCH"
            | b"LABEL"
            | b"MERGE"
            | b"DELETE"
            | b"SEARCH"
            | b"UNLOCK"
            | b"REPORT"
            | b"UPDATE"
            | b"NOTIFY"
            | b"BDELETE"
            | b"CONNECT"
            | b"OPTIONS"
            | b"CHECKIN"
            | b"PROPFIND"
            | b"CHECKOUT"
            | b"CCM_POST"
            | b"M-SEARCH"
            | b"SUBSCRIBE"
            | b"PROPPATCH"
            | b"BPROPFIND"
            | b"BPROPPATCH"
            | b"UNCHECKOUT"
            | b"MKACTIVITY"
            | b"MKWORKSPACE"
            | b"UNSUBSCRIBE"
            | b"RPC_CONNECT"
            | b"RPC_IN_DATA"
            | b"RPC_OUT_DATA"
            | b"VERSION-CONTROL"
            | b"BASELINE-CONTROL"
    )
}

/// The end of the first line in `data`: (line length, offset after the terminator), or
/// `None` when no terminator is there yet (a CR last might still get its LF).
fn line_end(data: &[u8]) -> Option<(usize, usize)> {
    let i = memchr::memchr2(b'\r', b'\n', data)?;
    if data[i] == b'\r' {
        match data.get(i + 1) {
            Some(b'\n') => Some((i, i + 2)),
            Some(_) => Some((i, i + 1)),
            None => None,
        }
    } else {
        Some((i, i + 1))
    }
}

/// Does `data` start like HTTP (Wireshark 4.0's heuristic HTTP-over-TCP dissector)?
pub fn heuristic(d: Dissector, data: &[u8], t: Transport) -> bool {
    if d != Dissector::Http || t != Transport::Tcp {
        return false;
    }
    let Some((len, _)) = line_end(data) else {
        return false;
    };
    if len == 8 {
        return false;
    }
    let token = |at: usize| {
        data.get(at..at + 7)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"HTTP/1."))
    };
    token(0) || len.checked_sub(8).is_some_and(token)
}

/// The first line of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FirstLine<'a> {
    Request {
        method: &'a [u8],
        uri: &'a [u8],
        version: &'a [u8],
    },
    Response {
        version: &'a [u8],
        code: u16,
        phrase: &'a [u8],
    },
}

/// Wireshark's `is_http_request_or_reply` and the split of the line into its parts.
fn first_line(line: &[u8]) -> Option<FirstLine<'_>> {
    if line.len() >= 5 && line.starts_with(b"HTTP/") {
        let mut parts = line.splitn(3, |&b| b == b' ');
        let version = parts.next().unwrap_or_default();
        let code = parts.next().unwrap_or_default();
        let phrase = parts.next().unwrap_or_default();
        let code = std::str::from_utf8(code)
            .ok()
            .and_then(|c| c.parse::<u16>().ok())
            .unwrap_or(0);
        return Some(FirstLine::Response {
            version,
            code,
            phrase,
        });
    }
    let sp = line.iter().position(|&b| b == b' ')?;
    let method = &line[..sp];
    if !is_method(method) {
        return None;
    }
    let rest = &line[sp + 1..];
    let (uri, version) = match rest.iter().rposition(|&b| b == b' ') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    Some(FirstLine::Request {
        method,
        uri,
        version,
    })
}

/// One header line: name, value (leading blanks skipped), the whole line with its terminator.
#[derive(Debug, Clone)]
struct Header<'a> {
    name: &'a [u8],
    value: &'a [u8],
    line: &'a [u8],
    start: usize,
    end: usize,
}

impl<'a> Header<'a> {
    /// The header line at offset `at` of the message: `rest` starts there, the line's text
    /// is `len` bytes and its end of line is at `next`. The value starts after `:` and any
    /// spaces or tabs; a line without `:` is all name.
    fn parse(rest: &'a [u8], len: usize, next: usize, at: usize) -> Header<'a> {
        let line = &rest[..len];
        let (name, value) = match memchr::memchr(b':', line) {
            Some(c) => {
                let v = &line[c + 1..];
                let skip = v.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
                (&line[..c], &v[skip..])
            }
            None => (line, &b""[..]),
        };
        Header {
            name,
            value,
            line: &rest[..next],
            start: at,
            end: at + next,
        }
    }
}

/// The header lines after the first line, up to the empty line: the headers and the offset
/// of the body, or `None` when the empty line is not there yet.
fn headers(msg: &[u8], mut at: usize) -> Option<(Vec<Header<'_>>, usize, usize)> {
    let mut out = Vec::with_capacity(16);
    loop {
        let rest = msg.get(at..)?;
        let (len, next) = line_end(rest)?;
        if len == 0 {
            return Some((out, at, at + next));
        }
        out.push(Header::parse(rest, len, next, at));
        at += next;
    }
}

/// What the packet list reads of the header lines (the last of each counts).
#[derive(Debug, Default, Clone, Copy)]
struct Framing<'a> {
    content_length: Option<&'a [u8]>,
    transfer_encoding: Option<&'a [u8]>,
    content_type: Option<&'a [u8]>,
}

impl<'a> Framing<'a> {
    /// Notes `h` if it is one of the headers the packet list reads.
    fn note(&mut self, h: &Header<'a>) {
        if h.name.eq_ignore_ascii_case(b"content-length") {
            self.content_length = Some(h.value);
        } else if h.name.eq_ignore_ascii_case(b"transfer-encoding") {
            self.transfer_encoding = Some(h.value);
        } else if h.name.eq_ignore_ascii_case(b"content-type") {
            self.content_type = Some(h.value);
        }
    }
}

/// [`headers`] for the packet list: only the [`Framing`] headers, no list of lines.
fn framing(msg: &[u8], mut at: usize) -> Option<(Framing<'_>, usize, usize)> {
    let mut f = Framing::default();
    loop {
        let rest = msg.get(at..)?;
        let (len, next) = line_end(rest)?;
        if len == 0 {
            return Some((f, at, at + next));
        }
        // Only a line starting `c` or `t` can name one of them.
        if matches!(rest[0] | 0x20, b'c' | b't') {
            f.note(&Header::parse(rest, len, next, at));
        }
        at += next;
    }
}

/// A chunked body: where it ends, the data of its chunks, the chunk sizes and ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chunked {
    end: usize,
    data: Vec<u8>,
    chunks: Vec<Chunk>,
    /// The trailer after the last chunk, its empty line included.
    trailer: std::ops::Range<usize>,
}

/// One chunk's parts (ranges in the message).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chunk {
    size: u32,
    whole: std::ops::Range<usize>,
    data: std::ops::Range<usize>,
    boundary: std::ops::Range<usize>,
}

/// Reads chunks from `msg[at..]`; `None` while the last chunk and the trailer are not all
/// there. A chunk-size line that is not hex ends the body where it is (as Wireshark stops).
fn chunked(msg: &[u8], mut at: usize) -> Option<Chunked> {
    let mut data = Vec::new();
    let mut chunks = Vec::new();
    loop {
        let rest = msg.get(at..)?;
        let (len, next) = line_end(rest)?;
        let size_text = rest[..len]
            .split(|&b| b == b';' || b == b' ' || b == b'\t')
            .next()
            .unwrap_or_default();
        let size = std::str::from_utf8(size_text)
            .ok()
            .and_then(|s| u64::from_str_radix(s, 16).ok());
        let Some(size) = size else {
            return Some(Chunked {
                end: at,
                data,
                chunks,
                trailer: at..at,
            });
        };
        let start = at;
        at += next;
        if size == 0 {
            // The trailer: header lines up to an empty one.
            chunks.push(Chunk {
                size: 0,
                whole: start..at,
                data: at..at,
                boundary: at..at,
            });
            let trailer = at;
            loop {
                let rest = msg.get(at..)?;
                let (len, next) = line_end(rest)?;
                at += next;
                if len == 0 {
                    return Some(Chunked {
                        end: at,
                        data,
                        chunks,
                        trailer: trailer..at,
                    });
                }
            }
        }
        let size = usize::try_from(size).ok()?;
        let body = msg.get(at..at.checked_add(size)?)?;
        data.extend_from_slice(body);
        let data_at = at;
        at += size;
        let rest = msg.get(at..)?;
        let (_, next) = line_end(rest)?;
        at += next;
        chunks.push(Chunk {
            size: u32::try_from(size).unwrap_or(u32::MAX),
            whole: start..at,
            data: data_at..data_at + size,
            boundary: data_at + size..at,
        });
    }
}

/// How long a message's body is, from its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyLen {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// Status text Wireshark shows as `http.response.code.desc`.
#[allow(clippy::match_overlapping_arm)]
fn status_text(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Time-out",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Time-out",
        505 => "HTTP Version not supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        100..=199 => "Informational - Others",
        200..=299 => "Success - Others",
        300..=399 => "Redirection - Others",
        400..=499 => "Client Error - Others",
        500..=599 => "Server Error - Others",
        _ => "Unknown",
    }
}

/// What a body of media type `ct` (lower case, no parameters) adds to the columns, as the
/// dissector Wireshark's `media_type` table gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    /// JSON: Protocol `…/JSON`, Info `, JavaScript Object Notation (type)`.
    Json,
    /// XML: Protocol `…/XML`, Info unchanged.
    Xml,
    /// Opaque bytes: nothing.
    Data,
    /// Text lines, images and the generic media dissector: Info ` (type)`.
    Suffix,
}

fn media(ct: &str) -> Media {
    const JSON: &[&str] = &[
        "application/json",
        "application/json-rpc",
        "application/jsonrequest",
        "application/dds-web+json",
        "application/vnd.oma.lwm2m+json",
    ];
    const XML: &[&str] = &[
        "text/xml",
        "application/xml",
        "application/soap+xml",
        "application/xml-dtd",
        "application/rss+xml",
        "application/atom+xml",
        "application/xhtml+xml",
        "application/rdf+xml",
        "application/xslt+xml",
        "application/mathml+xml",
        "application/auth-policy+xml",
        "application/pidf+xml",
        "application/rlmi+xml",
        "application/resource-lists+xml",
        "application/rls-services+xml",
        "application/simple-filter+xml",
        "application/vnd.wv.csp+xml",
        "application/watcherinfo+xml",
        "application/xcap-att+xml",
        "application/xcap-caps+xml",
        "application/xcap-diff+xml",
        "application/xcap-el+xml",
        "application/xcap-error+xml",
        "application/xcap-ns+xml",
        "application/cpim-pidf+xml",
        "application/reginfo+xml",
        "application/dialog-info+xml",
        "application/conference-info+xml",
        "application/pidf-diff+xml",
        "application/vnd.3gpp.sms+xml",
        "image/svg+xml",
        "text/vnd.wap.wml",
    ];
    if JSON.contains(&ct) {
        Media::Json
    } else if XML.contains(&ct) {
        Media::Xml
    } else if ct == "application/octet-stream" {
        Media::Data
    } else {
        Media::Suffix
    }
}

/// A body's bytes as Wireshark's FT_STRING `http.file_data` holds them: ASCII, every other
/// byte a replacement character.
fn file_data_text(body: &[u8]) -> String {
    body.iter()
        .map(|&b| {
            if b.is_ascii() {
                char::from(b)
            } else {
                '\u{fffd}'
            }
        })
        .collect()
}

/// Base64 as GLib's lenient decoder reads it (characters outside the alphabet skipped).
fn base64_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    out
}

/// A Content-Type value's media type: lower case, without parameters (`text/html`),
/// borrowed when it is already so.
fn media_type(value: &[u8]) -> Cow<'_, str> {
    let end = memchr::memchr(b';', value).unwrap_or(value.len());
    let value = &value[..end];
    if let Ok(ct) = std::str::from_utf8(value) {
        let ct = ct.trim();
        if !ct.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Borrowed(ct);
        }
    }
    let mut ct = text(value);
    let trimmed = ct.trim();
    if trimmed.len() != ct.len() {
        ct = trimmed.to_string();
    }
    ct.make_ascii_lowercase();
    Cow::Owned(ct)
}

/// Appends ` (text/html)` to the Info column.
fn media_suffix(info: &mut String, ct: &str) {
    info.push_str(" (");
    crate::text::push_escaped(info, ct.as_bytes());
    info.push(')');
}

/// `s` as a string for a field (lossy UTF-8, as tshark prints invalid bytes).
fn text(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// A relative time as tshark prints `http.time`: seconds with nine decimals.
fn seconds(d: Duration) -> String {
    format!("{}.{:09}", d.as_secs(), d.subsec_nanos())
}

/// Dissects `data` as `d` (HTTP over TCP, SSDP or HTTP over UDP).
pub fn dissect(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    data: &[u8],
    t: Transport,
) -> Outcome {
    match t {
        Transport::Tcp => dissect_tcp(d, state, cx, data),
        Transport::Udp => {
            let key = match first_line(line_end(data).map_or(data, |(n, _)| &data[..n])) {
                Some(FirstLine::Request { .. }) => ConvKey::Udp(cx.ends.src),
                Some(FirstLine::Response { .. }) => ConvKey::Udp(cx.ends.dst),
                None => return Outcome::Rejected,
            };
            match message(d, state, cx, data, 0, key, false, None) {
                Msg::Done(_) | Msg::More | Msg::Wait(_) | Msg::UntilFin => Outcome::Done,
                Msg::NotHttp => Outcome::Rejected,
            }
        }
    }
}

fn dissect_tcp(d: Dissector, state: &mut State, cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    let Some(stream) = cx.stream else {
        return Outcome::Rejected;
    };
    let dir = (stream, cx.ends.src < cx.ends.dst);
    if let Some(w) = state.waits.get_mut(&dir) {
        // At the FIN a body that runs to the close is complete: HTTP reads it all. (A body
        // with a length still short of it is not: TCP keeps waiting, as Wireshark's does.)
        if !(cx.at_end && w.until_fin)
            && data.len() > w.have
            && data.starts_with(&w.prefix)
            && data.len() < w.total
        {
            w.have = data.len();
            return if w.until_fin {
                Outcome::UntilFin { offset: 0 }
            } else {
                Outcome::More { offset: 0 }
            };
        }
        state.waits.remove(&dir);
    }
    let key = ConvKey::Tcp(stream);
    let mut at = 0;
    let mut fence: Option<usize> = None;
    while at < data.len() {
        match message(d, state, cx, data, at, key, true, fence) {
            Msg::Done(n) => {
                at += n.max(1);
                fence = Some(cx.cols.info_len());
            }
            Msg::More => return Outcome::More { offset: at },
            m @ (Msg::Wait(_) | Msg::UntilFin) => {
                let (total, until_fin) = match m {
                    Msg::Wait(total) => (total, false),
                    _ => (usize::MAX, true),
                };
                let msg = data.get(at..).unwrap_or_default();
                // A stream that ends without its body (a RST, the capture's end) leaves its
                // wait behind: the oldest go first when there are too many.
                state.tick += 1;
                if state.waits.len() >= MAX_CONVS && !state.waits.contains_key(&dir) {
                    keep_newest_half(&mut state.waits, |w| w.used);
                }
                state.waits.insert(
                    dir,
                    Wait {
                        total,
                        have: msg.len(),
                        prefix: msg.get(..32).unwrap_or(msg).to_vec(),
                        until_fin,
                        used: state.tick,
                    },
                );
                return if until_fin {
                    Outcome::UntilFin { offset: at }
                } else {
                    Outcome::More { offset: at }
                };
            }
            Msg::NotHttp if at == 0 => return Outcome::Rejected,
            Msg::NotHttp => return Outcome::Done,
        }
    }
    Outcome::Done
}

/// What [`message`] did with the message at an offset.
enum Msg {
    /// Shown; it was this many bytes long.
    Done(usize),
    /// Incomplete (Info written): ask for one more segment.
    More,
    /// Only the body is missing; the message will be this many bytes long.
    Wait(usize),
    /// Only the body is missing, and it runs to the close of the connection.
    UntilFin,
    /// Not a request or response.
    NotHttp,
}

/// Dissects the message at `data[at..]`.
#[allow(clippy::too_many_arguments)]
fn message(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    data: &[u8],
    at: usize,
    key: ConvKey,
    tcp: bool,
    fence: Option<usize>,
) -> Msg {
    let msg = data.get(at..).unwrap_or_default();
    let (line_len, after_line) = match line_end(msg) {
        Some(e) => e,
        None if tcp => return Msg::More,
        None => (msg.len(), msg.len()),
    };
    let line = &msg[..line_len];
    let Some(first) = first_line(line) else {
        return Msg::NotHttp;
    };
    // The Info column is written before any desegmentation (col_add_fstr "%s ").
    cx.cols.protocol = if d == Dissector::Ssdp { "SSDP" } else { "HTTP" };
    match fence {
        Some(f) => cx.cols.truncate_info(f),
        None => cx.cols.clear_info(),
    }
    crate::text::push_escaped(cx.cols.info_tail(), line);
    cx.cols.info_tail().push(' ');
    // The packet list reads only the framing headers; fields and the tree read them all.
    let all = cx.want.fields || cx.want.tree;
    let (hdrs, frame_hdrs, hdr_end, body_start) = if all || !tcp {
        let (hdrs, hdr_end, body_start) = match headers(msg, after_line) {
            Some(h) => h,
            None if tcp => return Msg::More,
            None => headers_prefix(msg, after_line, usize::MAX),
        };
        let mut f = Framing::default();
        hdrs.iter().for_each(|h| f.note(h));
        (hdrs, f, hdr_end, body_start)
    } else {
        match framing(msg, after_line) {
            Some((f, hdr_end, body_start)) => (Vec::new(), f, hdr_end, body_start),
            None => return Msg::More,
        }
    };
    let (length_value, encoding) = (frame_hdrs.content_length, frame_hdrs.transfer_encoding);
    let content_length = length_value
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let is_chunked =
        encoding.is_some_and(|v| v.windows(7).any(|w| w.eq_ignore_ascii_case(b"chunked")));
    let conv_method_head = state.convs.get(&key).is_some_and(|c| c.head);
    let body_len = match &first {
        FirstLine::Response { code, .. }
            if conv_method_head || code / 100 == 1 || *code == 204 || *code == 304 =>
        {
            BodyLen::None
        }
        _ if is_chunked => BodyLen::Chunked,
        _ if content_length.is_some() => BodyLen::Length(content_length.unwrap_or(0)),
        FirstLine::Response { .. } => BodyLen::UntilClose,
        FirstLine::Request { .. } => BodyLen::None,
    };
    // The body, and the message's length. At the end of the stream (a FIN) no more bytes
    // will come, so, as Wireshark 4.0 (`try_desegment_body = … && !end_of_stream`), nothing
    // waits for a body: what is there is shown, even short of its Content-Length.
    let desegment_body = tcp && !cx.at_end;
    let (body, end, chunks): (Cow<'_, [u8]>, usize, Option<Chunked>) = match body_len {
        BodyLen::None => (Cow::Borrowed(&[][..]), body_start, None),
        BodyLen::Length(n) => {
            let end = usize::try_from(n)
                .ok()
                .and_then(|n| body_start.checked_add(n))
                .unwrap_or(usize::MAX);
            if end > msg.len() {
                if desegment_body {
                    return Msg::Wait(end);
                }
                (Cow::Borrowed(&msg[body_start..]), msg.len(), None)
            } else {
                (Cow::Borrowed(&msg[body_start..end]), end, None)
            }
        }
        BodyLen::Chunked => match chunked(msg, body_start) {
            Some(mut c) => (Cow::Owned(std::mem::take(&mut c.data)), c.end, Some(c)),
            None if desegment_body => return Msg::More,
            None => (Cow::Borrowed(&msg[body_start..]), msg.len(), None),
        },
        BodyLen::UntilClose => {
            if desegment_body {
                return Msg::UntilFin;
            }
            (Cow::Borrowed(&msg[body_start..]), msg.len(), None)
        }
    };
    show(
        d,
        state,
        cx,
        key,
        at,
        msg,
        &first,
        line_len,
        after_line,
        &hdrs,
        frame_hdrs.content_type,
        hdr_end,
        body_start,
        &body,
        chunks.as_ref(),
    );
    Msg::Done(end)
}

/// The first `n` header lines of a message cut short (UDP), with where they end.
fn headers_prefix(msg: &[u8], mut at: usize, n: usize) -> (Vec<Header<'_>>, usize, usize) {
    let mut out = Vec::new();
    while out.len() < n {
        let Some(rest) = msg.get(at..) else { break };
        let Some((len, next)) = line_end(rest) else {
            break;
        };
        if len == 0 {
            break;
        }
        out.push(Header::parse(rest, len, next, at));
        at += next;
    }
    (out, at, at)
}

/// Is this a TCP conversation on ports the table does not send to HTTP (so the heuristic
/// found it, and the table must be told that the rest of it is HTTP)?
fn heuristic_conversation(cx: &Cx<'_>) -> bool {
    cx.stream.is_some()
        && !super::table::http_tcp_port(cx.ends.src.port())
        && !super::table::http_tcp_port(cx.ends.dst.port())
}

/// Shows one complete message: the layer, its fields and tree, the pairing, the body.
#[allow(clippy::too_many_arguments)]
fn show(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    key: ConvKey,
    at: usize,
    msg: &[u8],
    first: &FirstLine<'_>,
    line_len: usize,
    after_line: usize,
    hdrs: &[Header<'_>],
    content_type: Option<&[u8]>,
    hdr_end: usize,
    body_start: usize,
    body: &[u8],
    chunks: Option<&Chunked>,
) {
    let title = if d == Dissector::Ssdp {
        "Simple Service Discovery Protocol"
    } else {
        "Hypertext Transfer Protocol"
    };
    cx.begin(d, at, || title.to_string());
    let is_request = matches!(first, FirstLine::Request { .. });
    let line_field = if is_request {
        "http.request.line"
    } else {
        "http.response.line"
    };
    // Tree lines whose labels cost an escape and a format: only when the tree is read.
    if cx.want.tree {
        let first_text = escape(&msg[..after_line]);
        cx.line(0, Some(0..after_line), &first_text, String::new);
        cx.line(
            1,
            Some(0..after_line),
            &format!("[Expert Info (Chat/Sequence): {first_text}]"),
            String::new,
        );
        cx.line(
            2,
            Some(0..after_line),
            &format!("[{first_text}]"),
            String::new,
        );
        cx.line(2, None, "[Severity level: Chat]", String::new);
        cx.line(2, None, "[Group: Sequence]", String::new);
    }
    match first {
        FirstLine::Request {
            method,
            uri,
            version,
        } => {
            cx.field("http.request.method", || FieldVal::Str(text(method)));
            cx.field("http.request.uri", || FieldVal::Str(text(uri)));
            cx.field("http.request.version", || FieldVal::Str(text(version)));
            let m = method.len();
            cx.line(1, Some(0..m), "Request Method", || escape(method));
            let u = m + 1;
            cx.line(
                1,
                Some(u..(u + uri.len()).min(line_len)),
                "Request URI",
                || escape(uri),
            );
            let v = line_len.saturating_sub(version.len());
            cx.line(1, Some(v..line_len), "Request Version", || escape(version));
        }
        FirstLine::Response {
            version,
            code,
            phrase,
        } => {
            cx.field("http.response.version", || FieldVal::Str(text(version)));
            cx.field("http.response.code", || FieldVal::Uint(u64::from(*code)));
            cx.field("http.response.code.desc", || {
                FieldVal::Str(status_text(*code).to_string())
            });
            cx.field("http.response.phrase", || FieldVal::Str(text(phrase)));
            let v = version.len();
            cx.line(1, Some(0..v), "Response Version", || escape(version));
            cx.line(
                1,
                Some((v + 1).min(line_len)..(v + 4).min(line_len)),
                "Status Code",
                || code.to_string(),
            );
            cx.line(1, None, "[Status Code Description", || {
                format!("{}]", status_text(*code))
            });
            let p = line_len.saturating_sub(phrase.len());
            cx.line(1, Some(p..line_len), "Response Phrase", || escape(phrase));
        }
    }
    // The packet list reads only the content type; fields and the tree read the rest.
    let all = cx.want.fields || cx.want.tree;
    let mut host: Option<String> = None;
    // The last Content-Type counts.
    let content_type = content_type.map(media_type);
    for h in hdrs {
        if !all {
            break;
        }
        let lname = String::from_utf8_lossy(h.name).to_ascii_lowercase();
        let field = HEADER_FIELDS
            .iter()
            .find(|(n, _)| *n == lname)
            .map(|(_, f)| *f);
        let range = Some(h.start..h.end);
        if cx.want.tree {
            cx.line(0, range.clone(), &escape(h.line), String::new);
        }
        if let Some(f) = field {
            cx.field(f, || FieldVal::Str(text(h.value)));
        }
        match lname.as_str() {
            "host" => host = Some(text(h.value).trim().to_string()),
            "content-length" => {
                if let Some(n) = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                {
                    cx.field("http.content_length", || FieldVal::Uint(n));
                    cx.line(1, range.clone(), "[Content length", || format!("{n}]"));
                }
            }
            "authorization" => {
                let v = h.value;
                if v.len() > 6 && v[..6].eq_ignore_ascii_case(b"Basic ") {
                    let creds = text(&base64_decode(&v[6..]));
                    cx.field("http.authbasic", || FieldVal::Str(creds.clone()));
                    cx.line(1, range.clone(), "Credentials", || escape(creds.as_bytes()));
                }
            }
            "cookie" => {
                for pair in h.value.split(|&b| b == b';') {
                    let skip = pair.iter().take_while(|&&b| b == b' ').count();
                    let pair = &pair[skip..];
                    if !pair.is_empty() {
                        cx.field("http.cookie_pair", || FieldVal::Str(text(pair)));
                        cx.line(1, range.clone(), "Cookie pair", || escape(pair));
                    }
                }
            }
            _ => {}
        }
        cx.field(line_field, || FieldVal::Str(text(h.line)));
    }
    cx.line(0, Some(hdr_end..body_start), "\\r\\n", String::new);

    let (frame, time) = (cx.frame, cx.time);
    let conv = state.conv(key);
    let announce = !std::mem::replace(&mut conv.announced, true);
    if let FirstLine::Request { method, uri, .. } = first {
        // NOTIFY is a notification (GENA): no request number, no pairing.
        let notification = *method == b"NOTIFY";
        conv.head = *method == b"HEAD";
        let full_uri = if all {
            let uri = text(uri);
            let full_uri = host.as_ref().map(|h| {
                if uri.contains("://") {
                    uri.clone()
                } else {
                    format!("http://{h}{uri}")
                }
            });
            conv.for_uri = Some(full_uri.clone().unwrap_or_else(|| uri.clone()));
            conv.uri = Some(uri);
            full_uri
        } else {
            None
        };
        if let Some(u) = &full_uri {
            cx.field("http.request.full_uri", || FieldVal::Str(u.clone()));
            cx.line(0, None, "[Full request URI", || {
                format!("{}]", escape(u.as_bytes()))
            });
        }
        if notification {
            cx.field("http.notification", || FieldVal::Bool(true));
        } else {
            let pair = conv.push(Some((frame, time)));
            let (n, total, prev) = (pair.number, conv.count, conv.prev.clone());
            cx.field("http.request", || FieldVal::Bool(true));
            cx.field("http.request_number", || FieldVal::Uint(u64::from(n)));
            if cx.want.tree {
                cx.line(0, None, &format!("[HTTP request {n}/{total}]"), String::new);
            }
            if let Some(p) = prev.and_then(|p| p.request) {
                let p = p.0;
                cx.field("http.prev_request_in", || FieldVal::Uint(p));
                cx.line(0, None, "[Prev request in frame", || format!("{p}]"));
            }
        }
        if announce && heuristic_conversation(cx) {
            cx.expect(cx.ends.dst, Dissector::Http);
        }
    } else {
        // The response answers the latest request unless that one has its answer already.
        if conv.tail.as_ref().is_none_or(|t| t.response.is_some()) {
            conv.push(None);
        }
        let total = conv.count;
        let prev = conv.prev.clone();
        let for_uri = conv.for_uri.clone();
        let Some(tail) = conv.tail.as_mut() else {
            return;
        };
        tail.response = Some(frame);
        let (n, req) = (tail.number, tail.request);
        cx.field("http.response", || FieldVal::Bool(true));
        cx.field("http.response_number", || FieldVal::Uint(u64::from(n)));
        if cx.want.tree {
            cx.line(
                0,
                None,
                &format!("[HTTP response {n}/{total}]"),
                String::new,
            );
        }
        if let Some((_, t)) = req {
            let dt = time.saturating_sub(t);
            cx.field("http.time", || FieldVal::Str(seconds(dt)));
            cx.line(0, None, "[Time since request", || {
                format!("{} seconds]", seconds(dt))
            });
        }
        if let Some(p) = &prev {
            if let Some((f, _)) = p.request {
                cx.field("http.prev_request_in", || FieldVal::Uint(f));
                cx.line(0, None, "[Prev request in frame", || format!("{f}]"));
            }
            if let Some(f) = p.response {
                cx.field("http.prev_response_in", || FieldVal::Uint(f));
                cx.line(0, None, "[Prev response in frame", || format!("{f}]"));
            }
        }
        if let Some((f, _)) = req {
            cx.field("http.request_in", || FieldVal::Uint(f));
            cx.line(0, None, "[Request in frame", || format!("{f}]"));
        }
        if let Some(u) = &for_uri {
            cx.field("http.response_for.uri", || FieldVal::Str(u.clone()));
            cx.line(0, None, "[Request URI", || {
                format!("{}]", escape(u.as_bytes()))
            });
        }
        if announce && heuristic_conversation(cx) {
            cx.expect(cx.ends.src, Dissector::Http);
        }
    }
    if let Some(c) = chunks {
        cx.line(
            0,
            Some(body_start..c.end),
            "HTTP chunked response",
            String::new,
        );
        for ch in &c.chunks {
            let size = ch.size;
            cx.field("http.chunk_size", || FieldVal::Uint(u64::from(size)));
            let head = if size == 0 {
                "End of chunked encoding".to_string()
            } else {
                format!("Data chunk ({size} octets)")
            };
            cx.line(1, Some(ch.whole.clone()), &head, String::new);
            let size_line = ch.whole.start..ch.data.start;
            cx.line(2, Some(size_line), "Chunk size", || {
                format!("{size} octets")
            });
            if size > 0 {
                cx.line(2, Some(ch.data.clone()), "Chunk data", || {
                    msg.get(ch.data.clone())
                        .unwrap_or_default()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect()
                });
                cx.line(2, Some(ch.boundary.clone()), "Chunk boundary", || {
                    msg.get(ch.boundary.clone())
                        .unwrap_or_default()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect()
                });
            }
        }
        if !c.trailer.is_empty() {
            let t = msg.get(c.trailer.clone()).unwrap_or_default();
            cx.line(1, Some(c.trailer.clone()), &escape(t), String::new);
        }
    }
    if body.is_empty() {
        return;
    }
    cx.field("http.file_data", || FieldVal::Str(file_data_text(body)));
    if cx.want.tree {
        let end = chunks.map_or(body_start + body.len(), |c| c.end);
        cx.line(
            0,
            Some(body_start..end.min(msg.len())),
            &format!("File Data: {} bytes", body.len()),
            String::new,
        );
    }
    cx.object(|| Object {
        name: state.convs.get(&key).and_then(|c| c.uri.clone()),
        content_type: content_type.as_deref().map(str::to_string),
        bytes: body.to_vec(),
    });
    if let Some(ct) = content_type.as_deref() {
        cx.sub(match media(ct) {
            Media::Json => "json",
            Media::Xml => "xml",
            Media::Data => "data",
            Media::Suffix if ct.starts_with("text/") => "data-text-lines",
            Media::Suffix if ct == "image/png" => "png",
            Media::Suffix if ct == "image/gif" => "image-gif",
            Media::Suffix if ct == "image/jpeg" => "image-jfif",
            Media::Suffix => "media",
        });
        match media(ct) {
            Media::Json => {
                cx.cols.protocol = if d == Dissector::Ssdp {
                    "SSDP/JSON"
                } else {
                    "HTTP/JSON"
                };
                cx.cols.append_sep(", ", "JavaScript Object Notation");
                media_suffix(cx.cols.info_tail(), ct);
            }
            Media::Xml => {
                cx.cols.protocol = if d == Dissector::Ssdp {
                    "SSDP/XML"
                } else {
                    "HTTP/XML"
                };
            }
            Media::Data => {}
            Media::Suffix => media_suffix(cx.cols.info_tail(), ct),
        }
    }
}

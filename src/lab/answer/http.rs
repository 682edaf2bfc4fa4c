//! The Kurose & Ross "Wireshark Lab: HTTP" (v8.1), answered from captures: the basic GET and
//! its response, the conditional GET answered 304, the long document carried in several TCP
//! segments, the page with embedded objects, and Basic authentication (401, then a request
//! with an Authorization header).
//!
//! Every capture is read again frame by frame with the HTTP dissector's fields (the same
//! fields `wirelab read --json` and display filters use); at most [`KEEP`] HTTP messages per
//! file are kept, the rest only counted.

use std::net::{IpAddr, SocketAddr};

use super::report::{Answer, Table};
use super::{AnswerError, Capture, open, plural, seconds};
use crate::analyse::{Analyzer, Packet};
use crate::decode::TransportRepr;
use crate::dissect::{AppLayer, Dissector, FieldVal, Want};
use crate::source::SourceEvent;

/// HTTP messages kept per file.
pub const KEEP: usize = 4096;

/// One HTTP message (request or response) as the lab's questions see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpMsg {
    /// Index of its file.
    pub file: usize,
    /// The frame the message is dissected in (where its last segment arrived).
    pub frame: u64,
    /// Seconds since the file's first frame.
    pub time: f64,
    /// Source socket address.
    pub src: Option<SocketAddr>,
    /// Destination socket address.
    pub dst: Option<SocketAddr>,
    /// `tcp.stream`.
    pub stream: Option<u32>,
    /// A request (`http.request`), else a response.
    pub request: bool,
    /// `http.request.method`.
    pub method: String,
    /// `http.request.uri`.
    pub uri: String,
    /// `http.request.version` or `http.response.version`.
    pub version: String,
    /// `http.response.code`.
    pub code: Option<u64>,
    /// `http.response.phrase`.
    pub phrase: String,
    /// The header lines (`http.request.line`, `http.response.line`), without CR LF.
    pub lines: Vec<String>,
    /// `http.accept_language`.
    pub accept_language: Option<String>,
    /// `http.last_modified`.
    pub last_modified: Option<String>,
    /// `http.authorization`.
    pub authorization: Option<String>,
    /// `http.authbasic`: the decoded `user:password`.
    pub authbasic: Option<String>,
    /// `http.content_length`.
    pub content_length: Option<u64>,
    /// Bytes of the body as received (de-chunked), when there is one.
    pub body: Option<usize>,
    /// The frames the message was reassembled from (`tcp.segment`), empty when it came in one.
    pub segments: Vec<u64>,
    /// `http.request_in`.
    pub request_in: Option<u64>,
}

impl HttpMsg {
    /// The value of header line `name` (case-insensitive), if the message has one.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.lines.iter().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }

    /// Header names, in order.
    pub fn header_names(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter_map(|l| l.split_once(':').map(|(n, _)| n.trim().to_string()))
            .collect()
    }

    /// TCP segments that carried the message (1 when it was not reassembled).
    pub fn segment_count(&self) -> u64 {
        (self.segments.len() as u64).max(1)
    }

    /// `GET /x HTTP/1.1` or `HTTP/1.1 200 OK`.
    pub fn first_line(&self) -> String {
        if self.request {
            format!("{} {} {}", self.method, self.uri, self.version)
        } else {
            format!(
                "{} {} {}",
                self.version,
                self.code.unwrap_or(0),
                self.phrase
            )
        }
    }
}

fn text(l: &AppLayer, name: &str) -> Option<String> {
    l.values(name).next().map(|v| v.to_string())
}

fn number(l: &AppLayer, name: &str) -> Option<u64> {
    l.values(name).find_map(|v| match v {
        FieldVal::Uint(n) => Some(*n),
        other => other.to_string().parse().ok(),
    })
}

/// The HTTP messages of every file, in order.
#[derive(Debug, Clone, Default)]
pub struct HttpMsgs {
    /// The messages kept.
    pub msgs: Vec<HttpMsg>,
    /// Messages counted per file (kept or not).
    pub counts: Vec<u64>,
}

impl HttpMsgs {
    /// Adds the HTTP messages of one analysed frame of file `file`.
    pub fn add(&mut self, file: usize, p: &Packet) {
        let ends = p
            .decoded
            .net
            .ip_addrs()
            .and_then(|(s, d)| match &p.decoded.transport {
                TransportRepr::Tcp(t) => Some((
                    SocketAddr::new(s, t.src_port),
                    SocketAddr::new(d, t.dst_port),
                )),
                TransportRepr::Udp(u) => Some((
                    SocketAddr::new(s, u.src_port),
                    SocketAddr::new(d, u.dst_port),
                )),
                _ => None,
            });
        for l in p
            .app
            .iter()
            .filter(|l| l.dissector == Some(Dissector::Http))
        {
            if self.counts.len() <= file {
                self.counts.resize(file + 1, 0);
            }
            let Some(c) = self.counts.get_mut(file) else {
                continue;
            };
            *c += 1;
            if *c > KEEP as u64 {
                continue;
            }
            let request = l.values("http.request").next().is_some();
            let lines = l
                .values(if request {
                    "http.request.line"
                } else {
                    "http.response.line"
                })
                .map(|v| {
                    let s = v.to_string();
                    s.trim_end_matches("\r\n")
                        .trim_end_matches("\\r\\n")
                        .to_string()
                })
                .collect();
            self.msgs.push(HttpMsg {
                file,
                frame: p.number,
                time: p.time_rel_ns as f64 / 1e9,
                src: ends.map(|e| e.0),
                dst: ends.map(|e| e.1),
                stream: p.tcp.as_ref().map(|t| t.stream),
                request,
                method: text(l, "http.request.method").unwrap_or_default(),
                uri: text(l, "http.request.uri").unwrap_or_default(),
                version: text(
                    l,
                    if request {
                        "http.request.version"
                    } else {
                        "http.response.version"
                    },
                )
                .unwrap_or_default(),
                code: number(l, "http.response.code"),
                phrase: text(l, "http.response.phrase").unwrap_or_default(),
                lines,
                accept_language: text(l, "http.accept_language"),
                last_modified: text(l, "http.last_modified"),
                authorization: text(l, "http.authorization"),
                authbasic: text(l, "http.authbasic"),
                content_length: number(l, "http.content_length"),
                body: l.object.as_ref().map(|o| o.bytes.len()),
                segments: if l.segments.len() > 1 {
                    l.segments.iter().map(|s| s.0).collect()
                } else {
                    Vec::new()
                },
                request_in: number(l, "http.request_in"),
            });
        }
    }

    fn gets(&self, file: usize) -> impl Iterator<Item = &HttpMsg> {
        self.msgs
            .iter()
            .filter(move |m| m.file == file && m.request && m.method == "GET")
    }

    /// The response to request `r`: the one naming it in `http.request_in`, else the first
    /// later response on the same TCP connection.
    pub fn response_to(&self, r: &HttpMsg) -> Option<&HttpMsg> {
        let later = self.msgs.iter().filter(|m| {
            m.file == r.file && !m.request && m.frame > r.frame && m.stream == r.stream
        });
        let mut first = None;
        for m in later {
            if m.request_in == Some(r.frame) {
                return Some(m);
            }
            first = first.or(Some(m));
        }
        first
    }
}

/// Reads every capture's HTTP messages.
pub fn read(caps: &[Capture]) -> Result<HttpMsgs, AnswerError> {
    let mut all = HttpMsgs::default();
    for (i, c) in caps.iter().enumerate() {
        let reader = open(&c.path)?;
        let mut analyzer = Analyzer::new().want(Want {
            fields: true,
            tree: false,
        });
        let mut p = Packet::default();
        for frame in reader.flat_map(SourceEvent::into_result) {
            analyzer.process(&frame, &mut p);
            all.add(i, &p);
        }
    }
    Ok(all)
}

/// Every answer of the HTTP lab, from the captures' files.
pub fn answers(caps: &[Capture]) -> Result<Vec<Answer>, AnswerError> {
    Ok(answer_msgs(&read(caps)?))
}

const WS: &str = "How: Wireshark display filter";

fn addr(a: Option<SocketAddr>) -> String {
    a.map(|a| a.ip().to_string()).unwrap_or_else(|| "?".into())
}

fn none(id: &str, q: &str, why: &str) -> Answer {
    Answer::new(id, q, why.to_string())
}

/// The answers from the messages read.
pub fn answer_msgs(h: &HttpMsgs) -> Vec<Answer> {
    let mut out = Vec::new();
    let first = h.msgs.iter().find(|m| m.request && m.method == "GET");
    let resp = first.and_then(|r| h.response_to(r));
    part1(first, resp, &mut out);
    part2(h, &mut out);
    part3(h, &mut out);
    part4(h, &mut out);
    part5(h, &mut out);
    out
}

const Q1: &str = "Is your browser running HTTP version 1.0, 1.1, or 2? What version of HTTP is \
                  the server running?";
const Q2: &str = "What languages (if any) does your browser indicate that it can accept to the \
                  server?";
const Q3: &str = "What is the IP address of your computer? What is the IP address of the \
                  gaia.cs.umass.edu server?";
const Q4: &str = "What is the status code returned from the server to your browser?";
const Q5: &str = "When was the HTML file that you are retrieving last modified at the server?";
const Q6: &str = "How many bytes of content are being returned to your browser?";
const Q7: &str = "By inspecting the raw data in the packet content window, do you see any \
                  headers within the data that are not displayed in the packet-listing \
                  window? If so, name one.";

const NO_GET: &str = "No HTTP GET in these captures. Capture while the browser fetches the \
                      lab's page (http://, not https://) and filter on `http`.";

fn part1(req: Option<&HttpMsg>, resp: Option<&HttpMsg>, out: &mut Vec<Answer>) {
    let Some(r) = req else {
        for (id, q) in [
            ("1", Q1),
            ("2", Q2),
            ("3", Q3),
            ("4", Q4),
            ("5", Q5),
            ("6", Q6),
            ("7", Q7),
        ] {
            out.push(none(id, q, NO_GET));
        }
        return;
    };
    let rframes: Vec<u64> = resp.map(|s| vec![s.frame]).unwrap_or_default();
    let rf = resp
        .map(|s| s.frame.to_string())
        .unwrap_or_else(|| "?".into());
    let rfile = resp.map(|s| s.file).unwrap_or(r.file);
    // 1
    out.push(
        Answer::new(
            "1",
            Q1,
            format!(
                "The browser's GET (frame {}, \"{}\") is {}. {}\n{WS} `http.request.method == \
                 \"GET\"`; fields http.request.version and http.response.version.",
                r.frame,
                r.first_line(),
                r.version,
                match resp {
                    Some(s) => format!("The server answers {} (frame {}).", s.version, s.frame),
                    None => "No response to it is in the capture.".into(),
                }
            ),
        )
        .cite(r.file, "GET", vec![r.frame])
        .cite(rfile, "response", rframes.clone())
        .value("request_frame", r.frame)
        .value("response_frame", resp.map(|s| s.frame))
        .value("browser_version", &r.version)
        .value("server_version", resp.map(|s| &s.version)),
    );
    // 2
    out.push(
        Answer::new(
            "2",
            Q2,
            match &r.accept_language {
                Some(l) => format!(
                    "Accept-Language: {l} (frame {}): the browser's settings, so it depends \
                     on the student's browser.\n{WS} `http.accept_language`.",
                    r.frame
                ),
                None => format!(
                    "The GET in frame {} has no Accept-Language header: the client states no \
                     language.\n{WS} `http.accept_language`.",
                    r.frame
                ),
            },
        )
        .cite(r.file, "GET", vec![r.frame])
        .value("accept_language", &r.accept_language),
    );
    // 3
    out.push(
        Answer::new(
            "3",
            Q3,
            format!(
                "Your computer (the GET's source) is {}; the server (its destination) is {}. \
                 Both depend on the student's network and on where the lab's server is.\n{WS} \
                 `http.request`; fields ip.src and ip.dst (ipv6.src, ipv6.dst).",
                addr(r.src),
                addr(r.dst)
            ),
        )
        .cite(r.file, "GET", vec![r.frame])
        .value("client", r.src.map(|a| a.ip()))
        .value("server", r.dst.map(|a| a.ip())),
    );
    // 4
    out.push(
        Answer::new(
            "4",
            Q4,
            match resp {
                Some(s) => format!(
                    "{} {} (frame {}).\n{WS} `http.response`; field http.response.code.",
                    s.code.unwrap_or(0),
                    s.phrase,
                    s.frame
                ),
                None => format!("No response to the GET in frame {} was captured.", r.frame),
            },
        )
        .cite(rfile, "response", rframes.clone())
        .value("code", resp.and_then(|s| s.code))
        .value("phrase", resp.map(|s| &s.phrase)),
    );
    // 5
    let lm = resp.and_then(|s| s.last_modified.clone());
    out.push(
        Answer::new(
            "5",
            Q5,
            match &lm {
                Some(t) => format!(
                    "Last-Modified: {t} (frame {rf}); the server's file, so it depends on the \
                     server.\n{WS} `http.last_modified`."
                ),
                None => format!(
                    "The response (frame {rf}) has no Last-Modified header.\n{WS} \
                     `http.last_modified`."
                ),
            },
        )
        .cite(rfile, "response", rframes.clone())
        .value("last_modified", lm),
    );
    // 6
    let len = resp.and_then(|s| s.content_length.or(s.body.map(|b| b as u64)));
    out.push(
        Answer::new(
            "6",
            Q6,
            match (resp, len) {
                (Some(s), Some(n)) => format!(
                    "{n} bytes (frame {}: {}).\n{WS} `http.content_length`; the body is \
                     http.file_data (\"Line-based text data\" or \"File Data: {n} bytes\").",
                    s.frame,
                    if s.content_length.is_some() {
                        "Content-Length"
                    } else {
                        "the body received, no Content-Length"
                    }
                ),
                _ => format!("The response (frame {rf}) carries no content."),
            },
        )
        .cite(rfile, "response", rframes.clone())
        .value("content_length", len),
    );
    // 7
    let names = resp.map(|s| s.header_names()).unwrap_or_default();
    out.push(
        Answer::new(
            "7",
            Q7,
            format!(
                "Yes: the packet listing shows only the status line (\"{}\"); the headers are \
                 in the data: {}.\n{WS} `http.response`; expand Hypertext Transfer Protocol \
                 (fields http.response.line).",
                resp.map(|s| s.first_line()).unwrap_or_default(),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ),
        )
        .cite(rfile, "response", rframes)
        .value("headers", names),
    );
}

const Q8: &str = "Inspect the contents of the first HTTP GET request from your browser to the \
                  server. Do you see an \"IF-MODIFIED-SINCE\" line in the HTTP GET?";
const Q9: &str = "Inspect the contents of the server response. Did the server explicitly \
                  return the contents of the file? How can you tell?";
const Q10: &str = "Now inspect the contents of the second HTTP GET request from your browser \
                   to the server. Do you see an \"IF-MODIFIED-SINCE:\" line in the HTTP GET? \
                   If so, what information follows the \"IF-MODIFIED-SINCE:\" header?";
const Q11: &str = "What is the HTTP status code and phrase returned from the server in \
                   response to this second HTTP GET? Did the server explicitly return the \
                   contents of the file? Explain.";

fn returned(s: &HttpMsg) -> String {
    match s.content_length.or(s.body.map(|b| b as u64)) {
        Some(n) if n > 0 => format!(
            "Yes: {} {} with {n} bytes of content (Line-based text data / File Data below the \
             headers).",
            s.code.unwrap_or(0),
            s.phrase
        ),
        _ => format!(
            "No: {} {} carries no body (no file data below the headers).",
            s.code.unwrap_or(0),
            s.phrase
        ),
    }
}

fn part2(h: &HttpMsgs, out: &mut Vec<Answer>) {
    // The second GET: the first with If-Modified-Since; the first GET: the earlier one of
    // the same URI.
    let second = h
        .msgs
        .iter()
        .find(|m| m.request && m.method == "GET" && m.header("If-Modified-Since").is_some());
    let Some(second) = second else {
        let why = "No conditional GET in these captures (no request with an If-Modified-Since \
                   header): fetch the lab's page, then reload it (the browser's cache must not \
                   be emptied between) and filter on `http`.";
        for (id, q) in [("8", Q8), ("9", Q9), ("10", Q10), ("11", Q11)] {
            out.push(none(id, q, why));
        }
        return;
    };
    let first = h.msgs.iter().find(|m| {
        m.file == second.file
            && m.request
            && m.method == "GET"
            && m.uri == second.uri
            && m.frame < second.frame
    });
    let ims = second.header("If-Modified-Since").unwrap_or_default();
    match first {
        Some(f) => {
            let has = f.header("If-Modified-Since");
            out.push(
                Answer::new(
                    "8",
                    Q8,
                    format!(
                        "{} The first GET of {} is frame {}.\n{WS} `http.request.method == \
                         \"GET\"`; the header is a line of http.request.line.",
                        match has {
                            Some(v) => format!("Yes: If-Modified-Since: {v}."),
                            None => "No: the first GET has no If-Modified-Since line (the \
                                     browser had nothing cached)."
                                .into(),
                        },
                        f.uri,
                        f.frame
                    ),
                )
                .cite(f.file, "first GET", vec![f.frame])
                .value("frame", f.frame)
                .value("if_modified_since", has),
            );
            let r = h.response_to(f);
            out.push(match r {
                Some(s) => Answer::new(
                    "9",
                    Q9,
                    format!("{} (frame {})\n{WS} `http.response`.", returned(s), s.frame),
                )
                .cite(s.file, "response", vec![s.frame])
                .value("frame", s.frame)
                .value("code", s.code)
                .value(
                    "content_length",
                    s.content_length.or(s.body.map(|b| b as u64)),
                ),
                None => none("9", Q9, "No response to the first GET was captured."),
            });
        }
        None => {
            out.push(none(
                "8",
                Q8,
                "The first GET of that page is not in these captures (only the conditional \
                 one).",
            ));
            out.push(none(
                "9",
                Q9,
                "The first GET's response is not in these captures.",
            ));
        }
    }
    out.push(
        Answer::new(
            "10",
            Q10,
            format!(
                "Yes: frame {} has If-Modified-Since: {ims}. It is the Last-Modified date the \
                 server gave with the cached copy: the browser asks for the file only if it \
                 changed since.\n{WS} `http.request.line contains \"If-Modified-Since\"`.",
                second.frame
            ),
        )
        .cite(second.file, "second GET", vec![second.frame])
        .value("frame", second.frame)
        .value("if_modified_since", ims),
    );
    out.push(match h.response_to(second) {
        Some(s) => Answer::new(
            "11",
            Q11,
            format!(
                "{} {} (frame {}). {}{}\n{WS} `http.response.code == 304`.",
                s.code.unwrap_or(0),
                s.phrase,
                s.frame,
                returned(s),
                if s.code == Some(304) {
                    " The file has not changed, so the browser shows its cached copy."
                } else {
                    ""
                }
            ),
        )
        .cite(s.file, "response", vec![s.frame])
        .value("frame", s.frame)
        .value("code", s.code)
        .value("phrase", &s.phrase),
        None => none("11", Q11, "No response to the second GET was captured."),
    });
}

const Q12: &str = "How many HTTP GET request messages did your browser send? Which packet \
                   number in the trace contains the GET message for the Bill of Rights?";
const Q13: &str = "Which packet number in the trace contains the status code and phrase \
                   associated with the response to the HTTP GET request?";
const Q14: &str = "What is the status code and phrase in the response?";
const Q15: &str = "How many data-containing TCP segments were needed to carry the single HTTP \
                   response and the text of the Bill of Rights?";

fn part3(h: &HttpMsgs, out: &mut Vec<Answer>) {
    // The long document: the response carried in the most TCP segments.
    let long = h
        .msgs
        .iter()
        .filter(|m| !m.request)
        .fold(None::<&HttpMsg>, |b, m| match b {
            Some(b) if b.segment_count() >= m.segment_count() => Some(b),
            _ => Some(m),
        });
    let Some(s) = long.filter(|s| s.segment_count() > 1) else {
        let why = "No HTTP response in these captures spans several TCP segments: fetch the \
                   lab's long page and filter on `http`.";
        for (id, q) in [("12", Q12), ("13", Q13), ("14", Q14), ("15", Q15)] {
            out.push(none(id, q, why));
        }
        return;
    };
    let req = h
        .msgs
        .iter()
        .find(|m| m.file == s.file && m.request && Some(m.frame) == s.request_in)
        .or_else(|| {
            h.msgs.iter().rev().find(|m| {
                m.file == s.file && m.request && m.stream == s.stream && m.frame < s.frame
            })
        });
    let gets: Vec<u64> = h.gets(s.file).map(|m| m.frame).collect();
    out.push(
        Answer::new(
            "12",
            Q12,
            format!(
                "{} GET request{} in file {} (frame{} {}); the GET for the long document{} is \
                 frame {}.\n{WS} `http.request.method == \"GET\"`.",
                gets.len(),
                plural(gets.len() as u64),
                s.file + 1,
                plural(gets.len() as u64),
                gets.iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                req.map(|r| format!(" ({})", r.uri)).unwrap_or_default(),
                req.map(|r| r.frame.to_string())
                    .unwrap_or_else(|| "not captured".into())
            ),
        )
        .cite(s.file, "GETs", gets.clone())
        .value("gets", gets.len())
        .value("get_frame", req.map(|r| r.frame)),
    );
    out.push(
        Answer::new(
            "13",
            Q13,
            format!(
                "Frame {}: Wireshark shows the response (status line and all) in the frame \
                 where its last TCP segment arrived, once the segments are reassembled; the \
                 segments before it show \"[TCP segment of a reassembled PDU]\".\n{WS} \
                 `http.response`.",
                s.frame
            ),
        )
        .cite(s.file, "response", vec![s.frame])
        .value("frame", s.frame),
    );
    out.push(
        Answer::new(
            "14",
            Q14,
            format!(
                "{} {} (frame {}).\n{WS} `http.response`; fields http.response.code and \
                 http.response.phrase.",
                s.code.unwrap_or(0),
                s.phrase,
                s.frame
            ),
        )
        .cite(s.file, "response", vec![s.frame])
        .value("code", s.code)
        .value("phrase", &s.phrase),
    );
    out.push(
        Answer::new(
            "15",
            Q15,
            format!(
                "{} TCP segments (frames {}): \"[{} Reassembled TCP Segments (…)]\" in frame \
                 {}. How many depends on the segment size (MSS) of the student's path.\n\
                 {WS} `http.response`; field tcp.segment.count, or `tcp.reassembled_in == {}`.",
                s.segment_count(),
                s.segments
                    .iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                s.segment_count(),
                s.frame,
                s.frame
            ),
        )
        .cite(s.file, "segments", s.segments.clone())
        .value("segments", s.segment_count())
        .value("segment_frames", &s.segments),
    );
}

const Q16: &str = "How many HTTP GET request messages did your browser send? To which \
                   Internet addresses were these GET requests sent?";
const Q17: &str = "Can you tell whether your browser downloaded the two images serially, or \
                   whether they were downloaded from the two web sites in parallel? Explain.";

fn part4(h: &HttpMsgs, out: &mut Vec<Answer>) {
    // The file with GETs to the most addresses (then the most GETs, then the first).
    let files = h.msgs.iter().map(|m| m.file).max().map_or(0, |n| n + 1);
    let mut best: Option<(usize, usize, usize)> = None;
    for f in 0..files {
        let mut addrs: Vec<IpAddr> = Vec::new();
        let mut n = 0;
        for m in h.gets(f) {
            n += 1;
            if let Some(a) = m.dst.map(|d| d.ip())
                && !addrs.contains(&a)
            {
                addrs.push(a);
            }
        }
        if n > 0 && best.is_none_or(|b| (addrs.len(), n) > (b.1, b.2)) {
            best = Some((f, addrs.len(), n));
        }
    }
    let Some((file, _, _)) = best else {
        out.push(none("16", Q16, NO_GET));
        out.push(none("17", Q17, NO_GET));
        return;
    };
    let gets: Vec<&HttpMsg> = h.gets(file).collect();
    let mut addrs: Vec<IpAddr> = Vec::new();
    for a in gets.iter().filter_map(|m| m.dst.map(|d| d.ip())) {
        if !addrs.contains(&a) {
            addrs.push(a);
        }
    }
    let mut t = Table::new(&["GET frame", "Time", "To", "URI", "Response frame", "Time"]);
    let mut spans = Vec::new();
    for g in &gets {
        let r = h.response_to(g);
        t.row(vec![
            g.frame.to_string(),
            seconds(g.time),
            addr(g.dst),
            g.uri.clone(),
            r.map(|r| r.frame.to_string()).unwrap_or_default(),
            r.map(|r| seconds(r.time)).unwrap_or_default(),
        ]);
        spans.push((g.time, r.map(|r| r.time)));
    }
    let frames: Vec<u64> = gets.iter().map(|g| g.frame).collect();
    out.push(
        Answer::new(
            "16",
            Q16,
            format!(
                "{} GET request{} in file {} (frame{} {}), to {}. The addresses depend on the \
                 servers the page names (and the student's DNS).\n{WS} `http.request.method \
                 == \"GET\"`; field ip.dst.",
                gets.len(),
                plural(gets.len() as u64),
                file + 1,
                plural(gets.len() as u64),
                frames
                    .iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                addrs
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .cite(file, "GETs", frames.clone())
        .value("gets", gets.len())
        .value("addresses", &addrs)
        .with_table(t),
    );
    // The embedded objects: every GET after the page's own.
    let objs = spans.get(1..).unwrap_or(&[]);
    let parallel = objs.iter().enumerate().any(|(i, a)| {
        objs.iter()
            .skip(i + 1)
            .any(|b| a.1.is_none_or(|end| b.0 < end))
    });
    let text = if objs.len() < 2 {
        "Cannot tell: fewer than two GETs follow the page's own.".to_string()
    } else if parallel {
        "In parallel: a later object's GET was sent before the response to an earlier one had \
         arrived (see the table's times)."
            .to_string()
    } else {
        "Serially: each object's GET was sent only after the response to the previous one \
         had arrived (see the table's times)."
            .to_string()
    };
    out.push(
        Answer::new(
            "17",
            Q17,
            format!(
                "{text} The timing depends on the student's browser and network.\n{WS} \
                 `http`; compare the Time column of each GET and its response."
            ),
        )
        .cite(file, "GETs", frames)
        .value("parallel", (objs.len() >= 2).then_some(parallel)),
    );
}

const Q18: &str = "What is the server's response (status code and phrase) in response to the \
                   initial HTTP GET message from your browser?";
const Q19: &str = "When your browser sends the HTTP GET message for the second time, what new \
                   field is included in the HTTP GET message?";

fn part5(h: &HttpMsgs, out: &mut Vec<Answer>) {
    let Some(s) = h.msgs.iter().find(|m| !m.request && m.code == Some(401)) else {
        let why = "No 401 Unauthorized in these captures: fetch the lab's protected page, \
                   give the user name and password, and filter on `http`.";
        out.push(none("18", Q18, why));
        out.push(none("19", Q19, why));
        return;
    };
    let req = s.request_in;
    out.push(
        Answer::new(
            "18",
            Q18,
            format!(
                "{} {} (frame {}{}){}.\n{WS} `http.response.code == 401`; field \
                 http.www_authenticate.",
                s.code.unwrap_or(0),
                s.phrase,
                s.frame,
                req.map(|r| format!(", the response to the GET in frame {r}"))
                    .unwrap_or_default(),
                s.header("WWW-Authenticate")
                    .map(|v| format!(", asking for credentials: WWW-Authenticate: {v}"))
                    .unwrap_or_default()
            ),
        )
        .cite(s.file, "401", vec![s.frame])
        .value("frame", s.frame)
        .value("code", s.code)
        .value("phrase", &s.phrase)
        .value("request_frame", req),
    );
    let second = h
        .msgs
        .iter()
        .find(|m| m.file == s.file && m.request && m.frame > s.frame && m.authorization.is_some());
    out.push(match second {
        Some(m) => Answer::new(
            "19",
            Q19,
            format!(
                "Authorization: {} (frame {}). \"Basic\" credentials are only base64, not \
                 encrypted: Wireshark decodes them as Credentials: {}.\n{WS} \
                 `http.authorization`; fields http.authorization and http.authbasic.",
                m.authorization.as_deref().unwrap_or_default(),
                m.frame,
                m.authbasic.as_deref().unwrap_or("(not Basic)")
            ),
        )
        .cite(m.file, "GET with Authorization", vec![m.frame])
        .value("frame", m.frame)
        .value("authorization", &m.authorization)
        .value("credentials", &m.authbasic),
        None => none(
            "19",
            Q19,
            "No later request with an Authorization header in that capture.",
        ),
    });
}

#[cfg(test)]
mod tests;

//! The Kurose & Ross "Wireshark Lab: Getting Started" (v8.1), answered from captures: which
//! of the lab's six protocols the Protocol column shows, the time from the HTTP GET to its
//! OK, the two addresses, the browser's User-Agent, the GET's destination port, and the two
//! messages printed layer by layer.
//!
//! HTTP messages come from [`super::http`]'s reading of the dissector's fields; the Protocol
//! column is wirelab's (tshark's) column; the printed messages are the packet-details layers
//! of `wirelab read -V`, every line escaped.

use std::collections::BTreeMap;

use super::http::{HttpMsg, HttpMsgs};
use super::report::{Answer, Table};
use super::{AnswerError, Capture, plural, scan, seconds};
use crate::analyse::Packet;
use crate::decode::detail::Layer;
use crate::frame::Frame;

/// The protocols question 1 asks about, as the Protocol column names them.
pub const ASKED: [&str; 6] = ["TCP", "QUIC", "HTTP", "DNS", "UDP", "TLSv1.2"];

/// Distinct Protocol column values counted (the rest are counted as `other`).
pub const COLUMNS: usize = 256;

/// Lines printed per frame for question 6 (the rest are cut, and the cut is said).
pub const LINES: usize = 400;

/// The page the lab's browser fetches.
pub const PAGE: &str = "INTRO-wireshark-file1.html";

/// One frame printed as `wirelab read -V` prints it (without the arrival time and the byte
/// ranges' alignment), every line escaped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Printed {
    /// Index of its file.
    pub file: usize,
    /// Frame number.
    pub frame: u64,
    /// The lines.
    pub lines: Vec<String>,
    /// Lines left out after [`LINES`].
    pub cut: usize,
}

impl Printed {
    /// Prints one analysed frame.
    pub fn of(file: usize, p: &Packet, f: &Frame) -> Printed {
        let mut lines = vec![
            format!(
                "Frame {}: {} bytes on wire ({} bits), {} bytes captured ({} bits)",
                p.number,
                p.len,
                u64::from(p.len) * 8,
                p.caplen,
                u64::from(p.caplen) * 8
            ),
            format!("    Time since first frame: {:.6} seconds", p.time_rel()),
            crate::text::escape(
                format!("    Protocol: {}   Info: {}", p.protocol, p.info).as_bytes(),
            ),
        ];
        for l in p.layers(&f.data) {
            lines.push(crate::text::escape(
                format!("{}{}", l.title, range(&l, &l.range)).as_bytes(),
            ));
            for x in &l.fields {
                let indent = "    ".repeat(usize::from(x.depth) + 1);
                let r = x.range.as_ref().map(|r| range(&l, r)).unwrap_or_default();
                let text = if x.value.is_empty() {
                    format!("{indent}{}{r}", x.name)
                } else {
                    format!("{indent}{}: {}{r}", x.name, x.value)
                };
                lines.push(crate::text::escape(text.as_bytes()));
            }
        }
        let cut = lines.len().saturating_sub(LINES);
        lines.truncate(LINES);
        Printed {
            file,
            frame: p.number,
            lines,
            cut,
        }
    }
}

/// `  [bytes 14-33]` as `wirelab read -V` marks a layer's or field's bytes.
fn range(l: &Layer, r: &std::ops::Range<usize>) -> String {
    let mark = if l.reassembled { "R " } else { "" };
    match r.len() {
        0 => String::new(),
        1 => format!("  [{mark}byte {}]", r.start),
        _ => format!("  [{mark}bytes {}-{}]", r.start, r.end - 1),
    }
}

/// What the Getting Started lab reads from the captures.
#[derive(Debug, Clone, Default)]
pub struct IntroTrace {
    /// The HTTP messages.
    pub http: HttpMsgs,
    /// Frames per Protocol column value, every file together.
    pub columns: BTreeMap<String, u64>,
    /// Frames whose column value was not counted by name (more than [`COLUMNS`] values).
    pub other: u64,
    /// The GET and its response, printed (question 6).
    pub printed: Vec<Printed>,
}

impl IntroTrace {
    /// Counts one frame's Protocol column.
    pub fn count(&mut self, p: &Packet) {
        let name = p.protocol.as_str();
        if let Some(n) = self.columns.get_mut(name.as_ref()) {
            *n += 1;
        } else if self.columns.len() < COLUMNS {
            self.columns.insert(name.into_owned(), 1);
        } else {
            self.other += 1;
        }
    }

    /// The lab's GET (the first for [`PAGE`], else the first GET answered, else the first
    /// GET) and its response.
    pub fn get(&self) -> Option<(&HttpMsg, Option<&HttpMsg>)> {
        let gets = || {
            self.http
                .msgs
                .iter()
                .filter(|m| m.request && m.method == "GET")
        };
        let g = gets()
            .find(|m| m.uri.contains(PAGE))
            .or_else(|| gets().find(|m| self.http.response_to(m).is_some()))
            .or_else(|| gets().next())?;
        Some((g, self.http.response_to(g)))
    }
}

/// Reads every capture: HTTP messages and the Protocol column, then prints the lab's GET and
/// its response.
pub fn read(caps: &[Capture]) -> Result<IntroTrace, AnswerError> {
    let mut t = IntroTrace::default();
    for (i, c) in caps.iter().enumerate() {
        scan(&c.path, |p, _| {
            t.http.add(i, p);
            t.count(p);
        })?;
    }
    let want: Vec<(usize, u64)> = match t.get() {
        Some((g, r)) => std::iter::once((g.file, g.frame))
            .chain(r.map(|r| (r.file, r.frame)))
            .collect(),
        None => Vec::new(),
    };
    let mut printed = Vec::new();
    if let Some(&(file, _)) = want.first()
        && let Some(c) = caps.get(file)
    {
        scan(&c.path, |p, f| {
            if want.contains(&(file, p.number)) {
                printed.push(Printed::of(file, p, f));
            }
        })?;
    }
    t.printed = printed;
    Ok(t)
}

/// Every answer of the Getting Started lab, from the captures' files.
pub fn answers(caps: &[Capture]) -> Result<Vec<Answer>, AnswerError> {
    Ok(answer_trace(&read(caps)?))
}

const WS: &str = "How: Wireshark display filter";

const Q1: &str = "Which of the following protocols are shown as appearing (i.e., are listed in \
                  the Wireshark \"protocol\" column) in your trace file: TCP, QUIC, HTTP, DNS, \
                  UDP, TLSv1.2?";
const Q2: &str = "How long did it take from when the HTTP GET message was sent until the HTTP \
                  OK reply was received? (By default, the value of the Time column in the \
                  packet-listing window is the amount of time, in seconds, since Wireshark \
                  tracing began.)";
const Q3: &str = "What is the Internet address of the gaia.cs.umass.edu (also known as \
                  www-net.cs.umass.edu)? What is the Internet address of your computer or (if \
                  you are using the trace file) the computer that sent the HTTP GET message?";
const Q4: &str = "Expand the information on the HTTP message in the Wireshark \"Details of \
                  selected packet\" window so you can see the fields in the HTTP GET request \
                  message. What type of Web browser issued the HTTP request?";
const Q5: &str = "Expand the information on the Transmission Control Protocol for this packet \
                  in the Wireshark \"Details of selected packet\" window so you can see the \
                  fields in the TCP segment carrying the HTTP message. What is the destination \
                  port number (the number following \"Dest Port:\" for the TCP segment \
                  containing the HTTP request) to which this HTTP request is being sent?";
const Q6: &str = "Print the two HTTP messages (GET and OK) referred to in question 2 above. To \
                  do so, select Print from the Wireshark File command menu, and select the \
                  \"Selected Packet Only\" and \"Print as displayed\" radial buttons, and then \
                  click OK.";

/// True when a Protocol column value counts as `name`: the same, or `name/…` (Wireshark's
/// `HTTP/JSON`, `HTTP/XML`: HTTP carrying a body it dissects further).
pub fn shows(column: &str, name: &str) -> bool {
    column == name
        || column
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The answers from what was read.
pub fn answer_trace(t: &IntroTrace) -> Vec<Answer> {
    let mut out = vec![q1(t)];
    let Some((g, r)) = t.get() else {
        let why = "Not in this capture: no HTTP GET. Start the capture, open \
                   http://gaia.cs.umass.edu/wireshark-labs/INTRO-wireshark-file1.html (http://, \
                   not https://) in the browser, stop the capture, and filter on `http`.";
        for (id, q) in [("2", Q2), ("3", Q3), ("4", Q4), ("5", Q5), ("6", Q6)] {
            out.push(Answer::new(id, q, why.into()));
        }
        return out;
    };
    out.push(q2(g, r));
    out.push(q3(g));
    out.push(q4(g));
    out.push(q5(g));
    out.push(q6(g, r, &t.printed));
    out
}

fn q1(t: &IntroTrace) -> Answer {
    let mut listed = Vec::new();
    let mut per = serde_json::Map::new();
    let mut tab = Table::new(&["Protocol", "Listed", "Frames"]);
    for name in ASKED {
        let n: u64 = t
            .columns
            .iter()
            .filter(|(c, _)| shows(c, name))
            .map(|(_, n)| n)
            .sum();
        if n > 0 {
            listed.push(name);
        }
        per.insert(name.into(), n.into());
        tab.row(vec![
            name.into(),
            if n > 0 { "yes" } else { "no" }.into(),
            n.to_string(),
        ]);
    }
    let total: u64 = t.columns.values().sum::<u64>() + t.other;
    let others: Vec<String> = t
        .columns
        .iter()
        .filter(|(c, _)| !ASKED.iter().any(|a| shows(c, a)))
        .map(|(c, n)| format!("{} ({n})", crate::text::escape(c.as_bytes())))
        .collect();
    let text = if total == 0 {
        "Not in this capture: it has no frames. Capture while the browser fetches the lab's \
         page."
            .to_string()
    } else {
        format!(
            "{} of the six appear in the Protocol column of these {total} frame{}: {}.{} \
             Also listed: {}. The column names the highest protocol of each frame: DNS \
             travels in UDP and HTTP in TCP even when the column says DNS or HTTP. Which ones \
             appear depends on what else the computer did during the capture (a browser today also speaks QUIC and TLS to other sites; DNS \
             appears when a name had to be looked up).\n{WS} `tcp`, `quic`, `http`, `dns`, \
             `udp`, `tls.record.version == 0x0303`, or Statistics > Protocol Hierarchy. \
             \"HTTP/JSON\" and the like count as HTTP.",
            listed.len(),
            plural(total),
            if listed.is_empty() {
                "none".into()
            } else {
                listed.join(", ")
            },
            match ASKED.iter().filter(|a| !listed.contains(a)).count() {
                0 => String::new(),
                _ => format!(
                    " Not listed: {}.",
                    ASKED
                        .iter()
                        .filter(|a| !listed.contains(a))
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            if others.is_empty() {
                "nothing else".into()
            } else {
                others.join(", ")
            }
        )
    };
    Answer::new("1", Q1, text)
        .value("listed", &listed)
        .value("frames", per)
        .value("columns", &t.columns)
        .with_table(tab)
}

fn addr(a: Option<std::net::SocketAddr>) -> String {
    a.map(|a| a.ip().to_string()).unwrap_or_else(|| "?".into())
}

/// Seconds as the Time column shows them: microseconds, cut (not rounded).
fn time_column(t: f64) -> String {
    let us = (t * 1e9).round() as i64 / 1000;
    let sign = if us < 0 { "-" } else { "" };
    let us = us.unsigned_abs();
    format!("{sign}{}.{:06}", us / 1_000_000, us % 1_000_000)
}

fn q2(g: &HttpMsg, r: Option<&HttpMsg>) -> Answer {
    let Some(r) = r else {
        return Answer::new(
            "2",
            Q2,
            format!(
                "Not in this capture: the reply to the GET in frame {} (file {}). Stop the \
                 capture only after the page has loaded.",
                g.frame,
                g.file + 1
            ),
        )
        .cite(g.file, "GET", vec![g.frame])
        .value("get_frame", g.frame);
    };
    let dt = r.time - g.time;
    let ok = if r.code == Some(200) {
        String::new()
    } else {
        format!(
            " (the reply is {} {}, not 200 OK)",
            r.code.unwrap_or(0),
            crate::text::escape(r.phrase.as_bytes())
        )
    };
    Answer::new(
        "2",
        Q2,
        format!(
            "{} ({dt:.6} s): the GET for {} is frame {} at {} s, the reply{ok} is frame {} at \
             {} s (Time column, seconds since the capture began). The time depends on \
             the network between the computer and the server.\n{WS} `http`; subtract the \
             Time column values, or read http.time in the reply.",
            seconds(dt),
            crate::text::escape(g.uri.as_bytes()),
            g.frame,
            time_column(g.time),
            r.frame,
            time_column(r.time)
        ),
    )
    .cite(g.file, "GET", vec![g.frame])
    .cite(r.file, "reply", vec![r.frame])
    .value("get_frame", g.frame)
    .value("reply_frame", r.frame)
    .value("get_time", g.time)
    .value("reply_time", r.time)
    .value("seconds", dt)
    .value("code", r.code)
}

fn q3(g: &HttpMsg) -> Answer {
    let host = g.header("Host");
    Answer::new(
        "3",
        Q3,
        format!(
            "The server{} is {} (the GET's destination address); the computer that sent the \
             GET is {} (its source address). On the course's network gaia.cs.umass.edu is a \
             public server and its address is the one DNS gives for that name; the computer's \
             address depends on the network it was on (a home network's is often a private \
             192.168.x.x).\n{WS} `http.request.method == \"GET\"`; fields ip.dst and ip.src \
             (ipv6.dst, ipv6.src).",
            match host {
                Some(h) => format!(" (Host: {})", crate::text::escape(h.as_bytes())),
                None => String::new(),
            },
            addr(g.dst),
            addr(g.src)
        ),
    )
    .cite(g.file, "GET", vec![g.frame])
    .value("server", g.dst.map(|a| a.ip()))
    .value("client", g.src.map(|a| a.ip()))
    .value("host", host)
}

fn q4(g: &HttpMsg) -> Answer {
    let ua = g.header("User-Agent");
    Answer::new(
        "4",
        Q4,
        match ua {
            Some(u) => format!(
                "User-Agent: {} (GET, frame {}). The browser names itself; this depends on the \
                 browser (and version) that made the request.\n{WS} `http.user_agent`.",
                crate::text::escape(u.as_bytes()),
                g.frame
            ),
            None => format!(
                "The GET in frame {} has no User-Agent header: the client did not say what \
                 it is.\n{WS} `http.user_agent`.",
                g.frame
            ),
        },
    )
    .cite(g.file, "GET", vec![g.frame])
    .value("user_agent", ua)
}

fn q5(g: &HttpMsg) -> Answer {
    let port = g.dst.map(|d| d.port());
    Answer::new(
        "5",
        Q5,
        format!(
            "Destination Port: {} (frame {}){}.\n{WS} `http.request`; field tcp.dstport.",
            port.map_or("?".into(), |p| p.to_string()),
            g.frame,
            if port == Some(80) {
                ": HTTP's well-known port"
            } else {
                ""
            }
        ),
    )
    .cite(g.file, "GET", vec![g.frame])
    .value("dst_port", port)
}

fn q6(g: &HttpMsg, r: Option<&HttpMsg>, printed: &[Printed]) -> Answer {
    let mut text = format!(
        "A capture file cannot print; do it yourself: in Wireshark select the GET (frame {}), \
         File > Print, \"Selected packet only\" and \"As displayed\" (with the HTTP layer \
         expanded), then the same for the reply{}. With wirelab: `wirelab read FILE -V -Y \
         'frame.number == {}{}'`. This is what it prints:",
        g.frame,
        r.map(|r| format!(" (frame {})", r.frame))
            .unwrap_or_else(|| " (not in this capture)".into()),
        g.frame,
        r.map(|r| format!(" || frame.number == {}", r.frame))
            .unwrap_or_default()
    );
    for p in printed {
        text.push('\n');
        // Four spaces: the report prints these lines as they are, not re-wrapped.
        for l in &p.lines {
            text.push_str("\n    ");
            text.push_str(l);
        }
        if p.cut > 0 {
            text.push_str(&format!("\n        … ({} more lines)", p.cut));
        }
    }
    let mut a = Answer::new("6", Q6, text).cite(g.file, "GET", vec![g.frame]);
    if let Some(r) = r {
        a = a.cite(r.file, "reply", vec![r.frame]);
    }
    let lines = |f: u64| {
        printed
            .iter()
            .find(|p| p.frame == f)
            .map(|p| p.lines.clone())
    };
    a.value("get_frame", g.frame)
        .value("reply_frame", r.map(|r| r.frame))
        .value("get_text", lines(g.frame))
        .value("reply_text", r.and_then(|r| lines(r.frame)))
}

#[cfg(test)]
mod tests;

//! The text protocols: SMTP (and the IMF mail it carries), FTP and FTP-DATA, POP, IMAP, as
//! Wireshark 4.0's packet-smtp.c, packet-imf.c, packet-ftp.c, packet-pop.c and packet-imap.c
//! show them in one pass.
//!
//! Each protocol is in its own file under `text/`; this file holds the per-stream state they
//! share and the line splitting they all use (Wireshark's `tvb_find_line_end`). A request is
//! a segment towards the lower (server) port. SMTP and IMAP wait for a line cut between
//! segments (`[TCP segment of a reassembled PDU]`), FTP and POP show each segment as it comes,
//! as tshark does. Mail bodies are collected per stream up to [`MAX_MAIL`] bytes.

mod ftp;
mod imap;
mod imf;
mod pop;
mod smtp;

use foldhash::HashMap;
use std::net::SocketAddr;

use super::{Cx, Dissector, FieldDef, FieldType, Outcome, Transport};

macro_rules! fields {
    ($($proto:ident $name:literal: $kind:expr),* $(,)?) => {
        &[$(FieldDef { name: $name, kind: $kind, proto: Dissector::$proto }),*]
    };
}

/// Fields this module sets.
pub const FIELDS: &[FieldDef] = fields![
    Smtp "smtp.req": FieldType::Bool,
    Smtp "smtp.req.command": FieldType::Str,
    Smtp "smtp.req.parameter": FieldType::Str,
    Smtp "smtp.command_line": FieldType::Str,
    Smtp "smtp.response": FieldType::Str,
    Smtp "smtp.response.code": FieldType::Uint(999),
    Smtp "smtp.rsp.parameter": FieldType::Str,
    Smtp "smtp.rsp": FieldType::Bool,
    Smtp "smtp.auth.username": FieldType::Str,
    Smtp "smtp.auth.password": FieldType::Str,
    Imf "imf.from": FieldType::Str,
    Imf "imf.to": FieldType::Str,
    Imf "imf.cc": FieldType::Str,
    Imf "imf.subject": FieldType::Str,
    Imf "imf.date": FieldType::Str,
    Imf "imf.message_id": FieldType::Str,
    Imf "imf.content.type": FieldType::Str,
    Ftp "ftp.request": FieldType::Bool,
    Ftp "ftp.response": FieldType::Bool,
    Ftp "ftp.request.command": FieldType::Str,
    Ftp "ftp.request.arg": FieldType::Str,
    Ftp "ftp.response.code": FieldType::Uint(999),
    Ftp "ftp.response.arg": FieldType::Str,
    FtpData "ftp-data.setup-method": FieldType::Str,
    FtpData "ftp-data.command": FieldType::Str,
    Pop "pop.request.command": FieldType::Str,
    Pop "pop.request.parameter": FieldType::Str,
    Pop "pop.response.indicator": FieldType::Str,
    Pop "pop.response.description": FieldType::Str,
    Imap "imap.isrequest": FieldType::Bool,
    Imap "imap.line": FieldType::Str,
    Imap "imap.request": FieldType::Str,
    Imap "imap.response": FieldType::Str,
    Imap "imap.request_tag": FieldType::Str,
    Imap "imap.response_tag": FieldType::Str,
    Imap "imap.request.command": FieldType::Str,
    Imap "imap.response.command": FieldType::Str,
    Imap "imap.response.status": FieldType::Str,
    Imap "imap.tag": FieldType::Str,
    Imap "imap.command": FieldType::Str,
    Imap "imap.request.folder": FieldType::Str,
    Imap "imap.request.username": FieldType::Str,
    Imap "imap.request.password": FieldType::Str,
];

/// Largest mail body collected (as the TCP layer's 1 MiB cap).
pub const MAX_MAIL: usize = 1 << 20;
/// Most streams (and announced data channels) remembered at once.
const MAX_STREAMS: usize = 1024;

/// What one TCP stream remembers.
#[derive(Debug, Clone, Default)]
struct Conv {
    /// SMTP's session state.
    smtp: smtp::Session,
    /// SMTP/POP: the mail collected so far.
    mail: Vec<u8>,
    /// FTP: the last request line (`RETR notes.txt`).
    last_command: String,
    /// POP: a RETR or TOP was asked; the mail's announced size and what came of it so far.
    pop_asked: bool,
    pop_total: usize,
    pop_read: usize,
}

/// State kept across frames: per TCP stream, and FTP's announced data channels.
#[derive(Debug, Clone, Default)]
pub struct State {
    convs: HashMap<u32, Conv>,
    /// Data channel address → (setup method, control stream).
    data_channels: HashMap<SocketAddr, (&'static str, u32)>,
}

impl State {
    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.convs
            .values()
            .map(|c| c.mail.capacity() + c.last_command.capacity() + 64)
            .sum::<usize>()
            + self.data_channels.capacity() * 48
    }

    fn conv(&mut self, stream: Option<u32>) -> &mut Conv {
        let key = stream.unwrap_or(u32::MAX);
        if self.convs.len() >= MAX_STREAMS && !self.convs.contains_key(&key) {
            self.convs.clear();
        }
        self.convs.entry(key).or_default()
    }
}

/// Dissects `data` (a TCP stream's bytes) as `d`.
pub fn dissect(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    data: &[u8],
    t: Transport,
) -> Outcome {
    if t != Transport::Tcp || data.is_empty() {
        return Outcome::Rejected;
    }
    match d {
        Dissector::Smtp => smtp::dissect(state, cx, data),
        Dissector::Imf => {
            imf::dissect(cx, data, "IMF", Some(0));
            Outcome::Done
        }
        Dissector::Ftp => ftp::dissect(state, cx, data),
        Dissector::FtpData => ftp::dissect_data(state, cx, data),
        Dissector::Pop => pop::dissect(state, cx, data),
        Dissector::Imap => imap::dissect(cx, data),
        _ => Outcome::Rejected,
    }
}

/// Is this segment going to the server (the lower port)?
fn is_request(cx: &Cx<'_>) -> bool {
    cx.ends.dst.port() < cx.ends.src.port()
}

/// One line of `data` at `start`: its text (without the end of line) and where the next line
/// starts; `complete` is false when no end of line was found (Wireshark's
/// `tvb_find_line_end`: CR, LF or CRLF ends a line).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
    complete: bool,
}

fn line_at(data: &[u8], start: usize) -> Line {
    let rest = data.get(start..).unwrap_or(&[]);
    match rest.iter().position(|&b| b == b'\r' || b == b'\n') {
        Some(i) => {
            let end = start + i;
            let next = if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
                end + 2
            } else {
                end + 1
            };
            Line {
                start,
                end,
                next,
                complete: true,
            }
        }
        None => Line {
            start,
            end: data.len(),
            next: data.len(),
            complete: false,
        },
    }
}

/// Every line of `data`, the last one possibly without its end.
fn lines(data: &[u8]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let l = line_at(data, at);
        at = l.next;
        out.push(l);
    }
    out
}

/// Network text as Wireshark's `format_text` shows it, safe for a terminal.
fn show(b: &[u8]) -> String {
    crate::text::escape(b)
}

/// The first `n` ASCII-whitespace-separated token of `b` and the rest after one space.
fn split_token(b: &[u8]) -> (&[u8], &[u8]) {
    match b.iter().position(|&c| c == b' ') {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &[]),
    }
}

#[cfg(test)]
mod tests;

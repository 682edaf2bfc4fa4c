//! SMTP, as packet-smtp.c shows it in one pass: `C: MAIL FROM:<a@b> | RCPT TO:<c@d>` for the
//! lines of a request segment, `S: 250-mx | PIPELINING | HELP` for replies (a line after a
//! `250-` continuation shows only its text), `C: DATA fragment, 81 bytes` while a mail is
//! sent, `C: .` at its end, where the mail collected from the fragments is shown as IMF
//! (`SMTP/IMF`). The session state follows Wireshark's: the end of the mail is `.` after a
//! CRLF (the previous segment, in either direction, ended with one) or `\r\n.\r\n` at a line
//! start; after a first mail, a line that is no command is more mail; AUTH LOGIN's lines
//! show as `User: …`/`Pass: …`; after STARTTLS and its 220 the stream is TLS.

use super::super::{Cx, Dissector, FieldVal, Outcome};
use super::{MAX_MAIL, State, imf, is_request, lines, show};

const TITLE: &str = "Simple Mail Transfer Protocol";

/// Where the session is (`smtp_state` and `auth_state` of packet-smtp.c).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Phase {
    #[default]
    Commands,
    Data,
    AwaitingStartTls,
    /// After STARTTLS was accepted: not SMTP any more.
    Tls,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Auth {
    #[default]
    None,
    Start,
    UsernameReq,
    UsernameRsp,
    PasswordReq,
    PasswordRsp,
    PlainStartReq,
    PlainReq,
    PlainRsp,
    PlainCredReq,
    Done,
}

/// SMTP's per-stream state.
#[derive(Debug, Clone, Default)]
pub(super) struct Session {
    phase: Phase,
    auth: Auth,
    crlf_seen: bool,
    data_seen: bool,
    /// Mail fragments were collected since the last end of mail.
    fragments: bool,
}

/// The commands `line_is_smtp_command` knows.
const COMMANDS: &[&str] = &[
    "ATRN",
    "AUTH",
    "BDAT",
    "DATA",
    "EHLO",
    "ETRN",
    "EXPN",
    "HELO",
    "HELP",
    "MAIL",
    "NOOP",
    "QUIT",
    "RCPT",
    "RSET",
    "SAML",
    "SEND",
    "SOML",
    "STARTTLS",
    "TURN",
    "VRFY",
    "XCLIENT",
    "XEXCH50",
    "XFORWARD",
    "X-EXPS",
    "XEXPS",
    "X-LINK2STATE",
];

/// The meaning of reply code `c`, as Wireshark words it.
fn reply_text(c: u16) -> &'static str {
    match c {
        211 => "System status, or system help reply",
        214 => "Help message",
        220 => "<domain> Service ready",
        221 => "<domain> Service closing transmission channel",
        235 => "Authentication successful",
        250 => "Requested mail action okay, completed",
        251 => "User not local; will forward to <forward-path>",
        252 => "Cannot VRFY user, but will accept message and attempt delivery",
        334 => "AUTH input",
        354 => "Start mail input; end with <CRLF>.<CRLF>",
        421 => "<domain> Service not available, closing transmission channel",
        450 => "Requested mail action not taken: mailbox unavailable",
        451 => "Requested action aborted: local error in processing",
        452 => "Requested action not taken: insufficient system storage",
        500 => "Syntax error, command unrecognized",
        501 => "Syntax error in parameters or arguments",
        502 => "Command not implemented",
        503 => "Bad sequence of commands",
        504 => "Command parameter not implemented",
        530 => "Authentication required",
        535 => "Authentication credentials invalid",
        550 => "Requested action not taken: mailbox unavailable",
        551 => "User not local; please try <forward-path>",
        552 => "Requested mail action aborted: exceeded storage allocation",
        553 => "Requested action not taken: mailbox name not allowed",
        554 => "Transaction failed",
        _ => "Unknown",
    }
}

/// A reply line's code, when it starts with three digits.
pub(super) fn code_of(line: &[u8]) -> Option<u16> {
    let d = line.get(..3)?;
    if d.iter().all(u8::is_ascii_digit) {
        Some(d.iter().fold(0u16, |n, &c| n * 10 + u16::from(c - b'0')))
    } else {
        None
    }
}

/// What a request segment is (`pdu_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pdu {
    Command,
    Message,
    /// The end of the mail, at this offset.
    End(usize),
}

/// How a request line is shown (the frame it was met in, in packet-smtp.c's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Plain,
    Username,
    Password,
    UserPass,
    /// `AUTH LOGIN <user>`.
    LoginWithUser,
    /// `AUTH PLAIN <credentials>`.
    PlainWithCreds,
}

fn starts_with_ci(line: &[u8], word: &str) -> bool {
    line.len() >= word.len() && line[..word.len()].eq_ignore_ascii_case(word.as_bytes())
}

pub(super) fn dissect(state: &mut State, cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    let req = is_request(cx);
    let stream = cx.stream;
    if state.conv(stream).smtp.phase == Phase::Tls {
        return Outcome::Rejected;
    }
    let all = lines(data);
    if all.first().is_some_and(|l| !l.complete) {
        return Outcome::More { offset: 0 };
    }
    let s = &mut state.conv(stream).smtp;
    let mut pdu = Pdu::Command;
    let mut kinds = Vec::new();
    for l in &all {
        let rest = &data[l.start..];
        let mut eom = false;
        if s.phase == Phase::Data {
            eom = (s.crlf_seen && rest.starts_with(b".\r\n")) || rest.starts_with(b"\r\n.\r\n");
            s.crlf_seen = data.ends_with(b"\r\n");
        }
        if !req {
            continue;
        }
        if s.phase == Phase::Data {
            if eom {
                pdu = Pdu::End(l.start);
                s.phase = Phase::Commands;
                break;
            }
            pdu = Pdu::Message;
            continue;
        }
        let line = &data[l.start..l.end];
        let token = line.split(|&b| b == b' ').next().unwrap_or(&[]);
        let is_command = COMMANDS
            .iter()
            .any(|c| token.eq_ignore_ascii_case(c.as_bytes()));
        let mut kind = LineKind::Plain;
        if is_command {
            pdu = Pdu::Command;
            if starts_with_ci(line, "DATA") {
                s.phase = Phase::Data;
                s.data_seen = true;
            } else if starts_with_ci(line, "AUTH LOGIN") {
                if line.len() <= 11 {
                    s.auth = Auth::Start;
                } else {
                    s.auth = Auth::UsernameRsp;
                    kind = LineKind::LoginWithUser;
                }
            } else if starts_with_ci(line, "AUTH PLAIN") {
                if line.len() <= 11 {
                    s.auth = Auth::PlainStartReq;
                } else {
                    s.auth = Auth::PlainCredReq;
                    kind = LineKind::PlainWithCreds;
                }
            } else if starts_with_ci(line, "STARTTLS") {
                s.phase = Phase::AwaitingStartTls;
            }
        } else if s.auth == Auth::UsernameReq {
            s.auth = Auth::UsernameRsp;
            kind = LineKind::Username;
        } else if s.auth == Auth::PasswordReq {
            s.auth = Auth::PasswordRsp;
            kind = LineKind::Password;
        } else if s.auth == Auth::PlainReq {
            s.auth = Auth::PlainRsp;
            kind = LineKind::UserPass;
        } else {
            pdu = if s.data_seen {
                Pdu::Message
            } else {
                Pdu::Command
            };
        }
        kinds.push(kind);
    }
    cx.cols.protocol = "SMTP";
    cx.cols.clear_info();
    cx.begin(Dissector::Smtp, 0, || TITLE.to_string());
    if !req {
        response(state, cx, data);
        return Outcome::Done;
    }
    match pdu {
        Pdu::Message => {
            let n = data.len();
            cx.cols.set_info(&format!(
                "C: DATA fragment, {n} byte{}",
                if n == 1 { "" } else { "s" }
            ));
            cx.line(0, Some(0..n), "DATA fragment", || format!("{n} bytes"));
            add_mail(state, cx.stream, data);
        }
        Pdu::End(at) => {
            cx.cols.set_info("C: .");
            let l = super::line_at(data, at);
            cx.line(0, Some(at..l.end), "C: .", String::new);
            add_mail(state, cx.stream, &data[..at]);
            let conv = state.conv(cx.stream);
            let mail = std::mem::take(&mut conv.mail);
            if std::mem::take(&mut conv.smtp.fragments) {
                imf::dissect(cx, &mail, "SMTP/IMF", None);
            }
        }
        Pdu::Command => command_lines(cx, data, &kinds),
    }
    Outcome::Done
}

fn add_mail(state: &mut State, stream: Option<u32>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let conv = state.conv(stream);
    conv.smtp.fragments = true;
    if conv.mail.len() + bytes.len() <= MAX_MAIL {
        conv.mail.extend_from_slice(bytes);
    }
}

fn command_lines(cx: &mut Cx<'_>, data: &[u8], kinds: &[LineKind]) {
    let mut info = String::new();
    for (i, l) in lines(data).iter().enumerate() {
        info.push_str(if i == 0 { "C: " } else { " | " });
        cx.field("smtp.req", || FieldVal::Bool(true));
        let line = &data[l.start..l.end];
        match kinds.get(i).copied().unwrap_or(LineKind::Plain) {
            LineKind::Username => {
                cx.field("smtp.auth.username", || FieldVal::Str(show(line)));
                cx.line(0, Some(l.start..l.end), "Username", || show(line));
                info.push_str(&format!("User: {}", show(line)));
                continue;
            }
            LineKind::Password => {
                cx.field("smtp.auth.password", || FieldVal::Str(show(line)));
                cx.line(0, Some(l.start..l.end), "Password", || show(line));
                info.push_str(&format!("Pass: {}", show(line)));
                continue;
            }
            LineKind::UserPass => {
                cx.line(0, Some(l.start..l.end), "Username/Password", || show(line));
                info.push_str(&show(line));
                continue;
            }
            kind => {
                let whole = show(&data[l.start..l.next]);
                let cmd = &line[..line.len().min(4)];
                cx.field("smtp.command_line", || FieldVal::Str(whole.clone()));
                cx.line(0, Some(l.start..l.next), "Command Line", || whole);
                cx.field("smtp.req.command", || FieldVal::Str(show(cmd)));
                cx.line(1, Some(l.start..l.start + cmd.len()), "Command", || {
                    show(cmd)
                });
                if let Some(param) = line.get(5..).filter(|p| !p.is_empty()) {
                    cx.field("smtp.req.parameter", || FieldVal::Str(show(param)));
                    cx.line(1, Some(l.start + 5..l.end), "Request parameter", || {
                        show(param)
                    });
                }
                match kind {
                    LineKind::LoginWithUser if line.len() >= 11 => {
                        let user = &line[11..];
                        cx.field("smtp.auth.username", || FieldVal::Str(show(user)));
                        info.push_str(&show(&line[..11]));
                        info.push_str(&format!("User: {}", show(user)));
                    }
                    _ => info.push_str(&show(line)),
                }
            }
        }
    }
    cx.cols.set_info(&info);
}

fn response(state: &mut State, cx: &mut Cx<'_>, data: &[u8]) {
    let stream = cx.stream;
    cx.field("smtp.rsp", || FieldVal::Bool(true));
    let mut info = String::new();
    let mut after_continuation = false;
    for l in lines(data) {
        let line = &data[l.start..l.end];
        let whole = show(&data[l.start..l.next]);
        let code = code_of(line);
        let param = line.get(4..).unwrap_or(&[]);
        if line.len() < 3 {
            // Too short for a reply: packet-smtp.c shows only the separator.
            info.push_str(if info.is_empty() { "S: " } else { " | " });
            continue;
        }
        if info.is_empty() {
            info.push_str("S: ");
            info.push_str(&show(line));
        } else if after_continuation {
            info.push_str(" | ");
            info.push_str(&show(param));
        } else {
            info.push_str(" | ");
            info.push_str(&show(line));
        }
        let continued = after_continuation;
        after_continuation = line.get(3) == Some(&b'-');
        if !continued {
            cx.field("smtp.response", || FieldVal::Str(whole.clone()));
        }
        cx.line(
            u8::from(continued),
            Some(l.start..l.next),
            "Response",
            || whole,
        );
        if let Some(c) = code {
            let s = &mut state.conv(stream).smtp;
            if s.phase == Phase::AwaitingStartTls {
                s.phase = if c == 220 {
                    Phase::Tls
                } else {
                    Phase::Commands
                };
            }
            if c == 334 {
                s.auth = match s.auth {
                    Auth::Start => Auth::UsernameReq,
                    Auth::UsernameRsp => Auth::PasswordReq,
                    Auth::PlainReq => Auth::PlainRsp,
                    Auth::PlainStartReq => Auth::PlainReq,
                    a => a,
                };
            } else if matches!(
                s.auth,
                Auth::PasswordRsp | Auth::PlainRsp | Auth::PlainCredReq
            ) {
                s.auth = Auth::Done;
            }
            if !continued {
                cx.field("smtp.response.code", || FieldVal::Uint(u64::from(c)));
                cx.line(1, Some(l.start..l.start + 3), "Response code", || {
                    format!("{} ({c})", reply_text(c))
                });
            }
        }
        if !param.is_empty() {
            cx.field("smtp.rsp.parameter", || FieldVal::Str(show(param)));
            cx.line(1, Some(l.start + 4..l.end), "Response parameter", || {
                show(param)
            });
        }
    }
    cx.cols.set_info(&info);
}

//! FTP and FTP-DATA, as packet-ftp.c shows them: `Request: USER anonymous`, `Response: 220 …`
//! (the first line of a segment; segments are not joined), and the data channels that PASV,
//! EPSV and PORT/EPRT announce: `FTP Data: 132 bytes (PASV) (LIST)`, the command being the
//! control connection's latest request.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::super::{Cx, Dissector, FieldVal, Outcome};
use super::smtp::code_of;
use super::{MAX_STREAMS, State, is_request, line_at, show, split_token};

/// The meaning of reply code `c` (a few; Wireshark knows them all).
fn reply_text(c: u16) -> &'static str {
    match c {
        150 => "File status okay; about to open data connection",
        200 => "Command okay",
        215 => "NAME system type",
        220 => "Service ready for new user",
        221 => "Service closing control connection",
        226 => "Closing data connection",
        227 => "Entering Passive Mode",
        229 => "Entering Extended Passive Mode",
        230 => "User logged in, proceed",
        250 => "Requested file action okay, completed",
        257 => "PATHNAME created",
        331 => "User name okay, need password",
        425 => "Can't open data connection",
        500 => "Syntax error, command unrecognized",
        530 => "Not logged in",
        550 => "Requested action not taken: File unavailable",
        _ => "Unknown",
    }
}

/// The numbers of `h1,h2,h3,h4,p1,p2` in `text`: the address of a PASV reply or PORT.
fn six_numbers(text: &[u8]) -> Option<SocketAddr> {
    let s = String::from_utf8_lossy(text);
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let n: Vec<u8> = s[start..]
        .split(|c: char| !c.is_ascii_digit())
        .take(6)
        .map(|x| x.parse::<u8>().ok())
        .collect::<Option<Vec<_>>>()?;
    if n.len() != 6 {
        return None;
    }
    let ip = Ipv4Addr::new(n[0], n[1], n[2], n[3]);
    Some(SocketAddr::new(
        IpAddr::V4(ip),
        u16::from(n[4]) << 8 | u16::from(n[5]),
    ))
}

/// The port of an EPSV reply `(|||50124|)`.
fn epsv_port(text: &[u8]) -> Option<u16> {
    let s = String::from_utf8_lossy(text);
    let i = s.find("|||")?;
    s[i + 3..].split('|').next()?.parse().ok()
}

fn announce(state: &mut State, cx: &mut Cx<'_>, addr: SocketAddr, method: &'static str) {
    let stream = cx.stream.unwrap_or(u32::MAX);
    if state.data_channels.len() >= MAX_STREAMS {
        state.data_channels.clear();
    }
    state.data_channels.insert(addr, (method, stream));
    cx.expect(addr, Dissector::FtpData);
}

pub(super) fn dissect(state: &mut State, cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    let req = is_request(cx);
    let l = line_at(data, 0);
    let line = &data[..l.end];
    cx.cols.protocol = "FTP";
    cx.begin(Dissector::Ftp, 0, || {
        "File Transfer Protocol (FTP)".to_string()
    });
    let (label, first) = if req {
        ("Request", true)
    } else {
        ("Response", false)
    };
    cx.cols.set_info(&format!("{label}: {}", show(line)));
    cx.field("ftp.request", || FieldVal::Bool(req));
    cx.field("ftp.response", || FieldVal::Bool(!req));
    let whole = show(&data[..l.next]);
    cx.line(0, Some(0..l.next), &whole, String::new);
    if first {
        let (cmd, arg) = split_token(line);
        cx.field("ftp.request.command", || FieldVal::Str(show(cmd)));
        cx.line(1, Some(0..cmd.len()), "Request command", || show(cmd));
        if !arg.is_empty() {
            cx.field("ftp.request.arg", || FieldVal::Str(show(arg)));
            cx.line(1, Some(l.end - arg.len()..l.end), "Request arg", || {
                show(arg)
            });
        }
        let stream = cx.stream;
        state.conv(stream).last_command = show(line);
        if cmd.eq_ignore_ascii_case(b"PORT")
            && let Some(a) = six_numbers(arg)
        {
            announce(state, cx, a, "PORT");
        } else if cmd.eq_ignore_ascii_case(b"EPRT") {
            let parts: Vec<&[u8]> = arg.split(|&b| b == b'|').collect();
            if let (Some(ip), Some(port)) = (parts.get(2), parts.get(3)) {
                let ip = String::from_utf8_lossy(ip).parse::<IpAddr>().ok();
                let port = String::from_utf8_lossy(port).parse::<u16>().ok();
                if let (Some(ip), Some(port)) = (ip, port) {
                    announce(state, cx, SocketAddr::new(ip, port), "EPRT");
                }
            }
        }
    } else {
        let code = code_of(line);
        if let Some(c) = code {
            cx.field("ftp.response.code", || FieldVal::Uint(u64::from(c)));
            cx.line(1, Some(0..3), "Response code", || {
                format!("{} ({c})", reply_text(c))
            });
            let arg = line.get(4..).unwrap_or(&[]);
            if !arg.is_empty() {
                cx.field("ftp.response.arg", || FieldVal::Str(show(arg)));
                cx.line(1, Some(4..l.end), "Response arg", || show(arg));
            }
            let server = cx.ends.src.ip();
            if c == 227
                && let Some(a) = six_numbers(arg)
            {
                announce(state, cx, a, "PASV");
            } else if c == 229
                && let Some(p) = epsv_port(arg)
            {
                announce(state, cx, SocketAddr::new(server, p), "EPASV");
            }
        }
    }
    Outcome::Done
}

/// A segment of an FTP data channel.
pub(super) fn dissect_data(state: &mut State, cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    cx.cols.protocol = "FTP-DATA";
    let n = data.len();
    let mut info = format!("FTP Data: {n} bytes");
    let setup = state
        .data_channels
        .get(&cx.ends.dst)
        .or_else(|| state.data_channels.get(&cx.ends.src))
        .copied();
    let mut shown = None;
    if let Some((method, ctrl)) = setup {
        let command = state
            .convs
            .get(&ctrl)
            .map(|c| c.last_command.clone())
            .unwrap_or_default();
        info.push_str(&format!(" ({method}) ({command})"));
        shown = Some((method, command));
    }
    cx.cols.set_info(&info);
    cx.begin(Dissector::FtpData, 0, || "FTP Data".to_string());
    if let Some((method, command)) = shown {
        cx.field("ftp-data.setup-method", || {
            FieldVal::Str(method.to_string())
        });
        cx.field("ftp-data.command", || FieldVal::Str(command.clone()));
        cx.line(0, None, "[Setup method", || format!("{method}]"));
        cx.line(0, None, "[Command", || format!("{command}]"));
    }
    cx.line(0, Some(0..n), "Data", || format!("{n} bytes"));
    Outcome::Done
}

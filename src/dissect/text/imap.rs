//! IMAP, as packet-imap.c shows it: Info `Request: a001 LOGIN …` / `Response: a001 OK …` for
//! the last line of a segment; every line as `imap.line`, a tagged line split into tag,
//! command (or status and command) and LOGIN's user and password; a literal (`{93}`) holding
//! a mail shown as IMF (`IMAP/IMF`), after which Info stays the mail's.

use super::super::{Cx, Dissector, FieldVal, Outcome};
use super::{imf, is_request, show};

/// The size of a literal announced at the end of `line` (`… {93}`).
fn literal(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    std::str::from_utf8(&body[open + 1..]).ok()?.parse().ok()
}

/// The space-separated tokens of a line, a token quoted at both ends without its quotes.
fn tokens(line: &[u8]) -> Vec<&[u8]> {
    line.split(|&b| b == b' ')
        .filter(|t| !t.is_empty())
        .map(|t| {
            if t.len() >= 2 && t.starts_with(b"\"") && t.ends_with(b"\"") {
                &t[1..t.len() - 1]
            } else {
                t
            }
        })
        .collect()
}

pub(super) fn dissect(cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    let req = is_request(cx);
    let label = if req { "Request" } else { "Response" };
    let mut at = 0;
    let mut begun = false;
    let mut mail_shown = false;
    while at < data.len() {
        let l = super::line_at(data, at);
        if !l.complete {
            return Outcome::More { offset: at };
        }
        let line = &data[l.start..l.end];
        let lit = literal(line);
        if let Some(n) = lit
            && data.len() < l.next.saturating_add(n)
        {
            return Outcome::More { offset: at };
        }
        if !begun {
            cx.cols.protocol = "IMAP";
            cx.begin(Dissector::Imap, 0, || {
                "Internet Message Access Protocol".to_string()
            });
            cx.field("imap.isrequest", || FieldVal::Bool(req));
            begun = true;
        }
        if !mail_shown {
            cx.cols.set_info(&format!("{label}: {}", show(line)));
        }
        one_line(cx, data, l, req);
        at = l.next;
        if let Some(n) = lit {
            let mail = &data[at..at + n];
            if !req && !mail_shown {
                imf::dissect(cx, mail, "IMAP/IMF", Some(at));
                mail_shown = true;
            }
            at += n;
        }
    }
    if begun {
        Outcome::Done
    } else {
        Outcome::Rejected
    }
}

/// The fields and tree of one line.
fn one_line(cx: &mut Cx<'_>, data: &[u8], l: super::Line, req: bool) {
    let line = &data[l.start..l.end];
    let whole = show(&data[l.start..l.next]);
    cx.field("imap.line", || FieldVal::Str(whole.clone()));
    cx.line(0, Some(l.start..l.next), "Line", || whole);
    let t = tokens(line);
    let Some(tag) = t.first().copied() else {
        return;
    };
    if !req && tag == b"*" {
        return;
    }
    let str_field = |cx: &mut Cx<'_>, name: &'static str, label: &str, v: &[u8]| {
        cx.field(name, || FieldVal::Str(show(v)));
        cx.line(1, None, label, || show(v));
    };
    if req {
        str_field(cx, "imap.request", "Request", line);
        str_field(cx, "imap.request_tag", "Request Tag", tag);
        str_field(cx, "imap.tag", "Tag", tag);
        let Some(cmd) = t.get(1).copied() else { return };
        str_field(cx, "imap.request.command", "Request Command", cmd);
        str_field(cx, "imap.command", "Command", cmd);
        if cmd.eq_ignore_ascii_case(b"LOGIN") {
            if let Some(u) = t.get(2) {
                str_field(cx, "imap.request.username", "Request Username", u);
            }
            if let Some(p) = t.get(3) {
                str_field(cx, "imap.request.password", "Request Password", p);
            }
        } else if (cmd.eq_ignore_ascii_case(b"SELECT") || cmd.eq_ignore_ascii_case(b"EXAMINE"))
            && let Some(f) = t.get(2)
        {
            str_field(cx, "imap.request.folder", "Request Folder", f);
        }
    } else {
        str_field(cx, "imap.response", "Response", line);
        str_field(cx, "imap.response_tag", "Response Tag", tag);
        str_field(cx, "imap.tag", "Tag", tag);
        if let Some(status) = t.get(1) {
            str_field(cx, "imap.response.status", "Response Status", status);
        }
        if let Some(cmd) = t.get(2) {
            str_field(cx, "imap.response.command", "Response Command", cmd);
            str_field(cx, "imap.command", "Command", cmd);
        }
    }
}

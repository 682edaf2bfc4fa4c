//! POP, as packet-pop.c shows it: `C: USER x`, `S: +OK …` (the first line of a segment), and
//! the lines of a multi-line reply collected up to the final `.` and shown as IMF (`POP/IMF`),
//! the `.` line included; before that, `S: DATA fragment, N bytes`.

use super::super::{Cx, Dissector, FieldVal, Outcome};
use super::{MAX_MAIL, State, imf, is_request, line_at, show, split_token};

const TITLE: &str = "Post Office Protocol";

pub(super) fn dissect(state: &mut State, cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    let req = is_request(cx);
    cx.cols.protocol = "POP";
    let conv = state.conv(cx.stream);
    let status = data.starts_with(b"+OK") || data.starts_with(b"-ERR");
    if !req && (!status || !conv.mail.is_empty()) {
        if conv.mail.len() + data.len() <= MAX_MAIL {
            conv.mail.extend_from_slice(data);
        }
        cx.begin(Dissector::Pop, 0, || TITLE.to_string());
        if conv.mail.ends_with(b"\r\n.\r\n") || conv.mail == b".\r\n" {
            let mail = std::mem::take(&mut conv.mail);
            imf::dissect(cx, &mail, "POP/IMF", None);
        } else {
            let n = data.len();
            cx.cols.set_info(&format!("S: DATA fragment, {n} bytes"));
            cx.line(0, Some(0..n), "DATA fragment", || format!("{n} bytes"));
        }
        return Outcome::Done;
    }
    let l = line_at(data, 0);
    let line = &data[..l.end];
    cx.cols
        .set_info(&format!("{}: {}", if req { "C" } else { "S" }, show(line)));
    cx.begin(Dissector::Pop, 0, || TITLE.to_string());
    let (first, rest) = split_token(line);
    let whole = show(&data[..l.next]);
    cx.line(0, Some(0..l.next), &whole, String::new);
    if req {
        cx.field("pop.request.command", || FieldVal::Str(show(first)));
        cx.line(1, Some(0..first.len()), "Request command", || show(first));
        if !rest.is_empty() {
            cx.field("pop.request.parameter", || FieldVal::Str(show(rest)));
            cx.line(
                1,
                Some(l.end - rest.len()..l.end),
                "Request parameter",
                || show(rest),
            );
        }
    } else {
        cx.field("pop.response.indicator", || FieldVal::Str(show(first)));
        cx.line(1, Some(0..first.len()), "Response indicator", || {
            show(first)
        });
        if !rest.is_empty() {
            cx.field("pop.response.description", || FieldVal::Str(show(rest)));
            cx.line(
                1,
                Some(l.end - rest.len()..l.end),
                "Response description",
                || show(rest),
            );
        }
    }
    Outcome::Done
}

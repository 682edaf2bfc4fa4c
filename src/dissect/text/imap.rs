//! IMAP, as packet-imap.c shows it: `Request: a001 LOGIN …` / `Response: a001 OK …` for the
//! last line of a segment, and a literal (`{93}`) holding a mail shown as IMF (`IMAP/IMF`).

use super::super::{Cx, Dissector, FieldVal, Outcome};
use super::{imf, is_request, lines, show};

/// The size of a literal announced at the end of `line` (`… {93}`).
fn literal(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    std::str::from_utf8(&body[open + 1..]).ok()?.parse().ok()
}

pub(super) fn dissect(cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    let req = is_request(cx);
    let label = if req { "Request" } else { "Response" };
    let field = if req { "imap.request" } else { "imap.response" };
    let mut at = 0;
    let mut begun = false;
    let mut mail_shown = false;
    while at < data.len() {
        let l = super::line_at(data, at);
        if !l.complete {
            if !begun {
                return Outcome::More { offset: at };
            }
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
            begun = true;
        }
        if !mail_shown {
            cx.cols.set_info(&format!("{label}: {}", show(line)));
        }
        cx.field(field, || FieldVal::Str(show(line)));
        cx.line(0, Some(l.start..l.next), label, || show(line));
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
    let _ = lines;
    if begun {
        Outcome::Done
    } else {
        Outcome::Rejected
    }
}

//! The Internet Message Format (a mail carried by SMTP, POP or IMAP), as packet-imf.c shows
//! it: Info `from: …, subject: …, ` then every body line (its end of line shown as spaces)
//! after `, `.

use super::super::{Cx, Dissector, FieldVal};
use super::show;

/// Headers with a field of their own, and whether Info shows them.
fn header(name: &str) -> Option<(&'static str, bool)> {
    Some(match name {
        "from" => ("imf.from", true),
        "to" => ("imf.to", false),
        "cc" => ("imf.cc", false),
        "subject" => ("imf.subject", true),
        "date" => ("imf.date", false),
        "message-id" => ("imf.message_id", false),
        "content-type" => ("imf.content.type", false),
        _ => return None,
    })
}

/// Wireshark's `imf_find_field_end`: the end of a header (after its CRLF, continuation lines
/// included) and whether a blank line follows; `None` without a CRLF.
fn field_end(m: &[u8], mut off: usize) -> Option<(usize, bool)> {
    while off < m.len() {
        let cr = off + m[off..].iter().position(|&b| b == b'\r')?;
        off = cr + 1;
        if m.get(off) != Some(&b'\n') {
            continue;
        }
        off += 1;
        match m.get(off) {
            None => return Some((off - 2, true)),
            Some(b'\r') => return Some((off, m.get(off + 1) == Some(&b'\n'))),
            Some(b' ' | b'\t') => {}
            Some(_) => return Some((off, false)),
        }
    }
    None
}

/// Shows mail `m` as an IMF layer; `protocol` is the Protocol column (`SMTP/IMF`); `base` is
/// where `m` starts in the dissector's data, `None` when it was collected from several
/// segments (the tree then has no byte ranges).
pub(super) fn dissect(cx: &mut Cx<'_>, m: &[u8], protocol: &'static str, base: Option<usize>) {
    cx.cols.protocol = protocol;
    cx.cols.clear_info();
    cx.begin(Dissector::Imf, base.unwrap_or(0), || {
        "Internet Message Format".to_string()
    });
    let at = |r: std::ops::Range<usize>| base.map(|_| r);
    let mut start = 0usize;
    let mut end: Option<usize> = Some(0);
    let mut last = false;
    while !last {
        let Some(colon) = m[start.min(m.len())..].iter().position(|&b| b == b':') else {
            end = None;
            break;
        };
        let colon = start + colon;
        let key = String::from_utf8_lossy(&m[start..colon]).to_ascii_lowercase();
        let vstart = colon + 1;
        let Some((fend, is_last)) = field_end(m, vstart) else {
            end = None;
            break;
        };
        last = is_last;
        let mut value = vstart;
        while value < fend && m[value].is_ascii_whitespace() {
            value += 1;
        }
        if value == fend {
            value = vstart;
        }
        // A value shorter than its CRLF: Wireshark's item runs to the end, its Info is empty.
        let (text, info_text) = match fend.checked_sub(2).filter(|&e| e >= value) {
            Some(vend) => (show(&m[value..vend]), show(&m[value..vend])),
            None => (show(&m[value..]), String::new()),
        };
        let label = String::from_utf8_lossy(&m[start..colon]).to_string();
        if let Some((field, in_info)) = header(&key) {
            cx.field(field, || FieldVal::Str(text.clone()));
            if in_info {
                cx.cols.push_info(&format!("{key}: {info_text}, "));
            }
        }
        cx.line(0, at(start..fend), &show(label.as_bytes()), || text);
        start = fend;
        end = Some(fend);
    }
    let mut body = end.unwrap_or(0);
    if last {
        body += 2;
    }
    if body < m.len() {
        cx.line(0, at(body..m.len()), "Message-Text", String::new);
    }
    let range = at;
    let mut pos = body;
    while pos < m.len() {
        let l = super::line_at(m, pos);
        let spaced: Vec<u8> = m[pos..l.next]
            .iter()
            .map(|&b| {
                if matches!(b, b'\r' | b'\n' | b'\t') {
                    b' '
                } else {
                    b
                }
            })
            .collect();
        let text = show(&spaced);
        cx.cols.append_sep(", ", &text);
        cx.line(1, range(pos..l.next), &text, String::new);
        pos = l.next;
    }
}

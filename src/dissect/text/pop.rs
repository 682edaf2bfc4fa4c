//! POP, as packet-pop.c shows it: `C: USER x`, `S: +OK …` (the first line of a segment). A
//! server segment that starts with neither `+OK` nor `-ERR` is `S: DATA fragment, N bytes`,
//! collected until the size a `+OK <n> octets` reply to RETR or TOP announced is reached
//! (at once when none was); the collected bytes (the final `.` line included) are then shown
//! as IMF (`POP/IMF`).

use super::super::{Cx, Dissector, FieldVal, Outcome};
use super::{MAX_MAIL, State, imf, is_request, line_at, show};

const TITLE: &str = "Post Office Protocol";

/// C's `atoi`: the leading decimal digits (after blanks), 0 without any.
fn atoi(b: &[u8]) -> usize {
    b.iter()
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(|c| c.is_ascii_digit())
        .fold(0usize, |n, &c| {
            n.saturating_mul(10).saturating_add(usize::from(c - b'0'))
        })
}

pub(super) fn dissect(state: &mut State, cx: &mut Cx<'_>, data: &[u8]) -> Outcome {
    let req = is_request(cx);
    cx.cols.protocol = "POP";
    let l = line_at(data, 0);
    let line = &data[..l.end];
    let continuation = !req && !line.starts_with(b"+OK") && !line.starts_with(b"-ERR");
    cx.begin(Dissector::Pop, 0, || TITLE.to_string());
    let conv = state.conv(cx.stream);
    if continuation {
        let n = data.len();
        cx.cols.set_info(&format!(
            "S: DATA fragment, {n} byte{}",
            if n == 1 { "" } else { "s" }
        ));
        cx.line(0, Some(0..n), "DATA fragment", || format!("{n} bytes"));
        conv.pop_read = conv.pop_read.saturating_add(n);
        if conv.mail.len() + n <= MAX_MAIL {
            conv.mail.extend_from_slice(data);
        }
        if conv.pop_read >= conv.pop_total {
            let mail = std::mem::take(&mut conv.mail);
            conv.pop_read = 0;
            conv.pop_total = 0;
            imf::dissect(cx, &mail, "POP/IMF", None);
        }
        return Outcome::Done;
    }
    cx.cols
        .set_info(&format!("{}: {}", if req { "C" } else { "S" }, show(line)));
    let token_end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let first = &line[..token_end];
    let rest_at = token_end + line[token_end..].iter().take_while(|&&b| b == b' ').count();
    let rest = &line[rest_at..];
    if req {
        if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"RETR")
            || line.len() >= 3 && line[..3].eq_ignore_ascii_case(b"TOP")
        {
            conv.pop_asked = true;
        }
    } else if conv.pop_asked {
        if line.starts_with(b"+OK ") {
            conv.pop_read = 0;
            conv.pop_total = atoi(&line[4..]);
        }
        conv.pop_asked = false;
    }
    let whole = show(&data[..l.next]);
    cx.line(
        0,
        Some(0..l.next),
        if req { "Request" } else { "Response" },
        || whole,
    );
    let (cmd, param) = if req {
        (
            ("pop.request.command", "Request command"),
            ("pop.request.parameter", "Request parameter"),
        )
    } else {
        (
            ("pop.response.indicator", "Response indicator"),
            ("pop.response.description", "Response description"),
        )
    };
    if !first.is_empty() {
        cx.field(cmd.0, || FieldVal::Str(show(first)));
        cx.line(1, Some(0..first.len()), cmd.1, || show(first));
    }
    if !rest.is_empty() {
        cx.field(param.0, || FieldVal::Str(show(rest)));
        cx.line(1, Some(rest_at..l.end), param.1, || show(rest));
    }
    Outcome::Done
}

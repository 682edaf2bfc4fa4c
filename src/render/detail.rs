//! The packet-details view: one block per frame, every layer and field with its bytes.

use std::io::{self, Write};
use std::time::Duration;

use super::style::{Color, Style};
use crate::analyse::Packet;
use crate::decode::detail::{Field, Layer};

/// UTC date and time of a timestamp, `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`.
pub fn utc_string(ts: Duration) -> String {
    let secs = ts.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm), proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:09} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        ts.subsec_nanos()
    )
}

/// A field's or layer's byte range as the details view prints it: `[bytes 14-33]`,
/// `[byte 23]`, `[R bytes 0-7]` in a reassembled datagram; empty for an empty range.
pub fn range_text(l: &Layer, r: &std::ops::Range<usize>) -> String {
    let mark = if l.reassembled { "R " } else { "" };
    if r.is_empty() {
        String::new()
    } else if r.len() == 1 {
        format!("[{mark}byte {}]", r.start)
    } else {
        format!("[{mark}bytes {}-{}]", r.start, r.end - 1)
    }
}

/// The first block of the details: the frame's title line and its lines (arrival time,
/// time since the first frame, encapsulation, protocol and info), shared by `--detail` and
/// the details pane of `wirelab view`.
pub fn frame_summary(p: &Packet) -> (String, Vec<String>) {
    let title = format!(
        "Frame {}: {} bytes on wire ({} bits), {} bytes captured ({} bits)",
        p.number,
        p.len,
        u64::from(p.len) * 8,
        p.caplen,
        u64::from(p.caplen) * 8,
    );
    let mut lines = vec![
        format!("Arrival Time: {}", utc_string(p.timestamp)),
        format!(
            "Time since first frame: {} seconds",
            super::table::time_string(p.time_rel_ns)
        ),
    ];
    if let Some(lt) = p.link_type {
        lines.push(format!("Encapsulation: {} ({})", lt.name(), lt.0));
    }
    lines.push(format!("Protocol: {}   Info: {}", p.protocol, p.info));
    (title, lines)
}

/// A field as one line of the details: `Name: value`, or the name alone.
/// Nested fields (an application layer's tree) are indented four spaces per level.
pub fn field_text(f: &Field) -> String {
    let indent = "    ".repeat(usize::from(f.depth));
    if f.value.is_empty() {
        format!("{indent}{}", f.name)
    } else {
        format!("{indent}{}: {}", f.name, f.value)
    }
}

/// Writes one frame's details.
pub fn write_detail(
    w: &mut impl Write,
    p: &Packet,
    layers: &[Layer],
    style: Style,
) -> io::Result<()> {
    let (title, lines) = frame_summary(p);
    writeln!(w, "{}{title}{}", style.start(Color::Bold), style.end())?;
    for line in lines {
        writeln!(w, "    {line}")?;
    }
    for l in layers {
        let r = range_text(l, &l.range);
        writeln!(
            w,
            "{}{}{}{}",
            style.start(Color::Cyan),
            l.title,
            style.end(),
            if r.is_empty() {
                String::new()
            } else {
                format!("  {r}")
            }
        )?;
        for f in &l.fields {
            let r = f
                .range
                .as_ref()
                .map(|r| range_text(l, r))
                .unwrap_or_default();
            let line = format!("    {}", field_text(f));
            if r.is_empty() {
                writeln!(w, "{line}")?;
            } else {
                writeln!(
                    w,
                    "{line:<64} {}{r}{}",
                    style.start(Color::Grey),
                    style.end()
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(
            utc_string(Duration::ZERO),
            "1970-01-01 00:00:00.000000000 UTC"
        );
        // 2024-02-29 12:34:56.5, checked with `date -u -d @1709210096`.
        assert_eq!(
            utc_string(Duration::new(1_709_210_096, 500_000_000)),
            "2024-02-29 12:34:56.500000000 UTC"
        );
    }
}

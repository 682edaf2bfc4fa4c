//! The packet-details view: one block per frame, every layer and field with its bytes.

use std::io::{self, Write};
use std::time::Duration;

use super::style::{Color, Style};
use crate::analyse::Packet;
use crate::decode::detail::Layer;

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

fn range_text(l: &Layer, r: &std::ops::Range<usize>) -> String {
    let mark = if l.reassembled { "R " } else { "" };
    if r.is_empty() {
        String::new()
    } else if r.len() == 1 {
        format!("[{mark}byte {}]", r.start)
    } else {
        format!("[{mark}bytes {}-{}]", r.start, r.end - 1)
    }
}

/// Writes one frame's details.
pub fn write_detail(
    w: &mut impl Write,
    p: &Packet,
    layers: &[Layer],
    style: Style,
) -> io::Result<()> {
    writeln!(
        w,
        "{}Frame {}: {} bytes on wire ({} bits), {} bytes captured ({} bits){}",
        style.start(Color::Bold),
        p.number,
        p.len,
        u64::from(p.len) * 8,
        p.caplen,
        u64::from(p.caplen) * 8,
        style.end()
    )?;
    writeln!(w, "    Arrival Time: {}", utc_string(p.timestamp))?;
    writeln!(
        w,
        "    Time since first frame: {} seconds",
        super::table::time_string(p.time_rel_ns)
    )?;
    if let Some(lt) = p.link_type {
        writeln!(w, "    Encapsulation: {} ({})", lt.name(), lt.0)?;
    }
    writeln!(w, "    Protocol: {}   Info: {}", p.protocol, p.info)?;
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
            let line = if f.value.is_empty() {
                format!("    {}", f.name)
            } else {
                format!("    {}: {}", f.name, f.value)
            };
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

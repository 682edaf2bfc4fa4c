//! `--handshakes`: per TCP stream, the handshake and teardown as a table and a ladder
//! diagram between the two socket addresses (like Wireshark's flow graph).

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ColumnConstraint, Table, Width, presets};

use super::style::{Color, Style};
use crate::analyse::handshake::{ExchangeRow, Handshakes, StreamExchange};
use crate::decode::names::tcp_flag_names;

fn flags(r: &ExchangeRow) -> String {
    let mut s = String::new();
    tcp_flag_names(r.flags, &mut s);
    s
}

/// The table of one stream.
pub fn stream_table(s: &StreamExchange) -> Table {
    table_of(s, true)
}

/// Terminal width from which fitted tables keep the raw Seq/Ack columns.
pub const RAW_COLUMNS_FROM: u16 = 130;

/// The table of one stream fitted into `width` columns (the "Why" column wraps first; the
/// raw Seq/Ack columns are kept only from [`RAW_COLUMNS_FROM`] columns).
pub fn stream_table_fitted(s: &StreamExchange, width: u16) -> Table {
    let mut t = table_of(s, width >= RAW_COLUMNS_FROM);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_width(width);
    t
}

/// The table of one stream; without `raw`, the raw Seq and Ack columns are left out (the
/// "why" column still gives the raw numbers), for narrow terminals.
fn table_of(s: &StreamExchange, raw: bool) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    let mut header = vec!["No.", "Dir", "Flags", "Seq"];
    if raw {
        header.push("Seq (raw)");
    }
    header.push("Ack");
    if raw {
        header.push("Ack (raw)");
    }
    header.extend(["Len", "Win", "Why"]);
    let why_col = header.len() - 1;
    t.set_header(header);
    // Wrap the explanations so the table fits a normal terminal whatever the output is.
    if let Some(col) = t.column_mut(why_col) {
        col.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(WHY_WIDTH)));
    }
    for r in &s.rows {
        let ack = r.flags & crate::decode::tcp_flags::ACK != 0;
        let mut row = vec![
            Cell::new(r.frame).set_alignment(CellAlignment::Right),
            Cell::new(if r.from_a { "A→B" } else { "B→A" }),
            Cell::new(flags(r)),
            Cell::new(r.seq).set_alignment(CellAlignment::Right),
        ];
        if raw {
            row.push(Cell::new(r.seq_raw).set_alignment(CellAlignment::Right));
        }
        row.push(
            Cell::new(if ack { r.ack.to_string() } else { "-".into() })
                .set_alignment(CellAlignment::Right),
        );
        if raw {
            row.push(
                Cell::new(if ack {
                    r.ack_raw.to_string()
                } else {
                    "-".into()
                })
                .set_alignment(CellAlignment::Right),
            );
        }
        row.extend([
            Cell::new(r.len).set_alignment(CellAlignment::Right),
            Cell::new(r.win).set_alignment(CellAlignment::Right),
            Cell::new(&r.why),
        ]);
        t.add_row(row);
    }
    t
}

const ARROW: usize = 44;

/// Widest the "Why" column gets before it wraps.
const WHY_WIDTH: u16 = 72;

/// The ladder diagram of one stream.
pub fn write_ladder(w: &mut impl Write, s: &StreamExchange, style: Style) -> io::Result<()> {
    let a = s.a.to_string();
    let b = s.b.to_string();
    writeln!(
        w,
        "{:>6}  {:>9}  {:<w$}{}",
        "No.",
        "Time",
        a,
        b,
        w = ARROW + 2
    )?;
    for r in &s.rows {
        let ack = r.flags & crate::decode::tcp_flags::ACK != 0;
        let mut label = format!("{} Seq={}", flags(r), r.seq);
        if ack {
            label.push_str(&format!(" Ack={}", r.ack));
        }
        if r.len > 0 {
            label.push_str(&format!(" Len={}", r.len));
        }
        let body = ARROW.saturating_sub(2);
        let label = format!(" {label} ");
        let pad = body.saturating_sub(label.chars().count());
        let left = pad / 2;
        let right = pad - left;
        let line = if r.from_a {
            format!("|{}{}{}>|", "-".repeat(left), label, "-".repeat(right))
        } else {
            format!("|<{}{}{}|", "-".repeat(left), label, "-".repeat(right))
        };
        writeln!(
            w,
            "{:>6}  {:>9.6}  {}{}{}",
            r.frame,
            r.time,
            style.start(Color::Cyan),
            line,
            style.end()
        )?;
    }
    if s.other_frames > 0 {
        writeln!(
            w,
            "{:>19}({} other frames of this stream: data and plain ACKs)",
            "", s.other_frames
        )?;
    }
    Ok(())
}

/// Writes every stream's table and ladder.
pub fn write_handshakes(w: &mut impl Write, hs: &Handshakes, style: Style) -> io::Result<()> {
    write_tables(w, hs, style, None, true)
}

/// Which columns a fitted handshake table keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqColumns {
    /// The raw Seq/Ack columns too (the view's pane).
    Raw,
    /// Relative numbers only; the "Why" column gives the raw ones (craft's end-of-session view,
    /// readable at 100 columns).
    RelativeOnly,
}

/// The same, with each table fitted into `width` columns (the "Why" column wraps first).
pub fn write_handshakes_fitted(
    w: &mut impl Write,
    hs: &Handshakes,
    style: Style,
    width: u16,
    columns: SeqColumns,
) -> io::Result<()> {
    write_tables(w, hs, style, Some(width), columns == SeqColumns::Raw)
}

fn write_tables(
    w: &mut impl Write,
    hs: &Handshakes,
    style: Style,
    width: Option<u16>,
    raw: bool,
) -> io::Result<()> {
    if hs.list().is_empty() {
        writeln!(w, "No TCP streams in this capture.")?;
        return Ok(());
    }
    for (i, s) in hs.list().iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        write_stream(w, s, style, width, raw)?;
    }
    Ok(())
}

/// Writes one stream's title, table and ladder (`width`: fit the table into so many
/// columns; `raw`: keep the raw Seq/Ack columns).
pub fn write_stream(
    w: &mut impl Write,
    s: &StreamExchange,
    style: Style,
    width: Option<u16>,
    raw: bool,
) -> io::Result<()> {
    writeln!(
        w,
        "{}TCP stream {}: A = {}  ⇄  B = {}{}",
        style.start(Color::Bold),
        s.stream,
        s.a,
        s.b,
        style.end()
    )?;
    if s.rows.is_empty() {
        writeln!(
            w,
            "  no SYN, FIN or RST captured ({} frames, all mid-stream)",
            s.other_frames
        )?;
        return Ok(());
    }
    let mut table = table_of(s, raw);
    if let Some(width) = width {
        table
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_width(width);
    }
    writeln!(w, "{table}")?;
    write_ladder(w, s, style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::{Analyzer, Packet};
    use crate::render::table::display_width;
    use crate::source::{CaptureReader, SourceEvent};

    fn handshakes(path: &str) -> Handshakes {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut hs = Handshakes::new();
        let mut a = Analyzer::new();
        let mut p = Packet::default();
        for ev in CaptureReader::open(format!("{root}/{path}").as_ref()).unwrap() {
            if let SourceEvent::Frame(f) = ev {
                a.process(&f, &mut p);
                hs.add(&p);
            }
        }
        hs
    }

    #[test]
    fn fitted_tables_fit_80_columns() {
        for path in [
            "captures/tcp-handshake.pcapng",
            "captures/tcp-analysis.pcapng",
        ] {
            let hs = handshakes(path);
            let mut out = Vec::new();
            write_handshakes_fitted(
                &mut out,
                &hs,
                Style::default(),
                80,
                SeqColumns::RelativeOnly,
            )
            .unwrap();
            for s in hs.list() {
                writeln!(out, "{}", stream_table_fitted(s, 80)).unwrap();
            }
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("Why"), "{text}");
            for line in text.lines() {
                assert!(display_width(line) <= 80, "{path}: {line}");
            }
        }
    }
}

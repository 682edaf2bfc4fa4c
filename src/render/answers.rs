//! `wirelab lab answer` as text: each question, its answer wrapped for a terminal, its table
//! and the frames it rests on.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

use crate::lab::answer::Report;

/// Width the answers are wrapped to.
pub const WIDTH: usize = 100;

/// Wraps `text` to `width` columns with `indent`; lines starting with `- ` get a hanging indent;
/// lines starting with four spaces are preformatted (a printed packet): kept as they are.
pub fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        // Answers quote what the capture carried (chat text, payloads): escaped.
        let line = &crate::render::text::escape(line.as_bytes());
        if let Some(pre) = line.strip_prefix("    ") {
            out.push_str(&format!("{indent}{pre}\n"));
            continue;
        }
        let (first, rest) = if line.starts_with("- ") {
            (format!("{indent}- "), format!("{indent}  "))
        } else {
            (indent.to_string(), indent.to_string())
        };
        let body = line.strip_prefix("- ").unwrap_or(line);
        let mut cur = first.clone();
        let mut empty = true;
        for word in body.split(' ').filter(|w| !w.is_empty()) {
            if !empty && cur.chars().count() + 1 + word.chars().count() > width {
                out.push_str(cur.trim_end());
                out.push('\n');
                cur = rest.clone();
                empty = true;
            }
            if !empty {
                cur.push(' ');
            }
            cur.push_str(word);
            empty = false;
        }
        out.push_str(cur.trim_end());
        out.push('\n');
    }
    out
}

/// Writes the report.
pub fn write_report(w: &mut impl Write, r: &Report) -> io::Result<()> {
    writeln!(w, "Lab {} — {}", r.lab, r.title)?;
    writeln!(w)?;
    writeln!(w, "Captures:")?;
    for f in &r.files {
        writeln!(w, "  {}. {} — {}", f.index + 1, f.path, f.summary)?;
        for warn in &f.warnings {
            writeln!(w, "     warning: {warn}")?;
        }
    }
    if let Some(s) = &r.server {
        match s.how.as_str() {
            "given" => writeln!(w, "Server: {} (given)", s.ip)?,
            _ => writeln!(w, "Server: {} — inferred: {}", s.ip, s.reason)?,
        }
    }
    for a in &r.answers {
        writeln!(w)?;
        write!(
            w,
            "{}",
            wrap(&format!("{}  {}", a.id, a.question), "", WIDTH)
        )?;
        write!(w, "{}", wrap(&a.answer, "    ", WIDTH))?;
        if let Some(t) = &a.table {
            let mut table = Table::new();
            table
                .load_style(presets::UTF8_FULL_CONDENSED)
                .set_header(t.columns.clone());
            // A packet list (with an Info column) keeps one frame per line, as Wireshark's;
            // other tables wrap to the width.
            if !t.columns.iter().any(|c| c == "Info") {
                table
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(WIDTH as u16);
            }
            for row in &t.rows {
                table.add_row(
                    row.iter()
                        .map(|c| crate::render::text::escape(c.as_bytes()))
                        .collect::<Vec<_>>(),
                );
            }
            for line in table.to_string().lines() {
                writeln!(w, "    {line}")?;
            }
            if let Some(note) = &t.note {
                writeln!(w, "    ({note})")?;
            }
        }
        if !a.evidence.is_empty() {
            // Grouped by file, in the order first cited.
            let mut files: Vec<usize> = Vec::new();
            for e in &a.evidence {
                if !files.contains(&e.file) {
                    files.push(e.file);
                }
            }
            let parts: Vec<String> = files
                .iter()
                .map(|&f| {
                    let items: Vec<String> = a
                        .evidence
                        .iter()
                        .filter(|e| e.file == f)
                        .map(|e| {
                            let frames: Vec<String> = e.frames.iter().map(u64::to_string).collect();
                            format!("{} ({})", frames.join(", "), e.what)
                        })
                        .collect();
                    format!("file {}: {}", f + 1, items.join("; "))
                })
                .collect();
            write!(
                w,
                "{}",
                wrap(
                    &format!("Frames in {}", parts.join(" — in ")),
                    "    ",
                    WIDTH
                )
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_indents_list_items() {
        let s = wrap("one two three four five six", "  ", 12);
        assert_eq!(s, "  one two\n  three four\n  five six\n");
        let s = wrap("- alpha beta gamma delta", "", 12);
        assert_eq!(s, "- alpha beta\n  gamma\n  delta\n");
        assert_eq!(wrap("", "  ", 10), "");
        assert_eq!(wrap("    a  b c d e", "  ", 4), "  a  b c d e\n");
    }
}

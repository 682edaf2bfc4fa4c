//! The one escaping function for bytes that came from the network or a file before they
//! reach a terminal: a peer must not be able to move the cursor, clear the screen, retitle the
//! window or write to the clipboard of whoever watches. It sits at the bottom of the layer map
//! so every layer uses it (decode's SIMP Info as much as render); `render::text` re-exports it.
//!
//! [`escape`] keeps printable text (any script) and the tab, and shows everything a terminal
//! could act on visibly: C0 controls and DEL as `\xNN` (`\n`, `\r` for the two everyone
//! knows), C1 controls (U+0080–U+009F, which some terminals take as CSI/OSC) as `\u{NN}`, and
//! bytes that are not UTF-8 as `\xNN`. No ESC (0x1b) and no C1 byte is ever in its output.
//! Text meant to be shown on several lines is split first ([`escape_lines`]), so a newline
//! is the only control that reaches the terminal, and only as a line break. Text shown
//! between double quotes, as a decoder shows a field, goes through [`escape_quoted`]: the
//! same rules in Rust's string notation (`\"`, `\\`, `\t`, every control as `\u{N}`), cut
//! after a number of characters.
#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::io;

/// Bytes from a peer or a file as one line safe for a terminal (see the module doc).
pub fn escape(bytes: &[u8]) -> String {
    escape_as(bytes, Style::Line, usize::MAX)
}

/// [`escape`], appended to `out` (printable ASCII, the common case, is copied with no
/// intermediate string).
pub fn push_escaped(out: &mut String, bytes: &[u8]) {
    if bytes
        .iter()
        .all(|&b| b == b'\t' || (0x20..=0x7e).contains(&b))
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        out.push_str(text);
    } else {
        out.push_str(&escape(bytes));
    }
}

/// Bytes from a peer or a file as the inside of a double-quoted string, safe for a terminal:
/// as [`escape`], but `"`, `\\` and tab escaped too and every control as `\u{N}`; after
/// `max_chars` characters (an invalid byte counts as one) the rest is replaced by `…`.
pub fn escape_quoted(bytes: &[u8], max_chars: usize) -> String {
    escape_as(bytes, Style::Quoted, max_chars)
}

/// How [`escape_as`] shows what it must not pass through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// One line of a terminal: tab kept, C0 and DEL as `\xNN`.
    Line,
    /// Inside `"…"`: `"`, `\\`, tab escaped, every control as `\u{N}`.
    Quoted,
}

/// The single implementation behind [`escape`] and [`escape_quoted`].
fn escape_as(bytes: &[u8], style: Style, max_chars: usize) -> String {
    // The common case, printable ASCII with nothing to escape, is copied as it is.
    let plain = |b: &u8| match b {
        b'"' | b'\\' => style == Style::Line,
        b'\t' => style == Style::Line,
        0x20..=0x7e => true,
        _ => false,
    };
    if bytes.len() <= max_chars
        && bytes.iter().all(plain)
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return text.to_owned();
    }
    let mut out = String::with_capacity(bytes.len());
    let mut shown = 0usize;
    for chunk in bytes.utf8_chunks() {
        let chars = chunk.valid().chars().map(Ok);
        for piece in chars.chain(chunk.invalid().iter().map(|&b| Err(b))) {
            if shown >= max_chars {
                out.push('…');
                return out;
            }
            shown = shown.saturating_add(1);
            match piece {
                Ok(c) => push_char(&mut out, c, style),
                Err(b) => {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
        }
    }
    out
}

/// Bytes from a peer or a file as lines (split at `\n`, a `\r` before it dropped), each
/// escaped by [`escape`]; a trailing newline makes no empty last line.
pub fn escape_lines(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.split(|&b| b == b'\n').map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        escape(line)
    })
}

/// A writer that passes peer data to a terminal escaped: each line through [`escape`], the
/// newlines kept as line breaks. A character cut between two writes is joined up again (at
/// most 3 bytes are held back until the next write or [`io::Write::flush`]).
pub struct EscapeWriter<W: io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: io::Write> EscapeWriter<W> {
    /// Escapes what is written before it reaches `inner`.
    pub fn new(inner: W) -> EscapeWriter<W> {
        EscapeWriter {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut first = true;
        for line in bytes.split(|&b| b == b'\n') {
            if !first {
                self.inner.write_all(b"\n")?;
            }
            first = false;
            self.inner.write_all(escape(line).as_bytes())?;
        }
        Ok(())
    }
}

impl<W: io::Write> io::Write for EscapeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Hold back an incomplete UTF-8 sequence at the end (1 to 3 bytes of a longer one).
        let mut keep = 0;
        for back in 1..=3.min(self.pending.len()) {
            let b = self.pending[self.pending.len() - back];
            if b & 0xc0 == 0x80 {
                continue;
            }
            let need = match b {
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf7 => 4,
                _ => 0,
            };
            if need > back {
                keep = back;
            }
            break;
        }
        let mut now = std::mem::take(&mut self.pending);
        self.pending = now.split_off(now.len() - keep);
        self.emit(&now)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let rest = std::mem::take(&mut self.pending);
        self.emit(&rest)?;
        self.inner.flush()
    }
}

fn push_char(out: &mut String, c: char, style: Style) {
    match (c, style) {
        ('"', Style::Quoted) => out.push_str("\\\""),
        ('\\', Style::Quoted) => out.push_str("\\\\"),
        ('\t', Style::Quoted) => out.push_str("\\t"),
        ('\t', Style::Line) => out.push('\t'),
        ('\n', _) => out.push_str("\\n"),
        ('\r', _) => out.push_str("\\r"),
        (c, Style::Quoted) if c.is_control() => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        ('\0'..='\x1f' | '\x7f', Style::Line) => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        ('\u{80}'..='\u{9f}', Style::Line) => {
            let _ = write!(out, "\\u{{{:02x}}}", u32::from(c));
        }
        _ => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_escaped_appends_what_escape_returns() {
        for b in [
            &b"GET / HTTP/1.1"[..],
            b"a\tb \"q\" \\",
            b"\x1b[2J",
            b"caf\xc3\xa9",
            b"\xff\x00",
            b"",
        ] {
            let mut s = String::from("> ");
            push_escaped(&mut s, b);
            assert_eq!(s, format!("> {}", escape(b)));
        }
    }

    /// No ESC, no C1 control (raw or UTF-8 encoded), no other C0 control but tab.
    fn terminal_safe(s: &str) -> bool {
        !s.chars()
            .any(|c| (c.is_control() && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c))
    }

    #[test]
    fn text_is_kept() {
        assert_eq!(escape(b"Hai from client"), "Hai from client");
        assert_eq!(escape("Grüße, 你好\tok".as_bytes()), "Grüße, 你好\tok");
    }

    #[test]
    fn ansi_and_osc_sequences_are_shown_not_run() {
        assert_eq!(escape(b"a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(
            escape(b"\x1b]0;pwned\x07\x1b]52;c;aGk=\x1b\\"),
            "\\x1b]0;pwned\\x07\\x1b]52;c;aGk=\\x1b\\"
        );
        assert_eq!(escape(b"x\x7fy\x00\r\n"), "x\\x7fy\\x00\\r\\n");
    }

    #[test]
    fn c1_controls_and_invalid_utf8_are_visible() {
        // U+009B (CSI) and U+009D (OSC) in UTF-8, then a lone 0x9b and 0xff.
        assert_eq!(escape(b"\xc2\x9b2J\xc2\x9d0;t"), "\\u{9b}2J\\u{9d}0;t");
        assert_eq!(escape(b"\x9b2J\xff"), "\\x9b2J\\xff");
    }

    #[test]
    fn every_byte_value_and_pair_comes_out_safe() {
        for a in 0..=255u8 {
            assert!(terminal_safe(&escape(&[a])), "{a:#x}");
            for b in 0..=255u8 {
                let s = escape(&[a, b, b'x']);
                assert!(terminal_safe(&s), "{a:#x} {b:#x}: {s:?}");
            }
        }
    }

    #[test]
    fn the_writer_keeps_lines_and_joins_cut_characters() {
        use std::io::Write as _;
        let mut w = EscapeWriter::new(Vec::new());
        let data = "é\x1b[2J\nok ✓\n".as_bytes();
        for b in data {
            w.write_all(std::slice::from_ref(b)).unwrap();
        }
        w.write_all(b"\xc2").unwrap();
        w.flush().unwrap();
        let out = String::from_utf8(w.inner).unwrap();
        assert_eq!(out, "é\\x1b[2J\nok ✓\n\\xc2");
    }

    #[test]
    fn quoted_text_escapes_quotes_and_controls_and_is_cut() {
        assert_eq!(
            escape_quoted(b"\"q\"\n\x01\xff\\\t\x1b[2J", usize::MAX),
            r#"\"q\"\n\u{1}\xff\\\t\u{1b}[2J"#
        );
        assert_eq!(escape_quoted("é\u{9b}".as_bytes(), usize::MAX), "é\\u{9b}");
        assert_eq!(escape_quoted(b"abc", 3), "abc");
        assert_eq!(escape_quoted(b"abcd", 3), "abc…");
        assert_eq!(escape_quoted(b"a\xffcd", 2), "a\\xff…");
        assert_eq!(escape_quoted(b"abc", 0), "…");
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let s = escape_quoted(&[a, b], usize::MAX);
                assert!(terminal_safe(&s), "{a:#x} {b:#x}: {s:?}");
            }
        }
    }

    #[test]
    fn lines_are_split_and_each_escaped() {
        let lines: Vec<String> = escape_lines(b"one\r\ntwo\x1b[31m\n\nfour\n").collect();
        assert_eq!(lines, ["one", "two\\x1b[31m", "", "four"]);
        assert_eq!(escape_lines(b"").collect::<Vec<_>>(), [""]);
    }
}

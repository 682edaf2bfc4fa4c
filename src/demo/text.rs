//! Showing bytes that came from the network on a terminal: safe text and hex dumps.

use std::fmt::Write as _;

/// Bytes from a peer as one printable line: one trailing newline dropped, the rest escaped by
/// [`crate::render::text::escape`] (`\n`, `\x1b`...) so a peer cannot drive the terminal.
pub fn printable(bytes: &[u8]) -> String {
    let bytes = bytes
        .strip_suffix(b"\r\n")
        .or_else(|| bytes.strip_suffix(b"\n"))
        .unwrap_or(bytes);
    crate::render::text::escape(bytes)
}

/// A classic hex dump: offset, 16 bytes in hex, then the printable ASCII, each line indented.
pub fn hex_dump(bytes: &[u8], indent: &str) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{indent}{:04x}  ", i * 16);
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
            if j == 7 {
                out.push(' ');
            }
        }
        out.push(' ');
        for &b in chunk {
            out.push(if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_drops_one_newline() {
        assert_eq!(printable(b"Hai from client"), "Hai from client");
        assert_eq!(printable(b"line\r\n"), "line");
        assert_eq!(printable(b"a\x1b[2Jb\n\n"), "a\\x1b[2Jb\\n");
        assert_eq!(printable(&[0x66, 0xff, 0x6f]), "f\\xffo");
    }

    #[test]
    fn hex_dump_layout() {
        let dump = hex_dump(b"ABCDEFGHIJKLMNOPQ\x00", "  ");
        let lines: Vec<&str> = dump.lines().collect();
        assert_eq!(
            lines,
            [
                "  0000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP",
                "  0010  51 00                                             Q.",
            ]
        );
    }
}

//! Recognising a file by its first bytes: pcap, pcapng, or what else it is.
#![forbid(unsafe_code)]

use std::fmt;

/// Bytes [`sniff`] looks at (enough for every magic number and a line of text).
pub(crate) const SNIFF_LEN: usize = 64;

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// A classic pcap file (any of the four standard magic numbers).
    Pcap,
    /// A pcapng file (Section Header Block type).
    PcapNg,
    /// Not something wirelab reads.
    Other(FileKind),
}

/// What a file that is not a capture looks like, for the error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// The file has no bytes.
    Empty,
    /// The file is shorter than a magic number.
    TooShort {
        /// Its length in bytes.
        len: usize,
    },
    /// Compressed data; `format` is "gzip", "xz", "zstd" or "bzip2".
    Compressed {
        /// The compressor.
        format: &'static str,
        /// The command that undoes it.
        tool: &'static str,
    },
    /// A zip archive.
    Zip,
    /// An ELF executable or library.
    Elf,
    /// A "modified" pcap variant (magic 0xa1b2cd34, from old Red Hat tcpdump builds).
    ModifiedPcap,
    /// Text; `start` is the beginning of its first line.
    Text {
        /// Up to 40 characters of the first line.
        start: String,
    },
    /// Anything else; the first four bytes, read big-endian.
    UnknownMagic(u32),
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileKind::Empty => f.write_str("the file is empty (0 bytes)"),
            FileKind::TooShort { len } => {
                write!(
                    f,
                    "the file is too short ({len} bytes, a capture starts with a 4-byte magic number)"
                )
            }
            FileKind::Compressed { format, tool } => {
                write!(f, "{format}-compressed data (compressed: {tool} it first)")
            }
            FileKind::Zip => f.write_str("a zip archive (unzip it first)"),
            FileKind::Elf => f.write_str("an ELF executable or library"),
            FileKind::ModifiedPcap => f.write_str(
                "a \"modified\" pcap (magic 0xa1b2cd34), an old variant wirelab does not read; \
                 convert it with `editcap -F pcap IN OUT`",
            ),
            FileKind::Text { start } => write!(
                f,
                "text (it starts with {start:?}); if this is the printed output of tcpdump or \
                 tshark, capture again with -w FILE to save the packets themselves"
            ),
            FileKind::UnknownMagic(magic) => write!(f, "unknown magic 0x{magic:08x}"),
        }
    }
}

/// Classifies a file from its first bytes (pass up to [`SNIFF_LEN`], fewer if the file is short).
pub(crate) fn sniff(prefix: &[u8]) -> Sniffed {
    let Some(magic) = prefix.first_chunk::<4>().map(|m| u32::from_be_bytes(*m)) else {
        return Sniffed::Other(if prefix.is_empty() {
            FileKind::Empty
        } else if prefix.starts_with(&[0x1f, 0x8b]) {
            FileKind::Compressed {
                format: "gzip",
                tool: "gunzip",
            }
        } else {
            FileKind::TooShort { len: prefix.len() }
        });
    };
    match magic {
        0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 => return Sniffed::Pcap,
        0x0a0d_0d0a => return Sniffed::PcapNg,
        0xa1b2_cd34 | 0x34cd_b2a1 => return Sniffed::Other(FileKind::ModifiedPcap),
        _ => {}
    }
    let kind = if prefix.starts_with(&[0x1f, 0x8b]) {
        FileKind::Compressed {
            format: "gzip",
            tool: "gunzip",
        }
    } else if prefix.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        FileKind::Compressed {
            format: "xz",
            tool: "unxz",
        }
    } else if prefix.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        FileKind::Compressed {
            format: "zstd",
            tool: "unzstd",
        }
    } else if prefix.starts_with(b"BZh") && prefix.get(4..10) == Some(b"1AY&SY") {
        FileKind::Compressed {
            format: "bzip2",
            tool: "bunzip2",
        }
    } else if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"PK\x05\x06") {
        FileKind::Zip
    } else if prefix.starts_with(b"\x7fELF") {
        FileKind::Elf
    } else if let Some(start) = text_start(prefix) {
        FileKind::Text { start }
    } else {
        FileKind::UnknownMagic(magic)
    };
    Sniffed::Other(kind)
}

/// The first line (up to 40 characters) if `prefix` looks like text, else `None`.
///
/// Text means valid UTF-8 (a character cut at the end of the prefix is allowed) without
/// control characters other than tab, line feed, carriage return and form feed.
fn text_start(prefix: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(prefix) {
        Ok(text) => text,
        // A multi-byte character cut by the end of the prefix is still text.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(prefix.get(..e.valid_up_to())?).ok()?
        }
        Err(_) => return None,
    };
    let is_text = !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'));
    if !is_text {
        return None;
    }
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    Some(line.trim_end().chars().take(40).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn other(prefix: &[u8]) -> FileKind {
        match sniff(prefix) {
            Sniffed::Other(kind) => kind,
            found => panic!("expected not-a-capture, got {found:?}"),
        }
    }

    #[test]
    fn capture_magics() {
        // pcap microsecond, big-endian then little-endian.
        assert_eq!(sniff(&[0xa1, 0xb2, 0xc3, 0xd4]), Sniffed::Pcap);
        assert_eq!(sniff(&[0xd4, 0xc3, 0xb2, 0xa1]), Sniffed::Pcap);
        // pcap nanosecond, big-endian then little-endian.
        assert_eq!(sniff(&[0xa1, 0xb2, 0x3c, 0x4d]), Sniffed::Pcap);
        assert_eq!(sniff(&[0x4d, 0x3c, 0xb2, 0xa1]), Sniffed::Pcap);
        // pcapng Section Header Block type (the same in both byte orders).
        assert_eq!(
            sniff(&[0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0]),
            Sniffed::PcapNg
        );
    }

    #[test]
    fn empty_and_short() {
        assert_eq!(other(b""), FileKind::Empty);
        assert_eq!(other(&[0xd4, 0xc3, 0xb2]), FileKind::TooShort { len: 3 });
        assert_eq!(
            FileKind::TooShort { len: 3 }.to_string(),
            "the file is too short (3 bytes, a capture starts with a 4-byte magic number)"
        );
    }

    #[test]
    fn compressed_files() {
        // gzip header: magic 1f 8b, method 08 (deflate), flags, mtime...
        let gz = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
        let kind = other(&gz);
        assert_eq!(
            kind,
            FileKind::Compressed {
                format: "gzip",
                tool: "gunzip"
            }
        );
        assert!(kind.to_string().contains("compressed: gunzip it first"));
        // A 2-byte gzip prefix is still recognised as gzip, not "too short".
        assert_eq!(other(&[0x1f, 0x8b]), kind);
        // xz stream header magic.
        assert_eq!(
            other(&[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]),
            FileKind::Compressed {
                format: "xz",
                tool: "unxz"
            }
        );
        // zstd frame magic 0xFD2FB528, little-endian.
        assert_eq!(
            other(&[0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58]),
            FileKind::Compressed {
                format: "zstd",
                tool: "unzstd"
            }
        );
        // bzip2: "BZh", block size '9', then the block magic 0x314159265359 ("1AY&SY").
        assert_eq!(
            other(b"BZh91AY&SY\x01\x02"),
            FileKind::Compressed {
                format: "bzip2",
                tool: "bunzip2"
            }
        );
    }

    #[test]
    fn other_binaries() {
        // zip local file header "PK\x03\x04", version 20.
        assert_eq!(other(b"PK\x03\x04\x14\x00"), FileKind::Zip);
        // ELF: 7f 'E' 'L' 'F', class 2 (64-bit), data 1 (LE).
        assert_eq!(other(b"\x7fELF\x02\x01\x01\x00"), FileKind::Elf);
        // Kuznetzov's modified pcap, written little-endian.
        assert_eq!(
            other(&[0x34, 0xcd, 0xb2, 0xa1, 0x02, 0x00]),
            FileKind::ModifiedPcap
        );
        let kind = other(&[0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]);
        assert_eq!(kind, FileKind::UnknownMagic(0xdead_beef));
        assert_eq!(kind.to_string(), "unknown magic 0xdeadbeef");
    }

    #[test]
    fn text_files() {
        let kind = other(b"12:00:01.000001 IP 10.0.0.1.22 > 10.0.0.2.5000: Flags [P.], seq 1:2\n");
        assert_eq!(
            kind,
            FileKind::Text {
                start: "12:00:01.000001 IP 10.0.0.1.22 > 10.0.0.".to_string()
            }
        );
        assert!(kind.to_string().contains("-w FILE"));
        // UTF-8 cut in the middle of a character at the end of the sniffed prefix: still text.
        let mut cut = b"caf\xc3\xa9 cr\xc3\xa8me ".to_vec();
        cut.push(0xc3);
        assert!(matches!(other(&cut), FileKind::Text { .. }));
        // Leading blank lines are skipped for the excerpt.
        assert_eq!(
            other(b"\n\n  hello\n"),
            FileKind::Text {
                start: "  hello".to_string()
            }
        );
        // A NUL byte is not text.
        assert_eq!(other(b"abcd\0efg"), FileKind::UnknownMagic(0x6162_6364));
    }

    #[test]
    fn full_error_message_names_the_formats() {
        let err = crate::source::SourceError::NotACapture {
            kind: FileKind::Empty,
        };
        assert_eq!(
            err.to_string(),
            "not a capture file: the file is empty (0 bytes). wirelab reads pcap and pcapng files \
             (as written by tcpdump -w, dumpcap, tshark -w or Wireshark)"
        );
    }
}

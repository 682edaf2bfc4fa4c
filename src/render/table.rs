//! The packet list: one line per frame, columns like Wireshark's, streamed as frames come.

use std::io::{self, Write};

use super::style::{Color, Style};
use std::net::IpAddr;

use crate::analyse::{Address, Packet, Protocol};
use crate::decode::tcp_flags;

/// The columns of one packet-list row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowCells {
    /// No.
    pub number: String,
    /// Time (seconds since the first frame).
    pub time: String,
    /// Source.
    pub source: String,
    /// Destination.
    pub destination: String,
    /// Protocol.
    pub protocol: String,
    /// Length.
    pub length: String,
    /// Info.
    pub info: String,
}

impl RowCells {
    /// The row laid out as `wirelab read` prints it (fixed column widths, no newline).
    pub fn read_line(&self) -> String {
        format!(
            "{:>6} {:>11}  {:<22} {:<22} {:<8} {:>6}  {}",
            self.number,
            self.time,
            self.source,
            self.destination,
            self.protocol,
            self.length,
            self.info
        )
    }
}

/// Writes the packet list.
#[derive(Debug, Clone, Copy, Default)]
pub struct PacketList {
    /// Colours.
    pub style: Style,
    /// Cut each line to this many columns with `…` (a terminal, as `ps` does); `None`:
    /// whole lines (a pipe, `--wide`).
    pub width: Option<u16>,
}

/// Columns `s` takes on a terminal (ANSI colour sequences take none).
pub fn display_width(s: &str) -> usize {
    let mut w = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-byte.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
    }
    w
}

/// `line` cut to `width` columns, its last one an ellipsis `…` when anything was cut off
/// (colour sequences are kept; a cut line ends with a colour reset).
pub fn cut(line: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if display_width(line) <= width {
        return line.into();
    }
    let mut out = String::with_capacity(line.len());
    let mut w = 0;
    let mut chars = line.chars();
    let mut colored = false;
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            colored = true;
            out.push(c);
            for c in chars.by_ref() {
                out.push(c);
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        w += cw;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    if colored {
        out.push_str("\x1b[0m");
    }
    out.into()
}

/// Seconds with 6 decimals from signed nanoseconds, truncated like Wireshark's column.
pub fn write_time(w: &mut impl Write, ns: i64) -> io::Result<()> {
    let abs = ns.unsigned_abs();
    let mut buf = [0u8; 32];
    let mut n = 0;
    if ns < 0 {
        buf[0] = b'-';
        n = 1;
    }
    let mut digits = itoa::Buffer::new();
    let secs = digits.format(abs / 1_000_000_000).as_bytes();
    // At most 1 + 20 + 1 + 6 bytes: the buffer holds any i64.
    buf[n..n + secs.len()].copy_from_slice(secs);
    n += secs.len();
    buf[n] = b'.';
    n += 1;
    let mut micros = (abs % 1_000_000_000) / 1000;
    for i in (0..6).rev() {
        buf[n + i] = b'0' + (micros % 10) as u8;
        micros /= 10;
    }
    n += 6;
    w.write_all(&buf[..n])
}

/// `text` right-aligned in `width` columns (ASCII text: one byte a column).
fn pad_left(line: &mut Vec<u8>, text: &[u8], width: usize) {
    line.resize(line.len() + width.saturating_sub(text.len()), b' ');
    line.extend_from_slice(text);
}

/// `text` left-aligned in `width` columns (counted in chars, for non-ASCII protocol names).
fn pad_right(line: &mut Vec<u8>, text: &[u8], width: usize) {
    line.extend_from_slice(text);
    let chars = std::str::from_utf8(text).map_or(text.len(), |s| s.chars().count());
    line.resize(line.len() + width.saturating_sub(chars), b' ');
}

/// A Source/Destination cell: the address left-aligned in 22 columns. IPv4 and MAC
/// addresses are written digit by digit; IPv6 (rarer, longer) through its `Display`.
fn address(line: &mut Vec<u8>, a: Address) {
    const WIDTH: usize = 22;
    let start = line.len();
    match a {
        Address::None => {}
        Address::Ip(IpAddr::V4(v4)) => {
            let mut num = itoa::Buffer::new();
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    line.push(b'.');
                }
                line.extend_from_slice(num.format(octet).as_bytes());
            }
        }
        Address::Mac(m) => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            for (i, b) in m.into_iter().enumerate() {
                if i > 0 {
                    line.push(b':');
                }
                line.push(HEX[usize::from(b >> 4)]);
                line.push(HEX[usize::from(b & 0xf)]);
            }
        }
        other => {
            let _ = write!(line, "{other}");
        }
    }
    let used = line.len() - start;
    line.resize(line.len() + WIDTH.saturating_sub(used), b' ');
}

/// The same as a string (for tables and JSON).
pub fn time_string(ns: i64) -> String {
    let mut v = Vec::with_capacity(16);
    let _ = write_time(&mut v, ns);
    String::from_utf8(v).unwrap_or_default()
}

impl PacketList {
    /// The column header line.
    pub fn header(&self, w: &mut impl Write) -> io::Result<()> {
        let line = format!(
            "{}{:>6} {:>11}  {:<22} {:<22} {:<8} {:>6}  Info{}",
            self.style.start(Color::Bold),
            "No.",
            "Time",
            "Source",
            "Destination",
            "Protocol",
            "Length",
            self.style.end()
        );
        self.write_line(w, &line)
    }

    /// Writes `line` and a newline, cut to the width when there is one.
    fn write_line(&self, w: &mut impl Write, line: &str) -> io::Result<()> {
        match self.width {
            Some(width) => writeln!(w, "{}", cut(line, usize::from(width))),
            None => writeln!(w, "{line}"),
        }
    }

    /// One frame's line.
    pub fn row(&self, w: &mut impl Write, p: &Packet) -> io::Result<()> {
        if self.width.is_some() {
            let mut line = Vec::with_capacity(160);
            self.row_whole(&mut line, p)?;
            let line = String::from_utf8_lossy(&line);
            return self.write_line(w, line.trim_end_matches('\n'));
        }
        self.row_whole(w, p)
    }

    fn row_whole(&self, w: &mut impl Write, p: &Packet) -> io::Result<()> {
        // Built by hand into one buffer: formatting numbers and addresses through
        // `core::fmt` with padding was half the time of `read` (see scripts/bench-read.sh).
        let mut line: Vec<u8> = Vec::with_capacity(128 + p.info.len());
        let color = self.row_color(p);
        if let Some(c) = color {
            line.extend_from_slice(self.style.start(c).as_bytes());
        }
        let mut num = itoa::Buffer::new();
        pad_left(&mut line, num.format(p.number).as_bytes(), 6);
        line.push(b' ');
        let mut t = [0u8; 32];
        let n = {
            let mut cur = io::Cursor::new(&mut t[..]);
            write_time(&mut cur, p.time_rel_ns)?;
            cur.position() as usize
        };
        pad_left(&mut line, t.get(..n).unwrap_or(&[]), 11);
        line.extend_from_slice(b"  ");
        address(&mut line, p.src());
        line.push(b' ');
        address(&mut line, p.dst());
        line.push(b' ');
        pad_right(&mut line, p.protocol.as_str().as_bytes(), 8);
        line.push(b' ');
        pad_left(&mut line, num.format(p.len).as_bytes(), 6);
        line.extend_from_slice(b"  ");
        line.extend_from_slice(p.info.as_bytes());
        if color.is_some() {
            line.extend_from_slice(self.style.end().as_bytes());
        }
        line.push(b'\n');
        w.write_all(&line)
    }

    /// The row's columns as text, exactly as [`PacketList::row`] prints them (without the
    /// padding): what `wirelab view` shows.
    pub fn cells(p: &Packet) -> RowCells {
        RowCells {
            number: p.number.to_string(),
            time: time_string(p.time_rel_ns),
            source: p.src().to_string(),
            destination: p.dst().to_string(),
            protocol: p.protocol.to_string(),
            length: p.len.to_string(),
            info: p.info.clone(),
        }
    }

    fn row_color(&self, p: &Packet) -> Option<Color> {
        if !self.style.color {
            return None;
        }
        if p.decoded.malformed.is_some() {
            return Some(Color::Red);
        }
        if let Some(a) = &p.tcp
            && !a.flags.is_empty()
        {
            return Some(Color::Yellow);
        }
        if let Some(t) = p.tcp_repr() {
            if t.flags & tcp_flags::RST != 0 {
                return Some(Color::Red);
            }
            if t.flags & (tcp_flags::SYN | tcp_flags::FIN) != 0 {
                return Some(Color::Cyan);
            }
        }
        match p.protocol {
            Protocol::Arp => Some(Color::Magenta),
            Protocol::Icmp | Protocol::Icmpv6 => Some(Color::Blue),
            Protocol::Udp => Some(Color::Green),
            Protocol::App(_) if p.udp_repr().is_some() => Some(Color::Green),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_truncates_to_microseconds() {
        assert_eq!(time_string(0), "0.000000");
        assert_eq!(time_string(1_234_567_999), "1.234567");
        assert_eq!(time_string(-1_500), "-0.000001");
    }

    #[test]
    fn lines_are_cut_to_the_width_with_an_ellipsis() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abcd", 4), "abcd");
        assert_eq!(display_width("\x1b[1mab\x1b[0m→"), 3);
        assert_eq!(cut("\x1b[1mabcdef\x1b[0m", 3), "\x1b[1mab…\x1b[0m");
    }

    #[test]
    fn packet_list_fits_80_columns_on_a_terminal() {
        let root = env!("CARGO_MANIFEST_DIR");
        let path = format!("{root}/captures/tcp-analysis.pcapng");
        let mut a = crate::analyse::Analyzer::new();
        let mut p = Packet::default();
        let list = PacketList {
            style: Style::default(),
            width: Some(80),
        };
        let mut out = Vec::new();
        list.header(&mut out).unwrap();
        for ev in crate::source::CaptureReader::open(path.as_ref()).unwrap() {
            if let crate::source::SourceEvent::Frame(f) = ev {
                a.process(&f, &mut p);
                list.row(&mut out, &p).unwrap();
            }
        }
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().count() > 10);
        assert!(text.contains('…'));
        for line in text.lines() {
            assert!(display_width(line) <= 80, "{line}");
        }
    }
}

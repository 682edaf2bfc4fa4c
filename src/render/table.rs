//! The packet list: one line per frame, columns like Wireshark's, streamed as frames come.

use std::io::{self, Write};

use super::style::{Color, Style};
use crate::analyse::{Packet, Protocol};
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
}

/// Seconds with 6 decimals from signed nanoseconds, truncated like Wireshark's column.
pub fn write_time(w: &mut impl Write, ns: i64) -> io::Result<()> {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    write!(
        w,
        "{sign}{}.{:06}",
        abs / 1_000_000_000,
        (abs % 1_000_000_000) / 1000
    )
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
        writeln!(
            w,
            "{}{:>6} {:>11}  {:<22} {:<22} {:<8} {:>6}  Info{}",
            self.style.start(Color::Bold),
            "No.",
            "Time",
            "Source",
            "Destination",
            "Protocol",
            "Length",
            self.style.end()
        )
    }

    /// One frame's line.
    pub fn row(&self, w: &mut impl Write, p: &Packet) -> io::Result<()> {
        let color = self.row_color(p);
        if let Some(c) = color {
            w.write_all(self.style.start(c).as_bytes())?;
        }
        write!(w, "{:>6} ", p.number)?;
        let mut t = [0u8; 32];
        let n = {
            let mut cur = io::Cursor::new(&mut t[..]);
            write_time(&mut cur, p.time_rel_ns)?;
            cur.position() as usize
        };
        let ts = std::str::from_utf8(&t[..n]).unwrap_or("");
        write!(
            w,
            "{:>11}  {:<22} {:<22} {:<8} {:>6}  {}",
            ts,
            p.src(),
            p.dst(),
            p.protocol,
            p.len,
            p.info
        )?;
        if color.is_some() {
            w.write_all(self.style.end().as_bytes())?;
        }
        w.write_all(b"\n")
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
            Protocol::Udp | Protocol::Simp => Some(Color::Green),
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
}

//! The encapsulation view: a frame built from the top of the stack down (payload → TCP → IPv4 →
//! Ethernet), or taken apart from the bottom up, one layer at a time, every field with its
//! value, its byte range in the frame and the bytes themselves.
//!
//! The layers and fields come from [`crate::decode::detail`] applied to the frame's bytes, so
//! what is shown is what is on the wire, never what a builder meant to write. Lines fit in
//! 100 columns.

use std::io::{self, Write};

use super::style::{Color, Style};
use crate::decode::detail::{Field, Layer, LayerKind};

/// Widest "name: value" text before it is cut.
const TEXT_WIDTH: usize = 50;
/// Most field bytes shown in hex.
const HEX_BYTES: usize = 8;

/// The stack layer a protocol belongs to, and what its bytes are called there.
fn naming(kind: LayerKind) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match kind {
        LayerKind::Ethernet => ("[link]", "Ethernet II header", "Ethernet frame"),
        LayerKind::Vlan => ("[link]", "802.1Q tag", "tagged frame"),
        LayerKind::Sll => ("[link]", "Linux cooked header", "frame"),
        LayerKind::Loopback => ("[link]", "loopback header", "frame"),
        LayerKind::Ipv4 => ("[network]", "IPv4 header", "IPv4 packet"),
        LayerKind::Ipv6 => ("[network]", "IPv6 header", "IPv6 packet"),
        LayerKind::Arp => ("[network]", "ARP packet", "ARP packet"),
        LayerKind::Tcp => ("[transport]", "TCP header", "TCP segment"),
        LayerKind::Udp => ("[transport]", "UDP header", "UDP datagram"),
        LayerKind::Icmp => ("[transport]", "ICMP message", "ICMP message"),
        LayerKind::Data => ("[application]", "payload", "payload"),
        LayerKind::Frame => return None,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The layers that own bytes, in frame order.
fn byte_layers(layers: &[Layer]) -> Vec<&Layer> {
    layers
        .iter()
        .filter(|l| l.kind != LayerKind::Frame && !l.reassembled)
        .collect()
}

fn range_text(r: &std::ops::Range<usize>) -> String {
    match r.len() {
        0 => String::new(),
        1 => format!("[byte {}]", r.start),
        _ => format!("[bytes {}-{}]", r.start, r.end - 1),
    }
}

fn hex_of(bytes: &[u8]) -> String {
    let mut s = String::new();
    for (i, b) in bytes.iter().take(HEX_BYTES).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    if bytes.len() > HEX_BYTES {
        s.push_str(" …");
    }
    s
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn write_field(w: &mut impl Write, frame: &[u8], f: &Field, style: Style) -> io::Result<()> {
    let text = if f.value.is_empty() {
        f.name.trim_end().to_string()
    } else {
        format!("{}: {}", f.name, f.value)
    };
    let text = cut(&text, TEXT_WIDTH);
    match &f.range {
        Some(r) if !r.is_empty() => {
            let bytes = frame.get(r.clone()).unwrap_or(&[]);
            writeln!(
                w,
                "      {text:<TEXT_WIDTH$} {}{:<15}{} {}",
                style.start(Color::Grey),
                range_text(r),
                style.end(),
                hex_of(bytes)
            )
        }
        _ => writeln!(w, "      {text}"),
    }
}

fn write_fields(w: &mut impl Write, frame: &[u8], l: &Layer, style: Style) -> io::Result<()> {
    for f in &l.fields {
        write_field(w, frame, f, style)?;
    }
    Ok(())
}

/// Writes the frame built from the top of the stack down: the payload first, then each header
/// as it is put in front of what it carries, then the whole frame as a hex dump.
pub fn write_build_up(
    w: &mut impl Write,
    frame: &[u8],
    layers: &[Layer],
    title: &str,
    style: Style,
) -> io::Result<()> {
    writeln!(
        w,
        "{}{title}: built from the top of the stack down{}",
        style.start(Color::Bold),
        style.end()
    )?;
    let ls = byte_layers(layers);
    let has_data = ls.iter().any(|l| l.kind == LayerKind::Data);
    if !has_data && ls.iter().any(|l| l.kind == LayerKind::Tcp) {
        writeln!(
            w,
            "  {:<14}no data: this segment only carries the header",
            "[application]"
        )?;
    }
    for l in ls.iter().rev() {
        let Some((layer, header, unit)) = naming(l.kind) else {
            continue;
        };
        let size = l.range.len();
        if l.kind == LayerKind::Data {
            writeln!(
                w,
                "  {}{layer:<14}{}{size} byte{} of data",
                style.start(Color::Cyan),
                style.end(),
                plural(size)
            )?;
            write_fields(w, frame, l, style)?;
            continue;
        }
        let carried = frame.len().saturating_sub(l.range.start);
        writeln!(
            w,
            "  {}{layer:<14}+ {header}, {size} byte{} → {unit} of {carried} byte{}{}",
            style.start(Color::Cyan),
            plural(size),
            plural(carried),
            style.end()
        )?;
        write_fields(w, frame, l, style)?;
        if l.kind == LayerKind::Ethernet {
            writeln!(
                w,
                "      (on the wire the card adds a preamble before it and a 4-byte FCS after it)"
            )?;
        }
    }
    writeln!(
        w,
        "  the whole frame, {} bytes, each byte marked with its layer:",
        frame.len()
    )?;
    super::hex::write_hex(w, frame, layers, style)
}

/// Writes the frame taken apart from the bottom of the stack up, as a receiver does: each
/// header with its fields and how many bytes are left after it, then the data. `checks`
/// holds extra lines per layer kind (e.g. a verified checksum).
pub fn write_take_off(
    w: &mut impl Write,
    frame: &[u8],
    layers: &[Layer],
    checks: &[(LayerKind, String)],
    style: Style,
) -> io::Result<()> {
    writeln!(
        w,
        "{}frame of {} bytes, taken apart from the bottom of the stack up{}",
        style.start(Color::Bold),
        frame.len(),
        style.end()
    )?;
    for l in byte_layers(layers) {
        let Some((layer, header, _)) = naming(l.kind) else {
            continue;
        };
        let size = l.range.len();
        if l.kind == LayerKind::Data {
            writeln!(
                w,
                "  {}{layer:<14}{size} byte{} of data for the application{}",
                style.start(Color::Cyan),
                plural(size),
                style.end()
            )?;
        } else {
            let left = frame.len().saturating_sub(l.range.end);
            writeln!(
                w,
                "  {}{layer:<14}- {header}, {size} byte{} → {left} byte{} left{}",
                style.start(Color::Cyan),
                plural(size),
                plural(left),
                style.end()
            )?;
        }
        write_fields(w, frame, l, style)?;
        for (_, line) in checks.iter().filter(|(k, _)| *k == l.kind) {
            writeln!(w, "      {line}")?;
        }
    }
    for l in layers.iter().filter(|l| l.kind == LayerKind::Frame) {
        writeln!(w, "  {}", l.title)?;
        for f in &l.fields {
            writeln!(w, "      {}: {}", f.name, f.value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_and_hex_is_short() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
        assert_eq!(hex_of(&[1, 2]), "01 02");
        assert_eq!(hex_of(&[0; 9]), "00 00 00 00 00 00 00 00 …");
        assert_eq!(range_text(&(3..4)), "[byte 3]");
        assert_eq!(range_text(&(3..7)), "[bytes 3-6]");
    }
}

//! Hex dump with each byte marked by the layer it belongs to: coloured on a terminal, a
//! plain marker column (one letter per byte) when piped.

use std::io::{self, Write};

use super::style::{Color, Style};
use crate::decode::detail::{Layer, LayerKind};

/// The colour of a layer's bytes (the same in `--hex` and `wirelab view`).
pub fn layer_color(k: LayerKind) -> Option<Color> {
    match k {
        LayerKind::Ethernet | LayerKind::Sll | LayerKind::Loopback => Some(Color::Magenta),
        LayerKind::Vlan => Some(Color::Grey),
        LayerKind::Ipv4 | LayerKind::Ipv6 | LayerKind::Arp => Some(Color::Blue),
        LayerKind::Tcp | LayerKind::Udp | LayerKind::Icmp => Some(Color::Green),
        LayerKind::Data => Some(Color::Yellow),
        LayerKind::Frame => None,
    }
}

/// Which layer owns each byte of `len` bytes: the innermost layer whose range covers it.
pub fn byte_owners(len: usize, layers: &[Layer]) -> Vec<Option<LayerKind>> {
    owners_of(len, layers, false)
}

/// The same for the bytes of a reassembled datagram: only the layers whose ranges refer to
/// it ([`Layer::reassembled`]).
pub fn reassembled_byte_owners(len: usize, layers: &[Layer]) -> Vec<Option<LayerKind>> {
    owners_of(len, layers, true)
}

fn owners_of(len: usize, layers: &[Layer], reassembled: bool) -> Vec<Option<LayerKind>> {
    let mut owner = vec![None; len];
    for l in layers
        .iter()
        .filter(|l| l.reassembled == reassembled && l.kind != LayerKind::Frame)
    {
        let end = l.range.end.min(len);
        for o in owner.iter_mut().take(end).skip(l.range.start) {
            *o = Some(l.kind);
        }
    }
    owner
}

/// Writes the hex dump of `data` with layer marks.
pub fn write_hex(
    w: &mut impl Write,
    data: &[u8],
    layers: &[Layer],
    style: Style,
) -> io::Result<()> {
    let owners = byte_owners(data.len(), layers);
    for (row, chunk) in data.chunks(16).enumerate() {
        let base = row * 16;
        write!(w, "{base:04x}  ")?;
        for i in 0..16 {
            if i == 8 {
                w.write_all(b" ")?;
            }
            match chunk.get(i) {
                Some(b) => {
                    let c = owners
                        .get(base + i)
                        .copied()
                        .flatten()
                        .and_then(layer_color);
                    match c.filter(|_| style.color) {
                        Some(c) => write!(w, "{}{b:02x}{} ", style.start(c), style.end())?,
                        None => write!(w, "{b:02x} ")?,
                    }
                }
                None => w.write_all(b"   ")?,
            }
        }
        w.write_all(b" ")?;
        for &b in chunk {
            let ch = if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            };
            write!(w, "{ch}")?;
        }
        if !style.color {
            for _ in chunk.len()..16 {
                w.write_all(b" ")?;
            }
            w.write_all(b"  ")?;
            for i in 0..chunk.len() {
                let m = owners
                    .get(base + i)
                    .copied()
                    .flatten()
                    .map(LayerKind::marker)
                    .unwrap_or('.');
                write!(w, "{m}")?;
            }
        }
        w.write_all(b"\n")?;
    }
    // Legend of the layers present.
    let mut seen: Vec<LayerKind> = Vec::new();
    for k in owners.iter().flatten() {
        if !seen.contains(k) {
            seen.push(*k);
        }
    }
    if !seen.is_empty() {
        w.write_all(b"      ")?;
        for k in seen {
            match layer_color(k).filter(|_| style.color) {
                Some(c) => write!(w, " {}{}{}", style.start(c), k.name(), style.end())?,
                None => write!(w, " {}={}", k.marker(), k.name())?,
            }
        }
        if owners.iter().any(Option::is_none) {
            write!(w, " .=trailer/padding")?;
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}

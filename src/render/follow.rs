//! `--follow N [--hex]`: a stream's data in tshark's `-z follow,PROTO,ascii|hex,N` layout,
//! byte for byte: a header naming node 0 and node 1, one block per chunk (node 1's marked
//! by a leading tab), a closing rule. In ASCII, every byte other than a printable one or a
//! newline or carriage return shows as `.`; each chunk is preceded by its length and followed by a newline.

use std::io::{self, Write};

use crate::analyse::follow::{Chunk, FollowProto};

const RULE: &str = "===================================================================";

/// Writes a followed stream.
#[derive(Debug)]
pub struct FollowWriter {
    proto: FollowProto,
    stream: u32,
    hex: bool,
    headed: bool,
}

impl FollowWriter {
    /// A writer for stream `stream` of `proto`, as ASCII or (`hex`) a hex dump.
    pub fn new(proto: FollowProto, stream: u32, hex: bool) -> Self {
        FollowWriter {
            proto,
            stream,
            hex,
            headed: false,
        }
    }

    /// The header, once: `nodes` are node 0 and node 1 (unknown when the stream was not
    /// in the capture).
    pub fn header(
        &mut self,
        w: &mut impl Write,
        nodes: Option<(std::net::SocketAddr, std::net::SocketAddr)>,
    ) -> io::Result<()> {
        if self.headed {
            return Ok(());
        }
        self.headed = true;
        let p = self.proto.name();
        writeln!(w, "\n{RULE}")?;
        writeln!(w, "Follow: {p},{}", if self.hex { "hex" } else { "ascii" })?;
        writeln!(w, "Filter: {p}.stream eq {}", self.stream)?;
        match nodes {
            Some((a, b)) => {
                writeln!(w, "Node 0: {a}")?;
                writeln!(w, "Node 1: {b}")?;
            }
            // As tshark: a stream with nothing followed has no node addresses yet.
            None => writeln!(w, "Node 0: :0\nNode 1: :0")?,
        }
        Ok(())
    }

    /// One chunk.
    pub fn chunk(&mut self, w: &mut impl Write, c: &Chunk) -> io::Result<()> {
        let tab = if c.from_node1 { "\t" } else { "" };
        if self.hex {
            return hex_dump(w, tab, c.offset, &c.data);
        }
        writeln!(w, "{tab}{}", c.data.len())?;
        let text: Vec<u8> = c
            .data
            .iter()
            .map(|&b| {
                if b == b'\n' || b == b'\r' || (0x20..0x7f).contains(&b) {
                    b
                } else {
                    b'.'
                }
            })
            .collect();
        w.write_all(&text)?;
        w.write_all(b"\n")
    }

    /// The closing rule (and the header first, if no chunk was written).
    pub fn finish(
        &mut self,
        w: &mut impl Write,
        nodes: Option<(std::net::SocketAddr, std::net::SocketAddr)>,
    ) -> io::Result<()> {
        self.header(w, nodes)?;
        writeln!(w, "{RULE}")
    }
}

/// tshark's hex dump of one chunk: `OFFSET  16 bytes in two groups  ascii in two groups`.
pub fn hex_dump(w: &mut impl Write, prefix: &str, offset: u64, data: &[u8]) -> io::Result<()> {
    for (i, line) in data.chunks(16).enumerate() {
        let mut hex = String::with_capacity(50);
        let mut text = String::with_capacity(17);
        for (j, b) in line.iter().enumerate() {
            if j == 8 {
                hex.push(' ');
                text.push(' ');
            }
            hex.push_str(&format!("{b:02x} "));
            text.push(if (0x20..0x7f).contains(b) {
                *b as char
            } else {
                '.'
            });
        }
        if line.len() == 8 {
            text.push(' '); // tshark adds the middle space after the 8th byte too
        }
        // ...and then drops one trailing space, whether it was that one or a byte.
        if text.ends_with(' ') {
            text.pop();
        }
        writeln!(
            w,
            "{prefix}{:08X}  {hex:<49} {text}",
            offset + (i as u64) * 16
        )?;
    }
    Ok(())
}

//! `--stats`: TCP and UDP conversations, the distinct socket addresses with their roles, and
//! the Protocol Hierarchy.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, Table, presets};

use crate::analyse::conversations::{Conversations, Transport};
use crate::analyse::hierarchy::Hierarchy;

/// Writes the Protocol Hierarchy as `tshark -q -z io,phs` prints it (the same lines, so the
/// two can be compared with `diff`).
pub fn write_hierarchy(w: &mut impl Write, h: &Hierarchy, filter: Option<&str>) -> io::Result<()> {
    let rule = "=".repeat(67);
    writeln!(w, "{rule}")?;
    writeln!(w, "Protocol Hierarchy Statistics")?;
    writeln!(w, "Filter: {}", filter.unwrap_or(""))?;
    writeln!(w)?;
    for (depth, node) in h.rows() {
        let name = format!("{}{}", "  ".repeat(depth), node.name);
        writeln!(w, "{name:<40} frames:{} bytes:{}", node.frames, node.bytes)?;
    }
    writeln!(w, "{rule}")
}

fn right(v: impl ToString) -> Cell {
    Cell::new(v.to_string()).set_alignment(CellAlignment::Right)
}

/// Writes the conversation and endpoint tables.
pub fn write_stats(w: &mut impl Write, c: &Conversations) -> io::Result<()> {
    write_stats_fitted(w, c, None)
}

/// The same, each table fitted into `width` columns when given (a terminal).
pub fn write_stats_fitted(
    w: &mut impl Write,
    c: &Conversations,
    width: Option<u16>,
) -> io::Result<()> {
    let fit = |t: &mut Table| {
        if let Some(width) = width {
            t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                .set_width(width);
        }
    };
    for tr in [Transport::Tcp, Transport::Udp] {
        let convs: Vec<_> = c.list().iter().filter(|x| x.transport == tr).collect();
        writeln!(w, "{} conversations: {}", tr.name(), convs.len())?;
        if convs.is_empty() {
            writeln!(w)?;
            continue;
        }
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED);
        let mut header = vec![];
        if tr == Transport::Tcp {
            header.push("Stream");
        }
        header.extend([
            "Address A",
            "Address B",
            "Frames A→B",
            "Bytes A→B",
            "Frames B→A",
            "Bytes B→A",
            "Start",
            "Duration",
        ]);
        t.set_header(header);
        for x in convs {
            let mut row = vec![];
            if let Some(s) = x.stream {
                row.push(right(s));
            }
            row.extend([
                Cell::new(x.a),
                Cell::new(x.b),
                right(x.frames_ab),
                right(x.bytes_ab),
                right(x.frames_ba),
                right(x.bytes_ba),
                right(format!("{:.6}", x.start)),
                right(format!("{:.6}", x.duration())),
            ]);
            t.add_row(row);
        }
        fit(&mut t);
        writeln!(w, "{t}")?;
        writeln!(w)?;
    }
    let eps = c.endpoints();
    writeln!(w, "Socket addresses (IP:port): {}", eps.len())?;
    if !eps.is_empty() {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED);
        t.set_header(vec!["Socket address", "Transport", "Role", "Conversations"]);
        for e in &eps {
            t.add_row(vec![
                Cell::new(e.addr),
                Cell::new(e.transport.name()),
                Cell::new(e.role.name()),
                right(e.conversations),
            ]);
        }
        fit(&mut t);
        writeln!(w, "{t}")?;
    }
    for (ip, socks) in c.server_hosts() {
        let list: Vec<String> = socks
            .iter()
            .map(|(t, a)| format!("{a} ({})", t.name()))
            .collect();
        writeln!(
            w,
            "Server {ip} has {} socket address{}: {}. Every client of one service talks to the same server socket address; only the client's side differs.",
            socks.len(),
            if socks.len() == 1 { "" } else { "es" },
            list.join(", ")
        )?;
    }
    Ok(())
}

//! Lab 000, the TCP/IP stack demo: what the client's `stack` command sent, layer by layer, and
//! the real frame that carried it — a frame inside a frame.
//!
//! The client→server byte stream of each TCP connection is split into the demo's frames
//! ([`crate::decode::stack`]); a `stack` frame's payload is an Ethernet frame the demo built
//! itself, decoded here by the project's one decoder ([`crate::decode`]) with its checksums
//! checked. A second pass over the capture finds the real segment that carried it.

use std::net::IpAddr;

use crate::decode::detail::{DetailContext, Layer, layers};
use crate::decode::stack::{self, Kind};
use crate::decode::{self, Reassembler};
use crate::frame::LinkType;
use crate::lab::offload;

use super::facts::{TcpConn, show_text};
use super::report::{Answer, Table};
use super::{Capture, plural, scan};

/// One demo frame found in a stream.
struct Found<'a> {
    file: usize,
    conn: &'a TcpConn,
    /// Offset of the frame in the client's stream.
    offset: usize,
    kind: Option<Kind>,
    kind_byte: u8,
    payload: &'a [u8],
}

/// A demo connection's server answers: (file, connection, (kind byte, text) per frame).
type Replies<'a> = Vec<(usize, &'a TcpConn, Vec<(u8, String)>)>;

fn demo_frames(caps: &[Capture]) -> (Vec<Found<'_>>, Replies<'_>) {
    let mut up = Vec::new();
    let mut replies = Vec::new();
    for (i, c) in caps.iter().enumerate() {
        for conn in &c.facts.tcp {
            let (frames, _) = stack::frames(&conn.up().stream);
            // A demo connection: it starts with a frame of a known client kind.
            if !frames.first().is_some_and(|f| {
                matches!(
                    f.kind(),
                    Some(Kind::Text | Kind::Ping | Kind::Handshake | Kind::Stack | Kind::Exit)
                )
            }) {
                continue;
            }
            for f in frames {
                up.push(Found {
                    file: i,
                    conn,
                    offset: f.offset,
                    kind: f.kind(),
                    kind_byte: f.kind_byte,
                    payload: f.payload,
                });
            }
            let (down, _) = stack::frames(&conn.down().stream);
            replies.push((
                i,
                conn,
                down.iter()
                    .map(|f| (f.kind_byte, String::from_utf8_lossy(f.payload).into_owned()))
                    .collect(),
            ));
        }
    }
    (up, replies)
}

fn decoded_layers(frame: &[u8]) -> (decode::Decoded, Vec<Layer>) {
    let d = decode::decode(1, LinkType::ETHERNET, frame, &mut Reassembler::default());
    let l = layers(&d, frame, &DetailContext::default());
    (d, l)
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "correct",
        Some(false) => "WRONG",
        None => "not checked",
    }
}

/// Every answer of lab 000.
pub fn answers(caps: &[Capture]) -> Vec<Answer> {
    let (found, replies) = demo_frames(caps);
    let Some(st) = found.iter().find(|f| f.kind == Some(Kind::Stack)) else {
        let mut text = String::from(
            "No `stack` command in these captures: capture (e.g. `wirelab read`-able pcapng) \
             while `wirelab stack-client` talks to `wirelab stack-server` and type `stack hello`.",
        );
        if !found.is_empty() {
            text.push_str(&format!(
                " The captures do hold {} demo frame{} ({}).",
                found.len(),
                plural(found.len() as u64),
                found
                    .iter()
                    .map(|f| f.kind.map_or("unknown", Kind::name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        return vec![Answer::new(
            "000.1",
            "What does the `stack` command send?",
            text,
        )];
    };
    let conn = st.conn;
    let inner = st.payload;
    let (dec, inner_layers) = decoded_layers(inner);

    // The real segment that carried the start of the demo frame.
    let base = conn.up().first_data().map_or(1, |s| s.seq);
    let target = base.wrapping_add(st.offset as u32);
    type Outer = (
        u64,
        Vec<Layer>,
        Option<(IpAddr, IpAddr)>,
        Option<([u8; 6], [u8; 6])>,
    );
    let mut outer: Option<Outer> = None;
    let client = conn.client();
    let stream_id = conn.stream;
    let _ = scan(&caps[st.file].path, |p, f| {
        if outer.is_some() {
            return;
        }
        let (Some(t), Some(an), Some((sip, _))) = (p.tcp_repr(), &p.tcp, p.decoded.net.ip_addrs())
        else {
            return;
        };
        let len = t.len.unwrap_or(0);
        if an.stream == stream_id
            && sip == client.ip()
            && t.src_port == client.port()
            && len > 0
            && target.wrapping_sub(an.seq) < len
        {
            outer = Some((
                p.number,
                p.layers(&f.data),
                p.decoded.net.ip_addrs(),
                p.decoded.link.macs(),
            ));
        }
    });

    let mut answers = Vec::new();
    // 000.1: what the command sent.
    let count = found.iter().filter(|f| f.kind == Some(Kind::Stack)).count();
    let mut a1 = Answer::new(
        "000.1",
        "What does the `stack` command send?",
        format!(
            "The client sent {count} `stack` frame{} on its TCP connection {} → {}. The first \
             starts at byte {} of the client's stream{}: a 4-byte length ({}), the kind byte \
             0x{:02x} (stack), then {} bytes — a whole Ethernet frame the demo built itself, \
             headers and all, sent as ordinary data inside the real connection.",
            plural(count as u64),
            conn.client(),
            conn.server(),
            st.offset,
            outer
                .as_ref()
                .map(|o| format!(" (carried by frame {})", o.0))
                .unwrap_or_default(),
            inner.len() + 1,
            st.kind_byte,
            inner.len()
        ),
    );
    if let Some(o) = &outer {
        a1 = a1.cite(st.file, "the segment carrying the demo frame", vec![o.0]);
    }
    answers.push(
        a1.value("stack_frames", count)
            .value("inner_frame_bytes", inner.len()),
    );

    // 000.2: each layer of the inner frame.
    let mut t = Table::new(&["Layer", "Bytes", "Header", "What it carries"]);
    let mut text = String::from("Each layer's header, outermost first, and what it carries:");
    for (n, l) in inner_layers.iter().enumerate() {
        let last = n + 1 == inner_layers.len();
        let header = if last { 0 } else { l.range.len() };
        let rest = inner.len().saturating_sub(l.range.end);
        let carries = match inner_layers.get(n + 1) {
            Some(next) if !last => match next.kind.name() {
                "IPv4" => format!("an IPv4 packet of {rest} bytes"),
                "TCP" => format!("a TCP segment of {rest} bytes"),
                "data" => format!("{rest} bytes of data"),
                other => format!("{rest} bytes of {other}"),
            },
            _ => format!(
                "the message itself: \"{}\" ({} bytes)",
                show_text(
                    inner.get(l.range.clone()).unwrap_or_default(),
                    l.range.len() as u32
                ),
                l.range.len()
            ),
        };
        t.row(vec![
            l.title.clone(),
            format!("{}–{}", l.range.start, inner.len().saturating_sub(1)),
            if last { "-".into() } else { header.to_string() },
            carries.clone(),
        ]);
        if last {
            text.push_str(&format!("\n- {}: {carries}.", l.title));
        } else {
            text.push_str(&format!(
                "\n- {}: a {header}-byte header, then {carries}.",
                l.title
            ));
        }
    }
    text.push_str(&format!(
        "\nThe IPv4 header checksum is {} and the TCP checksum is {}: the demo computed them \
         like a real stack would.",
        verdict(offload::ipv4_header_ok(inner)),
        verdict(offload::checksum_ok(inner))
    ));
    if let Some(m) = &dec.malformed {
        text.push_str(&format!(" The decoder found a problem: {m}."));
    }
    answers.push(
        Answer::new(
            "000.2",
            "What does each layer of the demo's frame carry?",
            text,
        )
        .value(
            "layers",
            inner_layers
                .iter()
                .map(|l| l.kind.name())
                .collect::<Vec<_>>(),
        )
        .value("ipv4_checksum_ok", offload::ipv4_header_ok(inner))
        .value("tcp_checksum_ok", offload::checksum_ok(inner))
        .with_table(t),
    );

    // 000.3: the real frame around it.
    if let Some((no, outer_layers, ips, macs)) = &outer {
        let names: Vec<String> = outer_layers.iter().map(|l| l.title.clone()).collect();
        let mut text = format!(
            "Frame {no} is a real frame on the wire: {}. Its TCP payload holds the demo's \
             frame, so the capture shows a frame inside a frame — the real Ethernet, IPv4 and \
             TCP headers (made by the kernel) around the demo's own Ethernet, IPv4 and TCP \
             headers (made by the program).",
            names.join(" / ")
        );
        let inner_ips = dec.net.ip_addrs();
        let inner_ports = match &dec.transport {
            decode::TransportRepr::Tcp(t) => Some((t.src_port, t.dst_port)),
            _ => None,
        };
        let ports = Some((conn.client().port(), conn.server().port()));
        text.push_str(
            match (
                inner_ips.is_some() && inner_ips == *ips,
                inner_ports == ports,
            ) {
                (true, true) => " The demo's IP addresses and TCP ports are this connection's own.",
                (true, false) => {
                    " The demo's IP addresses are this connection's own; its ports are not."
                }
                (false, _) => " The demo's IP addresses differ from the real ones.",
            },
        );
        let inner_macs = dec.link.macs();
        text.push_str(if inner_macs.is_some() && inner_macs == *macs {
            " So are its MAC addresses."
        } else {
            " Its MAC addresses are made up: a program using ordinary sockets never sees the \
             real ones (only the kernel's ARP table knows them)."
        });
        answers.push(
            Answer::new("000.3", "What is the real frame that carried it?", text)
                .cite(st.file, "the real frame", vec![*no])
                .value("outer_layers", names),
        );
    }

    // 000.4: the other commands and the server's answers.
    let mut text = String::new();
    let mut fr = Vec::new();
    for f in found.iter().filter(|f| f.kind != Some(Kind::Stack)) {
        text.push_str(&format!(
            "\n- `{}`{}",
            f.kind.map_or("unknown", Kind::name),
            if f.payload.is_empty() {
                String::new()
            } else {
                format!(
                    ": \"{}\"",
                    show_text(
                        &f.payload[..f.payload.len().min(60)],
                        f.payload.len() as u32
                    )
                )
            }
        ));
    }
    for (_, c, rs) in &replies {
        if rs.is_empty() {
            continue;
        }
        text.push_str(&format!("\nThe server ({}) answered:", c.server()));
        for (kind, r) in rs.iter().take(8) {
            let first_line = r.lines().next().unwrap_or_default();
            text.push_str(&format!(
                "\n- {}: {}{}",
                Kind::from_byte(*kind).map_or("unknown", Kind::name),
                first_line,
                if r.lines().count() > 1 { " …" } else { "" }
            ));
        }
        fr.extend(c.down().data.first.iter().map(|s| s.at.frame).take(8));
    }
    if !text.is_empty() {
        let file = st.file;
        answers.push(
            Answer::new(
                "000.4",
                "What else did the client ask, and what did the server answer?",
                format!("The client's other commands:{text}"),
            )
            .cite(file, "the server's answers", fr),
        );
    }
    answers
}

//! Lab 002, "Client / Server communication study": the Wireshark view of a file transfer
//! (the seed's Figure 3: No., Time, Length, Info, Protocol) with the phase of each frame, and
//! the interpretation of each phase — the three-way handshake, the data transfer (each ACK is
//! the Seq + Len of what it acknowledges), the FIN exchange — from the capture's own numbers.
//!
//! The transfer is the TCP connection that carried the most bytes from client to server (to
//! the server, when one is known). The table is made by a second pass over that capture, so
//! memory does not grow with the transfer: the first [`HEAD`] rows and the last [`TAIL`] are
//! kept, the rows between are counted.

use std::collections::VecDeque;
use std::net::IpAddr;

use super::facts::{Segment, TcpConn, show_text};
use super::report::{Answer, Table};
use super::{AnswerError, Capture, frames_text, plural, scan};
use crate::decode::tcp_flags::{ACK, FIN, RST, SYN};
use crate::wire::transfer::MAGIC;

/// Rows kept from the start of the connection.
pub const HEAD: usize = 30;
/// Rows kept from its end.
pub const TAIL: usize = 10;

/// Ends (relative Seq + Len) of recent client segments, to check the server's ACKs against.
const RECENT_ENDS: usize = 256;

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Frame number.
    pub no: u64,
    /// Seconds since the capture's first frame.
    pub time: f64,
    /// Frame length.
    pub len: u32,
    /// The Info column (tshark's words).
    pub info: String,
    /// Handshake, data or close.
    pub phase: &'static str,
    /// From the client.
    pub from_client: bool,
    /// The 12 flag bits.
    pub flags: u16,
    /// Relative and raw Seq, relative Ack, payload length.
    pub seq: u32,
    /// Raw sequence number.
    pub seq_raw: u32,
    /// Relative acknowledgement number.
    pub ack: u32,
    /// Payload length.
    pub payload: u32,
}

/// What the second pass found.
#[derive(Debug, Default)]
struct Pass {
    head: Vec<Row>,
    tail: VecDeque<Row>,
    skipped: u64,
    server_acks: u64,
    acks_matching_a_segment: u64,
    /// The server's pure ACKs of the client's FIN (Ack = the FIN's Seq + 1): how many, and
    /// the first frames.
    fin_acks: (u64, Vec<u64>),
    /// Relative Ack that acknowledges the client's FIN, once it was seen.
    client_fin_ack: Option<u32>,
    /// The close, wherever it falls (the table keeps only the start and the end): the first
    /// FIN of each side, and the ACKs of a FIN.
    close_rows: Vec<Row>,
    /// Relative Acks that acknowledge a FIN seen so far (client's, server's).
    fin_ends: [Option<u32>; 2],
    /// The server's first pure ACKs of the transfer.
    ack_frames: Vec<u64>,
    ends: VecDeque<u32>,
    fin_seen: bool,
}

fn pick(caps: &[Capture], server: Option<IpAddr>) -> Option<(usize, &TcpConn)> {
    caps.iter()
        .enumerate()
        .flat_map(|(i, c)| c.facts.tcp.iter().map(move |t| (i, t)))
        .filter(|(_, c)| server.is_none_or(|s| c.server().ip() == s))
        .max_by_key(|(_, c)| (c.up().bytes, c.frames()))
}

/// Every answer of lab 002.
pub fn answers(caps: &[Capture], server: Option<IpAddr>) -> Result<Vec<Answer>, AnswerError> {
    let Some((i, conn)) = pick(caps, server).or_else(|| pick(caps, None)) else {
        return Ok(vec![Answer::new(
            "Figure 3",
            "The Wireshark view of the transfer",
            "No TCP connection in these captures: capture while `wirelab send-file` sends a \
             file to `wirelab recv-file`."
                .into(),
        )]);
    };
    let stream = conn.stream;
    let client = conn.client();
    let hs_ack = conn.handshake_ack.map(|a| a.frame);
    let mut pass = Pass::default();
    scan(&caps[i].path, |p, _| {
        let (Some(t), Some(an), Some((sip, _))) = (p.tcp_repr(), &p.tcp, p.decoded.net.ip_addrs())
        else {
            return;
        };
        if an.stream != stream {
            return;
        }
        let from_client = sip == client.ip() && t.src_port == client.port();
        let payload = t.len.unwrap_or(0);
        if t.flags & FIN != 0 || t.flags & RST != 0 {
            pass.fin_seen = true;
        }
        let phase = if t.flags & SYN != 0 || Some(p.number) == hs_ack {
            "handshake"
        } else if pass.fin_seen {
            "close"
        } else {
            "data"
        };
        if from_client && payload > 0 {
            pass.ends.push_back(an.seq.wrapping_add(payload));
            if pass.ends.len() > RECENT_ENDS {
                pass.ends.pop_front();
            }
        }
        if from_client && t.flags & FIN != 0 && pass.client_fin_ack.is_none() {
            pass.client_fin_ack = Some(an.seq.wrapping_add(payload).wrapping_add(1));
        }
        let pure_ack = payload == 0 && t.flags & (SYN | FIN | RST) == 0 && t.flags & ACK != 0;
        if !from_client && pure_ack && pass.client_fin_ack == Some(an.ack) {
            pass.fin_acks.0 += 1;
            if pass.fin_acks.1.len() < 8 {
                pass.fin_acks.1.push(p.number);
            }
        } else if !from_client && pure_ack {
            pass.server_acks += 1;
            if pass.ack_frames.len() < 8 {
                pass.ack_frames.push(p.number);
            }
            if pass.ends.contains(&an.ack) {
                pass.acks_matching_a_segment += 1;
            }
        }
        let row = Row {
            no: p.number,
            time: p.time_rel(),
            len: p.len,
            info: p.info.clone(),
            phase,
            from_client,
            flags: t.flags,
            seq: an.seq,
            seq_raw: t.seq,
            ack: an.ack,
            payload,
        };
        let side = usize::from(!from_client);
        let first_fin = t.flags & FIN != 0 && pass.fin_ends[side].is_none();
        let acks_fin = t.flags & ACK != 0 && pass.fin_ends[1 - side] == Some(an.ack);
        if (first_fin || acks_fin) && pass.close_rows.len() < 8 {
            pass.close_rows.push(row.clone());
        }
        if first_fin {
            pass.fin_ends[side] = Some(an.seq.wrapping_add(payload).wrapping_add(1));
        }
        if pass.head.len() < HEAD {
            pass.head.push(row);
        } else {
            pass.tail.push_back(row);
            if pass.tail.len() > TAIL {
                pass.tail.pop_front();
                pass.skipped += 1;
            }
        }
    })?;
    let rows: Vec<&Row> = pass.head.iter().chain(pass.tail.iter()).collect();
    Ok(vec![
        figure(caps, i, conn, &pass, &rows),
        handshake(i, conn, &rows),
        transfer(i, conn, &pass, &rows),
        close(i, &close_rows(&rows, &pass.close_rows)),
    ])
}

fn figure(caps: &[Capture], i: usize, conn: &TcpConn, pass: &Pass, rows: &[&Row]) -> Answer {
    let mut t = Table::new(&["No.", "Time", "Length", "Info", "Protocol", "Phase"]);
    for (n, r) in rows.iter().enumerate() {
        if n == pass.head.len() && pass.skipped > 0 {
            t.row(vec![
                "…".into(),
                String::new(),
                String::new(),
                format!("… {} more frames of the transfer …", pass.skipped),
                String::new(),
                "data".into(),
            ]);
        }
        t.row(vec![
            r.no.to_string(),
            format!("{:.6}", r.time),
            r.len.to_string(),
            r.info.clone(),
            "TCP".into(),
            r.phase.into(),
        ]);
    }
    let name = caps[i]
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let total = conn.frames();
    t.note = (pass.skipped > 0).then(|| format!("{} rows of {total} shown", rows.len()));
    let frames: Vec<u64> = rows.iter().map(|r| r.no).take(40).collect();
    Answer::new(
        "Figure 3",
        "The Wireshark view of the transfer, with the phase of each frame",
        format!(
            "TCP stream {} of {name} (file {}): {} → {}, {total} frames, {} bytes from the client \
             to the server. Three parts follow one another, as in the seed's Figure 3: the \
             connection establishment (handshake), the data transfer, and the close.",
            conn.stream,
            i + 1,
            conn.client(),
            conn.server(),
            conn.up().bytes
        ),
    )
    .cite(i, "the transfer's frames", frames)
    .value("stream", conn.stream)
    .value("frames", total)
    .value("client", conn.client().to_string())
    .value("server", conn.server().to_string())
    .with_table(t)
}

fn handshake(i: usize, conn: &TcpConn, rows: &[&Row]) -> Answer {
    let q = "Interpret the three-way handshake (SYN, SYN-ACK, ACK).";
    let syn = rows.iter().find(|r| r.flags & (SYN | ACK) == SYN);
    let synack = rows.iter().find(|r| r.flags & (SYN | ACK) == SYN | ACK);
    let ack = rows
        .iter()
        .find(|r| r.phase == "handshake" && r.flags & SYN == 0);
    let (Some(syn), Some(synack)) = (syn, synack) else {
        return Answer::new(
            "3.1",
            q,
            "The handshake is not in this capture (it started after the connection opened).".into(),
        );
    };
    let mut text = format!(
        "Frame {}, SYN: the client ({}) asks the server ({}) to open a connection; Seq=0 is \
         relative — Wireshark subtracts the client's initial sequence number, raw {}. Frame {}, \
         SYN-ACK: the server accepts with its own initial sequence number (Seq=0, raw {}) and \
         Ack={}: the client's ISN + 1, because a SYN counts as one byte.",
        syn.no,
        conn.client(),
        conn.server(),
        syn.seq_raw,
        synack.no,
        synack.seq_raw,
        synack.ack
    );
    let mut frames = vec![syn.no, synack.no];
    if let Some(a) = ack {
        text.push_str(&format!(
            " Frame {}, ACK: Seq={} Ack={} — the server's ISN + 1. Both sides now know each \
             other's starting numbers; the server does not answer this ACK.",
            a.no, a.seq, a.ack
        ));
        frames.push(a.no);
    }
    Answer::new("3.1", q, text)
        .cite(i, "handshake", frames)
        .value("client_isn", syn.seq_raw)
        .value("server_isn", synack.seq_raw)
}

/// The send-file header at the start of the client's stream (`WLFT`, version, name length,
/// name, size): its length, the name and the file's size, when the preview holds it all.
fn wlft_header(preview: &[u8]) -> Option<(u64, String, u64)> {
    if preview.get(..4)? != MAGIC {
        return None;
    }
    let name_len = usize::from(u16::from_be_bytes([*preview.get(5)?, *preview.get(6)?]));
    let name = preview.get(7..7 + name_len)?;
    let size: [u8; 8] = preview.get(7 + name_len..15 + name_len)?.try_into().ok()?;
    Some((
        (15 + name_len) as u64,
        show_text(name, name.len() as u32),
        u64::from_be_bytes(size),
    ))
}

/// A verdict of the receiver (status byte, 2-byte length, message), in words; `ok` is what
/// status 0 means there.
fn verdict_text(seg: &Segment, ok: &str) -> String {
    let msg = seg.preview.get(3..).unwrap_or_default();
    let status = match seg.preview.first() {
        Some(0) => format!("status 0 = {ok}"),
        Some(_) => "status 1 = refused".to_string(),
        None => String::new(),
    };
    format!(
        "{status}, then a 2-byte length and the message \"{}\"",
        show_text(msg, seg.len.saturating_sub(3))
    )
}

fn transfer(i: usize, conn: &TcpConn, pass: &Pass, rows: &[&Row]) -> Answer {
    let q = "Interpret the data transfer (data with Len, and the ACKs).";
    let up = conn.up();
    let data: Vec<&&Row> = rows
        .iter()
        .filter(|r| r.from_client && r.payload > 0)
        .collect();
    let sizes: Vec<String> = data
        .iter()
        .take(6)
        .map(|r| format!("Len={}", r.payload))
        .collect();
    // The stream's length from the client's FIN (its Seq is one past the last byte).
    let stream_len = rows
        .iter()
        .find(|r| r.from_client && r.flags & FIN != 0)
        .map(|r| u64::from(r.seq.wrapping_add(r.payload)).saturating_sub(1));
    let mut text = format!(
        "The client sent {} data segment{} carrying {} bytes ({}{}){}. Each one's Seq is the \
         relative number of its first byte: the next segment starts at Seq + Len of the one \
         before.",
        up.data.count,
        plural(up.data.count),
        up.bytes,
        sizes.join(", "),
        if up.data.count > 6 { ", …" } else { "" },
        match stream_len {
            Some(n) if n != up.bytes => format!(
                "; the stream itself is {n} bytes long — the FIN's Seq says so — so {} bytes \
                 were sent twice",
                up.bytes.saturating_sub(n)
            ),
            _ => String::new(),
        }
    );
    let header = up.first_data().and_then(|s| wlft_header(&s.preview));
    if let Some(first) = data.first() {
        let seg = up.first_data();
        text.push_str(&format!(
            " The first (frame {}) starts at Seq={}{}.",
            first.no,
            first.seq,
            seg.map(|s| format!(
                " and begins \"{}\"",
                super::facts::show_text(&s.preview[..s.preview.len().min(24)], s.len)
            ))
            .unwrap_or_default()
        ));
    }
    let stream_bytes = stream_len.unwrap_or(up.bytes);
    if let Some((hlen, name, size)) = &header {
        let digest = stream_bytes.checked_sub(hlen + size);
        text.push_str(&format!(
            " Those bytes are send-file's protocol: the WLFT header ({hlen} bytes: \"WLFT\", \
             version 1, the name's length, the name \"{name}\" and the file's size, {size}), \
             then the file's {size} bytes{}.",
            match digest {
                Some(32) => " and last its 32-byte BLAKE3 digest".to_string(),
                Some(0) => String::new(),
                Some(n) => format!(" and {n} more bytes (the digest is 32)"),
                None => " (the capture ends before the file does)".to_string(),
            }
        ));
    }
    text.push_str(&format!(
        " The server acknowledged the data with {} pure ACK{}{}; {} of them acknowledge \
         exactly the end (Seq + Len) of a segment the client sent — Ack is the number of the \
         next byte the server expects, so everything before it arrived.",
        pass.server_acks,
        plural(pass.server_acks),
        if pass.ack_frames.is_empty() {
            String::new()
        } else {
            format!(" ({})", frames_text(&pass.ack_frames, pass.server_acks))
        },
        pass.acks_matching_a_segment
    ));
    if pass.fin_acks.0 > 0 {
        text.push_str(&format!(
            " Its other pure ACK{} ({}) acknowledge{} the client's FIN, not data (3.3).",
            if pass.fin_acks.0 == 1 {
                String::new()
            } else {
                format!("s, {},", pass.fin_acks.0)
            },
            frames_text(&pass.fin_acks.1, pass.fin_acks.0),
            if pass.fin_acks.0 == 1 { "s" } else { "" }
        ));
    }
    let down = conn.down();
    if down.bytes == 0 {
        text.push_str(" The server's own Seq stays at 1: it sends no data back.");
    } else {
        let segs = &down.data.first;
        let parts: Vec<String> = segs
            .iter()
            .enumerate()
            .take(4)
            .map(|(n, s)| {
                let what = if header.is_none() {
                    String::new()
                } else if n == 0 {
                    format!(
                        ": the go-ahead after the header ({})",
                        verdict_text(s, "go on")
                    )
                } else if n + 1 == segs.len() {
                    format!(
                        ": the reply after the digest ({})",
                        verdict_text(s, "saved")
                    )
                } else {
                    format!(" ({})", verdict_text(s, "go on"))
                };
                format!("frame {}, {} bytes{what}", s.at.frame, s.len)
            })
            .collect();
        text.push_str(&format!(
            " The server also sent {} bytes of its own in {} segment{}: {}{}; its Seq grows by \
             them, and the client's ACKs acknowledge them.",
            down.bytes,
            down.data.count,
            plural(down.data.count),
            parts.join("; "),
            if down.data.count > 4 { "; …" } else { "" }
        ));
    }
    let retrans = up.retransmissions.count;
    if retrans > 0 {
        text.push_str(&format!(
            " {retrans} segment{} had to be sent again: {} carr{} sequence numbers sent before ({}).",
            plural(retrans),
            if retrans == 1 { "it" } else { "they" },
            if retrans == 1 { "ies" } else { "y" },
            frames_text(&up.retransmissions.frames(), retrans)
        ));
    }
    let frames: Vec<u64> = data.iter().map(|r| r.no).take(16).collect();
    let mut a = Answer::new("3.2", q, text)
        .cite(i, "data segments", frames)
        .value("data_segments", up.data.count)
        .value("bytes", up.bytes)
        .value("server_acks", pass.server_acks)
        .value("acks_matching_a_segment_end", pass.acks_matching_a_segment)
        .value("fin_acks", pass.fin_acks.0)
        .value("server_bytes", down.bytes)
        .value("server_data_segments", down.data.count)
        .value("retransmissions", retrans);
    if let Some((hlen, _, size)) = header {
        a = a.value("header_bytes", hlen).value("file_bytes", size);
    }
    if !pass.ack_frames.is_empty() {
        a = a.cite(i, "the server's pure ACKs", pass.ack_frames.clone());
    }
    if down.data.count > 0 {
        a = a.cite(
            i,
            "the server's data",
            down.data.first.iter().map(|s| s.at.frame).collect(),
        );
    }
    a
}

/// The rows the close is read from: the table's and the close's own, in frame order.
fn close_rows<'a>(rows: &[&'a Row], close: &'a [Row]) -> Vec<&'a Row> {
    let mut all: Vec<&Row> = rows.to_vec();
    all.extend(close.iter().filter(|c| !rows.iter().any(|r| r.no == c.no)));
    all.sort_by_key(|r| r.no);
    all
}

fn close(i: usize, rows: &[&Row]) -> Answer {
    let q = "Interpret the close (the FIN exchange).";
    let fins: Vec<&&Row> = rows.iter().filter(|r| r.flags & FIN != 0).collect();
    let Some(first) = fins.first() else {
        let rst = rows.iter().find(|r| r.flags & RST != 0);
        return Answer::new(
            "3.3",
            q,
            match rst {
                Some(r) => format!("No FIN: the connection was reset (RST, frame {}).", r.no),
                None => {
                    "No FIN in this capture: the connection was still open when it ended.".into()
                }
            },
        );
    };
    let who = if first.from_client {
        "client"
    } else {
        "server"
    };
    let other = if first.from_client {
        "server"
    } else {
        "client"
    };
    let fin_seq = first.seq.wrapping_add(first.payload);
    let mut text = format!(
        "Frame {}: the {who} has nothing more to send and closes its side with FIN at Seq={}.",
        first.no, fin_seq
    );
    let mut frames = vec![first.no];
    if let Some(second) = fins.iter().find(|r| r.from_client != first.from_client) {
        text.push_str(&format!(
            " Frame {}: the {other} acknowledges it (Ack={} = {} + 1: a FIN counts as one byte) \
             and closes its own side with FIN at Seq={}.",
            second.no,
            second.ack,
            fin_seq,
            second.seq.wrapping_add(second.payload)
        ));
        frames.push(second.no);
        let last_fin = second.seq.wrapping_add(second.payload).wrapping_add(1);
        if let Some(last) = rows
            .iter()
            .find(|r| r.no > second.no && r.from_client == first.from_client && r.ack == last_fin)
        {
            text.push_str(&format!(
                " Frame {}: the {who}'s last ACK (Ack={}) — the connection is closed.",
                last.no, last.ack
            ));
            frames.push(last.no);
        }
    } else {
        text.push_str(&format!(" The {other}'s FIN is not in the capture."));
    }
    Answer::new("3.3", q, text)
        .cite(i, "FIN exchange", frames)
        .value("first_fin_from", who)
}

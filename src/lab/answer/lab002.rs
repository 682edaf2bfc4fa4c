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

use super::facts::TcpConn;
use super::report::{Answer, Table};
use super::{AnswerError, Capture, frames_text, plural, scan};
use crate::decode::tcp_flags::{ACK, FIN, RST, SYN};

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
        if !from_client && payload == 0 && t.flags & (SYN | FIN | RST) == 0 && t.flags & ACK != 0 {
            pass.server_acks += 1;
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
        close(i, &rows),
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
    text.push_str(&format!(
        " The server answered with {} pure ACK{}; {} of them acknowledge exactly the end (Seq + \
         Len) of a segment the client sent — Ack is the number of the next byte the server \
         expects, so everything before it arrived.",
        pass.server_acks,
        plural(pass.server_acks),
        pass.acks_matching_a_segment
    ));
    if conn.down().bytes == 0 {
        text.push_str(" The server's own Seq stays at 1: it sends no data back.");
    } else {
        text.push_str(&format!(
            " The server also sent {} bytes of its own.",
            conn.down().bytes
        ));
    }
    let retrans = up.retransmissions.count;
    if retrans > 0 {
        text.push_str(&format!(
            " {retrans} segment{} had to be sent again ({}).",
            plural(retrans),
            frames_text(&up.retransmissions.frames(), retrans)
        ));
    }
    let frames: Vec<u64> = data.iter().map(|r| r.no).take(16).collect();
    Answer::new("3.2", q, text)
        .cite(i, "data segments", frames)
        .value("data_segments", up.data.count)
        .value("bytes", up.bytes)
        .value("server_acks", pass.server_acks)
        .value("acks_matching_a_segment_end", pass.acks_matching_a_segment)
        .value("retransmissions", retrans)
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

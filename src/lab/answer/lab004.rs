//! Lab 004, "Socket Programming — TCP": a client connects, sends one message ("Hai from
//! client"), the server prints who connected, replies ("Thanks for connecting") and closes.
//! Answered per connection: what each side said, which socket addresses each run used, and
//! how the connection opened and closed.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::facts::{TcpConn, show_text};
use super::report::{Answer, Table};
use super::{Capture, frames_text, plural};

fn conns(caps: &[Capture], s: IpAddr) -> Vec<(usize, &TcpConn)> {
    caps.iter()
        .enumerate()
        .flat_map(|(i, c)| c.facts.tcp_to(s).map(move |t| (i, t)))
        .collect()
}

fn text_of(d: &super::facts::Direction) -> String {
    match d.data.first.as_slice() {
        [] => "nothing".into(),
        [one] if d.data.count == 1 => format!("\"{}\"", show_text(&one.preview, one.len)),
        [first, ..] => format!(
            "{} bytes in {} segments, starting \"{}\"",
            d.bytes,
            d.data.count,
            show_text(&first.preview[..first.preview.len().min(24)], first.len)
        ),
    }
}

/// Every answer of lab 004.
pub fn answers(caps: &[Capture], server: Option<IpAddr>) -> Vec<Answer> {
    let Some(s) = server else {
        return vec![Answer::new(
            "004.1",
            "What did the client and the server say?",
            "No TCP server in these captures: capture while `wirelab tcp-client` talks to \
             `wirelab tcp-server` (or give --server)."
                .into(),
        )];
    };
    let all = conns(caps, s);
    vec![messages(&all), ports(&all), open_close(&all)]
}

const Q1: &str = "What did the client and the server say, in which frames?";

fn messages(all: &[(usize, &TcpConn)]) -> Answer {
    let mut a = Answer::new("004.1", Q1, String::new());
    let mut table = Table::new(&[
        "Connection",
        "Client sent",
        "Frames",
        "Server replied",
        "Frames",
    ]);
    let mut text = format!("{} connection{}:", all.len(), plural(all.len() as u64));
    for (i, c) in all {
        let up: Vec<u64> = c.up().data.first.iter().map(|s| s.at.frame).collect();
        let down: Vec<u64> = c.down().data.first.iter().map(|s| s.at.frame).collect();
        text.push_str(&format!(
            "\n- {} → {}: the client sent {} ({}); the server replied {} ({}).",
            c.client(),
            c.server(),
            text_of(c.up()),
            frames_text(&up, c.up().data.count),
            text_of(c.down()),
            frames_text(&down, c.down().data.count)
        ));
        table.row(vec![
            format!("{} → {}", c.client(), c.server()),
            text_of(c.up()),
            frames_text(&up, c.up().data.count),
            text_of(c.down()),
            frames_text(&down, c.down().data.count),
        ]);
        a = a
            .cite(*i, "client's message", up)
            .cite(*i, "server's reply", down);
    }
    if all.is_empty() {
        text = "No connection to the server in these captures.".into();
    } else {
        text.push_str(
            "\nThe server's `print('Got connection from', addr)` shows the client's socket \
             address — the same one as in the frames' source fields.",
        );
    }
    a.answer = text;
    a.value("connections", all.len()).with_table(table)
}

const Q2: &str = "Which socket addresses did each run of the client use?";

fn ports(all: &[(usize, &TcpConn)]) -> Answer {
    let servers: BTreeSet<String> = all.iter().map(|(_, c)| c.server().to_string()).collect();
    let clients: Vec<String> = all.iter().map(|(_, c)| c.client().to_string()).collect();
    let mut a = Answer::new(
        "004.2",
        Q2,
        if all.is_empty() {
            "No connection to the server in these captures.".into()
        } else {
            format!(
                "The server always used {}: the socket address its program bound (seed 004's code \
                 binds port 8080). \
                 The client used {} — {}: every run creates a new socket, and its kernel picks \
                 a free ephemeral port for it at connect(), so the seed's output shows ports \
                 50770 then 50772.",
                servers.iter().cloned().collect::<Vec<_>>().join(", "),
                clients.join(", "),
                if clients.len() > 1 {
                    "a different port for each run"
                } else {
                    "one port for its one run"
                }
            )
        },
    );
    for (i, c) in all {
        if let Some(syn) = c.syn {
            a = a.cite(*i, &format!("SYN from {}", c.client()), vec![syn.frame]);
        }
    }
    a.value("server_sockets", servers.into_iter().collect::<Vec<_>>())
        .value("client_sockets", clients)
}

const Q3: &str = "How did each connection open and close? Who closed first?";

fn open_close(all: &[(usize, &TcpConn)]) -> Answer {
    let mut a = Answer::new("004.3", Q3, String::new());
    let mut text = String::new();
    let mut first_closers = Vec::new();
    for (i, c) in all {
        let hs = c.handshake_frames();
        text.push_str(&format!(
            "- {}: {}",
            c.client(),
            if c.handshake_complete() {
                format!("three-way handshake ({})", frames_text(&hs, 3))
            } else {
                "handshake not (fully) captured".into()
            }
        ));
        a = a.cite(*i, "handshake", hs);
        let (cf, sf) = (c.up().fin, c.down().fin);
        let closer = match (cf, sf) {
            (Some(x), Some(y)) if y.abs < x.abs || (y.abs == x.abs && y.frame < x.frame) => {
                Some(("server", y, Some(x)))
            }
            (Some(x), y) => Some(("client", x, y)),
            (None, Some(y)) => Some(("server", y, None)),
            (None, None) => None,
        };
        match closer {
            Some((who, first, second)) => {
                text.push_str(&format!(
                    "; the {who} closed first (FIN, frame {}){}.\n",
                    first.frame,
                    match second {
                        Some(s) => format!(", the other side's FIN followed (frame {})", s.frame),
                        None => String::new(),
                    }
                ));
                let mut fr = vec![first.frame];
                fr.extend(second.map(|s| s.frame));
                a = a.cite(*i, "FINs", fr);
                first_closers.push(who);
            }
            None => {
                if let Some(r) = c.up().rst.or(c.down().rst) {
                    text.push_str(&format!("; it was reset (RST, frame {}).\n", r.frame));
                } else {
                    text.push_str("; it was still open when the capture ended.\n");
                }
            }
        }
    }
    if all.is_empty() {
        text = "No connection to the server in these captures.".into();
    } else if first_closers.iter().all(|w| *w == "server") && !first_closers.is_empty() {
        text.push_str(
            "The server closes first: its code calls c.close() right after sending the reply, so \
             its FIN leaves before the client's. The side that closes first is the one that \
             waits in TIME_WAIT afterwards.",
        );
    } else if !first_closers.is_empty() {
        text.push_str(
            "The side that sends the first FIN closes actively and waits in TIME_WAIT afterwards; \
             the other side acknowledges the FIN and closes its half with its own FIN.",
        );
    }
    a.answer = text.trim_end().to_string();
    a.value("first_to_close", first_closers)
}

//! Lab 001, SIMP (the course's chat protocol over UDP port 7777): who talked, the three-way
//! handshake (SYN, SYN+ACK, ACK) or its refusal, stop-and-wait with the alternating sequence
//! bit, resent and duplicate messages, and the FIN/ACK teardown — from the SIMP messages in a
//! capture, decoded by [`crate::decode::simp`].
//!
//! The capture with the most SIMP messages is answered (two daemons' captures of one chat
//! hold the same datagrams twice). At most [`MAX_MESSAGES`] messages are kept per file.

use std::net::SocketAddr;

use super::report::{Answer, Table};
use super::{AnswerError, Capture, frames_text, plural, scan, seconds};
use crate::decode::TransportRepr;
use crate::decode::simp::{self, DAEMON_PORT, Operation};

/// SIMP messages kept per capture.
pub const MAX_MESSAGES: usize = 2000;

/// One SIMP message seen on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    /// Frame number.
    pub frame: u64,
    /// Seconds since the capture's first frame.
    pub time: f64,
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// What it is.
    pub op: Operation,
    /// Sequence bit.
    pub seq: u8,
    /// User name.
    pub user: String,
    /// Payload as text (cut at 120 characters).
    pub text: String,
}

/// The SIMP messages of one capture, and how many there were.
fn messages(cap: &Capture) -> Result<(Vec<Msg>, u64, u64), AnswerError> {
    let mut v = Vec::new();
    let mut total = 0u64;
    let mut malformed = 0u64;
    scan(&cap.path, |p, f| {
        let TransportRepr::Udp(u) = &p.decoded.transport else {
            return;
        };
        if u.src_port != DAEMON_PORT && u.dst_port != DAEMON_PORT {
            return;
        }
        let Some((sip, dip)) = p.decoded.net.ip_addrs() else {
            return;
        };
        let payload = p.decoded.app_payload(&f.data);
        match simp::view(payload) {
            Ok(m) => {
                total += 1;
                if v.len() < MAX_MESSAGES {
                    let text: String = String::from_utf8_lossy(m.payload())
                        .chars()
                        .take(120)
                        .collect();
                    v.push(Msg {
                        frame: p.number,
                        time: p.time_rel(),
                        src: SocketAddr::new(sip, u.src_port),
                        dst: SocketAddr::new(dip, u.dst_port),
                        op: m.op(),
                        seq: m.seq(),
                        user: m.user().to_string(),
                        text,
                    });
                }
            }
            Err(_) if p.app_layer(crate::dissect::Dissector::Simp).is_some() => malformed += 1,
            Err(_) => {}
        }
    })?;
    Ok((v, total, malformed))
}

/// Every answer of lab 001.
pub fn answers(caps: &[Capture]) -> Result<Vec<Answer>, AnswerError> {
    let mut best: Option<(usize, Vec<Msg>, u64, u64)> = None;
    for (i, c) in caps.iter().enumerate() {
        let (m, total, bad) = messages(c)?;
        if best.as_ref().is_none_or(|b| total > b.2) {
            best = Some((i, m, total, bad));
        }
    }
    let Some((file, msgs, total, malformed)) = best.filter(|b| b.2 > 0) else {
        return Ok(vec![Answer::new(
            "001.1",
            "Who chatted, from which daemons?",
            format!(
                "No SIMP message in these captures (UDP port {DAEMON_PORT}): capture while two \
                 `wirelab simp daemon`s chat."
            ),
        )]);
    };
    Ok(vec![
        who(file, &msgs, total, malformed),
        handshake(file, &msgs),
        stop_and_wait(file, &msgs),
        resends(file, &msgs),
        teardown(file, &msgs),
    ])
}

fn who(file: usize, msgs: &[Msg], total: u64, malformed: u64) -> Answer {
    let mut daemons: Vec<SocketAddr> = msgs.iter().flat_map(|m| [m.src, m.dst]).collect();
    daemons.sort();
    daemons.dedup();
    let mut users: Vec<(SocketAddr, String)> = msgs
        .iter()
        .filter(|m| !m.user.is_empty())
        .map(|m| (m.src, m.user.clone()))
        .collect();
    users.sort();
    users.dedup();
    let mut t = Table::new(&[
        "No.", "Time", "From", "To", "Message", "Seq", "User", "Payload",
    ]);
    for m in msgs.iter().take(60) {
        t.row(vec![
            m.frame.to_string(),
            format!("{:.6}", m.time),
            m.src.to_string(),
            m.dst.to_string(),
            m.op.name().to_string(),
            m.seq.to_string(),
            m.user.clone(),
            m.text.clone(),
        ]);
    }
    if msgs.len() > 60 {
        t.note = Some(format!("60 of {total} messages shown"));
    }
    let text = format!(
        "{total} SIMP message{} between {} daemon socket address{} ({}), users {}. Daemons talk \
         UDP from port {DAEMON_PORT} to port {DAEMON_PORT}; each message is one datagram with a \
         39-byte SIMP header (type, operation, sequence bit, user name, payload length).{}",
        plural(total),
        daemons.len(),
        if daemons.len() == 1 { "" } else { "es" },
        daemons
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        users
            .iter()
            .map(|(a, u)| format!("{u} (at {})", a.ip()))
            .collect::<Vec<_>>()
            .join(", "),
        if malformed > 0 {
            format!(
                " {malformed} datagram{} on the port did not parse as SIMP.",
                plural(malformed)
            )
        } else {
            String::new()
        }
    );
    Answer::new("001.1", "Who chatted, from which daemons?", text)
        .cite(
            file,
            "SIMP messages",
            msgs.iter().map(|m| m.frame).take(24).collect(),
        )
        .value("messages", total)
        .value(
            "daemons",
            daemons.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        )
        .with_table(t)
}

fn handshake(file: usize, msgs: &[Msg]) -> Answer {
    let q = "How was the chat set up (the three-way handshake)?";
    let Some(syn) = msgs.iter().find(|m| m.op == Operation::Syn) else {
        return Answer::new(
            "001.2",
            q,
            "No SYN in the capture: the invitation was sent before it started.".into(),
        );
    };
    let answer = msgs.iter().find(|m| {
        m.frame > syn.frame
            && m.src == syn.dst
            && matches!(m.op, Operation::SynAck | Operation::Fin | Operation::Err)
    });
    let mut text = format!(
        "Frame {}: {} ({}) invites {} with a SYN.",
        syn.frame, syn.user, syn.src, syn.dst
    );
    let mut frames = vec![syn.frame];
    match answer {
        Some(m) if m.op == Operation::SynAck => {
            text.push_str(&format!(
                " Frame {}: {} accepts with SYN+ACK.",
                m.frame, m.user
            ));
            frames.push(m.frame);
            if let Some(ack) = msgs
                .iter()
                .find(|x| x.frame > m.frame && x.src == syn.src && x.op == Operation::Ack)
            {
                text.push_str(&format!(
                    " Frame {}: the inviter's ACK completes the three-way handshake; the chat is open.",
                    ack.frame
                ));
                frames.push(ack.frame);
            }
        }
        Some(m) if m.op == Operation::Fin => {
            text.push_str(&format!(
                " Frame {}: {} declines with FIN; no chat starts.",
                m.frame, m.user
            ));
            frames.push(m.frame);
        }
        Some(m) => {
            text.push_str(&format!(
                " Frame {}: an ERR answers it: \"{}\" (a daemon already in a chat is busy).",
                m.frame, m.text
            ));
            frames.push(m.frame);
        }
        None => text.push_str(" No answer to it is in the capture."),
    }
    text.push_str(
        " As in TCP, three messages are needed so that each side knows the other heard it; \
         unlike TCP there are no sequence numbers to agree on, only the one-bit sequence.",
    );
    Answer::new("001.2", q, text).cite(file, "handshake", frames)
}

fn stop_and_wait(file: usize, msgs: &[Msg]) -> Answer {
    let q = "How does stop-and-wait show in the capture?";
    let chats: Vec<&Msg> = msgs.iter().filter(|m| m.op == Operation::Message).collect();
    if chats.is_empty() {
        return Answer::new("001.3", q, "No chat message in the capture.".into());
    }
    let mut t = Table::new(&["Message", "Frame", "Seq", "Text", "ACK frame", "ACK after"]);
    let mut waited_ok = 0u64;
    let mut new_msgs = 0u64;
    let mut frames = Vec::new();
    for (n, m) in chats.iter().enumerate() {
        let ack = msgs.iter().find(|a| {
            a.frame > m.frame
                && a.op == Operation::Ack
                && a.src == m.dst
                && a.dst == m.src
                && a.seq == m.seq
        });
        let resend = chats[..n]
            .iter()
            .rev()
            .find(|p| p.src == m.src)
            .is_some_and(|p| p.seq == m.seq && p.text == m.text);
        if !resend {
            new_msgs += 1;
            // The previous new message from this sender must have been acknowledged before.
            let prev = chats[..n]
                .iter()
                .rev()
                .find(|p| p.src == m.src && p.seq != m.seq);
            let ok = prev.is_none_or(|p| {
                msgs.iter().any(|a| {
                    a.frame > p.frame
                        && a.frame < m.frame
                        && a.op == Operation::Ack
                        && a.src == p.dst
                        && a.seq == p.seq
                })
            });
            if ok {
                waited_ok += 1;
            }
        }
        t.row(vec![
            if resend {
                "resent".into()
            } else {
                m.user.clone()
            },
            m.frame.to_string(),
            m.seq.to_string(),
            m.text.clone(),
            ack.map(|a| a.frame.to_string())
                .unwrap_or_else(|| "—".into()),
            ack.map(|a| seconds(a.time - m.time)).unwrap_or_default(),
        ]);
        frames.push(m.frame);
        if let Some(a) = ack {
            frames.push(a.frame);
        }
    }
    let bits: Vec<String> = chats.iter().take(12).map(|m| m.seq.to_string()).collect();
    let text = format!(
        "{} chat message{} ({new_msgs} new, {} resent), each answered by an ACK with the same \
         sequence bit. The bits go {}{}: each new message flips it, so the receiver can tell a \
         new message from a resent one. {waited_ok} of the {new_msgs} new messages were sent \
         only after the ACK of the sender's previous one — that is stop-and-wait: one message \
         in flight at a time, the next one waits in the daemon's buffer.",
        chats.len(),
        plural(chats.len() as u64),
        chats.len() as u64 - new_msgs,
        bits.join(", "),
        if chats.len() > 12 { ", …" } else { "" }
    );
    frames.truncate(32);
    Answer::new("001.3", q, text)
        .cite(file, "messages and their ACKs", frames)
        .value("chat_messages", chats.len())
        .value("new_messages", new_msgs)
        .value("waited_for_ack", waited_ok)
        .with_table(t)
}

fn resends(file: usize, msgs: &[Msg]) -> Answer {
    let q = "Were messages resent or duplicated? How did the daemons handle it?";
    let chats: Vec<&Msg> = msgs.iter().filter(|m| m.op == Operation::Message).collect();
    let mut text = String::new();
    let mut frames = Vec::new();
    let mut n_resent = 0u64;
    for (n, m) in chats.iter().enumerate() {
        let Some(prev) = chats[..n].iter().rev().find(|p| p.src == m.src) else {
            continue;
        };
        if prev.seq != m.seq || prev.text != m.text {
            continue;
        }
        n_resent += 1;
        let acks: Vec<&Msg> = msgs
            .iter()
            .filter(|a| {
                a.op == Operation::Ack
                    && a.src == m.dst
                    && a.seq == m.seq
                    && a.frame > prev.frame
                    && chats
                        .iter()
                        .find(|x| x.src == m.src && x.frame > m.frame)
                        .is_none_or(|next| a.frame < next.frame)
            })
            .collect();
        if n_resent <= 6 {
            text.push_str(&format!(
                "\n- frame {} resends frame {} (same sequence bit {}, \"{}\") {} later: no \
                 ACK had come back in time{}.",
                m.frame,
                prev.frame,
                m.seq,
                m.text,
                seconds(m.time - prev.time),
                match acks.len() {
                    0 => String::new(),
                    1 => format!("; the receiver's ACK is frame {}", acks[0].frame),
                    k => format!(
                        "; the receiver acknowledged {k} times ({}): it got the message twice, \
                         acknowledged the duplicate again and showed it once",
                        frames_text(&acks.iter().map(|a| a.frame).collect::<Vec<_>>(), k as u64)
                    ),
                }
            ));
        }
        frames.push(prev.frame);
        frames.push(m.frame);
        frames.extend(acks.iter().map(|a| a.frame));
    }
    frames.truncate(32);
    let body = if n_resent == 0 {
        "No message was resent: every chat message was acknowledged before the daemon's timeout. \
         (With loss — a lossy switch, `wirelab lab up --loss 20%` — a message whose ACK does not \
         come back in time is resent with the same sequence bit, and a receiver that already has \
         it acknowledges it again but shows it once.)"
            .to_string()
    } else {
        format!(
            "{n_resent} message{} resent:{text}\nA resend keeps its sequence bit, so a receiver \
             that already had the message recognises the duplicate: it acknowledges it again \
             (its first ACK may be the one that was lost) and does not show it twice.",
            if n_resent == 1 { " was" } else { "s were" }
        )
    };
    Answer::new("001.4", q, body)
        .cite(file, "resent messages and ACKs", frames)
        .value("resent", n_resent)
}

fn teardown(file: usize, msgs: &[Msg]) -> Answer {
    let q = "How did the chat end?";
    let syn = msgs
        .iter()
        .find(|m| m.op == Operation::Syn)
        .map_or(0, |m| m.frame);
    let Some(fin) = msgs
        .iter()
        .find(|m| {
            m.op == Operation::Fin
                && msgs
                    .iter()
                    .any(|x| x.op == Operation::Message && x.frame < m.frame && x.frame > syn)
        })
        .or_else(|| msgs.iter().find(|m| m.op == Operation::Fin))
    else {
        return Answer::new(
            "001.5",
            q,
            "No FIN in the capture: the chat was still open when it ended.".into(),
        );
    };
    let ack = msgs
        .iter()
        .find(|a| a.frame > fin.frame && a.op == Operation::Ack && a.src == fin.dst);
    let mut text = format!(
        "Frame {}: {} ({}) ends the chat with FIN (its user typed `q`).",
        fin.frame, fin.user, fin.src
    );
    let mut frames = vec![fin.frame];
    match ack {
        Some(a) => {
            text.push_str(&format!(
                " Frame {}: the other daemon acknowledges it with ACK; both sides are back to \
                 waiting or inviting. Two messages suffice, unlike TCP's four: SIMP has no half-open \
                 direction left to close.",
                a.frame
            ));
            frames.push(a.frame);
        }
        None => text.push_str(" Its ACK is not in the capture."),
    }
    Answer::new("001.5", q, text).cite(file, "teardown", frames)
}

//! `--tcp-report`: the TCP lab's questions answered for one stream, each answer with the
//! frames it comes from, a sentence on how it was worked out and the graph that shows it.
//! [`answers`] builds them (text and typed values); [`write_report`] prints them, and
//! `sink::json_views::write_report` writes them as JSON Lines.

use std::io::{self, Write};

use super::rtt::millis;
use super::table::time_string;
use super::throughput::rate;
use crate::analyse::report::{
    DirectionReport, MAX_ROUNDS as MAX_ROUNDS_SHOWN, Report, ResendLabel, StreamReport,
};
use crate::decode::names::tcp_flag_names;

/// A typed value of an answer (for JSON and tests).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// An integer.
    Int(i128),
    /// A number of seconds, from nanoseconds.
    Secs(i64),
    /// A real number.
    Num(f64),
    /// Text.
    Text(String),
    /// Yes or no.
    Bool(bool),
    /// A list of integers (frames, sequence numbers, lengths...).
    Ints(Vec<i128>),
    /// Nothing known.
    None,
}

/// One question answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// A short stable key (`sockets`, `syn`, `syn_ack`, ...).
    pub id: &'static str,
    /// The question, as the lab asks it.
    pub question: &'static str,
    /// The answer, in sentences (may span lines).
    pub answer: String,
    /// The frames the answer comes from.
    pub frames: Vec<u64>,
    /// How it was worked out.
    pub how: String,
    /// The `wirelab graph --kind` that shows it, if any.
    pub graph: Option<&'static str>,
    /// The numbers behind the answer.
    pub values: Vec<(&'static str, Val)>,
}

fn flags_text(f: u16) -> String {
    let mut s = String::new();
    tcp_flag_names(f, &mut s);
    s
}

fn opt_frame(f: Option<u64>) -> Vec<u64> {
    f.into_iter().collect()
}

fn list(frames: &[u64], total: u64) -> String {
    let mut s: Vec<String> = frames.iter().map(u64::to_string).collect();
    if total > frames.len() as u64 {
        s.push(format!("... ({total} in all)"));
    }
    s.join(", ")
}

/// The answers for `r` (empty when there is no stream to report on).
pub fn answers(r: &Report) -> Vec<Answer> {
    let Some(s) = &r.stream else {
        return Vec::new();
    };
    let d = s.data_dir();
    let (tx, rx) = (&s.dirs[d], &s.dirs[1 - d]);
    vec![
        sockets(s, tx, rx),
        syn(s),
        syn_ack(s),
        first_data(tx),
        first_six(tx),
        lengths(tx),
        rtt_summary(tx),
        window(tx, rx),
        retransmissions(s, tx, rx),
        acks(tx, rx),
        throughput(tx, rx),
        slow_start(tx),
    ]
}

/// "1 segment", "2 segments".
fn segments(n: impl Into<u64>) -> String {
    let n = n.into();
    format!("{n} segment{}", if n == 1 { "" } else { "s" })
}

fn sockets(s: &StreamReport, tx: &DirectionReport, rx: &DirectionReport) -> Answer {
    let client = s.client();
    let server = if client == s.a { s.b } else { s.a };
    let show = |a: Option<std::net::SocketAddr>| {
        a.map_or("unknown (the SYN was not captured)".to_string(), |a| {
            a.to_string()
        })
    };
    let upload = tx.src == client;
    Answer {
        id: "sockets",
        question: "What are the IP addresses and port numbers of the client and the server?",
        answer: format!(
            "Client {} and server {} (TCP stream {}). The data flows {} → {}: {} bytes of payload, {} the other way, so this is {}.",
            show(client),
            show(server),
            s.stream,
            show(tx.src),
            show(rx.src),
            tx.payload,
            rx.payload,
            if upload {
                "an upload (client to server)"
            } else {
                "a download (server to client)"
            }
        ),
        frames: opt_frame(s.syn.as_ref().map(|x| x.frame)),
        how: if s.syn.is_some() {
            "The client is the side that sent the SYN; the server answered with the SYN-ACK."
                .to_string()
        } else {
            "No SYN was captured, so the client is taken to be the side that sent the stream's first frame.".to_string()
        },
        graph: None,
        values: vec![
            ("stream", Val::Int(s.stream.into())),
            ("client", Val::Text(show(client))),
            ("server", Val::Text(show(server))),
            ("data_sender", Val::Text(show(tx.src))),
        ],
    }
}

fn syn(s: &StreamReport) -> Answer {
    match &s.syn {
        Some(x) => Answer {
            id: "syn",
            question: "What is the sequence number of the SYN segment that opens the connection, and what marks it a SYN?",
            answer: format!(
                "Frame {}: raw sequence number {} (relative 0: Wireshark counts from the ISN). Its flags field is 0x{:03x} ({}): the SYN bit (0x002) is set and ACK is not.",
                x.frame,
                x.seq_raw,
                x.flags,
                flags_text(x.flags)
            ),
            frames: vec![x.frame],
            how: "The first segment of the stream with SYN set and ACK clear; its sequence number is the client's initial sequence number (ISN).".to_string(),
            graph: Some("stevens"),
            values: vec![
                ("frame", Val::Int(x.frame.into())),
                ("seq_raw", Val::Int(x.seq_raw.into())),
                ("seq", Val::Int(x.seq.into())),
                ("flags", Val::Int(x.flags.into())),
                ("mss", x.mss.map_or(Val::None, |m| Val::Int(m.into()))),
            ],
        },
        None => Answer {
            id: "syn",
            question: "What is the sequence number of the SYN segment that opens the connection, and what marks it a SYN?",
            answer: "No SYN was captured: the capture started after the connection opened.".to_string(),
            frames: vec![],
            how: "Looked for a segment with SYN set and ACK clear.".to_string(),
            graph: None,
            values: vec![],
        },
    }
}

fn syn_ack(s: &StreamReport) -> Answer {
    match &s.syn_ack {
        Some(x) => {
            let derived = s.syn.as_ref().map_or(String::new(), |syn| {
                format!(
                    " = the SYN's {} + 1 (a SYN uses one sequence number, so the next byte expected is ISN + 1)",
                    syn.seq_raw
                )
            });
            Answer {
                id: "syn_ack",
                question: "What are the sequence number and the acknowledgement number of the SYN-ACK, how was the acknowledgement worked out, and what marks it a SYN-ACK?",
                answer: format!(
                    "Frame {}: raw sequence number {} (the server's ISN, relative 0) and acknowledgement number {}{} (relative {}). Flags 0x{:03x} ({}): SYN and ACK are both set.",
                    x.frame,
                    x.seq_raw,
                    x.ack_raw,
                    derived,
                    x.ack,
                    x.flags,
                    flags_text(x.flags)
                ),
                frames: [
                    Some(x.frame),
                    s.syn.as_ref().map(|y| y.frame),
                    s.handshake_ack,
                ]
                .into_iter()
                .flatten()
                .collect(),
                how: format!(
                    "The segment with SYN and ACK set; the ACK completing the handshake is frame {}.",
                    s.handshake_ack
                        .map_or("(not captured)".to_string(), |f| f.to_string())
                ),
                graph: Some("stevens"),
                values: vec![
                    ("frame", Val::Int(x.frame.into())),
                    ("seq_raw", Val::Int(x.seq_raw.into())),
                    ("ack_raw", Val::Int(x.ack_raw.into())),
                    ("ack", Val::Int(x.ack.into())),
                    ("flags", Val::Int(x.flags.into())),
                    (
                        "handshake_ack_frame",
                        s.handshake_ack.map_or(Val::None, |f| Val::Int(f.into())),
                    ),
                ],
            }
        }
        None => Answer {
            id: "syn_ack",
            question: "What are the sequence number and the acknowledgement number of the SYN-ACK, how was the acknowledgement worked out, and what marks it a SYN-ACK?",
            answer: "No SYN-ACK was captured.".to_string(),
            frames: vec![],
            how: "Looked for a segment with SYN and ACK set.".to_string(),
            graph: None,
            values: vec![],
        },
    }
}

fn first_data(tx: &DirectionReport) -> Answer {
    match &tx.first_data {
        Some(x) => Answer {
            id: "first_data",
            question: "What is the sequence number of the first segment carrying data?",
            answer: format!(
                "Frame {} at {} s: relative sequence number {} (raw {}), {} bytes of payload.",
                x.frame,
                time_string(x.time_ns),
                x.seq,
                x.seq_raw,
                x.len
            ),
            frames: vec![x.frame],
            how: "The data sender's first segment with a TCP payload (tcp.len > 0).".to_string(),
            graph: Some("stevens"),
            values: vec![
                ("frame", Val::Int(x.frame.into())),
                ("seq", Val::Int(x.seq.into())),
                ("seq_raw", Val::Int(x.seq_raw.into())),
                ("len", Val::Int(x.len.into())),
            ],
        },
        None => Answer {
            id: "first_data",
            question: "What is the sequence number of the first segment carrying data?",
            answer: "No segment of this stream carries data.".to_string(),
            frames: vec![],
            how: "Looked for tcp.len > 0.".to_string(),
            graph: None,
            values: vec![],
        },
    }
}

fn first_six(tx: &DirectionReport) -> Answer {
    let mut lines = Vec::new();
    lines.push(format!(
        "{:>7} {:>10} {:>11} {:>7} {:>11} {:>10} {:>12}  {}",
        "Segment", "Seq", "Sent (s)", "ACK", "ACKed (s)", "RTT ms", "EstRTT ms", "note"
    ));
    for r in &tx.first_rows {
        let dash = || "-".to_string();
        lines.push(format!(
            "{:>7} {:>10} {:>11} {:>7} {:>11} {:>10} {:>12}  {}",
            r.segment_frame,
            r.seq,
            time_string(r.time_ns),
            r.ack_frame.map_or_else(dash, |f| f.to_string()),
            r.ack_time_ns.map_or_else(dash, time_string),
            match (r.rtt_ns, r.ack_rtt_ns) {
                (Some(v), _) => millis(v),
                (None, Some(v)) => format!("({})", millis(v)),
                _ => dash(),
            },
            r.estimate
                .map_or_else(dash, |e| format!("{:.3}", e.srtt * 1e3)),
            super::rtt::note_text(r)
        ));
    }
    let frames = tx
        .first_rows
        .iter()
        .flat_map(|r| std::iter::once(r.segment_frame).chain(r.ack_frame))
        .collect();
    Answer {
        id: "first_six",
        question: "For the first six data segments: their sequence numbers, when each was sent, when its ACK came, the RTT, and EstimatedRTT after each (alpha = 0.125)?",
        answer: if tx.first_rows.is_empty() {
            "No data segment.".to_string()
        } else {
            lines.join("\n")
        },
        frames,
        how: "RTT = time of the ACK whose number equals the segment's end - time of the segment (tshark's tcp.analysis.ack_rtt). A segment covered by an ACK for a later one (a delayed, cumulative ACK) gives no sample of its own; a retransmitted one gives none either (Karn's rule). EstimatedRTT = 0.875 x EstimatedRTT + 0.125 x SampleRTT, starting at the first sample (RFC 6298).".to_string(),
        graph: Some("rtt"),
        values: vec![
            (
                "segment_frames",
                Val::Ints(tx.first_rows.iter().map(|r| r.segment_frame.into()).collect()),
            ),
            (
                "seqs",
                Val::Ints(tx.first_rows.iter().map(|r| r.seq.into()).collect()),
            ),
            (
                "ack_frames",
                Val::Ints(
                    tx.first_rows
                        .iter()
                        .map(|r| r.ack_frame.map_or(-1, i128::from))
                        .collect(),
                ),
            ),
            (
                "rtt_ns",
                Val::Ints(
                    tx.first_rows
                        .iter()
                        .map(|r| r.rtt_ns.map_or(-1, i128::from))
                        .collect(),
                ),
            ),
        ],
    }
}

fn lengths(tx: &DirectionReport) -> Answer {
    let lens: Vec<String> = tx.first_rows.iter().map(|r| r.len.to_string()).collect();
    Answer {
        id: "lengths",
        question: "What is the length of each of the first six data segments?",
        answer: if lens.is_empty() {
            "No data segment.".to_string()
        } else {
            format!(
                "{} bytes of payload (the largest segment in the whole stream carries {} bytes).",
                lens.join(", "),
                tx.max_len
            )
        },
        frames: tx.first_rows.iter().map(|r| r.segment_frame).collect(),
        how: "tcp.len: the IP payload length minus the TCP header length.".to_string(),
        graph: Some("tcptrace"),
        values: vec![(
            "lens",
            Val::Ints(tx.first_rows.iter().map(|r| r.len.into()).collect()),
        )],
    }
}

fn rtt_summary(tx: &DirectionReport) -> Answer {
    let answer = match (tx.min_rtt, tx.max_rtt, tx.last_estimate) {
        (Some(min), Some(max), Some(e)) => format!(
            "{} samples: smallest {} ms (segment {}), average {} ms, largest {} ms (segment {}); final EstimatedRTT {:.3} ms, DevRTT {:.3} ms, RTO {:.3} s. {} gave no sample because {} bytes were sent more than once (Karn's rule: the {} listed in question 9 and the copies {}).",
            tx.samples,
            millis(min.value),
            min.frame,
            millis((tx.sum_rtt_ns / i128::from(tx.samples.max(1))) as i64),
            millis(max.value),
            max.frame,
            e.srtt * 1e3,
            e.rttvar * 1e3,
            e.rto,
            segments(tx.karn),
            if tx.karn == 1 { "its" } else { "their" },
            resends_text(tx.resends.0),
            if tx.resends.0 == 1 {
                "it repeats"
            } else {
                "they repeat"
            }
        ),
        _ => "No RTT sample: no ACK matched a data segment's end exactly.".to_string(),
    };
    Answer {
        id: "rtt",
        question: "What are the RTTs over the whole transfer?",
        answer,
        frames: [tx.min_rtt.map(|m| m.frame), tx.max_rtt.map(|m| m.frame)]
            .into_iter()
            .flatten()
            .collect(),
        how:
            "Every sample as for the first six segments; `wirelab read FILE --rtt` lists them all."
                .to_string(),
        graph: Some("rtt"),
        values: vec![
            ("samples", Val::Int(tx.samples.into())),
            ("karn", Val::Int(tx.karn.into())),
            (
                "min_rtt",
                tx.min_rtt.map_or(Val::None, |m| Val::Secs(m.value)),
            ),
            (
                "max_rtt",
                tx.max_rtt.map_or(Val::None, |m| Val::Secs(m.value)),
            ),
            (
                "srtt",
                tx.last_estimate.map_or(Val::None, |e| Val::Num(e.srtt)),
            ),
        ],
    }
}

/// "1 resend", "4 resends".
fn resends_text(n: u64) -> String {
    format!("{n} resend{}", if n == 1 { "" } else { "s" })
}

fn window(tx: &DirectionReport, rx: &DirectionReport) -> Answer {
    // The window limits the sender when the bytes in flight reach it: tshark flags the segment
    // that does so [TCP Window Full]; a zero window stops the sender outright.
    let limited = tx.window_full.0 > 0 || rx.zero_window.0 > 0;
    let min = rx.min_window;
    let mut answer = match min {
        Some(m) => format!(
            "The receiver advertised at least {} bytes (frame {}; at most {}, frame {}).",
            m.value,
            m.frame,
            rx.max_window.map_or(0, |x| x.value),
            rx.max_window.map_or(0, |x| x.frame)
        ),
        None => "The receiver sent no segment with a window.".to_string(),
    };
    if let Some(f) = tx.max_in_flight {
        answer.push_str(&format!(
            " At most {} bytes were in flight (frame {}, tshark's bytes_in_flight: bytes sent and not yet acknowledged, those the receiver reported with SACK left out), {}.",
            f.value,
            f.frame,
            match tx.window_at_max_in_flight {
                Some(w) if w > 0 => format!(
                    "against a window of {w} bytes then ({:.0} % of it)",
                    f64::from(f.value) * 100.0 / f64::from(w)
                ),
                Some(w) => format!("against a window of {w} bytes then"),
                None => "before the receiver had advertised a window after its SYN-ACK".to_string(),
            }
        ));
    }
    answer.push_str(if limited {
        " Yes, the window limited the sender:"
    } else {
        " No, the receiver's window never limited the sender: tshark flags no [TCP Window Full] (a segment whose bytes in flight reach the advertised window) and the receiver never advertised a zero window."
    });
    if tx.window_full.0 > 0 {
        answer.push_str(&format!(
            " {} filled the window ([TCP Window Full]: {}).",
            segments(tx.window_full.0),
            list(&tx.window_full.1, tx.window_full.0)
        ));
    }
    if rx.zero_window.0 > 0 {
        answer.push_str(&format!(
            " The receiver advertised a zero window {} times ({}).",
            rx.zero_window.0,
            list(&rx.zero_window.1, rx.zero_window.0)
        ));
    }
    let mut frames: Vec<u64> = min.map(|m| m.frame).into_iter().collect();
    frames.extend(tx.max_in_flight.map(|f| f.frame));
    frames.extend(tx.window_full.1.iter().copied());
    frames.extend(rx.zero_window.1.iter().copied());
    Answer {
        id: "window",
        question: "What is the minimum receive window the receiver advertised, and did the lack of buffer space ever throttle the sender?",
        answer,
        frames,
        how: "The window is tshark's calculated window (the field shifted by the window scale; SYNs excluded). Definition: the receiver's window throttles the sender when the bytes in flight reach the window it advertised (tshark then flags the segment [TCP Window Full]) or when it advertises a zero window. Bytes in flight are tshark's tcp.analysis.bytes_in_flight: from the lowest byte not yet acknowledged to the highest sent, minus the bytes the receiver's last SACK blocks report as arrived (highest sequence number - ACK would count those too).".to_string(),
        graph: Some("window"),
        values: vec![
            ("min_window", min.map_or(Val::None, |m| Val::Int(m.value.into()))),
            ("min_window_frame", min.map_or(Val::None, |m| Val::Int(m.frame.into()))),
            (
                "max_bytes_in_flight",
                tx.max_in_flight.map_or(Val::None, |f| Val::Int(f.value.into())),
            ),
            (
                "max_bytes_in_flight_frame",
                tx.max_in_flight.map_or(Val::None, |f| Val::Int(f.frame.into())),
            ),
            (
                "window_at_max_bytes_in_flight",
                tx.window_at_max_in_flight.map_or(Val::None, |w| Val::Int(w.into())),
            ),
            ("window_full", Val::Int(tx.window_full.0.into())),
            ("zero_window", Val::Int(rx.zero_window.0.into())),
            ("limited", Val::Bool(limited)),
        ],
    }
}

/// Why tshark gives a resend its label (4.0's rules, in the order it tries them).
fn label_reason(label: ResendLabel, irtt_ns: Option<i64>) -> String {
    match label {
        ResendLabel::Fast => "it came after two or more duplicate ACKs for the bytes it starts with".to_string(),
        ResendLabel::Spurious => "the receiver had already acknowledged all its bytes".to_string(),
        ResendLabel::OutOfOrder => format!(
            "each came less than the handshake's round-trip time ({}) after the highest segment sent so far, and tshark takes a segment that soon below the top for one the network reordered rather than one resent",
            irtt_ns.map_or("iRTT; 3 ms without a handshake".to_string(), |t| format!("iRTT, {} ms", millis(t)))
        ),
        ResendLabel::Retransmission => "no rule for a quicker label applied (a timeout, or a resend long after the highest segment)".to_string(),
        ResendLabel::Unflagged => "it raises no flag in tshark's sequence analysis".to_string(),
    }
}

fn retransmissions(s: &StreamReport, tx: &DirectionReport, rx: &DirectionReport) -> Answer {
    let n = tx.resends.0;
    let listed = &tx.resends.1;
    // Bytes whose sequence numbers were sent more than once.
    let resent = tx.payload.saturating_sub(tx.goodput);
    let dups = format!(
        "The receiver sent {} duplicate ACKs{}.",
        rx.dup_acks.0,
        if rx.dup_acks.0 > 0 {
            format!(" ({})", list(&rx.dup_acks.1, rx.dup_acks.0))
        } else {
            String::new()
        }
    );
    let answer = if n == 0 {
        format!(
            "No segment was retransmitted: no segment carries sequence numbers sent before. {dups}"
        )
    } else {
        let frames: Vec<u64> = listed.iter().map(|r| r.frame).collect();
        let mut text = format!(
            "Yes: {} resent bytes already sent (a retransmission, as the textbook defines it, is a segment carrying sequence numbers that were sent before): frames {}, {} bytes in all.",
            segments(n),
            list(&frames, n),
            tx.resend_bytes
        );
        // How tshark labels them, grouped by label.
        for label in [
            ResendLabel::Retransmission,
            ResendLabel::Fast,
            ResendLabel::Spurious,
            ResendLabel::OutOfOrder,
            ResendLabel::Unflagged,
        ] {
            let these: Vec<&crate::analyse::report::Resend> =
                listed.iter().filter(|r| r.label == label).collect();
            if these.is_empty() {
                continue;
            }
            let fr: Vec<String> = these.iter().map(|r| r.frame.to_string()).collect();
            let first: Vec<String> = these
                .iter()
                .map(|r| {
                    r.first_sent
                        .map_or("(not captured)".to_string(), |f| f.to_string())
                })
                .collect();
            let one = these.len() == 1;
            text.push_str(&format!(
                " tshark {} {} {} because {}; {} {} bytes first sent in {} {}.",
                if label == ResendLabel::Unflagged {
                    "leaves"
                } else {
                    "calls"
                },
                and_list(&fr),
                if label == ResendLabel::Unflagged {
                    "unlabelled".to_string()
                } else {
                    label.text().to_string()
                },
                label_reason(label, s.irtt_ns),
                if one { "it" } else { "they" },
                if one { "resends" } else { "resend" },
                if one { "frame" } else { "frames" },
                and_list(&first)
            ));
        }
        if n > listed.len() as u64 {
            text.push_str(&format!(" (The first {} are described.)", listed.len()));
        }
        text.push(' ');
        text.push_str(&dups);
        text
    };
    let tshark_ooo: Vec<i128> = listed
        .iter()
        .filter(|r| r.label == ResendLabel::OutOfOrder)
        .map(|r| r.frame.into())
        .collect();
    Answer {
        id: "retransmissions",
        question: "Were any segments retransmitted? How can you tell?",
        answer,
        frames: listed.iter().map(|r| r.frame).collect(),
        how: "A retransmission carries sequence numbers sent before: its sequence number is below the highest byte already sent (TCP sends bytes in order), and in the time-sequence graph its dot falls below the line of earlier segments (the red crosses). tshark labels each such segment by its own rules: [TCP Fast Retransmission] after two or more duplicate ACKs, [TCP Spurious Retransmission] for bytes already acknowledged, [TCP Out-Of-Order] when it comes within one handshake round trip (iRTT) of the highest segment, [TCP Retransmission] otherwise; so filtering on tcp.analysis.retransmission alone misses the Out-Of-Order ones.".to_string(),
        graph: Some("tcptrace"),
        values: vec![
            ("retransmissions", Val::Int(n.into())),
            ("resent_bytes", Val::Int(resent.into())),
            ("resend_payload_bytes", Val::Int(tx.resend_bytes.into())),
            (
                "frames",
                Val::Ints(listed.iter().map(|r| r.frame.into()).collect()),
            ),
            (
                "seqs",
                Val::Ints(listed.iter().map(|r| r.seq.into()).collect()),
            ),
            (
                "first_sent_frames",
                Val::Ints(
                    listed
                        .iter()
                        .map(|r| r.first_sent.map_or(-1, i128::from))
                        .collect(),
                ),
            ),
            (
                "tshark_retransmissions",
                Val::Int(tx.retransmissions.0.into()),
            ),
            (
                "tshark_retransmission_frames",
                Val::Ints(tx.retransmissions.1.iter().map(|&f| f.into()).collect()),
            ),
            ("tshark_out_of_order_frames", Val::Ints(tshark_ooo)),
            ("fast", Val::Int(tx.fast_retransmissions.into())),
            ("spurious", Val::Int(tx.spurious_retransmissions.into())),
            ("dup_acks", Val::Int(rx.dup_acks.0.into())),
        ],
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn acks(tx: &DirectionReport, rx: &DirectionReport) -> Answer {
    let mut sizes = rx.ack_sizes.clone();
    sizes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total = rx.acks_advancing;
    let mss = tx.max_len.max(1);
    let two_or_more: u64 = rx
        .ack_sizes
        .iter()
        .filter(|(s, _)| *s > mss)
        .map(|(_, n)| n)
        .sum();
    let answer = if total == 0 {
        "The receiver sent no ACK that acknowledged new data.".to_string()
    } else {
        let top: Vec<String> = sizes
            .iter()
            .take(3)
            .map(|(s, n)| {
                format!(
                    "{} bytes in {} ACKs ({:.0} %)",
                    s,
                    n,
                    *n as f64 * 100.0 / total as f64
                )
            })
            .collect();
        format!(
            "{} ACKs moved the acknowledgement number forward. Most common: {}. {} of them ({:.0} %) acknowledged more than one full segment ({} bytes) at once: {}.",
            total,
            top.join("; "),
            two_or_more,
            two_or_more as f64 * 100.0 / total as f64,
            mss,
            if two_or_more * 4 >= total {
                "the receiver uses delayed ACKs (RFC 1122: one ACK for every second segment, or after a short delay), and ACKs are cumulative"
            } else {
                "the receiver mostly acknowledges every segment"
            }
        )
    };
    Answer {
        id: "acks",
        question: "How much data does the receiver typically acknowledge in an ACK? Do some ACKs acknowledge two or more segments?",
        answer,
        frames: rx.last_ack_advance.map(|a| a.frame).into_iter().collect(),
        how: "For each ACK of the receiver that moves the acknowledgement number forward: the new number minus the previous one.".to_string(),
        graph: Some("tcptrace"),
        values: vec![
            ("acks", Val::Int(total.into())),
            ("acks_more_than_one_segment", Val::Int(two_or_more.into())),
            (
                "most_common_bytes",
                sizes.first().map_or(Val::None, |(s, _)| Val::Int((*s).into())),
            ),
        ],
    }
}

fn throughput(tx: &DirectionReport, rx: &DirectionReport) -> Answer {
    let (Some(first), Some(last)) = (tx.first_data, rx.last_ack_advance) else {
        return Answer {
            id: "throughput",
            question: "What is the throughput (bytes transferred per unit time) of the connection?",
            answer: "Not measurable: no data acknowledged.".to_string(),
            frames: vec![],
            how: String::new(),
            graph: Some("throughput"),
            values: vec![],
        };
    };
    let secs = (last.value - first.time_ns) as f64 / 1e9;
    let bps = (secs > 0.0).then(|| tx.goodput as f64 * 8.0 / secs);
    Answer {
        id: "throughput",
        question: "What is the throughput (bytes transferred per unit time) of the connection?",
        answer: format!(
            "{} bytes of new data in {:.6} s (from the first data segment, frame {}, to the last ACK that acknowledged new data, frame {}): {}.",
            tx.goodput,
            secs,
            first.frame,
            last.frame,
            bps.map_or("-".to_string(), rate)
        ),
        frames: vec![first.frame, last.frame],
        how: "Goodput: new payload bytes (each sequence number once, retransmissions not counted again), over the time from the first data segment to the last new ACK. `wirelab read FILE --throughput` gives it per interval.".to_string(),
        graph: Some("throughput"),
        values: vec![
            ("goodput_bytes", Val::Int(tx.goodput.into())),
            ("seconds", Val::Num(secs)),
            ("bps", bps.map_or(Val::None, Val::Num)),
        ],
    }
}

fn slow_start(tx: &DirectionReport) -> Answer {
    let rounds = &tx.rounds;
    // Kurose & Ross: slow start doubles cwnd every round trip until the first loss event (a
    // timeout or three duplicate ACKs), or until cwnd reaches ssthresh, which a capture
    // cannot show. The first loss event is seen as the first resend.
    let loss = tx.resends.1.first().copied();
    let loss_round = loss.and_then(|l| rounds.iter().rposition(|r| r.first_frame <= l.frame));
    let in_rounds = loss.is_some_and(|l| {
        loss_round.is_some_and(|i| i + 1 < rounds.len() || rounds.len() < MAX_ROUNDS_SHOWN)
            && rounds.first().is_some_and(|r| r.first_frame <= l.frame)
    });
    let per_round: Vec<String> = rounds.iter().map(|r| r.bytes.to_string()).collect();
    let growth: Vec<String> = rounds
        .windows(2)
        .map(|w| {
            if w[0].bytes == 0 {
                "-".to_string()
            } else {
                format!("x{:.2}", w[1].bytes as f64 / w[0].bytes as f64)
            }
        })
        .collect();
    // A round that carries at least half as much again as the one before: the growth slow
    // start shows in the graph. Without any, the program (not TCP) set the pace.
    let grew = rounds
        .windows(2)
        .any(|w| w[1].bytes.saturating_mul(2) >= w[0].bytes.saturating_mul(3));
    let flat = if grew {
        ""
    } else {
        " The bytes per round never grew, though: the sender sent only what the program gave it each round (application-limited), so the graph shows no slow-start curve, even if by the definition slow start lasted until the loss."
    };
    let most_in_flight = tx.max_in_flight.map_or(0, |f| f.value);
    let app_limited = most_in_flight <= 2 * tx.max_len;
    let mut end: Option<(usize, u64)> = None;
    let answer = if rounds.len() < 2 {
        "The data went out in a single round trip: too little to see slow start.".to_string()
    } else if app_limited {
        format!(
            "Slow start cannot be seen here: the sender never had more than {most_in_flight} bytes (two segments) in flight, so it was sending as fast as the program wrote, not as fast as TCP allowed (bytes per round trip: {}).",
            per_round.join(", ")
        )
    } else {
        let shown = |upto: usize| -> String {
            let bytes: Vec<&str> = per_round
                .iter()
                .take(upto + 1)
                .map(String::as_str)
                .collect();
            let g: Vec<&str> = growth.iter().take(upto).map(String::as_str).collect();
            format!("{} (growth per round: {})", bytes.join(", "), g.join(", "))
        };
        match (loss, loss_round) {
            (Some(l), Some(i)) if in_rounds => {
                end = Some((i, l.frame));
                format!(
                    "Slow start begins with the first data segment (frame {}) and ends at the first loss event: frame {} at {} s, in round {}, resends bytes first sent in frame {}. Bytes sent per round trip until then were {}; after the loss the sender halves its window (congestion avoidance or fast recovery).{flat}",
                    rounds[0].first_frame,
                    l.frame,
                    time_string(l.time_ns),
                    i + 1,
                    l.first_sent
                        .map_or("(not captured)".to_string(), |f| f.to_string()),
                    shown(i)
                )
            }
            (Some(l), _) => format!(
                "Slow start begins with the first data segment (frame {}) and ends at the first loss event, frame {} at {} s, after the {} rounds measured: bytes per round trip were {}.{flat}",
                rounds[0].first_frame,
                l.frame,
                time_string(l.time_ns),
                rounds.len(),
                shown(rounds.len() - 1)
            ),
            _ => format!(
                "Slow start begins with the first data segment (frame {}) and does not end in this capture: no segment was lost (none resent), so no loss event ended it. Bytes per round trip were {}; where the growth falls short of doubling, the receiver's window or the application set the pace, or the sender left slow start on its own (Linux's HyStart), which the textbook's model does not show.",
                rounds[0].first_frame,
                shown(rounds.len() - 1)
            ),
        }
    };
    Answer {
        id: "slow_start",
        question: "Where does TCP's slow start begin and end, as seen in the time-sequence (Stevens) graph?",
        answer,
        frames: rounds
            .first()
            .map(|r| r.first_frame)
            .into_iter()
            .chain(end.map(|(_, f)| f))
            .collect(),
        how: "Definition (Kurose & Ross): slow start starts with the connection and doubles the congestion window every round trip until the first loss event (a timeout or three duplicate ACKs), which here is the first segment that resends bytes (question 9); reaching ssthresh would end it too, but a capture does not show ssthresh. A round (flight) is what the sender sends from one moment until the ACK of that flight's first segment returns; in the Stevens graph the dots climb in steps that get taller until the loss, then settle into a straighter line. Bytes per round are read from the capture, as a student reads the graph: delayed ACKs and the link's rate make them grow by less than 2 at times.".to_string(),
        graph: Some("stevens"),
        values: vec![
            ("round_bytes", Val::Ints(rounds.iter().map(|r| r.bytes.into()).collect())),
            (
                "end_round",
                end.map_or(Val::None, |(i, _)| Val::Int((i + 1) as i128)),
            ),
            (
                "end_frame",
                end.map_or(Val::None, |(_, f)| Val::Int(f.into())),
            ),
            (
                "definition",
                Val::Text("first loss event (Kurose & Ross)".to_string()),
            ),
        ],
    }
}

/// Writes the report as text.
pub fn write_report(w: &mut impl Write, r: &Report) -> io::Result<()> {
    let Some(s) = &r.stream else {
        return match r.asked {
            Some(n) => writeln!(
                w,
                "There is no TCP stream {n} in this capture ({} streams, numbered from 0; `wirelab read FILE --stats` lists them).",
                r.streams_seen
            ),
            None => writeln!(w, "There is no TCP stream in this capture."),
        };
    };
    writeln!(
        w,
        "TCP report for stream {} ({}), {} frames from {} s to {} s",
        s.stream,
        if r.named {
            "as asked".to_string()
        } else {
            format!("the stream with most data of {}", r.streams_seen)
        },
        s.frames,
        time_string(s.start_ns),
        time_string(s.end_ns)
    )?;
    for (i, a) in answers(r).iter().enumerate() {
        writeln!(w)?;
        writeln!(w, "{}. {}", i + 1, a.question)?;
        for line in a.answer.lines() {
            writeln!(w, "   {line}")?;
        }
        if !a.frames.is_empty() {
            let f: Vec<String> = a.frames.iter().map(u64::to_string).collect();
            writeln!(w, "   Frames: {}", f.join(", "))?;
        }
        if !a.how.is_empty() {
            writeln!(w, "   How: {}", a.how)?;
        }
        if let Some(g) = a.graph {
            writeln!(
                w,
                "   See: wirelab graph FILE --stream {} --kind {g}",
                s.stream
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_segment_is_singular() {
        assert_eq!(segments(1u64), "1 segment");
        assert_eq!(segments(0u64), "0 segments");
        assert_eq!(segments(7u32), "7 segments");
    }
}

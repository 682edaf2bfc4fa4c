//! The Kurose & Ross "Wireshark Lab: ICMP v8.1", answered from a capture of `ping` and of a
//! traceroute: questions 1–4 (ICMP and ping), 5–10 (ICMP and traceroute), numbered and worded
//! as the lab numbers and words them. The lab runs Windows' tracert (ICMP echo probes); a
//! capture of Linux's traceroute (UDP probes) or `traceroute -I` answers too, and the answers
//! say how the two differ. The routers, their number and the delays depend on the network.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::netlayer::{
    ECHO_REPLY, Probe, ProbeKind, TIME_EXCEEDED, Trace, UNREACHABLE, icmp_name, protocol_name,
};
use super::report::{Answer, Table};
use super::{frames_text, seconds};
use crate::decode::{IcmpRepr, QuotedTransport};

fn found(how: &str) -> String {
    format!("\nHow: {how}")
}

const Q: [&str; 10] = [
    "What is the IP address of your host? What is the IP address of the destination host?",
    "Why is it that an ICMP packet does not have source and destination port numbers?",
    "Examine one of the ping request packets sent by your host. What are the ICMP type and code numbers? What other fields does this ICMP packet have? How many bytes are the checksum, sequence number and identifier fields?",
    "Examine the corresponding ping reply packet. What are the ICMP type and code numbers? What other fields does this ICMP packet have? How many bytes are the checksum, sequence number and identifier fields?",
    "What is the IP address of your host? What is the IP address of the target destination host?",
    "If ICMP sent UDP packets instead (as in Unix/Linux), would the IP protocol number still be 01 for the probe packets? If not, what would it be?",
    "Examine the ICMP echo packet in your screenshot. Is this different from the ICMP ping query packets in the first half of this lab? If yes, how so?",
    "Examine the ICMP error packet in your screenshot. It has more fields than the ICMP echo packet. What is included in those fields?",
    "Examine the last three ICMP packets received by the source host. How are these packets different from the ICMP error packets? Why are they different?",
    "Within the tracert measurements, is there a link whose delay is significantly longer than others? Refer to your screenshot: is there a link whose delay is significantly longer than others?",
];

fn echo_fields(m: &IcmpRepr, len: usize) -> String {
    format!(
        "Type {} and Code {} ({}); the other fields are the Checksum (0x{:04x}), the Identifier \
         ({} = 0x{:04x}) and the Sequence Number ({}), 2 bytes each, then {len} bytes of data",
        m.icmp_type,
        m.code,
        icmp_name(m.icmp_type, m.code),
        m.checksum,
        m.echo_id(),
        m.echo_id(),
        m.echo_seq()
    )
}

/// Every answer of the ICMP lab.
pub fn answers(t: &Trace) -> Vec<Answer> {
    let runs = t.runs();
    let pings: Vec<&Vec<usize>> = runs
        .iter()
        .filter(|r| {
            !t.is_traceroute(r)
                && r.iter()
                    .all(|i| matches!(t.probes[*i].kind, ProbeKind::Echo { .. }))
        })
        .collect();
    let traces: Vec<&Vec<usize>> = runs.iter().filter(|r| t.is_traceroute(r)).collect();
    let icmp_trace = traces
        .iter()
        .find(|r| matches!(t.probes[r[0]].kind, ProbeKind::Echo { .. }))
        .copied();
    let udp_trace = traces
        .iter()
        .find(|r| matches!(t.probes[r[0]].kind, ProbeKind::Udp { .. }))
        .copied();
    let mut out = ping_part(t, pings.first().map(|r| r.as_slice()).unwrap_or(&[]));
    out.extend(trace_part(
        t,
        icmp_trace
            .or(udp_trace)
            .map(|r| r.as_slice())
            .unwrap_or(&[]),
        udp_trace
            .filter(|_| icmp_trace.is_some())
            .map(|r| r.as_slice()),
    ));
    out
}

fn ping_part(t: &Trace, run: &[usize]) -> Vec<Answer> {
    let probes: Vec<&Probe> = run.iter().filter_map(|i| t.probes.get(*i)).collect();
    let Some(p0) = probes.first() else {
        return Q[..4]
            .iter()
            .enumerate()
            .map(|(i, q)| {
                Answer::new(
                    &(i + 1).to_string(),
                    q,
                    "No ping in these captures: capture while running `ping -c 10 HOST` (Linux, \
                     macOS) or `ping -n 10 HOST` (Windows)."
                        .into(),
                )
            })
            .collect();
    };
    let d0 = &t.all[p0.first];
    let file = d0.file;
    let (Some(h), Some(m)) = (d0.v4(), d0.icmp()) else {
        return Vec::new();
    };
    let req_frames: Vec<u64> = probes.iter().map(|p| t.frame(p.first)).collect();
    let replies: Vec<(u64, u64)> = probes
        .iter()
        .filter_map(|p| t.reply_of(p).map(|r| (t.frame(p.first), r.frame)))
        .collect();
    let mut table = Table::new(&["Request", "Seq", "Checksum", "Reply", "Checksum", "RTT"]);
    for p in &probes {
        let d = &t.all[p.first];
        let r = t.reply_of(p);
        table.row(vec![
            d.frame.to_string(),
            d.icmp()
                .map(|m| m.echo_seq().to_string())
                .unwrap_or_default(),
            d.icmp()
                .map(|m| format!("0x{:04x}", m.checksum))
                .unwrap_or_default(),
            r.map(|r| r.frame.to_string()).unwrap_or_else(|| "—".into()),
            r.and_then(|r| r.icmp())
                .map(|m| format!("0x{:04x}", m.checksum))
                .unwrap_or_default(),
            r.map(|r| seconds(r.time - d.time)).unwrap_or_default(),
        ]);
    }
    let seqs: Vec<u16> = probes
        .iter()
        .filter_map(|p| t.all[p.first].icmp().map(|m| m.echo_seq()))
        .collect();
    let data_len = m.body.len();
    let mut out = vec![
        Answer::new(
            "1",
            Q[0],
            format!(
                "Host {}, destination {}: the Source and Destination Address of the echo \
                 requests ({}); the replies go the other way. On another network these \
                 differ.{}",
                h.src,
                h.dst,
                frames_text(&req_frames, req_frames.len() as u64),
                found("the display filter `icmp`, fields ip.src and ip.dst")
            ),
        )
        .cite(file, "echo requests", req_frames.clone())
        .value("host", h.src.to_string())
        .value("destination", h.dst.to_string()),
        Answer::new(
            "2",
            Q[1],
            format!(
                "ICMP is not a transport protocol carrying data between processes: it is part of \
                 the network layer, and its messages are read by the IP software itself, so no \
                 port is needed to find a process. Type and Code say what a message is; an echo \
                 request's Identifier (here {}, one per ping run) tells the replies of different \
                 ping programs apart, as a port would.{}",
                m.echo_id(),
                found("the ICMP layer of any echo request: Type, Code, Checksum, Identifier, Sequence Number — no ports")
            ),
        )
        .cite(file, "echo request", vec![d0.frame]),
        Answer::new(
            "3",
            Q[2],
            format!(
                "Frame {}: {}. The sequence numbers of this run are {}: one more per request.{}",
                d0.frame,
                echo_fields(m, data_len),
                seqs.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "),
                found("icmp.type, icmp.code, icmp.checksum, icmp.ident, icmp.seq")
            ),
        )
        .cite(file, "echo request", vec![d0.frame])
        .value("type", m.icmp_type)
        .value("code", m.code)
        .value("identifier", m.echo_id())
        .value("sequences", &seqs)
        .value("checksum", m.checksum)
        .value("data_len", data_len)
        .with_table(table),
    ];
    let reply = t.reply_of(p0);
    out.push(match reply.and_then(|r| r.icmp().map(|m| (r, m))) {
        Some((r, rm)) => Answer::new(
            "4",
            Q[3],
            format!(
                "Frame {} answers frame {}: {}. Identifier and Sequence Number are the \
                 request's — that is how ping matches a reply to its request; the Checksum \
                 differs because the Type does. {} of {} requests were answered.{}",
                r.frame,
                d0.frame,
                echo_fields(rm, rm.body.len()),
                replies.len(),
                probes.len(),
                found(
                    "`icmp.type==0`; Wireshark links the pair: [Response frame] / [Request frame]"
                )
            ),
        )
        .cite(file, "echo reply", vec![r.frame])
        .value("type", rm.icmp_type)
        .value("code", rm.code)
        .value("identifier", rm.echo_id())
        .value("sequence", rm.echo_seq())
        .value("checksum", rm.checksum)
        .value(
            "pairs",
            replies.iter().map(|(a, b)| [*a, *b]).collect::<Vec<_>>(),
        ),
        None => Answer::new(
            "4",
            Q[3],
            "No echo reply in these captures: the destination did not answer (or a firewall \
             dropped the requests)."
                .into(),
        ),
    });
    out
}

fn trace_part(t: &Trace, run: &[usize], udp: Option<&[usize]>) -> Vec<Answer> {
    let probes: Vec<&Probe> = run.iter().filter_map(|i| t.probes.get(*i)).collect();
    let Some(p0) = probes.first() else {
        return Q[4..]
            .iter()
            .enumerate()
            .map(|(i, q)| {
                Answer::new(
                    &(i + 5).to_string(),
                    q,
                    "No traceroute in these captures: capture while running `tracert HOST` \
                     (Windows), `traceroute -I HOST` or `traceroute HOST` (Linux, macOS)."
                        .into(),
                )
            })
            .collect();
    };
    let d0 = &t.all[p0.first];
    let file = d0.file;
    let Some(h) = d0.v4() else { return Vec::new() };
    let icmp_probes = matches!(p0.kind, ProbeKind::Echo { .. });
    let frames: Vec<u64> = probes.iter().map(|p| t.frame(p.first)).collect();
    let mut out = vec![
        Answer::new(
            "5",
            Q[4],
            format!(
                "Host {}, target {}: the addresses of the probes ({}). On another network they \
                 differ.{}",
                h.src,
                h.dst,
                frames_text(&frames[..frames.len().min(12)], frames.len() as u64),
                found(&format!(
                    "the display filter `ip.src=={} && ip.dst=={}`",
                    h.src, h.dst
                ))
            ),
        )
        .cite(file, "probes", frames.iter().take(24).copied().collect())
        .value("host", h.src.to_string())
        .value("target", h.dst.to_string()),
    ];
    // 6: the protocol of UDP probes.
    let udp_frames: Vec<u64> = udp
        .or((!icmp_probes).then_some(run))
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| t.probes.get(*i))
        .map(|p| t.frame(p.first))
        .collect();
    out.push(
        Answer::new(
            "6",
            Q[5],
            format!(
                "No: UDP probes are IP datagrams with Protocol {} instead of {}. {}\n\
                 Linux and macOS traceroute send UDP datagrams to ports 33434 and up (one port \
                 per probe) and learn they reached the target from its ICMP Port Unreachable; \
                 Windows' tracert (and `traceroute -I`) sends ICMP echo requests and the target \
                 answers with an Echo Reply. Either way the routers on the path answer with Time \
                 Exceeded.{}",
                protocol_name(17),
                protocol_name(1),
                if udp_frames.is_empty() {
                    "(These captures have no UDP probes.)".to_string()
                } else {
                    format!(
                        "The UDP probes in these captures ({}) show it.",
                        frames_text(
                            &udp_frames[..udp_frames.len().min(8)],
                            udp_frames.len() as u64
                        )
                    )
                },
                found("ip.proto of the probes")
            ),
        )
        .cite(
            file,
            "UDP probes",
            udp_frames.iter().take(24).copied().collect(),
        )
        .value("udp_protocol", 17),
    );
    // 7: an echo probe against a ping request.
    let ttls: Vec<u8> = probes
        .iter()
        .filter_map(|p| t.head(p).map(|h| h.ttl))
        .collect();
    out.push(
        Answer::new(
            "7",
            Q[6],
            if icmp_probes {
                let m = d0.icmp();
                format!(
                    "Frame {}: the ICMP part is the same kind of message — Type 8, Code 0, \
                     Checksum, Identifier ({}), Sequence Number ({}) and data ({} bytes). What \
                     differs is in the IP header: the TTL starts at {} and rises ({}) where ping \
                     keeps its system's TTL, and the data is traceroute's (its size set by the \
                     packet length).{}",
                    d0.frame,
                    m.map(|m| m.echo_id()).unwrap_or(0),
                    m.map(|m| m.echo_seq()).unwrap_or(0),
                    m.map(|m| m.body.len()).unwrap_or(0),
                    ttls.first().copied().unwrap_or(0),
                    ttls.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    found("icmp.type==8 && ip.ttl<10 against the ping's requests")
                )
            } else {
                format!(
                    "These probes are not ICMP: frame {} is UDP ({}), as Linux and macOS \
                     traceroute send them; only Windows' tracert and `traceroute -I` send echo \
                     requests, which differ from ping's only by their rising TTL.{}",
                    d0.frame,
                    protocol_name(h.protocol),
                    found("ip.proto")
                )
            },
        )
        .cite(file, "first probe", vec![d0.frame])
        .value("probe_ttls", &ttls),
    );
    // 8: the error message's fields.
    let err = probes.iter().find_map(|p| {
        let r = t.reply_of(p)?;
        let m = r.icmp()?;
        (m.icmp_type == TIME_EXCEEDED).then_some((p, r, m))
    });
    out.push(match err {
        Some((p, r, m)) => {
            let q = r.quote.as_ref();
            let qh = q.and_then(|q| q.ip.as_ref());
            let qlen = q.map(|q| q.len).unwrap_or(0);
            let qtrans = match q.and_then(|q| q.transport.as_ref()) {
                Some(QuotedTransport::Udp {
                    src_port,
                    dst_port,
                    length,
                }) => format!(
                    "the probe's UDP header (ports {src_port} → {dst_port}, length {length})"
                ),
                Some(QuotedTransport::Tcp {
                    src_port, dst_port, ..
                }) => format!("the TCP header's first bytes (ports {src_port} → {dst_port})"),
                None => match p.kind {
                    ProbeKind::Echo { id, seq } => format!(
                        "the probe's ICMP echo header (Type 8, Identifier {id}, Sequence Number {seq})"
                    ),
                    _ => "the first 8 bytes of the probe's payload".into(),
                },
            };
            Answer::new(
                "8",
                Q[7],
                format!(
                    "Frame {} from {} is {} (Type {}, Code {}). After Type, Code, Checksum and 4 \
                     unused bytes it carries the datagram that caused it: {} bytes starting with \
                     the probe's IP header ({}) and then {} — RFC 792 asks for the header and \
                     the first 8 bytes after it{}. That quote is how the sender matches the \
                     error to its probe (frame {}): the Identification, addresses and protocol \
                     in the quoted header, and the {} after it.{}",
                    r.frame,
                    r.v4().map(|x| x.src.to_string()).unwrap_or_default(),
                    icmp_name(m.icmp_type, m.code),
                    m.icmp_type,
                    m.code,
                    qlen,
                    match qh {
                        Some(qh) => format!(
                            "Identification 0x{:04x}, TTL {}, {} → {}",
                            qh.id, qh.ttl, qh.src, qh.dst
                        ),
                        None => "cut short".into(),
                    },
                    qtrans,
                    if qlen > usize::from(qh.map(|q| q.header_len).unwrap_or(20)) + 8 {
                        format!(
                            "; this router quotes more (Linux, after RFC 1812, quotes as much as \
                             fits in a 576-byte error){}",
                            if qlen as u32 >= p.size {
                                ": here the whole probe"
                            } else {
                                ""
                            }
                        )
                    } else {
                        String::new()
                    },
                    t.frame(p.first),
                    if matches!(p.kind, ProbeKind::Udp { .. }) {
                        "UDP destination port"
                    } else {
                        "echo Identifier and Sequence Number"
                    },
                    found("the ICMP layer's inner `Internet Protocol Version 4` and the header after it (icmp.type==11)")
                ),
            )
            .cite(file, "Time Exceeded", vec![r.frame])
            .cite(file, "its probe", vec![t.frame(p.first)])
            .value("type", m.icmp_type)
            .value("code", m.code)
            .value("quoted_bytes", qlen)
            .value("quoted_id", qh.map(|q| q.id))
        }
        None => Answer::new(
            "8",
            Q[7],
            "No Time Exceeded answered these probes.".into(),
        ),
    });
    // 9: the last replies (from the target).
    let finals: Vec<(&Probe, u64, &IcmpRepr, Ipv4Addr)> = probes
        .iter()
        .filter_map(|p| {
            let r = t.reply_of(p)?;
            let m = r.icmp()?;
            let rh = r.v4()?;
            (m.icmp_type == ECHO_REPLY || m.icmp_type == UNREACHABLE)
                .then_some((*p, r.frame, m, rh.src))
        })
        .collect();
    let last3: Vec<u64> = finals.iter().rev().take(3).rev().map(|x| x.1).collect();
    out.push(match finals.last() {
        Some((_, _, m, from)) => Answer::new(
            "9",
            Q[8],
            format!(
                "The last replies ({}) come from the target {from} itself: {} (Type {}, Code \
                 {}). {} They are not errors from routers on the way: the probes' TTL was now \
                 large enough to reach the target, which {}.{}",
                frames_text(&last3, last3.len() as u64),
                icmp_name(m.icmp_type, m.code),
                m.icmp_type,
                m.code,
                if m.icmp_type == ECHO_REPLY {
                    "An Echo Reply has only Type, Code, Checksum, Identifier, Sequence Number and \
                     the request's data: no quoted datagram, since nothing went wrong."
                } else {
                    "Like Time Exceeded it quotes the probe's IP header and 8 bytes, but it says \
                     the target has no program on that UDP port — which is how UDP traceroute \
                     knows it has arrived."
                },
                if m.icmp_type == ECHO_REPLY {
                    "answers an echo request as ping's target does"
                } else {
                    "answers a UDP datagram to an unused port with Port Unreachable"
                },
                found(&format!("`ip.src=={from} && icmp`"))
            ),
        )
        .cite(file, "replies from the target", last3)
        .value("type", m.icmp_type)
        .value("code", m.code),
        None => Answer::new(
            "9",
            Q[8],
            "The target never answered (a firewall, or too few hops tried).".into(),
        ),
    });
    // 10: delays per hop.
    let mut hops: BTreeMap<u8, (Vec<f64>, Option<Ipv4Addr>)> = BTreeMap::new();
    for p in &probes {
        let (Some(ph), Some(r)) = (t.head(p), t.reply_of(p)) else {
            continue;
        };
        let e = hops.entry(ph.ttl).or_default();
        e.0.push(r.time - t.all[p.first].time);
        e.1 = r.v4().map(|x| x.src);
    }
    // Only hops up to the first that reached the target.
    let target = h.dst;
    let mut table = Table::new(&["TTL", "Answered by", "Delays", "Mean"]);
    let mut means = Vec::new();
    for (ttl, (ds, from)) in &hops {
        let mean = ds.iter().sum::<f64>() / ds.len().max(1) as f64;
        table.row(vec![
            ttl.to_string(),
            from.map(|f| f.to_string()).unwrap_or_default(),
            ds.iter()
                .map(|d| seconds(*d))
                .collect::<Vec<_>>()
                .join(", "),
            seconds(mean),
        ]);
        means.push((*ttl, *from, mean));
        if *from == Some(target) {
            break;
        }
    }
    let jump = means
        .windows(2)
        .map(|w| (w[1].0, w[1].1, w[1].2 - w[0].2))
        .fold(None::<(u8, Option<Ipv4Addr>, f64)>, |b, x| match b {
            Some(y) if y.2 >= x.2 => Some(y),
            _ => Some(x),
        });
    let total = means.last().map(|m| m.2).unwrap_or(0.0);
    out.push(
        Answer::new(
            "10",
            Q[9],
            format!(
                "{} hop{} answered. {} These delays depend entirely on the network: in a real \
                 traceroute a link much slower than the rest is usually a long-distance one \
                 (an ocean crossing), found by where the delay jumps and by the routers' names.{}",
                means.len(),
                if means.len() == 1 { "" } else { "s" },
                match jump {
                    Some((ttl, from, d)) if total > 0.0 && d > 0.5 * total && d > 0.005 => format!(
                        "Yes: the delay jumps by {} at hop {ttl} ({}), more than half of the whole \
                         path's — the link before that router is the long one.",
                        seconds(d),
                        from.map(|f| f.to_string()).unwrap_or_default()
                    ),
                    Some((ttl, _, d)) => format!(
                        "No: the largest step between hops is {} (at hop {ttl}), and the whole \
                         path takes {} — no link stands out.",
                        seconds(d.max(0.0)),
                        seconds(total)
                    ),
                    None => "With one hop there is no link to compare.".into(),
                },
                found("the time between each probe and its reply (tracert's three columns per hop); Wireshark: View ▸ Time Display Format ▸ Since Previous Displayed Packet")
            ),
        )
        .cite(
            file,
            "probes and replies",
            probes
                .iter()
                .flat_map(|p| {
                    std::iter::once(t.frame(p.first)).chain(p.reply.map(|r| t.frame(r)))
                })
                .take(24)
                .collect(),
        )
        .value(
            "hops",
            means
                .iter()
                .map(|(ttl, f, m)| (ttl.to_string(), (f.map(|x| x.to_string()), *m)))
                .collect::<BTreeMap<_, _>>(),
        )
        .with_table(table),
    );
    out
}

#[cfg(test)]
mod tests;

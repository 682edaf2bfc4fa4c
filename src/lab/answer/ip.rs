//! The Kurose & Ross "Wireshark Lab: IP v8.1", answered from a capture of traceroute (UDP
//! probes as Linux and macOS send them, or ICMP probes as Windows' tracert), a traceroute
//! with 3000-byte probes, and some IPv6 traffic. Questions 1–12 (Part 1: the IPv4 datagram
//! and traceroute), 13–19 (Part 2: fragmentation), 20–26 (Part 3: IPv6), numbered and worded
//! as the lab numbers and words them. What depends on the network (how many routers, their
//! addresses, the TTLs of their replies) is said to.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use super::netlayer::{
    Datagram, Ip, Probe, ProbeKind, TIME_EXCEEDED, Trace, icmp_short, protocol_name,
};
use super::report::{Answer, Table};
use super::{frames_text, plural};
use crate::decode::{Ipv4Repr, TransportRepr};

/// The IPv4 header fields a student compares between datagrams, as Wireshark names them.
pub fn header_fields(h: &Ipv4Repr) -> Vec<(&'static str, String)> {
    vec![
        ("Version", "4".into()),
        ("Header Length", format!("{} bytes", h.header_len)),
        (
            "Differentiated Services Field",
            format!("0x{:02x}", (h.dscp << 2) | (h.ecn & 3)),
        ),
        ("Total Length", h.total_len.to_string()),
        ("Identification", format!("0x{:04x} ({})", h.id, h.id)),
        ("Flags", flags(h)),
        ("Fragment Offset", h.frag_offset.to_string()),
        ("Time to Live", h.ttl.to_string()),
        ("Protocol", protocol_name(h.protocol)),
        ("Header Checksum", format!("0x{:04x}", h.checksum)),
        ("Source Address", h.src.to_string()),
        ("Destination Address", h.dst.to_string()),
    ]
}

/// Wireshark's Flags line: `0x2, More fragments`, `0x0`, `0x4, Don't fragment` (as bits).
pub fn flags(h: &Ipv4Repr) -> String {
    match (h.dont_fragment, h.more_fragments) {
        (true, true) => "0x3, Don't fragment, More fragments".into(),
        (true, false) => "0x2, Don't fragment".into(),
        (false, true) => "0x1, More fragments".into(),
        (false, false) => "0x0".into(),
    }
}

/// For each field: `Some(true)` when it changed between every two consecutive headers,
/// `Some(false)` when it never changed, `None` when it changed sometimes.
pub fn field_changes(heads: &[&Ipv4Repr]) -> Vec<(&'static str, Option<bool>)> {
    let rows: Vec<Vec<(&'static str, String)>> = heads.iter().map(|h| header_fields(h)).collect();
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|k| {
            let changed: Vec<bool> = rows.windows(2).map(|w| w[0][k].1 != w[1][k].1).collect();
            let v = if changed.iter().all(|c| *c) {
                Some(true)
            } else if changed.iter().all(|c| !*c) {
                Some(false)
            } else {
                None
            };
            (first[k].0, v)
        })
        .collect()
}

const WHY: &[(&str, &str)] = &[
    ("Version", "every datagram is IPv4"),
    ("Header Length", "no datagram carries IP options"),
    (
        "Differentiated Services Field",
        "traceroute asks for the same service class for every probe",
    ),
    (
        "Total Length",
        "every probe of one run has the same size (traceroute's packet length)",
    ),
    (
        "Identification",
        "each datagram needs its own Identification, so fragments of different datagrams are never mixed up when reassembled",
    ),
    (
        "Flags",
        "none of these probes is fragmented, and the Don't Fragment bit is the program's choice",
    ),
    ("Fragment Offset", "none of these probes is a fragment"),
    (
        "Time to Live",
        "traceroute raises it (1, 2, 3, …) so that each router on the way in turn discards a probe and answers with Time Exceeded",
    ),
    (
        "Protocol",
        "every probe carries the same upper-layer protocol",
    ),
    (
        "Header Checksum",
        "it is computed over the header, so it changes whenever the TTL or Identification does",
    ),
    ("Source Address", "every probe comes from the same computer"),
    ("Destination Address", "every probe goes to the same target"),
];

fn why(field: &str) -> &'static str {
    WHY.iter()
        .find(|(f, _)| *f == field)
        .map(|(_, w)| *w)
        .unwrap_or("")
}

fn found(how: &str) -> String {
    format!("\nHow: {how}")
}

fn no_trace(id: &str, q: &str) -> Answer {
    Answer::new(
        id,
        q,
        "No traceroute in these captures: capture while running `traceroute HOST` (Linux, macOS) \
         or `tracert HOST` (Windows); the probes are the datagrams whose TTL rises 1, 2, 3 and \
         that routers answer with ICMP Time Exceeded."
            .into(),
    )
}

/// Every answer of the IP lab.
pub fn answers(t: &Trace) -> Vec<Answer> {
    let runs: Vec<Vec<usize>> = t
        .runs()
        .into_iter()
        .filter(|r| t.is_traceroute(r))
        .collect();
    let small = runs
        .iter()
        .find(|r| r.iter().all(|i| t.probes[*i].fragments.len() == 1));
    // Fragmented datagrams: a traceroute's (Linux) or a ping's (Windows: ping -l 3000).
    let all_runs = t.runs();
    let big = all_runs
        .iter()
        .find(|r| r.iter().any(|i| t.probes[*i].fragments.len() > 1));
    let mut out = part1(t, small.map(|v| v.as_slice()).unwrap_or(&[]));
    out.extend(part2(t, big.map(|v| v.as_slice()).unwrap_or(&[])));
    out.extend(part3(&t.all));
    out
}

fn protocol_note(p: u8) -> &'static str {
    match p {
        17 => {
            "UDP probes: Linux and macOS traceroute send UDP datagrams to ports 33434 and up; \
             Windows' tracert sends ICMP echo requests (protocol 1) instead"
        }
        1 => {
            "ICMP probes: Windows' tracert (and `traceroute -I`) send ICMP echo requests; \
             Linux and macOS traceroute send UDP datagrams (protocol 17) by default"
        }
        _ => "",
    }
}

fn part1(t: &Trace, run: &[usize]) -> Vec<Answer> {
    const Q: [&str; 12] = [
        "Select the first UDP segment sent by your computer via the traceroute command. Expand the Internet Protocol part of the packet. What is the IP address of your computer?",
        "What is the value in the time-to-live (TTL) field in this IPv4 datagram's header?",
        "What is the value in the upper layer protocol field in this IPv4 datagram's header? [Note: the answers for Linux/MacOS differ from Windows here.]",
        "How many bytes are in the IP header?",
        "How many bytes are in the payload of the IP datagram? Explain how you determined the number of payload bytes.",
        "Has this IP datagram been fragmented? Explain how you determined whether or not the datagram has been fragmented.",
        "Which fields in the IP datagram always change from one datagram to the next within this series of UDP segments sent by your computer destined to the target, via traceroute? Why?",
        "Which fields in this sequence of IP datagrams (containing UDP segments) stay constant? Why?",
        "Describe the pattern you see in the values in the Identification field of the IP datagrams being sent by your computer.",
        "What is the upper layer protocol specified in the IP datagrams returned from the routers? [Note: the answers for Linux/MacOS differ from Windows here.]",
        "Are the values in the Identification fields (across the sequence of all of ICMP packets from all of the routers) similar in behavior to your answer to question 9 above?",
        "Are the values of the TTL fields similar, across all of ICMP packets from all of the routers?",
    ];
    let probes: Vec<&Probe> = run.iter().filter_map(|i| t.probes.get(*i)).collect();
    let heads: Vec<&Ipv4Repr> = probes.iter().filter_map(|p| t.head(p)).collect();
    let (Some(p0), Some(h)) = (probes.first(), heads.first()) else {
        return Q
            .iter()
            .enumerate()
            .map(|(i, q)| no_trace(&(i + 1).to_string(), q))
            .collect();
    };
    let file = t.all[p0.first].file;
    let f0 = t.frame(p0.first);
    let probe_frames: Vec<u64> = probes.iter().map(|p| t.frame(p.first)).collect();
    let filter = format!(
        "ip.src=={} && ip.dst=={} && {}",
        h.src,
        h.dst,
        if h.protocol == 17 { "udp" } else { "icmp" }
    );
    let mut out = Vec::new();
    out.push(
        Answer::new(
            "1",
            Q[0],
            format!(
                "{} — the Source Address of the first probe (frame {f0}), sent to {}. It is this \
                 network's address for the computer: on another network it differs.{}",
                h.src,
                h.dst,
                found(&format!(
                    "the first frame of the display filter `{filter}`, field ip.src"
                ))
            ),
        )
        .cite(file, "first probe", vec![f0])
        .value("host", h.src.to_string())
        .value("target", h.dst.to_string())
        .value("frame", f0),
    );
    out.push(
        Answer::new(
            "2",
            Q[1],
            format!(
                "{} (frame {f0}): traceroute's first probe may cross no router, so the first \
                 router discards it and answers Time Exceeded.{}",
                h.ttl,
                found("Time to Live in the IPv4 header (ip.ttl)")
            ),
        )
        .cite(file, "first probe", vec![f0])
        .value("ttl", h.ttl),
    );
    out.push(
        Answer::new(
            "3",
            Q[2],
            format!(
                "{} (frame {f0}): {}.{}",
                protocol_name(h.protocol),
                protocol_note(h.protocol),
                found("Protocol in the IPv4 header (ip.proto)")
            ),
        )
        .cite(file, "first probe", vec![f0])
        .value("protocol", h.protocol),
    );
    out.push(
        Answer::new(
            "4",
            Q[3],
            format!(
                "{} bytes: Header Length is {} × 4 (a 20-byte header carries no options).{}",
                h.header_len,
                h.header_len / 4,
                found("`0100 .... = Version: 4`, `.... 0101 = Header Length` (ip.hdr_len)")
            ),
        )
        .cite(file, "first probe", vec![f0])
        .value("header_len", h.header_len),
    );
    let payload = h.total_len.saturating_sub(u16::from(h.header_len));
    out.push(
        Answer::new(
            "5",
            Q[4],
            format!(
                "{payload} bytes: the Total Length ({}) counts header and payload, so the payload \
                 is {} − {} = {payload} bytes ({}).{}",
                h.total_len,
                h.total_len,
                h.header_len,
                match (&t.all[p0.first].transport, p0.kind) {
                    (TransportRepr::Udp(_), _) =>
                        "an 8-byte UDP header and traceroute's data".to_string(),
                    (_, ProbeKind::Echo { .. }) =>
                        "an 8-byte ICMP echo header and its data".to_string(),
                    _ => "the transport header and data".to_string(),
                },
                found("ip.len − ip.hdr_len")
            ),
        )
        .cite(file, "first probe", vec![f0])
        .value("total_len", h.total_len)
        .value("payload", payload),
    );
    out.push(
        Answer::new(
            "6",
            Q[5],
            format!(
                "{}: Flags is {} (More fragments {}) and the Fragment Offset is {}{}.{}",
                if h.is_fragment() { "Yes" } else { "No" },
                flags(h),
                if h.more_fragments { "set" } else { "not set" },
                h.frag_offset,
                if h.is_fragment() {
                    ""
                } else {
                    " — a datagram that is not a fragment has both at 0"
                },
                found("ip.flags.mf and ip.frag_offset")
            ),
        )
        .cite(file, "first probe", vec![f0])
        .value("fragmented", h.is_fragment()),
    );
    let changes = field_changes(&heads);
    let always: Vec<&str> = changes
        .iter()
        .filter(|c| c.1 == Some(true))
        .map(|c| c.0)
        .collect();
    let sometimes: Vec<&str> = changes
        .iter()
        .filter(|c| c.1.is_none())
        .map(|c| c.0)
        .collect();
    let never: Vec<&str> = changes
        .iter()
        .filter(|c| c.1 == Some(false))
        .map(|c| c.0)
        .collect();
    let mut table = Table::new(&[
        "Frame",
        "TTL",
        "Identification",
        "Header Checksum",
        "Total Length",
    ]);
    for (p, hh) in probes.iter().zip(&heads) {
        table.row(vec![
            t.frame(p.first).to_string(),
            hh.ttl.to_string(),
            format!("0x{:04x}", hh.id),
            format!("0x{:04x}", hh.checksum),
            hh.total_len.to_string(),
        ]);
    }
    let ttls: Vec<u8> = heads.iter().map(|h| h.ttl).collect();
    let per_ttl = ttls.iter().filter(|x| **x == ttls[0]).count();
    let mut text = format!(
        "Across the {} probes of this traceroute ({}): ",
        probes.len(),
        frames_text(
            &probe_frames[..probe_frames.len().min(12)],
            probes.len() as u64
        )
    );
    text.push_str(&if always.is_empty() {
        "no field changes between every two consecutive probes.".to_string()
    } else {
        format!("{} change from every probe to the next.", always.join(", "))
    });
    for f in &always {
        text.push_str(&format!("\n- {f}: {}.", why(f)));
    }
    if !sometimes.is_empty() {
        text.push_str(&format!(
            "\n{} change{} only sometimes{}.",
            sometimes.join(", "),
            if sometimes.len() == 1 { "s" } else { "" },
            if sometimes.contains(&"Time to Live") && per_ttl > 1 {
                format!(
                    ": traceroute sends {per_ttl} probes with each TTL, so the TTL changes every \
                     {per_ttl} probes (each TTL's probes ask the same router three times)"
                )
            } else {
                String::new()
            }
        ));
        for f in sometimes.iter().filter(|f| **f != "Time to Live") {
            text.push_str(&format!("\n- {f}: {}.", why(f)));
        }
    }
    text.push_str(
        "\nMust change: Identification (a new datagram), TTL (how traceroute finds each router) \
         and so the Header Checksum.",
    );
    text.push_str(&found(&format!(
        "the display filter `{filter}`, comparing ip.ttl, ip.id and ip.checksum from one probe to the next"
    )));
    out.push(
        Answer::new("7", Q[6], text)
            .cite(
                file,
                "probes",
                probe_frames.iter().take(24).copied().collect(),
            )
            .value("always_change", &always)
            .value("sometimes_change", &sometimes)
            .value("ttls", &ttls)
            .with_table(table),
    );
    let mut text = format!("{} stay constant:", never.join(", "));
    for f in &never {
        text.push_str(&format!("\n- {f}: {}.", why(f)));
    }
    text.push_str(
        "\nMust stay constant: Version, Header Length (no options), Source and Destination \
         Address and Protocol — the same program sends the same kind of datagram to the same \
         target.",
    );
    text.push_str(&found(&format!("the display filter `{filter}`")));
    out.push(
        Answer::new("8", Q[7], text)
            .cite(
                file,
                "probes",
                probe_frames.iter().take(24).copied().collect(),
            )
            .value("constant", &never),
    );
    out.push(id_pattern(
        "9",
        Q[8],
        &heads.iter().map(|h| h.id).collect::<Vec<_>>(),
        file,
        &probe_frames,
        "the probes",
    ));
    // Replies from the routers.
    let mut routers: BTreeMap<Ipv4Addr, Vec<(u64, u8, &Datagram, u8)>> = BTreeMap::new();
    let mut table = Table::new(&[
        "Probe frame",
        "Probe TTL",
        "Reply frame",
        "From",
        "ICMP",
        "Reply TTL",
        "Reply Identification",
    ]);
    for p in &probes {
        let Some(r) = t.reply_of(p) else { continue };
        let (Some(rh), Some(m), Some(ph)) = (r.v4(), r.icmp(), t.head(p)) else {
            continue;
        };
        table.row(vec![
            t.frame(p.first).to_string(),
            ph.ttl.to_string(),
            r.frame.to_string(),
            rh.src.to_string(),
            icmp_short(m.icmp_type, m.code),
            rh.ttl.to_string(),
            format!("0x{:04x}", rh.id),
        ]);
        if m.icmp_type == TIME_EXCEEDED {
            routers
                .entry(rh.src)
                .or_default()
                .push((r.frame, rh.ttl, r, ph.ttl));
        }
    }
    let te_frames: Vec<u64> = routers
        .values()
        .flat_map(|v| v.iter().map(|x| x.0))
        .collect();
    let mut text = if routers.is_empty() {
        "No ICMP Time Exceeded from a router answered these probes (no router between, or \
         routers that do not answer)."
            .to_string()
    } else {
        format!(
            "ICMP (1): every reply from a router is an ICMP Time-to-live exceeded message, \
             whatever the probes were (UDP from Linux/macOS, ICMP echo from Windows). {} \
             router{} answered: {}. Which routers, and how many, depend on the network between \
             the computer and the target.",
            routers.len(),
            plural(routers.len() as u64),
            routers
                .iter()
                .map(|(ip, v)| {
                    let mut ttls: Vec<u8> = v.iter().map(|x| x.3).collect();
                    ttls.dedup();
                    format!(
                        "{ip} (to the probes with TTL {}, {})",
                        ttls.iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        frames_text(&v.iter().map(|x| x.0).collect::<Vec<_>>(), v.len() as u64)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    text.push_str(&found(&format!(
        "the display filter `ip.dst=={} && icmp`, field ip.proto",
        h.src
    )));
    out.push(
        Answer::new("10", Q[9], text)
            .cite(file, "Time Exceeded from routers", te_frames.clone())
            .value(
                "routers",
                routers.keys().map(|r| r.to_string()).collect::<Vec<_>>(),
            )
            .with_table(table),
    );
    // 11: identification from routers.
    let mut text = String::new();
    for (ip, v) in &routers {
        let ids: Vec<u16> = v
            .iter()
            .map(|x| x.2.v4().map(|h| h.id).unwrap_or(0))
            .collect();
        text.push_str(&format!(
            "- {ip}: {}; {}.\n",
            ids.iter()
                .map(|i| format!("0x{i:04x}"))
                .collect::<Vec<_>>()
                .join(", "),
            describe_ids(&ids)
        ));
    }
    if routers.is_empty() {
        text = "No Time Exceeded in these captures.".into();
    } else {
        let probe_ids: Vec<u16> = heads.iter().map(|h| h.id).collect();
        let same = routers.values().all(|v| {
            let ids: Vec<u16> = v
                .iter()
                .map(|x| x.2.v4().map(|h| h.id).unwrap_or(0))
                .collect();
            describe_ids(&ids) == describe_ids(&probe_ids)
        });
        text.push_str(if same {
            "Yes, they behave like the probes' (question 9). "
        } else {
            "No, not like the probes' (question 9). "
        });
        text.push_str(
            "Each router numbers the datagrams it sends itself, so its own replies follow its \
             own counter (usually rising by one); replies from different routers come from \
             different counters, and the probes' Identification (question 9) comes from the \
             computer's. The values depend on the routers.",
        );
    }
    text.push_str(&found("ip.id of the ICMP packets from the routers"));
    out.push(Answer::new("11", Q[10], text).cite(
        file,
        "Time Exceeded from routers",
        te_frames.clone(),
    ));
    let mut text = String::new();
    let mut per_router = BTreeMap::new();
    for (ip, v) in &routers {
        let mut ttls: Vec<u8> = v.iter().map(|x| x.1).collect();
        ttls.sort_unstable();
        ttls.dedup();
        text.push_str(&format!(
            "- {ip}: TTL {}.\n",
            ttls.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        per_router.insert(ip.to_string(), ttls);
    }
    if routers.is_empty() {
        text = "No Time Exceeded in these captures.".into();
    } else {
        text.push_str(
            "The replies of one router all have the same TTL: it starts them with its own \
             initial TTL (64 on Linux, 255 on many routers) and they cross the same routers on \
             the way back, each taking one off. Replies from farther routers arrive with less \
             left; the numbers depend on the routers and the path.",
        );
    }
    text.push_str(&found("ip.ttl of the ICMP packets from the routers"));
    out.push(
        Answer::new("12", Q[11], text)
            .cite(file, "Time Exceeded from routers", te_frames)
            .value("reply_ttls", per_router),
    );
    out
}

/// How a sequence of Identification values moves.
pub fn describe_ids(ids: &[u16]) -> String {
    if ids.len() < 2 {
        return "a single value".into();
    }
    let steps: Vec<i32> = ids
        .windows(2)
        .map(|w| i32::from(w[1].wrapping_sub(w[0]) as i16))
        .collect();
    if steps.iter().all(|s| *s == 1) {
        "each one more than the one before".into()
    } else if steps.iter().all(|s| *s > 0 && *s < 64) {
        "rising by small steps (the sender's counter also numbered other datagrams in between)"
            .into()
    } else {
        "no order: each datagram gets an unpredictable (random) Identification, as Linux gives \
         datagrams sent on a socket without the Don't Fragment bit"
            .into()
    }
}

fn id_pattern(id: &str, q: &str, ids: &[u16], file: usize, frames: &[u64], whose: &str) -> Answer {
    Answer::new(
        id,
        q,
        format!(
            "{}: {}. Every datagram has its own Identification, so a receiver can tell the \
             fragments of different datagrams apart.{}",
            ids.iter()
                .take(12)
                .map(|i| format!("0x{i:04x}"))
                .collect::<Vec<_>>()
                .join(", ")
                + if ids.len() > 12 { ", …" } else { "" },
            describe_ids(ids),
            found(&format!("ip.id of {whose}, one after the other"))
        ),
    )
    .cite(file, whose, frames.iter().take(24).copied().collect())
    .value("identifications", ids)
}

fn part2(t: &Trace, run: &[usize]) -> Vec<Answer> {
    const Q: [&str; 7] = [
        "Find the first IP datagram containing the first part of the segment sent by your computer via the traceroute command, after you specified that the traceroute packet length should be 3000. Has that segment been fragmented across more than one IP datagram?",
        "What information in the IP header indicates that this datagram been fragmented?",
        "What information in the IP header for this packet indicates whether this is the first fragment versus a latter fragment?",
        "How many bytes are there in is this IP datagram (header plus payload)?",
        "Now inspect the datagram containing the second fragment of the fragmented UDP segment. What information in the IP header indicates that this is not the first datagram fragment?",
        "What fields change in the IP header between the first and second fragment?",
        "Now find the IP datagram containing the third fragment of the original UDP segment. What information in the IP header indicates that this is the last fragment of that segment?",
    ];
    let ids = ["13", "14", "15", "16", "17", "18", "19"];
    let Some(p) = run
        .iter()
        .filter_map(|i| t.probes.get(*i))
        .find(|p| p.fragments.len() > 1)
    else {
        return ids
            .iter()
            .zip(Q)
            .map(|(id, q)| {
                Answer::new(
                    id,
                    q,
                    "No fragmented probe in these captures: run `traceroute HOST 3000` (Linux, \
                     macOS) or `ping -l 3000 HOST` (Windows) while capturing."
                        .into(),
                )
            })
            .collect();
    };
    let heads: Vec<(u64, &Ipv4Repr)> = p
        .fragments
        .iter()
        .filter_map(|i| t.all.get(*i).and_then(|d| d.v4().map(|h| (d.frame, h))))
        .collect();
    let file = t.all[p.first].file;
    let frames: Vec<u64> = heads.iter().map(|x| x.0).collect();
    let (Some(&(f1, h1)), Some(&(fl, hl))) = (heads.first(), heads.last()) else {
        return Vec::new();
    };
    let mut table = Table::new(&[
        "Frame",
        "Identification",
        "Flags",
        "Fragment Offset",
        "Total Length",
        "Payload bytes",
    ]);
    for (f, h) in &heads {
        table.row(vec![
            f.to_string(),
            format!("0x{:04x}", h.id),
            flags(h),
            h.frag_offset.to_string(),
            h.total_len.to_string(),
            (h.total_len.saturating_sub(u16::from(h.header_len))).to_string(),
        ]);
    }
    let n = heads.len();
    let mut out = Vec::new();
    let completed = t
        .all
        .get(*p.fragments.last().unwrap_or(&p.first))
        .filter(|d| !d.reassembled.is_empty());
    out.push(
        Answer::new(
            ids[0],
            Q[0],
            format!(
                "Yes: the {}-byte datagram (Identification 0x{:04x}) left the computer as {n} \
                 fragments, {}; the fragments' payloads add up to {} bytes{}. The computer \
                 fragmented it itself: its link's MTU is smaller than the datagram.{}",
                p.size,
                h1.id,
                frames_text(&frames, n as u64),
                p.size.saturating_sub(u32::from(h1.header_len)),
                match completed {
                    Some(d) => format!(
                        " (Wireshark reassembles them in frame {}: `[{n} IPv4 Fragments]`)",
                        d.frame
                    ),
                    None => String::new(),
                },
                found(&format!("the display filter `ip.id==0x{:04x}`", h1.id))
            ),
        )
        .cite(file, "fragments", frames.clone())
        .value("fragments", n)
        .value("datagram_size", p.size)
        .value("frames", &frames)
        .with_table(table.clone()),
    );
    out.push(
        Answer::new(
            ids[1],
            Q[1],
            format!(
                "The More fragments flag is set (Flags: {}) in frame {f1}: more of this \
                 datagram follows. (A fragment also shows a non-zero Fragment Offset unless it is \
                 the first.){}",
                flags(h1),
                found("ip.flags.mf == 1")
            ),
        )
        .cite(file, "first fragment", vec![f1])
        .value("more_fragments", h1.more_fragments),
    );
    out.push(
        Answer::new(
            ids[2],
            Q[2],
            format!(
                "The Fragment Offset is {} in frame {f1}: the first fragment carries the data \
                 from byte 0; a later one has a larger offset.{}",
                h1.frag_offset,
                found(
                    "ip.frag_offset (Wireshark shows it in bytes: the field counts 8-byte units)"
                )
            ),
        )
        .cite(file, "first fragment", vec![f1])
        .value("offset", h1.frag_offset),
    );
    out.push(
        Answer::new(
            ids[3],
            Q[3],
            format!(
                "{} bytes (Total Length): a {}-byte header and {} bytes of payload — the most \
                 the link's MTU allows ({} bytes of payload, a multiple of 8 as offsets require).{}",
                h1.total_len,
                h1.header_len,
                h1.total_len.saturating_sub(u16::from(h1.header_len)),
                h1.total_len.saturating_sub(u16::from(h1.header_len)),
                found("ip.len")
            ),
        )
        .cite(file, "first fragment", vec![f1])
        .value("total_len", h1.total_len),
    );
    let second = heads.get(1).copied();
    out.push(match second {
        Some((f2, h2)) => Answer::new(
            ids[4],
            Q[4],
            format!(
                "Its Fragment Offset is {} (not 0), in frame {f2}: its data starts {} bytes into \
                 the original payload. Its More fragments flag is {}.{}",
                h2.frag_offset,
                h2.frag_offset,
                if h2.more_fragments {
                    "still set: more follows"
                } else {
                    "clear: it is also the last"
                },
                found("ip.frag_offset > 0")
            ),
        )
        .cite(file, "second fragment", vec![f2])
        .value("offset", h2.frag_offset)
        .value("more_fragments", h2.more_fragments),
        None => Answer::new(ids[4], Q[4], "Only one fragment was captured.".into()),
    });
    out.push(match second {
        Some((f2, h2)) => {
            let a = header_fields(h1);
            let b = header_fields(h2);
            let changed: Vec<String> = a
                .iter()
                .zip(&b)
                .filter(|(x, y)| x.1 != y.1)
                .map(|(x, y)| format!("{} ({} → {})", x.0, x.1, y.1))
                .collect();
            Answer::new(
                ids[5],
                Q[5],
                format!(
                    "Between frames {f1} and {f2}: {}. The Identification, addresses, Protocol \
                     and TTL stay: they are the original datagram's.{}",
                    if changed.is_empty() {
                        "nothing".to_string()
                    } else {
                        changed.join("; ")
                    },
                    found("comparing the two IPv4 headers field by field")
                ),
            )
            .cite(file, "first and second fragment", vec![f1, f2])
            .value(
                "changed",
                a.iter()
                    .zip(&b)
                    .filter(|(x, y)| x.1 != y.1)
                    .map(|(x, _)| x.0)
                    .collect::<Vec<_>>(),
            )
        }
        None => Answer::new(ids[5], Q[5], "Only one fragment was captured.".into()),
    });
    out.push(
        Answer::new(
            ids[6],
            Q[6],
            format!(
                "{}The More fragments flag is not set (Flags: {}) in frame {fl}, and its \
                 Fragment Offset is {}: nothing follows it. Its Total Length is {} bytes — the \
                 rest of the payload.{}",
                if n == 3 {
                    String::new()
                } else {
                    format!("(There are {n} fragments; the last one is frame {fl}.) ")
                },
                flags(hl),
                hl.frag_offset,
                hl.total_len,
                found("ip.flags.mf == 0 && ip.frag_offset > 0")
            ),
        )
        .cite(file, "last fragment", vec![fl])
        .value("offset", hl.frag_offset)
        .value("total_len", hl.total_len)
        .with_table(table),
    );
    out
}

fn part3(all: &[Datagram]) -> Vec<Answer> {
    const Q: [&str; 7] = [
        "What is the IPv6 address of the computer making the request (the source address of this IPv6 datagram)?",
        "What is the IPv6 destination address for this datagram?",
        "What is the value of the flow label for this datagram?",
        "How much payload data is carried in this datagram?",
        "What is the upper layer protocol to which this datagram's payload will be delivered at the destination?",
        "How many IPv6 addresses are returned in the response to this AAAA request?",
        "What is the first of the IPv6 addresses returned by the DNS for youtube.com?",
    ];
    let ids = ["20", "21", "22", "23", "24", "25", "26"];
    // The first IPv6 datagram a computer sent that is not neighbour discovery or MLD: the lab's
    // is a DNS AAAA query; a ping or any other does as well for the header's fields.
    let is_nd = |d: &Datagram| match &d.transport {
        TransportRepr::Icmpv6(m) => (130..=143).contains(&m.icmp_type),
        _ => false,
    };
    let aaaa_query = |d: &Datagram| d.dns.as_ref().is_some_and(|m| !m.response && m.qtype == 28);
    let pick = all
        .iter()
        .find(|d| matches!(d.ip, Ip::V6(_)) && aaaa_query(d))
        .or_else(|| all.iter().find(|d| matches!(d.ip, Ip::V6(_)) && !is_nd(d)))
        .or_else(|| all.iter().find(|d| matches!(d.ip, Ip::V6(_))));
    let Some(d) = pick else {
        let mut out: Vec<Answer> = ids[..5]
            .iter()
            .zip(Q)
            .map(|(id, q)| {
                Answer::new(
                    id,
                    q,
                    "No IPv6 datagram in these captures: capture while the computer uses IPv6 \
                     (`dig AAAA youtube.com`, `ping -6 HOST`)."
                        .into(),
                )
            })
            .collect();
        out.extend(aaaa_answers(all, &ids[5..], &Q[5..]));
        return out;
    };
    let Ip::V6(h) = &d.ip else {
        return Vec::new();
    };
    let what = match &d.transport {
        TransportRepr::Icmpv6(m) if m.icmp_type == 128 => "an ICMPv6 echo request (ping -6)",
        TransportRepr::Icmpv6(_) => "an ICMPv6 message",
        TransportRepr::Udp(u) if u.dst_port == 53 => "a DNS query",
        _ if d.dns.is_some() => "a DNS message",
        TransportRepr::Udp(_) => "a UDP datagram",
        TransportRepr::Tcp(_) => "a TCP segment",
        _ => "an IPv6 datagram",
    };
    let f = d.frame;
    let file = d.file;
    let intro = if aaaa_query(d) {
        format!("Frame {f} carries the DNS AAAA query. ")
    } else {
        format!(
            "(The lab's datagram is a DNS AAAA query; here the first IPv6 datagram sent that is \
             not neighbour discovery is frame {f}, {what}.) "
        )
    };
    let src: IpAddr = h.src.into();
    let dst: IpAddr = h.dst.into();
    let mut out = vec![
        Answer::new(
            ids[0],
            Q[0],
            format!(
                "{intro}{src} — written as Wireshark writes it (zeros compressed).{}",
                found("ipv6.src")
            ),
        )
        .value("src", src.to_string()),
        Answer::new(
            ids[1],
            Q[1],
            format!("{dst} (frame {f}).{}", found("ipv6.dst")),
        )
        .value("dst", dst.to_string()),
        Answer::new(
            ids[2],
            Q[2],
            format!(
                "0x{:05x} (frame {f}){}.{}",
                h.flow_label,
                if h.flow_label == 0 {
                    ": the sender did not label a flow"
                } else {
                    ": the sender's label for the flow this datagram belongs to"
                },
                found("ipv6.flow")
            ),
        )
        .value("flow_label", h.flow_label),
        Answer::new(
            ids[3],
            Q[3],
            format!(
                "{} bytes (Payload Length, frame {f}): unlike IPv4's Total Length it leaves out \
                 the fixed 40-byte header.{}",
                h.payload_len,
                found("ipv6.plen")
            ),
        )
        .value("payload_len", h.payload_len),
        Answer::new(
            ids[4],
            Q[4],
            format!(
                "{} — the Next Header field (frame {f}){}. Its Hop Limit, IPv6's TTL, is {}.{}",
                protocol_name(h.payload_protocol),
                if h.next_header != h.payload_protocol {
                    format!(", after extension header {}", h.next_header)
                } else {
                    String::new()
                },
                h.hop_limit,
                found("ipv6.nxt and ipv6.hlim")
            ),
        )
        .value("next_header", h.next_header)
        .value("hop_limit", h.hop_limit),
    ];
    for a in &mut out {
        *a = std::mem::replace(a, Answer::new("", "", String::new())).cite(
            file,
            "IPv6 datagram",
            vec![f],
        );
    }
    out.extend(aaaa_answers(all, &ids[5..], &Q[5..]));
    out
}

/// Questions 25 and 26: the response to the first AAAA query (over IPv6 or IPv4).
fn aaaa_answers(all: &[Datagram], ids: &[&str], q: &[&str]) -> Vec<Answer> {
    let query = all
        .iter()
        .find(|d| d.dns.as_ref().is_some_and(|m| !m.response && m.qtype == 28));
    let reply = query.and_then(|qd| {
        let qm = qd.dns.as_ref()?;
        all.iter().find(|d| {
            d.file == qd.file
                && d.frame > qd.frame
                && d.dns
                    .as_ref()
                    .is_some_and(|m| m.response && m.id == qm.id && m.qtype == 28)
        })
    });
    let (Some(qd), Some(rd)) = (query, reply) else {
        return ids
            .iter()
            .zip(q)
            .map(|(id, q)| {
                Answer::new(
                    id,
                    q,
                    "No DNS AAAA query and response in these captures: capture while running \
                     `dig AAAA youtube.com` (or `nslookup -type=AAAA youtube.com`)."
                        .into(),
                )
            })
            .collect();
    };
    let (Some(qm), Some(rm)) = (qd.dns.as_ref(), rd.dns.as_ref()) else {
        return Vec::new();
    };
    let name = crate::text::escape(qm.name.as_bytes());
    let list: Vec<String> = rm.aaaa.iter().map(|a| a.to_string()).collect();
    let how = "\nHow: the display filter `dns.qry.type == 28`, the response's Answers (dns.aaaa)";
    vec![
        Answer::new(
            ids[0],
            q[0],
            format!(
                "{}: frame {} answers the AAAA query for {name} (frame {}, transaction ID \
                 0x{:04x}){}.{how}",
                list.len(),
                rd.frame,
                qd.frame,
                qm.id,
                if list.is_empty() {
                    " with no AAAA record (the name has no IPv6 address)".to_string()
                } else {
                    format!(": {}", list.join(", "))
                }
            ),
        )
        .cite(qd.file, "AAAA query", vec![qd.frame])
        .cite(rd.file, "AAAA response", vec![rd.frame])
        .value("addresses", &list),
        Answer::new(
            ids[1],
            q[1],
            match list.first() {
                Some(a) => format!("{a} (frame {}).{how}", rd.frame),
                None => format!(
                    "None: the response (frame {}) holds no AAAA record.{how}",
                    rd.frame
                ),
            },
        )
        .cite(rd.file, "AAAA response", vec![rd.frame])
        .value("first", list.first()),
    ]
}

#[cfg(test)]
mod tests;

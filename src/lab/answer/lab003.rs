//! Lab 003, "Python Socket Programming": questions I.1–I.4 and II.1–II.3, from the captures
//! of Steps 8 and 12 (on B) and of Part II (on B and C), plus why B's capture holds none of
//! C's unicast frames.
//!
//! Each capture is classified by what it shows of the server: TCP served one connection at a
//! time (Part I), TCP connections served at the same time (Part II, threaded server), or UDP
//! (Step 12). Captures made on different computers are compared by their timestamps (in the
//! virtual lab they share one clock; on the Pis their clocks should agree to within a second).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};

use super::facts::{At, FileFacts, TcpConn, show_text};
use super::report::{Answer, Table};
use super::{Capture, frames_text, plural, seconds};

/// What a capture shows of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// TCP with the server, never two connections served at once (Part I).
    TcpOneAtATime,
    /// TCP connections served at the same time (Part II).
    TcpConcurrent,
    /// UDP with the server, no TCP (Step 12).
    Udp,
    /// Nothing with the server.
    Neither,
}

/// When a connection is open: from its first frame to its first FIN or RST.
fn open_span(c: &TcpConn) -> (f64, f64) {
    let from = c.syn.unwrap_or(c.first).abs;
    let to = c.first_close().map_or(f64::INFINITY, |a| a.abs);
    (from, to)
}

/// True when `x` got data from the server while `y` was open.
fn served_while_open(x: &TcpConn, y: &TcpConn) -> Option<At> {
    let (from, to) = open_span(y);
    x.down()
        .data
        .first
        .iter()
        .find(|s| s.at.abs > from && s.at.abs < to)
        .map(|s| s.at)
}

/// Pairs of connections served at the same time: (x, y, x's reply while y was open), where y
/// opened first. A one-client-at-a-time server never answers a later connection while an
/// earlier one is still open; a threaded server does.
fn concurrent_pairs<'a>(conns: &[&'a TcpConn]) -> Vec<(&'a TcpConn, &'a TcpConn, At)> {
    let mut out = Vec::new();
    for x in conns {
        for y in conns {
            if x.client() == y.client() || open_span(y).0 >= open_span(x).0 {
                continue;
            }
            if let Some(a) = served_while_open(x, y) {
                out.push((*x, *y, a));
            }
        }
    }
    out
}

/// Classifies one capture.
pub fn classify(f: &FileFacts, server: IpAddr) -> Kind {
    let conns: Vec<&TcpConn> = f.tcp_to(server).collect();
    if !conns.is_empty() {
        if concurrent_pairs(&conns).is_empty() {
            Kind::TcpOneAtATime
        } else {
            Kind::TcpConcurrent
        }
    } else if f.udp_with(server).next().is_some() {
        Kind::Udp
    } else {
        Kind::Neither
    }
}

/// `b-tcp.pcapng (file 1)`.
fn label(caps: &[Capture], i: usize) -> String {
    let name = caps[i]
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| caps[i].path.display().to_string());
    format!("{name} (file {})", i + 1)
}

/// The computer a capture was made on (see [`FileFacts::capture_mac`]), preferring a client
/// of `server` when the capture could be either's.
fn captured_on(f: &FileFacts, server: IpAddr) -> Option<(IpAddr, [u8; 6])> {
    let mac = f.capture_mac(f.mac_of(server))?;
    let ip = f.ips_of(&mac).into_iter().find(IpAddr::is_ipv4)?;
    Some((ip, mac))
}

/// One ARP frame in words: who asks for whom, or who answers.
fn arp_words(x: &super::facts::ArpFact) -> String {
    if x.op == 1 {
        format!(
            "{} asks {} who has {}",
            x.sender_ip,
            if x.broadcast {
                "the whole LAN (broadcast)"
            } else {
                "one computer (unicast, to check its cache)"
            },
            x.target_ip
        )
    } else {
        format!(
            "{} answers {}: {} is at {}",
            x.sender_ip,
            x.target_ip,
            x.sender_ip,
            crate::analyse::mac(&x.sender_mac)
        )
    }
}

fn quoted_texts(segs: &[super::facts::Segment], max: usize) -> String {
    let mut v: Vec<String> = segs
        .iter()
        .take(max)
        .map(|s| format!("\"{}\"", show_text(&s.preview, s.len)))
        .collect();
    if segs.len() > max {
        v.push("…".into());
    }
    v.join(", ")
}

/// Every answer of lab 003.
pub fn answers(caps: &[Capture], server: Option<IpAddr>) -> Vec<Answer> {
    let Some(s) = server else {
        return vec![Answer::new(
            "I.1(a)",
            "What frames are captured in Steps 8(b) and 8(c)?",
            "No server found: these captures hold no TCP connection and no UDP flow. Give the \
             captures of Steps 8 and 12 (made on B while its client talks to A), or name the \
             server with --server."
                .into(),
        )];
    };
    let kinds: Vec<Kind> = caps.iter().map(|c| classify(&c.facts, s)).collect();
    let first_of = |k: Kind| kinds.iter().position(|&x| x == k);
    let part1 = first_of(Kind::TcpOneAtATime).or_else(|| first_of(Kind::TcpConcurrent));
    let udp = first_of(Kind::Udp).or_else(|| {
        caps.iter()
            .position(|c| c.facts.udp_with(s).next().is_some())
    });
    vec![
        i1a(caps, s, part1),
        i1b(caps, s, part1),
        i2(caps, s),
        i3(caps, s, &kinds),
        switch_note(caps, s),
        i4a(caps, s, udp, part1),
        i4b(caps, s, udp),
        ii1(caps, s, &kinds),
        ii2(caps, s, &kinds),
        ii3(caps, s, &kinds),
    ]
}

fn missing(id: &str, q: &str, what: &str) -> Answer {
    Answer::new(id, q, format!("Not in these captures: {what}"))
}

const Q_I1A: &str = "What frames are captured by Wireshark in Steps 8(b) and 8(c)? Explain.";

fn i1a(caps: &[Capture], s: IpAddr, file: Option<usize>) -> Answer {
    let Some(i) = file else {
        return missing(
            "I.1(a)",
            Q_I1A,
            "give the capture of Step 8 (made on B while its TCP client talks to the server).",
        );
    };
    let f = &caps[i].facts;
    let conns: Vec<&TcpConn> = f.tcp_to(s).collect();
    let tcp_frames: u64 = conns.iter().map(|c| c.frames()).sum();
    let mut text = format!("{} holds {} frames", label(caps, i), f.frames);
    if let Some((ip, _)) = captured_on(f, s) {
        text.push_str(&format!(", captured on {ip}"));
    }
    text.push_str(&format!(
        ". With the display filter `ip.addr=={s} and tcp` Wireshark shows {tcp_frames} of them:"
    ));
    let mut a = Answer::new("I.1(a)", Q_I1A, String::new());
    let mut hs_all = Vec::new();
    let (mut up_n, mut down_n, mut acks_n) = (0u64, 0u64, 0u64);
    let (mut step8_n, mut teardown_n) = (0u64, 0u64);
    for c in &conns {
        let hs = c.handshake_frames();
        if !hs.is_empty() {
            text.push_str(&format!(
                "\n- the three-way handshake of {} → {} ({}): the client's connect() made its \
                 kernel send SYN, the server's kernel answered SYN-ACK, and the client's ACK \
                 completed it — Step 8(b), before any message;",
                c.client(),
                c.server(),
                frames_text(&hs, hs.len() as u64)
            ));
            hs_all.extend(hs.iter().copied());
            a = a.cite(i, "handshake", hs.clone());
        } else {
            text.push_str(&format!(
                "\n- no handshake for {} → {}: the capture started after it;",
                c.client(),
                c.server()
            ));
        }
        let up = c.up();
        if !up.data.is_empty() {
            let fr: Vec<u64> = up.data.first.iter().map(|x| x.at.frame).collect();
            text.push_str(&format!(
                "\n- {} data segment{} from the client ({}): the lines typed in Step 8(c), {} \
                 ({} bytes in all), each sent as soon as it was typed;",
                up.data.count,
                plural(up.data.count),
                frames_text(&fr, up.data.count),
                quoted_texts(&up.data.first, 6),
                up.bytes
            ));
            up_n += up.data.count;
            a = a.cite(i, "client data", fr);
        }
        let down = c.down();
        if !down.data.is_empty() {
            let fr: Vec<u64> = down.data.first.iter().map(|x| x.at.frame).collect();
            text.push_str(&format!(
                "\n- {} data segment{} from the server ({}): its replies, {};",
                down.data.count,
                plural(down.data.count),
                frames_text(&fr, down.data.count),
                quoted_texts(&down.data.first, 3)
            ));
            down_n += down.data.count;
            a = a.cite(i, "server data", fr);
        }
        let acks = up.pure_acks.count + down.pure_acks.count;
        // The close: the first FIN or RST; pure ACKs after it belong to the teardown.
        let close_at = [up.fin, down.fin, up.rst, down.rst]
            .into_iter()
            .flatten()
            .map(|x| x.frame)
            .min();
        let mut fr: Vec<u64> = up
            .pure_acks
            .first
            .iter()
            .chain(&down.pure_acks.first)
            .map(|(x, _)| x.frame)
            .collect();
        fr.sort_unstable();
        let (during, after): (Vec<u64>, Vec<u64>) =
            fr.iter().partition(|&&x| close_at.is_none_or(|c| x < c));
        let during_n = acks.saturating_sub(up.pure_acks_after_close + down.pure_acks_after_close);
        if during_n > 0 {
            text.push_str(&format!(
                "\n- {during_n} pure ACK{} ({}): TCP acknowledges every byte it receives; when \
                 there is a reply, the ACK rides on it instead;",
                plural(during_n),
                frames_text(&during, during_n)
            ));
            a = a.cite(i, "pure ACKs", during.clone());
        }
        acks_n += acks;
        step8_n += hs.len() as u64 + up.data.count + down.data.count + during_n;
        let mut closes: Vec<(At, &str)> = [
            (up.fin, "a FIN from the client"),
            (down.fin, "a FIN from the server"),
            (up.rst, "a RST from the client"),
            (down.rst, "a RST from the server"),
        ]
        .into_iter()
        .filter_map(|(at, what)| at.map(|a| (a, what)))
        .collect();
        closes.sort_by(|x, y| x.0.abs.total_cmp(&y.0.abs));
        if closes.is_empty() {
            text.push_str(
                "\n- no FIN and no RST: the connection was left open, as Step 8(c) asks.",
            );
        } else {
            let words: Vec<String> = closes
                .iter()
                .map(|(at, what)| format!("{what} (frame {})", at.frame))
                .collect();
            let mut fr: Vec<u64> = closes.iter().map(|c| c.0.frame).collect();
            fr.extend(after.iter().copied());
            fr.sort_unstable();
            fr.dedup();
            text.push_str(&format!(
                "\n- not Step 8: the teardown ({}): {}{} — it comes from Step 11, when the \
                 client quits (the lab stops the capture at Step 8(d), before it); each side \
                 closes its half with a FIN when its program closes the socket, and the other \
                 side acknowledges it.",
                frames_text(&fr, fr.len() as u64),
                words.join(", then "),
                if after.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", and {} ({})",
                        if after.len() == 1 {
                            "the ACK of the last FIN"
                        } else {
                            "the ACKs of the FINs"
                        },
                        frames_text(&after, after.len() as u64)
                    )
                }
            ));
            teardown_n +=
                closes.len() as u64 + up.pure_acks_after_close + down.pure_acks_after_close;
            a = a.cite(i, "teardown", fr);
        }
    }
    let arp: Vec<&super::facts::ArpFact> = f
        .arp
        .first
        .iter()
        .filter(|x| x.sender_ip == s || x.target_ip == s)
        .collect();
    if !arp.is_empty() {
        let fr: Vec<u64> = arp.iter().map(|x| x.at.frame).collect();
        let me = captured_on(f, s).map(|(ip, _)| ip);
        let first_tcp = conns.iter().filter_map(|c| c.syn.map(|x| x.frame)).min();
        let words: Vec<String> = arp
            .iter()
            .map(|x| {
                let step = if x.target_ip != s && Some(x.target_ip) != me && x.sender_ip == s {
                    format!(
                        " — Step 10: the server's computer looks for {}'s MAC to answer that \
                         computer's client; a request is a broadcast, so it reaches this port too",
                        x.target_ip
                    )
                } else if x.op == 1
                    && x.target_ip == s
                    && x.sender_ip != s
                    && Some(x.sender_ip) != me
                    && first_tcp.is_some_and(|t| x.at.frame > t)
                {
                    format!(
                        " — Step 10: {}'s client is about to send its SYN to the server; a \
                         request is a broadcast, so it reaches this port too",
                        x.sender_ip
                    )
                } else if first_tcp.is_some_and(|t| x.at.frame < t + 4) {
                    " — Step 8(b): needed before the handshake's segments could be sent".into()
                } else {
                    String::new()
                };
                format!("frame {}: {}{step}", x.at.frame, arp_words(x))
            })
            .collect();
        text.push_str(&format!(
            "\nThe filter hides the ARP frames ({}): {}. A computer must know the MAC address of \
             the next computer before it can put an IP packet in an Ethernet frame: it asks the \
             whole LAN (broadcast) who has the IP address, and the owner answers with its MAC \
             (unicast).",
            frames_text(&fr, fr.len() as u64),
            words.join("; ")
        ));
        a = a.cite(i, "ARP", fr);
    }
    let others = f.frames - tcp_frames - arp.len() as u64;
    if others > 0 {
        text.push_str(&format!(
            "\n{others} other frame{} are not about this connection: {}.",
            plural(others),
            other_kinds(f, s)
        ));
    }
    a.answer = text;
    a.value("frames", f.frames)
        .value("filtered_frames", tcp_frames)
        .value("handshake_frames", hs_all)
        .value("client_data_segments", up_n)
        .value("server_data_segments", down_n)
        .value("pure_acks", acks_n)
        .value("step8_tcp_frames", step8_n)
        .value("teardown_frames", teardown_n)
        .value("arp_frames", arp.len())
}

/// What the frames not with the server are, in words.
fn other_kinds(f: &FileFacts, s: IpAddr) -> String {
    let mut parts = Vec::new();
    let arp_other = f
        .arp
        .first
        .iter()
        .filter(|x| x.sender_ip != s && x.target_ip != s)
        .count();
    if arp_other > 0 {
        parts.push(format!("{arp_other} ARP between other computers"));
    }
    let tcp_other: u64 = f
        .tcp
        .iter()
        .filter(|c| c.server().ip() != s)
        .map(TcpConn::frames)
        .sum();
    if tcp_other > 0 {
        parts.push(format!("{tcp_other} TCP with other servers"));
    }
    let udp: u64 = f
        .udp
        .iter()
        .map(|u| u.dirs[0].count + u.dirs[1].count)
        .sum();
    if udp > 0 {
        parts.push(format!("{udp} UDP"));
    }
    for (p, x) in &f.other {
        parts.push(format!(
            "{} {p} ({})",
            x.count,
            frames_text(&x.frames(), x.count)
        ));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

const Q_I1B: &str = "List all unique socket addresses in the data frames exchanged between the \
                     client and the server. How are the client and server socket addresses used?";

fn i1b(caps: &[Capture], s: IpAddr, file: Option<usize>) -> Answer {
    let Some(i) = file else {
        return missing("I.1(b)", Q_I1B, "give the capture of Step 8.");
    };
    let f = &caps[i].facts;
    let mut table = Table::new(&["No.", "Source socket", "Destination socket", "Len", "Data"]);
    let mut rows: Vec<(u64, SocketAddr, SocketAddr, u32, String)> = Vec::new();
    let mut clients = BTreeSet::new();
    let mut servers = BTreeSet::new();
    for c in f.tcp_to(s) {
        for seg in &c.up().data.first {
            rows.push((
                seg.at.frame,
                c.client(),
                c.server(),
                seg.len,
                show_text(&seg.preview, seg.len),
            ));
        }
        for seg in &c.down().data.first {
            rows.push((
                seg.at.frame,
                c.server(),
                c.client(),
                seg.len,
                show_text(&seg.preview, seg.len),
            ));
        }
        if c.up().data.count + c.down().data.count > 0 {
            clients.insert(c.client());
            servers.insert(c.server());
        }
    }
    rows.sort_by_key(|r| r.0);
    for r in &rows {
        table.row(vec![
            r.0.to_string(),
            r.1.to_string(),
            r.2.to_string(),
            r.3.to_string(),
            r.4.clone(),
        ]);
    }
    if rows.is_empty() {
        return Answer::new(
            "I.1(b)",
            Q_I1B,
            format!(
                "{} has no data frames between a client and {s}: type a few lines in the client \
                 while capturing (Step 8(c)).",
                label(caps, i)
            ),
        );
    }
    let all: Vec<String> = clients
        .iter()
        .chain(&servers)
        .map(|a| a.to_string())
        .collect();
    let client_list: Vec<String> = clients.iter().map(|a| a.to_string()).collect();
    let server_list: Vec<String> = servers.iter().map(|a| a.to_string()).collect();
    let one_c = clients.iter().next().copied();
    let one_s = servers.iter().next().copied();
    let mut text = format!(
        "{} unique socket addresses in the {} data frames of {}: {} for the client{} and {} for \
         the server. ",
        all.len(),
        rows.len(),
        label(caps, i),
        client_list.join(", "),
        if clients.len() > 1 {
            "s (one per connection)"
        } else {
            ""
        },
        server_list.join(", ")
    );
    if let (Some(cl), Some(sv)) = (one_c, one_s) {
        text.push_str(&format!(
            "Each frame the client sends has source {cl} and destination {sv}; each reply has \
             them swapped (source {sv}, destination {cl}). The server's socket address is the one \
             its program bound (port {}, known to every client in advance); the client's port {} \
             was picked by its kernel at connect() (an ephemeral port), so it changes with every \
             run. Together the two socket addresses name the connection.",
            sv.port(),
            cl.port()
        ));
    }
    let frames: Vec<u64> = rows.iter().map(|r| r.0).take(32).collect();
    Answer::new("I.1(b)", Q_I1B, text)
        .cite(i, "data frames", frames)
        .value("client_sockets", client_list)
        .value("server_sockets", server_list)
        .with_table(table)
}

const Q_I2: &str = "In Step 9, did the second TCP server run successfully? If not, why?";

fn i2(caps: &[Capture], s: IpAddr) -> Answer {
    let mut servers: BTreeMap<SocketAddr, (usize, u64)> = BTreeMap::new();
    let mut refused = Vec::new();
    for (i, c) in caps.iter().enumerate() {
        for conn in c.facts.tcp_to(s) {
            if let Some(sa) = conn.syn_ack {
                servers.entry(conn.server()).or_insert((i, sa.frame));
            } else if conn.down().rst.is_some() && conn.syn.is_some() {
                refused.push((i, conn));
            } else {
                servers
                    .entry(conn.server())
                    .or_insert((i, conn.first.frame));
            }
        }
    }
    if servers.is_empty() && refused.is_empty() {
        return missing(
            "I.2",
            Q_I2,
            "give the capture of Step 8 or 10 (TCP with the server).",
        );
    }
    let list: Vec<String> = servers.keys().map(|a| a.to_string()).collect();
    let mut a = Answer::new("I.2", Q_I2, String::new());
    let mut text = String::new();
    if let (1, Some((&sa, &(i, frame)))) = (servers.len(), servers.iter().next()) {
        text.push_str(&format!(
            "No. Only one TCP server appears on the wire: every TCP frame from {s} uses {sa}, \
             the socket address the first server bound (it answered the SYN in {} frame {frame}). \
             The second server tried to bind the same address, {sa}, while the first still held \
             it, so bind() failed with \"Address already in use\" (EADDRINUSE). A failed bind \
             sends nothing, so no capture can show it: its error is only on A's screen.",
            label(caps, i)
        ));
        a = a.cite(i, "the first server's SYN-ACK", vec![frame]);
    } else {
        text.push_str(&format!(
            "{} TCP server socket addresses on {s}: {}. Servers on different ports each bind \
             their own address and all run; two on the same port cannot (the second gets \
             \"Address already in use\").",
            servers.len(),
            list.join(", ")
        ));
        for (sa, (i, frame)) in &servers {
            a = a.cite(*i, &format!("server {sa}"), vec![*frame]);
        }
    }
    for (i, conn) in refused.iter().take(4) {
        let rst = conn.down().rst.map(|x| x.frame).unwrap_or_default();
        text.push_str(&format!(
            " A SYN to {} was refused with RST ({} frame {rst}): nothing listened there.",
            conn.server(),
            label(caps, *i)
        ));
        a = a.cite(*i, "refused connection", vec![rst]);
    }
    a.answer = text;
    a.value("server_sockets", list)
}

const Q_I3: &str = "In Step 10, did C's client connect to the server? If not, why?";

/// A connection whose data the server answered late (or never), and why.
struct Waiting<'a> {
    file: usize,
    conn: &'a TcpConn,
    data: At,
    kernel_ack: Option<At>,
    reply: Option<At>,
    blocker: Option<(usize, &'a TcpConn, Option<At>)>,
}

fn waiting_connections<'a>(caps: &'a [Capture], s: IpAddr) -> Vec<Waiting<'a>> {
    let all: Vec<(usize, &TcpConn)> = caps
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.facts.tcp_to(s).map(move |t| (i, t)))
        .collect();
    let mut out = Vec::new();
    for &(i, c) in &all {
        let Some(d) = c.up().first_data() else {
            continue;
        };
        let end = d.seq.wrapping_add(d.len);
        let kernel_ack = c
            .down()
            .pure_acks
            .first
            .iter()
            .find(|(at, ack)| at.abs >= d.at.abs && ack.wrapping_sub(end) as i32 >= 0)
            .map(|(at, _)| *at);
        let reply = c
            .down()
            .data
            .first
            .iter()
            .find(|x| x.at.abs >= d.at.abs)
            .map(|x| x.at);
        let waited = reply.map_or(f64::INFINITY, |r| r.abs - d.at.abs);
        if waited < 0.5 {
            continue;
        }
        // Another client's connection, open when the data came, closed (or not) before the reply.
        let blocker = all
            .iter()
            .filter(|(_, y)| y.client() != c.client() && y.server() == c.server())
            .find(|(_, y)| {
                let (from, to) = open_span(y);
                from < d.at.abs && to > d.at.abs && reply.is_none_or(|r| to <= r.abs + 0.5)
            })
            .map(|&(j, y)| (j, y, y.first_close()));
        if blocker.is_some() || reply.is_none() || waited > 2.0 {
            out.push(Waiting {
                file: i,
                conn: c,
                data: d.at,
                kernel_ack,
                reply,
                blocker,
            });
        }
    }
    out
}

fn i3(caps: &[Capture], s: IpAddr, kinds: &[Kind]) -> Answer {
    let waits = waiting_connections(caps, s);
    let mut a = Answer::new("I.3", Q_I3, String::new());
    if let Some(w) = waits.first() {
        let c = w.conn;
        let hs = c.handshake_frames();
        let mut text = if c.handshake_complete() {
            format!(
                "Yes and no. {}'s client ({}) did connect: the handshake completed ({} {}) — the \
                 server's kernel answers SYNs by itself and queues the new connection in the \
                 listen backlog.",
                c.client().ip(),
                c.client(),
                label(caps, w.file),
                frames_text(&hs, hs.len() as u64)
            )
        } else {
            format!(
                "{}'s client ({}) sent data to {} (the handshake is not in the capture).",
                c.client().ip(),
                c.client(),
                c.server()
            )
        };
        a = a.cite(w.file, "handshake", hs);
        text.push_str(&format!(" Its first message (frame {})", w.data.frame));
        if let Some(k) = w.kernel_ack {
            text.push_str(&format!(
                " was acknowledged by the server's kernel (frame {})",
                k.frame
            ));
            a = a.cite(w.file, "kernel's ACK of the data", vec![k.frame]);
        }
        a = a.cite(w.file, "the waiting message", vec![w.data.frame]);
        match w.reply {
            Some(r) => {
                text.push_str(&format!(
                    " but the program answered only at frame {}, {} later",
                    r.frame,
                    seconds(r.abs - w.data.abs)
                ));
                a = a.cite(w.file, "the late reply", vec![r.frame]);
            }
            None => text.push_str(" but got no reply before the capture ended"),
        }
        match w.blocker {
            Some((j, y, Some(close))) if w.reply.is_some() => {
                let r = w.reply.map_or(0.0, |r| r.abs);
                text.push_str(&format!(
                    ", {} after the client {} closed its connection ({} frame {}).",
                    seconds(r - close.abs),
                    y.client(),
                    label(caps, j),
                    close.frame
                ));
                a = a.cite(j, "the other client's close", vec![close.frame]);
            }
            Some((j, y, _)) => {
                text.push_str(&format!(
                    ", while the client {} was still connected ({}).",
                    y.client(),
                    label(caps, j)
                ));
            }
            None => text.push_str(
                ": the server was busy with another client, whose frames are not in these captures.",
            ),
        }
        text.push_str(
            " The server serves one client at a time: it calls accept() for the next connection \
             only when it is done with the current one, so a new client's handshake succeeds \
             but its messages wait, unread, in the kernel's buffer.",
        );
        a.answer = text;
        return a
            .value("waiting_client", c.client().to_string())
            .value("handshake_complete", c.handshake_complete())
            .value("seconds_waited", w.reply.map(|r| r.abs - w.data.abs));
    }
    // No waiting connection in the captures: say what B's capture does show.
    let mut text = String::new();
    let part1: Vec<usize> = kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| **k == Kind::TcpOneAtATime)
        .map(|(i, _)| i)
        .collect();
    let mut seen_other = false;
    for &i in &part1 {
        let f = &caps[i].facts;
        let host = captured_on(f, s).map(|(ip, _)| ip);
        let asks: Vec<&super::facts::ArpFact> = f
            .arp
            .first
            .iter()
            .filter(|x| x.op == 1 && x.target_ip == s && Some(x.sender_ip) != host)
            .collect();
        if let Some(q) = asks.first() {
            seen_other = true;
            text.push_str(&format!(
                "{} shows {} asking who has {s} (ARP broadcast, frame {}) — its client was about \
                 to connect — but none of its TCP frames: the switch sends the unicast between \
                 {} and {s} only to their two ports (see the note on the switch). ",
                label(caps, i),
                q.sender_ip,
                q.at.frame,
                q.sender_ip
            ));
            a = a.cite(i, "the other computer's ARP request", vec![q.at.frame]);
        }
    }
    // From B's capture alone: the server's computer asking for another computer's MAC means
    // it had a frame to send there (the SYN-ACK to that client's SYN); another computer asking
    // for the server's, that it had its SYN to send; all while B's own connection, still open,
    // kept the one-at-a-time server busy.
    let mut answered_from_b = None;
    for &i in &part1 {
        let f = &caps[i].facts;
        let host = captured_on(f, s).map(|(ip, _)| ip);
        // The server asking for another computer's MAC (to send its SYN-ACK), or another
        // computer asking for the server's (to send its SYN), while this computer's own
        // connection is open; which of the two depends on what each ARP cache held.
        let found = f
            .arp
            .first
            .iter()
            .filter(|x| x.op == 1)
            .filter_map(|x| {
                let other = if x.sender_ip == s {
                    x.target_ip
                } else if x.target_ip == s {
                    x.sender_ip
                } else {
                    return None;
                };
                if Some(other) == host || other == s {
                    return None;
                }
                let mine = f.tcp_to(s).find(|c| {
                    Some(c.client().ip()) == host && c.syn.is_some_and(|y| y.frame < x.at.frame)
                })?;
                let close = [
                    mine.up().fin,
                    mine.up().rst,
                    mine.down().fin,
                    mine.down().rst,
                ]
                .into_iter()
                .flatten()
                .min_by_key(|y| y.frame);
                if close.is_some_and(|c| c.frame < x.at.frame) {
                    return None;
                }
                Some((x, other, mine, close))
            })
            .next();
        let Some((q, other, mine, close)) = found else {
            continue;
        };
        let trace = if q.sender_ip == s {
            format!(
                "{s} asks the whole LAN who has {other} (an ARP broadcast, so it reaches {me} too). \
                 {s} asks only when it has a frame to send to {other}: its kernel answering the SYN \
                 of {other}'s client with a SYN-ACK",
                me = host.map_or("this computer".to_string(), |h| h.to_string()),
            )
        } else {
            format!(
                "{other} asks the whole LAN who has {s} (an ARP broadcast, so it reaches {me} too). \
                 {other} asks only when it has a frame to send to {s}: its client's SYN, answered \
                 by the server's kernel with a SYN-ACK",
                me = host.map_or("this computer".to_string(), |h| h.to_string()),
            )
        };
        answered_from_b = Some(other);
        text = format!(
            "Yes, {t}'s client connected, but the server did not serve it while {me}'s client \
             was connected. {l} (captured on {me}) cannot show {t}'s frames — the switch sends \
             them only to {t}'s and {s}'s ports — yet it shows the trace they leave: in frame {f} \
             {trace} — the kernel completes handshakes by itself and queues the new connection \
             in the listen backlog. Meanwhile {me}'s own connection ({}) stays open{}: the \
             server handles one client at a time and calls accept() for the next only when the \
             current one closes, so {t}'s message waits, unread, in the kernel's buffer until \
             then. A capture on {t} would add {t}'s side: the handshake, its message \
             acknowledged by {s}'s kernel and left unanswered; when {t}'s client is interrupted \
             with Ctrl+C (Step 10(b)), its FIN — the kernel closes the sockets of a program that \
             ends, killed or not, as close() would, so {t} ends its half of the connection \
             normally, and {s}'s kernel acknowledges the FIN by itself; the server's late reply \
             once {me}'s client quits (only then does the server read {t}'s line and answer it); \
             and \
             {t}'s RST, because that reply reaches a socket no program holds any more. The RST \
             aborts the connection: {s} sends no FIN after it.",
            mine.client(),
            match close {
                Some(c) => format!(" until frame {} (Step 11, when its client quits)", c.frame),
                None => " to the end of the capture".to_string(),
            },
            t = other,
            me = host.map_or("this computer".to_string(), |h| h.to_string()),
            l = label(caps, i),
            f = q.at.frame,
        );
        a = a.cite(
            i,
            "the ARP request that traces the other client's connection",
            vec![q.at.frame],
        );
        if let Some(c) = close {
            a = a.cite(i, "this computer's client quits (Step 11)", vec![c.frame]);
        }
        break;
    }
    if let Some(t) = answered_from_b {
        a.answer = text;
        return a
            .value("waiting_client", serde_json::Value::Null)
            .value("other_client_ip", t.to_string());
    }
    if !seen_other {
        text.push_str("No connection in these captures waited for the server: every message was answered within half a second. ");
    }
    text.push_str(
        "To see what happened to C's connection, capture on C (or on A) during Step 10: it \
         shows the handshake completed by A's kernel and the message left unanswered while B's \
         client is connected.",
    );
    a.answer = text;
    a.value("waiting_client", serde_json::Value::Null)
}

const Q_SWITCH: &str = "Why does B's capture hold none of the unicast frames between A and C?";

fn switch_note(caps: &[Capture], s: IpAddr) -> Answer {
    let mut a = Answer::new("I.3 (switch)", Q_SWITCH, String::new());
    let mut parts = Vec::new();
    // Captures with only the capturing computer's own unicast, told in one sentence.
    let mut quiet = Vec::new();
    let mut foreign_total = 0u64;
    for (i, c) in caps.iter().enumerate() {
        let f = &c.facts;
        if f.ethernet_frames == 0 {
            continue;
        }
        let Some((ip, mac)) = captured_on(f, s) else {
            continue;
        };
        let foreign = f.unicast_not_involving(mac);
        let n: u64 = foreign.iter().map(|(_, s)| s.count).sum();
        foreign_total += n;
        // The broadcast ARP requests, each told by who sent it (this computer or another).
        let arp_broadcasts: Vec<String> = f
            .arp
            .first
            .iter()
            .filter(|x| x.broadcast)
            .map(|x| {
                format!(
                    "frame {}, {}: {}",
                    x.at.frame,
                    if x.sender_mac == mac {
                        "this computer's own request"
                    } else {
                        "another computer's request, flooded to every port"
                    },
                    arp_words(x)
                )
            })
            .collect();
        let others_talk = f
            .arp
            .first
            .iter()
            .any(|x| x.broadcast && x.sender_mac != mac);
        let group: Vec<u64> = f.group_frames.frames();
        if n == 0 && f.group_frames.count == 0 {
            quiet.push(format!(
                "{} (captured on {ip}, MAC {})",
                label(caps, i),
                crate::analyse::mac(&mac)
            ));
            continue;
        }
        let mut p = format!(
            "{} was captured on {ip} (MAC {}, in every unicast frame of the capture{}). ",
            label(caps, i),
            crate::analyse::mac(&mac),
            if n == 0 {
                String::new()
            } else {
                format!(" but {n}")
            }
        );
        if n == 0 {
            p.push_str(&format!(
                "It holds no unicast frame between other computers, yet it does hold {} \
                 broadcast or multicast frame{} ({}){}.",
                f.group_frames.count,
                plural(f.group_frames.count),
                frames_text(&group, f.group_frames.count),
                if arp_broadcasts.is_empty() {
                    String::new()
                } else {
                    format!(
                        " — ARP ({}){}",
                        arp_broadcasts.join("; "),
                        if others_talk {
                            ": the other computers were there and talking, yet none of their \
                             unicast reached this port"
                        } else {
                            ""
                        }
                    )
                }
            ));
            a = a.cite(i, "broadcasts that reach every port", group);
        } else {
            let fr: Vec<u64> = foreign
                .iter()
                .flat_map(|(_, s)| s.frames())
                .take(16)
                .collect();
            p.push_str(&format!(
                "It holds {n} unicast frame{} between other computers ({}): a switch floods a \
                 unicast frame to every port while it does not yet know behind which port the \
                 destination is (or the capture was made on a hub or a mirror port).",
                plural(n),
                frames_text(&fr, n)
            ));
            a = a.cite(i, "unicast between other computers", fr);
        }
        parts.push(p);
    }
    if !quiet.is_empty() {
        parts.push(format!(
            "{} hold{} only frames to or from the computer {} captured on: no unicast between \
             other computers, and no broadcast either.",
            quiet.join(", "),
            if quiet.len() == 1 { "s" } else { "" },
            if quiet.len() == 1 {
                "it was"
            } else {
                "each was"
            }
        ));
    }
    if parts.is_empty() {
        return missing(
            "I.3 (switch)",
            Q_SWITCH,
            "give a capture made on an Ethernet interface (a loopback capture has no MAC addresses).",
        );
    }
    parts.push(
        "A switch learns, from each frame's source MAC address, which computer is behind which \
         port, and sends a unicast frame only out of the port where its destination is; only \
         broadcasts (such as ARP requests) and frames to unknown addresses go out of every port. \
         So B's network card never receives A↔C unicast, and Wireshark on B cannot show it \
         (on a hub, or a switch's mirror port, it could)."
            .into(),
    );
    a.answer = parts.join(" ");
    a.value("unicast_between_others", foreign_total)
}

const Q_I4A: &str = "When running the UDP server and client, are the frames captured in Steps \
                     8(b) and 8(c) different from those of the TCP server? Explain.";

fn i4a(caps: &[Capture], s: IpAddr, udp: Option<usize>, tcp: Option<usize>) -> Answer {
    let Some(u) = udp else {
        return missing(
            "I.4(a)",
            Q_I4A,
            "give the capture of Step 12 (B's UDP client talking to A's UDP server).",
        );
    };
    let f = &caps[u].facts;
    let flows: Vec<&super::facts::UdpFlow> = f.udp_with(s).collect();
    let mut a = Answer::new("I.4(a)", Q_I4A, String::new());
    let (mut to_s, mut from_s) = (0u64, 0u64);
    let mut text = format!("Yes. {} holds, with {s}:", label(caps, u));
    for fl in &flows {
        let (client, server, up, down) = if fl.b.ip() == s {
            (fl.a, fl.b, &fl.dirs[0], &fl.dirs[1])
        } else {
            (fl.b, fl.a, &fl.dirs[1], &fl.dirs[0])
        };
        let upf: Vec<u64> = up.first.iter().map(|d| d.at.frame).collect();
        let downf: Vec<u64> = down.first.iter().map(|d| d.at.frame).collect();
        let texts: Vec<String> = up
            .first
            .iter()
            .take(6)
            .map(|d| format!("\"{}\"", show_text(&d.preview, d.len)))
            .collect();
        let errors: Vec<&(At, SocketAddr, String)> = f
            .udp_errors
            .first
            .iter()
            .filter(|(_, dst, _)| *dst == server)
            .collect();
        let answered = if down.count > 0 {
            format!(
                "{} repl{} ({})",
                down.count,
                if down.count == 1 { "y" } else { "ies" },
                frames_text(&downf, down.count)
            )
        } else if let Some((at, _, info)) = errors.first() {
            a = a.cite(u, "ICMP error", vec![at.frame]);
            format!(
                "no reply but an ICMP error (frame {}: {info}) — nothing listened on {server}, \
                 and UDP has no handshake to find that out before sending",
                at.frame
            )
        } else {
            "no reply".to_string()
        };
        text.push_str(&format!(
            "\n- {} datagram{} from {client} to {server} ({}): {}; {answered};",
            up.count,
            plural(up.count),
            frames_text(&upf, up.count),
            texts.join(", "),
        ));
        to_s += up.count;
        from_s += down.count;
        a = a
            .cite(u, "datagrams to the server", upf)
            .cite(u, "replies", downf);
    }
    let tcp_with_s: u64 = f.tcp_to(s).map(TcpConn::frames).sum();
    text.push_str(
        "\nNo handshake before the first datagram, no ACK after each one, no FIN at the end: UDP \
         puts each message in one datagram and sends it; nothing sets up a connection, nothing \
         confirms delivery (a lost datagram is simply gone).",
    );
    if tcp_with_s > 0 {
        text.push_str(&format!(
            " (The file also holds {tcp_with_s} TCP frames with {s}: another test captured in the \
             same file.)"
        ));
    }
    if let Some(t) = tcp {
        let tf = &caps[t].facts;
        let conns: Vec<&TcpConn> = tf.tcp_to(s).collect();
        let frames: u64 = conns.iter().map(|c| c.frames()).sum();
        let hs: usize = conns.iter().map(|c| c.handshake_frames().len()).sum();
        let data: u64 = conns
            .iter()
            .map(|c| c.up().data.count + c.down().data.count)
            .sum();
        let acks: u64 = conns
            .iter()
            .map(|c| c.up().pure_acks.count + c.down().pure_acks.count)
            .sum();
        text.push_str(&format!(
            " Compare {}: {frames} TCP frames for {} message{} — {hs} for the handshake, {data} \
             carrying data, {acks} pure ACKs.",
            label(caps, t),
            conns.iter().map(|c| c.up().data.count).sum::<u64>(),
            plural(conns.iter().map(|c| c.up().data.count).sum::<u64>())
        ));
        a = a
            .value("tcp_frames", frames)
            .value("tcp_handshake_frames", hs);
    }
    a.answer = text;
    a.value("udp_datagrams_to_server", to_s)
        .value("udp_datagrams_from_server", from_s)
        .value("udp_tcp_frames", tcp_with_s)
}

const Q_I4B: &str = "When you ran the UDP client at Computer C, did you see the same result as \
                     with the TCP client? Explain.";

fn i4b(caps: &[Capture], s: IpAddr, udp: Option<usize>) -> Answer {
    // Every UDP client of the server, across the captures.
    let mut clients: BTreeMap<SocketAddr, (usize, At, Option<At>, At)> = BTreeMap::new();
    for (i, c) in caps.iter().enumerate() {
        for fl in c.facts.udp_with(s) {
            let (client, up, down) = if fl.b.ip() == s {
                (fl.a, &fl.dirs[0], &fl.dirs[1])
            } else {
                (fl.b, &fl.dirs[1], &fl.dirs[0])
            };
            if let Some(first) = up.first.first() {
                let reply = down
                    .first
                    .iter()
                    .find(|d| d.at.abs >= first.at.abs)
                    .map(|d| d.at);
                let last = up.first.last().map_or(first.at, |d| d.at);
                clients.entry(client).or_insert((i, first.at, reply, last));
            }
        }
    }
    let hosts: BTreeSet<IpAddr> = clients.keys().map(|a| a.ip()).collect();
    if hosts.len() < 2 {
        let mut text = String::from(
            "Not visible in these captures: they show UDP datagrams from only one client computer. ",
        );
        if udp.is_some() {
            text.push_str(
                "B's capture cannot show C's datagrams (the switch sends them only to A's port). ",
            );
        }
        text.push_str(
            "Capture on C or A during Step 12 to see it: with UDP the server answers C at once, \
             because it has no connections to serve one at a time.",
        );
        return Answer::new("I.4(b)", Q_I4B, text);
    }
    let mut a = Answer::new("I.4(b)", Q_I4B, String::new());
    let mut text = String::from("No — C was answered at once:");
    for (client, (i, first, reply, _)) in &clients {
        match reply {
            Some(r) => {
                text.push_str(&format!(
                    "\n- {client}: first datagram {} frame {}, answered at frame {} after {};",
                    label(caps, *i),
                    first.frame,
                    r.frame,
                    seconds(r.abs - first.abs)
                ));
                a = a.cite(
                    *i,
                    &format!("{client} and its reply"),
                    vec![first.frame, r.frame],
                );
            }
            None => text.push_str(&format!(
                "\n- {client}: first datagram {} frame {}, no reply in the capture;",
                label(caps, *i),
                first.frame
            )),
        }
    }
    text.push_str(
        "\nA UDP server has one socket and no connections: recvfrom() returns each datagram with \
         its sender's socket address, whoever sent it, and the reply goes back to that address. \
         Nothing waits in a listen backlog, so a second client is served as soon as its datagram \
         arrives — unlike the TCP server of Step 10, which left C waiting.",
    );
    a.answer = text;
    a.value(
        "udp_clients",
        clients.keys().map(|c| c.to_string()).collect::<Vec<_>>(),
    )
}

/// TCP connections to the server in the files of a kind, without duplicates (a connection
/// captured on two computers counts once).
fn connections_of<'a>(
    caps: &'a [Capture],
    s: IpAddr,
    kinds: &[Kind],
    kind: Kind,
) -> Vec<(usize, &'a TcpConn)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, c) in caps.iter().enumerate() {
        if kinds[i] != kind {
            continue;
        }
        for conn in c.facts.tcp_to(s) {
            if seen.insert((conn.client(), conn.server())) {
                out.push((i, conn));
            }
        }
    }
    out
}

const Q_II1: &str = "In Step 3(b), did the clients connect to the threaded server? Were the \
                     results different from Part I? Explain.";

fn ii1(caps: &[Capture], s: IpAddr, kinds: &[Kind]) -> Answer {
    let conns = connections_of(caps, s, kinds, Kind::TcpConcurrent);
    if conns.is_empty() {
        return missing(
            "II.1",
            Q_II1,
            "give the captures of Part II (Steps 2(c) and 3(c)), where two or more clients talk \
             to the threaded server at the same time.",
        );
    }
    let mut a = Answer::new("II.1", Q_II1, String::new());
    let served: Vec<&(usize, &TcpConn)> = conns
        .iter()
        .filter(|(_, c)| !c.down().data.is_empty())
        .collect();
    let mut text = format!(
        "Yes: {} of the {} connection{} to the server were answered, and new clients were \
         answered while earlier ones were still connected:",
        served.len(),
        conns.len(),
        plural(conns.len() as u64)
    );
    let refs: Vec<&TcpConn> = conns.iter().map(|(_, c)| *c).collect();
    let pairs = concurrent_pairs(&refs);
    let mut shown = 0;
    for (fx, x) in &conns {
        let open: Vec<String> = pairs
            .iter()
            .filter(|(p, _, _)| std::ptr::eq(*p, *x))
            .map(|(_, y, _)| y.client().to_string())
            .collect();
        let Some((_, _, at)) = pairs.iter().find(|(p, _, _)| std::ptr::eq(*p, *x)) else {
            continue;
        };
        shown += 1;
        if shown > 6 {
            continue;
        }
        text.push_str(&format!(
            "\n- {} was answered at {} frame {} while {} {} still connected;",
            x.client(),
            label(caps, *fx),
            at.frame,
            open.join(", "),
            if open.len() == 1 { "was" } else { "were" }
        ));
        a = a.cite(*fx, &format!("reply to {}", x.client()), vec![at.frame]);
    }
    let waits = waiting_connections(caps, s);
    match waits.first() {
        Some(w) => text.push_str(&format!(
            "\nIn Part I the one-client-at-a-time server left {} waiting{} (see I.3). The threaded \
             server accepts each connection at once and serves it on its own thread, with its own \
             socket.",
            w.conn.client(),
            w.reply
                .map(|r| format!(" {}", seconds(r.abs - w.data.abs)))
                .unwrap_or_default()
        )),
        None => text.push_str(
            "\nIn Part I the server served one client at a time, so a second client connected \
             (the kernel completed its handshake) but waited for its reply; the threaded server \
             accepts each connection at once and serves it on its own thread, with its own socket.",
        ),
    }
    a.answer = text;
    a.value("connections", conns.len())
        .value("served", served.len())
}

const Q_II2: &str = "How many socket addresses belong to the server? What are they? How many sockets did the \
     server create?";

fn ii2(caps: &[Capture], s: IpAddr, kinds: &[Kind]) -> Answer {
    let mut conns = connections_of(caps, s, kinds, Kind::TcpConcurrent);
    let part = if conns.is_empty() {
        " (no Part II capture was given: these are the connections of Part I)"
    } else {
        " of Part II"
    };
    if conns.is_empty() {
        conns = connections_of(caps, s, kinds, Kind::TcpOneAtATime);
    }
    if conns.is_empty() {
        return missing(
            "II.2",
            Q_II2,
            "give the captures of Part II (Steps 2(c) and 3(c)).",
        );
    }
    let servers: BTreeSet<SocketAddr> = conns.iter().map(|(_, c)| c.server()).collect();
    let mut table = Table::new(&[
        "File",
        "Stream",
        "Client socket",
        "Server socket",
        "Handshake",
    ]);
    let mut a = Answer::new("II.2", Q_II2, String::new());
    for (i, c) in &conns {
        let hs = c.handshake_frames();
        table.row(vec![
            (i + 1).to_string(),
            c.stream.to_string(),
            c.client().to_string(),
            c.server().to_string(),
            frames_text(&hs, hs.len() as u64),
        ]);
        a = a.cite(*i, &format!("handshake of {}", c.client()), hs);
    }
    let n = conns.len();
    let list: Vec<String> = servers.iter().map(|x| x.to_string()).collect();
    a.answer = format!(
        "{} socket address{} belong{} to the server in the captures{part}: {}. It served {n} \
         connection{}, so it created {} socket{}: one listening socket (bound to {}) and one \
         connected socket per accepted connection ({n}). All of them have the same local socket \
         address — a TCP connection is named by both ends' socket addresses, so the server's \
         side of every connection is {} and only the client's side differs.",
        servers.len(),
        if servers.len() == 1 { "" } else { "es" },
        if servers.len() == 1 { "s" } else { "" },
        list.join(", "),
        plural(n as u64),
        n + 1,
        plural(n as u64 + 1),
        list.join(", "),
        list.join(" or ")
    );
    a.value("server_sockets", list)
        .value("connections", n)
        .value("sockets_created", n + 1)
        .with_table(table)
}

const Q_II3: &str = "How many socket addresses belong to the clients? What are they? How many \
                     sockets were created in each client computer?";

fn ii3(caps: &[Capture], s: IpAddr, kinds: &[Kind]) -> Answer {
    let mut conns = connections_of(caps, s, kinds, Kind::TcpConcurrent);
    let part = if conns.is_empty() {
        " (no Part II capture was given: these are the connections of Part I)"
    } else {
        " in the captures of Part II"
    };
    if conns.is_empty() {
        conns = connections_of(caps, s, kinds, Kind::TcpOneAtATime);
    }
    if conns.is_empty() {
        return missing(
            "II.3",
            Q_II3,
            "give the captures of Part II (Steps 2(c) and 3(c)).",
        );
    }
    let mut by_host: BTreeMap<IpAddr, Vec<SocketAddr>> = BTreeMap::new();
    for (_, c) in &conns {
        by_host.entry(c.client().ip()).or_default().push(c.client());
    }
    let total: usize = by_host.values().map(Vec::len).sum();
    let mut text = format!(
        "{total} client socket address{}{part}, one per connection:",
        if total == 1 { "" } else { "es" }
    );
    let mut per_host = BTreeMap::new();
    for (ip, socks) in &by_host {
        text.push_str(&format!(
            "\n- {ip}: {} socket{} ({});",
            socks.len(),
            plural(socks.len() as u64),
            socks
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        per_host.insert(ip.to_string(), socks.len());
    }
    text.push_str(
        "\nEach run of the client program created one socket, and its kernel gave it a free \
         ephemeral port; so a computer has as many client socket addresses as clients it ran. \
         The server's port is fixed and known; the clients' ports differ for every socket, even \
         on the same computer.",
    );
    let mut a = Answer::new("II.3", Q_II3, text);
    for (i, c) in &conns {
        if let Some(syn) = c.syn {
            a = a.cite(*i, &format!("SYN from {}", c.client()), vec![syn.frame]);
        }
    }
    a.value(
        "client_sockets",
        by_host
            .values()
            .flatten()
            .map(|x| x.to_string())
            .collect::<Vec<_>>(),
    )
    .value("sockets_per_client_computer", per_host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::answer::testkit::{Script, sa};
    use std::net::Ipv4Addr;

    const S: u8 = 1;

    fn server_ip() -> IpAddr {
        IpAddr::from([10, 0, 3, S])
    }

    /// B connects and chats; C connects at 1 s and sends at 1.5 s; B leaves at 4 s; the
    /// server answers C at `c_reply`.
    fn part_one(c_reply: f64) -> Capture {
        let mut s = Script::default();
        let mut b = s.connect(0.0, sa(2, 40000), sa(S, 8080));
        s.send(0.1, &mut b, b"one");
        s.reply(0.1005, &mut b, b"Thanks");
        let mut c = s.connect(1.0, sa(3, 41000), sa(S, 8080));
        s.send(1.5, &mut c, b"from C");
        s.close(4.0, &mut b);
        s.reply(c_reply, &mut c, b"Thanks");
        s.close(c_reply + 0.5, &mut c);
        s.capture("a.pcap")
    }

    #[test]
    fn a_one_at_a_time_server_makes_the_second_client_wait_for_the_first_to_leave() {
        let cap = part_one(4.0005);
        assert_eq!(classify(&cap.facts, server_ip()), Kind::TcpOneAtATime);
        let caps = [cap];
        let w = waiting_connections(&caps, server_ip());
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].conn.client(), SocketAddr::from(sa(3, 41000)));
        assert!(
            w[0].kernel_ack.is_some(),
            "the kernel acknowledged C's data"
        );
        let (_, blocker, close) = w[0].blocker.expect("B's connection held the server");
        assert_eq!(blocker.client(), SocketAddr::from(sa(2, 40000)));
        assert!(close.is_some());
        let a = i3(&caps, server_ip(), &[Kind::TcpOneAtATime]);
        assert_eq!(a.values["waiting_client"], "10.0.3.3:41000");
        assert_eq!(a.values["handshake_complete"], true);
        let waited = a.values["seconds_waited"].as_f64().unwrap();
        assert!((waited - 2.5005).abs() < 1e-6, "{waited}");
        assert!(
            a.answer.contains("after the client 10.0.3.2:40000 closed"),
            "{}",
            a.answer
        );
    }

    #[test]
    fn a_threaded_server_answers_the_second_client_at_once() {
        let cap = part_one(1.5002);
        assert_eq!(classify(&cap.facts, server_ip()), Kind::TcpConcurrent);
        let caps = [cap];
        assert!(waiting_connections(&caps, server_ip()).is_empty());
        let kinds = [Kind::TcpConcurrent];
        let a = ii1(&caps, server_ip(), &kinds);
        assert_eq!(a.values["connections"], 2);
        assert!(
            a.answer.contains("10.0.3.3:41000 was answered"),
            "{}",
            a.answer
        );
        let a = ii2(&caps, server_ip(), &kinds);
        assert_eq!(a.values["sockets_created"], 3);
        assert_eq!(
            a.values["server_sockets"],
            serde_json::json!(["10.0.3.1:8080"])
        );
        let a = ii3(&caps, server_ip(), &kinds);
        assert_eq!(
            a.values["sockets_per_client_computer"],
            serde_json::json!({"10.0.3.2": 1, "10.0.3.3": 1})
        );
    }

    #[test]
    fn udp_has_no_handshake_and_a_second_client_is_answered_at_once() {
        let mut s = Script::default();
        for (i, t) in [0.0, 1.0, 2.0].iter().enumerate() {
            s.udp(
                *t,
                sa(2, 50000),
                sa(S, 8080),
                format!("line {i}").as_bytes(),
            );
            s.udp(t + 0.001, sa(S, 8080), sa(2, 50000), b"Thanks");
        }
        s.udp(1.5, sa(3, 50001), sa(S, 8080), b"from C");
        s.udp(1.501, sa(S, 8080), sa(3, 50001), b"Thanks");
        let caps = [s.capture("udp.pcap")];
        assert_eq!(classify(&caps[0].facts, server_ip()), Kind::Udp);
        let a = i4a(&caps, server_ip(), Some(0), None);
        assert_eq!(a.values["udp_datagrams_to_server"], 4);
        assert_eq!(a.values["udp_tcp_frames"], 0);
        let a = i4b(&caps, server_ip(), Some(0));
        assert_eq!(
            a.values["udp_clients"],
            serde_json::json!(["10.0.3.2:50000", "10.0.3.3:50001"])
        );
    }

    /// B's capture of Part I as the sheet runs it: B chats, an ARP request between A and C
    /// (`asker` asks who has `asked`) at 1 s, B leaves at 4 s; C's frames are not there.
    fn b_only(asker: u8, asked: u8) -> Capture {
        let mut s = Script::default();
        let mut b = s.connect(0.0, sa(2, 40000), sa(S, 8080));
        s.send(0.1, &mut b, b"one");
        s.reply(0.1005, &mut b, b"Thanks");
        s.arp_request(
            1.0,
            Ipv4Addr::new(10, 0, 3, asker),
            Ipv4Addr::new(10, 0, 3, asked),
        );
        s.close(4.0, &mut b);
        s.capture("b.pcap")
    }

    #[test]
    fn from_b_alone_either_arp_request_between_a_and_c_answers_i3() {
        for (asker, asked, trace) in [
            (S, 3, "10.0.3.1 asks the whole LAN who has 10.0.3.3"),
            (3, S, "10.0.3.3 asks the whole LAN who has 10.0.3.1"),
        ] {
            let caps = [b_only(asker, asked)];
            let a = i3(&caps, server_ip(), &[Kind::TcpOneAtATime]);
            assert_eq!(a.values["other_client_ip"], "10.0.3.3", "{}", a.answer);
            assert!(a.values["waiting_client"].is_null());
            for words in [
                trace,
                "Ctrl+C",
                "its FIN",
                "late reply",
                "RST",
                "sends no FIN",
            ] {
                assert!(a.answer.contains(words), "{words}: {}", a.answer);
            }
            let i1 = i1a(&caps, server_ip(), Some(0));
            assert!(i1.answer.contains("frame 8: "), "{}", i1.answer);
            assert!(i1.answer.contains("— Step 10"), "{}", i1.answer);
        }
    }

    #[test]
    fn frames_of_step_8_are_sorted_into_handshake_data_acks_and_no_teardown() {
        let mut s = Script::default();
        let mut b = s.connect(0.0, sa(2, 40000), sa(S, 8080));
        s.send(0.1, &mut b, b"one");
        s.reply(0.1005, &mut b, b"Thanks");
        s.send(0.2, &mut b, b"two");
        let caps = [s.capture("b.pcap")];
        let a = i1a(&caps, server_ip(), Some(0));
        assert_eq!(a.values["handshake_frames"], serde_json::json!([1, 2, 3]));
        assert_eq!(a.values["client_data_segments"], 2);
        assert_eq!(a.values["server_data_segments"], 1);
        assert_eq!(a.values["pure_acks"], 3, "{}", a.answer);
        assert!(a.answer.contains("no FIN and no RST"), "{}", a.answer);
        let b = i1b(&caps, server_ip(), Some(0));
        assert_eq!(
            b.values["client_sockets"],
            serde_json::json!(["10.0.3.2:40000"])
        );
        assert_eq!(b.table.as_ref().map(|t| t.rows.len()), Some(3));
    }
}

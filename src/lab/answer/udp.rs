//! The Kurose & Ross "Wireshark Lab: UDP" (v8.1), answered from captures: the UDP header's
//! fields and their lengths (read from the frame's bytes), what the Length field counts
//! (checked on the captured datagram), the largest payload and port, UDP's protocol number in
//! the IP header, and the port numbers of a request and its reply.
//!
//! Every capture is read again frame by frame (the facts of [`super::facts`] keep no header
//! fields); at most [`KEEP`] UDP datagrams per file are kept, the rest only counted.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use super::report::{Answer, Table};
use super::{AnswerError, Capture, plural, scan};
use crate::analyse::Packet;
use crate::decode::{NetRepr, TransportRepr};
use crate::frame::Frame;

/// UDP datagrams kept per file.
pub const KEEP: usize = 4096;

/// One UDP datagram as the lab's questions see it.
#[derive(Debug, Clone, PartialEq)]
pub struct UdpFrame {
    /// Index of its file.
    pub file: usize,
    /// Frame number.
    pub frame: u64,
    /// The Protocol column (`DNS`, `UDP`, …): what the datagram carries.
    pub protocol: String,
    /// The Info column.
    pub info: String,
    /// Source socket address.
    pub src: SocketAddr,
    /// Destination socket address.
    pub dst: SocketAddr,
    /// The Length field.
    pub length: u16,
    /// The Checksum field.
    pub checksum: u16,
    /// Where the UDP header starts, from the start of the frame.
    pub offset: usize,
    /// The header's bytes as captured (8 when complete).
    pub header: Vec<u8>,
    /// Payload bytes the Length field implies (Length − 8).
    pub payload_len: u32,
    /// IPv4's Protocol field (or IPv6's Next Header) of the datagram carrying it.
    pub ip_proto: Option<(u8, &'static str)>,
    /// The IP payload's length from the IP header (IPv4 total length − header length, IPv6
    /// payload length − extension headers), to check Length against.
    pub ip_payload: Option<u32>,
}

/// The UDP datagrams of every file, in order.
#[derive(Debug, Clone, Default)]
pub struct UdpFrames {
    /// The datagrams kept.
    pub frames: Vec<UdpFrame>,
    /// Datagrams counted per file (kept or not).
    pub counts: Vec<u64>,
    kept: Vec<usize>,
}

impl UdpFrames {
    /// Adds one analysed frame of file `file`.
    pub fn add(&mut self, file: usize, p: &Packet, f: &Frame) {
        let TransportRepr::Udp(u) = &p.decoded.transport else {
            return;
        };
        if self.counts.len() <= file {
            self.counts.resize(file + 1, 0);
            self.kept.resize(file + 1, 0);
        }
        if let Some(c) = self.counts.get_mut(file) {
            *c += 1;
        }
        match self.kept.get_mut(file) {
            Some(k) if *k < KEEP => *k += 1,
            _ => return,
        }
        let Some((sip, dip)) = p.decoded.net.ip_addrs() else {
            return;
        };
        let (ip_proto, ip_payload) = match &p.decoded.net {
            NetRepr::Ipv4(ip) => (
                Some((ip.protocol, "IPv4 Protocol")),
                u32::from(ip.total_len).checked_sub(u32::from(ip.header_len)),
            ),
            NetRepr::Ipv6(ip) => (
                Some((ip.next_header, "IPv6 Next Header")),
                u32::from(ip.payload_len).checked_sub(ip.ext_len as u32),
            ),
            _ => (None, None),
        };
        let bytes = p.decoded.transport_bytes(&f.data);
        let header = bytes.get(u.range.clone()).unwrap_or(&[]).to_vec();
        self.frames.push(UdpFrame {
            file,
            frame: p.number,
            protocol: p.protocol.as_str().into_owned(),
            info: p.info.clone(),
            src: SocketAddr::new(sip, u.src_port),
            dst: SocketAddr::new(dip, u.dst_port),
            length: u.length,
            checksum: u.checksum,
            offset: if p.decoded.reassembled.is_some() {
                usize::MAX
            } else {
                u.range.start
            },
            header,
            payload_len: u32::from(u.length).saturating_sub(8),
            ip_proto,
            ip_payload,
        });
    }
}

/// Reads every capture's UDP datagrams.
pub fn read(caps: &[Capture]) -> Result<UdpFrames, AnswerError> {
    let mut all = UdpFrames::default();
    for (i, c) in caps.iter().enumerate() {
        scan(&c.path, |p, f| all.add(i, p, f))?;
    }
    Ok(all)
}

/// Every answer of the UDP lab, from the captures' files.
pub fn answers(caps: &[Capture]) -> Result<Vec<Answer>, AnswerError> {
    Ok(answer_frames(&read(caps)?))
}

const WS: &str = "How: Wireshark display filter";

/// The answers from the datagrams read.
pub fn answer_frames(u: &UdpFrames) -> Vec<Answer> {
    let Some(first) = u.frames.first() else {
        return vec![Answer::new(
            "1",
            Q1,
            "No UDP datagram in these captures. Capture while something sends UDP — a DNS \
             lookup (`dig`, `nslookup`) is the lab's suggestion — and filter on `udp`."
                .into(),
        )];
    };
    vec![
        q1(first, u),
        q2(first),
        q3(first),
        q4(),
        q5(u),
        q6(first),
        q7(u),
    ]
}

const Q1: &str = "Select the first UDP segment in your trace. What is its packet number? What \
                  type of application-layer payload or protocol message does it carry? How many \
                  fields are there in the UDP header, and what are their names?";

fn q1(f: &UdpFrame, u: &UdpFrames) -> Answer {
    let total: u64 = u.counts.iter().sum::<u64>().max(1);
    let carries = if f.protocol == "UDP" {
        "no protocol Wireshark recognises above UDP (its Protocol column says UDP)".to_string()
    } else {
        format!("a {} message (\"{}\")", f.protocol, f.info)
    };
    Answer::new(
        "1",
        Q1,
        format!(
            "The first UDP segment is frame {} (file {}; {total} UDP datagram{} in all). It \
             carries {carries}, from {} to {}. The UDP header has 4 fields: Source Port ({}), \
             Destination Port ({}), Length ({}) and Checksum (0x{:04x}).\n{WS} `udp`, first \
             row; the fields are udp.srcport, udp.dstport, udp.length, udp.checksum.",
            f.frame,
            f.file + 1,
            plural(total),
            f.src,
            f.dst,
            f.src.port(),
            f.dst.port(),
            f.length,
            f.checksum,
        ),
    )
    .cite(f.file, "first UDP segment", vec![f.frame])
    .value("frame", f.frame)
    .value("protocol", &f.protocol)
    .value(
        "fields",
        ["Source Port", "Destination Port", "Length", "Checksum"],
    )
    .value("src_port", f.src.port())
    .value("dst_port", f.dst.port())
    .value("length", f.length)
    .value("checksum", format!("0x{:04x}", f.checksum))
}

const Q2: &str = "What is the length (in bytes) of each of the UDP header fields?";

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn q2(f: &UdpFrame) -> Answer {
    let mut t = Table::new(&[
        "Field",
        "Bytes",
        "At (from frame start)",
        "Bytes in frame",
        "Value",
    ]);
    let names = ["Source Port", "Destination Port", "Length", "Checksum"];
    let values = [
        f.src.port().to_string(),
        f.dst.port().to_string(),
        f.length.to_string(),
        format!("0x{:04x}", f.checksum),
    ];
    for (i, (n, v)) in names.iter().zip(values.iter()).enumerate() {
        let at = if f.offset == usize::MAX {
            "(reassembled)".to_string()
        } else {
            (f.offset + 2 * i).to_string()
        };
        t.row(vec![
            n.to_string(),
            "2".into(),
            at,
            hex(f.header.get(2 * i..2 * i + 2).unwrap_or(&[])),
            v.clone(),
        ]);
    }
    let whole = if f.header.len() == 8 {
        format!(
            "Frame {}'s UDP header is the 8 bytes {}{}",
            f.frame,
            hex(&f.header),
            if f.offset == usize::MAX {
                String::new()
            } else {
                format!(", bytes {}–{} of the frame", f.offset, f.offset + 7)
            }
        )
    } else {
        format!(
            "Frame {} was cut short: only {} bytes of its UDP header were captured",
            f.frame,
            f.header.len()
        )
    };
    Answer::new(
        "2",
        Q2,
        format!(
            "Each of the 4 fields is 2 bytes (16 bits), 8 bytes in all. {whole}: click a field in \
             the packet details and Wireshark highlights its 2 bytes in the packet bytes pane.\n\
             {WS} `udp`; the bytes pane (or `wirelab read -x`)."
        ),
    )
    .cite(f.file, "UDP header", vec![f.frame])
    .value("field_bytes", 2)
    .value("header_bytes", 8)
    .value(
        "header_offset",
        (f.offset != usize::MAX).then_some(f.offset),
    )
    .value("header_hex", hex(&f.header))
    .with_table(t)
}

const Q3: &str = "The value in the Length field is the length of what? Verify your claim with \
                  your captured UDP packet.";

fn q3(f: &UdpFrame) -> Answer {
    let check = match f.ip_payload {
        Some(n) if n == u32::from(f.length) => format!(
            " The IP header agrees: the datagram carries {n} bytes after its IP header{}, the \
             same as Length.",
            if f.ip_proto.is_some_and(|p| p.1.starts_with("IPv6")) {
                " (Payload Length)"
            } else {
                " (Total Length − header length)"
            }
        ),
        Some(n) => format!(
            " The IP header says {n} bytes follow it, not {}: the frame is damaged or padded \
             oddly.",
            f.length
        ),
        None => String::new(),
    };
    Answer::new(
        "3",
        Q3,
        format!(
            "Length counts the whole UDP segment: the 8-byte header plus the payload. In frame \
             {} Length is {} = 8 header bytes + {} payload bytes (Wireshark shows the payload \
             as \"UDP payload ({} bytes)\").{check}\n{WS} `udp`; fields udp.length and \
             ip.len − ip.hdr_len.",
            f.frame, f.length, f.payload_len, f.payload_len
        ),
    )
    .cite(f.file, "the datagram checked", vec![f.frame])
    .value("length", f.length)
    .value("payload_bytes", f.payload_len)
    .value("ip_payload_bytes", f.ip_payload)
}

const Q4: &str = "What is the maximum number of bytes that can be included in a UDP payload?";

fn q4() -> Answer {
    Answer::new(
        "4",
        Q4,
        "Length is a 2-byte field, so a UDP segment is at most 2^16 − 1 = 65,535 bytes, header \
         included: at most 65,535 − 8 = 65,527 payload bytes. Carried in IPv4, whose Total \
         Length is also 16 bits and includes its own header (20 bytes at least), the payload \
         is at most 65,535 − 20 − 8 = 65,507 bytes."
            .into(),
    )
    .value("max_payload", 65527)
    .value("max_payload_ipv4", 65507)
}

const Q5: &str = "What is the largest possible source port number?";

fn q5(u: &UdpFrames) -> Answer {
    let top = u
        .frames
        .iter()
        .max_by_key(|f| f.src.port().max(f.dst.port()));
    let mut a = Answer::new(
        "5",
        Q5,
        format!(
            "A port is a 2-byte field: the largest is 2^16 − 1 = 65,535.{}",
            top.map(|f| format!(
                " The largest port in these captures is {} (frame {}).",
                f.src.port().max(f.dst.port()),
                f.frame
            ))
            .unwrap_or_default()
        ),
    )
    .value("max_port", 65535);
    if let Some(f) = top {
        a = a
            .cite(f.file, "largest port seen", vec![f.frame])
            .value("largest_seen", f.src.port().max(f.dst.port()));
    }
    a
}

const Q6: &str = "What is the protocol number for UDP? Give your answer in decimal and \
                  hexadecimal notation (look into the Protocol field of the IP datagram \
                  containing this UDP segment).";

fn q6(f: &UdpFrame) -> Answer {
    let text = match f.ip_proto {
        Some((n, field)) => format!(
            "{n} in decimal, 0x{n:02x} in hexadecimal: the {field} field of the datagram in \
             frame {} holds {n}{}.\n{WS} `udp`; field {}.",
            f.frame,
            if n == 17 {
                ", the number IANA gives UDP"
            } else {
                " (an IPv6 extension header comes first; UDP's number is 17, 0x11)"
            },
            if field.starts_with("IPv6") {
                "ipv6.nxt"
            } else {
                "ip.proto"
            }
        ),
        None => "17 in decimal, 0x11 in hexadecimal (this capture has no IP header to read it \
                 from)."
            .into(),
    };
    Answer::new("6", Q6, text)
        .cite(f.file, "IP header", vec![f.frame])
        .value("protocol", f.ip_proto.map(|p| p.0))
        .value("protocol_hex", f.ip_proto.map(|p| format!("0x{:02x}", p.0)))
}

const Q7: &str = "Examine the pair of UDP packets in which your host sends the first UDP \
                  packet and the second is a reply to it. What are their packet numbers? \
                  Describe the relationship between the port numbers in the two packets.";

/// The address in most UDP datagrams (the capturing host, as far as a capture can tell); on
/// a tie, the sender of the first one.
fn busiest(u: &UdpFrames) -> Option<IpAddr> {
    let mut n: HashMap<IpAddr, u64> = HashMap::new();
    for f in &u.frames {
        *n.entry(f.src.ip()).or_default() += 1;
        *n.entry(f.dst.ip()).or_default() += 1;
    }
    let top = n.values().copied().max()?;
    // On a tie (one conversation), the host that sent the first datagram.
    let first = u.frames.first().map(|f| f.src.ip());
    match first.filter(|ip| n.get(ip) == Some(&top)) {
        Some(ip) => Some(ip),
        None => n.into_iter().filter(|e| e.1 == top).map(|e| e.0).min(),
    }
}

/// The first request/reply pair: a datagram and the first later one of the same file going
/// back between the same two sockets (preferring requests sent by `host`).
fn pair(u: &UdpFrames, host: Option<IpAddr>) -> Option<(&UdpFrame, &UdpFrame)> {
    let mut first: HashMap<(usize, SocketAddr, SocketAddr), usize> = HashMap::new();
    let mut pairs = Vec::new();
    for (i, f) in u.frames.iter().enumerate() {
        if let Some(&j) = first.get(&(f.file, f.dst, f.src))
            && !pairs.iter().any(|&(r, _)| r == j)
        {
            pairs.push((j, i));
        }
        first.entry((f.file, f.src, f.dst)).or_insert(i);
    }
    let pick = pairs
        .iter()
        .find(|&&(r, _)| u.frames.get(r).map(|f| Some(f.src.ip())) == Some(host))
        .or(pairs.first())?;
    Some((u.frames.get(pick.0)?, u.frames.get(pick.1)?))
}

fn q7(u: &UdpFrames) -> Answer {
    let host = busiest(u);
    let Some((req, rep)) = pair(u, host) else {
        return Answer::new(
            "7",
            Q7,
            "No reply in these captures: no datagram goes back between the same two sockets. \
             Capture a request and its answer (a DNS lookup, `wirelab udp-client`)."
                .into(),
        );
    };
    let mine = host == Some(req.src.ip());
    Answer::new(
        "7",
        Q7,
        format!(
            "Frame {} is sent by {}{} from port {} to port {}; frame {} is the reply, from port \
             {} back to port {}. The reply's source port is the request's destination port and \
             its destination port is the request's source port: the two ports are swapped, \
             because the server answers the socket the request came from.\n{WS} `udp.port == \
             {}`; fields udp.srcport, udp.dstport.",
            req.frame,
            req.src.ip(),
            if mine {
                " (your host: the address in most UDP datagrams of the capture, the first \
                 sender when several are)"
            } else {
                ""
            },
            req.src.port(),
            req.dst.port(),
            rep.frame,
            rep.src.port(),
            rep.dst.port(),
            req.src.port(),
        ),
    )
    .cite(req.file, "request", vec![req.frame])
    .cite(rep.file, "reply", vec![rep.frame])
    .value("request_frame", req.frame)
    .value("reply_frame", rep.frame)
    .value("request_ports", [req.src.port(), req.dst.port()])
    .value("reply_ports", [rep.src.port(), rep.dst.port()])
    .value("request_file", req.file)
}

#[cfg(test)]
mod tests;

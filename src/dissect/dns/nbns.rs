//! NetBIOS Name Service (UDP 137) as Wireshark 4.0's `packet-nbns.c` shows it: the DNS
//! header with NetBIOS opcodes and a broadcast flag, names in "first-level encoding"
//! (`WIRELAB-PC<00>`), NB records holding flags and an IPv4 address.

use std::net::{IpAddr, Ipv4Addr};

use super::msg::{Cut, read_name};
use super::names::{bits16, time_secs};
use crate::dissect::{Cx, Dissector, FieldVal};

fn u16_at(m: &[u8], off: usize) -> Result<u16, Cut> {
    match m.get(off..off.checked_add(2).ok_or(Cut)?) {
        Some(b) => Ok(u16::from_be_bytes([b[0], b[1]])),
        None => Err(Cut),
    }
}

fn u32_at(m: &[u8], off: usize) -> Result<u32, Cut> {
    match m.get(off..off.checked_add(4).ok_or(Cut)?) {
        Some(b) => Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
        None => Err(Cut),
    }
}

fn opcode_name(op: u16) -> &'static str {
    match op {
        0 => "Name query",
        5 => "Registration",
        6 => "Release",
        7 => "Wait for acknowledgment",
        8 => "Refresh",
        9 => "Refresh (alternate opcode)",
        15 => "Multi-homed registration",
        _ => "Unknown operation",
    }
}

fn rcode_name(rc: u16) -> &'static str {
    match rc {
        0 => "No error",
        1 => "Request was invalidly formatted",
        2 => "Server failure",
        3 => "Requested name does not exist",
        4 => "Request is not implemented",
        5 => "Request was refused",
        6 => "Name is owned by another node",
        7 => "Name is in conflict",
        _ => "Unknown error",
    }
}

fn type_name(t: u16) -> &'static str {
    match t {
        1 => "A",
        2 => "NS",
        10 => "NULL",
        32 => "NB",
        33 => "NBSTAT",
        _ => "unknown",
    }
}

fn class_name(c: u16) -> &'static str {
    if c == 1 { "IN" } else { "unknown" }
}

/// What a NetBIOS name's last byte says the name is for.
fn name_type_descr(t: u8) -> &'static str {
    match t {
        0x00 | 0x02 => "Workstation/Redirector",
        0x01 => "Browser",
        0x03 => "Messenger service/Main name",
        0x05 => "Forwarded name",
        0x06 => "RAS Server service",
        0x1b => "Domain Master Browser",
        0x1c => "Domain Controllers",
        0x1d => "Local Master Browser",
        0x1e => "Browser Election Service",
        0x1f => "Net DDE Service",
        0x20 => "Server service",
        0x21 => "RAS client service",
        0x22 => "Exchange Interchange (MSMail Connector)",
        0x23 => "Exchange Store",
        0x24 => "Exchange Directory",
        0x2b => "Lotus Notes Server service",
        0x30 => "Modem sharing server service",
        0x31 => "Modem sharing client service",
        0x43 => "SMS Clients Remote Control",
        0x44 => "SMS Administrators Remote Control Tool",
        0x45 => "SMS Clients Remote Chat",
        0x46 => "SMS Clients Remote Transfer",
        0x4c | 0x52 => "DEC Pathworks TCP/IP Service on Windows NT",
        0x6a => "Microsoft Exchange IMC",
        0x87 => "Microsoft Exchange MTA",
        0xbe => "Network Monitor Agent",
        0xbf => "Network Monitor Analyzer",
        _ => "Unknown",
    }
}

/// A NetBIOS name at `off`: its text (`WIRELAB-PC<00>` plus any scope, or Wireshark's
/// complaint about it), its type byte when it decoded, and how many bytes it takes.
fn nb_name(m: &[u8], off: usize) -> Result<(String, Option<u8>, usize), Cut> {
    let (whole, used) = read_name(m, off)?;
    // The first label holds the encoded name; the rest is the scope.
    let text = whole.text;
    let Some(enc) = text.as_bytes().get(..32) else {
        let why = format!("Illegal NetBIOS name ({} bytes long)", text.len());
        return Ok((why, None, used));
    };
    let scope = text.get(32..).and_then(|r| r.strip_prefix('.'));
    let mut raw = [0u8; 16];
    for (i, pair) in enc.chunks(2).enumerate() {
        for (j, which) in ["1st", "2nd"].into_iter().enumerate() {
            if !pair[j].is_ascii_uppercase() {
                let why = format!(
                    "Illegal NetBIOS name ({which} character not between A and Z in first-level encoding)"
                );
                return Ok((why, None, used));
            }
        }
        raw[i] = ((pair[0] - b'A') << 4) | (pair[1] - b'A');
    }
    let kind = raw[15];
    let mut out = String::new();
    for &c in &raw[..15] {
        if (b' '..=b'~').contains(&c) {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("<{c:02x}>"));
        }
    }
    let out = out.trim_end_matches(' ');
    let mut out = format!("{out}<{kind:02x}>");
    if let Some(scope) = scope {
        out.push('.');
        out.push_str(scope);
    }
    Ok((out, Some(kind), used))
}

/// Dissects an NBNS message.
pub fn dissect(cx: &mut Cx<'_>, m: &[u8]) -> Result<(), Cut> {
    cx.cols.protocol = "NBNS";
    cx.cols.clear_info();
    let id = u16_at(m, 0)?;
    let flags = u16_at(m, 2)?;
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    let rcode = flags & 0xf;
    cx.cols.push_info(opcode_name(opcode));
    if response {
        cx.cols.push_info(" response");
        if rcode != 0 {
            cx.cols.push_info(", ");
            cx.cols.push_info(rcode_name(rcode));
        }
    }
    cx.begin(Dissector::Nbns, 0, || "NetBIOS Name Service".to_string());
    cx.field("nbns.id", || FieldVal::Hex(u64::from(id), 4));
    cx.line(0, Some(0..2), "Transaction ID", || format!("0x{id:04x}"));
    cx.field("nbns.flags", || FieldVal::Hex(u64::from(flags), 4));
    cx.line(0, Some(2..4), "Flags", || {
        let mut s = format!("0x{flags:04x}");
        if response {
            s.push_str(", Response");
        }
        s.push_str(&format!(", Opcode: {}", opcode_name(opcode)));
        for (bit, word) in [
            (0x0400, "Authoritative"),
            (0x0200, "Truncated"),
            (0x0100, "Recursion desired"),
            (0x0080, "Recursion available"),
            (0x0010, "Broadcast"),
        ] {
            if flags & bit != 0 && (response || bit != 0x0400 && bit != 0x0080) {
                s.push_str(", ");
                s.push_str(word);
            }
        }
        if response {
            s.push_str(&format!(", Reply code: {}", rcode_name(rcode)));
        }
        s
    });
    let mut bits: Vec<(&'static str, u16, &str, &str, &str)> = vec![(
        "nbns.flags.response",
        0x8000,
        "Response",
        "Message is a response",
        "Message is a query",
    )];
    if response {
        bits.push((
            "nbns.flags.authoritative",
            0x0400,
            "Authoritative",
            "Server is an authority for domain",
            "Server is not an authority for domain",
        ));
    }
    bits.push((
        "nbns.flags.truncated",
        0x0200,
        "Truncated",
        "Message is truncated",
        "Message is not truncated",
    ));
    bits.push((
        "nbns.flags.recdesired",
        0x0100,
        "Recursion desired",
        "Do query recursively",
        "Don't do query recursively",
    ));
    if response {
        bits.push((
            "nbns.flags.recavail",
            0x0080,
            "Recursion available",
            "Server can do recursive queries",
            "Server can't do recursive queries",
        ));
    }
    bits.push((
        "nbns.flags.broadcast",
        0x0010,
        "Broadcast",
        "Broadcast packet",
        "Not a broadcast packet",
    ));
    for (i, (field, mask, label, yes, no)) in bits.into_iter().enumerate() {
        let set = flags & mask != 0;
        cx.field(field, || FieldVal::Bool(set));
        cx.line(1, Some(2..4), label, || {
            format!("{} = {}", bits16(flags, mask), if set { yes } else { no })
        });
        if i == 0 {
            cx.field("nbns.flags.opcode", || FieldVal::Uint(u64::from(opcode)));
            cx.line(1, Some(2..4), "Opcode", || {
                format!(
                    "{} = {} ({opcode})",
                    bits16(flags, 0x7800),
                    opcode_name(opcode)
                )
            });
        }
    }
    if response {
        cx.field("nbns.flags.rcode", || FieldVal::Uint(u64::from(rcode)));
        cx.line(1, Some(2..4), "Reply code", || {
            format!("{} = {} ({rcode})", bits16(flags, 0xf), rcode_name(rcode))
        });
    }
    let mut n = [0u16; 4];
    for (i, (field, label)) in [
        ("nbns.count.queries", "Questions"),
        ("nbns.count.answers", "Answer RRs"),
        ("nbns.count.auth_rr", "Authority RRs"),
        ("nbns.count.add_rr", "Additional RRs"),
    ]
    .into_iter()
    .enumerate()
    {
        let v = u16_at(m, 4 + 2 * i)?;
        n[i] = v;
        cx.field(field, || FieldVal::Uint(u64::from(v)));
        cx.line(0, Some(4 + 2 * i..6 + 2 * i), label, || v.to_string());
    }
    let mut off = 12;
    if n[0] > 0 {
        cx.line(0, None, "Queries", String::new);
    }
    for _ in 0..n[0] {
        let (name, kind, used) = nb_name(m, off)?;
        let t = u16_at(m, off + used)?;
        let c = u16_at(m, off + used + 2)?;
        // A response's questions, and any answers of a query, stay out of the Info
        // (Wireshark passes no column for them).
        if !response {
            cx.cols.push_info(&format!(" {} {name}", type_name(t)));
        }
        cx.line(1, Some(off..off + used + 4), &name, || {
            format!("type {}, class {}", type_name(t), class_name(c))
        });
        cx.field("nbns.name", || FieldVal::Str(name.clone()));
        cx.line(2, Some(off..off + used), "Name", || match kind {
            Some(k) => format!("{name} ({})", name_type_descr(k)),
            None => name.clone(),
        });
        cx.field("nbns.type", || FieldVal::Uint(u64::from(t)));
        cx.line(2, Some(off + used..off + used + 2), "Type", || {
            format!("{} ({t})", type_name(t))
        });
        cx.field("nbns.class", || FieldVal::Uint(u64::from(c)));
        cx.line(2, Some(off + used + 2..off + used + 4), "Class", || {
            format!("{} ({c})", class_name(c))
        });
        off += used + 4;
    }
    for (i, title) in ["Answers", "Authoritative nameservers", "Additional records"]
        .into_iter()
        .enumerate()
    {
        if n[i + 1] > 0 {
            cx.line(0, None, title, String::new);
        }
        for _ in 0..n[i + 1] {
            let shown = i == 0 && response;
            off = record(cx, m, off, opcode, shown)?;
        }
    }
    Ok(())
}

fn record(cx: &mut Cx<'_>, m: &[u8], off: usize, opcode: u16, shown: bool) -> Result<usize, Cut> {
    let (name, kind, used) = nb_name(m, off)?;
    let p = off + used;
    let t = u16_at(m, p)?;
    let c = u16_at(m, p + 2)?;
    let ttl = u32_at(m, p + 4)?;
    let rdlen = usize::from(u16_at(m, p + 8)?);
    let rdata = p + 10;
    let end = rdata + rdlen;
    if t == 32 {
        // Wireshark names the first address (and skips the Info for a WACK).
        let first = m.get(rdata + 2..rdata + 6).ok_or(Cut)?;
        if opcode != 7 && shown {
            let a = Ipv4Addr::new(first[0], first[1], first[2], first[3]);
            cx.cols.push_info(&format!(" NB {a}"));
        }
    } else if shown {
        cx.cols.push_info(&format!(" {}", type_name(t)));
    }
    let shown = match kind {
        Some(k) => format!("{name} ({})", name_type_descr(k)),
        None => format!("{name} (Unknown)"),
    };
    cx.line(1, Some(off..end), &name, || {
        format!("type {}, class {}", type_name(t), class_name(c))
    });
    cx.field("nbns.name", || FieldVal::Str(shown.clone()));
    cx.line(2, Some(off..p), "Name", || shown.clone());
    cx.field("nbns.type", || FieldVal::Uint(u64::from(t)));
    cx.line(2, Some(p..p + 2), "Type", || {
        format!("{} ({t})", type_name(t))
    });
    cx.field("nbns.class", || FieldVal::Uint(u64::from(c)));
    cx.line(2, Some(p + 2..p + 4), "Class", || {
        format!("{} ({c})", class_name(c))
    });
    cx.field("nbns.ttl", || FieldVal::Uint(u64::from(ttl)));
    cx.line(2, Some(p + 4..p + 8), "Time to live", || time_secs(ttl));
    cx.field("nbns.data_length", || FieldVal::Uint(rdlen as u64));
    cx.line(2, Some(p + 8..p + 10), "Data length", || rdlen.to_string());
    if t == 32 {
        let mut i = 0;
        while i < rdlen {
            let e = m.get(rdata + i..rdata + i + 6).ok_or(Cut)?;
            let nbf = u16::from_be_bytes([e[0], e[1]]);
            let a = Ipv4Addr::new(e[2], e[3], e[4], e[5]);
            let at = rdata + i;
            cx.field("nbns.nb_flags", || FieldVal::Hex(u64::from(nbf), 4));
            cx.line(2, Some(at..at + 2), "Name flags", || {
                let ont = ["B-node", "P-node", "M-node", "H-node"][usize::from((nbf >> 13) & 3)];
                let group = if nbf & 0x8000 != 0 { "group" } else { "unique" };
                format!("0x{nbf:04x}, ONT: {ont} ({ont}, {group})")
            });
            cx.field("nbns.nb_flags.group", || FieldVal::Bool(nbf & 0x8000 != 0));
            cx.field("nbns.nb_flags.ont", || {
                FieldVal::Uint(u64::from((nbf >> 13) & 3))
            });
            cx.field("nbns.addr", || FieldVal::Ip(IpAddr::V4(a)));
            cx.line(2, Some(at + 2..at + 6), "Addr", || a.to_string());
            i += 6;
        }
    }
    Ok(end)
}

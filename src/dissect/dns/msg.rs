//! One DNS message (DNS, mDNS or LLMNR): header, questions and records, shown in the columns,
//! the fields and the tree as Wireshark 4.0's `dissect_dns_common` shows them.
//!
//! Wireshark is lax: it shows every field it could read and stops at the first one that runs
//! past the end of the message, leaving `[Malformed Packet]` after the Info it had written.
//! [`Cut`] is that stop.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use super::names::{bits16, class_name, opcode_name, rcode_name, time_secs, type_long, type_short};
use crate::dissect::{Cx, Dissector, FieldVal};

/// Which member of the DNS family a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain DNS.
    Dns,
    /// Multicast DNS: the class's top bit is "QU" in questions and "cache flush" in records.
    Mdns,
    /// LLMNR: conflict and tentative flags in place of authoritative and recursion desired.
    Llmnr,
}

impl Kind {
    /// The Protocol column.
    pub fn protocol(self) -> &'static str {
        match self {
            Kind::Dns => "DNS",
            Kind::Mdns => "MDNS",
            Kind::Llmnr => "LLMNR",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Dns => "Domain Name System",
            Kind::Mdns => "Multicast Domain Name System",
            Kind::Llmnr => "Link-local Multicast Name Resolution",
        }
    }

    /// The dissector whose layer this is.
    pub fn dissector(self) -> Dissector {
        match self {
            Kind::Dns => Dissector::Dns,
            Kind::Mdns => Dissector::Mdns,
            Kind::Llmnr => Dissector::Llmnr,
        }
    }
}

/// The message ended before a field Wireshark reads (its `ReportedBoundsError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut;

/// What the caller needs of a message for request/response tracking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Transaction ID.
    pub id: u16,
    /// The QR bit.
    pub response: bool,
}

const F_RESPONSE: u16 = 0x8000;
const F_OPCODE: u16 = 0x7800;
const F_AUTHORITATIVE: u16 = 0x0400;
const F_TRUNCATED: u16 = 0x0200;
const F_RECDESIRED: u16 = 0x0100;
const F_RECAVAIL: u16 = 0x0080;
const F_Z: u16 = 0x0040;
const F_AUTHENTIC: u16 = 0x0020;
const F_CHECKDISABLE: u16 = 0x0010;
const F_RCODE: u16 = 0x000f;

/// Most compression pointers followed in one name before it is called a loop.
const MAX_POINTERS: usize = 128;
/// Longest name kept (bytes); the rest of a longer one is not shown.
const MAX_NAME: usize = 1024;

fn u8_at(m: &[u8], off: usize) -> Result<u8, Cut> {
    m.get(off).copied().ok_or(Cut)
}

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

/// A domain name as read from a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The text Wireshark shows (`www.example.com`, `<Root>`), already safe for a terminal.
    pub text: String,
    /// `[Name Length]`: bytes of the name before it is made printable.
    pub raw_len: usize,
    /// `[Label Count]`.
    pub labels: usize,
}

/// The name Wireshark shows for an extended label type it does not know.
const EXTENDED: &str = "<Unknown extended label>";

/// The name Wireshark shows for a pointer loop.
const LOOP: &str = "<Name contains a pointer that loops>";

/// Where a name walk puts the labels it reads.
trait Labels {
    /// Bytes so far.
    fn len(&self) -> usize;
    /// Appends a label (after a dot unless it is the first).
    fn label(&mut self, label: &[u8]);
}

/// The raw name, dot-joined.
impl Labels for Vec<u8> {
    fn len(&self) -> usize {
        self.len()
    }
    fn label(&mut self, label: &[u8]) {
        if !self.is_empty() {
            self.push(b'.');
        }
        self.extend_from_slice(label);
    }
}

/// Nowhere: only the name's length is wanted.
impl Labels for () {
    fn len(&self) -> usize {
        0
    }
    fn label(&mut self, _: &[u8]) {}
}

/// Straight into a column, while every label is printable ASCII (shown as it is).
struct Printable<'a> {
    out: &'a mut String,
    start: usize,
    plain: bool,
}

impl Labels for Printable<'_> {
    fn len(&self) -> usize {
        self.out.len() - self.start
    }
    fn label(&mut self, label: &[u8]) {
        if !self.plain {
            return;
        }
        match std::str::from_utf8(label) {
            Ok(text) if label.iter().all(|b| (0x20..0x7f).contains(b)) => {
                if self.out.len() > self.start {
                    self.out.push('.');
                }
                self.out.push_str(text);
            }
            _ => self.plain = false,
        }
    }
}

/// How a name walk ended.
enum End {
    /// At the root label.
    Root,
    /// At a pointer that loops.
    Loop,
    /// At an extended label type Wireshark does not read.
    Extended,
}

/// Walks the name at `off`, following pointers, appending its labels (dot-joined, at most
/// [`MAX_NAME`] bytes) to `raw` when given: how it ended and how many bytes it takes at `off`
/// (up to and including its first pointer).
fn walk(m: &[u8], off: usize, raw: &mut impl Labels) -> Result<(End, usize), Cut> {
    let mut pos = off;
    let mut used: Option<usize> = None;
    let mut pointers = 0usize;
    loop {
        let len = u8_at(m, pos)?;
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    pos += 1;
                    break;
                }
                let l = usize::from(len);
                let label = m.get(pos + 1..pos + 1 + l).ok_or(Cut)?;
                if raw.len() < MAX_NAME {
                    raw.label(label);
                }
                pos += 1 + l;
            }
            0xc0 => {
                let low = u8_at(m, pos + 1)?;
                let target = (usize::from(len & 0x3f) << 8) | usize::from(low);
                if used.is_none() {
                    used = Some(pos + 2 - off);
                }
                pointers += 1;
                if target == pos || pointers > MAX_POINTERS {
                    return Ok((End::Loop, used.unwrap_or(2)));
                }
                pos = target;
            }
            // An extended label (RFC 2673) other than a bit string: Wireshark names it and
            // stops reading the name there.
            0x40 if len != 0x41 => {
                // Wireshark takes the name to end after this byte, even when a pointer
                // led here, and wants at least two bytes.
                let len = (pos + 1).checked_sub(off).filter(|&l| l >= 2).ok_or(Cut)?;
                return Ok((End::Extended, len));
            }
            // Bit-string and reserved (0x80) label types: Wireshark gives up.
            _ => return Err(Cut),
        }
    }
    Ok((End::Root, used.unwrap_or_else(|| pos - off)))
}

/// How many bytes the name at `off` takes there, without making its text (the packet list
/// alone does not show a record's owner): fails exactly where [`read_name`] fails.
pub fn name_len(m: &[u8], off: usize) -> Result<usize, Cut> {
    walk(m, off, &mut ()).map(|(_, used)| used)
}

/// Appends the text of the name at `off` to `out` as [`read_name`] makes it, without making
/// a string of its own when it is printable ASCII (the common case).
pub fn push_name(out: &mut String, m: &[u8], off: usize) -> Result<(), Cut> {
    let start = out.len();
    let mut sink = Printable {
        out,
        start,
        plain: true,
    };
    match walk(m, off, &mut sink)? {
        (End::Root, _) if sink.plain && out.len() > start => Ok(()),
        _ => {
            out.truncate(start);
            out.push_str(&read_name(m, off)?.0.text);
            Ok(())
        }
    }
}

/// Reads the name at `off`: the name and how many bytes it takes at `off` (up to and
/// including its first pointer).
pub fn read_name(m: &[u8], off: usize) -> Result<(Name, usize), Cut> {
    let mut raw: Vec<u8> = Vec::with_capacity(64);
    let (end, used) = walk(m, off, &mut raw)?;
    let special = |text: &str| Name {
        text: text.to_string(),
        raw_len: text.len(),
        labels: 1,
    };
    match end {
        End::Loop => return Ok((special(LOOP), used)),
        End::Extended => return Ok((special(EXTENDED), used)),
        End::Root if raw.is_empty() => return Ok((special("<Root>"), used)),
        End::Root => {}
    }
    // Wireshark 4.0 counts neither the length nor the labels of a one-byte name.
    let (raw_len, labels) = if raw.len() == 1 {
        (0, 0)
    } else {
        (raw.len(), raw.iter().filter(|&&b| b == b'.').count() + 1)
    };
    let text = if raw.iter().all(|b| (0x20..0x7f).contains(b)) {
        // Printable ASCII is shown as it is (the common case: no second copy).
        String::from_utf8(raw).unwrap_or_default()
    } else {
        printable(&raw)
    };
    Ok((
        Name {
            text,
            raw_len,
            labels,
        },
        used,
    ))
}

/// Bytes from the network as Wireshark's `format_text` shows them: printable UTF-8 kept, C0
/// controls as `\n`-style or octal escapes, invalid UTF-8 as U+FFFD; then through
/// [`crate::text::escape`] so nothing a terminal acts on remains.
pub fn printable(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let width = match b {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 0,
        };
        let c = match bytes.get(i..i + width) {
            // GLib takes an overlong two-byte form for the character it spells.
            Some(&[0xc0 | 0xc1, c2]) if c2 & 0xc0 == 0x80 => {
                let c = char::from((((b & 0x1f) << 6) | (c2 & 0x3f)) & 0x7f);
                i += 2;
                if c.is_control() {
                    s.push_str(&format!("\\u{:04X}", c as u32));
                } else {
                    s.push(c);
                }
                continue;
            }
            Some(seq) if width > 0 => match std::str::from_utf8(seq) {
                Ok(t) => t.chars().next().unwrap_or('\u{fffd}'),
                Err(_) => {
                    s.push('\u{fffd}');
                    i += 1;
                    continue;
                }
            },
            _ => {
                s.push('\u{fffd}');
                i += 1;
                continue;
            }
        };
        i += width;
        match c {
            '\u{7}' => s.push_str("\\a"),
            '\u{8}' => s.push_str("\\b"),
            '\u{c}' => s.push_str("\\f"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\u{b}' => s.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                s.push_str(&format!("\\{:03o}", c as u32));
            }
            c if c.is_control() => s.push_str(&format!("\\u{:04X}", c as u32)),
            c => s.push(c),
        }
    }
    crate::text::escape(s.as_bytes())
}

/// Dissects the message `m` (which starts at `start` in the dissector's data) as `kind`:
/// sets the columns, adds a layer with its fields and tree. `length` is TCP's length prefix
/// (shown as `dns.length`). Returns the header when the whole message was read.
pub fn dissect(
    kind: Kind,
    cx: &mut Cx<'_>,
    m: &[u8],
    start: usize,
    length: Option<u16>,
) -> Result<Summary, Cut> {
    cx.cols.protocol = kind.protocol();
    cx.cols.clear_info();
    let id = u16_at(m, 0)?;
    let flags = u16_at(m, 2)?;
    let response = flags & F_RESPONSE != 0;
    let opcode = (flags & F_OPCODE) >> 11;
    let rcode = flags & F_RCODE;
    let info = cx.cols.info_tail();
    info.push_str(&opcode_name(opcode));
    if response {
        info.push_str(" response");
    }
    info.push_str(" 0x");
    crate::wire::push_hex(info, u64::from(id), 4);
    if response && rcode != 0 {
        info.push(' ');
        info.push_str(&rcode_name(rcode));
    }
    let shift = length.map_or(0, |_| 2);
    cx.begin(kind.dissector(), start.saturating_sub(shift), || {
        format!(
            "{} ({})",
            kind.title(),
            if response { "response" } else { "query" }
        )
    });
    let r = |a: usize, n: usize| Some(a + shift..a + shift + n);
    if let Some(len) = length {
        cx.field("dns.length", || FieldVal::Uint(u64::from(len)));
        cx.line(0, Some(0..2), "Length", || len.to_string());
    }
    cx.field("dns.id", || FieldVal::Hex(u64::from(id), 4));
    cx.line(0, r(0, 2), "Transaction ID", || format!("0x{id:04x}"));
    flag_fields(kind, cx, flags, r(2, 2));
    let update = opcode == 5;
    let counts = if update {
        [
            ("dns.count.zones", "Zones"),
            ("dns.count.prerequisites", "Prerequisites"),
            ("dns.count.updates", "Updates"),
            ("dns.count.add_rr", "Additional RRs"),
        ]
    } else {
        [
            ("dns.count.queries", "Questions"),
            ("dns.count.answers", "Answer RRs"),
            ("dns.count.auth_rr", "Authority RRs"),
            ("dns.count.add_rr", "Additional RRs"),
        ]
    };
    let mut n = [0u16; 4];
    for (i, (field, label)) in counts.iter().enumerate() {
        let v = u16_at(m, 4 + 2 * i)?;
        n[i] = v;
        cx.field(field, || FieldVal::Uint(u64::from(v)));
        cx.line(0, r(4 + 2 * i, 2), label, || v.to_string());
    }
    let mut off = 12;
    if opcode == 6 {
        // DSO (RFC 8490): TLVs follow the header; Wireshark needs at least one.
        u32_at(m, off)?;
        return Ok(Summary { id, response });
    }
    if n[0] > 0 {
        cx.line(
            0,
            None,
            if update { "Zone" } else { "Queries" },
            String::new,
        );
        for _ in 0..n[0] {
            off = question(kind, cx, m, off, shift)?;
        }
    }
    let sections = if update {
        ["Prerequisites", "Updates", "Additional records"]
    } else {
        ["Answers", "Authoritative nameservers", "Additional records"]
    };
    for (i, title) in sections.iter().enumerate() {
        if n[i + 1] > 0 {
            cx.line(0, None, title, String::new);
            for _ in 0..n[i + 1] {
                off = record(kind, cx, m, off, shift)?;
            }
        }
    }
    Ok(Summary { id, response })
}

/// The flags word: `dns.flags` and its bits, as Wireshark shows them for a query or a
/// response of each kind.
fn flag_fields(kind: Kind, cx: &mut Cx<'_>, flags: u16, range: Option<Range<usize>>) {
    if !cx.want.fields && !cx.want.tree {
        // The packet list reads none of it.
        return;
    }
    let response = flags & F_RESPONSE != 0;
    let opcode = (flags & F_OPCODE) >> 11;
    let rcode = flags & F_RCODE;
    cx.field("dns.flags", || FieldVal::Hex(u64::from(flags), 4));
    cx.line(0, range.clone(), "Flags", || {
        let mut s = format!("0x{flags:04x} {}", opcode_name(opcode));
        if response {
            s.push_str(&format!(" response, {}", rcode_name(rcode)));
        }
        s
    });
    let bit =
        |cx: &mut Cx<'_>, field: &'static str, mask: u16, label: &str, yes: &str, no: &str| {
            let set = flags & mask != 0;
            cx.field(field, || FieldVal::Bool(set));
            cx.line(1, range.clone(), label, || {
                format!("{} = {}", bits16(flags, mask), if set { yes } else { no })
            });
        };
    bit(
        cx,
        "dns.flags.response",
        F_RESPONSE,
        "Response",
        "Message is a response",
        "Message is a query",
    );
    cx.field("dns.flags.opcode", || FieldVal::Uint(u64::from(opcode)));
    cx.line(1, range.clone(), "Opcode", || {
        format!(
            "{} = {} ({opcode})",
            bits16(flags, F_OPCODE),
            opcode_name(opcode)
        )
    });
    if kind == Kind::Llmnr {
        let (yes, no) = if response {
            (
                "The name is not considered unique",
                "The name is considered unique",
            )
        } else {
            ("The sender received multiple responses", "None")
        };
        bit(
            cx,
            "dns.flags.conflict",
            F_AUTHORITATIVE,
            "Conflict",
            yes,
            no,
        );
        bit(
            cx,
            "dns.flags.truncated",
            F_TRUNCATED,
            "Truncated",
            "Message is truncated",
            "Message is not truncated",
        );
        bit(
            cx,
            "dns.flags.tentative",
            F_RECDESIRED,
            "Tentative",
            "Tentative",
            "Not tentative",
        );
        if response {
            rcode_field(cx, flags, range);
        }
        return;
    }
    if response {
        bit(
            cx,
            "dns.flags.authoritative",
            F_AUTHORITATIVE,
            "Authoritative",
            "Server is an authority for domain",
            "Server is not an authority for domain",
        );
    }
    bit(
        cx,
        "dns.flags.truncated",
        F_TRUNCATED,
        "Truncated",
        "Message is truncated",
        "Message is not truncated",
    );
    bit(
        cx,
        "dns.flags.recdesired",
        F_RECDESIRED,
        "Recursion desired",
        "Do query recursively",
        "Don't do query recursively",
    );
    if response {
        bit(
            cx,
            "dns.flags.recavail",
            F_RECAVAIL,
            "Recursion available",
            "Server can do recursive queries",
            "Server can't do recursive queries",
        );
    }
    bit(
        cx,
        "dns.flags.z",
        F_Z,
        "Z",
        "reserved - incorrect!",
        "reserved (0)",
    );
    if response {
        bit(
            cx,
            "dns.flags.authenticated",
            F_AUTHENTIC,
            "Answer authenticated",
            "Answer/authority portion was authenticated by the server",
            "Answer/authority portion was not authenticated by the server",
        );
    } else if flags & F_AUTHENTIC != 0 {
        cx.field("dns.flags.authenticated", || FieldVal::Bool(true));
        cx.line(1, range.clone(), "AD bit", || {
            format!("{} = Set", bits16(flags, F_AUTHENTIC))
        });
    }
    bit(
        cx,
        "dns.flags.checkdisable",
        F_CHECKDISABLE,
        "Non-authenticated data",
        "Acceptable",
        "Unacceptable",
    );
    if response {
        rcode_field(cx, flags, range);
    }
}

fn rcode_field(cx: &mut Cx<'_>, flags: u16, range: Option<Range<usize>>) {
    let rcode = flags & F_RCODE;
    cx.field("dns.flags.rcode", || FieldVal::Uint(u64::from(rcode)));
    cx.line(1, range, "Reply code", || {
        format!(
            "{} = {} ({rcode})",
            bits16(flags, F_RCODE),
            rcode_name(rcode)
        )
    });
}

/// Appends `text` to the Info column after a space.
fn info(cx: &mut Cx<'_>, text: &str) {
    cx.cols.info_tail().push(' ');
    cx.cols.push_info(text);
}

/// One question at `off`; returns the offset after it.
fn question(kind: Kind, cx: &mut Cx<'_>, m: &[u8], off: usize, shift: usize) -> Result<usize, Cut> {
    // The packet list alone reads the name's text only in the Info: written there directly.
    let full = cx.want.tree || cx.want.fields;
    let (name, used) = if full {
        read_name(m, off)?
    } else {
        let name = Name {
            text: String::new(),
            raw_len: 0,
            labels: 0,
        };
        (name, name_len(m, off)?)
    };
    let t = u16_at(m, off + used)?;
    let class = u16_at(m, off + used + 2)?;
    let end = off + used + 4;
    info(cx, &type_short(t));
    if full {
        info(cx, &name.text);
    } else {
        cx.cols.info_tail().push(' ');
        push_name(cx.cols.info_tail(), m, off)?;
    }
    let qu = kind == Kind::Mdns && class & 0x8000 != 0;
    let class_v = if kind == Kind::Mdns {
        class & 0x7fff
    } else {
        class
    };
    if kind == Kind::Mdns {
        cx.cols.push_info(if qu {
            ", \"QU\" question"
        } else {
            ", \"QM\" question"
        });
    }
    let r = |a: usize, n: usize| Some(a + shift..a + shift + n);
    cx.line(1, r(off, end - off), &name.text, || {
        let mut s = format!("type {}, class {}", type_short(t), class_name(class_v));
        if kind == Kind::Mdns {
            s.push_str(&format!(", \"{}\" question", if qu { "QU" } else { "QM" }));
        }
        s
    });
    cx.field("dns.qry.name", || FieldVal::Str(name.text.clone()));
    cx.line(2, r(off, used), "Name", || name.text.clone());
    cx.field("dns.qry.name.len", || FieldVal::Uint(name.raw_len as u64));
    cx.line(2, r(off, used), "[Name Length", || {
        format!("{}]", name.raw_len)
    });
    cx.field("dns.count.labels", || FieldVal::Uint(name.labels as u64));
    cx.line(2, r(off, used), "[Label Count", || {
        format!("{}]", name.labels)
    });
    cx.field("dns.qry.type", || FieldVal::Uint(u64::from(t)));
    cx.line(2, r(off + used, 2), "Type", || type_long(t));
    cx.field("dns.qry.class", || FieldVal::Hex(u64::from(class_v), 4));
    if kind == Kind::Mdns {
        cx.line(2, r(off + used + 2, 2), "Class", || {
            format!(
                "{} = {} (0x{class_v:04x})",
                bits16(class, 0x7fff),
                class_name(class_v)
            )
        });
        cx.field("dns.qry.qu", || FieldVal::Bool(qu));
        cx.line(2, r(off + used + 2, 2), "\"QU\" question", || {
            format!(
                "{} = {}",
                bits16(class, 0x8000),
                if qu { "True" } else { "False" }
            )
        });
    } else {
        cx.line(2, r(off + used + 2, 2), "Class", || {
            format!("{} (0x{class_v:04x})", class_name(class_v))
        });
    }
    Ok(end)
}

/// One resource record at `off`; returns the offset after it.
fn record(kind: Kind, cx: &mut Cx<'_>, m: &[u8], off: usize, shift: usize) -> Result<usize, Cut> {
    let used = name_len(m, off)?;
    let mut p = off + used;
    let t = u16_at(m, p)?;
    // The owner's text is shown in the tree and fields, and in the Info of a few types only.
    let (tree, want_fields) = (cx.want.tree, cx.want.fields);
    let name = if tree || want_fields || matches!(t, 3 | 4 | 7 | 8 | 9 | 22 | 49) {
        read_name(m, off)?.0
    } else {
        Name {
            text: String::new(),
            raw_len: 0,
            labels: 0,
        }
    };
    let class = u16_at(m, p + 2)?;
    let ttl = u32_at(m, p + 4)?;
    let rdlen = usize::from(u16_at(m, p + 8)?);
    p += 10;
    let rdata = p;
    let end = rdata + rdlen;
    info(cx, &type_short(t));
    let flush = kind == Kind::Mdns && t != 41 && class & 0x8000 != 0;
    if flush {
        cx.cols.push_info(", cache flush");
    }
    if end > m.len() {
        return Err(Cut);
    }
    let d = &m[rdata..end];
    let r = |a: usize, n: usize| Some(a + shift..a + shift + n);
    let class_v = if kind == Kind::Mdns && t != 41 {
        class & 0x7fff
    } else {
        class
    };
    // The title's tail and the type's own fields, read before the title is written.
    let mut tail = String::new();
    let mut lines: Vec<(Range<usize>, &'static str, String)> = Vec::new();
    let mut fields: Vec<(&'static str, FieldVal)> = Vec::new();
    let mut cut = false;
    let rd = |a: usize, n: usize| rdata + a..rdata + a + n;
    // Tree lines, fields and the title's tail are made only when they will be read.
    macro_rules! add_line {
        ($e:expr) => {
            if tree {
                lines.push($e)
            }
        };
    }
    macro_rules! add_field {
        ($e:expr) => {
            if want_fields {
                fields.push($e)
            }
        };
    }
    macro_rules! set_tail {
        ($($t:tt)*) => {
            if tree {
                tail = format!($($t)*)
            }
        };
    }
    // Wireshark reads no data of a record whose data length is 0.
    match if rdlen == 0 { 0 } else { t } {
        0 => {}
        1 => {
            if let Some(b) = m.get(rdata..rdata + 4) {
                let a = Ipv4Addr::new(b[0], b[1], b[2], b[3]);
                cx.cols.info_tail().push(' ');
                crate::wire::push_ipv4(cx.cols.info_tail(), a);
                set_tail!(", addr {a}");
                add_field!(("dns.a", FieldVal::Ip(IpAddr::V4(a))));
                add_line!((rd(0, 4), "Address", a.to_string()));
            } else {
                cut = true;
            }
        }
        28 => {
            if let Some(b) = m.get(rdata..rdata + 16) {
                let mut o = [0u8; 16];
                o.copy_from_slice(b);
                let a = Ipv6Addr::from(o);
                let _ = write!(cx.cols, " {a}");
                set_tail!(", addr {a}");
                add_field!(("dns.aaaa", FieldVal::Ip(IpAddr::V6(a))));
                add_line!((rd(0, 16), "AAAA Address", a.to_string()));
            } else {
                cut = true;
            }
        }
        2 | 5 | 12 => {
            let (field, label, word) = match t {
                2 => ("dns.ns", "Name Server", "ns "),
                5 => ("dns.cname", "CNAME", "cname "),
                _ => ("dns.ptr.domain_name", "Domain Name", ""),
            };
            match read_name(m, rdata) {
                Ok((n, u)) => {
                    info(cx, &n.text);
                    set_tail!(", {word}{}", n.text);
                    add_line!((rd(0, u), label, n.text.clone()));
                    add_field!((field, FieldVal::Str(n.text)));
                }
                Err(_) => cut = true,
            }
        }
        // Wireshark 4.0 puts the record's owner in the Info for these.
        3 | 4 | 7 | 8 | 9 | 22 | 49 => {
            info(cx, &name.text);
            if let (true, Ok((n, u))) = (t != 22 && t != 49, read_name(m, rdata)) {
                set_tail!(", {}", n.text);
                add_line!((rd(0, u), "Name", n.text));
            } else {
                add_line!((rd(0, rdlen), "Data", hex(d)));
            }
        }
        11 => match m.get(rdata..rdata + 4) {
            Some(b) => {
                let a = Ipv4Addr::new(b[0], b[1], b[2], b[3]);
                info(cx, &a.to_string());
                set_tail!(", addr {a}");
                add_line!((rd(0, 4), "Address", a.to_string()));
            }
            None => cut = true,
        },
        36 => match (u16_at(m, rdata), read_name(m, rdata + 2)) {
            (Ok(pref), Ok((n, u))) => {
                info(cx, &format!("{pref} {}", n.text));
                set_tail!(", preference {pref}, kx {}", n.text);
                add_line!((rd(0, 2), "Preference", pref.to_string()));
                add_line!((rd(2, u), "Key exchange", n.text));
            }
            _ => cut = true,
        },
        6 => match read_name(m, rdata) {
            Ok((mname, _)) => {
                info(cx, &mname.text);
                set_tail!(", mname {}", mname.text);
                cut = if tree || want_fields {
                    soa(m, rdata, &mut lines, &mut fields).is_err()
                } else {
                    soa_len(m, rdata).is_err()
                };
            }
            Err(_) => cut = true,
        },
        15 => match (u16_at(m, rdata), read_name(m, rdata + 2)) {
            (Ok(pref), Ok((n, u))) => {
                info(cx, &format!("{pref} {}", n.text));
                set_tail!(", preference {pref}, mx {}", n.text);
                add_field!(("dns.mx.preference", FieldVal::Uint(u64::from(pref))));
                add_line!((rd(0, 2), "Preference", pref.to_string()));
                add_line!((rd(2, u), "Mail Exchange", n.text.clone()));
                add_field!(("dns.mx.mail_exchange", FieldVal::Str(n.text)));
            }
            _ => cut = true,
        },
        16 | 99 => {
            let (lf, tf, ll, tl) = if t == 16 {
                ("dns.txt.length", "dns.txt", "TXT Length", "TXT")
            } else {
                ("dns.spf.length", "dns.spf", "SPF Length", "SPF")
            };
            let mut i = 0;
            while i < d.len() {
                let Ok(l) = u8_at(m, rdata + i).map(usize::from) else {
                    cut = true;
                    break;
                };
                add_field!((lf, FieldVal::Uint(l as u64)));
                add_line!((rd(i, 1), ll, l.to_string()));
                let Some(s) = m.get(rdata + i + 1..rdata + i + 1 + l) else {
                    cut = true;
                    break;
                };
                let text = printable(s);
                add_line!((rd(i + 1, l), tl, text.clone()));
                add_field!((tf, FieldVal::Str(text)));
                i += 1 + l;
            }
        }
        33 => match (u16_at(m, rdata), u16_at(m, rdata + 2), u16_at(m, rdata + 4)) {
            (Ok(prio), Ok(weight), Ok(port)) => {
                add_field!(("dns.srv.priority", FieldVal::Uint(u64::from(prio))));
                add_field!(("dns.srv.weight", FieldVal::Uint(u64::from(weight))));
                add_field!(("dns.srv.port", FieldVal::Uint(u64::from(port))));
                add_line!((rd(0, 2), "Priority", prio.to_string()));
                add_line!((rd(2, 2), "Weight", weight.to_string()));
                add_line!((rd(4, 2), "Port", port.to_string()));
                match read_name(m, rdata + 6) {
                    Ok((n, u)) => {
                        info(cx, &format!("{prio} {weight} {port} {}", n.text));
                        set_tail!(
                            ", priority {prio}, weight {weight}, port {port}, target {}",
                            n.text
                        );
                        add_line!((rd(6, u), "Target", n.text.clone()));
                        add_field!(("dns.srv.target", FieldVal::Str(n.text)));
                    }
                    Err(_) => cut = true,
                }
            }
            _ => cut = true,
        },
        41 => cut = opt(m, rdata, rdlen, &mut lines, &mut fields).is_err(),
        _ => {
            if !d.is_empty() {
                add_line!((rd(0, d.len()), "Data", hex(d)));
            }
        }
    }
    // The record's subtree.
    cx.line(1, r(off, end - off), &name.text, || {
        let mut s = format!("type {}", type_short(t));
        if t != 41 {
            s.push_str(&format!(", class {}", class_name(class_v)));
            if flush {
                s.push_str(", cache flush");
            }
        }
        s.push_str(&tail);
        s
    });
    let srv_owner = t == 33;
    if srv_owner {
        let mut parts = name.text.splitn(3, '.');
        for (label, field) in [
            ("Service", "dns.srv.service"),
            ("Protocol", "dns.srv.proto"),
        ] {
            if let Some(p) = parts.next() {
                let p = p.to_string();
                cx.line(2, r(off, used), label, || p.clone());
                cx.field(field, || FieldVal::Str(p));
            }
        }
        if let Some(p) = parts.next() {
            let p = p.to_string();
            cx.line(2, r(off, used), "Name", || p.clone());
            cx.field("dns.srv.name", || FieldVal::Str(p));
        }
    }
    if !srv_owner {
        cx.field("dns.resp.name", || FieldVal::Str(name.text.clone()));
        cx.line(2, r(off, used), "Name", || name.text.clone());
    }
    cx.field("dns.resp.type", || FieldVal::Uint(u64::from(t)));
    cx.line(2, r(off + used, 2), "Type", || type_long(t));
    let cr = r(off + used + 2, 2);
    if t == 41 {
        cx.field("dns.rr.udp_payload_size", || {
            FieldVal::Uint(u64::from(class))
        });
        cx.line(2, cr, "UDP payload size", || class.to_string());
        let ext = (ttl >> 24) as u8;
        let ver = (ttl >> 16) as u8;
        let z = ttl as u16;
        let tr = r(off + used + 6, 2);
        cx.field("dns.resp.ext_rcode", || FieldVal::Hex(u64::from(ext), 2));
        cx.line(
            2,
            r(off + used + 4, 1),
            "Higher bits in extended RCODE",
            || format!("0x{ext:02x}"),
        );
        cx.field("dns.resp.edns0_version", || FieldVal::Uint(u64::from(ver)));
        cx.line(2, r(off + used + 5, 1), "EDNS0 version", || ver.to_string());
        cx.field("dns.resp.z", || FieldVal::Hex(u64::from(z), 4));
        cx.line(2, tr.clone(), "Z", || format!("0x{z:04x}"));
        cx.field("dns.resp.z.do", || FieldVal::Bool(z & 0x8000 != 0));
        cx.line(3, tr.clone(), "DO bit", || {
            format!(
                "{} = {}",
                bits16(z, 0x8000),
                if z & 0x8000 != 0 {
                    "Accepts DNSSEC security RRs"
                } else {
                    "Cannot handle DNSSEC security RRs"
                }
            )
        });
        cx.field("dns.resp.z.reserved", || {
            FieldVal::Hex(u64::from(z & 0x7fff), 4)
        });
        cx.line(3, tr, "Reserved", || {
            format!("{} = 0x{:04x}", bits16(z, 0x7fff), z & 0x7fff)
        });
    } else {
        cx.field("dns.resp.class", || FieldVal::Hex(u64::from(class_v), 4));
        if kind == Kind::Mdns {
            cx.line(2, cr.clone(), "Class", || {
                format!(
                    "{} = {} (0x{class_v:04x})",
                    bits16(class, 0x7fff),
                    class_name(class_v)
                )
            });
            cx.field("dns.resp.cache_flush", || FieldVal::Bool(flush));
            cx.line(2, cr, "Cache flush", || {
                format!(
                    "{} = {}",
                    bits16(class, 0x8000),
                    if flush { "True" } else { "False" }
                )
            });
        } else {
            cx.line(2, cr, "Class", || {
                format!("{} (0x{class_v:04x})", class_name(class_v))
            });
        }
        cx.field("dns.resp.ttl", || FieldVal::Uint(u64::from(ttl)));
        cx.line(2, r(off + used + 4, 4), "Time to live", || {
            format!("{ttl} ({})", time_secs(ttl))
        });
    }
    cx.field("dns.resp.len", || FieldVal::Uint(rdlen as u64));
    cx.line(2, r(off + used + 8, 2), "Data length", || rdlen.to_string());
    for (name, v) in fields {
        cx.field(name, || v);
    }
    for (range, label, value) in lines {
        cx.line(2, r(range.start, range.len()), label, || value);
    }
    if cut {
        return Err(Cut);
    }
    Ok(end)
}

/// Reads SOA data at `at` as [`soa`] does, making no text: fails where it fails.
fn soa_len(m: &[u8], at: usize) -> Result<(), Cut> {
    let u1 = name_len(m, at)?;
    let u2 = name_len(m, at + u1)?;
    u32_at(m, at + u1 + u2 + 16).map(|_| ())
}

/// SOA data at `at`: fields and lines.
fn soa(
    m: &[u8],
    at: usize,
    lines: &mut Vec<(Range<usize>, &'static str, String)>,
    fields: &mut Vec<(&'static str, FieldVal)>,
) -> Result<(), Cut> {
    let (mname, u1) = read_name(m, at)?;
    lines.push((at..at + u1, "Primary name server", mname.text.clone()));
    fields.push(("dns.soa.mname", FieldVal::Str(mname.text.clone())));
    let (rname, u2) = read_name(m, at + u1)?;
    lines.push((
        at + u1..at + u1 + u2,
        "Responsible authority's mailbox",
        rname.text.clone(),
    ));
    fields.push(("dns.soa.rname", FieldVal::Str(rname.text)));
    let mut p = at + u1 + u2;
    let items: [(&'static str, &'static str, bool); 5] = [
        ("dns.soa.serial_number", "Serial Number", false),
        ("dns.soa.refresh_interval", "Refresh Interval", true),
        ("dns.soa.retry_interval", "Retry Interval", true),
        ("dns.soa.expire_limit", "Expire limit", true),
        ("dns.soa.minimum_ttl", "Minimum TTL", true),
    ];
    for (field, label, time) in items {
        let v = u32_at(m, p)?;
        fields.push((field, FieldVal::Uint(u64::from(v))));
        let text = if time {
            format!("{v} ({})", time_secs(v))
        } else {
            v.to_string()
        };
        lines.push((p..p + 4, label, text));
        p += 4;
    }
    Ok(())
}

/// EDNS0 options of an OPT record whose `rdlen` bytes of data start at `at`; as Wireshark,
/// an option is read from the message even where it runs past the record.
fn opt(
    m: &[u8],
    at: usize,
    rdlen: usize,
    lines: &mut Vec<(Range<usize>, &'static str, String)>,
    fields: &mut Vec<(&'static str, FieldVal)>,
) -> Result<(), Cut> {
    let mut i = 0;
    while i < rdlen {
        let code = u16_at(m, at + i)?;
        let len = usize::from(u16_at(m, at + i + 2)?);
        fields.push(("dns.opt", FieldVal::None));
        fields.push(("dns.opt.code", FieldVal::Uint(u64::from(code))));
        fields.push(("dns.opt.len", FieldVal::Uint(len as u64)));
        let data = m.get(at + i + 4..at + i + 4 + len).ok_or(Cut)?;
        lines.push((at + i..at + i + 4 + len, "Option", opt_name(code)));
        if !data.is_empty() {
            fields.push(("dns.opt.data", FieldVal::Bytes(data.to_vec())));
        }
        i += 4 + len;
    }
    Ok(())
}

/// EDNS0 option names, as Wireshark's `edns0_opt_code_vals`.
fn opt_name(code: u16) -> String {
    let n = match code {
        1 => "LLQ - Long-lived query",
        2 => "UL - Update lease",
        3 => "NSID - Name Server Identifier",
        4 => "Owner (reserved)",
        5 => "DAU - DNSSEC Algorithm Understood (RFC6975)",
        6 => "DHU - DS Hash Understood (RFC6975)",
        7 => "N3U - NSEC3 Hash Understood (RFC6975)",
        8 => "CSUBNET - Client subnet",
        9 => "EDNS EXPIRE (RFC7314)",
        10 => "COOKIE",
        11 => "EDNS TCP Keepalive",
        12 => "PADDING",
        13 => "CHAIN",
        14 => "EDNS Key Tag",
        15 => "Extended DNS Error",
        _ => return format!("Unknown ({code})"),
    };
    n.to_string()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

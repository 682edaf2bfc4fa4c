//! DHCP/BOOTP, DHCPv6, SMTP/IMF, FTP/FTP-DATA, POP and IMAP against tshark 4.0: the Protocol
//! and Info columns of every frame, and the Wireshark fields wirelab sets (`read --json`)
//! against `tshark -T fields -E occurrence=a`, value for value.
//!
//! Two sets of captures: the bundled `captures/app/*.pcap` (real servers and clients), and
//! small ones this file writes from byte strings for what real sessions rarely show: BOOTP
//! without option 53, cut-off and malformed messages, DHCPv6 relays, SMTP AUTH, pipelining,
//! lines and mails split across segments, FTP's PORT and EPSV data channels.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{Need, require};

const DHCP_FIELDS: &[&str] = &[
    "dhcp.type",
    "dhcp.hw.type",
    "dhcp.hw.mac_addr",
    "dhcp.hw.addr",
    "dhcp.hw.addr_padding",
    "dhcp.id",
    "dhcp.secs",
    "dhcp.flags",
    "dhcp.flags.bc",
    "dhcp.ip.client",
    "dhcp.ip.your",
    "dhcp.ip.server",
    "dhcp.ip.relay",
    "dhcp.cookie",
    "dhcp.option.type",
    "dhcp.option.length",
    "dhcp.option.value",
    "dhcp.option.padding",
    "dhcp.option.end",
    "dhcp.option.dhcp",
    "dhcp.option.requested_ip_address",
    "dhcp.option.ip_address_lease_time",
    "dhcp.option.renewal_time_value",
    "dhcp.option.rebinding_time_value",
    "dhcp.option.dhcp_server_id",
    "dhcp.option.subnet_mask",
    "dhcp.option.router",
    "dhcp.option.domain_name_server",
    "dhcp.option.domain_name",
    "dhcp.option.hostname",
    "dhcp.option.broadcast_address",
    "dhcp.option.request_list_item",
    "dhcp.option.dhcp_max_message_size",
    "dhcp.option.vendor_class_id",
    "dhcp.client_id.type",
];
const DHCPV6_FIELDS: &[&str] = &[
    "dhcpv6.msgtype",
    "dhcpv6.xid",
    "dhcpv6.option.type",
    "dhcpv6.option.length",
    "dhcpv6.duid.bytes",
    "dhcpv6.iaaddr.ip",
];
const SMTP_FIELDS: &[&str] = &[
    "smtp.req",
    "smtp.rsp",
    "smtp.req.command",
    "smtp.req.parameter",
    "smtp.command_line",
    "smtp.response",
    "smtp.response.code",
    "smtp.rsp.parameter",
    "smtp.auth.username",
    "smtp.auth.password",
    "imf.from",
    "imf.to",
    "imf.subject",
];
const FTP_FIELDS: &[&str] = &[
    "ftp.request",
    "ftp.response",
    "ftp.request.command",
    "ftp.request.arg",
    "ftp.response.code",
    "ftp.response.arg",
    "ftp-data.setup-method",
    "ftp-data.command",
];
const POP_FIELDS: &[&str] = &[
    "pop.request.command",
    "pop.request.parameter",
    "pop.response.indicator",
    "pop.response.description",
    "imf.from",
    "imf.subject",
];
const IMAP_FIELDS: &[&str] = &[
    "imap.isrequest",
    "imap.line",
    "imap.request",
    "imap.request_tag",
    "imap.request.command",
    "imap.request.folder",
    "imap.request.username",
    "imap.request.password",
    "imap.response",
    "imap.response_tag",
    "imap.response.status",
    "imap.response.command",
    "imap.tag",
    "imap.command",
    "imf.from",
    "imf.to",
    "imf.subject",
];

/// tshark's Protocol, Info and `fields` of every frame.
fn tshark(file: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut names = vec!["_ws.col.Protocol", "_ws.col.Info"];
    names.extend_from_slice(fields);
    support::tshark::fields_with(file, &["-E", "occurrence=a"], &names)
}

/// wirelab's `read --json` objects, one per frame.
fn wirelab(file: &Path) -> Vec<Value> {
    let out = support::run(support::wirelab().arg("read").arg("--json").arg(file));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Every value of `field` in the frame's layers, joined as tshark's `occurrence=a` joins them.
fn values(frame: &Value, field: &str) -> String {
    let mut out = Vec::new();
    if let Some(obj) = frame.as_object() {
        for layer in obj.values() {
            match layer.get(field) {
                Some(Value::Array(a)) => out.extend(a.iter().map(text)),
                Some(v) => out.push(text(v)),
                None => {}
            }
        }
    }
    out.join(",")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares `file`; returns (frames, column matches, field cells, field matches) and the
/// differences. Frames tshark gives another protocol (an ICMP error quoting a datagram) are
/// compared by column only.
fn compare(file: &Path, fields: &[&str]) -> (usize, usize, usize, usize, Vec<String>) {
    let ts = tshark(file, fields);
    let wl = wirelab(file);
    assert_eq!(ts.len(), wl.len(), "{}: frame counts", file.display());
    let (mut cols, mut cells, mut good_cells) = (0, 0, 0);
    let mut diffs = Vec::new();
    for (i, (t, w)) in ts.iter().zip(&wl).enumerate() {
        let cell = |j: usize| t.get(j).cloned().unwrap_or_default();
        let ours = (text(&w["protocol"]), text(&w["info"]));
        if (cell(0), cell(1)) == ours {
            cols += 1;
        } else {
            diffs.push(format!(
                "frame {}: tshark {:?} {:?} | wirelab {:?} {:?}",
                i + 1,
                cell(0),
                cell(1),
                ours.0,
                ours.1
            ));
        }
        if cell(0).starts_with("ICMP") {
            continue;
        }
        for (j, f) in fields.iter().enumerate() {
            cells += 1;
            let want = cell(j + 2);
            let got = values(w, f);
            if want == got {
                good_cells += 1;
            } else {
                diffs.push(format!(
                    "frame {} {f}: tshark {want:?} | wirelab {got:?}",
                    i + 1
                ));
            }
        }
    }
    (ts.len(), cols, cells, good_cells, diffs)
}

fn check(file: &Path, fields: &[&str]) {
    let (frames, cols, cells, good, diffs) = compare(file, fields);
    eprintln!(
        "{}: columns {cols}/{frames}, fields {good}/{cells}",
        file.file_name().unwrap_or_default().to_string_lossy()
    );
    assert!(
        diffs.is_empty(),
        "{}:\n{}",
        file.display(),
        diffs.join("\n")
    );
}

fn bundled(name: &str) -> Option<PathBuf> {
    let p = support::repo("captures/app").join(name);
    if p.is_file() {
        return Some(p);
    }
    assert!(!support::in_ci(), "CI is set: {} is missing", p.display());
    eprintln!("skipping {}: not there", p.display());
    None
}

#[test]
fn bundled_captures_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    for (name, fields) in [
        ("dhcp.pcap", DHCP_FIELDS),
        ("dhcpv6.pcap", DHCPV6_FIELDS),
        ("smtp.pcap", SMTP_FIELDS),
        ("ftp.pcap", FTP_FIELDS),
        ("pop.pcap", POP_FIELDS),
        ("imap.pcap", IMAP_FIELDS),
    ] {
        if let Some(p) = bundled(name) {
            check(&p, fields);
        }
    }
}

// ---- Small captures written here ----

/// One packet: TCP or UDP, source and destination (address, port), flags (TCP), payload.
struct Pkt {
    tcp: bool,
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    flags: u8,
    payload: Vec<u8>,
}

fn udp(src: ([u8; 4], u16), dst: ([u8; 4], u16), payload: &[u8]) -> Pkt {
    Pkt {
        tcp: false,
        src,
        dst,
        flags: 0,
        payload: payload.to_vec(),
    }
}

fn checksum(b: &[u8]) -> u16 {
    let mut s: u32 = b
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while s > 0xffff {
        s = (s >> 16) + (s & 0xffff);
    }
    !(s as u16)
}

/// Writes `pkts` as an Ethernet pcap; TCP sequence numbers run on per direction (a SYN or
/// FIN counts one).
fn write_pcap(path: &Path, pkts: &[Pkt]) {
    let mut out = Vec::new();
    for v in [0xa1b2c3d4u32, 0x0004_0002, 0, 0, 65535, 1] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    // The version words are u16 pairs: 2 then 4.
    out[4..8].copy_from_slice(&[2, 0, 4, 0]);
    let mut seqs = std::collections::HashMap::new();
    for (n, p) in pkts.iter().enumerate() {
        let key = (p.src, p.dst);
        let seq = *seqs.entry(key).or_insert(1000u32);
        let ack = *seqs.entry((p.dst, p.src)).or_insert(5000u32);
        let mut l4 = Vec::new();
        if p.tcp {
            l4.extend_from_slice(&p.src.1.to_be_bytes());
            l4.extend_from_slice(&p.dst.1.to_be_bytes());
            l4.extend_from_slice(&seq.to_be_bytes());
            l4.extend_from_slice(&ack.to_be_bytes());
            l4.extend_from_slice(&[0x50, p.flags, 0xff, 0xff, 0, 0, 0, 0]);
            let used = p.payload.len() as u32 + u32::from(p.flags & 3 != 0);
            seqs.insert(key, seq.wrapping_add(used));
        } else {
            l4.extend_from_slice(&p.src.1.to_be_bytes());
            l4.extend_from_slice(&p.dst.1.to_be_bytes());
            l4.extend_from_slice(&((8 + p.payload.len()) as u16).to_be_bytes());
            l4.extend_from_slice(&[0, 0]);
        }
        l4.extend_from_slice(&p.payload);
        let mut ip = vec![0x45, 0];
        ip.extend_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
        ip.extend_from_slice(&[0, 1, 0x40, 0, 64, if p.tcp { 6 } else { 17 }, 0, 0]);
        ip.extend_from_slice(&p.src.0);
        ip.extend_from_slice(&p.dst.0);
        let c = checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0];
        frame.extend_from_slice(&ip);
        frame.extend_from_slice(&l4);
        for v in [n as u32 + 1, 0, frame.len() as u32, frame.len() as u32] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&frame);
    }
    std::fs::write(path, out).expect("writing a pcap");
}

/// A TCP conversation: a handshake, then each (to the server?, payload) as one segment.
fn tcp_talk(client: ([u8; 4], u16), server: ([u8; 4], u16), talk: &[(bool, &[u8])]) -> Vec<Pkt> {
    let mut out = segments(client, server, &[(true, &[][..])]);
    out[0].flags = 0x02;
    let mut syn_ack = segments(client, server, &[(false, &[][..]), (true, &[][..])]);
    syn_ack[0].flags = 0x12;
    syn_ack[1].flags = 0x10;
    out.extend(syn_ack);
    out.extend(segments(client, server, talk));
    out
}

/// Each (to the server?, payload) as one PSH/ACK segment of the conversation.
fn segments(client: ([u8; 4], u16), server: ([u8; 4], u16), talk: &[(bool, &[u8])]) -> Vec<Pkt> {
    let seg = |to_server: bool, flags: u8, payload: &[u8]| {
        let (src, dst) = if to_server {
            (client, server)
        } else {
            (server, client)
        };
        Pkt {
            tcp: true,
            src,
            dst,
            flags,
            payload: payload.to_vec(),
        }
    };
    talk.iter().map(|(up, p)| seg(*up, 0x18, p)).collect()
}

fn bootp(op: u8, htype: u8, hlen: u8, cookie: bool, options: &[u8]) -> Vec<u8> {
    let mut b = vec![op, htype, hlen, 0, 0x00, 0xab, 0xcd, 0xef, 0, 0, 0x80, 0];
    b.resize(16, 0);
    b.extend_from_slice(&[10, 0, 0, 5]);
    b.resize(28, 0);
    b.extend_from_slice(&[2, 0, 0, 0, 0, 2]);
    b.resize(236, 0);
    if cookie {
        b.extend_from_slice(&[99, 130, 83, 99]);
    }
    b.extend_from_slice(options);
    b
}

const C4: ([u8; 4], u16) = ([0, 0, 0, 0], 68);
const BCAST: ([u8; 4], u16) = ([255, 255, 255, 255], 67);

#[test]
fn crafted_dhcp_matches_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let full = [
        53, 1, 3, 50, 4, 10, 0, 0, 9, 51, 4, 0, 1, 81, 128, 54, 4, 10, 0, 0, 1, 6, 8, 8, 8, 8, 8,
        1, 1, 1, 1, 3, 4, 10, 0, 0, 1, 1, 4, 255, 255, 0, 0, 28, 4, 10, 0, 255, 255, 15, 3, 97, 98,
        99, 12, 0, 0, 0, 61, 3, 0, 65, 66, 57, 2, 2, 64, 55, 3, 1, 3, 121, 255,
    ];
    let mut lease = vec![
        53, 1, 1, 51, 4, 0xff, 0xff, 0xff, 0xff, 12, 3, b'a', b'\n', 0xff,
    ];
    lease.push(255);
    let mut pkts = vec![
        udp(C4, BCAST, &bootp(1, 1, 6, true, &[])),
        udp(
            ([10, 0, 0, 1], 67),
            ([10, 0, 0, 5], 68),
            &bootp(2, 1, 6, true, &[]),
        ),
        udp(
            ([10, 0, 0, 1], 67),
            ([10, 0, 0, 5], 68),
            &bootp(3, 1, 6, true, &[]),
        ),
        udp(C4, BCAST, &bootp(1, 6, 4, true, &[])),
        udp(C4, BCAST, &bootp(1, 1, 6, true, &full)),
        udp(C4, BCAST, &bootp(1, 1, 6, true, &lease)),
        udp(C4, BCAST, &bootp(1, 1, 6, false, &[53, 1, 2, 0, 0, 255])),
        udp(C4, BCAST, &bootp(1, 1, 6, true, &[53, 1, 1])),
        udp(C4, BCAST, &bootp(1, 1, 6, true, &[53, 1, 1, 50, 4, 1])),
        udp(C4, BCAST, &bootp(1, 1, 6, true, &[53, 0, 255])),
        udp(C4, BCAST, &bootp(1, 1, 6, true, &[53, 2, 1, 5, 255])),
        udp(
            C4,
            BCAST,
            &bootp(1, 1, 6, true, &[53, 1, 1, 119, 4, 10, 0, 0, 7, 255]),
        ),
        udp(C4, BCAST, &bootp(1, 1, 6, true, &[])[..100]),
        udp(C4, BCAST, &[1]),
    ];
    for t in [2u8, 4, 5, 6, 7, 8, 0, 99] {
        pkts.push(udp(C4, BCAST, &bootp(1, 1, 6, true, &[53, 1, t, 255])));
    }
    let path = dir.path().join("dhcp.pcap");
    write_pcap(&path, &pkts);
    check(&path, DHCP_FIELDS);

    // DHCPv6 (over IPv4 here: tshark picks the dissector by port alone).
    let opt = |code: u16, v: &[u8]| {
        let mut o = code.to_be_bytes().to_vec();
        o.extend_from_slice(&(v.len() as u16).to_be_bytes());
        o.extend_from_slice(v);
        o
    };
    let cid = opt(1, &[0, 1, 0, 1, 0x32, 0xa8, 0xf3, 0xc9, 2, 0, 0, 0, 3, 2]);
    let mut ia_addr = vec![0xfd, 0, 0, 3];
    ia_addr.resize(15, 0);
    ia_addr.extend_from_slice(&[5, 0, 0, 0x0e, 0x10, 0, 0, 0x0e, 0x10]);
    let mut ia = vec![0, 0, 3, 2, 0, 0, 0x0e, 0x10, 0, 0, 0x15, 0x18];
    ia.extend_from_slice(&opt(5, &ia_addr));
    let ia = opt(3, &ia);
    let c6 = ([10, 0, 0, 2], 546);
    let s6 = ([10, 0, 0, 1], 547);
    let mut pkts = Vec::new();
    for t in 1..=21u8 {
        let mut m = vec![t, 1, 2, 3];
        m.extend_from_slice(&cid);
        m.extend_from_slice(&ia);
        pkts.push(udp(c6, s6, &m));
    }
    let mut inner = vec![1, 0xaa, 0xbb, 0xcc];
    inner.extend_from_slice(&cid);
    let mut relay = vec![12, 0];
    relay.extend_from_slice(&[0; 15]);
    relay.push(1);
    relay.extend_from_slice(&[0; 15]);
    relay.push(2);
    relay.extend_from_slice(&opt(9, &inner));
    pkts.push(udp(([10, 0, 0, 2], 547), s6, &relay));
    pkts.push(udp(c6, s6, &[1, 1]));
    pkts.push(udp(c6, s6, &[1, 1, 2, 3, 0, 1, 0, 20, 1]));
    let path = dir.path().join("dhcpv6.pcap");
    write_pcap(&path, &pkts);
    check(&path, DHCPV6_FIELDS);
}

#[test]
fn crafted_mail_and_ftp_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let client = |port| ([10, 0, 0, 2], port);
    let mut smtp = tcp_talk(
        client(40000),
        ([10, 0, 0, 1], 25),
        &[
            (false, b"220 mx ESMTP\r\n"),
            (true, b"EHLO pc\r\n"),
            (false, b"250-mx\r\n250-PIPELINING\r\n250 HELP\r\n"),
            (true, b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
            (false, b"250 OK\r\n250 Accepted\r\n"),
            (true, b"RCPT TO:<e"),
            (true, b"@f>\r\n"),
            (false, b"250 OK\r\n"),
            (true, b"DATA\r\n"),
            (false, b"354 go\r\n"),
            (
                true,
                b"From: A <a@b>\r\nTo: c@d\r\nSubject: hi there\r\n\r\nline one\r\n",
            ),
            (true, b"line two\r\n"),
            (true, b".\r\n"),
            (false, b"250 queued\r\n"),
            (true, b"NOOP\r\n"),
            (false, b"25"),
            (false, b"0 2.0.0 OK\r\n"),
            (true, b"AUTH LOGIN\r\n"),
            (false, b"334 VXNlcm5hbWU6\r\n"),
            (true, b"dXNlcg==\r\n"),
            (false, b"334 UGFzc3dvcmQ6\r\n"),
            (true, b"cGFzcw==\r\n"),
            (false, b"235 ok\r\n"),
            (true, b"AUTH LOGIN dXNlcg==\r\n"),
            (false, b"500 what\r\n"),
            (true, b"x\r\n"),
            (false, b"\r\n"),
            (true, b"quit\r\n"),
            (false, b"221 bye\r\n"),
        ],
    );
    for (port, mail) in [
        (41001, &[&b"Subject: x\r\n\r\nbody\r\n.\r\n"[..]][..]),
        (41002, &[b"Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n"]),
        (41003, &[b"Subject: x\r\n\r\nbody\r\n\r\n.\r\n"]),
        (41004, &[b"Subject: x\r\n\r\nbody\r\nab.\r\n"]),
        (41005, &[b"Subject: x\r\n\r\nbo", b"dy\r\n.\r\n"]),
        (41006, &[b"Subject: x\r\n\r\nbody", b"\r\n.\r\n"]),
        (41007, &[b"Subject: x\r\n\r\n.\r\n"]),
        (41008, &[b".\r\n"]),
    ] {
        let mut talk: Vec<(bool, &[u8])> = vec![(true, b"DATA\r\n"), (false, b"354 go\r\n")];
        talk.extend(mail.iter().map(|m| (true, *m)));
        smtp.extend(tcp_talk(client(port), ([10, 0, 0, 1], 25), &talk));
    }
    let path = dir.path().join("smtp.pcap");
    write_pcap(&path, &smtp);
    check(&path, SMTP_FIELDS);

    let server = ([10, 0, 0, 1], 21);
    let mut ftp = tcp_talk(
        client(40001),
        server,
        &[
            (false, b"220-Welcome\r\n220-second\r\n220 ready\r\n"),
            (true, b"USER anonymous\r\n"),
            (false, b"331 Please specify the password.\r\n"),
            (true, b"PASS x"),
            (true, b"@y\r\n"),
            (false, b"230 Login successful.\r\n"),
            (true, b"PORT 10,0,0,2,195,80\r\n"),
            (false, b"200 PORT command successful.\r\n"),
            (true, b"NLST\r\n"),
            (false, b"150 Here comes the directory listing.\r\n"),
        ],
    );
    ftp.extend(tcp_talk(
        client(50000),
        ([10, 0, 0, 1], 20),
        &[(false, b"a.txt\r\nb.txt\r\n")],
    ));
    ftp.extend(segments(
        client(40001),
        server,
        &[
            (false, b"226 Directory send OK.\r\n"),
            (true, b"EPSV\r\n"),
            (false, b"229 Entering Extended Passive Mode (|||50124|)\r\n"),
            (true, b"STOR up.bin\r\n"),
        ],
    ));
    ftp.extend(tcp_talk(
        client(40556),
        ([10, 0, 0, 1], 50124),
        &[(true, b"\x00\x01\x02")],
    ));
    let path = dir.path().join("ftp.pcap");
    write_pcap(&path, &ftp);
    check(&path, FTP_FIELDS);

    let pop = tcp_talk(
        client(40010),
        ([10, 0, 0, 1], 110),
        &[
            (false, b"+OK hi\r\n"),
            (true, b"USER a\r\n"),
            (false, b"-ERR no\r\n"),
            (true, b"RETR 1\r\n"),
            (false, b"+OK 50 octets\r\nFrom: a@b\r\n"),
            (false, b"Subject: s\r\n\r\nbody\r\n"),
            (false, b".\r\n"),
            (true, b"TOP 1 0\r\n"),
            (false, b"+OK\r\n"),
            (false, b"From: x\r\n\r\n.\r\n"),
            (true, b"RETR 2\r\n"),
            (false, b"+OK 27 octets\r\n"),
            (false, b"From: y\r\nSubject: t\r\n\r\n"),
            (false, b"hi\r\n.\r\n"),
            (true, b"NOOP"),
            (true, b"\r\n"),
            (false, b"+OK"),
            (false, b" fine\r\n"),
            (true, b"QUIT\r\n"),
            (false, b"+OK bye\r\n"),
        ],
    );
    let path = dir.path().join("pop.pcap");
    write_pcap(&path, &pop);
    check(&path, POP_FIELDS);

    let imap = tcp_talk(
        client(40011),
        ([10, 0, 0, 1], 143),
        &[
            (false, b"* OK ready\r\n"),
            (true, b"a1 LOGIN u \"pw\"\r\n"),
            (false, b"a1 OK done\r\n"),
            (true, b"a2 SELECT INBOX\r\n"),
            (false, b"* 2 EXISTS\r\na2 NO bad\r\n"),
            (true, b"a3 FETCH 1 BODY[]\r\n"),
            (
                false,
                b"* 1 FETCH (BODY[] {30}\r\nFrom: q@r\r\nSubject: z\r\n\r\nhi\r\n)\r\na3 OK\r\n",
            ),
            (true, b"a4 LOGOUT\r\n"),
            (false, b"* BYE\r\na4 OK LOGOUT\r\n"),
        ],
    );
    let path = dir.path().join("imap.pcap");
    write_pcap(&path, &imap);
    check(&path, IMAP_FIELDS);
}

//! Wireshark 4.0's names for DNS numbers: record types, classes, opcodes and reply codes.

use std::borrow::Cow;

/// A record type's short name (Info column) and long name (detail tree), if Wireshark has one.
pub fn type_names(t: u16) -> Option<(&'static str, &'static str)> {
    Some(match t {
        0 => ("Unused", "Unused"),
        1 => ("A", "A (Host Address)"),
        2 => ("NS", "NS (authoritative Name Server)"),
        3 => ("MD", "MD (Mail Destination)"),
        4 => ("MF", "MF (Mail Forwarder)"),
        5 => ("CNAME", "CNAME (Canonical NAME for an alias)"),
        6 => ("SOA", "SOA (Start Of a zone of Authority)"),
        7 => ("MB", "MB (MailBox domain name)"),
        8 => ("MG", "MG (Mail Group member)"),
        9 => ("MR", "MR (Mail Rename domain)"),
        10 => ("NULL", "NULL RR"),
        11 => ("WKS", "WKS (Well Known Service)"),
        12 => ("PTR", "PTR (domain name PoinTeR)"),
        13 => ("HINFO", "HINFO (host information)"),
        14 => ("MINFO", "MINFO (Mailbox or mail list information)"),
        15 => ("MX", "MX (Mail eXchange)"),
        16 => ("TXT", "TXT (Text strings)"),
        17 => ("RP", "RP (Responsible Person)"),
        18 => ("AFSDB", "AFSDB (AFS Data Base location)"),
        19 => ("X25", "X25 (XX.25 PSDN address)"),
        20 => ("ISDN", "ISDN (ISDN address)"),
        21 => ("RT", "RT (Route Through)"),
        22 => ("NSAP", "NSAP (NSAP address)"),
        23 => ("NSAP-PTR", "NSAP-PTR (NSAP domain name pointer)"),
        24 => ("SIG", "SIG (security signature)"),
        25 => ("KEY", "KEY (security key)"),
        26 => ("PX", "PX (X.400 mail mapping information)"),
        27 => ("GPOS", "GPOS (Geographical Position)"),
        28 => ("AAAA", "AAAA (IPv6 Address)"),
        29 => ("LOC", "LOC (Location Information)"),
        30 => ("NXT", "NXT (Next Domain)"),
        31 => ("EID", "EID (Endpoint Identifier)"),
        32 => ("NIMLOC", "NIMLOC (Nimrod Locator)"),
        33 => ("SRV", "SRV (Server Selection)"),
        34 => ("ATMA", "ATMA (ATM Address)"),
        35 => ("NAPTR", "NAPTR (Naming Authority Pointer)"),
        36 => ("KX", "KX (Key Exchanger)"),
        37 => ("CERT", "CERT"),
        38 => ("A6", "A6 (OBSOLETE - use AAAA)"),
        39 => ("DNAME", "DNAME"),
        40 => ("SINK", "SINK"),
        41 => ("OPT", "OPT"),
        42 => ("APL", "APL"),
        43 => ("DS", "DS (Delegation Signer)"),
        44 => ("SSHFP", "SSHFP (SSH Key Fingerprint)"),
        45 => ("IPSECKEY", "IPSECKEY"),
        46 => ("RRSIG", "RRSIG (Resource Record Signature)"),
        47 => ("NSEC", "NSEC (Next Secure)"),
        48 => ("DNSKEY", "DNSKEY (DNS Public Key)"),
        49 => ("DHCID", "DHCID"),
        50 => ("NSEC3", "NSEC3"),
        51 => ("NSEC3PARAM", "NSEC3PARAM"),
        52 => ("TLSA", "TLSA"),
        55 => ("HIP", "HIP (Host Identity Protocol)"),
        57 => ("RKEY", "RKEY"),
        58 => ("TALINK", "TALINK (Trust Anchor LINK)"),
        59 => ("CDS", "CDS (Child DS)"),
        60 => (
            "CDNSKEY",
            "CDNSKEY (DNSKEY(s) the Child wants reflected in DS)",
        ),
        61 => ("OPENPGPKEY", "OPENPGPKEY (OpenPGP Key)"),
        62 => ("CSYNC", "CSYNC (Child-to-Parent Synchronization)"),
        63 => ("ZONEMD", "ZONEMD"),
        64 => ("SVCB", "SVCB (General Purpose Service Endpoints)"),
        65 => ("HTTPS", "HTTPS (HTTPS Specific Service Endpoints)"),
        99 => ("SPF", "SPF"),
        100 => ("UINFO", "UINFO"),
        101 => ("UID", "UID"),
        102 => ("GID", "GID"),
        103 => ("UNSPEC", "UNSPEC"),
        104 => ("NID", "NID (NodeID)"),
        105 => ("L32", "L32 (Locator32)"),
        106 => ("L64", "L64 (Locator64)"),
        107 => ("LP", "LP (Locator FQDN)"),
        108 => ("EUI48", "EUI48"),
        109 => ("EUI64", "EUI64"),
        249 => ("TKEY", "TKEY (Transaction Key)"),
        250 => ("TSIG", "TSIG (Transaction Signature)"),
        251 => ("IXFR", "IXFR (incremental transfer)"),
        252 => ("AXFR", "AXFR (transfer of an entire zone)"),
        253 => ("MAILA", "MAILB (mailbox-related RRs)"),
        254 => ("MAILB", "MAILA (mail agent RRs)"),
        255 => (
            "ANY",
            "* (A request for all records the server/cache has available)",
        ),
        256 => ("URI", "URI"),
        257 => ("CAA", "CAA (Certification Authority Restriction)"),
        32768 => ("TA", "TA (DNSSEC Trust Authorities)"),
        32769 => ("DLV", "DLV (DNSSEC Lookaside Validation)"),
        65281 => ("WINS", "WINS"),
        65282 => ("WINS-R", "WINS-R"),
        _ => return None,
    })
}

/// The short name of type `t` as the Info column shows it (`A`, `Unknown (65000)`).
pub fn type_short(t: u16) -> Cow<'static, str> {
    match type_names(t) {
        Some((s, _)) => Cow::Borrowed(s),
        None => Cow::Owned(format!("Unknown ({t})")),
    }
}

/// The long name of type `t` as the detail tree shows it, number included
/// (`A (Host Address) (1)`, `Unknown (65000)`).
pub fn type_long(t: u16) -> String {
    match type_names(t) {
        Some((_, l)) => format!("{l} ({t})"),
        None => format!("Unknown ({t})"),
    }
}

/// A class's name (`IN`), `Unknown` when Wireshark has none.
pub fn class_name(c: u16) -> &'static str {
    match c {
        1 => "IN",
        2 => "CS",
        3 => "CH",
        4 => "HS",
        254 => "NONE",
        255 => "ANY",
        _ => "Unknown",
    }
}

/// An opcode's name (`Standard query`, `Unknown operation (7)`).
pub fn opcode_name(op: u16) -> Cow<'static, str> {
    match op {
        0 => "Standard query".into(),
        1 => "Inverse query".into(),
        2 => "Server status request".into(),
        4 => "Zone change notification".into(),
        5 => "Dynamic update".into(),
        6 => "DNS Stateful operations (DSO)".into(),
        _ => format!("Unknown operation ({op})").into(),
    }
}

/// A reply code's name (`No such name`, `Unknown error (12)`).
pub fn rcode_name(rc: u16) -> Cow<'static, str> {
    match rc {
        0 => "No error".into(),
        1 => "Format error".into(),
        2 => "Server failure".into(),
        3 => "No such name".into(),
        4 => "Not implemented".into(),
        5 => "Refused".into(),
        6 => "Name exists".into(),
        7 => "RRset exists".into(),
        8 => "RRset does not exist".into(),
        9 => "Not authoritative".into(),
        10 => "Name out of zone".into(),
        11 => "DSO-Type not implemented".into(),
        _ => format!("Unknown error ({rc})").into(),
    }
}

/// Seconds as Wireshark words a duration (`10 minutes`, `3 days, 11 hours, 20 minutes`).
pub fn time_secs(secs: u32) -> String {
    let parts = [
        (secs / 86400, "day"),
        (secs / 3600 % 24, "hour"),
        (secs / 60 % 60, "minute"),
        (secs % 60, "second"),
    ];
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}{}", if *n == 1 { "" } else { "s" }))
        .collect();
    if words.is_empty() {
        "0 seconds".into()
    } else {
        words.join(", ")
    }
}

/// A 16-bit flags word drawn as Wireshark draws one bit field: `.000 0... .... ....`.
pub fn bits16(value: u16, mask: u16) -> String {
    let mut s = String::with_capacity(19);
    for i in (0..16).rev() {
        let bit = 1u16 << i;
        s.push(if mask & bit == 0 {
            '.'
        } else if value & bit != 0 {
            '1'
        } else {
            '0'
        });
        if i % 4 == 0 && i != 0 {
            s.push(' ');
        }
    }
    s
}

//! Literal values: reading each kind (number, flag, address, CIDR block, MAC, string) from
//! filter text with a precise error, ordering them, and printing them back.

use std::cmp::Ordering;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::error::FilterError;
use super::field::{Field, FieldKind};
use super::lexer::{Tok, Token};

/// A literal value, already checked against the field it is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Literal {
    /// A number within the field's range.
    Int(u64),
    /// A flag value.
    Bool(bool),
    /// An address or, when `cidr`, a block: values match when their first `prefix` bits
    /// equal those of `addr`.
    Ip {
        /// The address as written.
        addr: IpAddr,
        /// Bits that must match: 32/128 for a plain address.
        prefix: u8,
        /// Was it written as a CIDR block (`/n`)?
        cidr: bool,
    },
    /// A MAC address.
    Mac([u8; 6]),
    /// A string.
    Str(String),
}

/// If `w` reads as a value, what kind it is and which field usually holds it.
pub(crate) fn classify_value(w: &str) -> Option<(&'static str, Option<&'static str>)> {
    let addr = w.split_once('/').map_or(w, |(a, _)| a);
    if addr.parse::<Ipv4Addr>().is_ok() {
        Some(("an IPv4 address", Some("ip.addr")))
    } else if addr.parse::<Ipv6Addr>().is_ok() {
        Some(("an IPv6 address", Some("ipv6.addr")))
    } else if parse_mac(w).is_some() {
        Some(("a MAC address", Some("eth.addr")))
    } else if w.starts_with(|c: char| c.is_ascii_digit()) {
        Some(("a value", None))
    } else {
        None
    }
}

/// Checks value token `v` against `field`'s kind. `allow_cidr` is false for orderings and
/// range bounds, where a block has no meaning.
pub(crate) fn parse_literal(
    field: Field,
    v: &Token<'_>,
    allow_cidr: bool,
) -> Result<Literal, FilterError> {
    let col = v.col;
    let name = field.name();
    let err = |m: String| Err(FilterError::new(col, m));
    let (text, quoted) = match &v.tok {
        Tok::Str(s) => (s.as_str(), true),
        _ => (v.text, false),
    };
    let kind = field.kind();
    if quoted && kind != FieldKind::Str {
        return err(format!(
            "{name} is {}, not a string: write {text} without quotes",
            kind.describe()
        ));
    }
    match kind {
        FieldKind::Str => Ok(Literal::Str(text.to_string())),
        FieldKind::Presence => err(format!("{name} has no value to compare")),
        FieldKind::Uint { max } => match parse_uint(text) {
            Ok(n) if n <= max => Ok(Literal::Int(n)),
            Ok(_) => err(format!("\"{text}\" is too big for {name} (maximum {max})")),
            Err(why) => {
                if text.contains("..") {
                    return err(format!(
                        "a range works only inside a set, e.g. {name} in {{{text}}}"
                    ));
                }
                match classify_value(text) {
                    Some((what, Some(_))) => {
                        err(format!("{name} is a number, but \"{text}\" is {what}"))
                    }
                    _ => err(format!("\"{text}\" is not a valid number{why}")),
                }
            }
        },
        FieldKind::Bool => {
            if text.eq_ignore_ascii_case("true") {
                return Ok(Literal::Bool(true));
            }
            if text.eq_ignore_ascii_case("false") {
                return Ok(Literal::Bool(false));
            }
            match parse_uint(text) {
                Ok(0) => Ok(Literal::Bool(false)),
                Ok(1) => Ok(Literal::Bool(true)),
                _ => err(format!(
                    "\"{text}\" is not a boolean value for {name} (use 1 or 0, true or false)"
                )),
            }
        }
        FieldKind::Ipv4 | FieldKind::Ipv6 => parse_ip_literal(field, text, col, allow_cidr),
        FieldKind::Mac => match parse_mac(text) {
            Some(m) => Ok(Literal::Mac(m)),
            None => match classify_value(text) {
                Some((what, Some(f))) if f != "eth.addr" => err(format!(
                    "{name} is a MAC address, but \"{text}\" is {what} (use {f})"
                )),
                _ => err(format!(
                    "\"{text}\" is not a MAC address (expected e.g. aa:bb:cc:dd:ee:ff)"
                )),
            },
        },
    }
}

fn parse_ip_literal(
    field: Field,
    text: &str,
    col: usize,
    allow_cidr: bool,
) -> Result<Literal, FilterError> {
    let v6 = field.kind() == FieldKind::Ipv6;
    let (addr_text, prefix_text) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let addr: Option<IpAddr> = if v6 {
        addr_text.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        addr_text.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
    };
    let Some(addr) = addr else {
        let name = field.name();
        let message = match (v6, classify_value(text)) {
            (false, Some((what, Some("ipv6.addr")))) => {
                format!("{name} holds IPv4 addresses, but \"{text}\" is {what} (use ipv6.addr)")
            }
            (true, Some((what, Some("ip.addr")))) => {
                format!("{name} holds IPv6 addresses, but \"{text}\" is {what} (use ip.addr)")
            }
            (_, Some((what, Some("eth.addr")))) => {
                format!("{name} holds IP addresses, but \"{text}\" is {what} (use eth.addr)")
            }
            (true, _) => format!(
                "\"{text}\" is not an IPv6 address (expected e.g. 2001:db8::1 or 2001:db8::/32)"
            ),
            (false, _) => format!(
                "\"{text}\" is not an IPv4 address ({})",
                ipv4_hint(addr_text)
            ),
        };
        return Err(FilterError::new(col, message));
    };
    let max: u8 = if v6 { 128 } else { 32 };
    let Some(p) = prefix_text else {
        return Ok(Literal::Ip {
            addr,
            prefix: max,
            cidr: false,
        });
    };
    let slash_col = col + addr_text.chars().count();
    let prefix = match p.parse::<u8>() {
        Ok(n) if n <= max && !p.starts_with('+') => n,
        _ => {
            return Err(FilterError::new(
                slash_col,
                format!("\"/{p}\" is not a prefix length (expected /0 to /{max})"),
            ));
        }
    };
    if !allow_cidr {
        return Err(FilterError::new(
            col,
            format!("a CIDR block such as \"{text}\" works only with ==, != and in"),
        ));
    }
    Ok(Literal::Ip {
        addr,
        prefix,
        cidr: true,
    })
}

/// "expected e.g. 10.0.3.1 or 10.0.3.0/24" for a truncated "10.0.3", a hint for four
/// numbers that are not octets, or a generic example.
fn ipv4_hint(text: &str) -> String {
    let octets: Vec<&str> = text.split('.').collect();
    let numeric =
        |o: &&str| !o.is_empty() && o.len() <= 10 && o.chars().all(|c| c.is_ascii_digit());
    if octets.len() == 4 && octets.iter().all(numeric) {
        if octets.iter().any(|o| o.parse::<u8>().is_err()) {
            return "each of the four numbers is 0 to 255".to_string();
        }
        return "write the numbers without leading zeros".to_string();
    }
    let valid = !octets.is_empty()
        && octets.len() < 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok());
    if !valid {
        return "expected e.g. 10.0.0.1 or 10.0.0.0/24".to_string();
    }
    let mut net: Vec<&str> = octets.clone();
    let mut host: Vec<&str> = octets.clone();
    while net.len() < 4 {
        net.push("0");
        host.push(if host.len() == 3 { "1" } else { "0" });
    }
    format!(
        "expected e.g. {} or {}/{}",
        host.join("."),
        net.join("."),
        octets.len() * 8
    )
}

/// Parses an unsigned integer as Wireshark does: decimal, `0x` hex, `0b` binary, or octal
/// when it starts with `0`. On failure, a hint to append to the message.
fn parse_uint(text: &str) -> Result<u64, &'static str> {
    let (digits, radix) = if let Some(h) = text.strip_prefix("0x").or(text.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = text.strip_prefix("0b").or(text.strip_prefix("0B")) {
        (b, 2)
    } else if text.len() > 1 && text.starts_with('0') {
        (text.get(1..).unwrap_or_default(), 8)
    } else {
        (text, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(match radix {
            8 if digits.chars().all(|c| c.is_ascii_digit()) => {
                " (a leading 0 means octal, as in Wireshark)"
            }
            _ if text.starts_with('-') => " (numbers here are never negative)",
            _ => " (expected e.g. 80, 0x50 or 0b1010)",
        });
    }
    u64::from_str_radix(digits, radix).map_err(|_| " (it does not fit in 64 bits)")
}

/// Parses `aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff` or `aabb.ccdd.eeff`.
fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let groups: Vec<&str> = if text.contains('.') {
        let g: Vec<&str> = text.split('.').collect();
        if g.len() != 3 || g.iter().any(|p| p.len() != 4) {
            return None;
        }
        g.iter()
            .flat_map(|p| [p.get(0..2), p.get(2..4)])
            .collect::<Option<Vec<&str>>>()?
    } else {
        let sep = if text.contains('-') { '-' } else { ':' };
        text.split(sep).collect()
    };
    if groups.len() != 6 {
        return None;
    }
    for (byte, g) in mac.iter_mut().zip(&groups) {
        if g.len() != 2 || !g.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        *byte = u8::from_str_radix(g, 16).ok()?;
    }
    Some(mac)
}

/// Orders two literals of the same kind (range bounds); `None` across kinds or families.
pub(crate) fn literal_cmp(a: &Literal, b: &Literal) -> Option<Ordering> {
    match (a, b) {
        (Literal::Int(x), Literal::Int(y)) => Some(x.cmp(y)),
        (Literal::Bool(x), Literal::Bool(y)) => Some(x.cmp(y)),
        (Literal::Ip { addr: x, .. }, Literal::Ip { addr: y, .. }) => match (x, y) {
            (IpAddr::V4(x), IpAddr::V4(y)) => Some(x.cmp(y)),
            (IpAddr::V6(x), IpAddr::V6(y)) => Some(x.cmp(y)),
            _ => None,
        },
        (Literal::Mac(x), Literal::Mac(y)) => Some(x.cmp(y)),
        (Literal::Str(x), Literal::Str(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Int(n) => write!(f, "{n}"),
            Literal::Bool(b) => write!(f, "{}", u8::from(*b)),
            Literal::Ip { addr, prefix, cidr } => {
                if *cidr {
                    write!(f, "{addr}/{prefix}")
                } else {
                    write!(f, "{addr}")
                }
            }
            Literal::Mac(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
            Literal::Str(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        c if c.is_ascii_control() => write!(f, "\\x{:02x}", u32::from(c))?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uint_radixes_follow_wireshark() {
        assert_eq!(parse_uint("80"), Ok(80));
        assert_eq!(parse_uint("0"), Ok(0));
        assert_eq!(parse_uint("0x50"), Ok(80));
        assert_eq!(parse_uint("0X50"), Ok(80));
        assert_eq!(parse_uint("0b1010"), Ok(10));
        assert_eq!(parse_uint("0100"), Ok(64));
        assert_eq!(parse_uint("010"), Ok(8));
        assert!(parse_uint("08").is_err());
        assert!(parse_uint("0x").is_err());
        assert!(parse_uint("1e2").is_err());
        assert!(parse_uint("-1").is_err());
        assert!(parse_uint("+1").is_err());
        assert!(parse_uint("18446744073709551616").is_err());
        assert_eq!(parse_uint("18446744073709551615"), Ok(u64::MAX));
    }

    #[test]
    fn mac_forms() {
        let m = [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];
        assert_eq!(parse_mac("aa:bb:cc:dd:ee:ff"), Some(m));
        assert_eq!(parse_mac("AA-BB-CC-DD-EE-FF"), Some(m));
        assert_eq!(parse_mac("aabb.ccdd.eeff"), Some(m));
        for bad in [
            "aa:bb:cc:dd:ee",
            "a:b:c:d:e:f",
            "aa:bb:cc:dd:ee:ff:00",
            "aa-bb:cc:dd:ee:ff",
            "gg:bb:cc:dd:ee:ff",
            "aab.bccdd.eeff",
            "é",
        ] {
            assert_eq!(parse_mac(bad), None, "{bad}");
        }
    }

    #[test]
    fn ipv4_hints_complete_the_prefix() {
        assert_eq!(ipv4_hint("10.0.3"), "expected e.g. 10.0.3.1 or 10.0.3.0/24");
        assert_eq!(ipv4_hint("10.0"), "expected e.g. 10.0.0.1 or 10.0.0.0/16");
        assert_eq!(ipv4_hint("10"), "expected e.g. 10.0.0.1 or 10.0.0.0/8");
        assert_eq!(ipv4_hint("foo"), "expected e.g. 10.0.0.1 or 10.0.0.0/24");
        assert_eq!(ipv4_hint("300.1"), "expected e.g. 10.0.0.1 or 10.0.0.0/24");
        assert_eq!(
            ipv4_hint("192.168.1.300"),
            "each of the four numbers is 0 to 255"
        );
        assert_eq!(
            ipv4_hint("10.0.0.01"),
            "write the numbers without leading zeros"
        );
    }
}

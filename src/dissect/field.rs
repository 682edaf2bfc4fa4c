//! Wireshark's fields: their names, types and the text `tshark -T fields` prints for them.

use std::fmt;
use std::net::IpAddr;

use super::Dissector;

/// The type of a field's value, which decides how filters compare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// An unsigned integer no larger than the given maximum (`FT_UINTn`).
    Uint(u64),
    /// A flag (`FT_BOOLEAN`).
    Bool,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A MAC address.
    Mac,
    /// Text.
    Str,
    /// Bytes (compared as their hex text).
    Bytes,
    /// Presence only (`FT_NONE`).
    None,
}

/// A field a dissector can set: its Wireshark name, type and protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldDef {
    /// Filter name, e.g. `"dns.qry.name"`.
    pub name: &'static str,
    /// Value type.
    pub kind: FieldType,
    /// The protocol it belongs to.
    pub proto: Dissector,
}

/// One value of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldVal {
    /// A number shown in decimal.
    Uint(u64),
    /// A number shown in hex with `width` digits (`0x180f`), as Wireshark's `BASE_HEX`.
    Hex(u64, u8),
    /// A flag, shown `1`/`0`.
    Bool(bool),
    /// Text.
    Str(String),
    /// An address.
    Ip(IpAddr),
    /// A MAC address.
    Mac([u8; 6]),
    /// Bytes, shown as hex digits without separators.
    Bytes(Vec<u8>),
    /// Presence only (`FT_NONE`), shown `1` by tshark.
    None,
}

impl fmt::Display for FieldVal {
    /// The text `tshark -T fields` prints for the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldVal::Uint(v) => write!(f, "{v}"),
            FieldVal::Hex(v, w) => write!(f, "0x{v:0width$x}", width = usize::from(*w)),
            FieldVal::Bool(b) => f.write_str(if *b { "1" } else { "0" }),
            FieldVal::Str(s) => f.write_str(s),
            FieldVal::Ip(a) => write!(f, "{a}"),
            FieldVal::Mac(m) => write!(f, "{}", crate::wire::MacDisplay(m)),
            FieldVal::Bytes(b) => {
                for x in b {
                    write!(f, "{x:02x}")?;
                }
                Ok(())
            }
            FieldVal::None => f.write_str("1"),
        }
    }
}

/// Every field any dissector sets.
pub fn field_defs() -> impl Iterator<Item = &'static FieldDef> {
    [
        super::dns::FIELDS,
        super::http::FIELDS,
        super::tls::FIELDS,
        super::dhcp::FIELDS,
        super::text::FIELDS,
        super::quic::FIELDS,
        super::simp::FIELDS,
    ]
    .into_iter()
    .flatten()
}

/// The field named `name`, if a dissector sets it.
pub fn field_def(name: &str) -> Option<&'static FieldDef> {
    field_defs().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tshark_text() {
        assert_eq!(FieldVal::Hex(0x180f, 4).to_string(), "0x180f");
        assert_eq!(FieldVal::Hex(0x100, 4).to_string(), "0x0100");
        assert_eq!(FieldVal::Bool(false).to_string(), "0");
        assert_eq!(FieldVal::Bytes(vec![0xde, 0xad]).to_string(), "dead");
        assert_eq!(
            FieldVal::Mac([0, 0x11, 0x22, 0x33, 0x44, 0xff]).to_string(),
            "00:11:22:33:44:ff"
        );
    }

    #[test]
    fn names_are_unique_and_belong_to_their_protocol() {
        let mut seen = std::collections::HashSet::new();
        for d in field_defs() {
            assert!(seen.insert(d.name), "{} registered twice", d.name);
        }
    }
}

//! The display filter: a Wireshark-style language to select frames, parsed once, checked
//! for types, then evaluated per frame without allocating.
//!
//! # Language
//!
//! A subset of Wireshark's display filters (`wireshark-filter(4)`), with the same meaning:
//!
//! - a protocol name alone is true when the frame has that layer: `eth`, `arp`, `ip`, `ipv6`,
//!   `icmp`, `icmpv6`, `tcp`, `udp`, `simp`; `frame` is always true;
//! - a field alone is true when present: `tcp.analysis.retransmission`. As in Wireshark,
//!   `tcp.flags.syn` alone is true for *every* TCP frame; write `tcp.flags.syn == 1`;
//! - comparisons `==  !=  <  <=  >  >=` (also `eq ne lt le gt ge`), and Wireshark's
//!   `===` (`all_eq`) and `!==` (`~=`, `any_ne`); `contains` for strings; `in {80, 443,
//!   8000..8080}` and `not in {...}`; `field & mask` (`bitwise_and`), optionally compared:
//!   `tcp.flags & 0x12 == 0x12`; a field may be compared with another of the same kind:
//!   `tcp.srcport < tcp.dstport`;
//! - values: integers (decimal, `0x` hex, `0b` binary, and, as in Wireshark, octal when
//!   written with a leading `0`: `010` is 8), IPv4/IPv6 addresses and CIDR blocks
//!   (`ip.addr == 10.0.3.0/24`), MAC addresses (`aa:bb:cc:dd:ee:ff`, `aa-bb-...`,
//!   `aabb.ccdd.eeff`), strings in double quotes (C escapes, `\xHH`, `\OOO`) or unquoted,
//!   and for flags `1`/`0` or `true`/`false` (any case);
//! - `and`/`&&`, `or`/`||`, `not`/`!` and parentheses; `not` binds tighter than `and`,
//!   which binds tighter than `or`. Keywords are lower-case, as in Wireshark.
//!
//! # Multi-valued fields
//!
//! `ip.addr`, `ipv6.addr`, `eth.addr`, `tcp.port` and `udp.port` hold both the source and
//! the destination (see [`Field::is_multi`]). Like Wireshark 3.6 and later, a test on them
//! is true when ANY value passes, except `!=`: `ip.addr != 10.0.0.1` means
//! `!(ip.addr == 10.0.0.1)` for frames that have the field, so it drops every packet to or
//! from 10.0.0.1. All comparisons (`!=` included) are false when the field is absent;
//! `!(ip.addr == 10.0.0.1)` is the form that also keeps frames without IPv4.
//!
//! # Checked at parse time
//!
//! Unknown names (with a "did you mean" suggestion), values of the wrong kind
//! (`ip.addr == 42`, `tcp.port == 10.0.0.1`), numbers too big for the field
//! (`ip.ttl == 300`), operators a field cannot take (`contains` on a number, any comparison
//! on a presence-only field or a protocol). Errors carry a 1-based char column; see
//! [`FilterError::render`].
//!
//! # Differences from Wireshark
//!
//! No hostnames, value names (`arp.opcode == request`), slices, functions or regular
//! expressions; a boolean compared with a number other than 0 or 1, and a CIDR block in an
//! ordering (`ip.addr > 10.0.0.0/8`), are errors rather than silently odd.
#![forbid(unsafe_code)]

mod error;
mod eval;
mod field;
mod lexer;
mod packet;
mod parser;
mod value;

use std::fmt;

pub use error::FilterError;
pub use field::{Field, FieldKind, FieldValue, Fields, Proto, field_names};

/// A parsed and type-checked display filter, ready to test frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    expr: parser::Expr,
}

impl Filter {
    /// Parses and checks filter text. An empty or blank filter matches every frame.
    pub fn parse(src: &str) -> Result<Filter, FilterError> {
        parser::parse(src).map(|expr| Filter { expr })
    }

    /// Does `frame` pass the filter? Allocates nothing.
    pub fn matches(&self, frame: &dyn Fields) -> bool {
        eval::eval(&self.expr, frame)
    }
}

impl fmt::Display for Filter {
    /// The filter in canonical Wireshark syntax (which parses back to the same filter),
    /// with explicit parentheses around nested `and`/`or`; `frame` for the empty filter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterError;

    fn from_str(s: &str) -> Result<Filter, FilterError> {
        Filter::parse(s)
    }
}

#[cfg(test)]
mod tests;

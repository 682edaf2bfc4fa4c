//! Evaluates a checked expression against one frame, without allocating.
//!
//! Every field test walks the field's values through [`Fields::each`] with a closure on the
//! stack and tallies what it saw; multi-valued aliases are read part by part
//! ([`Field::parts`]).

use std::cmp::Ordering;
use std::net::IpAddr;

use super::field::{Field, FieldKind, FieldValue, Fields};
use super::lexer::CmpOp;
use super::parser::{Expr, Rhs, SetItem};
use super::value::Literal;

/// Is `expr` true for `frame`?
pub(crate) fn eval(expr: &Expr, frame: &dyn Fields) -> bool {
    match expr {
        Expr::True => true,
        Expr::Proto(p) => frame.has(*p),
        Expr::Present(field) => {
            let mut seen = false;
            each(frame, *field, &mut |_| seen = true);
            seen
        }
        Expr::Cmp {
            field,
            op,
            rhs: Rhs::Lit(lit),
        } => {
            let mut tally = Tally::new(*op);
            let kind = field.kind();
            each(frame, *field, &mut |v| {
                if let Some(ord) = relate(kind, v, lit) {
                    tally.add(ord);
                }
            });
            tally.verdict()
        }
        Expr::Cmp {
            field,
            op,
            rhs: Rhs::Field(other),
        } => {
            let mut tally = Tally::new(*op);
            let kind = field.kind();
            each(frame, *field, &mut |a| {
                each(frame, *other, &mut |b| {
                    if let Some(ord) = relate_values(kind, a, b) {
                        tally.add(ord);
                    }
                });
            });
            tally.verdict()
        }
        Expr::BitAnd { field, mask, cmp } => match cmp {
            None => {
                let mut hit = false;
                each(frame, *field, &mut |v| {
                    hit |= as_uint(v).is_some_and(|n| n & mask != 0);
                });
                hit
            }
            Some((op, want)) => {
                let mut tally = Tally::new(*op);
                each(frame, *field, &mut |v| {
                    if let Some(n) = as_uint(v) {
                        tally.add((n & mask).cmp(want));
                    }
                });
                tally.verdict()
            }
        },
        Expr::In { field, items } => {
            let mut hit = false;
            let kind = field.kind();
            each(frame, *field, &mut |v| {
                hit = hit || items.iter().any(|item| in_item(kind, v, item));
            });
            hit
        }
        Expr::Contains { field, needle } => {
            let mut hit = false;
            each(frame, *field, &mut |v| {
                hit = hit || matches!(v, FieldValue::Str(s) if s.contains(needle.as_str()));
            });
            hit
        }
        Expr::Not(e) => !eval(e, frame),
        Expr::And(all) => all.iter().all(|e| eval(e, frame)),
        Expr::Or(all) => all.iter().any(|e| eval(e, frame)),
    }
}

/// Calls `f` for every value of every part of `field`.
fn each(frame: &dyn Fields, field: Field, f: &mut dyn FnMut(FieldValue<'_>)) {
    if let Field::App(_) = field {
        frame.each(field, f);
        return;
    }
    for part in field.parts() {
        frame.each(*part, f);
    }
}

/// What a comparison has seen so far, over all values (or value pairs) of its field.
struct Tally {
    op: CmpOp,
    /// Some value had the right type.
    present: bool,
    /// Some value satisfied the operator's per-value test.
    hit: bool,
    /// Every value was equal.
    all_equal: bool,
}

impl Tally {
    fn new(op: CmpOp) -> Tally {
        Tally {
            op,
            present: false,
            hit: false,
            all_equal: true,
        }
    }

    /// Records one value's ordering relative to the right-hand side.
    fn add(&mut self, ord: Ordering) {
        self.present = true;
        self.all_equal &= ord == Ordering::Equal;
        self.hit |= match self.op {
            CmpOp::Eq | CmpOp::Ne | CmpOp::AllEq => ord == Ordering::Equal,
            CmpOp::AnyNe => ord != Ordering::Equal,
            CmpOp::Lt => ord == Ordering::Less,
            CmpOp::Le => ord != Ordering::Greater,
            CmpOp::Gt => ord == Ordering::Greater,
            CmpOp::Ge => ord != Ordering::Less,
        };
    }

    /// Wireshark's rule: `!=` is "present and none equal", `===` is "present and all
    /// equal", every other operator is "some value satisfies it".
    fn verdict(&self) -> bool {
        match self.op {
            CmpOp::Ne => self.present && !self.hit,
            CmpOp::AllEq => self.present && self.all_equal,
            _ => self.hit,
        }
    }
}

/// A number or flag value as an integer (flags are 0 or 1).
fn as_uint(v: FieldValue<'_>) -> Option<u64> {
    match v {
        FieldValue::Int(n) => Some(n),
        FieldValue::Bool(b) => Some(u64::from(b)),
        _ => None,
    }
}

/// A flag value as a bool (a number is true when non-zero).
fn as_bool(v: FieldValue<'_>) -> Option<bool> {
    match v {
        FieldValue::Int(n) => Some(n != 0),
        FieldValue::Bool(b) => Some(b),
        _ => None,
    }
}

/// How value `v` of a field of `kind` relates to `lit`; `Equal` for an address inside a
/// CIDR block. `None` when the value has the wrong type for the literal.
fn relate(kind: FieldKind, v: FieldValue<'_>, lit: &Literal) -> Option<Ordering> {
    match lit {
        Literal::Int(n) => as_uint(v).map(|x| x.cmp(n)),
        Literal::Bool(b) => as_bool(v).map(|x| x.cmp(b)),
        Literal::Ip { addr, prefix, .. } => match v {
            FieldValue::Ip(x) => ip_relate(x, *addr, *prefix),
            _ => None,
        },
        Literal::Mac(m) => match v {
            FieldValue::Mac(x) => Some(x.cmp(m)),
            _ => None,
        },
        Literal::Str(s) => match v {
            FieldValue::Str(x) if kind == FieldKind::Str => Some(x.cmp(s.as_str())),
            _ => None,
        },
    }
}

/// Orders `x` against the block `net/prefix`: `Equal` when inside it.
fn ip_relate(x: IpAddr, net: IpAddr, prefix: u8) -> Option<Ordering> {
    match (x, net) {
        (IpAddr::V4(x), IpAddr::V4(n)) => {
            let keep = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            Some((u32::from(x) & keep).cmp(&(u32::from(n) & keep)))
        }
        (IpAddr::V6(x), IpAddr::V6(n)) => {
            let keep = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            Some((u128::from(x) & keep).cmp(&(u128::from(n) & keep)))
        }
        _ => None,
    }
}

/// How two values of fields of the same (compatible) kind relate.
fn relate_values(kind: FieldKind, a: FieldValue<'_>, b: FieldValue<'_>) -> Option<Ordering> {
    match kind {
        FieldKind::Bool => Some(as_bool(a)?.cmp(&as_bool(b)?)),
        FieldKind::Uint { .. } => Some(as_uint(a)?.cmp(&as_uint(b)?)),
        _ => match (a, b) {
            (FieldValue::Ip(IpAddr::V4(x)), FieldValue::Ip(IpAddr::V4(y))) => Some(x.cmp(&y)),
            (FieldValue::Ip(IpAddr::V6(x)), FieldValue::Ip(IpAddr::V6(y))) => Some(x.cmp(&y)),
            (FieldValue::Mac(x), FieldValue::Mac(y)) => Some(x.cmp(&y)),
            (FieldValue::Str(x), FieldValue::Str(y)) => Some(x.cmp(y)),
            _ => None,
        },
    }
}

/// Does value `v` match a set member?
fn in_item(kind: FieldKind, v: FieldValue<'_>, item: &SetItem) -> bool {
    match item {
        SetItem::One(lit) => relate(kind, v, lit) == Some(Ordering::Equal),
        SetItem::Range(lo, hi) => {
            matches!(
                relate(kind, v, lo),
                Some(Ordering::Equal | Ordering::Greater)
            ) && matches!(relate(kind, v, hi), Some(Ordering::Equal | Ordering::Less))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn cidr_membership() {
        let v4 = |s: &str| IpAddr::V4(s.parse::<Ipv4Addr>().unwrap());
        let net = v4("10.0.3.0");
        assert_eq!(ip_relate(v4("10.0.3.200"), net, 24), Some(Ordering::Equal));
        assert_eq!(ip_relate(v4("10.0.4.1"), net, 24), Some(Ordering::Greater));
        assert_eq!(ip_relate(v4("10.0.2.255"), net, 24), Some(Ordering::Less));
        assert_eq!(ip_relate(v4("1.2.3.4"), net, 0), Some(Ordering::Equal));
        assert_eq!(ip_relate(v4("10.0.3.1"), net, 32), Some(Ordering::Greater));
        let v6 = |s: &str| IpAddr::V6(s.parse::<Ipv6Addr>().unwrap());
        assert_eq!(
            ip_relate(v6("fe80::1"), v6("fe80::"), 10),
            Some(Ordering::Equal)
        );
        assert_eq!(ip_relate(v6("::1"), v6("::"), 0), Some(Ordering::Equal));
        assert_eq!(ip_relate(v6("::1"), v6("::1"), 128), Some(Ordering::Equal));
        assert_eq!(ip_relate(v6("::1"), net, 0), None);
    }

    #[test]
    fn tally_rules() {
        use Ordering::{Equal, Greater, Less};
        let verdict = |op, ords: &[Ordering]| {
            let mut t = Tally::new(op);
            ords.iter().for_each(|o| t.add(*o));
            t.verdict()
        };
        // (op, values' orderings, expected)
        let table: &[(CmpOp, &[Ordering], bool)] = &[
            (CmpOp::Eq, &[Less, Equal], true),
            (CmpOp::Eq, &[Less, Greater], false),
            (CmpOp::Eq, &[], false),
            (CmpOp::Ne, &[Less, Equal], false),
            (CmpOp::Ne, &[Less, Greater], true),
            (CmpOp::Ne, &[], false),
            (CmpOp::AllEq, &[Equal, Equal], true),
            (CmpOp::AllEq, &[Equal, Less], false),
            (CmpOp::AllEq, &[], false),
            (CmpOp::AnyNe, &[Equal, Less], true),
            (CmpOp::AnyNe, &[Equal, Equal], false),
            (CmpOp::AnyNe, &[], false),
            (CmpOp::Lt, &[Greater, Less], true),
            (CmpOp::Lt, &[Greater, Equal], false),
            (CmpOp::Le, &[Greater, Equal], true),
            (CmpOp::Le, &[Greater], false),
            (CmpOp::Gt, &[Less, Greater], true),
            (CmpOp::Gt, &[Less, Equal], false),
            (CmpOp::Ge, &[Less, Equal], true),
            (CmpOp::Ge, &[Less], false),
        ];
        for (op, ords, want) in table {
            assert_eq!(verdict(*op, ords), *want, "{op:?} {ords:?}");
        }
    }
}

//! TCP sequence numbers: a `u32` newtype whose arithmetic wraps at 2^32 and whose
//! ordering is the serial-number comparison TCP (and Wireshark) use.
//!
//! The comparisons are named methods rather than `PartialOrd`, because the wrapping order
//! is not a real order: two numbers exactly 2^31 apart are each "before" the other, just
//! as with Wireshark's `LT_SEQ`/`GT_SEQ` macros, which [`crate::analyse::tcp`] mirrors.

use std::fmt;
use std::ops::{Add, Sub};

/// A 32-bit TCP sequence (or acknowledgement) number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SeqNumber(pub u32);

impl SeqNumber {
    /// `self` comes strictly after `other`: `(self - other) as i32 > 0` (Wireshark `GT_SEQ`).
    pub fn is_after(self, other: SeqNumber) -> bool {
        (self.0.wrapping_sub(other.0) as i32) > 0
    }

    /// `self` comes strictly before `other`: `(self - other) as i32 < 0` (Wireshark `LT_SEQ`).
    pub fn is_before(self, other: SeqNumber) -> bool {
        (self.0.wrapping_sub(other.0) as i32) < 0
    }

    /// `self` is at or before `other`: `(self - other) as i32 <= 0` (Wireshark `LE_SEQ`).
    pub fn is_at_or_before(self, other: SeqNumber) -> bool {
        (self.0.wrapping_sub(other.0) as i32) <= 0
    }

    /// The raw value is 0, which Wireshark's analysis state uses to mean "unknown".
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<u32> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, rhs: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_add(rhs))
    }
}

impl Sub<u32> for SeqNumber {
    type Output = SeqNumber;
    fn sub(self, rhs: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(rhs))
    }
}

impl Sub<SeqNumber> for SeqNumber {
    /// The distance from `rhs` to `self`, modulo 2^32.
    type Output = u32;
    fn sub(self, rhs: SeqNumber) -> u32 {
        self.0.wrapping_sub(rhs.0)
    }
}

impl fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::SeqNumber as S;

    #[test]
    fn arithmetic_wraps() {
        assert_eq!(S(u32::MAX) + 1, S(0));
        assert_eq!(S(0) - 1, S(u32::MAX));
        assert_eq!(S(5) - S(u32::MAX), 6);
    }

    #[test]
    fn ordering_across_the_wrap() {
        assert!(S(1).is_after(S(u32::MAX)));
        assert!(S(u32::MAX).is_before(S(1)));
        assert!(!S(7).is_after(S(7)));
        assert!(S(7).is_at_or_before(S(7)));
        assert!(!S(8).is_at_or_before(S(7)));
    }

    #[test]
    fn half_way_is_before_both_ways_like_wireshark() {
        // (a - b) as i32 == i32::MIN for both orders: Wireshark's LT_SEQ holds both ways.
        let (a, b) = (S(0), S(1 << 31));
        assert!(a.is_before(b) && b.is_before(a));
        assert!(!a.is_after(b) && !b.is_after(a));
    }
}

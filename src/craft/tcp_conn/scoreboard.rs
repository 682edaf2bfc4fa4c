//! What the peer said it holds beyond the cumulative ACK: the SACK blocks of RFC 2018, kept
//! as a small scoreboard (RFC 6675) so that recovery resends the holes and nothing the peer
//! already has.
//!
//! Ranges are kept as offsets from SND.UNA, so the 32-bit wrap never matters here, and every
//! block is checked against what was really sent: a hostile peer cannot make the sender skip
//! data it never acknowledged with its cumulative ACK (skipped data is only ever skipped for
//! now: it stays in the send buffer until the cumulative ACK covers it).

use crate::wire::seq::SeqNumber;

/// Most ranges kept (RFC 2018 sends at most 4 per segment; a few more cover reordering).
pub const MAX_RANGES: usize = 16;

/// SACKed ranges above SND.UNA.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scoreboard {
    /// SND.UNA the offsets are relative to.
    base: SeqNumber,
    /// Disjoint, sorted `[start, end)` offsets from `base`.
    ranges: Vec<(u32, u32)>,
}

impl Scoreboard {
    /// An empty scoreboard at `una`.
    pub fn new(una: SeqNumber) -> Self {
        Scoreboard {
            base: una,
            ranges: Vec::new(),
        }
    }

    /// True when nothing is SACKed.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Forgets everything (a new connection state, or a peer that reneged).
    pub fn clear(&mut self) {
        self.ranges.clear();
    }

    /// Moves the base to a new SND.UNA, dropping what it covers.
    pub fn advance(&mut self, una: SeqNumber) {
        let delta = una - self.base;
        self.base = una;
        if delta == 0 {
            return;
        }
        self.ranges.retain_mut(|(s, e)| {
            if *e <= delta {
                return false;
            }
            *s = s.saturating_sub(delta);
            *e -= delta;
            true
        });
    }

    /// Adds the block `[left, right)` if it lies between SND.UNA (`self.base`) and `max` (one
    /// past the highest byte sent); returns false when it was refused.
    pub fn add(&mut self, left: SeqNumber, right: SeqNumber, max: SeqNumber) -> bool {
        let flight = max - self.base;
        let (l, r) = (left - self.base, right - self.base);
        if l == 0 || l >= r || r > flight {
            return false;
        }
        self.ranges.push((l, r));
        self.ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(self.ranges.len());
        for &(s, e) in &self.ranges {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        // Bounded: keep the lowest ranges (the ones recovery needs first).
        merged.truncate(MAX_RANGES);
        self.ranges = merged;
        true
    }

    /// If `seq` is SACKed, the end of its range.
    pub fn sacked_until(&self, seq: SeqNumber) -> Option<SeqNumber> {
        let off = seq - self.base;
        self.ranges
            .iter()
            .find(|&&(s, e)| s <= off && off < e)
            .map(|&(_, e)| self.base + e)
    }

    /// How many bytes from `seq` are not SACKed, up to the next SACKed range (`None`: no range
    /// follows).
    pub fn gap_after(&self, seq: SeqNumber) -> Option<u32> {
        let off = seq - self.base;
        self.ranges
            .iter()
            .find(|&&(s, _)| s > off)
            .map(|&(s, _)| s - off)
    }

    /// Bytes SACKed between SND.UNA and `seq`.
    pub fn sacked_below(&self, seq: SeqNumber) -> u32 {
        let off = seq - self.base;
        self.ranges
            .iter()
            .map(|&(s, e)| e.min(off).saturating_sub(s))
            .sum()
    }

    /// One past the highest SACKed byte.
    pub fn highest(&self) -> Option<SeqNumber> {
        self.ranges.last().map(|&(_, e)| self.base + e)
    }

    /// The first byte at or after `from` that is not SACKed but lies below the highest SACKed
    /// byte (a hole the peer reported), with the hole's length.
    pub fn next_hole(&self, from: SeqNumber) -> Option<(SeqNumber, u32)> {
        let high = self.ranges.last()?.1;
        let mut off = (from - self.base).min(high);
        // Bounded: each turn moves past one range.
        for _ in 0..=self.ranges.len() {
            match self.ranges.iter().find(|&&(s, e)| s <= off && off < e) {
                Some(&(_, e)) => off = e,
                None => break,
            }
        }
        if off >= high {
            return None;
        }
        let next = self
            .ranges
            .iter()
            .find(|&&(s, _)| s > off)
            .map_or(high, |&(s, _)| s);
        Some((self.base + off, next - off))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    #[test]
    fn blocks_are_checked_merged_and_advanced() {
        let mut b = Scoreboard::new(s(1000));
        // Outside what was sent, at SND.UNA, or empty: refused.
        assert!(!b.add(s(1000), s(1100), s(5000)));
        assert!(!b.add(s(4000), s(6000), s(5000)));
        assert!(!b.add(s(2000), s(2000), s(5000)));
        assert!(!b.add(s(900), s(1100), s(5000)));
        assert!(b.add(s(2000), s(3000), s(5000)));
        assert!(b.add(s(3000), s(3500), s(5000)));
        assert!(b.add(s(4000), s(4500), s(5000)));
        assert_eq!(b.sacked_until(s(2500)), Some(s(3500)));
        assert_eq!(b.sacked_until(s(1500)), None);
        assert_eq!(b.gap_after(s(1000)), Some(1000));
        assert_eq!(b.highest(), Some(s(4500)));
        assert_eq!(b.sacked_below(s(3200)), 1200);
        assert_eq!(b.sacked_below(s(9000)), 2000);
        assert_eq!(b.next_hole(s(1000)), Some((s(1000), 1000)));
        assert_eq!(b.next_hole(s(2000)), Some((s(3500), 500)));
        assert_eq!(b.next_hole(s(4000)), None);
        b.advance(s(3200));
        assert_eq!(b.sacked_until(s(3200)), Some(s(3500)));
        assert_eq!(b.next_hole(s(3200)), Some((s(3500), 500)));
        b.advance(s(4500));
        assert!(b.is_empty());
    }

    #[test]
    fn wraps_around_2_to_the_32() {
        let mut b = Scoreboard::new(s(u32::MAX - 100));
        assert!(b.add(s(u32::MAX - 50), s(20), s(1000)));
        assert_eq!(
            b.next_hole(s(u32::MAX - 100)),
            Some((s(u32::MAX - 100), 50))
        );
        assert_eq!(b.highest(), Some(s(20)));
    }
}

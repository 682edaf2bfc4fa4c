//! The receive side's byte stream: data delivered in order, segments that arrived early kept
//! until the gap before them is filled, and the SACK blocks (RFC 2018) that describe them.
//!
//! Positions are stream offsets (`u64`, byte 0 = the first byte after the peer's SYN), so the
//! 32-bit sequence wrap never reaches this module. Early segments are bounded in number and in
//! bytes: a hostile peer cannot make it grow without limit.

use std::collections::BTreeMap;

/// Most early segments kept at once.
pub const MAX_SEGMENTS: usize = 256;

/// In-order data not yet read, and early segments.
#[derive(Debug, Clone, Default)]
pub struct Assembler {
    /// Delivered, not yet read by the application.
    unread: Vec<u8>,
    /// Offset of the next byte expected in order.
    next: u64,
    /// Early segments by start offset.
    early: BTreeMap<u64, Vec<u8>>,
    early_bytes: usize,
    /// The early segment received last (the first SACK block reports it).
    last_early: Option<(u64, u64)>,
    /// Bytes delivered in order so far.
    delivered: u64,
}

/// What [`Assembler::add`] did with a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Some bytes were new and in order (the count, early segments they joined included).
    InOrder(usize),
    /// The bytes were kept for later: there is a gap before them.
    Early,
    /// Nothing new (a duplicate), or no room to keep it.
    Nothing,
}

impl Assembler {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Offset of the next byte expected in order.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Bytes received in order and not yet read.
    pub fn unread(&self) -> &[u8] {
        &self.unread
    }

    /// Marks `n` unread bytes as read.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.unread.len());
        self.unread.drain(..n);
    }

    /// Bytes delivered in order since the start.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Bytes held in early segments.
    pub fn early_bytes(&self) -> usize {
        self.early_bytes
    }

    /// True when early segments are waiting for a gap to be filled.
    pub fn has_early(&self) -> bool {
        !self.early.is_empty()
    }

    /// Adds `data` found at stream offset `at`; at most `limit` bytes past [`Assembler::next`]
    /// are taken (the receive window), the rest is dropped.
    pub fn add(&mut self, at: u64, data: &[u8], limit: u64) -> Added {
        let end_limit = self.next.saturating_add(limit);
        let end = at.saturating_add(data.len() as u64).min(end_limit);
        if end <= self.next || at >= end {
            return Added::Nothing;
        }
        // Drop what was already delivered.
        let skip = self.next.saturating_sub(at);
        let start = at.max(self.next);
        let Some(bytes) = usize::try_from(skip)
            .ok()
            .zip(usize::try_from(end - start).ok())
            .and_then(|(s, n)| data.get(s..s + n))
        else {
            return Added::Nothing;
        };
        if start > self.next {
            return self.keep_early(start, bytes);
        }
        let before = self.unread.len();
        self.unread.extend_from_slice(bytes);
        self.next = end;
        self.pull_early();
        let n = self.unread.len() - before;
        self.delivered += n as u64;
        Added::InOrder(n)
    }

    fn keep_early(&mut self, start: u64, bytes: &[u8]) -> Added {
        let end = start + bytes.len() as u64;
        if let Some(old) = self.early.get(&start)
            && old.len() >= bytes.len()
        {
            self.last_early = Some((start, start + old.len() as u64));
            return Added::Nothing;
        }
        if self.early.len() >= MAX_SEGMENTS && !self.early.contains_key(&start) {
            return Added::Nothing;
        }
        if let Some(old) = self.early.insert(start, bytes.to_vec()) {
            self.early_bytes -= old.len();
        }
        self.early_bytes += bytes.len();
        self.last_early = Some((start, end));
        Added::Early
    }

    /// Moves early segments that now touch the in-order data into it.
    fn pull_early(&mut self) {
        while let Some(entry) = self.early.first_entry() {
            let start = *entry.key();
            if start > self.next {
                break;
            }
            let bytes = entry.remove();
            self.early_bytes -= bytes.len();
            let end = start + bytes.len() as u64;
            if end > self.next {
                let skip = (self.next - start) as usize;
                self.unread.extend_from_slice(&bytes[skip..]);
                self.next = end;
            }
        }
        if self.early.is_empty() {
            self.last_early = None;
        }
    }

    /// The early data as up to `max` SACK ranges `[start, end)` of stream offsets: the one
    /// holding the segment received last first (RFC 2018 section 4), then the others in order.
    pub fn sack_ranges(&self, max: usize) -> Vec<(u64, u64)> {
        let mut merged: Vec<(u64, u64)> = Vec::new();
        for (&start, bytes) in &self.early {
            let end = start + bytes.len() as u64;
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        if let Some((s, _)) = self.last_early
            && let Some(i) = merged.iter().position(|&(a, b)| a <= s && s < b)
        {
            let first = merged.remove(i);
            merged.insert(0, first);
        }
        merged.truncate(max);
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_early_and_duplicate_segments() {
        let mut a = Assembler::new();
        assert_eq!(a.add(0, b"hello", 100), Added::InOrder(5));
        assert_eq!(a.add(7, b"world", 100), Added::Early);
        assert_eq!(a.add(7, b"wor", 100), Added::Nothing);
        assert_eq!(a.sack_ranges(3), [(7, 12)]);
        // The gap is filled (overlapping both sides): everything comes out once, in order.
        assert_eq!(a.add(3, b"lo, wo", 100), Added::InOrder(7));
        assert_eq!(a.unread(), b"hello, world");
        assert!(!a.has_early() && a.early_bytes() == 0);
        assert_eq!(a.add(0, b"hello", 100), Added::Nothing);
        a.consume(7);
        assert_eq!(a.unread(), b"world");
        assert_eq!((a.next(), a.delivered()), (12, 12));
    }

    #[test]
    fn the_window_limit_is_respected() {
        let mut a = Assembler::new();
        assert_eq!(a.add(0, b"abcdef", 4), Added::InOrder(4));
        assert_eq!(a.add(9, b"xyz", 4), Added::Nothing);
        assert_eq!(a.unread(), b"abcd");
    }

    #[test]
    fn sack_blocks_report_the_latest_first() {
        let mut a = Assembler::new();
        a.add(10, b"aa", 1000);
        a.add(20, b"bb", 1000);
        a.add(12, b"cc", 1000); // joins the first range
        a.add(30, b"dd", 1000);
        a.add(14, b"e", 1000);
        assert_eq!(a.sack_ranges(3), [(10, 15), (20, 22), (30, 32)]);
        a.add(40, b"f", 1000);
        assert_eq!(a.sack_ranges(3), [(40, 41), (10, 15), (20, 22)]);
    }

    #[test]
    fn early_segments_are_bounded() {
        let mut a = Assembler::new();
        for i in 0..(MAX_SEGMENTS as u64 + 10) {
            a.add(10 + 2 * i, b"x", 1 << 20);
        }
        assert_eq!(a.early_bytes(), MAX_SEGMENTS);
    }
}

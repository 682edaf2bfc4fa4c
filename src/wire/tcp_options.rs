//! The TCP options (RFC 9293 3.1, RFC 7323, RFC 2018): the one reader of option bytes in
//! the crate, on etherparse's option iterator.
//!
//! [`iter`] walks the options in wire order with each one's byte range (the Info column and
//! the details list them in order); [`parse`] folds them into a fixed-size [`TcpOptions`]
//! (MSS, window scale, SACK-permitted, SACK blocks, timestamps), what a TCP endpoint acts on.
//! [`crate::wire::tcp::TcpRepr`] keeps both the option byte range and these values; it
//! parses them and emits them, so the builder and the decoder share one type.

use std::ops::Range;

use etherparse::{TcpOptionElement, TcpOptionsIterator};

/// Up to four SACK blocks (RFC 2018), as `(left edge, right edge)` raw sequence numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SackBlocks {
    blocks: [(u32, u32); 4],
    len: u8,
}

impl SackBlocks {
    /// Appends a block; returns false (and keeps the list) when four are already there.
    pub fn push(&mut self, left: u32, right: u32) -> bool {
        match self.blocks.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = (left, right);
                self.len += 1;
                true
            }
            None => false,
        }
    }

    /// The blocks, in the order they were given.
    pub fn as_slice(&self) -> &[(u32, u32)] {
        &self.blocks[..usize::from(self.len).min(4)]
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The options of one TCP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpOptions {
    /// Maximum segment size (SYN only).
    pub mss: Option<u16>,
    /// Window scale shift (SYN only).
    pub window_scale: Option<u8>,
    /// SACK permitted (SYN only).
    pub sack_permitted: bool,
    /// Timestamps: (TSval, TSecr).
    pub timestamps: Option<(u32, u32)>,
    /// SACK blocks.
    pub sack: SackBlocks,
}

/// Why option bytes could not be read to the end (what was read before stays valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError(pub String);

/// One TCP option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpOption {
    /// No-operation (padding between options).
    Nop,
    /// Maximum segment size.
    Mss(u16),
    /// Window scale shift.
    WindowScale(u8),
    /// SACK permitted.
    SackPermitted,
    /// SACK blocks.
    Sack(SackBlocks),
    /// Timestamps: (TSval, TSecr).
    Timestamps(u32, u32),
}

/// The options of a header's option bytes in wire order, each with its byte range relative
/// to the start of the option bytes; a malformed option is the last item.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    it: TcpOptionsIterator<'a>,
    pos: usize,
    done: bool,
}

/// Walks the option bytes of a TCP header (see [`Iter`]).
pub fn iter(bytes: &[u8]) -> Iter<'_> {
    Iter {
        it: TcpOptionsIterator::from_slice(bytes),
        pos: 0,
        done: false,
    }
}

impl Iterator for Iter<'_> {
    type Item = (Range<usize>, Result<TcpOption, OptionsError>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let before = self.it.rest().len();
        let opt = self.it.next()?;
        let used = before - self.it.rest().len();
        let range = self.pos..self.pos + used;
        self.pos += used;
        let opt = match opt {
            Ok(TcpOptionElement::Noop) => Ok(TcpOption::Nop),
            Ok(TcpOptionElement::MaximumSegmentSize(m)) => Ok(TcpOption::Mss(m)),
            Ok(TcpOptionElement::WindowScale(s)) => Ok(TcpOption::WindowScale(s)),
            Ok(TcpOptionElement::SelectiveAcknowledgementPermitted) => Ok(TcpOption::SackPermitted),
            Ok(TcpOptionElement::Timestamp(val, ecr)) => Ok(TcpOption::Timestamps(val, ecr)),
            Ok(TcpOptionElement::SelectiveAcknowledgement(first, rest)) => {
                let mut sack = SackBlocks::default();
                sack.push(first.0, first.1);
                for (l, r) in rest.into_iter().flatten() {
                    sack.push(l, r);
                }
                Ok(TcpOption::Sack(sack))
            }
            Err(e) => {
                self.done = true;
                Err(OptionsError(e.to_string()))
            }
        };
        Some((range, opt))
    }
}

/// Reads the option bytes of a TCP header. Unknown options are skipped; a malformed option
/// ends the reading, with the options before it kept and the reason returned.
pub fn parse(bytes: &[u8]) -> (TcpOptions, Option<OptionsError>) {
    let mut out = TcpOptions::default();
    for (_, opt) in iter(bytes) {
        match opt {
            Ok(TcpOption::Mss(m)) => out.mss = Some(m),
            Ok(TcpOption::WindowScale(s)) => out.window_scale = Some(s),
            Ok(TcpOption::SackPermitted) => out.sack_permitted = true,
            Ok(TcpOption::Timestamps(val, ecr)) => out.timestamps = Some((val, ecr)),
            Ok(TcpOption::Sack(blocks)) => out.sack = blocks,
            Ok(TcpOption::Nop) => {}
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_syn_options() {
        // MSS 1460, SACK_PERM, TS 1/0, NOP, WS 7 (what Linux puts in a SYN).
        let b = [
            0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03,
            0x03, 0x07,
        ];
        let (o, err) = parse(&b);
        assert_eq!(err, None);
        assert_eq!(o.mss, Some(1460));
        assert_eq!(o.window_scale, Some(7));
        assert!(o.sack_permitted);
        assert_eq!(o.timestamps, Some((1, 0)));
        assert!(o.sack.is_empty());
    }

    #[test]
    fn sack_blocks_and_a_cut_option() {
        // NOP NOP SACK with two blocks.
        let b = [
            1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40,
        ];
        let (o, err) = parse(&b);
        assert_eq!(err, None);
        assert_eq!(o.sack.as_slice(), &[(10, 20), (30, 40)]);
        // An MSS option cut after its kind and length: error, nothing invented.
        let (o, err) = parse(&[0x02, 0x04, 0x05]);
        assert!(err.is_some());
        assert_eq!(o.mss, None);
        let mut s = SackBlocks::default();
        for i in 0..5 {
            assert_eq!(s.push(i, i + 1), i < 4);
        }
        assert_eq!(s.len(), 4);
    }

    #[test]
    fn iter_gives_wire_order_and_ranges() {
        let b = [1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6, 2, 4];
        let got: Vec<_> = iter(&b).collect();
        assert_eq!(got[0], (0..1, Ok(TcpOption::Nop)));
        assert_eq!(got[2], (2..12, Ok(TcpOption::Timestamps(5, 6))));
        assert_eq!(got.len(), 4);
        assert!(got[3].1.is_err());
    }
}

//! The wire model: what travels on the wire, below every other module.
//!
//! One `Repr` per header, smoltcp style: a plain struct that parses from the bytes (through
//! etherparse's lax slices, as decoding reads frames) and emits into bytes (through pnet's
//! `Mutable*Packet` types, as craft writes frames): [`ethernet`], [`arp`], [`ipv4`], [`ipv6`],
//! [`tcp`] with its options ([`tcp_options`]), [`udp`], [`icmp`], and [`dhcp`] (emit only). Beside them the one Internet
//! checksum ([`checksum`]) and small shared value types: sequence numbers ([`seq`]) and MAC
//! display ([`MacDisplay`]). The course's own formats live here too: SIMP ([`simp`]), the
//! stack demo's framing ([`stack`]) and the send-file header ([`transfer`]). This module imports nothing of the crate but [`crate::frame`]; decode, craft, the
//! lab and the demos build on it.
#![forbid(unsafe_code)]

pub mod arp;
pub mod checksum;
pub mod dhcp;
pub mod ethernet;
pub mod icmp;
pub mod ipv4;
pub mod ipv6;
pub mod seq;
pub mod simp;
pub mod stack;
pub mod tcp;
pub mod tcp_options;
pub mod transfer;
pub mod udp;

use std::fmt;
use std::ops::Range;

/// The byte offset of `part` inside `whole` (both slices of the same buffer).
pub fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize)
}

/// The byte range of `part` inside `whole`.
pub fn range_in(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = offset_in(whole, part);
    start..start + part.len()
}

/// Why a header could not be read: the layer, and the byte offset where it starts (as
/// etherparse's errors say it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The bytes end before the header does.
    #[error("{layer} header at byte {offset}: {have} bytes, {need} needed")]
    Truncated {
        /// The layer being read.
        layer: &'static str,
        /// Where its header starts.
        offset: usize,
        /// Bytes the header needs.
        need: usize,
        /// Bytes there are.
        have: usize,
    },
    /// A field holds a value the header cannot have.
    #[error("{layer} header at byte {offset}: {what}")]
    Invalid {
        /// The layer being read.
        layer: &'static str,
        /// Where its header starts.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
}

/// Why a header could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The buffer is shorter than the header (and payload) to write.
    #[error("the {layer} buffer is {have} bytes, {need} are needed")]
    BufferTooShort {
        /// The layer being written.
        layer: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes given.
        have: usize,
    },
    /// The payload does not fit the header's length field.
    #[error("{len} bytes do not fit one {layer} packet (at most {max})")]
    TooLong {
        /// The layer whose length field overflows.
        layer: &'static str,
        /// The length asked for.
        len: usize,
        /// The largest possible.
        max: usize,
    },
}

/// Checks that `buf` holds at least `need` bytes for `layer`.
pub(crate) fn need(layer: &'static str, buf: &[u8], need: usize) -> Result<(), BuildError> {
    if buf.len() < need {
        return Err(BuildError::BufferTooShort {
            layer,
            need,
            have: buf.len(),
        });
    }
    Ok(())
}

/// A link-layer (MAC) address shown as `aa:bb:cc:dd:ee:ff`: the one formatter of the crate.
/// Any length is shown (a Linux cooked capture's address may be 8 bytes or fewer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacDisplay<'a>(pub &'a [u8]);

impl MacDisplay<'_> {
    fn write_to(&self, w: &mut impl fmt::Write) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                w.write_char(':')?;
            }
            write!(w, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for MacDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() {
            let mut s = String::with_capacity(3 * self.0.len());
            self.write_to(&mut s)?;
            return f.pad(&s);
        }
        self.write_to(f)
    }
}

/// A MAC address as `aa:bb:cc:dd:ee:ff`.
pub fn mac(m: &[u8]) -> String {
    let mut s = String::with_capacity(3 * m.len());
    let _ = MacDisplay(m).write_to(&mut s);
    s
}

/// Appends an IPv4 address as dotted decimal (`10.0.3.1`) without the formatting machinery:
/// the packet list and the dissectors' Info columns write one per frame.
pub fn push_ipv4(s: &mut String, a: std::net::Ipv4Addr) {
    let mut num = itoa::Buffer::new();
    for (i, octet) in a.octets().into_iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        s.push_str(num.format(octet));
    }
}

/// Appends `v` as `width` lower-case hex digits (`0x` not included), as `{v:0width$x}` does.
pub fn push_hex(s: &mut String, v: u64, width: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = (64 - v.leading_zeros() as usize)
        .div_ceil(4)
        .max(width)
        .max(1);
    for i in (0..digits).rev() {
        s.push(char::from(HEX[((v >> (4 * i)) & 0xf) as usize]));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ipv4_and_hex_text_as_fmt_writes_them() {
        for a in [
            [0, 0, 0, 0],
            [10, 0, 3, 254],
            [255, 255, 255, 255],
            [192, 168, 1, 10],
        ] {
            let a = std::net::Ipv4Addr::from(a);
            let mut s = String::from("x ");
            super::push_ipv4(&mut s, a);
            assert_eq!(s, format!("x {a}"));
        }
        for (v, w) in [
            (0u64, 4),
            (0x180f, 4),
            (0xabc, 4),
            (0x12345, 4),
            (0, 1),
            (u64::MAX, 2),
        ] {
            let mut s = String::new();
            super::push_hex(&mut s, v, w);
            assert_eq!(s, format!("{v:0w$x}"));
        }
    }

    #[test]
    fn mac_display_pads_and_joins() {
        let m = [2, 0, 0xab, 0, 3, 0xff];
        assert_eq!(super::mac(&m), "02:00:ab:00:03:ff");
        assert_eq!(
            format!("{:>18}", super::MacDisplay(&m)),
            " 02:00:ab:00:03:ff"
        );
        assert_eq!(super::mac(&[]), "");
    }
}

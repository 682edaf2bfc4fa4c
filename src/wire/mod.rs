//! The wire model: what travels on the wire, below every other module.
//!
//! One place for the Internet checksum ([`checksum`]) and the small shared value types of
//! headers. This module imports nothing of the crate but [`crate::frame`]; decode, craft, the
//! lab and the demos build on it.
#![forbid(unsafe_code)]

pub mod checksum;
pub mod seq;
pub mod tcp_options;

use std::fmt;

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

#[cfg(test)]
mod tests {
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

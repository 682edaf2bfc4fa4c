//! The one packet builder: headers written by hand with pnet's `Mutable*Packet` types, and the
//! sans-IO state machines that decide what to send.
//!
//! Crafting flows payload → TCP → IPv4 → Ethernet → link (and ARP, ICMP for address
//! resolution, ping and traceroute; UDP for traceroute's probes). The headers are
//! [`crate::wire`]'s, one `Repr` per protocol that both parses and emits, checksums included
//! (the one checksum module, [`crate::wire::checksum`]), and IPv4 fragmentation is the IPv4
//! model's. [`frame`] stacks them into whole Ethernet frames in a reusable buffer and reports
//! where each layer's bytes are. [`tcp_conn`] is a TCP client connection, [`neighbor`] the ARP
//! logic, [`ping`] the echo exchange, [`dhcp`] a DHCP client's exchange and [`traceroute`] the probes and the ICMP answers that
//! quote them, all without I/O or clocks: time is passed in, segments and frames come in and
//! go out, timers are returned. The drivers that join them to a [`crate::link::Link`], a clock
//! and the terminal are in the application layer (`app::driver`).
//!
//! Nothing here parses frames: received frames are read with [`crate::decode`]; traceroute
//! reads only the ICMP message it is handed (the quote in it, with the wire model's parser).
#![forbid(unsafe_code)]

pub mod dhcp;
pub mod frame;
pub mod neighbor;
pub mod ping;
pub mod tcp_conn;
pub mod traceroute;

pub use crate::wire::BuildError;

/// A payload in at most two pieces (the two halves of a ring buffer), copied into frames
/// without an intermediate buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Payload<'a> {
    /// The first piece.
    pub head: &'a [u8],
    /// The second piece (empty when the payload is contiguous).
    pub tail: &'a [u8],
}

impl<'a> Payload<'a> {
    /// A contiguous payload.
    pub fn new(bytes: &'a [u8]) -> Self {
        Payload {
            head: bytes,
            tail: &[],
        }
    }

    /// Total length in bytes.
    pub fn len(&self) -> usize {
        self.head.len() + self.tail.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies the payload to the start of `out` (which must be at least [`Payload::len`] long).
    pub fn copy_to(&self, out: &mut [u8]) {
        let (a, b) = out.split_at_mut(self.head.len().min(out.len()));
        a.copy_from_slice(&self.head[..a.len()]);
        let n = self.tail.len().min(b.len());
        b[..n].copy_from_slice(&self.tail[..n]);
    }
}

/// Random bytes from the operating system (ISNs, ports, identifiers), with a time-based
/// fallback when the system has none to give.
pub fn random_u32() -> u32 {
    getrandom::u32().unwrap_or_else(|_| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        (t.as_nanos() as u32) ^ std::process::id().rotate_left(16)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_pieces_are_copied_in_order() {
        let p = Payload {
            head: b"abc",
            tail: b"de",
        };
        let mut out = [0u8; 6];
        p.copy_to(&mut out);
        assert_eq!(&out, b"abcde\0");
        assert_eq!(p.len(), 5);
        assert!(Payload::default().is_empty());
    }
}

//! ICMP (RFC 792) and ICMPv6 (RFC 4443) messages: decoding reads them (with the IP packet
//! quoted in an error) from etherparse's slices; echo messages are written with pnet's
//! `MutableIcmpPacket`, the checksum is [`super::checksum`]'s.

use std::net::IpAddr;
use std::ops::Range;

use pnet::packet::icmp::{IcmpCode, IcmpType, MutableIcmpPacket};

use super::{BuildError, checksum, need};

/// Length of the echo header (type, code, checksum, identifier, sequence number).
pub const HEADER_LEN: usize = 8;
/// Type of an echo request.
pub const ECHO_REQUEST: u8 = 8;
/// Type of an echo reply.
pub const ECHO_REPLY: u8 = 0;

/// Transport header quoted inside an ICMP error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotedTransport {
    /// A quoted TCP header (only ports, seq and flags may be present).
    Tcp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// Raw sequence number, if quoted.
        seq: Option<u32>,
        /// Raw acknowledgement number (0 unless 12 bytes are quoted).
        ack: u32,
        /// Flags (0 unless 14 bytes are quoted).
        flags: u16,
        /// Raw window (0 unless 16 bytes are quoted).
        window: u16,
        /// Header length from the data offset (0 unless 13 bytes are quoted).
        header_len: usize,
        /// Window scale option, if the options are quoted in full.
        window_scale: Option<u8>,
        /// Number of TCP header bytes quoted.
        quoted_len: usize,
    },
    /// A quoted UDP header.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// Length field.
        length: u16,
    },
}

/// The IP packet quoted inside an ICMP error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotedRepr {
    /// Source address of the quoted packet.
    pub src: IpAddr,
    /// Destination address of the quoted packet.
    pub dst: IpAddr,
    /// Protocol of the quoted packet.
    pub protocol: u8,
    /// Its transport header, when TCP or UDP.
    pub transport: Option<QuotedTransport>,
    /// Bytes of the quoted packet.
    pub range: Range<usize>,
}

/// An ICMP or ICMPv6 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcmpRepr {
    /// Type.
    pub icmp_type: u8,
    /// Code.
    pub code: u8,
    /// Checksum field.
    pub checksum: u16,
    /// Bytes 5..8 of the header (identifier and sequence for echo).
    pub rest: [u8; 4],
    /// The quoted packet of an error message.
    pub quoted: Option<QuotedRepr>,
    /// Bytes of the whole message.
    pub range: Range<usize>,
    /// Bytes after the 8-byte header.
    pub body: Range<usize>,
}

impl IcmpRepr {
    /// An echo request ([`ECHO_REQUEST`]) or reply ([`ECHO_REPLY`]) header: its identifier
    /// (ping uses one per run) and sequence number (1, 2, 3... per request).
    pub fn echo(icmp_type: u8, id: u16, seq: u16) -> Self {
        let [a, b] = id.to_be_bytes();
        let [c, d] = seq.to_be_bytes();
        IcmpRepr {
            icmp_type,
            code: 0,
            checksum: 0,
            rest: [a, b, c, d],
            quoted: None,
            range: 0..HEADER_LEN,
            body: HEADER_LEN..HEADER_LEN,
        }
    }

    /// Writes the 8-byte header (type, code, bytes 5 to 8) over the start of `message`
    /// and the checksum over all of it: the body must already be in place after
    /// [`HEADER_LEN`] bytes. ICMPv6's checksum covers a pseudo-header and is not written here.
    pub fn emit(&self, message: &mut [u8]) -> Result<(), BuildError> {
        need("ICMP", message, HEADER_LEN)?;
        {
            let mut icmp =
                MutableIcmpPacket::new(&mut *message).ok_or(BuildError::BufferTooShort {
                    layer: "ICMP",
                    need: HEADER_LEN,
                    have: 0,
                })?;
            icmp.set_icmp_type(IcmpType(self.icmp_type));
            icmp.set_icmp_code(IcmpCode(self.code));
            icmp.set_checksum(0);
        }
        message[4..HEADER_LEN].copy_from_slice(&self.rest);
        let sum = checksum::of(message);
        message[2..4].copy_from_slice(&sum.to_be_bytes());
        Ok(())
    }

    /// Identifier of an echo message.
    pub fn echo_id(&self) -> u16 {
        u16::from_be_bytes([self.rest[0], self.rest[1]])
    }
    /// Sequence number of an echo message.
    pub fn echo_seq(&self) -> u16 {
        u16::from_be_bytes([self.rest[2], self.rest[3]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_request_checksum_by_hand() {
        let mut m = [0u8; 12];
        m[8..].copy_from_slice(b"ping");
        IcmpRepr::echo(ECHO_REQUEST, 0x1234, 1)
            .emit(&mut m)
            .unwrap();
        // 0800 + 1234 + 0001 + 7069 + 6e67 = 0xf905 (no carry); !0xf905 = 0x06fa.
        assert_eq!(
            m,
            [8, 0, 0x06, 0xfa, 0x12, 0x34, 0, 1, b'p', b'i', b'n', b'g']
        );
        assert!(
            IcmpRepr::echo(ECHO_REPLY, 0, 0)
                .emit(&mut [0u8; 7])
                .is_err()
        );
    }
}

//! ICMP echo request and reply messages (RFC 792), written with pnet's echo packet types;
//! the checksum is [`crate::wire::checksum`]'s.

use pnet::packet::icmp::echo_request::MutableEchoRequestPacket;
use pnet::packet::icmp::{IcmpCode, IcmpType};

use super::{BuildError, need};
use crate::wire::checksum;

/// Length of the echo header (type, code, checksum, identifier, sequence number).
pub const HEADER_LEN: usize = 8;
/// Type of an echo request.
pub const ECHO_REQUEST: u8 = 8;
/// Type of an echo reply.
pub const ECHO_REPLY: u8 = 0;

/// The values of an echo message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoRepr {
    /// [`ECHO_REQUEST`] or [`ECHO_REPLY`].
    pub icmp_type: u8,
    /// Identifier (ping uses one per run).
    pub id: u16,
    /// Sequence number (1, 2, 3... per request).
    pub seq: u16,
}

impl EchoRepr {
    /// Writes the header over the start of `message` and the checksum over all of it (the
    /// data must already be in place after [`HEADER_LEN`] bytes).
    pub fn emit(&self, message: &mut [u8]) -> Result<(), BuildError> {
        need("ICMP", message, HEADER_LEN)?;
        let short = BuildError::BufferTooShort {
            layer: "ICMP",
            need: HEADER_LEN,
            have: message.len(),
        };
        {
            let mut echo = MutableEchoRequestPacket::new(&mut *message).ok_or(short.clone())?;
            // A reply has the same layout as a request, only the type differs.
            echo.set_icmp_type(IcmpType(self.icmp_type));
            echo.set_icmp_code(IcmpCode(0));
            echo.set_identifier(self.id);
            echo.set_sequence_number(self.seq);
            echo.set_checksum(0);
        }
        let sum = checksum::of(message);
        MutableEchoRequestPacket::new(message)
            .ok_or(short)?
            .set_checksum(sum);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_request_checksum_by_hand() {
        let mut m = [0u8; 12];
        m[8..].copy_from_slice(b"ping");
        EchoRepr {
            icmp_type: ECHO_REQUEST,
            id: 0x1234,
            seq: 1,
        }
        .emit(&mut m)
        .unwrap();
        // 0800 + 1234 + 0001 + 7069 + 6e67 = 0xf905 (no carry); !0xf905 = 0x06fa.
        assert_eq!(
            m,
            [8, 0, 0x06, 0xfa, 0x12, 0x34, 0, 1, b'p', b'i', b'n', b'g']
        );
        assert!(
            EchoRepr {
                icmp_type: ECHO_REPLY,
                id: 0,
                seq: 0
            }
            .emit(&mut [0u8; 7])
            .is_err()
        );
    }
}

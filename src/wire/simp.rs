//! The SIMP wire format (seed 001): encode and decode one datagram. How it is described (Info
//! text, detail fields) is `decode::simp`'s.
//!
//! A SIMP datagram is a 39-byte header followed by the payload:
//!
//! ```text
//! byte  0        type       0x01 control, 0x02 chat
//! byte  1        operation  control: 0x01 ERR, 0x02 SYN, 0x04 ACK, 0x06 SYN+ACK, 0x08 FIN
//!                           chat:    0x01 message
//! byte  2        sequence   0x00 or 0x01 (the alternating bit of stop-and-wait)
//! bytes 3..35    user name  ASCII, zero-padded to 32 bytes
//! bytes 35..39   length     payload length, big-endian u32
//! bytes 39..     payload    exactly `length` bytes
//! ```
//!
//! Decoding is strict so that `decode(bytes)?.encode() == bytes` always holds: the length field
//! must match the bytes present, the user name is ASCII and its padding all zero. Every error
//! names the byte at fault ([`SimpError::offset`]).

use std::ops::Range;

/// Length of the fixed SIMP header, in bytes.
pub const HEADER_LEN: usize = 39;
/// Length of the zero-padded user name field, in bytes.
pub const USER_LEN: usize = 32;
/// UDP port daemons use to talk to each other.
pub const DAEMON_PORT: u16 = 7777;
/// TCP port on which a daemon serves its local client.
pub const CLIENT_PORT: u16 = 7778;

/// Byte ranges of the header fields.
pub mod field {
    use std::ops::Range;

    /// Message type (1 byte).
    pub const TYPE: Range<usize> = 0..1;
    /// Operation (1 byte).
    pub const OPERATION: Range<usize> = 1..2;
    /// Sequence bit (1 byte).
    pub const SEQUENCE: Range<usize> = 2..3;
    /// User name, zero-padded (32 bytes).
    pub const USER: Range<usize> = 3..35;
    /// Payload length, big-endian (4 bytes).
    pub const LENGTH: Range<usize> = 35..39;
}

/// The message type (byte 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// Connection control: ERR, SYN, ACK, SYN+ACK, FIN (0x01).
    Control,
    /// A chat message (0x02).
    Chat,
}

impl MessageType {
    /// The wire code of this type.
    pub fn code(self) -> u8 {
        match self {
            MessageType::Control => 0x01,
            MessageType::Chat => 0x02,
        }
    }

    /// The type for a wire code, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0x01 => Some(MessageType::Control),
            0x02 => Some(MessageType::Chat),
            _ => None,
        }
    }

    /// Upper-case name, as in the Info column: `CONTROL` or `CHAT`.
    pub fn name(self) -> &'static str {
        match self {
            MessageType::Control => "CONTROL",
            MessageType::Chat => "CHAT",
        }
    }
}

/// The operation (byte 1); its meaning depends on the message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Control 0x01: an error, the payload says what went wrong.
    Err,
    /// Control 0x02: a chat invitation (first step of the handshake).
    Syn,
    /// Control 0x04: acknowledges a chat message, SYN+ACK or FIN.
    Ack,
    /// Control 0x06: the invitation is accepted.
    SynAck,
    /// Control 0x08: ends a chat, declines or withdraws an invitation.
    Fin,
    /// Chat 0x01: a chat message, the payload is its text.
    Message,
}

impl Operation {
    /// Every operation, control ones first.
    pub const ALL: [Operation; 6] = [
        Operation::Err,
        Operation::Syn,
        Operation::Ack,
        Operation::SynAck,
        Operation::Fin,
        Operation::Message,
    ];

    /// The message type this operation belongs to.
    pub fn kind(self) -> MessageType {
        match self {
            Operation::Message => MessageType::Chat,
            _ => MessageType::Control,
        }
    }

    /// The wire code of this operation.
    pub fn code(self) -> u8 {
        match self {
            Operation::Err => 0x01,
            Operation::Syn => 0x02,
            Operation::Ack => 0x04,
            Operation::SynAck => 0x06,
            Operation::Fin => 0x08,
            Operation::Message => 0x01,
        }
    }

    /// The operation for a wire code under a message type, if it is one.
    pub fn from_code(kind: MessageType, code: u8) -> Option<Self> {
        match (kind, code) {
            (MessageType::Control, 0x01) => Some(Operation::Err),
            (MessageType::Control, 0x02) => Some(Operation::Syn),
            (MessageType::Control, 0x04) => Some(Operation::Ack),
            (MessageType::Control, 0x06) => Some(Operation::SynAck),
            (MessageType::Control, 0x08) => Some(Operation::Fin),
            (MessageType::Chat, 0x01) => Some(Operation::Message),
            _ => None,
        }
    }

    /// Upper-case name, as in the Info column: `ERR`, `SYN`, `ACK`, `SYN+ACK`, `FIN`, `MESSAGE`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Err => "ERR",
            Operation::Syn => "SYN",
            Operation::Ack => "ACK",
            Operation::SynAck => "SYN+ACK",
            Operation::Fin => "FIN",
            Operation::Message => "MESSAGE",
        }
    }
}

/// Why a datagram is not a valid SIMP message. Each variant names the byte at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimpError {
    /// Fewer bytes than the 39-byte header.
    #[error("datagram is {available} bytes, a SIMP header needs {HEADER_LEN}")]
    TooShort {
        /// Bytes present.
        available: usize,
    },
    /// Byte 0 is neither 0x01 (control) nor 0x02 (chat).
    #[error("byte 0: unknown message type 0x{0:02x} (expected 0x01 control or 0x02 chat)")]
    BadType(u8),
    /// Byte 1 is not an operation of the message type.
    #[error("byte 1: operation 0x{code:02x} is not valid for a {} message", kind.name())]
    BadOperation {
        /// The message type of byte 0.
        kind: MessageType,
        /// The operation byte.
        code: u8,
    },
    /// Byte 2 is neither 0x00 nor 0x01.
    #[error("byte 2: sequence 0x{0:02x} is not 0 or 1")]
    BadSequence(u8),
    /// A byte of the user name is not ASCII.
    #[error("byte {offset}: user name byte 0x{byte:02x} is not ASCII")]
    NonAsciiUser {
        /// Offset of the byte in the datagram.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A non-zero byte follows the zero that ends the user name.
    #[error("byte {offset}: user name padding byte 0x{byte:02x} is not zero")]
    BadUserPadding {
        /// Offset of the byte in the datagram.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The length field (bytes 35..39) disagrees with the payload bytes present.
    #[error("byte 35: length field says {declared} payload bytes, the datagram has {available}")]
    LengthMismatch {
        /// Payload length from the header.
        declared: u64,
        /// Payload bytes after the header.
        available: usize,
    },
}

impl SimpError {
    /// Offset of the first byte at fault.
    pub fn offset(&self) -> usize {
        match self {
            SimpError::TooShort { available } => *available,
            SimpError::BadType(_) => field::TYPE.start,
            SimpError::BadOperation { .. } => field::OPERATION.start,
            SimpError::BadSequence(_) => field::SEQUENCE.start,
            SimpError::NonAsciiUser { offset, .. } | SimpError::BadUserPadding { offset, .. } => {
                *offset
            }
            SimpError::LengthMismatch { .. } => field::LENGTH.start,
        }
    }
}

/// One SIMP message, owned: what the daemons build and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpMessage {
    /// Message type; must agree with `op.kind()` (encode writes `op.kind()`).
    pub kind: MessageType,
    /// Operation.
    pub op: Operation,
    /// Sequence bit, 0 or 1 (encode writes `seq & 1`).
    pub seq: u8,
    /// User name: ASCII, at most 32 bytes (encode writes the first 32 bytes).
    pub user: String,
    /// Payload.
    pub payload: Vec<u8>,
}

impl SimpMessage {
    /// A message with the type implied by `op`.
    pub fn new(op: Operation, seq: u8, user: &str, payload: impl Into<Vec<u8>>) -> Self {
        SimpMessage {
            kind: op.kind(),
            op,
            seq,
            user: user.to_owned(),
            payload: payload.into(),
        }
    }

    /// Encodes to wire bytes. Never fails: the type byte comes from `op`, the sequence is masked
    /// to one bit, a user name longer than 32 bytes is cut, a payload longer than `u32::MAX`
    /// (impossible in a datagram) gets a saturated length. Check names with [`validate_user`].
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(self.payload.len()));
        out.push(self.op.kind().code());
        out.push(self.op.code());
        out.push(self.seq & 1);
        let mut user = [0u8; USER_LEN];
        for (slot, byte) in user.iter_mut().zip(self.user.bytes()) {
            *slot = byte;
        }
        out.extend_from_slice(&user);
        let len = u32::try_from(self.payload.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }

    /// Decodes one datagram (strict: see the module docs).
    pub fn decode(bytes: &[u8]) -> Result<Self, SimpError> {
        view(bytes).map(|v| v.to_message())
    }
}

/// Checks that `user` can be a SIMP user name: 1 to 32 bytes of printable ASCII, no spaces.
pub fn validate_user(user: &str) -> Result<(), String> {
    if user.is_empty() {
        return Err("user name is empty".into());
    }
    if user.len() > USER_LEN {
        return Err(format!(
            "user name is {} bytes, at most {USER_LEN}",
            user.len()
        ));
    }
    if let Some(c) = user.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "user name has {c:?}: use printable ASCII without spaces"
        ));
    }
    Ok(())
}

/// A validated, borrowed view of one SIMP datagram, for the dissector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimpView<'a> {
    bytes: &'a [u8],
    kind: MessageType,
    op: Operation,
    seq: u8,
    user: &'a str,
    payload: &'a [u8],
}

/// Validates `bytes` as one SIMP datagram and returns a view of it.
pub fn view(bytes: &[u8]) -> Result<SimpView<'_>, SimpError> {
    let too_short = || SimpError::TooShort {
        available: bytes.len(),
    };
    let header = bytes.get(..HEADER_LEN).ok_or_else(too_short)?;
    let payload = bytes.get(HEADER_LEN..).ok_or_else(too_short)?;
    let [type_code, op_code, seq, ..] = *header else {
        return Err(too_short());
    };
    let kind = MessageType::from_code(type_code).ok_or(SimpError::BadType(type_code))?;
    let op = Operation::from_code(kind, op_code).ok_or(SimpError::BadOperation {
        kind,
        code: op_code,
    })?;
    if seq > 1 {
        return Err(SimpError::BadSequence(seq));
    }
    let user_field = header.get(field::USER).ok_or_else(too_short)?;
    let mut user_len = USER_LEN;
    for (i, &byte) in user_field.iter().enumerate() {
        let offset = field::USER.start.saturating_add(i);
        if user_len == USER_LEN {
            if byte == 0 {
                user_len = i;
            } else if !byte.is_ascii() {
                return Err(SimpError::NonAsciiUser { offset, byte });
            }
        } else if byte != 0 {
            return Err(SimpError::BadUserPadding { offset, byte });
        }
    }
    let user_bytes = user_field.get(..user_len).ok_or_else(too_short)?;
    // All bytes were checked to be ASCII, so this cannot fail; map the impossible error anyway.
    let user = std::str::from_utf8(user_bytes).map_err(|e| SimpError::NonAsciiUser {
        offset: field::USER.start.saturating_add(e.valid_up_to()),
        byte: user_bytes.get(e.valid_up_to()).copied().unwrap_or(0),
    })?;
    let len_field: [u8; 4] = header
        .get(field::LENGTH)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(too_short)?;
    let declared = u32::from_be_bytes(len_field);
    if usize::try_from(declared).ok() != Some(payload.len()) {
        return Err(SimpError::LengthMismatch {
            declared: u64::from(declared),
            available: payload.len(),
        });
    }
    Ok(SimpView {
        bytes,
        kind,
        op,
        seq,
        user,
        payload,
    })
}

impl<'a> SimpView<'a> {
    /// The whole datagram.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Message type.
    pub fn kind(&self) -> MessageType {
        self.kind
    }

    /// Operation.
    pub fn op(&self) -> Operation {
        self.op
    }

    /// Sequence bit (0 or 1).
    pub fn seq(&self) -> u8 {
        self.seq
    }

    /// User name without its padding.
    pub fn user(&self) -> &'a str {
        self.user
    }

    /// Payload bytes.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Byte range of the payload in the datagram.
    pub fn payload_range(&self) -> Range<usize> {
        HEADER_LEN..self.bytes.len()
    }

    /// An owned copy.
    pub fn to_message(&self) -> SimpMessage {
        SimpMessage {
            kind: self.kind,
            op: self.op,
            seq: self.seq,
            user: self.user.to_owned(),
            payload: self.payload.to_vec(),
        }
    }
}

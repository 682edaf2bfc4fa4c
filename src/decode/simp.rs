//! The SIMP wire format (seed 001): encode and decode one datagram, and describe it for the
//! dissector.
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

use std::fmt::Write as _;
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

/// Longest payload shown in [`SimpView::info`] before it is cut with `…`.
const INFO_PAYLOAD_CHARS: usize = 48;

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

    /// Wireshark-like Info text: `CHAT seq=0 user=test len=11 "Hello World"`,
    /// `CONTROL SYN+ACK seq=0 user=alice`, `CONTROL ERR seq=0 user=bob "user busy"`.
    /// Chat messages always show `len=` and the quoted payload; control messages show the quoted
    /// payload only when there is one. Non-printable bytes are escaped, long payloads cut with `…`.
    pub fn info(&self) -> String {
        let mut out = String::from(self.kind.name());
        if self.op != Operation::Message {
            out.push(' ');
            out.push_str(self.op.name());
        }
        let _ = write!(
            out,
            " seq={} user={}",
            self.seq,
            escape(self.user.as_bytes(), USER_LEN)
        );
        if self.kind == MessageType::Chat {
            let _ = write!(out, " len={}", self.payload.len());
        }
        if self.kind == MessageType::Chat || !self.payload.is_empty() {
            let _ = write!(out, " \"{}\"", escape(self.payload, INFO_PAYLOAD_CHARS));
        }
        out
    }

    /// The fields for a detail view: name, display text and byte range in the datagram.
    pub fn fields(&self) -> Vec<(&'static str, String, Range<usize>)> {
        let declared = self.payload.len();
        vec![
            (
                "Type",
                format!("{} (0x{:02x})", title(self.kind.name()), self.kind.code()),
                field::TYPE,
            ),
            (
                "Operation",
                format!("{} (0x{:02x})", self.op.name(), self.op.code()),
                field::OPERATION,
            ),
            ("Sequence", self.seq.to_string(), field::SEQUENCE),
            (
                "User",
                format!("\"{}\"", escape(self.user.as_bytes(), USER_LEN)),
                field::USER,
            ),
            ("Payload length", declared.to_string(), field::LENGTH),
            (
                "Payload",
                format!("\"{}\"", escape(self.payload, usize::MAX)),
                self.payload_range(),
            ),
        ]
    }
}

/// `CONTROL` → `Control`.
fn title(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// Text for display: valid UTF-8 is kept (control characters, `"` and `\` escaped), invalid
/// bytes become `\xNN`; after `max_chars` characters the rest is replaced by `…`.
pub fn escape(bytes: &[u8], max_chars: usize) -> String {
    let mut out = String::new();
    let mut shown = 0usize;
    for chunk in bytes.utf8_chunks() {
        let pieces = chunk
            .valid()
            .chars()
            .map(Piece::Char)
            .chain(chunk.invalid().iter().map(|&b| Piece::Byte(b)));
        for piece in pieces {
            if shown >= max_chars {
                out.push('…');
                return out;
            }
            shown = shown.saturating_add(1);
            match piece {
                Piece::Char('"') => out.push_str("\\\""),
                Piece::Char('\\') => out.push_str("\\\\"),
                Piece::Char('\n') => out.push_str("\\n"),
                Piece::Char('\r') => out.push_str("\\r"),
                Piece::Char('\t') => out.push_str("\\t"),
                Piece::Char(c) if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                }
                Piece::Char(c) => out.push(c),
                Piece::Byte(b) => {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
        }
    }
    out
}

/// One unit of [`escape`]'s input.
enum Piece {
    Char(char),
    Byte(u8),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's example, byte for byte: chat (0x02), message (0x01), seq 0, `test` padded with
    /// 28 zeros to 32 bytes, length 0x0000000b, then `Hello World`.
    const SEED_BYTES: &[u8] = b"\x02\x01\x00test\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0bHello World";

    fn seed_message() -> SimpMessage {
        SimpMessage::new(Operation::Message, 0, "test", b"Hello World".to_vec())
    }

    #[test]
    fn seed_example_encodes_to_seed_bytes() {
        assert_eq!(SEED_BYTES.len(), 50);
        assert_eq!(seed_message().encode(), SEED_BYTES);
    }

    #[test]
    fn seed_bytes_decode_to_seed_example() {
        assert_eq!(SimpMessage::decode(SEED_BYTES), Ok(seed_message()));
    }

    #[test]
    fn every_operation_round_trips_with_its_codes() {
        let expected: [(Operation, u8, u8); 6] = [
            (Operation::Err, 0x01, 0x01),
            (Operation::Syn, 0x01, 0x02),
            (Operation::Ack, 0x01, 0x04),
            (Operation::SynAck, 0x01, 0x06),
            (Operation::Fin, 0x01, 0x08),
            (Operation::Message, 0x02, 0x01),
        ];
        for (op, type_code, op_code) in expected {
            for seq in [0u8, 1] {
                let msg = SimpMessage::new(op, seq, "alice", b"x".to_vec());
                let bytes = msg.encode();
                assert_eq!(
                    bytes.get(..3),
                    Some(&[type_code, op_code, seq][..]),
                    "{op:?}"
                );
                assert_eq!(bytes.len(), HEADER_LEN + 1);
                assert_eq!(SimpMessage::decode(&bytes), Ok(msg));
            }
        }
    }

    #[test]
    fn empty_payload_and_full_length_user_round_trip() {
        let user = "u".repeat(USER_LEN);
        let msg = SimpMessage::new(Operation::Fin, 0, &user, Vec::new());
        let bytes = msg.encode();
        assert_eq!(bytes.len(), HEADER_LEN);
        assert_eq!(bytes.get(35..39), Some(&[0u8, 0, 0, 0][..]));
        assert_eq!(SimpMessage::decode(&bytes), Ok(msg));
    }

    #[test]
    fn encode_cuts_long_user_and_masks_sequence() {
        let msg = SimpMessage::new(Operation::Ack, 3, &"v".repeat(40), Vec::new());
        let decoded = SimpMessage::decode(&msg.encode()).expect("valid");
        assert_eq!(decoded.user, "v".repeat(USER_LEN));
        assert_eq!(decoded.seq, 1);
    }

    #[test]
    fn every_shorter_length_is_too_short_or_length_mismatch() {
        for cut in 0..SEED_BYTES.len() {
            let err = SimpMessage::decode(&SEED_BYTES[..cut]).expect_err("truncated");
            if cut < HEADER_LEN {
                assert_eq!(err, SimpError::TooShort { available: cut });
                assert_eq!(err.offset(), cut);
            } else {
                assert_eq!(
                    err,
                    SimpError::LengthMismatch {
                        declared: 11,
                        available: cut - HEADER_LEN
                    }
                );
            }
        }
    }

    #[test]
    fn bad_type_is_reported_at_byte_0() {
        for code in [0x00, 0x03, 0xff] {
            let mut bytes = SEED_BYTES.to_vec();
            bytes[0] = code;
            let err = SimpMessage::decode(&bytes).expect_err("bad type");
            assert_eq!(err, SimpError::BadType(code));
            assert_eq!(err.offset(), 0);
        }
    }

    #[test]
    fn bad_operations_are_reported_at_byte_1() {
        // Chat knows only 0x01; control has no 0x03, 0x05, 0x07, 0x09...
        for (kind, code) in [
            (MessageType::Chat, 0x00),
            (MessageType::Chat, 0x02),
            (MessageType::Control, 0x00),
            (MessageType::Control, 0x03),
            (MessageType::Control, 0x05),
            (MessageType::Control, 0x07),
            (MessageType::Control, 0x09),
            (MessageType::Control, 0x0a),
        ] {
            let mut bytes = SEED_BYTES.to_vec();
            bytes[0] = kind.code();
            bytes[1] = code;
            let err = SimpMessage::decode(&bytes).expect_err("bad op");
            assert_eq!(err, SimpError::BadOperation { kind, code });
            assert_eq!(err.offset(), 1);
        }
    }

    #[test]
    fn bad_sequence_is_reported_at_byte_2() {
        let mut bytes = SEED_BYTES.to_vec();
        bytes[2] = 2;
        assert_eq!(SimpMessage::decode(&bytes), Err(SimpError::BadSequence(2)));
    }

    #[test]
    fn non_ascii_user_is_reported_at_its_byte() {
        let mut bytes = SEED_BYTES.to_vec();
        bytes[4] = 0xc3; // inside "test"
        let err = SimpMessage::decode(&bytes).expect_err("non-ascii");
        assert_eq!(
            err,
            SimpError::NonAsciiUser {
                offset: 4,
                byte: 0xc3
            }
        );
        assert_eq!(err.offset(), 4);
    }

    #[test]
    fn garbage_after_user_terminator_is_bad_padding() {
        let mut bytes = SEED_BYTES.to_vec();
        bytes[20] = b'x';
        assert_eq!(
            SimpMessage::decode(&bytes),
            Err(SimpError::BadUserPadding {
                offset: 20,
                byte: b'x'
            })
        );
    }

    #[test]
    fn length_larger_or_smaller_than_datagram_is_a_mismatch() {
        let mut longer = SEED_BYTES.to_vec();
        longer[35..39].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            SimpMessage::decode(&longer),
            Err(SimpError::LengthMismatch {
                declared: u64::from(u32::MAX),
                available: 11
            })
        );
        let mut extra = SEED_BYTES.to_vec();
        extra.push(b'!');
        assert_eq!(
            SimpMessage::decode(&extra),
            Err(SimpError::LengthMismatch {
                declared: 11,
                available: 12
            })
        );
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(
            SimpError::TooShort { available: 5 }.to_string(),
            "datagram is 5 bytes, a SIMP header needs 39"
        );
        assert_eq!(
            SimpError::BadOperation {
                kind: MessageType::Chat,
                code: 2
            }
            .to_string(),
            "byte 1: operation 0x02 is not valid for a CHAT message"
        );
        assert_eq!(
            SimpError::LengthMismatch {
                declared: 20,
                available: 11
            }
            .to_string(),
            "byte 35: length field says 20 payload bytes, the datagram has 11"
        );
    }

    #[test]
    fn info_matches_the_issue_examples() {
        let chat = view(SEED_BYTES).expect("valid");
        assert_eq!(chat.info(), "CHAT seq=0 user=test len=11 \"Hello World\"");
        let synack = SimpMessage::new(Operation::SynAck, 0, "alice", Vec::new()).encode();
        assert_eq!(
            view(&synack).expect("valid").info(),
            "CONTROL SYN+ACK seq=0 user=alice"
        );
        let err = SimpMessage::new(Operation::Err, 0, "bob", b"user busy".to_vec()).encode();
        assert_eq!(
            view(&err).expect("valid").info(),
            "CONTROL ERR seq=0 user=bob \"user busy\""
        );
    }

    #[test]
    fn info_escapes_and_truncates() {
        let msg = SimpMessage::new(Operation::Message, 1, "a", b"\"q\"\n\x01\xff\\".to_vec());
        assert_eq!(
            view(&msg.encode()).expect("valid").info(),
            r#"CHAT seq=1 user=a len=7 "\"q\"\n\u{1}\xff\\""#
        );
        let long = SimpMessage::new(Operation::Message, 0, "a", vec![b'z'; 100]);
        let info = view(&long.encode()).expect("valid").info();
        assert_eq!(
            info,
            format!("CHAT seq=0 user=a len=100 \"{}…\"", "z".repeat(48))
        );
    }

    #[test]
    fn fields_have_names_values_and_ranges() {
        let fields = view(SEED_BYTES).expect("valid").fields();
        let expected = vec![
            ("Type", "Chat (0x02)".to_owned(), 0..1),
            ("Operation", "MESSAGE (0x01)".to_owned(), 1..2),
            ("Sequence", "0".to_owned(), 2..3),
            ("User", "\"test\"".to_owned(), 3..35),
            ("Payload length", "11".to_owned(), 35..39),
            ("Payload", "\"Hello World\"".to_owned(), 39..50),
        ];
        assert_eq!(fields, expected);
        for (_, _, range) in &fields {
            assert!(SEED_BYTES.get(range.clone()).is_some());
        }
    }

    #[test]
    fn user_names_are_validated() {
        assert!(validate_user("alice").is_ok());
        assert!(validate_user(&"a".repeat(32)).is_ok());
        assert!(validate_user("").is_err());
        assert!(validate_user(&"a".repeat(33)).is_err());
        assert!(validate_user("al ice").is_err());
        assert!(validate_user("zoë").is_err());
    }

    #[test]
    fn decode_never_panics_on_small_inputs() {
        // Every 1- and 2-byte mutation of the seed datagram either decodes to something that
        // re-encodes to the same bytes, or is an error.
        for i in 0..SEED_BYTES.len() {
            for b in [0x00u8, 0x01, 0x02, 0x7f, 0x80, 0xff] {
                let mut bytes = SEED_BYTES.to_vec();
                bytes[i] = b;
                if let Ok(v) = view(&bytes) {
                    assert_eq!(v.to_message().encode(), bytes);
                    let _ = v.info();
                }
            }
        }
    }
}

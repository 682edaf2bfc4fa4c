//! The stack demo's wire format (seed 000), as seen in a TCP stream: frames of
//! `length u32 (big-endian) | kind u8 | payload`, where the length counts the kind byte and the
//! payload. The one parser and emitter: the demo (`demo::stack::framing`) writes and reads
//! frames with it on a socket; `lab answer 000` finds them in captures ([`frames`]).

/// Largest accepted frame (kind + payload), far above what the demo sends.
pub const MAX_FRAME: u32 = 256 * 1024;

/// Bytes before the payload: the length field (4) and the kind byte (1).
pub const HEADER_LEN: usize = 5;

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Client → server: a text message.
    Text,
    /// Client → server: asks for the server's address.
    Ping,
    /// Client → server: asks for the server's view of this connection.
    Handshake,
    /// Client → server: an Ethernet frame to decapsulate.
    Stack,
    /// Client → server: close both ends.
    Exit,
    /// Server → client: a successful answer (UTF-8 text).
    Reply,
    /// Server → client: the answer to `Exit`; the server closes after it.
    Bye,
    /// Server → client: the request was malformed or failed (UTF-8 text).
    Error,
}

impl Kind {
    /// The kind's wire byte.
    pub fn byte(self) -> u8 {
        match self {
            Kind::Text => 0x01,
            Kind::Ping => 0x02,
            Kind::Handshake => 0x03,
            Kind::Stack => 0x04,
            Kind::Exit => 0x05,
            Kind::Reply => 0x80,
            Kind::Bye => 0x85,
            Kind::Error => 0xff,
        }
    }

    /// The kind of a wire byte, if known.
    pub fn from_byte(byte: u8) -> Option<Kind> {
        Some(match byte {
            0x01 => Kind::Text,
            0x02 => Kind::Ping,
            0x03 => Kind::Handshake,
            0x04 => Kind::Stack,
            0x05 => Kind::Exit,
            0x80 => Kind::Reply,
            0x85 => Kind::Bye,
            0xff => Kind::Error,
            _ => return None,
        })
    }

    /// The client command or server answer it stands for.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Ping => "ping",
            Kind::Handshake => "handshake",
            Kind::Stack => "stack",
            Kind::Exit => "exit",
            Kind::Reply => "reply",
            Kind::Bye => "bye",
            Kind::Error => "error",
        }
    }
}

/// One frame found in a byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackFrame<'a> {
    /// Offset of its length field in the stream.
    pub offset: usize,
    /// Its kind byte (`Kind::from_byte` may not know it).
    pub kind_byte: u8,
    /// Its payload.
    pub payload: &'a [u8],
}

impl StackFrame<'_> {
    /// Its kind, if known.
    pub fn kind(&self) -> Option<Kind> {
        Kind::from_byte(self.kind_byte)
    }
}

/// Why a stream stopped making sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StackError {
    /// A frame of length 0 (not even a kind byte).
    #[error("frame at byte {0} has length 0")]
    Empty(usize),
    /// A length over [`MAX_FRAME`].
    #[error("frame at byte {0} claims {1} bytes, over the limit of {MAX_FRAME}")]
    TooLong(usize, u32),
}

/// Checks the length field `len` of the frame at `offset` in the stream: the bytes that
/// follow it (kind and payload).
pub fn check_len(len: u32, offset: usize) -> Result<usize, StackError> {
    if len == 0 {
        return Err(StackError::Empty(offset));
    }
    if len > MAX_FRAME {
        return Err(StackError::TooLong(offset, len));
    }
    Ok(len as usize)
}

/// The length field and kind byte of a frame carrying `payload_len` bytes; `None` when the
/// payload is too long for a frame.
pub fn emit_header(kind: Kind, payload_len: usize) -> Option<[u8; HEADER_LEN]> {
    let len = u32::try_from(payload_len)
        .ok()
        .and_then(|n| n.checked_add(1))
        .filter(|n| *n <= MAX_FRAME)?;
    let [a, b, c, d] = len.to_be_bytes();
    Some([a, b, c, d, kind.byte()])
}

/// Splits a byte stream into frames. Stops at the first impossible length (with an error) or
/// at a frame cut off by the end of the bytes (returned as the number of bytes left over).
pub fn frames(stream: &[u8]) -> (Vec<StackFrame<'_>>, Result<usize, StackError>) {
    let mut out = Vec::new();
    let mut at = 0usize;
    loop {
        let Some(len) = stream.get(at..at + 4) else {
            return (out, Ok(stream.len() - at));
        };
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        let len = match check_len(len, at) {
            Ok(n) => n,
            Err(e) => return (out, Err(e)),
        };
        let body = at + 4..at + 4 + len;
        let Some(body_bytes) = stream.get(body.clone()) else {
            return (out, Ok(stream.len() - at));
        };
        out.push(StackFrame {
            offset: at,
            kind_byte: body_bytes[0],
            payload: &body_bytes[1..],
        });
        at = body.end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_splits_into_its_frames_and_reports_what_is_left() {
        let stream = [
            0, 0, 0, 3, 0x01, b'h', b'i', 0, 0, 0, 1, 0x02, 0, 0, 0, 9, 0x04, 1,
        ];
        let (f, rest) = frames(&stream);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].kind(), Some(Kind::Text));
        assert_eq!(f[0].payload, b"hi");
        assert_eq!(f[1].offset, 7);
        assert_eq!(f[1].kind(), Some(Kind::Ping));
        assert_eq!(rest, Ok(6));
        assert_eq!(frames(&[0, 0, 0, 0]).1, Err(StackError::Empty(0)));
        assert_eq!(frames(&[0xff; 8]).1, Err(StackError::TooLong(0, u32::MAX)));
        for b in 0..=255u8 {
            if let Some(k) = Kind::from_byte(b) {
                assert_eq!(k.byte(), b);
            }
        }
    }

    #[test]
    fn emitted_headers_parse_back() {
        assert_eq!(emit_header(Kind::Text, 2), Some([0, 0, 0, 3, 0x01]));
        assert_eq!(emit_header(Kind::Text, MAX_FRAME as usize), None);
        let mut stream = emit_header(Kind::Reply, 2).unwrap().to_vec();
        stream.extend_from_slice(b"ok");
        let (f, rest) = frames(&stream);
        assert_eq!(
            (f[0].kind(), f[0].payload, rest),
            (Some(Kind::Reply), &b"ok"[..], Ok(0))
        );
    }
}

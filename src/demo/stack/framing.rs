//! The stack demo's framing on a socket: `length u32 (big-endian) | kind u8 | payload`, where
//! the length counts the kind byte and the payload; the format itself (parse and emit) is
//! [`crate::wire::stack`]'s. No serialisation format: payloads are UTF-8 text or, for `stack`,
//! the raw frame bytes.

use std::io::{self, Read, Write};

use crate::wire::stack::{self, StackError};
pub use crate::wire::stack::{Kind, MAX_FRAME};

/// One frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// What it carries.
    pub kind: Kind,
    /// The payload.
    pub payload: Vec<u8>,
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The connection failed or ended inside a frame.
    #[error("connection failed inside a frame: {0}")]
    Io(#[from] io::Error),
    /// A zero length: there is not even a kind byte.
    #[error("malformed frame: length 0 (a frame has at least its kind byte)")]
    Empty,
    /// A length over [`MAX_FRAME`]; the stream cannot be trusted after it.
    #[error("malformed frame: length {0} is over the limit of {MAX_FRAME} bytes")]
    TooLong(u32),
    /// A kind byte nobody defined (the frame was consumed; the stream stays in step).
    #[error("malformed frame: unknown kind 0x{0:02x}")]
    UnknownKind(u8),
}

impl From<StackError> for FrameError {
    fn from(e: StackError) -> Self {
        match e {
            StackError::Empty(_) => FrameError::Empty,
            StackError::TooLong(_, len) => FrameError::TooLong(len),
        }
    }
}

impl FrameError {
    /// True when the stream is still in step after this error, so the session may go on.
    pub fn recoverable(&self) -> bool {
        matches!(self, FrameError::Empty | FrameError::UnknownKind(_))
    }
}

/// Writes one frame.
pub fn write_frame(w: &mut impl Write, kind: Kind, payload: &[u8]) -> io::Result<()> {
    let header = stack::emit_header(kind, payload.len()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("payload of {} bytes is too long for a frame", payload.len()),
        )
    })?;
    let mut out = Vec::with_capacity(stack::HEADER_LEN + payload.len());
    out.extend_from_slice(&header);
    out.extend_from_slice(payload);
    w.write_all(&out)?;
    w.flush()
}

/// Reads one frame; `Ok(None)` when the peer closed cleanly between frames.
pub fn read_frame(r: &mut impl Read) -> Result<Option<Frame>, FrameError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < len.len() {
        match r.read(len.get_mut(got..).unwrap_or_default()) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            Ok(n) => got += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err.into()),
        }
    }
    let len = stack::check_len(u32::from_be_bytes(len), 0)?;
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    let (&kind_byte, payload) = body.split_first().ok_or(FrameError::Empty)?;
    let kind = Kind::from_byte(kind_byte).ok_or(FrameError::UnknownKind(kind_byte))?;
    Ok(Some(Frame {
        kind,
        payload: payload.to_vec(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_bytes_are_as_documented() {
        let mut buf = Vec::new();
        assert!(write_frame(&mut buf, Kind::Text, b"hi").is_ok());
        assert_eq!(buf, [0, 0, 0, 3, 0x01, b'h', b'i']);
        let frame = read_frame(&mut buf.as_slice()).ok().flatten();
        assert_eq!(
            frame,
            Some(Frame {
                kind: Kind::Text,
                payload: b"hi".to_vec()
            })
        );
    }

    #[test]
    fn every_kind_round_trips() {
        for byte in 0..=255u8 {
            if let Some(kind) = Kind::from_byte(byte) {
                assert_eq!(kind.byte(), byte);
            }
        }
    }

    #[test]
    fn clean_end_versus_truncation() {
        assert!(matches!(read_frame(&mut &[][..]), Ok(None)));
        let mut full = Vec::new();
        assert!(write_frame(&mut full, Kind::Ping, b"abc").is_ok());
        for cut in 1..full.len() {
            let got = read_frame(&mut full.get(..cut).unwrap_or_default());
            assert!(matches!(got, Err(FrameError::Io(_))), "cut at {cut}");
        }
    }

    #[test]
    fn malformed_frames_are_named_and_classified() {
        let empty = read_frame(&mut &[0u8, 0, 0, 0][..]);
        assert!(matches!(empty, Err(FrameError::Empty)));
        let long = read_frame(&mut &[0xffu8, 0xff, 0xff, 0xff][..]);
        assert!(matches!(long, Err(FrameError::TooLong(u32::MAX))));
        assert!(!FrameError::TooLong(1).recoverable());
        // An unknown kind is consumed whole: the next frame reads fine.
        let mut stream = vec![0u8, 0, 0, 2, 0x42, b'x'];
        assert!(write_frame(&mut stream, Kind::Ping, b"").is_ok());
        let mut r = stream.as_slice();
        let first = read_frame(&mut r);
        assert!(matches!(&first, Err(e @ FrameError::UnknownKind(0x42)) if e.recoverable()));
        let second = read_frame(&mut r).ok().flatten().map(|f| f.kind);
        assert_eq!(second, Some(Kind::Ping));
    }
}

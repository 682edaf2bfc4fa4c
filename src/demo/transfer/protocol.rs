//! The send-file wire format: header, verdicts, digest trailer, and the file-name rules.
//!
//! ```text
//! sender → receiver   header   "WLFT"  version u8 (=1)  name_len u16  name (UTF-8)  size u64
//! receiver → sender   verdict  status u8 (0 = go on / saved, 1 = refused)  len u16  message
//! sender → receiver   data     exactly `size` bytes
//! sender → receiver   digest   32 bytes: BLAKE3 of the data
//! receiver → sender   verdict  saved (digest matched) or refused (why)
//! ```
//! All integers are big-endian (network byte order).

use std::io::{self, Read, Write};

/// First bytes of every transfer.
pub const MAGIC: [u8; 4] = *b"WLFT";
/// The protocol version this build speaks.
pub const VERSION: u8 = 1;
/// Longest accepted file name, in bytes (the usual file-system limit).
pub const MAX_NAME_LEN: usize = 255;
/// Length of the BLAKE3 digest trailer.
pub const DIGEST_LEN: usize = 32;
/// Longest verdict message read from a peer.
const MAX_VERDICT_LEN: usize = 4096;

/// What the sender announces before the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// File name (checked by the receiver with [`check_name`]).
    pub name: String,
    /// Exact number of data bytes that follow.
    pub size: u64,
}

/// Why a header could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    /// The connection failed or ended inside the header.
    #[error("reading the header: {0}")]
    Io(#[from] io::Error),
    /// The stream does not start with `WLFT`.
    #[error(
        "not a wirelab send-file stream (it starts with {0:02x?}, expected \"WLFT\"); send files with `wirelab send-file`"
    )]
    BadMagic([u8; 4]),
    /// A version this build does not speak.
    #[error(
        "protocol version {0} is not supported (this receiver speaks version {VERSION}); use the same wirelab version on both sides"
    )]
    Version(u8),
    /// The name bytes are not UTF-8.
    #[error("the file name is not valid UTF-8")]
    NameNotUtf8,
}

/// Why a file name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing to name the file with.
    #[error("the file name is empty")]
    Empty,
    /// Longer than [`MAX_NAME_LEN`] bytes.
    #[error("the file name is {0} bytes long; at most {MAX_NAME_LEN} are allowed")]
    TooLong(usize),
    /// A path separator would leave the directory.
    #[error(
        "the file name contains '{0}': only a plain name is accepted, not a path (absolute paths and sub-directories are refused)"
    )]
    Separator(char),
    /// `..` could climb out of the directory.
    #[error("the file name contains '..': it could climb out of the receiving directory")]
    DotDot,
    /// `.` names the directory itself.
    #[error("the file name '.' names the directory itself")]
    Dot,
    /// A control character (newline, escape, NUL...).
    #[error("the file name contains the control character {0:?}")]
    Control(char),
}

/// Checks that `name` is a plain file name that stays inside the receiving directory.
pub fn check_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong(name.len()));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(NameError::Control(c));
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '/' | '\\')) {
        return Err(NameError::Separator(c));
    }
    if name.contains("..") {
        return Err(NameError::DotDot);
    }
    if name == "." {
        return Err(NameError::Dot);
    }
    Ok(())
}

impl Header {
    /// The header's wire bytes; `None` if the name does not fit the 16-bit length field.
    pub fn encode(&self) -> Option<Vec<u8>> {
        let name_len = u16::try_from(self.name.len()).ok()?;
        let mut out = Vec::with_capacity(4 + 1 + 2 + self.name.len() + 8);
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&name_len.to_be_bytes());
        out.extend_from_slice(self.name.as_bytes());
        out.extend_from_slice(&self.size.to_be_bytes());
        Some(out)
    }

    /// Reads a header. The name is not checked here: see [`check_name`].
    pub fn read_from(r: &mut impl Read) -> Result<Header, HeaderError> {
        let mut magic = [0u8; 4];
        r.read_exact(&mut magic)?;
        if magic != MAGIC {
            return Err(HeaderError::BadMagic(magic));
        }
        let mut version = [0u8; 1];
        r.read_exact(&mut version)?;
        let [version] = version;
        if version != VERSION {
            return Err(HeaderError::Version(version));
        }
        let mut len = [0u8; 2];
        r.read_exact(&mut len)?;
        let mut name = vec![0u8; usize::from(u16::from_be_bytes(len))];
        r.read_exact(&mut name)?;
        let mut size = [0u8; 8];
        r.read_exact(&mut size)?;
        let name = String::from_utf8(name).map_err(|_| HeaderError::NameNotUtf8)?;
        Ok(Header {
            name,
            size: u64::from_be_bytes(size),
        })
    }
}

/// The receiver's answer, after the header and again after the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go on (after the header) or saved (after the digest), with a note.
    Ok(String),
    /// Refused, with the reason.
    Refused(String),
}

impl Verdict {
    /// Writes the verdict (messages are cut to [`MAX_VERDICT_LEN`] bytes).
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        let (status, msg) = match self {
            Verdict::Ok(msg) => (0u8, msg),
            Verdict::Refused(msg) => (1u8, msg),
        };
        let mut end = msg.len().min(MAX_VERDICT_LEN);
        while !msg.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let msg = msg.get(..end).unwrap_or_default();
        let mut out = Vec::with_capacity(3 + msg.len());
        out.push(status);
        // `end` <= MAX_VERDICT_LEN, which fits in u16.
        out.extend_from_slice(&u16::try_from(msg.len()).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(msg.as_bytes());
        w.write_all(&out)?;
        w.flush()
    }

    /// Reads a verdict; a bad status byte or an over-long message is an `InvalidData` error.
    pub fn read_from(r: &mut impl Read) -> io::Result<Verdict> {
        let mut head = [0u8; 3];
        r.read_exact(&mut head)?;
        let [status, len_hi, len_lo] = head;
        let len = usize::from(u16::from_be_bytes([len_hi, len_lo]));
        if len > MAX_VERDICT_LEN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("verdict message of {len} bytes is too long"),
            ));
        }
        let mut msg = vec![0u8; len];
        r.read_exact(&mut msg)?;
        // The receiver's words reach the sender's terminal: escaped like all peer text.
        let msg = crate::render::text::escape(&msg);
        match status {
            0 => Ok(Verdict::Ok(msg)),
            1 => Ok(Verdict::Refused(msg)),
            other => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unknown verdict status {other}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bytes_are_as_documented() {
        let header = Header {
            name: "a.txt".into(),
            size: 0x0102,
        };
        let bytes = header.encode().unwrap_or_default();
        assert_eq!(
            bytes,
            [
                b'W', b'L', b'F', b'T', 1, 0, 5, b'a', b'.', b't', b'x', b't', 0, 0, 0, 0, 0, 0, 1,
                2
            ]
        );
        let back = Header::read_from(&mut bytes.as_slice()).ok();
        assert_eq!(back, Some(header));
    }

    #[test]
    fn every_truncated_header_is_an_error() {
        let bytes = Header {
            name: "name".into(),
            size: 9,
        }
        .encode()
        .unwrap_or_default();
        for cut in 0..bytes.len() {
            let got = Header::read_from(&mut bytes.get(..cut).unwrap_or_default());
            assert!(matches!(got, Err(HeaderError::Io(_))), "cut at {cut}");
        }
    }

    #[test]
    fn bad_magic_version_and_utf8_are_named() {
        assert!(matches!(
            Header::read_from(&mut &b"10>512fileToTest"[..]),
            Err(HeaderError::BadMagic(_))
        ));
        assert!(matches!(
            Header::read_from(&mut &b"WLFT\x02"[..]),
            Err(HeaderError::Version(2))
        ));
        let raw = b"WLFT\x01\x00\x01\xff\x00\x00\x00\x00\x00\x00\x00\x00";
        assert!(matches!(
            Header::read_from(&mut &raw[..]),
            Err(HeaderError::NameNotUtf8)
        ));
    }

    #[test]
    fn name_rules() {
        assert_eq!(check_name("report.pdf"), Ok(()));
        assert_eq!(check_name(".hidden"), Ok(()));
        assert_eq!(check_name("ünïcødé ok.txt"), Ok(()));
        assert_eq!(check_name(&"x".repeat(255)), Ok(()));
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name(&"x".repeat(256)), Err(NameError::TooLong(256)));
        assert_eq!(check_name("/etc/passwd"), Err(NameError::Separator('/')));
        assert_eq!(check_name("a/b"), Err(NameError::Separator('/')));
        assert_eq!(check_name("..\\x"), Err(NameError::Separator('\\')));
        assert_eq!(check_name(".."), Err(NameError::DotDot));
        assert_eq!(check_name("a..b"), Err(NameError::DotDot));
        assert_eq!(check_name("."), Err(NameError::Dot));
        assert_eq!(check_name("a\nb"), Err(NameError::Control('\n')));
        assert_eq!(check_name("a\0"), Err(NameError::Control('\0')));
        assert_eq!(check_name("\u{1b}[31m"), Err(NameError::Control('\u{1b}')));
        assert_eq!(check_name("a\u{85}"), Err(NameError::Control('\u{85}')));
    }

    #[test]
    fn verdict_round_trip_and_limits() {
        for v in [Verdict::Ok("saved".into()), Verdict::Refused("no".into())] {
            let mut buf = Vec::new();
            assert!(v.write_to(&mut buf).is_ok());
            assert_eq!(Verdict::read_from(&mut buf.as_slice()).ok(), Some(v));
        }
        assert!(Verdict::read_from(&mut &[2u8, 0, 0][..]).is_err());
        assert!(Verdict::read_from(&mut &[0u8, 0xff, 0xff][..]).is_err());
        assert!(Verdict::read_from(&mut &[0u8, 0, 5, b'a'][..]).is_err());
        let mut buf = Vec::new();
        assert!(Verdict::Ok("é".repeat(3000)).write_to(&mut buf).is_ok());
        assert!(
            matches!(Verdict::read_from(&mut buf.as_slice()), Ok(Verdict::Ok(m)) if m.len() == 4096)
        );
    }
}

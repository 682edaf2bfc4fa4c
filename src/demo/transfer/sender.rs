//! `wirelab send-file`: announce the file, stream it while hashing, send the BLAKE3 digest and
//! report what the receiver decided.

use std::fs::File;
use std::io::{self, IsTerminal as _, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::demo::net::{self, Endpoint};
use crate::demo::options::SendFileOptions;
use crate::demo::say;
use crate::demo::transfer::copy::{self, CopyError};
use crate::demo::transfer::meter::{self, Emit, Meter};
use crate::demo::transfer::protocol::{Header, Verdict};

/// What a finished transfer reports.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Bytes of data sent.
    pub bytes: u64,
    /// Time from the receiver's go-ahead to its final verdict.
    pub elapsed: Duration,
    /// BLAKE3 digest of the data.
    pub digest: blake3::Hash,
    /// The receiver's final note.
    pub note: String,
}

/// Why a transfer failed on the sending side.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The receiver said no (bad name, existing file, digest mismatch...).
    #[error("the receiver refused the file: {0}")]
    Refused(String),
    /// The name does not fit the header.
    #[error("the file name is {0} bytes long, too long for the header")]
    NameTooLong(usize),
    /// The file could not be read, or shrank while being sent.
    #[error("reading the file failed after {copied} bytes: {detail}")]
    File {
        /// Bytes sent before the failure.
        copied: u64,
        /// What happened.
        detail: String,
    },
    /// The connection failed.
    #[error("{what}: {source} (did the receiver stop or refuse? check its output)")]
    Network {
        /// What was being done.
        what: String,
        /// The system's error.
        source: io::Error,
    },
}

/// Runs `wirelab send-file`.
pub fn run(args: &SendFileOptions) -> anyhow::Result<ExitCode> {
    let path = &args.file;
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read the size of {}", path.display()))?;
    if !meta.is_file() {
        anyhow::bail!("{} is not a regular file", path.display());
    }
    let name = match &args.name {
        Some(name) => name.clone(),
        None => path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
            .context("the file's name is not valid UTF-8; choose one with --name")?,
    };
    let endpoint = Endpoint::parse(&args.server, args.default_port)?;
    let hint = format!("wirelab recv-file --port {} --dir DIR", endpoint.port);
    let mut stream = net::connect(&endpoint, &hint)?;
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().context("reading the receiver address")?;
    let local = stream.local_addr().context("reading the local address")?;
    say!("connected to {peer} from {local}");
    say!("sending {name:?} ({} bytes)", meta.len());

    let bar = if io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(meta.len()), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40.cyan/blue} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    let emit: Emit = {
        let bar = bar.clone();
        Arc::new(move |line: &str| bar.suspend(|| say!("{line}")))
    };
    let interval = Duration::try_from_secs_f64(args.interval)
        .ok()
        .filter(|d| !d.is_zero());
    let label = format!("{local} -> {peer}");
    let result = send(
        &mut stream,
        &file,
        &name,
        meta.len(),
        &label,
        interval,
        &emit,
        &|n| bar.inc(n),
    );
    bar.finish_and_clear();
    let sent = result?;
    say!(
        "{}",
        meter::summary_line(&label, "sent", sent.bytes, sent.elapsed)
    );
    say!("BLAKE3 {}", sent.digest.to_hex());
    say!("receiver: {}", sent.note);
    Ok(ExitCode::SUCCESS)
}

/// Sends `size` bytes of `file` as `name` over `conn` and waits for the receiver's verdict.
#[allow(clippy::too_many_arguments)]
pub fn send<S: Read + Write>(
    conn: &mut S,
    file: &File,
    name: &str,
    size: u64,
    label: &str,
    interval: Option<Duration>,
    emit: &Emit,
    progress: &dyn Fn(u64),
) -> Result<Sent, SendError> {
    let net_err = |what: &str| {
        let what = what.to_string();
        move |source| SendError::Network { what, source }
    };
    let header = Header {
        name: name.to_string(),
        size,
    }
    .encode()
    .ok_or(SendError::NameTooLong(name.len()))?;
    conn.write_all(&header)
        .map_err(net_err("sending the header"))?;
    match Verdict::read_from(conn).map_err(net_err("waiting for the receiver's go-ahead"))? {
        Verdict::Ok(_) => {}
        Verdict::Refused(why) => return Err(SendError::Refused(peer_text(&why))),
    }
    let meter = Meter::start(label.to_string(), interval, Arc::clone(emit));
    let digest = copy::copy_hashing(&mut &*file, conn, size, &|n| {
        meter.add(n);
        progress(n);
    })
    .map_err(|err| match err {
        CopyError::Eof { copied } => SendError::File {
            copied,
            detail: format!("the file got shorter while being sent (expected {size} bytes)"),
        },
        CopyError::Read { copied, source } => SendError::File {
            copied,
            detail: source.to_string(),
        },
        CopyError::Write { copied, source } => SendError::Network {
            what: format!("sending the data failed after {copied} bytes"),
            source,
        },
    })?;
    conn.write_all(digest.as_bytes())
        .and_then(|()| conn.flush())
        .map_err(net_err("sending the digest"))?;
    let verdict =
        Verdict::read_from(conn).map_err(net_err("waiting for the receiver's verdict"))?;
    let (bytes, elapsed) = meter.finish();
    match verdict {
        Verdict::Ok(note) => Ok(Sent {
            bytes,
            elapsed,
            digest,
            note: peer_text(&note),
        }),
        Verdict::Refused(why) => Err(SendError::Refused(peer_text(&why))),
    }
}

/// The receiver's words reach the sender's terminal: escaped like all peer text.
fn peer_text(msg: &str) -> String {
    crate::render::text::escape(msg.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Seek as _;

    /// An in-memory connection: reads the scripted verdicts, collects what the sender sends.
    struct Duplex {
        input: io::Cursor<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn verdicts(list: &[Verdict]) -> Vec<u8> {
        let mut out = Vec::new();
        for v in list {
            let _ = v.write_to(&mut out);
        }
        out
    }

    fn file_with(data: &[u8]) -> File {
        let Ok(mut file) = tempfile::tempfile() else {
            panic!("no temporary file")
        };
        assert!(file.write_all(data).is_ok() && file.rewind().is_ok());
        file
    }

    #[test]
    fn sends_header_data_and_digest_in_that_order() {
        let data = b"0123456789".to_vec();
        let file = file_with(&data);
        let mut conn = Duplex {
            input: io::Cursor::new(verdicts(&[
                Verdict::Ok("go".into()),
                Verdict::Ok("saved".into()),
            ])),
            output: Vec::new(),
        };
        let emit: Emit = Arc::new(|_: &str| {});
        let sent = send(&mut conn, &file, "n", 10, "t", None, &emit, &|_| {});
        assert_eq!(
            sent.ok().map(|s| (s.bytes, s.note)),
            Some((10, "saved".to_string()))
        );
        let mut expected = b"WLFT\x01\x00\x01n\x00\x00\x00\x00\x00\x00\x00\x0a".to_vec();
        expected.extend_from_slice(&data);
        expected.extend_from_slice(blake3::hash(&data).as_bytes());
        assert_eq!(conn.output, expected);
    }

    #[test]
    fn a_refusal_stops_before_the_data() {
        let file = file_with(b"secret");
        let mut conn = Duplex {
            input: io::Cursor::new(verdicts(&[Verdict::Refused("exists".into())])),
            output: Vec::new(),
        };
        let emit: Emit = Arc::new(|_: &str| {});
        let err = send(&mut conn, &file, "n", 6, "t", None, &emit, &|_| {}).err();
        assert!(matches!(err, Some(SendError::Refused(m)) if m == "exists"));
        assert!(!conn.output.windows(6).any(|w| w == b"secret"));
    }
}

//! `wirelab recv-file`: accept senders (a thread each), check each header, write the data to a
//! temporary file inside DIR, and keep it under its name only once the BLAKE3 digest matches.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::Context as _;

use crate::demo::net;
use crate::demo::options::RecvFileOptions;
use crate::demo::say;
use crate::demo::transfer::copy::{self, CopyError};
use crate::demo::transfer::meter::{self, Emit, Meter};
use crate::demo::transfer::protocol::{self, DIGEST_LEN, Header, HeaderError, NameError, Verdict};

/// How the receiver stores files.
#[derive(Debug, Clone)]
pub struct Options {
    /// Directory the files go to.
    pub dir: PathBuf,
    /// Replace existing files.
    pub force: bool,
    /// Time between interval lines (`None`: no interval lines).
    pub interval: Option<Duration>,
}

/// A file received, checked and saved.
#[derive(Debug, Clone)]
pub struct Received {
    /// Where it was saved.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Time from header to saved.
    pub elapsed: Duration,
    /// Its BLAKE3 digest.
    pub digest: blake3::Hash,
}

/// Why a transfer was not saved.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// The header was bad or incomplete.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// The file name is not acceptable.
    #[error("refused the name {name:?}: {reason}")]
    Name {
        /// The name as sent.
        name: String,
        /// What is wrong with it.
        reason: NameError,
    },
    /// A file of that name exists and `--force` was not given.
    #[error("{path} already exists; the receiver keeps it (start the receiver with --force to replace files)", path = path.display())]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// The temporary file could not be created.
    #[error("cannot create a temporary file in {dir}: {source}", dir = dir.display())]
    TempFile {
        /// The receiving directory.
        dir: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// The sender went away before all the data (or the digest) arrived.
    #[error("the sender disconnected after {received} of {expected} bytes{what}; the partial file was removed", what = if *received == *expected { " (before the digest)" } else { "" })]
    EarlyEof {
        /// Bytes received.
        received: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// The connection failed during the data.
    #[error(
        "the connection failed after {received} of {expected} bytes: {source}; the partial file was removed"
    )]
    Network {
        /// Bytes received.
        received: u64,
        /// Bytes announced.
        expected: u64,
        /// The system's error.
        source: io::Error,
    },
    /// Writing the temporary file failed (disk full...).
    #[error(
        "writing the file failed after {written} bytes: {source}; the partial file was removed"
    )]
    Write {
        /// Bytes written.
        written: u64,
        /// The system's error.
        source: io::Error,
    },
    /// The data does not match the sender's digest.
    #[error(
        "BLAKE3 digest mismatch: the sender computed {expected}, the data received hashes to {actual}; the file was discarded"
    )]
    DigestMismatch {
        /// The sender's digest (hex).
        expected: String,
        /// The digest of the bytes received (hex).
        actual: String,
    },
    /// Renaming the checked file into place failed.
    #[error("cannot save {path}: {source}", path = path.display())]
    Save {
        /// The final path.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
}

/// Runs `wirelab recv-file`.
pub fn run(args: &RecvFileOptions) -> anyhow::Result<ExitCode> {
    let dir = &args.dir;
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => anyhow::bail!("{} is not a directory; give one with --dir", dir.display()),
        Err(err) => {
            return Err(err).with_context(|| {
                format!(
                    "cannot use {} as the receiving directory (create it with `mkdir -p {}`)",
                    dir.display(),
                    dir.display()
                )
            });
        }
    }
    let listener = net::bind_tcp(args.bind, args.port)?;
    let local = listener
        .local_addr()
        .context("reading the listening address")?;
    say!(
        "listening on {local} (send-file receiver: files go to {}, each checked with BLAKE3{})",
        dir.display(),
        if args.force {
            "; existing files are replaced"
        } else {
            ""
        }
    );
    let opts = Arc::new(Options {
        dir: dir.clone(),
        force: args.force,
        interval: Duration::try_from_secs_f64(args.interval)
            .ok()
            .filter(|d| !d.is_zero()),
    });
    let emit: Emit = Arc::new(|line: &str| say!("{line}"));
    let mut number = 0u64;
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(err) => {
                say!("accept failed: {err}");
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        number += 1;
        let label = format!("#{number} {peer}");
        say!("[{label}] connected");
        if args.once {
            let ok = handle(stream, &label, &opts, &emit);
            return Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        let opts = Arc::clone(&opts);
        let emit = Arc::clone(&emit);
        let spawned = thread::Builder::new()
            .name(label.clone())
            .spawn(move || handle(stream, &label, &opts, &emit));
        if let Err(err) = spawned {
            say!("cannot start a thread for {peer}: {err}");
        }
    }
}

/// Receives one transfer and prints its outcome; true when the file was saved.
fn handle(mut stream: TcpStream, label: &str, opts: &Options, emit: &Emit) -> bool {
    match receive(&mut stream, label, opts, emit) {
        Ok(got) => {
            say!(
                "[{label}] BLAKE3 {} matches: saved {}",
                got.digest.to_hex(),
                got.path.display()
            );
            true
        }
        Err(err) => {
            say!("[{label}] error: {err}");
            false
        }
    }
}

/// Receives one transfer from `conn` into `opts.dir`, answering the sender with verdicts.
pub fn receive<S: Read + Write>(
    conn: &mut S,
    label: &str,
    opts: &Options,
    emit: &Emit,
) -> Result<Received, ReceiveError> {
    let header = match Header::read_from(conn) {
        Ok(header) => header,
        Err(err) => {
            if !matches!(err, HeaderError::Io(_)) {
                let _ = Verdict::Refused(err.to_string()).write_to(conn);
            }
            return Err(err.into());
        }
    };
    let refuse = |conn: &mut S, err: ReceiveError| {
        let _ = Verdict::Refused(err.to_string()).write_to(conn);
        err
    };
    if let Err(reason) = protocol::check_name(&header.name) {
        return Err(refuse(
            conn,
            ReceiveError::Name {
                name: header.name,
                reason,
            },
        ));
    }
    let path = opts.dir.join(&header.name);
    if !opts.force && fs::symlink_metadata(&path).is_ok() {
        return Err(refuse(conn, ReceiveError::Exists { path }));
    }
    let temp = match TempFile::create(&opts.dir) {
        Ok(temp) => temp,
        Err(source) => {
            let err = ReceiveError::TempFile {
                dir: opts.dir.clone(),
                source,
            };
            return Err(refuse(conn, err));
        }
    };
    emit(&format!(
        "[{label}] receiving {:?} ({} bytes) into {}",
        header.name,
        header.size,
        path.display()
    ));
    let _ = Verdict::Ok("go ahead".into()).write_to(conn);

    let meter = Meter::start(label.to_string(), opts.interval, Arc::clone(emit));
    let expected = header.size;
    let mut file = temp.file();
    let copied = copy::copy_hashing(conn, &mut file, expected, &|n| meter.add(n));
    let digest = match copied {
        Ok(digest) => digest,
        Err(CopyError::Eof { copied }) => {
            return Err(ReceiveError::EarlyEof {
                received: copied,
                expected,
            });
        }
        Err(CopyError::Read { copied, source }) => {
            return Err(ReceiveError::Network {
                received: copied,
                expected,
                source,
            });
        }
        Err(CopyError::Write { copied, source }) => {
            return Err(refuse(
                conn,
                ReceiveError::Write {
                    written: copied,
                    source,
                },
            ));
        }
    };
    let mut sent_digest = [0u8; DIGEST_LEN];
    if let Err(err) = conn.read_exact(&mut sent_digest) {
        return Err(match err.kind() {
            io::ErrorKind::UnexpectedEof => ReceiveError::EarlyEof {
                received: expected,
                expected,
            },
            _ => ReceiveError::Network {
                received: expected,
                expected,
                source: err,
            },
        });
    }
    let sent_digest = blake3::Hash::from_bytes(sent_digest);
    if sent_digest != digest {
        let err = ReceiveError::DigestMismatch {
            expected: sent_digest.to_hex().to_string(),
            actual: digest.to_hex().to_string(),
        };
        return Err(refuse(conn, err));
    }
    if let Err(err) = temp.persist(&path, opts.force) {
        return Err(refuse(conn, err));
    }
    let (bytes, elapsed) = meter.finish();
    emit(&meter::summary_line(label, "received", bytes, elapsed));
    let _ = Verdict::Ok(format!(
        "saved as {} ({expected} bytes), BLAKE3 digest verified",
        header.name
    ))
    .write_to(conn);
    Ok(Received {
        path,
        bytes,
        elapsed,
        digest,
    })
}

/// A hidden temporary file in the receiving directory, removed on drop unless persisted.
struct TempFile {
    path: PathBuf,
    file: File,
    keep: bool,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl TempFile {
    /// Creates a new, unique `.wirelab-PID-N.part` file (never follows or reuses an entry).
    fn create(dir: &Path) -> io::Result<TempFile> {
        let mut last = None;
        for _ in 0..100 {
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".wirelab-{}-{n}.part", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file,
                        keep: false,
                    });
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => last = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
    }

    /// The open file, for writing.
    fn file(&self) -> &File {
        &self.file
    }

    /// Gives the file its final name. Without `force`, an existing file is never replaced
    /// (hard link + unlink fails if the name exists, even if it appeared meanwhile).
    fn persist(mut self, path: &Path, force: bool) -> Result<(), ReceiveError> {
        let save_err = |source| ReceiveError::Save {
            path: path.to_path_buf(),
            source,
        };
        if force {
            fs::rename(&self.path, path).map_err(save_err)?;
        } else {
            match fs::hard_link(&self.path, path) {
                Ok(()) => {
                    let _ = fs::remove_file(&self.path);
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(ReceiveError::Exists {
                        path: path.to_path_buf(),
                    });
                }
                // File systems without hard links: check, then rename (a small race remains).
                Err(_) if fs::symlink_metadata(path).is_err() => {
                    fs::rename(&self.path, path).map_err(save_err)?;
                }
                Err(_) => {
                    return Err(ReceiveError::Exists {
                        path: path.to_path_buf(),
                    });
                }
            }
        }
        self.keep = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory connection: reads the scripted sender bytes, collects the verdicts.
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

    fn script(name: &str, size: u64, data: &[u8], digest: Option<[u8; 32]>) -> Duplex {
        let mut input = Header {
            name: name.into(),
            size,
        }
        .encode()
        .unwrap_or_default();
        input.extend_from_slice(data);
        if let Some(d) = digest {
            input.extend_from_slice(&d);
        }
        Duplex {
            input: io::Cursor::new(input),
            output: Vec::new(),
        }
    }

    fn verdicts(out: &[u8]) -> Vec<Verdict> {
        let mut r = out;
        std::iter::from_fn(|| Verdict::read_from(&mut r).ok()).collect()
    }

    fn run(conn: &mut Duplex, dir: &Path) -> Result<Received, ReceiveError> {
        let opts = Options {
            dir: dir.to_path_buf(),
            force: false,
            interval: None,
        };
        let emit: Emit = Arc::new(|_: &str| {});
        receive(conn, "t", &opts, &emit)
    }

    fn listing(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_good_transfer_is_saved_and_both_verdicts_say_so() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory")
        };
        let data = b"hello, file".to_vec();
        let mut conn = script("f.txt", 11, &data, Some(*blake3::hash(&data).as_bytes()));
        let got = run(&mut conn, dir.path()).ok().map(|r| r.bytes);
        assert_eq!(got, Some(11));
        assert_eq!(fs::read(dir.path().join("f.txt")).ok(), Some(data));
        let v = verdicts(&conn.output);
        assert!(
            matches!(v.as_slice(), [Verdict::Ok(_), Verdict::Ok(m)] if m.contains("saved as f.txt"))
        );
        assert_eq!(listing(dir.path()), ["f.txt"]);
    }

    #[test]
    fn a_path_name_is_refused_before_any_data() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory")
        };
        let mut conn = script("../x", 1, b"x", None);
        let err = run(&mut conn, dir.path()).err();
        assert!(matches!(err, Some(ReceiveError::Name { .. })));
        assert!(matches!(
            verdicts(&conn.output).as_slice(),
            [Verdict::Refused(_)]
        ));
        assert!(listing(dir.path()).is_empty());
    }

    #[test]
    fn a_short_stream_or_a_wrong_digest_leaves_nothing() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory")
        };
        let mut short = script("a", 100, &[1; 40], None);
        let err = run(&mut short, dir.path()).err();
        assert!(matches!(
            err,
            Some(ReceiveError::EarlyEof {
                received: 40,
                expected: 100
            })
        ));
        let mut no_digest = script("b", 3, b"abc", None);
        assert!(matches!(
            run(&mut no_digest, dir.path()).err(),
            Some(ReceiveError::EarlyEof { received: 3, .. })
        ));
        let mut wrong = script("c", 3, b"abc", Some([0; 32]));
        assert!(matches!(
            run(&mut wrong, dir.path()).err(),
            Some(ReceiveError::DigestMismatch { .. })
        ));
        assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    }
}

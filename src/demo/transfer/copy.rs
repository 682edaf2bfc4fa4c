//! The data phase of a transfer, built for speed on the two CPUs a lab machine may have: the
//! fewest copies, hashing beside the copy rather than in its way.
//!
//! * sender: sendfile(2) moves the file to the socket inside the kernel while a second thread
//!   hashes the file with positional reads;
//! * receiver: splice(2) moves the socket's data into the file through a pipe, inside the
//!   kernel, while a second thread hashes what has reached the file.
//!
//! Where the kernel refuses (a file system without splice, a non-socket in tests) both fall
//! back to plain reads and writes. The system calls come from `rustix` (safe wrappers).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;

use rustix::pipe::SpliceFlags;

/// Size of each hashing read and of each fallback buffer.
pub const CHUNK: usize = 1 << 20;
/// Bytes moved per sendfile call on the sending side (one progress update each).
const SEND_STEP: u64 = 4 << 20;
/// Pipe capacity asked for on the receiving side (the kernel may grant less).
const PIPE_SIZE: usize = 1 << 20;

/// Why the copy stopped early.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The input ended before `size` bytes.
    #[error("input ended after {copied} bytes")]
    Eof {
        /// Bytes copied before the end.
        copied: u64,
    },
    /// Reading failed.
    #[error("reading failed after {copied} bytes: {source}")]
    Read {
        /// Bytes copied before the failure.
        copied: u64,
        /// The system's error.
        source: io::Error,
    },
    /// Writing failed.
    #[error("writing failed after {copied} bytes: {source}")]
    Write {
        /// Bytes copied before the failure.
        copied: u64,
        /// The system's error.
        source: io::Error,
    },
}

/// True for the errors that mean "this kind of descriptor cannot do that": fall back.
fn unsupported(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(code) if code == rustix::io::Errno::INVAL.raw_os_error()
            || code == rustix::io::Errno::NOSYS.raw_os_error()
            || code == rustix::io::Errno::OPNOTSUPP.raw_os_error()
    )
}

/// Sends bytes `0..size` of `file` to `conn` and returns their BLAKE3 digest; `progress` gets
/// each step's byte count. Should the file change meanwhile, the bytes sent and the bytes
/// hashed may differ, and the receiver refuses the transfer.
pub fn send_file<W: Write + AsFd + ?Sized>(
    file: &File,
    conn: &mut W,
    size: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<blake3::Hash, CopyError> {
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        let hasher = scope.spawn(|| hash_file_range(file, size, &stop));
        let sent = send_bytes(file, conn, size, progress);
        if sent.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let hashed = hasher.join().unwrap_or_else(|_| {
            Err(CopyError::Read {
                copied: 0,
                source: io::Error::other("the hashing thread failed"),
            })
        });
        let copied = sent?;
        let digest = hashed?;
        conn.flush()
            .map_err(|source| CopyError::Write { copied, source })?;
        Ok(digest)
    })
}

/// Moves bytes `0..size` of `file` to `conn` (sendfile, or reads and writes).
fn send_bytes<W: Write + AsFd + ?Sized>(
    file: &File,
    conn: &mut W,
    size: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, CopyError> {
    let mut offset = 0u64;
    while offset < size {
        let step = usize::try_from((size - offset).min(SEND_STEP)).unwrap_or(CHUNK);
        match rustix::fs::sendfile(conn.as_fd(), file, Some(&mut offset), step) {
            Ok(0) => return Err(CopyError::Eof { copied: offset }),
            Ok(n) => progress(n as u64),
            Err(rustix::io::Errno::INTR) => {}
            Err(errno) => {
                let err = io::Error::from(errno);
                if offset == 0 && unsupported(&err) {
                    return send_bytes_plain(file, conn, size, progress);
                }
                return Err(CopyError::Write {
                    copied: offset,
                    source: err,
                });
            }
        }
    }
    Ok(offset)
}

/// The portable path: positional reads into a buffer, then writes.
fn send_bytes_plain<W: Write + ?Sized>(
    file: &File,
    conn: &mut W,
    size: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; CHUNK];
    let mut offset = 0u64;
    while offset < size {
        let want = usize::try_from(size - offset).unwrap_or(CHUNK).min(CHUNK);
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let n = match file.read_at(chunk, offset) {
            Ok(0) => return Err(CopyError::Eof { copied: offset }),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(CopyError::Read {
                    copied: offset,
                    source,
                });
            }
        };
        conn.write_all(chunk.get(..n).unwrap_or_default())
            .map_err(|source| CopyError::Write {
                copied: offset,
                source,
            })?;
        offset += n as u64;
        progress(n as u64);
    }
    Ok(offset)
}

/// BLAKE3 of bytes `0..size` of `file`, read with `pread` (the file offset is not touched);
/// gives up early when `stop` is set.
fn hash_file_range(file: &File, size: u64, stop: &AtomicBool) -> Result<blake3::Hash, CopyError> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 4 * CHUNK];
    let mut offset = 0u64;
    while offset < size && !stop.load(Ordering::Relaxed) {
        offset = hash_some(file, &mut hasher, &mut buf, offset, size)?;
    }
    Ok(hasher.finalize())
}

/// Hashes one buffer's worth of `file` from `offset` (at most up to `end`); returns the new
/// offset.
fn hash_some(
    file: &File,
    hasher: &mut blake3::Hasher,
    buf: &mut [u8],
    offset: u64,
    end: u64,
) -> Result<u64, CopyError> {
    let want = usize::try_from(end.saturating_sub(offset))
        .unwrap_or(buf.len())
        .min(buf.len());
    let chunk = buf.get_mut(..want).unwrap_or_default();
    loop {
        match file.read_at(chunk, offset) {
            Ok(0) => return Err(CopyError::Eof { copied: offset }),
            Ok(n) => {
                hasher.update(chunk.get(..n).unwrap_or_default());
                return Ok(offset + n as u64);
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(CopyError::Read {
                    copied: offset,
                    source,
                });
            }
        }
    }
}

/// Receives exactly `size` bytes from `conn` into `file` (from offset 0; it must be open for
/// reading too) and returns their BLAKE3 digest; `progress` gets each step's byte count.
/// Bytes after `size` stay unread in `conn`.
pub fn receive_file<R: Read + AsFd + ?Sized>(
    conn: &mut R,
    file: &File,
    size: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<blake3::Hash, CopyError> {
    let (written_tx, written_rx) = mpsc::channel::<u64>();
    thread::scope(|scope| {
        let hasher = scope.spawn(move || hash_following(file, &written_rx));
        let moved = receive_bytes(conn, file, size, &|n, total| {
            progress(n);
            // The hasher only stops early on a read error, which it reports itself.
            let _ = written_tx.send(total);
        });
        drop(written_tx);
        let hashed = hasher.join().unwrap_or_else(|_| {
            Err(CopyError::Read {
                copied: 0,
                source: io::Error::other("the hashing thread failed"),
            })
        });
        let copied = moved?;
        let (digest, hashed_len) = hashed?;
        if hashed_len != copied {
            return Err(CopyError::Read {
                copied: hashed_len,
                source: io::Error::other("the file changed while it was being received"),
            });
        }
        Ok(digest)
    })
}

/// Hashes `file` from the start, up to each total announced on `written`, until the channel
/// closes; returns the digest and the number of bytes hashed.
fn hash_following(
    file: &File,
    written: &mpsc::Receiver<u64>,
) -> Result<(blake3::Hash, u64), CopyError> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 4 * CHUNK];
    let mut offset = 0u64;
    for mut end in written {
        // Catch up with announcements that queued up meanwhile.
        while let Ok(later) = written.try_recv() {
            end = later;
        }
        while offset < end {
            offset = hash_some(file, &mut hasher, &mut buf, offset, end)?;
        }
    }
    Ok((hasher.finalize(), offset))
}

/// Moves `size` bytes from `conn` to `file` (splice through a pipe, or reads and writes);
/// `step(n, total)` is called after each step.
fn receive_bytes<R: Read + AsFd + ?Sized>(
    conn: &mut R,
    file: &File,
    size: u64,
    step: &dyn Fn(u64, u64),
) -> Result<u64, CopyError> {
    let Ok((pipe_out, pipe_in)) = rustix::pipe::pipe() else {
        return receive_bytes_plain(conn, file, size, 0, step);
    };
    let capacity = rustix::pipe::fcntl_setpipe_size(&pipe_in, PIPE_SIZE)
        .or_else(|_| rustix::pipe::fcntl_getpipe_size(&pipe_in))
        .unwrap_or(64 * 1024)
        .max(4096);
    let mut done = 0u64;
    while done < size {
        let want = usize::try_from(size - done)
            .unwrap_or(capacity)
            .min(capacity);
        let n =
            match rustix::pipe::splice(conn.as_fd(), None, &pipe_in, None, want, SpliceFlags::MORE)
            {
                Ok(0) => return Err(CopyError::Eof { copied: done }),
                Ok(n) => n,
                Err(rustix::io::Errno::INTR) => continue,
                Err(errno) => {
                    let err = io::Error::from(errno);
                    if done == 0 && unsupported(&err) {
                        return receive_bytes_plain(conn, file, size, 0, step);
                    }
                    return Err(CopyError::Read {
                        copied: done,
                        source: err,
                    });
                }
            };
        // Drain the pipe into the file at the right offset.
        let mut left = n;
        let mut offset = done;
        while left > 0 {
            match rustix::pipe::splice(
                &pipe_out,
                None,
                file,
                Some(&mut offset),
                left,
                SpliceFlags::empty(),
            ) {
                Ok(0) => {
                    return Err(CopyError::Write {
                        copied: done,
                        source: io::Error::from(io::ErrorKind::WriteZero),
                    });
                }
                Ok(m) => left = left.saturating_sub(m),
                Err(rustix::io::Errno::INTR) => {}
                Err(errno) => {
                    return Err(CopyError::Write {
                        copied: done,
                        source: errno.into(),
                    });
                }
            }
        }
        done += n as u64;
        step(n as u64, done);
    }
    Ok(done)
}

/// The portable path: reads into a buffer, positional writes into the file.
fn receive_bytes_plain<R: Read + ?Sized>(
    conn: &mut R,
    file: &File,
    size: u64,
    mut done: u64,
    step: &dyn Fn(u64, u64),
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; CHUNK];
    while done < size {
        let want = usize::try_from(size - done).unwrap_or(CHUNK).min(CHUNK);
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let n = match conn.read(chunk) {
            Ok(0) => return Err(CopyError::Eof { copied: done }),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(CopyError::Read {
                    copied: done,
                    source,
                });
            }
        };
        file.write_all_at(chunk.get(..n).unwrap_or_default(), done)
            .map_err(|source| CopyError::Write {
                copied: done,
                source,
            })?;
        done += n as u64;
        step(n as u64, done);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Seek as _;
    use std::os::unix::net::UnixStream;
    use std::sync::atomic::AtomicU64;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn temp_file_with(data: &[u8]) -> Option<File> {
        let mut file = tempfile::tempfile().ok()?;
        file.write_all(data).ok()?;
        file.rewind().ok()?;
        Some(file)
    }

    /// A connected socket pair; `feed` is written into one end (then closed) by a thread.
    fn socket_fed_with(feed: Vec<u8>) -> Option<(UnixStream, thread::JoinHandle<()>)> {
        let (mut tx, rx) = UnixStream::pair().ok()?;
        let writer = thread::spawn(move || {
            let _ = tx.write_all(&feed);
        });
        Some((rx, writer))
    }

    /// A connected socket pair whose far end is read to the end by a thread.
    fn socket_drained() -> Option<(UnixStream, thread::JoinHandle<Vec<u8>>)> {
        let (tx, mut rx) = UnixStream::pair().ok()?;
        let reader = thread::spawn(move || {
            let mut got = Vec::new();
            let _ = rx.read_to_end(&mut got);
            got
        });
        Some((tx, reader))
    }

    #[test]
    fn sending_copies_exactly_and_hashes_like_blake3() {
        let data = pattern(9 * CHUNK + 17);
        let (Some(file), Some((mut conn, reader))) = (temp_file_with(&data), socket_drained())
        else {
            panic!("test set-up failed")
        };
        let total = AtomicU64::new(0);
        let digest = send_file(&file, &mut conn, data.len() as u64, &|n| {
            total.fetch_add(n, Ordering::Relaxed);
        });
        drop(conn);
        assert_eq!(digest.ok(), Some(blake3::hash(&data)));
        assert_eq!(reader.join().ok(), Some(data.clone()));
        assert_eq!(total.into_inner(), data.len() as u64);
    }

    #[test]
    fn sending_a_file_shorter_than_announced_fails() {
        let data = pattern(1000);
        let (Some(file), Some((mut conn, reader))) = (temp_file_with(&data), socket_drained())
        else {
            panic!("test set-up failed")
        };
        let err = send_file(&file, &mut conn, 1001, &|_| {}).err();
        drop(conn);
        let _ = reader.join();
        assert!(
            matches!(err, Some(CopyError::Eof { copied: 1000 })),
            "{err:?}"
        );
    }

    #[test]
    fn the_plain_paths_copy_exactly_too() {
        let data = pattern(2 * CHUNK + 9);
        let Some(file) = temp_file_with(&data) else {
            panic!("no temporary file")
        };
        let mut out = Vec::new();
        let sent = send_bytes_plain(&file, &mut out, data.len() as u64, &|_| {});
        assert_eq!(sent.ok(), Some(data.len() as u64));
        assert_eq!(out, data);
        let Some(target) = temp_file_with(b"") else {
            panic!("no temporary file")
        };
        let got = receive_bytes_plain(
            &mut data.as_slice(),
            &target,
            data.len() as u64,
            0,
            &|_, _| {},
        );
        assert_eq!(got.ok(), Some(data.len() as u64));
        let mut back = vec![0u8; data.len()];
        assert!(target.read_exact_at(&mut back, 0).is_ok());
        assert_eq!(back, data);
    }

    #[test]
    fn receiving_copies_exactly_and_hashes_like_blake3() {
        let data = pattern(5 * CHUNK + 5);
        // Bytes after `size` (the digest, in the protocol) must stay unread.
        let mut feed = data.clone();
        feed.extend_from_slice(b"trailer");
        let (Some(mut file), Some((mut conn, writer))) =
            (temp_file_with(b""), socket_fed_with(feed))
        else {
            panic!("test set-up failed")
        };
        let total = AtomicU64::new(0);
        let digest = receive_file(&mut conn, &file, data.len() as u64, &|n| {
            total.fetch_add(n, Ordering::Relaxed);
        });
        let _ = writer.join();
        assert_eq!(digest.ok(), Some(blake3::hash(&data)));
        let mut rest = Vec::new();
        assert!(conn.read_to_end(&mut rest).is_ok());
        assert_eq!(rest, b"trailer");
        assert_eq!(total.into_inner(), data.len() as u64);
        let mut back = Vec::new();
        assert!(file.rewind().is_ok() && file.read_to_end(&mut back).is_ok());
        assert_eq!(back, data);
    }

    #[test]
    fn receiving_reports_a_short_input() {
        let data = pattern(2 * CHUNK + 3);
        let expected = data.len() as u64;
        let (Some(file), Some((mut conn, writer))) = (temp_file_with(b""), socket_fed_with(data))
        else {
            panic!("test set-up failed")
        };
        let err = receive_file(&mut conn, &file, 5 * CHUNK as u64, &|_| {}).err();
        let _ = writer.join();
        assert!(
            matches!(err, Some(CopyError::Eof { copied }) if copied == expected),
            "{err:?}"
        );
    }

    #[test]
    fn receiving_reports_a_failing_file() {
        let data = pattern(4 * CHUNK);
        let size = data.len() as u64;
        // A read-only handle: every write fails.
        let Some(path) = tempfile::NamedTempFile::new().ok() else {
            panic!("no temporary file")
        };
        let (Ok(file), Some((mut conn, writer))) = (File::open(path.path()), socket_fed_with(data))
        else {
            panic!("test set-up failed")
        };
        let err = receive_file(&mut conn, &file, size, &|_| {}).err();
        drop(conn);
        let _ = writer.join();
        assert!(
            matches!(err, Some(CopyError::Write { copied: 0, .. })),
            "{err:?}"
        );
    }
}

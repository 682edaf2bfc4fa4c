//! The data phase of a transfer, on both ends: copy exactly `size` bytes from a reader to a
//! writer while hashing them with BLAKE3.
//!
//! One thread and one 512 KiB buffer per transfer. Measured on a 2-CPU machine (see
//! `scripts/bench-send-file.sh`), this beats sendfile/splice with a hashing thread and a
//! three-stage pipeline: the buffer stays in the CPU's L2 cache, so the data is read from
//! memory once per side (the file on the sender, the socket buffers on the receiver), hashed
//! while hot, and written from the cache. A 1 MiB buffer no longer fits and is much slower.
//! Writes go out in 64 KiB pieces: larger writes make the kernel build larger page-cache
//! folios, which on a VM can come from memory the host must fault in first (measured with dd
//! into a new 1 GiB file: 512 KiB writes 0.9-3 GB/s, 64-256 KiB writes 4.5-5.5 GB/s; 64 KiB
//! gave send-file the steadiest results).

use std::io::{self, Read, Write};

/// Size of the buffer each chunk is read into, hashed from, and written from.
pub const CHUNK: usize = 512 * 1024;
/// Largest single write.
const WRITE_PIECE: usize = 64 * 1024;

/// Why the copy stopped early.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The reader ended before `size` bytes.
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

/// Copies exactly `size` bytes from `src` to `dst` and returns their BLAKE3 digest; bytes after
/// `size` stay unread. `progress` gets the byte count of each chunk written.
pub fn copy_hashing<R, W>(
    src: &mut R,
    dst: &mut W,
    size: u64,
    progress: &dyn Fn(u64),
) -> Result<blake3::Hash, CopyError>
where
    R: Read + ?Sized,
    W: Write + ?Sized,
{
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; CHUNK];
    let mut copied = 0u64;
    while copied < size {
        let want = usize::try_from(size - copied).unwrap_or(CHUNK).min(CHUNK);
        let filled = fill(src, buf.get_mut(..want).unwrap_or_default())
            .map_err(|source| CopyError::Read { copied, source })?;
        let chunk = buf.get(..filled).unwrap_or_default();
        if filled > 0 {
            hasher.update(chunk);
            for piece in chunk.chunks(WRITE_PIECE) {
                dst.write_all(piece)
                    .map_err(|source| CopyError::Write { copied, source })?;
            }
            copied += filled as u64;
            progress(filled as u64);
        }
        if filled < want {
            return Err(CopyError::Eof { copied });
        }
    }
    dst.flush()
        .map_err(|source| CopyError::Write { copied, source })?;
    Ok(hasher.finalize())
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn fill<R: Read + ?Sized>(src: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match src.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    /// A reader that hands out at most 1000 bytes per call, like a socket.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(1000);
            let (head, tail) = self.0.split_at(n);
            buf.get_mut(..n).unwrap_or_default().copy_from_slice(head);
            self.0 = tail;
            Ok(n)
        }
    }

    /// A writer that fails after `ok` bytes, like a full disk.
    struct FullDisk {
        ok: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.ok == 0 {
                return Err(io::Error::other("no space left on device"));
            }
            let n = buf.len().min(self.ok);
            self.ok -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn copies_exactly_and_hashes_like_blake3() {
        let data = pattern(3 * CHUNK + 17);
        let mut input = data.clone();
        input.extend_from_slice(b"trailer");
        let mut src = Trickle(&input);
        let mut out = Vec::new();
        let total = Cell::new(0u64);
        let digest = copy_hashing(&mut src, &mut out, data.len() as u64, &|n| {
            total.set(total.get() + n);
        });
        assert_eq!(digest.ok(), Some(blake3::hash(&data)));
        assert_eq!(out, data);
        assert_eq!(total.get(), data.len() as u64);
        // The bytes after `size` (the digest, in the protocol) are left unread.
        assert_eq!(src.0, b"trailer");
    }

    #[test]
    fn a_short_input_is_reported_with_the_count() {
        let data = pattern(100);
        let mut out = Vec::new();
        let err = copy_hashing(&mut data.as_slice(), &mut out, 101, &|_| {}).err();
        assert!(
            matches!(err, Some(CopyError::Eof { copied: 100 })),
            "{err:?}"
        );
        assert_eq!(out, data);
    }

    #[test]
    fn a_failing_writer_is_reported_with_the_count() {
        let data = pattern(2 * CHUNK);
        let mut disk = FullDisk { ok: CHUNK + 5 };
        let err = copy_hashing(&mut data.as_slice(), &mut disk, data.len() as u64, &|_| {}).err();
        let copied = CHUNK as u64;
        assert!(
            matches!(err, Some(CopyError::Write { copied: c, .. }) if c == copied),
            "{err:?}"
        );
    }

    #[test]
    fn an_empty_file_hashes_to_the_empty_digest() {
        let mut out = Vec::new();
        let digest = copy_hashing(&mut &b""[..], &mut out, 0, &|_| {});
        assert_eq!(digest.ok(), Some(blake3::hash(b"")));
    }
}

//! A look-ahead buffer over a `Read`: the capture reader's only path to the bytes.
//!
//! The reader asks for "at least n bytes from here" ([`Window::fill`]), parses them in place,
//! then [`Window::consume`]s them. The buffer is reused for the whole file: it grows to the
//! largest record or block seen (plus one read chunk) and never with the number of packets.
//! Reads are made in chunks of [`CHUNK`] bytes (after a short ramp-up), so a `BufReader` of
//! that capacity is bypassed (no double copy) and there is no system call per packet.
#![forbid(unsafe_code)]

use std::io::{self, Read};

/// Read request size once the buffer has grown, in bytes.
pub(crate) const CHUNK: usize = 256 * 1024;

/// First read request size, in bytes.
const MIN_ROOM: usize = 16 * 1024;

/// Most attempts after `ErrorKind::Interrupted` before giving up on one read.
const MAX_INTERRUPTED: u32 = 64;

/// A sliding window over the bytes of a reader.
#[derive(Debug)]
pub(crate) struct Window<R> {
    inner: R,
    /// Backing storage; `buf[start..end]` holds the bytes not yet consumed.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// File offset of `buf[start]`.
    offset: u64,
    /// The reader returned 0 bytes: nothing more will come (unless [`Window::retry`]).
    eof: bool,
    /// The file may still be growing: a record cut off at the end is waited for, not
    /// reported (see [`Window::waits_at_end`]).
    follow: bool,
}

impl<R: Read> Window<R> {
    /// Wraps a reader; nothing is read yet.
    pub(crate) fn new(inner: R) -> Self {
        Window {
            inner,
            buf: Vec::new(),
            start: 0,
            end: 0,
            offset: 0,
            eof: false,
            follow: false,
        }
    }

    /// Wraps a reader already positioned at file offset `offset`; nothing is read yet.
    pub(crate) fn at(inner: R, offset: u64) -> Self {
        Window {
            offset,
            ..Window::new(inner)
        }
    }

    /// Treats the end of the data as "not yet": see [`Window::waits_at_end`].
    pub(crate) fn set_follow(&mut self, follow: bool) {
        self.follow = follow;
    }

    /// True when a record cut off by the end of the data should be waited for (the file is
    /// still being written) instead of being reported as damage and consumed.
    pub(crate) fn waits_at_end(&self) -> bool {
        self.follow && self.eof
    }

    /// Forgets that the reader was exhausted, so the next [`Window::fill`] reads again (a
    /// file that has grown since).
    pub(crate) fn retry(&mut self) {
        self.eof = false;
    }

    /// File offset of the first unconsumed byte.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The bytes read but not consumed yet.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    /// The bytes read but not consumed yet, for patching a field in place before parsing.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.start..self.end).unwrap_or(&mut [])
    }

    /// Reads until at least `n` bytes are available or the reader is exhausted.
    ///
    /// Returns the number of bytes available (less than `n` only at end of file).
    pub(crate) fn fill(&mut self, n: usize) -> io::Result<usize> {
        let mut interrupted = 0;
        while self.end - self.start < n && !self.eof {
            if self.buf.len() - self.end < CHUNK {
                self.make_room();
            }
            let Some(dest) = self.buf.get_mut(self.end..) else {
                break;
            };
            let room = dest.len();
            match self.inner.read(dest) {
                Ok(0) => self.eof = true,
                // A broken `Read` may claim more than it was given room for: never trust it.
                Ok(k) => self.end += k.min(room),
                Err(e)
                    if e.kind() == io::ErrorKind::Interrupted && interrupted < MAX_INTERRUPTED =>
                {
                    interrupted += 1;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.start)
    }

    /// Makes free space after `end` for the next read: first by moving the live bytes to the
    /// front when the consumed prefix is at least as large as they are (so each byte is moved
    /// a bounded number of times), then by growing the buffer. The space wanted starts at
    /// [`MIN_ROOM`] and doubles with the buffer up to [`CHUNK`], so a tiny input never costs a
    /// large allocation while a large file is read [`CHUNK`] bytes at a time.
    fn make_room(&mut self) {
        let live = self.end - self.start;
        if self.start > 0 && self.start >= live {
            self.buf.copy_within(self.start..self.end, 0);
            self.start = 0;
            self.end = live;
        }
        let want = self.buf.len().saturating_mul(2).clamp(MIN_ROOM, CHUNK);
        if self.buf.len() - self.end < want {
            self.buf.resize(self.end + want, 0);
        }
    }

    /// Drops the first `n` available bytes (fewer if fewer are available).
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.start += n;
        self.offset += n as u64;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Drops every available byte and everything the reader still has (bounded by the
    /// reader's length); returns how many bytes were dropped.
    pub(crate) fn consume_to_end(&mut self) -> io::Result<u64> {
        let before = self.offset;
        loop {
            let avail = self.end - self.start;
            self.consume(avail);
            if self.fill(1)? == 0 {
                return Ok(self.offset - before);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        calls: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            let n = self.step.min(buf.len()).min(self.data.len());
            let (head, tail) = self.data.split_at(n);
            buf[..n].copy_from_slice(head);
            self.data = tail;
            Ok(n)
        }
    }

    #[test]
    fn fill_consume_and_offsets() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut w = Window::new(Trickle {
            data: &data,
            step: 7,
            calls: 0,
        });
        assert_eq!(w.fill(10).unwrap(), 14); // two reads of 7
        assert_eq!(&w.bytes()[..3], &[0, 1, 2]);
        w.consume(5);
        assert_eq!(w.offset(), 5);
        assert_eq!(w.bytes()[0], 5);
        assert_eq!(w.fill(2000).unwrap(), 995);
        assert_eq!(w.bytes()[994], (999 % 256) as u8);
        w.consume(10_000);
        assert_eq!(w.offset(), 1000);
        assert_eq!(w.fill(1).unwrap(), 0);
    }

    #[test]
    fn large_reads_and_bounded_memory() {
        let data = vec![0xabu8; 10 * CHUNK];
        let mut w = Window::new(Trickle {
            data: &data,
            step: usize::MAX,
            calls: 0,
        });
        // Consume in small records; the buffer must not grow beyond two chunks.
        let mut total = 0;
        while w.fill(100).unwrap() >= 100 {
            w.consume(100);
            total += 100;
        }
        assert_eq!(total, data.len() / 100 * 100);
        assert!(w.buf.len() <= 2 * CHUNK, "buffer grew to {}", w.buf.len());
        // One read per chunk (after a ramp-up of 4 smaller reads, plus the final empty read),
        // not one per record.
        assert!(w.inner.calls <= 16, "{} reads", w.inner.calls);
    }

    #[test]
    fn consume_to_end_counts_bytes() {
        let data = vec![1u8; 3 * CHUNK + 5];
        let mut w = Window::new(Trickle {
            data: &data,
            step: 1000,
            calls: 0,
        });
        w.fill(4).unwrap();
        w.consume(4);
        assert_eq!(w.consume_to_end().unwrap(), data.len() as u64 - 4);
        assert_eq!(w.offset(), data.len() as u64);
    }

    #[test]
    fn interrupted_reads_are_retried_and_errors_returned() {
        struct Flaky(u32);
        impl Read for Flaky {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.0 += 1;
                match self.0 {
                    1 => Err(io::ErrorKind::Interrupted.into()),
                    2 => {
                        buf[0] = 9;
                        Ok(1)
                    }
                    _ => Err(io::Error::other("disk on fire")),
                }
            }
        }
        let mut w = Window::new(Flaky(0));
        assert_eq!(w.fill(1).unwrap(), 1);
        assert_eq!(w.bytes(), &[9]);
        assert_eq!(w.fill(2).unwrap_err().to_string(), "disk on fire");
    }
}

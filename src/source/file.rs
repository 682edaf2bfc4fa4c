//! [`CaptureReader`]: opens a capture file, picks the format by magic number, and yields its
//! frames and warnings one at a time.
#![forbid(unsafe_code)]

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::detect::{SNIFF_LEN, Sniffed, sniff};
use super::pcap::{FILE_HEADER_LEN, PcapRecords};
use super::pcapng::{PcapNgBlocks, SHB_MIN_LEN};
use super::step::{Flow, warning};
use super::window::{CHUNK, Window};
use super::{CaptureFormat, SourceError, SourceEvent};

/// The per-format part of the reader.
#[derive(Debug)]
enum Records {
    Pcap(PcapRecords),
    PcapNg(PcapNgBlocks),
}

/// Where a reader stands between two frames, enough to start another reader there:
/// the byte offset, the frames before it, and the format state (pcap header, or the pcapng
/// section and interfaces in force). Taken with [`CaptureReader::resume_point`], used with
/// [`CaptureReader::resume`]; this is how a viewer jumps into the middle of a large file.
#[derive(Debug, Clone)]
pub struct ResumePoint {
    offset: u64,
    frames: u64,
    format: CaptureFormat,
    records: RecordsState,
}

/// The format state of a [`ResumePoint`].
#[derive(Debug, Clone)]
enum RecordsState {
    Pcap(PcapRecords),
    PcapNg(super::pcapng::Snapshot),
}

impl ResumePoint {
    /// File offset of the next record or block.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Frames before this point (the next frame is number `frames() + 1`).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Rough heap size of the format state, in bytes (for memory budgets).
    pub fn approx_bytes(&self) -> usize {
        match &self.records {
            RecordsState::Pcap(_) => 0,
            RecordsState::PcapNg(s) => s.approx_bytes(),
        }
    }
}

/// Streams the frames of a pcap or pcapng file.
///
/// Iterating yields [`SourceEvent::Frame`] for each packet, numbered from 1, and
/// [`SourceEvent::Warning`] where the file is damaged (see the [module](super) docs for what
/// happens then). Memory stays bounded by the largest block, whatever the packet count. An I/O
/// error in the middle of the file becomes a final warning.
#[derive(Debug)]
pub struct CaptureReader<R> {
    window: Window<R>,
    format: CaptureFormat,
    records: Records,
    /// Frames yielded so far.
    frames: u64,
    /// Events found but not yet returned (a warning and the frame it is about).
    pending: VecDeque<SourceEvent>,
    done: bool,
    /// Stopped before a record that is not complete yet (follow mode).
    waiting: bool,
}

impl CaptureReader<BufReader<File>> {
    /// Opens a capture file and reads its header.
    pub fn open(path: &Path) -> Result<Self, SourceError> {
        let file = File::open(path).map_err(|reason| SourceError::Open {
            path: path.to_path_buf(),
            reason,
        })?;
        CaptureReader::new(BufReader::with_capacity(CHUNK, file))
    }

    /// Opens a capture file at a [`ResumePoint`] taken from an earlier reader of the same
    /// file: the frames read are those after the point, numbered on from it.
    pub fn open_at(path: &Path, point: &ResumePoint) -> Result<Self, SourceError> {
        use std::io::{Seek, SeekFrom};
        let mut file = File::open(path).map_err(|reason| SourceError::Open {
            path: path.to_path_buf(),
            reason,
        })?;
        file.seek(SeekFrom::Start(point.offset))?;
        Ok(CaptureReader::resume(
            BufReader::with_capacity(CHUNK, file),
            point,
        ))
    }
}

impl<R: Read> CaptureReader<R> {
    /// Reads the file header from `reader` and recognises the format by its magic number.
    ///
    /// Fails when the data is not a capture (saying what it looks like instead), when the
    /// header is cut short, or on an I/O error. A `BufReader` is not needed: reads are made in
    /// large chunks.
    pub fn new(reader: R) -> Result<Self, SourceError> {
        let mut window = Window::new(reader);
        let avail = window.fill(SNIFF_LEN)?;
        let prefix = window.bytes().get(..avail.min(SNIFF_LEN)).unwrap_or(&[]);
        let (format, records) = match sniff(prefix) {
            Sniffed::Pcap => {
                if avail < FILE_HEADER_LEN {
                    return Err(SourceError::HeaderCutShort {
                        format: "pcap",
                        needed: FILE_HEADER_LEN,
                        got: avail,
                    });
                }
                let Some((records, format)) = PcapRecords::from_header(window.bytes()) else {
                    return Err(SourceError::BadHeader {
                        reason: "unreadable pcap file header".to_string(),
                    });
                };
                window.consume(FILE_HEADER_LEN);
                (format, Records::Pcap(records))
            }
            Sniffed::PcapNg => {
                if avail < SHB_MIN_LEN {
                    return Err(SourceError::HeaderCutShort {
                        format: "pcapng",
                        needed: SHB_MIN_LEN,
                        got: avail,
                    });
                }
                // The section header block stays in the window: the block loop reads it.
                let records = PcapNgBlocks::new(window.bytes())
                    .map_err(|reason| SourceError::BadHeader { reason })?;
                (CaptureFormat::PcapNg, Records::PcapNg(records))
            }
            Sniffed::Other(kind) => return Err(SourceError::NotACapture { kind }),
        };
        Ok(CaptureReader {
            window,
            format,
            records,
            frames: 0,
            pending: VecDeque::new(),
            done: false,
            waiting: false,
        })
    }

    /// A reader that starts at `point`; `reader` must be positioned at
    /// [`ResumePoint::offset`] of the same file.
    pub fn resume(reader: R, point: &ResumePoint) -> Self {
        let records = match &point.records {
            RecordsState::Pcap(p) => Records::Pcap(p.clone()),
            RecordsState::PcapNg(s) => Records::PcapNg(PcapNgBlocks::restore(s)),
        };
        CaptureReader {
            window: Window::at(reader, point.offset),
            format: point.format,
            records,
            frames: point.frames,
            pending: VecDeque::new(),
            done: false,
            waiting: false,
        }
    }

    /// Where this reader stands, if it is between two frames (`None` while it holds events
    /// not returned yet).
    pub fn resume_point(&self) -> Option<ResumePoint> {
        if !self.pending.is_empty() {
            return None;
        }
        let records = match &self.records {
            Records::Pcap(p) => RecordsState::Pcap(p.clone()),
            Records::PcapNg(b) => RecordsState::PcapNg(b.snapshot()),
        };
        Some(ResumePoint {
            offset: self.window.offset(),
            frames: self.frames,
            format: self.format,
            records,
        })
    }

    /// Follow mode, for a file that is still being written (a live capture's output):
    /// at a record cut off by the end of the file, iteration ends without a warning and
    /// without consuming it ([`CaptureReader::is_waiting`]); after [`CaptureReader::retry`]
    /// it goes on from there.
    pub fn set_follow(&mut self, follow: bool) {
        self.window.set_follow(follow);
    }

    /// True when iteration stopped at the end of the data in follow mode (the last record
    /// may be incomplete): [`CaptureReader::retry`] once the file has grown.
    pub fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// After the end in follow mode: read on from where the reader stopped.
    pub fn retry(&mut self) {
        if self.waiting {
            self.waiting = false;
            self.done = false;
            self.window.retry();
        }
    }

    /// The format found from the magic number.
    pub fn format(&self) -> &CaptureFormat {
        &self.format
    }

    /// Bytes of the file consumed so far (for progress; the offset of the next record).
    pub fn bytes_read(&self) -> u64 {
        self.window.offset()
    }

    /// Frames yielded so far.
    pub fn frames_read(&self) -> u64 {
        self.frames
    }
}

impl<R: Read> Iterator for CaptureReader<R> {
    type Item = SourceEvent;

    fn next(&mut self) -> Option<SourceEvent> {
        loop {
            if let Some(mut event) = self.pending.pop_front() {
                if let SourceEvent::Frame(frame) = &mut event {
                    self.frames += 1;
                    frame.number = self.frames;
                }
                return Some(event);
            }
            if self.done {
                return None;
            }
            let before = self.window.offset();
            let step = match &mut self.records {
                Records::Pcap(records) => records.step(&mut self.window, &mut self.pending),
                Records::PcapNg(blocks) => blocks.step(&mut self.window, &mut self.pending),
            };
            match step {
                Ok(Flow::Continue) => {
                    // Every step consumes bytes or produces an event; if not, stop rather
                    // than spin (defensive: no known input does this).
                    if self.window.offset() == before && self.pending.is_empty() {
                        self.done = true;
                    }
                }
                Ok(Flow::End) => self.done = true,
                Ok(Flow::Wait) => {
                    self.done = true;
                    self.waiting = true;
                }
                Err(e) => {
                    self.done = true;
                    let offset = self.window.offset();
                    self.pending
                        .push_back(warning(offset, format!("read error: {e}; reading stops")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;

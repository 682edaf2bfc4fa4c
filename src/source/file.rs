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
mod tests {
    use std::io::Write;
    use std::time::Duration;

    use super::super::testdata::{self, epb, idb, pcap_header, pcap_record, shb};
    use super::super::{FileKind, ReadWarning};
    use super::*;
    use crate::frame::{Frame, LinkType};

    fn open_err(bytes: &[u8]) -> SourceError {
        match CaptureReader::new(bytes) {
            Ok(r) => panic!("expected an error, got {:?}", r.format()),
            Err(e) => e,
        }
    }

    #[test]
    fn not_a_capture() {
        assert!(matches!(
            open_err(b""),
            SourceError::NotACapture {
                kind: FileKind::Empty
            }
        ));
        assert!(matches!(
            open_err(b"ab"),
            SourceError::NotACapture {
                kind: FileKind::TooShort { len: 2 }
            }
        ));
        let gz = open_err(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff]);
        assert!(
            gz.to_string().contains("compressed: gunzip it first"),
            "{gz}"
        );
        assert!(
            gz.to_string().contains("wirelab reads pcap and pcapng"),
            "{gz}"
        );
        assert!(matches!(
            open_err(b"hello, world\n"),
            SourceError::NotACapture {
                kind: FileKind::Text { .. }
            }
        ));
        assert!(matches!(
            open_err(b"\x7fELF\x02\x01\x01\0\0\0"),
            SourceError::NotACapture {
                kind: FileKind::Elf
            }
        ));
        assert!(matches!(
            open_err(b"PK\x03\x04\x14\0\0\0"),
            SourceError::NotACapture {
                kind: FileKind::Zip
            }
        ));
        let unknown = open_err(&[0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]);
        assert!(
            unknown.to_string().contains("unknown magic 0x12345678"),
            "{unknown}"
        );
    }

    #[test]
    fn header_cut_short() {
        let pcap = pcap_header(true, false, 65535, 1);
        let err = open_err(&pcap[..20]);
        assert!(
            matches!(
                err,
                SourceError::HeaderCutShort {
                    format: "pcap",
                    needed: 24,
                    got: 20
                }
            ),
            "{err}"
        );
        let ng = shb(true);
        let err = open_err(&ng[..27]);
        assert!(
            matches!(
                err,
                SourceError::HeaderCutShort {
                    format: "pcapng",
                    needed: 28,
                    got: 27
                }
            ),
            "{err}"
        );
        // The magic alone (4 bytes) is still recognised as a capture, not as "too short".
        assert!(matches!(
            open_err(&pcap[..4]),
            SourceError::HeaderCutShort { .. }
        ));
    }

    #[test]
    fn pcapng_with_bad_byte_order_magic() {
        let mut ng = shb(true);
        ng[8..12].copy_from_slice(&[1, 2, 3, 4]);
        let err = open_err(&ng);
        assert!(matches!(err, SourceError::BadHeader { .. }), "{err}");
        assert!(err.to_string().contains("0x01020304"), "{err}");
    }

    #[test]
    fn open_a_file_and_report_missing_ones() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let mut bytes = shb(false);
        bytes.extend(idb(false, 1, 0, &[]));
        bytes.extend(epb(false, 0, 1_000_000, &[1, 2, 3], 3));
        file.write_all(&bytes).unwrap();
        let reader = CaptureReader::open(file.path()).unwrap();
        assert_eq!(*reader.format(), CaptureFormat::PcapNg);
        let events: Vec<_> = reader.collect();
        assert_eq!(events.len(), 1);

        let missing = Path::new("/nonexistent/wirelab/trace.pcap");
        let err = CaptureReader::open(missing).unwrap_err();
        assert!(matches!(err, SourceError::Open { .. }));
        assert!(
            err.to_string()
                .starts_with("cannot open /nonexistent/wirelab/trace.pcap: "),
            "{err}"
        );
    }

    #[test]
    fn bytes_read_and_frames_read_track_progress() {
        let mut file = pcap_header(true, false, 65535, 1);
        file.extend(pcap_record(true, 1, 0, &[1, 2, 3], 3)); // 19 bytes
        file.extend(pcap_record(true, 2, 0, &[4], 1)); // 17 bytes
        let mut reader = CaptureReader::new(&file[..]).unwrap();
        assert_eq!(reader.bytes_read(), 24);
        assert!(matches!(reader.next(), Some(SourceEvent::Frame(_))));
        assert_eq!((reader.bytes_read(), reader.frames_read()), (43, 1));
        assert!(matches!(reader.next(), Some(SourceEvent::Frame(_))));
        assert_eq!((reader.bytes_read(), reader.frames_read()), (60, 2));
        assert_eq!(reader.next(), None);
        assert_eq!(reader.next(), None);
    }

    #[test]
    fn io_error_mid_file_is_a_final_warning() {
        /// Gives the bytes, then fails.
        struct FailAfter<'a>(&'a [u8]);
        impl Read for FailAfter<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Err(std::io::Error::other("cable unplugged"));
                }
                let n = buf.len().min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut file = pcap_header(true, false, 65535, 1);
        file.extend(pcap_record(true, 1, 0, &[1, 2, 3], 3)); // ends at 43
        file.extend(pcap_record(true, 1, 0, &[4; 40], 40)); // ends at 99
        let (frames, warnings) =
            testdata::split(CaptureReader::new(FailAfter(&file)).unwrap().collect());
        assert_eq!(frames.len(), 2);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, 99);
        assert!(warnings[0].message.contains("cable unplugged"));
    }

    /// Throughput check, not a pass/fail test (no timed assertions):
    /// `cargo test --release --lib throughput -- --ignored --nocapture`.
    #[test]
    #[ignore = "prints a measurement; run in release"]
    fn throughput_200k_packet_pcapng() {
        use crate::sink::pcapng::PcapNgSink;
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut sink = PcapNgSink::new(
            std::io::BufWriter::new(file.reopen().unwrap()),
            LinkType::ETHERNET,
            0,
        )
        .unwrap();
        let count = 200_000u64;
        for i in 0..count {
            // Small frames (60..160 bytes): the per-frame cost, not memcpy, dominates.
            let len = 60 + (i % 100) as usize;
            let frame = Frame {
                number: i + 1,
                timestamp: Duration::from_nanos(1_700_000_000_000_000_000 + i * 1000),
                link_type: LinkType::ETHERNET,
                orig_len: len as u32,
                interface: 0,
                data: vec![(i % 251) as u8; len],
            };
            sink.write_frame(&frame).unwrap();
        }
        sink.into_inner().unwrap();
        for round in 0..3 {
            let start = std::time::Instant::now();
            let mut frames = 0u64;
            let mut bytes = 0usize;
            for event in CaptureReader::open(file.path()).unwrap() {
                if let SourceEvent::Frame(f) = event {
                    frames += 1;
                    bytes += f.data.len();
                }
            }
            let secs = start.elapsed().as_secs_f64();
            assert_eq!(frames, count);
            eprintln!(
                "round {round}: {frames} frames, {} MB in {secs:.3} s: {:.2} M frames/s",
                bytes / 1_000_000,
                frames as f64 / secs / 1e6
            );
        }
    }

    /// Resuming at a point taken mid-file gives the same frames (numbers, timestamps, link
    /// types) as reading on, for pcapng with two interfaces of different link types and
    /// timestamp resolutions, and for pcap.
    #[test]
    fn resume_point_gives_the_same_frames_as_reading_on() {
        const TSRESOL: u16 = 9;
        let mut ng = shb(true);
        ng.extend(idb(true, 1, 0, &[]));
        ng.extend(idb(true, 101, 0, &[(TSRESOL, &[9])]));
        for i in 0..6u8 {
            let iface = u32::from(i % 2);
            ng.extend(epb(true, iface, 1_000_000 + u64::from(i), &[i; 20], 20));
        }
        let mut pcap = pcap_header(true, true, 65535, 1);
        for i in 0..6u8 {
            pcap.extend(pcap_record(true, 10, u32::from(i), &[i; 30], 30));
        }
        for file in [ng, pcap] {
            let all: Vec<_> = CaptureReader::new(&file[..]).unwrap().collect();
            for k in 0..=6 {
                let mut r = CaptureReader::new(&file[..]).unwrap();
                for _ in 0..k {
                    r.next();
                }
                let point = r.resume_point().unwrap();
                assert_eq!(point.frames(), k as u64);
                let offset = point.offset() as usize;
                let rest: Vec<_> = CaptureReader::resume(&file[offset..], &point).collect();
                assert_eq!(rest, all[k..], "resumed after {k} frames");
            }
        }
    }

    /// Follow mode: a record cut off at the end is waited for (no warning, nothing lost),
    /// and read once the rest of the file arrives; a clean end waits too.
    #[test]
    fn follow_mode_waits_for_a_file_being_written() {
        let mut ng = shb(true);
        ng.extend(idb(true, 1, 0, &[]));
        let third = epb(true, 0, 3, &[3; 40], 40);
        let mut head = ng.clone();
        head.extend(epb(true, 0, 1, &[1; 40], 40));
        head.extend(epb(true, 0, 2, &[2; 40], 40));
        let mut pcap = pcap_header(true, false, 65535, 1);
        pcap.extend(pcap_record(true, 1, 0, &[1; 40], 40));
        pcap.extend(pcap_record(true, 2, 0, &[2; 40], 40));
        let pcap_third = pcap_record(true, 3, 0, &[3; 40], 40);
        for (head, third) in [(head, third), (pcap, pcap_third)] {
            let file = tempfile::NamedTempFile::new().unwrap();
            let mut writer = file.reopen().unwrap();
            writer.write_all(&head).unwrap();
            writer.write_all(&third[..10]).unwrap();
            writer.flush().unwrap();
            let mut r = CaptureReader::open(file.path()).unwrap();
            r.set_follow(true);
            let (frames, warnings) = testdata::split(r.by_ref().collect());
            assert_eq!((frames.len(), warnings.len()), (2, 0), "{warnings:?}");
            assert!(r.is_waiting());
            // Nothing new yet: still waiting, still no warning.
            r.retry();
            assert_eq!(r.next(), None);
            assert!(r.is_waiting());
            writer.write_all(&third[10..]).unwrap();
            writer.flush().unwrap();
            r.retry();
            let (frames, warnings) = testdata::split(r.by_ref().collect());
            assert_eq!((frames.len(), warnings.len()), (1, 0));
            assert_eq!(frames[0].number, 3);
            assert_eq!(frames[0].data, [3; 40]);
            assert!(r.is_waiting(), "a clean end waits for more too");
            // Without follow mode the same cut-off file gives the usual warning.
            let cut = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(cut.path(), [&head[..], &third[..10]].concat()).unwrap();
            let (frames, warnings) =
                testdata::split(CaptureReader::open(cut.path()).unwrap().collect());
            assert_eq!((frames.len(), warnings.len()), (2, 1));
        }
    }

    #[test]
    fn warning_display() {
        let w = ReadWarning {
            offset: 120,
            message: "something".into(),
        };
        assert_eq!(w.to_string(), "at byte 120: something");
    }
}

//! The frame index of `wirelab view`: a background reader that keeps checkpoints, and
//! on-demand re-analysis of any frame from the nearest one.
//!
//! TCP analysis is sequential (frame N's Info depends on every earlier frame), and a large
//! capture does not fit in memory decoded. So the [`Indexer`] reads the file once, in a
//! thread, analysing every frame as `read` does, and every [`Index::interval`] frames keeps a
//! [`Checkpoint`]: where the reader stands in the file ([`ResumePoint`]) and a copy of the
//! whole [`Analyzer`] state. To show frame N, [`Index::load`] starts a reader at the last
//! checkpoint before N, with a copy of its analyzer, and analyses forward to N: the result is
//! exactly what a sequential read gives (the tests compare every row with `wirelab read`).
//!
//! Memory: nothing per frame. Checkpoints hold analyzer state (per stream, never per packet),
//! and when they add up to more than [`CHECKPOINT_BUDGET`] every other one is dropped and the
//! interval doubles. The index also keeps the handshake/teardown rows of every TCP stream
//! ([`Handshakes`], bounded per stream) for the "why" of the details pane.
//!
//! The file may still be growing (a capture being written): the reader runs in follow mode,
//! and at the end of the data it waits and polls for more ([`IndexState::Watching`]). This is
//! where a live capture plugs in: it writes pcapng to a file that the index follows.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::analyse::handshake::Handshakes;
use crate::analyse::{Analyzer, Packet};
use crate::dissect::Table;
use crate::frame::Frame;
use crate::source::{CaptureReader, ResumePoint, SourceError, SourceEvent};

/// Frames between two checkpoints at the start (it doubles when the budget is exceeded).
pub const FIRST_INTERVAL: u64 = 1024;

/// Most bytes of analyzer state kept in checkpoints.
pub const CHECKPOINT_BUDGET: usize = 64 << 20;

/// How often the reader looks for new data at the end of a file that may be growing.
pub const POLL: Duration = Duration::from_millis(100);

/// Frames analysed between two publications of progress (and releases of the lock).
const BATCH: usize = 512;

/// What to read: a capture file, which may still be growing.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    /// The capture file.
    pub path: PathBuf,
    /// What the status line calls it.
    pub label: String,
    /// Frames between checkpoints at the start ([`FIRST_INTERVAL`]; tests use small ones).
    pub interval: u64,
    /// The live capture writing the file (`view -i`), for the status line; `None` for a
    /// file.
    pub live: Option<Arc<LiveStatus>>,
    /// `-d` rules for the application dissectors.
    pub table: Table,
}

/// What the status line shows of the live capture that writes the file (`view -i`).
#[derive(Debug, Default)]
pub struct LiveStatus {
    /// Frames the kernel dropped so far (its ring was full), all interfaces.
    pub drops: Arc<std::sync::atomic::AtomicU64>,
    /// Set when the capture has ended, with why (e.g. the interface went down).
    pub ended: Mutex<Option<String>>,
    /// Set (by a signal, or the capture) to end the view.
    pub quit: Arc<AtomicBool>,
}

impl SourceSpec {
    /// A capture file, named in the status line by its path.
    pub fn file(path: &Path) -> SourceSpec {
        SourceSpec {
            path: path.to_path_buf(),
            label: path.display().to_string(),
            interval: FIRST_INTERVAL,
            live: None,
            table: Table::default(),
        }
    }
}

/// Where a re-analysis can start.
#[derive(Debug)]
pub struct Checkpoint {
    /// The reader's position (after [`ResumePoint::frames`] frames).
    pub point: ResumePoint,
    /// The analysis state after those frames.
    pub analyzer: Analyzer,
    bytes: usize,
}

impl Checkpoint {
    fn new(point: ResumePoint, analyzer: Analyzer) -> Checkpoint {
        let bytes = 512 + point.approx_bytes() + analyzer.approx_bytes();
        Checkpoint {
            point,
            analyzer,
            bytes,
        }
    }

    /// Frames before this checkpoint.
    pub fn frames(&self) -> u64 {
        self.point.frames()
    }
}

/// What the background reader is doing. (An I/O error while reading is one of the file's
/// warnings, after which the reader watches without reading on, as `read` stops there.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexState {
    /// Reading the file.
    Reading,
    /// At the end of the data, watching for more (the file may still be written).
    /// `incomplete` is true when the file ends inside a record.
    Watching {
        /// The last record is cut off (file cut short, or being written right now).
        incomplete: bool,
    },
}

/// The index as the reader thread publishes it.
#[derive(Debug)]
pub struct IndexData {
    checkpoints: Vec<Arc<Checkpoint>>,
    checkpoint_bytes: usize,
    interval: u64,
    /// Frames read so far.
    pub frames: u64,
    /// Bytes of the file read so far.
    pub bytes_read: u64,
    /// Problems found in the file, in order (each with its byte offset).
    pub warnings: Vec<String>,
    /// What the reader is doing.
    pub state: IndexState,
    /// Handshake and teardown rows of every TCP stream so far.
    pub handshakes: Handshakes,
    /// Changes every time something above changes (for redrawing).
    pub generation: u64,
}

impl IndexData {
    /// The checkpoint to start from to reach frame `number` (the last one before it).
    pub fn checkpoint_for(&self, number: u64) -> Option<Arc<Checkpoint>> {
        let i = self
            .checkpoints
            .partition_point(|c| c.frames() < number)
            .checked_sub(1)?;
        self.checkpoints.get(i).cloned()
    }

    /// Number of checkpoints kept.
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// Bytes of analyzer state held by checkpoints (estimate).
    pub fn checkpoint_bytes(&self) -> usize {
        self.checkpoint_bytes
    }

    /// Frames between checkpoints now.
    pub fn interval(&self) -> u64 {
        self.interval
    }

    /// True once the reader reached the end of the data at least once.
    pub fn at_end(&self) -> bool {
        !matches!(self.state, IndexState::Reading)
    }

    fn push_checkpoint(&mut self, cp: Checkpoint) {
        self.checkpoint_bytes += cp.bytes;
        self.checkpoints.push(Arc::new(cp));
        // Over budget: keep every other checkpoint (always the first) and space them wider.
        while self.checkpoint_bytes > CHECKPOINT_BUDGET && self.checkpoints.len() > 2 {
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.checkpoint_bytes = self.checkpoints.iter().map(|c| c.bytes).sum();
            self.interval = self.interval.saturating_mul(2);
        }
    }
}

/// A shared, growing index of one capture file.
#[derive(Debug, Clone)]
pub struct Index {
    spec: Arc<SourceSpec>,
    data: Arc<Mutex<IndexData>>,
}

/// The reader thread of an [`Index`]; stops when dropped.
#[derive(Debug)]
pub struct Indexer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One analysed frame, loaded on demand.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The analysis, as `read` has it for this frame.
    pub packet: Packet,
    /// The frame and its bytes.
    pub frame: Frame,
}

impl Index {
    /// Opens the capture (reading its header here, so a file that is not a capture fails at
    /// once) and starts the background reader.
    pub fn open(spec: SourceSpec) -> Result<(Index, Indexer), SourceError> {
        let mut reader = CaptureReader::open(&spec.path)?;
        reader.set_follow(true);
        let first = reader
            .resume_point()
            .map(|p| Checkpoint::new(p, Analyzer::with_table(spec.table.clone())));
        let mut data = IndexData {
            checkpoints: Vec::new(),
            checkpoint_bytes: 0,
            interval: spec.interval.max(1),
            frames: 0,
            bytes_read: reader.bytes_read(),
            warnings: Vec::new(),
            state: IndexState::Reading,
            handshakes: Handshakes::new(),
            generation: 0,
        };
        if let Some(cp) = first {
            data.push_checkpoint(cp);
        }
        let index = Index {
            spec: Arc::new(spec),
            data: Arc::new(Mutex::new(data)),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let index = index.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("wirelab-index".into())
                .spawn(move || index.run(reader, &stop))
                .map_err(SourceError::Io)?
        };
        Ok((
            index,
            Indexer {
                stop,
                thread: Some(thread),
            },
        ))
    }

    /// What is being read.
    pub fn spec(&self) -> &SourceSpec {
        &self.spec
    }

    /// The published index (hold the guard briefly: the reader waits for it).
    pub fn data(&self) -> MutexGuard<'_, IndexData> {
        match self.data.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Waits until the reader has reached the end of the data (tests, benchmarks), at most
    /// `limit`; true if it did.
    pub fn wait_until_at_end(&self, limit: Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if self.data().at_end() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    /// The reader thread: analyse every frame, keep checkpoints, follow the file's growth.
    fn run<R: std::io::Read>(&self, mut reader: CaptureReader<R>, stop: &AtomicBool) {
        let mut analyzer = Analyzer::with_table(self.spec.table.clone());
        let mut packet = Packet::default();
        while !stop.load(Ordering::Relaxed) {
            let mut data = self.data();
            let mut ended = false;
            for _ in 0..BATCH {
                match reader.next() {
                    Some(SourceEvent::Frame(frame)) => {
                        analyzer.process(&frame, &mut packet);
                        data.handshakes.add(&packet);
                        data.frames = frame.number;
                        if frame.number.is_multiple_of(data.interval)
                            && let Some(point) = reader.resume_point()
                        {
                            data.push_checkpoint(Checkpoint::new(point, analyzer.clone()));
                        }
                    }
                    Some(SourceEvent::Warning(w)) => data.warnings.push(w.to_string()),
                    None => {
                        ended = true;
                        break;
                    }
                }
            }
            data.bytes_read = reader.bytes_read();
            data.generation += 1;
            if !ended {
                if !matches!(data.state, IndexState::Reading) {
                    data.state = IndexState::Reading;
                }
                continue;
            }
            let incomplete = reader.is_waiting() && self.file_len() > reader.bytes_read();
            data.state = IndexState::Watching { incomplete };
            drop(data);
            // Wait for the file to grow (bounded steps; ends when the view closes).
            let seen = self.file_len();
            while !stop.load(Ordering::Relaxed) && self.file_len() <= seen {
                std::thread::sleep(POLL);
            }
            if reader.is_waiting() {
                reader.retry();
            } else {
                // A reader that ended for good (a damaged pcap record, an I/O error) does not
                // go on, as `read` stops there too: the view keeps what it has.
                self.data().state = IndexState::Watching { incomplete: false };
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(POLL);
                }
            }
        }
    }

    fn file_len(&self) -> u64 {
        std::fs::metadata(&self.spec.path).map_or(0, |m| m.len())
    }

    /// Analyses the frames numbered in `wanted` (sorted, ascending; numbers not read yet are
    /// skipped) and calls `found` for each, in order. Each run starts from the nearest
    /// checkpoint and goes forward only as far as needed.
    pub fn load(&self, wanted: &[u64], mut found: impl FnMut(&Packet, &Frame)) {
        let mut i = 0;
        let mut packet = Packet::default();
        // A copy of the list (pointers only), so the reader thread is not held up.
        let checkpoints = self.data().checkpoints.clone();
        let checkpoint_for = |number: u64| {
            let i = checkpoints
                .partition_point(|c| c.frames() < number)
                .checked_sub(1)?;
            checkpoints.get(i).cloned()
        };
        while let Some(&first) = wanted.get(i) {
            let Some(cp) = checkpoint_for(first) else {
                return;
            };
            let Ok(mut reader) = CaptureReader::open_at(&self.spec.path, &cp.point) else {
                return;
            };
            reader.set_follow(true);
            let mut analyzer = cp.analyzer.clone();
            let mut restart = false;
            for event in reader.by_ref() {
                let SourceEvent::Frame(frame) = event else {
                    continue;
                };
                analyzer.process(&frame, &mut packet);
                while wanted.get(i).is_some_and(|&n| n < frame.number) {
                    i += 1; // a number that is not in the file (or out of order)
                }
                if wanted.get(i) == Some(&frame.number) {
                    found(&packet, &frame);
                    i += 1;
                }
                let Some(&next) = wanted.get(i) else {
                    return;
                };
                // Far ahead: jump to its checkpoint instead of analysing the gap.
                if let Some(c) = checkpoint_for(next)
                    && c.frames() > frame.number
                {
                    restart = true;
                    break;
                }
            }
            if !restart {
                return;
            }
        }
    }

    /// One frame, analysed as a sequential read would (`None` if not read yet).
    pub fn get(&self, number: u64) -> Option<Loaded> {
        let mut out = None;
        self.load(&[number], |p, f| {
            out = Some(Loaded {
                packet: p.clone(),
                frame: f.clone(),
            })
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceEvent;

    /// Every bundled capture: `captures/` and the application ones in `captures/app/`
    /// (their messages span segments, so checkpoints carry reassembly state).
    fn captures() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
        let mut v: Vec<PathBuf> = [root.clone(), root.join("app")]
            .iter()
            .flat_map(|dir| std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
            .collect();
        v.sort();
        v
    }

    fn sequential(path: &Path) -> Vec<(String, u64)> {
        let mut a = Analyzer::new();
        let mut p = Packet::default();
        CaptureReader::open(path)
            .unwrap()
            .filter_map(|e| match e {
                SourceEvent::Frame(f) => Some(f),
                SourceEvent::Warning(_) => None,
            })
            .map(|f| {
                a.process(&f, &mut p);
                (p.info.clone(), f.number)
            })
            .collect()
    }

    /// Every frame loaded from a checkpoint (interval 3, so most loads replay) has the Info
    /// of the sequential analysis, in any order of requests.
    #[test]
    fn loads_equal_sequential_analysis() {
        for path in captures() {
            let want = sequential(&path);
            let mut spec = SourceSpec::file(&path);
            spec.interval = 3;
            let (index, _indexer) = Index::open(spec).unwrap();
            assert!(index.wait_until_at_end(Duration::from_secs(20)));
            assert_eq!(index.data().frames, want.len() as u64, "{path:?}");
            // Backwards, one at a time.
            for (info, n) in want.iter().rev() {
                let got = index.get(*n).unwrap();
                assert_eq!(&got.packet.info, info, "{path:?} frame {n}");
                assert_eq!(got.frame.number, *n);
            }
            // A sparse set in one call.
            let wanted: Vec<u64> = want.iter().map(|w| w.1).filter(|n| n % 4 == 1).collect();
            let mut got = Vec::new();
            index.load(&wanted, |p, _| got.push((p.info.clone(), p.number)));
            let expect: Vec<_> = want.iter().filter(|w| w.1 % 4 == 1).cloned().collect();
            assert_eq!(got, expect, "{path:?}");
        }
    }

    #[test]
    fn a_frame_not_read_is_none() {
        let path = captures().into_iter().next().unwrap();
        let (index, _indexer) = Index::open(SourceSpec::file(&path)).unwrap();
        assert!(index.wait_until_at_end(Duration::from_secs(20)));
        let n = index.data().frames;
        assert!(index.get(n + 1).is_none());
        assert!(index.get(0).is_none());
    }

    #[test]
    fn checkpoints_thin_out_over_budget() {
        let path = captures().into_iter().next().unwrap();
        let mut r = CaptureReader::open(&path).unwrap();
        let point = r.resume_point().unwrap();
        let _ = r.next();
        let mut data = IndexData {
            checkpoints: Vec::new(),
            checkpoint_bytes: 0,
            interval: 1,
            frames: 0,
            bytes_read: 0,
            warnings: Vec::new(),
            state: IndexState::Reading,
            handshakes: Handshakes::new(),
            generation: 0,
        };
        let per = Checkpoint::new(point.clone(), Analyzer::new()).bytes;
        let n = CHECKPOINT_BUDGET / per * 3;
        for _ in 0..n {
            data.push_checkpoint(Checkpoint::new(point.clone(), Analyzer::new()));
        }
        assert!(data.checkpoint_bytes() <= CHECKPOINT_BUDGET);
        assert!(data.interval() >= 2);
        assert!(data.checkpoint_count() > 2);
    }
}

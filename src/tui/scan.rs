//! Background passes over the whole capture: the display filter, and the stream views.
//!
//! A [`Scan`] reads the file in a thread (never into memory), analyses every frame with a
//! fresh [`Analyzer`] exactly as `read` does, and hands the frames that pass its filter to a
//! [`ScanSink`]: the filter's sink keeps the matching frame numbers (4 bytes each), a view's
//! sink builds its tables. With the index's checkpoints the file is split in two and both
//! halves run at once (the second from a checkpoint's analyzer state), so a filter over a
//! large file uses both cores. Like the index, a scan follows a file that is still growing.
//! Dropping a [`Scan`] stops it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use super::index::{Checkpoint, Index, POLL};
use crate::analyse::{Analyzer, Packet};
use crate::filter::Filter;
use crate::frame::Frame;
use crate::source::{CaptureReader, SourceEvent};

/// Frames analysed between two publications of progress.
const BATCH: usize = 1024;

/// Splitting a scan in two pays off from this many frames on.
const SPLIT_FROM: u64 = 200_000;

/// What a scan does with the frames that pass its filter.
pub trait ScanSink: Default + Send + 'static {
    /// True if results of two halves of the file can be joined with
    /// [`ScanSink::append`] (a list of matches can; per-stream tables cannot: a stream may
    /// cross the split), so that the scan may run on two cores.
    const SPLITTABLE: bool = false;
    /// False if the sink reads neither the Protocol nor the Info column: the pass then
    /// skips writing them (a filter pass does a third less work than `read --filter`).
    const NEEDS_INFO: bool = true;
    /// One frame that passed (in file order).
    fn push(&mut self, packet: &Packet, frame: &Frame);
    /// Appends the results of the later part of a split scan (only if splittable).
    fn append(&mut self, later: Self) {
        let _ = later;
    }
}

/// The state of a scan, shared with the view.
#[derive(Debug, Default)]
pub struct ScanData<S> {
    /// What the frames so far made.
    pub sink: S,
    /// Every frame up to the end of the data has been looked at.
    pub at_end: bool,
    /// Changes with every publication.
    pub generation: u64,
}

/// A background pass; stops when dropped.
pub struct Scan<S> {
    data: Arc<Mutex<ScanData<S>>>,
    scanned: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl<S> Drop for Scan<S> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl<S: ScanSink> Scan<S> {
    /// Starts a pass over `index`'s file, keeping frames that match `filter` (all frames
    /// without one).
    pub fn start(index: &Index, filter: Option<Filter>) -> Scan<S> {
        Scan::start_with(index, filter, S::default())
    }

    /// The same, into `sink` (a sink with settings, e.g. which stream to follow).
    pub fn start_with(index: &Index, filter: Option<Filter>, sink: S) -> Scan<S> {
        let shared = Shared {
            index: index.clone(),
            filter: Arc::new(filter),
            stop: Arc::new(AtomicBool::new(false)),
            scanned: Arc::new(AtomicU64::new(0)),
            data: Arc::new(Mutex::new(ScanData {
                sink,
                at_end: false,
                generation: 0,
            })),
        };
        // Split at a checkpoint in the middle when the file is large and already indexed.
        let middle = {
            let d = index.data();
            if S::SPLITTABLE && d.at_end() && d.frames >= SPLIT_FROM {
                d.checkpoint_for(d.frames / 2).filter(|c| c.frames() > 0)
            } else {
                None
            }
        };
        let mut threads = Vec::new();
        match middle {
            None => {
                let s = shared.clone();
                threads.extend(spawn(move || {
                    if let Some(mut part) = s.open(None) {
                        part.run_shared(&s);
                    } else {
                        lock(&s.data).at_end = true;
                    }
                }));
            }
            Some(cp) => {
                let first_done = Arc::new(AtomicBool::new(false));
                let (s1, done1) = (shared.clone(), first_done.clone());
                let until = cp.frames();
                threads.extend(spawn(move || {
                    if let Some(mut part) = s1.open(None) {
                        part.until = Some(until);
                        part.run_shared(&s1);
                    }
                    done1.store(true, Ordering::Release);
                }));
                let s2 = shared.clone();
                threads.extend(spawn(move || {
                    let Some(mut part) = s2.open(Some(&cp)) else {
                        return;
                    };
                    // The second half into a sink of its own, up to the end of the data...
                    let mut mine = S::default();
                    if !part.run_local(&s2, &mut mine) {
                        return;
                    }
                    // ...appended once the first half is in, then on like a single scan.
                    while !first_done.load(Ordering::Acquire) {
                        if s2.stop.load(Ordering::Relaxed) {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    {
                        let mut d = lock(&s2.data);
                        d.sink.append(mine);
                        d.generation += 1;
                    }
                    part.run_shared(&s2);
                }));
            }
        }
        Scan {
            data: shared.data,
            scanned: shared.scanned,
            stop: shared.stop,
            threads,
        }
    }

    /// The results so far (hold the guard briefly).
    pub fn data(&self) -> MutexGuard<'_, ScanData<S>> {
        lock(&self.data)
    }

    /// Frames looked at so far.
    pub fn scanned(&self) -> u64 {
        self.scanned.load(Ordering::Relaxed)
    }

    /// Waits until the scan has reached the end of the data, at most `limit`.
    pub fn wait_until_at_end(&self, limit: Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if self.data().at_end {
                return true;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        false
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn spawn(f: impl FnOnce() + Send + 'static) -> Option<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("wirelab-scan".into())
        .spawn(f)
        .ok()
}

/// What the threads of one scan share.
struct Shared<S> {
    index: Index,
    filter: Arc<Option<Filter>>,
    stop: Arc<AtomicBool>,
    scanned: Arc<AtomicU64>,
    data: Arc<Mutex<ScanData<S>>>,
}

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared {
            index: self.index.clone(),
            filter: self.filter.clone(),
            stop: self.stop.clone(),
            scanned: self.scanned.clone(),
            data: self.data.clone(),
        }
    }
}

impl<S: ScanSink> Shared<S> {
    /// A reader and analyzer at the start of the file or at a checkpoint.
    fn open(&self, from: Option<&Arc<Checkpoint>>) -> Option<Part> {
        let path = &self.index.spec().path;
        let mut reader = match from {
            Some(cp) => CaptureReader::open_at(path, &cp.point),
            None => CaptureReader::open(path),
        }
        .ok()?;
        reader.set_follow(true);
        Some(Part {
            reader,
            analyzer: from.map_or_else(
                || Analyzer::with_table(self.index.spec().table.clone()),
                |cp| cp.analyzer.clone(),
            ),
            packet: Packet::default(),
            until: None,
        })
    }
}

/// One reader of a scan, with its analysis state.
struct Part {
    reader: CaptureReader<std::io::BufReader<std::fs::File>>,
    analyzer: Analyzer,
    packet: Packet,
    /// Stop after this frame (the first half of a split scan).
    until: Option<u64>,
}

/// Why [`Part::batch`] returned.
enum Batch {
    More,
    End,
    Until,
}

impl Part {
    /// Up to [`BATCH`] frames into `sink`.
    fn batch<S: ScanSink>(&mut self, s: &Shared<S>, sink: &mut S) -> Batch {
        // Counted once per batch: two halves bumping one counter per frame would fight
        // over its cache line.
        let mut counted = 0;
        let step = self.step(s, sink, &mut counted);
        s.scanned.fetch_add(counted, Ordering::Relaxed);
        step
    }

    fn step<S: ScanSink>(&mut self, s: &Shared<S>, sink: &mut S, counted: &mut u64) -> Batch {
        for _ in 0..BATCH {
            match self.reader.next() {
                Some(SourceEvent::Frame(frame)) => {
                    if S::NEEDS_INFO {
                        self.analyzer.process(&frame, &mut self.packet);
                    } else {
                        self.analyzer.process_without_info(&frame, &mut self.packet);
                    }
                    *counted += 1;
                    if s.filter
                        .as_ref()
                        .as_ref()
                        .is_none_or(|f| f.matches(&self.packet))
                    {
                        sink.push(&self.packet, &frame);
                    }
                    if self.until == Some(frame.number) {
                        return Batch::Until;
                    }
                }
                Some(SourceEvent::Warning(_)) => {}
                None => return Batch::End,
            }
        }
        Batch::More
    }

    /// Up to the end of the data, into a sink of its own; false if stopped.
    fn run_local<S: ScanSink>(&mut self, s: &Shared<S>, sink: &mut S) -> bool {
        loop {
            if s.stop.load(Ordering::Relaxed) {
                return false;
            }
            match self.batch(s, sink) {
                Batch::More => {}
                Batch::End | Batch::Until => return true,
            }
        }
    }

    /// Into the shared sink, publishing as it goes; then follows the file as it grows.
    fn run_shared<S: ScanSink>(&mut self, s: &Shared<S>) {
        loop {
            if s.stop.load(Ordering::Relaxed) {
                return;
            }
            let mut d = lock(&s.data);
            let step = self.batch(s, &mut d.sink);
            d.generation += 1;
            match step {
                Batch::More => continue,
                Batch::Until => return,
                Batch::End => {
                    if self.until.is_some() {
                        return;
                    }
                    d.at_end = true;
                }
            }
            drop(d);
            // Follow the file's growth like the index does.
            let path = &s.index.spec().path;
            let seen = self.reader.bytes_read();
            loop {
                if s.stop.load(Ordering::Relaxed) {
                    return;
                }
                let len = std::fs::metadata(path).map_or(0, |m| m.len());
                if len > seen && self.reader.is_waiting() {
                    break;
                }
                std::thread::sleep(POLL);
            }
            self.reader.retry();
        }
    }
}

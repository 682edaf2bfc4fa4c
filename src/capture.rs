//! A live capture run: the kernel → file path on one thread, analysis and views on another,
//! the terminal on a third, so that the display never slows the capture.
//!
//! ```text
//!  ring ──► capture thread ──► pcapng file            (never waits on the views)
//!                 │ bounded queue (copies of the frames)
//!                 ▼
//!          view thread: analyse every frame → filter → render rows into a buffer
//!                 │ bounded queue (rendered text); full → rows skipped and counted
//!                 ▼
//!          printer thread ──► stdout
//! ```
//!
//! The view thread analyses every frame it gets, shown or not, so that TCP analysis flags
//! stay right when rows are skipped; only the text is dropped when the terminal is behind
//! ("… 12,408 frames not shown, all written"). If even the analysis falls behind, frames
//! still go to the file and the count of frames the views missed is reported.
//!
//! With a display filter and a file, only matching frames are written (as `tshark -Y -w`):
//! the file is then written by the view thread after the filter, and the queue to it does
//! not drop frames — when it is full the capture thread waits and the kernel ring absorbs
//! the burst (its drops are counted, as always).

#![forbid(unsafe_code)]

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread;
use std::time::{Duration, Instant};

use crate::frame::Frame;
use crate::link::{Interface, LinkError};
use crate::pipeline::{Pipeline, Step};
use crate::sink::capture_file::{CaptureFile, FileError, Rotation};
use crate::sink::pcapng::{Direction, InterfaceInfo, InterfaceStats, SectionInfo};
use crate::source::live::{LiveOptions, LiveSource, LiveStats, PollError};

/// Frames (kernel blocks) the view thread may be behind before frames skip the views.
const VIEW_QUEUE_BLOCKS: usize = 256;

/// Frame buffers kept for reuse by the capture thread.
const FRAME_POOL: usize = 1024;

/// Largest frame buffer kept for reuse (bigger ones, GSO frames, are freed).
const POOLED_BYTES: usize = 16 * 1024;

/// Rendered chunks the printer may be behind before rows are skipped.
const PRINT_QUEUE_CHUNKS: usize = 64;

/// Something that shows analysed frames: the packet list of `read`, the server view of
/// `serve`. It runs on the view thread and writes text into a buffer.
pub trait LiveView: Send {
    /// Analyses `frame` and writes its view (if any) to `out`. `Hidden` frames are neither
    /// shown nor, with a filter, written; `Done` ends the capture after this frame.
    fn push(&mut self, frame: &Frame, out: &mut Vec<u8>) -> io::Result<Step>;

    /// Writes what is shown at the end (whole-capture views).
    fn finish(&mut self, out: &mut Vec<u8>) -> io::Result<()>;

    /// True when the view decides which frames are written (a display filter).
    fn filters(&self) -> bool;
}

impl LiveView for Pipeline {
    fn push(&mut self, frame: &Frame, out: &mut Vec<u8>) -> io::Result<Step> {
        Pipeline::push(self, frame, out)
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        Pipeline::finish(self, out)
    }

    fn filters(&self) -> bool {
        self.has_filter()
    }
}

/// Where and how frames are written.
#[derive(Debug, Clone)]
pub struct FileSetup {
    /// The file (the base name of a ring).
    pub path: PathBuf,
    /// Replace an existing file.
    pub force: bool,
    /// A ring of files.
    pub rotation: Option<Rotation>,
}

/// Everything a capture run needs, already validated.
pub struct CaptureSetup {
    /// The interfaces, in `-i` order (interface ids in the file).
    pub interfaces: Vec<Interface>,
    /// Ring and snapshot length.
    pub live: LiveOptions,
    /// The file, if any.
    pub file: Option<FileSetup>,
    /// The views; `None` with `--quiet` and nothing to filter.
    pub view: Option<Box<dyn LiveView>>,
    /// Whether the view's rows go to the terminal (false with `--quiet`: only the
    /// end-of-capture views are printed).
    pub show_rows: bool,
    /// Stop after this many frames written (or shown, with a filter).
    pub count: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Print a live counter line on stderr (`--quiet`).
    pub counters: bool,
    /// Set to stop (Ctrl-C, SIGTERM, the caller).
    pub stop: Arc<AtomicBool>,
    /// Called once the rings are open, before the first frame (e.g. to start a server).
    pub on_ready: Option<Box<dyn FnOnce() + Send>>,
    /// Where the printer writes.
    pub out: Box<dyn Write + Send>,
    /// Flush after every chunk (a terminal).
    pub flush_each: bool,
    /// Updated about every half second with the frames the kernel dropped so far (all
    /// interfaces): for a display that runs beside the capture (`wirelab view -i`).
    pub drops: Option<Arc<AtomicU64>>,
}

/// What a capture did.
#[derive(Debug, Clone, Default)]
pub struct CaptureReport {
    /// Per interface: the kernel's counters and frames delivered.
    pub interfaces: Vec<(String, LiveStats)>,
    /// Frames written to the file(s).
    pub written: u64,
    /// The files, oldest first.
    pub files: Vec<PathBuf>,
    /// Frames the views did not get in time (written all the same).
    pub not_analysed: u64,
    /// Rows not shown because the terminal was behind.
    pub not_shown: u64,
    /// Frames shown (matching the filter).
    pub shown: u64,
    /// Frames larger than a ring block, cut by the kernel.
    pub cut_by_ring: u64,
    /// Seconds the capture ran.
    pub seconds: f64,
    /// A write error that ended the capture.
    pub file_error: Option<String>,
    /// An interface error that ended the capture.
    pub source_error: Option<String>,
}

/// Why a capture could not start.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// An interface could not be opened.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The file could not be created.
    #[error(transparent)]
    File(#[from] FileError),
    /// Capabilities could not be dropped once the rings were open.
    #[error(transparent)]
    Privilege(#[from] crate::privilege::PrivilegeError),
}

enum ViewMsg {
    Frames(Vec<(Frame, Direction)>),
    End(Vec<InterfaceStats>),
}

/// State shared by the three threads.
struct Shared {
    stop: Arc<AtomicBool>,
    not_shown: AtomicU64,
    shown: AtomicU64,
}

/// The interface description written for each interface.
pub fn interface_info(iface: &Interface, snaplen: u32, filter: Option<&str>) -> InterfaceInfo {
    InterfaceInfo {
        link_type: iface.link_type(),
        snaplen,
        name: Some(iface.name.clone()),
        description: None,
        mac: iface.mac.filter(|m| *m != [0; 6]),
        filter: filter.map(str::to_string),
    }
}

/// Runs a capture until it is stopped, its count or duration is reached, or an error.
pub fn run(
    mut setup: CaptureSetup,
    filter_text: Option<&str>,
) -> Result<CaptureReport, CaptureError> {
    let mut source = LiveSource::open(&setup.interfaces, &setup.live)?;
    // The rings are open: nothing after this needs a capability (frames are parsed and the
    // file written without one).
    crate::privilege::drop_all()?;
    let infos: Vec<InterfaceInfo> = setup
        .interfaces
        .iter()
        .map(|i| interface_info(i, setup.live.snaplen, filter_text))
        .collect();
    let file = match &setup.file {
        Some(f) => Some(CaptureFile::create(
            &f.path,
            f.force,
            &SectionInfo::this_host(),
            &infos,
            f.rotation,
        )?),
        None => None,
    };
    let start_wall = crate::link::now();
    let started = Instant::now();
    let shared = Arc::new(Shared {
        stop: setup.stop.clone(),
        not_shown: AtomicU64::new(0),
        shown: AtomicU64::new(0),
    });
    let view_filters = setup.view.as_ref().is_some_and(|v| v.filters());
    // With a filter and a file, the view thread decides what is written.
    let file_on_view = view_filters && file.is_some();
    let count_on_view = view_filters;
    let (mut capture_file, view_file) = if file_on_view {
        (None, file)
    } else {
        (file, None)
    };

    // The printer.
    let (print_tx, print_rx) = mpsc::sync_channel::<Vec<u8>>(PRINT_QUEUE_CHUNKS);
    let printer = {
        let shared = shared.clone();
        let mut out = std::mem::replace(&mut setup.out, Box::new(io::sink()));
        let flush_each = setup.flush_each;
        thread::Builder::new()
            .name("printer".into())
            .spawn(move || printer(print_rx, &mut *out, flush_each, &shared))
            .map_err(|e| {
                CaptureError::File(FileError::Create {
                    path: PathBuf::from("-"),
                    source: e,
                    hint: "the system could not start a thread",
                })
            })?
    };

    // The view thread.
    let (view_tx, view_rx) = mpsc::sync_channel::<ViewMsg>(VIEW_QUEUE_BLOCKS);
    let (recycle_tx, recycle_rx) = mpsc::channel::<Vec<(Frame, Direction)>>();
    let view_thread = setup.view.take().map(|view| {
        let shared = shared.clone();
        let print_tx = print_tx.clone();
        let count = if count_on_view { setup.count } else { None };
        let show_rows = setup.show_rows;
        thread::Builder::new()
            .name("view".into())
            .spawn(move || {
                view_loop(
                    view, view_rx, print_tx, recycle_tx, view_file, count, show_rows, &shared,
                )
            })
            .expect("spawning the view thread")
    });
    let has_view = view_thread.is_some();
    drop(print_tx);

    if let Some(ready) = setup.on_ready.take() {
        ready();
    }

    // The capture loop (this thread).
    let deadline = setup.duration.map(|d| started + d);
    let count_here = if count_on_view { None } else { setup.count };
    let mut written: u64 = 0;
    let mut delivered: u64 = 0;
    let mut not_analysed: u64 = 0;
    let mut file_error = None;
    let mut source_error = None;
    let mut last_counter = Instant::now();
    let mut spare: Vec<Vec<(Frame, Direction)>> = Vec::new();
    // Frames the view has finished with, reused so that copies need no allocation.
    let mut pool: Vec<Frame> = Vec::new();
    let counters = setup.counters;
    while !shared.stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            break;
        }
        let wait = deadline
            .map(|d| d.saturating_duration_since(now))
            .unwrap_or(Duration::MAX)
            .min(Duration::from_millis(100));
        while let Ok(v) = recycle_rx.try_recv() {
            let mut v = v;
            if pool.len() < FRAME_POOL {
                // Small buffers only: the pool stays under FRAME_POOL × POOLED_BYTES.
                let room = FRAME_POOL - pool.len();
                pool.extend(
                    v.drain(..)
                        .map(|(f, _)| f)
                        .filter(|f| f.data.capacity() <= POOLED_BYTES)
                        .take(room),
                );
            }
            v.clear();
            if spare.len() < VIEW_QUEUE_BLOCKS {
                spare.push(v);
            }
        }
        let result = source.poll(wait, |frames| -> Result<(), FileError> {
            let mut batch_out = if has_view {
                let mut v = spare.pop().unwrap_or_default();
                v.clear();
                Some(v)
            } else {
                None
            };
            let mut batch = capture_file.as_mut().map(|f| f.batch());
            let mut reached = false;
            for f in frames.by_ref() {
                if reached {
                    break;
                }
                delivered += 1;
                if let Some(b) = batch.as_mut() {
                    b.push(
                        f.interface,
                        f.raw.timestamp,
                        f.raw.wire_len(),
                        Some(f.direction),
                        f.raw.data,
                        f.raw.vlan_tag(),
                    )?;
                }
                if let Some(v) = batch_out.as_mut() {
                    let number = delivered;
                    let frame = match pool.pop() {
                        Some(mut fr) => {
                            f.fill(number, &mut fr);
                            fr
                        }
                        None => f.to_frame(number),
                    };
                    v.push((frame, f.direction));
                }
                if count_here.is_some_and(|c| delivered >= c) {
                    reached = true;
                }
            }
            if let Some(b) = batch {
                let n = b.len();
                b.commit()?;
                written += n;
            }
            if let Some(v) = batch_out
                && !v.is_empty()
            {
                {
                    let n = v.len() as u64;
                    let msg = ViewMsg::Frames(v);
                    if file_on_view {
                        if view_tx.send(msg).is_err() {
                            shared.stop.store(true, Ordering::Relaxed);
                        }
                    } else {
                        match view_tx.try_send(msg) {
                            Ok(()) => {}
                            Err(TrySendError::Full(ViewMsg::Frames(v))) => {
                                not_analysed += n;
                                spare.push(v);
                            }
                            Err(_) => {}
                        }
                    }
                }
            }
            if reached {
                shared.stop.store(true, Ordering::Relaxed);
            }
            Ok(())
        });
        match result {
            Ok(_) => {}
            Err(PollError::Sink(e)) => {
                file_error = Some(e.to_string());
                break;
            }
            Err(PollError::Io(e)) => {
                source_error = Some(describe_source_error(&setup.interfaces, &e));
                break;
            }
        }
        if (counters || setup.drops.is_some())
            && last_counter.elapsed() >= Duration::from_millis(500)
        {
            last_counter = Instant::now();
            let stats = source.stats();
            let dropped: u64 = stats.iter().map(|s| s.dropped).sum();
            if let Some(d) = &setup.drops {
                d.store(dropped, Ordering::Relaxed);
            }
            if counters {
                eprint!(
                    "\rwirelab: {} frames captured, {} dropped by the kernel ",
                    group(delivered),
                    group(dropped)
                );
            }
        }
    }
    if counters {
        eprintln!();
    }
    let end_wall = crate::link::now();
    let stats = source.stats();
    let isb: Vec<InterfaceStats> = stats
        .iter()
        .map(|s| InterfaceStats {
            start: Some(start_wall),
            end: end_wall,
            received: Some(s.received),
            dropped: Some(s.dropped),
            os_dropped: None,
            delivered: Some(s.delivered),
        })
        .collect();
    let mut report = CaptureReport {
        interfaces: setup
            .interfaces
            .iter()
            .map(|i| i.name.clone())
            .zip(stats.iter().copied())
            .collect(),
        cut_by_ring: source.cut_by_ring(),
        not_analysed,
        file_error,
        source_error,
        ..CaptureReport::default()
    };
    drop(source);
    if let Some(f) = capture_file.take() {
        let indexed: Vec<(u32, InterfaceStats)> = isb
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, *s))
            .collect();
        report.written = f.frames();
        match f.finish(&indexed) {
            Ok(f) => report.files = f.files().map(|p| p.to_owned()).collect(),
            Err(e) => report.file_error = Some(e.to_string()),
        }
    }
    let _ = view_tx.send(ViewMsg::End(isb));
    drop(view_tx);
    if let Some(t) = view_thread
        && let Ok(Some((frames, files, err))) = t.join()
    {
        report.written = frames;
        report.files = files;
        if err.is_some() {
            report.file_error = err;
        }
    }
    let _ = printer.join();
    report.not_shown = shared.not_shown.load(Ordering::Relaxed);
    report.shown = shared.shown.load(Ordering::Relaxed);
    report.seconds = started.elapsed().as_secs_f64();
    let _ = written;
    Ok(report)
}

/// The view thread: analyse, filter, (write,) render; returns what it wrote to a file.
#[allow(clippy::too_many_arguments)]
fn view_loop(
    mut view: Box<dyn LiveView>,
    rx: Receiver<ViewMsg>,
    print: SyncSender<Vec<u8>>,
    recycle: mpsc::Sender<Vec<(Frame, Direction)>>,
    mut file: Option<CaptureFile>,
    count: Option<u64>,
    show_rows: bool,
    shared: &Shared,
) -> Option<(u64, Vec<PathBuf>, Option<String>)> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut skipped_since: u64 = 0;
    let mut done = false;
    let mut error: Option<String> = None;
    let mut end_stats = Vec::new();
    let had_file = file.is_some();
    let mut shown: u64 = 0;
    for msg in rx.iter() {
        let frames = match msg {
            ViewMsg::Frames(f) => f,
            ViewMsg::End(s) => {
                end_stats = s;
                break;
            }
        };
        if done {
            let _ = recycle.send(frames);
            continue;
        }
        let mut rows = 0u64;
        for (n, (frame, dir)) in frames.iter().enumerate() {
            let _ = n;
            let step = match view.push(frame, &mut buf) {
                Ok(s) => s,
                Err(_) => {
                    shared.stop.store(true, Ordering::Relaxed);
                    done = true;
                    break;
                }
            };
            if step == Step::Hidden {
                continue;
            }
            rows += 1;
            shown += 1;
            if let Some(f) = file.as_mut()
                && error.is_none()
                && let Err(e) = f.write_frame(frame.interface, frame, Some(*dir))
            {
                error = Some(e.to_string());
                shared.stop.store(true, Ordering::Relaxed);
            }
            if step == Step::Done || count.is_some_and(|c| shown >= c) {
                done = true;
                shared.stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        shared.shown.fetch_add(rows, Ordering::Relaxed);
        let _ = recycle.send(frames);
        if !show_rows {
            buf.clear();
            continue;
        }
        if buf.is_empty() {
            continue;
        }
        let mut chunk = Vec::with_capacity(buf.len() + 64);
        if skipped_since > 0 {
            let _ = writeln!(
                chunk,
                "… {} frames not shown, all {}",
                group(skipped_since),
                if had_file { "written" } else { "analysed" }
            );
        }
        chunk.extend_from_slice(&buf);
        buf.clear();
        match print.try_send(chunk) {
            Ok(()) => skipped_since = 0,
            Err(TrySendError::Full(_)) => {
                skipped_since += rows;
                shared.not_shown.fetch_add(rows, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {
                shared.stop.store(true, Ordering::Relaxed);
                done = true;
            }
        }
    }
    let mut tail = Vec::new();
    if skipped_since > 0 && show_rows {
        let _ = writeln!(
            tail,
            "… {} frames not shown, all {}",
            group(skipped_since),
            if had_file { "written" } else { "analysed" }
        );
    }
    let _ = view.finish(&mut tail);
    if !tail.is_empty() {
        let _ = print.send(tail);
    }
    file.map(|f| {
        let frames = f.frames();
        let indexed: Vec<(u32, InterfaceStats)> = end_stats
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, *s))
            .collect();
        match f.finish(&indexed) {
            Ok(f) => (frames, f.files().map(|p| p.to_owned()).collect(), error),
            Err(e) => (frames, Vec::new(), Some(e.to_string())),
        }
    })
}

fn printer(rx: Receiver<Vec<u8>>, out: &mut dyn Write, flush_each: bool, shared: &Shared) {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut next = rx.recv().ok();
    while let Some(chunk) = next.take() {
        // Flush whenever the queue is empty: rows appear as they come (on a terminal or a
        // pipe), and a backlog goes out in big writes.
        next = rx.try_recv().ok();
        let ok = out.write_all(&chunk).and_then(|()| {
            if flush_each || next.is_none() {
                out.flush()
            } else {
                Ok(())
            }
        });
        if ok.is_err() {
            // Output closed (`| head`): stop capturing.
            shared.stop.store(true, Ordering::Relaxed);
            return;
        }
        if next.is_none() {
            next = rx.recv().ok();
        }
    }
    let _ = out.flush();
}

fn describe_source_error(ifaces: &[Interface], e: &io::Error) -> String {
    let names: Vec<&str> = ifaces.iter().map(|i| i.name.as_str()).collect();
    match e.raw_os_error() {
        Some(100) => format!(
            "{} went down during the capture (bring it up with `sudo ip link set {} up`)",
            names.join(", "),
            names.first().copied().unwrap_or("IFACE")
        ),
        Some(19) | Some(6) => format!(
            "{} disappeared during the capture (unplugged, or its namespace was deleted)",
            names.join(", ")
        ),
        _ => format!("capturing on {} failed: {e}", names.join(", ")),
    }
}

/// `1234567` as `1,234,567`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_three_digits() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(12_408), "12,408");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}

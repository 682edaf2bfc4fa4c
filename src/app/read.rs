//! `wirelab read`: a capture file through the pipeline, then the whole-capture views.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::read::ReadArgs;
use crate::pipeline::{Pipeline, Step, ViewOptions};
use crate::source::{CaptureReader, SourceEvent};

/// Friendlier errors than the OS gives for the two usual mistakes: a path that does not
/// exist and a directory (then the captures inside it are suggested).
pub(crate) fn check_capture_path(path: &std::path::Path) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut found: Vec<String> = std::fs::read_dir(path)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension()
                            .is_some_and(|x| x == "pcap" || x == "pcapng" || x == "cap")
                    })
                    .map(|p| p.display().to_string())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found.truncate(5);
        if found.is_empty() {
            anyhow::bail!("{} is a directory, not a capture file", path.display());
        }
        anyhow::bail!(
            "{} is a directory, not a capture file; try one of: {}",
            path.display(),
            found.join(", ")
        );
    }
    if !path.exists() {
        anyhow::bail!(
            "{} does not exist; check the path (the bundled examples are in captures/, e.g. captures/tcp-handshake.pcapng)",
            path.display()
        );
    }
    Ok(())
}

/// `wirelab read`: stream a capture through decode → analyse → render/sink.
pub fn read(args: &ReadArgs) -> anyhow::Result<ExitCode> {
    let filter = super::parse_filter(args.filter.as_deref())?;
    let view = super::stream_view(&args.show.views, args.show.hex)?;
    // `read -`: the capture comes on standard input, kept in an unnamed temporary file.
    let spool = if crate::sink::output::is_stdio(&args.file) {
        let mut f = tempfile::NamedTempFile::new().context("cannot make a temporary file")?;
        io::copy(&mut io::stdin().lock(), f.as_file_mut())
            .context("cannot read the capture from standard input")?;
        Some(f)
    } else {
        None
    };
    let path = spool.as_ref().map_or(args.file.as_path(), |f| f.path());
    check_capture_path(path)?;
    let reader = CaptureReader::open(path)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let stdout = io::stdout();
    let tty = stdout.is_terminal();
    let style = super::stdout_style(args.show.color);
    let mut out = BufWriter::with_capacity(1 << 18, stdout.lock());
    let mut pipeline = Pipeline::new(ViewOptions {
        filter,
        detail: args.show.detail,
        hex: args.show.hex && view.is_none(),
        handshakes: args.show.handshakes,
        stats: args.show.stats,
        json: args.show.json,
        count: args.count,
        stream_view: view,
        decode_as: args.show.decode_as.clone(),
        objects: args.export_objects.is_some(),
        style,
    })
    .width(super::terminal_width(args.show.wide));
    if args.realtime && (args.speed.is_nan() || args.speed <= 0.0 || !args.speed.is_finite()) {
        anyhow::bail!("--speed must be a positive number (2 = twice as fast, 0.5 = half speed)");
    }
    let mut export = export_objects(args.export_objects.as_deref())?;
    let mut pace = args.realtime.then(|| Pace::new(args.speed));
    let mut warnings = 0u64;
    for event in reader {
        let frame = match event {
            SourceEvent::Frame(f) => f,
            SourceEvent::Warning(w) => {
                out.flush()?;
                eprintln!("wirelab: warning: {w}");
                warnings += 1;
                continue;
            }
        };
        if let Some(p) = pace.as_mut() {
            out.flush()?;
            p.wait(frame.timestamp);
        }
        let step = pipeline.push(&frame, &mut out)?;
        if let Some(e) = export.as_mut() {
            e.packet(pipeline.packet())?;
        }
        if (tty || pace.is_some()) && step != Step::Hidden {
            out.flush()?;
        }
        if step == Step::Done {
            break;
        }
    }
    pipeline.finish(&mut out)?;
    out.flush()?;
    let (frames, shown) = (pipeline.frames(), pipeline.shown());
    if frames == 0 && warnings > 0 {
        anyhow::bail!(
            "no frame could be read from {} ({warnings} problem{} above); the file is damaged or cut short before its first packet",
            args.file.display(),
            if warnings == 1 { "" } else { "s" }
        );
    }
    if warnings > 0 {
        eprintln!(
            "wirelab: read {frames} frame{} despite {warnings} problem{} in the file (see above)",
            if frames == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
    if frames == 0 {
        eprintln!("wirelab: {} holds no packets", args.file.display());
    } else if shown == 0 && pipeline.has_filter() {
        eprintln!("wirelab: no frame matched the filter ({frames} read)");
    }
    Ok(ExitCode::SUCCESS)
}

/// `--export-objects PROTO DIR`: the exporter, if asked for (only `http` has objects).
fn export_objects(
    arg: Option<&[std::path::PathBuf]>,
) -> anyhow::Result<Option<crate::sink::export_objects::ExportObjects>> {
    let Some([proto, dir]) = arg else {
        return Ok(None);
    };
    if proto.as_os_str() != "http" {
        anyhow::bail!(
            "--export-objects {}: only http has objects to export (write --export-objects http DIR)",
            crate::text::escape(proto.as_os_str().as_encoded_bytes())
        );
    }
    let e = crate::sink::export_objects::ExportObjects::new(dir, crate::dissect::Dissector::Http)?;
    Ok(Some(e))
}

/// `--realtime`: waits until each frame is due, by its timestamp relative to the first.
struct Pace {
    speed: f64,
    start: std::time::Instant,
    first: Option<std::time::Duration>,
}

impl Pace {
    fn new(speed: f64) -> Pace {
        Pace {
            speed,
            start: std::time::Instant::now(),
            first: None,
        }
    }

    /// Sleeps until the frame stamped `ts` is due (a clock going back is not waited for).
    fn wait(&mut self, ts: std::time::Duration) {
        let first = *self.first.get_or_insert(ts);
        let due = ts.saturating_sub(first).div_f64(self.speed);
        if let Some(left) = due.checked_sub(self.start.elapsed()) {
            std::thread::sleep(left);
        }
    }
}

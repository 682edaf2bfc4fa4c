//! `wirelab read`: a capture file through the pipeline, then the whole-capture views.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::analyse::follow::FollowProto;
use crate::cli::read::ReadArgs;
use crate::pipeline::{Pipeline, Step, ViewOptions};
use crate::source::{CaptureReader, SourceEvent};
use crate::stream_views::StreamViewKind;

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

/// The per-stream view the flags ask for, if any.
fn stream_view(args: &ReadArgs) -> anyhow::Result<Option<StreamViewKind>> {
    if args.stream.is_some() && !(args.rtt || args.throughput || args.tcp_report) {
        anyhow::bail!(
            "--stream N goes with --rtt, --throughput or --tcp-report (to follow a stream, use --follow N)"
        );
    }
    Ok(if args.rtt {
        Some(StreamViewKind::Rtt {
            stream: args.stream,
        })
    } else if args.throughput {
        let us = args.interval * 1e6;
        if !us.is_finite() || us.round() < 1.0 || us > 1e15 {
            anyhow::bail!(
                "--interval {} is not a usable interval; give seconds greater than 0, e.g. --interval 0.1",
                args.interval
            );
        }
        Some(StreamViewKind::Throughput {
            interval_us: us.round() as u64,
            stream: args.stream,
        })
    } else if let Some(stream) = args.follow {
        Some(StreamViewKind::Follow {
            proto: if args.udp {
                FollowProto::Udp
            } else {
                FollowProto::Tcp
            },
            stream,
            hex: args.hex,
        })
    } else if args.tcp_report {
        Some(StreamViewKind::TcpReport {
            stream: args.stream,
        })
    } else {
        None
    })
}

/// `wirelab read`: stream a capture through decode → analyse → render/sink.
pub fn read(args: &ReadArgs) -> anyhow::Result<ExitCode> {
    let filter = super::parse_filter(args.filter.as_deref())?;
    let view = stream_view(args)?;
    check_capture_path(&args.file)?;
    let reader = CaptureReader::open(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let stdout = io::stdout();
    let tty = stdout.is_terminal();
    let style = super::stdout_style(args.color);
    let mut out = BufWriter::with_capacity(1 << 18, stdout.lock());
    let mut pipeline = Pipeline::new(ViewOptions {
        filter,
        detail: args.detail,
        hex: args.hex && view.is_none(),
        handshakes: args.handshakes,
        stats: args.stats,
        json: args.json,
        count: args.count,
        stream_view: view,
        style,
    });
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
        let step = pipeline.push(&frame, &mut out)?;
        if tty && step != Step::Hidden {
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

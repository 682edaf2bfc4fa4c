//! One run function per subcommand: pick a source, build the pipeline, attach sinks.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::analyse::conversations::Conversations;
use crate::analyse::handshake::Handshakes;
use crate::analyse::{Analyzer, Packet};
use crate::cli::read::{ColorChoice, ReadArgs};
use crate::cli::{Cli, Command};
use crate::render::style::Style;
use crate::render::{detail, handshakes, hex, stats, table::PacketList};
use crate::sink::json;
use crate::source::{CaptureReader, SourceEvent};

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Read(args) => read(&args),
        Command::Demo(cmd) => crate::demo::run(cmd),
        Command::Simp(cmd) => crate::demo::simp::run(cmd),
    }
}

/// True when the error chain ends in a broken pipe (output closed by `head`, a pager...).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Friendlier errors than the OS gives for the two usual mistakes: a path that does not
/// exist and a directory (then the captures inside it are suggested).
fn check_capture_path(path: &std::path::Path) -> anyhow::Result<()> {
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

/// What `read` prints per frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PerFrame {
    Table,
    Json,
    Detail,
    Nothing,
}

/// `wirelab read`: stream a capture through decode → analyse → render/sink.
pub fn read(args: &ReadArgs) -> anyhow::Result<ExitCode> {
    let filter = match &args.filter {
        Some(src) => Some(
            crate::filter::Filter::parse(src)
                .map_err(|e| anyhow::anyhow!("bad display filter:\n{}", e.render(src)))?,
        ),
        None => None,
    };
    check_capture_path(&args.file)?;
    let reader = CaptureReader::open(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let stdout = io::stdout();
    let tty = stdout.is_terminal();
    let style = Style {
        color: match args.color {
            ColorChoice::Auto => tty,
            ColorChoice::Always => true,
            ColorChoice::Never => false,
        },
    };
    let mut out = BufWriter::with_capacity(1 << 18, stdout.lock());
    let per_frame = if args.json {
        PerFrame::Json
    } else if args.detail {
        PerFrame::Detail
    } else if args.handshakes || args.stats {
        if args.hex {
            PerFrame::Table
        } else {
            PerFrame::Nothing
        }
    } else {
        PerFrame::Table
    };
    let list = PacketList { style };
    let mut conversations = args.stats.then(Conversations::new);
    let mut exchanges = args.handshakes.then(Handshakes::new);
    let mut analyzer = Analyzer::new();
    let mut packet = Packet::default();
    let (mut frames, mut shown, mut warnings) = (0u64, 0u64, 0u64);

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
        frames += 1;
        analyzer.process(&frame, &mut packet);
        if let Some(f) = &filter
            && !f.matches(&packet)
        {
            continue;
        }
        shown += 1;
        if let Some(c) = conversations.as_mut() {
            c.add(&packet);
        }
        if let Some(h) = exchanges.as_mut() {
            h.add(&packet);
        }
        match per_frame {
            PerFrame::Json => json::write_packet(&mut out, &packet)?,
            PerFrame::Table => {
                if shown == 1 {
                    list.header(&mut out)?;
                }
                list.row(&mut out, &packet)?;
                if args.hex {
                    let layers = packet.layers(&frame.data);
                    hex::write_hex(&mut out, &frame.data, &layers, style)?;
                    writeln!(out)?;
                }
            }
            PerFrame::Detail => {
                let layers = packet.layers(&frame.data);
                detail::write_detail(&mut out, &packet, &layers, style)?;
                if args.hex {
                    hex::write_hex(&mut out, &frame.data, &layers, style)?;
                }
                writeln!(out)?;
            }
            PerFrame::Nothing => {}
        }
        if tty {
            out.flush()?;
        }
        if args.count.is_some_and(|n| shown >= n) {
            break;
        }
    }
    if let Some(h) = &exchanges {
        handshakes::write_handshakes(&mut out, h, style)?;
    }
    if let Some(c) = &conversations {
        if exchanges.is_some() {
            writeln!(out)?;
        }
        stats::write_stats(&mut out, c)?;
    }
    out.flush()?;
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
    } else if shown == 0 && filter.is_some() {
        eprintln!("wirelab: no frame matched the filter ({frames} read)");
    }
    Ok(ExitCode::SUCCESS)
}

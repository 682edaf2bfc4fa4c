//! `wirelab graph`: one TCP stream's graphs, drawn in the terminal or written as files.
//!
//! Without `--stream`, a first pass over the file finds the stream that carried most
//! payload (one direction); a second collects its series. Memory stays bounded by the
//! points drawn (see `graph::decimate`).

use std::collections::HashMap;
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::analyse::{Packet, analyse_each};
use crate::cli::graph::{FormatArg, GraphArgs, KindArg};
use crate::graph::plot::{self, Format};
use crate::graph::series::GraphCollector;
use crate::graph::{GraphKind, braille};
use crate::source::{CaptureReader, SourceEvent};

/// Runs `f` on every analysed packet of `path`; returns the number of warnings.
fn each_packet(path: &Path, mut f: impl FnMut(&Packet, &[u8])) -> anyhow::Result<u64> {
    let reader =
        CaptureReader::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut warnings = 0;
    analyse_each(
        reader.map(SourceEvent::into_result),
        |packet, frame| f(packet, &frame.data),
        |w| {
            eprintln!("wirelab: warning: {w}");
            warnings += 1;
        },
    );
    Ok(warnings)
}

/// The stream whose busier direction carried most payload, and how many streams there are.
fn largest_stream(path: &Path) -> anyhow::Result<(Option<u32>, usize)> {
    let mut payload: HashMap<(u32, bool), u64> = HashMap::new();
    let mut first_src = HashMap::new();
    each_packet(path, |p, _| {
        let (Some(t), Some(a), Some((sip, _))) =
            (p.tcp_repr(), p.tcp.as_ref(), p.decoded.net.ip_addrs())
        else {
            return;
        };
        let src = std::net::SocketAddr::new(sip, t.src_port);
        let a_side = *first_src.entry(a.stream).or_insert(src) == src;
        *payload.entry((a.stream, a_side)).or_default() += u64::from(t.len.unwrap_or(0));
    })?;
    let best = payload
        .iter()
        .max_by_key(|&(&(s, _), &n)| (n, std::cmp::Reverse(s)))
        .map(|(&(s, _), _)| s);
    Ok((best, first_src.len()))
}

fn kinds(k: KindArg) -> Vec<GraphKind> {
    match k {
        KindArg::Stevens => vec![GraphKind::Stevens],
        KindArg::Tcptrace => vec![GraphKind::Tcptrace],
        KindArg::Rtt => vec![GraphKind::Rtt],
        KindArg::Throughput => vec![GraphKind::Throughput],
        KindArg::Window => vec![GraphKind::Window],
        KindArg::All => GraphKind::ALL.to_vec(),
    }
}

/// Where each graph goes: `(kind, file)`; empty for the terminal.
///
/// `-o DIR/` (or an existing directory) puts `streamN-KIND.EXT` files in it, and the
/// directory must exist: none is created. With several kinds, `-o NAME.EXT` writes
/// `NAME-KIND.EXT` files next to each other.
fn targets(args: &GraphArgs, stream: u32) -> anyhow::Result<Vec<(GraphKind, PathBuf, Format)>> {
    let Some(out) = &args.output else {
        return Ok(Vec::new());
    };
    let kinds = kinds(args.kind);
    let as_dir = out.is_dir() || out.as_os_str().to_string_lossy().ends_with('/');
    if as_dir {
        if !out.is_dir() {
            anyhow::bail!(
                "{} is not an existing directory: create it first, or give a file name like -o graph.svg (wirelab never creates a directory)",
                out.display()
            );
        }
        let format = match args.format {
            FormatArg::Svg => Format::Svg,
            FormatArg::Png => Format::Png,
        };
        return Ok(kinds
            .into_iter()
            .map(|k| {
                let name = format!("stream{stream}-{}.{}", k.name(), format.extension());
                (k, out.join(name), format)
            })
            .collect());
    }
    let format = Format::of(out).ok_or_else(|| {
        anyhow::anyhow!(
            "{}: give a file name ending in .svg or .png (or an existing directory, -o DIR/)",
            out.display()
        )
    })?;
    if kinds.len() == 1 {
        return Ok(kinds
            .into_iter()
            .map(|k| (k, out.clone(), format))
            .collect());
    }
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(kinds
        .into_iter()
        .map(|k| {
            let name = format!("{stem}-{}.{}", k.name(), format.extension());
            (k, out.with_file_name(name), format)
        })
        .collect())
}

/// `wirelab graph`.
pub fn graph(args: &GraphArgs) -> anyhow::Result<ExitCode> {
    super::read::check_capture_path(&args.file)?;
    let stream = match args.stream {
        Some(s) => s,
        None => match largest_stream(&args.file)? {
            (Some(s), _) => s,
            (None, _) => anyhow::bail!(
                "{} has no TCP stream to draw (graphs are of TCP streams; `wirelab read FILE --stats` lists what it holds)",
                args.file.display()
            ),
        },
    };
    let targets = targets(args, stream)?;
    let mut collector = GraphCollector::new(stream).with_interval(args.interval);
    each_packet(&args.file, |p, frame| collector.add(p, frame))?;
    if !collector.seen() {
        anyhow::bail!(
            "there is no TCP stream {stream} in {} (streams are numbered from 0 in order of appearance; `wirelab read FILE --stats` lists them)",
            args.file.display()
        );
    }
    collector.finish();
    // Every file is claimed before any is drawn: nothing is replaced without --force, and a
    // refusal leaves no half-written set behind.
    let mut claimed: Vec<&Path> = Vec::new();
    for (_, path, _) in &targets {
        if let Err(e) = crate::sink::output::create_new(path, args.force, "-o") {
            if !args.force {
                for p in claimed {
                    let _ = std::fs::remove_file(p);
                }
            }
            return Err(e.into());
        }
        claimed.push(path);
    }
    if targets.is_empty() {
        let style = super::stdout_style(args.color);
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        for (i, kind) in kinds(args.kind).into_iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            let g = collector.graph(kind);
            for line in
                braille::render(&g, usize::from(args.width), usize::from(args.height), style)
            {
                writeln!(out, "{line}")?;
            }
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    for (kind, path, format) in targets {
        let g = collector.graph(kind);
        plot::write_file(&g, &path, format).map_err(|e| {
            anyhow::anyhow!(
                "cannot write {}: {e} (check that the directory exists and you may write there)",
                path.display()
            )
        })?;
        eprintln!(
            "wirelab: wrote {} ({} graph of TCP stream {stream})",
            path.display(),
            kind
        );
    }
    Ok(ExitCode::SUCCESS)
}

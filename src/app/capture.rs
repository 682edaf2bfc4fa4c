//! `wirelab capture`: a live capture through the same pipeline as `read`, written to pcapng.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;

use crate::capture::{self, CaptureReport, CaptureSetup, FileSetup, LiveView, group};
use crate::cli::capture::CaptureArgs;
use crate::link::Interface;
use crate::link::iface;
use crate::pipeline::{Pipeline, ViewOptions};
use crate::sink::capture_file::Rotation;
use crate::source::live::{LiveOptions, MAX_SNAPLEN, default_buffer};

/// `wirelab capture --list`: the interfaces, as `read` and `capture -i` name them.
fn list(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<12} {:<10} {:<17}  {:<10}  addresses",
        "interface", "state", "MAC", "link type"
    )?;
    for i in iface::list() {
        let mac = match i.mac {
            Some(m) if m != [0; 6] => crate::analyse::mac(&m),
            _ => "-".into(),
        };
        let addrs: Vec<String> = i.addrs.iter().map(|(a, p)| format!("{a}/{p}")).collect();
        writeln!(
            out,
            "{:<12} {:<10} {:<17}  {:<10}  {}",
            i.name,
            i.state(),
            mac,
            i.link_type().name(),
            if addrs.is_empty() {
                "-".to_string()
            } else {
                addrs.join(" ")
            }
        )?;
    }
    Ok(())
}

/// Parses a size such as `10MB`, `500kB`, `1GiB` or `4096` (bytes).
pub(crate) fn parse_size(text: &str) -> anyhow::Result<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| anyhow::anyhow!("{text:?} is not a size: write e.g. 10MB, 500kB or 1GB"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1_048_576.0,
        "g" | "gb" => 1e9,
        "gib" => 1_073_741_824.0,
        other => anyhow::bail!("unknown size unit {other:?} in {text:?}: use kB, MB or GB"),
    };
    let bytes = value * mult;
    if !(1.0..=1e15).contains(&bytes) {
        anyhow::bail!("{text:?} is not a usable file size");
    }
    Ok(bytes as u64)
}

/// Finds each interface named with -i (an unknown name lists the interfaces there are).
pub(crate) fn interfaces(names: &[String]) -> anyhow::Result<Vec<Interface>> {
    let mut out: Vec<Interface> = Vec::new();
    for name in names {
        let i = iface::find(name)?;
        if !i.up {
            return Err(crate::link::LinkError::Down { name: i.name }.into());
        }
        if out.iter().any(|o| o.index == i.index) {
            anyhow::bail!("interface {name} is given twice with -i");
        }
        out.push(i);
    }
    Ok(out)
}

/// Ctrl-C and SIGTERM set the flag; a second one ends the program at once.
pub(crate) fn stop_on_signals() -> anyhow::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 130, stop.clone())
            .context("cannot install the Ctrl-C handler")?;
        signal_hook::flag::register(sig, stop.clone())
            .context("cannot install the Ctrl-C handler")?;
    }
    Ok(stop)
}

/// The end-of-capture summary, as tcpdump and dumpcap print it.
pub(crate) fn summary(report: &CaptureReport, file: bool) -> String {
    let mut s = String::new();
    let kernel_rx: u64 = report.interfaces.iter().map(|(_, st)| st.received).sum();
    let dropped: u64 = report.interfaces.iter().map(|(_, st)| st.dropped).sum();
    let delivered: u64 = report.interfaces.iter().map(|(_, st)| st.delivered).sum();
    let names: Vec<&str> = report.interfaces.iter().map(|(n, _)| n.as_str()).collect();
    s.push_str(&format!(
        "wirelab: {} frames captured on {} in {:.1} s; the kernel received {} and dropped {}",
        group(delivered),
        names.join(", "),
        report.seconds,
        group(kernel_rx),
        group(dropped),
    ));
    if dropped > 0 {
        s.push_str(" (ring full: try a bigger --buffer, a smaller --snaplen, or --quiet)");
    }
    if file {
        s.push_str(&format!("; {} written", group(report.written)));
        match report.files.as_slice() {
            [] => {}
            [one] => s.push_str(&format!(" to {}", one.display())),
            many => s.push_str(&format!(
                " to {} files ({} … {})",
                many.len(),
                many[0].display(),
                many[many.len() - 1].display()
            )),
        }
    }
    if report.not_shown > 0 {
        s.push_str(&format!(
            "\nwirelab: {} frames not shown (the terminal could not keep up){}",
            group(report.not_shown),
            if file { ", all written" } else { "" }
        ));
    }
    if report.not_analysed > 0 {
        s.push_str(&format!(
            "\nwirelab: {} frames came too fast for the analysis and were not shown{}; TCP analysis flags after them may be off",
            group(report.not_analysed),
            if file { " (all written)" } else { "" }
        ));
    }
    if report.cut_by_ring > 0 {
        s.push_str(&format!(
            "\nwirelab: {} frames were larger than a ring block and were cut short",
            group(report.cut_by_ring)
        ));
    }
    s
}

/// `text` for standard error: on a terminal narrower than a line, the line is broken after
/// its "; " into indented lines (a pipe gets it unchanged).
pub(crate) fn fit_stderr(text: &str) -> String {
    let width = if io::stderr().is_terminal() {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .or_else(|| {
                ratatui::crossterm::terminal::size()
                    .ok()
                    .map(|(w, _)| usize::from(w))
            })
    } else {
        None
    };
    match width {
        Some(w) if w >= 20 => break_lines(text, w),
        _ => text.to_string(),
    }
}

/// Each line of `text` longer than `width` broken after "; " into lines indented by two.
fn break_lines(text: &str, width: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let mut cur = String::new();
        for (i, part) in line.split("; ").enumerate() {
            let piece = if i == 0 {
                part.to_string()
            } else {
                format!("; {part}")
            };
            if !cur.is_empty()
                && crate::render::table::display_width(&cur)
                    + crate::render::table::display_width(&piece)
                    > width
            {
                out.push(format!("{};", cur));
                cur = format!("  {}", piece.trim_start_matches("; "));
            } else {
                cur.push_str(&piece);
            }
        }
        out.push(cur);
    }
    out.join("\n")
}

/// `wirelab capture`.
pub fn capture(args: &CaptureArgs) -> anyhow::Result<ExitCode> {
    if args.list || args.interfaces.is_empty() {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        list(&mut out)?;
        if !args.list {
            // Bare `wirelab capture`: say how to pick one.
            let all = iface::list();
            let example = all
                .iter()
                .find(|i| i.up && i.name != "lo")
                .or_else(|| all.first())
                .map_or("eth0", |i| i.name.as_str());
            writeln!(
                out,
                "\nPick one with -i, e.g.: wirelab capture -i {example} (several -i for several)"
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let filter = super::parse_filter(args.filter.as_deref())?;
    let ifaces = interfaces(&args.interfaces)?;
    let snaplen = match args.snaplen {
        None | Some(0) => MAX_SNAPLEN,
        Some(n) if n < 14 => {
            anyhow::bail!("--snaplen {n} is too small to hold even an Ethernet header (14 bytes)")
        }
        Some(n) => n.min(MAX_SNAPLEN),
    };
    let rotation = match &args.rotate {
        Some(size) => Some(Rotation {
            size: parse_size(size)?,
            files: args.files.unwrap_or(0),
        }),
        None => None,
    };
    let duration = match args.duration {
        Some(d) if d.is_nan() || d <= 0.0 || !d.is_finite() => {
            anyhow::bail!("--duration must be a positive number of seconds")
        }
        Some(d) => Some(Duration::from_secs_f64(d.min(1e9))),
        None => None,
    };
    let buffer = args
        .buffer
        .map_or(default_buffer(snaplen), |mb| (mb.max(1) as usize) << 20);
    // With `-w -` the pcapng goes to standard output and the packet list to standard error.
    let to_stdout = args
        .write
        .as_deref()
        .is_some_and(crate::sink::output::is_stdio);
    if to_stdout && args.rotate.is_some() {
        anyhow::bail!("--rotate needs files: it cannot be used with -w - (standard output)");
    }
    let tty = if to_stdout {
        io::stderr().is_terminal()
    } else {
        io::stdout().is_terminal()
    };
    let style = if to_stdout {
        super::stdout_style(crate::cli::read::ColorChoice::Never)
    } else {
        super::stdout_style(args.show.color)
    };
    let stream_view = super::stream_view(&args.show.views, args.show.hex)?;
    let whole_views = args.show.handshakes || args.show.stats || stream_view.is_some();
    let quiet = args.quiet;
    let need_view = !quiet || filter.is_some() || whole_views;
    let view: Option<Box<dyn LiveView>> = need_view.then(|| {
        Box::new(
            Pipeline::new(ViewOptions {
                filter,
                detail: args.show.detail,
                hex: args.show.hex,
                handshakes: args.show.handshakes,
                stats: args.show.stats,
                json: args.show.json,
                count: args.count,
                style,
                stream_view,
                decode_as: args.show.decode_as.clone(),
                objects: false,
            })
            .live(),
        ) as Box<dyn LiveView>
    });
    let stop = stop_on_signals()?;
    let names: Vec<&str> = ifaces.iter().map(|i| i.name.as_str()).collect();
    let setup = CaptureSetup {
        interfaces: ifaces.clone(),
        live: LiveOptions {
            snaplen,
            promiscuous: !args.no_promisc,
            buffer,
            // Nobody watches rows with --quiet: let blocks fill for longer (fewer wake-ups).
            latency: Duration::from_millis(if quiet { 100 } else { 10 }),
        },
        file: args.write.as_ref().map(|p| FileSetup {
            path: p.clone(),
            force: args.force,
            rotation,
        }),
        view,
        show_rows: !quiet,
        count: args.count,
        duration,
        counters: quiet && io::stderr().is_terminal(),
        stop,
        on_ready: Some(Box::new({
            let msg = format!(
                "wirelab: capturing on {}{}{} — Ctrl-C to stop",
                names.join(", "),
                if snaplen < MAX_SNAPLEN {
                    format!(", {snaplen} bytes per frame")
                } else {
                    String::new()
                },
                args.write
                    .as_ref()
                    .map(|p| format!(", writing {}", p.display()))
                    .unwrap_or_default()
            );
            move || eprintln!("{msg}")
        })),
        out: if to_stdout {
            Box::new(io::stderr())
        } else {
            Box::new(io::stdout())
        },
        flush_each: tty,
        drops: None,
    };
    let report = capture::run(setup, args.filter.as_deref())?;
    eprintln!("{}", fit_stderr(&summary(&report, args.write.is_some())));
    if let Some(e) = &report.file_error {
        anyhow::bail!("{e}");
    }
    if let Some(e) = &report.source_error {
        anyhow::bail!("{e}");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_summary_lines_break_after_a_semicolon() {
        let s =
            "wirelab: 22 frames captured on eth0 in 4.0 s; the kernel received 22 and dropped 0";
        assert_eq!(
            break_lines(s, 80),
            "wirelab: 22 frames captured on eth0 in 4.0 s;\n  the kernel received 22 and dropped 0"
        );
        assert_eq!(break_lines("short; line", 80), "short; line");
    }

    #[test]
    fn sizes_in_words() {
        assert_eq!(parse_size("10MB").unwrap(), 10_000_000);
        assert_eq!(parse_size("500kB").unwrap(), 500_000);
        assert_eq!(parse_size("1MiB").unwrap(), 1_048_576);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert!(parse_size("ten").unwrap_err().to_string().contains("10MB"));
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("0").is_err());
    }
}

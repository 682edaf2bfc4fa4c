//! `wirelab serve`: an ordinary kernel TCP server plus the live view of its connections'
//! frames (captured on the interfaces, filtered to its port); `--from FILE` shows a saved
//! capture the same way.

use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::Context;

use super::capture::{fit_stderr, interfaces, stop_on_signals, summary};
use crate::capture::{self, CaptureSetup, FileSetup, LiveView};
use crate::cli::capture::ServeArgs;
use crate::link::iface;
use crate::serve::ServeView;
use crate::source::live::{LiveOptions, MAX_SNAPLEN, default_buffer};
use crate::source::{CaptureReader, SourceEvent};

/// `wirelab serve`.
pub fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let style = super::stdout_style(args.color);
    if let Some(file) = &args.from {
        return from_file(args, file, style);
    }
    let bind: IpAddr = args.bind.parse().map_err(|_| {
        anyhow::anyhow!(
            "--bind {:?} is not an IP address (e.g. 0.0.0.0 for every address, or 10.0.3.1)",
            args.bind
        )
    })?;
    let listener = TcpListener::bind(SocketAddr::new(bind, args.port)).map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "port {} is already in use on {bind}: a server you started earlier may still be running (stop it, or pick another --port)",
                args.port
            )
        } else if e.kind() == io::ErrorKind::PermissionDenied {
            anyhow::anyhow!(
                "port {} is below 1024 and needs root: use a port like 8080",
                args.port
            )
        } else {
            anyhow::anyhow!("cannot listen on {bind}:{}: {e}", args.port)
        }
    })?;
    let ifaces = if args.interfaces.is_empty() {
        iface::list().into_iter().filter(|i| i.up).collect()
    } else {
        interfaces(&args.interfaces)?
    };
    let stop = stop_on_signals()?;
    let names: Vec<String> = ifaces.iter().map(|i| i.name.clone()).collect();
    let mut view = ServeView::new(args.port, style);
    view.detail = false;
    fit_view(&mut view, args);
    let reply = args.reply.clone();
    let port = args.port;
    let server_stop = stop.clone();
    let setup = CaptureSetup {
        interfaces: ifaces,
        live: LiveOptions {
            snaplen: MAX_SNAPLEN,
            promiscuous: false,
            buffer: default_buffer(MAX_SNAPLEN),
            latency: Duration::from_millis(10),
        },
        file: args.write.as_ref().map(|p| FileSetup {
            path: p.clone(),
            force: args.force,
            rotation: None,
        }),
        view: Some(Box::new(view) as Box<dyn LiveView>),
        show_rows: true,
        count: None,
        duration: args
            .duration
            .filter(|d| *d > 0.0 && d.is_finite())
            .map(Duration::from_secs_f64),
        counters: false,
        stop: stop.clone(),
        on_ready: Some(Box::new(move || {
            eprintln!(
                "wirelab: serving TCP port {port} (capturing on {}) — Ctrl-C to stop",
                names.join(", ")
            );
            thread::spawn(move || accept_loop(listener, reply, server_stop));
        })),
        out: Box::new(io::stdout()),
        flush_each: io::stdout().is_terminal(),
        drops: None,
    };
    let filter = format!("tcp.port == {port}");
    let report = capture::run(setup, Some(&filter))?;
    stop.store(true, Ordering::Relaxed);
    eprintln!("{}", fit_stderr(&summary(&report, args.write.is_some())));
    if let Some(e) = &report.file_error {
        anyhow::bail!("{e}");
    }
    if let Some(e) = &report.source_error {
        anyhow::bail!("{e}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `serve --from FILE`: the same view, from a capture file.
fn from_file(
    args: &ServeArgs,
    file: &std::path::Path,
    style: crate::render::style::Style,
) -> anyhow::Result<ExitCode> {
    let reader =
        CaptureReader::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut view = ServeView::new(args.port, style);
    fit_view(&mut view, args);
    for event in reader {
        match event {
            SourceEvent::Frame(f) => {
                view.push(&f, &mut out)?;
            }
            SourceEvent::Warning(w) => {
                out.flush()?;
                eprintln!("wirelab: warning: {w}");
            }
        }
    }
    view.finish(&mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Accepts clients until stopped; each gets its own thread.
fn accept_loop(listener: TcpListener, reply: String, stop: Arc<AtomicBool>) {
    if listener.set_nonblocking(true).is_err() {
        return;
    }
    let reply = Arc::new(reply);
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, peer)) => {
                let reply = reply.clone();
                thread::spawn(move || serve_client(stream, peer, &reply));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                eprintln!("server: accept failed: {e}");
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Prints what the client sends (on stderr, beside the frame view) and replies to each
/// message, like the lab servers.
fn serve_client(mut stream: TcpStream, peer: SocketAddr, reply: &str) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(300)));
    eprintln!("server: {peer} connected");
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let data = &buf[..n];
                let data = data.strip_suffix(b"\n").unwrap_or(data);
                let data = data.strip_suffix(b"\r").unwrap_or(data);
                let text = crate::render::text::escape(data);
                eprintln!("server: {peer} sent {n} bytes: {text}");
                if stream.write_all(reply.as_bytes()).is_err() {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    eprintln!("server: {peer} disconnected");
}

/// Summary mode and width: on a terminal a summary fitted to its width, on a pipe every
/// frame at full width, unless `--summary`, `-V` or `--wide` say otherwise.
fn fit_view(view: &mut ServeView, args: &ServeArgs) {
    let tty = io::stdout().is_terminal();
    view.summary = args.summary || (tty && !args.every_frame);
    view.width = super::terminal_width(args.wide);
}

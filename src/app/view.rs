//! `wirelab view`: a capture file in the terminal (packet list, details and bytes), or a
//! live capture watched as it is written.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;

use crate::capture::{self, CaptureError, CaptureReport, CaptureSetup, FileSetup};
use crate::cli::view::ViewArgs;
use crate::dissect::Table;
use crate::source::live::{LiveOptions, MAX_SNAPLEN, default_buffer};
use crate::tui::{
    self,
    index::{LiveStatus, SourceSpec},
};

/// `wirelab view FILE` or `wirelab view -i IFACE`: checks the arguments, then runs the
/// full-screen view.
pub fn view(args: &ViewArgs) -> anyhow::Result<ExitCode> {
    // A bad filter or path is reported before the screen is taken over.
    let filter = super::parse_filter(args.filter.as_deref())?;
    let filter = filter.map(|f| (args.filter.clone().unwrap_or_default(), f));
    if args
        .write
        .as_deref()
        .is_some_and(crate::sink::output::is_stdio)
    {
        anyhow::bail!(
            "view -w - cannot write the capture to standard output: the view draws on it; \
             keep the capture in a file (-w FILE.pcapng), or pipe it with \
             `wirelab capture -i IFACE -w -`"
        );
    }
    let Some(file) = &args.file else {
        return live(args, filter);
    };
    if crate::sink::output::is_stdio(file) {
        return from_stdin(filter, Table::new(args.decode_as.clone()));
    }
    super::read::check_capture_path(file)?;
    let mut spec = SourceSpec::file(file);
    spec.table = Table::new(args.decode_as.clone());
    tui::run_with_filter(spec, args.follow, filter)
        .with_context(|| format!("cannot view {}", file.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// Most bytes read from standard input before the view gives up waiting for a capture header.
const STDIN_HEADER_LIMIT: u64 = 1 << 16;

/// `wirelab view -`: a capture arriving on standard input (`ssh pi 'tcpdump -U -w -' |
/// wirelab view -`). A thread copies it into a temporary file as it comes, and the view
/// follows that file as it follows any growing file; the keys are read from the terminal
/// (`/dev/tty`). The file is removed when the view quits.
fn from_stdin(
    filter: Option<(String, crate::filter::Filter)>,
    table: Table,
) -> anyhow::Result<ExitCode> {
    use std::io::{Read as _, Write as _};
    let mut spool = tempfile::Builder::new()
        .prefix("wirelab-view-stdin-")
        .tempfile()
        .context(
            "cannot create a temporary file for the capture on standard input \
             (set TMPDIR to a folder you can write to)",
        )?;
    // The header first, so that a stream that is not a capture fails before the screen is
    // taken over, as a file does.
    let mut stdin = std::io::stdin();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("cannot read the capture from standard input"),
        };
        spool
            .as_file_mut()
            .write_all(&buf[..n])
            .context("cannot write the temporary copy of standard input")?;
        total += n as u64;
        if n == 0
            || total >= STDIN_HEADER_LIMIT
            || crate::source::CaptureReader::open(spool.path()).is_ok()
        {
            break;
        }
    }
    if total == 0 {
        anyhow::bail!("standard input is empty: no capture to view");
    }
    let mut out = spool
        .as_file()
        .try_clone()
        .context("cannot write the temporary copy of standard input")?;
    let path = spool.into_temp_path();
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            // Ends at the end of the input (or when the view quits and the process exits).
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut out);
        })
        .context("cannot start the thread that reads standard input")?;
    let mut spec = SourceSpec::file(&path);
    spec.label = "standard input".to_string();
    spec.table = table;
    tui::run_with_filter(spec, true, filter).context("cannot view standard input")?;
    drop(path);
    Ok(ExitCode::SUCCESS)
}

/// The capture thread of a live view; dropping it stops the capture and waits for it.
struct LiveCapture {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<CaptureReport, CaptureError>>>,
}

impl LiveCapture {
    /// Stops the capture and returns its report (or why it could not run).
    fn finish(mut self) -> Option<Result<CaptureReport, CaptureError>> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok())
    }
}

impl Drop for LiveCapture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `wirelab view -i IFACE [-w FILE]`: the live capture writes pcapng on its own thread (it
/// never waits on the terminal), and the view follows that file.
fn live(
    args: &ViewArgs,
    filter: Option<(String, crate::filter::Filter)>,
) -> anyhow::Result<ExitCode> {
    let ifaces = super::capture::interfaces(&args.interfaces)?;
    // The file: -w, or a temporary one removed when the view quits (the guard).
    let (path, temp) = match &args.write {
        Some(p) => (p.clone(), None),
        None => {
            let t = tempfile::Builder::new()
                .prefix("wirelab-view-")
                .suffix(".pcapng")
                .tempfile()
                .context(
                    "cannot create a temporary file for the capture: \
                     give one with -w FILE.pcapng in a folder you can write to",
                )?
                .into_temp_path();
            (t.to_path_buf(), Some(t))
        }
    };
    let status = Arc::new(LiveStatus::default());
    // Ctrl-C is a key in the view; a SIGINT sent by `kill` (or SIGTERM, SIGHUP) quits it too,
    // with the terminal restored and the capture finished.
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(sig, status.quit.clone())
            .context("cannot install the signal handler")?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let setup = CaptureSetup {
        interfaces: ifaces.clone(),
        live: LiveOptions {
            snaplen: MAX_SNAPLEN,
            promiscuous: !args.no_promisc,
            buffer: default_buffer(MAX_SNAPLEN),
            latency: Duration::from_millis(10),
        },
        file: Some(FileSetup {
            path: path.clone(),
            // The temporary file exists already (empty): it is ours to replace.
            force: args.force || temp.is_some(),
            rotation: None,
        }),
        view: None,
        show_rows: false,
        count: None,
        duration: None,
        counters: false,
        stop: stop.clone(),
        on_ready: Some(Box::new(move || {
            let _ = ready_tx.send(());
        })),
        out: Box::new(std::io::sink()),
        flush_each: false,
        drops: Some(status.drops.clone()),
    };
    let thread = {
        let status = status.clone();
        std::thread::Builder::new()
            .name("capture".into())
            .spawn(move || {
                let result = capture::run(setup, None);
                let why = match &result {
                    Ok(r) => r.source_error.clone().or_else(|| r.file_error.clone()),
                    Err(e) => Some(e.to_string()),
                };
                if let Some(why) = why {
                    *status.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
                }
                result
            })
            .context("cannot start the capture thread")?
    };
    let capture = LiveCapture {
        stop,
        thread: Some(thread),
    };
    // The rings are open (or the capture failed: no privilege, ...) before the screen is
    // taken over, so that its error reads like `wirelab capture`'s.
    let ready = ready_rx.recv();
    if ready.is_ok() {
        // The capture thread dropped its capabilities after opening the rings; so does this one.
        crate::privilege::drop_all()?;
    }
    if ready.is_err() {
        match capture.finish() {
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(r)) => anyhow::bail!(
                "the capture stopped at once: {}",
                r.source_error.or(r.file_error).unwrap_or_default()
            ),
            None => anyhow::bail!("the capture thread failed"),
        }
    }
    // Privileges first (as `capture` reports them), then the terminal.
    if !std::io::IsTerminal::is_terminal(&std::io::stdout())
        || !std::io::IsTerminal::is_terminal(&std::io::stdin())
    {
        drop(capture);
        anyhow::bail!(
            "wirelab view draws a full-screen view and needs a terminal, but this is not one \
             (a pipe, a file or CI); capture with `wirelab capture -i {}` there instead",
            args.interfaces.join(" -i ")
        );
    }
    let names: Vec<&str> = ifaces.iter().map(|i| i.name.as_str()).collect();
    let mut spec = SourceSpec::file(&path);
    spec.label = match &args.write {
        Some(p) => format!("live on {} → {}", names.join(", "), p.display()),
        None => format!("live on {}", names.join(", ")),
    };
    spec.live = Some(status.clone());
    spec.table = Table::new(args.decode_as.clone());
    let shown = tui::run_with_filter(spec, true, filter);
    let report = capture.finish();
    shown.context("cannot show the live capture")?;
    match report {
        Some(Ok(r)) => {
            eprintln!("{}", super::capture::summary(&r, args.write.is_some()));
            if let Some(e) = r.file_error.or(r.source_error) {
                anyhow::bail!("{e}");
            }
        }
        Some(Err(e)) => return Err(e.into()),
        None => anyhow::bail!("the capture thread failed"),
    }
    drop(temp);
    Ok(ExitCode::SUCCESS)
}

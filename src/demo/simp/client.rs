//! The SIMP client: a terminal for its daemon. Every stdin line goes to the daemon as is; every
//! line from the daemon is printed on stdout. The daemon holds the session logic, so the client
//! is scriptable: a test writes lines to its stdin and waits for lines on its stdout.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::Context as _;

use crate::decode::simp::CLIENT_PORT;

/// How long to try reaching the daemon.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to the daemon at `daemon`:7778 and relays lines until either side closes.
/// Exit code 0 when stdin ended first, 1 when the daemon closed the connection.
pub fn run(daemon: IpAddr) -> anyhow::Result<ExitCode> {
    let addr = SocketAddr::new(daemon, CLIENT_PORT);
    let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
        .with_context(|| format!("connecting to the SIMP daemon at {addr} (is it running?)"))?;
    println!("client: connected to daemon {addr}");
    let mut writer = stream.try_clone().context("cloning the connection")?;
    let stdin_done = Arc::new(AtomicBool::new(false));
    let done = Arc::clone(&stdin_done);
    thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if writer.write_all(format!("{line}\n").as_bytes()).is_err() {
                break;
            }
        }
        done.store(true, Ordering::SeqCst);
        let _ = writer.shutdown(Shutdown::Write);
    });
    let mut out = std::io::stdout().lock();
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    if stdin_done.load(Ordering::SeqCst) {
        Ok(ExitCode::SUCCESS)
    } else {
        writeln!(out, "client: the daemon closed the connection")?;
        Ok(ExitCode::FAILURE)
    }
}

//! `wirelab lab switch`: the sans-IO [`Switch`] driven by real frames — one pnet datalink
//! channel per port ([`crate::link::PnetLink`]), promiscuous, split into a reader thread per
//! port and one sender thread that owns the switch and sends each copy when it is due.
//!
//! Reader threads stamp each frame with a monotonic clock as it arrives and hand it over a
//! bounded channel (a slow switch makes the kernel drop, as a real one would). Frames the
//! switch namespace's own kernel sends on a port (source MAC = the port's MAC) are ignored.
//! Counters and the MAC table are written to a JSON file every second, for `lab status`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, TrySendError};
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::switch::{Impairments, MacEntry, Switch, SwitchStats};
use crate::link::{LinkError, LinkOptions, PnetLink, PnetSender, iface};

/// The line the switch prints once every port is open and it forwards.
pub const READY: &str = "switch ready";

/// Frames waiting between the reader threads and the switch.
const CHANNEL: usize = 4096;

/// The longest the switch sleeps without looking at its clock.
const TICK: Duration = Duration::from_millis(50);

/// How to run the switch.
#[derive(Debug, Clone)]
pub struct DriverConfig {
    /// The interfaces that are its ports.
    pub ports: Vec<String>,
    /// What it does to frames.
    pub impairments: Impairments,
    /// Where to write its counters (JSON), if anywhere.
    pub stats: Option<PathBuf>,
    /// Stop after this long (tests); `None` runs until killed.
    pub run_for: Option<Duration>,
}

/// Why the switch stopped.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// Fewer than two ports, or the same one twice.
    #[error("a switch needs at least two different ports (got: {0})")]
    Ports(String),
    /// A port could not be opened.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// Every port's reader stopped (the interfaces went away).
    #[error("every port stopped receiving: {0}")]
    Readers(String),
    /// Writing the log failed.
    #[error("writing the switch's log: {0}")]
    Log(#[from] io::Error),
}

/// What the counters file holds.
#[derive(Debug, Serialize)]
pub struct StatsFile<'a> {
    /// The ports, in port order.
    pub ports: &'a [String],
    /// Settings in words.
    pub settings: String,
    /// Seconds since the switch started.
    pub uptime: f64,
    /// The counters.
    pub stats: &'a SwitchStats,
    /// Frames the kernel refused to send (too large, buffers full).
    pub send_errors: u64,
    /// The MAC table.
    pub macs: Vec<MacEntry>,
}

fn write_stats(path: &Path, file: &StatsFile<'_>) {
    let tmp = path.with_extension("json.tmp");
    let ok = serde_json::to_vec_pretty(file)
        .ok()
        .is_some_and(|bytes| std::fs::write(&tmp, bytes).is_ok());
    if ok {
        let _ = std::fs::rename(&tmp, path);
    }
}

/// Runs the switch until killed (or for `run_for`), logging to `log`.
pub fn run(cfg: &DriverConfig, log: &mut impl Write) -> Result<SwitchStats, DriverError> {
    let mut names = cfg.ports.clone();
    names.sort();
    names.dedup();
    if cfg.ports.len() < 2 || names.len() != cfg.ports.len() {
        return Err(DriverError::Ports(cfg.ports.join(", ")));
    }
    let mut senders: Vec<PnetSender> = Vec::new();
    let mut receivers = Vec::new();
    for name in &cfg.ports {
        let iface = iface::find_ethernet(name)?;
        let link = PnetLink::open(
            &iface,
            LinkOptions {
                promiscuous: true,
                purpose: "running the lab switch",
                ..LinkOptions::default()
            },
        )?;
        let own = iface.mac;
        let (tx, rx) = link.split();
        senders.push(tx);
        receivers.push((rx, own, name.clone()));
    }

    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::sync_channel::<(usize, Instant, Vec<u8>)>(CHANNEL);
    let mut readers = Vec::new();
    for (port, (mut link, own, name)) in receivers.into_iter().enumerate() {
        let tx = tx.clone();
        let stop = Arc::clone(&stop);
        readers.push(thread::spawn(move || -> Result<(), String> {
            while !stop.load(Ordering::Relaxed) {
                match link.recv(TICK) {
                    Ok(Some(frame)) => {
                        let at = Instant::now();
                        if own.is_some_and(|m| frame.data.get(6..12) == Some(&m[..])) {
                            continue;
                        }
                        match tx.try_send((port, at, frame.data.to_vec())) {
                            Ok(()) | Err(TrySendError::Full(_)) => {}
                            Err(TrySendError::Disconnected(_)) => return Ok(()),
                        }
                    }
                    Ok(None) => {}
                    // The interface is gone (ENXIO, ENODEV, or no longer listed: its
                    // namespace was deleted): this port is done.
                    Err(e)
                        if matches!(e.raw_os_error(), Some(6 | 19))
                            || iface::find(&name).is_err() =>
                    {
                        return Err(format!("{name}: {e}"));
                    }
                    // Down for now (`ip link set eth0 down` on the computer): wait for it.
                    Err(_) => thread::sleep(TICK),
                }
            }
            Ok(())
        }));
    }
    drop(tx);

    let mut switch = Switch::new(cfg.ports.len(), cfg.impairments.clone());
    let settings = super::topology::describe(&cfg.impairments);
    writeln!(
        log,
        "wirelab lab switch: ports {} ({settings})",
        cfg.ports.join(", ")
    )?;
    writeln!(log, "{READY}")?;
    log.flush()?;

    let mut send_errors = 0u64;
    let mut last_stats = Instant::now();
    let mut reader_error = None;
    let result = loop {
        let now = start.elapsed();
        while let Some((port, frame)) = switch.pop_due(now) {
            if let Err(e) = senders[port].send(&frame) {
                send_errors += 1;
                if send_errors <= 5 {
                    let hint = if frame.len() > 1518 {
                        " (a frame larger than the MTU: turn off GRO on the port, \
                         `ethtool -K IF gro off`)"
                    } else {
                        ""
                    };
                    writeln!(
                        log,
                        "cannot send {} bytes on {}: {e}{hint}",
                        frame.len(),
                        cfg.ports[port]
                    )?;
                }
            }
        }
        if let Some(path) = &cfg.stats
            && last_stats.elapsed() >= Duration::from_secs(1)
        {
            last_stats = Instant::now();
            write_stats(
                path,
                &StatsFile {
                    ports: &cfg.ports,
                    settings: settings.clone(),
                    uptime: now.as_secs_f64(),
                    stats: switch.stats(),
                    send_errors,
                    macs: switch.mac_table(now),
                },
            );
        }
        if cfg.run_for.is_some_and(|d| now >= d) {
            break Ok(());
        }
        let wait = switch
            .next_due()
            .map_or(TICK, |due| due.saturating_sub(start.elapsed()))
            .min(TICK);
        match rx.recv_timeout(wait) {
            Ok((port, at, frame)) => {
                switch.receive(port, at.duration_since(start), frame);
                // Take in a burst before sending, so copies leave in due order.
                while let Ok((port, at, frame)) = rx.try_recv() {
                    switch.receive(port, at.duration_since(start), frame);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                break Err(());
            }
        }
    };
    stop.store(true, Ordering::Relaxed);
    drop(rx);
    for r in readers {
        if let Ok(Err(e)) = r.join() {
            reader_error = Some(e);
        }
    }
    let stats = switch.stats().clone();
    if let Some(path) = &cfg.stats {
        write_stats(
            path,
            &StatsFile {
                ports: &cfg.ports,
                settings,
                uptime: start.elapsed().as_secs_f64(),
                stats: &stats,
                send_errors,
                macs: switch.mac_table(start.elapsed()),
            },
        );
    }
    match result {
        Ok(()) => Ok(stats),
        Err(()) => Err(DriverError::Readers(
            reader_error.unwrap_or_else(|| "no reason given".into()),
        )),
    }
}

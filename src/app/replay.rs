//! `wirelab replay`: a saved capture's frames back on a link with pnet, paced by their own
//! timestamps (or as fast as possible), as tcpreplay does.

use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::capture::stop_on_signals;
use crate::capture::group;
use crate::cli::capture::ReplayArgs;
use crate::frame::LinkType;
use crate::link::{Link, LinkOptions, PnetLink, iface};
use crate::source::{CaptureReader, SourceEvent};

/// Reads the file once: frames, and the first frame whose link type cannot be sent.
fn survey(path: &Path) -> anyhow::Result<(u64, Option<(u64, LinkType)>)> {
    let reader =
        CaptureReader::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut frames = 0;
    for event in reader {
        if let SourceEvent::Frame(f) = event {
            frames += 1;
            if f.link_type != LinkType::ETHERNET {
                return Ok((frames, Some((f.number, f.link_type))));
            }
        }
    }
    Ok((frames, None))
}

/// `wirelab replay`.
pub fn replay(args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    if args.speed.is_nan() || args.speed <= 0.0 || !args.speed.is_finite() {
        anyhow::bail!("--speed must be a positive number (2 = twice as fast, 0.5 = half speed)");
    }
    if args.loops == 0 {
        anyhow::bail!("--loop must be at least 1");
    }
    let (frames, bad) = survey(&args.file)?;
    if let Some((n, lt)) = bad {
        anyhow::bail!(
            "frame {n} of {} is {} (link type {}), not Ethernet: replay puts Ethernet frames on an \
             Ethernet, Wi-Fi or veth interface and cannot send other link types",
            args.file.display(),
            lt.name(),
            lt.0
        );
    }
    if frames == 0 {
        anyhow::bail!("{} holds no frames to send", args.file.display());
    }
    let ifc = iface::find_ethernet(&args.interface)?;
    let mut link = PnetLink::open(
        &ifc,
        LinkOptions {
            purpose: "replaying frames",
            ..LinkOptions::default()
        },
    )?;
    crate::privilege::drop_all()?;
    let stop = stop_on_signals()?;
    eprintln!(
        "wirelab: replaying {} frames of {} on {} {} — Ctrl-C to stop",
        group(frames),
        args.file.display(),
        ifc.name,
        if args.top_speed {
            "as fast as possible".to_string()
        } else if args.speed == 1.0 {
            "at the recorded pace".to_string()
        } else {
            format!("at {}× the recorded pace", args.speed)
        }
    );
    let started = Instant::now();
    let (mut sent, mut bytes, mut too_big, mut failed) = (0u64, 0u64, 0u64, 0u64);
    let max_frame = ifc.mtu as usize + 18; // Ethernet header and one VLAN tag
    'outer: for _ in 0..args.loops {
        let reader = CaptureReader::open(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))?;
        let lap = Instant::now();
        let mut first = None;
        for event in reader {
            if stop.load(Ordering::Relaxed) {
                break 'outer;
            }
            let SourceEvent::Frame(f) = event else {
                continue;
            };
            if !args.top_speed {
                let t0 = *first.get_or_insert(f.timestamp);
                let due = f.timestamp.saturating_sub(t0).div_f64(args.speed);
                // Bounded: waits at most until this frame is due, in small steps.
                while let Some(left) = due.checked_sub(lap.elapsed()) {
                    if left.is_zero() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    std::thread::sleep(left.min(Duration::from_millis(50)));
                }
            }
            if f.data.len() > max_frame {
                too_big += 1;
                continue;
            }
            match link.send(&f.data) {
                Ok(()) => {
                    sent += 1;
                    bytes += f.data.len() as u64;
                }
                Err(e) if e.raw_os_error() == Some(90) => too_big += 1, // EMSGSIZE
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failed += 1;
                    if failed == 1 {
                        eprintln!("wirelab: sending frame {} failed: {e}", f.number);
                    }
                }
            }
        }
    }
    eprintln!(
        "wirelab: sent {} frames ({} bytes) on {} in {:.2} s",
        group(sent),
        group(bytes),
        ifc.name,
        started.elapsed().as_secs_f64()
    );
    if too_big > 0 {
        eprintln!(
            "wirelab: {} frames were larger than {}'s MTU ({} bytes) and were not sent (they were \
             captured as one big GSO/GRO frame by the host that recorded them)",
            group(too_big),
            ifc.name,
            ifc.mtu
        );
    }
    if failed > 0 {
        anyhow::bail!("{} frames could not be sent (see above)", group(failed));
    }
    Ok(ExitCode::SUCCESS)
}

//! SIMP, the UDP chat protocol of seed 001: daemon and client.
//!
//! The wire format lives in [`crate::decode::simp`] (it is also the dissector). Here:
//! [`peer`] is the daemon's logic as a sans-IO state machine, [`daemon`] drives it with sockets,
//! [`client`] is the user's terminal; the TEST ONLY loss injector is [`crate::link::lossy`]'s.
//!
//! Daemons talk SIMP to each other on UDP port 7777. A client talks to its daemon on TCP port
//! 7778 of the daemon's `--ip` address (so several daemons can share a host on different
//! addresses, e.g. 127.0.0.1 and 127.0.0.2). That link is plain text, one line per message:
//!
//! * client → daemon: what the user typed, as is; the daemon reads it according to the session
//!   state — a user name at login; `wait` or `start ADDR` when choosing; `cancel` while waiting
//!   or inviting; `accept` or `decline` when an invitation is offered; in a chat any line is a
//!   message and `q` ends the chat.
//! * daemon → client: lines `TAG: text`, the tag saying what happened: `login`, `ok`, `menu`,
//!   `waiting`, `inviting`, `invite`, `withdrawn`, `cancelled`, `declined`, `refused`,
//!   `accepted`, `chat`, `msg` (`msg: USER: TEXT`), `delivered`, `leaving`, `ended`, `error`.
//!
//! The daemon serves one client at a time; closing the connection cancels what it was doing.

pub mod client;
pub mod daemon;
pub mod peer;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use crate::demo::options::SimpDaemonOptions;

/// Runs `wirelab simp daemon` (the client is [`client::run`]).
pub fn run_daemon(args: &SimpDaemonOptions) -> anyhow::Result<ExitCode> {
    daemon::run(daemon_options(args)?)
}

/// Validates the daemon's arguments.
fn daemon_options(args: &SimpDaemonOptions) -> anyhow::Result<daemon::DaemonOptions> {
    anyhow::ensure!(
        args.timeout > 0.0 && args.timeout <= 3600.0,
        "--timeout must be more than 0 and at most 3600 seconds, got {}",
        args.timeout
    );
    let timeout = Duration::try_from_secs_f64(args.timeout).context("--timeout")?;
    anyhow::ensure!(args.max_attempts > 0, "--max-attempts must be at least 1");
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.drop_rate),
        "--drop-rate must be between 0 and 1, got {}",
        args.drop_rate
    );
    let loss = (args.drop_rate > 0.0)
        .then(|| crate::link::lossy::LossInjector::new(args.drop_rate, args.drop_seed));
    Ok(daemon::DaemonOptions {
        ip: args.ip,
        config: peer::PeerConfig {
            timeout,
            max_attempts: args.max_attempts,
        },
        loss,
    })
}

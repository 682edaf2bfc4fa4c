//! One run function per subcommand: pick a source, build the pipeline, attach sinks.
//!
//! Each subcommand has its own file; this one dispatches and holds what they share.
#![forbid(unsafe_code)]

mod capture;
pub mod craft;
mod demo;
pub mod dhcp;
mod docs;
pub mod driver;
pub mod exit;
mod graph;
mod lab;
pub mod ping;
mod read;
mod replay;
mod serve;
pub mod stack;
mod traceroute;
mod view;

use std::io::{self, IsTerminal as _};
use std::process::ExitCode;

use crate::analyse::follow::FollowProto;
use crate::cli::read::{ColorChoice, StreamViewArgs};
use crate::cli::{Cli, Command};
use crate::render::style::Style;
use crate::stream_views::StreamViewKind;

pub use capture::capture;
pub use graph::graph;
pub use read::read;
pub use replay::replay;
pub use serve::serve;
pub use view::view;

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if needs_no_capability(&cli.command) {
        crate::privilege::drop_all()?;
    }
    match cli.command {
        Command::Read(args) => read(&args),
        Command::Craft(args) => craft::run(&args),
        Command::Ping(args) => ping::run(&args),
        Command::Traceroute(args) => traceroute::run(&args),
        Command::Dhcp(args) => dhcp::run(&args),
        Command::Stack(args) => stack::run(&args),
        Command::View(args) => view(&args),
        Command::Capture(args) => capture(&args),
        Command::Serve(args) => serve(&args),
        Command::Replay(args) => replay(&args),
        Command::Graph(args) => graph(&args),
        Command::Demo(cmd) => demo::run(cmd),
        Command::Simp(cmd) => demo::run_simp(cmd),
        Command::Lab(cmd) => lab::run(cmd),
        Command::Completions(args) => docs::completions(&args),
        Command::Man(args) => docs::man(&args),
    }
}

/// Commands that open no raw socket: they drop every capability before doing anything
/// (the others drop theirs right after opening their sockets; see [`crate::privilege`]).
/// `stack-server` and `stack-client` keep CAP_NET_RAW if they have it, to capture their
/// own handshake; `lab` commands other than `answer` make namespaces and links.
fn needs_no_capability(command: &Command) -> bool {
    use crate::cli::demo::DemoCommand;
    use crate::cli::lab::LabCommand;
    match command {
        Command::Read(_)
        | Command::Stack(_)
        | Command::Graph(_)
        | Command::Simp(_)
        | Command::Completions(_)
        | Command::Man(_) => true,
        Command::View(args) => args.file.is_some(),
        Command::Demo(cmd) => !matches!(
            cmd,
            DemoCommand::StackServer(_) | DemoCommand::StackClient(_)
        ),
        Command::Lab(cmd) => matches!(cmd, LabCommand::Answer(_)),
        Command::Capture(args) => args.list,
        Command::Serve(args) => args.from.is_some(),
        Command::Craft(_)
        | Command::Ping(_)
        | Command::Traceroute(_)
        | Command::Dhcp(_)
        | Command::Replay(_) => false,
    }
}

/// True when the error chain ends in a broken pipe (output closed by `head`, a pager...).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The colours to use on standard output for `--color`.
pub(crate) fn stdout_style(choice: ColorChoice) -> Style {
    Style {
        color: match choice {
            ColorChoice::Auto => io::stdout().is_terminal(),
            ColorChoice::Always => true,
            ColorChoice::Never => false,
        },
    }
}

/// The terminal's width when standard output is one (`COLUMNS` first, then the terminal
/// size), to fit tables and cut packet-list lines; `None` on a pipe, or with `--wide`.
pub(crate) fn terminal_width(wide: bool) -> Option<u16> {
    if wide || !io::stdout().is_terminal() {
        return None;
    }
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok());
    from_env
        .or_else(|| ratatui::crossterm::terminal::size().ok().map(|(w, _)| w))
        .filter(|w| *w >= 20)
}

/// Parses a display filter, with the error drawn under the expression.
pub(crate) fn parse_filter(src: Option<&str>) -> anyhow::Result<Option<crate::filter::Filter>> {
    src.map(|src| {
        crate::filter::Filter::parse(src)
            .map_err(|e| anyhow::anyhow!("bad display filter:\n{}", e.render(src)))
    })
    .transpose()
}

/// The per-stream view the flags ask for, if any.
pub(crate) fn stream_view(
    args: &StreamViewArgs,
    hex: bool,
) -> anyhow::Result<Option<StreamViewKind>> {
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
            hex,
        })
    } else if args.tcp_report {
        Some(StreamViewKind::TcpReport {
            stream: args.stream,
        })
    } else {
        None
    })
}

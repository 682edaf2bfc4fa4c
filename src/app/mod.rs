//! One run function per subcommand: pick a source, build the pipeline, attach sinks.
//!
//! Each subcommand has its own file; this one dispatches and holds what they share.
#![forbid(unsafe_code)]

mod capture;
mod lab;
mod read;
mod replay;
mod serve;

use std::io::{self, IsTerminal as _};
use std::process::ExitCode;

use crate::cli::read::ColorChoice;
use crate::cli::{Cli, Command};
use crate::render::style::Style;

pub use capture::capture;
pub use read::read;
pub use replay::replay;
pub use serve::serve;

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Read(args) => read(&args),
        Command::Capture(args) => capture(&args),
        Command::Serve(args) => serve(&args),
        Command::Replay(args) => replay(&args),
        Command::Demo(cmd) => crate::demo::run(cmd),
        Command::Simp(cmd) => crate::demo::simp::run(cmd),
        Command::Lab(cmd) => lab::run(cmd),
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

/// Parses a display filter, with the error drawn under the expression.
pub(crate) fn parse_filter(src: Option<&str>) -> anyhow::Result<Option<crate::filter::Filter>> {
    src.map(|src| {
        crate::filter::Filter::parse(src)
            .map_err(|e| anyhow::anyhow!("bad display filter:\n{}", e.render(src)))
    })
    .transpose()
}

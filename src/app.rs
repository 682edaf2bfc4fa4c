//! One run function per subcommand: pick a source, build the pipeline, attach sinks.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Read(_args) => anyhow::bail!("read: not yet"),
        Command::Demo(cmd) => crate::demo::run(cmd),
        Command::Simp(cmd) => crate::demo::simp::run(cmd),
    }
}

/// True when the error chain ends in a broken pipe (output closed by `head`, a pager...).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

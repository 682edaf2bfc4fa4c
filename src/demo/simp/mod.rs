//! SIMP, the UDP chat protocol of seed 001: daemon and client.

use std::process::ExitCode;

use crate::cli::simp::SimpCommand;

/// Runs one `wirelab simp` subcommand.
pub fn run(cmd: SimpCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SimpCommand::Placeholder => Ok(ExitCode::SUCCESS),
    }
}

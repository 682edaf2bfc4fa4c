//! The course's socket demos (std::net), apart from the capture core.

pub mod simp;

use std::process::ExitCode;

use crate::cli::demo::DemoCommand;

/// Runs one socket demo subcommand.
pub fn run(cmd: DemoCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DemoCommand::DemoPlaceholder => Ok(ExitCode::SUCCESS),
    }
}

//! `wirelab replay`: a saved capture's frames back on a link.

use std::process::ExitCode;

use crate::cli::capture::ReplayArgs;

/// `wirelab replay`.
pub fn replay(_args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet")
}

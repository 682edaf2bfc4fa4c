//! `wirelab serve`: a kernel TCP server with the live view of its connections' frames.

use std::process::ExitCode;

use crate::cli::capture::ServeArgs;

/// `wirelab serve`.
pub fn serve(_args: &ServeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet")
}

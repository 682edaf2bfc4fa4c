//! `wirelab view`: a capture file in the terminal, packet list, details and bytes.

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::view::ViewArgs;
use crate::tui::{self, index::SourceSpec};

/// `wirelab view FILE`: checks the arguments, then runs the full-screen view.
pub fn view(args: &ViewArgs) -> anyhow::Result<ExitCode> {
    // A bad filter or path is reported before the screen is taken over.
    let filter = super::parse_filter(args.filter.as_deref())?;
    super::read::check_capture_path(&args.file)?;
    tui::run_with_filter(
        SourceSpec::file(&args.file),
        args.follow,
        filter.map(|f| (args.filter.clone().unwrap_or_default(), f)),
    )
    .with_context(|| format!("cannot view {}", args.file.display()))?;
    Ok(ExitCode::SUCCESS)
}

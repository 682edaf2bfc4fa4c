//! `wirelab completions` and `wirelab man`: shell completions and manual pages generated from
//! the clap definitions in [`crate::cli`], so they cannot drift from the program.

use std::io::{self, Write as _};
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory as _;

use super::exit::{FAILURE, Failure};
use crate::cli::Cli;
use crate::cli::docs::{CompletionsArgs, ManArgs, ShellArg};
use crate::sink::output::create_new;

/// The program's name, as the completion scripts and pages know it.
const NAME: &str = "wirelab";

/// `wirelab completions SHELL`: the completion script on standard output.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let shell = match args.shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), NAME, &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `wirelab man DIR [--force]`: `wirelab.1` and one page per subcommand (`wirelab-read.1`,
/// `wirelab-lab-up.1`...) in DIR, which must exist. Without `--force` no existing page is
/// replaced: if any is there, none is written.
pub fn man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.dir;
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Failure::new(
                FAILURE,
                format!(
                    "{} is not a folder; give an existing folder for the pages",
                    dir.display()
                ),
            )
            .into());
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Failure::new(
                FAILURE,
                format!(
                    "the folder {} does not exist; create it first (mkdir -p {}), wirelab man does not",
                    dir.display(),
                    dir.display()
                ),
            )
            .into());
        }
        Err(e) => {
            return Err(Failure::new(FAILURE, format!("cannot use {}: {e}", dir.display())).into());
        }
    }
    let pages = pages()?;
    if !args.force {
        // Refuse before writing anything, so that a half-updated set is never left behind.
        let existing: Vec<&str> = pages
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| std::fs::symlink_metadata(dir.join(name)).is_ok())
            .collect();
        if let Some(first) = existing.first() {
            return Err(Failure::new(
                FAILURE,
                format!(
                    "{} already exists ({} of the {} pages are there); add --force to replace them, \
                     or give another DIR; nothing was written",
                    dir.join(first).display(),
                    existing.len(),
                    pages.len()
                ),
            )
            .into());
        }
    }
    for (name, text) in &pages {
        write_page(&dir.join(name), text, args.force)?;
    }
    eprintln!("wrote {} manual pages in {}", pages.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}

/// Every page as (file name, roff text): the program's and each visible subcommand's.
fn pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> io::Result<()> {
        // Every page's footer names the program and its version (clap would give a
        // subcommand's own name and no version).
        let man = clap_mangen::Man::new(cmd.clone())
            .source(format!("{NAME} {}", env!("CARGO_PKG_VERSION")));
        let mut text = Vec::new();
        man.render(&mut text)?;
        out.push((man.get_filename(), text));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, out)?;
        }
        Ok(())
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, &mut out)?;
    Ok(out)
}

/// Writes one page through [`create_new`] (the crate's one way of creating output files).
fn write_page(path: &Path, text: &[u8], force: bool) -> anyhow::Result<()> {
    let mut file = create_new(path, force, "the DIR argument")?;
    file.write_all(text)
        .and_then(|()| file.flush())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

//! `wirelab completions` and `wirelab man`: shell completions and manual pages generated
//! from these clap definitions.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// The shells `wirelab completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// bash (source it, or put it in ~/.local/share/bash-completion/completions/wirelab).
    Bash,
    /// zsh (put it as `_wirelab` in a folder of $fpath).
    Zsh,
    /// fish (put it in ~/.config/fish/completions/wirelab.fish).
    Fish,
}

/// `wirelab completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: ShellArg,
}

/// `wirelab man DIR`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// An existing folder to write wirelab.1 and one page per subcommand into
    /// (e.g. ~/.local/share/man/man1).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Replace the pages in DIR if they exist.
    #[arg(long)]
    pub force: bool,
}

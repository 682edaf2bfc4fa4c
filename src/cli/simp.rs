//! Arguments of `wirelab simp ...`.

use clap::Subcommand;

/// The SIMP subcommands.
#[derive(Debug, Subcommand)]
pub enum SimpCommand {
    /// Placeholder until SIMP lands.
    #[command(hide = true)]
    Placeholder,
}

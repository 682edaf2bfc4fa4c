//! Arguments of the socket demo subcommands (owned by the demos).

use clap::Subcommand;

/// The socket demo subcommands.
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Placeholder until the demos land.
    #[command(hide = true)]
    DemoPlaceholder,
}

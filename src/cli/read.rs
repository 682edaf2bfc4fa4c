//! Arguments of `wirelab read`.

use std::path::PathBuf;

use clap::Args;

/// Arguments of `wirelab read`.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The capture file (pcap or pcapng, detected by its magic number).
    pub file: PathBuf,
}

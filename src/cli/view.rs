//! Arguments of `wirelab view`.

use std::path::PathBuf;

use clap::Args;

/// Arguments of `wirelab view`.
#[derive(Debug, Args)]
#[command(
    after_help = "Keys: ↑↓/j k move, Tab next pane, Enter opens a layer, / filter, \
h handshake, c conversations, ? help, q quit.

Examples:
  wirelab view captures/tcp-handshake.pcapng
  wirelab view captures/tcp-analysis.pcapng --filter tcp.analysis.retransmission
  wirelab view --follow capture.pcapng     # a file still being written (tcpdump -U -w)"
)]
pub struct ViewArgs {
    /// The capture file (pcap or pcapng). It may still be growing: new frames appear.
    pub file: PathBuf,

    /// Start with this display filter, e.g. `tcp.port == 7777`.
    #[arg(short = 'Y', long, value_name = "EXPR")]
    pub filter: Option<String>,

    /// Start at the newest frame and follow new ones as the file grows.
    #[arg(long)]
    pub follow: bool,
}

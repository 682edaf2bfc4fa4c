//! Arguments of `wirelab view`.

use std::path::PathBuf;

use clap::Args;

/// Arguments of `wirelab view`.
#[derive(Debug, Args)]
#[command(
    after_help = "Keys: ↑↓/j k move, Tab next pane, Enter opens a layer, / filter, \
h handshake, c conversations, F follow stream, S time-sequence graph, R round-trip times, \
? help, q quit.

Examples:
  wirelab view captures/tcp-handshake.pcapng
  wirelab view captures/tcp-analysis.pcapng --filter tcp.analysis.retransmission
  wirelab view --follow capture.pcapng     # a file still being written (tcpdump -U -w)
  ssh pi 'tcpdump -U -w -' | wirelab view - # a capture on standard input, followed as it comes
  sudo wirelab view -i eth0                # live: capture and watch (frames kept in a temporary file)
  sudo wirelab view -i eth0 -w lab.pcapng  # live, and keep the capture

Without sudo, give wirelab the capability once:
  sudo setcap cap_net_raw=eip \"$(command -v wirelab)\""
)]
pub struct ViewArgs {
    /// The capture file (pcap or pcapng). It may still be growing: new frames appear. `-`
    /// reads the capture from standard input and follows it as it comes (keys from the
    /// terminal).
    #[arg(required_unless_present = "interfaces", conflicts_with = "interfaces")]
    pub file: Option<PathBuf>,

    /// Capture live on this interface and watch the frames as they come (give -i several
    /// times for several interfaces).
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interfaces: Vec<String>,

    /// With -i: keep the capture in this pcapng file (default: a temporary file, removed
    /// when the view quits). Not `-`: the view draws on standard output.
    #[arg(
        short = 'w',
        long,
        value_name = "FILE",
        requires = "interfaces",
        conflicts_with = "file"
    )]
    pub write: Option<PathBuf>,

    /// With -w: replace the file if it exists.
    #[arg(long, requires = "write", conflicts_with = "file")]
    pub force: bool,

    /// With -i: do not put the interface in promiscuous mode.
    #[arg(long, requires = "interfaces", conflicts_with = "file")]
    pub no_promisc: bool,

    /// Start with this display filter, e.g. `tcp.port == 7777`.
    #[arg(short = 'Y', long, value_name = "EXPR")]
    pub filter: Option<String>,

    /// Start at the newest frame and follow new ones as the file grows (always on with -i).
    #[arg(long)]
    pub follow: bool,

    /// Decode traffic on a port as a protocol, in tshark's syntax: `udp.port==8053,dns`
    /// (repeatable; as `read -d`).
    #[arg(short = 'd', long = "decode-as", value_name = "RULE")]
    pub decode_as: Vec<crate::dissect::DecodeAs>,
}

//! Arguments of `wirelab capture`, `wirelab serve` and `wirelab replay`.

use std::path::PathBuf;

use clap::Args;

use super::read::ColorChoice;

/// Arguments of `wirelab capture`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  wirelab capture --list
  sudo wirelab capture -i eth0
  sudo wirelab capture -i eth0 -w lab.pcapng --filter 'tcp.port == 8080'
  sudo wirelab capture -i eth0 -i wlan0 -w both.pcapng --duration 60
  sudo wirelab capture -i eth0 --handshakes -c 20
  sudo wirelab capture -i eth0 -w ring.pcapng --rotate 10MB --files 5 --quiet

Without sudo, give wirelab the capability once:
  sudo setcap cap_net_raw=eip \"$(command -v wirelab)\"")]
pub struct CaptureArgs {
    /// Interface to capture on (`eth0`, `wlan0`, `lo`...); give -i several times for one
    /// file with all of them. Without -i, the interfaces are listed.
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interfaces: Vec<String>,

    /// List the interfaces (addresses, link type, state) and exit.
    #[arg(long)]
    pub list: bool,

    /// Write the frames to this pcapng file (as Wireshark's dumpcap writes it).
    #[arg(short = 'w', long, value_name = "FILE")]
    pub write: Option<PathBuf>,

    /// Replace the file given with -w if it exists.
    #[arg(long)]
    pub force: bool,

    /// Stop after this many frames (written, or shown with --filter).
    #[arg(short = 'c', long, value_name = "N")]
    pub count: Option<u64>,

    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,

    /// Only show and write frames matching this display filter (as `tshark -Y -w`).
    #[arg(short = 'Y', long, value_name = "EXPR")]
    pub filter: Option<String>,

    /// Keep at most this many bytes of each frame (default: all, up to 262144).
    #[arg(short = 's', long, value_name = "BYTES")]
    pub snaplen: Option<u32>,

    /// Do not put the interface in promiscuous mode (only frames to and from this host).
    #[arg(long)]
    pub no_promisc: bool,

    /// Size of the kernel ring per interface, in MB (default 16; 4 with --snaplen under 2048).
    #[arg(short = 'B', long, value_name = "MB")]
    pub buffer: Option<u32>,

    /// Start a new file when the current one reaches SIZE (e.g. 10MB, 500kB); needs -w.
    #[arg(long, value_name = "SIZE", requires = "write")]
    pub rotate: Option<String>,

    /// With --rotate: keep only the newest N files (default: keep all).
    #[arg(long, value_name = "N", requires = "rotate")]
    pub files: Option<u32>,

    /// Show only counters, not the frames.
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// What to show: the views `read` and `capture` share.
    #[command(flatten)]
    pub show: crate::cli::read::ShowArgs,
}

/// Arguments of `wirelab serve`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  sudo wirelab serve --port 8080 -i eth0 -w server.pcapng
  wirelab tcp-client 10.0.3.1:8080            # on the other host (or wirelab craft)
  wirelab serve --from server.pcapng --port 8080   # the same view, from the file")]
pub struct ServeArgs {
    /// TCP port to listen on (and to show).
    #[arg(short = 'p', long, default_value_t = 8080)]
    pub port: u16,

    /// Interface to capture on (default: every interface that is up).
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interfaces: Vec<String>,

    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind: String,

    /// What the server answers to each message.
    #[arg(long, default_value = "Thanks for connecting")]
    pub reply: String,

    /// Also write the frames of the port to this pcapng file.
    #[arg(short = 'w', long, value_name = "FILE", conflicts_with = "from")]
    pub write: Option<PathBuf>,

    /// Replace the file given with -w if it exists.
    #[arg(long)]
    pub force: bool,

    /// Show a saved capture the way the live server view shows it (no server is started).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,

    /// Colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Every frame's layer-by-layer block, as `read -V` shows every frame's detail (the
    /// default when the output is not a terminal).
    #[arg(
        short = 'V',
        long = "detail",
        alias = "every-frame",
        conflicts_with = "summary"
    )]
    pub every_frame: bool,

    /// Blocks only for the handshake, the first data segment and the teardown, the rest
    /// counted (the default on a terminal).
    #[arg(long)]
    pub summary: bool,

    /// On a terminal, keep full-width tables and lines (by default they fit its width).
    #[arg(long)]
    pub wide: bool,
}

/// Arguments of `wirelab replay`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  sudo wirelab replay -i eth0 captures/tcp-handshake.pcapng
  sudo wirelab replay -i veth0 lab.pcapng --speed 2 --loop 3
  sudo wirelab replay -i veth0 lab.pcapng --top-speed")]
pub struct ReplayArgs {
    /// Interface to send the frames on.
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: String,

    /// The capture file (pcap or pcapng with Ethernet frames).
    pub file: PathBuf,

    /// Play this many times faster than recorded (0.5: half speed).
    #[arg(
        long,
        value_name = "X",
        default_value_t = 1.0,
        conflicts_with = "top_speed"
    )]
    pub speed: f64,

    /// Send as fast as possible, ignoring the timestamps.
    #[arg(long)]
    pub top_speed: bool,

    /// Play the file this many times.
    #[arg(long = "loop", value_name = "N", default_value_t = 1)]
    pub loops: u32,
}

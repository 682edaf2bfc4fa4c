//! Arguments of `wirelab read`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Arguments of `wirelab read`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  wirelab read captures/tcp-handshake.pcapng
  wirelab read captures/tcp-handshake.pcapng --handshakes
  wirelab read captures/tcp-handshake.pcapng --detail --hex --count 3
  wirelab read capture.pcap --filter 'tcp.port == 8080 and tcp.flags.syn == 1'
  wirelab read capture.pcap --stats
  wirelab read dns.pcap -d udp.port==8053,dns -Y 'dns.qry.name == \"lab.test\"'
  wirelab read capture.pcapng --realtime --speed 2
  wirelab read capture.pcap --json | head
  wirelab read upload.pcapng --tcp-report
  wirelab read upload.pcapng --rtt --stream 0
  wirelab read upload.pcapng --throughput --interval 0.1
  wirelab read upload.pcapng --follow 0
  wirelab read capture.pcap --follow 1 --udp --hex
  wirelab read captures/app/http.pcap --export-objects http bodies/")]
pub struct ReadArgs {
    /// The capture file (pcap or pcapng; the format is found from the file's magic number).
    pub file: PathBuf,

    /// Show only frames matching this display filter, e.g. `ip.addr == 10.0.3.1 and tcp`.
    #[arg(short = 'Y', long, value_name = "EXPR")]
    pub filter: Option<String>,

    /// What to show: the views `read` and `capture` share.
    #[command(flatten)]
    pub show: ShowArgs,

    /// Stop after this many shown frames.
    #[arg(short = 'c', long, value_name = "N")]
    pub count: Option<u64>,

    /// Show the frames at the pace they were captured (by their own timestamps).
    #[arg(long)]
    pub realtime: bool,

    /// With --realtime: this many times faster (0.5: half speed).
    #[arg(long, value_name = "X", default_value_t = 1.0, requires = "realtime")]
    pub speed: f64,

    /// Write every HTTP body into DIR as Wireshark's File › Export Objects does (named after
    /// the request URI's last segment; DIR is created if missing; no file in it is ever
    /// replaced: a name taken gets "(1)", "(2)"…). The protocol is `http`.
    #[arg(long, num_args = 2, value_names = ["PROTO", "DIR"])]
    pub export_objects: Option<Vec<PathBuf>>,
}

/// The views of frames that `read` and `capture` share: one definition, so each option has
/// one name and one meaning in both.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Show every layer of each frame with its fields and byte ranges.
    #[arg(short = 'V', long)]
    pub detail: bool,

    /// Show a hex dump of each frame, each byte marked with its layer.
    #[arg(short = 'x', long)]
    pub hex: bool,

    /// Show each TCP stream's handshake and teardown as a table and a ladder diagram
    /// (capture: at the end).
    #[arg(long)]
    pub handshakes: bool,

    /// Show TCP/UDP conversations and the socket addresses with their roles (capture: at the
    /// end).
    #[arg(long)]
    pub stats: bool,

    /// Print JSON Lines, one object per frame (schema in README); with --rtt, --throughput,
    /// --follow or --tcp-report, one object per row of that view.
    #[arg(long, conflicts_with_all = ["detail", "hex", "handshakes", "stats"])]
    pub json: bool,

    /// The per-stream views (--rtt, --throughput, --follow, --tcp-report; capture: at the end).
    #[command(flatten)]
    pub views: StreamViewArgs,

    /// Decode traffic on a port as a protocol, in tshark's syntax: `udp.port==8053,dns`,
    /// `tcp.port==8443,tls` (repeatable; protocols: http ssdp dns mdns llmnr nbns dhcp dhcpv6
    /// tls smtp imf ftp ftp-data pop imap quic simp).
    #[arg(short = 'd', long = "decode-as", value_name = "RULE")]
    pub decode_as: Vec<crate::dissect::DecodeAs>,

    /// Colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// On a terminal, keep whole packet-list lines and full-width tables (by default they
    /// are fitted to the terminal's width).
    #[arg(long)]
    pub wide: bool,
}

/// The per-stream views of `read` and `capture` (their numbers are printed at the end).
#[derive(Debug, Args, Default)]
pub struct StreamViewArgs {
    /// Per TCP segment: the ACK that covered it, the RTT sample, EstimatedRTT, DevRTT and the
    /// RTO (RFC 6298, Karn's rule for retransmitted segments).
    #[arg(long, group = "view", conflicts_with_all = ["detail", "hex", "handshakes", "stats"])]
    pub rtt: bool,

    /// Per TCP stream and direction: frames, bytes, payload and goodput per interval, then
    /// totals with the average goodput (like tshark -z io,stat and -z conv,tcp).
    #[arg(long, group = "view", conflicts_with_all = ["detail", "hex", "handshakes", "stats"])]
    pub throughput: bool,

    /// Interval of --throughput, in seconds (e.g. 0.1).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 1.0,
        requires = "throughput"
    )]
    pub interval: f64,

    /// The application data of stream N in order, each direction marked, retransmitted
    /// bytes once (like Wireshark's "Follow TCP Stream"); --hex for a hex dump.
    #[arg(long, value_name = "N", group = "view", conflicts_with_all = ["detail", "handshakes", "stats"])]
    pub follow: Option<u32>,

    /// With --follow: N is a UDP stream (udp.stream), not a TCP one.
    #[arg(long, requires = "follow")]
    pub udp: bool,

    /// The TCP lab's questions answered for one stream (the one with most data unless
    /// --stream names it), each with its frames and how it was worked out.
    #[arg(long, group = "view", conflicts_with_all = ["detail", "hex", "handshakes", "stats"])]
    pub tcp_report: bool,

    /// Only TCP stream N (for --rtt, --throughput and --tcp-report).
    #[arg(long, value_name = "N")]
    pub stream: Option<u32>,
}

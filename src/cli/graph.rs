//! Arguments of `wirelab graph`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::read::ColorChoice;

/// Which graph to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Sequence number over time (the Stevens time-sequence graph).
    Stevens,
    /// Segments as bars with the ACK and receive-window lines, SACK blocks, retransmissions.
    Tcptrace,
    /// RTT samples and EstimatedRTT over time.
    Rtt,
    /// Goodput over time with its moving average.
    Throughput,
    /// Bytes in flight against the advertised receive window.
    Window,
    /// Every kind (with -o NAME.EXT: one file NAME-KIND.EXT per kind; with -o DIR/: files in
    /// that existing directory).
    All,
}

/// File format for `-o DIR/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// SVG.
    Svg,
    /// PNG.
    Png,
}

/// Arguments of `wirelab graph`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  wirelab graph upload.pcapng --kind stevens                 # in the terminal
  wirelab graph upload.pcapng --stream 0 --kind rtt -o rtt.png
  wirelab graph upload.pcapng --kind tcptrace -o trace.svg
  wirelab graph upload.pcapng --kind all -o up.png           # up-stevens.png, up-rtt.png, ...
  wirelab graph upload.pcapng --kind all -o graphs/          # graphs/stream0-stevens.svg, ...
                                                             # (graphs/ must exist)")]
pub struct GraphArgs {
    /// The capture file (pcap or pcapng).
    pub file: PathBuf,

    /// The TCP stream (default: the one that carried most data).
    #[arg(long, value_name = "N")]
    pub stream: Option<u32>,

    /// Which graph.
    #[arg(long, value_enum, default_value_t = KindArg::Stevens)]
    pub kind: KindArg,

    /// Write a file (.svg or .png) instead of drawing in the terminal. With --kind all,
    /// NAME.svg becomes NAME-stevens.svg, NAME-rtt.svg, ...; an existing directory (DIR/)
    /// gets DIR/streamN-KIND.svg. No directory is ever created.
    #[arg(short = 'o', long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Replace the files given with -o if they exist.
    #[arg(long)]
    pub force: bool,

    /// File format for -o DIR/.
    #[arg(long, value_enum, default_value_t = FormatArg::Svg)]
    pub format: FormatArg,

    /// Width of the terminal plot, in characters.
    #[arg(long, default_value_t = 72, value_parser = clap::value_parser!(u16).range(10..=1000))]
    pub width: u16,

    /// Height of the terminal plot, in lines.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(4..=500))]
    pub height: u16,

    /// Colour the terminal plot.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Throughput bin width in seconds (default: about one RTT, at least 1/100 of the
    /// transfer).
    #[arg(long, value_name = "SECS", value_parser = positive_secs)]
    pub interval: Option<f64>,
}

fn positive_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a positive number of seconds (e.g. 0.01)"
        )),
    }
}

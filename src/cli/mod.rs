//! Command-line definitions (clap derive structs only: no I/O, no logic).
#![forbid(unsafe_code)]

pub mod capture;
pub mod craft;
pub mod demo;
pub mod docs;
pub mod graph;
pub mod lab;
pub mod read;
pub mod simp;
pub mod view;

use clap::{Parser, Subcommand};

/// wirelab: watch TCP/IP frames layer by layer, craft your own, keep them as pcapng.
#[derive(Debug, Parser)]
#[command(name = "wirelab", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a capture file (pcap or pcapng) and show it like Wireshark's packet list.
    Read(read::ReadArgs),
    /// A TCP client with no kernel TCP under it: every header built by hand, sent on a raw socket.
    Craft(craft::CraftArgs),
    /// ICMP echo requests built by hand (ARP, IPv4, ICMP): a ping for machines without one.
    Ping(craft::PingArgs),
    /// The routers on the way to a host: probes built by hand with a rising TTL (UDP or ICMP).
    Traceroute(craft::TracerouteArgs),
    /// A DHCP client built by hand: Discover, Offer, Request, ACK shown layer by layer.
    Dhcp(craft::DhcpArgs),
    /// Wrap a message in TCP, IPv4 and Ethernet headers and take them off again (no network).
    Stack(craft::StackArgs),
    /// Browse a capture in the terminal: packet list, layer details and bytes (like Wireshark).
    View(view::ViewArgs),
    /// Capture live frames from interfaces, show them like `read`, write them to pcapng.
    Capture(capture::CaptureArgs),
    /// A TCP server that shows each connection's frames layer by layer as they arrive.
    Serve(capture::ServeArgs),
    /// Put a saved capture's frames back on a link (as tcpreplay does).
    Replay(capture::ReplayArgs),
    /// Draw a TCP stream's graphs (time-sequence, tcptrace, RTT, throughput, window) in
    /// the terminal or as SVG/PNG files.
    Graph(graph::GraphArgs),
    /// The course's socket demos.
    #[command(flatten)]
    Demo(demo::DemoCommand),
    /// SIMP, the UDP chat protocol of the course: daemon and client.
    #[command(subcommand)]
    Simp(simp::SimpCommand),
    /// The virtual lab (computers A, B, C on a switch) and the labs' answers from captures.
    #[command(subcommand)]
    Lab(lab::LabCommand),
    /// Print a shell completion script (bash, zsh or fish) to standard output.
    Completions(docs::CompletionsArgs),
    /// Write the manual pages (wirelab.1 and one per subcommand) into an existing folder.
    Man(docs::ManArgs),
}

//! Arguments of `wirelab craft`, `wirelab ping`, `wirelab traceroute`, `wirelab dhcp` and `wirelab stack` (clap derive structs
//! only: no I/O, no logic).

use std::net::Ipv4Addr;
use std::path::PathBuf;

use clap::Args;

use super::read::ColorChoice;

/// Arguments of `wirelab craft`.
#[derive(Debug, Clone, Args)]
#[command(after_help = concat!(
    "Examples:
  sudo wirelab craft -i eth0 --to 10.0.3.1:8080 --message 'Hai from client'
  sudo wirelab craft -i eth0 --to 10.0.3.1:8080 --file notes.txt -w talk.pcapng
  echo hello | sudo wirelab craft -i eth0 --to 10.0.3.1:8080 --quiet
  sudo wirelab craft -i eth0 --to 10.0.3.1:8080 --file big.bin --loss 5 -w lossy.pcapng

Every Ethernet, IPv4 and TCP header is built by wirelab and sent on a raw socket: no kernel
TCP under it. By default the source address is one this host does not own (found free with
ARP probes), because the host's kernel would answer the server's SYN-ACK with a RST for a
connection it does not know. --src-ip names the address; with the host's own address, drop
those RSTs first (sudo iptables -I OUTPUT -p tcp --tcp-flags RST RST -d SERVER -j DROP).
Loopback (lo) cannot work: frames injected there never reach local sockets; use a veth pair
or the lab LAN. Needs root or: sudo setcap cap_net_raw=eip \"$(command -v wirelab)\"

",
    "Exit codes:
  0   success
  1   other failure (I/O, a file that cannot be read or written)
  2   usage error: bad arguments, or an interface that is missing, down or loopback
  3   connection refused: the server answered the SYN with a RST (nothing listens there)
  4   host unreachable: nobody answered ARP for the next hop
  5   timed out: no answer to the SYN, to data, or to any echo request
  6   connection reset by the server while it was open
  77  no permission: raw sockets need root or CAP_NET_RAW"
))]
pub struct CraftArgs {
    /// Interface to send on (eth0, wlan0, a veth...); `--iface` is an old spelling.
    #[arg(short = 'i', long = "interface", alias = "iface", value_name = "IFACE")]
    pub iface: String,
    /// The server, as IPv4:PORT (e.g. 10.0.3.1:8080).
    #[arg(long, value_name = "IP:PORT")]
    pub to: String,
    /// Source address (default: a free address of the interface's subnet, checked with ARP
    /// probes that nobody answers).
    #[arg(long, value_name = "IP")]
    pub src_ip: Option<Ipv4Addr>,
    /// Source port (default: a random one from 49152-65535).
    #[arg(long, value_name = "PORT")]
    pub src_port: Option<u16>,
    /// The data to send (default: standard input; type lines, Ctrl-D closes).
    #[arg(long, short, value_name = "TEXT", conflicts_with = "file")]
    pub message: Option<String>,
    /// A file to send.
    #[arg(long, short, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Write every frame sent and received to a pcapng file (directions and comments included).
    #[arg(short = 'w', long = "write", value_name = "FILE.pcapng")]
    pub write: Option<PathBuf>,
    /// Replace the file given with -w if it exists.
    #[arg(long)]
    pub force: bool,
    /// Only the summary (on stderr); the server's data goes to stdout as it is (escaped when
    /// stdout is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
    /// Drop this percentage of this client's own frames, sent and received (0-100), to watch
    /// retransmission and recovery.
    #[arg(long, value_name = "PCT", default_value_t = 0.0)]
    pub loss: f64,
    /// Seed of the loss (the same seed drops the same frames).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub loss_seed: u64,
    /// How many times the SYN is sent again before giving up (1 s, then doubling).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub syn_retries: u32,
    /// Seconds to wait for the server's FIN once ours is acknowledged.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub fin_wait: f64,
    /// Seconds in TIME-WAIT, answering a retransmitted FIN.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub time_wait: f64,
    /// Colours.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// Arguments of `wirelab ping`.
#[derive(Debug, Clone, Args)]
#[command(after_help = concat!(
    "Examples:
  sudo wirelab ping 10.0.3.1 -i eth0
  sudo wirelab ping 10.0.3.1 -i eth0 -c 10 -w ping.pcapng

ARP, IPv4 and ICMP echo requests are built by wirelab (this machine may have no `ping`). The
host's own address is the source: an echo reply draws no RST from its kernel.

",
    "Exit codes:
  0   at least one reply
  1   other failure
  2   usage error
  4   host unreachable: nobody answered ARP for the next hop
  5   timed out: no reply at all
  77  no permission: raw sockets need root or CAP_NET_RAW"
))]
pub struct PingArgs {
    /// The host to ping (an IPv4 address or a name).
    pub host: String,
    /// Interface to send on; `--iface` is an old spelling.
    #[arg(short = 'i', long = "interface", alias = "iface", value_name = "IFACE")]
    pub iface: String,
    /// Number of echo requests.
    #[arg(short = 'c', long, value_name = "N", default_value_t = 4)]
    pub count: u16,
    /// Seconds between requests.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub interval: f64,
    /// Seconds to wait for the last reply.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub timeout: f64,
    /// Source address (default: the interface's own).
    #[arg(long, value_name = "IP")]
    pub src_ip: Option<Ipv4Addr>,
    /// Write every frame sent and received to a pcapng file.
    #[arg(short = 'w', long = "write", value_name = "FILE.pcapng")]
    pub write: Option<PathBuf>,
    /// Replace the file given with -w if it exists.
    #[arg(long)]
    pub force: bool,
    /// Colours.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// Arguments of `wirelab traceroute`.
#[derive(Debug, Clone, Args)]
#[command(after_help = concat!(
    "Examples:
  sudo wirelab traceroute 10.0.4.1 -i eth0
  sudo wirelab traceroute 10.0.4.1 -i eth0 --icmp
  sudo wirelab traceroute 10.0.4.1 -i eth0 --size 3000 --layers -w trace.pcapng

Every probe is built by wirelab layer by layer (ARP for the gateway, then UDP or ICMP, IPv4,
Ethernet) with a TTL of 1, then 2, ...: each router on the way discards it when the TTL runs
out and says so with an ICMP Time Exceeded, quoting the probe's IP header and 8 bytes after
it; the destination answers with a Port Unreachable (UDP) or an Echo Reply (--icmp). A probe
bigger than the interface's MTU is fragmented by wirelab. One probe is out at a time.

",
    "Exit codes:
  0   the destination answered
  1   other failure
  2   usage error
  4   host unreachable: nobody answered ARP for the next hop
  5   the destination never answered within --max-hops
  77  no permission: raw sockets need root or CAP_NET_RAW"
))]
pub struct TracerouteArgs {
    /// The destination (an IPv4 address or a name).
    pub host: String,
    /// Interface to send on; `--iface` is an old spelling.
    #[arg(short = 'i', long = "interface", alias = "iface", value_name = "IFACE")]
    pub iface: String,
    /// ICMP echo requests as probes (as Windows' tracert and `traceroute -I`) instead of UDP.
    #[arg(short = 'I', long)]
    pub icmp: bool,
    /// Size of each probe's IP datagram in bytes, headers included (28-65535); bigger than
    /// the MTU, it is sent as fragments.
    #[arg(long, value_name = "BYTES", default_value_t = 60)]
    pub size: usize,
    /// The last TTL to try (traceroute's -m; the short flags -m, -f and -q mean other options
    /// elsewhere in wirelab).
    #[arg(long, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u8).range(1..))]
    pub max_hops: u8,
    /// The TTL to start with.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u8).range(1..))]
    pub first_hop: u8,
    /// Probes per hop (1-10).
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u8).range(1..=10))]
    pub queries: u8,
    /// Seconds to wait for each probe's answer (0-60).
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub wait: f64,
    /// First destination port of the UDP probes (one more per probe).
    #[arg(short = 'p', long, value_name = "PORT", default_value_t = 33434)]
    pub port: u16,
    /// Show every probe's and every answer's layers (the quoted IP header and 8 bytes too).
    #[arg(short = 'v', long)]
    pub layers: bool,
    /// Source address (default: the interface's own).
    #[arg(long, value_name = "IP")]
    pub src_ip: Option<Ipv4Addr>,
    /// Write every frame sent and received to a pcapng file.
    #[arg(short = 'w', long = "write", value_name = "FILE.pcapng")]
    pub write: Option<PathBuf>,
    /// Replace the file given with -w if it exists.
    #[arg(long)]
    pub force: bool,
    /// Colours.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// Arguments of `wirelab dhcp`.
#[derive(Debug, Clone, Args)]
#[command(after_help = concat!(
    "Examples:
  sudo wirelab dhcp -i eth0
  sudo wirelab dhcp -i eth0 --apply
  sudo wirelab dhcp -i eth0 --release -w dhcp.pcapng
  sudo wirelab dhcp -i eth0 --release --addr 10.0.9.120 --server 10.0.9.1

Discover, Request (and Release) are built by wirelab layer by layer (Ethernet, IPv4 from
0.0.0.0 to 255.255.255.255, UDP 68 to 67, BOOTP with its DHCP options) and sent on a raw
socket; the Offer and the ACK (or NAK) are the ones with our transaction ID and MAC address.
Each message is shown as `wirelab read -V` shows it. Nothing on this machine changes unless
--apply is given: then the address is added to the interface and the default route set (ip).

",
    "Exit codes:
  0   an address was leased (or released)
  1   other failure (the server refused the Request with a NAK, `ip` failed)
  2   usage error
  5   timed out: no Offer, or no ACK
  77  no permission: raw sockets need root or CAP_NET_RAW"
))]
pub struct DhcpArgs {
    /// Interface to send on; `--iface` is an old spelling.
    #[arg(short = 'i', long = "interface", alias = "iface", value_name = "IFACE")]
    pub iface: String,
    /// Seconds to wait for each answer before sending again (0.1-60).
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    pub wait: f64,
    /// Discovers (and Requests) sent before giving up (1-10).
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u8).range(1..=10))]
    pub tries: u8,
    /// The client's MAC address (default: the interface's); with another one the server is
    /// asked to broadcast its replies.
    #[arg(long, value_name = "MAC")]
    pub mac: Option<String>,
    /// Host name sent in option 12 (default: this machine's; empty: no option 12).
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// Add the leased address to the interface and a default route via the router (ip).
    #[arg(long, conflicts_with = "release")]
    pub apply: bool,
    /// Release the address just leased (or the one given with --addr and --server).
    #[arg(long)]
    pub release: bool,
    /// With --release: the address to release, without asking for one first.
    #[arg(long, value_name = "IP", requires_all = ["release", "server"])]
    pub addr: Option<Ipv4Addr>,
    /// With --release --addr: the server that leased it.
    #[arg(long, value_name = "IP", requires = "addr")]
    pub server: Option<Ipv4Addr>,
    /// Write every frame sent and received to a pcapng file.
    #[arg(short = 'w', long = "write", value_name = "FILE.pcapng")]
    pub write: Option<PathBuf>,
    /// Replace the file given with -w if it exists.
    #[arg(long)]
    pub force: bool,
    /// Colours.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// Arguments of `wirelab stack`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  wirelab stack
  wirelab stack 'Hello from the application layer'

No network and no privileges: the message is wrapped in TCP, IPv4 and Ethernet headers (built
by wirelab's one builder), then the same bytes are taken apart by its decoder.")]
pub struct StackArgs {
    /// The message to wrap.
    #[arg(default_value = "Hello from the application layer")]
    pub message: String,
    /// Colours.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

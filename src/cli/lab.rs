//! Arguments of `wirelab lab …` (clap derive structs only: no I/O, no logic).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::lab::answer::LabId;
use crate::lab::units::{BitRate, Millis, Percent};

/// The `lab` subcommands.
#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Bring up computers A, B and C (10.0.3.1, .2, .3 on eth0) on a switch: network namespaces.
    #[command(after_help = "Examples:
  sudo wirelab lab up
  sudo wirelab lab up --delay 20ms --jitter 2ms --loss 1% --rate 10mbit --seed 7
  sudo wirelab lab up --routed --mtu 1000
  sudo wirelab lab up --routed --impair-link wan --delay 50ms
  sudo wirelab lab up --routed --services --nat

Without impairments the switch is a kernel bridge; with any, it is wirelab's own switch
(`wirelab lab switch`, in the background). Every command run is printed. Running it again
does only what is missing (after a crash too); with other impairments only the switch changes.

--routed adds router R and server S (addresses below); IPv6 is then on in the lab:
  A, B, C  10.0.3.1-3/24   fd00:3::1-3/64   gateway 10.0.3.254, fd00:3::fe (R)
  R        10.0.3.254/24   fd00:3::fe/64    eth0, on the lab's switch
           10.0.4.254/24   fd00:4::fe/64    eth1, on the 10.0.4 link's switch
  S        10.0.4.1/24     fd00:4::1/64     gateway 10.0.4.254, fd00:4::fe (R)
`lab up` without --routed leaves a routed lab as it is; `lab down` removes all of it.

--services (with --routed) starts the lab's servers (state in /run/wirelab/lab-<name>):
  S  dnsmasq: authoritative DNS for wirelab.test (also 10.0.4.2, the second web server)
     nginx: the course's pages on port 80, TLS 1.2 on 10.0.4.1:443 (CA: <state>/ca.pem)
  R  dnsmasq: resolver on 10.0.3.254 for A, B, C; DHCP server on eth1 (10.0.4.100-199)
  D  no address, on the 10.0.4 link: run a DHCP client there (lab exec D -- udhcpc -i eth0)
--nat adds an nftables masquerade of 10.0.3.0/24 out of R's eth1.")]
    Up(UpArgs),
    /// Remove the lab: stop what runs on its computers, delete its namespaces.
    #[command(after_help = "Example:\n  sudo wirelab lab down\n\nSafe to run twice.")]
    Down(NameArgs),
    /// Show the lab: each computer's address and programs, the switch and what it learned.
    #[command(
        after_help = "Example:\n  sudo wirelab lab status\n\nExit code 1 when the lab is not up."
    )]
    Status(NameArgs),
    /// Run a command on a computer of the lab (no command: a shell there).
    #[command(after_help = "Examples:
  sudo wirelab lab exec A -- wirelab tcp-server --port 8080
  sudo wirelab lab exec B -- wirelab tcp-client 10.0.3.1:8080 --lines
  sudo wirelab lab exec B -- tcpdump -i eth0 -w b.pcapng
  sudo wirelab lab exec C                  (a shell on C; `exit` to leave)
  sudo wirelab lab exec A -- ping -c 1 10.0.4.1      (routed lab: A to S through R)

`wirelab` in the command is this wirelab, whatever sudo's PATH holds.")]
    Exec(ExecArgs),
    /// The user-space switch (`lab up` starts it when there are impairments).
    #[command(
        after_help = "Example (what `lab up --delay 20ms` runs in the switch's namespace):
  wirelab lab switch --port pA --port pB --port pC --delay 20ms --seed 1

It learns MAC addresses and floods like a bridge; delay, jitter, loss and rate apply to each
frame copy on its way out of a port. Ports are Ethernet interfaces (root or CAP_NET_RAW)."
    )]
    Switch(SwitchArgs),
    /// Answer a lab's questions from captures (pcap or pcapng, from the virtual or the real lab).
    #[command(after_help = "Examples:
  wirelab lab answer 003 b-tcp.pcapng b-udp.pcapng b-threaded.pcapng c-threaded.pcapng
  wirelab lab answer 002 transfer.pcapng
  wirelab lab answer 004 capture.pcap --server 10.0.3.1
  wirelab lab answer simp chat.pcapng --json
  wirelab lab answer udp dns.pcapng
  wirelab lab answer http get.pcapng conditional.pcapng long.pcapng auth.pcapng
  wirelab lab answer ethernet-arp http-and-arp.pcapng
  wirelab lab answer dns nslookup.pcapng
  wirelab lab answer tls https.pcapng --server 10.0.4.1
  wirelab lab answer dhcp release-renew.pcapng
  wirelab lab answer nat nat-inside.pcapng nat-outside.pcapng   (LAN side first, then WAN side)
  wirelab lab answer intro getting-started.pcapng

Labs: 000 (stack), 001 (simp), 002 (file-transfer), 003 (sockets), 004 (tcp-exchange);
Kurose & Ross's Wireshark labs v8.1: intro (Getting Started), ip and icmp (traceroute,
fragments, IPv6; ping and traceroute), udp, ethernet-arp, http, dns, dhcp, tls and nat (two
captures made at the same time on the two sides of a NAT router: the inside one first, then
the outside one).
Each answer names the frames it rests on; nothing is canned.")]
    Answer(AnswerArgs),
}

/// Which lab (hidden: tests and parallel labs).
#[derive(Debug, Clone, Args)]
pub struct NameArgs {
    /// The lab's name (namespaces wl<NAME>-A …); default: $WIRELAB_LAB, else `lab`.
    #[arg(long, hide = true, value_name = "NAME")]
    pub name: Option<String>,
}

/// What the switch does to frames.
#[derive(Debug, Clone, Args)]
pub struct ImpairArgs {
    /// One-way delay added to every frame through the switch, e.g. 20ms.
    #[arg(long, value_name = "TIME", default_value = "0ms")]
    pub delay: Millis,
    /// Each frame's delay varies uniformly within delay ± jitter, e.g. 2ms.
    #[arg(long, value_name = "TIME", default_value = "0ms")]
    pub jitter: Millis,
    /// Share of frames lost on their way out of a port, e.g. 1%.
    #[arg(long, value_name = "PERCENT", default_value = "0%")]
    pub loss: Percent,
    /// Rate of each port, e.g. 10mbit (frames queue, then are dropped when the queue is full).
    #[arg(long, value_name = "RATE")]
    pub rate: Option<BitRate>,
    /// Frames a port holds while sending at --rate before it drops new ones.
    #[arg(long, value_name = "FRAMES", default_value_t = crate::lab::switch::DEFAULT_QUEUE)]
    pub queue: usize,
    /// Seed of the loss and jitter: the same seed gives the same choices for the same traffic.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
}

/// Arguments of `wirelab lab up`.
#[derive(Debug, Clone, Args)]
pub struct UpArgs {
    /// Which lab.
    #[command(flatten)]
    pub name: NameArgs,
    /// Add router R and server S: R forwards between the lab's 10.0.3.0/24 (as 10.0.3.254, the
    /// computers' gateway) and 10.0.4.0/24 (as 10.0.4.254), where S is 10.0.4.1; IPv6 on both
    /// (fd00:3::/64, fd00:4::/64).
    #[arg(long)]
    pub routed: bool,
    /// MTU of the 10.0.4 link between R and S (with --routed), e.g. 1000: R then fragments
    /// the larger datagrams A, B and C send to S (IPv6 needs at least 1280: below, that link
    /// is IPv4 only).
    #[arg(
        long,
        value_name = "BYTES",
        requires = "routed",
        default_value_t = 1500,
        value_parser = clap::value_parser!(u32).range(68..=65535)
    )]
    pub mtu: u32,
    /// With --routed: the lab's services, real Debian programs in R's and S's namespaces —
    /// DNS for wirelab.test on S (dnsmasq), R as resolver (10.0.3.254) and DHCP server on
    /// 10.0.4.0/24 (dnsmasq), web and TLS 1.2 servers on S (nginx, lab CA made by openssl), and
    /// host D (no address) on the 10.0.4 link for DHCP clients.
    #[arg(long, requires = "routed")]
    pub services: bool,
    /// With --services: R masquerades 10.0.3.0/24 out of eth1 (nftables NAT in R's namespace).
    #[arg(long, requires = "services")]
    pub nat: bool,
    /// Impairments.
    #[command(flatten)]
    pub impair: ImpairArgs,
    /// Use wirelab's user-space switch even without impairments (its counters and MAC table
    /// show in `lab status`), on the link(s) of --impair-link.
    #[arg(long)]
    pub user_switch: bool,
    /// Which link the impairments act on: lan (10.0.3.0/24: A, B, C and R) or, in the routed
    /// lab, wan (10.0.4.0/24: R and S) or both.
    #[arg(long, value_enum, value_name = "LINK", default_value = "lan")]
    pub impair_link: ImpairLink,
    /// TEST ONLY: make the Nth command fail, to check that `up` cleans up after itself.
    #[arg(long, value_name = "N", hide = true)]
    pub fail_at: Option<usize>,
}

/// The link the impairments act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpairLink {
    /// The lab network, 10.0.3.0/24 (A, B, C and R).
    Lan,
    /// The routed lab's 10.0.4.0/24 link (R and S).
    Wan,
    /// Both, each with the same settings.
    Both,
}

/// A computer of the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum ComputerArg {
    /// Computer A (10.0.3.1).
    #[value(alias = "a")]
    A,
    /// Computer B (10.0.3.2).
    #[value(alias = "b")]
    B,
    /// Computer C (10.0.3.3).
    #[value(alias = "c")]
    C,
    /// Router R (10.0.3.254 and 10.0.4.254; routed lab).
    #[value(alias = "r")]
    R,
    /// Server S (10.0.4.1; routed lab).
    #[value(alias = "s")]
    S,
    /// Host D (no address: the DHCP client; routed lab with --services).
    #[value(alias = "d")]
    D,
}

impl ComputerArg {
    /// Its letter.
    pub fn letter(self) -> char {
        match self {
            ComputerArg::A => 'A',
            ComputerArg::B => 'B',
            ComputerArg::C => 'C',
            ComputerArg::R => 'R',
            ComputerArg::S => 'S',
            ComputerArg::D => 'D',
        }
    }
}

/// Arguments of `wirelab lab exec`.
#[derive(Debug, Clone, Args)]
pub struct ExecArgs {
    /// Which lab.
    #[command(flatten)]
    pub name: NameArgs,
    /// Don't print the command before running it.
    #[arg(short, long)]
    pub quiet: bool,
    /// The computer to run it on.
    #[arg(value_enum, value_name = "A|B|C|R|S|D")]
    pub computer: ComputerArg,
    /// The command and its arguments (after `--`).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    pub command: Vec<String>,
}

/// Arguments of `wirelab lab switch`.
#[derive(Debug, Clone, Args)]
pub struct SwitchArgs {
    /// An interface to switch between (give two or more).
    #[arg(long = "port", value_name = "IFACE", required = true)]
    pub ports: Vec<String>,
    /// Impairments.
    #[command(flatten)]
    pub impair: ImpairArgs,
    /// Write the counters and MAC table here (JSON) every second.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// TEST ONLY: stop after this many seconds.
    #[arg(long, value_name = "SECS", hide = true)]
    pub run_for: Option<f64>,
}

/// Arguments of `wirelab lab answer`.
#[derive(Debug, Clone, Args)]
pub struct AnswerArgs {
    /// The lab: 000 stack, 001 simp, 002 file-transfer, 003 sockets, 004 tcp-exchange, ip, icmp,
    /// udp, ethernet-arp, http, dns, dhcp, tls, nat, intro.
    #[arg(value_name = "LAB")]
    pub lab: LabId,
    /// The captures (pcap or pcapng), in any order; for nat exactly two, the inside (LAN side)
    /// capture first, then the outside (WAN side) one.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// The server's IP address (default: the address that accepted connections; nat: the
    /// connection to this server is answered).
    #[arg(long, value_name = "IP")]
    pub server: Option<IpAddr>,
    /// JSON instead of text (schema in README).
    #[arg(long)]
    pub json: bool,
}

//! The virtual lab's topology — names, addresses, cables — and the commands that build it,
//! repair it and remove it, planned from what exists (pure: no command is run here).
//!
//! Lab 003's figure, as network namespaces: computers A, B and C (`wl<lab>-A` …), each with
//! one interface `eth0` (10.0.3.1/24, .2, .3; MAC 02:00:00:00:03:01, :02, :03) cabled by a
//! veth pair to port `pA`, `pB`, `pC` of a switch in its own namespace `wl<lab>-sw`. The switch
//! is a kernel bridge `br0` (it learns MACs), or, with impairments, `wirelab lab switch` running
//! in the switch namespace. Nothing is ever created in the host's own namespace: every `ip`
//! command names a lab namespace (`ip -n NS …`), and veth pairs are made directly inside them.
//!
//! [`plan_up`] compares the wanted lab with an [`Observed`] one and lists only the commands
//! that are missing, so `lab up` twice does nothing the second time, and `lab up` after a
//! crash finishes the job. IPv6 is switched off in the lab namespaces (captures then hold only
//! the IPv4 traffic the labs are about), and each `eth0` sends one frame per segment (no GSO),
//! so captures show wire-sized frames as on the Pis.
//!
//! The routed lab (`lab up --routed`, [`Routed`]) adds a router R (`wl<lab>-R`) and a server S
//! (`wl<lab>-S`): R's `eth0` is 10.0.3.254/24 and fd00:3::fe/64 on the switch's port `pR`, and
//! the computers' default gateway; R's `eth1` is 10.0.4.254/24 and fd00:4::fe/64 on port `pR`
//! of a second switch (`wl<lab>-sw4`, the 10.0.4 link), where S's `eth0` is 10.0.4.1/24 and
//! fd00:4::1/64 (gateway R) on port `pS`. The computers get fd00:3::1, ::2, ::3 and IPv6 is
//! on in A, B, C, R and S (static addresses, no duplicate address detection, no router
//! solicitations); the switches keep it off. R forwards IPv4 and IPv6 and sends its ICMP
//! errors unthrottled. The 10.0.4 link has its own MTU (`--mtu`) and its own switch, so the
//! impairments can act on either link.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::switch::Impairments;

/// The default lab name.
pub const DEFAULT_NAME: &str = "lab";

/// Why a lab name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` cannot name a lab: use 1 to 20 lower-case letters and digits, starting with a letter (e.g. lab2)"
)]
pub struct BadName(pub String);

/// One computer of the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computer {
    /// A, B or C.
    pub letter: char,
    /// Its address on the lab network.
    pub ip: Ipv4Addr,
    /// Its MAC address (fixed, so captures are easy to read and compare).
    pub mac: [u8; 6],
    /// Its network namespace.
    pub netns: String,
    /// Its switch port (an interface in the switch's namespace).
    pub port: String,
}

impl Computer {
    /// `10.0.3.1/24`.
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.ip, Topology::PREFIX)
    }

    /// Its IPv6 address in the routed lab: `fd00:3::1` for 10.0.3.1.
    pub fn ipv6(&self) -> Ipv6Addr {
        let [_, _, net, host] = self.ip.octets();
        Ipv6Addr::new(0xfd00, u16::from(net), 0, 0, 0, 0, 0, u16::from(host))
    }
}

/// One interface of the routed lab's router or server, cabled to a switch port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nic {
    /// R or S.
    pub letter: char,
    /// Its namespace.
    pub netns: String,
    /// Its name there (`eth0`, `eth1`).
    pub dev: String,
    /// Its MAC address.
    pub mac: [u8; 6],
    /// Its IPv4 address (prefix [`Topology::PREFIX`]).
    pub ip: Ipv4Addr,
    /// Its IPv6 address (prefix [`Topology::PREFIX6`]).
    pub ipv6: Ipv6Addr,
    /// The namespace of the switch it is cabled to.
    pub switch_ns: String,
    /// Its switch port.
    pub port: String,
    /// True on the 10.0.4 link (its MTU is [`Routed::mtu`]).
    pub wan: bool,
}

/// What the routed lab is to be (`lab up --routed`).
#[derive(Debug, Clone, PartialEq)]
pub struct Routed {
    /// The MTU of the 10.0.4 link between R and S.
    pub mtu: u32,
    /// The 10.0.4 link's switch.
    pub wan: SwitchMode,
}

impl Routed {
    /// The Ethernet MTU.
    pub const DEFAULT_MTU: u32 = 1500;
    /// The smallest MTU IPv6 works on (RFC 8200); below it the kernel turns IPv6 off on the
    /// interface, so the 10.0.4 link then carries IPv4 only.
    pub const IPV6_MIN_MTU: u32 = 1280;

    /// True when the 10.0.4 link carries IPv6 (its MTU is at least 1280).
    pub fn wan_ipv6(&self) -> bool {
        self.mtu >= Self::IPV6_MIN_MTU
    }
}

/// A lab: its name and everything derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    name: String,
}

impl Topology {
    /// The interface name on every computer (as on the Pis).
    pub const DEV: &'static str = "eth0";
    /// The bridge in the switch namespace.
    pub const BRIDGE: &'static str = "br0";
    /// The lab network's prefix length.
    pub const PREFIX: u8 = 24;
    /// The computers' letters.
    pub const LETTERS: [char; 3] = ['A', 'B', 'C'];
    /// The IPv6 prefix length on both subnets of the routed lab.
    pub const PREFIX6: u8 = 64;
    /// The router's address on the lab network, the computers' gateway in the routed lab.
    pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 254);
    /// The router's IPv6 address on the lab network.
    pub const GATEWAY6: Ipv6Addr = Ipv6Addr::new(0xfd00, 3, 0, 0, 0, 0, 0, 0xfe);
    /// The router's address on 10.0.4.0/24, the server's gateway.
    pub const WAN_GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 4, 254);
    /// The router's IPv6 address on fd00:4::/64.
    pub const WAN_GATEWAY6: Ipv6Addr = Ipv6Addr::new(0xfd00, 4, 0, 0, 0, 0, 0, 0xfe);
    /// The server's address.
    pub const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 4, 1);
    /// The server's IPv6 address.
    pub const SERVER6: Ipv6Addr = Ipv6Addr::new(0xfd00, 4, 0, 0, 0, 0, 0, 1);
    /// What the router's namespace is set to (`sysctl` keys and values): it forwards IPv4 and
    /// IPv6 and sends every ICMP error (Time Exceeded for traceroute) without a rate limit.
    pub const ROUTER_SYSCTLS: [(&'static str, &'static str); 4] = [
        ("net.ipv4.ip_forward", "1"),
        ("net.ipv6.conf.all.forwarding", "1"),
        ("net.ipv4.icmp_ratelimit", "0"),
        ("net.ipv6.icmp.ratelimit", "0"),
    ];

    /// What the server's namespace is set to: it answers every traceroute probe (Port
    /// Unreachable, Echo Reply) without Linux's ICMP rate limit, which would otherwise show
    /// `* * *` for the last hop of a second traceroute run soon after the first.
    pub const SERVER_SYSCTLS: [(&'static str, &'static str); 2] = [
        ("net.ipv4.icmp_ratelimit", "0"),
        ("net.ipv6.icmp.ratelimit", "0"),
    ];

    /// The lab called `name` (see [`BadName`] for what is allowed).
    pub fn new(name: &str) -> Result<Topology, BadName> {
        let ok = (1..=20).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if ok {
            Ok(Topology {
                name: name.to_string(),
            })
        } else {
            Err(BadName(name.to_string()))
        }
    }

    /// The lab's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every namespace of this lab starts with this.
    pub fn prefix(&self) -> String {
        format!("wl{}-", self.name)
    }

    /// The switch's namespace.
    pub fn switch_ns(&self) -> String {
        format!("wl{}-sw", self.name)
    }

    /// The three computers.
    pub fn computers(&self) -> Vec<Computer> {
        Self::LETTERS
            .iter()
            .enumerate()
            .map(|(i, &letter)| {
                let n = i as u8 + 1;
                Computer {
                    letter,
                    ip: Ipv4Addr::new(10, 0, 3, n),
                    mac: [0x02, 0, 0, 0, 0x03, n],
                    netns: format!("wl{}-{letter}", self.name),
                    port: format!("p{letter}"),
                }
            })
            .collect()
    }

    /// The computer with this letter (any case).
    pub fn computer(&self, letter: char) -> Option<Computer> {
        let l = letter.to_ascii_uppercase();
        self.computers().into_iter().find(|c| c.letter == l)
    }

    /// Every namespace of the lab, switch first.
    pub fn namespaces(&self) -> Vec<String> {
        let mut v = vec![self.switch_ns()];
        v.extend(self.computers().into_iter().map(|c| c.netns));
        v
    }

    /// The router's namespace (routed lab).
    pub fn router_ns(&self) -> String {
        format!("wl{}-R", self.name)
    }

    /// The server's namespace (routed lab).
    pub fn server_ns(&self) -> String {
        format!("wl{}-S", self.name)
    }

    /// The namespace of the 10.0.4 link's switch (routed lab).
    pub fn wan_switch_ns(&self) -> String {
        format!("wl{}-sw4", self.name)
    }

    /// The DHCP client host D's namespace (routed lab with services, on the 10.0.4 link).
    pub fn dhcp_client_ns(&self) -> String {
        format!("wl{}-D", self.name)
    }

    /// The namespaces only the routed lab has: R, S and the 10.0.4 link's switch.
    pub fn routed_namespaces(&self) -> Vec<String> {
        vec![self.router_ns(), self.server_ns(), self.wan_switch_ns()]
    }

    /// Every namespace of the plain and the routed lab, D (services) included.
    pub fn all_namespaces(&self) -> Vec<String> {
        let mut v = self.namespaces();
        v.extend(self.routed_namespaces());
        v.push(self.dhcp_client_ns());
        v
    }

    /// The router's and the server's interfaces: R's `eth0` on the lab network, R's `eth1`
    /// and S's `eth0` on 10.0.4.0/24.
    pub fn routed_nics(&self) -> Vec<Nic> {
        let (r, s) = (self.router_ns(), self.server_ns());
        let (sw, sw4) = (self.switch_ns(), self.wan_switch_ns());
        vec![
            Nic {
                letter: 'R',
                netns: r.clone(),
                dev: Self::DEV.into(),
                mac: [0x02, 0, 0, 0, 0x03, 0xfe],
                ip: Self::GATEWAY,
                ipv6: Self::GATEWAY6,
                switch_ns: sw,
                port: "pR".into(),
                wan: false,
            },
            Nic {
                letter: 'R',
                netns: r,
                dev: "eth1".into(),
                mac: [0x02, 0, 0, 0, 0x04, 0xfe],
                ip: Self::WAN_GATEWAY,
                ipv6: Self::WAN_GATEWAY6,
                switch_ns: sw4.clone(),
                port: "pR".into(),
                wan: true,
            },
            Nic {
                letter: 'S',
                netns: s,
                dev: Self::DEV.into(),
                mac: [0x02, 0, 0, 0, 0x04, 0x01],
                ip: Self::SERVER,
                ipv6: Self::SERVER6,
                switch_ns: sw4,
                port: "pS".into(),
                wan: true,
            },
        ]
    }

    /// The namespace of A, B, C, R, S or D (any case).
    pub fn node_ns(&self, letter: char) -> Option<String> {
        match letter.to_ascii_uppercase() {
            'R' => Some(self.router_ns()),
            'S' => Some(self.server_ns()),
            'D' => Some(self.dhcp_client_ns()),
            l => self.computer(l).map(|c| c.netns),
        }
    }

    /// The ports of the lab network's switch: the computers', and R's in the routed lab.
    pub fn lan_ports(&self, routed: bool) -> Vec<String> {
        let mut v: Vec<String> = self.computers().into_iter().map(|c| c.port).collect();
        if routed {
            v.push("pR".into());
        }
        v
    }

    /// The ports of the 10.0.4 link's switch.
    pub fn wan_ports(&self) -> Vec<String> {
        vec!["pR".into(), "pS".into()]
    }

    /// The sysctl keys `lab up` sets in namespace `ns` and reads back to see what is missing.
    pub fn sysctls_of(&self, ns: &str) -> &'static [(&'static str, &'static str)] {
        if ns == self.router_ns() {
            &Self::ROUTER_SYSCTLS
        } else if ns == self.server_ns() {
            &Self::SERVER_SYSCTLS
        } else {
            &[]
        }
    }

    /// Where the lab keeps its switch's log and counters.
    pub fn state_dir(&self) -> String {
        format!("/run/wirelab/lab-{}", self.name)
    }

    /// The arguments (after the program) of the user-space switch for `imp`.
    pub fn switch_args(&self, imp: &Impairments) -> Vec<String> {
        self.switch_args_for(&self.lan_ports(false), imp, SwitchSide::Lan.stats_file())
    }

    /// The arguments (after the program) of a user-space switch joining `ports` with `imp`,
    /// writing its counters to `stats` in the lab's state directory.
    pub fn switch_args_for(&self, ports: &[String], imp: &Impairments, stats: &str) -> Vec<String> {
        let mut v: Vec<String> = ["lab", "switch"].map(String::from).to_vec();
        for p in ports {
            v.push("--port".into());
            v.push(p.clone());
        }
        use super::units::{BitRate, Millis};
        v.push("--delay".into());
        v.push(Millis(imp.delay).to_string());
        v.push("--jitter".into());
        v.push(Millis(imp.jitter).to_string());
        v.push("--loss".into());
        v.push(imp.loss.to_string());
        if let Some(r) = imp.rate {
            v.push("--rate".into());
            v.push(BitRate(r).to_string());
        }
        v.push("--queue".into());
        v.push(imp.queue.to_string());
        v.push("--seed".into());
        v.push(imp.seed.to_string());
        v.push("--stats".into());
        v.push(format!("{}/{stats}", self.state_dir()));
        v
    }
}

/// Which of the routed lab's two switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchSide {
    /// The lab network's (10.0.3.0/24), namespace `wl<lab>-sw`.
    Lan,
    /// The 10.0.4 link's, namespace `wl<lab>-sw4`.
    Wan,
}

impl SwitchSide {
    /// Its counters file in the lab's state directory.
    pub fn stats_file(self) -> &'static str {
        match self {
            SwitchSide::Lan => "switch.json",
            SwitchSide::Wan => "wan-switch.json",
        }
    }

    /// Its user-space switch's log in the lab's state directory.
    pub fn log_file(self) -> &'static str {
        match self {
            SwitchSide::Lan => "switch.log",
            SwitchSide::Wan => "wan-switch.log",
        }
    }

    /// Its namespace.
    pub fn netns(self, topo: &Topology) -> String {
        match self {
            SwitchSide::Lan => topo.switch_ns(),
            SwitchSide::Wan => topo.wan_switch_ns(),
        }
    }
}

/// One interface as `ip -j -d addr` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkState {
    /// Its MAC address, lower case.
    pub mac: String,
    /// Administratively up.
    pub up: bool,
    /// The bridge it is enslaved to.
    pub master: Option<String>,
    /// `veth`, `bridge`, … (empty when unknown).
    pub kind: String,
    /// IPv4 addresses with prefix, e.g. `10.0.3.1/24`.
    pub ipv4: Vec<String>,
    /// Most segments per GSO frame.
    pub gso_max_segs: u32,
    /// IPv6 addresses with prefix, link-local ones included, e.g. `fd00:3::1/64`.
    pub ipv6: Vec<String>,
    /// Its MTU (0 when unknown).
    pub mtu: u32,
}

/// A process running in a lab namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcState {
    /// Its pid.
    pub pid: u32,
    /// Its command line.
    pub argv: Vec<String>,
}

impl ProcState {
    /// Its command line as a student would type it (the program without its directory).
    pub fn command_line(&self) -> String {
        let mut words: Vec<String> = self.argv.iter().map(|a| shell_quote(a)).collect();
        // A program that rewrote its title (`nginx: master process …`) keeps it whole.
        if let Some(first) = self.argv.first().filter(|f| !f.contains(' ')) {
            words[0] = shell_quote(first.rsplit('/').next().unwrap_or(first));
        }
        words.join(" ")
    }

    /// True for a server's main process, to stop before the others of its namespace: nginx's
    /// master (stopping a worker first makes the master start another).
    pub fn is_server_master(&self) -> bool {
        self.argv
            .first()
            .is_some_and(|a| a.starts_with("nginx: master process"))
    }

    /// True for a `wirelab lab switch` process.
    pub fn is_switch(&self) -> bool {
        self.switch_args().is_some()
    }

    /// The arguments after the program, when this is a `wirelab lab switch`.
    pub fn switch_args(&self) -> Option<&[String]> {
        let at = self
            .argv
            .windows(2)
            .position(|w| w[0] == "lab" && w[1] == "switch")?;
        self.argv.get(at..)
    }
}

/// One namespace as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NsState {
    /// Its interfaces by name.
    pub links: BTreeMap<String, LinkState>,
    /// The processes running in it.
    pub procs: Vec<ProcState>,
    /// Its default gateways, IPv4 and IPv6 (`10.0.3.254`, `fd00:3::fe`).
    pub gateways: Vec<String>,
    /// The values of the sysctl keys [`Topology::sysctls_of`] names for it.
    pub sysctls: BTreeMap<String, String>,
    /// Its nftables tables (`ip wirelab_nat`), read in the router's namespace only.
    pub nft_tables: Vec<String>,
}

/// What exists of a lab: its namespaces (by name) and what is in them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Namespaces of this lab that exist.
    pub namespaces: BTreeMap<String, NsState>,
    /// The services' files that exist (configs, pages, keys), by path, with their contents.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The lab's `/etc/netns/<namespace>` directories that exist.
    pub etc_netns: Vec<String>,
}

impl Observed {
    /// True when nothing of the lab exists.
    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
    }

    /// The processes in namespace `ns` (none when it does not exist).
    pub fn procs(&self, ns: &str) -> &[ProcState] {
        self.namespaces
            .get(ns)
            .map(|n| n.procs.as_slice())
            .unwrap_or(&[])
    }

    pub(super) fn link(&self, ns: &str, dev: &str) -> Option<&LinkState> {
        self.namespaces.get(ns)?.links.get(dev)
    }
}

/// A command line to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    /// The program (`ip`, `kill`, or this binary).
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
}

impl Cmd {
    /// `program args…`.
    pub fn new(program: &str, args: &[&str]) -> Cmd {
        Cmd {
            program: program.to_string(),
            args: args.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// `ip -n NS args…`.
    pub fn ip_in(ns: &str, args: &[&str]) -> Cmd {
        let mut all = vec!["-n", ns];
        all.extend_from_slice(args);
        Cmd::new("ip", &all)
    }
}

/// Quotes one word for a POSIX shell, only when needed.
pub fn shell_quote(w: &str) -> String {
    let plain = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=%@+,".contains(c));
    if plain {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&shell_quote(&self.program))?;
        for a in &self.args {
            write!(f, " {}", shell_quote(a))?;
        }
        Ok(())
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A line explaining the commands that follow.
    Note(String),
    /// A command that must succeed.
    Run(Cmd),
    /// Stop a process (TERM, then KILL if it lingers); it may be gone already.
    Stop {
        /// Its pid.
        pid: u32,
        /// What it is, for the note.
        what: String,
    },
    /// Start the user-space switch in the background in a switch namespace (the program is
    /// filled in by the executor: this binary). Waits until it is forwarding.
    StartSwitch {
        /// The switch's namespace.
        netns: String,
        /// Its log's file name in the lab's state directory.
        log: String,
        /// Its arguments after the program.
        args: Vec<String>,
    },
    /// Write a file (its directories are made first), replacing what is there.
    WriteFile {
        /// Its path.
        path: String,
        /// Its contents.
        contents: Vec<u8>,
    },
    /// Start a server that puts itself in the background (`dnsmasq`, `nginx`) in a lab
    /// namespace, its output appended to a log; waits for the starting process to exit and
    /// fails when it fails.
    Daemon {
        /// The namespace.
        netns: String,
        /// The program and its arguments.
        argv: Vec<String>,
        /// Its start-up log (a path).
        log: String,
    },
}

/// What the switch is to be.
#[derive(Debug, Clone, PartialEq)]
pub enum SwitchMode {
    /// A kernel bridge: learns MACs, no impairment.
    Bridge,
    /// `wirelab lab switch` with these impairments.
    UserSpace(Impairments),
}

impl SwitchMode {
    /// The bridge when nothing is impaired (unless `user_space` is asked for), else the
    /// user-space switch.
    pub fn for_impairments(imp: Impairments, user_space: bool) -> SwitchMode {
        if imp.is_none() && !user_space {
            SwitchMode::Bridge
        } else {
            SwitchMode::UserSpace(imp)
        }
    }
}

/// `ip netns exec NS sysctl …` turning IPv6 off in `ns`.
pub(super) fn sysctl_no_ipv6(ns: &str) -> Cmd {
    Cmd::new(
        "ip",
        &[
            "netns",
            "exec",
            ns,
            "sysctl",
            "-q",
            "-w",
            "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1",
        ],
    )
}

/// `ip netns exec NS sysctl -q -w KEY=VALUE…`.
fn sysctl_in(ns: &str, settings: &[String]) -> Cmd {
    let mut args = vec!["netns", "exec", ns, "sysctl", "-q", "-w"];
    args.extend(settings.iter().map(String::as_str));
    Cmd::new("ip", &args)
}

/// IPv6 on in `ns` for `dev`, without duplicate address detection (no Neighbor Solicitation
/// for its own addresses) or router solicitations: static addresses, quiet captures.
fn sysctl_ipv6_on(ns: &str, dev: &str) -> Cmd {
    sysctl_in(
        ns,
        &[
            "net.ipv6.conf.default.accept_dad=0".to_string(),
            "net.ipv6.conf.default.accept_ra=0".to_string(),
            format!("net.ipv6.conf.{dev}.accept_dad=0"),
            format!("net.ipv6.conf.{dev}.accept_ra=0"),
            "net.ipv6.conf.all.disable_ipv6=0".to_string(),
        ],
    )
}

/// One end of a cable as it is wanted: an interface in a host's namespace, the other end a
/// switch port.
pub(super) struct Wire<'a> {
    pub(super) netns: &'a str,
    pub(super) dev: &'a str,
    pub(super) mac: [u8; 6],
    pub(super) ipv4: Option<String>,
    pub(super) ipv6: Option<String>,
    pub(super) switch_ns: &'a str,
    pub(super) port: &'a str,
    pub(super) mtu: Option<u32>,
    pub(super) gateways: Vec<String>,
}

/// The steps that make `w` exist as wanted (the plain lab's computers get exactly the steps
/// they always had: no IPv6, MTU or gateway).
pub(super) fn plan_wire(w: &Wire<'_>, obs: &Observed, cs: &mut Vec<Step>) {
    let eth = obs.link(w.netns, w.dev);
    let port = obs.link(w.switch_ns, w.port);
    let cable_ok = eth.is_some_and(|l| l.kind == "veth") && port.is_some();
    let (eth, port) = if cable_ok {
        (eth, port)
    } else {
        // Half a cable (after a crash) is removed before a new one is made.
        if port.is_some() {
            cs.push(Step::Run(Cmd::ip_in(w.switch_ns, &["link", "del", w.port])));
        }
        if eth.is_some() {
            cs.push(Step::Run(Cmd::ip_in(w.netns, &["link", "del", w.dev])));
        }
        cs.push(Step::Run(Cmd::ip_in(
            w.switch_ns,
            &[
                "link", "add", w.port, "type", "veth", "peer", "name", w.dev, "netns", w.netns,
            ],
        )));
        (None, None)
    };
    let mut renewed = !cable_ok;
    let mac = crate::analyse::mac(&w.mac);
    if eth.is_none_or(|l| l.mac != mac) {
        cs.push(Step::Run(Cmd::ip_in(
            w.netns,
            &["link", "set", w.dev, "address", &mac],
        )));
    }
    // A new veth pair has the Ethernet MTU.
    let mtu_of = |l: Option<&LinkState>| l.map_or(Routed::DEFAULT_MTU, |l| l.mtu);
    if let Some(m) = w.mtu.filter(|&m| mtu_of(eth) != m) {
        cs.push(Step::Run(Cmd::ip_in(
            w.netns,
            &["link", "set", w.dev, "mtu", &m.to_string()],
        )));
    }
    if eth.is_none_or(|l| l.gso_max_segs != 1) {
        cs.push(Step::Run(Cmd::ip_in(
            w.netns,
            &["link", "set", w.dev, "gso_max_segs", "1"],
        )));
    }
    if let Some(v4) = w
        .ipv4
        .as_ref()
        .filter(|v4| eth.is_none_or(|l| !l.ipv4.contains(v4)))
    {
        cs.push(Step::Run(Cmd::ip_in(
            w.netns,
            &["addr", "add", v4, "dev", w.dev],
        )));
        renewed = true;
    }
    if let Some(v6) = w
        .ipv6
        .as_ref()
        .filter(|v6| eth.is_none_or(|l| !l.ipv6.contains(v6)))
    {
        cs.push(Step::Run(sysctl_ipv6_on(w.netns, w.dev)));
        cs.push(Step::Run(Cmd::ip_in(
            w.netns,
            &["addr", "add", v6, "dev", w.dev, "nodad"],
        )));
        renewed = true;
    }
    if eth.is_none_or(|l| !l.up) {
        cs.push(Step::Run(Cmd::ip_in(
            w.netns,
            &["link", "set", w.dev, "up"],
        )));
    }
    if let Some(m) = w.mtu.filter(|&m| mtu_of(port) != m) {
        cs.push(Step::Run(Cmd::ip_in(
            w.switch_ns,
            &["link", "set", w.port, "mtu", &m.to_string()],
        )));
    }
    if port.is_none_or(|l| !l.up) {
        cs.push(Step::Run(Cmd::ip_in(
            w.switch_ns,
            &["link", "set", w.port, "up"],
        )));
    }
    let has = |gw: &String| {
        obs.namespaces
            .get(w.netns)
            .is_some_and(|n| n.gateways.contains(gw))
    };
    for gw in &w.gateways {
        if renewed || !has(gw) {
            let mut args = vec!["route", "replace", "default", "via", gw.as_str()];
            if gw.contains(':') {
                args.insert(0, "-6");
            }
            cs.push(Step::Run(Cmd::ip_in(w.netns, &args)));
        }
    }
}

/// True when something of the routed lab (R, S or the 10.0.4 link's switch) exists.
pub fn is_routed(topo: &Topology, obs: &Observed) -> bool {
    topo.routed_namespaces()
        .iter()
        .any(|n| obs.namespaces.contains_key(n))
}

/// The steps that make `topo` exist as wanted, given what `obs` says exists (the plain lab).
pub fn plan_up(topo: &Topology, mode: &SwitchMode, obs: &Observed) -> Vec<Step> {
    plan_lab(topo, mode, None, obs)
}

/// The steps that make `topo` exist as wanted — the plain lab with its switch in `lan` mode,
/// and with `routed` the router, the server and the 10.0.4 link — given what `obs` says
/// exists. Without `routed`, what exists of the routed lab is not looked at.
pub fn plan_lab(
    topo: &Topology,
    lan: &SwitchMode,
    routed: Option<&Routed>,
    obs: &Observed,
) -> Vec<Step> {
    plan_lab_extra(topo, lan, routed, Extra::default(), obs)
}

/// What a caller adds to the routed lab (the services' host D): steps that run once R and S
/// are cabled, before the switches are set up, and more ports of the 10.0.4 link's switch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    /// Steps after R and S (a host's namespace and cable).
    pub hosts: Vec<Step>,
    /// Ports of the 10.0.4 link's switch besides R's and S's.
    pub wan_ports: Vec<String>,
}

/// [`plan_lab`] with `extra` in the routed lab (ignored without `routed`).
pub fn plan_lab_extra(
    topo: &Topology,
    lan: &SwitchMode,
    routed: Option<&Routed>,
    extra: Extra,
    obs: &Observed,
) -> Vec<Step> {
    let mut steps = Vec::new();
    let sw = topo.switch_ns();
    let sw_new = !obs.namespaces.contains_key(&sw);

    // The switch namespace.
    if sw_new {
        steps.push(Step::Note(format!(
            "the switch: network namespace {sw} (IPv6 off: the labs are about IPv4)"
        )));
        steps.push(Step::Run(Cmd::new("ip", &["netns", "add", &sw])));
        steps.push(Step::Run(sysctl_no_ipv6(&sw)));
    }

    // The computers and their cables.
    for c in topo.computers() {
        let mut cs = Vec::new();
        if !obs.namespaces.contains_key(&c.netns) {
            cs.push(Step::Run(Cmd::new("ip", &["netns", "add", &c.netns])));
            if routed.is_none() {
                cs.push(Step::Run(sysctl_no_ipv6(&c.netns)));
            }
            cs.push(Step::Run(Cmd::ip_in(
                &c.netns,
                &["link", "set", "lo", "up"],
            )));
        }
        let cidr = c.cidr();
        let ipv6 = format!("{}/{}", c.ipv6(), Topology::PREFIX6);
        plan_wire(
            &Wire {
                netns: &c.netns,
                dev: Topology::DEV,
                mac: c.mac,
                ipv4: Some(cidr.clone()),
                ipv6: routed.map(|_| ipv6.clone()),
                switch_ns: &sw,
                port: &c.port,
                mtu: None,
                gateways: match routed {
                    Some(_) => vec![
                        Topology::GATEWAY.to_string(),
                        Topology::GATEWAY6.to_string(),
                    ],
                    None => Vec::new(),
                },
            },
            obs,
            &mut cs,
        );
        if !cs.is_empty() {
            let (v6_part, gw_part) = match routed {
                Some(_) => (
                    format!(" and {ipv6}"),
                    format!(
                        ", default gateway R: {} and {}",
                        Topology::GATEWAY,
                        Topology::GATEWAY6
                    ),
                ),
                None => (String::new(), String::new()),
            };
            steps.push(Step::Note(format!(
                "computer {}: namespace {}, {cidr}{v6_part} on {}, cabled to switch port {}{gw_part} \
                 (on a Pi: `ifconfig eth0 {cidr} up`)",
                c.letter,
                c.netns,
                Topology::DEV,
                c.port,
            )));
            steps.extend(cs);
        }
    }

    if let Some(r) = routed {
        plan_routed(topo, r, obs, &mut steps);
        steps.extend(extra.hosts);
    }

    let lan_ports = topo.lan_ports(routed.is_some());
    steps.extend(plan_switch(topo, SwitchSide::Lan, &lan_ports, lan, obs));
    if let Some(r) = routed {
        let mut wan_ports = topo.wan_ports();
        wan_ports.extend(extra.wan_ports);
        steps.extend(plan_switch(topo, SwitchSide::Wan, &wan_ports, &r.wan, obs));
    }
    steps
}

/// Router R, the 10.0.4 link's switch namespace and server S, with their cables.
fn plan_routed(topo: &Topology, r: &Routed, obs: &Observed, steps: &mut Vec<Step>) {
    let rns = topo.router_ns();
    let mut rs = Vec::new();
    if !obs.namespaces.contains_key(&rns) {
        rs.push(Step::Run(Cmd::new("ip", &["netns", "add", &rns])));
        rs.push(Step::Run(Cmd::ip_in(&rns, &["link", "set", "lo", "up"])));
    }
    let now = obs.namespaces.get(&rns).map(|n| &n.sysctls);
    let want = topo.sysctls_of(&rns);
    if want
        .iter()
        .any(|(k, v)| now.and_then(|m| m.get(*k)).map(String::as_str) != Some(*v))
    {
        let settings: Vec<String> = want.iter().map(|(k, v)| format!("{k}={v}")).collect();
        rs.push(Step::Run(sysctl_in(&rns, &settings)));
    }
    if !rs.is_empty() {
        steps.push(Step::Note(format!(
            "router R: namespace {rns}, forwarding IPv4 and IPv6, sending its ICMP errors \
             (Time Exceeded …) without a rate limit (on a Linux router: `sysctl -w \
             net.ipv4.ip_forward=1`)"
        )));
        steps.append(&mut rs);
    }
    let sw4 = topo.wan_switch_ns();
    let sns = topo.server_ns();
    let wan_v6 = r.wan_ipv6();
    for nic in topo.routed_nics() {
        let mut cs = Vec::new();
        if nic.switch_ns == sw4 && !obs.namespaces.contains_key(&sw4) && nic.letter == 'R' {
            steps.push(Step::Note(format!(
                "the 10.0.4.0/24 link's switch: network namespace {sw4} (IPv6 off in the \
                 switch itself; it forwards the hosts' IPv6)"
            )));
            steps.push(Step::Run(Cmd::new("ip", &["netns", "add", &sw4])));
            steps.push(Step::Run(sysctl_no_ipv6(&sw4)));
        }
        if nic.netns == sns && !obs.namespaces.contains_key(&sns) {
            cs.push(Step::Run(Cmd::new("ip", &["netns", "add", &sns])));
            cs.push(Step::Run(Cmd::ip_in(&sns, &["link", "set", "lo", "up"])));
        }
        if nic.netns == sns {
            let now = obs.namespaces.get(&sns).map(|n| &n.sysctls);
            let want = topo.sysctls_of(&sns);
            if want
                .iter()
                .any(|(k, v)| now.and_then(|m| m.get(*k)).map(String::as_str) != Some(*v))
            {
                let settings: Vec<String> = want.iter().map(|(k, v)| format!("{k}={v}")).collect();
                cs.push(Step::Run(sysctl_in(&sns, &settings)));
            }
        }
        let v4 = format!("{}/{}", nic.ip, Topology::PREFIX);
        let v6 = format!("{}/{}", nic.ipv6, Topology::PREFIX6);
        let has_v6 = !nic.wan || wan_v6;
        let mut gateways = Vec::new();
        if nic.letter == 'S' {
            gateways.push(Topology::WAN_GATEWAY.to_string());
            if has_v6 {
                gateways.push(Topology::WAN_GATEWAY6.to_string());
            }
        }
        plan_wire(
            &Wire {
                netns: &nic.netns,
                dev: &nic.dev,
                mac: nic.mac,
                ipv4: Some(v4.clone()),
                ipv6: has_v6.then(|| v6.clone()),
                switch_ns: &nic.switch_ns,
                port: &nic.port,
                mtu: nic.wan.then_some(r.mtu),
                gateways,
            },
            obs,
            &mut cs,
        );
        if !cs.is_empty() {
            let who = if nic.letter == 'S' {
                format!("server S: namespace {}, ", nic.netns)
            } else {
                "router R: ".to_string()
            };
            let v6_part = if has_v6 {
                format!(" and {v6}")
            } else {
                format!(
                    " (no IPv6 here: it needs an MTU of at least {})",
                    Routed::IPV6_MIN_MTU
                )
            };
            let mtu_part = if nic.wan {
                format!(", MTU {}", r.mtu)
            } else {
                String::new()
            };
            let gw_part = if nic.letter == 'S' {
                match has_v6 {
                    true => format!(
                        ", default gateway R: {} and {}",
                        Topology::WAN_GATEWAY,
                        Topology::WAN_GATEWAY6
                    ),
                    false => format!(", default gateway R: {}", Topology::WAN_GATEWAY),
                }
            } else {
                String::new()
            };
            steps.push(Step::Note(format!(
                "{who}{v4}{v6_part} on {}{mtu_part}, cabled to port {} of {}{gw_part}",
                nic.dev, nic.port, nic.switch_ns
            )));
            steps.extend(cs);
        }
    }
}

/// The steps that make one switch what `mode` says, joining `ports`.
fn plan_switch(
    topo: &Topology,
    side: SwitchSide,
    ports: &[String],
    mode: &SwitchMode,
    obs: &Observed,
) -> Vec<Step> {
    let sw = side.netns(topo);
    let label = match side {
        SwitchSide::Lan => "the switch",
        SwitchSide::Wan => "the 10.0.4.0/24 link's switch",
    };
    let procs: &[ProcState] = obs
        .namespaces
        .get(&sw)
        .map(|s| s.procs.as_slice())
        .unwrap_or(&[]);
    let bridge = obs.link(&sw, Topology::BRIDGE);
    let mut ss = Vec::new();
    match mode {
        SwitchMode::Bridge => {
            for p in procs.iter().filter(|p| p.is_switch()) {
                ss.push(Step::Stop {
                    pid: p.pid,
                    what: "the user-space switch".into(),
                });
            }
            if bridge.is_none() {
                ss.push(Step::Run(Cmd::ip_in(
                    &sw,
                    // No multicast snooping: multicast floods, as on a plain learning bridge,
                    // and the bridge sends no IGMP of its own into the captures.
                    &[
                        "link",
                        "add",
                        Topology::BRIDGE,
                        "type",
                        "bridge",
                        "mcast_snooping",
                        "0",
                    ],
                )));
            }
            if bridge.is_none_or(|b| !b.up) {
                ss.push(Step::Run(Cmd::ip_in(
                    &sw,
                    &["link", "set", Topology::BRIDGE, "up"],
                )));
            }
            for p in ports {
                let port = obs.link(&sw, p);
                if port.is_none_or(|l| l.master.as_deref() != Some(Topology::BRIDGE)) {
                    ss.push(Step::Run(Cmd::ip_in(
                        &sw,
                        &["link", "set", p, "master", Topology::BRIDGE],
                    )));
                }
            }
            if !ss.is_empty() {
                ss.insert(
                    0,
                    Step::Note(format!(
                        "{label}: kernel bridge {} joining {} (it learns which MAC is behind \
                         which port, like the lab's switch)",
                        Topology::BRIDGE,
                        ports.join(", ")
                    )),
                );
            }
        }
        SwitchMode::UserSpace(imp) => {
            if bridge.is_some() {
                ss.push(Step::Run(Cmd::ip_in(
                    &sw,
                    &["link", "del", Topology::BRIDGE],
                )));
            }
            let want = topo.switch_args_for(ports, imp, side.stats_file());
            let running: Vec<&ProcState> = procs.iter().filter(|p| p.is_switch()).collect();
            let same = running.len() == 1
                && running[0].switch_args() == Some(want.as_slice())
                && bridge.is_none();
            if !same {
                for p in running {
                    ss.push(Step::Stop {
                        pid: p.pid,
                        what: "the previous user-space switch".into(),
                    });
                }
                ss.push(Step::StartSwitch {
                    netns: sw.clone(),
                    log: side.log_file().to_string(),
                    args: want,
                });
            }
            if !ss.is_empty() {
                ss.insert(
                    0,
                    Step::Note(format!(
                        "{label}: wirelab's user-space switch in {sw} (learns MACs like a \
                         bridge; {})",
                        describe(imp)
                    )),
                );
            }
        }
    }
    ss
}

/// The impairments in words: `delay 20ms ± 2ms, loss 1%, 10mbit, queue 64 frames, seed 1`.
pub fn describe(imp: &Impairments) -> String {
    use super::units::{BitRate, Millis};
    let mut parts = vec![format!("delay {}", Millis(imp.delay))];
    if !imp.jitter.is_zero() {
        parts[0].push_str(&format!(" ± {}", Millis(imp.jitter)));
    }
    parts.push(format!("loss {}", imp.loss));
    match imp.rate {
        Some(r) => parts.push(format!(
            "rate {} with a queue of {} frames",
            BitRate(r),
            imp.queue
        )),
        None => parts.push("no rate limit".into()),
    }
    parts.push(format!("seed {}", imp.seed));
    parts.join(", ")
}

/// The steps that remove everything of the lab that `obs` says exists: the processes in its
/// namespaces first (TERM, then KILL), then the namespaces (their veth pairs go with them).
pub fn plan_down(topo: &Topology, obs: &Observed) -> Vec<Step> {
    let mut steps = Vec::new();
    // Computers first, then router and server, the switches last (their processes go with
    // their namespaces).
    let mut order: Vec<String> = topo.computers().into_iter().map(|c| c.netns).collect();
    order.extend([topo.dhcp_client_ns(), topo.router_ns(), topo.server_ns()]);
    order.extend([topo.wan_switch_ns(), topo.switch_ns()]);
    for ns in order {
        let Some(state) = obs.namespaces.get(&ns) else {
            continue;
        };
        steps.push(Step::Note(format!(
            "remove {ns}{}",
            if state.procs.is_empty() {
                String::new()
            } else {
                format!(
                    " and stop the {} process{} running in it",
                    state.procs.len(),
                    if state.procs.len() == 1 { "" } else { "es" }
                )
            }
        )));
        // A server's main process before its workers (nginx would start new ones).
        let mut procs: Vec<&ProcState> = state.procs.iter().collect();
        procs.sort_by_key(|p| !p.is_server_master());
        for p in procs {
            steps.push(Step::Stop {
                pid: p.pid,
                what: p.command_line(),
            });
        }
        steps.push(Step::Run(Cmd::new("ip", &["netns", "del", &ns])));
    }
    // The hosts' /etc/netns directories (their resolv.conf).
    for d in &obs.etc_netns {
        steps.push(Step::Run(Cmd::new("rm", &["-r", d])));
    }
    steps
}

#[cfg(test)]
pub(crate) mod tests;

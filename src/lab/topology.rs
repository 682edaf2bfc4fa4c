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

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

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

    /// Where the lab keeps its switch's log and counters.
    pub fn state_dir(&self) -> String {
        format!("/run/wirelab/lab-{}", self.name)
    }

    /// The arguments (after the program) of the user-space switch for `imp`.
    pub fn switch_args(&self, imp: &Impairments) -> Vec<String> {
        let mut v: Vec<String> = ["lab", "switch"].map(String::from).to_vec();
        for c in self.computers() {
            v.push("--port".into());
            v.push(c.port);
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
        v.push(format!("{}/switch.json", self.state_dir()));
        v
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
        if let Some(first) = self.argv.first() {
            words[0] = shell_quote(first.rsplit('/').next().unwrap_or(first));
        }
        words.join(" ")
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
}

/// What exists of a lab: its namespaces (by name) and what is in them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Namespaces of this lab that exist.
    pub namespaces: BTreeMap<String, NsState>,
}

impl Observed {
    /// True when nothing of the lab exists.
    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
    }

    fn link(&self, ns: &str, dev: &str) -> Option<&LinkState> {
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
    /// Start the user-space switch in the background in the switch namespace (the program is
    /// filled in by the executor: this binary). Waits until it is forwarding.
    StartSwitch {
        /// Its arguments after the program.
        args: Vec<String>,
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

fn sysctl_no_ipv6(ns: &str) -> Cmd {
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

/// The steps that make `topo` exist as wanted, given what `obs` says exists.
pub fn plan_up(topo: &Topology, mode: &SwitchMode, obs: &Observed) -> Vec<Step> {
    let mut steps = Vec::new();
    let sw = topo.switch_ns();
    let sw_state = obs.namespaces.get(&sw);
    let sw_new = sw_state.is_none();

    // The switch namespace.
    let mut sw_steps = Vec::new();
    if sw_new {
        sw_steps.push(Step::Run(Cmd::new("ip", &["netns", "add", &sw])));
        sw_steps.push(Step::Run(sysctl_no_ipv6(&sw)));
    }
    if !sw_steps.is_empty() {
        steps.push(Step::Note(format!(
            "the switch: network namespace {sw} (IPv6 off: the labs are about IPv4)"
        )));
        steps.extend(sw_steps);
    }

    // The computers and their cables.
    for c in topo.computers() {
        let mut cs = Vec::new();
        let ns_new = !obs.namespaces.contains_key(&c.netns);
        if ns_new {
            cs.push(Step::Run(Cmd::new("ip", &["netns", "add", &c.netns])));
            cs.push(Step::Run(sysctl_no_ipv6(&c.netns)));
            cs.push(Step::Run(Cmd::ip_in(
                &c.netns,
                &["link", "set", "lo", "up"],
            )));
        }
        let eth = obs.link(&c.netns, Topology::DEV);
        let port = obs.link(&sw, &c.port);
        let cable_ok = eth.is_some_and(|l| l.kind == "veth") && port.is_some();
        let (eth, port) = if cable_ok {
            (eth, port)
        } else {
            // Half a cable (after a crash) is removed before a new one is made.
            if port.is_some() {
                cs.push(Step::Run(Cmd::ip_in(&sw, &["link", "del", &c.port])));
            }
            if eth.is_some() {
                cs.push(Step::Run(Cmd::ip_in(
                    &c.netns,
                    &["link", "del", Topology::DEV],
                )));
            }
            cs.push(Step::Run(Cmd::ip_in(
                &sw,
                &[
                    "link",
                    "add",
                    &c.port,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    Topology::DEV,
                    "netns",
                    &c.netns,
                ],
            )));
            (None, None)
        };
        let mac = crate::analyse::mac(&c.mac);
        if eth.is_none_or(|l| l.mac != mac) {
            cs.push(Step::Run(Cmd::ip_in(
                &c.netns,
                &["link", "set", Topology::DEV, "address", &mac],
            )));
        }
        if eth.is_none_or(|l| l.gso_max_segs != 1) {
            cs.push(Step::Run(Cmd::ip_in(
                &c.netns,
                &["link", "set", Topology::DEV, "gso_max_segs", "1"],
            )));
        }
        let cidr = c.cidr();
        if eth.is_none_or(|l| !l.ipv4.contains(&cidr)) {
            cs.push(Step::Run(Cmd::ip_in(
                &c.netns,
                &["addr", "add", &cidr, "dev", Topology::DEV],
            )));
        }
        if eth.is_none_or(|l| !l.up) {
            cs.push(Step::Run(Cmd::ip_in(
                &c.netns,
                &["link", "set", Topology::DEV, "up"],
            )));
        }
        if port.is_none_or(|l| !l.up) {
            cs.push(Step::Run(Cmd::ip_in(&sw, &["link", "set", &c.port, "up"])));
        }
        if !cs.is_empty() {
            steps.push(Step::Note(format!(
                "computer {}: namespace {}, {cidr} on {}, cabled to switch port {} \
                 (on a Pi: `ifconfig eth0 {cidr} up`)",
                c.letter,
                c.netns,
                Topology::DEV,
                c.port,
            )));
            steps.extend(cs);
        }
    }

    // The switch itself.
    let procs: &[ProcState] = sw_state.map(|s| s.procs.as_slice()).unwrap_or(&[]);
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
            for c in topo.computers() {
                let port = obs.link(&sw, &c.port);
                if port.is_none_or(|p| p.master.as_deref() != Some(Topology::BRIDGE)) {
                    ss.push(Step::Run(Cmd::ip_in(
                        &sw,
                        &["link", "set", &c.port, "master", Topology::BRIDGE],
                    )));
                }
            }
            if !ss.is_empty() {
                steps.push(Step::Note(format!(
                    "the switch: kernel bridge {} joining {} (it learns which MAC is behind \
                     which port, like the lab's switch)",
                    Topology::BRIDGE,
                    topo.computers()
                        .iter()
                        .map(|c| c.port.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        SwitchMode::UserSpace(imp) => {
            if bridge.is_some() {
                ss.push(Step::Run(Cmd::ip_in(
                    &sw,
                    &["link", "del", Topology::BRIDGE],
                )));
            }
            let want = topo.switch_args(imp);
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
                ss.push(Step::StartSwitch { args: want });
            }
            if !ss.is_empty() {
                steps.push(Step::Note(format!(
                    "the switch: wirelab's user-space switch in {sw} (learns MACs like a bridge; {})",
                    describe(imp)
                )));
            }
        }
    }
    steps.extend(ss);
    steps
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
    // Computers first, the switch last (its process goes with its namespace).
    let mut order = topo.namespaces();
    order.rotate_left(1);
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
        for p in &state.procs {
            steps.push(Step::Stop {
                pid: p.pid,
                what: p.command_line(),
            });
        }
        steps.push(Step::Run(Cmd::new("ip", &["netns", "del", &ns])));
    }
    steps
}

#[cfg(test)]
mod tests;

//! Network namespaces joined by veth pairs, the virtual lab, and tcpdump as an independent
//! witness of what crossed the wire. Everything is a guard: Drop deletes the namespace
//! (killing what still runs inside it first), brings the lab down, or stops tcpdump, even
//! when the test panics. Namespace names start with `wl` and carry the pid and a counter, so
//! parallel runs never collide and `.ci/run` can check that nothing is left behind. Nothing
//! is ever added to the root namespace. Creating one needs root: [`super::require`] it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use super::proc::{Proc, WAIT};
use super::{BIN, run};

fn ip(args: &[&str]) {
    run(Command::new("ip").args(args));
}

static NEXT: AtomicUsize = AtomicUsize::new(0);
/// A network namespace made by the test; Drop kills what runs in it and deletes it.
pub struct Netns {
    /// Its name.
    pub name: String,
}

impl Netns {
    /// Creates `wl<tag>-<pid>-<n>` with its loopback up.
    pub fn new(tag: &str) -> Netns {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let name = format!("wl{tag}-{}-{n}", std::process::id());
        ip(&["netns", "add", &name]);
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// Runs `ip ARGS` inside the namespace.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        ip(&all);
    }

    /// A command that runs `program` inside the namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name, program]);
        cmd
    }

    /// A command that runs the wirelab binary inside the namespace.
    pub fn wirelab(&self) -> Command {
        self.command(BIN)
    }

    /// Adds an address (CIDR) to `dev` and brings it up.
    pub fn addr(&self, dev: &str, cidr: &str) {
        self.ip(&["addr", "add", cidr, "dev", dev]);
        self.ip(&["link", "set", dev, "up"]);
    }

    /// Writes a sysctl inside the namespace (e.g. `net.ipv4.ip_forward`, `1`).
    pub fn sysctl(&self, key: &str, value: &str) {
        run(self
            .command("sysctl")
            .args(["-q", "-w", &format!("{key}={value}")]));
    }

    /// The MAC address of `dev`.
    pub fn mac(&self, dev: &str) -> String {
        let out = run(self
            .command("cat")
            .arg(format!("/sys/class/net/{dev}/address")));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Ok(out) = Command::new("ip")
            .args(["netns", "pids", &self.name])
            .output()
        {
            for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-KILL", pid]).status();
            }
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// Joins `a` and `b` with a veth pair: `dev_a` in `a`, `dev_b` in `b`, both up.
pub fn veth(a: &Netns, dev_a: &str, b: &Netns, dev_b: &str) {
    a.ip(&[
        "link", "add", dev_a, "type", "veth", "peer", "name", dev_b, "netns", &b.name,
    ]);
    a.ip(&["link", "set", dev_a, "up"]);
    b.ip(&["link", "set", dev_b, "up"]);
}

/// The usual two-host LAN: `server` (10.0.3.1/24 on `eth0`) and `client` (10.0.3.2/24 on
/// `eth0`) joined by one veth pair. Drop removes both namespaces.
pub struct Lan {
    /// The server's namespace.
    pub server: Netns,
    /// The client's namespace.
    pub client: Netns,
}

impl Lan {
    /// The server's address.
    pub const SERVER: &'static str = "10.0.3.1";
    /// The client's address.
    pub const CLIENT: &'static str = "10.0.3.2";
    /// The interface name on both sides.
    pub const DEV: &'static str = "eth0";

    /// Creates the LAN; `tag` names the namespaces (`wl<tag>s-…`, `wl<tag>c-…`).
    pub fn new(tag: &str) -> Lan {
        let server = Netns::new(&format!("{tag}s"));
        let client = Netns::new(&format!("{tag}c"));
        veth(&server, Self::DEV, &client, Self::DEV);
        server.addr(Self::DEV, "10.0.3.1/24");
        client.addr(Self::DEV, "10.0.3.2/24");
        Lan { server, client }
    }
}

/// tcpdump writing a pcap inside a namespace, as an independent witness of what crossed the
/// wire; Drop kills it.
pub struct Tcpdump {
    proc: Proc,
    /// Where the capture is written.
    pub path: PathBuf,
}

impl Tcpdump {
    /// Starts `tcpdump --immediate-mode -U -i DEV -w PATH [FILTER…]` in `ns` and waits until it
    /// listens.
    pub fn start(ns: &Netns, dev: &str, path: &Path, filter: &[&str]) -> Tcpdump {
        let mut cmd = ns.command("tcpdump");
        cmd.args(["--immediate-mode", "-U", "-n", "-i", dev, "-w"])
            .arg(path)
            .args(filter);
        let proc = Proc::spawn("tcpdump", cmd);
        proc.wait_for("listening on");
        Tcpdump {
            proc,
            path: path.to_owned(),
        }
    }

    /// Stops it with SIGINT (it flushes and closes the file) and returns the file's path.
    pub fn stop(mut self) -> PathBuf {
        // Let the last frames reach the socket before stopping.
        thread::sleep(Duration::from_millis(200));
        self.proc.signal("INT");
        let _ = self.proc.wait_exit_within(WAIT);
        self.path.clone()
    }
}

/// A process id that is still running (not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(|st| st != "Z"))
        })
        .unwrap_or(false)
}

/// Every network namespace whose name starts with `prefix`.
pub fn namespaces_with(prefix: &str) -> Vec<String> {
    let out = run(Command::new("ip").args(["netns", "list"]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

/// The pids running in namespace `ns`.
pub fn pids_in(ns: &str) -> Vec<u32> {
    Command::new("ip")
        .args(["netns", "pids", ns])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .filter(|&p| alive(p))
                .collect()
        })
        .unwrap_or_default()
}

/// A virtual lab of its own (`wirelab lab up --name t<pid>x<n>`), so tests never touch a
/// student's lab or each other's. Drop runs `lab down` and then removes by hand anything of
/// the lab still there (killing what runs in it), even when the test failed.
pub struct Lab {
    /// The lab's name (namespaces `wl<name>-A`, … `wl<name>-sw`).
    pub name: String,
}

impl Lab {
    /// A unique lab name, not brought up yet.
    pub fn unique() -> Lab {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        Lab {
            name: format!("t{}x{n}", std::process::id()),
        }
    }

    /// A unique lab, brought up with `lab up ARGS` (panics if that fails).
    pub fn up(args: &[&str]) -> Lab {
        let lab = Lab::unique();
        let out = lab
            .cmd("up", args)
            .output()
            .expect("running wirelab lab up");
        assert!(
            out.status.success(),
            "lab up failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        lab
    }

    /// `wirelab lab SUB --name NAME ARGS…`.
    pub fn cmd(&self, sub: &str, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(["lab", sub, "--name", &self.name]).args(args);
        c
    }

    /// `wirelab lab exec --name NAME -q LETTER -- CMD…`.
    pub fn exec(&self, letter: &str, cmd: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(["lab", "exec", "--name", &self.name, "-q", letter, "--"])
            .args(cmd);
        c
    }

    /// The namespace of computer `letter` (or `sw`).
    pub fn ns(&self, letter: &str) -> String {
        format!("wl{}-{letter}", self.name)
    }

    /// Every namespace of this lab that exists.
    pub fn namespaces(&self) -> Vec<String> {
        namespaces_with(&format!("wl{}-", self.name))
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.cmd("down", &[]).output();
        for ns in self.namespaces() {
            for pid in pids_in(&ns) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
            let _ = Command::new("ip").args(["netns", "del", &ns]).status();
        }
        let _ = std::fs::remove_dir_all(format!("/run/wirelab/lab-{}", self.name));
        // The services' resolv.conf of each host (`lab up --services`).
        for l in ["A", "B", "C", "D"] {
            let _ = std::fs::remove_dir_all(format!("/etc/netns/{}", self.ns(l)));
        }
    }
}

impl Tcpdump {
    /// Like [`Tcpdump::start`], in the namespace called `ns` (a lab's computer).
    pub fn start_in(ns: &str, dev: &str, path: &Path, filter: &[&str]) -> Tcpdump {
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns",
            "exec",
            ns,
            "tcpdump",
            "--immediate-mode",
            "-U",
            "-n",
            "-i",
            dev,
            "-w",
        ])
        .arg(path)
        .args(filter);
        let proc = Proc::spawn("tcpdump", cmd);
        proc.wait_for("listening on");
        Tcpdump {
            proc,
            path: path.to_owned(),
        }
    }
}

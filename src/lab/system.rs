//! The lab on this machine: reads what exists (`ip -j`, `ip netns pids`, `/proc`) and runs the
//! steps of a plan, printing each command before it runs so a student sees what happens.
//!
//! This is the only part of `lab` that runs programs. Every command is printed as a shell
//! would read it (`$ ip -n wllab-A addr add 10.0.3.1/24 dev eth0`); a failing one stops the
//! plan with its error output and what to do next.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::topology::{Cmd, LinkState, NsState, Observed, ProcState, Step, SwitchSide, Topology};

/// How long `lab up` waits for the user-space switch to start forwarding.
pub const SWITCH_START: Duration = Duration::from_secs(10);

/// How long a stopped process gets between TERM and KILL.
pub const STOP_GRACE: Duration = Duration::from_secs(2);

/// Why the lab could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    /// Not running as root.
    #[error(
        "`wirelab lab {what}` needs root: it manages network namespaces (the virtual computers and \
         their cables). Run it with sudo: sudo wirelab lab {what}"
    )]
    NotRoot {
        /// The subcommand.
        what: &'static str,
    },
    /// The `ip` program is missing.
    #[error(
        "the `ip` command is missing (package iproute2): install it with `sudo apt install iproute2`"
    )]
    NoIp,
    /// A command failed.
    #[error("`{cmd}` failed: {stderr}{hint}")]
    Failed {
        /// The command.
        cmd: String,
        /// What it printed on stderr.
        stderr: String,
        /// What to do next (starts with a newline, or is empty).
        hint: String,
    },
    /// The user-space switch did not start.
    #[error("the user-space switch did not start: {0}")]
    Switch(String),
    /// Anything else.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// What the system said.
        source: io::Error,
    },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> SystemError {
    let what = what.into();
    move |source| SystemError::Io { what, source }
}

/// True when this process runs with effective user id 0.
pub fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// Fails with [`SystemError::NotRoot`] unless root.
pub fn require_root(what: &'static str) -> Result<(), SystemError> {
    if is_root() {
        Ok(())
    } else {
        Err(SystemError::NotRoot { what })
    }
}

fn output(cmd: &mut Command) -> Result<String, SystemError> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            SystemError::NoIp
        } else {
            SystemError::Io {
                what: format!("running {shown}"),
                source: e,
            }
        }
    })?;
    if !out.status.success() {
        return Err(SystemError::Failed {
            cmd: shown,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            hint: String::new(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The names of every network namespace (`ip netns list`).
pub fn list_namespaces() -> Result<Vec<String>, SystemError> {
    let text = output(Command::new("ip").args(["netns", "list"]))?;
    Ok(parse_netns_list(&text))
}

/// Parses `ip netns list` output (`name (id: 3)` or `name` per line).
pub fn parse_netns_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Parses `ip -j -d addr show` into interfaces by name.
pub fn parse_links(json: &str) -> Result<BTreeMap<String, LinkState>, serde_json::Error> {
    let v: Vec<serde_json::Value> = serde_json::from_str(json.trim())?;
    let mut out = BTreeMap::new();
    for l in v {
        let Some(name) = l["ifname"].as_str() else {
            continue;
        };
        let flags: Vec<&str> = l["flags"]
            .as_array()
            .map(|a| a.iter().filter_map(|f| f.as_str()).collect())
            .unwrap_or_default();
        let ipv4 = l["addr_info"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|x| x["family"] == "inet")
                    .filter_map(|x| Some(format!("{}/{}", x["local"].as_str()?, x["prefixlen"])))
                    .collect()
            })
            .unwrap_or_default();
        let ipv6 = l["addr_info"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|x| x["family"] == "inet6")
                    .filter_map(|x| Some(format!("{}/{}", x["local"].as_str()?, x["prefixlen"])))
                    .collect()
            })
            .unwrap_or_default();
        out.insert(
            name.to_string(),
            LinkState {
                mac: l["address"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
                up: flags.contains(&"UP"),
                master: l["master"].as_str().map(str::to_string),
                kind: l["linkinfo"]["info_kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                ipv4,
                gso_max_segs: l["gso_max_segs"].as_u64().unwrap_or(0) as u32,
                ipv6,
                mtu: l["mtu"].as_u64().unwrap_or(0) as u32,
            },
        );
    }
    Ok(out)
}

/// The processes whose network namespace is `ns`, with their command lines.
pub fn namespace_procs(ns: &str) -> Result<Vec<ProcState>, SystemError> {
    let text = output(Command::new("ip").args(["netns", "pids", ns]))?;
    let me = std::process::id();
    Ok(text
        .split_whitespace()
        .filter_map(|p| p.parse::<u32>().ok())
        .filter(|&pid| pid != me && alive(pid))
        .map(|pid| ProcState {
            pid,
            argv: fs::read(format!("/proc/{pid}/cmdline"))
                .map(|b| {
                    b.split(|&c| c == 0)
                        .filter(|a| !a.is_empty())
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect())
}

/// True while `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state letter follows the command name in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// Parses `ip -j route show default` (IPv4 or IPv6): the gateways.
pub fn parse_gateways(json: &str) -> Vec<String> {
    let v: Vec<serde_json::Value> = serde_json::from_str(json.trim()).unwrap_or_default();
    v.iter()
        .filter_map(|r| r["gateway"].as_str().map(str::to_string))
        .collect()
}

/// Parses `sysctl KEY…` output (`key = value` lines).
pub fn parse_sysctls(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The default gateways (IPv4, then IPv6) of namespace `ns`.
fn gateways(ns: &str) -> Result<Vec<String>, SystemError> {
    let mut v = parse_gateways(&output(
        Command::new("ip").args(["-n", ns, "-j", "route", "show", "default"]),
    )?);
    v.extend(parse_gateways(&output(
        Command::new("ip").args(["-n", ns, "-j", "-6", "route", "show", "default"]),
    )?));
    Ok(v)
}

/// The values of `keys` in namespace `ns` (a key that is missing is left out).
fn sysctls(ns: &str, keys: &[&str]) -> BTreeMap<String, String> {
    Command::new("ip")
        .args(["netns", "exec", ns, "sysctl"])
        .args(keys)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|o| parse_sysctls(&String::from_utf8_lossy(&o.stdout)))
        .unwrap_or_default()
}

/// Reads what exists of `topo`'s lab, its routed part included.
pub fn observe(topo: &Topology) -> Result<Observed, SystemError> {
    let all = list_namespaces()?;
    let mut obs = Observed::default();
    let with_gateway: Vec<String> = topo
        .computers()
        .into_iter()
        .map(|c| c.netns)
        .chain([topo.server_ns()])
        .collect();
    for ns in topo.all_namespaces() {
        if !all.contains(&ns) {
            continue;
        }
        let json = output(Command::new("ip").args(["-n", &ns, "-j", "-d", "addr", "show"]))?;
        let links = parse_links(&json).map_err(|e| SystemError::Failed {
            cmd: format!("ip -n {ns} -j -d addr show"),
            stderr: format!("unexpected output ({e})"),
            hint: String::new(),
        })?;
        let procs = namespace_procs(&ns)?;
        let gateways = if with_gateway.contains(&ns) {
            gateways(&ns)?
        } else {
            Vec::new()
        };
        let keys: Vec<&str> = topo.sysctls_of(&ns).iter().map(|(k, _)| *k).collect();
        let sysctls = if keys.is_empty() {
            BTreeMap::new()
        } else {
            sysctls(&ns, &keys)
        };
        let nft_tables = if ns == topo.router_ns() {
            nft_tables(&ns)
        } else {
            Vec::new()
        };
        obs.namespaces.insert(
            ns,
            NsState {
                links,
                procs,
                gateways,
                sysctls,
                nft_tables,
            },
        );
    }
    for path in super::services::observed_paths(topo) {
        if let Ok(bytes) = fs::read(&path) {
            obs.files.insert(path, bytes);
        }
    }
    for (_, dir) in super::services::etc_netns_dirs(topo) {
        if Path::new(&dir).exists() {
            obs.etc_netns.push(dir);
        }
    }
    Ok(obs)
}

/// The nftables tables of namespace `ns` (`ip wirelab_nat`); none when `nft` is missing.
fn nft_tables(ns: &str) -> Vec<String> {
    Command::new("ip")
        .args(["netns", "exec", ns, "nft", "list", "tables"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|o| parse_nft_tables(&String::from_utf8_lossy(&o.stdout)))
        .unwrap_or_default()
}

/// Parses `nft list tables` (`table ip wirelab_nat` lines): `ip wirelab_nat`.
pub fn parse_nft_tables(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("table "))
        .map(|t| t.trim().to_string())
        .collect()
}

/// Runs plans, writing each note and command to `out` before it runs.
pub struct Executor<'a, W: Write> {
    out: &'a mut W,
    topo: &'a Topology,
    /// The program started for [`Step::StartSwitch`] (this binary).
    pub exe: PathBuf,
    /// TEST ONLY: the command with this number (1-based) fails, to test the clean-up.
    pub fail_at: Option<usize>,
    ran: usize,
}

impl<'a, W: Write> Executor<'a, W> {
    /// An executor for `topo` printing to `out`.
    pub fn new(topo: &'a Topology, out: &'a mut W) -> Result<Self, SystemError> {
        let exe = std::env::current_exe().map_err(io_err("finding this program's path"))?;
        Ok(Executor {
            out,
            topo,
            exe,
            fail_at: None,
            ran: 0,
        })
    }

    fn say(&mut self, line: &str) -> Result<(), SystemError> {
        writeln!(self.out, "{line}")
            .and_then(|_| self.out.flush())
            .map_err(io_err("writing the output"))
    }

    /// Runs every step in order; stops at the first failure.
    pub fn run(&mut self, steps: &[Step]) -> Result<(), SystemError> {
        for step in steps {
            match step {
                Step::Note(text) => self.say(&format!("# {text}"))?,
                Step::Run(cmd) => self.run_cmd(cmd)?,
                Step::Stop { pid, what } => self.stop(*pid, what)?,
                Step::StartSwitch { netns, log, args } => self.start_switch(netns, log, args)?,
                Step::WriteFile { path, contents } => self.write_file(path, contents)?,
                Step::Daemon { netns, argv, log } => self.daemon(netns, argv, log)?,
            }
        }
        Ok(())
    }

    fn count(&mut self, shown: &str) -> Result<(), SystemError> {
        self.ran += 1;
        if self.fail_at == Some(self.ran) {
            return Err(SystemError::Failed {
                cmd: shown.to_string(),
                stderr: "failed on purpose (--fail-at, a test option)".into(),
                hint: String::new(),
            });
        }
        Ok(())
    }

    fn run_cmd(&mut self, cmd: &Cmd) -> Result<(), SystemError> {
        let shown = cmd.to_string();
        self.say(&format!("$ {shown}"))?;
        self.count(&shown)?;
        let out = Command::new(&cmd.program)
            .args(&cmd.args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound && cmd.program == "ip" {
                    SystemError::NoIp
                } else {
                    SystemError::Io {
                        what: format!("running `{shown}`"),
                        source: e,
                    }
                }
            })?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let missing = stderr.contains("No such file") || stderr.contains("not found");
        let hint = if missing && cmd.args.iter().any(|a| a == "sysctl") {
            "\n(the `sysctl` program comes with the procps package: sudo apt install procps)"
                .to_string()
        } else if stderr.contains("Operation not permitted") {
            "\n(run it as root: sudo wirelab lab up)".to_string()
        } else {
            String::new()
        };
        Err(SystemError::Failed {
            cmd: shown,
            stderr,
            hint,
        })
    }

    fn stop(&mut self, pid: u32, what: &str) -> Result<(), SystemError> {
        let shown = format!("kill {pid}");
        self.say(&format!("$ {shown}    # {what}"))?;
        self.count(&shown)?;
        if !alive(pid) {
            return Ok(());
        }
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_GRACE;
        while alive(pid) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        if alive(pid) {
            self.say(&format!(
                "$ kill -KILL {pid}    # it did not stop within {STOP_GRACE:?}"
            ))?;
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + STOP_GRACE;
            while alive(pid) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }

    fn start_switch(&mut self, sw: &str, log: &str, args: &[String]) -> Result<(), SystemError> {
        let dir = PathBuf::from(self.topo.state_dir());
        fs::create_dir_all(&dir).map_err(io_err(format!("creating {}", dir.display())))?;
        let log_path = dir.join(log);
        let log = fs::File::create(&log_path)
            .map_err(io_err(format!("creating {}", log_path.display())))?;
        let log2 = log
            .try_clone()
            .map_err(io_err(format!("opening {}", log_path.display())))?;
        let shown = format!(
            "ip netns exec {sw} wirelab {} > {} 2>&1 &",
            args.join(" "),
            log_path.display()
        );
        self.say(&format!("$ {shown}"))?;
        self.count(&shown)?;
        let mut child = Command::new("ip")
            .args(["netns", "exec", sw])
            .arg(&self.exe)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            // Its own process group: a Ctrl-C in this terminal later does not stop the switch.
            .process_group(0)
            .spawn()
            .map_err(io_err("starting the user-space switch"))?;
        let deadline = Instant::now() + SWITCH_START;
        loop {
            let text = fs::read_to_string(&log_path).unwrap_or_default();
            if text.contains(super::switch_driver::READY) {
                return Ok(());
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(SystemError::Switch(format!(
                    "it exited ({status}) saying:\n{}",
                    text.trim()
                )));
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SystemError::Switch(format!(
                    "it was not forwarding after {SWITCH_START:?}; its log says:\n{}",
                    text.trim()
                )));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn write_file(&mut self, path: &str, contents: &[u8]) -> Result<(), SystemError> {
        let shown = format!("write {path} ({} bytes)", contents.len());
        self.say(&format!("$ {shown}"))?;
        self.count(&shown)?;
        let p = Path::new(path);
        if let Some(dir) = p.parent() {
            fs::create_dir_all(dir).map_err(io_err(format!("creating {}", dir.display())))?;
        }
        fs::write(p, contents).map_err(io_err(format!("writing {path}")))
    }

    /// Runs a server that puts itself in the background, its output appended to `log`.
    fn daemon(&mut self, netns: &str, argv: &[String], log: &str) -> Result<(), SystemError> {
        let words: Vec<String> = argv
            .iter()
            .map(|a| super::topology::shell_quote(a))
            .collect();
        let shown = format!("ip netns exec {netns} {} >> {log} 2>&1", words.join(" "));
        self.say(&format!("$ {shown}"))?;
        self.count(&shown)?;
        let Some((program, args)) = argv.split_first() else {
            return Ok(());
        };
        let log_path = Path::new(log);
        if let Some(dir) = log_path.parent() {
            fs::create_dir_all(dir).map_err(io_err(format!("creating {}", dir.display())))?;
        }
        let out = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .map_err(io_err(format!("opening {log}")))?;
        let err = out.try_clone().map_err(io_err(format!("opening {log}")))?;
        let status = Command::new("ip")
            .args(["netns", "exec", netns, program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // Its own process group: a Ctrl-C in this terminal later does not stop it.
            .process_group(0)
            .status()
            .map_err(io_err(format!("running `{shown}`")))?;
        if status.success() {
            return Ok(());
        }
        let text = fs::read_to_string(log_path).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(5).collect();
        let missing = text.contains("exec of");
        Err(SystemError::Failed {
            cmd: shown,
            stderr: tail
                .into_iter()
                .rev()
                .map(|l| l.replace(|c: char| c.is_control(), "?"))
                .collect::<Vec<_>>()
                .join("\n"),
            hint: if missing {
                format!(
                    "\n(is {program} installed? the lab's services need: sudo apt install \
                     dnsmasq-base unbound nginx-light nftables openssl)"
                )
            } else {
                String::new()
            },
        })
    }

    /// Removes the lab's state directory (switch log and counters), if any.
    pub fn remove_state(&mut self) -> Result<(), SystemError> {
        let dir = PathBuf::from(self.topo.state_dir());
        if dir.exists() {
            self.say(&format!("$ rm -r {}", dir.display()))?;
            fs::remove_dir_all(&dir).map_err(io_err(format!("removing {}", dir.display())))?;
        }
        Ok(())
    }
}

/// Reads the counters file of a user-space switch, if it is there.
pub fn read_switch_stats(topo: &Topology, side: SwitchSide) -> Option<serde_json::Value> {
    let path = Path::new(&topo.state_dir()).join(side.stats_file());
    let text = fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// A kernel bridge's learned addresses (`bridge -j fdb show`): (MAC, port) pairs.
pub fn bridge_macs(topo: &Topology, side: SwitchSide) -> Vec<(String, String)> {
    let sw = side.netns(topo);
    let Ok(text) = output(Command::new("ip").args([
        "netns",
        "exec",
        &sw,
        "bridge",
        "-j",
        "fdb",
        "show",
        "br",
        Topology::BRIDGE,
    ])) else {
        return Vec::new();
    };
    parse_fdb(&text)
}

/// Parses `bridge -j fdb show`: the learned (not permanent) entries as (MAC, port).
pub fn parse_fdb(json: &str) -> Vec<(String, String)> {
    let v: Vec<serde_json::Value> = serde_json::from_str(json.trim()).unwrap_or_default();
    let mut out: Vec<(String, String)> = v
        .iter()
        .filter(|e| e["state"].as_str() != Some("permanent"))
        .filter(|e| e["master"].as_str().is_some())
        .filter_map(|e| {
            Some((
                e["mac"].as_str()?.to_string(),
                e["ifname"].as_str()?.to_string(),
            ))
        })
        .collect();
    out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ip -j -d addr show` of a computer and of a switch, from iproute2 6.1 (trimmed).
    const COMPUTER: &str = r#"[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"address":"00:00:00:00:00:00","gso_max_segs":65535,"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},{"ifindex":2,"link_index":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"address":"02:00:00:00:03:01","linkinfo":{"info_kind":"veth"},"gso_max_segs":1,"addr_info":[{"family":"inet","local":"10.0.3.1","prefixlen":24,"scope":"global","label":"eth0"},{"family":"inet6","local":"fe80::ff:fe00:301","prefixlen":64}]}]"#;
    const SWITCH: &str = r#"[{"ifindex":2,"link_index":2,"ifname":"pA","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","LOWER_UP"],"master":"br0","address":"2E:68:62:88:b6:8f","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"},"gso_max_segs":65535,"addr_info":[]},{"ifindex":3,"ifname":"br0","flags":["NO-CARRIER","BROADCAST","MULTICAST"],"address":"2e:68:62:88:b6:8f","linkinfo":{"info_kind":"bridge"},"addr_info":[]}]"#;

    #[test]
    fn interfaces_are_read_from_ip_json() {
        let c = parse_links(COMPUTER).unwrap();
        let eth = &c["eth0"];
        assert_eq!(eth.mac, "02:00:00:00:03:01");
        assert!(eth.up);
        assert_eq!(eth.kind, "veth");
        assert_eq!(eth.ipv4, ["10.0.3.1/24"]);
        assert_eq!(eth.gso_max_segs, 1);
        let s = parse_links(SWITCH).unwrap();
        assert_eq!(s["pA"].master.as_deref(), Some("br0"));
        assert_eq!(s["pA"].mac, "2e:68:62:88:b6:8f");
        assert!(!s["br0"].up);
        assert_eq!(s["br0"].kind, "bridge");
        assert!(parse_links("not json").is_err());
    }

    #[test]
    fn namespace_list_and_learned_macs_are_parsed() {
        assert_eq!(
            parse_netns_list("wllab-B (id: 2)\nwllab-A\n\n"),
            ["wllab-B", "wllab-A"]
        );
        let fdb = r#"[{"mac":"2e:68:62:88:b6:8f","ifname":"pA","flags":[],"master":"br0","state":"permanent"},{"mac":"02:00:00:00:03:02","ifname":"pB","flags":[],"master":"br0","state":""},{"mac":"33:33:00:00:00:01","ifname":"pA","flags":["self"],"state":"permanent"},{"mac":"02:00:00:00:03:01","ifname":"pA","master":"br0"}]"#;
        assert_eq!(
            parse_fdb(fdb),
            [
                ("02:00:00:00:03:01".to_string(), "pA".to_string()),
                ("02:00:00:00:03:02".to_string(), "pB".to_string())
            ]
        );
        assert!(parse_fdb("garbage").is_empty());
    }

    #[test]
    fn gateways_mtu_ipv6_and_sysctls_are_read() {
        let c = parse_links(COMPUTER).unwrap();
        assert_eq!(c["eth0"].mtu, 1500);
        assert_eq!(c["eth0"].ipv6, ["fe80::ff:fe00:301/64"]);
        let r4 = r#"[{"dst":"default","gateway":"10.0.3.254","dev":"eth0","flags":[]}]"#;
        let r6 = r#"[{"dst":"default","gateway":"fd00:3::fe","dev":"eth0","protocol":"boot","metric":1024,"flags":[],"pref":"medium"}]"#;
        assert_eq!(parse_gateways(r4), ["10.0.3.254"]);
        assert_eq!(parse_gateways(r6), ["fd00:3::fe"]);
        assert!(parse_gateways("[]").is_empty());
        assert!(parse_gateways("junk").is_empty());
        let m = parse_sysctls("net.ipv4.ip_forward = 1\nnet.ipv6.icmp.ratelimit = 0\nnoise\n");
        assert_eq!(m["net.ipv4.ip_forward"], "1");
        assert_eq!(m["net.ipv6.icmp.ratelimit"], "0");
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn nft_tables_are_parsed() {
        let text = "table ip wirelab_nat\ntable inet filter\n\n";
        assert_eq!(parse_nft_tables(text), ["ip wirelab_nat", "inet filter"]);
        assert!(parse_nft_tables("").is_empty());
    }

    #[test]
    fn this_process_is_alive_and_a_made_up_pid_is_not() {
        assert!(alive(std::process::id()));
        assert!(!alive(u32::MAX));
    }
}

//! `wirelab lab …`: bring the virtual lab up and down, show it, run commands on its computers,
//! run its user-space switch, and answer the labs' questions from captures.

use std::io::{self, BufWriter, Write};
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::Context as _;
use comfy_table::{Table, presets};

use crate::cli::lab::{
    AnswerArgs, ExecArgs, ImpairArgs, ImpairLink, LabCommand, NameArgs, SwitchArgs, UpArgs,
};
use crate::lab::answer::{self, AnswerOptions};
use crate::lab::services::{self, Services};
use crate::lab::switch::Impairments;
use crate::lab::switch_driver::{self, DriverConfig};
use crate::lab::system::{self, Executor};
use crate::lab::topology::{self, Observed, Routed, SwitchMode, SwitchSide, Topology, plan_down};

/// Runs one `lab` subcommand.
pub fn run(cmd: LabCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        LabCommand::Up(args) => up(&args),
        LabCommand::Down(args) => down(&args),
        LabCommand::Status(args) => status(&args),
        LabCommand::Exec(args) => exec(&args),
        LabCommand::Switch(args) => switch(&args),
        LabCommand::Answer(args) => answer(&args),
    }
}

/// The lab named by `--name`, else `$WIRELAB_LAB`, else `lab`.
fn topology(args: &NameArgs) -> anyhow::Result<Topology> {
    let name = args
        .name
        .clone()
        .or_else(|| std::env::var("WIRELAB_LAB").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| topology::DEFAULT_NAME.to_string());
    Ok(Topology::new(&name)?)
}

fn impairments(a: &ImpairArgs) -> anyhow::Result<Impairments> {
    if a.jitter.0 > a.delay.0 && !a.delay.0.is_zero() {
        anyhow::bail!(
            "--jitter {} is larger than --delay {}: a frame cannot leave before it arrived; \
             use a jitter no larger than the delay (e.g. --delay 20ms --jitter 2ms)",
            a.jitter,
            a.delay
        );
    }
    if !a.jitter.0.is_zero() && a.delay.0.is_zero() {
        anyhow::bail!("--jitter needs a --delay to vary around, e.g. --delay 20ms --jitter 2ms");
    }
    if a.queue == 0 {
        anyhow::bail!("--queue 0 would drop every frame: give at least 1 (the default is 64)");
    }
    Ok(Impairments {
        delay: a.delay.0,
        jitter: a.jitter.0,
        loss: a.loss,
        rate: a.rate.map(|r| r.0),
        queue: a.queue,
        seed: a.seed,
    })
}

fn lab_flag(topo: &Topology) -> String {
    if topo.name() == topology::DEFAULT_NAME {
        String::new()
    } else {
        format!(" --name {}", topo.name())
    }
}

fn up(args: &UpArgs) -> anyhow::Result<ExitCode> {
    let topo = topology(&args.name)?;
    let imp = impairments(&args.impair)?;
    if !args.routed && args.impair_link != ImpairLink::Lan {
        anyhow::bail!(
            "--impair-link {} needs --routed: only the routed lab has the 10.0.4 link \
             (e.g. sudo wirelab lab up --routed --impair-link wan --delay 50ms)",
            if args.impair_link == ImpairLink::Wan {
                "wan"
            } else {
                "both"
            }
        );
    }
    system::require_root("up")?;
    let on_lan = args.impair_link != ImpairLink::Wan;
    let on_wan = args.impair_link != ImpairLink::Lan;
    let mode_on = |on: bool| {
        if on {
            SwitchMode::for_impairments(imp.clone(), args.user_switch)
        } else {
            SwitchMode::Bridge
        }
    };
    let mode = mode_on(on_lan);
    let routed = args.routed.then(|| Routed {
        mtu: args.mtu,
        wan: mode_on(on_wan),
    });
    let obs = system::observe(&topo)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if routed.is_none() && topology::is_routed(&topo, &obs) {
        // A plain `lab up` never takes R and S away (their captures and programs would go).
        if !imp.is_none() || args.user_switch {
            anyhow::bail!(
                "lab `{}` is routed (router R, server S): add --routed to change its switches \
                 (sudo wirelab lab up{} --routed …), or remove it first with \
                 `sudo wirelab lab down{}`",
                topo.name(),
                lab_flag(&topo),
                lab_flag(&topo)
            );
        }
        writeln!(
            out,
            "lab `{}` is routed (router R, server S): `lab up` leaves it as it is. \
             `sudo wirelab lab up{} --routed` repairs or changes it; `sudo wirelab lab down{}` \
             removes it (then `lab up` gives the plain lab).",
            topo.name(),
            lab_flag(&topo),
            lab_flag(&topo)
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let svc = args.services.then_some(Services { nat: args.nat });
    let steps = services::plan_lab_with(&topo, &mode, routed.as_ref(), svc.as_ref(), &obs);
    if steps.is_empty() {
        writeln!(
            out,
            "lab `{}` is already up as asked: nothing to do.",
            topo.name()
        )?;
        summary(&mut out, &topo, &mode, routed.as_ref(), svc.as_ref())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut exec = Executor::new(&topo, &mut out)?;
    exec.fail_at = args.fail_at;
    if let Err(err) = exec.run(&steps) {
        // Leave nothing half-built behind.
        writeln!(out, "# that failed: removing what was made")?;
        let mut cleanup = Executor::new(&topo, &mut out)?;
        let now = system::observe(&topo).unwrap_or_default();
        let removed = cleanup
            .run(&plan_down(&topo, &now))
            .and_then(|_| cleanup.remove_state());
        let tail = match removed {
            Ok(()) => "nothing was left behind".to_string(),
            Err(e) => format!(
                "and the clean-up failed too ({e}); run `sudo wirelab lab down{}`",
                lab_flag(&topo)
            ),
        };
        return Err(anyhow::Error::new(err)
            .context(format!("bringing lab `{}` up failed ({tail})", topo.name())));
    }
    summary(&mut out, &topo, &mode, routed.as_ref(), svc.as_ref())?;
    Ok(ExitCode::SUCCESS)
}

fn switch_words(mode: &SwitchMode) -> String {
    match mode {
        SwitchMode::Bridge => "a kernel bridge (no impairments)".to_string(),
        SwitchMode::UserSpace(imp) => format!("wirelab's switch ({})", topology::describe(imp)),
    }
}

fn summary(
    out: &mut impl Write,
    topo: &Topology,
    mode: &SwitchMode,
    routed: Option<&Routed>,
    svc: Option<&Services>,
) -> io::Result<()> {
    let hosts: Vec<String> = topo
        .computers()
        .iter()
        .map(|c| format!("{} {}", c.letter, c.ip))
        .collect();
    let switch = switch_words(mode);
    writeln!(
        out,
        "lab `{}` is up: {} on {switch}.",
        topo.name(),
        hosts.join(", ")
    )?;
    if let Some(r) = routed {
        writeln!(
            out,
            "Routed: router R {} / {} forwards to server S {} ({}) on {}, MTU {}{}.",
            Topology::GATEWAY,
            Topology::WAN_GATEWAY,
            Topology::SERVER,
            Topology::SERVER6,
            switch_words(&r.wan),
            r.mtu,
            if r.wan_ipv6() {
                ""
            } else {
                " (IPv4 only on that link: IPv6 needs 1280)"
            }
        )?;
        writeln!(
            out,
            "Try it:                       sudo wirelab lab exec{} A -- ping -c 1 {}",
            lab_flag(topo),
            Topology::SERVER
        )?;
    }
    if let Some(s) = svc {
        writeln!(
            out,
            "Services: DNS ({zone}) and web/TLS on S, resolver and DHCP on R{nat}; state in {dir}.",
            zone = services::ZONE,
            nat = if s.nat { ", NAT on R" } else { "" },
            dir = topo.state_dir()
        )?;
        writeln!(
            out,
            "Try them:                     sudo wirelab lab exec{f} A -- nslookup www.{zone}\n\
             \x20                             sudo wirelab lab exec{f} A -- curl -4 \
             http://gaia.{zone}/wireshark-labs/HTTP-wireshark-file1.html\n\
             \x20                             sudo wirelab lab exec{f} A -- curl -4 --cacert \
             {dir}/ca.pem https://www.{zone}/",
            f = lab_flag(topo),
            zone = services::ZONE,
            dir = topo.state_dir()
        )?;
    }
    writeln!(
        out,
        "Run a command on a computer:  sudo wirelab lab exec{} A -- wirelab tcp-server",
        lab_flag(topo)
    )?;
    writeln!(
        out,
        "See it:                       sudo wirelab lab status{}",
        lab_flag(topo)
    )?;
    writeln!(
        out,
        "Remove it:                    sudo wirelab lab down{}",
        lab_flag(topo)
    )
}

fn down(args: &NameArgs) -> anyhow::Result<ExitCode> {
    let topo = topology(args)?;
    system::require_root("down")?;
    let obs = system::observe(&topo)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let steps = plan_down(&topo, &obs);
    let state = std::path::Path::new(&topo.state_dir()).exists();
    if steps.is_empty() && !state {
        writeln!(out, "lab `{}` is not up: nothing to remove.", topo.name())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut exec = Executor::new(&topo, &mut out)?;
    exec.run(&steps)?;
    exec.remove_state()?;
    let left = system::observe(&topo)?;
    if !left.is_empty() {
        anyhow::bail!(
            "namespaces still there after removing them: {}",
            left.namespaces
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    writeln!(out, "lab `{}` is down.", topo.name())?;
    Ok(ExitCode::SUCCESS)
}

fn status(args: &NameArgs) -> anyhow::Result<ExitCode> {
    let topo = topology(args)?;
    system::require_root("status")?;
    let obs = system::observe(&topo)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if obs.is_empty() {
        writeln!(
            out,
            "lab `{}` is not up. Start it with: sudo wirelab lab up{}",
            topo.name(),
            lab_flag(&topo)
        )?;
        out.flush()?;
        return Ok(ExitCode::from(1));
    }
    let mut wanted = topo.namespaces();
    if topology::is_routed(&topo, &obs) {
        wanted.extend(topo.routed_namespaces());
    }
    let missing: Vec<String> = wanted
        .into_iter()
        .filter(|n| !obs.namespaces.contains_key(n))
        .collect();
    write_status(&mut out, &topo, &obs)?;
    if !missing.is_empty() {
        writeln!(
            out,
            "lab `{}` is only partly up (missing: {}): `sudo wirelab lab up{}` repairs it, \
             `sudo wirelab lab down{}` removes it.",
            topo.name(),
            missing.join(", "),
            lab_flag(&topo),
            lab_flag(&topo)
        )?;
        out.flush()?;
        return Ok(ExitCode::from(1));
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_status(out: &mut impl Write, topo: &Topology, obs: &Observed) -> anyhow::Result<()> {
    writeln!(out, "lab `{}`:", topo.name())?;
    let routed = topology::is_routed(topo, obs);
    // The addresses of one interface: IPv4, and in the routed lab IPv6 (not link-local).
    let addrs = |l: &topology::LinkState| {
        let mut v = l.ipv4.clone();
        if routed {
            v.extend(l.ipv6.iter().filter(|a| !a.starts_with("fe80:")).cloned());
        }
        v.join(", ")
    };
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_header(["Computer", "Namespace", "eth0", "MAC", "State", "Running"]);
    let mut rows: Vec<(String, String, Vec<String>)> = topo
        .computers()
        .into_iter()
        .map(|c| {
            (
                c.letter.to_string(),
                c.netns,
                vec![Topology::DEV.to_string()],
            )
        })
        .collect();
    if routed {
        rows.push((
            "R".into(),
            topo.router_ns(),
            vec![Topology::DEV.into(), "eth1".into()],
        ));
        rows.push(("S".into(), topo.server_ns(), vec![Topology::DEV.into()]));
    }
    if obs.namespaces.contains_key(&topo.dhcp_client_ns()) {
        rows.push((
            "D".into(),
            topo.dhcp_client_ns(),
            vec![Topology::DEV.into()],
        ));
    }
    for (letter, netns, devs) in rows {
        let ns = obs.namespaces.get(&netns);
        let procs = ns
            .map(|n| {
                n.procs
                    .iter()
                    .map(|p| format!("{} {}", p.pid, p.command_line()))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        // One line per interface; R's second is named.
        let cell = |f: &dyn Fn(&topology::LinkState) -> String| {
            devs.iter()
                .enumerate()
                .map(|(i, d)| {
                    let v = ns
                        .and_then(|n| n.links.get(d))
                        .map(f)
                        .unwrap_or_else(|| "-".into());
                    if i == 0 { v } else { format!("{d}: {v}") }
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        t.add_row([
            letter,
            if ns.is_some() {
                netns.clone()
            } else {
                format!("{netns} (missing)")
            },
            cell(&addrs),
            cell(&|e| e.mac.clone()),
            cell(&|e| if e.up { "up" } else { "down" }.to_string()),
            if procs.is_empty() { "-".into() } else { procs },
        ]);
    }
    writeln!(out, "{t}")?;
    write_switch(out, topo, obs, SwitchSide::Lan)?;
    if routed {
        let r = obs.namespaces.get(&topo.router_ns());
        let mtu = obs
            .namespaces
            .get(&topo.server_ns())
            .and_then(|n| n.links.get(Topology::DEV))
            .map(|l| l.mtu);
        let fwd = r.is_some_and(|n| {
            Topology::ROUTER_SYSCTLS
                .iter()
                .all(|(k, v)| n.sysctls.get(*k).map(String::as_str) == Some(*v))
        });
        writeln!(
            out,
            "router: R {} between 10.0.3.0/24 and 10.0.4.0/24{}; MTU of the 10.0.4 link: {}",
            if fwd {
                "forwards IPv4 and IPv6"
            } else {
                "does NOT forward as it should (`lab up --routed` repairs it)"
            },
            if fwd {
                ", ICMP errors not rate-limited"
            } else {
                ""
            },
            mtu.map_or("?".to_string(), |m| m.to_string())
        )?;
        write_switch(out, topo, obs, SwitchSide::Wan)?;
    }
    let lines = services::status_lines(topo, obs);
    if !lines.is_empty() {
        writeln!(out, "services (state in {}):", topo.state_dir())?;
        for l in lines {
            writeln!(out, "  {l}")?;
        }
    }
    Ok(())
}

fn write_switch(
    out: &mut impl Write,
    topo: &Topology,
    obs: &Observed,
    side: SwitchSide,
) -> anyhow::Result<()> {
    let sw = side.netns(topo);
    let label = match side {
        SwitchSide::Lan => "switch",
        SwitchSide::Wan => "10.0.4 link's switch",
    };
    let Some(sw_state) = obs.namespaces.get(&sw) else {
        writeln!(out, "{label}: namespace {sw} is missing")?;
        return Ok(());
    };
    let mut known: Vec<(String, String)> = topo
        .computers()
        .into_iter()
        .map(|c| (crate::analyse::mac(&c.mac), c.letter.to_string()))
        .collect();
    known.extend(
        topo.routed_nics()
            .into_iter()
            .map(|n| (crate::analyse::mac(&n.mac), n.letter.to_string())),
    );
    known.push((crate::analyse::mac(&services::CLIENT_MAC), "D".to_string()));
    let who = |mac: &str| {
        known
            .iter()
            .find(|(m, _)| m == mac)
            .map(|(_, l)| format!(" ({l})"))
            .unwrap_or_default()
    };
    if let Some(p) = sw_state.procs.iter().find(|p| p.is_switch()) {
        writeln!(
            out,
            "{label}: wirelab's user-space switch in {sw}, pid {}",
            p.pid
        )?;
        if let Some(stats) = system::read_switch_stats(topo, side) {
            writeln!(
                out,
                "  settings: {}",
                stats["settings"].as_str().unwrap_or("?")
            )?;
            let ports = stats["ports"].as_array().cloned().unwrap_or_default();
            for (i, port) in ports.iter().enumerate() {
                let s = &stats["stats"]["ports"][i];
                writeln!(
                    out,
                    "  {}: in {} frames, out {}, lost {}, queue drops {}",
                    port.as_str().unwrap_or("?"),
                    s["rx_frames"],
                    s["tx_frames"],
                    s["lost"],
                    s["queue_drops"]
                )?;
            }
            let macs: Vec<String> = stats["macs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|m| {
                            let mac = m["mac"].as_str().unwrap_or("?");
                            let port = m["port"].as_u64().and_then(|p| ports.get(p as usize));
                            format!(
                                "{mac}{} on {}",
                                who(mac),
                                port.and_then(|p| p.as_str()).unwrap_or("?")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            writeln!(
                out,
                "  learned: {}",
                if macs.is_empty() {
                    "nothing yet".into()
                } else {
                    macs.join(", ")
                }
            )?;
        }
    } else if sw_state.links.contains_key(Topology::BRIDGE) {
        writeln!(
            out,
            "{label}: kernel bridge {} in {sw} (no impairments)",
            Topology::BRIDGE
        )?;
        let macs: Vec<String> = system::bridge_macs(topo, side)
            .into_iter()
            .map(|(mac, port)| format!("{mac}{} on {port}", who(&mac)))
            .collect();
        writeln!(
            out,
            "  learned: {}",
            if macs.is_empty() {
                "nothing yet (no frame has crossed it)".into()
            } else {
                macs.join(", ")
            }
        )?;
    } else {
        writeln!(
            out,
            "{label}: none running in {sw} (the user-space switch stopped?): `sudo wirelab lab up{}` restarts it",
            lab_flag(topo)
        )?;
    }
    Ok(())
}

fn exec(args: &ExecArgs) -> anyhow::Result<ExitCode> {
    let topo = topology(&args.name)?;
    system::require_root("exec")?;
    let letter = args.computer.letter();
    let Some(netns) = topo.node_ns(letter) else {
        anyhow::bail!("there is no computer {letter} in the lab (A, B, C, and R, S when routed)");
    };
    let routed_only = matches!(letter, 'R' | 'S' | 'D');
    let all = system::list_namespaces()?;
    if !all.contains(&netns) {
        anyhow::bail!(
            "computer {letter} is not up (no namespace {netns}): start the {}lab with `sudo wirelab lab up{}{}`",
            if routed_only { "routed " } else { "" },
            lab_flag(&topo),
            match letter {
                'D' => " --routed --services",
                'R' | 'S' => " --routed",
                _ => "",
            }
        );
    }
    let addresses = match letter {
        'R' => format!("{}/24 and {}/24", Topology::GATEWAY, Topology::WAN_GATEWAY),
        'S' => format!("{}/24", Topology::SERVER),
        'D' => "no address yet: a DHCP client gets one".to_string(),
        _ => topo.computer(letter).map(|c| c.cidr()).unwrap_or_default(),
    };
    let mut argv = args.command.clone();
    if argv.is_empty() {
        argv.push(std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into()));
        if !args.quiet {
            eprintln!("# a shell on computer {letter} ({addresses}); `exit` to leave");
        }
    }
    let shown = argv
        .iter()
        .map(|a| topology::shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ");
    // `wirelab` means this binary: sudo's PATH may not hold ~/.cargo/bin.
    if argv[0] == "wirelab" {
        argv[0] = std::env::current_exe()
            .context("finding this program's path")?
            .display()
            .to_string();
    }
    if !args.quiet {
        eprintln!("# on {letter}: ip netns exec {netns} {shown}");
    }
    // Replace this process: signals (Ctrl-C, kill) and the exit code are the command's own.
    let err = Command::new("ip")
        .args(["netns", "exec", &netns])
        .args(&argv)
        .env("WIRELAB_COMPUTER", letter.to_string())
        .exec();
    Err(anyhow::Error::new(err).context("running `ip netns exec` (is iproute2 installed?)"))
}

fn switch(args: &SwitchArgs) -> anyhow::Result<ExitCode> {
    let cfg = DriverConfig {
        ports: args.ports.clone(),
        impairments: impairments(&args.impair)?,
        stats: args.stats.clone(),
        run_for: args.run_for.map(Duration::from_secs_f64),
    };
    let stdout = io::stdout();
    let mut log = LineWriter(stdout.lock());
    switch_driver::run(&cfg, &mut log)?;
    Ok(ExitCode::SUCCESS)
}

/// Flushes after every write (the switch's log is read by `lab up` while it runs).
struct LineWriter<W: Write>(W);

impl<W: Write> Write for LineWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.0.flush()?;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

fn answer(args: &AnswerArgs) -> anyhow::Result<ExitCode> {
    let report = answer::answer(
        args.lab,
        &args.files,
        &AnswerOptions {
            server: args.server,
        },
    )?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        crate::render::answers::write_report(&mut out, &report)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

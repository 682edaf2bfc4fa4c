//! `wirelab lab …`: bring the virtual lab up and down, show it, run commands on its computers,
//! run its user-space switch, and answer the labs' questions from captures.

use std::io::{self, BufWriter, Write};
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::Context as _;
use comfy_table::{Table, presets};

use crate::cli::lab::{AnswerArgs, ExecArgs, ImpairArgs, LabCommand, NameArgs, SwitchArgs, UpArgs};
use crate::lab::answer::{self, AnswerOptions};
use crate::lab::switch::Impairments;
use crate::lab::switch_driver::{self, DriverConfig};
use crate::lab::system::{self, Executor};
use crate::lab::topology::{self, Observed, SwitchMode, Topology, plan_down, plan_up};

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
    system::require_root("up")?;
    let mode = SwitchMode::for_impairments(imp, args.user_switch);
    let obs = system::observe(&topo)?;
    let steps = plan_up(&topo, &mode, &obs);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if steps.is_empty() {
        writeln!(
            out,
            "lab `{}` is already up as asked: nothing to do.",
            topo.name()
        )?;
        summary(&mut out, &topo, &mode)?;
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
    summary(&mut out, &topo, &mode)?;
    Ok(ExitCode::SUCCESS)
}

fn summary(out: &mut impl Write, topo: &Topology, mode: &SwitchMode) -> io::Result<()> {
    let hosts: Vec<String> = topo
        .computers()
        .iter()
        .map(|c| format!("{} {}", c.letter, c.ip))
        .collect();
    let switch = match mode {
        SwitchMode::Bridge => "a kernel bridge (no impairments)".to_string(),
        SwitchMode::UserSpace(imp) => format!("wirelab's switch ({})", topology::describe(imp)),
    };
    writeln!(
        out,
        "lab `{}` is up: {} on {switch}.",
        topo.name(),
        hosts.join(", ")
    )?;
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
    let missing: Vec<String> = topo
        .namespaces()
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
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_header(["Computer", "Namespace", "eth0", "MAC", "State", "Running"]);
    for c in topo.computers() {
        let ns = obs.namespaces.get(&c.netns);
        let eth = ns.and_then(|n| n.links.get(Topology::DEV));
        let procs = ns
            .map(|n| {
                n.procs
                    .iter()
                    .map(|p| format!("{} {}", p.pid, p.command_line()))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        t.add_row([
            c.letter.to_string(),
            if ns.is_some() {
                c.netns.clone()
            } else {
                format!("{} (missing)", c.netns)
            },
            eth.map(|e| e.ipv4.join(", ")).unwrap_or_else(|| "-".into()),
            eth.map(|e| e.mac.clone()).unwrap_or_else(|| "-".into()),
            eth.map(|e| if e.up { "up" } else { "down" }.to_string())
                .unwrap_or_else(|| "-".into()),
            if procs.is_empty() { "-".into() } else { procs },
        ]);
    }
    writeln!(out, "{t}")?;
    let sw = topo.switch_ns();
    let Some(sw_state) = obs.namespaces.get(&sw) else {
        writeln!(out, "switch: namespace {sw} is missing")?;
        return Ok(());
    };
    let who = |mac: &str| {
        topo.computers()
            .into_iter()
            .find(|c| crate::analyse::mac(&c.mac) == mac)
            .map(|c| format!(" ({})", c.letter))
            .unwrap_or_default()
    };
    if let Some(p) = sw_state.procs.iter().find(|p| p.is_switch()) {
        writeln!(
            out,
            "switch: wirelab's user-space switch in {sw}, pid {}",
            p.pid
        )?;
        if let Some(stats) = system::read_switch_stats(topo) {
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
            "switch: kernel bridge {} in {sw} (no impairments)",
            Topology::BRIDGE
        )?;
        let macs: Vec<String> = system::bridge_macs(topo)
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
            "switch: none running in {sw} (the user-space switch stopped?): `sudo wirelab lab up{}` restarts it",
            lab_flag(topo)
        )?;
    }
    Ok(())
}

fn exec(args: &ExecArgs) -> anyhow::Result<ExitCode> {
    let topo = topology(&args.name)?;
    system::require_root("exec")?;
    let letter = args.computer.letter();
    let Some(c) = topo.computer(letter) else {
        anyhow::bail!("there is no computer {letter} in the lab (A, B and C)");
    };
    let all = system::list_namespaces()?;
    if !all.contains(&c.netns) {
        anyhow::bail!(
            "computer {letter} is not up (no namespace {}): start the lab with `sudo wirelab lab up{}`",
            c.netns,
            lab_flag(&topo)
        );
    }
    let mut argv = args.command.clone();
    if argv.is_empty() {
        argv.push(std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into()));
        if !args.quiet {
            eprintln!(
                "# a shell on computer {letter} ({}); `exit` to leave",
                c.cidr()
            );
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
        eprintln!("# on {letter}: ip netns exec {} {shown}", c.netns);
    }
    // Replace this process: signals (Ctrl-C, kill) and the exit code are the command's own.
    let err = Command::new("ip")
        .args(["netns", "exec", &c.netns])
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

//! `wirelab lab up / exec / status / down` on this machine: what `up` builds (checked with
//! `ip` itself), that it is idempotent and repairs a broken lab, that a failing step leaves
//! nothing behind, that a change of impairments swaps only the switch, that `exec` runs on the
//! right computer and passes its exit code on, and that a non-root user gets a clear error.
//!
//! Needs root (network namespaces); skipped when not root and CI is unset. Each test has its
//! own lab (`support::Lab`), removed even when the test fails.

mod support;

use std::process::Command;
use std::time::Duration;

use support::lab_cli::{failing_up_leaves_nothing, ok, text};
use support::netns::{Lab, alive, pids_in};
use support::proc::Proc;
use support::{BIN, Need, require, run};

/// `ip -br addr show dev eth0` in a namespace.
fn eth0(ns: &str) -> String {
    let o = run(Command::new("ip").args(["-n", ns, "-br", "link", "show", "eth0"]));
    let a = run(Command::new("ip").args(["-n", ns, "-br", "-4", "addr", "show", "eth0"]));
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&a.stdout)
    )
}

#[test]
fn up_builds_the_figure_twice_is_a_no_op_and_down_twice_is_safe() {
    if !require(Need::Root) {
        return;
    }
    let lab = Lab::unique();
    let first = ok(&mut lab.cmd("up", &[]));
    assert!(
        first.contains(&format!("$ ip netns add wl{}-A", lab.name)),
        "{first}"
    );
    // Every command printed is run inside a lab namespace or creates one.
    for line in first.lines().filter(|l| l.starts_with("$ ")) {
        let prefix_ok = line.starts_with(&format!("$ ip netns add wl{}-", lab.name))
            || line.starts_with(&format!("$ ip netns exec wl{}-", lab.name))
            || line.starts_with(&format!("$ ip -n wl{}-", lab.name));
        assert!(prefix_ok, "a command outside the lab: {line}");
    }
    let mut names = lab.namespaces();
    names.sort();
    assert_eq!(
        names,
        ["A", "B", "C", "sw"].map(|l| lab.ns(l)),
        "the four namespaces"
    );
    for (l, ip, mac) in [
        ("A", "10.0.3.1/24", "02:00:00:00:03:01"),
        ("B", "10.0.3.2/24", "02:00:00:00:03:02"),
        ("C", "10.0.3.3/24", "02:00:00:00:03:03"),
    ] {
        let e = eth0(&lab.ns(l));
        assert!(
            e.contains(ip) && e.contains(mac) && e.contains("UP"),
            "{l}: {e}"
        );
    }
    let bridge =
        run(Command::new("ip").args(["-n", &lab.ns("sw"), "-br", "link", "show", "master", "br0"]));
    let ports = String::from_utf8_lossy(&bridge.stdout);
    for p in ["pA", "pB", "pC"] {
        assert!(ports.contains(p), "{p} on the bridge: {ports}");
    }

    let again = ok(&mut lab.cmd("up", &[]));
    assert!(again.contains("already up as asked"), "{again}");
    assert!(
        !again.lines().any(|l| l.starts_with("$ ")),
        "second up ran commands:\n{again}"
    );

    // The computers reach each other through the switch: a TCP exchange from C to A.
    let server = Proc::spawn(
        "server",
        lab.exec("A", &["wirelab", "tcp-server", "--port", "8080"]),
    );
    server.wait_for("listening on");
    let client = ok(&mut lab.exec("C", &["wirelab", "tcp-client", "10.0.3.1:8080"]));
    assert!(client.contains("Thanks for connecting"), "{client}");
    let status = ok(&mut lab.cmd("status", &[]));
    assert!(status.contains("tcp-server --port 8080"), "{status}");
    assert!(
        status.contains("02:00:00:00:03:03 (C) on pC"),
        "the bridge learned C:\n{status}"
    );

    let down = ok(&mut lab.cmd("down", &[]));
    assert!(down.contains("is down"), "{down}");
    assert!(lab.namespaces().is_empty(), "left: {:?}", lab.namespaces());
    assert!(!alive(server.pid()), "the server on A was stopped");
    let twice = ok(&mut lab.cmd("down", &[]));
    assert!(twice.contains("not up: nothing to remove"), "{twice}");
    let st = lab.cmd("status", &[]).output().unwrap();
    assert_eq!(
        st.status.code(),
        Some(1),
        "status of a lab that is down: {}",
        text(&st)
    );
}

#[test]
fn up_repairs_a_broken_lab_without_touching_what_works() {
    if !require(Need::Root) {
        return;
    }
    let lab = Lab::up(&[]);
    // A crash: B's namespace vanished (its cable with it) and C lost its address.
    run(Command::new("ip").args(["netns", "del", &lab.ns("B")]));
    run(Command::new("ip").args(["-n", &lab.ns("C"), "addr", "flush", "dev", "eth0"]));
    let st = lab.cmd("status", &[]).output().unwrap();
    assert_eq!(st.status.code(), Some(1), "{}", text(&st));
    assert!(text(&st).contains("only partly up"), "{}", text(&st));
    let out = ok(&mut lab.cmd("up", &[]));
    let cmds: Vec<&str> = out.lines().filter(|l| l.starts_with("$ ")).collect();
    assert!(
        cmds.iter().all(|c| !c.contains(&lab.ns("A"))),
        "A was touched: {cmds:?}"
    );
    assert!(
        cmds.contains(&format!("$ ip netns add {}", lab.ns("B")).as_str()),
        "{cmds:?}"
    );
    assert!(
        cmds.contains(&format!("$ ip -n {} addr add 10.0.3.3/24 dev eth0", lab.ns("C")).as_str()),
        "{cmds:?}"
    );
    assert!(eth0(&lab.ns("B")).contains("10.0.3.2/24"));
    assert!(ok(&mut lab.cmd("up", &[])).contains("already up"));
}

#[test]
fn a_failing_step_removes_everything_it_made() {
    if !require(Need::Root) {
        return;
    }
    for fail_at in [1, 9, 30] {
        failing_up_leaves_nothing(&[], fail_at);
    }
    // The start of the user-space switch failing (the 30th step of a fresh impaired lab).
    let lab = Lab::unique();
    let out = lab
        .cmd("up", &["--delay", "5ms", "--fail-at", "30"])
        .output()
        .unwrap();
    assert!(text(&out).contains("lab switch"), "{}", text(&out));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(lab.namespaces().is_empty(), "left {:?}", lab.namespaces());
}

#[test]
fn new_impairments_swap_only_the_switch_and_keep_the_computers_running() {
    if !require(Need::Root) {
        return;
    }
    let lab = Lab::up(&[]);
    let server = Proc::spawn(
        "server",
        lab.exec("A", &["wirelab", "udp-server", "--port", "9000"]),
    );
    server.wait_for("listening on");

    let out = ok(&mut lab.cmd("up", &["--delay", "5ms", "--loss", "0%", "--seed", "4"]));
    let cmds: Vec<&str> = out.lines().filter(|l| l.starts_with("$ ")).collect();
    assert_eq!(
        cmds.len(),
        2,
        "delete the bridge, start the switch: {cmds:?}"
    );
    assert!(
        cmds[1].contains("lab switch --port pA --port pB --port pC --delay 5ms"),
        "{cmds:?}"
    );
    assert!(alive(server.pid()), "the server on A kept running");
    let switch_pids = pids_in(&lab.ns("sw"));
    assert_eq!(switch_pids.len(), 1, "one switch process");
    // The same settings again: nothing changes, the same switch keeps running.
    assert!(ok(&mut lab.cmd("up", &["--delay", "5ms", "--seed", "4"])).contains("already up"));
    assert_eq!(pids_in(&lab.ns("sw")), switch_pids);
    // Traffic crosses the user-space switch.
    let reply = ok(&mut lab.exec("B", &["wirelab", "udp-client", "10.0.3.1:9000"]));
    assert!(reply.contains("Thanks for your datagram"), "{reply}");
    // The switch's counters for `status` (written every second).
    std::thread::sleep(Duration::from_millis(1300));
    let status = ok(&mut lab.cmd("status", &[]));
    assert!(status.contains("user-space switch"), "{status}");
    assert!(status.contains("02:00:00:00:03:02 (B) on pB"), "{status}");

    // Back to the kernel bridge: the switch process is stopped.
    let back = ok(&mut lab.cmd("up", &[]));
    assert!(
        back.contains(&format!("$ kill {}", switch_pids[0])),
        "{back}"
    );
    assert!(!alive(switch_pids[0]));
    assert!(alive(server.pid()));
    let reply = ok(&mut lab.exec("C", &["wirelab", "udp-client", "10.0.3.1:9000"]));
    assert!(reply.contains("Thanks for your datagram"), "{reply}");
}

#[test]
fn exec_runs_on_the_right_computer_and_returns_its_exit_code() {
    if !require(Need::Root) {
        return;
    }
    let lab = Lab::up(&[]);
    let b = ok(&mut lab.exec("B", &["ip", "-br", "-4", "addr", "show", "eth0"]));
    assert!(b.contains("10.0.3.2/24"), "{b}");
    let o = lab
        .exec("c", &["sh", "-c", "echo $WIRELAB_COMPUTER; exit 3"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "C");
    // Not quiet: the command is shown, as `ip netns exec` would run it.
    let o = lab.cmd("exec", &["A", "--", "true"]).output().unwrap();
    assert!(
        text(&o).contains(&format!("# on A: ip netns exec {} true", lab.ns("A"))),
        "{}",
        text(&o)
    );
    // A lab that is not up.
    let none = Lab::unique();
    let o = none.exec("A", &["true"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("computer A is not up"), "{}", text(&o));
    assert!(text(&o).contains("wirelab lab up"), "{}", text(&o));
}

#[test]
fn bad_names_and_settings_and_a_normal_user_get_clear_errors() {
    if !require(Need::Root) {
        return;
    }
    let o = Command::new(BIN)
        .args(["lab", "up", "--name", "../etc"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("cannot name a lab"), "{}", text(&o));
    let o = Command::new(BIN)
        .args([
            "lab", "up", "--name", "tbad", "--delay", "2ms", "--jitter", "5ms",
        ])
        .output()
        .unwrap();
    assert!(text(&o).contains("larger than --delay"), "{}", text(&o));
    let o = Command::new(BIN)
        .args(["lab", "up", "--rate", "10mbps"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "a clap value error");
    assert!(text(&o).contains("bytes per second"), "{}", text(&o));
    // As nobody: refused before anything is done.
    let lab = Lab::unique();
    let o = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "lab",
            "up",
            "--name",
            &lab.name,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("needs root"), "{}", text(&o));
    assert!(text(&o).contains("sudo wirelab lab up"), "{}", text(&o));
    assert!(lab.namespaces().is_empty());
}

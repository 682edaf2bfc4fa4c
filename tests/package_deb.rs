//! The amd64 Debian package, installed and purged for real: after `dpkg -i` the binary is
//! `root:wirelab 0750` with the file capability `cap_net_raw` alone; a member of the `wirelab`
//! group captures frames on a veth in a namespace this test creates (promiscuous mode
//! included), while a user outside the group cannot even start it; `man` finds the pages and
//! the bash completion is in place. `dpkg --purge` then leaves none of the package's files and
//! no `wirelab` group behind.
//!
//! The package is `$WIRELAB_DEB` when set (`.ci/run` builds it with `scripts/package-deb.sh`
//! before the tests), else this test builds it with that script (cargo-deb needed).
//!
//! Needs root, dpkg, runuser, useradd and getcap: skipped with a note outside CI, a failure in
//! CI. It changes the machine (a package, a group, two users): every one of them is removed
//! by a guard's Drop, even when an assertion fails. It refuses to run when wirelab is already
//! installed or a `wirelab` group exists, so an administrator's install is never touched.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use support::netns::{Netns, veth};
use support::{Need, repo, require, run, run_status};

/// Where the package installs the program.
const PROGRAM: &str = "/usr/bin/wirelab";
/// The group postinst creates.
const GROUP: &str = "wirelab";
/// Upper bound of any one command run as a test user, in seconds (`timeout`).
const LIMIT: &str = "60";

/// The installed package: Drop purges it (and with it the group).
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new("dpkg")
            .args(["--purge", "wirelab"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A throwaway user without a home: Drop deletes it.
struct User {
    name: String,
}

impl User {
    /// Creates `name` with primary group `nogroup` and, when `groups` is given, those
    /// supplementary groups.
    fn new(name: &str, groups: Option<&str>) -> User {
        let mut cmd = Command::new("useradd");
        cmd.args(["-M", "-N", "-g", "nogroup", "-s", "/usr/sbin/nologin"]);
        if let Some(g) = groups {
            cmd.args(["-G", g]);
        }
        run(cmd.arg(name));
        User {
            name: name.to_string(),
        }
    }
}

impl Drop for User {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
    }
}

/// A background process killed (and reaped) on Drop.
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&run(cmd).stdout).trim().to_string()
}

/// The package to test: `$WIRELAB_DEB`, or one built now by `scripts/package-deb.sh`.
/// `None` when it cannot be built here (outside CI: skipped).
fn package() -> Option<PathBuf> {
    if let Some(deb) = std::env::var_os("WIRELAB_DEB").filter(|d| !d.is_empty()) {
        let deb = PathBuf::from(deb);
        assert!(deb.is_file(), "WIRELAB_DEB={} is not a file", deb.display());
        return Some(deb);
    }
    if !require(Need::Tool("cargo-deb")) {
        return None;
    }
    let out = run(Command::new(repo("scripts/package-deb.sh")).stderr(Stdio::inherit()));
    Some(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

/// Runs `cmd` as `user` (runuser: the user's own groups, no capabilities carried over from
/// root), inside namespace `ns` when given, bounded by [`LIMIT`].
fn as_user(ns: Option<&Netns>, user: &User, cmd: &[&str]) -> Command {
    let mut c = Command::new("timeout");
    c.arg(LIMIT);
    if let Some(ns) = ns {
        c.args(["ip", "netns", "exec", &ns.name]);
    }
    c.args(["runuser", "-u", &user.name, "--"]).args(cmd);
    c
}

#[test]
fn the_package_installs_a_group_only_binary_with_cap_net_raw_and_purges_clean() {
    for need in [
        Need::Root,
        Need::Tool("dpkg"),
        Need::Tool("runuser"),
        Need::Tool("useradd"),
        Need::Tool("getcap"),
        Need::Tool("man"),
    ] {
        if !require(need) {
            return;
        }
    }
    let installed_before = run_status(Command::new("dpkg-query").args(["-W", "wirelab"]));
    assert!(
        !installed_before.status.success(),
        "wirelab is already installed on this machine: this test installs and purges it, so it \
         leaves an existing install alone"
    );
    assert!(
        !run_status(Command::new("getent").args(["group", GROUP]))
            .status
            .success(),
        "a group named {GROUP} exists already: this test would remove it"
    );
    let Some(deb) = package() else { return };

    // Install (the guard purges whatever happens next).
    let installed = Installed;
    run(Command::new("dpkg").arg("-i").arg(&deb));
    let files: Vec<PathBuf> = stdout_of(Command::new("dpkg").args(["-L", "wirelab"]))
        .lines()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect();
    assert!(files.iter().any(|p| p == Path::new(PROGRAM)), "{files:?}");

    // Owner, mode and the one capability.
    let mode = stdout_of(Command::new("stat").args(["-c", "%U:%G %a", PROGRAM]));
    assert_eq!(mode, "root:wirelab 750");
    let caps = stdout_of(Command::new("getcap").arg(PROGRAM));
    let caps = caps.strip_prefix(PROGRAM).unwrap_or(&caps).trim();
    assert_eq!(caps, "cap_net_raw=ep", "getcap {PROGRAM}");

    // Man pages and completions where Debian's tools look.
    let page = stdout_of(Command::new("man").args(["-w", "wirelab"]));
    assert!(page.starts_with("/usr/share/man/man1/wirelab.1"), "{page}");
    let capture_page = stdout_of(Command::new("man").args(["-w", "wirelab-capture"]));
    assert!(
        capture_page.starts_with("/usr/share/man/man1/wirelab-capture.1"),
        "{capture_page}"
    );
    let bash = "/usr/share/bash-completion/completions/wirelab";
    run(Command::new("bash").args(["-n", bash]));
    for other in [
        "/usr/share/zsh/vendor-completions/_wirelab",
        "/usr/share/fish/vendor_completions.d/wirelab.fish",
        "/usr/share/doc/wirelab/copyright",
    ] {
        assert!(Path::new(other).is_file(), "{other} is missing");
    }

    // A member captures in a namespace of its own; the traffic stays between two namespaces.
    let tag = std::process::id();
    let member = User::new(&format!("wlpkg{tag}m"), Some(GROUP));
    let outsider = User::new(&format!("wlpkg{tag}o"), None);
    let a = Netns::new("pkga");
    let b = Netns::new("pkgb");
    veth(&a, "veth0", &b, "veth1");
    a.addr("veth0", "10.0.9.1/24");
    b.addr("veth1", "10.0.9.2/24");
    // UDP datagrams from b to a, 0.1 s apart, for at most 30 s (killed once the capture ends).
    let _sender = Background(
        b.command("bash")
            .args([
                "-c",
                "for i in $(seq 300); do echo x > /dev/udp/10.0.9.1/9 || true; sleep 0.1; done",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the sender"),
    );
    let out = run_status(&mut as_user(
        Some(&a),
        &member,
        &[
            PROGRAM,
            "capture",
            "-i",
            "veth0",
            "-c",
            "2",
            "--duration",
            "30",
            "-w",
            "-",
        ],
    ));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the member's capture failed: {err}");
    assert!(
        out.stdout.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]),
        "not a pcapng file on stdout ({} bytes); stderr: {err}",
        out.stdout.len()
    );
    assert!(err.contains("2 written to -"), "{err}");

    // Someone outside the group cannot run it at all.
    let out = run_status(&mut as_user(None, &outsider, &[PROGRAM, "--version"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a non-member ran {PROGRAM}");
    assert!(err.contains("Permission denied"), "{err}");
    assert!(out.stdout.is_empty());

    // Purge: no file of the package, no group.
    drop(member);
    drop(outsider);
    run(Command::new("dpkg").args(["--purge", "wirelab"]));
    drop(installed);
    let left: Vec<&PathBuf> = files.iter().filter(|p| p.exists()).collect();
    assert!(left.is_empty(), "left behind by dpkg --purge: {left:?}");
    assert!(
        !run_status(Command::new("getent").args(["group", GROUP]))
            .status
            .success(),
        "dpkg --purge left the {GROUP} group"
    );
    assert!(
        !run_status(Command::new("dpkg-query").args(["-W", "wirelab"]))
            .status
            .success(),
        "dpkg still knows wirelab"
    );
}

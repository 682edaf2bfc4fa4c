//! The walkthroughs (`scripts/labs/*.sh`), each run end to end in a lab of its own and
//! checked to succeed and to leave no namespace; their captures are then held to the keys.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::netns::Lab;
use super::proc::Proc;
use super::{BIN, Need, repo, require};

/// What the application-layer walkthroughs (intro, http, dns) need besides root: tshark, the
/// lab's servers and their clients.
pub const SERVICES: &[&str] = &[
    "tshark", "dnsmasq", "nginx", "unbound", "nslookup", "curl", "openssl", "timeout",
];

/// A walkthrough that ran: its lab (Drop removes anything left of it), its output directory
/// and its screen.
pub struct Ran {
    pub lab: Lab,
    pub dir: PathBuf,
    pub out: String,
}

/// Runs an application-layer walkthrough (`scripts/labs/SCRIPT`, needing [`SERVICES`]) at
/// most 180 s; see [`walk_needing`].
pub fn walk(script: &str) -> Option<(PathBuf, String)> {
    walk_needing(script, SERVICES, Duration::from_secs(180))
}

/// Runs `scripts/labs/SCRIPT` when root and `tools` are there (see [`super::require`]), at
/// most `limit`, as [`run`] does. Returns its output directory and its screen.
pub fn walk_needing(
    script: &str,
    tools: &[&'static str],
    limit: Duration,
) -> Option<(PathBuf, String)> {
    if !require(Need::Root) || !tools.iter().all(|t| require(Need::Tool(t))) {
        return None;
    }
    let ran = run(script, limit, &[]);
    Some((ran.dir, ran.out))
}

/// Runs `scripts/labs/SCRIPT` in a lab of its own (at most `limit`, with `env` added to its
/// environment; needs root) and checks it exited 0 and left no namespace.
pub fn run(script: &str, limit: Duration, env: &[(&str, &OsStr)]) -> Ran {
    let lab = Lab::unique();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "walk-{}-{}",
        script.trim_end_matches(".sh"),
        lab.name
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cmd = Command::new("bash");
    cmd.arg(repo("scripts/labs").join(script))
        .arg(&dir)
        .env("WIRELAB", BIN)
        .env("WIRELAB_LAB", &lab.name)
        .envs(env.iter().copied());
    let mut p = Proc::spawn(script, cmd);
    p.close_stdin();
    let code = p.wait_exit_within(limit).code();
    let out = p.transcript();
    assert_eq!(code, Some(0), "{script} failed\n{out}");
    assert!(
        lab.namespaces().is_empty(),
        "{script} left {:?}\n{out}",
        lab.namespaces()
    );
    Ran { lab, dir, out }
}

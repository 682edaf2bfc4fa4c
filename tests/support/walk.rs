//! The application-layer walkthroughs (`scripts/labs/{intro,http,dns}.sh`, run in a routed lab
//! with its services): each in a lab of its own, shared by their key tests.

use std::process::Command;
use std::time::Duration;

use super::proc::Proc;
use super::{Need, repo, require};

/// Runs `scripts/labs/SCRIPT` in a lab of its own (at most 180 s); checks it succeeded and
/// left no namespace. Returns its output directory and its screen.
pub fn walk(script: &str) -> Option<(std::path::PathBuf, String)> {
    if !require(Need::Root) {
        return None;
    }
    for t in [
        "tshark", "dnsmasq", "nginx", "unbound", "nslookup", "curl", "openssl", "timeout",
    ] {
        if !require(Need::Tool(t)) {
            return None;
        }
    }
    let lab = super::netns::Lab::unique();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "walk-{}-{}",
        script.trim_end_matches(".sh"),
        lab.name
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cmd = Command::new("bash");
    cmd.arg(repo("scripts/labs").join(script))
        .arg(&dir)
        .env("WIRELAB", super::BIN)
        .env("WIRELAB_LAB", &lab.name);
    let mut p = Proc::spawn(script, cmd);
    p.close_stdin();
    let code = p.wait_exit_within(Duration::from_secs(180)).code();
    let out = p.transcript();
    assert_eq!(code, Some(0), "{script} failed\n{out}");
    assert!(
        lab.namespaces().is_empty(),
        "{script} left {:?}\n{out}",
        lab.namespaces()
    );
    Some((dir, out))
}

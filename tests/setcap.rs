//! README's "Raspberry Pi" advice, checked end to end: after
//! `setcap cap_net_raw=eip` (the least set) on a copy of the binary, an unprivileged user
//! (`nobody`) captures the real three-way handshake of the stack demo on loopback; the same
//! user running an unmarked copy gets the labelled simulation instead, so the file
//! capability is what makes the difference.
//!
//! Needs root (to set the file capability and to switch to `nobody` with `setpriv`): skipped
//! with a note when not root, unless CI is set (then it fails). Traffic stays on 127.0.0.1.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use support::proc::Proc;
use support::{Need, require};

/// What the README tells a Pi user to run, minus the `sudo`.
const CAPS: &str = "cap_net_raw=eip";
/// Upper bound for one client session, in seconds (`timeout`; a hung client still ends).
const SESSION_LIMIT: &str = "60";

/// Runs `BIN stack-client 127.0.0.1:PORT` as `nobody` (uid and gid 65534, no groups, no
/// capabilities inherited from root) with `handshake` and `exit` on stdin; returns stdout.
fn handshake_as_nobody(bin: &Path) -> String {
    let mut server = Proc::wirelab(
        "stack-server",
        &["stack-server", "--bind", "127.0.0.1", "--port", "0"],
    );
    let port = server.listening_port();
    let mut child = Command::new("timeout")
        .args([SESSION_LIMIT, "setpriv", "--reuid=65534", "--regid=65534"])
        .args(["--clear-groups", "--inh-caps=-all", "--"])
        .arg(bin)
        .args(["stack-client", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run setpriv (util-linux)");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"handshake\nexit\n")
            .expect("write to the client");
    }
    let out = child.wait_with_output().expect("wait for the client");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} as nobody failed ({}):\n{stdout}\n{}",
        bin.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    server.wait_exit();
    stdout
}

#[test]
fn setcap_lets_an_unprivileged_user_capture_the_handshake() {
    if !require(Need::Root) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // `nobody` must be able to reach and run the copies.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let plain = dir.path().join("wirelab-plain");
    let capped = dir.path().join("wirelab");
    for copy in [&plain, &capped] {
        std::fs::copy(env!("CARGO_BIN_EXE_wirelab"), copy).expect("copy the binary");
        std::fs::set_permissions(copy, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let set = Command::new("setcap")
        .arg(CAPS)
        .arg(&capped)
        .output()
        .expect("run setcap (libcap2-bin)");
    assert!(
        set.status.success(),
        "setcap {CAPS} failed: {}",
        String::from_utf8_lossy(&set.stderr)
    );
    let get = Command::new("getcap")
        .arg(&capped)
        .output()
        .expect("run getcap");
    let shown = String::from_utf8_lossy(&get.stdout);
    assert!(shown.contains("cap_net_raw=eip"), "getcap says {shown:?}");

    // Control: no file capability, no capture.
    let without = handshake_as_nobody(&plain);
    assert!(
        without.contains("SIMULATION (not captured: capturing on lo needs root or CAP_NET_RAW"),
        "{without}"
    );
    assert!(!without.contains("REAL packets"), "{without}");

    let with = handshake_as_nobody(&capped);
    assert!(with.contains("REAL packets, captured on lo"), "{with}");
    assert!(with.contains("[SYN] "), "{with}");
    assert!(!with.contains("SIMULATION"), "{with}");
}

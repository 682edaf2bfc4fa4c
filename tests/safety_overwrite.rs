//! Issue 21, "nothing overwritten without --force": every command that writes a file keeps an
//! existing one byte for byte, says to add `--force`, and replaces it when told to; `graph`
//! never creates a directory by surprise. `craft` and `ping` run on a two-namespace LAN (root).

mod support;

use std::path::Path;
use std::process::Command;

use support::{BIN, Need, netns::Lan, require, run_status};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PRECIOUS: &[u8] = b"a capture someone spent an afternoon on";
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

fn capture() -> String {
    Path::new(ROOT)
        .join("captures/tcp-analysis.pcapng")
        .to_string_lossy()
        .into_owned()
}

/// Asserts the run failed naming `--force`, and the file is untouched.
fn refused(out: &std::process::Output, file: &Path) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "it succeeded: {err}");
    assert!(err.contains("already exists; add --force"), "{err}");
    assert_eq!(
        std::fs::read(file).unwrap(),
        PRECIOUS,
        "the file was changed"
    );
}

#[test]
fn graph_keeps_an_existing_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("g.svg");
    std::fs::write(&file, PRECIOUS).unwrap();
    let out = Command::new(BIN)
        .args(["graph", &capture(), "-o"])
        .arg(&file)
        .output()
        .unwrap();
    refused(&out, &file);
    assert!(String::from_utf8_lossy(&out.stderr).contains("with -o"));
    let out = Command::new(BIN)
        .args(["graph", &capture(), "--force", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read_to_string(&file).unwrap().contains("<svg"));
}

#[test]
fn graph_all_with_a_file_name_writes_one_file_per_kind_and_no_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["graph", &capture(), "--kind", "all", "-o"])
        .arg(dir.path().join("x.png"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(!dir.path().join("x.png").exists(), "x.png was made");
    for kind in ["stevens", "tcptrace", "rtt", "throughput", "window"] {
        let f = dir.path().join(format!("x-{kind}.png"));
        assert!(f.is_file(), "{} missing", f.display());
    }
    // One of them exists: nothing is written, the others are not left behind empty.
    std::fs::remove_file(dir.path().join("x-stevens.png")).unwrap();
    std::fs::write(dir.path().join("x-rtt.png"), PRECIOUS).unwrap();
    let out = Command::new(BIN)
        .args(["graph", &capture(), "--kind", "all", "-o"])
        .arg(dir.path().join("x.png"))
        .output()
        .unwrap();
    refused(&out, &dir.path().join("x-rtt.png"));
    assert!(!dir.path().join("x-stevens.png").exists());
}

#[test]
fn graph_never_creates_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("graphs/");
    let out = Command::new(BIN)
        .args(["graph", &capture(), "--kind", "all", "-o"])
        .arg(format!("{}/", missing.display()))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("not an existing directory"), "{err}");
    assert!(!missing.exists(), "the directory was created");
}

#[test]
fn craft_and_ping_keep_an_existing_file_without_force() {
    if !require(Need::Root) {
        return;
    }
    let lan = Lan::new("ow");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("talk.pcapng");
    let file_s = file.to_str().unwrap();
    // Nothing listens on port 9: the server's kernel answers RST at once.
    let craft = |force: bool| {
        let mut cmd = lan.client.wirelab();
        cmd.args(["craft", "--iface", "eth0", "--to", "10.0.3.1:9"])
            .args(["--message", "hi", "--syn-retries", "0", "-w", file_s]);
        if force {
            cmd.arg("--force");
        }
        run_status(&mut cmd)
    };
    std::fs::write(&file, PRECIOUS).unwrap();
    refused(&craft(false), &file);
    let out = craft(true);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(std::fs::read(&file).unwrap()[..4], PCAPNG_MAGIC);

    let ping = |force: bool| {
        let mut cmd = lan.client.wirelab();
        cmd.args(["ping", "10.0.3.1", "-i", "eth0", "-c", "1", "-w", file_s]);
        if force {
            cmd.arg("--force");
        }
        run_status(&mut cmd)
    };
    std::fs::write(&file, PRECIOUS).unwrap();
    refused(&ping(false), &file);
    let out = ping(true);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&file).unwrap()[..4], PCAPNG_MAGIC);
}

#[test]
fn capture_keeps_an_existing_file_without_force() {
    if !require(Need::Root) {
        return;
    }
    let lan = Lan::new("owc");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.pcapng");
    std::fs::write(&file, PRECIOUS).unwrap();
    let out = run_status(lan.client.wirelab().args([
        "capture",
        "-i",
        "eth0",
        "-c",
        "1",
        "-w",
        file.to_str().unwrap(),
    ]));
    refused(&out, &file);
}

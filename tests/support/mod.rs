//! What every integration test shares, in one place: include it with `mod support;`.
//!
//! - [`require`]: a test that needs root, a tool or the public captures skips (with a note
//!   saying why) outside CI, and fails in CI (`CI` set), where a missing privilege or tool is a
//!   failure, never a silent skip.
//! - [`BIN`] and [`wirelab`]: the binary under test, through `WIRELAB_TEST_RUNNER` when the
//!   tests were cross-compiled (`scripts/cross-test.sh` runs some test files under qemu).
//! - [`proc::Proc`]: a running process whose output lines can be awaited; Drop kills it.
//! - [`netns::Netns`]: a network namespace; Drop kills what runs in it and deletes it (with
//!   the veth LAN, the virtual lab and tcpdump built on it).
//! - [`golden::check`]: compare with (or, with `WIRELAB_BLESS=1`, write) a golden file.
//! - [`public_captures`]: the directory of the shared sample captures.
//! - [`tshark`]: the reference run with default preferences and read as text (the answer
//!   keys' only view of a capture; [`tshark_rows`] for one map of fields per frame).
//! - [`services`]: the real application servers and clients of `scripts/make-app-captures.sh`
//!   (what they need, a scratch directory, the run).
//! - [`walk`]: a walkthrough (`scripts/labs/*.sh`) run end to end in a lab of its own;
//!   [`lab_cli`]: `wirelab lab …` commands' output; [`lab_chat`]: a SIMP chat through the
//!   lab's lossy switch; [`traceroute`]: a trace's probes and answers as tshark reads them.
//!
//! Nothing here needs root or a namespace to compile or to be loaded; only calling the
//! namespace helpers does.
#![allow(dead_code)]

pub mod demo;
pub mod golden;
pub mod key;
pub mod lab_chat;
pub mod lab_checks;
pub mod lab_cli;
pub mod netns;
pub mod proc;
pub mod services;
pub mod simp;
pub mod tmux;
pub mod traceroute;
pub mod tshark;
pub mod walk;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `wirelab` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_wirelab");

/// The repository's root directory.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A path under the repository's root.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

/// A command that runs `wirelab`, through the emulator named in `WIRELAB_TEST_RUNNER` when it
/// is set (e.g. `qemu-aarch64-static -L /`: without binfmt_misc the kernel cannot start an Arm
/// program by itself). Natively the variable is unset and this is `Command::new(BIN)`.
pub fn wirelab() -> Command {
    let runner = std::env::var("WIRELAB_TEST_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    match words.next() {
        Some(program) => {
            let mut cmd = Command::new(program);
            cmd.args(words).arg(BIN);
            cmd
        }
        None => Command::new(BIN),
    }
}

/// `wirelab` run by `setpriv` as nobody: uid and gid 65534, no groups, no inherited
/// capabilities (add the arguments).
pub fn wirelab_as_nobody() -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=-all",
        BIN,
    ]);
    cmd
}

/// What a test needs from the machine.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// Root: network namespaces, raw sockets (the effective UID is 0).
    Root,
    /// A program on `PATH` (a reference such as tshark or tcpdump, or tmux).
    Tool(&'static str),
    /// The shared sample captures ([`public_captures`]).
    PublicCaptures,
}

/// True when the tests run in CI: `CI` is set (and not empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// True when the effective UID is 0 (read from `/proc/self/status`).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

/// True when `program` can be started.
pub fn has_tool(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The directory of the shared sample captures: `$WIRELAB_PUBLIC_CAPTURES`, by default
/// `../shared/captures-public` beside the repository.
pub fn public_captures() -> PathBuf {
    std::env::var_os("WIRELAB_PUBLIC_CAPTURES")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("../shared/captures-public"))
}

/// One of the shared sample captures (it may be missing: [`require`] it first).
pub fn public_capture(name: &str) -> PathBuf {
    public_captures().join(name)
}

/// True when the test may go on. Otherwise, outside CI, prints why the test is skipped and
/// returns false; in CI panics: there a missing privilege, tool or data set is a failure.
pub fn require(need: Need) -> bool {
    let missing = match need {
        Need::Root if is_root() => return true,
        Need::Root => "root (network namespaces, raw sockets)".to_string(),
        Need::Tool(program) if has_tool(program) => return true,
        Need::Tool(program) => format!("{program} (.ci/run installs it)"),
        Need::PublicCaptures if public_captures().is_dir() => return true,
        Need::PublicCaptures => format!(
            "the public captures at {} (set WIRELAB_PUBLIC_CAPTURES)",
            public_captures().display()
        ),
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_string();
    assert!(!in_ci(), "CI is set: {test} needs {missing}");
    eprintln!("{test}: skipping what needs {missing}");
    false
}

/// Runs a command to completion and panics with its stderr when it fails.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a command to completion and returns what happened, whatever its exit status.
pub fn run_status(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
}

/// `tshark -n -r FILE -Y FILTER -T fields -e NAME…` with default preferences, one map per
/// frame from field name to its text (several occurrences joined by `|`; a field the frame
/// lacks is empty). The answer keys' plain reading of tshark.
pub fn tshark_rows(file: &Path, filter: &str, names: &[&str]) -> Vec<tshark::Row> {
    tshark_rows_joined(file, filter, names, '|')
}

/// [`tshark_rows`] with several occurrences of a field joined by `sep`.
pub fn tshark_rows_joined(
    file: &Path,
    filter: &str,
    names: &[&str],
    sep: char,
) -> Vec<tshark::Row> {
    let aggregator = format!("aggregator={sep}");
    tshark::rows_with(file, &["-Y", filter, "-E", &aggregator], names)
}

/// `tshark -n -r FILE -T fields -e …`, one row of fields per frame.
pub fn tshark_fields(file: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(file).args(["-T", "fields"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = run(&mut cmd);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

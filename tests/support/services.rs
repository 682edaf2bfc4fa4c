//! Real application servers and clients (`scripts/make-app-captures.sh`): what they need, a
//! scratch directory for their captures, and the run itself.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Need, in_ci, repo, require};

/// The programs `scripts/make-app-captures.sh` runs (`.ci/run` installs them).
pub const TOOLS: &[&str] = &[
    "tcpdump", "curl", "dnsmasq", "dig", "nslookup", "udhcpc", "dhclient", "openssl", "python3",
];

/// dnsmasq's own arguments for a test's server: in the foreground, as root, with no
/// configuration file, no resolv.conf, no hosts file (add what it serves).
pub const DNSMASQ: &[&str] = &[
    "-k",
    "--conf-file=/dev/null",
    "--no-resolv",
    "--no-hosts",
    "--no-poll",
    "--user=root",
    "--group=root",
];

/// The Python packages the SMTP and FTP servers come from (`.ci/run` installs them with pip).
pub const PYTHON_MODULES: &[&str] = &["aiosmtpd", "pyftpdlib"];

/// The captures the script writes, one per service.
pub const CAPTURES: &[&str] = &[
    "http.pcap",
    "dns.pcap",
    "dhcp.pcap",
    "tls12.pcap",
    "tls13.pcap",
    "smtp.pcap",
    "ftp.pcap",
    "pop.pcap",
    "imap.pcap",
    "names.pcap",
    "dhcpv6.pcap",
];

/// True when root, every tool of [`TOOLS`] and every module of [`PYTHON_MODULES`] are there;
/// otherwise skips (outside CI) or fails (in CI) as [`require`] does.
pub fn require_all() -> bool {
    if !require(Need::Root) {
        return false;
    }
    for tool in TOOLS {
        if !require(Need::Tool(tool)) {
            return false;
        }
    }
    let missing: Vec<&str> = PYTHON_MODULES
        .iter()
        .copied()
        .filter(|m| {
            !Command::new("python3")
                .args(["-c", &format!("import {m}")])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_string();
    let what = format!("the Python packages {missing:?} (.ci/run installs them)");
    assert!(!in_ci(), "CI is set: {test} needs {what}");
    eprintln!("{test}: skipping what needs {what}");
    false
}

/// A fresh directory under the system's temporary directory, deleted (with what it holds)
/// on Drop.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Creates `$TMPDIR/wirelab-<tag>-<pid>-<nanoseconds>`.
    pub fn new(tag: &str) -> Scratch {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("wirelab-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Scratch { path }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs `scripts/make-app-captures.sh DIR` (at most 10 minutes; the script bounds each of
/// its own waits) and returns the captures it wrote, in [`CAPTURES`] order. Panics with the
/// end of the script's log when it fails or a capture is missing.
pub fn make_app_captures(dir: &Path) -> Vec<PathBuf> {
    let script = repo("scripts/make-app-captures.sh");
    let out = Command::new("timeout")
        .args(["-k", "10", "600"])
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let log = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = log.lines().rev().take(30).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    assert!(
        out.status.success(),
        "{} failed ({}); its log ends:\n{}",
        script.display(),
        out.status,
        tail.join("\n")
    );
    CAPTURES
        .iter()
        .map(|name| {
            let p = dir.join(name);
            assert!(
                p.metadata().is_ok_and(|m| m.len() > 24),
                "{} did not write {name}; its log ends:\n{}",
                script.display(),
                tail.join("\n")
            );
            p
        })
        .collect()
}

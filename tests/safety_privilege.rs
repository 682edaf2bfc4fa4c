//! Issue 21, "least privilege": a copy of the binary given only `cap_net_raw=eip` (the least
//! set: promiscuous mode is asked of the packet socket, which needs no CAP_NET_ADMIN) and run
//! as `nobody` holds no capability while `read` parses a file, and none once `capture` has
//! opened its ring, which still captures. Read from `/proc/PID/status` while it runs.
//!
//! Needs root (setcap, setpriv, a network namespace): skipped with a note when not root,
//! unless CI is set (then it fails).

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{BIN, Need, netns::Netns, proc::WAIT, require};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The least set the README recommends.
const CAPS: &str = "cap_net_raw=eip";

/// A directory `nobody` can enter, with a setcap'ed copy of the binary and a folder it may
/// write to.
struct Setup {
    dir: tempfile::TempDir,
    bin: PathBuf,
    out: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = dir.path().join("wirelab");
    std::fs::copy(BIN, &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let set = Command::new("setcap").arg(CAPS).arg(&bin).output().unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
    Setup { dir, bin, out }
}

/// `cmd` run as nobody (uid/gid 65534, no groups, no inherited capabilities): setpriv and
/// `ip netns exec` exec, so the child's pid is wirelab's.
fn as_nobody(prefix: &[&str], bin: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(prefix.first().copied().unwrap_or("setpriv"));
    if !prefix.is_empty() {
        cmd.args(&prefix[1..]).arg("setpriv");
    }
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=-all",
        "--",
    ])
    .arg(bin)
    .args(args);
    cmd
}

/// `(CapEff, CapPrm, NoNewPrivs)` of `pid`, once it runs wirelab (after setpriv's exec).
fn caps_of(pid: u32) -> (u64, u64, String) {
    let deadline = Instant::now() + WAIT;
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        if field("Name:") == "wirelab" {
            let hex = |s: String| u64::from_str_radix(&s, 16).unwrap();
            return (
                hex(field("CapEff:")),
                hex(field("CapPrm:")),
                field("NoNewPrivs:"),
            );
        }
        assert!(Instant::now() < deadline, "it never ran wirelab: {status}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The first line of `child`'s stream that contains `needle` (the reader then keeps draining).
fn wait_line(stream: impl std::io::Read + Send + 'static, needle: &'static str) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if !sent && line.contains(needle) {
                let _ = tx.send(());
                sent = true;
            }
        }
    });
    rx.recv_timeout(WAIT)
        .unwrap_or_else(|_| panic!("no line with {needle:?}"));
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn read_parses_a_file_with_no_capability() {
    if !require(Need::Root) {
        return;
    }
    let s = setup();
    let file = s.dir.path().join("c.pcapng");
    std::fs::copy(Path::new(ROOT).join("captures/tcp-analysis.pcapng"), &file).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    // --realtime keeps it parsing for the capture's 2.4 s.
    let mut child = Kill(
        as_nobody(&[], &s.bin, &["read", file.to_str().unwrap(), "--realtime"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    wait_line(child.0.stdout.take().unwrap(), "→");
    let (eff, prm, nnp) = caps_of(pid);
    assert!(child.0.try_wait().unwrap().is_none(), "read ended too soon");
    assert_eq!(
        (eff, prm),
        (0, 0),
        "CapEff {eff:#x}, CapPrm {prm:#x} while parsing"
    );
    assert_eq!(nnp, "1", "NoNewPrivs");
    assert!(child.0.wait().unwrap().success());
}

#[test]
fn capture_drops_its_capability_once_the_ring_is_open_and_still_captures() {
    if !require(Need::Root) {
        return;
    }
    let s = setup();
    let ns = Netns::new("priv");
    let file = s.out.join("lo.pcapng");
    // Promiscuous (the default): PACKET_ADD_MEMBERSHIP needs only CAP_NET_RAW.
    let mut child = Kill(
        as_nobody(
            &["ip", "netns", "exec", &ns.name],
            &s.bin,
            &[
                "capture",
                "-i",
                "lo",
                "-c",
                "6",
                "-q",
                "-w",
                file.to_str().unwrap(),
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap(),
    );
    let pid = child.0.id();
    wait_line(child.0.stderr.take().unwrap(), "capturing on lo");
    let (eff, prm, nnp) = caps_of(pid);
    assert_eq!(
        (eff, prm),
        (0, 0),
        "CapEff {eff:#x}, CapPrm {prm:#x} while capturing"
    );
    assert_eq!(nnp, "1", "NoNewPrivs");
    // Frames still arrive: UDP datagrams on lo (and the kernel's ICMP answers).
    let sent = ns
        .command("python3")
        .args([
            "-c",
            "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n\
             for i in range(10):\n s.sendto(b'wirelab %d' % i,('127.0.0.1',9)); time.sleep(0.05)",
        ])
        .output()
        .unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(st) = child.0.try_wait().unwrap() {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "capture did not stop after 6 frames"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    let read = Command::new(BIN)
        .args(["read", file.to_str().unwrap(), "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&read.stdout);
    assert_eq!(
        text.matches("127.0.0.1").count(),
        12,
        "6 frames expected:\n{text}"
    );
    assert!(text.contains("UDP"), "{text}");
}

#[test]
fn serve_drops_its_capability_once_the_ring_is_open() {
    if !require(Need::Root) {
        return;
    }
    let s = setup();
    let ns = Netns::new("privs");
    let mut child = Kill(
        as_nobody(
            &["ip", "netns", "exec", &ns.name],
            &s.bin,
            &["serve", "--port", "8080", "-i", "lo", "--color", "never"],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap(),
    );
    let pid = child.0.id();
    wait_line(child.0.stderr.take().unwrap(), "serving TCP port 8080");
    let (eff, prm, nnp) = caps_of(pid);
    assert_eq!(
        (eff, prm),
        (0, 0),
        "CapEff {eff:#x}, CapPrm {prm:#x} while serving"
    );
    assert_eq!(nnp, "1", "NoNewPrivs");
    // Every thread (the accept loop, the capture's) holds none either.
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let status = std::fs::read_to_string(task.unwrap().path().join("status")).unwrap();
        let eff = status.lines().find(|l| l.starts_with("CapEff:")).unwrap();
        assert!(eff.ends_with("0000000000000000"), "a thread kept {eff}");
    }
    assert!(child.0.try_wait().unwrap().is_none(), "serve stopped");
}

//! Issue 21, "`-` means a pipe", as in tcpdump and tshark: `read -` reads a capture from
//! standard input; `capture -w -`, `craft -w -` and `ping -w -` write pcapng to standard
//! output, their terminal output then on standard error. Checked through real pipes (the live
//! ones in network namespaces, as root).

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::{BIN, Need, netns::Lan, netns::Netns, require};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

/// `wirelab read -` with `input` piped to it.
fn read_stdin(input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(["read", "-", "--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

#[test]
fn read_dash_reads_a_capture_from_a_pipe() {
    let file = Path::new(ROOT).join("captures/tcp-analysis.pcapng");
    let direct = Command::new(BIN)
        .args(["read", file.to_str().unwrap(), "--color", "never"])
        .output()
        .unwrap();
    let piped = read_stdin(&std::fs::read(&file).unwrap());
    assert!(
        piped.status.success(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    assert!(!piped.stdout.is_empty());
    assert_eq!(piped.stdout, direct.stdout);
}

/// Runs `cmd` (stdout a pipe) and checks it wrote pcapng there; returns (stdout as `read -`
/// shows it, stderr).
fn pcapng_on_stdout(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.stdout.len() > 4, "nothing on stdout; stderr:\n{err}");
    assert_eq!(
        out.stdout[..4],
        PCAPNG_MAGIC,
        "stdout is not pcapng; stderr:\n{err}"
    );
    let shown = read_stdin(&out.stdout);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    (String::from_utf8_lossy(&shown.stdout).into_owned(), err)
}

#[test]
fn capture_writes_pcapng_to_stdout_and_its_list_to_stderr() {
    if !require(Need::Root) {
        return;
    }
    let ns = Netns::new("pipe");
    let mut cmd = ns.wirelab();
    cmd.args([
        "capture", "-i", "lo", "-c", "4", "--color", "never", "-w", "-",
    ]);
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Traffic until the capture has its 4 frames.
    let sender = ns
        .command("python3")
        .args([
            "-c",
            "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n\
             for i in range(100):\n s.sendto(b'pipe',('127.0.0.1',9)); time.sleep(0.1)",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let mut sender = sender;
    let _ = sender.kill();
    let _ = sender.wait();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    assert_eq!(out.stdout[..4], PCAPNG_MAGIC, "{err}");
    assert!(
        err.contains("127.0.0.1"),
        "the packet list is not on stderr:\n{err}"
    );
    let shown = read_stdin(&out.stdout);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(
        text.lines().filter(|l| l.contains("127.0.0.1")).count(),
        4,
        "{text}"
    );
    assert!(!Path::new("-").exists(), "a file named - was written");
}

#[test]
fn craft_and_ping_write_pcapng_to_stdout() {
    if !require(Need::Root) {
        return;
    }
    let lan = Lan::new("pp");
    let (shown, err) = pcapng_on_stdout(
        lan.client
            .wirelab()
            .args(["ping", "10.0.3.1", "-i", "eth0", "-c", "1", "-w", "-"]),
    );
    assert!(err.contains("64 bytes from 10.0.3.1"), "{err}");
    assert!(shown.contains("Echo (ping) request"), "{shown}");
    assert!(shown.contains("Echo (ping) reply"), "{shown}");

    // Nothing listens on port 9: SYN, then the server kernel's RST.
    let (shown, err) = pcapng_on_stdout(lan.client.wirelab().args([
        "craft",
        "-i",
        "eth0",
        "--to",
        "10.0.3.1:9",
        "--message",
        "hi",
        "--syn-retries",
        "0",
        "-w",
        "-",
    ]));
    assert!(
        err.contains("RST"),
        "the frame list is not on stderr:\n{err}"
    );
    assert!(shown.contains("[SYN]"), "{shown}");
    assert!(shown.contains("RST"), "{shown}");
}

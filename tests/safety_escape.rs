//! Issue 21, "no terminal injection from the network": a peer sends ANSI (`ESC [ 2 J`), OSC
//! (`ESC ] 0 ; title BEL`, `ESC ] 52` clipboard) sequences, C1 controls (U+009B CSI in UTF-8,
//! and a lone 0x9b byte) to `serve`, `tcp-server`, `udp-server`, and back to `tcp-client` and
//! `udp-client`; none of it reaches their stdout or stderr as ESC (0x1b) or a C1 byte
//! (UTF-8 0xc2 0x80–0x9f), and the text is still there, escaped. Runs in a fresh network
//! namespace (root), on its loopback.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{Need, netns::Netns, proc::WAIT, require};

/// What a hostile peer sends: retitle, clear, CSI as a C1 control, a lone 0x9b, clipboard.
const HOSTILE: &[u8] = b"\x1b]0;pwned\x07\x1b[2J\xc2\x9b31mred \x9b\x1b]52;c;aGk=\x07 end\n";
/// The same as text (valid UTF-8 only) for `--reply`.
const HOSTILE_TEXT: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31mred \u{1b}]52;c;aGk=\u{7} end";

/// A process whose stdout and stderr go to files, killed on drop.
struct Run {
    child: Child,
    out: PathBuf,
    err: PathBuf,
}

impl Run {
    fn start(ns: &Netns, dir: &Path, name: &str, args: &[&str]) -> Run {
        let out = dir.join(format!("{name}.out"));
        let err = dir.join(format!("{name}.err"));
        let child = ns
            .wirelab()
            .args(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        Run { child, out, err }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut all = std::fs::read(&self.out).unwrap_or_default();
        all.extend(std::fs::read(&self.err).unwrap_or_default());
        all
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while !String::from_utf8_lossy(&self.bytes()).contains(text) {
            assert!(Instant::now() < deadline, "no {text:?} in {}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + WAIT;
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "did not stop: {}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Panics if `bytes` hold ESC or a C1 control (raw or UTF-8 encoded).
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !bytes.contains(&0x1b),
        "{what}: ESC reached the output:\n{text}"
    );
    assert!(
        !bytes
            .windows(2)
            .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1])),
        "{what}: a C1 control reached the output:\n{text}"
    );
    assert!(
        !bytes.contains(&0x9b) || bytes.windows(2).all(|w| w[1] != 0x9b || w[0] >= 0xc0),
        "{what}: a raw 0x9b reached the output"
    );
    assert!(!bytes.contains(&0x07), "{what}: BEL reached the output");
}

/// Sends `payload` with python3 inside `ns` (TCP, or UDP with `udp`), reading any answer.
fn send(ns: &Netns, port: u16, payload: &[u8], udp: bool) {
    let hex: String = payload.iter().map(|b| format!("{b:02x}")).collect();
    let script = if udp {
        format!(
            "import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(5);\
             s.sendto(bytes.fromhex('{hex}'),('127.0.0.1',{port}));s.recvfrom(65536)"
        )
    } else {
        format!(
            "import socket;s=socket.create_connection(('127.0.0.1',{port}),5);\
             s.sendall(bytes.fromhex('{hex}'));s.recv(65536);s.close()"
        )
    };
    let st = ns
        .command("python3")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(st.success(), "python3 sender failed");
}

#[test]
fn serve_and_the_socket_demos_escape_what_peers_send() {
    if !require(Need::Root) {
        return;
    }
    let ns = Netns::new("esc");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let mut serve = Run::start(
        &ns,
        d,
        "serve",
        &["serve", "--port", "8080", "-i", "lo", "--color", "never"],
    );
    serve.wait_for("serving TCP port 8080");
    let mut tcp = Run::start(
        &ns,
        d,
        "tcp-server",
        &[
            "tcp-server",
            "--bind",
            "127.0.0.1",
            "--port",
            "8081",
            "--reply",
            HOSTILE_TEXT,
        ],
    );
    tcp.wait_for("listening on");
    let mut udp = Run::start(
        &ns,
        d,
        "udp-server",
        &[
            "udp-server",
            "--bind",
            "127.0.0.1",
            "--port",
            "8082",
            "--reply",
            HOSTILE_TEXT,
        ],
    );
    udp.wait_for("8082");

    send(&ns, 8080, HOSTILE, false);
    send(&ns, 8081, HOSTILE, false);
    send(&ns, 8082, HOSTILE, true);
    // The clients get the hostile reply from the servers.
    let tcp_client = ns
        .wirelab()
        .args(["tcp-client", "127.0.0.1:8081", "--message", HOSTILE_TEXT])
        .output()
        .unwrap();
    let udp_client = ns
        .wirelab()
        .args(["udp-client", "127.0.0.1:8082", "--message", HOSTILE_TEXT])
        .output()
        .unwrap();

    serve.wait_for("disconnected");
    tcp.wait_for("pwned");
    udp.wait_for("pwned");
    std::thread::sleep(Duration::from_millis(300));
    serve.stop();
    tcp.stop();
    udp.stop();

    for (what, bytes) in [
        ("serve", serve.bytes()),
        ("tcp-server", tcp.bytes()),
        ("udp-server", udp.bytes()),
        (
            "tcp-client",
            [tcp_client.stdout, tcp_client.stderr].concat(),
        ),
        (
            "udp-client",
            [udp_client.stdout, udp_client.stderr].concat(),
        ),
    ] {
        assert_terminal_safe(what, &bytes);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("\\x1b]0;pwned"),
            "{what}: the text is gone:\n{text}"
        );
        assert!(
            text.contains("\\u{9b}31mred"),
            "{what}: the C1 control is not shown:\n{text}"
        );
    }
    // serve shows the data twice: as it arrives (stderr) and in the connection's summary.
    assert!(
        serve.text().matches("\\x1b[2J").count() >= 2,
        "{}",
        serve.text()
    );
}

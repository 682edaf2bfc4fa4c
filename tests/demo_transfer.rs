//! End-to-end tests of `wirelab send-file` / `wirelab recv-file` on loopback: a 50 MB file
//! arrives intact with its BLAKE3 digest, hostile names never leave the directory, existing
//! files are kept, an early disconnect or a wrong digest leaves no file, and 20 senders at once
//! all succeed. Raw std sockets play the misbehaving senders.

mod support;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use support::demo::{read_exactly, run};
use support::proc::{Proc, Stream, WAIT};

/// Deterministic, non-repeating test data (xorshift), so a misplaced block is noticed.
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|err| panic!("no temporary directory: {err}"))
}

fn receiver(dir: &Path, extra: &[&str]) -> (Proc, u16) {
    let dir = dir.to_string_lossy().into_owned();
    let mut args = vec![
        "recv-file",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--dir",
        &dir,
    ];
    args.extend_from_slice(extra);
    let proc = Proc::wirelab("recv-file", &args);
    let port = proc.listening_port();
    (proc, port)
}

fn write_file(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
}

/// Every entry of a directory (hidden temporary files included).
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn send(port: u16, file: &Path, name: Option<&str>) -> (std::process::ExitStatus, Proc) {
    let target = format!("127.0.0.1:{port}");
    let file = file.to_string_lossy().into_owned();
    let mut args = vec!["send-file", target.as_str(), file.as_str()];
    if let Some(name) = name {
        args.extend_from_slice(&["--name", name]);
    }
    run("send-file", &args, "")
}

/// A raw sender: connect, send a header announcing `size` bytes as `name`.
fn raw_sender(port: u16, name: &[u8], size: u64) -> TcpStream {
    let mut conn = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|err| panic!("connect failed: {err}"));
    let _ = conn.set_read_timeout(Some(WAIT));
    let mut header = b"WLFT\x01".to_vec();
    header.extend_from_slice(&(name.len() as u16).to_be_bytes());
    header.extend_from_slice(name);
    header.extend_from_slice(&size.to_be_bytes());
    conn.write_all(&header)
        .unwrap_or_else(|err| panic!("header not sent: {err}"));
    conn
}

/// Reads one verdict: (status, message).
fn read_verdict(conn: &mut TcpStream) -> (u8, String) {
    let head = read_exactly(conn, 3);
    let len = usize::from(u16::from_be_bytes([head[1], head[2]]));
    let msg = read_exactly(conn, len);
    (head[0], String::from_utf8_lossy(&msg).into_owned())
}

#[test]
fn a_50_mb_file_arrives_intact_with_its_blake3_digest() {
    let src_dir = tempdir();
    let rx_dir = tempdir();
    let bytes = data(50 * 1000 * 1000, 42);
    let src = src_dir.path().join("big.bin");
    write_file(&src, &bytes);
    let (rx, port) = receiver(rx_dir.path(), &[]);
    let (status, sender) = send(port, &src, None);
    assert!(status.success(), "{}", sender.transcript());
    // The digest both sides report is BLAKE3 of the data (computed here independently).
    let digest = blake3::hash(&bytes).to_hex().to_string();
    assert!(
        sender.position(&format!("BLAKE3 {digest}")).is_some(),
        "{}",
        sender.transcript()
    );
    assert!(
        sender
            .position("receiver: saved as big.bin (50000000 bytes), BLAKE3 digest verified")
            .is_some()
    );
    assert!(sender.position("sent 50000000 bytes").is_some());
    rx.wait_for(&format!("BLAKE3 {digest} matches: saved"));
    rx.wait_for("received 50000000 bytes");
    let got = fs::read(rx_dir.path().join("big.bin")).unwrap_or_default();
    assert!(got == bytes, "the received file differs");
    assert_eq!(entries(rx_dir.path()), ["big.bin"]);
}

#[test]
fn hostile_names_are_refused_and_nothing_leaves_the_directory() {
    let base = tempdir();
    let rx_dir = base.path().join("rx");
    fs::create_dir(&rx_dir).unwrap_or_else(|err| panic!("{err}"));
    let src = base.path().join("payload");
    write_file(&src, b"not for you");
    let (rx, port) = receiver(&rx_dir, &[]);
    let absolute = base.path().join("absolute").to_string_lossy().into_owned();
    let long = "x".repeat(256);
    let hostile = [
        "../escaped",
        "../../escaped",
        absolute.as_str(),
        "sub/dir",
        "..",
        ".",
        "a..b",
        "back\\slash",
        "new\nline",
        "esc\u{1b}[31m",
        "nul\u{7f}",
        long.as_str(),
    ];
    for name in hostile {
        let (status, sender) = send(port, &src, Some(name));
        assert!(!status.success(), "{name:?} was accepted");
        let err = sender.lines_of(Stream::Err).join("\n");
        assert!(
            err.contains("the receiver refused the file"),
            "{name:?}: {err}"
        );
    }
    rx.wait_nth("error: refused the name", hostile.len());
    // An empty name and a name that is not UTF-8 (only a raw sender can send those).
    for name in [&b""[..], &[0x66, 0xff, 0x6f][..]] {
        let mut conn = raw_sender(port, name, 3);
        let (status, msg) = read_verdict(&mut conn);
        assert_eq!(status, 1, "{msg}");
    }
    rx.wait_for("the file name is empty");
    rx.wait_for("the file name is not valid UTF-8");
    assert!(entries(&rx_dir).is_empty(), "{:?}", entries(&rx_dir));
    assert_eq!(entries(base.path()), ["payload", "rx"]);
}

#[test]
fn an_existing_file_is_kept_unless_force() {
    let src_dir = tempdir();
    let rx_dir = tempdir();
    let first = src_dir.path().join("first");
    let second = src_dir.path().join("second");
    write_file(&first, b"first version");
    write_file(&second, b"second version");
    let (rx, port) = receiver(rx_dir.path(), &[]);
    assert!(send(port, &first, Some("report.txt")).0.success());
    let (status, sender) = send(port, &second, Some("report.txt"));
    assert!(!status.success());
    let err = sender.lines_of(Stream::Err).join("\n");
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    rx.wait_for("already exists");
    let kept = fs::read(rx_dir.path().join("report.txt")).unwrap_or_default();
    assert_eq!(kept, b"first version");
    drop(rx);

    let (_rx, port) = receiver(rx_dir.path(), &["--force"]);
    assert!(send(port, &second, Some("report.txt")).0.success());
    let replaced = fs::read(rx_dir.path().join("report.txt")).unwrap_or_default();
    assert_eq!(replaced, b"second version");
    assert_eq!(entries(rx_dir.path()), ["report.txt"]);
}

#[test]
fn an_early_disconnect_leaves_no_file() {
    let rx_dir = tempdir();
    let (rx, port) = receiver(rx_dir.path(), &[]);
    let mut conn = raw_sender(port, b"partial.bin", 10 * 1024 * 1024);
    let (status, msg) = read_verdict(&mut conn);
    assert_eq!(status, 0, "{msg}");
    conn.write_all(&data(1024 * 1024, 7))
        .unwrap_or_else(|err| panic!("{err}"));
    drop(conn);
    rx.wait_for(
        "the sender disconnected after 1048576 of 10485760 bytes; the partial file was removed",
    );
    assert!(
        entries(rx_dir.path()).is_empty(),
        "{:?}",
        entries(rx_dir.path())
    );
}

#[test]
fn a_wrong_digest_is_refused_and_leaves_no_file() {
    let rx_dir = tempdir();
    let (rx, port) = receiver(rx_dir.path(), &[]);
    let bytes = data(100_000, 9);
    let mut conn = raw_sender(port, b"tampered.bin", bytes.len() as u64);
    assert_eq!(read_verdict(&mut conn).0, 0);
    conn.write_all(&bytes).unwrap_or_else(|err| panic!("{err}"));
    let mut wrong = *blake3::hash(&bytes).as_bytes();
    wrong[0] ^= 1;
    conn.write_all(&wrong).unwrap_or_else(|err| panic!("{err}"));
    let (status, msg) = read_verdict(&mut conn);
    assert_eq!(status, 1);
    assert!(msg.contains("BLAKE3 digest mismatch"), "{msg}");
    rx.wait_for("BLAKE3 digest mismatch");
    assert!(
        entries(rx_dir.path()).is_empty(),
        "{:?}",
        entries(rx_dir.path())
    );
}

#[test]
fn a_foreign_protocol_is_refused_politely() {
    let rx_dir = tempdir();
    let (rx, port) = receiver(rx_dir.path(), &[]);
    // What seed 002's Python client sends first.
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|err| panic!("{err}"));
    conn.write_all(b"10>512fileToTest")
        .unwrap_or_else(|err| panic!("{err}"));
    let (status, msg) = read_verdict(&mut conn);
    assert_eq!(status, 1);
    assert!(msg.contains("not a wirelab send-file stream"), "{msg}");
    rx.wait_for("not a wirelab send-file stream");
    assert!(entries(rx_dir.path()).is_empty());
}

#[test]
fn twenty_senders_at_once_all_arrive() {
    let src_dir = tempdir();
    let rx_dir = tempdir();
    let (rx, port) = receiver(rx_dir.path(), &[]);

    // Proof of concurrency first: a transfer held open half-way does not block another one.
    let held_bytes = data(2 * 1024 * 1024, 99);
    let mut held = raw_sender(port, b"held.bin", held_bytes.len() as u64);
    assert_eq!(read_verdict(&mut held).0, 0);
    held.write_all(&held_bytes[..1024 * 1024])
        .unwrap_or_else(|err| panic!("{err}"));

    let target = format!("127.0.0.1:{port}");
    let mut files = Vec::new();
    for i in 0..20u64 {
        let bytes = data(1_000_000 + i as usize * 1000, 1000 + i);
        let path: PathBuf = src_dir.path().join(format!("file-{i:02}.bin"));
        write_file(&path, &bytes);
        files.push((path, bytes));
    }
    let mut senders: Vec<Proc> = files
        .iter()
        .map(|(path, _)| {
            let path = path.to_string_lossy().into_owned();
            Proc::wirelab("send-file", &["send-file", &target, &path])
        })
        .collect();
    for sender in &mut senders {
        let status = sender.wait_exit();
        assert!(status.success(), "{}", sender.transcript());
    }
    rx.wait_nth("matches: saved", 20);

    // The held transfer now finishes too.
    held.write_all(&held_bytes[1024 * 1024..])
        .unwrap_or_else(|err| panic!("{err}"));
    held.write_all(blake3::hash(&held_bytes).as_bytes())
        .unwrap_or_else(|err| panic!("{err}"));
    let (status, msg) = read_verdict(&mut held);
    assert_eq!(status, 0, "{msg}");
    let mut rest = Vec::new();
    let _ = held.read_to_end(&mut rest);

    for (path, bytes) in &files {
        let name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        let got = fs::read(rx_dir.path().join(&name)).unwrap_or_default();
        assert!(&got == bytes, "{name:?} differs");
    }
    assert_eq!(
        fs::read(rx_dir.path().join("held.bin")).unwrap_or_default(),
        held_bytes
    );
    assert_eq!(entries(rx_dir.path()).len(), 21);
}

#[test]
fn sending_to_nobody_says_how_to_start_the_receiver() {
    let src_dir = tempdir();
    let src = src_dir.path().join("f");
    write_file(&src, b"x");
    let port = support::demo::free_port();
    let (status, sender) = send(port, &src, None);
    assert!(!status.success());
    let err = sender.lines_of(Stream::Err).join("\n");
    assert!(
        err.contains(&format!("wirelab recv-file --port {port}")),
        "{err}"
    );
}

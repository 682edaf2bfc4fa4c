//! Helpers for the demo tests on loopback (`demo_*`, `setcap`): sockets with bounded reads,
//! ports, and `wirelab ARGS` run to completion.

use std::io::Read;
use std::net::TcpStream;
use std::process::ExitStatus;

use super::proc::{Proc, WAIT};

/// The port in the first `127.0.0.1:PORT` of a line.
pub fn port_of(line: &str) -> Option<u16> {
    let start = line.find("127.0.0.1:")? + "127.0.0.1:".len();
    let digits: String = line
        .get(start..)?
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// The socket address after `from ` in a "connected to X from Y" line.
pub fn local_addr_of(line: &str) -> String {
    line.split(" from ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|s| s.trim_end_matches(';').to_string())
        .unwrap_or_default()
}

/// Runs `wirelab ARGS` to completion (bounded) with `input` on stdin.
pub fn run(name: &str, args: &[&str], input: &str) -> (ExitStatus, Proc) {
    let mut proc = Proc::wirelab(name, args);
    if !input.is_empty() {
        proc.send_line(input.trim_end_matches('\n'));
    }
    let status = proc.wait_exit();
    (status, proc)
}

/// Reads exactly `n` bytes from `stream` (bounded by [`WAIT`]).
pub fn read_exactly(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let _ = stream.set_read_timeout(Some(WAIT));
    let mut buf = vec![0u8; n];
    if let Err(err) = stream.read_exact(&mut buf) {
        panic!("reading {n} bytes failed: {err}");
    }
    buf
}

/// Reads until the peer closes (bounded by [`WAIT`]).
pub fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let _ = stream.set_read_timeout(Some(WAIT));
    let mut rest = Vec::new();
    if let Err(err) = stream.read_to_end(&mut rest) {
        panic!("reading until close failed: {err}");
    }
    rest
}

/// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|err| panic!("cannot bind a loopback port: {err}"))
}

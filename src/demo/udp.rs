//! The UDP client and server of lab 003: the same exchange as the TCP demo, with datagrams
//! (no connection, no handshake; the server sees each sender's socket address per datagram).

use std::io::{self, BufRead};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use super::options::{UdpClientOptions, UdpServerOptions};
use crate::demo::net::{self, Endpoint};
use crate::demo::say;
use crate::demo::text::printable;

/// Largest UDP payload over IPv4 (65535 - 8 - 20), and then some.
const DATAGRAM_BUF: usize = 65536;

/// Why a UDP exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum UdpError {
    /// An ICMP port unreachable came back.
    #[error("nothing listens on UDP {addr}: the kernel there answered with ICMP 'port unreachable'. Is the server running? start it with `wirelab udp-server --port {port}`", port = addr.port())]
    NoListener {
        /// The server address.
        addr: SocketAddr,
    },
    /// No reply came within the timeout.
    #[error(
        "no reply from {addr} within {secs} s: UDP has no connection, so nothing tells the client whether the datagram arrived or anybody listens (is `wirelab udp-server` running there? is a firewall dropping it?)"
    )]
    NoReply {
        /// The server address.
        addr: SocketAddr,
        /// Seconds waited.
        secs: f64,
    },
    /// Another socket error.
    #[error("UDP exchange with {addr} failed: {source}")]
    Io {
        /// The server address.
        addr: SocketAddr,
        /// The system's error.
        source: io::Error,
    },
}

/// Runs `wirelab udp-server`.
pub fn run_server(args: &UdpServerOptions) -> anyhow::Result<ExitCode> {
    let socket = net::bind_udp(args.bind, args.port)?;
    let local = socket.local_addr().context("reading the bound address")?;
    say!(
        "listening on {local} (UDP: no connection and no handshake; each datagram stands alone \
         and carries its sender's socket address)"
    );
    let mut buf = vec![0u8; DATAGRAM_BUF];
    loop {
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(got) => got,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                say!("receive failed: {err}");
                continue;
            }
        };
        let msg = buf.get(..n).unwrap_or_default();
        say!("datagram from {from} ({n} bytes): {}", printable(msg));
        match socket.send_to(args.reply.as_bytes(), from) {
            Ok(_) => say!("replied to {from}: {}", printable(args.reply.as_bytes())),
            Err(err) => say!("cannot reply to {from}: {err}"),
        }
    }
}

/// Runs `wirelab udp-client`.
pub fn run_client(args: &UdpClientOptions) -> anyhow::Result<ExitCode> {
    let endpoint = Endpoint::parse(&args.server, args.default_port)?;
    let server = *endpoint
        .resolve()?
        .first()
        .context("the server name resolved to no address")?;
    let any: IpAddr = match server {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = net::bind_udp(any, 0)?;
    // connect() on UDP only records the peer (no packet is sent): replies from others are
    // filtered out and an ICMP "port unreachable" is reported on the next receive.
    socket
        .connect(server)
        .with_context(|| format!("setting {server} as the peer"))?;
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .context("--timeout must be a positive number of seconds")?;
    socket
        .set_read_timeout(Some(timeout))
        .context("setting the reply timeout")?;
    let local = socket.local_addr().context("reading the local address")?;
    say!("sending from {local} to {server} (UDP: no connection is set up, no handshake)");
    if args.lines {
        for line in io::stdin().lock().lines() {
            let line = line.context("reading standard input")?;
            let line = line.trim_end_matches('\r');
            match exchange(&socket, server, line.as_bytes(), timeout) {
                Ok(()) => {}
                Err(err @ UdpError::NoReply { .. }) => say!("{err}"),
                Err(err) => return Err(err.into()),
            }
        }
        say!("end of input");
    } else {
        exchange(&socket, server, args.message.as_bytes(), timeout)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends one datagram and prints the reply.
fn exchange(
    socket: &UdpSocket,
    server: SocketAddr,
    message: &[u8],
    timeout: Duration,
) -> Result<(), UdpError> {
    let no_listener = |err: io::Error| match err.kind() {
        io::ErrorKind::ConnectionRefused => UdpError::NoListener { addr: server },
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => UdpError::NoReply {
            addr: server,
            secs: timeout.as_secs_f64(),
        },
        _ => UdpError::Io {
            addr: server,
            source: err,
        },
    };
    socket.send(message).map_err(no_listener)?;
    say!(
        "sent a {}-byte datagram: {}",
        message.len(),
        printable(message)
    );
    let mut buf = vec![0u8; DATAGRAM_BUF];
    loop {
        match socket.recv(&mut buf) {
            Ok(n) => {
                say!(
                    "reply ({n} bytes): {}",
                    printable(buf.get(..n).unwrap_or_default())
                );
                return Ok(());
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(no_listener(err)),
        }
    }
}

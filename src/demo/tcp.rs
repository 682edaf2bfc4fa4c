//! The TCP client and server of labs 003 and 004: one message or a line-by-line chat, with a
//! server that serves one client at a time (the rest wait in the listen backlog) or, with
//! `--threaded`, each client on its own thread.

use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use anyhow::Context as _;

use super::options::{TcpClientOptions, TcpServerOptions};
use crate::demo::net::{self, Endpoint};
use crate::demo::say;
use crate::demo::text::printable;

/// Size of the server's receive buffer (seed 004 uses `recv(1024)`; a bigger one splits less).
const RECV_BUF: usize = 64 * 1024;
/// After this long without a reply the client explains why it may be waiting.
const PATIENCE: Duration = Duration::from_secs(3);

/// Runs `wirelab tcp-server`.
pub fn run_server(args: &TcpServerOptions) -> anyhow::Result<ExitCode> {
    let listener = net::bind_tcp(args.bind, args.port)?;
    let local = listener
        .local_addr()
        .context("reading the listening address")?;
    if args.threaded {
        say!("listening on {local} (TCP, threaded: every client gets its own thread and socket)");
    } else {
        say!(
            "listening on {local} (TCP, one client at a time: others wait in the listen backlog; \
             --threaded serves them at once)"
        );
    }
    let reply = args.reply.as_bytes().to_vec();
    let mut served_one = false;
    loop {
        let (stream, peer, waited) = match accept_next(&listener, served_one) {
            Ok(accepted) => accepted,
            Err(err) => {
                say!("accept failed: {err}; waiting for the next client");
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if waited {
            say!(
                "Got connection from {peer} — it had been waiting in the listen backlog while \
                 the previous client was served (the kernel had already completed its \
                 handshake; only accept() came late)"
            );
        } else {
            say!("Got connection from {peer}");
        }
        if args.threaded {
            let reply = reply.clone();
            let spawned = thread::Builder::new()
                .name(format!("client {peer}"))
                .spawn(move || serve_client(stream, peer, &reply));
            if let Err(err) = spawned {
                say!("cannot start a thread for {peer}: {err}");
            }
        } else {
            serve_client(stream, peer, &reply);
            served_one = true;
        }
    }
}

/// Accepts the next client. After a client was served, a connection that is already queued is
/// reported as one that waited in the backlog (`waited` = true).
fn accept_next(
    listener: &TcpListener,
    served_one: bool,
) -> io::Result<(TcpStream, SocketAddr, bool)> {
    if served_one {
        listener.set_nonblocking(true)?;
        let queued = listener.accept();
        listener.set_nonblocking(false)?;
        match queued {
            Ok((stream, peer)) => {
                stream.set_nonblocking(false)?;
                return Ok((stream, peer, true));
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(err) => return Err(err),
        }
    }
    let (stream, peer) = listener.accept()?;
    Ok((stream, peer, false))
}

/// Serves one client until it closes: print each message with its socket address, reply.
fn serve_client(mut stream: TcpStream, peer: SocketAddr, reply: &[u8]) {
    let mut buf = vec![0u8; RECV_BUF];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => {
                say!("{peer} closed the connection");
                return;
            }
            Ok(n) => {
                let msg = buf.get(..n).unwrap_or_default();
                say!("{peer} says: {}", printable(msg));
                if let Err(err) = stream.write_all(reply) {
                    say!("cannot reply to {peer}: {err}");
                    return;
                }
                say!("replied to {peer}: {}", printable(reply));
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => {
                say!("connection with {peer} failed: {err}");
                return;
            }
        }
    }
}

/// Runs `wirelab tcp-client`.
pub fn run_client(args: &TcpClientOptions) -> anyhow::Result<ExitCode> {
    let endpoint = Endpoint::parse(&args.server, args.default_port)?;
    let hint = format!("wirelab tcp-server --port {}", endpoint.port);
    let mut stream = net::connect(&endpoint, &hint)?;
    let peer = stream.peer_addr().context("reading the server address")?;
    let local = stream.local_addr().context("reading the local address")?;
    say!("connected to {peer} from {local} (the kernel picked the client port)");
    if args.lines {
        let stdin = io::stdin();
        chat_lines(&mut stream, stdin.lock())?;
    } else {
        exchange(&mut stream, args.message.as_bytes())?;
    }
    // Closing sends our FIN; ignore a peer that already left.
    let _ = stream.shutdown(Shutdown::Both);
    say!("connection closed");
    Ok(ExitCode::SUCCESS)
}

/// Sends one message and prints the reply (seed 004).
fn exchange(stream: &mut TcpStream, message: &[u8]) -> anyhow::Result<()> {
    if message.is_empty() {
        anyhow::bail!("the message is empty: TCP would send nothing; give one with --message");
    }
    stream.write_all(message).context("sending the message")?;
    say!("sent {} bytes: {}", message.len(), printable(message));
    let reply = read_reply(stream)?;
    say!("{}", printable(&reply));
    Ok(())
}

/// Sends each input line (without its newline) and prints each reply (seed 003).
fn chat_lines(stream: &mut TcpStream, input: impl BufRead) -> anyhow::Result<()> {
    for line in input.lines() {
        let line = line.context("reading standard input")?;
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            say!("(empty line not sent: TCP would send no bytes, so no reply would come)");
            continue;
        }
        stream
            .write_all(line.as_bytes())
            .context("sending the line (has the server gone?)")?;
        say!("sent {} bytes: {}", line.len(), printable(line.as_bytes()));
        let reply = read_reply(stream)?;
        say!("reply: {}", printable(&reply));
    }
    say!("end of input");
    Ok(())
}

/// Waits for the server's reply; after a while, explains why it may not come yet.
fn read_reply(stream: &mut TcpStream) -> anyhow::Result<Vec<u8>> {
    let mut buf = vec![0u8; RECV_BUF];
    stream
        .set_read_timeout(Some(PATIENCE))
        .context("setting a read timeout")?;
    let mut told = false;
    loop {
        match stream.read(&mut buf) {
            Ok(0) => anyhow::bail!("the server closed the connection without replying"),
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) && !told =>
            {
                say!(
                    "no reply yet after {} s: the server may be busy with another client. A \
                     server that serves one client at a time leaves new connections waiting in \
                     its listen backlog (the kernel did the handshake, so connect() succeeded \
                     and the data is queued). Still waiting; Ctrl-C to give up.",
                    PATIENCE.as_secs()
                );
                told = true;
                stream
                    .set_read_timeout(None)
                    .context("clearing the read timeout")?;
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err).context("waiting for the reply"),
        }
    }
}

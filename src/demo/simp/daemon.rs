//! The SIMP daemon's I/O: drives a [`Peer`] with a UDP socket (other daemons), a TCP listener
//! (its one client) and the clock.
//!
//! Threads only read (UDP datagrams, new connections, client lines) and pass what they read to
//! the main loop over a channel; the main loop alone owns the [`Peer`] and writes. On stdout the
//! daemon prints one `daemon: listening ...` line once both sockets are bound; its log goes to
//! stderr, one line per datagram sent, received, dropped or malformed.
//!
//! The client link is line-based text over TCP (see `mod.rs`): the client's lines go to
//! [`Peer::client_line`], [`Event::Client`] lines go back, each ending in `\n`.

use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Instant;

use anyhow::Context as _;

use super::peer::{Event, Peer, PeerConfig};
use crate::decode::simp::{self, CLIENT_PORT, DAEMON_PORT};
use crate::link::lossy::LossInjector;

/// Longest line accepted from a client, in bytes; longer input is cut into pieces this long.
const MAX_LINE: u64 = 8 * 1024;

/// What the reader threads hand to the main loop.
enum Input {
    Datagram(SocketAddr, Vec<u8>),
    Connected(TcpStream),
    Line(u64, String),
    Gone(u64),
}

/// How to run one daemon.
#[derive(Debug, Clone)]
pub struct DaemonOptions {
    /// Address to bind (UDP 7777 and TCP 7778).
    pub ip: IpAddr,
    /// Timeout and retries.
    pub config: PeerConfig,
    /// TEST ONLY loss injector on the send path.
    pub loss: Option<LossInjector>,
}

/// Runs the daemon until it is killed (or a socket fails).
pub fn run(opts: DaemonOptions) -> anyhow::Result<ExitCode> {
    let udp = UdpSocket::bind((opts.ip, DAEMON_PORT))
        .with_context(|| format!("binding UDP {}", SocketAddr::new(opts.ip, DAEMON_PORT)))?;
    let listener = TcpListener::bind((opts.ip, CLIENT_PORT))
        .with_context(|| format!("binding TCP {}", SocketAddr::new(opts.ip, CLIENT_PORT)))?;
    let (tx, rx) = mpsc::channel();
    spawn_udp_reader(
        udp.try_clone().context("cloning the UDP socket")?,
        tx.clone(),
    );
    spawn_acceptor(listener, tx.clone());
    println!(
        "daemon: listening on udp {} (daemons) and tcp {} (client), timeout {:?}",
        SocketAddr::new(opts.ip, DAEMON_PORT),
        SocketAddr::new(opts.ip, CLIENT_PORT),
        opts.config.timeout
    );
    if let Some(loss) = &opts.loss {
        log(
            Instant::now(),
            &format!("TEST ONLY loss injector active: {loss:?}"),
        );
    }
    let mut main = MainLoop {
        peer: Peer::new(opts.config),
        udp,
        loss: opts.loss,
        client: None,
        next_client_id: 0,
        started: Instant::now(),
        tx,
    };
    main.run(&rx);
    Ok(ExitCode::FAILURE)
}

struct MainLoop {
    peer: Peer,
    udp: UdpSocket,
    loss: Option<LossInjector>,
    client: Option<(u64, TcpStream)>,
    next_client_id: u64,
    started: Instant,
    tx: Sender<Input>,
}

impl MainLoop {
    fn run(&mut self, rx: &Receiver<Input>) {
        loop {
            let now = Instant::now();
            let input = match self.peer.poll_timeout() {
                Some(at) => match rx.recv_timeout(at.saturating_duration_since(now)) {
                    Ok(input) => Some(input),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                None => match rx.recv() {
                    Ok(input) => Some(input),
                    Err(_) => return,
                },
            };
            let now = Instant::now();
            match input {
                Some(Input::Datagram(from, bytes)) => self.peer.datagram(now, from, &bytes),
                Some(Input::Connected(stream)) => self.connected(now, stream),
                Some(Input::Line(id, line)) if self.is_current(id) => {
                    self.peer.client_line(now, &line);
                }
                Some(Input::Gone(id)) if self.is_current(id) => {
                    self.client = None;
                    self.peer.client_gone(now);
                }
                // Lines of a refused or earlier client, or a timeout.
                Some(Input::Line(..) | Input::Gone(_)) | None => {}
            }
            if self.peer.poll_timeout().is_some_and(|at| at <= now) {
                self.peer.timeout(now);
            }
            self.flush(now);
        }
    }

    fn is_current(&self, id: u64) -> bool {
        self.client
            .as_ref()
            .is_some_and(|(current, _)| *current == id)
    }

    fn connected(&mut self, now: Instant, mut stream: TcpStream) {
        let who = stream
            .peer_addr()
            .map_or_else(|_| "?".to_owned(), |a| a.to_string());
        if self.client.is_some() {
            self.log(&format!("refusing client {who}: already serving one"));
            let _ = stream.write_all(b"error: this daemon already serves a client\n");
            return;
        }
        let reader = match stream.try_clone() {
            Ok(reader) => reader,
            Err(err) => {
                self.log(&format!("client {who}: {err}"));
                return;
            }
        };
        self.next_client_id = self.next_client_id.wrapping_add(1);
        let id = self.next_client_id;
        spawn_client_reader(id, reader, self.tx.clone());
        self.log(&format!("client {who} connected"));
        self.client = Some((id, stream));
        self.peer.client_connected(now);
    }

    fn flush(&mut self, now: Instant) {
        while let Some(event) = self.peer.poll_event() {
            match event {
                Event::Send { to, msg } => {
                    let bytes = msg.encode();
                    let info = simp::view(&bytes).map_or_else(|e| e.to_string(), |v| v.info());
                    if self.loss.as_mut().is_some_and(LossInjector::drop_next) {
                        self.log(&format!("send {to}: {info} DROPPED (test loss injector)"));
                        continue;
                    }
                    match self.udp.send_to(&bytes, to) {
                        Ok(_) => self.log(&format!("send {to}: {info}")),
                        Err(err) => self.log(&format!("send {to}: {info} FAILED: {err}")),
                    }
                }
                Event::Client(line) => {
                    let failed = match self.client.as_mut() {
                        Some((_, stream)) => {
                            stream.write_all(format!("{line}\n").as_bytes()).is_err()
                        }
                        None => false,
                    };
                    if failed {
                        self.client = None;
                        self.peer.client_gone(now);
                    }
                }
                Event::Log(line) => self.log(&line),
            }
        }
    }

    fn log(&self, line: &str) {
        log(self.started, line);
    }
}

fn log(started: Instant, line: &str) {
    let t = started.elapsed().as_secs_f64();
    eprintln!("[{t:9.3}] {line}");
}

fn spawn_udp_reader(udp: UdpSocket, tx: Sender<Input>) {
    thread::spawn(move || {
        let mut buf = vec![0u8; 65_536];
        loop {
            match udp.recv_from(&mut buf) {
                Ok((n, from)) => {
                    let bytes = buf.get(..n).unwrap_or_default().to_vec();
                    if tx.send(Input::Datagram(from, bytes)).is_err() {
                        return;
                    }
                }
                // ICMP errors from earlier sends (connection refused...) surface here: go on.
                Err(err) => eprintln!("udp receive: {err}"),
            }
        }
    });
}

fn spawn_acceptor(listener: TcpListener, tx: Sender<Input>) {
    thread::spawn(move || {
        for stream in listener.incoming() {
            match stream {
                Ok(stream) => {
                    if tx.send(Input::Connected(stream)).is_err() {
                        return;
                    }
                }
                Err(err) => eprintln!("tcp accept: {err}"),
            }
        }
    });
}

fn spawn_client_reader(id: u64, stream: TcpStream, tx: Sender<Input>) {
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        loop {
            let mut buf = Vec::new();
            match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    let line = line.trim_end_matches(['\n', '\r']).to_owned();
                    if tx.send(Input::Line(id, line)).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = tx.send(Input::Gone(id));
    });
}

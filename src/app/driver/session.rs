//! The driver of `wirelab craft`: one [`TcpConnection`] and one [`Neighbor`] joined to a
//! [`Link`], the application data that goes in, the server's data that comes out, and the
//! [`Recorder`] that shows and keeps every frame.
//!
//! The loop: fill the send buffer from the input, send what the connection and the ARP logic
//! want to send, then wait for frames until the next timer, handle a batch of them, repeat.
//! Received frames are read with [`crate::decode`]. In quiet mode nothing is rendered and
//! nothing is allocated per frame: the frame buffer, the decoder's output and the link's
//! buffer are reused.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use super::record::Recorder;
use super::station::{Got, Host, IDLE, Station, io_err};
use crate::craft::frame::{self, Route};
use crate::craft::tcp_conn::{
    Outcome, SegmentIn, State, TcpConfig, TcpConnection, TcpStats, TimedOut,
};
use crate::decode::tcp_flags::{FIN, RST, SYN};
use crate::decode::{NetRepr, TransportRepr};
use crate::demo::text::printable;
use crate::frame::Direction;
use crate::link::Link;
use crate::render::summary::{CraftSummary, Ending};

/// Most frames handled before the connection gets to send again.
const BATCH: usize = 64;
/// How often typed input is looked for while waiting for frames.
const STDIN_POLL: Duration = Duration::from_millis(5);
/// Chunk read from a file or standard input.
const CHUNK: usize = 64 * 1024;

/// Where the application data comes from.
pub enum Input {
    /// A message given on the command line.
    Bytes(Vec<u8>),
    /// A file.
    File(File),
    /// Standard input, read on its own thread (it may be a terminal).
    Stdin,
}

/// What happens to the server's data.
pub enum Output<'a> {
    /// Shown as escaped text under the row of the frame that carried it.
    Notes,
    /// Written as it is (a pipe or a file).
    Raw(&'a mut dyn Write),
}

/// How the session is set up.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Interface name (for messages).
    pub iface: String,
    /// Our MAC address.
    pub mac: [u8; 6],
    /// Our IPv4 address, or the candidates to probe when none is given.
    pub src: SourceAddress,
    /// The server.
    pub to: SocketAddrV4,
    /// Where frames to the server go first: the server itself or the gateway.
    pub next_hop: Ipv4Addr,
    /// The TCP connection (ports, ISN, MSS...).
    pub tcp: TcpConfig,
    /// ARP timing.
    pub neighbor: crate::craft::neighbor::NeighborConfig,
    /// Time to live of our packets.
    pub ttl: u8,
}

/// The source address of the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceAddress {
    /// Given: used as it is. `owned` when the host has it (its kernel answers ARP for it).
    Given {
        /// The address.
        ip: Ipv4Addr,
        /// This host owns it.
        owned: bool,
    },
    /// Pick the first of these that nobody answers an ARP probe for.
    Probe(Vec<Ipv4Addr>),
}

pub use super::station::StationError as SessionError;

/// How a session went.
#[derive(Debug, Clone)]
pub struct Report {
    /// Our socket address.
    pub local: SocketAddrV4,
    /// The server's.
    pub remote: SocketAddrV4,
    /// The next hop's MAC address.
    pub next_hop_mac: [u8; 6],
    /// How the connection ended.
    pub outcome: Outcome,
    /// The state it ended in (before CLOSED, for a reset).
    pub stats: TcpStats,
    /// Frames sent and received.
    pub frames_sent: u64,
    /// Frames received for this conversation.
    pub frames_received: u64,
    /// RSTs for this connection sent by the host's own kernel.
    pub kernel_rsts: u64,
    /// Another host claimed our address while we used it.
    pub conflict: Option<[u8; 6]>,
    /// From the first SYN to the end.
    pub duration: Duration,
}

impl Report {
    /// The numbers the end-of-run summary shows ([`crate::render::summary`]).
    pub fn summary(&self) -> CraftSummary {
        let s = &self.stats;
        CraftSummary {
            local: self.local,
            remote: self.remote,
            handshake: s.handshake(),
            data_bytes_sent: s.data_bytes_sent,
            data_segments_sent: s.data_segments_sent,
            bytes_acked: s.bytes_acked,
            retransmissions: s.retransmissions,
            timeouts: s.timeouts,
            fast_retransmits: s.fast_retransmits,
            bytes_received: s.bytes_received,
            data_segments_received: s.data_segments_received,
            early_segments: s.early_segments,
            dup_acks: s.dup_acks,
            rtt_samples: s.rtt_samples,
            rtt: match (s.rtt_min, s.rtt_avg(), s.rtt_max) {
                (Some(min), Some(avg), Some(max)) => Some((min, avg, max)),
                _ => None,
            },
            data_span: s.first_data_at.zip(s.last_ack_at),
            window_probes: s.window_probes,
            frames_sent: self.frames_sent,
            frames_received: self.frames_received,
            ending: match self.outcome {
                Outcome::Closed => Ending::Closed,
                Outcome::Refused => Ending::Refused,
                Outcome::TimedOut(TimedOut::Syn) => Ending::SynTimedOut,
                Outcome::TimedOut(TimedOut::Ack) => Ending::AckTimedOut,
                Outcome::TimedOut(TimedOut::PeerFin) => Ending::PeerFinTimedOut,
                Outcome::Reset(state) => Ending::Reset(state.to_string()),
                Outcome::Aborted => Ending::Aborted,
            },
            loss: None,
        }
    }
}

struct Pending {
    data: Vec<u8>,
    pos: usize,
}

/// Reads standard input on a thread, in chunks; an empty chunk means end of input.
fn stdin_reader() -> Receiver<io::Result<Vec<u8>>> {
    let (tx, rx) = mpsc::sync_channel(4);
    let spawned = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            let mut stdin = io::stdin().lock();
            loop {
                let mut buf = vec![0u8; CHUNK];
                match stdin.read(&mut buf) {
                    Ok(n) => {
                        buf.truncate(n);
                        let eof = n == 0;
                        if tx.send(Ok(buf)).is_err() || eof {
                            return;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
    if spawned.is_err() {
        // No thread: behave as an empty input rather than hang.
        let (tx, rx) = mpsc::sync_channel(1);
        let _ = tx.send(Ok(Vec::new()));
        return rx;
    }
    rx
}

/// The data source, pumped into the connection's send buffer.
struct Source {
    input: Input,
    stdin: Option<Receiver<io::Result<Vec<u8>>>>,
    pending: Option<Pending>,
    buf: Vec<u8>,
    eof: bool,
}

impl Source {
    fn new(input: Input) -> Self {
        let stdin = matches!(input, Input::Stdin).then(stdin_reader);
        Source {
            input,
            stdin,
            pending: None,
            buf: Vec::new(),
            eof: false,
        }
    }

    /// Writes as much input as the connection takes; closes it at the end of the input.
    fn pump(&mut self, conn: &mut TcpConnection) -> io::Result<()> {
        while !self.eof && conn.send_space() > 0 {
            if let Some(p) = self.pending.as_mut() {
                let n = conn.write(&p.data[p.pos..]);
                p.pos += n;
                if p.pos < p.data.len() {
                    return Ok(());
                }
                self.pending = None;
                continue;
            }
            match &mut self.input {
                Input::Bytes(b) => {
                    let data = std::mem::take(b);
                    self.pending = Some(Pending { data, pos: 0 });
                    self.input = Input::Bytes(Vec::new());
                    if self.pending.as_ref().is_some_and(|p| p.data.is_empty()) {
                        self.pending = None;
                        self.eof = true;
                    }
                }
                Input::File(f) => {
                    let want = conn.send_space().min(CHUNK);
                    self.buf.resize(want, 0);
                    let n = loop {
                        match f.read(&mut self.buf) {
                            Ok(n) => break n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e),
                        }
                    };
                    if n == 0 {
                        self.eof = true;
                    } else {
                        conn.write(&self.buf[..n]);
                    }
                }
                Input::Stdin => {
                    let Some(rx) = &self.stdin else {
                        self.eof = true;
                        continue;
                    };
                    match rx.try_recv() {
                        Ok(Ok(chunk)) if chunk.is_empty() => self.eof = true,
                        Ok(Ok(chunk)) => {
                            self.pending = Some(Pending {
                                data: chunk,
                                pos: 0,
                            })
                        }
                        Ok(Err(e)) => return Err(e),
                        Err(TryRecvError::Empty) => return Ok(()),
                        Err(TryRecvError::Disconnected) => self.eof = true,
                    }
                }
            }
        }
        if self.eof && self.pending.is_none() {
            conn.close();
        }
        Ok(())
    }

    /// True while input may still arrive from a terminal or pipe.
    fn waiting_for_stdin(&self) -> bool {
        self.stdin.is_some() && !self.eof
    }
}

/// One `wirelab craft` run on a link.
pub struct Session<'a, W: Write> {
    cfg: SessionConfig,
    st: Station<'a, W>,
    output: Output<'a>,
    owned: bool,
    dst_mac: [u8; 6],
    ip_id: u16,
    kernel_rsts: u64,
    shown: Shown,
}

/// Which encapsulation views were shown already.
#[derive(Default)]
struct Shown {
    syn: bool,
    data: bool,
    fin: bool,
}

impl<'a, W: Write> Session<'a, W> {
    /// A session on `link`; status lines go to `status`, the server's data to `output`.
    pub fn new(
        cfg: SessionConfig,
        link: &'a mut dyn Link,
        rec: &'a mut Recorder<W>,
        status: &'a mut dyn Write,
        output: Output<'a>,
    ) -> Self {
        let (ip, owned) = match &cfg.src {
            SourceAddress::Given { ip, owned } => (*ip, *owned),
            SourceAddress::Probe(_) => (Ipv4Addr::UNSPECIFIED, false),
        };
        let host = Host {
            iface: cfg.iface.clone(),
            mac: cfg.mac,
            ip,
            answer_arp: !owned,
            arp: cfg.neighbor,
        };
        let st = Station::new(host, link, rec, status);
        Session {
            st,
            output,
            owned,
            dst_mac: [0; 6],
            ip_id: crate::craft::random_u32() as u16,
            kernel_rsts: 0,
            shown: Shown::default(),
            cfg,
        }
    }

    /// Handles a frame that is not ARP (the one in the station's receive buffer).
    fn handle(
        &mut self,
        ts: Duration,
        from_host: bool,
        conn: &mut TcpConnection,
    ) -> Result<(), SessionError> {
        let ip = self.st.ip();
        let server = *self.cfg.to.ip();
        let d = self.st.decoded();
        let NetRepr::Ipv4(ip4) = &d.net else {
            return Ok(());
        };
        let (src, dst) = (ip4.src, ip4.dst);
        let TransportRepr::Tcp(t) = &d.transport else {
            // ICMP and the like from the server to us: kept, not acted on.
            if !from_host && src == server && dst == ip {
                self.st.record_rx(ts, Direction::Inbound, None)?;
            }
            return Ok(());
        };
        let ports_in = t.src_port == self.cfg.to.port() && t.dst_port == self.cfg.tcp.local_port;
        let ports_out = t.dst_port == self.cfg.to.port() && t.src_port == self.cfg.tcp.local_port;
        if from_host {
            // The host's own kernel, not us: the RST it sends when it owns our address.
            if src == ip && dst == server && ports_out && t.flags & RST != 0 {
                self.kernel_rsts += 1;
                self.st.record_rx(
                    ts,
                    Direction::Outbound,
                    Some("RST from this host's own kernel, not from wirelab"),
                )?;
                if self.kernel_rsts == 1 {
                    self.kernel_rst_warning()?;
                }
            }
            return Ok(());
        }
        if src != server || dst != ip || !ports_in {
            return Ok(());
        }
        let t = t.clone();
        self.st.record_rx(ts, Direction::Inbound, None)?;
        let rx = self.st.rx();
        let options = t.options;
        // The payload as the IP length says (GSO frames from the kernel can be far larger
        // than an MSS: they are taken whole). Checksums are not checked: frames from the local
        // kernel on veth carry unfinished (offloaded) ones.
        let payload = rx.get(t.payload.clone()).unwrap_or(&[]);
        let payload = &payload[..payload.len().min(t.len.unwrap_or(0) as usize)];
        let seg = SegmentIn {
            seq: t.seq,
            ack: t.ack,
            flags: t.flags,
            window: t.window,
            options,
            payload,
        };
        conn.on_segment(self.st.now(), &seg);
        self.deliver(conn)
    }

    fn kernel_rst_warning(&mut self) -> Result<(), SessionError> {
        let ip = self.st.ip();
        let port = self.cfg.tcp.local_port;
        let to = self.cfg.to;
        let why = if self.owned {
            format!(
                "this host owns {ip}, so its kernel got the server's SYN-ACK too, knows no socket \
                 on port {port}, and answered with a RST (the server drops the connection).\n    \
                 Leave out --src-ip (wirelab then uses an address the host does not own), or \
                 drop those RSTs while crafting:\n    sudo iptables -I OUTPUT -p tcp --tcp-flags \
                 RST RST -s {ip} --sport {port} -d {} --dport {} -j DROP",
                to.ip(),
                to.port()
            )
        } else {
            format!(
                "this host's kernel answered for {ip} although it does not own it (forwarding, \
                 or another program?); the server drops the connection"
            )
        };
        self.st.say(&format!(
            "warning: a RST from this host's own kernel: {why}"
        ))
    }

    /// Hands the server's data to the output.
    fn deliver(&mut self, conn: &mut TcpConnection) -> Result<(), SessionError> {
        let data = conn.received();
        if data.is_empty() {
            return Ok(());
        }
        let n = data.len();
        match &mut self.output {
            Output::Raw(w) => {
                w.write_all(data)
                    .map_err(io_err("writing the server's data"))?;
            }
            Output::Notes => {
                let text = printable(data);
                let shown: String = text.chars().take(200).collect();
                let more = if text.chars().count() > 200 {
                    "…"
                } else {
                    ""
                };
                self.st
                    .recorder()
                    .note(&format!(
                        "{n} byte{} of data from the server: \"{shown}{more}\"",
                        if n == 1 { "" } else { "s" }
                    ))
                    .map_err(io_err("writing to the terminal"))?;
            }
        }
        conn.consume(n);
        Ok(())
    }

    /// Sends the segments the connection has for now, one batch at most; true when it may
    /// have more (then frames that came meanwhile are handled before the next batch).
    fn flush_tcp(&mut self, conn: &mut TcpConnection, now: Duration) -> Result<bool, SessionError> {
        let route = Route {
            src_mac: self.cfg.mac,
            dst_mac: self.dst_mac,
            src_ip: self.st.ip(),
            dst_ip: *self.cfg.to.ip(),
            ttl: self.cfg.ttl,
        };
        let comments = self.st.recorder().wants_comments();
        let mut more = false;
        while !self.st.queue_full() {
            let Some(seg) = conn.poll_transmit(now) else {
                break;
            };
            self.ip_id = self.ip_id.wrapping_add(1);
            let Some(buf) = self.st.queue_slot() else {
                break;
            };
            frame::tcp(buf, &route, self.ip_id, &seg.repr, seg.payload)
                .map_err(|e| io_err("building a TCP frame")(io::Error::other(e)))?;
            let flags = seg.repr.flags;
            let has_data = !seg.payload.is_empty();
            let build_up = if flags & SYN != 0 && !self.shown.syn {
                self.shown.syn = true;
                Some("the SYN")
            } else if has_data && !self.shown.data {
                self.shown.data = true;
                Some("the first data segment")
            } else if flags & FIN != 0 && !self.shown.fin {
                self.shown.fin = true;
                Some("the FIN")
            } else {
                None
            };
            let comment = comments.then(|| seg.reason.comment());
            self.st.queue(comment, build_up);
            more = self.st.queue_full();
        }
        self.st.flush_queue()?;
        Ok(more)
    }

    /// Runs the whole session: address, ARP, handshake, data, close.
    pub fn run(mut self, input: Input) -> Result<Report, SessionError> {
        if let SourceAddress::Probe(candidates) = self.cfg.src.clone() {
            let ip = self.st.choose_address(&candidates)?;
            self.st.say(&format!(
                "using {ip}: nobody answered the probes (--src-ip chooses the address)"
            ))?;
        }
        self.dst_mac = self.st.resolve(self.cfg.next_hop)?;
        let via = if self.cfg.next_hop == *self.cfg.to.ip() {
            String::new()
        } else {
            format!(" (the gateway to {})", self.cfg.to.ip())
        };
        let line = format!(
            "{}{via} is at {}; connecting {}:{} → {}",
            self.cfg.next_hop,
            crate::analyse::mac(&self.dst_mac),
            self.st.ip(),
            self.cfg.tcp.local_port,
            self.cfg.to
        );
        self.st.say(&line)?;

        let started = self.st.now();
        let mut conn = TcpConnection::connect(self.cfg.tcp.clone(), started);
        let mut source = Source::new(input);
        let mut said_peer_closed = false;
        // Bounded by the connection: every state has a timer that ends it (SYN retries, RTO
        // retries, FIN-WAIT-2, TIME-WAIT), except ESTABLISHED while a terminal is typing.
        loop {
            let now = self.st.now();
            if conn.is_established() {
                source
                    .pump(&mut conn)
                    .map_err(io_err("reading the data to send"))?;
            }
            if conn.peer_closed() && !said_peer_closed {
                said_peer_closed = true;
                if source.waiting_for_stdin() {
                    // Nothing more can be answered: close our side as well.
                    conn.close();
                }
            }
            let more = self.flush_tcp(&mut conn, now)?;
            self.st.flush_arp(now)?;
            if conn.outcome().is_some() {
                break;
            }
            let mut wake = conn.poll_at();
            if let Some(t) = self.st.arp_poll_at() {
                wake = Some(wake.map_or(t, |w| w.min(t)));
            }
            let idle = if source.waiting_for_stdin() {
                STDIN_POLL
            } else {
                IDLE
            };
            let mut wait = if more {
                Duration::ZERO
            } else {
                wake.map_or(idle, |t| t.saturating_sub(now)).min(idle)
            };
            // A batch of frames, the first one waited for, then the connection sends again.
            for _ in 0..BATCH {
                match self.st.recv(wait)? {
                    Got::Nothing => break,
                    Got::Handled => {}
                    Got::Frame {
                        timestamp,
                        from_host,
                    } => self.handle(timestamp, from_host, &mut conn)?,
                }
                wait = Duration::ZERO;
            }
        }
        // A last RST or ACK the final state asked for.
        let now = self.st.now();
        while self.flush_tcp(&mut conn, now)? {}
        let outcome = conn.outcome().unwrap_or(Outcome::Aborted);
        if let Output::Raw(w) = &mut self.output {
            w.flush().map_err(io_err("writing the server's data"))?;
        }
        Ok(Report {
            local: SocketAddrV4::new(self.st.ip(), self.cfg.tcp.local_port),
            remote: self.cfg.to,
            next_hop_mac: self.dst_mac,
            outcome,
            stats: conn.stats().clone(),
            frames_sent: self.st.frames_sent(),
            frames_received: self.st.frames_received(),
            kernel_rsts: self.kernel_rsts,
            conflict: self.st.conflict(),
            duration: self.st.now().saturating_sub(started),
        })
    }
}

/// The state a reset came in, in words.
pub fn reset_during(state: State) -> &'static str {
    match state {
        State::Established | State::CloseWait => "while the connection was open",
        State::FinWait1 | State::FinWait2 | State::Closing | State::LastAck => {
            "while it was being closed"
        }
        _ => "",
    }
}

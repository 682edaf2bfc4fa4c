//! A TCP client connection without I/O (sans-IO, in the style of smoltcp's `socket/tcp.rs`).
//!
//! [`TcpConnection`] holds one connection's state and decides every segment it sends. It
//! never reads a clock or touches a socket: the caller passes the time (a [`Duration`] since
//! any fixed start), hands it the segments that arrive ([`TcpConnection::on_segment`]), takes
//! the segments to send ([`TcpConnection::poll_transmit`]) and wakes it at
//! [`TcpConnection::poll_at`]. The same machine is driven by scripted exchanges in the unit
//! tests, by a fuzzer playing a hostile server, and by the datalink in `wirelab craft`.
//!
//! What it implements:
//! - active open with MSS, window scale, SACK-permitted and timestamp options (RFC 9293,
//!   RFC 7323, RFC 2018); SYN retransmission with backoff; RST to the SYN = refused;
//! - sending in segments of at most the peer's MSS (and ours), within the peer's advertised
//!   (scaled) window and the congestion window ([`congestion`]: slow start, congestion
//!   avoidance, fast retransmit and NewReno recovery); zero-window probes;
//! - the retransmission timer of RFC 6298 ([`rtt`]) with Karn's rule and exponential
//!   backoff; after a timeout the unacknowledged data is sent again from the first byte;
//! - receiving in order, keeping early segments ([`assembler`]) and reporting them in SACK
//!   blocks; ACKing every segment that arrives (ACKs of one batch are coalesced);
//! - closing both ways (our FIN, the peer's FIN first, simultaneous close), TIME-WAIT that
//!   answers a retransmitted FIN for a short while; RST and SYN checks of RFC 5961.
//!
//! Not implemented: simultaneous open, urgent data, PAWS, delayed ACKs, SACK-based loss
//! recovery (received SACK blocks are read but only NewReno decides what to resend), ECN.

pub mod assembler;
pub mod congestion;
pub mod rtt;
pub mod scoreboard;

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::craft::Payload;
use crate::decode::tcp_flags::{ACK, FIN, PSH, RST, SYN};
use crate::wire::seq::SeqNumber;
use crate::wire::tcp::{SackBlocks, TcpOptions, TcpRepr, max_sack_blocks};
use assembler::{Added, Assembler};
use congestion::{AckAction, Congestion};
use rtt::RttEstimator;
use scoreboard::Scoreboard;

/// The smallest MSS used whatever the peer announces (Linux's floor is 48; tiny segments only
/// make a hostile peer's job easier).
pub const MIN_MSS: u16 = 64;
/// The MSS assumed when the peer announces none (RFC 9293 3.7.1).
pub const DEFAULT_PEER_MSS: u16 = 536;
/// Bytes the timestamp option adds to every segment once agreed (NOP, NOP, TS).
pub const TIMESTAMP_OVERHEAD: u16 = 12;
/// Largest window scale shift (RFC 7323 2.3).
pub const MAX_WINDOW_SHIFT: u8 = 14;

/// How a connection is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpConfig {
    /// Our port.
    pub local_port: u16,
    /// The server's port.
    pub remote_port: u16,
    /// Our initial sequence number (random in real use).
    pub isn: u32,
    /// The MSS we announce, and the largest segment we send: the interface MTU − 40.
    pub mss: u16,
    /// Our receive buffer: the most we advertise.
    pub recv_buffer: u32,
    /// The window scale shift we announce (0–14).
    pub window_shift: u8,
    /// Offer timestamps (RFC 7323).
    pub timestamps: bool,
    /// Offer SACK (RFC 2018).
    pub sack: bool,
    /// Start of our timestamp clock (random in real use).
    pub ts_offset: u32,
    /// Bytes the application may queue before they are acknowledged.
    pub send_buffer: usize,
    /// RTO before the first RTT sample (RFC 6298 (2.1): 1 s).
    pub initial_rto: Duration,
    /// Smallest RTO (Linux: 200 ms; RFC 6298 suggests 1 s).
    pub min_rto: Duration,
    /// Largest RTO.
    pub max_rto: Duration,
    /// How many times the SYN is sent again before giving up.
    pub syn_retries: u32,
    /// How many timeouts in a row before giving up on data (or a FIN).
    pub retries: u32,
    /// How long TIME-WAIT lasts (answering a retransmitted FIN); 2 MSL would be minutes.
    pub time_wait: Duration,
    /// How long to wait in FIN-WAIT-2 for the peer's FIN.
    pub fin_wait2: Duration,
}

impl TcpConfig {
    /// Defaults for a connection from `local_port` to `remote_port` with initial sequence
    /// number `isn` and MSS `mss`.
    pub fn new(local_port: u16, remote_port: u16, isn: u32, mss: u16) -> Self {
        TcpConfig {
            local_port,
            remote_port,
            isn,
            mss,
            recv_buffer: 256 * 1024,
            window_shift: 7,
            timestamps: true,
            sack: true,
            ts_offset: 0,
            send_buffer: 4 * 1024 * 1024,
            initial_rto: Duration::from_secs(1),
            min_rto: Duration::from_millis(200),
            max_rto: Duration::from_secs(60),
            syn_retries: 3,
            retries: 8,
            time_wait: Duration::from_secs(1),
            fin_wait2: Duration::from_secs(10),
        }
    }
}

/// The connection states of RFC 9293 a client goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// SYN sent, waiting for the SYN-ACK.
    SynSent,
    /// Both ways open.
    Established,
    /// Our FIN sent, not yet acknowledged.
    FinWait1,
    /// Our FIN acknowledged, waiting for the peer's.
    FinWait2,
    /// Both FINs sent, ours not yet acknowledged.
    Closing,
    /// Both FINs acknowledged: answering a retransmitted FIN for a while.
    TimeWait,
    /// The peer closed first; we may still send.
    CloseWait,
    /// The peer closed first and our FIN is sent.
    LastAck,
    /// Gone.
    Closed,
}

impl State {
    /// The RFC's name.
    pub fn name(self) -> &'static str {
        match self {
            State::SynSent => "SYN-SENT",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::Closing => "CLOSING",
            State::TimeWait => "TIME-WAIT",
            State::CloseWait => "CLOSE-WAIT",
            State::LastAck => "LAST-ACK",
            State::Closed => "CLOSED",
        }
    }

    fn synchronized(self) -> bool {
        !matches!(self, State::SynSent | State::Closed)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What was being waited for when a connection timed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimedOut {
    /// The SYN-ACK.
    Syn,
    /// The ACK of data or of our FIN.
    Ack,
    /// The peer's FIN.
    PeerFin,
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Both FINs were sent and acknowledged.
    Closed,
    /// The SYN was answered with a RST: nothing listens on the port.
    Refused,
    /// Nothing answered in time.
    TimedOut(TimedOut),
    /// The peer reset the connection (the state it was in).
    Reset(State),
    /// We gave up and sent a RST ([`TcpConnection::abort`]).
    Aborted,
}

/// Why a segment is sent: shown next to it and written as its pcapng comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendReason {
    /// The handshake's first segment.
    Syn,
    /// The SYN again, after the retransmission timeout.
    SynRetransmit {
        /// The timeout that expired.
        rto: Duration,
    },
    /// The handshake's third segment.
    HandshakeAck,
    /// New data.
    Data,
    /// The first segment sent again after a retransmission timeout.
    Retransmit {
        /// The timeout that expired.
        rto: Duration,
    },
    /// Data sent again from the first unacknowledged byte: after a timeout (everything
    /// after the lost byte goes again), or when a closed window opens.
    GoBack,
    /// Sent again on the third duplicate ACK (RFC 5681).
    FastRetransmit,
    /// Sent again on a partial ACK during fast recovery (RFC 6582).
    RecoveryRetransmit,
    /// A hole the peer's SACK blocks reported, sent again during recovery (RFC 6675).
    SackRetransmit,
    /// One byte into a zero window, to learn when it opens.
    WindowProbe,
    /// Our FIN.
    Fin,
    /// Our FIN again, after the retransmission timeout.
    FinRetransmit {
        /// The timeout that expired.
        rto: Duration,
    },
    /// The ACK of data received in order.
    Ack,
    /// The ACK of the peer's FIN.
    FinAck,
    /// An ACK repeating what we expect next: a gap, a duplicate, or a segment out of window.
    DupAck,
    /// A challenge ACK for a RST or SYN that is in the window but not exact (RFC 5961).
    ChallengeAck,
    /// A reset: answering a segment for no connection, or giving up.
    Rst,
}

impl SendReason {
    /// A short explanation, for the pcapng comment and the terminal.
    pub fn comment(&self) -> Cow<'static, str> {
        let ms = |d: &Duration| d.as_millis();
        Cow::Borrowed(match self {
            SendReason::Syn => "handshake SYN",
            SendReason::SynRetransmit { rto } => {
                return Cow::Owned(format!(
                    "handshake SYN again: no SYN-ACK within the RTO of {} ms",
                    ms(rto)
                ));
            }
            SendReason::HandshakeAck => "handshake ACK",
            SendReason::Data => "data",
            SendReason::Retransmit { rto } => {
                return Cow::Owned(format!("retransmission after RTO {} ms", ms(rto)));
            }
            SendReason::GoBack => {
                "retransmission (sending again from the first unacknowledged byte)"
            }
            SendReason::FastRetransmit => "fast retransmit (3 duplicate ACKs)",
            SendReason::RecoveryRetransmit => "retransmission in fast recovery (partial ACK)",
            SendReason::SackRetransmit => "retransmission of a hole the SACK blocks show",
            SendReason::WindowProbe => "zero-window probe",
            SendReason::Fin => "FIN",
            SendReason::FinRetransmit { rto } => {
                return Cow::Owned(format!(
                    "FIN again: retransmission after RTO {} ms",
                    ms(rto)
                ));
            }
            SendReason::Ack => "ACK",
            SendReason::FinAck => "ACK of the server's FIN",
            SendReason::DupAck => "duplicate ACK (a gap, or data already received)",
            SendReason::ChallengeAck => "challenge ACK (RFC 5961)",
            SendReason::Rst => "RST",
        })
    }

    /// True for segments that carry data (or a SYN/FIN) sent before.
    pub fn is_retransmission(&self) -> bool {
        matches!(
            self,
            SendReason::SynRetransmit { .. }
                | SendReason::Retransmit { .. }
                | SendReason::GoBack
                | SendReason::FastRetransmit
                | SendReason::RecoveryRetransmit
                | SendReason::SackRetransmit
                | SendReason::FinRetransmit { .. }
        )
    }
}

/// A segment that arrived, as the decoder read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentIn<'a> {
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags ([`crate::decode::tcp_flags`]).
    pub flags: u16,
    /// Window field (not yet scaled).
    pub window: u16,
    /// Options.
    pub options: TcpOptions,
    /// The data.
    pub payload: &'a [u8],
}

/// A segment to send: the header (ports included) and the payload, borrowed from the send
/// buffer until the next call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentOut<'a> {
    /// The header.
    pub repr: TcpRepr,
    /// The data.
    pub payload: Payload<'a>,
    /// Why it is sent.
    pub reason: SendReason,
}

/// Counters for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcpStats {
    /// Segments sent.
    pub segments_sent: u64,
    /// Segments received.
    pub segments_received: u64,
    /// Data segments sent (retransmissions included).
    pub data_segments_sent: u64,
    /// Data bytes sent (retransmissions included).
    pub data_bytes_sent: u64,
    /// Data bytes the peer acknowledged (each counted once).
    pub bytes_acked: u64,
    /// Data segments received.
    pub data_segments_received: u64,
    /// Data bytes delivered in order (each counted once).
    pub bytes_received: u64,
    /// Segments sent again (SYN, data and FIN).
    pub retransmissions: u64,
    /// Retransmission timeouts.
    pub timeouts: u64,
    /// Fast retransmits.
    pub fast_retransmits: u64,
    /// Duplicate ACKs received.
    pub dup_acks: u64,
    /// Segments received early (out of order).
    pub early_segments: u64,
    /// Zero-window probes sent.
    pub window_probes: u64,
    /// RTT samples: count, min, max, sum.
    pub rtt_samples: u64,
    /// Smallest RTT sample.
    pub rtt_min: Option<Duration>,
    /// Largest RTT sample.
    pub rtt_max: Option<Duration>,
    /// Sum of the RTT samples.
    pub rtt_sum: Duration,
    /// When the first SYN was sent.
    pub syn_at: Option<Duration>,
    /// When the SYN-ACK was accepted.
    pub established_at: Option<Duration>,
    /// When the first data byte was sent.
    pub first_data_at: Option<Duration>,
    /// When the last data byte was acknowledged.
    pub last_ack_at: Option<Duration>,
}

impl TcpStats {
    /// Time from the first SYN to the accepted SYN-ACK.
    pub fn handshake(&self) -> Option<Duration> {
        Some(self.established_at?.saturating_sub(self.syn_at?))
    }

    /// Mean RTT.
    pub fn rtt_avg(&self) -> Option<Duration> {
        u32::try_from(self.rtt_samples)
            .ok()
            .filter(|&n| n > 0)
            .map(|n| self.rtt_sum / n)
    }

    fn rtt(&mut self, r: Duration) {
        self.rtt_samples += 1;
        self.rtt_sum += r;
        self.rtt_min = Some(self.rtt_min.map_or(r, |m| m.min(r)));
        self.rtt_max = Some(self.rtt_max.map_or(r, |m| m.max(r)));
    }
}

/// Which timer is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimerKind {
    /// Retransmission (SYN, data, FIN).
    Rto,
    /// Zero-window probing.
    Persist,
}

/// A segment decided on, before its payload is borrowed from the send buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    repr: TcpRepr,
    /// Payload: `len` bytes at the header's sequence number (0 for none).
    len: u32,
    reason: SendReason,
}

/// A RST to send in answer to a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PendingRst {
    seq: u32,
    ack: Option<u32>,
}

/// One TCP client connection.
#[derive(Debug, Clone)]
pub struct TcpConnection {
    cfg: TcpConfig,
    state: State,
    outcome: Option<Outcome>,

    // Send side.
    iss: SeqNumber,
    snd_una: SeqNumber,
    snd_nxt: SeqNumber,
    /// One past the highest sequence number ever sent.
    snd_max: SeqNumber,
    /// The peer's window in bytes (scaled).
    snd_wnd: u32,
    max_snd_wnd: u32,
    snd_wl1: SeqNumber,
    snd_wl2: SeqNumber,
    peer_mss: u16,
    /// Shift applied to the peer's window fields (0 unless both offered scaling).
    peer_shift: u8,
    /// Shift applied to the windows we advertise (0 unless both offered scaling).
    our_shift: u8,
    ts_ok: bool,
    sack_ok: bool,
    /// Unacknowledged and unsent data.
    send_buf: std::collections::VecDeque<u8>,
    /// Sequence number of the first byte of `send_buf`.
    buf_seq: SeqNumber,
    /// The application will write no more: a FIN follows the data.
    fin_queued: bool,

    // Timers.
    rtt: RttEstimator,
    timer: Option<(Duration, TimerKind)>,
    /// Timeouts (or unanswered probes) in a row.
    tries: u32,
    /// Zero-window probes since the window closed (each doubles the probe interval).
    probe_backoff: u32,
    /// A segment whose ACK will give an RTT sample: (sequence number it ends at, sent at).
    timing: Option<(SeqNumber, Duration)>,
    /// Set when a timeout fired: the next segment sent is labelled with it.
    timeout_rto: Option<Duration>,
    close_at: Option<Duration>,

    cc: Congestion,

    // Output requests.
    syn_due: bool,
    handshake_ack_due: bool,
    ack_due: Option<SendReason>,
    rst_due: Option<PendingRst>,
    /// One segment to send again: why, and where (`None`: at SND.UNA).
    resend_one: Option<(SendReason, Option<SeqNumber>)>,
    /// What the peer SACKed beyond SND.UNA.
    sacked: Scoreboard,
    /// One past the highest byte sent again in this recovery.
    rexmit_high: SeqNumber,

    // Receive side.
    irs: SeqNumber,
    rcv_nxt: SeqNumber,
    /// Right edge of the window we last advertised.
    rcv_adv: SeqNumber,
    recv: Assembler,
    /// Stream offset of a FIN that arrived before all the data before it.
    early_fin: Option<u64>,
    fin_received: bool,
    ts_recent: u32,
    last_ack_sent: SeqNumber,

    stats: TcpStats,
}

/// Sequence space taken by a segment: data, plus one for SYN, plus one for FIN.
fn seg_len(seg: &SegmentIn<'_>) -> u32 {
    (seg.payload.len() as u32)
        .wrapping_add(u32::from(seg.flags & SYN != 0))
        .wrapping_add(u32::from(seg.flags & FIN != 0))
}

impl TcpConnection {
    /// Opens a connection: the SYN is sent at the first [`TcpConnection::poll_transmit`].
    pub fn connect(mut cfg: TcpConfig, now: Duration) -> Self {
        cfg.window_shift = cfg.window_shift.min(MAX_WINDOW_SHIFT);
        cfg.mss = cfg.mss.max(MIN_MSS);
        let iss = SeqNumber(cfg.isn);
        let mss = u32::from(cfg.mss);
        let rtt = RttEstimator::new(cfg.initial_rto, cfg.min_rto, cfg.max_rto);
        let stats = TcpStats {
            syn_at: Some(now),
            ..TcpStats::default()
        };
        TcpConnection {
            state: State::SynSent,
            outcome: None,
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            snd_wnd: 0,
            max_snd_wnd: 0,
            snd_wl1: SeqNumber(0),
            snd_wl2: iss,
            peer_mss: DEFAULT_PEER_MSS,
            peer_shift: 0,
            our_shift: 0,
            ts_ok: false,
            sack_ok: false,
            send_buf: std::collections::VecDeque::new(),
            buf_seq: iss + 1,
            fin_queued: false,
            rtt,
            timer: None,
            tries: 0,
            probe_backoff: 0,
            timing: None,
            timeout_rto: None,
            close_at: None,
            cc: Congestion::new(mss, iss),
            syn_due: true,
            handshake_ack_due: false,
            ack_due: None,
            rst_due: None,
            resend_one: None,
            sacked: Scoreboard::new(iss),
            rexmit_high: iss,
            irs: SeqNumber(0),
            rcv_nxt: SeqNumber(0),
            rcv_adv: SeqNumber(0),
            recv: Assembler::new(),
            early_fin: None,
            fin_received: false,
            ts_recent: 0,
            last_ack_sent: SeqNumber(0),
            stats,
            cfg,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// How the connection ended, once it has.
    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    /// The counters.
    pub fn stats(&self) -> &TcpStats {
        &self.stats
    }

    /// The configuration it was opened with.
    pub fn config(&self) -> &TcpConfig {
        &self.cfg
    }

    /// True once the handshake is complete (and until the connection is closed).
    pub fn is_established(&self) -> bool {
        self.state.synchronized()
    }

    /// True once the peer's FIN was received in order.
    pub fn peer_closed(&self) -> bool {
        self.fin_received
    }

    /// The largest segment payload this side sends (MSS minus the timestamp option).
    pub fn effective_mss(&self) -> u32 {
        let ts = if self.ts_ok { TIMESTAMP_OVERHEAD } else { 0 };
        u32::from(
            self.peer_mss
                .min(self.cfg.mss)
                .saturating_sub(ts)
                .max(MIN_MSS),
        )
    }

    /// The congestion window in bytes.
    pub fn cwnd(&self) -> u32 {
        self.cc.cwnd
    }

    /// The peer's window in bytes.
    pub fn peer_window(&self) -> u32 {
        self.snd_wnd
    }

    /// The current retransmission timeout.
    pub fn rto(&self) -> Duration {
        self.rtt.rto()
    }

    /// How many more bytes [`TcpConnection::write`] would take now.
    pub fn send_space(&self) -> usize {
        if self.fin_queued
            || !matches!(
                self.state,
                State::SynSent | State::Established | State::CloseWait
            )
        {
            return 0;
        }
        self.cfg.send_buffer.saturating_sub(self.send_buf.len())
    }

    /// Queues data to send; returns how many bytes were taken (0 once closing).
    pub fn write(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.send_space());
        self.send_buf.extend(&data[..n]);
        n
    }

    /// True when every byte written (and the FIN, once closing) is acknowledged.
    pub fn all_acked(&self) -> bool {
        self.state.synchronized() && self.snd_una == self.snd_max && self.unsent() == 0
    }

    /// Ends the sending direction: a FIN follows the queued data.
    pub fn close(&mut self) {
        if matches!(
            self.state,
            State::SynSent | State::Established | State::CloseWait
        ) {
            self.fin_queued = true;
        }
    }

    /// Gives up: a RST is sent (when the connection was open) and the connection is closed.
    pub fn abort(&mut self) {
        if self.state.synchronized() && self.state != State::TimeWait {
            self.rst_due = Some(PendingRst {
                seq: self.snd_nxt.0,
                ack: None,
            });
        }
        self.finish(Outcome::Aborted);
    }

    /// Data received in order and not yet read.
    pub fn received(&self) -> &[u8] {
        self.recv.unread()
    }

    /// Marks `n` received bytes as read (the window opens again by as much).
    pub fn consume(&mut self, n: usize) {
        let before = self.recv_window();
        self.recv.consume(n);
        // Tell the peer when the window opens a lot after it was nearly closed.
        if self.state.synchronized()
            && before < self.effective_mss().max(self.cfg.recv_buffer / 4)
            && self.recv_window() >= self.cfg.recv_buffer / 2
            && self.ack_due.is_none()
        {
            self.ack_due = Some(SendReason::Ack);
        }
    }

    /// Our initial sequence number.
    pub fn isn(&self) -> u32 {
        self.iss.0
    }

    /// The peer's initial sequence number (0 before the SYN-ACK).
    pub fn peer_isn(&self) -> u32 {
        self.irs.0
    }

    /// When to call [`TcpConnection::poll_transmit`] next even if nothing arrives.
    pub fn poll_at(&self) -> Option<Duration> {
        let timer = self.timer.map(|(t, _)| t);
        match (timer, self.close_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    // ---- internal helpers -------------------------------------------------------------

    fn finish(&mut self, outcome: Outcome) {
        self.state = State::Closed;
        if self.outcome.is_none() {
            self.outcome = Some(outcome);
        }
        self.timer = None;
        self.close_at = None;
        self.syn_due = false;
        self.handshake_ack_due = false;
        self.ack_due = None;
        self.resend_one = None;
    }

    /// Sequence number of the first byte of the send buffer.
    fn buf_start(&self) -> SeqNumber {
        self.buf_seq
    }

    /// One past the last data byte written.
    fn data_end(&self) -> SeqNumber {
        self.buf_start() + self.send_buf.len() as u32
    }

    /// Data bytes written but never sent.
    fn unsent(&self) -> u32 {
        let end = self.data_end();
        if self.snd_max.is_before(end) {
            end - self.snd_max
        } else {
            0
        }
    }

    /// Sequence number of our FIN, once queued.
    fn fin_seq(&self) -> Option<SeqNumber> {
        self.fin_queued.then(|| self.data_end())
    }

    fn fin_acked(&self) -> bool {
        self.fin_seq().is_some_and(|f| self.snd_una.is_after(f))
    }

    fn flight(&self) -> u32 {
        self.snd_max - self.snd_una
    }

    /// The receive window we can offer now, in bytes.
    fn recv_window(&self) -> u32 {
        let used = self.recv.unread().len() + self.recv.early_bytes();
        self.cfg
            .recv_buffer
            .saturating_sub(u32::try_from(used).unwrap_or(u32::MAX))
    }

    /// The window field to advertise, never moving the right edge back (RFC 9293 3.8.6.2.2).
    fn window_field(&mut self) -> u16 {
        let mut wnd = self.recv_window();
        let promised = if self.rcv_adv.is_after(self.rcv_nxt) {
            self.rcv_adv - self.rcv_nxt
        } else {
            0
        };
        wnd = wnd.max(promised);
        let field = (wnd >> self.our_shift).min(u32::from(u16::MAX));
        let edge = self.rcv_nxt + (field << self.our_shift);
        if edge.is_after(self.rcv_adv) {
            self.rcv_adv = edge;
        }
        field as u16
    }

    fn ts_now(&self, now: Duration) -> u32 {
        self.cfg.ts_offset.wrapping_add(now.as_millis() as u32)
    }

    fn options(&self, now: Duration) -> TcpOptions {
        let mut o = TcpOptions::default();
        if self.ts_ok {
            o.timestamps = Some((self.ts_now(now), self.ts_recent));
        }
        if self.sack_ok && self.recv.has_early() {
            let max = max_sack_blocks(&o);
            let next = self.recv.next();
            for (a, b) in self.recv.sack_ranges(max) {
                let left = self.rcv_nxt + (a.saturating_sub(next) as u32);
                let right = self.rcv_nxt + (b.saturating_sub(next) as u32);
                o.sack.push(left.0, right.0);
            }
        }
        o
    }

    fn header(&mut self, seq: SeqNumber, flags: u16, now: Duration) -> TcpRepr {
        let ack = flags & ACK != 0;
        let window = if flags & RST != 0 {
            0
        } else {
            self.window_field()
        };
        if ack {
            self.last_ack_sent = self.rcv_nxt;
        }
        TcpRepr::new(
            self.cfg.local_port,
            self.cfg.remote_port,
            seq.0,
            if ack { self.rcv_nxt.0 } else { 0 },
            flags,
            window,
            self.options(now),
        )
    }

    fn arm(&mut self, at: Duration, kind: TimerKind) {
        self.timer = Some((at, kind));
    }

    fn arm_rto(&mut self, now: Duration) {
        self.arm(now + self.rtt.rto(), TimerKind::Rto);
    }

    /// Arms the persist timer: the RTO, doubled for each probe already sent (at most the
    /// largest RTO).
    fn arm_persist(&mut self, now: Duration) {
        let factor = 1u32
            .checked_shl(self.probe_backoff.min(16))
            .unwrap_or(u32::MAX);
        let wait = self.rtt.rto().saturating_mul(factor).min(self.cfg.max_rto);
        self.arm(now + wait, TimerKind::Persist);
    }

    /// Data written and not acknowledged (sent or not).
    fn data_pending(&self) -> bool {
        self.snd_una.is_before(self.data_end())
    }

    fn rtt_sample(&mut self, r: Duration) {
        self.rtt.sample(r);
        self.stats.rtt(r);
    }

    // ---- input --------------------------------------------------------------------------

    /// Processes one segment that arrived for this connection at `now`.
    pub fn on_segment(&mut self, now: Duration, seg: &SegmentIn<'_>) {
        self.stats.segments_received += 1;
        match self.state {
            State::Closed => self.on_closed(seg),
            State::SynSent => self.on_syn_sent(now, seg),
            _ => self.on_synchronized(now, seg),
        }
    }

    /// RFC 9293 3.10.7.1: a segment for a closed connection is answered with a RST.
    fn on_closed(&mut self, seg: &SegmentIn<'_>) {
        if seg.flags & RST != 0 {
            return;
        }
        self.rst_due = Some(if seg.flags & ACK != 0 {
            PendingRst {
                seq: seg.ack,
                ack: None,
            }
        } else {
            PendingRst {
                seq: 0,
                ack: Some(seg.seq.wrapping_add(seg_len(seg))),
            }
        });
    }

    /// RFC 9293 3.10.7.3.
    fn on_syn_sent(&mut self, now: Duration, seg: &SegmentIn<'_>) {
        let ack = SeqNumber(seg.ack);
        let has_ack = seg.flags & ACK != 0;
        // An ACK is acceptable if it acknowledges our SYN and nothing we never sent.
        let acceptable = has_ack && ack.is_after(self.iss) && !ack.is_after(self.snd_max);
        if has_ack && !acceptable {
            if seg.flags & RST == 0 {
                self.rst_due = Some(PendingRst {
                    seq: seg.ack,
                    ack: None,
                });
            }
            return;
        }
        if seg.flags & RST != 0 {
            if acceptable {
                self.finish(Outcome::Refused);
            }
            return;
        }
        if seg.flags & SYN == 0 || !acceptable {
            // A SYN without ACK would be a simultaneous open: not supported, ignored.
            return;
        }
        self.irs = SeqNumber(seg.seq);
        self.rcv_nxt = self.irs + 1;
        // Our SYN offered an unscaled window.
        self.rcv_adv = self.rcv_nxt + self.cfg.recv_buffer.min(u32::from(u16::MAX));
        self.last_ack_sent = self.rcv_nxt;
        let o = &seg.options;
        self.peer_mss = o.mss.unwrap_or(DEFAULT_PEER_MSS).max(MIN_MSS);
        if let Some(shift) = o.window_scale {
            self.peer_shift = shift.min(MAX_WINDOW_SHIFT);
            self.our_shift = self.cfg.window_shift;
        }
        if let (true, Some((val, _))) = (self.cfg.timestamps, o.timestamps) {
            self.ts_ok = true;
            self.ts_recent = val;
        }
        self.sack_ok = self.cfg.sack && o.sack_permitted;
        // The window of a SYN-ACK is never scaled (RFC 7323 2.2).
        self.snd_wnd = u32::from(seg.window);
        self.max_snd_wnd = self.snd_wnd;
        self.snd_wl1 = SeqNumber(seg.seq);
        self.snd_wl2 = ack;
        self.snd_una = ack;
        if self.snd_nxt.is_before(ack) {
            self.snd_nxt = ack;
        }
        // Karn: the SYN gives a sample only if it was sent once.
        if let Some((end, at)) = self.timing.take()
            && !ack.is_before(end)
        {
            self.rtt_sample(now.saturating_sub(at));
        }
        self.tries = 0;
        self.timer = None;
        self.timeout_rto = None;
        self.cc = Congestion::new(self.effective_mss(), self.snd_una);
        self.sacked = Scoreboard::new(self.snd_una);
        self.rexmit_high = self.snd_una;
        self.state = State::Established;
        self.stats.established_at = Some(now);
        self.handshake_ack_due = true;
        if !seg.payload.is_empty() {
            self.take_data(now, SeqNumber(seg.seq) + 1, seg.payload);
        }
        if seg.flags & FIN != 0 {
            self.take_fin(now, SeqNumber(seg.seq) + 1 + seg.payload.len() as u32);
        }
    }

    /// RFC 9293 3.10.7.4, for every state after the handshake.
    fn on_synchronized(&mut self, now: Duration, seg: &SegmentIn<'_>) {
        let seq = SeqNumber(seg.seq);
        let len = seg_len(seg);
        let wnd = if self.rcv_adv.is_after(self.rcv_nxt) {
            self.rcv_adv - self.rcv_nxt
        } else {
            0
        };
        // First: is any of it inside the receive window?
        let acceptable = match (len, wnd) {
            (0, 0) => seq == self.rcv_nxt,
            (0, _) => !seq.is_before(self.rcv_nxt) && seq.is_before(self.rcv_nxt + wnd),
            (_, 0) => false,
            (_, _) => {
                let last = seq + (len - 1);
                (!seq.is_before(self.rcv_nxt) && seq.is_before(self.rcv_nxt + wnd))
                    || (!last.is_before(self.rcv_nxt) && last.is_before(self.rcv_nxt + wnd))
            }
        };
        // A zero window still takes ACKs, RSTs and a FIN at the expected number.
        let acceptable = acceptable || (wnd == 0 && seq == self.rcv_nxt);
        if !acceptable {
            if seg.flags & RST == 0 {
                if self.state == State::TimeWait && seg.flags & FIN != 0 {
                    // A retransmitted FIN: our ACK was lost. Answer it and wait again.
                    self.ack_due = Some(SendReason::FinAck);
                    self.close_at = Some(now + self.cfg.time_wait);
                } else if self.ack_due.is_none() {
                    self.ack_due = Some(SendReason::DupAck);
                }
            }
            return;
        }
        // Second: RST (RFC 5961 3.2): exact → reset; in window → challenge ACK.
        if seg.flags & RST != 0 {
            if seq == self.rcv_nxt {
                let during = self.state;
                if during == State::TimeWait {
                    self.finish(Outcome::Closed);
                } else {
                    self.finish(Outcome::Reset(during));
                }
            } else {
                self.ack_due = Some(SendReason::ChallengeAck);
            }
            return;
        }
        // Fourth: a SYN after the handshake (RFC 5961 4.2): challenge ACK.
        if seg.flags & SYN != 0 {
            self.ack_due = Some(SendReason::ChallengeAck);
            return;
        }
        // Fifth: the ACK field.
        if seg.flags & ACK == 0 {
            return;
        }
        if self.ts_ok
            && let Some((val, _)) = seg.options.timestamps
            && !seq.is_after(self.last_ack_sent)
            && (val.wrapping_sub(self.ts_recent) as i32) >= 0
        {
            self.ts_recent = val;
        }
        let ack = SeqNumber(seg.ack);
        if ack.is_after(self.snd_max) {
            // It acknowledges something never sent: say what we did send (RFC 9293).
            self.ack_due = Some(SendReason::DupAck);
            return;
        }
        if self.sack_ok {
            for &(l, r) in seg.options.sack.as_slice() {
                self.sacked.add(SeqNumber(l), SeqNumber(r), self.snd_max);
            }
        }
        let old_wnd = self.snd_wnd;
        if ack.is_after(self.snd_una) {
            self.on_new_ack(now, ack);
        } else if ack == self.snd_una
            && seg.payload.is_empty()
            && seg.flags & FIN == 0
            && (u32::from(seg.window) << self.peer_shift) == old_wnd
            && self.snd_max.is_after(self.snd_una)
        {
            self.stats.dup_acks += 1;
            let flight = self.flight();
            if self.cc.on_dup_ack(ack, flight, self.snd_max) == AckAction::FastRetransmit {
                self.stats.fast_retransmits += 1;
                self.timing = None;
                self.rexmit_high = self.snd_una;
                self.resend_one = Some((SendReason::FastRetransmit, None));
            } else if self.cc.in_recovery
                && self.resend_one.is_none()
                && let Some(hole) = self.next_hole()
            {
                // Each further duplicate may carry news of another hole (RFC 6675 NextSeg).
                self.resend_one = Some((SendReason::SackRetransmit, Some(hole)));
            }
        }
        // Window update (RFC 9293 3.10.7.4): only from an ACK at or after SND.UNA (an older
        // one may not move the window), and the newest by SND.WL1/WL2. Found by the fuzzer.
        if !ack.is_before(self.snd_una)
            && (self.snd_wl1.is_before(seq)
                || (self.snd_wl1 == seq && !ack.is_before(self.snd_wl2)))
        {
            self.snd_wnd = u32::from(seg.window) << self.peer_shift;
            self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
            self.snd_wl1 = seq;
            self.snd_wl2 = ack;
            if old_wnd == 0 && self.snd_wnd > 0 {
                // The window opened: stop probing, and send again from the first byte not
                // acknowledged (a probe byte the peer dropped goes with the new data).
                self.tries = 0;
                self.probe_backoff = 0;
                if matches!(self.timer, Some((_, TimerKind::Persist))) {
                    self.timer = None;
                }
                self.snd_nxt = self.snd_una;
                if self.snd_max.is_after(self.snd_una) {
                    self.arm_rto(now);
                }
            }
        }
        // Any ACK answers a probe.
        if matches!(self.timer, Some((_, TimerKind::Persist))) {
            self.tries = 0;
        }
        // Our FIN acknowledged?
        if self.fin_acked() {
            match self.state {
                State::FinWait1 => {
                    self.state = State::FinWait2;
                    self.close_at = Some(now + self.cfg.fin_wait2);
                }
                State::Closing => self.enter_time_wait(now),
                State::LastAck => {
                    self.finish(Outcome::Closed);
                    return;
                }
                _ => {}
            }
        }
        // Sixth and seventh: data and FIN.
        if !seg.payload.is_empty() {
            self.take_data(now, seq, seg.payload);
        }
        if seg.flags & FIN != 0 {
            self.take_fin(now, seq + seg.payload.len() as u32);
        }
    }

    fn on_new_ack(&mut self, now: Duration, ack: SeqNumber) {
        let acked = ack - self.snd_una;
        let data_acked = acked
            .min(self.send_buf.len() as u32)
            .min(if self.fin_acked_by(ack) {
                acked - 1
            } else {
                acked
            });
        self.send_buf.drain(..data_acked as usize);
        self.buf_seq = self.buf_seq + data_acked;
        self.snd_una = ack;
        if self.snd_nxt.is_before(ack) {
            self.snd_nxt = ack;
        }
        self.stats.bytes_acked += u64::from(data_acked);
        if data_acked > 0 {
            self.stats.last_ack_at = Some(now);
        }
        // RTT sample (Karn: `timing` is cleared whenever something is sent again).
        if let Some((end, at)) = self.timing
            && !ack.is_before(end)
        {
            self.timing = None;
            self.rtt_sample(now.saturating_sub(at));
        }
        self.tries = 0;
        let flight = self.flight();
        self.sacked.advance(self.snd_una);
        if self.rexmit_high.is_before(self.snd_una) {
            self.rexmit_high = self.snd_una;
        }
        match self.cc.on_new_ack(acked, ack, flight) {
            AckAction::PartialAck => {
                // NewReno: the next hole, where SACK says it is, else at SND.UNA.
                let at = if self.sack_ok { self.next_hole() } else { None };
                self.resend_one = Some((SendReason::RecoveryRetransmit, at));
                self.timing = None;
            }
            AckAction::FastRetransmit | AckAction::None => {}
        }
        // RFC 6298 (5.2), (5.3): stop the timer when all is acknowledged, else restart it.
        if self.snd_una == self.snd_max {
            if matches!(self.timer, Some((_, TimerKind::Rto))) {
                self.timer = None;
            }
        } else if !matches!(self.timer, Some((_, TimerKind::Persist))) {
            self.arm_rto(now);
        }
    }

    /// The next hole to resend in recovery: not SACKed, not resent yet, below the highest
    /// SACKed byte.
    fn next_hole(&self) -> Option<SeqNumber> {
        let from = if self.rexmit_high.is_after(self.snd_una) {
            self.rexmit_high
        } else {
            self.snd_una
        };
        self.sacked.next_hole(from).map(|(seq, _)| seq)
    }

    fn fin_acked_by(&self, ack: SeqNumber) -> bool {
        self.fin_seq().is_some_and(|f| ack.is_after(f))
    }

    /// Takes data starting at sequence number `seq`.
    fn take_data(&mut self, _now: Duration, seq: SeqNumber, data: &[u8]) {
        if !matches!(
            self.state,
            State::Established | State::FinWait1 | State::FinWait2
        ) || self.fin_received
        {
            return;
        }
        self.stats.data_segments_received += 1;
        let next = self.recv.next();
        // Position in the stream; acceptable segments are within 2^31 of RCV.NXT.
        let delta = seq.0.wrapping_sub(self.rcv_nxt.0) as i32;
        let at = if delta >= 0 {
            next.saturating_add(delta as u64)
        } else {
            next.saturating_sub(u64::from(delta.unsigned_abs()))
        };
        let mut limit = u64::from(if self.rcv_adv.is_after(self.rcv_nxt) {
            self.rcv_adv - self.rcv_nxt
        } else {
            0
        });
        // Nothing beyond a FIN already seen belongs to the stream.
        if let Some(f) = self.early_fin {
            limit = limit.min(f.saturating_sub(next));
        }
        match self.recv.add(at, data, limit) {
            Added::InOrder(n) => {
                self.rcv_nxt = self.rcv_nxt + n as u32;
                self.stats.bytes_received += n as u64;
                if self.ack_due.is_none() || self.ack_due == Some(SendReason::DupAck) {
                    self.ack_due = Some(SendReason::Ack);
                }
                if let Some(f) = self.early_fin
                    && f == self.recv.next()
                {
                    self.early_fin = None;
                    self.fin_now(_now);
                }
            }
            Added::Early => {
                self.stats.early_segments += 1;
                self.ack_due = Some(SendReason::DupAck);
            }
            Added::Nothing => {
                if self.ack_due.is_none() {
                    self.ack_due = Some(SendReason::DupAck);
                }
            }
        }
    }

    /// A FIN at sequence number `at` (after the segment's data).
    fn take_fin(&mut self, now: Duration, at: SeqNumber) {
        if self.fin_received || !self.state.synchronized() {
            return;
        }
        if at == self.rcv_nxt {
            self.fin_now(now);
        } else if at.is_after(self.rcv_nxt) {
            // Data before it is missing: remember where it is.
            let delta = at - self.rcv_nxt;
            self.early_fin = Some(self.recv.next() + u64::from(delta));
        }
    }

    fn fin_now(&mut self, now: Duration) {
        self.fin_received = true;
        self.rcv_nxt = self.rcv_nxt + 1;
        self.ack_due = Some(SendReason::FinAck);
        match self.state {
            State::Established => self.state = State::CloseWait,
            State::FinWait1 => {
                if self.fin_acked() {
                    self.enter_time_wait(now);
                } else {
                    self.state = State::Closing;
                }
            }
            State::FinWait2 => self.enter_time_wait(now),
            _ => {}
        }
    }

    fn enter_time_wait(&mut self, now: Duration) {
        self.state = State::TimeWait;
        self.timer = None;
        self.close_at = Some(now + self.cfg.time_wait);
    }

    // ---- timers -------------------------------------------------------------------------

    fn on_time(&mut self, now: Duration) {
        if let Some(at) = self.close_at
            && now >= at
        {
            match self.state {
                State::TimeWait => self.finish(Outcome::Closed),
                State::FinWait2 => self.finish(Outcome::TimedOut(TimedOut::PeerFin)),
                _ => self.close_at = None,
            }
            return;
        }
        let Some((at, kind)) = self.timer else {
            return;
        };
        if now < at {
            return;
        }
        self.timer = None;
        let rto = self.rtt.rto();
        match (self.state, kind) {
            (State::SynSent, _) => {
                if self.tries >= self.cfg.syn_retries {
                    self.finish(Outcome::TimedOut(TimedOut::Syn));
                    return;
                }
                self.tries += 1;
                self.rtt.back_off();
                self.timeout_rto = Some(rto);
                self.timing = None;
                self.syn_due = true;
                self.stats.timeouts += 1;
            }
            (_, TimerKind::Persist) => self.probe(now),
            (_, TimerKind::Rto) if self.snd_wnd == 0 && self.data_pending() => {
                // Data waits behind a closed window: probe it instead of counting a loss.
                self.probe(now);
            }
            (_, TimerKind::Rto) => {
                if !self.snd_max.is_after(self.snd_una) {
                    return;
                }
                if self.tries >= self.cfg.retries {
                    self.rst_due = Some(PendingRst {
                        seq: self.snd_nxt.0,
                        ack: None,
                    });
                    self.finish(Outcome::TimedOut(TimedOut::Ack));
                    return;
                }
                self.tries += 1;
                self.stats.timeouts += 1;
                let flight = self.flight();
                self.cc.on_timeout(flight, self.snd_max);
                self.rtt.back_off();
                self.timing = None;
                self.resend_one = None;
                self.timeout_rto = Some(rto);
                // Go back: everything from the first unacknowledged byte is sent again, but
                // what the peer SACKed (RFC 6675 5.1).
                self.snd_nxt = self.snd_una;
                self.rexmit_high = self.snd_una;
                self.arm_rto(now);
            }
        }
    }

    /// A zero-window probe is due (the persist timer expired).
    fn probe(&mut self, now: Duration) {
        // Probes that get no answer at all count like timeouts; any ACK resets the count.
        if self.tries >= self.cfg.retries.saturating_mul(2) {
            self.finish(Outcome::TimedOut(TimedOut::Ack));
            return;
        }
        self.tries += 1;
        self.probe_backoff = self.probe_backoff.saturating_add(1);
        self.resend_one = Some((SendReason::WindowProbe, None));
        self.arm_persist(now);
    }

    // ---- output -------------------------------------------------------------------------

    /// The next segment to send at `now`, if any. Call it until it returns `None`.
    pub fn poll_transmit(&mut self, now: Duration) -> Option<SegmentOut<'_>> {
        let plan = self.plan(now)?;
        let payload = if plan.len > 0 {
            self.payload_at(SeqNumber(plan.repr.seq), plan.len)
        } else {
            Payload::default()
        };
        Some(SegmentOut {
            repr: plan.repr,
            payload,
            reason: plan.reason,
        })
    }

    fn plan(&mut self, now: Duration) -> Option<Plan> {
        self.on_time(now);
        if let Some(rst) = self.rst_due.take() {
            let flags = if rst.ack.is_some() { RST | ACK } else { RST };
            let repr = TcpRepr::new(
                self.cfg.local_port,
                self.cfg.remote_port,
                rst.seq,
                rst.ack.unwrap_or(0),
                flags,
                0,
                TcpOptions::default(),
            );
            return Some(self.emitted(repr, SendReason::Rst));
        }
        match self.state {
            State::Closed => None,
            State::SynSent => self.poll_syn(now),
            _ => self.poll_synchronized(now),
        }
    }

    fn emitted(&mut self, repr: TcpRepr, reason: SendReason) -> Plan {
        self.stats.segments_sent += 1;
        if reason.is_retransmission() {
            self.stats.retransmissions += 1;
        }
        Plan {
            repr,
            len: 0,
            reason,
        }
    }

    fn poll_syn(&mut self, now: Duration) -> Option<Plan> {
        if !self.syn_due {
            return None;
        }
        self.syn_due = false;
        let reason = match self.timeout_rto.take() {
            Some(rto) => SendReason::SynRetransmit { rto },
            None => SendReason::Syn,
        };
        if reason == SendReason::Syn {
            self.timing = Some((self.iss + 1, now));
        }
        self.snd_nxt = self.iss + 1;
        self.snd_max = self.iss + 1;
        self.arm_rto(now);
        let mut options = TcpOptions {
            mss: Some(self.cfg.mss),
            window_scale: Some(self.cfg.window_shift),
            sack_permitted: self.cfg.sack,
            timestamps: self.cfg.timestamps.then(|| (self.ts_now(now), 0)),
            sack: SackBlocks::default(),
        };
        if self.cfg.window_shift == 0 {
            options.window_scale = None;
        }
        let repr = TcpRepr::new(
            self.cfg.local_port,
            self.cfg.remote_port,
            self.iss.0,
            0,
            SYN,
            self.cfg.recv_buffer.min(u32::from(u16::MAX)) as u16,
            options,
        );
        Some(self.emitted(repr, reason))
    }

    /// Right edge of the peer's window: where the window it advertised ends, counted from
    /// the ACK that advertised it (SND.WL2), never from a later SND.UNA.
    fn send_edge(&self) -> SeqNumber {
        self.snd_wl2 + self.snd_wnd
    }

    /// The payload of `len` bytes at `seq` from the send buffer.
    fn payload_at(&self, seq: SeqNumber, len: u32) -> Payload<'_> {
        let start = (seq - self.buf_start()) as usize;
        let end = start + len as usize;
        let (a, b) = self.send_buf.as_slices();
        let head = a.get(start.min(a.len())..end.min(a.len())).unwrap_or(&[]);
        let bs = start.saturating_sub(a.len());
        let be = end.saturating_sub(a.len());
        let tail = b.get(bs.min(b.len())..be.min(b.len())).unwrap_or(&[]);
        Payload { head, tail }
    }

    fn poll_synchronized(&mut self, now: Duration) -> Option<Plan> {
        if self.handshake_ack_due {
            self.handshake_ack_due = false;
            if self.ack_due == Some(SendReason::Ack) || self.ack_due == Some(SendReason::DupAck) {
                self.ack_due = None;
            }
            let repr = self.header(self.snd_nxt, ACK, now);
            return Some(self.emitted(repr, SendReason::HandshakeAck));
        }
        if let Some((reason, at)) = self.resend_one.take()
            && let Some(seg) = self.resend_first(now, reason, at)
        {
            return Some(seg);
        }
        self.skip_sacked();
        if self.can_send_data() {
            return self.send_data(now);
        }
        if let Some(seg) = self.maybe_fin(now) {
            return Some(seg);
        }
        self.maybe_arm_persist(now);
        if let Some(reason) = self.ack_due.take() {
            let repr = self.header(self.snd_nxt, ACK, now);
            return Some(self.emitted(repr, reason));
        }
        None
    }

    /// While sending again from below SND.MAX, steps over what the peer SACKed.
    fn skip_sacked(&mut self) {
        // Bounded: each turn moves past one SACKed range.
        for _ in 0..=scoreboard::MAX_RANGES {
            if !self.snd_nxt.is_before(self.snd_max) {
                return;
            }
            match self.sacked.sacked_until(self.snd_nxt) {
                Some(end) if end.is_after(self.snd_nxt) => {
                    self.snd_nxt = if end.is_after(self.snd_max) {
                        self.snd_max
                    } else {
                        end
                    };
                }
                _ => return,
            }
        }
    }

    /// Sends one segment again at `at` (SND.UNA when `None`): fast retransmit, recovery,
    /// zero-window probe.
    fn resend_first(
        &mut self,
        now: Duration,
        reason: SendReason,
        at: Option<SeqNumber>,
    ) -> Option<Plan> {
        let seq = match at {
            Some(s) if !s.is_before(self.snd_una) && s.is_before(self.snd_max) => s,
            Some(_) => return None,
            None => self.snd_una,
        };
        let data_end = self.data_end();
        let avail = if seq.is_before(data_end) {
            data_end - seq
        } else {
            0
        };
        if reason == SendReason::WindowProbe {
            if avail == 0 || self.snd_wnd > 0 {
                return None;
            }
            // One byte beyond the closed window (RFC 9293 3.8.6.1).
            self.stats.window_probes += 1;
            if self.snd_nxt == seq {
                self.snd_nxt = seq + 1;
            }
            if self.snd_max.is_before(self.snd_nxt) {
                self.snd_max = self.snd_nxt;
            }
            self.timing = None;
            return Some(self.data_segment(now, seq, 1, reason));
        }
        if avail == 0 {
            // Only the FIN is outstanding: send it again.
            if let Some(fin) = self.fin_seq()
                && fin == seq
                && self.snd_max.is_after(fin)
            {
                let mut repr = self.header(fin, FIN | ACK, now);
                repr.flags = FIN | ACK;
                return Some(self.emitted(repr, reason));
            }
            return None;
        }
        let room = if self.send_edge().is_after(seq) {
            self.send_edge() - seq
        } else {
            0
        };
        let outstanding = if self.snd_max.is_after(seq) {
            self.snd_max - seq
        } else {
            0
        };
        let len = self
            .effective_mss()
            .min(avail)
            .min(room)
            .min(outstanding.max(1))
            .min(self.sacked.gap_after(seq).unwrap_or(u32::MAX));
        if len == 0 {
            return None;
        }
        if self.rexmit_high.is_before(seq + len) {
            self.rexmit_high = seq + len;
        }
        Some(self.data_segment(now, seq, len, reason))
    }

    /// True when data can go now, within both windows and the SWS rules.
    fn can_send_data(&self) -> bool {
        self.send_len().is_some()
    }

    /// Length of the next data segment at `snd_nxt`, if one may go now.
    fn send_len(&self) -> Option<u32> {
        let end = self.data_end();
        if !self.snd_nxt.is_before(end) {
            return None;
        }
        if !matches!(
            self.state,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::Closing
                | State::LastAck
        ) {
            return None;
        }
        let resending = self.snd_nxt.is_before(self.snd_max);
        let mut available = end - self.snd_nxt;
        if resending {
            // Stop before the next range the peer SACKed.
            available = available.min(self.sacked.gap_after(self.snd_nxt).unwrap_or(u32::MAX));
        }
        // Bytes in the network (RFC 6675's pipe, outside fast recovery where cwnd inflation
        // counts them instead): what was sent from SND.UNA, less what the peer SACKed.
        let mut in_flight = self.snd_nxt - self.snd_una;
        if !self.cc.in_recovery {
            in_flight = in_flight.saturating_sub(self.sacked.sacked_below(self.snd_nxt));
        }
        let mss = self.effective_mss();
        // Limited transmit (RFC 3042): the first two duplicate ACKs each let one new segment
        // go, so that a small window still gets its three duplicates.
        let limited = if !resending && !self.cc.in_recovery && (1..=2).contains(&self.cc.dupacks) {
            self.cc.dupacks * mss
        } else {
            0
        };
        let wnd = self.snd_wnd.min(self.cc.cwnd.saturating_add(limited));
        let usable = wnd.saturating_sub(in_flight);
        let room = if self.send_edge().is_after(self.snd_nxt) {
            self.send_edge() - self.snd_nxt
        } else {
            0
        };
        let len = mss.min(available).min(usable).min(room);
        if len == 0 {
            return None;
        }
        // Sender-side silly window avoidance (RFC 9293 3.8.6.2.1): full segments, the rest
        // of the data, or at least half the largest window the peer ever offered.
        let ok = len == mss
            || len == available
            || len >= self.max_snd_wnd / 2
            || self.snd_nxt.is_before(self.snd_max);
        ok.then_some(len)
    }

    fn send_data(&mut self, now: Duration) -> Option<Plan> {
        let len = self.send_len()?;
        let seq = self.snd_nxt;
        let resend = seq.is_before(self.snd_max);
        let reason = if resend {
            match self.timeout_rto.take() {
                Some(rto) => SendReason::Retransmit { rto },
                None => SendReason::GoBack,
            }
        } else {
            SendReason::Data
        };
        self.snd_nxt = seq + len;
        if self.snd_max.is_before(self.snd_nxt) {
            self.snd_max = self.snd_nxt;
        }
        if !resend && self.timing.is_none() {
            self.timing = Some((self.snd_nxt, now));
        }
        if self.timer.is_none() {
            self.arm_rto(now);
        }
        Some(self.data_segment(now, seq, len, reason))
    }

    fn data_segment(
        &mut self,
        now: Duration,
        seq: SeqNumber,
        len: u32,
        reason: SendReason,
    ) -> Plan {
        let last = seq + len == self.data_end();
        let flags = if last { ACK | PSH } else { ACK };
        let repr = self.header(seq, flags, now);
        self.ack_due = None;
        self.stats.data_segments_sent += 1;
        self.stats.data_bytes_sent += u64::from(len);
        if self.stats.first_data_at.is_none() {
            self.stats.first_data_at = Some(now);
        }
        if reason.is_retransmission() {
            self.stats.retransmissions += 1;
        }
        self.stats.segments_sent += 1;
        Plan { repr, len, reason }
    }

    fn maybe_fin(&mut self, now: Duration) -> Option<Plan> {
        let fin = self.fin_seq()?;
        if self.snd_nxt != fin {
            return None;
        }
        let state = match self.state {
            State::Established => State::FinWait1,
            State::CloseWait => State::LastAck,
            s @ (State::FinWait1 | State::Closing | State::LastAck) => s,
            _ => return None,
        };
        self.state = state;
        let again = self.snd_max.is_after(fin);
        let reason = match (again, self.timeout_rto.take()) {
            (true, Some(rto)) => SendReason::FinRetransmit { rto },
            (true, None) => SendReason::FinRetransmit {
                rto: self.rtt.rto(),
            },
            (false, _) => SendReason::Fin,
        };
        self.snd_nxt = fin + 1;
        if self.snd_max.is_before(self.snd_nxt) {
            self.snd_max = self.snd_nxt;
        }
        if self.timer.is_none() {
            self.arm_rto(now);
        }
        let repr = self.header(fin, FIN | ACK, now);
        self.ack_due = None;
        Some(self.emitted(repr, reason))
    }

    /// Starts probing when the peer's window is closed and data waits.
    fn maybe_arm_persist(&mut self, now: Duration) {
        if self.snd_wnd == 0
            && self.snd_nxt.is_before(self.data_end())
            && self.snd_nxt == self.snd_una
            && self.timer.is_none()
            && matches!(
                self.state,
                State::Established | State::CloseWait | State::FinWait1
            )
        {
            self.arm_persist(now);
        }
    }
}

#[cfg(test)]
mod tests;

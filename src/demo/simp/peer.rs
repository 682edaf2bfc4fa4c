//! The SIMP daemon's logic as a sans-IO state machine: the client session, the handshake with
//! another daemon, and stop-and-wait chat. It does no I/O and reads no clock: the caller feeds it
//! datagrams, client lines and the current time, then drains [`Event`]s and calls
//! [`Peer::timeout`] at [`Peer::poll_timeout`].
//!
//! Session states (one client per daemon):
//!
//! ```text
//! NoClient ─connect─► Login ─name─► Choosing ─wait─► Waiting ─cancel─► Choosing
//!                                      │  ▲                │
//!                           start ADDR │  │ cancel/FIN/ERR  │ SYN arrives (also in Choosing:
//!                                      ▼  │                ▼  held and offered)
//!                                   Inviting              Offered ─decline: FIN─► Choosing
//!                         SYN+ACK: ACK │                     │ accept: SYN+ACK
//!                                      ▼                     ▼
//!                                     Chat ◄───ACK (or CHAT)── Accepting
//! ```
//!
//! Reliability: SYN is resent every timeout until answered or cancelled (the invited user may
//! take time); SYN+ACK, chat messages and FIN are resent every timeout, at most
//! [`PeerConfig::max_attempts`] times, then the session ends as "unreachable". Chat uses the
//! alternating bit: one message in flight, the others queued in order; the receiver ACKs every
//! message with its sequence bit but shows only the expected one. A FIN carries the sequence bit
//! the next message would have had, so a late ACK of the last message is not taken for the FIN's.
//! After a decline or a chat's end the daemon remembers the peer for a while ("linger") to answer
//! its retransmissions: a repeated SYN gets the FIN again, a repeated FIN or message gets its ACK.
//!
//! Limits: like any alternating-bit protocol, it assumes datagrams are not delayed by more than a
//! timeout; a daemon serves one client and one chat at a time; crossed invitations both get
//! "user busy".

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::decode::simp::{self, DAEMON_PORT, Operation, SimpMessage};

/// Longest chat message a client may send, in bytes (keeps a datagram within one Ethernet frame).
pub const MAX_TEXT: usize = 1024;

/// Payload of the ERR sent to a SYN while the daemon is in a session.
pub const BUSY: &str = "user busy";

/// Timing and retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerConfig {
    /// Time to wait for an answer before resending.
    pub timeout: Duration,
    /// Sends of one SYN+ACK, chat message or FIN before giving up (SYN is resent without limit).
    pub max_attempts: u32,
}

impl Default for PeerConfig {
    fn default() -> Self {
        PeerConfig {
            timeout: Duration::from_secs(5),
            max_attempts: 10,
        }
    }
}

/// What the machine asks its driver to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Send this message to that daemon.
    Send {
        /// The other daemon's address (port 7777).
        to: SocketAddr,
        /// The message.
        msg: SimpMessage,
    },
    /// Show this line to the client (no newline inside).
    Client(String),
    /// Write this line to the daemon's log.
    Log(String),
}

/// Where a declined or withdrawn invitation leaves the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Back {
    Choosing,
    Waiting,
}

/// A chat in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chat {
    peer: SocketAddr,
    user: String,
    /// Sequence bit of the message in flight, or of the next one.
    send_seq: u8,
    /// Sequence bit of the next new message from the peer.
    recv_seq: u8,
    in_flight: Option<InFlight>,
    queue: VecDeque<String>,
    /// Set when our FIN is out: its sequence bit and sends so far.
    fin: Option<(u8, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct InFlight {
    text: String,
    attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    NoClient,
    Login,
    Choosing,
    Waiting,
    Inviting {
        peer: SocketAddr,
    },
    Offered {
        peer: SocketAddr,
        user: String,
        back: Back,
    },
    Accepting {
        peer: SocketAddr,
        user: String,
        attempts: u32,
    },
    Chat(Chat),
}

/// Memory of a finished session, to answer the old peer's retransmissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Linger {
    peer: SocketAddr,
    /// We declined: answer SYN with FIN until our FIN is acknowledged.
    declined: bool,
    until: Instant,
}

/// The daemon's state machine. See the module docs.
#[derive(Debug, Clone)]
pub struct Peer {
    config: PeerConfig,
    state: State,
    user: String,
    deadline: Option<Instant>,
    linger: Option<Linger>,
    events: VecDeque<Event>,
}

impl Peer {
    /// A daemon with no client.
    pub fn new(config: PeerConfig) -> Self {
        Peer {
            config,
            state: State::NoClient,
            user: String::new(),
            deadline: None,
            linger: None,
            events: VecDeque::new(),
        }
    }

    /// Short name of the current state, for logs and tests: `no-client`, `login`, `choosing`,
    /// `waiting`, `inviting`, `offered`, `accepting`, `chat`, `leaving`.
    pub fn state_name(&self) -> &'static str {
        match &self.state {
            State::NoClient => "no-client",
            State::Login => "login",
            State::Choosing => "choosing",
            State::Waiting => "waiting",
            State::Inviting { .. } => "inviting",
            State::Offered { .. } => "offered",
            State::Accepting { .. } => "accepting",
            State::Chat(chat) if chat.fin.is_some() => "leaving",
            State::Chat(_) => "chat",
        }
    }

    /// True when a client is connected.
    pub fn has_client(&self) -> bool {
        self.state != State::NoClient
    }

    /// The next thing to do, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Peer::timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.deadline, self.linger.map(|l| l.until)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A client connected to the daemon's client port.
    pub fn client_connected(&mut self, _now: Instant) {
        if self.state != State::NoClient {
            self.log("a client connected while another is served; ignored");
            return;
        }
        self.user.clear();
        self.state = State::Login;
        self.client("login: your user name?");
    }

    /// The client went away: whatever it was doing is cancelled (FIN to the other daemon).
    pub fn client_gone(&mut self, _now: Instant) {
        match std::mem::replace(&mut self.state, State::NoClient) {
            State::Inviting { peer }
            | State::Offered { peer, .. }
            | State::Accepting { peer, .. } => self.send(peer, Operation::Fin, 0, Vec::new()),
            State::Chat(chat) => {
                let seq = fin_seq(&chat);
                self.send(chat.peer, Operation::Fin, seq, Vec::new());
            }
            _ => {}
        }
        self.log("client gone");
        self.deadline = None;
        self.user.clear();
    }

    /// One line typed by the client (without its newline).
    pub fn client_line(&mut self, now: Instant, line: &str) {
        let line = line.trim_end_matches(['\r', '\n']);
        let word = line.trim();
        match std::mem::replace(&mut self.state, State::NoClient) {
            State::NoClient => self.log("a line from no client; ignored"),
            State::Login => match simp::validate_user(word) {
                Ok(()) => {
                    self.user = word.to_owned();
                    self.client(&format!("ok: logged in as {word}"));
                    self.choose();
                }
                Err(why) => {
                    self.state = State::Login;
                    self.client(&format!("error: {why}"));
                    self.client("login: your user name?");
                }
            },
            State::Choosing => self.choosing_line(now, word),
            State::Waiting => {
                if is_cancel(word) {
                    self.choose();
                } else {
                    self.state = State::Waiting;
                    self.client("error: waiting for an invitation; \"cancel\" to go back");
                }
            }
            State::Inviting { peer } => {
                if is_cancel(word) {
                    self.send(peer, Operation::Fin, 0, Vec::new());
                    self.client(&format!("cancelled: invitation to {peer}"));
                    self.choose();
                } else {
                    self.state = State::Inviting { peer };
                    self.client("error: waiting for an answer; \"cancel\" to go back");
                }
            }
            State::Offered { peer, user, back } => match word {
                "accept" | "a" | "y" | "yes" => {
                    self.send(peer, Operation::SynAck, 0, Vec::new());
                    self.client(&format!("accepted: {user} at {peer}; connecting"));
                    self.state = State::Accepting {
                        peer,
                        user,
                        attempts: 1,
                    };
                    self.arm(now);
                }
                "decline" | "d" | "n" | "no" => {
                    self.send(peer, Operation::Fin, 0, Vec::new());
                    self.linger(now, peer, true);
                    self.client(&format!("declined: invitation from {user} at {peer}"));
                    self.choose();
                }
                _ => {
                    self.state = State::Offered { peer, user, back };
                    self.client("error: answer the invitation first: \"accept\" or \"decline\"");
                }
            },
            state @ State::Accepting { .. } => {
                self.state = state;
                self.client("error: the chat is starting, wait a moment");
            }
            State::Chat(chat) => self.chat_line(now, chat, line),
        }
    }

    fn choosing_line(&mut self, now: Instant, word: &str) {
        self.state = State::Choosing;
        let mut parts = word.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some("wait" | "w"), None, None) => {
                self.state = State::Waiting;
                self.client("waiting: for an invitation (\"cancel\" to go back)");
            }
            (Some("start" | "s"), Some(addr), None) => match parse_daemon_addr(addr) {
                Some(peer) => {
                    self.state = State::Inviting { peer };
                    self.send(peer, Operation::Syn, 0, Vec::new());
                    self.client(&format!("inviting: {peer} (\"cancel\" to go back)"));
                    self.arm(now);
                }
                None => self.client(&format!("error: {addr:?} is not an IP address")),
            },
            _ => {
                self.client(&format!("error: unknown command {word:?}"));
                self.menu();
            }
        }
    }

    fn chat_line(&mut self, now: Instant, mut chat: Chat, line: &str) {
        if chat.fin.is_some() {
            self.state = State::Chat(chat);
            self.client("error: leaving the chat, wait a moment");
            return;
        }
        if line.trim() == "q" {
            let seq = fin_seq(&chat);
            let unsent = chat
                .queue
                .len()
                .saturating_add(usize::from(chat.in_flight.is_some()));
            chat.in_flight = None;
            chat.queue.clear();
            chat.fin = Some((seq, 1));
            let peer = chat.peer;
            self.state = State::Chat(chat);
            self.send(peer, Operation::Fin, seq, Vec::new());
            if unsent > 0 {
                self.client(&format!(
                    "leaving: the chat; {unsent} unsent message(s) dropped"
                ));
            } else {
                self.client("leaving: the chat");
            }
            self.arm(now);
            return;
        }
        if line.is_empty() {
            self.state = State::Chat(chat);
            return;
        }
        if line.len() > MAX_TEXT {
            self.state = State::Chat(chat);
            self.client(&format!(
                "error: message is {} bytes, at most {MAX_TEXT}",
                line.len()
            ));
            return;
        }
        if chat.in_flight.is_some() {
            chat.queue.push_back(line.to_owned());
            self.state = State::Chat(chat);
        } else {
            self.start_sending(now, chat, line.to_owned());
        }
    }

    /// Puts `text` in flight and sends it.
    fn start_sending(&mut self, now: Instant, mut chat: Chat, text: String) {
        let (peer, seq) = (chat.peer, chat.send_seq);
        let payload = text.clone().into_bytes();
        chat.in_flight = Some(InFlight { text, attempts: 1 });
        self.state = State::Chat(chat);
        self.send(peer, Operation::Message, seq, payload);
        self.arm(now);
    }

    /// One datagram from `from`.
    pub fn datagram(&mut self, now: Instant, from: SocketAddr, bytes: &[u8]) {
        let msg = match simp::view(bytes) {
            Ok(view) => {
                self.log(&format!("recv {from}: {}", view.info()));
                view.to_message()
            }
            Err(err) => {
                // Never answer something that claims to be an ERR: no ERR ping-pong.
                let claims_err = bytes.get(..2) == Some(&[0x01, 0x01][..]);
                self.log(&format!(
                    "malformed datagram from {from} ({} bytes): {err}{}",
                    bytes.len(),
                    if claims_err { "" } else { "; replied ERR" }
                ));
                if !claims_err {
                    self.send(from, Operation::Err, 0, format!("malformed: {err}"));
                }
                return;
            }
        };
        let lingering = self
            .linger
            .filter(|l| l.peer == from && l.until > now)
            .map(|l| l.declined);
        match msg.op {
            Operation::Syn => self.on_syn(from, msg, lingering),
            Operation::SynAck => self.on_synack(from, msg),
            Operation::Ack => self.on_ack(now, from, msg, lingering),
            Operation::Fin => self.on_fin(now, from, msg),
            Operation::Err => self.on_err(from, msg),
            Operation::Message => self.on_message(from, msg, lingering),
        }
    }

    fn on_syn(&mut self, from: SocketAddr, msg: SimpMessage, lingering: Option<bool>) {
        let state = std::mem::replace(&mut self.state, State::NoClient);
        let back = match &state {
            State::Choosing => Some(Back::Choosing),
            State::Waiting => Some(Back::Waiting),
            _ => None,
        };
        match state {
            State::NoClient | State::Login => {
                self.state = state;
                self.send(from, Operation::Err, 0, "no user logged in");
            }
            _ if lingering == Some(true) => {
                self.state = state;
                self.log(&format!("repeated SYN from declined {from}; FIN again"));
                self.send(from, Operation::Fin, 0, Vec::new());
            }
            State::Offered { peer, .. } if peer == from => {
                self.state = state;
                self.log("duplicate SYN for the offered invitation; ignored");
            }
            State::Accepting { peer, .. } if peer == from => {
                self.state = state;
                self.send(from, Operation::SynAck, 0, Vec::new());
            }
            State::Chat(ref chat) if chat.peer == from => {
                self.state = state;
                self.log("stale SYN from the chat peer; ignored");
            }
            _ => match back {
                Some(back) => {
                    let user = display_text(msg.user.as_bytes());
                    self.client(&format!(
                        "invite: {user} at {from} wants to chat: \"accept\" or \"decline\"?"
                    ));
                    self.state = State::Offered {
                        peer: from,
                        user,
                        back,
                    };
                    self.deadline = None;
                }
                None => {
                    self.state = state;
                    self.log(&format!("busy; refusing SYN from {from}"));
                    self.send(from, Operation::Err, 0, BUSY);
                }
            },
        }
    }

    fn on_synack(&mut self, from: SocketAddr, msg: SimpMessage) {
        match std::mem::replace(&mut self.state, State::NoClient) {
            State::Inviting { peer } if peer == from => {
                self.send(from, Operation::Ack, 0, Vec::new());
                let user = display_text(msg.user.as_bytes());
                self.enter_chat(peer, user);
            }
            State::Chat(chat) if chat.peer == from => {
                self.state = State::Chat(chat);
                self.log("repeated SYN+ACK; ACK again");
                self.send(from, Operation::Ack, 0, Vec::new());
            }
            state => {
                self.state = state;
                self.log(&format!("SYN+ACK from {from} without an invitation; FIN"));
                self.send(from, Operation::Fin, 0, Vec::new());
            }
        }
    }

    fn on_ack(
        &mut self,
        now: Instant,
        from: SocketAddr,
        msg: SimpMessage,
        lingering: Option<bool>,
    ) {
        match std::mem::replace(&mut self.state, State::NoClient) {
            State::Accepting { peer, user, .. } if peer == from => {
                self.enter_chat(peer, user);
            }
            State::Chat(mut chat) if chat.peer == from => {
                if let Some((fin_seq, _)) = chat.fin {
                    if msg.seq == fin_seq {
                        self.end_chat(now, &chat, "ended: you left the chat".into());
                    } else {
                        self.state = State::Chat(chat);
                        self.log("stale ACK while leaving; ignored");
                    }
                    return;
                }
                if chat.in_flight.is_some() && msg.seq == chat.send_seq {
                    if let Some(done) = chat.in_flight.take() {
                        self.client(&format!("delivered: {}", done.text));
                    }
                    chat.send_seq ^= 1;
                    self.deadline = None;
                    match chat.queue.pop_front() {
                        Some(next) => self.start_sending(now, chat, next),
                        None => self.state = State::Chat(chat),
                    }
                } else {
                    self.state = State::Chat(chat);
                    self.log(&format!("stale ACK seq={}; ignored", msg.seq));
                }
            }
            state => {
                self.state = state;
                if lingering == Some(true) {
                    self.log(&format!("{from} acknowledged our FIN"));
                    self.linger = None;
                } else {
                    self.log(&format!("unexpected ACK from {from}; ignored"));
                }
            }
        }
    }

    fn on_fin(&mut self, now: Instant, from: SocketAddr, msg: SimpMessage) {
        // A FIN is always acknowledged, with its own sequence bit.
        self.send(from, Operation::Ack, msg.seq, Vec::new());
        match std::mem::replace(&mut self.state, State::NoClient) {
            State::Inviting { peer } if peer == from => {
                self.client(&format!("declined: {peer} declined the invitation"));
                self.choose();
            }
            State::Offered { peer, user, back } if peer == from => {
                self.client(&format!(
                    "withdrawn: {user} at {peer} withdrew the invitation"
                ));
                match back {
                    Back::Choosing => self.choose(),
                    Back::Waiting => {
                        self.state = State::Waiting;
                        self.client("waiting: for an invitation (\"cancel\" to go back)");
                    }
                }
            }
            State::Accepting { peer, user, .. } if peer == from => {
                self.client(&format!(
                    "withdrawn: {user} at {peer} withdrew the invitation"
                ));
                self.choose();
            }
            State::Chat(chat) if chat.peer == from => {
                let line = if chat.fin.is_some() {
                    "ended: both left the chat".to_owned()
                } else {
                    format!("ended: {} left the chat", chat.user)
                };
                self.end_chat(now, &chat, line);
            }
            state => self.state = state,
        }
    }

    fn on_err(&mut self, from: SocketAddr, msg: SimpMessage) {
        let why = display_text(&msg.payload);
        match std::mem::replace(&mut self.state, State::NoClient) {
            State::Inviting { peer } if peer == from => {
                self.client(&format!("refused: {peer}: {why}"));
                self.choose();
            }
            State::Offered { peer, .. } | State::Accepting { peer, .. } if peer == from => {
                self.client(&format!("withdrawn: {peer}: {why}"));
                self.choose();
            }
            State::Chat(chat) if chat.peer == from => {
                self.deadline = None;
                self.client(&format!("ended: error from {}: {why}", chat.peer));
                self.choose();
            }
            state => self.state = state,
        }
    }

    fn on_message(&mut self, from: SocketAddr, msg: SimpMessage, lingering: Option<bool>) {
        let mut chat = match std::mem::replace(&mut self.state, State::NoClient) {
            State::Chat(chat) if chat.peer == from => chat,
            State::Accepting { peer, user, .. } if peer == from => {
                // The ACK of our SYN+ACK was lost but the chat has begun: take it as the ACK.
                self.log("chat message before the handshake ACK; taken as ACK");
                self.enter_chat(peer, user);
                match std::mem::replace(&mut self.state, State::NoClient) {
                    State::Chat(chat) => chat,
                    state => {
                        self.state = state;
                        return;
                    }
                }
            }
            state => {
                self.state = state;
                if lingering == Some(false) {
                    self.log("message from the peer of an ended chat; ACK, not shown");
                    self.send(from, Operation::Ack, msg.seq, Vec::new());
                } else {
                    self.send(from, Operation::Err, msg.seq, "not in a chat with you");
                }
                return;
            }
        };
        self.send(from, Operation::Ack, msg.seq, Vec::new());
        if msg.seq == chat.recv_seq {
            chat.recv_seq ^= 1;
            self.client(&format!(
                "msg: {}: {}",
                chat.user,
                display_text(&msg.payload)
            ));
        } else {
            self.log(&format!(
                "duplicate message seq={} from {from}; ACK again, not shown",
                msg.seq
            ));
        }
        self.state = State::Chat(chat);
    }

    /// Time is `now`: resend what is unanswered, forget expired lingers.
    pub fn timeout(&mut self, now: Instant) {
        if self.linger.is_some_and(|l| l.until <= now) {
            self.linger = None;
        }
        if self.deadline.is_none_or(|d| d > now) {
            return;
        }
        self.deadline = None;
        let max = self.config.max_attempts;
        match std::mem::replace(&mut self.state, State::NoClient) {
            State::Inviting { peer } => {
                self.state = State::Inviting { peer };
                self.log("no answer to SYN; resending");
                self.send(peer, Operation::Syn, 0, Vec::new());
                self.arm(now);
            }
            State::Accepting {
                peer,
                user,
                attempts,
            } => {
                if attempts >= max {
                    self.client(&format!("ended: no answer from {peer}"));
                    self.choose();
                } else {
                    self.state = State::Accepting {
                        peer,
                        user,
                        attempts: attempts.saturating_add(1),
                    };
                    self.log("no ACK for SYN+ACK; resending");
                    self.send(peer, Operation::SynAck, 0, Vec::new());
                    self.arm(now);
                }
            }
            State::Chat(mut chat) => {
                let peer = chat.peer;
                if let Some((seq, attempts)) = chat.fin {
                    if attempts >= max {
                        let line = format!("ended: you left the chat ({peer} did not answer)");
                        self.end_chat(now, &chat, line);
                    } else {
                        chat.fin = Some((seq, attempts.saturating_add(1)));
                        self.state = State::Chat(chat);
                        self.log("no ACK for FIN; resending");
                        self.send(peer, Operation::Fin, seq, Vec::new());
                        self.arm(now);
                    }
                    return;
                }
                let seq = chat.send_seq;
                match chat.in_flight.as_mut() {
                    Some(flight) if flight.attempts >= max => {
                        let line = format!("ended: {peer} unreachable");
                        self.end_chat(now, &chat, line);
                    }
                    Some(flight) => {
                        flight.attempts = flight.attempts.saturating_add(1);
                        let payload = flight.text.clone().into_bytes();
                        self.state = State::Chat(chat);
                        self.log(&format!("no ACK for seq={seq}; resending"));
                        self.send(peer, Operation::Message, seq, payload);
                        self.arm(now);
                    }
                    None => self.state = State::Chat(chat),
                }
            }
            state => self.state = state,
        }
    }

    fn enter_chat(&mut self, peer: SocketAddr, user: String) {
        self.deadline = None;
        self.client(&format!(
            "chat: with {user} at {peer} (type messages, \"q\" to quit)"
        ));
        self.state = State::Chat(Chat {
            peer,
            user,
            send_seq: 0,
            recv_seq: 0,
            in_flight: None,
            queue: VecDeque::new(),
            fin: None,
        });
    }

    fn end_chat(&mut self, now: Instant, chat: &Chat, line: String) {
        self.deadline = None;
        self.linger(now, chat.peer, false);
        self.client(&line);
        self.choose();
    }

    fn choose(&mut self) {
        self.state = State::Choosing;
        self.deadline = None;
        self.menu();
    }

    fn menu(&mut self) {
        self.client(
            "menu: \"wait\" for an invitation, or \"start ADDR\" to invite the daemon at ADDR",
        );
    }

    fn arm(&mut self, now: Instant) {
        self.deadline = now.checked_add(self.config.timeout);
    }

    fn linger(&mut self, now: Instant, peer: SocketAddr, declined: bool) {
        let span = self
            .config
            .timeout
            .saturating_mul(self.config.max_attempts.saturating_add(1));
        self.linger = now.checked_add(span).map(|until| Linger {
            peer,
            declined,
            until,
        });
    }

    fn send(&mut self, to: SocketAddr, op: Operation, seq: u8, payload: impl Into<Vec<u8>>) {
        let msg = SimpMessage::new(op, seq, &self.user, payload);
        self.events.push_back(Event::Send { to, msg });
    }

    fn client(&mut self, line: &str) {
        self.events.push_back(Event::Client(line.to_owned()));
    }

    fn log(&mut self, line: &str) {
        self.events.push_back(Event::Log(line.to_owned()));
    }
}

/// The sequence bit a FIN carries: the one the next new message would use.
fn fin_seq(chat: &Chat) -> u8 {
    chat.send_seq ^ u8::from(chat.in_flight.is_some())
}

fn is_cancel(word: &str) -> bool {
    matches!(word, "cancel" | "c")
}

/// `10.0.0.2` → `10.0.0.2:7777`; `10.0.0.2:7000` and `[::1]:7777` are taken as given.
pub fn parse_daemon_addr(text: &str) -> Option<SocketAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, DAEMON_PORT));
    }
    text.parse::<SocketAddr>().ok()
}

/// Network text made safe for one terminal line ([`crate::render::text::escape`]).
fn display_text(bytes: &[u8]) -> String {
    crate::render::text::escape(bytes)
}

#[cfg(test)]
mod tests;

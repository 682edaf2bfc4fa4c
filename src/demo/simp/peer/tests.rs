use super::*;

const A: &str = "10.77.0.1:7777";
const B: &str = "10.77.0.2:7777";
const C: &str = "10.77.0.3:7777";

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

fn config() -> PeerConfig {
    PeerConfig {
        timeout: Duration::from_millis(200),
        max_attempts: 3,
    }
}

/// A scripted daemon: a clock that only moves when told, and helpers to check events.
struct Script {
    peer: Peer,
    now: Instant,
}

impl Script {
    fn new() -> Self {
        Script {
            peer: Peer::new(config()),
            now: Instant::now(),
        }
    }

    /// Connected client logged in as `user`; events drained.
    fn logged_in(user: &str) -> Self {
        let mut s = Script::new();
        s.peer.client_connected(s.now);
        s.line(user);
        s.drain();
        s
    }

    fn line(&mut self, text: &str) {
        self.peer.client_line(self.now, text);
    }

    fn recv(&mut self, from: &str, op: Operation, seq: u8, user: &str, payload: &[u8]) {
        let bytes = SimpMessage::new(op, seq, user, payload.to_vec()).encode();
        self.peer.datagram(self.now, addr(from), &bytes);
    }

    fn advance(&mut self) {
        let next = self.peer.poll_timeout().expect("a timer is armed");
        assert!(next > self.now, "timer not in the future");
        self.now = next;
        self.peer.timeout(self.now);
    }

    fn drain(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.peer.poll_event()).collect()
    }

    /// Sends (to, op, seq, payload) and client lines, logs dropped.
    fn out(&mut self) -> (Vec<Sent>, Vec<String>) {
        let mut sends = Vec::new();
        let mut lines = Vec::new();
        for event in self.drain() {
            match event {
                Event::Send { to, msg } => {
                    // Everything sent must decode back (and carry our user name).
                    let bytes = msg.encode();
                    assert_eq!(SimpMessage::decode(&bytes).as_ref(), Ok(&msg));
                    sends.push((to, msg.op, msg.seq, msg.payload));
                }
                Event::Client(line) => lines.push(line),
                Event::Log(_) => {}
            }
        }
        (sends, lines)
    }
}

/// One datagram sent: destination, operation, sequence bit, payload.
type Sent = (SocketAddr, Operation, u8, Vec<u8>);

fn send(to: &str, op: Operation, seq: u8, payload: &[u8]) -> Sent {
    (addr(to), op, seq, payload.to_vec())
}

/// Drives `a` (inviter, alice at A) and `b` (invitee, bob at B) into a chat.
fn chatting() -> (Script, Script) {
    let mut a = Script::logged_in("alice");
    let mut b = Script::logged_in("bob");
    b.line("wait");
    b.drain();
    a.line(&format!("start {}", "10.77.0.2"));
    a.drain();
    b.recv(A, Operation::Syn, 0, "alice", b"");
    b.line("accept");
    b.drain();
    a.recv(B, Operation::SynAck, 0, "bob", b"");
    a.drain();
    b.recv(A, Operation::Ack, 0, "alice", b"");
    b.drain();
    assert_eq!((a.peer.state_name(), b.peer.state_name()), ("chat", "chat"));
    (a, b)
}

#[test]
fn login_rejects_bad_names_then_accepts_a_good_one() {
    let mut s = Script::new();
    s.peer.client_connected(s.now);
    assert_eq!(s.out().1, vec!["login: your user name?"]);
    s.line("two words");
    let (_, lines) = s.out();
    assert!(
        lines[0].starts_with("error: user name has ' '"),
        "{lines:?}"
    );
    assert_eq!(s.peer.state_name(), "login");
    s.line("alice");
    let (_, lines) = s.out();
    assert_eq!(lines[0], "ok: logged in as alice");
    assert!(lines[1].starts_with("menu: "));
    assert_eq!(s.peer.state_name(), "choosing");
}

#[test]
fn invite_accept_is_syn_synack_ack() {
    let mut a = Script::logged_in("alice");
    a.line("start 10.77.0.2");
    let (sends, lines) = a.out();
    assert_eq!(sends, vec![send(B, Operation::Syn, 0, b"")]);
    assert_eq!(
        lines,
        vec!["inviting: 10.77.0.2:7777 (\"cancel\" to go back)"]
    );

    let mut b = Script::logged_in("bob");
    b.line("wait");
    b.drain();
    b.recv(A, Operation::Syn, 0, "alice", b"");
    let (sends, lines) = b.out();
    assert!(sends.is_empty());
    assert_eq!(
        lines,
        vec!["invite: alice at 10.77.0.1:7777 wants to chat: \"accept\" or \"decline\"?"]
    );
    b.line("accept");
    assert_eq!(b.out().0, vec![send(A, Operation::SynAck, 0, b"")]);
    assert_eq!(b.peer.state_name(), "accepting");

    a.recv(B, Operation::SynAck, 0, "bob", b"");
    let (sends, lines) = a.out();
    assert_eq!(sends, vec![send(B, Operation::Ack, 0, b"")]);
    assert_eq!(
        lines,
        vec!["chat: with bob at 10.77.0.2:7777 (type messages, \"q\" to quit)"]
    );
    b.recv(A, Operation::Ack, 0, "alice", b"");
    assert_eq!(
        b.out().1,
        vec!["chat: with alice at 10.77.0.1:7777 (type messages, \"q\" to quit)"]
    );
}

#[test]
fn decline_sends_fin_and_the_inviter_is_told() {
    let mut b = Script::logged_in("bob");
    b.line("wait");
    b.drain();
    b.recv(A, Operation::Syn, 0, "alice", b"");
    b.drain();
    b.line("decline");
    let (sends, lines) = b.out();
    assert_eq!(sends, vec![send(A, Operation::Fin, 0, b"")]);
    assert!(lines[0].starts_with("declined: invitation from alice"));
    assert_eq!(b.peer.state_name(), "choosing");
    // The inviter's SYN crossed our FIN: it gets the FIN again, and is not offered again.
    b.recv(A, Operation::Syn, 0, "alice", b"");
    let (sends, lines) = b.out();
    assert_eq!(sends, vec![send(A, Operation::Fin, 0, b"")]);
    assert!(lines.is_empty());
    // Once our FIN is acknowledged, a new invitation from alice is offered again.
    b.recv(A, Operation::Ack, 0, "alice", b"");
    b.recv(A, Operation::Syn, 0, "alice", b"");
    assert!(b.out().1[0].starts_with("invite: alice"));

    let mut a = Script::logged_in("alice");
    a.line("start 10.77.0.2");
    a.drain();
    a.recv(B, Operation::Fin, 0, "bob", b"");
    let (sends, lines) = a.out();
    assert_eq!(sends, vec![send(B, Operation::Ack, 0, b"")]);
    assert_eq!(lines[0], "declined: 10.77.0.2:7777 declined the invitation");
    assert_eq!(a.peer.state_name(), "choosing");
}

#[test]
fn syn_is_resent_until_answered_or_cancelled() {
    let mut a = Script::logged_in("alice");
    a.line("start 10.77.0.2");
    a.drain();
    for _ in 0..5 {
        a.advance();
        assert_eq!(a.out().0, vec![send(B, Operation::Syn, 0, b"")]);
    }
    a.line("cancel");
    let (sends, lines) = a.out();
    assert_eq!(sends, vec![send(B, Operation::Fin, 0, b"")]);
    assert_eq!(lines[0], "cancelled: invitation to 10.77.0.2:7777");
    assert_eq!(a.peer.poll_timeout(), None);
    // bob accepts too late: he is told with a FIN.
    a.recv(B, Operation::SynAck, 0, "bob", b"");
    assert_eq!(a.out().0, vec![send(B, Operation::Fin, 0, b"")]);
}

#[test]
fn waiting_client_can_cancel_and_offered_invitation_can_be_withdrawn() {
    let mut b = Script::logged_in("bob");
    b.line("wait");
    assert_eq!(b.peer.state_name(), "waiting");
    b.line("cancel");
    assert_eq!(b.peer.state_name(), "choosing");
    b.line("wait");
    b.recv(A, Operation::Syn, 0, "alice", b"");
    b.drain();
    b.recv(A, Operation::Fin, 0, "alice", b"");
    let (sends, lines) = b.out();
    assert_eq!(sends, vec![send(A, Operation::Ack, 0, b"")]);
    assert!(lines[0].starts_with("withdrawn: alice at 10.77.0.1:7777"));
    assert_eq!(b.peer.state_name(), "waiting");
}

#[test]
fn request_while_choosing_is_held_and_offered() {
    let mut b = Script::logged_in("bob");
    b.recv(A, Operation::Syn, 0, "alice", b"");
    let (sends, lines) = b.out();
    assert!(sends.is_empty());
    assert!(lines[0].starts_with("invite: alice"));
    // Other commands are refused until the invitation is answered.
    b.line("start 10.77.0.3");
    let (sends, lines) = b.out();
    assert!(sends.is_empty());
    assert!(lines[0].starts_with("error: answer the invitation first"));
    b.line("y");
    assert_eq!(b.out().0, vec![send(A, Operation::SynAck, 0, b"")]);
}

#[test]
fn busy_daemon_answers_err_user_busy() {
    let (mut a, mut b) = chatting();
    b.recv(C, Operation::Syn, 0, "carol", b"");
    assert_eq!(b.out().0, vec![send(C, Operation::Err, 0, b"user busy")]);
    a.drain();
    // And the inviter shows the refusal.
    let mut c = Script::logged_in("carol");
    c.line("start 10.77.0.2");
    c.drain();
    c.recv(B, Operation::Err, 0, "bob", b"user busy");
    assert_eq!(c.out().1[0], "refused: 10.77.0.2:7777: user busy");
    assert_eq!(c.peer.state_name(), "choosing");
    // An inviting or offered daemon is busy too.
    c.line("start 10.77.0.2");
    c.drain();
    c.recv(A, Operation::Syn, 0, "alice", b"");
    assert_eq!(c.out().0, vec![send(A, Operation::Err, 0, b"user busy")]);
}

#[test]
fn no_user_means_err() {
    let mut s = Script::new();
    s.recv(A, Operation::Syn, 0, "alice", b"");
    assert_eq!(
        s.out().0,
        vec![send(A, Operation::Err, 0, b"no user logged in")]
    );
}

#[test]
fn chat_alternates_the_sequence_bit_and_queues_in_order() {
    let (mut a, mut b) = chatting();
    a.line("one");
    a.line("two");
    a.line("three");
    let (sends, _) = a.out();
    assert_eq!(sends, vec![send(B, Operation::Message, 0, b"one")]);
    // b receives "one", shows it, ACKs 0.
    b.recv(A, Operation::Message, 0, "alice", b"one");
    let (sends, lines) = b.out();
    assert_eq!(sends, vec![send(A, Operation::Ack, 0, b"")]);
    assert_eq!(lines, vec!["msg: alice: one"]);
    a.recv(B, Operation::Ack, 0, "bob", b"");
    let (sends, lines) = a.out();
    assert_eq!(lines, vec!["delivered: one"]);
    assert_eq!(sends, vec![send(B, Operation::Message, 1, b"two")]);
    // A stale ACK 0 does not release "two".
    a.recv(B, Operation::Ack, 0, "bob", b"");
    assert_eq!(a.out(), (vec![], vec![]));
    a.recv(B, Operation::Ack, 1, "bob", b"");
    assert_eq!(a.out().0, vec![send(B, Operation::Message, 0, b"three")]);
    a.recv(B, Operation::Ack, 0, "bob", b"");
    assert_eq!(a.out(), (vec![], vec!["delivered: three".to_owned()]));
    assert_eq!(a.peer.poll_timeout(), None);
}

#[test]
fn lost_ack_means_resend_and_duplicate_is_acked_not_shown() {
    let (mut a, mut b) = chatting();
    a.line("hello");
    a.drain();
    b.recv(A, Operation::Message, 0, "alice", b"hello");
    assert_eq!(b.out().1, vec!["msg: alice: hello"]);
    // The ACK is lost; after the timeout the message goes again, same seq.
    a.advance();
    assert_eq!(a.out().0, vec![send(B, Operation::Message, 0, b"hello")]);
    b.recv(A, Operation::Message, 0, "alice", b"hello");
    let (sends, lines) = b.out();
    assert_eq!(sends, vec![send(A, Operation::Ack, 0, b"")]);
    assert!(lines.is_empty(), "duplicate shown: {lines:?}");
    // Replies go both ways with their own bits.
    b.line("hi alice");
    assert_eq!(b.out().0, vec![send(A, Operation::Message, 0, b"hi alice")]);
}

#[test]
fn gives_up_after_max_attempts() {
    let (mut a, _b) = chatting();
    a.line("anyone?");
    a.drain();
    for _ in 1..config().max_attempts {
        a.advance();
        assert_eq!(a.out().0.len(), 1);
    }
    a.advance();
    let (sends, lines) = a.out();
    assert!(sends.is_empty());
    assert_eq!(lines[0], "ended: 10.77.0.2:7777 unreachable");
    assert_eq!(a.peer.state_name(), "choosing");
}

#[test]
fn quit_is_fin_ack_on_both_sides() {
    let (mut a, mut b) = chatting();
    a.line("q");
    let (sends, lines) = a.out();
    assert_eq!(sends, vec![send(B, Operation::Fin, 0, b"")]);
    assert_eq!(lines, vec!["leaving: the chat"]);
    b.recv(A, Operation::Fin, 0, "alice", b"");
    let (sends, lines) = b.out();
    assert_eq!(sends, vec![send(A, Operation::Ack, 0, b"")]);
    assert_eq!(lines[0], "ended: alice left the chat");
    assert_eq!(b.peer.state_name(), "choosing");
    // The ACK is lost: alice resends the FIN, bob (lingering) ACKs again.
    a.advance();
    assert_eq!(a.out().0, vec![send(B, Operation::Fin, 0, b"")]);
    b.recv(A, Operation::Fin, 0, "alice", b"");
    assert_eq!(b.out().0, vec![send(A, Operation::Ack, 0, b"")]);
    a.recv(B, Operation::Ack, 0, "bob", b"");
    assert_eq!(a.out().1[0], "ended: you left the chat");
    assert_eq!(a.peer.state_name(), "choosing");
}

#[test]
fn fin_uses_the_next_bit_so_a_late_message_ack_is_not_taken_for_it() {
    let (mut a, _b) = chatting();
    a.line("pending");
    a.drain();
    a.line("q");
    let (sends, lines) = a.out();
    assert_eq!(sends, vec![send(B, Operation::Fin, 1, b"")]);
    assert_eq!(
        lines,
        vec!["leaving: the chat; 1 unsent message(s) dropped"]
    );
    a.recv(B, Operation::Ack, 0, "bob", b"");
    assert_eq!(a.peer.state_name(), "leaving");
    a.recv(B, Operation::Ack, 1, "bob", b"");
    assert_eq!(a.peer.state_name(), "choosing");
}

#[test]
fn lost_handshake_ack_is_repaired() {
    let mut a = Script::logged_in("alice");
    a.line("start 10.77.0.2");
    a.drain();
    let mut b = Script::logged_in("bob");
    b.recv(A, Operation::Syn, 0, "alice", b"");
    b.line("accept");
    b.drain();
    a.recv(B, Operation::SynAck, 0, "bob", b"");
    a.drain(); // this ACK is lost
    b.advance();
    assert_eq!(b.out().0, vec![send(A, Operation::SynAck, 0, b"")]);
    a.recv(B, Operation::SynAck, 0, "bob", b"");
    assert_eq!(a.out().0, vec![send(B, Operation::Ack, 0, b"")]);
    // Or alice already talks: the message counts as the ACK.
    b.recv(A, Operation::Message, 0, "alice", b"hi");
    let (sends, lines) = b.out();
    assert_eq!(sends, vec![send(A, Operation::Ack, 0, b"")]);
    assert_eq!(
        lines[0],
        "chat: with alice at 10.77.0.1:7777 (type messages, \"q\" to quit)"
    );
    assert_eq!(lines[1], "msg: alice: hi");
}

#[test]
fn malformed_datagrams_get_err_and_a_log_line() {
    let mut s = Script::logged_in("bob");
    s.peer.datagram(s.now, addr(A), b"\x02\x01\x00short");
    let events = s.drain();
    assert!(
        matches!(&events[0], Event::Log(l) if l.contains("malformed datagram from 10.77.0.1:7777 (8 bytes)"))
    );
    match &events[1] {
        Event::Send { to, msg } => {
            assert_eq!(*to, addr(A));
            assert_eq!(msg.op, Operation::Err);
            assert_eq!(
                msg.payload,
                b"malformed: datagram is 8 bytes, a SIMP header needs 39"
            );
        }
        other => panic!("expected an ERR, got {other:?}"),
    }
    // Wrong type, wrong operation, length too large, non-ASCII user: all ERR, state kept.
    let good = SimpMessage::new(Operation::Syn, 0, "alice", Vec::new()).encode();
    let mut cases = Vec::new();
    for (i, b) in [(0usize, 0x09u8), (1, 0x03), (38, 0xff), (3, 0xe9)] {
        let mut bad = good.clone();
        bad[i] = b;
        cases.push(bad);
    }
    for bad in cases {
        s.peer.datagram(s.now, addr(A), &bad);
        let (sends, lines) = s.out();
        assert_eq!(sends.len(), 1);
        assert_eq!(sends[0].1, Operation::Err);
        assert!(lines.is_empty());
        assert_eq!(s.peer.state_name(), "choosing");
    }
    // A malformed ERR is logged but not answered.
    s.peer.datagram(s.now, addr(A), b"\x01\x01");
    assert!(s.out().0.is_empty());
}

#[test]
fn client_gone_mid_chat_sends_fin() {
    let (mut a, _b) = chatting();
    a.peer.client_gone(a.now);
    assert_eq!(a.out().0, vec![send(B, Operation::Fin, 0, b"")]);
    assert_eq!(a.peer.state_name(), "no-client");
    assert!(!a.peer.has_client());
}

#[test]
fn incoming_text_is_one_safe_line() {
    let (_a, mut b) = chatting();
    b.recv(A, Operation::Message, 0, "alice", b"two\nlines\x1b[31m");
    assert_eq!(b.out().1, vec!["msg: alice: two\\nlines\\x1b[31m"]);
}

#[test]
fn daemon_addresses_default_to_port_7777() {
    assert_eq!(parse_daemon_addr("10.0.0.2"), Some(addr("10.0.0.2:7777")));
    assert_eq!(
        parse_daemon_addr("10.0.0.2:7000"),
        Some(addr("10.0.0.2:7000"))
    );
    assert_eq!(
        parse_daemon_addr("::1"),
        Some(SocketAddr::new(
            IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
            7777
        ))
    );
    assert_eq!(parse_daemon_addr("bob"), None);
}

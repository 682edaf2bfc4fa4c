//! SIMP daemons and clients as real processes on loopback addresses (no root needed): a chat
//! smoke test, malformed datagrams from a raw test socket, a second client refused.
//! Each test uses its own 127.x.y.z addresses (x, y from the process id) to avoid clashes.

mod support;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use support::proc::{Transcript, WAIT};
use support::simp::{client, daemon};
use wirelab::decode::simp::{Operation, SimpMessage};

/// A loopback address unique to this test process: 127.<pid-derived>.<pid-derived>.`host`.
fn lo(host: u8) -> String {
    let pid = std::process::id();
    format!("127.{}.{}.{host}", 100 + pid % 100, (pid / 100) % 256)
}

#[test]
fn loopback_invite_accept_chat_and_quit() {
    let t = Transcript::default();
    let (ip_a, ip_b) = (lo(1), lo(2));
    let _da = daemon("daemon-a", None, &["--ip", &ip_a, "--timeout", "0.2"], &t);
    let _db = daemon("daemon-b", None, &["--ip", &ip_b, "--timeout", "0.2"], &t);
    let mut alice = client("alice", None, &ip_a, "alice", &t);
    let mut bob = client("bob", None, &ip_b, "bob", &t);
    bob.send_line("wait");
    bob.expect("waiting: ");
    alice.send_line(&format!("start {ip_b}"));
    bob.expect(&format!("invite: alice at {ip_a}:7777"));
    bob.send_line("accept");
    alice.expect(&format!("chat: with bob at {ip_b}:7777"));
    bob.expect(&format!("chat: with alice at {ip_a}:7777"));
    alice.send_line("Hello World");
    bob.expect("msg: alice: Hello World");
    alice.expect("delivered: Hello World");
    bob.send_line("q");
    alice.expect("ended: bob left the chat");
    bob.expect("ended: you left the chat");
    alice.expect("menu: ");
    bob.expect("menu: ");
}

#[test]
fn malformed_datagrams_get_err_replies_and_the_daemon_survives() {
    let t = Transcript::default();
    let ip = lo(3);
    let _d = daemon("daemon", None, &["--ip", &ip, "--timeout", "0.2"], &t);
    let sock = UdpSocket::bind((lo(9).as_str(), 0)).expect("test socket");
    sock.set_read_timeout(Some(support::proc::WAIT))
        .expect("read timeout");
    let to = format!("{ip}:7777");
    let good = SimpMessage::new(Operation::Syn, 0, "eve", Vec::new()).encode();
    let mut bad_type = good.clone();
    bad_type[0] = 0x07;
    let mut bad_op = good.clone();
    bad_op[1] = 0x03;
    let mut too_long = good.clone();
    too_long[38] = 0x20;
    let mut non_ascii = good.clone();
    non_ascii[3] = 0xe9;
    let cases: [(&[u8], &str); 5] = [
        (
            b"\x02\x01",
            "malformed: datagram is 2 bytes, a SIMP header needs 39",
        ),
        (&bad_type, "malformed: byte 0: unknown message type 0x07"),
        (
            &bad_op,
            "malformed: byte 1: operation 0x03 is not valid for a CONTROL message",
        ),
        (
            &too_long,
            "malformed: byte 35: length field says 32 payload bytes, the datagram has 0",
        ),
        (
            &non_ascii,
            "malformed: byte 3: user name byte 0xe9 is not ASCII",
        ),
    ];
    let mut buf = [0u8; 2048];
    for (bytes, expected) in cases {
        sock.send_to(bytes, &to).expect("send");
        let (n, from) = sock.recv_from(&mut buf).expect("an ERR reply");
        assert_eq!(from.to_string(), to);
        let reply = SimpMessage::decode(&buf[..n]).expect("the reply is valid SIMP");
        assert_eq!(reply.op, Operation::Err);
        let text = String::from_utf8_lossy(&reply.payload);
        assert!(text.starts_with(expected), "{text:?} vs {expected:?}");
    }
    // Still alive and answering: a well-formed SYN with nobody logged in gets ERR too.
    sock.send_to(&good, &to).expect("send");
    let (n, _) = sock.recv_from(&mut buf).expect("reply");
    let reply = SimpMessage::decode(&buf[..n]).expect("valid");
    assert_eq!(
        (reply.op, reply.payload.as_slice()),
        (Operation::Err, &b"no user logged in"[..])
    );
    // Each malformed datagram was logged (the log reader may lag: poll, bounded).
    let deadline = Instant::now() + support::proc::WAIT;
    while t.dump().matches("malformed datagram from").count() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = t.dump();
    assert_eq!(log.matches("malformed datagram from").count(), 5, "{log}");
}

#[test]
fn a_second_client_is_refused() {
    let t = Transcript::default();
    let ip = lo(4);
    let _d = daemon("daemon", None, &["--ip", &ip], &t);
    let _first = client("first", None, &ip, "first", &t);
    let mut second = support::simp::spawn("second", None, &["simp", "client", "--daemon", &ip], &t);
    second.expect("error: this daemon already serves a client");
    second.expect("client: the daemon closed the connection");
    assert_eq!(second.wait_exit_within(WAIT).code(), Some(1));
}

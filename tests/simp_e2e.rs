//! SIMP end to end: two daemons and two clients as real processes in two network namespaces
//! joined by veth (10.77.0.1 in A, 10.77.0.2 in B). Invite, decline, accept, chat both ways,
//! busy, cancel, quit, and a lossy link whose retransmissions show in a tcpdump capture.
//!
//! Needs root (namespaces); skipped when not root and CI is unset, mandatory in CI.
//! The loss test keeps its capture at `$CARGO_TARGET_TMPDIR/simp_loss.pcap` for further checks.

mod support;

use std::collections::HashMap;
use std::path::PathBuf;

use support::proc::{Proc, Transcript};
use support::simp::{NetPair, capture, client, daemon};
use support::{Need, require};
use wirelab::decode::simp::Operation;

const FAST: [&str; 2] = ["--timeout", "0.2"];

/// Namespaces with daemon A (10.77.0.1) and daemon B (10.77.0.2), clients alice and bob logged in.
struct Pair {
    alice: Proc,
    bob: Proc,
    _daemons: [Proc; 2],
    t: Transcript,
    // Dropped last: the processes above are killed first.
    net: NetPair,
}

fn pair(daemon_args: [&[&str]; 2]) -> Pair {
    let net = NetPair::new();
    let t = Transcript::default();
    let mut args_a = vec!["--ip", NetPair::IP_A];
    args_a.extend_from_slice(daemon_args[0]);
    let mut args_b = vec!["--ip", NetPair::IP_B];
    args_b.extend_from_slice(daemon_args[1]);
    let da = daemon("daemon-a", Some(&net.a), &args_a, &t);
    let db = daemon("daemon-b", Some(&net.b), &args_b, &t);
    let alice = client("alice", Some(&net.a), NetPair::IP_A, "alice", &t);
    let bob = client("bob", Some(&net.b), NetPair::IP_B, "bob", &t);
    Pair {
        alice,
        bob,
        _daemons: [da, db],
        t,
        net,
    }
}

/// alice invites bob (waiting), bob accepts: both in the chat.
fn connect(p: &mut Pair) {
    p.bob.send_line("wait");
    p.bob.expect("waiting: ");
    p.alice.send_line("start 10.77.0.2");
    p.alice.expect("inviting: 10.77.0.2:7777");
    p.bob
        .expect("invite: alice at 10.77.0.1:7777 wants to chat");
    p.bob.send_line("accept");
    p.alice.expect("chat: with bob at 10.77.0.2:7777");
    p.bob.expect("chat: with alice at 10.77.0.1:7777");
}

#[test]
fn decline_sends_fin_and_the_inviter_is_told() {
    if !require(Need::Root) {
        return;
    }
    let mut p = pair([&FAST, &FAST]);
    p.bob.send_line("wait");
    p.bob.expect("waiting: ");
    p.alice.send_line("start 10.77.0.2");
    p.bob.expect("invite: alice at 10.77.0.1:7777");
    p.bob.send_line("decline");
    p.bob
        .expect("declined: invitation from alice at 10.77.0.1:7777");
    p.bob.expect("menu: ");
    p.alice
        .expect("declined: 10.77.0.2:7777 declined the invitation");
    p.alice.expect("menu: ");
    // Both can go on: alice invites again, bob (back at the menu) is offered it and accepts.
    p.alice.send_line("start 10.77.0.2");
    p.bob.expect("invite: alice at 10.77.0.1:7777");
    p.bob.send_line("accept");
    p.alice.expect("chat: with bob");
}

#[test]
fn accept_then_chat_both_ways_then_quit_with_fin_ack() {
    if !require(Need::Root) {
        return;
    }
    let mut p = pair([&FAST, &FAST]);
    connect(&mut p);
    p.alice.send_line("Hello World");
    p.bob.expect("msg: alice: Hello World");
    p.alice.expect("delivered: Hello World");
    p.bob.send_line("hi alice, how are you?");
    p.alice.expect("msg: bob: hi alice, how are you?");
    p.bob.expect("delivered: hi alice, how are you?");
    p.alice.send_line("fine");
    p.bob.expect("msg: alice: fine");
    p.alice.send_line("q");
    p.alice.expect("leaving: the chat");
    p.bob.expect("ended: alice left the chat");
    p.alice.expect("ended: you left the chat");
    p.alice.expect("menu: ");
    p.bob.expect("menu: ");
    // The daemons logged the teardown: alice's FIN (seq 0: her two messages used 0 and 1) and
    // bob's ACK echoing it.
    p.t.wait_contains("send 10.77.0.2:7777: CONTROL FIN seq=0 user=alice");
    p.t.wait_contains("send 10.77.0.1:7777: CONTROL ACK seq=0 user=bob");
}

#[test]
fn busy_daemon_answers_err_user_busy() {
    if !require(Need::Root) {
        return;
    }
    let mut p = pair([&FAST, &FAST]);
    connect(&mut p);
    // carol's daemon shares namespace A, on a second address.
    p.net.add_addr_a("10.77.0.3/24");
    let _dc = daemon(
        "daemon-c",
        Some(&p.net.a.clone()),
        &["--ip", "10.77.0.3", "--timeout", "0.2"],
        &p.t,
    );
    let mut carol = client("carol", Some(&p.net.a.clone()), "10.77.0.3", "carol", &p.t);
    carol.send_line("start 10.77.0.2");
    carol.expect("refused: 10.77.0.2:7777: user busy");
    carol.expect("menu: ");
    // The chat is untouched.
    p.alice.send_line("still there?");
    p.bob.expect("msg: alice: still there?");
}

#[test]
fn waiting_client_cancels_and_inviter_cancels() {
    if !require(Need::Root) {
        return;
    }
    let mut p = pair([&FAST, &FAST]);
    p.bob.send_line("wait");
    p.bob.expect("waiting: ");
    p.bob.send_line("cancel");
    p.bob.expect("menu: ");
    p.bob.send_line("wait");
    p.bob.expect("waiting: ");
    p.alice.send_line("start 10.77.0.2");
    p.bob.expect("invite: alice");
    p.alice.send_line("cancel");
    p.alice.expect("cancelled: invitation to 10.77.0.2:7777");
    p.bob
        .expect("withdrawn: alice at 10.77.0.1:7777 withdrew the invitation");
    p.bob.expect("waiting: ");
}

#[test]
fn invitation_while_choosing_is_held_and_offered() {
    if !require(Need::Root) {
        return;
    }
    let mut p = pair([&FAST, &FAST]);
    // bob is at the menu, neither waiting nor starting.
    p.alice.send_line("start 10.77.0.2");
    p.bob.expect("invite: alice at 10.77.0.1:7777");
    p.bob.send_line("wait");
    p.bob.expect("error: answer the invitation first");
    p.bob.send_line("accept");
    p.alice.expect("chat: with bob");
    p.bob.expect("chat: with alice");
}

#[test]
fn lossy_link_delivers_every_message_once_in_order() {
    if !require(Need::Root) {
        return;
    }
    const N: usize = 12;
    let lossy_a = [
        "--timeout",
        "0.2",
        "--max-attempts",
        "50",
        "--drop-rate",
        "0.3",
        "--drop-seed",
        "42",
    ];
    let lossy_b = [
        "--timeout",
        "0.2",
        "--max-attempts",
        "50",
        "--drop-rate",
        "0.3",
        "--drop-seed",
        "7",
    ];
    // The capture starts before the daemons, on A's side of the veth.
    let net = NetPair::new();
    let pcap = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("simp_loss.pcap");
    let capture = capture(&net.a, net.dev_a, &pcap);
    let t = Transcript::default();
    let mut args_a = vec!["--ip", NetPair::IP_A];
    args_a.extend_from_slice(&lossy_a);
    let mut args_b = vec!["--ip", NetPair::IP_B];
    args_b.extend_from_slice(&lossy_b);
    let da = daemon("daemon-a", Some(&net.a), &args_a, &t);
    let db = daemon("daemon-b", Some(&net.b), &args_b, &t);
    let alice = client("alice", Some(&net.a), NetPair::IP_A, "alice", &t);
    let bob = client("bob", Some(&net.b), NetPair::IP_B, "bob", &t);
    let mut p = Pair {
        alice,
        bob,
        _daemons: [da, db],
        t,
        net,
    };
    connect(&mut p);
    let from_alice: Vec<String> = (1..=N).map(|i| format!("a{i:02} from alice")).collect();
    let from_bob: Vec<String> = (1..=N).map(|i| format!("b{i:02} from bob")).collect();
    // Typed all at once: queued behind the one in flight, sent in order.
    for (a, b) in from_alice.iter().zip(&from_bob) {
        p.alice.send_line(a);
        p.bob.send_line(b);
    }
    let last_a = from_alice.last().cloned().unwrap_or_default();
    let last_b = from_bob.last().cloned().unwrap_or_default();
    p.alice.expect_all(&[
        &format!("msg: bob: {last_b}"),
        &format!("delivered: {last_a}"),
    ]);
    p.bob.expect_all(&[
        &format!("msg: alice: {last_a}"),
        &format!("delivered: {last_b}"),
    ]);
    p.alice.send_line("q");
    p.alice.expect("ended: ");
    p.bob.expect("ended: alice left the chat");
    // Every message shown exactly once, in order (history holds every line read so far).
    let shown = |proc: &Proc, prefix: &str| -> Vec<String> {
        proc.history
            .iter()
            .filter_map(|l| l.strip_prefix(prefix).map(str::to_owned))
            .collect()
    };
    assert_eq!(shown(&p.bob, "msg: alice: "), from_alice, "{}", p.t.dump());
    assert_eq!(shown(&p.alice, "msg: bob: "), from_bob, "{}", p.t.dump());
    assert_eq!(shown(&p.alice, "delivered: "), from_alice);
    assert_eq!(shown(&p.bob, "delivered: "), from_bob);
    p.t.wait_contains("DROPPED (test loss injector)");
    p.t.wait_contains("ACK again, not shown");

    // The capture shows retransmissions: the same chat datagram (sender, seq, text) repeated.
    let pcap = capture.stop();
    let datagrams = support::simp::simp_datagrams(&pcap);
    let mut copies: HashMap<(String, u8, Vec<u8>), usize> = HashMap::new();
    for (from, msg) in &datagrams {
        if msg.op == Operation::Message {
            *copies
                .entry((from.ip().to_string(), msg.seq, msg.payload.clone()))
                .or_default() += 1;
        }
    }
    for text in from_alice.iter().chain(&from_bob) {
        assert!(
            copies.keys().any(|(_, _, p)| p == text.as_bytes()),
            "{text} never on the wire"
        );
    }
    let repeated = copies.values().filter(|&&n| n > 1).count();
    assert!(
        repeated > 0,
        "no repeated chat datagram among {} SIMP datagrams in {}",
        datagrams.len(),
        pcap.display()
    );
    eprintln!(
        "capture {}: {} SIMP datagrams, {repeated} chat messages seen more than once",
        pcap.display(),
        datagrams.len()
    );

    // `wirelab read` dissects the same datagrams as SIMP: one SIMP frame per datagram the
    // independent parse above found, each chat one worded like the Info column promises.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wirelab"))
        .args(["read", "--json", "--filter", "simp"])
        .arg(&pcap)
        .output()
        .expect("run wirelab read");
    assert!(out.status.success(), "wirelab read failed: {out:?}");
    let frames: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(frames.len(), datagrams.len(), "SIMP frames in wirelab read");
    for (f, (_, msg)) in frames.iter().zip(&datagrams) {
        assert_eq!(f["protocol"], "SIMP");
        assert_eq!(f["simp"]["user"], msg.user.as_str());
        if msg.op == Operation::Message {
            let info = f["info"].as_str().unwrap_or_default();
            let text = String::from_utf8_lossy(&msg.payload);
            assert!(
                info.starts_with(&format!("CHAT seq={} user={}", msg.seq, msg.user))
                    && info.contains(text.as_ref()),
                "{info}"
            );
        }
    }
}

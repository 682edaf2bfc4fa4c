//! A SIMP chat in the virtual lab through its switch made lossy, captured with plain tcpdump
//! on A: the traffic lab 001's answers are checked on (`lab_answer.rs`, `lab_answer_key.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::netns::{Lab, Tcpdump};
use super::proc::Proc;

/// alice on A chats with bob on B (SIMP daemons on both) while the switch loses a quarter of
/// the frames (`lab up --loss 25% --seed SEED`): `n` lines each way, all delivered, then
/// alice quits. Captured on A's eth0 (UDP port 7777) into `pcap`; returns the capture.
pub fn lossy_simp_chat(lab: &Lab, pcap: &Path, seed: &str, n: usize) -> PathBuf {
    let cap = Tcpdump::start_in(&lab.ns("A"), "eth0", pcap, &["udp", "port", "7777"]);
    let daemon = |l: &str, ip: &str| {
        let p = Proc::spawn(
            &format!("daemon {l}"),
            lab.exec(
                l,
                &[
                    "wirelab",
                    "simp",
                    "daemon",
                    "--ip",
                    ip,
                    "--timeout",
                    "0.3",
                    "--max-attempts",
                    "60",
                ],
            ),
        );
        p.wait_for("daemon: listening on");
        p
    };
    let _da = daemon("A", "10.0.3.1");
    let _db = daemon("B", "10.0.3.2");
    let login = |l: &str, ip: &str, user: &str| {
        let mut p = Proc::spawn(
            &format!("client {user}"),
            lab.exec(l, &["wirelab", "simp", "client", "--daemon", ip]),
        );
        p.wait_for("login: ");
        p.write_stdin(format!("{user}\n").as_bytes());
        p.wait_for("menu: ");
        p
    };
    let mut alice = login("A", "10.0.3.1", "alice");
    let mut bob = login("B", "10.0.3.2", "bob");
    bob.write_stdin(b"wait\n");
    bob.wait_for("waiting: ");
    alice.write_stdin(b"start 10.0.3.2\n");
    bob.wait_for("invite: alice");
    bob.write_stdin(b"accept\n");
    alice.wait_for("chat: with bob");
    // Now the switch loses a quarter of the frames: SIMP's stop-and-wait has to resend.
    let up = lab
        .cmd("up", &["--loss", "25%", "--seed", seed])
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    for i in 1..=n {
        alice.write_stdin(format!("a{i} from alice\n").as_bytes());
        bob.write_stdin(format!("b{i} from bob\n").as_bytes());
    }
    alice.wait_for(&format!("delivered: a{n} from alice"));
    bob.wait_for(&format!("delivered: b{n} from bob"));
    alice.write_stdin(b"q\n");
    bob.wait_for("ended: ");
    cap.stop()
}

/// The chat datagrams (SIMP type 2, operation 1) in rows of tshark's (`ip.src`,
/// `udp.payload`), by sender and the rest of the datagram (sequence bit and text): how many
/// times each was seen. One seen more than once was resent.
pub fn chat_copies<'a>(
    rows: impl IntoIterator<Item = &'a Vec<String>>,
) -> BTreeMap<(String, String), u64> {
    let mut seen: BTreeMap<(String, String), u64> = BTreeMap::new();
    for f in rows {
        let hex = f[1].replace(':', "");
        if let Some(rest) = hex.strip_prefix("0201") {
            *seen.entry((f[0].clone(), rest.to_string())).or_default() += 1;
        }
    }
    seen
}

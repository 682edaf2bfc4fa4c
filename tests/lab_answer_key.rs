//! Every lab answer held to an answer key computed independently from tshark's fields
//! (`support::key`: tshark's text parsed here, no wirelab code): which frames, how many,
//! which sequence numbers, which RTTs.
//!
//! - the TCP lab (`read --tcp-report --json`) on this repository's captures, on the
//!   walkthroughs' captures when `scripts/labs/*.sh` left them in `captures/labs/`, on every
//!   public capture with TCP (`WIRELAB_PUBLIC_CAPTURES`), and on a kernel upload through the
//!   virtual lab's lossy switch captured with plain tcpdump on the client (as the lab sheet
//!   does);
//! - labs 002, 003 and 004 (`lab answer … --json`) on the same captures;
//! - lab 000 on the stack demo and lab 001 on a SIMP chat through a lossy switch, both captured
//!   here with plain tcpdump.
//!
//! The virtual-lab test needs root; skipped when not root and CI is unset.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::key::{self, Frame, TcpKey};
use support::lab_chat::lossy_simp_chat;
use support::lab_checks::{answer, answer_json, cited_frames};
use support::netns::{Lab, Tcpdump};
use support::proc::Proc;
use support::{BIN, Need, repo, require, run};

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lab_answer_key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `read FILE --tcp-report --json`, by answer id.
fn tcp_report(file: &Path) -> BTreeMap<String, Value> {
    let out = run(Command::new(BIN)
        .args(["read", "--tcp-report", "--json"])
        .arg(file));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// Frames whose bytes were sent more than once (Karn's rule refuses their RTT samples).
fn karn_frames(k: &TcpKey) -> BTreeSet<u64> {
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    for r in &k.resent {
        ranges.push((r.seq, r.seq + r.len));
    }
    k.data
        .iter()
        .filter(|s| ranges.iter().any(|(a, b)| s.seq < *b && *a < s.seq + s.len))
        .map(|s| s.frame)
        .collect()
}

/// `--tcp-report --json` on `file` against the key; returns the key (None: no TCP stream).
fn check_tcp_report(file: &Path) -> Option<TcpKey> {
    let name = file.display().to_string();
    let frames = key::frames(file);
    let r = tcp_report(file);
    let Some(k) = key::tcp_key(&frames) else {
        assert!(r.is_empty(), "{name}: answers without a TCP stream");
        return None;
    };
    let v = |id: &str, key: &str| r[id]["values"][key].clone();
    let u = |x: u64| Value::from(x);
    for a in r.values() {
        assert_eq!(a["stream"], k.stream, "{name}: the stream with most data");
    }
    assert_eq!(v("sockets", "data_sender"), k.sender.as_str(), "{name}");
    if let Some(c) = &k.client {
        assert_eq!(v("sockets", "client"), c.as_str(), "{name}");
        assert_eq!(v("sockets", "server"), k.server.clone().unwrap().as_str());
    }
    if let Some((frame, raw)) = k.syn {
        assert_eq!(v("syn", "frame"), u(frame), "{name}");
        assert_eq!(v("syn", "seq_raw"), u(raw), "{name}");
    }
    if let Some((frame, seq_raw, ack_raw)) = k.syn_ack {
        assert_eq!(v("syn_ack", "frame"), u(frame), "{name}");
        assert_eq!(v("syn_ack", "seq_raw"), u(seq_raw), "{name}");
        assert_eq!(v("syn_ack", "ack_raw"), u(ack_raw), "{name}");
        if let Some(h) = k.handshake_ack {
            assert_eq!(v("syn_ack", "handshake_ack_frame"), u(h), "{name}");
        }
    }
    let karn = karn_frames(&k);
    if let Some(first) = k.data.first() {
        assert_eq!(v("first_data", "frame"), u(first.frame), "{name}");
        assert_eq!(v("first_data", "seq"), u(first.seq), "{name}");
        assert_eq!(v("first_data", "len"), u(first.len), "{name}");
        let six: Vec<&key::Seg> = k.data.iter().take(6).collect();
        assert_eq!(
            ints(&v("first_six", "segment_frames")),
            six.iter().map(|s| s.frame as i64).collect::<Vec<_>>(),
            "{name}: the first six segments"
        );
        assert_eq!(
            ints(&v("first_six", "seqs")),
            six.iter().map(|s| s.seq as i64).collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(
            ints(&v("lengths", "lens")),
            six.iter().map(|s| s.len as i64).collect::<Vec<_>>(),
            "{name}"
        );
        for (s, got) in six.iter().zip(ints(&v("first_six", "rtt_ns"))) {
            let want = if karn.contains(&s.frame) {
                -1
            } else {
                k.rtt_ns.get(&s.frame).copied().unwrap_or(-1)
            };
            assert_eq!(got, want, "{name}: RTT of segment {}", s.frame);
        }
    }
    // Every RTT sample: tshark's ack_rtt of each data segment, Karn's rule applied.
    let samples: Vec<i64> = k
        .data
        .iter()
        .filter(|s| !karn.contains(&s.frame))
        .filter_map(|s| k.rtt_ns.get(&s.frame).copied())
        .collect();
    assert_eq!(
        v("rtt", "samples"),
        u(samples.len() as u64),
        "{name}: RTT samples"
    );
    if let (Some(min), Some(max)) = (samples.iter().min(), samples.iter().max()) {
        let secs = |x: Value| (x.as_f64().unwrap() * 1e9).round() as i64;
        assert_eq!(secs(v("rtt", "min_rtt")), *min, "{name}: smallest RTT");
        assert_eq!(secs(v("rtt", "max_rtt")), *max, "{name}: largest RTT");
    }
    assert_eq!(
        v("rtt", "karn"),
        u(karn.len() as u64),
        "{name}: segments refused by Karn's rule"
    );
    // The window.
    if let Some(m) = k.min_window {
        assert_eq!(v("window", "min_window"), u(m), "{name}");
    }
    assert_eq!(
        v("window", "max_bytes_in_flight"),
        k.max_bytes_in_flight.map_or(Value::Null, u),
        "{name}: tshark's bytes_in_flight"
    );
    assert_eq!(
        v("window", "window_full"),
        u(k.window_full.len() as u64),
        "{name}"
    );
    assert_eq!(
        v("window", "zero_window"),
        u(k.zero_window.len() as u64),
        "{name}"
    );
    assert_eq!(
        v("window", "limited"),
        Value::from(!k.window_full.is_empty() || !k.zero_window.is_empty()),
        "{name}: limited by the window"
    );
    // Retransmissions, the textbook's.
    let listed: Vec<&key::Resent> = k.resent.iter().take(8).collect();
    assert_eq!(
        v("retransmissions", "retransmissions"),
        u(k.resent.len() as u64),
        "{name}: segments resending bytes"
    );
    assert_eq!(
        ints(&v("retransmissions", "frames")),
        listed.iter().map(|x| x.frame as i64).collect::<Vec<_>>(),
        "{name}: resent frames"
    );
    assert_eq!(
        ints(&v("retransmissions", "seqs")),
        listed.iter().map(|x| x.seq as i64).collect::<Vec<_>>(),
        "{name}"
    );
    assert_eq!(
        ints(&v("retransmissions", "first_sent_frames")),
        listed
            .iter()
            .map(|x| x.first_sent.map_or(-1, |f| f as i64))
            .collect::<Vec<_>>(),
        "{name}: frames first sending the resent bytes"
    );
    assert_eq!(
        ints(&v("retransmissions", "tshark_out_of_order_frames")),
        listed
            .iter()
            .filter(|x| x.label == "out_of_order")
            .map(|x| x.frame as i64)
            .collect::<Vec<_>>(),
        "{name}"
    );
    assert_eq!(
        v("retransmissions", "resent_bytes"),
        u(k.resent_bytes),
        "{name}"
    );
    assert_eq!(
        v("retransmissions", "tshark_retransmissions"),
        u(k.tshark_retransmissions.len() as u64),
        "{name}"
    );
    assert_eq!(v("retransmissions", "dup_acks"), u(k.dup_acks), "{name}");
    let text = r["retransmissions"]["answer"].as_str().unwrap();
    assert_eq!(
        text.starts_with("Yes"),
        !k.resent.is_empty(),
        "{name}: {text}"
    );
    for x in &listed {
        assert!(text.contains(&x.frame.to_string()), "{name}: {text}");
        if x.label == "out_of_order" {
            assert!(text.contains("Out-Of-Order"), "{name}: {text}");
        }
    }
    // Throughput and slow start.
    assert_eq!(v("throughput", "goodput_bytes"), u(k.goodput), "{name}");
    let end = v("slow_start", "end_frame");
    if !end.is_null() {
        assert_eq!(
            end,
            u(k.resent[0].frame),
            "{name}: slow start ends at the first loss"
        );
    }
    Some(k)
}

/// The repository's captures and every public capture (when present) with TCP in it.
fn captures_with_tcp() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [
        "captures/tcp-handshake.pcapng",
        "captures/tcp-analysis.pcapng",
        "captures/tcp-handshake-usec.pcap",
        "captures/tso.pcap",
    ]
    .iter()
    .map(|f| repo(f))
    .collect();
    // The walkthroughs' captures, where `scripts/labs/*.sh` left them (captures/labs/LAB/).
    let mut walked: Vec<PathBuf> = std::fs::read_dir(repo("captures/labs"))
        .into_iter()
        .flatten()
        .filter_map(|d| d.ok())
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcapng" || x == "pcap"))
        .collect();
    walked.sort();
    files.extend(walked);
    if require(Need::PublicCaptures) {
        let mut public: Vec<PathBuf> = std::fs::read_dir(support::public_captures())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
            .collect();
        public.sort();
        files.extend(public);
    }
    files
}

#[test]
fn tcp_report_matches_the_key_on_the_repository_and_public_captures() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let mut checked = 0;
    for f in captures_with_tcp() {
        if check_tcp_report(&f).is_some() {
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} captures with TCP");
}

/// B uploads `bytes` to A with the kernel's TCP (Python sockets) through the lab's switch,
/// captured on B with plain tcpdump.
fn kernel_upload(lab: &Lab, bytes: usize, pcap: &Path) {
    let cap = Tcpdump::start_in(&lab.ns("B"), "eth0", pcap, &["tcp"]);
    let sink = repo("tests/support/tcp_sink.py");
    let server = Proc::spawn(
        "tcp_sink on A",
        lab.exec("A", &["python3", sink.to_str().unwrap(), "5001"]),
    );
    std::thread::sleep(Duration::from_millis(500));
    let client = format!(
        "import socket\ns=socket.create_connection(('10.0.3.1',5001))\ns.sendall(bytes(i % 251 for i in range({bytes})))\ns.shutdown(socket.SHUT_WR)\nprint(s.recv(100))\ns.close()"
    );
    let out = run(&mut lab.exec("B", &["python3", "-c", &client]));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("got {bytes} bytes")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::thread::sleep(Duration::from_millis(300));
    drop(server);
    cap.stop();
}

#[test]
fn tcp_report_matches_the_key_on_a_lossy_kernel_upload_captured_with_tcpdump() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[
        "--delay", "20ms", "--jitter", "2ms", "--loss", "2%", "--rate", "10mbit", "--seed", "11",
    ]);
    let pcap = tmp("upload-b.pcap");
    kernel_upload(&lab, 400_000, &pcap);
    let k = check_tcp_report(&pcap).expect("a TCP stream");
    assert_eq!(k.goodput, 400_000, "the upload, once");
    assert!(!k.resent.is_empty(), "2 % loss and nothing resent");
    check_labs_002_003_004(&[&pcap]);
}

/// The server the key infers: the address that accepted most connections (the first on a
/// tie).
fn key_server(conns: &[key::Conn]) -> Option<String> {
    let mut n: Vec<(String, usize)> = Vec::new();
    for c in conns {
        match n.iter_mut().find(|x| x.0 == c.server_ip) {
            Some(x) => x.1 += 1,
            None => n.push((c.server_ip.clone(), 1)),
        }
    }
    let best = n.iter().map(|x| x.1).max()?;
    n.into_iter().find(|x| x.1 == best).map(|x| x.0)
}

/// Labs 002, 003 (Part I's frame count, sockets) and 004 on each capture against the key.
fn check_labs_002_003_004(files: &[&Path]) {
    for file in files {
        let name = file.display().to_string();
        let frames = key::frames(file);
        let conns = key::conns(&frames);
        let Some(server) = key_server(&conns) else {
            continue;
        };
        let to_s: Vec<&key::Conn> = conns.iter().filter(|c| c.server_ip == server).collect();
        let u = |x: u64| Value::from(x);

        // Lab 002: the transfer is the connection that carried most bytes to the server.
        let r = answer_json("002", &[file], &[]);
        assert_eq!(r["server"]["ip"], server.as_str(), "{name}: 002's server");
        let c = to_s
            .iter()
            .max_by_key(|c| (c.up_bytes(), c.frames.len()))
            .unwrap();
        let fig = answer(&r, "Figure 3");
        assert_eq!(fig["values"]["stream"], c.stream, "{name}");
        assert_eq!(fig["values"]["frames"], u(c.frames.len() as u64), "{name}");
        assert_eq!(fig["values"]["client"], c.client.as_str(), "{name}");
        assert_eq!(fig["values"]["server"], c.server.as_str(), "{name}");
        let syn = c.frames.iter().find(|f| f.syn() && !f.ack_set());
        let synack = c.frames.iter().find(|f| f.syn() && f.ack_set());
        if let (Some(syn), Some(synack)) = (syn, synack) {
            let v = &answer(&r, "3.1")["values"];
            assert_eq!(v["client_isn"], u(syn.seq_raw), "{name}");
            assert_eq!(v["server_isn"], u(synack.seq_raw), "{name}");
        }
        let v = answer(&r, "3.2")["values"].clone();
        let data: Vec<&&Frame> = c.up().filter(|f| f.len > 0).collect();
        assert_eq!(v["data_segments"], u(data.len() as u64), "{name}");
        assert_eq!(v["bytes"], u(c.up_bytes()), "{name}");
        assert_eq!(
            v["server_bytes"],
            u(c.down().map(|f| f.len).sum::<u64>()),
            "{name}"
        );
        assert_eq!(
            v["retransmissions"],
            u(c.up_resent().len() as u64),
            "{name}: 002's retransmissions"
        );
        // The server's pure ACKs: of the data, and of the client's FIN (Ack = its Seq + 1).
        let fin_ack = c.up().find(|f| f.fin()).map(|f| (f.no, f.seq + f.len + 1));
        let acks: Vec<&Frame> = c
            .pure_acks()
            .into_iter()
            .filter(|f| f.from() == c.server)
            .collect();
        let of_fin = |a: &Frame| fin_ack.is_some_and(|(no, end)| a.no > no && a.ack == end);
        let during: Vec<&&Frame> = acks.iter().filter(|f| !of_fin(f)).collect();
        let ends: Vec<(u64, u64)> = data.iter().map(|f| (f.no, f.seq + f.len)).collect();
        let matching = during
            .iter()
            .filter(|a| ends.iter().any(|(no, e)| *no < a.no && *e == a.ack))
            .count();
        assert_eq!(
            v["server_acks"],
            u(during.len() as u64),
            "{name}: pure ACKs"
        );
        assert_eq!(
            v["acks_matching_a_segment_end"],
            u(matching as u64),
            "{name}"
        );
        assert_eq!(
            v["fin_acks"],
            u((acks.len() - during.len()) as u64),
            "{name}: the ACKs of the FIN"
        );
        if let Some(first) = data.first() {
            let p = key::payload(file, first.no);
            if p.starts_with(b"WLFT") && p.len() >= 7 {
                let name_len = u64::from(u16::from_be_bytes([p[5], p[6]]));
                assert_eq!(v["header_bytes"], u(15 + name_len), "{name}: WLFT header");
            } else {
                assert!(v["header_bytes"].is_null(), "{name}");
            }
        }
        if let Some(who) = c.first_fin() {
            assert_eq!(answer(&r, "3.3")["values"]["first_fin_from"], who, "{name}");
        }

        // Lab 004: every connection to the server, its sockets, who closed first.
        let r = answer_json("004", &[file], &[]);
        assert_eq!(
            answer(&r, "004.1")["values"]["connections"],
            u(to_s.len() as u64),
            "{name}"
        );
        let v = answer(&r, "004.2")["values"].clone();
        let clients: Vec<&str> = to_s.iter().map(|c| c.client.as_str()).collect();
        let servers: BTreeSet<&str> = to_s.iter().map(|c| c.server.as_str()).collect();
        assert_eq!(v["client_sockets"], Value::from(clients), "{name}");
        assert_eq!(
            v["server_sockets"],
            Value::from(servers.into_iter().collect::<Vec<_>>()),
            "{name}"
        );
        let closers: Vec<&str> = to_s.iter().filter_map(|c| c.first_fin()).collect();
        assert_eq!(
            answer(&r, "004.3")["values"]["first_to_close"],
            Value::from(closers),
            "{name}"
        );

        // Lab 003 I.1(a) and I.1(b), when the capture is Part I's (TCP to the server).
        let r = answer_json("003", &[file], &[]);
        let a = answer(&r, "I.1(a)");
        if a["values"]["frames"].is_null() {
            continue;
        }
        let v = &a["values"];
        assert_eq!(v["frames"], u(frames.len() as u64), "{name}");
        let tcp: usize = to_s.iter().map(|c| c.frames.len()).sum();
        assert_eq!(v["filtered_frames"], u(tcp as u64), "{name}");
        let hs: Vec<u64> = to_s.iter().flat_map(|c| c.handshake()).collect();
        assert_eq!(v["handshake_frames"], Value::from(hs), "{name}");
        let up: usize = to_s
            .iter()
            .map(|c| c.up().filter(|f| f.len > 0).count())
            .sum();
        let down: usize = to_s
            .iter()
            .map(|c| c.down().filter(|f| f.len > 0).count())
            .sum();
        assert_eq!(v["client_data_segments"], u(up as u64), "{name}");
        assert_eq!(v["server_data_segments"], u(down as u64), "{name}");
        let acks: usize = to_s.iter().map(|c| c.pure_acks().len()).sum();
        assert_eq!(v["pure_acks"], u(acks as u64), "{name}: pure ACKs");
        let arp = frames
            .iter()
            .filter(|f| {
                f.arp
                    .as_ref()
                    .is_some_and(|(_, spa, tpa)| *spa == server || *tpa == server)
            })
            .count();
        assert_eq!(v["arp_frames"], u(arp as u64), "{name}: ARP frames");
        // Steps 8(b)–(c) (handshake, data, their ACKs) apart from the teardown (Step 11): the
        // first FIN and RST of each side and the pure ACKs after the first of them.
        let (mut step8, mut teardown) = (0u64, 0u64);
        for c in &to_s {
            let mut closes: Vec<u64> = Vec::new();
            for side in [&c.client, &c.server] {
                for flag in [0x01u16, 0x04] {
                    if let Some(f) = c
                        .frames
                        .iter()
                        .find(|f| &f.from() == side && f.flags & flag != 0)
                    {
                        closes.push(f.no);
                    }
                }
            }
            let close_at = closes.iter().min().copied().unwrap_or(u64::MAX);
            let acks = c.pure_acks();
            let after: Vec<u64> = acks
                .iter()
                .filter(|f| f.no > close_at)
                .map(|f| f.no)
                .collect();
            closes.extend(after.iter().copied());
            closes.sort_unstable();
            closes.dedup();
            teardown += closes.len() as u64;
            step8 += (c.handshake().len()
                + c.frames.iter().filter(|f| f.len > 0).count()
                + (acks.len() - after.len())) as u64;
        }
        assert_eq!(v["step8_tcp_frames"], u(step8), "{name}: Step 8's frames");
        assert_eq!(v["teardown_frames"], u(teardown), "{name}: the teardown");
        // I.3 from one computer's capture alone: the server asking (ARP) for a third computer
        // while this computer's connection is open is that computer's handshake.
        let hosts: BTreeSet<&str> = to_s
            .iter()
            .map(|c| c.client.rsplit_once(':').map_or("", |x| x.0))
            .collect();
        if let ([host], [c]) = (
            hosts.iter().copied().collect::<Vec<_>>().as_slice(),
            to_s.as_slice(),
        ) {
            let syn = c.frames.iter().find(|f| f.syn()).map_or(0, |f| f.no);
            let close = c
                .frames
                .iter()
                .find(|f| f.fin() || f.rst())
                .map_or(u64::MAX, |f| f.no);
            let ask = frames.iter().find(|f| {
                f.no > syn
                    && f.no < close
                    && f.arp
                        .as_ref()
                        .is_some_and(|(op, spa, tpa)| *op == 1 && *spa == server && tpa != host)
            });
            if let Some(ask) = ask {
                let i3 = answer(&r, "I.3");
                let tpa = &ask.arp.as_ref().unwrap().2;
                assert!(
                    i3["answer"].as_str().unwrap().contains(&format!(
                        "in frame {} {server} asks the whole LAN who has {tpa}",
                        ask.no
                    )),
                    "{name}: {i3:#}"
                );
                assert_eq!(i3["values"]["other_client_ip"], tpa.as_str(), "{name}");
            }
        }
        // Each ARP request is told by the address it asks for.
        let text = a["answer"].as_str().unwrap();
        for f in &frames {
            if let Some((1, spa, tpa)) = &f.arp
                && (*spa == server || *tpa == server)
            {
                assert!(
                    text.contains(&format!("frame {}: {spa} asks", f.no))
                        && text.contains(&format!("who has {tpa}")),
                    "{name}: ARP frame {}: {text}",
                    f.no
                );
            }
        }
    }
}

/// Labs 002, 003 and 004 on the repository's and the public captures.
#[test]
fn labs_002_003_004_match_the_key_on_the_repository_and_public_captures() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    let files = captures_with_tcp();
    let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    check_labs_002_003_004(&files);
}

/// Lab 000 on the stack demo captured with plain tcpdump on A: the client's stream split into
/// the demo's frames (4-byte length, kind byte, body) from tshark's `tcp.payload`, the `stack`
/// frames (kind 4) counted, the first one's inner Ethernet frame read by hand.
#[test]
fn lab_000_matches_the_key_on_the_stack_demo() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[]);
    let pcap = tmp("000-a.pcap");
    let cap = Tcpdump::start_in(&lab.ns("A"), "eth0", &pcap, &["tcp"]);
    let server = Proc::spawn(
        "stack-server",
        lab.exec("A", &["wirelab", "stack-server", "--port", "8888"]),
    );
    server.wait_for("8888");
    let out = run(lab
        .exec(
            "B",
            &[
                "sh",
                "-c",
                &format!(
                    "printf 'ping\\nstack Hai from B\\nstack again\\nexit\\n' | {BIN} stack-client 10.0.3.1:8888"
                ),
            ],
        )
        .stdin(std::process::Stdio::null()));
    assert!(String::from_utf8_lossy(&out.stdout).contains("both checksums correct"));
    drop(server);
    let pcap = cap.stop();

    let frames = key::frames(&pcap);
    let conns = key::conns(&frames);
    let c = conns.iter().find(|c| c.server.ends_with(":8888")).unwrap();
    let (stream, segs) = key::sent_bytes(&pcap, c.stream, &c.client);
    // The demo's frames.
    let mut at = 0usize;
    let mut stacks: Vec<(usize, Vec<u8>)> = Vec::new();
    while let Some(len) = stream.get(at..at + 4) {
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let Some(body) = stream.get(at + 4..at + 4 + len) else {
            break;
        };
        if body.first() == Some(&4) {
            stacks.push((at, body[1..].to_vec()));
        }
        at += 4 + len;
    }
    assert_eq!(stacks.len(), 2, "two stack commands");
    let (offset, inner) = &stacks[0];
    let carrier = segs
        .iter()
        .find(|(_, seq, len)| (*seq - 1) as usize <= *offset && *offset < (*seq - 1 + len) as usize)
        .map(|s| s.0)
        .unwrap();
    // The inner frame by hand: Ethernet (type 0x0800), IPv4 (protocol 6), TCP, data.
    assert_eq!(inner[12..14], [0x08, 0x00]);
    let ihl = usize::from(inner[14] & 0x0f) * 4;
    assert_eq!(inner[14 + 9], 6);
    let sum = inner[14..14 + ihl]
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum::<u32>();
    let folded = (sum & 0xffff) + (sum >> 16);
    let ip_ok = (folded & 0xffff) + (folded >> 16) == 0xffff;

    let r = answer_json("000", &[&pcap], &[]);
    let a1 = answer(&r, "000.1");
    assert_eq!(a1["values"]["stack_frames"], Value::from(stacks.len()));
    assert_eq!(a1["values"]["inner_frame_bytes"], Value::from(inner.len()));
    assert_eq!(
        a1["evidence"][0]["frames"][0],
        Value::from(carrier),
        "{a1:#}"
    );
    let a2 = answer(&r, "000.2");
    assert_eq!(
        a2["values"]["layers"],
        Value::from(vec!["Ethernet", "IPv4", "TCP", "data"])
    );
    assert_eq!(a2["values"]["ipv4_checksum_ok"], Value::from(ip_ok));
}

/// Lab 001 on a SIMP chat through a lossy switch captured with plain tcpdump on A: chat
/// datagrams (type 2, operation 1) from tshark's `udp.payload`, a resend being the same
/// sender, sequence bit and text again.
#[test]
fn lab_001_matches_the_key_on_a_lossy_simp_chat() {
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[]);
    let pcap = tmp("001-a.pcap");
    const N: usize = 5;
    let pcap = lossy_simp_chat(&lab, &pcap, "5", N);

    let mut chats = 0u64;
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for f in support::tshark_fields(&pcap, &["ip.src", "udp.payload"]) {
        let hex = f.get(1).map(|h| h.replace(':', "")).unwrap_or_default();
        if let Some(rest) = hex.strip_prefix("0201") {
            chats += 1;
            seen.insert((f[0].clone(), rest.to_string()));
        }
    }
    let r = answer_json("001", &[&pcap], &[]);
    let a3 = answer(&r, "001.3");
    assert_eq!(a3["values"]["chat_messages"], Value::from(chats), "{a3:#}");
    assert_eq!(
        a3["values"]["new_messages"],
        Value::from(seen.len()),
        "{a3:#}"
    );
    assert_eq!(seen.len(), 2 * N);
    assert_eq!(
        answer(&r, "001.4")["values"]["resent"],
        Value::from(chats - seen.len() as u64)
    );
}

/// Lab 003 Part I as the sheet runs it, captured with plain tcpdump on B (the sheet's capture)
/// and on C (what B's cannot show): C's client connects while B's is open, sends a line and is
/// interrupted with Ctrl+C (SIGINT) before B's quits (Step 10(b)). The key, from tshark's
/// fields: on C, C's FIN and A's kernel's ACK of it, then the server's late reply (after B's FIN),
/// then C's RST (the sequence number after the FIN) and nothing from A after it; on B, the ARP
/// request between A and C, no frame of C's, and B's FINs. `lab answer 003 B's capture --json` against
/// it: I.1(a)'s teardown frames, and I.3 naming C and citing the ARP request and B's first FIN.
/// No ping first, so C asks for A here; the walkthrough (pings in Step 4) has A ask for C.
#[test]
fn lab_003_the_sheets_run_matches_the_key() {
    use std::os::unix::process::ExitStatusExt;
    if !require(Need::Root) || !require(Need::Tool("tcpdump")) || !require(Need::Tool("tshark")) {
        return;
    }
    let lab = Lab::up(&[]);
    let (b, c) = (tmp("003-sheet-b.pcap"), tmp("003-sheet-c.pcap"));
    let cap_b = Tcpdump::start_in(&lab.ns("B"), "eth0", &b, &[]);
    let cap_c = Tcpdump::start_in(&lab.ns("C"), "eth0", &c, &[]);
    let server = Proc::spawn(
        "tcp-server",
        lab.exec("A", &["wirelab", "tcp-server", "--port", "8080"]),
    );
    server.wait_for("listening on");
    let client = |who: &str| {
        Proc::spawn(
            &format!("{who} client"),
            lab.exec(who, &["wirelab", "tcp-client", "10.0.3.1:8080", "--lines"]),
        )
    };
    let mut on_b = client("B");
    on_b.wait_for("connected to");
    on_b.send_line("Hello from B");
    on_b.wait_for("reply:");
    let mut on_c = client("C");
    on_c.wait_for("connected to");
    on_c.send_line("Hello from C");
    on_c.wait_for("sent 12 bytes");
    std::thread::sleep(Duration::from_millis(800));
    on_c.signal("INT");
    let st = on_c.wait_exit_within(Duration::from_secs(10));
    assert_eq!(
        st.signal(),
        Some(2),
        "Ctrl+C ends C's client\n{}",
        on_c.transcript()
    );
    std::thread::sleep(Duration::from_millis(800));
    on_b.close_stdin();
    assert_eq!(
        on_b.wait_exit_within(Duration::from_secs(10)).code(),
        Some(0),
        "{}",
        on_b.transcript()
    );
    server.wait_for("says: Hello from C");
    std::thread::sleep(Duration::from_millis(500));
    let (b, c) = (cap_b.stop(), cap_c.stop());
    drop(server);

    // The key on C's capture: FIN, late reply, RST.
    let at_c: Vec<Frame> = key::frames(&c)
        .into_iter()
        .filter(|f| f.stream.is_some() && (f.sport == 8080 || f.dport == 8080))
        .collect();
    let from_c = |f: &&Frame| f.src == "10.0.3.3";
    let c_fin = at_c
        .iter()
        .filter(from_c)
        .find(|f| f.fin())
        .expect("tshark: C's FIN");
    let reply = at_c
        .iter()
        .find(|f| f.src == "10.0.3.1" && f.len > 0)
        .expect("tshark: the server's reply");
    let rst = at_c
        .iter()
        .filter(from_c)
        .find(|f| f.rst())
        .expect("tshark: C's RST");
    assert!(c_fin.no < reply.no && reply.no < rst.no, "FIN, reply, RST");
    assert_eq!(reply.ack, c_fin.seq + 1, "the reply acknowledges C's FIN");
    assert!(
        at_c.iter().any(|f| f.src == "10.0.3.1"
            && f.len == 0
            && f.ack == c_fin.seq + 1
            && f.no > c_fin.no
            && f.no < reply.no),
        "A's kernel acknowledges C's FIN before the reply"
    );
    assert_eq!(rst.seq, c_fin.seq + 1, "the RST follows the FIN");
    assert!(
        !at_c
            .iter()
            .filter(from_c)
            .any(|f| f.len > 0 && f.no > c_fin.no)
    );
    assert!(
        !at_c.iter().any(|f| f.src == "10.0.3.1" && f.no > rst.no),
        "nothing from A after the RST"
    );
    assert!(
        !at_c.iter().any(|f| f.src == "10.0.3.1" && f.fin()),
        "the RST aborts the connection: A sends no FIN"
    );
    // The reply came after B's FIN (both captures on this host's clock).
    let epoch = |file: &Path, no: u64| -> f64 {
        support::tshark_fields(file, &["frame.number", "frame.time_epoch"])
            .into_iter()
            .find(|f| f[0] == no.to_string())
            .and_then(|f| f[1].parse().ok())
            .unwrap()
    };

    // The key on B's capture: the ARP request between A and C (A asking for C's MAC to send
    // its SYN-ACK, or C for A's to send its SYN: whichever cache was empty), no frame of C's,
    // B's FINs.
    let at_b = key::frames(&b);
    let ask = at_b
        .iter()
        .find(|f| {
            f.arp.as_ref().is_some_and(|(op, spa, tpa)| {
                let pair = (spa.as_str(), tpa.as_str());
                *op == 1 && (pair == ("10.0.3.1", "10.0.3.3") || pair == ("10.0.3.3", "10.0.3.1"))
            })
        })
        .expect("tshark: an ARP request between A and C, in B's capture");
    assert!(
        !at_b
            .iter()
            .any(|f| f.src == "10.0.3.3" || f.dst == "10.0.3.3")
    );
    let closes: Vec<u64> = at_b
        .iter()
        .filter(|f| f.stream.is_some() && (f.fin() || f.rst()))
        .map(|f| f.no)
        .collect();
    let b_fin = *closes.first().expect("tshark: B's connection closes");
    assert!(ask.no < b_fin, "A asks for C while B is connected");
    assert!(
        epoch(&b, b_fin) < epoch(&c, reply.no) && epoch(&c, c_fin.no) < epoch(&b, b_fin),
        "C's FIN, B's FIN, the reply"
    );

    let r = answer_json("003", &[&b], &[]);
    let i1a = answer(&r, "I.1(a)");
    let teardown: Vec<u64> = i1a["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == "teardown")
        .expect("I.1(a) cites the teardown")["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(i1a["values"]["teardown_frames"], teardown.len(), "{i1a:#}");
    let last_ack = at_b.iter().rfind(|f| f.stream.is_some()).unwrap();
    let mut expected = closes.clone();
    if !last_ack.fin() && last_ack.len == 0 {
        expected.push(last_ack.no);
    }
    assert_eq!(teardown, expected, "{i1a:#}");
    let i3 = answer(&r, "I.3");
    assert_eq!(i3["values"]["waiting_client"], Value::Null, "{i3:#}");
    assert_eq!(i3["values"]["other_client_ip"], "10.0.3.3", "{i3:#}");
    let cited = cited_frames(&i3);
    assert_eq!(cited, BTreeSet::from([ask.no, b_fin]), "{i3:#}");
    let text = i3["answer"].as_str().unwrap();
    for words in ["Ctrl+C", "its FIN", "late reply", "RST", "sends no FIN"] {
        assert!(text.contains(words), "I.3 does not say {words:?}: {text}");
    }
    // I.1(a) puts that ARP request in Step 10.
    let (_, spa, tpa) = ask.arp.as_ref().unwrap();
    let told = format!(
        "frame {}: {spa} asks the whole LAN (broadcast) who has {tpa} — Step 10",
        ask.no
    );
    assert!(i1a["answer"].as_str().unwrap().contains(&told), "{i1a:#}");
}

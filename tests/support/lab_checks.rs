//! Checks of `wirelab lab answer --json` shared by the tests that make captures (plain tcpdump
//! in `lab_answer.rs`, `wirelab capture` in the walkthroughs of `lab_walkthroughs.rs`): each
//! value is compared with tshark's view of the same files, never with wirelab's own output.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{BIN, run, tshark_fields};

/// `wirelab lab answer LAB FILES… EXTRA… --json`, parsed.
pub fn answer_json(lab: &str, files: &[&Path], extra: &[&str]) -> Value {
    let out = run(Command::new(BIN)
        .args(["lab", "answer", lab])
        .args(files)
        .args(extra)
        .arg("--json"));
    serde_json::from_slice(&out.stdout).expect("lab answer --json prints JSON")
}

/// The answer with this id.
pub fn answer(r: &Value, id: &str) -> Value {
    r["answers"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("no answer {id} in {r:#}"))
}

/// A JSON array of strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every evidence frame exists in its file.
pub fn evidence_is_real(r: &Value) {
    let frames: Vec<u64> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["frames"].as_u64().unwrap())
        .collect();
    for a in r["answers"].as_array().unwrap() {
        for e in a["evidence"].as_array().unwrap() {
            let file = e["file"].as_u64().unwrap() as usize;
            for f in e["frames"].as_array().unwrap() {
                let n = f.as_u64().unwrap();
                assert!(
                    n >= 1 && n <= frames[file],
                    "{} cites frame {n} of file {file}",
                    a["id"]
                );
            }
        }
    }
}

/// The captures of a lab 003 run: Part I TCP and UDP (on B, and on C unless the run follows
/// the sheet, which captures Part I on B only) and Part II, on B and C.
pub struct Lab003<'a> {
    /// Part I, TCP, on B.
    pub b_tcp: &'a Path,
    /// Part I, TCP, on C (None: the sheet's run, B only).
    pub c_tcp: Option<&'a Path>,
    /// Step 12, UDP, on B.
    pub b_udp: &'a Path,
    /// Step 12, UDP, on C (None: the sheet's run, B only).
    pub c_udp: Option<&'a Path>,
    /// Part II, on B.
    pub b_threaded: &'a Path,
    /// Part II, on C.
    pub c_threaded: &'a Path,
}

impl Lab003<'_> {
    /// The files in the order `lab answer 003` is given them here.
    pub fn files(&self) -> Vec<&Path> {
        [
            Some(self.b_tcp),
            self.c_tcp,
            Some(self.b_udp),
            self.c_udp,
            Some(self.b_threaded),
            Some(self.c_threaded),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Lab 003's answers on a run where B's client stayed connected while C's waited, UDP clients
/// on B and C, and two clients each on B and C in Part II — every value against tshark.
pub fn check_003(c: &Lab003<'_>) {
    let r = answer_json("003", &c.files(), &[]);
    evidence_is_real(&r);
    assert_eq!(r["server"]["ip"], "10.0.3.1");

    // I.1(a): tshark's view of B's Part I capture.
    let i1a = answer(&r, "I.1(a)");
    let syns: Vec<u64> = tshark_fields(c.b_tcp, &["frame.number", "tcp.flags.syn"])
        .iter()
        .filter(|f| f.get(1).map(String::as_str) == Some("1"))
        .map(|f| f[0].parse().unwrap())
        .collect();
    let hs: Vec<u64> = i1a["values"]["handshake_frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(hs.len(), 3, "{i1a:#}");
    assert_eq!(hs[..2], syns[..], "SYN and SYN-ACK are tshark's");
    let data = tshark_fields(c.b_tcp, &["ip.src", "tcp.srcport", "tcp.len"]);
    let client_data = data
        .iter()
        .filter(|f| f[0] == "10.0.3.2" && f[2].parse::<u32>().unwrap_or(0) > 0)
        .count();
    assert!(client_data > 0, "tshark: B's client sent data");
    assert_eq!(
        i1a["values"]["client_data_segments"].as_u64(),
        Some(client_data as u64)
    );
    let tcp_frames = data.iter().filter(|f| !f[1].is_empty()).count() as u64;
    assert_eq!(i1a["values"]["filtered_frames"].as_u64(), Some(tcp_frames));

    // I.1(b): the socket addresses of the data frames, as tshark sees them.
    let i1b = answer(&r, "I.1(b)");
    let socks: BTreeSet<String> = data
        .iter()
        .filter(|f| f[2].parse::<u32>().unwrap_or(0) > 0)
        .map(|f| format!("{}:{}", f[0], f[1]))
        .collect();
    let mut ours: Vec<String> = strings(&i1b["values"]["client_sockets"]);
    ours.extend(strings(&i1b["values"]["server_sockets"]));
    assert_eq!(ours.into_iter().collect::<BTreeSet<_>>(), socks);

    // I.2: one server socket address.
    assert_eq!(
        strings(&answer(&r, "I.2")["values"]["server_sockets"]),
        ["10.0.3.1:8080"]
    );

    // I.3: C connected (the kernel's handshake) but waited for B to leave.
    let i3 = answer(&r, "I.3");
    if let Some(c_tcp) = c.c_tcp {
        assert!(
            i3["values"]["waiting_client"]
                .as_str()
                .unwrap()
                .starts_with("10.0.3.3:"),
            "{i3:#}"
        );
        assert_eq!(i3["values"]["handshake_complete"], true);
        let waited = i3["values"]["seconds_waited"].as_f64().unwrap();
        assert!(waited > 1.0, "C's message waited {waited} s");
        let c_syn = tshark_fields(c_tcp, &["frame.number", "tcp.flags.syn", "tcp.flags.ack"]);
        assert!(
            c_syn.iter().any(|f| f[1] == "1" && f[2] == "1"),
            "tshark: C got a SYN-ACK at once"
        );
    } else {
        check_003_i3_from_b(c.b_tcp, &i3);
    }

    // I.3 (switch): B's captures hold no unicast between A and C.
    assert_eq!(
        answer(&r, "I.3 (switch)")["values"]["unicast_between_others"],
        0
    );
    for file in [c.b_tcp, c.b_udp, c.b_threaded] {
        let at_b = tshark_fields(file, &["eth.src", "eth.dst"]);
        assert!(
            !at_b.iter().any(|f| {
                let pair = (f[0].as_str(), f[1].as_str());
                pair == ("02:00:00:00:03:03", "02:00:00:00:03:01")
                    || pair == ("02:00:00:00:03:01", "02:00:00:00:03:03")
            }),
            "tshark: A↔C unicast in {}",
            file.display()
        );
    }

    // I.4: UDP has no handshake; both clients answered at once.
    let i4a = answer(&r, "I.4(a)");
    let udp_b = tshark_fields(c.b_udp, &["udp.srcport", "tcp.srcport", "ip.dst"]);
    let to_server = udp_b
        .iter()
        .filter(|f| !f[0].is_empty() && f[2] == "10.0.3.1")
        .count();
    assert!(to_server > 0, "tshark: B sent datagrams");
    assert_eq!(
        i4a["values"]["udp_datagrams_to_server"].as_u64(),
        Some(to_server as u64),
        "{i4a:#}"
    );
    assert_eq!(i4a["values"]["udp_tcp_frames"], 0);
    assert!(
        udp_b.iter().all(|f| f[1].is_empty()),
        "tshark: no TCP in the UDP capture"
    );
    // I.4(b): both clients' datagrams with C's capture; B's alone shows only B's, and the
    // answer says what a capture on C would show.
    let i4b = answer(&r, "I.4(b)");
    if c.c_udp.is_some() {
        assert_eq!(strings(&i4b["values"]["udp_clients"]).len(), 2);
    } else {
        assert_eq!(i4b["values"]["udp_clients"], Value::Null, "{i4b:#}");
        let text = i4b["answer"].as_str().unwrap();
        assert!(text.contains("Capture on C"), "{text}");
    }

    // Part II.
    assert_eq!(answer(&r, "II.1")["values"]["connections"], 4);
    let ii2 = answer(&r, "II.2");
    assert_eq!(strings(&ii2["values"]["server_sockets"]), ["10.0.3.1:8080"]);
    assert_eq!(ii2["values"]["sockets_created"], 5);
    let ii3 = answer(&r, "II.3");
    let per: BTreeMap<String, u64> =
        serde_json::from_value(ii3["values"]["sockets_per_client_computer"].clone()).unwrap();
    assert_eq!(
        per,
        BTreeMap::from([("10.0.3.2".to_string(), 2), ("10.0.3.3".to_string(), 2)])
    );
    let syn_ports: BTreeSet<String> = [c.b_threaded, c.c_threaded]
        .iter()
        .flat_map(|p| {
            tshark_fields(
                p,
                &["ip.src", "tcp.srcport", "tcp.flags.syn", "tcp.flags.ack"],
            )
        })
        .filter(|f| f[2] == "1" && f[3] == "0")
        .map(|f| format!("{}:{}", f[0], f[1]))
        .collect();
    assert_eq!(
        strings(&ii3["values"]["client_sockets"])
            .into_iter()
            .collect::<BTreeSet<_>>(),
        syn_ports
    );
}

/// Lab 003 I.3 answered from B's capture alone (the sheet's run): tshark finds, in `b_tcp`, A's
/// ARP request for C while B's connection is open (the trace of A's SYN-ACK to C) and no TCP
/// frame of C's; the answer names C, cites that request and B's first FIN or RST (Step 11), and
/// tells what a capture on C would add (C's FIN at Ctrl+C, the late reply, C's RST).
pub fn check_003_i3_from_b(b_tcp: &Path, i3: &Value) {
    let f = tshark_fields(
        b_tcp,
        &[
            "frame.number",
            "arp.opcode",
            "arp.src.proto_ipv4",
            "arp.dst.proto_ipv4",
            "ip.addr",
            "tcp.flags.fin",
            "tcp.flags.reset",
        ],
    );
    let ask = f
        .iter()
        .find(|x| x[1] == "1" && x[2] == "10.0.3.1" && x[3] != "10.0.3.2")
        .expect("tshark: A asks for another computer's MAC in B's capture");
    let close = f
        .iter()
        .find(|x| x[5] == "1" || x[6] == "1")
        .expect("tshark: B's connection closes (Step 11)");
    let (ask_no, close_no): (u64, u64) = (ask[0].parse().unwrap(), close[0].parse().unwrap());
    assert!(
        ask_no < close_no,
        "A's ARP for C comes while B is connected"
    );
    assert!(
        !f.iter().any(|x| x[4].contains("10.0.3.3")),
        "tshark: an IP frame of C's in B's capture"
    );
    assert_eq!(i3["values"]["waiting_client"], Value::Null, "{i3:#}");
    assert_eq!(
        i3["values"]["other_client_ip"].as_str(),
        Some(ask[3].as_str())
    );
    let cited = cited_frames(i3);
    assert_eq!(cited, BTreeSet::from([ask_no, close_no]), "{i3:#}");
    let text = i3["answer"].as_str().unwrap();
    for words in ["Ctrl+C", "its FIN", "late reply", "RST"] {
        assert!(text.contains(words), "I.3 does not say {words:?}: {text}");
    }
}

/// Lab 002's Figure 3 on `file`: every row's relative Seq/Ack/Len is tshark's, the handshake
/// and FIN frames are in their phases, and the raw ISN is tshark's `tcp.seq_raw`. Returns the
/// answers.
pub fn check_figure3(file: &Path) -> Value {
    let r = answer_json("002", &[file], &[]);
    evidence_is_real(&r);
    let fig = answer(&r, "Figure 3");
    let stream = fig["values"]["stream"].as_u64().unwrap();
    let tshark: BTreeMap<u64, Vec<String>> = tshark_fields(
        file,
        &[
            "frame.number",
            "tcp.stream",
            "tcp.seq",
            "tcp.ack",
            "tcp.len",
            "tcp.flags.syn",
            "tcp.flags.fin",
        ],
    )
    .into_iter()
    .filter(|f| f[1] == stream.to_string())
    .map(|f| (f[0].parse().unwrap(), f))
    .collect();
    let rows = fig["table"]["rows"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        tshark.len(),
        "every frame of the stream is a row (it is short)"
    );
    for row in rows {
        let no: u64 = row[0].as_str().unwrap().parse().unwrap();
        let info = row[3].as_str().unwrap();
        let t = &tshark[&no];
        assert!(
            info.contains(&format!("Seq={} ", t[2])),
            "frame {no}: {info} vs tshark Seq={}",
            t[2]
        );
        if info.contains("Ack=") {
            assert!(
                info.contains(&format!("Ack={} ", t[3])),
                "frame {no}: {info} vs tshark Ack={}",
                t[3]
            );
        }
        assert!(
            info.contains(&format!("Len={}", t[4])),
            "frame {no}: {info}"
        );
        let phase = row[5].as_str().unwrap();
        if t[5] == "1" {
            assert_eq!(phase, "handshake", "frame {no}");
        }
        if t[6] == "1" {
            assert_eq!(phase, "close", "frame {no}");
        }
    }
    let hs = answer(&r, "3.1");
    let isn: u64 = String::from_utf8_lossy(
        &run(Command::new("tshark")
            .args(["-n", "-r"])
            .arg(file)
            .arg("-Y")
            .arg(format!(
                "tcp.stream == {stream} && tcp.flags.syn == 1 && tcp.flags.ack == 0"
            ))
            .args(["-T", "fields", "-e", "tcp.seq_raw"]))
        .stdout,
    )
    .trim()
    .parse()
    .unwrap();
    assert_eq!(
        hs["values"]["client_isn"].as_u64(),
        Some(isn),
        "the raw ISN is tshark's"
    );
    r
}

/// Lab 000 on a capture of the stack demo (`ping`, `stack Hai from B`): the frame read layer
/// by layer with both checksums correct, and the carrying frame's TCP payload (tshark's)
/// holding the demo's header (length, kind 4) then the demo's own Ethernet header. Returns
/// the report.
pub fn check_000(pcap: &Path) -> Value {
    let r = answer_json("000", &[pcap], &[]);
    evidence_is_real(&r);
    let a2 = answer(&r, "000.2");
    assert_eq!(
        strings(&a2["values"]["layers"]),
        ["Ethernet", "IPv4", "TCP", "data"],
        "{a2:#}"
    );
    assert_eq!(a2["values"]["ipv4_checksum_ok"], true);
    assert_eq!(a2["values"]["tcp_checksum_ok"], true);
    assert!(a2["answer"].as_str().unwrap().contains("Hai from B"));
    let a1 = answer(&r, "000.1");
    let frame = a1["evidence"][0]["frames"][0].as_u64().unwrap();
    let payload = tshark_fields(pcap, &["frame.number", "tcp.payload"])
        .into_iter()
        .find(|f| f[0] == frame.to_string())
        .map(|f| f[1].replace(':', ""))
        .unwrap();
    let inner_len = a1["values"]["inner_frame_bytes"].as_u64().unwrap();
    let at = payload
        .find(&format!("{:08x}04", inner_len + 1))
        .expect("the demo header in the payload");
    assert!(
        payload[at + 10..].starts_with("02000000000202000000000108004500"),
        "{payload}"
    );
    r
}

/// Every frame an answer's evidence cites.
pub fn cited_frames(a: &Value) -> BTreeSet<u64> {
    a["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["frames"].as_array().unwrap().iter())
        .map(|n| n.as_u64().unwrap())
        .collect()
}

//! `wirelab lab answer`: each lab's questions answered from captures only.
//!
//! Every capture is read through the same [`Analyzer`] as `wirelab read` (so frame numbers,
//! relative sequence numbers and Info texts are tshark's), reduced to [`facts::FileFacts`],
//! and each lab's module turns the facts into a [`Report`]: one [`report::Answer`] per
//! question, with the frames it rests on. One module per lab: [`lab000`] (the stack demo),
//! [`lab001`] (SIMP), [`lab002`] (file transfer, Figure 3), [`lab003`] (TCP and UDP sockets),
//! [`lab004`] (the simple TCP exchange). Captures can come from the virtual lab or from
//! Wireshark on the real Pis: nothing here knows which.
//!
//! [`Analyzer`]: crate::analyse::Analyzer

pub mod dhcp;
pub mod dns;
pub mod ethernet_arp;
pub mod facts;
pub mod http;
pub mod icmp;
pub mod intro;
pub mod ip;
pub mod lab000;
pub mod lab001;
pub mod lab002;
pub mod lab003;
pub mod lab004;
pub mod nat;
pub mod netlayer;
pub mod report;
#[cfg(test)]
pub(crate) mod testkit;
pub mod tls;
pub mod udp;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::analyse::{Packet, analyse_each};
use crate::frame::Frame;
use crate::source::{CaptureReader, SourceError, SourceEvent};
use facts::{FactsOptions, FileFacts};
pub use report::Report;

/// The labs that can be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabId {
    /// 000: the TCP/IP stack demo.
    Stack,
    /// 001: SIMP chat.
    Simp,
    /// 002: the file transfer and its Wireshark interpretation (Figure 3).
    Transfer,
    /// 003: TCP and UDP sockets, a second server, a third computer, a threaded server.
    Sockets,
    /// 004: the simple TCP exchange.
    Exchange,
    /// Kurose & Ross, Wireshark Lab: IP v8.1 (traceroute, fragmentation, IPv6).
    Ip,
    /// Kurose & Ross, Wireshark Lab: ICMP v8.1 (ping and traceroute).
    Icmp,
    /// Kurose & Ross "Wireshark Lab: UDP" (v8.1).
    Udp,
    /// Kurose & Ross "Wireshark Lab: Ethernet and ARP" (v8.1).
    EthernetArp,
    /// Kurose & Ross "Wireshark Lab: HTTP" (v8.1).
    Http,
    /// Kurose & Ross "Wireshark Lab: DNS" (v8.1).
    Dns,
    /// Kurose & Ross "Wireshark Lab: TLS" (v8.1).
    Tls,
    /// Kurose & Ross "Wireshark Lab: DHCP" (v8.1).
    Dhcp,
    /// Kurose & Ross "Wireshark Lab: NAT" (v8.1): two captures, inside then outside.
    Nat,
    /// Kurose & Ross "Wireshark Lab: Getting Started" (v8.1).
    Intro,
}

impl LabId {
    /// Every lab, by number.
    pub const ALL: [LabId; 15] = [
        LabId::Stack,
        LabId::Simp,
        LabId::Transfer,
        LabId::Sockets,
        LabId::Exchange,
        LabId::Ip,
        LabId::Icmp,
        LabId::Udp,
        LabId::EthernetArp,
        LabId::Http,
        LabId::Dns,
        LabId::Tls,
        LabId::Dhcp,
        LabId::Nat,
        LabId::Intro,
    ];

    /// `"000"` … `"004"`.
    pub fn number(self) -> &'static str {
        match self {
            LabId::Stack => "000",
            LabId::Simp => "001",
            LabId::Transfer => "002",
            LabId::Sockets => "003",
            LabId::Exchange => "004",
            LabId::Ip => "ip",
            LabId::Icmp => "icmp",
            LabId::Udp => "udp",
            LabId::EthernetArp => "ethernet-arp",
            LabId::Http => "http",
            LabId::Dns => "dns",
            LabId::Tls => "tls",
            LabId::Dhcp => "dhcp",
            LabId::Nat => "nat",
            LabId::Intro => "intro",
        }
    }

    /// Its short name, also accepted on the command line.
    pub fn name(self) -> &'static str {
        match self {
            LabId::Stack => "stack",
            LabId::Simp => "simp",
            LabId::Transfer => "file-transfer",
            LabId::Sockets => "sockets",
            LabId::Exchange => "tcp-exchange",
            LabId::Ip => "ip",
            LabId::Icmp => "icmp",
            LabId::Udp => "udp",
            LabId::EthernetArp => "ethernet-arp",
            LabId::Http => "http",
            LabId::Dns => "dns",
            LabId::Tls => "tls",
            LabId::Dhcp => "dhcp",
            LabId::Nat => "nat",
            LabId::Intro => "intro",
        }
    }

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            LabId::Stack => "The TCP/IP stack demo: what each layer of the demo's frame carries",
            LabId::Simp => "SIMP chat: handshake, stop-and-wait, duplicates, teardown",
            LabId::Transfer => {
                "Client/server file transfer: the Wireshark interpretation (Figure 3)"
            }
            LabId::Sockets => {
                "Socket programming: TCP and UDP, one server at a time, threaded server"
            }
            LabId::Exchange => "Socket programming, TCP: one message and its reply",
            LabId::Ip => "Wireshark Lab: IP v8.1 (Kurose & Ross): traceroute, fragments, IPv6",
            LabId::Icmp => "Wireshark Lab: ICMP v8.1 (Kurose & Ross): ping and traceroute",
            LabId::Udp => "Wireshark Lab: UDP (Kurose & Ross, v8.1)",
            LabId::EthernetArp => "Wireshark Lab: Ethernet and ARP (Kurose & Ross, v8.1)",
            LabId::Http => "Wireshark Lab: HTTP (Kurose & Ross, v8.1)",
            LabId::Dns => "Wireshark Lab: DNS (Kurose & Ross, v8.1)",
            LabId::Tls => "Wireshark Lab: TLS (Kurose & Ross, v8.1)",
            LabId::Dhcp => "Wireshark Lab: DHCP (Kurose & Ross, v8.1)",
            LabId::Nat => "Wireshark Lab: NAT (Kurose & Ross, v8.1)",
            LabId::Intro => "Wireshark Lab: Getting Started (Kurose & Ross, v8.1)",
        }
    }
}

impl fmt::Display for LabId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.number() == self.name() {
            true => write!(f, "{}", self.name()),
            false => write!(f, "{} ({})", self.number(), self.name()),
        }
    }
}

/// Why a lab name is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnknownLab(String);

impl FromStr for LabId {
    type Err = UnknownLab;
    fn from_str(s: &str) -> Result<LabId, UnknownLab> {
        let t = s.trim().to_ascii_lowercase();
        let t = t.trim_start_matches("lab");
        if let Some(l) = LabId::ALL.iter().find(|l| {
            t == l.number()
                || t == l.name()
                || t.parse::<u8>()
                    .is_ok_and(|n| l.number().parse::<u8>().ok() == Some(n))
        }) {
            return Ok(*l);
        }
        if t == "tcp" || t.contains("kurose") {
            return Err(UnknownLab(format!(
                "`{s}`: the TCP lab (Kurose & Ross) is answered by `wirelab read --tcp-report` \
                 (it comes with the TCP analysis views)"
            )));
        }
        Err(UnknownLab(format!(
            "`{s}` is not a lab wirelab answers; the labs are: {}",
            LabId::ALL
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// What the answers are about.
#[derive(Debug, Clone, Default)]
pub struct AnswerOptions {
    /// The server's address (`--server`); inferred from the captures when `None`.
    pub server: Option<IpAddr>,
}

/// Why the captures could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// No capture given.
    #[error("give at least one capture file (pcap or pcapng), e.g. captures/lab/003-b-tcp.pcapng")]
    NoFiles,
    /// A file does not exist.
    #[error(
        "{0} does not exist; check the path (captures from a walkthrough are in captures/lab/)"
    )]
    Missing(PathBuf),
    /// A directory was given.
    #[error("{0} is a directory: give the capture files in it, e.g. {0}/*.pcapng")]
    Directory(PathBuf),
    /// The file is not a capture.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: SourceError,
    },
    /// The NAT lab's two captures are not the two sides of one NAT router.
    #[error(transparent)]
    Nat(#[from] nat::NatError),
}

/// One capture, read.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The path as given.
    pub path: PathBuf,
    /// What it shows.
    pub facts: FileFacts,
    /// Problems found while reading it.
    pub warnings: Vec<String>,
}

fn open(path: &Path) -> Result<CaptureReader<std::io::BufReader<std::fs::File>>, AnswerError> {
    if path.is_dir() {
        return Err(AnswerError::Directory(path.to_owned()));
    }
    if !path.exists() {
        return Err(AnswerError::Missing(path.to_owned()));
    }
    CaptureReader::open(path).map_err(|source| AnswerError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads `path` through the analyzer, calling `f` for each frame; returns the warnings.
pub fn scan(path: &Path, mut f: impl FnMut(&Packet, &Frame)) -> Result<Vec<String>, AnswerError> {
    let reader = open(path)?;
    let mut warnings = Vec::new();
    analyse_each(reader.map(SourceEvent::into_result), &mut f, |w| {
        warnings.push(w.to_string())
    });
    Ok(warnings)
}

/// Reads one capture into its facts.
pub fn read_capture(path: &Path, options: FactsOptions) -> Result<Capture, AnswerError> {
    let mut facts = FileFacts::new(options);
    let warnings = scan(path, |p, f| facts.add(p, f))?;
    Ok(Capture {
        path: path.to_owned(),
        facts,
        warnings,
    })
}

/// The server: given, or the address that accepted the most TCP connections (a SYN-ACK
/// sender), else the one that received the most UDP flows' first datagrams.
pub fn choose_server(caps: &[Capture], given: Option<IpAddr>) -> Option<report::ServerChoice> {
    if let Some(ip) = given {
        return Some(report::ServerChoice {
            ip: ip.to_string(),
            how: "given".into(),
            reason: "--server".into(),
        });
    }
    let mut tcp: Vec<(IpAddr, u64, String)> = Vec::new();
    let mut udp: Vec<(IpAddr, u64, String)> = Vec::new();
    for (i, c) in caps.iter().enumerate() {
        for conn in c.facts.tcp.iter().filter(|c| c.client_known) {
            let ip = conn.server().ip();
            let at = conn
                .syn_ack
                .or(conn.syn)
                .map(|a| a.frame)
                .unwrap_or(conn.first.frame);
            match tcp.iter_mut().find(|e| e.0 == ip) {
                Some(e) => e.1 += 1,
                None => tcp.push((ip, 1, format!("file {} frame {at}", i + 1))),
            }
        }
        for f in &c.facts.udp {
            let ip = f.b.ip();
            match udp.iter_mut().find(|e| e.0 == ip) {
                Some(e) => e.1 += 1,
                None => udp.push((ip, 1, format!("file {} frame {}", i + 1, f.first.frame))),
            }
        }
    }
    let pick = |v: &[(IpAddr, u64, String)]| {
        v.iter()
            .fold(None::<&(IpAddr, u64, String)>, |best, e| match best {
                Some(b) if b.1 >= e.1 => Some(b),
                _ => Some(e),
            })
            .cloned()
    };
    if let Some((ip, n, first)) = pick(&tcp) {
        return Some(report::ServerChoice {
            ip: ip.to_string(),
            how: "inferred".into(),
            reason: format!(
                "it accepted {n} TCP connection{}, the first in {first} (--server chooses another)",
                plural(n)
            ),
        });
    }
    pick(&udp).map(|(ip, n, first)| report::ServerChoice {
        ip: ip.to_string(),
        how: "inferred".into(),
        reason: format!(
            "it received the first datagram of {n} UDP flow{}, the first in {first} (--server chooses another)",
            plural(n)
        ),
    })
}

/// A duration for a student: `1.920 s`, `12.4 ms`, `0.35 ms`.
pub fn seconds(x: f64) -> String {
    let a = x.abs();
    if a >= 1.0 {
        format!("{x:.3} s")
    } else if a >= 0.01 {
        format!("{:.1} ms", x * 1e3)
    } else {
        format!("{:.2} ms", x * 1e3)
    }
}

/// `"s"` unless `n` is 1.
pub fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `frame 4` or `frames 4, 5, 9` (with `… (N in all)` when the list was cut).
pub fn frames_text(frames: &[u64], count: u64) -> String {
    let list = frames
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    match frames.len() {
        0 => "no frame".to_string(),
        1 if count <= 1 => format!("frame {list}"),
        n if (n as u64) < count => format!("frames {list}, … ({count} in all)"),
        _ => format!("frames {list}"),
    }
}

/// A one-line description of what a capture holds.
pub fn summarize(f: &FileFacts) -> String {
    let mut parts = Vec::new();
    if f.arp.count > 0 {
        parts.push(format!("{} ARP", f.arp.count));
    }
    if !f.tcp.is_empty() {
        parts.push(format!(
            "{} TCP connection{}",
            f.tcp.len(),
            plural(f.tcp.len() as u64)
        ));
    }
    if !f.udp.is_empty() {
        parts.push(format!(
            "{} UDP flow{}",
            f.udp.len(),
            plural(f.udp.len() as u64)
        ));
    }
    for (proto, s) in &f.other {
        parts.push(format!("{} {proto}", s.count));
    }
    if parts.is_empty() {
        parts.push("nothing the labs ask about".into());
    }
    format!("{} frames: {}", f.frames, parts.join(", "))
}

/// Reads the captures and answers `lab`'s questions.
pub fn answer(lab: LabId, paths: &[PathBuf], opts: &AnswerOptions) -> Result<Report, AnswerError> {
    if paths.is_empty() {
        return Err(AnswerError::NoFiles);
    }
    if lab == LabId::Nat && paths.len() != 2 {
        return Err(nat::NatError::Files(paths.len()).into());
    }
    let options = FactsOptions {
        stream_bytes: if lab == LabId::Stack { 1 << 20 } else { 0 },
    };
    let caps = paths
        .iter()
        .map(|p| read_capture(p, options))
        .collect::<Result<Vec<_>, _>>()?;
    let server = choose_server(&caps, opts.server);
    let server_ip: Option<IpAddr> = server.as_ref().and_then(|s| s.ip.parse().ok());
    let answers = match lab {
        LabId::Stack => lab000::answers(&caps),
        LabId::Simp => lab001::answers(&caps)?,
        LabId::Transfer => lab002::answers(&caps, server_ip)?,
        LabId::Sockets => lab003::answers(&caps, server_ip),
        LabId::Exchange => lab004::answers(&caps, server_ip),
        LabId::Ip => ip::answers(&netlayer::Trace::new(netlayer::datagrams(&caps)?)),
        LabId::Icmp => icmp::answers(&netlayer::Trace::new(netlayer::datagrams(&caps)?)),
        LabId::Udp => udp::answers(&caps)?,
        LabId::EthernetArp => ethernet_arp::answers(&caps)?,
        LabId::Http => http::answers(&caps)?,
        LabId::Dns => dns::answers(&caps)?,
        LabId::Tls => tls::answers(&caps, opts.server)?,
        LabId::Dhcp => dhcp::answers(&caps)?,
        LabId::Nat => nat::answers(&caps, opts.server)?,
        LabId::Intro => intro::answers(&caps)?,
    };
    Ok(Report {
        lab: lab.number().to_string(),
        title: lab.title().to_string(),
        files: caps
            .iter()
            .enumerate()
            .map(|(i, c)| report::CaptureFile {
                index: i,
                path: c.path.display().to_string(),
                frames: c.facts.frames,
                warnings: c.warnings.clone(),
                summary: summarize(&c.facts),
            })
            .collect(),
        server: if matches!(
            lab,
            LabId::Simp
                | LabId::Stack
                | LabId::Ip
                | LabId::Icmp
                | LabId::Dns
                | LabId::Dhcp
                | LabId::Intro
        ) {
            None
        } else {
            server
        },
        answers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labs_are_named_by_number_or_name() {
        assert_eq!("003".parse(), Ok(LabId::Sockets));
        assert_eq!("3".parse(), Ok(LabId::Sockets));
        assert_eq!("lab002".parse(), Ok(LabId::Transfer));
        assert_eq!("simp".parse(), Ok(LabId::Simp));
        assert_eq!("STACK".parse(), Ok(LabId::Stack));
        assert_eq!("ip".parse(), Ok(LabId::Ip));
        assert_eq!("ICMP".parse(), Ok(LabId::Icmp));
        assert!(
            "tcp"
                .parse::<LabId>()
                .unwrap_err()
                .0
                .contains("--tcp-report")
        );
        assert!(
            "9".parse::<LabId>()
                .unwrap_err()
                .0
                .contains("003 (sockets)")
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(seconds(1.92), "1.920 s");
        assert_eq!(seconds(0.0124), "12.4 ms");
        assert_eq!(seconds(0.00035), "0.35 ms");
    }

    #[test]
    fn frame_lists_read_well() {
        assert_eq!(frames_text(&[4], 1), "frame 4");
        assert_eq!(frames_text(&[4, 5], 2), "frames 4, 5");
        assert_eq!(frames_text(&[4, 5], 9), "frames 4, 5, … (9 in all)");
        assert_eq!(frames_text(&[], 0), "no frame");
    }

    #[test]
    fn missing_files_and_directories_get_clear_errors() {
        let e = answer(
            LabId::Sockets,
            &[PathBuf::from("/nonexistent/x.pcapng")],
            &AnswerOptions::default(),
        );
        assert!(matches!(e, Err(AnswerError::Missing(_))));
        let e = answer(
            LabId::Sockets,
            &[PathBuf::from("/")],
            &AnswerOptions::default(),
        );
        assert!(matches!(e, Err(AnswerError::Directory(_))));
        let e = answer(LabId::Sockets, &[], &AnswerOptions::default());
        assert!(matches!(e, Err(AnswerError::NoFiles)));
    }
}

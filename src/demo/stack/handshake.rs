//! The `handshake` command: the real SYN / SYN-ACK / ACK of the client's connection, captured
//! on a [`crate::link::PnetLink`] opened just before connecting (needs root or CAP_NET_RAW) and
//! read with [`crate::decode`], or a clearly labelled simulation with the connection's real
//! socket addresses.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::decode::names::tcp_flag_names;
use crate::decode::{self, NetRepr, Reassembler, TransportRepr};
use crate::frame::LinkType;
use crate::link::{Interface, Link, LinkError, LinkOptions, PnetLink, iface};

/// How long the capture thread looks for the handshake.
const CAPTURE_WINDOW: Duration = Duration::from_secs(3);
/// Longest single wait for a frame, so the thread checks its deadline often.
const POLL: Duration = Duration::from_millis(100);

/// One TCP segment seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Sender's socket address.
    pub src: SocketAddr,
    /// Receiver's socket address.
    pub dst: SocketAddr,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// The 12-bit flags ([`crate::decode::tcp_flags`]).
    pub flags: u16,
    /// Receive window (unscaled, as carried).
    pub window: u16,
    /// Options as Wireshark writes them (`MSS=65495 SACK_PERM ...`).
    pub options: String,
    /// Window scale shift announced in this segment's options, if any.
    pub wscale: Option<u8>,
    /// Payload length.
    pub len: usize,
}

const SYN: u16 = decode::tcp_flags::SYN;
const ACK: u16 = decode::tcp_flags::ACK;

/// TCP flag names as Wireshark writes them: `[SYN, ACK]`.
pub fn flag_names(flags: u16) -> String {
    let mut s = String::from("[");
    tcp_flag_names(flags, &mut s);
    s.push(']');
    s
}

/// Reads an Ethernet frame carrying IPv4 or IPv6 and TCP with the decoder; `None` for
/// anything else.
pub fn parse_segment(frame: &[u8]) -> Option<Segment> {
    let d = decode::decode(1, LinkType::ETHERNET, frame, &mut Reassembler::new());
    let (src_ip, dst_ip): (IpAddr, IpAddr) = match &d.net {
        NetRepr::Ipv4(_) | NetRepr::Ipv6(_) => d.net.ip_addrs()?,
        _ => return None,
    };
    let TransportRepr::Tcp(tcp) = &d.transport else {
        return None;
    };
    let o = tcp.options;
    let mut options = Vec::new();
    if let Some(mss) = o.mss {
        options.push(format!("MSS={mss}"));
    }
    if o.sack_permitted {
        options.push("SACK_PERM".into());
    }
    if let Some((val, ecr)) = o.timestamps {
        options.push(format!("TSval={val} TSecr={ecr}"));
    }
    if let Some(ws) = o.window_scale {
        options.push(format!("WS={}", 1u32.checked_shl(ws.into()).unwrap_or(0)));
    }
    Some(Segment {
        src: SocketAddr::new(src_ip, tcp.src_port),
        dst: SocketAddr::new(dst_ip, tcp.dst_port),
        seq: tcp.seq,
        ack: tcp.ack,
        flags: tcp.flags,
        window: tcp.window,
        options: options.join(" "),
        wscale: o.window_scale,
        len: tcp.len.unwrap_or(0) as usize,
    })
}

/// The three handshake segments between `client` and `server` among `segs`, if all were seen.
pub fn find_handshake(
    segs: &[Segment],
    client: SocketAddr,
    server: SocketAddr,
) -> Option<[Segment; 3]> {
    let syn = segs
        .iter()
        .find(|s| s.src == client && s.dst == server && s.flags & (SYN | ACK) == SYN)?;
    let isn_c = syn.seq;
    let syn_ack = segs.iter().find(|s| {
        s.src == server
            && s.dst == client
            && s.flags & (SYN | ACK) == SYN | ACK
            && s.ack == isn_c.wrapping_add(1)
    })?;
    let isn_s = syn_ack.seq;
    let ack = segs.iter().find(|s| {
        s.src == client
            && s.dst == server
            && s.flags & (SYN | ACK) == ACK
            && s.seq == isn_c.wrapping_add(1)
            && s.ack == isn_s.wrapping_add(1)
    })?;
    Some([syn.clone(), syn_ack.clone(), ack.clone()])
}

/// A capture running in the background while the client connects.
pub struct Capture {
    interface: String,
    ends: mpsc::Sender<(SocketAddr, SocketAddr)>,
    thread: thread::JoinHandle<Result<[Segment; 3], String>>,
}

/// The interface that carries traffic to `server`: loopback for local addresses, else the one
/// whose network contains it, else the first one that is up with an address.
fn interface_for(server: IpAddr) -> Option<Interface> {
    let all = iface::list();
    if server.is_loopback() {
        return all.into_iter().find(|i| i.loopback);
    }
    let on_subnet = all.iter().find(|i| {
        i.addrs.iter().any(|(a, p)| match (a, server) {
            (IpAddr::V4(a), IpAddr::V4(s)) => iface::same_subnet(*a, s, *p),
            (a, s) => *a == s,
        })
    });
    if let Some(i) = on_subnet {
        return Some(i.clone());
    }
    all.into_iter()
        .find(|i| i.up && !i.loopback && !i.addrs.is_empty())
}

impl Capture {
    /// Opens a packet socket on the interface towards `server` and starts watching its port;
    /// call this before connecting. `Err` explains why capturing is not possible here.
    pub fn start(server: SocketAddr) -> Result<Capture, String> {
        let iface = interface_for(server.ip())
            .ok_or_else(|| format!("no network interface found towards {}", server.ip()))?;
        let opts = LinkOptions {
            purpose: "capturing",
            ..LinkOptions::default()
        };
        let mut link = match PnetLink::open(&iface, opts) {
            Ok(link) => link,
            Err(LinkError::NoPrivilege { name, .. }) => {
                return Err(format!(
                    "capturing on {name} needs root or CAP_NET_RAW; run `sudo wirelab \
                     stack-client ...` to see the real packets"
                ));
            }
            Err(err) => return Err(err.to_string()),
        };
        let (ends_tx, ends_rx) = mpsc::channel::<(SocketAddr, SocketAddr)>();
        let port = server.port();
        let thread = thread::Builder::new()
            .name("handshake capture".into())
            .spawn(move || {
                let deadline = Instant::now() + CAPTURE_WINDOW;
                let mut seen: Vec<Segment> = Vec::new();
                let mut ends = None;
                while Instant::now() < deadline {
                    if ends.is_none() {
                        ends = ends_rx.try_recv().ok();
                    }
                    if let Ok(Some(frame)) = link.recv(POLL)
                        && let Some(seg) = parse_segment(frame.data)
                        && (seg.src.port() == port || seg.dst.port() == port)
                        && seg.len == 0
                        && !seen.contains(&seg)
                        && seen.len() < 1000
                    {
                        seen.push(seg);
                    }
                    if let Some((client, server)) = ends
                        && let Some(found) = find_handshake(&seen, client, server)
                    {
                        return Ok(found);
                    }
                }
                Err(format!(
                    "the handshake was not seen within {} s",
                    CAPTURE_WINDOW.as_secs()
                ))
            })
            .map_err(|err| format!("cannot start the capture thread: {err}"))?;
        Ok(Capture {
            interface: iface.name,
            ends: ends_tx,
            thread,
        })
    }

    /// Tells the capture which connection is ours and waits (at most a few seconds) for its
    /// handshake.
    pub fn finish(self, client: SocketAddr, server: SocketAddr) -> Result<Captured, String> {
        let _ = self.ends.send((client, server));
        match self.thread.join() {
            Ok(Ok(segments)) => Ok(Captured {
                interface: self.interface,
                segments,
            }),
            Ok(Err(why)) => Err(why),
            Err(_) => Err("the capture thread failed".into()),
        }
    }
}

/// A handshake captured on an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Interface name.
    pub interface: String,
    /// SYN, SYN-ACK, ACK.
    pub segments: [Segment; 3],
}

/// The captured handshake as a ladder with real and relative numbers.
pub fn render_real(c: &Captured) -> String {
    let mut out = String::new();
    let [syn, syn_ack, _] = &c.segments;
    let (isn_c, isn_s) = (syn.seq, syn_ack.seq);
    let (client, server) = (syn.src, syn.dst);
    // Window scaling applies after the SYNs, and only if both sides offered it.
    let scale = |from_client: bool| match (syn.wscale, syn_ack.wscale) {
        (Some(c), Some(s)) => Some(if from_client { c } else { s }),
        _ => None,
    };
    let _ = writeln!(
        out,
        "REAL packets, captured on {} when this connection was opened:",
        c.interface
    );
    for (i, s) in c.segments.iter().enumerate() {
        let from_client = s.src == syn.src;
        let (own, other) = if from_client {
            (isn_c, isn_s)
        } else {
            (isn_s, isn_c)
        };
        let rel_seq = s.seq.wrapping_sub(own);
        let ack_text = if s.flags & ACK != 0 {
            format!(" Ack={} (relative {})", s.ack, s.ack.wrapping_sub(other))
        } else {
            String::new()
        };
        let window = match scale(from_client) {
            Some(shift) if s.flags & SYN == 0 => format!(
                "{} (x{} window scale = {})",
                s.window,
                1u32.checked_shl(shift.into()).unwrap_or(0),
                u64::from(s.window).checked_shl(shift.into()).unwrap_or(0)
            ),
            _ => s.window.to_string(),
        };
        let _ = writeln!(
            out,
            "  {}  {client} {} {server}  {:<10} Seq={} (relative {rel_seq}){ack_text} Win={window} {}",
            i + 1,
            if from_client { "->" } else { "<-" },
            flag_names(s.flags),
            s.seq,
            s.options
        );
    }
    let _ = writeln!(
        out,
        "  The client chose ISN {isn_c}, the server ISN {isn_s}; each side acknowledges the \
         other's ISN + 1 (a SYN counts as one byte), which is why Wireshark shows Seq=0 then \
         Ack=1."
    );
    out
}

/// The labelled simulation: real socket addresses, example sequence numbers.
pub fn render_simulation(client: SocketAddr, server: SocketAddr, why: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "SIMULATION (not captured: {why})");
    let _ = writeln!(
        out,
        "  The socket addresses are this connection's; the sequence numbers are EXAMPLES (a \
         real stack picks random ISNs):"
    );
    let (x, y) = (1000u32, 5000u32);
    let _ = writeln!(
        out,
        "  1  {client} -> {server}  [SYN]      Seq={x}             (client: \"let's talk, my numbers start at {x}\")"
    );
    let _ = writeln!(
        out,
        "  2  {client} <- {server}  [SYN, ACK] Seq={y} Ack={}   (server: \"ok, mine start at {y}; I expect your byte {}\")",
        x + 1,
        x + 1
    );
    let _ = writeln!(
        out,
        "  3  {client} -> {server}  [ACK]      Seq={} Ack={}   (client: \"I expect your byte {}\")",
        x + 1,
        y + 1,
        y + 1
    );
    let _ = writeln!(
        out,
        "  The kernel did this inside connect() and the server's listen queue, before any \
         command was typed."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SYN 127.0.0.1:40000 -> 127.0.0.1:8888 as captured on lo (zero MACs), with MSS 65495,
    /// SACK_PERM, TS and WS=128 options; tshark reads it the same way (checksums good).
    const SYN_FRAME: &str = "0000000000000000000000000800\
        4500003c0000400040063cba7f0000017f000001\
        9c4022b80000000a00000000a002ffd790fe0000\
        0204ffd70402080a000000010000000001030307";

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len() / 2)
            .filter_map(|i| hex.get(2 * i..2 * i + 2))
            .filter_map(|h| u8::from_str_radix(h, 16).ok())
            .collect()
    }

    fn seg(src: u16, dst: u16, seq: u32, ack: u32, flags: u16) -> Segment {
        Segment {
            src: SocketAddr::from(([127, 0, 0, 1], src)),
            dst: SocketAddr::from(([127, 0, 0, 1], dst)),
            seq,
            ack,
            flags,
            window: 0,
            options: String::new(),
            wscale: None,
            len: 0,
        }
    }

    #[test]
    fn parses_a_hand_built_syn() {
        let got = parse_segment(&bytes(SYN_FRAME));
        let Some(s) = got else {
            panic!("SYN frame not parsed")
        };
        assert_eq!(s.src, SocketAddr::from(([127, 0, 0, 1], 40000)));
        assert_eq!(s.dst, SocketAddr::from(([127, 0, 0, 1], 8888)));
        assert_eq!((s.seq, s.ack, s.flags, s.window), (10, 0, SYN, 65495));
        assert_eq!(s.options, "MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=128");
        assert_eq!(s.wscale, Some(7));
        // Anything shorter is not a segment, and nothing panics.
        let full = bytes(SYN_FRAME);
        for cut in 0..full.len() {
            let _ = parse_segment(full.get(..cut).unwrap_or_default());
        }
    }

    #[test]
    fn finds_only_a_consistent_handshake() {
        let c = SocketAddr::from(([127, 0, 0, 1], 40000));
        let s = SocketAddr::from(([127, 0, 0, 1], 8888));
        let other_syn = seg(40001, 8888, 7, 0, SYN);
        let syn = seg(40000, 8888, u32::MAX, 0, SYN);
        let syn_ack = seg(8888, 40000, 500, 0, SYN | ACK);
        let ack = seg(40000, 8888, 0, 501, ACK);
        let all = [other_syn, syn.clone(), syn_ack.clone(), ack.clone()];
        assert_eq!(
            find_handshake(&all, c, s),
            Some([syn.clone(), syn_ack.clone(), ack.clone()])
        );
        // A wrong ack number is not our handshake.
        let bad = [syn, seg(8888, 40000, 500, 5, SYN | ACK), ack];
        assert_eq!(find_handshake(&bad, c, s), None);
    }

    #[test]
    fn renderings_say_what_they_are() {
        let c = SocketAddr::from(([127, 0, 0, 1], 40000));
        let s = SocketAddr::from(([127, 0, 0, 1], 8888));
        let sim = render_simulation(c, s, "needs root");
        assert!(sim.starts_with("SIMULATION (not captured: needs root)"));
        assert!(sim.contains("127.0.0.1:40000 -> 127.0.0.1:8888"));
        let real = render_real(&Captured {
            interface: "lo".into(),
            segments: [
                seg(40000, 8888, 100, 0, SYN),
                seg(8888, 40000, 900, 101, SYN | ACK),
                seg(40000, 8888, 101, 901, ACK),
            ],
        });
        assert!(real.starts_with("REAL packets, captured on lo"));
        assert!(
            real.contains("Seq=900 (relative 0) Ack=101 (relative 1)"),
            "{real}"
        );
        assert!(
            real.contains("Seq=101 (relative 1) Ack=901 (relative 1)"),
            "{real}"
        );
    }
}

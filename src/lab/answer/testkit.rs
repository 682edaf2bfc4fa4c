//! Test support: scripted TCP and UDP conversations written as real Ethernet frames
//! (etherparse's builder, correct checksums), analysed like a capture file would be.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::time::Duration;

use etherparse::PacketBuilder;

use super::Capture;
use super::facts::{FactsOptions, FileFacts};
use crate::analyse::{Analyzer, Packet};
use crate::frame::{Frame, LinkType};

/// The MAC of 10.0.3.N in the lab.
pub fn mac_of(ip: Ipv4Addr) -> [u8; 6] {
    [2, 0, 0, 0, 3, ip.octets()[3]]
}

/// Frames being written, with their times (seconds).
#[derive(Default)]
pub struct Script {
    frames: Vec<(f64, Vec<u8>)>,
}

/// One TCP connection of a script, keeping both sides' next sequence numbers.
pub struct Conn {
    /// The client.
    pub c: SocketAddrV4,
    /// The server.
    pub s: SocketAddrV4,
    seq_c: u32,
    seq_s: u32,
}

impl Script {
    /// Adds one TCP segment.
    #[allow(clippy::too_many_arguments)]
    fn tcp(
        &mut self,
        t: f64,
        from: SocketAddrV4,
        to: SocketAddrV4,
        seq: u32,
        ack: u32,
        flags: &str,
        data: &[u8],
    ) {
        let mut b = PacketBuilder::ethernet2(mac_of(*from.ip()), mac_of(*to.ip()))
            .ipv4(from.ip().octets(), to.ip().octets(), 64)
            .tcp(from.port(), to.port(), seq, 64240);
        for f in flags.chars() {
            b = match f {
                'S' => b.syn(),
                'A' => b.ack(ack),
                'F' => b.fin(),
                'P' => b.psh(),
                'R' => b.rst(),
                _ => b,
            };
        }
        let mut out = Vec::new();
        b.write(&mut out, data).expect("building a frame");
        self.frames.push((t, out));
    }

    /// Adds one UDP datagram.
    pub fn udp(&mut self, t: f64, from: SocketAddrV4, to: SocketAddrV4, data: &[u8]) {
        let b = PacketBuilder::ethernet2(mac_of(*from.ip()), mac_of(*to.ip()))
            .ipv4(from.ip().octets(), to.ip().octets(), 64)
            .udp(from.port(), to.port());
        let mut out = Vec::new();
        b.write(&mut out, data).expect("building a frame");
        self.frames.push((t, out));
    }

    /// An ARP request, broadcast: `sender` asks who has `target`.
    pub fn arp_request(&mut self, t: f64, sender: Ipv4Addr, target: Ipv4Addr) {
        let mut out = vec![0xff; 6];
        out.extend_from_slice(&mac_of(sender));
        out.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
        out.extend_from_slice(&mac_of(sender));
        out.extend_from_slice(&sender.octets());
        out.extend_from_slice(&[0; 6]);
        out.extend_from_slice(&target.octets());
        self.frames.push((t, out));
    }

    /// SYN, SYN-ACK, ACK at `t`, `t` + 0.1 ms, `t` + 0.2 ms.
    pub fn connect(&mut self, t: f64, c: SocketAddrV4, s: SocketAddrV4) -> Conn {
        let (ic, is) = (1000 + u32::from(c.port()), 5000 + u32::from(c.port()));
        self.tcp(t, c, s, ic, 0, "S", b"");
        self.tcp(t + 0.0001, s, c, is, ic + 1, "SA", b"");
        self.tcp(t + 0.0002, c, s, ic + 1, is + 1, "A", b"");
        Conn {
            c,
            s,
            seq_c: ic + 1,
            seq_s: is + 1,
        }
    }

    /// The client sends `data`; the server's kernel ACKs it 0.1 ms later.
    pub fn send(&mut self, t: f64, k: &mut Conn, data: &[u8]) {
        self.tcp(t, k.c, k.s, k.seq_c, k.seq_s, "PA", data);
        k.seq_c += data.len() as u32;
        self.tcp(t + 0.0001, k.s, k.c, k.seq_s, k.seq_c, "A", b"");
    }

    /// The server replies `data`; the client ACKs it 0.1 ms later.
    pub fn reply(&mut self, t: f64, k: &mut Conn, data: &[u8]) {
        self.tcp(t, k.s, k.c, k.seq_s, k.seq_c, "PA", data);
        k.seq_s += data.len() as u32;
        self.tcp(t + 0.0001, k.c, k.s, k.seq_c, k.seq_s, "A", b"");
    }

    /// The client closes: FIN, the server's FIN-ACK, the client's last ACK.
    pub fn close(&mut self, t: f64, k: &mut Conn) {
        self.tcp(t, k.c, k.s, k.seq_c, k.seq_s, "FA", b"");
        k.seq_c += 1;
        self.tcp(t + 0.0001, k.s, k.c, k.seq_s, k.seq_c, "FA", b"");
        k.seq_s += 1;
        self.tcp(t + 0.0002, k.c, k.s, k.seq_c, k.seq_s, "A", b"");
    }

    /// The frames in time order, analysed into a capture's facts.
    pub fn capture(mut self, name: &str) -> Capture {
        self.frames.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut facts = FileFacts::new(FactsOptions::default());
        let mut analyzer = Analyzer::new();
        let mut p = Packet::default();
        for (i, (t, data)) in self.frames.into_iter().enumerate() {
            let frame = Frame {
                number: i as u64 + 1,
                timestamp: Duration::from_secs(1_700_000_000) + Duration::from_secs_f64(t),
                link_type: LinkType::ETHERNET,
                orig_len: data.len() as u32,
                interface: 0,
                data,
            };
            analyzer.process(&frame, &mut p);
            facts.add(&p, &frame);
        }
        Capture {
            path: PathBuf::from(name),
            facts,
            warnings: Vec::new(),
        }
    }
}

/// `10.0.3.N:port`.
pub fn sa(n: u8, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, n), port)
}

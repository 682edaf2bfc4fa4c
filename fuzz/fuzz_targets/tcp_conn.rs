//! Fuzz target: the sans-IO TCP connection against a hostile server. The input is a script:
//! a few bytes of set-up (the server's ISN, options, window), then actions — segments with any
//! flags, numbers near the expected ones (or anywhere), windows, SACK blocks and data; time
//! jumps; the application writing, reading and closing.
//!
//! Invariants, checked against the script itself (not against the connection's own state):
//! - nothing panics;
//! - no data is ever sent beyond the largest right edge (ACK + scaled window) the server has
//!   ever advertised, except a one-byte zero-window probe;
//! - no ACK covers a byte the server did not send (the FIN counts once all before it came);
//! - the bytes delivered to the application are the server's bytes, in order;
//! - every data byte sent is a byte the application wrote, at its place.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wirelab::craft::tcp_conn::{SegmentIn, SendReason, State, TcpConfig, TcpConnection};
use wirelab::decode::tcp_flags::{ACK, FIN, RST, SYN};
use wirelab::decode::tcp_options::{SackBlocks, TcpOptions};

/// Stream offsets the server may send data at (its data is a function of the offset).
const SPACE: usize = 1 << 16;

fn server_byte(off: usize) -> u8 {
    (off.wrapping_mul(31) ^ (off >> 7)) as u8
}

fn client_byte(off: usize) -> u8 {
    (off.wrapping_mul(17) ^ 0x5a) as u8
}

struct Input<'a> {
    data: &'a [u8],
}

impl Input<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes([self.u8()?, self.u8()?]))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes([
            self.u8()?,
            self.u8()?,
            self.u8()?,
            self.u8()?,
        ]))
    }
}

struct Server {
    isn: u32,
    /// Offsets of data the server has sent.
    sent: Vec<bool>,
    /// The smallest offset not sent.
    contiguous: usize,
    /// Offset of a FIN the server sent.
    fin_at: Option<usize>,
    /// Its window shift, once both sides offered scaling.
    shift: u8,
    /// The largest right edge advertised, relative to our ISN + 1.
    edge: Option<u64>,
}

impl Server {
    fn note_data(&mut self, at: usize, len: usize) {
        for o in at..(at + len).min(SPACE) {
            self.sent[o] = true;
        }
        while self.contiguous < SPACE && self.sent[self.contiguous] {
            self.contiguous += 1;
        }
    }

    /// Largest ACK (relative to the server's ISN + 1) we may send.
    fn ackable(&self) -> u64 {
        let mut a = self.contiguous as u64;
        if self.fin_at == Some(self.contiguous) {
            a += 1;
        }
        a
    }
}

/// With `TRACE` set, the exchange is printed (to read a crash: `TRACE=1 cargo +nightly fuzz
/// run tcp_conn ARTIFACT`).
fn show_in(trace: bool, seg: &SegmentIn<'_>, peer_isn: u32, iss1: u32, c: &TcpConnection) {
    if trace {
        eprintln!(
            "IN  seq={} ack={} flags={:#x} win={} len={} sack={:?} in {:?}",
            seg.seq.wrapping_sub(peer_isn.wrapping_add(1)) as i32,
            seg.ack.wrapping_sub(iss1) as i32,
            seg.flags,
            seg.window,
            seg.payload.len(),
            seg.options.sack.as_slice(),
            c.state()
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let trace = std::env::var_os("TRACE").is_some();
    let mut input = Input { data };
    let Some(isn) = input.u32() else { return };
    let Some(peer_isn) = input.u32() else { return };
    let Some(opts) = input.u8() else { return };
    let Some(ws) = input.u8() else { return };
    let Some(mss) = input.u16() else { return };
    let Some(syn_window) = input.u16() else {
        return;
    };
    let Some(to_write) = input.u16() else { return };

    let mut cfg = TcpConfig::new(40000, 8080, isn, 1460);
    cfg.timestamps = opts & 1 != 0;
    cfg.sack = opts & 2 != 0;
    cfg.recv_buffer = 4096 << (opts >> 5);
    cfg.send_buffer = 1 << 16;
    let mut now = Duration::ZERO;
    let mut c = TcpConnection::connect(cfg, now);

    let mut server = Server {
        isn: peer_isn,
        sent: vec![false; SPACE],
        contiguous: 0,
        fin_at: None,
        shift: 0,
        edge: None,
    };
    let iss1 = isn.wrapping_add(1);
    let mut written = 0usize;
    let mut delivered = 0usize;
    let write = |c: &mut TcpConnection, written: &mut usize, n: usize| {
        let chunk: Vec<u8> = (*written..*written + n).map(client_byte).collect();
        *written += c.write(&chunk);
    };
    write(&mut c, &mut written, usize::from(to_write) % 20_000);
    let mut steps = 0;

    loop {
        // Everything the connection wants to send now, checked.
        let mut out = 0;
        while let Some(seg) = c.poll_transmit(now) {
            out += 1;
            if trace {
                eprintln!(
                    "OUT seq={} ack={} flags={:#x} len={} win={} {:?} (edge {:?})",
                    seg.repr.seq.wrapping_sub(iss1),
                    seg.repr.ack.wrapping_sub(peer_isn.wrapping_add(1)),
                    seg.repr.flags,
                    seg.payload.len(),
                    seg.repr.window,
                    seg.reason,
                    server.edge
                );
            }
            assert!(out < 100_000, "runaway output");
            let r = &seg.repr;
            if r.flags & ACK != 0 && r.flags & RST == 0 {
                let a = u64::from(r.ack.wrapping_sub(peer_isn.wrapping_add(1)));
                assert!(
                    a <= server.ackable(),
                    "acknowledged {a} bytes, the server sent {} in order",
                    server.ackable()
                );
            }
            let len = seg.payload.len();
            if len > 0 {
                let start = u64::from(r.seq.wrapping_sub(iss1));
                let end = start + len as u64;
                assert!(end <= written as u64, "sent bytes never written");
                let probe = seg.reason == SendReason::WindowProbe && len == 1;
                match server.edge {
                    Some(edge) => assert!(
                        end <= edge || probe,
                        "sent up to {end}, beyond the window edge {edge}"
                    ),
                    None => panic!("data sent before any window was advertised"),
                }
                let mut bytes = vec![0u8; len];
                seg.payload.copy_to(&mut bytes);
                for (i, b) in bytes.iter().enumerate() {
                    assert_eq!(*b, client_byte(start as usize + i), "wrong byte sent");
                }
            }
        }
        // What the application got must be the server's bytes, in order.
        let got = c.received();
        for (i, b) in got.iter().enumerate() {
            assert_eq!(*b, server_byte(delivered + i), "wrong byte delivered");
        }
        let n = got.len();
        delivered += n;
        c.consume(n);

        steps += 1;
        if steps > 2000 {
            return;
        }
        let Some(action) = input.u8() else { return };
        match action % 8 {
            0 => {
                // Time passes (up to about a minute).
                let ms = u64::from(input.u16().unwrap_or(0)) % 60_000;
                now += Duration::from_millis(ms);
            }
            1 => {
                // A well-formed SYN-ACK (the first one fixes the window shift).
                let mut o = TcpOptions {
                    mss: Some(mss),
                    ..TcpOptions::default()
                };
                if ws & 0x80 != 0 {
                    o.window_scale = Some(ws & 0x0f);
                }
                o.sack_permitted = opts & 4 != 0;
                if opts & 8 != 0 {
                    o.timestamps = Some((7, 0));
                }
                // The SYN-ACK that completes the handshake fixes the window shift. Its window
                // is not scaled, and counts from our ISN + 1.
                if c.state() == State::SynSent && ws & 0x80 != 0 {
                    server.shift = (ws & 0x0f).min(14);
                }
                let edge = u64::from(syn_window);
                server.edge = Some(server.edge.map_or(edge, |e| e.max(edge)));
                let seg = SegmentIn {
                    seq: peer_isn,
                    ack: iss1,
                    flags: SYN | ACK,
                    window: syn_window,
                    options: o,
                    payload: &[],
                };
                show_in(trace, &seg, peer_isn, iss1, &c);
                c.on_segment(now, &seg);
            }
            2 | 3 | 4 => {
                // A segment with numbers near the expected ones.
                let rel_seq = i32::from(input.u16().unwrap_or(0) as i16);
                let rel_ack = i32::from(input.u16().unwrap_or(0) as i16) * 8;
                // SYN only comes in the SYN-ACK (action 1): a SYN here would move the ISN.
                let mut flags = u16::from(input.u8().unwrap_or(ACK as u8)) & !SYN;
                let window = input.u16().unwrap_or(0);
                let len = usize::from(input.u8().unwrap_or(0)) * 8;
                let sack = input.u8().unwrap_or(0);
                let seq = peer_isn.wrapping_add(1).wrapping_add(rel_seq as u32);
                let ack = iss1.wrapping_add(rel_ack as u32);
                let at = rel_seq.max(0) as usize;
                let payload: Vec<u8> = if rel_seq < 0 {
                    // Before offset 0 is the SYN: no data there, and no FIN.
                    flags &= !FIN;
                    Vec::new()
                } else {
                    (at..at + len).map(server_byte).collect()
                };
                let end = at + payload.len();
                if end > SPACE {
                    continue;
                }
                // One FIN, at one place, with no data beyond it: the server's stream is then
                // well defined.
                if let Some(f) = server.fin_at
                    && (end > f || (flags & FIN != 0 && end != f))
                {
                    continue;
                }
                if flags & FIN != 0 {
                    if server.contiguous > end || server.sent[end..].iter().any(|&b| b) {
                        continue;
                    }
                    server.fin_at = Some(end);
                }
                server.note_data(at, payload.len());
                let payload = &payload[..];
                if flags & ACK != 0 {
                    let edge =
                        u64::from(rel_ack.max(0) as u32) + (u64::from(window) << server.shift);
                    server.edge = Some(server.edge.map_or(edge, |e| e.max(edge)));
                }
                let mut o = TcpOptions::default();
                if sack != 0 {
                    let mut blocks = SackBlocks::default();
                    let l = iss1.wrapping_add(u32::from(sack) * 100);
                    blocks.push(l, l.wrapping_add(u32::from(sack & 0x0f) * 200 + 1));
                    o.sack = blocks;
                }
                if opts & 8 != 0 {
                    o.timestamps = Some((u32::from(window), 0));
                }
                let seg = SegmentIn {
                    seq,
                    ack,
                    flags,
                    window,
                    options: o,
                    payload,
                };
                show_in(trace, &seg, peer_isn, iss1, &c);
                c.on_segment(now, &seg);
            }
            5 => {
                // Anything at all (no data, so "the server's bytes" stay well defined).
                let seg = SegmentIn {
                    seq: input.u32().unwrap_or(0),
                    ack: input.u32().unwrap_or(0),
                    flags: input.u16().unwrap_or(0) & 0x0fff & !FIN & !SYN,
                    window: input.u16().unwrap_or(0),
                    options: TcpOptions::default(),
                    payload: &[],
                };
                // A wild ACK with a wild window may widen the edge the sender is allowed.
                if seg.flags & ACK != 0 {
                    let rel = seg.ack.wrapping_sub(iss1);
                    if rel < (1 << 30) {
                        let edge = u64::from(rel) + (u64::from(seg.window) << server.shift);
                        server.edge = Some(server.edge.map_or(edge, |e| e.max(edge)));
                    }
                }
                show_in(trace, &seg, peer_isn, iss1, &c);
                c.on_segment(now, &seg);
            }
            6 => {
                let n = usize::from(input.u16().unwrap_or(0)) % 8192;
                write(&mut c, &mut written, n);
            }
            _ => {
                if input.u8().unwrap_or(0) & 1 == 1 {
                    c.close();
                } else {
                    c.abort();
                }
            }
        }
        let _ = server.isn;
    }
});

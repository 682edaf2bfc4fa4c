//! TCP headers (RFC 9293): the flag bits and the one [`TcpRepr`], which decoding parses
//! (whole, or cut by the end of the capture) and the builder emits, with its options
//! ([`super::tcp_options`]).
//!
//! The header is written with pnet's `MutableTcpPacket` and `MutableTcpOptionPacket`. The
//! checksum over the IPv4 pseudo-header is [`crate::wire::checksum`] (etherparse's 64-bit-word
//! sum): pnet's `tcp::ipv4_checksum` adds 16-bit words one at a time and took 7 % of a 64 MB
//! transfer's time in `perf` (a test checks both give the same value).
//!
//! Options are laid out as Linux lays them out, so a crafted SYN reads like a kernel's in
//! Wireshark: `MSS, SACK_PERM, TS, NOP, WS` in a SYN (20 bytes), `NOP, NOP, TS` on every other
//! segment once timestamps are agreed (12 bytes), then `NOP, NOP, SACK` when blocks are sent.

use std::net::Ipv4Addr;
use std::ops::Range;

use pnet::packet::tcp::{
    MutableTcpOptionPacket, MutableTcpPacket, TcpOptionNumber, TcpOptionNumbers,
};

use super::checksum::Checksum;
use super::tcp_options;
pub use super::tcp_options::{SackBlocks, TcpOptions};
use super::{BuildError, need};

/// Length of a TCP header without options.
pub const HEADER_LEN: usize = 20;
/// Longest options area (the data offset is 4 bits: 60-byte headers).
pub const MAX_OPTIONS: usize = 40;

/// TCP flag bits of the 12-bit flags field.
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u16 = 0x001;
    /// SYN.
    pub const SYN: u16 = 0x002;
    /// RST.
    pub const RST: u16 = 0x004;
    /// PSH.
    pub const PSH: u16 = 0x008;
    /// ACK.
    pub const ACK: u16 = 0x010;
    /// URG.
    pub const URG: u16 = 0x020;
    /// ECE.
    pub const ECE: u16 = 0x040;
    /// CWR.
    pub const CWR: u16 = 0x080;
    /// AE (formerly NS).
    pub const AE: u16 = 0x100;
    /// The three reserved bits.
    pub const RESERVED: u16 = 0xE00;
}

/// A TCP header: what decoding reads from a frame, and what a sender emits (build one with
/// [`TcpRepr::new`]; the fields only decoding sets — lengths, byte ranges, checksum — are
/// neutral there and [`TcpRepr::emit`] computes its own).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TcpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgement number.
    pub ack: u32,
    /// Header length in bytes (data offset × 4).
    pub header_len: u8,
    /// The 12-bit flags field (see [`tcp_flags`]).
    pub flags: u16,
    /// Raw window field (when sending: already shifted right by the window scale, except in
    /// a SYN).
    pub window: u16,
    /// Checksum field.
    pub checksum: u16,
    /// Urgent pointer.
    pub urgent: u16,
    /// The option values (as far as they were captured; see [`TcpRepr::options_range`]).
    pub options: TcpOptions,
    /// Segment payload length (`tcp.len`) from the IP length; `None` when unknown.
    pub len: Option<u32>,
    /// Bytes of the header (in the frame, or in the reassembled datagram).
    pub range: Range<usize>,
    /// Bytes of the options.
    pub options_range: Range<usize>,
    /// Bytes of the captured payload.
    pub payload: Range<usize>,
    /// Set when the capture ended inside the header (a small snapshot length): how many of
    /// its bytes were captured. Fields past that point read as 0 and options are parsed as
    /// far as they go; tshark keeps the layer and notes "[Packet size limited during
    /// capture]". With fewer than [`TCP_ANALYSED_FROM`] bytes there is no analysis.
    pub cut: Option<u8>,
}

/// Captured TCP header bytes needed for tshark to give the frame a stream and analyse it
/// (ports, sequence and acknowledgement numbers, flags and window).
pub const TCP_ANALYSED_FROM: u8 = 16;

/// The header length a TCP header claims (20 when the data offset is not captured).
pub fn claimed_header_len(seg: &[u8]) -> usize {
    seg.get(12)
        .map_or(20, |b| (usize::from(b >> 4) * 4).max(20))
}

impl TcpRepr {
    /// Parses a TCP header cut by the snapshot length (`seg` is what was captured of it, at
    /// `base` in the frame; `declared` is the IP payload length): the fields the captured bytes
    /// hold, the rest 0, and the options as far as they go (as tshark dissects it); [`TcpRepr::cut`]
    /// says how far the capture went.
    pub fn parse_cut(seg: &[u8], base: usize, declared: usize) -> TcpRepr {
        let be16 = |i: usize| {
            seg.get(i..i + 2)
                .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
        };
        let be32 = |i: usize| {
            seg.get(i..i + 4)
                .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let hl = claimed_header_len(seg);
        let captured = seg.len().min(hl);
        let opts = seg
            .get(20..captured)
            .map_or_else(Default::default, |o| tcp_options::parse(o).0);
        let whole = captured >= usize::from(TCP_ANALYSED_FROM);
        TcpRepr {
            src_port: be16(0),
            dst_port: be16(2),
            seq: be32(4),
            ack: be32(8),
            header_len: if seg.len() > 12 { hl as u8 } else { 0 },
            flags: if seg.len() >= 14 { flags_of(seg) } else { 0 },
            window: be16(14),
            checksum: be16(16),
            urgent: be16(18),
            options: opts,
            len: whole.then(|| declared.saturating_sub(hl) as u32),
            range: base..base + captured,
            options_range: (base + 20).min(base + captured)..base + captured,
            payload: base + captured..base + captured,
            cut: Some(captured.min(255) as u8),
        }
    }
}

/// The 12-bit TCP flags field from bytes 12-13 of a TCP header.
pub fn flags_of_pair(b: &[u8]) -> u16 {
    match b {
        [hi, lo, ..] => (u16::from(hi & 0x0f) << 8) | u16::from(*lo),
        _ => 0,
    }
}

/// The 12-bit TCP flags field from a TCP header's bytes 12-13.
pub fn flags_of(header: &[u8]) -> u16 {
    match (header.get(12), header.get(13)) {
        (Some(&hi), Some(&lo)) => (u16::from(hi & 0x0f) << 8) | u16::from(lo),
        _ => 0,
    }
}

/// Bytes the options take before padding, by option.
fn options_unpadded(o: &TcpOptions) -> usize {
    let mut n = 0;
    if o.mss.is_some() {
        n += 4;
    }
    // SACK_PERM and TS share a word when both are there, as in Linux's SYN.
    n += match (o.sack_permitted, o.timestamps.is_some()) {
        (true, true) => 12,
        (false, true) => 12,
        (true, false) => 4,
        (false, false) => 0,
    };
    if o.window_scale.is_some() {
        n += 4;
    }
    let sacks = o.sack.len().min(max_sack_blocks(o));
    if sacks > 0 {
        n += 4 + 8 * sacks;
    }
    n
}

/// How many SACK blocks fit with the other options.
pub fn max_sack_blocks(o: &TcpOptions) -> usize {
    let mut used = 0;
    if o.mss.is_some() {
        used += 4;
    }
    used += match (o.sack_permitted, o.timestamps.is_some()) {
        (_, true) => 12,
        (true, false) => 4,
        (false, false) => 0,
    };
    if o.window_scale.is_some() {
        used += 4;
    }
    MAX_OPTIONS.saturating_sub(used + 4) / 8
}

impl TcpRepr {
    /// The header a sender chooses: ports, numbers, flags, window and options; the fields
    /// only decoding sets are neutral (0, empty ranges, no cut).
    pub fn new(
        src_port: u16,
        dst_port: u16,
        seq: u32,
        ack: u32,
        flags: u16,
        window: u16,
        options: TcpOptions,
    ) -> Self {
        TcpRepr {
            src_port,
            dst_port,
            seq,
            ack,
            flags,
            window,
            options,
            ..TcpRepr::default()
        }
    }

    /// Maximum segment size option.
    pub fn mss(&self) -> Option<u16> {
        self.options.mss
    }

    /// Window scale option (the shift).
    pub fn window_scale(&self) -> Option<u8> {
        self.options.window_scale
    }

    /// Length of the options area [`TcpRepr::emit`] writes (a multiple of 4).
    pub fn emit_options_len(&self) -> usize {
        options_unpadded(&self.options).div_ceil(4) * 4
    }

    /// Length of the header [`TcpRepr::emit`] writes, options included (the
    /// [`TcpRepr::header_len`] field is what a parsed header claimed).
    pub fn emit_header_len(&self) -> usize {
        HEADER_LEN + self.emit_options_len()
    }

    /// Writes the header over the start of `segment` and the checksum over the pseudo-header
    /// of `src` → `dst` and the whole of `segment`: header, then the payload, which must
    /// already be in place after [`TcpRepr::emit_header_len`] bytes. The data offset,
    /// checksum and urgent pointer are written as a sender writes them (computed, 0).
    pub fn emit(&self, segment: &mut [u8], src: Ipv4Addr, dst: Ipv4Addr) -> Result<(), BuildError> {
        let header_len = self.emit_header_len();
        need("TCP", segment, header_len)?;
        if segment.len() > super::ipv4::MAX_PAYLOAD {
            return Err(BuildError::TooLong {
                layer: "TCP segment in IPv4",
                len: segment.len(),
                max: super::ipv4::MAX_PAYLOAD,
            });
        }
        let Some(mut tcp) = MutableTcpPacket::new(segment) else {
            return Err(BuildError::BufferTooShort {
                layer: "TCP",
                need: header_len,
                have: 0,
            });
        };
        tcp.set_source(self.src_port);
        tcp.set_destination(self.dst_port);
        tcp.set_sequence(self.seq);
        tcp.set_acknowledgement(self.ack);
        tcp.set_data_offset((header_len / 4) as u8);
        tcp.set_reserved(((self.flags >> 8) & 0x0f) as u8);
        tcp.set_flags((self.flags & 0xff) as u8);
        tcp.set_window(self.window);
        tcp.set_checksum(0);
        tcp.set_urgent_ptr(0);
        write_options(&self.options, tcp.get_options_raw_mut());
        drop(tcp);
        let sum = checksum(segment, src, dst);
        segment[16..18].copy_from_slice(&sum.to_be_bytes());
        Ok(())
    }
}

/// The TCP checksum of `segment` (its checksum field zero) from `src` to `dst`: the one's
/// complement of the one's-complement sum over the pseudo-header and the segment.
fn checksum(segment: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
    let len = segment.len() as u16; // bounded by ipv4::MAX_PAYLOAD above
    Checksum::pseudo_ipv4(src, dst, 6, len)
        .add_bytes(segment)
        .value()
}

/// Writes one option at `at` in `area`; returns the position after it.
fn put(area: &mut [u8], at: usize, number: TcpOptionNumber, data: &[u8]) -> usize {
    let len = if number == TcpOptionNumbers::NOP {
        1
    } else {
        2 + data.len()
    };
    let Some(slot) = area.get_mut(at..at + len) else {
        return area.len();
    };
    if let Some(mut opt) = MutableTcpOptionPacket::new(slot) {
        opt.set_number(number);
        if number != TcpOptionNumbers::NOP {
            opt.set_length(&[len as u8]);
            opt.set_data(data);
        }
    }
    at + len
}

/// Writes the options in Linux's order into the options area, NOP-padded.
fn write_options(o: &TcpOptions, area: &mut [u8]) {
    use TcpOptionNumbers::{MSS, NOP, SACK, SACK_PERMITTED, TIMESTAMPS, WSCALE};
    area.fill(1); // NOP padding wherever nothing else is written
    let mut at = 0;
    if let Some(mss) = o.mss {
        at = put(area, at, MSS, &mss.to_be_bytes());
    }
    let ts = o.timestamps.map(|(val, ecr)| {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&val.to_be_bytes());
        b[4..].copy_from_slice(&ecr.to_be_bytes());
        b
    });
    match (o.sack_permitted, ts) {
        (true, Some(ts)) => {
            at = put(area, at, SACK_PERMITTED, &[]);
            at = put(area, at, TIMESTAMPS, &ts);
        }
        (false, Some(ts)) => {
            at = put(area, at, NOP, &[]);
            at = put(area, at, NOP, &[]);
            at = put(area, at, TIMESTAMPS, &ts);
        }
        (true, None) => {
            at = put(area, at, NOP, &[]);
            at = put(area, at, NOP, &[]);
            at = put(area, at, SACK_PERMITTED, &[]);
        }
        (false, None) => {}
    }
    if let Some(ws) = o.window_scale {
        at = put(area, at, NOP, &[]);
        at = put(area, at, WSCALE, &[ws]);
    }
    let blocks = &o.sack.as_slice()[..o.sack.len().min(max_sack_blocks(o))];
    if !blocks.is_empty() {
        let mut data = [0u8; 32];
        for (i, (l, r)) in blocks.iter().enumerate() {
            data[i * 8..i * 8 + 4].copy_from_slice(&l.to_be_bytes());
            data[i * 8 + 4..i * 8 + 8].copy_from_slice(&r.to_be_bytes());
        }
        at = put(area, at, NOP, &[]);
        at = put(area, at, NOP, &[]);
        at = put(area, at, SACK, &data[..blocks.len() * 8]);
    }
    let _ = at;
}

#[cfg(test)]
mod tests {
    use super::tcp_flags::{ACK, SYN};
    use super::*;

    const SRC: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 2);
    const DST: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 1);

    fn syn() -> TcpRepr {
        TcpRepr::new(
            56158,
            10000,
            3_411_723_425,
            0,
            SYN,
            64240,
            TcpOptions {
                mss: Some(1460),
                window_scale: Some(7),
                sack_permitted: true,
                timestamps: Some((1, 0)),
                sack: SackBlocks::default(),
            },
        )
    }

    /// The SYN of `decode/tests.rs` (a Linux SYN, checked by hand there), rebuilt.
    #[test]
    fn a_syn_is_laid_out_as_linux_lays_it_out() {
        let mut seg = [0u8; 40];
        syn().emit(&mut seg, SRC, DST).unwrap();
        assert_eq!(
            seg[..20],
            [
                0xdb, 0x5e, 0x27, 0x10, 0xcb, 0x5a, 0xc4, 0xa1, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0,
                seg[16], seg[17], 0, 0
            ]
        );
        assert_eq!(
            seg[20..],
            [
                0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03,
                0x03, 0x07
            ]
        );
        // The checksum verifies: the one's-complement sum over pseudo-header and segment is 0.
        let mut sum: u32 = 0x0a00 + 0x0302 + 0x0a00 + 0x0301 + 6 + 40;
        for w in seg.chunks(2) {
            sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        assert_eq!(sum, 0xffff);
    }

    /// etherparse's sum gives pnet's checksum, odd lengths and carries included.
    #[test]
    fn the_checksum_equals_pnets() {
        let mut x: u32 = 12345;
        for len in [20usize, 21, 33, 1460, 1461, 65515] {
            let mut seg: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect();
            seg[16] = 0;
            seg[17] = 0;
            let p = pnet::packet::tcp::TcpPacket::new(&seg).unwrap();
            let want = pnet::packet::tcp::ipv4_checksum(&p, &SRC, &DST);
            assert_eq!(checksum(&seg, SRC, DST), want, "length {len}");
        }
    }

    #[test]
    fn options_round_trip_through_the_decoder() {
        let mut r = TcpRepr {
            flags: ACK,
            options: TcpOptions {
                timestamps: Some((7, 9)),
                ..TcpOptions::default()
            },
            ..syn()
        };
        for blocks in 0..=4u32 {
            r.options.sack = SackBlocks::default();
            for b in 0..blocks {
                r.options.sack.push(100 * b, 100 * b + 50);
            }
            let hl = r.emit_header_len();
            assert!(hl <= 60 && hl.is_multiple_of(4));
            let mut seg = vec![0u8; hl];
            r.emit(&mut seg, SRC, DST).unwrap();
            let (got, err) = tcp_options::parse(&seg[20..]);
            assert_eq!(err, None);
            assert_eq!(got.timestamps, Some((7, 9)));
            // With timestamps, at most 3 blocks fit (RFC 2018).
            assert_eq!(got.sack.len(), blocks.min(3) as usize);
        }
        assert_eq!(TcpRepr::default().emit_header_len(), 20);
    }
}

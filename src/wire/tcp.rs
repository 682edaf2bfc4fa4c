//! TCP headers (RFC 9293): the flag bits, the header as decoding reads it (whole, or cut by
//! the end of the capture) and its options ([`super::tcp_options`]).

use std::ops::Range;

use super::tcp_options;

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

/// A TCP header.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Raw window field.
    pub window: u16,
    /// Checksum field.
    pub checksum: u16,
    /// Urgent pointer.
    pub urgent: u16,
    /// Maximum segment size option.
    pub mss: Option<u16>,
    /// Window scale option (the shift).
    pub window_scale: Option<u8>,
    /// Segment payload length (`tcp.len`) from the IP length; `None` when unknown.
    pub len: Option<u32>,
    /// Bytes of the header (in the frame, or in the reassembled datagram).
    pub range: Range<usize>,
    /// Bytes of the options.
    pub options: Range<usize>,
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
        let (mss, ws) = (opts.mss, opts.window_scale);
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
            mss,
            window_scale: ws,
            len: whole.then(|| declared.saturating_sub(hl) as u32),
            range: base..base + captured,
            options: (base + 20).min(base + captured)..base + captured,
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

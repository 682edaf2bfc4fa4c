//! Interim TCP analyzer (replaced by the full tshark-exact one on merge).
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

/// What the decoder knows of one TCP header.
pub struct TcpSegment {
    /// Frame number.
    pub frame: u64,
    /// Timestamp.
    pub time: Duration,
    /// Source.
    pub src: IpAddr,
    /// Destination.
    pub dst: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Raw seq.
    pub seq: u32,
    /// Raw ack.
    pub ack: u32,
    /// Flags.
    pub flags: u16,
    /// Raw window.
    pub window: u16,
    /// tcp.len.
    pub len: Option<u32>,
    /// WS shift.
    pub window_scale: Option<u8>,
}
/// Analysis flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalysisFlags(pub u32);
impl AnalysisFlags {
    /// Field names.
    pub fn field_names(self) -> Vec<&'static str> {
        Vec::new()
    }
}
/// Result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcpAnalysis {
    /// Stream.
    pub stream: u32,
    /// Rel seq.
    pub seq: u32,
    /// Rel ack.
    pub ack: u32,
    /// Next seq.
    pub next_seq: Option<u32>,
    /// Window.
    pub window: u32,
    /// Ack base.
    pub ack_base: Option<u32>,
    /// Flags.
    pub flags: AnalysisFlags,
    /// Dup ack.
    pub dup_ack: Option<(u64, u32)>,
}
impl TcpAnalysis {
    /// Labels.
    pub fn labels(&self) -> String {
        String::new()
    }
}
/// Analyzer.
#[derive(Default)]
pub struct TcpAnalyzer {
    streams: HashMap<(IpAddr, u16, IpAddr, u16), (u32, Option<u32>, Option<u32>)>,
    n: u32,
}
impl TcpAnalyzer {
    /// New.
    pub fn new() -> Self {
        Self::default()
    }
    /// Segment.
    pub fn segment(&mut self, s: &TcpSegment) -> TcpAnalysis {
        let fwd = (s.src, s.src_port) <= (s.dst, s.dst_port);
        let key = if fwd {
            (s.src, s.src_port, s.dst, s.dst_port)
        } else {
            (s.dst, s.dst_port, s.src, s.src_port)
        };
        let n = &mut self.n;
        let e = self.streams.entry(key).or_insert_with(|| {
            *n += 1;
            (*n - 1, None, None)
        });
        let (b_f, b_r) = if fwd { (&mut e.1, &mut e.2) } else { (&mut e.2, &mut e.1) };
        if b_f.is_none() {
            *b_f = Some(if s.flags & 2 != 0 { s.seq } else { s.seq.wrapping_sub(1) });
        }
        if s.flags & 0x10 != 0 && b_r.is_none() {
            *b_r = Some(s.ack.wrapping_sub(1));
        }
        TcpAnalysis {
            stream: e.0,
            seq: s.seq.wrapping_sub(b_f.unwrap_or(0)),
            ack: if s.flags & 0x10 != 0 { s.ack.wrapping_sub(b_r.unwrap_or(0)) } else { s.ack },
            next_seq: None,
            window: u32::from(s.window),
            ack_base: *b_r,
            flags: AnalysisFlags(0),
            dup_ack: None,
        }
    }
    /// Quoted.
    pub fn quoted(&mut self, src: IpAddr, dst: IpAddr, sp: u16, dp: u16) -> u32 {
        let _ = (src, dst, sp, dp);
        0
    }
}

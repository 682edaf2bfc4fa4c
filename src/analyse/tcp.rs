//! TCP conversation tracking and sequence analysis, reproducing TShark 4.0.17 (one pass,
//! default preferences): `tcp.stream` numbering with port reuse, relative seq/ack, the
//! calculated window, and the `tcp.analysis.*` flags with their Info labels.
//!
//! Sans-IO: the caller decodes each TCP header into a [`TcpSegment`] and feeds them in frame
//! order to [`TcpAnalyzer::segment`]; each call returns a [`TcpAnalysis`]. The behaviour follows
//! the rules in `docs/tcp-analysis.md` and, where they are silent, `packet-tcp.c`,
//! quirks included (an unknown value is stored as 0, so a flow whose next sequence number
//! wraps to exactly 0 loses its retransmission checks; a pure ACK after the sender's own data
//! is a Dup ACK; ...). Do not "fix" them: the point is to print what tshark prints.
//!
//! State is kept per conversation only, in a map keyed by the unordered 4-tuple. The one
//! per-segment structure is the count of unacknowledged segments per direction, which tshark
//! caps at 10 000 and which decides whether a SYN or FIN still counts one sequence number
//! (its end numbers are kept in a ring buffer, removed as ACKs pass them).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::IpAddr;
use std::ops::{BitOr, BitOrAssign};
use std::time::Duration;

use super::seq::SeqNumber;
use crate::decode::{TcpRepr, tcp_flags};

/// What the decoder knows of one TCP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSegment {
    /// Frame number (1-based).
    pub frame: u64,
    /// Capture timestamp (since the Unix epoch).
    pub time: Duration,
    /// Source address of the IP header.
    pub src: IpAddr,
    /// Destination address of the IP header.
    pub dst: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgement number (meaningful or not: it is used even when ACK is clear).
    pub ack: u32,
    /// The 12 flag bits: see the associated constants ([`tcp_flags::SYN`], ...).
    pub flags: u16,
    /// Raw 16-bit window field.
    pub window: u16,
    /// `tcp.len` (IP payload length minus the TCP header length); `None` when unknown (a
    /// header quoted in an ICMP error, an unreassembled IP fragment, a length shorter than
    /// the header): then no analysis runs and seq/ack stay raw.
    pub len: Option<u32>,
    /// Shift count of the (last) Window Scale option in this header, if any (unclamped).
    pub window_scale: Option<u8>,
}

impl TcpSegment {
    /// The segment of a decoded TCP header (its fields are taken as they are, not parsed
    /// again), seen in frame `frame` at `time` from `src` to `dst`.
    pub fn from_repr(t: &TcpRepr, frame: u64, time: Duration, src: IpAddr, dst: IpAddr) -> Self {
        TcpSegment {
            frame,
            time,
            src,
            dst,
            src_port: t.src_port,
            dst_port: t.dst_port,
            seq: t.seq,
            ack: t.ack,
            flags: t.flags,
            window: t.window,
            len: t.len,
            window_scale: t.window_scale(),
        }
    }

    fn has(&self, bits: u16) -> bool {
        self.flags & bits != 0
    }
}

/// A set of `tcp.analysis.*` conditions found on one segment (a hand-written bit set).
///
/// Each constant is one tshark analysis flag (`TCP_A_*`). As in tshark,
/// [`RETRANSMISSION`](Self::RETRANSMISSION), [`FAST_RETRANSMISSION`](Self::FAST_RETRANSMISSION)
/// and [`SPURIOUS_RETRANSMISSION`](Self::SPURIOUS_RETRANSMISSION) exclude one another; the
/// field `tcp.analysis.retransmission` is nevertheless set for all three (see
/// [`field_names`](Self::field_names)).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AnalysisFlags(u32);

impl AnalysisFlags {
    /// `[TCP Retransmission]` (a plain one).
    pub const RETRANSMISSION: Self = Self(1 << 0);
    /// `[TCP Fast Retransmission]`.
    pub const FAST_RETRANSMISSION: Self = Self(1 << 1);
    /// `[TCP Spurious Retransmission]`.
    pub const SPURIOUS_RETRANSMISSION: Self = Self(1 << 2);
    /// `[TCP Out-Of-Order]`.
    pub const OUT_OF_ORDER: Self = Self(1 << 3);
    /// `[TCP Previous segment not captured]` (`tcp.analysis.lost_segment`).
    pub const LOST_SEGMENT: Self = Self(1 << 4);
    /// `[TCP ACKed unseen segment]` (`tcp.analysis.ack_lost_segment`).
    pub const ACK_LOST_SEGMENT: Self = Self(1 << 5);
    /// `[TCP Dup ACK f#n]`.
    pub const DUPLICATE_ACK: Self = Self(1 << 6);
    /// `[TCP ZeroWindow]`.
    pub const ZERO_WINDOW: Self = Self(1 << 7);
    /// `[TCP ZeroWindowProbe]`.
    pub const ZERO_WINDOW_PROBE: Self = Self(1 << 8);
    /// `[TCP ZeroWindowProbeAck]`.
    pub const ZERO_WINDOW_PROBE_ACK: Self = Self(1 << 9);
    /// `[TCP Keep-Alive]`.
    pub const KEEP_ALIVE: Self = Self(1 << 10);
    /// `[TCP Keep-Alive ACK]`.
    pub const KEEP_ALIVE_ACK: Self = Self(1 << 11);
    /// `[TCP Window Update]`.
    pub const WINDOW_UPDATE: Self = Self(1 << 12);
    /// `[TCP Window Full]`.
    pub const WINDOW_FULL: Self = Self(1 << 13);
    /// `[TCP Port numbers reused]`.
    pub const REUSED_PORTS: Self = Self(1 << 14);

    /// Every `tcp.analysis.<name>` field this type knows, in the documented order, each with
    /// the flags that make tshark print `1` for it.
    pub const FIELDS: [(&'static str, AnalysisFlags); 15] = [
        (
            "retransmission",
            Self(
                Self::RETRANSMISSION.0
                    | Self::FAST_RETRANSMISSION.0
                    | Self::SPURIOUS_RETRANSMISSION.0,
            ),
        ),
        ("fast_retransmission", Self::FAST_RETRANSMISSION),
        ("spurious_retransmission", Self::SPURIOUS_RETRANSMISSION),
        ("out_of_order", Self::OUT_OF_ORDER),
        ("lost_segment", Self::LOST_SEGMENT),
        ("ack_lost_segment", Self::ACK_LOST_SEGMENT),
        ("duplicate_ack", Self::DUPLICATE_ACK),
        ("zero_window", Self::ZERO_WINDOW),
        ("zero_window_probe", Self::ZERO_WINDOW_PROBE),
        ("zero_window_probe_ack", Self::ZERO_WINDOW_PROBE_ACK),
        ("keep_alive", Self::KEEP_ALIVE),
        ("keep_alive_ack", Self::KEEP_ALIVE_ACK),
        ("window_update", Self::WINDOW_UPDATE),
        ("window_full", Self::WINDOW_FULL),
        ("reused_ports", Self::REUSED_PORTS),
    ];

    /// The empty set.
    pub const fn empty() -> Self {
        Self(0)
    }

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// No flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Every flag of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// At least one flag of `other` is set in `self`.
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// Set the flags of `other`.
    pub fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }

    /// Clear the flags of `other`.
    pub fn remove(&mut self, other: Self) {
        self.0 &= !other.0;
    }

    /// Whether tshark prints `1` for `tcp.analysis.<name>` (`name` without the prefix).
    pub fn has_field(self, name: &str) -> bool {
        Self::FIELDS
            .iter()
            .any(|&(n, f)| n == name && self.intersects(f))
    }

    /// The `tcp.analysis.<name>` fields that tshark prints as `1`, in the order of
    /// [`FIELDS`](Self::FIELDS): retransmission, fast_retransmission, spurious_retransmission,
    /// out_of_order, lost_segment, ack_lost_segment, duplicate_ack, zero_window,
    /// zero_window_probe, zero_window_probe_ack, keep_alive, keep_alive_ack, window_update,
    /// window_full, reused_ports. `retransmission` also appears for fast and spurious ones.
    pub fn field_names(self) -> Vec<&'static str> {
        Self::FIELDS
            .iter()
            .filter(|&&(_, f)| self.intersects(f))
            .map(|&(n, _)| n)
            .collect()
    }
}

impl BitOr for AnalysisFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl BitOrAssign for AnalysisFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for AnalysisFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Exact flags, not the field view: "retransmission" here means a plain one.
        let names = [
            "retransmission",
            "fast_retransmission",
            "spurious_retransmission",
            "out_of_order",
            "lost_segment",
            "ack_lost_segment",
            "duplicate_ack",
            "zero_window",
            "zero_window_probe",
            "zero_window_probe_ack",
            "keep_alive",
            "keep_alive_ack",
            "window_update",
            "window_full",
            "reused_ports",
        ];
        let mut set = f.debug_set();
        for (bit, name) in names.iter().enumerate() {
            if self.0 & (1 << bit) != 0 {
                set.entry(name);
            }
        }
        set.finish()
    }
}

/// What the analysis says about one segment: the numbers tshark shows and its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpAnalysis {
    /// `tcp.stream`.
    pub stream: u32,
    /// `tcp.seq`: relative, or raw when `len` was `None`.
    pub seq: u32,
    /// `tcp.ack`: relative when ACK is set and `len` is known, else the raw field.
    pub ack: u32,
    /// `tcp.nxtseq` (relative), when `len` is known.
    pub next_seq: Option<u32>,
    /// `tcp.window_size`, the calculated window that Info shows as `Win=`.
    pub window: u32,
    /// Base of the other direction, which tshark subtracts from SACK edges (`SLE=`/`SRE=`);
    /// `None` when not set yet (tshark then subtracts 0).
    pub ack_base: Option<u32>,
    /// The analysis flags of this segment.
    pub flags: AnalysisFlags,
    /// `(tcp.analysis.duplicate_ack_frame, tcp.analysis.duplicate_ack_num)` of a Dup ACK.
    pub dup_ack: Option<(u64, u32)>,
}

impl TcpAnalysis {
    /// The Info prefix labels exactly as tshark prints them, each followed by one space,
    /// e.g. `"[TCP Dup ACK 18#1] "` (empty when none).
    pub fn labels(&self) -> String {
        type F = AnalysisFlags;
        let has = |f: F| self.flags.contains(f);
        let mut out = String::new();
        // tshark prepends them, so the visible order is the reverse of its printing order.
        if has(F::ZERO_WINDOW_PROBE_ACK) {
            out.push_str("[TCP ZeroWindowProbeAck] ");
        }
        if has(F::ZERO_WINDOW) {
            out.push_str("[TCP ZeroWindow] ");
        }
        if has(F::ZERO_WINDOW_PROBE) {
            out.push_str("[TCP ZeroWindowProbe] ");
        }
        if let (true, Some((frame, n))) = (has(F::DUPLICATE_ACK), self.dup_ack)
            && n != 0
        {
            out.push_str(&format!("[TCP Dup ACK {frame}#{n}] "));
        }
        let rest = [
            (F::KEEP_ALIVE_ACK, "[TCP Keep-Alive ACK] "),
            (F::KEEP_ALIVE, "[TCP Keep-Alive] "),
            (F::WINDOW_FULL, "[TCP Window Full] "),
            (F::WINDOW_UPDATE, "[TCP Window Update] "),
            (F::ACK_LOST_SEGMENT, "[TCP ACKed unseen segment] "),
            (F::LOST_SEGMENT, "[TCP Previous segment not captured] "),
            (F::OUT_OF_ORDER, "[TCP Out-Of-Order] "),
            (F::SPURIOUS_RETRANSMISSION, "[TCP Spurious Retransmission] "),
            (F::FAST_RETRANSMISSION, "[TCP Fast Retransmission] "),
            (F::RETRANSMISSION, "[TCP Retransmission] "),
            (F::REUSED_PORTS, "[TCP Port numbers reused] "),
        ];
        for (flag, label) in rest {
            if has(flag) {
                out.push_str(label);
            }
        }
        out
    }
}

/// tshark's cap on a direction's list of unacknowledged segments (`TCP_MAX_UNACKED_SEGMENTS`).
const MAX_UNACKED: usize = 10_000;

/// Window scale states besides a shift 0..=14.
const SCALE_UNKNOWN: i8 = -1;
const SCALE_NONE: i8 = -2;

/// tshark's `dupacknum = -1` after an ACKed unseen segment, stored in an unsigned field.
const DUPACKS_UNSEEN: u32 = u32::MAX;

/// End sequence numbers of one direction's segments not yet acknowledged by the other side
/// (tshark's `segments` list, of which only the length matters here).
///
/// Kept sorted in wrapping order while they span less than 2^31, so that an ACK removes a
/// prefix or a suffix in O(removed); otherwise falls back to a linear scan.
#[derive(Debug, Clone, Default)]
struct Unacked {
    ends: VecDeque<u32>,
    unsorted: bool,
}

impl Unacked {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn push(&mut self, end: u32) {
        const HALF: u32 = 1 << 31;
        if let (false, Some(&front), Some(&back)) =
            (self.unsorted, self.ends.front(), self.ends.back())
        {
            let span = back.wrapping_sub(front);
            let off = end.wrapping_sub(front);
            debug_assert!(span < HALF);
            if off < HALF {
                // Within [front, front + 2^31): insert after equal values.
                let pos = self.ends.partition_point(|&e| e.wrapping_sub(front) <= off);
                self.ends.insert(pos, end);
                return;
            }
            if front.wrapping_sub(end) < HALF && back.wrapping_sub(end) < HALF {
                self.ends.push_front(end);
                return;
            }
            self.unsorted = true;
        }
        self.ends.push_back(end);
    }

    /// Remove the segments that `ack` covers: tshark drops a segment when
    /// `(ack - end) as i32 >= 0`, whatever the ACK flag says.
    fn ack(&mut self, ack: u32) {
        let covered = |end: u32| (ack.wrapping_sub(end) as i32) >= 0;
        if self.unsorted {
            self.ends.retain(|&e| !covered(e));
        } else {
            // Sorted and spanning < 2^31: the covered ones form a prefix or a suffix.
            while self.ends.front().is_some_and(|&e| covered(e)) {
                self.ends.pop_front();
            }
            while self.ends.back().is_some_and(|&e| covered(e)) {
                self.ends.pop_back();
            }
        }
        if self.ends.is_empty() {
            self.unsorted = false;
        }
    }
}

/// Analysis state of one direction of a conversation (tshark's `tcp_flow_t`).
#[derive(Debug, Clone)]
struct Flow {
    /// Relative base (`base_seq`), once set.
    base: Option<SeqNumber>,
    /// Highest next sequence number seen; 0 = unknown.
    nextseq: SeqNumber,
    nextseq_time: Duration,
    /// Highest contiguous sequence number to be acknowledged; 0 = unknown.
    maxseqtobeacked: SeqNumber,
    /// Raw ack field of this direction's last segment (ACK flag or not); 0 = none.
    lastack: SeqNumber,
    lastack_time: Duration,
    /// Raw window of the last segment; `u32::MAX` before any.
    window: u32,
    /// -1 unknown, -2 no scaling, else the shift 0..=14.
    win_scale: i8,
    /// Dup-ACK count; `u32::MAX` (tshark's -1 in an unsigned field) after an ACKed unseen
    /// segment, which then also counts as "2 or more" for a fast retransmission.
    dupacks: u32,
    lastnondup_frame: u64,
    last_flags: AnalysisFlags,
    is_first_ack: bool,
    unacked: Unacked,
}

impl Flow {
    fn new() -> Self {
        Flow {
            base: None,
            nextseq: SeqNumber(0),
            nextseq_time: Duration::ZERO,
            maxseqtobeacked: SeqNumber(0),
            lastack: SeqNumber(0),
            lastack_time: Duration::ZERO,
            window: u32::MAX,
            win_scale: SCALE_UNKNOWN,
            dupacks: 0,
            lastnondup_frame: 0,
            last_flags: AnalysisFlags::empty(),
            is_first_ack: false,
            unacked: Unacked::default(),
        }
    }
}

/// One TCP conversation (tshark's `tcp_analysis`).
#[derive(Debug, Clone)]
struct Conversation {
    stream: u32,
    /// Flow 1 is the direction whose source sorts higher (address, then port).
    flows: [Flow; 2],
    /// Time of the most recent pure SYN; zero = none.
    mru_syn: Duration,
    /// Initial RTT in nanoseconds (may be negative if time went backwards); 0 = unknown.
    first_rtt: i128,
}

impl Conversation {
    fn new(stream: u32) -> Self {
        Conversation {
            stream,
            flows: [Flow::new(), Flow::new()],
            mru_syn: Duration::ZERO,
            first_rtt: 0,
        }
    }
}

/// The unordered pair of endpoints that identifies a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ConvKey {
    low: (IpAddr, u16),
    high: (IpAddr, u16),
}

impl ConvKey {
    fn new(a: (IpAddr, u16), b: (IpAddr, u16)) -> Self {
        if a <= b {
            ConvKey { low: a, high: b }
        } else {
            ConvKey { low: b, high: a }
        }
    }
}

/// Whether a segment from `src` to `dst` belongs to flow 1 (tshark: `cmp_address(src, dst)`,
/// then `srcport > dstport` when the addresses are equal).
fn is_flow1(src: IpAddr, dst: IpAddr, src_port: u16, dst_port: u16) -> bool {
    match src.cmp(&dst) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => src_port > dst_port,
    }
}

/// `(fwd, rev)` out of a conversation's two flows.
fn fwd_rev(flows: &mut [Flow; 2], flow1: bool) -> (&mut Flow, &mut Flow) {
    let [one, two] = flows;
    if flow1 { (one, two) } else { (two, one) }
}

fn nanos(t: Duration) -> i128 {
    t.as_nanos() as i128
}

/// `now - then` as tshark computes it: nanoseconds in a `guint64`, so a negative delta
/// becomes huge.
fn elapsed_ns(now: Duration, then: Duration) -> u64 {
    (nanos(now) - nanos(then)) as u64
}

/// Tracks TCP conversations across frames and analyses each segment as tshark does.
#[derive(Debug, Clone, Default)]
pub struct TcpAnalyzer {
    conversations: HashMap<ConvKey, Conversation>,
    next_stream: u32,
}

impl TcpAnalyzer {
    /// An analyzer that has seen no frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rough heap size in bytes: the conversations and their unacknowledged segments.
    pub fn approx_bytes(&self) -> usize {
        self.conversations
            .values()
            .map(|c| {
                std::mem::size_of::<(ConvKey, Conversation)>()
                    + 16
                    + c.flows.iter().map(|f| f.unacked.len() * 4).sum::<usize>()
            })
            .sum()
    }

    /// Number of streams seen so far (the next `tcp.stream` index).
    pub fn stream_count(&self) -> u32 {
        self.next_stream
    }

    /// Stream index for a TCP header quoted inside an ICMP/ICMPv6 error (at least 16 bytes
    /// quoted): finds or creates the conversation, sets no base, runs no analysis (tshark
    /// uses up a stream index for an unseen 4-tuple this way).
    ///
    /// Lookup only: tshark also applies the port-reuse and SYN bookkeeping to a quoted
    /// header, so prefer [`quoted_header`](Self::quoted_header) when the header is at hand.
    pub fn quoted(&mut self, src: IpAddr, dst: IpAddr, src_port: u16, dst_port: u16) -> u32 {
        let key = ConvKey::new((src, src_port), (dst, dst_port));
        let next_stream = &mut self.next_stream;
        self.conversations
            .entry(key)
            .or_insert_with(|| new_conversation(next_stream))
            .stream
    }

    /// Analyse one segment (frames in capture order). The header must be well formed
    /// (data offset of at least 5 words).
    ///
    /// With `len: None` only the header bookkeeping runs (stream lookup and port reuse, SYN
    /// and window-scale tracking, iRTT), as tshark does for a header it cannot size (a first
    /// IPv4 fragment cut by the snap length): seq, ack and window stay raw, and the only
    /// possible flag is `REUSED_PORTS`.
    pub fn segment(&mut self, seg: &TcpSegment) -> TcpAnalysis {
        self.process(seg, seg.len, Stages::ALL)
    }

    /// A TCP header quoted inside an ICMP/ICMPv6 error: `quoted` bytes of it are present and
    /// `header_len` is its data offset in bytes. Returns the `tcp.stream` tshark shows for
    /// the error, or `None` when fewer than 16 bytes are quoted (tshark then creates nothing).
    ///
    /// This is the faithful variant of [`quoted`](Self::quoted): from 16 bytes on, tshark
    /// also applies the port-reuse rules and the SYN/iRTT bookkeeping to the quoted header,
    /// and from 20 bytes on its options (give `seg.window_scale` only if that option lies
    /// within the quoted bytes). `seg.len` is ignored: no analysis runs.
    pub fn quoted_header(
        &mut self,
        seg: &TcpSegment,
        quoted: usize,
        header_len: usize,
    ) -> Option<u32> {
        if quoted < 16 {
            return None;
        }
        let stages = Stages {
            // A bogus header length stops tshark before the SYN bookkeeping.
            bookkeeping: header_len >= 20,
            // The urgent pointer (bytes 18-19) is read before the options.
            options: quoted >= 20 && header_len >= 20,
            // Cut options throw before the window-scale check.
            verify_scaling: quoted >= header_len && header_len >= 20,
        };
        Some(self.process(seg, None, stages).stream)
    }

    /// A header cut by the snapshot length after `captured` bytes (at least 16, the window):
    /// tshark gives it a stream, relative numbers and the analysis state update, but the
    /// capture ends before it prints the analysis, so no flag is shown; options are applied
    /// as far as they were captured (give `seg.window_scale` only then) and the window-scale
    /// check after the options does not run.
    pub fn cut_segment(&mut self, seg: &TcpSegment, captured: usize) -> TcpAnalysis {
        let stages = Stages {
            bookkeeping: captured >= 20,
            options: captured > 20,
            verify_scaling: false,
        };
        let mut a = self.process(seg, seg.len, stages);
        a.flags = AnalysisFlags::empty();
        a.dup_ack = None;
        a
    }

    fn process(&mut self, seg: &TcpSegment, len: Option<u32>, stages: Stages) -> TcpAnalysis {
        let key = ConvKey::new((seg.src, seg.src_port), (seg.dst, seg.dst_port));
        let flow1 = is_flow1(seg.src, seg.dst, seg.src_port, seg.dst_port);
        let syn = seg.has(tcp_flags::SYN);
        let ack_set = seg.has(tcp_flags::ACK);
        let next_stream = &mut self.next_stream;
        let conv = self
            .conversations
            .entry(key)
            .or_insert_with(|| new_conversation(next_stream));

        let mut flags = AnalysisFlags::empty();
        let seq = SeqNumber(seg.seq);

        // Port reuse (spec §2), before any analysis.
        if syn && !ack_set {
            let (fwd, _) = fwd_rev(&mut conv.flows, flow1);
            match fwd.base {
                Some(base) if base != seq => {
                    *conv = new_conversation(next_stream);
                    flags |= AnalysisFlags::REUSED_PORTS;
                }
                // A retransmitted SYN: restore nextseq so it shows as a retransmission.
                Some(_) => fwd.nextseq = fwd.maxseqtobeacked,
                None => {}
            }
        } else if syn && ack_set {
            let (fwd, _) = fwd_rev(&mut conv.flows, flow1);
            if fwd.base.is_some_and(|base| base != seq) {
                fwd.base = Some(seq);
                flags |= AnalysisFlags::REUSED_PORTS;
            }
        }

        let first_rtt = conv.first_rtt;
        let (fwd, rev) = fwd_rev(&mut conv.flows, flow1);
        let mut dup_ack = None;
        let (rel_seq, rel_ack, next_seq, window) = match len {
            Some(len) => {
                analyse(fwd, rev, first_rtt, seg, len, &mut flags, &mut dup_ack);
                let fwd_base = fwd.base.unwrap_or_default();
                let rel_seq = seq - fwd_base;
                let rel_ack = if ack_set {
                    SeqNumber(seg.ack) - rev.base.unwrap_or_default()
                } else {
                    seg.ack
                };
                let syn_fin = u32::from(seg.has(tcp_flags::SYN | tcp_flags::FIN));
                let next_seq = rel_seq.wrapping_add(len).wrapping_add(syn_fin);
                let raw = u32::from(seg.window);
                let window = if syn || fwd.win_scale < 0 {
                    raw
                } else {
                    raw << fwd.win_scale.unsigned_abs()
                };
                (rel_seq, rel_ack, Some(next_seq), window)
            }
            // No analysis, raw numbers, raw window; a port-reuse flag still shows.
            None => (seg.seq, seg.ack, None, u32::from(seg.window)),
        };
        let ack_base = rev.base.map(|b| b.0);

        // After the analysis: SYN bookkeeping, iRTT, then the options (spec §1 step 3-4).
        if stages.bookkeeping {
            if syn {
                if !ack_set {
                    conv.mru_syn = seg.time;
                }
                fwd.is_first_ack = true;
            }
            let pure_ack = ack_set && !syn;
            if pure_ack && !conv.mru_syn.is_zero() && conv.first_rtt == 0 {
                conv.first_rtt = nanos(seg.time) - nanos(conv.mru_syn);
            }
            if pure_ack {
                fwd.is_first_ack = false;
            }
        }
        if let (true, Some(shift)) = (stages.options, seg.window_scale) {
            fwd.win_scale = shift.min(14) as i8;
        }
        if syn && stages.verify_scaling {
            // verify_tcp_window_scaling
            if fwd.win_scale == SCALE_UNKNOWN {
                fwd.win_scale = SCALE_NONE;
                rev.win_scale = SCALE_NONE;
            } else if ack_set && rev.win_scale == SCALE_NONE {
                fwd.win_scale = SCALE_NONE;
            }
        }

        TcpAnalysis {
            stream: conv.stream,
            seq: rel_seq,
            ack: rel_ack,
            next_seq,
            window,
            ack_base,
            flags,
            dup_ack,
        }
    }
}

/// Which parts of tshark's header processing run after the conversation lookup (a header
/// quoted in an ICMP error is cut short by an exception where its bytes end).
#[derive(Debug, Clone, Copy)]
struct Stages {
    /// SYN time, `is_first_ack` and iRTT.
    bookkeeping: bool,
    /// The Window Scale option.
    options: bool,
    /// `verify_tcp_window_scaling` on SYNs.
    verify_scaling: bool,
}

impl Stages {
    const ALL: Stages = Stages {
        bookkeeping: true,
        options: true,
        verify_scaling: true,
    };
}

fn new_conversation(next_stream: &mut u32) -> Conversation {
    let stream = *next_stream;
    *next_stream = next_stream.wrapping_add(1);
    Conversation::new(stream)
}

/// tshark's `tcp_analyze_sequence_number` (spec §3 and §5), on raw numbers.
fn analyse(
    fwd: &mut Flow,
    rev: &mut Flow,
    first_rtt: i128,
    seg: &TcpSegment,
    len: u32,
    ta: &mut AnalysisFlags,
    dup_ack: &mut Option<(u64, u32)>,
) {
    type F = AnalysisFlags;
    let seq = SeqNumber(seg.seq);
    let ack = SeqNumber(seg.ack);
    let win = u32::from(seg.window);
    let now = seg.time;
    let syn = seg.has(tcp_flags::SYN);
    let ack_set = seg.has(tcp_flags::ACK);
    let syn_fin = seg.has(tcp_flags::SYN | tcp_flags::FIN);
    let sfr = seg.has(tcp_flags::SYN | tcp_flags::FIN | tcp_flags::RST);

    // Relative bases (§3).
    if fwd.base.is_none() {
        fwd.base = Some(if syn { seq } else { seq - 1 });
    }
    if rev.base.is_none() && ack_set {
        rev.base = Some(ack - 1);
    }

    // Checks 1-9; a ZeroWindowProbe, Keep-Alive ACK or ZeroWindowProbeAck skips the rest.
    'checks: {
        if len == 1 && seq == fwd.nextseq && rev.window == 0 {
            ta.insert(F::ZERO_WINDOW_PROBE);
            break 'checks;
        }
        if win == 0 && !sfr {
            ta.insert(F::ZERO_WINDOW);
        }
        if !fwd.nextseq.is_zero() && seq.is_after(fwd.nextseq) && !seg.has(tcp_flags::RST) {
            ta.insert(F::LOST_SEGMENT);
        }
        if len <= 1 && seq == fwd.nextseq - 1 && !sfr {
            ta.insert(F::KEEP_ALIVE);
        }
        let same_ack = seq == fwd.nextseq && ack == fwd.lastack && !sfr;
        if len == 0 && win != 0 && win != fwd.window && same_ack {
            ta.insert(F::WINDOW_UPDATE);
        }
        if len > 0 && rev.win_scale != SCALE_UNKNOWN && !sfr {
            let shift = if rev.is_first_ack || rev.win_scale == SCALE_NONE {
                0
            } else {
                rev.win_scale.clamp(0, 14) as u32
            };
            if seq + len == rev.lastack + (rev.window << shift) {
                ta.insert(F::WINDOW_FULL);
            }
        }
        let repeat = len == 0 && win == fwd.window && same_ack;
        if repeat && win != 0 && rev.last_flags.contains(F::KEEP_ALIVE) {
            ta.insert(F::KEEP_ALIVE_ACK);
            break 'checks;
        }
        if repeat && win == 0 && rev.last_flags.contains(F::ZERO_WINDOW_PROBE) {
            ta.insert(F::ZERO_WINDOW_PROBE_ACK);
            break 'checks;
        }
        if repeat && win != 0 {
            fwd.dupacks = if fwd.dupacks == DUPACKS_UNSEEN {
                1
            } else {
                fwd.dupacks.wrapping_add(1)
            };
            ta.insert(F::DUPLICATE_ACK);
            *dup_ack = Some((fwd.lastnondup_frame, fwd.dupacks));
        }
    }

    // 10. A new ack number restarts the dup-ack count.
    if ack != fwd.lastack {
        fwd.lastnondup_frame = seg.frame;
        fwd.dupacks = 0;
    }

    // 11. ACKed unseen segment.
    if ack_set && !rev.maxseqtobeacked.is_zero() && ack.is_after(rev.maxseqtobeacked) {
        if rev.maxseqtobeacked.is_before(rev.nextseq) {
            rev.maxseqtobeacked = rev.nextseq;
            ta.insert(F::ACK_LOST_SEGMENT);
        } else {
            if rev.dupacks == 0 {
                ta.insert(F::ACK_LOST_SEGMENT);
            }
            rev.dupacks = DUPACKS_UNSEEN;
        }
    }

    // 12. Retransmission, fast retransmission, out-of-order, spurious.
    if (len > 0 || syn_fin) && !ta.contains(F::KEEP_ALIVE) {
        let mut stale = !fwd.nextseq.is_zero() && seq.is_before(fwd.nextseq);
        if len > 1 && fwd.nextseq - 1 == seq {
            stale = false;
        }
        let ooo_threshold = if first_rtt == 0 {
            3_000_000
        } else {
            first_rtt as u64
        };
        if len > 0 && !rev.lastack.is_zero() && (seq + len).is_at_or_before(rev.lastack) {
            ta.insert(F::SPURIOUS_RETRANSMISSION);
        } else if stale
            && rev.dupacks >= 2 // also after an ACKed unseen segment (u32::MAX)
            && rev.lastack == seq
            && elapsed_ns(now, rev.lastack_time) < 20_000_000
        {
            ta.insert(F::FAST_RETRANSMISSION);
        } else if stale
            && elapsed_ns(now, fwd.nextseq_time) < ooo_threshold
            && fwd.nextseq != seq + len + u32::from(syn_fin)
        {
            ta.insert(F::OUT_OF_ORDER);
        } else if stale {
            ta.insert(F::RETRANSMISSION);
        }
    }

    // 13. Updates. The SYN/FIN byte counts only while the unacked list has room.
    let mut end = seq + len;
    if (len > 0 || syn_fin) && fwd.unacked.len() < MAX_UNACKED {
        if syn_fin {
            end = end + 1;
        }
        fwd.unacked.push(end.0);
    }
    let probe = ta.contains(F::ZERO_WINDOW_PROBE);
    if (end.is_after(fwd.nextseq) || fwd.nextseq.is_zero()) && !probe {
        fwd.nextseq = end;
        fwd.nextseq_time = now;
    }
    if (seq == fwd.maxseqtobeacked || fwd.maxseqtobeacked.is_zero()) && !probe {
        fwd.maxseqtobeacked = fwd.nextseq;
    }
    fwd.window = win;
    fwd.lastack = ack;
    fwd.lastack_time = now;
    fwd.last_flags = *ta;
    rev.unacked.ack(ack.0);
}

#[cfg(test)]
mod tests {
    //! Scripted conversations: each test sends segments and checks what tshark 4.0.17 prints
    //! for them, as recorded in the reference table (§9) and the §V claims of the spec.
    //! `tests/tcp_analysis_vs_tshark.rs` replays the same kind of scripts through tshark.

    use super::*;
    use std::net::Ipv4Addr;

    type Ep = (IpAddr, u16);

    /// A scripted capture: a clock, a frame counter and the analyzer.
    struct Net {
        an: TcpAnalyzer,
        t: Duration,
        frame: u64,
    }

    /// One analysed segment, with the Info text tshark would start with.
    struct Out {
        seg: TcpSegment,
        an: TcpAnalysis,
    }

    impl Out {
        /// `<labels><sport> → <dport> [<flags>] Seq=.. [Ack=..] Win=.. [Len=..]` (no options).
        fn info(&self) -> String {
            let s = &self.seg;
            let names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];
            let mut flags: Vec<&str> = (0..names.len())
                .filter(|bit| s.flags & (1 << bit) != 0)
                .filter_map(|bit| names.get(bit).copied())
                .collect();
            if s.flags & tcp_flags::RESERVED != 0 {
                flags.push("Reserved");
            }
            let flags = if flags.is_empty() {
                "<None>".to_string()
            } else {
                flags.join(", ")
            };
            let mut out = format!(
                "{}{} → {} [{}] Seq={}",
                self.an.labels(),
                s.src_port,
                s.dst_port,
                flags,
                self.an.seq
            );
            if s.flags & tcp_flags::ACK != 0 {
                out.push_str(&format!(" Ack={}", self.an.ack));
            }
            out.push_str(&format!(" Win={}", self.an.window));
            if let Some(len) = s.len {
                out.push_str(&format!(" Len={len}"));
            }
            out
        }

        fn fields(&self) -> Vec<&'static str> {
            self.an.flags.field_names()
        }
    }

    fn ep(host: u8, port: u16) -> Ep {
        (IpAddr::V4(Ipv4Addr::new(10, 0, 0, host)), port)
    }

    fn flag_bits(letters: &str) -> u16 {
        letters
            .chars()
            .map(|c| match c {
                'F' => tcp_flags::FIN,
                'S' => tcp_flags::SYN,
                'R' => tcp_flags::RST,
                'P' => tcp_flags::PSH,
                'A' => tcp_flags::ACK,
                'U' => tcp_flags::URG,
                'E' => tcp_flags::ECE,
                'C' => tcp_flags::CWR,
                _ => panic!("unknown flag letter {c}"),
            })
            .fold(0, |a, b| a | b)
    }

    impl Net {
        fn new() -> Self {
            Net {
                an: TcpAnalyzer::new(),
                t: Duration::from_secs(1_000),
                frame: 0,
            }
        }

        fn ms(&mut self, ms: u64) -> &mut Self {
            self.t += Duration::from_millis(ms);
            self
        }

        fn segment(
            &self,
            from: Ep,
            to: Ep,
            flags: &str,
            seq: u32,
            ack: u32,
            win: u16,
        ) -> TcpSegment {
            TcpSegment {
                frame: self.frame + 1,
                time: self.t,
                src: from.0,
                dst: to.0,
                src_port: from.1,
                dst_port: to.1,
                seq,
                ack,
                flags: flag_bits(flags),
                window: win,
                len: Some(0),
                window_scale: None,
            }
        }

        fn run(&mut self, seg: TcpSegment) -> Out {
            self.frame = seg.frame;
            let an = self.an.segment(&seg);
            Out { seg, an }
        }

        /// Sends `len` bytes from `from` to `to`.
        #[allow(clippy::too_many_arguments)]
        fn tx(
            &mut self,
            from: Ep,
            to: Ep,
            flags: &str,
            seq: u32,
            ack: u32,
            win: u16,
            len: u32,
        ) -> Out {
            let mut seg = self.segment(from, to, flags, seq, ack, win);
            seg.len = Some(len);
            self.run(seg)
        }

        /// Like `tx`, with a Window Scale option.
        #[allow(clippy::too_many_arguments)]
        fn tx_ws(
            &mut self,
            from: Ep,
            to: Ep,
            flags: &str,
            seq: u32,
            ack: u32,
            win: u16,
            ws: u8,
        ) -> Out {
            let mut seg = self.segment(from, to, flags, seq, ack, win);
            seg.window_scale = Some(ws);
            self.run(seg)
        }

        /// A three-way handshake with ISNs 0 on both sides, 1 ms apart, no options.
        fn handshake(&mut self, c: Ep, s: Ep) {
            self.tx(c, s, "S", 0, 0, 64240, 0);
            self.ms(1).tx(s, c, "SA", 0, 1, 64240, 0);
            self.ms(1).tx(c, s, "A", 1, 1, 64240, 0);
        }
    }

    // --- §9, one test per row (or pair of rows) ----------------------------------------------

    #[test]
    fn syn_with_options_is_plain() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40000), ep(2, 80));
        let o = n.tx_ws(c, s, "S", 1000, 0, 64240, 7);
        assert_eq!(o.info(), "40000 → 80 [SYN] Seq=0 Win=64240 Len=0");
        assert!(o.fields().is_empty());
        assert_eq!(o.an.stream, 0);
        assert_eq!(o.an.next_seq, Some(1));
    }

    #[test]
    fn new_isn_after_fin_reuses_ports_and_same_syn_again_is_retransmission() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40000), ep(2, 80));
        n.tx(c, s, "S", 1000, 0, 64240, 0);
        n.ms(1).tx(s, c, "SA", 5000, 1001, 64240, 0);
        n.ms(1).tx(c, s, "A", 1001, 5001, 64240, 0);
        n.ms(1).tx(c, s, "FA", 1001, 5001, 64240, 0);
        n.ms(1).tx(s, c, "FA", 5001, 1002, 64240, 0);
        n.ms(1).tx(c, s, "A", 1002, 5002, 64240, 0);
        let o = n.ms(1000).tx(c, s, "S", 90000, 0, 64240, 0);
        assert_eq!(
            o.info(),
            "[TCP Port numbers reused] 40000 → 80 [SYN] Seq=0 Win=64240 Len=0"
        );
        assert_eq!(o.fields(), ["reused_ports"]);
        assert_eq!(o.an.stream, 1);
        let o = n.ms(1000).tx(c, s, "S", 90000, 0, 64240, 0);
        assert_eq!(
            o.info(),
            "[TCP Retransmission] 40000 → 80 [SYN] Seq=0 Win=64240 Len=0"
        );
        assert_eq!(o.fields(), ["retransmission"]);
        assert_eq!((o.an.stream, n.an.stream_count()), (1, 2));
    }

    #[test]
    fn reply_to_first_seen_psh_only_frame_is_spurious() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 42000), ep(2, 23));
        // No ACK flag: Ack= is absent and tcp.ack is the raw 999.
        let o = n.tx(c, s, "P", 100, 999, 1000, 5);
        assert_eq!(o.info(), "42000 → 23 [PSH] Seq=1 Win=1000 Len=5");
        assert_eq!(o.an.ack, 999);
        let o = n.ms(1).tx(s, c, "PA", 500, 105, 1000, 10);
        assert_eq!(
            o.info(),
            "[TCP Spurious Retransmission] 23 → 42000 [PSH, ACK] Seq=1 Ack=6 Win=1000 Len=10"
        );
        assert_eq!(o.fields(), ["retransmission", "spurious_retransmission"]);
    }

    #[test]
    fn data_resent_200ms_later_is_retransmission() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1001), ep(2, 7777));
        n.handshake(c, s);
        n.ms(1).tx(c, s, "PA", 1, 1, 64240, 100);
        let o = n.ms(200).tx(c, s, "PA", 1, 1, 64240, 100);
        assert_eq!(
            o.info(),
            "[TCP Retransmission] 1001 → 7777 [PSH, ACK] Seq=1 Ack=1 Win=64240 Len=100"
        );
        assert_eq!(o.fields(), ["retransmission"]);
    }

    #[test]
    fn hole_then_out_of_order_then_dup_acks_then_fast_retransmission() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1003), ep(2, 7777));
        n.handshake(c, s);
        n.frame = 16;
        n.ms(1).tx(c, s, "A", 1, 1, 64240, 100);
        let o = n.ms(1).tx(s, c, "A", 1, 101, 64240, 0);
        assert_eq!(o.seg.frame, 18);
        let o = n.ms(1).tx(c, s, "A", 201, 1, 64240, 100);
        assert_eq!(
            o.info(),
            "[TCP Previous segment not captured] 1003 → 7777 [ACK] Seq=201 Ack=1 Win=64240 Len=100"
        );
        assert_eq!(o.fields(), ["lost_segment"]);
        for k in 1..=3 {
            let o = n.ms(1).tx(s, c, "A", 1, 101, 64240, 0);
            assert_eq!(
                o.info(),
                format!("[TCP Dup ACK 18#{k}] 7777 → 1003 [ACK] Seq=1 Ack=101 Win=64240 Len=0")
            );
            assert_eq!(o.fields(), ["duplicate_ack"]);
            assert_eq!(o.an.dup_ack, Some((18, k)));
        }
        let o = n.ms(1).tx(c, s, "A", 101, 1, 64240, 100);
        assert_eq!(
            o.info(),
            "[TCP Fast Retransmission] 1003 → 7777 [ACK] Seq=101 Ack=1 Win=64240 Len=100"
        );
        assert_eq!(o.fields(), ["retransmission", "fast_retransmission"]);
    }

    #[test]
    fn the_hole_1ms_later_is_out_of_order() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1002), ep(2, 7777));
        n.tx(c, s, "A", 101, 1, 64240, 100); // mid-stream: relative 1
        n.ms(1).tx(c, s, "A", 201, 1, 64240, 100);
        let o = n.ms(1).tx(c, s, "A", 1, 1, 64240, 100);
        assert_eq!(o.an.seq, 4294967197);
        let mut n = Net::new();
        n.tx(c, s, "A", 1, 1, 64240, 100);
        n.ms(1).tx(c, s, "A", 201, 1, 64240, 100);
        let o = n.ms(1).tx(c, s, "A", 101, 1, 64240, 100);
        assert_eq!(
            o.info(),
            "[TCP Out-Of-Order] 1002 → 7777 [ACK] Seq=101 Ack=1 Win=64240 Len=100"
        );
        assert_eq!(o.fields(), ["out_of_order"]);
    }

    #[test]
    fn one_dup_ack_is_out_of_order_and_three_dup_acks_30ms_later_is_retransmission() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1003), ep(2, 7777));
        n.tx(c, s, "A", 1, 1, 64240, 100);
        n.ms(1).tx(c, s, "A", 201, 1, 64240, 100);
        n.tx(s, c, "A", 1, 101, 64240, 0);
        n.tx(s, c, "A", 1, 101, 64240, 0); // Dup ACK #1 only
        let o = n.ms(1).tx(c, s, "A", 101, 1, 64240, 100);
        assert_eq!(o.fields(), ["out_of_order"]);

        let mut n = Net::new();
        n.tx(c, s, "A", 1, 1, 64240, 100);
        n.ms(1).tx(c, s, "A", 201, 1, 64240, 100);
        for _ in 0..4 {
            n.tx(s, c, "A", 1, 101, 64240, 0);
        }
        let o = n.ms(30).tx(c, s, "A", 101, 1, 64240, 100);
        assert_eq!(
            o.info(),
            "[TCP Retransmission] 1003 → 7777 [ACK] Seq=101 Ack=1 Win=64240 Len=100"
        );
    }

    #[test]
    fn two_dup_acks_are_enough_for_fast_retransmission() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1003), ep(2, 7777));
        n.tx(c, s, "A", 1, 1, 64240, 100);
        n.ms(1).tx(c, s, "A", 201, 1, 64240, 100);
        for _ in 0..3 {
            n.tx(s, c, "A", 1, 101, 64240, 0); // the first is not a duplicate
        }
        let o = n.ms(19).tx(c, s, "A", 101, 1, 64240, 100);
        assert_eq!(o.fields(), ["retransmission", "fast_retransmission"]);
    }

    #[test]
    fn zero_window_probe_probe_ack_and_window_update() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1004), ep(2, 7777));
        n.tx(c, s, "A", 1, 1, 64240, 100);
        let o = n.ms(1).tx(s, c, "A", 1, 101, 0, 0);
        assert_eq!(
            o.info(),
            "[TCP ZeroWindow] 7777 → 1004 [ACK] Seq=1 Ack=101 Win=0 Len=0"
        );
        assert_eq!(o.fields(), ["zero_window"]);
        let o = n.ms(1).tx(c, s, "A", 101, 1, 64240, 1);
        assert_eq!(
            o.info(),
            "[TCP ZeroWindowProbe] 1004 → 7777 [ACK] Seq=101 Ack=1 Win=64240 Len=1"
        );
        assert_eq!(o.fields(), ["zero_window_probe"]);
        let o = n.ms(1).tx(s, c, "A", 1, 101, 0, 0);
        assert_eq!(
            o.info(),
            "[TCP ZeroWindowProbeAck] [TCP ZeroWindow] 7777 → 1004 [ACK] Seq=1 Ack=101 Win=0 Len=0"
        );
        assert_eq!(o.fields(), ["zero_window", "zero_window_probe_ack"]);
        let o = n.ms(1).tx(s, c, "A", 1, 101, 8000, 0);
        assert_eq!(
            o.info(),
            "[TCP Window Update] 7777 → 1004 [ACK] Seq=1 Ack=101 Win=8000 Len=0"
        );
        assert_eq!(o.fields(), ["window_update"]);
        // A repeat of the window update is a Dup ACK (§V).
        let o = n.ms(1).tx(s, c, "A", 1, 101, 8000, 0);
        assert_eq!(o.fields(), ["duplicate_ack"]);
    }

    #[test]
    fn keep_alive_and_its_ack() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1005), ep(2, 7777));
        n.tx(c, s, "A", 1, 1, 64240, 100);
        n.ms(1).tx(s, c, "A", 1, 101, 64240, 0);
        let o = n.ms(1).tx(c, s, "A", 100, 1, 64240, 0);
        assert_eq!(
            o.info(),
            "[TCP Keep-Alive] 1005 → 7777 [ACK] Seq=100 Ack=1 Win=64240 Len=0"
        );
        assert_eq!(o.fields(), ["keep_alive"]);
        let o = n.ms(1).tx(s, c, "A", 1, 101, 64240, 0);
        assert_eq!(
            o.info(),
            "[TCP Keep-Alive ACK] 7777 → 1005 [ACK] Seq=1 Ack=101 Win=64240 Len=0"
        );
        assert_eq!(o.fields(), ["keep_alive_ack"]);
        // One byte at nextseq - 1 is a keep-alive too, and not a retransmission.
        let o = n.ms(1).tx(c, s, "A", 100, 1, 64240, 1);
        assert_eq!(o.fields(), ["keep_alive"]);
    }

    #[test]
    fn acked_unseen_segment_is_flagged_once() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1006), ep(2, 7777));
        n.tx(c, s, "A", 1, 1, 64240, 100);
        let o = n.ms(1).tx(s, c, "A", 1, 501, 64240, 0);
        assert_eq!(
            o.info(),
            "[TCP ACKed unseen segment] 7777 → 1006 [ACK] Seq=1 Ack=501 Win=64240 Len=0"
        );
        assert_eq!(o.fields(), ["ack_lost_segment"]);
        let o = n.ms(1).tx(s, c, "A", 1, 601, 64240, 0);
        assert!(o.fields().is_empty());
    }

    #[test]
    fn data_filling_the_window_is_window_full() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1007), ep(2, 7777));
        n.tx(c, s, "S", 10, 0, 64240, 0);
        n.ms(1).tx(s, c, "SA", 0, 11, 300, 0);
        n.ms(1).tx(c, s, "A", 11, 1, 64240, 0);
        n.ms(1).tx(s, c, "A", 1, 11, 300, 0);
        let o = n.ms(1).tx(c, s, "A", 11, 1, 64240, 300);
        assert_eq!(
            o.info(),
            "[TCP Window Full] 1007 → 7777 [ACK] Seq=1 Ack=1 Win=64240 Len=300"
        );
        assert_eq!(o.fields(), ["window_full"]);
    }

    #[test]
    fn pure_ack_right_after_own_data_is_a_dup_ack() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1009), ep(2, 7777));
        n.frame = 61;
        n.tx(c, s, "A", 1, 1, 64240, 100);
        let o = n.ms(1).tx(c, s, "A", 101, 1, 64240, 0);
        assert_eq!(
            o.info(),
            "[TCP Dup ACK 62#1] 1009 → 7777 [ACK] Seq=101 Ack=1 Win=64240 Len=0"
        );
    }

    #[test]
    fn keep_alive_byte_into_zero_window_and_gap_with_zero_window() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1010), ep(2, 7777));
        n.handshake(c, s);
        n.ms(1).tx(c, s, "A", 1, 1, 64240, 100);
        n.ms(1).tx(s, c, "A", 1, 101, 0, 0);
        let o = n.ms(1).tx(c, s, "A", 100, 1, 64240, 1);
        assert_eq!(
            o.info(),
            "[TCP Keep-Alive] [TCP Window Full] 1010 → 7777 [ACK] Seq=100 Ack=1 Win=64240 Len=1"
        );
        assert_eq!(o.fields(), ["keep_alive", "window_full"]);
        let o = n.ms(1).tx(s, c, "A", 201, 101, 0, 0);
        assert_eq!(
            o.info(),
            "[TCP ZeroWindow] [TCP Previous segment not captured] 7777 → 1010 [ACK] Seq=201 Ack=101 Win=0 Len=0"
        );
        assert_eq!(o.fields(), ["lost_segment", "zero_window"]);
    }

    #[test]
    fn mid_stream_older_segment_shows_huge_relative_seq() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 1011), ep(2, 7777));
        let o = n.tx(c, s, "A", 1100, 5000, 64240, 100);
        assert_eq!((o.an.seq, o.an.ack), (1, 1));
        let o = n.ms(100).tx(c, s, "A", 1000, 5000, 64240, 100);
        assert_eq!(
            o.info(),
            "[TCP Retransmission] 1011 → 7777 [ACK] Seq=4294967197 Ack=1 Win=64240 Len=100"
        );
    }

    #[test]
    fn resend_when_raw_nextseq_wrapped_to_zero_is_not_flagged() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 4001), ep(2, 7777));
        n.tx(c, s, "A", u32::MAX - 99, 1, 64240, 100);
        let o = n.ms(100).tx(c, s, "PA", u32::MAX - 99, 1, 64240, 100);
        assert_eq!(
            o.info(),
            "4001 → 7777 [PSH, ACK] Seq=1 Ack=1 Win=64240 Len=100"
        );
        assert!(o.fields().is_empty());
    }

    // --- §2 stream numbering ------------------------------------------------------------------

    #[test]
    fn syn_at_guessed_base_plus_one_starts_a_new_stream() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40002), ep(2, 7777));
        n.tx(c, s, "A", 3000, 77, 1000, 10); // base guessed as 2999
        let o = n.ms(1).tx(c, s, "S", 3000, 0, 1000, 0);
        assert_eq!((o.an.stream, o.an.seq), (1, 0));
        assert_eq!(o.fields(), ["reused_ports"]);
    }

    #[test]
    fn syn_ack_with_new_isn_keeps_the_stream_and_rebases() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40001), ep(2, 7777));
        n.tx(c, s, "S", 100, 0, 1000, 0);
        n.ms(1).tx(s, c, "SA", 700, 101, 1000, 0);
        let o = n.ms(1).tx(s, c, "SA", 900, 101, 1000, 0);
        assert_eq!((o.an.stream, o.an.seq), (0, 0));
        assert!(o.an.flags.contains(AnalysisFlags::REUSED_PORTS));
        assert!(o.info().ends_with(
            "[TCP Port numbers reused] 7777 → 40001 [SYN, ACK] Seq=0 Ack=1 Win=1000 Len=0"
        ));
        let o = n.ms(1).tx(c, s, "A", 101, 901, 1000, 0);
        assert_eq!(o.an.ack, 1);
    }

    #[test]
    fn fin_rst_and_time_do_not_start_a_new_stream() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40003), ep(2, 7777));
        n.tx(c, s, "S", 100, 0, 1000, 0);
        n.ms(1).tx(c, s, "R", 101, 0, 0, 0);
        let o = n.ms(3_600_000).tx(c, s, "A", 101, 1, 1000, 0);
        assert_eq!(o.an.stream, 0);
        // The other side's pure SYN with a new seq does (its base was guessed from the ACK).
        let o = n.ms(1).tx(s, c, "S", 7, 0, 1000, 0);
        assert_eq!(o.an.stream, 1);
        assert_eq!(n.an.stream_count(), 2);
    }

    #[test]
    fn icmp_quotes_of_16_bytes_use_up_a_stream_index_and_8_do_not() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40004), ep(2, 7777));
        let seg = n.segment(c, s, "S", 1, 0, 1000);
        assert_eq!(n.an.quoted_header(&seg, 8, 20), None);
        assert_eq!(n.an.stream_count(), 0);
        assert_eq!(n.an.quoted_header(&seg, 16, 20), Some(0));
        assert_eq!(n.an.quoted(ep(1, 40005).0, s.0, 40005, s.1), 1);
        // Later real frames join those streams; no base was set.
        let o = n.ms(1).tx(ep(1, 40005), s, "S", 55, 0, 1000, 0);
        assert_eq!((o.an.stream, o.an.seq), (1, 0));
        assert!(o.fields().is_empty());
        let o = n.ms(1).tx(c, s, "S", 1, 0, 1000, 0);
        assert_eq!((o.an.stream, o.an.seq), (0, 0));
        assert!(o.fields().is_empty());
    }

    #[test]
    fn same_address_both_ends_splits_directions_by_port() {
        let mut n = Net::new();
        let (c, s) = (ep(9, 40006), ep(9, 7777));
        n.handshake(c, s);
        let o = n.ms(1).tx(c, s, "A", 1, 1, 1000, 5);
        assert_eq!((o.an.seq, o.an.ack, o.an.next_seq), (1, 1, Some(6)));
        let o = n.ms(1).tx(s, c, "A", 1, 6, 1000, 0);
        assert_eq!((o.an.seq, o.an.ack), (1, 6));
        assert!(o.fields().is_empty());
    }

    // --- §3 relative numbers ------------------------------------------------------------------

    #[test]
    fn ack_is_raw_without_the_ack_flag_and_len_none_is_all_raw() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40007), ep(2, 7777));
        let o = n.tx(c, s, "S", 5000, 1234, 1000, 0);
        assert_eq!((o.an.seq, o.an.ack, o.an.ack_base), (0, 1234, None));
        let o = n.ms(1).tx(s, c, "SA", 9000, 5001, 1000, 0);
        assert_eq!((o.an.seq, o.an.ack, o.an.ack_base), (0, 1, Some(5000)));
        let mut seg = n.segment(c, s, "A", 5001, 9001, 1000);
        seg.len = None;
        let o = n.run(seg);
        assert_eq!((o.an.seq, o.an.ack, o.an.next_seq), (5001, 9001, None));
        assert!(o.fields().is_empty());
    }

    // --- §4 window scaling --------------------------------------------------------------------

    #[test]
    fn window_is_scaled_by_the_senders_shift_after_the_syn() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 41000), ep(2, 7777));
        let o = n.tx_ws(c, s, "S", 0, 0, 64240, 7);
        assert_eq!(o.an.window, 64240);
        let o = n.ms(1).tx_ws(s, c, "SA", 0, 1, 65160, 8);
        assert_eq!(o.an.window, 65160);
        let o = n.ms(1).tx(c, s, "A", 1, 1, 502, 0);
        assert_eq!(o.info(), "41000 → 7777 [ACK] Seq=1 Ack=1 Win=64256 Len=0");
        let o = n.ms(1).tx(s, c, "A", 1, 1, 3, 0);
        assert_eq!(o.an.window, 768);
    }

    #[test]
    fn window_scaling_unknown_none_and_clamped() {
        let (c, s) = (ep(1, 41001), ep(2, 7777));
        // Only the client's SYN with WS captured: client scaled, server unknown (raw).
        let mut n = Net::new();
        n.tx_ws(c, s, "S", 0, 0, 1000, 5);
        assert_eq!(n.ms(1).tx(c, s, "A", 1, 1, 10, 0).an.window, 320);
        assert_eq!(n.ms(1).tx(s, c, "A", 1, 1, 10, 0).an.window, 10);
        // A SYN without WS: no scaling either way, even if the SYN-ACK has one.
        let mut n = Net::new();
        n.tx(c, s, "S", 0, 0, 1000, 0);
        n.ms(1).tx_ws(s, c, "SA", 0, 1, 1000, 5);
        assert_eq!(n.ms(1).tx(c, s, "A", 1, 1, 10, 0).an.window, 10);
        assert_eq!(n.ms(1).tx(s, c, "A", 1, 1, 10, 0).an.window, 10);
        // SYN with WS, SYN-ACK without: none.
        let mut n = Net::new();
        n.tx_ws(c, s, "S", 0, 0, 1000, 5);
        n.ms(1).tx(s, c, "SA", 0, 1, 1000, 0);
        assert_eq!(n.ms(1).tx(c, s, "A", 1, 1, 10, 0).an.window, 10);
        // A shift over 14 counts as 14.
        let mut n = Net::new();
        n.tx_ws(c, s, "S", 0, 0, 1000, 15);
        n.ms(1).tx_ws(s, c, "SA", 0, 1, 1000, 14);
        assert_eq!(n.ms(1).tx(c, s, "A", 1, 1, 1, 0).an.window, 16384);
    }

    // --- §5 remaining checks ------------------------------------------------------------------

    #[test]
    fn rst_with_zero_window_is_not_zero_window() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40008), ep(2, 7777));
        n.tx(c, s, "A", 1, 1, 1000, 10);
        let o = n.ms(1).tx(s, c, "RA", 1, 11, 0, 0);
        assert!(o.fields().is_empty());
    }

    #[test]
    fn pure_acks_and_syn_acks_can_follow_a_gap() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40009), ep(2, 7777));
        n.tx(c, s, "A", 1, 1, 1000, 10);
        let o = n.ms(1).tx(c, s, "A", 50, 1, 1000, 0);
        assert_eq!(o.fields(), ["lost_segment"]);
        let mut n = Net::new();
        n.tx(s, c, "A", 1, 1, 1000, 0);
        let o = n.ms(1).tx(s, c, "SA", 9, 1, 1000, 0);
        assert_eq!(o.fields(), ["lost_segment", "reused_ports"]);
        assert_eq!(
            o.info(),
            "[TCP Previous segment not captured] [TCP Port numbers reused] 7777 → 40009 [SYN, ACK] Seq=0 Ack=1 Win=1000 Len=0"
        );
    }

    #[test]
    fn out_of_order_window_is_the_irtt_when_known() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40010), ep(2, 7777));
        n.tx(c, s, "S", 0, 0, 64240, 0);
        n.ms(10).tx(s, c, "SA", 0, 1, 64240, 0);
        n.ms(10).tx(c, s, "A", 1, 1, 64240, 0); // iRTT 20 ms
        n.ms(1).tx(c, s, "A", 101, 1, 64240, 100);
        let o = n.ms(15).tx(c, s, "A", 1, 1, 64240, 100);
        assert_eq!(o.fields(), ["out_of_order"]);
        // Without an iRTT (mid-stream) the window is 3 ms.
        let mut n = Net::new();
        n.tx(c, s, "A", 101, 1, 64240, 100);
        let o = n.ms(15).tx(c, s, "A", 1, 1, 64240, 100);
        assert_eq!(o.fields(), ["retransmission"]);
    }

    #[test]
    fn acked_unseen_segment_makes_the_next_resend_fast() {
        // tshark stores -1 in an unsigned dup-ACK counter, which then passes ">= 2".
        let mut n = Net::new();
        let (c, s) = (ep(1, 40011), ep(2, 7777));
        n.tx(s, c, "A", 1, 1, 1000, 100);
        n.ms(1).tx(s, c, "A", 101, 1, 1000, 100);
        n.ms(1).tx(c, s, "A", 1, 101, 1000, 100);
        let o = n.ms(1).tx(s, c, "A", 201, 501, 1000, 0);
        assert_eq!(o.fields(), ["ack_lost_segment"]);
        let o = n.ms(10).tx(s, c, "A", 101, 1, 1000, 100);
        assert_eq!(o.fields(), ["retransmission", "fast_retransmission"]);
    }

    #[test]
    fn acked_unseen_after_a_hole_moves_the_mark_and_flags_again() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40012), ep(2, 7777));
        n.tx(c, s, "A", 1, 1, 1000, 100);
        n.ms(1).tx(c, s, "A", 201, 1, 1000, 100);
        assert_eq!(
            n.ms(1).tx(s, c, "A", 1, 301, 1000, 0).fields(),
            ["ack_lost_segment"]
        );
        assert_eq!(
            n.ms(1).tx(s, c, "A", 1, 401, 1000, 0).fields(),
            ["ack_lost_segment"]
        );
        assert!(n.ms(1).tx(s, c, "A", 1, 501, 1000, 0).fields().is_empty());
    }

    #[test]
    fn syn_or_fin_stops_counting_after_10000_unacked_segments() {
        let mut n = Net::new();
        let (c, s) = (ep(1, 40013), ep(2, 7777));
        n.tx(c, s, "S", 0, 0, 1000, 0);
        for i in 0..10_000u32 {
            n.tx(c, s, "A", 1 + 10 * i, 1, 1000, 10);
        }
        n.tx(c, s, "FA", 100_001, 1, 1000, 0);
        // The FIN did not advance nextseq, so the next ACK looks like a gap.
        let o = n.tx(c, s, "A", 100_002, 1, 1000, 0);
        assert_eq!(o.fields(), ["lost_segment"]);
        // An ACK from the peer frees the list: the next FIN counts again.
        n.tx(s, c, "A", 1, 50_001, 1000, 0);
        n.tx(c, s, "FA", 100_002, 1, 1000, 0);
        let o = n.tx(c, s, "A", 100_003, 1, 1000, 10);
        assert!(o.fields().is_empty(), "{}", o.info());
    }

    #[test]
    fn syn_stamped_at_time_zero_gives_no_irtt() {
        let mut n = Net::new();
        n.t = Duration::ZERO;
        let (c, s) = (ep(1, 40014), ep(2, 7777));
        n.tx(c, s, "S", 0, 0, 1000, 0);
        n.ms(20).tx(c, s, "A", 1, 1, 1000, 0);
        n.ms(1).tx(c, s, "A", 101, 1, 1000, 100);
        // With an iRTT of 20 ms this would be out-of-order.
        assert_eq!(
            n.ms(10).tx(c, s, "A", 1, 1, 1000, 100).fields(),
            ["retransmission"]
        );
    }

    // --- API details --------------------------------------------------------------------------

    #[test]
    fn field_names_follow_the_documented_order() {
        let all = AnalysisFlags::FIELDS
            .iter()
            .fold(AnalysisFlags::empty(), |a, &(_, f)| a | f);
        let names: Vec<&str> = AnalysisFlags::FIELDS.iter().map(|&(n, _)| n).collect();
        assert_eq!(all.field_names(), names);
        let fast = AnalysisFlags::FAST_RETRANSMISSION;
        assert_eq!(
            fast.field_names(),
            ["retransmission", "fast_retransmission"]
        );
        assert!(fast.has_field("retransmission") && !fast.has_field("out_of_order"));
        assert!(!fast.contains(AnalysisFlags::RETRANSMISSION));
        assert_eq!(format!("{fast:?}"), "{\"fast_retransmission\"}");
    }

    #[test]
    fn labels_come_in_tshark_order() {
        let an = TcpAnalysis {
            stream: 0,
            seq: 0,
            ack: 0,
            next_seq: None,
            window: 0,
            ack_base: None,
            flags: AnalysisFlags::FIELDS
                .iter()
                .fold(AnalysisFlags::empty(), |a, &(_, f)| a | f),
            dup_ack: Some((3, 2)),
        };
        assert_eq!(
            an.labels(),
            "[TCP ZeroWindowProbeAck] [TCP ZeroWindow] [TCP ZeroWindowProbe] [TCP Dup ACK 3#2] \
             [TCP Keep-Alive ACK] [TCP Keep-Alive] [TCP Window Full] [TCP Window Update] \
             [TCP ACKed unseen segment] [TCP Previous segment not captured] [TCP Out-Of-Order] \
             [TCP Spurious Retransmission] [TCP Fast Retransmission] [TCP Retransmission] \
             [TCP Port numbers reused] "
        );
    }

    #[test]
    fn unacked_list_agrees_with_a_plain_multiset() {
        // Random pushes and acks, clustered so that wrap, disorder and the 2^31 edge occur.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32
        };
        for round in 0..200u32 {
            let (mut fast, mut naive) = (Unacked::default(), Vec::new());
            let centre = rand();
            for _ in 0..200 {
                let r = rand();
                let value = match r % 8 {
                    0 => r,                                                // anywhere
                    1 => centre.wrapping_add(1 << 31).wrapping_add(r % 3), // the far side
                    _ => centre.wrapping_add(r % 4000).wrapping_sub(2000), // near
                };
                if r % 3 == 0 || round % 5 == 0 && r % 2 == 0 {
                    fast.ack(value);
                    naive.retain(|&e: &u32| (value.wrapping_sub(e) as i32) < 0);
                } else {
                    fast.push(value);
                    naive.push(value);
                }
                let mut a: Vec<u32> = fast.ends.iter().copied().collect();
                a.sort_unstable();
                naive.sort_unstable();
                assert_eq!(a, naive);
            }
        }
    }

    #[test]
    fn unacked_list_removes_prefixes_suffixes_and_survives_disorder() {
        let mut u = Unacked::default();
        for end in [u32::MAX - 5, 10, 20, 20, 5] {
            u.push(end);
        }
        assert_eq!(u.ends, [u32::MAX - 5, 5, 10, 20, 20]);
        u.ack(10);
        assert_eq!(u.ends, [20, 20]);
        u.push(30 + (1 << 31)); // just under 2^31 before 20: still sorted
        assert_eq!(u.ends, [30 + (1 << 31), 20, 20]);
        u.ack(29 + (1 << 31));
        u.push(20 + (1 << 31)); // exactly 2^31 away: linear mode
        assert!(u.unsorted);
        u.ack(25);
        assert_eq!(u.ends, [20 + (1 << 31)]);
        u.ack(31 + (1 << 31));
        assert!(u.ends.is_empty() && !u.unsorted);
    }
}

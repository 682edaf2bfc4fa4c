//! TCP conversation tracking and sequence analysis, reproducing TShark 4.0.17 (one pass,
//! default preferences): `tcp.stream` numbering with port reuse, relative seq/ack, the
//! calculated window, and the `tcp.analysis.*` flags with their Info labels.
//!
//! Sans-IO: the caller decodes each TCP header into a [`TcpSegment`] and feeds them in frame
//! order to [`TcpAnalyzer::segment`]; each call returns a [`TcpAnalysis`]. The behaviour follows
//! the rules in `docs/src/reference/tcp-rules.md` and, where they are silent, `packet-tcp.c`,
//! quirks included (an unknown value is stored as 0, so a flow whose next sequence number
//! wraps to exactly 0 loses its retransmission checks; a pure ACK after the sender's own data
//! is a Dup ACK; ...). Do not "fix" them: the point is to print what tshark prints.
//!
//! State is kept per conversation only, in a map keyed by the unordered 4-tuple. The one
//! per-segment structure is the count of unacknowledged segments per direction, which tshark
//! caps at 10 000 and which decides whether a SYN or FIN still counts one sequence number
//! (its end numbers are kept in a ring buffer, removed as ACKs pass them).

use std::collections::VecDeque;

use foldhash::HashMap;
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
    /// Are this segment's bytes a repeat of bytes already seen (a retransmission, not a
    /// fast retransmission of a lost segment)? tshark gives such bytes to no dissector.
    pub fn retransmitted_bytes(&self) -> bool {
        (self.flags.has_field("retransmission") && !self.flags.has_field("fast_retransmission"))
            || self.flags.has_field("spurious_retransmission")
    }

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

        // Port reuse (docs/src/reference/tcp-rules.md §2), before any analysis.
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

        // After the analysis: SYN bookkeeping, iRTT, then the options (docs/src/reference/tcp-rules.md §1).
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

/// tshark's `tcp_analyze_sequence_number` (docs/src/reference/tcp-rules.md §3 and §5), on raw numbers.
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
mod tests;

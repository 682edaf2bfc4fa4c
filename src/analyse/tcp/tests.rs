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

    fn segment(&self, from: Ep, to: Ep, flags: &str, seq: u32, ack: u32, win: u16) -> TcpSegment {
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
    fn tx(&mut self, from: Ep, to: Ep, flags: &str, seq: u32, ack: u32, win: u16, len: u32) -> Out {
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
    assert!(
        o.info().ends_with(
            "[TCP Port numbers reused] 7777 → 40001 [SYN, ACK] Seq=0 Ack=1 Win=1000 Len=0"
        )
    );
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

//! Scripted exchanges: a test plays the server segment by segment and checks every segment
//! the connection sends back (numbers, flags, options, reasons) and its state.

use super::*;

const MS: Duration = Duration::from_millis(1);
/// The server's initial sequence number in most scripts.
const PEER_ISN: u32 = 5000;

/// What the connection sent, with its payload copied out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sent {
    repr: TcpRepr,
    data: Vec<u8>,
    reason: SendReason,
}

impl Sent {
    fn seq(&self) -> u32 {
        self.repr.seq
    }
    fn flags(&self) -> u16 {
        self.repr.flags
    }
}

/// A connection and a clock.
struct Script {
    c: TcpConnection,
    now: Duration,
}

fn config() -> TcpConfig {
    let mut cfg = TcpConfig::new(40000, 8080, 1000, 1460);
    // Plain numbers: no timestamps unless a test wants them.
    cfg.timestamps = false;
    cfg
}

impl Script {
    fn new(cfg: TcpConfig) -> Self {
        Script {
            c: TcpConnection::connect(cfg, Duration::ZERO),
            now: Duration::ZERO,
        }
    }

    /// Everything the connection wants to send now.
    fn drain(&mut self) -> Vec<Sent> {
        let mut out = Vec::new();
        while let Some(s) = self.c.poll_transmit(self.now) {
            let mut data = vec![0u8; s.payload.len()];
            s.payload.copy_to(&mut data);
            out.push(Sent {
                repr: s.repr,
                data,
                reason: s.reason,
            });
            assert!(out.len() < 10_000, "runaway output");
        }
        out
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
    }

    /// Moves the clock to the connection's next timer.
    fn skip_to_timer(&mut self) {
        let at = self.c.poll_at().expect("a timer is armed");
        assert!(at >= self.now);
        self.now = at;
    }

    fn seg(&mut self, seq: u32, ack: u32, flags: u16, window: u16, payload: &[u8]) {
        self.seg_opts(seq, ack, flags, window, TcpOptions::default(), payload);
    }

    fn seg_opts(
        &mut self,
        seq: u32,
        ack: u32,
        flags: u16,
        window: u16,
        options: TcpOptions,
        payload: &[u8],
    ) {
        let s = SegmentIn {
            seq,
            ack,
            flags,
            window,
            options,
            payload,
        };
        self.c.on_segment(self.now, &s);
    }

    /// SYN → SYN-ACK (MSS `mss`, no window scaling) → handshake ACK.
    fn establish(&mut self, mss: u16, window: u16) {
        let syn = self.drain();
        assert_eq!(syn.len(), 1);
        self.advance(MS);
        let opts = TcpOptions {
            mss: Some(mss),
            ..TcpOptions::default()
        };
        self.seg_opts(
            PEER_ISN,
            self.c.isn().wrapping_add(1),
            SYN | ACK,
            window,
            opts,
            b"",
        );
        let ack = self.drain();
        assert_eq!(ack[0].reason, SendReason::HandshakeAck);
        assert_eq!(self.c.state(), State::Established);
    }

    /// The client's sequence number for stream byte `off` (0 = first data byte).
    fn cseq(&self, off: u32) -> u32 {
        self.c.isn().wrapping_add(1).wrapping_add(off)
    }
}

fn pseq(off: u32) -> u32 {
    PEER_ISN.wrapping_add(1).wrapping_add(off)
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn handshake_with_all_options_and_the_third_segment() {
    let mut cfg = config();
    cfg.timestamps = true;
    cfg.ts_offset = 100;
    let mut s = Script::new(cfg);
    let syn = s.drain();
    assert_eq!(syn.len(), 1);
    let r = &syn[0].repr;
    assert_eq!(
        (r.src_port, r.dst_port, r.seq, r.flags),
        (40000, 8080, 1000, SYN)
    );
    assert_eq!(r.window, 65535);
    assert_eq!(r.options.mss, Some(1460));
    assert_eq!(r.options.window_scale, Some(7));
    assert!(r.options.sack_permitted);
    assert_eq!(r.options.timestamps, Some((100, 0)));
    assert_eq!(syn[0].reason, SendReason::Syn);
    assert!(s.drain().is_empty());

    s.advance(3 * MS);
    let opts = TcpOptions {
        mss: Some(1400),
        window_scale: Some(9),
        sack_permitted: true,
        timestamps: Some((777, 100)),
        sack: SackBlocks::default(),
    };
    s.seg_opts(PEER_ISN, 1001, SYN | ACK, 65160, opts, b"");
    assert_eq!(s.c.state(), State::Established);
    let ack = s.drain();
    assert_eq!(ack.len(), 1);
    let a = &ack[0].repr;
    assert_eq!((a.seq, a.ack, a.flags), (1001, PEER_ISN + 1, ACK));
    // Our window is now scaled by our shift (7): 256 KiB >> 7 = 2048.
    assert_eq!(a.window, 2048);
    assert_eq!(a.options.timestamps, Some((103, 777)));
    assert_eq!(s.c.stats().handshake(), Some(3 * MS));
    // One RTT sample from the SYN (sent once).
    assert_eq!(s.c.stats().rtt_samples, 1);
    // The peer's MSS, minus the timestamp option.
    assert_eq!(s.c.effective_mss(), 1400 - 12);
    // The SYN-ACK's window is not scaled; the next one is.
    assert_eq!(s.c.peer_window(), 65160);
    s.seg(pseq(0), 1001, ACK, 100, b"");
    assert_eq!(s.c.peer_window(), 100 << 9);
}

#[test]
fn rst_to_the_syn_is_refused_but_a_rst_with_a_wrong_ack_is_ignored() {
    let mut s = Script::new(config());
    s.drain();
    s.seg(0, 999, RST | ACK, 0, b"");
    assert_eq!(s.c.state(), State::SynSent);
    s.seg(0, 1001, RST | ACK, 0, b"");
    assert_eq!(s.c.outcome(), Some(Outcome::Refused));
    assert_eq!(s.c.state(), State::Closed);
    assert!(s.drain().is_empty());
}

#[test]
fn a_syn_ack_for_another_syn_is_answered_with_a_rst() {
    let mut s = Script::new(config());
    s.drain();
    s.seg(PEER_ISN, 4242, SYN | ACK, 1000, b"");
    let out = s.drain();
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].flags(), out[0].seq(), out[0].reason),
        (RST, 4242, SendReason::Rst)
    );
    assert_eq!(s.c.state(), State::SynSent);
}

#[test]
fn unanswered_syn_backs_off_then_times_out() {
    let mut s = Script::new(config());
    assert_eq!(s.drain()[0].reason, SendReason::Syn);
    let mut times = Vec::new();
    for _ in 0..3 {
        s.skip_to_timer();
        let out = s.drain();
        assert_eq!(out.len(), 1);
        assert!(matches!(out[0].reason, SendReason::SynRetransmit { .. }));
        assert_eq!(out[0].seq(), 1000);
        times.push(s.now.as_millis());
    }
    // RFC 6298: 1 s, then doubled each time.
    assert_eq!(times, [1000, 3000, 7000]);
    s.skip_to_timer();
    assert!(s.drain().is_empty());
    assert_eq!(s.now.as_millis(), 15_000);
    assert_eq!(s.c.outcome(), Some(Outcome::TimedOut(TimedOut::Syn)));
}

#[test]
fn lost_syn_ack_means_a_second_syn_and_no_rtt_sample_karn() {
    let mut s = Script::new(config());
    s.drain();
    s.skip_to_timer();
    let again = s.drain();
    assert_eq!(
        again[0].reason,
        SendReason::SynRetransmit {
            rto: Duration::from_secs(1)
        }
    );
    assert_eq!(
        again[0].reason.comment(),
        "handshake SYN again: no SYN-ACK within the RTO of 1000 ms"
    );
    s.advance(MS);
    s.seg(PEER_ISN, 1001, SYN | ACK, 8000, b"");
    assert_eq!(s.c.state(), State::Established);
    // Karn: the SYN-ACK may answer either SYN, so it is no sample.
    assert_eq!(s.c.stats().rtt_samples, 0);
    assert_eq!(s.c.stats().retransmissions, 1);
    assert_eq!(s.c.stats().handshake(), Some(Duration::from_secs(1) + MS));
}

#[test]
fn data_goes_in_segments_of_the_peers_mss_within_its_window() {
    let mut s = Script::new(config());
    s.establish(1000, 3500);
    let msg = data(5000);
    assert_eq!(s.c.write(&msg), 5000);
    let out = s.drain();
    // The window (3500) lets three full segments and a part of one go; but a part segment
    // waits (silly window avoidance) unless it is the rest of the data.
    let lens: Vec<usize> = out.iter().map(|o| o.data.len()).collect();
    assert_eq!(lens, [1000, 1000, 1000]);
    assert!(out.iter().all(|o| o.reason == SendReason::Data));
    assert_eq!(out[0].seq(), s.cseq(0));
    assert_eq!(out[2].seq(), s.cseq(2000));
    assert_eq!(out[0].data, msg[..1000]);
    // The ACK of the first two opens the window for two more.
    s.advance(MS);
    s.seg(pseq(0), s.cseq(2000), ACK, 3500, b"");
    let out = s.drain();
    let lens: Vec<usize> = out.iter().map(|o| o.data.len()).collect();
    assert_eq!(lens, [1000, 1000]);
    assert_eq!(out[1].flags(), ACK | PSH, "the last segment pushes");
    s.seg(pseq(0), s.cseq(5000), ACK, 3500, b"");
    assert!(s.c.all_acked());
    assert_eq!(s.c.stats().bytes_acked, 5000);
}

#[test]
fn a_scaled_window_and_the_congestion_window_both_bound_the_flight() {
    let mut s = Script::new(config());
    s.drain();
    let opts = TcpOptions {
        mss: Some(1000),
        window_scale: Some(4),
        ..TcpOptions::default()
    };
    s.seg_opts(PEER_ISN, 1001, SYN | ACK, 65535, opts, b"");
    s.drain();
    // 60000 << 4: far more than the initial congestion window of 10 segments.
    s.seg(pseq(0), 1001, ACK, 60000, b"");
    assert_eq!(s.c.peer_window(), 960_000);
    s.c.write(&data(50_000));
    let out = s.drain();
    assert_eq!(out.len(), 10, "IW = 10 segments (RFC 6928)");
    // Slow start: each ACK of two segments lets four more go.
    s.seg(pseq(0), s.cseq(2000), ACK, 60000, b"");
    assert_eq!(s.drain().len(), 4);
}

#[test]
fn lost_data_is_sent_again_after_the_rto_and_from_the_first_byte() {
    let mut s = Script::new(config());
    s.establish(1000, 10_000);
    s.c.write(&data(3000));
    let first = s.drain();
    assert_eq!(first.len(), 3);
    // Nothing comes back: the first segment goes again after the RTO, alone (cwnd = 1 MSS).
    s.skip_to_timer();
    let rto = s.drain();
    assert_eq!(rto.len(), 1);
    assert_eq!(rto[0].seq(), s.cseq(0));
    assert_eq!(rto[0].data, first[0].data);
    let SendReason::Retransmit { rto: waited } = rto[0].reason else {
        panic!("{:?}", rto[0].reason)
    };
    // The handshake's 1 ms sample gave the minimum RTO, 200 ms.
    assert_eq!(waited, 200 * MS);
    assert_eq!(rto[0].reason.comment(), "retransmission after RTO 200 ms");
    // The RTO doubled (backoff) and is kept until a fresh sample (Karn).
    assert_eq!(s.c.rto(), 400 * MS);
    s.advance(MS);
    s.seg(pseq(0), s.cseq(1000), ACK, 10_000, b"");
    let rest = s.drain();
    assert_eq!(rest.len(), 2);
    assert!(rest.iter().all(|r| r.reason == SendReason::GoBack));
    assert_eq!(
        s.c.stats().rtt_samples,
        1,
        "only the handshake gave a sample"
    );
    assert_eq!(s.c.stats().timeouts, 1);
    s.seg(pseq(0), s.cseq(3000), ACK, 10_000, b"");
    assert!(s.c.all_acked());
    assert_eq!(s.c.stats().bytes_acked, 3000);
}

#[test]
fn three_duplicate_acks_bring_a_fast_retransmit() {
    let mut s = Script::new(config());
    s.establish(1000, 20_000);
    s.c.write(&data(20_000));
    let out = s.drain();
    assert_eq!(out.len(), 10);
    // Segment 2 is lost; segments 3.. arrive and each brings a duplicate ACK of 1000.
    s.advance(MS);
    s.seg(pseq(0), s.cseq(1000), ACK, 20_000, b"");
    let more = s.drain();
    assert_eq!(more.len(), 2, "slow start after the first ACK");
    for i in 0..2 {
        s.seg(pseq(0), s.cseq(1000), ACK, 20_000, b"");
        let lt = s.drain();
        // Limited transmit (RFC 3042): each of the first two duplicates lets one new
        // segment go, no retransmission yet.
        assert_eq!(lt.len(), 1, "dup ack {i}");
        assert_eq!(lt[0].reason, SendReason::Data, "dup ack {i}");
        assert_eq!(lt[0].seq(), s.cseq(12_000 + 1000 * i));
    }
    s.seg(pseq(0), s.cseq(1000), ACK, 20_000, b"");
    let fast = s.drain();
    assert_eq!(fast[0].reason, SendReason::FastRetransmit);
    assert_eq!(fast[0].seq(), s.cseq(1000));
    assert_eq!(fast[0].data, out[1].data);
    assert_eq!(s.c.stats().fast_retransmits, 1);
    assert_eq!(s.c.stats().dup_acks, 3);
    // 13 segments outstanding: ssthresh = flight / 2 = 6500; cwnd = ssthresh + 3 MSS.
    assert_eq!(s.c.cwnd(), 9500);
    // A partial ACK (up to the next hole at 3000) resends that one too (NewReno).
    s.seg(pseq(0), s.cseq(3000), ACK, 20_000, b"");
    let partial = s.drain();
    assert_eq!(partial[0].reason, SendReason::RecoveryRetransmit);
    assert_eq!(partial[0].seq(), s.cseq(3000));
    // The full ACK ends recovery.
    s.seg(pseq(0), s.cseq(14_000), ACK, 20_000, b"");
    assert!(!s.c.cc.in_recovery);
}

#[test]
fn sack_blocks_show_the_holes_recovery_resends_and_what_it_skips() {
    let mut s = Script::new(config());
    s.drain();
    let opts = TcpOptions {
        mss: Some(1000),
        sack_permitted: true,
        ..TcpOptions::default()
    };
    s.seg_opts(PEER_ISN, 1001, SYN | ACK, 60_000, opts, b"");
    s.drain();
    s.c.write(&data(10_000));
    assert_eq!(s.drain().len(), 10);
    // Segments 1 and 4 (bytes 0-999 and 3000-3999) are lost; the peer SACKs the others.
    let sack = |blocks: &[(u32, u32)]| {
        let mut o = TcpOptions::default();
        for &(l, r) in blocks {
            o.sack.push(l, r);
        }
        o
    };
    let c = |off: u32| 1001u32.wrapping_add(off);
    s.seg_opts(pseq(0), c(0), ACK, 60_000, sack(&[(c(1000), c(3000))]), b"");
    s.seg_opts(
        pseq(0),
        c(0),
        ACK,
        60_000,
        sack(&[(c(1000), c(3000)), (c(4000), c(5000))]),
        b"",
    );
    s.drain(); // limited transmit
    s.seg_opts(
        pseq(0),
        c(0),
        ACK,
        60_000,
        sack(&[(c(1000), c(3000)), (c(4000), c(6000))]),
        b"",
    );
    let fast = s.drain();
    assert_eq!(
        (fast[0].reason, fast[0].seq()),
        (SendReason::FastRetransmit, c(0))
    );
    // The next duplicate: the second hole, which only SACK can tell about.
    s.seg_opts(
        pseq(0),
        c(0),
        ACK,
        60_000,
        sack(&[(c(1000), c(3000)), (c(4000), c(7000))]),
        b"",
    );
    let hole = s.drain();
    assert_eq!(
        (hole[0].reason, hole[0].seq()),
        (SendReason::SackRetransmit, c(3000))
    );
    assert_eq!(
        hole[0].data.len(),
        1000,
        "up to the SACKed range, not into it"
    );
    // After a timeout everything not acknowledged goes again, except the SACKed ranges.
    s.skip_to_timer();
    let rto = s.drain();
    assert_eq!(rto.len(), 1, "cwnd is one segment after a timeout");
    assert_eq!(rto[0].seq(), c(0));
    s.seg_opts(
        pseq(0),
        c(1000),
        ACK,
        60_000,
        sack(&[(c(1000), c(3000)), (c(4000), c(7000))]),
        b"",
    );
    let next: Vec<(u32, usize)> = s.drain().iter().map(|o| (o.seq(), o.data.len())).collect();
    // 1000-2999 and 4000-6999 are SACKed: skipped.
    assert_eq!(next, [(c(3000), 1000), (c(7000), 1000)]);
}

#[test]
fn a_zero_window_is_probed_and_a_window_update_resumes_sending() {
    let mut s = Script::new(config());
    s.establish(1000, 2000);
    s.c.write(&data(5000));
    assert_eq!(s.drain().len(), 2);
    // Both acknowledged, but the window is closed.
    s.advance(MS);
    s.seg(pseq(0), s.cseq(2000), ACK, 0, b"");
    assert!(s.drain().is_empty());
    assert_eq!(s.c.peer_window(), 0);
    // The persist timer sends one byte beyond the closed window.
    s.skip_to_timer();
    let probe = s.drain();
    assert_eq!(probe.len(), 1);
    assert_eq!(probe[0].reason, SendReason::WindowProbe);
    assert_eq!((probe[0].seq(), probe[0].data.len()), (s.cseq(2000), 1));
    // The peer still has no room: it acks nothing new, window still 0; probes back off.
    let t1 = s.now;
    s.seg(pseq(0), s.cseq(2000), ACK, 0, b"");
    s.skip_to_timer();
    assert_eq!(s.drain()[0].reason, SendReason::WindowProbe);
    let t2 = s.now;
    s.seg(pseq(0), s.cseq(2000), ACK, 0, b"");
    s.skip_to_timer();
    s.drain();
    assert!(s.now - t2 > t2 - t1, "backoff");
    // The window update: sending resumes from the first unacknowledged byte.
    s.seg(pseq(0), s.cseq(2000), ACK, 3000, b"");
    let out = s.drain();
    let lens: Vec<usize> = out.iter().map(|o| o.data.len()).collect();
    assert_eq!(lens, [1000, 1000, 1000]);
    assert_eq!(out[0].seq(), s.cseq(2000));
    assert!(s.c.stats().window_probes >= 3);
}

#[test]
fn the_peer_closes_first_then_we_close() {
    let mut s = Script::new(config());
    s.establish(1000, 10_000);
    s.c.write(b"hello");
    s.drain();
    // The server answers, acks, and closes in the same segment.
    s.seg(pseq(0), s.cseq(5), ACK | PSH | FIN, 10_000, b"bye!");
    assert_eq!(s.c.state(), State::CloseWait);
    assert!(s.c.peer_closed());
    assert_eq!(s.c.received(), b"bye!");
    let ack = s.drain();
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0].reason, SendReason::FinAck);
    assert_eq!(ack[0].repr.ack, pseq(5), "data and FIN acknowledged");
    // We close our side: FIN, LAST-ACK, then closed when it is acknowledged.
    s.c.close();
    let fin = s.drain();
    assert_eq!((fin[0].flags(), fin[0].seq()), (FIN | ACK, s.cseq(5)));
    assert_eq!(s.c.state(), State::LastAck);
    s.seg(pseq(5), s.cseq(6), ACK, 10_000, b"");
    assert_eq!(s.c.state(), State::Closed);
    assert_eq!(s.c.outcome(), Some(Outcome::Closed));
}

#[test]
fn we_close_first_and_answer_a_retransmitted_fin_in_time_wait() {
    let mut s = Script::new(config());
    s.establish(1000, 10_000);
    s.c.write(b"abc");
    s.c.close();
    let out = s.drain();
    assert_eq!(out.len(), 2);
    assert_eq!(out[1].reason, SendReason::Fin);
    assert_eq!(out[1].seq(), s.cseq(3));
    assert_eq!(s.c.state(), State::FinWait1);
    s.seg(pseq(0), s.cseq(4), ACK, 10_000, b"");
    assert_eq!(s.c.state(), State::FinWait2);
    s.seg(pseq(0), s.cseq(4), FIN | ACK, 10_000, b"");
    assert_eq!(s.c.state(), State::TimeWait);
    assert_eq!(s.drain()[0].reason, SendReason::FinAck);
    // Our ACK was lost: the FIN comes again and is answered again.
    s.advance(200 * MS);
    s.seg(pseq(0), s.cseq(4), FIN | ACK, 10_000, b"");
    let again = s.drain();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].reason, again[0].repr.ack),
        (SendReason::FinAck, pseq(1))
    );
    s.skip_to_timer();
    s.drain();
    assert_eq!(s.c.outcome(), Some(Outcome::Closed));
}

#[test]
fn a_lost_fin_is_sent_again() {
    let mut s = Script::new(config());
    s.establish(1000, 10_000);
    s.c.close();
    assert_eq!(s.drain()[0].reason, SendReason::Fin);
    s.skip_to_timer();
    let again = s.drain();
    assert_eq!(again.len(), 1);
    assert!(matches!(again[0].reason, SendReason::FinRetransmit { .. }));
    assert_eq!((again[0].flags(), again[0].seq()), (FIN | ACK, s.cseq(0)));
}

#[test]
fn rst_mid_transfer_exact_resets_in_window_gets_a_challenge() {
    let mut s = Script::new(config());
    s.establish(1000, 10_000);
    s.c.write(&data(3000));
    s.drain();
    // In the window but not at RCV.NXT: a challenge ACK, nothing else (RFC 5961).
    s.seg(pseq(100), 0, RST, 0, b"");
    let ch = s.drain();
    assert_eq!(ch[0].reason, SendReason::ChallengeAck);
    assert_eq!(s.c.state(), State::Established);
    // A SYN in a synchronized state: also a challenge ACK.
    s.seg(pseq(0), 0, SYN, 0, b"");
    assert_eq!(s.drain()[0].reason, SendReason::ChallengeAck);
    // Exactly at RCV.NXT: reset.
    s.seg(pseq(0), 0, RST, 0, b"");
    assert_eq!(s.c.outcome(), Some(Outcome::Reset(State::Established)));
    assert!(s.drain().is_empty());
}

#[test]
fn early_segments_are_kept_sacked_and_delivered_in_order() {
    let mut s = Script::new(config());
    s.drain();
    let opts = TcpOptions {
        mss: Some(1000),
        sack_permitted: true,
        ..TcpOptions::default()
    };
    s.seg_opts(PEER_ISN, 1001, SYN | ACK, 10_000, opts, b"");
    s.drain();
    let msg = data(3000);
    // Segment 2 and 3 arrive before segment 1.
    s.seg(pseq(1000), 1001, ACK, 10_000, &msg[1000..2000]);
    let dup = s.drain();
    assert_eq!(dup[0].reason, SendReason::DupAck);
    assert_eq!(dup[0].repr.ack, pseq(0));
    assert_eq!(
        dup[0].repr.options.sack.as_slice(),
        &[(pseq(1000), pseq(2000))]
    );
    s.seg(pseq(2000), 1001, ACK, 10_000, &msg[2000..]);
    let dup = s.drain();
    assert_eq!(
        dup[0].repr.options.sack.as_slice(),
        &[(pseq(1000), pseq(3000))]
    );
    assert!(s.c.received().is_empty());
    s.seg(pseq(0), 1001, ACK, 10_000, &msg[..1000]);
    let ack = s.drain();
    assert_eq!(
        (ack[0].reason, ack[0].repr.ack),
        (SendReason::Ack, pseq(3000))
    );
    assert!(ack[0].repr.options.sack.is_empty());
    assert_eq!(s.c.received(), &msg[..]);
    assert_eq!(s.c.stats().early_segments, 2);
}

#[test]
fn a_fin_before_missing_data_waits_for_it() {
    let mut s = Script::new(config());
    s.establish(1000, 10_000);
    s.seg(pseq(3), 1001, ACK | FIN, 10_000, b"de");
    assert_eq!(s.c.state(), State::Established);
    s.drain();
    s.seg(pseq(0), 1001, ACK, 10_000, b"abc");
    assert_eq!(s.c.received(), b"abcde");
    assert_eq!(s.c.state(), State::CloseWait);
    let ack = s.drain();
    assert_eq!(
        (ack[0].reason, ack[0].repr.ack),
        (SendReason::FinAck, pseq(6))
    );
}

#[test]
fn segments_beyond_our_window_are_cut_and_old_ones_acked_again() {
    let mut cfg = config();
    cfg.recv_buffer = 1000;
    cfg.window_shift = 0;
    let mut s = Script::new(cfg);
    s.establish(1460, 10_000);
    s.seg(pseq(0), 1001, ACK, 10_000, &data(1500));
    assert_eq!(s.c.received().len(), 1000);
    let ack = s.drain();
    assert_eq!((ack[0].repr.ack, ack[0].repr.window), (pseq(1000), 0));
    // The application reads: the window opens and the peer is told.
    s.c.consume(1000);
    let upd = s.drain();
    assert_eq!((upd[0].repr.ack, upd[0].repr.window), (pseq(1000), 1000));
    // An old segment: acknowledged again, not delivered again.
    s.seg(pseq(0), 1001, ACK, 10_000, &data(100));
    assert_eq!(s.drain()[0].reason, SendReason::DupAck);
    assert!(s.c.received().is_empty());
}

#[test]
fn an_ack_of_unsent_data_is_refused() {
    let mut s = Script::new(config());
    s.establish(1000, 10_000);
    s.c.write(b"12345");
    s.drain();
    s.seg(pseq(0), s.cseq(500), ACK, 10_000, b"");
    assert_eq!(s.drain()[0].reason, SendReason::DupAck);
    assert_eq!(s.c.stats().bytes_acked, 0);
    assert!(!s.c.all_acked());
}

#[test]
fn sequence_numbers_wrap_around_on_both_sides() {
    let mut cfg = config();
    cfg.isn = u32::MAX - 1500;
    let mut s = Script::new(cfg);
    s.drain();
    let peer_isn = u32::MAX - 700;
    s.seg_opts(
        peer_isn,
        s.c.isn().wrapping_add(1),
        SYN | ACK,
        30_000,
        TcpOptions {
            mss: Some(1000),
            ..TcpOptions::default()
        },
        b"",
    );
    s.drain();
    let msg = data(4000);
    s.c.write(&msg);
    let out = s.drain();
    let seqs: Vec<u32> = out.iter().map(Sent::seq).collect();
    assert_eq!(
        seqs,
        [u32::MAX - 1499, u32::MAX - 499, 500, 1500],
        "the third segment crosses 2^32"
    );
    let sent: Vec<u8> = out.iter().flat_map(|o| o.data.clone()).collect();
    assert_eq!(sent, msg);
    // The peer's data wraps too.
    let reply = data(2000);
    let p = peer_isn.wrapping_add(1);
    s.seg(p, s.cseq(4000), ACK, 30_000, &reply[..1000]);
    s.seg(
        p.wrapping_add(1000),
        s.cseq(4000),
        ACK,
        30_000,
        &reply[1000..],
    );
    assert_eq!(s.c.received(), &reply[..]);
    let ack = s.drain();
    assert_eq!(ack.last().map(|a| a.repr.ack), Some(p.wrapping_add(2000)));
    assert!(s.c.all_acked());
}

#[test]
fn giving_up_on_data_sends_a_rst() {
    let mut cfg = config();
    cfg.retries = 2;
    let mut s = Script::new(cfg);
    s.establish(1000, 10_000);
    s.c.write(b"x");
    s.drain();
    for _ in 0..2 {
        s.skip_to_timer();
        assert!(matches!(s.drain()[0].reason, SendReason::Retransmit { .. }));
    }
    s.skip_to_timer();
    let out = s.drain();
    assert_eq!(out[0].reason, SendReason::Rst);
    assert_eq!(s.c.outcome(), Some(Outcome::TimedOut(TimedOut::Ack)));
}

#[test]
fn the_rto_follows_the_measured_rtt() {
    let mut s = Script::new(config());
    s.establish(1000, 60_000);
    // The SYN gave 1 ms: RTO = max(200 ms, 1 + 4 * 0.5).
    assert_eq!(s.c.rto(), 200 * MS);
    s.c.write(&data(1000));
    s.drain();
    s.advance(300 * MS);
    s.seg(pseq(0), s.cseq(1000), ACK, 60_000, b"");
    assert_eq!(s.c.stats().rtt_samples, 2);
    assert_eq!(s.c.stats().rtt_max, Some(300 * MS));
    assert!(s.c.rto() > 300 * MS);
}

/// Regression (found by the fuzz target): an ACK older than SND.UNA carried a big window and
/// the sender took it, sending beyond what the peer had really offered.
#[test]
fn an_old_ack_does_not_move_the_window() {
    let mut s = Script::new(config());
    s.drain();
    s.seg(PEER_ISN, 1001, SYN | ACK, 0, b"");
    s.drain();
    s.c.write(&data(100));
    assert!(s.drain().is_empty(), "window 0: nothing goes");
    // ACK = our ISN (older than SND.UNA = ISN + 1), window 39321.
    s.seg(pseq(93), 1000, ACK, 39321, b"");
    assert!(s.drain().iter().all(|o| o.data.is_empty()));
    assert_eq!(s.c.peer_window(), 0);
}

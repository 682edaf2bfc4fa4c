//! Congestion control of RFC 5681 with NewReno fast recovery (RFC 6582): slow start and
//! congestion avoidance with appropriate byte counting (RFC 3465, L = 2 SMSS), fast retransmit
//! on the third duplicate ACK, and the loss window after a timeout. The initial window is
//! RFC 6928's ten segments, as Linux uses.
//!
//! Sequence numbers are relative to nothing in particular: the caller passes [`SeqNumber`]s.

use crate::wire::seq::SeqNumber;

/// The congestion window and its companions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Congestion {
    /// Congestion window in bytes.
    pub cwnd: u32,
    /// Slow start threshold in bytes.
    pub ssthresh: u32,
    /// Sender MSS in bytes.
    mss: u32,
    /// Duplicate ACKs in a row.
    pub dupacks: u32,
    /// In fast recovery.
    pub in_recovery: bool,
    /// One past the highest sequence number sent when recovery (or a timeout) began.
    recover: SeqNumber,
    /// Bytes acknowledged in congestion avoidance since cwnd last grew.
    acked_in_ca: u32,
}

/// What an ACK asks the sender to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckAction {
    /// Nothing special.
    None,
    /// Fast retransmit: resend the first unacknowledged segment (third duplicate ACK).
    FastRetransmit,
    /// A partial ACK in recovery: resend the next unacknowledged segment (NewReno).
    PartialAck,
}

impl Congestion {
    /// The state at the start of a connection: cwnd = IW (RFC 6928), ssthresh unbounded.
    pub fn new(mss: u32, start: SeqNumber) -> Self {
        let mss = mss.max(1);
        Congestion {
            cwnd: (10 * mss).min((2 * mss).max(14_600)),
            ssthresh: u32::MAX,
            mss,
            dupacks: 0,
            in_recovery: false,
            recover: start,
            acked_in_ca: 0,
        }
    }

    /// An ACK of `acked` new bytes, up to `ack`; `flight` is what is outstanding after it.
    pub fn on_new_ack(&mut self, acked: u32, ack: SeqNumber, flight: u32) -> AckAction {
        self.dupacks = 0;
        if self.in_recovery {
            if ack.is_before(self.recover) {
                // Partial ACK: deflate by what was acked, add one MSS back if that was a full one.
                self.cwnd = self.cwnd.saturating_sub(acked);
                if acked >= self.mss {
                    self.cwnd = self.cwnd.saturating_add(self.mss);
                }
                self.cwnd = self.cwnd.max(self.mss);
                return AckAction::PartialAck;
            }
            // Full ACK: leave recovery with cwnd = min(ssthresh, FlightSize + SMSS).
            self.in_recovery = false;
            self.cwnd = self.ssthresh.min(flight.max(self.mss) + self.mss);
            self.acked_in_ca = 0;
            return AckAction::None;
        }
        if self.cwnd < self.ssthresh {
            self.cwnd = self.cwnd.saturating_add(acked.min(2 * self.mss));
        } else {
            self.acked_in_ca = self.acked_in_ca.saturating_add(acked);
            if self.acked_in_ca >= self.cwnd {
                self.acked_in_ca -= self.cwnd;
                self.cwnd = self.cwnd.saturating_add(self.mss);
            }
        }
        AckAction::None
    }

    /// A duplicate ACK of `ack` while `flight` bytes are outstanding up to `snd_max`.
    pub fn on_dup_ack(&mut self, ack: SeqNumber, flight: u32, snd_max: SeqNumber) -> AckAction {
        self.dupacks = self.dupacks.saturating_add(1);
        if self.in_recovery {
            // Each further duplicate means one more segment has left the network.
            self.cwnd = self.cwnd.saturating_add(self.mss);
            return AckAction::None;
        }
        // RFC 6582 (4.1): no fast retransmit for losses older than the last recovery/timeout.
        if self.dupacks == 3 && !ack.is_before(self.recover) {
            self.ssthresh = (flight / 2).max(2 * self.mss);
            self.cwnd = self.ssthresh + 3 * self.mss;
            self.recover = snd_max;
            self.in_recovery = true;
            return AckAction::FastRetransmit;
        }
        AckAction::None
    }

    /// A retransmission timeout with `flight` bytes outstanding up to `snd_max` (RFC 5681 (4)).
    pub fn on_timeout(&mut self, flight: u32, snd_max: SeqNumber) {
        self.ssthresh = (flight / 2).max(2 * self.mss);
        self.cwnd = self.mss;
        self.in_recovery = false;
        self.dupacks = 0;
        self.recover = snd_max;
        self.acked_in_ca = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: u32 = 1000;

    #[test]
    fn initial_window_slow_start_then_avoidance() {
        let mut c = Congestion::new(MSS, SeqNumber(0));
        assert_eq!(c.cwnd, 10 * MSS);
        // Slow start: an ACK of two segments grows cwnd by two MSS (L = 2 SMSS).
        c.on_new_ack(2 * MSS, SeqNumber(2000), 0);
        assert_eq!(c.cwnd, 12 * MSS);
        // ...but a stretch ACK of ten segments still only by two.
        c.on_new_ack(10 * MSS, SeqNumber(12_000), 0);
        assert_eq!(c.cwnd, 14 * MSS);
        c.ssthresh = c.cwnd;
        // Congestion avoidance: one MSS per cwnd of acked bytes.
        c.on_new_ack(13 * MSS, SeqNumber(25_000), 0);
        assert_eq!(c.cwnd, 14 * MSS);
        c.on_new_ack(MSS, SeqNumber(26_000), 0);
        assert_eq!(c.cwnd, 15 * MSS);
    }

    #[test]
    fn third_dup_ack_starts_newreno_recovery() {
        let mut c = Congestion::new(MSS, SeqNumber(0));
        let flight = 8 * MSS;
        let ack = SeqNumber(1000);
        let high = SeqNumber(9000);
        assert_eq!(c.on_dup_ack(ack, flight, high), AckAction::None);
        assert_eq!(c.on_dup_ack(ack, flight, high), AckAction::None);
        assert_eq!(c.on_dup_ack(ack, flight, high), AckAction::FastRetransmit);
        assert_eq!((c.ssthresh, c.cwnd), (4 * MSS, 7 * MSS));
        // Inflation per further duplicate.
        c.on_dup_ack(ack, flight, high);
        assert_eq!(c.cwnd, 8 * MSS);
        // A partial ACK (below `recover`) asks for the next hole and deflates.
        assert_eq!(
            c.on_new_ack(2 * MSS, SeqNumber(3000), 6 * MSS),
            AckAction::PartialAck
        );
        assert_eq!(c.cwnd, 7 * MSS);
        // The full ACK ends recovery at min(ssthresh, flight + MSS).
        assert_eq!(c.on_new_ack(6 * MSS, high, 0), AckAction::None);
        assert!(!c.in_recovery);
        assert_eq!(c.cwnd, 2 * MSS);
    }

    #[test]
    fn timeout_gives_the_loss_window_and_no_fast_retransmit_for_older_data() {
        let mut c = Congestion::new(MSS, SeqNumber(0));
        c.on_timeout(10 * MSS, SeqNumber(10_000));
        assert_eq!((c.cwnd, c.ssthresh), (MSS, 5 * MSS));
        // Duplicates about data sent before the timeout do not trigger fast retransmit.
        for _ in 0..5 {
            assert_eq!(
                c.on_dup_ack(SeqNumber(2000), MSS, SeqNumber(10_000)),
                AckAction::None
            );
        }
    }
}

//! The retransmission timer of RFC 6298: smoothed RTT and its variation from samples, the RTO
//! derived from them, and exponential backoff after a timeout. Karn's rule (no sample from a
//! retransmitted segment, keep the backed-off RTO until a fresh sample) is the caller's part:
//! it only feeds samples of segments sent once.

use std::time::Duration;

/// Clock granularity G of RFC 6298 (the TCP timestamps tick in milliseconds).
pub const GRANULARITY: Duration = Duration::from_millis(1);

/// SRTT, RTTVAR and the RTO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    /// RTO from the estimate, before backoff.
    base: Duration,
    /// Timeouts since the last fresh sample (each doubles the RTO).
    backoff: u32,
    min: Duration,
    max: Duration,
}

impl RttEstimator {
    /// No sample yet: the RTO is `initial` (1 s in RFC 6298 (2.1)), kept within `min..=max`.
    pub fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        RttEstimator {
            srtt: None,
            rttvar: Duration::ZERO,
            base: initial.clamp(min, max.max(min)),
            backoff: 0,
            min,
            max: max.max(min),
        }
    }

    /// Takes one RTT measurement (RFC 6298 (2.2) and (2.3)); ends any backoff.
    pub fn sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(srtt) => {
                let diff = srtt.abs_diff(r);
                // RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|;  SRTT <- 7/8 SRTT + 1/8 R'
                self.rttvar = (self.rttvar * 3 + diff) / 4;
                self.srtt = Some((srtt * 7 + r) / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        self.base = (srtt + GRANULARITY.max(self.rttvar * 4)).clamp(self.min, self.max);
        self.backoff = 0;
    }

    /// Doubles the RTO after a timeout (RFC 6298 (5.5)), up to the maximum.
    pub fn back_off(&mut self) {
        if self.rto() < self.max {
            self.backoff = self.backoff.saturating_add(1);
        }
    }

    /// The current RTO, backoff included.
    pub fn rto(&self) -> Duration {
        let factor = 1u32.checked_shl(self.backoff.min(16)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// The smoothed RTT, once there is a sample.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn est() -> RttEstimator {
        RttEstimator::new(Duration::from_secs(1), 200 * MS, Duration::from_secs(60))
    }

    #[test]
    fn first_sample_then_smoothing_by_rfc_6298() {
        let mut e = est();
        assert_eq!(e.rto(), Duration::from_secs(1));
        e.sample(100 * MS);
        // SRTT 100, RTTVAR 50, RTO = 100 + 4*50 = 300 ms.
        assert_eq!(e.rto(), 300 * MS);
        e.sample(200 * MS);
        // RTTVAR = 3/4*50 + 1/4*100 = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5; RTO = 362.5 ms.
        assert_eq!(e.srtt(), Some(Duration::from_micros(112_500)));
        assert_eq!(e.rto(), Duration::from_micros(362_500));
    }

    #[test]
    fn small_rtts_are_floored_at_the_minimum_and_backoff_doubles_up_to_the_maximum() {
        let mut e = est();
        e.sample(Duration::from_micros(50));
        assert_eq!(e.rto(), 200 * MS);
        e.back_off();
        assert_eq!(e.rto(), 400 * MS);
        e.back_off();
        assert_eq!(e.rto(), 800 * MS);
        for _ in 0..40 {
            e.back_off();
        }
        assert_eq!(e.rto(), Duration::from_secs(60));
        // A fresh sample ends the backoff (Karn: only samples of segments sent once count).
        e.sample(Duration::from_micros(50));
        assert_eq!(e.rto(), 200 * MS);
    }
}

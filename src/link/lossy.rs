//! Seeded loss: a [`Link`] adapter that drops a share of the frames sent and received through
//! it, and the generator behind it (there is no netem on the machines this runs on).
//!
//! Each decision comes from a SplitMix64 generator started from a seed, so a run is repeatable
//! for a given order of frames. `wirelab craft --loss` uses it to show retransmission and
//! recovery; tests use it to prove them; the SIMP daemon's test-only `--drop-rate` uses the
//! same generator.

use std::io;
use std::time::{Duration, Instant};

use super::{Link, Received};

/// Decides which frames (or datagrams) to drop.
#[derive(Debug, Clone)]
pub struct LossInjector {
    rate: f64,
    state: u64,
}

impl LossInjector {
    /// Drops a `rate` fraction (clamped to 0..=1; NaN means 0), seeded by `seed`.
    pub fn new(rate: f64, seed: u64) -> Self {
        let rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        LossInjector { rate, state: seed }
    }

    /// The share of frames dropped.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// True when the next one is to be dropped.
    pub fn drop_next(&mut self) -> bool {
        self.next_unit() < self.rate
    }

    /// SplitMix64, mapped to [0, 1).
    fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // 53 random bits → exact f64 in [0, 1).
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Most frames one [`LossyLink::recv`] call drops before it returns.
const MAX_DROPS_PER_CALL: usize = 64;

/// What a [`LossyLink`] dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LossCounts {
    /// Frames given to `send` and not sent.
    pub sent_dropped: u64,
    /// Frames received and not passed on.
    pub received_dropped: u64,
}

/// A link that loses a share of the frames both ways.
pub struct LossyLink<L> {
    inner: L,
    send: LossInjector,
    recv: LossInjector,
    counts: LossCounts,
    buf: Vec<u8>,
    timestamp: Duration,
}

impl<L: Link> LossyLink<L> {
    /// Drops `rate` of the frames sent and of the frames received on `inner`; the two
    /// directions draw from generators seeded from `seed`.
    pub fn new(inner: L, rate: f64, seed: u64) -> Self {
        LossyLink {
            inner,
            send: LossInjector::new(rate, seed),
            recv: LossInjector::new(rate, seed ^ 0x5eed_5eed_5eed_5eed),
            counts: LossCounts::default(),
            buf: Vec::new(),
            timestamp: Duration::ZERO,
        }
    }

    /// What was dropped so far.
    pub fn counts(&self) -> LossCounts {
        self.counts
    }

    /// The link underneath.
    pub fn inner(&self) -> &L {
        &self.inner
    }
}

impl<L: Link> Link for LossyLink<L> {
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        if self.send.drop_next() {
            self.counts.sent_dropped += 1;
            return Ok(());
        }
        self.inner.send(frame)
    }

    fn recv(&mut self, timeout: Duration) -> io::Result<Option<Received<'_>>> {
        let deadline = Instant::now() + timeout;
        let mut kept = false;
        // Bounded: every turn takes one frame off the inner link or returns, the wait ends at
        // the deadline, and at most MAX_DROPS_PER_CALL frames are dropped in one call. A kept
        // frame is copied out (the inner link reuses its buffer).
        for _ in 0..MAX_DROPS_PER_CALL {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(f) = self.inner.recv(left)? else {
                return Ok(None);
            };
            if self.recv.drop_next() {
                self.counts.received_dropped += 1;
                continue;
            }
            self.buf.clear();
            self.buf.extend_from_slice(f.data);
            self.timestamp = f.timestamp;
            kept = true;
            break;
        }
        if !kept {
            return Ok(None);
        }
        Ok(Some(Received {
            data: &self.buf,
            timestamp: self.timestamp,
        }))
    }
    fn loss_counts(&self) -> Option<LossCounts> {
        Some(self.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::MemoryLink;

    fn drops(rate: f64, seed: u64, n: usize) -> Vec<bool> {
        let mut loss = LossInjector::new(rate, seed);
        (0..n).map(|_| loss.drop_next()).collect()
    }

    #[test]
    fn rate_zero_never_drops_and_rate_one_always_drops() {
        assert!(drops(0.0, 7, 1000).iter().all(|d| !d));
        assert!(drops(1.0, 7, 1000).iter().all(|d| *d));
        assert!(drops(f64::NAN, 7, 100).iter().all(|d| !d));
    }

    #[test]
    fn same_seed_same_drops_other_seed_other_drops() {
        assert_eq!(drops(0.3, 42, 200), drops(0.3, 42, 200));
        assert_ne!(drops(0.3, 42, 200), drops(0.3, 43, 200));
    }

    #[test]
    fn drop_fraction_is_close_to_the_rate() {
        let dropped = drops(0.3, 42, 10_000).iter().filter(|d| **d).count();
        assert!((2_700..3_300).contains(&dropped), "{dropped} of 10000");
    }

    #[test]
    fn splitmix64_matches_its_reference_output() {
        // First output of SplitMix64 seeded with 0 is 0xe220a8397b1dcdaf (reference C code).
        let mut loss = LossInjector::new(0.5, 0);
        let unit = loss.next_unit();
        assert_eq!(
            unit,
            (0xe220_a839_7b1d_cdaf_u64 >> 11) as f64 / (1u64 << 53) as f64
        );
    }

    #[test]
    fn a_lossy_link_drops_both_ways_and_passes_the_rest_in_order() {
        let (a, mut b) = MemoryLink::pair();
        let mut lossy = LossyLink::new(a, 0.25, 9);
        for i in 0..400u32 {
            lossy.send(&i.to_be_bytes()).unwrap();
            b.send(&i.to_be_bytes()).unwrap();
        }
        let mut got_b = Vec::new();
        while let Some(f) = b.recv(Duration::ZERO).unwrap() {
            got_b.push(u32::from_be_bytes(f.data.try_into().unwrap()));
        }
        let mut got_a = Vec::new();
        while let Some(f) = lossy.recv(Duration::ZERO).unwrap() {
            got_a.push(u32::from_be_bytes(f.data.try_into().unwrap()));
        }
        let c = lossy.counts();
        assert_eq!(got_b.len() as u64 + c.sent_dropped, 400);
        assert_eq!(got_a.len() as u64 + c.received_dropped, 400);
        assert!((60..140).contains(&c.sent_dropped), "{c:?}");
        assert!((60..140).contains(&c.received_dropped), "{c:?}");
        assert!(got_a.windows(2).all(|w| w[0] < w[1]));
        assert!(got_b.windows(2).all(|w| w[0] < w[1]));
    }
}

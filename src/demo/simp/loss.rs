//! TEST ONLY: a seeded loss injector for the daemon's send path (there is no netem here).
//!
//! Each outgoing datagram is dropped with probability `rate`, decided by a SplitMix64 generator
//! started from `seed`, so a test run is repeatable for a given order of sends.

/// Decides which outgoing datagrams to drop.
#[derive(Debug, Clone)]
pub struct LossInjector {
    rate: f64,
    state: u64,
}

impl LossInjector {
    /// Drops a `rate` fraction (clamped to 0..=1; NaN means 0) of sends, seeded by `seed`.
    pub fn new(rate: f64, seed: u64) -> Self {
        let rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        LossInjector { rate, state: seed }
    }

    /// True when the next datagram is to be dropped.
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

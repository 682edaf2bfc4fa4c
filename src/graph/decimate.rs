//! Bounded series for drawing: time buckets that double in width whenever there would be
//! more than a fixed number of them, so a series of a million points keeps a few thousand
//! while its shape (every bucket's lowest and highest value) survives.
//!
//! [`Envelope`] keeps, per bucket, the points with the lowest and the highest y (a line
//! through them traces the envelope a plot of every point shows); [`Bars`] keeps the lowest
//! start and highest end of vertical bars; [`Sums`] adds values up (bytes per bucket, for
//! rates). Times are nanoseconds since the capture's first frame.

/// Buckets kept per series at most (about the pixels across a plot).
pub const MAX_BUCKETS: usize = 1500;

/// Bucket geometry shared by the series kinds: the first time seen and the width.
#[derive(Debug, Clone)]
struct Grid<B> {
    t0: Option<i64>,
    width: i64,
    buckets: Vec<Option<B>>,
}

trait Merge: Sized {
    fn merge(self, other: Self) -> Self;
}

impl<B: Merge> Grid<B> {
    fn new() -> Self {
        Grid {
            t0: None,
            width: 1_000, // 1 µs, doubled as needed
            buckets: Vec::new(),
        }
    }

    /// The bucket for time `t`, coarsening the grid when needed.
    fn slot(&mut self, t: i64) -> &mut Option<B> {
        let t0 = *self.t0.get_or_insert(t);
        let dt = (t - t0).max(0);
        while (dt / self.width) as usize >= MAX_BUCKETS {
            self.coarsen();
        }
        let i = (dt / self.width) as usize;
        if self.buckets.len() <= i {
            self.buckets.resize_with(i + 1, || None);
        }
        &mut self.buckets[i]
    }

    fn coarsen(&mut self) {
        self.width = self.width.saturating_mul(2);
        let old = std::mem::take(&mut self.buckets);
        let mut merged = Vec::with_capacity(old.len() / 2 + 1);
        let mut it = old.into_iter();
        while let Some(a) = it.next() {
            let b = it.next().flatten();
            merged.push(match (a, b) {
                (Some(a), Some(b)) => Some(a.merge(b)),
                (a, b) => a.or(b),
            });
        }
        self.buckets = merged;
    }

    fn start(&self, i: usize) -> i64 {
        self.t0.unwrap_or(0) + i as i64 * self.width
    }
}

#[derive(Debug, Clone, Copy)]
struct Extremes {
    min: (i64, f64),
    max: (i64, f64),
}

impl Merge for Extremes {
    fn merge(self, o: Self) -> Self {
        Extremes {
            min: if o.min.1 < self.min.1 {
                o.min
            } else {
                self.min
            },
            max: if o.max.1 > self.max.1 {
                o.max
            } else {
                self.max
            },
        }
    }
}

/// Points reduced to each bucket's lowest and highest.
#[derive(Debug, Clone)]
pub struct Envelope {
    grid: Grid<Extremes>,
    count: u64,
}

impl Default for Envelope {
    fn default() -> Self {
        Envelope {
            grid: Grid::new(),
            count: 0,
        }
    }
}

impl Envelope {
    /// Adds the point `(t, y)`.
    pub fn add(&mut self, t: i64, y: f64) {
        self.count += 1;
        let slot = self.grid.slot(t);
        let p = Extremes {
            min: (t, y),
            max: (t, y),
        };
        *slot = Some(match slot.take() {
            Some(e) => e.merge(p),
            None => p,
        });
    }

    /// Points added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The kept points in time order, `(t_ns, y)`.
    pub fn points(&self) -> Vec<(i64, f64)> {
        let mut out = Vec::new();
        for e in self.grid.buckets.iter().flatten() {
            let (a, b) = if e.min.0 <= e.max.0 {
                (e.min, e.max)
            } else {
                (e.max, e.min)
            };
            out.push(a);
            if b != a {
                out.push(b);
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy)]
struct Span {
    t: i64,
    lo: f64,
    hi: f64,
}

impl Merge for Span {
    fn merge(self, o: Self) -> Self {
        Span {
            t: self.t.min(o.t),
            lo: self.lo.min(o.lo),
            hi: self.hi.max(o.hi),
        }
    }
}

/// Vertical bars `(t, lo..hi)` reduced to one per bucket (lowest start, highest end).
#[derive(Debug, Clone)]
pub struct Bars {
    grid: Grid<Span>,
    count: u64,
}

impl Default for Bars {
    fn default() -> Self {
        Bars {
            grid: Grid::new(),
            count: 0,
        }
    }
}

impl Bars {
    /// Adds a bar at `t` from `lo` to `hi`.
    pub fn add(&mut self, t: i64, lo: f64, hi: f64) {
        self.count += 1;
        let slot = self.grid.slot(t);
        let s = Span { t, lo, hi };
        *slot = Some(match slot.take() {
            Some(e) => e.merge(s),
            None => s,
        });
    }

    /// Bars added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The kept bars, `(t_ns, lo, hi)`, in time order.
    pub fn bars(&self) -> Vec<(i64, f64, f64)> {
        self.grid
            .buckets
            .iter()
            .flatten()
            .map(|s| (s.t, s.lo, s.hi))
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
struct Sum(f64);

impl Merge for Sum {
    fn merge(self, o: Self) -> Self {
        Sum(self.0 + o.0)
    }
}

/// Values summed per bucket (bytes, for a rate).
#[derive(Debug, Clone)]
pub struct Sums {
    grid: Grid<Sum>,
}

impl Default for Sums {
    fn default() -> Self {
        Sums { grid: Grid::new() }
    }
}

impl Sums {
    /// Adds `v` at time `t`.
    pub fn add(&mut self, t: i64, v: f64) {
        let slot = self.grid.slot(t);
        *slot = Some(match slot.take() {
            Some(s) => s.merge(Sum(v)),
            None => Sum(v),
        });
    }

    /// The bucket width in ns.
    pub fn width_ns(&self) -> i64 {
        self.grid.width
    }

    /// Every bucket from the first to the last, `(start_ns, sum)`, empty ones as 0.
    pub fn buckets(&self) -> Vec<(i64, f64)> {
        self.grid
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (self.grid.start(i), b.map_or(0.0, |s| s.0)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_points_keep_their_extremes_in_a_bounded_series() {
        let mut e = Envelope::default();
        for i in 0..1_000_000i64 {
            // a sawtooth: 0..999 repeated
            e.add(i * 1000, (i % 1000) as f64);
        }
        let p = e.points();
        assert!(p.len() <= 2 * MAX_BUCKETS, "{} points kept", p.len());
        assert_eq!(e.count(), 1_000_000);
        let max = p.iter().map(|x| x.1).fold(f64::MIN, f64::max);
        let min = p.iter().map(|x| x.1).fold(f64::MAX, f64::min);
        assert_eq!((min, max), (0.0, 999.0));
        assert!(p.windows(2).all(|w| w[0].0 <= w[1].0), "time order");
    }

    #[test]
    fn sums_keep_the_total_when_buckets_merge() {
        let mut s = Sums::default();
        for i in 0..100_000i64 {
            s.add(i * 10_000, 1.0);
        }
        let total: f64 = s.buckets().iter().map(|b| b.1).sum();
        assert_eq!(total, 100_000.0);
        assert!(s.buckets().len() <= MAX_BUCKETS);
    }

    #[test]
    fn bars_keep_lowest_start_and_highest_end() {
        let mut b = Bars::default();
        b.add(0, 10.0, 20.0);
        b.add(500, 5.0, 12.0);
        assert_eq!(b.bars(), vec![(0, 5.0, 20.0)]);
    }
}

//! Echo requests and their replies (RFC 792), without I/O: which request is due when, which
//! reply answers which request, and the statistics ping prints at the end.

use std::time::Duration;

/// Bytes of data after the 8-byte echo header, as ping sends by default (64-byte messages).
pub const DATA_LEN: usize = 56;

/// How the echo requests go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PingConfig {
    /// Identifier of this run (in every request).
    pub id: u16,
    /// Requests to send.
    pub count: u16,
    /// Time between requests.
    pub interval: Duration,
    /// How long to wait for replies after the last request.
    pub timeout: Duration,
}

/// A request to send now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Its sequence number (1, 2, ...).
    pub seq: u16,
    /// Its data: a recognisable pattern.
    pub data: [u8; DATA_LEN],
}

/// A reply matched to its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    /// The sequence number.
    pub seq: u16,
    /// Time from the request to the reply.
    pub rtt: Duration,
    /// A second reply to the same request.
    pub duplicate: bool,
}

/// The run's statistics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PingStats {
    /// Requests sent.
    pub sent: u16,
    /// Requests answered (each once).
    pub received: u16,
    /// Extra replies to answered requests.
    pub duplicates: u16,
    /// RTTs of the answered requests.
    pub rtts: Vec<Duration>,
}

impl PingStats {
    /// Smallest, mean, largest RTT and the mean deviation (as ping's `mdev`).
    pub fn rtt_summary(&self) -> Option<(Duration, Duration, Duration, Duration)> {
        let n = u32::try_from(self.rtts.len()).ok().filter(|&n| n > 0)?;
        let min = *self.rtts.iter().min()?;
        let max = *self.rtts.iter().max()?;
        let sum: Duration = self.rtts.iter().sum();
        let avg = sum / n;
        let dev: Duration = self.rtts.iter().map(|r| r.abs_diff(avg)).sum::<Duration>() / n;
        Some((min, avg, max, dev))
    }

    /// Share of requests without a reply, in percent.
    pub fn loss_percent(&self) -> u32 {
        if self.sent == 0 {
            return 0;
        }
        (u32::from(self.sent - self.received.min(self.sent)) * 100) / u32::from(self.sent)
    }
}

/// A ping run.
#[derive(Debug, Clone)]
pub struct Pinger {
    cfg: PingConfig,
    /// When each request was sent, by sequence number − 1.
    sent_at: Vec<Duration>,
    answered: Vec<bool>,
    next_at: Duration,
    stats: PingStats,
}

impl Pinger {
    /// A run whose first request is due at `now`.
    pub fn new(cfg: PingConfig, now: Duration) -> Self {
        Pinger {
            sent_at: Vec::with_capacity(usize::from(cfg.count)),
            answered: Vec::with_capacity(usize::from(cfg.count)),
            next_at: now,
            stats: PingStats::default(),
            cfg,
        }
    }

    /// The next request, when one is due at `now`.
    pub fn poll_transmit(&mut self, now: Duration) -> Option<Request> {
        if self.stats.sent >= self.cfg.count || now < self.next_at {
            return None;
        }
        self.stats.sent += 1;
        self.sent_at.push(now);
        self.answered.push(false);
        self.next_at = now + self.cfg.interval;
        let mut data = [0u8; DATA_LEN];
        for (i, b) in data.iter_mut().enumerate() {
            *b = 0x10 + i as u8; // the pattern of iputils ping after its timestamp
        }
        Some(Request {
            seq: self.stats.sent,
            data,
        })
    }

    /// An echo reply with identifier `id` and sequence number `seq` arrived at `now`.
    pub fn on_reply(&mut self, now: Duration, id: u16, seq: u16) -> Option<Reply> {
        if id != self.cfg.id || seq == 0 {
            return None;
        }
        let i = usize::from(seq - 1);
        let sent = *self.sent_at.get(i)?;
        let rtt = now.saturating_sub(sent);
        let duplicate = self.answered.get(i).copied().unwrap_or(false);
        if duplicate {
            self.stats.duplicates += 1;
        } else {
            if let Some(a) = self.answered.get_mut(i) {
                *a = true;
            }
            self.stats.received += 1;
            self.stats.rtts.push(rtt);
        }
        Some(Reply {
            seq,
            rtt,
            duplicate,
        })
    }

    /// True when every request is sent and answered, or the wait after the last is over.
    pub fn done(&self, now: Duration) -> bool {
        if self.stats.sent < self.cfg.count {
            return false;
        }
        self.stats.received >= self.cfg.count
            || self
                .sent_at
                .last()
                .is_none_or(|&t| now >= t + self.cfg.timeout)
    }

    /// When to wake next.
    pub fn poll_at(&self) -> Duration {
        if self.stats.sent < self.cfg.count {
            self.next_at
        } else {
            self.sent_at
                .last()
                .map_or(self.next_at, |&t| t + self.cfg.timeout)
        }
    }

    /// The statistics so far.
    pub fn stats(&self) -> &PingStats {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn cfg() -> PingConfig {
        PingConfig {
            id: 77,
            count: 3,
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
        }
    }

    #[test]
    fn requests_go_once_per_interval_and_replies_are_matched() {
        let mut p = Pinger::new(cfg(), Duration::ZERO);
        let r1 = p.poll_transmit(Duration::ZERO).unwrap();
        assert_eq!(r1.seq, 1);
        assert_eq!(r1.data[0], 0x10);
        assert!(p.poll_transmit(500 * MS).is_none());
        assert_eq!(p.poll_at(), Duration::from_secs(1));
        let rep = p.on_reply(2 * MS, 77, 1).unwrap();
        assert_eq!((rep.seq, rep.rtt, rep.duplicate), (1, 2 * MS, false));
        // Another identifier or an unknown sequence number is not ours.
        assert!(p.on_reply(3 * MS, 78, 1).is_none());
        assert!(p.on_reply(3 * MS, 77, 9).is_none());
        assert!(p.on_reply(4 * MS, 77, 1).unwrap().duplicate);
        assert_eq!(p.poll_transmit(Duration::from_secs(1)).unwrap().seq, 2);
        assert_eq!(p.poll_transmit(Duration::from_secs(2)).unwrap().seq, 3);
        assert!(!p.done(Duration::from_secs(3)));
        assert!(p.done(Duration::from_secs(4)));
        let s = p.stats();
        assert_eq!((s.sent, s.received, s.duplicates), (3, 1, 1));
        assert_eq!(s.loss_percent(), 66);
        assert_eq!(
            s.rtt_summary(),
            Some((2 * MS, 2 * MS, 2 * MS, Duration::ZERO))
        );
    }

    #[test]
    fn all_answered_ends_early() {
        let mut p = Pinger::new(PingConfig { count: 1, ..cfg() }, Duration::ZERO);
        p.poll_transmit(Duration::ZERO);
        assert!(!p.done(MS));
        p.on_reply(MS, 77, 1);
        assert!(p.done(MS));
    }
}

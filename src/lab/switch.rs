//! The lab switch, sans I/O: a learning bridge with per-port delay, jitter, seeded loss and a
//! rate limit. Frames go in with the time they arrived; frames come out with the time they are
//! due on their egress port. [`crate::lab::switch_driver`] moves real frames in and out.
//!
//! What one frame goes through, in this order:
//!
//! 1. **Ingress**: frames shorter than an Ethernet header, or with a group (multicast) source
//!    address, are invalid and dropped, as a bridge drops them. Checksums the sending kernel
//!    left to the NIC (checksum offload) are completed ([`crate::lab::offload`]), as the NIC
//!    would have done on a real wire.
//! 2. **Learning**: the source MAC is recorded behind the ingress port (entries age out after
//!    [`AGEING`], 300 s like Linux's bridge and most switches; the table holds at most
//!    [`MAX_MACS`] addresses).
//! 3. **Forwarding**: a unicast destination known behind another port goes to that port only;
//!    one known behind the ingress port is filtered (dropped); a broadcast, a multicast or an
//!    unknown unicast destination is flooded to every other port. The 802.1D link-local group
//!    `01:80:c2:00:00:0X` (STP, pause, LLDP) is never forwarded.
//! 4. **Per egress copy**, independently: **loss** — dropped with probability `loss`, drawn from
//!    a SplitMix64 generator seeded with `seed` (same seed and same arrival order, same drops);
//!    **rate** — the copy waits in the port's FIFO and is serialised at `rate` bits per second
//!    (the frame's captured bytes, as netem's `rate` counts them); a copy arriving when
//!    `queue` frames already wait or are being sent is tail-dropped; **delay** — it leaves
//!    `delay ± jitter` (uniform) after its serialisation ends.
//!
//! Order is preserved per egress port: a copy whose drawn delay would put it before the
//! previous copy on that port leaves right after it instead, as on a wire (frames never
//! overtake one another). So every copy is delayed by at least `delay - jitter` and, unless
//! it queued behind others, at most `delay + jitter`. A lost copy takes no link time.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde::Serialize;

use super::offload;
use super::units::Percent;

/// How long a learned address stays in the table without being seen again.
pub const AGEING: Duration = Duration::from_secs(300);

/// Most addresses in the MAC table (a full table floods unknown destinations, like a switch).
pub const MAX_MACS: usize = 8192;

/// Default backlog of an egress port with a rate limit, in frames.
pub const DEFAULT_QUEUE: usize = 64;

/// Most copies held per port while they are delayed (bounds memory without a rate limit).
pub const MAX_HELD: usize = 100_000;

/// A port number (index into the ports given to [`Switch::new`]).
pub type Port = usize;

/// What the switch does to frames besides forwarding them.
#[derive(Debug, Clone, PartialEq)]
pub struct Impairments {
    /// Fixed one-way delay added to every frame.
    pub delay: Duration,
    /// Each frame's delay is drawn uniformly from `delay ± jitter` (never below zero).
    pub jitter: Duration,
    /// How often a copy is lost.
    pub loss: Percent,
    /// Egress rate in bits per second (`None`: no limit, no queue).
    pub rate: Option<u64>,
    /// Frames an egress port holds (waiting or being sent) before it tail-drops.
    pub queue: usize,
    /// Seed of the loss and jitter generator.
    pub seed: u64,
}

impl Default for Impairments {
    fn default() -> Self {
        Impairments {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: Percent(0.0),
            rate: None,
            queue: DEFAULT_QUEUE,
            seed: 1,
        }
    }
}

impl Impairments {
    /// True when nothing is impaired (a kernel bridge does the same job).
    pub fn is_none(&self) -> bool {
        self.delay.is_zero()
            && self.jitter.is_zero()
            && self.loss.fraction() <= 0.0
            && self.rate.is_none()
    }

    /// Time to serialise `len` bytes at the rate limit.
    pub fn serialisation(&self, len: usize) -> Duration {
        match self.rate {
            Some(bps) if bps > 0 => {
                Duration::from_nanos(((len as u128 * 8 * 1_000_000_000) / u128::from(bps)) as u64)
            }
            _ => Duration::ZERO,
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same sequence everywhere.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Counters of one port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PortStats {
    /// Frames that came in on the port.
    pub rx_frames: u64,
    /// Bytes that came in on the port.
    pub rx_bytes: u64,
    /// Frames sent out of the port.
    pub tx_frames: u64,
    /// Bytes sent out of the port.
    pub tx_bytes: u64,
    /// Copies for this port lost on purpose (`loss`).
    pub lost: u64,
    /// Copies for this port dropped because its queue was full.
    pub queue_drops: u64,
    /// Frames from this port whose destination is behind the same port.
    pub filtered: u64,
    /// Frames from this port that were not valid Ethernet frames.
    pub invalid: u64,
}

/// Counters of the whole switch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SwitchStats {
    /// Per port, in port order.
    pub ports: Vec<PortStats>,
    /// Frames flooded (broadcast, multicast, unknown unicast).
    pub flooded: u64,
    /// Frames sent to exactly one known port.
    pub unicast: u64,
    /// Frames whose TCP/UDP checksum was completed (offloaded by the sender).
    pub checksums_completed: u64,
}

/// What the switch decided for a frame that came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingress {
    /// Sent towards the one port behind which the destination is.
    Unicast(Port),
    /// Flooded to every other port.
    Flooded,
    /// The destination is behind the port it came from: dropped.
    Filtered,
    /// Not a frame a bridge forwards (too short, group source, link-local group).
    Invalid(&'static str),
}

/// One learned address.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MacEntry {
    /// The address.
    #[serde(serialize_with = "ser_mac")]
    pub mac: [u8; 6],
    /// The port behind which it was last seen.
    pub port: Port,
    /// Seconds since it was last seen.
    pub age: f64,
}

fn ser_mac<S: serde::Serializer>(m: &[u8; 6], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::wire::mac(m))
}

#[derive(Debug, Default)]
struct Egress {
    /// Copies waiting to leave, in due order.
    out: VecDeque<(Duration, Vec<u8>)>,
    /// End-of-serialisation times of copies still in the rate queue.
    in_queue: VecDeque<Duration>,
    /// When the port's transmitter is free.
    busy_until: Duration,
    /// Due time of the last copy queued (order is kept per port).
    last_due: Duration,
}

/// The switch: MAC table, egress queues, generator, counters.
#[derive(Debug)]
pub struct Switch {
    cfg: Impairments,
    rng: SplitMix64,
    macs: HashMap<[u8; 6], (Port, Duration)>,
    egress: Vec<Egress>,
    stats: SwitchStats,
    complete_checksums: bool,
}

fn is_group(mac: &[u8]) -> bool {
    mac.first().is_some_and(|b| b & 1 == 1)
}

impl Switch {
    /// A switch with `ports` ports (at least 2 to be useful).
    pub fn new(ports: usize, cfg: Impairments) -> Switch {
        Switch {
            rng: SplitMix64(cfg.seed),
            cfg,
            macs: HashMap::new(),
            egress: (0..ports).map(|_| Egress::default()).collect(),
            stats: SwitchStats {
                ports: vec![PortStats::default(); ports],
                ..SwitchStats::default()
            },
            complete_checksums: true,
        }
    }

    /// Leave offloaded checksums as they came (tests of byte-exact forwarding).
    pub fn without_checksum_completion(mut self) -> Switch {
        self.complete_checksums = false;
        self
    }

    /// The settings.
    pub fn impairments(&self) -> &Impairments {
        &self.cfg
    }

    /// Takes in `frame`, which arrived on `port` at `now` (any monotonic clock).
    pub fn receive(&mut self, port: Port, now: Duration, mut frame: Vec<u8>) -> Ingress {
        let Some(st) = self.stats.ports.get_mut(port) else {
            return Ingress::Invalid("no such port");
        };
        st.rx_frames += 1;
        st.rx_bytes += frame.len() as u64;
        let Ok(eth) = crate::wire::ethernet::EthernetRepr::parse(&frame) else {
            st.invalid += 1;
            return Ingress::Invalid("shorter than an Ethernet header");
        };
        let (dst6, src6) = (eth.dst, eth.src);
        if is_group(&src6) {
            st.invalid += 1;
            return Ingress::Invalid("group source address");
        }
        if dst6[..5] == [0x01, 0x80, 0xc2, 0x00, 0x00] && dst6[5] <= 0x0f {
            st.invalid += 1;
            return Ingress::Invalid("802.1D link-local group address");
        }
        if self.complete_checksums && offload::complete(&mut frame) {
            self.stats.checksums_completed += 1;
        }
        self.learn(src6, port, now);
        let target = if is_group(&dst6) {
            None
        } else {
            match self.macs.get(&dst6) {
                Some(&(p, seen)) if now.saturating_sub(seen) < AGEING => Some(p),
                _ => None,
            }
        };
        match target {
            Some(p) if p == port => {
                self.stats.ports[port].filtered += 1;
                Ingress::Filtered
            }
            Some(p) => {
                self.stats.unicast += 1;
                self.enqueue(p, now, frame);
                Ingress::Unicast(p)
            }
            None => {
                self.stats.flooded += 1;
                let others: Vec<Port> = (0..self.egress.len()).filter(|&p| p != port).collect();
                if let Some((&last, rest)) = others.split_last() {
                    for &p in rest {
                        self.enqueue(p, now, frame.clone());
                    }
                    self.enqueue(last, now, frame);
                }
                Ingress::Flooded
            }
        }
    }

    fn learn(&mut self, mac: [u8; 6], port: Port, now: Duration) {
        if self.macs.len() >= MAX_MACS && !self.macs.contains_key(&mac) {
            self.macs
                .retain(|_, &mut (_, seen)| now.saturating_sub(seen) < AGEING);
            if self.macs.len() >= MAX_MACS {
                return;
            }
        }
        self.macs.insert(mac, (port, now));
    }

    /// Applies loss, rate and delay to one copy for `port`.
    fn enqueue(&mut self, port: Port, now: Duration, frame: Vec<u8>) {
        let loss = self.cfg.loss.fraction();
        if loss > 0.0 && self.rng.unit() < loss {
            self.stats.ports[port].lost += 1;
            return;
        }
        let eg = &mut self.egress[port];
        while eg.in_queue.front().is_some_and(|&end| end <= now) {
            eg.in_queue.pop_front();
        }
        let limited = self.cfg.rate.is_some();
        if (limited && eg.in_queue.len() >= self.cfg.queue.max(1)) || eg.out.len() >= MAX_HELD {
            self.stats.ports[port].queue_drops += 1;
            return;
        }
        let sent_at = if limited {
            let start = now.max(eg.busy_until);
            let end = start + self.cfg.serialisation(frame.len());
            eg.busy_until = end;
            eg.in_queue.push_back(end);
            end
        } else {
            now
        };
        let delay = if self.cfg.jitter.is_zero() {
            self.cfg.delay
        } else {
            let j = self.cfg.jitter.as_secs_f64() * (2.0 * self.rng.unit() - 1.0);
            Duration::from_secs_f64((self.cfg.delay.as_secs_f64() + j).max(0.0))
        };
        let due = (sent_at + delay).max(eg.last_due);
        eg.last_due = due;
        eg.out.push_back((due, frame));
    }

    /// When the next copy is due, if any is waiting.
    pub fn next_due(&self) -> Option<Duration> {
        self.egress
            .iter()
            .filter_map(|e| e.out.front().map(|(due, _)| *due))
            .min()
    }

    /// The earliest copy due at or before `now`, with its port; counts it as sent.
    pub fn pop_due(&mut self, now: Duration) -> Option<(Port, Vec<u8>)> {
        let (port, _) = self
            .egress
            .iter()
            .enumerate()
            .filter_map(|(p, e)| e.out.front().map(|(due, _)| (p, *due)))
            .filter(|&(_, due)| due <= now)
            .min_by_key(|&(_, due)| due)?;
        let (_, frame) = self.egress[port].out.pop_front()?;
        let st = &mut self.stats.ports[port];
        st.tx_frames += 1;
        st.tx_bytes += frame.len() as u64;
        Some((port, frame))
    }

    /// The counters so far.
    pub fn stats(&self) -> &SwitchStats {
        &self.stats
    }

    /// The MAC table at `now` (aged entries left out), sorted by port then address.
    pub fn mac_table(&self, now: Duration) -> Vec<MacEntry> {
        let mut v: Vec<MacEntry> = self
            .macs
            .iter()
            .filter(|(_, (_, seen))| now.saturating_sub(*seen) < AGEING)
            .map(|(mac, &(port, seen))| MacEntry {
                mac: *mac,
                port,
                age: now.saturating_sub(seen).as_secs_f64(),
            })
            .collect();
        v.sort_by_key(|e| (e.port, e.mac));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 6] = [2, 0, 0, 0, 3, 1];
    const B: [u8; 6] = [2, 0, 0, 0, 3, 2];
    const C: [u8; 6] = [2, 0, 0, 0, 3, 3];
    const BCAST: [u8; 6] = [0xff; 6];

    /// A frame with an unknown ethertype (nothing for the checksum step to touch).
    fn frame(dst: [u8; 6], src: [u8; 6], len: usize, tag: u8) -> Vec<u8> {
        let mut f = Vec::with_capacity(len);
        f.extend_from_slice(&dst);
        f.extend_from_slice(&src);
        f.extend_from_slice(&[0x88, 0xb5]);
        f.resize(len.max(15), tag);
        f
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn drain(sw: &mut Switch, until: Duration) -> Vec<(Port, Duration, Vec<u8>)> {
        let mut out = Vec::new();
        while let Some(due) = sw.next_due().filter(|&d| d <= until) {
            let (p, f) = sw.pop_due(due).unwrap();
            out.push((p, due, f));
        }
        out
    }

    #[test]
    fn unknown_unicast_and_broadcast_flood_then_unicast_goes_to_one_port() {
        let mut sw = Switch::new(3, Impairments::default());
        // A broadcasts (an ARP request): B and C get it; A is learned behind port 0.
        assert_eq!(
            sw.receive(0, ms(0), frame(BCAST, A, 60, 1)),
            Ingress::Flooded
        );
        let out = drain(&mut sw, ms(1));
        assert_eq!(out.iter().map(|o| o.0).collect::<Vec<_>>(), [1, 2]);
        // C answers A: A is known, so only port 0 gets it; C is learned behind port 2.
        assert_eq!(
            sw.receive(2, ms(1), frame(A, C, 60, 2)),
            Ingress::Unicast(0)
        );
        assert_eq!(
            drain(&mut sw, ms(2))
                .iter()
                .map(|o| o.0)
                .collect::<Vec<_>>(),
            [0]
        );
        // A to C: port 2 only — B (port 1) never sees A↔C unicast.
        assert_eq!(
            sw.receive(0, ms(2), frame(C, A, 100, 3)),
            Ingress::Unicast(2)
        );
        let out = drain(&mut sw, ms(3));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, 2);
        assert_eq!(out[0].2, frame(C, A, 100, 3), "forwarded byte for byte");
        // B is still unknown: a frame to B floods.
        assert_eq!(sw.receive(0, ms(3), frame(B, A, 60, 4)), Ingress::Flooded);
        assert_eq!(
            drain(&mut sw, ms(4))
                .iter()
                .map(|o| o.0)
                .collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(sw.stats().ports[1].tx_frames, 2);
        assert_eq!(sw.stats().flooded, 2);
    }

    #[test]
    fn a_destination_behind_the_ingress_port_is_filtered_and_entries_age_and_move() {
        let mut sw = Switch::new(2, Impairments::default());
        sw.receive(0, ms(0), frame(BCAST, A, 60, 0));
        sw.receive(0, ms(0), frame(BCAST, B, 60, 0));
        drain(&mut sw, ms(0));
        assert_eq!(sw.receive(0, ms(1), frame(B, A, 60, 0)), Ingress::Filtered);
        assert_eq!(sw.stats().ports[0].filtered, 1);
        // B moves to port 1: the table follows it.
        sw.receive(1, ms(2), frame(BCAST, B, 60, 0));
        assert_eq!(
            sw.receive(0, ms(3), frame(B, A, 60, 0)),
            Ingress::Unicast(1)
        );
        // After the ageing time B is unknown again and frames to it flood.
        let later = ms(3) + AGEING;
        assert_eq!(sw.receive(0, later, frame(B, A, 60, 0)), Ingress::Flooded);
        assert!(sw.mac_table(later).iter().all(|e| e.mac != B));
    }

    #[test]
    fn invalid_frames_are_dropped_and_counted() {
        let mut sw = Switch::new(2, Impairments::default());
        assert!(matches!(
            sw.receive(0, ms(0), vec![1, 2, 3]),
            Ingress::Invalid(_)
        ));
        let group_src = frame(B, [0x01, 0, 0x5e, 0, 0, 1], 60, 0);
        assert!(matches!(
            sw.receive(0, ms(0), group_src),
            Ingress::Invalid(_)
        ));
        let stp = frame([0x01, 0x80, 0xc2, 0, 0, 0], A, 60, 0);
        assert!(matches!(sw.receive(0, ms(0), stp), Ingress::Invalid(_)));
        assert!(matches!(
            sw.receive(9, ms(0), frame(B, A, 60, 0)),
            Ingress::Invalid(_)
        ));
        assert_eq!(sw.stats().ports[0].invalid, 3);
        assert_eq!(sw.next_due(), None);
    }

    #[test]
    fn delay_is_within_its_jitter_and_order_is_kept_per_port() {
        let cfg = Impairments {
            delay: ms(20),
            jitter: ms(5),
            seed: 7,
            ..Impairments::default()
        };
        let mut sw = Switch::new(2, cfg);
        sw.receive(1, ms(0), frame(BCAST, B, 60, 0));
        drain(&mut sw, ms(100));
        let mut sent = Vec::new();
        for i in 0..2000u64 {
            let t = Duration::from_micros(i * 500);
            sw.receive(0, t, frame(B, A, 64, (i % 251) as u8));
            sent.push(t);
        }
        let out = drain(&mut sw, Duration::from_secs(10));
        assert_eq!(out.len(), 2000);
        let mut prev = Duration::ZERO;
        let mut spread = (Duration::MAX, Duration::ZERO);
        for (i, (port, due, f)) in out.iter().enumerate() {
            assert_eq!(*port, 1);
            assert_eq!(f[14], (i % 251) as u8, "frame {i} out of order");
            let d = *due - sent[i];
            assert!(d >= ms(15) && d <= ms(25), "frame {i} delayed {d:?}");
            assert!(*due >= prev);
            prev = *due;
            spread = (spread.0.min(d), spread.1.max(d));
        }
        // The draws cover the jitter range (not a constant delay).
        assert!(spread.0 < ms(16) && spread.1 > ms(24), "{spread:?}");
    }

    #[test]
    fn loss_matches_its_rate_within_a_binomial_bound_and_repeats_for_a_seed() {
        fn run(seed: u64) -> (u64, Vec<u8>) {
            let cfg = Impairments {
                loss: Percent(5.0),
                seed,
                ..Impairments::default()
            };
            let mut sw = Switch::new(
                2,
                Impairments {
                    loss: Percent(0.0),
                    ..cfg.clone()
                },
            );
            // Learn B without losing the frame that teaches it.
            sw.receive(1, ms(0), frame(BCAST, B, 60, 0));
            drain(&mut sw, ms(0));
            let mut sw = Switch {
                cfg: cfg.clone(),
                ..sw
            };
            let mut kept = Vec::new();
            for i in 0..20_000u64 {
                sw.receive(0, ms(i), frame(B, A, 60, (i % 256) as u8));
                while let Some((_, f)) = sw.pop_due(ms(i)) {
                    kept.push(f[14]);
                }
            }
            (sw.stats().ports[1].lost, kept)
        }
        let (lost, kept) = run(42);
        // n = 20000, p = 0.05: mean 1000, sd = sqrt(n p (1-p)) ≈ 30.8; allow 4 sd.
        assert!((877..=1123).contains(&lost), "lost {lost}");
        assert_eq!(kept.len() as u64 + lost, 20_000);
        assert_eq!(run(42), (lost, kept.clone()), "same seed, same losses");
        assert_ne!(run(43).1, kept, "another seed, other losses");
    }

    #[test]
    fn the_rate_limit_serialises_frames_and_tail_drops_beyond_the_queue() {
        let cfg = Impairments {
            rate: Some(1_000_000),
            queue: 10,
            ..Impairments::default()
        };
        let mut sw = Switch::new(2, cfg);
        sw.receive(1, ms(0), frame(BCAST, B, 60, 0));
        drain(&mut sw, ms(5));
        // 1000-byte frames at 1 Mbit/s: 8 ms each. A burst of 15 at once: 10 fit, 5 drop.
        for i in 0..15 {
            sw.receive(0, ms(10), frame(B, A, 1000, i));
        }
        assert_eq!(sw.stats().ports[1].queue_drops, 5);
        let out = drain(&mut sw, Duration::from_secs(1));
        assert_eq!(out.len(), 10);
        for (i, (_, due, f)) in out.iter().enumerate() {
            assert_eq!(*due, ms(10 + 8 * (i as u64 + 1)), "frame {i}");
            assert_eq!(f[14], i as u8);
        }
        // Once the queue has drained, frames are accepted again.
        sw.receive(0, ms(200), frame(B, A, 1000, 99));
        assert_eq!(drain(&mut sw, Duration::from_secs(1))[0].1, ms(208));
    }

    #[test]
    fn rate_and_delay_add_up() {
        let cfg = Impairments {
            rate: Some(8_000_000),
            delay: ms(20),
            ..Impairments::default()
        };
        let mut sw = Switch::new(2, cfg);
        sw.receive(1, ms(0), frame(BCAST, B, 60, 0));
        drain(&mut sw, ms(100));
        sw.receive(0, ms(100), frame(B, A, 1000, 1));
        // 1000 bytes at 8 Mbit/s = 1 ms on the wire, then 20 ms of delay.
        assert_eq!(drain(&mut sw, Duration::from_secs(1))[0].1, ms(121));
    }

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs for seed 1234567 (from the reference C implementation).
        let mut g = SplitMix64(1234567);
        assert_eq!(g.next_u64(), 6457827717110365317);
        assert_eq!(g.next_u64(), 3203168211198807973);
    }
}

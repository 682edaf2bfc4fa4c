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
mod tests;

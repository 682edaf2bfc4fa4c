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

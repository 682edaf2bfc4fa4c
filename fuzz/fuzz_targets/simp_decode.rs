//! Fuzz target: the SIMP decoder and its renderers together, then the daemon's state machine.
//! Invariants: nothing panics; whatever decodes re-encodes to the same bytes; every field range
//! lies inside the datagram.
#![no_main]

use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use wirelab::decode::simp::{self, SimpMessage};
use wirelab::demo::simp::peer::{Peer, PeerConfig};

fuzz_target!(|data: &[u8]| {
    match simp::view(data) {
        Ok(view) => {
            let _ = view.info();
            for (_, _, range) in view.fields() {
                assert!(
                    data.get(range).is_some(),
                    "field range outside the datagram"
                );
            }
            assert_eq!(view.to_message().encode(), data, "decode/encode round trip");
        }
        Err(err) => {
            let _ = err.to_string();
            assert!(err.offset() <= data.len().max(simp::HEADER_LEN));
        }
    }
    let _ = SimpMessage::decode(data);

    // The daemon must survive any datagram, in any session state reachable without a peer.
    let now = Instant::now();
    let from = "10.77.0.2:7777".parse().expect("address");
    let mut peer = Peer::new(PeerConfig::default());
    peer.datagram(now, from, data);
    peer.client_connected(now);
    peer.client_line(now, "fuzz");
    peer.datagram(now, from, data);
    peer.client_line(now, "start 10.77.0.2");
    peer.datagram(now, from, data);
    while peer.poll_event().is_some() {}
});

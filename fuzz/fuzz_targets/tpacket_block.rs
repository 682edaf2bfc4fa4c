//! Fuzzes the walk over a TPACKET_V3 ring block (the kernel's bytes, treated as input):
//! every frame it yields lies inside the block, and copying it (VLAN tag reinserted) and
//! staging it into a capture file batch never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirelab::source::block;

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    for f in block::frames(data) {
        assert!(f.data.len() <= data.len());
        out.clear();
        f.copy_into(&mut out);
        assert_eq!(out.len(), f.caplen());
        assert!(f.wire_len() as usize >= f.caplen());
    }
});

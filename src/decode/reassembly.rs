//! IPv4 and IPv6 fragment reassembly, the way Wireshark does it.
//!
//! IPv4 fragments are keyed by (source, destination, identification, protocol), IPv6
//! fragments by (source, destination, identification). A packet is complete when the
//! fragment with MF clear has been seen (it fixes the length) and every byte before it is
//! covered; it then belongs to the frame that completed it. Where fragments overlap, the
//! bytes of the fragment with the lower offset are kept (Wireshark's copy order); bytes past
//! the final length are dropped. Pending packets of both versions share one cap, so memory
//! stays bounded whatever the capture holds.

use std::collections::VecDeque;

use foldhash::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Ipv4Repr, Reassembled};
use crate::wire::ipv6::Ipv6Fragment;

/// Most packets waiting for fragments at once; the oldest is dropped past this.
const MAX_PENDING: usize = 1024;
/// Largest packet accepted (the IPv4 maximum; the largest IPv6 payload without a jumbogram).
const MAX_DATAGRAM: usize = 65_535;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    V4(Ipv4Addr, Ipv4Addr, u16, u8),
    V6(Ipv6Addr, Ipv6Addr, u32),
}

#[derive(Debug, Clone, Default)]
struct Pending {
    /// (frame number, offset, bytes), in arrival order.
    parts: Vec<(u64, u16, Vec<u8>)>,
    /// Packet length, known once the last fragment (MF clear) has arrived.
    total: Option<usize>,
}

/// Collects IPv4 and IPv6 fragments across frames.
#[derive(Debug, Clone, Default)]
pub struct Reassembler {
    pending: HashMap<Key, Pending>,
    order: VecDeque<Key>,
}

impl Reassembler {
    /// A reassembler with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rough heap size in bytes (the pending fragments' bytes dominate).
    pub fn approx_bytes(&self) -> usize {
        self.pending
            .values()
            .map(|p| 64 + p.parts.iter().map(|(_, _, b)| 32 + b.len()).sum::<usize>())
            .sum::<usize>()
            + self.order.len() * std::mem::size_of::<Key>()
    }

    /// Number of packets waiting for fragments.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Adds one IPv4 fragment (its complete payload); returns the datagram if it is now whole.
    pub fn add(&mut self, frame: u64, ip: &Ipv4Repr, payload: &[u8]) -> Option<Reassembled> {
        let key = Key::V4(ip.src, ip.dst, ip.id, ip.protocol);
        self.add_part(key, frame, ip.frag_offset, ip.more_fragments, payload)
    }

    /// Adds one IPv6 fragment (the complete fragmentable part after its fragment header);
    /// returns the packet's payload if it is now whole.
    pub fn add_v6(
        &mut self,
        frame: u64,
        src: Ipv6Addr,
        dst: Ipv6Addr,
        frag: &Ipv6Fragment,
        payload: &[u8],
    ) -> Option<Reassembled> {
        let key = Key::V6(src, dst, frag.ident);
        self.add_part(key, frame, frag.offset, frag.more, payload)
    }

    fn add_part(
        &mut self,
        key: Key,
        frame: u64,
        frag_offset: u16,
        more: bool,
        payload: &[u8],
    ) -> Option<Reassembled> {
        let offset = usize::from(frag_offset);
        if offset + payload.len() > MAX_DATAGRAM {
            return None;
        }
        if !self.pending.contains_key(&key) {
            if self.pending.len() >= MAX_PENDING
                && let Some(old) = self.order.pop_front()
            {
                self.pending.remove(&old);
            }
            self.order.push_back(key);
        }
        let entry = self.pending.entry(key).or_default();
        entry.parts.push((frame, frag_offset, payload.to_vec()));
        if !more {
            entry.total = Some(offset + payload.len());
        }
        let total = entry.total?;

        // Coverage check over the parts sorted by offset (stable: arrival order on ties).
        let mut idx: Vec<usize> = (0..entry.parts.len()).collect();
        idx.sort_by_key(|&i| entry.parts[i].1);
        let mut filled = 0usize;
        for &i in &idx {
            let (_, off, ref bytes) = entry.parts[i];
            let off = usize::from(off);
            if off > filled {
                return None;
            }
            filled = filled.max(off + bytes.len());
        }
        if filled < total {
            return None;
        }
        let mut data = Vec::with_capacity(total);
        for &i in &idx {
            let (_, off, ref bytes) = entry.parts[i];
            let off = usize::from(off);
            let end = (off + bytes.len()).min(total);
            if end > data.len() {
                let from = data.len() - off;
                data.extend_from_slice(&bytes[from..end - off]);
            }
        }
        let fragments = entry
            .parts
            .iter()
            .map(|(f, _, b)| (*f, b.len() as u16))
            .collect();
        self.pending.remove(&key);
        self.order.retain(|k| *k != key);
        Some(Reassembled { fragments, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frag(id: u16, off: u16, mf: bool) -> Ipv4Repr {
        Ipv4Repr {
            src: Ipv4Addr::new(10, 0, 3, 2),
            dst: Ipv4Addr::new(10, 0, 3, 1),
            header_len: 20,
            dscp: 0,
            ecn: 0,
            total_len: 0,
            tso: false,
            id,
            dont_fragment: false,
            more_fragments: mf,
            frag_offset: off,
            ttl: 64,
            protocol: 17,
            checksum: 0,
            range: 0..20,
        }
    }

    #[test]
    fn in_order_and_reversed() {
        let mut r = Reassembler::new();
        assert!(r.add(1, &frag(7, 0, true), &[1; 8]).is_none());
        let d = r.add(2, &frag(7, 8, false), &[2; 4]).unwrap();
        assert_eq!(d.data, [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
        assert_eq!(d.fragments, vec![(1, 8), (2, 4)]);
        assert_eq!(r.pending(), 0);

        // Reversed: the first fragment completes the datagram.
        assert!(r.add(3, &frag(8, 8, false), &[2; 4]).is_none());
        let d = r.add(4, &frag(8, 0, true), &[1; 8]).unwrap();
        assert_eq!(d.data.len(), 12);
    }

    #[test]
    fn missing_fragment_never_completes() {
        let mut r = Reassembler::new();
        assert!(r.add(1, &frag(9, 0, true), &[1; 8]).is_none());
        assert!(r.add(2, &frag(9, 16, false), &[3; 8]).is_none());
        assert_eq!(r.pending(), 1);
    }

    /// The teardrop case (public capture teardrop.pcap, frames 8-9): a 36-byte first
    /// fragment and a last fragment at offset 24 of 4 bytes; tshark reassembles 28 bytes.
    #[test]
    fn teardrop_overlap_keeps_length_of_last_fragment() {
        let mut r = Reassembler::new();
        let first: Vec<u8> = (0..36).collect();
        assert!(r.add(8, &frag(0xf2, 0, true), &first).is_none());
        let d = r.add(9, &frag(0xf2, 24, false), &[0xee; 4]).unwrap();
        assert_eq!(d.data.len(), 28);
        assert_eq!(&d.data[..], &first[..28]);
    }

    #[test]
    fn pending_is_bounded() {
        let mut r = Reassembler::new();
        for id in 0..(MAX_PENDING as u16 + 10) {
            r.add(u64::from(id), &frag(id, 0, true), &[0; 8]);
        }
        assert_eq!(r.pending(), MAX_PENDING);
    }

    fn v6(off: u16, more: bool, ident: u32) -> Ipv6Fragment {
        Ipv6Fragment {
            next_header: 17,
            offset: off,
            more,
            ident,
            range: 54..62,
        }
    }

    const SRC6: Ipv6Addr = Ipv6Addr::new(0xfd00, 3, 0, 0, 0, 0, 0, 2);
    const DST6: Ipv6Addr = Ipv6Addr::new(0xfd00, 3, 0, 0, 0, 0, 0, 1);

    #[test]
    fn ipv6_in_order_out_of_order_and_overlapping() {
        let mut r = Reassembler::new();
        assert!(r.add_v6(1, SRC6, DST6, &v6(0, true, 1), &[1; 8]).is_none());
        let d = r.add_v6(2, SRC6, DST6, &v6(8, false, 1), &[2; 4]).unwrap();
        assert_eq!(d.data, [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
        assert_eq!(d.fragments, vec![(1, 8), (2, 4)]);

        // Last first, then the middle, then the first: the first completes it.
        assert!(
            r.add_v6(3, SRC6, DST6, &v6(16, false, 2), &[3; 4])
                .is_none()
        );
        assert!(r.add_v6(4, SRC6, DST6, &v6(8, true, 2), &[2; 8]).is_none());
        let d = r.add_v6(5, SRC6, DST6, &v6(0, true, 2), &[1; 8]).unwrap();
        assert_eq!(d.data.len(), 20);
        assert_eq!(d.fragments, vec![(3, 4), (4, 8), (5, 8)]);

        // Overlap: the fragment with the lower offset keeps its bytes.
        assert!(r.add_v6(6, SRC6, DST6, &v6(0, true, 3), &[1; 16]).is_none());
        let d = r.add_v6(7, SRC6, DST6, &v6(8, false, 3), &[9; 16]).unwrap();
        assert_eq!(&d.data[..16], &[1; 16]);
        assert_eq!(&d.data[16..], &[9; 8]);
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn ipv6_keys_by_addresses_and_ident() {
        let mut r = Reassembler::new();
        assert!(r.add_v6(1, SRC6, DST6, &v6(0, true, 5), &[1; 8]).is_none());
        // Another identification, the reverse direction: neither completes packet 5.
        assert!(r.add_v6(2, SRC6, DST6, &v6(8, false, 6), &[2; 8]).is_none());
        assert!(r.add_v6(3, DST6, SRC6, &v6(8, false, 5), &[2; 8]).is_none());
        // An IPv4 fragment never meets an IPv6 one.
        assert!(r.add(4, &frag(5, 8, false), &[2; 8]).is_none());
        assert_eq!(r.pending(), 4);
        assert!(r.add_v6(5, SRC6, DST6, &v6(8, false, 5), &[2; 8]).is_some());
    }

    #[test]
    fn ipv6_beyond_the_largest_payload_is_dropped() {
        let mut r = Reassembler::new();
        assert!(
            r.add_v6(1, SRC6, DST6, &v6(65528, false, 1), &[0; 16])
                .is_none()
        );
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn pending_is_bounded_across_versions() {
        let mut r = Reassembler::new();
        for id in 0..(MAX_PENDING as u32 + 10) {
            r.add_v6(u64::from(id), SRC6, DST6, &v6(0, true, id), &[0; 8]);
            r.add(u64::from(id), &frag(id as u16, 0, true), &[0; 8]);
        }
        assert_eq!(r.pending(), MAX_PENDING);
    }
}

//! ARP duplicate-address detection, as Wireshark does it.
//!
//! A table maps IPv4 addresses to the MAC first seen using them. The sender is checked,
//! then (replies only) the target; the last check decides whether the frame reports a
//! duplicate. The table is capped so memory is bounded.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use crate::decode::ArpRepr;

const MAX_ENTRIES: usize = 65_536;

/// A duplicate use of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpNote {
    /// The address used by two MACs.
    pub ip: Ipv4Addr,
    /// The MAC it was first seen with.
    pub first_mac: [u8; 6],
}

/// IP → MAC as seen in ARP.
#[derive(Debug, Clone, Default)]
pub struct ArpTable {
    seen: HashMap<Ipv4Addr, [u8; 6]>,
}

impl ArpTable {
    fn check(&mut self, ip: Ipv4Addr, mac: [u8; 6]) -> Option<ArpNote> {
        if ip.is_unspecified() || mac == [0; 6] {
            return None;
        }
        match self.seen.get(&ip) {
            Some(first) if *first != mac => Some(ArpNote {
                ip,
                first_mac: *first,
            }),
            Some(_) => None,
            None => {
                if self.seen.len() < MAX_ENTRIES {
                    self.seen.insert(ip, mac);
                }
                None
            }
        }
    }

    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.seen.len() * 16
    }

    /// Checks one ARP packet; returns a note when it reveals a duplicate address.
    pub fn observe(&mut self, a: &ArpRepr) -> Option<ArpNote> {
        if !a.eth_ipv4 {
            return None;
        }
        let mut note = self.check(a.sender_ip, a.sender_mac);
        if a.op == 2 {
            note = self.check(a.target_ip, a.target_mac);
        }
        note
    }
}

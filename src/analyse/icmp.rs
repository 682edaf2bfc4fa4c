//! ICMP and ICMPv6 echo matching: which request a reply answers ("(request in N)").
//!
//! Requests are keyed by (source, destination, identifier, sequence); a reply matches the
//! latest request with its addresses swapped. At most [`MAX_OUTSTANDING`] requests are
//! remembered (oldest forgotten first), so memory is bounded.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use crate::decode::{Decoded, TransportRepr};

/// Most unanswered requests remembered.
pub const MAX_OUTSTANDING: usize = 4096;

type Key = (IpAddr, IpAddr, u16, u16, bool);

/// Remembers echo requests to match replies.
#[derive(Debug, Clone, Default)]
pub struct EchoMatcher {
    requests: HashMap<Key, u64>,
    order: VecDeque<Key>,
}

impl EchoMatcher {
    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.requests.len() * (std::mem::size_of::<(Key, u64)>() + 8)
            + self.order.len() * std::mem::size_of::<Key>()
    }

    /// Looks at one frame; for an echo reply, returns the frame number of its request.
    pub fn observe(&mut self, frame: u64, d: &Decoded) -> Option<u64> {
        let (icmp, v6) = match &d.transport {
            TransportRepr::Icmpv4(i) => (i, false),
            TransportRepr::Icmpv6(i) => (i, true),
            _ => return None,
        };
        let (src, dst) = d.net.ip_addrs()?;
        let (request, reply) = if v6 { (128, 129) } else { (8, 0) };
        if icmp.icmp_type == request {
            let key = (src, dst, icmp.echo_id(), icmp.echo_seq(), v6);
            if self.requests.insert(key, frame).is_none() {
                self.order.push_back(key);
                if self.order.len() > MAX_OUTSTANDING
                    && let Some(old) = self.order.pop_front()
                {
                    self.requests.remove(&old);
                }
            }
            None
        } else if icmp.icmp_type == reply {
            let key = (dst, src, icmp.echo_id(), icmp.echo_seq(), v6);
            self.requests.get(&key).copied().filter(|&n| n < frame)
        } else {
            None
        }
    }
}

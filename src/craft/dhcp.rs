//! A DHCP client's exchange (RFC 2131), without I/O: Discover until an Offer, Request until an
//! ACK or a NAK, each sent again every `wait` up to `tries` times, and the Release of a lease.
//! Replies are handed in already read (by the driver, with the DHCP dissector's fields) and
//! are taken only when they carry our transaction ID and our MAC address.

use std::net::Ipv4Addr;
use std::time::Duration;

use crate::wire::dhcp::{BOOTREPLY, DhcpRepr, FLAG_BROADCAST, kind, opt};

/// The options asked for in the Parameter Request List (option 55).
pub const REQUESTED: [u8; 7] = [
    opt::SUBNET_MASK,
    opt::ROUTER,
    opt::DNS,
    opt::DOMAIN_NAME,
    opt::BROADCAST,
    opt::RENEWAL_TIME,
    opt::REBINDING_TIME,
];

/// How the client runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Transaction ID of the exchange (random).
    pub xid: u32,
    /// The client's MAC address (chaddr, and the client identifier's).
    pub mac: [u8; 6],
    /// Host name sent in option 12 (none when empty).
    pub hostname: String,
    /// Ask the server to broadcast its replies (when the MAC is not the interface's own).
    pub broadcast: bool,
    /// Time to wait for an answer before sending again.
    pub wait: Duration,
    /// Messages sent per step (Discover, Request) before giving up.
    pub tries: u8,
}

/// What the driver read of a received BOOTP/DHCP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// BOOTP op (2 for a server's reply).
    pub op: u8,
    /// Transaction ID.
    pub xid: u32,
    /// Client hardware address, when it is a 6-byte Ethernet one.
    pub chaddr: Option<[u8; 6]>,
    /// DHCP message type (option 53).
    pub kind: Option<u8>,
    /// Your IP address (yiaddr).
    pub yiaddr: Ipv4Addr,
    /// Server identifier (option 54).
    pub server_id: Option<Ipv4Addr>,
    /// Subnet mask (option 1).
    pub mask: Option<Ipv4Addr>,
    /// The first router (option 3).
    pub router: Option<Ipv4Addr>,
    /// Lease time in seconds (option 51).
    pub lease_secs: Option<u32>,
}

/// An address offered or leased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The address.
    pub addr: Ipv4Addr,
    /// The server that offers it (its identifier).
    pub server: Ipv4Addr,
    /// Subnet mask.
    pub mask: Option<Ipv4Addr>,
    /// Default router.
    pub router: Option<Ipv4Addr>,
    /// Lease time in seconds.
    pub lease_secs: Option<u32>,
}

impl Lease {
    /// The prefix length of the mask (24 without a mask, or with one that is not contiguous).
    pub fn prefix(&self) -> u8 {
        let m = u32::from(self.mask.unwrap_or(Ipv4Addr::new(255, 255, 255, 0)));
        if m.leading_ones() + m.trailing_zeros() == 32 {
            m.leading_ones() as u8
        } else {
            24
        }
    }
}

/// Where the exchange is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Sending Discovers, waiting for an Offer.
    Selecting,
    /// Sending Requests for the offer taken, waiting for an ACK or a NAK.
    Requesting(Lease),
    /// Acknowledged.
    Bound(Lease),
    /// The server refused the Request.
    Refused {
        /// The refusing server.
        server: Option<Ipv4Addr>,
    },
    /// No Offer came after every Discover.
    NoOffer,
    /// No ACK or NAK came after every Request.
    NoAck(Lease),
}

/// What a received message meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// An Offer, taken.
    Offer(Lease),
    /// The ACK: the lease is ours.
    Ack(Lease),
    /// A NAK.
    Nak,
    /// Not for this exchange (why).
    Ignored(&'static str),
}

/// One client exchange.
#[derive(Debug, Clone)]
pub struct Client {
    cfg: ClientConfig,
    state: State,
    sent: u8,
    next_at: Duration,
}

impl Client {
    /// An exchange whose first Discover is due at `now`.
    pub fn new(cfg: ClientConfig, now: Duration) -> Self {
        Client {
            cfg,
            state: State::Selecting,
            sent: 0,
            next_at: now,
        }
    }

    /// Where the exchange is.
    pub fn state(&self) -> State {
        self.state
    }

    /// The message due at `now`, if any (and gives up when the tries are spent).
    pub fn poll_transmit(&mut self, now: Duration) -> Option<DhcpRepr> {
        if now < self.next_at {
            return None;
        }
        let offer = match self.state {
            State::Selecting => None,
            State::Requesting(l) => Some(l),
            _ => return None,
        };
        if self.sent >= self.cfg.tries {
            self.state = offer.map_or(State::NoOffer, State::NoAck);
            return None;
        }
        self.sent += 1;
        self.next_at = now + self.cfg.wait;
        Some(match offer {
            None => self.message(kind::DISCOVER, None),
            Some(l) => self.message(kind::REQUEST, Some(l)),
        })
    }

    fn message(&self, k: u8, offer: Option<Lease>) -> DhcpRepr {
        let mut m = DhcpRepr::request(self.cfg.xid, self.cfg.mac);
        if self.cfg.broadcast {
            m.flags = FLAG_BROADCAST;
        }
        m.options.push((opt::MESSAGE_TYPE, vec![k]));
        m.options.push((opt::CLIENT_ID, client_id(self.cfg.mac)));
        if let Some(l) = offer {
            m.options
                .push((opt::REQUESTED_IP, l.addr.octets().to_vec()));
            m.options.push((opt::SERVER_ID, l.server.octets().to_vec()));
        }
        if !self.cfg.hostname.is_empty() {
            let name = self.cfg.hostname.as_bytes();
            m.options
                .push((opt::HOST_NAME, name[..name.len().min(63)].to_vec()));
        }
        m.options
            .push((opt::PARAMETER_REQUEST_LIST, REQUESTED.to_vec()));
        m
    }

    /// A received message at `now`: taken when it answers this exchange in its current step.
    pub fn on_reply(&mut self, now: Duration, r: &Reply) -> Event {
        if r.op != BOOTREPLY {
            return Event::Ignored("not a server's reply");
        }
        if r.xid != self.cfg.xid {
            return Event::Ignored("another transaction ID");
        }
        if r.chaddr != Some(self.cfg.mac) {
            return Event::Ignored("another client's MAC address");
        }
        let lease = |r: &Reply, server: Ipv4Addr| Lease {
            addr: r.yiaddr,
            server,
            mask: r.mask,
            router: r.router,
            lease_secs: r.lease_secs,
        };
        match (self.state, r.kind) {
            (State::Selecting, Some(kind::OFFER)) => {
                let Some(server) = r.server_id else {
                    return Event::Ignored("an Offer without a server identifier");
                };
                if !usable(r.yiaddr) {
                    return Event::Ignored("an Offer of an address no host can have");
                }
                let l = lease(r, server);
                self.state = State::Requesting(l);
                self.sent = 0;
                self.next_at = now;
                Event::Offer(l)
            }
            (State::Requesting(offer), Some(kind::ACK)) => {
                if r.server_id.is_some_and(|s| s != offer.server) {
                    return Event::Ignored("an ACK from another server");
                }
                if r.yiaddr != offer.addr {
                    return Event::Ignored("an ACK for another address");
                }
                let l = lease(r, offer.server);
                self.state = State::Bound(l);
                Event::Ack(l)
            }
            (State::Requesting(offer), Some(kind::NAK)) => {
                if r.server_id.is_some_and(|s| s != offer.server) {
                    return Event::Ignored("a NAK from another server");
                }
                self.state = State::Refused {
                    server: r.server_id,
                };
                Event::Nak
            }
            _ => Event::Ignored("not the message this step waits for"),
        }
    }

    /// True when the exchange is over (bound, refused, or out of tries).
    pub fn done(&self) -> bool {
        !matches!(self.state, State::Selecting | State::Requesting(_))
    }

    /// When to wake next.
    pub fn poll_at(&self) -> Duration {
        self.next_at
    }
}

/// Option 61 for an Ethernet client: type 1 and the MAC address.
pub fn client_id(mac: [u8; 6]) -> Vec<u8> {
    let mut v = Vec::with_capacity(7);
    v.push(1);
    v.extend_from_slice(&mac);
    v
}

/// A unicast host address (not 0.0.0.0, broadcast, multicast or loopback).
fn usable(a: Ipv4Addr) -> bool {
    !(a.is_unspecified() || a.is_broadcast() || a.is_multicast() || a.is_loopback())
}

/// A DHCPRELEASE of `addr` to `server` (sent unicast from `addr`).
pub fn release(xid: u32, mac: [u8; 6], addr: Ipv4Addr, server: Ipv4Addr) -> DhcpRepr {
    let mut m = DhcpRepr::request(xid, mac);
    m.ciaddr = addr;
    m.options.push((opt::MESSAGE_TYPE, vec![kind::RELEASE]));
    m.options.push((opt::SERVER_ID, server.octets().to_vec()));
    m.options.push((opt::CLIENT_ID, client_id(mac)));
    m
}

#[cfg(test)]
mod tests;

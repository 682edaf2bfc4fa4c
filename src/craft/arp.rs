//! ARP packets for Ethernet and IPv4 (RFC 826): the one ARP repr is [`crate::wire::arp`]'s,
//! re-exported here for the builder.

pub use crate::wire::arp::{ArpRepr, LEN, REPLY, REQUEST};

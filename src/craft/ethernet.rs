//! Ethernet II headers: the one repr is [`crate::wire::ethernet`]'s, re-exported here for
//! the builder.

pub use crate::wire::ethernet::{
    BROADCAST, ETHERTYPE_ARP, ETHERTYPE_IPV4, EthernetRepr, HEADER_LEN, mac_addr,
};

//! The unit that flows through the pipeline: one captured frame, as read from a source.
//!
//! A [`Frame`] owns its bytes and carries what the capture file said about it (link type,
//! timestamp, original length). Everything downstream (decode, analyse, render, sinks) reads it.
//! The small value types every layer shares live here too: [`LinkType`] and the [`Direction`]
//! a frame crossed the interface (the text of a MAC address is `wire::mac`).
#![forbid(unsafe_code)]

use std::time::Duration;

/// Link-layer header type of a frame (the pcap `LINKTYPE_*` number).
///
/// Kept as a plain number so that unknown link types pass through unchanged; the named
/// constants are the ones the decoder understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: a 4-byte address family in host byte order (`LINKTYPE_NULL`).
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II / IEEE 802.3 (`LINKTYPE_ETHERNET`).
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP, version read from the first nibble (`LINKTYPE_RAW`).
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback: a 4-byte address family in network byte order (`LINKTYPE_LOOP`).
    pub const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1 (`LINKTYPE_LINUX_SLL`), what `tcpdump -i any` wrote before 4.99.
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4 (`LINKTYPE_IPV4`).
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6 (`LINKTYPE_IPV6`).
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2 (`LINKTYPE_LINUX_SLL2`).
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// A short human name, as Wireshark's "Encapsulation type" shows it.
    pub fn name(self) -> &'static str {
        match self {
            LinkType::NULL => "BSD loopback",
            LinkType::ETHERNET => "Ethernet",
            LinkType::RAW => "Raw IP",
            LinkType::LOOP => "OpenBSD loopback",
            LinkType::LINUX_SLL => "Linux cooked-mode capture v1",
            LinkType::IPV4 => "Raw IPv4",
            LinkType::IPV6 => "Raw IPv6",
            LinkType::LINUX_SLL2 => "Linux cooked-mode capture v2",
            _ => "Unknown",
        }
    }
}

/// One captured frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Frame number, 1-based, in file order (Wireshark's `frame.number`).
    pub number: u64,
    /// Capture time since the Unix epoch, at the resolution the file recorded.
    pub timestamp: Duration,
    /// Link-layer type of `data`.
    pub link_type: LinkType,
    /// Length of the frame on the wire (`frame.len`); may exceed `data.len()` when the
    /// capture was cut at the snap length.
    pub orig_len: u32,
    /// Index of the capture interface (pcapng); 0 for pcap.
    pub interface: u32,
    /// The captured bytes (`frame.cap_len` = `data.len()`).
    pub data: Vec<u8>,
}

impl Frame {
    /// Captured length in bytes.
    pub fn caplen(&self) -> usize {
        self.data.len()
    }
}

/// Which way a frame crossed the interface (`epb_flags` bits 0-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Received by this host.
    Inbound,
    /// Sent by this host.
    Outbound,
}

impl Direction {
    /// The `epb_flags` value: 1 inbound, 2 outbound.
    pub fn epb_flags(self) -> u32 {
        match self {
            Direction::Inbound => 1,
            Direction::Outbound => 2,
        }
    }
}

//! The I/O drivers of [`crate::craft`]'s sans-IO engines, for `craft` and `ping`: they own the
//! link, the clock and the terminal.
//!
//! [`station`] joins the neighbour logic and a [`crate::link::Link`] (ARP, the receive loop);
//! [`session`] drives one TCP connection over a station; [`setup`] sets a station up for
//! `ping`, `traceroute` and `dhcp` (addresses, `-w` file, link, capabilities); [`record`]
//! shows and records every frame (through the same pipeline `wirelab read` uses, and a pcapng
//! file).
#![forbid(unsafe_code)]

pub mod record;
pub mod session;
pub mod setup;
pub mod station;

//! The virtual lab: lab 003's computers A, B and C as network namespaces on a switch (with
//! `--routed`, behind router R, with server S on a second subnet), and the answers to each
//! lab's questions computed from captures.
//!
//! - [`topology`]: names, addresses and the commands that build, repair and remove the lab,
//!   planned from what exists (pure); [`system`] reads what exists and runs those commands,
//!   printing each one.
//! - [`services`]: the routed lab's servers (`--services`: DNS, web, TLS, DHCP, NAT), their
//!   configs and pages, planned like the topology.
//! - [`switch`]: the switch's logic, sans I/O — a learning bridge with delay, jitter, seeded
//!   loss and a rate limit; [`switch_driver`] runs it on real ports through pnet;
//!   [`offload`] completes the checksums a sending kernel left to the NIC; [`units`] reads
//!   `20ms`, `1%`, `10mbit`.
//! - [`answer`]: `wirelab lab answer`, one module per lab, from captures only.
//!
//! Nothing here imports the socket demos: a walkthrough runs their binaries on the lab's
//! computers with `wirelab lab exec`.
#![forbid(unsafe_code)]

pub mod answer;
pub mod offload;
pub mod services;
pub mod switch;
pub mod switch_driver;
pub mod system;
pub mod topology;
pub mod units;

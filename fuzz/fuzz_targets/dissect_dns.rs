//! Fuzz target: every dissector of the `dns` module (`src/dissect/dns.rs`) on arbitrary payloads, over UDP
//! and as TCP segments. The check (and what it asserts) is `fuzz/checks/dissect.rs`.
//!
//! Run: `cargo +nightly fuzz run dissect_dns fuzz/seeds/dissect_dns` (from the repository root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirelab::dissect::Dissector;

#[path = "../checks/dissect.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(&[Dissector::Dns, Dissector::Mdns, Dissector::Llmnr, Dissector::Nbns], data));

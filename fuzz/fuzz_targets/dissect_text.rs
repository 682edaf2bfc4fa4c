//! Fuzz target: every dissector of the `text` module (`src/dissect/text.rs`) on arbitrary payloads, over UDP
//! and as TCP segments. The check (and what it asserts) is `fuzz/checks/dissect.rs`.
//!
//! Run: `cargo +nightly fuzz run dissect_text fuzz/seeds/dissect_text` (from the repository root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirelab::dissect::Dissector;

#[path = "../checks/dissect.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(&[Dissector::Smtp, Dissector::Ftp, Dissector::FtpData, Dissector::Pop, Dissector::Imap, Dissector::Imf], data));

//! Fuzz target: arbitrary frames through decode → analyse → every renderer and the JSON sink.
//! The check itself (and what it asserts) is in `fuzz/checks/decode_frame.rs`, shared with
//! the regression test `tests/fuzz_regressions.rs`.
//!
//! Run: `cargo +nightly fuzz run decode_frame fuzz/seeds/decode_frame` (from the repository root).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/decode_frame.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));

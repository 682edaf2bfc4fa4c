//! How the end-to-end tests start the `wirelab` binary: directly, or through the emulator
//! named in `WIRELAB_TEST_RUNNER` when the tests were cross-compiled for a Raspberry Pi.
//!
//! `scripts/cross-test.sh` sets the variable to the command cargo runs the test binaries
//! with (e.g. `qemu-aarch64-static -L /`). Without binfmt_misc, which
//! this sandbox and many CI machines lack, the kernel cannot start an Arm program by itself:
//! a plain `Command::new(BIN)` fails with "Exec format error". Natively the variable is unset
//! and nothing changes.

use std::process::Command;

/// The `wirelab` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_wirelab");

/// A command that runs `wirelab`, through `WIRELAB_TEST_RUNNER` when it is set.
pub fn wirelab() -> Command {
    let runner = std::env::var("WIRELAB_TEST_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    match words.next() {
        Some(program) => {
            let mut cmd = Command::new(program);
            cmd.args(words).arg(BIN);
            cmd
        }
        None => Command::new(BIN),
    }
}

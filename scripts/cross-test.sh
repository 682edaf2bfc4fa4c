#!/usr/bin/env bash
# Cross-builds wirelab for the Raspberry Pi targets and runs the offline part of the test
# suite on each under qemu's user-mode emulation (no Pi needed). .ci/run calls this; it is
# the one place that says which tests run emulated.
#
# Usage: scripts/cross-test.sh [aarch64|armv7]...     (default: both)
#
# First one build for all the targets asked for: a single cargo invocation with one
# --target per target, of the release binary and the tests every target runs (COMMON_TESTS).
# The two Arm builds then share the cores: the long serial parts of one (the wirelab crate
# itself, each test crate, the links) run beside the other's instead of after them. (The host
# crates Debian's toolchain needs, proc macros and build scripts, were already built once for
# both.) Then per target: the build of its remaining tests, the release binary
# target/<triple>/release/wirelab checked to be an Arm ELF file of the right width and run
# emulated on a bundled capture against its render golden, then the tests, run through
# `qemu-<arch>-static -L /` (cargo's CARGO_TARGET_<TRIPLE>_RUNNER). Tests that start
# `wirelab` itself go through the same emulator via WIRELAB_TEST_RUNNER (see
# tests/support/mod.rs); tshark, the independent reference, runs natively. Tests that need
# network namespaces, raw sockets or root stay native in .ci/run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/cross-env.sh
. "$ROOT/scripts/cross-env.sh"

# ---- Which tests run emulated. Extend these lists when an offline test file lands in
# ---- tests/: it reads files or runs tshark, needs no namespace, raw socket or root, and
# ---- starts `wirelab` (if it does) with support::wirelab() (tests/support/mod.rs).
#
# 64-bit Arm: the unit tests, the tshark comparisons of `read` (every capture, every field;
# the TCP analyzer on scripted conversations; frame times and lengths), the render goldens,
# the bad-input tests and the capture larger than 4 GiB.
AARCH64_TESTS=(--lib --bins --test tshark_compare --test tcp_analysis_vs_tshark
    --test source_vs_tshark --test render_golden --test read_errors --test large_capture)
# 32-bit Arm, where `usize` is 32 bits: `read --json` against tshark on every capture, the
# capture larger than 4 GiB, the render goldens and the bad-input tests. (The unit tests are
# left to aarch64: building them costs more CI time than all of these together.)
ARMV7_TESTS=(--test tshark_compare --test large_capture --test render_golden --test read_errors)
# What every target runs (armv7's list, which aarch64's includes), built for all of them in
# the one shared cargo invocation.
COMMON_TESTS=("${ARMV7_TESTS[@]}")
# Tests that check only native tools or the test data (tshark against the goldens, tshark
# on the large capture): they run in the native suite, and would add nothing emulated.
SKIP=(--skip goldens_are_what_tshark_says --skip tshark_sees_the_frame_past_4_gib)

elapsed() { echo "$(($(date +%s) - $1)) s"; }

run_target() {
    local arch=$1 tests t0 t1
    case $arch in
        aarch64 | arm64) tests=("${AARCH64_TESTS[@]}") ;;
        armv7 | armhf) tests=("${ARMV7_TESTS[@]}") ;;
        *) cross_die "unknown target '$arch': say aarch64 or armv7" ;;
    esac
    t0=$(date +%s)
    cross_setup "$arch" qemu
    command -v "${CROSS_RUNNER%% *}" >/dev/null || cross_die "${CROSS_RUNNER%% *} is missing"
    local cargo=("$CROSS_CARGO" test --release --locked --target "$CROSS_TRIPLE" "${tests[@]}")

    echo "== cross ($arch): release build of the rest of its tests" >&2
    (cd "$ROOT" && "${cargo[@]}" --no-run)
    local bin=$ROOT/target/$CROSS_TRIPLE/release/wirelab header
    header=$(cross_check_binary "$bin")
    # What a user sees first: the emulated binary prints the packet list of the render
    # golden (checked by hand against tshark) byte for byte.
    local golden=$ROOT/tests/golden/render/table-tcp-handshake.txt
    if ! $CROSS_RUNNER "$bin" read --color never "$ROOT/captures/tcp-handshake.pcapng" |
        diff -u "$golden" - >&2; then
        cross_die "$arch: the emulated binary does not print $golden"
    fi
    echo "== cross ($arch): $header binary built and prints the golden ($(elapsed "$t0"))" >&2

    echo "== cross ($arch): tests under $CROSS_RUNNER: ${tests[*]}" >&2
    t1=$(date +%s)
    (cd "$ROOT" && env "$CROSS_RUNNER_VAR=$CROSS_RUNNER" WIRELAB_TEST_RUNNER="$CROSS_RUNNER" \
        "${cargo[@]}" -- --test-threads=2 "${SKIP[@]}")
    echo "== cross ($arch): passed; tests $(elapsed "$t1"), total $(elapsed "$t0")" >&2
}

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(aarch64 armv7)
start=$(date +%s)
# The shared build: every target's toolchain set up (each exports its own linker and C
# compiler), then one cargo invocation for all of them.
shared=("$CROSS_CARGO" test --release --locked --no-run "${COMMON_TESTS[@]}")
for arch in "${targets[@]}"; do
    cross_setup "$arch" qemu
    shared+=(--target "$CROSS_TRIPLE")
done
echo "== cross: one release build of wirelab and ${COMMON_TESTS[*]} for ${targets[*]} with $("$CROSS_RUSTC" --version)" >&2
(cd "$ROOT" && "${shared[@]}")
echo "== cross: shared build done ($(elapsed "$start"))" >&2
for arch in "${targets[@]}"; do
    run_target "$arch"
done
# CPU time says more than wall time on a shared machine: both are printed.
# (`times` must run in this shell, not in a pipe's subshell, to see the children's time.)
times_file=$(mktemp)
times >"$times_file"
cpu=$(tail -1 "$times_file" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } printf "%d", t }')
rm -f "$times_file"
echo "== cross: ${targets[*]} passed in $(elapsed "$start") wall, ${cpu} s CPU" >&2

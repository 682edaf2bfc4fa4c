#!/usr/bin/env bash
# Cross-builds wirelab for the Raspberry Pi targets and runs the offline part of the test
# suite on each under qemu's user-mode emulation (no Pi needed). .ci/run calls this; it is
# the one place that says which tests run emulated.
#
# Usage: scripts/cross-test.sh [aarch64|armv7]...     (default: both)
#
# Each target: scripts/cross-build.sh (the release binary a user copies to the Pi), then the
# test binaries built with Debian's toolchain for that target and run through
# `qemu-<arch>-static -L /` (cargo's CARGO_TARGET_<TRIPLE>_RUNNER). Tests
# that start `wirelab` itself go through the same emulator via WIRELAB_TEST_RUNNER (see
# tests/wirelab_bin/mod.rs); tshark and tcpdump, the independent references, run natively.
# Tests needing network namespaces, raw sockets or root stay native in .ci/run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/cross-env.sh
. "$ROOT/scripts/cross-env.sh"

# ---- The offline tests run under emulation. Extend these lists when an offline test file
# ---- lands in tests/ (it reads files or runs tshark; it needs no namespace, raw socket or
# ---- root; if it starts `wirelab`, it does so with wirelab_bin::wirelab()).
#
# 64-bit Arm: unit tests, the tshark comparisons of `read` (every capture, every field; the
# TCP analyzer on scripted conversations; frame times and lengths), the render goldens and
# the bad-input tests.
AARCH64_TESTS=(--lib --bins --test tshark_compare --test tcp_analysis_vs_tshark
    --test source_vs_tshark --test render_golden --test read_errors)
# 32-bit Arm (32-bit usize: length arithmetic that assumes 64 bits shows here): the same.
ARMV7_TESTS=("${AARCH64_TESTS[@]}")
# Test names skipped under emulation because they exercise only native tools: the golden
# freshness check runs tshark and compares its output with the golden files, nothing of
# wirelab's (it runs in the native suite).
SKIP=(--skip goldens_are_what_tshark_says)

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

    echo "== cross ($arch): release build" >&2
    "$ROOT/scripts/cross-build.sh" "$arch" >/dev/null
    local bin=$ROOT/target/$CROSS_TRIPLE/release/wirelab
    # The user-facing check first: the Arm binary, emulated, prints the packet list of the
    # render golden (checked by hand against tshark) byte for byte.
    local golden=$ROOT/tests/golden/render/table-tcp-handshake.txt
    if ! $CROSS_RUNNER "$bin" read --color never "$ROOT/captures/tcp-handshake.pcapng" |
        diff -u "$golden" - >&2; then
        cross_die "$arch: the emulated binary does not print $golden"
    fi

    echo "== cross ($arch): tests under $CROSS_RUNNER: ${tests[*]}" >&2
    t1=$(date +%s)
    (cd "$ROOT" && env "$CROSS_RUNNER_VAR=$CROSS_RUNNER" WIRELAB_TEST_RUNNER="$CROSS_RUNNER" \
        "$CROSS_CARGO" test --release --locked --target "$CROSS_TRIPLE" "${tests[@]}" \
        -- --test-threads=2 "${SKIP[@]}")
    echo "== cross ($arch): passed; tests $(elapsed "$t1"), total $(elapsed "$t0")" >&2
}

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(aarch64 armv7)
for arch in "${targets[@]}"; do
    run_target "$arch"
done

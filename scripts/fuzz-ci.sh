#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a short time from its seed corpus, as CI does
# (.ci/run calls it after the tests). Fails (exit 1) if any target crashes, hangs or breaks
# one of its assertions, naming the target and the saved input.
#
# Usage: scripts/fuzz-ci.sh [SECONDS]      (per target; default 25)
#
# - Installs cargo-fuzz (`cargo install cargo-fuzz --locked`) if it is missing; needs the
#   nightly toolchain (`cargo +nightly`).
# - Builds every target once, optimised (cargo-fuzz's default --release) and without a
#   sanitizer (`--sanitizer none`): the code under test is safe Rust (the one unsafe module,
#   source::ring, is not reached by a target), so AddressSanitizer finds nothing the panics
#   and assertions do not. Measured on a 2-core machine shared with three other builds
#   (wall times are high there, CPU times are the fair comparison): a fresh fuzz/target
#   costs about 305-365 s of CPU with `--sanitizer none` against 479 s with the default
#   (address), and in 10 s a target does 3.8x (lab_switch) to 8x (read_file) more runs
#   without it. The nine 25 s runs then took 218-229 s one after another; they now run one
#   per core side by side. Expect about 3 min of build and
#   4 min of runs on a quiet 2-core CI machine, plus cargo-fuzz's own install the first
#   time.
# - Each target runs from a copy of fuzz/seeds/<target>/ (or of the seeds its "Run:" line
#   names) in a temporary directory, so the repository is not modified; a crashing input is
#   kept in fuzz/artifacts/<target>/ (ignored by git). Minimise it with `cargo +nightly fuzz tmin --sanitizer none TARGET
#   FILE`, save it under fuzz/regressions/<target>/ and tests/fuzz_regressions.rs runs it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
SECS=${1:-25}
case $SECS in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
FLAGS=(--sanitizer none)

start=$(date +%s)
elapsed() { echo "$(($(date +%s) - $1)) s"; }

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "== fuzz: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

cd "$ROOT/fuzz"
mapfile -t targets < <(cargo +nightly fuzz list)
[ "${#targets[@]}" -gt 0 ] || { echo "fuzz: no targets in fuzz/" >&2; exit 1; }

t0=$(date +%s)
echo "== fuzz: building ${#targets[@]} targets (${FLAGS[*]})" >&2
cargo +nightly fuzz build "${FLAGS[@]}"
echo "== fuzz: built in $(elapsed "$t0")" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Targets run side by side, one per core (libFuzzer uses one), at most FUZZ_JOBS at once
# (default: the number of cores, at most 4); each keeps its full time.
jobs=${FUZZ_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
[ "$jobs" -le 4 ] || jobs=4
run_target() {
    local t=$1 corpus=$work/corpus/$1 artifacts=$ROOT/fuzz/artifacts/$1 seeds named log t1 runs input
    mkdir -p "$corpus" "$artifacts"
    # Its own seeds, or those its "Run:" line names (stream_views runs on decode_frame's).
    seeds=$ROOT/fuzz/seeds/$t
    if [ ! -d "$seeds" ]; then
        named=$(grep -o 'fuzz/seeds/[a-z_]*' "$ROOT/fuzz/fuzz_targets/$t.rs" | head -1 || true)
        seeds=$ROOT/${named:-fuzz/seeds/$t}
    fi
    if [ -d "$seeds" ]; then
        cp -r "$seeds/." "$corpus/"
    fi
    # And the inputs that once failed it: the fuzz build checks arithmetic overflow, which
    # the release-mode tests (tests/fuzz_regressions.rs) do not.
    if [ -d "$ROOT/fuzz/regressions/$t" ]; then
        cp -r "$ROOT/fuzz/regressions/$t/." "$corpus/"
    fi
    log=$work/$t.log
    t1=$(date +%s)
    # -timeout: an input that takes longer than 10 s is a hang, and a failure.
    if cargo +nightly fuzz run "${FLAGS[@]}" "$t" "$corpus" -- \
        -max_total_time="$SECS" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        printf '== fuzz: %-14s %10s runs in %s\n' "$t" "${runs:-?}" "$(elapsed "$t1")" >&2
    else
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        echo "== fuzz: $t FAILED after $(elapsed "$t1"); input: ${input:-(none saved)}" >&2
        # The panic (its place and message) or libFuzzer's reason (a timeout, out of memory).
        grep -E -A1 "panicked at" "$log" | head -4 >&2 || true
        grep -E "ERROR: libFuzzer" "$log" | head -2 >&2 || true
        echo "$t: ${input:-see its log}" >"$work/$t.failed"
    fi
}
echo "== fuzz: running ${#targets[@]} targets, $jobs at a time" >&2
running=0
for t in "${targets[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_target "$t" &
    running=$((running + 1))
done
wait
failed=()
for f in "$work"/*.failed; do
    [ -e "$f" ] && failed+=("$(cat "$f")")
done

echo "== fuzz: ${#targets[@]} targets, ${SECS} s each, $(elapsed "$start") in all" >&2
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: ${#failed[@]} target(s) failed:" >&2
    printf '  %s\n' "${failed[@]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# Benchmark: `wirelab send-file` (BLAKE3 digest checked by the receiver, file written to disk)
# against iperf3 (memory to memory), the same number of bytes over loopback, in one run.
#
# Usage: scripts/bench-send-file.sh            (1 GiB, 3 rounds, best round of each)
#        SIZE_MB=256 RUNS=5 scripts/bench-send-file.sh
# Needs: cargo, iperf3, jq, python3. The test file lives in /tmp and is deleted afterwards.
set -euo pipefail

SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
cd "$(dirname "$0")/.."

for tool in iperf3 jq python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done

echo "building wirelab (release)..."
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/wirelab"

WORK=$(mktemp -d /tmp/wirelab-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits (at most 10 s) for "listening on 127.0.0.1:PORT" in a log; prints PORT.
wait_port() {
    local log=$1
    for _ in $(seq 100); do
        if grep -q '^listening on ' "$log" 2>/dev/null; then
            sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1
            return 0
        fi
        sleep 0.1
    done
    echo "bench: the receiver did not start; its output:" >&2
    cat "$log" >&2
    return 1
}

echo "writing a ${SIZE_MB} MiB test file in $WORK..."
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$WORK/data"
cat "$WORK/data" > /dev/null # into the page cache, as iperf3's buffer is in memory
mkdir "$WORK/rx"
BYTES=$((SIZE_MB * 1024 * 1024))

best_iperf=0
best_wirelab=0
for run in $(seq "$RUNS"); do
    # iperf3: one TCP stream, the same number of bytes, receiver-side rate.
    port=$(free_port)
    iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
    PIDS+=($!)
    sleep 0.3
    iperf_bps=$(iperf3 -c 127.0.0.1 -p "$port" -n "$BYTES" -J | jq '.end.sum_received.bits_per_second')
    wait "${PIDS[-1]}" 2>/dev/null || true

    # wirelab: receiver writes to disk and checks the BLAKE3 digest before keeping the file;
    # the sender's rate runs from the receiver's go-ahead to its "digest verified" verdict.
    rm -f "$WORK/rx/data"
    log="$WORK/recv.log"
    "$BIN" recv-file --once --bind 127.0.0.1 --port 0 --dir "$WORK/rx" --interval 0 >"$log" 2>&1 &
    PIDS+=($!)
    port=$(wait_port "$log")
    sent=$("$BIN" send-file "127.0.0.1:$port" "$WORK/data" --interval 0)
    wait "${PIDS[-1]}"
    grep -q 'matches: saved' "$log" || { echo "bench: the receiver did not save the file" >&2; cat "$log" >&2; exit 1; }
    wirelab_mbps=$(sed -n 's/.* sent [0-9]* bytes .* = \([0-9.]*\) Mbit\/s$/\1/p' <<<"$sent")

    iperf_g=$(python3 -c "print(f'{$iperf_bps/1e9:.2f}')")
    wirelab_g=$(python3 -c "print(f'{$wirelab_mbps/1e3:.2f}')")
    printf 'round %d: iperf3 %6s Gbit/s   send-file %6s Gbit/s\n' "$run" "$iperf_g" "$wirelab_g"
    best_iperf=$(python3 -c "print(max($best_iperf, $iperf_bps/1e9))")
    best_wirelab=$(python3 -c "print(max($best_wirelab, $wirelab_mbps/1e3))")
done

python3 - "$SIZE_MB" "$best_iperf" "$best_wirelab" <<'EOF'
import sys
size, iperf, wirelab = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print()
print(f"{size} MiB over loopback, best of each:")
print(f"  iperf3     {iperf:6.2f} Gbit/s  (memory to memory, no digest)")
print(f"  send-file  {wirelab:6.2f} Gbit/s  (file to file, BLAKE3 checked)")
print(f"  ratio      {100 * wirelab / iperf:5.1f} % of iperf3 (target: 80 %)")
EOF

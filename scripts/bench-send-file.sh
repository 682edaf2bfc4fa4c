#!/usr/bin/env bash
# Benchmark: `wirelab send-file` (file to file, BLAKE3 digest checked by the receiver) against
# iperf3 over loopback, the same number of bytes, in one run. iperf3 runs twice per round:
# memory to memory (its default, the headline figure) and file to file (-F on both ends, what
# send-file does).
#
# Usage: scripts/bench-send-file.sh            (1 GiB, 5 rounds; median and best of each)
#        SIZE_MB=256 RUNS=9 scripts/bench-send-file.sh
# The two file-to-file runs take turns going first; each starts after `sync`.
# Needs: cargo, iperf3, jq, python3. The test file lives in /tmp and is deleted afterwards.
set -euo pipefail

SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-5}
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
sync                         # no write-back of the test file during the measurements
mkdir "$WORK/rx"
BYTES=$((SIZE_MB * 1024 * 1024))

ROUNDS="$WORK/rounds"
# iperf3, one TCP stream, memory to memory, the same number of bytes; prints bit/s.
run_iperf() {
    local port
    port=$(free_port)
    iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
    PIDS+=($!)
    sleep 0.3
    iperf3 -c 127.0.0.1 -p "$port" -n "$BYTES" -J | jq '.end.sum_received.bits_per_second'
    wait "${PIDS[-1]}" 2>/dev/null || true
}

# Prepares a file-to-file run: no write-back of earlier files in flight.
prepare_file_run() {
    sync
}

# iperf3 file to file: the client reads the test file, the server writes it; prints bit/s.
run_iperf_file() {
    local port
    prepare_file_run
    port=$(free_port)
    iperf3 -s -1 -B 127.0.0.1 -p "$port" -F "$WORK/rx/iperf.out" >/dev/null 2>&1 &
    PIDS+=($!)
    sleep 0.3
    iperf3 -c 127.0.0.1 -p "$port" -F "$WORK/data" -J | jq '.end.sum_received.bits_per_second'
    wait "${PIDS[-1]}" 2>/dev/null || true
    rm -f "$WORK/rx/iperf.out"
}

# wirelab: the receiver writes the file and checks the BLAKE3 digest before keeping it; the
# sender's rate runs from the receiver's go-ahead to its "digest verified" verdict. Prints bit/s.
run_wirelab() {
    local port log="$WORK/recv.log" sent mbps
    prepare_file_run
    "$BIN" recv-file --once --bind 127.0.0.1 --port 0 --dir "$WORK/rx" --interval 0 >"$log" 2>&1 &
    PIDS+=($!)
    port=$(wait_port "$log")
    sent=$("$BIN" send-file "127.0.0.1:$port" "$WORK/data" --interval 0)
    wait "${PIDS[-1]}"
    grep -q 'matches: saved' "$log" || { echo "bench: the receiver did not save the file" >&2; cat "$log" >&2; exit 1; }
    rm -f "$WORK/rx/data"
    mbps=$(sed -n 's/.* sent [0-9]* bytes .* = \([0-9.]*\) Mbit\/s$/\1/p' <<<"$sent")
    python3 -c "print($mbps * 1e6)"
}

for run in $(seq "$RUNS"); do
    iperf_bps=$(run_iperf)
    # The two file-to-file runs take turns going first.
    if ((run % 2)); then
        wirelab_bps=$(run_wirelab)
        iperf_file_bps=$(run_iperf_file)
    else
        iperf_file_bps=$(run_iperf_file)
        wirelab_bps=$(run_wirelab)
    fi
    python3 -c "print(f'round $run: iperf3 {$iperf_bps/1e9:6.2f}   iperf3 -F {$iperf_file_bps/1e9:6.2f}   send-file {$wirelab_bps/1e9:6.2f}  Gbit/s')"
    echo "$iperf_bps $iperf_file_bps $wirelab_bps" >> "$ROUNDS"
done

python3 - "$SIZE_MB" "$ROUNDS" <<'EOF'
import statistics, sys
size, path = int(sys.argv[1]), sys.argv[2]
rows = [list(map(float, line.split())) for line in open(path)]
iperf = [r[0] / 1e9 for r in rows]
iperf_file = [r[1] / 1e9 for r in rows]
wirelab = [r[2] / 1e9 for r in rows]
print()
print(f"{size} MiB over loopback, {len(rows)} rounds (Gbit/s)   median    best")
for name, values, what in [
    ("iperf3   ", iperf, "memory to memory, no digest"),
    ("iperf3 -F", iperf_file, "file to file, no digest"),
    ("send-file", wirelab, "file to file, BLAKE3 checked"),
]:
    print(f"  {name}                       {statistics.median(values):6.2f}  {max(values):6.2f}   ({what})")
for name, ref in [("iperf3   ", iperf), ("iperf3 -F", iperf_file)]:
    print(
        f"  send-file / {name}: median {100 * statistics.median(wirelab) / statistics.median(ref):5.1f} %,"
        f" best {100 * max(wirelab) / max(ref):5.1f} %" + ("   (target: 80 % of iperf3)" if ref is iperf else "")
    )
EOF

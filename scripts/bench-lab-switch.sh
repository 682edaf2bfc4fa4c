#!/usr/bin/env bash
# Benchmark: the lab's user-space switch (`wirelab lab switch`, pnet on veth ports) against the
# kernel bridge it stands in for, side by side in one run, in a virtual lab of its own:
#   - TCP throughput from B to A (iperf3, RUN_S seconds);
#   - small frames: UDP datagrams of 64 bytes from B to A at full speed (iperf3 -u -b 0),
#     datagrams per second received and the share lost;
#   - the switch's peak memory (VmHWM) after each test, to show it does not grow with traffic.
# Each mode runs ROUNDS times, alternating; the median is reported.
#
# Usage: sudo scripts/bench-lab-switch.sh        (RUN_S=5 ROUNDS=3)
# Needs: root, iperf3, jq. The lab (namespaces wlbench<pid>-*) is removed at exit.
set -euo pipefail

RUN_S=${RUN_S:-5}
ROUNDS=${ROUNDS:-3}
cd "$(dirname "$0")/.."

for tool in iperf3 jq; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "bench: run it as root (sudo): it makes network namespaces" >&2; exit 2; }

echo "building wirelab (release)..."
cargo build --release --quiet
BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/release/wirelab"
export WIRELAB_LAB="bench$$"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    "$BIN" lab down >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One round in the current mode: prints "tcp_bps udp_pps udp_loss_pct".
round() {
    "$BIN" lab exec -q A -- iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    PIDS+=($!)
    sleep 0.5
    local tcp
    tcp=$("$BIN" lab exec -q B -- iperf3 -c 10.0.3.1 -p 5201 -t "$RUN_S" -J |
        jq '.end.sum_received.bits_per_second')
    wait "${PIDS[-1]}" 2>/dev/null || true
    "$BIN" lab exec -q A -- iperf3 -s -1 -p 5202 >/dev/null 2>&1 &
    PIDS+=($!)
    sleep 0.5
    local udp
    udp=$("$BIN" lab exec -q B -- iperf3 -c 10.0.3.1 -p 5202 -u -l 64 -b 0 -t "$RUN_S" -J |
        jq -r '.end.sum | "\((.packets - .lost_packets) / .seconds) \(.lost_percent * 10 | round / 10)"')
    wait "${PIDS[-1]}" 2>/dev/null || true
    echo "$tcp $udp"
}

declare -A TCP UDP LOSS HWM
for r in $(seq "$ROUNDS"); do
    for mode in bridge user; do
        if [ "$mode" = bridge ]; then
            "$BIN" lab up >/dev/null
        else
            "$BIN" lab up --user-switch >/dev/null
        fi
        read -r tcp pps loss < <(round)
        TCP[$mode]+="$tcp "
        UDP[$mode]+="$pps "
        LOSS[$mode]+="$loss "
        if [ "$mode" = user ]; then
            pid=$(ip netns pids "wl$WIRELAB_LAB-sw" | head -n 1)
            HWM[$mode]+="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status") "
        fi
        echo "round $r $mode: TCP $(awk -v b="$tcp" 'BEGIN {printf "%.2f", b / 1e9}') Gbit/s, UDP 64 B: $(printf '%.0f' "$pps") datagrams/s, lost ${loss}%"
    done
done

med() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
tb=$(med "${TCP[bridge]}"); tu=$(med "${TCP[user]}")
pb=$(med "${UDP[bridge]}"); pu=$(med "${UDP[user]}")
echo
echo "median of $ROUNDS rounds, $RUN_S s each:"
printf '| switch | TCP B→A | UDP 64-byte datagrams/s | lost |\n|---|---:|---:|---:|\n'
printf '| kernel bridge | %.2f Gbit/s | %.0f | %s%% |\n' "$(awk -v b="$tb" 'BEGIN{print b/1e9}')" "$pb" "$(med "${LOSS[bridge]}")"
printf '| wirelab lab switch | %.2f Gbit/s | %.0f | %s%% |\n' "$(awk -v b="$tu" 'BEGIN{print b/1e9}')" "$pu" "$(med "${LOSS[user]}")"
printf 'ratios (user-space / kernel): TCP %.2f, datagrams %.2f\n' \
    "$(awk -v a="$tu" -v b="$tb" 'BEGIN{print a/b}')" "$(awk -v a="$pu" -v b="$pb" 'BEGIN{print a/b}')"
echo "switch peak memory (VmHWM, kB) after each round: ${HWM[user]}"

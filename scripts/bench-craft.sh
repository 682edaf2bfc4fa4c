#!/usr/bin/env bash
# Benchmark: `wirelab craft` (every header built by hand, sent on a raw socket) against a kernel
# TCP client (Python's socket module: connect, sendall), side by side in one run, over a veth
# pair between two network namespaces this script creates and removes (trap).
#
#   1. Handshake: median of HANDSHAKES connections each. craft's figure is its own "SYN sent to
#      SYN-ACK accepted" (it sends the ACK right then); the kernel's is the time connect()
#      takes (SYN out, SYN-ACK in, ACK out).
#   2. Goodput: SIZE_MB of random data to a plain Python server, RUNS rounds, taking turns
#      going first. Both are timed the same way, by the server: from accept() to EOF.
#      Measured twice: with the veth defaults (no GRO on the server's side: every 1500-byte
#      frame is one packet for its kernel), and with GRO on at the server's veth, as an
#      Ethernet card does by default (needs ethtool; skipped without it).
#
# Usage: sudo scripts/bench-craft.sh                 (200 handshakes, 64 MiB, 5 rounds)
#        sudo HANDSHAKES=50 SIZE_MB=16 RUNS=3 scripts/bench-craft.sh
# Needs: root, cargo, python3, iproute2 (ethtool for the GRO half). Nothing touches the root
# namespace; namespaces are named wlbc{s,c}-PID and deleted on exit.
set -euo pipefail

HANDSHAKES=${HANDSHAKES:-200}
SIZE_MB=${SIZE_MB:-64}
RUNS=${RUNS:-5}
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces, raw sockets)" >&2; exit 2; }
for tool in python3 ip; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done

echo "building wirelab (release)..."
cargo build --release --quiet
BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/release/wirelab"
SINK="$(pwd)/tests/support/tcp_sink.py"

S="wlbcs-$$"
C="wlbcc-$$"
WORK=$(mktemp -d /tmp/wirelab-bench-craft.XXXXXX)
cleanup() {
    for ns in "$S" "$C"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add "$S"
ip netns add "$C"
ip -n "$S" link set lo up
ip -n "$C" link set lo up
ip -n "$S" link add eth0 type veth peer name eth0 netns "$C"
ip -n "$S" addr add 10.0.3.1/24 dev eth0
ip -n "$C" addr add 10.0.3.2/24 dev eth0
ip -n "$S" link set eth0 up
ip -n "$C" link set eth0 up
CRAFT_IP=10.0.3.20

start_sink() { # port log [args...]
    local port=$1 log=$2
    shift 2
    ip netns exec "$S" python3 -u "$SINK" "$port" "$@" > "$log" 2>&1 &
    disown # killed by cleanup; no "Killed" notice from the shell
    for _ in $(seq 100); do
        grep -q '^listening on' "$log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench: the server did not start:" >&2
    cat "$log" >&2
    return 1
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
best() { sort -g | head -n 1; }
best_max() { sort -g | tail -n 1; }

echo "== handshakes: $HANDSHAKES connections each"
start_sink 9100 "$WORK/hs.log"
# Kernel: the time connect() takes, in ms, one line per connection.
ip netns exec "$C" python3 - "$HANDSHAKES" > "$WORK/hs-kernel" <<'EOF'
import socket, sys, time
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t = time.perf_counter()
    s.connect(("10.0.3.1", 9100))
    print("%.6f" % ((time.perf_counter() - t) * 1000))
    s.shutdown(socket.SHUT_WR)
    s.recv(64)
    s.close()
EOF
# craft: its own handshake figure from the summary, one run per connection.
: > "$WORK/hs-craft"
for i in $(seq "$HANDSHAKES"); do
    ip netns exec "$C" "$BIN" craft --iface eth0 --to 10.0.3.1:9100 --src-ip "$CRAFT_IP" \
        --message '' --quiet --time-wait 0 2>&1 >/dev/null |
        sed -n 's/^  handshake  \([0-9.]*\) ms.*/\1/p' >> "$WORK/hs-craft"
done
n_craft=$(wc -l < "$WORK/hs-craft")
[ "$n_craft" -eq "$HANDSHAKES" ] || echo "bench: warning: $n_craft of $HANDSHAKES craft handshakes completed" >&2
hs_k=$(median < "$WORK/hs-kernel")
hs_c=$(median < "$WORK/hs-craft")

echo "== goodput: $SIZE_MB MiB, $RUNS rounds per configuration"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$WORK/data"
BYTES=$((SIZE_MB * 1024 * 1024))
start_sink 9200 "$WORK/gp.log" --no-digest

kernel_send() {
    ip netns exec "$C" python3 - "$WORK/data" <<'EOF'
import socket, sys
data = open(sys.argv[1], "rb").read()
s = socket.create_connection(("10.0.3.1", 9200))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
s.recv(64)
s.close()
EOF
}
craft_send() {
    ip netns exec "$C" "$BIN" craft --iface eth0 --to 10.0.3.1:9200 --src-ip "$CRAFT_IP" \
        --file "$WORK/data" --quiet --time-wait 0 > /dev/null 2> "$WORK/craft-last.log" ||
        { echo "bench: craft failed:" >&2; cat "$WORK/craft-last.log" >&2; }
}
# The server's time for the connection it reported last, in MB/s (10^6 bytes per second).
last_rate() {
    local before=$1
    for _ in $(seq 600); do
        [ "$(grep -c '^received' "$WORK/gp.log")" -gt "$before" ] && break
        sleep 0.1
    done
    grep '^received' "$WORK/gp.log" | tail -n 1 |
        awk -v want="$BYTES" '{ if ($2 != want) { print "short"; exit } print $2 / $NF / 1e6 }'
}

run_rounds() { # label
    local label=$1
    : > "$WORK/gp-kernel-$label"
    : > "$WORK/gp-craft-$label"
    for r in $(seq "$RUNS"); do
        for who in $( ((r % 2)) && echo "kernel craft" || echo "craft kernel"); do
            local before
            before=$(grep -c '^received' "$WORK/gp.log" || true)
            "${who}_send"
            last_rate "$before" >> "$WORK/gp-$who-$label"
        done
    done
}

run_rounds plain
HAVE_GRO=no
if command -v ethtool >/dev/null && ip netns exec "$S" ethtool -K eth0 gro on 2>/dev/null; then
    HAVE_GRO=yes
    run_rounds gro
    ip netns exec "$S" ethtool -K eth0 gro off || true
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "-" }'; }
echo
echo "Results ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r))"
echo
echo "| | kernel TCP client | wirelab craft | craft / kernel |"
echo "|---|---:|---:|---:|"
printf "| handshake, median of %s | %.3f ms | %.3f ms | %s of the time |\n" \
    "$HANDSHAKES" "$hs_k" "$hs_c" "$(ratio "$hs_c" "$hs_k")"
for label in plain gro; do
    [ "$label" = gro ] && [ "$HAVE_GRO" = no ] && continue
    name="goodput, $SIZE_MB MiB, veth defaults"
    [ "$label" = gro ] && name="goodput, $SIZE_MB MiB, GRO on at the server"
    k_med=$(grep -v short "$WORK/gp-kernel-$label" | median)
    c_med=$(grep -v short "$WORK/gp-craft-$label" | median)
    k_best=$(grep -v short "$WORK/gp-kernel-$label" | best_max)
    c_best=$(grep -v short "$WORK/gp-craft-$label" | best_max)
    printf "| %s: median | %.1f MB/s | %.1f MB/s | %s |\n" "$name" "$k_med" "$c_med" "$(ratio "$c_med" "$k_med")"
    printf "| %s: best | %.1f MB/s | %.1f MB/s | %s |\n" "$name" "$k_best" "$c_best" "$(ratio "$c_best" "$k_best")"
    if grep -q short "$WORK/gp-craft-$label" "$WORK/gp-kernel-$label"; then
        echo "bench: warning: some transfers were short (see the server log)" >&2
    fi
done
echo
echo "craft handshakes: min $(best < "$WORK/hs-craft") ms, max $(best_max < "$WORK/hs-craft") ms;" \
    "kernel: min $(best < "$WORK/hs-kernel") ms, max $(best_max < "$WORK/hs-kernel") ms"

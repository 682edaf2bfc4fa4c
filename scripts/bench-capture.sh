#!/usr/bin/env bash
# Capture benchmark: iperf3 for 10 s across a veth pair while `wirelab capture -w` and, in
# turn, `tcpdump -w` capture the server's side, at full snaplen and at 128 bytes, side by side
# in one run. For each run it reports the packets the interface itself counted (rx + tx, its
# own counters are the truth), the packets kept in the file (capinfos), the kernel's drops as
# the tool reports them, and the CPU the tool used (GNU time), per packet kept.
#
# Needs root (network namespaces), iperf3, tcpdump, capinfos (tshark's package) and GNU time.
# Everything runs in two namespaces made here (wlbs-PID / wlbc-PID, 10.0.3.1 and 10.0.3.2);
# nothing touches the root namespace, and the namespaces are deleted on exit.
#
#   sudo scripts/bench-capture.sh [SECONDS] [ROUNDS]     (default 10 s, 1 round)
#   BENCH_DIR=/some/disk scripts/bench-capture.sh         (where the capture files go)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
rounds="${2:-1}"
bin="$PWD/target/release/wirelab"
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }
for t in iperf3 tcpdump capinfos /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; }
done
cargo build --release --quiet
dir="$(mktemp -d "${BENCH_DIR:-/tmp}/wl-bench-capture.XXXXXX")"
srv="wlbs-$$-0"
cli="wlbc-$$-0"
cleanup() {
    for ns in "$srv" "$cli"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$srv"
ip netns add "$cli"
ip -n "$srv" link set lo up
ip -n "$cli" link set lo up
ip -n "$srv" link add eth0 type veth peer name eth0 netns "$cli"
ip -n "$srv" addr add 10.0.3.1/24 dev eth0
ip -n "$cli" addr add 10.0.3.2/24 dev eth0
ip -n "$srv" link set eth0 up
ip -n "$cli" link set eth0 up
ip netns exec "$srv" iperf3 -s -D -1 >/dev/null 2>&1 || true
sleep 0.5

counters() {
    local rx tx
    rx=$(ip netns exec "$srv" cat /sys/class/net/eth0/statistics/rx_packets)
    tx=$(ip netns exec "$srv" cat /sys/class/net/eth0/statistics/tx_packets)
    echo $((rx + tx))
}

# run TOOL SNAPLEN: prints "tool snaplen seen kept dropped cpu_s gbits bytes_kept"
run() {
    local tool="$1" snap="$2" file="$dir/$1-$2.pcapng" log="$dir/$1-$2.log" tlog="$dir/$1-$2.time"
    rm -f "$file"
    ip netns exec "$srv" iperf3 -s -D -1 >/dev/null 2>&1 || true
    sleep 0.3
    local cmd
    if [ "$tool" = tcpdump ]; then
        if [ "$snap" = full ]; then cmd=(tcpdump -n -i eth0 -w "$file"); else cmd=(tcpdump -n -i eth0 -s "$snap" -w "$file"); fi
    else
        if [ "$snap" = full ]; then cmd=("$bin" capture -i eth0 --quiet -w "$file"); else cmd=("$bin" capture -i eth0 --quiet -s "$snap" -w "$file"); fi
    fi
    ip netns exec "$srv" /usr/bin/time -f "%U %S" -o "$tlog" timeout -s INT $((secs + 3)) "${cmd[@]}" >"$log" 2>&1 &
    local pid=$!
    sleep 1
    local before after gbits
    before=$(counters)
    gbits=$(ip netns exec "$cli" iperf3 -c 10.0.3.1 -t "$secs" -f g 2>/dev/null | awk '/sender/ {print $7}')
    after=$(counters)
    wait "$pid" || true
    local kept dropped cpu
    kept=$(capinfos -M -c "$file" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
    local bytes
    bytes=$(capinfos -M -d "$file" 2>/dev/null | awk -F: '/Data size/ {gsub(/[^0-9]/,"",$2); print $2}')
    if [ "$tool" = tcpdump ]; then
        dropped=$(awk '/dropped by kernel/ {print $1}' "$log")
    else
        dropped=$(sed -n 's/.*and dropped \([0-9,]*\).*/\1/p' "$log" | tr -d ,)
    fi
    cpu=$(tail -1 "$tlog" | awk '{printf "%.2f", $1 + $2}')
    [ -n "$dropped" ] || { echo "($tool $snap: no drop count in its output:)" >&2; tail -3 "$log" >&2; }
    rm -f "$file"
    echo "$tool $snap $((after - before)) ${kept:-0} ${dropped:-?} $cpu ${gbits:-?} ${bytes:-0}"
}

results="$dir/results"
: >"$results"
for r in $(seq 1 "$rounds"); do
    for snap in full 128; do
        for tool in tcpdump wirelab; do
            run "$tool" "$snap" | tee -a "$results"
        done
    done
done

echo
printf '%-8s %-5s %12s %12s %7s %10s %8s %12s %10s %8s\n' tool snap "seen(if)" kept kept% "kernel-dr" "cpu s" "cpu µs/kept" "cpu ms/GB" "Gbit/s"
awk '{
    pct = ($3 > 0) ? 100 * $4 / $3 : 0;
    us = ($4 > 0) ? 1e6 * $6 / $4 : 0;
    msgb = ($8 > 0) ? 1e12 * $6 / $8 : 0;
    printf "%-8s %-5s %12d %12d %6.1f%% %10s %8.2f %12.2f %10.1f %8s\n", $1, $2, $3, $4, pct, $5, $6, us, msgb, $7
}' "$results"

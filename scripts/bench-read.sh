#!/usr/bin/env bash
# Benchmark `wirelab read` against tcpdump and tshark on a large capture of REAL traffic.
#
# Makes (or reuses) a pcapng of >= 200,000 packets: iperf3 TCP with small writes (200-byte,
# TCP_NODELAY, paced) plus iperf3 UDP, on the loopback of a private network namespace
# (MTU 1500), captured by tcpdump and converted with editcap -F pcapng. Builds wirelab in
# release mode, then runs in one go, measuring wall time and peak RSS with GNU time:
#   wirelab read FILE, wirelab read --json FILE, tcpdump -nn -r FILE, tshark -n -r FILE,
#   tshark -n -r FILE -T fields -e frame.number -e ip.src -e tcp.seq   (all > /dev/null)
# and prints a markdown table with ratios. A command that fails shows as "failed" (the
# others still run), so the script is usable before wirelab's read is finished.
#
# Usage: scripts/bench-read.sh [--packets N] [--runs R] [--mem-check] [--file F] [--no-build]
#   --packets N   packets in the benchmark capture (default 200000)
#   --runs R      run each command R times; report the fastest run and the largest RSS (default 1)
#   --mem-check   also make a 1,000,000-packet capture and compare wirelab's peak RSS at 1M
#                 with its RSS at N packets (a streaming reader stays flat)
#   --file F      benchmark F instead of a generated capture
#   --no-build    use the wirelab binary already built
# Needs root to make captures (network namespace). Captures are kept in $BENCH_DIR
# (default /tmp/wirelab-bench) and reused when they have enough packets.
# Needs GNU time (/usr/bin/time, Debian package `time`): installed here with apt-get if
# missing and we are root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/wirelab-bench}
PACKETS=200000
RUNS=1
MEM_CHECK=0
FILE=
BUILD=1
while [ $# -gt 0 ]; do
    case $1 in
        --packets) PACKETS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --mem-check) MEM_CHECK=1; shift ;;
        --file) FILE=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-read.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench-read.sh: %s\n' "$*" >&2; exit 1; }

GNU_TIME=/usr/bin/time
if ! "$GNU_TIME" -f %e true >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing GNU time (package 'time')"
        apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
    fi
    "$GNU_TIME" -f %e true >/dev/null 2>&1 || die "GNU time missing: apt-get install time"
fi
for tool in tcpdump tshark editcap capinfos; do
    command -v "$tool" >/dev/null || die "$tool not found"
done

count_frames() { capinfos -M -c "$1" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}'; }

# ---------------------------------------------------------------- making the capture

NS="wlbench$$"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if ip netns list 2>/dev/null | grep -q "^$NS\b"; then
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$NS" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bounded_wait PID SECONDS: wait for PID to end, at most SECONDS.
bounded_wait() {
    local pid=$1 limit=$2 i
    for ((i = 0; i < limit * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    return 1
}

# make_capture N OUT: N packets of iperf3 TCP (small writes) + UDP on a namespace's loopback.
make_capture() {
    local n=$1 out=$2 raw="$2.raw.pcap" log="$2.tcpdump.log" pid tcp udp i
    [ "$(id -u)" = 0 ] || die "making a capture needs root (network namespace); or pass --file"
    command -v iperf3 >/dev/null || die "iperf3 not found"
    log "capturing $n packets of loopback iperf3 traffic into $out"
    ip netns add "$NS"
    ip -n "$NS" link set lo mtu 1500
    ip -n "$NS" link set lo up
    ip netns exec "$NS" sysctl -qw net.ipv4.tcp_autocorking=0
    ip netns exec "$NS" tcpdump -n -i lo --immediate-mode -U -c "$n" -w "$raw" 2>"$log" &
    pid=$!
    PIDS+=("$pid")
    for ((i = 0; i < 200; i++)); do grep -q 'listening on' "$log" 2>/dev/null && break; sleep 0.05; done
    ip netns exec "$NS" iperf3 -s -p 5201 >/dev/null 2>&1 &
    PIDS+=("$!")
    ip netns exec "$NS" iperf3 -s -p 5202 >/dev/null 2>&1 &
    PIDS+=("$!")
    sleep 0.5
    # Paced small writes keep segments small (one write, one segment).
    ip netns exec "$NS" iperf3 -c 127.0.0.1 -p 5201 -t 300 -l 200 -N -b 60M >/dev/null 2>&1 &
    tcp=$!
    PIDS+=("$tcp")
    ip netns exec "$NS" iperf3 -c 127.0.0.1 -p 5202 -u -t 300 -l 100 -b 4M >/dev/null 2>&1 &
    udp=$!
    PIDS+=("$udp")
    bounded_wait "$pid" 300 || die "tcpdump did not get $n packets in 300 s"
    cleanup
    PIDS=()
    editcap -F pcapng "$raw" "$out"
    rm -f "$raw" "$log"
    log "$out: $(count_frames "$out") packets, $(du -m "$out" | cut -f1) MiB"
}

# capture_for N: sets CAPTURE to a reusable capture with at least N packets (made if needed).
capture_for() {
    local n=$1 f="$BENCH_DIR/loopback-$1.pcapng"
    mkdir -p "$BENCH_DIR"
    if [ -s "$f" ] && [ "$(count_frames "$f")" -ge "$n" ] 2>/dev/null; then
        log "reusing $f"
    else
        make_capture "$n" "$f"
    fi
    CAPTURE=$f
}

# ---------------------------------------------------------------- measuring

WIRELAB=${CARGO_TARGET_DIR:-$ROOT/target}/release/wirelab
if [ "$BUILD" = 1 ]; then
    log "building wirelab (release)"
    (cd "$ROOT" && cargo build --release --quiet) || log "cargo build failed: wirelab rows will fail"
fi

# measure NAME CMD...: fills TIME[NAME] (best of RUNS, s) and RSS[NAME] (max, KiB);
# STATUS[NAME] is "ok" or "failed".
declare -A TIME RSS STATUS
measure() {
    local name=$1 r out best="" rss=0 t m
    shift
    out=$(mktemp)
    STATUS[$name]=ok
    for ((r = 0; r < RUNS; r++)); do
        if ! "$GNU_TIME" -f '%e %M' -o "$out" "$@" >/dev/null 2>"$out.err"; then
            STATUS[$name]=failed
            log "$name failed: $(head -c 300 "$out.err" | tr '\n' ' ')"
            break
        fi
        read -r t m <"$out"
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    TIME[$name]=${best:-0}
    RSS[$name]=$rss
    rm -f "$out" "$out.err"
}

# ratio A B: A/B with 2 decimals, or "–" when either is missing/zero.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "–" }'; }
pps() { awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f", n / t; else printf "–" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

bench_file() {
    local file=$1 n
    n=$(count_frames "$file")
    log "benchmarking $file ($n packets, $RUNS run(s) each)"
    measure wl_table "$WIRELAB" read "$file"
    measure wl_json "$WIRELAB" read --json "$file"
    measure tcpdump tcpdump -nn -r "$file"
    measure tshark tshark -n -r "$file"
    measure tshark_fields tshark -n -r "$file" -T fields -e frame.number -e ip.src -e tcp.seq

    echo
    echo "### wirelab read vs tcpdump/tshark: $(basename "$file"), $n packets"
    echo
    echo "Machine: $(nproc) cores, $(uname -r); $(tcpdump --version 2>&1 | head -1); $(tshark --version 2>/dev/null | head -1 | sed 's/ (Git.*//')."
    echo
    echo "| command | status | time (s) | packets/s | peak RSS (MiB) |"
    echo "|---|---|---:|---:|---:|"
    local k label
    for k in wl_table wl_json tcpdump tshark tshark_fields; do
        case $k in
            wl_table) label='`wirelab read FILE`' ;;
            wl_json) label='`wirelab read --json FILE`' ;;
            tcpdump) label='`tcpdump -nn -r FILE`' ;;
            tshark) label='`tshark -n -r FILE`' ;;
            tshark_fields) label='`tshark -n -r FILE -T fields -e frame.number -e ip.src -e tcp.seq`' ;;
        esac
        if [ "${STATUS[$k]}" = ok ]; then
            echo "| $label | ok | ${TIME[$k]} | $(pps "$n" "${TIME[$k]}") | $(mib "${RSS[$k]}") |"
        else
            echo "| $label | failed | – | – | – |"
        fi
    done
    echo
    echo "Ratios (speed = other's time / wirelab's time, > 1 means wirelab is faster; RSS = wirelab's / other's):"
    echo
    echo "| comparison | speed | RSS |"
    echo "|---|---:|---:|"
    local a b
    for pair in "wl_table tcpdump" "wl_table tshark" "wl_json tshark_fields"; do
        read -r a b <<<"$pair"
        if [ "${STATUS[$a]}" = ok ] && [ "${STATUS[$b]}" = ok ]; then
            echo "| $a vs $b | $(ratio "${TIME[$b]}" "${TIME[$a]}") | $(ratio "${RSS[$a]}" "${RSS[$b]}") |"
        else
            echo "| $a vs $b | – | – |"
        fi
    done
}

if [ -n "$FILE" ]; then
    bench_file "$FILE"
else
    capture_for "$PACKETS"
    bench_file "$CAPTURE"
fi

if [ "$MEM_CHECK" = 1 ]; then
    small_table=${RSS[wl_table]:-0} small_json=${RSS[wl_json]:-0}
    small_tshark=${RSS[tshark]:-0}
    capture_for 1000000
    big=$CAPTURE
    log "memory check on $big"
    measure wl_table "$WIRELAB" read "$big"
    measure wl_json "$WIRELAB" read --json "$big"
    measure tshark tshark -n -r "$big"
    echo
    echo "### Memory at 1,000,000 packets (peak RSS, MiB)"
    echo
    echo "| command | at $PACKETS | at 1,000,000 | growth |"
    echo "|---|---:|---:|---:|"
    for k in wl_table wl_json tshark; do
        small_var="small_${k#wl_}"
        [ "$k" = tshark ] && small_var=small_tshark
        if [ "${STATUS[$k]}" = ok ]; then
            echo "| $k | $(mib "${!small_var}") | $(mib "${RSS[$k]}") | $(ratio "${RSS[$k]}" "${!small_var}") |"
        else
            echo "| $k | – | failed | – |"
        fi
    done
fi

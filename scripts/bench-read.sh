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
#   --app         run scripts/bench-app.sh instead (the application-layer benchmark; the
#                 options after --app are its own)
# Needs root to make captures (network namespace). Captures are kept in $BENCH_DIR
# (default /tmp/wirelab-bench) and reused when they have enough packets.
# Helpers shared with scripts/bench-app.sh are in scripts/bench-lib.sh.
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
        --app) shift; exec "$ROOT/scripts/bench-app.sh" "$@" ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-read.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

ME=bench-read.sh
# shellcheck source=scripts/bench-lib.sh
. "$ROOT/scripts/bench-lib.sh"

need_gnu_time
for tool in tcpdump tshark editcap capinfos; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[ "$BUILD" = 0 ] || build_wirelab

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
    machine_line
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

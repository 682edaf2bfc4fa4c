#!/usr/bin/env bash
# Benchmark the per-stream views against plain `wirelab read` on the same capture, in one
# run: `read FILE`, `read --rtt FILE`, `read --throughput FILE`, `read --tcp-report FILE`
# and `graph FILE` (the largest stream, found by a first pass) as SVG, plus `graph --stream
# N` (one pass), all with output to /dev/null or a temporary file. Wall time (best of R) and
# peak RSS (GNU time) are reported with the ratio to plain `read`.
#
# Usage: scripts/bench-analysis.sh [--file F] [--runs R] [--no-build]
#   --file F   the capture (default: the 1,000,000-packet capture of scripts/bench-read.sh,
#              $BENCH_DIR/loopback-1000000.pcapng, made with that script if missing: root)
#   --runs R   runs per command (default 3)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/wirelab-bench}
FILE=$BENCH_DIR/loopback-1000000.pcapng
RUNS=3
BUILD=1
while [ $# -gt 0 ]; do
    case $1 in
        --file) FILE=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-analysis.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
GNU_TIME=/usr/bin/time
"$GNU_TIME" -f %e true >/dev/null 2>&1 || { echo "bench-analysis.sh: GNU time missing: apt-get install time" >&2; exit 1; }
WIRELAB=${CARGO_TARGET_DIR:-$ROOT/target}/release/wirelab
if [ "$BUILD" = 1 ]; then (cd "$ROOT" && cargo build --release --quiet); fi
if [ ! -s "$FILE" ]; then
    echo "== $FILE missing: making it with scripts/bench-read.sh --packets 1000000" >&2
    "$ROOT/scripts/bench-read.sh" --packets 1000000 --no-build >/dev/null
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N=$(capinfos -M -c "$FILE" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
# The largest stream (what `graph` picks without --stream), for the one-pass variant.
BIG=$("$WIRELAB" read "$FILE" --throughput --json | awk -F'"stream":' '/"kind":"total"/ { split($2, a, ","); s = a[1]; match($0, /"payload":[0-9]+/); p = substr($0, RSTART + 10, RLENGTH - 10) + 0; if (p > best) { best = p; bs = s } } END { print bs }')

declare -A TIME RSS
measure() {
    local name=$1 best="" rss=0 t m r
    shift
    for ((r = 0; r < RUNS; r++)); do
        "$GNU_TIME" -f '%e %M' -o "$TMP/t" "$@" >/dev/null 2>"$TMP/err" || { echo "$name failed: $(head -c 300 "$TMP/err")" >&2; return 1; }
        read -r t m <"$TMP/t"
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    TIME[$name]=$best
    RSS[$name]=$rss
}
echo "== $FILE: $N packets, largest TCP stream $BIG, $RUNS run(s) each" >&2
measure read "$WIRELAB" read "$FILE"
measure rtt "$WIRELAB" read "$FILE" --rtt
measure throughput "$WIRELAB" read "$FILE" --throughput
measure report "$WIRELAB" read "$FILE" --tcp-report
mkdir -p "$TMP/all"
measure graph "$WIRELAB" graph "$FILE" --kind stevens --force -o "$TMP/g.svg"
measure graph_stream "$WIRELAB" graph "$FILE" --stream "$BIG" --kind stevens --force -o "$TMP/g2.svg"
measure graph_all "$WIRELAB" graph "$FILE" --stream "$BIG" --kind all --force -o "$TMP/all/"

echo
echo "### Per-stream views vs plain read: $(basename "$FILE"), $N packets"
echo
echo "Machine: $(nproc) cores, $(uname -r). Best of $RUNS; output to /dev/null (graphs to a temporary SVG)."
echo
echo "| command | time (s) | × plain read | peak RSS (MiB) |"
echo "|---|---:|---:|---:|"
for k in read rtt throughput report graph graph_stream graph_all; do
    case $k in
        read) label='`wirelab read FILE`' ;;
        rtt) label='`wirelab read FILE --rtt`' ;;
        throughput) label='`wirelab read FILE --throughput`' ;;
        report) label='`wirelab read FILE --tcp-report`' ;;
        graph) label='`wirelab graph FILE --kind stevens -o g.svg` (finds the largest stream: 2 passes)' ;;
        graph_stream) label="\`wirelab graph FILE --stream $BIG --kind stevens -o g.svg\` (1 pass)" ;;
        graph_all) label="\`wirelab graph FILE --stream $BIG --kind all -o DIR/\`" ;;
    esac
    echo "| $label | ${TIME[$k]} | $(awk -v a="${TIME[$k]}" -v b="${TIME[read]}" 'BEGIN { printf "%.2f", a / b }') | $(awk -v k="${RSS[$k]}" 'BEGIN { printf "%.1f", k / 1024 }') |"
done

#!/usr/bin/env bash
# Benchmark `wirelab view` on the 1,000,000-packet capture of scripts/bench-read.sh, side by
# side with `wirelab read --filter` in the same run.
#
# The view runs in a real terminal (a tmux server of its own, 100x30) with
# WIRELAB_VIEW_TRACE=FILE, where it writes the milliseconds from its start to the first
# screen with rows, and from a filter's Enter to the end of that filter's pass over the file.
# For each filter the script waits until the view has read the whole file, types the filter,
# and times `wirelab read --filter EXPR FILE > /dev/null` (GNU time) right after. It also
# checks that the rows on the view's screen are `read --filter`'s rows (frame numbers and
# the start of Info), and reports the view's peak memory (VmHWM) next to read's.
#
# Usage: scripts/bench-view.sh [--file F] [--runs R] [--no-build]
#   --file F     the capture (default: $BENCH_DIR/loopback-1000000.pcapng, made by
#                `scripts/bench-read.sh --packets 1000000` if missing; needs root then)
#   --runs R     repetitions (default 3); the table shows the median and the best
#   --no-build   use the wirelab binary already built
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
        *) echo "bench-view.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench-view.sh: %s\n' "$*" >&2; exit 1; }
command -v tmux >/dev/null || die "tmux not found (apt-get install tmux)"
[ -x /usr/bin/time ] || die "GNU time missing (apt-get install time)"

if [ ! -s "$FILE" ]; then
    log "making $FILE with scripts/bench-read.sh"
    "$ROOT/scripts/bench-read.sh" --packets 1000000 --no-build >/dev/null
fi
WIRELAB=${CARGO_TARGET_DIR:-$ROOT/target}/release/wirelab
if [ "$BUILD" = 1 ]; then
    log "building wirelab (release)"
    (cd "$ROOT" && cargo build --release --quiet)
fi

SOCK="wlbenchview$$"
WORK=$(mktemp -d)
cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_screen PATTERN SECONDS: waits until the view's screen matches PATTERN.
wait_screen() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        tmux -L "$SOCK" capture-pane -p -t view 2>/dev/null | grep -q -- "$1" && return 0
        sleep 0.05
    done
    return 1
}
# wait_trace KEY SECONDS: waits for a trace line, prints its value.
wait_trace() {
    local i
    for ((i = 0; i < $2 * 100; i++)); do
        if grep -q "^$1 " "$WORK/trace" 2>/dev/null; then
            grep "^$1 " "$WORK/trace" | tail -1 | cut -d' ' -f2
            return 0
        fi
        sleep 0.01
    done
    return 1
}
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
best() { sort -n | head -1; }

FILTERS=("udp" "tcp.flags.syn == 1 or tcp.analysis.duplicate_ack")
n=$(capinfos -M -c "$FILE" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
log "benchmarking on $FILE ($n packets), $RUNS run(s)"
declare -A VIEW READ
FIRST=()
HWM=()
CHECKS=ok
for ((r = 0; r < RUNS; r++)); do
    rm -f "$WORK/trace"
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    TERM=xterm-256color tmux -L "$SOCK" new-session -d -s view -x 100 -y 30 \
        "WIRELAB_VIEW_TRACE='$WORK/trace' exec '$WIRELAB' view '$FILE'"
    FIRST+=("$(wait_trace first_screen_ms 30 || echo failed)")
    pid=$(tmux -L "$SOCK" display-message -p -t view '#{pane_pid}')
    wait_screen " $n frames" 300 || die "the view did not finish reading"
    wait_screen "? help" 5 || true
    for i in "${!FILTERS[@]}"; do
        f=${FILTERS[$i]}
        tmux -L "$SOCK" send-keys -t view "/"
        tmux -L "$SOCK" send-keys -t view C-u
        tmux -L "$SOCK" send-keys -t view -l "$f"
        sleep 0.3
        before=$(grep -c '^filter_ms ' "$WORK/trace" 2>/dev/null || true)
        tmux -L "$SOCK" send-keys -t view Enter
        for ((k = 0; k < 30000; k++)); do
            [ "$(grep -c '^filter_ms ' "$WORK/trace" 2>/dev/null || true)" -gt "$before" ] && break
            sleep 0.01
        done
        VIEW[$i]+="$(grep '^filter_ms ' "$WORK/trace" | tail -1 | cut -d' ' -f2) "
        sleep 0.3
        # The rows on screen are read --filter's first rows.
        tmux -L "$SOCK" capture-pane -p -t view | awk 'NR > 1 { if ($1 ~ /^[0-9]+$/) print $1; else exit }' | head -8 >"$WORK/view-rows"
        "$WIRELAB" read --color never --filter "$f" -c 8 "$FILE" | awk 'NR > 1 { print $1 }' >"$WORK/read-rows"
        cmp -s "$WORK/view-rows" "$WORK/read-rows" || { CHECKS="rows differ for '$f'"; log "$CHECKS"; }
        /usr/bin/time -f %e -o "$WORK/time" "$WIRELAB" read --filter "$f" "$FILE" >/dev/null
        READ[$i]+="$(awk '{ printf "%.1f", $1 * 1000 }' "$WORK/time") "
    done
    HWM+=("$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo '?')")
    tmux -L "$SOCK" send-keys -t view q
    sleep 0.5
done
/usr/bin/time -f %M -o "$WORK/rss" "$WIRELAB" read "$FILE" >/dev/null
read_rss=$(awk '{ printf "%.1f", $1 / 1024 }' "$WORK/rss")

echo
echo "### wirelab view on $(basename "$FILE") ($n packets), $RUNS runs"
echo
echo "Machine: $(nproc) cores, $(uname -r). Times in ms: median (best)."
echo
echo "| measurement | wirelab view | peer | view / peer |"
echo "|---|---:|---:|---:|"
fm=$(printf '%s\n' "${FIRST[@]}" | median)
fb=$(printf '%s\n' "${FIRST[@]}" | best)
echo "| first screen with rows (target < 200 ms) | $fm ($fb) | – | – |"
for i in "${!FILTERS[@]}"; do
    vm=$(tr ' ' '\n' <<<"${VIEW[$i]}" | grep . | median)
    vb=$(tr ' ' '\n' <<<"${VIEW[$i]}" | grep . | best)
    rm_=$(tr ' ' '\n' <<<"${READ[$i]}" | grep . | median)
    rb=$(tr ' ' '\n' <<<"${READ[$i]}" | grep . | best)
    ratio=$(awk -v a="$vm" -v b="$rm_" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "–" }')
    echo "| filter \`${FILTERS[$i]}\` over the file vs \`read --filter\` | $vm ($vb) | $rm_ ($rb) | $ratio |"
done
echo "| peak memory (MiB) vs \`read\` | $(printf '%s\n' "${HWM[@]}" | sort -n | tail -1) | $read_rss | – |"
echo
echo "Rows on the view's screen equal \`read --filter\`'s: $CHECKS."

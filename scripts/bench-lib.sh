# Helpers shared by scripts/bench-read.sh and scripts/bench-app.sh (sourced, not run).
# The sourcing script sets ROOT, BENCH_DIR, RUNS and ME (its name, for messages) first.
# shellcheck shell=bash

LC_NUMERIC=C # the decimal point of $EPOCHREALTIME and awk

log() { printf '== %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$ME" "$*" >&2; exit 1; }

# need_gnu_time: GNU time (/usr/bin/time, Debian package `time`), installed when root.
GNU_TIME=/usr/bin/time
need_gnu_time() {
    if ! "$GNU_TIME" -f %e true >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            log "installing GNU time (package 'time')"
            apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
        fi
        "$GNU_TIME" -f %e true >/dev/null 2>&1 || die "GNU time missing: apt-get install time"
    fi
}

count_frames() { capinfos -M -c "$1" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}'; }

# has_frames FILE N: FILE exists with at least N packets.
has_frames() { [ -s "$1" ] && [ "$(count_frames "$1")" -ge "$2" ] 2>/dev/null; }

# ---------------------------------------------------------------- namespaces and processes

# Everything started here goes into PIDS, every namespace made here is named "$NS*".
NS="wlbench$$"
PIDS=()
cleanup() {
    local pid ns
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do bounded_wait "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true; done
    PIDS=()
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS" || true); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
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

# wait_text FILE ERE SECONDS: wait until FILE has a line matching ERE.
wait_text() {
    local file=$1 re=$2 limit=$3 i
    for ((i = 0; i < limit * 20; i++)); do
        grep -Eq "$re" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# ---------------------------------------------------------------- the plain-TCP capture

# make_capture N OUT: N packets of iperf3 TCP (small writes) + UDP on a namespace's loopback.
make_capture() {
    local n=$1 out=$2 raw="$2.raw.pcap" log="$2.tcpdump.log" pid i
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
    PIDS+=("$!")
    ip netns exec "$NS" iperf3 -c 127.0.0.1 -p 5202 -u -t 300 -l 100 -b 4M >/dev/null 2>&1 &
    PIDS+=("$!")
    bounded_wait "$pid" 300 || die "tcpdump did not get $n packets in 300 s"
    cleanup
    editcap -F pcapng "$raw" "$out"
    rm -f "$raw" "$log"
    log "$out: $(count_frames "$out") packets, $(du -m "$out" | cut -f1) MiB"
}

# capture_for N: sets CAPTURE to a reusable plain-TCP capture with at least N packets.
capture_for() {
    local n=$1 f="$BENCH_DIR/loopback-$1.pcapng"
    mkdir -p "$BENCH_DIR"
    if has_frames "$f" "$n"; then
        log "reusing $f"
    else
        make_capture "$n" "$f"
    fi
    CAPTURE=$f
}

# ---------------------------------------------------------------- measuring

WIRELAB=${CARGO_TARGET_DIR:-$ROOT/target}/release/wirelab

# build_wirelab: cargo build --release (a failure leaves the wirelab rows "failed").
build_wirelab() {
    log "building wirelab (release)"
    (cd "$ROOT" && cargo build --release --quiet) || log "cargo build failed: wirelab rows will fail"
}

# measure NAME CMD...: fills TIME[NAME] (best of RUNS, s, to the millisecond: the shell's
# clock around GNU time, whose own %e has 10 ms steps) and RSS[NAME] (max, KiB, GNU time's);
# STATUS[NAME] is "ok" or "failed".
declare -A TIME RSS STATUS
measure() {
    local name=$1 r out best="" rss=0 t m t0 t1
    shift
    out=$(mktemp)
    STATUS[$name]=ok
    for ((r = 0; r < RUNS; r++)); do
        t0=$EPOCHREALTIME
        if ! "$GNU_TIME" -f '%e %M' -o "$out" "$@" >/dev/null 2>"$out.err"; then
            STATUS[$name]=failed
            log "$name failed: $(head -c 300 "$out.err" | tr '\n' ' ')"
            break
        fi
        t1=$EPOCHREALTIME
        read -r t m <"$out"
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
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
# ns_per_frame FRAMES SECONDS
ns_per_frame() { awk -v n="$1" -v t="$2" 'BEGIN { if (n > 0 && t > 0) printf "%.0f", t * 1e9 / n; else printf "–" }'; }

machine_line() {
    echo "Machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); $(tcpdump --version 2>&1 | head -1); $(tshark --version 2>/dev/null | head -1 | sed 's/ (Git.*//')."
}

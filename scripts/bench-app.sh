#!/usr/bin/env bash
# Benchmark `wirelab read` on an HTTP/DNS-heavy capture of REAL traffic against the plain-TCP
# capture of scripts/bench-read.sh: the application layer's cost per frame (issue 17 asks it
# to stay within 1.3x of plain TCP) and flat memory on 1M frames.
#
# How to run (root: the captures are made in private network namespaces):
#   sudo scripts/bench-app.sh --runs 3             # tables for the report
#   sudo scripts/bench-app.sh --runs 3 --mem-check # plus peak RSS at 1M app frames
#   scripts/bench-read.sh --app ...                # the same, through bench-read.sh
#   sudo scripts/bench-app.sh --make-only --packets 1000000   # just make a capture
#
# The app-heavy capture (made once, kept in $BENCH_DIR, default /tmp/wirelab-bench, reused
# while it has enough frames): two namespaces joined by a veth pair (server 10.0.4.1, client
# 10.0.4.2, MTU 1500, one segment per frame), tcpdump --immediate-mode -B 65536 -c N on the
# server's end, converted to pcapng with editcap. Traffic (scripts/app-load.py):
#   - an HTTP/1.1 keep-alive server (Python http.server, port 80) and a client with 4
#     connections doing many small GETs (every 8th a ~4 KiB body over 3 segments, every
#     50th a 404; a new connection every 200 requests);
#   - dnsmasq (--no-daemon, no resolv file, no hosts file, a few --host-records, authoritative
#     for wirelab.test) answering hand-built queries: A, AAAA, MX, NXDOMAIN, every 500th over
#     TCP.
# The clients are paced (about 18,000 frames a second; faster, tcpdump drops frames on a
# loaded machine); a capture with drops is made again (3 tries). A note beside the capture
# (FILE.info: tcpdump's drop count, the Protocol column's mix) is printed with the tables.
# Every loop has a count and a deadline; a trap kills what was started and deletes the
# namespaces and scratch files on any exit. Nothing is added to the root namespace.
#
# Then, in one run, each command R times (best time, largest RSS), with GNU time:
#   wirelab read, wirelab read --json, wirelab read -Y 'dns || http',
#   tcpdump -nn -r, tshark -n -r, tshark -T fields (frame.number ip.src tcp.seq dns.qry.name
#   http.request.uri), tshark -Y 'dns || http'
# on the app-heavy capture and on the plain-TCP one (loopback-200000.pcapng of bench-read.sh,
# made if missing), and prints ns/frame of each, the app/TCP ratio (goal <= 1.3 for wirelab),
# and wirelab's speed against tcpdump/tshark on each file as bench-read.sh prints it.
#
# Usage: scripts/bench-app.sh [--packets N] [--tcp-packets M] [--runs R] [--mem-check]
#                             [--no-build] [--make-only]
#   --packets N      frames in the app-heavy capture (default 200000)
#   --tcp-packets M  frames in the plain-TCP capture (default 200000)
#   --runs R         runs per command (default 1)
#   --mem-check      also make (or reuse) a 1,000,000-frame app-heavy capture and compare
#                    wirelab's peak RSS there with its RSS at N frames
#   --no-build       use the wirelab binary already built
#   --make-only      make (or reuse) the N-frame app-heavy capture, print its path, stop
# Helpers shared with bench-read.sh are in scripts/bench-lib.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/wirelab-bench}
PACKETS=200000
TCP_PACKETS=200000
RUNS=1
MEM_CHECK=0
BUILD=1
MAKE_ONLY=0
while [ $# -gt 0 ]; do
    case $1 in
        --packets) PACKETS=$2; shift 2 ;;
        --tcp-packets) TCP_PACKETS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --mem-check) MEM_CHECK=1; shift ;;
        --no-build) BUILD=0; shift ;;
        --make-only) MAKE_ONLY=1; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-app.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

ME=bench-app.sh
# shellcheck source=scripts/bench-lib.sh
. "$ROOT/scripts/bench-lib.sh"

need_gnu_time
for tool in tcpdump tshark editcap capinfos; do
    command -v "$tool" >/dev/null || die "$tool not found"
done

# ---------------------------------------------------------------- the app-heavy capture

PY=$(command -v python3 || true)
LOAD=$ROOT/scripts/app-load.py
SRV=10.0.4.1
CLI=10.0.4.2
HTTP_RATE=4000 # GETs a second, about 2.4 frames each
DNS_RATE=4000  # queries a second, 2 frames each
NAMES=www.wirelab.test,mail.wirelab.test,ns1.wirelab.test,api.wirelab.test,cdn.wirelab.test

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

APP_WORK= # a capture's scratch directory, removed on any exit
trap 'cleanup; [ -z "$APP_WORK" ] || rm -rf "$APP_WORK"' EXIT

# bg NS CMD...: run CMD in namespace NS in the background (pid in PIDS and LAST_PID).
bg() { local ns=$1; shift; nsx "$ns" "$@" & LAST_PID=$!; PIDS+=("$LAST_PID"); }

# wait_listen NS PORT t|u: up to 10 s for a listening socket.
wait_listen() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ -n "$(nsx "$1" ss -Hln"$3" "sport = :$2" 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    die "nothing listens on $3 port $2 in $1"
}

# make_app_capture N OUT: up to 3 tries while tcpdump reports drops (frames missing from
# the TCP streams would benchmark the gap handling instead); the last try is kept anyway.
make_app_capture() {
    local try
    for try in 1 2 3; do
        make_app_capture_once "$1" "$2"
        grep -q ' 0 packets dropped by kernel' "$2.info" && return 0
        log "try $try: tcpdump dropped frames$([ "$try" = 3 ] && echo " (kept, see its note)" || echo ", again")"
    done
}

make_app_capture_once() {
    local n=$1 out=$2 work srv=$NS-srv cli=$NS-cli ns cap secs
    [ "$(id -u)" = 0 ] || die "making a capture needs root (network namespaces)"
    for tool in ip ss dnsmasq; do command -v "$tool" >/dev/null || die "$tool not found"; done
    [ -n "$PY" ] || die "python3 not found"
    work=$(mktemp -d /tmp/wlbench-app.XXXXXX)
    APP_WORK=$work
    # Paced to about 18,000 frames a second (faster, tcpdump drops frames under load).
    secs=$((120 + n / 2000))
    log "capturing $n frames of HTTP/DNS traffic into $out (at most ${secs}s)"
    for ns in "$srv" "$cli"; do
        ip netns add "$ns"
        nsx "$ns" ip link set lo up
        nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    ip -n "$srv" link add wl-srv address 02:00:00:00:04:01 type veth \
        peer name wl-cli netns "$cli" address 02:00:00:00:04:02
    ip -n "$srv" link set dev wl-srv gso_max_segs 1
    ip -n "$cli" link set dev wl-cli gso_max_segs 1
    ip -n "$srv" addr add "$SRV/24" dev wl-srv
    ip -n "$cli" addr add "$CLI/24" dev wl-cli
    ip -n "$srv" link set wl-srv up
    ip -n "$cli" link set wl-cli up
    bg "$srv" timeout "$secs" dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
        --user=root --group=root --pid-file="$work/dnsmasq.pid" --interface=wl-srv \
        --bind-interfaces --cache-size=0 \
        --auth-server=ns1.wirelab.test,wl-srv --auth-zone=wirelab.test,10.0.4.0/24,fd00:4::/64 \
        --host-record=ns1.wirelab.test,10.0.4.1 \
        --host-record=www.wirelab.test,10.0.4.80,fd00:4::80 \
        --host-record=mail.wirelab.test,10.0.4.25 \
        --host-record=api.wirelab.test,10.0.4.81,fd00:4::81 \
        --host-record=cdn.wirelab.test,10.0.4.82 \
        --mx-host=wirelab.test,mail.wirelab.test,10 2>"$work/dnsmasq.log"
    bg "$srv" timeout "$secs" "$PY" "$LOAD" http-server --bind "$SRV" --seconds "$secs"
    wait_listen "$srv" 53 u
    wait_listen "$srv" 53 t
    wait_listen "$srv" 80 t
    bg "$srv" timeout "$secs" tcpdump -n -i wl-srv --immediate-mode -B 65536 -U -c "$n" \
        -w "$work/raw.pcap" 2>"$work/tcpdump.log"
    cap=$LAST_PID
    wait_text "$work/tcpdump.log" 'listening on' 10 || die "tcpdump did not start: $(cat "$work/tcpdump.log")"
    # About 6 frames per GET, 2 per query; the counts only bound the loops, tcpdump -c ends it.
    bg "$cli" timeout "$secs" "$PY" "$LOAD" http-client --server "$SRV" --connections 4 \
        --requests $((n)) --rate "$HTTP_RATE" --seconds "$secs"
    bg "$cli" timeout "$secs" "$PY" "$LOAD" dns-client --server "$SRV" --names "$NAMES" \
        --queries $((n)) --window 8 --rate "$DNS_RATE" --seconds "$secs"
    bounded_wait "$cap" "$((secs + 10))" || die "tcpdump did not get $n frames in ${secs}s"
    cleanup
    has_frames "$work/raw.pcap" "$n" || die "the capture has $(count_frames "$work/raw.pcap") frames, not $n"
    editcap -F pcapng "$work/raw.pcap" "$out"
    # A note kept beside the capture: tcpdump's drop count and the Protocol column's mix.
    {
        printf 'tcpdump: %s' "$(grep -E 'dropped by kernel' "$work/tcpdump.log" || echo '? dropped by kernel')"
        if [ "$n" -le 300000 ]; then
            printf '; Protocol column: '
            tshark -n -r "$out" -T fields -e _ws.col.Protocol 2>/dev/null | sort | uniq -c | sort -rn |
                awk -v n="$n" '{ printf "%s%s %.1f%%", (NR > 1 ? ", " : ""), $2, 100 * $1 / n }'
        fi
        echo
    } >"$out.info"
    rm -rf "$work"
    log "$out: $(count_frames "$out") frames, $(du -m "$out" | cut -f1) MiB; $(cat "$out.info")"
}

# app_capture_for N: sets CAPTURE to a reusable app-heavy capture with at least N frames.
app_capture_for() {
    local n=$1 f="$BENCH_DIR/app-$1.pcapng"
    mkdir -p "$BENCH_DIR"
    if has_frames "$f" "$n"; then
        log "reusing $f"
    else
        make_app_capture "$n" "$f"
    fi
    CAPTURE=$f
}

app_capture_for "$PACKETS"
APP=$CAPTURE
if [ "$MAKE_ONLY" = 1 ]; then
    echo "$APP"
    exit 0
fi
capture_for "$TCP_PACKETS"
TCP=$CAPTURE
[ "$BUILD" = 0 ] || build_wirelab

# ---------------------------------------------------------------- measuring

FILTER='dns || http'
FIELDS=(-T fields -e frame.number -e ip.src -e tcp.seq -e dns.qry.name -e http.request.uri)
KEYS=(wl_table wl_json wl_filter tcpdump tshark tshark_fields tshark_filter)

label() {
    case $1 in
        wl_table) echo '`wirelab read FILE`' ;;
        wl_json) echo '`wirelab read --json FILE`' ;;
        wl_filter) echo "\`wirelab read -Y '$FILTER' FILE\`" ;;
        tcpdump) echo '`tcpdump -nn -r FILE`' ;;
        tshark) echo '`tshark -n -r FILE`' ;;
        tshark_fields) echo '`tshark -n -r FILE -T fields -e frame.number -e ip.src -e tcp.seq -e dns.qry.name -e http.request.uri`' ;;
        tshark_filter) echo "\`tshark -n -r FILE -Y '$FILTER'\`" ;;
    esac
}

# bench_one TAG FILE: every command on FILE, results under "TAG.KEY".
bench_one() {
    local tag=$1 file=$2
    log "benchmarking $file ($(count_frames "$file") frames, $RUNS run(s) each)"
    measure "$tag.wl_table" "$WIRELAB" read "$file"
    measure "$tag.wl_json" "$WIRELAB" read --json "$file"
    measure "$tag.wl_filter" "$WIRELAB" read -Y "$FILTER" "$file"
    measure "$tag.tcpdump" tcpdump -nn -r "$file"
    measure "$tag.tshark" tshark -n -r "$file"
    measure "$tag.tshark_fields" tshark -n -r "$file" "${FIELDS[@]}"
    measure "$tag.tshark_filter" tshark -n -r "$file" -Y "$FILTER"
}

# cell TAG KEY FRAMES: "time | ns/frame | RSS" or dashes.
cell() {
    if [ "${STATUS[$1.$2]}" = ok ]; then
        printf '%s | %s | %s' "${TIME[$1.$2]}" "$(ns_per_frame "$3" "${TIME[$1.$2]}")" "$(mib "${RSS[$1.$2]}")"
    else
        printf 'failed | – | –'
    fi
}

# per_frame_ratio KEY: (app ns/frame) / (tcp ns/frame).
per_frame_ratio() {
    if [ "${STATUS[app.$1]}" = ok ] && [ "${STATUS[tcp.$1]}" = ok ]; then
        awk -v ta="${TIME[app.$1]}" -v na="$N_APP" -v tt="${TIME[tcp.$1]}" -v nt="$N_TCP" \
            'BEGIN { if (ta > 0 && tt > 0) printf "%.2f", (ta / na) / (tt / nt); else printf "–" }'
    else
        printf '–'
    fi
}

N_APP=$(count_frames "$APP")
N_TCP=$(count_frames "$TCP")
bench_one app "$APP"
bench_one tcp "$TCP"

echo
echo "### Application layer: $(basename "$APP") ($N_APP frames) vs $(basename "$TCP") ($N_TCP frames)"
echo
machine_line
echo "Best of $RUNS run(s); wirelab $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')."
echo "App capture: $(cat "$APP.info" 2>/dev/null || echo 'no note')."
echo
echo "| command | app: time (s) | app: ns/frame | app: RSS (MiB) | TCP: time (s) | TCP: ns/frame | TCP: RSS (MiB) | app/TCP per frame |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for k in "${KEYS[@]}"; do
    echo "| $(label "$k") | $(cell app "$k" "$N_APP") | $(cell tcp "$k" "$N_TCP") | $(per_frame_ratio "$k") |"
done
echo
echo "Goal (issue 17): \`wirelab read\` app/TCP per frame <= 1.3 (now $(per_frame_ratio wl_table))."
echo
echo "Ratios (speed = other's time / wirelab's time, > 1 means wirelab is faster; RSS = wirelab's / other's):"
echo
echo "| comparison | app: speed | app: RSS | TCP: speed | TCP: RSS |"
echo "|---|---:|---:|---:|---:|"
for pair in "wl_table tcpdump" "wl_table tshark" "wl_json tshark_fields" "wl_filter tshark_filter"; do
    read -r a b <<<"$pair"
    row="| $a vs $b"
    for tag in app tcp; do
        if [ "${STATUS[$tag.$a]}" = ok ] && [ "${STATUS[$tag.$b]}" = ok ]; then
            row+=" | $(ratio "${TIME[$tag.$b]}" "${TIME[$tag.$a]}") | $(ratio "${RSS[$tag.$a]}" "${RSS[$tag.$b]}")"
        else
            row+=" | – | –"
        fi
    done
    echo "$row |"
done

if [ "$MEM_CHECK" = 1 ]; then
    app_capture_for 1000000
    BIG=$CAPTURE
    N_BIG=$(count_frames "$BIG")
    log "memory check on $BIG"
    measure big.wl_table "$WIRELAB" read "$BIG"
    measure big.wl_json "$WIRELAB" read --json "$BIG"
    measure big.wl_filter "$WIRELAB" read -Y "$FILTER" "$BIG"
    echo
    echo "### Memory of wirelab read on app-heavy captures (peak RSS, MiB)"
    echo
    machine_line
    echo "1M capture: $(cat "$BIG.info" 2>/dev/null || echo 'no note')."
    echo
    echo "| command | at $N_APP frames | at $N_BIG frames | growth | ns/frame at $N_BIG |"
    echo "|---|---:|---:|---:|---:|"
    for k in wl_table wl_json wl_filter; do
        if [ "${STATUS[big.$k]}" = ok ] && [ "${STATUS[app.$k]}" = ok ]; then
            echo "| $(label "$k") | $(mib "${RSS[app.$k]}") | $(mib "${RSS[big.$k]}") | $(ratio "${RSS[big.$k]}" "${RSS[app.$k]}") | $(ns_per_frame "$N_BIG" "${TIME[big.$k]}") |"
        else
            echo "| $(label "$k") | – | failed | – | – |"
        fi
    done
fi

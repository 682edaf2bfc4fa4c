#!/usr/bin/env bash
# Regenerate captures/* from REAL traffic made in private network namespaces (needs root).
#
# Each scenario creates its own namespaces (a veth pair between a "server" namespace holding
# 10.0.3.1 / fd00:3::1 and a "client" namespace holding 10.0.3.2 / fd00:3::2, as in the lab),
# runs small bounded socket programs (scripts/capture-traffic.py) and records the frames
# with dumpcap (pcapng) or tcpdump (pcap). Nothing is added to the root namespace; a trap
# kills what we started and deletes the namespaces on any exit. Every wait is bounded.
#
# Usage: sudo scripts/make-captures.sh [SCENARIO...]
#   scenarios: handshake udp arp icmp fragments ipv6 ipv6frag tso vlan sll analysis
#   (default: all)
#   OUT=dir  write somewhere other than captures/
# Needs: ip (iproute2), tc, dumpcap, tcpdump, editcap, python3. Timestamps and ISNs differ
# on every run; that is expected (regenerate the goldens with scripts/tshark-golden.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$ROOT/captures}
HELPER=$ROOT/scripts/capture-traffic.py
PY=$(python3 -c 'import sys; print(sys.executable)')

if [ "$(id -u)" != 0 ]; then
    echo "make-captures.sh: needs root (network namespaces, raw sockets)" >&2
    exit 1
fi
for tool in ip tc dumpcap tcpdump editcap capinfos; do
    command -v "$tool" >/dev/null || { echo "make-captures.sh: $tool not found" >&2; exit 1; }
done

TAG="wlcap$$"
NS_SRV="$TAG-srv"
NS_CLI="$TAG-cli"
SRV_MAC=02:00:00:00:03:01
CLI_MAC=02:00:00:00:03:02
WORK=$(mktemp -d /tmp/wlcap.XXXXXX)
ALL_PIDS=()
CAP_PIDS=()

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'make-captures.sh: %s\n' "$*" >&2; exit 1; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Wait up to $2 seconds for process $1 to end; kill it if it does not.
wait_pid() {
    local pid=$1 limit=$2 i
    for ((i = 0; i < limit * 10; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null || true
            return 0
        fi
        sleep 0.1
    done
    echo "make-captures.sh: pid $pid still running after ${limit}s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
}

# Wait up to $2 seconds for file $1 to exist.
wait_file() {
    local file=$1 limit=$2 i
    for ((i = 0; i < limit * 20; i++)); do
        [ -e "$file" ] && return 0
        sleep 0.05
    done
    return 1
}

# Wait up to $3 seconds for file $1 to contain a line matching the ERE $2.
wait_text() {
    local file=$1 re=$2 limit=$3 i
    for ((i = 0; i < limit * 20; i++)); do
        grep -Eq "$re" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# Run "$@" in namespace $1 in the background; its pid goes to LAST_PID.
run_bg() {
    local ns=$1; shift
    nsx "$ns" "$@" &
    LAST_PID=$!
    ALL_PIDS+=("$LAST_PID")
}

py() { local ns=$1; shift; nsx "$ns" timeout 60 "$PY" "$HELPER" "$@"; }
py_bg() { local ns=$1; shift; run_bg "$ns" timeout 60 "$PY" "$HELPER" "$@"; }

# start_cap NS dumpcap|tcpdump FILE IFACE [extra args]: start a capture and wait until it runs.
start_cap() {
    local ns=$1 tool=$2 file=$3 iface=$4
    shift 4
    local err="$WORK/$(basename "$file").log"
    case $tool in
        dumpcap)
            run_bg "$ns" dumpcap -q -i "$iface" -w "$file" "$@" 2>"$err"
            CAP_PIDS+=("$LAST_PID")
            wait_text "$err" 'Capturing on' 10 || die "capture $file did not start: $(cat "$err")"
            # dumpcap has no immediate mode: a shadow tcpdump, started after it, lets keep()
            # check that dumpcap wrote every frame.
            start_cap "$ns" tcpdump "$file.check.pcap" "$iface"
            return
            ;;
        tcpdump) run_bg "$ns" tcpdump -n -i "$iface" --immediate-mode -U -w "$file" "$@" 2>"$err" ;;
        *) die "unknown capture tool $tool" ;;
    esac
    CAP_PIDS+=("$LAST_PID")
    wait_text "$err" 'Capturing on|listening on' 10 || die "capture $file did not start: $(cat "$err")"
    sleep 0.3
}

# Stop every running capture cleanly (SIGTERM lets them write their trailers; background
# jobs of a script ignore SIGINT).
stop_caps() {
    local pid
    sleep 1.5 # dumpcap hands over frames in blocks, with a timeout
    for pid in "${CAP_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${CAP_PIDS[@]}"; do wait_pid "$pid" 10 || true; done
    CAP_PIDS=()
}

# Kill what we started (by pid) and delete our namespaces.
teardown() {
    local pid ns
    for pid in "${ALL_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${ALL_PIDS[@]}"; do wait_pid "$pid" 5 >/dev/null 2>&1 || true; done
    ALL_PIDS=()
    CAP_PIDS=()
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$TAG-" || true); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
}

cleanup() {
    local rc=$?
    teardown
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# make_ns NAME IPV6(0|1): a namespace with lo up and, unless IPV6=1, IPv6 off so that no
# MLD/router solicitations clutter IPv4 captures.
make_ns() {
    ip netns add "$1"
    nsx "$1" ip link set lo up
    if [ "$2" = 1 ]; then
        nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.default.accept_ra=0
    else
        nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
}

# setup_pair IPV6(0|1): server and client namespaces joined by the veth pair wl-srv/wl-cli.
setup_pair() {
    make_ns "$NS_SRV" "$1"
    make_ns "$NS_CLI" "$1"
    ip -n "$NS_SRV" link add wl-srv address "$SRV_MAC" type veth \
        peer name wl-cli netns "$NS_CLI" address "$CLI_MAC"
    if [ "$1" = 1 ]; then
        ip -n "$NS_SRV" addr add fd00:3::1/64 dev wl-srv nodad
        ip -n "$NS_CLI" addr add fd00:3::2/64 dev wl-cli nodad
    else
        ip -n "$NS_SRV" addr add 10.0.3.1/24 dev wl-srv
        ip -n "$NS_CLI" addr add 10.0.3.2/24 dev wl-cli
    fi
    ip -n "$NS_SRV" link set wl-srv up
    ip -n "$NS_CLI" link set wl-cli up
    sleep 0.5
}

count_frames() { capinfos -M -c "$1" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}'; }

# Install a finished capture into OUT.
keep() {
    local f
    for f in "$@"; do
        [ -s "$WORK/$f" ] || die "capture $f is missing or empty"
        if [ -e "$WORK/$f.check.pcap" ]; then
            local got want
            got=$(count_frames "$WORK/$f")
            want=$(count_frames "$WORK/$f.check.pcap")
            [ "$got" -ge "$want" ] || die "$f has $got frames but the shadow tcpdump saw $want"
        fi
        cp "$WORK/$f" "$OUT/$f"
        chmod 644 "$OUT/$f"
        log "$f: $(du -k "$OUT/$f" | cut -f1) KiB"
    done
}

# ---------------------------------------------------------------- scenarios

# TCP: ARP, handshake, data both ways, FIN teardown. Captured three ways at once (same kernel
# timestamps): dumpcap pcapng (ns resolution), tcpdump pcap (us) and tcpdump pcap (ns); then
# converted to a big-endian pcap and a microsecond pcapng.
scenario_handshake() {
    log "handshake (+ pcap/pcapng variants)"
    setup_pair 0
    start_cap "$NS_SRV" dumpcap "$WORK/tcp-handshake.pcapng" wl-srv
    start_cap "$NS_SRV" tcpdump "$WORK/tcp-handshake-usec.pcap" wl-srv
    start_cap "$NS_SRV" tcpdump "$WORK/tcp-handshake-nsec.pcap" wl-srv --time-stamp-precision=nano
    py_bg "$NS_SRV" tcp-server --bind 10.0.3.1 --port 7777 --mode reply \
        --reply "hello from server" --reply "how are you?" --ready "$WORK/srv.ready"
    local srv=$LAST_PID
    wait_file "$WORK/srv.ready" 10 || die "tcp server did not start"
    py "$NS_CLI" tcp-client --dst 10.0.3.1 --port 7777 --sport 40000 --expect-reply \
        --message "hello from client" --message "fine, bye"
    wait_pid "$srv" 10
    stop_caps
    teardown
    editcap -F pcapng "$WORK/tcp-handshake-usec.pcap" "$WORK/tcp-handshake-usec.pcapng"
    "$PY" "$ROOT/scripts/pcap-to-big-endian.py" "$WORK/tcp-handshake-usec.pcap" "$WORK/tcp-handshake-be.pcap"
    keep tcp-handshake.pcapng tcp-handshake-usec.pcap tcp-handshake-nsec.pcap \
        tcp-handshake-usec.pcapng tcp-handshake-be.pcap
    rm -f "$WORK"/*.ready
}

# UDP: three datagrams echoed back, then one to a closed port (ICMP port unreachable).
scenario_udp() {
    log "udp"
    setup_pair 0
    start_cap "$NS_SRV" dumpcap "$WORK/udp.pcapng" wl-srv
    py_bg "$NS_SRV" udp-server --bind 10.0.3.1 --port 7777 --count 3 --ready "$WORK/srv.ready"
    local srv=$LAST_PID
    wait_file "$WORK/srv.ready" 10 || die "udp server did not start"
    py "$NS_CLI" udp-client --dst 10.0.3.1 --port 7777 --sport 40001 \
        --message "one" --message "two" --message "three" --closed-port 7778
    wait_pid "$srv" 10
    stop_caps
    teardown
    keep udp.pcapng
    rm -f "$WORK"/*.ready
}

# ARP: first contact (broadcast who-has, is-at), the server's unicast re-check when its entry
# goes stale, and a gratuitous ARP (announcement) when the client's MAC changes (arp_notify).
scenario_arp() {
    log "arp"
    setup_pair 0
    nsx "$NS_CLI" sysctl -qw net.ipv4.conf.wl-cli.arp_notify=1
    nsx "$NS_SRV" sysctl -qw net.ipv4.neigh.wl-srv.base_reachable_time_ms=500 \
        net.ipv4.neigh.wl-srv.delay_first_probe_time=1
    start_cap "$NS_SRV" dumpcap "$WORK/arp.pcapng" wl-srv
    py "$NS_CLI" icmp-echo --dst 10.0.3.1 --count 1 --ident 0x0a01
    sleep 2
    ip -n "$NS_CLI" link set dev wl-cli address 02:00:00:00:03:22
    sleep 1.5
    py "$NS_CLI" icmp-echo --dst 10.0.3.1 --count 1 --ident 0x0a02
    sleep 2
    stop_caps
    teardown
    keep arp.pcapng
}

# ICMP echo: four pings client -> server and two server -> client (raw ICMP sockets).
scenario_icmp() {
    log "icmp"
    setup_pair 0
    start_cap "$NS_SRV" dumpcap "$WORK/icmp-echo.pcapng" wl-srv
    py "$NS_CLI" icmp-echo --dst 10.0.3.1 --count 4 --ident 0x1234
    py "$NS_SRV" icmp-echo --dst 10.0.3.2 --count 2 --ident 0x4321
    stop_caps
    teardown
    keep icmp-echo.pcapng
}

# IPv4 fragments: a 3000-byte UDP datagram and its echo, a 4000-byte ping and its reply.
scenario_fragments() {
    log "fragments"
    setup_pair 0
    start_cap "$NS_SRV" dumpcap "$WORK/fragments.pcapng" wl-srv
    py_bg "$NS_SRV" udp-server --bind 10.0.3.1 --port 7777 --count 1 --ready "$WORK/srv.ready"
    local srv=$LAST_PID
    wait_file "$WORK/srv.ready" 10 || die "udp server did not start"
    py "$NS_CLI" udp-client --dst 10.0.3.1 --port 7777 --sport 40002 --size 3000
    wait_pid "$srv" 10
    py "$NS_CLI" icmp-echo --dst 10.0.3.1 --count 1 --size 4000 --ident 0x0f0f
    stop_caps
    teardown
    keep fragments.pcapng
    rm -f "$WORK"/*.ready
}

# IPv6: neighbour discovery, TCP exchange, UDP echo, ICMPv6 echo, ICMPv6 port unreachable.
scenario_ipv6() {
    log "ipv6"
    setup_pair 1
    sleep 1
    start_cap "$NS_SRV" dumpcap "$WORK/ipv6.pcapng" wl-srv
    py_bg "$NS_SRV" tcp-server --bind fd00:3::1 --port 7777 --mode reply \
        --reply "hello over IPv6" --ready "$WORK/tsrv.ready"
    local tsrv=$LAST_PID
    py_bg "$NS_SRV" udp-server --bind fd00:3::1 --port 7777 --count 2 --ready "$WORK/usrv.ready"
    local usrv=$LAST_PID
    wait_file "$WORK/tsrv.ready" 10 || die "tcp server did not start"
    wait_file "$WORK/usrv.ready" 10 || die "udp server did not start"
    py "$NS_CLI" tcp-client --dst fd00:3::1 --port 7777 --sport 40000 --expect-reply \
        --message "hello from client" --message "bye"
    py "$NS_CLI" udp-client --dst fd00:3::1 --port 7777 --sport 40001 \
        --message "one" --message "two" --closed-port 7778
    py "$NS_CLI" icmp-echo --dst fd00:3::1 --count 2 --ident 0x0606
    wait_pid "$tsrv" 10
    wait_pid "$usrv" 10
    stop_caps
    teardown
    keep ipv6.pcapng
    rm -f "$WORK"/*.ready
}

# IPv6 fragments (only the sender fragments in IPv6): a 3000-byte UDP datagram and its echo,
# a 3000-byte ICMPv6 echo and its reply, over the 1500-byte MTU of the veth pair.
scenario_ipv6frag() {
    log "ipv6frag"
    setup_pair 1
    sleep 1
    start_cap "$NS_SRV" dumpcap "$WORK/ipv6-fragments.pcapng" wl-srv
    py_bg "$NS_SRV" udp-server --bind fd00:3::1 --port 7777 --count 1 --ready "$WORK/srv.ready"
    local srv=$LAST_PID
    wait_file "$WORK/srv.ready" 10 || die "udp server did not start"
    py "$NS_CLI" udp-client --dst fd00:3::1 --port 7777 --sport 40002 --size 3000
    wait_pid "$srv" 10
    py "$NS_CLI" icmp-echo --dst fd00:3::1 --count 1 --size 3000 --ident 0x0f06
    stop_caps
    teardown
    keep ipv6-fragments.pcapng
    rm -f "$WORK"/*.ready
}

# TSO: frames captured on the sending host with TCP segmentation offload can carry IPv4
# total length 0 (drivers that leave the NIC to fill the length in per segment, e.g. large
# send offload on Windows). A veth does not produce them, so this is a real TCP exchange
# (handshake, 24000 bytes of data sent in segments larger than the MTU, as TSO hands them to
# the NIC, FIN teardown) captured with tcpdump on the sender's end; then scripts/pcap-tso.py sets the total length of every IPv4
# frame carrying TCP data to 0 (and recomputes the header checksum), as the sending host
# would show it. Every other byte is as the kernel sent it.
scenario_tso() {
    log "tso"
    setup_pair 0
    start_cap "$NS_CLI" tcpdump "$WORK/tso-real.pcap" wl-cli
    py_bg "$NS_SRV" tcp-server --bind 10.0.3.1 --port 7777 --mode sink --ready "$WORK/srv.ready"
    local srv=$LAST_PID
    wait_file "$WORK/srv.ready" 10 || die "tcp server did not start"
    py "$NS_CLI" bulk-client --dst 10.0.3.1 --port 7777 --bytes 24000 --chunk 8000
    wait_pid "$srv" 10
    stop_caps
    teardown
    "$PY" "$ROOT/scripts/pcap-tso.py" "$WORK/tso-real.pcap" "$WORK/tso.pcap"
    keep tso.pcap
    rm -f "$WORK"/*.ready
}

# 802.1Q: this kernel has no 8021q module, so each namespace's stack talks through a TAP
# device and capture-traffic.py vlan-relay tags/untags its frames (VLAN 30) onto a veth
# "trunk" between the namespaces. The capture is on the server's trunk end.
scenario_vlan() {
    log "vlan"
    make_ns "$NS_SRV" 0
    make_ns "$NS_CLI" 0
    ip -n "$NS_SRV" link add tr-srv type veth peer name tr-cli netns "$NS_CLI"
    ip -n "$NS_SRV" link set tr-srv up
    ip -n "$NS_CLI" link set tr-cli up
    py_bg "$NS_SRV" vlan-relay --tap wl-srv --trunk tr-srv --vid 30 --seconds 40 --ready "$WORK/rs.ready"
    py_bg "$NS_CLI" vlan-relay --tap wl-cli --trunk tr-cli --vid 30 --seconds 40 --ready "$WORK/rc.ready"
    wait_file "$WORK/rs.ready" 10 || die "vlan relay (server) did not start"
    wait_file "$WORK/rc.ready" 10 || die "vlan relay (client) did not start"
    ip -n "$NS_SRV" link set wl-srv address "$SRV_MAC"
    ip -n "$NS_CLI" link set wl-cli address "$CLI_MAC"
    ip -n "$NS_SRV" addr add 10.0.3.1/24 dev wl-srv
    ip -n "$NS_CLI" addr add 10.0.3.2/24 dev wl-cli
    ip -n "$NS_SRV" link set wl-srv up
    ip -n "$NS_CLI" link set wl-cli up
    sleep 0.5
    start_cap "$NS_SRV" dumpcap "$WORK/vlan.pcapng" tr-srv
    py_bg "$NS_SRV" tcp-server --bind 10.0.3.1 --port 7777 --mode reply \
        --reply "hello on VLAN 30" --ready "$WORK/tsrv.ready"
    local tsrv=$LAST_PID
    py_bg "$NS_SRV" udp-server --bind 10.0.3.1 --port 7777 --count 2 --ready "$WORK/usrv.ready"
    local usrv=$LAST_PID
    wait_file "$WORK/tsrv.ready" 10 || die "tcp server did not start"
    wait_file "$WORK/usrv.ready" 10 || die "udp server did not start"
    py "$NS_CLI" icmp-echo --dst 10.0.3.1 --count 2 --ident 0x0030
    py "$NS_CLI" tcp-client --dst 10.0.3.1 --port 7777 --sport 40000 --expect-reply \
        --message "hello from client" --message "bye"
    py "$NS_CLI" udp-client --dst 10.0.3.1 --port 7777 --sport 40001 --message "one" --message "two"
    wait_pid "$tsrv" 10
    wait_pid "$usrv" 10
    stop_caps
    teardown
    keep vlan.pcapng
    rm -f "$WORK"/*.ready
}

# Loopback "any" captures in Linux cooked v1 and v2 (the same traffic, two tcpdumps).
scenario_sll() {
    log "sll"
    make_ns "$NS_SRV" 1
    start_cap "$NS_SRV" tcpdump "$WORK/sll.pcap" any -y LINUX_SLL
    start_cap "$NS_SRV" tcpdump "$WORK/sll2.pcap" any -y LINUX_SLL2
    py_bg "$NS_SRV" tcp-server --bind 127.0.0.1 --port 7777 --mode reply \
        --reply "hello from loopback" --ready "$WORK/tsrv.ready"
    local tsrv=$LAST_PID
    py_bg "$NS_SRV" udp-server --bind 127.0.0.1 --port 7777 --count 2 --ready "$WORK/usrv.ready"
    local usrv=$LAST_PID
    py_bg "$NS_SRV" udp-server --bind ::1 --port 7777 --count 1 --ready "$WORK/u6srv.ready"
    local u6srv=$LAST_PID
    wait_file "$WORK/tsrv.ready" 10 || die "tcp server did not start"
    wait_file "$WORK/usrv.ready" 10 || die "udp server did not start"
    wait_file "$WORK/u6srv.ready" 10 || die "udp6 server did not start"
    py "$NS_SRV" tcp-client --dst 127.0.0.1 --port 7777 --sport 40000 --expect-reply \
        --message "hello from client" --message "bye"
    py "$NS_SRV" udp-client --dst 127.0.0.1 --port 7777 --sport 40001 \
        --message "one" --message "two" --closed-port 7778
    py "$NS_SRV" udp-client --dst ::1 --port 7777 --sport 40002 --message "over ::1"
    py "$NS_SRV" icmp-echo --dst 127.0.0.1 --count 2 --ident 0x0101
    wait_pid "$tsrv" 10
    wait_pid "$usrv" 10
    wait_pid "$u6srv" 10
    stop_caps
    teardown
    keep sll.pcap sll2.pcap
    rm -f "$WORK"/*.ready
}

# TCP analysis events from real kernel TCP. There is no netem here, so losses are made with
# tc: a u32 filter redirects matching packets to a veth that is down, which drops them. The
# client reaches the server through a bridge in a third namespace ("switch"), so a drop
# there is a loss on the wire for both ends.
#  1. one segment (sent with TOS 0x20) dropped by the switch, before the capture point (the
#     server's veth): previous segment not captured, dup ACKs (SACK), fast retransmission;
#  2. everything from the client dropped at the server's ingress for ~1 s, after the capture
#     point: RTO retransmissions (and a tail loss probe);
#  3. keep-alives on the idle connection (1 s keepalive time);
#  4. a second connection to a receiver with a tiny buffer that does not read for 1.5 s:
#     window full, zero window, zero-window probes, window update.
scenario_analysis() {
    log "analysis"
    local NS_SW="$TAG-sw"
    make_ns "$NS_SRV" 0
    make_ns "$NS_CLI" 0
    make_ns "$NS_SW" 0
    ip -n "$NS_SW" link add br0 type bridge
    ip -n "$NS_SW" link add sw-srv type veth peer name wl-srv netns "$NS_SRV" address "$SRV_MAC"
    ip -n "$NS_SW" link add sw-cli type veth peer name wl-cli netns "$NS_CLI" address "$CLI_MAC"
    ip -n "$NS_SW" link set sw-srv master br0
    ip -n "$NS_SW" link set sw-cli master br0
    ip -n "$NS_SRV" addr add 10.0.3.1/24 dev wl-srv
    ip -n "$NS_CLI" addr add 10.0.3.2/24 dev wl-cli
    local ns dev
    for dev in br0 sw-srv sw-cli; do ip -n "$NS_SW" link set "$dev" up; done
    ip -n "$NS_SRV" link set wl-srv up
    ip -n "$NS_CLI" link set wl-cli up
    for ns in "$NS_SRV" "$NS_SW"; do
        ip -n "$ns" link add bh0 type veth peer name bh1 # stays down: a black hole
    done
    tc -n "$NS_SW" qdisc add dev sw-cli clsact
    tc -n "$NS_SW" filter add dev sw-cli ingress protocol ip prio 1 u32 \
        match ip tos 0x20 0xff action mirred egress redirect dev bh0
    tc -n "$NS_SRV" qdisc add dev wl-srv clsact
    # No autocorking: each small write must leave at once, with the TOS it was written with.
    # No RACK: classic fast retransmit after three duplicate ACKs, as in the textbooks.
    # One segment per packet (no GSO): frames stay within the MTU, as on a real wire.
    nsx "$NS_CLI" sysctl -qw net.ipv4.tcp_autocorking=0 net.ipv4.tcp_recovery=0
    ip -n "$NS_CLI" link set dev wl-cli gso_max_segs 1
    sleep 0.5
    start_cap "$NS_SRV" dumpcap "$WORK/tcp-analysis.pcapng" wl-srv
    py_bg "$NS_SRV" tcp-server --bind 10.0.3.1 --port 7777 --mode sink --rcvbuf 16384 \
        --ready "$WORK/s1.ready"
    local s1=$LAST_PID
    py_bg "$NS_SRV" tcp-server --bind 10.0.3.1 --port 7778 --mode sink --rcvbuf 2048 \
        --stall 1.5 --read-size 2048 --read-pause 0.01 --ready "$WORK/s2.ready"
    local s2=$LAST_PID
    wait_file "$WORK/s1.ready" 10 || die "tcp server 1 did not start"
    wait_file "$WORK/s2.ready" 10 || die "tcp server 2 did not start"
    py_bg "$NS_CLI" analysis-client --dst 10.0.3.1 --port 7777 --linger 3.5 --warmup 30 \
        --ready "$WORK/c.ready" --go "$WORK/c.go"
    local c=$LAST_PID
    wait_file "$WORK/c.ready" 15 || die "analysis client did not reach phase 2"
    tc -n "$NS_SRV" filter add dev wl-srv ingress protocol ip prio 1 u32 \
        match ip src 10.0.3.2/32 action mirred egress redirect dev bh0
    touch "$WORK/c.go"
    sleep 1
    tc -n "$NS_SRV" filter del dev wl-srv ingress prio 1
    wait_pid "$c" 30
    wait_pid "$s1" 10
    py "$NS_CLI" bulk-client --dst 10.0.3.1 --port 7778 --bytes 20000 --sndbuf 4096
    wait_pid "$s2" 10
    stop_caps
    teardown
    keep tcp-analysis.pcapng
    rm -f "$WORK"/*.ready "$WORK"/*.go
}

mkdir -p "$OUT"
ALL="handshake udp arp icmp fragments ipv6 ipv6frag tso vlan sll analysis"
for s in ${*:-$ALL}; do
    case " $ALL " in
        *" $s "*) "scenario_$s" ;;
        *) die "unknown scenario $s (known: $ALL)" ;;
    esac
done
log "done: $(ls "$OUT" | tr '\n' ' ')"

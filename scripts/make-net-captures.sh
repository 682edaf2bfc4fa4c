#!/usr/bin/env bash
# Makes the captures of the network-layer labs (captures/net/ip.pcap, captures/net/icmp.pcap):
# three namespaces, client C — router R — server S, the system's traceroute and ping on C,
# tcpdump on C's eth0. tests/lab_net.rs builds the same network (tests/support/netns.rs) and
# checks `wirelab lab answer ip|icmp` against tshark on fresh captures and on these files.
#
#   sudo scripts/make-net-captures.sh [DIR]     (default captures/net)
#
#   C  eth0 10.0.3.2/24  fd00:3::2/64   gateway 10.0.3.254, fd00:3::fe
#   R  eth0 10.0.3.254/24 fd00:3::fe/64; eth1 10.0.4.254/24, MTU 1000 (IPv4 only: IPv6 needs 1280)
#   S  eth0 10.0.4.1/24, MTU 1000       gateway 10.0.4.254
#
# ICMP rate limits are off in R and S (net.ipv4.icmp_ratelimit=0), so every probe is answered.
# Nothing is added to the host's namespace; the namespaces are removed on exit.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (network namespaces): sudo $0" >&2; exit 1; }
OUT=${1:-captures/net}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
T=wlnet$$
C=${T}c R=${T}r S=${T}s
TD=
cleanup() {
    if [ -n "$TD" ]; then kill -TERM "$TD" 2>/dev/null || true; fi
    for n in "$C" "$R" "$S"; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
        ip netns del "$n" 2>/dev/null || true
    done
}
trap cleanup EXIT
x() { local n=$1; shift; ip netns exec "$n" "$@"; }
for n in "$C" "$R" "$S"; do ip netns add "$n"; x "$n" ip link set lo up; done
ip -n "$C" link add eth0 type veth peer name eth0 netns "$R"
ip -n "$R" link add eth1 type veth peer name eth0 netns "$S"
ip -n "$R" link set eth1 mtu 1000
ip -n "$S" link set eth0 mtu 1000
x "$C" sysctl -q -w net.ipv6.conf.eth0.accept_ra=0
x "$R" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.icmp_ratelimit=0
x "$S" sysctl -q -w net.ipv4.icmp_ratelimit=0
ip -n "$C" addr add 10.0.3.2/24 dev eth0
ip -n "$C" addr add fd00:3::2/64 dev eth0 nodad
ip -n "$R" addr add 10.0.3.254/24 dev eth0
ip -n "$R" addr add fd00:3::fe/64 dev eth0 nodad
ip -n "$R" addr add 10.0.4.254/24 dev eth1
ip -n "$S" addr add 10.0.4.1/24 dev eth0
for l in "$C eth0" "$R eth0" "$R eth1" "$S eth0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n "$C" route add default via 10.0.3.254
ip -n "$C" -6 route add default via fd00:3::fe
ip -n "$S" route add default via 10.0.4.254
sleep 1

# capture NAME CMD…: run the commands (one per argument) on C while tcpdump captures C's eth0.
capture() {
    local name=$1
    shift
    ip netns exec "$C" tcpdump --immediate-mode -U -n -i eth0 -w "$OUT/$name.pcap" 2>"$OUT/.$name.err" &
    TD=$!
    for _ in $(seq 100); do grep -q "listening on" "$OUT/.$name.err" && break; sleep 0.05; done
    local cmd
    for cmd in "$@"; do
        echo "  [C] \$ $cmd"
        # shellcheck disable=SC2086
        x "$C" timeout 20 $cmd | sed 's/^/  [C] /'
    done
    sleep 0.3
    kill -TERM "$TD"
    wait "$TD" || true
    TD=
    rm -f "$OUT/.$name.err"
}
echo "== ip: traceroute (UDP probes), then 3000-byte probes, then an IPv6 ping"
capture ip "traceroute -n 10.0.4.1" "traceroute -n 10.0.4.1 3000" "ping -6 -c 2 fd00:3::fe"
echo "== icmp: ping, then traceroute with ICMP probes (as Windows tracert), then UDP probes"
capture icmp "ping -c 3 10.0.4.1" "traceroute -n -I 10.0.4.1" "traceroute -n 10.0.4.1"
[ -n "${SUDO_UID:-}" ] && chown "$SUDO_UID:${SUDO_GID:-0}" "$OUT"/ip.pcap "$OUT"/icmp.pcap
echo "written: $OUT/ip.pcap $OUT/icmp.pcap"

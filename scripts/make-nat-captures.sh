#!/usr/bin/env bash
# Makes the captures of the NAT lab (captures/net/nat-inside.pcap, captures/net/nat-outside.pcap):
# three namespaces, client A — NAT router R (nftables `masquerade` out of eth1) — server S,
# `python3 -m http.server` on S, curl on A, tcpdump on R's eth0 (inside, the LAN side) and on
# R's eth1 (outside, the WAN side) at the same time, as the course's
# nat-inside-wireshark-trace1-1.pcapng and nat-outside-wireshark-trace1-1.pcapng.
# tests/lab_nat.rs builds the same network and checks `wirelab lab answer nat` against tshark on
# fresh captures and on these files.
#
#   sudo scripts/make-nat-captures.sh [DIR] [MASQUERADE]   (default captures/net, `masquerade`)
#
#   A  eth0 10.0.3.1/24     gateway 10.0.3.254
#   R  eth0 10.0.3.254/24 (inside); eth1 10.0.4.254/24 (outside), masquerade of 10.0.3.0/24
#   S  eth0 10.0.4.1/24     no route back to 10.0.3.0/24: only NAT lets A reach it
#
# MASQUERADE is the nftables statement, e.g. `masquerade to :20000-20099` (ports change too).
# A fetches /wireshark-labs/HTTP-wireshark-file1.html, then HTTP-wireshark-file2.html, from
# gaia.wirelab.test (10.0.4.1 via curl --resolve): two connections. Nothing is added to the
# host's namespace; the namespaces are removed on exit; every wait is bounded.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (network namespaces): sudo $0" >&2; exit 1; }
for tool in ip nft tcpdump curl python3 timeout; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 1; }
done
OUT=${1:-captures/net}
MASQ=${2:-masquerade}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PY=$(python3 -c 'import sys; print(sys.executable)')
T=wlnat$$
A=${T}a R=${T}r S=${T}s
WORK=$(mktemp -d /tmp/wlnat.XXXXXX)
PIDS=()
cleanup() {
    local p n
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for n in "$A" "$R" "$S"; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
        ip netns del "$n" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
x() { local n=$1; shift; ip netns exec "$n" "$@"; }
for n in "$A" "$R" "$S"; do ip netns add "$n"; x "$n" ip link set lo up; done
ip -n "$A" link add eth0 type veth peer name eth0 netns "$R"
ip -n "$R" link add eth1 type veth peer name eth0 netns "$S"
for n in "$A" "$R" "$S"; do x "$n" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1; done
x "$R" sysctl -q -w net.ipv4.ip_forward=1
ip -n "$A" addr add 10.0.3.1/24 dev eth0
ip -n "$R" addr add 10.0.3.254/24 dev eth0
ip -n "$R" addr add 10.0.4.254/24 dev eth1
ip -n "$S" addr add 10.0.4.1/24 dev eth0
for l in "$A eth0" "$R eth0" "$R eth1" "$S eth0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n "$A" route add default via 10.0.3.254
x "$R" nft -f - <<EOF
table ip wirelab_nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "eth1" ip saddr 10.0.3.0/24 $MASQ
    }
}
EOF
echo "== R's NAT rule:"
x "$R" nft list table ip wirelab_nat | sed 's/^/  [R] /'

mkdir -p "$WORK/www/wireshark-labs"
cat >"$WORK/www/wireshark-labs/HTTP-wireshark-file1.html" <<'EOF'
<html>
Congratulations.  You've downloaded the file
http://gaia.wirelab.test/wireshark-labs/HTTP-wireshark-file1.html!
</html>
EOF
cat >"$WORK/www/wireshark-labs/HTTP-wireshark-file2.html" <<'EOF'
<html>
Congratulations again!  Now you've downloaded the file HTTP-wireshark-file2.html.
</html>
EOF
x "$S" "$PY" -m http.server 80 --bind 10.0.4.1 --directory "$WORK/www" >"$WORK/http.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
    [ -n "$(x "$S" ss -Hltn 'sport = :80' 2>/dev/null)" ] && break
    sleep 0.1
done

# tcpdump on one of R's interfaces: IF FILE
dump() {
    x "$R" tcpdump --immediate-mode -U -n -i "$1" -w "$2" 2>"$2.err" &
    PIDS+=($!)
    for _ in $(seq 100); do grep -q "listening on" "$2.err" && return 0; sleep 0.05; done
    echo "$0: tcpdump on R's $1 did not start" >&2
    exit 1
}
dump eth0 "$WORK/inside.pcap"
dump eth1 "$WORK/outside.pcap"
for page in HTTP-wireshark-file1.html HTTP-wireshark-file2.html; do
    echo "  [A] \$ curl http://gaia.wirelab.test/wireshark-labs/$page"
    x "$A" timeout 20 curl -sS -o /dev/null -w '  [A] %{http_code} %{size_download} bytes\n' \
        --resolve gaia.wirelab.test:80:10.0.4.1 "http://gaia.wirelab.test/wireshark-labs/$page"
    sleep 0.2
done
sleep 0.3
for p in "${PIDS[@]:1}"; do kill -INT "$p" 2>/dev/null || true; done
for p in "${PIDS[@]:1}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
done
cp "$WORK/inside.pcap" "$OUT/nat-inside.pcap"
cp "$WORK/outside.pcap" "$OUT/nat-outside.pcap"
[ -n "${SUDO_UID:-}" ] && chown "$SUDO_UID:${SUDO_GID:-0}" "$OUT"/nat-inside.pcap "$OUT"/nat-outside.pcap
echo "written: $OUT/nat-inside.pcap $OUT/nat-outside.pcap"

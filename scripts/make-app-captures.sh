#!/usr/bin/env bash
# Make application-protocol captures from REAL servers and clients in private network
# namespaces (needs root): one capture per service, written to OUTDIR.
#
#   http.pcap   python3 -m http.server (port 80) + a small handler (scripts/app-traffic.py,
#               port 8080) asked by curl: a 4+ segment page, a conditional GET answered 304,
#               a 404, a JSON file, Basic auth answered 401 then 200, a chunked response, a
#               JSON response; an SSDP M-SEARCH over UDP 1900 and its answer
#   dns.pcap    dnsmasq (authoritative for wirelab.test) asked by dig and nslookup over UDP
#               and by dig +tcp: A, AAAA, NS, CNAME, MX, PTR, TXT, SRV, SOA and an NXDOMAIN
#   dhcp.pcap   dnsmasq as DHCP server, busybox udhcpc: Discover, Offer, Request, ACK, Release
#   tls12.pcap, tls13.pcap   openssl s_server (self-signed certificate made now, port 443) and
#               openssl s_client -tls1_2 / -tls1_3 -servername wirelab.test, a line each way
#   smtp.pcap   aiosmtpd (port 25) and smtplib: EHLO, MAIL, RCPT, DATA, QUIT
#   ftp.pcap    pyftpdlib (port 21, passive data) and ftplib: USER, PASS, LIST, RETR, QUIT
#   pop.pcap, imap.pcap   minimal POP3/IMAP servers (app-traffic.py) and poplib/imaplib
#   dhcpv6.pcap dnsmasq as DHCPv6 server, dhclient -6 (its own lease/pid files and a no-op
#               script): Solicit, Advertise, Request, Reply, Release, Reply
#   http-close.pcap  scripts/http-close.py (port 80): HTTP/1.0 responses without a length,
#               their body running to the close: the FIN alone after one segment and after
#               three, the FIN on the last data, a RST instead of a FIN, and one never closed
#               before the capture ends
#   names.pcap  local-link name resolution by app-traffic.py: an mDNS query and its multicast
#               answer, an LLMNR query and its answer, a NetBIOS name query broadcast and its
#               answer
#
# Each service gets two fresh namespaces (server 10.0.3.1, client 10.0.3.2, a veth pair,
# IPv6 off but for DHCPv6, one segment per packet so frames stay within the MTU as on a
# real wire);
# tcpdump records on the server's end. Nothing is added to the root namespace; a trap kills
# everything started here and deletes the namespaces on any exit. Every wait is bounded.
#
# Usage: sudo scripts/make-app-captures.sh OUTDIR [SERVICE...]
#   services: http http-close dns dhcp tls12 tls13 smtp ftp pop imap names dhcpv6 (default: all)
# Needs: ip, ss, tcpdump, python3 (+ aiosmtpd, pyftpdlib), curl, dnsmasq, dig, nslookup,
# udhcpc, dhclient, openssl.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPER=$ROOT/scripts/app-traffic.py
PY=$(python3 -c 'import sys; print(sys.executable)')

[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [SERVICE...]" >&2; exit 2; }
OUT=$1
shift
if [ "$(id -u)" != 0 ]; then
    echo "make-app-captures.sh: needs root (network namespaces)" >&2
    exit 1
fi
for tool in ip ss tcpdump curl dnsmasq dig nslookup udhcpc dhclient openssl timeout; do
    command -v "$tool" >/dev/null || { echo "make-app-captures.sh: $tool not found" >&2; exit 1; }
done
for mod in aiosmtpd pyftpdlib; do
    "$PY" -c "import $mod" 2>/dev/null || { echo "make-app-captures.sh: python module $mod not found" >&2; exit 1; }
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

TAG="wlapp$$"
NS_SRV="$TAG-srv"
NS_CLI="$TAG-cli"
SRV=10.0.3.1
CLI=10.0.3.2
WORK=$(mktemp -d /tmp/wlapp.XXXXXX)
ALL_PIDS=()
CAP_PID=

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'make-app-captures.sh: %s\n' "$*" >&2; exit 1; }
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
    echo "make-app-captures.sh: pid $pid still running after ${limit}s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
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

# Wait up to $3 seconds for a listening socket on port $2 (PROTO in $4: t or u) in
# namespace $1, without sending anything.
wait_listen() {
    local ns=$1 port=$2 limit=$3 proto=${4:-t} i
    for ((i = 0; i < limit * 10; i++)); do
        [ -n "$(nsx "$ns" ss -Hln"$proto" "sport = :$port" 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    die "nothing listens on port $port in $ns after ${limit}s"
}

# Run "$@" in namespace $1 in the background; its pid goes to LAST_PID.
run_bg() {
    local ns=$1; shift
    nsx "$ns" "$@" &
    LAST_PID=$!
    ALL_PIDS+=("$LAST_PID")
}

# A client step in namespace $1, bounded to 30 s.
cli() { local ns=$1; shift; nsx "$ns" timeout 30 "$@"; }
py() { local ns=$1; shift; nsx "$ns" timeout 30 "$PY" "$HELPER" "$@"; }

# Kill what we started (by pid) and delete our namespaces (and anything left in them).
teardown() {
    local pid ns
    for pid in "${ALL_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${ALL_PIDS[@]}"; do wait_pid "$pid" 5 >/dev/null 2>&1 || true; done
    ALL_PIDS=()
    CAP_PID=
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$TAG-" || true); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    teardown
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two namespaces joined by a veth pair; the client has no IPv4 address when $1 is "dhcp".
# IPv6 is off, except with "v6": link-local addresses (no DAD, no router solicitations) and
# fd00:3::1/64 on the server.
setup_pair() {
    local ns
    for ns in "$NS_SRV" "$NS_CLI"; do
        ip netns add "$ns"
        nsx "$ns" ip link set lo up
        if [ "${1:-}" = v6 ]; then
            nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
                net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
                net.ipv6.conf.default.accept_ra=0
        else
            nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        fi
    done
    ip -n "$NS_SRV" link add wl-srv address 02:00:00:00:03:01 type veth \
        peer name wl-cli netns "$NS_CLI" address 02:00:00:00:03:02
    ip -n "$NS_SRV" link set dev wl-srv gso_max_segs 1
    ip -n "$NS_CLI" link set dev wl-cli gso_max_segs 1
    ip -n "$NS_SRV" addr add "$SRV/24" dev wl-srv
    [ "${1:-}" != v6 ] || ip -n "$NS_SRV" addr add fd00:3::1/64 dev wl-srv nodad
    [ "${1:-}" = dhcp ] || ip -n "$NS_CLI" addr add "$CLI/24" dev wl-cli
    ip -n "$NS_SRV" link set wl-srv up
    ip -n "$NS_CLI" link set wl-cli up
    sleep 0.3
    [ "${1:-}" != v6 ] || sleep 1 # let the link-local addresses and their MLD reports settle
}

# Start tcpdump on the server's veth end, writing $WORK/$1, and wait until it runs.
start_cap() {
    local err="$WORK/$1.log"
    run_bg "$NS_SRV" tcpdump -n -i wl-srv --immediate-mode -B 65536 -U -w "$WORK/$1" 2>"$err"
    CAP_PID=$LAST_PID
    wait_text "$err" 'listening on' 10 || die "capture $1 did not start: $(cat "$err")"
    sleep 0.3
}

# Stop the capture (SIGTERM: tcpdump flushes), end the scenario, copy the file to OUT.
finish() {
    local name=$1
    sleep 0.5
    kill -TERM "$CAP_PID" 2>/dev/null || true
    wait_pid "$CAP_PID" 10 || true
    teardown
    [ -s "$WORK/$name" ] || die "capture $name is missing or empty"
    cp "$WORK/$name" "$OUT/$name"
    chmod 644 "$OUT/$name"
    log "$name: $(du -k "$OUT/$name" | cut -f1) KiB"
}

# ---------------------------------------------------------------- services

svc_http() {
    log "http"
    setup_pair
    local www=$WORK/www
    mkdir -p "$www"
    {
        printf '<!DOCTYPE html>\n<html><head><title>wirelab test page</title></head><body>\n'
        for i in $(seq 1 120); do
            printf '<p>Line %03d of a page long enough to need several TCP segments.</p>\n' "$i"
        done
        printf '</body></html>\n'
    } >"$www/index.html"
    printf '{"name": "wirelab", "frames": [1, 2, 3], "ok": true}\n' >"$www/data.json"
    touch -d '2026-01-05 10:00:00 UTC' "$www/index.html" "$www/data.json"
    TZ=UTC date -r "$www/index.html" '+%a, %d %b %Y %H:%M:%S GMT' >"$WORK/lm"
    run_bg "$NS_SRV" timeout 60 "$PY" -m http.server 80 --bind "$SRV" --directory "$www" 2>"$WORK/httpd.log"
    run_bg "$NS_SRV" timeout 60 "$PY" "$HELPER" http-extra --bind "$SRV" --port 8080 --seconds 40
    run_bg "$NS_SRV" timeout 60 "$PY" "$HELPER" ssdp-server --bind "$SRV"
    wait_listen "$NS_SRV" 80 10
    wait_listen "$NS_SRV" 8080 10
    wait_listen "$NS_SRV" 1900 10 u
    start_cap http.pcap
    py "$NS_CLI" http-client --server "$SRV" --extra-port 8080 --last-modified "$WORK/lm"
    finish http.pcap
}

svc_http_close() {
    log "http-close"
    setup_pair
    run_bg "$NS_SRV" timeout 60 "$PY" "$ROOT/scripts/http-close.py" server --bind "$SRV" --port 80
    wait_listen "$NS_SRV" 80 10
    start_cap http-close.pcap
    nsx "$NS_CLI" timeout 30 "$PY" "$ROOT/scripts/http-close.py" client --server "$SRV" --port 80
    finish http-close.pcap
}

DNS_ZONE=(
    --auth-server=ns1.wirelab.test,wl-srv --auth-zone=wirelab.test,10.0.3.0/24
    --auth-soa=2026010501,hostmaster.wirelab.test
    --host-record=ns1.wirelab.test,10.0.3.1
    --host-record=www.wirelab.test,10.0.3.80,fd00:3::80
    --host-record=mail.wirelab.test,10.0.3.25
    --cname=web.wirelab.test,www.wirelab.test
    --mx-host=wirelab.test,mail.wirelab.test,10
    --ptr-record=80.3.0.10.in-addr.arpa,www.wirelab.test
    --txt-record=wirelab.test,"v=spf1 mx -all","lab=wirelab"
    --srv-host=_http._tcp.wirelab.test,www.wirelab.test,80,0,10
)

svc_dns() {
    log "dns"
    setup_pair
    run_bg "$NS_SRV" timeout 60 dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts \
        --no-poll --user=root --group=root --pid-file="$WORK/dnsmasq.pid" \
        --interface=wl-srv --bind-interfaces --log-queries --log-facility=- "${DNS_ZONE[@]}" \
        2>"$WORK/dnsmasq.log"
    wait_listen "$NS_SRV" 53 10 u
    wait_listen "$NS_SRV" 53 10 t
    start_cap dns.pcap
    local d=(dig @"$SRV" +time=2 +tries=1)
    cli "$NS_CLI" "${d[@]}" www.wirelab.test A >/dev/null
    cli "$NS_CLI" "${d[@]}" www.wirelab.test AAAA >/dev/null
    cli "$NS_CLI" "${d[@]}" wirelab.test NS >/dev/null
    cli "$NS_CLI" "${d[@]}" web.wirelab.test CNAME >/dev/null
    cli "$NS_CLI" "${d[@]}" web.wirelab.test A >/dev/null
    cli "$NS_CLI" "${d[@]}" wirelab.test MX >/dev/null
    cli "$NS_CLI" "${d[@]}" -x 10.0.3.80 >/dev/null
    cli "$NS_CLI" "${d[@]}" wirelab.test TXT >/dev/null
    cli "$NS_CLI" "${d[@]}" _http._tcp.wirelab.test SRV >/dev/null
    cli "$NS_CLI" "${d[@]}" wirelab.test SOA >/dev/null
    cli "$NS_CLI" "${d[@]}" nothere.wirelab.test A >/dev/null
    cli "$NS_CLI" nslookup -timeout=2 -retry=1 mail.wirelab.test "$SRV" >/dev/null
    cli "$NS_CLI" "${d[@]}" +tcp www.wirelab.test A >/dev/null
    cli "$NS_CLI" "${d[@]}" +tcp wirelab.test MX >/dev/null
    finish dns.pcap
}

svc_dhcp() {
    log "dhcp"
    setup_pair dhcp
    run_bg "$NS_SRV" timeout 60 dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts \
        --no-poll --user=root --group=root --pid-file="$WORK/dnsmasq.pid" --port=0 \
        --interface=wl-srv --bind-interfaces --log-dhcp --log-facility=- --no-ping \
        --dhcp-authoritative --dhcp-leasefile="$WORK/leases" \
        --dhcp-range=10.0.3.100,10.0.3.150,255.255.255.0,1h \
        --dhcp-option=option:router,10.0.3.1 --dhcp-option=option:dns-server,10.0.3.1 \
        --domain=wirelab.test 2>"$WORK/dnsmasq.log"
    wait_listen "$NS_SRV" 67 10 u
    # udhcpc's script: configure the address in the client namespace only.
    cat >"$WORK/udhcpc.sh" <<'EOF'
#!/bin/sh
case "$1" in
    bound|renew) ip addr replace "$ip/$mask" dev "$interface" ;;
    deconfig) ip addr flush dev "$interface" ;;
esac
exit 0
EOF
    chmod +x "$WORK/udhcpc.sh"
    start_cap dhcp.pcap
    # Without -q udhcpc stays bound; SIGUSR2 makes it send the Release (with -q it would exit
    # before reaching the bound state, and send none).
    run_bg "$NS_CLI" timeout 30 udhcpc -f -n -t 3 -T 2 -i wl-cli -s "$WORK/udhcpc.sh" \
        -x hostname:student-pc >"$WORK/udhcpc.log" 2>&1
    local client=$LAST_PID
    wait_text "$WORK/udhcpc.log" 'obtained' 15 || die "udhcpc got no lease: $(cat "$WORK/udhcpc.log")"
    local upid
    # (An `if`, not `[ … ] && echo`: the loop must not end with the status of a pid that is not
    # udhcpc, which pipefail and set -e would take as a failure of the whole script.)
    upid=$(ip netns pids "$NS_CLI" | while read -r p; do
        if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = udhcpc ]; then echo "$p"; fi
    done | head -1)
    [ -n "$upid" ] || die "udhcpc is not running"
    kill -USR2 "$upid"
    wait_text "$WORK/udhcpc.log" 'released' 10 || die "udhcpc did not release: $(cat "$WORK/udhcpc.log")"
    kill -TERM "$upid" 2>/dev/null || true
    wait_pid "$client" 10 || true
    cat "$WORK/udhcpc.log" >&2
    finish dhcp.pcap
}

svc_dhcpv6() {
    log "dhcpv6"
    setup_pair v6
    run_bg "$NS_SRV" timeout 60 dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts \
        --no-poll --user=root --group=root --pid-file="$WORK/dnsmasq.pid" --port=0 \
        --interface=wl-srv --bind-interfaces --log-dhcp --log-facility=- \
        --dhcp-authoritative --dhcp-leasefile="$WORK/leases" \
        --dhcp-range=fd00:3::100,fd00:3::1ff,64,1h \
        --dhcp-option=option6:dns-server,[fd00:3::1] --domain=wirelab.test 2>"$WORK/dnsmasq.log"
    wait_listen "$NS_SRV" 547 10 u
    printf '#!/bin/sh\nexit 0\n' >"$WORK/dhclient.sh"
    chmod +x "$WORK/dhclient.sh"
    local dh=(dhclient -6 -lf "$WORK/dhclient6.leases" -pf "$WORK/dhclient6.pid" -sf "$WORK/dhclient.sh")
    start_cap dhcpv6.pcap
    # Solicit, Advertise, Request, Reply; then -r: Release, Reply.
    cli "$NS_CLI" "${dh[@]}" -1 wl-cli >"$WORK/dhclient.log" 2>&1 ||
        die "dhclient -6 got no lease: $(tail -5 "$WORK/dhclient.log")"
    cli "$NS_CLI" "${dh[@]}" -r wl-cli >>"$WORK/dhclient.log" 2>&1 ||
        die "dhclient -6 -r failed: $(tail -5 "$WORK/dhclient.log")"
    finish dhcpv6.pcap
}

make_cert() {
    [ -s "$WORK/cert.pem" ] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=wirelab.test \
        -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null || die "openssl req failed"
}

# svc_tls 1_2|1_3: one s_server connection; the client sends a line, the server (-rev) sends
# it back reversed, the client closes on end of input.
svc_tls() {
    local v=$1 name
    name="tls${v/_/}.pcap"
    log "${name%.pcap}"
    make_cert
    setup_pair
    run_bg "$NS_SRV" timeout 60 openssl s_server -accept "$SRV:443" -cert "$WORK/cert.pem" \
        -key "$WORK/key.pem" -naccept 1 -rev >"$WORK/s_server.log" 2>&1
    local srv=$LAST_PID
    wait_listen "$NS_SRV" 443 10
    start_cap "$name"
    { printf 'hello from the client\n'; sleep 1; } |
        cli "$NS_CLI" openssl s_client -connect "$SRV:443" -servername wirelab.test "-tls$v" \
            >"$WORK/s_client.log" 2>&1 || die "s_client failed: $(tail -5 "$WORK/s_client.log")"
    wait_pid "$srv" 10 || true
    finish "$name"
}

svc_smtp() {
    log "smtp"
    setup_pair
    run_bg "$NS_SRV" timeout 60 "$PY" -m aiosmtpd -n -l "$SRV:25" -c aiosmtpd.handlers.Sink \
        2>"$WORK/smtpd.log"
    wait_listen "$NS_SRV" 25 10
    start_cap smtp.pcap
    py "$NS_CLI" smtp-client --server "$SRV"
    finish smtp.pcap
}

svc_ftp() {
    log "ftp"
    setup_pair
    local dir=$WORK/ftp
    mkdir -p "$dir"
    printf 'Lab notes\nFTP sends this file over a separate data connection.\n' >"$dir/notes.txt"
    printf 'second file\n' >"$dir/readme.md"
    touch -d '2026-01-05 10:00:00 UTC' "$dir"/*
    run_bg "$NS_SRV" timeout 60 "$PY" -m pyftpdlib -i "$SRV" -p 21 -d "$dir" -u student \
        -P wirelab 2>"$WORK/ftpd.log"
    wait_listen "$NS_SRV" 21 10
    start_cap ftp.pcap
    py "$NS_CLI" ftp-client --server "$SRV"
    finish ftp.pcap
}

# svc_mail pop|imap: the minimal server of app-traffic.py and the stdlib client.
svc_mail() {
    local p=$1 port
    log "$p"
    setup_pair
    port=$([ "$p" = pop ] && echo 110 || echo 143)
    run_bg "$NS_SRV" timeout 60 "$PY" "$HELPER" "$p-server" --bind "$SRV" --port "$port"
    local srv=$LAST_PID
    wait_listen "$NS_SRV" "$port" 10
    start_cap "$p.pcap"
    py "$NS_CLI" "$p-client" --server "$SRV"
    wait_pid "$srv" 10 || true
    finish "$p.pcap"
}

svc_names() {
    log "names"
    setup_pair
    # No IGMP reports for the link-local groups (224.0.0.251, .252) that the sockets join.
    nsx "$NS_SRV" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
    nsx "$NS_CLI" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
    run_bg "$NS_SRV" timeout 60 "$PY" "$HELPER" names-server --bind "$SRV"
    local srv=$LAST_PID
    wait_listen "$NS_SRV" 5353 10 u
    wait_listen "$NS_SRV" 5355 10 u
    wait_listen "$NS_SRV" 137 10 u
    start_cap names.pcap
    py "$NS_CLI" names-client --local "$CLI" --broadcast 10.0.3.255
    wait_pid "$srv" 10 || true
    finish names.pcap
}

services=("$@")
[ ${#services[@]} -gt 0 ] || services=(http http-close dns dhcp tls12 tls13 smtp ftp pop imap names dhcpv6)
for s in "${services[@]}"; do
    case $s in
        http) svc_http ;;
        http-close) svc_http_close ;;
        dns) svc_dns ;;
        dhcp) svc_dhcp ;;
        tls12) svc_tls 1_2 ;;
        tls13) svc_tls 1_3 ;;
        smtp) svc_smtp ;;
        ftp) svc_ftp ;;
        pop | imap) svc_mail "$s" ;;
        names) svc_names ;;
        dhcpv6) svc_dhcpv6 ;;
        *) die "unknown service $s (http http-close dns dhcp tls12 tls13 smtp ftp pop imap names dhcpv6)" ;;
    esac
done

#!/usr/bin/env bash
# Walkthrough of the Kurose & Ross "Wireshark Lab: DHCP v8.1" in the routed virtual lab with its
# services: D (no address, on the 10.0.4 link) is the student's computer and R's dnsmasq
# (10.0.4.254) the network's DHCP server. Captured on D with `wirelab capture`: the address
# released (`dhclient -r`), got again (Discover, Offer, Request, ACK), renewed, released; then
# `wirelab dhcp` builds a Discover and a Request by hand. Answered by `wirelab lab answer dhcp`.
#
#   sudo scripts/labs/dhcp.sh [DIR]      (captures in DIR, default captures/labs/dhcp)
#
# Needs dhclient (Debian: isc-dhcp-client) and busybox's udhcpc (Debian: udhcpc), and what
# `wirelab lab up --services` needs (dnsmasq).
source "$(dirname "$0")/common.sh"
lab_init dhcp

for tool in dhclient udhcpc; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "dhcp.sh: $tool is missing (Debian: apt install isc-dhcp-client udhcpc)" >&2
        exit 1
    }
done

step "The lab: D (no address) and server S on 10.0.4.0/24; R (10.0.4.254) runs the DHCP server"
note "The lab sheet has you release your computer's address and get one again (ipconfig /release,"
note "ipconfig /renew; on Linux sudo dhclient -r, sudo dhclient) while Wireshark captures. Here D is"
note "your computer and R's dnsmasq the network's DHCP server: pool 10.0.4.100-199, router"
note "10.0.4.254, DNS server 10.0.4.1, domain wirelab.test, lease 1 hour."
lab_up --routed --services

# The clients' files live with the captures; their scripts only set D's address (the system's
# dhclient-script would also rewrite /etc/resolv.conf).
LEASES=$OUT/dhclient.leases
rm -f "$LEASES" "$OUT/dhclient.pid" "$OUT/udhcpc.pid"
cat >"$OUT/dhclient-script.sh" <<'EOF'
#!/bin/sh
case "$reason" in
    BOUND|RENEW|REBIND|REBOOT)
        ip addr flush dev "$interface"
        ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface"
        [ -n "$new_routers" ] && ip route replace default via "${new_routers%% *}" ;;
    RELEASE|EXPIRE|FAIL) ip addr flush dev "$interface" ;;
esac
exit 0
EOF
cat >"$OUT/udhcpc-script.sh" <<'EOF'
#!/bin/sh
case "$1" in
    bound|renew) ip addr replace "$ip/$mask" dev "$interface" ;;
    deconfig) ip addr flush dev "$interface" ;;
esac
exit 0
EOF
chmod +x "$OUT/dhclient-script.sh" "$OUT/udhcpc-script.sh"
DH=(dhclient -v -lf "$LEASES" -pf "$OUT/dhclient.pid" -sf "$OUT/dhclient-script.sh")

step "Before the lab: D has an address, as your computer does"
on D "${DH[@]}" -1 eth0
on D ip -4 addr show dev eth0

step "Capture on D (the lab starts Wireshark before the release)"
capture d D

step "Release the address (ipconfig /release; sudo dhclient -r)"
note "D sends a DHCPRELEASE, unicast from its address to the server, and gives the address up."
on D "${DH[@]}" -r eth0

step "Get an address (ipconfig /renew; sudo dhclient): Discover, Offer, Request, ACK"
on D "${DH[@]}" -1 eth0
on D ip -4 addr show dev eth0

step "Renew (the lab's second ipconfig /renew)"
note "Started again, dhclient asks for the address its lease file holds: a Request with no"
note "Discover (INIT-REBOOT), answered by an ACK. (The running dhclient is stopped first,"
note "keeping its address.)"
on D sh -c "kill \$(cat '$OUT/dhclient.pid')"
sleep 0.2
on D "${DH[@]}" -1 eth0
note "A renewal proper (RENEWING) is a Request unicast to the server from D's own address,"
note "with ciaddr set; dhclient sends it at T1 (half the lease). busybox udhcpc sends one"
note "at once on SIGUSR1 (it starts with a Discover of its own):"
on D sh -c "kill \$(cat '$OUT/dhclient.pid')"
sleep 0.2
start udhcpc "D udhcpc" D udhcpc -f -t 3 -T 2 -i eth0 -p "$OUT/udhcpc.pid" -s "$OUT/udhcpc-script.sh"
wait_for udhcpc "obtained" 20
on D sh -c "kill -USR1 \$(cat '$OUT/udhcpc.pid')"
for i in $(seq 100); do
    [ "$(grep -c obtained "$OUT/udhcpc.log")" -ge 2 ] && break
    sleep 0.1
done

step "Release again"
on D sh -c "kill -USR2 \$(cat '$OUT/udhcpc.pid')"
wait_for udhcpc "released" 10
on D sh -c "kill -TERM \$(cat '$OUT/udhcpc.pid')"
finish udhcpc 10 || true
sleep 0.3
stop d

step "wirelab dhcp: a Discover and a Request built by hand, every option shown"
note "wirelab builds each message layer by layer (Ethernet, IPv4 0.0.0.0 -> 255.255.255.255,"
note "UDP 68 -> 67, BOOTP and its options) and changes nothing on D (no --apply); --release"
note "gives the address back."
capture d-wirelab D
on D wirelab dhcp -i eth0 --release --color never
sleep 0.3
stop d-wirelab

step "The lab's questions, answered from the capture"
answer dhcp "$OUT"/d.pcapng
echo
printf '  [host] $ wirelab lab answer dhcp %s\n\n' "$OUT/d-wirelab.pcapng"
"$W" lab answer dhcp "$OUT"/d-wirelab.pcapng | tee "$OUT/answers-wirelab.txt" | sed -n '1,30p'

#!/usr/bin/env bash
# Walkthrough of the Kurose & Ross "Wireshark Lab: ICMP v8.1" in the routed virtual lab: A
# (10.0.3.1) pings server S (10.0.4.1), then runs a traceroute to it with ICMP probes (as
# Windows' tracert, which the lab uses), then with UDP probes (Linux's default, for the lab's
# question 6); captured on A with `wirelab capture`, answered by `wirelab lab answer icmp`.
#
#   sudo scripts/labs/icmp.sh [DIR]      (captures in DIR, default captures/labs/icmp)
#
# Needs the system's traceroute (Debian: apt install traceroute); without it, wirelab's own
# `wirelab traceroute [--icmp]` sends the probes.
source "$(dirname "$0")/common.sh"
lab_init icmp

step "The lab: A, B, C on 10.0.3.0/24; router R (10.0.3.254, 10.0.4.254); server S (10.0.4.1)"
lab_up --routed
note "Routers limit how many ICMP errors they send (the routed lab lifts the limit on R); S answers every probe too:"
on S sysctl -q -w net.ipv4.icmp_ratelimit=0

step "Capture on A"
capture a A

step "ICMP and ping: ping S ten times (the lab: ping -n 10)"
on A ping -c 10 -i 0.2 10.0.4.1

step "ICMP and traceroute: ICMP echo probes, as Windows' tracert sends them"
if command -v traceroute >/dev/null 2>&1; then
    on A traceroute -n -I 10.0.4.1
    note "Then UDP probes, as Linux and macOS send them by default (question 6):"
    on A traceroute -n 10.0.4.1
else
    note "(no traceroute on this computer: wirelab's own sends the same probes)"
    on A wirelab traceroute 10.0.4.1 -i eth0 --icmp
    on A wirelab traceroute 10.0.4.1 -i eth0
fi
sleep 0.3
stop a

step "The lab's questions, answered from the capture"
answer icmp "$OUT"/a.pcapng

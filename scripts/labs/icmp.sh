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
note "The lab sheet pings www.ust.hk and traces the route to www.inria.fr across the Internet; here"
note "S plays both, one router (R) away, so the traceroute shows two hops and every delay is well"
note "under a millisecond: question 10's long link is not there to find."
lab_up --routed
note "Routers limit how many ICMP errors they send (the routed lab lifts the limit on R); S answers every probe too:"
on S sysctl -q -w net.ipv4.icmp_ratelimit=0

step "Capture on A"
capture a A

step "ICMP and ping (questions 1-4): ping S ten times"
note "The lab: ping -n 10 www.ust.hk (Windows; Linux and macOS: ping -c 10). Here one ping every"
note "0.2 s instead of every second, to keep the walkthrough short."
on A ping -c 10 -i 0.2 10.0.4.1

step "ICMP and traceroute (questions 5-10): ICMP echo probes, as Windows' tracert sends them"
note "The lab: tracert www.inria.fr (Linux: traceroute -I, which sends the same echo requests)."
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

#!/usr/bin/env bash
# Walkthrough of the Kurose & Ross "Wireshark Lab: IP v8.1" in the routed virtual lab: A
# (10.0.3.1) runs traceroute to server S (10.0.4.1) through router R, first with the default
# packet size (Part 1), then with 3000-byte packets (Part 2: fragments), then asks the lab's
# DNS (R's resolver) for an AAAA record over IPv6 (Part 3); captured on A with `wirelab
# capture`, answered by `wirelab lab answer ip`. The lab runs its services (`--services`) for
# that DNS server.
#
#   sudo scripts/labs/ip.sh [DIR]        (captures in DIR, default captures/labs/ip)
#
# Needs the system's traceroute (Debian: apt install traceroute); without it, wirelab's own
# `wirelab traceroute` sends the probes.
source "$(dirname "$0")/common.sh"
lab_init ip

step "The lab: A, B, C on 10.0.3.0/24; router R (10.0.3.254, 10.0.4.254); server S (10.0.4.1)"
note "The lab sheet traces the route from your computer to gaia.cs.umass.edu across the Internet;"
note "here A is your computer and S plays gaia.cs.umass.edu, one router (R) away instead of many,"
note "so questions 10-12 see a single router."
note "The link between R and S has an MTU of 1000 bytes (IPv6 then stays on A's side: it needs 1280)."
note "The lab's services run too (--services): Part 3 asks their DNS server for an IPv6 address."
lab_up --routed --services --mtu 1000
note "Routers limit how many ICMP errors they send (the routed lab lifts the limit on R); S answers every probe too:"
on S sysctl -q -w net.ipv4.icmp_ratelimit=0

# trace ARGS…: the system's traceroute on A, else wirelab's (same probes, built by hand).
trace() {
    if command -v traceroute >/dev/null 2>&1; then
        on A traceroute -n "$@"
    else
        note "(no traceroute on this computer: wirelab's own sends the same UDP probes)"
        local size=60
        [ $# -ge 2 ] && size=$2
        on A wirelab traceroute "$1" -i eth0 --size "$size"
    fi
}

step "Capture on A (the lab starts Wireshark before traceroute)"
capture a A

step "Part 1 (questions 1-12): traceroute to S with the default packet length"
note "The lab: traceroute gaia.cs.umass.edu (Windows: tracert gaia.cs.umass.edu)."
note "Linux traceroute sends UDP datagrams to ports 33434 and up, TTL 1, 2, 3 …, three per TTL."
trace 10.0.4.1

step "Part 2 (questions 13-19): traceroute with a packet length of 3000 bytes (fragmentation)"
note "The lab: traceroute gaia.cs.umass.edu 3000 (Windows: ping -l 3000 gaia.cs.umass.edu)."
note "As on the lab's Ethernet, A's link carries at most 1500 bytes per datagram, so A sends each"
note "probe in fragments. R splits them again for its 1000-byte link to S: a capture on A does not"
note "show that (one on S would)."
trace 10.0.4.1 3000

step "Part 3 (questions 20-26): IPv6"
note "The lab sheet reads a DNS AAAA query for youtube.com, sent over IPv6, from a trace its authors"
note "made. Here A asks R's resolver (fd00:3::fe) over IPv6 for the AAAA record of www.wirelab.test,"
note "a name of the lab's own zone (S's DNS server holds it): questions 20-24 read the query's"
note "IPv6 header, 25 and 26 the addresses in the answer."
note "The lab: nslookup -type=AAAA youtube.com."
on A dig -6 +tries=1 +time=3 AAAA www.wirelab.test @fd00:3::fe
on A ping -6 -c 2 fd00:3::fe
sleep 0.3
stop a

step "The lab's questions, answered from the capture"
answer ip "$OUT"/a.pcapng

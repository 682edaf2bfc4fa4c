#!/usr/bin/env bash
# Walkthrough of the Kurose & Ross "Wireshark Lab: NAT v8.1" in the routed virtual lab with its
# services and NAT (`lab up --routed --services --nat`): router R masquerades 10.0.3.0/24 out of
# eth1. `wirelab capture` runs on R's eth0 (the LAN side: inside.pcapng) and R's eth1 (the WAN
# side: outside.pcapng) at the same time while A (10.0.3.1), then B (10.0.3.2), fetch the lab's
# page from gaia.wirelab.test (S, 10.0.4.1); answered by `wirelab lab answer nat` from the two
# captures, the inside one first.
#
#   sudo scripts/labs/nat.sh [DIR]       (captures in DIR, default captures/labs/nat)
source "$(dirname "$0")/common.sh"
lab_init nat

step "The lab: A, B, C on 10.0.3.0/24 behind router R, which does NAT; server S (10.0.4.1) outside"
note "The lab sheet reads two traces its authors captured at the same time on the two sides of a"
note "home router (nat-inside-wireshark-trace1-1.pcapng on the LAN side, nat-outside-… on the ISP"
note "side) while a client fetched a page from gaia.cs.umass.edu. Here R is the home router: its"
note "eth0 (10.0.3.254) is the LAN side, its eth1 (10.0.4.254) plays the WAN side, and S plays"
note "gaia.cs.umass.edu (gaia.wirelab.test). --nat makes R masquerade: what A, B and C send out of"
note "eth1 leaves from R's own address."
lab_up --routed --services --nat
note "R's NAT rule (nftables, in R's namespace):"
on R nft list ruleset

step "Capture on both sides of R at the same time"
note "The inside capture sees what the LAN hosts send and receive, the outside one what R sends"
note "to and receives from the Internet side; both on R's clock, so their times of day compare."
start inside "R eth0 capture" R wirelab capture -i eth0 -w "$OUT/inside.pcapng" --force -q
wait_for inside "capturing on"
start outside "R eth1 capture" R wirelab capture -i eth1 -w "$OUT/outside.pcapng" --force -q
wait_for outside "capturing on"

step "A fetches the lab's page (questions 1-11 follow this connection)"
note "The lab's client fetched http://gaia.cs.umass.edu/…; A asks R's DNS resolver for"
note "gaia.wirelab.test, then opens a TCP connection to S and sends the GET."
on A curl -sS -o /dev/null -w '%{http_code} %{size_download} bytes from %{remote_ip}\n' \
    http://gaia.wirelab.test/wireshark-labs/HTTP-wireshark-file1.html

step "B fetches it too: a second entry in R's translation table"
note "Outside, both connections come from 10.0.4.254: R tells them apart by port."
on B curl -sS -o /dev/null -w '%{http_code} %{size_download} bytes from %{remote_ip}\n' \
    http://gaia.wirelab.test/wireshark-labs/HTTP-wireshark-file1.html
note "R's connection tracking holds the translations it made:"
on R sh -c 'command -v conntrack >/dev/null && conntrack -L -p tcp --dport 80 2>/dev/null || cat /proc/net/nf_conntrack 2>/dev/null | grep "dport=80 " || echo "(conntrack not installed: question 11 reads the table from the captures)"'
sleep 0.3
stop inside
stop outside

step "The lab's questions, answered from the two captures (inside first)"
answer nat "$OUT"/inside.pcapng "$OUT"/outside.pcapng

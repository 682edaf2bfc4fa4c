#!/usr/bin/env bash
# Walkthrough of Kurose & Ross's "Wireshark Lab: UDP" (v8.1) in the virtual lab: B (10.0.3.2)
# runs a small DNS server (dnsmasq, answering only for lab.test), A (10.0.3.1) looks names up
# with `dig` — the lab's nslookup — while `wirelab capture` records A's eth0; then
# `wirelab lab answer udp` answers the lab's questions from the capture.
#
#   sudo scripts/labs/udp.sh [DIR]                (captures in DIR, default captures/labs/udp)
source "$(dirname "$0")/common.sh"
lab_init udp

step "The lab: A (10.0.3.1) is your host, B (10.0.3.2) a DNS server"
lab_up

step "B: a DNS server that knows one name (www.lab.test) and asks nobody else"
note "The lab's own trace comes from nslookup against your network's DNS server; here B is it."
start b-dns "B dnsmasq" B dnsmasq --no-daemon --no-resolv --no-hosts --conf-file=/dev/null \
    --listen-address=10.0.3.2 --bind-interfaces --address=/lab.test/10.0.3.2 --log-queries
wait_for b-dns "started"

step "Capture on A (Wireshark's \"start capturing\")"
capture a A

step "Something that sends and receives UDP: two DNS lookups from A"
on A dig @10.0.3.2 www.lab.test +tries=1 +time=2
on A dig @10.0.3.2 mail.lab.test +tries=1 +time=2 +short
sleep 0.3
stop a
stop b-dns

step "The questions, answered from the capture (filter: udp)"
answer udp "$OUT"/a.pcapng

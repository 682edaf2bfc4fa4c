#!/usr/bin/env bash
# Walkthrough of the Kurose & Ross "Wireshark Lab: DNS" (v8.1) in the routed virtual lab with
# its services: A (10.0.3.1) looks names of the lab's zone wirelab.test up with nslookup (its
# local DNS server: the resolver on R, 10.0.3.254; the zone's authoritative server: S,
# 10.0.4.1), then fetches the page http://gaia.wirelab.test/kurose_ross/ and its image with
# curl; captured on A with `wirelab capture`, answered by `wirelab lab answer dns`.
#
#   sudo scripts/labs/dns.sh [DIR]        (captures in DIR, default captures/labs/dns)
#
# Needs nslookup (Debian: apt install bind9-dnsutils), curl and the services' programs.
source "$(dirname "$0")/common.sh"
lab_init dns

step "The lab: A, B, C on 10.0.3.0/24; router R (10.0.3.254); server S (10.0.4.1)"
note "R runs the local DNS server (a resolver: it forwards wirelab.test to S and answers"
note "non-authoritatively); S is authoritative for the zone wirelab.test and serves the web pages."
note "The lab's names are public ones (www.iitb.ac.in, gaia.cs.umass.edu, umass.edu); here they"
note "are www.wirelab.test, gaia.wirelab.test and wirelab.test."
lab_up --routed --services

step "Start the capture on A"
capture a A

step "Part 1 (questions 1-3) and Part 4 (questions 12-15): nslookup www.wirelab.test"
note "No server named: nslookup asks the local DNS server of /etc/resolv.conf (R)."
on A nslookup www.wirelab.test

step "Part 1 (question 4) and Part 5 (questions 16-18): nslookup -type=NS wirelab.test"
on A nslookup -type=NS wirelab.test

step "Part 1 (question 3): ask the zone's own server, S, for an authoritative answer"
on A nslookup www.wirelab.test 10.0.4.1

step "Part 3 (questions 5-11): the web page and its image"
note "The lab empties the DNS cache (ipconfig /flushdns) and opens http://gaia.cs.umass.edu/kurose_ross/"
note "in the browser. curl keeps no cache between runs, so each fetch looks gaia.wirelab.test up again."
on A curl -s -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes\n' http://gaia.wirelab.test/kurose_ross/
on A curl -s -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes\n' \
    http://gaia.wirelab.test/kurose_ross/header_graphic_book_8E_2.jpg
sleep 0.3

step "Stop the capture"
stop a

step "The lab's questions, answered from the capture"
answer dns "$OUT"/a.pcapng

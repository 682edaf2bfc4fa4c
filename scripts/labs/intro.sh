#!/usr/bin/env bash
# Walkthrough of the Kurose & Ross "Wireshark Lab: Getting Started" (v8.1) in the routed virtual
# lab with its services: A (10.0.3.1) fetches the lab's page from the web server on S
# (gaia.wirelab.test, 10.0.4.1, playing gaia.cs.umass.edu) through router R, captured on A with
# `wirelab capture`, answered by `wirelab lab answer intro`.
#
#   sudo scripts/labs/intro.sh [DIR]        (captures in DIR, default captures/labs/intro)
#
# Needs curl (Debian: apt install curl) and the services' programs (README, set-up for labs).
source "$(dirname "$0")/common.sh"
lab_init intro

PAGE=http://gaia.wirelab.test/wireshark-labs/INTRO-wireshark-file1.html

step "The lab: A, B, C on 10.0.3.0/24; router R (10.0.3.254, its DNS resolver); server S (10.0.4.1)"
note "The lab sheet has your browser fetch $PAGE"
note "with gaia.cs.umass.edu in place of gaia.wirelab.test; here A is your computer, S plays gaia"
note "(nginx, the same paths) and R is the local DNS server A's /etc/resolv.conf names."
lab_up --routed --services

step "Start the capture on A (the lab starts Wireshark before the browser)"
capture a A

step "Fetch the lab's page (the lab: enter the URL in the browser)"
note "curl looks gaia.wirelab.test up (DNS, to R), connects to port 80 (TCP) and sends the GET (HTTP)."
on A curl -s -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes\n' "$PAGE"
sleep 0.3

step "Stop the capture"
stop a

step "The lab's questions, answered from the capture"
note "Question 6 asks to print the GET and the OK: wirelab prints both, layer by layer."
answer intro "$OUT"/a.pcapng

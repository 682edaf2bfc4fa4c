#!/usr/bin/env bash
# Walkthrough of Kurose & Ross's "Wireshark Lab: Ethernet and ARP" (v8.1) in the virtual lab:
# A (10.0.3.1) empties its ARP cache, shows it (`ip neigh`), fetches a page from a web server
# on B (10.0.3.2, `python3 -m http.server`) with curl while `wirelab capture` records A's eth0,
# then shows its cache again; `wirelab lab answer ethernet-arp` answers from the capture.
#
#   sudo scripts/labs/ethernet-arp.sh [DIR]   (captures in DIR, default captures/labs/ethernet-arp)
source "$(dirname "$0")/common.sh"
lab_init ethernet-arp

step "The lab: A (10.0.3.1) is your computer, B (10.0.3.2) the web server, on one switch"
note "The lab fetches a page from gaia.cs.umass.edu, far away behind routers; here the server"
note "shares A's subnet, so the frames go to B itself (questions 2 and 5 say what changes)."
lab_up

step "B: a web server with a page about as long as the lab's (HTTP-ethereal-lab-file3.html)"
mkdir -p "$OUT/www"
{
    echo "<html><head><title>wirelab: a long page</title></head><body><pre>"
    for i in $(seq 1 60); do
        printf 'Line %02d of a page long enough to need several Ethernet frames.\n' "$i"
    done
    echo "</pre></body></html>"
} >"$OUT/www/page.html"
start b-web "B web" B python3 -u -m http.server 80 --bind 10.0.3.2 --directory "$OUT/www"
wait_for b-web "Serving HTTP"

step "A: empty the ARP cache, then show it (the lab's arp -a)"
on A ip neigh flush all
on A ip neigh show dev eth0
note "(nothing: the cache is empty)"

step "Capture on A"
capture a A

step "A: fetch the page (the lab's browser)"
on A curl -s -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes\n' http://10.0.3.2/page.html
sleep 0.3
stop a

step "A: the ARP cache again"
on A ip neigh show dev eth0
stop b-web

step "The questions, answered from the capture"
answer ethernet-arp "$OUT"/a.pcapng

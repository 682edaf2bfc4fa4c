#!/usr/bin/env bash
# Walkthrough of the Kurose & Ross "Wireshark Lab: HTTP" (v8.1) in the routed virtual lab with
# its services: A (10.0.3.1) fetches the lab's five pages from the web server on S
# (gaia.wirelab.test, 10.0.4.1, playing gaia.cs.umass.edu; images.wirelab.test, 10.0.4.2, the
# second server of part 4) through router R with curl, one capture on A per part of the lab
# (`wirelab capture`: part1.pcapng … part5.pcapng, as the sheet has one trace per part),
# answered by `wirelab lab answer http` from the five.
#
#   sudo scripts/labs/http.sh [DIR]        (captures in DIR, default captures/labs/http)
#
# Needs curl (Debian: apt install curl) and the services' programs (README, set-up for labs).
source "$(dirname "$0")/common.sh"
lab_init http

SITE=http://gaia.wirelab.test/wireshark-labs
# curl as the lab's browser: IPv4 (the sheet's trace is IPv4), a language preference as a
# browser sends one (question 2), the status and size of each answer on the screen.
get() {
    on A curl -4 -s -H 'Accept-Language: en-us, en' -o /dev/null \
        -w '%{url_effective}: HTTP %{http_code}, %{size_download} bytes\n' "$@"
}

step "The lab: A, B, C on 10.0.3.0/24; router R (10.0.3.254, its DNS resolver); server S (10.0.4.1, 10.0.4.2)"
note "The lab sheet has your browser fetch pages from gaia.cs.umass.edu; here A is your computer,"
note "S plays gaia (nginx, the same paths) as gaia.wirelab.test and images.wirelab.test, and curl"
note "plays the browser. As on the sheet, each part has its own capture (part1 … part5)."
lab_up --routed --services

step "Part 1 (questions 1-7): the basic GET/response interaction"
note "Each part starts the capture on A first (the lab starts Wireshark before the browser)."
capture part1 A
get "$SITE/HTTP-wireshark-file1.html"
sleep 0.3
stop part1

step "Part 2 (questions 8-11): the conditional GET"
note "The browser keeps the page and its Last-Modified date; asked again, it sends"
note "If-Modified-Since and the server answers 304 Not Modified with no body (curl -z does the same)."
capture part2 A
on A curl -4 -s -R -o "$OUT/file2.html" "$SITE/HTTP-wireshark-file2.html"
sleep 1
get -z "$OUT/file2.html" "$SITE/HTTP-wireshark-file2.html"
sleep 0.3
stop part2

step "Part 3 (questions 12-15): a long document (the Bill of Rights, several TCP segments)"
capture part3 A
get "$SITE/HTTP-wireshark-file3.html"
sleep 0.3
stop part3

step "Part 4 (questions 16-17): a page with embedded objects on two servers"
note "The page names two images: one on gaia (10.0.4.1), one on images.wirelab.test (10.0.4.2);"
note "a browser fetches both after the page."
capture part4 A
get "$SITE/HTTP-wireshark-file4.html"
get http://gaia.wirelab.test/pearson.png
get http://images.wirelab.test/8E_cover_small.jpg
sleep 0.3
stop part4

step "Part 5 (questions 18-19): HTTP authentication"
note "Without a password the server answers 401 Unauthorized; the browser asks for one and sends"
note "it Base64-encoded (not encrypted) in an Authorization header: user wireshark-students,"
note "password network."
capture part5 A
get "$SITE/protected_pages/HTTP-wireshark-file5.html"
get -u wireshark-students:network "$SITE/protected_pages/HTTP-wireshark-file5.html"
sleep 0.3
stop part5

step "The lab's questions, answered from the five captures"
answer http "$OUT"/part1.pcapng "$OUT"/part2.pcapng "$OUT"/part3.pcapng "$OUT"/part4.pcapng "$OUT"/part5.pcapng

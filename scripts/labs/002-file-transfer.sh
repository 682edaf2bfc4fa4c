#!/usr/bin/env bash
# Walkthrough of lab 002 (the file transfer, seeds/002): A receives (`wirelab recv-file`, the
# seed's `customIperf.py -s`), B sends a file (`wirelab send-file`, `-c`), captured on A with
# `wirelab capture`; then `wirelab lab answer 002` rebuilds the seed's Figure 3 (the
# Wireshark table) from the capture and interprets each phase.
#
#   sudo scripts/labs/002-file-transfer.sh [DIR]  (captures in DIR, default captures/labs/002)
source "$(dirname "$0")/common.sh"
lab_init 002

step "The lab: A (10.0.3.1) is the server, B (10.0.3.2) the client"
lab_up

step "The file to send (on B): fileToTest, 40 lines of text"
mkdir -p "$OUT/on-B" "$OUT/on-A"
for i in $(seq 1 40); do
    printf 'line %02d of the file sent from B to A over one TCP connection\n' "$i"
done >"$OUT/on-B/fileToTest"
rm -f "$OUT/on-A/fileToTest"
note "$(wc -c <"$OUT/on-B/fileToTest") bytes"

step "Capture on A"
capture a A

step "Server: A listens on port 10000 (python3 customIperf.py -s)"
start a-server "A server" A wirelab recv-file --port 10000 --dir "$OUT/on-A" --once
wait_for a-server "10000"

step "Client: B sends the file (python3 customIperf.py -c 10.0.3.1:10000 fileToTest)"
on B wirelab send-file 10.0.3.1:10000 "$OUT/on-B/fileToTest"
finish a-server 20
cmp "$OUT/on-B/fileToTest" "$OUT/on-A/fileToTest"
note "A holds the same bytes (cmp finds no difference)."
sleep 0.3
stop a

step "Section 3, Interpretation: Figure 3 and its three parts, from the capture"
answer 002 "$OUT"/a.pcapng

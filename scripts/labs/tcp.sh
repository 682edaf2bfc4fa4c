#!/usr/bin/env bash
# Walkthrough of the TCP lab (Kurose & Ross, "Wireshark Lab: TCP"): B uploads a file to A
# through a switch with 20 ms of delay each way (± 2 ms), 2% loss and 10 Mbit/s ports,
# captured on B (the client, as in the lab) with `wirelab capture`; then the lab's questions
# answered by `wirelab read --tcp-report`, the RTTs by `--rtt`, the throughput by
# `--throughput`, and the lab's graphs drawn by `wirelab graph`.
#
#   sudo scripts/labs/tcp.sh [DIR]                (captures in DIR, default captures/labs/tcp)
source "$(dirname "$0")/common.sh"
lab_init tcp

step "The lab: A (10.0.3.1) is the server, B (10.0.3.2) the client; the switch adds delay and loss"
lab_up --delay 20ms --jitter 2ms --loss 2% --rate 10mbit --seed 11

step "The file to upload (on B): alice.txt, about 300 kB of text"
mkdir -p "$OUT/on-B" "$OUT/on-A"
for i in $(seq 1 4000); do
    printf 'Alice was beginning to get very tired of sitting by her sister (line %04d)\n' "$i"
done >"$OUT/on-B/alice.txt"
rm -f "$OUT/on-A/alice.txt"
note "$(wc -c <"$OUT/on-B/alice.txt") bytes"

step "Capture on B, then upload the file to A"
capture b B
start a-server "A server" A wirelab recv-file --port 10000 --dir "$OUT/on-A" --once --interval 0
wait_for a-server "10000"
on B wirelab send-file 10.0.3.1:10000 "$OUT/on-B/alice.txt" --interval 0
finish a-server 60
cmp "$OUT/on-B/alice.txt" "$OUT/on-A/alice.txt"
note "A holds the same bytes (cmp finds no difference), whatever the switch lost."
sleep 0.3
stop b

step "The lab's questions, answered from the capture"
printf '  [host] $ wirelab read %s --tcp-report\n\n' "$OUT/b.pcapng"
"$W" read "$OUT/b.pcapng" --tcp-report --color never | tee "$OUT/tcp-report.txt"

step "RTT of every segment (saved to rtt.txt; the first rows)"
"$W" read "$OUT/b.pcapng" --rtt --color never >"$OUT/rtt.txt"
head -n 16 "$OUT/rtt.txt"
note "… $(wc -l <"$OUT/rtt.txt") lines in $OUT/rtt.txt"

step "Throughput per 0.5 s"
"$W" read "$OUT/b.pcapng" --throughput --interval 0.5 --color never | tee "$OUT/throughput.txt"

step "The graphs: Stevens time-sequence (in the terminal), and all of them as SVG"
"$W" graph "$OUT/b.pcapng" --kind stevens --width 72 --height 14
mkdir -p "$OUT/graphs"
"$W" graph "$OUT/b.pcapng" --kind all --force -o "$OUT/graphs/"
note "Open $OUT/graphs/*.svg in a browser: stevens, tcptrace, rtt, throughput, window."

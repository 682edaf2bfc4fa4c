#!/usr/bin/env bash
# Walkthrough of lab 000 (the TCP/IP stack demo, seeds/000): the stack server on A, the client
# on B typing the demo's commands (help, ping, handshake, stack, a message, exit), captured on A
# with `wirelab capture`; then `wirelab lab answer 000` finds the demo's own frame inside the
# TCP stream and takes it apart layer by layer.
#
#   sudo scripts/labs/000-stack.sh [DIR]          (captures in DIR, default captures/labs/000)
source "$(dirname "$0")/common.sh"
lab_init 000

step "The lab: A (10.0.3.1) runs the server, B (10.0.3.2) the client"
lab_up

step "Capture on A"
capture a A

step "cd Stack; python3 server.py &  (on A)"
start a-server "A server" A wirelab stack-server --port 8888
wait_for a-server "8888"

step "python3 client.py  (on B): the demo's commands"
TYPING=1 start b-client "B client" B wirelab stack-client 10.0.3.1:8888
for cmd in help ping handshake "stack Hai from B" "just a message" exit; do
    type_line b-client "$cmd"
    sleep 0.4
done
finish b-client 20
sleep 0.3
stop a-server
stop a

step "What each layer carries, answered from the capture"
answer 000 "$OUT"/a.pcapng

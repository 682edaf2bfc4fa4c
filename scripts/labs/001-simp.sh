#!/usr/bin/env bash
# Walkthrough of lab 001 (SIMP chat, seeds/001): a daemon and a client on A (alice) and on B
# (bob), the SIMP handshake, then a chat through a switch that loses a quarter of the frames
# (stop-and-wait resends, duplicates shown once), captured on A with `wirelab capture`; then
# `wirelab lab answer 001`.
#
#   sudo scripts/labs/001-simp.sh [DIR]           (captures in DIR, default captures/labs/001)
source "$(dirname "$0")/common.sh"
lab_init 001

step "The lab: A (10.0.3.1) and B (10.0.3.2), each with a SIMP daemon and a client"
lab_up

step "Capture on A (SIMP is UDP port 7777)"
start a "A capture" A wirelab capture -i eth0 -w "$OUT/a.pcapng" --force -q -Y 'udp.port == 7777'
wait_for a "capturing on"

step "python3 simp_daemon.py 10.0.3.1 (on A) and 10.0.3.2 (on B); a resend after 0.5 s"
start a-daemon "A daemon" A wirelab simp daemon --ip 10.0.3.1 --timeout 0.5
start b-daemon "B daemon" B wirelab simp daemon --ip 10.0.3.2 --timeout 0.5
wait_for a-daemon "listening on"
wait_for b-daemon "listening on"

step "The clients log in: alice on A, bob on B; bob waits, alice starts a chat with B"
TYPING=1 start alice "alice" A wirelab simp client --daemon 10.0.3.1
TYPING=1 start bob "bob" B wirelab simp client --daemon 10.0.3.2
wait_for alice "login: "
type_line alice alice
wait_for bob "login: "
type_line bob bob
wait_for bob "menu: "
type_line bob wait
wait_for bob "waiting: "
wait_for alice "menu: "
type_line alice "start 10.0.3.2"
wait_for bob "invite: alice"
type_line bob accept
wait_for alice "chat: with bob"

step "Now the switch loses 25% of the frames (wirelab's switch replaces the bridge)"
lab_up --loss 25% --seed 8
note "The daemons and clients keep running: only the switch changed."

step "A chat: each message is resent until it is acknowledged (stop-and-wait)"
for i in 1 2 3 4; do
    type_line alice "message $i from alice"
    type_line bob "message $i from bob"
done
wait_for alice "delivered: message 4 from alice" 60
wait_for bob "delivered: message 4 from bob" 60

step "alice leaves (q): FIN, answered with ACK"
type_line alice q
wait_for bob "ended: " 30
stop alice
stop bob
sleep 0.3
stop a
stop a-daemon
stop b-daemon

step "The questions, answered from the capture"
answer 001 "$OUT"/a.pcapng

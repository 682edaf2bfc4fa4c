#!/usr/bin/env bash
# Walkthrough of lab 003 (Python socket programming, seeds/003): Part I with a TCP server
# serving one client at a time, Step 12 with UDP, Part II with a threaded server — on
# computers A, B and C of the virtual lab, step by step as the sheet runs it: Part I captured
# on B only, C's client quit with Ctrl+C before B's (Step 10(b)); Part II captured on B and on
# C; then every question answered from the captures by `wirelab lab answer 003`.
#
#   sudo scripts/labs/003-sockets.sh [DIR]      (captures in DIR, default captures/labs/003)
source "$(dirname "$0")/common.sh"
lab_init 003

step "Steps 1-3: three computers on a switch, eth0 = 10.0.3.1/24 (A), .2 (B), .3 (C)"
lab_up

step "Step 4: from A, ping B and C"
on A wirelab ping 10.0.3.2 -i eth0 -c 2 --interval 0.2
on A wirelab ping 10.0.3.3 -i eth0 -c 2 --interval 0.2

step "Steps 5 and 7: capture on B"
capture b-tcp B

step "Step 6: A starts the TCP server (one client at a time)"
start a-tcp "A server" A wirelab tcp-server --port 8080
wait_for a-tcp "listening on"

step "Step 8: B's client sends a few lines and leaves the connection open"
TYPING=1 start b-client "B client" B wirelab tcp-client 10.0.3.1:8080 --lines
wait_for b-client "connected to"
type_line b-client "Hello from B"
wait_for b-client "reply:"
type_line b-client "Second line from B"
wait_for a-tcp "says: Second line from B"
note "The sheet stops B's capture here (Step 8(d)); the walkthrough keeps it running through"
note "Step 11, so b-tcp.pcapng also holds frames of Steps 10 and 11 (I.1(a) says which is which)."

step "Step 9: a second TCP server on A"
if on A wirelab tcp-server --port 8080; then
    echo "unexpected: the second server started" >&2
    exit 1
fi
note "It cannot start: the first server's socket already holds 0.0.0.0:8080 (question I.2)."

step "Step 10(a): C's client connects and sends a line while B's connection is still open"
CTRL_C=1 TYPING=1 start c-client "C client" C wirelab tcp-client 10.0.3.1:8080 --lines
wait_for c-client "connected to"
type_line c-client "Hello from C"
sleep 1.5
if grep -q "reply:" "$OUT/c-client.log"; then
    echo "unexpected: C was answered while B was being served" >&2
    exit 1
fi
note "C is connected (the kernel completed its handshake) but gets no reply: the server is"
note "still serving B (question I.3)."

step "Step 10(b): Ctrl+C ends C's client"
interrupt c-client
note "C's kernel closes the socket of the interrupted program: it sends a FIN, which A's kernel"
note "acknowledges. B's capture shows none of this (the switch sends A<->C frames only to their"
note "ports); a capture on C would."
sleep 1

step "Step 11: B's client quits; the TCP server keeps running"
hang_up b-client
wait_for a-tcp "10.0.3.3"
note "Only now does the server accept C's connection: it reads C's line, answers it, and reads"
note "the end of C's stream. The reply reaches a socket C has closed, so C's kernel answers it"
note "with a RST (question I.3)."
sleep 0.5
stop b-tcp
note "B's screen in Wireshark, with Step 7(b)'s display filter:"
"$W" read "$OUT/b-tcp.pcapng" -Y 'ip.addr==10.0.3.1 and tcp' --color never | sed 's/^/  /'

step "Step 12: the same with the UDP server and clients"
capture b-udp B
start a-udp "A UDP server" A wirelab udp-server --port 8080
wait_for a-udp "listening on"
TYPING=1 start b-udp-client "B UDP client" B wirelab udp-client 10.0.3.1:8080 --lines
wait_for b-udp-client "sending from"
type_line b-udp-client "Hello from B over UDP"
wait_for b-udp-client "reply"
type_line b-udp-client "Second datagram from B"
wait_for a-udp "Second datagram from B"
if on A wirelab udp-server --port 8080; then
    echo "unexpected: the second UDP server started" >&2
    exit 1
fi
CTRL_C=1 TYPING=1 start c-udp-client "C UDP client" C wirelab udp-client 10.0.3.1:8080 --lines
wait_for c-udp-client "sending from"
type_line c-udp-client "Hello from C over UDP"
wait_for c-udp-client "reply"
note "C is answered at once: UDP has no connection to wait for (question I.4(b))."
interrupt c-udp-client
hang_up b-udp-client
sleep 0.3
stop b-udp

step "Step 13: A stops both servers"
stop a-tcp
stop a-udp

step "Part II, Step 1: A runs the threaded TCP server"
capture b-threaded B
capture c-threaded C
start a-threaded "A threaded server" A wirelab tcp-server --port 8080 --threaded
wait_for a-threaded "listening on"

step "Part II, Steps 2-3: two clients on B and two on C, all connected at once"
for who in B C; do
    for n in 1 2; do
        TYPING=1 start "$who$n" "$who client $n" "$who" wirelab tcp-client 10.0.3.1:8080 --lines
        wait_for "$who$n" "connected to"
        type_line "$who$n" "Hello from $who, terminal $n"
        wait_for "$who$n" "reply:"
    done
done
note "Every client is answered at once: each connection has its own thread (question II.1)."
note "Where this differs from the sheet: B's and C's captures both run through Steps 2 and 3"
note "(the sheet captures on B in Step 2, then on C in Step 3); each still holds only its own"
note "computer's connections, since the switch keeps the others' unicast from its port."
for name in B1 B2 C1 C2; do hang_up "$name"; done
sleep 0.3
stop b-threaded
stop c-threaded
stop a-threaded

step "The questions, answered from the captures"
answer 003 "$OUT"/b-tcp.pcapng "$OUT"/b-udp.pcapng "$OUT"/b-threaded.pcapng \
    "$OUT"/c-threaded.pcapng

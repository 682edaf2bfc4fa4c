#!/usr/bin/env bash
# Walkthrough of lab 004 (the simple TCP exchange, seeds/004): the server on A, the client
# on B run twice (each run a new socket, a new ephemeral port), captured on B with `wirelab
# capture`, then answered by `wirelab lab answer 004`.
#
#   sudo scripts/labs/004-tcp-exchange.sh [DIR]   (captures in DIR, default captures/labs/004)
source "$(dirname "$0")/common.sh"
lab_init 004

step "The lab: A (10.0.3.1) runs the server, B (10.0.3.2) the client"
lab_up

step "Capture on B"
capture b B

step "Algorithm 1: the server creates a socket, binds port 8080, listens"
start a-server "A server" A wirelab tcp-server --port 8080
wait_for a-server "listening on"

step "Algorithm 2: the client connects, sends \"Hai from client\", prints the reply, closes"
on B wirelab tcp-client 10.0.3.1:8080
note "Run it again: the same server socket address, a new client port."
on B wirelab tcp-client 10.0.3.1:8080
sleep 0.3
stop b
stop a-server

step "The questions, answered from the capture"
answer 004 "$OUT"/b.pcapng

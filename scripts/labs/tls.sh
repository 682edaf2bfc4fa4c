#!/usr/bin/env bash
# Walkthrough of the Kurose & Ross "Wireshark Lab: TLS" (v8.1) in the routed virtual lab with
# its services: A (10.0.3.1) fetches https://www.wirelab.test/ from S (10.0.4.1: nginx, TLS 1.2,
# a certificate for www.wirelab.test signed by the lab CA) with curl, trusting the lab CA;
# captured on A with `wirelab capture`, answered by `wirelab lab answer tls`.
#
#   sudo scripts/labs/tls.sh [DIR]        (captures in DIR, default captures/labs/tls)
#
# Needs curl (Debian: apt install curl) and the services' programs (see README's set-up for
# labs).
source "$(dirname "$0")/common.sh"
lab_init tls
STATE=/run/wirelab/lab-$WIRELAB_LAB

step "The lab: A, B, C on 10.0.3.0/24; router R (10.0.3.254: DNS resolver); server S (10.0.4.1)"
note "The lab sheet opens https://www.cics.umass.edu in a browser on the Internet; here A is your"
note "computer and S plays that web server: https://www.wirelab.test/ (nginx, TLS 1.2, an RSA"
note "2048 certificate for www.wirelab.test signed by the lab's own CA, \"wirelab lab CA\")."
lab_up --routed --services

step "Capture on A (the lab starts Wireshark, with the browser's cache cleared, before the page)"
capture a A

step "A opens https://www.wirelab.test/ (questions 1-24)"
note "curl plays the browser. --cacert: A trusts the lab CA, as a browser trusts the CAs it ships"
note "with (question 16: nobody asks the CA anything during the handshake). --tls-max 1.2: the"
note "lab's questions follow a TLS 1.2 handshake (in TLS 1.3 the certificate travels encrypted);"
note "-4: IPv4, as the lab sheet's trace (www.wirelab.test has an IPv6 address too)."
on A curl -sS -o /dev/null -w 'HTTP %{http_code}, TLS certificate check %{ssl_verify_result} (0: valid)\n' \
    -4 --cacert "$STATE/ca.pem" --tls-max 1.2 https://www.wirelab.test/
sleep 0.3
stop a

step "The lab's questions, answered from the capture"
answer tls "$OUT"/a.pcapng

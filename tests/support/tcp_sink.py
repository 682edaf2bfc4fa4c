#!/usr/bin/env python3
"""A plain kernel-TCP server for the craft tests and benchmark: what the kernel really got.

    tcp_sink.py PORT [--close-after N] [--no-digest]

Accepts one connection at a time. It reads until the client closes (EOF), or, with
--close-after N, until N bytes have arrived and then closes first (a server-initiated FIN).
The client gets the reply "got N bytes\\n" before the server closes. Each connection prints:

    received N bytes sha256 HEX from IP:PORT eof=yes|no secs S

where S is the time from accept() to the end of the data (--no-digest: sha256 is "-", for
benchmarks where hashing would slow the reader down).
"""
import argparse
import hashlib
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--close-after", type=int, default=None)
parser.add_argument("--no-digest", action="store_true")
args = parser.parse_args()

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", args.port))
srv.listen(64)
print("listening on", args.port, flush=True)
buf = bytearray(1 << 20)
while True:
    conn, peer = srv.accept()
    start = time.perf_counter()
    conn.settimeout(60)
    h = None if args.no_digest else hashlib.sha256()
    n = 0
    eof = False
    try:
        while args.close_after is None or n < args.close_after:
            k = conn.recv_into(buf)
            if k == 0:
                eof = True
                break
            if h is not None:
                h.update(memoryview(buf)[:k])
            n += k
        secs = time.perf_counter() - start
        conn.sendall(b"got %d bytes\n" % n)
    except OSError as e:
        secs = time.perf_counter() - start
        print("error", e, flush=True)
    conn.close()
    print("received %d bytes sha256 %s from %s:%d eof=%s secs %.6f"
          % (n, h.hexdigest() if h else "-", peer[0], peer[1], "yes" if eof else "no", secs),
          flush=True)

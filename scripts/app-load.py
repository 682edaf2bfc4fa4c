#!/usr/bin/env python3
"""Bulk HTTP/DNS traffic for scripts/bench-app.sh (run inside its network namespaces).

Subcommands:
  http-server  an HTTP/1.1 keep-alive server (http.server, one thread per connection):
               GET /small/N answers a short text body in one segment, GET /big/N a body of
               about 4 KiB (several segments), anything else a 404
  http-client  C keep-alive connections, each doing many small GETs one after another
               (every 8th asks /big/, every 50th a missing page); stops after --requests
               requests in all or --seconds, whichever comes first; --rate paces them
  dns-client   hand-built DNS queries over UDP to a server (a window of queries in flight;
               A, AAAA, a name that does not exist, now and then MX), and every 500th over
               TCP (one query per connection, two-byte length prefix); stops after --queries
               queries or --seconds; --rate paces them

Every socket has a timeout and every loop a count and a deadline, so nothing can hang; a
client that gets no answer counts it lost and goes on.
"""
import argparse
import http.server
import random
import socket
import struct
import sys
import threading
import time

TIMEOUT = 5


class Pacer:
    """At most `rate` ticks a second on average (0: no limit), by sleeping when ahead."""

    def __init__(self, rate):
        self.rate = rate
        self.start = time.time()
        self.n = 0

    def tick(self):
        self.n += 1
        if self.rate > 0:
            ahead = self.n / self.rate - (time.time() - self.start)
            if ahead > 0.002:
                time.sleep(ahead)


# ---------------------------------------------------------------- HTTP


class LoadHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wirelab-bench/1.0"
    timeout = 30
    BIG = b"".join(b"<p>bench line %04d, padding the body past one segment.</p>\n" % i
                   for i in range(70))

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        path = self.path
        if path.startswith("/small/"):
            code, ctype, body = 200, "text/plain", b"ok %s\n" % path[7:].encode()
        elif path.startswith("/big/"):
            code, ctype, body = 200, "text/html", self.BIG
        else:
            code, ctype, body = 404, "text/html", b"<html><body>Not found</body></html>\n"
        # Status line, headers and body in one write: one segment unless the body is big.
        head = ("HTTP/1.1 %d %s\r\nServer: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                "Cache-Control: no-cache\r\n\r\n" % (code, self.responses[code][0],
                                                      self.server_version, ctype, len(body)))
        self.wfile.write(head.encode() + body)
        self.close_connection = False


class LoadServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client killed at the end of the capture resets its connection


def http_server(a):
    srv = LoadServer((a.bind, a.port), LoadHandler)
    srv.timeout = 1
    deadline = time.time() + a.seconds
    while time.time() < deadline:
        srv.handle_request()


def read_response(sock, buf):
    """Reads one response (Content-Length framed); returns (status, rest of buffer)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return int(head.split(b" ", 2)[1]), buf[length:]


def http_worker(a, index, deadline, counts):
    done = 0
    quota = a.requests // a.connections
    pacer = Pacer(a.rate / a.connections)
    while done < quota and time.time() < deadline:
        try:
            sock = socket.create_connection((a.server, a.port), timeout=TIMEOUT)
        except OSError:
            time.sleep(0.1)
            continue
        buf = b""
        try:
            # A fresh connection every --per-conn requests: handshakes and FINs in the mix.
            for _ in range(a.per_conn):
                if done >= quota or time.time() >= deadline:
                    break
                n = index * quota + done
                if n % 50 == 49:
                    path = "/missing/%d" % n
                elif n % 8 == 7:
                    path = "/big/%d" % n
                else:
                    path = "/small/%d" % n
                req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: wirelab-bench\r\n"
                       "Accept: */*\r\nConnection: keep-alive\r\n\r\n" % (path, a.server))
                pacer.tick()
                sock.sendall(req.encode())
                _, buf = read_response(sock, buf)
                done += 1
        except (OSError, ValueError, IndexError):
            pass  # lost; open a new connection
        finally:
            sock.close()
    counts[index] = done


def http_client(a):
    deadline = time.time() + a.seconds
    counts = [0] * a.connections
    threads = [threading.Thread(target=http_worker, args=(a, i, deadline, counts), daemon=True)
               for i in range(a.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.time()) + TIMEOUT)
    sys.stderr.write("http-client: %d requests answered\n" % sum(counts))


# ---------------------------------------------------------------- DNS


def dns_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def dns_query(ident, name, qtype):
    return struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack(">HH", qtype, 1)


def pick_query(n, names):
    if n % 20 == 19:
        return "nothere%d.wirelab.test" % n, 1
    if n % 10 == 3:
        return names[n % len(names)], 28  # AAAA
    if n % 25 == 7:
        return "wirelab.test", 15  # MX
    return names[n % len(names)], 1


def tcp_query(server, port, ident, name, qtype):
    msg = dns_query(ident, name, qtype)
    with socket.create_connection((server, port), timeout=TIMEOUT) as s:
        s.sendall(struct.pack(">H", len(msg)) + msg)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk


def dns_client(a):
    names = a.names.split(",")
    deadline = time.time() + a.seconds
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    s.connect((a.server, a.port))
    rng = random.Random(17)
    sent = answered = lost = 0
    inflight = {}
    n = 0
    pacer = Pacer(a.rate)
    while (n < a.queries or inflight) and time.time() < deadline:
        while n < a.queries and len(inflight) < a.window:
            name, qtype = pick_query(n, names)
            pacer.tick()
            if n % 500 == 499:
                try:
                    tcp_query(a.server, a.port, rng.randrange(65536), name, qtype)
                    answered += 1
                except OSError:
                    lost += 1
            else:
                ident = rng.randrange(65536)
                while ident in inflight:
                    ident = rng.randrange(65536)
                s.send(dns_query(ident, name, qtype))
                inflight[ident] = time.time()
                sent += 1
            n += 1
        try:
            data = s.recv(4096)
        except socket.timeout:
            lost += len(inflight)
            inflight.clear()
            continue
        except OSError:
            continue
        if len(data) >= 2 and inflight.pop(struct.unpack(">H", data[:2])[0], None) is not None:
            answered += 1
    sys.stderr.write("dns-client: %d queries, %d answered, %d lost\n" % (n, answered, lost))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("http-server")
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--seconds", type=float, default=600)
    p = sub.add_parser("http-client")
    p.add_argument("--server", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--per-conn", type=int, default=200, help="requests per connection before a new one")
    p.add_argument("--requests", type=int, default=100000)
    p.add_argument("--rate", type=float, default=0, help="requests a second in all (0: no limit)")
    p.add_argument("--seconds", type=float, default=600)
    p = sub.add_parser("dns-client")
    p.add_argument("--server", required=True)
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--names", required=True, help="comma-separated names to ask for")
    p.add_argument("--queries", type=int, default=100000)
    p.add_argument("--window", type=int, default=8)
    p.add_argument("--rate", type=float, default=0, help="queries a second (0: no limit)")
    p.add_argument("--seconds", type=float, default=600)
    a = ap.parse_args()
    socket.setdefaulttimeout(TIMEOUT)
    {"http-server": http_server, "http-client": http_client, "dns-client": dns_client}[a.cmd](a)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""An HTTP/1.0 server whose responses have no Content-Length (the body runs to the close of
the connection), and its client: the `http-close` service of scripts/make-app-captures.sh,
run inside its namespaces.

One connection per path, in this order:
  /page     the head and a short page in one segment, then close: the FIN comes alone
  /parts    the head, then the page in three segments, then close (FIN alone)
  /fin      the head and half the page, then the rest with the FIN on it (TCP_CORK held
            while shutting down the sending side, so the FIN rides on the last data)
  /whole    the head and the page in one segment that carries the FIN too
  /short    a head with a Content-Length longer than the page, head and page in one segment
            with the FIN (at the end of the stream tshark does not wait for the rest)
  /reset    the page, then once it is acknowledged an abortive close (SO_LINGER 0): a RST
  /open     the page, and no close before the capture ends (the client closes its side)

Every socket has a timeout and the server stops after the seven connections (or 30 s).
"""
import argparse
import socket
import sys
import time

TIMEOUT = 10
PATHS = ["/page", "/parts", "/fin", "/whole", "/short", "/reset", "/open"]


def page(title, lines):
    body = "<!DOCTYPE html>\n<html><head><title>%s</title></head><body>\n" % title
    for i in range(1, lines + 1):
        body += "<p>Line %02d of a page sent without a length.</p>\n" % i
    return (body + "</body></html>\n").encode()


def head():
    return (
        b"HTTP/1.0 200 OK\r\n"
        b"Server: wirelab-close/1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n"
        b"\r\n"
    )


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 4096:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    return parts[1] if len(parts) > 1 else "/"


def answer(conn, path, held):
    if path == "/page":
        conn.sendall(head() + page("one segment", 4))
        conn.close()
    elif path == "/parts":
        body = page("three segments", 12)
        conn.sendall(head())
        third = len(body) // 3
        for piece in (body[:third], body[third : 2 * third], body[2 * third :]):
            time.sleep(0.05)
            conn.sendall(piece)
        time.sleep(0.05)
        conn.close()
    elif path == "/fin":
        body = page("fin with data", 8)
        half = len(body) // 2
        conn.sendall(head() + body[:half])
        time.sleep(0.05)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        conn.sendall(body[half:])
        conn.shutdown(socket.SHUT_WR)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
        time.sleep(0.1)
        conn.close()
    elif path == "/whole":
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        conn.sendall(head() + page("all in the fin", 2))
        conn.shutdown(socket.SHUT_WR)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
        time.sleep(0.1)
        conn.close()
    elif path == "/short":
        body = page("shorter than its length", 2)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        conn.sendall(head().replace(b"\r\n\r\n", b"\r\nContent-Length: %d\r\n\r\n" % (len(body) + 100)) + body)
        conn.shutdown(socket.SHUT_WR)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
        time.sleep(0.1)
        conn.close()
    elif path == "/reset":
        conn.sendall(head() + page("reset", 3))
        time.sleep(0.2)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()
    else:
        conn.sendall(head() + page("never closed", 3))
        held.append(conn)


def server(a):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((a.bind, a.port))
    srv.listen(4)
    srv.settimeout(30)
    held = []
    for _ in PATHS:
        conn, _peer = srv.accept()
        conn.settimeout(TIMEOUT)
        answer(conn, read_request(conn), held)
    # Keep the last connection open until the capture has ended (the script kills us).
    time.sleep(a.hold)
    for c in held:
        c.close()


def client(a):
    for path in PATHS:
        c = socket.create_connection((a.server, a.port), timeout=TIMEOUT)
        c.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, a.server)).encode())
        c.settimeout(1 if path == "/open" else TIMEOUT)
        got = 0
        try:
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                got += len(chunk)
        except (socket.timeout, ConnectionResetError):
            pass
        sys.stderr.write("http-close: %s: %d bytes\n" % (path, got))
        c.close()
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("server")
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--hold", type=float, default=20)
    p = sub.add_parser("client")
    p.add_argument("--server", required=True)
    p.add_argument("--port", type=int, default=80)
    a = ap.parse_args()
    {"server": server, "client": client}[a.cmd](a)


if __name__ == "__main__":
    main()

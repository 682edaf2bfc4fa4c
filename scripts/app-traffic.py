#!/usr/bin/env python3
"""Small servers and clients for scripts/make-app-captures.sh (run inside its namespaces).

Subcommands:
  http-extra   an HTTP/1.1 server for what `python3 -m http.server` does not do: Basic auth
               (401 then 200), a chunked response, a JSON response
  http-client  the HTTP exchanges (through curl) and an SSDP M-SEARCH over UDP 1900
  ssdp-server  answers one M-SEARCH with an HTTP/1.1 200 OK over UDP
  smtp-client  one SMTP session (EHLO, MAIL, RCPT, DATA, QUIT) with smtplib
  ftp-client   one FTP session (USER, PASS, PASV LIST, PASV RETR, QUIT) with ftplib
  pop-server / pop-client    a minimal POP3 server (one session) and poplib
  imap-server / imap-client  a minimal IMAP4rev1 server (one session) and imaplib
  names-server / names-client  name resolution on the local link: an mDNS query (224.0.0.251,
               port 5353) and its multicast answer, an LLMNR query (224.0.0.252, port 5355) and
               its unicast answer, a NetBIOS name query broadcast (port 137) and its answer

Every socket has a timeout and every server stops after one session, so nothing can hang.
"""
import argparse
import base64
import http.server
import imaplib
import json
import os
import poplib
import smtplib
import socket
import struct
import subprocess
import sys
import time
from ftplib import FTP

TIMEOUT = 10


def ready(path):
    if path:
        with open(path, "w") as f:
            f.write("ready\n")


# ---------------------------------------------------------------- HTTP


class ExtraHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wirelab-test/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("http-extra: " + (fmt % args) + "\n")

    def send_body(self, code, ctype, body, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/secret/":
            want = "Basic " + base64.b64encode(b"student:wirelab").decode()
            if self.headers.get("Authorization") != want:
                self.send_body(401, "text/html", b"<html><body>Authorization required</body></html>\n",
                               [("WWW-Authenticate", 'Basic realm="wirelab lab"')])
            else:
                self.send_body(200, "text/html", b"<html><body>Welcome, student</body></html>\n")
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"first chunk\n", b"second chunk, a little longer\n", b"third\n"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                time.sleep(0.05)
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/api/status":
            body = json.dumps({"lab": "wirelab", "ok": True, "hosts": [1, 2, 3]}).encode()
            self.send_body(200, "application/json", body)
        else:
            self.send_body(404, "text/html", b"<html><body>Not found</body></html>\n")


def http_extra(a):
    srv = http.server.HTTPServer((a.bind, a.port), ExtraHandler)
    srv.timeout = TIMEOUT
    ready(a.ready)
    deadline = time.time() + a.seconds
    while time.time() < deadline:
        srv.handle_request()


def curl(*args):
    cmd = ["curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}\n",
           "-H", "Accept-Language: en-GB,en;q=0.8", *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=15)
    sys.stderr.write("curl %s -> %s" % (" ".join(args), out.stdout))


def http_client(a):
    base = "http://%s" % a.server
    extra = "http://%s:%d" % (a.server, a.extra_port)
    curl(base + "/index.html")  # several segments
    lm = open(a.last_modified).read().strip()
    curl("-H", "If-Modified-Since: " + lm, base + "/index.html")  # 304
    curl(base + "/missing.html")  # 404
    curl(base + "/data.json")  # application/json from http.server
    curl(extra + "/secret/")  # 401
    curl("-u", "student:wirelab", extra + "/secret/")  # 200
    curl(extra + "/chunked")  # chunked
    curl(extra + "/api/status")  # application/json
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.bind(("", 50000))
    msg = ("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
           "MX: 1\r\nST: ssdp:all\r\n\r\n").encode()
    s.sendto(msg, (a.server, 1900))
    try:
        s.recvfrom(2048)
    except socket.timeout:
        sys.exit("ssdp: no answer")


def ssdp_server(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.bind((a.bind, 1900))
    ready(a.ready)
    data, peer = s.recvfrom(2048)
    if data.startswith(b"M-SEARCH"):
        s.sendto(("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
                  "LOCATION: http://%s/description.xml\r\nSERVER: Linux/6 UPnP/1.0 wirelab/1.0\r\n"
                  "ST: upnp:rootdevice\r\nUSN: uuid:0d1e2f30-0000-4000-8000-000000000001::upnp:rootdevice\r\n"
                  "\r\n" % a.bind).encode(), peer)


# ---------------------------------------------------------------- SMTP, FTP


def smtp_client(a):
    with smtplib.SMTP(a.server, 25, local_hostname="client.wirelab.test", timeout=TIMEOUT) as s:
        s.ehlo("client.wirelab.test")
        body = ("From: student@wirelab.test\r\nTo: teacher@wirelab.test\r\n"
                "Subject: lab 3 report\r\n\r\nHello,\r\nthe capture is attached in spirit.\r\n")
        s.sendmail("student@wirelab.test", ["teacher@wirelab.test"], body)


def ftp_client(a):
    ftp = FTP(timeout=TIMEOUT)
    ftp.connect(a.server, 21)
    ftp.login("student", "wirelab")
    ftp.set_pasv(True)
    lines = []
    ftp.retrlines("LIST", lines.append)
    got = []
    ftp.retrbinary("RETR notes.txt", got.append)
    ftp.quit()
    sys.stderr.write("ftp: %d list lines, %d bytes\n" % (len(lines), sum(map(len, got))))


# ---------------------------------------------------------------- POP3, IMAP


def serve_one(a, talk):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.settimeout(TIMEOUT)
    ls.bind((a.bind, a.port))
    ls.listen(1)
    ready(a.ready)
    conn, _ = ls.accept()
    conn.settimeout(TIMEOUT)
    f = conn.makefile("rwb")
    try:
        talk(f)
    finally:
        f.close()
        conn.close()
        ls.close()


MAIL = (b"From: teacher@wirelab.test\r\nTo: student@wirelab.test\r\nSubject: marks\r\n\r\n"
        b"Your lab is marked.\r\n")


def pop_talk(f):
    def say(line):
        f.write(line + b"\r\n")
        f.flush()

    say(b"+OK wirelab POP3 ready")
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line.split(b" ", 1)[0].strip().upper()
        if cmd in (b"USER", b"PASS"):
            say(b"+OK")
        elif cmd == b"STAT":
            say(b"+OK 1 %d" % len(MAIL))
        elif cmd == b"LIST":
            say(b"+OK 1 messages")
            say(b"1 %d" % len(MAIL))
            say(b".")
        elif cmd == b"RETR":
            say(b"+OK %d octets" % len(MAIL))
            f.write(MAIL + b".\r\n")
            f.flush()
        elif cmd == b"QUIT":
            say(b"+OK bye")
            return
        else:
            say(b"-ERR unknown command")


def pop_client(a):
    p = poplib.POP3(a.server, 110, timeout=TIMEOUT)
    p.user("student")
    p.pass_("wirelab")
    p.stat()
    p.list()
    p.retr(1)
    p.quit()


def imap_talk(f):
    def say(line):
        f.write(line + b"\r\n")
        f.flush()

    say(b"* OK [CAPABILITY IMAP4rev1] wirelab IMAP ready")
    while True:
        line = f.readline()
        if not line:
            return
        parts = line.strip().split(b" ")
        tag = parts[0]
        cmd = parts[1].upper() if len(parts) > 1 else b""
        if cmd == b"CAPABILITY":
            say(b"* CAPABILITY IMAP4rev1")
            say(tag + b" OK CAPABILITY completed")
        elif cmd == b"LOGIN":
            say(tag + b" OK LOGIN completed")
        elif cmd == b"SELECT":
            say(b"* 1 EXISTS")
            say(b"* 0 RECENT")
            say(b"* FLAGS (\\Seen \\Answered)")
            say(tag + b" OK [READ-WRITE] SELECT completed")
        elif cmd == b"FETCH":
            f.write(b"* 1 FETCH (RFC822 {%d}\r\n" % len(MAIL) + MAIL + b")\r\n")
            say(tag + b" OK FETCH completed")
        elif cmd == b"LOGOUT":
            say(b"* BYE wirelab IMAP server logging out")
            say(tag + b" OK LOGOUT completed")
            return
        else:
            say(tag + b" BAD unknown command")


def imap_client(a):
    m = imaplib.IMAP4(a.server, 143, timeout=TIMEOUT)
    m.login("student", "wirelab")
    m.select("INBOX")
    m.fetch("1", "(RFC822)")
    m.logout()


# ---------------------------------------------------------------- mDNS, LLMNR, NBNS


def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def netbios_name(name, suffix):
    raw = name.upper().ljust(15)[:15].encode() + bytes([suffix])
    enc = b"".join(bytes([0x41 + (b >> 4), 0x41 + (b & 0xF)]) for b in raw)
    return bytes([32]) + enc + b"\0"


def question(qname, qtype, qclass=1):
    return qname + struct.pack(">HH", qtype, qclass)


def header(ident, flags, qd, an):
    return struct.pack(">HHHHHH", ident, flags, qd, an, 0, 0)


def a_record(name_or_ptr, ip, ttl, rclass=1):
    rdata = socket.inet_aton(ip)
    return name_or_ptr + struct.pack(">HHIH", 1, rclass, ttl, len(rdata)) + rdata


def mcast_socket(bind_ip, port, local_ip, group=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local_ip))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255 if port == 5353 else 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    if group:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     socket.inet_aton(group) + socket.inet_aton(local_ip))
    s.bind((bind_ip, port))
    s.settimeout(TIMEOUT)
    return s


def names_server(a):
    """Answers one mDNS, one LLMNR and one NBNS query for the name "wirelab-pc"."""
    mdns = mcast_socket("0.0.0.0", 5353, a.bind, "224.0.0.251")
    llmnr = mcast_socket("0.0.0.0", 5355, a.bind, "224.0.0.252")
    nbns = mcast_socket("0.0.0.0", 137, a.bind)
    ready(a.ready)
    data, peer = mdns.recvfrom(2048)
    # mDNS answer: ID 0, authoritative response, no question, cache-flush A record.
    ans = header(0, 0x8400, 0, 1) + a_record(dns_name("wirelab-pc.local"), a.bind, 120, 0x8001)
    mdns.sendto(ans, ("224.0.0.251", 5353))
    data, peer = llmnr.recvfrom(2048)
    ident = struct.unpack(">H", data[:2])[0]
    q = question(dns_name("wirelab-pc"), 1)
    llmnr.sendto(header(ident, 0x8000, 1, 1) + q + a_record(b"\xc0\x0c", a.bind, 30), peer)
    data, peer = nbns.recvfrom(2048)
    ident = struct.unpack(">H", data[:2])[0]
    nb = netbios_name("wirelab-pc", 0x00)
    rdata = struct.pack(">H", 0x0000) + socket.inet_aton(a.bind)
    rr = nb + struct.pack(">HHIH", 0x20, 1, 300000, len(rdata)) + rdata
    nbns.sendto(header(ident, 0x8500, 0, 1) + rr, peer)


def names_client(a):
    mdns = mcast_socket("0.0.0.0", 5353, a.local, "224.0.0.251")
    mdns.sendto(header(0, 0, 1, 0) + question(dns_name("wirelab-pc.local"), 1),
                ("224.0.0.251", 5353))
    mdns.recvfrom(2048)
    llmnr = mcast_socket(a.local, 0, a.local)
    llmnr.sendto(header(0x4c4c, 0, 1, 0) + question(dns_name("wirelab-pc"), 1), ("224.0.0.252", 5355))
    llmnr.recvfrom(2048)
    nbns = mcast_socket(a.local, 137, a.local)
    nbns.sendto(header(0x1b1b, 0x0110, 1, 0) + question(netbios_name("wirelab-pc", 0x00), 0x20),
                (a.broadcast, 137))
    nbns.recvfrom(2048)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("http-extra")
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--ready")
    p = sub.add_parser("http-client")
    p.add_argument("--server", required=True)
    p.add_argument("--extra-port", type=int, default=8080)
    p.add_argument("--last-modified", required=True, help="file holding the page's Last-Modified")
    p = sub.add_parser("names-server")
    p.add_argument("--bind", required=True)
    p.add_argument("--ready")
    p = sub.add_parser("names-client")
    p.add_argument("--local", required=True)
    p.add_argument("--broadcast", required=True)
    for name in ("ssdp-server", "pop-server", "imap-server"):
        p = sub.add_parser(name)
        p.add_argument("--bind", required=True)
        p.add_argument("--port", type=int, default={"pop-server": 110, "imap-server": 143}.get(name, 1900))
        p.add_argument("--ready")
    for name in ("smtp-client", "ftp-client", "pop-client", "imap-client"):
        p = sub.add_parser(name)
        p.add_argument("--server", required=True)
    a = ap.parse_args()
    socket.setdefaulttimeout(TIMEOUT)
    {
        "http-extra": http_extra,
        "http-client": http_client,
        "ssdp-server": ssdp_server,
        "smtp-client": smtp_client,
        "ftp-client": ftp_client,
        "pop-server": lambda a: serve_one(a, pop_talk),
        "pop-client": pop_client,
        "imap-server": lambda a: serve_one(a, imap_talk),
        "imap-client": imap_client,
        "names-server": names_server,
        "names-client": names_client,
    }[a.cmd](a)


if __name__ == "__main__":
    main()

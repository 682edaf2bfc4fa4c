#!/usr/bin/env python3
"""Traffic generators for scripts/make-captures.sh: small, bounded, real socket traffic.

Every subcommand runs inside a network namespace made by make-captures.sh (via
`ip netns exec`), uses only kernel sockets (TCP, UDP, raw ICMP, AF_PACKET, a TAP device),
and ends by itself: every wait has a deadline. Nothing here crafts IP/TCP headers; the
kernel builds them. The only user-space framing is the 802.1Q tag added by `vlan-relay`.
"""

import argparse
import fcntl
import os
import select
import socket
import struct
import sys
import time

IP_MTU_DISCOVER = 10  # <linux/in.h>
IP_PMTUDISC_DONT = 0
IPV6_MTU_DISCOVER = 23  # <linux/in6.h>
IPV6_PMTUDISC_DONT = 0


def family(addr):
    """AF_INET6 for an IPv6 literal, else AF_INET."""
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def mark_ready(path):
    """Tell the shell script we are listening."""
    if path:
        with open(path, "w") as f:
            f.write("ready\n")


def wait_file(path, timeout):
    """Wait (bounded) until `path` exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.02)
    return False


def pattern(n, start=0):
    """n bytes of printable text, so payloads are easy to recognise in a hex dump."""
    text = b"wirelab-capture-0123456789abcdefghijklmnopqrstuvwxyz\n"
    return bytes(text[(start + i) % len(text)] for i in range(n))


def tcp_socket(fam):
    """A TCP socket using CUBIC: the host default may be BBR, whose pacing would spread the
    small bursts the scenarios rely on (root may pick any available algorithm)."""
    s = socket.socket(fam, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"cubic")
    except OSError as e:
        print(f"capture-traffic: cubic unavailable ({e}), keeping the default", file=sys.stderr)
    return s


def no_pmtud(s, fam):
    """Let the kernel fragment datagrams larger than the MTU (DF clear)."""
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DONT)


# ---------------------------------------------------------------- TCP


def tcp_server(a):
    """Accept `--conns` connections one after another.

    mode reply: answer the first chunk with --reply, then read to EOF and close.
    mode echo:  send back everything read, until EOF.
    mode sink:  read to EOF (after sleeping --stall seconds without reading), then close.
    """
    fam = family(a.bind)
    ls = tcp_socket(fam)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    ls.bind((a.bind, a.port))
    ls.listen(8)
    ls.settimeout(a.timeout)
    mark_ready(a.ready)
    for _ in range(a.conns):
        try:
            c, _peer = ls.accept()
        except socket.timeout:
            print("tcp-server: no connection", file=sys.stderr)
            return 1
        c.settimeout(a.timeout)
        if a.stall:
            time.sleep(a.stall)
        replied = False
        deadline = time.monotonic() + a.timeout
        try:
            while time.monotonic() < deadline:
                data = c.recv(a.read_size)
                if not data:
                    break
                if a.mode == "reply" and not replied:
                    for part in a.reply:
                        c.sendall(part.encode() + b"\n")
                        time.sleep(0.02)
                    replied = True
                elif a.mode == "echo":
                    c.sendall(data)
                if a.read_pause:
                    time.sleep(a.read_pause)
        except (socket.timeout, ConnectionError) as e:
            print(f"tcp-server: {e}", file=sys.stderr)
        c.close()
    ls.close()
    return 0


def tcp_client(a):
    """Connect, send each --message (reading one answer after the first), half-close, read to EOF."""
    fam = family(a.dst)
    s = tcp_socket(fam)
    s.settimeout(a.timeout)
    if a.sport:
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", a.sport))
    s.connect((a.dst, a.port))
    for i, msg in enumerate(a.message):
        s.sendall(msg.encode() + b"\n")
        if i == 0 and a.expect_reply:
            s.recv(4096)
        time.sleep(0.05)
    time.sleep(0.05)
    s.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        if not s.recv(4096):
            break
    s.close()
    return 0


def analysis_client(a):
    """Provoke TCP analysis events on one connection (the shell drops packets with tc).

    1. four 1000-byte writes with TCP_NODELAY, the fourth sent with IP TOS 0x20 (which a tc
       filter on the way discards), then one 4000-byte write: the receiver sees a hole,
       sends duplicate ACKs (with SACK) and we retransmit.
    2. write --ready, wait for --go (the shell then drops everything we send at the receiver
       for about a second), send three more segments: RTO retransmissions.
    3. stay idle for --linger seconds (keep-alive probes every second), half-close, read to EOF.
    """
    s = tcp_socket(socket.AF_INET)
    s.settimeout(a.timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.connect((a.dst, a.port))
    time.sleep(0.1)
    # Warm-up: let the receiver's window grow to its ceiling (its buffer is fixed), so that
    # the duplicate ACKs below repeat the same window and count as Dup ACKs.
    for i in range(a.warmup):
        s.send(pattern(1000, i))
        time.sleep(0.002)
    time.sleep(0.1)
    for i in range(4):
        if i == 3:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x20)
        s.send(pattern(1000, i))
        if i == 3:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0)
        time.sleep(0.005)
    # One write: its segments all leave before we process any ACK, so the receiver answers
    # the hole with several duplicate ACKs.
    s.send(pattern(4000, 4))
    time.sleep(0.6)
    mark_ready(a.ready)
    if not wait_file(a.go, 10):
        print("analysis-client: no go signal", file=sys.stderr)
    for i in range(3):
        s.send(pattern(1000, 8 + i))
    time.sleep(a.linger)
    s.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        if not s.recv(4096):
            break
    s.close()
    return 0


def bulk_client(a):
    """Send --bytes bytes as fast as the window allows (small send buffer), then close."""
    s = tcp_socket(family(a.dst))
    s.settimeout(a.timeout)
    if a.sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    s.connect((a.dst, a.port))
    data = pattern(a.bytes)
    sent = 0
    deadline = time.monotonic() + a.timeout
    while sent < len(data) and time.monotonic() < deadline:
        sent += s.send(data[sent : sent + a.chunk])
    s.shutdown(socket.SHUT_WR)
    while time.monotonic() < deadline:
        if not s.recv(4096):
            break
    s.close()
    return 0


# ---------------------------------------------------------------- UDP


def udp_server(a):
    """Echo datagrams back (upper-cased) until --count were seen or the deadline passes."""
    fam = family(a.bind)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    no_pmtud(s, fam)
    s.bind((a.bind, a.port))
    mark_ready(a.ready)
    deadline = time.monotonic() + a.timeout
    seen = 0
    while seen < a.count and time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            break
        seen += 1
        s.sendto(data.upper(), peer)
    s.close()
    return 0


def udp_client(a):
    """Send --message datagrams (or --size bytes) from --sport and read each echo."""
    fam = family(a.dst)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    no_pmtud(s, fam)
    s.settimeout(1.0)
    if a.sport:
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", a.sport))
    payloads = [m.encode() + b"\n" for m in a.message]
    if a.size:
        payloads.append(pattern(a.size))
    for p in payloads:
        s.sendto(p, (a.dst, a.port))
        if a.port != a.closed_port:
            try:
                s.recvfrom(65535)
            except socket.timeout:
                print("udp-client: no echo", file=sys.stderr)
        time.sleep(a.interval)
    if a.closed_port:
        # Nobody listens there: the peer's kernel answers with ICMP port unreachable.
        s.sendto(b"anyone there?\n", (a.dst, a.closed_port))
        time.sleep(0.2)
    s.close()
    return 0


# ---------------------------------------------------------------- ICMP


def inet_checksum(data):
    """RFC 1071 checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmp_echo(a):
    """Echo requests like ping: raw ICMP (v4) or ICMPv6 socket, --count requests, one per --interval."""
    v6 = ":" in a.dst
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    no_pmtud(s, socket.AF_INET6 if v6 else socket.AF_INET)
    ident = (a.ident if a.ident is not None else os.getpid()) & 0xFFFF
    for seq in range(1, a.count + 1):
        now = time.time()
        body = struct.pack("<QQ", int(now), int((now % 1) * 1e6))
        body += bytes((0x10 + i) & 0xFF for i in range(max(0, a.size - 16)))
        body = body[: a.size]
        if v6:
            # The kernel fills in the ICMPv6 checksum (it needs the pseudo-header).
            msg = struct.pack("!BBHHH", 128, 0, 0, ident, seq) + body
        else:
            head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            csum = inet_checksum(head + body)
            msg = struct.pack("!BBHHH", 8, 0, csum, ident, seq) + body
        s.sendto(msg, (a.dst, 0))
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                pkt, _ = s.recvfrom(65535)
            except socket.timeout:
                print(f"icmp-echo: no reply to seq {seq}", file=sys.stderr)
                break
            if not v6:
                pkt = pkt[(pkt[0] & 0x0F) * 4 :]
            if len(pkt) >= 8:
                typ, _c, _k, rid, rseq = struct.unpack("!BBHHH", pkt[:8])
                if typ in (0, 129) and rid == ident and rseq == seq:
                    break
        time.sleep(a.interval)
    s.close()
    return 0


# ---------------------------------------------------------------- 802.1Q

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
TPID = 0x8100


def vlan_relay(a):
    """Bridge a TAP device to a trunk interface, adding/removing an 802.1Q tag.

    The kernel here has no 8021q module, so this plays the VLAN switch port: frames the
    namespace's stack sends on the TAP leave the trunk tagged with --vid; frames arriving on
    the trunk (the kernel has already moved their tag into packet metadata, or not) go to the
    TAP untagged. Runs until --seconds have passed.
    """
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", a.tap.encode(), IFF_TAP | IFF_NO_PI))
    trunk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    trunk.bind((a.trunk, 0))
    mark_ready(a.ready)
    tci = struct.pack("!HH", TPID, (a.pcp << 13) | a.vid)
    deadline = time.monotonic() + a.seconds
    while time.monotonic() < deadline:
        r, _, _ = select.select([tap, trunk], [], [], 0.2)
        if tap in r:
            frame = os.read(tap, 65535)
            if len(frame) >= 14:
                trunk.send(frame[:12] + tci + frame[12:])
        if trunk in r:
            frame, addr = trunk.recvfrom(65535)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            if len(frame) >= 18 and frame[12:14] == b"\x81\x00":
                frame = frame[:12] + frame[16:]
            os.write(tap, frame)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)

    q = sub.add_parser("tcp-server")
    q.add_argument("--bind", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--mode", choices=["reply", "echo", "sink"], default="reply")
    q.add_argument("--reply", action="append", default=[])
    q.add_argument("--conns", type=int, default=1)
    q.add_argument("--rcvbuf", type=int, default=0)
    q.add_argument("--stall", type=float, default=0.0)
    q.add_argument("--read-size", type=int, default=65536)
    q.add_argument("--read-pause", type=float, default=0.0)
    q.add_argument("--ready")
    q.add_argument("--timeout", type=float, default=10.0)
    q.set_defaults(fn=tcp_server)

    q = sub.add_parser("tcp-client")
    q.add_argument("--dst", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--sport", type=int, default=0)
    q.add_argument("--message", action="append", default=[])
    q.add_argument("--expect-reply", action="store_true")
    q.add_argument("--timeout", type=float, default=10.0)
    q.set_defaults(fn=tcp_client)

    q = sub.add_parser("analysis-client")
    q.add_argument("--dst", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--ready", required=True)
    q.add_argument("--go", required=True)
    q.add_argument("--linger", type=float, default=2.5)
    q.add_argument("--warmup", type=int, default=0, help="1000-byte writes before phase 1")
    q.add_argument("--timeout", type=float, default=15.0)
    q.set_defaults(fn=analysis_client)

    q = sub.add_parser("bulk-client")
    q.add_argument("--dst", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--bytes", type=int, default=30000)
    q.add_argument("--chunk", type=int, default=1000)
    q.add_argument("--sndbuf", type=int, default=0)
    q.add_argument("--timeout", type=float, default=15.0)
    q.set_defaults(fn=bulk_client)

    q = sub.add_parser("udp-server")
    q.add_argument("--bind", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--count", type=int, default=100)
    q.add_argument("--ready")
    q.add_argument("--timeout", type=float, default=10.0)
    q.set_defaults(fn=udp_server)

    q = sub.add_parser("udp-client")
    q.add_argument("--dst", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--sport", type=int, default=0)
    q.add_argument("--message", action="append", default=[])
    q.add_argument("--size", type=int, default=0)
    q.add_argument("--closed-port", type=int, default=0)
    q.add_argument("--interval", type=float, default=0.05)
    q.set_defaults(fn=udp_client)

    q = sub.add_parser("icmp-echo")
    q.add_argument("--dst", required=True)
    q.add_argument("--count", type=int, default=3)
    q.add_argument("--size", type=int, default=56)
    q.add_argument("--ident", type=lambda s: int(s, 0))
    q.add_argument("--interval", type=float, default=0.1)
    q.set_defaults(fn=icmp_echo)

    q = sub.add_parser("vlan-relay")
    q.add_argument("--tap", required=True)
    q.add_argument("--trunk", required=True)
    q.add_argument("--vid", type=int, default=30)
    q.add_argument("--pcp", type=int, default=0)
    q.add_argument("--seconds", type=float, default=30.0)
    q.add_argument("--ready")
    q.set_defaults(fn=vlan_relay)

    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())

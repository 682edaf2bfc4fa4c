#!/usr/bin/env python3
"""Test helpers for a TCP upload over a lossy link, all bounded in time.

relay   Forwards Ethernet frames between two interfaces with raw sockets (run it in a
        "middle" network namespace holding one veth end towards each host), dropping a
        seeded random share of the TCP segments that carry data from --a to --b (and,
        with --ack-loss, of the pure ACKs coming back). The kernel here has no netem or
        tc filters, so the loss is made in user space.
sink    Accepts one TCP connection, writes every byte received to --out, sends --reply,
        closes. What the kernel socket received is then in --out, byte for byte.
upload  Connects and sends --bytes bytes of a seeded pattern (also written to --copy).
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def mark_ready(path):
    if path:
        with open(path + ".tmp", "w") as f:
            f.write("ready\n")
        os.rename(path + ".tmp", path)


def tcp_payload_len(frame):
    """(is_tcp, payload length) of an Ethernet/IPv4 frame."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return False, 0
    ihl = (frame[14] & 0x0F) * 4
    total = struct.unpack("!H", frame[16:18])[0]
    if frame[23] != 6 or len(frame) < 14 + ihl + 20:
        return False, 0
    doff = (frame[14 + ihl + 12] >> 4) * 4
    return True, max(0, total - ihl - doff)


def fix_tcp_checksum(frame):
    """The frame with its TCP checksum computed.

    veth offloads the checksum: a frame read from it with a raw socket carries only the
    pseudo-header sum, and once written to another veth it would be dropped as corrupt.
    """
    ihl = (frame[14] & 0x0F) * 4
    total = struct.unpack("!H", frame[16:18])[0]
    start, end = 14 + ihl, 14 + total
    if end > len(frame) or end - start < 20:
        return frame
    seg = bytearray(frame[start:end])
    seg[16:18] = b"\0\0"
    pseudo = frame[26:34] + struct.pack("!BBH", 0, 6, len(seg))
    data = bytes(pseudo) + bytes(seg) + (b"\0" if len(seg) % 2 else b"")
    total_sum = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total_sum >> 16:
        total_sum = (total_sum & 0xFFFF) + (total_sum >> 16)
    seg[16:18] = struct.pack("!H", ~total_sum & 0xFFFF)
    return frame[:start] + bytes(seg) + frame[end:]


def relay(a):
    rng = random.Random(a.seed)
    sa = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sa.bind((a.a, 0))
    sb = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sb.bind((a.b, 0))
    mark_ready(a.ready)
    dropped = 0
    forwarded = 0
    deadline = time.monotonic() + a.seconds
    while time.monotonic() < deadline:
        r, _, _ = select.select([sa, sb], [], [], 0.2)
        for s in r:
            try:
                frame, addr = s.recvfrom(65535)
            except OSError:
                continue  # the link went down (test ending)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            is_tcp, plen = tcp_payload_len(frame)
            out = sb if s is sa else sa
            if is_tcp and dropped < a.max_drops:
                p = a.loss if (s is sa and plen > 0) else (a.ack_loss if s is sb else 0.0)
                if p > 0 and rng.random() < p:
                    dropped += 1
                    continue
            if is_tcp:
                frame = fix_tcp_checksum(frame)
            try:
                out.send(frame)
                forwarded += 1
            except OSError as e:
                print(f"relay: cannot forward a {len(frame)}-byte frame: {e}", file=sys.stderr)
    print(f"relay: forwarded {forwarded}, dropped {dropped}", file=sys.stderr)
    return 0


def sink(a):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((a.bind, a.port))
    srv.listen(1)
    srv.settimeout(a.seconds)
    mark_ready(a.ready)
    conn, _ = srv.accept()
    conn.settimeout(a.seconds)
    deadline = time.monotonic() + a.seconds
    with open(a.out, "wb") as f:
        while time.monotonic() < deadline:
            data = conn.recv(65536)
            if not data:
                break
            f.write(data)
    conn.sendall(a.reply.encode())
    conn.close()
    srv.close()
    return 0


def upload(a):
    rng = random.Random(a.seed)
    data = bytes(rng.getrandbits(8) for _ in range(a.bytes))
    if a.copy:
        with open(a.copy, "wb") as f:
            f.write(data)
    s = socket.create_connection((a.dst, a.port), timeout=a.seconds)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    deadline = time.monotonic() + a.seconds
    while time.monotonic() < deadline:
        chunk = s.recv(4096)
        if not chunk:
            break
        reply += chunk
    s.close()
    print(f"upload: sent {len(data)} bytes, reply {reply!r}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(required=True)
    r = sub.add_parser("relay")
    r.add_argument("--a", required=True)
    r.add_argument("--b", required=True)
    r.add_argument("--loss", type=float, default=0.03)
    r.add_argument("--ack-loss", type=float, default=0.0)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--max-drops", type=int, default=1000)
    r.add_argument("--seconds", type=float, default=60)
    r.add_argument("--ready")
    r.set_defaults(fn=relay)
    s = sub.add_parser("sink")
    s.add_argument("--bind", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--reply", default="thanks")
    s.add_argument("--seconds", type=float, default=60)
    s.add_argument("--ready")
    s.set_defaults(fn=sink)
    u = sub.add_parser("upload")
    u.add_argument("--dst", required=True)
    u.add_argument("--port", type=int, required=True)
    u.add_argument("--bytes", type=int, default=500000)
    u.add_argument("--seed", type=int, default=7)
    u.add_argument("--copy")
    u.add_argument("--seconds", type=float, default=60)
    u.set_defaults(fn=upload)
    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())

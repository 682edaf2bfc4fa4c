#!/usr/bin/env python3
"""Rewrite a classic Ethernet pcap as a sending host with TCP segmentation offload shows it.

Usage: pcap-tso.py IN.pcap OUT.pcap

Drivers that leave the NIC to fill the IPv4 total length in per segment (e.g. large send
offload on Windows) hand it packets whose total length field is 0, and a capture on the
sending host shows that 0.
This sets the IPv4 total length of every frame carrying TCP payload to 0 and recomputes the
header checksum over the rewritten header. Frames without TCP payload (handshake, pure ACKs,
FIN) and all other bytes are copied unchanged. Used by scripts/make-captures.sh (tso).
"""

import struct
import sys


def inet_checksum(data):
    """RFC 1071 checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def rewrite(frame):
    """The frame with IPv4 total length 0 if it is Ethernet/IPv4/TCP with payload."""
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00" or frame[14] >> 4 != 4:
        return frame
    ihl = (frame[14] & 0x0F) * 4
    if frame[14 + 9] != 6 or len(frame) < 14 + ihl + 20:
        return frame
    total = struct.unpack("!H", frame[16:18])[0]
    tcp_hl = (frame[14 + ihl + 12] >> 4) * 4
    if total <= ihl + tcp_hl:
        return frame
    head = bytearray(frame[14 : 14 + ihl])
    head[2:4] = b"\0\0"
    head[10:12] = b"\0\0"
    head[10:12] = struct.pack("!H", inet_checksum(bytes(head)))
    return frame[:14] + bytes(head) + frame[14 + ihl :]


def convert(src):
    magic = struct.unpack("<I", src[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise ValueError("not a little-endian classic pcap file")
    if struct.unpack("<I", src[20:24])[0] != 1:
        raise ValueError("not an Ethernet capture")
    out = bytearray(src[:24])
    pos = 24
    while pos + 16 <= len(src):
        ts_sec, ts_frac, incl, orig = struct.unpack("<IIII", src[pos : pos + 16])
        frame = src[pos + 16 : pos + 16 + incl]
        if len(frame) < incl:
            raise ValueError("truncated record")
        out += struct.pack("<IIII", ts_sec, ts_frac, incl, orig) + rewrite(frame)
        pos += 16 + incl
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    with open(sys.argv[2], "wb") as f:
        f.write(convert(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Rewrite a classic pcap file in big-endian byte order (magic a1 b2 c3 d4 on disk).

Usage: pcap-to-big-endian.py IN.pcap OUT.pcap

tcpdump writes pcap in the host's byte order (little-endian here); readers must also accept
files written on big-endian hosts. This converts the file header (magic, version, thiszone,
sigfigs, snaplen, linktype) and every record header (ts_sec, ts_frac, incl_len, orig_len) to
big-endian and copies the packet bytes unchanged. Works for microsecond (a1b2c3d4) and
nanosecond (a1b23c4d) files; the magic keeps its precision.
"""

import struct
import sys

MAGICS = {0xA1B2C3D4, 0xA1B23C4D}


def convert(src: bytes) -> bytes:
    if len(src) < 24:
        raise ValueError("shorter than a pcap file header")
    for order in ("<", ">"):
        (magic,) = struct.unpack(order + "I", src[:4])
        if magic in MAGICS:
            break
    else:
        raise ValueError("not a classic pcap file")
    magic, vmaj, vmin, zone, sigfigs, snaplen, linktype = struct.unpack(order + "IHHiIII", src[:24])
    out = bytearray(struct.pack(">IHHiIII", magic, vmaj, vmin, zone, sigfigs, snaplen, linktype))
    pos = 24
    while pos < len(src):
        if pos + 16 > len(src):
            raise ValueError(f"truncated record header at offset {pos}")
        sec, frac, incl, orig = struct.unpack(order + "IIII", src[pos : pos + 16])
        data = src[pos + 16 : pos + 16 + incl]
        if len(data) != incl:
            raise ValueError(f"truncated packet data at offset {pos}")
        out += struct.pack(">IIII", sec, frac, incl, orig) + data
        pos += 16 + incl
    return bytes(out)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        src = f.read()
    with open(sys.argv[2], "wb") as f:
        f.write(convert(src))
    return 0


if __name__ == "__main__":
    sys.exit(main())

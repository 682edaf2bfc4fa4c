#!/usr/bin/env python3
"""Writes the decode_frame fuzz seeds from the captures in captures/.

Each capture becomes one seed: its first 24 frames, each prefixed with a selector byte for
its link type (the index in fuzz_targets/decode_frame.rs LINKS), joined by b"FRAME".
Needs editcap (package tshark) to turn pcapng into pcap. Run from the repository root.
"""
import os, struct, subprocess, sys, tempfile

LINKS = {1: 0, 113: 1, 276: 2, 101: 3, 228: 4, 229: 5, 0: 6, 108: 7}

def frames(path):
    with tempfile.NamedTemporaryFile(suffix=".pcap") as t:
        subprocess.run(["editcap", "-F", "pcap", path, t.name], check=True)
        data = open(t.name, "rb").read()
    magic = data[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack(e + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        yield link, data[off + 16:off + 16 + incl]
        off += 16 + incl

def main():
    out = "fuzz/seeds/decode_frame"
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir("captures")):
        parts = []
        for i, (link, f) in enumerate(frames(os.path.join("captures", name))):
            if i >= 24 or link not in LINKS:
                break
            parts.append(bytes([LINKS[link]]) + f)
        if parts:
            open(os.path.join(out, name.split(".")[0]), "wb").write(b"FRAME".join(parts))
    return 0

if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Writes tests/golden/coloring/<capture>.tsv: for every frame of every capture in captures/
# and the public captures (../shared/captures-public beside the repository, else
# /work/shared/captures-public, or PUBLIC_CAPTURES=dir), the name of Wireshark's default colouring rule that tshark
# applies to it (empty: none), as `tshark --color -T fields -e frame.number -e
# frame.coloring_rule.name` prints it. Line 1 records the tshark version and command.
# tests/view_coloring.rs compares wirelab's colouring with these files (and, with tshark
# installed, with tshark itself).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/tests/golden/coloring
mkdir -p "$OUT"
version=$(tshark --version 2>/dev/null | head -1 | sed 's/ (Git.*//')
PUBLIC=${PUBLIC_CAPTURES:-}
if [ -z "$PUBLIC" ]; then
    for d in "$ROOT/../shared/captures-public" /work/shared/captures-public; do
        [ -d "$d" ] && { PUBLIC=$d; break; }
    done
fi
for f in "$ROOT"/captures/*.pcap* ${PUBLIC:+"$PUBLIC"/*.pcap*}; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    {
        echo "# $version; tshark --color -n -r $name -T fields -e frame.number -e frame.coloring_rule.name"
        tshark --color -n -r "$f" -T fields -e frame.number -e frame.coloring_rule.name 2>/dev/null
    } >"$OUT/$name.tsv"
done
echo "wrote $(ls "$OUT" | wc -l) files to $OUT" >&2

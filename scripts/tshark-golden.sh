#!/usr/bin/env bash
# Write tests/golden/tshark/<file>.tsv: what tshark says about every frame of every capture in
# captures/ and in the public sample captures (shared/captures-public). A capture in a
# subdirectory of captures/ (captures/app/http.pcap) gets the directory as a prefix
# (app-http.pcap.tsv) and its full path after `source:`.
#
# tshark runs with default preferences (empty WIRESHARK_CONFIG_DIR and HOME), -n, one pass.
# Line 1 of each golden is a comment: the tshark version and the exact command; line 2 is
# tshark's header (the field names); then one line per frame, tab-separated, first occurrence
# of each field. tests/tshark_compare.rs reads these files (and re-runs tshark to catch a
# stale golden).
#
# Usage: scripts/tshark-golden.sh [CAPTURE...]   (default: all of captures/, captures/app/ and
#                                                the public ones)
#   PUBLIC_CAPTURES=dir  where the public captures are (default: ../shared/captures-public
#                        beside the repository, else /work/shared/captures-public)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
GOLDEN=$ROOT/tests/golden/tshark
if [ -z "${PUBLIC_CAPTURES:-}" ]; then
    for d in "$ROOT/../shared/captures-public" /work/shared/captures-public; do
        if [ -d "$d" ]; then PUBLIC_CAPTURES=$(cd "$d" && pwd); break; fi
    done
fi

command -v tshark >/dev/null || { echo "tshark-golden.sh: tshark not installed" >&2; exit 1; }

# Keep in step with FIELDS in tests/tshark_compare.rs (the test reads them from line 2).
FIELDS=(
    frame.number frame.time_relative frame.len frame.cap_len
    _ws.col.Source _ws.col.Destination _ws.col.Protocol _ws.col.Info
    eth.src eth.dst eth.type
    ip.version ip.src ip.dst ip.proto ip.ttl
    ipv6.src ipv6.dst ipv6.nxt ipv6.hlim
    tcp.stream tcp.srcport tcp.dstport tcp.flags tcp.seq tcp.ack tcp.seq_raw tcp.ack_raw
    tcp.len tcp.window_size
    udp.srcport udp.dstport udp.length
    frame.protocols
)
for flag in retransmission fast_retransmission spurious_retransmission out_of_order \
    lost_segment ack_lost_segment duplicate_ack zero_window zero_window_probe \
    zero_window_probe_ack keep_alive keep_alive_ack window_update window_full reused_ports; do
    FIELDS+=("tcp.analysis.$flag")
done

ARGS=(-n -T fields -E header=y -E separator=/t -E occurrence=f)
for f in "${FIELDS[@]}"; do ARGS+=(-e "$f"); done

VERSION=$(tshark --version 2>/dev/null | head -1)
CONF=$(mktemp -d)
trap 'rm -rf "$CONF"' EXIT
mkdir -p "$CONF/config" "$CONF/home" "$GOLDEN"

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    for f in "$ROOT"/captures/*.pcap "$ROOT"/captures/*.pcapng \
        "$ROOT"/captures/app/*.pcap "$ROOT"/captures/app/*.pcapng; do
        [ -e "$f" ] && files+=("$f")
    done
    if [ -n "${PUBLIC_CAPTURES:-}" ]; then
        for f in "$PUBLIC_CAPTURES"/*.pcap "$PUBLIC_CAPTURES"/*.pcapng; do [ -e "$f" ] && files+=("$f"); done
    else
        echo "tshark-golden.sh: public captures not found, skipping them" >&2
    fi
fi

for file in "${files[@]}"; do
    file=$(realpath "$file")
    name=$(basename "$file")
    case $file in
        "$ROOT"/captures/*)
            where="captures/${file#"$ROOT"/captures/}"
            name=${where#captures/}
            name=${name//\//-}
            ;;
        *) where="captures-public/$name" ;;
    esac
    out="$GOLDEN/$name.tsv"
    {
        printf '# %s | source: %s | WIRESHARK_CONFIG_DIR=<empty> HOME=<empty> tshark -r %s' \
            "$VERSION" "$where" "$where"
        printf ' %q' "${ARGS[@]}"
        printf '\n'
        WIRESHARK_CONFIG_DIR="$CONF/config" HOME="$CONF/home" tshark -r "$file" "${ARGS[@]}" 2>/dev/null
    } >"$out.tmp"
    mv "$out.tmp" "$out"
    echo "$out: $(($(wc -l <"$out") - 2)) frames" >&2
done

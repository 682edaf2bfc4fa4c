#!/usr/bin/env bash
# Write tests/golden/analysis/: what tshark says about RTT, follow and io,stat on the
# bundled and public captures. tests/analysis_vs_tshark.rs compares wirelab with these files
# and, when tshark is installed, re-runs each command to catch a stale golden.
#
#   <capture>.ackrtt.tsv      frame, tcp.analysis.acks_frame, tcp.analysis.ack_rtt
#   <capture>.follow-<proto>-<mode>-<N>.txt   tshark -q -z follow,<proto>,<mode>,<N>
#   <capture>.iostat-<N>-<A|B>.txt            io,stat per 1 s of stream N, one direction
#
# Line 1 of every file is a comment with the tshark version and the exact command.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT=$ROOT/tests/golden/analysis
PUB=${PUBLIC_CAPTURES:-}
for d in "$ROOT/../shared/captures-public" /work/shared/captures-public; do
    [ -z "$PUB" ] && [ -d "$d" ] && PUB=$(cd "$d" && pwd)
done
command -v tshark >/dev/null || { echo "analysis-golden.sh: tshark not installed" >&2; exit 1; }
CONF=$(mktemp -d)
trap 'rm -rf "$CONF"' EXIT
mkdir -p "$CONF/config" "$CONF/home" "$OUT"
VERSION=$(tshark --version 2>/dev/null | head -1)
ts() { WIRESHARK_CONFIG_DIR="$CONF/config" HOME="$CONF/home" tshark "$@" 2>/dev/null; }
where() { case $1 in "$ROOT"/captures/*) echo "captures/$(basename "$1")" ;; *) echo "captures-public/$(basename "$1")" ;; esac; }

# golden FILE OUT ARGS...: runs tshark -n -r FILE ARGS into OUT with the comment line.
golden() {
    local file=$1 out=$2
    shift 2
    { printf '# %s | source: %s | tshark -n -r %s' "$VERSION" "$(where "$file")" "$(where "$file")"
      printf ' %q' "$@"; printf '\n'
      ts -n -r "$file" "$@"; } >"$out.tmp"
    mv "$out.tmp" "$out"
}

files=()
for f in "$ROOT"/captures/*.pcap "$ROOT"/captures/*.pcapng; do files+=("$f"); done
if [ -n "$PUB" ]; then for f in "$PUB"/*.pcap "$PUB"/*.pcapng; do files+=("$f"); done; fi
for f in "${files[@]}"; do
    golden "$f" "$OUT/$(basename "$f").ackrtt.tsv" -T fields -E occurrence=f \
        -e frame.number -e tcp.analysis.acks_frame -e tcp.analysis.ack_rtt
done

# Follow and io,stat on a few streams (the test also compares every stream live).
follow() { golden "$1" "$OUT/$(basename "$1").follow-$2-$3-$4.txt" -q -z "follow,$2,$3,$4"; }
A=$ROOT/captures/tcp-analysis.pcapng
for n in 0 1; do for m in ascii hex; do follow "$A" tcp $m $n; done; done
follow "$ROOT/captures/udp.pcapng" udp ascii 0
if [ -n "$PUB" ]; then
    follow "$PUB/simple_http.pcap" tcp ascii 0
    follow "$PUB/200722_tcp_anon.pcapng" tcp hex 1
fi
iostat() { # FILE STREAM SIDE SRC
    local f="tcp.stream==$2 && ip.src==$4"
    golden "$1" "$OUT/$(basename "$1").iostat-$2-$3.txt" -q -z \
        "io,stat,1,$f,SUM(tcp.len)tcp.len && $f"
}
iostat "$A" 0 A 10.0.3.2
iostat "$A" 0 B 10.0.3.1
iostat "$A" 1 A 10.0.3.2
iostat "$A" 1 B 10.0.3.1

# The fields tests/analysis_vs_tshark.rs checks --tcp-report against (a capture nobody on
# this project made).
if [ -n "$PUB" ]; then
    golden "$PUB/200722_tcp_anon.pcapng" "$OUT/200722_tcp_anon.pcapng.report-fields.tsv" \
        -T fields -E occurrence=f -e frame.number -e tcp.stream -e ip.src -e tcp.srcport \
        -e tcp.flags -e tcp.seq -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.window_size \
        -e tcp.analysis.acks_frame -e tcp.analysis.ack_rtt -e tcp.analysis.retransmission
fi
ls "$OUT" | wc -l

#!/usr/bin/env bash
# Builds a release wirelab for a Raspberry Pi on this x86-64 Debian machine and prints the
# binary's path, one line per target (the only thing written to stdout). Several targets are
# built side by side by one cargo invocation, sharing the cores. Installs what it needs
# the first time (Debian's rustc-web/cargo-web, the Arm standard library and cross linker: see
# scripts/cross-env.sh); rustup's toolchain, if any, stays the default for everything else.
#
# Usage: scripts/cross-build.sh [aarch64|armv7]...   (default aarch64)
#   aarch64   Raspberry Pi OS 64-bit: Pi 3, 4, 5, 400, 500, Zero 2 W
#   armv7     Raspberry Pi OS 32-bit on an ARMv7 or later Pi (Pi 2, 3, 4, Zero 2 W)
#
# Example: scp "$(scripts/cross-build.sh aarch64)" pi@raspberrypi.local:
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/cross-env.sh
. "$ROOT/scripts/cross-env.sh"

case ${1:-} in
    -h | --help)
        sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac
[ $# -gt 0 ] || set -- aarch64

# Every target's toolchain set up (each exports its own linker and C compiler), then one build.
build=("$CROSS_CARGO" build --release --locked)
for arch in "$@"; do
    cross_setup "$arch"
    build+=(--target "$CROSS_TRIPLE")
done
cd "$ROOT"
echo "cross: building for $* with $("$CROSS_RUSTC" --version)" >&2
"${build[@]}" >&2

for arch in "$@"; do
    cross_setup "$arch"
    bin=$ROOT/target/$CROSS_TRIPLE/release/wirelab
    # Check that the file really is an Arm program of the right width before anyone copies it.
    header=$(cross_check_binary "$bin")
    echo "cross: $bin: $header, for $CROSS_DESCRIPTION" >&2
    echo "$bin"
done

#!/usr/bin/env bash
# Builds wirelab's Debian package with cargo-deb (`cargo install cargo-deb --locked`) and
# prints the .deb's path (the only thing written to stdout). The man pages and the bash, zsh
# and fish completions are written first by the program itself (`wirelab man`, `wirelab
# completions`, run natively) into target/deb-assets/, which Cargo.toml's
# [package.metadata.deb] puts in the package with the binary; debian/postinst and
# debian/postrm are the maintainer scripts.
#
# Usage: scripts/package-deb.sh [--no-build] [amd64|aarch64|armv7]      (default amd64)
#   amd64      this machine (x86-64): cargo build --release
#   aarch64    arm64, Raspberry Pi OS 64-bit: built by scripts/cross-build.sh
#   armv7      armhf, Raspberry Pi OS 32-bit: built by scripts/cross-build.sh
#   --no-build package the release binary already in target/ (e.g. the one
#              scripts/cross-test.sh built and tested) instead of building it
#
# Example: sudo apt install "$(scripts/package-deb.sh)"
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
die() {
    echo "package-deb: error: $*" >&2
    exit 1
}

build=yes
arch=amd64
while [ $# -gt 0 ]; do
    case $1 in
        -h | --help)
            sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        --no-build) build=no ;;
        amd64 | x86_64 | aarch64 | arm64 | armv7 | armhf) arch=$1 ;;
        *) die "unknown argument '$1': say amd64, aarch64 or armv7 (and --no-build)" ;;
    esac
    shift
done
cargo deb --version >/dev/null 2>&1 || die "cargo-deb is missing: cargo install cargo-deb --locked"
cd "$ROOT"

# The native binary writes the man pages and completions (the same on every architecture).
if [ "$build" = yes ] || [ ! -x target/release/wirelab ]; then
    echo "package-deb: cargo build --release (native, for the man pages and completions)" >&2
    cargo build --release --locked >&2
fi
assets=$ROOT/target/deb-assets
rm -rf "$assets"
mkdir -p "$assets/man" "$assets/completions"
target/release/wirelab man "$assets/man" >&2
target/release/wirelab completions bash >"$assets/completions/wirelab"
target/release/wirelab completions zsh >"$assets/completions/_wirelab"
target/release/wirelab completions fish >"$assets/completions/wirelab.fish"
echo "package-deb: $(find "$assets/man" -name '*.1' | wc -l) man pages and 3 completion scripts in $assets" >&2

deb_args=(--no-build)
case $arch in
    amd64 | x86_64) deb_arch=amd64 ;;
    *)
        # shellcheck source=scripts/cross-env.sh
        . "$ROOT/scripts/cross-env.sh"
        if [ "$build" = yes ]; then
            scripts/cross-build.sh "$arch" >/dev/null
        fi
        cross_setup "$arch"
        cross_check_binary "target/$CROSS_TRIPLE/release/wirelab" >/dev/null
        deb_args+=(--target "$CROSS_TRIPLE")
        case $CROSS_TRIPLE in
            aarch64-*) deb_arch=arm64 ;;
            *) deb_arch=armhf ;;
        esac
        ;;
esac
# cargo-deb prints the package's path on its last line.
deb=$(cargo deb "${deb_args[@]}" | tail -1)
[ -f "$deb" ] || die "cargo deb did not say where the package is (got '$deb')"
# What the package must hold: the architecture asked for, the binary, the pages and the
# completions where Debian's tools look, the maintainer scripts.
got=$(dpkg-deb --field "$deb" Architecture)
[ "$got" = "$deb_arch" ] || die "$deb is for $got, not $deb_arch"
contents=$(dpkg-deb --contents "$deb")
for want in ./usr/bin/wirelab ./usr/share/man/man1/wirelab.1 ./usr/share/man/man1/wirelab-capture.1 \
    ./usr/share/bash-completion/completions/wirelab ./usr/share/zsh/vendor-completions/_wirelab \
    ./usr/share/fish/vendor_completions.d/wirelab.fish ./usr/share/doc/wirelab/copyright; do
    grep -q " $want\(\.gz\)\?\$" <<<"$contents" || die "$deb does not hold $want"
done
for script in postinst postrm; do
    grep -qw "$script" <<<"$(dpkg-deb --info "$deb")" || die "$deb has no $script"
done
echo "package-deb: $deb ($deb_arch, $(du -k "$deb" | cut -f1) KiB)" >&2
echo "$deb"

# Sourced (not run) by scripts/cross-build.sh and scripts/cross-test.sh: the Raspberry Pi
# targets, and `cross_setup ARCH [qemu]`, which installs once (as root, or through sudo)
# Debian's own Rust toolchain (rustc-web, cargo-web), the Arm standard library, the cross
# C toolchain and, for tests, qemu's user-mode emulator, then exports what cargo needs.
#
# Debian's toolchain is always called by its full path (/usr/bin/cargo with
# RUSTC=/usr/bin/rustc), so rustup's toolchain stays the default for everything else.
# Tested on Debian 12 (bookworm), whose security archive carries rustc-web 1.96.

# Where Debian's toolchain lives.
CROSS_CARGO=/usr/bin/cargo
CROSS_RUSTC=/usr/bin/rustc

cross_die() {
    echo "cross: error: $*" >&2
    exit 1
}

# Runs a command as root: directly when we are root, else through sudo (which may ask for
# the password once).
cross_as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        cross_die "installing needs root: run this script once as root (su -c '$0 $*'), or install sudo"
    fi
}

cross_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# cross_setup ARCH [qemu]: ARCH is aarch64 (Raspberry Pi OS 64-bit) or armv7 (32-bit);
# "qemu" also installs the emulator that runs the tests. Sets CROSS_TRIPLE, CROSS_RUNNER
# (the emulator command for this target) and CROSS_DESCRIPTION, and exports RUSTC and the
# linker and C compiler for the target.
cross_setup() {
    local arch=${1:-} want_qemu=${2:-} deb_arch gnu qemu
    case $arch in
        aarch64 | arm64)
            CROSS_TRIPLE=aarch64-unknown-linux-gnu deb_arch=arm64 gnu=aarch64-linux-gnu
            qemu=qemu-aarch64-static
            CROSS_DESCRIPTION="Raspberry Pi OS 64-bit (Pi 3, 4, 5, 400, 500, Zero 2 W)"
            ;;
        armv7 | armhf)
            CROSS_TRIPLE=armv7-unknown-linux-gnueabihf deb_arch=armhf gnu=arm-linux-gnueabihf
            qemu=qemu-arm-static
            CROSS_DESCRIPTION="Raspberry Pi OS 32-bit on a Pi 2, 3, 4 or Zero 2 W (ARMv7; not the ARMv6 Pi 1 or Zero)"
            ;;
        *)
            cross_die "unknown target '$arch': say aarch64 (Raspberry Pi OS 64-bit) or armv7 (32-bit)"
            ;;
    esac
    # The emulator loads the program's dynamic loader and libraries from Debian's own Arm
    # packages (libc6:$deb_arch, in /lib/$gnu), the same glibc build a Pi on Debian 12 runs.
    # Not `-L /usr/$gnu`: the loader there (libc6-$deb_arch-cross, a different glibc build)
    # then picks up libc6:$deb_arch's libc through ld.so.cache, and the mismatched pair
    # spins forever in pthread_mutex_lock as soon as the test harness starts (qemu 7.2).
    CROSS_RUNNER="$qemu -L /"

    local pkgs=(rustc-web cargo-web "libstd-rust-web-dev:$deb_arch" "gcc-$gnu"
        "libc6-dev-$deb_arch-cross")
    [ "$want_qemu" = qemu ] && pkgs+=(qemu-user-static "libc6:$deb_arch")
    local missing=() p
    for p in "${pkgs[@]}"; do
        cross_installed "$p" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        command -v apt-get >/dev/null 2>&1 ||
            cross_die "this script installs Debian packages with apt-get, which is not here. On another system, use rustup: 'rustup target add $CROSS_TRIPLE', install a $gnu-gcc cross compiler, then 'cargo build --release --target $CROSS_TRIPLE' with CARGO_TARGET_$(echo "$CROSS_TRIPLE" | tr a-z- A-Z_)_LINKER=$gnu-gcc"
        echo "cross: installing (once): ${missing[*]}" >&2
        if ! dpkg --print-foreign-architectures | grep -qx "$deb_arch" &&
            [ "$(dpkg --print-architecture)" != "$deb_arch" ]; then
            cross_as_root dpkg --add-architecture "$deb_arch"
        fi
        cross_as_root apt-get update -qq >&2 ||
            cross_die "apt-get update failed (is the network up? do your apt sources carry $deb_arch packages? Ubuntu keeps them on ports.ubuntu.com)"
        if ! cross_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >&2; then
            cross_die "could not install ${missing[*]}. They come from Debian 12 (bookworm) and its security archive (rustc-web, libstd-rust-web-dev); on another distribution use rustup instead (see README, \"Raspberry Pi\")"
        fi
    fi
    [ -x "$CROSS_CARGO" ] && [ -x "$CROSS_RUSTC" ] ||
        cross_die "$CROSS_CARGO or $CROSS_RUSTC is missing although cargo-web and rustc-web are installed"
    [ -d "/usr/lib/rustlib/$CROSS_TRIPLE/lib" ] ||
        cross_die "Debian's standard library for $CROSS_TRIPLE is not in /usr/lib/rustlib (is libstd-rust-web-dev:$deb_arch the same version as rustc-web?)"

    local upper
    upper=$(echo "$CROSS_TRIPLE" | tr 'a-z-' 'A-Z_')
    export RUSTC=$CROSS_RUSTC
    export RUSTDOC=/usr/bin/rustdoc
    export "CARGO_TARGET_${upper}_LINKER=$gnu-gcc"
    # C code built by build scripts (blake3's SIMD code) needs the same cross compiler.
    export "CC_${CROSS_TRIPLE//-/_}=$gnu-gcc" "AR_${CROSS_TRIPLE//-/_}=$gnu-ar"
    CROSS_RUNNER_VAR="CARGO_TARGET_${upper}_RUNNER"
}

# cross_check_binary BIN: fails unless BIN is an ELF program for CROSS_TRIPLE (class and
# machine, as readelf reads them); prints "ELF64, AArch64"-style text on success.
cross_check_binary() {
    local bin=$1 want header
    [ -x "$bin" ] || cross_die "$bin is not there"
    case $CROSS_TRIPLE in
        aarch64-*) want="ELF64, AArch64" ;;
        armv7-*) want="ELF32, ARM" ;;
    esac
    header=$(LC_ALL=C readelf -h "$bin" |
        awk -F: '/Class|Machine/ {gsub(/^ +| +$/, "", $2); f[n++] = $2} END {print f[0] ", " f[1]}')
    [ "$header" = "$want" ] || cross_die "$bin is not what was asked for: $header, not $want"
    echo "$header"
}

# shellcheck shell=bash
# The walkthroughs' shared steps, sourced by each scripts/labs/*.sh: find wirelab, bring the
# virtual lab up, run programs "on" computers A, B and C (showing each one's screen, prefixed
# with its name), capture with `wirelab capture`, and always take the lab down at the end.
#
# Environment: WIRELAB (the wirelab binary; default: this checkout's target/release/wirelab,
# else the one on PATH), WIRELAB_LAB (the lab's name; default `walk`, so a lab of your own
# named `lab` is left alone). First argument: where the captures go (default
# captures/labs/<lab>). Every wait is bounded; nothing is left running afterwards.

set -euo pipefail

LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export WIRELAB_LAB=${WIRELAB_LAB:-walk}

if [ "$(id -u)" -ne 0 ]; then
    echo "$(basename "$0"): the virtual lab needs root (it makes network namespaces)." >&2
    echo "Run it with sudo: sudo $0 $*" >&2
    exit 1
fi

if [ -n "${WIRELAB:-}" ]; then
    W=$WIRELAB
elif [ -x "$LAB_HERE/../../target/release/wirelab" ]; then
    W=$(cd "$LAB_HERE/../../target/release" && pwd)/wirelab
elif command -v wirelab >/dev/null 2>&1; then
    W=$(command -v wirelab)
else
    echo "$(basename "$0"): cannot find wirelab. Build it first (cargo build --release)" >&2
    echo "or say where it is: sudo WIRELAB=/path/to/wirelab $0" >&2
    exit 1
fi

# lab_init ID: the output directory (the script's first argument, else captures/labs/ID).
lab_init() {
    OUT=${LAB_OUT_ARG:-captures/labs/$1}
    mkdir -p "$OUT"
    OUT=$(cd "$OUT" && pwd)
    echo "wirelab walkthrough $1: captures and screens go to $OUT (lab \`$WIRELAB_LAB\`)"
}
LAB_OUT_ARG=${1:-}

if [ -t 1 ]; then BOLD=$'\033[1m' DIM=$'\033[2m' PLAIN=$'\033[0m'; else BOLD='' DIM='' PLAIN=''; fi

# step TEXT: a heading for one of the lab's steps.
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
# note TEXT: an explanation.
note() { printf '%s   %s%s\n' "$DIM" "$*" "$PLAIN"; }
# shown WHO CMD…: print a command as it would be typed on that computer.
shown() {
    local who=$1
    shift
    printf '  [%s] $ %s\n' "$who" "$*"
}

declare -A JOB=() PIDF=() FD=() LABEL=()

# Close, in a child, the write ends of every program's input, so each sees end of input when
# the script closes its own copy.
close_inputs() {
    local fd
    for fd in "${FD[@]}"; do
        eval "exec $fd>&-"
    done
}

# on WHO CMD…: run CMD on computer WHO in the foreground (at most LAB_TIMEOUT s, default 60);
# its output is shown prefixed with WHO; the exit status is CMD's.
on() {
    local who=$1
    shift
    shown "$who" "$@"
    local st
    set +e
    timeout "${LAB_TIMEOUT:-60}" "$W" lab exec -q "$who" -- "$@" </dev/null 2>&1 |
        sed -u "s/^/  [$who] /"
    st=("${PIPESTATUS[@]}")
    set -e
    return "${st[0]}"
}

# start NAME LABEL WHO CMD…: run CMD on WHO in the background; its screen is shown prefixed
# with LABEL and saved to $OUT/NAME.log. With TYPING=1, its input is a pipe fed by `type`.
# With CTRL_C=1, CMD can be stopped by `interrupt` (SIGINT, as Ctrl+C sends): a script's
# background command starts with SIGINT ignored, so `env --default-signal=INT` resets it.
start() {
    local name=$1 label=$2 who=$3
    shift 3
    local log=$OUT/$name.log input=/dev/null
    PIDF[$name]=$OUT/.$name.pid
    LABEL[$name]=$label
    rm -f "${PIDF[$name]}"
    : >"$log"
    if [ "${TYPING:-0}" = 1 ]; then
        input=$OUT/.$name.in
        rm -f "$input"
        mkfifo "$input"
    fi
    shown "$who" "$@"
    (
        close_inputs
        local run=("$W")
        [ "${CTRL_C:-0}" = 1 ] && run=(env --default-signal=INT "$W")
        "${run[@]}" lab exec -q "$who" -- "$@" <"$input" > >(tee -a "$log" | sed -u "s/^/  [$label] /") 2>&1 &
        echo $! >"${PIDF[$name]}"
        wait $!
    ) &
    JOB[$name]=$!
    if [ "${TYPING:-0}" = 1 ]; then
        local fd
        exec {fd}>"$input"
        FD[$name]=$fd
    fi
    local i
    for i in $(seq 100); do
        [ -s "${PIDF[$name]}" ] && return 0
        sleep 0.05
    done
    echo "could not start $label" >&2
    return 1
}

# type NAME LINE: type a line into NAME's terminal.
type_line() {
    printf '  [%s] > %s\n' "${LABEL[$1]}" "$2"
    printf '%s\n' "$2" >&"${FD[$1]}"
}

# hang_up NAME: end NAME's input (Ctrl-D) and wait for it to finish (at most 20 s).
hang_up() {
    printf '  [%s] (Ctrl-D: end of input)\n' "${LABEL[$1]}"
    eval "exec ${FD[$1]}>&-"
    unset "FD[$1]"
    finish "$1" 20
}

# wait_for NAME TEXT [SECS]: wait until NAME's screen shows TEXT (default at most 15 s).
wait_for() {
    local i n=$((${3:-15} * 20))
    for i in $(seq "$n"); do
        grep -qF -- "$2" "$OUT/$1.log" && return 0
        kill -0 "${JOB[$1]}" 2>/dev/null || break
        sleep 0.05
    done
    grep -qF -- "$2" "$OUT/$1.log" && return 0
    echo "${LABEL[$1]} did not show \"$2\" in time; its screen:" >&2
    sed 's/^/    /' "$OUT/$1.log" >&2
    return 1
}

# finish NAME SECS: wait for NAME to end by itself (killing it after SECS); its exit status.
finish() {
    local i job=${JOB[$1]}
    for i in $(seq $(($2 * 20))); do
        kill -0 "$job" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$job" 2>/dev/null; then
        echo "${LABEL[$1]} did not end within $2 s: stopping it" >&2
        kill -KILL "$(cat "${PIDF[$1]}")" 2>/dev/null || true
    fi
    local rc=0
    wait "$job" || rc=$?
    unset "JOB[$1]"
    return "$rc"
}

# stop NAME: stop NAME as Ctrl-C would (SIGTERM: a background program ignores SIGINT), then
# wait for it (at most 10 s).
stop() {
    printf '  [%s] (Ctrl-C)\n' "${LABEL[$1]}"
    kill -TERM "$(cat "${PIDF[$1]}")" 2>/dev/null || true
    finish "$1" 10 || true
}

# interrupt NAME: press Ctrl+C in NAME's terminal (SIGINT; NAME was started with CTRL_C=1)
# and wait for it to end (at most 10 s); fails unless SIGINT ended it (exit status 130).
interrupt() {
    printf '  [%s] (Ctrl+C)\n' "${LABEL[$1]}"
    kill -INT "$(cat "${PIDF[$1]}")"
    local rc=0
    finish "$1" 10 || rc=$?
    if [ -n "${FD[$1]:-}" ]; then
        eval "exec ${FD[$1]}>&-"
        unset "FD[$1]"
    fi
    if [ "$rc" -ne 130 ]; then
        echo "${LABEL[$1]} did not end on Ctrl+C (exit status $rc)" >&2
        return 1
    fi
}

# capture NAME WHO: start `wirelab capture` on WHO's eth0 into $OUT/NAME.pcapng, and wait
# until it captures.
capture() {
    start "$1" "$2 capture" "$2" wirelab capture -i eth0 -w "$OUT/$1.pcapng" --force -q
    wait_for "$1" "capturing on"
}

# lab_up ARGS…: `wirelab lab up ARGS…`, shown in full.
lab_up() {
    printf '  [host] $ wirelab lab up %s\n' "$*"
    "$W" lab up "$@" | sed -u 's/^/  /'
}

# answer LAB FILES…: `wirelab lab answer`, also saved to $OUT/answers.txt.
answer() {
    printf '  [host] $ wirelab lab answer %s\n\n' "$*"
    "$W" lab answer "$@" | tee "$OUT/answers.txt"
}

lab_cleanup() {
    local rc=$? name fd
    trap - EXIT INT TERM PIPE
    for fd in "${FD[@]}"; do eval "exec $fd>&-"; done
    for name in "${!JOB[@]}"; do
        kill -TERM "$(cat "${PIDF[$name]}" 2>/dev/null)" 2>/dev/null || true
    done
    echo
    echo "  [host] \$ wirelab lab down"
    "$W" lab down 2>&1 | tail -n 1 | sed 's/^/  /' || true
    for name in "${!JOB[@]}"; do wait "${JOB[$name]}" 2>/dev/null || true; done
    if [ -n "${OUT:-}" ]; then
        rm -f "$OUT"/.*.pid "$OUT"/.*.in
        # Run with sudo: give the files to the user who ran it.
        if [ -n "${SUDO_UID:-}" ] && [ -n "${SUDO_GID:-}" ]; then
            chown -R "$SUDO_UID:$SUDO_GID" "$OUT" 2>/dev/null || true
        fi
    fi
    if [ "$rc" -ne 0 ]; then
        echo "$(basename "$0") stopped with an error (exit $rc); the lab is down." >&2
    fi
    exit "$rc"
}
trap lab_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

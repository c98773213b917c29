# shellcheck shell=bash
# Shared by bench/run and bench/metrics/*: logging, timing, statistics, the
# results file and the cleanup stack. Sourced; expects bash 5 (EPOCHREALTIME).

export LC_ALL=C

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    printf 'bench: %s\n' "$*" >&2
    exit 1
}

# Microseconds since the epoch, without forking (so both sides of a
# comparison pay the same, negligible, cost of taking the time).
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }

# time_us VAR COMMAND...: runs COMMAND with its output in $LAST_OUT (kept for
# the report when it fails), stores its wall time in microseconds in VAR;
# returns COMMAND's status.
LAST_OUT=/dev/null
time_us() {
    local __var=$1 __t0 __t1 __rc
    shift
    now_us __t0
    "$@" >"$LAST_OUT" 2>&1
    __rc=$?
    now_us __t1
    printf -v "$__var" '%s' "$((__t1 - __t0))"
    return $__rc
}

# retry_until LIMIT_S COMMAND...: runs COMMAND back to back until it succeeds
# (no sleep: the first success is the figure) or LIMIT_S seconds passed.
retry_until() {
    local limit_us=$(($1 * 1000000)) t0 t
    shift
    now_us t0
    until "$@" >/dev/null 2>&1; do
        now_us t
        [ $((t - t0)) -lt "$limit_us" ] || return 1
    done
}

# Per-sample files: $SAMPLES/<key> holds one number a line.
sample() { echo "$2" >>"$SAMPLES/$1"; }

# stats KEY: "median min max n" of a sample file (empty output when none).
stats() {
    [ -n "$1" ] && [ -f "$SAMPLES/$1" ] && [ -s "$SAMPLES/$1" ] || return 0
    sort -g "$SAMPLES/$1" | awk '
        { v[NR] = $1 }
        END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.6g %.6g %.6g %d\n", m, v[1], v[NR], NR
        }'
}

# bench_install COMMAND PACKAGE: a benchmark-only tool (LXC, perf) is
# installed from Debian when its command is missing, rather than by
# scripts/install-deps.sh; without recommends.
bench_install() {
    command -v "$1" >/dev/null && return 0
    log "installing $2 from Debian (apt-get install $2)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
}

# Fields of $RESULTS are separated by the ASCII unit separator: a tab would
# let `read` merge empty fields.
ROW_SEP=$'\x1f'

# One row of the table, appended to $RESULTS:
#   metric  unit  vzkit-stats  peer  peer-stats  goal  note
# A stats field is "median min max n" or "-" when the figure could not be
# taken; the note then says why.
row() {
    local metric=$1 unit=$2 vz_key=$3 peer=$4 peer_key=$5 goal=$6 note=${7:-}
    local vz peer_stats
    vz=$(stats "$vz_key")
    peer_stats=$(stats "$peer_key")
    emit_row "$metric" "$unit" "${vz:--}" "$peer" "${peer_stats:--}" "$goal" "$note"
}

# A row whose figures are single values taken elsewhere (density, host
# processes): VZ and PEER are numbers or "-".
row_values() {
    local metric=$1 unit=$2 vz=$3 peer=$4 peer_value=$5 goal=$6 note=${7:-}
    local vz_stats=- peer_stats=-
    [ "$vz" = - ] || vz_stats="$vz $vz $vz 1"
    [ "$peer_value" = - ] || peer_stats="$peer_value $peer_value $peer_value 1"
    emit_row "$metric" "$unit" "$vz_stats" "$peer" "$peer_stats" "$goal" "$note"
}

# A row that could not be measured at all.
row_missing() { emit_row "$1" "$2" - "$3" - "$4" "$5"; }

emit_row() {
    local IFS=$ROW_SEP
    echo "$*" >>"$RESULTS"
}

# Details that do not fit the table (per-N breakdowns, process lists).
detail() { printf '%s\n' "$*" >>"$DETAILS"; }

# Cleanup stack: run in reverse order at exit, whatever the exit path.
CLEANUPS=()
on_exit() { CLEANUPS+=("$*"); }
run_cleanups() {
    local i
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${CLEANUPS[i]}" || true
    done
    CLEANUPS=()
}

# Unmounts everything mounted below DIR, deepest first.
umount_below() {
    awk -v r="$1" 'index($2, r "/") == 1 || $2 == r { print $2 }' /proc/mounts |
        sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}

# The root ext4 has no journal: inodes freed less than 60 s ago are not reused,
# and creating files right after a mass delete is 5-20x slower. A run records
# when its cleanup deleted trees; the next one waits out the rest of the minute
# so neither its vzkit nor its LXC side starts on a crippled file system.
INODE_COOLDOWN_S=62
cooldown_after_delete() {
    local stamp=$1 last now wait_s
    [ -f "$stamp" ] || return 0
    last=$(stat -c %Y "$stamp")
    now=$(date +%s)
    wait_s=$((last + INODE_COOLDOWN_S - now))
    if [ "$wait_s" -gt 0 ]; then
        log "waiting ${wait_s}s: files were deleted less than a minute ago (ext4 inode reuse)"
        sleep "$wait_s"
    fi
}

# sample_ms KEY MICROSECONDS: records a time in milliseconds.
sample_ms() { sample "$1" "$(($2 / 1000)).$(printf %03d $(($2 % 1000)))"; }

# The two sides in the order of round $1: vzkit first in even rounds, LXC
# first in odd ones, so neither always runs on caches the other warmed.
sides_in_round() { if (($1 % 2)); then echo "lxc vz"; else echo "vz lxc"; fi; }

side_label() { if [ "$1" = vz ]; then echo vzkit; else echo LXC; fi; }

# Failures of a side are counted, not fatal: the row says how many runs failed.
fail_run() {
    sample "fail.$1" 1
    detail "failed: $1 ($2): $(tr '\n' ' ' <"$LAST_OUT" | head -c 300)"
}
# fail_count KEY LABEL: "LABEL: N runs failed. " when runs of KEY failed.
fail_count() {
    [ -s "$SAMPLES/fail.$1" ] || return 0
    printf '%s: %d runs failed (see details). ' "$2" "$(wc -l <"$SAMPLES/fail.$1")"
}
# fail_note KEY: the failures of KEY.vz and KEY.lxc.
fail_note() { fail_count "$1.vz" vzkit && fail_count "$1.lxc" LXC; }

#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh, Debian's 6.1 kernel, cgroup v2): what a
# container's reader pays for its machine's figures (issue 12, acceptance 6).
# For each view — /proc/meminfo, /proc/stat, /proc/uptime, /proc/loadavg,
# /proc/cpuinfo, /sys/devices/system/cpu/online (open+read+close), sysinfo(2)
# and sched_getaffinity(2) — one read's cost:
#   host    a host process, no module: the kernel's own file
#   module  a process in a CT (--ram 256M --swap 128M --cpus 1), module loaded
#   lxcfs   the same CT without the module, lxcfs's files bound over its own
#   hostmod a host process with the module loaded (what the redirect costs the host)
# then N = 1, 2, 100, 1000 containers (registered pid namespaces,
# bench/loops/viewscale.cpp) reading /proc/meminfo at once, each N beside the
# same N readers that no container owns (the kernel's own file), back to back.
# Prints "SAMPLE KEY VALUE" (ns per read) and "NOTE TEXT" lines, and a table.
# Settings: BENCH_MODULE (default $VZKIT_BUILD/kmod/vzkit.ko), BENCH_ITERS
# (reads per timed loop, 500), BENCH_REPS (loops per figure, the fastest
# counts, 5), BENCH_SCALE ("1 10 100 1000"), BENCH_SCALE_SECONDS (5).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${VZKIT_BUILD:?}" "${VZKIT_SRC:?}"
BENCH_MODULE=${BENCH_MODULE:-$VZKIT_BUILD/kmod/vzkit.ko}
BENCH_ITERS=${BENCH_ITERS:-500}
BENCH_REPS=${BENCH_REPS:-5}
BENCH_SCALE=${BENCH_SCALE:-1 2 100 1000}
BENCH_SCALE_SECONDS=${BENCH_SCALE_SECONDS:-5}
BUILD=$VZKIT_BUILD
SRC=$VZKIT_SRC
BENCH_DIR=/tmp/vzbench-views
DELETE_STAMP=$BENCH_DIR/deleted
mkdir -p "$BENCH_DIR"
# shellcheck source=../lib/common.sh
. "$HERE/../lib/common.sh"
# shellcheck source=../lib/vzkit.sh
. "$HERE/../lib/vzkit.sh"

CT=7600
VIEWS="meminfo stat uptime loadavg cpuinfo online sysinfo affinity"
LOOPS=$BUILD/bin/vzbench-loops
LXCFS_DIR=/var/lib/lxcfs
note() { echo "NOTE $*"; }
emit() { echo "SAMPLE $1 $2"; }

# The fastest of BENCH_REPS loops of one view: ns per read.
best() { # VIEW CMD...
    local view=$1 i
    shift
    for ((i = 0; i < BENCH_REPS; i++)); do
        "$@" "$view" "$BENCH_ITERS" 2>/dev/null | awk '{ print $3 }'
    done | sort -g | head -n 1
}

measure() { # SIDE CMD...
    local side=$1 view v
    shift
    for view in $VIEWS; do
        v=$(best "$view" "$@")
        [ -n "$v" ] && emit "views.$view.$side" "$v"
    done
}

in_ct() { "$VZCTL" --quiet exec2 $CT "$@"; }
lxcfs_mounted() { awk -v d="$LXCFS_DIR" '$2 == d && $3 == "fuse.lxcfs" { f = 1 } END { exit !f }' /proc/mounts; }

lxcfs_side() {
    command -v lxcfs >/dev/null || { note "lxcfs is not installed: no lxcfs column"; return; }
    # The VM's kernel cannot autoload modules (tests/vm/module/lib.sh).
    modprobe -q fuse 2>/dev/null
    mkdir -p "$LXCFS_DIR"
    lxcfs -f -l --enable-cfs -p "$BENCH_DIR/lxcfs.pid" "$LXCFS_DIR" >"$BENCH_DIR/lxcfs.log" 2>&1 &
    local pid=$!
    if retry_until 10 lxcfs_mounted; then
        if vz_start_ready $CT && vz_wait_booted $CT; then
            measure lxcfs in_ct /usr/bin/vzbench-loops
            note "lxcfs $(lxcfs --version 2>&1 | head -n 1): CT MemTotal $(in_ct cat /proc/meminfo | awk '$1 == "MemTotal:" { print $2 }') kB"
            vz_stop $CT --fast
        else
            note "the CT did not start with lxcfs"
        fi
    else
        note "lxcfs did not mount: $(tail -n 2 "$BENCH_DIR/lxcfs.log" | tr '\n' ' ')"
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if lxcfs_mounted; then umount -l "$LXCFS_DIR"; fi
}

scale() {
    local cg=/sys/fs/cgroup/vzbench-views n out
    mkdir -p "$cg"
    echo 268435456 >"$cg/memory.max"
    for n in $BENCH_SCALE; do
        for side in host ct; do
            local first=20000 kb=262144
            [ $side = host ] && first=0 kb=0
            if out=$("$BUILD/bin/vzbench-viewscale" "$n" "$BENCH_SCALE_SECONDS" "$cg" $first $kb 2>&1); then
                emit "views.scale.$n.$side" "$(echo "$out" | awk '{ print $6 }')"
                note "scale $n $side: $out (N WALL_SECONDS READS ERRORS BUSY_CPUS NS_PER_READ)"
            else
                note "scale $n $side failed: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
            fi
        done
    done
    rmdir "$cg"
}

main() {
    modprobe -q veth 2>/dev/null || true
    vz_setup
    ln -s "$BUILD/templates/cache/busybox-minimal.tar.gz" "$VZ_ROOT/vz/template/cache/"
    vz_create $CT busybox-minimal || { note "cannot create the CT"; exit 1; }
    "$VZCTL" --quiet set $CT --ram 256M --swap 128M --cpus 1 --save
    cp "$LOOPS" "$(vz_private $CT)/usr/bin/"
    note "kernel $(uname -r), $(nproc) CPUs, cgroup $(stat -fc %T /sys/fs/cgroup); $BENCH_ITERS reads per loop, best of $BENCH_REPS"
    measure host "$LOOPS"
    lxcfs_side
    insmod "$BENCH_MODULE" || { note "insmod failed"; exit 1; }
    if ! { vz_start_ready $CT && vz_wait_booted $CT; }; then
        note "the CT did not start with the module"
        exit 1
    fi
    # The CT's views and the host's own files back to back, view by view.
    for view in $VIEWS; do
        VIEWS=$view measure module in_ct /usr/bin/vzbench-loops
        VIEWS=$view measure hostmod "$LOOPS"
    done
    vz_stop $CT --fast
    scale
    rmmod vzkit || note "rmmod failed"
    if dmesg | grep -qE 'BUG:|Oops|WARNING:|Call Trace'; then note "kernel log: $(dmesg | grep -E 'BUG:|WARNING:' | head -n 2)"; fi
    vz_teardown
}

main

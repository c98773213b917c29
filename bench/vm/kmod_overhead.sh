#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh, Debian's 6.1 kernel, cgroup v2): what the
# vzkit module costs. Started through the wrapper bench/metrics/kmod.sh
# writes, which sets:
#   BENCH_MODULE       the .ko to load
#   BENCH_ROUNDS       rounds of loops, each once without and once with the module
#   BENCH_ITERS        "KIND=ITERATIONS ..." for bench/loops (vzbench-loops)
#   BENCH_REPS         runs of each loop per round; the fastest is the figure
#   BENCH_UBC_COUNTS   registered-CT counts for the /proc/user_beancounters reads
#   BENCH_UBC_READS    reads timed at each count
#   BENCH_VARIANTS     optional, "NAME=KO[,PARAM=VALUE...] ...": more module
#                      states whose loops run beside off and on (profiling:
#                      another build, or kmod's cost_stage parameter)
#   BENCH_PROF_ITERS   optional, "KIND=ITERATIONS ...": loops profiled once
#                      without and once with the module (prof_loops)
# Prints "SAMPLE KEY VALUE" and "NOTE TEXT" lines that the host side parses.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${VZKIT_BUILD:?}" "${VZKIT_SRC:?}" "${BENCH_MODULE:?}" "${BENCH_REPS:=3}"
BUILD=$VZKIT_BUILD
SRC=$VZKIT_SRC
BENCH_DIR=/tmp/vzbench-vm
DELETE_STAMP=$BENCH_DIR/deleted
mkdir -p "$BENCH_DIR"
# shellcheck source=../lib/common.sh
. "$HERE/../lib/common.sh"
# shellcheck source=../lib/vzkit.sh
. "$HERE/../lib/vzkit.sh"

LOOP_CT=7500
MASS_FIRST=7501
# The module's own name (what rmmod and /sys/module know), not its file's:
# a copy such as base-vzkit.ko still loads as vzkit.
MODNAME=$(modinfo -F name "$BENCH_MODULE" 2>/dev/null)
[ -n "$MODNAME" ] || MODNAME=$(basename "$BENCH_MODULE" .ko)
MODNAME=${MODNAME//-/_}

note() { echo "NOTE $*"; }
emit() { echo "SAMPLE $1 $2"; }

module_loaded() { [ -d "/sys/module/$MODNAME" ]; }
module_on() { module_loaded || insmod "$BENCH_MODULE"; }
module_off() { ! module_loaded || rmmod "$MODNAME"; }

STATES="off on"
for v in ${BENCH_VARIANTS:-}; do STATES="$STATES ${v%%=*}"; done

# module_state STATE: off, on (BENCH_MODULE) or a variant, loaded afresh.
module_state() {
    local v
    module_off || return 1
    case $1 in
    off) return 0 ;;
    on) module_on ;;
    *)
        for v in ${BENCH_VARIANTS:-}; do
            # shellcheck disable=SC2046 # the .ko and its parameters, one a word
            [ "${v%%=*}" = "$1" ] && { insmod $(echo "${v#*=}" | tr ',' ' '); return; }
        done
        return 1
        ;;
    esac
}

# The CT shows up in /proc/user_beancounters once vzctl start registered it.
registered() { grep -qE "^[[:space:]]*$1:" /proc/user_beancounters 2>/dev/null; }

# One round of loops in the loop CT, in the module state given.
loops_round() {
    local state=$1 kv kind iters out i err
    module_state "$state" || return 1
    if ! err=$(vz_start_ready $LOOP_CT 2>&1 && vz_wait_booted $LOOP_CT 2>&1); then
        note "the loop CT did not start with the module $state: $(echo "$err" | tail -n 3 | tr '\n' ' ')"
        return 1
    fi
    if [ "$state" != off ] && ! registered $LOOP_CT; then
        note "module loaded but vzctl start did not register CT $LOOP_CT (no row in /proc/user_beancounters)"
    fi
    for kv in $BENCH_ITERS; do
        kind=${kv%=*} iters=${kv#*=}
        # The least disturbed of a few runs: TCG shares the host's two CPUs
        # with whatever else runs there.
        out=$(for ((i = 0; i < BENCH_REPS; i++)); do
            "$VZCTL" --quiet exec2 $LOOP_CT /usr/bin/vzbench-loops "$kind" "$iters" || exit 1
        done) && emit "loop.$kind.$state" "$(echo "$out" | awk '{ print $3 }' | sort -g | head -n1)"
    done
    vz_stop $LOOP_CT --fast
}

# The mass CTs exist to be registered, so they share one private area whose
# init runs nothing (one sleeping process per CT): 1000 of them then start in
# minutes under TCG and fit in the VM's memory.
MASS_PRIVATE=$BENCH_DIR/mass-private
mass_base() {
    mkdir -p "$MASS_PRIVATE"
    tar -xpf "$BUILD/templates/cache/busybox-minimal.tar.gz" -C "$MASS_PRIVATE" --numeric-owner &&
        echo '::sysinit:/bin/true' >"$MASS_PRIVATE/etc/inittab"
}

mass_define() {
    echo "$1" >>"$VZ_CTIDS_FILE"
    sed -e "s|^VE_PRIVATE=.*|VE_PRIVATE=\"$MASS_PRIVATE\"|" \
        "$VZ_CONFDIR/conf/$LOOP_CT.conf" >"$VZ_CONFDIR/conf/$1.conf"
}

mass_start() {
    local err
    err=$("$VZCTL" --quiet start "$1" 2>&1) || echo "CT $1: $(echo "$err" | tail -n 1)"
}

# Milliseconds with three decimals, from microseconds.
ms() { echo "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }

# A file read by the shell itself: no fork and exec of cat in the figure.
slurp() {
    local text
    IFS= read -r -d '' text <"$1"
    [ -n "$text" ]
}

# The whole file (cat, as it always was measured), and one CT's own file
# (the first mass CT's): the first grows with the CTs registered, the second
# must not.
ubc_reads() {
    local n=$1 i t
    for ((i = 0; i < BENCH_UBC_READS; i++)); do
        time_us t cat /proc/user_beancounters
        emit "ubc.$n" "$(ms "$t")"
        time_us t slurp /proc/bc/$MASS_FIRST/resources
        emit "bcone.$n" "$(ms "$t")"
    done
    emit "ubc.$n.bytes" "$(wc -c </proc/user_beancounters)"
}

ubc_scaling() {
    local started=0 n ct failed
    [ -n "$BENCH_UBC_COUNTS" ] || return 0
    module_state on && mass_base || return 1
    for n in $BENCH_UBC_COUNTS; do
        for ((ct = MASS_FIRST + started; ct < MASS_FIRST + n; ct++)); do mass_define $ct; done
        # Two at a time: the VM has two CPUs.
        failed=$(seq $((MASS_FIRST + started)) $((MASS_FIRST + n - 1)) |
            xargs -P 2 -I{} bash -c "$(declare -f mass_start); VZCTL=$VZCTL mass_start {}")
        started=$n
        if [ -n "$failed" ]; then
            note "$(echo "$failed" | wc -l) CTs did not start on the way to $n (first: ${failed%%$'\n'*})"
            return 1
        fi
        emit "ubc.$n.registered" "$(grep -cE '^[[:space:]]*[1-9][0-9]*:' /proc/user_beancounters)"
        ubc_reads "$n"
    done
}

# Sums a profile's "PERCENT SAMPLES DSO [k] SYMBOL" lines of the loop's own
# task into SAMPLE lines: the module's own code (its functions, which perf
# names through kallsyms while the module is loaded; the ftrace trampolines'
# pages, which it leaves unresolved in module space; kprobes and return
# probes), the functions it hooks (listed in file $2) and the rest.
prof_split() {
    perf report -i "$1" --comms vzbench-loops -n --no-children --sort dso,sym --stdio 2>/dev/null |
        awk -v hooked="$2" -v key="$3" '
            BEGIN { while ((getline f <hooked) > 0) h[f] = 1 }
            /^#/ || NF < 5 { next }
            { n = $2; sym = $NF }
            $3 == "[vzkit]" || sym ~ /^vzkit_|ftrace_trampoline|ftrace_(regs_)?caller|kprobe|rethook|^0xffffffffc/ {
                mod += n
                next
            }
            sym in h { hook += n; next }
            { rest += n }
            END { printf "SAMPLE %s.module %d\nSAMPLE %s.hooked %d\nSAMPLE %s.rest %d\n",
                  key, mod, key, hook, key, rest }'
}

# The module's cost from one cpu-clock profile of each loop per state, which
# TCG's speed does not disturb: it drifts by up to 2x between stretches of a
# run (the whole profile scales alike), more than the module costs. The rest
# of the two profiles gives the speed ratio, and the estimate is the loaded
# profile's total at the unloaded profile's speed over the unloaded total
# (bench/metrics/kmod.sh). What the module makes the rest of the kernel do is
# scaled away with the speed: docs/benchmarks.md says so where it quotes the
# figure. Each profile is read while its state is loaded.
prof_loops() {
    local state kv kind iters data hooked=$BENCH_DIR/hooked tracing=/sys/kernel/tracing
    [ -n "${BENCH_PROF_ITERS:-}" ] || return 0
    command -v perf >/dev/null || {
        note "no perf in the VM (linux-perf): no profile estimate"
        return 0
    }
    [ -e $tracing/enabled_functions ] || mount -t tracefs nodev $tracing || return 1
    # on first: the functions it hooks are read while it is loaded.
    for state in on off; do
        if ! { module_state $state && vz_start_ready $LOOP_CT && vz_wait_booted $LOOP_CT; }; then
            note "the loop CT did not start for the profile, module $state"
            return 1
        fi
        [ $state = off ] || awk '{ print $1 }' $tracing/enabled_functions >"$hooked"
        for kv in $BENCH_PROF_ITERS; do
            kind=${kv%=*} iters=${kv#*=} data=$BENCH_DIR/prof.$kind.$state
            if perf record -q -e cpu-clock -F 10000 -o "$data" -- \
                "$VZCTL" --quiet exec2 $LOOP_CT /usr/bin/vzbench-loops "$kind" "$iters" >/dev/null 2>&1; then
                prof_split "$data" "$hooked" "prof.$kind.$state"
            else
                note "perf record of $kind, module $state, failed"
            fi
        done
        vz_stop $LOOP_CT --fast
    done
}

main() {
    # The VM's kernel cannot autoload modules (its usermode helper runs in the
    # initramfs); load what a vzctl start may ask for, as a host would.
    modprobe -q veth 2>/dev/null || true
    vz_setup
    ln -s "$BUILD/templates/cache/busybox-minimal.tar.gz" "$VZ_ROOT/vz/template/cache/"
    vz_create $LOOP_CT busybox-minimal || {
        note "cannot create the loop CT"
        exit 1
    }
    cp "$BUILD/bin/vzbench-loops" "$(vz_private $LOOP_CT)/usr/bin/"
    note "kernel $(uname -r), $(nproc) CPUs, cgroup $(stat -fc %T /sys/fs/cgroup)"
    local r i states
    read -ra states <<<"$STATES"
    for ((r = 0; r < BENCH_ROUNDS; r++)); do
        # Rotating which state goes first cancels drift over the run.
        for ((i = 0; i < ${#states[@]}; i++)); do
            loops_round "${states[(r + i) % ${#states[@]}]}" || break 2
        done
    done
    prof_loops || note "the profile estimate stopped early"
    ubc_scaling
    module_loaded && note "module $MODNAME loaded at the end: $(head -n1 /proc/user_beancounters)"
}

main

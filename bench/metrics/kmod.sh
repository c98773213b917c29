# shellcheck shell=bash
# module overhead, in the VM (tests/vm/run.sh: Debian's 6.1 kernel, QEMU/TCG;
# this host's kernel cannot load modules): system-call loops in a CT with the
# vzkit module loaded against the same kernel without it, and the time to read
# /proc/user_beancounters with 10, 100 and 1000 registered CTs. The work in
# the VM is bench/vm/kmod_overhead.sh.

KMOD_LOOPS="fork open tcpsock unixsock"

kmod_loop_label() {
    case $1 in
    fork) echo "fork+exit+wait" ;;
    open) echo "open+close" ;;
    tcpsock) echo "TCP socket+close" ;;
    unixsock) echo "unix socket+close" ;;
    esac
}

# The kernel the VM boots: the newest installed linux-image-*-amd64, as in
# tests/vm/run.sh.
vm_kernel() {
    dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'linux-image-*-amd64' 2>/dev/null |
        awk '$1 == "ii" { sub(/^linux-image-/, "", $2); print $2 }' | sort -V | tail -n 1
}

# Builds the module with `make kmod` and finds it; sets KMOD_KO or, when
# there is none, KMOD_WHY.
kmod_find() {
    local kver ko magic
    KMOD_KO="" KMOD_WHY=""
    kver=$(vm_kernel)
    [ -n "$kver" ] || { KMOD_WHY="no linux-image-*-amd64 installed for the VM"; return 1; }
    if ! make -C "$SRC" -n kmod BUILD="$BUILD" >/dev/null 2>&1; then
        KMOD_WHY="module not built: the top-level Makefile has no kmod target yet"
        return 1
    fi
    log "building the module (make kmod)"
    if ! make -C "$SRC" kmod BUILD="$BUILD" >"$OUT/kmod-build.log" 2>&1; then
        KMOD_WHY="module not built: make kmod failed (log: $OUT/kmod-build.log)"
        return 1
    fi
    for ko in "$BUILD"/kmod/*.ko "$SRC"/kmod/*.ko; do
        [ -f "$ko" ] || continue
        magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
        if [ "$magic" = "$kver" ]; then
            KMOD_KO=$ko
            return 0
        fi
        KMOD_WHY="module not usable: $ko is built for $magic, the VM boots $kver"
    done
    [ -n "$KMOD_WHY" ] || KMOD_WHY="module not built: make kmod made no .ko"
    return 1
}

# The VM runs a script without arguments: the parameters go in a wrapper.
# KMOD_VARIANTS (environment, "NAME=KO[,PARAM=VALUE...] ..."): more module
# states in the rotation, e.g. the previous build for a before/after in one
# run; their samples (SAMPLE loop.KIND.NAME) are in kmod-vm.out, without rows.
kmod_wrapper() {
    cat >"$BENCH_DIR/kmod-vm.sh" <<EOF
export BENCH_MODULE=$(printf %q "$KMOD_KO")
export BENCH_ROUNDS=$KMOD_ROUNDS
export BENCH_ITERS=$(printf %q "$KMOD_ITERS")
export BENCH_REPS=$KMOD_REPS
export BENCH_UBC_COUNTS=$(printf %q "$KMOD_UBC_COUNTS")
export BENCH_UBC_READS=$KMOD_UBC_READS
export BENCH_VARIANTS=$(printf %q "${KMOD_VARIANTS:-}")
export BENCH_PROF_ITERS=$(printf %q "$KMOD_PROF_ITERS")
exec bash $(printf %q "$SRC/bench/vm/kmod_overhead.sh")
EOF
}

kmod_missing_rows() {
    local kind n
    for kind in $KMOD_LOOPS; do
        row_missing "module overhead: $(kmod_loop_label "$kind") in a CT (VM)" "µs/op" \
            "no module, same kernel" "≤ 1.03×" "$1"
    done
    for n in $KMOD_UBC_COUNTS; do
        row_missing "/proc/user_beancounters read, $n CTs registered (VM)" ms "—" "" "$1"
        row_missing "/proc/bc/<id>/resources read, $n CTs registered (VM)" ms "—" "" "$1"
    done
}

# Round k's figures with and without the module ran back to back: their
# ratio cancels the drift of a loaded host, which the medians alone do not.
kmod_loop_note() {
    local kind=$1
    if [ ! -s "$SAMPLES/loop.$kind.on" ] || [ ! -s "$SAMPLES/loop.$kind.off" ]; then
        echo "not measured: $2"
        return
    fi
    paste -d' ' "$SAMPLES/loop.$kind.on" "$SAMPLES/loop.$kind.off" |
        awk 'NF == 2 && $2 > 0 { printf "%.4f\n", $1 / $2 }' >"$SAMPLES/loop.$kind.paired"
    # shellcheck disable=SC2046 # four numbers
    set -- $(stats "loop.$kind.paired")
    printf 'paired per-round ratio: median %.2f (%.2f–%.2f, n=%d)' "$1" "$2" "$3" "$4"
}

# The profile estimate of one loop (bench/vm/kmod_overhead.sh, prof_loops):
# prints "RATIO NOTE", or nothing when a profile is missing. The rest of the
# kernel's samples in the two profiles give TCG's speed ratio; the loaded
# total at the unloaded speed over the unloaded total is the estimate.
kmod_prof_estimate() {
    local kind=$1 f k v
    local -A p
    for f in module hooked rest; do
        for k in on off; do
            v=$(cat "$SAMPLES/prof.$kind.$k.$f" 2>/dev/null) || return 0
            p[$k.$f]=$v
        done
    done
    awk -v m1="${p[on.module]}" -v h1="${p[on.hooked]}" -v r1="${p[on.rest]}" \
        -v m0="${p[off.module]}" -v h0="${p[off.hooked]}" -v r0="${p[off.rest]}" 'BEGIN {
            if (r1 <= 0 || r0 <= 0) exit
            t1 = m1 + h1 + r1; t0 = m0 + h0 + r0; speed = r1 / r0
            printf "%.3f the module'"'"'s own code %.1f %% of the loop'"'"'s CPU, the functions it hooks %+.1f %%; %d and %d samples; TCG ran the unloaded profile at %.2fx the loaded one'"'"'s speed\n",
                (t1 / speed) / t0, 100 * m1 / t1, 100 * (h1 - h0 * speed) / t1, t1, t0, speed
        }'
}

metric_kmod() {
    local out rc kind n notes est
    if ! kmod_find; then
        log "kmod: $KMOD_WHY"
        kmod_missing_rows "$KMOD_WHY"
        return 0
    fi
    [ -x "$BUILD/bin/vzbench-loops" ] || die "no $BUILD/bin/vzbench-loops (make build)"
    # The VM runs the host's root, so its perf is the host's.
    [ -z "$KMOD_PROF_ITERS" ] || bench_install perf linux-perf || log "kmod: no perf: no profile estimate"
    kmod_wrapper
    out=$OUT/kmod-vm.out
    log "kmod: running the VM (QEMU/TCG, several minutes)"
    VZKIT_BUILD=$BUILD VZKIT_SRC=$SRC VZKIT_VM_MEM=$KMOD_VM_MEM VZKIT_VM_TIMEOUT=$KMOD_VM_TIMEOUT \
        bash "$SRC/tests/vm/run.sh" "$BENCH_DIR/kmod-vm.sh" >"$out" 2>&1
    rc=$?
    # "SAMPLE KEY VALUE": loop figures come in ns/op, shown in µs/op.
    awk '$1 == "SAMPLE" && $2 ~ /^loop\./ { printf "%.3f\n", $3 / 1000 > (dir "/" $2) }
         $1 == "SAMPLE" && $2 !~ /^loop\./ { print $3 > (dir "/" $2) }' dir="$SAMPLES" "$out"
    notes=$(sed -n 's/^NOTE //p' "$out" | sort -u | tr '\n' ' ')
    detail "kmod VM: module $KMOD_KO, exit $rc; $notes"
    [ "$rc" = 0 ] || notes="VM exited $rc (output: $out). $notes"
    for kind in $KMOD_LOOPS; do
        row "module overhead: $(kmod_loop_label "$kind") in a CT (VM)" "µs/op" "loop.$kind.on" \
            "no module, same kernel" "loop.$kind.off" "≤ 1.03×" "$(kmod_loop_note "$kind" "$notes")"
        est=$(kmod_prof_estimate "$kind")
        if [ -n "$est" ]; then
            row_values "module overhead, profile estimate: $(kmod_loop_label "$kind") in a CT (VM)" \
                "× no module" "${est%% *}" "no module, same kernel" 1 "≤ 1.03×" "${est#* }"
        elif [ -n "$KMOD_PROF_ITERS" ]; then
            row_missing "module overhead, profile estimate: $(kmod_loop_label "$kind") in a CT (VM)" \
                "× no module" "no module, same kernel" "≤ 1.03×" "not measured: $notes"
        fi
    done
    for n in $KMOD_UBC_COUNTS; do
        if [ -s "$SAMPLES/ubc.$n" ]; then
            row "/proc/user_beancounters read, $(cat "$SAMPLES/ubc.$n.registered") CTs registered (VM)" \
                ms "ubc.$n" "—" "" "" "no peer: neither LXC nor a stock kernel has the file; $(cat "$SAMPLES/ubc.$n.bytes") bytes"
        else
            row_missing "/proc/user_beancounters read, $n CTs registered (VM)" ms "—" "" \
                "not measured: $notes"
        fi
        if [ -s "$SAMPLES/bcone.$n" ]; then
            row "/proc/bc/<id>/resources read, $(cat "$SAMPLES/ubc.$n.registered") CTs registered (VM)" \
                ms "bcone.$n" "—" "" "" "one CT's own file: flat in the CTs registered"
        else
            row_missing "/proc/bc/<id>/resources read, $n CTs registered (VM)" ms "—" "" \
                "not measured: $notes"
        fi
    done
}

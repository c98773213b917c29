# shellcheck shell=bash
# disk quota overhead, in the VM (tests/vm/run.sh: Debian's 6.1 kernel,
# QEMU/TCG; this host's file systems have no project quota): write-heavy work
# into a tree under vzquota (project quota, limits on) against an untagged
# directory of the same file system, and against the same kind of file system
# without quota, on ext4 and XFS. The work in the VM is
# bench/vm/quota_overhead.sh.

QUOTA_FS="ext4 xfs"
QUOTA_WORKS="unpack small_files"

quota_work_label() {
    case $1 in
    unpack) echo "unpack the busybox template ×$QUOTA_UNPACKS + syncfs" ;;
    small_files) echo "create $QUOTA_FILES files of 4 KB + syncfs" ;;
    esac
}

quota_peer_label() {
    case $1 in
    untagged) echo "untagged dir, same $2" ;;
    plain) echo "$2 without quota" ;;
    esac
}

# The VM runs a script without arguments: the parameters go in a wrapper.
quota_wrapper() {
    cat >"$BENCH_DIR/quota-vm.sh" <<EOF
export BENCH_ROUNDS=$QUOTA_ROUNDS
export BENCH_UNPACKS=$QUOTA_UNPACKS
export BENCH_FILES=$QUOTA_FILES
export BENCH_FS=$(printf %q "$QUOTA_FS")
exec bash $(printf %q "$SRC/bench/vm/quota_overhead.sh")
EOF
}

# Round k of each side ran back to back: the median of the per-round ratios
# cancels the drift of a loaded host, which the medians alone do not.
quota_note() {
    local key=$1 peer=$2
    if [ ! -s "$SAMPLES/$key.tagged" ] || [ ! -s "$SAMPLES/$key.$peer" ]; then
        echo "not measured: $3"
        return
    fi
    paste -d' ' "$SAMPLES/$key.tagged" "$SAMPLES/$key.$peer" |
        awk 'NF == 2 && $2 > 0 { printf "%.4f\n", $1 / $2 }' >"$SAMPLES/$key.$peer.paired"
    # shellcheck disable=SC2046 # four numbers
    set -- $(stats "$key.$peer.paired")
    printf 'paired per-round ratio: median %.3f (%.3f–%.3f, n=%d)' "$1" "$2" "$3" "$4"
}

metric_quota() {
    local out rc fs work peer notes
    [ -x "$BUILD/bin/vzbench-loops" ] || die "no $BUILD/bin/vzbench-loops (make build)"
    [ -x "$BUILD/bin/vzquota" ] || die "no $BUILD/bin/vzquota (make build)"
    quota_wrapper
    out=$OUT/quota-vm.out
    log "quota: running the VM (QEMU/TCG, several minutes)"
    VZKIT_BUILD=$BUILD VZKIT_SRC=$SRC VZKIT_VM_MEM=$QUOTA_VM_MEM VZKIT_VM_TIMEOUT=$QUOTA_VM_TIMEOUT \
        bash "$SRC/tests/vm/run.sh" "$BENCH_DIR/quota-vm.sh" >"$out" 2>&1
    rc=$?
    awk '$1 == "SAMPLE" { print $3 > (dir "/" $2) }' dir="$SAMPLES" "$out"
    notes=$(sed -n 's/^NOTE //p' "$out" | tr '\n' ' ')
    detail "quota VM: exit $rc; $notes"
    [ "$rc" = 0 ] || notes="VM exited $rc (output: $out). $notes"
    for fs in $QUOTA_FS; do
        for work in $QUOTA_WORKS; do
            for peer in untagged plain; do
                row "disk quota: $(quota_work_label "$work"), $fs (VM)" ms "quota.$fs.$work.tagged" \
                    "$(quota_peer_label "$peer" "$fs")" "quota.$fs.$work.$peer" "≤ 1.05×" \
                    "$(quota_note "quota.$fs.$work" "$peer" "$notes")"
            done
        done
    done
}

# shellcheck shell=bash
# lvm layout, in the VM (tests/vm/run.sh: Debian's 6.1 kernel, QEMU/TCG; this
# host's kernel has no device-mapper): create of a container on a thin volume
# against `lxc-create -B lvm --thinpool` (LXC's busybox template, same size and
# file system) and against a simfs create; vzctl snapshot of a running
# container against a bare `lvcreate -s`. The work in the VM is bench/vm/lvm.sh.

# The VM runs a script without arguments: the parameters go in a wrapper.
lvm_wrapper() {
    cat >"$BENCH_DIR/lvm-vm.sh" <<EOF
export BENCH_ROUNDS=$LVM_ROUNDS
exec bash $(printf %q "$SRC/bench/vm/lvm.sh")
EOF
}

metric_lvm() {
    local out rc notes
    lvm_wrapper
    out=$OUT/lvm-vm.out
    log "lvm: running the VM (QEMU/TCG, several minutes)"
    VZKIT_BUILD=$BUILD VZKIT_SRC=$SRC VZKIT_VM_MEM=${LVM_VM_MEM:-3072} \
        VZKIT_VM_TIMEOUT=${LVM_VM_TIMEOUT:-1500} \
        bash "$SRC/tests/vm/run.sh" "$BENCH_DIR/lvm-vm.sh" >"$out" 2>&1
    rc=$?
    awk '$1 == "SAMPLE" { print $3 > (dir "/" $2) }' dir="$SAMPLES" "$out"
    notes=$(sed -n 's/^NOTE //p' "$out" | tr '\n' ' ')
    detail "lvm VM: exit $rc; $notes"
    [ "$rc" = 0 ] || notes="VM exited $rc (output: $out). $notes"
    row "lvm: create a busybox CT on a thin volume (VM)" ms create.lvm.vz \
        "lxc-create -B lvm --thinpool -t busybox" create.lvm.lxc "≈ LXC" "$notes"
    row "lvm: create on lvm vs simfs (VM)" ms create.lvm.vz "vzctl create --layout simfs" \
        create.simfs.vz "-" "mkfs of the volume is the difference"
    row "lvm: snapshot of a running CT (VM)" ms snapshot.vz "lvcreate -s of an idle thin LV" \
        snapshot.lvcreate "≤ 2× LVM's own" "vzctl: cgroup freeze, sync, lvcreate -s, metadata, thaw"
}

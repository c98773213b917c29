# shellcheck shell=bash
# What a container's reader pays for its machine's figures (issue 12), in the
# VM (the module needs Debian's 6.1 kernel): one read of each view in a CT with
# the module loaded, beside the host's own file (read back to back, module
# loaded: the host's path) and beside lxcfs's file bound over the CT's (no
# module); then N containers reading /proc/meminfo at once beside N readers of
# the kernel's own file. The work in the VM is bench/vm/proc_views.sh.

VIEWS_LIST="meminfo stat uptime loadavg cpuinfo online sysinfo affinity"

views_label() {
    case $1 in
    online) echo "/sys/devices/system/cpu/online" ;;
    sysinfo) echo "sysinfo(2)" ;;
    affinity) echo "sched_getaffinity(2)" ;;
    *) echo "/proc/$1" ;;
    esac
}

# "lxcfs: X µs, Y× the CT's view" for a view's note.
views_lxcfs_note() {
    local ct lx
    ct=$(stats "views.$1.module" | awk '{ print $1 }')
    lx=$(stats "views.$1.lxcfs" | awk '{ print $1 }')
    if [ -z "$lx" ]; then
        echo "lxcfs: not measured"
    elif [ "$1" = sysinfo ] || [ "$1" = affinity ]; then
        echo "lxcfs cannot answer it (the host's, $lx µs)"
    else
        awk -v c="$ct" -v l="$lx" 'BEGIN { printf "lxcfs: %.1f µs, %.1f× the view\n", l, (c > 0 ? l / c : 0) }'
    fi
}

metric_views() {
    local out rc view n notes
    if ! kmod_find; then
        log "views: $KMOD_WHY"
        for view in $VIEWS_LIST; do
            row_missing "view: $(views_label "$view") read in a CT (VM)" "µs" "host's own" "≤ 1.5×" "$KMOD_WHY"
        done
        return 0
    fi
    out=$OUT/views-vm.out
    cat >"$BENCH_DIR/views-vm.sh" <<EOS
export BENCH_MODULE=$(printf %q "$KMOD_KO")
export BENCH_ITERS=$VIEWS_ITERS BENCH_REPS=$VIEWS_REPS
export BENCH_SCALE=$(printf %q "$VIEWS_SCALE") BENCH_SCALE_SECONDS=$VIEWS_SCALE_SECONDS
exec bash $(printf %q "$SRC/bench/vm/proc_views.sh")
EOS
    log "views: running the VM (QEMU/TCG, several minutes)"
    VZKIT_BUILD=$BUILD VZKIT_SRC=$SRC VZKIT_VM_MEM=$KMOD_VM_MEM VZKIT_VM_TIMEOUT=$KMOD_VM_TIMEOUT \
        bash "$SRC/tests/vm/run.sh" "$BENCH_DIR/views-vm.sh" >"$out" 2>&1
    rc=$?
    # "SAMPLE KEY NS": shown in µs.
    awk '$1 == "SAMPLE" { printf "%.3f\n", $3 / 1000 > (dir "/" $2) }' dir="$SAMPLES" "$out"
    notes=$(sed -n 's/^NOTE //p' "$out" | tr '\n' ' ')
    detail "views VM: module $KMOD_KO, exit $rc; $notes"
    for view in $VIEWS_LIST; do
        row "view: $(views_label "$view") read in a CT (VM)" "µs" "views.$view.module" \
            "host's own, same kernel" "views.$view.hostmod" "≤ 1.5×" "$(views_lxcfs_note "$view")"
    done
    for n in $VIEWS_SCALE; do
        row "view: /proc/meminfo, $n CTs reading at once (VM)" "µs CPU/read" "views.scale.$n.ct" \
            "$n readers of the host's own" "views.scale.$n.host" "flat in N" ""
    done
}

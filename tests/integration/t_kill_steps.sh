#!/bin/bash
# Killed at every step: vzctl is SIGKILLed (VZKIT_KILL_AT, vzkit/base/step.h)
# at each named step of create, start, set --save (stopped and running), stop
# (by halt and --fast), mount, umount and destroy — the steps each command
# passes are read from its own VZKIT_STEP_LOG, so a new step is covered
# without editing this test. After each kill:
#   - `vzctl status` answers, and what it says is what the host shows;
#   - the same command run again succeeds, or refuses in one line;
#   - stop, umount and destroy then succeed, and nothing of the container is
#     left: cgroups, processes, mounts, files beside its private area,
#     configs and their temp files, names, locks, and in the network
#     namespace vzctl runs in its route, proxy ARP entry and devices.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2170
IP=198.51.100.70
NS=vzt17host
it_ct $CT
in_ns() { nsenter --net=/run/netns/$NS "$@"; }
vz() { in_ns "$VZCTL" "$@"; }
cleanup() {
    vz --quiet stop $CT --fast >/dev/null 2>&1
    ip netns del $NS 2>/dev/null
    it_teardown
}
trap cleanup EXIT

it_lan_ns $NS vzt17lan

PRIVATE=$IT_ROOT/vz/private/$CT
ROOT=$IT_ROOT/vz/root/$CT
LOCKDIR=$IT_ROOT/vz/lock

# ---- the states a command starts from -------------------------------------
state_none() { :; }
state_stopped() { vz --quiet create $CT --ostemplate busybox-minimal --ipadd $IP --name kill$CT >/dev/null 2>&1; }
state_running() { state_stopped && vz --quiet start $CT >/dev/null 2>&1 && wait_running_ns; }
state_mounted() { state_stopped && vz --quiet mount $CT >/dev/null 2>&1; }
wait_running_ns() { wait_until 10 in_ns "$VZCTL" --quiet exec2 $CT 'pidof syslogd && ! pidof rcS'; }

# ---- what the host shows of the container -----------------------------------
cgroup_dirs() { ls -d /sys/fs/cgroup/*/vz/$CT /sys/fs/cgroup/vz/$CT 2>/dev/null; }
ct_pids() {
    local d
    for d in $(cgroup_dirs); do cat "$d/cgroup.procs"; find "$d" -mindepth 2 -name cgroup.procs -exec cat {} +; done |
        sort -u
}
mounts_of_ct() { awk -v r="$ROOT" -v p="$PRIVATE" '$5 == r || index($5, r "/") == 1 || $5 == p' /proc/self/mountinfo; }
# Pid 1 of a start killed before its 'G': still vzctl's child setting itself
# up, or vzkit-exec waiting for 'G'; either ends on its own.
no_waiting_init() {
    local p
    for p in $(ct_pids); do
        case $(cat "/proc/$p/comm" 2>/dev/null) in vzctl | vzkit-exec) return 1 ;; esac
    done
    return 0
}
# Everything of the CT that may remain, one line each; empty when clean.
residue() {
    cgroup_dirs | sed 's/^/cgroup /'
    ct_pids | sed 's/^/process /'
    mounts_of_ct | awk '{ print "mount", $5 }'
    find "$IT_ROOT/vz/private" "$IT_ROOT/vz/root" -mindepth 1 -maxdepth 1 -name "$CT*" | sed 's/^/file /'
    find "$VZ_CONFDIR/conf" -maxdepth 1 \( -name "$CT.*" -o -name ".$CT.*" \) ! -name "*.destroyed" |
        sed 's/^/config /'
    find "$VZ_CONFDIR/names" -maxdepth 1 -lname "*/$CT.conf" 2>/dev/null | sed 's/^/name /'
    find "$LOCKDIR" -maxdepth 1 -name "$CT.lck*" 2>/dev/null | sed 's/^/lock /'
    in_ns ip route show | grep -w "$IP" | sed 's/^/route /'
    in_ns ip neigh show proxy | grep -w "$IP" | sed 's/^/proxy /'
    in_ns ip -o link show | grep -E "veth$CT|venet" | awk '{ print "device", $2 }'
}
# Whether status tells the truth: each of its words against the host.
status_true() {
    local out=$1 want_exist=deleted want_mount=unmounted want_run=down
    [ -n "$(ls -A "$PRIVATE" 2>/dev/null)" ] && [ -f "$VZ_CONFDIR/conf/$CT.conf" ] && want_exist=exist
    mountpoint -q "$ROOT" 2>/dev/null && want_mount=mounted
    [ -n "$(ct_pids)" ] && vz --quiet exec2 $CT true >/dev/null 2>&1 && want_run=running
    case $out in
    *" $want_exist $want_mount $want_run"*) return 0 ;;
    *) echo "status says '$out', the host shows $want_exist $want_mount $want_run"; return 1 ;;
    esac
}
# Back to nothing, as an admin would after a crash: each must succeed.
recover() {
    local rc=0 st
    st=$(vz status $CT 2>&1)
    case $st in *running*) vz --quiet stop $CT --fast >/dev/null 2>&1 || { echo "stop --fast failed"; rc=1; } ;; esac
    # A halted or killed start leaves a cgroup with no init: stop cleans it.
    [ -n "$(cgroup_dirs)" ] && { vz --quiet stop $CT >/dev/null 2>&1 || { echo "stop failed"; rc=1; }; }
    mountpoint -q "$ROOT" 2>/dev/null && { vz --quiet umount $CT >/dev/null 2>&1 || { echo "umount failed"; rc=1; }; }
    if [ -f "$VZ_CONFDIR/conf/$CT.conf" ]; then
        vz --quiet destroy $CT >/dev/null 2>&1 || { echo "destroy failed: $(vz destroy $CT 2>&1)"; rc=1; }
    fi
    rm -f "$VZ_CONFDIR/conf/$CT".*.destroyed
    return $rc
}

# ---- the scenarios -------------------------------------------------------------
# name | the state it starts from | the command | steps it must at least pass
SCENARIOS=(
    "create|none|create $CT --ostemplate busybox-minimal --ipadd $IP --name kill$CT|create.unpacked create.saved"
    "start|stopped|start $CT|mount.mounted start.cgroup start.cloned start.attached start.network start.configured start.running"
    "set-stopped|stopped|set $CT --numproc 300 --save|set.saved"
    "set-running|running|set $CT --numproc 300 --hostname kt2 --save|set.applied set.saved"
    "stop|running|stop $CT|stop.stopped stop.cgroup_removed stop.network_down umount.unmounted"
    "stop-fast|running|stop $CT --fast|stop.killing stop.stopped stop.cgroup_removed stop.network_down umount.unmounted"
    "mount|stopped|mount $CT|mount.mounted"
    "umount|mounted|umount $CT|umount.unmounted"
    "destroy|stopped|destroy $CT|destroy.renamed destroy.private_removed"
)
# The residue check sees a running container: each kind it looks for.
state_running || fail "a running container to check the residue check with"
SEEN=$(residue | awk '{ print $1 }' | sort -u | tr '\n' ' ')
residue | indent '    a running CT: '
assert_eq "$SEEN" "cgroup config device file mount name process proxy route " "the residue check sees every kind of a running CT"
recover >/dev/null

KILLS=0
for scenario in "${SCENARIOS[@]}"; do
    IFS='|' read -r name from cmd must <<<"$scenario"
    read -ra args <<<"$cmd"
    # The steps this command passes, from a run that is not killed.
    recover >/dev/null
    "state_$from" || fail "$name: reaching the state '$from'"
    log=$IT_ROOT/steps.$name
    rm -f "$log"
    VZKIT_STEP_LOG=$log vz "${args[@]}" >/dev/null 2>&1 || fail "$name: the command itself failed"
    mapfile -t steps < <(awk '!seen[$0]++' "$log" 2>/dev/null)
    for s in $must; do
        assert_true "$name passes step $s" -- grep -qx "$s" "$log"
    done
    recover >/dev/null
    assert_eq "$(residue)" "" "$name, not killed: nothing left after destroy"
    for s in "${steps[@]}"; do
        what="$name killed at $s"
        recover >/dev/null
        "state_$from" || { fail "$what: reaching the state '$from'"; continue; }
        VZKIT_KILL_AT=$s vz "${args[@]}" >/dev/null 2>&1
        rc=$?
        KILLS=$((KILLS + 1))
        assert_eq "$rc" "137" "$what: vzctl died by SIGKILL"
        # A start killed before its 'G' leaves pid 1 setting itself up or
        # waiting in vzkit-exec, which ends when it reads EOF on the pipe from
        # the dead vzctl: status is asked once it did, not while it is on its
        # way out (pid 1 sets itself up beside vzctl, on another CPU, so a
        # kill can find it anywhere in its set-up).
        wait_until 5 no_waiting_init
        st=$(vz status $CT 2>&1)
        assert_true "$what: status answers ($st)" -- with_input "$st" grep -q "^CTID $CT "
        if why=$(status_true "$st"); then pass "$what: status is true"; else fail "$what: $why"; fi
        out=$(vz "${args[@]}" 2>&1 >/dev/null)
        rc=$?
        if [ "$rc" = 0 ]; then
            pass "$what: run again, it succeeds"
        elif [ "$(printf '%s\n' "$out" | grep -cv '^Warning')" = 1 ]; then
            pass "$what: run again, it refuses in one line (exit $rc: $out)"
        else
            fail "$what: run again, exit $rc, not one line: $out"
        fi
        if why=$(recover); then pass "$what: stop, umount and destroy succeed"; else fail "$what: $why"; fi
        left=$(residue)
        assert_eq "$left" "" "$what: nothing of the container is left"
    done
done
assert_true "every scenario was killed at its steps ($KILLS kills)" -- test $KILLS -ge 25

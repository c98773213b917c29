#!/bin/bash
# User and cgroup namespaces. By default container root gets neither (every
# way in: unshare, clone, clone3, the i386 entry points) and cannot mount or
# write cgroups. With FEATURES="nesting:on" it gets user namespaces, and then a
# cgroup mount shows only its own subtree and cannot lift the host's limits.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
sec_setup
CT=2603
NUMPROC=100
sec_ct $CT || exit 1
T0=$(date +%s)
expect_rc 0 "set --numproc $NUMPROC:$NUMPROC --save" -- "$VZCTL" set $CT --numproc $NUMPROC:$NUMPROC --save
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT $CT did not finish booting"

OUT=$("$VZCTL" exec2 $CT '/sec/nsprobe basic' 2>&1)
echo "$OUT" | indent '  basic: '
expect_val "$OUT" unshare_user EPERM
expect_val "$OUT" clone_user EPERM
expect_val "$OUT" clone3_user ENOSYS EPERM
expect_val "$OUT" i386_unshare_user EPERM
expect_val "$OUT" i386_keyctl EPERM
expect_val "$OUT" unshare_cgroup_ns EPERM
expect_val "$OUT" mount_cgroup2 EPERM
expect_val "$OUT" mount_cgroup_pids EPERM
expect_val "$OUT" cgroup_mkdir EROFS
assert_contains "$OUT" "cgwrite_not_erofs=0" "every cgroup file under /sys/fs/cgroup is read-only (EROFS)"

# --- nesting:on ---------------------------------------------------------------
PIDS_DIR=$(ct_cgroup $CT pids)
MEM_DIR=$(ct_cgroup $CT memory)
lim() {
    cat "$PIDS_DIR/pids.max" 2>/dev/null
    if cgroup_v2; then cat "$MEM_DIR/memory.max" 2>/dev/null
    else cat "$MEM_DIR/memory.limit_in_bytes" 2>/dev/null; fi
}
expect_rc 0 "set --features nesting:on --save" -- "$VZCTL" set $CT --features nesting:on --save
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT.conf")" 'FEATURES="nesting:on"' "FEATURES saved in the CT config"
expect_rc 0 "restart" -- "$VZCTL" restart $CT
wait_running $CT || fail "CT $CT did not finish booting after restart"
BEFORE=$(lim | tr '\n' ' ')
OUT=$("$VZCTL" exec2 $CT '/sec/nsprobe nest' 2>&1)
echo "$OUT" | grep -v '^cgpid' | sed 's/^/  nest: /'
expect_val "$OUT" nest.unshare OK
expect_val "$OUT" nest.uid_map OK
expect_val "$OUT" nest.setgroups OK
expect_val "$OUT" nest.gid_map OK
if cgroup_v2; then
    expect_val "$OUT" nest.mount_cgroup2 OK
else
    # v1 host: a v1 hierarchy is what there is to look at.
    case "$(line_of "$OUT" nest.mount_cgroup_pids)$(line_of "$OUT" nest.mount_cgroup2)" in
        *OK*) pass "nest: a cgroup hierarchy could be mounted to inspect" ;;
        *) fail "nest: no cgroup hierarchy mountable in the nested namespace: $(echo "$OUT" | grep mount_cgroup | tr '\n' ' ')" ;;
    esac
fi
assert_not_contains "$OUT" "LEAK" "nest: the cgroup mount shows no host directories (vz, *.slice)"
# The one process outside the CT's pid namespace that belongs in its group is
# the vzkit-exec of the `vzctl exec2` running this probe (it waits for the
# probe from the host's side): at most one per cgroup.procs, never the host's.
n=$(echo "$OUT" | awk '$1 == "cgpid" && $3 == 0 { c[$2]++ } END { m = 0; for (f in c) if (c[f] > m) m = c[f]; print m }')
assert_true "nest: no host process in the CT's cgroup.procs (at most vzctl's own helper; most pid-0 entries in one file: ${n:-0})" -- \
    test "${n:-0}" -le 1
echo "info: cgroup.procs entries seen: $(echo "$OUT" | grep -c '^cgpid'), raise attempts: $(echo "$OUT" | grep '^raise' | tr '\n' ' ')"
AFTER=$(lim | tr '\n' ' ')
assert_eq "$AFTER" "$BEFORE" "nest: the host's pids/memory limits of CT $CT are unchanged ($BEFORE)"
OUT=$("$VZCTL" exec2 $CT "/sec/nsprobe forkbomb $((NUMPROC * 4))" 2>&1)
n=$(echo "$OUT" | sed -n 's/^forked=\([0-9]*\).*/\1/p')
assert_true "a fork bomb still stops at NUMPROC=$NUMPROC ($OUT)" -- test "$n" -lt $NUMPROC
echo "info: took $(( $(date +%s) - T0 )) s"
expect_rc 0 "stop" -- "$VZCTL" stop $CT

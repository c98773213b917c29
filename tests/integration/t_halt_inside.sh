#!/bin/bash
# A container whose init ends by itself (halt or reboot inside): vzctl stop
# still says "not running" and exits 0, as OpenVZ does, but cleans up like
# any other stop (group, mount unless --skip-umount), so destroy works. A CT
# that was only mounted (vzctl mount) stays mounted, as in OpenVZ.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2801
it_ct $CT

# wait_down CT: until status says down (10 s at most).
wait_down() { wait_until 10 ct_status_matches "$1" -q ' down$'; }

expect_rc 0 "create" -- "$VZCTL" create $CT --ostemplate busybox-minimal
ROOT="$IT_ROOT/vz/root/$CT"

# halt inside, through vzctl exec.
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up"
"$VZCTL" exec $CT halt > /dev/null 2>&1
wait_down $CT || fail "halt inside did not stop the CT"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted down" "after halt inside: down, still mounted"
expect_rc 0 "stop of the halted CT" -- "$VZCTL" stop $CT
assert_contains "$OUT" "not running" "stop says the CT is not running"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down" "stop unmounted the halted CT"
assert_false "no mount left under VE_ROOT" -- grep -q " $ROOT " /proc/mounts
assert_false "the halted CT's group is gone" -- test -d "$(ct_cgroup $CT pids)"
expect_rc 0 "stop again" -- "$VZCTL" stop $CT

# reboot inside, then stop --skip-umount keeps the mount, a plain stop drops it.
expect_rc 0 "start again" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up again"
"$VZCTL" exec2 $CT reboot > /dev/null 2>&1
wait_down $CT || fail "reboot inside did not end the CT's init"
expect_rc 0 "stop --skip-umount of the rebooted CT" -- "$VZCTL" stop $CT --skip-umount
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted down" "--skip-umount keeps VE_ROOT mounted"
assert_false "... but the group is gone" -- test -d "$(ct_cgroup $CT pids)"
expect_rc 0 "umount" -- "$VZCTL" umount $CT

# Only mounted, never started: stop leaves the mount alone (OpenVZ).
expect_rc 0 "mount" -- "$VZCTL" mount $CT
expect_rc 0 "stop of a mounted CT" -- "$VZCTL" stop $CT
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted down" "stop leaves a vzctl mount in place"
expect_rc 0 "umount" -- "$VZCTL" umount $CT

# The full story: halt inside, stop, destroy.
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up"
"$VZCTL" exec2 $CT halt > /dev/null 2>&1
wait_down $CT || fail "halt inside did not stop the CT"
expect_rc 0 "stop after halt inside" -- "$VZCTL" stop $CT
expect_rc 0 "destroy after halt inside and stop" -- "$VZCTL" destroy $CT
assert_eq "$("$VZCTL" status $CT)" "CTID $CT deleted unmounted down" "status after destroy"
assert_false "nothing mounted after destroy" -- grep -q " $ROOT " /proc/mounts

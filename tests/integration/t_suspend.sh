#!/bin/bash
# suspend / resume and chkpnt --suspend / --resume on this host's cgroups (v1
# here; v2 in tests/vm/t_checkpoint.sh, which also runs criu): the freezer
# holds every process (no CPU used) and lets them go as they were. And what
# chkpnt and restore refuse before criu runs: a stopped or running CT, two
# stages, a dump where the container's root can write, a missing dump, and a
# failed checkpoint (criu not in PATH) that leaves the CT running and thawed.
# docs/checkpoint.md.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2861
it_ct $CT
DUMP=$IT_ROOT/vz/dump/Dump.$CT

expect_rc 0 "create" -- "$VZCTL" create $CT --ostemplate busybox-minimal
expect_rc 31 "suspend of a stopped CT" -- "$VZCTL" suspend $CT
expect_rc 31 "chkpnt of a stopped CT" -- "$VZCTL" chkpnt $CT
expect_rc 17 "restore without a dump" -- "$VZCTL" restore $CT
assert_contains "$OUT" "not found" "... says the dump is not there"
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up"
expect_rc 32 "restore of a running CT" -- "$VZCTL" restore $CT

if cgroup_v2; then
    FREEZER=$(ct_cgroup $CT)
    frozen() { grep -qx 'frozen 1' "$FREEZER/cgroup.events"; }
    usage() { awk '$1 == "usage_usec" { print $2 * 1000 }' "$FREEZER/cpu.stat"; }
else
    FREEZER=$(ct_cgroup $CT freezer)
    frozen() { grep -qx FROZEN "$FREEZER/freezer.state"; }
    usage() { cat "$(ct_cgroup $CT cpuacct)/cpuacct.usage"; }
fi
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
"$VZCTL" exec2 $CT 'setsid sh -c "echo \$\$ > /tmp/busy.pid; while :; do :; done" </dev/null >/dev/null 2>&1 &'
PIDS=$(cat "$(ct_cgroup $CT pids)/cgroup.procs")

expect_rc 0 "suspend" -- "$VZCTL" suspend $CT
assert_contains "$OUT" "Container was suspended" "... says so"
assert_true "the freezer holds the CT" -- frozen
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted running suspended" "status: suspended"
u1=$(usage)
sleep 2
u2=$(usage)
assert_true "no CPU used while suspended ($((u2 - u1)) ns in 2 s)" -- in_range $((u2 - u1)) 0 20000000
expect_rc 0 "suspend again does nothing" -- "$VZCTL" suspend $CT
expect_rc 0 "resume" -- "$VZCTL" resume $CT
assert_false "thawed" -- frozen
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted running" "status: running"
assert_eq "$(cat "$(ct_cgroup $CT pids)/cgroup.procs")" "$PIDS" "the same processes"
u3=$(usage)
sleep 2
u4=$(usage)
assert_true "the busy loop runs again ($((u4 - u3)) ns in 2 s)" -- in_range $((u4 - u3)) 50000000 100000000000

expect_rc 0 "chkpnt --suspend" -- "$VZCTL" chkpnt $CT --suspend
assert_true "... frozen" -- frozen
expect_rc 0 "chkpnt --resume" -- "$VZCTL" chkpnt $CT --resume
assert_false "... thawed" -- frozen
# What a snapshot killed with the CT frozen leaves (snapshots need lvm:
# tests/vm/t_layout_lvm.sh kills real ones): the freeze, and its marker naming
# a process that is gone. Whatever vzctl runs next on the CT thaws it; a
# marker whose process lives (a snapshot under way) is left alone.
MARKER=$IT_ROOT/vz/lock/$CT.frozen
expect_rc 0 "frozen as by a snapshot" -- "$VZCTL" suspend $CT
# shellcheck disable=SC2016 # the inner shell's own pid, gone when it exits
sh -c 'echo $$ > "$1"' marker "$MARKER"
expect_rc 0 "the next command (status)" -- "$VZCTL" status $CT
assert_contains "$OUT" "left frozen by an interrupted command" "... says it thaws the CT"
assert_false "... thawed" -- frozen
assert_false "... the marker is gone" -- test -e "$MARKER"
expect_rc 0 "frozen as by a snapshot under way" -- "$VZCTL" suspend $CT
echo $$ > "$MARKER"
expect_rc 0 "another command meanwhile" -- "$VZCTL" status $CT
assert_true "... leaves it frozen" -- frozen
rm -f "$MARKER"
expect_rc 0 "resume" -- "$VZCTL" resume $CT
expect_rc 20 "two stages at once" -- "$VZCTL" chkpnt $CT --suspend --kill
assert_contains "$OUT" "only one sub command" "... OpenVZ's message"
expect_rc 20 "an OpenVZ kernel option" -- "$VZCTL" chkpnt $CT --context 1

expect_rc 16 "chkpnt with criu not in PATH" -- env PATH=/nonexistent "$VZCTL" chkpnt $CT
assert_contains "$OUT" "criu" "... names criu"
assert_true "... the CT still runs" -- ct_status_matches $CT -q 'running$'
assert_false "... thawed" -- frozen
assert_false "... no dump left" -- test -e "$DUMP"
expect_rc 16 "chkpnt into the CT's root" -- "$VZCTL" chkpnt $CT --dumpfile "$IT_ROOT/vz/root/$CT/d"
assert_contains "$OUT" "outside" "... says the dump must be outside the CT"
assert_false "... nothing created there" -- test -e "$IT_ROOT/vz/private/$CT/d"
assert_false "... thawed" -- frozen
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
"$VZCTL" exec2 $CT 'kill $(cat /tmp/busy.pid)'
expect_rc 0 "stop" -- "$VZCTL" stop $CT --fast
mkdir -m 700 "$IT_ROOT/vz/private/$CT/d" && : > "$IT_ROOT/vz/private/$CT/d/inventory.img"
expect_rc 17 "restore from a dump in the CT's private area" -- \
    "$VZCTL" restore $CT --dumpfile "$IT_ROOT/vz/private/$CT/d"
assert_contains "$OUT" "outside" "... refused as inside the CT"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down" "... nothing started or mounted"

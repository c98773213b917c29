#!/bin/bash
# Resource limits reach the CT's cgroup at start and live with vzctl set, and
# the CT sees its own (read-only) cgroup files.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2102
it_ct $CT

expect_rc 0 "create" -- "$VZCTL" create $CT --ostemplate busybox-minimal
expect_rc 0 "set limits before start (saved only)" -- "$VZCTL" set $CT --numproc 64 --cpuunits 500 --save
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up"

# Start keeps pid 1 off vzctl's CPU while both set up, and gives it back every
# CPU of its cpuset before the CT runs: its init and what it started have them.
CPUSET=$(ct_cgroup $CT cpuset)
ALL_CPUS=$(cat /sys/devices/system/cpu/online)
for f in "$CPUSET/cpuset.effective_cpus" "$CPUSET/cpuset.cpus.effective"; do
    [ -r "$f" ] && ALL_CPUS=$(cat "$f")
done
# allowed_cpus PID: the CPUs a process inside may run on (PID as the CT's shell expands it).
allowed_cpus() { "$VZCTL" exec2 $CT "sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$1/status"; }
assert_eq "$(allowed_cpus 1)" "$ALL_CPUS" "the CT's init may run on every CPU of its cpuset ($ALL_CPUS)"
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
assert_eq "$(allowed_cpus '$(pidof syslogd)')" "$ALL_CPUS" "and so may what it started"

MEM=$(ct_cgroup $CT memory); PIDS=$(ct_cgroup $CT pids); CPU=$(ct_cgroup $CT cpu)
if cgroup_v2; then
    assert_eq "$(cat "$MEM/memory.max")" "268435456" "vswap-256m sample: memory.max = 256M"
    assert_eq "$(cat "$PIDS/pids.max")" "64" "NUMPROC from the config: pids.max"
    assert_eq "$(cat "$CPU/cpu.weight")" "50" "CPUUNITS 500 → cpu.weight 50"
else
    assert_eq "$(cat "$MEM/memory.limit_in_bytes")" "268435456" "vswap-256m sample: memory limit = 256M"
    assert_eq "$(cat "$PIDS/pids.max")" "64" "NUMPROC from the config: pids.max"
    assert_eq "$(cat "$CPU/cpu.shares")" "512" "CPUUNITS 500 → cpu.shares 512"
fi

# Live changes on the running CT.
expect_rc 0 "set --ram --numproc --cpulimit live" -- "$VZCTL" set $CT --ram 300M --numproc 80 --cpulimit 50
assert_contains "$OUT" "not saved" "warns that the settings were not saved"
if cgroup_v2; then
    assert_eq "$(cat "$MEM/memory.max")" "314572800" "--ram 300M → memory.max live"
    assert_eq "$(cat "$PIDS/pids.max")" "80" "--numproc 80 → pids.max live"
    assert_eq "$(cat "$CPU/cpu.max")" "50000 100000" "--cpulimit 50 → cpu.max live"
    INSIDE_MEM=$("$VZCTL" exec2 $CT cat /sys/fs/cgroup/memory.max)
    INSIDE_PIDS=$("$VZCTL" exec2 $CT cat /sys/fs/cgroup/pids.max)
else
    assert_eq "$(cat "$MEM/memory.limit_in_bytes")" "314572800" "--ram 300M → memory limit live"
    assert_eq "$(cat "$PIDS/pids.max")" "80" "--numproc 80 → pids.max live"
    assert_eq "$(cat "$CPU/cpu.cfs_quota_us")" "50000" "--cpulimit 50 → CFS quota live"
    assert_eq "$(cat "$CPU/cpu.cfs_period_us")" "100000" "CFS period"
    INSIDE_MEM=$("$VZCTL" exec2 $CT cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
    INSIDE_PIDS=$("$VZCTL" exec2 $CT cat /sys/fs/cgroup/pids/pids.max)
fi
assert_eq "$INSIDE_MEM" "314572800" "the CT sees its memory limit in its own cgroup view"
assert_eq "$INSIDE_PIDS" "80" "the CT sees its pids limit in its own cgroup view"
expect_rc 1 "the CT cannot raise its own limit" -- "$VZCTL" exec2 $CT \
    "for f in /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max; do [ -e \$f ] && echo max > \$f; done 2>/dev/null"
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT.conf")" 'NUMPROC="64"' "config unchanged without --save"

# NUMPROC is enforced: a fork loop stops at the limit, the host is unaffected.
expect_rc 0 "set --numproc 20 --save" -- "$VZCTL" set $CT --numproc 20 --save
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT.conf")" 'NUMPROC="20"' "saved with --save"
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
OUT=$("$VZCTL" exec2 $CT 'n=0; while [ $n -lt 40 ]; do sleep 30 & n=$((n+1)); done' 2>&1)
assert_contains "$OUT" "fork" "the fork loop inside hit the limit"
TASKS=$(wc -l < "$PIDS/cgroup.procs")
assert_true "the CT holds at most NUMPROC processes ($TASKS)" -- in_range "$TASKS" 15 20
assert_eq "$(cat "$PIDS/pids.max")" "20" "pids.max follows --numproc with --save on a running CT"
mapfile -t procs < "$PIDS/cgroup.procs" # the list before any kill
for p in "${procs[@]}"; do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] && kill "$p"; done
wait_running $CT || fail "the CT recovers once the sleeps are gone"
# Killed, they still count until the CT's init has reaped them; the CPU
# checks below fork again.
pids_below() { [ "$(cat "$PIDS/pids.current")" -lt "$1" ]; }
assert_true "the killed sleeps no longer count against NUMPROC" -- wait_until 10 pids_below 10

# CPU units and the cpuset.
expect_rc 0 "set --cpuunits 2000 --cpumask 0" -- "$VZCTL" set $CT --cpuunits 2000 --cpumask 0
if cgroup_v2; then
    assert_eq "$(cat "$CPU/cpu.weight")" "200" "cpuunits live"
    assert_eq "$(cat "$(ct_cgroup $CT cpuset)/cpuset.cpus")" "0" "cpumask live"
else
    assert_eq "$(cat "$CPU/cpu.shares")" "2048" "cpuunits live"
    assert_eq "$(cat "$(ct_cgroup $CT cpuset)/cpuset.cpus")" "0" "cpumask live"
fi
# A busy loop is held to its CPU limit.
expect_rc 0 "set --cpulimit 25" -- "$VZCTL" set $CT --cpulimit 25
# On a loaded host the loop may get less than its quarter of a CPU for a
# while: wait until the first throttled period, up to 20 s, not a fixed time.
"$VZCTL" exec2 $CT 'timeout 20 sh -c "echo \$\$ >/tmp/loop.pid; while :; do :; done"' >/dev/null 2>&1 &
LOOP=$!
for _ in $(seq 40); do
    THROTTLED=$(awk '/nr_throttled/ {print $2}' "$CPU/cpu.stat")
    [ "${THROTTLED:-0}" -gt 0 ] && break
    sleep 0.5
done
# shellcheck disable=SC2016  # expanded by the shell inside the CT
"$VZCTL" exec2 $CT 'kill $(cat /tmp/loop.pid)' >/dev/null 2>&1
wait $LOOP 2>/dev/null
assert_true "the busy loop was throttled by CPULIMIT ($THROTTLED periods)" -- test "${THROTTLED:-0}" -gt 0

# Bad values: clear errors, nothing changed.
expect_rc 21 "bad --ram" -- "$VZCTL" set $CT --ram lots --save
assert_contains "$OUT" "ram" "error names the option"
expect_rc 21 "bad --numproc" -- "$VZCTL" set $CT --numproc 10:5:1 --save
expect_rc 21 "bad --cpuunits" -- "$VZCTL" set $CT --cpuunits 1 --save
expect_rc 20 "unknown option" -- "$VZCTL" set $CT --no-such-option 1
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT.conf")" 'NUMPROC="20"' "config untouched by bad input"

# Stopped CT: without --save there is nothing to apply it to.
expect_rc 0 "stop" -- "$VZCTL" stop $CT --fast
expect_rc 31 "set on a stopped CT without --save" -- "$VZCTL" set $CT --numproc 30
expect_rc 0 "destroy" -- "$VZCTL" destroy $CT

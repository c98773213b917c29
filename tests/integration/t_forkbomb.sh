#!/bin/bash
# A fork bomb as root in a container created with the shipped vz.conf and the
# default sample (no --config): the CT's task count stops at the sample's
# NUMPROC (pids.max) and reaches it, the refusals are counted, the host keeps
# working, and a fast stop ends it all. Runs on the host (cgroup v1) and in
# the VM (tests/vm/t_containers_v2.sh, cgroup v2, the module when loaded).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2701
it_ct $CT
BOMB="$VZKIT_BUILD/tests/vzkit-forkbomb"
[ -x "$BOMB" ] || { fail "$BOMB is not built"; exit 1; }

# Bounds this test holds the system to (seconds).
BOMB_SECONDS=60   # the bomb ends by itself after this, whatever happens
HOST_BOUND=5      # a host shell command plus 20 fork+exec of /bin/true, or 10
                  # times what they take before the bomb if that is more
                  # (an emulated machine, such as tests/vm's TCG guest)
STOP_BOUND=20     # vzctl stop --fast of the bombed CT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# The watching loops below fork nothing (builtins only): under the bomb every
# fork of the host's is slow on an emulated machine, and the loops must not
# be what is measured.
mkfifo "$IT_ROOT/never"
exec 9<> "$IT_ROOT/never"
nap() { read -r -t "$1" -u 9 _; } # sleep without a fork
host_commands() { # prints the milliseconds taken; status 1 if any failed
    local t0 rc=0
    t0=$(now_ms)
    sh -c 'ls / > /dev/null' || rc=1
    for _ in $(seq 20); do /bin/true || rc=1; done
    echo $(($(now_ms) - t0))
    return $rc
}

# NUMPROC of the default sample: vz.conf's CONFIGFILE.
SAMPLE=$(sed -n 's/^CONFIGFILE="\(.*\)"/\1/p' "$VZ_CONFDIR/vz.conf")
assert_eq "$SAMPLE" "vswap-256m" "the shipped vz.conf names the default sample"
NUMPROC=$(sed -n 's/^NUMPROC="\(.*\)"/\1/p' "$VZ_CONFDIR/conf/ve-$SAMPLE.conf-sample")
NUMPROC=${NUMPROC#*:} # the limit, what pids.max gets
case $NUMPROC in '' | *[!0-9]*) fail "no numeric NUMPROC in ve-$SAMPLE.conf-sample ($NUMPROC)"; exit 1 ;; esac

expect_rc 0 "create with the default sample" -- "$VZCTL" create $CT --ostemplate busybox-minimal
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT.conf")" "NUMPROC=\"$NUMPROC:$NUMPROC\"" "NUMPROC from the sample in the CT config"
cp "$BOMB" "$IT_ROOT/vz/private/$CT/forkbomb"
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up"
PIDS=$(ct_cgroup $CT pids)
assert_eq "$(cat "$PIDS/pids.max")" "$NUMPROC" "pids.max = the sample's NUMPROC"

# Refusals so far: pids.events "max" summed over the CT's groups (the kernel
# counts it in the group of the task whose fork was refused), and numproc's
# failcnt when the module is loaded.
pids_events_max() {
    find "$PIDS" -name pids.events -exec awk '$1 == "max" { s += $2 } END { print s + 0 }' {} + |
        awk '{ s += $1 } END { print s + 0 }'
}
ubc_failcnt() {
    awk -v id="$CT" '$1 ~ /^[0-9]+:$/ { cur = substr($1, 1, length($1) - 1); sub(/^[ \t]*[0-9]+:/, "") }
        cur == id && $1 == "numproc" { print $6; exit }' /proc/user_beancounters
}
HAVE_EVENTS=no
[ -f "$PIDS/pids.events" ] && HAVE_EVENTS=yes
EVENTS_BEFORE=$(pids_events_max)
HAVE_MODULE=no
[ -r /proc/user_beancounters ] && grep -q "^ *$CT:" /proc/user_beancounters && HAVE_MODULE=yes
[ $HAVE_MODULE = yes ] && FAIL_BEFORE=$(ubc_failcnt)

host_commands > /dev/null # warm the caches
BASE_MS=$(host_commands)
HOST_BOUND_MS=$((HOST_BOUND * 1000))
[ $((BASE_MS * 10)) -gt $HOST_BOUND_MS ] && HOST_BOUND_MS=$((BASE_MS * 10))
echo "host commands before the bomb: ${BASE_MS} ms; bound during it: ${HOST_BOUND_MS} ms"

# The bomb, as the CT's root; it ends by itself after BOMB_SECONDS.
"$VZCTL" exec2 $CT /forkbomb $BOMB_SECONDS > "$IT_ROOT/bomb.out" 2>&1 &
EXEC_PID=$!

# Watch pids.current every 20 ms until it has held NUMPROC for a while.
MAX=0 OVER=0 AT_LIMIT=0 SAMPLES=0
deadline=$(($(now_ms) + 30000))
while [ "$(now_ms)" -lt $deadline ] && [ $AT_LIMIT -lt 25 ]; do
    read -r cur < "$PIDS/pids.current" || cur=0
    SAMPLES=$((SAMPLES + 1))
    [ "$cur" -gt "$MAX" ] && MAX=$cur
    [ "$cur" -gt "$NUMPROC" ] && OVER=$((OVER + 1))
    [ "$cur" -eq "$NUMPROC" ] && AT_LIMIT=$((AT_LIMIT + 1))
    nap 0.02
done
echo "pids.current: max $MAX over $SAMPLES samples, $AT_LIMIT at the limit $NUMPROC"
assert_eq "$OVER" "0" "pids.current never above NUMPROC $NUMPROC (max $MAX)"
assert_eq "$MAX" "$NUMPROC" "the bomb reached NUMPROC"

# The host, meanwhile: a shell command and 20 fork+exec, within the bound.
HOST_MS=$(host_commands)
HOST_RC=$?
echo "host commands during the bomb: ${HOST_MS} ms (${BASE_MS} ms before it)"
assert_eq "$HOST_RC" "0" "host commands succeed during the bomb"
assert_true "host commands finish within ${HOST_BOUND_MS} ms during the bomb (${HOST_MS} ms)" -- \
    test "$HOST_MS" -lt "$HOST_BOUND_MS"
assert_true "still at most NUMPROC while the host works" -- test "$(cat "$PIDS/pids.current")" -le "$NUMPROC"

# The refusals were counted.
if [ $HAVE_EVENTS = yes ]; then
    EVENTS=$(pids_events_max)
    assert_true "pids.events max counts the refused forks ($EVENTS_BEFORE → $EVENTS)" -- \
        test "$EVENTS" -gt "$EVENTS_BEFORE"
else
    echo "skip: no pids.events in $PIDS"
fi
if [ $HAVE_MODULE = yes ]; then
    FAILS=$(ubc_failcnt)
    assert_true "numproc failcnt in /proc/user_beancounters ($FAIL_BEFORE → $FAILS)" -- \
        test "${FAILS:-0}" -gt "${FAIL_BEFORE:-0}"
else
    echo "skip: the module is not loaded (no numproc failcnt to check)"
fi

# A fast stop ends it within STOP_BOUND and leaves nothing behind.
t0=$(now_ms)
expect_rc 0 "stop --fast of the bombed CT" -- "$VZCTL" stop $CT --fast
STOP_MS=$(($(now_ms) - t0))
echo "stop --fast: ${STOP_MS} ms"
assert_true "stop --fast within ${STOP_BOUND}s (${STOP_MS} ms)" -- test "$STOP_MS" -lt $((STOP_BOUND * 1000))
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down" "status after stop"
assert_false "the CT's pids group is gone" -- test -d "$PIDS"
bomb_procs() { # pid(state ppid N) of every process named forkbomb, builtins only
    local p comm stat
    for p in /proc/[0-9]*; do
        read -r comm 2>/dev/null < "$p/comm" || continue
        [ "$comm" = forkbomb ] || continue
        read -r stat 2>/dev/null < "$p/stat" || continue
        # shellcheck disable=SC2086 # split: the fields after the command name
        set -- ${stat##*) }
        echo "${p#/proc/}($1 ppid $2)"
    done
}
# Right after the stop nothing of the bomb runs; a zombie may wait a moment
# for its reaper (the host's init, for one whose parent was outside the CT).
assert_eq "$(bomb_procs | grep -v '(Z ')" "" "no live bomb process right after stop"
wait $EXEC_PID 2>/dev/null
t0=$(now_ms)
while [ -n "$(bomb_procs)" ] && [ $(($(now_ms) - t0)) -lt 5000 ]; do nap 0.1; done
REAP_MS=$(($(now_ms) - t0))
assert_eq "$(bomb_procs)" "" "no bomb process at all within 5 s of the stop (${REAP_MS} ms)"
expect_rc 0 "destroy" -- "$VZCTL" destroy $CT

#!/bin/bash
# More escapes, each with the exact errno the secure runtime gives: the kernel
# log, keyrings, file handles, BPF, perf, modules, I/O ports, the clock, the
# host's abstract sockets, SysV IPC and processes, chroot, reboot, and
# `vzctl start --wait` following a container symlink to /proc/self/environ.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
sec_setup
CT=2606
sec_ct $CT || exit 1
PRIV="$IT_ROOT/vz/private/$CT"
T0=$(date +%s)
SOCK="vzkit-host-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
SHMKEY=$((0x5600000 + $$ % 65536))
SHMID=$("$SECBIN/sechost" shm $SHMKEY) || fail "cannot create the host shm segment"
sleep 600 & HOSTSLEEP=$!
"$SECBIN/sechost" listen "$SOCK" 600 > "$IT_ROOT/listen.out" 2>&1 & LISTENER=$!
cleanup() {
    [ -n "$SHMID" ] && "$SECBIN/sechost" shmrm "$SHMID"
    kill "$HOSTSLEEP" "$LISTENER" 2>/dev/null
    it_teardown
}
trap cleanup EXIT
MARKER="$IT_ROOT/host-marker"
echo host > "$MARKER"
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT $CT did not finish booting"
wait_until 5 grep -q listening "$IT_ROOT/listen.out"

OUT=$("$VZCTL" exec2 $CT "/sec/secprobe syslog -- kmsg -- keyctl -- add_key -- request_key -- \
open_by_handle_at -- bpf_map -- bpf_prog -- perf -- init_module -- finit_module -- iopl -- ioperm -- \
settimeofday -- connect $SOCK -- shm $SHMKEY -- kill $HOSTSLEEP -- chroot /sec/cx $MARKER" 2>&1)
echo "$OUT" | indent '  '
expect_val "$OUT" syslog EPERM
expect_val "$OUT" kmsg EPERM ENOENT
expect_val "$OUT" keyctl EPERM
expect_val "$OUT" add_key EPERM
expect_val "$OUT" request_key EPERM
expect_val "$OUT" open_by_handle_at EPERM
expect_val "$OUT" bpf_map EPERM
expect_val "$OUT" bpf_prog EPERM
v=$(line_of "$OUT" perf)
case $v in ''|OK) fail "perf_event_open cpu-wide: ${v:-no result}, want a failure" ;; *) pass "perf_event_open cpu-wide fails ($v)" ;; esac
# A kernel without module or I/O-port support answers ENOSYS to everybody: the
# host (outside any container) tells. iopl/ioperm only change the calling
# probe's own privilege level, which exits at once.
HOSTSYS=$("$SECBIN/secprobe" init_module -- finit_module -- iopl -- ioperm 2>&1)
for call in init_module finit_module iopl ioperm; do
    if [ "$(line_of "$HOSTSYS" $call)" = ENOSYS ]; then
        expect_val "$OUT" $call EPERM ENOSYS
        echo "info: $call: the host kernel has no such call (ENOSYS on the host too)"
    else
        expect_val "$OUT" $call EPERM
    fi
done
expect_val "$OUT" settimeofday EPERM
expect_val "$OUT" connect ECONNREFUSED
assert_not_contains "$(cat "$IT_ROOT/listen.out")" accepted "the host's abstract socket saw no connection"
expect_val "$OUT" shm ENOENT
expect_val "$OUT" kill ESRCH
assert_true "the host process survived" -- kill -0 "$HOSTSLEEP"
expect_val "$OUT" chroot_marker ENOENT
expect_val "$OUT" chroot_left no

# --- reboot inside ends only the CT ---------------------------------------------
INIT=$(ct_init_pid $CT)
NSINO=$(readlink "/proc/$INIT/ns/pid" | tr -dc 0-9)
if [ -n "$INIT" ] && [ "$(readlink "/proc/$INIT/ns/pid")" != "$(readlink /proc/1/ns/pid)" ]; then
    UP0=$(awk '{print int($1)}' /proc/uptime)
    OUT=$("$VZCTL" exec2 $CT "/sec/secprobe reboot $NSINO" 2>&1)
    echo "  reboot: $OUT"
    wait_until 20 not ct_status_matches $CT -q running
    assert_contains "$("$VZCTL" status $CT 2>&1)" "down" "reboot(RB_POWER_OFF) inside: vzctl status says down"
    assert_true "the host is still up" -- test "$(awk '{print int($1)}' /proc/uptime)" -ge "$UP0"
    assert_true "host processes are untouched by the CT's reboot" -- kill -0 "$HOSTSLEEP"
else
    fail "cannot find the CT's init in its own pid namespace (init=$INIT): reboot not tried"
fi
"$VZCTL" --quiet stop $CT >/dev/null 2>&1

# --- start --wait with /etc/inittab -> /proc/self/environ --------------------------
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT
expect_rc 0 "container root links /etc/inittab to /proc/self/environ" -- \
    "$VZCTL" exec2 $CT 'ln -sf /proc/self/environ /etc/inittab'
expect_rc 0 "stop" -- "$VZCTL" stop $CT
OUT=$(VZKIT_HOST_SECRET=$VZKIT_HOST_SECRET timeout 60 "$VZCTL" start $CT --wait 2>&1); rc=$?
echo "  start --wait: exit $rc: $(echo "$OUT" | tail -n 2 | tr '\n' ' ')"
target=$PRIV/etc/inittab
if [ -L "$target" ]; then
    l=$(readlink "$target")
    case $l in /*) target=$PRIV$l ;; *) target=$PRIV/etc/$l ;; esac
fi
# Read from the host, a symlink left there would lead to the host's own files:
# only a regular file is the CT's content.
regular_file_holds() { [ ! -L "$2" ] && grep -qs "$1" "$2"; } # TEXT FILE
assert_false "/etc/inittab does not contain VZKIT_HOST_SECRET" -- \
    regular_file_holds VZKIT_HOST_SECRET "$PRIV/etc/inittab"
assert_false "nothing under the CT's /etc holds the host secret" -- \
    grep -rqs -- "$VZKIT_HOST_SECRET" "$PRIV/etc" "$PRIV/sec"
[ -e "$target" ] && [ "$target" != "$PRIV/etc/inittab" ] && \
    assert_false "the inittab link's target does not hold the secret" -- grep -qs VZKIT_HOST_SECRET "$target"
"$VZCTL" --quiet stop $CT --fast >/dev/null 2>&1
echo "info: took $(( $(date +%s) - T0 )) s"

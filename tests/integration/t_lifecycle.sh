#!/bin/bash
# A busybox container through its whole life on this host's stock kernel:
# create, start, look at it from inside, exec/exec2/enter/runscript, stop,
# start again, destroy.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2101
it_ct $CT

expect_rc 0 "create" -- "$VZCTL" create $CT --ostemplate busybox-minimal --hostname ct$CT.example.test
PRIV="$IT_ROOT/vz/private/$CT"
assert_true "private area unpacked" -- test -x "$PRIV/bin/busybox"
assert_true "config written" -- test -f "$VZ_CONFDIR/conf/$CT.conf"
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT.conf")" 'OSTEMPLATE="busybox-minimal"' "OSTEMPLATE saved"
# shellcheck disable=SC2016 # $VEID is literal: the config keeps it unexpanded
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT.conf")" 'VE_PRIVATE="'"$IT_ROOT"'/vz/private/$VEID"' "VE_PRIVATE saved with literal \$VEID"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down" "status of a stopped CT"

expect_rc 0 "start" -- "$VZCTL" start $CT
assert_contains "$OUT" "Container start in progress" "start message"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted running" "status of a running CT"
wait_running $CT || fail "CT did not come up"
# No monitor: the CT's init was handed to the host's init, no vzctl remains.
INIT=$(while read -r p; do
    awk '/^NSpid:/ && $NF == 1 {print FILENAME}' "/proc/$p/status" 2>/dev/null; done \
    < "$(ct_cgroup $CT pids)/cgroup.procs" | cut -d/ -f3)
assert_true "the CT's init found on the host ($INIT)" -- test -n "$INIT"
assert_eq "$(awk '{print $4}' "/proc/$INIT/stat")" "1" "the CT's init is a child of the host's init"
assert_false "no vzctl process stays behind" -- pgrep -f "vzctl.* start $CT"

# Inside: PID 1 is the CT's own init.
assert_eq "$("$VZCTL" exec2 $CT cat /proc/1/comm)" "init" "PID 1 is init"
# ps shows only the CT's processes: init, syslogd, crond and ps itself.
PS=$("$VZCTL" exec2 $CT ps -o pid,comm)
assert_contains "$PS" "syslogd" "CT services visible to ps"
assert_not_contains "$PS" "process_api" "host processes invisible"
# Only init, syslogd and crond, plus the shell and ps of this command.
NAMES=$("$VZCTL" exec2 $CT "ps -o comm" | sed 1d | grep -v -x -e sh -e ps | sort | tr '\n' ' ')
assert_eq "$NAMES" "crond init syslogd " "ps inside lists exactly the CT's processes"
# Hostname is the CT's.
assert_eq "$("$VZCTL" exec2 $CT hostname)" "ct$CT.example.test" "hostname inside"
assert_eq "$(hostname)" "$(cat /proc/sys/kernel/hostname)" "host hostname untouched"
# Root file system is the private area.
"$VZCTL" exec2 $CT "echo from-inside > /root/marker"
assert_eq "$(cat "$PRIV/root/marker" 2>/dev/null)" "from-inside" "CT root is the private area"
# Host devices are absent; only the standard nodes exist.
DEVS=$("$VZCTL" exec2 $CT "ls /dev")
assert_not_contains "$DEVS" "vda" "no host disk in /dev"
assert_not_contains "$DEVS" "mem" "no /dev/mem"
assert_contains "$DEVS" "null" "/dev/null present"
assert_contains "$DEVS" "ptmx" "/dev/ptmx present"
expect_rc 1 "mknod of a host disk cannot be opened" -- "$VZCTL" exec2 $CT "mknod /tmp/vda b 254 0 && head -c1 /tmp/vda >/dev/null"
# /sys and kernel-wide sysctls are read-only; the CT's own net sysctls are not.
expect_rc 1 "/sys is read-only" -- "$VZCTL" exec2 $CT "touch /sys/kernel/x 2>/dev/null"
expect_rc 1 "/proc/sys/kernel is read-only" -- "$VZCTL" exec2 $CT "echo x > /proc/sys/kernel/core_pattern"
expect_rc 1 "SYS_ADMIN is not in the bounding set" -- "$VZCTL" exec2 $CT "mount -t tmpfs none /mnt"
CAPBND=$("$VZCTL" exec2 $CT "grep CapBnd /proc/self/status")
assert_not_contains "$CAPBND" "ffffffff" "capability bounding set is restricted ($CAPBND)"
# The CT lives in its own network namespace with only lo.
assert_eq "$("$VZCTL" exec2 $CT "ls /sys/class/net")" "lo" "only loopback in the CT"
# IFF_UP|IFF_LOOPBACK (vzctl brings it up from the host before init runs).
assert_eq "$("$VZCTL" exec2 $CT "cat /sys/class/net/lo/flags")" "0x9" "the loopback is up"

# exec/exec2 exit codes and stdin.
expect_rc 7 "exec2 returns the command's status" -- "$VZCTL" exec2 $CT "exit 7"
expect_rc 8 "exec maps a failure to 8" -- "$VZCTL" exec $CT "exit 7"
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
assert_eq "$(echo 'echo $((6*7))' | "$VZCTL" exec2 $CT -)" "42" "exec2 - reads commands from stdin"
assert_eq "$(echo hello | "$VZCTL" exec2 $CT cat)" "hello" "stdin relayed"
# busybox has no bash: /bin/sh runs the command.
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
assert_eq "$("$VZCTL" exec2 $CT 'readlink /proc/$$/exe')" "/bin/busybox" "sh used where bash is absent"

# enter: a login shell on a pty inside the CT.
ENTER=$(sleep 2 | "$VZCTL" enter $CT --exec 'tty; hostname; exit' 2>&1)
assert_contains "$ENTER" "/dev/pts/" "enter gets a pty from the CT's devpts"
assert_contains "$ENTER" "ct$CT.example.test" "enter runs in the CT"

# set: the hostname live, and the settings that only describe the CT.
expect_rc 0 "set --hostname live" -- "$VZCTL" set $CT --hostname renamed$CT.example.test --save
assert_eq "$("$VZCTL" exec2 $CT hostname)" "renamed$CT.example.test" "hostname changed live"
expect_rc 0 "set --onboot --name --description --save" -- "$VZCTL" set $CT --onboot yes --name web$CT --description "customer 42" --save
CONF=$(cat "$VZ_CONFDIR/conf/$CT.conf")
assert_contains "$CONF" 'ONBOOT="yes"' "ONBOOT saved"
assert_contains "$CONF" 'NAME="web'$CT'"' "NAME saved"
assert_contains "$CONF" 'DESCRIPTION="customer 42"' "DESCRIPTION saved"
assert_eq "$("$VZCTL" status web$CT)" "CTID $CT exist mounted running" "the name resolves to the CT"
expect_rc 131 "--name without --save" -- "$VZCTL" set $CT --name other
expect_rc 0 "set with nothing new" -- "$VZCTL" set $CT --onboot yes --save
assert_contains "$OUT" "No changes" "unchanged settings are not rewritten"
expect_rc 0 "set the hostname back" -- "$VZCTL" set $CT --hostname ct$CT.example.test --save

# runscript on a running CT.
printf 'echo running-script\nhostname\n' > "$IT_ROOT/script.sh"
RS=$("$VZCTL" runscript $CT "$IT_ROOT/script.sh")
assert_contains "$RS" "running-script" "runscript on a running CT"

# stop, and everything is gone.
expect_rc 0 "stop" -- "$VZCTL" stop $CT
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down" "status after stop"
assert_false "cgroup removed after stop" -- test -d "$(ct_cgroup $CT memory)"
assert_false "no mount left after stop" -- grep -q "$IT_ROOT/vz/root/$CT" /proc/mounts
expect_rc 0 "stop of a stopped CT" -- "$VZCTL" stop $CT
assert_contains "$OUT" "not running" "stop of a stopped CT says so"

# runscript on a stopped CT: its environment without init, torn down after.
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
printf 'hostname\necho "lo $(cat /sys/class/net/lo/flags)"\n' > "$IT_ROOT/script.sh"
RS=$("$VZCTL" runscript $CT "$IT_ROOT/script.sh")
assert_contains "$RS" "ct$CT.example.test" "runscript on a stopped CT sees the CT's hostname"
assert_contains "$RS" "lo 0x9" "runscript on a stopped CT has its loopback up"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down" "runscript leaves the CT down"

# A second start works, and restart too.
expect_rc 0 "second start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up again"
assert_eq "$("$VZCTL" exec2 $CT cat /root/marker)" "from-inside" "data persists across restarts"
expect_rc 0 "restart" -- "$VZCTL" restart $CT
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted running" "running after restart"
expect_rc 0 "fast stop" -- "$VZCTL" stop $CT --fast

# --wait returns once init ran its boot scripts (busybox inittab "once").
expect_rc 0 "start --wait" -- "$VZCTL" start $CT --wait
assert_contains "$(cat "$PRIV/etc/inittab")" "/.vzfifo" "start --wait marked the inittab"
assert_true "services are up when start --wait returns" -- "$VZCTL" exec2 $CT 'pidof syslogd'
expect_rc 0 "stop" -- "$VZCTL" stop $CT

# A CT that halts from inside: status is down, the next start works.
expect_rc 0 "start again" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up"
"$VZCTL" exec2 $CT halt
wait_until 10 ct_status_matches $CT -q down
assert_contains "$("$VZCTL" status $CT)" "down" "halt from inside stops the CT"
expect_rc 0 "start after an inside halt" -- "$VZCTL" start $CT
expect_rc 0 "stop" -- "$VZCTL" stop $CT

expect_rc 0 "destroy" -- "$VZCTL" destroy $CT
assert_false "private area removed" -- test -e "$PRIV"
assert_true "config kept as .destroyed" -- test -f "$VZ_CONFDIR/conf/$CT.conf.destroyed"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT deleted unmounted down" "status after destroy"

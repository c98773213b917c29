#!/bin/bash
# vzctl console (issue 13, OpenVZ's): attach to the container's console,
# log in on the getty there, see what init prints, detach with Esc . at the
# start of a line, Esc ! kills the console's foreground; no host process
# stays behind; while nobody is attached init's output is kept up to the
# pty's buffers and dropped beyond, never waited for. As container root: the
# descriptor the console is taken from is refused unless it is a pty master.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2312
it_ct $CT
PRIV="$IT_ROOT/vz/private/$CT"

expect_rc 0 "create" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal
echo 'console::respawn:/sbin/getty 38400 console' >> "$PRIV/etc/inittab"
expect_rc 0 "set a root password (stopped CT)" -- "$VZCTL" --quiet set $CT --userpasswd root:c0nsole
expect_rc 0 "start" -- "$VZCTL" --quiet start $CT
wait_running $CT || fail "CT did not come up"

# Unattached: what init prints is kept for the next attach, up to the pty's
# buffers; beyond, init's output is dropped, never waited for: a console
# filled to the brim does not keep the container from stopping.
expect_rc 124 "a writer that opens /dev/console itself waits once it is full" -- timeout 5 \
    "$VZCTL" exec2 $CT 'cat /dev/zero > /dev/console'
T0=$(date +%s)
expect_rc 0 "stop with a full console" -- "$VZCTL" --quiet stop $CT
assert_true "... took less than STOP_TIMEOUT (init did not block)" -- \
    in_range $(($(date +%s) - T0)) 0 15
expect_rc 0 "start again" -- "$VZCTL" --quiet start $CT
wait_running $CT || fail "CT did not come up"

# Log in on the getty, run a command, detach.
# shellcheck disable=SC2016 # expanded by the CT's shell
OUT=$({ sleep 2; printf '\r'; sleep 1; printf 'root\r'; sleep 2; printf 'c0nsole\r'; sleep 2
    printf 'echo logged-in-$((6*7))\r'; sleep 2; printf '\033.'; sleep 5; } |
    timeout 40 "$VZCTL" console $CT 2>&1); rc=$?
assert_eq "$rc" "0" "console: Esc . detaches, exit 0"
assert_contains "$OUT" "Attached to CT $CT" "console says it attached"
assert_contains "$OUT" "login:" "the getty's prompt"
assert_contains "$OUT" "logged-in-42" "logged in, the command ran"
assert_contains "$OUT" "Detached from CT $CT" "console says it detached"
assert_contains "$("$VZCTL" status $CT)" "running" "detaching leaves the CT running"
assert_eq "$(pgrep -fc "vzctl console $CT")" "0" "no host process stays behind"

# Esc . inside a line goes through (to cat here, which prints it back).
OUT=$({ sleep 2; printf 'cat\r'; sleep 1; printf 'mid\033.line\r'; sleep 1; printf '\004'; sleep 1
    printf '\r\033.'; sleep 3; } | timeout 30 "$VZCTL" console $CT 2>&1); rc=$?
assert_eq "$rc" "0" "console detached again"
assert_contains "$OUT" "$(printf 'mid\033.line')" "Esc . inside a line does not detach"

# Esc ! kills what runs on the console (a shell sleeping there); the getty comes back.
OUT=$({ sleep 2; printf 'sleep 300\r'; sleep 2; printf '\033!'; sleep 3; printf '\r\033.'; sleep 3; } |
    timeout 30 "$VZCTL" console $CT 2>&1)
assert_eq "$("$VZCTL" exec2 $CT 'pgrep -f "sleep 300" || echo none')" "none" "Esc ! killed the console's foreground"

# What init prints reaches an attached console: the stop's messages, and the
# console ends by itself when the container stops.
{ sleep 3; "$VZCTL" --quiet stop $CT; } &
STOPPER=$!
OUT=$(sleep 30 | timeout 40 "$VZCTL" console $CT 2>&1); rc=$?
wait $STOPPER
assert_eq "$rc" "0" "console ends with the container, exit 0"
assert_contains "$OUT" "going down" "init's shutdown message on the console"
assert_contains "$("$VZCTL" status $CT)" "down" "the CT stopped"
expect_rc 31 "console of a stopped CT" -- "$VZCTL" console $CT
expect_rc 20 "console with a tty other than 1" -- "$VZCTL" console $CT 2

# As container root: the descriptor the console is taken from is the
# container's. An init that puts a FIFO (which a host read would block on)
# or nothing at all there gets a refusal, not a host process following it.
cp -a "$PRIV/sbin/init" "$PRIV/sbin/init.orig" 2>/dev/null || true
rm -f "$PRIV/sbin/init"
printf '#!/bin/sh\nmkfifo /tmp/cfifo\nexec 63<>/tmp/cfifo\nexec /bin/busybox init\n' > "$PRIV/sbin/init"
chmod 755 "$PRIV/sbin/init"
expect_rc 0 "start with an init that holds a FIFO at the console's descriptor" -- \
    "$VZCTL" --quiet start $CT
wait_running $CT || fail "CT did not come up"
expect_rc 3 "console refuses the FIFO at once" -- timeout 10 "$VZCTL" console $CT
assert_contains "$OUT" "no console" "... saying the container has no console"
expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT
printf '#!/bin/sh\nexec 63<&-\nexec /bin/busybox init\n' > "$PRIV/sbin/init"
expect_rc 0 "start with an init that closed it" -- "$VZCTL" --quiet start $CT
wait_running $CT || fail "CT did not come up"
expect_rc 3 "console refuses a closed descriptor" -- timeout 10 "$VZCTL" console $CT
expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT

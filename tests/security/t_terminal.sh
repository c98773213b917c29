#!/bin/bash
# The admin's terminal (a host pty made by ptyrun) must stay out of reach of
# container root: inside `vzctl enter` the terminal is a pty of the CT's own
# devpts; TIOCSTI (also with the upper 32 bits of the command set) is refused
# everywhere; exec2 and exec3 give pipes and no controlling tty; a process left behind
# by `vzctl exec` holds no host tty. An injected command would be read (and
# run) by the host shell after vzctl returns: it must find nothing.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
sec_setup
CT=2602
sec_ct $CT || exit 1
PRIV="$IT_ROOT/vz/private/$CT"
T0=$(date +%s)
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT $CT did not finish booting"
PTYRUN="$SECBIN/ptyrun"
# After vzctl: whatever is pending on the host terminal is read and run, as an
# interactive shell would.
# shellcheck disable=SC2016 # run by the shell on the pty, after vzctl
AFTER='echo "VZRC=$rc"; read -t 3 x; echo "READ=[$x]"; [ -n "$x" ] && eval "$x"'

# --- vzctl enter -------------------------------------------------------------
MARK1="$IT_ROOT/injected-enter"
printf '#!/bin/sh\n/sec/ttyprobe -o /sec/tty-enter.out "touch %s"\n' "$MARK1" > "$PRIV/sec/tty.sh"
chmod 755 "$PRIV/sec/tty.sh"
HOSTOUT=$("$PTYRUN" 90 "'$VZCTL' enter $CT --exec '/sec/tty.sh; exit'; rc=\$?; $AFTER" | tr -d '\r')
# The probe's report comes from its file: on a pty, echoed input mixes in.
OUT="$(cat "$PRIV/sec/tty-enter.out" 2>/dev/null)
$(echo "$HOSTOUT" | grep -E '^(VZRC|READ|PTYRUN)')"
echo "$OUT" | indent '  enter: '
assert_contains "$OUT" "done=1" "enter: the probe ran to the end"
expect_val "$OUT" VZRC 0
expect_val "$OUT" devtty ct
for fd in 0 1 2; do
    case "$(line_of "$OUT" fd$fd)" in
        chr:13[6-9]:*:ctpts | chr:14[0-3]:*:ctpts) pass "enter: fd$fd is a pty of the CT's devpts" ;;
        *) fail "enter: fd$fd = '$(line_of "$OUT" fd$fd)', want a pty of the CT's devpts" ;;
    esac
    expect_val "$OUT" fd$fd.tty ct
done
for k in tiocsti.fd0 tiocsti.fd0.hi tiocsti.fd1 tiocsti.fd1.hi tiocsti.fd2 tiocsti.fd2.hi \
    tiocsti.devtty tiocsti.devtty.hi; do
    expect_val "$OUT" $k EPERM
done
expect_val "$OUT" READ "[]"
assert_false "enter: nothing injected ran on the host" -- test -e "$MARK1"

# --- vzctl exec2 from a host terminal -----------------------------------------
MARK2="$IT_ROOT/injected-exec2"
# -d 1: a child left behind pushes the command once vzctl has returned.
HOSTOUT=$("$PTYRUN" 90 "'$VZCTL' exec2 $CT '/sec/ttyprobe -o /sec/tty-exec2.out -d 1 \"touch $MARK2\"'; rc=\$?; $AFTER" | tr -d '\r')
sleep 1
OUT="$(cat "$PRIV/sec/tty-exec2.out" 2>/dev/null)
$(echo "$HOSTOUT" | grep -E '^(VZRC|READ|PTYRUN)')"
echo "$OUT" | indent '  exec2: '
assert_contains "$OUT" "done=1" "exec2: the probe ran to the end"
expect_val "$OUT" VZRC 0
expect_val "$OUT" devtty ENXIO
for fd in 0 1 2; do expect_val "$OUT" fd$fd fifo; done
expect_val "$OUT" ctty 0:0
assert_not_contains "$(echo "$OUT" | grep '^tiocsti\.' | tr '\n' ' ')" "tiocsti." "exec2: no tty to push input into"
assert_not_contains "$(echo "$OUT" | grep '^late\.' | tr '\n' ' ')" "late." "exec2: no tty left to push input into after vzctl returned"
expect_val "$OUT" READ "[]"
assert_false "exec2: nothing injected ran on the host" -- test -e "$MARK2"

# --- vzctl exec3 from a host terminal: the probe itself, no shell --------------
MARK3="$IT_ROOT/injected-exec3"
HOSTOUT=$("$PTYRUN" 90 "'$VZCTL' exec3 $CT /sec/ttyprobe -o /sec/tty-exec3.out -d 1 'touch $MARK3'; rc=\$?; $AFTER" | tr -d '\r')
sleep 1
OUT="$(cat "$PRIV/sec/tty-exec3.out" 2>/dev/null)
$(echo "$HOSTOUT" | grep -E '^(VZRC|READ|PTYRUN)')"
echo "$OUT" | indent '  exec3: '
assert_contains "$OUT" "done=1" "exec3: the probe ran to the end"
expect_val "$OUT" VZRC 0
expect_val "$OUT" devtty ENXIO
for fd in 0 1 2; do expect_val "$OUT" fd$fd fifo; done
expect_val "$OUT" ctty 0:0
assert_not_contains "$(echo "$OUT" | grep '^tiocsti\.' | tr '\n' ' ')" "tiocsti." "exec3: no tty to push input into"
assert_not_contains "$(echo "$OUT" | grep '^late\.' | tr '\n' ' ')" "late." "exec3: no tty left to push input into after vzctl returned"
expect_val "$OUT" READ "[]"
assert_false "exec3: nothing injected ran on the host" -- test -e "$MARK3"
# The program is looked up inside: a CT symlink to a host-only path finds nothing.
ln -sf "$PTYRUN" "$PRIV/bin/hostonly"
expect_rc 8 "exec3: a CT symlink to a host path runs nothing" -- "$VZCTL" exec3 $CT hostonly
rm -f "$PRIV/bin/hostonly"

# --- a process left in the background by vzctl exec ('sleep 60 &') --------------------------
INIT=$(ct_init_pid $CT)
CTPTS=$(stat -c %d "/proc/$INIT/root/dev/pts/ptmx" 2>/dev/null)
# The admin's shell stays on its terminal for a while after vzctl returns.
"$PTYRUN" 90 "'$VZCTL' exec $CT 'sleep 60 &'; echo VZRC=\$?; sleep 45" > "$IT_ROOT/bg.out" 2>&1 &
PTYPID=$!
SLEEP=
found_sleep() { SLEEP=$(ct_host_pids $CT sleep | head -n 1); [ -n "$SLEEP" ]; }
wait_until 10 found_sleep
if [ -z "$SLEEP" ]; then
    echo "SKIP (not counted): exec: the background sleep did not survive vzctl exec, nothing to inspect"
else
    for fd in /proc/"$SLEEP"/fd/*; do
        desc=$(stat -L -c '%F %t %d' "$fd" 2>/dev/null)
        case $desc in
            "character special file "*)
                # shellcheck disable=SC2086 # split: stat's fields
                set -- $desc
                maj=$((16#${4}))
                dev=$5
                if [ "$maj" -ge 136 ] && [ "$maj" -le 143 ] && [ "$dev" = "$CTPTS" ]; then
                    pass "exec: background fd ${fd##*/} is a CT pty"
                elif [ "$maj" = 4 ] || [ "$maj" = 5 ] || { [ "$maj" -ge 136 ] && [ "$maj" -le 143 ]; }; then
                    fail "exec: background fd ${fd##*/} is a host tty ($(readlink "$fd"), major $maj dev $dev, CT devpts $CTPTS)"
                else
                    pass "exec: background fd ${fd##*/} is not a tty ($(readlink "$fd"))"
                fi ;;
            *) pass "exec: background fd ${fd##*/} is not a tty ($(readlink "$fd"))" ;;
        esac
    done
    assert_eq "$(awk '{ sub(/.*\) /, ""); print $5 }' /proc/"$SLEEP"/stat)" 0 \
        "exec: the background process has no controlling terminal"
    kill "$SLEEP" 2>/dev/null
fi
# The admin closes the terminal: ptyrun's end hangs up its shell.
wait_until 60 grep -q VZRC "$IT_ROOT/bg.out"
kill $PTYPID 2>/dev/null
wait $PTYPID
assert_contains "$(tr -d '\r' < "$IT_ROOT/bg.out")" "VZRC=0" "vzctl exec 'sleep 60 &' succeeded"
echo "info: took $(( $(date +%s) - T0 )) s"
expect_rc 0 "stop" -- "$VZCTL" stop $CT

#!/bin/bash
# Bad input gets a clear error and OpenVZ's exit code, and leaves nothing
# behind: no private area, no config, no cgroup, no mount, no lock.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2103
it_ct $CT
PRIV="$IT_ROOT/vz/private/$CT"
CONF="$VZ_CONFDIR/conf/$CT.conf"

nothing_left() { # what
    assert_false "$1: no private area left" -- any_test -e "$PRIV" "$PRIV.tmp"
    assert_false "$1: no config left" -- test -e "$CONF"
    assert_false "$1: no lock left" -- compgen -G "$IT_ROOT/vz/lock/*.lck"
}

# Unknown template → 91.
expect_rc 91 "unknown template" -- "$VZCTL" create $CT --ostemplate no-such-template
assert_contains "$OUT" "no-such-template" "error names the template"
nothing_left "unknown template"

# CTID not a number in range → 21, no files touched.
for bad in abc -5 2147483645 12a ""; do
    BEFORE=$(find "$IT_ROOT" | sort)
    expect_rc 21 "bad CTID '$bad'" -- "$VZCTL" create "$bad" --ostemplate busybox-minimal
    assert_contains "$OUT" "Bad CT ID" "error for '$bad' says why"
    assert_eq "$(find "$IT_ROOT" | sort)" "$BEFORE" "bad CTID '$bad' touched no file"
done

# Unknown sample config → 82; unknown command → 20; no config → 14.
expect_rc 82 "unknown --config sample" -- "$VZCTL" create $CT --ostemplate busybox-minimal --config nope
nothing_left "unknown sample"
expect_rc 20 "unknown command" -- "$VZCTL" frobnicate $CT
expect_rc 14 "start without a config" -- "$VZCTL" start $CT

# A config line that does not parse → a warning naming file and line.
expect_rc 0 "create" -- "$VZCTL" create $CT --ostemplate busybox-minimal
printf 'this line is garbage\nHOSTNAME="first"\nHOSTNAME="second"\n' >> "$CONF"
expect_rc 0 "status with a broken config line" -- "$VZCTL" status $CT
LINE=$(grep -n garbage "$CONF" | cut -d: -f1)
assert_contains "$OUT" "$CONF:$LINE" "warning names the file and line of the bad line"
DUP=$(grep -n 'HOSTNAME="second"' "$CONF" | cut -d: -f1)
assert_contains "$OUT" "$CONF:$DUP" "warning names the line of the duplicate"
sed -i -e '/garbage/d' -e '/HOSTNAME="second"/d' "$CONF"

# Creating over an existing CT → 44.
expect_rc 44 "create over an existing private area" -- "$VZCTL" create $CT --ostemplate busybox-minimal

# Running CT: start, destroy and umount are refused with 32.
expect_rc 0 "start" -- "$VZCTL" start $CT
expect_rc 32 "start of a running CT" -- "$VZCTL" start $CT
expect_rc 32 "destroy of a running CT" -- "$VZCTL" destroy $CT
expect_rc 32 "umount of a running CT" -- "$VZCTL" umount $CT
assert_true "private area intact after refused destroy" -- test -d "$PRIV/bin"

# A second vzctl on a locked CT → 9 naming the holder.
mkdir -p "$IT_ROOT/vz/lock"
sleep 300 & HOLDER=$!
printf '%s\n\n' "$HOLDER" > "$IT_ROOT/vz/lock/$CT.lck"
expect_rc 9 "locked CT" -- "$VZCTL" stop $CT
assert_contains "$OUT" "$HOLDER" "lock error names the holder's pid"
assert_contains "$OUT" "sleep" "lock error names the holder's command"
kill $HOLDER; wait $HOLDER 2>/dev/null
# The holder is gone: the stale lock is taken over.
expect_rc 0 "stale lock taken over" -- "$VZCTL" stop $CT
assert_false "lock released after the command" -- test -e "$IT_ROOT/vz/lock/$CT.lck"
expect_rc 0 "mount of a stopped CT" -- "$VZCTL" mount $CT
expect_rc 41 "destroy of a mounted CT" -- "$VZCTL" destroy $CT
expect_rc 0 "umount" -- "$VZCTL" umount $CT
expect_rc 40 "umount of an unmounted CT" -- "$VZCTL" umount $CT
expect_rc 31 "exec in a stopped CT" -- "$VZCTL" exec $CT true
expect_rc 0 "destroy" -- "$VZCTL" destroy $CT
rm -f "$CONF.destroyed"

# Every failure path of start undoes what it did.
cgroups_gone() {
    assert_false "$1: no cgroup left" -- any_test -d "$(ct_cgroup $CT memory)" "$(ct_cgroup $CT pids)"
    assert_false "$1: not mounted" -- grep -q " $IT_ROOT/vz/root/$CT " /proc/mounts
    assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down" "$1: status"
}
expect_rc 0 "create" -- "$VZCTL" create $CT --ostemplate busybox-minimal
# (a) the CT's start script fails → 79.
printf 'exit 3\n' > "$VZ_CONFDIR/conf/$CT.start"
expect_rc 79 "failing $CT.start" -- "$VZCTL" start $CT
cgroups_gone "failing start script"
rm "$VZ_CONFDIR/conf/$CT.start"
# (b) a mount hook fails → 79.
printf 'exit 1\n' > "$VZ_CONFDIR/conf/$CT.mount"
expect_rc 79 "failing $CT.mount" -- "$VZCTL" start $CT
cgroups_gone "failing mount hook"
rm "$VZ_CONFDIR/conf/$CT.mount"
# (c) no init in the template → 47.
mv "$PRIV/sbin/init" "$PRIV/sbin/init.off"
expect_rc 47 "no init" -- "$VZCTL" start $CT
assert_contains "$OUT" "init" "error says init is missing"
cgroups_gone "no init"
mv "$PRIV/sbin/init.off" "$PRIV/sbin/init"
# (d) a bad DEVICES value → 21, before anything is set up.
printf 'DEVICES="c:7:0:rw"\n' >> "$CONF"
expect_rc 21 "loop devices refused" -- "$VZCTL" start $CT
cgroups_gone "bad DEVICES"
sed -i '/^DEVICES=/d' "$CONF"
# (e) DISABLED=yes → 105 unless --force.
expect_rc 0 "set --disabled yes" -- "$VZCTL" set $CT --disabled yes --save
expect_rc 105 "start of a disabled CT" -- "$VZCTL" start $CT
cgroups_gone "disabled"
expect_rc 0 "start --force of a disabled CT" -- "$VZCTL" start $CT --force
expect_rc 0 "stop" -- "$VZCTL" stop $CT --fast
expect_rc 0 "destroy" -- "$VZCTL" destroy $CT
rm -f "$CONF.destroyed"

# An interrupted create leaves nothing a later create trips over. A big
# template makes the unpack take long enough to interrupt.
BIG="$IT_ROOT/vz/template/cache/big-test.tar.gz"
mkdir -p "$IT_ROOT/big"
tar -xzf "$TEMPLATE_CACHE/busybox-minimal.tar.gz" -C "$IT_ROOT/big"
for i in $(seq 1 40); do head -c 8M /dev/urandom > "$IT_ROOT/big/blob$i"; done
tar -czf "$BIG" -C "$IT_ROOT/big" . && rm -rf "$IT_ROOT/big"
for sig in INT TERM KILL; do
    "$VZCTL" create $CT --ostemplate big-test >/dev/null 2>&1 &
    PID=$!
    # Killed once the first blob is being written: 300 MB more to go. (A
    # fixed delay let a quiet machine finish the create before the kill.)
    blob_started() { compgen -G "$PRIV.tmp/blob*" >/dev/null; }
    for _ in $(seq 1 1000); do blob_started && break; kill -0 $PID 2>/dev/null || break; sleep 0.01; done
    kill "-$sig" $PID; wait $PID; rc=$?
    assert_true "create interrupted by SIG$sig exits non-zero ($rc)" -- test "$rc" -ne 0
    if [ $sig != KILL ]; then
        assert_false "SIG$sig: no private area left" -- any_test -e "$PRIV.tmp" "$PRIV"
    fi
    assert_false "SIG$sig: no config left" -- test -e "$CONF"
    expect_rc 0 "create after SIG$sig" -- "$VZCTL" create $CT --ostemplate busybox-minimal
    assert_false "create after SIG$sig cleared the leftover" -- test -e "$PRIV.tmp"
    expect_rc 0 "destroy" -- "$VZCTL" destroy $CT
    rm -f "$CONF.destroyed"
done

#!/bin/bash
# What OpenVZ's clients send works unchanged (issue 13): the version line
# libvirt reads from `vzctl --help`, ONBOOT in every config vzctl create
# writes, a name of digits alone (libvirt's `--name <CTID>`), and the exit
# code of stray words after a command, as OpenVZ's vzctl 4.11.1 has them.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2301
it_ct $CT

# The version line first: libvirt's openvzExtractVersionInfo skips
# "vzctl version " and parses X.Y.Z.
expect_rc 0 "vzctl --help" -- env LC_ALL=C "$VZCTL" --help
assert_true "--help starts with 'vzctl version 4.11.1'" -- \
    grep -qx 'vzctl version 4\.11\.1 (vzkit [0-9.]*)' <<< "$(echo "$OUT" | head -n 1)"
VERSION=$("$VZCTL" --help | head -n 1 | sed -n 's/^vzctl version \([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*/\1 \2 \3/p')
assert_eq "$VERSION" "4 11 1" "the X.Y.Z libvirt parses"
expect_rc 0 "vzctl --version" -- "$VZCTL" --version
assert_eq "$(awk '{print $1, $2, $3}' <<< "$OUT")" "vzctl version 4.11.1" "--version's first words"
OUT=$("$VZCTL" 2>&1 >/dev/null); rc=$?
assert_eq "$rc" "20" "vzctl without a command exits 20"
assert_eq "$(echo "$OUT" | head -n 1 | cut -d' ' -f1-3)" "vzctl version 4.11.1" \
    "... with the version line first on stderr"

# libvirt's define: vzctl --quiet create <CTID> --name <CTID> --ostemplate T.
expect_rc 0 "create --name $CT (digits alone)" -- "$VZCTL" --quiet create $CT --name $CT \
    --ostemplate busybox-minimal
CONF="$VZ_CONFDIR/conf/$CT.conf"
assert_true "names/$CT points at the config" -- test "$(readlink "$VZ_CONFDIR/names/$CT")" = "$CONF"
assert_true "create wrote ONBOOT=\"no\"" -- grep -qx 'ONBOOT="no"' "$CONF"
expect_rc 0 "vzlist <name> -ovpsid -H" -- "$VZLIST" $CT -ovpsid -H
assert_eq "$OUT" "      $CT" "the digit name lists its CT"
expect_rc 0 "vzlist -o name,onboot" -- "$VZLIST" -H -o name,onboot $CT
assert_eq "$OUT" "$(printf '%-32s %6s' $CT no)" "NAME and ONBOOT as vzlist shows them"
expect_rc 0 "set --onboot yes --save (libvirt's autostart)" -- "$VZCTL" --quiet set $CT --onboot yes --save
assert_true "ONBOOT=\"yes\" saved" -- grep -qx 'ONBOOT="yes"' "$CONF"
expect_rc 0 "set --name 2399 --save" -- "$VZCTL" set $CT --name 2399 --save
assert_true "names/2399 points at the config" -- test "$(readlink "$VZ_CONFDIR/names/2399")" = "$CONF"
assert_false "the old name is gone" -- test -e "$VZ_CONFDIR/names/$CT"

# Stray words after start/stop: exit 20 as OpenVZ, nothing done.
expect_rc 20 "start with an extra argument" -- "$VZCTL" start $CT extra
assert_contains "$("$VZCTL" status $CT)" "down" "the CT was not started"
expect_rc 0 "start" -- "$VZCTL" start $CT
expect_rc 20 "stop with an extra argument" -- "$VZCTL" stop $CT extra
assert_contains "$("$VZCTL" status $CT)" "running" "the CT was not stopped"
expect_rc 0 "stop" -- "$VZCTL" stop $CT

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
# libvirt's memtune sets the limit alone below the current (unlimited)
# barrier: OpenVZ's vzctl accepts a barrier above the limit, and so does vzkit.
expect_rc 0 "set --privvmpages 9223372036854775807:65536 --save (libvirt's memtune)" -- \
    "$VZCTL" --quiet set $CT --privvmpages 9223372036854775807:65536 --save
assert_true "PRIVVMPAGES=\"unlimited:65536\" saved" -- grep -qx 'PRIVVMPAGES="unlimited:65536"' "$CONF"
expect_rc 0 "vzlist privvmpages.b,privvmpages.l" -- "$VZLIST" -H -o privvmpages.b,privvmpages.l $CT
assert_eq "$(awk '{ print $1, $2 }' <<< "$OUT")" "9223372036854775807 65536" "vzlist shows the pair as libvirt reads it"
expect_rc 0 "set --privvmpages unlimited --save" -- "$VZCTL" --quiet set $CT --privvmpages unlimited --save
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

# enter --exec with stdin at its end returns (OpenVZ's enter closes the input).
expect_rc 0 "start for enter" -- "$VZCTL" --quiet start $CT
wait_running $CT || fail "CT did not come up"
# shellcheck disable=SC2016 # expanded by the CT's shell
OUT=$(timeout 20 "$VZCTL" enter $CT --exec 'echo entered-$((6*7))' < /dev/null 2>&1); rc=$?
assert_eq "$rc" "0" "enter --exec with stdin at EOF returns, exit 0"
assert_contains "$OUT" "entered-42" "... after running the command"
# shellcheck disable=SC2016 # expanded by the CT's shell
OUT=$(printf 'echo partial-$((6*7))' | timeout 20 "$VZCTL" enter $CT 2>&1); rc=$?
assert_eq "$rc" "0" "enter fed a partial line then EOF returns"
assert_contains "$OUT" "partial-42" "... having run that line"
# exec3: the program itself with its arguments, no shell; its exit code.
# shellcheck disable=SC2016 # no shell may expand it
expect_rc 0 "exec3 echo" -- "$VZCTL" exec3 $CT echo 'a  b' '$HOME' '*'
# shellcheck disable=SC2016 # the words as exec3 must pass them
assert_eq "$OUT" 'a  b $HOME *' "exec3 passes the words as they are"
expect_rc 3 "exec3 gives the program's exit code" -- "$VZCTL" exec3 $CT /bin/sh -c 'exit 3'
expect_rc 8 "exec3 of a program that is not there" -- "$VZCTL" exec3 $CT /nonexistent
expect_rc 20 "exec3 without a program" -- "$VZCTL" exec3 $CT
expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT

# vzubc reads a file with -f / --file, as OpenVZ's; percentages fit their column.
VZUBC="$VZKIT_BUILD/bin/vzubc"
UBC_FILE="$IT_ROOT/user_beancounters"
cat > "$UBC_FILE" <<'UBC'
Version: 2.5
       uid  resource                     held              maxheld              barrier                limit              failcnt
      101:  kmemsize                  2752512              2936832             14372700             14790164                    0
            numproc                     90000                   50                    1                    2                    0
            numfile                         1                    1               100000               100000                    0
UBC
for opt in -f --file; do
    expect_rc 0 "vzubc $opt FILE" -- "$VZUBC" $opt "$UBC_FILE"
    assert_contains "$OUT" "CT 101" "vzubc $opt shows the file's CT"
done
expect_rc 0 "vzubc -f - (stdin)" -- with_input "$(cat "$UBC_FILE")" "$VZUBC" -f -
assert_contains "$OUT" "kmemsize" "vzubc -f - reads stdin"
expect_rc 0 "vzubc -f FILE" -- "$VZUBC" -f "$UBC_FILE"
NUMPROC_LINE=$(echo "$OUT" | grep ' numproc|')
assert_eq "$(echo "$NUMPROC_LINE" | awk -F'|' '{print length($2), length($3)}')" "17 17" \
    "an enormous percentage keeps the HELD and MAXH columns' width"
assert_contains "$NUMPROC_LINE" "huge" "... and says huge"
NUMFILE_LINE=$(echo "$OUT" | grep ' numfile|')
assert_eq "$(echo "$NUMFILE_LINE" | awk -F'|' '{print length($2)}')" "17" "a tiny percentage too"
expect_rc 1 "vzubc -f without a file" -- "$VZUBC" -f

# vzcfgvalidate checks KMEMSIZE against AVNUMPROC, as OpenVZ (its ve-light
# sample: AVNUMPROC 15 of NUMPROC 40, KMEMSIZE between the two sums).
VZCFGVALIDATE="$VZKIT_BUILD/bin/vzcfgvalidate"
LIGHT="$IT_ROOT/light.conf"
printf '%s\n' 'AVNUMPROC="15:15"' 'NUMPROC="40:40"' 'NUMTCPSOCK="40:40"' 'NUMOTHERSOCK="40:40"' \
    'KMEMSIZE="1740800:1847296"' 'TCPSNDBUF="159744:262144"' 'TCPRCVBUF="159744:262144"' \
    'OTHERSOCKBUF="135168:237568"' 'DGRAMRCVBUF="135168:196608"' 'NUMFILE="512:512"' \
    'DCACHESIZE="196608:202752"' 'PHYSPAGES="0:unlimited"' > "$LIGHT"
expect_rc 0 "vzcfgvalidate: a ve-light-shaped config passes" -- "$VZCFGVALIDATE" "$LIGHT"
sed -i 's/^AVNUMPROC=.*/AVNUMPROC="40:40"/' "$LIGHT"
expect_rc 2 "... and fails with AVNUMPROC at NUMPROC" -- "$VZCFGVALIDATE" "$LIGHT"

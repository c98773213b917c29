#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh), acceptance 1-3 and 5 of the vzkit module:
# numfile/numtcpsock/numothersock/numflock/numpty refused at the barrier
# with OpenVZ's errno and failcnt and released on close; a fork bomb stopped
# at NUMPROC; /proc/user_beancounters read by OpenVZ's rules on the host and
# inside a container; vzubc and vzlist agreeing with it; and, before the
# module is loaded, the tools saying what they cannot show; and (issue 17)
# the module unloaded under running CTs: refused while one is registered,
# and for one started without it, vzctl, vzlist and vzubc go on working.
# shellcheck source=module/lib.sh
. "$VZKIT_SRC/tests/vm/module/lib.sh"
it_setup
CT=4001
CT2=4002
mod_ct $CT && mod_ct $CT2

# --- without the module ------------------------------------------------------
mod_start $CT || fail "start $CT without the module"
OUT=$("$VZLIST" -H -o ctid,numproc,numfile $CT 2>&1 >/dev/null)
assert_contains "$OUT" "numfile" "vzlist names what it cannot show without the module"
assert_not_contains "$OUT" "numproc" "... but not what the cgroup counts"
assert_eq "$("$VZLIST" -H -o numproc $CT | tr -d ' ')" "$(wc -l < "$(ct_cgroup $CT pids)/cgroup.procs")" \
    "numproc from the cgroup without the module"
expect_rc 1 "vzubc without the module" -- "$VZUBC"
assert_contains "$OUT" "module" "vzubc says the module is missing"
"$VZCTL" --quiet stop $CT --fast >/dev/null 2>&1

# --- with the module -----------------------------------------------------------
mod_load
expect_rc 0 "set the limits (saved)" -- "$VZCTL" set $CT --numfile 200 --numtcpsock 8 \
    --numothersock 12 --numflock 6 --numpty 3 --save
mod_start $CT || fail "start $CT with the module"
mod_start $CT2 || fail "start $CT2 with the module"

# Acceptance 3: every running CT and the host, by OpenVZ's parsing rules.
assert_eq "$(ubc_ids | tr '\n' ' ')" "0 $CT $CT2 " "/proc/user_beancounters lists the host and both CTs"
assert_eq "$(head -n 1 /proc/user_beancounters)" "Version: 2.5" "version line"
assert_eq "$(awk 'NR > 2' /proc/user_beancounters | wc -l)" "72" "24 rows per beancounter (dummy rows included)"
assert_eq "$(ubc barrier numfile $CT)" "200" "NUMFILE from the config reached the module"
assert_eq "$(ubc limit numtcpsock $CT)" "8" "NUMTCPSOCK limit"
assert_eq "$(ubc barrier numflock $CT2)" "9223372036854775807" "an unset resource is unlimited"
assert_eq "$(ubc barrier numfile $CT2)" \
    "$(sed -n 's/^NUMFILE="\([0-9]*\):.*/\1/p' "$VZKIT_SRC/etc/conf/ve-vswap-256m.conf-sample")" \
    "the default sample's NUMFILE reached the module"
assert_eq "$(ubc held numproc $CT)" "$(cat "$(ct_cgroup $CT pids)/pids.current")" "numproc held = pids.current"
assert_eq "$(ubc limit physpages $CT)" "$(( $(cat "$(ct_cgroup $CT memory)/memory.max") / 4096 ))" \
    "physpages limit = memory.max"
assert_eq "$(ubc_ids /proc/bc/resources | tr '\n' ' ')" "0 $CT $CT2 " "/proc/bc/resources lists the same"
assert_true "/proc/bc/resources has swappages" -- grep -q swappages /proc/bc/resources
assert_false "... and no dummy rows" -- grep -q dummy /proc/bc/resources
INSIDE=$("$VZCTL" exec2 $CT cat /proc/user_beancounters)
assert_eq "$(echo "$INSIDE" | awk '$1 ~ /^[0-9]+:$/ { print $1 }' | tr '\n' ' ')" "$CT: " \
    "inside the CT only its own beancounter"
assert_eq "$("$VZCTL" exec2 $CT cat /proc/vz/veinfo | awk '{ print $1 }')" "$CT" "veinfo inside: only the CT"
expect_rc 1 "a CT cannot read another's /proc/bc/<id>" -- "$VZCTL" exec2 $CT cat /proc/bc/$CT2/resources
assert_eq "$(awk '{ print $1 }' /proc/vz/veinfo | tr '\n' ' ')" "0 $CT $CT2 " "veinfo on the host"

# Acceptance 2: refused at the barrier with OpenVZ's errno, failcnt bumped,
# held exactly at the barrier meanwhile and back where it was after close.
check_refusal() { # RESOURCE KIND ERRNO [ARGS]
    res=$1 kind=$2 want=$3; shift 3
    before=$(ubc held "$res" $CT)
    fails=$(ubc failcnt "$res" $CT)
    barrier=$(ubc barrier "$res" $CT)
    if ! { is_number "$before" && is_number "$fails" && is_number "$barrier"; }; then
        fail "$res: no figures in /proc/user_beancounters"
        return
    fi
    hold $CT "$kind" 1000 "$@"
    assert_eq "$HOLD_ERRNO" "$want" "$kind past ${res^^} fails with errno $want"
    assert_eq "$(ubc held "$res" $CT)" "$barrier" "$res held is at the barrier while held"
    assert_true "$res failcnt rose ($fails → $(ubc failcnt "$res" $CT))" -- test "$(ubc failcnt "$res" $CT)" -gt "$fails"
    assert_true "$kind: $HOLD_TAKEN taken before the refusal" -- test "${HOLD_TAKEN:-0}" -gt 0
    hold_end
    assert_eq "$(wait_figure held "$res" $CT "$before")" "$before" "$res held back to $before after close"
}
check_refusal numfile files 23              # ENFILE
check_refusal numtcpsock tcp 105            # ENOBUFS
check_refusal numothersock udp 105          # ENOBUFS (inet)
check_refusal numothersock unix 12          # ENOMEM (unix)
check_refusal numflock flock 37 /tmp        # ENOLCK
check_refusal numpty pty 12                 # ENOMEM
assert_eq "$(ubc failcnt numfile $CT2)" "0" "the other CT was not charged"

# What the CT did is what the file says: 5 TCP sockets, exactly.
hold $CT tcp 5
assert_eq "$(ubc held numtcpsock $CT)" "5" "5 sockets opened → numtcpsock held 5"
assert_true "numtcpsock maxheld remembers the barrier" -- test "$(ubc maxheld numtcpsock $CT)" -ge 8
hold_end

# Acceptance 5: vzubc and vzlist show the /proc numbers.
p1=$(ubc held physpages $CT)
VZUBC_OUT=$("$VZUBC" -v $CT)
LIST=$("$VZLIST" -H -o ctid,numproc,numproc.f,physpages $CT)
JSON=$("$VZLIST" -j $CT)
p2=$(ubc held physpages $CT)
# shellcheck disable=SC2086 # split: the four columns
set -- $LIST
assert_eq "$1 $2 $3" "$CT $(ubc held numproc $CT) $(ubc failcnt numproc $CT)" \
    "vzlist -o ctid,numproc,numproc.f: the /proc figures"
assert_true "vzlist physpages ($4) is the /proc figure ($p1..$p2)" -- \
    in_range "$4" $(( p1 < p2 ? p1 : p2 )) $(( p1 > p2 ? p1 : p2 ))
J=$(echo "$JSON" | python3 -c 'import json,sys; c=json.load(sys.stdin)[0]; print(c["ctid"], c["numfile"]["barrier"], c["numfile"]["failcnt"], c["numtcpsock"]["maxheld"], c["kmemsize"]["limit"])')
assert_eq "$J" "$CT $(ubc barrier numfile $CT) $(ubc failcnt numfile $CT) $(ubc maxheld numtcpsock $CT) $(ubc limit kmemsize $CT)" \
    "vzlist -j: the /proc figures"
# A vzubc row as "name held maxheld barrier limit failcnt" (vzubc -v prints
# exact numbers; "-" is 0 or unlimited).
vzubc_row() { echo "$1" | awk -F'|' -v r="$2" '{ gsub(/ /, "", $1) } $1 == r {
    split($2, h, " "); split($3, m, " "); gsub(/ /, "", $4); gsub(/ /, "", $5); gsub(/ /, "", $6)
    print r, h[1], m[1], $4, $5, $6 }'; }
dash() { case $1 in 0 | 9223372036854775807) echo - ;; *) echo "$1" ;; esac; }
assert_contains "$VZUBC_OUT" "CT $CT" "vzubc shows the CT"
for res in numfile numtcpsock numothersock numproc; do
    assert_eq "$(vzubc_row "$VZUBC_OUT" $res)" \
        "$res $(dash "$(ubc held $res $CT)") $(dash "$(ubc maxheld $res $CT)") $(dash "$(ubc barrier $res $CT)") $(dash "$(ubc limit $res $CT)") $(dash "$(ubc failcnt $res $CT)")" \
        "vzubc $res: the /proc figures"
done
expect_rc 0 "vzubc -r (failcnt since the last run)" -- "$VZUBC" -v -r -rd "$IT_ROOT/store" $CT
expect_rc 0 "vzubc -r again" -- "$VZUBC" -v -r -rd "$IT_ROOT/store" $CT
assert_eq "$(vzubc_row "$OUT" numfile | awk '{ print $6 }')" "-" "vzubc -r: no new numfile failures since the last run"

# vzmemcheck and vzcalc read the same beancounters.
expect_rc 0 "vzmemcheck -v" -- "$VZKIT_BUILD/bin/vzmemcheck" -v
assert_eq "$(echo "$OUT" | awk '$1 ~ /^[0-9]+$/ { print $1 }' | tr '\n' ' ')" "$CT $CT2 " "vzmemcheck -v: one row per CT"
assert_contains "$OUT" "Summary:" "vzmemcheck summary"
expect_rc 0 "vzcalc -v" -- "$VZKIT_BUILD/bin/vzcalc" -v $CT
assert_contains "$OUT" "Num. Proc" "vzcalc -v rows"
expect_rc 31 "vzcalc of a CT that does not run" -- "$VZKIT_BUILD/bin/vzcalc" 4999

# vzctl set changes a module limit live.
expect_rc 0 "set --numfile 300 live" -- "$VZCTL" set $CT --numfile 300
assert_eq "$(ubc barrier numfile $CT)" "300" "NUMFILE changed live in the module"

# Acceptance 1: a fork bomb stops at NUMPROC, the host stays responsive.
expect_rc 0 "set --numproc 48 live" -- "$VZCTL" set $CT --numproc 48
fails=$(ubc failcnt numproc $CT)
"$VZCTL" exec2 $CT 'b() { b | b & }; b' >/dev/null 2>&1 &
sleep 6
start=$(date +%s)
for _ in $(seq 20); do /bin/true; done
cat /proc/user_beancounters > /dev/null
took=$(( $(date +%s) - start ))
assert_true "the host stays responsive during the bomb (${took}s)" -- test "$took" -lt 10
max=$(ubc maxheld numproc $CT)
assert_true "the bomb reached NUMPROC 48 and never passed it (maxheld $max)" -- in_range "$max" 40 48
assert_true "numproc failcnt rose ($fails → $(ubc failcnt numproc $CT))" -- test "$(ubc failcnt numproc $CT)" -gt "$fails"
expect_rc 0 "the bombed CT can still be stopped" -- "$VZCTL" stop $CT --fast
assert_eq "$(ubc_ids | tr '\n' ' ')" "0 $CT2 " "a stopped CT is gone from /proc/user_beancounters"
expect_rc 0 "stop $CT2" -- "$VZCTL" stop $CT2 --fast
expect_rc 0 "the module unloads once no CT is registered" -- rmmod vzkit

# --- the module under running CTs (issue 17) ---------------------------------
# A registered CT pins the module: rmmod is refused while one runs, and the
# CT goes on as before. A CT started without the module is not registered:
# the module may come and go under it, and every command goes on working.
mod_load
mod_start $CT2 || fail "start $CT2 with the module"
expect_rc 1 "rmmod while a registered CT runs is refused" -- rmmod vzkit
assert_contains "$OUT" "in use" "rmmod says the module is in use"
assert_eq "$(ubc_ids | tr '\n' ' ')" "0 $CT2 " "the module and the CT's beancounter stay"
expect_rc 0 "exec after the refused rmmod" -- "$VZCTL" exec2 $CT2 true
expect_rc 0 "stop $CT2" -- "$VZCTL" stop $CT2 --fast
expect_rc 0 "rmmod once it stopped" -- rmmod vzkit

mod_start $CT || fail "start $CT without the module"
mod_load
expect_rc 0 "vzlist: the module loaded under a CT it does not know" -- "$VZLIST" -H -o ctid,status $CT
assert_contains "$OUT" "running" "vzlist shows the CT running"
expect_rc 0 "exec" -- "$VZCTL" exec2 $CT true
expect_rc 0 "set --numproc live" -- "$VZCTL" set $CT --numproc 100
assert_eq "$(cat "$(ct_cgroup $CT pids)/pids.max")" "100" "NUMPROC reached pids.max"
expect_rc 0 "rmmod under a running CT it does not know" -- rmmod vzkit
assert_false "/proc/user_beancounters is gone" -- test -e /proc/user_beancounters
expect_rc 1 "vzubc with the module gone" -- "$VZUBC"
assert_contains "$OUT" "module" "vzubc says the module is missing"
assert_eq "$(printf '%s\n' "$OUT" | wc -l)" "1" "in one line"
expect_rc 0 "vzlist with the module gone" -- "$VZLIST" -H -o ctid,status $CT
assert_contains "$OUT" "running" "vzlist still shows the CT running"
OUT=$("$VZLIST" -H -o ctid,numproc,numfile $CT 2>&1 >/dev/null)
assert_contains "$OUT" "numfile" "vzlist names what it cannot show with the module gone"
expect_rc 0 "exec with the module gone" -- "$VZCTL" exec2 $CT true
expect_rc 0 "set --numproc live with the module gone" -- "$VZCTL" set $CT --numproc 120
assert_eq "$(cat "$(ct_cgroup $CT pids)/pids.max")" "120" "NUMPROC reached pids.max"
expect_rc 0 "stop with the module gone" -- "$VZCTL" stop $CT
expect_rc 0 "start again" -- "$VZCTL" start $CT
assert_true "it runs" -- wait_running $CT
expect_rc 0 "stop" -- "$VZCTL" stop $CT --fast

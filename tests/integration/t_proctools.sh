#!/bin/bash
# vzpid, vzps, vzkillall and vztop with three running containers (2501-2503)
# and host processes of the same name: which CT a process is in and its pid
# there, listing one CT, killing by name in one CT / every CT / the host only,
# per-CT CPU, memory and failure counters, and the errors.
#
# The processes killed by name are scripts called "ptsleep" (a script's
# process carries its own name), a name no other test uses: --host and
# --all-cts must never reach another test's processes.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
VZPID="$VZKIT_BUILD/bin/vzpid"
VZPS="$VZKIT_BUILD/bin/vzps"
VZKILLALL="$VZKIT_BUILD/bin/vzkillall"
VZTOP="$VZKIT_BUILD/bin/vztop"
CTS="2501 2502 2503"
NOT_RUNNING=2599

# The sleeper: records its pid (the CT pid inside a CT) and idles in short
# sleeps, so that no long sleep outlives it on the host.
# shellcheck disable=SC2016 # the sleeper's own script, expanded when it runs
SLEEPER='#!/bin/sh
echo $$ > "${0%/*}/ptsleep.pid"
while :; do sleep 1; done'
printf '%s\n' "$SLEEPER" > "$IT_ROOT/ptsleep"
chmod 755 "$IT_ROOT/ptsleep"
HOST_PIDS=""

cleanup() {
    for p in $HOST_PIDS; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    it_teardown
}
trap cleanup EXIT

for ct in $CTS; do
    it_ct "$ct"
    expect_rc 0 "create $ct" -- "$VZCTL" create "$ct" --ostemplate busybox-minimal \
        --hostname "ct$ct.example.test"
    expect_rc 0 "start $ct" -- "$VZCTL" start "$ct"
done
for ct in $CTS; do wait_running "$ct" || fail "CT $ct did not come up"; done

ct_procs() { sort -n "$(ct_cgroup "$1" pids)/cgroup.procs"; }
# A live (not zombie) process's state letter, empty when it is gone.
state_of() { [ -r "/proc/$1/stat" ] && sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null | grep -v Z; }
alive() { [ -n "$(state_of "$1")" ]; }
# Host pids of the live processes called $2 in CT $1 (or on the host for 0).
named_in() {
    local pids p
    if [ "$1" = 0 ]; then pids=$HOST_PIDS; else pids=$(ct_procs "$1"); fi
    for p in $pids; do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && alive "$p" && echo "$p"
    done
}
# Waits up to 3 s until CT $1 (0: host) has exactly $2 live ptsleeps.
has_count() { [ "$(named_in "$1" ptsleep | wc -l)" = "$2" ]; }
wait_count() { wait_until 3 has_count "$1" "$2"; }
# wait_counts N CTID...: wait_count N for each CT in turn.
wait_counts() {
    local n=$1 ct
    shift
    for ct; do wait_count "$ct" "$n" || return 1; done
}
# increasing A B C...: each integer is smaller than the next.
increasing() {
    while [ $# -gt 1 ]; do
        [ "$1" -lt "$2" ] || return 1
        shift
    done
}
start_ct_sleeper() {
    "$VZCTL" --quiet exec2 "$1" "printf '%s\n' '$SLEEPER' > /tmp/ptsleep; chmod 755 /tmp/ptsleep;
        /tmp/ptsleep </dev/null >/dev/null 2>&1 &" || fail "ptsleep did not start in CT $1"
}
start_host_sleeper() {
    "$IT_ROOT/ptsleep" </dev/null >/dev/null 2>&1 &
    HOST_PIDS="$HOST_PIDS $!"
}
start_all() {
    for ct in $CTS; do start_ct_sleeper "$ct"; done
    for ct in $CTS; do wait_count "$ct" 1 || fail "CT $ct: no ptsleep"; done
}
# Host sleepers are our children: reap the dead so they do not linger as zombies.
reap_host() { for p in $HOST_PIDS; do alive "$p" || wait "$p" 2>/dev/null; done; }

start_all
start_host_sleeper
start_host_sleeper
wait_count 0 2 || fail "no host ptsleeps"

# ---- 1. vzpid and vzps map processes to their CT and CT pid ----------------------
for ct in $CTS; do
    INIT=$(ct_procs "$ct" | while read -r p; do
        awk -v p="$p" '$1 == "NSpid:" && NF == 3 && $3 == 1 {print p}' "/proc/$p/status"; done)
    expect_rc 0 "vzpid -p on CT $ct's init" -- "$VZPID" -p "$INIT"
    assert_eq "$OUT" "$(printf 'Pid\tCT/Pid\tCTID\tName\n%s\t1\t%s\tinit' "$INIT" "$ct")" \
        "CT $ct's init maps to CTID $ct, CT pid 1"
done
KNOWN=$(named_in 2502 ptsleep)
KNOWN_VPID=$("$VZCTL" --quiet exec2 2502 'cat /tmp/ptsleep.pid')
expect_rc 0 "vzpid on a known CT process" -- "$VZPID" "$KNOWN"
assert_eq "$OUT" "$(printf 'Pid\tCTID\tName\n%s\t2502\tptsleep' "$KNOWN")" \
    "OpenVZ's three columns for CT 2502's ptsleep"
expect_rc 0 "vzpid -p on a known CT process" -- "$VZPID" -p "$KNOWN"
assert_eq "$OUT" "$(printf 'Pid\tCT/Pid\tCTID\tName\n%s\t%s\t2502\tptsleep' "$KNOWN" "$KNOWN_VPID")" \
    "the CT pid is the one the process sees"
# shellcheck disable=SC2086 # split: $1 and $2 are the two host sleepers
set -- $HOST_PIDS
expect_rc 0 "vzpid -p on a host process of the same name" -- "$VZPID" -p "$1"
assert_eq "$OUT" "$(printf 'Pid\tCT/Pid\tCTID\tName\n%s\t%s\t0\tptsleep' "$1" "$1")" \
    "a host ptsleep is CTID 0 with its own pid"
OUT=$(echo "$1 $KNOWN" | "$VZPID" -)
assert_eq "$(echo "$OUT" | cut -f1,2 | tail -n 2 | tr '\t\n' ': ')" "$1:0 $KNOWN:2502 " \
    "vzpid - reads pids from standard input"
OUT=$("$VZPID" -j "$KNOWN" | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["pid"], d["ctid"], d["vpid"], d["name"])')
assert_eq "$OUT" "$KNOWN 2502 $KNOWN_VPID ptsleep" "vzpid -j"

# A CT's own services (cron) may fork meanwhile: compare until they agree.
vzps_lists_the_cgroup() {
    LISTED=$("$VZPS" -E 2502 -o pid= | tr -d ' ' | sort -n)
    WANT=$(ct_procs 2502)
    [ "$LISTED" = "$WANT" ]
}
wait_until 3 vzps_lists_the_cgroup
assert_eq "$LISTED" "$WANT" "vzps -E 2502 lists exactly the processes of CT 2502's cgroup"
expect_rc 0 "vzps -E 2502 -o ctid,pid,vpid,comm" -- "$VZPS" -E 2502 -o ctid,pid,vpid,comm
assert_eq "$(echo "$OUT" | awk 'NR > 1 {print $1}' | sort -u)" "2502" "every row is CTID 2502"
assert_eq "$(echo "$OUT" | awk -v p="$KNOWN" '$2 == p {print $3, $4}')" "$KNOWN_VPID ptsleep" \
    "vzps shows the CT pid of CT 2502's ptsleep"
assert_eq "$(echo "$OUT" | awk '$4 == "init" {print $3}')" "1" "CT 2502's init is VPID 1"
expect_rc 0 "vzps -e -o ctid,comm" -- "$VZPS" -e -o ctid= -o comm=
assert_eq "$(echo "$OUT" | awk '$2 == "ptsleep" {print $1}' | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')" \
    "0x2 2501x1 2502x1 2503x1 " "vzps -e: ptsleep once per CT and twice on the host"
expect_rc 0 "vzps -E 0" -- "$VZPS" -E 0 -o pid=
assert_false "vzps -E 0 (the host) leaves CT processes out" -- with_input "$OUT" grep -qw "$KNOWN"
assert_true "vzps -E 0 shows host processes" -- with_input "$OUT" grep -qw "$1"
expect_rc 0 "vzps -E 2502 -j" -- "$VZPS" -E 2502 -j
assert_eq "$(echo "$OUT" | python3 -c 'import json,sys; print(sorted({r["ctid"] for r in json.load(sys.stdin)}))')" \
    "[2502]" "vzps -j parses, all rows CTID 2502"
expect_rc 0 "vzps -E 2501,2503 --sort=-ctid" -- "$VZPS" -E 2501,2503 --sort=-ctid,pid -o ctid=
assert_eq "$(echo "$OUT" | uniq | tr -d ' ' | tr '\n' ' ')" "2503 2501 " "two CTs, sorted by CTID descending"

# ---- 2. vzkillall by scope ----------------------------------------------------
expect_rc 0 "vzkillall -n -E 2501" -- "$VZKILLALL" -n -E 2501 ptsleep
assert_eq "$(echo "$OUT" | awk 'NR > 1 {print $1, $3, $4}')" "$(named_in 2501 ptsleep) 2501 ptsleep" \
    "-n lists only CT 2501's ptsleep"
expect_rc 0 "vzkillall -E 2501 ptsleep" -- "$VZKILLALL" -E 2501 ptsleep
assert_true "CT 2501's ptsleep is gone" -- wait_count 2501 0
assert_true "CT 2502's and 2503's are alive" -- wait_counts 1 2502 2503
assert_true "the host's are alive" -- wait_count 0 2
expect_rc 1 "vzkillall -E 2501 ptsleep again: none left" -- "$VZKILLALL" -E 2501 ptsleep
assert_contains "$OUT" "ptsleep: no process found" "says so as killall does"

expect_rc 0 "vzkillall --all-cts ptsleep" -- "$VZKILLALL" -v --all-cts ptsleep
assert_contains "$OUT" "in CT 2502" "-v names the container"
assert_true "every CT's ptsleep is gone" -- wait_counts 0 2502 2503
assert_true "none of the host's" -- wait_count 0 2

start_all
expect_rc 0 "vzkillall --host ptsleep" -- "$VZKILLALL" --host ptsleep
assert_true "the host's ptsleeps are gone" -- wait_count 0 0
reap_host
assert_true "no CT's ptsleep" -- wait_counts 1 2501 2502 2503

# A sleeper that ignores TERM survives the default signal, not -s KILL / -9.
(trap '' TERM; exec "$IT_ROOT/ptsleep") </dev/null >/dev/null 2>&1 &
HOST_PIDS="$HOST_PIDS $!"
IGNORER=$!
assert_true "a TERM-ignoring host ptsleep runs" -- wait_count 0 1
expect_rc 0 "vzkillall --host (TERM)" -- "$VZKILLALL" --host ptsleep
sleep 0.3
assert_true "TERM was ignored" -- alive "$IGNORER"
expect_rc 0 "vzkillall --host -s KILL" -- "$VZKILLALL" --host -s KILL ptsleep
assert_true "-s KILL killed it" -- wait_count 0 0
reap_host

# No scope: the host's and every CT's, as killall on an OpenVZ host; -w waits.
start_host_sleeper
assert_true "a host ptsleep runs" -- wait_count 0 1
expect_rc 0 "vzkillall -w -9 ptsleep (everywhere)" -- "$VZKILLALL" -w -9 ptsleep
assert_eq "$(for ct in 0 $CTS; do named_in "$ct" ptsleep; done | wc -l)" "0" \
    "-w returned after every ptsleep, host and CTs, had exited"
reap_host

# ---- 3. vztop: one row per CT, a busy CT near one CPU, failure counters ---------
"$VZCTL" --quiet exec2 2501 'while :; do :; done </dev/null >/dev/null 2>&1 &'
LOOP=$(ct_procs 2501 | while read -r p; do [ "$(cat "/proc/$p/comm")" = sh ] && echo "$p"; done | head -n 1)
# The loop's own CPU share over the same time, from its /proc/<pid>/stat: on a
# host busy with other work it cannot get a whole CPU, and vztop must say so.
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
T0=$(ticks "$LOOP"); S0=$(date +%s.%N)
expect_rc 0 "vztop -b -n 2 -d 2" -- "$VZTOP" -b -n 2 -d 2 -s ctid
T1=$(ticks "$LOOP"); S1=$(date +%s.%N)
SHARE=$(awk -v t=$((T1 - T0)) -v s0="$S0" -v s1="$S1" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f", t / hz / (s1 - s0) * 100 }')
FRAME2=$(echo "$OUT" | awk '/^vztop - /{n++} n == 2')
row() { echo "$FRAME2" | awk -v ct="$1" '$1 == ct'; }
# "14.2M" → bytes
bytes() { awk -v v="$1" 'BEGIN { u = substr(v, length(v)); n = substr(v, 1, length(v) - 1);
    m = (u == "K") ? 1024 : (u == "M") ? 1048576 : (u == "G") ? 1073741824 : 0; printf "%d", n * m }'; }
for ct in $CTS; do
    assert_true "frame 2 has a row for CT $ct" -- test -n "$(row "$ct")"
    MEM=$(bytes "$(row "$ct" | awk '{print $5}')")
    assert_true "CT $ct memory is plausible ($MEM bytes)" -- increasing 65536 "$MEM" 268435456
    if cgroup_v2; then CG_FILE=memory.current; else CG_FILE=memory.usage_in_bytes; fi
    CG_MEM=$(cat "$(ct_cgroup "$ct" memory)/$CG_FILE")
    assert_true "CT $ct memory matches its cgroup ($MEM vs $CG_MEM)" -- \
        increasing $((CG_MEM / 2)) "$MEM" $((CG_MEM * 2))
    assert_true "CT $ct NPROC counts its processes" -- test "$(row "$ct" | awk '{print $2}')" -ge 3
done
BUSY=$(row 2501 | awk '{print $4}')
# What the loop gets depends on the host's other work (a VM beside this test
# in make check): vztop must show that share, whatever it is, well above idle.
assert_true "busy CT 2501 shows its loop's CPU ($BUSY%; the loop itself got $SHARE% of a CPU meanwhile)" -- \
    awk -v c="$BUSY" -v s="$SHARE" 'BEGIN { exit !(c >= 10 && c <= 110 && c - s < 25 && s - c < 25) }'
assert_true "BUSIEST of CT 2501 is its looping shell" -- with_input "$(row 2501 | awk '{print $10}')" grep -q '^sh/'
for ct in 2502 2503; do
    IDLE=$(row "$ct" | awk '{print $4}')
    assert_true "idle CT $ct near 0% ($IDLE%)" -- awk -v c="$IDLE" 'BEGIN { exit !(c < 25) }'
done
"$VZKILLALL" -q -E 2501 sh

# Failures: CT 2503 limited to 12 processes tries to run 30 while vztop watches.
expect_rc 0 "set --numproc 12:12 on 2503" -- "$VZCTL" set 2503 --numproc 12:12
: > "$IT_ROOT/failing"
( while [ -f "$IT_ROOT/failing" ]; do
    # shellcheck disable=SC2016 # expanded by the CT's shell, not this one
    "$VZCTL" --quiet exec2 2503 'i=0; while [ $i -lt 30 ]; do sleep 1 & i=$((i+1)); done; wait' \
        >/dev/null 2>&1
    sleep 0.3
  done ) &
FAILER=$!
expect_rc 0 "vztop -b -n 3 -d 2 while CT 2503 hits NUMPROC" -- "$VZTOP" -b -n 3 -d 2 -E 2503
rm -f "$IT_ROOT/failing"
wait $FAILER
ROWS=$(echo "$OUT" | awk '$1 == 2503')
assert_eq "$(echo "$ROWS" | wc -l)" "3" "-E 2503: one row per frame, no other CT"
LAST_FAILCNT=$(echo "$ROWS" | tail -n 1 | awk '{print $8}')
assert_true "FAILCNT counts the refused forks ($LAST_FAILCNT)" -- test "$LAST_FAILCNT" -gt 0
# shellcheck disable=SC2016 # awk's fields, not the shell's
assert_true "+FAIL shows new failures while they happen" -- \
    with_input "$ROWS" awk '{sub(/^\+/, "", $9); s += $9} END {exit !(s > 0)}'
# shellcheck disable=SC2016 # awk's fields, not the shell's
assert_true "+FAIL is the change of FAILCNT between frames" -- \
    with_input "$ROWS" awk 'NR > 1 && $8 - prev != substr($9, 2) {bad = 1} {prev = $8} END {exit bad}'

# ---- 4. errors: clear one-line messages, non-zero exits --------------------------
expect_rc 1 "vzpid: unknown pid" -- "$VZPID" 99999999
assert_contains "$OUT" "vzpid: no such process: 99999999" "names the pid"
assert_eq "$(echo "$OUT" | grep -c .)" "2" "the header and one error line, nothing else"
sh -c 'exit 0' &
DEAD=$!
wait $DEAD
expect_rc 1 "vzpid: dead pid" -- "$VZPID" $DEAD
assert_contains "$OUT" "vzpid: no such process: $DEAD" "names the dead pid"
expect_rc 1 "vzpid: a bad pid among good ones" -- "$VZPID" 1 abc
assert_contains "$OUT" "vzpid: invalid pid: abc" "names the bad argument"
assert_contains "$OUT" "$(printf '1\t0\t')" "still prints the good ones"
expect_rc 1 "vzpid without arguments" -- "$VZPID"
assert_contains "$OUT" "Usage: vzpid" "prints the usage"
expect_rc 1 "vzkillall: bad signal name" -- "$VZKILLALL" -s BOGUS ptsleep
assert_eq "$OUT" "vzkillall: BOGUS: unknown signal; vzkillall -l lists signals." "one line naming it"
expect_rc 1 "vzkillall: bad signal number" -- "$VZKILLALL" -s 99 ptsleep
expect_rc 31 "vzkillall: CT not running" -- "$VZKILLALL" -E $NOT_RUNNING ptsleep
assert_eq "$OUT" "vzkillall: Container $NOT_RUNNING is not running" "names the CT"
expect_rc 1 "vzkillall: bad CTID" -- "$VZKILLALL" -E abc ptsleep
assert_eq "$OUT" "vzkillall: Bad CT ID abc" "names the bad CTID"
expect_rc 1 "vzkillall: two scopes" -- "$VZKILLALL" --host --all-cts ptsleep
expect_rc 1 "vzkillall: no name" -- "$VZKILLALL" --host
expect_rc 31 "vzps: CT not running" -- "$VZPS" -E $NOT_RUNNING
assert_eq "$OUT" "vzps: Container $NOT_RUNNING is not running" "names the CT"
expect_rc 1 "vzps: unknown field" -- "$VZPS" -e -o pid,bogus
assert_contains "$OUT" "Unknown format specifier: bogus" "names the field"
expect_rc 1 "vzps: unknown sort key" -- "$VZPS" -e --sort=-bogus
expect_rc 1 "vzps: no such pid" -- "$VZPS" -p 99999999
expect_rc 31 "vztop: CT not running" -- "$VZTOP" -b -n 1 -d 0.1 -E $NOT_RUNNING
expect_rc 1 "vztop: -E 0 (the host is no container)" -- "$VZTOP" -b -n 1 -E 0
expect_rc 1 "vztop: bad delay" -- "$VZTOP" -b -d abc
assert_eq "$OUT" "vztop: Bad delay: abc (seconds, more than 0)" "names the delay"
expect_rc 1 "vztop: bad count" -- "$VZTOP" -b -n 0
expect_rc 1 "vztop: no terminal without -b" -- "$VZTOP" -n 1
for tool in "$VZPID 1" "$VZPS -e" "$VZKILLALL -n ptsleep" "$VZTOP -b -n 1"; do
    # shellcheck disable=SC2086 # split: the tool's path, then its arguments
    expect_rc 1 "${tool##*/} as a user" -- setpriv --reuid=65534 --regid=65534 --clear-groups $tool
    assert_contains "$OUT" "can only be run under root" "${tool##*/}: refuses non-root"
done

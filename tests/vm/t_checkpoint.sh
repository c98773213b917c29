#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh), issue 16 acceptance 1 and 2 with the
# module loaded: a container whose process keeps a count in memory and holds a
# TCP connection from a client in another container is checkpointed with
# criu (vzctl chkpnt) and restored (vzctl restore): the count continues, the
# connection and the pids inside are the same, vzlist, the cgroup and
# /proc/user_beancounters show it with its limits, the host end of venet is
# as start made it and criu's left-over nftables table is gone. suspend /
# resume freeze it (no CPU used) and thaw it. Faults: a checkpoint that fails
# (criu not in PATH, a resource criu refuses) leaves it running and thawed; a
# restore from a missing, corrupt or unsafe dump fails with 17, leaving
# nothing started and the dump as it was. docs/checkpoint.md.
# shellcheck source=module/lib.sh
. "$VZKIT_SRC/tests/vm/module/lib.sh"
criu_ready
it_setup
mod_load
CT=4160
CLI=4161
IP=198.51.100.60
DUMP=$IT_ROOT/vz/dump/Dump.$CT
CG=/sys/fs/cgroup/vz/$CT

for ct in $CT $CLI; do
    it_ct "$ct"
    "$VZCTL" --quiet create "$ct" --ostemplate busybox-minimal >/dev/null 2>&1 || fail "create $ct"
done
"$VZCTL" --quiet set $CT --ipadd $IP --numproc 240:240 --save >/dev/null 2>&1 || fail "set $CT"
"$VZCTL" --quiet set $CLI --ipadd 198.51.100.61 --save >/dev/null 2>&1 || fail "set $CLI"
# The server: one connection, each line answered with how many it got so far
# (the count lives only in the shell's memory).
cat > "$IT_ROOT/vz/private/$CT/counter.sh" <<'EOF'
#!/bin/sh
n=0
while read -r line; do
    n=$((n + 1))
    echo "$n $line"
done
EOF
chmod 755 "$IT_ROOT/vz/private/$CT/counter.sh"
mod_start $CT || fail "start $CT"
mod_start $CLI || fail "start $CLI"
"$VZCTL" exec2 $CT 'setsid nc -l -p 7000 -e /counter.sh </dev/null >/dev/null 2>&1 &'
sleep 1
# The client: nc's input is a FIFO the client's shell also holds open for
# writing, so the connection stays up between the lines the test sends.
"$VZCTL" exec2 $CLI 'mkfifo /tmp/in && setsid sh -c "exec 3<>/tmp/in; exec nc '$IP' 7000 </tmp/in >/tmp/out 2>&1" </dev/null >/dev/null 2>&1 &'
send() { "$VZCTL" exec2 $CLI "echo $1 > /tmp/in"; }
answered() { "$VZCTL" exec2 $CLI "grep -qx '$1' /tmp/out"; }
send ping1
assert_true "the client's first line is answered" -- wait_until 20 answered "1 ping1"

# Every process of the CT as "pid comm", the listing shell and its parent left out.
ct_pids() {
    # shellcheck disable=SC2016 # expanded by the CT's shell, not this one
    "$VZCTL" exec2 "$1" 'for p in /proc/[0-9]*; do n=${p#/proc/}; [ "$n" = "$$" ] || [ "$n" = "$PPID" ] || { read -r c < "$p/comm" && echo "$n $c"; }; done' 2>/dev/null |
        grep -v vzkit-exec | sort -n
}
nft_tables() { nsenter --net="/proc/$(head -n 1 "$CG/cgroup.procs")/ns/net" nft list tables; }
frozen() { grep -qx 'frozen 1' "$CG/cgroup.events"; }
img_sums() { (cd "$1" && md5sum ./*.img); }
ubc_listed() { ubc_ids /proc/user_beancounters | grep -qx "$1"; }

# --- faults of chkpnt: the container keeps running, thawed -------------------
expect_rc 16 "chkpnt with criu not in PATH" -- env PATH=/nonexistent "$VZCTL" chkpnt $CT
assert_contains "$OUT" "criu" "... says criu is missing"
assert_true "... the container still runs" -- ct_status_matches $CT -q running
assert_false "... thawed" -- frozen
assert_false "... no dump left" -- test -e "$DUMP"
# A deleted file of 2 MB held open: over criu's ghost-file limit (1 MB).
"$VZCTL" exec2 $CT 'dd if=/dev/zero of=/big bs=1M count=2 2>/dev/null; setsid sleep 3600 </big >/dev/null 2>&1 & sleep 1; rm /big'
expect_rc 16 "chkpnt of a resource criu refuses (a large deleted file held open)" -- "$VZCTL" chkpnt $CT
assert_contains "$OUT" "ghost" "... criu's reason: the deleted file"
assert_true "... the container still runs" -- ct_status_matches $CT -q running
assert_false "... thawed" -- frozen
assert_false "... no dump under its name" -- test -e "$DUMP"
assert_true "... criu's log kept in Dump.$CT.fail" -- test -s "$DUMP.fail/dump.log"
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
"$VZCTL" exec2 $CT 'kill $(pidof sleep)'
assert_true "... the process that held it ends when killed" -- wait_until 10 not "$VZCTL" exec2 $CT 'pidof sleep'
send ping2
assert_true "... the connection and the count go on" -- wait_until 20 answered "2 ping2"

# History to carry over: forks refused at NUMPROC (240) count in failcnt.
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
# The sleeps are killed from the host: at NUMPROC nothing inside can fork a
# kill (busybox's shell also gives up at the first refused fork).
"$VZCTL" exec2 $CT 'for i in $(seq 1 260); do sleep 60 & done' >/dev/null 2>&1
sleeps() { while read -r p; do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] && echo "$p"; done < "$CG/cgroup.procs"; }
# shellcheck disable=SC2046 # one pid a word
kill $(sleeps) 2>/dev/null
# Killed, a sleep leaves the group at once but stays in the CT's /proc as a
# zombie until init reaps it: the pid snapshot below must not catch one.
no_sleeps() { [ -z "$(sleeps)" ] && ! ct_pids $CT | grep -q ' sleep$'; }
assert_true "the forks' sleeps are gone" -- wait_until 20 no_sleeps
FAILCNT=$(ubc failcnt numproc $CT)
MAXHELD=$(ubc maxheld numproc $CT)
assert_true "numproc failcnt counts the refused forks ($FAILCNT)" -- test "$FAILCNT" -gt 0

# --- acceptance 1: chkpnt, restore -------------------------------------------
PIDS_BEFORE=$(ct_pids $CT)
assert_contains "$PIDS_BEFORE" " counter.sh" "the server (nc -e counter.sh) runs in the CT"
expect_rc 0 "chkpnt" -- "$VZCTL" chkpnt $CT
[ -f "$DUMP.fail/dump.log" ] && grep Error "$DUMP.fail/dump.log" | head -n 20
assert_contains "$OUT" "Checkpointing completed successfully" "... OpenVZ's message"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down suspended" "status after chkpnt"
assert_eq "$("$VZLIST" -H -o status $CT | tr -d ' ')" "suspended" "vzlist: suspended"
assert_eq "$(stat -c '%U %a' "$DUMP")" "root 700" "the dump is root's, mode 700"
assert_true "... with criu's inventory" -- test -s "$DUMP/inventory.img"
assert_false "the cgroup is gone" -- test -d "$CG"
assert_false "venet0.$CT is gone" -- ip link show venet0.$CT
assert_false "the module forgot the CT" -- ubc_listed $CT
SUMS=$(img_sums "$DUMP")

# Restore faults first, against the dump above.
expect_rc 17 "restore from a missing dump" -- "$VZCTL" restore $CT --dumpfile "$IT_ROOT/nothing"
cp -a "$DUMP" "$IT_ROOT/bad"
big=$(find "$IT_ROOT/bad" -name 'pages-*.img' -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
truncate -s $(($(stat -c %s "$big") / 2)) "$big"
BAD_SUMS=$(img_sums "$IT_ROOT/bad")
expect_rc 17 "restore from a corrupt dump (pages cut in half)" -- "$VZCTL" restore $CT --dumpfile "$IT_ROOT/bad"
assert_eq "$(img_sums "$IT_ROOT/bad")" "$BAD_SUMS" "... the dump is as it was"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down suspended" "... nothing runs or is mounted"
assert_false "... no cgroup left" -- test -d "$CG"
assert_false "... no venet0.$CT left" -- ip link show venet0.$CT
assert_false "... not registered with the module" -- ubc_listed $CT
chmod 777 "$IT_ROOT/bad"
expect_rc 17 "restore from a dump others may write" -- "$VZCTL" restore $CT --dumpfile "$IT_ROOT/bad"
rm -rf "$IT_ROOT/bad"
ln -s "$DUMP" "$IT_ROOT/link"
expect_rc 17 "restore through a symlink to the dump" -- "$VZCTL" restore $CT --dumpfile "$IT_ROOT/link"
# Images the container's root could have written: refused wherever they are.
cp -a "$DUMP" "$IT_ROOT/vz/private/$CT/d"
expect_rc 17 "restore from a dump inside the container's private area" -- \
    "$VZCTL" restore $CT --dumpfile "$IT_ROOT/vz/private/$CT/d"
assert_contains "$OUT" "outside" "... says it must be outside the container"
rm -rf "$IT_ROOT/vz/private/$CT/d"
assert_eq "$(img_sums "$DUMP")" "$SUMS" "the real dump is untouched by the failed restores"

expect_rc 0 "restore" -- "$VZCTL" restore $CT
[ -f "$DUMP/restore.log" ] && grep Error "$DUMP/restore.log" | head -n 20
assert_contains "$OUT" "Restoring completed successfully" "... OpenVZ's message"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted running" "status after restore"
assert_false "the dump is removed after a restore" -- test -e "$DUMP"
assert_eq "$(ct_pids $CT)" "$PIDS_BEFORE" "the same processes with the same pids inside"
LINK=$(ip -o link show venet0.$CT)
assert_contains "$LINK" "NOARP" "venet0.$CT: NOARP again"
assert_contains "$LINK" ",UP" "... up"
assert_contains "$LINK" "link/ether 02:00:00:00:10:40" "... its MAC again"
assert_contains "$(ip route show $IP)" "dev venet0.$CT" "the host route to $IP"
assert_eq "$(cat /proc/sys/net/ipv4/conf/venet0.$CT/forwarding)" "1" "forwarding on venet0.$CT"
assert_not_contains "$(nft_tables)" "CRIU" "criu's nftables table is gone from the CT's namespace"
send ping3
assert_true "the count and the connection go on after restore" -- wait_until 30 answered "3 ping3"
assert_eq "$("$VZLIST" -H -o ctid,status,ip $CT | tr -s ' ' | sed 's/^ //')" "$CT running $IP" "vzlist"
assert_true "registered with the module again" -- ubc_listed $CT
assert_eq "$(ubc limit numproc $CT)" "240" "/proc/user_beancounters: its numproc limit"
assert_true "... its numproc failcnt carried over ($(ubc failcnt numproc $CT) >= $FAILCNT)" -- \
    test "$(ubc failcnt numproc $CT)" -ge "$FAILCNT"
assert_true "... and its maxheld ($(ubc maxheld numproc $CT) >= $MAXHELD)" -- \
    test "$(ubc maxheld numproc $CT)" -ge "$MAXHELD"
assert_eq "$(ubc held numproc $CT)" "$(cat "$CG/pids.current")" "... counting its processes"
assert_eq "$(cat "$CG/pids.max")" "240" "the cgroup's pids.max"

# --- acceptance 2: suspend, resume -------------------------------------------
"$VZCTL" exec2 $CT 'setsid sh -c "echo \$\$ > /tmp/busy.pid; while :; do :; done" </dev/null >/dev/null 2>&1 &'
usage() { awk '$1 == "usage_usec" { print $2 }' "$CG/cpu.stat"; }
expect_rc 0 "suspend" -- "$VZCTL" suspend $CT
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist mounted running suspended" "status: suspended"
assert_true "the cgroup is frozen" -- frozen
PIDS_FROZEN=$(cat "$CG/cgroup.procs")
u1=$(usage)
sleep 3
u2=$(usage)
assert_true "no CPU used while suspended ($((u2 - u1)) us in 3 s)" -- in_range $((u2 - u1)) 0 20000
expect_rc 0 "resume" -- "$VZCTL" resume $CT
assert_false "thawed" -- frozen
assert_eq "$(cat "$CG/cgroup.procs")" "$PIDS_FROZEN" "the same processes after resume"
u3=$(usage)
sleep 2
u4=$(usage)
assert_true "the busy loop runs again ($((u4 - u3)) us in 2 s)" -- in_range $((u4 - u3)) 50000 100000000
# shellcheck disable=SC2016 # expanded by the CT's shell, not this one
"$VZCTL" exec2 $CT 'kill $(cat /tmp/busy.pid)'
expect_rc 0 "chkpnt --suspend" -- "$VZCTL" chkpnt $CT --suspend
assert_true "... frozen" -- frozen
expect_rc 0 "chkpnt --resume" -- "$VZCTL" chkpnt $CT --resume
assert_false "... thawed" -- frozen
expect_rc 20 "two stages at once" -- "$VZCTL" chkpnt $CT --suspend --kill
send ping4
assert_true "the count goes on after suspend/resume" -- wait_until 20 answered "4 ping4"

# --- attack: the dump never where the container's root can write ------------
expect_rc 16 "chkpnt into the container's root" -- \
    "$VZCTL" chkpnt $CT --dumpfile "$IT_ROOT/vz/root/$CT/tmp/d"
assert_false "... nothing written there" -- test -e "$IT_ROOT/vz/private/$CT/tmp/d"
assert_true "... the container still runs, thawed" -- ct_status_matches $CT -q running
assert_eq "$("$VZCTL" exec2 $CT 'find / -xdev -name "*.img"' 2>&1)" "" "no criu image is visible inside"

# --- the console comes back: init keeps its pty's master, criu restores both ends
CON=4162
it_ct $CON
"$VZCTL" --quiet create $CON --ostemplate busybox-minimal >/dev/null 2>&1 || fail "create $CON"
echo 'console::respawn:/sbin/getty 38400 console' >> "$IT_ROOT/vz/private/$CON/etc/inittab"
mod_start $CON || fail "start $CON"
console_prompt() {
    { sleep 3; printf '\r'; sleep 4; printf '\033.'; sleep 2; } | timeout 40 "$VZCTL" console $CON 2>&1
}
assert_contains "$(console_prompt)" "login:" "a getty on the console before chkpnt"
expect_rc 0 "chkpnt of a CT with a getty on its console" -- "$VZCTL" chkpnt $CON
[ -f "$IT_ROOT/vz/dump/Dump.$CON.fail/dump.log" ] && grep Error "$IT_ROOT/vz/dump/Dump.$CON.fail/dump.log" | head -n 20
expect_rc 0 "... restore" -- "$VZCTL" restore $CON
[ -f "$IT_ROOT/vz/dump/Dump.$CON/restore.log" ] && grep Error "$IT_ROOT/vz/dump/Dump.$CON/restore.log" | head -n 20
assert_contains "$(console_prompt)" "login:" "... vzctl console reaches the same getty after restore"
"$VZCTL" --quiet stop $CON --fast >/dev/null 2>&1

"$VZCTL" --quiet stop $CLI --fast >/dev/null 2>&1
expect_rc 31 "suspend of a stopped CT" -- "$VZCTL" suspend $CLI
expect_rc 31 "chkpnt of a stopped CT" -- "$VZCTL" chkpnt $CLI
"$VZCTL" --quiet stop $CT --fast >/dev/null 2>&1

#!/bin/bash
# Disk quota asked for on a file system without project quota (this host's:
# ext4 without the project feature), issue 11's acceptance 5: one clear line,
# OpenVZ's quota exit codes, nothing changed on disk. And what works anyway
# with DISK_QUOTA=no: the keys are saved, vzlist shows the limits. The quota
# itself is tested where a file system has it: tests/vm/t_quota.sh.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2301
it_ct $CT
export VZQUOTA_DIR="$IT_ROOT/vzquota"
PRIV="$IT_ROOT/vz/private/$CT"
CONF="$VZ_CONFDIR/conf/$CT.conf"
VZQUOTA="$VZKIT_BUILD/bin/vzquota"
set_disk_quota() { sed -i "s|^DISK_QUOTA=.*|DISK_QUOTA=$1|" "$VZ_CONFDIR/vz.conf"; }
one_line() { [ "$(printf '%s\n' "$1" | wc -l)" = 1 ]; }

# create with the sample's DISKSPACE and DISK_QUOTA=yes: 61, nothing left.
set_disk_quota yes
expect_rc 61 "create with disk quota on a file system without project quota" -- \
    "$VZCTL" --quiet create $CT --ostemplate busybox-minimal
assert_contains "$OUT" "Project quota is not enabled on" "the message names what is missing"
assert_contains "$OUT" "DISK_QUOTA=no" "and the way out"
assert_true "in one line" -- one_line "$OUT"
assert_false "no private area" -- test -e "$PRIV"
assert_false "no half-unpacked tree" -- test -e "$PRIV.tmp"
assert_false "no config" -- test -e "$CONF"
assert_false "no quota file" -- test -e "$VZQUOTA_DIR/quota.$CT"

# Without disk quota the container works and the keys are kept.
set_disk_quota no
expect_rc 0 "create with DISK_QUOTA=no" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal
expect_rc 0 "a panel's set line saves everything" -- \
    "$VZCTL" set $CT --ram 256M --diskspace 100M:110M --diskinodes 2000:2200 --quotatime 600 --save
assert_contains "$(cat "$CONF")" 'DISKSPACE="102400:112640"' "DISKSPACE saved in KB"
assert_contains "$(cat "$CONF")" 'DISKINODES="2000:2200"' "DISKINODES saved"
assert_contains "$(cat "$CONF")" 'QUOTATIME="600"' "QUOTATIME saved"
expect_rc 21 "a bad --diskspace" -- "$VZCTL" set $CT --diskspace 10X --save
assert_contains "$OUT" "Invalid value for --diskspace: 10X" "names the option and value"
expect_rc 0 "one value is both limits" -- "$VZCTL" set $CT --diskspace 2.5G --save
assert_contains "$(cat "$CONF")" 'DISKSPACE="2621440:2621440"' "2.5G in KB, soft = hard"
expect_rc 0 "vzlist -o disk fields" -- "$VZLIST" -H -o ctid,diskspace,diskspace.s,diskspace.h,diskinodes.s,diskinodes.h $CT
assert_eq "$(echo "$OUT" | tr -s ' ')" " $CT - 2621440 2621440 2000 2200" \
    "limits from the config, no usage without a quota"
expect_rc 0 "vzlist -j" -- "$VZLIST" -j -o diskspace $CT
assert_contains "$(echo "$OUT" | tr -d ' \n')" '"diskspace":{"usage":null,"softlimit":2621440,"hardlimit":2621440}' \
    "JSON as OpenVZ's: usage, softlimit, hardlimit"

# The quota commands say why they cannot.
expect_rc 60 "quotaon with DISK_QUOTA=no" -- "$VZCTL" quotaon $CT
assert_contains "$OUT" "Disk quota is not enabled" "OpenVZ's message"
expect_rc 66 "quotaoff with DISK_QUOTA=no" -- "$VZCTL" quotaoff $CT
expect_rc 61 "quotainit with DISK_QUOTA=no" -- "$VZCTL" quotainit $CT
set_disk_quota yes
expect_rc 61 "quotainit on this file system" -- "$VZCTL" quotainit $CT
assert_contains "$OUT" "Project quota is not enabled on" "says what is missing"
expect_rc 3 "vzquota init: the kernel cannot" -- \
    "$VZQUOTA" init $CT -p "$PRIV" -b 100 -B 110 -i 10 -I 11 -e 0 -n 0
assert_contains "$OUT" "vzquota : (error) Project quota is not enabled on" "vzquota's one line"
assert_false "no quota file after the failed init" -- test -e "$VZQUOTA_DIR/quota.$CT"
assert_eq "$(lsattr -d -p "$PRIV" 2>/dev/null | awk '{print $1}')" "0" "the tree's project id untouched"

# Starting with quota asked for: 60, and the container stays down and unmounted.
expect_rc 60 "start with disk quota on a file system without it" -- "$VZCTL" --quiet start $CT
assert_true "in one line" -- one_line "$OUT"
assert_eq "$("$VZCTL" status $CT)" "CTID $CT exist unmounted down" "not started, not mounted"

# Running without quota, a live --diskspace with the quota turned on fails (62) and saves nothing.
set_disk_quota no
expect_rc 0 "start with DISK_QUOTA=no" -- "$VZCTL" --quiet start $CT
wait_running $CT || fail "CT did not come up"
expect_rc 0 "live --diskspace with DISK_QUOTA=no: saved, not applied" -- \
    "$VZCTL" set $CT --diskspace 300M --save
assert_contains "$OUT" "Disk quota is off" "says it is not applied"
set_disk_quota yes
expect_rc 62 "live --diskspace with disk quota asked for" -- "$VZCTL" set $CT --diskspace 400M --save
assert_contains "$OUT" "Project quota is not enabled on" "says what is missing"
assert_contains "$(cat "$CONF")" 'DISKSPACE="307200:307200"' "the config keeps its last good value"
set_disk_quota no
expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT --fast
expect_rc 0 "destroy" -- "$VZCTL" --quiet destroy $CT

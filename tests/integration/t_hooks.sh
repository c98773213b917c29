#!/bin/bash
# Host hook scripts run as OpenVZ runs them: vps.* and <CTID>.* around mount
# and umount on the host with VEID/VE_CONFFILE, <CTID>.start and .stop inside.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2104
it_ct $CT
LOG="$IT_ROOT/hooks.log"
# The hooks expand $VEID and $VE_CONFFILE when they run, not here.
# shellcheck disable=SC2016
for ev in premount mount umount postumount; do
    printf 'echo "vps.%s $VEID $VE_CONFFILE" >> %s\n' "$ev" "$LOG" > "$VZ_CONFDIR/conf/vps.$ev"
    printf 'echo "%s.%s $VEID" >> %s\n' "$CT" "$ev" "$LOG" > "$VZ_CONFDIR/conf/$CT.$ev"
done
expect_rc 0 "create" -- "$VZCTL" create $CT --ostemplate busybox-minimal
# Inside the CT: these run in the CT's root, so they write into its /root.
printf 'echo started > /root/start-ran; hostname >> /root/start-ran\n' > "$VZ_CONFDIR/conf/$CT.start"
printf 'echo stopping > /root/stop-ran\n' > "$VZ_CONFDIR/conf/$CT.stop"

expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT
expect_rc 0 "stop" -- "$VZCTL" stop $CT
EXPECTED="vps.premount $CT $VZ_CONFDIR/conf/$CT.conf
$CT.premount $CT
vps.mount $CT $VZ_CONFDIR/conf/$CT.conf
$CT.mount $CT
$CT.umount $CT
vps.umount $CT $VZ_CONFDIR/conf/$CT.conf
$CT.postumount $CT
vps.postumount $CT $VZ_CONFDIR/conf/$CT.conf"
assert_eq "$(cat "$LOG")" "$EXPECTED" "mount hooks ran in OpenVZ's order with VEID and VE_CONFFILE"
PRIV="$IT_ROOT/vz/private/$CT"
assert_eq "$(head -1 "$PRIV/root/start-ran" 2>/dev/null)" "started" "$CT.start ran inside the CT"
assert_eq "$(cat "$PRIV/root/stop-ran" 2>/dev/null)" "stopping" "$CT.stop ran inside the CT"
assert_false "$CT.start did not run on the host" -- test -e /root/start-ran
expect_rc 0 "destroy" -- "$VZCTL" destroy $CT
assert_true "action scripts kept as .destroyed" -- test -e "$VZ_CONFDIR/conf/$CT.start.destroyed"

#!/bin/bash
# Device nodes container root makes itself (mknod) must not open: host disks,
# loop, device-mapper, the console and VTs, memory, kmsg, loop-control, tun
# (not granted by default), the module's /dev/vzctl, and a pty node made
# outside the CT's devpts.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
sec_setup
CT=2604
sec_ct $CT || exit 1
T0=$(date +%s)
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT $CT did not finish booting"

NODES="b:8:0 b:7:0 b:253:0 c:5:1 c:4:1 c:1:1 c:1:2 c:1:11 c:10:237 c:10:200"
if [ -e /dev/vzctl ]; then
    VZMINOR=$(awk '$2 == "vzctl" { print $1 }' /proc/misc)
    if [ -n "$VZMINOR" ]; then NODES="$NODES c:10:$VZMINOR"
    else fail "/dev/vzctl exists but /proc/misc has no vzctl entry"; fi
else
    echo "info: no /dev/vzctl on this host (module not loaded): not tested"
fi
ARGS=""
for n in $NODES c:136:0; do  # the last: a pty node outside devpts
    IFS=: read -r t ma mi <<< "$n"
    ARGS="$ARGS dev $t $ma $mi /sec --"
done
OUT=$("$VZCTL" exec2 $CT "/sec/secprobe ${ARGS% --}" 2>&1)
echo "$OUT" | indent '  '
for n in $NODES; do
    line=$(echo "$OUT" | grep "^dev $n ")
    case $line in
        *"mknod=OK open=EPERM"*) pass "$n: open refused with EPERM" ;;
        *"mknod=EPERM"*) pass "$n: mknod refused with EPERM (nothing to open)" ;;
        *) fail "$n: ${line:-no output}, want open=EPERM" ;;
    esac
done
line=$(echo "$OUT" | grep "^dev c:136:0 ")
case $line in
    *"open=OK"*) fail "c:136:0 made outside /dev/pts opened: $line" ;;
    *"open="* | *"mknod=E"*) pass "c:136:0 outside /dev/pts does not open ($line)" ;;
    *) fail "c:136:0: no result: $OUT" ;;
esac
echo "info: took $(( $(date +%s) - T0 )) s"
expect_rc 0 "stop" -- "$VZCTL" stop $CT

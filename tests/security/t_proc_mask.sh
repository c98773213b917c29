#!/bin/bash
# Kernel-wide /proc and /sys files are masked inside: empty, unreadable or
# read-only, and cannot be unmasked; the host's keys and kernel addresses do
# not show; the CT's own /proc/sys/net stays writable.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
sec_setup
CT=2605
sec_ct $CT || exit 1
T0=$(date +%s)
KEYNAME="vzkit-host-key-$$"
KEYID=$("$SECBIN/sechost" addkey "$KEYNAME") || fail "cannot add a host key"
cleanup_key() { [ -n "$KEYID" ] && "$SECBIN/sechost" delkey "$KEYID"; KEYID=; }
trap 'cleanup_key; it_teardown' EXIT
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT $CT did not finish booting"
P() { "$VZCTL" exec2 $CT "/sec/secprobe $*" 2>&1; }

FILES=""
for f in /proc/keys /proc/key-users /proc/timer_list /proc/sched_debug /proc/kcore \
    /proc/kpageflags /proc/kpagecount /proc/kpagecgroup /proc/kmsg /proc/latency_stats; do
    [ -e "$f" ] && FILES="$FILES $f"
done
ARGS=""
for f in $FILES; do ARGS="$ARGS read $f --"; done
OUT=$(P "${ARGS% --}")
echo "$OUT" | indent '  '
for f in $FILES; do
    v=$(line_of "$OUT" "read $f")
    case $v in
        0B | EACCES | EPERM) pass "$f masked ($v)" ;;
        *) fail "$f readable inside: ${v:-no result}" ;;
    esac
done
DIRS=""
for d in /proc/acpi /proc/scsi /proc/asound /sys/firmware /sys/devices/virtual/powercap; do
    [ -e "$d" ] || continue
    # Empty on the host too: an empty view inside would prove nothing.
    if [ -z "$(ls -A "$d" 2>/dev/null)" ]; then echo "info: $d is empty on this host: not tested"; continue; fi
    DIRS="$DIRS $d"
done
ARGS=""
for d in $DIRS; do ARGS="$ARGS count $d --"; done
OUT=$(P "${ARGS% --}")
echo "$OUT" | indent '  '
for d in $DIRS; do
    v=$(line_of "$OUT" "count $d")
    case $v in
        0 | EACCES | EPERM | ENOENT) pass "$d empty inside ($v)" ;;
        *) fail "$d inside has $v entries (host: $(find "$d" -mindepth 1 -maxdepth 1 | wc -l))" ;;
    esac
done
ARGS=""
for f in $FILES $DIRS; do ARGS="$ARGS umount $f --"; done
OUT=$(P "${ARGS% --}")
for f in $FILES $DIRS; do
    v=$(line_of "$OUT" "umount $f")
    case $v in
        EPERM) pass "umount $f refused (EPERM)" ;;
        *) fail "umount $f: ${v:-no result}, want EPERM" ;;
    esac
done
# Restart, in case an unmask went through.
echo "$OUT" | grep -q '=OK' && { "$VZCTL" --quiet restart $CT >/dev/null 2>&1; wait_running $CT; }

# Only opened for writing (nothing written): the host's settings stay as they are.
ARGS=""
RO=""
for f in /proc/sys/kernel/core_pattern /proc/sysrq-trigger /sys/kernel/uevent_helper; do
    if [ -e "$f" ]; then RO="$RO $f"; else echo "info: $f does not exist on this host: not tested"; fi
done
OUT=$(P openw /proc/sys/kernel/core_pattern -- openw /proc/sysrq-trigger -- \
    openw /sys/kernel/uevent_helper -- write /proc/sys/net/core/somaxconn 1024)
echo "$OUT" | indent '  '
for f in $RO; do expect_val "$OUT" "openw $f" EROFS; done
expect_val "$OUT" "write /proc/sys/net/core/somaxconn" OK

if [ -n "$KEYID" ]; then
    assert_contains "$(cat /proc/keys)" "$KEYNAME" "the host sees its own key (the check can fail)"
    assert_not_contains "$("$VZCTL" exec2 $CT 'cat /proc/keys' 2>&1 | grep "$KEYNAME")" "$KEYNAME" "/proc/keys in the CT does not show the host's key"
fi
KS=$("$VZCTL" exec2 $CT 'head -n 2000 /proc/kallsyms' 2>/dev/null)
n=$(echo "$KS" | grep -c .)
nz=$(echo "$KS" | awk '$1 !~ /^0+$/' | grep -c .)
if [ "$n" -gt 0 ]; then
    assert_eq "$nz" 0 "/proc/kallsyms inside shows only zero addresses ($n lines read)"
else
    pass "/proc/kallsyms inside is empty or unreadable"
fi
cleanup_key
echo "info: took $(( $(date +%s) - T0 )) s"
expect_rc 0 "stop" -- "$VZCTL" stop $CT

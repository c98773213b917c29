#!/bin/bash
# The container cannot reach the host: capabilities, system calls, devices and
# kernel-wide knobs are fenced off, while the CT's own things stay usable.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2105
it_ct $CT
expect_rc 0 "create" -- "$VZCTL" create $CT --ostemplate busybox-minimal
PRIV="$IT_ROOT/vz/private/$CT"

# A static probe calls what the filter and the capability set must refuse.
cat > "$IT_ROOT/probe.c" <<'CEOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
static void report(const char *what, long rc) {
    printf("%s=%s\n", what, rc < 0 ? (errno == EPERM ? "EPERM" : strerror(errno)) : "ALLOWED");
}
int main(void) {
    struct { unsigned int bytes; int type; unsigned char h[128]; } fh = { 8, 1, {0} };
    report("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY));
    report("kexec_load", syscall(SYS_kexec_load, 0, 0, 0, 0));
    report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -4, 0));
    report("mount", mount("none", "/tmp", "tmpfs", 0, 0));
    report("init_module", syscall(SYS_init_module, 0, 0, ""));
    report("settimeofday", syscall(SYS_settimeofday, 0, 0));
    report("sethostname", syscall(SYS_sethostname, "x", 1));
    return 0;
}
CEOF
if gcc -static -O1 -o "$PRIV/root/probe" "$IT_ROOT/probe.c"; then
    expect_rc 0 "start" -- "$VZCTL" start $CT
    wait_running $CT
    PROBE=$("$VZCTL" exec2 $CT /root/probe)
    for call in open_by_handle_at kexec_load keyctl mount settimeofday sethostname; do
        assert_contains "$PROBE" "$call=EPERM" "$call refused inside the CT"
    done
    # A kernel built without module support answers ENOSYS to everybody.
    case "$PROBE" in
        *"init_module=EPERM"* | *"init_module=Function not implemented"*) pass "init_module refused inside the CT" ;;
        *) fail "init_module: $PROBE" ;;
    esac
    assert_eq "$("$VZCTL" exec2 $CT "awk '/^Seccomp:/ {print \$2}' /proc/self/status")" "2" "CT processes run under the filter"
    assert_eq "$("$VZCTL" exec2 $CT "cat /proc/1/status | awk '/^Seccomp:/ {print \$2}'")" "2" "the CT's init runs under the filter"
else
    fail "cannot build the probe (gcc -static)"
    "$VZCTL" start $CT >/dev/null; wait_running $CT
fi
# Nothing of the host's follows a command in (vzctl's helper, its pipes): ls
# run without a shell finds its stdio and the directory it reads (3), no more.
assert_eq "$("$VZCTL" exec3 $CT ls /proc/self/fd | tr '\n' ' ')" "0 1 2 3 " "an exec'd command holds only its stdio"

# Capabilities: OpenVZ's default mask, adjustable with --capability.
BND=$("$VZCTL" exec2 $CT "awk '/^CapBnd:/ {print \$2}' /proc/self/status")
# SYS_RESOURCE (24) too: with it, container root would ignore its disk quota.
for cap in 12 16 17 20 21 24 25; do   # NET_ADMIN SYS_MODULE SYS_RAWIO SYS_PACCT SYS_ADMIN SYS_RESOURCE SYS_TIME
    assert_eq "$(( (0x$BND >> cap) & 1 ))" "0" "capability $cap not in the bounding set"
done
assert_eq "$(( (0x$BND >> 0) & 1 ))" "1" "CHOWN is in the bounding set"
expect_rc 0 "set --capability net_admin:on --save" -- "$VZCTL" set $CT --capability net_admin:on --save
assert_contains "$OUT" "next start" "capability change needs a restart"
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT.conf")" 'CAPABILITY="NET_ADMIN:on"' "CAPABILITY saved in OpenVZ's format"
expect_rc 0 "restart" -- "$VZCTL" restart $CT
wait_running $CT
BND=$("$VZCTL" exec2 $CT "awk '/^CapBnd:/ {print \$2}' /proc/self/status")
assert_eq "$(( (0x$BND >> 12) & 1 ))" "1" "NET_ADMIN granted after restart"
expect_rc 0 "NET_ADMIN works in the CT's own netns" -- "$VZCTL" exec2 $CT "ip link set lo mtu 1500"
expect_rc 21 "unknown capability" -- "$VZCTL" set $CT --capability no_such_cap:on --save

# Devices: the whitelist, plus DEVNODES added live with its node.
expect_rc 1 "a host disk node made inside cannot be opened" -- "$VZCTL" exec2 $CT "mknod /tmp/sda b 8 0 && head -c1 /tmp/sda >/dev/null"
expect_rc 1 "no /dev/net/tun yet" -- "$VZCTL" exec2 $CT "test -e /dev/net/tun"
if [ -c /dev/net/tun ]; then
    expect_rc 0 "set --devnodes net/tun:rw live" -- "$VZCTL" set $CT --devnodes net/tun:rw --save
    expect_rc 0 "/dev/net/tun appears and opens" -- "$VZCTL" exec2 $CT "test -c /dev/net/tun && exec 3<>/dev/net/tun"
else
    fail "the host has no /dev/net/tun to test DEVNODES with"
fi
expect_rc 21 "loop devices are refused" -- "$VZCTL" set $CT --devices b:7:0:rw --save

# Kernel-wide knobs are read-only; the CT's own network sysctls are not.
expect_rc 1 "kernel.core_pattern is read-only" -- "$VZCTL" exec2 $CT "echo x > /proc/sys/kernel/core_pattern"
expect_rc 1 "sysrq-trigger is read-only" -- "$VZCTL" exec2 $CT "echo h > /proc/sysrq-trigger"
expect_rc 0 "the CT's net sysctls are writable" -- "$VZCTL" exec2 $CT "echo 1 > /proc/sys/net/ipv4/ip_forward"
expect_rc 1 "/sys is read-only" -- "$VZCTL" exec2 $CT "echo 1 > /sys/kernel/uevent_helper"
expect_rc 0 "stop" -- "$VZCTL" stop $CT
expect_rc 0 "destroy" -- "$VZCTL" destroy $CT

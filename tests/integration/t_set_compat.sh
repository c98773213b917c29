#!/bin/bash
# vzctl set takes every option of OpenVZ 4.11.1's vzctl.8 (issue 13): each is
# saved under OpenVZ's key in OpenVZ's format, and has its effect on a
# running container where Linux can give it (I/O limits through blkio/io,
# devices of features, host devices moved in, CPUs of NUMA nodes, the
# password of a stopped container); the keys it cannot apply are saved with
# a warning and refused without --save (docs/compatibility.md).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2311
it_ct $CT
CONF="$VZ_CONFDIR/conf/$CT.conf"
DUMMY=vzt13dev0
cleanup_dummy() { ip link del "$DUMMY" 2>/dev/null; ip link del vzt13peer 2>/dev/null; }
trap 'cleanup_dummy; it_teardown' EXIT

expect_rc 0 "create" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal
# has_line KEY="VALUE": the config holds exactly that line.
has_line() { grep -qxF "$1" "$CONF"; }

# Saved only, in OpenVZ's format.
expect_rc 0 "set the scheduling, I/O and planning keys --save" -- "$VZCTL" --quiet set $CT --save \
    --cpuweight 250 --ioprio 6 --iolimit 10 --iopslimit 300 --avnumproc 180:190 \
    --vm_overcommit 1.5 --netfilter stateful --cpumask 0 --nodemask 0
for line in 'CPUUWEIGHT="250"' 'IOPRIO="6"' 'IOLIMIT="10485760"' 'IOPSLIMIT="300"' \
    'AVNUMPROC="180:190"' 'VM_OVERCOMMIT="1.5"' 'NETFILTER="stateful"' 'CPUMASK="0"' 'NODEMASK="0"'; do
    assert_true "saved as $line" -- has_line "$line"
done
expect_rc 0 "--iolimit with OpenVZ's suffixes" -- "$VZCTL" --quiet set $CT --iolimit 512K --save
assert_true "512K → IOLIMIT=\"524288\"" -- has_line 'IOLIMIT="524288"'
expect_rc 21 "--ioprio 8 is out of range" -- "$VZCTL" --quiet set $CT --ioprio 8 --save
expect_rc 21 "--netfilter bogus" -- "$VZCTL" --quiet set $CT --netfilter bogus --save
expect_rc 0 "--cpumask auto with NODEMASK set" -- "$VZCTL" --quiet set $CT --cpumask auto --save
assert_true "CPUMASK=\"auto\" saved" -- has_line 'CPUMASK="auto"'
expect_rc 0 "--root and --private keep \$VEID" -- "$VZCTL" --quiet set $CT \
    --root "$IT_ROOT/vz/root/\$VEID" --private "$IT_ROOT/vz/private/\$VEID" --save
assert_true "VE_ROOT saved with \$VEID" -- has_line "VE_ROOT=\"$IT_ROOT/vz/root/\$VEID\""
expect_rc 0 "--iptables (deprecated) is saved with a warning" -- "$VZCTL" set $CT \
    --iptables iptable_filter,ipt_state --iptables nosuch --save
assert_true "IPTABLES as OpenVZ writes it" -- has_line 'IPTABLES="iptable_filter ipt_state"'
assert_contains "$OUT" "not applied" "... said to be saved but not applied"
assert_contains "$OUT" "Unknown iptable module: nosuch" "... an unknown module is skipped, as OpenVZ"
expect_rc 0 "--pci_add --save" -- "$VZCTL" set $CT --pci_add 1:0.0 --pci_add 0000:02:1f.7 --save
assert_true "PCI normalised as OpenVZ" -- has_line 'PCI="0000:01:00.0 0000:02:1f.7"'
assert_contains "$OUT" "not applied" "... and said to be not applied"
expect_rc 0 "--pci_del" -- "$VZCTL" --quiet set $CT --pci_del 0000:01:00.0 --save
assert_true "PCI after --pci_del" -- has_line 'PCI="0000:02:1f.7"'
expect_rc 0 "--mount_opts --save" -- "$VZCTL" set $CT --mount_opts noatime,nodiratime --save
assert_true "MOUNT_OPTS saved" -- has_line 'MOUNT_OPTS="noatime,nodiratime"'
expect_rc 21 "--mount_opts without --save (nothing would happen) is refused" -- \
    "$VZCTL" set $CT --mount_opts noatime
assert_contains "$OUT" "cannot be applied" "... with a one-line reason"
expect_rc 0 "--applyconfig takes a sample's parameters" -- "$VZCTL" --quiet set $CT \
    --applyconfig light --save
assert_true "ve-light's NUMPROC" -- has_line "$(grep '^NUMPROC=' "$VZKIT_SRC/etc/conf/ve-light.conf-sample")"
assert_true "VE_ROOT kept" -- has_line "VE_ROOT=\"$IT_ROOT/vz/root/\$VEID\""
expect_rc 0 "back to the 256m sample" -- "$VZCTL" --quiet set $CT --applyconfig vswap-256m \
    --cpumask all --save
expect_rc 0 "--name then --applyconfig_map name" -- "$VZCTL" --quiet set $CT --name compat13 --save
rm -f "$VZ_CONFDIR/names/compat13"
expect_rc 0 "--applyconfig_map name registers the name again" -- "$VZCTL" --quiet set $CT \
    --applyconfig_map name
assert_true "names/compat13 back" -- test -L "$VZ_CONFDIR/names/compat13"
expect_rc 0 "--netif_add, then --mac_filter on" -- "$VZCTL" --quiet set $CT --netif_add eth0 --save
expect_rc 0 "--ifname eth0 --mac_filter on" -- "$VZCTL" set $CT --ifname eth0 --mac_filter on --save
assert_true "NETIF carries mac_filter=on" -- grep -q '^NETIF=".*mac_filter=on' "$CONF"
assert_contains "$OUT" "not enforced" "... said to be kept, not enforced"
expect_rc 0 "--netif_del eth0" -- "$VZCTL" --quiet set $CT --netif_del eth0 --save

# --userpasswd on a stopped CT: it is mounted and the password set, as OpenVZ.
expect_rc 0 "--userpasswd on a stopped CT" -- "$VZCTL" set $CT --userpasswd compat:Secr3t
assert_true "the user exists in the stopped CT" -- grep -q '^compat:' "$IT_ROOT/vz/private/$CT/etc/passwd"
assert_false "its password is not stored in the config" -- grep -q Secr3t "$CONF"
assert_contains "$("$VZCTL" status $CT)" "down" "the CT is down again"

# Live effects.
expect_rc 0 "--features tun:on,ppp:on --save (stopped)" -- "$VZCTL" set $CT \
    --features tun:on,ppp:on --iolimit 10 --iopslimit 300 --cpuweight 250 --save
if [ -e /dev/ppp ]; then PPP=yes; else
    PPP=no
    assert_contains "$OUT" "ppp:on: the host has no device node" "no /dev/ppp on the host: said so"
fi
# CPUUNITS wins over CPUUWEIGHT, as in OpenVZ: the sample's goes.
sed -i '/^CPUUNITS=/d' "$CONF"
expect_rc 0 "start" -- "$VZCTL" start $CT
wait_running $CT || fail "CT did not come up"
expect_rc 0 "/dev/net/tun inside" -- "$VZCTL" exec2 $CT 'test -c /dev/net/tun'
if [ $PPP = yes ]; then
    expect_rc 0 "/dev/ppp inside" -- "$VZCTL" exec2 $CT 'test -c /dev/ppp'
fi
expect_rc 0 "the CT may open /dev/net/tun" -- "$VZCTL" exec2 $CT 'exec 3<>/dev/net/tun'
DISK=$(stat -c '%d' "$IT_ROOT/vz/private/$CT")
if [ -e "/sys/dev/block/$((DISK >> 8)):$((DISK & 255))" ]; then
    if cgroup_v2; then
        IO=$(cat "$(ct_cgroup $CT io)/io.max")
        assert_contains "$IO" "rbps=10485760 wbps=10485760 riops=300 wiops=300" "io.max at start"
    else
        BLKIO=$(ct_cgroup $CT blkio)
        assert_contains "$(cat "$BLKIO/blkio.throttle.read_bps_device")" " 10485760" "read bps at start"
        assert_contains "$(cat "$BLKIO/blkio.throttle.write_iops_device")" " 300" "write iops at start"
    fi
    expect_rc 0 "--iolimit 20 live" -- "$VZCTL" --quiet set $CT --iolimit 20 --iopslimit 0
    if cgroup_v2; then
        assert_contains "$(cat "$(ct_cgroup $CT io)/io.max")" "rbps=20971520" "io.max live"
    else
        assert_contains "$(cat "$BLKIO/blkio.throttle.write_bps_device")" " 20971520" "bps live"
        assert_eq "$(cat "$BLKIO/blkio.throttle.read_iops_device")" "" "--iopslimit 0 removes it"
    fi
else
    echo "skip: $IT_ROOT is on no block device, no I/O limit to check"
fi
if cgroup_v2; then
    assert_eq "$(cat "$(ct_cgroup $CT cpu)/cpu.weight")" "200" "CPUUWEIGHT 250 → 2000 units → weight"
else
    assert_eq "$(cat "$(ct_cgroup $CT cpu)/cpu.shares")" "2048" "CPUUWEIGHT 250 → 2000 units → shares"
fi
expect_rc 0 "--cpumask auto --nodemask 0 live" -- "$VZCTL" --quiet set $CT --cpumask auto --nodemask 0
assert_eq "$(cat "$(ct_cgroup $CT cpuset)/cpuset.cpus")" \
    "$(cat /sys/devices/system/node/node0/cpulist)" "auto: the CPUs of node 0"
expect_rc 0 "--features tun:off live" -- "$VZCTL" --quiet set $CT --features tun:off --save
expect_rc 1 "the CT may no longer open /dev/net/tun" -- "$VZCTL" exec2 $CT 'exec 3<>/dev/net/tun'
expect_rc 0 "--reset_ub" -- "$VZCTL" set $CT --reset_ub
expect_rc 20 "--reset_ub with another option" -- "$VZCTL" set $CT --reset_ub --numproc 10

# NETDEV: a host device (one end of a veth pair) moves in, and back.
if ip link add "$DUMMY" type veth peer name vzt13peer 2>/dev/null; then
    expect_rc 0 "--netdev_add live --save" -- "$VZCTL" --quiet set $CT --netdev_add $DUMMY --save
    assert_true "NETDEV saved" -- has_line "NETDEV=\"$DUMMY\""
    assert_false "the device left the host" -- ip link show "$DUMMY"
    expect_rc 0 "the device is inside" -- "$VZCTL" exec2 $CT "ip link show $DUMMY"
    expect_rc 0 "--netdev_del" -- "$VZCTL" --quiet set $CT --netdev_del $DUMMY --save
    assert_true "back on the host" -- ip link show "$DUMMY"
    assert_false "NETDEV emptied" -- grep -q "^NETDEV=\".*$DUMMY" "$CONF"
    expect_rc 0 "--netdev_add --save again, then restart" -- "$VZCTL" --quiet set $CT \
        --netdev_add $DUMMY --save
    expect_rc 0 "restart" -- "$VZCTL" --quiet restart $CT
    wait_running $CT || fail "CT did not come back"
    expect_rc 0 "NETDEV moved in at start" -- "$VZCTL" exec2 $CT "ip link show $DUMMY"
    expect_rc 104 "a device that is not there" -- "$VZCTL" --quiet set $CT --netdev_add vzt13none
else
    echo "skip: no veth on this host"
fi
expect_rc 21 "--netdev_add lo is refused" -- "$VZCTL" --quiet set $CT --netdev_add lo --save
expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT

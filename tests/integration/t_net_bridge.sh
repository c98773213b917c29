#!/usr/bin/env bash
# Bridged networking (OpenVZ's veth): vzctl runs in a test network namespace
# (its "host") holding a bridge; a peer namespace is plugged into the same
# bridge. The container's NETIF interface is attached to the bridge at start
# and reaches the peer. An unknown bridge is refused with nothing half
# created; --netif_del and stop leave no host-side device.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2320
HOSTNS=vzt3brhost
PEERNS=vzt3peer

cleanup_ns() {
    ip netns del $HOSTNS 2>/dev/null
    ip netns del $PEERNS 2>/dev/null
}
trap 'it_teardown_ns' EXIT
it_teardown_ns() {
    # Containers first (their host ends live in $HOSTNS), then the namespaces.
    for ct in $IT_CTIDS; do in_host "$VZCTL" --quiet stop "$ct" --fast >/dev/null 2>&1; done
    cleanup_ns
    it_teardown
}
in_host() { nsenter --net=/run/netns/$HOSTNS "$@"; }

cleanup_ns
{ ip netns add $HOSTNS && ip netns add $PEERNS; } || { fail "unable to create test namespaces"; exit 1; }
ip -n $HOSTNS link set lo up
ip -n $HOSTNS link add vzt3br0 type bridge
ip -n $HOSTNS link set vzt3br0 up
ip -n $HOSTNS link add vzt3p1 type veth peer name vzt3p0 netns $PEERNS
ip -n $HOSTNS link set vzt3p1 master vzt3br0 up
ip -n $PEERNS link set lo up
ip -n $PEERNS addr add 203.0.113.20/24 dev vzt3p0
ip -n $PEERNS link set vzt3p0 up

it_ct $CT
expect_rc 0 "create the container" -- in_host "$VZCTL" create $CT --ostemplate busybox-minimal
# A stopped container's NETIF is only saved (OpenVZ); its start checks it.
expect_rc 0 "a NETIF on a bridge that does not exist is saved while stopped" -- \
    in_host "$VZCTL" set $CT --netif_add eth1,,,,vzt3nobridge --save
expect_rc 130 "start refuses the unknown bridge (VZ_VETH_ERROR)" -- in_host "$VZCTL" start $CT
assert_contains "$OUT" "vzt3nobridge" "naming the bridge"
assert_false "the container is not running" -- ct_status_matches $CT -q ' running'
assert_eq "$(ip -n $HOSTNS -o link show | grep -cE "veth$CT|venet0\.$CT")" "0" \
    "and no host-side device was left half created"
expect_rc 0 "drop that interface" -- in_host "$VZCTL" set $CT --netif_del eth1 --save

expect_rc 0 "--netif_add eth0 on the test bridge, with NET_ADMIN in its own namespace" -- \
    in_host "$VZCTL" set $CT --netif_add eth0,,,,vzt3br0 --capability net_admin:on --save
netif=$(grep '^NETIF=' "$VZ_CONFDIR/conf/$CT.conf")
assert_true "NETIF has OpenVZ's format with generated MACs and host name ($netif)" -- with_input "$netif" grep -Eq \
    "^NETIF=\"ifname=eth0,bridge=vzt3br0,mac=00:18:51(:[0-9A-F]{2}){3},host_ifname=veth$CT.0,host_mac=00:18:51(:[0-9A-F]{2}){3}\"\$"
mac=${netif#*,mac=}
mac=${mac%%,*}
expect_rc 0 "start it" -- in_host "$VZCTL" start $CT
wait_running $CT
assert_contains "$(ip -n $HOSTNS -o link show veth$CT.0)" "master vzt3br0" \
    "the host end veth$CT.0 is attached to the bridge"
assert_contains "$("$VZCTL" exec2 $CT ip link show eth0)" "$(echo "$mac" | tr A-F a-f)" \
    "eth0 inside has the configured MAC"
expect_rc 0 "the container configures its own address" -- \
    "$VZCTL" exec2 $CT ip addr add 203.0.113.10/24 dev eth0
assert_true "the container reaches the peer namespace over the bridge" -- \
    "$VZCTL" exec2 $CT ping -c 1 -W 2 203.0.113.20
assert_true "and the peer reaches the container" -- \
    ip netns exec $PEERNS busybox ping -c 1 -W 2 203.0.113.10

expect_rc 130 "--netif_add on an unknown bridge, live" -- \
    in_host "$VZCTL" set $CT --netif_add eth1,,,,vzt3nobridge --save
assert_false "created nothing" -- ip -n $HOSTNS link show veth$CT.1
assert_not_contains "$(grep '^NETIF=' "$VZ_CONFDIR/conf/$CT.conf")" "eth1" "and saved nothing"
expect_rc 21 "a malformed MAC is 21" -- in_host "$VZCTL" set $CT --netif_add eth2,00:18:51:zz:00:01
assert_contains "$OUT" "00:18:51:zz:00:01" "naming the value"

expect_rc 0 "a second interface, live" -- in_host "$VZCTL" set $CT --netif_add eth1,,,,vzt3br0 --save
assert_true "appears inside" -- "$VZCTL" exec2 $CT ip link show eth1
expect_rc 0 "--netif_del eth1, live" -- in_host "$VZCTL" set $CT --netif_del eth1 --save
assert_false "its host end is gone" -- ip -n $HOSTNS link show veth$CT.1
assert_false "and so is eth1 inside" -- "$VZCTL" exec2 $CT ip link show eth1

expect_rc 0 "stop" -- in_host "$VZCTL" stop $CT
assert_eq "$(ip -n $HOSTNS -o link show | grep -cE "veth$CT|venet0.$CT")" "0" \
    "no host-side device is left after stop"
assert_eq "$(ip -n $HOSTNS -o link show master vzt3br0 | grep -c veth)" "0" \
    "and nothing of it on the bridge"

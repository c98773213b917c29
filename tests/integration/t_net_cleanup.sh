#!/usr/bin/env bash
# Nothing of a container's networking outlives it: host route, proxy
# ARP/NDP entry and host-side device go at stop, and also when the container
# halts from inside with no vzctl around (devices and routes with its network
# namespace, proxy entries at the next vzctl). vzctl runs in a test network
# namespace whose LAN device (one end of a veth pair) plays NEIGHBOUR_DEVS=detect.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2330
OTHER=2331
NS=vzt3host
in_ns() { nsenter --net=/run/netns/$NS "$@"; }
cleanup() {
    for ct in $IT_CTIDS; do in_ns "$VZCTL" --quiet stop "$ct" --fast >/dev/null 2>&1; done
    ip netns del $NS 2>/dev/null
    it_teardown
}
trap cleanup EXIT

it_lan_ns $NS vzt3lan
ip -n $NS addr add 2001:db8:1::1/64 dev vzt3lan0 nodad
ip -n $NS route add default via 198.51.100.254 dev vzt3lan0
RECORD="$VZ_CONFDIR/state/veip/$CT"

routes() { ip -n $NS -4 route; ip -n $NS -6 route; }
proxies() { ip -n $NS neigh show proxy; ip -n $NS -6 neigh show proxy; }
leftovers() {
    ip -n $NS -o link show | grep -o "venet0\.$CT"
    routes | grep -E '198\.51\.100\.40|203\.0\.113\.40|2001:db8:1::40'
    proxies | grep -E '198\.51\.100\.40|2001:db8:1::40'
    [ -e "$RECORD" ] && echo "record $RECORD"
}
link_gone() { ! ip -n $NS -o link show | grep -q "venet0\.$CT"; }

it_ct $CT
it_ct $OTHER
expect_rc 0 "create a container with addresses on and off the LAN" -- in_ns "$VZCTL" create $CT \
    --ostemplate busybox-minimal --ipadd 198.51.100.40 --ipadd 2001:db8:1::40 --ipadd 203.0.113.40
expect_rc 0 "start it" -- in_ns "$VZCTL" start $CT
wait_running $CT
assert_contains "$(routes)" "198.51.100.40 dev venet0.$CT" "host route for the LAN address"
assert_contains "$(routes)" "203.0.113.40 dev venet0.$CT" "host route for the other address"
assert_contains "$(routes)" "2001:db8:1::40 dev venet0.$CT" "host route for the IPv6 address"
assert_contains "$(proxies)" "198.51.100.40 dev vzt3lan0" "proxy ARP on the LAN device (detect)"
assert_contains "$(proxies)" "2001:db8:1::40 dev vzt3lan0" "proxy NDP on the LAN device"
assert_not_contains "$(proxies)" "203.0.113.40" "no proxy entry for an address off the LAN"
assert_true "the proxy entries are recorded" -- test -f "$RECORD"
assert_true "reachable from its host" -- in_ns busybox ping -c 1 -W 2 198.51.100.40

expect_rc 0 "stop" -- in_ns "$VZCTL" stop $CT
assert_eq "$(leftovers)" "" "stop leaves no device, route, proxy entry or record"

expect_rc 0 "start again" -- in_ns "$VZCTL" start $CT
wait_running $CT
assert_contains "$(proxies)" "2001:db8:1::40 dev vzt3lan0" "the proxy entries are back"
"$VZCTL" exec2 $CT halt >/dev/null 2>&1
assert_true "the container halted from inside" -- wait_until 10 ct_status_matches $CT -q ' down'
assert_true "its host-side device went with its network namespace" -- wait_until 5 link_gone
assert_eq "$(routes | grep -E '198\.51\.100\.40|2001:db8:1::40')" "" "and so did its routes"
assert_contains "$(proxies)" "2001:db8:1::40" "the proxy entries wait for a vzctl (the kernel keeps them)"

expect_rc 0 "create an unrelated container" -- in_ns "$VZCTL" create $OTHER --ostemplate busybox-minimal
expect_rc 0 "any start sweeps what the halted container left" -- in_ns "$VZCTL" start $OTHER
assert_eq "$(leftovers)" "" "nothing of the halted container is left"
expect_rc 0 "stop the other container" -- in_ns "$VZCTL" stop $OTHER
expect_rc 0 "stop on the halted container just reports it down" -- in_ns "$VZCTL" stop $CT
assert_eq "$(leftovers)" "" "still nothing left"

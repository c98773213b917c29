#!/usr/bin/env bash
# Routed networking (OpenVZ's venet) with a real distribution: a Debian 12
# container from templates/debian boots its own init, gets its --ipadd
# address from the host and in its own /etc/network/interfaces (written by
# the Debian scripts), answers ping from the host namespace and from a second
# container; --ipdel on the running container stops the replies; an address
# another container holds is refused with 78; bad addresses are 21. All
# traffic stays on the containers' own veth pairs (documentation addresses,
# no proxy entries on the host's devices).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
DEB=2310
BB=2311
THIRD=2312
DEB_TEMPLATE="$TEMPLATE_CACHE/debian-12-x86_64.tar.gz"
[ -f "$DEB_TEMPLATE" ] || { echo "FAIL: no $DEB_TEMPLATE (make templates-debian)"; exit 1; }
ln -s "$DEB_TEMPLATE" "$IT_ROOT/vz/template/cache/"
# Never a proxy entry on the host's real interfaces.
sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS="list:"/' "$VZ_CONFDIR/vz.conf"

ping_ok() { busybox ping -c 1 -W 2 "$1" >/dev/null 2>&1; }
host_devices() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^venet0\.($DEB|$BB|$THIRD)$"; }

it_ct $DEB
it_ct $BB
it_ct $THIRD
expect_rc 0 "create a Debian 12 container with an address" -- \
    "$VZCTL" create $DEB --ostemplate debian-12-x86_64 --ipadd 198.51.100.31 --hostname deb.example.com
expect_rc 0 "it boots its own init (--wait: sysvinit reached its runlevel)" -- "$VZCTL" start $DEB --wait
assert_eq "$("$VZCTL" exec2 $DEB readlink /proc/1/exe)" "/usr/sbin/init" "pid 1 is Debian's sysvinit"
assert_eq "$("$VZCTL" exec2 $DEB runlevel)" "N 2" "init is in runlevel 2"
wait_until 10 "$VZCTL" exec2 $DEB pidof sshd
assert_true "its ssh server runs" -- "$VZCTL" exec2 $DEB pidof sshd
assert_contains "$("$VZCTL" exec2 $DEB ip -4 addr show venet0)" "inet 198.51.100.31/32" \
    "venet0 inside carries the address"
assert_contains "$("$VZCTL" exec2 $DEB ip route)" "default dev venet0" "and the default route"
interfaces=$("$VZCTL" exec2 $DEB cat /etc/network/interfaces)
assert_contains "$interfaces" "iface venet0 inet static
	address 198.51.100.31/32" "/etc/network/interfaces shows the address (Debian scripts)"
assert_eq "$("$VZCTL" exec2 $DEB cat /etc/hostname)" "deb" "/etc/hostname has the short name"
assert_contains "$("$VZCTL" exec2 $DEB cat /etc/hosts)" "198.51.100.31 deb.example.com deb" \
    "/etc/hosts maps the name to the address"
assert_contains "$(ip route show 198.51.100.31)" "dev venet0.$DEB" "host route via venet0.$DEB"
assert_true "the container answers ping from the host namespace" -- ping_ok 198.51.100.31

expect_rc 0 "create a second (busybox) container" -- \
    "$VZCTL" create $BB --ostemplate busybox-minimal --ipadd 198.51.100.32 --ipadd 2001:db8::32
expect_rc 0 "start it" -- "$VZCTL" start $BB
wait_running $BB
assert_true "IPv6: the second container answers from the host" -- ping_ok 2001:db8::32
assert_true "the Debian container reaches the second one" -- \
    "$VZCTL" exec2 $DEB ping -c 1 -W 2 198.51.100.32
assert_true "and the second one reaches the Debian container" -- \
    "$VZCTL" exec2 $BB ping -c 1 -W 2 198.51.100.31

expect_rc 78 "an address another container uses is refused (78)" -- \
    "$VZCTL" set $DEB --ipadd 198.51.100.32 --save
assert_contains "$OUT" "container $BB" "the error names the container holding it"
assert_not_contains "$(grep IP_ADDRESS "$VZ_CONFDIR/conf/$DEB.conf")" "198.51.100.32" \
    "and nothing was saved"
expect_rc 0 "create a third container claiming the same address" -- \
    "$VZCTL" create $THIRD --ostemplate busybox-minimal --ipadd 198.51.100.32
expect_rc 78 "its start is refused (78)" -- "$VZCTL" start $THIRD
assert_false "it is not running" -- ct_status_matches $THIRD -q ' running'
assert_false "and left no host-side device" -- ip link show venet0.$THIRD

expect_rc 0 "--ipadd on the running Debian container" -- "$VZCTL" set $DEB --ipadd 198.51.100.33 --save
assert_true "the new address answers at once" -- ping_ok 198.51.100.33
assert_contains "$("$VZCTL" exec2 $DEB cat /etc/network/interfaces)" "address 198.51.100.33/32" \
    "and is in /etc/network/interfaces"
expect_rc 0 "--ipdel on the running Debian container" -- "$VZCTL" set $DEB --ipdel 198.51.100.31 --save
assert_false "the deleted address no longer answers" -- ping_ok 198.51.100.31
assert_eq "$(ip route show 198.51.100.31)" "" "its host route is gone"
assert_not_contains "$("$VZCTL" exec2 $DEB cat /etc/network/interfaces)" "198.51.100.31" \
    "and it left /etc/network/interfaces"
assert_false "the other container cannot reach it either" -- \
    "$VZCTL" exec2 $BB ping -c 1 -W 1 198.51.100.31
assert_eq "$(grep '^IP_ADDRESS' "$VZ_CONFDIR/conf/$DEB.conf")" 'IP_ADDRESS="198.51.100.33"' \
    "IP_ADDRESS keeps the remaining address"

expect_rc 21 "a malformed address is 21" -- "$VZCTL" set $DEB --ipadd 198.51.100.300 --save
assert_contains "$OUT" "198.51.100.300" "naming the value"
expect_rc 21 "a malformed mask is 21" -- "$VZCTL" set $DEB --ipadd 198.51.100.34/33 --save
assert_contains "$OUT" "198.51.100.34/33" "naming the value"
expect_rc 21 "a malformed nameserver is 21" -- "$VZCTL" set $DEB --nameserver 198.51.100 --save
expect_rc 0 "--nameserver and --searchdomain live" -- \
    "$VZCTL" set $DEB --nameserver 198.51.100.53 --nameserver 2001:db8::53 --searchdomain example.com --save
assert_eq "$("$VZCTL" exec2 $DEB grep -v '^#' /etc/resolv.conf)" "search example.com
nameserver 198.51.100.53
nameserver 2001:db8::53" "/etc/resolv.conf has them"

expect_rc 0 "stop the Debian container" -- "$VZCTL" stop $DEB
expect_rc 0 "stop the busybox container" -- "$VZCTL" stop $BB
assert_eq "$(host_devices)" "" "no host-side venet device is left"
assert_eq "$(ip route | grep -E '198\.51\.100\.3[0-9] ')" "" "no host route is left"
assert_eq "$(ip -6 route | grep '2001:db8::32')" "" "no IPv6 host route is left"
expect_rc 0 "the Debian container starts again with its saved address" -- "$VZCTL" start $DEB
assert_true "and answers" -- ping_ok 198.51.100.33
expect_rc 0 "stop it" -- "$VZCTL" stop $DEB

#!/usr/bin/env bash
# Distribution definitions, family by family: a busybox container's tree is
# laid out like the distribution (os-release, the files that mark its network
# stack, the configuration it already has); vzctl picks the definition from
# OSTEMPLATE or from that tree, runs its scripts inside the container at
# start and on `vzctl set`, and every file they write is compared line by
# line. Also: the legacy KEY=script.conf format with the exact environment,
# the default with a warning, a failing script (79), a hanging one (15).
# What the scripts must write is in golden/<family>/, one file each.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS="list:"/' "$VZ_CONFDIR/vz.conf"
PRIV="$IT_ROOT/vz/private"
N=2340

ct_file() { "$VZCTL" exec2 "$1" cat "$2" 2>&1; }
GOLDEN="$(dirname "$0")/golden"
# expect_text TEXT GOLDEN DESCRIPTION: TEXT is the content of golden/GOLDEN
# (both without their trailing newlines).
expect_text() {
    local want
    want=$(cat "$GOLDEN/$2")
    if [ "$1" = "$want" ]; then
        pass "$3"
    else
        fail "$3: differs from golden/$2:
$(diff <(echo "$want") <(echo "$1"))"
    fi
}
# expect_file CT PATH DESCRIPTION GOLDEN: the CT's file PATH is golden/GOLDEN.
expect_file() { expect_text "$(ct_file "$1" "$2")" "$4" "$3: $2"; }
put() { mkdir -p "$(dirname "$PRIV/$1/$2")" && printf '%b' "$3" >"$PRIV/$1/$2"; }

# new_ct NAME OSTEMPLATE: a stopped busybox container laid out by layout_NAME.
new_ct() {
    N=$((N + 1))
    CT=$N
    it_ct $CT
    "$VZCTL" --quiet create $CT --ostemplate busybox-minimal --ipadd 198.51.100.50 \
        --ipadd 2001:db8::50 --hostname ct.example.com >/dev/null || fail "create $CT"
    rm -f "$PRIV/$CT/etc/hostname"
    "layout_$1" $CT
    "$VZCTL" --quiet set $CT --ostemplate "$2" --nameserver 198.51.100.53 \
        --searchdomain example.com --save >/dev/null || fail "set $CT"
    expect_rc 0 "$1: start" -- "$VZCTL" start $CT
    wait_running $CT
}

# Live changes every family goes through: an address added, one deleted, a
# password set (mkpasswd path: busybox has no chpasswd).
live_changes() {
    expect_rc 0 "$1: --ipadd live" -- "$VZCTL" set $CT --ipadd 198.51.100.51 --save
    expect_rc 0 "$1: --ipdel live" -- "$VZCTL" set $CT --ipdel 198.51.100.50 --save
    expect_rc 0 "$1: --userpasswd" -- "$VZCTL" set $CT --userpasswd root:Vzt3-secret
    hash=$(ct_file $CT /etc/shadow | awk -F: '$1 == "root" { print $2 }')
    salt=$(echo "$hash" | cut -d'$' -f3)
    assert_eq "$(echo Vzt3-secret | busybox mkpasswd -m sha512 -S "$salt")" "$hash" \
        "$1: /etc/shadow holds root's new password hash"
    assert_false "$1: the password is stored nowhere" -- grep -rq Vzt3-secret "$VZ_CONFDIR"
}
finish() { expect_rc 0 "$1: stop" -- "$VZCTL" stop $CT; }

os_release() { put "$1" etc/os-release "$2"; }

# ---------------------------------------------------------------- debian
layout_debian() {
    os_release "$1" 'ID=debian\nVERSION_ID="12"\n'
    put "$1" etc/network/interfaces 'auto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n'
}
new_ct debian debian-12-x86_64
expect_file $CT /etc/network/interfaces "debian" debian/interfaces
expect_file $CT /etc/hostname "debian" debian/hostname
expect_file $CT /etc/hosts "debian" debian/hosts
expect_file $CT /etc/resolv.conf "debian" debian/resolv.conf
live_changes debian
expect_file $CT /etc/network/interfaces "debian after --ipadd/--ipdel" debian/interfaces.after-ipadd-ipdel
expect_rc 0 "debian: --ipdel all" -- "$VZCTL" set $CT --ipdel all --save
expect_file $CT /etc/network/interfaces "debian after --ipdel all" debian/interfaces.after-ipdel-all
finish debian

# ---------------------------------------------------------------- ubuntu (netplan, by os-release)
layout_ubuntu() {
    os_release "$1" 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n'
    mkdir -p "$PRIV/$1/etc/netplan"
}
new_ct ubuntu my-golden-image
expect_file $CT /etc/netplan/50-vzctl-venet0.yaml "ubuntu (netplan)" ubuntu/50-vzctl-venet0.yaml
assert_eq "$("$VZCTL" exec2 $CT stat -c %a /etc/netplan/50-vzctl-venet0.yaml)" "600" \
    "ubuntu: the netplan file is private (mode 600)"
expect_file $CT /etc/hostname "ubuntu" ubuntu/hostname
live_changes ubuntu
# Lines 1, 8 and 9: the comment and the addresses.
expect_text "$(ct_file $CT /etc/netplan/50-vzctl-venet0.yaml | sed -n '1p;8,9p')" \
    ubuntu/50-vzctl-venet0.yaml.after-ipadd-ipdel.lines-1-8-9 "ubuntu: netplan after --ipadd/--ipdel"
finish ubuntu

# ---------------------------------------------------------------- centos 7 (ifcfg network-scripts)
layout_centos() {
    os_release "$1" 'NAME="CentOS Linux"\nID="centos"\nVERSION_ID="7"\n'
    put "$1" etc/sysconfig/network-scripts/ifup-eth '#!/bin/bash\n'
    put "$1" etc/sysconfig/network 'NETWORKING=yes\nHOSTNAME=localhost.localdomain\n'
}
new_ct centos centos-7-x86_64
expect_file $CT /etc/sysconfig/network-scripts/ifcfg-venet0 "centos (ifcfg)" centos/ifcfg-venet0
expect_file $CT /etc/sysconfig/network "centos" centos/network
expect_file $CT /etc/hostname "centos" centos/hostname
live_changes centos
expect_file $CT /etc/sysconfig/network-scripts/ifcfg-venet0 "centos after --ipadd/--ipdel" centos/ifcfg-venet0.after-ipadd-ipdel
finish centos

# ---------------------------------------------------------------- a new RHEL derivative (keyfile, by ID_LIKE)
layout_rhel_like() {
    os_release "$1" 'ID="newlinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="10.0"\n'
    put "$1" usr/sbin/NetworkManager ''
}
new_ct rhel_like golden
expect_file $CT /etc/NetworkManager/system-connections/venet0.nmconnection "rhel-like (keyfile)" rhel-like/venet0.nmconnection
assert_eq "$("$VZCTL" exec2 $CT stat -c %a /etc/NetworkManager/system-connections/venet0.nmconnection)" \
    "600" "rhel-like: the keyfile is private (mode 600)"
live_changes rhel_like
expect_text "$(ct_file $CT /etc/NetworkManager/system-connections/venet0.nmconnection | grep '^address')" \
    rhel-like/venet0.nmconnection.after-ipadd-ipdel.address-lines "rhel-like: keyfile after --ipadd/--ipdel"
finish rhel_like

# ---------------------------------------------------------------- opensuse (sysconfig)
layout_suse() {
    os_release "$1" 'ID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\n'
    put "$1" etc/sysconfig/network/config 'NETCONFIG_DNS_POLICY="auto"\n'
    put "$1" etc/HOSTNAME 'linux\n'
}
new_ct suse opensuse-15.5-x86_64
expect_file $CT /etc/sysconfig/network/ifcfg-venet0 "suse (sysconfig)" suse/ifcfg-venet0
expect_file $CT /etc/sysconfig/network/ifroute-venet0 "suse" suse/ifroute-venet0
expect_file $CT /etc/HOSTNAME "suse" suse/HOSTNAME
live_changes suse
finish suse

# ---------------------------------------------------------------- alpine (ifupdown)
layout_alpine() {
    os_release "$1" 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n'
    put "$1" etc/network/interfaces ''
}
new_ct alpine alpine-3.19-x86_64
expect_file $CT /etc/network/interfaces "alpine" alpine/interfaces
expect_file $CT /etc/hostname "alpine" alpine/hostname
live_changes alpine
finish alpine

# ---------------------------------------------------------------- arch (networkd)
layout_arch() {
    os_release "$1" 'NAME="Arch Linux"\nID=arch\n'
    put "$1" usr/lib/systemd/systemd-networkd ''
}
new_ct arch archlinux-base-x86_64
expect_file $CT /etc/systemd/network/50-vzctl-venet0.network "arch (networkd)" arch/50-vzctl-venet0.network
live_changes arch
expect_rc 0 "arch: --ipdel all" -- "$VZCTL" set $CT --ipdel all --save
assert_false "arch: --ipdel all removes the .network file" -- \
    "$VZCTL" exec2 $CT test -e /etc/systemd/network/50-vzctl-venet0.network
finish arch

# ---------------------------------------------------------------- gentoo (OpenRC netifrc)
layout_gentoo() {
    os_release "$1" 'NAME=Gentoo\nID=gentoo\n'
    put "$1" etc/init.d/net.lo '#!/sbin/openrc-run\n'
    mkdir -p "$PRIV/$1/etc/runlevels/default"
    put "$1" etc/conf.d/net '# admin settings\nconfig_eth0="dhcp"\n'
}
new_ct gentoo gentoo-openrc-amd64
expect_file $CT /etc/conf.d/net "gentoo (netifrc)" gentoo/net
assert_eq "$("$VZCTL" exec2 $CT readlink /etc/init.d/net.venet0)" "net.lo" "gentoo: net.venet0 service"
assert_eq "$("$VZCTL" exec2 $CT readlink /etc/runlevels/default/net.venet0)" \
    "/etc/init.d/net.venet0" "gentoo: started in the default runlevel"
expect_file $CT /etc/conf.d/hostname "gentoo" gentoo/hostname
live_changes gentoo
finish gentoo

# ---------------------------------------------------------------- slackware (rc.inet1)
layout_slackware() {
    os_release "$1" 'NAME=Slackware\nID=slackware\nVERSION_ID=15.0\n'
    put "$1" etc/rc.d/rc.inet1.conf 'IPADDRS[0]=""\nUSE_DHCP[0]="yes"\n'
}
new_ct slackware slackware-15.0
expect_file $CT /etc/rc.d/rc.inet1.conf "slackware (rc.inet1)" slackware/rc.inet1.conf
expect_file $CT /etc/HOSTNAME "slackware" slackware/HOSTNAME
live_changes slackware
finish slackware

# ---------------------------------------------------------------- native at start
# A start's stock actions are done by vzctl through the container's root
# (dist/native.h), not by a shell forked inside it: a container without
# /bin/sh still gets every file the scripts would write. An edited script is
# run as a script again, and here that fails for want of a shell (79).
N=$((N + 1))
CT=$N
it_ct $CT
"$VZCTL" --quiet create $CT --ostemplate busybox-minimal --ipadd 198.51.100.50 \
    --ipadd 2001:db8::50 --hostname ct.example.com >/dev/null || fail "create $CT"
rm -f "$PRIV/$CT/etc/hostname" "$PRIV/$CT/bin/sh"
layout_debian $CT
put $CT etc/pam.d/sshd 'session    required\tpam_loginuid.so\nsession required pam_limits.so\n'
"$VZCTL" --quiet set $CT --ostemplate debian-12-x86_64 --nameserver 198.51.100.53 \
    --searchdomain example.com --save >/dev/null || fail "set $CT"
expect_rc 0 "no shell: start" -- "$VZCTL" start $CT
# Without a shell exec2 cannot run cat: the files are read in the private area.
for f in network/interfaces hostname hosts resolv.conf; do
    expect_text "$(cat "$PRIV/$CT/etc/$f")" "debian/${f#network/}" "no shell: /etc/$f"
done
assert_eq "$(cat "$PRIV/$CT/etc/pam.d/sshd")" "$(printf 'session    optional\tpam_loginuid.so\nsession required pam_limits.so')" \
    "no shell: PRE_START made pam_loginuid optional"
expect_rc 0 "no shell: stop" -- "$VZCTL" stop $CT --fast
echo '# edited by the administrator' >>"$VZ_CONFDIR/dists/scripts/set_dns.sh"
expect_rc 79 "no shell, edited set_dns.sh: the start runs it as a script, which fails" -- "$VZCTL" start $CT
assert_contains "$OUT" "set_dns.sh" "naming the script"
sed -i '$d' "$VZ_CONFDIR/dists/scripts/set_dns.sh"
assert_false "and the container is not left running" -- "$VZCTL" --quiet exec2 $CT true

# ---------------------------------------------------------------- native at start: the definition's order
# The leading actions vzctl does itself are done while pid 1 still sets itself
# up; from the first one that needs its script on, the rest wait for it, so an
# edited PRE_START still sees the files as they were before SET_HOSTNAME.
layout_order() { layout_debian "$1"; }
cp "$VZ_CONFDIR/dists/scripts/prestart.sh" "$IT_ROOT/prestart.sh.stock"
sed -i '2i cat /etc/hostname >/etc/vzt3-prestart-saw 2>/dev/null || :' \
    "$VZ_CONFDIR/dists/scripts/prestart.sh"
new_ct order debian-12-x86_64
cp "$IT_ROOT/prestart.sh.stock" "$VZ_CONFDIR/dists/scripts/prestart.sh"
assert_true "order: the edited PRE_START ran (as a script)" -- test -f "$PRIV/$CT/etc/vzt3-prestart-saw"
assert_eq "$(cat "$PRIV/$CT/etc/vzt3-prestart-saw" 2>&1)" "" \
    "order: the edited PRE_START ran before SET_HOSTNAME wrote /etc/hostname"
expect_file $CT /etc/hostname "order: SET_HOSTNAME ran after it" debian/hostname
assert_true "order: SET_DNS too" -- grep -q 198.51.100.53 "$PRIV/$CT/etc/resolv.conf"
finish order

# ---------------------------------------------------------------- native at start: hostile links
# Container root plants links to host paths where the next start writes;
# vzctl resolves them inside the container (or replaces the link itself) and
# never writes or reads a host file. A FIFO does not hang the start.
layout_attack() { layout_debian "$1"; }
new_ct attack debian-12-x86_64
HOSTFILE="$IT_ROOT/vzt3-host-file"
echo "host's own" >"$HOSTFILE"
mkdir -p "$IT_ROOT/vzt3-host-dir"
expect_rc 0 "attack: container root plants links" -- "$VZCTL" exec2 $CT "
    ln -sf $HOSTFILE /etc/hosts && ln -sf ../../../../../../..$HOSTFILE /etc/hostname &&
    rm -rf /etc/network && ln -s /proc/1/root$IT_ROOT/vzt3-host-dir /etc/network &&
    rm -f /etc/resolv.conf && mkfifo /etc/resolv.conf &&
    ln -sf /proc/self/root$IT_ROOT /etc/pam.d"
expect_rc 0 "attack: stop" -- "$VZCTL" stop $CT --fast
expect_rc 0 "attack: the next start" -- timeout 60 "$VZCTL" start $CT
assert_eq "$(cat "$HOSTFILE")" "host's own" "attack: the host file a link named is untouched"
assert_eq "$(ls -A "$IT_ROOT/vzt3-host-dir")" "" "attack: nothing written in the host directory"
assert_true "attack: /etc/hosts is the container's own file again" -- test -f "$PRIV/$CT/etc/hosts" -a ! -L "$PRIV/$CT/etc/hosts"
assert_contains "$(cat "$PRIV/$CT/etc/hosts")" "ct.example.com" "attack: with the container's name"
assert_true "attack: /etc/resolv.conf a file with the nameserver" -- grep -q 198.51.100.53 "$PRIV/$CT/etc/resolv.conf"
finish attack

# ---------------------------------------------------------------- unknown: the default, with a warning
layout_unknown() {
    os_release "$1" 'ID=plan9\nVERSION_ID=4\n'
    put "$1" etc/systemd/system/multi-user.target.wants/systemd-networkd.service ''
}
N=$((N + 1))
CT=$N
it_ct $CT
"$VZCTL" --quiet create $CT --ostemplate busybox-minimal --ipadd 198.51.100.50 >/dev/null
layout_unknown $CT
"$VZCTL" --quiet set $CT --ostemplate plan9-4-x86_64 --save >/dev/null
expect_rc 0 "unknown distribution: start with the default" -- "$VZCTL" start $CT
assert_contains "$OUT" "No definition for distribution plan9-4-x86_64 (detected ID=plan9 VERSION_ID=4 network=networkd)" \
    "the warning names what was detected"
assert_contains "$(ct_file $CT /etc/systemd/network/50-vzctl-venet0.network)" "Address=198.51.100.50/32" \
    "the default configures the stack the container runs"
finish unknown

# ---------------------------------------------------------------- legacy .conf, environment, 79, 15
cat >"$VZ_CONFDIR/dists/legacyos.conf" <<'X'
# OpenVZ's format: KEY=script in dists/scripts
ADD_IP=vzt3-env.sh
SET_HOSTNAME=vzt3-env.sh
DEL_IP=vzt3-fail.sh
SET_USERPASS=vzt3-hang.sh
X
cat >"$VZ_CONFDIR/dists/scripts/vzt3-env.sh" <<'X'
# Records what an action sees: its variables and where it runs.
{ echo "state=$VE_STATE ip=${IP_ADDR:-} ipv6=${IPV6:-} host=${HOSTNM:-} path=$PATH"
  echo "home=${HOME:-unset} confdir=${VZ_CONFDIR:-unset} root=$(ls /vzt3-root-mark)"; } >>/vzt3-env.log
exit 0
X
echo 'echo failing on purpose >&2; exit 3' >"$VZ_CONFDIR/dists/scripts/vzt3-fail.sh"
echo 'sleep 1000; exit 0' >"$VZ_CONFDIR/dists/scripts/vzt3-hang.sh"
N=$((N + 1))
CT=$N
it_ct $CT
"$VZCTL" --quiet create $CT --ostemplate busybox-minimal --ipadd 198.51.100.60 --hostname legacy.example.com >/dev/null
touch "$PRIV/$CT/vzt3-root-mark"
echo 'SCRIPT_EXEC_TIMEOUT=2' >>"$VZ_CONFDIR/conf/$CT.conf"
"$VZCTL" --quiet set $CT --ostemplate legacyos-2.0-x86_64 --save >/dev/null
expect_rc 0 "legacy: start (OSTEMPLATE legacyos-2.0-x86_64 → legacyos.conf)" -- "$VZCTL" start $CT
expect_rc 0 "legacy: --ipadd live" -- "$VZCTL" set $CT --ipadd 2001:db8::60 --save
expect_text "$(ct_file $CT /vzt3-env.log)" legacy/vzt3-env.log \
    "legacy: ADD_IP and SET_HOSTNAME ran inside the container with exactly OpenVZ's variables"
expect_rc 79 "a failing script is 79" -- "$VZCTL" set $CT --ipdel 2001:db8::60 --save
assert_contains "$OUT" "vzt3-fail.sh" "naming the script"
assert_contains "$OUT" "failing on purpose" "its output is shown"
start=$(date +%s)
expect_rc 15 "a hanging script is killed at SCRIPT_EXEC_TIMEOUT (15)" -- \
    "$VZCTL" set $CT --userpasswd root:x1
assert_true "after about 2 seconds" -- test $(($(date +%s) - start)) -lt 10
assert_false "and nothing of it is left running" -- "$VZCTL" exec2 $CT pidof sleep
finish legacy

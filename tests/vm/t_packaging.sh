#!/bin/bash
# tests/vm/t_packaging.sh install|reboot: the Debian packages on a machine
# booted with systemd (tests/vm/run-systemd.sh boots it twice on one disk;
# `make check-packaging`, docs/packaging.md):
#   install  dpkg -i vzkit and vzkit-dkms: DKMS builds the module for the
#            running kernel, vz.service is enabled and active; an edited
#            conffile survives a reinstall; two containers with ONBOOT=yes and
#            BOOTORDER are created and `systemctl reload vz` starts them; the
#            machine then shuts down (vz.service stops them).
#   reboot   after the reboot: the module was loaded at boot, vz.service
#            started both containers, the higher BOOTORDER first;
#            `systemctl stop vz` stops them in time; with VE_STOP_MODE=suspend
#            vz stop checkpoints them and vz start restores them; vz@CTID
#            starts and stops a third; purging both packages leaves
#            /vz/private (the containers' files) and removes the module and
#            the rest of what the packages made.
# The .debs are $VZKIT_BUILD/deb/*.deb (make deb), the template
# $VZKIT_BUILD/templates/cache/busybox-minimal.tar.gz (make templates).
set -u
FAILS=0
pass() { echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION command...: the command succeeds
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what ($*)"; fi
}
status_of() { vzctl status "$1" 2>/dev/null | awk '{ print $5 }'; }
FIRST=1102 SECOND=1101 # FIRST has the higher BOOTORDER: it starts first
KVER=$(uname -r)

case ${1:-} in
install)
  debs=("$VZKIT_BUILD"/deb/vzkit_*.deb "$VZKIT_BUILD"/deb/vzkit-dkms_*.deb)
  if [ ! -f "${debs[0]}" ] || [ ! -f "${debs[1]}" ]; then
    echo "FAIL: no .debs in $VZKIT_BUILD/deb (make deb)"; exit 1
  fi
  # The VM's root is this host's, whose policy-rc.d (if any: a build host
  # in a container has one) forbids starting services; a real host has none.
  rm -f /usr/sbin/policy-rc.d
  # man-db's trigger re-indexes every manual page of this machine's root
  # (9p under TCG: most of the boot's time budget); the pages themselves are
  # unit.man_pages' business.
  rm -f /var/lib/man-db/auto-update
  # The VM's root is this host's: /vz/lock may be there already (a test run
  # here made it), and then it is not the postinst's to make or purge's to
  # remove. Kept on the VM's disk for the reboot phase.
  for d in /vz/lock /vz/dump; do [ -e "$d" ] && echo "$d"; done > /root/vz-dirs-before-install
  start=$(date +%s)
  if DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[@]}" > /tmp/dpkg.log 2>&1; then
    pass "dpkg -i vzkit vzkit-dkms ($(($(date +%s) - start)) s, DKMS build included)"
  else
    fail "dpkg -i"; tail -n 30 /tmp/dpkg.log
  fi
  check "dkms built and installed vzkit for $KVER" \
    sh -c "dkms status vzkit | grep -q '$KVER.*installed'"
  check "the module is in /lib/modules/$KVER" modinfo -k "$KVER" vzkit
  check "vz.service is enabled" systemctl is-enabled vz.service
  check "vz.service is active" systemctl is-active vz.service
  check "/vz/private was made by postinst" test -d /vz/private
  check "vzctl.log is rotated" test -f /etc/logrotate.d/vzkit
  check "the sysctl file is applied" grep -qx 1 /proc/sys/net/ipv4/ip_forward
  # An edited conffile is kept by a reinstall (dpkg: conffiles).
  sed -i -e 's/^DISK_QUOTA=.*/DISK_QUOTA=no/' /etc/vz/vz.conf
  sed -i -e 's/^#\?VE_PARALLEL=.*/VE_PARALLEL=1/' /etc/vz/vz.conf
  DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[0]}" > /tmp/dpkg2.log 2>&1 || fail "dpkg -i again"
  check "an edited vz.conf survives a reinstall" grep -qx 'VE_PARALLEL=1' /etc/vz/vz.conf
  check "vz.service still active after the reinstall" systemctl is-active vz.service

  cp "$VZKIT_BUILD/templates/cache/busybox-minimal.tar.gz" /vz/template/cache/
  for ct in $SECOND $FIRST; do
    check "create $ct" vzctl --quiet create "$ct" --ostemplate busybox-minimal
  done
  check "ONBOOT, BOOTORDER 10 for $SECOND" vzctl --quiet set $SECOND --onboot yes --bootorder 10 --save
  check "ONBOOT, BOOTORDER 20 for $FIRST" vzctl --quiet set $FIRST --onboot yes --bootorder 20 --save
  check "systemctl reload vz" systemctl reload vz
  for ct in $FIRST $SECOND; do
    check "reload started $ct" test "$(status_of "$ct")" = running
  done
  journalctl -b -u vz -o cat --no-pager | sed 's/^/  journal: /' | tail -n 6
  ;;
reboot)
  check "the module was loaded at boot (modules-load.d)" test -d /sys/module/vzkit
  check "vz.service is active" systemctl is-active vz.service
  for ct in $FIRST $SECOND; do
    check "$ct runs after the reboot" test "$(status_of "$ct")" = running
  done
  order=$(journalctl -b -u vz -o cat --no-pager | sed -n 's/^vz-service: CT \([0-9]*\): start done$/\1/p' |
    tr '\n' ' ')
  check "in BOOTORDER: $FIRST then $SECOND (journal: $order)" test "$order" = "$FIRST $SECOND "
  for ct in $FIRST $SECOND; do
    check "$ct is registered in the module" grep -q "^ *$ct:" /proc/user_beancounters
  done
  start=$(date +%s)
  check "systemctl stop vz" systemctl stop vz
  took=$(($(date +%s) - start))
  for ct in $FIRST $SECOND; do
    check "$ct stopped by vz stop" test "$(status_of "$ct")" = down
  done
  # Each container's STOP_TIMEOUT bounds its stop; two at 1 at a time.
  check "vz stop took $took s, within 2 x STOP_TIMEOUT" test "$took" -le 120
  journalctl -b -u vz -o cat --no-pager | sed 's/^/  journal: /' | tail -n 6

  # VE_STOP_MODE=suspend: vz stop checkpoints them, vz start restores them.
  check "systemctl start vz" systemctl start vz
  sed -i -e 's/^VE_STOP_MODE=.*/VE_STOP_MODE=suspend/' /etc/vz/vz.conf
  check "systemctl stop vz (VE_STOP_MODE=suspend)" systemctl stop vz
  for ct in $FIRST $SECOND; do
    check "$ct checkpointed by vz stop: $(vzctl status "$ct" 2>&1)" \
      sh -c "vzctl status $ct | grep -q 'down suspended'"
  done
  check "systemctl start vz restores them" systemctl start vz
  for ct in $FIRST $SECOND; do
    check "$ct running again after the restore" test "$(status_of "$ct")" = running
  done
  journalctl -b -u vz -o cat --no-pager | sed 's/^/  journal: /' | tail -n 4
  sed -i -e 's/^VE_STOP_MODE=.*/VE_STOP_MODE=stop/' /etc/vz/vz.conf
  check "systemctl stop vz (VE_STOP_MODE back to stop)" systemctl stop vz

  # vz@CTID: one container as a unit of its own.
  THIRD=1103
  check "create $THIRD (not ONBOOT)" vzctl --quiet create $THIRD --ostemplate busybox-minimal
  check "systemctl start vz@$THIRD" systemctl start vz@$THIRD
  check "vz@$THIRD started it" test "$(status_of $THIRD)" = running
  check "vz@$THIRD is active (oneshot, remains after exit)" systemctl is-active vz@$THIRD
  check "systemctl stop vz@$THIRD" systemctl stop vz@$THIRD
  check "vz@$THIRD stopped it" test "$(status_of $THIRD)" = down
  vzctl --quiet start $THIRD >/dev/null 2>&1
  vzctl --quiet stop $THIRD --fast >/dev/null 2>&1
  check "a container that stopped by itself: vz@ start and stop still succeed" \
    sh -c "systemctl start vz@$THIRD && vzctl --quiet stop $THIRD --fast && systemctl stop vz@$THIRD"

  DEBIAN_FRONTEND=noninteractive dpkg --purge vzkit vzkit-dkms > /tmp/purge.log 2>&1 ||
    { fail "dpkg --purge"; tail -n 20 /tmp/purge.log; }
  for ct in $FIRST $SECOND; do
    check "purge left /vz/private/$ct" test -d "/vz/private/$ct/bin"
  done
  check "purge removed /etc/vz/vz.conf" test ! -e /etc/vz/vz.conf
  check "purge kept the containers' configs" test -f /etc/vz/conf/$FIRST.conf
  # /vz/template/cache holds the template, so /vz/template and /vz stay.
  for d in /vz/lock /vz/dump; do
    if grep -qxF "$d" /root/vz-dirs-before-install; then
      check "purge kept $d, which was there before the install" test -d "$d"
    elif [ -e "$d" ]; then
      fail "purge left $d: $(find "$d" -mindepth 1 -printf '%p (%s bytes) ' 2>&1)"
    else
      pass "purge removed the empty $d the postinst made"
    fi
  done
  check "purge removed the module" test ! -e "/lib/modules/$KVER/updates/dkms/vzkit.ko"
  check "purge removed the DKMS sources" test ! -e /usr/src/vzkit-0.1.0
  check "purge removed vz.service" test ! -e /lib/systemd/system/vz.service
  ;;
*) echo "usage: t_packaging.sh install|reboot" >&2; exit 2 ;;
esac
echo "t_packaging $1: $FAILS failed"
[ "$FAILS" = 0 ]

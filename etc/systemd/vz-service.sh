#!/bin/bash
# vz-service start|reload|stop: the containers' part of booting and shutting
# down the host, run by vz.service (docs/packaging.md). OpenVZ's `vz` init
# script did the same job:
#   start   every container with ONBOOT=yes, and every one that was running
#           at the last stop unless it says ONBOOT=no, in vzlist -s-bootorder
#           order (highest BOOTORDER first), VE_PARALLEL at a time. One that is
#           running already is left alone, so reload starts only what is new;
#           a suspended one is resumed (a dump is restored).
#   stop    every running container, lowest BOOTORDER first (the reverse),
#           VE_PARALLEL at a time: VE_STOP_MODE=stop stops it (vzctl stop:
#           its STOP_TIMEOUT, then SIGKILL), VE_STOP_MODE=suspend checkpoints it
#           (vzctl chkpnt, bounded by VE_STOP_TIMEOUT) and stops it if that fails.
# A container that fails is logged (the journal) and does not hold up the
# others; the service itself succeeds, so that systemd still runs the stop.
# Environment: VZ_CONFDIR (default /etc/vz), VZ_SERVICE_STATE (the list of
# containers running at the last stop; default /var/lib/vzkit/running).
set -u
CONFDIR=${VZ_CONFDIR:-/etc/vz}
STATE=${VZ_SERVICE_STATE:-/var/lib/vzkit/running}
SELF=$(readlink -f "$0")

log() { echo "vz-service: $*" >&2; }

# conf KEY DEFAULT: KEY's value in vz.conf (quotes removed), or DEFAULT.
# The file is read, never sourced; its first assignment counts, as in vzctl,
# which warns that a later one is a duplicate and ignores it.
conf() {
  local v
  v=$(sed -n "s/^[[:space:]]*$1=//p" "$CONFDIR/vz.conf" 2>/dev/null | head -n 1)
  v=${v%\"} v=${v#\"}
  echo "${v:-$2}"
}

# VE_PARALLEL: a number > 0, else OpenVZ's default of 4 per processor.
parallel() {
  local n
  n=$(conf VE_PARALLEL 0)
  case $n in '' | *[!0-9]* | 0) n=$(($(nproc) * 4)) ;; esac
  echo "$n"
}

# one ACTION CTID: one container, in a process of its own (xargs runs them).
one() {
  local action=$1 ct=$2 rc=0
  case $action in
    start)
      if [ "$(vzlist -a -H -o status "$ct" 2>/dev/null | tr -d ' ')" = suspended ]; then
        vzctl resume "$ct" || { log "CT $ct: resume failed, starting it"; vzctl start "$ct"; } || rc=$?
      else
        vzctl start "$ct" || rc=$?
      fi ;;
    stop)
      if [ "$(conf VE_STOP_MODE stop)" = suspend ]; then
        timeout -k 5 "$(conf VE_STOP_TIMEOUT 120)" vzctl chkpnt "$ct" ||
          { log "CT $ct: checkpoint failed, stopping it"; vzctl stop "$ct"; } || rc=$?
      else
        vzctl stop "$ct" || rc=$?
      fi ;;
  esac
  if [ "$rc" -ne 0 ]; then log "CT $ct: $action failed (exit $rc)"; else log "CT $ct: $action done"; fi
  return 0 # xargs goes on with the others
}

# run ACTION < CTIDs: each in order, at most VE_PARALLEL at a time.
run() {
  xargs -r -n 1 -P "$(parallel)" bash "$SELF" one "$1"
}

# The containers to start, in boot order: ONBOOT=yes, or running at the last
# stop and not ONBOOT=no; not running now (a frozen one is "suspended").
to_start() {
  local was=""
  [ -f "$STATE" ] && was=$(tr '\n' ' ' < "$STATE")
  vzlist -a -H -o ctid,onboot,status -s-bootorder |
    awk -v was=" $was " '$1 != 0 && $3 != "running" &&
      ($2 == "yes" || ($2 != "no" && index(was, " " $1 " ")))' | awk '{ print $1 }'
}

case ${1:-} in
  start | reload)
    [ "$1" = start ] && command -v modprobe >/dev/null && ! [ -e /sys/module/vzkit ] &&
      { modprobe -q vzkit || log "no vzkit module: containers run without user beancounters"; }
    to_start | run start
    [ "$1" = start ] && rm -f "$STATE"
    ;;
  stop)
    mkdir -p "$(dirname "$STATE")"
    vzlist -H -o ctid -sbootorder | awk '{ print $1 }' > "$STATE.tmp" && mv "$STATE.tmp" "$STATE"
    run stop < "$STATE"
    ;;
  one) one "$2" "$3" ;;
  *) echo "usage: vz-service start|reload|stop" >&2; exit 2 ;;
esac
exit 0

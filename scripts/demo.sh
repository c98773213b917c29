#!/bin/bash
# The demo: one busybox container through its life, in an instance of its own
# under build/demo (VZ_CONFDIR), so the host's /etc/vz and /vz stay untouched.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
DEMO="$BUILD/demo"
CT=101
export VZ_CONFDIR="$DEMO/etc"
export PATH="$BUILD/bin:$PATH"

setup_instance() {
    mkdir -p "$VZ_CONFDIR/conf" "$DEMO/vz/template/cache"
    cp "$SRC"/etc/conf/* "$VZ_CONFDIR/conf/"
    rm -rf "$VZ_CONFDIR/dists" && cp -r "$SRC/dists" "$VZ_CONFDIR/dists"
    ln -sf "$BUILD/templates/cache/busybox-minimal.tar.gz" "$DEMO/vz/template/cache/"
    sed -e "s|=/vz/|=$DEMO/vz/|" -e "s|^LOGFILE=.*|LOGFILE=$DEMO/vzctl.log|" \
        "$SRC/etc/vz.conf" > "$VZ_CONFDIR/vz.conf"
}

run() { printf '\n# %s\n' "$*"; "$@"; }

setup_instance
# A demo interrupted earlier leaves CT 101 behind: start from a clean slate.
if [ -e "$VZ_CONFDIR/conf/$CT.conf" ]; then
    vzctl --quiet stop $CT --fast || true
    vzctl --quiet destroy $CT || true
fi
rm -f "$VZ_CONFDIR/conf/$CT".*.destroyed "$VZ_CONFDIR/conf/$CT.conf.destroyed"

run vzctl create $CT --ostemplate busybox-minimal --hostname ct101.demo.example
run vzctl start $CT
# busybox init starts its services right away; give it a moment.
for _ in $(seq 50); do vzctl --quiet exec2 $CT 'pidof syslogd && ! pidof rcS' >/dev/null 2>&1 && break; sleep 0.1; done
run vzctl status $CT
run vzlist
run vzctl exec $CT ps
run vzctl exec $CT hostname
run vzctl set $CT --ram 128M --numproc 100 --save
run vzlist -o ctid,numproc,numproc.l,physpages,physpages.l,hostname
run vzctl stop $CT
run vzctl destroy $CT
printf '\nDemo finished.\n'

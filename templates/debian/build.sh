#!/bin/sh
# Builds the OS template debian-12-x86_64 with debootstrap into
# OUTDIR/debian-12-x86_64.tar.gz (the $TEMPLATE/cache layout vzctl create reads).
# A lean minbase system plus what a VPS needs: sysvinit (boots without
# CAP_SYS_ADMIN), ifupdown, iproute2, ping and an ssh server.
#
# Usage: build.sh OUTDIR [CACHEDIR]
#   CACHEDIR keeps the downloaded .deb files between builds (default
#   OUTDIR/../apt-cache), so a rebuild downloads nothing.
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -eu

NAME=debian-12-x86_64
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=sysvinit-core,ifupdown,iproute2,iputils-ping,openssh-server,netbase,procps,less

die() {
    echo "build.sh: $*" >&2
    exit 1
}

{ [ $# -ge 1 ] && [ $# -le 2 ]; } || {
    echo "usage: $0 OUTDIR [CACHEDIR]" >&2
    exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
outdir=$1
out=$outdir/$NAME.tar.gz
mkdir -p "$outdir"
cachedir=${2:-$(cd "$outdir/.." && pwd)/apt-cache}

if [ -f "$out" ] && [ -z "$(find "$here" -newer "$out" -print)" ]; then
    echo "build.sh: $out is up to date"
    exit 0
fi
[ "$(id -u)" = 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null || die "debootstrap not found: run scripts/install-deps.sh"

umask 022
mkdir -p "$cachedir"
cachedir=$(cd "$cachedir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
root=$work/rootfs
tmp_out=""
cleanup() {
    # debootstrap leaves proc and sys mounted when it fails half-way.
    awk -v r="$root" '$2 ~ "^"r {print $2}' /proc/mounts | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
    [ -n "$tmp_out" ] && rm -f "$tmp_out"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "build.sh: debootstrap $SUITE ($PACKAGES)"
debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$cachedir" \
    "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 30 "$root/debootstrap/debootstrap.log" >&2
    die "debootstrap failed"
}

# Static files: inittab without gettys, ssh host keys made on first boot,
# apt sources, a loopback-only interfaces file the dist scripts rewrite.
cp -a "$here/rootfs/." "$root/"
chroot "$root" update-rc.d ssh-hostkeys defaults >/dev/null
# Every container must get its own ssh host keys, never the template's.
rm -f "$root"/etc/ssh/ssh_host_*
# A template has no identity of its own.
: >"$root/etc/machine-id" 2>/dev/null || true
echo localhost >"$root/etc/hostname"
: >"$root/etc/resolv.conf"
# Root has no password until vzctl set --userpasswd gives it one.
chroot "$root" usermod -p '!' root
# vzctl mounts /dev, /proc and /sys itself; the build's device nodes go.
rm -rf "${root:?}/dev" "$root/proc" "$root/sys" "$root/run"
mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/run"
chmod 0555 "$root/proc" "$root/sys"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root/debootstrap"
find "$root/var/log" -type f -exec truncate -s 0 {} +

tmp_out=$(mktemp "$outdir/.$NAME.XXXXXX")
tar --numeric-owner --xattrs --acls --sort=name -C "$root" -czf "$tmp_out" .
chmod 0644 "$tmp_out"
mv -f "$tmp_out" "$out"
tmp_out=""
echo "build.sh: built $out"

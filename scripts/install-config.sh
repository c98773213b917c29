#!/bin/sh
# Installs vzkit's configuration under $1 (DESTDIR): /etc/vz with vz.conf and
# the sample configs, and the /vz directories. Existing files are kept, so an
# upgrade never overwrites an operator's vz.conf. VZKIT_ETC_ONLY=1 installs
# /etc/vz alone: the Debian package ships it, its postinst makes /vz
# (docs/packaging.md).
set -eu
DESTDIR=${1:-}
SRC=$(cd "$(dirname "$0")/.." && pwd)
install -d "$DESTDIR/etc/vz/conf" "$DESTDIR/etc/vz/names" "$DESTDIR/etc/vz/dists"
[ -e "$DESTDIR/etc/vz/vz.conf" ] || install -m 0644 "$SRC/etc/vz.conf" "$DESTDIR/etc/vz/vz.conf"
for f in "$SRC"/etc/conf/*; do
  t="$DESTDIR/etc/vz/conf/$(basename "$f")"
  [ -e "$t" ] || install -m 0644 "$f" "$t"
done
# Distribution definitions are vzkit's own files: an upgrade replaces them.
for f in "$SRC"/dists/*.yaml; do install -m 0644 "$f" "$DESTDIR/etc/vz/dists/"; done
install -d "$DESTDIR/etc/vz/dists/scripts"
for f in "$SRC"/dists/scripts/*; do install -m 0644 "$f" "$DESTDIR/etc/vz/dists/scripts/"; done
[ "${VZKIT_ETC_ONLY:-}" = 1 ] && exit 0
install -d -m 0700 "$DESTDIR/vz/private" "$DESTDIR/vz/root"
install -d "$DESTDIR/vz/lock" "$DESTDIR/vz/dump" "$DESTDIR/vz/template/cache"
# The templates this tree built, if any (make templates).
for t in "${2:-$SRC/build}"/templates/cache/*.tar*; do
  [ -e "$t" ] && install -m 0644 "$t" "$DESTDIR/vz/template/cache/"
done
exit 0

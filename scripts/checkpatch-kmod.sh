#!/bin/sh
# scripts/checkpatch-kmod.sh [BUILD]: runs the kernel's checkpatch.pl (from
# Debian's linux-source-6.1, unpacked once into BUILD/checkpatch) on every
# file of kmod/. Exits non-zero on any error or warning.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${1:-build}/checkpatch
TARBALL=
for f in /usr/src/linux-source-6.1.tar.*; do
  if [ -e "$f" ]; then TARBALL=$f; break; fi
done
if [ ! -x "$CACHE/scripts/checkpatch.pl" ]; then
  [ -n "$TARBALL" ] || { echo "checkpatch: install linux-source-6.1" >&2; exit 2; }
  mkdir -p "$CACHE"
  top=$(tar tf "$TARBALL" | head -n 1 | cut -d/ -f1)
  tar xf "$TARBALL" -C "$CACHE" --strip-components=1 "$top/scripts/checkpatch.pl" \
    "$top/scripts/spelling.txt" "$top/scripts/const_structs.checkpatch"
fi
rc=0
for f in $(cd "$SRC" && find kmod tests/vm/module -name '*.[ch]' | sort); do
  # compat.h is the one place that exists because of kernel versions.
  ignore=
  [ "$f" = kmod/compat.h ] && ignore=--ignore=LINUX_VERSION_CODE,CONSTANT_COMPARISON
  "$CACHE/scripts/checkpatch.pl" --no-tree --quiet --show-types $ignore -f "$SRC/$f" || rc=1
done
[ $rc = 0 ] && echo "checkpatch: kmod is clean"
exit $rc

#!/bin/sh
# kmod/build.sh OUTDIR [KDIR]: builds vzkit.ko in OUTDIR (a copy of kmod/, so
# that the source tree stays clean) against KDIR, by default the headers of
# the newest installed Debian amd64 kernel (not the running one: the build
# host may run a kernel other than the one it builds for).
set -eu
SRC=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: build.sh OUTDIR [KDIR]}
KDIR=${2:-${KDIR:-}}
if [ -z "$KDIR" ]; then
  # newest_dir GLOB...: the last existing directory, by version order.
  newest_dir() { for d in "$@"; do if [ -d "$d" ]; then echo "$d"; fi; done | sort -V | tail -n 1; }
  KDIR=$(newest_dir /lib/modules/*-amd64/build)
  [ -n "$KDIR" ] || KDIR=$(newest_dir /lib/modules/*/build)
fi
if [ -z "$KDIR" ] || [ ! -f "$KDIR/Makefile" ]; then
  echo "kmod/build.sh: no kernel headers (install linux-headers-amd64 or pass KDIR=)" >&2
  exit 2
fi
mkdir -p "$OUT"
# Only changed files are copied, so that make rebuilds only what changed.
(cd "$SRC" && find . -name '*.[ch]' -o -name Kbuild -o -name Makefile -o -name dkms.conf) |
  while read -r f; do
    mkdir -p "$OUT/$(dirname "$f")"
    cmp -s "$SRC/$f" "$OUT/$f" || cp "$SRC/$f" "$OUT/$f"
  done
make -s -C "$KDIR" M="$(cd "$OUT" && pwd)" modules

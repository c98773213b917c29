#!/bin/bash
# startup_libs.sh [--static] BINARY...: what a tool's start loads.
# With --static (VZKIT_STATIC, the source build's default) each tool is a
# static PIE: no program interpreter, no shared library, and still
# position-independent (ASLR of its code). Without it (Debian's package), none
# links liblvm2cmd (vzkit-lvm's alone), libarchive (loaded by the first
# unpack), libnl (rtnetlink is spoken directly, net/rtnetlink.h) or
# libseccomp (the build compiles the programs): a link would load them and
# their dependencies at every exec, status and vzlist (docs/benchmarks.md,
# issue 15).
set -u
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
static=no
if [ "${1:-}" = --static ]; then
    static=yes
    shift
fi
unwanted=(liblvm2cmd libarchive libnl-3 libnl-route-3 libseccomp)
for binary in "$@"; do
    headers=$(readelf -h -l -d "$binary" 2>&1) || { fail "$binary: readelf: $headers"; continue; }
    needed=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$headers")
    if [ $static = yes ]; then
        grep -q 'Type:.*DYN' <<<"$headers" || fail "$binary is not position-independent"
        ! grep -q 'INTERP' <<<"$headers" || fail "$binary has a program interpreter"
        [ -z "$needed" ] || fail "$binary needs shared libraries: $(tr '\n' ' ' <<<"$needed")"
        continue
    fi
    [ -n "$needed" ] || { fail "$binary: no NEEDED entries read"; continue; }
    for lib in "${unwanted[@]}"; do
        grep -qF "$lib." <<<"$needed" && fail "$binary links $lib"
    done
done
if [ $fails -eq 0 ]; then
    if [ $static = yes ]; then
        echo "ok: $# binaries, each a static PIE"
    else
        echo "ok: $# binaries, none links ${unwanted[*]}"
    fi
fi
exit $((fails > 0))

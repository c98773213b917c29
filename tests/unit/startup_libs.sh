#!/bin/bash
# startup_libs.sh [--static-cxx] BINARY...: none of the tools links liblvm2cmd
# or libarchive, which the commands that need them load at run time
# (docs/packaging.md), libnl (rtnetlink is spoken directly, net/rtnetlink.h), or libseccomp, whose programs the build compiles: a link
# would load them (and their dependencies) at every exec, status and vzlist (docs/benchmarks.md, issue 15). With
# --static-cxx (VZKIT_STATIC_CXX) libstdc++ and yaml-cpp are not linked either.
set -u
fails=0
unwanted=(liblvm2cmd libarchive libnl-3 libnl-route-3 libseccomp)
if [ "${1:-}" = --static-cxx ]; then
    unwanted+=(libstdc++ libyaml-cpp libgcc_s)
    shift
fi
for binary in "$@"; do
    needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    [ -n "$needed" ] || { echo "FAIL: $binary: no NEEDED entries read"; fails=$((fails + 1)); continue; }
    for lib in "${unwanted[@]}"; do
        if grep -qF "$lib." <<<"$needed"; then
            echo "FAIL: $binary links $lib"
            fails=$((fails + 1))
        fi
    done
done
[ $fails -eq 0 ] && echo "ok: $# binaries, none links ${unwanted[*]}"
exit $((fails > 0))

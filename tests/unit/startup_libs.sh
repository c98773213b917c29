#!/bin/bash
# startup_libs.sh BINARY...: none of the tools links liblvm2cmd or libarchive,
# which the commands that need them load at run time (docs/packaging.md): a
# link would load them and their two dozen dependencies at every exec, status
# and vzlist (docs/benchmarks.md, issue 15).
set -u
fails=0
for binary in "$@"; do
    needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    [ -n "$needed" ] || { echo "FAIL: $binary: no NEEDED entries read"; fails=$((fails + 1)); continue; }
    for lib in liblvm2cmd libarchive; do
        if grep -q "^$lib\." <<<"$needed"; then
            echo "FAIL: $binary links $lib"
            fails=$((fails + 1))
        fi
    done
done
[ $fails -eq 0 ] && echo "ok: $# binaries, none links liblvm2cmd or libarchive"
exit $((fails > 0))

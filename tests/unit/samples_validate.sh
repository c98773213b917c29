#!/bin/bash
# samples_validate.sh VZCFGVALIDATE CONFDIR: every shipped ve-*.conf-sample
# passes vzcfgvalidate with no finding at all (errors, warnings or
# recommendations), and bounds NUMPROC and NUMFILE with
# NUMFILE.barrier >= 8 * NUMPROC.barrier, so that a container created from
# any of them cannot use up the host's pids or files.
set -u
VALIDATE=$1
CONFDIR=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0 count=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# The barrier (before ':') or the limit (after it) of KEY in FILE.
field() { sed -n "s/^$2=\"\\(.*\\)\"/\\1/p" "$1" | awk -F: -v n="$3" '{ print (n == 1 || NF == 1) ? $1 : $2 }'; }
for sample in "$CONFDIR"/ve-*.conf-sample; do
    name=$(basename "$sample")
    count=$((count + 1))
    before=$fails
    # A copy: vzcfgvalidate must not be able to touch the source tree.
    cp "$sample" "$TMP/$name"
    out=$("$VALIDATE" "$TMP/$name" 2>&1); rc=$?
    [ $rc = 0 ] || fail "$name: vzcfgvalidate exited $rc: $out"
    echo "$out" | grep -qE '^(Error|Warning|Recommendation):' && fail "$name: findings: $out"
    cmp -s "$sample" "$TMP/$name" || fail "$name: vzcfgvalidate changed the file"
    for key in NUMPROC NUMFILE; do
        for n in 1 2; do
            v=$(field "$sample" $key $n)
            case $v in
            '' | *[!0-9]*) fail "$name: $key has no numeric bound ('$v')" ;;
            esac
        done
    done
    procs=$(field "$sample" NUMPROC 1) files=$(field "$sample" NUMFILE 1)
    case "$procs$files" in *[!0-9]* | '') continue ;; esac
    [ "$files" -ge $((8 * procs)) ] || fail "$name: NUMFILE barrier $files < 8 * NUMPROC barrier $procs"
    [ $fails = $before ] && echo "ok: $name (NUMPROC $procs, NUMFILE $files)"
done
[ $count -gt 0 ] || fail "no samples in $CONFDIR"
echo "$count samples, $fails failures"
[ $fails = 0 ]

#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh, Debian's 6.1 kernel): what the disk quota
# costs write-heavy work. On a fresh ext4 (-O quota,project, mounted prjquota)
# and XFS (mounted prjquota), the same work goes, round by round and in
# rotating order, into
#   tagged    a tree under vzquota (project id, inherit flag, limits set and on)
#   untagged  a plain directory of the same file system (project 0, no limits)
#   plain     a directory of the same kind of file system made and mounted
#             without quota at all
# The work: unpacking the busybox template (the .tar, so that decompression
# does not dilute the figure) BENCH_UNPACKS times, and BENCH_FILES files of
# 4 KB made by vzbench-loops smallfile; each sample ends with a syncfs and is
# timed whole. Started through the wrapper bench/metrics/quota.sh writes:
#   BENCH_ROUNDS   rounds; each round times every side once per work
#   BENCH_UNPACKS  unpacks of the template per sample
#   BENCH_FILES    small files per sample
#   BENCH_FS       file systems ("ext4 xfs")
# Prints "SAMPLE KEY VALUE" (milliseconds) and "NOTE TEXT" lines.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${VZKIT_BUILD:?}" "${BENCH_ROUNDS:=6}" "${BENCH_UNPACKS:=5}" "${BENCH_FILES:=2000}"
: "${BENCH_FS:=ext4 xfs}"
# shellcheck source=../lib/common.sh
. "$HERE/../lib/common.sh"

VZQUOTA="$VZKIT_BUILD/bin/vzquota"
LOOPS="$VZKIT_BUILD/bin/vzbench-loops"
W=/tmp/vzbench-quota
export VZQUOTA_DIR="$W/vzquota"
LAST_OUT="$W/last.out"
QID=7600
SIDES=(tagged untagged plain)

note() { echo "NOTE $*"; }
emit() { echo "SAMPLE $1 $2"; }

# make_fs KIND QUOTA MNT: a 1 GB loop file system, with project quota or
# without any quota. Discard gives deleted samples' blocks back to the VM's
# tmpfs, which holds the loop files.
make_fs() {
    local kind=$1 quota=$2 mnt=$3 img="$W/$1.$2.img" opts=loop,discard
    truncate -s 1G "$img"
    if [ "$kind" = ext4 ]; then
        if [ "$quota" = yes ]; then mkfs.ext4 -q -O quota,project -I 256 "$img"; else mkfs.ext4 -q -I 256 "$img"; fi
    else
        mkfs.xfs -q -f "$img"
    fi || return 1
    [ "$quota" = no ] || opts=$opts,prjquota
    mkdir -p "$mnt"
    mount -o "$opts" "$img" "$mnt"
}

drop_fs() {
    umount "$1" 2>/dev/null
    rm -f "$W/$2.yes.img" "$W/$2.no.img"
}

unpack() {
    local k
    mkdir "$1" || return 1
    for ((k = 0; k < BENCH_UNPACKS; k++)); do
        mkdir "$1/u$k" && tar -xf "$W/busybox.tar" -C "$1/u$k" || return 1
    done
}

small_files() {
    mkdir "$1" && (cd "$1" && "$LOOPS" smallfile "$BENCH_FILES")
}

work_then_sync() { "$1" "$2" && sync -f "$2"; }

# One timed sample: WORK into a new directory DIR, then syncfs; the directory
# is removed (and that synced) outside the timing.
timed() {
    local key=$1 work=$2 dir=$3 us
    if ! time_us us work_then_sync "$work" "$dir"; then
        note "$key failed: $(tail -c 300 "$LAST_OUT" | tr '\n' ' ')"
        return 1
    fi
    emit "$key" "$((us / 1000)).$(printf %03d $((us % 1000)))"
    rm -rf "$dir"
    sync -f "$(dirname "$dir")"
}

run_kind() {
    local kind=$1 mq="$W/$1-quota" mp="$W/$1-plain" rc=0
    rm -rf "$VZQUOTA_DIR"
    measure_kind "$kind" "$mq" "$mp" || rc=1
    "$VZQUOTA" off $QID -f >/dev/null 2>&1
    "$VZQUOTA" drop $QID -f >/dev/null 2>&1
    drop_fs "$mq" "$kind"
    drop_fs "$mp" "$kind"
    return $rc
}

measure_kind() {
    local kind=$1 mq=$2 mp=$3 r i side work n=0
    local -A tree
    if ! make_fs "$kind" yes "$mq" || ! make_fs "$kind" no "$mp"; then
        note "$kind: cannot make the file systems"
        return 1
    fi
    tree[tagged]="$mq/tagged" tree[untagged]="$mq/untagged" tree[plain]="$mp/tree"
    mkdir -p "${tree[@]}"
    # Limits far above what a sample writes: checked on every allocation,
    # never reached.
    if ! "$VZQUOTA" init $QID -p "${tree[tagged]}" -b 4000000 -B 4400000 -i 400000 -I 440000 -e 0 -n 0 ||
        ! "$VZQUOTA" on $QID; then
        note "$kind: vzquota init/on failed"
        return 1
    fi
    for ((r = 0; r < BENCH_ROUNDS; r++)); do
        for work in unpack small_files; do
            # Each side goes first, second and third in turn.
            for ((i = 0; i < 3; i++)); do
                side=${SIDES[(r + i) % 3]}
                timed "quota.$kind.$work.$side" $work "${tree[$side]}/s$n" || return 1
                n=$((n + 1))
            done
        done
    done
    # The tagged side is charged: one more sample, counted before removal.
    small_files "${tree[tagged]}/check" &&
        note "$kind: with $BENCH_FILES files in it the tagged tree's quota counts" \
            "$("$VZQUOTA" -b stat $QID | awk 'NR == 1 { b = $1 } NR == 2 { i = $1 } END { print b " KB and " i " inodes" }')," \
            "project $(lsattr -p -d "${tree[tagged]}/check" | awk '{ print $1 }')"
}

main() {
    local kind
    # The VM cannot autoload modules from the shared root.
    modprobe -a loop ext4 xfs quota_v2 2>/dev/null
    mkdir -p "$W"
    gzip -dc "$VZKIT_BUILD/templates/cache/busybox-minimal.tar.gz" >"$W/busybox.tar" || {
        note "no busybox template in $VZKIT_BUILD/templates/cache"
        exit 1
    }
    note "kernel $(uname -r), $(nproc) CPUs; template $(tar -tf "$W/busybox.tar" | wc -l) entries," \
        "$(($(stat -c %s "$W/busybox.tar") / 1024)) KB; $BENCH_UNPACKS unpacks and $BENCH_FILES files of 4 KB per sample"
    for kind in $BENCH_FS; do
        run_kind "$kind" || note "$kind: stopped early"
    done
}

main

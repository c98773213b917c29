#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh): issue 11's disk quota where the kernel has
# project quota. A freshly made ext4 (mkfs.ext4 -O quota,project -I 256) and
# XFS, each a loop file mounted with prjquota at $MNT, in turn:
#   vzquota on trees of its own — init on a populated tree (special files and
#   a hard link), limits against a writer without CAP_SYS_RESOURCE, df/df -i,
#   grace, setlimit while on, off/on/drop, EXDEV between two quotas, crash
#   repair of a dirty file, two vzquota at once, on -p with another tree,
#   the file system mounted without prjquota;
#   then a container through vzctl (DISKSPACE/DISKINODES live, df inside,
#   vzlist, DISK_QUOTA=no, destroy);
# and a tmpfs, which has no project quota at all.
# Bounds: the kernel's inode count equals `find` counting each inode once;
# its 1k-blocks equal `du -sk` within max(64 KB, 1 %) (both count allocated
# blocks, a hard link once; the slack is for metadata a file system charges
# on its own schedule, such as XFS's speculative preallocation).
set -u
: "${VZKIT_SRC:?VZKIT_SRC is not set}"
# shellcheck source=../integration/lib.sh
. "$VZKIT_SRC/tests/integration/lib.sh"
it_setup

# Modules are not autoloaded from the VM's shared root.
modprobe -a loop ext4 xfs quota_v2 veth || echo "t_quota: modprobe failed" >&2

VZQUOTA="$VZKIT_BUILD/bin/vzquota"
export VZQUOTA_DIR="$IT_ROOT/vzquota"
W="$IT_ROOT/work"
MNT="$IT_ROOT/qfs" # VE_PRIVATE goes here; $IT_ROOT/vz keeps the template cache
mkdir -p "$W"
A=1101 B=1102 C=1103 D=1104 CT=1201
BIG_DIRS=12 BIG_FILES=500 # the crash tree: 6000 files, seconds of tagging under TCG

# --- helpers -------------------------------------------------------------------

# A writer as a container's root is one: root without CAP_SYS_RESOURCE, which
# would let it ignore the hard limits.
nocap() { setpriv --inh-caps=-sys_resource --bounding-set=-sys_resource -- "$@"; }
cap_sys_resource_held() {
    local eff
    eff=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
    (((16#$eff >> 24) & 1))
}

# What vzquota -b stat says: 1k-blocks and inodes, the block/inode timers.
qfield() { "$VZQUOTA" -b stat "$1" | awk -v l="$2" -v f="$3" 'NR == l { print $f }'; }
q_blocks() { qfield "$1" 1 1; }
q_inodes() { qfield "$1" 2 1; }
q_btimer() { qfield "$1" 1 4; }
# The grace column of a row of the table ("" when there is none).
q_grace() {
    "$VZQUOTA" stat "$1" | awk -v r="$2" '$1 == r { print substr($0, 60) }' | tr -d ' '
}
q_row() { "$VZQUOTA" stat "$1" | awk -v r="$2" '$1 == r'; }

du_kb() { du -sk "$1" | cut -f1; }
inodes_in() { find "$1" -printf '%i\n' | sort -u | wc -l; }
# near GOT WANT: |GOT - WANT| <= max(64, WANT / 100).
near() {
    local d=$(($1 - $2)) slack=$(($2 / 100))
    [ "$slack" -ge 64 ] || slack=64
    [ "${d#-}" -le "$slack" ]
}
projid() { lsattr -p -d "$1" 2>/dev/null | awk '{ print $1 }'; }
df_field() { df -k --output="$2" "$1" | tail -n 1 | tr -d ' '; }
qfile() { echo "$VZQUOTA_DIR/quota.$1"; }

# The error a full quota gives: EDQUOT on ext4, ENOSPC on XFS.
quota_error() {
    if [ "$1" = xfs ]; then echo "No space left on device"; else echo "Disk quota exceeded"; fi
}

# A tree with what tagging must handle: regular files, a hard link, a
# symlink, a fifo, a device node, nested directories.
populate() {
    local t=$1
    mkdir -p "$t/d1/d2/d3"
    head -c 300000 /dev/urandom >"$t/file1"
    seq 1 20000 >"$t/d1/small"
    : >"$t/d1/d2/d3/empty"
    ln "$t/file1" "$t/d1/d2/hardlink"
    ln -s ../file1 "$t/d1/symlink"
    mkfifo -m 0640 "$t/d1/fifo"
    mknod -m 0604 "$t/d1/d2/dev" c 1 3
    chown -h 1000:1001 "$t/d1/symlink"
    chown 1002:1003 "$t/d1/fifo"
    chown 1004:1005 "$t/d1/d2/dev"
    touch -h -d '2020-01-02 03:04:05' "$t/d1/symlink" "$t/d1/fifo" "$t/d1/d2/dev"
}
SPECIAL="d1/symlink d1/fifo d1/d2/dev"
# Owner, mode, type, device, mtime and target of the special files.
describe() {
    local f
    for f in $SPECIAL; do stat -c '%n %u:%g %a %F %t:%T %Y' "$1/$f"; done
    readlink "$1/d1/symlink"
}
inode_numbers() {
    local f
    for f in $SPECIAL; do stat -c %i "$1/$f"; done
}

# The project id an inode has on disk (the file system unmounted): the
# special files cannot be opened for FS_IOC_FSGETXATTR, so lsattr cannot.
disk_projid() {
    local kind=$1 img=$2 ino=$3
    if [ "$kind" = ext4 ]; then
        debugfs -R "stat <$ino>" "$img" 2>/dev/null | sed -n 's/.*Project: *\([0-9]*\).*/\1/p'
    else
        xfs_db -r -c "inode $ino" -c "print core.projid_lo core.projid_hi" "$img" |
            awk '/projid_lo/ { lo = $3 } /projid_hi/ { hi = $3 } END { print lo + hi * 65536 }'
    fi
}

make_fs() {
    IMG="$W/$1.img"
    rm -f "$IMG"
    truncate -s 512M "$IMG"
    if [ "$1" = ext4 ]; then
        mkfs.ext4 -q -O quota,project -I 256 "$IMG"
    else
        mkfs.xfs -q -f "$IMG"
    fi
    mkdir -p "$MNT"
    mount -o loop,prjquota "$IMG" "$MNT"
}

# --- vzquota on its own trees --------------------------------------------------------

init_on_a_populated_tree() {
    local kind=$1 before inos kb n du f ino
    TA="$MNT/a"
    populate "$TA"
    before=$(describe "$TA")
    inos=$(inode_numbers "$TA")
    expect_rc 0 "$kind: vzquota init on a populated tree" -- \
        "$VZQUOTA" init $A -p "$TA" -b 10240 -B 11264 -i 200 -I 220 -e 0 -n 0
    expect_rc 0 "$kind: vzquota on" -- "$VZQUOTA" on $A
    assert_eq "$(describe "$TA")" "$before" \
        "$kind: symlink, fifo and device keep owner, mode, type, device, mtime and target"
    assert_true "$kind: ... and were re-created (new inodes)" -- not test "$(inode_numbers "$TA")" = "$inos"
    assert_false "$kind: no temporary left" -- any_test -e "$TA"/.vzquota.* "$TA"/d1/.vzquota.* "$TA"/d1/d2/.vzquota.*
    kb=$(q_blocks $A) n=$(inodes_in "$TA") du=$(du_kb "$TA")
    assert_eq "$(q_inodes $A)" "$n" "$kind: inodes: the kernel's count = find, each inode once ($n)"
    assert_true "$kind: 1k-blocks: the kernel's $kb vs du -sk $du" -- near "$kb" "$du"
    for f in "$TA" "$TA/d1/d2/d3" "$TA/file1" "$TA/d1/d2/hardlink" "$TA/d1/d2/d3/empty"; do
        assert_eq "$(projid "$f")" $A "$kind: project of ${f#"$TA"/}"
    done
    assert_contains "$(lsattr -d "$TA/d1")" P "$kind: directories inherit (P)"
    # The special files' project, read from the disk (the ioctl cannot open them).
    inos=$(inode_numbers "$TA")
    umount "$MNT" || fail "$kind: umount"
    for ino in $inos; do
        assert_eq "$(disk_projid "$kind" "$IMG" "$ino")" $A "$kind: special inode $ino carries the project on disk"
    done
    mount -o loop,prjquota "$IMG" "$MNT" || fail "$kind: mount again"
    assert_eq "$("$VZQUOTA" -b stat $A | awk 'NR == 1 { print $2, $3 }')" "10240 11264" \
        "$kind: the limits outlive a remount"
}

# shellcheck disable=SC2016 # $1, $i and $! belong to the inner shell or perl
limits_against_a_writer_without_cap_sys_resource() {
    local kind=$1 err used size
    assert_false "$kind: the writer does not hold CAP_SYS_RESOURCE" -- nocap bash -c "$(declare -f cap_sys_resource_held); cap_sys_resource_held"
    # statfs on the tagged tree: the soft limit as the size, the project's use.
    assert_eq "$(df_field "$TA" size)" 10240 "$kind: df: the size is the soft limit"
    assert_true "$kind: df: used $(df_field "$TA" used) is the quota's usage $(q_blocks $A)" -- \
        near "$(df_field "$TA" used)" "$(q_blocks $A)"
    assert_contains "$(df -h "$TA" | tail -n 1)" " 10M " "$kind: df -h shows 10M"
    assert_eq "$(df_field "$TA" itotal)" 200 "$kind: df -i: inodes are the soft limit"
    assert_eq "$(df_field "$TA" iused)" "$(q_inodes $A)" "$kind: df -i: used inodes are the quota's"
    # Past the hard limit.
    err=$(nocap dd if=/dev/zero of="$TA/big" bs=64k count=320 2>&1)
    assert_true "$kind: a 20 MB write into an 11 MB quota fails" -- test $? -ne 0
    assert_contains "$err" "$(quota_error "$kind")" "$kind: with $(quota_error "$kind")"
    used=$(q_blocks $A) size=$(($(stat -c %s "$TA/big") / 1024))
    assert_true "$kind: usage $used KB stays within the hard limit" -- in_range "$used" 10240 11264
    assert_true "$kind: the file got what was left ($size KB)" -- in_range "$size" 9000 11264
    rm -f "$TA/big"
    # Past the inode hard limit.
    mkdir "$TA/many"
    err=$(nocap sh -c 'i=0; while [ $i -lt 400 ]; do true >"$1/f$i" || exit 0; i=$((i + 1)); done; exit 1' \
        sh "$TA/many" 2>&1)
    assert_true "$kind: creating files stops at the inode hard limit" -- test $? -eq 0
    assert_contains "$err" "$(quota_error "$kind")" "$kind: with $(quota_error "$kind")"
    assert_eq "$(q_inodes $A)" 220 "$kind: inodes used = the hard limit"
    assert_contains "$(q_row $A inodes)" "220*" "$kind: stat marks the inodes over the limit"
    rm -rf "$TA/many"
}

# shellcheck disable=SC2016 # $1, $i and $! belong to the inner shell or perl
grace_then_none() {
    local kind=$1 err timer now inodes
    nocap dd if=/dev/zero of="$TA/g1" bs=64k count=48 2>/dev/null # 3 MB, within the limits
    # Allocated, not only reserved: XFS starts a timer on allocated blocks.
    sync
    inodes=$(q_inodes $A)
    # Soft limits below the use, with a 10 s grace: the timer starts with
    # the new grace, not the file system's old one (7 days). The hard limit
    # is far: what fails below is the grace.
    expect_rc 0 "$kind: setlimit below the usage with a 10 s grace" -- \
        "$VZQUOTA" setlimit $A -b 2048 -B 65536 -e 10 -i $((inodes + 2)) -I $((inodes + 100)) -n 10
    timer=$(q_btimer $A) now=$(date +%s)
    assert_true "$kind: the block timer ends in <= 10 s ($((timer - now)))" -- in_range $((timer - now)) 0 10
    assert_eq "$(q_grace $A 1k-blocks)" "00:00" "$kind: stat shows the grace left (OpenVZ rounds to the minute)"
    assert_contains "$(q_row $A 1k-blocks)" "*" "$kind: and marks the usage over the soft limit"
    expect_rc 0 "$kind: within the grace, past the soft limit, writes succeed" -- \
        nocap dd if=/dev/zero of="$TA/g2" bs=64k count=8
    expect_rc 0 "$kind: and files can be made past the inode soft limit" -- \
        nocap sh -c 'for i in 1 2 3 4 5; do true >"$1/gi$i" || exit 1; done' sh "$TA"
    assert_true "$kind: the inode timer runs" -- test "$(qfield $A 2 4)" -gt 0
    sleep 11
    err=$(nocap dd if=/dev/zero of="$TA/g3" bs=64k count=8 2>&1)
    assert_true "$kind: after the grace, writes fail" -- test $? -ne 0
    assert_contains "$err" "$(quota_error "$kind")" "$kind: with $(quota_error "$kind")"
    err=$(nocap sh -c 'true >"$1/gi_late"' sh "$TA" 2>&1)
    assert_contains "$err" "$(quota_error "$kind")" "$kind: and so does making a file"
    assert_eq "$(q_grace $A 1k-blocks)" none "$kind: stat: the block grace is none"
    assert_eq "$(q_grace $A inodes)" none "$kind: stat: the inode grace is none"
    rm -f "$TA"/g1 "$TA"/g2 "$TA"/g3 "$TA"/gi*
    expect_rc 0 "$kind: limits back" -- "$VZQUOTA" setlimit $A -b 10240 -B 11264 -i 200 -I 220
    assert_eq "$(q_grace $A 1k-blocks)" "" "$kind: under the soft limit no grace shows"
}

setlimit_off_on_drop() {
    local kind=$1 used err
    used=$(q_blocks $A)
    expect_rc 0 "$kind: a hard limit 1 MB above the use" -- "$VZQUOTA" setlimit $A -b 0 -B $((used + 1024))
    err=$(nocap dd if=/dev/zero of="$TA/s1" bs=64k count=32 2>&1)
    assert_true "$kind: a 2 MB write fails" -- test $? -ne 0
    rm -f "$TA/s1"
    expect_rc 0 "$kind: setlimit while on" -- "$VZQUOTA" setlimit $A -B $((used + 8192))
    expect_rc 0 "$kind: the same write succeeds at once" -- nocap dd if=/dev/zero of="$TA/s1" bs=64k count=32
    assert_eq "$(qfield $A 1 3)" $((used + 8192)) "$kind: stat shows the new hard limit"
    expect_rc 0 "$kind: vzquota off" -- "$VZQUOTA" off $A
    expect_rc 6 "$kind: stat when off" -- "$VZQUOTA" stat $A
    expect_rc 6 "$kind: off again" -- "$VZQUOTA" off $A
    assert_true "$kind: off: df shows the file system, no limit" -- test "$(df_field "$TA" size)" -gt 100000
    expect_rc 0 "$kind: off: the kernel's limits are gone (write past them)" -- \
        nocap dd if=/dev/zero of="$TA/s2" bs=64k count=160
    expect_rc 0 "$kind: vzquota on" -- "$VZQUOTA" on $A
    expect_rc 5 "$kind: on again" -- "$VZQUOTA" on $A
    assert_eq "$(df_field "$TA" size)" $((used + 8192)) "$kind: on: df shows the hard limit (no soft one)"
    assert_contains "$(q_row $A 1k-blocks)" "*" "$kind: on: usage over the limit is marked"
    err=$(nocap dd if=/dev/zero of="$TA/s3" bs=64k count=1 2>&1)
    assert_contains "$err" "$(quota_error "$kind")" "$kind: on: the limits apply again"
    rm -f "$TA"/s1 "$TA"/s2 "$TA"/s3
    expect_rc 5 "$kind: drop while on" -- "$VZQUOTA" drop $A
    expect_rc 0 "$kind: off" -- "$VZQUOTA" off $A
    expect_rc 0 "$kind: drop" -- "$VZQUOTA" drop $A
    assert_false "$kind: drop removes the quota file" -- test -e "$(qfile $A)"
    assert_false "$kind: and its lock" -- test -e "$(qfile $A).lck"
    expect_rc 11 "$kind: stat after drop" -- "$VZQUOTA" stat $A
}

# shellcheck disable=SC2016 # $1, $i and $! belong to the inner shell or perl
exdev_between_two_quotas() {
    local kind=$1 a0 b0 a1 b1
    TB="$MNT/b"
    mkdir -p "$TB"
    expect_rc 0 "$kind: init A again" -- "$VZQUOTA" init $A -p "$TA" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0
    expect_rc 0 "$kind: init B" -- "$VZQUOTA" init $B -p "$TB" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0
    if ! "$VZQUOTA" on $A || ! "$VZQUOTA" on $B; then fail "$kind: on A and B"; fi
    head -c 1048576 /dev/urandom >"$TA/moving"
    expect_rc 1 "$kind: a hard link from A into B" -- ln "$TA/moving" "$TB/link"
    assert_contains "$OUT" "Invalid cross-device link" "$kind: EXDEV"
    expect_rc 1 "$kind: rename(2) from A into B" -- \
        perl -e 'rename($ARGV[0], $ARGV[1]) or do { print "$!\n"; exit 1 }' "$TA/moving" "$TB/moved"
    assert_contains "$OUT" "Invalid cross-device link" "$kind: EXDEV"
    expect_rc 1 "$kind: rename(2) of a directory from B into A" -- \
        perl -e 'mkdir($ARGV[0]); rename($ARGV[0], $ARGV[1]) or do { print "$!\n"; exit 1 }' "$TB/dir" "$TA/dir"
    assert_contains "$OUT" "Invalid cross-device link" "$kind: EXDEV"
    a0=$(q_blocks $A) b0=$(q_blocks $B)
    expect_rc 0 "$kind: mv falls back to a copy" -- mv "$TA/moving" "$TB/moved"
    a1=$(q_blocks $A) b1=$(q_blocks $B)
    assert_true "$kind: A is charged 1 MB less ($a0 -> $a1)" -- in_range $((a0 - a1)) 1024 1100
    assert_true "$kind: B is charged 1 MB more ($b0 -> $b1)" -- in_range $((b1 - b0)) 1024 1100
    assert_eq "$(projid "$TB/moved")" $B "$kind: the copy is B's"
    rm -rf "$TB/moved" "$TB/dir"
    if ! "$VZQUOTA" off $A || ! "$VZQUOTA" drop $A; then fail "$kind: drop A"; fi
    # B stays, off, for the mount without prjquota.
    "$VZQUOTA" off $B || fail "$kind: off B"
}

# vzquota on -p naming another tree (a private area moved): that tree is
# tagged and counted before the limits apply, as OpenVZ's on -p rescanned.
on_with_another_tree() {
    local kind=$1 t1="$MNT/a1" t2="$MNT/a2"
    # A's first tree keeps its project after drop (drop does not untag): gone,
    # so that A counts the new tree alone.
    rm -rf "$TA"
    mkdir -p "$t1" "$t2/sub"
    (cd "$t2/sub" && seq -f g%g 1 50 | xargs touch)
    expect_rc 0 "$kind: init A on an empty tree" -- \
        "$VZQUOTA" init $A -p "$t1" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0
    rmdir "$t1"
    expect_rc 0 "$kind: vzquota on -p another tree" -- "$VZQUOTA" on $A -p "$t2"
    assert_eq "$(q_inodes $A)" "$(inodes_in "$t2")" "$kind: the other tree is counted"
    assert_eq "$(projid "$t2/sub/g7")" $A "$kind: and tagged"
    assert_contains "$(cat "$(qfile $A)")" "PATH=\"$t2\"" "$kind: the quota file names it"
    if ! "$VZQUOTA" off $A || ! "$VZQUOTA" drop $A; then fail "$kind: drop A"; fi
    rm -rf "$t2"
}

# A tree that takes seconds to tag: vzquota init killed in the middle of it.
crash_repair_and_the_lock() {
    local kind=$1 pid n untagged d kb du
    TC="$MNT/c"
    for ((d = 0; d < BIG_DIRS; d++)); do
        mkdir -p "$TC/d$d"
        (cd "$TC/d$d" && seq -f f%g 1 $BIG_FILES | xargs touch)
    done
    n=$(inodes_in "$TC")
    "$VZQUOTA" init $C -p "$TC" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0 >/dev/null 2>&1 &
    pid=$!
    # Stopped as soon as its file says dirty (a poll every 0.1 s let a quiet
    # machine finish the tagging first), killed once the lock is checked.
    local t0=$SECONDS
    until grep -q 'DIRTY="yes"' "$(qfile $C)" 2>/dev/null; do
        [ $((SECONDS - t0)) -lt 60 ] || { fail "$kind: vzquota init never marked its file dirty"; break; }
    done
    kill -STOP $pid
    expect_rc 7 "$kind: a second vzquota on the same id while init tags: locked" -- "$VZQUOTA" on $C
    expect_rc 7 "$kind: setlimit too" -- "$VZQUOTA" setlimit $C -b 1 -B 1
    kill -9 $pid
    wait $pid 2>/dev/null
    expect_rc 10 "$kind: vzquota show after init was killed: dirty" -- "$VZQUOTA" show $C
    untagged=$(find "$TC" -type f -exec lsattr -p {} + | awk -v id=$C '$1 != id' | wc -l)
    assert_true "$kind: the kill left part of the tree untagged ($untagged of $n)" -- test "$untagged" -gt 0
    expect_rc 0 "$kind: the next on rescans" -- "$VZQUOTA" on $C
    assert_eq "$(q_inodes $C)" "$n" "$kind: and the usage is right: $n inodes"
    kb=$(q_blocks $C) du=$(du_kb "$TC")
    assert_true "$kind: 1k-blocks: the kernel's $kb vs du -sk $du" -- near "$kb" "$du"
    expect_rc 0 "$kind: show once repaired" -- "$VZQUOTA" show $C
    # The same by hand: a file marked dirty and a subtree moved out of the project.
    "$VZQUOTA" off $C || fail "$kind: off C"
    chattr -R -p 0 "$TC/d1"
    sed -i 's/^DIRTY="no"/DIRTY="yes"/' "$(qfile $C)"
    expect_rc 10 "$kind: show: DIRTY=yes" -- "$VZQUOTA" show $C
    expect_rc 0 "$kind: on rescans" -- "$VZQUOTA" on $C
    assert_eq "$(q_inodes $C)" "$n" "$kind: the subtree is counted again"
    assert_eq "$(projid "$TC/d1/f1")" $C "$kind: and tagged"
    if ! "$VZQUOTA" off $C || ! "$VZQUOTA" drop $C; then fail "$kind: drop C"; fi
    rm -rf "$TC"
}

# The file system without prjquota: refused in one line, nothing changed.
without_prjquota() {
    local kind=$1 before inos
    TD="$MNT/d"
    populate "$TD"
    before=$(describe "$TD")
    inos=$(inode_numbers "$TD")
    cp "$(qfile $B)" "$W/quota.B"
    if ! umount "$MNT" || ! mount -o loop "$IMG" "$MNT"; then fail "$kind: mount without prjquota"; fi
    expect_rc 3 "$kind without prjquota: vzquota init" -- \
        "$VZQUOTA" init $D -p "$TD" -b 100 -B 110 -i 10 -I 11 -e 0 -n 0
    assert_eq "$OUT" "vzquota : (error) Project quota is not enabled on $MNT ($kind): disk quota $(
        [ "$kind" = ext4 ] && echo "needs the project feature (mkfs.ext4 -O quota,project) and the prjquota mount option" ||
            echo "needs the prjquota mount option")" "$kind: one line naming the file system"
    assert_false "$kind: no quota file" -- test -e "$(qfile $D)"
    assert_false "$kind: no lock file" -- test -e "$(qfile $D).lck"
    assert_eq "$(projid "$TD")" 0 "$kind: the tree's project is unchanged"
    assert_eq "$(projid "$TD/file1")" 0 "$kind: a file's too"
    assert_eq "$(inode_numbers "$TD")" "$inos" "$kind: no special file was re-created"
    assert_eq "$(describe "$TD")" "$before" "$kind: nor changed"
    expect_rc 3 "$kind without prjquota: vzquota on B" -- "$VZQUOTA" on $B
    assert_contains "$OUT" "Project quota is not enabled on $MNT" "$kind: says why"
    assert_true "$kind: B's quota file is unchanged" -- cmp -s "$(qfile $B)" "$W/quota.B"
    if ! umount "$MNT" || ! mount -o loop,prjquota "$IMG" "$MNT"; then fail "$kind: mount with prjquota"; fi
    "$VZQUOTA" drop $B || fail "$kind: drop B"
    rm -rf "$TD"
}

# --- a container through vzctl ---------------------------------------------------------

CONF() { echo "$VZ_CONFDIR/conf/$CT.conf"; }
in_ct() { "$VZCTL" exec2 $CT "$@"; }
# df inside: the column counted from the end (busybox may wrap a long name).
ct_df() { in_ct "df $1 / | tail -n 1" | awk -v f="$2" '{ print $(NF - f) }'; }

# proc_vzquota ID: usage, soft and hard of 1k-blocks, then of inodes, from
# the module's /proc/vz/vzquota (OpenVZ's format: "ID: path", two rows).
proc_vzquota() {
    awk -v id="$1:" '$1 == id { n = 2; next }
        n > 0 { printf "%s %s %s ", $2, $3, $4; n-- }' /proc/vz/vzquota
}

# shellcheck disable=SC2016 # $1, $i and $! belong to the inner shell or perl
container() {
    local kind=$1 priv err used du ds dss dsh di dis dih pu ps ph iu is ih
    priv="$MNT/private/$CT"
    sed -i -e "s|^VE_PRIVATE=.*|VE_PRIVATE=$MNT/private/\$VEID|" -e "s|^DISK_QUOTA=.*|DISK_QUOTA=yes|" \
        "$VZ_CONFDIR/vz.conf"
    it_ct $CT
    expect_rc 0 "$kind: vzctl create with disk quota" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal
    assert_eq "$(projid "$priv")" $CT "$kind: the private area is the container's project"
    assert_eq "$(projid "$priv/bin/busybox")" $CT "$kind: the unpacked template is counted"
    expect_rc 0 "$kind: start" -- "$VZCTL" --quiet start $CT
    wait_running $CT || fail "$kind: CT did not come up"
    expect_rc 0 "$kind: vzctl set --diskspace 100M:110M --diskinodes 2000:2200 --save, live" -- \
        "$VZCTL" set $CT --diskspace 100M:110M --diskinodes 2000:2200 --save
    assert_contains "$(cat "$(CONF)")" 'DISKSPACE="102400:112640"' "$kind: saved"
    assert_eq "$(ct_df -k 4)" 102400 "$kind: df inside: 100M"
    assert_eq "$(ct_df -i 4)" 2000 "$kind: df -i inside: 2000 inodes"
    assert_true "$kind: df inside: used $(ct_df -k 3) is the quota's $(q_blocks $CT)" -- \
        near "$(ct_df -k 3)" "$(q_blocks $CT)"
    assert_eq "$(ct_df -i 3)" "$(q_inodes $CT)" "$kind: df -i inside: used inodes are the quota's"
    # The container's root writes past the hard limit.
    err=$(in_ct 'dd if=/dev/zero of=/fill bs=1M count=200' 2>&1)
    assert_true "$kind: container root cannot write 200 MB into 110 MB" -- test $? -ne 0
    assert_contains "$err" "$(quota_error "$kind")" "$kind: with $(quota_error "$kind")"
    used=$(q_blocks $CT)
    assert_true "$kind: usage $used KB within the hard limit" -- in_range "$used" 100000 112640
    expect_rc 1 "$kind: ... and no more" -- in_ct 'dd if=/dev/zero of=/fill2 bs=1M count=2'
    expect_rc 0 "$kind: set --diskspace 150M:160M --save on the running container" -- \
        "$VZCTL" set $CT --diskspace 150M:160M --save
    expect_rc 0 "$kind: the write that failed succeeds at once" -- \
        in_ct 'dd if=/dev/zero of=/fill2 bs=1M count=2'
    assert_eq "$(ct_df -k 4)" 153600 "$kind: df inside follows: 150M"
    in_ct 'rm -f /fill /fill2'
    err=$(in_ct 'mkdir /m; i=0; while [ $i -lt 3000 ]; do true >/m/f$i || exit 0; i=$((i + 1)); done; exit 1' 2>&1)
    assert_true "$kind: container root cannot make files past 2200 inodes" -- test $? -eq 0
    assert_contains "$err" "$(quota_error "$kind")" "$kind: with $(quota_error "$kind")"
    assert_eq "$(q_inodes $CT)" 2200 "$kind: inodes used = the hard limit"
    in_ct 'rm -rf /m'
    # vzlist, vzquota and the tree agree.
    expect_rc 0 "$kind: vzlist -o diskspace,diskinodes" -- \
        "$VZLIST" -H -o diskspace,diskspace.s,diskspace.h,diskinodes,diskinodes.s,diskinodes.h $CT
    read -r ds dss dsh di dis dih <<<"$OUT"
    assert_eq "$dss:$dsh:$dis:$dih" "153600:163840:2000:2200" "$kind: vzlist: the limits"
    assert_eq "$ds" "$(q_blocks $CT)" "$kind: vzlist diskspace = vzquota stat"
    assert_eq "$di" "$(q_inodes $CT)" "$kind: vzlist diskinodes = vzquota stat"
    du=$(du_kb "$priv")
    assert_true "$kind: vzlist diskspace $ds vs du -sk $du" -- near "$ds" "$du"
    assert_eq "$di" "$(inodes_in "$priv")" "$kind: vzlist diskinodes = find, each inode once"
    # With the module loaded (the XFS round), /proc/vz/vzquota shows the
    # running container's quota as vzquota does, and forgets it at stop.
    if grep -q '^vzkit ' /proc/modules; then
        read -r pu ps ph iu is ih <<<"$(proc_vzquota $CT)"
        assert_eq "$ps:$ph:$is:$ih" "153600:163840:2000:2200" "$kind: /proc/vz/vzquota: the limits"
        assert_true "$kind: /proc/vz/vzquota 1k-blocks $pu = vzquota's $(q_blocks $CT) (within 1 KB)" -- \
            in_range "$pu" "$(($(q_blocks $CT) - 1))" "$(q_blocks $CT)"
        assert_eq "$iu" "$(q_inodes $CT)" "$kind: /proc/vz/vzquota inodes = vzquota stat"
        assert_contains "$(grep "^$CT: " /proc/vz/vzquota)" "$priv" "$kind: with the tree, for the host's root"
    fi
    # vzctl killed between the quota's init and on (VZKIT_KILL_AT, the steps
    # of docs/testing.md): the next mount finds the quota file and turns it on.
    if [ "$kind" = ext4 ]; then
        expect_rc 0 "$kind: stop" -- "$VZCTL" --quiet stop $CT --fast
        expect_rc 0 "$kind: drop the quota" -- "$VZQUOTA" drop $CT
        VZKIT_KILL_AT=quota.initialized "$VZCTL" --quiet mount $CT >/dev/null 2>&1
        assert_eq "$?" 137 "$kind: mount killed at quota.initialized"
        assert_true "$kind: the quota file is there" -- test -e "$(qfile $CT)"
        expect_rc 0 "$kind: mount again" -- "$VZCTL" --quiet mount $CT
        expect_rc 0 "$kind: the quota is on" -- "$VZQUOTA" stat $CT
        assert_eq "$(q_row $CT 1k-blocks | awk '{ print $3 ":" $4 }')" "153600:163840" "$kind: with the config's limits"
        expect_rc 0 "$kind: start" -- "$VZCTL" --quiet start $CT
        wait_running $CT || fail "$kind: CT did not come up"
    fi
    # DISK_QUOTA=no: the next start runs without the quota.
    expect_rc 0 "$kind: set --diskquota no --save" -- "$VZCTL" set $CT --diskquota no --save
    expect_rc 0 "$kind: stop" -- "$VZCTL" --quiet stop $CT --fast
    expect_rc 6 "$kind: the quota is off once stopped" -- "$VZQUOTA" stat $CT
    assert_false "$kind: and gone from /proc/vz/vzquota" -- grep -q "^$CT: " /proc/vz/vzquota
    expect_rc 0 "$kind: start with DISK_QUOTA=no" -- "$VZCTL" --quiet start $CT
    wait_running $CT || fail "$kind: CT did not come up"
    expect_rc 6 "$kind: DISK_QUOTA=no: no quota running" -- "$VZQUOTA" stat $CT
    assert_true "$kind: df inside shows the file system" -- test "$(ct_df -k 4)" -gt 200000
    expect_rc 0 "$kind: and writes past the old limit succeed" -- \
        in_ct 'dd if=/dev/zero of=/fill bs=1M count=170 && rm /fill'
    expect_rc 0 "$kind: stop" -- "$VZCTL" --quiet stop $CT --fast
    expect_rc 0 "$kind: destroy" -- "$VZCTL" --quiet destroy $CT
    assert_false "$kind: destroy drops the quota file" -- test -e "$(qfile $CT)"
}

# phase NAME KIND: runs the function NAME, then says how long it took.
phase() {
    local t0=$SECONDS
    "$@"
    echo "-- $2: $1 took $((SECONDS - t0)) s"
}

run_fs() {
    local kind=$1
    echo "== $kind"
    rm -rf "$VZQUOTA_DIR"
    make_fs "$kind" || { fail "$kind: cannot make and mount the file system"; return; }
    phase init_on_a_populated_tree "$kind"
    phase limits_against_a_writer_without_cap_sys_resource "$kind"
    phase grace_then_none "$kind"
    phase setlimit_off_on_drop "$kind"
    phase exdev_between_two_quotas "$kind"
    phase on_with_another_tree "$kind"
    phase crash_repair_and_the_lock "$kind"
    phase without_prjquota "$kind"
    # XFS's container runs with the vzkit module: vzquota registers its quota
    # with it and /proc/vz/vzquota shows it. (A registered tree pins its file
    # system, which the phases above remount.)
    if [ "$kind" = xfs ]; then
        insmod "$VZKIT_BUILD/kmod/vzkit.ko" || fail "insmod vzkit.ko"
    fi
    phase container "$kind"
    if [ "$kind" = xfs ]; then
        rmmod vzkit || fail "rmmod vzkit"
    fi
    umount "$MNT" || umount -l "$MNT"
    rm -f "$IMG"
}

# tmpfs has no project quota at all.
on_tmpfs() {
    local T="$W/tmpfs" before inos
    echo "== tmpfs"
    mkdir -p "$T"
    mount -t tmpfs -o size=16m tmpfs "$T"
    populate "$T"
    before=$(describe "$T")
    inos=$(inode_numbers "$T")
    expect_rc 3 "tmpfs: vzquota init" -- "$VZQUOTA" init $D -p "$T" -b 100 -B 110 -i 10 -I 11 -e 0 -n 0
    assert_eq "$OUT" "vzquota : (error) Disk quota needs ext4 or XFS with project quota: $T is on tmpfs ($T)" \
        "tmpfs: one line naming the file system"
    assert_false "tmpfs: no quota file" -- test -e "$(qfile $D)"
    assert_false "tmpfs: no lock file" -- test -e "$(qfile $D).lck"
    assert_eq "$(inode_numbers "$T")" "$inos" "tmpfs: no special file was re-created"
    assert_eq "$(describe "$T")" "$before" "tmpfs: nor changed"
    assert_false "tmpfs: no temporary left" -- any_test -e "$T"/.vzquota.* "$T"/d1/.vzquota.*
    umount "$T"
}

on_tmpfs
run_fs ext4
run_fs xfs

#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh), acceptance 4 of the vzkit module: the
# /dev/vzctl ABI answers bad requests with EINVAL/EFAULT/ENOTTY, refuses a
# caller inside a container with EPERM, survives a fuzz loop with a clean
# kernel log, refuses to unload while a container is registered, and leaks
# nothing over 50 load/unload cycles made while the host is busy. And
# /proc/vz/vzquota (issue 11): for the quotas registered through /dev/vzctl,
# the figures repquota reports, on ext4 and XFS project quota; unloading with
# a quota registered releases it.
# shellcheck source=module/lib.sh
. "$VZKIT_SRC/tests/vm/module/lib.sh"
it_setup
CT=4011
mod_ct $CT
mod_load
mod_start $CT || fail "start $CT"
INIT=$(head -n 1 "$(ct_cgroup $CT pids)/cgroup.procs")

# The ABI's answers (errno numbers: EPERM 1, ENOENT 2, ESRCH 3, EBADF 9,
# EFAULT 14, ENOTDIR 20, EINVAL 22, ENOTTY 25, EOPNOTSUPP 95).
OUT=$("$UBCTEST" abi $CT)
answer() { echo "$OUT" | awk -v n="$1" '$1 == n { print $3 }'; }
for pair in GET_VERSION:0 UNKNOWN:25 OTHER_TYPE:25 GETBC_NULL:14 GETBC_BADPTR:14 GETBC_BADPARMS:14 \
    GETBC:0 SETBC_HISTORY_NULL:14 SETBC_HISTORY_BADPARMS:14 SETBC_HISTORY_HOST:2 SETBC_HISTORY_NOCT:2 \
    SETBC_HISTORY_ZERO:0 SETUBLIMIT_BADRES:22 SETUBLIMIT_BAR_GT_LIM:22 SETUBLIMIT_TOOBIG:22 SETUBLIMIT_NOCT:2 \
    REGISTER_HOSTNS:22 REGISTER_NOPID:3 REGISTER_FLAGS:22 ENV_TEST:0 VE_TEST:0 ENV_TEST_NOCT:3 \
    VE_TEST_NOCT:3 UNREGISTER_NOCT:3 ENV_RESERVED:22 QUOTA_REGISTER_NULL:14 QUOTA_REGISTER_BADFD:9 \
    QUOTA_REGISTER_NOTDIR:20 QUOTA_REGISTER_NOQUOTA:95 QUOTA_REGISTER_FLAGS:22 \
    QUOTA_REGISTER_RESERVED:22 QUOTA_REGISTER_ID0:22 QUOTA_REGISTER_IDMAX:22 QUOTA_UNREGISTER_NULL:14 \
    QUOTA_UNREGISTER_NOENT:2 QUOTA_UNREGISTER_RESERVED:22 VIEW_BADMODE:22 VIEW_ZEROPAGES:22 \
    VIEW_RESERVED:22 VIEW_NOCT:2 CPUSTAT:0 CPUSTAT_NOCT:3 UGID_QUOTA_NULL:14 UGID_QUOTA_NOCT:2 \
    UGID_QUOTA_FLAGS:22 UGID_QUOTA_RESERVED:22 UGID_QUOTA_BADFD:9 UGID_QUOTA_NOBDEV:95 \
    UGID_QUOTA_FORGET:0; do
    assert_eq "$(answer "${pair%%:*}")" "${pair##*:}" "${pair%%:*} → errno ${pair##*:}"
done
assert_contains "$OUT" "version 1" "ABI version 1"
assert_contains "$OUT" "count 25 numproc $(ubc held numproc $CT) numfile_barrier $(ubc barrier numfile $CT)" \
    "GETBC reads what /proc/user_beancounters shows"

# A caller in the container's pid namespace, with every host capability.
OUT=$("$UBCTEST" ioctl-in "$INIT" 2>&1)
echo "$OUT" | indent '    in the CT: '
assert_eq "$(echo "$OUT" | awk '{ print $3 }' | sort -u)" "1" "every ioctl from inside the CT: EPERM"
assert_eq "$(echo "$OUT" | wc -l)" "13" "all thirteen ioctls were tried"

# Disk quota: a fresh ext4 and XFS with project quota on loop files, a tree
# tagged per quota id, limits below what it holds (so both grace timers run),
# registered through /dev/vzctl; /proc/vz/vzquota must show what repquota
# reads from the kernel.
modprobe -a loop ext4 xfs 2>/dev/null
GRACE_B=3600
GRACE_I=7200
# quota_fs NAME MKFS...: a new file system on $IT_ROOT/NAME.img, mounted with
# prjquota on $IT_ROOT/NAME, the file system's project grace times set.
quota_fs() {
    local name=$1; shift
    truncate -s 320M "$IT_ROOT/$name.img" && mkdir -p "$IT_ROOT/$name" &&
        "$@" "$IT_ROOT/$name.img" >/dev/null && mount -o loop,prjquota "$IT_ROOT/$name.img" "$IT_ROOT/$name" &&
        setquota -P -t $GRACE_B $GRACE_I "$IT_ROOT/$name"
}
# quota_tree MNT ID: MNT/ctID tagged with project ID, limits 2 MB:64 MB and
# 5:1000 inodes set, then 3 MB in 12 files written (as the host's root, who
# may exceed limits: only the figures matter here).
quota_tree() {
    local i dir=$1/ct$2
    mkdir -p "$dir" && chattr -R -p "$2" +P "$dir" && setquota -P "$2" 2048 65536 5 1000 "$1" &&
        for i in $(seq 12); do dd if=/dev/zero of="$dir/f$i" bs=1k count=256 status=none || return 1; done &&
        sync
}
# vzq_rows ID: quota ID's rows in the /proc/vz/vzquota text on stdin.
vzq_rows() { awk -v id="$1:" '$1 ~ /^[0-9]+:$/ { on = $1 == id; next } on { print $1, $2, $3, $4, $5, $6 }'; }
# rep_rows MNT ID: the same rows from repquota (-p: a timer as the time it
# ends, 0 when none) and the grace times quota_fs set.
rep_rows() {
    repquota -P -n -p "$1" | awk -v id="#$2" -v gb=$GRACE_B -v gi=$GRACE_I '
        $1 == id { print "1k-blocks", $3, $4, $5, $6, gb; print "inodes", $7, $8, $9, $10, gi }'
}
# The id lines of /proc/vz/vzquota text on stdin: "ID:" and the path, if any.
vzq_ids() { awk '$1 ~ /^[0-9]+:$/ { print }' | sed 's/ $//'; }
# quota_check NAME ID: quota ID on file system NAME, registered, as the host's
# root reads it.
quota_check() {
    local fs=$1 id=$2 mnt=$IT_ROOT/$1 got
    expect_rc 0 "$fs: quota $id registered on the file system's root" -- "$UBCTEST" quota-register "$id" "$mnt"
    expect_rc 0 "$fs: registered again on its tree" -- "$UBCTEST" quota-register "$id" "$mnt/ct$id"
    OUT=$(cat /proc/vz/vzquota)
    assert_eq "$(echo "$OUT" | vzq_ids | grep -c "^$id:")" "1" "$fs: one entry for quota $id"
    assert_true "$fs: the host's root sees its path, the last registered" -- \
        with_input "$OUT" grep -qx "$id: $mnt/ct$id"
    got=$(echo "$OUT" | vzq_rows "$id")
    echo "$got" | indent "    $fs /proc/vz/vzquota: "
    assert_eq "$got" "$(rep_rows "$mnt" "$id")" "$fs: quota $id's rows are what repquota reports"
    # shellcheck disable=SC2016  # an awk program
    assert_true "$fs: usage 3072 KB or more, 13 inodes, both timers running" -- \
        with_input "$got" awk '$1 == "1k-blocks" && $2 >= 3072 && $5 > 0 { b = 1 }
            $1 == "inodes" && $2 == 13 && $5 > 0 { i = 1 } END { exit !(b && i) }'
}
assert_eq "$(head -n 1 /proc/vz/vzquota)" \
    "$(printf '%-11s%15s%15s%15s%11s%11s' 'qid: path' usage softlimit hardlimit time expire)" \
    "/proc/vz/vzquota: OpenVZ's header"
if quota_fs qext4 mkfs.ext4 -q -O quota,project -I 256 && quota_tree "$IT_ROOT/qext4" 4012 &&
    quota_tree "$IT_ROOT/qext4" $CT; then
    quota_check qext4 4012
    quota_check qext4 $CT
    # Readers: the container sees its own quota only, without a path; a host
    # reader without CAP_SYS_ADMIN every quota, without paths.
    IN=$("$VZCTL" exec2 $CT cat /proc/vz/vzquota)
    assert_eq "$(echo "$IN" | vzq_ids)" "$CT:" "in the CT: only its own quota, no path"
    assert_eq "$(echo "$IN" | vzq_rows $CT)" "$(vzq_rows $CT < /proc/vz/vzquota)" "in the CT: the host's figures"
    OUT=$(setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin cat /proc/vz/vzquota)
    assert_eq "$(echo "$OUT" | vzq_ids | tr '\n' ' ')" "$CT: 4012: " "without CAP_SYS_ADMIN: every quota, no path"
    expect_rc 0 "unregister quota $CT" -- "$UBCTEST" quota-unregister $CT
    assert_eq "$(vzq_ids < /proc/vz/vzquota | cut -d: -f1 | tr '\n' ' ')" "4012 " "it is gone from /proc/vz/vzquota"
    expect_rc 1 "unregister it again: ENOENT" -- "$UBCTEST" quota-unregister $CT
    assert_eq "$OUT" "errno 2" "ENOENT"
    assert_eq "$("$VZCTL" exec2 $CT cat /proc/vz/vzquota | vzq_ids)" "" "in the CT: nothing once its quota is gone"
    # The module's reference keeps the file system mounted.
    assert_false "ext4: umount refused while quota 4012 holds its tree" -- umount "$IT_ROOT/qext4"
else
    fail "ext4 with project quota on a loop file"
fi
# The project feature without the prjquota option: accounted, not enforced.
truncate -s 32M "$IT_ROOT/noprj.img" && mkdir -p "$IT_ROOT/noprj" &&
    mkfs.ext4 -q -O quota,project -I 256 "$IT_ROOT/noprj.img" && mount -o loop "$IT_ROOT/noprj.img" "$IT_ROOT/noprj"
expect_rc 1 "ext4 mounted without prjquota: not registered" -- "$UBCTEST" quota-register 4014 "$IT_ROOT/noprj"
assert_eq "$OUT" "errno 95" "EOPNOTSUPP"
umount "$IT_ROOT/noprj"
if quota_fs qxfs mkfs.xfs -q -f && quota_tree "$IT_ROOT/qxfs" 4013; then
    quota_check qxfs 4013
    assert_eq "$(vzq_ids < /proc/vz/vzquota | cut -d: -f1 | tr '\n' ' ')" "4012 4013 " \
        "/proc/vz/vzquota lists both file systems' quotas, by id"
else
    fail "XFS with project quota on a loop file"
fi

# Unloading with a container registered is refused; the module keeps working.
expect_rc 1 "rmmod while a CT is registered" -- rmmod vzkit
assert_true "the module is still loaded" -- grep -q '^vzkit ' /proc/modules
assert_eq "$(ubc_ids /proc/user_beancounters | tr '\n' ' ')" "0 $CT " "and still shows the CT"
expect_rc 0 "stop" -- "$VZCTL" stop $CT --fast

# Fuzz: random numbers, sizes and pointers; then the device still answers.
OUT=$("$UBCTEST" fuzz 20000 4242 2>&1); rc=$?
assert_eq "$rc" "0" "20000 random ioctls: the caller survived"
echo "$OUT" | indent '    fuzz: '
assert_false "fuzz: no EPERM or ENOMEM answers to host root" -- with_input "$OUT" grep -qE 'errno (1|12) '
OUT=$("$UBCTEST" abi 999999)
assert_eq "$(answer GET_VERSION)" "0" "the device answers after the fuzz"
kernel_log_has() { dmesg | grep -qE "$1"; }
assert_false "kernel log clean after the fuzz" -- kernel_log_has 'BUG:|Oops|WARNING:|Call Trace'

# 50 load/unload cycles, some with a container charging objects meanwhile,
# all while two host tasks go through every hooked function (churn_start).
slab_objs() { awk 'NR > 2 { n += $2 } END { print n }' /proc/slabinfo; }
# Quotas do not pin the module (nothing is charged to them): unloading
# releases their trees, and their file systems unmount.
expect_rc 0 "unload with quotas 4012 and 4013 registered" -- rmmod vzkit
assert_true "ext4: unmounts once the module is gone" -- umount "$IT_ROOT/qext4"
assert_true "XFS: unmounts once the module is gone" -- umount "$IT_ROOT/qxfs"
insmod "$KO" && rmmod vzkit
before=$(slab_objs)
churn_start
cycles=0
for cycle in $(seq 50); do
    insmod "$KO" || break
    if [ $((cycle % 10)) = 0 ]; then
        mod_start $CT && "$VZCTL" exec2 $CT '/ubctest tcp 3 -- 0; /ubctest files 20 -- 0' >/dev/null
        "$VZCTL" --quiet stop $CT --fast >/dev/null 2>&1
    fi
    rmmod vzkit || break
    cycles=$cycle
done
churn_stop
assert_eq "$cycles" "50" "50 load/unload cycles (5 with a container running), the host churning meanwhile"
sync; echo 3 > /proc/sys/vm/drop_caches; sleep 1
after=$(slab_objs)
echo "    slab objects: $before before, $after after"
assert_true "no slab growth across the cycles ($before → $after objects)" -- test "$after" -lt $((before + 1500))
assert_false "no vzkit cache left after unloading" -- grep -q vzkit /proc/slabinfo
assert_false "kernel log clean after the cycles" -- kernel_log_has 'BUG:|Oops|WARNING:|Call Trace|Objects remaining'

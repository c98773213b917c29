#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh): the lvm layout (issue 14) in one boot.
# A loop-backed PV, a VG and a thin pool made here; then through vzctl:
#   create, start, df inside, --diskspace grown live, shrink refused live,
#   a snapshot taken while a process writes (e2fsck clean on it), snapshot-list
#   (-H -o -j), snapshot-mount/-umount, switch to it and back, delete, compact,
#   second-level quota with the module (setquota, repquota -a and quotactl_fd
#   inside as CT root; EDQUOT for a user inside; what CT root must not reach
#   refused; without the module refused again),
#   convert simfs → lvm (tree hash equal), faults (missing VG/pool, full pool,
#   name clash, failures halfway), vzctl killed at each step of snapshot,
#   snapshot-switch and snapshot-delete, destroy leaving no LV, and after each step
#   `lvs` showing nothing stray.
set -u
: "${VZKIT_SRC:?VZKIT_SRC is not set}"
# shellcheck source=../integration/lib.sh
. "$VZKIT_SRC/tests/integration/lib.sh"
it_setup

modprobe -a loop dm_mod dm_thin_pool dm_snapshot ext4 xfs quota_v2 veth ||
    echo "t_layout_lvm: modprobe failed" >&2

# shellcheck source=lib_lvm.sh
. "$VZKIT_SRC/tests/vm/lib_lvm.sh"

VG=vzkitvg POOL=pool CT=1401 CT2=1402 CT3=1403
IMG="$IT_ROOT/pv.img"
truncate -s 1200M "$IMG"
LOOP=$(losetup -f --show "$IMG") || { fail "losetup"; exit 1; }
cleanup_lvm() {
    vgchange -an "$VG" >/dev/null 2>&1
    vgremove -ff "$VG" >/dev/null 2>&1
    losetup -d "$LOOP" 2>/dev/null
}
trap 'it_teardown; cleanup_lvm' EXIT
if ! { pvcreate -q "$LOOP" && vgcreate -q "$VG" "$LOOP" && lvcreate -q -L 800M -T "$VG/$POOL"; } >/dev/null; then
    fail "cannot make the VG and thin pool"
    exit 1
fi
# A full pool errors at once instead of queueing writes for 60 s.
lvchange -q --errorwhenfull y "$VG/$POOL" >/dev/null

sed -i -e 's/^VE_LAYOUT=.*/VE_LAYOUT=lvm/' "$VZ_CONFDIR/vz.conf"
{
    echo "VE_LVM_VG=$VG"
    echo "VE_LVM_THINPOOL=$POOL"
} >>"$VZ_CONFDIR/vz.conf"

CONF() { echo "$VZ_CONFDIR/conf/$1.conf"; }
in_ct() { "$VZCTL" exec2 $CT "$@"; }
ct_df() { in_ct "df $1 / | tail -n 1" | awk -v f="$2" '{ print $(NF - f) }'; }
# The volume group's LVs, one name a line, the pool's hidden ones left out.
lvs_names() { lvs --noheadings -o lv_name "$VG" 2>/dev/null | tr -d ' ' | grep -v '^\[' | sort; }
lv_size_mb() { lvs --noheadings --units m --nosuffix -o lv_size "$VG/$1" | awk '{ printf "%d", $1 }'; }
# Nothing but the pool and the LVs named.
# shellcheck disable=SC2120,SC2119 # called with and without names
only_lvs() {
    local want got
    want=$(printf '%s\n' "$POOL" "$@" | sort)
    got=$(lvs_names)
    [ "$want" = "$got" ] || { echo "lvs: $got"; return 1; }
}
no_mounts_of() { ! grep -q "$1" /proc/self/mountinfo; }
dev_of() { echo "/dev/$VG/$1"; }

phase() {
    local t0=$SECONDS
    echo "== $1"
    "$1"
    echo "   ($1: $((SECONDS - t0)) s)"
}

# --- create, start, df, destroy ----------------------------------------------
basics() {
    it_ct $CT
    expect_rc 0 "create --layout lvm" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal \
        --layout lvm
    assert_contains "$(cat "$(CONF $CT)")" 'VE_LAYOUT="lvm"' "the config says lvm"
    assert_true "only ct$CT is new in the VG" -- only_lvs ct$CT
    # 2.2G = 2253 MiB, LVM rounds up to its 4 MiB extents.
    assert_eq "$(lv_size_mb ct$CT)" 2256 "the volume is DISKSPACE's hard limit (2.2G)"
    assert_true "the private area is metadata only" -- test -f "$IT_ROOT/vz/private/$CT/Snapshots.json"
    assert_false "no template files in the private area" -- test -e "$IT_ROOT/vz/private/$CT/bin"
    expect_rc 0 "start" -- "$VZCTL" --quiet start $CT
    wait_running $CT || fail "CT did not come up"
    assert_contains "$(grep " $IT_ROOT/vz/root/$CT " /proc/self/mountinfo)" "ext4" \
        "VE_ROOT is the volume's ext4"
    local size
    size=$(ct_df -k 4)
    assert_true "df inside shows the volume ($size KB, about 2.2G)" -- in_range "$size" 2000000 2306867
    expect_rc 0 "vzctl exec writes inside" -- in_ct 'echo hello > /root/hello'
}

grow() {
    expect_rc 0 "set --diskspace 3G:3G --save, running" -- "$VZCTL" --quiet set $CT --diskspace 3G --save
    assert_eq "$(lv_size_mb ct$CT)" 3072 "the volume grew to 3G"
    local size
    size=$(ct_df -k 4)
    assert_true "df inside follows ($size KB)" -- in_range "$size" 2900000 3145728
    expect_rc 0 "the file written before is there" -- in_ct 'grep -q hello /root/hello'
    expect_rc 154 "shrink refused while running" -- "$VZCTL" --quiet set $CT --diskspace 1G --save
    assert_contains "$OUT" "cannot shrink" "with one line saying so"
    assert_contains "$(cat "$(CONF $CT)")" 'DISKSPACE="3145728:3145728"' "the config keeps 3G"
    assert_eq "$(lv_size_mb ct$CT)" 3072 "the volume stays 3G"
}

SNAP1="" SNAP2=""
snapshots() {
    # A writer inside while the snapshot is taken.
    # shellcheck disable=SC2016 # expanded inside
    in_ct 'i=0; while :; do echo "line $i" >> /root/log; i=$((i+1)); done' >/dev/null 2>&1 &
    local writer=$!
    sleep 2
    expect_rc 0 "snapshot while a process writes" -- "$VZCTL" snapshot $CT --name first \
        --description "while writing"
    SNAP1=$(sed -n 's/.*Snapshot \({[0-9a-f-]*}\) has been.*/\1/p' <<<"$OUT")
    assert_true "it names its uuid ($SNAP1)" -- test -n "$SNAP1"
    assert_true "the writer still runs (thawed)" -- kill -0 $writer
    assert_eq "$(cat /sys/fs/cgroup/vz/$CT/cgroup.freeze)" 0 "the cgroup is thawed"
    sleep 1
    kill $writer 2>/dev/null
    in_ct 'pkill -f "echo \"line" ; true' >/dev/null 2>&1
    in_ct 'killall sh 2>/dev/null; true' >/dev/null 2>&1
    local lv
    lv=ct$CT-snap-${SNAP1//[\{\}]/}
    assert_true "the snapshot is a thin LV of ct$CT" -- only_lvs ct$CT "$lv"
    lvchange -q -ay -K "$VG/$lv"
    expect_rc 0 "e2fsck -fn on the snapshot is clean" -- e2fsck -fn "$(dev_of "$lv")"
    lvchange -q -an "$VG/$lv"
    expect_rc 0 "snapshot-list" -- "$VZCTL" snapshot-list $CT
    assert_contains "$OUT" "PARENT_UUID" "with a header"
    assert_contains "$OUT" "first" "and the name"
    expect_rc 0 "snapshot-list -H -o uuid,name,desc" -- "$VZCTL" snapshot-list $CT -H -o uuid,name,desc
    assert_eq "$(awk '{print $1, $2}' <<<"$OUT")" "$SNAP1 first" "only the fields asked"
    expect_rc 0 "snapshot-list -j" -- "$VZCTL" snapshot-list $CT -j
    assert_contains "$OUT" "\"desc\": \"while writing\"" "JSON with the description"
    expect_rc 21 "snapshot-list -o bogus" -- "$VZCTL" snapshot-list $CT -o bogus
    # Mounted read-only for a look.
    mkdir -p "$IT_ROOT/look"
    expect_rc 0 "snapshot-mount --target" -- "$VZCTL" --quiet snapshot-mount $CT --id "$SNAP1" \
        --target "$IT_ROOT/look"
    assert_true "the snapshot shows the file" -- grep -q hello "$IT_ROOT/look/root/hello"
    assert_false "read-only" -- touch "$IT_ROOT/look/x"
    expect_rc 0 "snapshot-list -o device,target names the mount" -- "$VZCTL" snapshot-list $CT -H -o target
    assert_eq "$OUT" "$IT_ROOT/look" "the target"
    expect_rc 158 "a mounted snapshot cannot be deleted" -- "$VZCTL" --quiet snapshot-delete $CT --id "$SNAP1"
    expect_rc 0 "snapshot-umount" -- "$VZCTL" --quiet snapshot-umount $CT --id "$SNAP1"
    assert_true "nothing mounted on the target" -- no_mounts_of "$IT_ROOT/look"
    # Switch there and back.
    in_ct 'echo after > /root/after'
    expect_rc 0 "second snapshot (--skip-suspend)" -- "$VZCTL" snapshot $CT --name second --skip-suspend
    SNAP2=$(sed -n 's/.*Snapshot \({[0-9a-f-]*}\) has been.*/\1/p' <<<"$OUT")
    expect_rc 0 "snapshot-list: the second's parent is the first" -- \
        "$VZCTL" snapshot-list $CT -H -o uuid,parent_uuid,current
    assert_contains "$OUT" "$SNAP2 $SNAP1 *" "parent and current"
    expect_rc 0 "snapshot-switch to the first (running: stopped, switched, started)" -- \
        "$VZCTL" --quiet snapshot-switch $CT --id "$SNAP1"
    wait_running $CT || fail "CT did not come back after the switch"
    expect_rc 1 "the file written after the first snapshot is gone" -- in_ct 'test -e /root/after'
    expect_rc 0 "the one before is there" -- in_ct 'grep -q hello /root/hello'
    expect_rc 0 "and back to the second" -- "$VZCTL" --quiet snapshot-switch $CT --id "$SNAP2"
    wait_running $CT || fail "CT did not come back after the second switch"
    expect_rc 0 "the file written after the first is back" -- in_ct 'grep -q after /root/after'
    assert_true "no stray volume after the switches" -- only_lvs ct$CT "ct$CT-snap-${SNAP1//[\{\}]/}" \
        "ct$CT-snap-${SNAP2//[\{\}]/}"
    expect_rc 0 "snapshot-delete the first" -- "$VZCTL" --quiet snapshot-delete $CT --id "$SNAP1"
    assert_true "its volume is gone" -- only_lvs ct$CT "ct$CT-snap-${SNAP2//[\{\}]/}"
    expect_rc 0 "snapshot-list after delete" -- "$VZCTL" snapshot-list $CT -H -o uuid,parent_uuid
    assert_eq "$(tr -d ' \n' <<<"$OUT")" "$SNAP2" "the second is left, without a parent"
    expect_rc 21 "a bad id" -- "$VZCTL" --quiet snapshot-delete $CT --id nonsense
    expect_rc 158 "an unknown id" -- "$VZCTL" --quiet snapshot-delete $CT \
        --id 01234567-89ab-cdef-0123-456789abcdef
}

compact() {
    local before after
    in_ct 'dd if=/dev/urandom of=/root/big bs=1M count=100 2>/dev/null; sync'
    before=$(lvs --noheadings -o data_percent "$VG/ct$CT" | tr -d ' ')
    in_ct 'rm /root/big; sync'
    expect_rc 0 "compact" -- "$VZCTL" compact $CT
    after=$(lvs --noheadings -o data_percent "$VG/ct$CT" | tr -d ' ')
    assert_true "compact returned space to the pool ($before% -> $after%)" -- \
        awk -v a="$after" -v b="$before" 'BEGIN { exit !(a < b) }'
}

# Second-level quota: QUOTAUGIDLIMIT > 0 mounts the volume with usrquota and
# grpquota (ext4's quota feature turned on first); limits bite a user inside.
QUOTA_TOOLS="quota repquota setquota"
# Copies the host's quota tools and the libraries they load into the CT.
copy_quota_tools() {
    local root=$1 b lib
    for b in $QUOTA_TOOLS; do
        b=$(command -v "$b") || return 1
        mkdir -p "$root$(dirname "$b")" && cp "$b" "$root$b"
        for lib in $(ldd "$b" | grep -o '/[^ ]*'); do
            mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
        done
    done
}
# The init of CT $1 as the host sees it (pid 1 of its namespace).
ct_init() {
    local pid
    while read -r pid; do
        [ "$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status" 2>/dev/null)" = 1 ] && { echo "$pid"; return; }
    done <"/sys/fs/cgroup/vz/$1/cgroup.procs"
    return 1
}
# ubctest quotactl ARGS from a process of CT $CT (its pid namespace, root
# without CAP_SYS_ADMIN, as container root is) holding what container root
# cannot have: the host's root and mount namespace, host descriptors.
as_ct_with_host_root() {
    local init
    init=$(ct_init $CT) || { echo "no init for CT $CT"; return 2; }
    nsenter -t "$init" -p -- setpriv --bounding-set -sys_admin -- \
        "$VZKIT_BUILD/tests/vzkit-ubctest" quotactl "$@"
}
# A host file system of its own with user quota (uid 1000 limited to 5000 KB),
# which container root must not reach: $HOSTFS, its device $HOSTDEV.
HOSTFS="$IT_ROOT/hostfs"
host_quota_fs() {
    truncate -s 64M "$IT_ROOT/hostfs.img" && mkfs.ext4 -q -O quota "$IT_ROOT/hostfs.img" &&
        mkdir -p "$HOSTFS" && mount -o loop,usrquota,grpquota "$IT_ROOT/hostfs.img" "$HOSTFS" &&
        setquota -u 1000 5000 5000 0 0 "$HOSTFS" && HOSTDEV=$(findmnt -no SOURCE "$HOSTFS")
}
# -v: ids without usage too.
host_limit_of_1000() { repquota -v -n -u "$1" 2>/dev/null | awk '$1 == "#1000" { print $4 " " $5 }'; }
second_level_quota() {
    local root="$IT_ROOT/vz/root/$CT" err vol hostnode
    vol=$(dev_of ct$CT)
    # The module lets container root administer its volume's user and group
    # quota (kmod/quotactl.c); vzctl start tells it which volume.
    expect_rc 0 "insmod vzkit.ko" -- insmod "$VZKIT_BUILD/kmod/vzkit.ko"
    expect_rc 0 "set --quotaugidlimit 100 --save" -- "$VZCTL" --quiet set $CT --quotaugidlimit 100 --save
    expect_rc 0 "restart (the option is a mount option)" -- "$VZCTL" --quiet restart $CT
    wait_running $CT || fail "CT did not come back"
    assert_contains "$(quotaon -pu "$root" 2>&1)" "is on" "user quota is on on the CT's file system"
    assert_contains "$(quotaon -pg "$root" 2>&1)" "is on" "group quota is on"
    expect_rc 0 "the quota node is in the CT's /dev" -- in_ct "test -b $vol"
    expect_rc 1 "CT root cannot read the raw volume through it" -- \
        in_ct "dd if=$vol of=/dev/null bs=512 count=1"
    assert_contains "$OUT" "not permitted" "EPERM"
    expect_rc 1 "nor write it" -- in_ct "dd if=/dev/zero of=$vol bs=512 count=1"
    expect_rc 1 "nor make a writable node of its own and open it" -- \
        in_ct "mknod /tmp/raw b $(stat -Lc '%Hr %Lr' "$vol") && dd if=/tmp/raw of=/dev/null count=1"
    in_ct 'mkdir -p /home/u && chown 1000:1000 /home/u && echo "u:x:1000:1000::/home/u:/bin/sh" >> /etc/passwd && echo "u:x:1000:" >> /etc/group'
    copy_quota_tools "$root" || fail "cannot copy the quota tools into the CT"
    cp "$VZKIT_BUILD/tests/vzkit-ubctest" "$root/ubctest" || fail "cannot copy the test helper"

    # Container root administers its own file system's quota, from inside.
    expect_rc 0 "setquota inside, as CT root: uid 1000, 1 MB" -- in_ct 'setquota -u 1000 1024 1024 0 0 /'
    assert_eq "$(host_limit_of_1000 "$root")" "1024 1024" "the host's repquota shows the limit set inside"
    err=$(in_ct 'su u -c "dd if=/dev/zero of=/home/u/f bs=1k count=2048"' 2>&1)
    assert_true "a user inside cannot write 2 MB past 1 MB" -- test $? -ne 0
    assert_contains "$err" "Disk quota exceeded" "EDQUOT"
    assert_true "the host's repquota shows uid 1000 at its limit" -- \
        with_input "$(repquota -n -u "$root" 2>&1)" grep -Eq '^#1000 +[-+]{2} +1024 +1024 +1024'
    expect_rc 0 "repquota -a inside, as CT root" -- in_ct 'repquota -a'
    indent "     " <<<"$OUT"
    assert_true "shows the user's row at its limit" -- \
        with_input "$OUT" grep -Eq '^(u|#1000) +[-+]{2} +1024 +1024 +1024'
    expect_rc 0 "repquota -an inside" -- in_ct 'repquota -an'
    assert_true "shows uid 1000's row at its limit" -- with_input "$OUT" grep -Eq '^#1000 +[-+]{2} +1024 +1024 +1024'
    # quota exits 1 for a user at or over a limit.
    expect_rc 1 "quota inside, as the user, shows its own usage" -- in_ct 'su u -c "quota -u 1000"'
    assert_contains "$OUT" "$vol" "naming the volume"
    assert_contains "$OUT" "1024*" "at its limit"
    expect_rc 0 "setquota -g inside: gid 1000, 4 MB" -- in_ct 'setquota -g 1000 4096 4096 0 0 /'
    assert_true "the host sees the group limit" -- \
        with_input "$(repquota -n -g "$root" 2>&1)" grep -Eq '^#1000 +[-+]{2} +[0-9]+ +4096 +4096'
    expect_rc 0 "setquota -t inside (Q_SETINFO): grace 2 hours" -- in_ct 'setquota -t -u 7200 7200 /'
    assert_contains "$(repquota -u "$root" 2>&1)" "Block grace time: 02:00" "the host sees the grace time"
    expect_rc 0 "quotactl_fd(2) inside on its root: uid 1000's limit" -- \
        in_ct '/ubctest quotactl get u 1000 fd:/'
    assert_contains "$OUT" "id 1000 blimit 1024" "read through the descriptor"
    expect_rc 0 "quotactl_fd(2) inside sets uid 1001's" -- in_ct '/ubctest quotactl set u 1001 fd:/ 512'
    assert_true "the host sees it" -- \
        with_input "$(repquota -v -n -u "$root" 2>&1)" grep -Eq '^#1001 +[-+]{2} +0 +512 +512'

    # What container root must not reach: refused with EPERM, nothing changed.
    host_quota_fs || fail "cannot make the host's quota file system"
    hostnode="mknod /dev/hostnode b $(stat -Lc '%Hr %Lr' "$HOSTDEV")"
    expect_rc 1 "Q_SETQUOTA on a node of a host device it made with mknod" -- \
        in_ct "$hostnode && /ubctest quotactl set u 1000 /dev/hostnode 1"
    assert_contains "$OUT" "errno 1" "EPERM"
    expect_rc 1 "Q_GETQUOTA of another uid there" -- in_ct '/ubctest quotactl get u 1000 /dev/hostnode'
    assert_contains "$OUT" "errno 1" "EPERM"
    expect_rc 1 "through a symlink to that node" -- \
        in_ct 'ln -sf /dev/hostnode /root/link && /ubctest quotactl set u 1000 /root/link 1'
    assert_contains "$OUT" "errno 1" "EPERM"
    expect_rc 1 "project quota on its own volume" -- in_ct "/ubctest quotactl set p $CT $vol 1"
    assert_contains "$OUT" "errno 1" "EPERM"
    expect_rc 1 "Q_QUOTAOFF on its own volume" -- in_ct "/ubctest quotactl off u 0 $vol"
    assert_contains "$OUT" "errno 1" "EPERM"
    expect_rc 1 "XFS's Q_XSETQLIM on its own volume" -- in_ct "/ubctest quotactl xset u 1000 $vol 1"
    assert_contains "$OUT" "errno 1" "EPERM"
    expect_rc 1 "a user inside, not root: Q_SETQUOTA of its own limit" -- \
        in_ct "su u -c '/ubctest quotactl set u 1000 $vol 99999'"
    assert_contains "$OUT" "errno 1" "EPERM"
    # A process of the container that holds what its root cannot have.
    expect_rc 0 "control: such a process on a descriptor of the CT's file system" -- \
        as_ct_with_host_root get u 1000 "fd:$root"
    expect_rc 1 "quotactl_fd(2) on a descriptor of a host file system" -- \
        as_ct_with_host_root set u 1000 "fd:$HOSTFS" 1
    assert_contains "$OUT" "errno 1" "EPERM"
    expect_rc 1 "quotactl(2) naming the CT's volume from a root not on it" -- \
        as_ct_with_host_root set u 1000 "$vol" 1
    assert_contains "$OUT" "errno 1" "EPERM"
    assert_eq "$(host_limit_of_1000 "$HOSTFS")" "5000 5000" "the host file system's limit is unchanged"
    assert_eq "$(host_limit_of_1000 "$root")" "1024 1024" "the CT's limit is unchanged"
    assert_contains "$(quotaon -pu "$root" 2>&1)" "is on" "and its user quota still on"
    umount "$HOSTFS"

    # Without the module container root's quotactl is the kernel's: refused.
    expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT --fast
    expect_rc 0 "rmmod vzkit" -- rmmod vzkit
    expect_rc 0 "start without the module" -- "$VZCTL" start $CT
    assert_contains "$OUT" "without the vzkit module" "start says what is missing"
    wait_running $CT || fail "CT did not come back"
    expect_rc 1 "setquota inside without the module" -- in_ct 'setquota -u 1000 2048 2048 0 0 /'
    assert_contains "$OUT" "not permitted" "EPERM, as on a stock kernel"
    assert_eq "$(host_limit_of_1000 "$root")" "1024 1024" "nothing changed"
    in_ct 'rm -rf /home/u'
}

# convert simfs -> lvm keeps files, owners, modes, times, xattrs, ACLs, links.
# The listing a tree hash is taken of: every name with its type, owner, mode,
# mtime, link target, size (not of directories: a file system's own), then
# contents and xattrs (ACLs among them), each list sorted: getfattr walks in
# the file system's own directory order. lost+found is the new file system's.
tree_list() {
    (cd "$1" && find . -path ./lost+found -prune -o \( -type d -printf '%p %y %u:%g %m %T@\n' \) \
        -o -printf '%p %y %u:%g %m %s %T@ %l\n' | sort &&
        find . -path ./lost+found -prune -o -type f -print0 | sort -z | xargs -0 md5sum &&
        getfattr -R -h -d -m - . 2>/dev/null |
        awk '/^# file: / { file = substr($0, 9); next } NF { print file, $0 }' | sort)
}
tree_hash() { tree_list "$1" | md5sum; }
convert() {
    local priv="$IT_ROOT/vz/private/$CT2" before after
    it_ct $CT2
    expect_rc 0 "a simfs container to convert" -- "$VZCTL" --quiet create $CT2 \
        --ostemplate busybox-minimal --layout simfs
    mkdir -p "$priv/data/sub"
    head -c 200000 /dev/urandom >"$priv/data/file"
    ln "$priv/data/file" "$priv/data/sub/hardlink"
    ln -s ../file "$priv/data/sub/symlink"
    mkfifo -m 0640 "$priv/data/fifo"
    mknod -m 0600 "$priv/data/null" c 1 3
    chown 1234:2345 "$priv/data/file"
    chmod 4751 "$priv/data/file"
    setfattr -n trusted.vzkit -v hello "$priv/data/sub"
    setfacl -m u:1000:rwx,g:2000:r "$priv/data/sub"
    setcap cap_net_raw+ep "$priv/bin/busybox" 2>/dev/null
    touch -d '2020-01-02 03:04:05' "$priv/data/fifo"
    # What container root could plant: links out of its tree, which the copy
    # must take as links, never follow.
    ln -s /etc "$priv/data/escape"
    ln -s /etc/passwd "$priv/data/passwd-link"
    local host_passwd
    host_passwd=$(md5sum /etc/passwd)
    before=$(tree_hash "$priv")
    tree_list "$priv" >"$IT_ROOT/before.list"
    assert_contains "$(cat "$IT_ROOT/before.list")" "trusted.vzkit" "the tree has an xattr"
    assert_contains "$(cat "$IT_ROOT/before.list")" "system.posix_acl_access" "and an ACL"
    expect_rc 0 "convert --layout lvm" -- "$VZCTL" --quiet convert $CT2 --layout lvm
    assert_contains "$(cat "$(CONF $CT2)")" 'VE_LAYOUT="lvm"' "the config says lvm"
    assert_true "the volume is there" -- only_lvs ct$CT2
    assert_false "the old tree is gone" -- test -e "$priv.simfs"
    expect_rc 0 "mount" -- "$VZCTL" --quiet mount $CT2
    after=$(tree_hash "$IT_ROOT/vz/root/$CT2")
    assert_eq "$after" "$before" "the tree hash is equal (names, types, owners, modes, sizes, times, targets, contents, xattrs and ACLs)"
    if [ "$after" != "$before" ]; then
        tree_list "$IT_ROOT/vz/root/$CT2" >"$IT_ROOT/after.list"
        diff "$IT_ROOT/before.list" "$IT_ROOT/after.list" | head -n 20
    fi
    assert_contains "$(getfacl -n -p "$IT_ROOT/vz/root/$CT2/data/sub" 2>/dev/null)" "user:1000:rwx" "the ACL is there"
    assert_eq "$(readlink "$IT_ROOT/vz/root/$CT2/data/escape")" /etc "a planted symlink is copied as a symlink"
    assert_true "and not followed (a link, no copy of the host's /etc)" -- test -L "$IT_ROOT/vz/root/$CT2/data/escape"
    assert_eq "$(md5sum /etc/passwd)" "$host_passwd" "the host's /etc/passwd is untouched"
    expect_rc 0 "umount" -- "$VZCTL" --quiet umount $CT2
    expect_rc 21 "convert of an lvm container is refused" -- "$VZCTL" --quiet convert $CT2 --layout lvm
    expect_rc 0 "destroy" -- "$VZCTL" --quiet destroy $CT2
    assert_true "no LV left" -- only_lvs
}

# Faults: one line, an OpenVZ exit code, nothing left.
set_key() { sed -i -e "s|^$1=.*|$1=$2|" "$VZ_CONFDIR/vz.conf"; }
# shellcheck disable=SC2119 # no names: only the pool
nothing_left_of() {
    only_lvs && ! test -e "$(CONF "$1")" && ! test -e "$IT_ROOT/vz/private/$1" &&
        ! grep -q "$IT_ROOT/vz/private" /proc/self/mountinfo
}
one_line() { [ "$(grep -vc '^Warning' <<<"$OUT")" -le 2 ]; }
faults() {
    local F=1404
    it_ct $F
    set_key VE_LVM_VG nosuchvg
    expect_rc 151 "missing VG" -- "$VZCTL" --quiet create $F --ostemplate busybox-minimal
    assert_contains "$OUT" "nosuchvg" "naming it"
    assert_true "nothing left" -- nothing_left_of $F
    set_key VE_LVM_VG $VG
    set_key VE_LVM_THINPOOL nopool
    expect_rc 151 "missing thin pool" -- "$VZCTL" --quiet create $F --ostemplate busybox-minimal
    assert_contains "$OUT" "Thin pool $VG/nopool not found" "naming it"
    assert_true "nothing left" -- nothing_left_of $F
    set_key VE_LVM_THINPOOL $POOL
    # Name clash: a volume of that name that is not ours.
    lvcreate -q -V 64M -T "$VG/$POOL" -n ct$F >/dev/null
    expect_rc 44 "name clash" -- "$VZCTL" --quiet create $F --ostemplate busybox-minimal
    assert_contains "$OUT" "already exists" "saying so"
    assert_true "the other volume is untouched, no config" -- test "$(lvs_names | tr '\n' ' ')" = "ct$F pool " -a ! -e "$(CONF $F)"
    lvremove -q -f "$VG/ct$F" >/dev/null
    # A template that breaks halfway through the unpack, on the new volume.
    printf 'garbage, not a tarball' | gzip >"$IT_ROOT/vz/template/cache/broken.tar.gz"
    OUT=$("$VZCTL" --quiet create $F --ostemplate broken 2>&1)
    assert_true "broken template: create fails ($?)" -- test $? -ne 0
    echo "   $OUT"
    assert_true "nothing left (no stray LV, no mount)" -- nothing_left_of $F
    # A full pool.
    lvcreate -q -L 16M -T "$VG/tiny" >/dev/null && lvchange -q --errorwhenfull y "$VG/tiny" >/dev/null
    lvcreate -q -V 64M -T "$VG/tiny" -n filler >/dev/null
    dd if=/dev/urandom of="$(dev_of filler)" bs=1M count=15 oflag=direct 2>/dev/null
    set_key VE_LVM_THINPOOL tiny
    expect_rc 46 "full pool: refused before anything" -- "$VZCTL" --quiet create $F --ostemplate busybox-minimal
    assert_contains "$OUT" "is full" "saying so"
    assert_true "nothing left" -- test "$(lvs_names | tr '\n' ' ')" = "filler pool tiny " -a ! -e "$(CONF $F)"
    # convert into the full pool fails halfway (mkfs or the copy), the tree stays.
    set_key VE_LVM_THINPOOL $POOL
    expect_rc 0 "a simfs container" -- "$VZCTL" --quiet create $F --ostemplate busybox-minimal --layout simfs
    local before
    before=$(tree_hash "$IT_ROOT/vz/private/$F")
    set_key VE_LVM_THINPOOL tiny
    OUT=$("$VZCTL" --quiet convert $F --layout lvm 2>&1)
    assert_true "convert into a full pool fails ($?)" -- test $? -ne 0
    echo "   $OUT"
    assert_true "no stray LV" -- test "$(lvs_names | tr '\n' ' ')" = "filler pool tiny "
    assert_contains "$(cat "$(CONF $F)")" 'VE_LAYOUT="simfs"' "the config still says simfs"
    assert_eq "$(tree_hash "$IT_ROOT/vz/private/$F")" "$before" "the tree is as it was"
    assert_false "no temporary mount point" -- test -e "$IT_ROOT/vz/private/$F.mnt"
    set_key VE_LVM_THINPOOL $POOL
    "$VZCTL" --quiet destroy $F >/dev/null 2>&1
    lvremove -q -f "$VG/filler" "$VG/tiny" >/dev/null
    # DISKSPACE unset.
    grep -v '^DISKSPACE=' "$VZ_CONFDIR/conf/ve-vswap-256m.conf-sample" >"$VZ_CONFDIR/conf/ve-nodisk.conf-sample"
    expect_rc 63 "lvm without DISKSPACE" -- "$VZCTL" --quiet create $F --ostemplate busybox-minimal \
        --config nodisk
    assert_true "nothing left" -- nothing_left_of $F
}

# A snapshot whose metadata cannot be written goes again, the CT thawed.
snapshot_fault() {
    local priv="$IT_ROOT/vz/private/$CT"
    chattr +i "$priv"
    expect_rc 156 "snapshot with its metadata unwritable" -- "$VZCTL" --quiet snapshot $CT
    chattr -i "$priv"
    assert_true "no stray snapshot LV" -- test "$(lvs_names | grep -c snap)" = "$(grep -o '"uuid"' "$priv/Snapshots.json" | wc -l)"
    assert_eq "$(cat /sys/fs/cgroup/vz/$CT/cgroup.freeze)" 0 "the cgroup is thawed"
    expect_rc 0 "the CT still answers" -- in_ct true
}

# vzctl killed at each step of snapshot, snapshot-switch and snapshot-delete
# (VZKIT_KILL_AT, docs/testing.md): a CT left frozen is thawed by the next
# command (status), start and the same command run again
# succeed, the CT is thawed and answers, and lvs shows the volume and the
# snapshots the metadata lists, nothing else.
nothing_stray() {
    local priv="$IT_ROOT/vz/private/$CT" listed
    listed=$(grep -o '"uuid"' "$priv/Snapshots.json" | wc -l)
    [ "$(lvs_names | grep -c -- '-snap-')" = "$listed" ] && ! lvs_names | grep -q -- '-old$\|-new$' &&
        lvs_names | grep -qx "ct$CT"
}
up_again() {
    if ! ct_status_matches $CT -q running; then
        expect_rc 0 "$1: start" -- "$VZCTL" --quiet start $CT
        wait_running $CT || fail "$1: the CT did not come up"
    fi
    assert_eq "$(cat /sys/fs/cgroup/vz/$CT/cgroup.freeze)" 0 "$1: the cgroup is thawed"
    expect_rc 0 "$1: the CT answers" -- in_ct true
    assert_true "$1: nothing stray in lvs ($(lvs_names | tr '\n' ' '))" -- nothing_stray
}
snapshot_kills() {
    local step id kw
    for step in snapshot.suspended snapshot.created; do
        kw="snapshot killed at $step"
        VZKIT_KILL_AT=$step "$VZCTL" --quiet snapshot $CT >/dev/null 2>&1
        assert_eq "$?" 137 "$kw"
        if [ "$step" = snapshot.suspended ]; then
            assert_eq "$(cat /sys/fs/cgroup/vz/$CT/cgroup.freeze)" 1 "$kw: the CT was left frozen"
            expect_rc 0 "$kw: the next command (status)" -- "$VZCTL" status $CT
            assert_contains "$OUT" "left frozen by an interrupted command" "$kw: ... thaws it, saying so"
            assert_eq "$(cat /sys/fs/cgroup/vz/$CT/cgroup.freeze)" 0 "$kw: ... thawed"
            assert_false "$kw: ... no marker left" -- test -e "$IT_ROOT/vz/lock/$CT.frozen"
        fi
        expect_rc 0 "$kw: snapshot again" -- "$VZCTL" --quiet snapshot $CT
        up_again "$kw"
    done
    id=$("$VZCTL" snapshot-list $CT -H -o uuid | head -n 1)
    for step in snapshot-switch.stopped snapshot-switch.renamed snapshot-switch.switched; do
        kw="snapshot-switch killed at $step"
        VZKIT_KILL_AT=$step "$VZCTL" --quiet snapshot-switch $CT --id "$id" >/dev/null 2>&1
        assert_eq "$?" 137 "$kw"
        up_again "$kw"
        expect_rc 0 "$kw: snapshot-switch again" -- "$VZCTL" --quiet snapshot-switch $CT --id "$id"
        up_again "$kw, switched"
        assert_eq "$("$VZCTL" snapshot-list $CT -H -o uuid,current | awk '$2 == "*" { print $1 }')" "$id" \
            "$kw: the snapshot is the current one"
    done
    expect_rc 0 "a snapshot to delete" -- "$VZCTL" --quiet snapshot $CT --name doomed
    id=$("$VZCTL" snapshot-list $CT -H -o uuid,name | awk '$2 == "doomed" { print $1 }')
    kw="snapshot-delete killed at snapshot-delete.removed"
    VZKIT_KILL_AT=snapshot-delete.removed "$VZCTL" --quiet snapshot-delete $CT --id "$id" >/dev/null 2>&1
    assert_eq "$?" 137 "$kw"
    expect_rc 0 "$kw: snapshot-delete again" -- "$VZCTL" --quiet snapshot-delete $CT --id "$id"
    assert_eq "$("$VZCTL" snapshot-list $CT -H -o name | grep -c doomed)" 0 "$kw: the snapshot is gone"
    up_again "$kw"
}

destroy() {
    expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT --fast
    assert_true "VE_ROOT unmounted" -- no_mounts_of "$IT_ROOT/vz/root/$CT "
    expect_rc 0 "destroy" -- "$VZCTL" --quiet destroy $CT
    assert_true "destroy leaves no LV (volume and snapshots)" -- only_lvs
    assert_false "nor the private area" -- test -e "$IT_ROOT/vz/private/$CT"
}

simfs_refuses() {
    it_ct $CT3
    expect_rc 0 "a simfs container" -- "$VZCTL" --quiet create $CT3 --ostemplate busybox-minimal \
        --layout simfs
    expect_rc 99 "simfs: snapshot refused" -- "$VZCTL" --quiet snapshot $CT3
    assert_contains "$OUT" "only lvm has" "saying what can"
    expect_rc 99 "simfs: snapshot-list refused" -- "$VZCTL" --quiet snapshot-list $CT3
    expect_rc 99 "simfs: compact refused" -- "$VZCTL" --quiet compact $CT3
}

phase basics
phase grow
phase snapshots
phase compact
phase second_level_quota
phase snapshot_fault
phase snapshot_kills
phase destroy
phase simfs_refuses
phase convert
phase faults

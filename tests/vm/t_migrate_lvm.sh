#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh, module loaded): vzmigrate of lvm containers
# (issue 16), between two vzkit instances with volume groups of their own
# (tests/integration/lib_migrate.sh). The volume goes device to device
# (`vzctl volume`, rsync's delta transfer, docs/checkpoint.md):
#   offline: the files arrive whole, the destination's pool holds what the
#     container uses rather than the volume's size, the source's volume goes;
#   online: the process goes on with its memory, the copied file system is
#     clean (the second pass after the checkpoint);
#   refused: a container with snapshots (16), a destination pool too small for
#     it (6): it runs on at the source, nothing is left at the destination.
# shellcheck source=module/lib.sh
. "$VZKIT_SRC/tests/vm/module/lib.sh"
# shellcheck source=../integration/lib_migrate.sh
. "$VZKIT_SRC/tests/integration/lib_migrate.sh"
criu_ready
modprobe -a loop dm_mod dm_thin_pool ext4 || { echo "FAIL: modprobe loop dm_thin_pool"; exit 1; }
it_setup
mod_load

# shellcheck source=lib_lvm.sh
. "$VZKIT_SRC/tests/vm/lib_lvm.sh"
# Both "hosts" use it.
MIG_DST_ENV="LVM_SYSTEM_DIR=$LVM_SYSTEM_DIR"
mig_setup

SRCVG=vzmigsrc DSTVG=vzmigdst POOL=pool
LOOPS=""
# make_vg VG PV_SIZE POOL_SIZE
make_vg() {
    local loop
    truncate -s "$2" "$IT_ROOT/$1.img"
    loop=$(losetup -f --show "$IT_ROOT/$1.img") || { fail "losetup for $1"; exit 1; }
    LOOPS="$LOOPS $loop"
    if ! { pvcreate -q "$loop" && vgcreate -q "$1" "$loop" && lvcreate -q -L "$3" -T "$1/$POOL" &&
        lvchange -q --errorwhenfull y "$1/$POOL"; } >/dev/null; then
        fail "cannot make $1 and its thin pool"
        exit 1
    fi
}
cleanup_lvm() {
    local vg loop
    for vg in $SRCVG $DSTVG; do
        vgchange -an "$vg" >/dev/null 2>&1
        vgremove -ff "$vg" >/dev/null 2>&1
    done
    for loop in $LOOPS; do losetup -d "$loop" 2>/dev/null; done
}
trap 'mig_teardown; it_teardown; cleanup_lvm' EXIT
make_vg $SRCVG 700M 600M
make_vg $DSTVG 220M 160M
# Both instances make lvm containers of 300 MB, each in its own group.
for side in "$VZ_CONFDIR:$SRCVG" "$MIG_DST_CONF:$DSTVG"; do
    conf=${side%%:*}
    sed -i -e 's/^VE_LAYOUT=.*/VE_LAYOUT=lvm/' "$conf/vz.conf"
    printf 'VE_LVM_VG=%s\nVE_LVM_THINPOOL=%s\n' "${side#*:}" $POOL >>"$conf/vz.conf"
    sed -e 's/^DISKSPACE=.*/DISKSPACE="300M:300M"/' "$conf/conf/ve-vswap-256m.conf-sample" \
        >"$conf/conf/ve-mig.conf-sample"
done

# lv_bytes VG LV FIELD: lv_size or the bytes its data takes in the pool.
lv_bytes() {
    lvs --noheadings --units b --nosuffix -o lv_size,data_percent "$1/$2" 2>/dev/null |
        awk -v f="$3" '{ print (f == "size") ? $1 : int($1 * $2 / 100) }'
}
has_lv() { lvs "$1/$2" >/dev/null 2>&1; }
SRC_ROOT=$IT_ROOT/vz/root
# Mounted in the destination's mount namespace only: read through dst.
DST_ROOT=$MIG_DIR/vz/root
A=4191 B=4192 C=4193 D=4194
for ct in $A $B $C $D; do
    it_ct "$ct"
    mig_dst_ct "$ct"
    src "$VZCTL" --quiet create "$ct" --ostemplate busybox-minimal --config mig >/dev/null 2>&1 ||
        fail "create $ct"
    if src "$VZCTL" --quiet start "$ct" >/dev/null 2>&1; then wait_running "$ct"; else fail "start $ct"; fi
done
assert_true "the containers have volumes in $SRCVG" -- has_lv $SRCVG ct$A

# --- offline: files whole, the destination's pool takes what is used ---------
head -c 8M /dev/urandom >"$SRC_ROOT/$A/data.bin"
ln "$SRC_ROOT/$A/data.bin" "$SRC_ROOT/$A/data.link"
ln -s /data.bin "$SRC_ROOT/$A/data.sym"
sync
SUM=$(md5sum <"$SRC_ROOT/$A/data.bin")
SIZE=$(lv_bytes $SRCVG ct$A size)
USED=$(lv_bytes $SRCVG ct$A used)
expect_rc 0 "vzmigrate (offline) of an lvm container" -- migrate -v $MIG_DST_IP $A
echo "$OUT" | indent "    "
assert_contains "$(dst "$VZCTL" status $A 2>&1)" "exist mounted running" "it runs at the destination"
assert_true "... on a volume in $DSTVG" -- has_lv $DSTVG ct$A
assert_eq "$(dst md5sum "$DST_ROOT/$A/data.bin" | cut -d' ' -f1)" "${SUM%% *}" "... the file's contents"
assert_eq "$(dst stat -c %h "$DST_ROOT/$A/data.bin")" 2 "... its hard link"
assert_eq "$(dst readlink "$DST_ROOT/$A/data.sym")" /data.bin "... the symlink"
assert_true "... the volume at least as large ($(lv_bytes $DSTVG ct$A size) >= $SIZE)" -- \
    test "$(lv_bytes $DSTVG ct$A size)" -ge "$SIZE"
dst_used=$(lv_bytes $DSTVG ct$A used)
assert_true "... the pool holds what it uses ($dst_used bytes; $USED at the source; volume $SIZE)" -- \
    test "$dst_used" -le $((USED + USED / 10 + 4194304))
assert_contains "$(src "$VZCTL" status $A 2>&1)" "deleted" "the source's container is gone"
assert_false "... its volume" -- has_lv $SRCVG ct$A

# --- online: memory and the file system ---------------------------------------
# shellcheck disable=SC2016 # expanded by the CT's shell
counter='setsid sh -c "w=\$RANDOM\$RANDOM; n=0; echo \$\$ > /pid; while :; do n=\$((n + 1)); echo \"\$w \$n\" > /count.new; mv /count.new /count; usleep 100000; done" </dev/null >/dev/null 2>&1 &'
src "$VZCTL" exec2 $B "$counter"
wait_until 10 test -s "$SRC_ROOT/$B/count"
WORD=$(cut -d' ' -f1 "$SRC_ROOT/$B/count")
PID=$(cat "$SRC_ROOT/$B/pid")
BEFORE=$(cut -d' ' -f2 "$SRC_ROOT/$B/count")
expect_rc 0 "vzmigrate --online of an lvm container" -- migrate --online -v $MIG_DST_IP $B
echo "$OUT" | indent "    "
assert_contains "$(dst "$VZCTL" status $B 2>&1)" "exist mounted running" "it runs at the destination"
assert_eq "$(dst cut -d' ' -f1 "$DST_ROOT/$B/count")" "$WORD" "... the process with the word it kept in memory"
assert_true "... counting on from where it was" -- in_range "$(dst cut -d' ' -f2 "$DST_ROOT/$B/count")" "$BEFORE" 1000000
assert_eq "$(dst "$VZCTL" exec2 $B cat /pid)" "$PID" "... the same pid inside"
assert_false "the source's volume is gone" -- has_lv $SRCVG ct$B
dst "$VZCTL" --quiet stop $B --fast >/dev/null 2>&1
expect_rc 0 "the copied file system is clean (e2fsck -fn)" -- e2fsck -fn "/dev/$DSTVG/ct$B"

# --- refusals: nothing at the destination, the container runs on -------------
gone_from_dst() {
    assert_contains "$(dst "$VZCTL" status "$1" 2>&1)" "deleted" "... nothing of CT $1 at the destination"
    assert_false "... no volume there" -- has_lv $DSTVG "ct$1"
    assert_false "... no config there" -- test -e "$MIG_DST_CONF/conf/$1.conf"
    assert_contains "$(src "$VZCTL" status "$1" 2>&1)" "exist mounted running" "... it runs at the source"
}
src "$VZCTL" --quiet snapshot $C >/dev/null 2>&1 || fail "snapshot $C"
expect_rc 16 "a container with a snapshot is refused: 16" -- migrate $MIG_DST_IP $C
assert_contains "$OUT" "snapshot" "... saying why"
gone_from_dst $C

# 150 MB the pool must take (not zeros: they take nothing) against ~100 free there.
yes vzkit-migrate-lvm | head -c 150M >"$SRC_ROOT/$D/fill"
sync
expect_rc 6 "a destination pool too small: 6" -- migrate --online $MIG_DST_IP $D
assert_contains "$OUT" "full" "... saying the pool is full"
gone_from_dst $D
assert_true "... its volume kept here" -- has_lv $SRCVG ct$D

#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh): the overlay layout's disk quota (issue 14).
# A fresh ext4 with project quota (mkfs.ext4 -O quota,project, mounted with
# prjquota, as tests/vm/t_quota.sh makes it) holds the template store and the
# private areas. The container's project is its private area (upper/, work/
# and the marker): the shared base is nobody's, a create charges almost
# nothing, a copy-up charges the copied file, the container's root gets
# EDQUOT past DISKSPACE, df inside shows the limit, QUOTAUGIDLIMIT is refused
# (65), destroy drops the quota.
set -u
: "${VZKIT_SRC:?VZKIT_SRC is not set}"
# shellcheck source=../integration/lib.sh
. "$VZKIT_SRC/tests/integration/lib.sh"
it_setup
modprobe -a loop ext4 quota_v2 overlay veth || echo "t_overlay_quota: modprobe failed" >&2

VZQUOTA="$VZKIT_BUILD/bin/vzquota"
export VZQUOTA_DIR="$IT_ROOT/vzquota"
MNT="$IT_ROOT/qfs"
IMG="$IT_ROOT/ext4.img"
CT=1401 CT2=1402
it_ct $CT
it_ct $CT2
q_blocks() { "$VZQUOTA" -b stat "$1" | awk 'NR == 1 { print $1 }'; }
projid() { lsattr -p -d "$1" 2>/dev/null | awk '{ print $1 }'; }
in_ct() { "$VZCTL" exec2 $CT "$@"; }
ct_df() { in_ct "df $1 / | tail -n 1" | awk -v f="$2" '{ print $(NF - f) }'; }

truncate -s 512M "$IMG"
mkfs.ext4 -q -O quota,project -I 256 "$IMG"
mkdir -p "$MNT/template/cache"
mount -o loop,prjquota "$IMG" "$MNT" || { fail "cannot mount ext4 with prjquota"; exit 1; }
mkdir -p "$MNT/template/cache"
ln -s "$TEMPLATE_CACHE/busybox-minimal.tar.gz" "$MNT/template/cache/"
sed -i -e "s|^VE_PRIVATE=.*|VE_PRIVATE=$MNT/private/\$VEID|" -e "s|^DISK_QUOTA=.*|DISK_QUOTA=yes|" \
    -e "s|^TEMPLATE=.*|TEMPLATE=$MNT/template|" -e "s|^VE_LAYOUT=.*|VE_LAYOUT=overlay|" \
    "$VZ_CONFDIR/vz.conf"
PRIV="$MNT/private/$CT"

expect_rc 0 "create an overlay container with disk quota" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal
BASE="$MNT/template/base/$(cat "$PRIV/base")"
assert_eq "$(projid "$PRIV")" $CT "the private area is the container's project"
assert_eq "$(projid "$PRIV/upper")" $CT "its upper directory too"
assert_eq "$(projid "$PRIV/work")" $CT "and overlayfs's work directory"
assert_eq "$(projid "$BASE/root/bin/busybox")" 0 "the shared base is no container's"
expect_rc 0 "start" -- "$VZCTL" --quiet start $CT
wait_running $CT || fail "CT did not come up"
expect_rc 0 "set --diskspace 20M:22M --diskinodes 500:550 --save, live" -- \
    "$VZCTL" set $CT --diskspace 20M:22M --diskinodes 500:550 --save
start_kb=$(q_blocks $CT)
echo "  usage after create and boot: $start_kb KB (the template is $(du -sk "$BASE/root" | cut -f1) KB)"
assert_true "the base is not charged: $start_kb KB used" -- in_range "$start_kb" 0 400
assert_eq "$(ct_df -k 4)" 20480 "df inside: the 20M limit"
# A copy-up (metacopy=off: touching a file copies it) is charged to the container.
expect_rc 0 "touch the 2 MB busybox (copy-up)" -- in_ct 'touch /bin/busybox'
assert_eq "$(projid "$PRIV/upper/bin/busybox")" $CT "the copied-up file is the container's project"
after_kb=$(q_blocks $CT)
assert_true "the copy-up is charged: $start_kb -> $after_kb KB" -- in_range $((after_kb - start_kb)) 1900 2200
# The container's root writes past the hard limit.
err=$(in_ct 'dd if=/dev/zero of=/fill bs=1M count=50' 2>&1)
assert_true "container root cannot write 50 MB into 22 MB" -- test $? -ne 0
assert_contains "$err" "Disk quota exceeded" "with EDQUOT"
used=$(q_blocks $CT)
assert_true "usage $used KB within the hard limit" -- in_range "$used" 19000 22528
assert_false "the base did not grow" -- test -e "$BASE/root/fill"
in_ct 'rm -f /fill'
# shellcheck disable=SC2016 # $i belongs to the shell inside
err=$(in_ct 'mkdir /m; i=0; while [ $i -lt 1000 ]; do true >/m/f$i || exit 0; i=$((i + 1)); done; exit 1' 2>&1)
assert_true "container root cannot make files past 550 inodes" -- test $? -eq 0
assert_contains "$err" "Disk quota exceeded" "with EDQUOT"
in_ct 'rm -rf /m'
expect_rc 0 "vzlist -o layout,diskspace" -- "$VZLIST" -H -o layout,diskspace,diskspace.h $CT
read -r layout ds dsh <<<"$OUT"
assert_eq "$layout:$dsh" "overlay:22528" "vzlist: the layout and the limit"
assert_eq "$ds" "$(q_blocks $CT)" "vzlist diskspace = vzquota stat"
# A second container over the same base has its own quota.
expect_rc 0 "a second container from the same base" -- "$VZCTL" --quiet create $CT2 --ostemplate busybox-minimal
assert_eq "$(projid "$MNT/private/$CT2/upper")" $CT2 "its upper is its own project"
expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT --fast
# Second-level quota needs a file system of the container's own.
expect_rc 0 "set --quotaugidlimit 100 --save" -- "$VZCTL" --quiet set $CT --quotaugidlimit 100 --save
expect_rc 65 "start with QUOTAUGIDLIMIT on overlay" -- "$VZCTL" --quiet start $CT
assert_contains "$OUT" "which the overlay layout does not give" "says why"
assert_false "not mounted" -- mountpoint -q "$IT_ROOT/vz/root/$CT"
expect_rc 0 "destroy" -- "$VZCTL" --quiet destroy $CT
assert_false "destroy drops the quota file" -- test -e "$VZQUOTA_DIR/quota.$CT"
expect_rc 0 "destroy the second" -- "$VZCTL" --quiet destroy $CT2
expect_rc 0 "template gc" -- "$VZCTL" template gc
assert_false "the base is gone" -- test -e "$BASE"
umount "$MNT"

#!/usr/bin/env bash
# vzmigrate offline between two vzkit instances on this host (lib_migrate.sh: the
# destination is a host of its own, reached over ssh). A busybox container with
# files and a routed address moves and runs there with its files and config, and is
# gone here; -r no keeps its private area here under <CTID>.conf.migrated. Refusals
# (CTID taken there, its private area in the way, an unreachable destination)
# and a start that fails there leave both sides as they were, with OpenVZ's codes
# (--keep-dst keeps the copied private area). A hostile container's symlinks to
# host paths are copied as symlinks: no host file is read or written through
# them on either side. Online migration needs CRIU: tests/vm/t_migrate_online.sh.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_migrate.sh
. "$(dirname "$0")/lib_migrate.sh"
it_setup
mig_setup
CT=2400
STOPPED=2401
FAILS=2402
IP=198.51.100.40
SRC_PRIV=$IT_ROOT/vz/private
DST_PRIV=$MIG_DIR/vz/private
for ct in $CT $STOPPED $FAILS; do it_ct "$ct"; mig_dst_ct "$ct"; done

ping_ok() { busybox ping -c 1 -W 2 "$1" >/dev/null 2>&1; }
src_status() { src "$VZCTL" status "$1" 2>/dev/null; }
dst_status() { dst "$VZCTL" status "$1" 2>/dev/null; }
tree_sum() { (cd "$1" && find . -printf '%p %y %s %m %l\n' | sort | md5sum); }

expect_rc 0 "create $CT with an address" -- \
    src "$VZCTL" create $CT --ostemplate busybox-minimal --ipadd $IP --hostname mig.example.com --name migme
expect_rc 0 "start it" -- src "$VZCTL" start $CT
wait_running $CT
# Its files: data, a hard link, a sparse file, an xattr.
# shellcheck disable=SC2016 # expanded by the CT's shell
src "$VZCTL" exec2 $CT 'mkdir -p /srv && echo payload-$RANDOM > /srv/data && ln /srv/data /srv/hard && dd if=/dev/urandom of=/srv/blob bs=64k count=4 2>/dev/null'
truncate -s 64M "$SRC_PRIV/$CT/srv/sparse"
XATTR=0
setfattr -n user.mig -v kept "$SRC_PRIV/$CT/srv/data" 2>/dev/null && XATTR=1
DATA=$(cat "$SRC_PRIV/$CT/srv/data")
BLOB=$(md5sum < "$SRC_PRIV/$CT/srv/blob")
assert_true "the container answers at the source" -- src busybox ping -c 1 -W 2 $IP
expect_rc 0 "create $STOPPED (stopped)" -- src "$VZCTL" create $STOPPED --ostemplate busybox-minimal
echo stopped-data > "$SRC_PRIV/$STOPPED/file"

# --- the hostile container: symlinks to the host's files and directories --------
CANARY=$IT_ROOT/canary
mkdir -p "$CANARY/dir"
echo host-secret > "$CANARY/secret"
CANARY_SUM=$(tree_sum "$CANARY")
src "$VZCTL" exec2 $CT "ln -s $CANARY/secret /srv/to-secret && ln -s $CANARY/dir /srv/to-dir &&
    ln -s / /srv/to-root && ln -s ../../../../../../../.. /srv/up && mkdir /srv/real && echo x > /srv/real/f"
HOST_ROOT_BEFORE=$(ls -a /)

# --- refusals: nothing changes on either side ------------------------------------
src_before=$(tree_sum "$SRC_PRIV/$CT/srv")
expect_rc 0 "a container $CT at the destination" -- dst "$VZCTL" create $CT --ostemplate busybox-minimal
echo dst-own > "$DST_PRIV/$CT/mine"
dst_before=$(tree_sum "$DST_PRIV/$CT")
dst_conf=$(md5sum < "$MIG_DST_CONF/conf/$CT.conf")
expect_rc 9 "CTID taken at the destination: 9" -- migrate $MIG_DST_IP $CT
assert_contains "$OUT" "already exists" "... says so"
assert_eq "$(tree_sum "$DST_PRIV/$CT")" "$dst_before" "... the destination's container untouched"
assert_eq "$(md5sum < "$MIG_DST_CONF/conf/$CT.conf")" "$dst_conf" "... and its config"
assert_contains "$(src_status $CT)" "exist mounted running" "... the source still runs"
assert_eq "$(tree_sum "$SRC_PRIV/$CT/srv")" "$src_before" "... its private area as it was"
assert_false "... no lock left" -- test -e "$IT_ROOT/vz/lock/$CT.lck"
expect_rc 0 "the destination's container destroyed" -- dst "$VZCTL" destroy $CT
rm "$MIG_DST_CONF/conf/$CT.conf.destroyed"

# The destination's private area path is a symlink to a host directory.
ln -s "$CANARY/dir" "$DST_PRIV/$CT"
expect_rc 9 "a symlink where the private area goes at the destination: 9" -- migrate $MIG_DST_IP $CT
assert_eq "$(tree_sum "$CANARY")" "$CANARY_SUM" "... nothing written through it"
assert_false "... no config left there" -- test -e "$MIG_DST_CONF/conf/$CT.conf"
rm "$DST_PRIV/$CT"

expect_rc 4 "an unreachable destination: 4" -- migrate --ssh "-o ConnectTimeout=3" 203.0.113.99 $CT
assert_contains "$(src_status $CT)" "exist mounted running" "... the source still runs"
expect_rc 1 "a bad -r value: 1" -- migrate -r maybe $MIG_DST_IP $CT
expect_rc 2 "--online of a stopped container: 2" -- migrate --online $MIG_DST_IP $STOPPED
# Too little space there: the private areas' file system at the destination is
# a 1 MiB tmpfs (in its mount namespace only).
dst mount -t tmpfs -o size=1m vzmig "$DST_PRIV"
expect_rc 6 "not enough space at the destination: 6" -- migrate $MIG_DST_IP $CT
assert_contains "$OUT" "Not enough space" "... says so"
dst umount "$DST_PRIV"
assert_contains "$(src_status $CT)" "exist mounted running" "after the refusals the source still runs"
assert_eq "$(tree_sum "$SRC_PRIV/$CT/srv")" "$src_before" "... with its private area as it was"
assert_false "... nothing of it at the destination" -- any_test -e "$MIG_DST_CONF/conf/$CT".*
assert_false "... no private area there" -- test -e "$DST_PRIV/$CT"

# --- the connection drops mid-sync: once the receiving rsync of the private area
# has written /srv/blob (the 64 MiB /srv/sparse is still to come), the ssh
# session serving it is killed (at most 10 s later if it never does).
# Back as it was: running here, nothing there.
cat > "$MIG_DIR/rsync-drops" <<'EOF'
#!/bin/sh
case "$*" in
*/vz/private/*)
    for last; do :; done
    rsync "$@" &
    i=0
    while [ ! -e "$last/srv/blob" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    kill -9 $PPID $!
    exit 1 ;;
esac
exec rsync "$@"
EOF
chmod 755 "$MIG_DIR/rsync-drops"
expect_rc 6 "the connection drops mid-sync: 6" -- migrate --rsync "--rsync-path=$MIG_DIR/rsync-drops" $MIG_DST_IP $CT
assert_contains "$OUT" "Failed to sync" "... says so"
assert_contains "$(src_status $CT)" "exist mounted running" "... the source runs again"
assert_true "... and answers" -- src busybox ping -c 1 -W 2 $IP
assert_eq "$(tree_sum "$SRC_PRIV/$CT/srv")" "$src_before" "... its private area as it was"
assert_false "... no private area at the destination" -- test -e "$DST_PRIV/$CT"
assert_false "... no config there" -- any_test -e "$MIG_DST_CONF/conf/$CT".*

# --- offline migration of a running container --------------------------------------
start=$(date +%s.%N)
expect_rc 0 "vzmigrate $MIG_DST_IP $CT (offline, running)" -- migrate -v $MIG_DST_IP migme
echo "$OUT" | indent "    "
echo "  offline migration took $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
assert_contains "$(dst_status $CT)" "exist mounted running" "it runs at the destination"
assert_eq "$(dst "$VZCTL" exec2 $CT cat /srv/data)" "$DATA" "... with its files"
assert_eq "$(md5sum < "$DST_PRIV/$CT/srv/blob")" "$BLOB" "... byte for byte"
assert_eq "$(stat -c %i "$DST_PRIV/$CT/srv/data")" "$(stat -c %i "$DST_PRIV/$CT/srv/hard")" "... hard links kept"
assert_true "... the sparse file stays sparse" -- in_range "$(du -k "$DST_PRIV/$CT/srv/sparse" | cut -f1)" 0 1024
if [ "$XATTR" = 1 ]; then
    assert_contains "$(getfattr -n user.mig --only-values "$DST_PRIV/$CT/srv/data" 2>&1)" "kept" "... xattrs kept"
fi
conf=$(cat "$MIG_DST_CONF/conf/$CT.conf")
assert_contains "$conf" "$IP" "its config is there with its address"
assert_contains "$conf" "VE_PRIVATE=\"$DST_PRIV/" "... and the destination's private area"
assert_eq "$(readlink "$MIG_DST_CONF/names/migme")" "$MIG_DST_CONF/conf/$CT.conf" "... its name registered there"
assert_true "its address answers at the destination" -- dst busybox ping -c 1 -W 2 $IP
assert_false "... not at the source" -- src ip link show venet0.$CT
assert_contains "$(src_status $CT)" "deleted" "the source's container is gone"
assert_false "... its private area removed" -- test -e "$SRC_PRIV/$CT"
assert_false "... no lock left" -- test -e "$IT_ROOT/vz/lock/$CT.lck"
assert_false "... no name left" -- test -e "$VZ_CONFDIR/names/migme"

# The hostile symlinks: links at the destination, the host as it was.
for l in to-secret:"$CANARY/secret" to-dir:"$CANARY/dir" to-root:/ up:../../../../../../../..; do
    assert_eq "$(readlink "$DST_PRIV/$CT/srv/${l%%:*}")" "${l#*:}" "symlink /srv/${l%%:*} copied as a link"
done
assert_eq "$(tree_sum "$CANARY")" "$CANARY_SUM" "the host files they point at are untouched"
assert_eq "$(ls -a /)" "$HOST_ROOT_BEFORE" "nothing new in the host's /"
assert_eq "$(cat "$DST_PRIV/$CT/srv/real/f")" "x" "a real directory beside them copied"

# --- -r no: the source keeps the private area, the config moves aside --------------
expect_rc 0 "vzmigrate -r no of a stopped container" -- migrate -r no $MIG_DST_IP $STOPPED
assert_contains "$(dst_status $STOPPED)" "exist unmounted down" "it is at the destination, stopped"
assert_eq "$(cat "$DST_PRIV/$STOPPED/file")" "stopped-data" "... with its files"
assert_true "the source keeps its private area" -- test -f "$SRC_PRIV/$STOPPED/file"
assert_true "... and its config as $STOPPED.conf.migrated" -- test -f "$VZ_CONFDIR/conf/$STOPPED.conf.migrated"
assert_contains "$(src_status $STOPPED)" "deleted" "... so it no longer exists here"

# --- a start that fails at the destination: back as it was ---------------------------
expect_rc 0 "create $FAILS" -- src "$VZCTL" create $FAILS --ostemplate busybox-minimal
# Its mount script fails on the destination only (its config there is below dst/).
# shellcheck disable=SC2016 # the script's own variable
printf '#!/bin/sh\ncase $VE_CONFFILE in */dst/*) exit 1 ;; esac\nexit 0\n' > "$VZ_CONFDIR/conf/$FAILS.mount"
chmod 755 "$VZ_CONFDIR/conf/$FAILS.mount"
expect_rc 0 "start it" -- src "$VZCTL" start $FAILS
expect_rc 7 "a start that fails at the destination: 7" -- migrate $MIG_DST_IP $FAILS
assert_contains "$(src_status $FAILS)" "exist mounted running" "... it runs at the source again"
assert_contains "$(dst_status $FAILS)" "deleted" "... nothing of it at the destination"
assert_false "... no private area there" -- test -e "$DST_PRIV/$FAILS"
assert_false "... no action script there" -- test -e "$MIG_DST_CONF/conf/$FAILS.mount"
expect_rc 7 "again with --keep-dst: 7" -- migrate --keep-dst $MIG_DST_IP $FAILS
assert_contains "$(src_status $FAILS)" "exist mounted running" "... it runs at the source again"
assert_contains "$(dst_status $FAILS)" "deleted" "... no container at the destination"
assert_true "... its copied private area kept there" -- test -d "$DST_PRIV/$FAILS/bin"
expect_rc 9 "without --keep-dst that copy is in the way: 9" -- migrate $MIG_DST_IP $FAILS
printf '#!/bin/sh\nexit 0\n' > "$VZ_CONFDIR/conf/$FAILS.mount"
expect_rc 0 "with --keep-dst it is reused, and the migration succeeds" -- migrate --keep-dst $MIG_DST_IP $FAILS
assert_contains "$(dst_status $FAILS)" "exist mounted running" "... it runs at the destination"
assert_contains "$(src_status $FAILS)" "deleted" "... and is gone here"

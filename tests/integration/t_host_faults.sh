#!/bin/bash
# Host faults (issue 17): what vzctl does when the host itself fails it.
#   - disk full: the private areas' file system out of blocks (create is
#     refused before unpacking) or out of inodes (the unpack fails halfway),
#     the configs' file system full (create, set --save on a stopped and a
#     running CT), the lock directory's file system full;
#   - a read-only /proc/sys (vzctl run in a mount namespace where it is
#     remounted read-only) when a start must write the venet device's sysctls;
#   - a missing cgroup controller (pids, which NUMPROC needs): unmounted, and
#     hidden under another mount.
# Each must fail in one line naming the problem, with OpenVZ's exit code, and
# leave nothing half done: no private area or its temp tree, no config or
# temp config, no lock, no name, no cgroup, no mount, no process, no device
# or route. The module unloaded under running CTs is tested in the VM
# (tests/vm/t_module_limits.sh), the quota on a full disk there too
# (tests/vm/t_quota.sh): this host has no project quota.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=2180
CT2=2181
IP=198.51.100.81
NS=vzt17faults
it_ct $CT
it_ct $CT2
in_ns() { nsenter --net=/run/netns/$NS "$@"; }
cleanup() {
    in_ns "$VZCTL" --quiet stop $CT2 --fast >/dev/null 2>&1
    ip netns del $NS 2>/dev/null
    it_teardown
}
trap cleanup EXIT

PRIVFS=$IT_ROOT/vz/private
CONFFS=$VZ_CONFDIR/conf
LOCKDIR=$IT_ROOT/vz/lock
CONF=$CONFFS/$CT.conf
one_line() { [ "$(printf '%s\n' "$1" | grep -cv '^Warning')" = 1 ]; }

# The private areas and the configs each on a small tmpfs of their own.
mount -t tmpfs -o size=16m,nr_inodes=4096 vzt-private "$PRIVFS" || { fail "tmpfs for the private areas"; exit 1; }
mount -t tmpfs -o size=1m vzt-conf "$CONFFS" || { fail "tmpfs for the configs"; exit 1; }
cp "$VZKIT_SRC"/etc/conf/* "$CONFFS/"

# fill DIR: writes into DIR/filler until its file system has no block left.
fill() { dd if=/dev/zero of="$1/filler" bs=64k >/dev/null 2>&1; sync; }
unfill() { rm -f "$1/filler"; }
full() { [ "$(stat -fc %a "$1")" = 0 ]; }

# Everything of a CT that may remain, one line each; empty when clean.
residue() {
    local ct=$1 d
    for d in /sys/fs/cgroup/*/vz/"$ct" /sys/fs/cgroup/vz/"$ct"; do
        [ -d "$d" ] && echo "cgroup $d"
    done
    find "$PRIVFS" "$IT_ROOT/vz/root" -mindepth 1 -maxdepth 1 -name "$ct*" | sed 's/^/file /'
    find "$CONFFS" -maxdepth 1 \( -name "$ct.*" -o -name ".$ct.*" \) ! -name "*.destroyed" | sed 's/^/config /'
    find "$VZ_CONFDIR/names" -maxdepth 1 -lname "*/$ct.conf" 2>/dev/null | sed 's/^/name /'
    find "$LOCKDIR" -maxdepth 1 -name "$ct.lck*" 2>/dev/null | sed 's/^/lock /'
    awk -v r="$IT_ROOT/vz/root/$ct" '$5 == r { print "mount", $5 }' /proc/self/mountinfo
}

# ---- disk full: the private areas -----------------------------------------
fill "$PRIVFS"
assert_true "the private areas' file system is full" -- full "$PRIVFS"
expect_rc 46 "create on a full disk" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal --name faults$CT
assert_contains "$OUT" "Not enough disk space on $PRIVFS" "the message names the file system"
assert_true "in one line ($OUT)" -- one_line "$OUT"
assert_eq "$(residue $CT)" "" "create on a full disk: nothing left"
unfill "$PRIVFS"

# Out of inodes (the free-space check counts bytes): the unpack fails halfway.
mount -o remount,nr_inodes=120 "$PRIVFS"
expect_rc 46 "create on a file system out of inodes" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal --name faults$CT
assert_contains "$OUT" "No space left on device" "the message says why"
assert_true "in one line ($OUT)" -- one_line "$OUT"
assert_eq "$(residue $CT)" "" "create out of inodes: nothing left, not the half-unpacked tree"
assert_eq "$(stat -fc %d "$PRIVFS")" "$(($(stat -fc %c "$PRIVFS") - 1))" "every inode but the root's is free again"
mount -o remount,nr_inodes=4096 "$PRIVFS"

# ---- disk full: the configs -------------------------------------------------
fill "$CONFFS"
assert_true "the configs' file system is full" -- full "$CONFFS"
expect_rc 139 "create with the configs' disk full" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal --name faults$CT
assert_contains "$OUT" "No space left on device" "the message says why"
assert_true "in one line ($OUT)" -- one_line "$OUT"
assert_eq "$(residue $CT)" "" "create with the configs' disk full: nothing left, not the unpacked tree"
unfill "$CONFFS"

expect_rc 0 "create" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal
cp "$CONF" "$IT_ROOT/conf.before"
fill "$CONFFS"
expect_rc 139 "set --save with the configs' disk full" -- "$VZCTL" --quiet set $CT --numproc 300 --save
assert_contains "$OUT" "No space left on device" "the message says why"
assert_true "in one line ($OUT)" -- one_line "$OUT"
assert_true "the config is unchanged" -- cmp -s "$CONF" "$IT_ROOT/conf.before"
assert_eq "$(find "$CONFFS" -name ".$CT.conf.*")" "" "no temp config left"
expect_rc 139 "set --name --save with the configs' disk full" -- "$VZCTL" --quiet set $CT --name faults$CT --save
assert_eq "$(ls "$VZ_CONFDIR/names" 2>/dev/null)" "" "the name is not registered for a config without it"
unfill "$CONFFS"

expect_rc 0 "start" -- "$VZCTL" --quiet start $CT
wait_running $CT
fill "$CONFFS"
expect_rc 139 "set --save on a running CT with the configs' disk full" -- "$VZCTL" --quiet set $CT --numproc 300 --save
assert_true "in one line ($OUT)" -- one_line "$OUT"
assert_contains "$OUT" "not saved" "the message says the change was not saved"
assert_true "the config is unchanged" -- cmp -s "$CONF" "$IT_ROOT/conf.before"
assert_eq "$(find "$CONFFS" -name ".$CT.conf.*")" "" "no temp config left"
assert_true "the CT still runs" -- "$VZCTL" --quiet exec2 $CT true
unfill "$CONFFS"
expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT --fast

# ---- disk full: the lock directory -----------------------------------------
mount -t tmpfs -o size=64k vzt-lock "$LOCKDIR" && fill "$LOCKDIR"
expect_rc 3 "start with the lock directory's disk full" -- "$VZCTL" --quiet start $CT
assert_contains "$OUT" "No space left on device" "the message says why"
assert_contains "$OUT" "lock file" "and names the lock"
assert_true "in one line ($OUT)" -- one_line "$OUT"
assert_eq "$(find "$LOCKDIR" -mindepth 1 ! -name filler)" "" "no lock or temp lock file left"
assert_true "the CT did not start" -- ct_status_matches $CT -q down
umount "$LOCKDIR"
expect_rc 0 "destroy" -- "$VZCTL" --quiet destroy $CT
rm -f "$CONFFS/$CT.conf.destroyed"
assert_eq "$(residue $CT)" "" "after destroy nothing left"

# ---- a read-only /proc/sys --------------------------------------------------
# The start of a CT with a routed address writes its venet device's sysctls
# (forwarding, rp_filter): in a mount namespace where /proc/sys is read-only
# that must fail the start, cleanly.
it_lan_ns $NS vzt17f
expect_rc 0 "create with an IP" -- in_ns "$VZCTL" --quiet create $CT2 --ostemplate busybox-minimal --ipadd $IP
# The namespace's own view of the CT's mounts is printed after vzctl, so
# that a mount left behind there is seen too (the host never sees it).
# shellcheck disable=SC2016 # expanded by the inner shell, from its arguments
ro_start() {
    unshare -m --propagation private sh -c '
        mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys || exit 100
        nsenter --net="/run/netns/$1" "$2" --quiet start "$3" 2>&1
        echo "rc=$?"
        awk -v r="$4" "\$5 == r { print \"mount\", \$5 }" /proc/self/mountinfo
    ' ro-start "$NS" "$VZCTL" $CT2 "$IT_ROOT/vz/root/$CT2"
}
OUT=$(ro_start)
assert_contains "$OUT" "rc=104" "start with /proc/sys read-only: exit 104 ($OUT)"
assert_contains "$OUT" "Read-only file system" "the message says why"
assert_contains "$OUT" "forwarding" "and names the setting"
assert_eq "$(printf '%s\n' "$OUT" | grep -cv '^rc=\|^mount\|^Warning')" "1" "in one line"
assert_false "no mount left in vzctl's namespace" -- with_input "$OUT" grep -q "^mount "
assert_eq "$(residue $CT2 | grep -v '^file \|^config ')" "" "no cgroup, lock or mount left"
assert_eq "$(in_ns ip -o link show | grep -c venet)" "0" "no venet device left"
assert_eq "$(in_ns ip route show | grep -cw $IP)" "0" "no route left"
assert_eq "$(in_ns ip neigh show proxy | grep -cw $IP)" "0" "no proxy ARP entry left"
assert_true "status says down" -- ct_status_matches $CT2 -q "exist unmounted down"
expect_rc 0 "then a start with /proc/sys writable succeeds" -- in_ns "$VZCTL" --quiet start $CT2
expect_rc 0 "and stop" -- in_ns "$VZCTL" --quiet stop $CT2 --fast
ip netns del $NS

# ---- a missing cgroup controller --------------------------------------------
# NUMPROC is the pids controller's pids.max: without it, start must refuse.
# shellcheck disable=SC2016 # expanded by the inner shell, from its arguments
in_private_ns() {
    unshare -m --propagation private sh -c '
        eval "$1" || exit 100
        "$2" --quiet start "$3" 2>&1
        echo "rc=$?"
        echo "left: $(ls -A /sys/fs/cgroup/pids)"
        awk -v r="$4" "\$5 == r { print \"mount\", \$5 }" /proc/self/mountinfo
    ' in-ns "$1" "$VZCTL" $CT2 "$IT_ROOT/vz/root/$CT2"
}
expect_rc 0 "set NUMPROC" -- "$VZCTL" --quiet set $CT2 --ipdel all --numproc 200 --save
if cgroup_v2; then
    fail "this test hides a v1 controller: the host must have cgroup v1"
else
    for how in "unmounted|umount /sys/fs/cgroup/pids" \
        "hidden under a tmpfs|mount -t tmpfs none /sys/fs/cgroup/pids"; do
        IFS='|' read -r what hide <<<"$how"
        OUT=$(in_private_ns "$hide")
        assert_contains "$OUT" "rc=6" "start with the pids controller $what: exit 6 ($OUT)"
        assert_contains "$OUT" "pids cgroup controller is not available" "the message names the controller"
        assert_eq "$(printf '%s\n' "$OUT" | grep -cv '^rc=\|^left:\|^mount\|^Warning')" "1" "in one line"
        assert_true "nothing made where the controller was, nor in what hides it" -- with_input "$OUT" grep -qx "left: "
        assert_false "no mount left in vzctl's namespace" -- with_input "$OUT" grep -q "^mount "
        assert_eq "$(residue $CT2 | grep -v '^file \|^config ')" "" "no cgroup, lock or mount left"
        assert_true "status says down" -- ct_status_matches $CT2 -q "exist unmounted down"
    done
    expect_rc 0 "with the controller back, start succeeds" -- "$VZCTL" --quiet start $CT2
    assert_eq "$(cat "$(ct_cgroup $CT2 pids)/pids.max")" "200" "and NUMPROC is pids.max"
    expect_rc 0 "and stop" -- "$VZCTL" --quiet stop $CT2 --fast
fi

#!/bin/bash
# Containers' mount namespaces come from the small template namespace
# (docs/architecture.md, "Mount namespaces flat in N"): the template holds one
# read-only tmpfs and nothing of the host's; a container's namespace holds only
# its own tree, however many mounts the host has; VE_ROOT stays mounted and
# visible on the host; mounts below VE_ROOT made on the host before start (a
# mount hook) are inside, those made after start are not, and nothing the
# container mounts reaches the host (private, as before the template);
# container root finds no way to the host's tree or the template's; and a
# start that cannot have the template copies the host's namespace instead.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT1=3101
CT2=3102
it_ct $CT1
it_ct $CT2
PIN="$IT_ROOT/vz/lock/mnt-template"
ROOT1="$IT_ROOT/vz/root/$CT1"
ROOT2="$IT_ROOT/vz/root/$CT2"
SHARED="$IT_ROOT/shared"
mkdir -p "$SHARED" "$IT_ROOT/extra"
echo from-the-host > "$SHARED/marker"

# foreign_mounts TEXT: the "seen: <mount point>" lines of TEXT that are not
# the CT's own mounts (/, /proc, /sys, /dev, /mnt and below); fails if none.
foreign_mounts() {
    printf '%s\n' "$1" | grep '^seen: ' | grep -Evx 'seen: (/|/(proc|sys|dev|mnt)(/.*)?)'
}
# mount_points CT: the mount point field of the CT's own mountinfo, sorted.
mount_points() { "$VZCTL" --quiet exec2 "$1" cat /proc/self/mountinfo | awk '{ print $5 }' | sort; }

expect_rc 0 "create $CT1" -- "$VZCTL" create $CT1 --ostemplate busybox-minimal
expect_rc 0 "create $CT2" -- "$VZCTL" create $CT2 --ostemplate busybox-minimal
# OpenVZ's way to give a CT a host directory: a bind mount below VE_ROOT in
# the CT's mount hook, before the CT starts.
mkdir -p "$IT_ROOT/vz/private/$CT2/mnt/shared"
printf 'mount --bind %s %s/mnt/shared\n' "$SHARED" "$ROOT2" > "$VZ_CONFDIR/conf/$CT2.mount"
# The most container root can hold for an escape: CAP_SYS_ADMIN (mount,
# umount, unshare, pivot_root in namespaces of its own).
expect_rc 0 "give $CT2 sys_admin" -- "$VZCTL" set $CT2 --capability sys_admin:on --save

# VE_ROOT's directory becomes a mount of its own at the first start, so that
# the containers' roots are its children and not children of the mount that
# holds the private areas (docs/architecture.md). That mount is shared here,
# as / is on a systemd host: the directory gets a peer group of its own, and
# no root propagates back into the mount below it.
PARENT="$IT_ROOT/vz/root"
if ! mount --bind "$IT_ROOT/vz" "$IT_ROOT/vz" || ! mount --make-shared "$IT_ROOT/vz"; then
    fail "cannot make $IT_ROOT/vz a shared mount"
fi
# peer_group PATH: the shared:N of the topmost mount on PATH.
peer_group() { awk -v p="$1" '$5 == p { g = ""; for (i = 7; $i != "-"; i++) if ($i ~ /^shared:/) g = $i; print g }' /proc/self/mountinfo | tail -1; }
assert_false "VE_ROOT's directory is no mount point before the first start" -- mountpoint -q "$PARENT"

expect_rc 0 "start $CT1" -- "$VZCTL" start $CT1
wait_running $CT1 || fail "$CT1 did not come up"
assert_true "VE_ROOT's directory is a mount point after it" -- mountpoint -q "$PARENT"
assert_contains "$(peer_group "$PARENT")" "shared:" "... shared, as the mount it sits in"
assert_false "... in a peer group of its own" -- test "$(peer_group "$PARENT")" = "$(peer_group "$IT_ROOT/vz")"
assert_eq "$(awk -v p="$ROOT1" '$5 == p' /proc/self/mountinfo | wc -l)" 1 \
    "VE_ROOT is mounted once: nothing propagated back below its directory"

# The template: pinned in LOCKDIR, one read-only tmpfs with an empty directory.
assert_true "the template namespace is pinned in LOCKDIR" -- \
    with_input "$(awk '{ print $2, $3 }' /proc/mounts)" grep -qx "$PIN nsfs"
# The template has no programs: a host process looks in from its own copy of it,
# reading its mountinfo through the host's /proc opened before the setns.
TEMPLATE=$(python3 - "$PIN" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS = 0x00020000
proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
fd = os.open(sys.argv[1], os.O_RDONLY)
if libc.setns(fd, CLONE_NEWNS) != 0 or libc.unshare(CLONE_NEWNS) != 0:
    sys.exit("setns/unshare: " + os.strerror(ctypes.get_errno()))
entries = sorted(os.listdir("/"))
with open(os.open("self/mountinfo", os.O_RDONLY, dir_fd=proc)) as f:
    lines = f.readlines()
print(" ".join(entries) or "(empty)")
print("".join(lines), end="")
EOF
)
assert_eq "$(printf '%s\n' "$TEMPLATE" | head -1)" "ct" "the template holds only an empty directory (an older vzctl's slot)"
MOUNTS=$(printf '%s\n' "$TEMPLATE" | tail -n +2)
assert_eq "$(printf '%s\n' "$MOUNTS" | grep -c .)" 1 "... and one mount"
assert_eq "$(printf '%s\n' "$MOUNTS" | awk '{ for (i = 7; i < NF && $i != "-"; i++); print $5, $(i + 1) }')" "/ tmpfs" "... a tmpfs at its root"
assert_contains "$(printf '%s\n' "$MOUNTS" | awk '{ print $6 }')" "ro" "... read-only"

# VE_ROOT stays mounted and visible on the host, as in OpenVZ.
assert_true "VE_ROOT is mounted on the host" -- \
    with_input "$(awk '{ print $2 }' /proc/mounts)" grep -qx "$ROOT1"
assert_true "the CT's files are visible through VE_ROOT" -- test -x "$ROOT1/bin/busybox"
assert_eq "$("$VZCTL" status $CT1)" "CTID $CT1 exist mounted running" "status: mounted running"

# 40 more host mounts (as 40 running containers would add), then the second
# CT: its namespace has as many mounts as the first's, none of the host's.
for i in $(seq 40); do
    mkdir -p "$IT_ROOT/extra/$i"
    mount -t tmpfs "vzkit-it-extra" "$IT_ROOT/extra/$i"
done
expect_rc 0 "start $CT2 with 40 more host mounts" -- "$VZCTL" start $CT2
wait_running $CT2 || fail "$CT2 did not come up"
POINTS1=$(mount_points $CT1)
POINTS2=$(mount_points $CT2)
assert_eq "$(printf '%s\n' "$POINTS2" | grep -vx /mnt/shared)" "$POINTS1" \
    "both CTs have the same mounts (the hook's bind aside), whatever the host has"
assert_true "the CT's mounts are its own (/, /proc, /sys, /dev and below)" -- \
    not with_input "$POINTS2" grep -Evx '/|/(proc|sys|dev|mnt/shared)(/.*)?'
assert_false "no host mount in the CT's mountinfo" -- \
    with_input "$("$VZCTL" --quiet exec2 $CT2 cat /proc/self/mountinfo)" grep -e vzkit-it-extra -e vzkit-template -e nsfs
assert_true "the hook's bind mount (made before start) is inside" -- \
    "$VZCTL" --quiet exec2 $CT2 grep -qx from-the-host /mnt/shared/marker

# Mounted on the host below VE_ROOT after start: not inside (private).
mkdir -p "$ROOT2/mnt/late"
mount -t tmpfs vzkit-it-late "$ROOT2/mnt/late"
echo late > "$ROOT2/mnt/late/marker"
assert_false "a host mount below VE_ROOT made after start does not reach the CT" -- \
    "$VZCTL" --quiet exec2 $CT2 test -e /mnt/late/marker
umount "$ROOT2/mnt/late"
# Mounted inside: not on the host.
expect_rc 0 "container root mounts a tmpfs inside" -- \
    "$VZCTL" --quiet exec2 $CT2 'mkdir -p /mnt/inside && mount -t tmpfs inside /mnt/inside && touch /mnt/inside/marker'
assert_false "... which does not reach the host" -- \
    with_input "$(awk '{ print $2 }' /proc/mounts)" grep -qx "$ROOT2/mnt/inside"
assert_false "... nor its files" -- test -e "$ROOT2/mnt/inside/marker"

# Container root looks for a way out: host paths, the template, and a fresh
# mount namespace of its own in which it detaches / and pivots.
assert_false "no host path inside" -- "$VZCTL" --quiet exec2 $CT2 test -e "$IT_ROOT"
assert_false "no template slot inside" -- "$VZCTL" --quiet exec2 $CT2 test -e /ct
TEMPLATE_INO=$(stat -L -c %i "$PIN")
assert_false "no process inside is in the template namespace" -- \
    with_input "$("$VZCTL" --quiet exec2 $CT2 'stat -L -c %i /proc/[0-9]*/ns/mnt')" grep -qx "$TEMPLATE_INO"
# In a mount namespace of its own: what is there, detach /, mount a fresh
# proc to look again, pivot_root out of /, look for the host's paths.
cat > "$IT_ROOT/vz/private/$CT2/root/escape.sh" <<EOF
awk '{ print "seen:", \$5 }' /proc/self/mountinfo
umount -l / && echo detached-root
mount -t proc proc /proc && awk '{ print "seen:", \$5 }' /proc/self/mountinfo
mkdir -p /old && pivot_root / /old && echo pivoted
test -e "$IT_ROOT" && echo HOST-VISIBLE
test -e /ct && echo TEMPLATE-VISIBLE
test -x /bin/busybox && echo own-tree
EOF
ESCAPE=$("$VZCTL" --quiet exec2 $CT2 unshare -m sh /root/escape.sh 2>&1)
printf "%s\n" "$ESCAPE" | indent "    escape: "
assert_contains "$ESCAPE" "detached-root" "container root detaches / in a namespace of its own"
assert_false "... and sees only the CT's mounts before and after" -- \
    foreign_mounts "$ESCAPE"
assert_not_contains "$ESCAPE" "HOST-VISIBLE" "... no host path"
assert_not_contains "$ESCAPE" "TEMPLATE-VISIBLE" "... no template slot"
assert_contains "$ESCAPE" "own-tree" "... still the CT's own tree"

# The template survives the containers; stop and umount as before.
expect_rc 0 "stop $CT1" -- "$VZCTL" stop $CT1 --fast
expect_rc 0 "stop $CT2" -- "$VZCTL" stop $CT2 --fast
assert_eq "$("$VZCTL" status $CT2)" "CTID $CT2 exist unmounted down" "stop unmounted VE_ROOT"
assert_false "no mount left below VE_ROOT" -- \
    with_input "$(awk '{ print $2 }' /proc/mounts)" grep -q "^$ROOT2"
for i in $(seq 40); do umount "$IT_ROOT/extra/$i"; done
expect_rc 0 "start again from the pinned template" -- "$VZCTL" start $CT1
wait_running $CT1 || fail "$CT1 did not come up again"
assert_eq "$(mount_points $CT1)" "$POINTS1" "the same mounts as the first start"
expect_rc 0 "stop" -- "$VZCTL" stop $CT1 --fast

# Something mounted below VE_ROOT's directory (as the roots of containers
# started before it became a mount point would be): it stays a directory, and
# the start works as before.
umount "$PARENT"
mkdir -p "$PARENT/busy"
mount -t tmpfs vzkit-it-busy "$PARENT/busy"
expect_rc 0 "start with a mount below VE_ROOT's directory" -- "$VZCTL" start $CT1
wait_running $CT1 || fail "$CT1 did not come up with a mount below VE_ROOT's directory"
assert_false "... which stays a directory" -- mountpoint -q "$PARENT"
assert_true "... and the CT's root is mounted" -- mountpoint -q "$ROOT1"
expect_rc 0 "stop" -- "$VZCTL" stop $CT1 --fast
umount "$PARENT/busy"

# No template to be had (here: a directory where the pin goes): the start
# warns and copies the host's namespace, as before the template, with the
# same mounts inside.
umount "$PIN"
rm -f "$PIN"
mkdir "$PIN"
expect_rc 0 "start without a template" -- "$VZCTL" start $CT1
assert_contains "$OUT" "copy of the host's" "... says it copies the host's namespace"
wait_running $CT1 || fail "$CT1 did not come up without the template"
assert_eq "$(mount_points $CT1)" "$POINTS1" "... with the same mounts inside"
expect_rc 0 "stop" -- "$VZCTL" stop $CT1 --fast
rmdir "$PIN"

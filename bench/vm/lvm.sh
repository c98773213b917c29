#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh, Debian's 6.1 kernel): the lvm layout's
# create and snapshot times. A loop-backed PV on the VM's tmpfs, a VG and a
# thin pool; round by round, in alternating order:
#   create.lvm.vz    vzctl create --layout lvm (busybox template, 2.2G volume)
#   create.lvm.lxc   lxc-create -B lvm --thinpool (LXC's busybox template,
#                    the same size and file system), when LXC is installed
#   create.simfs.vz  vzctl create --layout simfs, for scale
#   snapshot.vz      vzctl snapshot of a running container (cgroup frozen,
#                    thin snapshot, thawed)
#   snapshot.lvcreate  lvcreate -s of an idle thin volume: LVM's own floor
# Every sample is the whole command, wall clock. Started through the wrapper
# bench/metrics/lvm.sh writes: BENCH_ROUNDS.
# Prints "SAMPLE KEY VALUE" (milliseconds) and "NOTE TEXT" lines.
set -u
: "${VZKIT_BUILD:?}" "${VZKIT_SRC:?}" "${BENCH_ROUNDS:=5}"
# shellcheck source=../../tests/integration/lib.sh
. "$VZKIT_SRC/tests/integration/lib.sh"
it_setup >/dev/null

note() { echo "NOTE $*"; }
emit() { echo "SAMPLE $1 $2"; }
# ms COMMAND...: runs it, prints its wall time in ms, fails as it does.
ms() {
    local t0 t1
    t0=${EPOCHREALTIME/./}
    "$@" >/dev/null 2>&1 || return 1
    t1=${EPOCHREALTIME/./}
    echo $(((t1 - t0) / 1000))
}

modprobe -a loop dm_mod dm_thin_pool ext4 >/dev/null 2>&1
export LVM_SYSTEM_DIR="$IT_ROOT/lvm"
mkdir -p "$LVM_SYSTEM_DIR"
cat >"$LVM_SYSTEM_DIR/lvm.conf" <<'EOF'
devices { obtain_device_list_from_udev = 0 use_devicesfile = 0 }
activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }
EOF
VG=vzbenchvg POOL=pool
truncate -s 6G "$IT_ROOT/pv.img"
LOOP=$(losetup -f --show "$IT_ROOT/pv.img")
trap 'it_teardown >/dev/null; vgremove -ff $VG >/dev/null 2>&1; losetup -d $LOOP' EXIT
if ! { pvcreate -q "$LOOP" && vgcreate -q "$VG" "$LOOP" && lvcreate -q -L 5G -T "$VG/$POOL"; } >/dev/null; then
    note "cannot make the thin pool"
    exit 1
fi
{
    echo "VE_LVM_VG=$VG"
    echo "VE_LVM_THINPOOL=$POOL"
} >>"$VZ_CONFDIR/vz.conf"

LXC=""
if command -v lxc-create >/dev/null; then
    LXC=1
    LXC_PATH="$IT_ROOT/lxc"
    mkdir -p "$LXC_PATH"
    note "lxc: $(lxc-create --version)"
else
    note "LXC is not installed on this host: lxc-create -B lvm not measured"
fi

note "template: busybox-minimal; volume 2253 MiB (DISKSPACE 2.2G), ext4"
for ((k = 1; k <= BENCH_ROUNDS; k++)); do
    sides="vz lxc simfs"
    ((k % 2)) || sides="simfs lxc vz"
    for side in $sides; do
        case $side in
        vz)
            t=$(ms "$VZCTL" --quiet create $((1500 + k)) --ostemplate busybox-minimal --layout lvm) &&
                emit create.lvm.vz "$t"
            ;;
        simfs)
            t=$(ms "$VZCTL" --quiet create $((1600 + k)) --ostemplate busybox-minimal --layout simfs) &&
                emit create.simfs.vz "$t"
            ;;
        lxc)
            [ -n "$LXC" ] || continue
            t=$(ms lxc-create -P "$LXC_PATH" -n "b$k" -B lvm --vgname "$VG" --thinpool "$POOL" \
                --lvname "lxc$k" --fstype ext4 --fssize 2253M -t busybox) &&
                emit create.lvm.lxc "$t"
            ;;
        esac
        sync
    done
done

# Snapshots: one running container, one idle volume for the floor.
CT=1501
"$VZCTL" --quiet start $CT >/dev/null 2>&1 || note "start failed"
wait_running $CT || note "the container did not come up"
lvcreate -q -V 1G -T "$VG/$POOL" -n idle >/dev/null
for ((k = 1; k <= BENCH_ROUNDS; k++)); do
    t=$(ms "$VZCTL" --quiet snapshot $CT) && emit snapshot.vz "$t"
    t=$(ms lvcreate -q -s -n "idle-s$k" "$VG/idle") && emit snapshot.lvcreate "$t"
done
"$VZCTL" --quiet stop $CT --fast >/dev/null 2>&1

for ((k = 1; k <= BENCH_ROUNDS; k++)); do
    it_ct $((1500 + k))
    it_ct $((1600 + k))
    [ -z "$LXC" ] || lxc-destroy -P "$LXC_PATH" -n "b$k" >/dev/null 2>&1
done
exit 0

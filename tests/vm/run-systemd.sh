#!/usr/bin/env bash
# tests/vm/run-systemd.sh SCRIPT PHASE...
#
# Boots a VM once per PHASE with systemd as init, on one disk, so that each
# boot after the first is a reboot of the same machine, and runs
# `bash SCRIPT PHASE` in each once the boot is done (a unit after
# multi-user.target); SCRIPT then powers the machine off with systemctl, so
# that the shutdown is a real one (vz.service stops the containers).
# The machine is run.sh's (Debian's newest installed kernel under QEMU/TCG,
# this machine's root read-only over 9p under an overlay) except that the
# overlay's upper layer is an ext4 disk image that outlives each boot, and
# that the initramfs hands over to /lib/systemd/systemd. The units this
# machine enables for itself (its timers, databases, gettys) are masked in
# the overlay: the VM boots Debian's basic system plus what SCRIPT installs.
# Prints each boot's output; exits with the first failing boot's status, or
#   98  the kernel log shows BUG:, Oops, WARNING: CPU or Call Trace
#   99  a boot did not finish (boot failure, hang, timeout)
#   2   bad usage or a missing prerequisite on this machine
# Environment: VZKIT_BUILD, VZKIT_SRC (exported to SCRIPT), VZKIT_VM_MEM
# (MiB, default 2048), VZKIT_VM_TIMEOUT (seconds per boot, default 3600: the DKMS build
# alone takes 11 min under TCG on an idle host),
# VZKIT_VM_KEEP=1 keeps the work directory (console logs, disk),
# VZKIT_VM_TCG_THREAD as for run.sh.
set -euo pipefail

die() { echo "vm/run-systemd.sh: $*" >&2; exit 2; }

[ $# -ge 2 ] || die "usage: run-systemd.sh SCRIPT PHASE..."
SCRIPT=$(readlink -f "$1")
[ -f "$SCRIPT" ] || die "no such script: $1"
shift
MEM=${VZKIT_VM_MEM:-2048}
TIMEOUT=${VZKIT_VM_TIMEOUT:-3600}
VZKIT_SRC=${VZKIT_SRC:-$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)}
VZKIT_BUILD=${VZKIT_BUILD:-}
for tool in qemu-system-x86_64 busybox cpio modinfo dpkg-query mkfs.ext4; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"
done
# shellcheck source=tcg.sh
. "$(dirname "$(readlink -f "$0")")/tcg.sh"
ACCEL=$(vm_tcg_accel) || exit 2
[ -x /lib/systemd/systemd ] || die "no /lib/systemd/systemd on this machine"

KVER=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'linux-image-*-amd64' 2>/dev/null |
  awk '$1 == "ii" { sub(/^linux-image-/, "", $2); print $2 }' | sort -V | tail -n 1)
{ [ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ]; } || die "no installed linux-image-*-amd64 kernel"

W=$(mktemp -d "${TMPDIR:-/tmp}/vzkit-vmsd.XXXXXX")
QEMU_PID=
# shellcheck disable=SC2317  # run through the trap
cleanup() {
  if [ -n "$QEMU_PID" ]; then kill "$QEMU_PID" 2>/dev/null || true; fi
  if [ -n "${VZKIT_VM_KEEP:-}" ]; then echo "vm/run-systemd.sh: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP

# The disk: the overlay's upper layer, kept from one boot to the next.
truncate -s 6G "$W/disk.img"
mkfs.ext4 -q -F -L vzkit-vm "$W/disk.img"

mkdir -p "$W/i"/{bin,proc,sys,dev,mods,lower,disk,newroot}
cp "$(command -v busybox)" "$W/i/bin/busybox"
: > "$W/i/mods/order"
add_module() {
  local name=$1 file dep
  grep -qxF "$name" "$W/i/mods/order" && return 0
  file=$(modinfo -k "$KVER" -n "$name" 2>/dev/null) || return 0
  [ -f "$file" ] || return 0
  for dep in $(modinfo -k "$KVER" -F depends "$name" | tr ',' ' '); do add_module "$dep"; done
  case $file in
    *.ko.xz) xz -dc "$file" > "$W/i/mods/$name.ko" ;;
    *.ko.zst) zstd -qdc "$file" > "$W/i/mods/$name.ko" ;;
    *.ko.gz) gzip -dc "$file" > "$W/i/mods/$name.ko" ;;
    *) cp "$file" "$W/i/mods/$name.ko" ;;
  esac
  echo "$name" >> "$W/i/mods/order"
}
for m in virtio_pci virtio_blk 9pnet_virtio 9p crc32c_generic ext4 overlay; do add_module "$m"; done

# The units this machine enabled for itself, masked in the VM.
masks=$(find /etc/systemd/system -mindepth 2 -maxdepth 2 -path '*.wants/*' -printf '%f\n' |
  grep -v -e '^remote-fs.target$' -e '^systemd-' | sort -u | tr '\n' ' ')

cat > "$W/i/init" <<EOI
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
while read -r m; do insmod /mods/\$m.ko || echo "vm: insmod \$m failed"; done < /mods/order
fail() { echo "vm: \$*"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /lower ||
  fail "cannot mount the host root over 9p"
mount -t ext4 /dev/vda /disk || fail "cannot mount the disk"
mkdir -p /disk/u /disk/w
mount -t overlay -o lowerdir=/lower,upperdir=/disk/u,workdir=/disk/w overlay /newroot ||
  fail "cannot mount the overlay"
R=/newroot
mkdir -p \$R/etc/systemd/system/multi-user.target.wants \$R/etc/vzkit-vm
# systemd-tmpfiles-setup walks the host's tmpfiles.d rules over 9p (3.5 min
# of a loaded host's TCG boot); the host root already has its directories.
# A getty on the console calls vhangup(), after which the job's writes to
# ttyS0 fail with EIO: its output and its exit marker were lost that way.
for u in $masks lvm2-monitor.service lvm2-lvmpolld.socket dm-event.socket blk-availability.service \\
    systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer \\
    console-getty.service serial-getty@.service getty@.service; do
  ln -sfn /dev/null \$R/etc/systemd/system/\$u
done
# The job: after the boot, SCRIPT PHASE on the console.
PHASE=\$(sed -n 's/.*vzkit.phase=\([^ ]*\).*/\1/p' /proc/cmdline)
cat > \$R/etc/vzkit-vm/job <<EOJ
export VZKIT_BUILD=$(printf %q "$VZKIT_BUILD") VZKIT_SRC=$(printf %q "$VZKIT_SRC")
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
cd $(printf %q "$PWD") || exit 97
bash $(printf %q "$SCRIPT") \$PHASE
EOJ
TOKEN=\$(sed -n 's/.*vzkit.token=\([^ ]*\).*/\1/p' /proc/cmdline)
cat > \$R/etc/vzkit-vm/run <<EOR
echo @@vzkit-vm-begin-\$TOKEN
bash /etc/vzkit-vm/job
echo @@vzkit-vm-exit-\$TOKEN=\\\$?
echo @@vzkit-vm-dmesg-\$TOKEN
dmesg
sync
systemctl --no-block poweroff
EOR
cat > \$R/etc/systemd/system/vzkit-vm-job.service <<EOU
[Unit]
Description=vzkit VM test job
After=multi-user.target
[Service]
Type=oneshot
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
ExecStart=/bin/sh /etc/vzkit-vm/run
[Install]
WantedBy=multi-user.target
EOU
ln -sfn ../vzkit-vm-job.service \$R/etc/systemd/system/multi-user.target.wants/vzkit-vm-job.service
echo vzkit-vm > \$R/etc/hostname
umount /proc /sys /dev 2>/dev/null
exec switch_root \$R /lib/systemd/systemd
EOI
chmod +x "$W/i/init"
(cd "$W/i" && find . | cpio -o -H newc --quiet | gzip -1 > "$W/initrd.gz")

n=0
for phase in "$@"; do
  n=$((n + 1))
  TOKEN=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
  log="$W/console-$n.log"
  echo "vm/run-systemd.sh: boot $n ($phase)"
  timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 \
    -accel "$ACCEL" -smp 2 -m "$MEM" -nographic -no-reboot \
    -kernel "/boot/vmlinuz-$KVER" -initrd "$W/initrd.gz" \
    -drive "file=$W/disk.img,format=raw,if=virtio,cache=unsafe" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
    -append "console=ttyS0 loglevel=4 panic=-1 mitigations=off systemd.show_status=0 systemd.getty_auto=0 vzkit.phase=$phase vzkit.token=$TOKEN" \
    < /dev/null > "$log" 2>&1 &
  QEMU_PID=$!
  wait "$QEMU_PID" || true
  QEMU_PID=
  tr -d '\r' < "$log" > "$log.txt"
  awk -v begin="@@vzkit-vm-begin-$TOKEN" -v end="@@vzkit-vm-exit-$TOKEN=" '
    !on && index($0, begin) { on = 1; next }
    on && (i = index($0, end)) { if (i > 1) print substr($0, 1, i - 1); exit }
    on { print }' "$log.txt"
  if grep -qE 'BUG:|Oops|WARNING: CPU|Call Trace' "$log.txt"; then
    echo "vm/run-systemd.sh: the kernel log of boot $n shows a problem:"
    grep -E -A20 'BUG:|Oops|WARNING: CPU|Call Trace' "$log.txt" | head -n 40
    exit 98
  fi
  rc=$(sed -n "s/.*@@vzkit-vm-exit-$TOKEN=\([0-9]*\).*/\1/p" "$log.txt" | tail -n 1)
  if [ -z "$rc" ]; then
    echo "vm/run-systemd.sh: boot $n did not finish (timeout ${TIMEOUT}s); console tail:"
    tail -n 40 "$log.txt"
    exit 99
  fi
  [ "$rc" = 0 ] || exit "$rc"
done
exit 0

#!/usr/bin/env bash
# tests/vm/run.sh SCRIPT [ARG...]
#
# Runs SCRIPT (with its ARGs) as root inside a throw-away VM: Debian's own kernel (the newest
# installed linux-image-*-amd64) under QEMU/TCG, with this machine's root file
# system shared read-only over virtio-9p under a tmpfs overlay, cgroup v2 on
# /sys/fs/cgroup. SCRIPT starts in the current directory with VZKIT_BUILD and
# VZKIT_SRC exported. Prints SCRIPT's output and exits with its status, or
#   98  the kernel log shows BUG:, Oops, WARNING: CPU or Call Trace
#   99  the VM did not finish (boot failure, hang, timeout)
#   2   bad usage or a missing prerequisite on this machine
# Environment: VZKIT_VM_MEM (MiB, default 2048), VZKIT_VM_TIMEOUT (seconds,
# default 1100), VZKIT_VM_KEEP=1 keeps the work directory (console log),
# VZKIT_VM_TCG_THREAD=single|multi (tcg.sh: single before QEMU 8.1).
# Needs: qemu-system-x86, linux-image-amd64, busybox-static, cpio, kmod.
# KVM is never used: it hangs on this kind of host, TCG does not.
set -euo pipefail

die() { echo "vm/run.sh: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: run.sh SCRIPT [ARG...]"
SCRIPT=$(readlink -f "$1")
[ -f "$SCRIPT" ] || die "no such script: $1"
shift
ARGS=("$@")
MEM=${VZKIT_VM_MEM:-2048}
TIMEOUT=${VZKIT_VM_TIMEOUT:-1100}
VZKIT_SRC=${VZKIT_SRC:-$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)}
VZKIT_BUILD=${VZKIT_BUILD:-}
for tool in qemu-system-x86_64 busybox cpio modinfo dpkg-query; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"
done
# shellcheck source=tcg.sh
. "$(dirname "$(readlink -f "$0")")/tcg.sh"
ACCEL=$(vm_tcg_accel) || exit 2

# The newest installed linux-image-<version>-amd64 (not the running kernel:
# the host may run something else entirely).
newest_kernel() {
  dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'linux-image-*-amd64' 2>/dev/null |
    awk '$1 == "ii" { sub(/^linux-image-/, "", $2); print $2 }' | sort -V | tail -n 1
}
KVER=$(newest_kernel)
if [ -z "$KVER" ] || [ ! -f "/boot/vmlinuz-$KVER" ]; then
  die "no installed linux-image-*-amd64 kernel"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/vzkit-vm.XXXXXX")
QEMU_PID=
# shellcheck disable=SC2317  # run through the trap
cleanup() {
  if [ -n "$QEMU_PID" ]; then kill "$QEMU_PID" 2>/dev/null || true; fi
  if [ -n "${VZKIT_VM_KEEP:-}" ]; then echo "vm/run.sh: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP

# Markers nobody's output can forge by accident.
TOKEN=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')

# --- initramfs: busybox, the modules for 9p and overlay, init, the job ------
mkdir -p "$W/i"/{bin,proc,sys,dev,mods,lower,upper,newroot}
cp "$(command -v busybox)" "$W/i/bin/busybox"

# Modules in load order (dependencies first); built-in ones are skipped.
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
for m in virtio_pci 9pnet_virtio 9p overlay; do add_module "$m"; done

{
  echo "export VZKIT_BUILD=$(printf %q "$VZKIT_BUILD") VZKIT_SRC=$(printf %q "$VZKIT_SRC")"
  # Knobs of tests/vm/group.sh and the scenarios, passed through.
  for v in VZKIT_VM_ONLY VZKIT_SEC_RUNS_VM VZKIT_MIG_BENCH; do
    [ -n "${!v:-}" ] && echo "export $v=$(printf %q "${!v}")"
  done
  echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb"
  echo "cd $(printf %q "$PWD") || exit 97"
  echo "bash $(printf %q "$SCRIPT")$( ((${#ARGS[@]})) && printf ' %q' "${ARGS[@]}")"
} > "$W/i/job"

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
mount -t tmpfs -o size=80% tmpfs /upper && mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot ||
  fail "cannot mount the overlay"
R=/newroot
mount -t proc proc \$R/proc
mount -t sysfs sys \$R/sys
mount -t cgroup2 -o nsdelegate cgroup2 \$R/sys/fs/cgroup || fail "cannot mount cgroup2"
mount -t devtmpfs dev \$R/dev
mkdir -p \$R/dev/pts \$R/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts \$R/dev/pts
mount -t tmpfs tmpfs \$R/dev/shm
mount -t tmpfs tmpfs \$R/run
mkdir -p \$R/run/vzkit-vm && cp /job /stage2 \$R/run/vzkit-vm/
hostname vzkit-vm
# switch_root, not chroot: in a chroot the kernel refuses user namespaces
# (and pivot_root leaves containers below the namespace's root), which a real
# host does not.
exec switch_root \$R /bin/busybox sh /run/vzkit-vm/stage2
EOI
cat > "$W/i/stage2" <<EOI
echo "@@vzkit-vm-begin-$TOKEN"
/bin/bash /run/vzkit-vm/job
echo "@@vzkit-vm-exit-$TOKEN=\$?"
echo "@@vzkit-vm-dmesg-$TOKEN"
dmesg
sync
/bin/busybox poweroff -f
EOI
chmod +x "$W/i/init"
(cd "$W/i" && find . | cpio -o -H newc --quiet | gzip -1 > "$W/initrd.gz")

# --- boot ---------------------------------------------------------------------
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 \
  -accel "$ACCEL" -smp 2 -m "$MEM" -nographic -no-reboot \
  -kernel "/boot/vmlinuz-$KVER" -initrd "$W/initrd.gz" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
  -append "console=ttyS0 loglevel=4 panic=-1 mitigations=off" \
  < /dev/null > "$W/console.log" 2>&1 &
QEMU_PID=$!
wait "$QEMU_PID" || true
QEMU_PID=

tr -d '\r' < "$W/console.log" > "$W/console.txt"
# Markers may share a line with console output that did not end in a newline.
awk -v begin="@@vzkit-vm-begin-$TOKEN" -v end="@@vzkit-vm-exit-$TOKEN=" '
  !on && index($0, begin) { on = 1; next }
  on && (i = index($0, end)) { if (i > 1) print substr($0, 1, i - 1); exit }
  on { print }' "$W/console.txt"

# A container's memory cgroup reaching its limit makes the kernel print an
# OOM report with a stack: that is the limit at work, not a kernel problem.
# Such reports (from "invoked oom-killer" to "Killed process", in a memory
# cgroup) are counted and left out of the check; a global OOM is not.
awk -v out="$W/kernel.txt" -v notes="$W/oom.txt" '
  function flush() { if (n) { if (memcg) print first > notes; else for (i = 1; i <= n; i++) print blk[i] > out } n = 0; memcg = 0 }
  /invoked oom-killer/ { flush(); n = 1; blk[1] = $0; first = $0; next }
  n { blk[++n] = $0; if ($0 ~ /mem_cgroup_out_of_memory|Memory cgroup out of memory/) memcg = 1
      if ($0 ~ /Killed process/) flush(); next }
  { print > out }
  END { flush(); close(out); close(notes) }' "$W/console.txt"
touch "$W/kernel.txt" "$W/oom.txt"
if [ -s "$W/oom.txt" ]; then
  echo "vm/run.sh: $(wc -l < "$W/oom.txt") OOM kill(s) in a memory cgroup (a container at its limit), e.g.: $(head -n 1 "$W/oom.txt")"
fi
if grep -qE 'BUG:|Oops|WARNING: CPU|Call Trace' "$W/kernel.txt"; then
  echo "vm/run.sh: the kernel log shows a problem:"
  grep -E -A20 'BUG:|Oops|WARNING: CPU|Call Trace' "$W/kernel.txt" | head -n 40
  exit 98
fi
rc=$(sed -n "s/.*@@vzkit-vm-exit-$TOKEN=\([0-9]*\).*/\1/p" "$W/console.txt" | tail -n 1)
if [ -z "$rc" ]; then
  echo "vm/run.sh: the VM did not finish (timeout ${TIMEOUT}s); console tail:"
  tail -n 30 "$W/console.txt"
  exit 99
fi
exit "$rc"

#!/usr/bin/env bash
# Issue 12, acceptance 5, on a host without the vzkit module: vzctl start
# says once that the container sees the host's /proc files; with lxcfs
# running (started here when it is installed and not mounted yet), start
# binds lxcfs's files over the container's and says so, and the container's
# /proc/meminfo, /proc/cpuinfo and /proc/uptime are its own, memory taken
# inside moving MemFree (through lxcfs; sysinfo(2), hence busybox's free,
# stays the host's: only the module answers that). In a Debian 12 container,
# the tools that read /proc — procps's free -m, uptime and top's header, and
# lscpu's online list — show the container's machine through lxcfs; what
# reads sysinfo(2) (busybox's free) is printed as a note: lxcfs cannot give
# it (docs/containers.md). lscpu's "CPU(s):" counts
# /sys/devices/system/cpu/present, which lxcfs does not serve: vzctl binds
# lxcfs's online list over it too. nproc and sched_getaffinity(2) read the
# affinity mask: without the module --cpus pins the container to that many
# CPUs (lxcfs or not), and set --cpus re-pins it live.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT=4801
DEB=4802
it_ct $CT
it_ct $DEB
DEB_TEMPLATE="$TEMPLATE_CACHE/debian-12-x86_64.tar.gz"
HELPER="$VZKIT_BUILD/tests/vzkit-ubctest"
LXCFS_DIR=/var/lib/lxcfs

if [ -e /dev/vzctl ]; then
    echo "SKIP: the vzkit module is loaded here (tests/vm/t_proc_views.sh covers it)"
    exit 0
fi
lxcfs_mounted() { awk -v d="$LXCFS_DIR" '$2 == d && $3 == "fuse.lxcfs" { f = 1 } END { exit !f }' /proc/mounts; }
meminfo_in() { "$VZCTL" exec2 $CT cat /proc/meminfo | awk -v k="$1:" '$1 == k { print $2 }'; }
near() { local d=$(($1 - $2)); [ "${d#-}" -le "$3" ]; }

expect_rc 0 "create" -- "$VZCTL" --quiet create $CT --ostemplate busybox-minimal
expect_rc 0 "limits: --ram 256M --cpus 1" -- "$VZCTL" --quiet set $CT --ram 256M --cpus 1 --save
cp "$HELPER" "$IT_ROOT/vz/private/$CT/ubctest"

# Debian 12's procps and util-linux in a container through lxcfs.
debian_through_lxcfs() {
    local out pids tasks swap
    # lxcfs shows the swap limit capped at the host's swap (a host without
    # swap: 0); the module shows the limit itself (OpenVZ's virtual swap).
    swap=$(awk '$1 == "SwapTotal:" { s = int($2 / 1024); print (s < 128 ? s : 128) }' /proc/meminfo)
    ln -sf "$DEB_TEMPLATE" "$IT_ROOT/vz/template/cache/"
    expect_rc 0 "create a Debian 12 CT" -- "$VZCTL" --quiet create $DEB --ostemplate debian-12-x86_64
    expect_rc 0 "limits: --ram 256M --swap 128M --cpus 1" -- \
        "$VZCTL" --quiet set $DEB --ram 256M --swap 128M --cpus 1 --save
    expect_rc 0 "start it (its sysvinit reaches its runlevel)" -- "$VZCTL" --quiet start $DEB --wait
    out=$("$VZCTL" exec2 $DEB free -m)
    echo "$out" | indent '    Debian free -m: '
    assert_eq "$(echo "$out" | awk '$1 == "Mem:" { print $2 }')" "256" "procps free -m: 256 MB through lxcfs"
    assert_eq "$(echo "$out" | awk '$1 == "Swap:" { print $2 }')" "$swap" \
        "procps free -m: the 128 MB swap limit within the host's swap ($swap MB)"
    out=$("$VZCTL" exec2 $DEB uptime)
    echo "$out" | indent '    Debian uptime: '
    assert_contains "$out" "up 0 min" "procps uptime: the CT's uptime"
    out=$("$VZCTL" exec2 $DEB top -bn1 | head -n 5)
    echo "$out" | indent '    Debian top: '
    assert_eq "$(echo "$out" | awk '$1 == "MiB" && $2 == "Mem" { print $4 }')" "256.0" \
        "top's header: the CT's 256 MiB"
    assert_eq "$(echo "$out" | awk '$1 == "MiB" && $2 == "Swap:" { print $3 }')" "$swap.0" \
        "top's header: the same swap"
    tasks=$(echo "$out" | awk '$1 == "Tasks:" { print $2 }')
    pids=$(cat "$(ct_cgroup $DEB pids)/pids.current" 2>/dev/null || echo 0)
    assert_true "top's header: the CT's tasks ($tasks; pids.current $pids)" -- near "$tasks" "$pids" 3
    out=$("$VZCTL" exec2 $DEB lscpu)
    echo "$out" | grep -E '^(CPU\(s\)|On-line|Off-line)' | indent '    Debian lscpu: '
    assert_eq "$(echo "$out" | awk -F: '$1 == "On-line CPU(s) list" { gsub(/ /, "", $2); print $2 }')" "0" \
        "lscpu: one CPU online (lxcfs's online)"
    assert_eq "$(echo "$out" | awk -F: '$1 == "CPU(s)" { gsub(/ /, "", $2); print $2 }')" "1" \
        "lscpu: CPU(s) 1 (lxcfs's online list bound over present too)"
    assert_eq "$(cat /sys/devices/system/cpu/present)" "0-$(($(getconf _NPROCESSORS_CONF) - 1))" \
        "the host's present list is the host's"
    assert_eq "$("$VZCTL" exec2 $DEB nproc)" "1" "nproc: 1 (--cpus 1 pins without the module)"
    if [ "$(nproc)" -ge 2 ]; then
        expect_rc 0 "set --cpus 2 live" -- "$VZCTL" --quiet set $DEB --cpus 2
        assert_eq "$("$VZCTL" exec2 $DEB nproc)" "2" "nproc: 2 after set --cpus 2"
        assert_eq "$("$VZCTL" exec2 $DEB lscpu | awk -F: '$1 == "CPU(s)" { gsub(/ /, "", $2); print $2 }')" \
            "2" "lscpu: CPU(s) 2 after set --cpus 2"
    else
        assert_eq "$("$VZCTL" exec2 $DEB nproc)" "1" "nproc: the host's one CPU"
    fi
    expect_rc 0 "stop the Debian CT" -- "$VZCTL" --quiet stop $DEB --fast
}

# --- neither the module nor lxcfs: one warning ------------------------------
if lxcfs_mounted; then
    echo "NOTE: lxcfs is already mounted on $LXCFS_DIR: the warning case is not checked"
else
    OUT=$("$VZCTL" start $CT 2>&1)
    wait_running $CT
    assert_eq "$(echo "$OUT" | grep -c "sees the host's")" "1" "start warns once that the CT sees the host's files"
    assert_eq "$(meminfo_in MemTotal)" "$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)" \
        "... and it does: the host's MemTotal"
    ALLOWED=$("$VZCTL" exec2 $CT cat /proc/self/status | awk '$1 == "Cpus_allowed_list:" { print $2 }')
    assert_true "--cpus 1 pins it to one CPU, so nproc says 1 (affinity $ALLOWED)" -- \
        test -n "$ALLOWED" -a "$(echo "$ALLOWED" | tr -d '0-9')" = ""
    expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT --fast
fi

# --- lxcfs ------------------------------------------------------------------
LXCFS_PID=""
if ! lxcfs_mounted && command -v lxcfs >/dev/null; then
    mkdir -p "$LXCFS_DIR"
    # CPU counts from the CPU limit (--enable-cfs) and loadavg (-l), as a host would run it.
    lxcfs -f -l --enable-cfs -p "$IT_ROOT/lxcfs.pid" "$LXCFS_DIR" > "$IT_ROOT/lxcfs.log" 2>&1 &
    LXCFS_PID=$!
    wait_until 10 lxcfs_mounted || fail "lxcfs did not mount (log: $(cat "$IT_ROOT/lxcfs.log"))"
fi
if lxcfs_mounted; then
    OUT=$("$VZCTL" start $CT 2>&1)
    wait_running $CT
    assert_contains "$OUT" "come from lxcfs" "start says the CT's files come from lxcfs"
    assert_not_contains "$OUT" "sees the host's" "... and does not warn"
    assert_eq "$(meminfo_in MemTotal)" "262144" "through lxcfs: MemTotal is the 256M limit"
    assert_eq "$("$VZCTL" exec2 $CT grep -c '^processor' /proc/cpuinfo)" "1" "through lxcfs: 1 processor"
    CT_UP=$("$VZCTL" exec2 $CT cat /proc/uptime | awk '{ printf "%d\n", $1 }')
    assert_true "through lxcfs: the CT's uptime (${CT_UP}s)" -- test "$CT_UP" -lt 60
    sleep 1
    FREE0=$(meminfo_in MemFree)
    HOLD_OUT="$IT_ROOT/hold.out"
    "$VZCTL" exec2 $CT /ubctest mem 64 8 > "$HOLD_OUT" 2>&1 &
    HOLD_PID=$!
    wait_until 20 grep -q '^taken' "$HOLD_OUT"
    FREE1=$(meminfo_in MemFree)
    # Tolerance as in tests/vm/t_proc_views.sh: 64 MiB ± 8 MiB.
    assert_true "through lxcfs: MemFree fell by 64 MiB ± 8 ($FREE0 → $FREE1 kB)" -- \
        near $((FREE0 - FREE1)) 65536 8192
    wait "$HOLD_PID"
    echo "NOTE: lxcfs cannot give sysinfo(2): busybox's free -m shows" \
        "$("$VZCTL" exec2 $CT free -m | awk '$1 == "Mem:" { print $2 }') MB total (the host's)"
    expect_rc 0 "stop" -- "$VZCTL" --quiet stop $CT --fast
    if [ -f "$DEB_TEMPLATE" ]; then
        debian_through_lxcfs
    else
        echo "NOTE: no $DEB_TEMPLATE (make templates-debian): procps through lxcfs is not checked"
    fi
else
    echo "NOTE: lxcfs is not installed (scripts/install-deps.sh): the lxcfs case is not checked"
fi
if [ -n "$LXCFS_PID" ]; then
    kill "$LXCFS_PID" 2>/dev/null
    wait "$LXCFS_PID" 2>/dev/null
    if lxcfs_mounted; then umount -l "$LXCFS_DIR"; fi
fi

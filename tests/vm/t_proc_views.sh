#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh), issue 12 with the module loaded on
# cgroup v2: a container sees its own machine — /proc/meminfo, /proc/swaps, free and top
# (sysinfo(2)) from its RAM and swap limits, one processor in nproc
# (sched_getaffinity), /proc/cpuinfo, /proc/stat, /sys/devices/system/cpu/
# online and present and lscpu, /proc/vmstat from its memory cgroup, its own
# uptime and load — while the host's
# files stay the host's; memory taken inside moves MemFree/MemAvailable; a
# host load stays out of its loadavg; its root cannot get the host's figures
# back; MEMINFO's modes; and the module unloads clean afterwards.
# shellcheck source=module/lib.sh
. "$VZKIT_SRC/tests/vm/module/lib.sh"
it_setup
CT=4101
mod_ct $CT

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' "${2:-/proc/meminfo}"; }
ct_meminfo() { "$VZCTL" exec2 $CT cat /proc/meminfo | awk -v k="$1:" '$1 == k { print $2 }'; }
in_ct() { "$VZCTL" exec2 $CT "$@" 2>&1; }
uptime_s() { awk '{ printf "%d\n", $1 }' /proc/uptime; }
# |$1 - $2| <= $3
near() { local d=$(($1 - $2)); [ "${d#-}" -le "$3" ]; }

HOST_TOTAL=$(meminfo MemTotal)
HOST_CPUS=$(grep -c '^processor' /proc/cpuinfo)
HOST_ONLINE=$(cat /sys/devices/system/cpu/online)
HOST_PRESENT=$(cat /sys/devices/system/cpu/present)
HOST_POSSIBLE=$(cat /sys/devices/system/cpu/possible)
# lscpu's "CPU(s):" (util-linux 2.38 counts /sys/devices/system/cpu/present).
lscpu_cpus() { awk -F: '$1 == "CPU(s)" { gsub(/ /, "", $2); print $2 }'; }
# /proc/vmstat's figure KEY from standard input.
vmstat() { awk -v k="$1" '$1 == k { print $2 }'; }
HOST_LSCPU=$(lscpu | lscpu_cpus)
HOST_STAT_CPUS=$(grep -c '^cpu' /proc/stat)

mod_load
expect_rc 0 "limits: --ram 256M --swap 128M --cpus 1" -- \
    "$VZCTL" set $CT --ram 256M --swap 128M --cpus 1 --save
HOST_UP0=$(uptime_s)
mod_start $CT || fail "start $CT"

# --- acceptance 1: what the container sees ------------------------------------
assert_eq "$(ct_meminfo MemTotal)" "262144" "/proc/meminfo MemTotal is the 256M limit"
assert_eq "$(ct_meminfo SwapTotal)" "131072" "SwapTotal is the 128M swap limit"
SWAPS=$(in_ct cat /proc/swaps)
assert_eq "$(echo "$SWAPS" | awk 'NR > 1 { print $1, $2, $3 }')" "/dev/null partition 131072" \
    "/proc/swaps: one virtual device of the CT's 128M"
FREE=$(in_ct free -m)
echo "$FREE" | indent '    CT free -m: '
assert_eq "$(echo "$FREE" | awk '$1 == "Mem:" { print $2 }')" "256" "free -m (sysinfo) shows 256 MB"
assert_eq "$(echo "$FREE" | awk '$1 == "Swap:" { print $2 }')" "128" "free -m shows 128 MB of swap"
assert_eq "$(in_ct nproc)" "1" "nproc (sched_getaffinity) shows 1 CPU"
assert_eq "$(in_ct grep -c '^processor' /proc/cpuinfo)" "1" "/proc/cpuinfo lists 1 processor"
assert_eq "$(in_ct cat /sys/devices/system/cpu/online)" "0" "/sys/devices/system/cpu/online is 0"
assert_eq "$(in_ct cat /sys/devices/system/cpu/present)" "0" "/sys/devices/system/cpu/present is 0"
assert_eq "$(in_ct cat /sys/devices/system/cpu/possible)" "$HOST_POSSIBLE" \
    "/sys/devices/system/cpu/possible stays the host's (it bounds the CPU numbers a task meets)"
# The busybox CT has no lscpu: the VM's own (util-linux 2.38, Debian 12's)
# runs in the CT's pid namespace, which is what the module answers by.
INIT=$(head -n 1 "$(ct_cgroup $CT pids)/cgroup.procs")
CT_LSCPU=$(nsenter -t "$INIT" -p -- lscpu 2>&1)
echo "$CT_LSCPU" | grep -E '^(CPU\(s\)|On-line|Off-line|Thread|Core|Socket)' | indent '    CT lscpu: '
assert_eq "$(echo "$CT_LSCPU" | lscpu_cpus)" "1" "lscpu: CPU(s) is 1"
assert_eq "$(echo "$CT_LSCPU" | awk -F: '$1 == "On-line CPU(s) list" { gsub(/ /, "", $2); print $2 }')" "0" \
    "lscpu: on-line CPU list 0"
assert_eq "$(nsenter -t "$INIT" -p -- lscpu -p=CPU | grep -vc '^#')" "1" "lscpu -p lists 1 CPU"
assert_eq "$(in_ct grep -c '^cpu' /proc/stat)" "2" "/proc/stat: the total and one cpuN line"
CT_UP=$(in_ct cat /proc/uptime | awk '{ printf "%d\n", $1 }')
SINCE=$(( $(uptime_s) - HOST_UP0 ))
assert_true "/proc/uptime is the CT's (${CT_UP}s, started ${SINCE}s ago, host $(uptime_s)s)" -- \
    test "$CT_UP" -le $((SINCE + 2))
UPTIME=$(in_ct uptime)
echo "$UPTIME" | indent '    CT uptime: '
assert_contains "$UPTIME" "up 0 min" "busybox uptime (sysinfo) counts from the CT's start"
TOP=$(in_ct top -bn1 | head -n 3)
echo "$TOP" | indent '    CT top: '
TOP_MEM=$(echo "$TOP" | awk '$1 == "Mem:" { gsub(/K/, "", $2); gsub(/K/, "", $4); print $2 + $4 }')
assert_eq "$TOP_MEM" "262144" "top's header: used + free = the CT's 256M"
LOADAVG=$(in_ct cat /proc/loadavg)
CT_TASKS=$(echo "$LOADAVG" | awk '{ split($4, a, "/"); print a[2] }')
PIDS=$(cat "$(ct_cgroup $CT pids)/pids.current")
assert_true "/proc/loadavg counts the CT's tasks ($LOADAVG; pids.current $PIDS)" -- near "$CT_TASKS" "$PIDS" 3

# The host's own files meanwhile.
assert_eq "$(meminfo MemTotal)" "$HOST_TOTAL" "the host's MemTotal is unchanged"
assert_eq "$(grep -c '^processor' /proc/cpuinfo)" "$HOST_CPUS" "the host's cpuinfo is unchanged"
assert_eq "$(cat /sys/devices/system/cpu/online)" "$HOST_ONLINE" "the host's cpu/online is unchanged"
assert_eq "$(cat /sys/devices/system/cpu/present)" "$HOST_PRESENT" "the host's cpu/present is unchanged"
assert_eq "$(lscpu | lscpu_cpus)" "$HOST_LSCPU" "the host's lscpu still counts $HOST_LSCPU CPUs"
assert_eq "$(grep -c '^cpu' /proc/stat)" "$HOST_STAT_CPUS" "the host's /proc/stat is unchanged"
assert_eq "$(nproc)" "$HOST_CPUS" "the host's nproc is unchanged"
assert_true "the host's uptime is the host's" -- test "$(uptime_s)" -gt $((CT_UP + 5))

# --- acceptance 2: memory taken inside moves MemFree and MemAvailable ----------
# Tolerance: 64 MiB taken, the figures may move by 64 MiB ± 8 MiB (the
# helper's own pages, page tables, the shell around it; the memory
# controller's list statistics are flushed every 2 s, hence the wait).
sleep 3
FREE0=$(ct_meminfo MemFree)
AVAIL0=$(ct_meminfo MemAvailable)
VM0=$(in_ct cat /proc/vmstat)
HOLD_OUT=$(mktemp)
"$VZCTL" exec2 $CT /ubctest mem 64 20 > "$HOLD_OUT" 2>&1 &
HOLD_PID=$!
wait_until 30 grep -q '^taken' "$HOLD_OUT"
assert_eq "$(awk '/^taken/ { print $2 }' "$HOLD_OUT")" "64" "the helper took 64 MiB in the CT"
sleep 3
FREE1=$(ct_meminfo MemFree)
AVAIL1=$(ct_meminfo MemAvailable)
USED=$(in_ct free -m | awk '$1 == "Mem:" { print $3 }')
# One read of both: their figures of the same moment.
VM1=$(in_ct cat /proc/vmstat /proc/meminfo)
assert_true "MemFree fell by 64 MiB ± 8 ($FREE0 → $FREE1 kB)" -- near $((FREE0 - FREE1)) 65536 8192
assert_true "MemAvailable fell by 64 MiB ± 8 ($AVAIL0 → $AVAIL1 kB)" -- near $((AVAIL0 - AVAIL1)) 65536 8192
# /proc/vmstat from the same memory cgroup: 64 MiB = 16384 anonymous pages,
# faulted in as pages or as 2 MiB THPs (Debian's THP is "always").
HOST_VM=$(cat /proc/vmstat)
d() { echo $(($(echo "$VM1" | vmstat "$1") - $(echo "$VM0" | vmstat "$1"))); }
ANON=$(d nr_anon_pages) FAULTS=$(d pgfault) THPS=$(d thp_fault_alloc)
echo "    CT vmstat: nr_anon_pages +$ANON, pgfault +$FAULTS, thp_fault_alloc +$THPS," \
    "nr_free_pages $(echo "$VM1" | vmstat nr_free_pages)"
assert_true "vmstat nr_anon_pages rose by 16384 ± 2048 pages ($ANON)" -- near "$ANON" 16384 2048
assert_true "vmstat pgfault and thp_fault_alloc account for the 16384 pages (pgfault +$FAULTS, THP +$THPS)" -- \
    test $((FAULTS + THPS * 511)) -ge 15360
assert_true "vmstat nr_free_pages is MemFree in pages" -- near \
    "$(($(echo "$VM1" | vmstat nr_free_pages) * 4))" "$(echo "$VM1" | vmstat MemFree:)" 4096
assert_eq "$(echo "$VM1" | vmstat nr_zone_active_anon)" "$(echo "$VM1" | vmstat nr_active_anon)" \
    "vmstat's zone lists are the CT's node lists"
assert_true "vmstat: the CT's pgfault is below the host's" -- \
    test "$(echo "$VM1" | vmstat pgfault)" -lt "$(echo "$HOST_VM" | vmstat pgfault)"
assert_eq "$(echo "$VM1" | vmstat numa_hit)/$(echo "$VM1" | vmstat pgpgin)" "0/0" \
    "vmstat: NUMA events and block I/O (not the memory cgroup's) read 0"
assert_eq "$(echo "$VM0" | wc -l)" "$(echo "$HOST_VM" | wc -l)" "vmstat has the host's lines"
assert_true "the host's vmstat stays the host's (nr_free_pages above the CT's 256M)" -- \
    test "$(echo "$HOST_VM" | vmstat nr_free_pages)" -gt 65536
assert_true "free -m's used includes the 64 MB ($USED)" -- test "$USED" -ge 64
wait "$HOLD_PID"
rm -f "$HOLD_OUT"

# --- acceptance 3: the container's load is its own -----------------------------
HOST_LOAD_PIDS=""
for _ in 1 2; do
    timeout 30 sh -c 'while :; do :; done' &
    HOST_LOAD_PIDS="$HOST_LOAD_PIDS $!"
done
# shellcheck disable=SC2086
wait $HOST_LOAD_PIDS
HOST_LOAD=$(awk '{ print $1 }' /proc/loadavg)
CT_LOAD=$(in_ct cat /proc/loadavg | awk '{ print $1 }')
assert_true "a host load shows on the host ($HOST_LOAD)" -- awk -v l="$HOST_LOAD" 'BEGIN { exit !(l >= 0.5) }'
assert_true "... and not in the CT ($CT_LOAD)" -- awk -v l="$CT_LOAD" 'BEGIN { exit !(l < 0.2) }'
in_ct 'for i in 1 2; do timeout 30 sh -c "while :; do :; done" & done; wait' >/dev/null
CT_LOAD=$(in_ct cat /proc/loadavg | awk '{ print $1 }')
SI_LOAD=$(in_ct uptime | sed 's/.*load average: //; s/,.*//')
assert_true "a load inside shows in the CT's loadavg ($CT_LOAD)" -- awk -v l="$CT_LOAD" 'BEGIN { exit !(l >= 0.5) }'
assert_true "... and in sysinfo's loads (uptime: $SI_LOAD)" -- awk -v l="$SI_LOAD" 'BEGIN { exit !(l >= 0.5) }'
LIST=$("$VZLIST" -H -o laverage,uptime $CT)
echo "$LIST" | indent '    vzlist: '
assert_true "vzlist laverage and uptime in OpenVZ's formats" -- with_input "$LIST" \
    grep -qE '^ *[0-9]+\.[0-9]{2}/[0-9]+\.[0-9]{2}/[0-9]+\.[0-9]{2} +[0-9]{3}d[0-9]{2}h:[0-9]{2}m:[0-9]{2}s$'
assert_true "vzlist's laverage is the CT's load ($LIST)" -- \
    awk -v l="${LIST%%/*}" 'BEGIN { exit !(l + 0 >= 0.5) }'
JSON=$("$VZLIST" -j -o laverage,uptime $CT)
assert_true "vzlist -j: laverage as an array, uptime in seconds" -- with_input "$JSON" \
    grep -qE '"laverage": \[[0-9.]+, [0-9.]+, [0-9.]+\]|"laverage": \['

# --- acceptance 4: the container's root cannot get the host's figures back ----
# shellcheck disable=SC2016  # expanded inside the container
ESCAPE=$(in_ct '
    echo "root: $(grep MemTotal /proc/1/root/proc/meminfo)"
    mkdir -p /tmp/p /tmp/s
    if mount -t proc proc /tmp/p; then echo "newproc: $(grep MemTotal /tmp/p/meminfo)"; umount /tmp/p; fi
    echo "vmroot: $(grep "^nr_free_pages " /proc/1/root/proc/vmstat)"
    if mount -t proc proc /tmp/p; then echo "newvm: $(grep "^nr_free_pages " /tmp/p/vmstat)"; umount /tmp/p; fi
    if mount -t sysfs sysfs /tmp/s; then
        echo "newsys: $(cat /tmp/s/devices/system/cpu/online)"
        echo "newpresent: $(cat /tmp/s/devices/system/cpu/present)"
        umount /tmp/s
    fi
    if umount -l /proc; then
        echo "umounted: $(grep MemTotal /proc/meminfo 2>/dev/null || echo none)"
        mount -t proc proc /proc
    fi
    echo "after: $(grep MemTotal /proc/meminfo)"')
echo "$ESCAPE" | indent '    CT root: '
assert_not_contains "$ESCAPE" " $HOST_TOTAL kB" "no path in the CT shows the host's MemTotal"
assert_contains "$ESCAPE" "root: MemTotal:         262144 kB" "/proc/1/root/proc/meminfo is the CT's"
assert_contains "$ESCAPE" "after: MemTotal:         262144 kB" "/proc/meminfo stays the CT's"
if echo "$ESCAPE" | grep -q '^newproc'; then
    assert_contains "$ESCAPE" "newproc: MemTotal:         262144 kB" "a new proc mount is the CT's view too"
fi
if echo "$ESCAPE" | grep -q '^newsys'; then
    assert_contains "$ESCAPE" "newsys: 0" "a new sysfs mount shows the CT's CPUs too"
    assert_contains "$ESCAPE" "newpresent: 0" "... online and present"
fi
# vmstat by every path: at most the CT's 256M free (65536 pages).
for path in vmroot newvm; do
    if echo "$ESCAPE" | grep -q "^$path"; then
        FREE_PAGES=$(echo "$ESCAPE" | awk -v p="$path:" '$1 == p { print $3 }')
        assert_true "$path: vmstat's nr_free_pages is the CT's ($FREE_PAGES)" -- test "$FREE_PAGES" -le 65536
    fi
done
# Whatever mount is read, a reader in the CT's pid namespace gets the CT's
# view: here a child of nsenter in that namespace reads the host's own /proc.
VIA_HOST=$(nsenter -t "$INIT" -p -- cat /proc/meminfo | awk '$1 == "MemTotal:" { print $2 }')
assert_eq "$VIA_HOST" "262144" "the host's /proc mount read from the CT's pid namespace: the CT's view"
VIA_HOST=$(nsenter -t "$INIT" -p -- cat /proc/vmstat | vmstat nr_free_pages)
assert_true "... and its vmstat ($VIA_HOST pages free)" -- test "$VIA_HOST" -le 65536

# --- MEMINFO (OpenVZ's --meminfo) ---------------------------------------------
expect_rc 0 "set --ram 512M --meminfo pages:65536 (live)" -- \
    "$VZCTL" set $CT --ram 512M --meminfo pages:65536
assert_eq "$(ct_meminfo MemTotal)" "262144" "pages:65536 shows 256 MB whatever the RAM limit"
assert_eq "$(in_ct free -m | awk '$1 == "Mem:" { print $2 }')" "256" "... in free too"
expect_rc 0 "set --privvmpages 32768 --meminfo privvmpages:2" -- \
    "$VZCTL" set $CT --privvmpages 32768 --meminfo privvmpages:2
assert_eq "$(ct_meminfo MemTotal)" "262144" "privvmpages:2 shows twice the privvmpages limit"
expect_rc 0 "set --meminfo none" -- "$VZCTL" set $CT --meminfo none
assert_eq "$(ct_meminfo MemTotal)" "$HOST_TOTAL" "none shows the host's memory"
expect_rc 21 "--meminfo pages:0 is refused" -- "$VZCTL" set $CT --meminfo pages:0
expect_rc 0 "set --cpus 2 (live)" -- "$VZCTL" set $CT --cpus 2
assert_eq "$(in_ct nproc)" "2" "nproc follows CPUS live"
assert_eq "$(nsenter -t "$INIT" -p -- lscpu | lscpu_cpus)" "2" "... and lscpu"

# --- vzkit-metrics with the module on cgroup v2 (docs/metrics.md) -----------------
CPU_FILE="$(ct_cgroup $CT cpu)/cpu.stat"
METRICS_OUT=$("$VZKIT_BUILD/bin/vzkit-metrics" -o - 2>&1)
CPU_AFTER=$(awk '$1 == "usage_usec" { printf "%.6f\n", $2 / 1e6 }' "$CPU_FILE")
CT_UP=$(in_ct cat /proc/uptime | awk '{ print $1 }')
mline() { awk -v want="$1" '$1 == want { print $2 }' <<< "$METRICS_OUT"; }
assert_true "vzkit-metrics' output is clean for promtool" -- with_input "$METRICS_OUT" promtool check metrics
assert_eq "$(mline vzkit_module_loaded)" "1" "vzkit_module_loaded is 1 with the module"
for res in kmemsize privvmpages numproc numfile numtcpsock; do
    for part in barrier limit failcnt; do
        fam=vzkit_ubc_$part
        [ $part = failcnt ] && fam=vzkit_ubc_failcnt_total
        assert_eq "$(mline "$fam{ctid=\"$CT\",resource=\"$res\"}")" "$(ubc $part $res $CT)" \
            "$fam{resource=$res} = /proc/user_beancounters"
    done
    assert_true "vzkit_ubc_held{resource=$res} is the module's (a number)" -- \
        is_number "$(mline "vzkit_ubc_held{ctid=\"$CT\",resource=\"$res\"}")"
done
CPU=$(mline "vzkit_ct_cpu_seconds_total{ctid=\"$CT\"}")
assert_true "CPU seconds ($CPU) from cpu.stat, at most its later figure ($CPU_AFTER)" -- \
    awk -v m="$CPU" -v a="$CPU_AFTER" 'BEGIN { exit !(m > 0 && m <= a) }'
UP=$(mline "vzkit_ct_uptime_seconds{ctid=\"$CT\"}")
assert_true "uptime ($UP s) is the module's, as the CT's /proc/uptime ($CT_UP s) within 3 s" -- \
    awk -v m="$UP" -v c="$CT_UP" 'BEGIN { d = c - m; if (d < 0) d = -d; exit !(d < 3) }'
assert_eq "$(mline "vzkit_ct_memory_bytes{ctid=\"$CT\"}" | grep -c '^[0-9][0-9]*$')" "1" \
    "memory from memory.current"

# --- many reads, then unload -------------------------------------------------
# shellcheck disable=SC2016  # expanded inside the container
READS=$(in_ct 'n=0; for i in $(seq 200); do
    cat /proc/meminfo /proc/stat /proc/uptime /proc/loadavg /proc/cpuinfo /proc/vmstat \
        /sys/devices/system/cpu/online /sys/devices/system/cpu/present > /dev/null && free > /dev/null && n=$((n + 1)); done; echo $n')
assert_eq "$READS" "200" "200 rounds of reads of every view inside the CT"
expect_rc 0 "stop" -- "$VZCTL" stop $CT --fast
assert_eq "$(meminfo MemTotal)" "$HOST_TOTAL" "the host's MemTotal after the CT"
expect_rc 0 "the module unloads" -- rmmod vzkit
kernel_log_has() { dmesg | grep -qE "$1"; }
assert_false "kernel log clean" -- kernel_log_has 'BUG:|Oops|WARNING:|Call Trace|Objects remaining'
dmesg | grep -i 'vzkit' | indent '    dmesg: '

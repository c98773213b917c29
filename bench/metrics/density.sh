# shellcheck shell=bash
# list and density. Both need many defined containers: vzkit CTIDs 10000-14999
# (vzctl create from the busybox archive; above the other benchmarks'
# 7000-7999, 5000 of them fit) and LXC containers vzb-0000... (the same archive
# unpacked by tar). The list's are defined interleaved, so that both sides'
# trees land on the file system in the same state; a ramp defines its side's
# before each stretch it starts, so that LXC, which stops near 614, does not
# get 5000 trees it never starts.

DENS_FIRST=10000
# How many of each side are defined (read through ${!count} in dens_define).
# shellcheck disable=SC2034
DENS_DEFINED_vz=0 DENS_DEFINED_lxc=0
# The start → ready times compared within a ramp: the median of its first
# DENS_EDGE starts against the median of its last DENS_EDGE.
DENS_EDGE=20

dens_ct() {
    if [ "$1" = vz ]; then echo $((DENS_FIRST + $2)); else printf 'vzb-%04d' "$2"; fi
}

# dens_define SIDE I: the I-th container of SIDE, unless it is defined.
dens_define() {
    local side=$1 i=$2 count="DENS_DEFINED_$1"
    [ "$i" -lt "${!count}" ] && return 0
    if [ "$side" = vz ]; then
        vz_create "$(dens_ct vz "$i")" busybox-minimal || die "vzctl create $(dens_ct vz "$i") failed"
    else
        lxc_define "$(dens_ct lxc "$i")" "$(busybox_archive)" ||
            die "cannot define LXC container $(dens_ct lxc "$i")"
    fi
    printf -v "$count" '%s' $((i + 1))
}

# dens_define_upto N [SIDE...]: containers 0..N-1 of each SIDE (default both,
# interleaved).
dens_define_upto() {
    local n=$1 i side count
    shift
    [ $# -gt 0 ] || set -- vz lxc
    for side in "$@"; do
        count="DENS_DEFINED_$side"
        [ "${!count}" -lt "$n" ] && log "defining $side containers ${!count}..$((n - 1))"
    done
    for ((i = 0; i < n; i++)); do
        for side in "$@"; do dens_define "$side" "$i"; done
    done
}

# list: `vzlist -a` against `lxc-ls -f`, all containers defined and stopped.
metric_list() {
    local n r side t count_vz count_lxc
    for n in $LIST_COUNTS; do
        dens_define_upto "$n"
        count_vz=$("$VZLIST" -a -H | wc -l)
        count_lxc=$(lxc-ls -P "$LXC_PATH" -1 | wc -l)
        log "list: $LIST_RUNS interleaved runs with $count_vz/$count_lxc containers defined"
        for ((r = 0; r < LIST_RUNS; r++)); do
            for side in $(sides_in_round "$r"); do
                if time_us t "${side}_list"; then
                    sample_ms "list.$n.$side" "$t"
                else
                    fail_run "list.$n.$side" "run $r"
                fi
            done
        done
        row "list (\`vzlist -a\` vs \`lxc-ls -f\`), $count_vz/$count_lxc CTs defined, stopped" ms \
            "list.$n.vz" LXC "list.$n.lxc" "≤ 1/10 of lxc-ls" "$(fail_note "list.$n")"
    done
}

# /proc/meminfo fields (kB) as "KEY VALUE" lines.
meminfo() { awk '{ sub(":", "", $1); print $1, $2 }' /proc/meminfo; }
mem_field() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# Every process: pid, ppid, pid namespace, RSS (kB), command name.
host_procs() { ps -e -o pid=,ppid=,pidns=,rss=,comm= >"$1"; }

# New host-side processes between two snapshots: in the host's pid namespace,
# not kernel threads, not this benchmark's own children. Prints
# "PID COMM RSS_KB" for each.
new_host_procs() {
    local hostns
    hostns=$(readlink /proc/self/ns/pid | tr -dc 0-9)
    awk -v hostns="$hostns" -v bench=$$ '
        FNR == NR { before[$1] = 1; next }
        { ppid[$1] = $2; ns[$1] = $3; rss[$1] = $4; comm[$1] = $5 }
        END {
            for (p in comm) {
                if (p in before || ns[p] != hostns || p == 2 || ppid[p] == 2) continue
                mine = 0
                for (q = p; q > 1 && (q in ppid); q = ppid[q]) if (q == bench) { mine = 1; break }
                if (!mine) print p, comm[p], rss[p]
            }
        }' "$1" "$2"
}

# Which of them the tool under test left: those that inherited this run's
# BENCH_RUN_ID (daemons keep their environment when they detach; LXC's monitor
# does). Anything else is another activity on the machine and only goes to the
# details. Prints "ours|other COMM COUNT RSS_KB" per command name.
attribute_procs() {
    local pid comm rss whose
    while read -r pid comm rss; do
        whose=other
        tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qx "BENCH_RUN_ID=$BENCH_RUN_ID" &&
            whose=ours
        echo "$whose $comm $rss"
    done | awk '{ n[$1 " " $2]++; r[$1 " " $2] += $3 } END { for (k in n) print k, n[k], r[k] }'
}

dens_settle() {
    # The newest CT finished booting, then the machine is left alone briefly.
    "${1}_wait_booted" "$2" >/dev/null 2>&1
    sleep "$DENSITY_SETTLE_S"
}

# Memory charged to the containers' own control groups (kB): the processes,
# their page cache and the kernel memory the memory controller accounts.
# vzkit: vz/<CTID>; LXC: lxc.payload.<name> and its monitor's lxc.monitor.<name>.
cgroup_mem_kb() {
    local side=$1 n=$2 i ct
    for ((i = 0; i < n; i++)); do
        ct=$(dens_ct "$side" $i)
        if [ "$side" = vz ]; then
            cat "/sys/fs/cgroup/memory/vz/$ct/memory.usage_in_bytes" "/sys/fs/cgroup/vz/$ct/memory.current"
        else
            cat "/sys/fs/cgroup/memory/lxc.payload.$ct/memory.usage_in_bytes" \
                "/sys/fs/cgroup/memory/lxc.monitor.$ct/memory.usage_in_bytes" \
                "/sys/fs/cgroup/lxc.payload.$ct/memory.current" "/sys/fs/cgroup/lxc.monitor.$ct/memory.current"
        fi 2>/dev/null
    done | awk '{ s += $1 } END { printf "%d\n", s / 1024 }'
}

# dens_checkpoint SIDE N STARTUP_US: memory and host processes at N running.
# ΔMemTotal−MemAvailable also sees whatever else started on the machine
# meanwhile; the RSS of those other new processes is taken off it.
dens_checkpoint() {
    local side=$1 n=$2 total_us=$3 used0 used1 other_kb cg_kb
    meminfo >"$DENS_TMP/mem.$n"
    host_procs "$DENS_TMP/procs.$n"
    cg_kb=$(cgroup_mem_kb "$side" "$n")
    used0=$(($(mem_field "$DENS_TMP/mem.0" MemTotal) - $(mem_field "$DENS_TMP/mem.0" MemAvailable)))
    used1=$(($(mem_field "$DENS_TMP/mem.$n" MemTotal) - $(mem_field "$DENS_TMP/mem.$n" MemAvailable)))
    new_host_procs "$DENS_TMP/procs.0" "$DENS_TMP/procs.$n" | attribute_procs >"$DENS_TMP/new_procs.$n"
    other_kb=$(awk '$1 == "other" { r += $4 } END { print r + 0 }' "$DENS_TMP/new_procs.$n")
    echo "$n" >"$DENS_TMP/largest"
    echo "$total_us" >"$DENS_TMP/time.$n"
    awk -v a="$used0" -v b="$used1" -v o="$other_kb" -v n="$n" \
        'BEGIN { printf "%.2f\n", (b - a - o) / n / 1024 }' >"$DENS_TMP/mem_per_ct.$n"
    awk -v c="$cg_kb" -v n="$n" 'BEGIN { printf "%.2f\n", c / n / 1024 }' >"$DENS_TMP/cg_per_ct.$n"
    awk -v n="$n" '$1 == "ours" { c += $3; r += $4 }
        END { printf "%.3f %.3f\n", c / n, r / n / 1024 }' "$DENS_TMP/new_procs.$n" \
        >"$DENS_TMP/procs_per_ct.$n"
    detail "density $side N=$n: started in $((total_us / 1000)) ms;" \
        "ΔMemTotal−MemAvailable $(((used1 - used0) / 1024)) MB, of which $((other_kb / 1024)) MB RSS of other new processes;" \
        "cgroups $((cg_kb / 1024)) MB; per CT: $(dens_meminfo_deltas "$n") kB;" \
        "new host processes: $(awk '{ printf "%s%s %s x%d (%d kB RSS)", sep, $1, $2, $3, $4; sep = ", " }' \
            "$DENS_TMP/new_procs.$n")"
}

# Why a start failed, beyond the tool's message: the host limits a ramp meets.
dens_limits() {
    printf 'ptys in use %s of %s (kernel.pty.max, %s reserved for the initial devpts); ' \
        "$(cat /proc/sys/kernel/pty/nr)" "$(cat /proc/sys/kernel/pty/max)" "$(cat /proc/sys/kernel/pty/reserve)"
    printf 'tasks %s of pid_max %s; MemAvailable %s MB' "$(ps -e --no-headers | wc -l)" \
        "$(cat /proc/sys/kernel/pid_max)" "$(($(awk '/^MemAvailable/ { print $2 }' /proc/meminfo) / 1024))"
}

dens_meminfo_deltas() {
    local k
    for k in MemFree Slab KernelStack PageTables Shmem; do
        awk -v k=$k -v n="$1" 'FNR == NR { if ($1 == k) a = $2; next }
            $1 == k { printf "%s %+.0f ", k, ($2 - a) / n }' "$DENS_TMP/mem.0" "$DENS_TMP/mem.$1"
    done
}

dens_stop_all() {
    local side=$1 upto=$2 i
    log "density: stopping the $side containers"
    for ((i = 0; i < upto; i++)); do
        if [ "$side" = vz ]; then vz_stop "$(dens_ct vz $i)" --fast; else lxc_stop "$(dens_ct lxc $i)" -k; fi
    done >/dev/null 2>&1
}

# One side's ramp: start containers one after another, stopping at each
# checkpoint N to take the figures, until a start fails or the last N.
dens_ramp() {
    local side=$1 i=0 n t total=0 ct
    DENS_TMP="$BENCH_DIR/density.$side"
    rm -rf "$DENS_TMP"
    mkdir -p "$DENS_TMP"
    echo 0 >"$DENS_TMP/largest"
    sleep "$DENSITY_SETTLE_S"
    meminfo >"$DENS_TMP/mem.0"
    host_procs "$DENS_TMP/procs.0"
    for n in $DENSITY_COUNTS; do
        dens_define_upto "$n" "$side"
        log "density: $side ramp to $n"
        while [ $i -lt "$n" ]; do
            ct=$(dens_ct "$side" $i)
            if ! time_us t "${side}_start_ready" "$ct"; then
                fail_run "density.$side" "start of $ct, the $((i + 1))th; $(dens_limits)"
                echo "$i started, the $((i + 1))th failed ($(dens_limits))" >"$DENS_TMP/failure"
                dens_edges "$side"
                dens_stop_all "$side" $((i + 1))
                return 0
            fi
            echo "$t" >>"$DENS_TMP/starts"
            total=$((total + t))
            i=$((i + 1))
        done
        dens_settle "$side" "$ct"
        dens_checkpoint "$side" "$n" "$total"
        dens_list_running "$side" "$n"
    done
    dens_edges "$side"
    dens_stop_all "$side" $i
}

# The first and the last DENS_EDGE start → ready times of a ramp as samples
# (density.first.SIDE, density.last.SIDE), the last of a ramp that failed
# being those before the failure.
dens_edges() {
    local t
    [ -s "$DENS_TMP/starts" ] || return 0
    wc -l <"$DENS_TMP/starts" >"$DENS_TMP/started"
    for t in $(head -n "$DENS_EDGE" "$DENS_TMP/starts"); do sample_ms "density.first.$1" "$t"; done
    for t in $(tail -n "$DENS_EDGE" "$DENS_TMP/starts"); do sample_ms "density.last.$1" "$t"; done
}

# With the list benchmark, its counts are also listed running, during the
# ramp: LXC then asks every container's monitor for its state. Not
# interleaved, like the ramps themselves.
dens_list_running() {
    local side=$1 n=$2 r t
    selected list && [[ " $LIST_COUNTS " == *" $n "* ]] || return 0
    for ((r = 0; r < LIST_RUNS; r++)); do
        if time_us t "${side}_list"; then
            sample_ms "list.running.$n.$side" "$t"
        else
            fail_run "list.running.$n.$side" "run $r"
        fi
    done
}

# dens_median KEY: the median of the samples of KEY, or "-".
dens_median() {
    local m
    m=$(stats "$1")
    if [ -n "$m" ]; then printf '%.1f\n' "${m%% *}"; else echo -; fi
}

dens_value() { cat "$BENCH_DIR/density.$1/$2" 2>/dev/null || echo -; }

metric_density() {
    local n vz lxc why side
    # Not interleaved (each side's memory figure needs the machine to itself):
    # vzkit's ramp, then LXC's, each from the state the other left.
    dens_ramp vz
    dens_ramp lxc
    why=""
    for side in vz lxc; do
        [ -f "$BENCH_DIR/density.$side/failure" ] &&
            why="$why$(side_label $side): $(cat "$BENCH_DIR/density.$side/failure"). "
    done
    row_values "density: largest N started (of $DENSITY_COUNTS)" CTs "$(dens_value vz largest)" \
        LXC "$(dens_value lxc largest)" "5000" "$why"
    # Issue 15: the last start of the largest ramp within 1.2x of the first.
    row "density: start → ready of one CT, the last $DENS_EDGE of vzkit's ramp (to the $(dens_value vz started)th) vs its first $DENS_EDGE" \
        ms density.last.vz "vzkit's first $DENS_EDGE" density.first.vz "≤ 1.2×" \
        "LXC's last $DENS_EDGE (to the $(dens_value lxc started)th): $(dens_median density.last.lxc) ms against its first $DENS_EDGE: $(dens_median density.first.lxc) ms"
    for n in $DENSITY_COUNTS; do
        vz=$(dens_value vz "time.$n")
        lxc=$(dens_value lxc "time.$n")
        [ "$vz" = - ] && [ "$lxc" = - ] && continue
        [ "$vz" = - ] || vz=$(awk -v t="$vz" 'BEGIN { printf "%.2f", t / 1e6 }')
        [ "$lxc" = - ] || lxc=$(awk -v t="$lxc" 'BEGIN { printf "%.2f", t / 1e6 }')
        row_values "density: time to start $n idle CTs, one by one" s "$vz" LXC "$lxc" "" \
            "$([ "$vz" = - ] && echo "vzkit did not reach $n. ")$([ "$lxc" = - ] && echo "LXC did not reach $n.")"
    done
    if selected list; then
        for n in $LIST_COUNTS; do
            row "list (\`vzlist -a\` vs \`lxc-ls -f\`), $n CTs running (during the density ramps)" ms \
                "list.running.$n.vz" LXC "list.running.$n.lxc" "≤ 1/10 of lxc-ls" \
                "$(fail_note "list.running.$n")$([ -s "$SAMPLES/list.running.$n.lxc" ] ||
                    echo "LXC did not reach $n running")"
        done
    fi
    n=$(($(dens_value vz largest) < $(dens_value lxc largest) ? $(dens_value vz largest) : $(dens_value lxc largest)))
    if [ "$n" -gt 0 ]; then
        row_values "density: host memory per idle CT at N=$n (ΔMemTotal−MemAvailable)" MB \
            "$(dens_value vz "mem_per_ct.$n")" LXC "$(dens_value lxc "mem_per_ct.$n")" "" \
            "less the RSS of unrelated processes that started meanwhile (see details)"
        row_values "density: memory charged to the CTs' cgroups per idle CT at N=$n" MB \
            "$(dens_value vz "cg_per_ct.$n")" LXC "$(dens_value lxc "cg_per_ct.$n")" "" \
            "LXC: payload + monitor cgroups"
        row_values "density: host-side processes per idle CT at N=$n" procs \
            "$(cut -d' ' -f1 "$BENCH_DIR/density.vz/procs_per_ct.$n")" LXC \
            "$(cut -d' ' -f1 "$BENCH_DIR/density.lxc/procs_per_ct.$n")" "0 for vzkit"
        row_values "density: RSS of those host processes per CT at N=$n" MB \
            "$(cut -d' ' -f2 "$BENCH_DIR/density.vz/procs_per_ct.$n")" LXC \
            "$(cut -d' ' -f2 "$BENCH_DIR/density.lxc/procs_per_ct.$n")" ""
        vz=$(dens_value vz largest)
        [ "$vz" -gt "$n" ] &&
            row_values "density: host memory per idle CT at N=$vz, vzkit's largest (ΔMemTotal−MemAvailable)" MB \
                "$(dens_value vz "mem_per_ct.$vz")" LXC - "" "LXC did not reach $vz; cgroups: $(dens_value vz "cg_per_ct.$vz") MB per CT"
    else
        row_missing "density: memory and host processes per idle CT" MB LXC "" \
            "a side started no container: $why"
    fi
}

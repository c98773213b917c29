# shellcheck shell=bash
# Renders $RESULTS (see row in common.sh) as a Markdown table, with the
# machine it ran on above it. Sourced by bench/run.

# A figure with three significant digits (integers as they are), never in
# exponent form.
num() {
    awk -v v="$1" 'BEGIN {
        a = v < 0 ? -v : v
        if (v == int(v)) printf "%d", v
        else if (a >= 100) printf "%.0f", v
        else if (a >= 10) printf "%.1f", v
        else if (a >= 1) printf "%.2f", v
        else printf "%.3f", v }'
}

# "median (min–max, n=N)" of a "median min max n" field, or "—".
fmt_stats() {
    [ "$1" = - ] && {
        echo "—"
        return
    }
    # shellcheck disable=SC2086 # four numbers
    set -- $1
    if [ "$4" = 1 ]; then num "$1"; else echo "$(num "$1") ($(num "$2")–$(num "$3"), n=$4)"; fi
}

ratio() {
    if [ "$1" = - ] || [ "$2" = - ]; then
        echo "—"
        return
    fi
    awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN {
        if (b == 0) print (a == 0 ? "— (both 0)" : "— (peer 0)")
        else printf "%.2f\n", a / b }'
}

render_table() {
    echo "| metric | unit | vzkit: median (min–max, n) | peer | peer: median (min–max, n) | vzkit/peer | goal | note |"
    echo "|---|---|---|---|---|---|---|---|"
    local metric unit vz peer peer_stats goal note
    while IFS=$ROW_SEP read -r metric unit vz peer peer_stats goal note; do
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$metric" "$unit" "$(fmt_stats "$vz")" \
            "$peer" "$(fmt_stats "$peer_stats")" "$(ratio "$vz" "$peer_stats")" "$goal" "$note"
    done <"$RESULTS"
}

machine_summary() {
    local cpu mem
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: $(nproc) CPUs ($cpu), $mem RAM, root file system $(findmnt -no FSTYPE -T "$BENCH_DIR")"
    echo "- host kernel: $(uname -r) (cgroup v1); VM kernel for the module rows: $(vm_kernel)"
    echo "- vzkit: $(git -C "$SRC" describe --always --dirty 2>/dev/null || echo unknown);" \
        "LXC: $(lxc_version || echo 'not installed')"
    echo "- command: \`$BENCH_COMMAND\` ($BENCH_MODE), took $1"
    echo "- load average when it started: $BENCH_LOAD"
}

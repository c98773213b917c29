# shellcheck shell=bash
# overlay: the overlay layout (issue 14) beside simfs and GNU tar.
#
# create: `vzctl create --layout overlay` once its template's base exists
# (the usual case: the first create from a template unpacks it, timed apart
# as "first"), `vzctl create --layout simfs` and `tar -xzf`, for the small
# busybox template and the 100+ MB Debian one. The claim is that the
# overlay's create does not grow with the template: its two medians are
# compared.
#
# memory: N containers running from the busybox template, overlay against
# simfs: the page cache the containers' files take (fincore over the base,
# or over every simfs private area, after each tree was evicted with
# posix_fadvise and the N containers booted). (MemAvailable is no measure on
# a machine that runs other work: its drift is larger than the difference.)

OVL_FIRST=7600

ovl_create() { # CTID TEMPLATE LAYOUT
    echo "$1" >>"$VZ_CTIDS_FILE"
    "$VZCTL" --quiet create "$1" --ostemplate "$2" --layout "$3"
}
ovl_destroy() { "$VZCTL" --quiet destroy "$1" >/dev/null 2>&1; }

# Evicts every regular file below the given trees from the page cache.
ovl_evict() {
    sync
    python3 - "$@" <<'EOF'
import os, sys
for top in sys.argv[1:]:
    for d, _, files in os.walk(top):
        for f in files:
            p = os.path.join(d, f)
            try:
                fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
EOF
}

# Resident bytes of every regular file below the given trees.
ovl_resident() {
    find "$@" -type f -print0 2>/dev/null | xargs -0 -r fincore -n -b -o RES 2>/dev/null |
        awk '{ s += $1 } END { print s + 0 }'
}

ovl_fmt() {
    local s
    s=$(stats "$1")
    fmt_stats "${s:--}"
}

ovl_large_template() {
    if [ -f "$BIG_GZ" ] || big_template; then
        vz_template ovl-large "$BIG_GZ"
        OVL_LARGE="$BIG_GZ"
        return 0
    fi
    return 1
}

# One timed create of each kind, rotated; every create goes into a fresh
# place and is destroyed after the round (its time is not counted).
ovl_create_rounds() { # SIZE TEMPLATE ARCHIVE
    local size=$1 tmpl=$2 archive=$3 r v t ct dir cmd
    log "overlay create: $OVL_ROUNDS rounds, $size template"
    ct=$((OVL_FIRST + 90))
    # The first create from the template makes the base: timed once.
    sync
    if time_us t ovl_create $ct "$tmpl" overlay; then
        sample_ms "overlay.create.$size.first" "$t"
    else
        fail_run "overlay.create.$size.first" "first"
    fi
    for ((r = 0; r < OVL_ROUNDS; r++)); do
        for v in $(rotate "$r" overlay simfs tar); do
            ct=$((OVL_FIRST + r * 3 + 1))
            sync
            case $v in
            overlay) cmd=(ovl_create "$ct" "$tmpl" overlay) ;;
            simfs) cmd=(ovl_create $((ct + 1)) "$tmpl" simfs) ;;
            tar)
                dir=$BENCH_DIR/ovl-tar/$r
                mkdir -p "$dir"
                cmd=(tar -xpzf "$archive" -C "$dir" --numeric-owner)
                ;;
            esac
            if time_us t "${cmd[@]}"; then
                sample_ms "overlay.create.$size.$v" "$t"
            else
                fail_run "overlay.create.$size.$v" "run $r"
            fi
        done
    done
    for ((r = 0; r < OVL_ROUNDS; r++)); do
        ovl_destroy $((OVL_FIRST + r * 3 + 1))
        ovl_destroy $((OVL_FIRST + r * 3 + 2))
    done
    ovl_destroy $((OVL_FIRST + 90))
    rm -rf "$BENCH_DIR/ovl-tar"
    "$VZCTL" --quiet template gc >/dev/null
}

# N containers of LAYOUT running: prints the page cache of their files in KB.
ovl_memory_side() { # LAYOUT N
    local layout=$1 n=$2 i ct trees=() res
    for ((i = 0; i < n; i++)); do
        ct=$((OVL_FIRST + 100 + i))
        ovl_create $ct busybox-minimal "$layout" || { echo "-"; return 1; }
        if [ "$layout" = simfs ]; then trees+=("$(vz_private $ct)"); fi
    done
    [ "$layout" = overlay ] && trees=("$VZ_ROOT/vz/template/base")
    ovl_evict "${trees[@]}"
    for ((i = 0; i < n; i++)); do
        vz_start_ready $((OVL_FIRST + 100 + i)) || log "CT $((OVL_FIRST + 100 + i)) did not start"
    done
    for ((i = 0; i < n; i++)); do vz_wait_booted $((OVL_FIRST + 100 + i)); done
    sleep 2
    res=$(ovl_resident "${trees[@]}")
    for ((i = 0; i < n; i++)); do
        ct=$((OVL_FIRST + 100 + i))
        vz_stop $ct --fast >/dev/null 2>&1
        ovl_destroy $ct
        vz_remove_cgroups $ct
    done
    "$VZCTL" --quiet template gc >/dev/null
    echo "$((res / 1024))"
}

metric_overlay() {
    local small large ovl_res sfs_res
    on_exit "rm -rf '$BENCH_DIR/ovl-tar'"
    small=$(busybox_archive)
    ovl_create_rounds small busybox-minimal "$small"
    if ovl_large_template; then
        large=$OVL_LARGE
        detail "overlay create, large template: $(basename "$large"), $(($(gzip -dc "$large" | wc -c) / 1000000)) MB as a tar"
        ovl_create_rounds large ovl-large "$large"
    fi
    row "overlay create, 1 MB template: \`--layout overlay\` vs \`tar -xzf\`" ms \
        overlay.create.small.overlay "tar -xzf" overlay.create.small.tar "≤ tar" \
        "simfs: $(ovl_fmt overlay.create.small.simfs) ms; first (unpacks the base): $(ovl_fmt overlay.create.small.first) ms"
    if [ -n "$large" ]; then
        row "overlay create, 200 MB template: \`--layout overlay\` vs \`tar -xzf\`" ms \
            overlay.create.large.overlay "tar -xzf" overlay.create.large.tar "≤ 1.5× the 1 MB template's" \
            "simfs: $(ovl_fmt overlay.create.large.simfs) ms; first (unpacks the base): $(ovl_fmt overlay.create.large.first) ms"
        row "overlay create: 200 MB template vs 1 MB template" ms \
            overlay.create.large.overlay "1 MB template" overlay.create.small.overlay "≤ 1.5×" \
            "O(1) in the template's size"
    else
        row_missing "overlay create, 200 MB template" ms "tar -xzf" "≤ 1.5× the 1 MB template's" \
            "not measured: ${BIG_ERROR:-no large template}"
    fi
    log "overlay memory: $OVL_N containers running, overlay then simfs"
    ovl_res=$(ovl_memory_side overlay "$OVL_N")
    sfs_res=$(ovl_memory_side simfs "$OVL_N")
    detail "overlay memory, $OVL_N CTs running: page cache of their files overlay ${ovl_res} KB, simfs ${sfs_res} KB"
    row_values "overlay memory, $OVL_N CTs running: page cache of the CTs' files" KB \
        "$ovl_res" simfs "$sfs_res" "one copy (≈ 1/$OVL_N of simfs)" \
        "fincore over the base vs over every simfs private area, each evicted before the $OVL_N CTs started"
}

# shellcheck shell=bash
# create: `vzctl create` from a 100+ MB template against the floor, GNU tar
# unpacking the same archive (.tar.gz and .tar.zst, and .tar.xz), and against
# `lxc-create -t local`, LXC's way to make a container from a local rootfs
# tarball, which only takes .tar.xz. Every run writes into a fresh directory
# and nothing is deleted until the run is over (ext4 inode reuse, see
# common.sh); dirty data of one run is synced before the next is timed.

CREATE_FIRST=7100
CREATE_VARIANTS="vz.gz tar.gz vz.zst tar.zst vz.xz tar.xz lxc.xz"

# The quick smoke test has no time for debootstrap: the busybox template in
# the three compressions.
create_small_archives() {
    local dir=$BENCH_DIR/create-src
    mkdir -p "$dir"
    gzip -dc "$(busybox_archive)" >"$dir/bench-small.tar"
    cp "$(busybox_archive)" "$dir/bench-small.tar.gz"
    zstd -q -3 -c "$dir/bench-small.tar" >"$dir/bench-small.tar.zst"
    xz -1 -c "$dir/bench-small.tar" >"$dir/bench-small.tar.xz"
    rm -f "$dir/bench-small.tar"
}

create_archive() {
    if [ -n "$QUICK" ]; then echo "$BENCH_DIR/create-src/bench-small.tar.$1"; else big_archive "$1"; fi
}

# lxc-create -t local wants the distribution part of the config in a
# metadata tarball; the network line comes from -f, as with any lxc-create.
create_lxc_meta() {
    local dir=$BENCH_DIR/lxc-meta
    mkdir -p "$dir"
    grep -v '^lxc.net' "$LXC_CONF" >"$dir/config"
    tar -C "$dir" -cJf "$BENCH_DIR/lxc-meta.tar.xz" config
    grep '^lxc.net' "$LXC_CONF" >"$BENCH_DIR/lxc-net.conf"
}

# create_run VARIANT K: one timed create into a fresh place.
create_run() {
    local tool=${1%.*} ext=${1#*.} k=$2 t dir cmd
    case $tool in
    vz) cmd=(vz_create $((CREATE_FIRST + k)) "$CREATE_NAME-$ext") ;;
    tar)
        dir=$BENCH_DIR/tar/$k
        mkdir -p "$dir"
        cmd=(tar -xpf "$(create_archive "$ext")" -C "$dir" --numeric-owner)
        ;;
    lxc)
        cmd=(lxc-create -P "$LXC_PATH" -n "vzb-c$k" -f "$BENCH_DIR/lxc-net.conf" -t local --
            --metadata "$BENCH_DIR/lxc-meta.tar.xz" --fstree "$(create_archive "$ext")")
        ;;
    esac
    sync
    if time_us t "${cmd[@]}"; then
        sample_ms "create.$1" "$t"
    else
        fail_run "create.$1" "run $k"
    fi
}

# Rotates the list by $1 positions: each variant takes every slot in turn.
rotate() {
    local n=$1
    shift
    local all=("$@")
    local i
    for ((i = 0; i < ${#all[@]}; i++)); do echo "${all[(i + n) % ${#all[@]}]}"; done
}

create_space_ok() {
    local need avail
    need=$(($(du -Lsb "$(create_archive gz)" | cut -f1) * 4 * 7 * CREATE_ROUNDS))
    avail=$(($(stat -f -c '%a * %S' "$BENCH_DIR")))
    [ "$avail" -gt "$need" ] || {
        CREATE_ERROR="needs about $((need / 1000000000)) GB free in $BENCH_DIR, $((avail / 1000000000)) GB there"
        return 1
    }
}

metric_create() {
    local ext r v k=0 what
    if [ -n "$QUICK" ]; then
        CREATE_NAME=bench-small
        create_small_archives
        what="quick run: the 1 MB busybox template, not the 100+ MB one"
    else
        CREATE_NAME=$BIG_NAME
        if ! big_template; then
            row_missing "create from a 100+ MB template" ms "tar -xf" "≤ 1.1× tar" "not measured: $BIG_ERROR"
            return 0
        fi
        what=$(big_describe)
    fi
    if ! create_space_ok; then
        row_missing "create from a 100+ MB template" ms "tar -xf" "≤ 1.1× tar" "not measured: $CREATE_ERROR"
        return 0
    fi
    detail "create template: $what"
    for ext in gz zst xz; do vz_template "$CREATE_NAME-$ext" "$(create_archive $ext)"; done
    create_lxc_meta
    on_exit "rm -rf '$BENCH_DIR/tar'; touch '$DELETE_STAMP'"
    # Every side reads the archives from the page cache.
    cat "$(create_archive gz)" "$(create_archive zst)" "$(create_archive xz)" >/dev/null
    log "create: $CREATE_ROUNDS rounds of $CREATE_VARIANTS ($CREATE_NAME)"
    for ((r = 0; r < CREATE_ROUNDS; r++)); do
        # shellcheck disable=SC2086 # a word list
        for v in $(rotate "$r" $CREATE_VARIANTS); do
            create_run "$v" $k
            k=$((k + 1))
        done
    done
    for ext in gz zst xz; do
        row "create: \`vzctl create\` vs \`tar -xf\`, .tar.$ext" ms create.vz.$ext "tar -xf" \
            create.tar.$ext "≤ 1.1× tar" "$(fail_count create.vz.$ext vzctl)$(fail_count create.tar.$ext tar)"
    done
    row "create: \`vzctl create\` vs \`lxc-create -t local\`, .tar.xz" ms create.vz.xz \
        "lxc-create -t local" create.lxc.xz "" "$(fail_count create.lxc.xz lxc-create)"
}

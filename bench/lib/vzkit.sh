# shellcheck shell=bash
# vzkit's side: an isolated instance (its own VZ_CONFDIR, private, root, lock
# and template dirs under $BENCH_DIR/vz, as scripts/demo.sh and the integration
# tests do), so a benchmark never touches /etc/vz or /vz. Sourced by bench/run.

VZ_ROOT="$BENCH_DIR/vz"
VZCTL="$VZ_ROOT/tools/bin/vzctl"
VZLIST="$VZ_ROOT/tools/bin/vzlist"
VZ_CTIDS_FILE="$VZ_ROOT/ctids"

# The tools timed are copies, laid out as an install lays them out (vzctl
# finds vzkit-exec in ../libexec/vzkit): the linker's own output sits in the
# page cache in small pieces, which cost an exec of vzctl 6-10 more page
# faults and 0.1-0.2 ms here against the same bytes written by a copy, as a
# package install writes them and as LXC's were (docs/benchmarks.md, issue 15).
vz_stage_tools() {
    local f
    for f in bin/vzctl bin/vzlist libexec/vzkit/vzkit-exec; do
        [ -x "$BUILD/$f" ] || die "no $f in $BUILD (make build)"
        mkdir -p "$(dirname "$VZ_ROOT/tools/$f")"
        if ! cp "$BUILD/$f" "$VZ_ROOT/tools/$f.new" ||
            ! mv -f "$VZ_ROOT/tools/$f.new" "$VZ_ROOT/tools/$f"; then
            die "cannot copy $BUILD/$f"
        fi
    done
}

vz_setup() {
    vz_stage_tools
    mkdir -p "$VZ_ROOT/etc/conf" "$VZ_ROOT/vz/template/cache" "$VZ_ROOT/vz/private" \
        "$VZ_ROOT/vz/root" "$VZ_ROOT/vz/lock" "$VZ_ROOT/vz/dump"
    export VZ_CONFDIR="$VZ_ROOT/etc"
    cp "$SRC"/etc/conf/* "$VZ_CONFDIR/conf/"
    # The distribution definitions, as a package installs them: every start
    # configures the container's files (hostname, addresses, DNS).
    cp -r "$SRC/dists" "$VZ_CONFDIR/dists"
    # This host's file systems have no project quota: DISK_QUOTA=no, as on any
    # such host (tests/vm/t_quota.sh runs the quota on a file system that has it).
    sed -e "s|^LOCKDIR=.*|LOCKDIR=$VZ_ROOT/vz/lock|" \
        -e "s|^DUMPDIR=.*|DUMPDIR=$VZ_ROOT/vz/dump|" \
        -e "s|^LOGFILE=.*|LOGFILE=$VZ_ROOT/vzctl.log|" \
        -e "s|^TEMPLATE=.*|TEMPLATE=$VZ_ROOT/vz/template|" \
        -e "s|^VE_ROOT=.*|VE_ROOT=$VZ_ROOT/vz/root/\$VEID|" \
        -e "s|^VE_PRIVATE=.*|VE_PRIVATE=$VZ_ROOT/vz/private/\$VEID|" \
        -e "s|^DISK_QUOTA=.*|DISK_QUOTA=no|" \
        "$SRC/etc/vz.conf" >"$VZ_CONFDIR/vz.conf"
    : >>"$VZ_CTIDS_FILE"
    on_exit vz_teardown
}

# vz_template NAME ARCHIVE: makes ARCHIVE available as OS template NAME.
vz_template() {
    local ext=${2#*.tar}
    ln -sfn "$2" "$VZ_ROOT/vz/template/cache/$1.tar$ext"
}

vz_private() { echo "$VZ_ROOT/vz/private/$1"; }

# Every CTID is recorded before it is created, so teardown finds it even
# when the run dies half-way.
vz_create() {
    echo "$1" >>"$VZ_CTIDS_FILE"
    "$VZCTL" --quiet create "$1" --ostemplate "$2" >/dev/null
}

vz_ready() { "$VZCTL" --quiet exec2 "$1" true; }
vz_start_ready() { "$VZCTL" --quiet start "$1" && retry_until 30 vz_ready "$1"; }
vz_stop() { "$VZCTL" --quiet stop "$1" "${@:2}"; }
vz_exec() { "$VZCTL" --quiet exec2 "$1" true; }
vz_list() { "$VZLIST" -a; }
vz_running() { "$VZCTL" --quiet status "$1" 2>/dev/null | grep -q running; }

# Boot finished: busybox init ran rcS and started syslogd (the same probe the
# integration tests use), so a stop or an exec does not race the boot.
vz_booted() { "$VZCTL" --quiet exec2 "$1" 'pidof syslogd && ! pidof rcS'; }
vz_wait_booted() { retry_until 30 vz_booted "$1"; }

vz_remove_cgroups() {
    local d
    for d in /sys/fs/cgroup/*/vz/"$1" /sys/fs/cgroup/vz/"$1"; do
        [ -d "$d" ] && rmdir "$d" 2>/dev/null
    done
    return 0
}

vz_teardown() {
    local ct
    [ -f "$VZ_CTIDS_FILE" ] || return 0
    log "removing vzkit containers"
    # destroy refuses a running or mounted CT: only those are stopped first.
    sort -un "$VZ_CTIDS_FILE" | while read -r ct; do
        "$VZCTL" --quiet destroy "$ct" >/dev/null 2>&1 || {
            "$VZCTL" --quiet stop "$ct" --fast
            "$VZCTL" --quiet umount "$ct"
            "$VZCTL" --quiet destroy "$ct"
        } >/dev/null 2>&1
        vz_remove_cgroups "$ct"
    done
    umount_below "$VZ_ROOT"
    rm -rf "$VZ_ROOT"
    touch "$DELETE_STAMP"
}

# shellcheck shell=bash
# LXC's side: LXC 5 from Debian, containers under a private lxcpath
# ($BENCH_DIR/lxc, every command gets -P), names prefixed vzb-. Sourced by
# bench/run.

LXC_PATH="$BENCH_DIR/lxc"
LXC_CONF="$BENCH_DIR/lxc-base.conf"

# Installed on demand rather than by scripts/install-deps.sh: only the
# benchmark needs it. Without recommends: no lxcfs, no lxc-net bridge, the
# plain LXC a provider's config management would start from.
lxc_install() { bench_install lxc-start lxc; }

lxc_version() { lxc-start --version 2>/dev/null; }

# The configuration every benchmark container gets: the distribution default
# (common.conf: capabilities, seccomp, device cgroup, /proc and /sys), and what
# this machine needs: no lxcbr0 (no systemd), so a network namespace with only
# loopback -- what a vzkit CT without IP_ADDRESS has; busybox init halts on
# SIGUSR1; no AppArmor in this kernel.
lxc_setup() {
    mkdir -p "$LXC_PATH"
    cat >"$LXC_CONF" <<'EOF'
lxc.include = /usr/share/lxc/config/common.conf
lxc.net.0.type = empty
lxc.signal.halt = SIGUSR1
lxc.autodev = 1
lxc.apparmor.profile = unconfined
EOF
    on_exit lxc_teardown
}

lxc_dir() { echo "$LXC_PATH/$1"; }

# lxc_define NAME ARCHIVE: a container whose rootfs is ARCHIVE unpacked by tar
# (the bytes vzctl create unpacks for vzkit's side).
lxc_define() {
    local dir="$LXC_PATH/$1"
    mkdir -p "$dir/rootfs"
    tar -xpf "$2" -C "$dir/rootfs" --numeric-owner || return 1
    {
        cat "$LXC_CONF"
        echo "lxc.rootfs.path = dir:$dir/rootfs"
        echo "lxc.uts.name = $1"
    } >"$dir/config"
}

# lxc_route NAME ADDRESS: the container gets ADDRESS/32 on a veth in router
# mode (a host route to it, no bridge): what a vzkit CT with IP_ADDRESS gets.
lxc_route() {
    sed -i '/^lxc.net.0.type = empty$/d' "$LXC_PATH/$1/config"
    cat >>"$LXC_PATH/$1/config" <<EOF
lxc.net.0.type = veth
lxc.net.0.veth.mode = router
lxc.net.0.flags = up
lxc.net.0.ipv4.address = $2/32
lxc.net.0.ipv4.gateway = dev
EOF
}

lxc_ready() { lxc-attach -P "$LXC_PATH" -n "$1" -- true; }
lxc_start_ready() { lxc-start -P "$LXC_PATH" -n "$1" -d && retry_until 30 lxc_ready "$1"; }
lxc_stop() { lxc-stop -P "$LXC_PATH" -n "$1" "${@:2}"; }
lxc_exec() { lxc-attach -P "$LXC_PATH" -n "$1" -- true; }
lxc_list() { lxc-ls -P "$LXC_PATH" -f; }
lxc_running() { [ "$(lxc-info -P "$LXC_PATH" -n "$1" -s -H 2>/dev/null)" = RUNNING ]; }
lxc_booted() { lxc-attach -P "$LXC_PATH" -n "$1" -- sh -c 'pidof syslogd && ! pidof rcS'; }
lxc_wait_booted() { retry_until 30 lxc_booted "$1"; }

lxc_teardown() {
    local name
    [ -d "$LXC_PATH" ] || return 0
    log "removing LXC containers"
    for name in $(lxc-ls -P "$LXC_PATH" --running 2>/dev/null); do
        lxc-stop -P "$LXC_PATH" -n "$name" -k >/dev/null 2>&1
    done
    umount_below "$LXC_PATH"
    rm -rf "$LXC_PATH" "$LXC_CONF"
    touch "$DELETE_STAMP"
}

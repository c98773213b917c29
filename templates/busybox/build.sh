#!/bin/sh
# Builds the OS template busybox-minimal from Debian's busybox-static into
# OUTDIR/busybox-minimal.tar.gz (the $TEMPLATE/cache layout vzctl create reads).
# As root the result is also booted once in a chroot before it is published.
#
# Usage: build.sh OUTDIR
set -eu

NAME=busybox-minimal
BUSYBOX=/bin/busybox

die() {
    echo "build.sh: $*" >&2
    exit 1
}

[ $# -eq 1 ] || {
    echo "usage: $0 OUTDIR" >&2
    exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
outdir=$1
out=$outdir/$NAME.tar.gz

[ -x "$BUSYBOX" ] ||
    die "$BUSYBOX not found: install the Debian package busybox-static"
# The package "busybox" has a dynamic binary, which finds no libc in the template.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
    die "$BUSYBOX is dynamically linked: install the Debian package busybox-static"
fi

if [ -f "$out" ] && [ -z "$(find "$here" "$BUSYBOX" -newer "$out" -print)" ]; then
    echo "build.sh: $out is up to date"
    exit 0
fi

umask 022
mkdir -p "$outdir"
work=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
work=$(cd "$work" && pwd -P) # compared with /proc/PID/root below
tmp_out=""
init_wrapper=""
cleanup() {
    # unshare --kill-child takes the whole pid namespace down with it.
    if [ -n "$init_wrapper" ]; then
        kill -KILL "$init_wrapper" 2>/dev/null || true
        wait "$init_wrapper" 2>/dev/null || true
        # The namespace dies asynchronously; let its daemons go before rm -rf.
        wait_for 5 nothing_runs_in "$work/verify" || true
    fi
    if [ -n "$tmp_out" ]; then
        rm -f "$tmp_out"
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Relative link from an applet path (usr/sbin/crond) to bin/busybox.
busybox_link() {
    dir=${1%/*}
    if [ "$dir" = bin ]; then
        echo busybox
    else
        echo "$(echo "$dir" | sed 's,[^/][^/]*,..,g')/bin/busybox"
    fi
}

install_applets() {
    root=$1
    "$BUSYBOX" --list-full | while read -r applet; do
        case $applet in
        bin/busybox) ;;      # the binary itself
        */*) ln -s "$(busybox_link "$applet")" "$root/$applet" ;;
        *) ;;                # linuxrc: an initrd entry point, /sbin/init covers it
        esac
    done
}

write_os_release() {
    version=$("$BUSYBOX" | sed -n '1s/^BusyBox v\([^ ]*\).*/\1/p')
    [ -n "$version" ] || die "cannot read the version of $BUSYBOX"
    printf '%s\n' 'NAME="BusyBox"' 'ID=busybox' "VERSION_ID=$version" \
        "PRETTY_NAME=\"BusyBox $version ($NAME)\"" 'HOME_URL="https://busybox.net/"' \
        >"$1/etc/os-release"
}

# Modes are set explicitly: the checkout's modes depend on the umask of whoever cloned it.
fix_modes() {
    root=$1
    find "$root" -type d -exec chmod 0755 {} +
    find "$root" -type f -exec chmod 0644 {} +
    chmod 0755 "$root/bin/busybox" "$root/etc/init.d/rcS" "$root/etc/init.d/rcK"
    chmod 0700 "$root/root"
    chmod 1777 "$root/tmp" "$root/var/tmp"
    chmod 0600 "$root/etc/shadow" "$root/etc/crontabs/root"
}

populate() {
    root=$1
    for dir in bin sbin usr/bin usr/sbin etc dev proc sys run tmp root home mnt \
        var/log var/spool/cron var/tmp; do
        mkdir -p "$root/$dir"
    done
    cp -R "$here/rootfs/." "$root/"
    cp "$BUSYBOX" "$root/bin/busybox"
    install_applets "$root"
    ln -s ../run "$root/var/run"
    # busybox crond reads /var/spool/cron/crontabs; keep the files under /etc.
    ln -s ../../../etc/crontabs "$root/var/spool/cron/crontabs"
    write_os_release "$root"
    fix_modes "$root"
}

# Stable owners, order and mtimes: the same busybox gives the same tarball.
pack() {
    mtime=$(stat -c %Y "$BUSYBOX")
    tar --create --file "$work/$NAME.tar" --directory "$1" --sort=name --format=gnu \
        --numeric-owner --owner=0 --group=0 --mtime="@$mtime" .
    gzip -9n <"$work/$NAME.tar" >"$2"
    chmod 0644 "$2"
}

# "PID COMM" of every process whose root directory is $1.
processes_in() {
    ps -eo pid=,comm= | while read -r pid comm; do
        if [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$1" ]; then
            echo "$pid $comm"
        fi
    done
}

wait_for() { # wait_for SECONDS COMMAND...: retries COMMAND once a second
    limit=$1
    shift
    while ! "$@"; do
        limit=$((limit - 1))
        [ "$limit" -gt 0 ] || return 1
        sleep 1
    done
}

nothing_runs_in() { [ -z "$(processes_in "$1")" ]; }

daemons_up() {
    procs=$(processes_in "$1")
    echo "$procs" | grep -q ' syslogd$' && echo "$procs" | grep -q ' crond$'
}

boot_logged() { grep -q 'rcS: booted' "$1/var/log/messages" 2>/dev/null; }

wrapper_gone() { ! kill -0 "$init_wrapper" 2>/dev/null; }

# Boots the template's init in its own pid namespace, checks the daemons, halts it.
verify_init() {
    root=$1
    # Like vzctl, give it a fresh /dev (ash opens /dev/null for background jobs).
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --pid --fork --kill-child --mount-proc sh -c '
        mount -t tmpfs -o mode=0755 vzkit-dev "$1/dev" &&
        mknod -m 0666 "$1/dev/null" c 1 3 && mknod -m 0666 "$1/dev/zero" c 1 5 &&
        mknod -m 0666 "$1/dev/urandom" c 1 9 && exec chroot "$1" /sbin/init' sh "$root" \
        </dev/null >"$work/init.log" 2>&1 &
    init_wrapper=$!
    wait_for 15 daemons_up "$root" ||
        die "init in the template did not start syslogd and crond: $(cat "$work/init.log")"
    wait_for 15 boot_logged "$root" || die "rcS did not log its boot line to /var/log/messages"
    init_pid=$(processes_in "$root" | sed -n 's/ init$//p')
    [ -n "$init_pid" ] || die "cannot find the template's init"
    kill -USR1 "$init_pid" # busybox init: halt, which runs rcK
    wait_for 20 wrapper_gone || die "init in the template did not halt on SIGUSR1"
    wait "$init_wrapper" 2>/dev/null || true
    init_wrapper=""
}

verify() {
    root=$work/verify
    mkdir "$root"
    tar -xzf "$1" -C "$root" --numeric-owner
    chroot "$root" /bin/sh -c 'ls /; cat /etc/os-release; busybox | head -1' >"$work/chroot.out" ||
        die "the template's /bin/sh does not run in a chroot"
    grep -q '^ID=busybox$' "$work/chroot.out" || die "unexpected chroot output: $(cat "$work/chroot.out")"
    verify_init "$root"
    echo "build.sh: verified $NAME: a chroot shell runs, init starts syslogd and crond and halts"
}

populate "$work/rootfs"
tmp_out=$(mktemp "$outdir/.$NAME.tar.gz.XXXXXX")
pack "$work/rootfs" "$tmp_out"
if [ "$(id -u)" -eq 0 ]; then
    verify "$tmp_out"
else
    echo "build.sh: not root, skipping the chroot check of the template" >&2
fi
mv -f "$tmp_out" "$out"
tmp_out=""
echo "build.sh: built $out"

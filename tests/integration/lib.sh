# shellcheck shell=bash disable=SC2034  # variables are read by the tests that source this
# Shared by the integration tests: an isolated vzkit instance (its own
# VZ_CONFDIR, private/root areas, lock dir and log) so that tests never touch
# the host's /etc/vz or /vz, plus assertions. Source it, then call it_setup.
set -u

: "${VZKIT_BUILD:?VZKIT_BUILD must point at the build tree}"
: "${VZKIT_SRC:?VZKIT_SRC must point at the source tree}"
VZCTL="$VZKIT_BUILD/bin/vzctl"
VZLIST="$VZKIT_BUILD/bin/vzlist"
TEMPLATE_CACHE="$VZKIT_BUILD/templates/cache"
IT_FAILS=0
IT_PASSES=0
IT_CTIDS=""

it_setup() {
    [ "$(id -u)" = 0 ] || { echo "FAIL: integration tests need root"; exit 1; }
    [ -f "$TEMPLATE_CACHE/busybox-minimal.tar.gz" ] ||
        { echo "FAIL: no busybox-minimal template in $TEMPLATE_CACHE (make templates)"; exit 1; }
    IT_ROOT=$(mktemp -d /tmp/vzkit-it.XXXXXX)
    export VZ_CONFDIR="$IT_ROOT/etc"
    mkdir -p "$VZ_CONFDIR/conf" "$IT_ROOT/vz/template/cache" "$IT_ROOT/vz/private" "$IT_ROOT/vz/root"
    cp "$VZKIT_SRC"/etc/conf/* "$VZ_CONFDIR/conf/"
    cp -r "$VZKIT_SRC/dists" "$VZ_CONFDIR/dists"
    ln -s "$TEMPLATE_CACHE/busybox-minimal.tar.gz" "$IT_ROOT/vz/template/cache/"
    # This host's file systems have no project quota: DISK_QUOTA=no, as on any
    # such host (tests/vm/t_quota.sh runs the quota on a file system that has it).
    sed -e "s|^LOCKDIR=.*|LOCKDIR=$IT_ROOT/vz/lock|" \
        -e "s|^DUMPDIR=.*|DUMPDIR=$IT_ROOT/vz/dump|" \
        -e "s|^LOGFILE=.*|LOGFILE=$IT_ROOT/vzctl.log|" \
        -e "s|^TEMPLATE=.*|TEMPLATE=$IT_ROOT/vz/template|" \
        -e "s|^VE_ROOT=.*|VE_ROOT=$IT_ROOT/vz/root/\$VEID|" \
        -e "s|^VE_PRIVATE=.*|VE_PRIVATE=$IT_ROOT/vz/private/\$VEID|" \
        -e "s|^DISK_QUOTA=.*|DISK_QUOTA=no|" \
        "$VZKIT_SRC/etc/vz.conf" > "$VZ_CONFDIR/vz.conf"
    echo 'STOP_TIMEOUT=20' >> "$VZ_CONFDIR/vz.conf"
    trap it_teardown EXIT
}

# Every CT a test creates is registered so teardown can remove it even when
# the test fails half-way.
it_ct() { IT_CTIDS="$IT_CTIDS $1"; }

it_teardown() {
    for ct in $IT_CTIDS; do
        "$VZCTL" --quiet stop "$ct" --fast >/dev/null 2>&1
        "$VZCTL" --quiet umount "$ct" >/dev/null 2>&1
        "$VZCTL" --quiet destroy "$ct" >/dev/null 2>&1
        for d in /sys/fs/cgroup/*/vz/"$ct" /sys/fs/cgroup/vz/"$ct"; do
            [ -d "$d" ] && rmdir "$d" 2>/dev/null
        done
    done
    grep -q " $IT_ROOT" /proc/mounts && awk -v r="$IT_ROOT" '$2 ~ "^"r {print $2}' /proc/mounts |
        sort -r | xargs -r -n1 umount -l
    rm -rf "$IT_ROOT"
    echo "$IT_PASSES passed, $IT_FAILS failed"
    [ "$IT_FAILS" = 0 ] || exit 1
}

pass() { IT_PASSES=$((IT_PASSES + 1)); echo "ok: $*"; }
fail() { IT_FAILS=$((IT_FAILS + 1)); echo "FAIL: $*"; }

# expect_rc CODE DESCRIPTION -- command...: runs the command, captures output in $OUT.
expect_rc() {
    want=$1; what=$2; shift 3
    OUT=$("$@" 2>&1); rc=$?
    if [ "$rc" = "$want" ]; then pass "$what (exit $rc)"; else fail "$what: exit $rc, want $want; output: $OUT"; fi
}

assert_eq() { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3: got '$1', want '$2'"; fi; }
assert_contains() {
    case "$1" in *"$2"*) pass "$3" ;; *) fail "$3: '$2' not in: $1" ;; esac
}
assert_not_contains() {
    case "$1" in *"$2"*) fail "$3: '$2' found in: $1" ;; *) pass "$3" ;; esac
}
# assert_true DESCRIPTION -- command...: passes if the command (a program or a
# function, its words as given, never re-parsed) exits 0; assert_false if it
# does not. Only the exit status counts, so its output is discarded; to check
# output, capture it and use assert_contains.
assert_true() {
    local what=$1
    shift 2
    if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what ($*)"; fi
}
assert_false() {
    local what=$1
    shift 2
    if "$@" >/dev/null 2>&1; then fail "$what ($*)"; else pass "$what"; fi
}

# Small commands for assert_true, assert_false and wait_until, which take
# one command and no shell syntax.
# with_input TEXT command...: the command reads TEXT (and a newline) on its
# standard input, e.g. with_input "$OUT" grep -q word.
with_input() {
    local text=$1
    shift
    printf '%s\n' "$text" | "$@"
}
# any_test FLAG PATH...: test FLAG PATH holds for one of the paths at least.
any_test() {
    local flag=$1 path
    shift
    for path; do test "$flag" "$path" && return 0; done
    return 1
}
# not command...: the command failed.
not() { ! "$@"; }
# in_range N LOW HIGH: LOW <= N <= HIGH, integers.
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# ct_status_matches CTID GREP-ARGS...: vzctl status of the CT matches.
ct_status_matches() {
    local ct=$1
    shift
    "$VZCTL" status "$ct" 2>/dev/null | grep "$@"
}

# indent PREFIX: standard input with PREFIX before each line, as the tests
# show a helper's output.
# it_lan_ns NS LAN: a network namespace NS for vzctl to run in (through
# nsenter --net=/run/netns/NS), whose LAN is one end (LAN0) of a veth pair
# (the host kernel may have no dummy driver) with 198.51.100.1/24, which
# NEIGHBOUR_DEVS=detect picks for the containers' proxy ARP entries.
it_lan_ns() {
    local ns=$1 lan=$2
    ip netns del "$ns" 2>/dev/null
    ip netns add "$ns" || { fail "unable to create namespace $ns"; exit 1; }
    ip -n "$ns" link set lo up
    ip -n "$ns" link add "${lan}0" type veth peer name "${lan}1"
    ip -n "$ns" link set "${lan}1" up
    ip -n "$ns" addr add 198.51.100.1/24 dev "${lan}0"
    ip -n "$ns" link set "${lan}0" up
    sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS=detect/' "$VZ_CONFDIR/vz.conf"
}

indent() { awk -v p="$1" '{ print p $0 }'; }

# wait_until SECONDS command...: runs the command (as assert_true does) every
# 0.1 s until it exits 0, at most SECONDS * 10 times; returns 1 if it never
# did. Its output is discarded: a poll is judged by its exit status.
wait_until() {
    local tries=$(($1 * 10)) n=1
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$n" -lt "$tries" ] || return 1
        n=$((n + 1))
        sleep 0.1
    done
}

# The cgroup directory of a CT for one controller, on v1 or v2.
ct_cgroup() {
    if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then echo "/sys/fs/cgroup/vz/$1"
    else echo "/sys/fs/cgroup/$2/vz/$1"; fi
}
cgroup_v2() { [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; }

# Waits until a CT's busybox init has run its boot script (rcS and what it
# left in the background are gone) and started syslogd.
wait_running() {
    wait_until 10 "$VZCTL" --quiet exec2 "$1" 'pidof syslogd && ! pidof rcS'
}

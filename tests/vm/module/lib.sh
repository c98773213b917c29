# shellcheck shell=bash disable=SC2034  # variables are read by the scenarios
# Shared by the module scenarios (tests/vm/t_module*.sh), inside the VM:
# the integration harness plus loading vzkit.ko, reading beancounters by
# OpenVZ's parsing rules, and containers that carry the static test helper.
# shellcheck source=../../integration/lib.sh
. "$VZKIT_SRC/tests/integration/lib.sh"

# The kernel cannot autoload modules for the VM's chrooted root (its
# modprobe helper runs in the initramfs): load what containers need.
modprobe veth 2>/dev/null

KO="$VZKIT_BUILD/kmod/vzkit.ko"
UBCTEST="$VZKIT_BUILD/tests/vzkit-ubctest"
VZUBC="$VZKIT_BUILD/bin/vzubc"

# criu_ready: what the CRIU scenarios need before it_setup. Not autoloaded
# from the shared root: criu's network lock needs nf_tables, its kernel
# feature probes open /dev/net/tun and make a veth pair, and they connect a
# TCP socket over the loopback, which the VM leaves down.
criu_ready() {
    command -v criu >/dev/null || { echo "FAIL: criu is not installed (scripts/install-deps.sh)"; exit 1; }
    modprobe -a veth nf_tables tun || { echo "FAIL: modprobe veth nf_tables tun"; exit 1; }
    ip link set lo up || { echo "FAIL: ip link set lo up"; exit 1; }
}

mod_load() {
    [ -f "$KO" ] || { echo "FAIL: $KO is not built (make build with linux-headers-amd64)"; exit 1; }
    [ -x "$UBCTEST" ] || { echo "FAIL: $UBCTEST is not built"; exit 1; }
    insmod "$KO" || { echo "FAIL: insmod $KO"; exit 1; }
}

# churn_start: two host tasks making and freeing every kind of object the
# module hooks (module/churn.py) until churn_stop, so that loading and
# unloading happen while other tasks are inside the hooked functions.
CHURN_PIDS=()
churn_start() {
    ip link set lo up || { fail "ip link set lo up"; return 1; }
    local _
    for _ in 1 2; do
        python3 "$VZKIT_SRC/tests/vm/module/churn.py" &
        CHURN_PIDS+=($!)
    done
}
churn_stop() {
    kill "${CHURN_PIDS[@]}" 2>/dev/null
    wait "${CHURN_PIDS[@]}" 2>/dev/null
    CHURN_PIDS=()
}

# ubc FIELD RESOURCE ID [FILE]: one figure (held maxheld barrier limit
# failcnt) of a beancounter, parsed as vzctl does: a "<id>:" token opens a
# beancounter, every row is a name and five numbers.
ubc() {
    awk -v f="$1" -v res="$2" -v id="$3" '
        BEGIN { col["held"] = 2; col["maxheld"] = 3; col["barrier"] = 4; col["limit"] = 5; col["failcnt"] = 6 }
        $1 ~ /^[0-9]+:$/ { cur = substr($1, 1, length($1) - 1); sub(/^[ \t]*[0-9]+:/, ""); $0 = $0 }
        NF == 6 && cur == id && $1 == res { print $(col[f]); exit }' "${4:-/proc/user_beancounters}"
}

# The ids of the beancounters a /proc file lists, one per line.
ubc_ids() {
    awk '$1 ~ /^[0-9]+:$/ { print substr($1, 1, length($1) - 1) }' "${1:-/proc/user_beancounters}"
}

# mod_ct CTID: a busybox container with the helper at /ubctest.
mod_ct() {
    it_ct "$1"
    "$VZCTL" --quiet create "$1" --ostemplate busybox-minimal >/dev/null 2>&1 ||
        { fail "create $1"; return 1; }
    cp "$UBCTEST" "$IT_ROOT/vz/private/$1/ubctest"
}

mod_start() {
    "$VZCTL" --quiet start "$1" >/dev/null 2>&1 && wait_running "$1"
}

# hold CTID KIND N [ARGS...]: the helper takes up to N objects in the CT and
# keeps them 6 s; waits until it reported ("taken K errno E ..." in $HOLD_OUT).
hold() {
    ct=$1; shift
    HOLD_OUT=$(mktemp)
    "$VZCTL" exec2 "$ct" /ubctest "$@" -- 6 > "$HOLD_OUT" 2>&1 &
    HOLD_PID=$!
    wait_until 20 grep -q '^taken' "$HOLD_OUT"
    HOLD_TAKEN=$(awk '/^taken/ { print $2 }' "$HOLD_OUT")
    HOLD_ERRNO=$(awk '/^taken/ { print $4 }' "$HOLD_OUT")
}

hold_end() {
    wait "$HOLD_PID"
    rm -f "$HOLD_OUT"
}

is_number() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

# Waits until a figure settles back to a value (frees may be deferred).
figure_is() { [ "$(ubc "$1" "$2" "$3")" = "$4" ]; }
wait_figure() {
    wait_until 5 figure_is "$@"
    ubc "$1" "$2" "$3"
}

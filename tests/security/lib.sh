# shellcheck shell=bash disable=SC2034
# Shared by tests/security/t_*.sh: the integration harness plus hostile
# containers. Every test runs as container root and asserts the secure
# outcome (an errno or an observed property); on the old runtime many fail.
# shellcheck source=../integration/lib.sh
. "$VZKIT_SRC/tests/integration/lib.sh"

SECBIN="$VZKIT_BUILD/tests/security"
SEC_RUNS=${VZKIT_SEC_RUNS:-200}
# Every vzctl the host runs carries this; no container process may see it.
VZKIT_HOST_SECRET=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
export VZKIT_HOST_SECRET

sec_setup() {
    it_setup
    for p in tracer ttyprobe nsprobe secprobe ptyrun sechost; do
        [ -x "$SECBIN/$p" ] || { fail "$SECBIN/$p is not built (make build)"; exit 1; }
    done
}

# sec_ct CTID: a busybox container with the probes in /sec.
sec_ct() {
    it_ct "$1"
    "$VZCTL" --quiet create "$1" --ostemplate busybox-minimal >/dev/null 2>&1 ||
        { fail "create $1"; return 1; }
    mkdir -p "$IT_ROOT/vz/private/$1/sec"
    cp "$SECBIN"/tracer "$SECBIN"/ttyprobe "$SECBIN"/nsprobe "$SECBIN"/secprobe \
        "$IT_ROOT/vz/private/$1/sec/"
}

sec_start() {
    "$VZCTL" --quiet start "$1" >/dev/null 2>&1 && wait_running "$1"
}

# The host pids of a CT's processes (in its cgroup), in one pass over /proc:
# forks are dear under TCG.
ct_pids() {
    local f pid
    # Words, not lines, are fine (/proc/<pid>/cgroup has no spaces), and a
    # process substitution needs /dev/fd, which the VM's /dev lacks.
    # shellcheck disable=SC2013
    for f in $(grep -ls "/vz/$1\(/\|\$\)" /proc/[0-9]*/cgroup 2>/dev/null); do
        pid=${f#/proc/}; echo "${pid%/cgroup}"
    done
}

# ct_init_pid CTID: the host pid of the CT's init (pid 1 of a child pid
# namespace, in the CT's cgroup).
ct_init_pid() {
    local pid line
    for pid in $(ct_pids "$1"); do
        while read -r line; do
            # shellcheck disable=SC2086 # split: the NSpid fields
            case $line in NSpid:*) set -- $line; [ $# -ge 3 ] && [ "${!#}" = 1 ] && { echo "$pid"; return 0; } ;; esac
        done < /proc/"$pid"/status 2>/dev/null
    done
    return 1
}

# ct_host_pids CTID COMM: host pids of the CT's processes named COMM.
ct_host_pids() {
    local pid c
    for pid in $(ct_pids "$1"); do
        read -r c < /proc/"$pid"/comm 2>/dev/null && [ "$c" = "$2" ] && echo "$pid"
    done
}

# line_of OUTPUT KEY: the value of "KEY=value" in a probe's output.
line_of() { printf '%s\n' "$1" | sed -n "s|^$2=||p" | head -n 1; }

# expect_val OUTPUT KEY WANT... : passes if KEY's value is one of WANT.
expect_val() {
    local out=$1 key=$2 got w; shift 2
    got=$(line_of "$out" "$key")
    for w in "$@"; do
        if [ "$got" = "$w" ]; then pass "$key = $got"; return 0; fi
    done
    fail "$key = '${got:-<missing>}', want $*"
}

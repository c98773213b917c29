#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh), acceptance 4 of the vzkit module: the
# /dev/vzctl ABI answers bad requests with EINVAL/EFAULT/ENOTTY, refuses a
# caller inside a container with EPERM, survives a fuzz loop with a clean
# kernel log, refuses to unload while a container is registered, and leaks
# nothing over 50 load/unload cycles.
# shellcheck source=module/lib.sh
. "$VZKIT_SRC/tests/vm/module/lib.sh"
it_setup
CT=4011
mod_ct $CT
mod_load
mod_start $CT || fail "start $CT"
INIT=$(head -n 1 "$(ct_cgroup $CT pids)/cgroup.procs")

# The ABI's answers (errno numbers: EPERM 1, ESRCH 3, EFAULT 14, EINVAL 22,
# ENOENT 2, ENOTTY 25).
OUT=$("$UBCTEST" abi $CT)
answer() { echo "$OUT" | awk -v n="$1" '$1 == n { print $3 }'; }
for pair in GET_VERSION:0 UNKNOWN:25 OTHER_TYPE:25 GETBC_NULL:14 GETBC_BADPTR:14 GETBC_BADPARMS:14 \
    GETBC:0 SETUBLIMIT_BADRES:22 SETUBLIMIT_BAR_GT_LIM:22 SETUBLIMIT_TOOBIG:22 SETUBLIMIT_NOCT:2 \
    REGISTER_HOSTNS:22 REGISTER_NOPID:3 REGISTER_FLAGS:22 ENV_TEST:0 VE_TEST:0 ENV_TEST_NOCT:3 \
    VE_TEST_NOCT:3 UNREGISTER_NOCT:3 ENV_RESERVED:22 VIEW_BADMODE:22 VIEW_ZEROPAGES:22 \
    VIEW_RESERVED:22 VIEW_NOCT:2 CPUSTAT:0 CPUSTAT_NOCT:3; do
    assert_eq "$(answer "${pair%%:*}")" "${pair##*:}" "${pair%%:*} → errno ${pair##*:}"
done
assert_contains "$OUT" "version 2" "ABI version 2"
assert_contains "$OUT" "count 25 numproc $(ubc held numproc $CT) numfile_barrier $(ubc barrier numfile $CT)" \
    "GETBC reads what /proc/user_beancounters shows"

# A caller in the container's pid namespace, with every host capability.
OUT=$("$UBCTEST" ioctl-in "$INIT" 2>&1)
echo "$OUT" | indent '    in the CT: '
assert_eq "$(echo "$OUT" | awk '{ print $3 }' | sort -u)" "1" "every ioctl from inside the CT: EPERM"
assert_eq "$(echo "$OUT" | wc -l)" "9" "all nine ioctls were tried"

# Unloading with a container registered is refused; the module keeps working.
expect_rc 1 "rmmod while a CT is registered" -- rmmod vzkit
assert_true "the module is still loaded" -- grep -q '^vzkit ' /proc/modules
assert_eq "$(ubc_ids /proc/user_beancounters | tr '\n' ' ')" "0 $CT " "and still shows the CT"
expect_rc 0 "stop" -- "$VZCTL" stop $CT --fast

# Fuzz: random numbers, sizes and pointers; then the device still answers.
OUT=$("$UBCTEST" fuzz 20000 4242 2>&1); rc=$?
assert_eq "$rc" "0" "20000 random ioctls: the caller survived"
echo "$OUT" | indent '    fuzz: '
assert_false "fuzz: no EPERM or ENOMEM answers to host root" -- with_input "$OUT" grep -qE 'errno (1|12) '
OUT=$("$UBCTEST" abi 999999)
assert_eq "$(answer GET_VERSION)" "0" "the device answers after the fuzz"
kernel_log_has() { dmesg | grep -qE "$1"; }
assert_false "kernel log clean after the fuzz" -- kernel_log_has 'BUG:|Oops|WARNING:|Call Trace'

# 50 load/unload cycles, some with a container charging objects meanwhile.
slab_objs() { awk 'NR > 2 { n += $2 } END { print n }' /proc/slabinfo; }
expect_rc 0 "unload" -- rmmod vzkit
insmod "$KO" && rmmod vzkit
before=$(slab_objs)
cycles=0
for cycle in $(seq 50); do
    insmod "$KO" || break
    if [ $((cycle % 10)) = 0 ]; then
        mod_start $CT && "$VZCTL" exec2 $CT '/ubctest tcp 3 -- 0; /ubctest files 20 -- 0' >/dev/null
        "$VZCTL" --quiet stop $CT --fast >/dev/null 2>&1
    fi
    rmmod vzkit || break
    cycles=$cycle
done
assert_eq "$cycles" "50" "50 load/unload cycles (5 with a container running)"
sync; echo 3 > /proc/sys/vm/drop_caches; sleep 1
after=$(slab_objs)
echo "    slab objects: $before before, $after after"
assert_true "no slab growth across the cycles ($before → $after objects)" -- test "$after" -lt $((before + 1500))
assert_false "no vzkit cache left after unloading" -- grep -q vzkit /proc/slabinfo
assert_false "kernel log clean after the cycles" -- kernel_log_has 'BUG:|Oops|WARNING:|Call Trace|Objects remaining'

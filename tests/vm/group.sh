#!/usr/bin/env bash
# tests/vm/group.sh SCENARIO...: inside one VM boot (tests/vm/run.sh), runs
# several scenarios (tests/vm/t_*.sh, by name without .sh) one after the
# other, so `make check` pays for a few boots instead of one per scenario.
# Each scenario runs in a shell of its own; between two of them the vzkit
# module is unloaded if a scenario left it loaded (the next one loads it
# itself), and a module that cannot be unloaded — a container still
# registered — fails the scenario that left it. Prints one summary line per
# scenario and exits 1 if any failed. VZKIT_VM_ONLY=NAME[,NAME] runs only
# those of the list (`VZKIT_VM_ONLY=t_quota ctest -R vm.storage`).
set -u
: "${VZKIT_SRC:?VZKIT_SRC is not set}"
HERE=$VZKIT_SRC/tests/vm
summary=() rc=0
for name in "$@"; do
    if [ -n "${VZKIT_VM_ONLY:-}" ] && [[ ",$VZKIT_VM_ONLY," != *",$name,"* ]]; then
        continue
    fi
    [ -f "$HERE/$name.sh" ] || { echo "group.sh: no scenario $HERE/$name.sh" >&2; exit 2; }
    echo "=== $name"
    start=$(date +%s)
    bash "$HERE/$name.sh"
    status=$?
    if grep -q '^vzkit ' /proc/modules && ! rmmod vzkit; then
        echo "group.sh: $name left the vzkit module in use (a container still registered?)"
        [ "$status" = 0 ] && status=1
    fi
    result=pass
    [ "$status" = 0 ] || { result="FAIL (exit $status)"; rc=1; }
    summary+=("$name: $result, $(($(date +%s) - start)) s")
    echo "=== $name: $result"
done
[ ${#summary[@]} -gt 0 ] || { echo "group.sh: VZKIT_VM_ONLY=$VZKIT_VM_ONLY names none of: $*" >&2; exit 2; }
echo "=== scenarios in this boot:"
printf '  %s\n' "${summary[@]}"
exit $rc

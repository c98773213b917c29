#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh): the escape suite (tests/security/t_*.sh) on
# cgroup v2 with the vzkit module loaded (so /dev/vzctl is tested too), with
# fewer iterations under TCG.
set -u
: "${VZKIT_SRC:?VZKIT_SRC is not set}"
fstype=$(stat -fc %T /sys/fs/cgroup)
if [ "$fstype" != cgroup2fs ]; then
  echo "t_security: /sys/fs/cgroup is $fstype, not cgroup2fs" >&2
  exit 1
fi
# shellcheck source=module/lib.sh
. "$VZKIT_SRC/tests/vm/module/lib.sh"
mod_load
[ -e /dev/vzctl ] || echo "t_security: the module is loaded but there is no /dev/vzctl" >&2
export VZKIT_SEC_RUNS=${VZKIT_SEC_RUNS_VM:-5}
rc=0
for t in "$VZKIT_SRC"/tests/security/t_*.sh; do
  echo "== $(basename "$t" .sh) (cgroup v2, module loaded, $VZKIT_SEC_RUNS runs)"
  start=$(date +%s)
  bash "$t" || rc=1
  echo "== $(basename "$t" .sh) took $(( $(date +%s) - start )) s"
done
exit $rc

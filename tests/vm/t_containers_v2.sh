#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh): real containers on cgroup v2 — the same
# lifecycle, limits and vzlist scenarios the host runs on cgroup v1.
set -u
fstype=$(stat -fc %T /sys/fs/cgroup)
if [ "$fstype" != cgroup2fs ]; then
  echo "t_containers_v2: /sys/fs/cgroup is $fstype, not cgroup2fs" >&2
  exit 1
fi
: "${VZKIT_SRC:?VZKIT_SRC is not set}"
# Modules are not autoloaded from the shared root: venet and veth need these.
modprobe -a veth bridge || echo "t_containers_v2: modprobe veth bridge failed" >&2
rc=0
for t in t_lifecycle t_limits t_forkbomb t_halt_inside t_vzlist t_proctools t_net_cleanup t_net_bridge; do
  echo "== $t (cgroup v2)"
  bash "$VZKIT_SRC/tests/integration/$t.sh" || rc=1
done
exit $rc

#!/usr/bin/env bash
# Inside the VM (tests/vm/run.sh): the cgroup unit test against cgroup v2.
set -u
fstype=$(stat -fc %T /sys/fs/cgroup)
if [ "$fstype" != cgroup2fs ]; then
  echo "t_cgroup_v2: /sys/fs/cgroup is $fstype, not cgroup2fs" >&2
  exit 1
fi
: "${VZKIT_BUILD:?VZKIT_BUILD is not set}"
exec "$VZKIT_BUILD/tests/test_cgroup" --log_level=test_suite --color_output=no

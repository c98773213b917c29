// The mounts at and below one path, through listmount(2) and statmount(2)
// (Linux 6.8; 6.11 for mount options), where /proc/self/mountinfo gives every mount of
// the namespace: a line per running container on a vzkit host, so what start,
// stop and exec look up this way costs the same with 1 or 1000 running.
#pragma once

#include "vzkit/base/util.h"

#include <filesystem>
#include <optional>
#include <vector>

namespace vz {

// The mount on path (its topmost one) and every mount below it, each with
// major_minor, mount_point, fs_type and super_options (as statmount gives
// them: without "rw"/"ro"; empty when the file system shows none, and always
// before Linux 6.11); root and source are left empty. nullopt when the kernel
// cannot answer this way (before 6.8) or the answer would not fit: the caller
// then reads mountinfo.
std::optional<std::vector<MountInfo>> mounts_at_and_below(const std::filesystem::path &path);
// The same for the mounts on path's own entries only (one level: the cgroup
// hierarchies on /sys/fs/cgroup/*), found by statx of each entry, without
// listmount(2): since Linux 6.11 that walks every mount of the namespace
// (1.25 ms with 5000 containers' roots mounted), this stays flat.
std::optional<std::vector<MountInfo>>
mounts_at_and_directly_below(const std::filesystem::path &path);

} // namespace vz

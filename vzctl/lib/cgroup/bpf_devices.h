// cgroup v2 has no devices controller: the whitelist is a BPF_PROG_TYPE_CGROUP_DEVICE
// program attached to the group.
#pragma once

#include "vzkit/cgroup/cgroup.h"

#include <filesystem>
#include <vector>

namespace vz::cg {

// Replaces the device program of the v2 group at dir with one that allows
// exactly rules and denies everything else. Nothing stays open: the kernel
// keeps an attached program alive with the cgroup. Throws Error(VZ_SET_DEVICES).
void bpf_set_device_rules(const std::filesystem::path &dir, const std::vector<DeviceRule> &rules);

} // namespace vz::cg

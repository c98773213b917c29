// What a container sees of its machine (/proc/meminfo, cpuinfo, stat,
// uptime, loadavg, sysinfo(2), the CPU count). The vzkit module answers each
// reader from its own container (kmod/views.c); without it, start binds
// lxcfs's files over the container's when lxcfs runs, or says once that the
// container sees the host's.
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/ubc/cgroup_limits.h"

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

// Where lxcfs mounts itself (LXC's hook binds from there too).
inline const std::filesystem::path kLxcfsDir = "/var/lib/lxcfs";

// lxcfs serves the online CPUs but not `present`, which lscpu counts as its
// "CPU(s)": the container's online list goes over both.
struct LxcfsAlias {
    std::string_view file;   // lxcfs's, relative to its mount
    std::string_view target; // also bound over this, in the container
};
inline constexpr std::array<LxcfsAlias, 1> kLxcfsAliases = {{
    {"sys/devices/system/cpu/online", "sys/devices/system/cpu/present"},
}};

// lxcfs's files under dir, relative ("proc/meminfo", "sys/devices/system/cpu/online"),
// that exist; empty when no lxcfs (FUSE file system "fuse.lxcfs") is mounted on dir.
// mountinfo is read from the given file (the host's by default).
std::vector<std::string> lxcfs_files(const std::filesystem::path &dir = kLxcfsDir,
                                     const std::filesystem::path &mountinfo = "/proc/self/mountinfo");

// start's choice when the module is not loaded: lxcfs's files to bind over
// the container's /proc and /sys entries (said in one info line), or none
// (said in one warning line: the container sees the host's files).
std::vector<std::string> fallback_views(bool module_loaded);

// The config's cgroup limits as start, set and restore apply them. When the
// backend cannot show the container its CPUS through nproc and
// sched_getaffinity(2) (no module), they pin it to N CPUs, N = min(CPUS,
// ⌈CPULIMIT / 100⌉), the module's rule (docs/containers.md, "Configuration → cgroups").
CgroupLimits ct_cgroup_limits(const CtConfig &config);

} // namespace vz

// What a container sees of its machine (/proc/meminfo, cpuinfo, stat,
// uptime, loadavg, sysinfo(2), the CPU count). The vzkit module answers each
// reader from its own container (kmod/views.c); without it, start binds
// lxcfs's files over the container's when lxcfs runs, or says once that the
// container sees the host's.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vz {

// Where lxcfs mounts itself (LXC's hook binds from there too).
inline const std::filesystem::path kLxcfsDir = "/var/lib/lxcfs";

// lxcfs's files under dir, relative ("proc/meminfo", "sys/devices/system/cpu/online"),
// that exist; empty when no lxcfs (FUSE file system "fuse.lxcfs") is mounted on dir.
// mountinfo is read from the given file (the host's by default).
std::vector<std::string> lxcfs_files(const std::filesystem::path &dir = kLxcfsDir,
                                     const std::filesystem::path &mountinfo = "/proc/self/mountinfo");

// start's choice when the module is not loaded: lxcfs's files to bind over
// the container's /proc and /sys entries (said in one info line), or none
// (said in one warning line: the container sees the host's files).
std::vector<std::string> fallback_views(bool module_loaded);

} // namespace vz

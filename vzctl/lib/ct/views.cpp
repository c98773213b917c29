// Without the vzkit module: lxcfs's files, or a warning that the container
// sees the host's.
#include "vzkit/ct/views.h"

#include "vzkit/backend/backend.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/ct/state.h"

#include <array>
#include <string_view>

namespace vz {
namespace {

// The files lxcfs serves that a container reads for its machine's figures.
constexpr std::array<std::string_view, 9> kLxcfsFiles = {
    "proc/cpuinfo", "proc/diskstats", "proc/loadavg", "proc/meminfo", "proc/slabinfo",
    "proc/stat",    "proc/swaps",     "proc/uptime",  "sys/devices/system/cpu/online",
};

bool lxcfs_mounted(const std::filesystem::path &dir, const std::filesystem::path &mountinfo) {
    // One statx first: mountinfo has a line per running container, and every
    // start without the module asks.
    if (!is_mount_point(dir))
        return false;
    const auto text = read_file(mountinfo);
    if (!text)
        return false;
    for (const auto &mount : parse_mountinfo(*text))
        if (mount.mount_point == dir.string() && mount.fs_type == "fuse.lxcfs")
            return true;
    return false;
}

} // namespace

std::vector<std::string> lxcfs_files(const std::filesystem::path &dir,
                                     const std::filesystem::path &mountinfo) {
    std::vector<std::string> out;
    if (!lxcfs_mounted(dir, mountinfo))
        return out;
    std::error_code ec;
    for (std::string_view file : kLxcfsFiles)
        if (std::filesystem::is_regular_file(dir / file, ec))
            out.emplace_back(file);
    return out;
}

std::vector<std::string> fallback_views(bool module_loaded) {
    if (module_loaded)
        return {};
    auto files = lxcfs_files();
    if (files.empty())
        log_warning("The container sees the host's memory, CPUs, uptime and load in /proc and "
                    "sysinfo(2): neither the vzkit module nor lxcfs is loaded");
    else
        log_info("The container's /proc files of memory, CPUs, uptime and load come from lxcfs "
                 "(the vzkit module is not loaded)");
    return files;
}

CgroupLimits ct_cgroup_limits(const CtConfig &config) {
    constexpr unsigned kPercentPerCpu = 100;
    CgroupLimits limits = cgroup_limits_from_config(config);
    if (limits.cpulimit_percent && !backend().answers_cpu_count)
        limits.pin_cpus = (*limits.cpulimit_percent + kPercentPerCpu - 1) / kPercentPerCpu;
    return limits;
}

} // namespace vz

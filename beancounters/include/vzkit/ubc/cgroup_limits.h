// How a container's config maps onto cgroup limits, for cgroup v1 and v2 alike:
// PHYSPAGES/SWAPPAGES → memory, NUMPROC → pids, CPUUNITS → shares/weight,
// CPULIMIT/CPUS → CFS quota, CPUMASK → cpuset.
#pragma once

#include "vzkit/base/ct_config.h"

#include <cstdint>
#include <optional>
#include <string>

namespace vz {

// The CPUUNITS range OpenVZ accepts, on the command line and in a config.
inline constexpr unsigned kCpuUnitsMin = 8;
inline constexpr unsigned kCpuUnitsMax = 500000;
constexpr bool valid_cpuunits(std::uint64_t units) {
    return units >= kCpuUnitsMin && units <= kCpuUnitsMax;
}

// Each field is unset when the config does not limit it ("unlimited" or absent),
// which the cgroup layer applies as "no limit" (max / -1).
struct CgroupLimits {
    std::optional<std::uint64_t> memory_bytes; // PHYSPAGES limit × page size
    std::optional<std::uint64_t> swap_bytes;   // SWAPPAGES limit × page size
    std::optional<std::uint64_t> pids;         // NUMPROC limit
    std::optional<unsigned> cpuunits;          // CPUUNITS (OpenVZ units, 1000 default)
    std::optional<unsigned> cpulimit_percent;  // min(CPULIMIT, CPUS × 100); 100 = one CPU
    std::optional<std::string> cpuset_cpus;    // CPUMASK as a cpu list ("0-2,7")
};

// Throws Error(VZ_INVALID_PARAMETER_VALUE) naming the key whose value does not parse.
CgroupLimits cgroup_limits_from_config(const CtConfig &config);

} // namespace vz

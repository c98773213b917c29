// How a container's config maps onto cgroup limits, for cgroup v1 and v2 alike:
// PHYSPAGES/SWAPPAGES → memory, NUMPROC → pids, CPUUNITS (or CPUUWEIGHT) →
// shares/weight, CPULIMIT/CPUS → CFS quota, CPUMASK/NODEMASK → cpuset,
// IOPRIO/IOLIMIT/IOPSLIMIT → io (blkio on v1).
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
    bool cpus_of_nodes = false;                // CPUMASK=auto: the CPUs of cpuset_mems' nodes
    std::optional<std::string> cpuset_mems;    // NODEMASK as a node list ("0-1")
    // Pin to this many of the allowed CPUs (the least used by other pinned
    // containers): what a kernel without the module needs for nproc and
    // sched_getaffinity(2) to show CPUS. Not from the config alone: the
    // container layer sets it (docs/containers.md, "Configuration → cgroups").
    std::optional<unsigned> pin_cpus;
    // IOPRIO 0..7 as a proportional I/O weight: 100 × 2^(IOPRIO-4), so that
    // OpenVZ's default 4 is the kernel's default weight 100 (6, 12, 25, 50,
    // 100, 200, 400, 800).
    std::optional<unsigned> io_weight;
    std::optional<std::uint64_t> io_bps;       // IOLIMIT: bytes/s, reads and writes each
    std::optional<std::uint64_t> io_iops;      // IOPSLIMIT: operations/s, each
    std::optional<std::string> io_path;        // VE_PRIVATE: its disk is what io_bps/io_iops limit
};

// OpenVZ's IOPRIO range and default.
inline constexpr unsigned kIoprioMax = 7;
inline constexpr unsigned kIoprioDefault = 4;
unsigned io_weight_of_ioprio(unsigned ioprio);

// Throws Error(VZ_INVALID_PARAMETER_VALUE) naming the key whose value does not parse.
CgroupLimits cgroup_limits_from_config(const CtConfig &config);

} // namespace vz

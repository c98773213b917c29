#include "vzkit/ubc/cgroup_limits.h"

#include "vzkit/base/cpu_list.h"
#include "vzkit/base/error.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

namespace vz {
namespace {

[[noreturn]] void invalid(std::string_view key, std::string_view value) {
    throw Error(VZ_INVALID_PARAMETER_VALUE,
                "Invalid value for " + std::string(key) + ": " + std::string(value));
}

// The UBC limit of key, or nullopt when absent or unlimited.
std::optional<std::uint64_t> ubc_limit(const CtConfig &config, std::string_view key) {
    auto raw = config.get(key);
    if (!raw)
        return std::nullopt;
    const ubc::Resource *res = ubc::find_resource_by_key(key);
    auto value = ubc::parse_value(trim(*raw), res->unit);
    if (!value)
        invalid(key, *raw);
    if (value->limit >= ubc::kUnlimited)
        return std::nullopt;
    return value->limit;
}

// Pages → bytes; a limit too large to express in bytes is no limit at all.
std::optional<std::uint64_t> pages_to_bytes(std::optional<std::uint64_t> pages) {
    if (!pages || *pages > std::numeric_limits<std::uint64_t>::max() / ubc::kPageSize)
        return std::nullopt;
    return *pages * ubc::kPageSize;
}

// OpenVZ's fair scheduler weight is 500000 / CPUUNITS.
constexpr unsigned kFairschedScale = 500000;

std::optional<unsigned> cpuunits(const CtConfig &config) {
    auto raw = config.get("CPUUNITS");
    if (!raw) {
        // CPUUWEIGHT (vzctl set --cpuweight, OpenVZ's spelling) is the raw
        // weight, used only without CPUUNITS.
        auto weight_raw = config.get("CPUUWEIGHT");
        if (!weight_raw)
            return std::nullopt;
        auto weight = parse_number<unsigned>(trim(*weight_raw));
        if (!weight || *weight == 0)
            invalid("CPUUWEIGHT", *weight_raw);
        return std::clamp(kFairschedScale / *weight, kCpuUnitsMin, kCpuUnitsMax);
    }
    auto units = parse_number<unsigned>(trim(*raw));
    if (!units || !valid_cpuunits(*units))
        invalid("CPUUNITS", *raw);
    return units;
}

// CPULIMIT=0 and CPUS=0 both mean "no limit" in OpenVZ.
std::optional<unsigned> nonzero_uint(const CtConfig &config, std::string_view key) {
    auto raw = config.get(key);
    if (!raw)
        return std::nullopt;
    auto value = parse_number<unsigned>(trim(*raw));
    if (!value)
        invalid(key, *raw);
    return *value == 0 ? std::nullopt : value;
}

std::optional<unsigned> cpulimit_percent(const CtConfig &config) {
    auto limit = nonzero_uint(config, "CPULIMIT");
    auto cpus = nonzero_uint(config, "CPUS");
    if (cpus && *cpus > std::numeric_limits<unsigned>::max() / 100)
        invalid("CPUS", *config.get("CPUS"));
    // Plain unsigned arithmetic: GCC 12 misreads optional-of-optional flows
    // at -O2 (-Wmaybe-uninitialized).
    if (!cpus)
        return limit;
    const unsigned cpus_percent = *cpus * 100;
    return limit ? std::min(*limit, cpus_percent) : cpus_percent;
}

// A CPUMASK or NODEMASK list, normalised; "all" (and "auto", resolved by the
// cgroup layer from the nodes) means no restriction.
std::optional<std::string> cpu_list(const CtConfig &config, std::string_view key) {
    auto raw = config.get(key);
    if (!raw)
        return std::nullopt;
    const std::string_view text = trim(*raw);
    if (text.empty() || text == "all" || text == "auto")
        return std::nullopt;
    auto ranges = parse_cpu_ranges(text);
    if (!ranges)
        invalid(key, *raw);
    return format_cpu_ranges(std::move(*ranges));
}

std::optional<std::uint64_t> io_number(const CtConfig &config, std::string_view key) {
    auto raw = config.get(key);
    if (!raw || trim(*raw).empty())
        return std::nullopt;
    auto value = parse_number<std::uint64_t>(trim(*raw));
    if (!value)
        invalid(key, *raw);
    return *value == 0 ? std::nullopt : value; // 0: no limit
}

std::optional<unsigned> io_weight(const CtConfig &config) {
    auto raw = config.get("IOPRIO");
    if (!raw || trim(*raw).empty())
        return std::nullopt;
    auto prio = parse_number<unsigned>(trim(*raw));
    if (!prio || *prio > kIoprioMax)
        invalid("IOPRIO", *raw);
    return io_weight_of_ioprio(*prio);
}

} // namespace

CgroupLimits cgroup_limits_from_config(const CtConfig &config) {
    CgroupLimits limits;
    limits.memory_bytes = pages_to_bytes(ubc_limit(config, "PHYSPAGES"));
    limits.swap_bytes = pages_to_bytes(ubc_limit(config, "SWAPPAGES"));
    limits.pids = ubc_limit(config, "NUMPROC");
    limits.cpuunits = cpuunits(config);
    limits.cpulimit_percent = cpulimit_percent(config);
    limits.cpuset_cpus = cpu_list(config, "CPUMASK");
    limits.cpuset_mems = cpu_list(config, "NODEMASK");
    limits.cpus_of_nodes = trim(config.get_or("CPUMASK", "")) == "auto" && limits.cpuset_mems;
    limits.io_weight = io_weight(config);
    limits.io_bps = io_number(config, "IOLIMIT");
    limits.io_iops = io_number(config, "IOPSLIMIT");
    // Also without a limit: a limit removed live is removed from that disk.
    if (config.get("VE_PRIVATE"))
        limits.io_path = config.ve_private().string();
    return limits;
}

unsigned io_weight_of_ioprio(unsigned ioprio) {
    constexpr unsigned kWeights[kIoprioMax + 1] = {6, 12, 25, 50, 100, 200, 400, 800};
    return kWeights[std::min(ioprio, kIoprioMax)];
}

} // namespace vz

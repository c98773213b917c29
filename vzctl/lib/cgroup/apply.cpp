// Cgroup::apply(): CgroupLimits → control files. An unset field removes the
// limit, so applying the same limits twice, or an older set, always converges.
//
// clang-format off
// | CgroupLimits     | v1 file: value (unset)              | v2 file: value (unset)          |
// |------------------|-------------------------------------|---------------------------------|
// | memory_bytes     | memory.limit_in_bytes: bytes (-1)   | memory.max: bytes (max)         |
// | swap_bytes       | memory.memsw.limit_in_bytes:        | memory.swap.max: swap alone     |
// |                  |   memory + swap (-1)                |   (max)                         |
// | pids             | pids.max: N (max)                   | pids.max: N (max)               |
// | cpuunits         | cpu.shares: u*1024/1000 clamped to  | cpu.weight: u/10 clamped to     |
// |                  |   2..262144 (1024)                  |   1..10000 (100)                |
// | cpulimit_percent | cpu.cfs_period_us: 100000, and      | cpu.max: "1000*p 100000"        |
// |                  |   cpu.cfs_quota_us: 1000*p (-1)     |   ("max 100000")                |
// | cpuset_cpus      | cpuset.cpus: list (parent vz's)     | cpuset.cpus: list (parent's eff.) |
// clang-format on
//
// memsw is only written when the kernel accounts swap; with swap accounting
// off the swap limit is skipped without an error, as OpenVZ did without
// SWAPPAGES support. On v1, memsw counts memory + swap and must stay ≥ the
// memory limit at every step, hence the write order in v1_memory().
// A set limit whose controller is missing is an error; an unset one is not.
#include "cgroup/internal.h"

#include "vzkit/base/error.h"

#include <unistd.h>

#include <algorithm>
#include <limits>

namespace vz {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kCfsPeriodUs = 100000;
constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

struct Setting {
    std::string_view controller;
    std::string_view file;
    std::string value;
    bool required; // the limit is set, so a missing file means it cannot be enforced
};

std::string number_or(const std::optional<std::uint64_t> &value, std::string_view unset) {
    return value ? std::to_string(*value) : std::string(unset);
}

// CPULIMIT 0 means "no limit" in OpenVZ, and the kernel refuses a zero quota.
std::optional<std::uint64_t> cfs_quota_us(const CgroupLimits &limits) {
    if (!limits.cpulimit_percent || *limits.cpulimit_percent == 0)
        return std::nullopt;
    return kCfsPeriodUs * *limits.cpulimit_percent / 100;
}

std::uint64_t v1_shares(const CgroupLimits &limits) {
    if (!limits.cpuunits)
        return 1024;
    return std::clamp<std::uint64_t>(std::uint64_t{*limits.cpuunits} * 1024 / 1000, 2, 262144);
}

std::uint64_t v2_weight(const CgroupLimits &limits) {
    if (!limits.cpuunits)
        return 100;
    return std::clamp<std::uint64_t>(*limits.cpuunits / 10, 1, 10000);
}

std::optional<std::uint64_t> memsw_bytes(const CgroupLimits &limits) {
    if (!limits.memory_bytes || !limits.swap_bytes)
        return std::nullopt;
    const std::uint64_t sum = *limits.memory_bytes + *limits.swap_bytes;
    return sum < *limits.memory_bytes ? std::nullopt : std::optional(sum);
}

// The kernel refuses memory > memsw at any moment: when the new memory limit
// fits under the current memsw, write memory first (then memsw can shrink to
// it); otherwise raise memsw first.
std::vector<Setting> v1_memory(const CgroupLimits &limits, Ctid ctid) {
    Setting memory{"memory", "memory.limit_in_bytes", number_or(limits.memory_bytes, "-1"),
                   limits.memory_bytes.has_value()};
    Setting memsw{"memory", "memory.memsw.limit_in_bytes", number_or(memsw_bytes(limits), "-1"),
                  false};
    auto dir = cg::find_controller_dir(CgroupMode::V1, ctid, "memory");
    const auto current_memsw = dir ? cg::read_u64(*dir / memsw.file) : std::nullopt;
    if (limits.memory_bytes.value_or(kUnlimited) <= current_memsw.value_or(kUnlimited))
        return {memory, memsw};
    return {memsw, memory};
}

// No CPUMASK means every CPU the parent has. An empty write would do on v2
// in theory, but the kernel refuses it (ENOSPC) for a group with tasks.
std::string cpuset_or_parent(CgroupMode mode, const CgroupLimits &limits, Ctid ctid) {
    if (limits.cpuset_cpus)
        return *limits.cpuset_cpus;
    auto dir = cg::find_controller_dir(mode, ctid, "cpuset");
    const char *file = mode == CgroupMode::V1 ? "cpuset.cpus" : "cpuset.cpus.effective";
    return dir ? cg::read_value(dir->parent_path() / file).value_or("") : "";
}

std::vector<Setting> v1_settings(const CgroupLimits &limits, Ctid ctid) {
    const bool cpulimit = cfs_quota_us(limits).has_value();
    auto out = v1_memory(limits, ctid);
    out.insert(
        out.end(),
        {
            {"pids", "pids.max", number_or(limits.pids, "max"), limits.pids.has_value()},
            {"cpu", "cpu.shares", std::to_string(v1_shares(limits)), limits.cpuunits.has_value()},
            {"cpu", "cpu.cfs_period_us", std::to_string(kCfsPeriodUs), cpulimit},
            {"cpu", "cpu.cfs_quota_us", number_or(cfs_quota_us(limits), "-1"), cpulimit},
            {"cpuset", "cpuset.cpus", cpuset_or_parent(CgroupMode::V1, limits, ctid),
             limits.cpuset_cpus.has_value()},
        });
    return out;
}

std::vector<Setting> v2_settings(const CgroupLimits &limits, Ctid ctid) {
    const std::string period = " " + std::to_string(kCfsPeriodUs);
    return {
        {"memory", "memory.max", number_or(limits.memory_bytes, "max"),
         limits.memory_bytes.has_value()},
        {"memory", "memory.swap.max", number_or(limits.swap_bytes, "max"), false},
        {"pids", "pids.max", number_or(limits.pids, "max"), limits.pids.has_value()},
        {"cpu", "cpu.weight", std::to_string(v2_weight(limits)), limits.cpuunits.has_value()},
        {"cpu", "cpu.max", number_or(cfs_quota_us(limits), "max") + period,
         cfs_quota_us(limits).has_value()},
        {"cpuset", "cpuset.cpus", cpuset_or_parent(CgroupMode::V2, limits, ctid),
         limits.cpuset_cpus.has_value()},
    };
}

void write_setting(CgroupMode mode, Ctid ctid, const Setting &setting) {
    auto dir = cg::find_controller_dir(mode, ctid, setting.controller);
    const bool present = dir && ::access((*dir / setting.file).c_str(), F_OK) == 0;
    // A v1 cpuset of a payload group must stay within its parent's: shrinking
    // needs the child first, growing the parent first; v2 children inherit.
    const bool payload_cpuset = present && mode == CgroupMode::V1 &&
                                setting.file == std::string_view("cpuset.cpus") &&
                                cg::is_dir(*dir / cg::kPayloadName);
    if (payload_cpuset)
        cg::try_write_value(*dir / cg::kPayloadName / setting.file, setting.value);
    if (present)
        cg::write_value(*dir / setting.file, setting.value, VZ_RESOURCE_ERROR);
    if (payload_cpuset)
        cg::write_value(*dir / cg::kPayloadName / setting.file, setting.value, VZ_RESOURCE_ERROR);
    if (!present && setting.required)
        throw Error(VZ_RESOURCE_ERROR, "Unable to set " + std::string(setting.file) + " to " +
                                           setting.value + ": the " +
                                           std::string(setting.controller) +
                                           " cgroup controller is not available");
}

} // namespace

void Cgroup::apply(const CgroupLimits &limits) const {
    const auto settings =
        mode_ == CgroupMode::V2 ? v2_settings(limits, ctid_) : v1_settings(limits, ctid_);
    for (const auto &setting : settings)
        write_setting(mode_, ctid_, setting);
}

} // namespace vz

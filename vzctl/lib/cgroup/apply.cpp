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
// |  cpus_of_nodes   |   the CPUs of cpuset_mems' nodes    |   (same)                        |
// |  pin_cpus        |   n of those (cgroup/cpus.cpp)      |   (same)                        |
// | cpuset_mems      | cpuset.mems: list (parent vz's)     | cpuset.mems: list (parent's eff.) |
// | io_weight        | blkio.bfq.weight or blkio.weight    | io.bfq.weight or io.weight      |
// |                  |   (100; neither file: a warning)    |   (default 100; same)           |
// | io_bps, io_iops  | blkio.throttle.{read,write}_{bps,   | io.max: "M:m rbps= wbps= riops= |
// |                  |   iops}_device: "M:m N" (M:m 0)     |   wiops=" (max) of io_path's disk |
// clang-format on
//
// The disk of io_path is the whole disk under the file system holding it (a
// partition's parent); a file system on no block device (tmpfs, overlay)
// cannot be throttled: setting a limit there is an error, VZ_SET_IO.
//
// memsw is only written when the kernel accounts swap; with swap accounting
// off the swap limit is skipped without an error, as OpenVZ did without
// SWAPPAGES support. On v1, memsw counts memory + swap and must stay ≥ the
// memory limit at every step, hence the write order in v1_memory().
// A set limit whose controller is missing is an error; an unset one is not.
#include "cgroup/internal.h"

#include "vzkit/base/cpu_list.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <limits>
#include <set>

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
std::vector<Setting> v1_memory(const CgroupLimits &limits, const Cgroup &cgroup) {
    Setting memory{"memory", "memory.limit_in_bytes", number_or(limits.memory_bytes, "-1"),
                   limits.memory_bytes.has_value()};
    Setting memsw{"memory", "memory.memsw.limit_in_bytes", number_or(memsw_bytes(limits), "-1"),
                  false};
    auto dir = cgroup.find("memory");
    const auto current_memsw = dir ? cg::read_u64(*dir / memsw.file) : std::nullopt;
    if (limits.memory_bytes.value_or(kUnlimited) <= current_memsw.value_or(kUnlimited))
        return {memory, memsw};
    return {memsw, memory};
}

// No CPUMASK means every CPU the parent has. An empty write would do on v2
// in theory, but the kernel refuses it (ENOSPC) for a group with tasks.
std::optional<std::string> wanted_cpus(const CgroupLimits &limits);

// pin_cpus narrows that to so many of them (cgroup/cpus.cpp).
std::string cpuset_or_parent(const Cgroup &cgroup, const CgroupLimits &limits) {
    const CgroupMode mode = cgroup.mode();
    std::string cpus;
    if (auto wanted = wanted_cpus(limits)) {
        cpus = *wanted;
    } else {
        auto dir = cgroup.find("cpuset");
        const char *file = mode == CgroupMode::V1 ? "cpuset.cpus" : "cpuset.cpus.effective";
        cpus = dir ? cg::read_value(dir->parent_path() / file).value_or("") : "";
    }
    if (!limits.pin_cpus)
        return cpus;
    const auto allowed = expand_cpu_list(cpus);
    return allowed.empty() ? cpus : cg::pinned_cpus(cgroup, allowed, *limits.pin_cpus);
}

// CPUMASK=auto: every CPU of the NODEMASK nodes, from sysfs.
std::optional<std::string> cpus_of_nodes(const std::string &nodes) {
    std::set<unsigned> cpus;
    for (unsigned node : expand_cpu_list(nodes)) {
        auto list = cg::read_value("/sys/devices/system/node/node" + std::to_string(node) +
                                   "/cpulist");
        if (!list)
            throw Error(VZ_INVALID_PARAMETER_VALUE,
                        "CPUMASK=auto: NUMA node " + std::to_string(node) + " does not exist");
        cpus.merge(expand_cpu_list(*list));
    }
    return cpus.empty() ? std::nullopt : std::optional(format_cpu_set(cpus));
}

std::optional<std::string> wanted_cpus(const CgroupLimits &limits) {
    if (limits.cpus_of_nodes && limits.cpuset_mems)
        return cpus_of_nodes(*limits.cpuset_mems);
    return limits.cpuset_cpus;
}

std::string mems_or_parent(const Cgroup &cgroup, const CgroupLimits &limits) {
    const CgroupMode mode = cgroup.mode();
    if (limits.cpuset_mems)
        return *limits.cpuset_mems;
    auto dir = cgroup.find("cpuset");
    const char *file = mode == CgroupMode::V1 ? "cpuset.mems" : "cpuset.mems.effective";
    return dir ? cg::read_value(dir->parent_path() / file).value_or("") : "";
}

// The whole disk holding path's file system, as "major:minor"; nullopt when
// that file system is on no block device.
std::optional<std::string> disk_of(const std::string &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || major(st.st_dev) == 0)
        return std::nullopt;
    const std::string id = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
    const fs::path sys = fs::path("/sys/dev/block") / id;
    std::error_code ec;
    if (!fs::exists(sys, ec))
        return std::nullopt;
    if (fs::exists(sys / "partition", ec)) // a partition: its parent is the disk
        if (auto parent = cg::read_value(fs::canonical(sys, ec).parent_path() / "dev"))
            return parent;
    return id;
}

bool io_limited(const CgroupLimits &limits) {
    return limits.io_bps || limits.io_iops;
}

std::optional<std::string> io_disk(const CgroupLimits &limits) {
    auto disk = limits.io_path ? disk_of(*limits.io_path) : std::nullopt;
    if (!disk && io_limited(limits))
        throw Error(VZ_SET_IO, "Unable to set IOLIMIT/IOPSLIMIT: " +
                                   limits.io_path.value_or("VE_PRIVATE") +
                                   " is on no block device, and only a disk can be throttled");
    return disk;
}

std::vector<Setting> v1_io(const CgroupLimits &limits) {
    auto disk = io_disk(limits);
    if (!disk)
        return {};
    auto line = [&](const std::optional<std::uint64_t> &value) {
        return *disk + " " + std::to_string(value.value_or(0));
    };
    return {
        {"blkio", "blkio.throttle.read_bps_device", line(limits.io_bps), limits.io_bps.has_value()},
        {"blkio", "blkio.throttle.write_bps_device", line(limits.io_bps), limits.io_bps.has_value()},
        {"blkio", "blkio.throttle.read_iops_device", line(limits.io_iops),
         limits.io_iops.has_value()},
        {"blkio", "blkio.throttle.write_iops_device", line(limits.io_iops),
         limits.io_iops.has_value()},
    };
}

std::vector<Setting> v2_io(const CgroupLimits &limits) {
    auto disk = io_disk(limits);
    if (!disk)
        return {};
    const std::string bps = number_or(limits.io_bps, "max");
    const std::string iops = number_or(limits.io_iops, "max");
    return {{"io", "io.max",
             *disk + " rbps=" + bps + " wbps=" + bps + " riops=" + iops + " wiops=" + iops,
             io_limited(limits)}};
}

// The proportional weight has a file only with a scheduler that knows it
// (bfq) or io.cost: without one, IOPRIO cannot be honoured here, and says so.
void write_io_weight(const Cgroup &cgroup, const CgroupLimits &limits) {
    const CgroupMode mode = cgroup.mode();
    const std::string_view controller = mode == CgroupMode::V1 ? "blkio" : "io";
    auto dir = cgroup.find(controller);
    const unsigned weight = limits.io_weight.value_or(100);
    const bool v2 = mode == CgroupMode::V2;
    for (std::string_view file : {v2 ? "io.bfq.weight" : "blkio.bfq.weight",
                                  v2 ? "io.weight" : "blkio.weight"}) {
        if (dir && ::access((*dir / file).c_str(), F_OK) == 0) {
            const std::string value =
                (file == "io.weight" ? "default " : "") + std::to_string(weight);
            if (cg::try_write_value(*dir / file, value) == 0)
                return;
        }
    }
    if (limits.io_weight && *limits.io_weight != 100)
        log_warning("IOPRIO is not applied: no I/O weight (bfq or io.cost) on this host");
}

std::vector<Setting> v1_settings(const CgroupLimits &limits, const Cgroup &cgroup) {
    const bool cpulimit = cfs_quota_us(limits).has_value();
    auto out = v1_memory(limits, cgroup);
    out.insert(
        out.end(),
        {
            {"pids", "pids.max", number_or(limits.pids, "max"), limits.pids.has_value()},
            {"cpu", "cpu.shares", std::to_string(v1_shares(limits)), limits.cpuunits.has_value()},
            {"cpu", "cpu.cfs_period_us", std::to_string(kCfsPeriodUs), cpulimit},
            {"cpu", "cpu.cfs_quota_us", number_or(cfs_quota_us(limits), "-1"), cpulimit},
            {"cpuset", "cpuset.mems", mems_or_parent(cgroup, limits),
             limits.cpuset_mems.has_value()},
            {"cpuset", "cpuset.cpus", cpuset_or_parent(cgroup, limits),
             limits.cpuset_cpus.has_value() || limits.cpus_of_nodes},
        });
    auto io = v1_io(limits);
    out.insert(out.end(), io.begin(), io.end());
    return out;
}

std::vector<Setting> v2_settings(const CgroupLimits &limits, const Cgroup &cgroup) {
    const std::string period = " " + std::to_string(kCfsPeriodUs);
    std::vector<Setting> out = {
        {"memory", "memory.max", number_or(limits.memory_bytes, "max"),
         limits.memory_bytes.has_value()},
        {"memory", "memory.swap.max", number_or(limits.swap_bytes, "max"), false},
        {"pids", "pids.max", number_or(limits.pids, "max"), limits.pids.has_value()},
        {"cpu", "cpu.weight", std::to_string(v2_weight(limits)), limits.cpuunits.has_value()},
        {"cpu", "cpu.max", number_or(cfs_quota_us(limits), "max") + period,
         cfs_quota_us(limits).has_value()},
        {"cpuset", "cpuset.mems", mems_or_parent(cgroup, limits),
         limits.cpuset_mems.has_value()},
        {"cpuset", "cpuset.cpus", cpuset_or_parent(cgroup, limits),
         limits.cpuset_cpus.has_value() || limits.cpus_of_nodes},
    };
    auto io = v2_io(limits);
    out.insert(out.end(), io.begin(), io.end());
    return out;
}

// Files whose write walks other groups: the CFS bandwidth check visits every
// task group of the host, a cpuset change every sibling and the scheduler
// domains. A fresh group already holds the defaults, so they are written only
// when they differ (with 5000 containers each write cost a start 3 ms).
constexpr std::array<std::string_view, 5> kWalkingFiles = {
    "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.max", "cpuset.cpus", "cpuset.mems"};

bool holds(const fs::path &file, const std::string &value) {
    return std::ranges::find(kWalkingFiles, file.filename().string()) != kWalkingFiles.end() &&
           cg::read_value(file) == value;
}

void write_setting(const Cgroup &cgroup, const Setting &setting) {
    const CgroupMode mode = cgroup.mode();
    auto dir = cgroup.find(setting.controller);
    const bool present = dir && ::access((*dir / setting.file).c_str(), F_OK) == 0;
    // A v1 cpuset of a payload group must stay within its parent's: shrinking
    // needs the child first, growing the parent first; v2 children inherit.
    const bool payload_cpuset = present && mode == CgroupMode::V1 &&
                                (setting.file == std::string_view("cpuset.cpus") ||
                                 setting.file == std::string_view("cpuset.mems")) &&
                                cg::is_dir(*dir / cg::kPayloadName);
    if (payload_cpuset)
        cg::try_write_value(*dir / cg::kPayloadName / setting.file, setting.value);
    if (present && (payload_cpuset || !holds(*dir / setting.file, setting.value)))
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
        mode_ == CgroupMode::V2 ? v2_settings(limits, *this) : v1_settings(limits, *this);
    for (const auto &setting : settings)
        write_setting(*this, setting);
    write_io_weight(*this, limits);
    auto cpuset = find("cpuset");
    if (limits.pin_cpus && (!cpuset || ::access((*cpuset / "cpuset.cpus").c_str(), F_OK) != 0))
        log_warning("nproc and sched_getaffinity(2) show the host's CPUs: no cpuset controller "
                    "to pin the container to its " +
                    std::to_string(*limits.pin_cpus) + " CPUs");
}

} // namespace vz

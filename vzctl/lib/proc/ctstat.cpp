// vztop's per-container counters from cgroup files (see proc/ctstat.h). The
// file names per cgroup version are one table.
#include "vzkit/proc/ctstat.h"

#include "cgroup/internal.h"

#include "vzkit/base/error.h"
#include "vzkit/proc/parse.h"
#include "vzkit/base/util.h"

#include <array>

namespace vz {
namespace {

namespace fs = std::filesystem;

// Above this a v1 limit means "no limit" (the kernel shows PAGE_COUNTER_MAX).
constexpr std::uint64_t kUnlimitedFloor = std::uint64_t{1} << 62;

// One counter file: its controller, name, and the key of a keyed file.
struct CounterFile {
    std::string_view controller;
    std::string_view file;
    std::string_view key; // empty: the whole file is the number
};

constexpr auto kFailFilesV1 = std::to_array<CounterFile>({
    {"memory", "memory.failcnt", ""},
    {"memory", "memory.memsw.failcnt", ""},
    {"pids", "pids.events", "max"},
});
constexpr auto kFailFilesV2 = std::to_array<CounterFile>({
    {"memory", "memory.events", "max"},
    {"memory", "memory.swap.events", "max"},
    {"pids", "pids.events", "max"},
});

// Where a container's group is for each controller.
class GroupDirs {
  public:
    GroupDirs() : mode_(Cgroup::host_mode()) {
        if (mode_ == CgroupMode::V1)
            hierarchies_ = cg::v1_hierarchies();
    }
    CgroupMode mode() const { return mode_; }
    std::optional<fs::path> dir(Ctid ctid, std::string_view controller) const {
        const std::string group = std::string(cg::kBaseName) + "/" + std::to_string(ctid);
        if (mode_ == CgroupMode::V2)
            return cg::kV2Root / group;
        for (const auto &h : hierarchies_)
            if (h.has(controller))
                return h.mount / group;
        return std::nullopt;
    }

  private:
    CgroupMode mode_;
    std::vector<cg::Hierarchy> hierarchies_;
};

std::optional<std::uint64_t> read_counter(const GroupDirs &dirs, Ctid ctid, const CounterFile &f) {
    auto dir = dirs.dir(ctid, f.controller);
    if (!dir)
        return std::nullopt;
    auto text = read_file(*dir / f.file);
    if (!text)
        return std::nullopt;
    return f.key.empty() ? parse_number<std::uint64_t>(trim(*text))
                         : parse_keyed_value(*text, f.key);
}

std::optional<std::uint64_t> cgroup_failcnt(const GroupDirs &dirs, Ctid ctid) {
    std::optional<std::uint64_t> sum;
    const auto files = dirs.mode() == CgroupMode::V2 ? std::span<const CounterFile>(kFailFilesV2)
                                                     : std::span<const CounterFile>(kFailFilesV1);
    for (const auto &f : files)
        if (auto value = read_counter(dirs, ctid, f))
            sum = sum.value_or(0) + *value;
    return sum;
}

std::optional<std::uint64_t> cpu_ns(const GroupDirs &dirs, Ctid ctid) {
    if (dirs.mode() == CgroupMode::V2) {
        auto usec = read_counter(dirs, ctid, {"cpu", "cpu.stat", "usage_usec"});
        return usec ? std::optional(*usec * 1000) : std::nullopt;
    }
    return read_counter(dirs, ctid, {"cpuacct", "cpuacct.usage", ""});
}

std::optional<std::uint64_t> memory_limit(const GroupDirs &dirs, Ctid ctid) {
    const bool v2 = dirs.mode() == CgroupMode::V2;
    auto dir = dirs.dir(ctid, "memory");
    if (!dir)
        return std::nullopt;
    auto text = read_file(*dir / (v2 ? "memory.max" : "memory.limit_in_bytes"));
    return text ? parse_memory_limit(*text) : std::nullopt;
}

CtCounters read_one(const GroupDirs &dirs, Ctid ctid) {
    CtCounters c;
    c.ctid = ctid;
    c.cpu_ns = cpu_ns(dirs, ctid);
    const bool v2 = dirs.mode() == CgroupMode::V2;
    c.memory =
        read_counter(dirs, ctid, {"memory", v2 ? "memory.current" : "memory.usage_in_bytes", ""});
    c.memory_limit = memory_limit(dirs, ctid);
    c.failcnt = cgroup_failcnt(dirs, ctid);
    return c;
}

} // namespace

std::optional<std::uint64_t> parse_keyed_value(std::string_view text, std::string_view key) {
    for (const auto &line : split(text, '\n')) {
        auto words = split_ws(line);
        if (words.size() == 2 && words[0] == key)
            return parse_number<std::uint64_t>(words[1]);
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_memory_limit(std::string_view text) {
    auto value = parse_number<std::uint64_t>(trim(text));
    if (!value || *value >= kUnlimitedFloor)
        return std::nullopt;
    return value;
}

std::map<Ctid, std::uint64_t> ubc_failcnt_sums(const std::vector<ubc::Beancounter> &beancounters) {
    std::map<Ctid, std::uint64_t> sums;
    for (const auto &bc : beancounters) {
        auto &sum = sums[bc.id];
        for (const auto &row : bc.rows)
            sum += row.failcnt;
    }
    return sums;
}

std::vector<CtCounters> read_ct_counters(std::span<const RunningCt> cts,
                                         const std::filesystem::path &proc_root) {
    const GroupDirs dirs;
    std::optional<std::map<Ctid, std::uint64_t>> failcnts;
    try {
        if (auto beancounters = ubc::read_beancounters(proc_root))
            failcnts = ubc_failcnt_sums(*beancounters);
    } catch (const Error &) {
        // An unreadable file only costs the beancounter view: cgroups remain.
    }
    std::vector<CtCounters> out;
    out.reserve(cts.size());
    for (const auto &ct : cts) {
        CtCounters c = read_one(dirs, ct.ctid);
        if (failcnts) {
            auto it = failcnts->find(ct.ctid);
            c.failcnt = it != failcnts->end() ? std::optional(it->second) : std::nullopt;
            c.failcnt_from_ubc = true;
        }
        out.push_back(c);
    }
    return out;
}

} // namespace vz

// CPU lists ("0-2,5") and the choice of CPUs to pin a container to when the
// kernel cannot show it its CPUS otherwise (no vzkit module): nproc and
// sched_getaffinity(2) read the affinity mask, which only a cpuset shrinks
// (docs/containers.md, "Configuration → cgroups").
#include "cgroup/internal.h"

#include "vzkit/base/cpu_list.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <map>
#include <vector>

namespace vz {

std::set<unsigned> least_used_cpus(const std::set<unsigned> &allowed,
                                   const std::vector<std::set<unsigned>> &pinned, unsigned n) {
    if (n >= allowed.size())
        return allowed;
    std::map<unsigned, unsigned> users;
    for (unsigned cpu : allowed)
        users[cpu] = 0;
    for (const auto &set : pinned)
        for (unsigned cpu : set)
            if (auto it = users.find(cpu); it != users.end())
                ++it->second;
    std::vector<std::pair<unsigned, unsigned>> order; // (users, cpu): fewest, then lowest
    for (const auto &[cpu, count] : users)
        order.emplace_back(count, cpu);
    std::ranges::sort(order);
    std::set<unsigned> out;
    for (unsigned i = 0; i < n; ++i)
        out.insert(order[i].second);
    return out;
}

std::string cg::pinned_cpus(const Cgroup &cgroup, const std::set<unsigned> &allowed, unsigned n) {
    auto dir = cgroup.find("cpuset");
    if (!dir || n >= allowed.size())
        return format_cpu_set(allowed);
    // set re-applies every limit: a container keeps the CPUs it has while
    // they are still allowed and as many as it may use.
    const auto own = expand_cpu_list(read_value(*dir / "cpuset.cpus").value_or(""));
    if (own.size() == n && std::ranges::includes(allowed, own))
        return format_cpu_set(own);
    // Other containers' groups beside this one that are pinned (a proper,
    // non-empty part of the allowed CPUs; v2 leaves unpinned ones empty).
    std::vector<std::set<unsigned>> pinned;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir->parent_path(), ec)) {
        const std::string name = entry.path().filename().string();
        if (!parse_number<Ctid>(name) || entry.path() == *dir || !entry.is_directory(ec))
            continue;
        auto cpus = expand_cpu_list(read_value(entry.path() / "cpuset.cpus").value_or(""));
        if (!cpus.empty() && cpus.size() < allowed.size())
            pinned.push_back(std::move(cpus));
    }
    return format_cpu_set(least_used_cpus(allowed, pinned, n));
}

} // namespace vz

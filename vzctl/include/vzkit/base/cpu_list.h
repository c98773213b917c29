// CPU and memory-node lists as the kernel's cpuset files and OpenVZ's
// CPUMASK/NODEMASK write them: "0-2,5". One parser and one printer for the
// config layer (beancounters/) and the cgroup layer.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

struct CpuRange {
    unsigned first = 0, last = 0;
    auto operator<=>(const CpuRange &) const = default;
};

// "0-2,5" → {0,2},{5,5}, in the order written; "" → none; nullopt when an
// item is not N or N-M with N <= M.
std::optional<std::vector<CpuRange>> parse_cpu_ranges(std::string_view text);
// Sorted, overlapping and adjacent ranges merged: {7},{0-1},{2} → "0-2,7".
std::string format_cpu_ranges(std::vector<CpuRange> ranges);

// The CPUs of a list, one by one; empty for a malformed list or one whose
// range spans more than max_span CPUs (a cpuset file never does).
std::set<unsigned> expand_cpu_list(std::string_view text, unsigned max_span = 4096);
// {0, 1, 2, 5} → "0-2,5".
std::string format_cpu_set(const std::set<unsigned> &cpus);

} // namespace vz

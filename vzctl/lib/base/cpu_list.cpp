#include "vzkit/base/cpu_list.h"

#include "vzkit/base/util.h"

#include <algorithm>

namespace vz {

std::optional<std::vector<CpuRange>> parse_cpu_ranges(std::string_view text) {
    std::vector<CpuRange> ranges;
    if (trim(text).empty())
        return ranges;
    for (const std::string &item : split(trim(text), ',', false)) {
        const std::string_view view(item);
        const std::size_t dash = view.find('-');
        const auto first = parse_number<unsigned>(view.substr(0, dash));
        const auto last =
            dash == std::string_view::npos ? first : parse_number<unsigned>(view.substr(dash + 1));
        if (!first || !last || *last < *first)
            return std::nullopt;
        ranges.push_back({*first, *last});
    }
    return ranges;
}

std::string format_cpu_ranges(std::vector<CpuRange> ranges) {
    std::ranges::sort(ranges);
    std::vector<CpuRange> merged;
    for (const CpuRange &r : ranges) {
        if (!merged.empty() && r.first <= merged.back().last + 1ULL)
            merged.back().last = std::max(merged.back().last, r.last);
        else
            merged.push_back(r);
    }
    std::vector<std::string> parts;
    for (const auto &[first, last] : merged)
        parts.push_back(first == last ? std::to_string(first)
                                      : std::to_string(first) + "-" + std::to_string(last));
    return join(parts, ",");
}

std::set<unsigned> expand_cpu_list(std::string_view text, unsigned max_span) {
    const auto ranges = parse_cpu_ranges(text);
    if (!ranges)
        return {};
    std::set<unsigned> cpus;
    for (const auto &[first, last] : *ranges) {
        if (last - first > max_span)
            return {};
        for (unsigned cpu = first; cpu <= last; ++cpu)
            cpus.insert(cpu);
    }
    return cpus;
}

std::string format_cpu_set(const std::set<unsigned> &cpus) {
    std::vector<CpuRange> ranges;
    for (unsigned cpu : cpus)
        ranges.push_back({cpu, cpu});
    return format_cpu_ranges(std::move(ranges));
}

} // namespace vz

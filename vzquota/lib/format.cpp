#include "vzkit/quota/format.h"

#include "vzkit/base/util.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <limits>

namespace vz::quota {

namespace {

constexpr std::uint64_t kMinute = 60;
constexpr std::uint64_t kHour = 60 * kMinute;
constexpr std::uint64_t kDay = 24 * kHour;

struct TimeUnit {
    char letter;
    std::uint64_t seconds;
};
constexpr std::array<TimeUnit, 5> kUnits = {{
    {'h', kHour}, {'d', kDay}, {'w', 7 * kDay}, {'m', 30 * kDay}, {'y', 365 * kDay}}};

// dd:hh:mm:ss, read from the right; each field but the days below its next.
constexpr std::array<std::uint64_t, 4> kFieldSeconds = {1, kMinute, kHour, kDay};

// count * unit + total, or nothing when it does not fit in 64 bits (a
// wrapped product would pass for a short time).
std::optional<std::uint64_t> add_product(std::uint64_t total, std::uint64_t count,
                                         std::uint64_t unit) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    if (unit && count > kMax / unit)
        return std::nullopt;
    if (count * unit > kMax - total)
        return std::nullopt;
    return total + count * unit;
}

std::optional<std::uint64_t> parse_clock(std::string_view text) {
    const auto fields = split(text, ':', false);
    if (fields.empty() || fields.size() > kFieldSeconds.size())
        return std::nullopt;
    std::optional<std::uint64_t> total = 0;
    for (std::size_t i = 0; i < fields.size() && total; ++i) {
        const auto value = parse_number<std::uint64_t>(fields[fields.size() - 1 - i]);
        if (!value)
            return std::nullopt;
        const bool bounded = fields.size() > 1 && i + 1 < kFieldSeconds.size();
        if (bounded && *value >= kFieldSeconds[i + 1] / kFieldSeconds[i])
            return std::nullopt;
        total = add_product(*total, *value, kFieldSeconds[i]);
    }
    return total;
}

char over_mark(std::uint64_t usage, std::uint64_t soft, std::uint64_t hard) {
    return (soft && usage > soft) || (hard && usage > hard) ? '*' : ' ';
}

} // namespace

std::optional<std::uint64_t> parse_quota_time(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    const char last = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
    if (std::isdigit(static_cast<unsigned char>(last)))
        return parse_clock(text);
    const auto unit = std::ranges::find(kUnits, last, &TimeUnit::letter);
    const auto count = parse_number<std::uint64_t>(text.substr(0, text.size() - 1));
    if (unit == kUnits.end() || !count)
        return std::nullopt;
    return add_product(0, *count, unit->seconds);
}

std::uint64_t kilobytes(std::uint64_t bytes) { return bytes / 1024 + (bytes % 1024 != 0); }

std::string grace_left(std::int64_t expires, std::time_t now) {
    if (expires == 0)
        return "";
    if (expires <= now)
        return "none";
    const std::uint64_t minutes = (static_cast<std::uint64_t>(expires - now) + 30) / 60;
    const std::uint64_t days = minutes / (24 * 60);
    char buf[32];
    if (days)
        std::snprintf(buf, sizeof buf, "%" PRIu64 "days", days);
    else
        std::snprintf(buf, sizeof buf, "%02" PRIu64 ":%02" PRIu64, minutes / 60 % 24, minutes % 60);
    return buf;
}

std::string format_report(const Report &report, bool batch, std::time_t now) {
    const ProjectLimits &l = report.file.limits.project;
    const std::uint64_t blocks = kilobytes(report.bytes);
    // A timer the kernel left after usage fell back under the soft limit
    // means nothing (OpenVZ's vzquota hid it too).
    const std::int64_t btime = blocks > l.block_soft ? report.block_expires : 0;
    const std::int64_t itime = report.inodes > l.inode_soft ? report.inode_expires : 0;
    char buf[256];
    std::string out;
    if (batch) {
        std::snprintf(buf, sizeof buf, "%14" PRIu64 " %14" PRIu64 " %14" PRIu64 " %14" PRId64
                                       " %14" PRIu64 "\n",
                      blocks, l.block_soft, l.block_hard, btime, report.file.limits.block_grace);
        out += buf;
        std::snprintf(buf, sizeof buf, "%14" PRIu64 " %14" PRIu64 " %14" PRIu64 " %14" PRId64
                                       " %14" PRIu64 "\n",
                      report.inodes, l.inode_soft, l.inode_hard, itime,
                      report.file.limits.inode_grace);
        return out + buf;
    }
    std::snprintf(buf, sizeof buf, "%11s %14s  %14s %14s %8s\n", "resource", "usage", "softlimit",
                  "hardlimit", "grace");
    out += buf;
    std::snprintf(buf, sizeof buf, "%11s %14" PRIu64 "%c %14" PRIu64 " %14" PRIu64 " %8s\n",
                  "1k-blocks", blocks, over_mark(blocks, l.block_soft, l.block_hard),
                  l.block_soft, l.block_hard, grace_left(btime, now).c_str());
    out += buf;
    std::snprintf(buf, sizeof buf, "%11s %14" PRIu64 "%c %14" PRIu64 " %14" PRIu64 " %8s\n",
                  "inodes", report.inodes, over_mark(report.inodes, l.inode_soft, l.inode_hard),
                  l.inode_soft, l.inode_hard, grace_left(itime, now).c_str());
    return out + buf;
}

} // namespace vz::quota

// vzquota's text: its time grammar and the tables stat and show print, as
// OpenVZ's vzquota printed them (scripts parse the batch form).
#pragma once

#include "vzkit/quota/quota.h"

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace vz::quota {

// "dd:hh:mm:ss" (fewer fields from the right: "90", "1:30"), or a number with
// a unit: h, d, w, m (30 days), y (365 days), any case. Seconds; nothing
// when malformed or when the time does not fit in 64 bits.
std::optional<std::uint64_t> parse_quota_time(std::string_view text);

// Bytes as 1 KB blocks, rounded up as OpenVZ's ker2block did: what stat,
// show and vzlist print, so that a usage over a limit by one byte shows as
// over it.
std::uint64_t kilobytes(std::uint64_t bytes);

// The grace column: "" within the soft limit, "none" once the grace is over,
// else the time left ("6days", "23:59").
std::string grace_left(std::int64_t expires, std::time_t now);

// stat/show's table ("resource usage softlimit hardlimit grace", a '*' after
// a usage over a limit), or with batch its two lines of bare numbers.
std::string format_report(const Report &report, bool batch, std::time_t now);

} // namespace vz::quota

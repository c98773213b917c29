// A running container's live counters for vztop: CPU time, memory, and
// failure counters, read from its cgroup (and /proc/user_beancounters when
// the kernel has it).
#pragma once

#include "vzkit/proc/ctid.h"
#include "vzkit/ubc/proc.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace vz {

struct CtCounters {
    Ctid ctid = 0;
    std::optional<std::uint64_t> cpu_ns;       // CPU time used since the CT started
    std::optional<std::uint64_t> memory;       // bytes charged to the group now
    std::optional<std::uint64_t> memory_limit; // bytes; nullopt when unlimited or unknown
    // Failures so far: the sum of the failcnt column of the container's
    // beancounters when /proc/user_beancounters exists, else of the cgroup's
    // counters (v1 memory.failcnt, memory.memsw.failcnt, pids.events max; v2
    // memory.events max, memory.swap.events max, pids.events max).
    std::optional<std::uint64_t> failcnt;
    bool failcnt_from_ubc = false;
};

// Counters of each container in cts, in that order. The cgroup layout is
// looked up once per call; beancounters are read below proc_root (see
// vzkit/ubc/proc.h), and ignored when unreadable.
std::vector<CtCounters> read_ct_counters(std::span<const RunningCt> cts,
                                         const std::filesystem::path &proc_root = "/proc");

// Per beancounter id, the sum of its failcnt column.
std::map<Ctid, std::uint64_t> ubc_failcnt_sums(const std::vector<ubc::Beancounter> &beancounters);

// "key value" line of a flat-keyed cgroup file (cpu.stat, pids.events).
std::optional<std::uint64_t> parse_keyed_value(std::string_view text, std::string_view key);
// memory.max / memory.limit_in_bytes: nullopt for "max" and for v1's
// "unlimited" (a value near 2^63, rounded to pages).
std::optional<std::uint64_t> parse_memory_limit(std::string_view text);

} // namespace vz

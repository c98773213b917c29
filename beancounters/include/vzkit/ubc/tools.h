// The logic of OpenVZ's beancounter tools, free of I/O so that it can be
// tested: the host's memory, a container's share of it (vzmemcheck,
// vzcalc), a config dividing the host into N containers (vzsplit), and the
// UBC consistency rules (vzcfgvalidate).
#pragma once

#include "vzkit/ubc/proc.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vz::ubc {

// Bytes. lowmem is LowTotal where the kernel has it (32-bit), else all RAM.
struct HostMemory {
    std::uint64_t ram = 0;
    std::uint64_t swap = 0;
    std::uint64_t lowmem = 0;
};
// From the text of /proc/meminfo; nullopt without MemTotal.
std::optional<HostMemory> parse_meminfo(std::string_view text);
// This host's: parse_meminfo of /proc/meminfo (nullopt when unreadable), and
// kernel.pid_max (32768 when unreadable).
std::optional<HostMemory> read_host_memory();
std::uint64_t read_max_tasks();

// One container's use of the host, each a fraction of it (vzmemcheck's
// columns): kernel memory + socket buffers of low memory, RAM, RAM + swap,
// and allocated address space (privvmpages) of RAM + swap. "commit" is what
// the limits promise; an unlimited value promises nothing measurable (0).
struct MemoryUse {
    double lowmem_util = 0, lowmem_commit = 0;
    double ram_util = 0;
    double memswap_util = 0, memswap_commit = 0;
    double alloc_util = 0, alloc_commit = 0, alloc_limit = 0;
    MemoryUse &operator+=(const MemoryUse &other);
};
MemoryUse memory_use(const Beancounter &bc, const HostMemory &host);

// vzcalc: a resource's current, promised and maximal share, in percent.
struct CalcRow {
    std::string resource;
    double current = 0, promised = 0, max = 0;
};
// The rows of vzcalc -v: Low Mem, Total RAM, Mem + Swap, Alloc. Mem, Num.
// Proc (of max_tasks); the first row is the summary "Memory".
std::vector<CalcRow> calc(const Beancounter &bc, const HostMemory &host, std::uint64_t max_tasks);

// vzsplit: what one of n equal containers gets.
struct SplitInput {
    HostMemory host;
    unsigned containers = 1;
    std::optional<std::uint64_t> swap_bytes; // per container; default host swap / n
    std::uint64_t max_tasks = 32768;         // kernel.pid_max
};
// KEY=value pairs of the sample config, in OpenVZ's order.
std::vector<std::pair<std::string, std::string>> split(const SplitInput &input);

// vzcfgvalidate
enum class Severity { Error, Warning, Recommendation };
std::string_view severity_name(Severity severity);
struct Finding {
    Severity severity;
    std::string message;
    // key and the value that repairs it, when there is one.
    std::optional<std::pair<std::string, std::string>> fix;
};
using ConfigLookup = std::function<std::optional<std::string>(std::string_view key)>;
std::vector<Finding> validate(const ConfigLookup &get);

} // namespace vz::ubc

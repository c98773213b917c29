// vztop's model: one row per running container with its CPU use over the last
// interval (100% = one CPU busy, as top counts), memory, processes, failure
// counters and their change, and the busiest process; plus host-wide summary
// lines. Each refresh feeds one process table and the containers' counters;
// figures are differences against the previous refresh.
#pragma once

#include "vzkit/proc/ctstat.h"
#include "vzkit/proc/table.h"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vz {

// Host-wide figures from /proc/stat, /proc/meminfo and /proc/loadavg.
struct HostCounters {
    std::uint64_t cpu_busy = 0;  // jiffies spent not idle, all CPUs
    std::uint64_t cpu_total = 0; // all jiffies, all CPUs
    unsigned cpus = 1;
    std::uint64_t mem_total_kb = 0;
    std::uint64_t mem_available_kb = 0;
    std::string loadavg; // "0.52, 0.31, 0.20"
};
HostCounters read_host_counters();
// The "cpu " line of /proc/stat → busy and total jiffies; the cpuN lines → cpus.
bool parse_proc_stat_cpu(std::string_view text, HostCounters &out);

struct TopRow {
    Ctid ctid = 0;
    unsigned processes = 0;
    unsigned running = 0;      // in state R
    std::optional<double> cpu; // percent of one CPU over the interval
    std::optional<std::uint64_t> memory;
    std::optional<std::uint64_t> memory_limit;
    std::optional<std::uint64_t> failcnt;
    std::optional<std::uint64_t> failcnt_delta; // since the previous refresh
    std::string busiest;  // "comm/vpid" of the process that used most CPU, or "-"
    std::string hostname; // HOSTNAME of <CTID>.conf, or "-"
};

struct TopFrame {
    std::int64_t now = 0; // epoch seconds
    double uptime = 0;
    std::string loadavg;
    std::size_t processes = 0;      // on the whole host
    std::size_t ct_processes = 0;   // of them, in containers
    std::optional<double> host_cpu; // percent of one CPU, all CPUs together
    unsigned cpus = 1;
    std::uint64_t mem_used_kb = 0, mem_total_kb = 0;
    std::vector<TopRow> rows;
};

enum class TopSort { Cpu, Memory, Processes, Ctid, Failcnt };
// "cpu", "mem", "nproc", "ctid", "failcnt"; nullopt otherwise.
std::optional<TopSort> parse_top_sort(std::string_view name);
void sort_top_rows(std::vector<TopRow> &rows, TopSort order);

// Per-interval figures from successive refreshes.
class TopModel {
  public:
    // table was just refreshed; counters were read right after for
    // table.cts().running(); seconds is a monotonic clock reading.
    TopFrame update(const ProcTable &table, const std::vector<CtCounters> &counters,
                    const HostCounters &host, double seconds);

  private:
    struct Ticks {
        std::uint64_t start = 0;
        std::uint64_t used = 0;
    };
    const std::string &hostname(Ctid ctid);
    void busiest(const ProcTable &table, std::map<Ctid, TopRow> &rows);

    bool have_previous_ = false;
    double previous_seconds_ = 0;
    HostCounters previous_host_;
    std::map<Ctid, CtCounters> previous_;
    std::unordered_map<pid_t, Ticks> previous_ticks_;
    std::unordered_map<pid_t, Ticks> ticks_;
    std::map<Ctid, std::string> hostnames_;
};

// "512K", "14.2M", "1.5G": binary units, as top shows memory.
std::string format_bytes(std::uint64_t bytes);
// The frame as text lines: two summary lines, a blank line, the column
// header and one line per row (or a note that no container runs), each cut to
// width characters (0: no limit).
std::vector<std::string> format_top(const TopFrame &frame, std::size_t width = 0);

} // namespace vz

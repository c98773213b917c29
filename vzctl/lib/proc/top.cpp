// vztop's model and text layout (see proc/top.h).
#include "vzkit/proc/top.h"

#include "vzkit/base/config.h"
#include "vzkit/proc/parse.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace vz {
namespace {

std::string printf_string(const char *format, auto... args) {
    char buf[512];
    const int n = std::snprintf(buf, sizeof buf, format, args...);
    return std::string(buf, static_cast<std::size_t>(std::clamp(n, 0, int(sizeof buf) - 1)));
}

std::optional<double> percent_of(std::uint64_t part, double whole) {
    if (whole <= 0)
        return std::nullopt;
    return static_cast<double>(part) * 100.0 / whole;
}

// Growth of a counter, or nullopt when it went backwards (the container was
// restarted and its group recreated) or either reading is missing.
std::optional<std::uint64_t> growth(std::optional<std::uint64_t> now,
                                    std::optional<std::uint64_t> before) {
    if (!now || !before || *now < *before)
        return std::nullopt;
    return *now - *before;
}

std::string format_uptime(double seconds) {
    const auto total = static_cast<long>(seconds);
    const long days = total / 86400, hours = total / 3600 % 24, minutes = total / 60 % 60;
    std::string out;
    if (days)
        out = std::to_string(days) + (days == 1 ? " day, " : " days, ");
    if (days || hours)
        return out + printf_string("%ld:%02ld", hours, minutes);
    return out + std::to_string(minutes) + " min";
}

std::string opt_number(std::optional<std::uint64_t> value) {
    return value ? std::to_string(*value) : "-";
}

std::string opt_bytes(std::optional<std::uint64_t> value) {
    return value ? format_bytes(*value) : "-";
}

std::string opt_percent(std::optional<double> value) {
    return value ? printf_string("%.1f", *value) : "-";
}

std::string header_line() {
    return printf_string("%10s %5s %4s %6s %8s %8s %5s %8s %6s %-20s %s", "CTID", "NPROC", "RUN",
                         "%CPU", "MEM", "LIMIT", "%MEM", "FAILCNT", "+FAIL", "BUSIEST", "HOSTNAME");
}

std::string row_line(const TopRow &row) {
    std::optional<double> mem_pct;
    if (row.memory && row.memory_limit)
        mem_pct = percent_of(*row.memory, static_cast<double>(*row.memory_limit));
    return printf_string("%10u %5u %4u %6s %8s %8s %5s %8s %6s %-20s %s", row.ctid, row.processes,
                         row.running, opt_percent(row.cpu).c_str(), opt_bytes(row.memory).c_str(),
                         opt_bytes(row.memory_limit).c_str(), opt_percent(mem_pct).c_str(),
                         opt_number(row.failcnt).c_str(),
                         row.failcnt_delta ? ("+" + std::to_string(*row.failcnt_delta)).c_str()
                                           : "-",
                         row.busiest.c_str(), row.hostname.c_str());
}

} // namespace

bool parse_proc_stat_cpu(std::string_view text, HostCounters &out) {
    bool found = false;
    out.cpus = 0;
    for (const auto &line : split(text, '\n')) {
        if (line.starts_with("cpu ")) {
            auto words = split_ws(line);
            // user nice system idle iowait irq softirq steal (guest is in user)
            if (words.size() < 9)
                return false;
            std::array<std::uint64_t, 8> v{};
            for (std::size_t i = 0; i < v.size(); ++i) {
                auto value = parse_number<std::uint64_t>(words[i + 1]);
                if (!value)
                    return false;
                v[i] = *value;
            }
            out.cpu_total = 0;
            for (auto x : v)
                out.cpu_total += x;
            out.cpu_busy = out.cpu_total - v[3] - v[4];
            found = true;
        } else if (line.starts_with("cpu")) {
            ++out.cpus;
        }
    }
    out.cpus = std::max(out.cpus, 1u);
    return found;
}

HostCounters read_host_counters() {
    HostCounters host;
    if (auto stat = read_file("/proc/stat"))
        parse_proc_stat_cpu(*stat, host);
    if (auto meminfo = read_file("/proc/meminfo")) {
        host.mem_total_kb = parse_meminfo_kb(*meminfo, "MemTotal").value_or(0);
        host.mem_available_kb = parse_meminfo_kb(*meminfo, "MemAvailable").value_or(0);
    }
    if (auto loadavg = read_file("/proc/loadavg")) {
        auto words = split_ws(*loadavg);
        if (words.size() >= 3)
            host.loadavg = words[0] + ", " + words[1] + ", " + words[2];
    }
    return host;
}

std::optional<TopSort> parse_top_sort(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, TopSort>, 5> kNames = {{
        {"cpu", TopSort::Cpu},
        {"mem", TopSort::Memory},
        {"nproc", TopSort::Processes},
        {"ctid", TopSort::Ctid},
        {"failcnt", TopSort::Failcnt},
    }};
    for (const auto &[key, order] : kNames)
        if (key == name)
            return order;
    return std::nullopt;
}

void sort_top_rows(std::vector<TopRow> &rows, TopSort order) {
    // Largest first for figures, ascending for CTIDs; ties by CTID.
    auto figure = [order](const TopRow &r) -> double {
        switch (order) {
        case TopSort::Cpu:
            return r.cpu.value_or(-1);
        case TopSort::Memory:
            return static_cast<double>(r.memory.value_or(0));
        case TopSort::Processes:
            return r.processes;
        case TopSort::Failcnt:
            return static_cast<double>(r.failcnt.value_or(0));
        case TopSort::Ctid:
            break;
        }
        return 0;
    };
    std::ranges::stable_sort(rows, [&](const TopRow &a, const TopRow &b) {
        if (order != TopSort::Ctid && figure(a) != figure(b))
            return figure(a) > figure(b);
        return a.ctid < b.ctid;
    });
}

const std::string &TopModel::hostname(Ctid ctid) {
    auto it = hostnames_.find(ctid);
    if (it == hostnames_.end()) {
        std::string name = "-";
        try {
            name = ConfigFile::load(ct_conf_path(ctid)).get("HOSTNAME").value_or("-");
        } catch (const std::exception &) {
            // An unreadable config only costs the column.
        }
        it = hostnames_.emplace(ctid, name.empty() ? "-" : name).first;
    }
    return it->second;
}

// The process of each container that used most CPU since the last refresh.
void TopModel::busiest(const ProcTable &table, std::map<Ctid, TopRow> &rows) {
    std::map<Ctid, std::pair<std::uint64_t, const ProcEntry *>> best;
    ticks_.clear();
    for (const auto &e : table.entries()) {
        if (e.ctid == 0)
            continue;
        const Ticks now{e.stat.start, e.stat.utime + e.stat.stime};
        ticks_[e.pid()] = now;
        if (!have_previous_)
            continue;
        auto before = previous_ticks_.find(e.pid());
        // A pid not seen before, or reused, started after the last refresh.
        const std::uint64_t used =
            before != previous_ticks_.end() && before->second.start == now.start
                ? now.used - std::min(now.used, before->second.used)
                : now.used;
        auto &slot = best[e.ctid];
        if (used > slot.first)
            slot = {used, &e};
    }
    for (auto &[ctid, row] : rows) {
        auto it = best.find(ctid);
        row.busiest = "-";
        if (it != best.end() && it->second.second)
            row.busiest =
                it->second.second->stat.comm + "/" + std::to_string(it->second.second->vpid);
    }
    previous_ticks_.swap(ticks_);
}

TopFrame TopModel::update(const ProcTable &table, const std::vector<CtCounters> &counters,
                          const HostCounters &host, double seconds) {
    TopFrame frame;
    const ProcSystem &sys = table.system();
    frame.now = sys.now;
    frame.uptime = sys.uptime;
    frame.loadavg = host.loadavg;
    frame.cpus = host.cpus;
    frame.mem_total_kb = host.mem_total_kb;
    frame.mem_used_kb = host.mem_total_kb - std::min(host.mem_total_kb, host.mem_available_kb);
    const double elapsed = have_previous_ ? seconds - previous_seconds_ : 0;

    std::map<Ctid, TopRow> rows;
    for (const auto &ct : table.cts().running())
        rows[ct.ctid].ctid = ct.ctid;
    for (const auto &e : table.entries()) {
        ++frame.processes;
        auto it = e.ctid ? rows.find(e.ctid) : rows.end();
        if (it == rows.end())
            continue;
        ++frame.ct_processes;
        ++it->second.processes;
        it->second.running += e.stat.state == 'R';
    }
    std::map<Ctid, CtCounters> current;
    for (const auto &c : counters) {
        current[c.ctid] = c;
        auto it = rows.find(c.ctid);
        if (it == rows.end())
            continue;
        TopRow &row = it->second;
        row.memory = c.memory;
        row.memory_limit = c.memory_limit;
        row.failcnt = c.failcnt;
        row.hostname = hostname(c.ctid);
        auto before = previous_.find(c.ctid);
        if (before == previous_.end())
            continue;
        if (auto used = growth(c.cpu_ns, before->second.cpu_ns))
            row.cpu = percent_of(*used, elapsed * 1e9);
        row.failcnt_delta = growth(c.failcnt, before->second.failcnt);
    }
    busiest(table, rows);
    if (have_previous_ && host.cpu_total > previous_host_.cpu_total)
        frame.host_cpu =
            percent_of(host.cpu_busy - std::min(host.cpu_busy, previous_host_.cpu_busy),
                       double(host.cpu_total - previous_host_.cpu_total) / host.cpus);
    for (auto &[ctid, row] : rows) {
        if (row.hostname.empty())
            row.hostname = hostname(ctid);
        frame.rows.push_back(std::move(row));
    }
    previous_ = std::move(current);
    previous_host_ = host;
    previous_seconds_ = seconds;
    have_previous_ = true;
    return frame;
}

std::string format_bytes(std::uint64_t bytes) {
    static constexpr std::array<char, 5> kUnits = {'K', 'M', 'G', 'T', 'P'};
    double value = static_cast<double>(bytes) / 1024;
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < kUnits.size()) {
        value /= 1024;
        ++unit;
    }
    if (value >= 100 || value == static_cast<double>(static_cast<std::uint64_t>(value)))
        return printf_string("%.0f%c", value, kUnits[unit]);
    return printf_string("%.1f%c", value, kUnits[unit]);
}

std::vector<std::string> format_top(const TopFrame &frame, std::size_t width) {
    std::vector<std::string> lines;
    const std::time_t now = frame.now;
    std::tm tm{};
    ::localtime_r(&now, &tm);
    lines.push_back(printf_string("vztop - %02d:%02d:%02d up %s, load average: %s", tm.tm_hour,
                                  tm.tm_min, tm.tm_sec, format_uptime(frame.uptime).c_str(),
                                  frame.loadavg.empty() ? "-" : frame.loadavg.c_str()));
    lines.push_back(printf_string(
        "CTs: %zu running, processes: %zu (%zu in CTs), CPU: %s%% of %u00%%, memory: %s used of %s",
        frame.rows.size(), frame.processes, frame.ct_processes, opt_percent(frame.host_cpu).c_str(),
        frame.cpus, format_bytes(frame.mem_used_kb * 1024).c_str(),
        format_bytes(frame.mem_total_kb * 1024).c_str()));
    lines.emplace_back();
    lines.push_back(header_line());
    for (const auto &row : frame.rows)
        lines.push_back(row_line(row));
    if (frame.rows.empty())
        lines.emplace_back("(no container is running)");
    if (width)
        for (auto &line : lines)
            if (line.size() > width)
                line.resize(width);
    return lines;
}

} // namespace vz

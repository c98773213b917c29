// Collecting what vzkit-metrics reports (collect.h): vzlist's records, then
// per running container its cgroup's CPU time and memory, its init's start
// time, and the counters of its devices' host ends.
#include "vzkit/metrics/collect.h"

#include "vzkit/backend/backend.h"
#include "vzkit/base/ct_config.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/ct/state.h"
#include "vzkit/net/lifecycle.h"
#include "vzkit/net/link.h"
#include "vzkit/proc/parse.h"
#include "vzkit/ubc/ubc.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>

namespace vz::metrics {
namespace {

namespace fs = std::filesystem;

// A CPU time figure: the controller, its file, the key of a flat-keyed file
// (empty: the whole file) and how many of its units make a second.
struct CpuSource {
    CgroupMode mode;
    std::string_view controller;
    std::string_view file;
    std::string_view key;
    double per_second;
};
constexpr auto kCpuSources = std::to_array<CpuSource>({
    {CgroupMode::V1, "cpuacct", "cpuacct.usage", "", 1e9},
    {CgroupMode::V2, "cpu", "cpu.stat", "usage_usec", 1e6},
});

std::optional<double> cpu_seconds(const Cgroup &cgroup) {
    for (const auto &source : kCpuSources) {
        if (source.mode != cgroup.mode())
            continue;
        auto dir = cgroup.find(source.controller);
        if (auto value = dir ? read_cgroup_figure(*dir / source.file, source.key) : std::nullopt)
            return static_cast<double>(*value) / source.per_second;
    }
    return std::nullopt;
}

// Seconds since the CT's init started: the host's uptime less the start time
// /proc/<pid>/stat gives in clock ticks after boot. The host's /proc, a pid
// from the CT's group: nothing the container names.
std::optional<double> init_uptime(const Cgroup &cgroup, std::size_t pid_depth) {
    const auto init = find_init_pid(cgroup.member_pids(), pid_depth);
    if (!init)
        return std::nullopt;
    auto stat_text = read_file("/proc/" + std::to_string(*init) + "/stat");
    auto uptime_text = read_file("/proc/uptime");
    ProcStat stat;
    if (!stat_text || !uptime_text || !parse_proc_stat(*stat_text, stat))
        return std::nullopt;
    const auto now = parse_uptime(*uptime_text);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (!now || ticks <= 0)
        return std::nullopt;
    const double started = static_cast<double>(stat.start) / static_cast<double>(ticks);
    // Both figures count in hundredths of a second: no more digits than that.
    return *now > started ? std::round((*now - started) * 100.0) / 100.0 : 0.0;
}

// The devices the config makes, with their host ends' counters where the
// host end exists (links: one dump of the host's devices for every CT).
std::vector<NetDevice> net_devices(const CtConfig &config,
                                   const std::map<std::string, net::LinkInfo> &links) {
    std::vector<NetDevice> out;
    for (const auto &end : net::configured_device_ends(config)) {
        auto link = links.find(end.host_ifname);
        if (link == links.end())
            continue;
        const net::LinkInfo &host = link->second;
        out.push_back({end.ifname, end.host_ifname, host.tx_bytes, host.rx_bytes, host.tx_packets,
                       host.rx_packets});
    }
    return out;
}

std::map<std::string, net::LinkInfo> host_links() {
    std::map<std::string, net::LinkInfo> out;
    try {
        net::Rtnl host;
        for (auto &link : host.links())
            out.emplace(link.name, std::move(link));
    } catch (const Error &e) {
        log_warning(std::string("network devices: ") + e.what());
    }
    return out;
}

void add_live(CtMetrics &ct, const ConfigFile &global, const Cgroup &cgroup,
              const std::map<std::string, net::LinkInfo> &links, std::size_t pid_depth) {
    ct.cpu_seconds = cpu_seconds(cgroup);
    ct.memory_bytes = cgroup.memory_usage_bytes();
    // The same figure vzlist shows as swappages, in bytes.
    if (auto swap = ct.record.ubc.find("swappages"); swap != ct.record.ubc.end())
        if (swap->second.held)
            ct.swap_bytes = *swap->second.held * ubc::kPageSize;
    ct.uptime_seconds = ct.record.uptime ? std::optional(ct.record.uptime->seconds)
                                         : init_uptime(cgroup, pid_depth);
    try {
        ct.net = net_devices(CtConfig::load(ct.record.ctid, global), links);
    } catch (const Error &e) {
        log_warning("CT " + std::to_string(ct.record.ctid) + ": " + e.what());
    }
}

} // namespace

HostMetrics collect(const ConfigFile &global) {
    HostMetrics host;
    host.module_loaded = &backend() == &kModuleBackend;
    const auto ids = list_ctids();
    auto records = collect_cts(ids, StatusFilter::All, global, ListNeeds::all());
    const auto layout = CgroupLayout::read();
    const std::size_t pid_depth = own_pid_depth();
    std::map<std::string, net::LinkInfo> links;
    const auto is_running = [](const CtRecord &r) { return r.status == ListStatus::Running; };
    if (std::ranges::any_of(records, is_running))
        links = host_links();
    for (auto &record : records) {
        CtMetrics ct;
        ct.record = std::move(record);
        if (ct.record.status == ListStatus::Running)
            add_live(ct, global, Cgroup(ct.record.ctid, layout), links, pid_depth);
        host.cts.push_back(std::move(ct));
    }
    return host;
}

} // namespace vz::metrics

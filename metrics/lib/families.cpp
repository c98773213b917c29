// The table of metric families (families.h). Names follow Prometheus'
// conventions: the vzkit_ prefix, base units (_bytes, _seconds), _total on
// counters; labels ctid, resource and interface.
#include "vzkit/metrics/families.h"

#include "vzkit/ubc/ubc.h"

#include <array>
#include <optional>
#include <string_view>

namespace vz::metrics {
namespace {

using enum MetricType;
using Value = std::optional<std::string>;

template <typename T> Value value_of(const std::optional<T> &figure) {
    return figure ? Value(format_value(*figure)) : std::nullopt;
}

Label ctid_label(const CtMetrics &ct) {
    return {"ctid", std::to_string(ct.record.ctid)};
}

// ---- one sample per container ------------------------------------------------

struct CtFamily {
    std::string_view name;
    MetricType type;
    std::string_view help;
    Value (*value)(const CtMetrics &ct);
};

bool running(const CtMetrics &ct) {
    return ct.record.status == ListStatus::Running;
}

std::optional<std::uint64_t> ubc_held(const CtMetrics &ct, std::string_view resource) {
    auto it = ct.record.ubc.find(resource);
    return it == ct.record.ubc.end() ? std::nullopt : it->second.held;
}

// KB of the quota's figures to bytes (a double: "unlimited" is 2^63-1 KB).
std::optional<double> kilobytes(std::optional<std::uint64_t> figure) {
    return figure ? std::optional(static_cast<double>(*figure) * 1024.0) : std::nullopt;
}

std::optional<std::uint64_t> disk(const std::optional<UbcFigures> &figures, UbcPart part) {
    return figures ? figures->at(part) : std::nullopt;
}

constexpr auto kCtFamilies = std::to_array<CtFamily>({
    {"vzkit_ct_up", Gauge, "1 while the container runs, 0 otherwise.",
     [](const CtMetrics &ct) { return Value(running(ct) ? "1" : "0"); }},
    {"vzkit_ct_processes", Gauge, "Processes in the container (vzlist's numproc).",
     [](const CtMetrics &ct) { return running(ct) ? value_of(ubc_held(ct, "numproc")) : Value{}; }},
    {"vzkit_ct_uptime_seconds", Gauge, "Seconds since the container's init started.",
     [](const CtMetrics &ct) { return value_of(ct.uptime_seconds); }},
    {"vzkit_ct_cpu_seconds_total", Counter,
     "CPU time the container's processes used, from its cgroup (cpuacct.usage or cpu.stat).",
     [](const CtMetrics &ct) { return value_of(ct.cpu_seconds); }},
    {"vzkit_ct_memory_bytes", Gauge,
     "Memory the container's cgroup is charged (memory.usage_in_bytes or memory.current).",
     [](const CtMetrics &ct) { return value_of(ct.memory_bytes); }},
    {"vzkit_ct_swap_bytes", Gauge, "Swap the container uses (vzlist's swappages, in bytes).",
     [](const CtMetrics &ct) { return value_of(ct.swap_bytes); }},
    {"vzkit_ct_disk_space_used_bytes", Gauge, "Disk space the container's quota counts.",
     [](const CtMetrics &ct) {
         return value_of(kilobytes(disk(ct.record.diskspace, UbcPart::Held)));
     }},
    {"vzkit_ct_disk_space_soft_limit_bytes", Gauge, "DISKSPACE's soft limit (barrier).",
     [](const CtMetrics &ct) {
         return value_of(kilobytes(disk(ct.record.diskspace, UbcPart::Barrier)));
     }},
    {"vzkit_ct_disk_space_hard_limit_bytes", Gauge, "DISKSPACE's hard limit.",
     [](const CtMetrics &ct) {
         return value_of(kilobytes(disk(ct.record.diskspace, UbcPart::Limit)));
     }},
    {"vzkit_ct_disk_inodes_used", Gauge, "Inodes the container's quota counts.",
     [](const CtMetrics &ct) { return value_of(disk(ct.record.diskinodes, UbcPart::Held)); }},
    {"vzkit_ct_disk_inodes_soft_limit", Gauge, "DISKINODES' soft limit (barrier).",
     [](const CtMetrics &ct) { return value_of(disk(ct.record.diskinodes, UbcPart::Barrier)); }},
    {"vzkit_ct_disk_inodes_hard_limit", Gauge, "DISKINODES' hard limit.",
     [](const CtMetrics &ct) { return value_of(disk(ct.record.diskinodes, UbcPart::Limit)); }},
});

// ---- labelled per container --------------------------------------------------

void add_status(const CtMetrics &ct, std::vector<Sample> &out) {
    for (auto status :
         {ListStatus::Running, ListStatus::Stopped, ListStatus::Mounted, ListStatus::Suspended})
        out.push_back({{ctid_label(ct), {"status", std::string(status_name(status))}},
                       ct.record.status == status ? "1" : "0"});
}

void add_info(const CtMetrics &ct, std::vector<Sample> &out) {
    const CtRecord &r = ct.record;
    out.push_back({{ctid_label(ct),
                    {"name", r.name.value_or("")},
                    {"hostname", r.hostname.value_or("")},
                    {"ostemplate", r.ostemplate.value_or("")},
                    {"layout", r.layout}},
                   "1"});
}

struct UbcFamily {
    std::string_view name;
    MetricType type;
    std::string_view help;
    UbcPart part;
};

constexpr auto kUbcFamilies = std::to_array<UbcFamily>({
    {"vzkit_ubc_held", Gauge, "Beancounter's current usage, in the resource's unit.",
     UbcPart::Held},
    {"vzkit_ubc_maxheld", Gauge, "Beancounter's highest usage, in the resource's unit.",
     UbcPart::MaxHeld},
    {"vzkit_ubc_barrier", Gauge,
     "Beancounter's barrier from the config (9223372036854775807: unlimited).", UbcPart::Barrier},
    {"vzkit_ubc_limit", Gauge,
     "Beancounter's limit from the config (9223372036854775807: unlimited).", UbcPart::Limit},
    {"vzkit_ubc_failcnt_total", Counter, "Allocations the beancounter refused.", UbcPart::Failcnt},
});

void add_ubc(const CtMetrics &ct, UbcPart part, std::vector<Sample> &out) {
    for (const auto &[resource, figures] : ct.record.ubc)
        if (auto value = figures.at(part))
            out.push_back({{ctid_label(ct), {"resource", resource}}, format_value(*value)});
}

struct NetFamily {
    std::string_view name;
    std::string_view help;
    std::uint64_t NetDevice::*member;
};

constexpr auto kNetFamilies = std::to_array<NetFamily>({
    {"vzkit_ct_network_receive_bytes_total", "Bytes the container received on the device.",
     &NetDevice::receive_bytes},
    {"vzkit_ct_network_transmit_bytes_total", "Bytes the container sent on the device.",
     &NetDevice::transmit_bytes},
    {"vzkit_ct_network_receive_packets_total", "Packets the container received on the device.",
     &NetDevice::receive_packets},
    {"vzkit_ct_network_transmit_packets_total", "Packets the container sent on the device.",
     &NetDevice::transmit_packets},
});

} // namespace

std::vector<Family> families(const HostMetrics &host) {
    std::vector<Family> out;
    out.push_back({"vzkit_module_loaded",
                   Gauge,
                   "1 when the vzkit kernel module accounts every beancounter; 0: cgroups only, "
                   "held, maxheld and failcnt only where a cgroup counts them.",
                   {{{}, host.module_loaded ? "1" : "0"}}});
    Family info{
        "vzkit_ct_info", Gauge, "A container's name, hostname, OS template and layout.", {}};
    Family status{"vzkit_ct_status",
                  Gauge,
                  "1 for the container's state as vzlist shows it, 0 for the others.",
                  {}};
    for (const CtMetrics &ct : host.cts) {
        add_info(ct, info.samples);
        add_status(ct, status.samples);
    }
    out.push_back(std::move(info));
    out.push_back(std::move(status));
    for (const CtFamily &row : kCtFamilies) {
        Family family{std::string(row.name), row.type, std::string(row.help), {}};
        for (const CtMetrics &ct : host.cts)
            if (auto value = row.value(ct))
                family.samples.push_back({{ctid_label(ct)}, std::move(*value)});
        out.push_back(std::move(family));
    }
    for (const UbcFamily &row : kUbcFamilies) {
        Family family{std::string(row.name), row.type, std::string(row.help), {}};
        for (const CtMetrics &ct : host.cts)
            add_ubc(ct, row.part, family.samples);
        out.push_back(std::move(family));
    }
    for (const NetFamily &row : kNetFamilies) {
        Family family{std::string(row.name), Counter, std::string(row.help), {}};
        for (const CtMetrics &ct : host.cts)
            for (const NetDevice &dev : ct.net)
                family.samples.push_back({{ctid_label(ct), {"interface", dev.interface}},
                                          format_value(dev.*row.member)});
        out.push_back(std::move(family));
    }
    return out;
}

} // namespace vz::metrics

// What vzkit-metrics reports: every container vzlist -a lists, with vzlist's
// own record (vzkit/ct/list.h: state, beancounters, disk quota) and the few
// live figures vzlist has no column for — CPU time, memory and swap in bytes,
// uptime without the module, and the traffic of its network devices. Every
// figure comes from the host's side: the container's cgroup, its init's
// /proc/<pid>/stat as the host sees it, and the host ends of its devices
// through rtnetlink; nothing is read through a path the container controls.
#pragma once

#include "vzkit/base/config.h"
#include "vzkit/ct/list.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vz::metrics {

// One network device of a container, counted at its host end (venet0.<CTID>,
// or NETIF's host_ifname) and turned round: what the host end sends, the
// container receives.
struct NetDevice {
    std::string interface; // the container's name for it: "venet0", "eth0"
    std::string host_interface;
    std::uint64_t receive_bytes = 0, transmit_bytes = 0;
    std::uint64_t receive_packets = 0, transmit_packets = 0;
};

struct CtMetrics {
    CtRecord record;
    // Only while it runs; nullopt when the cgroup does not say.
    std::optional<double> cpu_seconds;
    std::optional<std::uint64_t> memory_bytes;
    std::optional<std::uint64_t> swap_bytes;
    std::optional<double> uptime_seconds;
    std::vector<NetDevice> net;
};

struct HostMetrics {
    bool module_loaded = false; // the vzkit module's backend is in use
    std::vector<CtMetrics> cts;
};

// Every configured container (vzlist -a) with its figures. A container whose
// config cannot be read is left out with a warning, as vzlist does.
HostMetrics collect(const ConfigFile &global);

} // namespace vz::metrics

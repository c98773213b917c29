// What start, set and stop ask of the vzkit module: register the container
// with its UBC limits before its init runs, change limits live, forget it.
#include "vzkit/cgroup.h"
#include "vzkit/error.h"
#include "vzkit/log.h"
#include "vzkit/module.h"
#include "vzkit/util.h"

#include <fcntl.h>

#include <algorithm>

namespace vz::kmod {
namespace {

// The cgroup the module reads memory figures from: the memory controller's
// directory (the unified one on v2).
UniqueFd open_cgroup_dir(const Cgroup &cgroup) {
    const auto dir = cgroup.path("memory");
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd)
        throw_errno(VZ_SETLUID_ERROR, "Unable to open " + dir.string());
    return fd;
}

void set_limits(const Device &dev, Ctid ctid,
                const std::vector<std::pair<const ubc::Resource *, ubc::Value>> &limits) {
    for (const auto &[res, value] : limits)
        dev.set_limit(ctid, res->kernel_id, value.barrier, value.limit);
}

// The key, or the older spelling configs may still use (vzctl's DCACHE,
// IPTENTRIES).
std::optional<std::string> ubc_setting(const VeConfig &config, const ubc::Resource &res) {
    if (auto value = config.get(res.key))
        return value;
    for (std::string_view alias : {"DCACHE", "IPTENTRIES"})
        if (ubc::find_resource_by_key(alias) == &res)
            return config.get(alias);
    return std::nullopt;
}

} // namespace

std::vector<std::pair<const ubc::Resource *, ubc::Value>>
configured_limits(const VeConfig &config) {
    std::vector<std::pair<const ubc::Resource *, ubc::Value>> out;
    for (const ubc::Resource &res : ubc::resources()) {
        auto raw = ubc_setting(config, res);
        if (!raw)
            continue;
        auto value = ubc::parse_value(trim(*raw), res.unit);
        if (!value)
            throw Error(VZ_INVALID_PARAMETER_VALUE,
                        "Invalid value for " + std::string(res.key) + ": " + *raw);
        out.emplace_back(&res, *value);
    }
    return out;
}

void attach_ct(const VeConfig &config, pid_t init, const Cgroup &cgroup) {
    auto dev = Device::open();
    if (!dev)
        return;
    const auto limits = configured_limits(config);
    UniqueFd cgroup_fd = open_cgroup_dir(cgroup);
    dev->register_ct(config.ctid(), init, cgroup_fd.get());
    try {
        set_limits(*dev, config.ctid(), limits);
    } catch (const Error &) {
        dev->unregister_ct(config.ctid());
        throw;
    }
    log_debug(1, "Registered with the vzkit module, " + std::to_string(limits.size()) +
                     " UBC limits applied");
}

void apply_limits(const VeConfig &config, const std::vector<std::string> &keys) {
    auto dev = Device::open();
    if (!dev || !dev->running(config.ctid()))
        return;
    auto limits = configured_limits(config);
    std::erase_if(limits, [&](const auto &entry) {
        return std::ranges::find(keys, entry.first->key) == keys.end();
    });
    set_limits(*dev, config.ctid(), limits);
}

void detach_ct(Ctid ctid) {
    if (auto dev = Device::open())
        dev->unregister_ct(ctid);
}

} // namespace vz::kmod

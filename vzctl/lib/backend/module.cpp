// The vzkit module: start registers the container with its UBC limits before
// its init runs (and, for second-level quota on its own volume, names that
// file system), set changes limits live, stop forgets it; the figures come
// from /proc/bc as vzubc reads them.
#include "vzkit/backend/backend.h"

#include "vzkit/cgroup/cgroup.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/backend/device.h"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace vz {
namespace {

using Limits = std::vector<std::pair<const ubc::Resource *, ubc::Value>>;

// The cgroup the module reads memory figures from: the memory controller's
// directory (the unified one on v2).
UniqueFd open_cgroup_dir(const Cgroup &cgroup) {
    const auto dir = cgroup.path("memory");
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd)
        throw_errno(VZ_SETLUID_ERROR, "Unable to open " + dir.string());
    return fd;
}

void set_limits(const kmod::Device &dev, Ctid ctid, const Limits &limits) {
    for (const auto &[res, value] : limits)
        dev.set_limit(ctid, res->kernel_id, value.barrier, value.limit);
}

// What the container sees of its machine; a module that predates the views
// leaves its containers the host's files.
void set_view(const kmod::Device &dev, const CtConfig &config) {
    dev.set_view(config.ctid(), kmod::view_of(config));
}

// The keys that change what a running container sees of its machine.
constexpr std::array<std::string_view, 3> kViewKeys = {"MEMINFO", "CPUS", "CPULIMIT"};

// The device may be gone since the choice (the module unloaded): then there
// is nothing to do, as without it.
void attach(const CtConfig &config, pid_t init, const Cgroup &cgroup) {
    const kmod::Device *dev = kmod::Device::shared();
    if (!dev)
        return;
    const auto limits = kmod::configured_limits(config);
    UniqueFd cgroup_fd = open_cgroup_dir(cgroup);
    dev->register_ct(config.ctid(), init, cgroup_fd.get());
    try {
        set_limits(*dev, config.ctid(), limits);
        set_view(*dev, config);
    } catch (const Error &) {
        dev->unregister_ct(config.ctid());
        throw;
    }
    log_debug(1, "Registered with the vzkit module, " + std::to_string(limits.size()) +
                     " UBC limits applied");
}

// Does nothing when the container is not registered.
void apply_limits(const CtConfig &config, const std::vector<std::string> &keys) {
    const kmod::Device *dev = kmod::Device::shared();
    if (!dev || !dev->running(config.ctid()))
        return;
    if (std::ranges::any_of(keys, [](const std::string &key) {
            return std::ranges::find(kViewKeys, key) != kViewKeys.end();
        }))
        set_view(*dev, config);
    auto limits = kmod::configured_limits(config);
    std::erase_if(limits, [&](const auto &entry) {
        return std::ranges::find(keys, entry.first->key) == keys.end();
    });
    set_limits(*dev, config.ctid(), limits);
}

void detach(Ctid ctid) {
    if (const kmod::Device *dev = kmod::Device::shared())
        dev->unregister_ct(ctid);
}

std::optional<ubc::Beancounter> read_counters(Ctid ctid) {
    return ubc::read_beancounter(ctid);
}

// The module keeps the device of the file system VE_ROOT is on, not the
// descriptor; VE_ROOT is the host's path, its last component the mount point.
bool allow_ugid_quota(Ctid ctid, const std::filesystem::path &root) {
    const kmod::Device *dev = kmod::Device::shared();
    if (!dev)
        return false;
    UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to open " + root.string());
    return dev->set_ugid_quota(ctid, fd.get());
}

bool continue_counters(Ctid ctid, const ubc::Beancounter &saved) {
    const kmod::Device *dev = kmod::Device::shared();
    if (!dev)
        return false;
    std::array<ubc::Figures, kmod::kResources> history{};
    for (const auto &row : saved.rows) {
        const ubc::Resource *res = ubc::find_resource_by_name(row.resource);
        if (res && res->kernel_id >= 0 && static_cast<std::size_t>(res->kernel_id) < history.size())
            history[static_cast<std::size_t>(res->kernel_id)] = row;
    }
    return dev->add_history(ctid, history);
}

} // namespace

const Backend kModuleBackend = {
    .name = "module",
    .attach = attach,
    .apply_limits = apply_limits,
    .detach = detach,
    .read_counters = read_counters,
    .allow_ugid_quota = allow_ugid_quota,
    .continue_counters = continue_counters,
    .accounts_every_ubc = true,
    .answers_cpu_count = true,
};

} // namespace vz

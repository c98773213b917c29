// The kernel side of containers as a table of operations, in the manner of
// OpenVZ vzctl 4's vps_handler: the vzkit module (/dev/vzctl) or cgroups
// alone. The lifecycle asks backend() and never probes the kernel itself;
// backend() probes /dev/vzctl once per process.
#pragma once

#include "vzkit/ubc/proc.h"
#include "vzkit/base/ct_config.h"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

class Cgroup;

struct Backend {
    std::string_view name; // "module", "cgroup"
    // start, before the container's init runs: register it and apply every
    // UBC of its config. The cgroup (already populated) is where it is charged.
    void (*attach)(const CtConfig &config, pid_t init, const Cgroup &cgroup);
    // set, on a running container: the UBCs among the changed keys, live.
    void (*apply_limits)(const CtConfig &config, const std::vector<std::string> &keys);
    // stop, and a failed start's rollback: forget the container (no error
    // when it was not attached).
    void (*detach)(Ctid ctid);
    // The container's beancounter as this backend accounts it (what vzubc
    // shows); nullopt when it keeps none for it.
    std::optional<ubc::Beancounter> (*read_counters)(Ctid ctid);
    // start, after attach, for a container whose file system is its own (an
    // lvm volume) with second-level quota: let its root set and list every
    // uid's and gid's quota there from inside (docs/storage.md). root is
    // VE_ROOT, mounted. false when this backend cannot (its root then gets
    // EPERM from quotactl as on a stock kernel).
    bool (*allow_ugid_quota)(Ctid ctid, const std::filesystem::path &root);
    // restore, after attach: the restored container's maxheld and failcnt go
    // on from saved (what read_counters gave at its checkpoint). false when
    // this backend cannot (the counters start again from 0).
    bool (*continue_counters)(Ctid ctid, const ubc::Beancounter &saved);
    // Every UBC has a live figure; without it vzlist can only show the ones
    // cgroups account.
    bool accounts_every_ubc;
    // nproc and sched_getaffinity(2) show the container's CPUS without
    // pinning it; without that, CPUS pins (docs/containers.md, "Configuration → cgroups").
    bool answers_cpu_count;
};

// The vzkit module: /dev/vzctl's ioctls, /proc/bc for the figures.
extern const Backend kModuleBackend;
// Cgroups alone: the limits start and set apply to the container's cgroup
// are all there is; nothing to register, no beancounter.
extern const Backend kCgroupBackend;

// The backend of this process: the override if one is set, else what
// probe_backend() found on the first call.
const Backend &backend();
// For tests: every later backend() returns *choice; nullptr probes again.
void set_backend(const Backend *choice);

// The module when its device opens, or exists but refuses us (EACCES: the
// operations then fail as they did before this choice existed); cgroups when
// there is no device or no driver behind it.
const Backend &probe_backend();
const Backend &probe_backend(const std::filesystem::path &device);

} // namespace vz

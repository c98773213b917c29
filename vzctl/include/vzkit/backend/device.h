// The vzkit kernel module seen from user space: /dev/vzctl (register a
// container, its UBC limits, its beancounters). The lifecycle reaches it only
// through the module backend (vzkit/backend/backend.h), which is chosen when the
// device is there; without it containers run on cgroups alone.
#pragma once

#include "vzkit/base/fd.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/base/ct_config.h"

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace vz::kmod {

// Number of resource ids of the ABI (UB_RESOURCES).
inline constexpr int kResources = 25;

// What a container sees of its machine (VZCTL_VE_VIEW): /proc/meminfo and
// sysinfo(2) by OpenVZ's MEMINFO, and how many CPUs.
struct View {
    std::uint32_t meminfo_mode = 0; // VZKIT_MEMINFO_*: 0 from the memory cgroup
    std::uint64_t meminfo_val = 0;  // pages, or the privvmpages multiplier
    std::uint32_t cpus = 0;         // 0: every CPU it may run on
};

// A running container's uptime and load as its own /proc shows them.
struct CpuStat {
    double uptime_s = 0;
    std::array<double, 3> loadavg{}; // 1, 5 and 15 minutes
};

// An open /dev/vzctl. Failed ioctls throw Error with OpenVZ's exit codes
// (VZ_SETLUID_ERROR for registration, VZ_SETUBC_ERROR for limits).
class Device {
  public:
    // nullopt when the module is not loaded (no /dev/vzctl, or no driver
    // behind it); other failures (EACCES, ...) throw Error(VZ_BAD_KERNEL).
    static std::optional<Device> open();
    static std::optional<Device> open(const std::filesystem::path &path);
    // The device this process opened, once, on its first call: nullptr
    // without the module; throws as open() does (again on every call).
    static const Device *shared();

    // Binds ctid to the pid namespace of init and to the cgroup whose
    // directory cgroup_fd is open on.
    void register_ct(Ctid ctid, pid_t init, int cgroup_fd) const;
    // false when ctid was not registered.
    bool unregister_ct(Ctid ctid) const;
    bool running(Ctid ctid) const;
    void set_limit(Ctid ctid, int resource, std::uint64_t barrier, std::uint64_t limit) const;
    // The beancounter of ctid (0: the host), indexed by resource id.
    std::array<ubc::Figures, kResources> read(Ctid ctid) const;
    // What ctid sees of its machine; false when the module predates the
    // views (its containers see the host's files).
    bool set_view(Ctid ctid, const View &view) const;
    // nullopt when ctid does not run (or the module predates the views).
    std::optional<CpuStat> cpustat(Ctid ctid) const;
    // Lets the root of ctid administer user and group quota on the file
    // system fd is open on (VZCTL_VE_UGID_QUOTA); false when the module
    // predates it.
    bool set_ugid_quota(Ctid ctid, int fd) const;
    // A restored container's maxheld and failcnt go on from history (its
    // beancounter at the checkpoint, indexed by resource id;
    // VZCTL_SETBC_HISTORY); false when the module predates it.
    bool add_history(Ctid ctid, const std::array<ubc::Figures, kResources> &history) const;
    int fd() const { return fd_.get(); }

  private:
    explicit Device(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

// Every UBC the config sets, as (resource, value) in resource-id order.
// Throws Error(VZ_INVALID_PARAMETER_VALUE) for a value that does not parse.
std::vector<std::pair<const ubc::Resource *, ubc::Value>> configured_limits(const CtConfig &config);

// MEMINFO's grammar: none, pages:N or privvmpages:N with N > 0, as the view's
// mode and value; nullopt when the text does not parse.
std::optional<View> parse_meminfo(std::string_view text);

// The view of a config: MEMINFO (unset: the memory cgroup's figures) and as
// many CPUs as min(CPUS, CPULIMIT / 100 rounded up) says, 0 when neither is
// set. Throws Error(VZ_INVALID_PARAMETER_VALUE) for a MEMINFO that does not parse.
View view_of(const CtConfig &config);

} // namespace vz::kmod

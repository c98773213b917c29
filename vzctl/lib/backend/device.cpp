// /dev/vzctl: the ioctls of kmod/include/uapi/linux/vzkit.h.
#include "vzkit/backend/device.h"

#include "vzkit/base/error.h"

#include <algorithm>
#include <linux/vzkit.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace vz::kmod {
namespace {

static_assert(kResources == UB_RESOURCES);
static_assert(ubc::kUnlimited == UB_MAXVALUE);

std::string ct_name(Ctid ctid) {
    return ctid == 0 ? std::string("the host") : "container " + std::to_string(ctid);
}

// EINTR-safe ioctl; returns errno (0 on success).
int call(int fd, unsigned long request, void *arg) {
    int rc;
    do {
        rc = ioctl(fd, request, arg);
    } while (rc < 0 && errno == EINTR);
    return rc < 0 ? errno : 0;
}

} // namespace

std::optional<Device> Device::open() {
    return open(VZKIT_DEVICE);
}

std::optional<Device> Device::open(const std::filesystem::path &path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (fd)
        return Device(std::move(fd));
    if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
        return std::nullopt;
    throw_errno(VZ_BAD_KERNEL, "Unable to open " + path.string());
}

const Device *Device::shared() {
    // A throwing initialisation is tried again on the next call.
    static const std::optional<Device> device = open();
    return device ? &*device : nullptr;
}

void Device::register_ct(Ctid ctid, pid_t init, int cgroup_fd) const {
    vzctl_env_register req{};
    req.veid = ctid;
    req.init_pid = init;
    req.cgroup_fd = cgroup_fd;
    if (int err = call(fd(), VZCTL_ENV_REGISTER, &req)) {
        errno = err;
        throw_errno(VZ_SETLUID_ERROR,
                    "Unable to register " + ct_name(ctid) + " with the vzkit module");
    }
}

bool Device::unregister_ct(Ctid ctid) const {
    vzctl_env req{};
    req.veid = ctid;
    int err = call(fd(), VZCTL_ENV_UNREGISTER, &req);
    if (err == ESRCH)
        return false;
    if (err) {
        errno = err;
        throw_errno(VZ_SYSTEM_ERROR,
                    "Unable to unregister " + ct_name(ctid) + " from the vzkit module");
    }
    return true;
}

bool Device::running(Ctid ctid) const {
    vzctl_env req{};
    req.veid = ctid;
    int err = call(fd(), VZCTL_ENV_TEST, &req);
    if (err && err != ESRCH) {
        errno = err;
        throw_errno(VZ_SYSTEM_ERROR, "Unable to query " + ct_name(ctid));
    }
    return err == 0;
}

void Device::set_limit(Ctid ctid, int resource, std::uint64_t barrier, std::uint64_t limit) const {
    vzctl_setublimit req{};
    req.veid = ctid;
    req.resource = static_cast<__u32>(resource);
    // OpenVZ's configs may hold a barrier above the limit (vzctl set accepts
    // it); the module refuses that pair, and what is enforced is the lower.
    req.barrier = std::min(barrier, limit);
    req.limit = limit;
    if (int err = call(fd(), VZCTL_SETUBLIMIT, &req)) {
        errno = err;
        throw_errno(VZ_SETUBC_ERROR,
                    "setublimit " + std::to_string(resource) + " of " + ct_name(ctid) + " failed");
    }
}

std::array<ubc::Figures, kResources> Device::read(Ctid ctid) const {
    std::array<vzkit_ubparm, UB_RESOURCES> parms{};
    vzctl_getbc req{};
    req.veid = ctid;
    req.count = UB_RESOURCES;
    req.parms = reinterpret_cast<std::uintptr_t>(parms.data());
    if (int err = call(fd(), VZCTL_GETBC, &req)) {
        errno = err;
        throw_errno(err == ENOENT ? VZ_VE_NOT_RUNNING : VZ_SYSTEM_ERROR,
                    "Unable to read the beancounter of " + ct_name(ctid));
    }
    std::array<ubc::Figures, kResources> out;
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = {parms[i].held, parms[i].maxheld, parms[i].barrier, parms[i].limit,
                  parms[i].failcnt};
    return out;
}

bool Device::set_view(Ctid ctid, const View &view) const {
    vzctl_ve_view req{};
    req.veid = ctid;
    req.meminfo_mode = view.meminfo_mode;
    req.meminfo_val = view.meminfo_val;
    req.cpus = view.cpus;
    if (int err = call(fd(), VZCTL_VE_VIEW, &req)) {
        if (err == ENOTTY)
            return false;
        errno = err;
        throw_errno(VZ_SET_MEMINFO_ERROR, "Unable to set the view of " + ct_name(ctid));
    }
    return true;
}

bool Device::set_ugid_quota(Ctid ctid, int fd) const {
    vzctl_ve_ugid_quota req{};
    req.veid = ctid;
    req.fd = fd;
    if (int err = call(this->fd(), VZCTL_VE_UGID_QUOTA, &req)) {
        if (err == ENOTTY)
            return false;
        errno = err;
        throw_errno(VZ_SYSTEM_ERROR,
                    "Unable to give " + ct_name(ctid) + " its second-level quota in the vzkit module");
    }
    return true;
}

bool Device::add_history(Ctid ctid, const std::array<ubc::Figures, kResources> &history) const {
    std::array<vzkit_ubparm, UB_RESOURCES> parms{};
    for (std::size_t i = 0; i < history.size() && i < parms.size(); ++i) {
        parms[i].maxheld = history[i].maxheld;
        parms[i].failcnt = history[i].failcnt;
    }
    vzctl_getbc req{};
    req.veid = ctid;
    req.count = UB_RESOURCES;
    req.parms = reinterpret_cast<std::uintptr_t>(parms.data());
    if (int err = call(fd(), VZCTL_SETBC_HISTORY, &req)) {
        if (err == ENOTTY)
            return false;
        errno = err;
        throw_errno(VZ_SYSTEM_ERROR, "Unable to carry the beancounter history of " +
                                         ct_name(ctid) + " over its restore");
    }
    return true;
}

std::optional<CpuStat> Device::cpustat(Ctid ctid) const {
    vzctl_cpustat req{};
    req.veid = ctid;
    if (int err = call(fd(), VZCTL_GET_CPUSTAT, &req)) {
        if (err == ESRCH || err == ENOTTY)
            return std::nullopt;
        errno = err;
        throw_errno(VZ_SYSTEM_ERROR, "Unable to read the load of " + ct_name(ctid));
    }
    constexpr double kFixed1 = 1 << 11; // the kernel's FIXED_1
    CpuStat stat;
    stat.uptime_s = static_cast<double>(req.uptime_ns) / 1e9;
    for (std::size_t i = 0; i < stat.loadavg.size(); ++i)
        stat.loadavg[i] = static_cast<double>(req.avenrun[i]) / kFixed1;
    return stat;
}

} // namespace vz::kmod

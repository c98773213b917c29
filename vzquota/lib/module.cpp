// VZCTL_QUOTA_REGISTER and VZCTL_QUOTA_UNREGISTER on /dev/vzctl
// (kmod/include/uapi/linux/vzkit.h).
#include "vzkit/quota/module.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/quota/quota.h"

#include <linux/vzkit.h>

#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <string>

namespace vz::quota {
namespace {

// /dev/vzctl, or an empty fd when the module is not loaded.
UniqueFd open_device() {
    UniqueFd fd(::open(VZKIT_DEVICE, O_RDWR | O_CLOEXEC));
    if (!fd && errno != ENOENT && errno != ENODEV && errno != ENXIO)
        throw_errno(kExitKernel, std::string("Unable to open ") + VZKIT_DEVICE);
    return fd;
}

// EINTR-safe ioctl; returns errno (0 on success).
int call(int fd, unsigned long request, void *arg) {
    int rc;
    do {
        rc = ::ioctl(fd, request, arg);
    } while (rc < 0 && errno == EINTR);
    return rc < 0 ? errno : 0;
}

} // namespace

bool module_register(unsigned id, int dir_fd) {
    UniqueFd dev = open_device();
    if (!dev)
        return false;
    vzctl_quota_register req{};
    req.quota_id = id;
    req.fd = dir_fd;
    int err = call(dev.get(), VZCTL_QUOTA_REGISTER, &req);
    if (err == ENOTTY) // a module older than the quota requests
        return false;
    if (err) {
        errno = err;
        throw_errno(kExitKernel,
                    "Unable to register quota " + std::to_string(id) + " with the vzkit module");
    }
    return true;
}

void module_unregister(unsigned id) {
    UniqueFd dev = open_device();
    if (!dev)
        return;
    vzctl_quota req{};
    req.quota_id = id;
    int err = call(dev.get(), VZCTL_QUOTA_UNREGISTER, &req);
    if (err == ENOENT || err == ENOTTY)
        return;
    if (err) {
        errno = err;
        throw_errno(kExitKernel,
                    "Unable to unregister quota " + std::to_string(id) + " from the vzkit module");
    }
}

} // namespace vz::quota

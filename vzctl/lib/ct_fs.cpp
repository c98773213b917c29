#include "vzkit/ct_fs.h"

#include "vzkit/ct_state.h"
#include "vzkit/error.h"
#include "vzkit/hooks.h"
#include "vzkit/log.h"
#include "vzkit/util.h"

#include <sys/mount.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>

namespace vz {
namespace {

void bind_private(const VeConfig &config) {
    const auto root = config.ve_root();
    const auto priv = config.ve_private();
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    if (ec)
        throw Error(VZ_FS_MPOINTCREATE,
                    "Unable to create mount point " + root.string() + ": " + ec.message());
    if (mount(priv.c_str(), root.c_str(), nullptr, MS_BIND, nullptr) != 0)
        throw_errno(VZ_FS_CANTMOUNT, "Unable to mount " + priv.string() + " on " + root.string());
    // A private propagation keeps the host's later mounts out of the container
    // and the container's out of the host.
    mount(nullptr, root.c_str(), nullptr, MS_PRIVATE, nullptr);
}

// Mount points at or below root in this namespace, deepest first.
std::vector<std::string> mounts_below(const std::filesystem::path &root) {
    char resolved[PATH_MAX];
    if (!realpath(root.c_str(), resolved))
        return {};
    const std::string base = resolved;
    std::vector<std::string> found;
    for (auto &mount : parse_mountinfo(read_file("/proc/self/mountinfo").value_or("")))
        if (mount.mount_point == base || mount.mount_point.starts_with(base + "/"))
            found.push_back(std::move(mount.mount_point));
    std::ranges::reverse(found);
    return found;
}

} // namespace

void mount_ct(const VeConfig &config) {
    const auto priv = config.ve_private();
    std::error_code ec;
    if (!std::filesystem::is_directory(priv, ec))
        throw Error(VZ_FS_NOPRVT, "Container private area " + priv.string() + " does not exist");
    if (is_mounted(config)) {
        log_info("Container is already mounted");
        return;
    }
    run_mount_hooks(config, "premount");
    bind_private(config);
    try {
        run_mount_hooks(config, "mount");
    } catch (...) {
        umount2(config.ve_root().c_str(), MNT_DETACH);
        throw;
    }
    log_info("Container is mounted");
}

void umount_ct(const VeConfig &config) {
    if (!is_mounted(config))
        throw Error(VZ_FS_NOT_MOUNTED, "Container is not mounted");
    run_mount_hooks(config, "umount");
    for (const auto &point : mounts_below(config.ve_root())) {
        if (umount2(point.c_str(), 0) != 0 && umount2(point.c_str(), MNT_DETACH) != 0)
            throw_errno(VZ_FS_CANTUMOUNT, "Unable to unmount " + point);
    }
    run_mount_hooks(config, "postumount");
    log_info("Container is unmounted");
}

} // namespace vz

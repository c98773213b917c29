#include "vzkit/storage/mounts.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <sys/mount.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

namespace vz {
namespace {

// Mount points at or below root in this namespace, deepest first.
std::vector<std::string> mounts_below(const std::filesystem::path &root) {
    char resolved[PATH_MAX];
    if (!realpath(root.c_str(), resolved))
        return {};
    const std::string top = resolved;
    std::vector<std::string> found;
    for (auto &mount : parse_mountinfo(read_file("/proc/self/mountinfo").value_or("")))
        if (mount.mount_point == top || mount.mount_point.starts_with(top + "/"))
            found.push_back(std::move(mount.mount_point));
    std::ranges::reverse(found);
    return found;
}

} // namespace

void umount_below(const std::filesystem::path &root) {
    for (const auto &point : mounts_below(root))
        if (umount2(point.c_str(), 0) != 0 && umount2(point.c_str(), MNT_DETACH) != 0)
            throw_errno(VZ_FS_CANTUMOUNT, "Unable to unmount " + point);
}

} // namespace vz

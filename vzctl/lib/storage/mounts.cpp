#include "vzkit/storage/mounts.h"

#include "vzkit/base/error.h"
#include "vzkit/base/mount_table.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace vz {
namespace {

// Mount points at or below top in this namespace, deepest first, from
// mountinfo: a line per running container.
std::vector<std::string> from_mountinfo(const std::string &top) {
    std::vector<std::string> found;
    for (auto &mount : parse_mountinfo(read_file("/proc/self/mountinfo").value_or("")))
        if (mount.mount_point == top || mount.mount_point.starts_with(top + "/"))
            found.push_back(std::move(mount.mount_point));
    std::ranges::reverse(found);
    return found;
}

// The same from listmount (a few calls), starting at the topmost mount on top;
// nullopt where the kernel cannot answer so or top is no mount point.
std::optional<std::vector<std::string>> from_listmount(const std::string &top) {
    auto below = mounts_at_and_below(top);
    if (!below || below->empty() || below->front().mount_point != top)
        return std::nullopt;
    std::vector<std::string> found;
    for (auto &mount : *below)
        found.push_back(std::move(mount.mount_point));
    // Newest first, then deeper first: what is stacked on one point keeps
    // that order, top first.
    std::ranges::reverse(found);
    std::ranges::stable_sort(found, std::greater<>{}, [](const std::string &point) {
        return std::ranges::count(point, '/');
    });
    return found;
}

bool is_mount_root(const std::string &path) {
    struct statx stx {};
    return ::statx(AT_FDCWD, path.c_str(), AT_NO_AUTOMOUNT, 0, &stx) == 0 &&
           (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
            (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT));
}

void umount_all(const std::vector<std::string> &points) {
    for (const auto &point : points)
        if (umount2(point.c_str(), 0) != 0 && umount2(point.c_str(), MNT_DETACH) != 0)
            throw_errno(VZ_FS_CANTUMOUNT, "Unable to unmount " + point);
}

} // namespace

void umount_below(const std::filesystem::path &root) {
    char resolved[PATH_MAX];
    if (!realpath(root.c_str(), resolved))
        return;
    const std::string top = resolved;
    if (auto points = from_listmount(top)) {
        umount_all(*points);
        // A mount stacked under the topmost one on root is not below it.
        if (!is_mount_root(top))
            return;
    }
    umount_all(from_mountinfo(top));
}

} // namespace vz

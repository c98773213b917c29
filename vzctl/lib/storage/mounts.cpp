#include "vzkit/storage/mounts.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/log.h"
#include "vzkit/base/mount_table.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
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

// What the mountinfo says of dir: whether anything is mounted below it, and
// whether the mount it sits in (the longest mount point that is dir or an
// ancestor of it) is shared.
struct Surroundings {
    bool mounts_below = false;
    bool in_shared = false;
};

Surroundings surroundings_of(const std::string &dir) {
    Surroundings out;
    std::size_t longest = 0;
    for (const auto &mount : parse_mountinfo(read_file("/proc/self/mountinfo").value_or(""))) {
        const std::string &point = mount.mount_point;
        if (point.starts_with(dir + "/")) {
            out.mounts_below = true;
        } else if ((point == "/" || dir == point || dir.starts_with(point + "/")) &&
                   point.size() >= longest) {
            longest = point.size();
            out.in_shared = mount.shared;
        }
    }
    return out;
}

} // namespace

void separate_root_parent(const std::filesystem::path &ve_root) {
    std::error_code ec;
    const std::filesystem::path parent = ve_root.parent_path();
    std::filesystem::create_directories(parent, ec);
    char resolved[PATH_MAX];
    if (parent.empty() || !realpath(parent.c_str(), resolved) || is_mount_root(resolved))
        return;
    const std::string dir = resolved;
    // Serialises the starts that would make it; the lock is the directory's.
    UniqueFd fd(::open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::flock(fd.get(), LOCK_EX) != 0 || is_mount_root(dir))
        return;
    const Surroundings around = surroundings_of(dir);
    if (around.mounts_below) {
        log_debug(1, dir + " holds mounts (containers running since before it was a mount point); "
                           "it stays a directory");
        return;
    }
    // The bind joins the peer group of the mount it sits in, where the
    // containers' roots mounted on it would propagate back into that mount:
    // out of it first, then a group of its own if that one was shared.
    if (::mount(resolved, resolved, nullptr, MS_BIND, nullptr) != 0) {
        log_warning("Unable to make " + dir + " a mount point: " + std::strerror(errno));
        return;
    }
    if (::mount(nullptr, resolved, nullptr, MS_PRIVATE, nullptr) != 0 ||
        (around.in_shared && ::mount(nullptr, resolved, nullptr, MS_SHARED, nullptr) != 0)) {
        const int saved = errno;
        ::umount2(resolved, MNT_DETACH);
        log_warning("Unable to set the propagation of " + dir + ": " + std::strerror(saved));
        return;
    }
    log_debug(1, "Made " + dir + " a mount point of its own");
}

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

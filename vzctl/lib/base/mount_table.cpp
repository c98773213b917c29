#include "vzkit/base/mount_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <set>
#include <span>
#include <string>

namespace vz {
namespace {

// Linux 6.8+ UAPI (include/uapi/linux/mount.h, stat.h), newer than Debian
// 12's headers; the system call numbers are the same on every architecture.
constexpr long kSysStatmount = 457;
constexpr long kSysListmount = 458;
constexpr unsigned kStatxMntIdUnique = 0x4000;
constexpr __u64 kSbBasic = 0x01, kMntPoint = 0x10, kFsType = 0x20, kMntOpts = 0x80;
// What must be answered; the options are not set for a file system that
// shows none (cgroup2), nor by a kernel before 6.11.
constexpr __u64 kNeeded = kSbBasic | kMntPoint | kFsType;

struct MntIdReq {
    __u32 size;
    __u32 spare;
    __u64 mnt_id;
    __u64 param;
};

// struct statmount up to the strings, whose offsets are relative to its end.
struct Statmount {
    __u32 size;
    __u32 mnt_opts;
    __u64 mask;
    __u32 sb_dev_major;
    __u32 sb_dev_minor;
    __u64 sb_magic;
    __u32 sb_flags;
    __u32 fs_type;
    __u64 mnt_id;
    __u64 mnt_parent_id;
    __u32 mnt_id_old;
    __u32 mnt_parent_id_old;
    __u64 mnt_attr;
    __u64 mnt_propagation;
    __u64 mnt_peer_group;
    __u64 mnt_master;
    __u64 propagate_from;
    __u32 mnt_root;
    __u32 mnt_point;
    __u64 spare2[50];
};
static_assert(sizeof(Statmount) == 512, "the strings follow the 512-byte header");

// Enough for the few mounts below /sys/fs/cgroup or a VE_ROOT; more and the
// caller reads mountinfo.
constexpr std::size_t kMaxMounts = 512;

std::optional<MountInfo> stat_mount(__u64 id) {
    // For statmount, param is the mask of what to fill in.
    MntIdReq req{sizeof(MntIdReq), 0, id, kNeeded | kMntOpts};
    alignas(Statmount) std::array<char, 8192> buf{};
    if (::syscall(kSysStatmount, &req, buf.data(), buf.size(), 0) != 0)
        return std::nullopt;
    Statmount head{};
    std::memcpy(&head, buf.data(), sizeof head);
    if ((head.mask & kNeeded) != kNeeded || head.size > buf.size() || head.size < sizeof head)
        return std::nullopt;
    const char *str = buf.data() + sizeof head;
    const std::size_t room = head.size - sizeof head;
    const auto text = [&](__u32 offset) {
        return offset < room ? std::string(str + offset, ::strnlen(str + offset, room - offset))
                             : std::string();
    };
    MountInfo mount;
    mount.major_minor =
        std::to_string(head.sb_dev_major) + ":" + std::to_string(head.sb_dev_minor);
    mount.mount_point = text(head.mnt_point);
    mount.fs_type = text(head.fs_type);
    if (head.mask & kMntOpts)
        mount.super_options = text(head.mnt_opts);
    return mount;
}

// The id of the mount on path (its topmost one).
std::optional<__u64> mount_id_of(const std::filesystem::path &path) {
    struct statx stx {};
    if (::statx(AT_FDCWD, path.c_str(), AT_NO_AUTOMOUNT, kStatxMntIdUnique, &stx) != 0 ||
        !(stx.stx_mask & kStatxMntIdUnique))
        return std::nullopt;
    return stx.stx_mnt_id;
}

// top's mount, then each of ids', in that order; nullopt when one cannot be read.
template <typename Ids>
std::optional<std::vector<MountInfo>> stat_mounts(__u64 top, const Ids &ids) {
    std::vector<MountInfo> out;
    const auto add = [&](__u64 id) {
        auto mount = stat_mount(id);
        if (mount)
            out.push_back(std::move(*mount));
        return mount.has_value();
    };
    if (!add(top))
        return std::nullopt;
    for (const __u64 id : ids)
        if (!add(id))
            return std::nullopt;
    return out;
}

} // namespace

std::optional<std::vector<MountInfo>> mounts_at_and_below(const std::filesystem::path &path) {
    const auto top = mount_id_of(path);
    if (!top)
        return std::nullopt;
    MntIdReq req{sizeof(MntIdReq), 0, *top, 0};
    std::array<__u64, kMaxMounts> ids{};
    const long n = ::syscall(kSysListmount, &req, ids.data(), ids.size(), 0);
    if (n < 0 || static_cast<std::size_t>(n) >= ids.size())
        return std::nullopt;
    return stat_mounts(*top, std::span(ids.data(), static_cast<std::size_t>(n)));
}

std::optional<std::vector<MountInfo>>
mounts_at_and_directly_below(const std::filesystem::path &path) {
    const auto top = mount_id_of(path);
    if (!top)
        return std::nullopt;
    std::unique_ptr<DIR, int (*)(DIR *)> dir(opendir(path.c_str()), closedir);
    if (!dir)
        return std::nullopt;
    // In mount order (ascending ids), as listmount() gives them.
    std::set<__u64> ids;
    while (const dirent *e = readdir(dir.get())) {
        if (e->d_name[0] == '.')
            continue;
        struct statx child {};
        // A symlink (cpu -> cpu,cpuacct) is not followed: its target is listed itself.
        if (::statx(dirfd(dir.get()), e->d_name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
                    kStatxMntIdUnique, &child) == 0 &&
            (child.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
            (child.stx_attributes & STATX_ATTR_MOUNT_ROOT) && child.stx_mnt_id != *top)
            ids.insert(child.stx_mnt_id);
    }
    return stat_mounts(*top, ids);
}

} // namespace vz

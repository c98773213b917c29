// simfs: the private area is a directory tree (VE_PRIVATE) bind-mounted on
// VE_ROOT, what OpenVZ's simfs becomes on a stock kernel.
#include "vzkit/storage/layout.h"
#include "vzkit/storage/mounts.h"

#include "vzkit/base/error.h"
#include "vzkit/base/step.h"
#include "vzkit/base/log.h"
#include "vzkit/ct/template.h"
#include "vzkit/storage/quota.h"
#include "vzkit/base/util.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>
#include <utility>

namespace fs = std::filesystem;

namespace vz {
namespace {

bool exists(const CtConfig &config) {
    std::error_code ec;
    return fs::is_directory(config.ve_private(), ec);
}

void check_free_space(const fs::path &tarball, const fs::path &private_dir) {
    struct statvfs st {};
    fs::path parent = private_dir.parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (statvfs(parent.c_str(), &st) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to check free space on " + parent.string());
    const std::uint64_t available = std::uint64_t(st.f_bavail) * st.f_frsize;
    const std::uint64_t needed = estimate_unpacked_size(tarball);
    if (available < needed)
        throw Error(VZ_FS_NO_DISK_SPACE, "Not enough disk space on " + parent.string() +
                                             ": the template needs about " +
                                             std::to_string(needed / 1024) + " KB, " +
                                             std::to_string(available / 1024) + " KB available");
}

// The quota made for a create that did not finish goes with its tree.
class QuotaGuard {
  public:
    explicit QuotaGuard(const CtConfig &config) : config_(config) {}
    QuotaGuard(const QuotaGuard &) = delete;
    QuotaGuard &operator=(const QuotaGuard &) = delete;
    ~QuotaGuard() {
        if (!armed_)
            return;
        try {
            disk_quota_drop(config_);
        } catch (const Error &e) {
            log_warning(e.what());
        }
    }
    void arm() { armed_ = true; }
    void release() { armed_ = false; }

  private:
    const CtConfig &config_;
    bool armed_ = false;
};

// What a create or destroy killed halfway leaves beside the private area
// (the names are ours: the unpack's and the doomed tree's).
bool is_leftover(const fs::path &private_dir, const fs::path &entry) {
    const std::string base = private_dir.filename().string();
    const std::string name = entry.filename().string();
    return name == base + ".tmp" || name.starts_with(base + ".destroyed-");
}

void remove_leftovers(const fs::path &private_dir) {
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(private_dir.parent_path(), ec)) {
        std::error_code ec2;
        if (is_leftover(private_dir, entry.path()))
            fs::remove_all(entry.path(), ec2); // never follows a symlink
    }
}

// Unpacked beside the private area and renamed into place, so that an
// interrupted create never leaves a tree that looks like a container. The
// config is saved (commit) before that rename: killed in between, the
// container has a config and no private area, which status shows as deleted
// and create and destroy both handle; the other order would leave a tree no
// command owns. With a disk quota the empty tree is tagged first: the unpack
// is counted and limited as the container's own writes will be.
void unpack_into_place(const CtConfig &config, const fs::path &tarball,
                       const fs::path &private_dir, const std::function<void()> &commit) {
    fs::path tmp = private_dir;
    tmp += ".tmp";
    std::error_code ec;
    // A leftover of a create killed mid-unpack; we hold the CT lock, so nobody
    // else is working on it.
    fs::remove_all(tmp, ec);
    fs::create_directories(private_dir.parent_path(), ec);
    if (mkdir(tmp.c_str(), 0700) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to create " + tmp.string());
    RemoveGuard guard(tmp);
    QuotaGuard quota(config);
    if (disk_quota_wanted(config)) {
        quota.arm();
        disk_quota_init(config, tmp);
    }
    install_interrupt_handlers();
    unpack_template(tarball, tmp);
    check_interrupted();
    step("create.unpacked");
    if (fs::exists(private_dir) && rmdir(private_dir.c_str()) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to replace " + private_dir.string());
    commit();
    step("create.saved");
    if (rename(tmp.c_str(), private_dir.c_str()) != 0) {
        const int saved = errno;
        fs::remove(config.ct_conf_path(), ec);
        errno = saved;
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to move " + tmp.string() + " into place");
    }
    guard.release();
    if (disk_quota_wanted(config))
        disk_quota_moved(config);
    quota.release();
}

void create(const CtConfig &config, const TemplateSource &source,
            const std::function<void()> &commit) {
    const fs::path private_dir = config.ve_private();
    check_free_space(source.tarball, private_dir);
    log_info("Creating container private area (" + source.name + ")");
    unpack_into_place(config, source.tarball, private_dir, commit);
}

void mount(const CtConfig &config) {
    const auto root = config.ve_root();
    const auto priv = config.ve_private();
    std::error_code ec;
    fs::create_directories(root, ec);
    if (ec)
        throw Error(VZ_FS_MPOINTCREATE,
                    "Unable to create mount point " + root.string() + ": " + ec.message());
    if (disk_quota_wanted(config))
        disk_quota_on(config);
    if (::mount(priv.c_str(), root.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        const int saved = errno;
        disk_quota_off(config);
        errno = saved;
        throw_errno(VZ_FS_CANTMOUNT, "Unable to mount " + priv.string() + " on " + root.string());
    }
    // A private propagation keeps the host's later mounts out of the container
    // and the container's out of the host.
    ::mount(nullptr, root.c_str(), nullptr, MS_PRIVATE, nullptr);
}

void umount(const CtConfig &config) {
    umount_below(config.ve_root());
    disk_quota_off(config);
}

void destroy(const CtConfig &config) {
    const fs::path private_dir = config.ve_private();
    std::error_code ec;
    remove_leftovers(private_dir);
    if (!fs::exists(fs::symlink_status(private_dir, ec)))
        return;
    disk_quota_drop(config);
    log_info("Destroying container private area: " + private_dir.string());
    fs::path doomed = private_dir;
    if (!fs::is_symlink(private_dir, ec)) {
        // Renamed first, so a half-deleted tree never looks like a container.
        doomed += ".destroyed-" + std::to_string(getpid());
        if (rename(private_dir.c_str(), doomed.c_str()) != 0)
            throw_errno(VZ_FS_DEL_PRVT, "Unable to remove " + private_dir.string());
        step("destroy.renamed");
    }
    fs::remove_all(doomed, ec);
    if (ec)
        throw Error(VZ_FS_DEL_PRVT, "Unable to remove " + doomed.string() + ": " + ec.message());
}

// du's count: every inode once (hard links), symlinks not followed, what is
// allocated rather than the apparent size.
StorageUsage usage(const CtConfig &config) {
    const fs::path private_dir = config.ve_private();
    StorageUsage total;
    std::set<std::pair<dev_t, ino_t>> seen;
    auto add = [&](const fs::path &path) {
        struct stat st {};
        if (lstat(path.c_str(), &st) != 0)
            throw_errno(VZ_GET_QUOTA_USAGE, "Unable to stat " + path.string());
        if (!seen.emplace(st.st_dev, st.st_ino).second)
            return;
        total.bytes += std::uint64_t(st.st_blocks) * 512;
        ++total.inodes;
    };
    if (!exists(config))
        throw Error(VZ_FS_NOPRVT,
                    "Container private area " + private_dir.string() + " does not exist");
    add(private_dir);
    std::error_code ec;
    for (fs::recursive_directory_iterator it(private_dir, ec), end; !ec && it != end;
         it.increment(ec))
        add(it->path());
    if (ec)
        throw Error(VZ_GET_QUOTA_USAGE,
                    "Unable to read " + private_dir.string() + ": " + ec.message());
    return total;
}

// OpenVZ resizes and snapshots ploop images only; a simfs private area is a
// plain directory with neither a size nor a snapshot store.
void resize(const CtConfig &, std::uint64_t) {
    throw Error(VZ_PLOOP_UNSUP, "Layout simfs cannot resize a container's disk; "
                                "its size is the file system's it lives on");
}

void snapshot(const CtConfig &, const fs::path &) {
    throw Error(VZ_PLOOP_UNSUP, "Layout simfs cannot take snapshots");
}

} // namespace

const Layout kSimfsLayout = {
    .name = "simfs",
    .exists = exists,
    .create = create,
    .mount = mount,
    .umount = umount,
    .destroy = destroy,
    .usage = usage,
    .resize = resize,
    .snapshot = snapshot,
};

} // namespace vz

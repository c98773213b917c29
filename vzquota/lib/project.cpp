#include "vzkit/quota/project.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <unordered_set>

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif

namespace vz::quota {

namespace {

constexpr long kXfsMagic = 0x58465342;

struct FsKind {
    long magic;
    std::string_view name;
};
// The file systems whose statfs reports a project's quota on a directory
// with the inherit flag (docs/quota.md): what a container's df needs.
constexpr std::array<FsKind, 2> kProjectFs = {{{EXT4_SUPER_MAGIC, "ext4"}, {kXfsMagic, "xfs"}}};

int quotactl_fd(int fd, unsigned cmd, unsigned id, void *addr) {
    return static_cast<int>(::syscall(SYS_quotactl_fd, fd, cmd, id, addr));
}

// The mount holding dir: the deepest mount of the same device that is a
// prefix of dir (for messages only; dir itself and no type when none is).
struct MountOf {
    std::filesystem::path point;
    std::string type;
};
MountOf mount_of(const std::filesystem::path &dir, dev_t dev) {
    std::ifstream in("/proc/self/mountinfo");
    std::stringstream text;
    text << in.rdbuf();
    const std::string device = std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
    const std::string path = dir.string();
    MountOf best;
    for (const MountInfo &m : parse_mountinfo(text.str())) {
        if (m.major_minor != device)
            continue;
        const bool prefix = path == m.mount_point ||
                            (path.starts_with(m.mount_point) &&
                             (m.mount_point == "/" || path[m.mount_point.size()] == '/'));
        if (prefix && m.mount_point.size() >= best.point.string().size())
            best = {m.mount_point, m.fs_type};
    }
    if (best.point.empty())
        best.point = dir;
    return best;
}

// "tmpfs", or the magic number when mountinfo does not say.
std::string fs_name_of(const MountOf &mount, long magic) {
    if (!mount.type.empty())
        return mount.type;
    std::ostringstream hex;
    hex << "file system 0x" << std::hex << magic;
    return hex.str();
}

} // namespace

ProjectFs ProjectFs::open(const std::filesystem::path &dir, int code) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd)
        throw_errno(code, "Unable to open " + dir.string());
    struct statfs sfs {};
    struct stat st {};
    if (::fstatfs(fd.get(), &sfs) != 0 || ::fstat(fd.get(), &st) != 0)
        throw_errno(code, "Unable to stat " + dir.string());
    const auto kind = std::ranges::find(kProjectFs, static_cast<long>(sfs.f_type), &FsKind::magic);
    if (kind == kProjectFs.end()) {
        const MountOf mount = mount_of(dir, st.st_dev);
        throw Error(code, "Disk quota needs ext4 or XFS with project quota: " + dir.string() +
                              " is on " + fs_name_of(mount, sfs.f_type) + " (" +
                              mount.point.string() + ")");
    }
    fs_quota_stat qs{};
    const bool known = quotactl_fd(fd.get(), QCMD(Q_XGETQSTAT, PRJQUOTA), 0, &qs) == 0;
    if (!known || !(qs.qs_flags & FS_QUOTA_PDQ_ACCT) || !(qs.qs_flags & FS_QUOTA_PDQ_ENFD)) {
        const std::string how = kind->magic == EXT4_SUPER_MAGIC
                                    ? "needs the project feature (mkfs.ext4 -O quota,project) and "
                                      "the prjquota mount option"
                                    : "needs the prjquota mount option";
        throw Error(code, "Project quota is not enabled on " +
                              mount_of(dir, st.st_dev).point.string() + " (" +
                              std::string(kind->name) + "): disk quota " + how);
    }
    return ProjectFs(std::move(fd), std::string(kind->name), dir, code);
}

ProjectStat ProjectFs::stat(ProjectId id) const {
    if_dqblk q{};
    if (quotactl_fd(fd_.get(), QCMD(Q_GETQUOTA, PRJQUOTA), id, &q) != 0)
        throw_errno(code_, "Unable to read the quota of project " + std::to_string(id) + " on " +
                               dir_.string());
    ProjectStat out;
    out.limits = {q.dqb_bsoftlimit, q.dqb_bhardlimit, q.dqb_isoftlimit, q.dqb_ihardlimit};
    out.bytes = q.dqb_curspace;
    out.inodes = q.dqb_curinodes;
    out.block_expires = static_cast<std::int64_t>(q.dqb_btime);
    out.inode_expires = static_cast<std::int64_t>(q.dqb_itime);
    return out;
}

void ProjectFs::set_limits(ProjectId id, const ProjectLimits &limits) const {
    if_dqblk q{};
    q.dqb_bsoftlimit = limits.block_soft;
    q.dqb_bhardlimit = limits.block_hard;
    q.dqb_isoftlimit = limits.inode_soft;
    q.dqb_ihardlimit = limits.inode_hard;
    q.dqb_valid = QIF_LIMITS;
    if (quotactl_fd(fd_.get(), QCMD(Q_SETQUOTA, PRJQUOTA), id, &q) != 0)
        throw_errno(code_, "Unable to set the quota limits of project " + std::to_string(id) +
                               " on " + dir_.string());
}

std::pair<std::uint64_t, std::uint64_t> ProjectFs::grace() const {
    if_dqinfo info{};
    if (quotactl_fd(fd_.get(), QCMD(Q_GETINFO, PRJQUOTA), 0, &info) != 0)
        throw_errno(code_, "Unable to read the project quota grace times on " +
                               dir_.string());
    return {info.dqi_bgrace, info.dqi_igrace};
}

void ProjectFs::set_grace(std::uint64_t block_seconds, std::uint64_t inode_seconds) const {
    if_dqinfo info{};
    info.dqi_bgrace = block_seconds;
    info.dqi_igrace = inode_seconds;
    info.dqi_valid = IIF_BGRACE | IIF_IGRACE;
    if (quotactl_fd(fd_.get(), QCMD(Q_SETINFO, PRJQUOTA), 0, &info) != 0)
        throw_errno(code_, "Unable to set the project quota grace times on " +
                               dir_.string());
}

namespace {

struct DirCloser {
    void operator()(DIR *d) const { ::closedir(d); }
};
using DirStream = std::unique_ptr<DIR, DirCloser>;

// Walks a tree through directory fds only: nothing is looked up by path, no
// symlink is followed, so a container changing its tree under the walk can
// only make an entry fail, never send the walk elsewhere.
class Tagger {
  public:
    Tagger(ProjectId id, int code, int crosses_mounts_code)
        : id_(id), code_(code), crosses_mounts_code_(crosses_mounts_code) {}

    TreeScan run(const std::filesystem::path &root) {
        UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd)
            throw_errno(code_, "Unable to open " + root.string());
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0)
            throw_errno(code_, "Unable to stat " + root.string());
        dev_ = st.st_dev;
        count(st);
        tag(fd.get(), true, root);
        walk(std::move(fd), root);
        return scan_;
    }

  private:
    void count(const struct stat &st) {
        if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen_.insert(st.st_ino).second)
            return;
        scan_.inodes += 1;
        scan_.bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
    }

    void tag(int fd, bool dir, const std::filesystem::path &where) {
        fsxattr attr{};
        if (::ioctl(fd, FS_IOC_FSGETXATTR, &attr) != 0)
            throw_errno(code_, "Unable to read the project of " + where.string());
        const unsigned flags = dir ? attr.fsx_xflags | FS_XFLAG_PROJINHERIT : attr.fsx_xflags;
        if (attr.fsx_projid == id_ && flags == attr.fsx_xflags)
            return;
        attr.fsx_projid = id_;
        attr.fsx_xflags = flags;
        if (::ioctl(fd, FS_IOC_FSSETXATTR, &attr) != 0)
            throw_errno(code_, "Unable to set project " + std::to_string(id_) + " on " +
                                   where.string());
    }

    void walk(UniqueFd dir_fd, const std::filesystem::path &where) {
        const int fd = dir_fd.get();
        DirStream dir(::fdopendir(dir_fd.release()));
        if (!dir)
            throw_errno(code_, "Unable to read " + where.string());
        std::vector<std::string> subdirs;
        while (dirent *e = ::readdir(dir.get())) {
            const std::string_view name = e->d_name;
            if (name == "." || name == "..")
                continue;
            entry(fd, std::string(name), where, subdirs);
        }
        for (const std::string &name : subdirs) {
            UniqueFd sub(::openat(fd, name.c_str(),
                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub)
                throw_errno(code_, "Unable to open " + (where / name).string());
            walk(std::move(sub), where / name);
        }
    }

    void entry(int dirfd, const std::string &name, const std::filesystem::path &where,
               std::vector<std::string> &subdirs) {
        const std::filesystem::path path = where / name;
        struct stat st {};
        if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                return; // gone while we walked
            throw_errno(code_, "Unable to stat " + path.string());
        }
        if (st.st_dev != dev_)
            throw Error(crosses_mounts_code_, path.string() + " is a mount point: the quota tree must be one "
                                               "file system");
        if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
            const int dir_flag = S_ISDIR(st.st_mode) ? O_DIRECTORY : 0;
            UniqueFd fd(::openat(dirfd, name.c_str(),
                                 O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
                                     dir_flag));
            struct stat now {};
            if (!fd || ::fstat(fd.get(), &now) != 0 || now.st_ino != st.st_ino ||
                now.st_dev != st.st_dev)
                throw_errno(code_, "Unable to open " + path.string());
            tag(fd.get(), S_ISDIR(st.st_mode), path);
            count(st);
            if (S_ISDIR(st.st_mode))
                subdirs.push_back(name);
            return;
        }
        recreate(dirfd, name, st, path);
    }

    // Symlinks, devices, fifos and sockets cannot be opened for the tagging
    // ioctl: a twin made in the (already tagged) directory inherits the
    // project, then replaces the original.
    void recreate(int dirfd, const std::string &name, const struct stat &st,
                  const std::filesystem::path &path) {
        const std::string tmp = ".vzquota." + std::to_string(rng_());
        int rc;
        if (S_ISLNK(st.st_mode)) {
            std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
            const ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
            if (n < 0 || static_cast<std::size_t>(n) >= target.size())
                throw_errno(code_, "Unable to read the link " + path.string());
            target.resize(static_cast<std::size_t>(n));
            rc = ::symlinkat(target.c_str(), dirfd, tmp.c_str());
        } else {
            rc = ::mknodat(dirfd, tmp.c_str(), st.st_mode, st.st_rdev);
        }
        if (rc != 0)
            throw_errno(code_, "Unable to re-create " + path.string() + " in its project");
        const timespec times[2] = {st.st_atim, st.st_mtim};
        if (::fchownat(dirfd, tmp.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 ||
            (!S_ISLNK(st.st_mode) &&
             ::fchmodat(dirfd, tmp.c_str(), st.st_mode & 07777, 0) != 0) ||
            ::utimensat(dirfd, tmp.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0 ||
            ::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) {
            const int saved = errno;
            ::unlinkat(dirfd, tmp.c_str(), 0);
            errno = saved;
            throw_errno(code_, "Unable to re-create " + path.string() + " in its project");
        }
        ++scan_.recreated;
        struct stat made {};
        count(::fstatat(dirfd, name.c_str(), &made, AT_SYMLINK_NOFOLLOW) == 0 ? made : st);
    }

    ProjectId id_;
    int code_;
    int crosses_mounts_code_;
    dev_t dev_ = 0;
    TreeScan scan_;
    std::unordered_set<ino_t> seen_;
    std::minstd_rand rng_{static_cast<unsigned>(::getpid()) ^ static_cast<unsigned>(::time(nullptr))};
};

} // namespace

TreeScan tag_tree(const std::filesystem::path &root, ProjectId id, int code,
                  int crosses_mounts_code) {
    return Tagger(id, code, crosses_mounts_code).run(root);
}

} // namespace vz::quota

#include "vzkit/quota/quota.h"

#include "vzkit/base/config.h"
#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/util.h"
#include "vzkit/quota/module.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace vz::quota {

Limits LimitChanges::applied_to(Limits limits) const {
    const auto take = [](auto &field, const auto &change) {
        if (change)
            field = *change;
    };
    take(limits.project.block_soft, block_soft);
    take(limits.project.block_hard, block_hard);
    take(limits.project.inode_soft, inode_soft);
    take(limits.project.inode_hard, inode_hard);
    take(limits.block_grace, block_grace);
    take(limits.inode_grace, inode_grace);
    take(limits.ugid_limit, ugid_limit);
    return limits;
}

std::filesystem::path quota_dir() {
    const char *dir = std::getenv("VZQUOTA_DIR");
    return dir && *dir ? std::filesystem::path(dir) : std::filesystem::path("/var/vzquota");
}

std::filesystem::path quota_file_path(unsigned id) {
    return quota_dir() / ("quota." + std::to_string(id));
}

bool quota_file_exists(unsigned id) {
    std::error_code ec;
    return std::filesystem::exists(quota_file_path(id), ec);
}

namespace {

std::filesystem::path lock_path(unsigned id) {
    return quota_dir() / ("quota." + std::to_string(id) + ".lck");
}

// The quota file's keys, one row per number it keeps.
struct NumberKey {
    std::string_view key;
    std::uint64_t QuotaFile::*top = nullptr;
    std::uint64_t ProjectLimits::*limit = nullptr;
    std::uint64_t Limits::*grace = nullptr;
};
constexpr std::array<NumberKey, 8> kNumbers = {{
    {"BLOCK_SOFTLIMIT", nullptr, &ProjectLimits::block_soft},
    {"BLOCK_HARDLIMIT", nullptr, &ProjectLimits::block_hard},
    {"INODE_SOFTLIMIT", nullptr, &ProjectLimits::inode_soft},
    {"INODE_HARDLIMIT", nullptr, &ProjectLimits::inode_hard},
    {"BLOCK_GRACE", nullptr, nullptr, &Limits::block_grace},
    {"INODE_GRACE", nullptr, nullptr, &Limits::inode_grace},
    {"USAGE_BYTES", &QuotaFile::bytes},
    {"USAGE_INODES", &QuotaFile::inodes},
}};

std::uint64_t &field_of(QuotaFile &file, const NumberKey &row) {
    if (row.top)
        return file.*row.top;
    if (row.limit)
        return file.limits.project.*row.limit;
    return file.limits.*row.grace;
}

constexpr std::string_view kVersion = "1";

// Held while an operation reads and writes the quota file: a second vzquota
// on the same id is refused at once, as OpenVZ's flock(LOCK_NB) did.
class QuotaLock {
  public:
    explicit QuotaLock(unsigned id) {
        std::error_code ec;
        std::filesystem::create_directories(quota_dir(), ec);
        if (ec)
            throw Error(kExitQuotaFile, "Unable to create " + quota_dir().string() + ": " +
                                            ec.message());
        const auto path = lock_path(id);
        fd_ = UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd_)
            throw_errno(kExitQuotaFile, "Unable to open " + path.string());
        if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
            if (errno == EWOULDBLOCK)
                throw Error(kExitLock, "Quota file of id " + std::to_string(id) +
                                           " is locked by another vzquota");
            throw_errno(kExitQuotaFile, "Unable to lock " + path.string());
        }
    }

  private:
    UniqueFd fd_;
};

void write_quota_file(const QuotaFile &file) {
    ConfigFile out = ConfigFile::parse("# vzquota state of quota id " + std::to_string(file.id) +
                                       ": written by vzquota, do not edit\n");
    out.set("VERSION", kVersion);
    out.set("PATH", file.path.string());
    out.set("STATE", file.on ? "on" : "off");
    out.set("DIRTY", file.dirty ? "yes" : "no");
    QuotaFile copy = file;
    for (const NumberKey &row : kNumbers)
        out.set(row.key, std::to_string(field_of(copy, row)));
    out.set("UGID_LIMIT", std::to_string(file.limits.ugid_limit));
    out.save(quota_file_path(file.id));
}

[[noreturn]] void corrupt(unsigned id, std::string_view what) {
    throw Error(kExitQuotaFile, "Quota file " + quota_file_path(id).string() + " is corrupt: " +
                                    std::string(what) + "; vzquota init rebuilds it");
}

ProjectFs open_fs(const QuotaFile &file) {
    return ProjectFs::open(file.path, kExitKernel);
}

// The kernel's limits for the file's: the file system's grace when the quota
// names one (the kernel keeps one per file system), then the project's. In
// that order: a soft limit set below the usage starts the timer at once,
// with the grace the file system has at that moment.
void apply_limits(const ProjectFs &fs, const QuotaFile &file) {
    if (file.limits.block_grace != 0 || file.limits.inode_grace != 0) {
        const auto [block, inode] = fs.grace();
        const std::uint64_t want_block = file.limits.block_grace ? file.limits.block_grace : block;
        const std::uint64_t want_inode = file.limits.inode_grace ? file.limits.inode_grace : inode;
        if (want_block != block || want_inode != inode)
            fs.set_grace(want_block, want_inode);
    }
    fs.set_limits(file.id, file.limits.project);
}

// Tags the tree with the limits cleared (moving a file into a project is
// charged against its limits), dirty on disk until it is done.
void rescan(const ProjectFs &fs, QuotaFile &file) {
    fs.set_limits(file.id, {});
    file.dirty = true;
    write_quota_file(file);
    tag_tree(file.path, file.id, kExitSystem, kExitCrossesMounts);
    file.dirty = false;
}

Report report_of(const QuotaFile &file, const ProjectStat &stat) {
    Report r{file, stat.bytes, stat.inodes, stat.block_expires, stat.inode_expires};
    r.file.bytes = stat.bytes;
    r.file.inodes = stat.inodes;
    return r;
}

Report kernel_report(const ProjectFs &fs, QuotaFile &file) {
    const ProjectStat stat = fs.stat(file.id);
    file.bytes = stat.bytes;
    file.inodes = stat.inodes;
    return report_of(file, stat);
}

// OpenVZ's check: a hard limit below the soft one is a usage error (0 is
// no limit, so 0 below a soft limit is one too, as OpenVZ had it).
void check_limits(const Limits &limits) {
    const ProjectLimits &l = limits.project;
    if (l.block_hard < l.block_soft)
        throw Error(kExitUsage, "block_hard_limit [" + std::to_string(l.block_hard) +
                                    "] < block_soft_limit [" + std::to_string(l.block_soft) + "]");
    if (l.inode_hard < l.inode_soft)
        throw Error(kExitUsage, "inode_hard_limit [" + std::to_string(l.inode_hard) +
                                    "] < inode_soft_limit [" + std::to_string(l.inode_soft) + "]");
    // ext4 and XFS keep a grace period in 32 bits (quotactl's if_dqinfo has
    // 64, and the kernel drops the high half): refuse what would wrap.
    constexpr std::uint64_t kMaxGrace = 0xffffffffu;
    if (limits.block_grace > kMaxGrace || limits.inode_grace > kMaxGrace)
        throw Error(kExitUsage, "Grace period [" +
                                    std::to_string(std::max(limits.block_grace, limits.inode_grace)) +
                                    "] is longer than the kernel keeps (" +
                                    std::to_string(kMaxGrace) + " seconds)");
}

void require_directory(const std::filesystem::path &path) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec))
        throw Error(kExitNoMountPoint, "Quota tree " + path.string() + " is not a directory");
}

} // namespace

QuotaFile read_quota_file(unsigned id) {
    const auto path = quota_file_path(id);
    if (!std::filesystem::exists(path))
        throw Error(kExitNoQuotaFile, "Quota file " + path.string() +
                                          " does not exist: vzquota init " + std::to_string(id) +
                                          " makes it");
    // A file that cannot be read (a directory, an I/O error) is as broken
    // as one that does not parse: the quota file's code, not the system's.
    const ConfigFile in = [&] {
        try {
            return ConfigFile::load(path);
        } catch (const Error &e) {
            throw Error(kExitQuotaFile, e.what());
        }
    }();
    if (in.get("VERSION") != kVersion)
        corrupt(id, "unknown VERSION");
    QuotaFile file;
    file.id = id;
    file.path = in.get("PATH").value_or("");
    if (file.path.empty() || !file.path.is_absolute())
        corrupt(id, "PATH");
    const auto state = in.get("STATE");
    const auto dirty = in.get("DIRTY");
    if ((state != "on" && state != "off") || (dirty != "yes" && dirty != "no"))
        corrupt(id, "STATE or DIRTY");
    file.on = state == "on";
    file.dirty = dirty == "yes";
    for (const NumberKey &row : kNumbers) {
        const auto value = parse_number<std::uint64_t>(in.get(row.key).value_or(""));
        if (!value)
            corrupt(id, row.key);
        field_of(file, row) = *value;
    }
    const auto ugid = parse_number<std::uint32_t>(in.get("UGID_LIMIT").value_or(""));
    if (!ugid)
        corrupt(id, "UGID_LIMIT");
    file.limits.ugid_limit = *ugid;
    return file;
}

Report init(unsigned id, const std::filesystem::path &path, const Limits &limits) {
    if (!path.is_absolute())
        throw Error(kExitUsage, "Quota tree " + path.string() + " is not an absolute path");
    require_directory(path);
    check_limits(limits);
    // Before the lock: on a file system without project quota, init leaves
    // nothing behind, not even the lock file.
    const ProjectFs fs = ProjectFs::open(path.lexically_normal(), kExitKernel);
    QuotaLock lock(id);
    if (quota_file_exists(id) && read_quota_file(id).on)
        throw Error(kExitRunning, "Quota is running, stop it first");
    QuotaFile file;
    file.id = id;
    file.path = path.lexically_normal();
    file.limits = limits;
    rescan(fs, file);
    Report r = kernel_report(fs, file);
    write_quota_file(file);
    return r;
}

Report on(unsigned id, const std::optional<std::filesystem::path> &path,
          const LimitChanges &changes, bool force) {
    QuotaLock lock(id);
    QuotaFile file = read_quota_file(id);
    if (file.on && !force)
        throw Error(kExitRunning, "Quota is running for id " + std::to_string(id) + " already");
    // Another tree (the private area moved, or -p names a new one): its
    // inodes carry whatever project they had, so it is tagged and counted
    // before the limits mean anything, as OpenVZ's vzquota on -p forced a
    // rescan.
    const bool moved = path && path->lexically_normal() != file.path;
    if (moved)
        file.path = path->lexically_normal();
    require_directory(file.path);
    file.limits = changes.applied_to(file.limits);
    check_limits(file.limits);
    const ProjectFs fs = open_fs(file);
    if (file.dirty || force || moved)
        rescan(fs, file);
    apply_limits(fs, file);
    // /proc/vz/vzquota shows it while it is on (when the module is loaded).
    module_register(id, fs.fd());
    file.on = true;
    Report r = kernel_report(fs, file);
    write_quota_file(file);
    return r;
}

void off(unsigned id, bool force) {
    QuotaLock lock(id);
    QuotaFile file = read_quota_file(id);
    if (!file.on && !force)
        throw Error(kExitNotRunning, "Quota is not running for id " + std::to_string(id));
    try {
        const ProjectFs fs = open_fs(file);
        fs.set_limits(id, {});
        kernel_report(fs, file);
        module_unregister(id);
    } catch (const Error &) {
        if (!force)
            throw;
    }
    file.on = false;
    write_quota_file(file);
}

void drop(unsigned id, bool force) {
    QuotaLock lock(id);
    const QuotaFile file = read_quota_file(id);
    if (file.on && !force)
        throw Error(kExitRunning, "Quota is running for id " + std::to_string(id) +
                                      ": vzquota off first");
    std::error_code ec;
    if (std::filesystem::is_directory(file.path, ec)) {
        try {
            open_fs(file).set_limits(id, {});
        } catch (const Error &) {
            if (!force)
                throw;
        }
    }
    try {
        module_unregister(id);
    } catch (const Error &) {
        if (!force)
            throw;
    }
    if (::unlink(quota_file_path(id).c_str()) != 0)
        throw_errno(kExitQuotaFile, "Unable to remove " + quota_file_path(id).string());
    // A later command on this id makes a new lock file; nothing else is left.
    ::unlink(lock_path(id).c_str());
}

Report setlimit(unsigned id, const LimitChanges &changes) {
    QuotaLock lock(id);
    QuotaFile file = read_quota_file(id);
    file.limits = changes.applied_to(file.limits);
    check_limits(file.limits);
    Report r{file, file.bytes, file.inodes, 0, 0};
    if (file.on) {
        const ProjectFs fs = open_fs(file);
        apply_limits(fs, file);
        r = kernel_report(fs, file);
    }
    write_quota_file(file);
    return r;
}

Report stat(unsigned id) {
    QuotaFile file = read_quota_file(id);
    if (!file.on)
        throw Error(kExitNotRunning, "Quota is not running for id " + std::to_string(id));
    const ProjectFs fs = open_fs(file);
    return kernel_report(fs, file);
}

Report show(unsigned id) {
    const QuotaFile file = read_quota_file(id);
    return Report{file, file.bytes, file.inodes, 0, 0};
}

} // namespace vz::quota

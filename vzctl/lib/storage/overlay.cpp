// overlay: a read-only base per template version, shared by every container
// made from it; each container's private area is an overlayfs upper and work
// directory mounted over the base on VE_ROOT (see vzkit/storage/overlay.h and
// docs/storage.md).
//
// The store, $TEMPLATE/base/:
//   .lock                 flock: shared by create (base made and private area
//                         committed), exclusive by gc
//   .<id>.lock            flock: one unpack of one base at a time
//   <id>/root             the unpacked template, never written once renamed here
//   <id>/info             what it was made from
//   .tmp-<id>-<pid>       an unpack under way (or killed: removed by the next)
// A private area, VE_PRIVATE/:
//   base                  the id of its base
//   upper/                the container's own files (overlayfs upperdir)
//   work/                 overlayfs workdir
// The container owns everything below upper/: the host walks it (usage,
// destroy) through directory fds only, never following a symlink nor leaving
// the file system.
#include "vzkit/storage/overlay.h"

#include "vzkit/base/error.h"
#include "vzkit/base/step.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/lock.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/ct/template.h"
#include "vzkit/storage/mounts.h"
#include "vzkit/storage/quota.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <set>
#include <utility>

namespace fs = std::filesystem;

namespace vz {
namespace {

constexpr const char *kMarker = "base";
constexpr const char *kUpper = "upper";
constexpr const char *kWork = "work";

// ---- walking a tree the container owns ----------------------------------------

struct DirCloser {
    void operator()(DIR *d) const { ::closedir(d); }
};
using DirStream = std::unique_ptr<DIR, DirCloser>;

struct Level {
    std::vector<std::string> subdirs;
    std::size_t next = 0;
    dev_t dev = 0;
    ino_t ino = 0;
};

UniqueFd open_dir_at(int dirfd, const char *name) {
    return UniqueFd(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

// Visits every entry below the directory root: entry(dirfd, name, stat) for
// each (directories before their contents), leave(dirfd, name) after a
// directory's contents. Only directory fds, never a path: a symlink is an
// entry like any other and never followed; a directory of another file
// system (a mount point) stops the walk with Error(code). At most three fds
// open whatever the depth: the walk goes back up through "..", checked
// against the directory it came from.
template <class Entry, class Leave>
void walk_tree(UniqueFd root, const fs::path &where, int code, Entry &&entry, Leave &&leave) {
    struct stat root_st {};
    if (::fstat(root.get(), &root_st) != 0)
        throw_errno(code, "Unable to stat " + where.string());
    const dev_t dev = root_st.st_dev;
    auto scan = [&](int fd, const struct stat &self) {
        Level level;
        level.dev = self.st_dev;
        level.ino = self.st_ino;
        DirStream dir(::fdopendir(::fcntl(fd, F_DUPFD_CLOEXEC, 0)));
        if (!dir)
            throw_errno(code, "Unable to read a directory of " + where.string());
        ::rewinddir(dir.get());
        while (dirent *e = ::readdir(dir.get())) {
            const std::string_view name = e->d_name;
            if (name == "." || name == "..")
                continue;
            struct stat st {};
            if (::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT)
                    continue; // gone while we walked
                throw_errno(code, "Unable to stat " + std::string(name) + " in " + where.string());
            }
            if (S_ISDIR(st.st_mode) && st.st_dev != dev)
                throw Error(code, "A file system is mounted in " + where.string() + " (" +
                                      std::string(name) + "); unmount it first");
            entry(fd, e->d_name, st);
            if (S_ISDIR(st.st_mode))
                level.subdirs.emplace_back(name);
        }
        return level;
    };
    std::vector<Level> stack;
    std::vector<std::string> names;
    UniqueFd cur = std::move(root);
    stack.push_back(scan(cur.get(), root_st));
    while (!stack.empty()) {
        Level &top = stack.back();
        if (top.next < top.subdirs.size()) {
            const std::string name = top.subdirs[top.next++];
            UniqueFd sub = open_dir_at(cur.get(), name.c_str());
            if (!sub) {
                if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
                    continue; // replaced while we walked: not followed
                throw_errno(code, "Unable to open " + name + " in " + where.string());
            }
            struct stat st {};
            if (::fstat(sub.get(), &st) != 0)
                throw_errno(code, "Unable to stat " + name + " in " + where.string());
            if (st.st_dev != dev)
                throw Error(code, "A file system is mounted in " + where.string() + " (" + name +
                                      "); unmount it first");
            names.push_back(name);
            cur = std::move(sub);
            stack.push_back(scan(cur.get(), st));
            continue;
        }
        stack.pop_back();
        if (stack.empty())
            break;
        UniqueFd parent(::openat(cur.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        struct stat st {};
        if (!parent || ::fstat(parent.get(), &st) != 0 || st.st_dev != stack.back().dev ||
            st.st_ino != stack.back().ino)
            throw Error(code, where.string() + " changed while it was walked");
        cur = std::move(parent);
        leave(cur.get(), names.back().c_str());
        names.pop_back();
    }
}

// Removes the directory name in parent and everything below it.
void remove_tree_at(int parent, const std::string &name, const fs::path &where, int code) {
    UniqueFd root = open_dir_at(parent, name.c_str());
    if (!root) {
        if (errno == ENOENT)
            return;
        throw_errno(code, "Unable to open " + where.string());
    }
    walk_tree(
        std::move(root), where, code,
        [&](int dirfd, const char *entry, const struct stat &st) {
            if (!S_ISDIR(st.st_mode) && ::unlinkat(dirfd, entry, 0) != 0 && errno != ENOENT)
                throw_errno(code, "Unable to remove " + std::string(entry) + " in " +
                                      where.string());
        },
        [&](int dirfd, const char *dir) {
            if (::unlinkat(dirfd, dir, AT_REMOVEDIR) != 0 && errno != ENOENT)
                throw_errno(code, "Unable to remove " + std::string(dir) + " in " + where.string());
        });
    if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
        throw_errno(code, "Unable to remove " + where.string());
}

// A host path whose parent is the host's: opened by path, the last part not followed.
void remove_tree(const fs::path &path, int code) {
    UniqueFd parent(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent) {
        if (errno == ENOENT)
            return;
        throw_errno(code, "Unable to open " + path.parent_path().string());
    }
    struct stat st {};
    if (::fstatat(parent.get(), path.filename().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        if (::unlinkat(parent.get(), path.filename().c_str(), 0) != 0)
            throw_errno(code, "Unable to remove " + path.string());
        return;
    }
    remove_tree_at(parent.get(), path.filename(), path, code);
}

// The temporary of an operation that did not finish, removed the safe way.
class TreeGuard {
  public:
    explicit TreeGuard(fs::path path) : path_(std::move(path)) {}
    TreeGuard(const TreeGuard &) = delete;
    TreeGuard &operator=(const TreeGuard &) = delete;
    ~TreeGuard() {
        if (path_.empty())
            return;
        try {
            remove_tree(path_, VZ_FS_NEW_VE_PRVT);
        } catch (const Error &e) {
            log_warning(e.what());
        }
    }
    void release() { path_.clear(); }

  private:
    fs::path path_;
};

// ---- the store ---------------------------------------------------------------

// FNV-1a, 64 bits.
class Fnv {
  public:
    void add(const void *data, std::size_t size) {
        const auto *p = static_cast<const unsigned char *>(data);
        for (std::size_t i = 0; i < size; ++i)
            h_ = (h_ ^ p[i]) * 1099511628211ULL;
    }
    template <class T> void add_value(const T &v) { add(&v, sizeof v); }
    std::uint64_t value() const { return h_; }

  private:
    std::uint64_t h_ = 14695981039346656037ULL;
};

// A template tarball's version, read in time independent of its size: its
// identity and mtime, its size and its first and last 64 KiB. A tarball
// replaced or rewritten gets a new base; the one before stays for the
// containers using it.
std::string version_of(const fs::path &tarball) {
    UniqueFd fd(::open(tarball.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0)
        throw_errno(VZ_OSTEMPLATE_NOT_FOUND, "Unable to open " + tarball.string());
    Fnv h;
    h.add_value(std::uint64_t(st.st_dev));
    h.add_value(std::uint64_t(st.st_ino));
    h.add_value(std::uint64_t(st.st_size));
    h.add_value(std::int64_t(st.st_mtim.tv_sec));
    h.add_value(std::int64_t(st.st_mtim.tv_nsec));
    std::array<char, 65536> buf{};
    for (off_t at : {off_t(0), std::max<off_t>(0, st.st_size - off_t(buf.size()))}) {
        const ssize_t n = ::pread(fd.get(), buf.data(), buf.size(), at);
        if (n < 0)
            throw_errno(VZ_FS_BAD_TMPL, "Unable to read " + tarball.string());
        h.add(buf.data(), std::size_t(n));
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h.value()));
    return hex;
}

// <ostemplate>-<version>, the template name kept to letters, digits and ._+-.
std::string base_id(const TemplateSource &source) {
    std::string name = source.name;
    for (char &c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("._+-").find(c) ==
                                                                 std::string_view::npos)
            c = '_';
    return name + "-" + version_of(source.tarball);
}

bool valid_id(std::string_view id) {
    return !id.empty() && id.size() < 200 && id.front() != '.' &&
           std::ranges::all_of(id, [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) ||
                      std::string_view("._+-").find(c) != std::string_view::npos;
           });
}

void make_dir(const fs::path &path, mode_t mode, int code) {
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
        throw_errno(code, "Unable to create " + path.string());
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0)
        throw Error(code, path.string() + " is not a directory of root's");
    ::chmod(path.c_str(), mode);
}

fs::path store_of(const CtConfig &config) {
    return config.template_dir() / "base";
}

void check_free_space(const fs::path &tarball, const fs::path &dir) {
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to check free space on " + dir.string());
    const std::uint64_t available = std::uint64_t(st.f_bavail) * st.f_frsize;
    const std::uint64_t needed = estimate_unpacked_size(tarball);
    if (available < needed)
        throw Error(VZ_FS_NO_DISK_SPACE, "Not enough disk space on " + dir.string() +
                                             " for the template's base: it needs about " +
                                             std::to_string(needed / 1024) + " KB, " +
                                             std::to_string(available / 1024) + " KB available");
}

// Leftovers of unpacks or removals that did not finish: <prefix>* in the store.
void remove_leftovers(const fs::path &store, const std::string &prefix) {
    std::error_code ec;
    for (fs::directory_iterator it(store, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename();
        if (name.starts_with(prefix)) {
            log_info("Removing " + it->path().string() + ", left by an interrupted operation");
            remove_tree(it->path(), VZ_FS_NEW_VE_PRVT);
        }
    }
}

// The base of source, unpacked when there is none yet: into a temporary
// directory renamed into place, so that a base that exists is complete. The
// caller holds the store's lock shared; the base's own lock makes concurrent
// creates from one template unpack it once.
fs::path ensure_base(const fs::path &store, const TemplateSource &source, const std::string &id) {
    FileLock lock(store / ("." + id + ".lock"), LOCK_EX, VZ_FS_NEW_VE_PRVT);
    const fs::path dir = store / id;
    struct stat st {};
    if (::lstat((dir / "root").c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return dir;
    if (::lstat(dir.c_str(), &st) == 0)
        throw Error(VZ_FS_BAD_TMPL, "Template base " + dir.string() +
                                        " is incomplete (no root/): remove it by hand");
    remove_leftovers(store, ".tmp-" + id + "-");
    check_free_space(source.tarball, store);
    log_info("Unpacking the template " + source.name + " into its shared base " + dir.string());
    const fs::path tmp = store / (".tmp-" + id + "-" + std::to_string(::getpid()));
    if (::mkdir(tmp.c_str(), 0700) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to create " + tmp.string());
    TreeGuard guard(tmp);
    if (::mkdir((tmp / "root").c_str(), 0755) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to create " + (tmp / "root").string());
    install_interrupt_handlers();
    unpack_template(source.tarball, tmp / "root");
    check_interrupted();
    write_file(tmp / "info", "tarball=" + source.tarball.string() + "\ntemplate=" + source.name +
                                 "\nmade=" + std::to_string(std::time(nullptr)) + "\n");
    // On disk before its name says it is complete (of this file system only).
    {
        UniqueFd tmp_fd(::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!tmp_fd || ::syncfs(tmp_fd.get()) != 0)
            throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to sync " + tmp.string());
    }
    if (::rename(tmp.c_str(), dir.c_str()) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to move " + tmp.string() + " into place");
    guard.release();
    return dir;
}

// The marker's id, nullopt when there is no marker or it is not one.
std::optional<std::string> marker_of(const fs::path &private_dir) {
    UniqueFd fd(::open((private_dir / kMarker).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd)
        return std::nullopt;
    char buf[256];
    const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0)
        return std::nullopt;
    std::string id(trim(std::string_view(buf, std::size_t(n))));
    return valid_id(id) ? std::optional(id) : std::nullopt;
}

std::string lowerdir_of(const fs::path &base_dir) {
    return (base_dir / "root").string();
}

// ---- the layout --------------------------------------------------------------

bool exists(const CtConfig &config) {
    std::error_code ec;
    return fs::is_directory(config.ve_private() / kUpper, ec);
}

// overlayfs's mount options are split at ',' and ':' and unescape '\'.
void check_option_path(const fs::path &path) {
    if (path.string().find_first_of(",:\\") != std::string::npos)
        throw Error(VZ_FS_NEW_VE_PRVT, "Path " + path.string() +
                                           " has a ',', ':' or '\\', which overlayfs "
                                           "cannot take; the overlay layout needs another");
}

void create(const CtConfig &config, const TemplateSource &source,
            const std::function<void()> &commit) {
    const fs::path private_dir = config.ve_private();
    const fs::path store = store_of(config);
    check_option_path(private_dir);
    check_option_path(store);
    std::error_code ec;
    fs::create_directories(store.parent_path(), ec);
    make_dir(store, 0700, VZ_FS_NEW_VE_PRVT);
    // Held until the config is written: gc sees either no container or one
    // that names its base.
    FileLock store_lock(store / ".lock", LOCK_SH, VZ_FS_NEW_VE_PRVT);
    const std::string id = base_id(source);
    const fs::path base = ensure_base(store, source, id);
    struct stat root_st {};
    if (::stat((base / "root").c_str(), &root_st) != 0)
        throw_errno(VZ_FS_BAD_TMPL, "Unable to stat " + (base / "root").string());

    log_info("Creating container private area (" + source.name + " over base " + id + ")");
    fs::path tmp = private_dir;
    tmp += ".tmp";
    remove_tree(tmp, VZ_FS_NEW_VE_PRVT); // a create killed before; we hold the CT lock
    fs::create_directories(private_dir.parent_path(), ec);
    if (::mkdir(tmp.c_str(), 0700) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to create " + tmp.string());
    TreeGuard guard(tmp);
    const fs::path upper = tmp / kUpper;
    if (::mkdir(upper.c_str(), 0700) != 0 || ::mkdir((tmp / kWork).c_str(), 0700) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to create " + upper.string());
    // The container's / looks as the template's.
    if (::chown(upper.c_str(), root_st.st_uid, root_st.st_gid) != 0 ||
        ::chmod(upper.c_str(), root_st.st_mode & 07777) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to set the owner of " + upper.string());
    {
        UniqueFd marker(::open((tmp / kMarker).c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        const std::string text = id + "\n";
        if (!marker || ::write(marker.get(), text.data(), text.size()) != ssize_t(text.size()))
            throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to write " + (tmp / kMarker).string());
    }
    bool quota = false;
    try {
        if (disk_quota_wanted(config)) {
            quota = true;
            disk_quota_init(config, tmp);
        }
        if (fs::exists(private_dir) && ::rmdir(private_dir.c_str()) != 0)
            throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to replace " + private_dir.string());
        // The config before the tree takes its place, as Layout::create says.
        commit();
        step("create.saved");
        if (::rename(tmp.c_str(), private_dir.c_str()) != 0) {
            const int saved = errno;
            fs::remove(config.ct_conf_path(), ec);
            errno = saved;
            throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to move " + tmp.string() + " into place");
        }
        guard.release();
        if (quota)
            disk_quota_moved(config);
    } catch (...) {
        if (quota) {
            try {
                disk_quota_drop(config);
            } catch (const Error &e) {
                log_warning(e.what());
            }
        }
        throw;
    }
}

void mount(const CtConfig &config) {
    const fs::path root = config.ve_root();
    const fs::path priv = config.ve_private();
    const auto id = marker_of(priv);
    if (!id)
        throw Error(VZ_FS_NOPRVT, "Container private area " + priv.string() +
                                      " names no template base (no " + kMarker + " file)");
    const fs::path base = store_of(config) / *id;
    std::error_code ec;
    if (!fs::is_directory(base / "root", ec))
        throw Error(VZ_FS_CANTMOUNT, "Template base " + base.string() + " of the container is missing");
    check_option_path(priv);
    check_option_path(base);
    fs::create_directories(root, ec);
    if (ec)
        throw Error(VZ_FS_MPOINTCREATE,
                    "Unable to create mount point " + root.string() + ": " + ec.message());
    if (disk_quota_wanted(config))
        disk_quota_on(config);
    // Redirects neither made nor followed (plain "off" follows them when the
    // kernel is built with redirect_always_follow), no metacopy: the upper
    // directory is the container's, so nothing in it may point overlayfs at
    // another lower file; no index (nothing here needs hard links kept
    // across copy-up or NFS export).
    const std::string options = "lowerdir=" + lowerdir_of(base) +
                                ",upperdir=" + (priv / kUpper).string() +
                                ",workdir=" + (priv / kWork).string() +
                                ",redirect_dir=nofollow,metacopy=off,index=off";
    if (::mount("overlay", root.c_str(), "overlay", 0, options.c_str()) != 0) {
        const int saved = errno;
        disk_quota_off(config);
        errno = saved;
        throw_errno(VZ_FS_CANTMOUNT, "Unable to mount the overlay of " + priv.string() + " on " +
                                         root.string());
    }
    ::mount(nullptr, root.c_str(), nullptr, MS_PRIVATE, nullptr);
}

void umount(const CtConfig &config) {
    umount_below(config.ve_root());
    disk_quota_off(config);
}

// Whether the base's template tarball is still the one it was made from.
bool base_current(const fs::path &base_dir) {
    const auto info = read_file(base_dir / "info");
    if (!info)
        return false;
    std::string tarball, name;
    for (const auto &line : split(*info, '\n')) {
        if (line.starts_with("tarball="))
            tarball = line.substr(8);
        if (line.starts_with("template="))
            name = line.substr(9);
    }
    std::error_code ec;
    if (tarball.empty() || !fs::exists(tarball, ec))
        return false;
    try {
        return base_id({tarball, name}) == base_dir.filename().string();
    } catch (const Error &) {
        return false;
    }
}

std::vector<OverlayBase> scan_bases(const CtConfig &config);
void remove_base(const fs::path &store, const std::string &id);

void destroy(const CtConfig &config) {
    const fs::path private_dir = config.ve_private();
    struct stat st {};
    if (::lstat(private_dir.c_str(), &st) != 0)
        return;
    disk_quota_drop(config);
    const auto id = marker_of(private_dir);
    log_info("Destroying container private area: " + private_dir.string());
    fs::path doomed = private_dir;
    if (S_ISDIR(st.st_mode)) {
        doomed += ".destroyed-" + std::to_string(::getpid());
        if (::rename(private_dir.c_str(), doomed.c_str()) != 0)
            throw_errno(VZ_FS_DEL_PRVT, "Unable to remove " + private_dir.string());
    }
    remove_tree(doomed, VZ_FS_DEL_PRVT);
    // A base whose template has changed since can serve no new container:
    // its last user takes it along. A current one stays for the next create
    // (vzctl template gc removes it).
    if (!id)
        return;
    const fs::path store = store_of(config);
    try {
        FileLock lock(store / ".lock", LOCK_EX, VZ_FS_NEW_VE_PRVT);
        for (const auto &b : scan_bases(config))
            if (b.id == *id && b.users.empty() && !b.mounted && !b.current) {
                log_info("Removing template base " + b.dir.string() + ": its last user is gone "
                         "and its template has changed");
                remove_base(store, b.id);
            }
    } catch (const Error &e) {
        log_warning(e.what());
    }
}

// The container's own files: the upper directory, every inode once, symlinks
// not followed.
StorageUsage usage(const CtConfig &config) {
    const fs::path upper = config.ve_private() / kUpper;
    UniqueFd root(::open(upper.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root)
        throw Error(VZ_FS_NOPRVT, "Container private area " + config.ve_private().string() +
                                      " does not exist");
    StorageUsage total;
    std::set<std::pair<dev_t, ino_t>> seen;
    auto add = [&](const struct stat &st) {
        if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen.emplace(st.st_dev, st.st_ino).second)
            return;
        total.bytes += std::uint64_t(st.st_blocks) * 512;
        ++total.inodes;
    };
    struct stat st {};
    if (::fstat(root.get(), &st) != 0)
        throw_errno(VZ_GET_QUOTA_USAGE, "Unable to stat " + upper.string());
    add(st);
    walk_tree(
        std::move(root), upper, VZ_GET_QUOTA_USAGE,
        [&](int, const char *, const struct stat &entry) { add(entry); }, [](int, const char *) {});
    return total;
}

void resize(const CtConfig &, std::uint64_t) {
    throw Error(VZ_PLOOP_UNSUP, "Layout overlay cannot resize a container's disk: its changes "
                                "are a directory; --diskspace limits them");
}

// A copy of the upper directory of a running container is no consistent
// snapshot, and of a stopped one a plain copy does as well.
void snapshot(const CtConfig &, const fs::path &) {
    throw Error(VZ_PLOOP_UNSUP, "Layout overlay cannot take snapshots");
}

// ---- the store's bases -------------------------------------------------------

std::vector<OverlayBase> scan_bases(const CtConfig &config) {
    const fs::path store = store_of(config);
    std::vector<OverlayBase> bases;
    std::error_code ec;
    for (fs::directory_iterator it(store, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename();
        std::error_code ec2;
        if (!valid_id(name) || !it->is_directory(ec2) || it->is_symlink(ec2))
            continue;
        bases.push_back({name, it->path(), {}, false, base_current(it->path())});
    }
    std::ranges::sort(bases, {}, &OverlayBase::id);
    auto find = [&](std::string_view id) {
        auto b = std::ranges::find(bases, id, &OverlayBase::id);
        return b == bases.end() ? nullptr : &*b;
    };
    // Users: every container config naming the overlay layout and a private
    // area with a marker.
    const ConfigFile global = ConfigFile::load(global_conf_path());
    for (fs::directory_iterator it(ct_conf_dir(), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename();
        if (!name.ends_with(".conf"))
            continue;
        const auto ctid = parse_number<Ctid>(name.substr(0, name.size() - 5));
        if (!ctid || *ctid == 0)
            continue;
        try {
            const CtConfig ct = CtConfig::load(*ctid, global);
            if (ct.get_or("VE_LAYOUT", "") != "overlay")
                continue;
            if (const auto id = marker_of(ct.ve_private()))
                if (auto *b = find(*id))
                    b->users.push_back(*ctid);
        } catch (const Error &) {
            // a config that does not load names no base
        }
    }
    for (auto &b : bases)
        std::ranges::sort(b.users);
    // Mounts: whatever overlay in this namespace has a base as its lower
    // layer, config or not.
    for (const auto &m : parse_mountinfo(read_file("/proc/self/mountinfo").value_or("")))
        if (m.fs_type == "overlay")
            for (auto &b : bases)
                if (m.super_options.find("lowerdir=" + lowerdir_of(b.dir)) != std::string::npos)
                    b.mounted = true;
    return bases;
}

void remove_base(const fs::path &store, const std::string &id) {
    const fs::path doomed = store / (".gc-" + id + "-" + std::to_string(::getpid()));
    if (::rename((store / id).c_str(), doomed.c_str()) != 0)
        throw_errno(VZ_FS_DEL_PRVT, "Unable to remove " + (store / id).string());
    remove_tree(doomed, VZ_FS_DEL_PRVT);
    ::unlink((store / ("." + id + ".lock")).c_str());
}

} // namespace

const Layout kOverlayLayout = {
    .name = "overlay",
    .exists = exists,
    .create = create,
    .mount = mount,
    .umount = umount,
    .destroy = destroy,
    .usage = usage,
    .resize = resize,
    .snapshot = snapshot,
};

fs::path overlay_store(const CtConfig &config) {
    return store_of(config);
}

std::vector<OverlayBase> overlay_bases(const CtConfig &config) {
    const fs::path store = store_of(config);
    std::error_code ec;
    if (!fs::is_directory(store, ec))
        return {};
    FileLock lock(store / ".lock", LOCK_SH, VZ_FS_NEW_VE_PRVT);
    return scan_bases(config);
}

std::vector<std::string> overlay_gc(const CtConfig &config) {
    const fs::path store = store_of(config);
    std::error_code ec;
    if (!fs::is_directory(store, ec))
        return {};
    FileLock lock(store / ".lock", LOCK_EX, VZ_FS_NEW_VE_PRVT);
    remove_leftovers(store, ".tmp-");
    remove_leftovers(store, ".gc-");
    std::vector<std::string> removed;
    for (const auto &b : scan_bases(config)) {
        if (!b.users.empty() || b.mounted)
            continue;
        log_info("Removing unused template base " + b.dir.string());
        remove_base(store, b.id);
        removed.push_back(b.id);
    }
    return removed;
}

} // namespace vz

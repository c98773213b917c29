#include "vzkit/dist/ct_root.h"

#include "vzkit/base/error.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

namespace vz::dist {
namespace {

std::pair<std::string_view, std::string_view> split_dir(std::string_view path) {
    const auto slash = path.rfind('/');
    if (slash == std::string_view::npos)
        return {"/", path};
    return {slash == 0 ? std::string_view("/") : path.substr(0, slash), path.substr(slash + 1)};
}

[[noreturn]] void write_failed(std::string_view path) {
    throw_errno(VZ_FS_NO_DISK_SPACE, "Unable to write " + std::string(path) + " in the container");
}

// What fd holds, up to max bytes (a little more may be read, then cut).
std::string read_up_to(int fd, size_t max) {
    std::string text;
    char buf[4096];
    ssize_t n;
    while (text.size() < max && (n = ::read(fd, buf, sizeof(buf))) > 0)
        text.append(buf, static_cast<size_t>(n));
    if (text.size() > max)
        text.resize(max);
    return text;
}

} // namespace

CtRoot CtRoot::at(const std::filesystem::path &dir) {
    return CtRoot(UniqueFd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)));
}

CtRoot CtRoot::of_init(pid_t init) {
    // The magic link is the host's own /proc, resolved once: from here on
    // every path is resolved below this root.
    const std::string link = "/proc/" + std::to_string(init) + "/root";
    CtRoot root(UniqueFd(::open(link.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)));
    if (!root.valid())
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to open the container's root");
    return root;
}

UniqueFd CtRoot::open(std::string_view path, int flags) const {
    open_how how{};
    // openat2() refuses O_PATH combined with anything but a few flags.
    if (!(flags & O_PATH))
        flags |= O_NOCTTY;
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const std::string rel(path);
    return UniqueFd(
        static_cast<int>(syscall(SYS_openat2, root_.get(), rel.c_str(), &how, sizeof(how))));
}

bool CtRoot::exists(std::string_view path, bool want_dir) const {
    UniqueFd fd = open(path, O_PATH);
    struct stat st {};
    if (!fd || fstat(fd.get(), &st) != 0)
        return false;
    return want_dir ? S_ISDIR(st.st_mode) : true;
}

std::optional<std::string> CtRoot::read(std::string_view path, size_t max_bytes) const {
    // O_NONBLOCK: a FIFO in its place must not hang the host.
    UniqueFd fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st {};
    if (!fd || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    return read_up_to(fd.get(), max_bytes);
}

std::vector<std::string> CtRoot::regular_files(std::string_view dir) const {
    std::vector<std::string> out;
    UniqueFd fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (!fd)
        return out;
    std::unique_ptr<DIR, int (*)(DIR *)> d(fdopendir(fd.get()), closedir);
    if (!d)
        return out;
    (void)fd.release(); // the DIR owns it now
    while (const dirent *e = readdir(d.get())) {
        struct stat st {};
        if (fstatat(dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode))
            out.emplace_back(e->d_name);
    }
    return out;
}

UniqueFd CtRoot::open_dir(std::string_view dir, bool create) const {
    UniqueFd fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd || !create || errno != ENOENT)
        return fd;
    // mkdir -p: each missing component made in the one before it, which was
    // itself resolved inside the container's root.
    UniqueFd cur = open("/", O_RDONLY | O_DIRECTORY);
    size_t end = 0;
    while (cur && end < dir.size()) {
        const size_t start = dir.find_first_not_of('/', end);
        if (start == std::string_view::npos)
            break;
        end = std::min(dir.find('/', start), dir.size());
        const std::string name(dir.substr(start, end - start));
        if (mkdirat(cur.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
            return {};
        cur = open(dir.substr(0, end), O_RDONLY | O_DIRECTORY);
    }
    return cur;
}

bool CtRoot::write(std::string_view path, std::string_view text, std::optional<mode_t> mode) const {
    const auto [dir, name] = split_dir(path);
    UniqueFd dfd = open_dir(dir, true);
    if (!dfd)
        write_failed(path);
    // The file it replaces: a regular file's owner and mode are kept, and an
    // identical one is left alone.
    struct stat old {};
    const bool had =
        fstatat(dfd.get(), std::string(name).c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(old.st_mode);
    const mode_t want = mode ? *mode : had ? (old.st_mode & 07777) : 0644;
    if (had && (old.st_mode & 07777) == want) {
        UniqueFd cur(openat(dfd.get(), std::string(name).c_str(),
                            O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        // One byte more than the text: a longer file is not the same.
        if (cur && read_up_to(cur.get(), text.size() + 1) == text)
            return false;
    }
    const int wdir = dfd.get();
    static unsigned serial = 0;
    const std::string tmp =
        std::string(name) + ".vzctl." + std::to_string(getpid()) + "." + std::to_string(serial++);
    UniqueFd out(
        openat(wdir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out)
        write_failed(path);
    auto fail = [&] {
        const int saved = errno;
        unlinkat(wdir, tmp.c_str(), 0);
        errno = saved;
        write_failed(path);
    };
    if (!write_all(out.get(), text.data(), text.size()))
        fail();
    if (had && fchown(out.get(), old.st_uid, old.st_gid) != 0)
        fail();
    if (fchmod(out.get(), want) != 0)
        fail();
    if (renameat(wdir, tmp.c_str(), wdir, std::string(name).c_str()) != 0)
        fail();
    return true;
}

void CtRoot::remove(std::string_view path) const {
    const auto [dir, name] = split_dir(path);
    if (UniqueFd dfd = open_dir(dir, false))
        unlinkat(dfd.get(), std::string(name).c_str(), 0);
}

} // namespace vz::dist

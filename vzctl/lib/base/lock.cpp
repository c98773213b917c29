#include "vzkit/base/lock.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace vz {
namespace {

constexpr int kAttempts = 3;
constexpr auto kReadRetryDelay = std::chrono::milliseconds(500);

// mkdir -p with OpenVZ's 0755, rather than create_directories' 0777 & umask.
void make_lock_dir(const std::filesystem::path &dir) {
    std::filesystem::path prefix;
    for (const auto &part : dir) {
        prefix /= part;
        if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
            throw_errno(VZ_SYSTEM_ERROR, "Unable to create lock directory " + prefix.string());
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error(VZ_SYSTEM_ERROR, "Lock directory " + dir.string() + " is not a directory");
}

// The temp file only exists to be link()ed; it goes whatever happens.
RemoveGuard create_temp(const std::filesystem::path &dir, Ctid ctid, std::string_view status) {
    std::string templ = (dir / (std::to_string(ctid) + ".lckXXXXXX")).string();
    UniqueFd fd(::mkostemp(templ.data(), O_CLOEXEC));
    if (!fd) {
        if (errno == EROFS)
            throw Error(VZ_SYSTEM_ERROR, "Unable to create lock file in " + dir.string() +
                                             ": read-only file system; use --skiplock");
        throw_errno(VZ_SYSTEM_ERROR, "Unable to create lock file in " + dir.string());
    }
    RemoveGuard temp(templ);
    const std::string content = std::to_string(::getpid()) + "\n" + std::string(status) + "\n";
    if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
        throw_errno(VZ_SYSTEM_ERROR, "Unable to write lock file " + templ);
    return temp;
}

// First line of a lock file as a pid; nullopt for anything else (garbage).
std::optional<pid_t> parse_lock_pid(std::string_view content) {
    std::string_view first = content.substr(0, content.find('\n'));
    auto pid = parse_number<pid_t>(first);
    if (!pid || *pid <= 0)
        return std::nullopt;
    return pid;
}

std::string process_cmdline(pid_t pid) {
    auto raw = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    std::string cmdline = raw ? join(split(*raw, '\0'), " ") : std::string();
    if (cmdline.empty()) {
        auto comm = read_file("/proc/" + std::to_string(pid) + "/comm");
        cmdline = comm ? "[" + std::string(trim(*comm)) + "]" : "unknown";
    }
    return cmdline;
}

enum class Holder { Gone, Unreadable, Stale, Alive };

struct Inspection {
    Holder holder = Holder::Gone;
    pid_t pid = 0;
};

// Reads the existing lock; a stale one is removed here, while we still hold
// its fd, and only if the path still names the file we read.
Inspection inspect_lock(const std::filesystem::path &lock) {
    UniqueFd fd(::open(lock.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        return {errno == ENOENT ? Holder::Gone : Holder::Unreadable, 0};
    char buf[256];
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0)
        return {Holder::Unreadable, 0};
    auto pid = parse_lock_pid(std::string_view(buf, static_cast<std::size_t>(n)));
    if (pid && process_alive(*pid))
        return {Holder::Alive, *pid};
    struct stat ours {
    }, now{};
    // Narrows the race with another process that removed the same stale lock
    // and already linked its own in its place.
    if (::fstat(fd.get(), &ours) == 0 && ::lstat(lock.c_str(), &now) == 0 &&
        ours.st_dev == now.st_dev && ours.st_ino == now.st_ino)
        ::unlink(lock.c_str());
    return {Holder::Stale, pid.value_or(0)};
}

void unlink_if_ours(const std::filesystem::path &lock) {
    if (lock.empty())
        return;
    // A forked child carries a copy of the lock object; only the process
    // named in the file may remove it.
    auto content = read_file(lock);
    if (content && parse_lock_pid(*content) == ::getpid())
        ::unlink(lock.c_str());
}

} // namespace

CtLock CtLock::acquire(const std::filesystem::path &lock_dir, Ctid ctid, std::string_view status) {
    make_lock_dir(lock_dir);
    const std::filesystem::path lock = lock_dir / (std::to_string(ctid) + ".lck");
    RemoveGuard temp = create_temp(lock_dir, ctid, status);
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        if (::link(temp.path().c_str(), lock.c_str()) == 0)
            return CtLock(lock);
        if (errno != EEXIST)
            throw_errno(VZ_SYSTEM_ERROR, "Unable to create lock file " + lock.string());
        Inspection found = inspect_lock(lock);
        if (found.holder == Holder::Alive)
            throw Error(VZ_LOCKED, "Container already locked by pid " + std::to_string(found.pid) +
                                       " (" + process_cmdline(found.pid) + ")");
        if (found.holder == Holder::Unreadable)
            std::this_thread::sleep_for(kReadRetryDelay);
    }
    throw Error(VZ_LOCKED, "Unable to lock container " + std::to_string(ctid) + ": " +
                               lock.string() + " cannot be taken over");
}

CtLock::CtLock(CtLock &&other) noexcept : path_(std::exchange(other.path_, {})) {}

CtLock &CtLock::operator=(CtLock &&other) noexcept {
    if (this != &other) {
        unlink_if_ours(path_);
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

CtLock::~CtLock() {
    unlink_if_ours(path_);
}

FileLock::FileLock(const std::filesystem::path &path, int operation, int error_code) {
    fd_ = UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd_)
        throw_errno(error_code, "Unable to open lock " + path.string());
    while (::flock(fd_.get(), operation) != 0)
        if (errno != EINTR)
            throw_errno(error_code, "Unable to lock " + path.string());
}

} // namespace vz

// The template mount namespace (ct/mntns.h): one read-only tmpfs holding an
// empty directory, nothing of the host's tree and nothing of any container's.
// A start takes the container's root tree from the host with open_tree while
// it still sees the host's namespace, then enters a copy of this one
// (ct/init.cpp): the copy costs one mount, where a copy of the host's costs
// one per running container.
#include "ct/mntns.h"

#include "vzkit/base/error.h"
#include "vzkit/base/lock.h"
#include "vzkit/base/log.h"
#include "vzkit/base/process.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace fs = std::filesystem;

namespace vz::detail {
namespace {

constexpr const char *kPinName = "mnt-template";
constexpr const char *kOlderSlot = "ct";

// open_tree and move_mount (Linux 5.2): called with invalid arguments, they
// fail with EBADF or EFAULT where they exist and ENOSYS where they do not.
bool have_mount_api() {
    errno = 0;
    ::syscall(SYS_open_tree, -1, nullptr, 0);
    if (errno == ENOSYS)
        return false;
    errno = 0;
    ::syscall(SYS_move_mount, -1, nullptr, -1, nullptr, 0);
    return errno != ENOSYS;
}

// The pinned namespace, when pin is its nsfs file (after a reboot the pin is
// a plain empty file again).
UniqueFd open_pinned(const fs::path &pin) {
    UniqueFd fd(::open(pin.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    struct statfs st {};
    if (!fd || ::fstatfs(fd.get(), &st) != 0 || st.f_type != NSFS_MAGIC ||
        ::ioctl(fd.get(), NS_GET_NSTYPE) != CLONE_NEWNS)
        return {};
    return fd;
}

// The child that builds the template: its own copy of the host's namespace
// (paid once), every mount private, a tmpfs over scratch (only in the copy),
// the empty directory /ct made, the tmpfs read-only, pivot_root into it and
// the host's tree detached. Reports on ready_fd, then lives until done_fd
// closes (the parent binds its namespace meanwhile). Exits with errno on
// failure. /ct is where a vzctl from before the container's tree was stacked
// on the template's root moved it: kept, so that such a vzctl (a package
// downgraded while the pin lives, until the next boot) can use this template.
[[noreturn]] void build_template(const fs::path &scratch, int ready_fd, int done_fd) {
    const bool built =
        ::unshare(CLONE_NEWNS) == 0 &&
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
        ::mount("vzkit-template", scratch.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "mode=0700,size=4k,nr_inodes=2") == 0 &&
        ::chdir(scratch.c_str()) == 0 && ::mkdir(kOlderSlot, 0700) == 0 &&
        ::mount(nullptr, ".", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                nullptr) == 0 &&
        ::syscall(SYS_pivot_root, ".", ".") == 0 && ::umount2(".", MNT_DETACH) == 0 &&
        ::chdir("/") == 0;
    if (!built)
        _exit(errno ? errno : EINVAL);
    char c = 'R';
    if (::write(ready_fd, &c, 1) != 1)
        _exit(EPIPE);
    while (::read(done_fd, &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
}

UniqueFd make_template(const fs::path &pin) {
    {
        UniqueFd file(::open(pin.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!file)
            throw_errno(VZ_ENVCREATE_ERROR, "Unable to create " + pin.string());
    }
    Pipe ready = make_pipe(), done = make_pipe();
    const pid_t pid = ::fork();
    if (pid < 0)
        throw_errno(VZ_ENVCREATE_ERROR, "fork");
    if (pid == 0) {
        ready.read.reset();
        done.write.reset();
        build_template(pin.parent_path(), ready.write.get(), done.read.get());
    }
    ready.write.reset();
    done.read.reset();
    char c = 0;
    ssize_t n;
    do {
        n = ::read(ready.read.get(), &c, 1);
    } while (n < 0 && errno == EINTR);
    int bind_errno = 0;
    if (n == 1) {
        // Binding a namespace newer than the caller's own is allowed (no loop).
        const std::string ns = "/proc/" + std::to_string(pid) + "/ns/mnt";
        if (::mount(ns.c_str(), pin.c_str(), nullptr, MS_BIND, nullptr) != 0)
            bind_errno = errno;
    }
    done.write.reset();
    const int code = wait_exit_code(pid);
    if (n != 1) {
        errno = code;
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to build the template mount namespace");
    }
    if (bind_errno != 0) {
        errno = bind_errno;
        throw_errno(VZ_ENVCREATE_ERROR,
                    "Unable to pin the template mount namespace at " + pin.string());
    }
    UniqueFd fd = open_pinned(pin);
    if (!fd)
        throw Error(VZ_ENVCREATE_ERROR, "The template mount namespace at " + pin.string() +
                                            " is not a mount namespace");
    return fd;
}

} // namespace

UniqueFd template_mount_ns(const fs::path &lock_dir) {
    if (!have_mount_api()) {
        log_debug(1, "No open_tree/move_mount in this kernel: the container's mount namespace "
                     "is a copy of the host's");
        return {};
    }
    const fs::path pin = lock_dir / kPinName;
    if (UniqueFd fd = open_pinned(pin))
        return fd;
    try {
        FileLock lock(lock_dir / (std::string(kPinName) + ".lock"), LOCK_EX, VZ_ENVCREATE_ERROR);
        if (UniqueFd fd = open_pinned(pin))
            return fd;
        UniqueFd fd = make_template(pin);
        log_debug(1, "Pinned the template mount namespace at " + pin.string());
        return fd;
    } catch (const Error &e) {
        log_warning(std::string(e.what()) +
                    "; the container's mount namespace is a copy of the host's");
        return {};
    }
}

} // namespace vz::detail

// The container's system-call filter, loaded in a child: what it refuses,
// through the native and the i386 tables, and what nesting lets through; and
// vzkit-exec as vzctl opens it (a read-only overlayfs view or a sealed copy).
#define BOOST_TEST_MODULE seccomp
#include <boost/test/unit_test.hpp>

#include "ct/seccomp_rules.h"
#include "vzkit/ct/helper.h"
#include "vzkit/ct/seccomp.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

namespace {

// Runs probe in a child under the filter; returns the child's exit code.
int under_filter(bool nesting, const std::function<int()> &probe) {
    const std::string_view program = vz::container_seccomp_filter({.nesting = nesting});
    pid_t pid = fork();
    if (pid == 0) {
        sock_fprog prog{};
        prog.len = static_cast<unsigned short>(program.size() / sizeof(sock_filter));
        prog.filter = reinterpret_cast<sock_filter *>(const_cast<char *>(program.data()));
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
            _exit(100);
        _exit(probe());
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

int errno_of(long rc) {
    return rc < 0 ? errno : 0;
}

// A 32-bit system call from this 64-bit process (the i386 table).
long int80(long nr, long a, long b) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory");
    return ret;
}

} // namespace

// The programs the tools embed are what libseccomp makes of the rules now: a
// stale or hand-edited embedded program fails here.
BOOST_AUTO_TEST_CASE(embedded_filters_are_the_rules) {
    for (bool nesting : {false, true}) {
        const std::string_view embedded = vz::container_seccomp_filter({.nesting = nesting});
        BOOST_TEST(!embedded.empty());
        BOOST_TEST(embedded.size() % sizeof(sock_filter) == 0);
        BOOST_TEST(embedded == vz::compile_container_seccomp_filter({.nesting = nesting}));
    }
    BOOST_TEST(vz::container_seccomp_filter({.nesting = false}) !=
               vz::container_seccomp_filter({.nesting = true}));
}

BOOST_AUTO_TEST_CASE(refuses_user_namespaces_by_default) {
    BOOST_TEST(under_filter(false, [] { return errno_of(unshare(CLONE_NEWUSER)); }) == EPERM);
    BOOST_TEST(under_filter(false, [] {
                   return errno_of(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
               }) == EPERM);
    BOOST_TEST(under_filter(false, [] { return errno_of(syscall(435 /* clone3 */, 0, 0)); }) ==
               ENOSYS);
    // i386: __NR_unshare is 310.
    BOOST_TEST(under_filter(
                   false, [] { return static_cast<int>(-int80(310, CLONE_NEWUSER, 0)); }) == EPERM);
    // Other namespaces still reach the kernel (here: allowed to root).
    BOOST_TEST(under_filter(false, [] { return errno_of(unshare(CLONE_NEWUTS)); }) == 0);
}

BOOST_AUTO_TEST_CASE(nesting_lets_user_namespaces_through) {
    BOOST_TEST(under_filter(true, [] { return errno_of(unshare(CLONE_NEWUSER)); }) != EPERM);
}

BOOST_AUTO_TEST_CASE(refuses_keyrings_syslog_handles_and_tiocsti) {
    BOOST_TEST(under_filter(false, [] { return errno_of(syscall(SYS_keyctl, 0, -4, 0)); }) ==
               EPERM);
    // i386: __NR_keyctl is 288.
    BOOST_TEST(under_filter(false, [] { return static_cast<int>(-int80(288, 0, -4)); }) == EPERM);
    BOOST_TEST(under_filter(false, [] { return errno_of(syscall(SYS_syslog, 10, 0, 0)); }) ==
               EPERM);
    BOOST_TEST(under_filter(false, [] {
                   return errno_of(syscall(SYS_open_by_handle_at, AT_FDCWD, nullptr, 0));
               }) == EPERM);
    // The kernel uses 32 bits of the command: high bits must not slip past.
    BOOST_TEST(under_filter(false, [] {
                   char c = 'x';
                   return errno_of(syscall(SYS_ioctl, 0, 0xffffffff00000000UL | TIOCSTI, &c));
               }) == EPERM);
    BOOST_TEST(under_filter(false, [] { return errno_of(syscall(SYS_getpid)); }) == 0);
}

// Whatever the image, a container that reopens /proc/PID/exe for writing (as
// CVE-2019-5736 does) gets nothing it can write, and the image runs.
void check_unwritable_and_runs(int fd) {
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    for (int flags : {O_WRONLY, O_RDWR}) {
        int rw = open(path.c_str(), flags);
        if (rw >= 0) {
            errno = 0;
            BOOST_TEST(write(rw, "x", 1) == -1);
            BOOST_TEST(errno == EPERM);
            close(rw);
        } else {
            BOOST_TEST(errno == EROFS);
        }
    }
    // It is the static helper: an ELF with no interpreter to load.
    int ro = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    BOOST_REQUIRE(ro >= 0);
    char magic[4] = {};
    BOOST_TEST(pread(ro, magic, 4, 0) == 4);
    BOOST_TEST(std::string(magic, 4) == "\177ELF");
    close(ro);
    // Executable from the fd itself (an O_PATH one for the view): vzkit-exec
    // without a mode answers with its usage error, not the child's 99.
    pid_t pid = fork();
    if (pid == 0) {
        const char *argv[] = {"vzkit-exec", nullptr}, *envp[] = {nullptr};
        syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        _exit(99);
    }
    int status = 0;
    BOOST_REQUIRE(waitpid(pid, &status, 0) == pid);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) != 99);
}

bool kernel_has_overlayfs() {
    int fd = static_cast<int>(syscall(SYS_fsopen, "overlay", 0));
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

BOOST_AUTO_TEST_CASE(helper_copy_is_sealed) {
    const vz::UniqueFd copy = vz::open_ct_helper(vz::HelperImage::SealedCopy);
    BOOST_REQUIRE(copy);
    const int seals = fcntl(copy.get(), F_GET_SEALS);
    BOOST_TEST((seals & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) ==
               (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL));
    check_unwritable_and_runs(copy.get());
}

// What vzctl uses: on a kernel with overlayfs, a view on a read-only overlay
// with no upper layer (no copy), reopened writable by nobody.
BOOST_AUTO_TEST_CASE(helper_view_is_read_only) {
    const int fd = vz::ct_helper_fd();
    BOOST_REQUIRE(fd >= 0);
    if (kernel_has_overlayfs()) {
        struct statfs sfs {};
        const std::string path = "/proc/self/fd/" + std::to_string(fd);
        int ro = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        BOOST_REQUIRE(ro >= 0);
        BOOST_TEST(fstatfs(ro, &sfs) == 0);
        BOOST_TEST(sfs.f_type == OVERLAYFS_SUPER_MAGIC);
        BOOST_TEST((sfs.f_flags & ST_RDONLY) != 0);
        close(ro);
        BOOST_TEST(fcntl(fd, F_GET_SEALS) == -1); // not the copy
    }
    check_unwritable_and_runs(fd);
}

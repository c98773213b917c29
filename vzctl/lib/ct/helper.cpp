// Locating vzkit-exec, opening it through a view nobody can write (or
// sealing a copy of it in memory), and execing it.
#include "vzkit/ct/helper.h"

#include "vzkit/base/error.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"
#include "vzkit/ct/seccomp.h"

#include <fcntl.h>
#include <linux/memfd.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <filesystem>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

namespace vz {
namespace {

constexpr std::string_view kHelperName = "vzkit-exec";

// overlayfs without an upper layer needs a second lower one; an empty
// directory no other layer contains (layers may not overlap).
constexpr const char *kEmptyLayer = "/run/vzkit/empty";

// A lowerdir entry: ':' separates layers and '\\' escapes.
std::string escape_layer(std::string_view dir) {
    std::string out;
    for (char c : dir) {
        if (c == ':' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

bool ensure_empty_layer() {
    ::mkdir("/run/vzkit", 0755);
    ::mkdir(kEmptyLayer, 0555);
    struct stat st {};
    return ::lstat(kEmptyLayer, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
           (st.st_mode & 022) == 0;
}

// The helper through an internal overlayfs mount of its directory, read-only
// and with no upper layer: unlike a read-only bind mount, nothing can make it
// writable, and no copy is made (the page cache is the host file's). The
// answer runc 1.2 gives to CVE-2019-5736, at a twentieth of the copy's cost
// (docs/security.md). An empty fd when the kernel cannot (no overlayfs, no
// fsopen, /run not writable): the caller seals a copy instead.
UniqueFd open_readonly_view(const std::filesystem::path &path) {
    struct stat host {};
    if (::stat(path.c_str(), &host) != 0 || !S_ISREG(host.st_mode) || !ensure_empty_layer())
        return UniqueFd();
    UniqueFd context(static_cast<int>(::syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC)));
    if (!context)
        return UniqueFd();
    const std::string layers =
        escape_layer(path.parent_path().string()) + ":" + escape_layer(kEmptyLayer);
    if (::syscall(SYS_fsconfig, context.get(), FSCONFIG_SET_STRING, "lowerdir", layers.c_str(),
                  0) != 0)
        return UniqueFd();
    // Inode numbers are not needed; left on, xino logs when layers differ in fs.
    ::syscall(SYS_fsconfig, context.get(), FSCONFIG_SET_STRING, "xino", "off", 0);
    if (::syscall(SYS_fsconfig, context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
        return UniqueFd();
    UniqueFd mount(
        static_cast<int>(::syscall(SYS_fsmount, context.get(), FSMOUNT_CLOEXEC,
                                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID)));
    if (!mount)
        return UniqueFd();
    // The open file keeps the detached mount alive once its fd is closed.
    UniqueFd view(::openat(mount.get(), path.filename().c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat seen {};
    if (!view || ::fstat(view.get(), &seen) != 0 || !S_ISREG(seen.st_mode) ||
        seen.st_size != host.st_size || seen.st_mtim.tv_sec != host.st_mtim.tv_sec ||
        seen.st_mtim.tv_nsec != host.st_mtim.tv_nsec)
        return UniqueFd();
    return view;
}

UniqueFd make_sealed_copy(const std::string &path) {
    UniqueFd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!src || ::fstat(src.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to open " + path);
    // MFD_EXEC: kernels with vm.memfd_noexec (6.3+) need to be told; older
    // ones reject the flag.
    int fd = static_cast<int>(::syscall(SYS_memfd_create, kHelperName.data(),
                                        MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
    if (fd < 0 && errno == EINVAL)
        fd = static_cast<int>(
            ::syscall(SYS_memfd_create, kHelperName.data(), MFD_CLOEXEC | MFD_ALLOW_SEALING));
    UniqueFd copy(fd);
    if (!copy)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to create a memfd for " + path);
    off_t offset = 0;
    while (offset < st.st_size) {
        ssize_t n =
            ::sendfile(copy.get(), src.get(), &offset, static_cast<size_t>(st.st_size - offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw_errno(VZ_ENVCREATE_ERROR, "Unable to copy " + path);
    }
    if (::fchmod(copy.get(), 0555) != 0 ||
        ::fcntl(copy.get(), F_ADD_SEALS,
                F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to seal the copy of " + path);
    return copy;
}

} // namespace

std::string ct_helper_path() {
    return libexec_program(kHelperName);
}

UniqueFd open_ct_helper(HelperImage image) {
    const std::string path = ct_helper_path();
    if (image == HelperImage::ReadOnlyView) {
        UniqueFd view = open_readonly_view(path);
        if (view)
            return view;
    }
    return make_sealed_copy(path);
}

int ct_helper_fd() {
    static UniqueFd helper;
    if (!helper)
        helper = open_ct_helper(HelperImage::ReadOnlyView);
    return helper.get();
}

std::vector<std::string> ct_helper_privilege_args(int seccomp_fd, CapMask caps) {
    std::array<char, 32> hex{};
    std::snprintf(hex.data(), hex.size(), "%llx", static_cast<unsigned long long>(caps));
    return {"--seccomp", std::to_string(seccomp_fd), "--caps", hex.data()};
}

UniqueFd ct_filter_pipe(bool nesting) {
    const std::string_view program = container_seccomp_filter({.nesting = nesting});
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to create a pipe");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    // A pipe holds 64 KiB; the program is a few hundred bytes.
    if (program.size() > 65536 || ::write(write_end.get(), program.data(), program.size()) !=
                                      static_cast<ssize_t>(program.size()))
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to pass the system-call filter");
    return read_end;
}

void exec_ct_helper(char *const argv[], char *const envp[], std::span<const int> keep) {
    for (int fd : keep)
        if (fd >= 0)
            ::fcntl(fd, F_SETFD, 0);
    ::syscall(SYS_execveat, ct_helper_fd(), "", argv, envp, AT_EMPTY_PATH);
}

void exec_ct_helper(const std::vector<std::string> &argv, const std::vector<std::string> &envp,
                    const std::vector<int> &keep) {
    const CStringArray args(argv), env(envp);
    exec_ct_helper(args.data(), env.data(), keep);
}

} // namespace vz

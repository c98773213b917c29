// Locating vzkit-exec, sealing a copy of it in memory, and execing it.
#include "vzkit/ct/helper.h"

#include "vzkit/base/error.h"
#include "vzkit/ct/seccomp.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <linux/memfd.h>
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
#include <map>

#ifndef VZKIT_LIBEXECDIR
#define VZKIT_LIBEXECDIR "/usr/libexec"
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

namespace vz {
namespace {

constexpr std::string_view kHelperName = "vzkit-exec";

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
        ssize_t n = ::sendfile(copy.get(), src.get(), &offset,
                               static_cast<size_t>(st.st_size - offset));
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
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto beside = self.parent_path().parent_path() / "libexec/vzkit" / kHelperName;
        if (::access(beside.c_str(), X_OK) == 0)
            return beside.string();
    }
    return std::string(VZKIT_LIBEXECDIR) + "/vzkit/" + std::string(kHelperName);
}

int ct_helper_fd() {
    static UniqueFd sealed;
    if (!sealed)
        sealed = make_sealed_copy(ct_helper_path());
    return sealed.get();
}

std::vector<std::string> ct_helper_privilege_args(int seccomp_fd, CapMask caps) {
    std::array<char, 32> hex{};
    std::snprintf(hex.data(), hex.size(), "%llx", static_cast<unsigned long long>(caps));
    return {"--seccomp", std::to_string(seccomp_fd), "--caps", hex.data()};
}

UniqueFd ct_filter_pipe(bool nesting) {
    static std::map<bool, std::string> programs;
    auto it = programs.find(nesting);
    if (it == programs.end())
        it = programs.emplace(nesting, container_seccomp_filter({.nesting = nesting})).first;
    const std::string &program = it->second;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to create a pipe");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    // A pipe holds 64 KiB; the program is a few hundred bytes.
    if (program.size() > 65536 ||
        ::write(write_end.get(), program.data(), program.size()) !=
            static_cast<ssize_t>(program.size()))
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to pass the system-call filter");
    return read_end;
}

void exec_ct_helper(const std::vector<std::string> &argv, const std::vector<std::string> &envp,
                    const std::vector<int> &keep) {
    for (int fd : keep)
        if (fd >= 0)
            ::fcntl(fd, F_SETFD, 0);
    const CStringArray args(argv), env(envp);
    ::syscall(SYS_execveat, ct_helper_fd(), "", args.data(), env.data(), AT_EMPTY_PATH);
}

} // namespace vz

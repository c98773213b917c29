// The container's filter as rules for libseccomp, compiled at build time by
// vzkit-seccomp-gen (gen/seccomp_programs.cpp): the tools embed the programs
// and neither load libseccomp nor compile at every exec and start.
#include "ct/seccomp_rules.h"

#include "vzkit/base/error.h"

#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace vz {
namespace {

// Each refused with EPERM, so programs see an ordinary permission error.
constexpr std::array kRefused = {
    // A file handle names any inode of the file system, past the container's
    // bind-mounted root ("shocker"); CAP_DAC_READ_SEARCH is in OpenVZ's set.
    "open_by_handle_at",
    // CAP_SYS_BOOT stays (reboot() only ends the container's pid namespace),
    // but kexec would replace the host's kernel.
    "kexec_load",
    "kexec_file_load",
    // Keyrings are not namespaced: uid 0 here would share the host root's keys.
    "keyctl",
    "add_key",
    "request_key",
    // The kernel log is the host's; with kernel.dmesg_restrict=0 anybody may
    // read it through syslog(2).
    "syslog",
};

using Filter = std::unique_ptr<void, decltype(&seccomp_release)>;

void add_rule(const Filter &ctx, std::uint32_t action, const char *name,
              std::initializer_list<scmp_arg_cmp> args = {}) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return; // not on this architecture
    const std::vector<scmp_arg_cmp> cmps(args);
    if (seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(cmps.size()),
                               cmps.data()) != 0)
        throw Error(VZ_ENVCREATE_ERROR, std::string("Unable to filter ") + name);
}

// The 32-bit tables of an x86-64 CPU: without them in the filter, int $0x80
// would reach keyctl or unshare unfiltered (libseccomp would kill the caller
// instead, which breaks 32-bit userlands that OpenVZ templates still ship).
void add_compat_arches(const Filter &ctx) {
    if (seccomp_arch_native() != SCMP_ARCH_X86_64)
        return;
    for (std::uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
        int rc = seccomp_arch_add(ctx.get(), arch);
        if (rc != 0 && rc != -EEXIST)
            throw Error(VZ_ENVCREATE_ERROR, "Unable to add a system-call ABI to the filter");
    }
}

std::string export_bpf(const Filter &ctx) {
    int fds[2];
    if (pipe(fds) != 0)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to create a pipe");
    int rc = seccomp_export_bpf(ctx.get(), fds[1]);
    close(fds[1]);
    std::string program;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        program.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    if (rc != 0 || program.empty())
        throw Error(VZ_ENVCREATE_ERROR, "Unable to build the system-call filter: " +
                                            std::string(std::strerror(-rc)));
    return program;
}

} // namespace

std::string compile_container_seccomp_filter(const SeccompOptions &options) {
    Filter ctx(seccomp_init(SCMP_ACT_ALLOW), &seccomp_release);
    if (!ctx)
        throw Error(VZ_ENVCREATE_ERROR, "Unable to create the system-call filter");
    add_compat_arches(ctx);
    for (const char *name : kRefused)
        add_rule(ctx, SCMP_ACT_ERRNO(EPERM), name);
    // TIOCSTI pushes input into a terminal's queue as if typed: refused
    // whatever terminal it is (as kernels since 6.2 do with legacy_tiocsti=0).
    // The kernel truncates ioctl's command to 32 bits, so compare only those.
    add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "ioctl",
             {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCSTI)});
    if (!options.nesting) {
        // A user namespace gives its creator every capability over the
        // namespaces it then makes: cgroup trees it can mount and write, the
        // rest of the host's mount table to reach. clone3 passes its flags in
        // memory a filter cannot read: ENOSYS makes libc fall back to clone.
        add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "unshare",
                 {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)});
        add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone",
                 {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)});
        add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
    }
    return export_bpf(ctx);
}

} // namespace vz

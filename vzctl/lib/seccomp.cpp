#include "vzkit/seccomp.h"

#include "vzkit/error.h"

#include <seccomp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

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
};

} // namespace

void apply_container_seccomp() {
    std::unique_ptr<void, decltype(&seccomp_release)> ctx(seccomp_init(SCMP_ACT_ALLOW),
                                                          &seccomp_release);
    if (!ctx)
        throw Error(VZ_ENVCREATE_ERROR, "Unable to create the system-call filter");
    for (const char *name : kRefused) {
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
            continue; // not on this architecture
        if (seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), nr, 0) != 0)
            throw Error(VZ_ENVCREATE_ERROR, std::string("Unable to filter ") + name);
    }
    if (int rc = seccomp_load(ctx.get()); rc != 0)
        throw Error(VZ_ENVCREATE_ERROR,
                    "Unable to load the system-call filter: " + std::string(std::strerror(-rc)));
}

} // namespace vz

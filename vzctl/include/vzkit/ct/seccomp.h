// The system-call filter every container process runs under. Without a user
// namespace the container's root is the host's uid 0, so a few calls that the
// capability bounding set does not fence off must be refused outright
// (docs/security.md lists them and why).
#pragma once

#include <string_view>

namespace vz {

struct SeccompOptions {
    // FEATURES="nesting:on": user namespaces may be created inside.
    bool nesting = false;
};

// The filter as a BPF program (struct sock_filter[]), for the native ABI and
// the 32-bit ones the CPU can also enter (i386 and x32 on x86-64), so that a
// refused call cannot be reached through another system-call table. vzkit-exec
// loads it. Compiled at build time from lib/ct/seccomp_rules.cpp and embedded:
// the view is valid for the whole process.
std::string_view container_seccomp_filter(const SeccompOptions &options);

} // namespace vz

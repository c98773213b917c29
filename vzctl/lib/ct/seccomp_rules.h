// The rules behind container_seccomp_filter() (vzkit/ct/seccomp.h), compiled
// by libseccomp. Only the build (vzkit-seccomp-gen) and the test that checks
// the embedded programs against them link libseccomp.
#pragma once

#include "vzkit/ct/seccomp.h"

#include <string>

namespace vz {

// The BPF program libseccomp makes of the rules for options. Throws
// Error(VZ_ENVCREATE_ERROR).
std::string compile_container_seccomp_filter(const SeccompOptions &options);

} // namespace vz

#include "vzkit/ct/seccomp.h"

#include "ct/seccomp_programs.h"

namespace vz {

std::string container_seccomp_filter(const SeccompOptions &options) {
    return std::string(detail::kContainerFilters[options.nesting ? 1 : 0]);
}

} // namespace vz

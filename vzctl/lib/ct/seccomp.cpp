#include "vzkit/ct/seccomp.h"

#include "ct/seccomp_programs.h"

namespace vz {

std::string_view container_seccomp_filter(const SeccompOptions &options) {
    return detail::kContainerFilters[options.nesting ? 1 : 0];
}

} // namespace vz

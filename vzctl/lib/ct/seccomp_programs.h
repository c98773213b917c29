// The container's filter programs as the build compiled them
// (vzctl/gen/seccomp_programs.cpp writes the definition).
#pragma once

#include <array>
#include <string_view>

namespace vz::detail {

// Indexed by SeccompOptions::nesting.
extern const std::array<std::string_view, 2> kContainerFilters;

} // namespace vz::detail

// vzctl --vzkit-describe (vzkit/cli/describe.h): its global options, the
// commands with their options, set's options and the keys from the parameter
// table, and the exit codes, for its man pages and its bash completion.
#pragma once

#include "vzkit/cli/options.h"

#include <span>
#include <string>

namespace vzctl {

std::string describe(std::span<const vz::cli::Option> global_options);

} // namespace vzctl

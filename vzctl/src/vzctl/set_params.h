// vzctl set's command line, parsed against the parameter table
// (vzkit/ct/params.h), which turns it into keys and values.
#pragma once

#include "vzkit/ct/params.h"

#include <string>
#include <vector>

namespace vzctl {

// args: everything after "set <CTID>". Throws vz::Error(20) for an unknown
// option and vz::Error(21) naming a value that does not parse.
vz::params::SetRequest parse_set_options(const std::vector<std::string> &args,
                                         const vz::CtConfig &config);

} // namespace vzctl

// vzctl set's options, turned into <CTID>.conf keys and normalised values.
#pragma once

#include "vzkit/ct_set.h"

#include <map>
#include <string>
#include <vector>

namespace vzctl {

struct SetRequest {
    std::map<std::string, std::string> changes;
    vz::SetOptions options;
};

// args: everything after "set <CTID>". Throws vz::Error(20) for an unknown
// option and vz::Error(21) naming a value that does not parse. config gives
// the current values incremental options merge with (CAPABILITY, IP_ADDRESS,
// NETIF).
SetRequest parse_set_options(const std::vector<std::string> &args, const vz::VeConfig &config);

} // namespace vzctl

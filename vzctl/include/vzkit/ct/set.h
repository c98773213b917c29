// vzctl set: parameters turned into config keys, applied live to a running
// container, and saved (only what changed) with --save.
#pragma once

#include "vzkit/ct/params.h"
#include "vzkit/base/ct_config.h"

#include <map>
#include <string>

namespace vz {

using SetOptions = params::SetFlags;

// changes: KEY → normalised value (as stored in <CTID>.conf). The caller
// holds the CT lock.
void set_ct(CtConfig &config, const std::map<std::string, std::string> &changes,
            const SetOptions &options);

// Hostname set live in a running container (UTS namespace).
void set_hostname_live(const CtConfig &config, const std::string &hostname);

} // namespace vz

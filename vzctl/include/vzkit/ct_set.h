// vzctl set: parameters turned into config keys, applied live to a running
// container, and saved (only what changed) with --save.
#pragma once

#include "vzkit/ve_config.h"

#include <map>
#include <string>

namespace vz {

struct SetOptions {
    bool save = false;
    bool force = false;
    bool setmode_restart = false;
};

// changes: KEY → normalised value (as stored in <CTID>.conf). The caller
// holds the CT lock.
void set_ct(VeConfig &config, const std::map<std::string, std::string> &changes,
            const SetOptions &options);

// Keys whose new value takes effect only at the next start.
bool needs_restart(std::string_view key);

} // namespace vz

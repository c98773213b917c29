// Stopping a container: a clean halt inside within STOP_TIMEOUT, else (or
// with --fast) killing everything in its cgroup; then its network, the module
// registration and the mounts go.
#pragma once

#include "vzkit/base/ct_config.h"

namespace vz {

struct StopOptions {
    bool fast = false;        // --fast: no halt, kill at once
    bool skip_umount = false; // --skip-umount
};
void stop_ct(const CtConfig &config, const StopOptions &options);

// STOP_TIMEOUT in seconds (0 or unset → 120, OpenVZ's DEF_STOP_TIMEOUT).
int stop_timeout(const CtConfig &config);

} // namespace vz

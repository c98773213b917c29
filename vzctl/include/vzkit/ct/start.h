// Starting a container on a stock kernel: namespaces, cgroup, pivot_root
// into VE_ROOT, then the container's own init. No process stays on the host
// per container.
#pragma once

#include "vzkit/base/ct_config.h"

#include <optional>
#include <string>

namespace vz {

struct StartOptions {
    bool wait = false;         // --wait: return once init reached its runlevel
    bool force = false;        // --force: start even when DISABLED=yes
    bool skip_remount = false; // --skip-remount
    // runscript on a stopped container: run this script with the shell as the
    // container's pid 1 instead of init, wait for it, then tear down.
    std::optional<std::string> script;
};

// Returns the exit code: 0, or the script's status when script is set.
int start_ct(const CtConfig &config, const StartOptions &options);

} // namespace vz

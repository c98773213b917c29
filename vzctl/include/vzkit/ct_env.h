// Starting and stopping a container on a stock kernel: namespaces, cgroup,
// pivot_root into VE_ROOT, then the container's own init. No process stays on
// the host per container.
#pragma once

#include "vzkit/ve_config.h"

#include <optional>
#include <string>
#include <vector>

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
int start_ct(const VeConfig &config, const StartOptions &options);

struct StopOptions {
    bool fast = false;        // --fast: no halt, kill at once
    bool skip_umount = false; // --skip-umount
};
void stop_ct(const VeConfig &config, const StopOptions &options);

// STOP_TIMEOUT in seconds (0 or unset → 120, OpenVZ's DEF_STOP_TIMEOUT).
int stop_timeout(const VeConfig &config);

// Hostname set live in a running container (UTS namespace).
void set_hostname_live(const VeConfig &config, const std::string &hostname);

} // namespace vz

// Host-side action scripts of OpenVZ: <confdir>/conf/vps.<event> and
// <confdir>/conf/<CTID>.<event>, run on the host with VEID, VE_CONFFILE and PATH.
#pragma once

#include "vzkit/base/ct_config.h"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

// The standard PATH every script gets.
inline constexpr std::string_view kScriptPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Runs the global and the per-CT script for event ("premount", "mount",
// "umount", "postumount") when they exist. Per-CT first for umount and
// postumount, global first otherwise, as OpenVZ does. A script that fails →
// Error(VZ_ACTIONSCRIPT_ERROR) naming it.
void run_mount_hooks(const CtConfig &config, std::string_view event);

// Runs one host program with exactly env (plus nothing inherited); returns its
// exit status, or 128+signal.
int run_host_program(const std::vector<std::string> &argv,
                     const std::map<std::string, std::string> &env);

} // namespace vz

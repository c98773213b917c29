// Running the scripts of a distribution definition the way OpenVZ does:
// dists/scripts/functions followed by the action script, fed on stdin to the
// container's shell, with exactly the action's variables plus PATH; a script
// still running after SCRIPT_EXEC_TIMEOUT seconds is killed with its process
// group.
#pragma once

#include "vzkit/base/ct_config.h"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

namespace vz::dist {

using ScriptEnv = std::map<std::string, std::string>;

// SCRIPT_EXEC_TIMEOUT (seconds) from the config; 300 as OpenVZ when unset.
std::chrono::seconds script_timeout(const CtConfig &config);

// functions + script, read from the host's dists/scripts (trusted files).
// Throws Error(VZ_NO_DISTR_ACTION_SCRIPT) when the script is missing.
std::string compose_script(const std::filesystem::path &scripts_dir, const std::string &script);

// Inside the running container whose init is `init`, through its
// namespaces, root, cgroup and capability set: never with a host path.
// Throws Error(VZ_EXEC_TIMEOUT) after the timeout and Error(fail_code)
// naming the script and its status when it exits non-zero.
void run_script_in_ct(const CtConfig &config, pid_t init, const std::string &name,
                      const std::string &text, const ScriptEnv &env, int fail_code);

// On the host with /bin/sh (POST_CREATE, as OpenVZ), same conventions.
void run_script_on_host(const CtConfig &config, const std::string &name, const std::string &text,
                        const ScriptEnv &env, int fail_code);

} // namespace vz::dist

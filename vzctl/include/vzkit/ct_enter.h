// Running things inside a running container from the host: join its
// namespaces, cgroup and root, with its capability bounding set, as a child of
// the calling tool (the container never sees a host fd but the pipes we hand it).
#pragma once

#include "vzkit/capability.h"
#include "vzkit/process.h"
#include "vzkit/ve_config.h"

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace vz {

// The environment OpenVZ gives commands run with exec/exec2/runscript.
std::vector<std::string> default_exec_env();

// Forks a process that joins the container whose init is init_pid and runs
// body there (body normally execs; if it returns, its value is the exit code).
// Returns the host pid of a helper whose exit status is body's. fds_to_keep
// survive (all others are closed before joining).
pid_t spawn_in_ct(Ctid ctid, pid_t init_pid, CapMask caps, const std::function<int()> &body,
                  const std::vector<int> &fds_to_keep = {});

struct ExecRequest {
    // Words joined with spaces and run by the container's bash (or /bin/sh when
    // it has none) with -c; empty means the shell reads commands from stdin.
    std::vector<std::string> words;
    // Fed to the command's stdin instead of the host's stdin (runscript).
    std::optional<std::string> input;
};

// exec/exec2: runs the request with stdio relayed through pipes; returns the
// command's exit status. Throws Error(VZ_VE_NOT_RUNNING) when not running.
int exec_in_ct(const VeConfig &config, const ExecRequest &request);

// <confdir>/conf/<CTID>.<event> ("start", "stop") fed to the shell of the
// running container, as OpenVZ runs these; a missing script is fine.
// Throws Error(VZ_ACTIONSCRIPT_ERROR) when it fails.
void run_ct_action_script(const VeConfig &config, std::string_view event);

// enter: a login shell on a pty allocated inside the container, relayed to the
// host terminal. exec_words, when given, are typed into the shell.
int enter_ct(const VeConfig &config, const std::vector<std::string> &exec_words);

// The capability mask the container runs with (default mask + CAPABILITY).
CapMask ct_capabilities(const VeConfig &config);

} // namespace vz

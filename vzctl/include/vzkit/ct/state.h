// A container's state, derived from the system on every call (never cached):
// running = its cgroup holds its init, mounted = VE_ROOT is a mount point,
// exists = private area and config both present.
#pragma once

#include "vzkit/base/ct_config.h"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vz {

struct CtStatus {
    bool exists = false;
    bool mounted = false;
    bool running = false;
    bool suspended = false;
};

class Cgroup;

// The host pid of the container's init (pid 1 of its pid namespace), if running.
std::optional<pid_t> find_init_pid(Ctid ctid);
bool is_running(Ctid ctid);
// The same among pids already read from the CT's group (Cgroup::pids()), for
// a caller whose own pid namespace is pid_depth deep (own_pid_depth()): one
// read of the group serves the state and the process count (vzlist).
std::optional<pid_t> find_init_pid(const std::vector<pid_t> &pids, std::size_t pid_depth);
// How many pid namespaces the caller is in (1 on the host), from its NSpid.
std::size_t own_pid_depth();
// The mount points of the caller's mount namespace, from one read of mountinfo.
std::vector<std::string> mount_points();
// Whether path is a mount point in the calling process's mount namespace.
bool is_mount_point(const std::filesystem::path &path);
bool is_mounted(const CtConfig &config);
CtStatus query_status(const CtConfig &config);
// "CTID 101 exist mounted running", exactly as OpenVZ prints it.
std::string format_status_line(Ctid ctid, const CtStatus &status);

} // namespace vz

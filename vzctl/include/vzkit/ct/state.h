// A container's state, derived from the system on every call (never cached):
// running = its cgroup holds its init, mounted = VE_ROOT is a mount point,
// exists = private area and config both present.
#pragma once

#include "vzkit/base/ct_config.h"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace vz {

struct CtStatus {
    bool exists = false;
    bool mounted = false;
    bool running = false;
    bool suspended = false;
};

// The host pid of the container's init (pid 1 of its pid namespace), if running.
std::optional<pid_t> find_init_pid(Ctid ctid);
bool is_running(Ctid ctid);
// Whether path is a mount point in the calling process's mount namespace.
bool is_mount_point(const std::filesystem::path &path);
bool is_mounted(const CtConfig &config);
CtStatus query_status(const CtConfig &config);
// "CTID 101 exist mounted running", exactly as OpenVZ prints it.
std::string format_status_line(Ctid ctid, const CtStatus &status);

} // namespace vz

#include "vzkit/ct/state.h"

#include "vzkit/base/util.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/cgroup/freeze.h"
#include "vzkit/ct/checkpoint.h"
#include "vzkit/proc/parse.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace vz {
namespace {

// /proc/<pid>/status parsed; nullopt when the process is gone.
std::optional<ProcStatus> proc_status(pid_t pid) {
    auto text = read_file("/proc/" + std::to_string(pid) + "/status");
    ProcStatus status;
    if (!text || !parse_proc_status(*text, status))
        return std::nullopt;
    return status;
}

} // namespace

std::size_t own_pid_depth() {
    const auto status = proc_status(getpid());
    return status ? status->nspid.size() : 0;
}

std::optional<pid_t> find_init_pid(const std::vector<pid_t> &pids, std::size_t pid_depth) {
    for (pid_t pid : pids)
        if (const auto status = proc_status(pid); status && is_ns_init(*status, pid_depth))
            return pid;
    return std::nullopt;
}

std::optional<pid_t> find_init_pid(Ctid ctid) {
    Cgroup cgroup(ctid);
    // A group that does not exist lists no pids.
    auto pids = cgroup.member_pids();
    if (pids.empty())
        return std::nullopt;
    return find_init_pid(pids, own_pid_depth());
}

bool is_running(Ctid ctid) {
    return find_init_pid(ctid).has_value();
}

std::vector<std::string> mount_points() {
    std::vector<std::string> out;
    for (auto &mount : parse_mountinfo(read_file("/proc/self/mountinfo").value_or("")))
        out.push_back(std::move(mount.mount_point));
    return out;
}

bool is_mount_point(const std::filesystem::path &path) {
    // One statx (Linux 5.8), not the whole mountinfo table, which has a line
    // per running container: start, stop and umount ask this several times.
    struct statx stx {};
    if (::statx(AT_FDCWD, path.c_str(), AT_NO_AUTOMOUNT, 0, &stx) != 0)
        return false;
    if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
        return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    char resolved[PATH_MAX];
    if (!realpath(path.c_str(), resolved))
        return false;
    auto mountinfo = read_file("/proc/self/mountinfo");
    if (!mountinfo)
        return false;
    return std::ranges::any_of(parse_mountinfo(*mountinfo), [&](const MountInfo &mount) {
        return mount.mount_point == resolved;
    });
}

bool is_mounted(const CtConfig &config) {
    return is_mount_point(config.ve_root());
}

CtStatus query_status(const CtConfig &config) {
    CtStatus status;
    std::error_code ec;
    status.exists = config.ct_exists() && config.get("VE_PRIVATE") &&
                    std::filesystem::is_directory(config.ve_private(), ec);
    status.mounted = config.get("VE_ROOT") && is_mounted(config);
    status.running = is_running(config.ctid());
    // OpenVZ: a stopped container with a dump; here also a running one
    // whose processes vzctl suspend froze.
    status.suspended = status.running ? is_frozen(Cgroup(config.ctid()))
                                      : std::filesystem::exists(default_dump_path(config), ec);
    return status;
}

std::string format_status_line(Ctid ctid, const CtStatus &status) {
    std::string line = "CTID " + std::to_string(ctid);
    line += status.exists ? " exist" : " deleted";
    line += status.mounted ? " mounted" : " unmounted";
    line += status.running ? " running" : " down";
    if (status.suspended)
        line += " suspended";
    return line;
}

} // namespace vz

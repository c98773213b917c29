// stop: the container's own halt first (its init shuts down cleanly), then,
// after STOP_TIMEOUT or at once with --fast, SIGKILL for every task in its
// cgroup; then the cgroup and the mount go.
#include "vzkit/ct/stop.h"

#include "vzkit/backend/backend.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/ct/enter.h"
#include "vzkit/ct/fs.h"
#include "vzkit/ct/state.h"
#include "vzkit/base/error.h"
#include "vzkit/base/step.h"
#include "vzkit/base/log.h"
#include "vzkit/net/lifecycle.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace vz {
namespace {

constexpr int kDefaultStopTimeout = 120;

// Runs halt inside the container; true when it accepted the request.
bool request_halt(const CtConfig &config) {
    CtCommand cmd;
    cmd.programs = {"halt"}; // found in PATH inside
    cmd.env = default_exec_env();
    const int rc = wait_exit_code(spawn_in_ct(config, cmd).pid);
    if (rc != 0 && rc != 1) {
        log_debug(1, "halt exited with " + std::to_string(rc) + ", killing the container");
        return false;
    }
    return true;
}

bool running(const Cgroup &cgroup) {
    return find_init_pid(cgroup.member_pids(), own_pid_depth()).has_value();
}

bool wait_until_stopped(const Cgroup &cgroup, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running(cgroup))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return !running(cgroup);
}

} // namespace

int stop_timeout(const CtConfig &config) {
    auto value = config.get_int("STOP_TIMEOUT");
    return value && *value > 0 ? static_cast<int>(*value) : kDefaultStopTimeout;
}

void stop_ct(const CtConfig &config, const StopOptions &options) {
    Cgroup cgroup(config.ctid());
    auto init = find_init_pid(cgroup.member_pids(), own_pid_depth());
    if (!init) {
        log_info("Unable to stop: container is not running");
        // A container that halted from inside (halt, reboot, its init
        // exiting) leaves its group, module state, network and mount behind:
        // clean up as any other stop does, still exiting 0 as OpenVZ does.
        // Its left-over group tells it apart from a container that was only
        // mounted (vzctl mount), which stays mounted as in OpenVZ.
        const bool halted = cgroup.exists();
        if (halted && cgroup.empty())
            cgroup.destroy();
        backend().detach(config.ctid());
        net::stop_network(config);
        net::sweep_stale_network(config);
        if (halted && !options.skip_umount && is_mounted(config))
            umount_ct(config);
        return;
    }
    run_ct_action_script(config, "stop");
    log_info("Stopping container ...");
    // NETDEV goes back to the host first, as OpenVZ's kernel did: a virtual
    // device would otherwise go with the container's network namespace.
    try {
        net::move_netdevs_out(split_ws(config.get_or("NETDEV", "")), *init);
    } catch (const Error &e) {
        log_warning(e.what());
    }
    const std::chrono::seconds timeout(stop_timeout(config));
    bool stopped = false;
    log_debug(1, options.fast ? std::string("Killing every task of the container")
                              : "Asking the container's init to halt (timeout " +
                                    std::to_string(timeout.count()) + " s)");
    if (!options.fast && request_halt(config))
        stopped = wait_until_stopped(cgroup, timeout);
    if (!stopped) {
        if (!options.fast)
            log_info("Killing container ...");
        step("stop.killing");
    }
    // One pass: the whole group goes (freezer and SIGKILL on v1, cgroup.kill
    // on v2) and its emptiness is what says the container stopped, so a fast
    // stop reads the group no more than it must. After a halt the same pass
    // takes stragglers outside the pid namespace's reach (none expected).
    if (!cgroup.kill_all(static_cast<int>(timeout.count()) * 1000))
        throw Error(VZ_STOP_ERROR, running(cgroup)
                                       ? "Unable to stop container: operation timed out"
                                       : "Unable to stop container: tasks left in its cgroup");
    step("stop.stopped");
    backend().detach(config.ctid());
    cgroup.destroy();
    step("stop.cgroup_removed");
    net::stop_network(config);
    step("stop.network_down");
    log_info("Container was stopped");
    if (!options.skip_umount && is_mounted(config))
        umount_ct(config);
}

} // namespace vz

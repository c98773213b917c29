// vzkit/ct/suspend.h: suspend and resume through the cgroup freezer.
#include "vzkit/ct/suspend.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/process.h"
#include "vzkit/cgroup/freeze.h"
#include "vzkit/ct/state.h"

#include <unistd.h>

#include <string>

namespace vz {
namespace {

std::filesystem::path freeze_marker(const CtConfig &config) {
    return config.lock_dir() / (std::to_string(config.ctid()) + ".frozen");
}

// The marker holds the freezing process's pid. Without a lock directory
// (--skiplock on a read-only host) the freeze goes on unmarked, as before.
RemoveGuard write_marker(const CtConfig &config) {
    const auto marker = freeze_marker(config);
    try {
        write_file_atomic(marker, std::to_string(::getpid()) + "\n");
    } catch (const std::exception &e) {
        log_warning(std::string("Unable to mark the container's freeze: ") + e.what());
        return RemoveGuard({});
    }
    return RemoveGuard(marker);
}

} // namespace

bool is_suspended(Ctid ctid) {
    return is_running(ctid) && is_frozen(Cgroup(ctid));
}

void suspend_ct(const CtConfig &config, int code) {
    if (!is_running(config.ctid()))
        throw Error(VZ_VE_NOT_RUNNING, "Unable to suspend: container is not running");
    const Cgroup cgroup(config.ctid());
    if (is_frozen(cgroup)) {
        log_info("Container is already suspended");
        return;
    }
    log_info("Suspending container ...");
    set_frozen(cgroup, true, code);
    log_info("Container was suspended");
}

void resume_frozen_ct(const CtConfig &config, int code) {
    if (!is_running(config.ctid()))
        throw Error(VZ_VE_NOT_RUNNING, "Unable to resume: container is not running");
    const Cgroup cgroup(config.ctid());
    if (!is_frozen(cgroup)) {
        log_info("Container is not suspended");
        return;
    }
    log_info("Resuming container ...");
    set_frozen(cgroup, false, code);
    log_info("Container was resumed");
}

CommandFreeze::CommandFreeze(const CtConfig &config, int code)
    : marker_(write_marker(config)), freeze_(config.ctid(), code) {}

void thaw_if_abandoned(const CtConfig &config) {
    const auto marker = freeze_marker(config);
    const auto content = read_file(marker);
    if (!content)
        return;
    // A marker that does not parse was cut short by the kill that left it.
    const auto pid = parse_number<pid_t>(trim(*content));
    if (pid && *pid > 0 && process_alive(*pid))
        return;
    const Cgroup cgroup(config.ctid());
    if (is_frozen(cgroup)) {
        try {
            set_frozen(cgroup, false, VZ_SYSTEM_ERROR);
            log_warning("Container was left frozen by an interrupted command (pid " +
                        std::to_string(pid.value_or(0)) + "): thawed");
        } catch (const Error &e) {
            log_warning(e.what());
            return; // the marker stays: the next command tries again
        }
    }
    std::error_code ec;
    std::filesystem::remove(marker, ec);
}

} // namespace vz

// vzkit/ct/suspend.h: suspend and resume through the cgroup freezer.
#include "vzkit/ct/suspend.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/cgroup/freeze.h"
#include "vzkit/ct/state.h"

namespace vz {

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

} // namespace vz

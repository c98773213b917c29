// suspend / resume: a running container's processes frozen in place with the
// cgroup freezer, and thawed again; they stay in memory and use no CPU
// meanwhile (docs/checkpoint.md says how this differs from OpenVZ's kernel).
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/base/util.h"
#include "vzkit/cgroup/freeze.h"

namespace vz {

// Whether the container runs and its cgroup is frozen.
bool is_suspended(Ctid ctid);
// Throws Error(VZ_VE_NOT_RUNNING) for a stopped container, Error(code) when
// the freezer fails; suspending a suspended container does nothing.
void suspend_ct(const CtConfig &config, int code);
void resume_frozen_ct(const CtConfig &config, int code);

// The container frozen for the length of one command (a snapshot). While it
// lasts, a marker beside the container's lock names the freezing process, so
// that a command killed with the container frozen (kill -9, the OOM killer)
// does not leave it frozen: the next vzctl command on the container thaws it
// (thaw_if_abandoned), whereas a `vzctl suspend` stays until `resume`.
class CommandFreeze {
  public:
    CommandFreeze(const CtConfig &config, int code);

  private:
    RemoveGuard marker_; // declared first: made before the freeze, removed after the thaw
    CgroupFreeze freeze_;
};

// Thaws the container if a CommandFreeze's process died with it frozen, and
// says so; nothing otherwise (one stat() when there is no marker).
void thaw_if_abandoned(const CtConfig &config);

} // namespace vz

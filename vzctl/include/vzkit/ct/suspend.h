// suspend / resume: a running container's processes frozen in place with the
// cgroup freezer, and thawed again; they stay in memory and use no CPU
// meanwhile (docs/checkpoint.md says how this differs from OpenVZ's kernel).
#pragma once

#include "vzkit/base/ct_config.h"

namespace vz {

// Whether the container runs and its cgroup is frozen.
bool is_suspended(Ctid ctid);
// Throws Error(VZ_VE_NOT_RUNNING) for a stopped container, Error(code) when
// the freezer fails; suspending a suspended container does nothing.
void suspend_ct(const CtConfig &config, int code);
void resume_frozen_ct(const CtConfig &config, int code);

} // namespace vz

// A container's cgroup frozen or thawed as a whole: cgroup.freeze (state in
// cgroup.events) on v2, freezer.state on v1. Used by snapshot, chkpnt and
// suspend/resume (docs/checkpoint.md).
#pragma once

#include "vzkit/cgroup/cgroup.h"

#include <filesystem>

namespace vz {

// Whether the group is frozen now (false when it does not exist).
bool is_frozen(const Cgroup &cgroup);
// Freezes (on) or thaws the group and waits up to 10 s for the kernel to
// report that state; throws Error(code) when it cannot be written or the
// tasks did not freeze (the group is then thawed again).
void set_frozen(const Cgroup &cgroup, bool on, int code);
// The directory holding the freezer's files: what criu --freeze-cgroup takes.
std::filesystem::path freezer_dir(const Cgroup &cgroup);

// The group frozen while the object lives, thawed on every way out.
class CgroupFreeze {
  public:
    CgroupFreeze(Ctid ctid, int code);
    CgroupFreeze(const CgroupFreeze &) = delete;
    CgroupFreeze &operator=(const CgroupFreeze &) = delete;
    ~CgroupFreeze();

  private:
    Cgroup cgroup_;
    int code_;
};

} // namespace vz

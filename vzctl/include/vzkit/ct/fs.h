// The container's file system: its private area mounted on VE_ROOT by its
// layout (vzkit/storage/layout.h; simfs binds VE_PRIVATE), with the mount hook scripts.
#pragma once

#include "vzkit/base/ct_config.h"

namespace vz {

// premount hooks, the layout's mount (simfs: mkdir VE_ROOT, bind mount), mount
// hooks (a failing mount hook unmounts again). Errors: 43 no private area,
// 49 mount point, 50 mount, 99 a VE_LAYOUT that is no layout.
void mount_ct(const CtConfig &config);
// umount hooks, the layout's umount (simfs: every submount under VE_ROOT
// deepest first, VE_ROOT itself; 51 on failure), postumount hooks.
void umount_ct(const CtConfig &config);
// vzctl umount: as umount_ct, refused (VZ_VE_RUNNING) while the container runs.
void umount_stopped_ct(const CtConfig &config);

} // namespace vz

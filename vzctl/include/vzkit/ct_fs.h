// The container's file system: VE_PRIVATE bind-mounted on VE_ROOT (what
// OpenVZ's simfs becomes on a stock kernel), with the mount hook scripts.
#pragma once

#include "vzkit/ve_config.h"

namespace vz {

// premount hooks, mkdir VE_ROOT, bind mount, mount hooks (a failing mount hook
// unmounts again). Errors: 43 no private area, 49 mount point, 50 mount.
void mount_ct(const VeConfig &config);
// umount hooks, every submount under VE_ROOT deepest first, VE_ROOT itself
// (51 on failure), postumount hooks.
void umount_ct(const VeConfig &config);

} // namespace vz

// mount and umount: what every layout shares (checks, hooks, messages)
// around the layout's own mount (vzkit/storage/layout.h).
#include "vzkit/ct/fs.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/step.h"
#include "vzkit/ct/hooks.h"
#include "vzkit/ct/state.h"
#include "vzkit/storage/layout.h"
#include "vzkit/storage/mounts.h"

#include <sys/mount.h>

namespace vz {

void mount_ct(const CtConfig &config) {
    const Layout &layout = layout_of(config);
    if (!layout.exists(config))
        throw Error(VZ_FS_NOPRVT,
                    "Container private area " + config.ve_private().string() + " does not exist");
    if (is_mounted(config)) {
        log_info("Container is already mounted");
        return;
    }
    run_mount_hooks(config, "premount");
    separate_root_parent(config.ve_root());
    layout.mount(config);
    step("mount.mounted");
    try {
        run_mount_hooks(config, "mount");
    } catch (...) {
        umount2(config.ve_root().c_str(), MNT_DETACH);
        throw;
    }
    log_info("Container is mounted");
}

void umount_ct(const CtConfig &config) {
    if (!is_mounted(config))
        throw Error(VZ_FS_NOT_MOUNTED, "Container is not mounted");
    const Layout &layout = layout_of(config);
    run_mount_hooks(config, "umount");
    layout.umount(config);
    step("umount.unmounted");
    run_mount_hooks(config, "postumount");
    log_info("Container is unmounted");
}

void umount_stopped_ct(const CtConfig &config) {
    if (is_running(config.ctid()))
        throw Error(VZ_VE_RUNNING, "Container is running -- stop it first");
    umount_ct(config);
}

} // namespace vz

// The vzkit module's side of the disk quota: a registered quota appears in
// /proc/vz/vzquota (kmod/quota.c), rendered by the module from the kernel's
// own project quota figures. Optional: without the module (or with one that
// predates these requests) nothing is registered and vzquota works alone.
#pragma once

namespace vz::quota {

// Registers quota id with the module, its tree being the directory dir_fd is
// open on (the container's private area); registering an id again replaces
// its tree. The module keeps a reference on that directory, so its file
// system cannot be unmounted until module_unregister. False when there is no
// module to tell; other failures throw Error(kExitKernel).
bool module_register(unsigned id, int dir_fd);
// Forgets quota id; nothing to do when the module is absent or never heard
// of it. Other failures throw Error(kExitKernel).
void module_unregister(unsigned id);

} // namespace vz::quota

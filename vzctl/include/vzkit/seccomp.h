// The system-call filter every container process runs under. Without a user
// namespace the container's root is the host's uid 0, so a few calls that the
// capability bounding set does not fence off must be refused outright.
#pragma once

namespace vz {

// Installs the filter in the calling process (inherited across fork and exec).
// Throws Error(VZ_ENVCREATE_ERROR).
void apply_container_seccomp();

} // namespace vz

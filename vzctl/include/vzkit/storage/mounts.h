// What every layout's umount shares: the container's mounts, found with
// listmount (or in this namespace's mountinfo) and taken down deepest first.
#pragma once

#include <filesystem>

namespace vz {

// Unmounts everything mounted at or below root (resolved) in this namespace,
// deepest first; a busy mount is detached lazily. Throws
// Error(VZ_FS_CANTUMOUNT) naming the mount that neither way unmounts.
void umount_below(const std::filesystem::path &root);

} // namespace vz

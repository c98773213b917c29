// What every layout shares around its mounts: VE_ROOT's parent as a mount of
// its own, and the container's mounts, found with listmount (or in this
// namespace's mountinfo) and taken down deepest first.
#pragma once

#include <filesystem>

namespace vz {

// Unmounts everything mounted at or below root (resolved) in this namespace,
// deepest first; a busy mount is detached lazily. Throws
// Error(VZ_FS_CANTUMOUNT) naming the mount that neither way unmounts.
void umount_below(const std::filesystem::path &root);

// Makes the directory VE_ROOT sits in (/vz/root) a mount of its own, a bind
// mount of itself, unless it is a mount point already or something is
// mounted below it (running containers' roots would be hidden). The roots of
// running containers are then its children, not children of the file system
// that holds the private areas and vzkit-exec: the kernel walks every child of
// the source mount on each bind mount from it and on each overlayfs layer
// taken from it (docs/architecture.md, "Mount namespaces flat in N"). Its
// propagation follows the mount it sits in: shared (a peer group of its own)
// if that is shared, private otherwise. Best effort: a failure is logged.
void separate_root_parent(const std::filesystem::path &ve_root);

} // namespace vz
